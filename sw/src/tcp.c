/* SPDX-License-Identifier: MIT */
/* tcp.c: the host half of TCP. Connection setup and teardown on the slow path (raw frames),
 * programming and commanding the device's connection slots, the buffers between the slots
 * and the application (an RX buffer for RX_DATA, a mirror of the TX ring for resends after a
 * lost TX_DATA), RFC 5961 checks of SYN and RST, and the socket API of toe.h.
 *
 * Message dispatch (toe_tcp_event, toe_tcp_rx_data, toe_tcp_input) never blocks: it updates
 * state and leaves work flags (W_*). toe_tcp_work runs after every engine turn, outside
 * dispatch and never nested, and does what needs CSR round trips. Timers: tcp_timer.c. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define CSR_MS 2000 /* bound on one CSR sequence run by the TCP layer */

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *toe_tcp_state_name(int st)
{
    return st >= 0 && st <= TOE_TCPS_TIME_WAIT ? state_names[st] : "?";
}

void tcp_note_time(struct toe_tcp *t, uint64_t us)
{
    if (us > t->now)
        t->now = us;
}

static void tcp_time_probed(toe_dev *dev, uint64_t us)
{
    struct toe_tcp *t = dev->tcp;
    tcp_note_time(t, us);
    /* A retransmission timer started from an older time starts again from this one: the
     * device answered after taking the data that started it. */
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s->rto_stale && s->rto_at) {
            s->rto_stale = 0;
            s->rto_at = t->now + tcp_rto_cur(s);
        }
}

int tcp_synchronized(const toe_sock *s)
{
    return s->state >= TOE_TCPS_ESTABLISHED;
}

/* The slot is programmed and open in the device. */
static int slot_open(const toe_sock *s)
{
    return s->slot >= 0 && s->opened && !(s->work & W_PROGRAM);
}

uint16_t tcp_slot_addr(const toe_sock *s, unsigned field)
{
    return (uint16_t)(TOE_CSR_SLOT_BASE + (unsigned)s->slot * TOE_CONST_SLOT_STRIDE + field);
}

/* The host's slot flags as they should be now (FLAGS is written whole). */
static uint32_t slot_flags(const toe_sock *s)
{
    return (s->nodelay ? 0u : TOE_CONST_SF_NAGLE) |
           (s->keep_probes || s->persist_at ? TOE_CONST_SF_ACK_REPORT : 0u);
}

/* FIELD_IP_TTL_TOS for the socket's options: 0 (the device's defaults) unless one is set. */
static unsigned ttl_tos(const toe_sock *s)
{
    return s->ttl || s->tos ? (s->ttl ? s->ttl : 64u) | (unsigned)s->tos << 8 : 0u;
}

/* FIELD_MSS: the peer's MSS (or less, from the path MTU) and both window-scale shifts. */
static uint32_t slot_mss_field(const toe_sock *s)
{
    return (uint32_t)s->mss | (uint32_t)s->snd_ws << 16 | (uint32_t)s->rcv_ws << 20;
}

/* A keepalive or zero-window probe is going out: the device reports the next acceptable ACK
 * (EVF_ACK_SEEN). Does not block. */
void tcp_report_next_ack(toe_sock *s)
{
    if (slot_open(s))
        tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_FLAGS), slot_flags(s), s->slot);
}

/* The peer showed it is there (data, a new ACK, the answer to a probe): keepalive counts its
 * idle time from now and forgets the probes; persist counts the peer's silence from now. */
static void peer_alive(toe_sock *s)
{
    s->last_activity = s->dev->tcp->now;
    s->keep_probes = 0;
    s->soft_err = 0; /* whatever an ICMP said, the peer is reachable */
    if (s->persist_at)
        s->last_progress = s->last_activity; /* zero-window probes answered */
    if (s->keep_at)
        s->keep_at = s->last_activity + (uint64_t)s->keepalive_s * 1000000u;
}

void tcp_async_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)ctx;
    (void)value;
    if (result)
        dev->hs[TOE_HSTAT_TCP_ASYNC_FAIL]++;
}

void *tcp_slot_key(int slot)
{
    return slot < 0 ? NULL : (void *)(uintptr_t)(slot + 1);
}

void tcp_csr_write_async(toe_dev *dev, uint16_t addr, uint32_t value, int slot)
{
    if (toe_csr_async(dev, 1, addr, value, tcp_async_done, tcp_slot_key(slot)) == TOE_ENOSPC)
        dev->hs[TOE_HSTAT_TCP_ASYNC_FAIL]++;
}

int tcp_slot_cmd(toe_sock *s, unsigned cmd)
{
    return toe_csr_write(s->dev, TOE_CSR_SLOT_CMD, cmd << 8 | (unsigned)s->slot, CSR_MS);
}

void tcp_slot_cmd_async(toe_sock *s, unsigned cmd)
{
    if (slot_open(s))
        tcp_csr_write_async(s->dev, TOE_CSR_SLOT_CMD, cmd << 8 | (unsigned)s->slot, s->slot);
}

/* RCV.NXT as best known without a CSR read (FIN included once it is in). */
uint32_t tcp_rcv_nxt(const toe_sock *s)
{
    uint32_t r = s->rx_expect;
    if (s->fin_rcvd && r == s->fin_seq)
        r++;
    return SEQ_GT(s->rcv_nxt_ev, r) ? s->rcv_nxt_ev : r;
}

/* ---- raw segments ------------------------------------------------------------------- */

/* ttl_tos: TTL (7:0) and DS field (15:8) as in FIELD_IP_TTL_TOS; a TTL of 0 means 64. */
static int send_pkt(struct toe_tcp *t, const uint8_t mac[6], uint32_t rip, uint16_t lport,
                    uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                    const uint8_t *opt, size_t optlen, const uint8_t *data, size_t dlen,
                    unsigned ttl_tos)
{
    toe_dev *dev = t->dev;
    uint8_t p[1500];
    size_t hl = 20 + optlen, total = 20 + hl + dlen;
    if (total > sizeof(p))
        return TOE_EINVAL;
    memset(p, 0, 20 + hl);
    p[0] = 0x45;
    p[1] = (uint8_t)(ttl_tos >> 8);
    wr16(p + 2, (uint16_t)total);
    wr16(p + 4, t->ip_id++);
    wr16(p + 6, 0x4000); /* DF */
    p[8] = (uint8_t)ttl_tos ? (uint8_t)ttl_tos : 64;
    p[9] = 6;
    wr32(p + 12, dev->net.ip);
    wr32(p + 16, rip);
    uint8_t *h = p + 20;
    wr16(h, lport);
    wr16(h + 2, rport);
    wr32(h + 4, seq);
    wr32(h + 8, ack);
    h[12] = (uint8_t)((hl / 4) << 4);
    h[13] = flags;
    wr16(h + 14, wnd);
    if (optlen)
        memcpy(h + 20, opt, optlen);
    if (dlen)
        memcpy(h + hl, data, dlen);
    /* The device fills in both checksums. */
    return toe_net_send_to(dev, mac, p, total,
                           TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4);
}

static uint16_t syn_window(const struct toe_tcp *t)
{
    return (uint16_t)(t->ring > 65535 ? 65535 : t->ring);
}

/* with_opts: 0 none, 1 MSS (+ window scale if negotiated), 2 MSS + window scale (our SYN). */
int tcp_send_seg(toe_sock *s, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                 int with_opts, const uint8_t *data, size_t dlen)
{
    uint8_t opt[8] = {0};
    size_t ol = 0;
    if (with_opts) {
        opt[0] = 2, opt[1] = 4;
        wr16(opt + 2, TOE_TCP_OUR_MSS);
        ol = 4;
        if (with_opts == 2 || s->ws_ok) {
            opt[4] = 1, opt[5] = 3, opt[6] = 3, opt[7] = s->rcv_ws;
            ol = 8;
        }
    }
    return send_pkt(s->dev->tcp, s->mac, s->rip, s->lport, s->rport, seq, ack, flags, wnd, opt,
                    ol, data, dlen, ttl_tos(s));
}

struct seg {
    const uint8_t *smac;
    uint32_t src;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    uint32_t len; /* payload */
    int mss;      /* -1 absent */
    int ws;       /* -1 absent */
};

static int parse_seg(toe_dev *dev, const uint8_t *f, size_t len, struct seg *g)
{
    const uint8_t *ip = f + 14;
    if (len < 14 + 40 || (ip[0] >> 4) != 4)
        return -1;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = rd16(ip + 2);
    if (ihl < 20 || tot < ihl + 20 || 14 + tot > len || ip[9] != 6)
        return -1;
    if (dev->net.have_cfg && rd32(ip + 16) != dev->net.ip)
        return -1;
    const uint8_t *h = ip + ihl;
    size_t doff = (size_t)(h[12] >> 4) * 4;
    if (doff < 20 || ihl + doff > tot)
        return -1;
    g->smac = f + 6;
    g->src = rd32(ip + 12);
    g->sport = rd16(h);
    g->dport = rd16(h + 2);
    g->seq = rd32(h + 4);
    g->ack = rd32(h + 8);
    g->flags = h[13];
    g->wnd = rd16(h + 14);
    g->len = (uint32_t)(tot - ihl - doff);
    g->mss = g->ws = -1;
    if (!g->sport || !g->dport)
        return -1;
    for (size_t i = 20; i < doff;) {
        uint8_t k = h[i];
        if (k == 0)
            break;
        if (k == 1) {
            i++;
            continue;
        }
        if (i + 1 >= doff || h[i + 1] < 2 || i + h[i + 1] > doff)
            return -1; /* malformed option list */
        if (k == 2 && h[i + 1] == 4)
            g->mss = rd16(h + i + 2);
        else if (k == 3 && h[i + 1] == 3)
            g->ws = h[i + 2] > 14 ? 14 : h[i + 2]; /* RFC 7323 2.3 */
        i += h[i + 1];
    }
    return 0;
}

/* Why address a cannot be a TCP peer, or NULL if it can. RFC 1122 4.2.3.10 and 3.2.1.3 (RFC
 * 9293 MUST-46/MUST-63): no connection to or from a broadcast or multicast address; neither
 * is 0/8, loopback (not ours: the device has none), class E, or our own address a source. */
static const char *bad_peer_addr(const toe_dev *dev, uint32_t a)
{
    const struct toe_net *n = &dev->net;
    unsigned top = a >> 24;
    if (a == 0xffffffffu)
        return "the limited broadcast";
    if (top == 0)
        return "in 0.0.0.0/8 (this network)";
    if (top == 127)
        return "a loopback address";
    if (top >= 224 && top < 240)
        return "a multicast address";
    if (top >= 240)
        return "a reserved (class E) address";
    if (a == n->ip)
        return "the device's own address";
    /* /31 and /32 have no broadcast address (RFC 3021). */
    if (n->netmask < 0xfffffffeu && (a & n->netmask) == (n->ip & n->netmask) &&
        (a | n->netmask) == 0xffffffffu)
        return "the subnet broadcast";
    return NULL;
}

/* RST for a segment that belongs to nothing (RFC 9293 3.10.7.1). */
static void send_reset(struct toe_tcp *t, const struct seg *g)
{
    if (g->flags & TH_RST)
        return;
    uint8_t mac[6];
    memcpy(mac, g->smac, 6);
    if (g->flags & TH_ACK)
        send_pkt(t, mac, g->src, g->dport, g->sport, g->ack, 0, TH_RST, 0, NULL, 0, NULL, 0, 0);
    else
        send_pkt(t, mac, g->src, g->dport, g->sport, 0,
                 g->seq + g->len + !!(g->flags & TH_SYN) + !!(g->flags & TH_FIN),
                 TH_RST | TH_ACK, 0, NULL, 0, NULL, 0, 0);
    t->dev->hs[TOE_HSTAT_TCP_RST_TX]++;
}

/* ---- slots and sockets -------------------------------------------------------------- */

static int alloc_slot(struct toe_tcp *t, toe_sock *s)
{
    for (unsigned i = 0; i < t->nslots; i++)
        if (!t->slot_used[i] && !t->slot_dirty[i]) {
            t->slot_used[i] = 1;
            t->slot_sock[i] = s;
            s->slot = (int)i;
            s->opened = 0;
            return 0;
        }
    return TOE_ENOSLOT;
}

static int slot_free(const struct toe_tcp *t)
{
    for (unsigned i = 0; i < t->nslots; i++)
        if (!t->slot_used[i] && !t->slot_dirty[i])
            return 1;
    return 0;
}

/* Give the slot back: FREE it in the device if it was opened. Blocks (CSR). */
static void release_slot(toe_sock *s)
{
    struct toe_tcp *t = s->dev->tcp;
    if (s->slot < 0)
        return;
    int i = s->slot;
    toe_csr_cancel(s->dev, tcp_async_done, tcp_slot_key(i));
    t->slot_sock[i] = NULL;
    if (s->opened) {
        if (tcp_slot_cmd(s, TOE_CMD_FREE))
            t->slot_dirty[i] = 1; /* work tries again before the slot is reused */
    }
    t->slot_used[i] = t->slot_dirty[i];
    s->slot = -1;
    s->opened = 0;
    s->work &= ~(unsigned)(W_PROGRAM | W_CLOSE | W_FREE | W_RESYNC | W_RSTCHK | W_URGENT);
}

static int bufs_alloc(toe_sock *s)
{
    struct toe_tcp *t = s->dev->tcp;
    if (!s->txb)
        s->txb = malloc(t->ring);
    if (!s->rxb)
        s->rxb = malloc(t->ring);
    return s->txb && s->rxb ? 0 : TOE_ENOMEM;
}

static toe_sock *sock_new(struct toe_tcp *t)
{
    toe_sock *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->dev = t->dev;
    s->slot = -1;
    s->state = TOE_TCPS_CLOSED;
    s->min_rto_ms = TOE_TCP_MIN_RTO_MS;
    s->keepintvl_s = TOE_TCP_KEEP_INTVL_S;
    s->keepcnt = TOE_TCP_KEEP_PROBES;
    s->user_timeout_ms = TOE_TCP_USER_TIMEOUT_MS;
    s->time_wait_ms = TOE_TCP_TIME_WAIT_MS;
    s->rto = TOE_TCP_SYN_RTO_US;
    s->next = t->socks;
    t->socks = s;
    return s;
}

static void sock_unlink_free(struct toe_tcp *t, toe_sock *s)
{
    for (toe_sock **pp = &t->socks; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    free(s->txb);
    free(s->rxb);
    free(s);
}

static void stop_timers(toe_sock *s)
{
    s->rto_at = s->persist_at = s->syn_at = s->keep_at = s->rxchk_at = 0;
}

/* The connection is over with an error (RST received, given up): the application sees err;
 * the slot is freed by the work step. Does not block. */
void tcp_set_error(toe_sock *s, int err)
{
    if (err && !s->err)
        s->err = err;
    s->state = TOE_TCPS_CLOSED;
    stop_timers(s);
    s->tw_at = 0;
    if (s->slot >= 0)
        s->work |= W_FREE;
    s->work &= ~(unsigned)(W_PROGRAM | W_CLOSE | W_RESYNC | W_RSTCHK | W_SLOT);
}

static toe_sock *find_conn(struct toe_tcp *t, uint32_t rip, uint16_t rport, uint16_t lport)
{
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s->state != TOE_TCPS_CLOSED && s->state != TOE_TCPS_LISTEN && s->rip == rip &&
            s->rport == rport && s->lport == lport)
            return s;
    return NULL;
}

static toe_sock *find_listener(struct toe_tcp *t, uint16_t port)
{
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s->state == TOE_TCPS_LISTEN && s->lport == port)
            return s;
    return NULL;
}

/* The keyed PRF of a connection's addresses and ports (SipHash-2-4, 32 bits of it). */
static uint32_t tuple_prf(const uint8_t key[16], uint32_t lip, uint16_t lport, uint32_t rip,
                          uint16_t rport)
{
    uint8_t b[12];
    wr32(b, lip);
    wr16(b + 4, lport);
    wr32(b + 6, rip);
    wr16(b + 10, rport);
    return (uint32_t)toe_siphash24(key, b, sizeof(b));
}

uint32_t tcp_gen_iss(const struct toe_tcp *t, uint32_t rip, uint16_t lport, uint16_t rport)
{
    /* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M the 4 us
     * clock (device time). */
    return tuple_prf(t->isn_key, t->dev->net.ip, lport, rip, rport) + (uint32_t)(t->now / 4);
}

static int port_in_use(struct toe_tcp *t, uint16_t p, uint32_t rip, uint16_t rport)
{
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s->bport == p ||
            (s->lport == p && (s->state == TOE_TCPS_LISTEN ||
                               (s->state != TOE_TCPS_CLOSED && s->rip == rip && s->rport == rport))))
            return 1;
    return tcp_tw_find(t, rip, rport, p) != NULL; /* RFC 6056: not a 4-tuple in TIME-WAIT */
}

/* Another socket holds port p: bound to it, or using it (listening, connected, TIME-WAIT). */
static int port_taken(struct toe_tcp *t, const toe_sock *self, uint16_t p)
{
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s != self && (s->bport == p || (s->state != TOE_TCPS_CLOSED && s->lport == p)))
            return 1;
    return tcp_tw_port_used(t, p);
}

static uint16_t pick_port(struct toe_tcp *t, uint32_t rip, uint16_t rport)
{
    /* RFC 6056 algorithm 3: a keyed offset per destination plus a counter. */
    uint32_t off = tuple_prf(t->port_key, t->dev->net.ip, 0, rip, rport);
    for (unsigned i = 0; i < 16384; i++) {
        uint16_t p = (uint16_t)(49152 + (off + t->port_ctr++) % 16384);
        if (!port_in_use(t, p, rip, rport))
            return p;
    }
    return 0;
}

/* ---- send side ---------------------------------------------------------------------- */

static uint32_t tx_room(const toe_sock *s)
{
    uint32_t used = s->tx_end - s->snd_una;
    uint32_t cap = s->sndbuf ? s->sndbuf : s->dev->tcp->ring;
    return used >= cap ? 0 : cap - used;
}

/* Queue TX_DATA for [seq, seq+n) from the mirror (no wrap inside: callers split). */
static void queue_tx_data(toe_sock *s, uint32_t seq, const uint8_t *p, size_t n)
{
    struct toe_msg m = {.type = TOE_MSG_TX_DATA, .arg = (uint8_t)s->slot, .offset = seq,
                        .data = p, .data_len = n};
    toe_dev_queue(s->dev, &m);
}

/* Copy n bytes (n <= tx_room) to the mirror and to the device. */
static void tx_push(toe_sock *s, const uint8_t *p, size_t n)
{
    uint32_t ring = s->dev->tcp->ring;
    if (s->urg_send) {
        /* Urgent data: SND.UP goes to its end ahead of the data (the device takes messages in
         * order), so every segment of it carries URG and the pointer (RFC 6093). */
        s->snd_up = s->tx_end + (uint32_t)n;
        tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_SND_UP), s->snd_up, s->slot);
    }
    while (n) {
        uint32_t pos = s->tx_end & (ring - 1);
        size_t k = ring - pos;
        if (k > n)
            k = n;
        if (k > TOE_CONST_SLOT_DATA_MAX)
            k = TOE_CONST_SLOT_DATA_MAX;
        memcpy(s->txb + pos, p, k);
        queue_tx_data(s, s->tx_end, s->txb + pos, k);
        s->tx_end += (uint32_t)k;
        p += k;
        n -= k;
    }
    tcp_timers_update(s);
}

void tcp_tx_resend_from(toe_sock *s, uint32_t from)
{
    uint32_t ring = s->dev->tcp->ring;
    if (SEQ_LT(from, s->snd_una))
        from = s->snd_una;
    while (SEQ_LT(from, s->tx_end)) {
        uint32_t pos = from & (ring - 1);
        uint32_t k = s->tx_end - from;
        if (k > ring - pos)
            k = ring - pos;
        if (k > TOE_CONST_SLOT_DATA_MAX)
            k = TOE_CONST_SLOT_DATA_MAX;
        queue_tx_data(s, from, s->txb + pos, k);
        from += k;
    }
}

/* ---- receive side ------------------------------------------------------------------- */

static void send_consumed(toe_sock *s)
{
    if (!slot_open(s))
        return;
    struct toe_msg m = {.type = TOE_MSG_RX_CONSUMED, .arg = (uint8_t)s->slot,
                        .offset = s->rx_read};
    toe_dev_queue(s->dev, &m);
    s->rx_cons_sent = s->rx_read;
    s->consumed_host_ms = toe_now_ms();
}

/* Give ring space back once enough was read (or all of it): one message per ~2 MSS read. */
static void consumed_maybe(toe_sock *s)
{
    uint32_t thresh = s->dev->tcp->ring / 4;
    if (thresh > 2u * TOE_TCP_OUR_MSS)
        thresh = 2u * TOE_TCP_OUR_MSS;
    if (s->rx_read - s->rx_cons_sent >= thresh || s->rx_read == s->rx_expect)
        if (s->rx_read != s->rx_cons_sent)
            send_consumed(s);
}

static void ask_resend(toe_sock *s)
{
    if (s->rx_resend_pending && s->rx_resend_asked == s->rx_expect)
        return;
    s->rx_resend_pending = 1;
    s->rx_resend_asked = s->rx_expect;
    s->dev->hs[TOE_HSTAT_TCP_RX_GAP]++;
    if (slot_open(s))
        tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_RX_SENT), s->rx_expect, s->slot);
}

static void established(toe_sock *s)
{
    struct toe_tcp *t = s->dev->tcp;
    if (s->state != TOE_TCPS_SYN_RCVD)
        return;
    s->state = TOE_TCPS_ESTABLISHED;
    /* An RTT sample from our SYN-ACK to the ACK that answers it; a SYN-ACK of the peer's
     * answered our SYN, not our SYN-ACK. */
    if (s->syn_tries == 1 && !s->syn_acked && t->now > s->syn_sent_at)
        tcp_rtt_sample(s, (uint32_t)(t->now - s->syn_sent_at));
    tcp_syn_done_rto(s);
    s->syn_at = 0;
    s->last_activity = t->now;
    s->dev->hs[s->active ? TOE_HSTAT_TCP_ACTIVE_OPENS : TOE_HSTAT_TCP_PASSIVE_OPENS]++;
    tcp_timers_update(s);
}

/* Simultaneous open, the slot open with SYN_RCVD: the peer's SYN-ACK acknowledged our SYN.
 * The peer has nothing more to send, so no ACK will clear the slot's flag: the host does. */
static void synack_established(toe_sock *s)
{
    tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_FLAGS), slot_flags(s), s->slot);
    established(s);
}

int toe_tcp_rx_data(toe_dev *dev, unsigned slot, uint32_t seq, const uint8_t *p, size_t n)
{
    struct toe_tcp *t = dev->tcp;
    toe_sock *s = slot < t->nslots ? t->slot_sock[slot] : NULL;
    if (!s || !s->rxb || !s->opened) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++;
        return 1;
    }
    if (s->state == TOE_TCPS_SYN_RCVD)
        established(s); /* data in the window means the handshake's ACK was taken */
    int32_t off = (int32_t)(seq - s->rx_expect);
    if (off > 0) {
        ask_resend(s); /* an RX_DATA before this one was lost */
        return 0;
    }
    if (off < 0) {
        dev->hs[TOE_HSTAT_TCP_RX_DUP]++;
        if ((size_t)-(int64_t)off >= n)
            return 0;
        p += -(int64_t)off;
        n -= (size_t)-(int64_t)off;
    }
    uint32_t ring = t->ring, used = s->rx_expect - s->rx_read;
    if (n > ring - used) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++; /* the device sent beyond the space given back */
        n = ring - used;
    }
    while (n) {
        uint32_t pos = s->rx_expect & (ring - 1);
        size_t k = ring - pos < n ? ring - pos : n;
        memcpy(s->rxb + pos, p, k);
        s->rx_expect += (uint32_t)k;
        p += k;
        n -= k;
    }
    s->rx_resend_pending = 0;
    peer_alive(s);
    if (!s->user && !s->parent) {
        /* Closed by the application: nobody will read; keep the window open. */
        s->rx_read = s->rx_expect;
        consumed_maybe(s);
    }
    return 0;
}

/* ---- slot events -------------------------------------------------------------------- */

static void on_fin_acked(toe_sock *s)
{
    struct toe_tcp *t = s->dev->tcp;
    if (!s->fin_queued || s->fin_acked)
        return;
    s->fin_acked = 1;
    switch (s->state) {
    case TOE_TCPS_FIN_WAIT_1:
        s->state = TOE_TCPS_FIN_WAIT_2;
        if (!s->user)
            s->tw_at = t->now + (uint64_t)s->time_wait_ms * 1000u;
        break;
    case TOE_TCPS_CLOSING:
        s->state = TOE_TCPS_TIME_WAIT;
        s->tw_at = t->now + (uint64_t)s->time_wait_ms * 1000u;
        s->work |= W_FREE;
        break;
    case TOE_TCPS_LAST_ACK:
        s->state = TOE_TCPS_CLOSED;
        s->work |= W_FREE;
        break;
    default: break;
    }
}

static void on_fin_rcvd(toe_sock *s, uint32_t rcv_nxt)
{
    struct toe_tcp *t = s->dev->tcp;
    if (s->fin_rcvd)
        return;
    s->fin_rcvd = 1;
    s->fin_seq = rcv_nxt - 1;
    switch (s->state) {
    case TOE_TCPS_ESTABLISHED: s->state = TOE_TCPS_CLOSE_WAIT; break;
    case TOE_TCPS_FIN_WAIT_1: s->state = TOE_TCPS_CLOSING; break;
    case TOE_TCPS_FIN_WAIT_2:
        s->state = TOE_TCPS_TIME_WAIT;
        s->tw_at = t->now + (uint64_t)s->time_wait_ms * 1000u;
        s->work |= W_FREE;
        break;
    default: break;
    }
}

static void slot_state(toe_sock *s, unsigned flags, uint32_t una, uint32_t wnd, uint32_t rcv_nxt,
                       uint32_t rtt)
{
    struct toe_tcp *t = s->dev->tcp;
    if (s->state == TOE_TCPS_SYN_RCVD && (flags & TOE_CONST_EVF_ESTABLISHED))
        established(s);
    if (s->state == TOE_TCPS_SYN_RCVD)
        return; /* nothing else moves before the handshake's ACK */
    uint32_t top = s->tx_end + (s->fin_queued ? 1u : 0u);
    if (SEQ_GT(una, s->snd_una) && SEQ_LEQ(una, top)) {
        s->snd_una = SEQ_GT(una, s->tx_end) ? s->tx_end : una;
        s->rto_resent = 0; /* the backoff stays until an RTT sample (RFC 6298 5.7, Karn) */
        s->last_progress = t->now;
        peer_alive(s);
        s->rto_at = 0;
        if (s->tx_end != s->snd_una || (s->fin_queued && una != top)) {
            s->rto_at = t->now + tcp_rto_cur(s);
            s->rto_stale = 0;
        }
    }
    s->snd_wnd = wnd;
    if (rtt != TOE_CONST_RTT_NONE)
        tcp_rtt_sample(s, rtt);
    if (SEQ_GT(rcv_nxt, s->rcv_nxt_ev))
        s->rcv_nxt_ev = rcv_nxt;
    if (flags & TOE_CONST_EVF_ACK_SEEN)
        peer_alive(s); /* the answer to a keepalive probe */
    if (flags & TOE_CONST_EVF_URGENT)
        s->work |= W_URGENT;
    if ((flags & TOE_CONST_EVF_FAST_REXMIT) && !(s->ev_flags & TOE_CONST_EVF_FAST_REXMIT))
        s->dev->hs[TOE_HSTAT_TCP_FAST_REXMIT]++;
    if (flags & TOE_CONST_EVF_FIN_ACKED)
        on_fin_acked(s);
    if (flags & TOE_CONST_EVF_FIN_RCVD)
        on_fin_rcvd(s, rcv_nxt);
    s->zero_wnd = !!(flags & TOE_CONST_EVF_ZERO_WND); /* or, with data waiting, snd_wnd 0 */
    s->ev_flags = (uint8_t)flags;
    /* Data the device has but did not send up: check it arrives (a lost RX_DATA). */
    uint32_t want = s->fin_rcvd ? s->fin_seq : s->rcv_nxt_ev;
    if (SEQ_LT(s->rx_expect, want) && !s->rxchk_at) {
        s->rxchk_at = t->now + TOE_TCP_RXCHK_US;
        s->rxchk_mark = s->rx_expect;
    }
    tcp_timers_update(s);
}

void toe_tcp_event(toe_dev *dev, unsigned kind, uint64_t time, const uint8_t *f, size_t len)
{
    struct toe_tcp *t = dev->tcp;
    tcp_note_time(t, time);
    if (kind == TOE_EVENT_ALARM) {
        if (t->alarm_armed && time >= t->alarm_at)
            t->alarm_armed = 0;
        return;
    }
    if (kind != TOE_EVENT_SLOT)
        return;
    if (len < 18) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++;
        return;
    }
    unsigned slot = f[0];
    toe_sock *s = slot < t->nslots ? t->slot_sock[slot] : NULL;
    if (!s || !s->opened) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++;
        return;
    }
    slot_state(s, f[1], rd32(f + 2), rd32(f + 6), rd32(f + 10), rd32(f + 14));
}

/* ---- slow-path input ---------------------------------------------------------------- */

/* May an RFC 5961 challenge ACK go now? At most the handle's limit per second of device time
 * (section 7): counted in one-second periods, each begun by the first challenge ACK after the
 * last. Counts it either way. */
static int chack_take(struct toe_tcp *t)
{
    toe_dev *dev = t->dev;
    int lim = dev->tcp_chack_limit ? dev->tcp_chack_limit : TOE_TCP_CHALLENGE_ACK_LIMIT;
    if (t->now - t->chack_start >= 1000000u) {
        t->chack_start = t->now;
        t->chack_n = 0;
    }
    if (lim > 0 && t->chack_n >= (unsigned)lim) {
        dev->hs[TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED]++;
        return 0;
    }
    t->chack_n++;
    dev->hs[TOE_HSTAT_TCP_CHALLENGE_ACK]++;
    return 1;
}

static void challenge_ack(toe_sock *s)
{
    if (chack_take(s->dev->tcp) && slot_open(s))
        tcp_slot_cmd_async(s, TOE_CMD_ACK);
}

/* ---- TIME-WAIT from the host (the slot is freed) -------------------------------------- */

/* The window field of our ACKs once the slot is gone: the right edge the host gave the device
 * (what the application read + the ring), from RCV.NXT, scaled. */
static uint16_t rcv_wnd_field(const toe_sock *s)
{
    uint32_t edge = s->rx_read + s->dev->tcp->ring, rn = tcp_rcv_nxt(s);
    uint32_t w = SEQ_GT(edge, rn) ? (edge - rn) >> s->rcv_ws : 0;
    return (uint16_t)(w > 65535 ? 65535 : w);
}

/* What a TIME-WAIT record keeps of s. */
static void tw_from_sock(const toe_sock *s, struct tcp_tw *w)
{
    memset(w, 0, sizeof(*w));
    w->rip = s->rip;
    w->lport = s->lport;
    w->rport = s->rport;
    w->snd_nxt = s->tx_end + (s->fin_queued ? 1u : 0u);
    w->rcv_nxt = tcp_rcv_nxt(s);
    w->wnd = rcv_wnd_field(s);
    w->ttl_tos = (uint16_t)ttl_tos(s);
    w->tw_ms = (uint32_t)s->time_wait_ms;
    w->until = s->tw_at;
}

/* An ACK of w's, through the next hop the segment came from. */
static void tw_ack(struct toe_tcp *t, const struct tcp_tw *w, const uint8_t *smac)
{
    uint8_t mac[6];
    memcpy(mac, smac, 6);
    send_pkt(t, mac, w->rip, w->lport, w->rport, w->snd_nxt, w->rcv_nxt, TH_ACK, w->wnd, NULL, 0,
             NULL, 0, w->ttl_tos);
}

static int listen_input(toe_sock *l, const struct seg *g, const uint32_t *iss_min);

enum { TW_KEEP, TW_RESTART, TW_GONE };

/* A slow-path segment for a connection in TIME-WAIT without a slot (a record, or a socket the
 * application still holds). RST: ignored (RFC 1337, no TIME-WAIT assassination). A SYN (no
 * ACK) beyond RCV.NXT with a listener on the port reopens the connection (RFC 9293 3.6.1
 * MAY-2, RFC 6191 without timestamps, as Linux): the listener takes it with an ISS past
 * anything the old connection sent, and TIME-WAIT ends (TW_GONE). Any other SYN gets a
 * challenge ACK (RFC 5961 4.2, rate-limited). The peer's FIN again (our last ACK was lost): ACK
 * and TIME-WAIT starts over (TW_RESTART; RFC 9293 3.10.7.4). An acceptable bare ACK: nothing.
 * Anything else is unacceptable: ACK. */
static int tw_input(struct toe_tcp *t, const struct tcp_tw *w, const struct seg *g)
{
    if (g->flags & TH_RST)
        return TW_KEEP;
    if ((g->flags & (TH_SYN | TH_ACK | TH_FIN)) == TH_SYN && SEQ_GT(g->seq, w->rcv_nxt)) {
        toe_sock *l = find_listener(t, g->dport);
        /* RFC 1122 4.2.2.13 (1): an ISS beyond our last sequence number; Linux adds the
         * largest unscaled window. */
        uint32_t iss_min = w->snd_nxt + 65535u + 2u;
        if (l && listen_input(l, g, &iss_min)) {
            t->dev->hs[TOE_HSTAT_TCP_TW_REOPENED]++;
            return TW_GONE;
        }
    }
    if (g->flags & TH_SYN) {
        if (chack_take(t))
            tw_ack(t, w, g->smac);
        return TW_KEEP;
    }
    if (!(g->flags & TH_FIN) && !g->len && g->seq == w->rcv_nxt)
        return TW_KEEP;
    tw_ack(t, w, g->smac);
    return (g->flags & TH_FIN) && g->seq + g->len + 1 == w->rcv_nxt ? TW_RESTART : TW_KEEP;
}

/* An orphan in TIME-WAIT that gave its slot back: a record takes over its duties and the
 * socket is over (freed by the caller or the work step). Without memory for the record the
 * socket stays in TIME-WAIT itself. */
static void tw_adopt(toe_sock *s)
{
    struct tcp_tw w;
    if (s->state != TOE_TCPS_TIME_WAIT || s->slot >= 0 || s->user || s->parent)
        return;
    tw_from_sock(s, &w);
    if (tcp_tw_add(s->dev->tcp, &w))
        return;
    s->state = TOE_TCPS_CLOSED;
    s->tw_at = 0;
}

/* Take the peer's SYN (or SYN-ACK): IRS, MSS, window scale (RFC 7323 2.2: in use only if
 * both SYNs carry it; our SYN always does, a SYN-ACK of ours only in answer to one), window. */
static void syn_options(toe_sock *s, const struct seg *g)
{
    s->irs = g->seq;
    s->mss = (uint16_t)(g->mss > 0 ? (g->mss < TOE_TCP_OUR_MSS ? g->mss : TOE_TCP_OUR_MSS) : 536);
    if (s->mss < 64)
        s->mss = 64;
    s->ws_ok = g->ws >= 0;
    s->snd_ws = (uint8_t)(s->ws_ok ? g->ws : 0);
    s->rcv_ws = s->ws_ok ? s->dev->tcp->rcv_ws : 0;
    s->snd_wnd = g->wnd; /* never scaled in a SYN segment */
    s->rcv_nxt_ev = s->rx_expect = s->rx_read = s->rx_cons_sent = s->rcv_up = s->irs + 1;
}

static void syn_sent_input(toe_sock *s, const struct seg *g)
{
    struct toe_tcp *t = s->dev->tcp;
    if ((g->flags & TH_ACK) && g->ack != s->iss + 1) {
        send_reset(t, g);
        return;
    }
    if (g->flags & TH_RST) {
        if (g->flags & TH_ACK) {
            s->dev->hs[TOE_HSTAT_TCP_RST_RX]++;
            tcp_set_error(s, TOE_ECONNREFUSED);
        }
        return;
    }
    if (!(g->flags & TH_SYN)) {
        s->dev->hs[TOE_HSTAT_TCP_SEG_BAD]++; /* neither SYN nor RST: dropped */
        return;
    }
    if (s->work & W_PROGRAM)
        return; /* a second copy of the SYN-ACK */
    syn_options(s, g);
    s->syn_at = 0;
    s->work |= W_PROGRAM;
    if (g->flags & TH_ACK) {
        if (s->syn_tries == 1 && t->now > s->syn_sent_at)
            tcp_rtt_sample(s, (uint32_t)(t->now - s->syn_sent_at));
        return;
    }
    /* A SYN without ACK: simultaneous open (RFC 9293 3.5, figure 8). SYN-RECEIVED: the work
     * step programs the slot with SYN_RCVD and sends our SYN-ACK, as for a passive open. */
    s->state = TOE_TCPS_SYN_RCVD;
    if (s->work & W_ARP) {
        /* Our SYN is not out yet (next hop unresolved): answer through the SYN's next hop. */
        memcpy(s->mac, g->smac, 6);
        s->work &= ~(unsigned)W_ARP;
    }
}

static int both_fins_sent(const toe_sock *s)
{
    return s->state == TOE_TCPS_CLOSING || s->state == TOE_TCPS_LAST_ACK;
}

/* An acceptable RST; una: SND.UNA as best known. A reset, except after both FINs were sent
 * with all our data acknowledged, where the connection just ends (RFC 9293 3.10.7.4: CLOSING
 * and LAST-ACK enter CLOSED; the peer, say, gave up waiting in FIN-WAIT-2 before our FIN
 * came). Data not acknowledged may be lost: the application learns it (MUST-12). */
static void rst_accepted(toe_sock *s, uint32_t una)
{
    s->dev->hs[TOE_HSTAT_TCP_RST_RX]++;
    int done = both_fins_sent(s) && SEQ_GEQ(una, s->tx_end);
    tcp_set_error(s, done ? 0 : TOE_ECONNRESET);
}

static void rst_input(toe_sock *s, const struct seg *g)
{
    uint32_t rn = tcp_rcv_nxt(s);
    if (g->seq == rn) {
        if (both_fins_sent(s) && s->snd_una != s->tx_end && slot_open(s)) {
            /* The device may know of ACKs whose event is not here yet: the work step reads
             * its SND.UNA before deciding. */
            s->rst_seq = g->seq;
            s->work |= W_RSTCHK;
        } else {
            rst_accepted(s, s->snd_una);
        }
    } else if (SEQ_GT(g->seq, rn) && SEQ_LT(g->seq, rn + s->dev->tcp->ring)) {
        /* In the window but not exactly RCV.NXT (RFC 5961 3.2); our idea of RCV.NXT may be
         * behind the device's: the work step reads it and decides. */
        s->rst_seq = g->seq;
        s->work |= W_RSTCHK;
    }
}

/* A SYN for listener l: a child in SYN-RECEIVED that takes a slot in the work step
 * (take_slot), waiting for one if none is free. iss_min: the ISS is at least this (a
 * connection reopened from TIME-WAIT), or NULL. Returns 1 if the SYN was taken. */
static int listen_input(toe_sock *l, const struct seg *g, const uint32_t *iss_min)
{
    struct toe_tcp *t = l->dev->tcp;
    toe_dev *dev = l->dev;
    int n = 0;
    for (toe_sock *c = t->socks; c; c = c->next)
        n += c->parent == l;
    if (n >= l->backlog) {
        dev->hs[TOE_HSTAT_TCP_LISTEN_DROP]++;
        return 0;
    }
    toe_sock *c = sock_new(t);
    if (!c || bufs_alloc(c)) {
        dev->hs[TOE_HSTAT_TCP_LISTEN_DROP]++;
        if (c)
            sock_unlink_free(t, c);
        return 0;
    }
    c->parent = l;
    c->nodelay = l->nodelay;
    c->keepalive_s = l->keepalive_s;
    c->keepintvl_s = l->keepintvl_s;
    c->keepcnt = l->keepcnt;
    c->user_timeout_ms = l->user_timeout_ms;
    c->min_rto_ms = l->min_rto_ms;
    c->time_wait_ms = l->time_wait_ms;
    c->sndbuf = l->sndbuf;
    c->ttl = l->ttl;
    c->tos = l->tos;
    c->state = TOE_TCPS_SYN_RCVD;
    c->rip = g->src;
    c->rport = g->sport;
    c->lport = g->dport;
    memcpy(c->mac, g->smac, 6); /* the next hop the SYN came through */
    syn_options(c, g);
    c->iss = tcp_gen_iss(t, c->rip, c->lport, c->rport);
    if (iss_min && SEQ_LT(c->iss, *iss_min))
        c->iss = *iss_min;
    c->snd_una = c->tx_end = c->iss + 1;
    c->work |= W_SLOT;
    c->syn_at = t->now + TOE_TCP_SLOT_WAIT_US; /* the end of the wait for a slot, if any */
    return 1;
}

int toe_tcp_input(toe_dev *dev, const uint8_t *f, size_t len, uint64_t time)
{
    struct toe_tcp *t = dev->tcp;
    struct seg g;
    tcp_note_time(t, time);
    if (parse_seg(dev, f, len, &g)) {
        dev->hs[TOE_HSTAT_TCP_SEG_BAD]++;
        return 1;
    }
    if (bad_peer_addr(dev, g.src)) {
        /* No SYN-ACK, no RST, no slot: nobody to answer, or a reflection to provoke. */
        dev->hs[TOE_HSTAT_TCP_RX_BAD_SOURCE]++;
        return 1;
    }
    toe_sock *s = find_conn(t, g.src, g.sport, g.dport);
    if (!s) {
        struct tcp_tw *w = tcp_tw_find(t, g.src, g.sport, g.dport);
        if (w) {
            int r = tw_input(t, w, &g);
            if (r == TW_RESTART)
                tcp_tw_restart(t, w);
            else if (r == TW_GONE)
                tcp_tw_remove(t, w);
            return 1;
        }
        toe_sock *l = find_listener(t, g.dport);
        if (l && (g.flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN)
            listen_input(l, &g, NULL);
        else
            send_reset(t, &g);
        return 1;
    }
    switch (s->state) {
    case TOE_TCPS_SYN_SENT:
        syn_sent_input(s, &g);
        break;
    case TOE_TCPS_SYN_RCVD:
        if (g.flags & TH_RST) {
            if (g.seq == s->irs + 1) {
                dev->hs[TOE_HSTAT_TCP_RST_RX]++;
                /* RFC 9293 3.10.7.4: coming from SYN-SENT, the connection was refused. */
                tcp_set_error(s, s->active ? TOE_ECONNREFUSED : TOE_ECONNRESET);
            } else if (SEQ_GT(g.seq, s->irs + 1) && SEQ_LT(g.seq, s->irs + 1 + t->ring)) {
                challenge_ack(s);
            }
        } else if ((g.flags & (TH_SYN | TH_ACK)) == TH_SYN && g.seq == s->irs) {
            /* The peer did not get our SYN-ACK: send it again now. */
            if (slot_open(s)) {
                tcp_send_seg(s, s->iss, s->irs + 1, TH_SYN | TH_ACK, syn_window(t), 1, NULL, 0);
                dev->hs[TOE_HSTAT_TCP_SYN_RETRANS]++;
            }
        } else if (s->active && (g.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
                   g.seq == s->irs && g.ack == s->iss + 1) {
            /* Simultaneous open: the peer's SYN-ACK acknowledges our SYN (figure 8, line 6).
             * If the slot is not programmed yet, program_slot sees syn_acked. */
            if (!s->syn_acked) {
                s->syn_acked = 1;
                if (slot_open(s))
                    synack_established(s);
            }
        } else if (g.flags & TH_SYN) {
            challenge_ack(s);
        }
        break;
    case TOE_TCPS_TIME_WAIT: {
        if (s->slot >= 0) {
            /* Still on its slot (received bytes on their way up): the device answers a FIN;
             * a SYN cannot reopen a 4-tuple the device still matches. */
            if (g.flags & TH_SYN)
                challenge_ack(s);
            break; /* RST: ignored (RFC 1337) */
        }
        struct tcp_tw w;
        tw_from_sock(s, &w);
        int r = tw_input(t, &w, &g);
        if (r == TW_RESTART) {
            s->tw_at = t->now + (uint64_t)s->time_wait_ms * 1000u;
        } else if (r == TW_GONE) {
            s->state = TOE_TCPS_CLOSED; /* the listener's child has the 4-tuple now */
            s->tw_at = 0;
        }
        break;
    }
    default: /* synchronized, the slot (about to be) open */
        if (g.flags & TH_RST)
            rst_input(s, &g);
        else if (g.flags & TH_SYN)
            challenge_ack(s); /* RFC 5961 4.2; also the answer to a repeated SYN-ACK */
        break;
    }
    return 1;
}

/* ---- ICMP errors (RFC 1122 4.2.3.9, RFC 5927, RFC 1191) ------------------------------ */

/* RFC 1191 section 7: the MTU plateaus, for routers that do not say the next hop's MTU. */
static unsigned mtu_plateau(unsigned len)
{
    static const unsigned p[] = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
    for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
        if (p[i] < len)
            return p[i];
    return 68;
}

/* Fragmentation Needed for a segment of ours: lower the MSS to the next hop's MTU - 40 (never
 * raised by ICMP, RFC 1191 section 3), have the device take it and go back to SND.UNA, so
 * that the full-size segments that vanished go again at the new size. */
static void pmtu_lower(toe_sock *s, unsigned mtu, unsigned quoted_len)
{
    if (!mtu)
        mtu = mtu_plateau(quoted_len);
    unsigned mss = mtu > 40 + TOE_TCP_PMTU_MIN_MSS ? mtu - 40 : TOE_TCP_PMTU_MIN_MSS;
    if (!tcp_synchronized(s) || !slot_open(s) || mss >= s->mss)
        return; /* our SYN and SYN-ACK are far below 576 bytes: only data segments are big */
    s->mss = (uint16_t)mss;
    s->dev->hs[TOE_HSTAT_TCP_PMTU]++;
    tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_MSS), slot_mss_field(s), s->slot);
    tcp_slot_cmd_async(s, TOE_CMD_RETRANSMIT);
}

/* Destination Unreachable codes that are hard errors: protocol and port unreachable (RFC 1122
 * 4.2.3.9), communication administratively prohibited (RFC 1812: 9, 10, 13). */
static int icmp_hard(unsigned type, unsigned code)
{
    return type == 3 && (code == 2 || code == 3 || code == 9 || code == 10 || code == 13);
}

static int icmp_err(unsigned type, unsigned code)
{
    if (type == 12)
        return TOE_EPROTO; /* parameter problem */
    if (type == 3 && (code == 2 || code == 3))
        return TOE_ECONNREFUSED;
    return TOE_EUNREACH; /* unreachable, prohibited, time exceeded */
}

int toe_tcp_icmp(toe_dev *dev, const uint8_t *ip, size_t len)
{
    struct toe_tcp *t = dev->tcp;
    /* The message: an error (Destination Unreachable, Time Exceeded, Parameter Problem) to
     * us, not a fragment, quoting an IPv4 header of ours and 8 bytes of TCP header. */
    if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 1)
        return 0;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = rd16(ip + 2);
    if (ihl < 20 || tot > len || tot < ihl + 8 + 20 + 8)
        return 0;
    const uint8_t *ic = ip + ihl, *q = ic + 8;
    unsigned type = ic[0], code = ic[1];
    size_t qihl = (size_t)(q[0] & 15) * 4;
    if ((type != 3 && type != 11 && type != 12) || (q[0] >> 4) != 4 || q[9] != 6)
        return 0; /* not about TCP: other consumers may want it */
    toe_sock *s = NULL;
    uint32_t seq = 0;
    if (qihl >= 20 && tot >= ihl + 8 + qihl + 8 && !(rd16(ip + 6) & 0x3fff) &&
        rd32(ip + 16) == dev->net.ip && toe_inet_csum(ic, tot - ihl) == 0 &&
        rd32(q + 12) == dev->net.ip) {
        s = find_conn(t, rd32(q + 16), rd16(q + qihl + 2), rd16(q + qihl));
        seq = rd32(q + qihl + 4);
    }
    /* RFC 5927 section 4.1: only for a segment that can be in flight, SND.UNA <= SEG.SEQ <=
     * SND.NXT (with a keepalive probe's SND.UNA - 1); our SYN or SYN-ACK before that. */
    int ok = 0;
    if (s && (s->state == TOE_TCPS_SYN_SENT || s->state == TOE_TCPS_SYN_RCVD))
        ok = seq == s->iss;
    else if (s)
        ok = SEQ_GEQ(seq, s->snd_una - (s->keep_probes ? 1u : 0u)) &&
             SEQ_LEQ(seq, s->tx_end + (s->fin_queued ? 1u : 0u));
    if (!ok) {
        dev->hs[TOE_HSTAT_TCP_ICMP_DROP]++;
        return 1;
    }
    dev->hs[TOE_HSTAT_TCP_ICMP_RX]++;
    if (type == 3 && code == 4)
        pmtu_lower(s, rd16(ic + 6), rd16(q + 2));
    else if (icmp_hard(type, code) && !tcp_synchronized(s))
        tcp_set_error(s, icmp_err(type, code)); /* the connect ends here (no RST: nobody) */
    else
        s->soft_err = icmp_err(type, code); /* the connection goes on (RFC 5461) */
    return 1;
}

/* ---- work: what needs CSR round trips ----------------------------------------------- */

static uint32_t initial_cwnd(const toe_sock *s)
{
    /* RFC 6928: min(10*MSS, max(2*MSS, 14600)). */
    uint32_t a = 10u * s->mss, b = 2u * s->mss > 14600 ? 2u * s->mss : 14600;
    return a < b ? a : b;
}

static void program_slot(toe_sock *s)
{
    struct toe_tcp *t = s->dev->tcp;
    /* SYN-RECEIVED (a listener's child, or a simultaneous open): the slot waits in SYN_RCVD
     * for the ACK of our SYN-ACK. SYN-SENT (or a simultaneous open whose SYN was already
     * acknowledged by the peer's SYN-ACK): the slot opens established and sends the ACK. */
    int passive = s->state == TOE_TCPS_SYN_RCVD && !s->syn_acked;
    if (s->state != TOE_TCPS_SYN_SENT && s->state != TOE_TCPS_SYN_RCVD) {
        s->work &= ~(unsigned)W_PROGRAM;
        return;
    }
    /* IP_TTL_TOS and SND_UP keep what the slot's last connection left: written every time
     * (SND_UP at ISS + 1: no urgent data) on a device that has them. */
    const unsigned fld[13] = {TOE_FIELD_REMOTE_IP, TOE_FIELD_PORTS, TOE_FIELD_MAC_HI,
                              TOE_FIELD_MAC_LO, TOE_FIELD_MSS, TOE_FIELD_SND_UNA,
                              TOE_FIELD_SND_WND, TOE_FIELD_RCV_NXT, TOE_FIELD_CWND,
                              TOE_FIELD_SSTHRESH, TOE_FIELD_FLAGS, TOE_FIELD_IP_TTL_TOS,
                              TOE_FIELD_SND_UP};
    uint32_t v[13] = {s->rip,
                      (uint32_t)s->lport << 16 | s->rport,
                      (uint32_t)s->mac[0] << 8 | s->mac[1],
                      rd32(s->mac + 2),
                      slot_mss_field(s),
                      s->iss + 1,
                      s->snd_wnd,
                      s->irs + 1,
                      initial_cwnd(s),
                      TOE_TCP_SSTHRESH_INIT,
                      slot_flags(s) | (passive ? TOE_CONST_SF_SYN_RCVD : 0u),
                      ttl_tos(s),
                      s->iss + 1};
    size_t n = t->slot_ext ? 13 : 11;
    uint16_t a[13];
    for (size_t i = 0; i < n; i++)
        a[i] = tcp_slot_addr(s, fld[i]);
    int r = toe_csr_write_many(s->dev, a, v, n, CSR_MS);
    if (!r) {
        s->opened = 1; /* from here on the slot needs a FREE */
        r = tcp_slot_cmd(s, TOE_CMD_OPEN);
    }
    s->work &= ~(unsigned)W_PROGRAM;
    if (r) {
        tcp_set_error(s, r);
        return;
    }
    s->snd_una = s->tx_end = s->iss + 1;
    if (passive) {
        tcp_send_seg(s, s->iss, s->irs + 1, TH_SYN | TH_ACK, syn_window(t), 1, NULL, 0);
        s->syn_sent_at = t->now;
        s->syn_tries = 1;
        s->syn_at = t->now + TOE_TCP_SYN_RTO_US;
        if (s->syn_acked && s->state == TOE_TCPS_SYN_RCVD)
            synack_established(s); /* the peer's SYN-ACK came while the slot was programmed */
        return;
    }
    /* The handshake's third segment comes from the device. */
    r = tcp_slot_cmd(s, TOE_CMD_ACK);
    if (r) {
        tcp_set_error(s, r);
        return;
    }
    s->state = TOE_TCPS_ESTABLISHED;
    s->last_activity = t->now;
    tcp_syn_done_rto(s);
    s->dev->hs[TOE_HSTAT_TCP_ACTIVE_OPENS]++;
    tcp_timers_update(s);
}

/* RST to the peer, then FREE. Blocks. Its sequence number is SND.NXT, or the right edge of
 * the peer's window if SND.NXT is past it (the byte of a zero-window probe that the peer did
 * not take): a peer takes a RST only inside its window (RFC 5961 3.2), and a zero window is
 * where an abort on a send timeout happens. Linux does the same (tcp_acceptable_seq). */
static void abort_now(toe_sock *s)
{
    s->work &= ~(unsigned)W_RST;
    if (s->slot >= 0 && s->opened) {
        const uint16_t a[3] = {tcp_slot_addr(s, TOE_FIELD_SND_NXT),
                               tcp_slot_addr(s, TOE_FIELD_SND_UNA),
                               tcp_slot_addr(s, TOE_FIELD_SND_WND)};
        uint32_t v[3] = {s->tx_end, s->snd_una, s->snd_wnd};
        if (toe_csr_read_many(s->dev, a, v, 3, NULL, CSR_MS)) {
            v[0] = s->tx_end;
            v[1] = s->snd_una;
            v[2] = s->snd_wnd;
        }
        uint32_t seq = SEQ_GT(v[0], v[1] + v[2]) ? v[1] + v[2] : v[0];
        release_slot(s);
        tcp_send_seg(s, seq, tcp_rcv_nxt(s), TH_RST | TH_ACK, 0, 0, NULL, 0);
        s->dev->hs[TOE_HSTAT_TCP_RST_TX]++;
    } else {
        release_slot(s);
    }
    s->state = TOE_TCPS_CLOSED;
    stop_timers(s);
    s->tw_at = 0;
}

/* Connection given up from here (user timeout, SYN-ACK retries, orphan timeout). */
void tcp_abort_err(toe_sock *s, int err)
{
    if (err && !s->err)
        s->err = err;
    abort_now(s);
}

static void rst_check(toe_sock *s)
{
    s->work &= ~(unsigned)W_RSTCHK;
    if (!slot_open(s))
        return;
    uint16_t a[2] = {tcp_slot_addr(s, TOE_FIELD_RCV_NXT), tcp_slot_addr(s, TOE_FIELD_SND_UNA)};
    uint32_t v[2];
    if (toe_csr_read_many(s->dev, a, v, 2, NULL, CSR_MS))
        return;
    if (s->rst_seq == v[0])
        rst_accepted(s, SEQ_GT(v[1], s->snd_una) ? v[1] : s->snd_una);
    else
        challenge_ack(s);
}

/* Re-read the slot after link errors or lost events, and repair what was lost. */
static void resync(toe_sock *s)
{
    s->work &= ~(unsigned)W_RESYNC;
    if (!slot_open(s))
        return;
    const unsigned fld[7] = {TOE_FIELD_FLAGS, TOE_FIELD_SND_UNA, TOE_FIELD_SND_WND,
                             TOE_FIELD_RCV_NXT, TOE_FIELD_TX_END, TOE_FIELD_RX_SENT,
                             TOE_FIELD_RX_CONSUMED};
    uint16_t a[7];
    uint32_t v[7];
    for (int i = 0; i < 7; i++)
        a[i] = tcp_slot_addr(s, fld[i]);
    if (toe_csr_read_many(s->dev, a, v, 7, NULL, CSR_MS))
        return;
    s->dev->hs[TOE_HSTAT_TCP_RESYNCS]++;
    if (!(v[0] & TOE_CONST_SF_VALID)) {
        tcp_set_error(s, TOE_ECONNABORTED); /* the device lost the connection */
        return;
    }
    unsigned ev = 0;
    if (v[0] & TOE_CONST_SF_FIN_RCVD)
        ev |= TOE_CONST_EVF_FIN_RCVD;
    if (v[0] & TOE_CONST_SF_FIN_ACKED)
        ev |= TOE_CONST_EVF_FIN_ACKED;
    if (!(v[0] & TOE_CONST_SF_SYN_RCVD))
        ev |= TOE_CONST_EVF_ESTABLISHED;
    slot_state(s, ev, v[1], v[2], v[3], TOE_CONST_RTT_NONE);
    if (SEQ_LT(v[4], s->tx_end) && SEQ_GEQ(v[4], s->snd_una)) {
        s->dev->hs[TOE_HSTAT_TCP_TX_RESYNC]++;
        tcp_tx_resend_from(s, v[4]);
    }
    if (SEQ_GT(v[5], s->rx_expect)) {
        s->rx_resend_pending = 0;
        ask_resend(s);
    }
    if (SEQ_LT(v[6], s->rx_cons_sent))
        send_consumed(s);
}

/* W_URGENT: the peer's urgent pointer advanced; the mark only moves forward. */
static void urgent_read(toe_sock *s)
{
    s->work &= ~(unsigned)W_URGENT;
    uint32_t up;
    if (slot_open(s) &&
        !toe_csr_read(s->dev, tcp_slot_addr(s, TOE_FIELD_RCV_UP), &up, CSR_MS) &&
        SEQ_GT(up, s->rcv_up))
        s->rcv_up = up;
}

static void send_syn(toe_sock *s)
{
    struct toe_tcp *t = s->dev->tcp;
    s->syn_tries = 1;
    s->syn_sent_at = t->now;
    s->syn_at = t->now + TOE_TCP_SYN_RTO_US;
    tcp_send_seg(s, s->iss, 0, TH_SYN, syn_window(t), 2, NULL, 0);
}

/* W_ARP: a non-blocking connect waits for the next hop here. */
static void arp_wait(toe_sock *s)
{
    if (s->state != TOE_TCPS_SYN_SENT) {
        s->work &= ~(unsigned)W_ARP;
        return;
    }
    int r = toe_arp_resolve(s->dev, s->rip, s->mac, 0);
    if (r == TOE_EAGAIN)
        return;
    s->work &= ~(unsigned)W_ARP;
    if (r) {
        tcp_set_error(s, r);
        release_slot(s);
        return;
    }
    send_syn(s);
}

/* W_SLOT: a listener's child takes a free slot and is programmed; else it waits (its SYN
 * unanswered) until one is freed or the wait ends (tcp_slot_wait_over). */
static void take_slot(toe_sock *s)
{
    if (s->state != TOE_TCPS_SYN_RCVD || s->slot >= 0) {
        s->work &= ~(unsigned)W_SLOT;
        return;
    }
    if (alloc_slot(s->dev->tcp, s))
        return;
    s->work = (s->work & ~(unsigned)W_SLOT) | W_PROGRAM;
}

void tcp_slot_wait_over(toe_sock *s)
{
    s->dev->hs[TOE_HSTAT_TCP_NO_SLOT]++;
    s->dev->hs[TOE_HSTAT_TCP_LISTEN_DROP]++;
    s->work &= ~(unsigned)W_SLOT;
    s->state = TOE_TCPS_CLOSED; /* dropped unanswered; the work step frees it */
    s->parent = NULL;
}

static void sock_work(toe_sock *s)
{
    if (s->work & W_ARP)
        arp_wait(s);
    if (s->work & W_SLOT)
        take_slot(s);
    if (s->work & W_PROGRAM)
        program_slot(s);
    if (s->work & W_RST)
        abort_now(s);
    if (s->work & W_RSTCHK)
        rst_check(s);
    if ((s->work & W_CLOSE) && slot_open(s)) {
        if (!tcp_slot_cmd(s, TOE_CMD_CLOSE))
            s->work &= ~(unsigned)W_CLOSE;
    }
    if (s->work & W_RESYNC)
        resync(s);
    if (s->work & W_URGENT)
        urgent_read(s);
    if ((s->work & W_FREE) &&
        (s->state == TOE_TCPS_CLOSED || !s->fin_rcvd || s->rx_expect == s->fin_seq ||
         s->slot < 0)) {
        /* TIME-WAIT and LAST-ACK keep the slot until every received byte is up here. */
        if (s->state == TOE_TCPS_CLOSED || (s->fin_rcvd && s->rx_expect == s->fin_seq) ||
            s->slot < 0) {
            s->work &= ~(unsigned)W_FREE;
            release_slot(s);
            tw_adopt(s);
        }
    }
}

void toe_tcp_work(toe_dev *dev)
{
    struct toe_tcp *t = dev->tcp;
    if (!t || t->busy || dev->dead)
        return;
    t->busy = 1;
    uint64_t mark = toe_dev_link_errors(dev);
    if (mark != t->err_mark) {
        t->err_mark = mark;
        for (toe_sock *s = t->socks; s; s = s->next)
            if (slot_open(s))
                s->work |= W_RESYNC;
    }
    for (unsigned i = 0; i < t->nslots; i++)
        if (t->slot_dirty[i] &&
            !toe_csr_write(dev, TOE_CSR_SLOT_CMD, TOE_CMD_FREE << 8 | i, CSR_MS)) {
            t->slot_dirty[i] = 0;
            t->slot_used[i] = 0;
        }
    toe_sock *nx;
    for (toe_sock *s = t->socks; s; s = nx) {
        nx = s->next;
        if (s->work)
            sock_work(s);
    }
    /* A listener's child waiting for a slot takes one freed above (later in the list). */
    for (toe_sock *s = t->socks; s; s = nx) {
        nx = s->next;
        if (s->work & W_SLOT)
            sock_work(s);
    }
    tcp_run_timers(t);
    for (toe_sock *s = t->socks; s; s = nx) {
        nx = s->next;
        if (!s->user && s->state == TOE_TCPS_CLOSED && s->slot < 0)
            sock_unlink_free(t, s);
    }
    tcp_alarm_update(t);
    t->busy = 0;
    toe_dev_flush(dev, 0);
}

int toe_tcp_wait_ms(toe_dev *dev)
{
    struct toe_tcp *t = dev->tcp;
    if (t->busy)
        return -1;
    int arp = 0, slot_wait = 0;
    for (toe_sock *s = t->socks; s; s = s->next) {
        if (s->work & W_ARP)
            arp = 1;
        if (s->work & W_SLOT)
            slot_wait = 1;
        if (s->work & ~(unsigned)(W_ARP | W_SLOT))
            return 0;
        uint64_t d[6] = {s->syn_at, s->rto_at, s->persist_at, s->tw_at, s->keep_at, s->rxchk_at};
        for (int i = 0; i < 6; i++)
            if (d[i] && d[i] <= t->now)
                return 0;
    }
    if (tcp_tw_next(t) && tcp_tw_next(t) <= t->now)
        return 0;
    if (slot_wait && slot_free(t))
        return 0; /* freed outside the work step (an API call): a waiting SYN takes it */
    if (arp)
        return 10; /* the ARP reply wakes the engine; ARP retries run on host time */
    for (unsigned i = 0; i < t->nslots; i++)
        if (t->slot_dirty[i])
            return 100;
    if (!t->alarm_armed)
        return -1;
    uint64_t now = toe_now_ms();
    return now >= t->alarm_check_ms ? 0 : (int)(t->alarm_check_ms - now);
}

/* ---- setup and teardown of the layer ------------------------------------------------ */

static const struct toe_layer tcp_layer;

static int tcp_init(toe_dev *dev)
{
    int r = toe_net_cfg(dev, CSR_MS);
    if (r)
        return r;
    uint32_t caps;
    r = toe_csr_read(dev, TOE_CSR_CAPS, &caps, CSR_MS);
    if (r)
        return r;
    unsigned n = caps & 0xff, lg = (caps >> 16) & 0xf;
    if (!n || lg < 10)
        return toe_seterr(dev, TOE_ENOSLOT, "device has no TCP slots (CAPS 0x%08x)", caps);
    if (n > TOE_TCP_MAX_SLOTS)
        n = TOE_TCP_MAX_SLOTS;
    /* A previous session may have left slots open: free them all. */
    uint16_t a[TOE_TCP_MAX_SLOTS];
    uint32_t v[TOE_TCP_MAX_SLOTS];
    for (unsigned i = 0; i < n; i++) {
        a[i] = TOE_CSR_SLOT_CMD;
        v[i] = TOE_CMD_FREE << 8 | i;
    }
    r = toe_csr_write_many(dev, a, v, n, CSR_MS);
    if (r)
        return r;
    /* Does the device have the slot fields IP_TTL_TOS, SND_UP and RCV_UP? (A read of an
     * unknown slot field is refused; that is no error for the caller to see.) */
    uint32_t probe;
    char err[sizeof(dev->err)];
    memcpy(err, dev->err, sizeof(err));
    int ext = !toe_csr_read(dev, (uint16_t)(TOE_CSR_SLOT_BASE + TOE_FIELD_IP_TTL_TOS), &probe,
                            CSR_MS);
    memcpy(dev->err, err, sizeof(err));
    uint64_t now = 0;
    r = toe_time(dev, &now, CSR_MS);
    if (r)
        return r;
    struct toe_tcp *t = calloc(1, sizeof(*t));
    if (!t)
        return TOE_ENOMEM;
    t->dev = dev;
    t->slot_ext = ext;
    t->nslots = n;
    t->ring = 1u << lg;
    t->tw_max = TOE_TCP_TW_MAX;
    t->rcv_ws = 0;
    while ((t->ring >> t->rcv_ws) > 65535)
        t->rcv_ws++;
    t->now = now;
    uint8_t rnd[4];
    if (toe_random(t->isn_key, sizeof(t->isn_key)) ||
        toe_random(t->port_key, sizeof(t->port_key)) || toe_random(rnd, sizeof(rnd))) {
        free(t);
        return toe_seterr(dev, TOE_EIO, "getrandom failed: no key for ISNs and ports");
    }
    t->ip_id = rd16(rnd);
    t->port_ctr = rd16(rnd + 2);
    t->err_mark = toe_dev_link_errors(dev);
    r = toe_dev_add_layer(dev, &tcp_layer);
    if (r) {
        free(t);
        return r;
    }
    dev->tcp = t;
    return 0;
}

void toe_tcp_free(toe_dev *dev)
{
    if (!dev || !dev->tcp)
        return;
    struct toe_tcp *t = dev->tcp;
    while (t->socks) {
        toe_sock *s = t->socks;
        if (s->slot >= 0 && s->opened && !dev->dead) {
            tcp_send_seg(s, s->tx_end, tcp_rcv_nxt(s), TH_RST | TH_ACK, 0, 0, NULL, 0);
            tcp_csr_write_async(dev, TOE_CSR_SLOT_CMD, TOE_CMD_FREE << 8 | (unsigned)s->slot, -1);
        }
        sock_unlink_free(t, s);
    }
    tcp_tw_free(t);
    free(t);
    dev->tcp = NULL;
}

static const struct toe_layer tcp_layer = {
    .name = "tcp",
    .event = toe_tcp_event,
    .rx_data = toe_tcp_rx_data,
    .time = tcp_time_probed,
    .next_timeout = toe_tcp_wait_ms,
    .work = toe_tcp_work,
    .free = toe_tcp_free,
};

/* ---- the socket API ----------------------------------------------------------------- */

/* One engine turn for a blocking call. first: the call's first look (always turns once,
 * non-blocking, before giving up on timeout 0). Returns 0 to look again, or an error. */
static int api_turn(toe_dev *dev, int timeout_ms, uint64_t deadline, int *first)
{
    int f = *first;
    *first = 0;
    if (!f && timeout_ms == 0)
        return TOE_EAGAIN;
    int rem = timeout_ms == 0 ? 0 : toe_remaining(dev, deadline, 1000);
    if (!f && timeout_ms != 0 && rem == 0)
        return TOE_ETIMEDOUT;
    return toe_dev_turn(dev, rem);
}

int toe_tcp_socket(toe_dev *dev, toe_sock **out)
{
    if (out)
        *out = NULL;
    if (!dev || !out)
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    if (!dev->tcp) {
        int r = tcp_init(dev);
        if (r)
            return r;
    }
    toe_sock *s = sock_new(dev->tcp);
    if (!s)
        return TOE_ENOMEM;
    s->user = 1;
    *out = s;
    return 0;
}

int toe_tcp_connect(toe_sock *s, uint32_t ip, uint16_t port, int timeout_ms)
{
    if (!s || !port)
        return TOE_EINVAL;
    toe_dev *dev = s->dev;
    struct toe_tcp *t = dev->tcp;
    const char *why = bad_peer_addr(dev, ip);
    if (why)
        return toe_seterr(dev, TOE_EADDRNOTAVAIL, "%u.%u.%u.%u is %s: not a TCP peer", ip >> 24,
                          (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, why);
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    int same = s->rip == ip && s->rport == port;
    if (s->state == TOE_TCPS_CLOSED && s->slot < 0 && s->lport == 0) {
        if (s->bport && (find_conn(t, ip, port, s->bport) || tcp_tw_find(t, ip, port, s->bport)))
            return toe_seterr(dev, TOE_EADDRINUSE, "%u.%u.%u.%u:%u from port %u: already connected",
                              ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port,
                              s->bport);
        int r = toe_arp_resolve(dev, ip, s->mac, timeout_ms);
        int arp_wait = r == TOE_EAGAIN && timeout_ms == 0; /* the work step goes on with it */
        if (r && !arp_wait)
            return r;
        if ((r = alloc_slot(t, s))) {
            dev->hs[TOE_HSTAT_TCP_NO_SLOT]++;
            return toe_seterr(dev, r, "no free connection slot (%u in use)", t->nslots);
        }
        if ((r = bufs_alloc(s))) {
            release_slot(s);
            return r;
        }
        s->rip = ip;
        s->rport = port;
        s->lport = s->bport ? s->bport : pick_port(t, ip, port);
        uint64_t now;
        if (!s->lport) {
            release_slot(s);
            return toe_seterr(dev, TOE_EADDRINUSE, "no free local port");
        }
        r = toe_time(dev, &now, CSR_MS);
        if (r) {
            release_slot(s);
            s->lport = 0;
            return r;
        }
        tcp_note_time(t, now);
        s->err = 0;
        s->active = 1;
        s->syn_acked = 0;
        s->iss = tcp_gen_iss(t, ip, s->lport, port);
        s->rcv_ws = t->rcv_ws;
        s->ws_ok = 1;
        s->snd_una = s->tx_end = s->iss + 1;
        s->state = TOE_TCPS_SYN_SENT;
        if (arp_wait)
            s->work |= W_ARP;
        else
            send_syn(s);
        same = 1;
    } else if (!same || (s->state != TOE_TCPS_SYN_SENT && s->state != TOE_TCPS_SYN_RCVD &&
                         !tcp_synchronized(s) && !s->err)) {
        return toe_seterr(dev, TOE_EISCONN, "socket already in use (%s)",
                          toe_tcp_state_name(s->state));
    }
    for (int first = 1;;) {
        if (s->state == TOE_TCPS_SYN_SENT || s->state == TOE_TCPS_SYN_RCVD ||
            (s->work & W_PROGRAM)) {
            /* still connecting */
        } else if (s->err) {
            int e = s->err;
            s->err = 0;
            s->lport = 0;
            return toe_seterr(dev, e, "connect: %s", toe_strerror(e));
        } else if (tcp_synchronized(s)) {
            return 0;
        } else {
            return TOE_ENOTCONN;
        }
        int r = api_turn(dev, timeout_ms, deadline, &first);
        if (r == TOE_ETIMEDOUT &&
            (s->state == TOE_TCPS_SYN_SENT || s->state == TOE_TCPS_SYN_RCVD)) {
            t->busy++;
            abort_now(s); /* a SYN-RECEIVED slot is open: RST, FREE */
            t->busy--;
            s->lport = 0;
        }
        if (r)
            return r;
    }
}

int toe_tcp_bind(toe_sock *s, uint16_t port)
{
    if (!s || !port)
        return TOE_EINVAL;
    if (s->state != TOE_TCPS_CLOSED || s->slot >= 0 || s->lport)
        return toe_seterr(s->dev, TOE_EISCONN, "socket already in use");
    if (s->bport)
        return toe_seterr(s->dev, TOE_EINVAL, "socket already bound to port %u", s->bport);
    if (port_taken(s->dev->tcp, s, port))
        return toe_seterr(s->dev, TOE_EADDRINUSE, "port %u in use", port);
    s->bport = port;
    return 0;
}

int toe_tcp_listen(toe_sock *s, uint16_t port, int backlog)
{
    if (!s || !port || backlog < 0 || backlog > TOE_TCP_BACKLOG_MAX)
        return TOE_EINVAL;
    if (s->state != TOE_TCPS_CLOSED || s->slot >= 0 || s->lport)
        return toe_seterr(s->dev, TOE_EISCONN, "socket already in use");
    if (s->bport && s->bport != port)
        return toe_seterr(s->dev, TOE_EINVAL, "socket bound to port %u, not %u", s->bport, port);
    if (find_listener(s->dev->tcp, port))
        return toe_seterr(s->dev, TOE_EADDRINUSE, "port %u already has a listener", port);
    for (toe_sock *x = s->dev->tcp->socks; x; x = x->next)
        if (x != s && x->bport == port)
            return toe_seterr(s->dev, TOE_EADDRINUSE, "port %u is bound by another socket", port);
    s->state = TOE_TCPS_LISTEN;
    s->lport = port;
    s->backlog = backlog ? backlog : 8;
    return 0;
}

int toe_tcp_accept(toe_sock *ls, toe_sock **out, uint32_t *peer_ip, uint16_t *peer_port,
                   int timeout_ms)
{
    if (out)
        *out = NULL;
    if (!ls || !out)
        return TOE_EINVAL;
    if (ls->state != TOE_TCPS_LISTEN)
        return TOE_ENOTCONN;
    toe_dev *dev = ls->dev;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    for (int first = 1;;) {
        toe_sock *best = NULL;
        for (toe_sock *c = dev->tcp->socks; c; c = c->next)
            if (c->parent == ls && (tcp_synchronized(c) ||
                                    (c->state == TOE_TCPS_CLOSED && c->err)))
                best = c; /* the list is newest first: the last match is the oldest */
        if (best) {
            best->parent = NULL;
            best->user = 1;
            *out = best;
            if (peer_ip)
                *peer_ip = best->rip;
            if (peer_port)
                *peer_port = best->rport;
            return 0;
        }
        int r = api_turn(dev, timeout_ms, deadline, &first);
        if (r)
            return r;
    }
}

int toe_tcp_send(toe_sock *s, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    if (sent)
        *sent = 0;
    if (!s || (!buf && len) || !sent)
        return TOE_EINVAL;
    toe_dev *dev = s->dev;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    const uint8_t *p = buf;
    size_t done = 0;
    for (int first = 1;;) {
        if (s->err)
            return s->err;
        if (s->shut_wr)
            return TOE_EPIPE;
        if ((s->state != TOE_TCPS_ESTABLISHED && s->state != TOE_TCPS_CLOSE_WAIT) ||
            !slot_open(s))
            return TOE_ENOTCONN;
        uint32_t room = tx_room(s);
        if (room && done < len) {
            size_t k = len - done < room ? len - done : room;
            tx_push(s, p + done, k);
            done += k;
            *sent = done;
            toe_dev_flush(dev, 0);
        }
        if (done == len)
            return 0;
        int r = api_turn(dev, timeout_ms, deadline, &first);
        if (r == TOE_EAGAIN && done)
            return 0;
        if (r)
            return r;
    }
}

/* The peer's urgent mark is ahead of what the application has read. */
static int urgent_pending(const toe_sock *s)
{
    return tcp_synchronized(s) && SEQ_GT(s->rcv_up, s->rx_read);
}

int toe_tcp_send_urgent(toe_sock *s, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    if (!s || !len) {
        if (sent)
            *sent = 0;
        return TOE_EINVAL;
    }
    if (!s->dev->tcp->slot_ext) {
        if (sent)
            *sent = 0;
        return toe_seterr(s->dev, TOE_ENOTSUP, "the device has no SND_UP slot field (urgent)");
    }
    s->urg_send = 1;
    int r = toe_tcp_send(s, buf, len, sent, timeout_ms);
    s->urg_send = 0;
    return r;
}

int toe_tcp_urgent_mark(const toe_sock *s, size_t *until_mark)
{
    if (!s || !until_mark)
        return TOE_EINVAL;
    *until_mark = urgent_pending(s) ? s->rcv_up - s->rx_read : 0;
    return *until_mark ? 0 : TOE_EAGAIN;
}

int toe_tcp_recv(toe_sock *s, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    if (got)
        *got = 0;
    if (!s || !buf || !cap || !got)
        return TOE_EINVAL;
    toe_dev *dev = s->dev;
    uint32_t ring = dev->tcp->ring;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    uint64_t waited_from = toe_now_ms();
    for (int first = 1;;) {
        uint32_t avail = s->rx_expect - s->rx_read;
        if (avail && s->rxb) {
            size_t n = cap < avail ? cap : avail;
            if (urgent_pending(s) && n > s->rcv_up - s->rx_read)
                n = s->rcv_up - s->rx_read; /* a read ends at the urgent mark */
            uint32_t pos = s->rx_read & (ring - 1);
            size_t k = ring - pos < n ? ring - pos : n;
            memcpy(buf, s->rxb + pos, k);
            if (n > k)
                memcpy((uint8_t *)buf + k, s->rxb, n - k);
            s->rx_read += (uint32_t)n;
            *got = n;
            consumed_maybe(s);
            return 0;
        }
        if (s->err)
            return s->err;
        if (s->fin_rcvd && s->rx_expect == s->fin_seq)
            return 0; /* end of stream */
        if (s->state == TOE_TCPS_CLOSED || s->state == TOE_TCPS_LISTEN ||
            s->state == TOE_TCPS_SYN_SENT || s->state == TOE_TCPS_SYN_RCVD)
            return TOE_ENOTCONN;
        /* Waiting long with everything read: the last RX_CONSUMED may have been lost. */
        if (toe_now_ms() - waited_from >= TOE_TCP_CONSUMED_IDLE_MS &&
            toe_now_ms() - s->consumed_host_ms >= TOE_TCP_CONSUMED_IDLE_MS) {
            send_consumed(s);
            waited_from = toe_now_ms();
        }
        int r = api_turn(dev, timeout_ms, deadline, &first);
        if (r)
            return r;
    }
}

/* Queue our FIN (state change now, the command in this call or the work step). */
static int start_close(toe_sock *s)
{
    if (s->shut_wr)
        return 0;
    if (s->state == TOE_TCPS_ESTABLISHED)
        s->state = TOE_TCPS_FIN_WAIT_1;
    else if (s->state == TOE_TCPS_CLOSE_WAIT)
        s->state = TOE_TCPS_LAST_ACK;
    else
        return TOE_ENOTCONN;
    s->shut_wr = 1;
    s->fin_queued = 1;
    struct toe_tcp *t = s->dev->tcp;
    t->busy++;
    int r = tcp_slot_cmd(s, TOE_CMD_CLOSE);
    t->busy--;
    if (r)
        s->work |= W_CLOSE;
    tcp_timers_update(s);
    return 0;
}

static int wait_fin_acked(toe_sock *s, int timeout_ms)
{
    uint64_t deadline = toe_deadline(s->dev, timeout_ms);
    for (int first = 1;;) {
        if (s->fin_acked)
            return 0;
        if (s->err)
            return s->err;
        if (s->state == TOE_TCPS_CLOSED)
            return 0;
        int r = api_turn(s->dev, timeout_ms, deadline, &first);
        if (r == TOE_EAGAIN)
            return 0; /* timeout 0: do not wait */
        if (r)
            return r;
    }
}

int toe_tcp_shutdown(toe_sock *s, int timeout_ms)
{
    if (!s)
        return TOE_EINVAL;
    if (s->err)
        return s->err;
    if (!s->shut_wr) {
        if (!slot_open(s))
            return TOE_ENOTCONN;
        int r = start_close(s);
        if (r)
            return r;
    }
    return wait_fin_acked(s, timeout_ms);
}

int toe_tcp_close(toe_sock *s, int timeout_ms)
{
    if (!s)
        return 0;
    struct toe_tcp *t = s->dev->tcp;
    int r = 0;
    switch (s->state) {
    case TOE_TCPS_LISTEN:
        for (toe_sock *c = t->socks; c; c = c->next)
            if (c->parent == s) {
                c->parent = NULL;
                c->work |= W_RST;
            }
        s->state = TOE_TCPS_CLOSED;
        break;
    case TOE_TCPS_SYN_SENT:
    case TOE_TCPS_SYN_RCVD: /* a simultaneous open: RST if the slot is open */
        t->busy++;
        abort_now(s);
        t->busy--;
        break;
    case TOE_TCPS_ESTABLISHED:
    case TOE_TCPS_CLOSE_WAIT:
        if (s->rx_expect != s->rx_read || (s->work & W_PROGRAM)) {
            /* Unread data: abort (RFC 2525 2.17), as Linux does. */
            t->busy++;
            abort_now(s);
            t->busy--;
            r = TOE_ECONNRESET;
            break;
        }
        start_close(s);
        /* fall through */
    default:
        if (s->shut_wr && !s->err && timeout_ms != 0)
            r = wait_fin_acked(s, timeout_ms);
        if (s->state == TOE_TCPS_FIN_WAIT_2 && !s->tw_at)
            s->tw_at = t->now + (uint64_t)s->time_wait_ms * 1000u;
        if (!r && s->err == TOE_ECONNRESET)
            r = s->err;
        break;
    }
    s->user = 0;
    /* Unread data from now on is discarded (the window stays open). */
    if (s->rx_read != s->rx_expect) {
        s->rx_read = s->rx_expect;
        consumed_maybe(s);
    }
    tw_adopt(s);
    toe_dev_flush(s->dev, 0);
    if (s->state == TOE_TCPS_CLOSED && s->slot < 0 && !t->busy)
        sock_unlink_free(t, s);
    return r;
}

void toe_tcp_abort(toe_sock *s)
{
    if (!s)
        return;
    struct toe_tcp *t = s->dev->tcp;
    if (s->state == TOE_TCPS_LISTEN) {
        toe_tcp_close(s, 0);
        return;
    }
    t->busy++;
    abort_now(s);
    t->busy--;
    s->user = 0;
    toe_dev_flush(s->dev, 0);
    if (s->slot < 0)
        sock_unlink_free(t, s);
}

static short revents_of(toe_sock *s, short ev)
{
    short r = 0;
    if (s->state == TOE_TCPS_LISTEN) {
        for (toe_sock *c = s->dev->tcp->socks; c; c = c->next)
            if (c->parent == s && tcp_synchronized(c))
                r |= TOE_POLLIN;
        return (short)(r & ev);
    }
    int eof = s->fin_rcvd && s->rx_expect == s->fin_seq;
    if (s->rx_expect != s->rx_read || eof || s->err)
        r |= TOE_POLLIN;
    if (urgent_pending(s))
        r |= TOE_POLLPRI;
    if ((s->state == TOE_TCPS_ESTABLISHED || s->state == TOE_TCPS_CLOSE_WAIT) && slot_open(s) &&
        !s->shut_wr && tx_room(s))
        r |= TOE_POLLOUT;
    r &= ev;
    if (s->err)
        r |= TOE_POLLERR;
    /* Over both ways: every byte of the peer's is here (TIME-WAIT alone is not enough: RX_DATA
     * may still be on the link). */
    if ((s->state == TOE_TCPS_CLOSED && !(s->work & W_PROGRAM)) || (eof && s->shut_wr))
        r |= TOE_POLLHUP;
    return r;
}

int toe_tcp_poll(struct toe_tcp_pollfd *fds, size_t n, int timeout_ms)
{
    if (!fds && n)
        return TOE_EINVAL;
    toe_dev *dev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!fds[i].sock)
            continue;
        if (dev && fds[i].sock->dev != dev)
            return TOE_EINVAL;
        dev = fds[i].sock->dev;
    }
    if (!dev)
        return TOE_EINVAL;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    for (int first = 1;;) {
        int ready = 0;
        for (size_t i = 0; i < n; i++) {
            fds[i].revents = fds[i].sock ? revents_of(fds[i].sock, fds[i].events) : 0;
            ready += fds[i].revents != 0;
        }
        if (ready)
            return ready;
        int r = api_turn(dev, timeout_ms, deadline, &first);
        if (r)
            return r;
    }
}

/* An option that lives in the slot: written now if the slot is open (it is programmed with
 * the rest otherwise; FLAGS also once SYN_RCVD is over). Blocks. */
static int slot_write_open(toe_sock *s, unsigned field, uint32_t v)
{
    if (!slot_open(s) || (field == TOE_FIELD_FLAGS && s->state == TOE_TCPS_SYN_RCVD))
        return 0;
    struct toe_tcp *t = s->dev->tcp;
    t->busy++;
    int r = toe_csr_write(s->dev, tcp_slot_addr(s, field), v, CSR_MS);
    t->busy--;
    return r;
}

int toe_tcp_setopt(toe_sock *s, int opt, int value)
{
    if (!s)
        return TOE_EINVAL;
    switch (opt) {
    case TOE_TCP_NODELAY:
        if (value != 0 && value != 1)
            return TOE_EINVAL;
        s->nodelay = value;
        return slot_write_open(s, TOE_FIELD_FLAGS, slot_flags(s));
    case TOE_TCP_KEEPALIVE:
        if (value < 0 || value > 86400 * 7)
            return TOE_EINVAL;
        s->keepalive_s = value;
        s->keep_at = 0;
        s->keep_probes = 0;
        tcp_timers_update(s);
        return 0;
    case TOE_TCP_KEEPINTVL:
        if (value < 1 || value > TOE_TCP_KEEP_INTVL_MAX)
            return toe_seterr(s->dev, TOE_EINVAL, "keepalive interval %d s not in 1..%d", value,
                              TOE_TCP_KEEP_INTVL_MAX);
        s->keepintvl_s = value;
        return 0;
    case TOE_TCP_KEEPCNT:
        if (value < 1 || value > TOE_TCP_KEEP_PROBES_MAX)
            return toe_seterr(s->dev, TOE_EINVAL, "keepalive probe count %d not in 1..%d", value,
                              TOE_TCP_KEEP_PROBES_MAX);
        s->keepcnt = value;
        return 0;
    case TOE_TCP_USER_TIMEOUT:
        if (value < 0)
            return TOE_EINVAL;
        s->user_timeout_ms = value ? value : TOE_TCP_USER_TIMEOUT_MS;
        return 0;
    case TOE_TCP_MIN_RTO:
        if (value < 1 || value > 60000)
            return TOE_EINVAL;
        s->min_rto_ms = value;
        return 0;
    case TOE_TCP_TIME_WAIT:
        if (value < 0 || value > 600000)
            return TOE_EINVAL;
        s->time_wait_ms = value;
        return 0;
    case TOE_TCP_TTL:
    case TOE_TCP_TOS:
        if (value < 0 || value > 255)
            return toe_seterr(s->dev, TOE_EINVAL, "TOE_TCP_%s %d: not in 0..255",
                              opt == TOE_TCP_TTL ? "TTL" : "TOS", value);
        if (opt == TOE_TCP_TOS && (value & 3))
            return toe_seterr(s->dev, TOE_EINVAL, "TOE_TCP_TOS 0x%02x: the ECN bits (1:0) are "
                              "not the application's (RFC 3168)", (unsigned)value);
        if (!s->dev->tcp->slot_ext)
            return toe_seterr(s->dev, TOE_ENOTSUP, "the device has no IP_TTL_TOS slot field");
        if (opt == TOE_TCP_TTL)
            s->ttl = (uint8_t)value;
        else
            s->tos = (uint8_t)value;
        return slot_write_open(s, TOE_FIELD_IP_TTL_TOS, ttl_tos(s) ? ttl_tos(s) : 64u);
    case TOE_TCP_SNDBUF:
        if (value < 0 || (uint32_t)value > s->dev->tcp->ring)
            return toe_seterr(s->dev, TOE_EINVAL, "TOE_TCP_SNDBUF %d: 0 or 1..%u (the TX ring)",
                              value, s->dev->tcp->ring);
        s->sndbuf = (uint32_t)value;
        return 0;
    default:
        return toe_seterr(s->dev, TOE_EINVAL, "unknown TCP option %d", opt);
    }
}

int toe_tcp_set_challenge_ack_limit(toe_dev *dev, int per_second)
{
    if (!dev)
        return TOE_EINVAL;
    if (per_second < -1 || per_second > TOE_TCP_CHALLENGE_ACK_LIMIT_MAX)
        return toe_seterr(dev, TOE_EINVAL, "challenge ACK limit %d: not -1, 0 or 1..%d",
                          per_second, TOE_TCP_CHALLENGE_ACK_LIMIT_MAX);
    dev->tcp_chack_limit = per_second;
    /* The fast path's challenge ACKs (RFC 5961 5.2, an ACK field out of range) have their own
     * budget in the device, set to the same number: 0 there means none may be sent. */
    uint32_t dev_limit = per_second < 0    ? UINT32_MAX
                         : per_second == 0 ? TOE_CONST_CHALLENGE_ACK_LIMIT_DEFAULT
                                           : (uint32_t)per_second;
    tcp_csr_write_async(dev, TOE_CSR_CHALLENGE_ACK_LIMIT, dev_limit, -1);
    return 0;
}

static void fill_info(const toe_sock *s, struct toe_tcp_info *in)
{
    memset(in, 0, sizeof(*in));
    in->state = s->state;
    in->slot = s->slot;
    in->local_ip = s->dev->net.ip;
    in->remote_ip = s->rip;
    in->local_port = s->lport;
    in->remote_port = s->rport;
    in->orphan = !s->user && !s->parent;
    in->snd_una = s->snd_una;
    in->snd_wnd = s->snd_wnd;
    in->tx_end = s->tx_end;
    in->rcv_nxt = s->state >= TOE_TCPS_SYN_RCVD ? tcp_rcv_nxt(s) : 0;
    in->tx_queued = s->tx_end - s->snd_una;
    in->rx_queued = s->rx_expect - s->rx_read;
    in->srtt_us = s->srtt;
    in->rttvar_us = s->rttvar;
    in->rto_us = tcp_rto_cur(s);
    in->mss = s->mss;
    in->snd_wscale = s->snd_ws;
    in->rcv_wscale = s->rcv_ws;
    in->rto_count = s->rto_count;
    in->soft_error = s->soft_err;
}

int toe_tcp_sockinfo(const toe_sock *s, struct toe_tcp_info *info)
{
    if (!s || !info)
        return TOE_EINVAL;
    fill_info(s, info);
    return 0;
}

/* A handle without sockets of its own (e.g. the `toe netstat` command): the device's open
 * slots, read from their CSRs, the state guessed from the slot flags. Frees nothing. */
static int netstat_device(toe_dev *dev, struct toe_tcp_info *out, size_t n, size_t *got)
{
    uint32_t caps;
    int r = toe_csr_read(dev, TOE_CSR_CAPS, &caps, CSR_MS);
    if (r)
        return r;
    r = toe_net_cfg(dev, CSR_MS);
    if (r)
        return r;
    unsigned ns = caps & 0xff;
    if (ns > TOE_TCP_MAX_SLOTS)
        ns = TOE_TCP_MAX_SLOTS;
    enum { NF = 13 };
    const unsigned fld[NF] = {TOE_FIELD_FLAGS, TOE_FIELD_REMOTE_IP, TOE_FIELD_PORTS,
                              TOE_FIELD_SND_UNA, TOE_FIELD_SND_NXT, TOE_FIELD_SND_WND,
                              TOE_FIELD_RCV_NXT, TOE_FIELD_RCV_WND, TOE_FIELD_CWND,
                              TOE_FIELD_SSTHRESH, TOE_FIELD_TX_END, TOE_FIELD_STATS,
                              TOE_FIELD_MSS};
    uint16_t a[TOE_TCP_MAX_SLOTS * NF];
    uint32_t v[TOE_TCP_MAX_SLOTS * NF];
    for (unsigned i = 0; i < ns; i++)
        for (unsigned f = 0; f < NF; f++)
            a[i * NF + f] = (uint16_t)(TOE_CSR_SLOT_BASE + i * TOE_CONST_SLOT_STRIDE + fld[f]);
    r = toe_csr_read_many(dev, a, v, ns * NF, NULL, CSR_MS);
    if (r)
        return r;
    size_t k = 0;
    for (unsigned i = 0; i < ns && k < n; i++) {
        const uint32_t *x = v + i * NF;
        uint32_t fl = x[0];
        if (!(fl & TOE_CONST_SF_VALID))
            continue;
        struct toe_tcp_info *in = &out[k++];
        memset(in, 0, sizeof(*in));
        int q = !!(fl & TOE_CONST_SF_FIN_QUEUED), ak = !!(fl & TOE_CONST_SF_FIN_ACKED),
            rc = !!(fl & TOE_CONST_SF_FIN_RCVD);
        in->state = (fl & TOE_CONST_SF_SYN_RCVD) ? TOE_TCPS_SYN_RCVD
                    : !q ? (rc ? TOE_TCPS_CLOSE_WAIT : TOE_TCPS_ESTABLISHED)
                    : !rc ? (ak ? TOE_TCPS_FIN_WAIT_2 : TOE_TCPS_FIN_WAIT_1)
                          : (ak ? TOE_TCPS_TIME_WAIT : TOE_TCPS_LAST_ACK);
        in->slot = (int)i;
        in->orphan = -1; /* unknown: not this handle's */
        in->local_ip = dev->net.ip;
        in->remote_ip = x[1];
        in->local_port = (uint16_t)(x[2] >> 16);
        in->remote_port = (uint16_t)x[2];
        in->snd_una = x[3];
        in->snd_nxt = x[4];
        in->snd_wnd = x[5];
        in->rcv_nxt = x[6];
        in->rcv_wnd = x[7];
        in->cwnd = x[8];
        in->ssthresh = x[9];
        in->tx_end = x[10];
        in->tx_queued = x[10] - x[3];
        in->retransmits = x[11] >> 8;
        in->mss = (uint16_t)x[12];
        in->snd_wscale = (uint8_t)((x[12] >> 16) & 15);
        in->rcv_wscale = (uint8_t)((x[12] >> 20) & 15);
    }
    if (got)
        *got = k;
    return 0;
}

int toe_tcp_netstat(toe_dev *dev, struct toe_tcp_info *out, size_t n, size_t *got)
{
    if (got)
        *got = 0;
    if (!dev || (!out && n))
        return TOE_EINVAL;
    if (!dev->tcp)
        return netstat_device(dev, out, n, got);
    struct toe_tcp *t = dev->tcp;
    size_t k = 0;
    for (toe_sock *s = t->socks; s && k < n; s = s->next)
        fill_info(s, &out[k++]);
    k += tcp_tw_info(t, out + k, n - k);
    if (got)
        *got = k;
    /* Live slot fields, one batch. */
    enum { NF = 5 };
    const unsigned fld[NF] = {TOE_FIELD_SND_NXT, TOE_FIELD_RCV_WND, TOE_FIELD_CWND,
                              TOE_FIELD_SSTHRESH, TOE_FIELD_STATS};
    uint16_t a[TOE_TCP_MAX_SLOTS * NF];
    uint32_t v[TOE_TCP_MAX_SLOTS * NF];
    size_t na = 0;
    for (size_t i = 0; i < k; i++)
        if (out[i].slot >= 0 && na + NF <= TOE_TCP_MAX_SLOTS * NF)
            for (int f = 0; f < NF; f++)
                a[na++] = (uint16_t)(TOE_CSR_SLOT_BASE +
                                     (unsigned)out[i].slot * TOE_CONST_SLOT_STRIDE + fld[f]);
    if (!na)
        return 0;
    t->busy++;
    int r = toe_csr_read_many(dev, a, v, na, NULL, CSR_MS);
    t->busy--;
    size_t j = 0;
    for (size_t i = 0; i < k && j + NF <= na; i++)
        if (out[i].slot >= 0) {
            out[i].snd_nxt = v[j];
            out[i].rcv_wnd = v[j + 1];
            out[i].cwnd = v[j + 2];
            out[i].ssthresh = v[j + 3];
            out[i].retransmits = v[j + 4] >> 8;
            j += NF;
        }
    return r;
}
