/* SPDX-License-Identifier: MIT */
/* toed_client.c: the client side of the toed control protocol (docs/DAEMON.md): one line per
 * request, data lines "* ...", a final "OK ..." or "ERR NAME text", EVENT lines at any time,
 * a connection's socket passed with SCM_RIGHTS on its OK line. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "toed.h"

#define LINE_LEN 1024
#define OPEN_MS 5000

const char *toed_socket_path(const char *path)
{
    if (path && *path)
        return path;
    const char *e = getenv("TOE_DAEMON");
    return e && *e ? e : TOED_DEFAULT_SOCKET;
}

static int err_from_name(const char *name, size_t len)
{
    for (int e = -1; e > -64; e--) {
        const char *n = toe_error_name(e);
        if (strlen(n) == len && !strncmp(n, name, len))
            return e;
    }
    return TOE_EPROTO;
}

/* Wait up to timeout_ms (-1 none) for ctl to be readable. 0, TOE_EAGAIN, TOE_EINTR. */
static int wait_in(int ctl, int timeout_ms)
{
    struct pollfd p = {.fd = ctl, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0)
        return errno == EINTR ? TOE_EINTR : TOE_EIO;
    return n ? 0 : TOE_EAGAIN;
}

/* Read one line (without its newline) and the fd that came with it, if any. timeout_ms
 * bounds each wait; 0 (only look) applies to the line's start: once part of a line is in,
 * its rest is waited for (the daemon writes whole lines). */
static int read_line(int ctl, char *line, size_t cap, int *fd, int timeout_ms)
{
    *fd = -1;
    size_t pos = 0;
    for (;;) {
        int r = wait_in(ctl, pos && !timeout_ms ? -1 : timeout_ms);
        if (r)
            return r;
        char peek[LINE_LEN];
        ssize_t n = recv(ctl, peek, sizeof(peek), MSG_PEEK);
        if (n < 0)
            return errno == EINTR ? TOE_EINTR : TOE_EIO;
        if (n == 0)
            return TOE_ENODEV;
        char *nl = memchr(peek, '\n', (size_t)n);
        size_t want = nl ? (size_t)(nl - peek) + 1 : (size_t)n;
        if (pos + want > LINE_LEN)
            return TOE_EPROTO; /* a line longer than any the daemon sends */
        char buf[LINE_LEN];
        struct iovec iov = {buf, want};
        union {
            char b[CMSG_SPACE(sizeof(int) * 4)];
            struct cmsghdr align;
        } u;
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                            .msg_controllen = sizeof(u.b)};
        n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
        if (n <= 0)
            return n == 0 ? TOE_ENODEV : TOE_EIO;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                    int f;
                    memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                    if (*fd < 0)
                        *fd = f;
                    else
                        close(f);
                }
            }
        /* Up to the newline (the rest of a partial line comes on the next round). */
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                if (cap)
                    line[pos < cap ? pos : cap - 1] = 0;
                return 0;
            }
            if (pos + 1 < cap)
                line[pos] = buf[i];
            pos++;
        }
    }
}

static int send_all(int ctl, const char *s, size_t len)
{
    while (len) {
        ssize_t n = send(ctl, s, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            return TOE_EINTR;
        if (n <= 0)
            return TOE_ENODEV;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_request(int ctl, const char *req)
{
    if (ctl < 0 || !req || strchr(req, '\n') || strlen(req) > 500)
        return TOE_EINVAL;
    char out[512];
    int len = snprintf(out, sizeof(out), "%s\n", req);
    return send_all(ctl, out, (size_t)len);
}

/* Read the reply of the request sent last (arguments as toed_request). timeout_ms 0: return
 * TOE_EAGAIN when no line of it is there yet (EVENT lines before it are consumed). */
static int read_reply(int ctl, toed_line_cb cb, void *user, int *fd, char *reply,
                      size_t reply_len, int timeout_ms)
{
    if (fd)
        *fd = -1;
    if (reply && reply_len)
        reply[0] = 0;
    int lfd = -1; /* a passed fd belongs to the reply, whichever of its lines it came with */
    int started = 0;
    for (;;) {
        char line[LINE_LEN];
        int f = -1;
        int r = read_line(ctl, line, sizeof(line), &f, started ? -1 : timeout_ms);
        if (f >= 0) {
            if (lfd >= 0)
                close(lfd);
            lfd = f;
        }
        if (r) {
            if (lfd >= 0)
                close(lfd);
            return r;
        }
        if (!strncmp(line, "* ", 2)) {
            started = 1;
            if (cb)
                cb(user, line + 2);
        } else if (!strncmp(line, "EVENT ", 6)) {
            /* about a connection: toed_conn_error reads them */
        } else if (!strcmp(line, "OK") || !strncmp(line, "OK ", 3)) {
            if (reply)
                snprintf(reply, reply_len, "%s", line[2] ? line + 3 : "");
            if (fd)
                *fd = lfd;
            else if (lfd >= 0)
                close(lfd);
            return 0;
        } else if (!strncmp(line, "ERR ", 4)) {
            if (lfd >= 0)
                close(lfd);
            const char *name = line + 4, *sp = strchr(name, ' ');
            if (reply)
                snprintf(reply, reply_len, "%s", sp ? sp + 1 : "");
            return err_from_name(name, sp ? (size_t)(sp - name) : strlen(name));
        } else {
            if (lfd >= 0)
                close(lfd);
            return TOE_EPROTO;
        }
    }
}

int toed_request(int ctl, const char *req, toed_line_cb cb, void *user, int *fd, char *reply,
                 size_t reply_len)
{
    if (fd)
        *fd = -1;
    if (reply && reply_len)
        reply[0] = 0;
    int r = send_request(ctl, req);
    return r ? r : read_reply(ctl, cb, user, fd, reply, reply_len, -1);
}

int toed_open(const char *path, int *ctl)
{
    if (!ctl)
        return TOE_EINVAL;
    *ctl = -1;
    path = toed_socket_path(path);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path))
        return TOE_EINVAL;
    memcpy(a.sun_path, path, strlen(path) + 1);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return TOE_EIO;
    if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
        close(s);
        return TOE_ENODEV;
    }
    char hello[32];
    snprintf(hello, sizeof(hello), "HELLO %d", TOED_PROTO_VERSION);
    int r = send_all(s, hello, strlen(hello));
    if (!r)
        r = send_all(s, "\n", 1);
    char line[LINE_LEN];
    int fd = -1;
    if (!r)
        r = read_line(s, line, sizeof(line), &fd, OPEN_MS);
    if (fd >= 0)
        close(fd);
    if (r == TOE_EAGAIN)
        r = TOE_ETIMEDOUT;
    if (!r && strncmp(line, "OK toed ", 8))
        r = !strncmp(line, "ERR TOE_ENOTSUP", 15) ? TOE_ENOTSUP : TOE_EPROTO;
    if (r) {
        close(s);
        return r;
    }
    *ctl = s;
    return 0;
}

int toed_connect(const char *path, const char *host, uint16_t port, int *ctl)
{
    if (ctl)
        *ctl = -1;
    struct in_addr ia;
    if (!host || inet_pton(AF_INET, host, &ia) != 1 || !port)
        return TOE_EINVAL;
    int c, fd = -1;
    int r = toed_open(path, &c);
    if (r)
        return r;
    char req[64];
    snprintf(req, sizeof(req), "CONNECT %s %u", host, port);
    r = toed_request(c, req, NULL, NULL, &fd, NULL, 0);
    if (!r && fd < 0)
        r = TOE_EPROTO;
    if (r || !ctl)
        close(c);
    else
        *ctl = c;
    return r ? r : fd;
}

int toed_listen(const char *path, uint16_t port, int backlog)
{
    if (!port || backlog < 0 || backlog > 64)
        return TOE_EINVAL;
    int c;
    int r = toed_open(path, &c);
    if (r)
        return r;
    char req[64], reply[64];
    snprintf(req, sizeof(req), "LISTEN %u %d", port, backlog);
    r = toed_request(c, req, NULL, NULL, NULL, reply, sizeof(reply));
    if (r) {
        close(c);
        return r;
    }
    /* "OK ID": the listener, the only one of this control connection (ACCEPT * names it). */
    char *end;
    unsigned long id = strtoul(reply, &end, 10);
    if (end == reply || id == 0) {
        close(c);
        return TOE_EPROTO;
    }
    return c;
}

int toed_accept_start(int lctl)
{
    return send_request(lctl, "ACCEPT *");
}

int toed_accept_finish(int lctl, int timeout_ms, uint32_t *peer_ip, uint16_t *peer_port)
{
    char reply[128];
    int fd = -1;
    int r = read_reply(lctl, NULL, NULL, &fd, reply, sizeof(reply), timeout_ms);
    if (r)
        return r;
    char ip[32];
    unsigned id, port;
    struct in_addr ia;
    if (fd < 0 || sscanf(reply, "%u %31s %u", &id, ip, &port) != 3 ||
        inet_pton(AF_INET, ip, &ia) != 1) {
        if (fd >= 0)
            close(fd);
        return TOE_EPROTO;
    }
    if (peer_ip)
        *peer_ip = ntohl(ia.s_addr);
    if (peer_port)
        *peer_port = (uint16_t)port;
    return fd;
}

int toed_accept(int lctl, uint32_t *peer_ip, uint16_t *peer_port)
{
    int r = toed_accept_start(lctl);
    return r ? r : toed_accept_finish(lctl, -1, peer_ip, peer_port);
}

int toed_conn_error(int ctl, int timeout_ms)
{
    for (;;) {
        char line[LINE_LEN];
        int fd = -1;
        int r = read_line(ctl, line, sizeof(line), &fd, timeout_ms);
        if (fd >= 0)
            close(fd);
        if (r == TOE_ENODEV)
            return 0;
        if (r)
            return r;
        unsigned id;
        char name[64];
        if (sscanf(line, "EVENT %u ERR %63s", &id, name) == 2)
            return err_from_name(name, strlen(name));
    }
}

static void info_line(void *user, const char *line)
{
    struct toe_info *in = user;
    char key[32];
    unsigned long v = 0;
    unsigned m[6];
    if (sscanf(line, "mac %x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
        for (int i = 0; i < 6; i++)
            in->mac[i] = (uint8_t)m[i];
        return;
    }
    if (sscanf(line, "%31s %lu", key, &v) != 2)
        return;
    if (!strcmp(key, "id"))
        in->id = (uint32_t)v;
    else if (!strcmp(key, "version"))
        in->version = (uint32_t)v;
    else if (!strcmp(key, "caps"))
        in->caps = (uint32_t)v;
    else if (!strcmp(key, "slots"))
        in->slots = (unsigned)v;
    else if (!strcmp(key, "link_kind"))
        in->link_kind = (unsigned)v;
    else if (!strcmp(key, "link_rate"))
        in->link_rate = (uint32_t)v;
    else if (!strcmp(key, "ip"))
        in->ip = (uint32_t)v;
    else if (!strcmp(key, "netmask"))
        in->netmask = (uint32_t)v;
    else if (!strcmp(key, "gateway"))
        in->gateway = (uint32_t)v;
}

struct info_ctx {
    struct toe_info in;
    char *spec;
    size_t spec_len;
};

static void info_cb(void *user, const char *line)
{
    struct info_ctx *x = user;
    if (!strncmp(line, "device ", 7)) {
        if (x->spec && x->spec_len)
            snprintf(x->spec, x->spec_len, "%s", line + 7);
        return;
    }
    info_line(&x->in, line);
}

int toed_info(const char *path, struct toe_info *info, char *spec, size_t spec_len)
{
    if (!info)
        return TOE_EINVAL;
    memset(info, 0, sizeof(*info));
    struct info_ctx x = {.spec = spec, .spec_len = spec_len};
    if (spec && spec_len)
        spec[0] = 0;
    int c;
    int r = toed_open(path, &c);
    if (r)
        return r;
    r = toed_request(c, "INFO", info_cb, &x, NULL, NULL, 0);
    close(c);
    if (!r)
        *info = x.in;
    return r;
}

struct ns_ctx {
    struct toe_tcp_info *out;
    size_t n, got;
};

static uint32_t ip_of(const char *s)
{
    struct in_addr ia;
    return inet_pton(AF_INET, s, &ia) == 1 ? ntohl(ia.s_addr) : 0;
}

static void netstat_cb(void *user, const char *line)
{
    struct ns_ctx *x = user;
    if (x->got >= x->n)
        return;
    char st[32], l[32], rm[32];
    int slot;
    unsigned v[14];
    if (sscanf(line, "%31s %d %31s %u %31s %u %u %u %u %u %u %u %u %u %u %u %u %u", st, &slot, l,
               &v[0], rm, &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
               &v[11], &v[12], &v[13]) != 18)
        return;
    struct toe_tcp_info *t = &x->out[x->got++];
    memset(t, 0, sizeof(*t));
    t->state = -1;
    for (int s = 0; s < 16; s++)
        if (!strcmp(toe_tcp_state_name(s), st))
            t->state = s;
    t->slot = slot;
    t->orphan = -1;
    t->local_ip = ip_of(l);
    t->local_port = (uint16_t)v[0];
    t->remote_ip = ip_of(rm);
    t->remote_port = (uint16_t)v[1];
    t->snd_una = v[2];
    t->snd_nxt = v[3];
    t->snd_wnd = v[4];
    t->tx_end = v[5];
    t->tx_queued = t->tx_end - t->snd_una; /* as toe_tcp_netstat: not yet acknowledged */
    t->rcv_nxt = v[6];
    t->rcv_wnd = v[7];
    t->cwnd = v[8];
    t->ssthresh = v[9];
    t->retransmits = v[10];
    t->mss = (uint16_t)v[11];
    t->snd_wscale = (uint8_t)v[12];
    t->rcv_wscale = (uint8_t)v[13];
}

int toed_netstat(const char *path, struct toe_tcp_info *out, size_t n, size_t *got)
{
    if (got)
        *got = 0;
    if (!out && n)
        return TOE_EINVAL;
    struct ns_ctx x = {out, n, 0};
    int c;
    int r = toed_open(path, &c);
    if (r)
        return r;
    r = toed_request(c, "NETSTAT", netstat_cb, &x, NULL, NULL, 0);
    close(c);
    if (got)
        *got = x.got;
    return r;
}

/* ---- HTTP over daemon connections --------------------------------------------------------- */

struct hconn {
    int fd;
};

static int h_wait(int fd, short ev, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = ev};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0)
        return errno == EINTR ? TOE_EINTR : TOE_EIO;
    return n ? 0 : TOE_ETIMEDOUT;
}

static int h_connect(void *user, uint32_t ip, uint16_t port, int timeout_ms, void **conn)
{
    (void)timeout_ms; /* the daemon's SYN retries bound it */
    char host[16];
    snprintf(host, sizeof(host), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
             ip & 255);
    struct hconn *h = malloc(sizeof(*h));
    if (!h)
        return TOE_ENOMEM;
    int fd = toed_connect(user, host, port, NULL);
    if (fd < 0) {
        free(h);
        return fd;
    }
    h->fd = fd;
    *conn = h;
    return 0;
}

static int h_send(void *conn, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    struct hconn *h = conn;
    *sent = 0;
    int r = h_wait(h->fd, POLLOUT, timeout_ms);
    if (r)
        return r;
    ssize_t n = send(h->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0)
        return errno == EAGAIN ? 0 : errno == EPIPE ? TOE_EPIPE : TOE_ECONNRESET;
    *sent = (size_t)n;
    return 0;
}

static int h_recv(void *conn, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct hconn *h = conn;
    *got = 0;
    int r = h_wait(h->fd, POLLIN, timeout_ms);
    if (r)
        return r;
    ssize_t n = recv(h->fd, buf, cap, MSG_DONTWAIT);
    if (n < 0)
        return errno == EAGAIN ? TOE_ETIMEDOUT : TOE_ECONNRESET;
    *got = (size_t)n;
    return 0;
}

static void h_close(void *conn)
{
    struct hconn *h = conn;
    close(h->fd);
    free(h);
}

int toed_http_io(struct toe_http_io *io, const char *path)
{
    if (!io)
        return TOE_EINVAL;
    memset(io, 0, sizeof(*io));
    io->user = (void *)toed_socket_path(path);
    io->connect = h_connect;
    io->send = h_send;
    io->recv = h_recv;
    io->close = h_close;
    return 0;
}
