/* SPDX-License-Identifier: MIT */
/* toe_conform: runs conformance scripts (tests/conformance/README.md) against the real RTL and
 * libtoe in one thread, in simulated time.
 *
 *   Verilated toe_core (vboard) <-- GMII --> the script's remote peer (this file)
 *            ^ host link bytes
 *            v
 *   libtoe, through a transport whose read runs the model
 *
 * Nothing here looks at the wall clock while a script runs: libtoe's own waits use the model's
 * clock (toe_set_clock), and libtoe's random keys come from a seed per script (getrandom is
 * wrapped at link time), so a run repeats exactly. When the board is idle (no frame, no link
 * byte, no ACK owed, see vboard_skip_idle) time jumps to the next thing due, so scripts can
 * wait minutes of device time. Each script gets a fresh model and a fresh libtoe handle. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "conform.h"
#include "toe_internal.h"
#include "vboard.h"
#include "wire.h"

#define PS_PER_US 1000000ull
#define PS_PER_S 1000000000000ull
#define CORE_PS (PS_PER_S / VBOARD_CORE_HZ)
#define CHUNK_CYCLES 64u               /* the host sees link bytes within ~1 us; chunks end on
                                        * multiples of it, skipped time or not */
#define SETTLE_PS (100u * PS_PER_US)   /* quiet time before the board may be fast-forwarded */
#define MIN_SKIP_PS (200u * PS_PER_US)
#define MAX_SOCKS 16
#define MAX_CONNS 32
#define MAX_ISNS 32
#define LIMIT_PS (4 * 3600 * PS_PER_S) /* device time a script may take: a call that never
                                        * returns fails instead of running for ever */

static const uint8_t DEV_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t PEER_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
#define DEV_IP 0x0a000002u  /* 10.0.0.2/24 */
#define PEER_IP 0x0a000001u /* 10.0.0.1, also the gateway */
#define NETMASK 0xffffff00u

struct named_sock {
    char name[CF_NAME_MAX];
    toe_sock *s;
};

/* One TCP connection as the peer sees it. */
struct conn {
    uint32_t peer_ip;
    uint16_t peer_port, dev_port;
    int iss_known;
    uint32_t iss;
    uint32_t last_seq; /* SEG.SEQ of the device's last segment (absolute) */
};

struct isn_rec {
    uint64_t t_ps;
    uint32_t iss;
};

struct h {
    struct cf_script *sc;
    size_t next;          /* the event being worked on */
    uint64_t prev_ps;     /* relative times count from here */
    struct vboard *vb;
    toe_dev *dev;
    struct cf_net net;
    int verbose;
    int no_skip;          /* -S: simulate every cycle (to check that skipping changes nothing) */
    int explore;          /* -x: segments no line expects are traced, not failures */
    int failed;
    char msg[2048];
    int in_call;
    int outer_read;       /* the main loop's toe_poll: its (first) read stops for a call */
    uint64_t last_act_ps; /* last time the board was not idle (vboard_idle) */
    uint64_t link_seen;   /* link byte counters at the last look */
    struct named_sock socks[MAX_SOCKS];
    size_t nsocks;
    struct conn conns[MAX_CONNS];
    size_t nconns;
    int cur;              /* the connection lines without '@' refer to; -1 none */
    const struct cf_event *call_ev; /* the call in progress */
    uint16_t listen_port;
    struct isn_rec isns[MAX_ISNS];
    size_t nisns;
    uint8_t burst[VBOARD_MAX_BURST], frame[VBOARD_MAX_BURST];
};

/* ---- determinism: libtoe's keys and clock ------------------------------------------- */

static uint64_t rng_state;

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags)
{
    (void)flags;
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        /* splitmix64 */
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        p[i] = (uint8_t)(z ^ (z >> 31));
    }
    return (ssize_t)len;
}

static uint64_t now_ps(const struct h *h) { return vboard_time_ps(h->vb); }

static uint64_t sim_clock_us(void *priv) { return now_ps(priv) / PS_PER_US; }

/* ---- messages ----------------------------------------------------------------------- */

static void fmt_time(uint64_t ps, char *buf, size_t cap)
{
    snprintf(buf, cap, "%" PRIu64 ".%06" PRIu64, (uint64_t)(ps / PS_PER_S),
             (uint64_t)(ps % PS_PER_S / PS_PER_US));
}

static struct cf_event *cur_ev(struct h *h)
{
    return h->next < h->sc->nev ? &h->sc->ev[h->next] : NULL;
}

static void vfailf(struct h *h, const struct cf_event *e, const char *fmt, va_list ap)
{
    if (h->failed)
        return;
    h->failed = 1;
    char t[32];
    fmt_time(now_ps(h), t, sizeof t);
    int k = e ? snprintf(h->msg, sizeof h->msg, "%s:%d: at %s: %s\n  ", h->sc->path, e->line, t,
                         e->text)
              : snprintf(h->msg, sizeof h->msg, "%s: at %s (after the last line): ", h->sc->path,
                         t);
    if (k >= 0 && (size_t)k < sizeof h->msg)
        vsnprintf(h->msg + k, sizeof h->msg - (size_t)k, fmt, ap);
}

/* The script fails at the event being worked on (or at e). */
static void failf(struct h *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(struct h *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfailf(h, cur_ev(h), fmt, ap);
    va_end(ap);
}

static void failf_at(struct h *h, const struct cf_event *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void failf_at(struct h *h, const struct cf_event *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfailf(h, e, fmt, ap);
    va_end(ap);
}

static void trace(struct h *h, uint64_t ps, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void trace(struct h *h, uint64_t ps, const char *fmt, ...)
{
    if (!h->verbose)
        return;
    char t[32];
    fmt_time(ps, t, sizeof t);
    printf("  %11s ", t);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- connections -------------------------------------------------------------------- */

static struct conn *conn_find(struct h *h, uint32_t peer_ip, uint16_t peer_port, uint16_t dev_port)
{
    for (size_t i = h->nconns; i-- > 0;) {
        struct conn *c = &h->conns[i];
        if (c->peer_ip == peer_ip && c->peer_port == peer_port &&
            (!dev_port || !c->dev_port || c->dev_port == dev_port))
            return c;
    }
    return NULL;
}

static struct conn *conn_new(struct h *h, uint32_t peer_ip, uint16_t peer_port, uint16_t dev_port)
{
    if (h->nconns == MAX_CONNS) {
        failf(h, "more than %d connections in one script", MAX_CONNS);
        return NULL;
    }
    struct conn *c = &h->conns[h->nconns];
    memset(c, 0, sizeof *c);
    c->peer_ip = peer_ip;
    c->peer_port = peer_port;
    c->dev_port = dev_port;
    h->cur = (int)h->nconns++;
    return c;
}

/* The connection a '<' or ICMP line is about. */
static struct conn *conn_for_line(struct h *h, int port_given, uint16_t peer_port,
                                  uint16_t dev_port, uint32_t peer_ip)
{
    if (port_given) {
        struct conn *c = conn_find(h, peer_ip, peer_port, dev_port);
        if (c) {
            h->cur = (int)(c - h->conns);
            if (dev_port)
                c->dev_port = dev_port;
            return c;
        }
        return conn_new(h, peer_ip, peer_port, dev_port ? dev_port : h->listen_port);
    }
    if (h->cur >= 0)
        return &h->conns[h->cur];
    return conn_new(h, peer_ip, 50000, h->listen_port);
}

/* ---- the peer's side of the wire ------------------------------------------------------ */

static void gmii_send(struct h *h, const uint8_t *frame, size_t len)
{
    size_t n = wire_frame_to_burst(frame, len, h->burst, sizeof h->burst);
    if (!n || vboard_gmii_rx(h->vb, h->burst, n, -1))
        failf(h, "could not queue a frame of %zu bytes on GMII RX", len);
    h->last_act_ps = now_ps(h);
}

static void fmt_seg_line(char *buf, size_t cap, char dir, const char *ports, uint8_t flags,
                         uint32_t seq, uint32_t len, int has_ack, uint32_t ack, uint32_t win,
                         const uint8_t *opt, size_t optlen, const char *extra)
{
    char fl[12], o[160];
    cf_fmt_flags(flags, fl);
    cf_fmt_opts(opt, optlen, o, sizeof o);
    int k = snprintf(buf, cap, "%c %s%s %" PRIu32 ":%" PRIu32 "(%" PRIu32 ")", dir, ports, fl, seq,
                     seq + len, len);
    if (has_ack && k >= 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " ack %" PRIu32, ack);
    if (k >= 0 && (size_t)k < cap)
        snprintf(buf + k, cap - (size_t)k, " win %" PRIu32 "%s%s%s", win, *o ? " " : "", o, extra);
}

static void ports_text(const struct h *h, const struct conn *c, char *buf, size_t cap)
{
    if (h->nconns > 1)
        snprintf(buf, cap, "@%u:%u ", c->peer_port, c->dev_port);
    else
        buf[0] = 0;
}

static void do_inject(struct h *h, const struct cf_event *e)
{
    const struct cf_seg *g = &e->u.seg;
    struct conn *c = conn_for_line(h, g->port_given, g->peer_port, g->dev_port,
                                   g->src_given ? g->src : PEER_IP);
    if (!c)
        return;
    if (!c->dev_port) {
        failf(h, "no device port known for this connection: give '@PEER:DEV'");
        return;
    }
    uint32_t ack = g->ack + (c->iss_known ? c->iss : 0);
    struct cf_seg from = *g; /* a line without 'src' comes from its connection's peer */
    from.src_given = 1;
    from.src = g->src_given ? g->src : c->peer_ip;
    size_t n = cf_build_tcp(&h->net, &from, c->peer_port, c->dev_port, g->seq, ack, h->frame,
                            sizeof h->frame);
    if (!n) {
        failf(h, "segment too large to build");
        return;
    }
    gmii_send(h, h->frame, n);
    if (h->verbose) {
        char line[512], p[24];
        ports_text(h, c, p, sizeof p);
        fmt_seg_line(line, sizeof line, '<', p, g->flags, g->seq, g->len, (g->flags & CF_ACK) != 0,
                     g->ack, g->win_given ? g->win : 65535, g->opt, g->optlen, "");
        trace(h, now_ps(h), "%s", line);
    }
}

static void do_icmp(struct h *h, const struct cf_event *e)
{
    const struct cf_icmp *ic = &e->u.icmp;
    struct conn *c = conn_for_line(h, ic->port_given, ic->peer_port, ic->dev_port, PEER_IP);
    if (!c)
        return;
    uint32_t seq = ic->seq_given ? ic->seq + (c->iss_known ? c->iss : 0) : c->last_seq;
    size_t n = cf_build_icmp(&h->net, ic, c->peer_ip, c->dev_port, c->peer_port, seq, h->frame,
                             sizeof h->frame);
    gmii_send(h, h->frame, n);
    trace(h, now_ps(h), "< icmp type %u code %u mtu %u about seq %" PRIu32, ic->type, ic->code,
          ic->mtu, seq - (c->iss_known ? c->iss : 0));
}

/* ---- the device's side of the wire --------------------------------------------------- */

static int64_t sched_us(const struct h *h, const struct cf_time *t)
{
    return (t->rel ? (int64_t)(h->prev_ps / PS_PER_US) : 0) + t->us;
}

/* The window a '>' line accepts, in ps. */
static void expect_window(const struct h *h, const struct cf_event *e, uint64_t *lo, uint64_t *hi)
{
    int64_t t = sched_us(h, &e->t);
    if (e->has_hi) {
        *lo = (uint64_t)t * PS_PER_US;
        *hi = (uint64_t)sched_us(h, &e->hi) * PS_PER_US;
    } else {
        int64_t l = t - h->sc->tolerance_us;
        *lo = l > 0 ? (uint64_t)l * PS_PER_US : 0;
        *hi = (uint64_t)(t + h->sc->tolerance_us) * PS_PER_US;
    }
}

static void advance(struct h *h, uint64_t at_ps)
{
    h->prev_ps = at_ps;
    h->next++;
}

static void answer_arp(struct h *h, const uint8_t *f, size_t len)
{
    uint32_t tpa = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 | (uint32_t)f[40] << 8 | f[41];
    char t[20];
    snprintf(t, sizeof t, "%u.%u.%u.%u", tpa >> 24, (tpa >> 16) & 255, (tpa >> 8) & 255, tpa & 255);
    if (len < 42 || !h->sc->arp || tpa == DEV_IP) {
        trace(h, now_ps(h), "> arp who-has %s (not answered)", t);
        return;
    }
    size_t n = cf_build_arp_reply(&h->net, PEER_MAC, tpa, h->frame);
    gmii_send(h, h->frame, n);
    trace(h, now_ps(h), "> arp who-has %s; < arp reply", t);
}

/* Compare a device segment with a '>' line; "" if it matches, else what differs. */
static void compare(const struct cf_seg *g, const struct cf_tcp_view *v, uint32_t rel_seq,
                    char *why, size_t cap)
{
    char a[64], b[64];
    why[0] = 0;
    if (v->flags != g->flags) {
        cf_fmt_flags(g->flags, a);
        cf_fmt_flags(v->flags, b);
        snprintf(why, cap, "flags %s, not %s", b, a);
    } else if (!g->seq_any && rel_seq != g->seq) {
        snprintf(why, cap, "seq %" PRIu32 ", not %" PRIu32, rel_seq, g->seq);
    } else if (!g->len_any && v->len != g->len) {
        snprintf(why, cap, "%zu bytes of data, not %" PRIu32, v->len, g->len);
    } else if ((g->flags & CF_ACK) && !g->ack_any && v->ack != g->ack) {
        snprintf(why, cap, "ack %" PRIu32 ", not %" PRIu32, v->ack, g->ack);
    } else if (g->win_given && !g->win_any && v->win != g->win) {
        snprintf(why, cap, "win %u, not %" PRIu32, v->win, g->win);
    } else if (!g->opts_any) {
        uint8_t want[CF_OPT_MAX + 4] = {0};
        size_t wl = (g->optlen + 3) & ~(size_t)3;
        memcpy(want, g->opt, g->optlen);
        if (v->optlen != wl || memcmp(v->opt, want, wl)) {
            cf_fmt_opts(v->opt, v->optlen, a, sizeof a);
            cf_fmt_opts(want, wl, b, sizeof b);
            snprintf(why, cap, "options %s, not %s", *a ? a : "none", *b ? b : "none");
        }
    }
    if (why[0])
        return;
    if (g->urg_given && v->urg != g->urg)
        snprintf(why, cap, "urgent pointer %u, not %u", v->urg, g->urg);
    else if (g->ttl_given && v->ttl != g->ttl)
        snprintf(why, cap, "TTL %u, not %u", v->ttl, g->ttl);
    else if (g->tos_given && v->tos != g->tos)
        snprintf(why, cap, "TOS/DS %u, not %u", v->tos, g->tos);
    else if (g->df_given && v->df != g->df)
        snprintf(why, cap, "DF %u, not %u", v->df, g->df);
}

static void on_tcp_frame(struct h *h, const uint8_t *f, size_t len, uint64_t t)
{
    struct cf_tcp_view v;
    char why[256], line[512], ts[32];
    fmt_time(t, ts, sizeof ts);
    if (cf_parse_tcp(f, len, &v, why, sizeof why)) {
        failf(h, "the device sent a broken frame at %s: %s", ts, why);
        return;
    }
    if (v.ihl_words != 5) {
        failf(h, "the device sent a segment with IP options at %s", ts);
        return;
    }
    if (memcmp(f, PEER_MAC, 6) || v.src != DEV_IP) {
        failf(h, "the device sent a segment at %s from %08x to MAC %02x:..:%02x, not from its "
              "address to the peer's MAC", ts, v.src, f[0], f[5]);
        return;
    }
    struct conn *c = conn_find(h, v.dst, v.dport, v.sport);
    if (!c)
        c = conn_new(h, v.dst, v.dport, v.sport);
    if (!c)
        return;
    c->dev_port = v.sport;
    if ((v.flags & CF_SYN) && !c->iss_known) {
        c->iss_known = 1;
        c->iss = v.seq;
        if (h->nisns < MAX_ISNS)
            h->isns[h->nisns++] = (struct isn_rec){t, v.seq};
    }
    c->last_seq = v.seq;
    uint32_t rel = v.seq - (c->iss_known ? c->iss : 0);
    char extra[96] = "", p[24];
    if (v.urg || (v.flags & CF_URG))
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " urg %u", v.urg);
    if (v.ttl != 64 || v.tos)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " ttl %u tos %u", v.ttl,
                 v.tos);
    ports_text(h, c, p, sizeof p);
    fmt_seg_line(line, sizeof line, '>', p, v.flags, rel, (uint32_t)v.len, (v.flags & CF_ACK) != 0,
                 v.ack, v.win, v.opt, v.optlen, extra);
    trace(h, t, "%s", line);
    const struct cf_event *e = cur_ev(h);
    uint64_t lo, hi;
    for (;;) {
        if (!e || e->kind != CF_EXPECT) {
            if (h->explore)
                return; /* -x: traced above, not a failure */
            char during[64] = "";
            if (h->in_call)
                snprintf(during, sizeof during, " (during the call on line %d)", h->call_ev->line);
            failf(h, "unexpected segment from the device at %s%s:\n  got:      %s", ts, during,
                  line);
            return;
        }
        expect_window(h, e, &lo, &hi);
        compare(&e->u.seg, &v, rel, why, sizeof why);
        if (!e->optional || (!why[0] && t >= lo))
            break;
        /* Not this optional segment: the device did not send it; try the next line. */
        advance(h, (uint64_t)sched_us(h, &e->t) * PS_PER_US);
        e = cur_ev(h);
    }
    char l1[32], l2[32];
    fmt_time(lo, l1, sizeof l1);
    fmt_time(hi, l2, sizeof l2);
    if (why[0])
        failf(h, "the device sent something else: %s\n  got:      %s at %s", why, line, ts);
    else if (t < lo || t > hi)
        failf(h, "segment too %s: at %s, expected in [%s, %s]\n  got:      %s",
              t < lo ? "early" : "late", ts, l1, l2, line);
    else
        advance(h, t);
}

static void drain_tx(struct h *h)
{
    size_t len;
    bool er;
    int rc;
    while ((rc = vboard_gmii_tx(h->vb, h->burst, sizeof h->burst, &len, &er)) != -1) {
        uint64_t t = now_ps(h);
        h->last_act_ps = t;
        const uint8_t *f;
        size_t flen;
        enum wire_status st = rc ? WIRE_TX_ER : wire_burst_to_frame(h->burst, len, er, &f, &flen);
        if (st != WIRE_OK) {
            failf(h, "the device sent a bad GMII burst: %s", wire_status_name(st));
            continue;
        }
        if (flen >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 1)
            answer_arp(h, f, flen);
        else if (flen >= 34 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 6)
            on_tcp_frame(h, f, flen, t);
        else
            failf(h, "unexpected frame from the device (ethertype %02x%02x, %zu bytes)", f[12],
                  f[13], flen);
    }
}

/* ---- the driver: runs the model and the script's wire events ---------------------------- */

/* Wire events that are due. Stops at a call (the host's side runs those). */
static void wire_events(struct h *h)
{
    struct cf_event *e;
    while (!h->failed && (e = cur_ev(h)) && e->kind != CF_CALL) {
        uint64_t now = now_ps(h);
        if (e->kind == CF_EXPECT) {
            uint64_t lo, hi;
            expect_window(h, e, &lo, &hi);
            if (now > hi && e->optional) {
                advance(h, (uint64_t)sched_us(h, &e->t) * PS_PER_US);
                continue;
            }
            if (now > hi) {
                char l1[32], l2[32];
                fmt_time(lo, l1, sizeof l1);
                fmt_time(hi, l2, sizeof l2);
                failf(h, "expected segment not sent in [%s, %s]", l1, l2);
            }
            return;
        }
        int64_t t = sched_us(h, &e->t);
        if (now < (uint64_t)(t < 0 ? 0 : t) * PS_PER_US)
            return;
        if (e->kind == CF_INJECT)
            do_inject(h, e);
        else if (e->kind == CF_ICMP)
            do_icmp(h, e);
        else
            trace(h, now, "idle");
        advance(h, now);
    }
}

/* When the driver must look at the script again: the next wire event's time. */
static uint64_t next_due_ps(struct h *h)
{
    const struct cf_event *e = cur_ev(h);
    if (!e)
        return UINT64_MAX;
    if (e->kind == CF_EXPECT) {
        uint64_t lo, hi;
        expect_window(h, e, &lo, &hi);
        return hi + 1;
    }
    if (e->kind == CF_CALL)
        return UINT64_MAX; /* the main loop's business (outer_stop_ps) */
    int64_t t = sched_us(h, &e->t);
    return (uint64_t)(t < 0 ? 0 : t) * PS_PER_US;
}

/* After every step: the board counts as settled once it has been idle for SETTLE_PS. */
static void note_activity(struct h *h)
{
    struct vboard_link_counts lc = vboard_link_stats(h->vb);
    uint64_t seen = lc.to_device + lc.from_device;
    if (seen != h->link_seen || !vboard_idle(h->vb)) {
        h->link_seen = seen;
        h->last_act_ps = now_ps(h);
    }
}

/* Run until device-to-host bytes wait or the deadline; for the main loop's read (outer), also
 * until the next call is due or the script is over. */
static void run(struct h *h, uint64_t deadline_ps, int outer)
{
    for (;;) {
        wire_events(h);
        if (h->failed || vboard_link_readable(h->vb) || vboard_finished(h->vb))
            return;
        const struct cf_event *e = cur_ev(h);
        uint64_t now = now_ps(h), limit = next_due_ps(h);
        if (now >= LIMIT_PS) {
            failf_at(h, h->in_call ? h->call_ev : cur_ev(h),
                     "still running after 4 hours of device time");
            return;
        }
        if (outer && (!e || e->kind == CF_CALL)) {
            uint64_t due = e ? (uint64_t)sched_us(h, &e->t) * PS_PER_US : 0;
            if (now >= due)
                return;
            limit = due;
        }
        if (limit > deadline_ps)
            limit = deadline_ps;
        if (now >= limit) {
            if (now >= deadline_ps)
                return;
            continue;
        }
        if (!h->no_skip && now - h->last_act_ps >= SETTLE_PS && limit - now >= MIN_SKIP_PS) {
            if (vboard_skip_idle(h->vb, limit - now))
                continue;
        }
        uint64_t cycles = (limit - now + CORE_PS - 1) / CORE_PS;
        uint64_t to_grid = CHUNK_CYCLES - vboard_cycles(h->vb) % CHUNK_CYCLES;
        vboard_run(h->vb, cycles < to_grid ? cycles : to_grid);
        note_activity(h);
        drain_tx(h);
    }
}

/* ---- libtoe's transport: the model's link ports ------------------------------------------ */

static int tr_write(void *priv, const uint8_t *buf, size_t len, size_t *written, int timeout_ms)
{
    struct h *h = priv;
    *written = 0;
    uint64_t deadline = now_ps(h) + (uint64_t)(timeout_ms < 0 ? 2000 : timeout_ms) * 1000000000ull;
    for (;;) {
        if (h->failed)
            return TOE_ENODEV;
        *written += vboard_link_write(h->vb, buf + *written, len - *written);
        if (*written == len)
            return 0;
        if (now_ps(h) >= deadline)
            return TOE_ETIMEDOUT;
        /* The buffer is full: let the device take bytes (device-to-host bytes wait). */
        vboard_run(h->vb, CHUNK_CYCLES - vboard_cycles(h->vb) % CHUNK_CYCLES);
        note_activity(h);
        drain_tx(h);
    }
}

static int tr_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct h *h = priv;
    *got = 0;
    if (h->failed)
        return TOE_ENODEV;
    /* Only the first read of the main loop's toe_poll stops for the next call: libtoe may
     * block inside that toe_poll too (CSR round trips of its TCP work), and those reads must
     * run the model whatever the script's next line is. */
    int outer = h->outer_read;
    h->outer_read = 0;
    run(h, now_ps(h) + (uint64_t)(timeout_ms < 0 ? 1000 : timeout_ms) * 1000000000ull, outer);
    if (h->failed)
        return TOE_ENODEV;
    if (vboard_finished(h->vb)) {
        failf(h, "the RTL called $finish");
        return TOE_ENODEV;
    }
    *got = vboard_link_read(h->vb, buf, cap);
    return 0;
}

static void tr_close(void *priv) { (void)priv; }

static const struct toe_transport_ops tr_ops = {"conform", tr_write, tr_read, tr_close, NULL};

static int open_dev(struct h *h)
{
    struct toe_transport t = {&tr_ops, h};
    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts o = {.errbuf = err};
    int in_call = h->in_call;
    h->in_call = 1; /* the handle's CSR reads run the model up to their answers */
    int r = toe_open_transport(&h->dev, &t, "conform", &o);
    h->in_call = in_call;
    if (r)
        failf(h, "toe_open_transport: %s (%s)", toe_strerror(r), err);
    return r;
}

/* ---- calls -------------------------------------------------------------------------- */

enum res_kind { RES_NUM, RES_WORD, RES_DATA };
struct res {
    enum res_kind kind;
    long long num;
    char word[64];
    uint8_t data[8192];
    size_t len;
};

static void res_rc(struct res *r, int rc)
{
    if (!rc) {
        r->kind = RES_NUM;
        r->num = 0;
    } else {
        const char *n = toe_error_name(rc);
        r->kind = RES_WORD;
        snprintf(r->word, sizeof r->word, "%s", strncmp(n, "TOE_", 4) ? n : n + 4);
    }
}

static toe_sock **sock_slot(struct h *h, const char *name, int create)
{
    for (size_t i = 0; i < h->nsocks; i++)
        if (!strcmp(h->socks[i].name, name))
            return &h->socks[i].s;
    if (!create)
        return NULL;
    if (h->nsocks == MAX_SOCKS) {
        failf_at(h, h->call_ev, "more than %d sockets", MAX_SOCKS);
        return NULL;
    }
    struct named_sock *n = &h->socks[h->nsocks++];
    snprintf(n->name, sizeof n->name, "%s", name);
    n->s = NULL;
    return &n->s;
}

static int want_args(struct h *h, const struct cf_call *c, int lo, int hi)
{
    if (c->nargs < lo || c->nargs > hi) {
        failf_at(h, h->call_ev, "%s() takes %d to %d arguments", c->method, lo, hi);
        return -1;
    }
    for (int i = 0; i < c->nargs; i++)
        if (c->args[i].kind == CF_ARG_STR && strncmp(c->method, "send", 4)) {
            failf_at(h, h->call_ev, "%s(): argument %d is a string", c->method, i + 1);
            return -1;
        }
    return 0;
}

static int num_arg(struct h *h, const struct cf_call *c, int i, long long dflt, long long *v)
{
    if (i >= c->nargs) {
        *v = dflt;
        return 0;
    }
    if (c->args[i].kind != CF_ARG_NUM) {
        failf_at(h, h->call_ev, "%s(): argument %d '%s' must be a number", c->method, i + 1,
                 c->args[i].str);
        return -1;
    }
    *v = c->args[i].num;
    return 0;
}

static int timeout_arg(struct h *h, const struct cf_call *c, int i, int *t)
{
    long long v;
    if (num_arg(h, c, i, 0, &v))
        return -1;
    *t = (int)v;
    return 0;
}

/* TTL and TOS: the numbers the pending issue-12 fix gives TOE_TCP_TTL and TOE_TCP_TOS (a
 * libtoe without them answers TOE_EINVAL). */
static const struct { const char *name; int opt; } sockopts[] = {
    {"NODELAY", TOE_TCP_NODELAY},       {"KEEPALIVE", TOE_TCP_KEEPALIVE},
    {"USER_TIMEOUT", TOE_TCP_USER_TIMEOUT}, {"MIN_RTO", TOE_TCP_MIN_RTO},
    {"TIME_WAIT", TOE_TCP_TIME_WAIT},   {"KEEPINTVL", TOE_TCP_KEEPINTVL},
    {"KEEPCNT", TOE_TCP_KEEPCNT},       {"SNDBUF", TOE_TCP_SNDBUF},
    {"TTL", 9},                         {"TOS", 10},
};

/* The urgent-data calls of the pending issue-12 fix, weak so that a libtoe without them still
 * links (and the scripts that use them fail, saying why). */
int toe_tcp_send_urgent(toe_sock *s, const void *buf, size_t len, size_t *sent, int timeout_ms)
    __attribute__((weak));
int toe_tcp_urgent_mark(const toe_sock *s, size_t *until_mark) __attribute__((weak));
#define POLLPRI_BIT 0x2 /* TOE_POLLPRI of the same fix */

static int info_field(const struct toe_tcp_info *in, const char *f, long long *v)
{
    static const struct { const char *name; size_t off; } tab[] = {
#define F(n) {#n, offsetof(struct toe_tcp_info, n)}
        F(snd_una), F(snd_wnd), F(tx_end), F(rcv_nxt), F(tx_queued), F(rx_queued), F(srtt_us),
        F(rttvar_us), F(rto_us), F(rto_count),
#undef F
    };
    if (!strcmp(f, "mss") || !strcmp(f, "slot") || !strcmp(f, "snd_wscale") ||
        !strcmp(f, "rcv_wscale")) {
        *v = f[0] == 'm' ? in->mss : f[0] == 's' && f[1] == 'l' ? in->slot
             : f[0] == 's' ? in->snd_wscale : in->rcv_wscale;
        return 0;
    }
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(tab[i].name, f)) {
            uint32_t u;
            memcpy(&u, (const uint8_t *)in + tab[i].off, sizeof u);
            *v = u;
            return 0;
        }
    return -1;
}

static void revents_word(short ev, char *buf, size_t cap)
{
    static const struct { short bit; const char *name; } tab[] = {
        {TOE_POLLIN, "IN"}, {POLLPRI_BIT, "PRI"}, {TOE_POLLOUT, "OUT"}, {TOE_POLLERR, "ERR"},
        {TOE_POLLHUP, "HUP"}};
    buf[0] = 0;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (ev & tab[i].bit)
            snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? "|" : "", tab[i].name);
    if (!buf[0])
        snprintf(buf, cap, "0");
}

static int parse_events(const char *s, short *ev)
{
    *ev = 0;
    char tmp[CF_TEXT_MAX];
    snprintf(tmp, sizeof tmp, "%s", s);
    for (char *save = NULL, *w = strtok_r(tmp, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
        if (!strcmp(w, "IN")) *ev |= TOE_POLLIN;
        else if (!strcmp(w, "PRI")) *ev |= POLLPRI_BIT;
        else if (!strcmp(w, "OUT")) *ev |= TOE_POLLOUT;
        else return -1;
    }
    return 0;
}

static int ipv4_arg(struct h *h, const struct cf_call *c, int i, uint32_t *ip)
{
    if (i >= c->nargs || cf_parse_ipv4(c->args[i].str, ip)) {
        failf_at(h, h->call_ev, "%s(): argument %d must be an IPv4 address", c->method, i + 1);
        return -1;
    }
    return 0;
}

/* Device-wide calls and checks. Returns 0 if it was one (r filled), 1 if not, -1 failed. */
static int device_call(struct h *h, const struct cf_call *c, struct res *r)
{
    long long v;
    r->kind = RES_NUM;
    if (!strcmp(c->method, "stat")) {
        if (want_args(h, c, 1, 1))
            return -1;
        for (unsigned i = 0; toe_stat_name(i); i++)
            if (!strcasecmp(toe_stat_name(i), c->args[0].str)) { /* TCP_RX_DROP as in the spec */
                r->num = vboard_stat(h->vb, i);
                return 0;
            }
        failf_at(h, h->call_ev, "no device counter '%s'", c->args[0].str);
        return -1;
    }
    if (!strcmp(c->method, "hstat")) {
        uint64_t vals[TOE_HSTAT_COUNT];
        size_t got = 0;
        if (want_args(h, c, 1, 1))
            return -1;
        toe_host_stats(h->dev, vals, TOE_HSTAT_COUNT, &got);
        for (unsigned i = 0; i < got && toe_host_stat_name(i); i++)
            if (!strcasecmp(toe_host_stat_name(i), c->args[0].str)) {
                r->num = (long long)vals[i];
                return 0;
            }
        failf_at(h, h->call_ev, "no host counter '%s'", c->args[0].str);
        return -1;
    }
    if (!strcmp(c->method, "slots")) {
        /* Device slots held by a connection, as the host sees them. */
        struct toe_tcp_info in[64];
        size_t got = 0;
        if (want_args(h, c, 0, 0))
            return -1;
        int rc = toe_tcp_netstat(h->dev, in, 64, &got);
        if (rc) {
            res_rc(r, rc);
            return 0;
        }
        r->num = 0;
        for (size_t i = 0; i < got; i++)
            r->num += in[i].slot >= 0;
        return 0;
    }
    if (!strcmp(c->method, "chack_limit")) {
        if (want_args(h, c, 1, 1) || num_arg(h, c, 0, 0, &v))
            return -1;
        res_rc(r, toe_tcp_set_challenge_ack_limit(h->dev, (int)v));
        return 0;
    }
    if (!strcmp(c->method, "reopen")) {
        /* A new libtoe handle on the same device (new keys): the old sockets are gone. */
        if (want_args(h, c, 0, 0))
            return -1;
        toe_close(h->dev);
        h->dev = NULL;
        h->nsocks = 0;
        res_rc(r, open_dev(h));
        return 0;
    }
    if (!strcmp(c->method, "isn_delta")) {
        /* The device's ISNs i and j (1-based, in the order the SYNs went out): "clock" if
         * ISN_j - ISN_i is the time between their SYNs in 4 us ticks (RFC 6528's M alone),
         * within 1000 ticks, else "keyed" (a keyed function of the 4-tuple changed it). */
        long long i, j;
        if (want_args(h, c, 2, 2) || num_arg(h, c, 0, 0, &i) || num_arg(h, c, 1, 0, &j))
            return -1;
        if (i < 1 || j < 1 || (size_t)i > h->nisns || (size_t)j > h->nisns) {
            failf_at(h, h->call_ev, "isn_delta(%lld, %lld): only %zu ISNs seen", i, j, h->nisns);
            return -1;
        }
        const struct isn_rec *a = &h->isns[i - 1], *b = &h->isns[j - 1];
        uint32_t ticks = (uint32_t)((b->t_ps - a->t_ps) / (4 * PS_PER_US));
        int32_t off = (int32_t)(b->iss - a->iss - ticks);
        r->kind = RES_WORD;
        snprintf(r->word, sizeof r->word, "%s", off > -1000 && off < 1000 ? "clock" : "keyed");
        return 0;
    }
    return 1;
}

static int socket_call(struct h *h, const struct cf_call *c, struct res *r)
{
    const char *m = c->method;
    int creates = !strcmp(m, "socket") || !strcmp(m, "bind") || !strcmp(m, "listen") ||
                  !strcmp(m, "connect");
    toe_sock **sp = sock_slot(h, c->sock, creates);
    if (!sp) {
        if (!h->failed)
            failf_at(h, h->call_ev, "no socket '%s'", c->sock);
        return -1;
    }
    if (!*sp && creates) {
        int rc = toe_tcp_socket(h->dev, sp);
        if (rc || !strcmp(m, "socket")) {
            res_rc(r, rc);
            return 0;
        }
    }
    toe_sock *s = *sp;
    if (!s) {
        failf_at(h, h->call_ev, "socket '%s' is closed", c->sock);
        return -1;
    }
    long long a, b;
    int t;
    if (!strcmp(m, "bind")) {
        if (want_args(h, c, 1, 1) || num_arg(h, c, 0, 0, &a))
            return -1;
        res_rc(r, toe_tcp_bind(s, (uint16_t)a));
    } else if (!strcmp(m, "listen")) {
        if (want_args(h, c, 1, 2) || num_arg(h, c, 0, 0, &a) || num_arg(h, c, 1, 0, &b))
            return -1;
        h->listen_port = (uint16_t)a;
        res_rc(r, toe_tcp_listen(s, (uint16_t)a, (int)b));
    } else if (!strcmp(m, "connect")) {
        uint32_t ip;
        if (want_args(h, c, 2, 3) || ipv4_arg(h, c, 0, &ip) || num_arg(h, c, 1, 0, &a) ||
            timeout_arg(h, c, 2, &t))
            return -1;
        struct toe_tcp_info in;
        toe_tcp_sockinfo(s, &in);
        if (in.state == TOE_TCPS_CLOSED && !conn_new(h, ip, (uint16_t)a, 0))
            return -1; /* a new connection (not a look at one in progress) */
        res_rc(r, toe_tcp_connect(s, ip, (uint16_t)a, t));
    } else if (!strcmp(m, "accept")) {
        toe_sock *n = NULL;
        if (want_args(h, c, 1, 2) || c->args[0].kind != CF_ARG_WORD || timeout_arg(h, c, 1, &t))
            return -1;
        int rc = toe_tcp_accept(s, &n, NULL, NULL, t);
        if (!rc) {
            toe_sock **np = sock_slot(h, c->args[0].str, 1);
            if (!np)
                return -1;
            *np = n;
        }
        res_rc(r, rc);
    } else if (!strcmp(m, "send") || !strcmp(m, "send_urgent")) {
        static uint8_t buf[65536];
        int urgent = m[4] == '_';
        if (urgent && !toe_tcp_send_urgent) {
            failf_at(h, h->call_ev, "libtoe has no toe_tcp_send_urgent");
            return -1;
        }
        size_t len, sent = 0;
        if (want_args(h, c, 1, 2) || timeout_arg(h, c, 1, &t))
            return -1;
        if (c->args[0].kind == CF_ARG_STR) {
            len = strlen(c->args[0].str);
            memcpy(buf, c->args[0].str, len);
        } else if (c->args[0].kind == CF_ARG_NUM && c->args[0].num > 0 &&
                   c->args[0].num <= (long long)sizeof buf) {
            len = (size_t)c->args[0].num;
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)('A' + i % 26);
        } else {
            failf_at(h, h->call_ev, "send(): want a byte count (1..%zu) or a \"string\"",
                     sizeof buf);
            return -1;
        }
        int rc = (urgent ? toe_tcp_send_urgent : toe_tcp_send)(s, buf, len, &sent, t);
        res_rc(r, rc);
        if (!rc)
            r->num = (long long)sent;
    } else if (!strcmp(m, "recv")) {
        size_t got = 0;
        if (want_args(h, c, 1, 2) || num_arg(h, c, 0, 0, &a) || timeout_arg(h, c, 1, &t))
            return -1;
        if (a < 1 || a > (long long)sizeof r->data) {
            failf_at(h, h->call_ev, "recv(): want 1..%zu bytes", sizeof r->data);
            return -1;
        }
        int rc = toe_tcp_recv(s, r->data, (size_t)a, &got, t);
        res_rc(r, rc);
        if (!rc && !got) {
            r->kind = RES_WORD;
            snprintf(r->word, sizeof r->word, "EOF");
        } else if (!rc) {
            r->kind = RES_DATA;
            r->len = got;
            r->num = (long long)got;
        }
    } else if (!strcmp(m, "urgent_mark")) {
        size_t until = 0;
        if (want_args(h, c, 0, 0))
            return -1;
        if (!toe_tcp_urgent_mark) {
            failf_at(h, h->call_ev, "libtoe has no toe_tcp_urgent_mark");
            return -1;
        }
        int rc = toe_tcp_urgent_mark(s, &until);
        res_rc(r, rc);
        if (!rc)
            r->num = (long long)until;
    } else if (!strcmp(m, "shutdown")) {
        if (want_args(h, c, 0, 1) || timeout_arg(h, c, 0, &t))
            return -1;
        res_rc(r, toe_tcp_shutdown(s, t));
    } else if (!strcmp(m, "close")) {
        if (want_args(h, c, 0, 1) || timeout_arg(h, c, 0, &t))
            return -1;
        *sp = NULL;
        res_rc(r, toe_tcp_close(s, t));
    } else if (!strcmp(m, "abort")) {
        if (want_args(h, c, 0, 0))
            return -1;
        *sp = NULL;
        toe_tcp_abort(s);
        res_rc(r, 0);
    } else if (!strcmp(m, "setopt")) {
        if (want_args(h, c, 2, 2) || num_arg(h, c, 1, 0, &b))
            return -1;
        int opt = -1;
        for (size_t i = 0; i < sizeof sockopts / sizeof sockopts[0]; i++)
            if (!strcmp(sockopts[i].name, c->args[0].str))
                opt = sockopts[i].opt;
        if (opt < 0) {
            failf_at(h, h->call_ev, "setopt(): libtoe has no option %s", c->args[0].str);
            return -1;
        }
        res_rc(r, toe_tcp_setopt(s, opt, (int)b));
    } else if (!strcmp(m, "poll")) {
        struct toe_tcp_pollfd p = {s, 0, 0};
        if (want_args(h, c, 1, 2) || timeout_arg(h, c, 1, &t) ||
            parse_events(c->args[0].str, &p.events)) {
            if (!h->failed)
                failf_at(h, h->call_ev, "poll(): want IN, PRI, OUT or several joined by |");
            return -1;
        }
        int rc = toe_tcp_poll(&p, 1, t);
        if (rc > 0) {
            r->kind = RES_WORD;
            revents_word(p.revents, r->word, sizeof r->word);
        } else {
            res_rc(r, rc);
        }
    } else if (!strcmp(m, "state") || !strcmp(m, "info")) {
        struct toe_tcp_info in;
        if (want_args(h, c, m[0] == 's' ? 0 : 1, m[0] == 's' ? 0 : 1))
            return -1;
        toe_tcp_sockinfo(s, &in);
        if (m[0] == 's') {
            r->kind = RES_WORD;
            snprintf(r->word, sizeof r->word, "%s", toe_tcp_state_name(in.state));
        } else if (info_field(&in, c->args[0].str, &r->num)) {
            failf_at(h, h->call_ev, "info(): no field '%s'", c->args[0].str);
            return -1;
        } else {
            r->kind = RES_NUM;
        }
    } else {
        failf_at(h, h->call_ev, "no call '%s'", m);
        return -1;
    }
    return 0;
}

static void res_text(const struct res *r, char *buf, size_t cap)
{
    if (r->kind == RES_WORD)
        snprintf(buf, cap, "%s", r->word);
    else
        snprintf(buf, cap, "%lld", r->num);
}

static int res_matches(const struct cf_call *c, const struct res *r)
{
    if (!c->has_expect)
        return r->kind == RES_NUM && r->num == 0;
    const struct cf_arg *x = &c->expect;
    const char *op = c->op;
    if (x->kind == CF_ARG_STR) {
        int eq = r->kind == RES_DATA && r->len == strlen(x->str) &&
                 !memcmp(r->data, x->str, r->len);
        return !strcmp(op, "=") ? eq : !strcmp(op, "!=") ? !eq : 0;
    }
    if (x->kind == CF_ARG_WORD) {
        int eq = r->kind == RES_WORD && !strcmp(r->word, x->str);
        return !strcmp(op, "=") ? eq : !strcmp(op, "!=") ? !eq : 0;
    }
    if (r->kind == RES_WORD)
        return !strcmp(op, "!=");
    long long v = r->num, w = x->num;
    return !strcmp(op, "=") ? v == w : !strcmp(op, "!=") ? v != w : !strcmp(op, ">=") ? v >= w
           : !strcmp(op, "<=") ? v <= w : !strcmp(op, ">") ? v > w : v < w;
}

static void do_call(struct h *h, const struct cf_event *e)
{
    const struct cf_call *c = &e->u.call;
    static struct res r;
    memset(&r, 0, offsetof(struct res, data));
    uint64_t start = now_ps(h);
    /* The lines after a call go on while it blocks (segments can come, and are checked), and
     * their relative times count from its start; a call line waits for the call before it. */
    advance(h, start);
    h->in_call = 1;
    h->call_ev = e;
    int k = c->sock[0] ? 1 : device_call(h, c, &r);
    if (k == 1) {
        if (!c->sock[0]) {
            failf_at(h, e, "no call '%s' without a socket", c->method);
            k = -1;
        } else {
            k = socket_call(h, c, &r);
        }
    }
    h->in_call = 0;
    if (k || h->failed)
        return;
    char got[96], ret[64] = "", t2[32];
    res_text(&r, got, sizeof got);
    if (now_ps(h) != start) {
        fmt_time(now_ps(h), t2, sizeof t2);
        snprintf(ret, sizeof ret, " (returned at %s)", t2);
    }
    /* The call as written, without the time and the expected result. */
    const char *cm = strstr(e->text, "//");
    int textlen = cm ? (int)(cm - e->text) : (int)strlen(e->text);
    while (textlen && e->text[textlen - 1] != ')')
        textlen--;
    const char *t = e->text;
    while (*t && *t != ' ')
        t++; /* past the time */
    while (*t == ' ')
        t++;
    int off = (int)(t - e->text);
    trace(h, start, "%.*s -> %s%s", textlen - off, t, got, ret);
    if (!res_matches(c, &r))
        failf_at(h, e, "the call returned %s%s", got, ret);
}

/* ---- one script --------------------------------------------------------------------- */

static void run_script(struct h *h)
{
    struct vboard_config cfg = {.ip = DEV_IP, .netmask = NETMASK, .gateway = PEER_IP};
    memcpy(cfg.mac, DEV_MAC, 6);
    h->vb = vboard_new(&cfg);
    if (!h->vb) {
        failf(h, "out of memory for the model");
        return;
    }
    vboard_link_set_rate(h->vb, 0, VBOARD_LINK_FULL_DUPLEX);
    memcpy(h->net.dev_mac, DEV_MAC, 6);
    memcpy(h->net.peer_mac, PEER_MAC, 6);
    h->net.dev_ip = DEV_IP;
    h->net.peer_ip = PEER_IP;
    h->cur = -1;
    rng_state = h->sc->seed;
    toe_set_clock(sim_clock_us, h);
    if (!open_dev(h)) {
        /* The script's clock starts once the handle is open. */
        h->prev_ps = 0;
        struct cf_event *e;
        while (!h->failed && (e = cur_ev(h))) {
            if (e->kind == CF_CALL && now_ps(h) >= (uint64_t)sched_us(h, &e->t) * PS_PER_US) {
                do_call(h, e);
                continue;
            }
            h->outer_read = 1;
            int r = toe_poll(h->dev, 1000);
            h->outer_read = 0;
            if (r && !h->failed)
                failf(h, "toe_poll: %s", toe_strerror(r));
        }
    }
    toe_close(h->dev);
    h->dev = NULL;
    toe_set_clock(NULL, NULL);
}

static int fails_as_expected(const struct cf_script *sc, const char *msg)
{
    for (int i = 0; i < sc->nfails_with; i++)
        if (strstr(msg, sc->fails_with[i]))
            return 1;
    return 0;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int verbose = 0, no_skip = 0, explore = 0, argi = 1;
    for (; argi < argc && argv[argi][0] == '-' && argv[argi][1] && !argv[argi][2]; argi++) {
        if (argv[argi][1] == 'v')
            verbose = 1;
        else if (argv[argi][1] == 'S')
            no_skip = 1;
        else if (argv[argi][1] == 'x')
            explore = verbose = 1;
        else
            break;
    }
    if (argi >= argc || argv[argi][0] == '-') {
        fprintf(stderr, "usage: toe_conform [-v] [-S] [-x] SCRIPT.pkt...\n"
                        "Runs conformance scripts against the Verilated RTL and libtoe.\n"
                        "  -v  print each script's trace (device time, segments, calls)\n"
                        "  -S  simulate every cycle, never skip idle time (slow; for checking\n"
                        "      that the fast-forward changes nothing)\n"
                        "  -x  explore: with -v, and segments no line expects are shown, not\n"
                        "      failures (to see what the device does while writing a script;\n"
                        "      the verdicts mean nothing then)\n"
                        "Exit status 0 if every script ends as its '# status:' line says.\n");
        return 2;
    }
    static struct h h;
    int npass = 0, nfail = 0, nxfail = 0, nxpass = 0;
    double wall0 = wall_s(), sim_total = 0;
    for (; argi < argc; argi++) {
        struct cf_script sc;
        char err[512];
        if (cf_parse(argv[argi], &sc, err, sizeof err)) {
            printf("FAIL   %s\n  %s\n", argv[argi], err);
            nfail++;
            continue;
        }
        memset(&h, 0, offsetof(struct h, burst));
        h.sc = &sc;
        h.verbose = verbose;
        h.no_skip = no_skip;
        h.explore = explore;
        const char *name = strrchr(sc.path, '/') ? strrchr(sc.path, '/') + 1 : sc.path;
        if (verbose)
            printf("%s\n", name);
        double w0 = wall_s();
        run_script(&h);
        double sim = vboard_time_ps(h.vb) / 1e12;
        sim_total += sim;
        vboard_free(h.vb);
        int xf = sc.status == CF_FAILS_BEFORE_FIX;
        const char *verdict;
        if (!h.failed) {
            verdict = xf ? "XPASS " : "PASS  ";
            xf ? nxpass++ : npass++;
        } else if (xf && fails_as_expected(&sc, h.msg)) {
            verdict = "XFAIL ";
            nxfail++;
        } else {
            verdict = "FAIL  ";
            nfail++;
        }
        printf("%s %s (device %.3f s, wall %.1f s)%s%s\n", verdict, name, sim, wall_s() - w0,
               xf ? ", fails before the fix: " : "", xf ? sc.status_note : "");
        if (h.failed)
            printf("  %s\n", h.msg);
        for (int i = 0; h.failed && xf && verdict[0] == 'F' && i < sc.nfails_with; i++)
            printf("  (expected to fail with \"%s\")\n", sc.fails_with[i]);
        if (!h.failed && xf)
            printf("  passes now: the fix is in; make it '# status: pass'\n");
        fflush(stdout);
        cf_script_free(&sc);
    }
    printf("conformance: %d passed, %d failed, %d expected failures (fixes pending), %d "
           "unexpected passes; %.1f s of device time in %.1f s\n",
           npass, nfail, nxfail, nxpass, sim_total, wall_s() - wall0);
    return nfail || nxpass ? 1 : 0;
}
