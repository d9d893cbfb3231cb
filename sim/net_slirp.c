/* SPDX-License-Identifier: MIT */
/* net_slirp: user-mode networking through libslirp, run entirely on simulated time.
 *
 * slirp's clock is the simulated clock, its timers are checked against it, and its sockets
 * are polled (with a zero timeout) only when the caller services the peer, never per cycle. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libslirp.h>

struct slirp_timer {
    struct slirp_timer *next;
    SlirpTimerCb cb;     /* legacy timers; NULL for timer_new_opaque ones */
    SlirpTimerId id;
    void *cb_opaque;
    bool armed;
    int64_t expire_ms;
};

struct slirp_peer {
    struct net_peer base;
    Slirp *slirp;
    struct slirp_timer *timers;
    struct pollfd *pollfds;
    size_t pollfd_count, pollfd_cap;
    bool poll_failed;
    uint64_t poll_due_ps; /* slirp's own poll timeout (its TCP timers), from the last poll */
};

static struct slirp_peer *to_slirp_peer(struct net_peer *peer)
{
    return (struct slirp_peer *)peer;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct slirp_peer *sp = opaque;
    sp->base.delivered++;
    sp->base.deliver(sp->base.deliver_ctx, buf, len);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "toe-sim: slirp: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    struct slirp_peer *sp = opaque;
    return (int64_t)(sp->base.now_ps / 1000u);
}

static struct slirp_timer *add_timer(struct slirp_peer *sp)
{
    struct slirp_timer *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "toe-sim: slirp: out of memory for a timer\n");
        abort(); /* slirp has no way to take a failed timer */
    }
    t->next = sp->timers;
    sp->timers = t;
    return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct slirp_timer *t = add_timer(opaque);
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct slirp_timer *t = add_timer(opaque);
    t->id = id;
    t->cb_opaque = cb_opaque;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct slirp_peer *sp = opaque;
    for (struct slirp_timer **p = &sp->timers; *p; p = &(*p)->next) {
        if (*p == timer) {
            *p = (*p)->next;
            free(timer);
            return;
        }
    }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    struct slirp_timer *t = timer;
    t->armed = true;
    t->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque; /* the next scheduled service picks the work up */
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static int cb_add_poll(int fd, int events, void *opaque)
{
    struct slirp_peer *sp = opaque;
    if (sp->pollfd_count == sp->pollfd_cap) {
        size_t cap = sp->pollfd_cap ? 2 * sp->pollfd_cap : 16;
        struct pollfd *grown = realloc(sp->pollfds, cap * sizeof *grown);
        if (!grown) {
            sp->poll_failed = true;
            return -1;
        }
        sp->pollfds = grown;
        sp->pollfd_cap = cap;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    sp->pollfds[sp->pollfd_count] = (struct pollfd){ .fd = fd, .events = ev };
    return (int)sp->pollfd_count++;
}

static int cb_get_revents(int idx, void *opaque)
{
    struct slirp_peer *sp = opaque;
    if (idx < 0 || (size_t)idx >= sp->pollfd_count)
        return 0;
    short rev = sp->pollfds[idx].revents;
    int out = 0;
    if (rev & POLLIN)
        out |= SLIRP_POLL_IN;
    if (rev & POLLOUT)
        out |= SLIRP_POLL_OUT;
    if (rev & POLLPRI)
        out |= SLIRP_POLL_PRI;
    if (rev & POLLERR)
        out |= SLIRP_POLL_ERR;
    if (rev & POLLHUP)
        out |= SLIRP_POLL_HUP;
    return out;
}

static void fire_due_timers(struct slirp_peer *sp)
{
    int64_t now_ms = (int64_t)(sp->base.now_ps / 1000000000u);
    /* A callback may re-arm or free timers, so restart the scan after each one fires. */
    bool fired = true;
    while (fired) {
        fired = false;
        for (struct slirp_timer *t = sp->timers; t; t = t->next) {
            if (t->armed && t->expire_ms <= now_ms) {
                t->armed = false;
                if (t->cb)
                    t->cb(t->cb_opaque);
                else
                    slirp_handle_timer(sp->slirp, t->id, t->cb_opaque);
                fired = true;
                break;
            }
        }
    }
}

static int slirp_peer_send(struct net_peer *peer, const uint8_t *frame, size_t len)
{
    struct slirp_peer *sp = to_slirp_peer(peer);
    if (len > INT_MAX) {
        peer->send_errors++;
        return -1;
    }
    peer->sent++;
    slirp_input(sp->slirp, frame, (int)len);
    return 0;
}

static void slirp_peer_poll(struct net_peer *peer, uint64_t now_ps)
{
    struct slirp_peer *sp = to_slirp_peer(peer);
    peer->now_ps = now_ps;
    uint32_t timeout_ms = UINT32_MAX;
    sp->pollfd_count = 0;
    sp->poll_failed = false;
    slirp_pollfds_fill(sp->slirp, &timeout_ms, cb_add_poll, sp);
    int rc = 0;
    if (sp->pollfd_count > 0 && !sp->poll_failed) {
        rc = poll(sp->pollfds, sp->pollfd_count, 0);
        if (rc < 0 && errno == EINTR) {
            for (size_t i = 0; i < sp->pollfd_count; i++)
                sp->pollfds[i].revents = 0;
            rc = 0;
        }
    }
    slirp_pollfds_poll(sp->slirp, rc < 0 || sp->poll_failed, cb_get_revents, sp);
    fire_due_timers(sp);
    sp->poll_due_ps = timeout_ms == UINT32_MAX ? UINT64_MAX
                                               : now_ps + (uint64_t)timeout_ms * 1000000000u;
}

static uint64_t slirp_peer_next_due_ps(const struct net_peer *peer)
{
    const struct slirp_peer *sp = (const struct slirp_peer *)peer;
    uint64_t due = sp->poll_due_ps;
    for (const struct slirp_timer *t = sp->timers; t; t = t->next) {
        uint64_t at = t->expire_ms <= 0 ? 0 : (uint64_t)t->expire_ms * 1000000000u;
        if (t->armed && at < due)
            due = at;
    }
    return due;
}

static void slirp_peer_free(struct net_peer *peer)
{
    struct slirp_peer *sp = to_slirp_peer(peer);
    if (sp->slirp)
        slirp_cleanup(sp->slirp);
    while (sp->timers) {
        struct slirp_timer *next = sp->timers->next;
        free(sp->timers);
        sp->timers = next;
    }
    free(sp->pollfds);
    free(sp);
}

static const struct net_peer_ops slirp_ops = {
    .name = "slirp",
    .send = slirp_peer_send,
    .poll = slirp_peer_poll,
    .next_due_ps = slirp_peer_next_due_ps,
    .free = slirp_peer_free,
    .wall_timers = false, /* they read the simulated clock */
};

static struct in_addr in_addr_of(uint32_t host_order)
{
    return (struct in_addr){ .s_addr = htonl(host_order) };
}

struct net_peer *net_slirp_new(const struct net_slirp_config *cfg, net_deliver_fn deliver,
                               void *ctx, char *err, size_t err_len)
{
    uint32_t network = cfg->device_ip & cfg->netmask;
    if ((cfg->gateway & cfg->netmask) != network || cfg->gateway == cfg->device_ip) {
        snprintf(err, err_len, "slirp: the gateway (slirp's host) must be another address in "
                               "the device's subnet");
        return NULL;
    }
    struct slirp_peer *sp = calloc(1, sizeof *sp);
    if (!sp) {
        snprintf(err, err_len, "slirp: out of memory");
        return NULL;
    }
    sp->base.ops = &slirp_ops;
    sp->base.deliver = deliver;
    sp->base.deliver_ctx = ctx;

    /* DNS at .3 as in QEMU, unless that address is taken by the device or the host. */
    uint32_t nameserver = network | 3u;
    bool dns_clash = nameserver == cfg->device_ip || nameserver == cfg->gateway;
    SlirpConfig sc = {
        .version = 4,
        .in_enabled = true,
        .vnetwork = in_addr_of(network),
        .vnetmask = in_addr_of(cfg->netmask),
        .vhost = in_addr_of(cfg->gateway),
        .in6_enabled = false, /* keeps slirp's IPv6 router advertisements off the wire */
        .vhostname = "toe-sim",
        .vdhcp_start = in_addr_of(cfg->device_ip),
        .vnameserver = in_addr_of(dns_clash ? 0 : nameserver),
        .disable_dns = dns_clash,
    };
    sp->slirp = slirp_new(&sc, &slirp_callbacks, sp);
    if (!sp->slirp) {
        snprintf(err, err_len, "slirp: slirp_new failed");
        free(sp);
        return NULL;
    }
    for (size_t i = 0; i < cfg->hostfwd_count; i++) {
        const struct net_hostfwd *fwd = &cfg->hostfwd[i];
        uint32_t guest = fwd->guest_addr ? fwd->guest_addr : cfg->device_ip;
        if (slirp_add_hostfwd(sp->slirp, fwd->is_udp, in_addr_of(fwd->host_addr),
                              fwd->host_port, in_addr_of(guest), fwd->guest_port) < 0) {
            snprintf(err, err_len, "slirp: cannot forward host %s port %u (in use?)",
                     fwd->is_udp ? "udp" : "tcp", (unsigned)fwd->host_port);
            slirp_peer_free(&sp->base);
            return NULL;
        }
    }
    return &sp->base;
}

static int parse_port(const char *text, size_t len, uint16_t *port)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(text[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static int parse_addr(const char *text, size_t len, uint32_t *addr)
{
    char buf[INET_ADDRSTRLEN];
    struct in_addr a;
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, &a) != 1)
        return -1;
    *addr = ntohl(a.s_addr);
    return 0;
}

int net_parse_hostfwd(const char *text, struct net_hostfwd *out, char *err, size_t err_len)
{
    /* PROTO:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT */
    memset(out, 0, sizeof *out);
    const char *p = text;
    if (strncmp(p, "tcp:", 4) == 0) {
        p += 4;
    } else if (strncmp(p, "udp:", 4) == 0) {
        out->is_udp = 1;
        p += 4;
    } else {
        snprintf(err, err_len, "want tcp: or udp: first");
        return -1;
    }
    const char *colon = strchr(p, ':');
    const char *dash = colon ? strchr(colon, '-') : NULL;
    const char *gcolon = dash ? strchr(dash, ':') : NULL;
    if (!colon || !dash || !gcolon) {
        snprintf(err, err_len, "want PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, "
                                "e.g. tcp::5555-:80");
        return -1;
    }
    out->host_addr = 0x7f000001u; /* loopback unless asked otherwise */
    if (colon > p && parse_addr(p, (size_t)(colon - p), &out->host_addr) < 0) {
        snprintf(err, err_len, "bad host address");
        return -1;
    }
    if (parse_port(colon + 1, (size_t)(dash - colon - 1), &out->host_port) < 0) {
        snprintf(err, err_len, "bad host port");
        return -1;
    }
    if (gcolon > dash + 1 && parse_addr(dash + 1, (size_t)(gcolon - dash - 1),
                                        &out->guest_addr) < 0) {
        snprintf(err, err_len, "bad guest address");
        return -1;
    }
    if (parse_port(gcolon + 1, strlen(gcolon + 1), &out->guest_port) < 0) {
        snprintf(err, err_len, "bad guest port");
        return -1;
    }
    return 0;
}
