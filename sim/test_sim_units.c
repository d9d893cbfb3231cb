/* SPDX-License-Identifier: MIT */
/* Unit tests of toe-sim's C pieces (framing, pcap, faults, hostfwd parsing, link rate model).
 * No RTL needed.
 * Run: make sim-test */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "link_phy.h"
#include "net.h"
#include "pcap.h"
#include "wire.h"

static unsigned passed, failed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) {                                                                      \
            passed++;                                                                    \
        } else {                                                                         \
            failed++;                                                                    \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                                \
    } while (0)

static void test_crc(void)
{
    CHECK(wire_crc32((const uint8_t *)"123456789", 9) == 0xcbf43926u);
    CHECK(wire_crc32(NULL, 0) == 0);
}

static void test_framing(void)
{
    uint8_t frame[42], burst[128];
    for (unsigned i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7 + 1);
    size_t n = wire_frame_to_burst(frame, sizeof frame, burst, sizeof burst);
    CHECK(n == 8 + 60 + 4);
    CHECK(wire_burst_len(sizeof frame) == n);
    CHECK(memcmp(burst, "\x55\x55\x55\x55\x55\x55\x55\xd5", 8) == 0);
    CHECK(memcmp(burst + 8, frame, sizeof frame) == 0);
    bool pad_zero = true;
    for (size_t i = 8 + sizeof frame; i < 8 + 60; i++)
        pad_zero = pad_zero && burst[i] == 0;
    CHECK(pad_zero);
    /* The CRC over frame and FCS leaves the 802.3 residue: the FCS is in the right order. */
    CHECK(wire_crc32(burst + 8, 64) == 0x2144df1cu);

    const uint8_t *out;
    size_t out_len;
    CHECK(wire_burst_to_frame(burst, n, 0, &out, &out_len) == WIRE_OK);
    CHECK(out == burst + 8 && out_len == 60);
    CHECK(wire_burst_to_frame(burst, n, 1, &out, &out_len) == WIRE_TX_ER);

    burst[20] ^= 0x10;
    CHECK(wire_burst_to_frame(burst, n, 0, &out, &out_len) == WIRE_BAD_FCS);
    burst[20] ^= 0x10;
    burst[3] = 0x54;
    CHECK(wire_burst_to_frame(burst, n, 0, &out, &out_len) == WIRE_BAD_PREAMBLE);
    burst[3] = 0x55;
    CHECK(wire_burst_to_frame(burst, n - 1, 0, &out, &out_len) == WIRE_RUNT);
    CHECK(wire_burst_to_frame(burst, 3, 0, &out, &out_len) == WIRE_BAD_PREAMBLE);
    CHECK(wire_burst_to_frame(burst, 0, 0, &out, &out_len) == WIRE_BAD_PREAMBLE);

    CHECK(wire_frame_to_burst(frame, 0, burst, sizeof burst) == 0);
    CHECK(wire_frame_to_burst(frame, sizeof frame, burst, 71) == 0);

    uint8_t big[1514], big_burst[1600];
    memset(big, 0xa5, sizeof big);
    n = wire_frame_to_burst(big, sizeof big, big_burst, sizeof big_burst);
    CHECK(n == 8 + 1514 + 4);
    CHECK(wire_burst_to_frame(big_burst, n, 0, &out, &out_len) == WIRE_OK && out_len == 1514);
}

/* Collects what the injector emits. */
struct sink {
    unsigned count;
    uint8_t first_byte[64];
    long flip[64];
    uint8_t last[256];
    size_t last_len;
};

static void sink_emit(void *ctx, enum fault_dir dir, const struct fault_frame *frame)
{
    (void)dir;
    struct sink *s = ctx;
    if (s->count < 64) {
        s->first_byte[s->count] = frame->data[0];
        s->flip[s->count] = frame->wire_flip_bit;
    }
    s->count++;
    s->last_len = frame->len < sizeof s->last ? frame->len : sizeof s->last;
    memcpy(s->last, frame->data, s->last_len);
}

static void run_sequence(const struct fault_config *cfg, unsigned frames, struct sink *s,
                         char *log_text, size_t log_cap)
{
    memset(s, 0, sizeof *s);
    FILE *log = log_text ? fmemopen(log_text, log_cap, "w") : NULL;
    struct faults *f = faults_new(cfg, log);
    uint8_t frame[100];
    for (unsigned i = 0; i < frames; i++) {
        memset(frame, 0, sizeof frame);
        frame[0] = (uint8_t)i;
        faults_frame(f, FAULT_TO_RTL, frame, sizeof frame, 1000u * i, sink_emit, s);
    }
    faults_free(f);
    if (log)
        fclose(log);
}

static void test_faults(void)
{
    struct fault_config cfg = { .seed = 42, .reorder_hold_ps = 1000000 };
    struct sink s;
    static char log_a[1 << 16], log_b[1 << 16];

    run_sequence(&cfg, 10, &s, log_a, sizeof log_a);
    CHECK(s.count == 10);
    CHECK(strstr(log_a, "to-rtl 1 pass\n") != NULL);

    cfg.drop_pct = 100;
    run_sequence(&cfg, 10, &s, NULL, 0);
    CHECK(s.count == 0);

    cfg.drop_pct = 0;
    cfg.dup_pct = 100;
    run_sequence(&cfg, 5, &s, NULL, 0);
    CHECK(s.count == 10 && s.first_byte[0] == 0 && s.first_byte[1] == 0 && s.first_byte[2] == 1);

    cfg.dup_pct = 0;
    cfg.reorder_pct = 100;
    run_sequence(&cfg, 4, &s, NULL, 0);
    CHECK(s.count == 4);
    CHECK(s.first_byte[0] == 1 && s.first_byte[1] == 0 && s.first_byte[2] == 3 &&
          s.first_byte[3] == 2);

    /* A held frame goes out on its own after the hold time. */
    {
        memset(&s, 0, sizeof s);
        struct faults *f = faults_new(&cfg, NULL);
        uint8_t frame[60] = { 7 };
        faults_frame(f, FAULT_TO_NET, frame, sizeof frame, 0, sink_emit, &s);
        CHECK(s.count == 0);
        CHECK(faults_next_ps(f) == 1000000);
        faults_tick(f, 999999, sink_emit, &s);
        CHECK(s.count == 0);
        faults_tick(f, 1000000, sink_emit, &s);
        CHECK(s.count == 1 && s.first_byte[0] == 7);
        CHECK(faults_next_ps(f) == UINT64_MAX);
        /* Held in both directions: the earlier release comes first. */
        faults_frame(f, FAULT_TO_NET, frame, sizeof frame, 5000000, sink_emit, &s);
        faults_frame(f, FAULT_TO_RTL, frame, sizeof frame, 3000000, sink_emit, &s);
        CHECK(faults_next_ps(f) == 4000000);
        faults_free(f);
    }

    cfg.reorder_pct = 0;
    cfg.corrupt_pct = 100;
    run_sequence(&cfg, 1, &s, NULL, 0);
    {
        unsigned bits = 0;
        for (size_t i = 0; i < s.last_len; i++)
            bits += (unsigned)__builtin_popcount(s.last[i]);
        CHECK(s.count == 1 && bits == 1 && s.flip[0] == -1);
    }
    cfg.corrupt_after_fcs = true;
    run_sequence(&cfg, 20, &s, NULL, 0);
    {
        bool in_range = true;
        for (unsigned i = 0; i < 20; i++)
            in_range = in_range && s.flip[i] >= 0 && s.flip[i] < (100 + 4) * 8;
        CHECK(s.count == 20 && in_range && s.last[1] == 0);
    }

    /* Replay: same seed, same decisions; another seed, other decisions. */
    struct fault_config mix = { .seed = 7, .drop_pct = 10, .dup_pct = 10, .reorder_pct = 10,
                                .corrupt_pct = 10.5, .reorder_hold_ps = 1000000 };
    run_sequence(&mix, 500, &s, log_a, sizeof log_a);
    unsigned count_a = s.count;
    run_sequence(&mix, 500, &s, log_b, sizeof log_b);
    CHECK(count_a == s.count && strcmp(log_a, log_b) == 0);
    CHECK(strstr(log_a, " drop") && strstr(log_a, " dup") && strstr(log_a, " reorder hold") &&
          strstr(log_a, " corrupt bit "));
    mix.seed = 8;
    run_sequence(&mix, 500, &s, log_b, sizeof log_b);
    CHECK(strcmp(log_a, log_b) != 0);

    CHECK(faults_parse_pct("12.5") == 12.5);
    CHECK(faults_parse_pct("0") == 0);
    CHECK(faults_parse_pct("100") == 100);
    CHECK(faults_parse_pct("100.1") < 0);
    CHECK(faults_parse_pct("-1") < 0);
    CHECK(faults_parse_pct("5%") < 0);
    CHECK(faults_parse_pct("nan") < 0);
    CHECK(faults_parse_pct("") < 0);
}

/* An Ethernet/IPv4/TCP frame with plen payload bytes and sequence number seq. */
static size_t tcp_frame(uint8_t *p, uint32_t seq, unsigned plen)
{
    memset(p, 0, 14 + 20 + 20 + plen);
    p[12] = 0x08;
    p[14] = 0x45;
    p[16] = (uint8_t)((40 + plen) >> 8);
    p[17] = (uint8_t)(40 + plen);
    p[23] = 6;
    p[38] = (uint8_t)(seq >> 24);
    p[39] = (uint8_t)(seq >> 16);
    p[40] = (uint8_t)(seq >> 8);
    p[41] = (uint8_t)seq;
    p[46] = 0x50;
    return 14 + 20 + 20 + plen;
}

static void test_drop_segment(void)
{
    struct fault_config cfg = { .seed = 1, .reorder_hold_ps = 1000000 };
    CHECK(faults_parse_drop_segment("to-net:3", &cfg) == 0 && cfg.drop_segment[FAULT_TO_NET] == 3);
    CHECK(faults_parse_drop_segment("to-rtl:1", &cfg) == 0 && cfg.drop_segment[FAULT_TO_RTL] == 1);
    CHECK(faults_parse_drop_segment("to-net:0", &cfg) < 0);
    CHECK(faults_parse_drop_segment("to-net:", &cfg) < 0);
    CHECK(faults_parse_drop_segment("to-net:2x", &cfg) < 0);
    CHECK(faults_parse_drop_segment("sideways:2", &cfg) < 0);
    CHECK(faults_parse_drop_segment("to-net:-2", &cfg) < 0);
    cfg.drop_segment[FAULT_TO_RTL] = 0;

    /* Pure ACKs and a fragment do not count; the third data segment to the net goes. */
    static char log[4096];
    FILE *lf = fmemopen(log, sizeof log, "w");
    struct faults *f = faults_new(&cfg, lf);
    CHECK(faults_enabled(f));
    struct sink s;
    memset(&s, 0, sizeof s);
    uint8_t fr[200];
    uint32_t seqs[] = { 100, 200, 300, 400, 500 };
    for (unsigned i = 0; i < 5; i++) {
        faults_frame(f, FAULT_TO_NET, fr, tcp_frame(fr, 7, 0), 0, sink_emit, &s); /* ACK */
        size_t n = tcp_frame(fr, seqs[i], 100);
        if (i == 1) {
            fr[20] = 0x20; /* more fragments: not a segment the injector counts */
            faults_frame(f, FAULT_TO_NET, fr, n, 0, sink_emit, &s);
            n = tcp_frame(fr, seqs[i], 100);
        }
        faults_frame(f, FAULT_TO_RTL, fr, n, 0, sink_emit, &s); /* other direction */
        faults_frame(f, FAULT_TO_NET, fr, n, 5000u * i, sink_emit, &s);
    }
    faults_free(f);
    fclose(lf);
    CHECK(s.count == 5 + 1 + 5 + 5 - 1);
    CHECK(strstr(log, "to-net 7 drop segment 3 seq 300 len 100 at 10000 ps\n") != NULL);
    CHECK(strstr(log, "to-rtl") != NULL && strstr(log, "to-rtl 3 drop") == NULL);
}

static void test_pcap(void)
{
    char path[] = "/tmp/test_sim_units_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    struct pcap_writer *pw = pcap_open(path);
    CHECK(pw != NULL);
    if (!pw)
        return;
    uint8_t frame[60] = { 1, 2, 3 };
    CHECK(pcap_write(pw, 1500000000123456ull, frame, sizeof frame) == 0); /* 1500.000000123 s */
    CHECK(pcap_write(pw, 2000, frame, 14) == 0);
    CHECK(pcap_close(pw) == 0);

    uint8_t buf[256];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    unlink(path);
    uint32_t w[6];
    CHECK(n == 24 + 16 + 60 + 16 + 14);
    memcpy(w, buf, sizeof w);
    CHECK(w[0] == 0xa1b23c4du && w[5] == 1u && w[4] == 65535u);
    memcpy(w, buf + 24, 16);
    CHECK(w[0] == 1500 && w[1] == 123 && w[2] == 60 && w[3] == 60);
    memcpy(w, buf + 24 + 16 + 60, 16);
    CHECK(w[0] == 0 && w[1] == 2 && w[2] == 14);
}

static void test_hostfwd(void)
{
    struct net_hostfwd h;
    char err[128];
    CHECK(net_parse_hostfwd("tcp::5555-:80", &h, err, sizeof err) == 0);
    CHECK(!h.is_udp && h.host_addr == 0x7f000001u && h.host_port == 5555 && h.guest_addr == 0 &&
          h.guest_port == 80);
    CHECK(net_parse_hostfwd("udp:127.0.0.2:7-10.0.2.15:9", &h, err, sizeof err) == 0);
    CHECK(h.is_udp && h.host_addr == 0x7f000002u && h.guest_addr == 0x0a00020fu);
    CHECK(net_parse_hostfwd("tcp:5555-:80", &h, err, sizeof err) < 0);
    CHECK(net_parse_hostfwd("sctp::1-:2", &h, err, sizeof err) < 0);
    CHECK(net_parse_hostfwd("tcp::0-:80", &h, err, sizeof err) < 0);
    CHECK(net_parse_hostfwd("tcp::70000-:80", &h, err, sizeof err) < 0);
    CHECK(net_parse_hostfwd("tcp::1-:", &h, err, sizeof err) < 0);
    CHECK(net_parse_hostfwd("tcp:1.2.3:1-:2", &h, err, sizeof err) < 0);
}

static void no_deliver(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx, (void)frame, (void)len;
}

/* The idle skip's bound from slirp: its poll timeout (at most a second) after each poll. */
static void test_slirp_next_due(void)
{
    struct net_slirp_config cfg = { .device_ip = 0x0a00020fu, .netmask = 0xffffff00u,
                                    .gateway = 0x0a000202u };
    char err[128];
    struct net_peer *p = net_slirp_new(&cfg, no_deliver, NULL, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    uint64_t now = 7000000000000ull; /* 7 s */
    p->ops->poll(p, now);
    uint64_t due = net_peer_next_due_ps(p);
    CHECK(due > now && due <= now + 1000000000000ull);
    net_peer_free(p);
}

#define CYCLE_PS 16000u /* 62.5 MHz core */

/* Run n cycles with fixed wants; count grants per direction and cycles granting both. */
static void phy_run(struct link_phy *p, uint64_t n, enum link_want a, enum link_want b,
                    uint64_t got[2], uint64_t *both)
{
    for (uint64_t i = 0; i < n; i++) {
        unsigned g = link_phy_cycle(p, a, b);
        got[0] += g & 1u;
        got[1] += (g >> 1) & 1u;
        if (both)
            *both += g == 3u;
    }
}

/* Cycles until the first grant toward the device. */
static unsigned phy_first(struct link_phy *p)
{
    for (unsigned i = 1; i < 1000000u; i++)
        if (link_phy_cycle(p, LINK_READY, LINK_IDLE) & 1u)
            return i;
    return 0;
}

static void test_link_phy(void)
{
    struct link_phy p;
    uint64_t got[2] = { 0, 0 }, both = 0;

    /* Ideal: a byte per cycle each way. Faster than the port: the same. */
    link_phy_init(&p, CYCLE_PS, 0, false, 512);
    phy_run(&p, 1000, LINK_READY, LINK_READY, got, NULL);
    CHECK(got[0] == 1000 && got[1] == 1000);
    link_phy_init(&p, CYCLE_PS, 100000000u, true, 512);
    got[0] = got[1] = 0;
    phy_run(&p, 1000, LINK_READY, LINK_IDLE, got, NULL);
    CHECK(got[0] == 1000 && got[1] == 0);

    /* UART 12 Mbaud 8N1: exactly 1.2 MB/s each way, full duplex, over 0.1 s simulated. */
    link_phy_init(&p, CYCLE_PS, 1200000u, false, 512);
    got[0] = got[1] = 0;
    phy_run(&p, 6250000u, LINK_READY, LINK_READY, got, &both);
    CHECK(got[0] == 120000u && got[1] == 120000u);
    CHECK(both > 0); /* the directions are independent */
    /* The first byte after idle takes a whole byte time (833.3 ns: the 53rd 16 ns cycle). */
    link_phy_cycle(&p, LINK_IDLE, LINK_IDLE);
    CHECK(phy_first(&p) == 53u);
    /* A receiver that was full: credit builds up to one byte, not more. */
    link_phy_cycle(&p, LINK_IDLE, LINK_IDLE);
    got[0] = got[1] = 0;
    phy_run(&p, 10000, LINK_BLOCKED, LINK_IDLE, got, NULL);
    CHECK(got[0] == 0);
    CHECK(link_phy_cycle(&p, LINK_READY, LINK_IDLE) == 1u);
    CHECK(phy_first(&p) == 52u || phy_first(&p) == 53u);
    /* 115200 baud: 11520 B/s; 0.5 s -> 5760 bytes. */
    link_phy_init(&p, CYCLE_PS, 11520u, false, 512);
    got[0] = got[1] = 0;
    phy_run(&p, 31250000u, LINK_READY, LINK_IDLE, got, NULL);
    CHECK(got[0] == 5760u && got[1] == 0);

    /* FT245 FIFO: 60 MB/s one way (0.1 s -> 6e6 bytes). */
    link_phy_init(&p, CYCLE_PS, 60000000u, true, 512);
    got[0] = got[1] = 0;
    phy_run(&p, 6250000u, LINK_IDLE, LINK_READY, got, NULL);
    CHECK(got[0] == 0 && got[1] == 6000000u);
    CHECK(p.turnarounds == 0);
    /* Both ways at once share the 60 MB/s, never both in one cycle, and pay a turnaround
     * cycle per 512-byte burst: 6e6 * 512/513 in all, split evenly. */
    link_phy_init(&p, CYCLE_PS, 60000000u, true, 512);
    got[0] = got[1] = 0;
    both = 0;
    phy_run(&p, 6250000u, LINK_READY, LINK_READY, got, &both);
    CHECK(both == 0);
    uint64_t total = got[0] + got[1];
    CHECK(total <= 6000000u * 512u / 513u + 1u && total >= 6000000u * 512u / 513u - 512u);
    CHECK(got[0] > got[1] ? got[0] - got[1] <= 512u : got[1] - got[0] <= 512u);
    CHECK(p.turnarounds >= total / 512u - 1u && p.turnarounds <= total / 512u + 1u);
    /* A request after the bus faced the other way costs the turnaround: two byte times. */
    link_phy_init(&p, CYCLE_PS, 60000000u, true, 512);
    link_phy_cycle(&p, LINK_IDLE, LINK_READY);
    CHECK(link_phy_cycle(&p, LINK_IDLE, LINK_READY) == 2u);
    link_phy_cycle(&p, LINK_IDLE, LINK_IDLE);
    unsigned first = phy_first(&p);
    CHECK(first == 3u);
    CHECK(p.turnarounds == 1u);
}

int main(void)
{
    test_crc();
    test_framing();
    test_faults();
    test_drop_segment();
    test_pcap();
    test_hostfwd();
    test_slirp_next_due();
    test_link_phy();
    printf("sim units: %u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
