/* SPDX-License-Identifier: MIT */
/* echo: a TCP echo server in one epoll loop, to show the two ways a program with its own
 * event loop uses a toe device:
 *
 *   toe-echo [-s SOCKET] [-p PORT] [-n N]     through the daemon toed (docs/DAEMON.md)
 *   toe-echo -d DEVICE [-p PORT] [-n N]       on the device directly (libtoe in the loop)
 *
 * Through toed (the default; SOCKET as toed_socket_path: $TOE_DAEMON, else
 * /run/toed/toed.sock), every descriptor in the loop is a plain one: the control connection
 * holding the listener (toed_listen), on which an ACCEPT is always outstanding
 * (toed_accept_start; when it turns readable, toed_accept_finish takes the connection's
 * socket), and each connection's socket, read and written non-blocking like a kernel socket.
 * End of file on a connection is the peer's FIN: what is still buffered goes back, then
 * close() (the daemon sends our FIN).
 *
 * On the device (-d), libtoe joins the loop with toe_get_fd (its descriptor, POLLOUT while
 * link output is queued) and toe_next_timeout (the engine's next deadline); after each wake-up
 * toe_handle_events turns the engine once, then toe_tcp_accept, toe_tcp_poll, toe_tcp_recv
 * and toe_tcp_send, all with timeout 0, move the bytes. A turn that moved bytes is followed by
 * one that does not wait (libtoe may hold more than the descriptor shows). After the peer's
 * FIN and the last byte back, toe_tcp_shutdown sends ours; the socket is closed once that is
 * acknowledged (a close still in progress would be reset by toe_close at exit).
 *
 * SIGINT and SIGTERM come through a signalfd in the same loop and stop it. -n N: stop after N
 * connections have ended. One line per connection on stderr ("echo: PEER:PORT N bytes" or
 * "... error"), "echo: listening on port P" once ready, "echo: done: C connections, B bytes"
 * at the end; exit 0, or 1 on an error of the daemon or the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "toe.h"
#include "toed.h"

#define BUF_LEN 16384
#define MAX_CONNS 64

struct conn {
    int fd;       /* through toed: the connection's socket; -1 unused */
    toe_sock *s;  /* on the device: the socket; NULL unused */
    uint32_t ip;
    uint16_t port;
    char buf[BUF_LEN];
    size_t len;   /* bytes received, not yet sent back */
    int eof;      /* the peer's FIN seen */
    int fin;      /* on the device: our FIN sent (toe_tcp_shutdown) */
    unsigned long long bytes;
};

static struct conn conns[MAX_CONNS];
static unsigned long served, limit;
static unsigned long long total;
static int sigfd = -1; /* SIGINT, SIGTERM; &sigfd marks it in epoll */

static const char usage[] = "usage: toe-echo [-s SOCKET | -d DEVICE] [-p PORT] [-n N]\n";

static struct conn *conn_new(void)
{
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].fd < 0 && !conns[i].s) {
            conns[i].len = 0;
            conns[i].eof = 0;
            conns[i].fin = 0;
            conns[i].bytes = 0;
            return &conns[i];
        }
    return NULL;
}

static void conn_done(struct conn *c, const char *err)
{
    fprintf(stderr, "echo: %u.%u.%u.%u:%u %llu bytes%s%s\n", c->ip >> 24, (c->ip >> 16) & 255,
            (c->ip >> 8) & 255, c->ip & 255, c->port, c->bytes, err ? " error: " : "",
            err ? err : "");
    total += c->bytes;
    served++;
    c->fd = -1;
    c->s = NULL;
}

/* ---- through the daemon ---------------------------------------------------------------- */

/* Ask epoll for what the connection can use now: input while there is room, output while
 * there is something to send back. */
static void fd_interest(int ep, struct conn *c)
{
    struct epoll_event e = {.events = 0, .data.ptr = c};
    if (!c->eof && c->len < BUF_LEN)
        e.events |= EPOLLIN;
    if (c->len)
        e.events |= EPOLLOUT;
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* Move what can move on one connection; close it when it is over. */
static void fd_serve(int ep, struct conn *c)
{
    for (;;) {
        int moved = 0;
        if (!c->eof && c->len < BUF_LEN) {
            ssize_t n = read(c->fd, c->buf + c->len, BUF_LEN - c->len);
            if (n > 0) {
                c->len += (size_t)n;
                moved = 1;
            } else if (n == 0) {
                c->eof = 1;
            } else if (errno != EAGAIN && errno != EINTR) {
                const char *e = strerror(errno);
                close(c->fd);
                conn_done(c, e);
                return;
            }
        }
        if (c->len) {
            ssize_t n = send(c->fd, c->buf, c->len, MSG_NOSIGNAL);
            if (n > 0) {
                memmove(c->buf, c->buf + n, c->len - (size_t)n);
                c->len -= (size_t)n;
                c->bytes += (size_t)n;
                moved = 1;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                const char *e = strerror(errno);
                close(c->fd);
                conn_done(c, e);
                return;
            }
        }
        if (c->eof && !c->len) {
            close(c->fd); /* everything read and sent back: the daemon sends our FIN */
            conn_done(c, NULL);
            return;
        }
        if (!moved)
            break;
    }
    fd_interest(ep, c);
}

static int run_daemon(const char *path, uint16_t port, int ep)
{
    int lctl = toed_listen(path, port, 16);
    if (lctl < 0) {
        fprintf(stderr, "echo: listen on %u through %s: %s\n", port, toed_socket_path(path),
                toe_strerror(lctl));
        return 1;
    }
    int r = toed_accept_start(lctl);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &lctl};
    if (r || epoll_ctl(ep, EPOLL_CTL_ADD, lctl, &e)) {
        fprintf(stderr, "echo: accept: %s\n", r ? toe_strerror(r) : strerror(errno));
        return 1;
    }
    fprintf(stderr, "echo: listening on port %u (through %s)\n", port, toed_socket_path(path));
    int rc = 0;
    while (!limit || served < limit) {
        struct epoll_event got[16];
        int n = epoll_wait(ep, got, 16, -1);
        if (n < 0 && errno == EINTR)
            continue;
        int stop = 0;
        for (int i = 0; i < n; i++) {
            void *p = got[i].data.ptr;
            if (p == &sigfd) {
                stop = 1;
            } else if (p == &lctl) {
                uint32_t ip;
                uint16_t pport;
                int fd = toed_accept_finish(lctl, 0, &ip, &pport);
                if (fd == TOE_EAGAIN)
                    continue; /* an EVENT line about a connection, not the answer */
                if (fd < 0) {
                    fprintf(stderr, "echo: accept: %s\n", toe_strerror(fd));
                    stop = 1;
                    rc = 1;
                    break;
                }
                struct conn *c = conn_new();
                if (!c) {
                    fprintf(stderr, "echo: more than %d connections: one refused\n", MAX_CONNS);
                    close(fd); /* the daemon resets it */
                } else {
                    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                    c->fd = fd;
                    c->ip = ip;
                    c->port = pport;
                    struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
                }
                r = toed_accept_start(lctl);
                if (r) {
                    fprintf(stderr, "echo: accept: %s\n", toe_strerror(r));
                    stop = 1;
                    rc = 1;
                    break;
                }
            } else {
                fd_serve(ep, p);
            }
        }
        if (stop)
            break;
    }
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].fd >= 0)
            close(conns[i].fd);
    close(lctl);
    return rc;
}

/* ---- on the device --------------------------------------------------------------------- */

/* Move what can move on one connection; returns 1 if bytes moved. */
static int sock_serve(struct conn *c, short revents)
{
    int moved = 0;
    if (revents & TOE_POLLIN && !c->eof && c->len < BUF_LEN) {
        size_t got = 0;
        int r = toe_tcp_recv(c->s, c->buf + c->len, BUF_LEN - c->len, &got, 0);
        if (!r && !got)
            c->eof = 1;
        else if (!r)
            c->len += got, moved = 1;
        else if (r != TOE_EAGAIN) {
            toe_tcp_abort(c->s);
            conn_done(c, toe_strerror(r));
            return 1;
        }
    }
    if (c->len) {
        size_t sent = 0;
        int r = toe_tcp_send(c->s, c->buf, c->len, &sent, 0);
        if (sent) {
            memmove(c->buf, c->buf + sent, c->len - sent);
            c->len -= sent;
            c->bytes += sent;
            moved = 1;
        } else if (r && r != TOE_EAGAIN) {
            toe_tcp_abort(c->s);
            conn_done(c, toe_strerror(r));
            return 1;
        }
    }
    if (c->eof && !c->len && !c->fin) {
        toe_tcp_shutdown(c->s, 0); /* our FIN after the data; kept until it is acknowledged */
        c->fin = 1;
    }
    return moved;
}

/* After our FIN: once the peer acknowledged it (all data with it), the connection is over
 * and the socket is freed. (toe_tcp_close at once would do too while the program runs on,
 * but toe_close at exit resets what is still closing: the peer would lose the end.) */
static void sock_finish(struct conn *c)
{
    struct toe_tcp_info in;
    if (toe_tcp_sockinfo(c->s, &in) == 0 && in.state != TOE_TCPS_CLOSED &&
        in.state != TOE_TCPS_TIME_WAIT && in.state != TOE_TCPS_FIN_WAIT_2)
        return;
    toe_tcp_close(c->s, 0);
    conn_done(c, NULL);
}

static int run_device(const char *spec, uint16_t port, int ep)
{
    toe_dev *dev;
    toe_sock *ls;
    int r = toe_open(&dev, spec, NULL);
    if (r) {
        fprintf(stderr, "echo: %s: %s\n", spec, toe_strerror(r));
        return 1;
    }
    int dfd;
    short ev;
    r = toe_tcp_socket(dev, &ls);
    if (!r)
        r = toe_tcp_listen(ls, port, 16);
    if (!r)
        r = toe_get_fd(dev, &dfd, &ev);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = dev};
    if (r || epoll_ctl(ep, EPOLL_CTL_ADD, dfd, &e)) {
        fprintf(stderr, "echo: listen on %u: %s\n", port, r ? toe_strerror(r) : strerror(errno));
        toe_close(dev);
        return 1;
    }
    fprintf(stderr, "echo: listening on port %u (on %s)\n", port, spec);
    int rc = 0, again = 0;
    while (!limit || served < limit) {
        int ms;
        toe_get_fd(dev, &dfd, &ev); /* POLLOUT only while link output is queued */
        e.events = EPOLLIN | (ev & POLLOUT ? EPOLLOUT : 0);
        epoll_ctl(ep, EPOLL_CTL_MOD, dfd, &e);
        toe_next_timeout(dev, &ms);
        struct epoll_event got[4];
        int n = epoll_wait(ep, got, 4, again ? 0 : ms);
        if (n < 0 && errno != EINTR)
            break;
        int stop = 0;
        for (int i = 0; i < n; i++)
            if (got[i].data.ptr == &sigfd)
                stop = 1;
        if (stop)
            break;
        r = toe_handle_events(dev);
        if (r < 0 && r != TOE_EINTR) {
            fprintf(stderr, "echo: device: %s\n", toe_strerror(r));
            rc = 1;
            break;
        }
        again = 0;
        toe_sock *s;
        uint32_t ip;
        uint16_t pport;
        while (toe_tcp_accept(ls, &s, &ip, &pport, 0) == 0) {
            struct conn *c = conn_new();
            if (!c) {
                fprintf(stderr, "echo: more than %d connections: one reset\n", MAX_CONNS);
                toe_tcp_abort(s);
                continue;
            }
            c->s = s;
            c->ip = ip;
            c->port = pport;
            again = 1;
        }
        struct toe_tcp_pollfd pfd[MAX_CONNS];
        struct conn *pc[MAX_CONNS];
        size_t np = 0;
        for (int i = 0; i < MAX_CONNS; i++)
            if (conns[i].s) {
                pc[np] = &conns[i];
                pfd[np].sock = conns[i].s;
                pfd[np].events = (short)((!conns[i].eof && conns[i].len < BUF_LEN ? TOE_POLLIN : 0) |
                                         (conns[i].len ? TOE_POLLOUT : 0));
                pfd[np++].revents = 0;
            }
        if (np && toe_tcp_poll(pfd, np, 0) > 0)
            for (size_t i = 0; i < np; i++)
                if (pfd[i].revents && !pc[i]->fin)
                    again |= sock_serve(pc[i], pfd[i].revents);
        for (size_t i = 0; i < np; i++)
            if (pc[i]->s && pc[i]->fin)
                sock_finish(pc[i]);
    }
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].s)
            toe_tcp_abort(conns[i].s);
    toe_tcp_close(ls, 0);
    toe_close(dev);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *spec = NULL;
    unsigned long port = 7;
    int opt;
    while ((opt = getopt(argc, argv, "s:d:p:n:h")) != -1) {
        char *end = NULL;
        switch (opt) {
        case 's':
            path = optarg;
            break;
        case 'd':
            spec = optarg;
            break;
        case 'p':
            port = strtoul(optarg, &end, 10);
            if (*end || !port || port > 65535) {
                fprintf(stderr, "echo: bad port: %s\n", optarg);
                return 2;
            }
            break;
        case 'n':
            limit = strtoul(optarg, &end, 10);
            if (*end) {
                fprintf(stderr, "echo: bad count: %s\n", optarg);
                return 2;
            }
            break;
        default:
            fputs(usage, opt == 'h' ? stdout : stderr);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (optind < argc || (path && spec)) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &sigfd};
    if (ep < 0 || sigfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sigfd, &e)) {
        fprintf(stderr, "echo: epoll: %s\n", strerror(errno));
        return 1;
    }
    int rc = spec ? run_device(spec, (uint16_t)port, ep)
                  : run_daemon(path, (uint16_t)port, ep);
    fprintf(stderr, "echo: done: %lu connections, %llu bytes\n", served, total);
    return rc;
}
