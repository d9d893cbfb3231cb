/* SPDX-License-Identifier: MIT */
/* tcp_in.c: what comes in, and the state machine it drives. Raw TCP segments on the slow path
 * (parsed and checked; SYN, SYN-ACK, RST with the RFC 5961 checks; listeners and their
 * backlog; TIME-WAIT answered from the host once the slot is freed), ICMP errors about our
 * segments (RFC 1122, RFC 5927, path MTU), the device's slot events (ACK progress, FIN, RST,
 * window) and RX_DATA into the socket's receive buffer. Nothing here blocks: what needs CSR
 * round trips is left as work (W_*) for tcp.c. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

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
const char *tcp_bad_peer_addr(const toe_dev *dev, uint32_t a)
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
        tcp_send_pkt(t, mac, g->src, g->dport, g->sport, g->ack, 0, TH_RST, 0, NULL, 0, NULL, 0,
                     0);
    else
        tcp_send_pkt(t, mac, g->src, g->dport, g->sport, 0,
                 g->seq + g->len + !!(g->flags & TH_SYN) + !!(g->flags & TH_FIN),
                 TH_RST | TH_ACK, 0, NULL, 0, NULL, 0, 0);
    t->dev->hs[TOE_HSTAT_TCP_RST_TX]++;
}

/* ---- receive side ------------------------------------------------------------------- */

/* The credit RX_CONSUMED gives: the device may send RX_DATA up to it + the ring, the end of
 * the receive buffer's room. */
uint32_t tcp_rx_credit(const toe_sock *s)
{
    const struct toe_tcp *t = s->tcp;
    return s->rx_read + t->rxbuf - t->ring;
}

/* The right edge of our receive window as the device keeps it: a ring beyond what has come up,
 * within the receive buffer. */
uint32_t tcp_rcv_edge(const toe_sock *s)
{
    const struct toe_tcp *t = s->tcp;
    uint32_t buf_end = s->rx_read + t->rxbuf, ring_end = s->rx_expect + t->ring;
    return SEQ_LT(buf_end, ring_end) ? buf_end : ring_end;
}

void tcp_send_consumed(toe_sock *s)
{
    if (!tcp_slot_open(s) || s->traffic == TOE_TRAFFIC_SINK)
        return; /* the device's sink gives the credit itself */
    uint32_t c = tcp_rx_credit(s);
    struct toe_msg m = {.type = TOE_MSG_RX_CONSUMED, .arg = (uint8_t)s->slot, .offset = c};
    toe_dev_queue(s->dev, &m);
    s->rx_cons_sent = c;
    s->consumed_host_ms = toe_now_ms();
}

/* Credit in steps of a quarter of the receive buffer: the device never waits for it while
 * the application reads. */
void tcp_consumed_maybe(toe_sock *s)
{
    if (tcp_rx_credit(s) - s->rx_cons_sent >= s->tcp->rxbuf / 4)
        tcp_send_consumed(s);
}

/* The answer to RX_SENT written back: refused once the ring no longer holds the bytes (they
 * went up a ring ago and were lost on the link): the stream cannot go on. */
static void resend_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)value;
    toe_sock *s = ctx;
    if (result == TOE_EBADREQ) {
        dev->hs[TOE_HSTAT_TCP_RX_LOST]++;
        if (!s->err)
            s->err = TOE_EIO;
        s->work |= W_RST;
    } else if (result) {
        dev->hs[TOE_HSTAT_TCP_ASYNC_FAIL]++;
    }
}

/* Ask the device to send RX_DATA again from what we expect next. */
void tcp_rx_resend(toe_sock *s)
{
    if (tcp_slot_open(s) &&
        toe_csr_async(s->dev, 1, tcp_slot_addr(s, TOE_FIELD_RX_SENT), s->rx_expect, resend_done,
                      s) == TOE_ENOSPC)
        s->dev->hs[TOE_HSTAT_TCP_ASYNC_FAIL]++;
}

void tcp_ask_resend(toe_sock *s)
{
    if (s->rx_resend_pending && s->rx_resend_asked == s->rx_expect)
        return;
    s->rx_resend_pending = 1;
    s->rx_resend_asked = s->rx_expect;
    s->dev->hs[TOE_HSTAT_TCP_RX_GAP]++;
    tcp_rx_resend(s);
}

static void established(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
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
void tcp_synack_established(toe_sock *s)
{
    tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_FLAGS), tcp_slot_flags(s), s->slot);
    established(s);
}

int toe_tcp_rx_data(toe_dev *dev, unsigned slot, uint32_t seq, const uint8_t *p, size_t n)
{
    struct toe_tcp *t = tcp_get(dev);
    toe_sock *s = slot < t->nslots ? t->slot_sock[slot] : NULL;
    if (!s || !s->rxb || !s->opened) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++;
        return 1;
    }
    if (s->state == TOE_TCPS_SYN_RCVD)
        established(s); /* data in the window means the handshake's ACK was taken */
    int32_t off = (int32_t)(seq - s->rx_expect);
    if (off > 0) {
        tcp_ask_resend(s); /* an RX_DATA before this one was lost */
        return 0;
    }
    if (off < 0) {
        dev->hs[TOE_HSTAT_TCP_RX_DUP]++;
        if ((size_t)-(int64_t)off >= n)
            return 0;
        p += -(int64_t)off;
        n -= (size_t)-(int64_t)off;
    }
    uint32_t ring = t->rxbuf, used = s->rx_expect - s->rx_read;
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
    tcp_peer_alive(s);
    if (!s->user && !s->parent)
        s->rx_read = s->rx_expect; /* closed by the application: nobody will read */
    tcp_consumed_maybe(s);
    return 0;
}

/* ---- slot events -------------------------------------------------------------------- */

static void on_fin_acked(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
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
    struct toe_tcp *t = s->tcp;
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

void tcp_slot_state(toe_sock *s, unsigned flags, uint32_t una, uint32_t wnd, uint32_t rcv_nxt,
                    uint32_t rtt)
{
    struct toe_tcp *t = s->tcp;
    if (s->state == TOE_TCPS_SYN_RCVD && (flags & TOE_CONST_EVF_ESTABLISHED))
        established(s);
    if (s->state == TOE_TCPS_SYN_RCVD)
        return; /* nothing else moves before the handshake's ACK */
    uint32_t top = s->tx_end + (s->fin_queued ? 1u : 0u);
    if (SEQ_GT(una, s->snd_una) && SEQ_LEQ(una, top)) {
        s->snd_una = SEQ_GT(una, s->tx_end) ? s->tx_end : una;
        s->rto_resent = 0; /* the backoff stays until an RTT sample (RFC 6298 5.7, Karn) */
        s->last_progress = t->now;
        tcp_peer_alive(s);
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
        tcp_peer_alive(s); /* the answer to a keepalive probe */
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
    /* Data the device has but did not send up: check it arrives (a lost RX_DATA); none
     * comes while the device's sink takes it. */
    uint32_t want = s->fin_rcvd ? s->fin_seq : s->rcv_nxt_ev;
    if (SEQ_LT(s->rx_expect, want) && !s->rxchk_at && s->traffic != TOE_TRAFFIC_SINK) {
        s->rxchk_at = t->now + TOE_TCP_RXCHK_US;
        s->rxchk_mark = s->rx_expect;
    }
    tcp_timers_update(s);
}

void toe_tcp_event(toe_dev *dev, unsigned kind, uint64_t time, const uint8_t *f, size_t len)
{
    struct toe_tcp *t = tcp_get(dev);
    tcp_note_time(t, time);
    if (kind == TOE_EVENT_ALARM) {
        if (t->alarm_armed && time >= t->alarm_at)
            t->alarm_armed = 0;
        return;
    }
    if (kind != TOE_EVENT_SLOT)
        return;
    if (len < TOE_HDR_SLOT_EVENT) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++;
        return;
    }
    unsigned slot = f[TOE_AT_SLOT_EVENT_SLOT];
    toe_sock *s = slot < t->nslots ? t->slot_sock[slot] : NULL;
    if (!s || !s->opened) {
        dev->hs[TOE_HSTAT_TCP_RX_BAD]++;
        return;
    }
    unsigned flags = f[TOE_AT_SLOT_EVENT_FLAGS];
    uint32_t una = rd32(f + TOE_AT_SLOT_EVENT_SND_UNA), nxt = rd32(f + TOE_AT_SLOT_EVENT_RCV_NXT);
    tcp_traffic_event(s, flags, una, nxt, time);
    tcp_slot_state(s, flags, una, rd32(f + TOE_AT_SLOT_EVENT_SND_WND), nxt,
                   rd32(f + TOE_AT_SLOT_EVENT_RTT_US));
}

/* ---- slow-path input ---------------------------------------------------------------- */

/* May an RFC 5961 challenge ACK go now? At most the handle's limit per second of device time
 * (section 7): counted in one-second periods, each begun by the first challenge ACK after the
 * last. Counts it either way. */
static int chack_take(struct toe_tcp *t)
{
    toe_dev *dev = t->dev;
    int lim = t->chack_limit ? t->chack_limit : TOE_TCP_CHALLENGE_ACK_LIMIT;
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

void tcp_challenge_ack(toe_sock *s)
{
    if (chack_take(s->tcp) && tcp_slot_open(s))
        tcp_slot_cmd_async(s, TOE_CMD_ACK);
}

/* ---- TIME-WAIT from the host (the slot is freed) -------------------------------------- */

/* The window field of our ACKs once the slot is gone: the right edge (tcp_rcv_edge), from
 * RCV.NXT, scaled. */
static uint16_t rcv_wnd_field(const toe_sock *s)
{
    uint32_t edge = tcp_rcv_edge(s), rn = tcp_rcv_nxt(s);
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
    w->ttl_tos = (uint16_t)tcp_ttl_tos(s);
    w->tw_ms = (uint32_t)s->time_wait_ms;
    w->until = s->tw_at;
}

/* An ACK of w's, through the next hop the segment came from. */
static void tw_ack(struct toe_tcp *t, const struct tcp_tw *w, const uint8_t *smac)
{
    uint8_t mac[6];
    memcpy(mac, smac, 6);
    tcp_send_pkt(t, mac, w->rip, w->lport, w->rport, w->snd_nxt, w->rcv_nxt, TH_ACK, w->wnd,
                 NULL, 0, NULL, 0, w->ttl_tos);
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
        toe_sock *l = tcp_find_listener(t, g->dport);
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
void tcp_tw_adopt(toe_sock *s)
{
    struct tcp_tw w;
    if (s->state != TOE_TCPS_TIME_WAIT || s->slot >= 0 || s->user || s->parent)
        return;
    tw_from_sock(s, &w);
    if (tcp_tw_add(s->tcp, &w))
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
    s->rcv_ws = s->ws_ok ? s->tcp->rcv_ws : 0;
    s->snd_wnd = g->wnd; /* never scaled in a SYN segment */
    s->rcv_nxt_ev = s->rx_expect = s->rx_read = s->rx_cons_sent = s->rcv_up = s->irs + 1;
}

static void syn_sent_input(toe_sock *s, const struct seg *g)
{
    struct toe_tcp *t = s->tcp;
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
    if (tcp_programming(s))
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
void tcp_rst_accepted(toe_sock *s, uint32_t una)
{
    s->dev->hs[TOE_HSTAT_TCP_RST_RX]++;
    int done = both_fins_sent(s) && SEQ_GEQ(una, s->tx_end);
    tcp_set_error(s, done ? 0 : TOE_ECONNRESET);
}

static void rst_input(toe_sock *s, const struct seg *g)
{
    uint32_t rn = tcp_rcv_nxt(s);
    if (g->seq == rn) {
        if (both_fins_sent(s) && s->snd_una != s->tx_end && tcp_slot_open(s)) {
            /* The device may know of ACKs whose event is not here yet: the work step reads
             * its SND.UNA before deciding. */
            s->rst_seq = g->seq;
            s->work |= W_RSTCHK;
        } else {
            tcp_rst_accepted(s, s->snd_una);
        }
    } else if (SEQ_GT(g->seq, rn) && SEQ_LT(g->seq, rn + 2 * s->tcp->ring)) {
        /* In the window but not exactly RCV.NXT (RFC 5961 3.2); our idea of RCV.NXT may be
         * behind the device's, by what its ring holds that has not come up yet (up to a
         * ring, the window a ring beyond): the work step reads it and decides. */
        s->rst_seq = g->seq;
        s->work |= W_RSTCHK;
    }
}

/* A SYN for listener l: a child in SYN-RECEIVED that takes a slot in the work step
 * (take_slot), waiting for one if none is free. iss_min: the ISS is at least this (a
 * connection reopened from TIME-WAIT), or NULL. Returns 1 if the SYN was taken. */
static int listen_input(toe_sock *l, const struct seg *g, const uint32_t *iss_min)
{
    struct toe_tcp *t = l->tcp;
    toe_dev *dev = l->dev;
    int n = 0;
    for (toe_sock *c = t->socks; c; c = c->next)
        n += c->parent == l;
    if (n >= l->backlog) {
        dev->hs[TOE_HSTAT_TCP_LISTEN_DROP]++;
        return 0;
    }
    toe_sock *c = tcp_sock_new(t);
    if (!c || tcp_bufs_alloc(c)) {
        dev->hs[TOE_HSTAT_TCP_LISTEN_DROP]++;
        if (c)
            tcp_sock_unlink_free(t, c);
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

int toe_tcp_input(toe_dev *dev, const uint8_t *f, size_t len, unsigned verdict, uint64_t time)
{
    /* TCP with a checksum the device checked. */
    if (verdict != TOE_STAT_RX_TCP || f[23] != 6)
        return 0;
    struct toe_tcp *t = tcp_get(dev);
    struct seg g;
    tcp_note_time(t, time);
    if (parse_seg(dev, f, len, &g)) {
        dev->hs[TOE_HSTAT_TCP_SEG_BAD]++;
        return 1;
    }
    if (tcp_bad_peer_addr(dev, g.src)) {
        /* No SYN-ACK, no RST, no slot: nobody to answer, or a reflection to provoke. */
        dev->hs[TOE_HSTAT_TCP_RX_BAD_SOURCE]++;
        return 1;
    }
    toe_sock *s = tcp_find_conn(t, g.src, g.sport, g.dport);
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
        toe_sock *l = tcp_find_listener(t, g.dport);
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
                tcp_challenge_ack(s);
            }
        } else if ((g.flags & (TH_SYN | TH_ACK)) == TH_SYN && g.seq == s->irs) {
            /* The peer did not get our SYN-ACK: send it again now. */
            if (tcp_slot_open(s)) {
                tcp_send_seg(s, s->iss, s->irs + 1, TH_SYN | TH_ACK, tcp_syn_window(t), 1, NULL, 0);
                dev->hs[TOE_HSTAT_TCP_SYN_RETRANS]++;
            }
        } else if (s->active && (g.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
                   g.seq == s->irs && g.ack == s->iss + 1) {
            /* Simultaneous open: the peer's SYN-ACK acknowledges our SYN (figure 8, line 6).
             * If the slot is not programmed yet, program_slot sees syn_acked. */
            if (!s->syn_acked) {
                s->syn_acked = 1;
                if (tcp_slot_open(s))
                    tcp_synack_established(s);
            }
        } else if (g.flags & TH_SYN) {
            tcp_challenge_ack(s);
        }
        break;
    case TOE_TCPS_TIME_WAIT: {
        if (s->slot >= 0) {
            /* Still on its slot (received bytes on their way up): the device answers a FIN;
             * a SYN cannot reopen a 4-tuple the device still matches. */
            if (g.flags & TH_SYN)
                tcp_challenge_ack(s);
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
            tcp_challenge_ack(s); /* RFC 5961 4.2; also the answer to a repeated SYN-ACK */
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
    if (!tcp_synchronized(s) || !tcp_slot_open(s) || mss >= s->mss)
        return; /* our SYN and SYN-ACK are far below 576 bytes: only data segments are big */
    s->mss = (uint16_t)mss;
    s->dev->hs[TOE_HSTAT_TCP_PMTU]++;
    tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_MSS), tcp_slot_mss_field(s), s->slot);
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
    struct toe_tcp *t = tcp_get(dev);
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
        s = tcp_find_conn(t, rd32(q + 16), rd16(q + qihl + 2), rd16(q + qihl));
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
