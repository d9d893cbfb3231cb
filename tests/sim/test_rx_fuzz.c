/* SPDX-License-Identifier: MIT */
/*
 * test_rx_fuzz: random and mutated GMII receive bursts into the virtual board, checked against
 * an independent reference classifier written from docs/ARCHITECTURE.md section 5 and
 * spec/toe.spec. Every statistics counter must equal the reference tally, every frame the
 * device must answer must be answered (in order, with the right fields), nothing else may come
 * out, and the model must keep up (bounded cycles per batch).
 *
 *   test_rx_fuzz [-s SEED] [-n COUNT] [-p PCAP] [-v]
 *
 * SEED defaults to the time and process id (it is printed), COUNT to 100000. PCAP gets a sample of the traffic
 * (the first frames in both directions; frames without FCS, as seen after the SFD).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcap.h"
#include "toe_defs.h"
#include "vboard.h"
#include "wire.h"

#define FRAME_CAP 16384u     /* largest frame we build (jumbo and beyond) */
#define BATCH_MAX 64         /* vboard queues at most 64 bursts */
#define EXP_CAP 256          /* expected replies outstanding (at most one batch) */
#define SETTLE_CYCLES 512u   /* after the last burst: most the counters may lag (12 seen) */
#define SETTLE_TAIL 64u      /* then this long for late frames (the next batch sees later ones) */
#define RUN_CHUNK 256u       /* cycles per vboard_run while bursts or replies are outstanding */
#define PCAP_SAMPLE 5000u    /* receive frames written to the pcap */
#define MAX_REPORTS 12       /* detailed failure reports printed */
/* Frames needing a reply per batch. Bursts are back-to-back within a batch, and toe_tx copies a
 * long echo reply slower than short requests arrive, so more could fill the descriptor queue
 * (8 entries, room while under 7) and be dropped as rx_overflow, which the oracle cannot time.
 * test_rx_fuzz_back_to_back covers that regime. */
#define REPLY_LIMIT 5

/* Oracle verdicts are TOE_STAT_RX_* indices; these mark replies. */
enum reply { REPLY_NONE, REPLY_ARP, REPLY_ICMP };

/* ------------------------------------------------------------------------------------------ */
/* PRNG: xoshiro256** seeded through splitmix64, so a seed reproduces a run exactly. */

static uint64_t rng_state[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng_state[i] = splitmix64(&seed);
}

static uint64_t rng64(void)
{
    uint64_t *s = rng_state;
    uint64_t r = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3] << 45 | s[3] >> 19;
    return r;
}

/* Uniform in [0, n), n > 0. */
static uint32_t rnd(uint32_t n)
{
    return (uint32_t)((rng64() >> 32) * n >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
    return lo + rnd(hi - lo + 1);
}

/* True with probability pct percent. */
static bool chance(unsigned pct)
{
    return rnd(100) < pct;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng64();
}

/* ------------------------------------------------------------------------------------------ */
/* Byte helpers and checksums. */

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) << 16 | get16(p + 2);
}

/* Ones' complement sum of len bytes (odd byte padded with zero), folded to 16 bits. */
static uint32_t ocsum(const uint8_t *p, size_t len)
{
    uint64_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += get16(p + i);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

/* The value to store in a checksum field (computed with the field at zero). */
static uint32_t csum_field(const uint8_t *p, size_t len)
{
    return ~ocsum(p, len) & 0xffff;
}

/* A received checksum is right when the sum over the covered bytes is 0xffff. */
static bool csum_ok(const uint8_t *p, size_t len)
{
    return ocsum(p, len) == 0xffff;
}

/* Sum of the TCP pseudo-header of IPv4 header ip (addresses, protocol 6, segment length). */
static uint32_t tcp_pseudo_sum(const uint8_t *ip, size_t seg)
{
    return get16(ip + 12) + get16(ip + 14) + get16(ip + 16) + get16(ip + 18) + 6u + (uint32_t)seg;
}

/* A TCP segment (after an IPv4 header of IHL ihl, options ignored) is good when its header
 * fits (20 bytes at least, data offset within the segment) and the checksum over
 * pseudo-header and segment is right. */
static bool tcp_ok(const uint8_t *ip, unsigned ihl, size_t seg)
{
    const uint8_t *t = ip + ihl * 4u;
    if (seg < 20)
        return false;
    unsigned doff = t[12] >> 4;
    if (doff < 5 || doff * 4u > seg)
        return false;
    uint64_t sum = (uint64_t)ocsum(t, seg) + tcp_pseudo_sum(ip, seg);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

static uint32_t dev_bcast; /* subnet broadcast */

/* An address that names one host: not 0, a broadcast or multicast (echo replies go only to
 * such sources, RFC 1122 3.2.1.3). */
static bool is_host_ip(uint32_t ip)
{
    return ip != 0 && (ip >> 28) != 0xe && ip != 0xffffffffu && ip != dev_bcast;
}

static const uint8_t BCAST_MAC[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* ------------------------------------------------------------------------------------------ */
/* Device configuration (random per seed, so masks and broadcasts vary). */

static struct vboard_config cfg;

static void config_init(void)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x74, 0x6f, 0x65};
    memcpy(cfg.mac, mac, 6);
    unsigned prefix = rnd_range(8, 30);
    cfg.netmask = 0xffffffffu << (32 - prefix);
    uint32_t net = chance(50) ? 0x0a000000u | (rnd(1u << 24)) : 0xc0a80000u | rnd(1u << 16);
    net &= cfg.netmask;
    uint32_t host;
    do
        host = (uint32_t)rng64() & ~cfg.netmask;
    while (host == 0 || host == ~cfg.netmask);
    cfg.ip = net | host;
    cfg.gateway = net | 1u;
    dev_bcast = cfg.ip | ~cfg.netmask;
}

static bool mac_is(const uint8_t *p, const uint8_t *mac)
{
    return memcmp(p, mac, 6) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The reference classifier. It looks only at the burst bytes and RX_ER, never at how the
 * generator built them. Returns a TOE_STAT_RX_* index and, for frames the device answers,
 * the kind of reply; *frame and *flen get the frame as the core sees it (no preamble, no FCS). */

static int oracle(const uint8_t *b, size_t blen, int er_at, enum reply *reply,
                  const uint8_t **frame, size_t *flen)
{
    *reply = REPLY_NONE;
    *frame = b;
    *flen = 0;
    /* MAC: a run of 0x55 then the SFD; no 0xd5 anywhere is a burst without SFD. Anything else
     * (bytes other than 0x55 before the SFD) is not generated, being left open by the spec. */
    size_t i = 0;
    while (i < blen && b[i] == 0x55)
        i++;
    if (i == blen || b[i] != 0xd5) {
        if (memchr(b, 0xd5, blen) == NULL)
            return TOE_STAT_RX_FRAMING_ERR;
        fprintf(stderr, "test_rx_fuzz: internal error: generator made an undefined preamble\n");
        exit(2);
    }
    if (i == 0) {
        fprintf(stderr, "test_rx_fuzz: internal error: generator made a burst with no preamble\n");
        exit(2);
    }
    const uint8_t *f = b + i + 1;
    size_t n = blen - i - 1; /* bytes after the SFD, FCS included */
    if (n < 64)
        return TOE_STAT_RX_FRAMING_ERR;
    if (n > 1518)
        return TOE_STAT_RX_TOO_LONG;
    size_t len = n - 4;
    uint32_t fcs = (uint32_t)f[len] | (uint32_t)f[len + 1] << 8 | (uint32_t)f[len + 2] << 16 |
                   (uint32_t)f[len + 3] << 24;
    if (er_at >= 0 || wire_crc32(f, len) != fcs)
        return TOE_STAT_RX_FCS_ERR;
    *frame = f;
    *flen = len;
    /* Store space: never short here, as the test limits the replies per batch (REPLY_LIMIT). */
    if (!mac_is(f, cfg.mac) && !mac_is(f, BCAST_MAC))
        return TOE_STAT_RX_ADDR_MISS;
    uint32_t type = get16(f + 12);
    if (type == 0x0806) {
        const uint8_t *a = f + 14;
        if (len < 14 + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4)
            return TOE_STAT_RX_ARP_BAD;
        if (get16(a + 6) == 1 && get32(a + 24) == cfg.ip) {
            *reply = REPLY_ARP;
            return TOE_STAT_RX_ARP_REQ;
        }
        return TOE_STAT_RX_ARP_OTHER;
    }
    if (type != 0x0800)
        return TOE_STAT_RX_ETHERTYPE;
    const uint8_t *p = f + 14;
    unsigned ver = p[0] >> 4, ihl = p[0] & 15u;
    size_t tl = get16(p + 2);
    if (ver != 4 || ihl < 5 || tl < ihl * 4u || 14 + tl > len)
        return TOE_STAT_RX_IP_BAD_HDR;
    if (!csum_ok(p, ihl * 4u))
        return TOE_STAT_RX_IP_CSUM;
    uint32_t dst = get32(p + 16);
    if (dst != cfg.ip && dst != 0xffffffffu && dst != dev_bcast)
        return TOE_STAT_RX_IP_NOT_OURS;
    if (get16(p + 6) & 0x3fff)
        return TOE_STAT_RX_IP_FRAG;
    if (ihl > 5 && p[9] != 6)
        return TOE_STAT_RX_IP_OPTIONS;
    if (p[9] == 6) {
        if (!tcp_ok(p, ihl, tl - ihl * 4u))
            return TOE_STAT_RX_TCP_BAD;
        return dst == cfg.ip ? TOE_STAT_RX_TCP : TOE_STAT_RX_IP_OTHER;
    }
    if (p[9] != 1)
        return TOE_STAT_RX_IP_OTHER;
    if (!csum_ok(p + 20, tl - 20))
        return TOE_STAT_RX_ICMP_CSUM;
    if (p[20] == 8 && dst == cfg.ip && tl >= 28 && is_host_ip(get32(p + 12))) {
        *reply = REPLY_ICMP;
        return TOE_STAT_RX_ICMP_ECHO;
    }
    return TOE_STAT_RX_IP_OTHER;
}

/* ------------------------------------------------------------------------------------------ */
/* Generators. Each builds one GMII burst. */

enum gen {
    G_ARP_REQ_OURS, G_ARP_REQ_OTHER, G_ARP_REPLY, G_ARP_BAD, G_ARP_TRUNC,
    G_ECHO_OURS, G_ECHO_BCAST, G_ECHO_OTHER,
    G_IP_VERSION, G_IP_IHL_SHORT, G_IP_OPTIONS, G_IP_TL_SMALL, G_IP_TL_LARGE, G_IP_CSUM,
    G_IP_FRAG, G_IP_TCP, G_TCP_SEGMENT, G_IP_UDP, G_IP_PROTO, G_ICMP_CSUM, G_ICMP_TYPE,
    G_DST_MAC, G_ETHERTYPE, G_RUNT, G_BAD_FCS, G_RX_ER, G_NO_SFD, G_PREAMBLE, G_OVERSIZE,
    G_MUTATE, G_GARBAGE,
    G_COUNT,
    G_EDGE = G_COUNT, /* directed edge cases */
};

static const struct {
    const char *name;
    unsigned weight;
} gens[G_COUNT] = {
    [G_ARP_REQ_OURS] = {"arp_req_ours", 7},   [G_ARP_REQ_OTHER] = {"arp_req_other", 3},
    [G_ARP_REPLY] = {"arp_reply", 3},         [G_ARP_BAD] = {"arp_bad", 4},
    [G_ARP_TRUNC] = {"arp_trunc", 1},         [G_ECHO_OURS] = {"echo_ours", 12},
    [G_ECHO_BCAST] = {"echo_bcast", 3},       [G_ECHO_OTHER] = {"echo_other", 3},
    [G_IP_VERSION] = {"ip_version", 2},       [G_IP_IHL_SHORT] = {"ip_ihl_short", 2},
    [G_IP_OPTIONS] = {"ip_options", 3},       [G_IP_TL_SMALL] = {"ip_tl_small", 2},
    [G_IP_TL_LARGE] = {"ip_tl_large", 2},     [G_IP_CSUM] = {"ip_csum", 3},
    [G_IP_FRAG] = {"ip_frag", 3},             [G_IP_TCP] = {"ip_tcp", 2},
    [G_TCP_SEGMENT] = {"tcp_segment", 4},
    [G_IP_UDP] = {"ip_udp", 2},               [G_IP_PROTO] = {"ip_proto", 1},
    [G_ICMP_CSUM] = {"icmp_csum", 3},         [G_ICMP_TYPE] = {"icmp_type", 3},
    [G_DST_MAC] = {"dst_mac", 3},             [G_ETHERTYPE] = {"ethertype", 3},
    [G_RUNT] = {"runt", 3},                   [G_BAD_FCS] = {"bad_fcs", 3},
    [G_RX_ER] = {"rx_er", 3},                 [G_NO_SFD] = {"no_sfd", 2},
    [G_PREAMBLE] = {"preamble_len", 1},       [G_OVERSIZE] = {"oversize", 2},
    [G_MUTATE] = {"mutate", 15},              [G_GARBAGE] = {"garbage", 3},
};

struct burst {
    uint8_t data[VBOARD_MAX_BURST];
    size_t len;
    int er_at;
    int gen;
    uint64_t index; /* frame number in the run */
};

static uint8_t peer_mac[6];
static uint32_t peer_ip;

/* A fresh peer: unicast MAC differing from ours in every byte after the first. */
static void new_peer(void)
{
    peer_mac[0] = (uint8_t)(rng64() & 0xfe);
    for (int i = 1; i < 6; i++) {
        do
            peer_mac[i] = (uint8_t)rng64();
        while (peer_mac[i] == cfg.mac[i]);
    }
    do
        peer_ip = chance(70) ? (cfg.ip & cfg.netmask) | ((uint32_t)rng64() & ~cfg.netmask)
                             : (uint32_t)rng64();
    while (peer_ip == cfg.ip || !is_host_ip(peer_ip));
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint32_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, type);
}

/* Pad to the 60-byte minimum with zeros or (to catch parsers that read past the IP total
 * length) random bytes. */
static size_t pad60(uint8_t *f, size_t len)
{
    if (len >= 60)
        return len;
    if (chance(50))
        memset(f + len, 0, 60 - len);
    else
        rnd_bytes(f + len, 60 - len);
    return 60;
}

/* Destination MAC for frames meant to pass the address filter. */
static const uint8_t *good_dst(void)
{
    return chance(25) ? BCAST_MAC : cfg.mac;
}

static size_t build_arp(uint8_t *f, const uint8_t *dst, unsigned oper, uint32_t tpa)
{
    eth_header(f, dst, 0x0806);
    uint8_t *a = f + 14;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, oper);
    memcpy(a + 8, peer_mac, 6);
    put32(a + 14, peer_ip);
    if (oper == 1 && chance(80))
        memset(a + 18, 0, 6);
    else
        rnd_bytes(a + 18, 6);
    put32(a + 24, tpa);
    return pad60(f, 42);
}

/* IPv4 header at p (IHL ihl, options random or NOPs) in front of l4len payload bytes. */
static void ip_header(uint8_t *p, unsigned ihl, size_t l4len, unsigned proto, uint32_t dst)
{
    p[0] = (uint8_t)(0x40 | ihl);
    p[1] = chance(80) ? 0 : (uint8_t)rng64();
    put16(p + 2, (uint32_t)(ihl * 4 + l4len));
    put16(p + 4, (uint32_t)rng64());
    put16(p + 6, chance(30) ? 0x4000 : 0);
    p[8] = (uint8_t)rnd_range(1, 255);
    p[9] = (uint8_t)proto;
    put16(p + 10, 0);
    put32(p + 12, peer_ip);
    put32(p + 16, dst);
    if (ihl > 5) {
        if (chance(50))
            memset(p + 20, 1, (ihl - 5) * 4u);
        else
            rnd_bytes(p + 20, (ihl - 5) * 4u);
    }
    put16(p + 10, csum_field(p, ihl * 4u));
}

static void ip_recsum(uint8_t *p)
{
    unsigned ihl = p[0] & 15u;
    put16(p + 10, 0);
    put16(p + 10, csum_field(p, ihl * 4u));
}

static size_t echo_payload_len(void)
{
    unsigned r = rnd(100);
    if (r < 3)
        return 1472;
    if (r < 55)
        return rnd(65);
    if (r < 85)
        return rnd_range(65, 512);
    return rnd_range(513, 1472);
}

/* ICMP message (type, code 0, id, seq, payload) at p, checksum filled in. */
static void icmp_msg(uint8_t *p, unsigned type, size_t payload)
{
    p[0] = (uint8_t)type;
    p[1] = 0;
    put16(p + 2, 0);
    rnd_bytes(p + 4, 4 + payload);
    put16(p + 2, csum_field(p, 8 + payload));
}

/* Echo request (or another ICMP type) over IPv4 with IHL ihl. Capped to a 1514-byte frame. */
static size_t build_icmp(uint8_t *f, const uint8_t *dmac, uint32_t dst, unsigned type,
                         size_t payload, unsigned ihl)
{
    size_t hdr = 14 + ihl * 4u;
    if (hdr + 8 + payload > 1514)
        payload = 1514 - hdr - 8;
    eth_header(f, dmac, 0x0800);
    icmp_msg(f + hdr, type, payload);
    ip_header(f + 14, ihl, 8 + payload, 1, dst);
    return pad60(f, hdr + 8 + payload);
}

/* IPv4 with a random L4 payload of another protocol. */
static size_t build_ip_other(uint8_t *f, const uint8_t *dmac, uint32_t dst, unsigned proto)
{
    size_t l4 = chance(70) ? rnd(100) : rnd_range(100, 1480);
    eth_header(f, dmac, 0x0800);
    rnd_bytes(f + 34, l4);
    ip_header(f + 14, 5, l4, proto, dst);
    return pad60(f, 34 + l4);
}

/* A TCP segment with a correct checksum, sometimes after IPv4 options, then (sometimes) one
 * defect: a flipped checksum bit, a data offset under 5 or past the segment, or a segment too
 * short for a header. */
static size_t build_tcp(uint8_t *f, const uint8_t *dmac, uint32_t dst)
{
    size_t payload = chance(50) ? rnd(64) : rnd_range(64, 1460);
    unsigned doff = chance(70) ? 5 : rnd_range(5, 15);
    unsigned ihl = chance(75) ? 5 : rnd_range(6, 15);
    size_t seg = doff * 4u + payload;
    if (seg > 1500 - ihl * 4u)
        seg = 1500 - ihl * 4u;
    eth_header(f, dmac, 0x0800);
    uint8_t *t = f + 14 + ihl * 4u;
    rnd_bytes(t, seg);
    t[12] = (uint8_t)(doff << 4 | (t[12] & 0x0f));
    unsigned defect = rnd(10);
    if (defect == 1)
        t[12] = (uint8_t)(rnd(5) << 4 | (t[12] & 0x0f));
    if (defect == 2 && seg < 60)
        t[12] = (uint8_t)(15u << 4 | (t[12] & 0x0f));
    if (defect == 3)
        seg = rnd(20);
    ip_header(f + 14, ihl, seg, 6, dst);
    put16(t + 16, 0);
    uint64_t sum = (uint64_t)ocsum(t, seg) + tcp_pseudo_sum(f + 14, seg);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    if (seg >= 18)
        put16(t + 16, (uint32_t)(~sum & 0xffff));
    if (defect == 4 && seg >= 18)
        t[16 + rnd(2)] ^= (uint8_t)(1u << rnd(8));
    return pad60(f, 14 + ihl * 4u + seg);
}

static uint32_t other_ip(void)
{
    uint32_t ip;
    do
        ip = chance(50) ? (cfg.ip & cfg.netmask) | ((uint32_t)rng64() & ~cfg.netmask)
                        : (uint32_t)rng64();
    while (ip == cfg.ip || ip == dev_bcast || ip == 0xffffffffu);
    return ip;
}

static uint32_t bcast_ip(void)
{
    return chance(50) ? 0xffffffffu : dev_bcast;
}

/* A valid frame the device would accept or at least parse deeply. */
static size_t build_base(uint8_t *f)
{
    switch (rnd(6)) {
    case 0: return build_arp(f, good_dst(), 1, cfg.ip);
    case 1: return build_arp(f, good_dst(), 1 + rnd(2), other_ip());
    case 2: return build_icmp(f, good_dst(), bcast_ip(), 8, echo_payload_len(), 5);
    case 3: return build_ip_other(f, good_dst(), cfg.ip, chance(50) ? 6 : 17);
    default: return build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), 5);
    }
}

/* Burst: plen bytes of 0x55, the SFD, the frame, its FCS. */
static size_t wrap(uint8_t *b, const uint8_t *f, size_t len, size_t plen)
{
    memset(b, 0x55, plen);
    b[plen] = 0xd5;
    memcpy(b + plen + 1, f, len);
    uint32_t fcs = wire_crc32(f, len);
    for (unsigned i = 0; i < 4; i++)
        b[plen + 1 + len + i] = (uint8_t)(fcs >> (8 * i));
    return plen + 1 + len + 4;
}

/* Fix the IPv4 header and ICMP checksums of a mutated frame where they can be located. */
static void fix_checksums(uint8_t *f, size_t len, bool ip, bool icmp)
{
    if (len < 34 || get16(f + 12) != 0x0800)
        return;
    uint8_t *p = f + 14;
    unsigned ihl = p[0] & 15u;
    if (ihl < 5 || 14 + ihl * 4u > len)
        return;
    if (icmp && p[9] == 1) {
        size_t tl = get16(p + 2);
        if (tl >= ihl * 4u + 4 && 14 + tl <= len) {
            uint8_t *ic = p + ihl * 4u;
            put16(ic + 2, 0);
            put16(ic + 2, csum_field(ic, tl - ihl * 4u));
        }
    }
    if (ip)
        ip_recsum(p);
}

static void gen_burst(struct burst *bu, unsigned g)
{
    static uint8_t f[FRAME_CAP];
    size_t len = 0;
    uint8_t *b = bu->data;
    bu->er_at = -1;
    bu->gen = (int)g;
    new_peer();
    switch (g) {
    case G_ARP_REQ_OURS:
        len = build_arp(f, good_dst(), 1, cfg.ip);
        break;
    case G_ARP_REQ_OTHER:
        len = build_arp(f, good_dst(), 1, chance(10) ? dev_bcast : other_ip());
        break;
    case G_ARP_REPLY:
        len = build_arp(f, good_dst(), chance(80) ? 2 : rnd_range(3, 65535),
                        chance(50) ? cfg.ip : other_ip());
        break;
    case G_ARP_BAD:
        len = build_arp(f, good_dst(), 1, cfg.ip);
        switch (rnd(5)) {
        case 0: put16(f + 14, rnd_range(2, 65535)); break;                    /* htype */
        case 1: put16(f + 16, chance(50) ? 0x86dd : (uint32_t)rng64() ^ 0x0800); break;
        case 2: f[18] = (uint8_t)(6 ^ rnd_range(1, 255)); break;             /* hlen */
        case 3: f[19] = (uint8_t)(4 ^ rnd_range(1, 255)); break;             /* plen */
        default: put16(f + 14, 6); f[18] = (uint8_t)rnd(256); f[19] = (uint8_t)rnd(256); break;
        }
        if (get16(f + 14) == 1 && get16(f + 16) == 0x0800 && f[18] == 6 && f[19] == 4)
            f[18] = 7;
        break;
    case G_ARP_TRUNC: {
        /* A request for us cut short on the wire (a runt), with or without a fresh FCS. */
        len = build_arp(f, good_dst(), 1, cfg.ip);
        size_t n = rnd_range(14, 63);
        if (chance(50) && n >= 18) {
            bu->len = wrap(b, f, n - 4, 7);
        } else {
            bu->len = wrap(b, f, len, 7);
            bu->len = 8 + n;
        }
        return;
    }
    case G_ECHO_OURS:
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), 5);
        if (chance(10))
            f[35] = (uint8_t)rnd_range(1, 255), fix_checksums(f, len, false, true); /* code */
        if (chance(5)) { /* from an address that names no single host: no reply */
            static const uint32_t non_hosts[] = { 0, 0xffffffffu, 0xe0000001u, 0xefffffffu };
            put32(f + 26, chance(25) ? dev_bcast : non_hosts[rnd(4)]);
            ip_recsum(f + 14);
        }
        break;
    case G_ECHO_BCAST:
        len = build_icmp(f, good_dst(), bcast_ip(), 8, echo_payload_len(), 5);
        break;
    case G_ECHO_OTHER:
        len = build_icmp(f, good_dst(), chance(10) ? (cfg.ip & cfg.netmask) : other_ip(), 8,
                         echo_payload_len(), 5);
        break;
    case G_IP_VERSION:
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), 5);
        f[14] = (uint8_t)((f[14] & 15) | (rnd_range(5, 19) & 15) << 4);
        if ((f[14] >> 4) == 4)
            f[14] = 0x65;
        ip_recsum(f + 14);
        break;
    case G_IP_IHL_SHORT:
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), 5);
        f[14] = (uint8_t)(0x40 | rnd(5));
        if (chance(50)) {
            put16(f + 24, 0);
            put16(f + 24, csum_field(f + 14, 20));
        }
        break;
    case G_IP_OPTIONS:
        len = build_icmp(f, good_dst(), chance(80) ? cfg.ip : bcast_ip(), chance(80) ? 8 : 0,
                         echo_payload_len(), rnd_range(6, 15));
        break;
    case G_IP_TL_SMALL: {
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), chance(80) ? 5 : 6);
        unsigned ihl = f[14] & 15u;
        put16(f + 16, rnd(ihl * 4));
        ip_recsum(f + 14);
        break;
    }
    case G_IP_TL_LARGE: {
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), 5);
        uint32_t min = (uint32_t)(len - 14 + 1);
        put16(f + 16, chance(50) ? min + rnd(4) : rnd_range(min, 65535));
        ip_recsum(f + 14);
        break;
    }
    case G_IP_CSUM:
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), chance(90) ? 5 : 7);
        f[14 + 10 + rnd(2)] ^= (uint8_t)rnd_range(1, 255);
        break;
    case G_IP_FRAG: {
        len = build_icmp(f, good_dst(), cfg.ip, 8, echo_payload_len(), 5);
        uint32_t fl = get16(f + 20) & 0x4000;
        switch (rnd(3)) {
        case 0: fl |= 0x2000; break;
        case 1: fl |= rnd_range(1, 0x1fff); break;
        default: fl |= 0x2000 | rnd_range(1, 0x1fff); break;
        }
        put16(f + 20, fl);
        ip_recsum(f + 14);
        break;
    }
    case G_IP_TCP:
    case G_IP_UDP:
        len = build_ip_other(f, good_dst(), chance(80) ? cfg.ip : bcast_ip(),
                             g == G_IP_TCP ? 6 : 17);
        break;
    case G_TCP_SEGMENT:
        len = build_tcp(f, good_dst(), chance(85) ? cfg.ip : bcast_ip());
        break;
    case G_IP_PROTO: {
        unsigned proto;
        do
            proto = rnd(256);
        while (proto == 1);
        len = build_ip_other(f, good_dst(), cfg.ip, proto);
        break;
    }
    case G_ICMP_CSUM:
        len = build_icmp(f, good_dst(), chance(80) ? cfg.ip : bcast_ip(), 8,
                         echo_payload_len(), 5);
        f[34 + rnd((unsigned)(get16(f + 16) - 20))] ^= (uint8_t)(1u << rnd(8));
        break;
    case G_ICMP_TYPE: {
        unsigned type;
        do
            type = chance(50) ? (unsigned)"\x00\x03\x05\x0b\x0d\x0e\x11"[rnd(7)] : rnd(256);
        while (type == 8);
        len = build_icmp(f, good_dst(), chance(80) ? cfg.ip : bcast_ip(), type,
                         echo_payload_len(), 5);
        break;
    }
    case G_DST_MAC: {
        len = build_base(f);
        switch (rnd(4)) {
        case 0: rnd_bytes(f, 6); f[0] &= 0xfe; break;
        case 1: f[0] = 0x01; f[1] = 0x00; f[2] = 0x5e; rnd_bytes(f + 3, 3); f[3] &= 0x7f; break;
        case 2: f[0] = 0x33; f[1] = 0x33; rnd_bytes(f + 2, 4); break;
        default:
            memcpy(f, chance(50) ? cfg.mac : BCAST_MAC, 6);
            f[rnd(6)] ^= (uint8_t)(1u << rnd(8));
            break;
        }
        if (mac_is(f, cfg.mac) || mac_is(f, BCAST_MAC))
            f[5] ^= 0x10;
        break;
    }
    case G_ETHERTYPE: {
        len = build_base(f);
        static const uint16_t types[] = {0x86dd, 0x8100, 0x88a8, 0x88cc, 0x8035, 0x0801,
                                         0x0805, 0x0807, 0x0900, 0x0000, 0x0600, 0xffff};
        uint32_t t = chance(70) ? types[rnd(sizeof types / sizeof types[0])] : rnd(65536);
        if (t == 0x0800 || t == 0x0806)
            t = 0x86dd;
        put16(f + 12, t);
        break;
    }
    case G_RUNT: {
        len = build_base(f);
        size_t n = chance(20) ? 63 : rnd(64); /* bytes after the SFD */
        if (n >= 5 && chance(50)) {
            bu->len = wrap(b, f, n - 4, 7);
        } else {
            bu->len = wrap(b, f, len, 7);
            bu->len = 8 + n;
        }
        return;
    }
    case G_BAD_FCS:
        len = build_base(f);
        bu->len = wrap(b, f, len, 7);
        if (chance(50))
            b[bu->len - 1 - rnd(4)] ^= (uint8_t)rnd_range(1, 255);
        else
            b[8 + rnd((uint32_t)len)] ^= (uint8_t)(1u << rnd(8));
        return;
    case G_RX_ER:
        len = build_base(f);
        if (chance(20)) { /* too long: RX_ER does not matter */
            size_t longer = rnd_range(1515, 2000);
            rnd_bytes(f + len, longer - len);
            len = longer;
        }
        bu->len = wrap(b, f, len, 7);
        bu->er_at = (int)rnd_range(8, (uint32_t)bu->len - 1);
        return;
    case G_NO_SFD: {
        size_t plen = rnd(8);
        size_t n = chance(10) ? 0 : chance(80) ? rnd(1600) : rnd_range(1600, 9100);
        if (plen + n == 0)
            plen = 1;
        memset(b, 0x55, plen);
        if (chance(50)) {
            len = build_base(f);
            for (size_t i = 0; i < n; i++)
                b[plen + i] = i < len ? f[i] : (uint8_t)rng64();
        } else {
            rnd_bytes(b + plen, n);
        }
        for (size_t i = 0; i < plen + n; i++)
            if (b[i] == 0xd5)
                b[i] = 0xd4;
        bu->len = plen + n;
        return;
    }
    case G_PREAMBLE:
        len = build_base(f);
        bu->len = wrap(b, f, len, chance(50) ? rnd_range(1, 6) : rnd_range(8, 15));
        return;
    case G_OVERSIZE: {
        len = build_base(f);
        size_t n; /* bytes after the SFD */
        switch (rnd(5)) {
        case 0: n = 1518; break;
        case 1: n = 1519; break;
        case 2: n = 9018; break;
        default: n = rnd_range(1519, 9018); break;
        }
        rnd_bytes(f + len, n - 4 - len);
        bu->len = wrap(b, f, n - 4, 7);
        if (chance(20))
            b[bu->len - 1] ^= 0x01;
        return;
    }
    case G_MUTATE: {
        len = build_base(f);
        unsigned k = rnd_range(1, 4);
        for (unsigned i = 0; i < k; i++) {
            size_t pos = chance(80) ? rnd(len < 46 ? (uint32_t)len : 46) : rnd((uint32_t)len);
            if (chance(50))
                f[pos] ^= (uint8_t)(1u << rnd(8));
            else
                f[pos] = (uint8_t)rng64();
        }
        fix_checksums(f, len, chance(60), chance(60));
        break;
    }
    case G_GARBAGE:
        len = rnd_range(60, 1514);
        rnd_bytes(f, len);
        if (chance(40))
            memcpy(f, good_dst(), 6);
        if (chance(30))
            put16(f + 12, chance(50) ? 0x0800 : 0x0806);
        break;
    default:
        fprintf(stderr, "test_rx_fuzz: internal error: generator %u\n", g);
        exit(2);
    }
    bu->len = wrap(b, f, len, 7);
}

static unsigned pick_gen(void)
{
    static unsigned total;
    if (total == 0)
        for (unsigned g = 0; g < G_COUNT; g++)
            total += gens[g].weight;
    unsigned r = rnd(total);
    for (unsigned g = 0; g < G_COUNT; g++) {
        if (r < gens[g].weight)
            return g;
        r -= gens[g].weight;
    }
    return G_GARBAGE;
}

/* ------------------------------------------------------------------------------------------ */
/* The harness around one model: expected replies, transmit checks, failures. */

struct expect {
    enum reply kind;
    uint64_t index;
    size_t len;
    uint8_t req[1514];
};

struct harness {
    const char *name;
    struct vboard *vb;
    struct expect exp[EXP_CAP];
    unsigned exp_head, exp_n;
    uint64_t tally[TOE_STAT_COUNT]; /* what the counters must read */
    uint64_t tx_frames;
    unsigned failures;
    struct pcap_writer *pcap;
    uint64_t pcap_rx;
    uint64_t last_tx_end; /* core cycle the previous transmit burst ended, 0 before the first */
    bool allow_drops; /* requests may go unanswered (counted in dropped), see back_to_back */
    uint64_t dropped;
};

static unsigned total_failures;

static void failf(struct harness *h, const char *fmt, ...)
{
    h->failures++;
    total_failures++;
    if (total_failures > MAX_REPORTS * 4)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "FAIL %s: ", h->name);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static void hexdump(const char *what, const uint8_t *p, size_t len)
{
    printf("  %s (%zu bytes):", what, len);
    size_t show = len > 1600 ? 1600 : len;
    for (size_t i = 0; i < show; i++) {
        if (i % 32 == 0)
            printf("\n    %04zx ", i);
        printf("%02x", p[i]);
    }
    if (show < len)
        printf("\n    ... (%zu more)", len - show);
    printf("\n");
}

static const char *verdict_name(int v)
{
    if (v == -1)
        return "(no verdict counter moved)";
    if (v == -2)
        return "(several verdict counters moved)";
    if (v < 0 || v >= TOE_STAT_COUNT)
        return "?";
    return toe_stat_names[v];
}

static void exp_push(struct harness *h, enum reply kind, uint64_t index, const uint8_t *f,
                     size_t len)
{
    if (h->exp_n == EXP_CAP) {
        fprintf(stderr, "test_rx_fuzz: internal error: expected-reply queue full\n");
        exit(2);
    }
    struct expect *e = &h->exp[(h->exp_head + h->exp_n) % EXP_CAP];
    e->kind = kind;
    e->index = index;
    e->len = len > sizeof e->req ? sizeof e->req : len;
    memcpy(e->req, f, e->len);
    h->exp_n++;
}

/* Compare a transmitted frame with the reply the request asks for. NULL if right. */
static const char *check_reply(const struct expect *e, const uint8_t *t, size_t tlen)
{
    const uint8_t *q = e->req;
    if (e->kind == REPLY_ARP) {
        uint8_t want[42];
        memcpy(want, q + 22, 6);       /* to the sender hardware address */
        memcpy(want + 6, cfg.mac, 6);
        put16(want + 12, 0x0806);
        put16(want + 14, 1);
        put16(want + 16, 0x0800);
        want[18] = 6;
        want[19] = 4;
        put16(want + 20, 2);
        memcpy(want + 22, cfg.mac, 6);
        put32(want + 28, cfg.ip);
        memcpy(want + 32, q + 22, 10); /* target = requester's sha and spa */
        if (tlen != 60)
            return "ARP reply is not a 60-byte frame";
        for (unsigned i = 0; i < 42; i++)
            if (t[i] != want[i]) {
                static char msg[96];
                snprintf(msg, sizeof msg, "ARP reply byte %u is %02x, expected %02x", i, t[i],
                         want[i]);
                return msg;
            }
        return NULL;
    }
    const uint8_t *qi = q + 14, *ti = t + 14;
    size_t tl = get16(qi + 2);
    size_t want_len = 14 + tl < 60 ? 60 : 14 + tl;
    if (tlen != want_len)
        return "echo reply frame length is not 14 + request total length (padded to 60)";
    if (!mac_is(t, q + 6))
        return "echo reply destination MAC is not the request's source MAC";
    if (!mac_is(t + 6, cfg.mac))
        return "echo reply source MAC is not ours";
    if (get16(t + 12) != 0x0800)
        return "echo reply ethertype is not IPv4";
    if (ti[0] != 0x45)
        return "echo reply version/IHL is not 0x45";
    if (get16(ti + 2) != tl)
        return "echo reply total length differs from the request's";
    if (get16(ti + 6) & 0xbfff)
        return "echo reply has MF, an offset or the reserved flag";
    if (ti[8] == 0)
        return "echo reply TTL is 0";
    if (ti[9] != 1)
        return "echo reply protocol is not ICMP";
    if (!csum_ok(ti, 20))
        return "echo reply IPv4 header checksum is wrong";
    if (get32(ti + 12) != cfg.ip)
        return "echo reply source IP is not ours";
    if (get32(ti + 16) != get32(qi + 12))
        return "echo reply destination IP is not the request's source IP";
    const uint8_t *qc = qi + 20, *tc = ti + 20;
    if (tc[0] != 0)
        return "echo reply ICMP type is not 0";
    if (tc[1] != 0 && tc[1] != qc[1])
        return "echo reply ICMP code is neither 0 nor the request's";
    if (!csum_ok(tc, tl - 20))
        return "echo reply ICMP checksum is wrong";
    if (tl - 20 > 4 && memcmp(tc + 4, qc + 4, tl - 24) != 0)
        return "echo reply id/seq/payload differ from the request's";
    return NULL;
}

static void drain_tx(struct harness *h)
{
    static uint8_t buf[VBOARD_MAX_BURST + 64];
    size_t len;
    bool er;
    int rc;
    while ((rc = vboard_gmii_tx(h->vb, buf, sizeof buf, &len, &er)) != -1) {
        if (rc == -2) {
            failf(h, "transmit burst larger than %zu bytes", sizeof buf);
            continue;
        }
        h->tx_frames++;
        /* vboard_run stops when a burst ends, so now is its end. The next one may start only
         * after a 12-byte gap; a core cycle carries two GMII bytes (one cycle of slack). */
        uint64_t now = vboard_cycles(h->vb);
        if (h->last_tx_end && (now - h->last_tx_end) * 2 + 2 < len + 12)
            failf(h, "transmit burst of %zu bytes ended %" PRIu64 " core cycles after the "
                  "previous one: inter-frame gap under 12 bytes", len, now - h->last_tx_end);
        h->last_tx_end = now;
        const uint8_t *fr;
        size_t flen;
        enum wire_status st = wire_burst_to_frame(buf, len, er, &fr, &flen);
        if (h->pcap && h->pcap_rx < PCAP_SAMPLE)
            pcap_write(h->pcap, vboard_time_ps(h->vb), fr, flen);
        if (h->exp_n == 0) {
            failf(h, "unexpected transmit frame (%s)", wire_status_name(st));
            hexdump("frame", fr, flen);
            continue;
        }
        struct expect *e = &h->exp[h->exp_head];
        const char *why = st == WIRE_OK ? check_reply(e, fr, flen) : wire_status_name(st);
        if (why && st == WIRE_OK) {
            /* Resynchronise on a later request this frame answers: the ones before it got
             * no reply. */
            for (unsigned k = 1; k < h->exp_n; k++) {
                const struct expect *later = &h->exp[(h->exp_head + k) % EXP_CAP];
                if (check_reply(later, fr, flen) == NULL) {
                    for (unsigned j = 0; j < k; j++) {
                        e = &h->exp[h->exp_head];
                        if (h->allow_drops)
                            h->dropped++;
                        else
                            failf(h, "no reply to frame #%" PRIu64 " (%s); the next reply answers "
                              "frame #%" PRIu64, e->index,
                              e->kind == REPLY_ARP ? "ARP request" : "echo request",
                              later->index);
                        h->exp_head = (h->exp_head + 1) % EXP_CAP;
                        h->exp_n--;
                    }
                    e = &h->exp[h->exp_head];
                    why = NULL;
                    break;
                }
            }
        }
        h->exp_head = (h->exp_head + 1) % EXP_CAP;
        h->exp_n--;
        if (why) {
            failf(h, "reply to frame #%" PRIu64 " (%s): %s", e->index,
                  e->kind == REPLY_ARP ? "ARP request" : "echo request", why);
            hexdump("request", e->req, e->len);
            hexdump("reply burst", buf, len);
        }
    }
}

/* Frames the tally sends up the slow path: those whose verdict is in the default HOST_MASK. */
static uint64_t tally_to_host(const struct harness *h)
{
    uint64_t n = 0;
    for (unsigned i = TOE_STAT_RX_ARP_REQ; i <= TOE_STAT_RX_OVERFLOW; i++)
        if (TOE_CONST_HOST_MASK_DEFAULT & (1u << i))
            n += h->tally[i];
    return n;
}

/* The receive counters have counted every frame of the tally. */
static bool counters_caught_up(struct harness *h)
{
    return vboard_stat(h->vb, TOE_STAT_RX_FRAMES) == (uint32_t)h->tally[TOE_STAT_RX_FRAMES] &&
           vboard_stat(h->vb, TOE_STAT_RX_TO_HOST) + vboard_stat(h->vb, TOE_STAT_RX_HOST_DROP) ==
               (uint32_t)tally_to_host(h);
}

/* Run until every queued burst is in, every expected reply is out and the receive counters have
 * caught up (at most SETTLE_CYCLES; check_counters reports a difference), then SETTLE_TAIL more.
 * Fails (and returns false) when that takes more than budget core cycles. Idle cycles are most
 * of the cost of a run, so it runs no more of them than that. */
static bool settle(struct harness *h, uint64_t budget)
{
    uint64_t start = vboard_cycles(h->vb);
    uint64_t last_tx = start;
    while (vboard_rx_pending(h->vb) > 0 || h->exp_n > 0) {
        if (h->allow_drops && vboard_rx_pending(h->vb) == 0 &&
            vboard_cycles(h->vb) - last_tx > 20000) {
            h->dropped += h->exp_n; /* the rest will not be answered */
            h->exp_n = 0;
            break;
        }
        if (vboard_cycles(h->vb) - start > budget) {
            if (vboard_rx_pending(h->vb) > 0)
                failf(h, "model stuck: %u receive bursts still pending after %" PRIu64
                      " core cycles", vboard_rx_pending(h->vb), budget);
            else
                failf(h, "reply to frame #%" PRIu64 " never came (%u missing) within %" PRIu64
                      " core cycles", h->exp[h->exp_head].index, h->exp_n, budget);
            h->exp_n = 0;
            return false;
        }
        uint64_t tx_before = h->tx_frames;
        vboard_run(h->vb, RUN_CHUNK);
        drain_tx(h);
        if (h->tx_frames != tx_before)
            last_tx = vboard_cycles(h->vb);
    }
    uint64_t end = vboard_cycles(h->vb) + SETTLE_CYCLES;
    while (!counters_caught_up(h) && vboard_cycles(h->vb) < end) {
        vboard_run(h->vb, 16);
        drain_tx(h);
    }
    end = vboard_cycles(h->vb) + SETTLE_TAIL;
    while (vboard_cycles(h->vb) < end) {
        vboard_run(h->vb, end - vboard_cycles(h->vb));
        drain_tx(h);
    }
    return true;
}

/* Core cycles a batch may take: GMII moves a byte per two core cycles; allow four times that,
 * for the bursts and their replies, plus a fixed latency allowance. */
static uint64_t budget_for(uint64_t bytes, unsigned frames)
{
    return 2 * (2 * bytes + 40u * frames) + 20000;
}

static void read_stats(struct vboard *vb, uint32_t *s)
{
    for (unsigned i = 0; i < TOE_STAT_COUNT; i++)
        s[i] = vboard_stat(vb, i);
}

/* Counters against the tally; also RX_FRAMES == sum of the verdict counters. */
static bool check_counters(struct harness *h, const char *when)
{
    uint32_t s[TOE_STAT_COUNT];
    read_stats(h->vb, s);
    bool ok = true;
    uint64_t sum = 0;
    for (unsigned i = TOE_STAT_RX_ARP_REQ; i <= TOE_STAT_RX_OVERFLOW; i++)
        sum += s[i];
    if (sum != s[TOE_STAT_RX_FRAMES]) {
        failf(h, "%s: rx_frames %" PRIu32 " != sum of verdict counters %" PRIu64, when,
              s[TOE_STAT_RX_FRAMES], sum);
        ok = false;
    }
    /* Frames whose verdict is in the default HOST_MASK go up the slow path: each is either
     * queued for the host or dropped because the host queue was full (nobody drains it here). */
    uint64_t to_host = tally_to_host(h);
    if (s[TOE_STAT_RX_TO_HOST] + (uint64_t)s[TOE_STAT_RX_HOST_DROP] != to_host) {
        failf(h, "%s: rx_to_host %" PRIu32 " + rx_host_drop %" PRIu32 " != %" PRIu64
              " frames for the host", when, s[TOE_STAT_RX_TO_HOST], s[TOE_STAT_RX_HOST_DROP],
              to_host);
        ok = false;
    }
    if (s[TOE_STAT_LINK_TX_MSGS] > s[TOE_STAT_RX_TO_HOST]) {
        failf(h, "%s: link_tx_msgs %" PRIu32 " > rx_to_host %" PRIu32, when,
              s[TOE_STAT_LINK_TX_MSGS], s[TOE_STAT_RX_TO_HOST]);
        ok = false;
    }
    for (unsigned i = 0; i < TOE_STAT_COUNT; i++) {
        if (i == TOE_STAT_RX_TO_HOST || i == TOE_STAT_RX_HOST_DROP || i == TOE_STAT_LINK_TX_MSGS)
            continue; /* checked above: they depend on how fast the link drains */
        if (s[i] != (uint32_t)h->tally[i]) {
            failf(h, "%s: counter %s is %" PRIu32 ", expected %" PRIu64, when, toe_stat_names[i],
                  s[i], h->tally[i]);
            ok = false;
        }
    }
    return ok;
}

static void describe(const struct burst *bu)
{
    printf("  frame #%" PRIu64 " from generator %s, er_at %d\n", bu->index,
           bu->gen < G_COUNT ? gens[bu->gen].name : "edge", bu->er_at);
    hexdump("GMII burst", bu->data, bu->len);
}

/* Account one burst in the tally and the expected replies; returns the oracle verdict. */
static int account(struct harness *h, const struct burst *bu)
{
    enum reply rep;
    const uint8_t *f;
    size_t flen;
    int v = oracle(bu->data, bu->len, bu->er_at, &rep, &f, &flen);
    h->tally[TOE_STAT_RX_FRAMES]++;
    h->tally[v]++;
    if (rep != REPLY_NONE) {
        exp_push(h, rep, bu->index, f, flen);
        h->tally[TOE_STAT_TX_FRAMES]++;
        h->tally[rep == REPLY_ARP ? TOE_STAT_TX_ARP_REPLY : TOE_STAT_TX_ICMP_REPLY]++;
    }
    if (h->pcap && h->pcap_rx < PCAP_SAMPLE) {
        /* Only bursts with an SFD are frames. A burst without one, written whole, could put
         * the device's MAC where tshark reads the source (six preamble bytes, then a frame to
         * the device) and pass for a frame the device sent. */
        size_t i = 0;
        while (i < bu->len && bu->data[i] == 0x55)
            i++;
        if (i < bu->len && bu->data[i] == 0xd5) {
            size_t n = bu->len - (i + 1);
            n = n >= 4 ? n - 4 : 0;
            if (n > 0)
                pcap_write(h->pcap, vboard_time_ps(h->vb), bu->data + i + 1, n);
        }
        h->pcap_rx++;
    }
    return v;
}

/* One burst on its own: push it, wait for its verdict and reply. Returns the verdict counter
 * that moved (-1 none, -2 several) and checks the reply like the batch path. */
static int run_single(struct harness *h, const struct burst *bu, int *oracle_v)
{
    uint32_t before[TOE_STAT_COUNT], after[TOE_STAT_COUNT];
    read_stats(h->vb, before);
    *oracle_v = account(h, bu);
    if (vboard_gmii_rx(h->vb, bu->data, bu->len, bu->er_at) != 0) {
        failf(h, "vboard_gmii_rx refused a %zu-byte burst", bu->len);
        return -1;
    }
    settle(h, budget_for(bu->len, 1));
    read_stats(h->vb, after);
    int moved = -1;
    for (unsigned i = TOE_STAT_RX_ARP_REQ; i <= TOE_STAT_RX_OVERFLOW; i++) {
        if (after[i] == before[i])
            continue;
        moved = moved == -1 && after[i] == before[i] + 1 ? (int)i : -2;
    }
    return moved;
}

static struct harness *harness_new(const char *name, struct pcap_writer *pcap)
{
    struct harness *h = calloc(1, sizeof *h);
    if (!h) {
        fprintf(stderr, "test_rx_fuzz: out of memory\n");
        exit(2);
    }
    h->name = name;
    h->pcap = pcap;
    h->vb = vboard_new(&cfg);
    if (!h->vb) {
        fprintf(stderr, "test_rx_fuzz: vboard_new failed\n");
        exit(2);
    }
    return h;
}

static void harness_free(struct harness *h)
{
    if (h) {
        vboard_free(h->vb);
        free(h);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Frame-by-frame diagnosis of a batch whose counters disagreed with the oracle. */

/* Created on the first diagnosis and freed last, after the fuzz model: with Verilator 5.006,
 * freeing a model after a newer one was freed deadlocks unless the thread's context is reset
 * (vboard_free does not do that yet). */
static struct harness *diag;

static void diagnose_batch(struct burst *batch, unsigned n)
{
    if (!diag)
        diag = harness_new("diagnosis", NULL);
    struct harness *d = diag;
    unsigned found = 0;
    printf("  replaying the batch frame by frame on a fresh model...\n");
    for (unsigned i = 0; i < n && found < MAX_REPORTS; i++) {
        int ov;
        int rv = run_single(d, &batch[i], &ov);
        if (rv != ov) {
            printf("DISAGREE frame #%" PRIu64 ": oracle %s, RTL %s\n", batch[i].index,
                   verdict_name(ov), verdict_name(rv));
            describe(&batch[i]);
            found++;
        }
    }
    if (found == 0)
        printf("  every frame alone gets the oracle's verdict: the mismatch depends on "
               "back-to-back traffic or model state\n");
}

/* ------------------------------------------------------------------------------------------ */
/* Tests. */

static int edge_count;

static struct burst *edge_burst(struct burst *bu, const uint8_t *f, size_t len, size_t plen)
{
    bu->len = wrap(bu->data, f, len, plen);
    bu->er_at = -1;
    bu->gen = G_EDGE;
    bu->index = (uint64_t)edge_count++;
    return bu;
}

static void edge_check(struct harness *h, struct burst *bu, const char *what)
{
    int ov;
    int rv = run_single(h, bu, &ov);
    if (rv != ov) {
        failf(h, "edge case \"%s\": oracle %s, RTL %s", what, verdict_name(ov),
              verdict_name(rv));
        describe(bu);
    }
}

/* Boundary frames one at a time, so a disagreement names its frame. */
static bool test_rx_fuzz_edge_cases(void)
{
    struct harness *h = harness_new("test_rx_fuzz_edge_cases", NULL);
    static struct burst bu;
    static uint8_t f[FRAME_CAP];
    size_t len;
    new_peer();

    /* Sizes around the MAC limits. */
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 1472, 5);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo, 1518 bytes with FCS");
    rnd_bytes(f + len, 1);
    edge_check(h, edge_burst(&bu, f, len + 1, 7), "echo plus 1 byte: 1519 with FCS");
    edge_burst(&bu, f, len + 1, 7);
    bu.data[bu.len - 1] ^= 1;
    edge_check(h, &bu, "1519 bytes with a bad FCS (too long wins)");
    edge_burst(&bu, f, len + 1, 7);
    bu.er_at = (int)bu.len - 1;
    edge_check(h, &bu, "1519 bytes with RX_ER on the last byte (too long wins)");
    len = build_arp(f, cfg.mac, 1, cfg.ip);
    edge_check(h, edge_burst(&bu, f, 60, 7), "ARP request, 64 bytes with FCS");
    edge_check(h, edge_burst(&bu, f, 59, 7), "ARP request, 63 bytes with FCS (runt)");
    edge_burst(&bu, f, 59, 7);
    bu.data[bu.len - 1] ^= 1;
    edge_check(h, &bu, "runt with a bad FCS (framing wins)");
    edge_burst(&bu, f, 59, 7);
    bu.er_at = 20;
    edge_check(h, &bu, "runt with RX_ER (framing wins)");
    edge_burst(&bu, f, 60, 7);
    bu.er_at = 8;
    edge_check(h, &bu, "RX_ER on the first byte after the SFD");
    edge_burst(&bu, f, 60, 7);
    bu.er_at = (int)bu.len - 1;
    edge_check(h, &bu, "RX_ER on the last FCS byte");
    bu.len = 8;
    bu.er_at = -1;
    edge_check(h, &bu, "preamble and SFD only");
    memset(bu.data, 0x55, 100);
    bu.len = 100;
    edge_check(h, &bu, "100 bytes of preamble, no SFD");
    bu.len = 1;
    edge_check(h, &bu, "a single 0x55 byte");
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 56, 5);
    for (size_t i = 0; i < len; i++)
        if (f[i] == 0xd5)
            f[i] = 0xd4;
    memset(bu.data, 0x55, 7);
    memcpy(bu.data + 7, f, len);
    bu.len = 7 + len;
    edge_check(h, &bu, "echo with the SFD replaced by data");
    memset(f, 0, 9014);
    build_icmp(f, cfg.mac, cfg.ip, 8, 1472, 5);
    edge_check(h, edge_burst(&bu, f, 9014, 7), "9018-byte jumbo echo");
    edge_check(h, edge_burst(&bu, f, 16000, 7), "16009-byte burst");

    /* Preamble lengths: the spec only asks for an SFD. */
    len = build_arp(f, cfg.mac, 1, cfg.ip);
    for (size_t p = 1; p <= 15; p++) {
        char what[64];
        snprintf(what, sizeof what, "ARP request after a %zu-byte preamble", p);
        edge_check(h, edge_burst(&bu, f, len, p), what);
    }

    /* IPv4 total length against the frame. */
    len = build_icmp(f, BCAST_MAC, cfg.ip, 8, 100, 5);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo, total length == frame length - 14");
    put16(f + 16, get16(f + 16) + 1);
    ip_recsum(f + 14);
    edge_check(h, edge_burst(&bu, f, len, 7), "total length one past the frame");
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 0, 5);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo with no payload (padded frame)");
    for (unsigned pl = 1; pl <= 17; pl += 2) {
        len = build_icmp(f, cfg.mac, cfg.ip, 8, pl, 5);
        memset(f + 42 + pl, 0xa5, len - 42 - pl);
        char what[64];
        snprintf(what, sizeof what, "echo, %u-byte payload, pad bytes 0xa5", pl);
        edge_check(h, edge_burst(&bu, f, len, 7), what);
    }
    /* ICMP shorter than its 8-byte header: the spec checks the checksum over total length - 20
     * and the type, nothing more. */
    for (unsigned il = 0; il < 8; il++) {
        len = build_icmp(f, cfg.mac, cfg.ip, 8, 0, 5);
        put16(f + 16, 20 + il);
        ip_recsum(f + 14);
        if (il >= 4) {
            put16(f + 36, 0);
            put16(f + 36, csum_field(f + 34, il));
        }
        char what[64];
        snprintf(what, sizeof what, "echo request with %u bytes of ICMP", il);
        edge_check(h, edge_burst(&bu, f, len, 7), what);
    }
    len = build_ip_other(f, cfg.mac, cfg.ip, 1);
    put16(f + 16, 20);
    ip_recsum(f + 14);
    edge_check(h, edge_burst(&bu, f, len, 7), "ICMP with total length 20 (empty message)");

    /* Flags, addresses, ICMP details. */
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 32, 5);
    put16(f + 20, 0x4000);
    ip_recsum(f + 14);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo with DF");
    put16(f + 20, 0x8000);
    ip_recsum(f + 14);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo with the reserved flag bit");
    put16(f + 20, 0x0001);
    ip_recsum(f + 14);
    edge_check(h, edge_burst(&bu, f, len, 7), "fragment offset 1");
    f[35] = 0x42;
    put16(f + 20, 0);
    ip_recsum(f + 14);
    fix_checksums(f, len, false, true);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo with code 0x42");
    len = build_icmp(f, cfg.mac, dev_bcast, 8, 32, 5);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo to the subnet broadcast");
    len = build_icmp(f, BCAST_MAC, 0xffffffffu, 8, 32, 5);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo to 255.255.255.255");
    len = build_icmp(f, cfg.mac, cfg.ip & cfg.netmask, 8, 32, 5);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo to the network address");
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 32, 6);
    edge_check(h, edge_burst(&bu, f, len, 7), "echo with 4 bytes of options");
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 32, 5);
    f[14] = 0x44;
    edge_check(h, edge_burst(&bu, f, len, 7), "IHL 4");
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 1000, 5);
    put16(f + 36, 0);
    rnd_bytes(f + 38, 1000 + 4);
    memset(f + 42, 0, 1000);
    put16(f + 36, csum_field(f + 34, 1008));
    edge_check(h, edge_burst(&bu, f, len, 7), "echo with 1000 zero bytes");
    for (unsigned pl = 0; pl <= 32; pl += 32) {
        /* The reply's message is all zeros: its checksum must be 0xffff, not 0x0000. */
        len = build_icmp(f, cfg.mac, cfg.ip, 8, pl, 5);
        memset(f + 36, 0, 6 + pl);
        put16(f + 36, csum_field(f + 34, 8 + pl));
        char what[64];
        snprintf(what, sizeof what, "echo with id 0, seq 0 and %u zero bytes", pl);
        edge_check(h, edge_burst(&bu, f, len, 7), what);
    }
    len = build_icmp(f, cfg.mac, cfg.ip, 8, 56, 5);
    put16(f + 12, 0x8100);
    edge_check(h, edge_burst(&bu, f, len, 7), "VLAN-tagged type");

    /* ARP details. */
    new_peer();
    len = build_arp(f, cfg.mac, 1, cfg.ip);
    edge_check(h, edge_burst(&bu, f, len, 7), "ARP request to our unicast MAC");
    put32(f + 28, 0);
    edge_check(h, edge_burst(&bu, f, len, 7), "ARP probe (sender IP 0)");
    len = build_arp(f, BCAST_MAC, 1, cfg.ip);
    memset(f + 6, 0x22, 6); /* Ethernet source differs from the sender hardware address */
    edge_check(h, edge_burst(&bu, f, len, 7), "ARP request, Ethernet source != sha");
    len = build_arp(f, BCAST_MAC, 2, cfg.ip);
    edge_check(h, edge_burst(&bu, f, len, 7), "ARP reply to our IP");
    len = build_arp(f, BCAST_MAC, 1, dev_bcast);
    edge_check(h, edge_burst(&bu, f, len, 7), "ARP request for the subnet broadcast");
    len = build_arp(f, BCAST_MAC, 0x0101, cfg.ip);
    edge_check(h, edge_burst(&bu, f, len, 7), "ARP oper 0x0101");

    bool ok = h->failures == 0 && check_counters(h, "after the edge cases");
    printf("%s test_rx_fuzz_edge_cases (%d frames)\n", ok ? "PASS" : "FAIL", edge_count);
    harness_free(h);
    return ok;
}

/* Worst cases for the frame store and the descriptor queue: 64 back-to-back requests that all
 * need a reply. The spec lets the device drop a frame for lack of store or descriptor space
 * (rx_overflow), so this checks conservation rather than exact tallies: every request is either
 * answered, correctly and in order, or counted in rx_overflow. Drops are reported as a NOTE. */
static bool test_rx_fuzz_back_to_back(void)
{
    struct harness *h = harness_new("test_rx_fuzz_back_to_back", NULL);
    h->allow_drops = true;
    static const char *const names[] = {"1518-byte echoes", "a 1518-byte echo, 15 ARP requests",
                                        "echoes of random sizes", "1518-byte echo, ARP request"};
    uint64_t drops[4] = {0};
    static struct burst batch[BATCH_MAX];
    static uint8_t f[FRAME_CAP];
    for (unsigned pattern = 0; pattern < 4 && h->failures == 0; pattern++) {
        uint64_t bytes = 0;
        for (unsigned i = 0; i < BATCH_MAX; i++) {
            struct burst *bu = &batch[i];
            size_t len;
            new_peer();
            bool big = pattern == 0 || (pattern == 1 && i % 16 == 0) ||
                       (pattern == 3 && i % 2 == 0);
            if (big)
                len = build_icmp(f, cfg.mac, cfg.ip, 8, 1472, 5);
            else if (pattern == 2)
                len = build_icmp(f, cfg.mac, cfg.ip, 8, rnd(1473), 5);
            else
                len = build_arp(f, BCAST_MAC, 1, cfg.ip);
            edge_burst(bu, f, len, 7);
            account(h, bu);
            bytes += bu->len + 12;
            if (vboard_gmii_rx(h->vb, bu->data, bu->len, -1) != 0)
                failf(h, "vboard_gmii_rx refused burst %u", i);
        }
        uint64_t dropped_before = h->dropped;
        settle(h, budget_for(bytes * 2, BATCH_MAX));
        drops[pattern] = h->dropped - dropped_before;
        /* The tally assumed every request answered; move the drops to rx_overflow. */
        uint32_t s[TOE_STAT_COUNT];
        read_stats(h->vb, s);
        uint64_t sum = 0;
        for (unsigned i = TOE_STAT_RX_ARP_REQ; i <= TOE_STAT_RX_OVERFLOW; i++)
            sum += s[i];
        uint64_t answered = (uint64_t)s[TOE_STAT_RX_ARP_REQ] + s[TOE_STAT_RX_ICMP_ECHO];
        uint64_t sent = h->tally[TOE_STAT_RX_FRAMES];
        if (sum != s[TOE_STAT_RX_FRAMES] || s[TOE_STAT_RX_FRAMES] != sent)
            failf(h, "rx_frames %" PRIu32 ", sum of verdicts %" PRIu64 ", frames sent %" PRIu64,
                  s[TOE_STAT_RX_FRAMES], sum, sent);
        if (answered + s[TOE_STAT_RX_OVERFLOW] != sent)
            failf(h, "%" PRIu64 " requests sent, %" PRIu64 " answered + %" PRIu32
                  " rx_overflow", sent, answered, s[TOE_STAT_RX_OVERFLOW]);
        if (s[TOE_STAT_RX_OVERFLOW] != h->dropped)
            failf(h, "rx_overflow %" PRIu32 " but %" PRIu64 " requests got no reply",
                  s[TOE_STAT_RX_OVERFLOW], h->dropped);
        if (s[TOE_STAT_TX_ARP_REPLY] != s[TOE_STAT_RX_ARP_REQ] ||
            s[TOE_STAT_TX_ICMP_REPLY] != s[TOE_STAT_RX_ICMP_ECHO] ||
            s[TOE_STAT_TX_FRAMES] != answered || h->tx_frames != answered)
            failf(h, "replies: tx_arp_reply %" PRIu32 " tx_icmp_reply %" PRIu32 " tx_frames %"
                  PRIu32 " seen %" PRIu64 ", requests answered %" PRIu64,
                  s[TOE_STAT_TX_ARP_REPLY], s[TOE_STAT_TX_ICMP_REPLY], s[TOE_STAT_TX_FRAMES],
                  h->tx_frames, answered);
    }
    bool ok = h->failures == 0;
    for (unsigned p = 0; p < 4; p++)
        if (drops[p])
            printf("NOTE test_rx_fuzz_back_to_back: %s: %" PRIu64 " of 64 requests dropped "
                   "as rx_overflow at line rate\n", names[p], drops[p]);
    printf("%s test_rx_fuzz_back_to_back (4 x 64 requests, %" PRIu64 " dropped)\n",
           ok ? "PASS" : "FAIL", h->dropped);
    harness_free(h);
    return ok;
}

static uint64_t gen_count[G_COUNT];

static bool test_rx_fuzz_random_frames(uint64_t count, struct pcap_writer *pcap, bool verbose,
                                       struct harness **out)
{
    struct harness *h = harness_new("test_rx_fuzz_random_frames", pcap);
    static struct burst batch[BATCH_MAX];
    static struct burst carry;
    bool have_carry = false;
    uint64_t done = 0;
    unsigned batches = 0;
    /* Keep going after a failure (up to MAX_REPORTS), so one bug does not hide the next. */
    while (done < count && h->failures < MAX_REPORTS) {
        unsigned n = rnd_range(1, BATCH_MAX);
        if (n > count - done)
            n = (unsigned)(count - done);
        bool paced = chance(10); /* idle gaps between bursts instead of back-to-back */
        uint64_t bytes = 0;
        unsigned replies = 0;
        for (unsigned i = 0; i < n; i++) {
            struct burst *bu = &batch[i];
            if (have_carry) {
                *bu = carry;
                have_carry = false;
            } else {
                unsigned g = pick_gen();
                gen_count[g]++;
                bu->index = done + i;
                gen_burst(bu, g);
            }
            enum reply rep;
            const uint8_t *fr;
            size_t frl;
            oracle(bu->data, bu->len, bu->er_at, &rep, &fr, &frl);
            if (rep != REPLY_NONE && ++replies > REPLY_LIMIT) {
                carry = *bu; /* first frame of the next batch */
                have_carry = true;
                n = i;
                break;
            }
            account(h, bu);
            bytes += bu->len + 12;
            if (vboard_gmii_rx(h->vb, bu->data, bu->len, bu->er_at) != 0) {
                failf(h, "vboard_gmii_rx refused burst %u of a batch (%zu bytes)", i, bu->len);
                break;
            }
            if (paced) {
                /* Gaps of every phase against the reply being built and sent (up to ~1600
                 * cycles for the longest echo) after a request, short ones elsewhere: idle
                 * cycles cost as much as busy ones. */
                vboard_run(h->vb, rep != REPLY_NONE ? rnd(3000) : rnd(256));
                drain_tx(h);
            }
        }
        settle(h, budget_for(bytes * 2, n));
        if (!check_counters(h, "after a batch")) {
            diagnose_batch(batch, n);
            uint32_t now[TOE_STAT_COUNT]; /* start the next batch from the model's counts */
            read_stats(h->vb, now);
            for (unsigned i = 0; i < TOE_STAT_COUNT; i++)
                h->tally[i] = now[i];
        }
        done += n;
        batches++;
        if (verbose && batches % 200 == 0)
            printf("  %" PRIu64 " frames, %" PRIu64 " core cycles\n", done,
                   vboard_cycles(h->vb));
    }
    bool ok = h->failures == 0;
    printf("%s test_rx_fuzz_random_frames (%" PRIu64 " frames in %u batches, %" PRIu64
           " replies, %" PRIu64 " core cycles)\n",
           ok ? "PASS" : "FAIL", done, batches, h->tx_frames, vboard_cycles(h->vb));
    *out = h;
    return ok;
}

/* Every verdict the generator is meant to reach was reached. */
static bool test_rx_fuzz_coverage(const struct harness *h, uint64_t count)
{
    bool ok = true;
    printf("  verdicts:");
    for (unsigned i = TOE_STAT_RX_ARP_REQ; i <= TOE_STAT_RX_OVERFLOW; i++)
        printf(" %s=%" PRIu64, toe_stat_names[i], h->tally[i]);
    printf("\n");
    if (count >= 20000)
        for (unsigned i = TOE_STAT_RX_ARP_REQ; i < TOE_STAT_RX_OVERFLOW; i++)
            if (h->tally[i] == 0) {
                printf("FAIL test_rx_fuzz_coverage: no frame reached verdict %s\n",
                       toe_stat_names[i]);
                ok = false;
            }
    printf("%s test_rx_fuzz_coverage%s\n", ok ? "PASS" : "FAIL",
           count >= 20000 ? "" : " (not enforced under 20000 frames)");
    return ok;
}

/* After the fuzzing the same model still answers plain pings and ARP. */
static bool test_rx_fuzz_pings_after_fuzz(struct harness *h)
{
    static struct burst bu;
    static uint8_t f[FRAME_CAP];
    h->name = "test_rx_fuzz_pings_after_fuzz";
    unsigned before = h->failures;
    static const size_t sizes[] = {0, 56, 1000, 1472, 56};
    new_peer();
    size_t len = build_arp(f, BCAST_MAC, 1, cfg.ip);
    int ov, rv = run_single(h, edge_burst(&bu, f, len, 7), &ov);
    if (rv != TOE_STAT_RX_ARP_REQ || ov != rv)
        failf(h, "ARP request got verdict %s", verdict_name(rv));
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        len = build_icmp(f, cfg.mac, cfg.ip, 8, sizes[i], 5);
        rv = run_single(h, edge_burst(&bu, f, len, 7), &ov);
        if (rv != TOE_STAT_RX_ICMP_ECHO || ov != rv)
            failf(h, "echo request with %zu bytes got verdict %s", sizes[i], verdict_name(rv));
    }
    bool ok = h->failures == before && check_counters(h, "after the pings");
    printf("%s test_rx_fuzz_pings_after_fuzz\n", ok ? "PASS" : "FAIL");
    return ok;
}

static void usage(void)
{
    fprintf(stderr, "usage: test_rx_fuzz [-s SEED] [-n COUNT] [-p PCAP] [-v]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    /* The process id too: `make test` starts two runs in the same second. */
    uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    uint64_t count = 100000;
    const char *pcap_path = NULL;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], &end, 0);
            if (*end)
                usage();
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            count = strtoull(argv[++i], &end, 0);
            if (*end)
                usage();
        } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            pcap_path = argv[++i];
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = true;
        } else {
            usage();
        }
    }
    /* The generator and the oracle share wire_crc32; check it against the standard vector. */
    if (wire_crc32((const uint8_t *)"123456789", 9) != 0xcbf43926u) {
        printf("FAIL test_rx_fuzz: wire_crc32 is not the IEEE 802.3 CRC-32\n");
        return 1;
    }
    rng_seed(seed);
    config_init();
    printf("test_rx_fuzz: seed %" PRIu64 " (rerun with -s %" PRIu64 "), %" PRIu64
           " frames, device %u.%u.%u.%u/%u broadcast %u.%u.%u.%u mac "
           "%02x:%02x:%02x:%02x:%02x:%02x\n",
           seed, seed, count, cfg.ip >> 24, cfg.ip >> 16 & 255, cfg.ip >> 8 & 255, cfg.ip & 255,
           (unsigned)__builtin_popcount(cfg.netmask), dev_bcast >> 24, dev_bcast >> 16 & 255,
           dev_bcast >> 8 & 255, dev_bcast & 255, cfg.mac[0], cfg.mac[1], cfg.mac[2],
           cfg.mac[3], cfg.mac[4], cfg.mac[5]);
    struct pcap_writer *pcap = NULL;
    if (pcap_path) {
        pcap = pcap_open(pcap_path);
        if (!pcap) {
            fprintf(stderr, "test_rx_fuzz: %s: %s\n", pcap_path, strerror(errno));
            return 2;
        }
    }
    clock_t t0 = clock();
    unsigned passed = 0, failed = 0;
    test_rx_fuzz_edge_cases() ? passed++ : failed++;
    test_rx_fuzz_back_to_back() ? passed++ : failed++;
    struct harness *h = NULL;
    test_rx_fuzz_random_frames(count, pcap, verbose, &h) ? passed++ : failed++;
    test_rx_fuzz_coverage(h, count) ? passed++ : failed++;
    test_rx_fuzz_pings_after_fuzz(h) ? passed++ : failed++;
    if (verbose) {
        printf("  generators:");
        for (unsigned g = 0; g < G_COUNT; g++)
            printf(" %s=%" PRIu64, gens[g].name, gen_count[g]);
        printf("\n");
    }
    harness_free(h);
    harness_free(diag);
    if (pcap && pcap_close(pcap) != 0)
        fprintf(stderr, "test_rx_fuzz: writing %s failed\n", pcap_path);
    printf("test_rx_fuzz: %u passed, %u failed (seed %" PRIu64 ", %.1f s CPU)\n", passed, failed,
           seed, (double)(clock() - t0) / CLOCKS_PER_SEC);
    return failed ? 1 : 0;
}
