/* SPDX-License-Identifier: MIT */
/* toed: the toe daemon. It owns one device, runs its engine and every timer in one ppoll
 * loop (no busy polling: it sleeps until the device's fd, a client or the engine's next
 * deadline needs it), and serves local clients over a Unix stream socket with the line
 * protocol of docs/DAEMON.md. For each TCP connection it makes a loopback TCP pair, keeps one
 * end and passes the other to the client (SCM_RIGHTS); a peer's reset is passed on as an RST
 * (the client's read says ECONNRESET); bytes move between its end and the
 * connection with backpressure both ways: it reads from the client only while the
 * connection's send buffer has room, and takes data from the engine only once the client
 * socket took the last piece, so unread data stays in the device and the peer's window
 * closes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "toe.h"
#include "toe_http.h"
#include "toed.h"

#define LINE_MAX_LEN 512
#define CTL_OUT_MAX (256 * 1024) /* a client that never reads its replies is dropped */
#define CONN_BUF (16 * 1024)
#define CSR_MS 2000
#define NETSTAT_MAX 64

enum { PEND_NONE, PEND_CONNECT, PEND_ACCEPT };

struct ctl {
    struct ctl *next;
    int fd;
    int hello;             /* HELLO done */
    int dead;              /* 1: close at the end of this loop pass; 2: once the replies
                            * queued went out */
    char in[LINE_MAX_LEN + 1];
    size_t inlen;
    char *out;
    size_t outlen, outcap;
    int out_fd;            /* an fd to pass with the reply that starts at out_fd_at */
    size_t out_fd_at;
    int pend;              /* a request waiting for the engine (no further line is read) */
    struct conn *pend_conn;
    struct lis *pend_lis;
};

struct conn {
    struct conn *next;
    unsigned id;
    toe_sock *s;
    int fd;                /* the daemon's end */
    struct ctl *owner;     /* the control connection that made it (NULL once gone) */
    short trev;            /* TOE_POLL* of the last toe_tcp_poll */
    short frev;            /* poll revents of fd */
    int connecting;        /* CONNECT in progress (no socket pair yet, unless nb) */
    int nb;                /* CONNECT ... NB: the client holds its socket already */
    int nb_err;            /* NB: the connect failed at once (reported as later ones) */
    size_t fill;           /* NB: bytes put in the client's send queue (not writable until
                            * the handshake ends), discarded then */
    uint32_t ip;           /* CONNECT: the destination */
    uint16_t port;
    int client_eof;        /* the client shut down its sending side: FIN sent */
    int client_gone;       /* the client closed its end */
    int client_rst;        /* its end failed (the client's kernel reset it): data was lost */
    int peer_eof;          /* the peer's FIN was passed on (SHUT_WR) */
    int fin_sent;          /* toe_tcp_shutdown done */
    int draining;          /* client gone, FIN sent: data from the peer now means RST */
    int done;
    uint8_t tx[CONN_BUF];  /* from the client, not yet taken by the engine */
    size_t txoff, txlen;
    uint8_t rx[CONN_BUF];  /* from the engine, not yet taken by the client */
    size_t rxoff, rxlen;
};

struct lis {
    struct lis *next;
    unsigned id;
    toe_sock *s;
    uint16_t port;
    struct ctl *owner;
};

enum {
    C_CLIENTS, C_REQUESTS, C_BAD_REQUESTS, C_CONNECTS, C_CONNECT_FAIL, C_ACCEPTS, C_RESETS,
    C_CLIENT_RESETS, C_BYTES_OUT, C_BYTES_IN, C_CLIENTS_DROPPED, C_STRANGERS, C_UNIX_PAIRS,
    C_COUNT
};
static const char *const cnames[C_COUNT] = {
    "clients", "requests", "bad_requests", "connects", "connect_fail", "accepts",
    "conn_errors", "client_resets", "bytes_to_peers", "bytes_from_peers", "clients_dropped",
    "loopback_strangers", "unix_pairs",
};

static struct {
    toe_dev *dev;
    int lfd;
    int verbose;
    unsigned next_id;
    struct ctl *ctls;
    struct conn *conns;
    struct lis *liss;
    uint64_t c[C_COUNT];
} D;

static volatile sig_atomic_t stop_sig;
static void on_stop(int sig) { stop_sig = sig; }

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    if (!D.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "toed: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- control connections: output ------------------------------------------------------ */

static void ctl_put(struct ctl *c, int pass_fd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ctl_put(struct ctl *c, int pass_fd, const char *fmt, ...)
{
    if (c->dead == 1) {
        if (pass_fd >= 0)
            close(pass_fd);
        return;
    }
    char line[LINE_MAX_LEN * 2];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (c->outlen + (size_t)n > CTL_OUT_MAX) {
        D.c[C_CLIENTS_DROPPED]++;
        c->dead = 1;
        if (pass_fd >= 0)
            close(pass_fd);
        return;
    }
    if (c->outlen + (size_t)n > c->outcap) {
        size_t nc = c->outcap ? c->outcap * 2 : 4096;
        while (nc < c->outlen + (size_t)n)
            nc *= 2;
        char *nb = realloc(c->out, nc);
        if (!nb) {
            c->dead = 1;
            if (pass_fd >= 0)
                close(pass_fd);
            return;
        }
        c->out = nb;
        c->outcap = nc;
    }
    if (pass_fd >= 0) {
        c->out_fd = pass_fd;
        c->out_fd_at = c->outlen;
    }
    memcpy(c->out + c->outlen, line, (size_t)n);
    c->outlen += (size_t)n;
}

static void ctl_flush(struct ctl *c)
{
    while (c->outlen && c->dead != 1) {
        size_t len = c->outlen;
        int with_fd = c->out_fd >= 0 && c->out_fd_at == 0;
        if (c->out_fd >= 0 && c->out_fd_at > 0 && c->out_fd_at < len)
            len = c->out_fd_at; /* the fd goes with the first byte of its reply */
        struct iovec iov = {c->out, len};
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } u;
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (with_fd) {
            mh.msg_control = u.buf;
            mh.msg_controllen = sizeof(u.buf);
            struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(cm), &c->out_fd, sizeof(int));
        }
        ssize_t n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                c->dead = 1;
            return;
        }
        if (with_fd) {
            close(c->out_fd); /* the client has its own reference now */
            c->out_fd = -1;
        }
        memmove(c->out, c->out + n, c->outlen - (size_t)n);
        c->outlen -= (size_t)n;
        if (c->out_fd >= 0)
            c->out_fd_at -= (size_t)n;
    }
}

static void ctl_err(struct ctl *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ctl_err(struct ctl *c, int err, const char *fmt, ...)
{
    char msg[LINE_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ctl_put(c, -1, "ERR %s %s", toe_error_name(err), msg);
}

static void bad_request(struct ctl *c, int err, const char *what)
{
    D.c[C_BAD_REQUESTS]++;
    ctl_err(c, err, "%s", what);
}

/* ---- connections ------------------------------------------------------------------------ */

static void conn_free(struct conn *k)
{
    for (struct conn **p = &D.conns; *p; p = &(*p)->next)
        if (*p == k) {
            *p = k->next;
            break;
        }
    if (k->fd >= 0)
        close(k->fd);
    free(k);
}

static struct conn *conn_new(toe_sock *s, struct ctl *owner)
{
    struct conn *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    k->id = ++D.next_id;
    k->s = s;
    k->fd = -1;
    k->owner = owner;
    k->next = D.conns;
    D.conns = k;
    return k;
}

/* A connected pair of loopback TCP sockets: *dfd (non-blocking) and *cfd, both TCP_NODELAY.
 * A listener of its own on 127.0.0.1, port 0, for the one connect: whoever else connects to it
 * in that moment is refused a connection (the accepted socket must be the one connected from
 * cfd's address) and counted. 0 or -1 (errno). */
static int tcp_pair(int *dfd, int *cfd)
{
    struct sockaddr_in la = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in ca, pa;
    socklen_t len = sizeof(la);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), c = -1, d = -1;
    if (l < 0 || bind(l, (struct sockaddr *)&la, sizeof(la)) || listen(l, 4) ||
        getsockname(l, (struct sockaddr *)&la, &len))
        goto out;
    c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    len = sizeof(ca);
    if (c < 0 || (connect(c, (struct sockaddr *)&la, sizeof(la)) && errno != EINPROGRESS) ||
        getsockname(c, (struct sockaddr *)&ca, &len))
        goto out;
    /* The handshake runs inside this kernel: the wait is a guard, not a protocol timer. */
    for (int tries = 0; tries < 8 && d < 0; tries++) {
        struct pollfd p = {.fd = l, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0)
            break;
        len = sizeof(pa);
        d = accept4(l, (struct sockaddr *)&pa, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (d >= 0 && (pa.sin_port != ca.sin_port || pa.sin_addr.s_addr != ca.sin_addr.s_addr)) {
            D.c[C_STRANGERS]++;
            close(d);
            d = -1;
        }
    }
    if (d < 0)
        goto out;
    int one = 1;
    setsockopt(d, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
    close(l);
    *dfd = d;
    *cfd = c;
    return 0;
out:
    if (c >= 0)
        close(c);
    if (l >= 0)
        close(l);
    return -1;
}

/* Did the client close its end of a loopback pair (1), or only shut down its sending side
 * (0, also when unknown)? Both reach the daemon's end dfd as a FIN; the kernel's socket table
 * tells them apart: a closed socket that still finishes its TCP close belongs to no file
 * (sock_diag: inode 0). */
static int client_closed(int dfd)
{
    struct sockaddr_in me, peer;
    socklen_t l1 = sizeof(me), l2 = sizeof(peer);
    if (getsockname(dfd, (struct sockaddr *)&me, &l1) ||
        getpeername(dfd, (struct sockaddr *)&peer, &l2) || me.sin_family != AF_INET)
        return 0;
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0)
        return 0;
    struct {
        struct nlmsghdr h;
        struct inet_diag_req_v2 r;
    } req = {
        .h = {.nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
              .nlmsg_flags = NLM_F_REQUEST},
        .r = {.sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u,
              .id = {.idiag_sport = peer.sin_port, .idiag_dport = me.sin_port,
                     .idiag_src = {peer.sin_addr.s_addr}, .idiag_dst = {me.sin_addr.s_addr},
                     .idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}},
    };
    struct sockaddr_nl kern = {.nl_family = AF_NETLINK};
    union {
        struct nlmsghdr h;
        char b[1024];
    } ans;
    int closed = 0;
    /* The kernel answers inside sendto. */
    if (sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&kern, sizeof(kern)) ==
        (ssize_t)sizeof(req)) {
        ssize_t n = recv(nl, &ans, sizeof(ans), MSG_DONTWAIT);
        if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct inet_diag_msg)) &&
            ans.h.nlmsg_type == SOCK_DIAG_BY_FAMILY)
            closed = ((struct inet_diag_msg *)NLMSG_DATA(&ans.h))->idiag_inode == 0;
    }
    close(nl);
    return closed;
}

/* The sockets of an open connection: the daemon keeps one end (non-blocking), *client_fd is
 * the other (an ordinary blocking socket) for the client. A loopback TCP connection, so that
 * the daemon can pass on a reset (conn_rst_fd: the client's read says ECONNRESET); a Unix
 * socketpair if the host has no loopback TCP (the client then sees a reset as end of file).
 * Returns 0 or -1 (errno). */
static int conn_pair(struct conn *k, int *client_fd)
{
    if (!tcp_pair(&k->fd, client_fd))
        return 0;
    D.c[C_UNIX_PAIRS]++;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return -1;
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    k->fd = sv[0];
    *client_fd = sv[1];
    return 0;
}

/* Close the daemon's end with an RST (SO_LINGER 0): the client's socket then reports
 * ECONNRESET, as a kernel socket whose peer reset (read, write, SO_ERROR, POLLERR). */
static void conn_rst_fd(struct conn *k)
{
    if (k->fd < 0)
        return;
    struct linger lg = {1, 0};
    setsockopt(k->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(k->fd);
    k->fd = -1;
}

/* The connection failed (peer reset, timeout, ...): say so on the control channel, close. */
static void conn_error(struct conn *k, int err)
{
    D.c[C_RESETS]++;
    logf_("connection %u: %s", k->id, toe_strerror(err));
    conn_rst_fd(k); /* before the EVENT: a client that saw it finds the reset in place */
    if (k->owner)
        ctl_put(k->owner, -1, "EVENT %u ERR %s %s", k->id, toe_error_name(err),
                toe_strerror(err));
    toe_tcp_close(k->s, 0);
    k->s = NULL;
    k->done = 1;
}

static void conn_reset(struct conn *k, const char *why)
{
    D.c[C_CLIENT_RESETS]++;
    logf_("connection %u: %s: reset", k->id, why);
    toe_tcp_abort(k->s);
    k->s = NULL;
    k->done = 1;
}

static void conn_close(struct conn *k)
{
    logf_("connection %u: closed", k->id);
    toe_tcp_close(k->s, 0); /* the close goes on inside the engine */
    k->s = NULL;
    k->done = 1;
}

/* The client closed its end, as close() of a kernel socket: data from the peer it did not
 * read means RST; otherwise FIN, and data the peer sends after it means RST too (the
 * connection drains until the peer's FIN or until our FIN is acknowledged, then the engine
 * finishes the close). Over loopback TCP a close() reads as the client's FIN, as a
 * shutdown(SHUT_WR) does: client_closed tells them apart when the FIN comes; a client that
 * shuts down and closes later is known to be gone when its end hangs up (our FIN too) or
 * fails (its kernel resets it for data it can no longer take, as it would a peer's: data
 * lost, so RST). */
static void conn_client_closed(struct conn *k)
{
    if (k->client_rst || k->rxoff < k->rxlen || (!k->peer_eof && (k->trev & TOE_POLLIN))) {
        conn_reset(k, k->client_rst ? "the client's socket was reset"
                                    : "client gone with data undelivered");
        return;
    }
    if (k->peer_eof) {
        conn_close(k);
        return;
    }
    if (!k->fin_sent) {
        int r = toe_tcp_shutdown(k->s, 0);
        if (r && r != TOE_ETIMEDOUT && r != TOE_EAGAIN) {
            conn_close(k);
            return;
        }
        k->fin_sent = 1;
    }
    k->draining = 1;
}

static void conn_drain(struct conn *k)
{
    size_t got = 0;
    int r = toe_tcp_recv(k->s, k->rx, sizeof(k->rx), &got, 0);
    if (!r && got) {
        conn_reset(k, "data for a client that is gone");
        return;
    }
    struct toe_tcp_info ti;
    toe_tcp_sockinfo(k->s, &ti);
    if (r != TOE_EAGAIN || ti.state == TOE_TCPS_FIN_WAIT_2 || ti.state == TOE_TCPS_TIME_WAIT ||
        ti.state == TOE_TCPS_CLOSED)
        conn_close(k);
}

/* Move what can move now, both ways, without blocking. */
static void conn_pump(struct conn *k)
{
    if (k->connecting || k->done)
        return;
    if (k->draining) {
        conn_drain(k);
        return;
    }
    if ((k->frev & (POLLHUP | POLLERR)) && !k->client_gone)
        k->client_gone = 1; /* both ways closed by the client: read what is left, then close */
    if (k->frev & POLLERR)
        k->client_rst = 1; /* closed with data unread, or sent data after its close */
    /* Engine -> client. */
    for (int round = 0; round < 8 && !k->client_gone && !k->peer_eof; round++) {
        if (k->rxoff == k->rxlen) {
            size_t got = 0;
            int r = toe_tcp_recv(k->s, k->rx, sizeof(k->rx), &got, 0);
            if (r == TOE_EAGAIN)
                break;
            if (r) {
                conn_error(k, r);
                return;
            }
            if (!got) {
                k->peer_eof = 1;
                shutdown(k->fd, SHUT_WR); /* the peer's FIN: end of file for the client */
                break;
            }
            k->rxoff = 0;
            k->rxlen = got;
            D.c[C_BYTES_IN] += got;
        }
        ssize_t n = send(k->fd, k->rx + k->rxoff, k->rxlen - k->rxoff, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            k->client_gone = 1; /* EPIPE, ECONNRESET: the client closed */
            k->client_rst = 1;
            break;
        }
        k->rxoff += (size_t)n;
        if (k->rxoff < k->rxlen)
            break;
    }
    /* Client -> engine. */
    for (int round = 0; round < 8; round++) {
        if (k->txoff < k->txlen) {
            size_t sent = 0;
            int r = toe_tcp_send(k->s, k->tx + k->txoff, k->txlen - k->txoff, &sent, 0);
            k->txoff += sent;
            D.c[C_BYTES_OUT] += sent;
            if (r && r != TOE_EAGAIN) {
                conn_error(k, r);
                return;
            }
            if (k->txoff < k->txlen)
                break; /* send buffer full: the client waits */
        }
        if (k->client_eof)
            break;
        /* A CONNECT ... NB's filler comes first and is dropped. */
        size_t want = k->fill && k->fill < sizeof(k->tx) ? k->fill : sizeof(k->tx);
        ssize_t n = read(k->fd, k->tx, want);
        if (n > 0 && k->fill) {
            k->fill -= (size_t)n;
            continue;
        }
        if (n > 0) {
            k->txoff = 0;
            k->txlen = (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            break;
        if (n < 0)
            k->client_gone = k->client_rst = 1;
        else if (client_closed(k->fd))
            k->client_gone = 1; /* a close(), not a shutdown(SHUT_WR) */
        k->client_eof = 1;
        if (!k->client_gone) {
            int r = toe_tcp_shutdown(k->s, 0); /* FIN after what was sent */
            if (r && r != TOE_ETIMEDOUT && r != TOE_EAGAIN) {
                conn_error(k, r);
                return;
            }
            k->fin_sent = 1;
        }
        break;
    }
    if (k->client_gone && k->client_eof && k->txoff == k->txlen)
        conn_client_closed(k);
}

static short conn_events(const struct conn *k)
{
    short ev = 0;
    if (k->done || k->connecting || k->client_gone || k->draining)
        return 0;
    if (!k->client_eof && k->txoff == k->txlen && ((k->trev & TOE_POLLOUT) || k->fill))
        ev |= POLLIN;
    if (k->rxoff < k->rxlen)
        ev |= POLLOUT;
    return ev;
}

/* ---- listeners ------------------------------------------------------------------------- */

static void lis_free(struct lis *l)
{
    for (struct lis **p = &D.liss; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    for (struct ctl *c = D.ctls; c; c = c->next)
        if (c->pend_lis == l) {
            c->pend = PEND_NONE;
            c->pend_lis = NULL;
            ctl_err(c, TOE_ENOTCONN, "listener closed");
        }
    toe_tcp_close(l->s, 0);
    free(l);
}

/* ---- requests --------------------------------------------------------------------------- */

static int parse_u16(const char *s, uint16_t *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : -1;
    if (!s || errno || *end || v < 1 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static void ip_str(uint32_t ip, char *b, size_t n)
{
    snprintf(b, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* CONNECT ... NB: the socket goes to the client at once, filled from its side until it
 * would block, so that it polls writable only when the daemon drains it (connected) or
 * closes it (failed). 0 or -1 (errno). */
static int conn_pair_pending(struct conn *k, int *client_fd)
{
    if (conn_pair(k, client_fd))
        return -1;
    static const uint8_t zero[4096];
    fcntl(*client_fd, F_SETFL, fcntl(*client_fd, F_GETFL) | O_NONBLOCK);
    for (;;) {
        ssize_t n = send(*client_fd, zero, sizeof(zero), MSG_NOSIGNAL);
        if (n <= 0)
            break;
        k->fill += (size_t)n;
    }
    fcntl(*client_fd, F_SETFL, fcntl(*client_fd, F_GETFL) & ~O_NONBLOCK);
    return 0;
}

/* A CONNECT ... NB in its handshake: when it ends, EVENT ID CONNECTED (flushed first) and
 * the filler drained, or EVENT ID ERR and the socket closed with the filler unread. */
static void conn_nb_connect(struct conn *k)
{
    int r = k->nb_err ? k->nb_err : toe_tcp_connect(k->s, k->ip, k->port, 0);
    if (r == TOE_EAGAIN)
        return;
    if (r) {
        D.c[C_CONNECT_FAIL]++;
        logf_("connection %u: connect: %s", k->id, toe_strerror(r));
        if (k->owner) {
            ctl_put(k->owner, -1, "EVENT %u ERR %s %s", k->id, toe_error_name(r), toe_strerror(r));
            ctl_flush(k->owner);
        }
        toe_tcp_close(k->s, 0);
        k->s = NULL;
        k->done = 1;
        return;
    }
    struct toe_tcp_info ti;
    toe_tcp_sockinfo(k->s, &ti);
    char la[16];
    ip_str(ti.local_ip, la, sizeof(la));
    logf_("connection %u: connected (local port %u)", k->id, ti.local_port);
    if (k->owner) {
        ctl_put(k->owner, -1, "EVENT %u CONNECTED %u %s", k->id, ti.local_port, la);
        ctl_flush(k->owner);
    }
    uint8_t b[4096];
    while (k->fill) { /* over loopback TCP the rest may still be on its way: see conn_pump */
        ssize_t n = read(k->fd, b, k->fill < sizeof(b) ? k->fill : sizeof(b));
        if (n <= 0)
            break;
        k->fill -= (size_t)n;
    }
    k->connecting = 0;
}

static void req_connect(struct ctl *c, char *host, char *port, char *nb)
{
    struct in_addr ia;
    uint16_t p;
    if (!host || !port || inet_pton(AF_INET, host, &ia) != 1 || parse_u16(port, &p) ||
        (nb && strcmp(nb, "NB"))) {
        bad_request(c, TOE_EINVAL, "usage: CONNECT IPV4 PORT [NB]");
        return;
    }
    toe_sock *s = NULL;
    int r = toe_tcp_socket(D.dev, &s);
    if (!r) {
        r = toe_tcp_connect(s, ntohl(ia.s_addr), p, 0);
        if (r == TOE_EAGAIN || !r || nb) {
            struct conn *k = conn_new(s, c);
            if (!k) {
                toe_tcp_abort(s);
                ctl_err(c, TOE_ENOMEM, "out of memory");
                return;
            }
            k->connecting = 1;
            k->ip = ntohl(ia.s_addr);
            k->port = p;
            D.c[C_CONNECTS]++;
            if (nb) {
                int cfd;
                if (conn_pair_pending(k, &cfd)) {
                    ctl_err(c, TOE_ENOMEM, "socket pair: %s", strerror(errno));
                    toe_tcp_abort(k->s);
                    k->s = NULL;
                    k->done = 1;
                    return;
                }
                k->nb = 1;
                k->nb_err = r == TOE_EAGAIN ? 0 : r;
                ctl_put(c, cfd, "OK %u", k->id);
                return;
            }
            c->pend = PEND_CONNECT;
            c->pend_conn = k;
            return;
        }
        toe_tcp_close(s, 0);
    }
    D.c[C_CONNECT_FAIL]++;
    ctl_err(c, r, "%s", toe_strerror(r));
}

static struct lis *find_lis(struct ctl *c, const char *arg)
{
    char *end = NULL;
    unsigned long id = arg && strcmp(arg, "*") ? strtoul(arg, &end, 10) : 0;
    if (!arg || (end && *end))
        return NULL;
    for (struct lis *l = D.liss; l; l = l->next)
        if ((l->id == id || !end) && l->owner == c)
            return l; /* "*": the newest listener of this client */
    return NULL;
}

static void req_listen(struct ctl *c, char *port, char *backlog)
{
    uint16_t p;
    long bl = 0;
    char *end = NULL;
    if (backlog) {
        bl = strtol(backlog, &end, 10);
        if (*end || bl < 0 || bl > 64) {
            bad_request(c, TOE_EINVAL, "usage: LISTEN PORT [BACKLOG 0..64]");
            return;
        }
    }
    if (parse_u16(port, &p)) {
        bad_request(c, TOE_EINVAL, "usage: LISTEN PORT [BACKLOG 0..64]");
        return;
    }
    toe_sock *s = NULL;
    int r = toe_tcp_socket(D.dev, &s);
    if (!r)
        r = toe_tcp_listen(s, p, (int)bl);
    if (r) {
        toe_tcp_close(s, 0);
        ctl_err(c, r, "%s", toe_strerror(r));
        return;
    }
    struct lis *l = calloc(1, sizeof(*l));
    if (!l) {
        toe_tcp_close(s, 0);
        ctl_err(c, TOE_ENOMEM, "out of memory");
        return;
    }
    l->id = ++D.next_id;
    l->s = s;
    l->port = p;
    l->owner = c;
    l->next = D.liss;
    D.liss = l;
    ctl_put(c, -1, "OK %u", l->id);
}

static void req_close(struct ctl *c, char *arg)
{
    struct lis *l = find_lis(c, arg);
    if (l) {
        lis_free(l);
        ctl_put(c, -1, "OK");
        return;
    }
    char *end;
    unsigned long id = arg ? strtoul(arg, &end, 10) : 0;
    for (struct conn *k = D.conns; arg && !*end && k; k = k->next)
        if (k->id == id && k->owner == c && !k->connecting && !k->done) {
            toe_tcp_close(k->s, 0);
            k->s = NULL;
            k->done = 1;
            ctl_put(c, -1, "OK");
            return;
        }
    bad_request(c, TOE_EINVAL, "CLOSE: no such listener or connection of this client");
}

/* RESOLVE NAME [SERVER]: an A record through the device's DNS (toe_dns_resolve; blocks the
 * loop as INFO does). SERVER by default as toe get's: 10.0.2.3 on slirp's 10.0.2.0/24, else
 * the device's gateway. */
static void req_resolve(struct ctl *c, const char *name, const char *server)
{
    struct in_addr ia;
    uint32_t dns;
    if (server) {
        if (inet_pton(AF_INET, server, &ia) != 1) {
            bad_request(c, TOE_EINVAL, "usage: RESOLVE NAME [SERVER_IPV4]");
            return;
        }
        dns = ntohl(ia.s_addr);
    } else {
        struct toe_info in;
        int r = toe_get_info(D.dev, &in, CSR_MS);
        if (r) {
            ctl_err(c, r, "%s", toe_last_error(D.dev));
            return;
        }
        dns = (in.ip & 0xffffff00u) == 0x0a000200u ? 0x0a000203u : in.gateway;
    }
    uint32_t ip = 0;
    int r = name ? toe_dns_resolve(D.dev, dns, name, &ip, -1) : TOE_EINVAL;
    if (r) {
        ctl_err(c, r, "%s", name ? toe_last_error(D.dev) : "usage: RESOLVE NAME [SERVER_IPV4]");
        return;
    }
    char a[16];
    ip_str(ip, a, sizeof(a));
    ctl_put(c, -1, "OK %s", a);
}

static void req_info(struct ctl *c)
{
    struct toe_info in;
    int r = toe_get_info(D.dev, &in, CSR_MS);
    if (r) {
        ctl_err(c, r, "%s", toe_last_error(D.dev));
        return;
    }
    ctl_put(c, -1, "* device %s", toe_device_spec(D.dev));
    ctl_put(c, -1, "* id %u", in.id);
    ctl_put(c, -1, "* version %u", in.version);
    ctl_put(c, -1, "* caps %u", in.caps);
    ctl_put(c, -1, "* slots %u", in.slots);
    ctl_put(c, -1, "* link_kind %u", in.link_kind);
    ctl_put(c, -1, "* link_rate %u", in.link_rate);
    ctl_put(c, -1, "* mac %02x:%02x:%02x:%02x:%02x:%02x", in.mac[0], in.mac[1], in.mac[2],
            in.mac[3], in.mac[4], in.mac[5]);
    ctl_put(c, -1, "* ip %u", in.ip);
    ctl_put(c, -1, "* netmask %u", in.netmask);
    ctl_put(c, -1, "* gateway %u", in.gateway);
    ctl_put(c, -1, "OK");
}

static void req_stats(struct ctl *c)
{
    uint32_t v[256];
    size_t got = 0;
    unsigned n = toe_stat_count();
    int r = toe_read_stats(D.dev, v, n < 256 ? n : 256, &got, CSR_MS);
    if (r) {
        ctl_err(c, r, "%s", toe_last_error(D.dev));
        return;
    }
    for (size_t i = 0; i < got; i++)
        ctl_put(c, -1, "* device %s %u", toe_stat_name((unsigned)i), v[i]);
    uint64_t h[TOE_HSTAT_COUNT];
    toe_host_stats(D.dev, h, TOE_HSTAT_COUNT, &got);
    for (size_t i = 0; i < got; i++)
        ctl_put(c, -1, "* host %s %llu", toe_host_stat_name((unsigned)i),
                (unsigned long long)h[i]);
    for (int i = 0; i < C_COUNT; i++)
        ctl_put(c, -1, "* toed %s %llu", cnames[i], (unsigned long long)D.c[i]);
    ctl_put(c, -1, "OK");
}

static void req_netstat(struct ctl *c)
{
    struct toe_tcp_info in[NETSTAT_MAX];
    size_t n = 0;
    int r = toe_tcp_netstat(D.dev, in, NETSTAT_MAX, &n);
    if (r) {
        ctl_err(c, r, "%s", toe_last_error(D.dev));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct toe_tcp_info *t = &in[i];
        char l[16], rm[16];
        ip_str(t->local_ip, l, sizeof(l));
        ip_str(t->remote_ip, rm, sizeof(rm));
        ctl_put(c, -1, "* %s %d %s %u %s %u %u %u %u %u %u %u %u %u %u %u %u %u", toe_tcp_state_name(t->state),
                t->slot, l, t->local_port, rm, t->remote_port, t->snd_una, t->snd_nxt,
                t->snd_wnd, t->tx_end, t->rcv_nxt, t->rcv_wnd, t->cwnd, t->ssthresh,
                t->retransmits, t->mss, t->snd_wscale, t->rcv_wscale);
    }
    ctl_put(c, -1, "OK");
}

static void ctl_line(struct ctl *c, char *line)
{
    D.c[C_REQUESTS]++;
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\r", &save);
    char *a1 = strtok_r(NULL, " \t\r", &save);
    char *a2 = strtok_r(NULL, " \t\r", &save);
    char *a3 = strtok_r(NULL, " \t\r", &save);
    if (!cmd) {
        bad_request(c, TOE_EINVAL, "empty request");
        return;
    }
    if (!strcmp(cmd, "HELLO")) {
        char *end;
        long v = a1 ? strtol(a1, &end, 10) : -1;
        if (!a1 || *end || a2)
            bad_request(c, TOE_EINVAL, "usage: HELLO VERSION");
        else if (v != TOED_PROTO_VERSION)
            bad_request(c, TOE_ENOTSUP, "protocol version not supported (this daemon: 1)");
        else {
            c->hello = 1;
            ctl_put(c, -1, "OK toed %d", TOED_PROTO_VERSION);
        }
        return;
    }
    if (!c->hello) {
        bad_request(c, TOE_EPROTO, "HELLO first");
        return;
    }
    if (!strcmp(cmd, "CONNECT") && !(a3 && strtok_r(NULL, " \t\r", &save)))
        req_connect(c, a1, a2, a3);
    else if (!strcmp(cmd, "LISTEN") && !a3)
        req_listen(c, a1, a2);
    else if (!strcmp(cmd, "ACCEPT") && !a2) {
        struct lis *l = find_lis(c, a1);
        if (!l)
            bad_request(c, TOE_EINVAL, "ACCEPT: no such listener of this client");
        else {
            c->pend = PEND_ACCEPT;
            c->pend_lis = l;
        }
    } else if (!strcmp(cmd, "CLOSE") && !a2)
        req_close(c, a1);
    else if (!strcmp(cmd, "RESOLVE") && a1 && !a3)
        req_resolve(c, a1, a2);
    else if (!strcmp(cmd, "INFO") && !a1)
        req_info(c);
    else if (!strcmp(cmd, "STATS") && !a1)
        req_stats(c);
    else if (!strcmp(cmd, "NETSTAT") && !a1)
        req_netstat(c);
    else
        bad_request(c, TOE_EINVAL, "unknown request or wrong arguments");
}

/* A pending CONNECT or ACCEPT: answer it once the engine has the result. */
static void ctl_pending(struct ctl *c)
{
    if (c->pend == PEND_CONNECT) {
        struct conn *k = c->pend_conn;
        int r = toe_tcp_connect(k->s, k->ip, k->port, 0);
        if (r == TOE_EAGAIN)
            return;
        c->pend = PEND_NONE;
        c->pend_conn = NULL;
        if (r) {
            D.c[C_CONNECT_FAIL]++;
            ctl_err(c, r, "%s", toe_strerror(r));
            toe_tcp_close(k->s, 0);
            k->s = NULL;
            k->done = 1;
            return;
        }
        int cfd;
        if (conn_pair(k, &cfd)) {
            ctl_err(c, TOE_ENOMEM, "socket pair: %s", strerror(errno));
            toe_tcp_abort(k->s);
            k->s = NULL;
            k->done = 1;
            return;
        }
        struct toe_tcp_info ti;
        toe_tcp_sockinfo(k->s, &ti);
        k->connecting = 0;
        logf_("connection %u: connected (local port %u)", k->id, ti.local_port);
        char la[16];
        ip_str(ti.local_ip, la, sizeof(la));
        ctl_put(c, cfd, "OK %u %u %s", k->id, ti.local_port, la);
    } else if (c->pend == PEND_ACCEPT) {
        toe_sock *ns = NULL;
        uint32_t ip = 0;
        uint16_t port = 0;
        int r = toe_tcp_accept(c->pend_lis->s, &ns, &ip, &port, 0);
        if (r == TOE_EAGAIN)
            return;
        c->pend = PEND_NONE;
        c->pend_lis = NULL;
        if (r) {
            ctl_err(c, r, "%s", toe_strerror(r));
            return;
        }
        int cfd;
        struct conn *k = conn_new(ns, c);
        if (!k || conn_pair(k, &cfd)) {
            toe_tcp_abort(ns);
            if (k) {
                k->s = NULL;
                k->done = 1;
            }
            ctl_err(c, TOE_ENOMEM, "socket pair: %s", strerror(errno));
            return;
        }
        D.c[C_ACCEPTS]++;
        char a[16];
        ip_str(ip, a, sizeof(a));
        ctl_put(c, cfd, "OK %u %s %u", k->id, a, port);
    }
}

static int ctl_busy(const struct ctl *c) { return c->pend || c->out_fd >= 0; }

/* Run the complete request lines received, one at a time. */
static void ctl_lines(struct ctl *c)
{
    while (!c->dead) {
        if (ctl_busy(c))
            return; /* one request at a time: the rest waits in the buffer */
        char *nl = memchr(c->in, '\n', c->inlen);
        if (!nl) {
            if (c->inlen >= LINE_MAX_LEN) {
                bad_request(c, TOE_EINVAL, "request line too long");
                c->inlen = 0;
                c->dead = 2; /* after the reply went out */
            }
            return;
        }
        *nl = 0;
        if (strlen(c->in) != (size_t)(nl - c->in))
            bad_request(c, TOE_EINVAL, "NUL byte in request");
        else
            ctl_line(c, c->in);
        size_t used = (size_t)(nl - c->in) + 1;
        memmove(c->in, nl + 1, c->inlen - used);
        c->inlen -= used;
    }
}

static void ctl_read(struct ctl *c)
{
    if (c->inlen >= LINE_MAX_LEN)
        return;
    ssize_t n = read(c->fd, c->in + c->inlen, LINE_MAX_LEN - c->inlen);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        c->dead = 1;
        return;
    }
    if (n > 0)
        c->inlen += (size_t)n;
    ctl_lines(c);
}


/* The control connection ends: its listeners and a pending connect go; connections stay
 * (they belong to whoever holds the fd). */
static void ctl_free(struct ctl *c)
{
    for (struct ctl **p = &D.ctls; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    if (c->pend == PEND_CONNECT && c->pend_conn) {
        toe_tcp_abort(c->pend_conn->s);
        c->pend_conn->s = NULL;
        c->pend_conn->done = 1;
    }
    for (struct conn *k = D.conns; k; k = k->next)
        if (k->owner == c)
            k->owner = NULL;
    for (struct lis *l = D.liss, *nx; l; l = nx) {
        nx = l->next;
        if (l->owner == c)
            lis_free(l);
    }
    if (c->out_fd >= 0)
        close(c->out_fd);
    close(c->fd);
    free(c->out);
    free(c);
}

/* ---- main loop -------------------------------------------------------------------------- */

static int listen_unix(const char *path, mode_t mode)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        fprintf(stderr, "toed: socket path too long: %s\n", path);
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (!lstat(path, &st)) {
        if (!S_ISSOCK(st.st_mode)) {
            fprintf(stderr, "toed: %s exists and is not a socket\n", path);
            return -1;
        }
        /* A live daemon answers: do not take its socket away. */
        int t = socket(AF_UNIX, SOCK_STREAM, 0);
        if (t >= 0 && !connect(t, (struct sockaddr *)&a, sizeof(a))) {
            close(t);
            fprintf(stderr, "toed: another daemon serves %s\n", path);
            return -1;
        }
        if (t >= 0)
            close(t);
        unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t um = umask(0177);
    int r = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&a, sizeof(a));
    umask(um);
    if (r || listen(fd, 64) || chmod(path, mode)) {
        fprintf(stderr, "toed: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void accept_ctls(void)
{
    for (;;) {
        int fd = accept4(D.lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        struct ctl *c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            return;
        }
        c->fd = fd;
        c->out_fd = -1;
        c->next = D.ctls;
        D.ctls = c;
        D.c[C_CLIENTS]++;
    }
}

static const char usage[] =
    "usage: toed [-d SPEC] [-s PATH] [-m MODE] [-v]\n"
    "\n"
    "The toe daemon: owns one device and serves local programs over a Unix socket.\n"
    "  -d, --device SPEC   device string (default: $TOE_DEVICE), as toe(1)\n"
    "  -s, --socket PATH   control socket (default " TOED_DEFAULT_SOCKET ")\n"
    "  -m, --mode MODE     permissions of the socket, octal (default 0660)\n"
    "  -v, --verbose       log connections to stderr\n"
    "  -h, --help          this help\n";

int main(int argc, char **argv)
{
    const char *spec = getenv("TOE_DEVICE"), *path = TOED_DEFAULT_SOCKET;
    mode_t mode = 0660;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            D.verbose = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "toed: %s needs a value\n%s", a, usage);
            return 2;
        }
        i++;
        if (!strcmp(a, "-d") || !strcmp(a, "--device"))
            spec = v;
        else if (!strcmp(a, "-s") || !strcmp(a, "--socket"))
            path = v;
        else if (!strcmp(a, "-m") || !strcmp(a, "--mode")) {
            char *end;
            long m = strtol(v, &end, 8);
            if (*end || m < 0 || m > 0777) {
                fprintf(stderr, "toed: bad mode '%s' (octal, e.g. 0660)\n", v);
                return 2;
            }
            mode = (mode_t)m;
        } else {
            fprintf(stderr, "toed: unknown option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (!spec || !*spec) {
        fprintf(stderr, "toed: no device: use --device SPEC or set TOE_DEVICE\n");
        return 2;
    }
    if (!strncmp(spec, "toed:", 5)) {
        fprintf(stderr, "toed: the device cannot be another daemon (%s)\n", spec);
        return 2;
    }
    /* Signals arrive only inside ppoll: the library never sees EINTR. */
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &orig);
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts o = {.errbuf = err, .errbuf_size = sizeof(err)};
    int r = toe_open(&D.dev, spec, &o);
    if (r) {
        fprintf(stderr, "toed: %s\n", err[0] ? err : toe_strerror(r));
        return 1;
    }
    int devfd = -1;
    if (toe_get_fd(D.dev, &devfd, NULL))
        logf_("%s: no descriptor to wait on: the engine turns every 5 ms",
              toe_device_spec(D.dev));
    D.lfd = listen_unix(path, mode);
    if (D.lfd < 0) {
        toe_close(D.dev);
        return 1;
    }
    logf_("serving %s on %s", spec, path);
    int status = 0;
    struct pollfd *pf = NULL;
    size_t pfcap = 0;
    while (!stop_sig) {
        /* Answer what the engine finished (a connection made or accepted) first, so that
         * the readiness below covers the new connections too. */
        for (struct ctl *c = D.ctls; c; c = c->next)
            if (!c->dead) {
                ctl_pending(c);
                ctl_lines(c); /* lines that waited for the last request */
            }
        for (struct conn *k = D.conns; k; k = k->next)
            if (k->nb && k->connecting && !k->done)
                conn_nb_connect(k);
        /* Readiness of every TCP connection, after the last engine turn. */
        size_t nconn = 0;
        for (struct conn *k = D.conns; k; k = k->next)
            nconn++;
        struct toe_tcp_pollfd *tp = calloc(nconn ? nconn : 1, sizeof(*tp));
        size_t i = 0;
        for (struct conn *k = D.conns; k; k = k->next, i++)
            if (k->s && !k->connecting && !k->done) {
                tp[i].sock = k->s;
                tp[i].events = TOE_POLLIN | TOE_POLLOUT;
            }
        if (nconn)
            toe_tcp_poll(tp, nconn, 0);
        i = 0;
        for (struct conn *k = D.conns; k; k = k->next, i++)
            k->trev = tp[i].sock ? tp[i].revents : 0;
        free(tp);
        for (struct conn *k = D.conns; k; k = k->next)
            conn_pump(k);
        for (struct ctl *c = D.ctls; c; c = c->next)
            ctl_flush(c);
        for (struct ctl *c = D.ctls, *nx; c; c = nx) {
            nx = c->next;
            if (c->dead == 1 || (c->dead == 2 && !c->outlen))
                ctl_free(c);
        }
        for (struct conn *k = D.conns, *nx; k; k = nx) {
            nx = k->next;
            if (k->done)
                conn_free(k);
        }

        /* Wait. */
        size_t nctl = 0;
        nconn = 0;
        for (struct ctl *c = D.ctls; c; c = c->next)
            nctl++;
        for (struct conn *k = D.conns; k; k = k->next)
            nconn++;
        size_t need = 2 + nctl + nconn;
        if (need > pfcap) {
            struct pollfd *np = realloc(pf, need * sizeof(*pf));
            if (!np) {
                status = 1;
                break;
            }
            pf = np;
            pfcap = need;
        }
        short dev_ev = POLLIN;
        pf[0] = (struct pollfd){.fd = D.lfd, .events = POLLIN};
        pf[1] = (struct pollfd){.fd = -1};
        if (!toe_get_fd(D.dev, &devfd, &dev_ev))
            pf[1] = (struct pollfd){.fd = devfd, .events = dev_ev};
        i = 2;
        for (struct ctl *c = D.ctls; c; c = c->next, i++)
            pf[i] = (struct pollfd){.fd = c->fd,
                                    .events = (short)((c->dead || ctl_busy(c) ? 0 : POLLIN) |
                                                      (c->outlen ? POLLOUT : 0))};
        for (struct conn *k = D.conns; k; k = k->next, i++)
            pf[i] = (struct pollfd){.fd = k->client_gone || k->draining || k->done ||
                                              k->connecting ? -1 : k->fd,
                                    .events = conn_events(k)};
        int ms = -1;
        toe_next_timeout(D.dev, &ms);
        if (pf[1].fd < 0 && (ms < 0 || ms > 5))
            ms = 5;
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L}, *tsp = ms < 0 ? NULL : &ts;
        int n = ppoll(pf, need, tsp, &orig);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "toed: poll: %s\n", strerror(errno));
            status = 1;
            break;
        }
        /* ppoll delivers a pending signal only when nothing is ready: look for one too. */
        sigset_t pend;
        if (!sigpending(&pend) && (sigismember(&pend, SIGINT) || sigismember(&pend, SIGTERM) ||
                                   sigismember(&pend, SIGHUP)))
            stop_sig = 1;
        if (stop_sig)
            break;
        r = toe_handle_events(D.dev);
        if (r && r != TOE_EINTR) {
            fprintf(stderr, "toed: %s\n", toe_last_error(D.dev));
            status = 1;
            break;
        }
        /* Conns first: a request may add one at the head of the list. */
        i = 2 + nctl;
        for (struct conn *k = D.conns; k && i < need; k = k->next, i++)
            k->frev = n > 0 && pf[i].fd == k->fd ? pf[i].revents : 0;
        i = 2;
        for (struct ctl *c = D.ctls; c && i < 2 + nctl; c = c->next, i++) {
            if (n <= 0 || pf[i].fd != c->fd || c->dead)
                continue;
            if (pf[i].revents & POLLIN)
                ctl_read(c);
            else if (pf[i].revents & (POLLHUP | POLLERR))
                c->dead = 1;
        }
        if (n > 0 && (pf[0].revents & POLLIN))
            accept_ctls();
    }
    logf_("exiting%s", stop_sig ? " on a signal" : "");
    while (D.ctls)
        ctl_free(D.ctls);
    while (D.liss)
        lis_free(D.liss);
    while (D.conns) {
        if (D.conns->s)
            toe_tcp_abort(D.conns->s);
        conn_rst_fd(D.conns);
        conn_free(D.conns);
    }
    free(pf);
    close(D.lfd);
    unlink(path);
    toe_close(D.dev);
    return status;
}
