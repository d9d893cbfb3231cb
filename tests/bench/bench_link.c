/* SPDX-License-Identifier: MIT */
/* bench_link: host link figures on the virtual board, in simulated time, per PHY model (no
 * socket: the board is driven through vboard_link_*). Figures, not pass/fail:
 *   - CSR read round trip: first request byte written -> last RESP byte received
 *   - bulk RAW_TX (host -> device) and RAW_RX (device -> host) of 1514-byte frames:
 *     link efficiency (frame bytes / link bytes) and achieved frame-byte rate
 * Run: make build/bench/bench_link && build/bench/bench_link [frames] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toe_defs.h"
#include "vboard.h"
#include "wire.h"

#define CORE_PS (1000000000000ull / VBOARD_CORE_HZ)
#define MAX_FRAME 2048u

/* COBS(message || CRC-32 LSB first) || 0x00 into out; returns the length. */
static size_t link_frame(const uint8_t *msg, size_t len, uint8_t *out)
{
    uint8_t buf[MAX_FRAME];
    memcpy(buf, msg, len);
    uint32_t crc = wire_crc32(msg, len);
    for (int i = 0; i < 4; i++)
        buf[len + (size_t)i] = (uint8_t)(crc >> (8 * i));
    len += 4;
    size_t o = 1, code_at = 0;
    uint8_t code = 1;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == 0) {
            out[code_at] = code, code_at = o++, code = 1;
        } else {
            out[o++] = buf[i];
            if (++code == 0xff)
                out[code_at] = code, code_at = o++, code = 1;
        }
    }
    out[code_at] = code;
    out[o++] = 0;
    return o;
}

/* Decode one COBS frame (without its delimiter) and check the CRC; message length or -1. */
static long link_unframe(const uint8_t *in, size_t len, uint8_t *msg)
{
    size_t o = 0, i = 0;
    while (i < len) {
        uint8_t code = in[i++];
        if (code == 0 || i + code - 1u > len)
            return -1;
        memcpy(msg + o, in + i, code - 1u);
        o += code - 1u, i += code - 1u;
        if (code != 0xff && i < len)
            msg[o++] = 0;
    }
    if (o < 6)
        return -1;
    uint32_t crc = wire_crc32(msg, o - 4);
    for (int k = 0; k < 4; k++)
        if (msg[o - 4 + (size_t)k] != (uint8_t)(crc >> (8 * k)))
            return -1;
    return (long)(o - 4);
}

struct rx {
    uint8_t buf[MAX_FRAME];
    size_t len;
    uint64_t msgs, bad, raw_rx, raw_rx_bytes;
    uint8_t last[MAX_FRAME];
    long last_len;
};

/* Drain the board's device->host bytes; returns messages completed. */
static unsigned rx_drain(struct vboard *vb, struct rx *r)
{
    uint8_t tmp[4096];
    size_t n;
    unsigned got = 0;
    while ((n = vboard_link_read(vb, tmp, sizeof tmp)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (tmp[i] != 0) {
                if (r->len < sizeof r->buf)
                    r->buf[r->len] = tmp[i];
                r->len++;
                continue;
            }
            if (r->len == 0)
                continue;
            long m = r->len <= sizeof r->buf ? link_unframe(r->buf, r->len, r->last) : -1;
            r->len = 0;
            if (m < 0) {
                r->bad++;
                continue;
            }
            r->last_len = m;
            r->msgs++;
            got++;
            if (r->last[0] == 0x83) {
                r->raw_rx++;
                r->raw_rx_bytes += (uint64_t)m - 10u; /* type, verdict, time u64 */
            }
        }
    }
    return got;
}

static void drain_gmii(struct vboard *vb)
{
    static uint8_t burst[VBOARD_MAX_BURST];
    size_t len;
    bool er;
    while (vboard_gmii_tx(vb, burst, sizeof burst, &len, &er) != -1) {
    }
}

static struct vboard *board(uint64_t rate, enum vboard_link_duplex d)
{
    static const struct vboard_config cfg = {
        .mac = { 0x02, 0, 0, 0, 0, 0x01 }, .ip = 0x0a00020f, .netmask = 0xffffff00,
        .gateway = 0x0a000202,
    };
    struct vboard *vb = vboard_new(&cfg);
    if (!vb) {
        fprintf(stderr, "bench_link: out of memory\n");
        exit(1);
    }
    vboard_link_set_rate(vb, rate, d);
    vboard_run(vb, 1000);
    return vb;
}

/* Mean and worst CSR read (ID) round trip in ns. */
static void csr_rtt(uint64_t rate, enum vboard_link_duplex d, double *mean, uint64_t *worst)
{
    struct vboard *vb = board(rate, d);
    struct rx r = { 0 };
    uint64_t total = 0;
    *worst = 0;
    const int n = 20;
    for (int i = 0; i < n; i++) {
        uint8_t msg[4] = { 0x01, (uint8_t)i, 0x00, 0x00 }, f[32];
        size_t fl = link_frame(msg, sizeof msg, f);
        uint64_t t0 = vboard_time_ps(vb);
        vboard_link_write(vb, f, fl);
        while (rx_drain(vb, &r) == 0 && vboard_time_ps(vb) - t0 < 10000000000ull)
            vboard_run(vb, 1);
        uint64_t dt = vboard_time_ps(vb) - t0;
        if (r.last_len != 7 || r.last[0] != 0x81 || r.last[1] != (uint8_t)i ||
            r.last[2] != 0 || memcmp(r.last + 3, "toe1", 4) != 0) {
            fprintf(stderr, "bench_link: no good RESP to CSR_READ %d\n", i);
            exit(1);
        }
        total += dt;
        if (dt > *worst)
            *worst = dt;
        vboard_run(vb, 200);
    }
    *mean = (double)total / n / 1000.0;
    *worst /= 1000u;
    vboard_free(vb);
}

static void ethernet_udp(uint8_t *f, size_t len, unsigned seq)
{
    memset(f, 0, len);
    static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x01 }, src[6] = { 0x02, 0, 0, 0, 0, 0xfe };
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *ip = f + 14;
    size_t ip_len = len - 14;
    ip[0] = 0x45, ip[2] = (uint8_t)(ip_len >> 8), ip[3] = (uint8_t)ip_len;
    ip[4] = (uint8_t)(seq >> 8), ip[5] = (uint8_t)seq;
    ip[8] = 64, ip[9] = 17;
    ip[12] = 10, ip[13] = 0, ip[14] = 2, ip[15] = 2;
    ip[16] = 10, ip[17] = 0, ip[18] = 2, ip[19] = 15;
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8), ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    size_t udp_len = ip_len - 20;
    udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x30, udp[3] = 0x39;
    udp[4] = (uint8_t)(udp_len >> 8), udp[5] = (uint8_t)udp_len;
    for (size_t i = 8; i < udp_len; i++)
        udp[i] = (uint8_t)(i * 31 + seq);
}

/* Host -> device: RAW_TX of `frames` 1514-byte frames, back to back. */
static void bulk_tx(const char *name, uint64_t rate, enum vboard_link_duplex d, unsigned frames)
{
    struct vboard *vb = board(rate, d);
    struct rx r = { 0 };
    uint8_t msg[2 + 1514], f[MAX_FRAME];
    uint64_t link_bytes = 0, t0 = vboard_time_ps(vb);
    unsigned sent = 0;
    while (vboard_stat(vb, TOE_STAT_TX_RAW) < frames &&
           vboard_time_ps(vb) - t0 < 2000000000000ull) {
        while (sent < frames && vboard_link_writable(vb) >= sizeof f) {
            msg[0] = 0x03, msg[1] = 0;
            ethernet_udp(msg + 2, 1514, sent);
            size_t fl = link_frame(msg, sizeof msg, f);
            vboard_link_write(vb, f, fl);
            link_bytes += fl;
            sent++;
        }
        vboard_run(vb, 256);
        drain_gmii(vb);
        rx_drain(vb, &r);
    }
    double s = (double)(vboard_time_ps(vb) - t0) / 1e12;
    uint32_t done = vboard_stat(vb, TOE_STAT_TX_RAW);
    printf("bench_link %-5s RAW_TX  %u frames: efficiency %.4f (frame bytes / link bytes), "
           "%.2f MB/s of frames in %.3f ms simulated, TX_RAW %u TX_RAW_BAD %u\n",
           name, frames, (double)frames * 1514 / (double)link_bytes,
           (double)done * 1514 / s / 1e6, s * 1e3, done, vboard_stat(vb, TOE_STAT_TX_RAW_BAD));
    vboard_free(vb);
}

/* Device -> host: UDP frames to the device (verdict IP_OTHER, sent up as RAW_RX). */
static void bulk_rx(const char *name, uint64_t rate, enum vboard_link_duplex d, unsigned frames)
{
    struct vboard *vb = board(rate, d);
    struct rx r = { 0 };
    uint8_t f[1514], burst[1600];
    uint64_t t0 = vboard_time_ps(vb), link0 = vboard_link_stats(vb).from_device;
    unsigned fed = 0;
    while (r.raw_rx + vboard_stat(vb, TOE_STAT_RX_HOST_DROP) < frames &&
           vboard_time_ps(vb) - t0 < 2000000000000ull) {
        /* Offer frames no faster than the link could carry them, so the host queue is
         * measured, not the GMII-vs-link rate mismatch. */
        if (fed < frames && vboard_rx_pending(vb) == 0 &&
            fed <= r.raw_rx + vboard_stat(vb, TOE_STAT_RX_HOST_DROP) + 2) {
            ethernet_udp(f, sizeof f, fed);
            size_t n = wire_frame_to_burst(f, sizeof f, burst, sizeof burst);
            vboard_gmii_rx(vb, burst, n, -1);
            fed++;
        }
        vboard_run(vb, 256);
        drain_gmii(vb);
        rx_drain(vb, &r);
    }
    double s = (double)(vboard_time_ps(vb) - t0) / 1e12;
    uint64_t link_bytes = vboard_link_stats(vb).from_device - link0;
    printf("bench_link %-5s RAW_RX  %u frames: efficiency %.4f (frame bytes / link bytes), "
           "%.2f MB/s of frames in %.3f ms simulated, RX_TO_HOST %u RX_HOST_DROP %u\n",
           name, frames, link_bytes ? (double)r.raw_rx_bytes / (double)link_bytes : 0.0,
           (double)r.raw_rx_bytes / s / 1e6, s * 1e3, vboard_stat(vb, TOE_STAT_RX_TO_HOST),
           vboard_stat(vb, TOE_STAT_RX_HOST_DROP));
    vboard_free(vb);
}

int main(int argc, char **argv)
{
    unsigned frames = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 200;
    static const struct {
        const char *name;
        uint64_t rate;
        enum vboard_link_duplex d;
    } phys[] = {
        { "ideal", 0, VBOARD_LINK_FULL_DUPLEX },
        { "uart", 1200000, VBOARD_LINK_FULL_DUPLEX }, /* 12 Mbaud 8N1 */
        { "fifo", 60000000, VBOARD_LINK_HALF_DUPLEX },
    };
    for (size_t i = 0; i < sizeof phys / sizeof phys[0]; i++) {
        double mean;
        uint64_t worst;
        csr_rtt(phys[i].rate, phys[i].d, &mean, &worst);
        printf("bench_link %-5s CSR_READ round trip: mean %.0f ns, worst %" PRIu64 " ns "
               "(request %u link bytes, RESP %u)\n", phys[i].name, mean, worst, 10u, 13u);
        fflush(stdout);
    }
    for (size_t i = 0; i < sizeof phys / sizeof phys[0]; i++) {
        bulk_tx(phys[i].name, phys[i].rate, phys[i].d, frames);
        bulk_rx(phys[i].name, phys[i].rate, phys[i].d, frames);
        fflush(stdout);
    }
    return 0;
}
