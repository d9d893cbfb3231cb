/* SPDX-License-Identifier: MIT */
/* bench_echo: ICMP echo latency through the virtual board, in simulated time.
 *
 * For each payload size it drives one echo request into GMII RX and waits for the reply on
 * GMII TX. It prints the time from the request's first byte to the reply's last byte, and the
 * part of it that is the device's own (request's last byte in to reply's first byte out).
 * A benchmark: it prints figures and fails only if a reply is missing or wrong.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vboard.h"
#include "wire.h"

#define BYTE_PS 8000u /* one GMII byte at 125 MHz */

static const uint8_t dev_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint32_t dev_ip = 0x0a00020f, peer_ip = 0x0a000202;

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static uint16_t inet_csum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 2)
        sum += (uint32_t)(p[i] << 8) | (i + 1 < len ? p[i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* An echo request frame with `payload` data bytes; returns its length. */
static size_t echo_request(uint8_t *f, size_t payload)
{
    size_t icmp_len = 8 + payload, ip_len = 20 + icmp_len;
    memcpy(f, dev_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)ip_len);
    ip[8] = 64;
    ip[9] = 1;
    put32(ip + 12, peer_ip);
    put32(ip + 16, dev_ip);
    put16(ip + 10, inet_csum(ip, 20));
    uint8_t *icmp = ip + 20;
    memset(icmp, 0, icmp_len);
    icmp[0] = 8;
    put16(icmp + 4, 0x1234);
    put16(icmp + 6, 1);
    for (size_t i = 0; i < payload; i++)
        icmp[8 + i] = (uint8_t)i;
    put16(icmp + 2, inet_csum(icmp, icmp_len));
    return 14 + ip_len;
}

int main(void)
{
    struct vboard_config cfg = { .ip = dev_ip, .netmask = 0xffffff00, .gateway = peer_ip };
    memcpy(cfg.mac, dev_mac, 6);
    struct vboard *vb = vboard_new(&cfg);
    if (!vb) {
        fprintf(stderr, "bench_echo: cannot create the model\n");
        return 1;
    }
    static const size_t sizes[] = { 0, 56, 512, 1472 };
    static uint8_t frame[2048], burst[2048], reply[2048];
    int rc = 0;
    printf("ICMP echo latency through toe_core, simulated time (GMII 125 MHz, core 62.5 MHz)\n");
    printf("%8s %10s %18s %18s\n", "payload", "frame", "first in-last out", "last in-first out");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t flen = echo_request(frame, sizes[i]);
        size_t blen = wire_frame_to_burst(frame, flen, burst, sizeof burst);
        vboard_run(vb, 1000); /* idle gap */
        uint64_t t0 = vboard_time_ps(vb);
        if (vboard_gmii_rx(vb, burst, blen, -1) != 0) {
            fprintf(stderr, "bench_echo: cannot queue the request\n");
            rc = 1;
            break;
        }
        size_t rlen = 0;
        bool tx_er = false, got = false;
        for (int chunk = 0; chunk < 100 && !got; chunk++) {
            vboard_run(vb, 1000);
            got = vboard_gmii_tx(vb, reply, sizeof reply, &rlen, &tx_er) == 0;
        }
        const uint8_t *rf;
        size_t rflen;
        if (!got || wire_burst_to_frame(reply, rlen, tx_er, &rf, &rflen) != WIRE_OK ||
            rflen < flen || rf[34] != 0) {
            fprintf(stderr, "bench_echo: no valid reply for a %zu-byte payload\n", sizes[i]);
            rc = 1;
            break;
        }
        uint64_t t_end = vboard_time_ps(vb);
        uint64_t total = t_end - t0;
        uint64_t device = total - (uint64_t)(blen + rlen) * BYTE_PS;
        printf("%8zu %8zu B %15.3f us %15.3f us\n", sizes[i], flen, total / 1e6, device / 1e6);
    }
    vboard_free(vb);
    return rc;
}
