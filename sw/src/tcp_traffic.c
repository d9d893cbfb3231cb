/* SPDX-License-Identifier: MIT */
/* libtoe: the device's on-chip traffic source and sink on a connection (slot fields TRAFFIC,
 * TRAFFIC_SEQ, TRAFFIC_LEN; docs/LINK.md). While the unit runs, the host's mirror of the
 * stream stands still on that side: the source's bytes are not in the TX mirror, the sink's
 * never come up. Stopping it (toe_tcp_traffic OFF) reads where the device left the stream
 * and moves the mirror there. */
#include "tcp.h"

#include <string.h>

/* The source's byte at stream offset o (as rtl/core/toe_traffic.v generates it). */
static uint8_t traffic_byte(uint32_t o)
{
    return (uint8_t)(o ^ o >> 8 ^ o >> 16 ^ o >> 24);
}

void tcp_traffic_event(toe_sock *s, unsigned flags, uint32_t una, uint32_t rcv_nxt, uint64_t at)
{
    uint32_t seq;
    if (s->traffic_track == TOE_TRAFFIC_SOURCE)
        seq = una - (s->fin_queued && una == s->tx_end + 1u ? 1u : 0u);
    else if (s->traffic_track == TOE_TRAFFIC_SINK)
        seq = rcv_nxt - ((flags & TOE_CONST_EVF_FIN_RCVD) || s->fin_rcvd ? 1u : 0u);
    else
        return;
    if (SEQ_GT(seq, s->traffic_seq)) {
        s->traffic_done += seq - s->traffic_seq;
        s->traffic_seq = seq;
        s->traffic_done_us = at; /* the event's own stamp: the host may know later times */
    }
}

static int csr_err(toe_sock *s, int r)
{
    if (r == TOE_EBADADDR || r == TOE_EREADONLY)
        return toe_seterr(s->dev, TOE_ENOTSUP, "the device has no traffic unit (slot field "
                                               "TRAFFIC)");
    return r;
}

/* Where the unit left the stream: the source's TX_END, the sink's end of what it took. */
static int traffic_stop(toe_sock *s)
{
    uint16_t a[2] = {tcp_slot_addr(s, TOE_FIELD_TRAFFIC_SEQ),
                     tcp_slot_addr(s, TOE_FIELD_TRAFFIC_LEN)};
    uint32_t v[2];
    int r = toe_csr_write(s->dev, tcp_slot_addr(s, TOE_FIELD_TRAFFIC), TOE_CONST_TRAFFIC_OFF,
                          TOE_TCP_CSR_MS);
    if (!r)
        r = toe_csr_read_many(s->dev, a, v, 2, NULL, TOE_TCP_CSR_MS);
    if (r)
        return csr_err(s, r);
    int mode = s->traffic;
    s->traffic = TOE_TRAFFIC_OFF;
    s->traffic_bytes += v[1] - s->traffic_count;
    s->traffic_count = v[1];
    if (!v[1])
        return 0; /* the unit wrote or took nothing */
    uint32_t end = v[0];
    if (mode == TOE_TRAFFIC_SOURCE) {
        /* The mirror holds the last ring of the stream (a link session resends from it). */
        uint32_t ring = s->tcp->ring, base = end - v[1];
        uint32_t from = end - base > ring ? end - ring : base;
        for (uint32_t q = from; q != end; q++)
            s->txb[q & (ring - 1)] = traffic_byte(q - base);
        s->tx_end = end;
        if (SEQ_GT(s->traffic_seq, s->snd_una) && SEQ_LEQ(s->traffic_seq, end))
            s->snd_una = s->traffic_seq;
        if (s->snd_una != s->tx_end)
            s->rto_at = s->tcp->now + tcp_rto_cur(s);
    } else {
        /* The credit the unit gave is at least its end: RX_CONSUMED never goes back. */
        s->rx_read = s->rx_expect = end;
        if (SEQ_LT(s->rx_cons_sent, end))
            s->rx_cons_sent = end;
        if (SEQ_LT(s->rcv_nxt_ev, end))
            s->rcv_nxt_ev = end;
        tcp_consumed_maybe(s);
    }
    tcp_timers_update(s);
    return 0;
}

int toe_tcp_traffic(toe_sock *s, int mode, uint32_t bytes)
{
    if (!s)
        return TOE_EINVAL;
    toe_dev *dev = s->dev;
    if (mode != TOE_TRAFFIC_OFF && mode != TOE_TRAFFIC_SOURCE && mode != TOE_TRAFFIC_SINK)
        return toe_seterr(dev, TOE_EINVAL, "traffic mode %d: not OFF, SOURCE or SINK", mode);
    if (s->err)
        return s->err;
    if (mode == TOE_TRAFFIC_OFF) {
        if (!s->traffic)
            return toe_seterr(dev, TOE_EINVAL, "traffic: the unit does not run on this socket");
        if (!tcp_slot_open(s)) {
            s->traffic = TOE_TRAFFIC_OFF; /* the slot's FREE stopped it */
            return 0;
        }
        return traffic_stop(s);
    }
    if (!(s->tcp->caps & TOE_CONST_CAPS_TRAFFIC))
        return toe_seterr(dev, TOE_ENOTSUP, "the device has no traffic unit (CAPS 0x%08x: "
                                            "built with TRAFFIC=0)", s->tcp->caps);
    if (s->traffic)
        return toe_seterr(dev, TOE_EINVAL, "traffic: the unit already runs on this socket");
    if (!tcp_slot_open(s))
        return TOE_ENOTCONN;
    uint64_t now; /* first: the engine turns while it waits */
    int r = toe_time(dev, &now, TOE_TCP_CSR_MS);
    if (r)
        return r;
    uint32_t seq;
    if (mode == TOE_TRAFFIC_SOURCE) {
        if (s->shut_wr)
            return toe_seterr(dev, TOE_EINVAL, "traffic: source after shutdown");
        if (s->state != TOE_TCPS_ESTABLISHED && s->state != TOE_TCPS_CLOSE_WAIT)
            return TOE_ENOTCONN;
        /* The unit judges the ring's room from TRAFFIC_SEQ on: nothing may be in it before. */
        if (s->snd_una != s->tx_end)
            return toe_seterr(dev, TOE_EAGAIN, "traffic: what was sent is not acknowledged yet");
        seq = s->tx_end;
        s->traffic_seq = s->tx_end;
    } else {
        if ((s->state != TOE_TCPS_ESTABLISHED && s->state != TOE_TCPS_FIN_WAIT_1 &&
             s->state != TOE_TCPS_FIN_WAIT_2) || s->fin_rcvd)
            return TOE_ENOTCONN;
        seq = s->rx_cons_sent; /* the unit's credit starts past the host's */
        s->traffic_seq = s->rcv_nxt_ev;
        s->rxchk_at = 0;
    }
    uint16_t a[3] = {tcp_slot_addr(s, TOE_FIELD_TRAFFIC_SEQ),
                     tcp_slot_addr(s, TOE_FIELD_TRAFFIC_LEN), tcp_slot_addr(s, TOE_FIELD_TRAFFIC)};
    uint32_t v[3] = {seq, mode == TOE_TRAFFIC_SOURCE ? bytes : 0, (uint32_t)mode};
    /* The events count from here: the source's first acknowledgement, the sink's first byte. */
    s->traffic = s->traffic_track = mode;
    s->traffic_count = 0;
    s->traffic_bytes = s->traffic_done = 0;
    s->traffic_start_us = s->traffic_done_us = now;
    r = toe_csr_write_many(dev, a, v, 3, TOE_TCP_CSR_MS);
    if (r) {
        s->traffic = s->traffic_track = TOE_TRAFFIC_OFF;
        return csr_err(s, r);
    }
    return 0;
}

int toe_tcp_traffic_info(toe_sock *s, struct toe_traffic_info *info)
{
    if (!s || !info)
        return TOE_EINVAL;
    if (!s->traffic_track)
        return toe_seterr(s->dev, TOE_EINVAL, "traffic: the unit was not started on this socket");
    uint16_t a[2] = {tcp_slot_addr(s, TOE_FIELD_TRAFFIC), tcp_slot_addr(s, TOE_FIELD_TRAFFIC_LEN)};
    uint32_t v[2] = {TOE_CONST_TRAFFIC_OFF, s->traffic_count};
    if (s->traffic && tcp_slot_open(s)) {
        int r = toe_csr_read_many(s->dev, a, v, 2, NULL, TOE_TCP_CSR_MS);
        if (r)
            return csr_err(s, r);
    }
    s->traffic_bytes += v[1] - s->traffic_count; /* 32 bits in the device: it wraps */
    s->traffic_count = v[1];
    memset(info, 0, sizeof(*info));
    info->mode = (int)v[0];
    info->bytes = s->traffic_bytes;
    info->done = s->traffic_done;
    info->start_us = s->traffic_start_us;
    info->done_us = s->traffic_done_us;
    return 0;
}
