/* SPDX-License-Identifier: MIT */
/* tcp_out.c: what the host sends and when. Raw segments (the slow path's SYN, SYN-ACK, RST,
 * ACK and probes, built here and sent through the net layer), the host's mirror of the
 * device's TX ring and the pushes into it, and every TCP timer of the handle on device time,
 * multiplexed onto the device's one alarm: SYN and SYN-ACK retries, RTO (RFC 6298 from the
 * device's RTT samples, Karn, backoff, R2 user timeout), persist (zero-window probes),
 * TIME-WAIT (sockets, and the records of tcp_tw.c through the first to end) and orphaned
 * FIN-WAIT-2, keepalive, and the check for received data the device reported but did not
 * send up.
 *
 * Device time comes with every event and raw frame; the alarm is armed for the earliest
 * deadline (only moved earlier: a later deadline waits for the next firing). Once a second of
 * host time while the alarm is armed the clock is read, in case the ALARM event was lost. */
#include <string.h>

#include "tcp.h"

/* ---- raw segments ------------------------------------------------------------------- */

/* ttl_tos: TTL (7:0) and DS field (15:8) as in FIELD_IP_TTL_TOS; a TTL of 0 means 64. */
int tcp_send_pkt(struct toe_tcp *t, const uint8_t mac[6], uint32_t rip, uint16_t lport,
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

uint16_t tcp_syn_window(const struct toe_tcp *t)
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
    return tcp_send_pkt(s->tcp, s->mac, s->rip, s->lport, s->rport, seq, ack, flags, wnd,
                        opt, ol, data, dlen, tcp_ttl_tos(s));
}

/* ---- send side ---------------------------------------------------------------------- */

uint32_t tcp_tx_room(const toe_sock *s)
{
    uint32_t used = s->tx_end - s->snd_una;
    uint32_t cap = s->sndbuf ? s->sndbuf : s->tcp->ring;
    return used >= cap ? 0 : cap - used;
}

/* A TX_DATA message carries at most TOE_CONST_SLOT_DATA_MAX bytes, or the ring if smaller. */
static uint32_t tx_msg_step(const toe_sock *s)
{
    uint32_t ring = s->tcp->ring;
    return ring < TOE_CONST_SLOT_DATA_MAX ? ring : TOE_CONST_SLOT_DATA_MAX;
}

/* The first message of n bytes from seq: n bytes that fit in one go as one (only the ring's
 * wrap cuts them: a short write stays one segment with Nagle off); more end where the ring
 * position is a multiple of the largest message (the ring's end is one), so that a stream
 * pushed in such pieces goes in whole messages. */
static uint32_t tx_msg_len(const toe_sock *s, uint32_t seq, uint32_t n)
{
    uint32_t ring = s->tcp->ring, step = tx_msg_step(s);
    uint32_t k = n < step ? ring - (seq & (ring - 1)) : step - (seq & (step - 1));
    return k < n ? k : n;
}

uint32_t tcp_tx_whole(const toe_sock *s, uint32_t n)
{
    uint32_t cut = (s->tx_end + n) & (tx_msg_step(s) - 1);
    return n > cut ? n - cut : n;
}

/* Queue TX_DATA for [seq, seq+n) from the mirror (no wrap inside: callers split). */
static void queue_tx_data(toe_sock *s, uint32_t seq, const uint8_t *p, size_t n)
{
    struct toe_msg m = {.type = TOE_MSG_TX_DATA, .arg = (uint8_t)s->slot, .offset = seq,
                        .data = p, .data_len = n};
    toe_dev_queue(s->dev, &m);
}

/* Copy n bytes (n <= tx_room) to the mirror and to the device. */
void tcp_tx_push(toe_sock *s, const uint8_t *p, size_t n)
{
    uint32_t ring = s->tcp->ring;
    if (s->urg_send) {
        /* Urgent data: SND.UP goes to its end ahead of the data (the device takes messages in
         * order), so every segment of it carries URG and the pointer (RFC 6093). */
        s->snd_up = s->tx_end + (uint32_t)n;
        tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_SND_UP), s->snd_up, s->slot);
    }
    while (n) {
        uint32_t pos = s->tx_end & (ring - 1);
        size_t k = tx_msg_len(s, s->tx_end, n > ring ? ring : (uint32_t)n);
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
    uint32_t ring = s->tcp->ring;
    if (SEQ_LT(from, s->snd_una))
        from = s->snd_una;
    while (SEQ_LT(from, s->tx_end)) {
        uint32_t pos = from & (ring - 1);
        uint32_t k = tx_msg_len(s, from, s->tx_end - from);
        queue_tx_data(s, from, s->txb + pos, k);
        from += k;
    }
}

/* ---- timers ------------------------------------------------------------------------- */

uint32_t tcp_rto_cur(const toe_sock *s)
{
    uint64_t r = (uint64_t)s->rto << (s->backoff > 16 ? 16 : s->backoff);
    return r > TOE_TCP_MAX_RTO_US ? TOE_TCP_MAX_RTO_US : (uint32_t)r;
}

/* A valid RTT sample (the device times only segments sent once: Karn). It also ends the
 * backoff: only a sample may collapse a backed-off RTO (RFC 6298 5.7), not any ACK. */
void tcp_rtt_sample(toe_sock *s, uint32_t r)
{
    s->backoff = 0;
    if (!s->rtt_valid) {
        s->srtt = r;
        s->rttvar = r / 2;
        s->rtt_valid = 1;
    } else {
        uint32_t d = s->srtt > r ? s->srtt - r : r - s->srtt;
        s->rttvar = (uint32_t)((3ull * s->rttvar + d) / 4);
        s->srtt = (uint32_t)((7ull * s->srtt + r) / 8);
    }
    uint64_t k = 4ull * s->rttvar;
    if (k < 1000) /* clock granularity G: 1 ms */
        k = 1000;
    uint64_t rto = s->srtt + k, lo = (uint64_t)s->min_rto_ms * 1000u;
    if (rto < lo)
        rto = lo;
    if (rto > TOE_TCP_MAX_RTO_US)
        rto = TOE_TCP_MAX_RTO_US;
    s->rto = (uint32_t)rto;
}

/* The handshake is over: if the SYN or SYN-ACK timed out (so no RTT sample was taken), data
 * starts with an RTO of 3 s (RFC 6298 5.7). */
void tcp_syn_done_rto(toe_sock *s)
{
    if (s->syn_tries > 1 && !s->rtt_valid && s->rto < TOE_TCP_SYN_FALLBACK_RTO_US)
        s->rto = TOE_TCP_SYN_FALLBACK_RTO_US;
}

/* The error a connection given up on a timeout reports: an ICMP soft error heard meanwhile
 * (say, host unreachable) says more than the timeout (RFC 1122 4.2.3.9, as Linux). */
static int timeout_err(const toe_sock *s, int dflt)
{
    return s->soft_err ? s->soft_err : dflt;
}

static int data_state(int st)
{
    return st == TOE_TCPS_ESTABLISHED || st == TOE_TCPS_CLOSE_WAIT || st == TOE_TCPS_FIN_WAIT_1 ||
           st == TOE_TCPS_CLOSING || st == TOE_TCPS_LAST_ACK;
}

void tcp_timers_update(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    int outstanding = s->slot >= 0 && s->opened &&
                      (s->tx_end != s->snd_una || (s->fin_queued && !s->fin_acked));
    /* Data written into a window the peer closed while we had nothing to send: the device
     * sends no event for it (the window did not change), so the host sees it here. */
    if (s->snd_wnd == 0 && s->tx_end != s->snd_una)
        s->zero_wnd = 1;
    if (!data_state(s->state) || !outstanding) {
        s->rto_at = s->persist_at = 0;
        s->pbackoff = 0;
    } else if (s->zero_wnd) {
        s->rto_at = 0;
        if (!s->persist_at) {
            s->persist_at = t->now + tcp_rto_cur(s);
            s->last_progress = t->now; /* the peer's silence is counted from here */
        }
    } else {
        s->persist_at = 0;
        s->pbackoff = 0;
        if (!s->rto_at) {
            /* Started from a device time that may be older than the send: the device's answer
             * to a time probe restarts it (toe_tcp_time_probed); if that is lost, the first
             * firing only restarts it from the (fresh) alarm time. */
            s->rto_at = t->now + tcp_rto_cur(s);
            s->rto_stale = 1;
            s->last_progress = t->now;
            toe_time_probe(s->dev);
        }
    }
    if (s->keepalive_s && tcp_synchronized(s) && s->state != TOE_TCPS_TIME_WAIT) {
        if (!s->keep_at)
            s->keep_at = s->last_activity + (uint64_t)s->keepalive_s * 1000000u;
    } else {
        s->keep_at = 0;
    }
}

static void syn_timer(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    uint64_t end = s->syn_sent_at + TOE_TCP_SYN_GIVEUP_US;
    if (s->state != TOE_TCPS_SYN_SENT && s->state != TOE_TCPS_SYN_RCVD) {
        s->syn_at = 0;
        return;
    }
    if (s->work & W_SLOT) { /* no slot came in time */
        s->syn_at = 0;
        tcp_slot_wait_over(s);
        return;
    }
    if (tcp_programming(s)) { /* not sent yet */
        s->syn_at = t->now + TOE_TCP_SYN_RTO_US;
        return;
    }
    if (s->active ? t->now >= end : s->syn_tries > TOE_TCP_SYNACK_RETRIES) {
        s->dev->hs[TOE_HSTAT_TCP_TIMEOUTS]++;
        if (s->state == TOE_TCPS_SYN_SENT)
            tcp_set_error(s, timeout_err(s, TOE_ECONNABORTED)); /* never opened: no RST */
        else
            tcp_abort_err(s, timeout_err(s, TOE_ECONNABORTED));
        s->syn_at = 0;
        return;
    }
    uint16_t w = (uint16_t)(t->ring > 65535 ? 65535 : t->ring);
    /* The SYN may have gone to a stale or forged MAC (an ARP reply corrupted on the way, with
     * no checksum to catch it): take the cache's current one and ask the next hop again. */
    toe_arp_revalidate(s->dev, s->rip, s->mac);
    if (s->state == TOE_TCPS_SYN_SENT)
        tcp_send_seg(s, s->iss, 0, TH_SYN, w, 2, NULL, 0);
    else
        tcp_send_seg(s, s->iss, s->irs + 1, TH_SYN | TH_ACK, w, 1, NULL, 0);
    s->dev->hs[TOE_HSTAT_TCP_SYN_RETRANS]++;
    uint64_t d = (uint64_t)TOE_TCP_SYN_RTO_US << (s->syn_tries > 6 ? 6 : s->syn_tries);
    if (d > TOE_TCP_MAX_RTO_US)
        d = TOE_TCP_MAX_RTO_US;
    if (s->active && t->now + d > end)
        d = end - t->now; /* the last wait ends at the 3 minutes */
    s->syn_tries++;
    s->syn_at = t->now + d;
}

/* The RTO sequence (C_RTO): the slot read (FLAGS, SND.UNA, TX_END, SND.MAX), then CWND and
 * SSTHRESH written, then CMD RETRANSMIT, each step in the completion of the one before. A
 * connection that ends meanwhile (an RST: tcp_set_error, or its slot released) takes C_RTO
 * away and the sequence stops there. */
static int rto_going(toe_sock *s, int result)
{
    if (!(s->cont & C_RTO))
        return 0;
    if (result || !tcp_slot_open(s)) {
        s->cont &= ~(unsigned)C_RTO; /* tried again at the next expiry */
        return 0;
    }
    return 1;
}

static void rto_sent(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)value;
    toe_sock *s = ctx;
    if (!rto_going(s, result))
        return;
    s->cont &= ~(unsigned)C_RTO;
    dev->hs[TOE_HSTAT_TCP_RTO]++;
    s->rto_resent = 1;
    s->rto_count++;
    if (s->backoff < 16)
        s->backoff++;
    s->rto_at = s->tcp->now + tcp_rto_cur(s);
}

static void rto_written(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    (void)v;
    toe_sock *s = ctx;
    if (!rto_going(s, result))
        return;
    if (toe_csr_async(dev, 1, TOE_CSR_SLOT_CMD, TOE_CMD_RETRANSMIT << 8 | (unsigned)s->slot,
                      rto_sent, s))
        s->cont &= ~(unsigned)C_RTO;
}

static void rto_read(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    toe_sock *s = ctx;
    if (!rto_going(s, result))
        return;
    if (!(v[0] & TOE_CONST_SF_VALID)) {
        tcp_set_error(s, TOE_ECONNABORTED);
        return;
    }
    if (SEQ_GT(v[1], s->snd_una)) {
        /* Progress whose event was lost: nothing to retransmit yet. */
        s->cont &= ~(unsigned)C_RTO;
        s->work |= W_RESYNC;
        return;
    }
    if (SEQ_LT(v[2], s->tx_end) && SEQ_GEQ(v[2], s->snd_una)) {
        /* A TX_DATA was lost on the link: write the rest again. */
        dev->hs[TOE_HSTAT_TCP_TX_RESYNC]++;
        tcp_tx_resend_from(s, v[2]);
        if (v[1] == v[2]) {
            s->cont &= ~(unsigned)C_RTO;
            return; /* the device had nothing outstanding: no loss on the wire */
        }
    }
    uint32_t flight = v[3] - v[1];
    uint32_t cwnd = s->mss, ssth = s->ssthresh_set;
    if (!s->rto_resent) { /* RFC 5681 (4): not again for a segment the timer already resent */
        ssth = flight / 2 > 2u * s->mss ? flight / 2 : 2u * s->mss;
        s->ssthresh_set = ssth;
    }
    uint16_t wa[2] = {tcp_slot_addr(s, TOE_FIELD_CWND), tcp_slot_addr(s, TOE_FIELD_SSTHRESH)};
    uint32_t wv[2] = {cwnd, ssth ? ssth : 2u * s->mss};
    if (toe_csr_write_async_many(dev, wa, wv, 2, rto_written, s))
        s->cont &= ~(unsigned)C_RTO;
}

static void rto_timer(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    toe_dev *dev = s->dev;
    if (s->rto_stale) {
        s->rto_stale = 0;
        s->rto_at = t->now + tcp_rto_cur(s);
        return;
    }
    if (t->now - s->last_progress >= (uint64_t)s->user_timeout_ms * 1000u) {
        dev->hs[TOE_HSTAT_TCP_TIMEOUTS]++;
        tcp_abort_err(s, timeout_err(s, TOE_ECONNABORTED)); /* R2 */
        return;
    }
    s->rto_at = t->now + tcp_rto_cur(s); /* pushed forward whatever happens below */
    if ((s->cont & C_RTO) || !tcp_slot_open(s))
        return; /* the last one is still under way */
    const unsigned fld[4] = {TOE_FIELD_FLAGS, TOE_FIELD_SND_UNA, TOE_FIELD_TX_END,
                             TOE_FIELD_SND_MAX};
    uint16_t a[4];
    for (int i = 0; i < 4; i++)
        a[i] = tcp_slot_addr(s, fld[i]);
    if (!toe_csr_read_async_many(dev, a, 4, rto_read, s))
        s->cont |= C_RTO;
}

static void persist_timer(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    if (!s->zero_wnd) {
        s->persist_at = 0;
        tcp_timers_update(s);
        return;
    }
    /* Probed for as long as the peer answers (RFC 1122 4.2.2.17); given up only when it has
     * not answered a probe, nor sent anything, for the user timeout. */
    if (t->now - s->last_progress >= (uint64_t)s->user_timeout_ms * 1000u) {
        s->dev->hs[TOE_HSTAT_TCP_TIMEOUTS]++;
        tcp_abort_err(s, timeout_err(s, TOE_ECONNABORTED));
        return;
    }
    /* The answer is a pure ACK that changes nothing in the slot: have the device report it
     * (EVF_ACK_SEEN), as for a keepalive probe. */
    tcp_report_next_ack(s);
    tcp_slot_cmd_async(s, TOE_CMD_PROBE);
    s->dev->hs[TOE_HSTAT_TCP_PROBES]++;
    if (s->pbackoff < 16)
        s->pbackoff++;
    uint64_t d = (uint64_t)s->rto << s->pbackoff;
    if (d > TOE_TCP_MAX_RTO_US)
        d = TOE_TCP_MAX_RTO_US;
    s->persist_at = t->now + d;
}

static void tw_timer(toe_sock *s)
{
    s->tw_at = 0;
    if (s->state == TOE_TCPS_TIME_WAIT) {
        s->state = TOE_TCPS_CLOSED;
        if (s->slot >= 0)
            s->work |= W_FREE;
    } else if (s->state == TOE_TCPS_FIN_WAIT_2 && !s->user) {
        s->dev->hs[TOE_HSTAT_TCP_TIMEOUTS]++;
        tcp_abort_err(s, TOE_ECONNABORTED); /* orphan waited long enough for the peer's FIN */
    }
}

static void keep_timer(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    uint64_t idle = (uint64_t)s->keepalive_s * 1000000u;
    if (!s->keepalive_s || !tcp_synchronized(s) || s->state == TOE_TCPS_TIME_WAIT) {
        s->keep_at = 0;
        return;
    }
    if (t->now - s->last_activity < idle || s->tx_end != s->snd_una) {
        s->keep_at = (t->now - s->last_activity < idle ? s->last_activity + idle
                                                       : t->now + idle);
        s->keep_probes = 0;
        return;
    }
    if (s->keep_probes >= s->keepcnt) {
        /* Every probe went unanswered for an interval: the peer is gone (RFC 1122 4.2.3.6). */
        s->dev->hs[TOE_HSTAT_TCP_KEEPALIVE_DROPS]++;
        s->dev->hs[TOE_HSTAT_TCP_TIMEOUTS]++;
        tcp_abort_err(s, timeout_err(s, TOE_ETIMEDOUT)); /* as Linux */
        return;
    }
    /* The answer is a pure ACK the fast path would swallow: the device is told to report it
     * first, so the flag is set before the probe is on the wire. */
    s->keep_probes++;
    tcp_report_next_ack(s);
    /* SEG.SEQ = SND.NXT - 1 makes the peer answer with an ACK (RFC 9293 3.8.4). */
    uint32_t free_b = tcp_rcv_edge(s) - s->rx_expect;
    tcp_send_seg(s, s->snd_una - 1, tcp_rcv_nxt(s), TH_ACK,
                 (uint16_t)((free_b >> s->rcv_ws) > 65535 ? 65535 : free_b >> s->rcv_ws), 0,
                 NULL, 0);
    s->dev->hs[TOE_HSTAT_TCP_KEEPALIVES]++;
    s->keep_at = t->now + (uint64_t)s->keepintvl_s * 1000000u;
}

static void rxchk_timer(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    uint32_t want = s->fin_rcvd ? s->fin_seq : s->rcv_nxt_ev;
    if (!SEQ_LT(s->rx_expect, want) || s->slot < 0) {
        s->rxchk_at = 0;
        return;
    }
    if (s->rx_expect == s->rxchk_mark) {
        /* No RX_DATA came for a while though the device has more: one was lost. */
        s->rx_resend_pending = 0;
        s->rx_resend_asked = s->rx_expect;
        s->rx_resend_pending = 1;
        s->dev->hs[TOE_HSTAT_TCP_RX_GAP]++;
        tcp_rx_resend(s);
        s->rxchk_at = t->now + 5u * TOE_TCP_RXCHK_US;
    } else {
        s->rxchk_at = t->now + TOE_TCP_RXCHK_US;
    }
    s->rxchk_mark = s->rx_expect;
}

void tcp_run_timers(struct toe_tcp *t)
{
    toe_dev *dev = t->dev;
    if (t->alarm_armed && toe_now_ms() >= t->alarm_check_ms) {
        /* The ALARM event may be lost: ask the device's clock without waiting (the answer
         * comes to tcp_time_probed, and the timers due by it run in that turn's work). */
        t->alarm_check_ms = toe_now_ms() + TOE_TCP_HOST_CHECK_MS;
        if (!toe_time_probe_pending(dev))
            toe_time_probe(dev);
    }
    toe_sock *nx;
    for (toe_sock *s = t->socks; s; s = nx) {
        nx = s->next;
        uint64_t now = t->now;
        if (s->syn_at && now >= s->syn_at)
            syn_timer(s);
        if (s->rto_at && now >= s->rto_at)
            rto_timer(s);
        if (s->persist_at && now >= s->persist_at)
            persist_timer(s);
        if (s->tw_at && now >= s->tw_at)
            tw_timer(s);
        if (s->keep_at && now >= s->keep_at)
            keep_timer(s);
        if (s->rxchk_at && now >= s->rxchk_at)
            rxchk_timer(s);
    }
    tcp_tw_expire(t);
}

/* The alarm's arming was answered: armed at alarm_arming_at (a failure: the next work step
 * tries again). */
static void alarm_armed(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)dev;
    (void)value;
    struct toe_tcp *t = ctx;
    t->alarm_arming = 0;
    if (result)
        return;
    t->alarm_armed = 1;
    t->alarm_at = t->alarm_arming_at;
    t->alarm_check_ms = toe_now_ms() + TOE_TCP_HOST_CHECK_MS;
}

void tcp_alarm_update(struct toe_tcp *t)
{
    uint64_t d = tcp_tw_next(t);
    for (toe_sock *s = t->socks; s; s = s->next) {
        uint64_t v[6] = {s->syn_at, s->rto_at, s->persist_at, s->tw_at, s->keep_at, s->rxchk_at};
        for (int i = 0; i < 6; i++)
            if (v[i] && (!d || v[i] < d))
                d = v[i];
    }
    if (!d || (t->alarm_armed && t->alarm_at <= d) ||
        (t->alarm_arming && t->alarm_arming_at <= d))
        return;
    if (t->alarm_arming)
        return; /* an earlier time is armed once this arming is answered (the next work) */
    if (!toe_alarm_set_async(t->dev, d, alarm_armed, t)) {
        t->alarm_arming = 1;
        t->alarm_arming_at = d;
    }
}
