/* SPDX-License-Identifier: MIT */
/* test_vboard_edges: the virtual board leaves out the clock edges of a GMII domain at rest and
 * lowers clocks without evaluating the model (sim/vboard.cpp); that must change nothing the
 * board does. Two boards, one clocking and evaluating every edge (vboard_set_every_edge), get the same traffic: ARP requests, pings of every size, frames
 * with a bad FCS or RX_ER, back to back or after long quiet gaps, and garbage on the host link.
 * After every vboard_run both must have run the same cycles and sent the same GMII bursts and
 * link bytes; at the end their statistics must match, and the device must have answered.
 *
 *   test_vboard_edges [-n EVENTS] [-s SEED]
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "toe_defs.h"
#include "vboard.h"
#include "wire.h"

#define DEV_IP 0x0a00020fu /* 10.0.2.15 */
#define HOST_IP 0x0a000202u
static const uint8_t dev_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t arp_request(uint8_t *f)
{
    memset(f, 0, 42);
    memset(f, 0xff, 6);
    memcpy(f + 6, host_mac, 6);
    f[12] = 0x08, f[13] = 0x06, f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = 1;
    memcpy(f + 22, host_mac, 6);
    put32(f + 28, HOST_IP);
    put32(f + 38, DEV_IP);
    return 42;
}

static size_t ping(uint8_t *f, size_t payload, uint16_t seq)
{
    size_t ip_len = 20 + 8 + payload;
    memcpy(f, dev_mac, 6);
    memcpy(f + 6, host_mac, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45, ip[2] = (uint8_t)(ip_len >> 8), ip[3] = (uint8_t)ip_len, ip[8] = 64, ip[9] = 1;
    put32(ip + 12, HOST_IP);
    put32(ip + 16, DEV_IP);
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    uint8_t *icmp = ip + 20;
    memset(icmp, 0, 8);
    icmp[0] = 8, icmp[6] = (uint8_t)(seq >> 8), icmp[7] = (uint8_t)seq;
    for (size_t i = 0; i < payload; i++)
        icmp[8 + i] = (uint8_t)rnd(256);
    c = csum(icmp, 8 + payload);
    icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
    return 14 + ip_len;
}

struct board {
    struct vboard *vb;
    uint64_t tx_bursts, link_bytes;
};

static int failures;

static void fail(const char *what, uint64_t event)
{
    if (failures++ < 10)
        fprintf(stderr, "test_vboard_edges: event %" PRIu64 ": %s\n", event, what);
}

/* Run both boards `cycles` core cycles, chunk by chunk as vboard_run returns, comparing. */
static void run_both(struct board *b, uint64_t cycles, uint64_t event)
{
    static uint8_t buf[2][VBOARD_MAX_BURST];
    while (cycles > 0 && failures == 0) {
        uint64_t n0 = vboard_run(b[0].vb, cycles), n1 = vboard_run(b[1].vb, cycles);
        if (n0 != n1 || n0 == 0) {
            fail(n0 == 0 ? "vboard_run ran nothing" : "the boards ran different cycle counts",
                 event);
            return;
        }
        cycles -= n0;
        for (;;) {
            size_t len[2];
            bool er[2];
            int rc0 = vboard_gmii_tx(b[0].vb, buf[0], sizeof buf[0], &len[0], &er[0]);
            int rc1 = vboard_gmii_tx(b[1].vb, buf[1], sizeof buf[1], &len[1], &er[1]);
            if (rc0 != rc1 || (rc0 == 0 && (len[0] != len[1] || er[0] != er[1] ||
                                             memcmp(buf[0], buf[1], len[0]) != 0))) {
                fail("the boards sent different GMII bursts, or at different cycles", event);
                return;
            }
            if (rc0 == -1)
                break;
            b[0].tx_bursts++, b[1].tx_bursts++;
        }
        size_t l0 = vboard_link_read(b[0].vb, buf[0], sizeof buf[0]);
        size_t l1 = vboard_link_read(b[1].vb, buf[1], sizeof buf[1]);
        if (l0 != l1 || memcmp(buf[0], buf[1], l0) != 0) {
            fail("the boards sent different link bytes, or at different cycles", event);
            return;
        }
        b[0].link_bytes += l0, b[1].link_bytes += l1;
    }
}

int main(int argc, char **argv)
{
    unsigned events = 3000;
    uint64_t seed = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:")) != -1) {
        if (opt == 'n')
            events = (unsigned)strtoul(optarg, NULL, 0);
        else if (opt == 's')
            seed = strtoull(optarg, NULL, 0);
        else {
            fprintf(stderr, "usage: test_vboard_edges [-n EVENTS] [-s SEED]\n");
            return 2;
        }
    }
    if (!seed)
        seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
    rng_state = seed | 1;
    printf("test_vboard_edges: seed %" PRIu64 " events %u\n", seed, events);

    struct vboard_config cfg = { .ip = DEV_IP, .netmask = 0xffffff00u, .gateway = HOST_IP };
    memcpy(cfg.mac, dev_mac, 6);
    struct board b[2] = { { vboard_new(&cfg), 0, 0 }, { vboard_new(&cfg), 0, 0 } };
    if (!b[0].vb || !b[1].vb) {
        fprintf(stderr, "test_vboard_edges: vboard_new failed\n");
        return 1;
    }
    vboard_set_every_edge(b[0].vb, true);

    static uint8_t frame[WIRE_MAX_FRAME], burst[VBOARD_MAX_BURST];
    uint64_t offered = 0;
    for (unsigned e = 0; e < events && failures == 0; e++) {
        size_t len;
        switch (rnd(4)) {
        case 0:
            len = arp_request(frame);
            break;
        default:
            len = ping(frame, rnd(4) ? rnd(64) : rnd(WIRE_MAX_FRAME - 42 + 1), (uint16_t)e);
            break;
        }
        size_t blen = wire_frame_to_burst(frame, len, burst, sizeof burst);
        int er_at = -1;
        switch (rnd(16)) {
        case 0:
            burst[blen - 1 - rnd(4)] ^= 0x01; /* a bad FCS */
            break;
        case 1:
            er_at = (int)rnd((uint32_t)blen); /* RX_ER */
            break;
        case 2:
            blen = 1 + rnd((uint32_t)blen); /* cut short */
            break;
        }
        /* Both boards have the same queue: one refuses exactly when the other does. */
        if ((vboard_gmii_rx(b[0].vb, burst, blen, er_at) == 0) !=
            (vboard_gmii_rx(b[1].vb, burst, blen, er_at) == 0))
            fail("the boards' receive queues differ", e);
        offered++;
        if (rnd(32) == 0) {
            uint8_t junk[64];
            size_t n = 1 + rnd(sizeof junk);
            for (size_t i = 0; i < n; i++)
                junk[i] = (uint8_t)rnd(256);
            vboard_link_write(b[0].vb, junk, n);
            vboard_link_write(b[1].vb, junk, n);
        }
        /* Back to back, a little apart, or after a quiet time long enough to rest. */
        switch (rnd(4)) {
        case 0:
            break;
        case 1:
            run_both(b, 1 + rnd(200), e);
            break;
        default:
            run_both(b, 1 + rnd(4000), e);
            break;
        }
    }
    run_both(b, 200000, events);
    for (unsigned i = 0; i < TOE_STAT_COUNT && failures == 0; i++)
        if (vboard_stat(b[0].vb, i) != vboard_stat(b[1].vb, i))
            fail("the boards' statistics differ", events);
    uint32_t rx_frames = vboard_stat(b[1].vb, TOE_STAT_RX_FRAMES);
    if (b[1].tx_bursts == 0 || rx_frames == 0)
        fail("the device neither received nor sent anything", events);
    printf("test_vboard_edges: %" PRIu64 " bursts offered, %" PRIu32 " frames received, %" PRIu64
           " sent, %" PRIu64 " link bytes, %" PRIu64 " core cycles\n", offered, rx_frames,
           b[1].tx_bursts, b[1].link_bytes, vboard_cycles(b[1].vb));
    vboard_free(b[0].vb);
    vboard_free(b[1].vb);
    printf("%s test_vboard_edges (replay: -s %" PRIu64 " -n %u)\n", failures ? "FAIL" : "PASS",
           seed, events);
    return failures ? 1 : 0;
}
