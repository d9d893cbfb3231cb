/* SPDX-License-Identifier: MIT */
/* dev.c: the device layer. One event engine (toe_dev_turn) writes the queued messages in one
 * transport write, reads the link in large chunks and dispatches what arrives: RESP to the
 * tagged CSR request waiting for it, EVENT with sequence-gap detection, RAW_RX to the net
 * layer or the raw queue. Every blocking call is a loop of engine turns with a deadline. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "toe_internal.h"

#define TOE_RDBUF (64 * 1024)
#define TOE_TXBUF_INIT (16 * 1024)
#define TOE_FLUSH_MS 2000 /* bound on one write when the caller gave no deadline */

const char *toe_last_error(const toe_dev *dev) { return dev ? dev->err : ""; }
const char *toe_device_spec(const toe_dev *dev) { return dev ? dev->spec : ""; }

static const char *const hstat_names[TOE_HSTAT_COUNT] = {
    [TOE_HSTAT_LINK_RX_BYTES] = "link_rx_bytes",
    [TOE_HSTAT_LINK_TX_BYTES] = "link_tx_bytes",
    [TOE_HSTAT_LINK_RX_MSGS] = "link_rx_msgs",
    [TOE_HSTAT_LINK_TX_MSGS] = "link_tx_msgs",
    [TOE_HSTAT_LINK_RX_BAD_FRAME] = "link_rx_bad_frame",
    [TOE_HSTAT_LINK_RX_BAD_CRC] = "link_rx_bad_crc",
    [TOE_HSTAT_LINK_RX_BAD_MSG] = "link_rx_bad_msg",
    [TOE_HSTAT_LINK_TX_WRITES] = "link_tx_writes",
    [TOE_HSTAT_EVENTS] = "events",
    [TOE_HSTAT_EVENT_GAPS] = "event_gaps",
    [TOE_HSTAT_CSR_RETRIES] = "csr_retries",
    [TOE_HSTAT_CSR_TIMEOUTS] = "csr_timeouts",
    [TOE_HSTAT_RESP_STALE] = "resp_stale",
    [TOE_HSTAT_RAW_RX] = "raw_rx",
    [TOE_HSTAT_RAW_RX_DROP] = "raw_rx_drop",
    [TOE_HSTAT_RAW_TX] = "raw_tx",
    [TOE_HSTAT_RX_DATA_DROP] = "rx_data_drop",
    [TOE_HSTAT_ARP_REQ_SENT] = "arp_req_sent",
    [TOE_HSTAT_ARP_REPLY_RX] = "arp_reply_rx",
    [TOE_HSTAT_ARP_FAIL] = "arp_fail",
    [TOE_HSTAT_ARP_PENDING_DROP] = "arp_pending_drop",
    [TOE_HSTAT_ARP_REVALIDATE] = "arp_revalidate",
    [TOE_HSTAT_ICMP_RX] = "icmp_echo_reply_rx",
    [TOE_HSTAT_TCP_ACTIVE_OPENS] = "tcp_active_opens",
    [TOE_HSTAT_TCP_PASSIVE_OPENS] = "tcp_passive_opens",
    [TOE_HSTAT_TCP_SEG_BAD] = "tcp_seg_bad",
    [TOE_HSTAT_TCP_RST_RX] = "tcp_rst_rx",
    [TOE_HSTAT_TCP_RST_TX] = "tcp_rst_tx",
    [TOE_HSTAT_TCP_CHALLENGE_ACK] = "tcp_challenge_ack",
    [TOE_HSTAT_TCP_SYN_RETRANS] = "tcp_syn_retrans",
    [TOE_HSTAT_TCP_LISTEN_DROP] = "tcp_listen_drop",
    [TOE_HSTAT_TCP_NO_SLOT] = "tcp_no_slot",
    [TOE_HSTAT_TCP_RTO] = "tcp_rto",
    [TOE_HSTAT_TCP_PROBES] = "tcp_zero_window_probes",
    [TOE_HSTAT_TCP_KEEPALIVES] = "tcp_keepalive_probes",
    [TOE_HSTAT_TCP_FAST_REXMIT] = "tcp_fast_rexmit",
    [TOE_HSTAT_TCP_TIMEOUTS] = "tcp_timeouts",
    [TOE_HSTAT_TCP_RX_GAP] = "tcp_rx_gap",
    [TOE_HSTAT_TCP_RX_DUP] = "tcp_rx_dup",
    [TOE_HSTAT_TCP_RX_BAD] = "tcp_rx_bad",
    [TOE_HSTAT_TCP_TX_RESYNC] = "tcp_tx_resync",
    [TOE_HSTAT_TCP_RESYNCS] = "tcp_resyncs",
    [TOE_HSTAT_TCP_ASYNC_FAIL] = "tcp_async_fail",
    [TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED] = "tcp_challenge_ack_limited",
    [TOE_HSTAT_TCP_KEEPALIVE_DROPS] = "tcp_keepalive_drops",
    [TOE_HSTAT_TCP_RX_BAD_SOURCE] = "tcp_rx_bad_source",
    [TOE_HSTAT_TCP_ICMP_RX] = "tcp_icmp_rx",
    [TOE_HSTAT_TCP_ICMP_DROP] = "tcp_icmp_drop",
    [TOE_HSTAT_TCP_PMTU] = "tcp_pmtu_lowered",
    [TOE_HSTAT_DNS_DROP] = "dns_answer_drop",
    [TOE_HSTAT_TCP_TW_DROPPED] = "tcp_time_wait_dropped",
    [TOE_HSTAT_TCP_TW_REOPENED] = "tcp_time_wait_reopened",
    [TOE_HSTAT_LINK_RX_STALE] = "link_rx_stale",
    [TOE_HSTAT_LINK_NO_SESSION] = "link_no_session",
    [TOE_HSTAT_TCP_RX_LOST] = "tcp_rx_lost",
};

const char *toe_host_stat_name(unsigned i) { return i < TOE_HSTAT_COUNT ? hstat_names[i] : NULL; }

unsigned toe_stat_count(void) { return TOE_STAT_COUNT; }
const char *toe_stat_name(unsigned i) { return i < TOE_STAT_COUNT ? toe_stat_names[i] : NULL; }

const char *toe_link_kind_name(unsigned kind)
{
    switch (kind) {
    case TOE_CONST_LINK_SIM: return "sim";
    case TOE_CONST_LINK_UART: return "uart";
    case TOE_CONST_LINK_FT245: return "ft245";
    default: return "unknown";
    }
}

int toe_host_stats(toe_dev *dev, uint64_t *values, size_t n, size_t *got)
{
    if (got)
        *got = 0;
    if (!dev || (!values && n))
        return TOE_EINVAL;
    /* The codec keeps its own counters; mirror them here. */
    dev->hs[TOE_HSTAT_LINK_RX_BYTES] = dev->rx.c.rx_bytes;
    dev->hs[TOE_HSTAT_LINK_RX_BAD_FRAME] = dev->rx.c.bad_frame;
    dev->hs[TOE_HSTAT_LINK_RX_BAD_CRC] = dev->rx.c.bad_crc;
    size_t k = n < TOE_HSTAT_COUNT ? n : TOE_HSTAT_COUNT;
    if (k)
        memcpy(values, dev->hs, k * sizeof(*values));
    if (got)
        *got = k;
    return 0;
}

/* ---- output ------------------------------------------------------------------------- */

int toe_dev_queue(toe_dev *dev, const struct toe_msg *m)
{
    if (dev->txcap - dev->txlen < TOE_LINK_MAX_ENC) {
        size_t ncap = dev->txcap * 2;
        uint8_t *nb = realloc(dev->txbuf, ncap);
        if (!nb)
            return toe_seterr(dev, TOE_ENOMEM, "out of memory");
        dev->txbuf = nb;
        dev->txcap = ncap;
    }
    size_t n = toe_msg_encode(m, dev->txbuf + dev->txlen, dev->txcap - dev->txlen);
    if (!n)
        return toe_seterr(dev, TOE_EINVAL, "message type 0x%02x: bad length", m->type);
    dev->txlen += n;
    dev->hs[TOE_HSTAT_LINK_TX_MSGS]++;
    return 0;
}

static int dev_fail(toe_dev *dev, int err, const char *what)
{
    if (err == TOE_EINTR) /* not a failure of the link: the call ends, the handle lives */
        return toe_seterr(dev, err, "%s: link %s interrupted by a signal", dev->spec, what);
    if (!dev->dead)
        dev->dead = err;
    return toe_seterr(dev, err, "%s: link %s failed: %s", dev->spec, what, toe_strerror(err));
}

int toe_dev_flush(toe_dev *dev, int timeout_ms)
{
    if (dev->dead)
        return dev->dead;
    if (!dev->txlen)
        return 0;
    size_t done = 0;
    int r = dev->tr.ops->write(dev->tr.priv, dev->txbuf, dev->txlen, &done,
                               timeout_ms < 0 ? TOE_FLUSH_MS : timeout_ms);
    if (done > dev->txlen)
        done = dev->txlen;
    dev->hs[TOE_HSTAT_LINK_TX_WRITES]++;
    dev->hs[TOE_HSTAT_LINK_TX_BYTES] += done;
    memmove(dev->txbuf, dev->txbuf + done, dev->txlen - done);
    dev->txlen -= done;
    if (r == TOE_ETIMEDOUT)
        return toe_seterr(dev, r, "%s: link write timed out", dev->spec);
    if (r)
        return dev_fail(dev, r, "write");
    return 0;
}

/* ---- input -------------------------------------------------------------------------- */

/* A request is over: an asynchronous one calls its completion and frees its tag; a waited-for
 * one keeps the tag for the waiter. */
static void csr_complete(toe_dev *dev, struct toe_csr_req *q, int result, uint32_t value)
{
    if (q->cb) {
        toe_csr_done cb = q->cb;
        void *ctx = q->ctx;
        memset(q, 0, sizeof(*q));
        cb(dev, ctx, result, value);
        return;
    }
    q->done = 1;
    q->result = result;
    q->value = value;
}

static void on_resp(toe_dev *dev, const struct toe_msg *m)
{
    struct toe_csr_req *q = &dev->req[m->arg];
    if (!q->busy || q->done || q->type == TOE_MSG_SESSION) {
        dev->hs[TOE_HSTAT_RESP_STALE]++;
        return;
    }
    int result;
    switch (m->status) {
    case TOE_CONST_RESP_OK: result = 0; break;
    case TOE_CONST_RESP_BAD_ADDR: result = TOE_EBADADDR; break;
    case TOE_CONST_RESP_READ_ONLY: result = TOE_EREADONLY; break;
    case TOE_CONST_RESP_BAD_REQ: result = TOE_EBADREQ; break;
    default: result = TOE_EPROTO; break;
    }
    csr_complete(dev, q, result, q->type == TOE_MSG_CSR_WRITE ? q->value : m->value);
}

static void on_event(toe_dev *dev, const struct toe_msg *m)
{
    dev->hs[TOE_HSTAT_EVENTS]++;
    if (dev->have_seq && m->seq != dev->next_seq)
        dev->hs[TOE_HSTAT_EVENT_GAPS] += (uint16_t)(m->seq - dev->next_seq);
    dev->have_seq = 1;
    dev->next_seq = (uint16_t)(m->seq + 1);
    toe_dev_note_time(dev, m->time);
    /* An alarm event from an earlier arming is ignored by its time. */
    if (m->arg == TOE_EVENT_ALARM && dev->alarm_armed && m->time >= dev->alarm_at) {
        dev->alarm_fired = 1;
        dev->alarm_fired_time = m->time;
    }
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i]->event)
            dev->layers[i]->event(dev, m->arg, m->time, m->data, m->data_len);
    if (dev->ev_cb)
        dev->ev_cb(dev->ev_user, m->arg, m->seq, m->time, m->data, m->data_len);
}

static void on_raw_rx(toe_dev *dev, const struct toe_msg *m)
{
    dev->hs[TOE_HSTAT_RAW_RX]++;
    toe_dev_note_time(dev, m->time);
    if (toe_net_input(dev, m->data, m->data_len, m->arg, m->time))
        return;
    if (dev->rawq_n == dev->rawq_cap) {
        dev->hs[TOE_HSTAT_RAW_RX_DROP]++;
        return;
    }
    struct toe_raw_frame *f = &dev->rawq[(dev->rawq_head + dev->rawq_n) % dev->rawq_cap];
    f->len = (uint16_t)m->data_len;
    f->verdict = m->arg;
    f->time = m->time;
    memcpy(f->data, m->data, m->data_len);
    dev->rawq_n++;
}

/* RX_DATA goes to the layer that owns slot payloads. */
static void on_rx_data(toe_dev *dev, const struct toe_msg *m)
{
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i]->rx_data)
            if (!dev->layers[i]->rx_data(dev, m->arg, m->offset, m->data, m->data_len))
                return;
    dev->hs[TOE_HSTAT_RX_DATA_DROP]++;
}

static void on_msg(void *user, const uint8_t *buf, size_t len)
{
    toe_dev *dev = user;
    struct toe_msg m;
    if (toe_msg_unpack(buf, len, &m)) {
        dev->hs[TOE_HSTAT_LINK_RX_BAD_MSG]++;
        return;
    }
    /* The fence: before this session's SESSION_ACK everything is a previous host's; after
     * it, another SESSION_ACK is an answer to a resent SESSION. */
    if (dev->session_wait || m.type == TOE_MSG_SESSION_ACK) {
        if (dev->session_wait && m.type == TOE_MSG_SESSION_ACK && m.value == dev->session) {
            dev->session_wait = 0;
            dev->hs[TOE_HSTAT_LINK_RX_MSGS]++;
            for (int t = 0; t < TOE_NTAGS; t++)
                if (dev->req[t].busy && dev->req[t].type == TOE_MSG_SESSION)
                    csr_complete(dev, &dev->req[t], 0, m.value);
        } else {
            dev->hs[TOE_HSTAT_LINK_RX_STALE]++;
        }
        return;
    }
    switch (m.type) {
    case TOE_MSG_RESP: on_resp(dev, &m); break;
    case TOE_MSG_EVENT: on_event(dev, &m); break;
    case TOE_MSG_RAW_RX: on_raw_rx(dev, &m); break;
    case TOE_MSG_RX_DATA: on_rx_data(dev, &m); break;
    default: dev->hs[TOE_HSTAT_LINK_RX_BAD_MSG]++; return; /* host-to-device type */
    }
    dev->hs[TOE_HSTAT_LINK_RX_MSGS]++;
}

/* (Re)send request t: a CSR request carries its tag, SESSION its number only. */
static void req_send(toe_dev *dev, int t)
{
    const struct toe_csr_req *q = &dev->req[t];
    struct toe_msg m = {.type = q->type, .arg = q->type == TOE_MSG_SESSION ? 0 : (uint8_t)t,
                        .addr = q->addr, .value = q->value};
    toe_dev_queue(dev, &m);
}

/* Resend or give up requests whose answer is late by retry_ms of device time (clock.c: a
 * device slower than real time is waited for; one whose clock is silent is not). */
static void csr_resend(toe_dev *dev)
{
    for (int t = 0; t < TOE_NTAGS; t++) {
        struct toe_csr_req *q = &dev->req[t];
        if (!q->busy || q->done || toe_remaining(dev, q->retry_at, -1) > 0)
            continue;
        if (q->retries_left <= 0) {
            if (q->type != TOE_MSG_SESSION) /* an unanswered SESSION: LINK_NO_SESSION */
                dev->hs[TOE_HSTAT_CSR_TIMEOUTS]++;
            csr_complete(dev, q, TOE_ETIMEDOUT, 0);
            continue;
        }
        q->retries_left--;
        dev->hs[TOE_HSTAT_CSR_RETRIES]++;
        req_send(dev, t);
        q->retry_at = toe_deadline(dev, dev->retry_ms);
    }
}

static int min_wait(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

/* Host ms until the engine needs a turn without input: the CSR resends and every layer's own
 * deadline, looked at without running them (-1: none). */
static int next_timeout(toe_dev *dev)
{
    int w = -1;
    for (int t = 0; t < TOE_NTAGS; t++)
        if (dev->req[t].busy && !dev->req[t].done)
            w = min_wait(w, toe_dev_wait_ms(dev, dev->req[t].retry_at));
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i]->next_timeout)
            w = min_wait(w, dev->layers[i]->next_timeout(dev));
    return w;
}

/* flush_ms bounds the write of what is queued; what the transport does not take in time
 * stays queued for the next turn. */
static int turn_body(toe_dev *dev, int wait_ms, int flush_ms)
{
    csr_resend(dev);
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i]->timers)
            dev->layers[i]->timers(dev);
    int w = next_timeout(dev);
    int r = toe_dev_flush(dev, flush_ms);
    if (r && r != TOE_ETIMEDOUT)
        return r;
    /* Never wait unbounded: a -1 turn still comes back within a second. */
    w = min_wait(w, wait_ms < 0 ? 1000 : wait_ms);
    size_t got = 0;
    r = dev->tr.ops->read(dev->tr.priv, dev->rdbuf, dev->rdcap, &got, w);
    if (got) {
        uint64_t msgs = dev->hs[TOE_HSTAT_LINK_RX_MSGS];
        dev->input_unseen = 1;
        toe_link_rx_feed(&dev->rx, dev->rdbuf, got, on_msg, dev);
        /* A message taken (not noise, not a previous host's): the device is not silent. */
        if (dev->dt_quiet_host_us && dev->hs[TOE_HSTAT_LINK_RX_MSGS] != msgs)
            dev->dt_quiet_host_us = toe_now_us();
    }
    if (r)
        return dev_fail(dev, r, "read");
    /* The layers' work runs here, outside message dispatch (it never blocks: what needs a
     * CSR round trip goes on in the completion). */
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i]->work)
            dev->layers[i]->work(dev);
    return dev->dead;
}

/* The engine does not nest: a blocking call from inside a turn (a completion, a layer's hook
 * or the event callback) gets an error instead of a turn of its own. */
static int dev_turn(toe_dev *dev, int wait_ms, int flush_ms)
{
    if (dev->dead)
        return dev->dead;
    if (dev->in_turn) {
        return toe_seterr(dev, TOE_EINVAL, "%s: a blocking call from inside the engine's turn "
                          "(a completion or the event callback)", dev->spec);
    }
    dev->in_turn = 1;
    int r = turn_body(dev, wait_ms, flush_ms);
    dev->in_turn = 0;
    return r;
}

int toe_dev_turn(toe_dev *dev, int wait_ms) { return dev_turn(dev, wait_ms, TOE_FLUSH_MS); }

int toe_poll(toe_dev *dev, int timeout_ms)
{
    if (!dev)
        return TOE_EINVAL;
    return toe_dev_turn(dev, timeout_ms);
}

/* ---- event-loop integration --------------------------------------------------------- */

int toe_get_fd(toe_dev *dev, int *fd, short *events)
{
    if (!dev || !fd)
        return TOE_EINVAL;
    if (!dev->tr.ops->get_fd)
        return toe_seterr(dev, TOE_ENOTSUP, "%s: the %s transport has no file descriptor",
                          dev->spec, dev->tr.ops->name);
    *fd = dev->tr.ops->get_fd(dev->tr.priv);
    if (events)
        *events = (short)(POLLIN | (dev->txlen ? POLLOUT : 0));
    return 0;
}

int toe_next_timeout(toe_dev *dev, int *timeout_ms)
{
    if (!dev || !timeout_ms)
        return TOE_EINVAL;
    /* The same deadlines toe_dev_turn runs, looked at without running them; 0 while input
     * taken from the link by another call (a socket call that turned the engine) has not
     * been followed by toe_handle_events: the fd no longer shows it, the state does. */
    *timeout_ms = dev->dead || dev->input_unseen ? 0 : next_timeout(dev);
    return 0;
}

int toe_handle_events(toe_dev *dev)
{
    if (!dev)
        return TOE_EINVAL;
    int r = dev_turn(dev, 0, 0);
    dev->input_unseen = 0; /* the caller looks at the state after this */
    return r;
}

/* ---- CSR requests ------------------------------------------------------------------- */

static int alloc_tag(toe_dev *dev)
{
    for (int k = 0; k < TOE_NTAGS; k++) {
        uint8_t t = (uint8_t)(dev->next_tag + k);
        if (!dev->req[t].busy) {
            dev->next_tag = (uint8_t)(t + 1);
            return t;
        }
    }
    return -1;
}

/* Take a tag for a request of this type (CSR_READ, CSR_WRITE or SESSION) and send it; it is
 * resent every retry_ms of device time until answered or out of retries. cb NULL: the caller
 * waits for it (done). Returns the tag, or TOE_ENOSPC. */
static int req_start(toe_dev *dev, uint8_t type, uint16_t addr, uint32_t value, toe_csr_done cb,
                     void *ctx)
{
    int t = alloc_tag(dev);
    if (t < 0)
        return toe_seterr(dev, TOE_ENOSPC, "no free request tags");
    struct toe_csr_req *q = &dev->req[t];
    memset(q, 0, sizeof(*q));
    q->busy = 1;
    q->type = type;
    q->addr = addr;
    q->value = value;
    q->cb = cb;
    q->ctx = ctx;
    q->retries_left = dev->retries;
    q->retry_at = toe_deadline(dev, dev->retry_ms);
    req_send(dev, t);
    return t;
}

int toe_csr_async(toe_dev *dev, int is_write, uint16_t addr, uint32_t value, toe_csr_done cb,
                  void *ctx)
{
    if (dev->dead)
        return dev->dead;
    int t = req_start(dev, is_write ? TOE_MSG_CSR_WRITE : TOE_MSG_CSR_READ, addr, value, cb,
                      ctx);
    return t < 0 ? t : 0;
}

void toe_csr_cancel(toe_dev *dev, toe_csr_done cb, const void *ctx)
{
    for (int t = 0; t < TOE_NTAGS; t++) {
        struct toe_csr_req *q = &dev->req[t];
        if (q->busy && q->cb == cb && q->ctx == ctx)
            memset(q, 0, sizeof(*q));
    }
}

/* A group of asynchronous reads: its completion runs once every member is answered. */
struct csr_group;
struct csr_member {
    struct csr_group *g;
};
struct csr_group {
    toe_csr_group_done cb;
    void *ctx;
    unsigned n, open;
    int result;
    uint32_t vals[TOE_CSR_GROUP_MAX];
    struct csr_member m[TOE_CSR_GROUP_MAX];
};

static void group_member_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    struct csr_member *m = ctx;
    struct csr_group *g = m->g;
    g->vals[m - g->m] = value;
    if (result && !g->result)
        g->result = result;
    if (--g->open)
        return;
    g->cb(dev, g->ctx, g->result, g->vals);
    free(g);
}

/* A group of requests of one type (reads, or writes of values), sent in order. */
static int group_start(toe_dev *dev, uint8_t type, const uint16_t *addrs, const uint32_t *values,
                       size_t n, toe_csr_group_done cb, void *ctx)
{
    if (dev->dead)
        return dev->dead;
    if (!n || n > TOE_CSR_GROUP_MAX)
        return TOE_EINVAL;
    struct csr_group *g = calloc(1, sizeof(*g));
    if (!g)
        return TOE_ENOMEM;
    g->cb = cb;
    g->ctx = ctx;
    g->n = (unsigned)n;
    for (size_t i = 0; i < n; i++) {
        g->m[i].g = g;
        int t = req_start(dev, type, addrs[i], values ? values[i] : 0, group_member_done,
                          &g->m[i]);
        if (t < 0) { /* the members sent so far are forgotten */
            for (int k = 0; k < TOE_NTAGS; k++)
                if (dev->req[k].busy && dev->req[k].cb == group_member_done &&
                    ((struct csr_member *)dev->req[k].ctx)->g == g)
                    memset(&dev->req[k], 0, sizeof(dev->req[k]));
            free(g);
            return t;
        }
        g->open++;
    }
    return 0;
}

int toe_csr_read_async_many(toe_dev *dev, const uint16_t *addrs, size_t n, toe_csr_group_done cb,
                            void *ctx)
{
    return group_start(dev, TOE_MSG_CSR_READ, addrs, NULL, n, cb, ctx);
}

int toe_csr_write_async_many(toe_dev *dev, const uint16_t *addrs, const uint32_t *values,
                             size_t n, toe_csr_group_done cb, void *ctx)
{
    return group_start(dev, TOE_MSG_CSR_WRITE, addrs, values, n, cb, ctx);
}

/* ctx NULL: every group and asynchronous request (toe_close). */
static void cancel_ctx(toe_dev *dev, const void *ctx, int all)
{
    for (int t = 0; t < TOE_NTAGS; t++) {
        struct toe_csr_req *q = &dev->req[t];
        if (!q->busy)
            continue;
        if (q->cb == group_member_done) {
            struct csr_group *g = ((struct csr_member *)q->ctx)->g;
            if (!all && g->ctx != ctx)
                continue;
            memset(q, 0, sizeof(*q));
            if (!--g->open)
                free(g);
        } else if (q->cb && (all || q->ctx == ctx)) {
            memset(q, 0, sizeof(*q));
        }
    }
    if (dev->arm.cb && (all || dev->arm.ctx == ctx))
        dev->arm.cb = NULL; /* the arming goes on; nobody is told */
}

void toe_csr_cancel_ctx(toe_dev *dev, const void *ctx) { cancel_ctx(dev, ctx, 0); }

/* The answer to a time probe: the device's clock (TIME_LO widened from the last time seen),
 * for the estimate and for every layer. */
static void time_probed(toe_dev *dev, void *ctx, int result, uint32_t lo)
{
    (void)ctx;
    if (result)
        return;
    toe_dev_note_time(dev, toe_dev_time_from_lo(dev, lo));
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i]->time)
            dev->layers[i]->time(dev, dev->dt_us);
}

int toe_time_probe_pending(const toe_dev *dev)
{
    for (int t = 0; t < TOE_NTAGS; t++)
        if (dev->req[t].busy && dev->req[t].cb == time_probed)
            return 1;
    return 0;
}

int toe_time_probe(toe_dev *dev)
{
    return toe_csr_async(dev, 0, TOE_CSR_TIME_LO, 0, time_probed, NULL);
}

int toe_dev_add_layer(toe_dev *dev, const struct toe_layer *l, void *priv)
{
    if (dev->nlayers == TOE_MAX_LAYERS)
        return toe_seterr(dev, TOE_ENOMEM, "too many layers");
    dev->layer_priv[dev->nlayers] = priv;
    dev->layers[dev->nlayers++] = l;
    return 0;
}

void *toe_dev_layer(const toe_dev *dev, const struct toe_layer *l)
{
    for (unsigned i = 0; i < dev->nlayers; i++)
        if (dev->layers[i] == l)
            return dev->layer_priv[i];
    return NULL;
}

uint64_t toe_dev_link_errors(const toe_dev *dev)
{
    return dev->rx.c.bad_frame + dev->rx.c.bad_crc + dev->hs[TOE_HSTAT_LINK_RX_BAD_MSG] +
           dev->hs[TOE_HSTAT_EVENT_GAPS];
}

/* Run up to 128 CSR requests in one batch. vals: in for writes, out for reads. */
static int csr_chunk(toe_dev *dev, const uint16_t *addrs, uint32_t *vals, const uint8_t *wr,
                     size_t n, int *res, uint64_t deadline, int nonblock)
{
    int tags[128];
    for (size_t i = 0; i < n; i++) {
        int t = req_start(dev, wr[i] ? TOE_MSG_CSR_WRITE : TOE_MSG_CSR_READ, addrs[i],
                          wr[i] ? vals[i] : 0, NULL, NULL);
        if (t < 0) { /* cannot happen with 128 per chunk; be safe */
            for (size_t j = 0; j < i; j++)
                dev->req[tags[j]].busy = 0;
            return t;
        }
        tags[i] = t;
    }
    int r = 0;
    for (int first = 1;; first = 0) {
        size_t open = 0;
        for (size_t i = 0; i < n; i++)
            open += !dev->req[tags[i]].done;
        if (!open)
            break;
        if (!first && (nonblock || toe_remaining(dev, deadline, -1) == 0)) {
            r = TOE_ETIMEDOUT;
            break;
        }
        r = toe_dev_turn(dev, nonblock ? 0 : toe_remaining(dev, deadline, 1000));
        if (r)
            break;
    }
    for (size_t i = 0; i < n; i++) {
        struct toe_csr_req *q = &dev->req[tags[i]];
        res[i] = q->done ? q->result : (r ? r : TOE_ETIMEDOUT);
        if (q->done && !q->result && !wr[i])
            vals[i] = q->value;
        q->busy = 0;
    }
    return 0;
}

/* deadline: device time (toe_deadline); nonblock: a zero timeout (one turn, no wait). */
static int csr_batch(toe_dev *dev, const uint16_t *addrs, uint32_t *vals, const uint8_t *wr,
                     size_t n, size_t *got, uint64_t deadline, int nonblock)
{
    int first_err = 0;
    size_t ok = 0;
    for (size_t base = 0; base < n; base += 128) {
        size_t k = n - base < 128 ? n - base : 128;
        int res[128];
        int r = csr_chunk(dev, addrs + base, vals + base, wr + base, k, res, deadline,
                          nonblock);
        if (r)
            return r;
        for (size_t i = 0; i < k; i++) {
            if (!res[i])
                ok++;
            else if (!first_err) {
                first_err = res[i];
                if (!dev->dead)
                    toe_seterr(dev, res[i], "%s: CSR 0x%04x %s: %s", dev->spec, addrs[base + i],
                           wr[base + i] ? "write" : "read", toe_strerror(res[i]));
            }
        }
    }
    if (got)
        *got = ok;
    return first_err;
}

int toe_csr_read_many(toe_dev *dev, const uint16_t *addrs, uint32_t *values, size_t n,
                      size_t *got, int timeout_ms)
{
    if (got)
        *got = 0;
    if (!dev || (n && (!addrs || !values)))
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    uint8_t *wr = calloc(n ? n : 1, 1);
    uint32_t *tmp = calloc(n ? n : 1, sizeof(*tmp));
    if (!wr || !tmp) {
        free(wr);
        free(tmp);
        return TOE_ENOMEM;
    }
    int r = csr_batch(dev, addrs, tmp, wr, n, got, toe_deadline(dev, timeout_ms), timeout_ms == 0);
    if (n)
        memcpy(values, tmp, n * sizeof(*tmp));
    free(wr);
    free(tmp);
    return r;
}

int toe_csr_write_many(toe_dev *dev, const uint16_t *addrs, const uint32_t *values, size_t n,
                       int timeout_ms)
{
    if (!dev || (n && (!addrs || !values)) || n > 128)
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    uint8_t wr[128];
    uint32_t v[128];
    memset(wr, 1, n);
    memcpy(v, values, n * sizeof(*v));
    return csr_batch(dev, addrs, v, wr, n, NULL, toe_deadline(dev, timeout_ms), timeout_ms == 0);
}

int toe_csr_read(toe_dev *dev, uint16_t addr, uint32_t *value, int timeout_ms)
{
    if (!dev || !value)
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    uint8_t wr = 0;
    uint32_t v = 0;
    int r = csr_batch(dev, &addr, &v, &wr, 1, NULL, toe_deadline(dev, timeout_ms), timeout_ms == 0);
    if (!r)
        *value = v;
    return r;
}

int toe_csr_write(toe_dev *dev, uint16_t addr, uint32_t value, int timeout_ms)
{
    if (!dev)
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    uint8_t wr = 1;
    /* The net layer's copy of the device's addresses is stale now. */
    if (addr >= TOE_CSR_MAC_HI && addr <= TOE_CSR_GATEWAY)
        dev->net.have_cfg = 0;
    return csr_batch(dev, &addr, &value, &wr, 1, NULL, toe_deadline(dev, timeout_ms),
                     timeout_ms == 0);
}

int toe_get_info(toe_dev *dev, struct toe_info *info, int timeout_ms)
{
    if (!dev || !info)
        return TOE_EINVAL;
    static const uint16_t a[] = {TOE_CSR_ID, TOE_CSR_VERSION, TOE_CSR_CAPS, TOE_CSR_LINK_RATE,
                                 TOE_CSR_MAC_HI, TOE_CSR_MAC_LO, TOE_CSR_IP, TOE_CSR_NETMASK,
                                 TOE_CSR_GATEWAY};
    uint32_t v[9] = {0};
    memset(info, 0, sizeof(*info));
    int r = toe_csr_read_many(dev, a, v, 9, NULL, timeout_ms);
    if (r)
        return r;
    info->id = v[0];
    info->version = v[1];
    info->caps = v[2];
    info->slots = v[2] & 0xff;
    info->link_kind = (v[2] >> 8) & 0xf;
    info->link_rate = v[3];
    info->mac[0] = (uint8_t)(v[4] >> 8);
    info->mac[1] = (uint8_t)v[4];
    for (int i = 0; i < 4; i++)
        info->mac[2 + i] = (uint8_t)(v[5] >> (24 - 8 * i));
    info->ip = v[6];
    info->netmask = v[7];
    info->gateway = v[8];
    return 0;
}

int toe_read_stats(toe_dev *dev, uint32_t *values, size_t n, size_t *got, int timeout_ms)
{
    if (got)
        *got = 0;
    if (!dev || (n && !values))
        return TOE_EINVAL;
    uint16_t a[TOE_STAT_COUNT];
    if (n > TOE_STAT_COUNT)
        n = TOE_STAT_COUNT;
    for (size_t i = 0; i < n; i++)
        a[i] = (uint16_t)(TOE_CSR_STAT_BASE + i);
    return toe_csr_read_many(dev, a, values, n, got, timeout_ms);
}

/* ---- time and alarm ----------------------------------------------------------------- */

/* The device's clock, noted for the estimate. Two round trips: reading TIME_LO latches
 * TIME_HI, so HI is asked only once LO is answered (pipelined, a resent LO could come after
 * HI). toe_open and toe_time both read it here. */
static int time_read(toe_dev *dev, uint64_t *us, int timeout_ms)
{
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    uint16_t a[2] = {TOE_CSR_TIME_LO, TOE_CSR_TIME_HI};
    uint32_t v[2] = {0, 0};
    uint8_t wr[2] = {0, 0};
    int r = csr_batch(dev, a, v, wr, 1, NULL, deadline, timeout_ms == 0);
    if (!r)
        r = csr_batch(dev, a + 1, v + 1, wr + 1, 1, NULL, deadline, timeout_ms == 0);
    if (!r) {
        *us = (uint64_t)v[1] << 32 | v[0];
        toe_dev_note_time(dev, *us);
    }
    return r;
}

int toe_time(toe_dev *dev, uint64_t *us, int timeout_ms)
{
    if (!dev || !us)
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    return time_read(dev, us, timeout_ms);
}

/* Arming the alarm: ALARM_LO, then (once it is answered) ALARM_HI, which arms. */
static void alarm_step_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)value;
    if (!result && ctx == &dev->arm.at) { /* LO answered: HI */
        result = toe_csr_async(dev, 1, TOE_CSR_ALARM_HI, (uint32_t)(dev->arm.at >> 32),
                               alarm_step_done, NULL);
        if (!result)
            return;
    }
    dev->arm.busy = 0;
    if (result)
        dev->alarm_armed = 0;
    toe_csr_done cb = dev->arm.cb;
    dev->arm.cb = NULL;
    if (cb)
        cb(dev, dev->arm.ctx, result, 0);
}

int toe_alarm_set_async(toe_dev *dev, uint64_t at_us, toe_csr_done cb, void *ctx)
{
    if (dev->dead)
        return dev->dead;
    if (dev->arm.busy)
        return toe_seterr(dev, TOE_ENOSPC, "an alarm is already being armed");
    int r = toe_csr_async(dev, 1, TOE_CSR_ALARM_LO, (uint32_t)at_us, alarm_step_done,
                          &dev->arm.at);
    if (r)
        return r;
    dev->arm.busy = 1;
    dev->arm.at = at_us;
    dev->arm.cb = cb;
    dev->arm.ctx = ctx;
    dev->alarm_armed = 1;
    dev->alarm_fired = 0;
    dev->alarm_at = at_us;
    dev->gaps_at_arm = dev->hs[TOE_HSTAT_EVENT_GAPS];
    return 0;
}

/* toe_alarm_set's completion: the result for the waiting call. */
static void alarm_set_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)dev;
    (void)value;
    *(int *)ctx = result;
}

int toe_alarm_set(toe_dev *dev, uint64_t at_us, int timeout_ms)
{
    if (!dev)
        return TOE_EINVAL;
    if (dev->dead)
        return dev->dead;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    int res = 1; /* 1: not answered yet */
    int r = toe_alarm_set_async(dev, at_us, alarm_set_done, &res);
    for (int first = 1; !r && res == 1; first = 0) {
        if (!first && (timeout_ms == 0 || toe_remaining(dev, deadline, -1) == 0))
            r = TOE_ETIMEDOUT;
        else
            r = toe_dev_turn(dev, timeout_ms == 0 ? 0 : toe_remaining(dev, deadline, 1000));
    }
    if (res == 1) { /* given up waiting: the arming is forgotten */
        toe_csr_cancel(dev, alarm_step_done, &dev->arm.at);
        toe_csr_cancel(dev, alarm_step_done, NULL);
        dev->arm.busy = 0;
        dev->arm.cb = NULL;
        dev->alarm_armed = 0;
        return r;
    }
    if (res)
        return toe_seterr(dev, res, "%s: arming the alarm: %s", dev->spec, toe_strerror(res));
    return 0;
}

int toe_alarm_wait(toe_dev *dev, uint64_t *fired_us, int timeout_ms)
{
    if (!dev)
        return TOE_EINVAL;
    if (!dev->alarm_armed)
        return toe_seterr(dev, TOE_EINVAL, "no alarm armed");
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    uint64_t check_at = toe_now_ms() + 1000;
    for (;;) {
        if (!dev->alarm_fired && (dev->hs[TOE_HSTAT_EVENT_GAPS] != dev->gaps_at_arm ||
                                  toe_now_ms() >= check_at)) {
            /* Events were lost, or it has been quiet for long: ask the clock. This also
             * notices a device that stopped answering. */
            uint64_t now;
            dev->gaps_at_arm = dev->hs[TOE_HSTAT_EVENT_GAPS];
            check_at = toe_now_ms() + 1000;
            int r = toe_time(dev, &now, 1000);
            if (r)
                return r;
            if (now >= dev->alarm_at) {
                dev->alarm_fired = 1;
                dev->alarm_fired_time = now;
            }
        }
        if (dev->alarm_fired) {
            dev->alarm_armed = 0;
            if (fired_us)
                *fired_us = dev->alarm_fired_time;
            return 0;
        }
        int rem = toe_remaining(dev, deadline, 1000);
        if (timeout_ms == 0)
            rem = 0;
        else if (rem == 0)
            return TOE_ETIMEDOUT;
        int r = toe_dev_turn(dev, rem);
        if (r)
            return r;
        if (timeout_ms == 0 && !dev->alarm_fired)
            return TOE_EAGAIN;
    }
}

int toe_set_event_cb(toe_dev *dev, toe_event_cb cb, void *user)
{
    if (!dev)
        return TOE_EINVAL;
    dev->ev_cb = cb;
    dev->ev_user = user;
    return 0;
}

/* ---- raw frames --------------------------------------------------------------------- */

int toe_raw_send(toe_dev *dev, const void *frame, size_t len, unsigned flags, int timeout_ms)
{
    if (!dev || !frame)
        return TOE_EINVAL;
    if (len < 14 || len > TOE_RAW_FRAME_MAX)
        return toe_seterr(dev, TOE_EINVAL, "raw frame of %zu bytes (14..1514)", len);
    if (flags & ~(unsigned)(TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4))
        return toe_seterr(dev, TOE_EINVAL, "unknown raw send flags 0x%x", flags);
    if (dev->dead)
        return dev->dead;
    struct toe_msg m = {.type = TOE_MSG_RAW_TX, .arg = (uint8_t)flags, .data = frame,
                        .data_len = len};
    int r = toe_dev_queue(dev, &m);
    if (r)
        return r;
    dev->hs[TOE_HSTAT_RAW_TX]++;
    return toe_dev_flush(dev, timeout_ms);
}

int toe_raw_recv_until(toe_dev *dev, void *buf, size_t cap, size_t *len, unsigned *verdict,
                       uint64_t *time_us, uint64_t deadline, int nonblock)
{
    for (int first = 1;; first = 0) {
        if (dev->rawq_n) {
            struct toe_raw_frame *f = &dev->rawq[dev->rawq_head];
            dev->rawq_head = (dev->rawq_head + 1) % dev->rawq_cap;
            dev->rawq_n--;
            *len = f->len;
            if (verdict)
                *verdict = f->verdict;
            if (time_us)
                *time_us = f->time;
            if (f->len > cap)
                return toe_seterr(dev, TOE_EOVERFLOW, "frame of %u bytes, buffer %zu",
                                  f->len, cap);
            memcpy(buf, f->data, f->len);
            return 0;
        }
        if (nonblock && !first)
            return TOE_EAGAIN;
        int rem = nonblock ? 0 : toe_remaining(dev, deadline, 1000);
        if (!nonblock && rem == 0)
            return TOE_ETIMEDOUT;
        int r = toe_dev_turn(dev, rem);
        if (r)
            return r;
    }
}

int toe_raw_recv(toe_dev *dev, void *buf, size_t cap, size_t *len, unsigned *verdict,
                 uint64_t *time_us, int timeout_ms)
{
    if (len)
        *len = 0;
    if (!dev || !buf || !len)
        return TOE_EINVAL;
    return toe_raw_recv_until(dev, buf, cap, len, verdict, time_us,
                              toe_deadline(dev, timeout_ms), timeout_ms == 0);
}

/* ---- open and close ----------------------------------------------------------------- */

/* A SESSION that was never answered: the device predates sessions, the link stays unfenced. */
static void session_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)ctx;
    (void)value;
    if (result && dev->session_wait) {
        dev->session_wait = 0;
        dev->session = 0;
        dev->hs[TOE_HSTAT_LINK_NO_SESSION] = 1;
    }
}

/* Start a link session (docs/LINK.md section 2): SESSION with a fresh number, a request resent
 * like a CSR request, and every device message before its SESSION_ACK dropped as stale. A
 * device that never answers predates sessions (TOE_HSTAT_LINK_NO_SESSION). */
static int session_open(toe_dev *dev)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* not a timer: a number unlikely to repeat */
    uint32_t s = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec * 2654435761u ^
                 (uint32_t)(uintptr_t)dev ^ (uint32_t)getpid() << 16;
    dev->session = s ? s : 1;
    dev->session_wait = 1;
    int r = req_start(dev, TOE_MSG_SESSION, 0, dev->session, session_done, NULL);
    while (r >= 0 && dev->session_wait)
        r = toe_dev_turn(dev, -1);
    return r < 0 ? r : 0;
}

static void errbuf_put(const struct toe_open_opts *o, const char *msg)
{
    if (o && o->errbuf)
        toe_fmt(o->errbuf, o->errbuf_size ? o->errbuf_size : TOE_ERRBUF_SIZE, "%s", msg);
}

int toe_open_transport(toe_dev **devp, const struct toe_transport *t, const char *name,
                       const struct toe_open_opts *opts)
{
    toe_dev *dev = calloc(1, sizeof(*dev));
    if (dev) {
        dev->txcap = TOE_TXBUF_INIT;
        dev->txbuf = malloc(dev->txcap);
        dev->rdcap = TOE_RDBUF;
        dev->rdbuf = malloc(dev->rdcap);
        dev->rawq_cap = opts && opts->raw_queue_len ? opts->raw_queue_len : 256;
        dev->rawq = calloc(dev->rawq_cap, sizeof(*dev->rawq));
    }
    if (!dev || !dev->txbuf || !dev->rdbuf || !dev->rawq || toe_net_init(dev)) {
        if (dev) {
            free(dev->txbuf);
            free(dev->rdbuf);
            free(dev->rawq);
            toe_net_free(dev);
            free(dev);
        }
        t->ops->close(t->priv);
        errbuf_put(opts, "out of memory");
        return TOE_ENOMEM;
    }
    dev->tr = *t;
    /* A leading delimiter ends whatever partial frame the device's decoder holds. */
    dev->txbuf[dev->txlen++] = 0;
    toe_fmt(dev->spec, sizeof(dev->spec), "%s", name ? name : "?");
    toe_link_rx_init(&dev->rx);
    dev->retry_ms = opts && opts->csr_retry_ms > 0 ? opts->csr_retry_ms : 200;
    dev->retries = !opts || !opts->csr_retries ? 4 : (opts->csr_retries < 0 ? 0 : opts->csr_retries);
    dev->next_tag = (uint8_t)(toe_now_us() & 0xff); /* a fresh handle avoids old tags */
    dev->dt_host_us = toe_now_us(); /* device time unknown: counted from here until seen */
    dev->no_probe = opts && opts->no_probe;
    if (!dev->no_probe) {
        /* The session, the ID, then the device's clock: bounded by their retries, which wait
         * for a silent link (clock.c), so a simulator sharing a loaded machine may take its
         * time to answer. */
        uint32_t id = 0;
        uint64_t now;
        int r = session_open(dev);
        if (!r)
            r = toe_csr_read(dev, TOE_CSR_ID, &id, -1);
        if (!r && id != TOE_CONST_ID)
            r = toe_seterr(dev, TOE_EPROTO, "%s: not a toe device (ID 0x%08x)", dev->spec, id);
        if (!r)
            r = time_read(dev, &now, -1);
        if (r == TOE_ETIMEDOUT)
            toe_seterr(dev, r, "%s: device does not answer", dev->spec);
        if (r) {
            errbuf_put(opts, dev->err);
            toe_close(dev);
            return r;
        }
    }
    *devp = dev;
    return 0;
}

int toe_open(toe_dev **devp, const char *spec, const struct toe_open_opts *opts)
{
    char err[TOE_ERRBUF_SIZE] = "";
    if (devp)
        *devp = NULL;
    if (!devp || !spec) {
        errbuf_put(opts, "toe_open: NULL argument");
        return TOE_EINVAL;
    }
    struct toe_spec s;
    int r = toe_spec_parse(spec, &s, err, sizeof(err));
    struct toe_transport t = {0};
    if (!r) {
        switch (s.kind) {
        case TOE_SPEC_SIM: r = toe_tr_open_sim(&t, s.path, err, sizeof(err)); break;
        case TOE_SPEC_TTY: r = toe_tr_open_tty(&t, s.path, s.baud, err, sizeof(err)); break;
        case TOE_SPEC_FTDI_FIFO:
            r = toe_tr_open_ftdi_fifo(&t, s.vid, s.pid, s.serial[0] ? s.serial : NULL, err,
                                      sizeof(err));
            break;
        case TOE_SPEC_FTDI_UART:
            r = toe_tr_open_ftdi_uart(&t, s.vid, s.pid, s.iface, s.baud, err, sizeof(err));
            break;
        }
    }
    if (r) {
        errbuf_put(opts, err);
        return r;
    }
    return toe_open_transport(devp, &t, spec, opts);
}

void toe_close(toe_dev *dev)
{
    if (!dev)
        return;
    /* The layers from the top (TCP queues RSTs and slot FREEs for open connections). */
    while (dev->nlayers) {
        const struct toe_layer *l = dev->layers[dev->nlayers - 1];
        if (l->free)
            l->free(dev);
        dev->nlayers--;
    }
    if (!dev->dead && dev->txlen) {
        size_t done;
        dev->tr.ops->write(dev->tr.priv, dev->txbuf, dev->txlen, &done, 0);
    }
    dev->tr.ops->close(dev->tr.priv);
    cancel_ctx(dev, NULL, 1);
    free(dev->txbuf);
    free(dev->rdbuf);
    free(dev->rawq);
    free(dev);
}
