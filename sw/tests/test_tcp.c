/* SPDX-License-Identifier: MIT */
/* test_tcp: the host half of TCP against the mock device, state by event: scripted segments
 * from a peer come in as RAW_RX, the device's side as SLOT events and RX_DATA; the checks
 * look at the raw segments the library sends, the slot CSRs it writes, the commands it gives
 * and what the API returns. Device time is moved by hand (timers run on it). After every
 * group the handle must hold no socket the test did not keep (no leaks). */
#include <string.h>
#include <time.h>

#include "mock.h"
#include "tcp.h"

#define PEER 0x0a000202u /* 10.0.2.2, answers ARP in the mock */
#define IRS 0x10000000u
#define RING (1u << MOCK_RING_LOG2)

static struct mock_dev m;
static toe_dev *d;

static uint64_t hs(unsigned i)
{
    uint64_t v[TOE_HSTAT_COUNT];
    size_t got;
    toe_host_stats(d, v, TOE_HSTAT_COUNT, &got);
    return v[i];
}

static void turns(int n)
{
    for (int i = 0; i < n; i++)
        toe_poll(d, 0);
}

/* Move device time forward and let the library see the alarm. */
static void advance(uint64_t us)
{
    m.time_us += us;
    turns(6);
}

struct tseg {
    uint32_t dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    int mss, ws, sack, ts;
    size_t dlen;
    unsigned raw_flags;
    uint8_t ttl, tos;
};

/* Decode the k-th last RAW_TX as a TCP segment; 0 if it is one. */
static int raw_seg(unsigned k, struct tseg *t)
{
    const struct mock_raw *r = mock_raw_back(&m, k);
    memset(t, 0, sizeof(*t));
    if (!r || r->len < 54 || rd16(r->f + 12) != 0x0800 || r->f[23] != 6)
        return -1;
    const uint8_t *ip = r->f + 14, *h = ip + 20;
    t->dst = rd32(ip + 16);
    t->ttl = ip[8];
    t->tos = ip[1];
    t->sport = rd16(h);
    t->dport = rd16(h + 2);
    t->seq = rd32(h + 4);
    t->ack = rd32(h + 8);
    t->flags = h[13];
    t->wnd = rd16(h + 14);
    t->mss = t->ws = -1;
    size_t doff = (size_t)(h[12] >> 4) * 4;
    t->dlen = rd16(ip + 2) - 20 - doff;
    t->raw_flags = r->flags;
    for (size_t i = 20; i < doff;) {
        if (h[i] == 0)
            break;
        if (h[i] == 1) {
            i++;
            continue;
        }
        if (h[i] == 2)
            t->mss = rd16(h + i + 2);
        if (h[i] == 3)
            t->ws = h[i + 2];
        if (h[i] == 4)
            t->sack = 1;
        if (h[i] == 8)
            t->ts = 1;
        i += h[i + 1] ? h[i + 1] : 1;
    }
    return 0;
}

static uint32_t slotf(int slot, unsigned f) { return m.csr[MOCK_SLOT(slot, f)]; }

static const uint8_t OPT_MSS_WS7[8] = {2, 4, 0x05, 0x78, 1, 3, 3, 7}; /* MSS 1400, WS 7 */
static const uint8_t OPT_MSS[4] = {2, 4, 0x05, 0xb4};                 /* MSS 1460 */

struct conn {
    toe_sock *s;
    int slot;
    uint16_t lport;
    uint32_t iss;
};

/* Active open up to ESTABLISHED. */
static int open_active(struct conn *c, const uint8_t *opt, size_t optlen, uint16_t wnd)
{
    memset(c, 0, sizeof(*c));
    if (toe_tcp_socket(d, &c->s))
        return -1;
    int r = toe_tcp_connect(c->s, PEER, 80, 0);
    struct tseg syn;
    if (r != TOE_EAGAIN || raw_seg(0, &syn) || syn.flags != TH_SYN)
        return -1;
    c->lport = syn.sport;
    c->iss = syn.seq;
    mock_tcp_seg(&m, PEER, 80, c->lport, IRS, c->iss + 1, TH_SYN | TH_ACK, wnd, opt, optlen,
                 NULL, 0);
    r = toe_tcp_connect(c->s, PEER, 80, 1000);
    if (r)
        return -1;
    c->slot = c->s->slot;
    return 0;
}

static uint32_t rto_now(const toe_sock *s)
{
    struct toe_tcp_info in;
    toe_tcp_sockinfo(s, &in);
    return in.rto_us;
}

static unsigned nsocks(void)
{
    unsigned n = 0;
    for (toe_sock *s = tcp_get(d)->socks; s; s = s->next)
        n++;
    return n;
}

/* ---- CLOSED and SYN-SENT ------------------------------------------------------------ */

static void test_closed(void)
{
    toe_sock *s;
    unsigned free0 = mock_cmd_count(&m, TOE_CMD_FREE, -1);
    int r = toe_tcp_socket(d, &s);
    CHECK(r == 0 && s && s->state == TOE_TCPS_CLOSED, "test_closed_socket_created");
    CHECK(mock_cmd_count(&m, TOE_CMD_FREE, -1) == free0 + MOCK_SLOTS && tcp_get(d)->nslots == 8 &&
              tcp_get(d)->ring == RING,
          "test_closed_first_socket_frees_every_slot (%u FREE, ring %u)",
          mock_cmd_count(&m, TOE_CMD_FREE, -1) - free0, tcp_get(d)->ring);
    size_t got = 1;
    uint8_t b[4];
    CHECK(toe_tcp_send(s, "x", 1, &got, 0) == TOE_ENOTCONN && got == 0,
          "test_closed_send_enotconn");
    CHECK(toe_tcp_recv(s, b, 4, &got, 0) == TOE_ENOTCONN, "test_closed_recv_enotconn");
    CHECK(toe_tcp_shutdown(s, 0) == TOE_ENOTCONN, "test_closed_shutdown_enotconn");
    CHECK(toe_tcp_recv(s, b, 0, &got, 0) == TOE_EINVAL && toe_tcp_send(NULL, b, 1, &got, 0) ==
              TOE_EINVAL && toe_tcp_connect(s, PEER, 0, 0) == TOE_EINVAL && toe_tcp_listen(s, 0, 1) == TOE_EINVAL,
          "test_closed_bad_arguments_einval");
    CHECK(toe_tcp_setopt(s, 99, 1) == TOE_EINVAL && toe_tcp_setopt(s, TOE_TCP_MIN_RTO, 0) ==
              TOE_EINVAL && toe_tcp_setopt(s, TOE_TCP_NODELAY, 2) == TOE_EINVAL &&
              toe_tcp_setopt(s, TOE_TCP_MIN_RTO, 50) == 0,
          "test_closed_setopt_checks_values");
    int codes[] = {TOE_ECONNREFUSED, TOE_ECONNRESET, TOE_ENOTCONN, TOE_EADDRINUSE, TOE_ENOSLOT,
                   TOE_EISCONN, TOE_EPIPE, TOE_ECONNABORTED, TOE_EADDRNOTAVAIL};
    int ok = 1;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        ok &= strcmp(toe_strerror(codes[i]), "unknown error") != 0 &&
              strcmp(toe_error_name(codes[i]), "TOE_E?") != 0;
    CHECK(ok, "test_closed_new_error_codes_have_text");
    toe_tcp_close(s, 0);

    /* A SYN to a port nobody listens on: RST|ACK acknowledging it. */
    mock_tcp_seg(&m, PEER, 40000, 81, 1234, 0, TH_SYN, 1000, NULL, 0, NULL, 0);
    turns(2);
    struct tseg t;
    CHECK(!raw_seg(0, &t) && t.flags == (TH_RST | TH_ACK) && t.ack == 1235 && t.seq == 0 &&
              t.dport == 40000 && t.sport == 81,
          "test_closed_syn_gets_rst_ack");
    mock_tcp_seg(&m, PEER, 40000, 81, 1234, 777, TH_ACK, 1000, NULL, 0, "x", 1);
    turns(2);
    CHECK(!raw_seg(0, &t) && t.flags == TH_RST && t.seq == 777, "test_closed_ack_gets_rst_seq_ack");
    unsigned n = m.nraw;
    mock_tcp_seg(&m, PEER, 40000, 81, 1234, 777, TH_RST, 1000, NULL, 0, NULL, 0);
    turns(2);
    CHECK(m.nraw == n, "test_closed_rst_not_answered");
    uint64_t bad = hs(TOE_HSTAT_TCP_SEG_BAD);
    uint8_t badopt[4] = {2, 9, 0, 0}; /* option longer than the header */
    mock_tcp_seg(&m, PEER, 40000, 81, 1, 0, TH_SYN, 1000, badopt, 4, NULL, 0);
    turns(2);
    CHECK(hs(TOE_HSTAT_TCP_SEG_BAD) == bad + 1 && m.nraw == n, "test_closed_malformed_options_counted");
}

/* Sources that cannot be a peer (RFC 1122 4.2.3.10, RFC 9293 MUST-63): no SYN-ACK, no RST, no
 * slot or backlog entry, counted; nor can a connect go to such an address (MUST-46). */
static const uint32_t bad_addrs[] = {
    0xffffffffu, /* limited broadcast */
    0x0a0002ffu, /* the subnet broadcast of 10.0.2.15/24 */
    0x00000000u, 0x00010203u, /* 0/8 */
    0xe0000001u, 0xefffffffu, /* multicast */
    0xf0000001u,              /* class E */
    0x7f000001u,              /* loopback */
    0x0a00020fu,              /* our own */
};
#define NBAD (sizeof(bad_addrs) / sizeof(bad_addrs[0]))

static void test_listen_syn_bad_source(void)
{
    toe_sock *l;
    toe_tcp_socket(d, &l);
    toe_tcp_listen(l, 8080, 4);
    unsigned n = m.nraw, open0 = mock_cmd_count(&m, TOE_CMD_OPEN, -1);
    uint64_t bad0 = hs(TOE_HSTAT_TCP_RX_BAD_SOURCE), rst0 = hs(TOE_HSTAT_TCP_RST_TX);
    for (size_t i = 0; i < NBAD; i++) {
        mock_tcp_seg(&m, bad_addrs[i], 40000, 8080, 1000, 0, TH_SYN, 1000, OPT_MSS, 4, NULL, 0);
        mock_tcp_seg(&m, bad_addrs[i], 40000, 81, 1000, 0, TH_SYN, 1000, NULL, 0, NULL, 0);
        mock_tcp_seg(&m, bad_addrs[i], 40000, 81, 1000, 55, TH_ACK, 1000, NULL, 0, "x", 1);
        turns(3);
    }
    CHECK(m.nraw == n && nsocks() == 1 && mock_cmd_count(&m, TOE_CMD_OPEN, -1) == open0 &&
              hs(TOE_HSTAT_TCP_RX_BAD_SOURCE) == bad0 + 3 * NBAD &&
              hs(TOE_HSTAT_TCP_RST_TX) == rst0,
          "test_listen_syn_bad_source_dropped_unanswered (%u sent, %u sockets, %llu counted)",
          m.nraw - n, nsocks(), (unsigned long long)(hs(TOE_HSTAT_TCP_RX_BAD_SOURCE) - bad0));
    /* A host of the subnet, and one behind the gateway, are answered. */
    mock_tcp_seg(&m, 0x0a0002feu, 40000, 8080, 1000, 0, TH_SYN, 1000, OPT_MSS, 4, NULL, 0);
    mock_tcp_seg(&m, 0x08080808u, 40000, 8080, 1000, 0, TH_SYN, 1000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(m.nraw == n + 2 && nsocks() == 3, "test_listen_syn_good_source_answered");
    toe_tcp_close(l, 0);
    turns(3);

    toe_sock *s;
    toe_tcp_socket(d, &s);
    n = m.nraw;
    int ok = 1;
    for (size_t i = 0; i < NBAD; i++) {
        int r = toe_tcp_connect(s, bad_addrs[i], 80, 0);
        ok &= r == TOE_EADDRNOTAVAIL && s->state == TOE_TCPS_CLOSED && s->slot < 0;
        if (r != TOE_EADDRNOTAVAIL)
            printf("  connect to 0x%08x: %s\n", bad_addrs[i], toe_error_name(r));
    }
    CHECK(ok && m.nraw == n && strstr(toe_last_error(d), "own address"),
          "test_closed_connect_bad_destination_eaddrnotavail (%s)", toe_last_error(d));
    toe_tcp_close(s, 0);
    CHECK(nsocks() == 0, "test_listen_bad_source_no_leak (%u sockets)", nsocks());
}

static void test_syn_sent(void)
{
    toe_sock *s;
    toe_tcp_socket(d, &s);
    toe_tcp_setopt(s, TOE_TCP_NODELAY, 1);
    int r = toe_tcp_connect(s, PEER, 80, 0);
    struct tseg t;
    CHECK(r == TOE_EAGAIN && s->state == TOE_TCPS_SYN_SENT, "test_closed_connect_timeout0_eagain");
    CHECK(!raw_seg(0, &t) && t.flags == TH_SYN && t.dst == PEER && t.dport == 80 &&
              t.sport >= 49152 && t.mss == 1460 && t.ws == 0 && !t.sack && !t.ts && t.dlen == 0 &&
              t.raw_flags == (TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4),
          "test_closed_connect_sends_syn_mss_wscale (sport %u mss %d ws %d)", t.sport, t.mss, t.ws);
    CHECK(toe_tcp_connect(s, PEER, 81, 0) == TOE_EISCONN, "test_syn_sent_connect_elsewhere_eisconn");
    struct tseg syn = t;
    /* Unacceptable ACK: RST from SEG.ACK; the attempt goes on. */
    mock_tcp_seg(&m, PEER, 80, syn.sport, IRS, syn.seq + 5, TH_SYN | TH_ACK, 5000, NULL, 0, NULL, 0);
    turns(2);
    CHECK(!raw_seg(0, &t) && t.flags == TH_RST && t.seq == syn.seq + 5 &&
              s->state == TOE_TCPS_SYN_SENT,
          "test_syn_sent_bad_ack_sends_rst");
    /* Resent after the initial RTO of 1 s (device time). */
    uint64_t rs = hs(TOE_HSTAT_TCP_SYN_RETRANS);
    advance(1100000);
    CHECK(hs(TOE_HSTAT_TCP_SYN_RETRANS) == rs + 1 && !raw_seg(0, &t) && t.flags == TH_SYN &&
              t.seq == syn.seq,
          "test_syn_sent_timer_resends_syn");
    /* SYN-ACK without window scale: both shifts 0; the slot is programmed, OPEN, ACK. */
    unsigned open0 = mock_cmd_count(&m, TOE_CMD_OPEN, -1), ack0 = mock_cmd_count(&m, TOE_CMD_ACK, -1);
    mock_tcp_seg(&m, PEER, 80, syn.sport, IRS, syn.seq + 1, TH_SYN | TH_ACK, 5000, OPT_MSS, 4, NULL, 0);
    r = toe_tcp_connect(s, PEER, 80, 1000);
    int sl = s->slot;
    CHECK(r == 0 && s->state == TOE_TCPS_ESTABLISHED && sl >= 0, "test_syn_sent_synack_established");
    CHECK(rto_now(s) == 3000000, "test_syn_sent_timed_out_then_established_rto_3s (%u us)",
          rto_now(s));
    CHECK(slotf(sl, TOE_FIELD_REMOTE_IP) == PEER &&
              slotf(sl, TOE_FIELD_PORTS) == ((uint32_t)syn.sport << 16 | 80) &&
              slotf(sl, TOE_FIELD_MAC_HI) == 0x5255 && slotf(sl, TOE_FIELD_MAC_LO) == 0x0a000202 &&
              slotf(sl, TOE_FIELD_MSS) == 1460 && slotf(sl, TOE_FIELD_SND_UNA) == syn.seq + 1 &&
              slotf(sl, TOE_FIELD_SND_WND) == 5000 && slotf(sl, TOE_FIELD_RCV_NXT) == IRS + 1 &&
              slotf(sl, TOE_FIELD_CWND) == 14600 && slotf(sl, TOE_FIELD_SSTHRESH) > 1000000 &&
              (slotf(sl, TOE_FIELD_FLAGS) & ~TOE_CONST_SF_VALID) == 0,
          "test_syn_sent_synack_programs_slot (MSS 0x%x CWND %u FLAGS 0x%x)",
          slotf(sl, TOE_FIELD_MSS), slotf(sl, TOE_FIELD_CWND), slotf(sl, TOE_FIELD_FLAGS));
    CHECK(mock_cmd_count(&m, TOE_CMD_OPEN, sl) == 1 + open0 - open0 &&
              mock_cmd_count(&m, TOE_CMD_ACK, -1) == ack0 + 1 &&
              (m.cmdlog[m.ncmd - 1] >> 8) == TOE_CMD_ACK && (m.cmdlog[m.ncmd - 2] >> 8) == TOE_CMD_OPEN,
          "test_syn_sent_synack_open_then_ack");
    /* A repeated SYN-ACK once established: answered with an ACK from the device. */
    mock_tcp_seg(&m, PEER, 80, syn.sport, IRS, syn.seq + 1, TH_SYN | TH_ACK, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(mock_cmd_count(&m, TOE_CMD_ACK, -1) == ack0 + 2, "test_established_dup_synack_acked");
    toe_tcp_abort(s);
    CHECK(mock_cmd_count(&m, TOE_CMD_FREE, sl) >= 2 && !raw_seg(0, &t) &&
              t.flags == (TH_RST | TH_ACK) && t.ack == IRS + 1,
          "test_established_abort_rst_and_free (FREE %u, flags 0x%x ack 0x%x)",
          mock_cmd_count(&m, TOE_CMD_FREE, sl), t.flags, t.ack);

    /* RST with an acceptable ACK: refused; the slot was never opened. */
    toe_tcp_socket(d, &s);
    toe_tcp_connect(s, PEER, 80, 0);
    raw_seg(0, &syn);
    open0 = mock_cmd_count(&m, TOE_CMD_OPEN, -1);
    mock_tcp_seg(&m, PEER, 80, syn.sport, 0, syn.seq + 1, TH_RST | TH_ACK, 0, NULL, 0, NULL, 0);
    r = toe_tcp_connect(s, PEER, 80, 1000);
    CHECK(r == TOE_ECONNREFUSED && mock_cmd_count(&m, TOE_CMD_OPEN, -1) == open0 && s->slot < 0,
          "test_syn_sent_rst_refused (%s)", toe_error_name(r));
    toe_tcp_close(s, 0);

    /* No answer at all: the SYN is resent with backoff for 3 minutes (RFC 1122 4.2.3.5,
     * MUST-23), then the attempt ends. */
    toe_tcp_socket(d, &s);
    toe_tcp_connect(s, PEER, 80, 0);
    rs = hs(TOE_HSTAT_TCP_SYN_RETRANS);
    for (int i = 0; i < 89; i++)
        advance(2000000);
    CHECK(s->state == TOE_TCPS_SYN_SENT && hs(TOE_HSTAT_TCP_SYN_RETRANS) == rs + 7,
          "test_syn_sent_resends_for_3_minutes (%s at 178 s, %llu resends)",
          toe_tcp_state_name(s->state), (unsigned long long)(hs(TOE_HSTAT_TCP_SYN_RETRANS) - rs));
    advance(2100000);
    r = toe_tcp_connect(s, PEER, 80, 0);
    CHECK(r == TOE_ECONNABORTED && s->slot < 0 && hs(TOE_HSTAT_TCP_SYN_RETRANS) == rs + 7,
          "test_syn_sent_retries_exhausted_aborted (%s)", toe_error_name(r));
    toe_tcp_close(s, 0);
    /* Caller's timeout: the attempt is abandoned. */
    toe_tcp_socket(d, &s);
    r = toe_tcp_connect(s, PEER, 80, 30);
    CHECK(r == TOE_ETIMEDOUT && s->slot < 0 && s->state == TOE_TCPS_CLOSED,
          "test_syn_sent_caller_timeout_abandons");
    toe_tcp_close(s, 0);
    CHECK(nsocks() == 0, "test_syn_sent_no_leak (%u sockets)", nsocks());
}

/* RFC 6528 ISNs: SipHash-2-4 (the paper's vectors: key 00..0f, message 00 01 .. of n bytes)
 * over the 4-tuple, plus the 4 us device clock. */
static void test_closed_isn_siphash(void)
{
    static const struct {
        size_t n;
        uint64_t h;
    } vec[] = {{0, 0x726fdb47dd0e0e31ull}, {1, 0x74f839c593dc67fdull},
               {8, 0x93f5f5799a932462ull}, {15, 0xa129ca6149be45e5ull},
               {16, 0x3f2acc7f57c29bdbull}, {63, 0x958a324ceb064572ull}};
    uint8_t key[16], msg[64];
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    memcpy(key, msg, 16);
    int ok = 1;
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
        ok &= toe_siphash24(key, msg, vec[i].n) == vec[i].h;
    CHECK(ok, "test_closed_siphash24_paper_vectors");
    struct toe_tcp *t = tcp_get(d);
    uint8_t saved[16];
    memcpy(saved, t->isn_key, 16);
    uint64_t now0 = t->now;
    memcpy(t->isn_key, key, 16);
    uint8_t tuple[12];
    wr32(tuple, m.csr[TOE_CSR_IP]);
    wr16(tuple + 4, 5555);
    wr32(tuple + 6, PEER);
    wr16(tuple + 10, 80);
    t->now = 4000;
    uint32_t a = tcp_gen_iss(t, PEER, 5555, 80);
    t->now = 4400;
    uint32_t b = tcp_gen_iss(t, PEER, 5555, 80);
    uint32_t c = tcp_gen_iss(t, PEER, 5556, 80);
    CHECK(a == (uint32_t)toe_siphash24(key, tuple, 12) + 1000 && b - a == 100 && c - b != 0,
          "test_closed_isn_keyed_prf_plus_4us_clock (0x%08x 0x%08x 0x%08x)", a, b, c);
    memcpy(t->isn_key, saved, 16);
    t->now = now0;
}

static void test_closed_bind(void)
{
    toe_sock *s, *s2, *l;
    toe_tcp_socket(d, &s);
    toe_tcp_socket(d, &s2);
    toe_tcp_socket(d, &l);
    CHECK(toe_tcp_bind(NULL, 5000) == TOE_EINVAL && toe_tcp_bind(s, 0) == TOE_EINVAL,
          "test_closed_bind_bad_arguments_einval");
    CHECK(toe_tcp_bind(s, 5000) == 0 && toe_tcp_bind(s, 5001) == TOE_EINVAL,
          "test_closed_bind_twice_einval");
    CHECK(toe_tcp_bind(s2, 5000) == TOE_EADDRINUSE, "test_closed_bind_port_bound_eaddrinuse");
    CHECK(toe_tcp_listen(l, 5000, 1) == TOE_EADDRINUSE && toe_tcp_listen(s, 5001, 1) == TOE_EINVAL,
          "test_closed_listen_on_bound_port_refused");
    CHECK(toe_tcp_listen(l, 8080, 1) == 0 && toe_tcp_bind(s2, 8080) == TOE_EADDRINUSE &&
              toe_tcp_bind(l, 8081) == TOE_EISCONN,
          "test_listen_port_bind_eaddrinuse");
    /* connect from the bound port */
    int r = toe_tcp_connect(s, PEER, 80, 0);
    struct tseg t;
    CHECK(r == TOE_EAGAIN && !raw_seg(0, &t) && t.flags == TH_SYN && t.sport == 5000 &&
              s->lport == 5000,
          "test_closed_bind_connect_uses_port (sport %u)", t.sport);
    CHECK(toe_tcp_bind(s, 5002) == TOE_EISCONN, "test_syn_sent_bind_eisconn");
    /* The same 4-tuple from another socket bound to the port: refused before any SYN. */
    toe_sock *s3;
    toe_tcp_socket(d, &s3);
    s3->bport = 5000; /* as if bound before s connected (bind itself refuses it now) */
    unsigned n = m.nraw;
    r = toe_tcp_connect(s3, PEER, 80, 0);
    CHECK(r == TOE_EADDRINUSE && m.nraw == n && s3->slot < 0,
          "test_closed_connect_bound_tuple_in_use_eaddrinuse (%s)", toe_error_name(r));
    toe_tcp_close(s3, 0);
    /* A failed attempt keeps the port: connect again from it. */
    raw_seg(0, &t);
    mock_tcp_seg(&m, PEER, 80, 5000, 0, t.seq + 1, TH_RST | TH_ACK, 0, NULL, 0, NULL, 0);
    r = toe_tcp_connect(s, PEER, 80, 1000);
    int r2 = toe_tcp_connect(s, PEER, 80, 0);
    CHECK(r == TOE_ECONNREFUSED && r2 == TOE_EAGAIN && !raw_seg(0, &t) && t.flags == TH_SYN &&
              t.sport == 5000,
          "test_syn_sent_rst_bound_port_kept (%s, %s, sport %u)", toe_error_name(r),
          toe_error_name(r2), t.sport);
    /* While s connects from it, the port stays taken. */
    CHECK(toe_tcp_bind(s2, 5000) == TOE_EADDRINUSE, "test_syn_sent_bound_port_stays_taken");
    toe_tcp_close(s, 0);
    CHECK(toe_tcp_bind(s2, 5000) == 0, "test_closed_bind_port_free_after_close");
    toe_tcp_close(s2, 0);
    toe_tcp_close(l, 0);
    CHECK(nsocks() == 0, "test_closed_bind_no_leak (%u sockets)", nsocks());
}

/* ---- simultaneous open: SYN-SENT, a SYN, SYN-RECEIVED ------------------------------- */

/* A socket bound to lport connecting to PEER:7000; the SYN it sent in *syn. */
static toe_sock *connect_bound(uint16_t lport, struct tseg *syn)
{
    toe_sock *s = NULL;
    toe_tcp_socket(d, &s);
    toe_tcp_bind(s, lport);
    if (toe_tcp_connect(s, PEER, 7000, 0) != TOE_EAGAIN || raw_seg(0, syn) ||
        syn->flags != TH_SYN)
        printf("FAIL connect_bound: no SYN\n"), mock_failures++;
    return s;
}

static void test_syn_sent_syn(void)
{
    struct tseg syn, t;
    uint64_t act0 = hs(TOE_HSTAT_TCP_ACTIVE_OPENS), pas0 = hs(TOE_HSTAT_TCP_PASSIVE_OPENS);
    unsigned open0 = mock_cmd_count(&m, TOE_CMD_OPEN, -1);
    toe_sock *s = connect_bound(6000, &syn);
    /* The peer's SYN crosses ours: SYN-RECEIVED, the slot programmed as for a passive open,
     * our SYN-ACK with our ISS, the peer's IRS and our SYN's options. */
    mock_tcp_seg(&m, PEER, 7000, 6000, IRS, 0, TH_SYN, 29200, OPT_MSS_WS7, 8, NULL, 0);
    turns(3);
    int sl = s->slot;
    CHECK(s->state == TOE_TCPS_SYN_RCVD && s->irs == IRS && !raw_seg(0, &t) &&
              t.flags == (TH_SYN | TH_ACK) && t.seq == syn.seq && t.ack == IRS + 1 &&
              t.sport == 6000 && t.dport == 7000 && t.mss == 1460 && t.ws == 0 && !t.sack &&
              !t.ts && t.dlen == 0,
          "test_syn_sent_syn (%s, flags 0x%x seq %s ack 0x%x mss %d ws %d)",
          toe_tcp_state_name(s->state), t.flags, t.seq == syn.seq ? "ISS" : "?", t.ack, t.mss,
          t.ws);
    CHECK(sl >= 0 && mock_cmd_count(&m, TOE_CMD_OPEN, -1) == open0 + 1 &&
              (slotf(sl, TOE_FIELD_FLAGS) & TOE_CONST_SF_SYN_RCVD) &&
              slotf(sl, TOE_FIELD_RCV_NXT) == IRS + 1 && slotf(sl, TOE_FIELD_SND_UNA) == syn.seq + 1 &&
              slotf(sl, TOE_FIELD_SND_WND) == 29200 && slotf(sl, TOE_FIELD_MSS) == (1400u | 7u << 16),
          "test_syn_sent_syn_programs_slot_syn_rcvd (FLAGS 0x%x MSS 0x%x)",
          sl >= 0 ? slotf(sl, TOE_FIELD_FLAGS) : 0, sl >= 0 ? slotf(sl, TOE_FIELD_MSS) : 0);
    uint8_t b[4];
    size_t got;
    CHECK(toe_tcp_connect(s, PEER, 7000, 0) == TOE_EAGAIN &&
              toe_tcp_connect(s, PEER, 7001, 0) == TOE_EISCONN &&
              toe_tcp_recv(s, b, sizeof(b), &got, 0) == TOE_ENOTCONN,
          "test_syn_rcvd_connect_still_connecting");
    /* The SYN-ACK is resent on the SYN timer (device time). */
    uint64_t rs = hs(TOE_HSTAT_TCP_SYN_RETRANS);
    advance(1100000);
    CHECK(hs(TOE_HSTAT_TCP_SYN_RETRANS) == rs + 1 && !raw_seg(0, &t) &&
              t.flags == (TH_SYN | TH_ACK) && t.seq == syn.seq && t.ack == IRS + 1 && t.ws == 0,
          "test_syn_rcvd_timer_resends_synack (flags 0x%x)", t.flags);
    /* The ACK of our SYN-ACK reaches the slot: ESTABLISHED event, connect returns 0. */
    mock_slot_event(&m, sl, TOE_CONST_EVF_ESTABLISHED, syn.seq + 1, 29200 << 7, IRS + 1,
                    TOE_CONST_RTT_NONE);
    int r = toe_tcp_connect(s, PEER, 7000, 1000);
    CHECK(r == 0 && s->state == TOE_TCPS_ESTABLISHED && s->slot == sl &&
              hs(TOE_HSTAT_TCP_ACTIVE_OPENS) == act0 + 1 && hs(TOE_HSTAT_TCP_PASSIVE_OPENS) == pas0,
          "test_syn_rcvd_ack (%s, %s)", toe_error_name(r), toe_tcp_state_name(s->state));
    size_t sent;
    CHECK(toe_tcp_send(s, "hi", 2, &sent, 1000) == 0 && sent == 2, "test_syn_rcvd_ack_then_send");
    toe_tcp_abort(s);

    /* The peer answers our SYN with its SYN-ACK (figure 8, line 6), no window scale in its SYN:
     * none in ours either; the SYN-ACK completes the open, and the host clears the slot's
     * SYN_RCVD (no ACK will come to do it). Nothing more is sent. */
    s = connect_bound(6001, &syn);
    mock_tcp_seg(&m, PEER, 7000, 6001, IRS, 0, TH_SYN, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    sl = s->slot;
    CHECK(s->state == TOE_TCPS_SYN_RCVD && !raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK) &&
              t.ws == -1 && t.mss == 1460 && sl >= 0 && slotf(sl, TOE_FIELD_MSS) == 1460,
          "test_syn_sent_syn_no_wscale_synack_without (ws %d)", t.ws);
    unsigned ack0 = mock_cmd_count(&m, TOE_CMD_ACK, -1), nraw = m.nraw;
    act0 = hs(TOE_HSTAT_TCP_ACTIVE_OPENS);
    mock_tcp_seg(&m, PEER, 7000, 6001, IRS, syn.seq + 1, TH_SYN | TH_ACK, 5000, OPT_MSS, 4, NULL, 0);
    r = toe_tcp_connect(s, PEER, 7000, 1000);
    turns(2);
    struct toe_tcp_info in;
    toe_tcp_sockinfo(s, &in);
    CHECK(r == 0 && s->state == TOE_TCPS_ESTABLISHED &&
              (slotf(sl, TOE_FIELD_FLAGS) & TOE_CONST_SF_SYN_RCVD) == 0 &&
              (slotf(sl, TOE_FIELD_FLAGS) & TOE_CONST_SF_VALID) &&
              hs(TOE_HSTAT_TCP_ACTIVE_OPENS) == act0 + 1,
          "test_syn_rcvd_synack_established (%s, FLAGS 0x%x)", toe_error_name(r),
          slotf(sl, TOE_FIELD_FLAGS));
    CHECK(mock_cmd_count(&m, TOE_CMD_ACK, -1) == ack0 && m.nraw == nraw && in.srtt_us == 0,
          "test_syn_rcvd_synack_nothing_sent_no_rtt_sample (ACK %u raw %u srtt %u)",
          mock_cmd_count(&m, TOE_CMD_ACK, -1) - ack0, m.nraw - nraw, in.srtt_us);
    /* The same SYN-ACK again, now ESTABLISHED: answered with an ACK. */
    mock_tcp_seg(&m, PEER, 7000, 6001, IRS, syn.seq + 1, TH_SYN | TH_ACK, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(mock_cmd_count(&m, TOE_CMD_ACK, -1) == ack0 + 1 && (m.cmdlog[m.ncmd - 1] & 0xff) == (unsigned)sl &&
              s->state == TOE_TCPS_ESTABLISHED,
          "test_established_simopen_dup_synack_acked");
    toe_tcp_abort(s);

    /* SYN and SYN-ACK back to back, before the slot is programmed: the slot opens established
     * and the device sends the ACK of the peer's SYN (no SYN-ACK from us). */
    s = connect_bound(6002, &syn);
    nraw = m.nraw;
    ack0 = mock_cmd_count(&m, TOE_CMD_ACK, -1);
    mock_tcp_seg(&m, PEER, 7000, 6002, IRS, 0, TH_SYN, 5000, OPT_MSS, 4, NULL, 0);
    mock_tcp_seg(&m, PEER, 7000, 6002, IRS, syn.seq + 1, TH_SYN | TH_ACK, 5000, OPT_MSS, 4, NULL, 0);
    r = toe_tcp_connect(s, PEER, 7000, 1000);
    sl = s->slot;
    CHECK(r == 0 && s->state == TOE_TCPS_ESTABLISHED && sl >= 0 &&
              (slotf(sl, TOE_FIELD_FLAGS) & TOE_CONST_SF_SYN_RCVD) == 0 &&
              mock_cmd_count(&m, TOE_CMD_ACK, -1) == ack0 + 1 &&
              (m.cmdlog[m.ncmd - 1] >> 8) == TOE_CMD_ACK &&
              (m.cmdlog[m.ncmd - 2] >> 8) == TOE_CMD_OPEN && m.nraw == nraw,
          "test_syn_rcvd_synack_before_slot_open_acks (%s, raw %u)", toe_error_name(r),
          m.nraw - nraw);
    toe_tcp_abort(s);

    /* An unacceptable SYN-ACK in SYN-RECEIVED (wrong ACK): challenge ACK, still connecting. */
    s = connect_bound(6003, &syn);
    mock_tcp_seg(&m, PEER, 7000, 6003, IRS, 0, TH_SYN, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    sl = s->slot;
    uint64_t ch = hs(TOE_HSTAT_TCP_CHALLENGE_ACK);
    ack0 = mock_cmd_count(&m, TOE_CMD_ACK, -1);
    mock_tcp_seg(&m, PEER, 7000, 6003, IRS, syn.seq + 9, TH_SYN | TH_ACK, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(s->state == TOE_TCPS_SYN_RCVD && hs(TOE_HSTAT_TCP_CHALLENGE_ACK) == ch + 1 &&
              mock_cmd_count(&m, TOE_CMD_ACK, -1) == ack0 + 1 &&
              (m.cmdlog[m.ncmd - 1] & 0xff) == (unsigned)sl,
          "test_syn_rcvd_bad_synack_challenge_ack");
    /* A RST at RCV.NXT: the connection was refused (it came from SYN-SENT). */
    unsigned fr = mock_cmd_count(&m, TOE_CMD_FREE, sl);
    mock_tcp_seg(&m, PEER, 7000, 6003, IRS + 1, 0, TH_RST, 0, NULL, 0, NULL, 0);
    r = toe_tcp_connect(s, PEER, 7000, 1000);
    CHECK(r == TOE_ECONNREFUSED && s->slot < 0 && mock_cmd_count(&m, TOE_CMD_FREE, sl) == fr + 1,
          "test_syn_rcvd_rst_refused (%s)", toe_error_name(r));
    toe_tcp_close(s, 0);

    /* No answer to our SYN-ACKs: given up, RST and FREE. */
    s = connect_bound(6004, &syn);
    mock_tcp_seg(&m, PEER, 7000, 6004, IRS, 0, TH_SYN, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    sl = s->slot;
    for (int i = 0; i < 8; i++)
        advance(64000000);
    r = toe_tcp_connect(s, PEER, 7000, 0);
    CHECK(r == TOE_ECONNABORTED && s->slot < 0 && mock_cmd_count(&m, TOE_CMD_FREE, sl) >= 1 &&
              !raw_seg(0, &t) && (t.flags & TH_RST) && t.sport == 6004,
          "test_syn_rcvd_synack_retries_exhausted_aborted (%s)", toe_error_name(r));
    toe_tcp_close(s, 0);

    /* Closed by the application in SYN-RECEIVED: RST and FREE. */
    s = connect_bound(6005, &syn);
    mock_tcp_seg(&m, PEER, 7000, 6005, IRS, 0, TH_SYN, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    sl = s->slot;
    fr = mock_cmd_count(&m, TOE_CMD_FREE, sl);
    r = toe_tcp_close(s, 0);
    CHECK(r == 0 && mock_cmd_count(&m, TOE_CMD_FREE, sl) == fr + 1 && !raw_seg(0, &t) &&
              t.flags == (TH_RST | TH_ACK) && t.seq == syn.seq + 1 && t.ack == IRS + 1,
          "test_syn_rcvd_close_resets (flags 0x%x)", t.flags);
    turns(2);
    CHECK(nsocks() == 0, "test_syn_rcvd_no_leak (%u sockets)", nsocks());
}

/* ---- ESTABLISHED -------------------------------------------------------------------- */

static void test_established_data(void)
{
    struct conn c;
    int r = open_active(&c, OPT_MSS_WS7, 8, 65535);
    CHECK(r == 0 && slotf(c.slot, TOE_FIELD_MSS) == (1400u | 7u << 16) &&
              slotf(c.slot, TOE_FIELD_SND_WND) == 65535,
          "test_syn_sent_synack_wscale_programmed (MSS 0x%x)", slotf(c.slot, TOE_FIELD_MSS));
    /* send: TX_DATA at TX_END, never more than the ring outstanding. */
    uint8_t buf[3 * RING];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 13 + 7);
    size_t sent = 0;
    unsigned msgs0 = m.tx_data_msgs;
    r = toe_tcp_send(c.s, buf, 3000, &sent, 1000);
    turns(1);
    CHECK(r == 0 && sent == 3000 && m.txlog_len[c.slot] == 3000 &&
              !memcmp(m.txlog[c.slot], buf, 3000) &&
              slotf(c.slot, TOE_FIELD_TX_END) == c.iss + 1 + 3000,
          "test_established_send_tx_data (%zu bytes at the device)", m.txlog_len[c.slot]);
    /* TX_DATA messages end on the ring's 1 KiB boundaries: one per 1 KiB block touched */
    unsigned blocks =
        (c.iss + 3000) / TOE_CONST_SLOT_DATA_MAX - (c.iss + 1) / TOE_CONST_SLOT_DATA_MAX + 1;
    CHECK(m.tx_data_msgs - msgs0 == blocks,
          "test_established_tx_data_on_1k_boundaries (%u messages, %u blocks)",
          m.tx_data_msgs - msgs0, blocks);
    uint32_t bad0 = m.csr[TOE_CSR_STAT_BASE + TOE_STAT_TCP_TX_DATA_BAD];
    r = toe_tcp_send(c.s, buf + 3000, 5000, &sent, 0);
    turns(1);
    CHECK(r == 0 && sent == RING - 3000 && m.txlog_len[c.slot] == RING &&
              m.csr[TOE_CSR_STAT_BASE + TOE_STAT_TCP_TX_DATA_BAD] == bad0,
          "test_established_send_stops_at_ring_room (sent %zu, device %zu, bad %u)", sent,
          m.txlog_len[c.slot], m.csr[TOE_CSR_STAT_BASE + TOE_STAT_TCP_TX_DATA_BAD]);
    size_t s2;
    CHECK(toe_tcp_send(c.s, buf, 10, &s2, 0) == TOE_EAGAIN && s2 == 0,
          "test_established_send_ring_full_eagain");
    /* The peer acknowledges 2000: room for 2000 more; RTT sample moves the RTO. */
    struct toe_tcp_info in;
    toe_tcp_sockinfo(c.s, &in);
    uint32_t srtt0 = in.srtt_us, rttvar0 = in.rttvar_us;
    mock_slot_event(&m, c.slot, 0, c.iss + 1 + 2000, 65535, IRS + 1, 30000);
    size_t off = RING;
    r = toe_tcp_send(c.s, buf + off, 2500, &sent, 0);
    turns(1);
    CHECK(r == 0 && sent == 2000 && m.txlog_len[c.slot] == RING + 2000 &&
              !memcmp(m.txlog[c.slot], buf, RING + 2000),
          "test_established_ack_event_reopens_room (sent %zu)", sent);
    toe_tcp_sockinfo(c.s, &in);
    uint32_t dv = srtt0 > 30000 ? srtt0 - 30000 : 30000 - srtt0;
    CHECK(srtt0 > 0 && in.srtt_us == (7 * srtt0 + 30000) / 8 &&
              in.rttvar_us == (3 * rttvar0 + dv) / 4 && in.rto_us == 200000,
          "test_established_rtt_sample_rfc6298 (srtt %u rttvar %u rto %u)", in.srtt_us,
          in.rttvar_us, in.rto_us);

    /* RX_DATA in order, a duplicate, a gap. */
    uint8_t rx[100], got_b[300];
    for (int i = 0; i < 100; i++)
        rx[i] = (uint8_t)(200 - i);
    mock_rx_data(&m, c.slot, IRS + 1, rx, 60);
    mock_rx_data(&m, c.slot, IRS + 1 + 30, rx + 30, 70); /* overlaps 30 */
    size_t got = 0;
    r = toe_tcp_recv(c.s, got_b, sizeof(got_b), &got, 1000);
    CHECK(r == 0 && got == 100 && !memcmp(got_b, rx, 100) && hs(TOE_HSTAT_TCP_RX_DUP) == 1,
          "test_established_rx_data_in_order_and_overlap (%zu bytes)", got);
    turns(1);
    /* The credit: RX_DATA may go up to RX_CONSUMED + the ring, the end of the receive buffer
     * (TOE_TCP_RXBUF_RINGS rings), sent in steps of a quarter of it. */
    CHECK(slotf(c.slot, TOE_FIELD_RX_CONSUMED) == IRS + 1 + (TOE_TCP_RXBUF_RINGS - 1) * RING &&
              m.rx_consumed_msgs >= 1,
          "test_established_rx_consumed_gives_credit (%#x)",
          (unsigned)slotf(c.slot, TOE_FIELD_RX_CONSUMED));
    unsigned w0 = m.rx_sent_writes;
    uint64_t gap0 = hs(TOE_HSTAT_TCP_RX_GAP);
    mock_rx_data(&m, c.slot, IRS + 1 + 200, rx, 10); /* 100 bytes lost on the link */
    turns(2);
    CHECK(m.rx_sent_writes == w0 + 1 && slotf(c.slot, TOE_FIELD_RX_SENT) == IRS + 101 &&
              hs(TOE_HSTAT_TCP_RX_GAP) == gap0 + 1,
          "test_established_rx_data_gap_writes_rx_sent");
    CHECK(toe_tcp_recv(c.s, got_b, 10, &got, 0) == TOE_EAGAIN, "test_established_recv_nothing_eagain");
    uint64_t bad = hs(TOE_HSTAT_TCP_RX_BAD);
    mock_rx_data(&m, 7, 5, rx, 10); /* a slot nobody has */
    mock_slot_event(&m, 6, 0, 1, 1, 1, TOE_CONST_RTT_NONE);
    turns(2);
    CHECK(hs(TOE_HSTAT_TCP_RX_BAD) == bad + 2, "test_established_data_for_unknown_slot_counted");

    /* RTO: back to SND.UNA with CWND = MSS and SSTHRESH = max(flight/2, 2*MSS). */
    uint64_t rto0 = hs(TOE_HSTAT_TCP_RTO);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_MAX)] = c.iss + 1 + RING + 2000;
    for (int i = 0; i < 4 && hs(TOE_HSTAT_TCP_RTO) == rto0; i++)
        advance(1100000);
    CHECK(hs(TOE_HSTAT_TCP_RTO) == rto0 + 1 && mock_cmd_count(&m, TOE_CMD_RETRANSMIT, c.slot) == 1 &&
              slotf(c.slot, TOE_FIELD_CWND) == 1400 && slotf(c.slot, TOE_FIELD_SSTHRESH) == 2800,
          "test_established_rto_retransmit (cwnd %u ssthresh %u)", slotf(c.slot, TOE_FIELD_CWND),
          slotf(c.slot, TOE_FIELD_SSTHRESH));
    toe_tcp_sockinfo(c.s, &in);
    uint32_t rto_b = in.rto_us;
    CHECK(rto_b >= 400000, "test_established_rto_backoff_doubles (%u us)", rto_b);

    /* A TX_DATA lost on the link: the device's TX_END stays behind; the RTO writes it again. */
    mock_slot_event(&m, c.slot, 0, c.iss + 1 + RING + 2000, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(1);
    m.drop_tx_data = 1;
    r = toe_tcp_send(c.s, buf, 1500, &sent, 1000); /* two messages: the first is lost */
    turns(1);
    CHECK(m.txlog_len[c.slot] == RING + 2000 && m.csr[TOE_CSR_STAT_BASE + TOE_STAT_TCP_TX_DATA_BAD] >= bad0 + 1,
          "test_established_lost_tx_data_rejected_by_device (device %zu bad %u)", m.txlog_len[c.slot],
          m.csr[TOE_CSR_STAT_BASE + TOE_STAT_TCP_TX_DATA_BAD]);
    for (int i = 0; i < 4 && hs(TOE_HSTAT_TCP_TX_RESYNC) == 0; i++)
        advance(1100000);
    turns(1);
    CHECK(hs(TOE_HSTAT_TCP_TX_RESYNC) == 1 && m.txlog_len[c.slot] == RING + 3500 &&
              !memcmp(m.txlog[c.slot] + RING + 2000, buf, 1500),
          "test_established_rto_rewrites_lost_tx_data (%zu at the device)", m.txlog_len[c.slot]);

    /* Zero window with data waiting: no RTO, PROBE commands on the persist timer. */
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_ZERO_WND, c.iss + 1 + RING + 2000, 0, IRS + 1,
                    TOE_CONST_RTT_NONE);
    turns(1);
    CHECK(c.s->zero_wnd && c.s->persist_at && !c.s->rto_at, "test_established_zero_window_persist_armed");
    unsigned pr0 = mock_cmd_count(&m, TOE_CMD_PROBE, c.slot);
    advance(2000000);
    advance(4000000);
    CHECK(mock_cmd_count(&m, TOE_CMD_PROBE, c.slot) >= pr0 + 2 && hs(TOE_HSTAT_TCP_PROBES) >= 2,
          "test_established_zero_window_probes (%u)", mock_cmd_count(&m, TOE_CMD_PROBE, c.slot) - pr0);
    mock_slot_event(&m, c.slot, 0, c.iss + 1 + RING + 3500, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(1);
    CHECK(!c.s->zero_wnd && !c.s->persist_at && !c.s->rto_at, "test_established_window_opens_persist_stops");
    toe_tcp_abort(c.s);
}

/* The peer closes its window while we have nothing to send; data written later is probed
 * (persist, not RTO: RFC 1122 4.2.2.17) for as long as the peer answers the probes, far
 * beyond the user timeout; once it stops answering, the user timeout gives the connection up. */
static void test_established_zero_window_empty_queue_persist(void)
{
    struct conn c;
    open_active(&c, OPT_MSS, 4, 5000);
    mock_slot_event(&m, c.slot, 0, c.iss + 1, 0, IRS + 1, TOE_CONST_RTT_NONE);
    turns(2);
    size_t sent = 0;
    int r = toe_tcp_send(c.s, "abc", 3, &sent, 1000);
    turns(2);
    CHECK(r == 0 && sent == 3 && c.s->persist_at && !c.s->rto_at,
          "test_established_zero_window_empty_queue_send_arms_persist (persist %d rto %d)",
          c.s->persist_at != 0, c.s->rto_at != 0);
    unsigned pr0 = mock_cmd_count(&m, TOE_CMD_PROBE, c.slot), seen = pr0;
    uint64_t rto0 = hs(TOE_HSTAT_TCP_RTO);
    int report = 1;
    for (int i = 0; i < 300 && c.s->state == TOE_TCPS_ESTABLISHED; i++) {
        advance(1000000);
        unsigned pr = mock_cmd_count(&m, TOE_CMD_PROBE, c.slot);
        if (pr != seen) { /* the peer answers each probe: window still 0 */
            seen = pr;
            report &= !!(slotf(c.slot, TOE_FIELD_FLAGS) & TOE_CONST_SF_ACK_REPORT);
            mock_slot_event(&m, c.slot, TOE_CONST_EVF_ACK_SEEN | TOE_CONST_EVF_ZERO_WND,
                            c.iss + 1, 0, IRS + 1, TOE_CONST_RTT_NONE);
            turns(2);
        }
    }
    CHECK(c.s->state == TOE_TCPS_ESTABLISHED && seen >= pr0 + 6 && report &&
              hs(TOE_HSTAT_TCP_RTO) == rto0,
          "test_persist_answered_probes_never_give_up (%s after 300 s, %u probes, report %d)",
          toe_tcp_state_name(c.s->state), seen - pr0, report);
    /* Silence from here: given up once the user timeout (120 s) has passed. */
    uint64_t tmo = hs(TOE_HSTAT_TCP_TIMEOUTS);
    advance(100000000);
    CHECK(c.s->state == TOE_TCPS_ESTABLISHED, "test_persist_unanswered_waits_user_timeout");
    /* The device sent the probe's byte (SND.NXT = SND.UNA + 1) into the zero window. */
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_UNA)] = c.iss + 1;
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_NXT)] = c.iss + 2;
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_WND)] = 0;
    for (int i = 0; i < 6; i++)
        advance(30000000);
    struct tseg t;
    CHECK(c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_ECONNABORTED &&
              hs(TOE_HSTAT_TCP_TIMEOUTS) == tmo + 1 && !raw_seg(0, &t) && (t.flags & TH_RST),
          "test_persist_unanswered_probes_give_up (%s, %s)", toe_tcp_state_name(c.s->state),
          toe_error_name(c.s->err));
    /* Its RST is at the window's edge (SND.UNA here), not at SND.NXT past it: a peer takes a
     * RST only in its window (RFC 5961 3.2), and this one has none. */
    CHECK(t.seq == c.iss + 1, "test_established_zero_window_abort_rst_in_window (seq %+d)",
          (int)(t.seq - c.iss));
    toe_tcp_close(c.s, 0);
    CHECK(nsocks() == 0, "test_persist_no_leak (%u sockets)", nsocks());
}

/* RTO backoff (RFC 6298 5.7, Karn): only a valid RTT sample collapses it, not an ACK that
 * moves SND.UNA; ssthresh is set once per segment the timer resends (RFC 5681 (4)). */

static void rto_fire(uint64_t *n)
{
    for (int i = 0; i < 40 && hs(TOE_HSTAT_TCP_RTO) == *n; i++)
        advance(100000);
    *n = hs(TOE_HSTAT_TCP_RTO);
}

/* Established with 3000 bytes sent and not acknowledged. */
static void open_with_data(struct conn *c)
{
    open_active(c, OPT_MSS, 4, 65535);
    static const uint8_t b[3000];
    size_t sent;
    toe_tcp_send(c->s, b, sizeof b, &sent, 1000);
    turns(2);
}

static void test_established_rto_backoff(void)
{
    struct conn c;
    open_with_data(&c);
    uint32_t r0 = rto_now(c.s), una = c.iss + 1;
    uint64_t n = hs(TOE_HSTAT_TCP_RTO), n0 = n;
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_MAX)] = una + 20000;
    rto_fire(&n);
    CHECK(n == n0 + 1 && rto_now(c.s) == 2 * r0 && slotf(c.slot, TOE_FIELD_SSTHRESH) == 10000,
          "test_established_rto_backs_off (rto %u -> %u, ssthresh %u)", r0, rto_now(c.s),
          slotf(c.slot, TOE_FIELD_SSTHRESH));
    /* An ACK of the resent segment: no RTT sample (Karn), so the backoff stays. */
    una += 1460;
    mock_slot_event(&m, c.slot, 0, una, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(2);
    CHECK(c.s->snd_una == una && rto_now(c.s) == 2 * r0,
          "test_established_ack_without_rtt_sample_keeps_backoff (rto %u)", rto_now(c.s));
    /* The next segment times out: a first RTO for it sets ssthresh again, from its flight. */
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_MAX)] = una + 12000;
    rto_fire(&n);
    uint32_t ss1 = slotf(c.slot, TOE_FIELD_SSTHRESH);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_MAX)] = una + 30000;
    rto_fire(&n);
    CHECK(n == n0 + 3 && ss1 == 6000 && slotf(c.slot, TOE_FIELD_SSTHRESH) == 6000 &&
              rto_now(c.s) == 8 * r0,
          "test_established_rto_ssthresh_once_per_segment (%u, %u, rto %u)", ss1,
          slotf(c.slot, TOE_FIELD_SSTHRESH), rto_now(c.s));
    /* A valid sample: RTO from it, the backoff gone. */
    mock_slot_event(&m, c.slot, 0, una + 100, 65535, IRS + 1, 30000);
    turns(2);
    CHECK(rto_now(c.s) == c.s->rto && c.s->rto <= r0,
          "test_established_rtt_sample_ends_backoff (rto %u)", rto_now(c.s));
    toe_tcp_abort(c.s);
    turns(2);
}

/* The ALARM event of an RTO lost on the link: within TOE_TCP_HOST_CHECK_MS of host time the
 * host asks the device's clock, and the RTO runs all the same. */
static void test_established_rto_alarm_lost(void)
{
    struct conn c;
    open_with_data(&c);
    uint64_t n0 = hs(TOE_HSTAT_TCP_RTO);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_MAX)] = c.iss + 1 + 20000;
    m.drop_alarms = 1;
    m.time_us += rto_now(c.s) + 100000u;
    turns(6);
    int quiet = hs(TOE_HSTAT_TCP_RTO) == n0 && m.drop_alarms == 0;
    for (int i = 0; i < 300 && hs(TOE_HSTAT_TCP_RTO) == n0; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        turns(1);
    }
    CHECK(quiet && hs(TOE_HSTAT_TCP_RTO) == n0 + 1,
          "test_established_rto_alarm_lost_clock_check (quiet %d, %llu RTOs)", quiet,
          (unsigned long long)(hs(TOE_HSTAT_TCP_RTO) - n0));
    m.drop_alarms = 0;
    toe_tcp_abort(c.s);
    turns(2);
}

static void test_established_rst_syn(void)
{
    struct conn c;
    open_active(&c, OPT_MSS, 4, 5000);
    uint8_t rx[50] = {1, 2, 3};
    mock_rx_data(&m, c.slot, IRS + 1, rx, 50);
    turns(1);
    uint64_t ch = hs(TOE_HSTAT_TCP_CHALLENGE_ACK);
    unsigned ack0 = mock_cmd_count(&m, TOE_CMD_ACK, c.slot);
    /* Out of the window: ignored. */
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS - 1000, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(2);
    CHECK(c.s->state == TOE_TCPS_ESTABLISHED && hs(TOE_HSTAT_TCP_CHALLENGE_ACK) == ch,
          "test_established_rst_out_of_window_ignored");
    /* In the window, not exactly RCV.NXT (the device says IRS+51): challenge ACK. */
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_RCV_NXT)] = IRS + 51;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 51 + 100, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(3);
    CHECK(c.s->state == TOE_TCPS_ESTABLISHED && hs(TOE_HSTAT_TCP_CHALLENGE_ACK) == ch + 1 &&
              mock_cmd_count(&m, TOE_CMD_ACK, c.slot) == ack0 + 1,
          "test_established_rst_in_window_challenge_ack");
    /* A SYN: challenge ACK (RFC 5961 4). */
    mock_tcp_seg(&m, PEER, 80, c.lport, 5, 0, TH_SYN, 0, NULL, 0, NULL, 0);
    turns(2);
    CHECK(c.s->state == TOE_TCPS_ESTABLISHED && mock_cmd_count(&m, TOE_CMD_ACK, c.slot) == ack0 + 2,
          "test_established_syn_challenge_ack");
    /* In the window, ahead of what the host has, but exactly the device's RCV.NXT: reset. */
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_RCV_NXT)] = IRS + 81;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 81, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(3);
    CHECK(c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_ECONNRESET,
          "test_established_rst_at_device_rcv_nxt_resets");
    uint8_t b[100];
    size_t got;
    int r1 = toe_tcp_recv(c.s, b, sizeof(b), &got, 0);
    size_t got1 = got;
    int r2 = toe_tcp_recv(c.s, b, sizeof(b), &got, 0);
    CHECK(r1 == 0 && got1 == 50, "test_established_reset_data_then_error");
    CHECK(r2 == TOE_ECONNRESET && toe_tcp_send(c.s, b, 1, &got, 0) == TOE_ECONNRESET,
          "test_established_reset_reported_econnreset");
    CHECK(c.s->slot < 0 && mock_cmd_count(&m, TOE_CMD_FREE, c.slot) >= 1, "test_established_reset_frees_slot");
    toe_tcp_close(c.s, 0);

    /* A RST exactly at RCV.NXT as the host knows it resets at once. */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(3);
    CHECK(c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_ECONNRESET,
          "test_established_rst_exact_resets");
    toe_tcp_close(c.s, 0);
    CHECK(nsocks() == 0, "test_established_no_leak (%u sockets)", nsocks());
}

/* RFC 5961 7: at most N challenge ACKs in a second of device time, the rest counted. */
static void test_established_rst_challenge_ack_limit(void)
{
    CHECK(toe_tcp_set_challenge_ack_limit(NULL, 3) == TOE_EINVAL &&
              toe_tcp_set_challenge_ack_limit(d, -2) == TOE_EINVAL &&
              toe_tcp_set_challenge_ack_limit(d, 1000001) == TOE_EINVAL &&
              toe_tcp_set_challenge_ack_limit(d, -1) == 0 &&
              toe_tcp_set_challenge_ack_limit(d, 0) == 0,
          "test_closed_challenge_ack_limit_checks_values");
    enum { N = 3, K = 2 };
    CHECK(toe_tcp_set_challenge_ack_limit(d, N) == 0, "test_closed_challenge_ack_limit_set");
    struct conn c;
    open_active(&c, OPT_MSS, 4, 5000);
    advance(1100000); /* a second with no challenge ACK before this one */
    uint64_t ch = hs(TOE_HSTAT_TCP_CHALLENGE_ACK), lim = hs(TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED);
    unsigned ack0 = mock_cmd_count(&m, TOE_CMD_ACK, c.slot);
    uint64_t t0 = m.time_us;
    /* N + K RSTs in the window, not at the device's RCV.NXT (IRS + 1). */
    for (int i = 0; i < N + K; i++) {
        mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 100 + (uint32_t)i, 0, TH_RST, 0, NULL, 0, NULL, 0);
        turns(3);
    }
    CHECK(m.time_us - t0 < 1000000 && c.s->state == TOE_TCPS_ESTABLISHED &&
              mock_cmd_count(&m, TOE_CMD_ACK, c.slot) == ack0 + N &&
              hs(TOE_HSTAT_TCP_CHALLENGE_ACK) == ch + N &&
              hs(TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED) == lim + K,
          "test_established_rst_challenge_ack_limited (%u sent, %llu limited, %llu us)",
          mock_cmd_count(&m, TOE_CMD_ACK, c.slot) - ack0,
          (unsigned long long)(hs(TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED) - lim),
          (unsigned long long)(m.time_us - t0));
    /* A SYN in the same second draws on the same budget. */
    mock_tcp_seg(&m, PEER, 80, c.lport, 5, 0, TH_SYN, 0, NULL, 0, NULL, 0);
    turns(2);
    CHECK(mock_cmd_count(&m, TOE_CMD_ACK, c.slot) == ack0 + N &&
              hs(TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED) == lim + K + 1,
          "test_established_syn_challenge_ack_limited");
    /* A second of device time later there is room again. */
    advance(1000000);
    for (int i = 0; i < N + 1; i++) {
        mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 200 + (uint32_t)i, 0, TH_RST, 0, NULL, 0, NULL, 0);
        turns(3);
    }
    CHECK(mock_cmd_count(&m, TOE_CMD_ACK, c.slot) == ack0 + 2 * N &&
              hs(TOE_HSTAT_TCP_CHALLENGE_ACK) == ch + 2 * N &&
              hs(TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED) == lim + K + 2,
          "test_established_rst_challenge_ack_limit_next_second (%u sent)",
          mock_cmd_count(&m, TOE_CMD_ACK, c.slot) - ack0);
    /* -1: no limit. */
    toe_tcp_set_challenge_ack_limit(d, -1);
    for (int i = 0; i < N + K; i++) {
        mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 300 + (uint32_t)i, 0, TH_RST, 0, NULL, 0, NULL, 0);
        turns(3);
    }
    CHECK(mock_cmd_count(&m, TOE_CMD_ACK, c.slot) == ack0 + 3 * N + K &&
              hs(TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED) == lim + K + 2,
          "test_established_rst_challenge_ack_no_limit");
    toe_tcp_set_challenge_ack_limit(d, 0);
    toe_tcp_abort(c.s);
    CHECK(nsocks() == 0, "test_established_challenge_ack_no_leak (%u sockets)", nsocks());
}

/* Keepalive (idle 10 s, probes 2 s apart, 3 of them): each probe sets the slot's ACK_REPORT
 * flag; the device's ACK_SEEN event, data or a new ACK restart the idle time; unanswered
 * probes end the connection with TOE_ETIMEDOUT. */
static void test_established_keepalive(void)
{
    struct conn c;
    toe_sock *x;
    toe_tcp_socket(d, &x);
    int bad = toe_tcp_setopt(x, TOE_TCP_KEEPINTVL, 0) == TOE_EINVAL &&
              toe_tcp_setopt(x, TOE_TCP_KEEPINTVL, 32768) == TOE_EINVAL &&
              toe_tcp_setopt(x, TOE_TCP_KEEPCNT, 0) == TOE_EINVAL &&
              toe_tcp_setopt(x, TOE_TCP_KEEPCNT, 128) == TOE_EINVAL &&
              strstr(toe_last_error(d), "probe count 128") != NULL &&
              toe_tcp_setopt(x, TOE_TCP_KEEPALIVE, -1) == TOE_EINVAL &&
              toe_tcp_setopt(x, TOE_TCP_KEEPALIVE, 604801) == TOE_EINVAL;
    int good = toe_tcp_setopt(x, TOE_TCP_KEEPINTVL, 1) == 0 &&
               toe_tcp_setopt(x, TOE_TCP_KEEPINTVL, 32767) == 0 &&
               toe_tcp_setopt(x, TOE_TCP_KEEPCNT, 1) == 0 &&
               toe_tcp_setopt(x, TOE_TCP_KEEPCNT, 127) == 0 && x->keepintvl_s == 32767 &&
               x->keepcnt == 127;
    CHECK(bad && good, "test_closed_setopt_keepalive_values_checked (%s)", toe_last_error(d));
    toe_tcp_close(x, 0);

    open_active(&c, OPT_MSS, 4, 5000);
    CHECK(c.s->keepintvl_s == 75 && c.s->keepcnt == 9, "test_established_keepalive_defaults_as_linux");
    toe_tcp_setopt(c.s, TOE_TCP_KEEPALIVE, 10);
    toe_tcp_setopt(c.s, TOE_TCP_KEEPINTVL, 2);
    toe_tcp_setopt(c.s, TOE_TCP_KEEPCNT, 3);
    uint64_t ka = hs(TOE_HSTAT_TCP_KEEPALIVES);
    advance(9000000);
    CHECK(hs(TOE_HSTAT_TCP_KEEPALIVES) == ka, "test_established_keepalive_quiet_while_idle_short");
    advance(1100000);
    struct tseg t;
    CHECK(hs(TOE_HSTAT_TCP_KEEPALIVES) == ka + 1 && !raw_seg(0, &t) && t.flags == TH_ACK &&
              t.seq == c.iss && t.ack == IRS + 1 && t.dlen == 0,
          "test_established_idle_keepalive_probe_snd_nxt_minus_1 (seq 0x%x ack 0x%x flags 0x%x)",
          t.seq, t.ack, t.flags);
    CHECK(slotf(c.slot, TOE_FIELD_FLAGS) ==
              (TOE_CONST_SF_VALID | TOE_CONST_SF_NAGLE | TOE_CONST_SF_ACK_REPORT),
          "test_established_keepalive_probe_sets_ack_report (FLAGS 0x%x)",
          slotf(c.slot, TOE_FIELD_FLAGS));
    toe_tcp_setopt(c.s, TOE_TCP_NODELAY, 1);
    CHECK(slotf(c.slot, TOE_FIELD_FLAGS) == (TOE_CONST_SF_VALID | TOE_CONST_SF_ACK_REPORT),
          "test_established_nodelay_keeps_ack_report (FLAGS 0x%x)", slotf(c.slot, TOE_FIELD_FLAGS));

    /* The answer: the idle time starts over (no probe at the interval, one after 10 s). */
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_ACK_SEEN, c.iss + 1, 5000, IRS + 1,
                    TOE_CONST_RTT_NONE);
    advance(2100000);
    advance(2100000);
    CHECK(hs(TOE_HSTAT_TCP_KEEPALIVES) == ka + 1 && c.s->state == TOE_TCPS_ESTABLISHED &&
              c.s->keep_probes == 0,
          "test_established_keepalive_ack_seen_restarts_idle (%llu probes)",
          (unsigned long long)(hs(TOE_HSTAT_TCP_KEEPALIVES) - ka));
    advance(6000000);
    CHECK(hs(TOE_HSTAT_TCP_KEEPALIVES) == ka + 2 && c.s->state == TOE_TCPS_ESTABLISHED,
          "test_established_keepalive_probes_again_after_idle (%llu probes)",
          (unsigned long long)(hs(TOE_HSTAT_TCP_KEEPALIVES) - ka));

    /* Two probes unanswered, then data: the count starts over. */
    advance(2100000);
    CHECK(hs(TOE_HSTAT_TCP_KEEPALIVES) == ka + 3 && c.s->keep_probes == 2,
          "test_established_keepalive_unanswered_probe_repeats_at_interval");
    mock_rx_data(&m, c.slot, IRS + 1, "ping", 4);
    uint8_t b[8];
    size_t got = 0;
    int r = toe_tcp_recv(c.s, b, sizeof(b), &got, 1000);
    CHECK(r == 0 && got == 4 && c.s->keep_probes == 0, "test_established_keepalive_data_resets_probes");

    /* Silence: exactly KEEPCNT probes, then RST, FREE and TOE_ETIMEDOUT. */
    uint64_t drops = hs(TOE_HSTAT_TCP_KEEPALIVE_DROPS), tmo = hs(TOE_HSTAT_TCP_TIMEOUTS);
    unsigned free0 = mock_cmd_count(&m, TOE_CMD_FREE, c.slot);
    ka = hs(TOE_HSTAT_TCP_KEEPALIVES);
    advance(10100000);
    advance(2000000);
    advance(2000000);
    CHECK(hs(TOE_HSTAT_TCP_KEEPALIVES) == ka + 3 && c.s->state == TOE_TCPS_ESTABLISHED,
          "test_established_keepalive_keepcnt_probes (%llu)",
          (unsigned long long)(hs(TOE_HSTAT_TCP_KEEPALIVES) - ka));
    advance(2000000);
    CHECK(c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_ETIMEDOUT &&
              hs(TOE_HSTAT_TCP_KEEPALIVES) == ka + 3 &&
              hs(TOE_HSTAT_TCP_KEEPALIVE_DROPS) == drops + 1 &&
              hs(TOE_HSTAT_TCP_TIMEOUTS) == tmo + 1 && !raw_seg(0, &t) &&
              t.flags == (TH_RST | TH_ACK) && mock_cmd_count(&m, TOE_CMD_FREE, c.slot) == free0 + 1,
          "test_established_keepalive_unanswered_reset (state %s flags 0x%x)",
          toe_tcp_state_name(c.s->state), t.flags);
    struct toe_tcp_pollfd pf = {c.s, TOE_POLLIN, 0};
    r = toe_tcp_recv(c.s, b, sizeof(b), &got, 0);
    CHECK(r == TOE_ETIMEDOUT && toe_tcp_poll(&pf, 1, 0) == 1 && (pf.revents & TOE_POLLERR) &&
              toe_tcp_send(c.s, "x", 1, &got, 0) == TOE_ETIMEDOUT,
          "test_established_keepalive_reported_etimedout (%s)", toe_error_name(r));
    CHECK(toe_tcp_close(c.s, 0) == 0 && nsocks() == 0, "test_established_keepalive_no_leak");
}

/* ---- closing ------------------------------------------------------------------------ */

/* CLOSING (our FIN, then the peer's) with 4 bytes of ours not acknowledged. */
static void closing_tail_unacked(struct conn *c)
{
    size_t sent;
    open_active(c, OPT_MSS, 4, 5000);
    toe_tcp_send(c->s, "tail", 4, &sent, 1000);
    toe_tcp_shutdown(c->s, 0);
    mock_slot_event(&m, c->slot, TOE_CONST_EVF_FIN_RCVD, c->iss + 1, 5000, IRS + 2,
                    TOE_CONST_RTT_NONE);
    turns(2);
}

static void test_closing(void)
{
    struct conn c;
    uint8_t b[64];
    size_t got;
    /* Passive close: FIN from the peer, EOF after the data, close sends ours (LAST-ACK). */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_rx_data(&m, c.slot, IRS + 1, "hello", 5);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD, c.iss + 1, 5000, IRS + 7, TOE_CONST_RTT_NONE);
    int r = toe_tcp_recv(c.s, b, sizeof(b), &got, 1000);
    CHECK(r == 0 && got == 5 && c.s->state == TOE_TCPS_CLOSE_WAIT, "test_established_fin_rcvd_close_wait");
    r = toe_tcp_recv(c.s, b, sizeof(b), &got, 1000);
    CHECK(r == 0 && got == 0, "test_close_wait_recv_eof");
    r = toe_tcp_close(c.s, 0);
    CHECK(r == 0 && mock_cmd_count(&m, TOE_CMD_CLOSE, c.slot) >= 1 && c.s->state == TOE_TCPS_LAST_ACK,
          "test_close_wait_close_sends_fin_last_ack");
    unsigned fr = mock_cmd_count(&m, TOE_CMD_FREE, c.slot);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD | TOE_CONST_EVF_FIN_ACKED, c.iss + 2, 5000,
                    IRS + 7, TOE_CONST_RTT_NONE);
    turns(3);
    CHECK(mock_cmd_count(&m, TOE_CMD_FREE, c.slot) == fr + 1 && nsocks() == 0,
          "test_last_ack_fin_acked_frees_slot_and_socket");

    /* LAST-ACK, and the peer resets instead of acknowledging our FIN (its FIN-WAIT-2 gave up):
     * the connection ends without an error (RFC 9293 3.10.7.4). */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD, c.iss + 1, 5000, IRS + 2, TOE_CONST_RTT_NONE);
    turns(2);
    r = toe_tcp_shutdown(c.s, 0);
    CHECK(r == 0 && c.s->state == TOE_TCPS_LAST_ACK, "test_close_wait_shutdown_last_ack (%s)",
          toe_tcp_state_name(c.s->state));
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(3);
    CHECK(c.s->state == TOE_TCPS_CLOSED && c.s->err == 0 && toe_tcp_close(c.s, 0) == 0 &&
              nsocks() == 0,
          "test_last_ack_rst_closed_without_error (%u sockets)", nsocks());

    /* The same with some of our data not acknowledged: it may be lost, and the application
     * learns it (RFC 9293 MUST-12). */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD, c.iss + 1, 5000, IRS + 2, TOE_CONST_RTT_NONE);
    turns(2);
    size_t sent0 = 0;
    toe_tcp_send(c.s, "tail", 4, &sent0, 1000);
    r = toe_tcp_shutdown(c.s, 0);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(4);
    int e = c.s->err;
    CHECK(sent0 == 4 && r == 0 && c.s->state == TOE_TCPS_CLOSED && e == TOE_ECONNRESET &&
              toe_tcp_close(c.s, 0) == TOE_ECONNRESET && nsocks() == 0,
          "test_last_ack_rst_data_unacked_econnreset (%s)", toe_error_name(e));
    /* CLOSING, data unacknowledged as far as the host knows, but the device's SND.UNA has all
     * of it (its event not here yet): a clean end. */
    closing_tail_unacked(&c);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_UNA)] = c.iss + 5;
    int st = c.s->state;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(4);
    CHECK(st == TOE_TCPS_CLOSING && c.s->state == TOE_TCPS_CLOSED && c.s->err == 0 &&
              toe_tcp_close(c.s, 0) == 0 && nsocks() == 0,
          "test_closing_rst_device_has_all_acked_clean (%s)", toe_tcp_state_name(st));
    /* CLOSING with data the device has not seen acknowledged either: a reset. */
    closing_tail_unacked(&c);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(4);
    CHECK(c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_ECONNRESET &&
              toe_tcp_shutdown(c.s, 0) == TOE_ECONNRESET && toe_tcp_close(c.s, 0) == TOE_ECONNRESET &&
              nsocks() == 0,
          "test_closing_rst_data_unacked_econnreset");

    /* Active close: shutdown (FIN-WAIT-1), FIN acked (FIN-WAIT-2), FIN (TIME-WAIT, no slot). */
    open_active(&c, OPT_MSS, 4, 5000);
    toe_tcp_setopt(c.s, TOE_TCP_TIME_WAIT, 2000);
    r = toe_tcp_shutdown(c.s, 0);
    CHECK(r == 0 && c.s->state == TOE_TCPS_FIN_WAIT_1 && mock_cmd_count(&m, TOE_CMD_CLOSE, c.slot) >= 1,
          "test_established_shutdown_fin_wait_1");
    size_t sent;
    CHECK(toe_tcp_send(c.s, "x", 1, &sent, 0) == TOE_EPIPE, "test_fin_wait_1_send_epipe");
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_ACKED, c.iss + 2, 5000, IRS + 1, TOE_CONST_RTT_NONE);
    turns(2);
    CHECK(c.s->state == TOE_TCPS_FIN_WAIT_2 && toe_tcp_shutdown(c.s, 0) == 0,
          "test_fin_wait_1_fin_acked_fin_wait_2");
    mock_rx_data(&m, c.slot, IRS + 1, "bye", 3);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_ACKED | TOE_CONST_EVF_FIN_RCVD, c.iss + 2, 5000,
                    IRS + 5, TOE_CONST_RTT_NONE);
    turns(3);
    int sl = c.slot;
    CHECK(c.s->state == TOE_TCPS_TIME_WAIT && c.s->slot < 0 && mock_cmd_count(&m, TOE_CMD_FREE, sl) >= 1,
          "test_fin_wait_2_fin_time_wait_slot_freed");
    r = toe_tcp_recv(c.s, b, sizeof(b), &got, 0);
    int r2 = toe_tcp_recv(c.s, b, sizeof(b), &got, 0);
    CHECK(r == 0 && r2 == 0 && got == 0, "test_time_wait_data_then_eof");
    /* The peer's FIN again (our ACK lost): ACKed from the host. */
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 4, c.iss + 2, TH_FIN | TH_ACK, 5000, NULL, 0, NULL, 0);
    turns(2);
    struct tseg t;
    CHECK(!raw_seg(0, &t) && t.flags == TH_ACK && t.seq == c.iss + 2 && t.ack == IRS + 5,
          "test_time_wait_fin_retransmit_acked");
    unsigned n = m.nraw;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 5, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(2);
    CHECK(c.s->state == TOE_TCPS_TIME_WAIT && m.nraw == n, "test_time_wait_rst_ignored_rfc1337");
    toe_tcp_close(c.s, 0);
    struct toe_tcp_info ni[4];
    size_t k;
    r = toe_tcp_netstat(d, ni, 4, &k);
    CHECK(nsocks() == 0 && r == 0 && k == 1 && ni[0].state == TOE_TCPS_TIME_WAIT && ni[0].orphan &&
              ni[0].slot == -1 && ni[0].remote_port == 80 && ni[0].rcv_nxt == IRS + 5,
          "test_time_wait_close_leaves_record_in_netstat (%u sockets)", nsocks());
    advance(2100000);
    advance(100000);
    r = toe_tcp_netstat(d, ni, 4, &k);
    CHECK(r == 0 && k == 0, "test_time_wait_expires (%zu left)", k);

    /* Simultaneous close: the peer's FIN before the ACK of ours (CLOSING), then that ACK. */
    open_active(&c, OPT_MSS, 4, 5000);
    toe_tcp_setopt(c.s, TOE_TCP_TIME_WAIT, 2000);
    r = toe_tcp_shutdown(c.s, 0);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD, c.iss + 1, 5000, IRS + 2, TOE_CONST_RTT_NONE);
    turns(2);
    CHECK(r == 0 && c.s->state == TOE_TCPS_CLOSING && c.s->slot >= 0, "test_fin_wait_1_fin_closing (%s)",
          toe_tcp_state_name(c.s->state));
    sl = c.slot;
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_ACKED, c.iss + 2, 5000, IRS + 2, TOE_CONST_RTT_NONE);
    turns(3);
    CHECK(c.s->state == TOE_TCPS_TIME_WAIT && c.s->slot < 0 && mock_cmd_count(&m, TOE_CMD_FREE, sl) >= 1,
          "test_closing_fin_acked_time_wait (%s)", toe_tcp_state_name(c.s->state));
    r = toe_tcp_recv(c.s, b, sizeof(b), &got, 0);
    CHECK(r == 0 && got == 0, "test_closing_recv_eof");
    toe_tcp_close(c.s, 0);
    advance(2100000);
    advance(100000);
    r = toe_tcp_netstat(d, ni, 4, &k);
    CHECK(nsocks() == 0 && r == 0 && k == 0, "test_closing_time_wait_expires (%u sockets, %zu)",
          nsocks(), k);

    /* Close with unread data: abort with RST. */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_rx_data(&m, c.slot, IRS + 1, "unread", 6);
    turns(2);
    r = toe_tcp_close(c.s, 0);
    CHECK(r == TOE_ECONNRESET && !raw_seg(0, &t) && (t.flags & TH_RST) && nsocks() == 0,
          "test_established_close_unread_data_rst (%s flags 0x%x socks %u)", toe_error_name(r),
          t.flags, nsocks());

    /* Link errors: the slot is read back; RX data the device sent but the host lost is asked
     * again (RX_SENT), and a lost event's progress is taken. */
    open_active(&c, OPT_MSS, 4, 5000);
    toe_tcp_send(c.s, "abcdef", 6, &sent, 1000);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_RX_SENT)] = IRS + 1 + 500;
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_UNA)] = c.iss + 7;
    unsigned w0 = m.rx_sent_writes;
    uint8_t junk[] = {0x05, 0x11, 0x22, 0x33, 0x44, 0x00};
    mock_emit_bytes(&m, junk, sizeof(junk));
    turns(4);
    CHECK(hs(TOE_HSTAT_TCP_RESYNCS) >= 1 && m.rx_sent_writes == w0 + 1 &&
              slotf(c.slot, TOE_FIELD_RX_SENT) == IRS + 1 && c.s->snd_una == c.iss + 7,
          "test_established_link_error_resync");
    /* A gap the device can no longer fill (the ring has moved on): the connection is aborted
     * with TOE_EIO and counted, not left waiting. */
    uint64_t lost0 = hs(TOE_HSTAT_TCP_RX_LOST);
    m.refuse_rx_sent = 1;
    c.s->rx_resend_pending = 0; /* (the resync above asked already) */
    uint8_t rx[10] = {0};
    mock_rx_data(&m, c.slot, IRS + 1 + 300, rx, 10);
    turns(4);
    size_t got_n = 0;
    uint8_t got_b[16];
    CHECK(hs(TOE_HSTAT_TCP_RX_LOST) == lost0 + 1 &&
              toe_tcp_recv(c.s, got_b, sizeof(got_b), &got_n, 0) == TOE_EIO,
          "test_established_rx_lost_aborts_eio");
    m.refuse_rx_sent = 0;
    toe_tcp_abort(c.s);
    CHECK(nsocks() == 0, "test_closing_no_leak (%u sockets)", nsocks());
}

/* ---- LISTEN and SYN-RECEIVED -------------------------------------------------------- */

/* The listener's oldest connection not accepted yet (the list is newest first). */
static toe_sock *oldest_child(const toe_sock *l)
{
    toe_sock *ch = NULL;
    for (toe_sock *s = tcp_get(d)->socks; s; s = s->next)
        if (s->parent == l)
            ch = s;
    return ch;
}

static void test_listen(void)
{
    toe_sock *l, *l2;
    toe_tcp_socket(d, &l);
    toe_tcp_socket(d, &l2);
    CHECK(toe_tcp_listen(l, 8080, 2) == 0 && toe_tcp_listen(l2, 8080, 2) == TOE_EADDRINUSE &&
              toe_tcp_listen(l, 8081, 2) == TOE_EISCONN,
          "test_listen_port_in_use");
    toe_tcp_close(l2, 0);
    toe_sock *c;
    CHECK(toe_tcp_accept(l, &c, NULL, NULL, 0) == TOE_EAGAIN, "test_listen_accept_none_eagain");
    /* A SYN with MSS and window scale: slot programmed SYN_RCVD and OPEN, then a SYN-ACK. */
    unsigned open0 = mock_cmd_count(&m, TOE_CMD_OPEN, -1);
    mock_tcp_seg(&m, PEER, 33000, 8080, 5000, 0, TH_SYN, 29200, OPT_MSS_WS7, 8, NULL, 0);
    turns(3);
    struct tseg t;
    toe_sock *ch = oldest_child(l);
    int sl = ch ? ch->slot : -1;
    CHECK(ch && ch->state == TOE_TCPS_SYN_RCVD && sl >= 0 && mock_cmd_count(&m, TOE_CMD_OPEN, sl) >= 1 &&
              mock_cmd_count(&m, TOE_CMD_OPEN, -1) == open0 + 1 &&
              (slotf(sl, TOE_FIELD_FLAGS) & TOE_CONST_SF_SYN_RCVD) &&
              slotf(sl, TOE_FIELD_RCV_NXT) == 5001 && slotf(sl, TOE_FIELD_SND_WND) == 29200 &&
              slotf(sl, TOE_FIELD_MSS) == (1400u | 7u << 16),
          "test_listen_syn_programs_slot_syn_rcvd");
    CHECK(!raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK) && t.ack == 5001 && t.mss == 1460 &&
              t.ws == 0 && !t.sack && !t.ts && ch && t.seq == ch->iss && t.sport == 8080,
          "test_listen_syn_sends_synack");
    /* The SYN again: the SYN-ACK again. */
    uint64_t rs = hs(TOE_HSTAT_TCP_SYN_RETRANS);
    mock_tcp_seg(&m, PEER, 33000, 8080, 5000, 0, TH_SYN, 29200, OPT_MSS_WS7, 8, NULL, 0);
    turns(2);
    CHECK(hs(TOE_HSTAT_TCP_SYN_RETRANS) == rs + 1 && !raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK),
          "test_syn_rcvd_dup_syn_resends_synack");
    /* SYN without window scale: the SYN-ACK carries none either. */
    mock_tcp_seg(&m, PEER, 33001, 8080, 9000, 0, TH_SYN, 1000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(!raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK) && t.ws == -1 && t.dport == 33001,
          "test_listen_syn_no_wscale_synack_without");
    /* Backlog 2 is full now. */
    uint64_t dr = hs(TOE_HSTAT_TCP_LISTEN_DROP);
    mock_tcp_seg(&m, PEER, 33002, 8080, 1, 0, TH_SYN, 1000, NULL, 0, NULL, 0);
    turns(2);
    CHECK(hs(TOE_HSTAT_TCP_LISTEN_DROP) == dr + 1, "test_listen_backlog_full_drops");
    /* The handshake's ACK: event ESTABLISHED; accept returns the child. Its SYN-ACK was sent
     * twice (the peer's SYN came again), but the timer never ran out: RTO from the sample. */
    mock_slot_event(&m, sl, TOE_CONST_EVF_ESTABLISHED, ch->iss + 1, 29200 << 7, 5001, TOE_CONST_RTT_NONE);
    uint32_t pip = 0;
    uint16_t pport = 0;
    int r = toe_tcp_accept(l, &c, &pip, &pport, 1000);
    CHECK(r == 0 && c == ch && pip == PEER && pport == 33000 && c->state == TOE_TCPS_ESTABLISHED &&
              hs(TOE_HSTAT_TCP_PASSIVE_OPENS) == 1 && rto_now(c) < 3000000,
          "test_syn_rcvd_established_event_accept (rto %u)", rto_now(c));
    /* The other child never completes: SYN-ACK resent, then given up (slot freed). */
    toe_sock *ch2 = oldest_child(l);
    int sl2 = ch2 ? ch2->slot : -1;
    for (int i = 0; i < 8; i++)
        advance(64000000);
    CHECK(sl2 >= 0 && mock_cmd_count(&m, TOE_CMD_FREE, sl2) >= 1 && hs(TOE_HSTAT_TCP_TIMEOUTS) >= 1,
          "test_syn_rcvd_synack_retries_exhausted_freed");
    /* Data racing the handshake: RX_DATA on a SYN-RECEIVED child establishes it. */
    mock_tcp_seg(&m, PEER, 33003, 8080, 70000, 0, TH_SYN, 1000, NULL, 0, NULL, 0);
    turns(3);
    ch2 = oldest_child(l);
    advance(1100000); /* the SYN-ACK times out once: resent */
    if (ch2)
        mock_rx_data(&m, ch2->slot, 70001, "GET", 3);
    toe_sock *c2 = NULL;
    r = toe_tcp_accept(l, &c2, NULL, NULL, 1000);
    uint8_t b[8];
    size_t got = 0;
    CHECK(r == 0 && c2 == ch2 && toe_tcp_recv(c2, b, 8, &got, 0) == 0 && got == 3,
          "test_syn_rcvd_rx_data_establishes");
    CHECK(c2 && c2->syn_tries == 2 && rto_now(c2) == 3000000,
          "test_syn_rcvd_timed_out_then_established_rto_3s (%u us)", c2 ? rto_now(c2) : 0);
    /* No slot free, none freed: the SYN waits unanswered, then is dropped (counted). */
    toe_sock *fill[MOCK_SLOTS];
    int nf = 0;
    for (int i = 0; i < MOCK_SLOTS; i++)
        if (!tcp_get(d)->slot_used[i]) {
            toe_tcp_socket(d, &fill[nf++]);
            tcp_get(d)->slot_used[i] = 1; /* held by nobody: as if all were busy */
        }
    uint64_t ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    toe_tcp_listen(fill[0], 9090, 4);
    unsigned nr = m.nraw;
    mock_tcp_seg(&m, PEER, 33004, 9090, 1, 0, TH_SYN, 1000, NULL, 0, NULL, 0);
    turns(2);
    toe_sock *w = oldest_child(fill[0]);
    int waited = w && w->slot < 0 && hs(TOE_HSTAT_TCP_NO_SLOT) == ns;
    advance(TOE_TCP_SLOT_WAIT_US + 1000);
    CHECK(waited && hs(TOE_HSTAT_TCP_NO_SLOT) == ns + 1 && !oldest_child(fill[0]) && m.nraw == nr,
          "test_listen_no_free_slot_syn_waits_then_dropped");
    toe_sock *x;
    toe_tcp_socket(d, &x);
    CHECK(toe_tcp_connect(x, PEER, 80, 100) == TOE_ENOSLOT, "test_closed_connect_no_slot_enoslot");
    toe_tcp_close(x, 0);
    for (int i = 0; i < MOCK_SLOTS; i++)
        if (!tcp_get(d)->slot_sock[i])
            tcp_get(d)->slot_used[i] = 0;
    for (int i = 0; i < nf; i++)
        toe_tcp_close(fill[i], 0);
    struct toe_tcp_pollfd pf[2] = {{c, TOE_POLLIN | TOE_POLLOUT, 0}, {l, TOE_POLLIN, 0}};
    r = toe_tcp_poll(pf, 2, 0);
    CHECK(r == 1 && pf[0].revents == TOE_POLLOUT && pf[1].revents == 0, "test_established_poll_writable");
    mock_rx_data(&m, sl, 5001, "x", 1);
    pf[0].events = TOE_POLLIN;
    r = toe_tcp_poll(pf, 2, 1000);
    CHECK(r == 1 && pf[0].revents == TOE_POLLIN, "test_established_poll_readable (%d 0x%x exp 0x%x rd 0x%x slot %d/%d)",
          r, pf[0].revents, c->rx_expect, c->rx_read, c->slot, sl);
    /* Another handle with no sockets of its own (as `toe netstat`): the device's open slots,
     * read-only (no FREE). */
    turns(2);
    toe_dev *d2 = mock_open(&m, 0, 50, 3);
    struct toe_tcp_info ni[8];
    size_t k = 0;
    unsigned free0 = mock_cmd_count(&m, TOE_CMD_FREE, -1);
    r = d2 ? toe_tcp_netstat(d2, ni, 8, &k) : -1;
    int found = 0;
    for (size_t i = 0; i < k; i++)
        found += ni[i].slot == sl && ni[i].remote_port == 33000 && ni[i].local_port == 8080 &&
                 ni[i].state == TOE_TCPS_ESTABLISHED && ni[i].orphan == -1 &&
                 ni[i].remote_ip == PEER;
    CHECK(r == 0 && k == 2 && found == 1 && mock_cmd_count(&m, TOE_CMD_FREE, -1) == free0,
          "test_established_netstat_from_another_handle (%zu slots)", k);
    toe_close(d2);
    toe_tcp_abort(c);
    toe_tcp_abort(c2);
    toe_tcp_close(l, 0);
    turns(3);
    CHECK(nsocks() == 0, "test_listen_no_leak (%u sockets)", nsocks());
}

/* ---- TIME-WAIT off the slot, and slots reused at once ------------------------------- */

/* TIME-WAIT entries in netstat (records and sockets), and the first one's fields. */
static size_t tw_entries(struct toe_tcp_info *first)
{
    struct toe_tcp_info ni[16];
    size_t k = 0, n = 0;
    toe_tcp_netstat(d, ni, 16, &k);
    for (size_t i = 0; i < k; i++)
        if (ni[i].state == TOE_TCPS_TIME_WAIT && n++ == 0 && first)
            *first = ni[i];
    return n;
}

/* Passive open on l (port 8080) from PEER:pport, its ISS irs, up to accept. */
static int open_passive(struct conn *c, toe_sock *l, uint16_t pport, uint32_t irs)
{
    memset(c, 0, sizeof(*c));
    mock_tcp_seg(&m, PEER, pport, 8080, irs, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    toe_sock *ch = oldest_child(l);
    if (!ch || ch->slot < 0)
        return -1;
    mock_slot_event(&m, ch->slot, TOE_CONST_EVF_ESTABLISHED, ch->iss + 1, 29200, irs + 1,
                    TOE_CONST_RTT_NONE);
    if (toe_tcp_accept(l, &c->s, NULL, NULL, 1000) || c->s != ch)
        return -1;
    c->slot = ch->slot;
    c->lport = 8080;
    c->iss = ch->iss;
    return 0;
}

/* We close first (no data either way; the peer's ISS irs): FIN, its ACK, the peer's FIN, so
 * TIME-WAIT (2 s); close = 1: the application closes the socket too. */
static void active_close(struct conn *c, uint32_t irs, int close)
{
    toe_tcp_setopt(c->s, TOE_TCP_TIME_WAIT, 2000);
    toe_tcp_shutdown(c->s, 0);
    mock_slot_event(&m, c->slot, TOE_CONST_EVF_FIN_ACKED, c->iss + 2, 5000, irs + 1,
                    TOE_CONST_RTT_NONE);
    mock_slot_event(&m, c->slot, TOE_CONST_EVF_FIN_ACKED | TOE_CONST_EVF_FIN_RCVD, c->iss + 2,
                    5000, irs + 2, TOE_CONST_RTT_NONE);
    turns(3);
    if (close)
        toe_tcp_close(c->s, 0);
}

static void test_time_wait(void)
{
    struct conn c;
    struct tseg t;
    struct toe_tcp_info in;
    m.ncmd = 0; /* command counts from here */
    /* An active close: TIME-WAIT gives the slot back, and once the application has closed the
     * socket only a record is left (no socket, no buffers). */
    open_active(&c, OPT_MSS, 4, 5000);
    int sl = c.slot;
    unsigned fr = mock_cmd_count(&m, TOE_CMD_FREE, sl);
    active_close(&c, IRS, 0);
    int held = c.s->state == TOE_TCPS_TIME_WAIT && c.s->slot < 0;
    toe_tcp_close(c.s, 0);
    CHECK(held && mock_cmd_count(&m, TOE_CMD_FREE, sl) == fr + 1 && nsocks() == 0 &&
              tw_entries(&in) == 1 && in.slot == -1 && in.local_port == c.lport &&
              in.snd_nxt == c.iss + 2 && in.rcv_nxt == IRS + 2,
          "test_time_wait_slot_freed (%u sockets, %zu records)", nsocks(), tw_entries(NULL));
    /* The peer's FIN again (our ACK was lost): the slot is gone, so it came up the slow path
     * and the host ACKs it from the record, with the window the connection had. */
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, c.iss + 2, TH_FIN | TH_ACK, 5000, NULL, 0, NULL,
                 0);
    turns(2);
    CHECK(!raw_seg(0, &t) && t.flags == TH_ACK && t.seq == c.iss + 2 && t.ack == IRS + 2 &&
              t.wnd == RING - 1 && t.sport == c.lport && t.dport == 80 && t.dlen == 0,
          "test_time_wait_fin_retransmit_reacked_from_host (flags 0x%x win %u)", t.flags, t.wnd);
    /* ... and TIME-WAIT starts over: 1.5 s + 1.5 s after the first FIN it is still there. */
    advance(1500000);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, c.iss + 2, TH_FIN | TH_ACK, 5000, NULL, 0, NULL,
                 0);
    turns(2);
    advance(1500000);
    CHECK(tw_entries(NULL) == 1, "test_time_wait_fin_restarts_time");
    /* A RST (RFC 1337), an acceptable bare ACK: no answer, the record stays. */
    unsigned n = m.nraw;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, 0, TH_RST, 0, NULL, 0, NULL, 0);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, c.iss + 2, TH_ACK, 5000, NULL, 0, NULL, 0);
    turns(2);
    CHECK(m.nraw == n && tw_entries(NULL) == 1, "test_time_wait_rst_and_bare_ack_not_answered");
    /* Data (unacceptable there): the ACK of the record. */
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 2, c.iss + 2, TH_ACK, 5000, NULL, 0, "late", 4);
    turns(2);
    CHECK(m.nraw == n + 1 && !raw_seg(0, &t) && t.flags == TH_ACK && t.ack == IRS + 2,
          "test_time_wait_data_acked");
    /* No listener on our ephemeral port: a SYN beyond RCV.NXT gets the TIME-WAIT ACK. */
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 100000, 0, TH_SYN, 5000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(!raw_seg(0, &t) && t.flags == TH_ACK && t.seq == c.iss + 2 && t.ack == IRS + 2 &&
              tw_entries(NULL) == 1 && nsocks() == 0,
          "test_time_wait_syn_higher_seq_no_listener_acked");
    /* The port in TIME-WAIT cannot be bound. */
    toe_sock *x;
    toe_tcp_socket(d, &x);
    CHECK(toe_tcp_bind(x, c.lport) == TOE_EADDRINUSE, "test_closed_bind_time_wait_port_in_use");
    toe_tcp_close(x, 0);
    advance(1100000);
    CHECK(tw_entries(NULL) == 0, "test_time_wait_expires_after_restart");
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, c.iss + 2, TH_FIN | TH_ACK, 5000, NULL, 0, NULL,
                 0);
    turns(2);
    CHECK(!raw_seg(0, &t) && t.flags == TH_RST && t.seq == c.iss + 2,
          "test_time_wait_over_fin_gets_rst");

    /* Passive opens that we close first, then a new SYN on the same 4-tuple. */
    toe_sock *l;
    toe_tcp_socket(d, &l);
    toe_tcp_listen(l, 8080, 4);
    const uint32_t irs = 50000;
    int ok = !open_passive(&c, l, 34000, irs);
    active_close(&c, irs, 1);
    uint32_t old_iss = c.iss;
    /* Not beyond RCV.NXT (an old SYN, or the one of this connection): the ACK, no new
     * connection. */
    mock_tcp_seg(&m, PEER, 34000, 8080, irs, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    int lower = !raw_seg(0, &t) && t.flags == TH_ACK && t.seq == old_iss + 2 && t.ack == irs + 2;
    mock_tcp_seg(&m, PEER, 34000, 8080, irs + 2, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(ok && lower && !raw_seg(0, &t) && t.flags == TH_ACK && t.ack == irs + 2 &&
              !oldest_child(l) && tw_entries(NULL) == 1,
          "test_time_wait_syn_lower_seq_acked");
    /* Beyond RCV.NXT (Linux reusing the port at once): TIME-WAIT ends, the listener answers
     * with an ISS past everything the old connection sent (RFC 6191, RFC 1122 4.2.2.13). */
    uint64_t ro = hs(TOE_HSTAT_TCP_TW_REOPENED);
    mock_tcp_seg(&m, PEER, 34000, 8080, irs + 1000000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    toe_sock *ch = oldest_child(l);
    CHECK(!raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK) && t.ack == irs + 1000001 &&
              t.dport == 34000 && ch && ch->state == TOE_TCPS_SYN_RCVD && ch->slot >= 0 &&
              t.seq == ch->iss && SEQ_GEQ(ch->iss, old_iss + 2 + 65537) && tw_entries(NULL) == 0 &&
              hs(TOE_HSTAT_TCP_TW_REOPENED) == ro + 1,
          "test_time_wait_syn_higher_seq_reopens");
    struct conn c2;
    toe_sock *acc = NULL;
    if (ch)
        mock_slot_event(&m, ch->slot, TOE_CONST_EVF_ESTABLISHED, ch->iss + 1, 29200,
                        irs + 1000001, TOE_CONST_RTT_NONE);
    CHECK(ch && toe_tcp_accept(l, &acc, NULL, NULL, 1000) == 0 && acc == ch &&
              acc->state == TOE_TCPS_ESTABLISHED,
          "test_syn_rcvd_reopened_connection_established");
    toe_tcp_abort(acc);
    /* The same while the application still holds the socket in TIME-WAIT. */
    ok = !open_passive(&c2, l, 34001, irs);
    active_close(&c2, irs, 0);
    int tw = c2.s->state == TOE_TCPS_TIME_WAIT && c2.s->slot < 0;
    mock_tcp_seg(&m, PEER, 34001, 8080, irs + 5000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    ch = oldest_child(l);
    CHECK(ok && tw && !raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK) && t.dport == 34001 && ch &&
              c2.s->state == TOE_TCPS_CLOSED && SEQ_GEQ(ch->iss, c2.iss + 2 + 65537),
          "test_time_wait_held_socket_syn_higher_seq_reopens");
    toe_tcp_close(c2.s, 0);
    toe_tcp_close(l, 0);
    turns(3);

    /* The table is bounded: full, the record nearest its end is dropped (counted). */
    tcp_get(d)->tw_max = 2;
    uint16_t ports[3];
    uint64_t dr = hs(TOE_HSTAT_TCP_TW_DROPPED);
    for (int i = 0; i < 3; i++) {
        open_active(&c, OPT_MSS, 4, 5000);
        active_close(&c, IRS, 1);
        ports[i] = c.lport;
        advance(1000);
    }
    mock_tcp_seg(&m, PEER, 80, ports[0], IRS + 1, 0, TH_FIN | TH_ACK, 5000, NULL, 0, NULL, 0);
    turns(2);
    int first_gone = !raw_seg(0, &t) && t.flags == TH_RST;
    mock_tcp_seg(&m, PEER, 80, ports[2], IRS + 1, 0, TH_FIN | TH_ACK, 5000, NULL, 0, NULL, 0);
    turns(2);
    CHECK(hs(TOE_HSTAT_TCP_TW_DROPPED) == dr + 1 && tw_entries(NULL) == 2 && first_gone &&
              !raw_seg(0, &t) && t.flags == TH_ACK,
          "test_time_wait_table_full_oldest_dropped");
    tcp_get(d)->tw_max = TOE_TCP_TW_MAX;
    advance(2100000);
    advance(100000);
    CHECK(tw_entries(NULL) == 0 && nsocks() == 0, "test_time_wait_no_leak (%u sockets)", nsocks());
}

/* Every slot taken: all but one by no connection (as if busy), that one by c. */
static void hold_other_slots(const struct conn *c)
{
    for (int i = 0; i < MOCK_SLOTS; i++)
        if (i != c->slot && !tcp_get(d)->slot_used[i])
            tcp_get(d)->slot_used[i] = 1;
}

static void release_other_slots(void)
{
    for (int i = 0; i < MOCK_SLOTS; i++)
        if (!tcp_get(d)->slot_sock[i] && !tcp_get(d)->slot_freeing[i])
            tcp_get(d)->slot_used[i] = 0;
}

/* A SYN that arrives with the event (or RST) ending the connection on the last slot, in the
 * same turn (ab with 8 clients reconnecting at once): the slot is freed before the SYN's
 * connection takes it, so the SYN is served, not dropped. The child takes the slot in that
 * turn; its programming waits for the FREE's answer, then takes a turn per round trip
 * (fields, OPEN, then the SYN-ACK). */
static int syn_served_after(toe_sock *l, uint16_t pport, int slot, uint64_t ns)
{
    mock_tcp_seg(&m, PEER, pport, 8080, 7000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(5);
    struct tseg t;
    toe_sock *ch = oldest_child(l);
    return ch && ch->slot == slot && ch->state == TOE_TCPS_SYN_RCVD && !raw_seg(0, &t) &&
           t.flags == (TH_SYN | TH_ACK) && t.dport == pport && hs(TOE_HSTAT_TCP_NO_SLOT) == ns;
}

static void test_slot_reuse(void)
{
    struct conn c;
    toe_sock *l;
    m.ncmd = 0;
    toe_tcp_socket(d, &l);
    toe_tcp_listen(l, 8080, 4);
    /* LAST-ACK: the ACK of our FIN frees the slot at once. */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD, c.iss + 1, 5000, IRS + 2, TOE_CONST_RTT_NONE);
    turns(2);
    toe_tcp_close(c.s, 0);
    hold_other_slots(&c);
    uint64_t ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    unsigned fr = mock_cmd_count(&m, TOE_CMD_FREE, c.slot);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD | TOE_CONST_EVF_FIN_ACKED, c.iss + 2, 5000,
                    IRS + 2, TOE_CONST_RTT_NONE);
    CHECK(syn_served_after(l, 35000, c.slot, ns) && mock_cmd_count(&m, TOE_CMD_FREE, c.slot) == fr + 1,
          "test_last_ack_ack_frees_slot_at_once");
    toe_tcp_abort(oldest_child(l));
    /* FIN-WAIT-2, the peer's FIN: TIME-WAIT frees the slot. */
    open_active(&c, OPT_MSS, 4, 5000);
    toe_tcp_setopt(c.s, TOE_TCP_TIME_WAIT, 1000);
    toe_tcp_shutdown(c.s, 0);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_ACKED, c.iss + 2, 5000, IRS + 1, TOE_CONST_RTT_NONE);
    turns(2);
    toe_tcp_close(c.s, 0);
    hold_other_slots(&c);
    ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_ACKED | TOE_CONST_EVF_FIN_RCVD, c.iss + 2, 5000,
                    IRS + 2, TOE_CONST_RTT_NONE);
    CHECK(syn_served_after(l, 35001, c.slot, ns) && tw_entries(NULL) == 1,
          "test_fin_wait_2_fin_frees_slot_for_syn_same_turn");
    toe_tcp_abort(oldest_child(l));
    /* ESTABLISHED, a RST: the slot is freed for the SYN behind it. */
    open_active(&c, OPT_MSS, 4, 5000);
    hold_other_slots(&c);
    ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, 0, TH_RST, 0, NULL, 0, NULL, 0);
    int served = syn_served_after(l, 35002, c.slot, ns);
    CHECK(served && c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_ECONNRESET,
          "test_established_rst_frees_slot_for_syn_same_turn");
    toe_tcp_close(c.s, 0);
    toe_tcp_abort(oldest_child(l));
    /* Two SYNs for the one slot being freed: the second is dropped and counted. */
    open_active(&c, OPT_MSS, 4, 5000);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD, c.iss + 1, 5000, IRS + 2, TOE_CONST_RTT_NONE);
    turns(2);
    toe_tcp_close(c.s, 0);
    hold_other_slots(&c);
    ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    uint64_t ld = hs(TOE_HSTAT_TCP_LISTEN_DROP);
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_FIN_RCVD | TOE_CONST_EVF_FIN_ACKED, c.iss + 2, 5000,
                    IRS + 2, TOE_CONST_RTT_NONE);
    mock_tcp_seg(&m, PEER, 35003, 8080, 7000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    mock_tcp_seg(&m, PEER, 35004, 8080, 7000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    int children = 0;
    for (toe_sock *s = tcp_get(d)->socks; s; s = s->next)
        children += s->parent == l;
    int no_slot_yet = hs(TOE_HSTAT_TCP_NO_SLOT) == ns;
    advance(TOE_TCP_SLOT_WAIT_US + 1000);
    int after = 0;
    for (toe_sock *s = tcp_get(d)->socks; s; s = s->next)
        after += s->parent == l;
    CHECK(children == 2 && no_slot_yet && after == 1 && hs(TOE_HSTAT_TCP_NO_SLOT) == ns + 1 &&
              hs(TOE_HSTAT_TCP_LISTEN_DROP) == ld + 1,
          "test_listen_two_syns_one_slot_freed_second_waits_then_dropped (%d, %d children)",
          children, after);
    toe_tcp_abort(oldest_child(l));
    /* The SYN before the news that a connection ended (the device reports the end after
     * the segment is processed; the SYN goes up at once): it waits for that slot. */
    open_active(&c, OPT_MSS, 4, 5000);
    hold_other_slots(&c);
    ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    mock_tcp_seg(&m, PEER, 35005, 8080, 7000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    turns(3);
    toe_sock *ch = oldest_child(l);
    int waits = ch && ch->slot < 0 && ch->state == TOE_TCPS_SYN_RCVD;
    m.time_us += 300000;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(5);
    struct tseg t;
    CHECK(waits && ch == oldest_child(l) && ch->slot == c.slot && !raw_seg(0, &t) &&
              t.flags == (TH_SYN | TH_ACK) && t.dport == 35005 && hs(TOE_HSTAT_TCP_NO_SLOT) == ns,
          "test_listen_syn_before_end_of_connection_waits_for_its_slot");
    toe_tcp_close(c.s, 0);
    release_other_slots();
    toe_tcp_close(l, 0);
    turns(3);
    advance(2100000);
    CHECK(nsocks() == 0 && tw_entries(NULL) == 0, "test_slot_reuse_no_leak (%u sockets)", nsocks());
}

/* ---- continuations: CSR sequences that span turns ------------------------------------ */

/* Index of the first (last: first 0) command cmd for slot in the log, -1 if none. */
static int cmd_at(unsigned cmd, int slot, int first)
{
    int at = -1;
    for (unsigned i = 0; i < m.ncmd; i++)
        if ((m.cmdlog[i] >> 8) == cmd && (m.cmdlog[i] & 0xff) == (unsigned)slot) {
            at = (int)i;
            if (first)
                break;
        }
    return at;
}

/* Turns for ms of host time (CSR resends run on it; the mock's reads do not wait), with the
 * mock's device time keeping up, as a board's does. */
static void turns_for(int ms)
{
    uint64_t end = toe_now_ms() + (uint64_t)ms;
    while (toe_now_ms() < end) {
        toe_poll(d, 0);
        nanosleep(&(struct timespec){0, 5000000}, NULL);
        m.time_us += 5000;
    }
}

static void test_continuations(void)
{
    struct conn c;
    toe_sock *l;
    struct tseg t;
    toe_tcp_socket(d, &l);
    toe_tcp_listen(l, 8080, 4);

    /* A SYN in the turn a RST ends the connection on the last slot, the FREE's answer lost:
     * the SYN's connection takes the slot at once, and its programming (OPEN) goes out only
     * after the resent FREE is answered, so the FREE cannot end the new connection. */
    open_active(&c, OPT_MSS, 4, 5000);
    hold_other_slots(&c);
    uint64_t ns = hs(TOE_HSTAT_TCP_NO_SLOT);
    m.ncmd = 0;
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, 0, TH_RST, 0, NULL, 0, NULL, 0);
    mock_tcp_seg(&m, PEER, 35010, 8080, 7000, 0, TH_SYN, 29200, OPT_MSS, 4, NULL, 0);
    m.drop_resps = 1; /* the FREE's */
    turns(1);
    toe_sock *ch = oldest_child(l);
    int took = ch && ch->slot == c.slot && tcp_get(d)->slot_freeing[c.slot] == FREEING_SENT;
    turns(4);
    int waited = ch && ch->state == TOE_TCPS_SYN_RCVD && cmd_at(TOE_CMD_OPEN, c.slot, 1) < 0;
    turns_for(200);
    CHECK(took && waited && cmd_at(TOE_CMD_FREE, c.slot, 0) >= 0 &&
              mock_cmd_count(&m, TOE_CMD_FREE, c.slot) == 2 &&
              cmd_at(TOE_CMD_OPEN, c.slot, 1) > cmd_at(TOE_CMD_FREE, c.slot, 0) &&
              (slotf(c.slot, TOE_FIELD_FLAGS) & TOE_CONST_SF_VALID) && !raw_seg(0, &t) &&
              t.flags == (TH_SYN | TH_ACK) && t.dport == 35010 && hs(TOE_HSTAT_TCP_NO_SLOT) == ns,
          "test_listen_syn_while_free_unanswered_takes_slot_open_after_free (took %d waited %d, "
          "FREE %u at %d, OPEN at %d, flags 0x%x, seg 0x%x to %u)",
          took, waited, mock_cmd_count(&m, TOE_CMD_FREE, c.slot), cmd_at(TOE_CMD_FREE, c.slot, 0),
          cmd_at(TOE_CMD_OPEN, c.slot, 1), slotf(c.slot, TOE_FIELD_FLAGS), t.flags, t.dport);
    toe_tcp_close(c.s, 0);
    toe_tcp_abort(oldest_child(l));
    release_other_slots();
    turns(3);

    /* An abort whose slot read goes unanswered once: resent, and the RST carries the
     * device's SND.NXT. */
    open_active(&c, OPT_MSS, 4, 5000);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_SND_NXT)] = c.iss + 1 + 77;
    unsigned fr = mock_cmd_count(&m, TOE_CMD_FREE, c.slot);
    uint64_t rt = hs(TOE_HSTAT_CSR_RETRIES), rst = hs(TOE_HSTAT_TCP_RST_TX);
    m.drop_resps = 1;
    toe_tcp_abort(c.s);
    turns(2);
    CHECK(hs(TOE_HSTAT_CSR_RETRIES) >= rt + 1 && hs(TOE_HSTAT_TCP_RST_TX) == rst + 1 &&
              !raw_seg(0, &t) && (t.flags & TH_RST) && t.seq == c.iss + 1 + 77 &&
              mock_cmd_count(&m, TOE_CMD_FREE, c.slot) == fr + 1 && nsocks() == 1,
          "test_established_abort_read_lost_resent_completes (seq +%u)", t.seq - c.iss - 1);

    /* An RTO sequence whose slot read is lost, then a RST: the sequence ends there (no
     * RETRANSMIT, no CWND write) and the slot is freed. */
    open_active(&c, OPT_MSS, 4, 5000);
    size_t sent = 0;
    static const char data[100] = "rto";
    toe_tcp_send(c.s, data, sizeof(data), &sent, 0);
    turns(2);
    uint32_t cwnd0 = slotf(c.slot, TOE_FIELD_CWND);
    m.silent = 1;
    for (int i = 0; i < 6 && !(c.s->cont & C_RTO); i++)
        advance(1100000);
    int in_rto = (c.s->cont & C_RTO) != 0;
    m.silent = 0;
    fr = mock_cmd_count(&m, TOE_CMD_FREE, c.slot);
    unsigned rx0 = mock_cmd_count(&m, TOE_CMD_RETRANSMIT, c.slot);
    mock_tcp_seg(&m, PEER, 80, c.lport, IRS + 1, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(1);
    int ended = !(c.s->cont & C_RTO) && c.s->slot < 0;
    turns_for(200);
    CHECK(sent == sizeof(data) && in_rto && ended && c.s->err == TOE_ECONNRESET &&
              mock_cmd_count(&m, TOE_CMD_RETRANSMIT, c.slot) == rx0 &&
              slotf(c.slot, TOE_FIELD_CWND) == cwnd0 &&
              mock_cmd_count(&m, TOE_CMD_FREE, c.slot) == fr + 1,
          "test_established_rto_read_lost_then_rst_ends_sequence (in %d ended %d)", in_rto,
          ended);
    toe_tcp_close(c.s, 0);

    /* A non-blocking connect whose next hop never answers ARP: the work step waits without
     * turning the engine itself, and reports the failure once the ARP tries are over. */
    toe_sock *a;
    toe_tcp_socket(d, &a);
    uint64_t af = hs(TOE_HSTAT_ARP_FAIL);
    int r = toe_tcp_connect(a, 0x0a000209, 80, 0);
    int waiting = r == TOE_EAGAIN && (a->work & W_ARP) && a->slot >= 0;
    /* ARP gives up after TOE_ARP_TRIES of TOE_ARP_RETRY_MS device time (bounded wait). */
    for (int i = 0; i < 3 * TOE_ARP_TRIES * 10 && hs(TOE_HSTAT_ARP_FAIL) == af; i++)
        turns_for(TOE_ARP_RETRY_MS / 10);
    r = toe_tcp_connect(a, 0x0a000209, 80, 0);
    CHECK(waiting && r == TOE_EUNREACH && hs(TOE_HSTAT_ARP_FAIL) == af + 1 && a->slot < 0,
          "test_syn_sent_arp_unanswered_unreachable (%s, waiting %d)", toe_error_name(r), waiting);
    toe_tcp_close(a, 0);
    toe_tcp_close(l, 0);
    turns(3);
    CHECK(nsocks() == 0, "test_continuations_no_leak (%u sockets)", nsocks());
}

/* Urgent data (RFC 6093): SND_UP moves to the end of urgent data ahead of it; the peer's mark
 * (EVF_URGENT, RCV_UP) shows in toe_tcp_urgent_mark and TOE_POLLPRI, and a read stops there. */
static void test_established_urgent(void)
{
    struct conn c;
    open_active(&c, OPT_MSS, 4, 65535);
    size_t sent = 0, until = 99;
    int r = toe_tcp_send(c.s, "ab", 2, &sent, 1000);
    turns(1);
    uint32_t up0 = slotf(c.slot, TOE_FIELD_SND_UP);
    r |= toe_tcp_send_urgent(c.s, "OOB", 3, &sent, 1000);
    turns(1);
    CHECK(r == 0 && up0 == c.iss + 1 && slotf(c.slot, TOE_FIELD_SND_UP) == c.iss + 1 + 5 &&
              m.tx_data_snd_up == c.iss + 1 + 5,
          "test_established_send_urgent_sets_snd_up_before_data (0x%x, at TX_DATA 0x%x)",
          slotf(c.slot, TOE_FIELD_SND_UP) - c.iss, m.tx_data_snd_up - c.iss);
    static uint8_t big[2500];
    r = toe_tcp_send_urgent(c.s, big, sizeof big, &sent, 1000);
    turns(1);
    uint32_t end = c.iss + 1 + 5 + sizeof big;
    int ok = r == 0 && slotf(c.slot, TOE_FIELD_SND_UP) == end && m.tx_data_snd_up == end;
    r = toe_tcp_send(c.s, "x", 1, &sent, 1000);
    turns(1);
    CHECK(ok && r == 0 && slotf(c.slot, TOE_FIELD_SND_UP) == end &&
              toe_tcp_send_urgent(c.s, "x", 0, &sent, 0) == TOE_EINVAL,
          "test_established_send_urgent_spans_messages_then_normal_send");
    /* The peer's urgent data: 10 bytes in, the mark after the 6th. */
    CHECK(toe_tcp_urgent_mark(c.s, &until) == TOE_EAGAIN && until == 0,
          "test_established_no_urgent_eagain");
    mock_rx_data(&m, c.slot, IRS + 1, "0123456789", 10);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_RCV_UP)] = IRS + 1 + 6;
    mock_slot_event(&m, c.slot, TOE_CONST_EVF_URGENT, c.iss + 1, 65535, IRS + 11,
                    TOE_CONST_RTT_NONE);
    turns(3);
    struct toe_tcp_pollfd pf = {c.s, TOE_POLLIN | TOE_POLLPRI, 0};
    int pr = toe_tcp_poll(&pf, 1, 0);
    r = toe_tcp_urgent_mark(c.s, &until);
    CHECK(r == 0 && until == 6 && pr == 1 && pf.revents == (TOE_POLLIN | TOE_POLLPRI),
          "test_established_urgent_event_mark_and_pollpri (%s, %zu, revents 0x%x)",
          toe_error_name(r), until, pf.revents);
    uint8_t b[32];
    size_t got = 0, got2 = 0;
    r = toe_tcp_recv(c.s, b, sizeof b, &got, 0);
    int r2 = toe_tcp_urgent_mark(c.s, &until);
    pr = toe_tcp_poll(&pf, 1, 0);
    int r3 = toe_tcp_recv(c.s, b + got, sizeof b - got, &got2, 0);
    CHECK(r == 0 && got == 6 && r2 == TOE_EAGAIN && pf.revents == TOE_POLLIN && r3 == 0 &&
              got2 == 4 && !memcmp(b, "0123456789", 10),
          "test_established_recv_stops_at_urgent_mark (%zu then %zu, revents 0x%x)", got, got2,
          pf.revents);
    toe_tcp_abort(c.s);
    turns(2);
}

/* TTL and DS field (MUST-48/49): on the host's own segments and in the slot, written only if
 * set; children of a listener take the listener's. */
static void test_established_ttl_tos(void)
{
    toe_sock *s;
    toe_tcp_socket(d, &s);
    CHECK(toe_tcp_setopt(s, TOE_TCP_TTL, 256) == TOE_EINVAL &&
              toe_tcp_setopt(s, TOE_TCP_TTL, -1) == TOE_EINVAL &&
              toe_tcp_setopt(s, TOE_TCP_TOS, 0xb9) == TOE_EINVAL &&
              toe_tcp_setopt(s, TOE_TCP_TOS, 256) == TOE_EINVAL &&
              toe_tcp_setopt(s, TOE_TCP_TTL, 10) == 0 && toe_tcp_setopt(s, TOE_TCP_TOS, 0xb8) == 0,
          "test_closed_setopt_ttl_tos_values_checked (%s)", toe_last_error(d));
    toe_tcp_connect(s, PEER, 80, 0);
    struct tseg syn, t;
    raw_seg(0, &syn);
    mock_tcp_seg(&m, PEER, 80, syn.sport, IRS, syn.seq + 1, TH_SYN | TH_ACK, 5000, OPT_MSS, 4,
                 NULL, 0);
    int r = toe_tcp_connect(s, PEER, 80, 1000);
    int sl = s->slot;
    CHECK(r == 0 && syn.ttl == 10 && syn.tos == 0xb8 &&
              slotf(sl, TOE_FIELD_IP_TTL_TOS) == (10u | 0xb8u << 8),
          "test_syn_sent_ttl_tos_on_syn_and_slot (ttl %u tos 0x%x field 0x%x)", syn.ttl, syn.tos,
          slotf(sl, TOE_FIELD_IP_TTL_TOS));
    r = toe_tcp_setopt(s, TOE_TCP_TTL, 200);
    toe_tcp_abort(s);
    CHECK(r == 0 && slotf(sl, TOE_FIELD_IP_TTL_TOS) == (200u | 0xb8u << 8) && !raw_seg(0, &t) &&
              (t.flags & TH_RST) && t.ttl == 200 && t.tos == 0xb8,
          "test_established_setopt_ttl_while_open_slot_and_rst (field 0x%x ttl %u)",
          slotf(sl, TOE_FIELD_IP_TTL_TOS), t.ttl);
    /* The next connection on the slot, with the defaults: TTL 64, DS 0, and the slot's
     * fields from the last one overwritten (IP_TTL_TOS 0, SND_UP at ISS + 1). */
    m.csr[MOCK_SLOT(sl, TOE_FIELD_SND_UP)] = 0x12345678;
    turns(2); /* the slot's FREE answered: free again (a freeing slot is taken last) */
    struct conn c;
    open_active(&c, OPT_MSS, 4, 5000);
    raw_seg(0, &syn);
    CHECK(c.slot == sl && slotf(sl, TOE_FIELD_IP_TTL_TOS) == 0 &&
              slotf(sl, TOE_FIELD_SND_UP) == c.iss + 1 && syn.flags == TH_SYN && syn.ttl == 64 &&
              syn.tos == 0,
          "test_syn_sent_defaults_reprogram_slot_ttl_tos_snd_up (ttl %u, field 0x%x)", syn.ttl,
          slotf(sl, TOE_FIELD_IP_TTL_TOS));
    toe_tcp_abort(c.s);
    /* A listener's TTL on the SYN-ACK of its connections. */
    toe_sock *l;
    toe_tcp_socket(d, &l);
    toe_tcp_setopt(l, TOE_TCP_TTL, 33);
    toe_tcp_listen(l, 8099, 2);
    mock_tcp_seg(&m, PEER, 35000, 8099, 1, 0, TH_SYN, 1000, OPT_MSS, 4, NULL, 0);
    turns(3);
    CHECK(!raw_seg(0, &t) && t.flags == (TH_SYN | TH_ACK) && t.ttl == 33,
          "test_listen_ttl_on_synack (ttl %u)", t.ttl);
    toe_tcp_close(l, 0);
    turns(3);
    CHECK(nsocks() == 0, "test_established_ttl_tos_no_leak (%u sockets)", nsocks());
}

/* The device's traffic source and sink (toe_tcp_traffic): the fields written at the start,
 * progress from the events and the unit's count, the stream taken over where the device left
 * it; what may not be asked is refused. */
static void test_established_traffic(void)
{
    struct conn c;
    open_active(&c, OPT_MSS, 4, 5000);
    struct toe_traffic_info ti;
    size_t sent = 0;
    CHECK(toe_tcp_traffic(c.s, 3, 0) == TOE_EINVAL &&
              toe_tcp_traffic(c.s, TOE_TRAFFIC_OFF, 0) == TOE_EINVAL &&
              toe_tcp_traffic_info(c.s, &ti) == TOE_EINVAL && toe_tcp_traffic(NULL, 1, 0) == TOE_EINVAL,
          "test_established_traffic_bad_requests_refused (%s)", toe_last_error(d));
    toe_tcp_send(c.s, "ab", 2, &sent, 1000);
    turns(1);
    uint32_t base = c.iss + 1 + 2;
    int r0 = toe_tcp_traffic(c.s, TOE_TRAFFIC_SOURCE, 5000);
    mock_slot_event(&m, c.slot, 0, base, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(3);
    int r = toe_tcp_traffic(c.s, TOE_TRAFFIC_SOURCE, 5000);
    CHECK(r0 == TOE_EAGAIN && r == 0 &&
              slotf(c.slot, TOE_FIELD_TRAFFIC) == TOE_CONST_TRAFFIC_SOURCE &&
              slotf(c.slot, TOE_FIELD_TRAFFIC_SEQ) == base &&
              slotf(c.slot, TOE_FIELD_TRAFFIC_LEN) == 5000 &&
              toe_tcp_traffic(c.s, TOE_TRAFFIC_SINK, 0) == TOE_EINVAL &&
              toe_tcp_send(c.s, "x", 1, &sent, 0) == TOE_EINVAL,
          "test_established_traffic_source_start_after_the_ack (%s, %s)", toe_error_name(r0),
          toe_error_name(r));
    /* The device generated 3000 bytes, the peer acknowledged 1200 of them. */
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_TRAFFIC_LEN)] = 3000;
    mock_slot_event(&m, c.slot, 0, base + 1200, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(3);
    r = toe_tcp_traffic_info(c.s, &ti);
    CHECK(r == 0 && ti.mode == TOE_TRAFFIC_SOURCE && ti.bytes == 3000 && ti.done == 1200,
          "test_established_traffic_source_progress (mode %d, bytes %llu, done %llu)", ti.mode,
          (unsigned long long)ti.bytes, (unsigned long long)ti.done);
    /* Stopped at 3000: the host's TX_END follows, SND.UNA as the events showed it. */
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_TRAFFIC_SEQ)] = base + 3000;
    r = toe_tcp_traffic(c.s, TOE_TRAFFIC_OFF, 0);
    struct toe_tcp_info in;
    toe_tcp_sockinfo(c.s, &in);
    int r2 = toe_tcp_send(c.s, "y", 1, &sent, 1000);
    turns(1);
    CHECK(r == 0 && in.tx_end == base + 3000 && in.snd_una == base + 1200 && r2 == 0 &&
              slotf(c.slot, TOE_FIELD_TRAFFIC) == TOE_CONST_TRAFFIC_OFF &&
              toe_tcp_traffic_info(c.s, &ti) == 0 && ti.bytes == 3000,
          "test_established_traffic_source_stop_takes_over (tx_end +%u, una +%u, %s)",
          in.tx_end - base, in.snd_una - base, toe_error_name(r2));
    /* Sink: the credit floor is the host's last RX_CONSUMED; the stream goes on after what the
     * device took. */
    r = toe_tcp_traffic(c.s, TOE_TRAFFIC_SINK, 0);
    uint32_t floor = slotf(c.slot, TOE_FIELD_TRAFFIC_SEQ);
    CHECK(r == 0 && slotf(c.slot, TOE_FIELD_TRAFFIC) == TOE_CONST_TRAFFIC_SINK &&
              floor == c.s->rx_cons_sent,
          "test_established_traffic_sink_start (floor IRS + %u)", floor - IRS);
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_TRAFFIC_SEQ)] = IRS + 1 + 4000;
    m.csr[MOCK_SLOT(c.slot, TOE_FIELD_TRAFFIC_LEN)] = 4000;
    r = toe_tcp_traffic(c.s, TOE_TRAFFIC_OFF, 0);
    mock_rx_data(&m, c.slot, IRS + 1 + 4000, "after", 5);
    turns(3);
    uint8_t b[16];
    size_t got = 0;
    r2 = toe_tcp_recv(c.s, b, sizeof b, &got, 0);
    CHECK(r == 0 && r2 == 0 && got == 5 && !memcmp(b, "after", 5),
          "test_established_traffic_sink_stop_takes_over (%s, %zu bytes)", toe_error_name(r2), got);
    toe_tcp_abort(c.s);
    turns(2);
}

/* A test on another device: the shared mock and handle are set aside and a fresh mock set up
 * (the test changes it, then opens it as `d`); the end aborts the test's connection, closes
 * that device and puts the shared one back. */
struct other_device {
    struct mock_dev *m;
    toe_dev *d;
};

static struct other_device other_device_begin(void)
{
    struct other_device o = {malloc(sizeof(m)), d};
    memcpy(o.m, &m, sizeof(m));
    mock_init(&m);
    return o;
}

static void other_device_end(struct other_device o, struct conn *c)
{
    if (d) {
        toe_tcp_abort(c->s);
        toe_close(d);
    }
    mock_free(&m);
    memcpy(&m, o.m, sizeof(m));
    free(o.m);
    d = o.d;
}

/* A device from before the slot fields IP_TTL_TOS, SND_UP and RCV_UP: connections work as
 * before (the fields are not written), the options that need them say so. */
static void test_closed_device_without_new_fields(void)
{
    struct other_device o = other_device_begin();
    m.old_fields = 1;
    d = mock_open(&m, 1, 50, 3);
    toe_sock *x = NULL;
    int r0 = d ? toe_tcp_socket(d, &x) : -1;
    CHECK(r0 == 0 && !strcmp(toe_last_error(d), ""),
          "test_closed_device_without_new_fields_probe_leaves_no_error (%s)",
          d ? toe_last_error(d) : "");
    toe_tcp_close(x, 0);
    struct conn c;
    int r = d ? open_active(&c, OPT_MSS, 4, 5000) : -1;
    size_t sent = 9;
    CHECK(r == 0 && toe_tcp_traffic(c.s, TOE_TRAFFIC_SOURCE, 0) == TOE_ENOTSUP &&
              toe_tcp_send(c.s, "ab", 2, &sent, 1000) == 0 &&
              toe_tcp_send_urgent(c.s, "x", 1, &sent, 0) == TOE_ENOTSUP && sent == 0 &&
              toe_tcp_setopt(c.s, TOE_TCP_TTL, 5) == TOE_ENOTSUP &&
              hs(TOE_HSTAT_TCP_ASYNC_FAIL) == 0,
          "test_closed_device_without_new_fields_works (%d, %s)", r, d ? toe_last_error(d) : "");
    other_device_end(o, &c);
}

/* A device built without the traffic unit (TRAFFIC=0: CAPS_TRAFFIC clear): a start is
 * refused at once with TOE_ENOTSUP, before any slot field is written. */
static void test_established_traffic_without_unit(void)
{
    struct other_device o = other_device_begin();
    m.csr[TOE_CSR_CAPS] &= ~TOE_CONST_CAPS_TRAFFIC;
    d = mock_open(&m, 1, 50, 3);
    struct conn c;
    int r = d ? open_active(&c, OPT_MSS, 4, 5000) : -1;
    int rs = r ? r : toe_tcp_traffic(c.s, TOE_TRAFFIC_SOURCE, 5000);
    int rk = r ? r : toe_tcp_traffic(c.s, TOE_TRAFFIC_SINK, 0);
    CHECK(r == 0 && rs == TOE_ENOTSUP && rk == TOE_ENOTSUP &&
              strstr(toe_last_error(d), "no traffic unit") &&
              slotf(c.slot, TOE_FIELD_TRAFFIC) == 0 && slotf(c.slot, TOE_FIELD_TRAFFIC_LEN) == 0,
          "test_established_traffic_without_unit_refused (%s, %s: %s)", toe_error_name(rs),
          toe_error_name(rk), d ? toe_last_error(d) : "");
    other_device_end(o, &c);
}

/* ICMP errors (RFC 1122 4.2.3.9, RFC 5927, RFC 1191). */
#define ROUTER 0x0a000201u

static toe_sock *connecting(struct tseg *syn)
{
    toe_sock *s = NULL;
    toe_tcp_socket(d, &s);
    if (toe_tcp_connect(s, PEER, 80, 0) != TOE_EAGAIN || raw_seg(0, syn) || syn->flags != TH_SYN)
        printf("FAIL connecting: no SYN\n"), mock_failures++;
    return s;
}

/* RFC 1122 2.3.2.1: an unanswered SYN is negative advice about the next hop's ARP entry. The
 * peer's MAC changes (or the first reply was corrupted on the way: ARP has no checksum); the
 * retransmission asks again and the next SYN goes to the MAC the answer gave. */
static void test_syn_sent_arp_revalidate(void)
{
    static const uint8_t old_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    static const uint8_t new_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x99};
    toe_sock *s;
    toe_tcp_socket(d, &s);
    int r = toe_tcp_connect(s, PEER, 80, 0);
    const struct mock_raw *raw = mock_raw_back(&m, 0);
    CHECK(r == TOE_EAGAIN && raw && !memcmp(raw->f, old_mac, 6), "test_syn_sent_first_syn_to_cached_mac");
    memcpy(m.peers[0].mac, new_mac, 6);
    unsigned req0 = m.arp_req;
    uint64_t rv0 = hs(TOE_HSTAT_ARP_REVALIDATE);
    advance(1100000);
    CHECK(m.arp_req == req0 + 1 && hs(TOE_HSTAT_ARP_REVALIDATE) == rv0 + 1,
          "test_syn_sent_retransmit_revalidates_arp (%u requests)", m.arp_req - req0);
    advance(2100000);
    struct tseg t;
    raw = mock_raw_back(&m, 0);
    CHECK(!raw_seg(0, &t) && t.flags == TH_SYN && !memcmp(raw->f, new_mac, 6),
          "test_syn_sent_retransmit_to_new_mac");
    toe_tcp_close(s, 0);
    /* Back to the MAC the other tests expect. */
    memcpy(m.peers[0].mac, old_mac, 6);
    toe_sock *s2;
    toe_tcp_socket(d, &s2);
    toe_tcp_connect(s2, PEER, 80, 0);
    advance(1100000);
    toe_tcp_close(s2, 0);
    turns(4);
}

static void test_syn_sent_icmp(void)
{
    struct tseg syn;
    uint64_t rx0 = hs(TOE_HSTAT_TCP_ICMP_RX), drop0 = hs(TOE_HSTAT_TCP_ICMP_DROP);
    /* Port unreachable for our SYN: a hard error, the connect ends refused. */
    toe_sock *s = connecting(&syn);
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, syn.sport, 80, syn.seq, 44);
    int r = toe_tcp_connect(s, PEER, 80, 1000);
    CHECK(r == TOE_ECONNREFUSED && s->state == TOE_TCPS_CLOSED &&
              hs(TOE_HSTAT_TCP_ICMP_RX) == rx0 + 1,
          "test_syn_sent_icmp_port_unreachable_refused (%s)", toe_error_name(r));
    toe_tcp_close(s, 0);
    /* Administratively prohibited: TOE_EUNREACH. */
    s = connecting(&syn);
    mock_icmp_err(&m, ROUTER, 3, 13, 0, PEER, syn.sport, 80, syn.seq, 44);
    r = toe_tcp_connect(s, PEER, 80, 1000);
    CHECK(r == TOE_EUNREACH, "test_syn_sent_icmp_prohibited_eunreach (%s)", toe_error_name(r));
    toe_tcp_close(s, 0);
    /* Not for a segment of ours: another sequence number, another port, a bad checksum. */
    s = connecting(&syn);
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, syn.sport, 80, syn.seq + 1, 44);
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, (uint16_t)(syn.sport + 1), 80, syn.seq, 44);
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, syn.sport, 81, syn.seq, 44);
    turns(3);
    CHECK(s->state == TOE_TCPS_SYN_SENT && hs(TOE_HSTAT_TCP_ICMP_DROP) == drop0 + 3 &&
              hs(TOE_HSTAT_TCP_ICMP_RX) == rx0 + 2,
          "test_syn_sent_icmp_not_ours_dropped (%llu dropped)",
          (unsigned long long)(hs(TOE_HSTAT_TCP_ICMP_DROP) - drop0));
    /* Host unreachable: a soft error, the SYN goes on; reported when the attempt times out. */
    mock_icmp_err(&m, ROUTER, 3, 1, 0, PEER, syn.sport, 80, syn.seq, 44);
    turns(3);
    struct toe_tcp_info in;
    toe_tcp_sockinfo(s, &in);
    CHECK(s->state == TOE_TCPS_SYN_SENT && in.soft_error == TOE_EUNREACH,
          "test_syn_sent_icmp_host_unreachable_soft");
    for (int i = 0; i < 4; i++)
        advance(60000000);
    r = toe_tcp_connect(s, PEER, 80, 0);
    CHECK(r == TOE_EUNREACH, "test_syn_sent_timeout_reports_icmp_soft_error (%s)",
          toe_error_name(r));
    toe_tcp_close(s, 0);
    /* An ICMP error about UDP (say, a DNS query) is left for toe_raw_recv; one about TCP is
     * not, even for no connection (dropped, counted). */
    uint8_t f[200];
    size_t fl = 0;
    while (toe_raw_recv(d, f, sizeof f, &fl, NULL, NULL, 0) == 0)
        ;
    drop0 = hs(TOE_HSTAT_TCP_ICMP_DROP);
    m.icmp_qproto = 17;
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, 5353, 53, 0, 44);
    m.icmp_qproto = 0;
    turns(2);
    r = toe_raw_recv(d, f, sizeof f, &fl, NULL, NULL, 0);
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, 5353, 53, 0, 44);
    turns(2);
    CHECK(r == 0 && fl == 14 + 56 && f[14 + 20] == 3 &&
              toe_raw_recv(d, f, sizeof f, &fl, NULL, NULL, 0) == TOE_EAGAIN &&
              hs(TOE_HSTAT_TCP_ICMP_DROP) == drop0 + 1,
          "test_closed_icmp_about_udp_left_about_tcp_consumed");
    CHECK(nsocks() == 0, "test_syn_sent_icmp_no_leak (%u sockets)", nsocks());
}

static void test_established_icmp(void)
{
    struct conn c;
    open_with_data(&c);
    uint32_t una = c.iss + 1;
    uint64_t drop0 = hs(TOE_HSTAT_TCP_ICMP_DROP), pm0 = hs(TOE_HSTAT_TCP_PMTU);
    unsigned rx0 = mock_cmd_count(&m, TOE_CMD_RETRANSMIT, c.slot);
    /* A sequence number beyond what was sent, or before SND.UNA: dropped (RFC 5927). */
    mock_icmp_err(&m, ROUTER, 3, 4, 1280, PEER, c.lport, 80, una + 3001, 1500);
    mock_icmp_err(&m, ROUTER, 3, 4, 1280, PEER, c.lport, 80, una - 10, 1500);
    turns(3);
    CHECK(hs(TOE_HSTAT_TCP_ICMP_DROP) == drop0 + 2 && c.s->mss == 1460 &&
              slotf(c.slot, TOE_FIELD_MSS) == 1460,
          "test_established_icmp_seq_not_in_flight_dropped");
    /* Fragmentation Needed, next hop MTU 1280: MSS 1240 in the slot, go back to SND.UNA. */
    mock_icmp_err(&m, ROUTER, 3, 4, 1280, PEER, c.lport, 80, una + 1460, 1500);
    turns(3);
    CHECK(c.s->mss == 1240 && slotf(c.slot, TOE_FIELD_MSS) == 1240 &&
              mock_cmd_count(&m, TOE_CMD_RETRANSMIT, c.slot) == rx0 + 1 &&
              hs(TOE_HSTAT_TCP_PMTU) == pm0 + 1,
          "test_established_icmp_frag_needed_lowers_mss_and_resends (MSS %u, field 0x%x)",
          c.s->mss, slotf(c.slot, TOE_FIELD_MSS));
    /* Never raised by ICMP; an old router's 0 takes the plateau below the quoted length; a
     * tiny MTU stops at 536. */
    mock_icmp_err(&m, ROUTER, 3, 4, 1400, PEER, c.lport, 80, una, 1240);
    turns(3);
    uint16_t m1 = c.s->mss;
    mock_icmp_err(&m, ROUTER, 3, 4, 0, PEER, c.lport, 80, una, 1280);
    turns(3);
    uint16_t m2 = c.s->mss;
    mock_icmp_err(&m, ROUTER, 3, 4, 300, PEER, c.lport, 80, una, 1006);
    turns(3);
    CHECK(m1 == 1240 && m2 == 1006 - 40 && c.s->mss == 536 && slotf(c.slot, TOE_FIELD_MSS) == 536 &&
              mock_cmd_count(&m, TOE_CMD_RETRANSMIT, c.slot) == rx0 + 3,
          "test_established_icmp_pmtu_lower_only_plateau_floor (%u %u %u)", m1, m2, c.s->mss);
    /* Port unreachable on a synchronized connection: soft (RFC 5461); the user timeout then
     * reports it. */
    mock_icmp_err(&m, ROUTER, 3, 3, 0, PEER, c.lport, 80, una, 1500);
    turns(3);
    struct toe_tcp_info in;
    toe_tcp_sockinfo(c.s, &in);
    CHECK(c.s->state == TOE_TCPS_ESTABLISHED && in.soft_error == TOE_ECONNREFUSED,
          "test_established_icmp_hard_error_soft (%s)", toe_error_name(in.soft_error));
    /* Anything from the peer clears it. */
    mock_slot_event(&m, c.slot, 0, una + 100, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(2);
    toe_tcp_sockinfo(c.s, &in);
    int cleared = in.soft_error == 0;
    una += 100;
    mock_icmp_err(&m, ROUTER, 11, 0, 0, PEER, c.lport, 80, una, 1500);
    turns(3);
    for (int i = 0; i < 30 && c.s->state == TOE_TCPS_ESTABLISHED; i++)
        advance(10000000);
    CHECK(cleared && c.s->state == TOE_TCPS_CLOSED && c.s->err == TOE_EUNREACH,
          "test_established_user_timeout_reports_icmp_soft_error (%s, cleared %d)",
          toe_error_name(c.s->err), cleared);
    toe_tcp_close(c.s, 0);
    CHECK(nsocks() == 0, "test_established_icmp_no_leak (%u sockets)", nsocks());
}

/* IPv4 options on a slow-path segment are ignored, whatever the header length (IHL 6..15,
 * RFC 1122 MUST-50): the SYN is answered, the RST taken. */
static void test_listen_syn_ip_options(void)
{
    toe_sock *l;
    toe_tcp_socket(d, &l);
    toe_tcp_listen(l, 8090, 2);
    m.seg_ip_opt_words = 1;
    mock_tcp_seg(&m, PEER, 34000, 8090, 777, 0, TH_SYN, 1000, OPT_MSS, 4, NULL, 0);
    turns(3);
    struct tseg t;
    toe_sock *ch = oldest_child(l);
    CHECK(ch && ch->state == TOE_TCPS_SYN_RCVD && ch->mss == 1460 && !raw_seg(0, &t) &&
              t.flags == (TH_SYN | TH_ACK) && t.ack == 778 && t.dport == 34000,
          "test_listen_syn_ip_options_ihl6_answered (flags 0x%x ack %u)", t.flags, t.ack);
    m.seg_ip_opt_words = 10;
    uint64_t rst = hs(TOE_HSTAT_TCP_RST_RX);
    mock_tcp_seg(&m, PEER, 34000, 8090, 778, 0, TH_RST, 0, NULL, 0, NULL, 0);
    turns(3);
    m.seg_ip_opt_words = 0;
    /* The child is gone (freed: not read again), back to LISTEN. */
    CHECK(ch && hs(TOE_HSTAT_TCP_RST_RX) == rst + 1 && !oldest_child(l),
          "test_syn_rcvd_rst_ip_options_ihl15_taken");
    toe_tcp_close(l, 0);
    turns(3);
    CHECK(nsocks() == 0, "test_listen_ip_options_no_leak (%u sockets)", nsocks());
}

/* The RTO of data sent after a quiet spell runs from the device's answer to a time probe, not
 * from the last device time the host saw (long past), and not from a first firing either. */
static void test_established_rto_start(void)
{
    struct conn c;
    CHECK(open_active(&c, OPT_MSS_WS7, 8, 65535) == 0, "test_established_rto_start_open");
    m.time_us += 150000; /* quiet, shorter than the RTO: nothing tells the host */
    uint64_t t_send = m.time_us;
    uint8_t b[100] = {0};
    size_t sent = 0;
    int r = toe_tcp_send(c.s, b, sizeof b, &sent, 1000);
    turns(2);
    struct toe_tcp_info in;
    toe_tcp_sockinfo(c.s, &in);
    CHECK(r == 0 && sent == sizeof b && !c.s->rto_stale && c.s->rto_at >= t_send + in.rto_us &&
              c.s->rto_at <= m.time_us + in.rto_us,
          "test_established_rto_starts_at_device_time (%llu us after the send, rto %u)",
          (unsigned long long)(c.s->rto_at - t_send), in.rto_us);
    toe_tcp_abort(c.s);
    turns(2);
}

/* TOE_TCP_SNDBUF bounds what is kept with the device unacknowledged, within the TX ring. */
static void test_established_sndbuf(void)
{
    struct conn c;
    CHECK(open_active(&c, OPT_MSS, 4, 65535) == 0, "test_established_sndbuf_open");
    CHECK(toe_tcp_setopt(c.s, TOE_TCP_SNDBUF, -1) == TOE_EINVAL &&
              toe_tcp_setopt(c.s, TOE_TCP_SNDBUF, RING + 1) == TOE_EINVAL &&
              toe_tcp_setopt(c.s, TOE_TCP_SNDBUF, 1000) == 0,
          "test_established_sndbuf_range");
    uint8_t b[3000] = {1};
    size_t sent = 0;
    int r = toe_tcp_send(c.s, b, sizeof b, &sent, 0);
    turns(1);
    CHECK(r == 0 && sent == 1000 && m.txlog_len[c.slot] == 1000,
          "test_established_sndbuf_limits_send (%s, %zu sent)", toe_error_name(r), sent);
    mock_slot_event(&m, c.slot, 0, c.iss + 1 + 600, 65535, IRS + 1, TOE_CONST_RTT_NONE);
    turns(1);
    r = toe_tcp_send(c.s, b, sizeof b, &sent, 0);
    CHECK(r == 0 && sent == 600, "test_established_sndbuf_room_after_ack (%zu sent)", sent);
    toe_tcp_abort(c.s);
    turns(2);
}

int main(void)
{
    mock_init(&m);
    d = mock_open(&m, 1, 50, 3);
    if (!d) {
        printf("FAIL test_tcp: mock_open\n");
        return 1;
    }
    test_closed();
    test_syn_sent();
    test_closed_isn_siphash();
    test_closed_bind();
    test_syn_sent_syn();
    test_established_data();
    test_established_zero_window_empty_queue_persist();
    test_established_rto_backoff();
    test_established_rto_alarm_lost();
    test_established_rst_syn();
    test_established_rst_challenge_ack_limit();
    test_established_keepalive();
    test_closing();
    test_listen();
    test_time_wait();
    test_slot_reuse();
    test_continuations();
    test_established_rto_start();
    test_established_sndbuf();
    test_listen_syn_bad_source();
    test_listen_syn_ip_options();
    test_established_urgent();
    test_established_ttl_tos();
    test_established_traffic();
    test_established_traffic_without_unit();
    test_closed_device_without_new_fields();
    test_syn_sent_icmp();
    test_syn_sent_arp_revalidate();
    test_established_icmp();
    /* Counts of slot commands are only right while the log has room. */
    CHECK(m.ncmd < MOCK_CMDLOG, "test_tcp_command_log_not_full (%u of %d)", m.ncmd, MOCK_CMDLOG);
    toe_close(d);
    mock_free(&m);
    printf("test_tcp: %s\n", mock_failures ? "FAILED" : "ok");
    return mock_failures ? 1 : 0;
}
