/* SPDX-License-Identifier: MIT */
/* tcp_api.c: the socket API of toe.h (toe_tcp_*). A blocking call is a loop of engine turns
 * to its device-time deadline; the state it waits on is moved by tcp_in.c and tcp.c. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

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
    if (!tcp_get(dev)) {
        int r = tcp_init(dev);
        if (r)
            return r;
    }
    toe_sock *s = tcp_sock_new(tcp_get(dev));
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
    struct toe_tcp *t = tcp_get(dev);
    const char *why = tcp_bad_peer_addr(dev, ip);
    if (why)
        return toe_seterr(dev, TOE_EADDRNOTAVAIL, "%u.%u.%u.%u is %s: not a TCP peer", ip >> 24,
                          (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, why);
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    int same = s->rip == ip && s->rport == port;
    if (s->state == TOE_TCPS_CLOSED && s->slot < 0 && s->lport == 0) {
        if (s->bport &&
            (tcp_find_conn(t, ip, port, s->bport) || tcp_tw_find(t, ip, port, s->bport)))
            return toe_seterr(dev, TOE_EADDRINUSE, "%u.%u.%u.%u:%u from port %u: already connected",
                              ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port,
                              s->bport);
        s->arp_fails = dev->hs[TOE_HSTAT_ARP_FAIL];
        int r = toe_arp_resolve(dev, ip, s->mac, timeout_ms);
        int arp_wait = r == TOE_EAGAIN && timeout_ms == 0; /* the work step goes on with it */
        if (r && !arp_wait)
            return r;
        if ((r = tcp_alloc_slot(t, s))) {
            dev->hs[TOE_HSTAT_TCP_NO_SLOT]++;
            return toe_seterr(dev, r, "no free connection slot (%u in use)", t->nslots);
        }
        if ((r = tcp_bufs_alloc(s))) {
            tcp_release_slot(s);
            return r;
        }
        s->rip = ip;
        s->rport = port;
        s->lport = s->bport ? s->bport : tcp_pick_port(t, ip, port);
        uint64_t now;
        if (!s->lport) {
            tcp_release_slot(s);
            return toe_seterr(dev, TOE_EADDRINUSE, "no free local port");
        }
        r = toe_time(dev, &now, TOE_TCP_CSR_MS);
        if (r) {
            tcp_release_slot(s);
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
            tcp_send_syn(s);
        same = 1;
    } else if (!same || (s->state != TOE_TCPS_SYN_SENT && s->state != TOE_TCPS_SYN_RCVD &&
                         !tcp_synchronized(s) && !s->err)) {
        return toe_seterr(dev, TOE_EISCONN, "socket already in use (%s)",
                          toe_tcp_state_name(s->state));
    }
    for (int first = 1;;) {
        if (s->state == TOE_TCPS_SYN_SENT || s->state == TOE_TCPS_SYN_RCVD ||
            tcp_programming(s)) {
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
            tcp_abort_now(s); /* a SYN-RECEIVED slot is open: RST, FREE */
            tcp_abort_wait(s, TOE_TCP_CSR_MS);
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
    if (tcp_port_taken(s->tcp, s, port))
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
    if (tcp_find_listener(s->tcp, port))
        return toe_seterr(s->dev, TOE_EADDRINUSE, "port %u already has a listener", port);
    for (toe_sock *x = s->tcp->socks; x; x = x->next)
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
        for (toe_sock *c = tcp_get(dev)->socks; c; c = c->next)
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
        if (s->traffic == TOE_TRAFFIC_SOURCE)
            return toe_seterr(dev, TOE_EINVAL, "send: the device's traffic source runs");
        if ((s->state != TOE_TCPS_ESTABLISHED && s->state != TOE_TCPS_CLOSE_WAIT) ||
            !tcp_slot_open(s))
            return TOE_ENOTCONN;
        uint32_t room = tcp_tx_room(s);
        if (room && done < len) {
            /* a call that waits for room pushes whole messages and the rest with the next */
            size_t k = len - done < room ? len - done : timeout_ms ? tcp_tx_whole(s, room) : room;
            tcp_tx_push(s, p + done, k);
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
    if (!s->tcp->slot_ext) {
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
    uint32_t ring = tcp_get(dev)->rxbuf;
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
            tcp_consumed_maybe(s);
            toe_dev_flush(dev, 0); /* the credit goes now, not when the buffer is empty */
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
            tcp_send_consumed(s);
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
    tcp_close_cmd(s);
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
        if (!tcp_slot_open(s))
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
    struct toe_tcp *t = s->tcp;
    int r = 0;
    s->user = 1; /* the work step's clean-up leaves it alone while this call waits */
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
        tcp_abort_now(s);
        tcp_abort_wait(s, TOE_TCP_CSR_MS);
        break;
    case TOE_TCPS_ESTABLISHED:
    case TOE_TCPS_CLOSE_WAIT:
        if (s->rx_expect != s->rx_read || tcp_programming(s)) {
            /* Unread data: abort (RFC 2525 2.17), as Linux does. */
            tcp_abort_now(s);
            tcp_abort_wait(s, TOE_TCP_CSR_MS);
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
        tcp_consumed_maybe(s);
    }
    tcp_tw_adopt(s);
    toe_dev_flush(s->dev, 0);
    if (s->state == TOE_TCPS_CLOSED && s->slot < 0 && !s->cont)
        tcp_sock_unlink_free(t, s);
    return r;
}

void toe_tcp_abort(toe_sock *s)
{
    if (!s)
        return;
    struct toe_tcp *t = s->tcp;
    if (s->state == TOE_TCPS_LISTEN) {
        toe_tcp_close(s, 0);
        return;
    }
    s->user = 1; /* the work step's clean-up leaves it alone while this call waits */
    tcp_abort_now(s);
    tcp_abort_wait(s, TOE_TCP_CSR_MS);
    s->user = 0;
    toe_dev_flush(s->dev, 0);
    if (s->slot < 0 && !s->cont)
        tcp_sock_unlink_free(t, s);
}

static short revents_of(toe_sock *s, short ev)
{
    short r = 0;
    if (s->state == TOE_TCPS_LISTEN) {
        for (toe_sock *c = s->tcp->socks; c; c = c->next)
            if (c->parent == s && tcp_synchronized(c))
                r |= TOE_POLLIN;
        return (short)(r & ev);
    }
    int eof = s->fin_rcvd && s->rx_expect == s->fin_seq;
    if (s->rx_expect != s->rx_read || eof || s->err)
        r |= TOE_POLLIN;
    if (urgent_pending(s))
        r |= TOE_POLLPRI;
    if ((s->state == TOE_TCPS_ESTABLISHED || s->state == TOE_TCPS_CLOSE_WAIT) && tcp_slot_open(s) &&
        !s->shut_wr && tcp_tx_room(s))
        r |= TOE_POLLOUT;
    r &= ev;
    if (s->err)
        r |= TOE_POLLERR;
    /* Over both ways: every byte of the peer's is here (TIME-WAIT alone is not enough: RX_DATA
     * may still be on the link). */
    if ((s->state == TOE_TCPS_CLOSED && !tcp_programming(s)) || (eof && s->shut_wr))
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
    if (!tcp_slot_open(s) || (field == TOE_FIELD_FLAGS && s->state == TOE_TCPS_SYN_RCVD))
        return 0;
    return toe_csr_write(s->dev, tcp_slot_addr(s, field), v, TOE_TCP_CSR_MS);
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
        return slot_write_open(s, TOE_FIELD_FLAGS, tcp_slot_flags(s));
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
        if (!s->tcp->slot_ext)
            return toe_seterr(s->dev, TOE_ENOTSUP, "the device has no IP_TTL_TOS slot field");
        if (opt == TOE_TCP_TTL)
            s->ttl = (uint8_t)value;
        else
            s->tos = (uint8_t)value;
        return slot_write_open(s, TOE_FIELD_IP_TTL_TOS, tcp_ttl_tos(s) ? tcp_ttl_tos(s) : 64u);
    case TOE_TCP_SNDBUF:
        if (value < 0 || (uint32_t)value > s->tcp->ring)
            return toe_seterr(s->dev, TOE_EINVAL, "TOE_TCP_SNDBUF %d: 0 or 1..%u (the TX ring)",
                              value, s->tcp->ring);
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
    if (!tcp_get(dev)) {
        int r = tcp_init(dev);
        if (r)
            return r;
    }
    tcp_get(dev)->chack_limit = per_second;
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
    int r = toe_csr_read(dev, TOE_CSR_CAPS, &caps, TOE_TCP_CSR_MS);
    if (r)
        return r;
    r = toe_net_cfg(dev, TOE_TCP_CSR_MS);
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
    r = toe_csr_read_many(dev, a, v, ns * NF, NULL, TOE_TCP_CSR_MS);
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
    if (!tcp_get(dev))
        return netstat_device(dev, out, n, got);
    struct toe_tcp *t = tcp_get(dev);
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
    int r = toe_csr_read_many(dev, a, v, na, NULL, TOE_TCP_CSR_MS);
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
