/* SPDX-License-Identifier: MIT */
/* libtoe-preload.so: unmodified programs over the offloaded TCP (docs/PRELOAD.md).
 *
 * LD_PRELOAD'ed, it takes the socket calls of IPv4 TCP sockets. socket() makes an ordinary
 * kernel socket (the placeholder: the fd number exists and everything not routed stays on
 * the kernel). connect() to a routed destination asks toed (docs/DAEMON.md) for the
 * connection and dup3()s the connected stream socket it passes onto the program's fd, so
 * read, write, poll, epoll, select, shutdown need nothing from here. listen() on a routed
 * port puts the daemon's control connection on the fd, with an ACCEPT sent ahead: the fd is
 * readable when a connection waits, as a listening socket's. getsockname, getpeername,
 * getsockopt, setsockopt answer for the fds that are the daemon's; close forgets them.
 *
 *   TOE_PRELOAD_ROUTE  what goes through the board: "all" (the default: every IPv4
 *                      destination but loopback) or a comma list of CIDR[:PORT[-PORT]] and
 *                      :PORT[-PORT] items; "none" keeps everything on the kernel
 *   TOE_DAEMON         the daemon's socket (default /run/toed/toed.sock)
 *   TOE_PRELOAD_DNS    getaddrinfo of host names through the device's DNS: "device" (the
 *                      daemon's default server) or the server's IPv4; unset: the host's
 *   TOE_PRELOAD_DEBUG  1: say on stderr which sockets go through the board
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "toed.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_FD 65536 /* fds above stay on the kernel */
#define MAX_ROUTES 32
#define TCP_OPTS 8

/* F_CONNECTING: a non-blocking connect in its handshake (the socket is the daemon's
 * already, not writable until the end); F_FAILED: it ended in so_error. */
enum { F_NONE, F_PLACE, F_BOUND, F_CONNECTING, F_CONN, F_FAILED, F_LISTEN };

struct pfd {
    unsigned char kind;
    int ctl;                        /* F_CONNECTING: the control connection of its CONNECT */
    unsigned id;                    /* F_CONNECTING: the daemon's connection ID */
    uint32_t dev_ip;                /* F_LISTEN: the device's address (accepted sockets') */
    int so_error;                   /* F_FAILED: the errno SO_ERROR reports (once) */
    struct sockaddr_in local, peer; /* F_BOUND: local as bound; F_CONN: both */
    int tcpopt[TCP_OPTS][2];        /* IPPROTO_TCP options set: name, value */
    int ntcpopt;
};

struct route {
    uint32_t net, mask;
    uint16_t lo, hi; /* ports; 0..65535 for any */
};

static struct {
    pthread_once_t once;
    pthread_mutex_t mu;
    int (*socket)(int, int, int);
    int (*connect)(int, const struct sockaddr *, socklen_t);
    int (*bind)(int, const struct sockaddr *, socklen_t);
    int (*listen)(int, int);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    int (*getsockname)(int, struct sockaddr *, socklen_t *);
    int (*getpeername)(int, struct sockaddr *, socklen_t *);
    int (*getsockopt)(int, int, int, void *, socklen_t *);
    int (*setsockopt)(int, int, int, const void *, socklen_t);
    int (*close)(int);
    int (*getaddrinfo)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    int dns;             /* getaddrinfo through the device */
    uint32_t dns_server; /* 0: the daemon's default */
    struct route routes[MAX_ROUTES];
    int nroutes;
    int debug;
    struct pfd *fds;
} P = {.once = PTHREAD_ONCE_INIT, .mu = PTHREAD_MUTEX_INITIALIZER};

static void dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void dbg(const char *fmt, ...)
{
    if (!P.debug)
        return;
    char b[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof(b) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof(b) - 2)
        n = (int)sizeof(b) - 2;
    b[n++] = '\n';
    if (write(2, b, (size_t)n) < 0) {
        /* nothing to do */
    }
}

static int parse_ip(const char *s, uint32_t *ip)
{
    struct in_addr ia;
    if (inet_pton(AF_INET, s, &ia) != 1)
        return -1;
    *ip = ntohl(ia.s_addr);
    return 0;
}

/* One route item: CIDR[:PORT[-PORT]] or :PORT[-PORT] or "all". 0 or -1. */
static int parse_route(const char *item, struct route *r)
{
    char b[64];
    if (strlen(item) >= sizeof(b))
        return -1;
    strcpy(b, item);
    *r = (struct route){0, 0, 0, 65535};
    if (!strcmp(b, "all"))
        return 0;
    char *colon = strchr(b, ':');
    if (colon) {
        *colon = 0;
        char *dash = strchr(colon + 1, '-'), *end;
        long lo = strtol(colon + 1, &end, 10), hi = lo;
        if (end == colon + 1 || (dash ? end != dash : *end != 0))
            return -1;
        if (dash) {
            hi = strtol(dash + 1, &end, 10);
            if (end == dash + 1 || *end)
                return -1;
        }
        if (lo < 1 || hi > 65535 || lo > hi)
            return -1;
        r->lo = (uint16_t)lo;
        r->hi = (uint16_t)hi;
    }
    if (!b[0])
        return 0; /* :PORT: any address */
    char *slash = strchr(b, '/');
    long bits = 32;
    if (slash) {
        *slash = 0;
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > 32)
            return -1;
    }
    struct in_addr ia;
    if (inet_pton(AF_INET, b, &ia) != 1)
        return -1;
    r->mask = bits ? 0xffffffffu << (32 - bits) : 0;
    r->net = ntohl(ia.s_addr) & r->mask;
    return 0;
}

static void init(void)
{
    P.socket = dlsym(RTLD_NEXT, "socket");
    P.connect = dlsym(RTLD_NEXT, "connect");
    P.bind = dlsym(RTLD_NEXT, "bind");
    P.listen = dlsym(RTLD_NEXT, "listen");
    P.accept4 = dlsym(RTLD_NEXT, "accept4");
    P.getsockname = dlsym(RTLD_NEXT, "getsockname");
    P.getpeername = dlsym(RTLD_NEXT, "getpeername");
    P.getsockopt = dlsym(RTLD_NEXT, "getsockopt");
    P.setsockopt = dlsym(RTLD_NEXT, "setsockopt");
    P.close = dlsym(RTLD_NEXT, "close");
    P.getaddrinfo = dlsym(RTLD_NEXT, "getaddrinfo");
    const char *dns = getenv("TOE_PRELOAD_DNS");
    if (dns && *dns) {
        P.dns = !strcmp(dns, "device") || !parse_ip(dns, &P.dns_server);
        if (!P.dns)
            fprintf(stderr, "libtoe-preload: TOE_PRELOAD_DNS: '%s' is neither 'device' nor an "
                            "IPv4 address (the host resolves names)\n", dns);
    }
    const char *d = getenv("TOE_PRELOAD_DEBUG");
    P.debug = d && *d && strcmp(d, "0");
    const char *rt = getenv("TOE_PRELOAD_ROUTE");
    if (!rt || !*rt)
        rt = "all";
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", rt);
    char *save = NULL;
    for (char *it = strtok_r(buf, ", ", &save); it; it = strtok_r(NULL, ", ", &save)) {
        if (!strcmp(it, "none"))
            continue;
        if (P.nroutes == MAX_ROUTES || parse_route(it, &P.routes[P.nroutes])) {
            fprintf(stderr, "libtoe-preload: TOE_PRELOAD_ROUTE: bad item '%s' (ignored)\n", it);
            continue;
        }
        P.nroutes++;
    }
    P.fds = calloc(MAX_FD, sizeof(*P.fds));
    if (!P.fds)
        P.nroutes = 0; /* no table: everything stays on the kernel */
}

static void need_init(void) { pthread_once(&P.once, init); }

static int routed(uint32_t ip, uint16_t port)
{
    if ((ip >> 24) == 127)
        return 0; /* loopback is the kernel's */
    for (int i = 0; i < P.nroutes; i++)
        if ((ip & P.routes[i].mask) == P.routes[i].net && port >= P.routes[i].lo &&
            port <= P.routes[i].hi)
            return 1;
    return 0;
}

/* A port to listen on: ip 0 (any address) if a route takes the port at all. */
static int routed_port(uint32_t ip, uint16_t port)
{
    if (ip)
        return routed(ip, port);
    for (int i = 0; i < P.nroutes; i++)
        if (port >= P.routes[i].lo && port <= P.routes[i].hi)
            return 1;
    return 0;
}

/* The entry of fd (NULL if fd is not an IPv4 TCP socket of the program's). */
static struct pfd *entry(int fd)
{
    need_init();
    if (!P.fds || fd < 0 || fd >= MAX_FD || P.fds[fd].kind == F_NONE)
        return NULL;
    return &P.fds[fd];
}

static int toe_errno(int r)
{
    switch (r) {
    case TOE_ECONNREFUSED: return ECONNREFUSED;
    case TOE_ETIMEDOUT: return ETIMEDOUT;
    case TOE_EUNREACH: return ENETUNREACH;
    case TOE_ECONNRESET: return ECONNRESET;
    case TOE_ECONNABORTED: return ECONNABORTED;
    case TOE_EADDRINUSE: return EADDRINUSE;
    case TOE_EADDRNOTAVAIL: return EADDRNOTAVAIL;
    case TOE_ENOSLOT: return EAGAIN; /* as a kernel out of local ports */
    case TOE_EINTR: return EINTR;
    case TOE_ENOMEM: return ENOMEM;
    case TOE_ENODEV: return ENETDOWN; /* no daemon */
    default: return EIO;
    }
}

static int fail(int e)
{
    errno = e;
    return -1;
}

static void sin_of(struct sockaddr_in *a, uint32_t ip, uint16_t port)
{
    *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(ip)};
}


/* Put newfd on fd's number, keeping what the program set on fd: O_NONBLOCK, FD_CLOEXEC and
 * the timeouts (SO_RCVTIMEO, SO_SNDTIMEO). Closes newfd. 0 or -1 (errno). */
static int take_over(int fd, int newfd)
{
    int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
    struct timeval tv[2];
    socklen_t l0 = sizeof(tv[0]), l1 = sizeof(tv[1]);
    int t0 = P.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv[0], &l0);
    int t1 = P.getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv[1], &l1);
    if (fl < 0 || fdfl < 0 || dup3(newfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
        int e = errno;
        P.close(newfd);
        return fail(e);
    }
    P.close(newfd);
    fcntl(fd, F_SETFL, (fcntl(fd, F_GETFL) & ~O_NONBLOCK) | (fl & O_NONBLOCK));
    if (!t0)
        P.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv[0], l0);
    if (!t1)
        P.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv[1], l1);
    return 0;
}

/* ---- socket, connect -------------------------------------------------------------------- */

EXPORT int socket(int domain, int type, int protocol)
{
    need_init();
    int fd = P.socket(domain, type, protocol);
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0 && fd < MAX_FD && P.fds) {
        /* A new fd forgets whatever its number was (closed behind our back: dup2, exec). */
        int ours = domain == AF_INET && base == SOCK_STREAM &&
                   (protocol == 0 || protocol == IPPROTO_TCP) && P.nroutes;
        pthread_mutex_lock(&P.mu);
        P.fds[fd] = (struct pfd){.kind = ours ? F_PLACE : F_NONE, .ctl = -1};
        pthread_mutex_unlock(&P.mu);
    }
    return fd;
}

/* A non-blocking connect: has its handshake ended? Waits up to timeout_ms for the daemon's
 * word. 1 still in progress, else 0 (kind F_CONN or F_FAILED now). */
static int settle(struct pfd *e, int timeout_ms)
{
    if (e->kind != F_CONNECTING)
        return 0;
    uint32_t la = 0;
    uint16_t lp = 0;
    int r = toed_connect_result(e->ctl, e->id, timeout_ms, &la, &lp);
    if (r == TOE_EAGAIN || r == TOE_EINTR)
        return 1;
    P.close(e->ctl);
    e->ctl = -1;
    if (r) {
        e->kind = F_FAILED;
        e->so_error = r == TOE_ENODEV ? ECONNRESET : toe_errno(r);
        return 0;
    }
    e->kind = F_CONN;
    sin_of(&e->local, la, lp);
    return 0;
}

/* CONNECT ... NB: the socket on fd at once, EINPROGRESS; the result comes with settle(). */
static int connect_nb(int fd, struct pfd *e, const char *req)
{
    int ctl, cfd = -1;
    char nreq[80], reply[64];
    unsigned id = 0;
    snprintf(nreq, sizeof(nreq), "%s NB", req);
    int r = toed_open(NULL, &ctl);
    if (r)
        return fail(toe_errno(r));
    r = toed_request(ctl, nreq, NULL, NULL, &cfd, reply, sizeof(reply));
    if (!r && (cfd < 0 || sscanf(reply, "%u", &id) != 1 || !id))
        r = TOE_EPROTO;
    if (r && cfd >= 0)
        P.close(cfd);
    if (r || take_over(fd, cfd)) {
        int en = r ? toe_errno(r) : errno;
        P.close(ctl);
        return fail(en);
    }
    e->kind = F_CONNECTING;
    e->ctl = ctl;
    e->id = id;
    return fail(EINPROGRESS);
}

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind == F_LISTEN || !addr || len < (socklen_t)sizeof(struct sockaddr_in) ||
        addr->sa_family != AF_INET)
        return P.connect(fd, addr, len);
    if (settle(e, 0))
        return fail(EALREADY);
    if (e->kind == F_CONN)
        return fail(EISCONN);
    if (e->kind == F_FAILED) {
        int en = e->so_error ? e->so_error : ECONNABORTED;
        e->so_error = 0;
        return fail(en);
    }
    const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
    uint32_t ip = ntohl(sin->sin_addr.s_addr);
    uint16_t port = ntohs(sin->sin_port);
    if (!routed(ip, port)) {
        e->kind = F_NONE; /* the kernel's from now on */
        return P.connect(fd, addr, len);
    }
    char host[INET_ADDRSTRLEN], req[64], reply[128];
    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
    snprintf(req, sizeof(req), "CONNECT %s %u", host, port);
    e->peer = *sin;
    if (fcntl(fd, F_GETFL) & O_NONBLOCK) {
        dbg("libtoe-preload: fd %d: connect %s:%u through the board: in progress", fd, host, port);
        return connect_nb(fd, e, req);
    }
    int ctl, cfd = -1;
    int r = toed_open(NULL, &ctl);
    if (!r) {
        r = toed_request(ctl, req, NULL, NULL, &cfd, reply, sizeof(reply));
        P.close(ctl);
    }
    dbg("libtoe-preload: fd %d: connect %s:%u through the board: %s", fd, host, port,
        r ? toe_error_name(r) : "connected");
    if (r)
        return fail(toe_errno(r));
    unsigned id, lport;
    char lip[32];
    uint32_t la = 0;
    if (cfd < 0 || sscanf(reply, "%u %u %31s", &id, &lport, lip) != 3 || parse_ip(lip, &la)) {
        if (cfd >= 0)
            P.close(cfd);
        return fail(EIO);
    }
    if (take_over(fd, cfd))
        return -1;
    e->kind = F_CONN;
    sin_of(&e->local, la, (uint16_t)lport);
    return 0;
}

/* ---- bind, listen, accept --------------------------------------------------------------- */

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind != F_PLACE || !addr || len < (socklen_t)sizeof(struct sockaddr_in) ||
        addr->sa_family != AF_INET)
        return P.bind(fd, addr, len);
    const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
    uint16_t port = ntohs(sin->sin_port);
    uint32_t ip = ntohl(sin->sin_addr.s_addr);
    /* A port on the board: any address or one the routes take (port 0 asks the kernel). */
    if (!port || !routed_port(ip, port)) {
        e->kind = F_NONE;
        return P.bind(fd, addr, len);
    }
    e->kind = F_BOUND;
    e->local = *sin;
    dbg("libtoe-preload: fd %d: bound to port %u on the board", fd, port);
    return 0;
}

EXPORT int listen(int fd, int backlog)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind != F_BOUND)
        return P.listen(fd, backlog);
    int lctl = toed_listen(NULL, ntohs(e->local.sin_port),
                           backlog < 0 ? 0 : backlog > 64 ? 64 : backlog);
    dbg("libtoe-preload: fd %d: listen on port %u through the board: %s", fd,
        ntohs(e->local.sin_port), lctl < 0 ? toe_error_name(lctl) : "ok");
    if (lctl < 0)
        return fail(toe_errno(lctl));
    struct toe_info in;
    char spec[64];
    int r = toed_info(NULL, &in, spec, sizeof(spec));
    /* An ACCEPT sent ahead: the fd reads as ready when a connection is there. */
    if (!r)
        r = toed_accept_start(lctl);
    if (r) {
        P.close(lctl);
        return fail(toe_errno(r));
    }
    if (take_over(fd, lctl))
        return -1;
    e->kind = F_LISTEN;
    e->dev_ip = in.ip;
    return 0;
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind != F_LISTEN)
        return P.accept4(fd, addr, len, flags);
    int nb = fcntl(fd, F_GETFL) & O_NONBLOCK;
    uint32_t pa = 0;
    uint16_t pport = 0;
    int cfd;
    for (;;) {
        if (nb) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (poll(&p, 1, 0) == 0)
                return fail(EAGAIN);
        }
        /* Lines other than the answer (EVENTs of accepted connections) may wake a
         * non-blocking caller for nothing: EAGAIN, as a connection gone before accept. */
        cfd = toed_accept_finish(fd, nb ? 0 : -1, &pa, &pport);
        if (cfd != TOE_EAGAIN)
            break;
        if (nb)
            return fail(EAGAIN);
    }
    if (cfd == TOE_EINTR)
        return fail(EINTR);
    if (cfd == TOE_ENODEV)
        return fail(EINVAL); /* the daemon went away: no longer listening */
    int r = toed_accept_start(fd); /* the next one, ahead */
    if (cfd < 0)
        return fail(cfd == TOE_EPROTO ? EPROTO : ECONNABORTED);
    if (r) {
        P.close(cfd);
        return fail(EINVAL);
    }
    /* The fd came with close-on-exec set (MSG_CMSG_CLOEXEC). */
    if (!(flags & SOCK_CLOEXEC))
        fcntl(cfd, F_SETFD, 0);
    if (flags & SOCK_NONBLOCK)
        fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK);
    if (cfd >= MAX_FD) {
        P.close(cfd);
        return fail(EMFILE);
    }
    pthread_mutex_lock(&P.mu);
    P.fds[cfd] = (struct pfd){.kind = F_CONN, .ctl = -1};
    sin_of(&P.fds[cfd].peer, pa, pport);
    sin_of(&P.fds[cfd].local, e->dev_ip, ntohs(e->local.sin_port));
    pthread_mutex_unlock(&P.mu);
    dbg("libtoe-preload: fd %d: accepted %u.%u.%u.%u:%u as fd %d", fd, pa >> 24, (pa >> 16) & 255,
        (pa >> 8) & 255, pa & 255, pport, cfd);
    if (addr && len) {
        socklen_t n = *len < (socklen_t)sizeof(struct sockaddr_in) ? *len
                                                                   : (socklen_t)sizeof(struct sockaddr_in);
        memcpy(addr, &P.fds[cfd].peer, n);
        *len = sizeof(struct sockaddr_in);
    }
    return cfd;
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

/* ---- names, options, close -------------------------------------------------------------- */

static int put_addr(const struct sockaddr_in *a, struct sockaddr *addr, socklen_t *len)
{
    if (!addr || !len)
        return fail(EFAULT);
    socklen_t n = *len < (socklen_t)sizeof(*a) ? *len : (socklen_t)sizeof(*a);
    memcpy(addr, a, n);
    *len = sizeof(*a);
    return 0;
}

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind == F_PLACE)
        return P.getsockname(fd, addr, len);
    settle(e, 0);
    return put_addr(&e->local, addr, len); /* 0.0.0.0:0 while connecting */
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind == F_PLACE)
        return P.getpeername(fd, addr, len);
    settle(e, 0);
    if (e->kind != F_CONN)
        return fail(ENOTCONN);
    return put_addr(&e->peer, addr, len);
}

static int put_int(int v, void *val, socklen_t *len)
{
    if (!val || !len || *len < (socklen_t)sizeof(int))
        return fail(EINVAL);
    memcpy(val, &v, sizeof(int));
    *len = sizeof(int);
    return 0;
}

EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    struct pfd *e = entry(fd);
    if (!e || e->kind == F_PLACE)
        return P.getsockopt(fd, level, name, val, len);
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_DOMAIN: return put_int(AF_INET, val, len);
        case SO_PROTOCOL: return put_int(IPPROTO_TCP, val, len);
        case SO_TYPE: return put_int(SOCK_STREAM, val, len);
        case SO_ERROR: {
            /* A blocking connect() reported its own error; a non-blocking one's comes here
             * once (0 while in progress). A connection's: its socket's own (ECONNRESET once
             * the daemon passed on a reset), as the kernel's. */
            settle(e, 0);
            if (e->kind == F_CONN)
                return P.getsockopt(fd, level, name, val, len);
            int v = e->kind == F_FAILED ? e->so_error : 0;
            e->so_error = 0;
            return put_int(v, val, len);
        }
        case SO_ACCEPTCONN: return put_int(e->kind == F_LISTEN, val, len);
        default: return P.getsockopt(fd, level, name, val, len);
        }
    }
    if (level == IPPROTO_TCP) {
        int v = name == TCP_MAXSEG ? 1460 : 0;
        for (int i = 0; i < e->ntcpopt; i++)
            if (e->tcpopt[i][0] == name)
                v = e->tcpopt[i][1];
        return put_int(v, val, len);
    }
    if (level == IPPROTO_IP)
        return put_int(0, val, len);
    return fail(ENOPROTOOPT);
}

EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    struct pfd *e = entry(fd);
    if (!e || level == SOL_SOCKET)
        return P.setsockopt(fd, level, name, val, len); /* the placeholder's or socketpair's */
    if (level == IPPROTO_TCP) {
        /* The device runs its own TCP: these are recorded (getsockopt reads them back) and
         * also set on the placeholder while it is one. */
        if (!val || len < (socklen_t)sizeof(int))
            return fail(EINVAL);
        int v;
        memcpy(&v, val, sizeof(int));
        int i = 0;
        while (i < e->ntcpopt && e->tcpopt[i][0] != name)
            i++;
        if (i == TCP_OPTS)
            return 0;
        e->tcpopt[i][0] = name;
        e->tcpopt[i][1] = v;
        if (i == e->ntcpopt)
            e->ntcpopt++;
        return e->kind == F_PLACE ? P.setsockopt(fd, level, name, val, len) : 0;
    }
    if (e->kind == F_PLACE)
        return P.setsockopt(fd, level, name, val, len);
    return level == IPPROTO_IP ? 0 : fail(ENOPROTOOPT); /* IP_TOS & co: accepted, no effect */
}

EXPORT int close(int fd)
{
    struct pfd *e = entry(fd);
    if (e) {
        pthread_mutex_lock(&P.mu);
        if (e->ctl >= 0)
            P.close(e->ctl);
        e->ctl = -1;
        e->kind = F_NONE;
        pthread_mutex_unlock(&P.mu);
    }
    need_init();
    return P.close(fd);
}

/* ---- names ------------------------------------------------------------------------------ */

/* With TOE_PRELOAD_DNS, a host name (not numeric, not localhost) for IPv4 or any family is
 * resolved by the device (toed RESOLVE: one A record); the list is then built by the libc's
 * getaddrinfo from that address, so freeaddrinfo and service names work as usual. */
EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                       struct addrinfo **res)
{
    need_init();
    uint32_t ip;
    int fam = hints ? hints->ai_family : AF_UNSPEC;
    if (!P.dns || !node || !*node || !parse_ip(node, &ip) || (fam != AF_UNSPEC && fam != AF_INET) ||
        (hints && (hints->ai_flags & AI_NUMERICHOST)) || !strcasecmp(node, "localhost") ||
        strchr(node, ':'))
        return P.getaddrinfo(node, service, hints, res);
    int r = toed_resolve(NULL, node, P.dns_server, &ip);
    dbg("libtoe-preload: resolve %s through the device: %s", node, r ? toe_error_name(r) : "ok");
    if (r)
        return r == TOE_EUNREACH ? EAI_NONAME : r == TOE_ETIMEDOUT ? EAI_AGAIN
               : r == TOE_EINVAL ? EAI_NONAME : EAI_FAIL;
    char a[INET_ADDRSTRLEN];
    snprintf(a, sizeof(a), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    struct addrinfo h = hints ? *hints : (struct addrinfo){0};
    h.ai_family = AF_INET;
    h.ai_flags = (h.ai_flags & ~(AI_CANONNAME | AI_ADDRCONFIG)) | AI_NUMERICHOST;
    return P.getaddrinfo(a, service, &h, res);
}
