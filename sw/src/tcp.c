/* SPDX-License-Identifier: MIT */
/* tcp.c: the core of the host half of TCP (as lwIP's tcp.c): sockets and the device's
 * connection slots (allocation, ports, ISNs), commanding and programming the slots, the
 * layer's hooks for the device layer, and the work that needs CSR round trips.
 *
 * Nothing here blocks. Input (tcp_in.c: toe_tcp_event, toe_tcp_rx_data, toe_tcp_input)
 * updates state and leaves work flags (W_*). toe_tcp_work runs after every engine turn,
 * outside dispatch, and starts what needs CSR round trips as continuations (C_*): the
 * requests go out with a completion that runs the next step in the turn that receives the
 * answer. Output and timers: tcp_out.c; the socket API (the only calls that wait, by turning
 * the engine): tcp_api.c; TIME-WAIT records: tcp_tw.c. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *toe_tcp_state_name(int st)
{
    return st >= 0 && st <= TOE_TCPS_TIME_WAIT ? state_names[st] : "?";
}

static const struct toe_layer tcp_layer;

struct toe_tcp *tcp_get(const toe_dev *dev) { return toe_dev_layer(dev, &tcp_layer); }

void tcp_note_time(struct toe_tcp *t, uint64_t us)
{
    if (us > t->now)
        t->now = us;
}

static void tcp_time_probed(toe_dev *dev, uint64_t us)
{
    struct toe_tcp *t = tcp_get(dev);
    tcp_note_time(t, us);
    if (t->alarm_armed && t->now >= t->alarm_at)
        t->alarm_armed = 0; /* its event was lost: the timers run, the next one is armed */
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

int tcp_programming(const toe_sock *s)
{
    return (s->work & W_PROGRAM) || (s->cont & C_PROGRAM);
}

/* The slot is programmed and open in the device (and not being aborted). */
int tcp_slot_open(const toe_sock *s)
{
    return s->slot >= 0 && s->opened && !tcp_programming(s) && !(s->cont & C_ABORT);
}

uint16_t tcp_slot_addr(const toe_sock *s, unsigned field)
{
    return (uint16_t)(TOE_CSR_SLOT_BASE + (unsigned)s->slot * TOE_CONST_SLOT_STRIDE + field);
}

/* The host's slot flags as they should be now (FLAGS is written whole). */
uint32_t tcp_slot_flags(const toe_sock *s)
{
    return (s->nodelay ? 0u : TOE_CONST_SF_NAGLE) |
           (s->keep_probes || s->persist_at ? TOE_CONST_SF_ACK_REPORT : 0u);
}

/* FIELD_IP_TTL_TOS for the socket's options: 0 (the device's defaults) unless one is set. */
unsigned tcp_ttl_tos(const toe_sock *s)
{
    return s->ttl || s->tos ? (s->ttl ? s->ttl : 64u) | (unsigned)s->tos << 8 : 0u;
}

/* FIELD_MSS: the peer's MSS (or less, from the path MTU) and both window-scale shifts. */
uint32_t tcp_slot_mss_field(const toe_sock *s)
{
    return (uint32_t)s->mss | (uint32_t)s->snd_ws << 16 | (uint32_t)s->rcv_ws << 20;
}

/* A keepalive or zero-window probe is going out: the device reports the next acceptable ACK
 * (EVF_ACK_SEEN). Does not block. */
void tcp_report_next_ack(toe_sock *s)
{
    if (tcp_slot_open(s))
        tcp_csr_write_async(s->dev, tcp_slot_addr(s, TOE_FIELD_FLAGS), tcp_slot_flags(s), s->slot);
}

/* The peer showed it is there (data, a new ACK, the answer to a probe): keepalive counts its
 * idle time from now and forgets the probes; persist counts the peer's silence from now. */
void tcp_peer_alive(toe_sock *s)
{
    s->last_activity = s->tcp->now;
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

/* The answer to CMD CLOSE: on failure the work step sends it again. */
static void close_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)dev;
    (void)value;
    toe_sock *s = ctx;
    if (result && tcp_slot_open(s))
        s->work |= W_CLOSE;
}

void tcp_close_cmd(toe_sock *s)
{
    s->work &= ~(unsigned)W_CLOSE;
    if (toe_csr_async(s->dev, 1, TOE_CSR_SLOT_CMD, TOE_CMD_CLOSE << 8 | (unsigned)s->slot,
                      close_done, s))
        s->work |= W_CLOSE;
}

void tcp_slot_cmd_async(toe_sock *s, unsigned cmd)
{
    if (tcp_slot_open(s))
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

/* ---- slots and sockets -------------------------------------------------------------- */

/* The answer to a slot's FREE: the slot is free in the device (or, on failure, the work
 * step sends the FREE again). */
static void free_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)value;
    struct toe_tcp *t = tcp_get(dev);
    unsigned i = (unsigned)((uintptr_t)ctx - 1);
    if (t && i < t->nslots)
        t->slot_freeing[i] = result ? FREEING_AGAIN : 0;
}

static void slot_send_free(struct toe_tcp *t, unsigned i)
{
    t->slot_freeing[i] = FREEING_SENT;
    if (toe_csr_async(t->dev, 1, TOE_CSR_SLOT_CMD, TOE_CMD_FREE << 8 | i, free_done,
                      tcp_slot_key((int)i)))
        t->slot_freeing[i] = FREEING_AGAIN;
}

/* A slot for s: a free one, else one whose FREE is still unanswered (its programming waits
 * for the answer, program_slot). */
int tcp_alloc_slot(struct toe_tcp *t, toe_sock *s)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < t->nslots; i++)
            if (!t->slot_used[i] && (pass || !t->slot_freeing[i])) {
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
        if (!t->slot_used[i])
            return 1;
    return 0;
}

/* Give the slot back, forgetting the socket's continuations; a slot that was opened gets a
 * FREE (asynchronous: the slot is "freeing" until it is answered). Does not block. */
void tcp_release_slot(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    if (s->slot < 0)
        return;
    int i = s->slot;
    /* A late resend must not reach the slot's next connection. */
    toe_csr_cancel(s->dev, tcp_async_done, tcp_slot_key(i));
    toe_csr_cancel_ctx(s->dev, s);
    s->cont = 0;
    t->slot_sock[i] = NULL;
    t->slot_used[i] = 0;
    if (s->opened)
        slot_send_free(t, (unsigned)i);
    s->slot = -1;
    s->opened = 0;
    s->work &= ~(unsigned)(W_PROGRAM | W_CLOSE | W_FREE | W_RESYNC | W_RSTCHK | W_URGENT);
}

int tcp_bufs_alloc(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    if (!s->txb)
        s->txb = malloc(t->ring);
    if (!s->rxb)
        s->rxb = malloc(t->rxbuf);
    return s->txb && s->rxb ? 0 : TOE_ENOMEM;
}

toe_sock *tcp_sock_new(struct toe_tcp *t)
{
    toe_sock *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->dev = t->dev;
    s->tcp = t;
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

void tcp_sock_unlink_free(struct toe_tcp *t, toe_sock *s)
{
    for (toe_sock **pp = &t->socks; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    toe_csr_cancel_ctx(t->dev, s); /* its continuations */
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
    s->cont &= ~(unsigned)(C_PROGRAM | C_RTO); /* their completions find it over */
}

toe_sock *tcp_find_conn(struct toe_tcp *t, uint32_t rip, uint16_t rport, uint16_t lport)
{
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s->state != TOE_TCPS_CLOSED && s->state != TOE_TCPS_LISTEN && s->rip == rip &&
            s->rport == rport && s->lport == lport)
            return s;
    return NULL;
}

toe_sock *tcp_find_listener(struct toe_tcp *t, uint16_t port)
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
int tcp_port_taken(struct toe_tcp *t, const toe_sock *self, uint16_t p)
{
    for (toe_sock *s = t->socks; s; s = s->next)
        if (s != self && (s->bport == p || (s->state != TOE_TCPS_CLOSED && s->lport == p)))
            return 1;
    return tcp_tw_port_used(t, p);
}

uint16_t tcp_pick_port(struct toe_tcp *t, uint32_t rip, uint16_t rport)
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

/* ---- work: what needs CSR round trips ----------------------------------------------- */

static uint32_t initial_cwnd(const toe_sock *s)
{
    /* RFC 6928: min(10*MSS, max(2*MSS, 14600)). */
    uint32_t a = 10u * s->mss, b = 2u * s->mss > 14600 ? 2u * s->mss : 14600;
    return a < b ? a : b;
}

/* Programming a slot (W_PROGRAM, then C_PROGRAM): its fields written, then OPEN; a passive
 * open then sends the SYN-ACK, an active one has the device send the ACK (CMD ACK). Each
 * step waits for the answer to the one before. The connection may end meanwhile (an RST:
 * tcp_set_error takes C_PROGRAM away); a completion then does nothing more. */
static int program_going(toe_sock *s, int result)
{
    if (!(s->cont & C_PROGRAM))
        return 0;
    if (result) {
        tcp_set_error(s, result);
        return 0;
    }
    return 1;
}

static void program_acked(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)value;
    toe_sock *s = ctx;
    if (!program_going(s, result))
        return;
    s->cont &= ~(unsigned)C_PROGRAM;
    s->state = TOE_TCPS_ESTABLISHED;
    s->last_activity = s->tcp->now;
    tcp_syn_done_rto(s);
    dev->hs[TOE_HSTAT_TCP_ACTIVE_OPENS]++;
    tcp_timers_update(s);
}

static void program_opened(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)value;
    toe_sock *s = ctx;
    struct toe_tcp *t = s->tcp;
    if (!program_going(s, result))
        return;
    s->snd_una = s->tx_end = s->iss + 1;
    if (!s->prog_passive) {
        /* The handshake's third segment comes from the device. */
        result = toe_csr_async(dev, 1, TOE_CSR_SLOT_CMD, TOE_CMD_ACK << 8 | (unsigned)s->slot,
                               program_acked, s);
        if (result)
            program_going(s, result);
        return;
    }
    s->cont &= ~(unsigned)C_PROGRAM;
    tcp_send_seg(s, s->iss, s->irs + 1, TH_SYN | TH_ACK, tcp_syn_window(t), 1, NULL, 0);
    s->syn_sent_at = t->now;
    s->syn_tries = 1;
    s->syn_at = t->now + TOE_TCP_SYN_RTO_US;
    if (s->syn_acked && s->state == TOE_TCPS_SYN_RCVD)
        tcp_synack_established(s); /* the peer's SYN-ACK came while the slot was programmed */
}

static void program_written(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    (void)v;
    toe_sock *s = ctx;
    if (!program_going(s, result))
        return;
    s->opened = 1; /* from here on the slot needs a FREE */
    result = toe_csr_async(dev, 1, TOE_CSR_SLOT_CMD, TOE_CMD_OPEN << 8 | (unsigned)s->slot,
                           program_opened, s);
    if (result)
        program_going(s, result);
}

/* W_PROGRAM: start programming the slot, once its previous connection's FREE is answered. */
static void program_slot(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    if (s->state != TOE_TCPS_SYN_SENT && s->state != TOE_TCPS_SYN_RCVD) {
        s->work &= ~(unsigned)W_PROGRAM;
        return;
    }
    if (t->slot_freeing[s->slot])
        return; /* free_done lets the next work step start it */
    /* SYN-RECEIVED (a listener's child, or a simultaneous open): the slot waits in SYN_RCVD
     * for the ACK of our SYN-ACK. SYN-SENT (or a simultaneous open whose SYN was already
     * acknowledged by the peer's SYN-ACK): the slot opens established and sends the ACK. */
    s->prog_passive = s->state == TOE_TCPS_SYN_RCVD && !s->syn_acked;
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
                      tcp_slot_mss_field(s),
                      s->iss + 1,
                      s->snd_wnd,
                      s->irs + 1,
                      initial_cwnd(s),
                      TOE_TCP_SSTHRESH_INIT,
                      tcp_slot_flags(s) | (s->prog_passive ? TOE_CONST_SF_SYN_RCVD : 0u),
                      tcp_ttl_tos(s),
                      s->iss + 1};
    size_t n = t->slot_ext ? 13 : 11;
    uint16_t a[13];
    for (size_t i = 0; i < n; i++)
        a[i] = tcp_slot_addr(s, fld[i]);
    s->work &= ~(unsigned)W_PROGRAM;
    int r = toe_csr_write_async_many(s->dev, a, v, n, program_written, s);
    if (r)
        tcp_set_error(s, r);
    else
        s->cont |= C_PROGRAM;
}

/* The abort's last step: RST to the peer, then FREE. Its sequence number is SND.NXT, or the
 * right edge of the peer's window if SND.NXT is past it (the byte of a zero-window probe
 * that the peer did not take): a peer takes a RST only inside its window (RFC 5961 3.2), and
 * a zero window is where an abort on a send timeout happens. Linux does the same
 * (tcp_acceptable_seq). v: the slot's SND.NXT, SND.UNA, SND.WND; NULL: the host's copies. */
static void abort_finish(toe_sock *s, const uint32_t *v)
{
    uint32_t nxt = v ? v[0] : s->tx_end, una = v ? v[1] : s->snd_una,
             wnd = v ? v[2] : s->snd_wnd;
    uint32_t seq = SEQ_GT(nxt, una + wnd) ? una + wnd : nxt;
    s->cont &= ~(unsigned)C_ABORT;
    tcp_release_slot(s);
    tcp_send_seg(s, seq, tcp_rcv_nxt(s), TH_RST | TH_ACK, 0, 0, NULL, 0);
    s->dev->hs[TOE_HSTAT_TCP_RST_TX]++;
}

static void abort_read_done(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    (void)dev;
    abort_finish(ctx, result ? NULL : v); /* unanswered after every resend: the host's */
}

static int slot_read(toe_sock *s, const unsigned *fld, size_t n, toe_csr_group_done cb);

/* The connection is CLOSED from now on. An opened slot is read (C_ABORT: SND.NXT, SND.UNA,
 * SND.WND), then gets RST and FREE (abort_finish); the slot's other sequences end here. */
void tcp_abort_now(toe_sock *s)
{
    static const unsigned fld[3] = {TOE_FIELD_SND_NXT, TOE_FIELD_SND_UNA, TOE_FIELD_SND_WND};
    s->work &= ~(unsigned)W_RST;
    s->state = TOE_TCPS_CLOSED;
    stop_timers(s);
    s->tw_at = 0;
    if (s->cont & C_ABORT)
        return;
    if (s->slot < 0 || !s->opened) {
        tcp_release_slot(s);
        return;
    }
    toe_csr_cancel_ctx(s->dev, s);
    s->cont = C_ABORT;
    if (slot_read(s, fld, 3, abort_read_done))
        abort_finish(s, NULL);
}

int tcp_abort_wait(toe_sock *s, int timeout_ms)
{
    uint64_t deadline = toe_deadline(s->dev, timeout_ms);
    int r = 0;
    for (int first = 1; (s->cont & C_ABORT) && !r; first = 0) {
        int rem = toe_remaining(s->dev, deadline, 1000);
        if (!first && rem == 0)
            r = TOE_ETIMEDOUT;
        else
            r = toe_dev_turn(s->dev, rem);
    }
    if (s->cont & C_ABORT) { /* given up waiting (or a signal): the host's values */
        toe_csr_cancel_ctx(s->dev, s);
        abort_finish(s, NULL);
    }
    return r;
}

/* Connection given up from here (user timeout, SYN-ACK retries, orphan timeout). */
void tcp_abort_err(toe_sock *s, int err)
{
    if (err && !s->err)
        s->err = err;
    tcp_abort_now(s);
}

/* The slot's fields a continuation asked for came back (or not: result). Sequences that only
 * read and then act run this way, without blocking: the read goes out from the work step and
 * its answer is handled in the engine turn that receives it (never after the socket is freed:
 * tcp_sock_unlink_free forgets them). The slot must still be the socket's. */
static toe_sock *slot_read_back(void *ctx, int result)
{
    toe_sock *s = ctx;
    return !result && tcp_slot_open(s) ? s : NULL;
}

static int slot_read(toe_sock *s, const unsigned *fld, size_t n, toe_csr_group_done cb)
{
    uint16_t a[TOE_CSR_GROUP_MAX];
    for (size_t i = 0; i < n; i++)
        a[i] = tcp_slot_addr(s, fld[i]);
    return toe_csr_read_async_many(s->dev, a, n, cb, s);
}

static void rst_check_done(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    (void)dev;
    toe_sock *s = slot_read_back(ctx, result);
    if (!s)
        return;
    if (s->rst_seq == v[0])
        tcp_rst_accepted(s, SEQ_GT(v[1], s->snd_una) ? v[1] : s->snd_una);
    else
        tcp_challenge_ack(s);
}

/* W_RSTCHK: an in-window RST is taken only at RCV.NXT (RFC 5961 3.2). */
static void rst_check(toe_sock *s)
{
    static const unsigned fld[2] = {TOE_FIELD_RCV_NXT, TOE_FIELD_SND_UNA};
    s->work &= ~(unsigned)W_RSTCHK;
    if (tcp_slot_open(s))
        slot_read(s, fld, 2, rst_check_done);
}

static void resync_done(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    toe_sock *s = slot_read_back(ctx, result);
    if (!s)
        return;
    dev->hs[TOE_HSTAT_TCP_RESYNCS]++;
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
    tcp_slot_state(s, ev, v[1], v[2], v[3], TOE_CONST_RTT_NONE);
    if (s->traffic)
        return; /* the device's traffic unit moves the stream: toe_tcp_traffic OFF syncs */
    if (SEQ_LT(v[4], s->tx_end) && SEQ_GEQ(v[4], s->snd_una)) {
        s->dev->hs[TOE_HSTAT_TCP_TX_RESYNC]++;
        tcp_tx_resend_from(s, v[4]);
    }
    if (SEQ_GT(v[5], s->rx_expect)) {
        s->rx_resend_pending = 0;
        tcp_ask_resend(s);
    }
    if (SEQ_LT(v[6], s->rx_cons_sent))
        tcp_send_consumed(s);
}

/* W_RESYNC: re-read the slot after link errors or lost events, and repair what was lost. */
static void resync(toe_sock *s)
{
    static const unsigned fld[7] = {TOE_FIELD_FLAGS, TOE_FIELD_SND_UNA, TOE_FIELD_SND_WND,
                                    TOE_FIELD_RCV_NXT, TOE_FIELD_TX_END, TOE_FIELD_RX_SENT,
                                    TOE_FIELD_RX_CONSUMED};
    s->work &= ~(unsigned)W_RESYNC;
    if (tcp_slot_open(s))
        slot_read(s, fld, 7, resync_done);
}

static void urgent_done(toe_dev *dev, void *ctx, int result, const uint32_t *v)
{
    (void)dev;
    toe_sock *s = slot_read_back(ctx, result);
    if (s && SEQ_GT(v[0], s->rcv_up))
        s->rcv_up = v[0];
}

/* W_URGENT: the peer's urgent pointer advanced; the mark only moves forward. */
static void urgent_read(toe_sock *s)
{
    static const unsigned fld[1] = {TOE_FIELD_RCV_UP};
    s->work &= ~(unsigned)W_URGENT;
    if (tcp_slot_open(s))
        slot_read(s, fld, 1, urgent_done);
}

void tcp_send_syn(toe_sock *s)
{
    struct toe_tcp *t = s->tcp;
    s->syn_tries = 1;
    s->syn_sent_at = t->now;
    s->syn_at = t->now + TOE_TCP_SYN_RTO_US;
    tcp_send_seg(s, s->iss, 0, TH_SYN, tcp_syn_window(t), 2, NULL, 0);
}

/* W_ARP: a non-blocking connect waits for the next hop here. */
static void arp_wait(toe_sock *s)
{
    if (s->state != TOE_TCPS_SYN_SENT) {
        s->work &= ~(unsigned)W_ARP;
        return;
    }
    int r = toe_arp_poll(s->dev, s->rip, s->mac, s->arp_fails);
    if (r == TOE_EAGAIN)
        return;
    s->work &= ~(unsigned)W_ARP;
    if (r) {
        tcp_set_error(s, r);
        tcp_release_slot(s);
        return;
    }
    tcp_send_syn(s);
}

/* W_SLOT: a listener's child takes a free slot and is programmed; else it waits (its SYN
 * unanswered) until one is freed or the wait ends (tcp_slot_wait_over). */
static void take_slot(toe_sock *s)
{
    if (s->state != TOE_TCPS_SYN_RCVD || s->slot >= 0) {
        s->work &= ~(unsigned)W_SLOT;
        return;
    }
    if (tcp_alloc_slot(s->tcp, s))
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
        tcp_abort_now(s);
    if (s->work & W_RSTCHK)
        rst_check(s);
    if ((s->work & W_CLOSE) && tcp_slot_open(s))
        tcp_close_cmd(s);
    if (s->work & W_RESYNC)
        resync(s);
    if (s->work & W_URGENT)
        urgent_read(s);
    if ((s->work & W_FREE) && !(s->cont & C_ABORT) &&
        (s->state == TOE_TCPS_CLOSED || !s->fin_rcvd || s->rx_expect == s->fin_seq ||
         s->slot < 0)) {
        /* TIME-WAIT and LAST-ACK keep the slot until every received byte is up here. */
        if (s->state == TOE_TCPS_CLOSED || (s->fin_rcvd && s->rx_expect == s->fin_seq) ||
            s->slot < 0) {
            s->work &= ~(unsigned)W_FREE;
            tcp_release_slot(s);
            tcp_tw_adopt(s);
        }
    }
}

/* The work bits the work step can act on now (a program waits for its slot's FREE, a FREE
 * for the abort under way; ARP and a slot come by themselves). */
static unsigned work_now(const toe_sock *s)
{
    unsigned w = s->work & ~(unsigned)(W_ARP | W_SLOT);
    if ((w & W_PROGRAM) && s->slot >= 0 && s->tcp->slot_freeing[s->slot])
        w &= ~(unsigned)W_PROGRAM;
    if (s->cont & C_ABORT)
        w &= ~(unsigned)W_FREE;
    return w;
}

void toe_tcp_work(toe_dev *dev)
{
    struct toe_tcp *t = tcp_get(dev);
    if (!t || dev->dead)
        return;
    uint64_t mark = toe_dev_link_errors(dev);
    if (mark != t->err_mark) {
        t->err_mark = mark;
        for (toe_sock *s = t->socks; s; s = s->next)
            if (tcp_slot_open(s))
                s->work |= W_RESYNC;
    }
    for (unsigned i = 0; i < t->nslots; i++)
        if (t->slot_freeing[i] == FREEING_AGAIN)
            slot_send_free(t, i);
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
        if (!s->user && s->state == TOE_TCPS_CLOSED && s->slot < 0 && !s->cont)
            tcp_sock_unlink_free(t, s);
    }
    tcp_alarm_update(t);
    toe_dev_flush(dev, 0);
}

int toe_tcp_wait_ms(toe_dev *dev)
{
    struct toe_tcp *t = tcp_get(dev);
    int arp = 0, slot_wait = 0;
    for (toe_sock *s = t->socks; s; s = s->next) {
        if (s->work & W_ARP)
            arp = 1;
        if (s->work & W_SLOT)
            slot_wait = 1;
        if (work_now(s))
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
        return 10; /* the ARP reply wakes the engine; its retries are the net layer's timers */
    for (unsigned i = 0; i < t->nslots; i++)
        if (t->slot_freeing[i] == FREEING_AGAIN)
            return 100;
    if (!t->alarm_armed)
        return -1;
    uint64_t now = toe_now_ms();
    return now >= t->alarm_check_ms ? 0 : (int)(t->alarm_check_ms - now);
}

/* ---- setup and teardown of the layer ------------------------------------------------ */

int tcp_init(toe_dev *dev)
{
    int r = toe_net_cfg(dev, TOE_TCP_CSR_MS);
    if (r)
        return r;
    uint32_t caps;
    r = toe_csr_read(dev, TOE_CSR_CAPS, &caps, TOE_TCP_CSR_MS);
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
    r = toe_csr_write_many(dev, a, v, n, TOE_TCP_CSR_MS);
    if (r)
        return r;
    /* Does the device have the slot fields IP_TTL_TOS, SND_UP and RCV_UP? (A read of an
     * unknown slot field is refused; that is no error for the caller to see.) */
    uint32_t probe;
    char err[sizeof(dev->err)];
    memcpy(err, dev->err, sizeof(err));
    int ext = !toe_csr_read(dev, (uint16_t)(TOE_CSR_SLOT_BASE + TOE_FIELD_IP_TTL_TOS), &probe,
                            TOE_TCP_CSR_MS);
    memcpy(dev->err, err, sizeof(err));
    uint64_t now = 0;
    r = toe_time(dev, &now, TOE_TCP_CSR_MS);
    if (r)
        return r;
    struct toe_tcp *t = calloc(1, sizeof(*t));
    if (!t)
        return TOE_ENOMEM;
    t->dev = dev;
    t->slot_ext = ext;
    t->caps = caps;
    t->nslots = n;
    t->ring = 1u << lg;
    t->rxbuf = t->ring * TOE_TCP_RXBUF_RINGS;
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
    r = toe_dev_add_layer(dev, &tcp_layer, t);
    if (r)
        free(t);
    return r;
}

void toe_tcp_free(toe_dev *dev)
{
    struct toe_tcp *t = dev ? tcp_get(dev) : NULL;
    if (!t)
        return;
    while (t->socks) {
        toe_sock *s = t->socks;
        if (s->slot >= 0 && s->opened && !dev->dead) {
            tcp_send_seg(s, s->tx_end, tcp_rcv_nxt(s), TH_RST | TH_ACK, 0, 0, NULL, 0);
            tcp_csr_write_async(dev, TOE_CSR_SLOT_CMD, TOE_CMD_FREE << 8 | (unsigned)s->slot, -1);
        }
        tcp_sock_unlink_free(t, s);
    }
    for (unsigned i = 0; i < t->nslots; i++)
        toe_csr_cancel(dev, free_done, tcp_slot_key((int)i));
    toe_csr_cancel_ctx(dev, t); /* the alarm's arming */
    tcp_tw_free(t);
    free(t);
}

static const struct toe_layer tcp_layer = {
    .name = "tcp",
    .event = toe_tcp_event,
    .rx_data = toe_tcp_rx_data,
    .ip_input = toe_tcp_input,
    .icmp_error = toe_tcp_icmp,
    .time = tcp_time_probed,
    .next_timeout = toe_tcp_wait_ms,
    .work = toe_tcp_work,
    .free = toe_tcp_free,
};

