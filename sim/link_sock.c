/* SPDX-License-Identifier: MIT */
/* link_sock: see link_sock.h. Non-blocking; reads and writes in chunks of up to 64 KiB. */
#include "link_sock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LINK_IO_CHUNK 65536u

struct link_sock {
    int listen_fd, client_fd;
    bool verbose;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    uint64_t active_until_ps;   /* read the client on every call until then */
    size_t out_len, out_off;    /* out[out_off..out_len) taken from the board, not yet sent */
    struct link_sock_counts counts;
    uint8_t out[LINK_IO_CHUNK];
    uint8_t in[LINK_IO_CHUNK];
};

static int set_addr(struct sockaddr_un *sa, const char *path)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa->sun_path)
        return -1;
    strcpy(sa->sun_path, path);
    return 0;
}

/* Is someone listening at path? */
static bool socket_alive(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool alive = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
    close(fd);
    return alive;
}

struct link_sock *link_sock_new(const char *path, bool verbose, char *err, size_t err_len)
{
    struct sockaddr_un sa;
    struct stat st;
    if (!path[0] || set_addr(&sa, path) < 0) {
        snprintf(err, err_len, "link socket path '%s' is empty or too long (at most %zu bytes)",
                 path, sizeof sa.sun_path - 1);
        return NULL;
    }
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, err_len, "link socket path %s exists and is not a socket", path);
            return NULL;
        }
        if (socket_alive(&sa)) {
            snprintf(err, err_len, "link socket %s is in use by another process", path);
            return NULL;
        }
        if (unlink(path) < 0) {
            snprintf(err, err_len, "cannot remove stale link socket %s: %s", path,
                     strerror(errno));
            return NULL;
        }
    }
    struct link_sock *ls = calloc(1, sizeof *ls);
    if (!ls) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    ls->client_fd = -1;
    ls->verbose = verbose;
    ls->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ls->listen_fd < 0 || bind(ls->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(err, err_len, "cannot create link socket %s: %s", path, strerror(errno));
        if (ls->listen_fd >= 0)
            close(ls->listen_fd);
        free(ls);
        return NULL;
    }
    strcpy(ls->path, path);
    if (listen(ls->listen_fd, 4) < 0) {
        snprintf(err, err_len, "cannot listen on link socket %s: %s", path, strerror(errno));
        link_sock_free(ls);
        return NULL;
    }
    return ls;
}

static void drop_client(struct link_sock *ls, const char *why)
{
    close(ls->client_fd);
    ls->client_fd = -1;
    ls->counts.dropped += ls->out_len - ls->out_off;
    ls->out_len = ls->out_off = 0;
    fprintf(stderr, "toe-sim: link client disconnected (%s)\n", why);
}

void link_sock_free(struct link_sock *ls)
{
    if (!ls)
        return;
    if (ls->client_fd >= 0)
        close(ls->client_fd);
    close(ls->listen_fd);
    unlink(ls->path);
    free(ls);
}

/* True when the client has closed its end: nothing more will come from it. */
static bool client_gone(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLRDHUP };
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void accept_clients(struct link_sock *ls, struct vboard *vb)
{
    for (;;) {
        int fd = accept4(ls->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN, or an error worth no more than a retry at the next poll */
        }
        if (ls->client_fd >= 0 && client_gone(ls->client_fd)) {
            int unread = 0;
            if (ioctl(ls->client_fd, FIONREAD, &unread) == 0 && unread > 0)
                ls->counts.client_dropped += (uint64_t)unread;
            drop_client(ls, "closed; a new client came before all it wrote was taken");
        }
        if (ls->client_fd >= 0) {
            close(fd);
            ls->counts.clients_refused++;
            fprintf(stderr, "toe-sim: link refused a second client (one at a time)\n");
            continue;
        }
        ls->client_fd = fd;
        ls->counts.clients++;
        ls->counts.session_dropped += vboard_link_drop_input(vb);
        if (ls->verbose)
            fprintf(stderr, "toe-sim: link client connected\n");
    }
}

/* Client -> board, as much as the board's buffer takes. */
static void read_client(struct link_sock *ls, struct vboard *vb, uint64_t now_ps,
                        uint64_t active_ps)
{
    size_t space;
    while (ls->client_fd >= 0 && (space = vboard_link_writable(vb)) > 0) {
        ssize_t n = recv(ls->client_fd, ls->in, space < sizeof ls->in ? space : sizeof ls->in, 0);
        if (n > 0) {
            vboard_link_write(vb, ls->in, (size_t)n);
            ls->counts.from_client += (uint64_t)n;
            ls->active_until_ps = now_ps + active_ps;
            if ((size_t)n < space && (size_t)n < sizeof ls->in)
                return; /* drained */
        } else if (n == 0) {
            drop_client(ls, "closed");
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            drop_client(ls, strerror(errno));
        }
    }
}

/* Board -> client; what the socket does not take waits (and holds the device back). */
static void write_client(struct link_sock *ls, struct vboard *vb, uint64_t now_ps,
                         uint64_t active_ps)
{
    while (ls->client_fd >= 0) {
        if (ls->out_off == ls->out_len) {
            ls->out_off = 0;
            ls->out_len = vboard_link_read(vb, ls->out, sizeof ls->out);
            if (ls->out_len == 0)
                return;
        }
        ssize_t n = send(ls->client_fd, ls->out + ls->out_off, ls->out_len - ls->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            ls->out_off += (size_t)n;
            ls->counts.to_client += (uint64_t)n;
            ls->active_until_ps = now_ps + active_ps;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            drop_client(ls, n < 0 ? strerror(errno) : "send returned 0");
        }
    }
}

void link_sock_service(struct link_sock *ls, struct vboard *vb, uint64_t now_ps, bool poll,
                       uint64_t active_ps)
{
    if (poll) {
        /* A client that has just closed is read as far as the board takes before new clients
         * are looked at; a new client then replaces it (accept_clients). */
        if (ls->client_fd >= 0 && client_gone(ls->client_fd))
            read_client(ls, vb, now_ps, active_ps);
        accept_clients(ls, vb);
    }
    if (ls->client_fd >= 0 && (poll || now_ps < ls->active_until_ps))
        read_client(ls, vb, now_ps, active_ps);
    if (ls->client_fd >= 0) {
        if (ls->out_off < ls->out_len || vboard_link_readable(vb))
            write_client(ls, vb, now_ps, active_ps);
        return;
    }
    size_t n;
    while ((n = vboard_link_read(vb, ls->out, sizeof ls->out)) > 0)
        ls->counts.dropped += n;
}

bool link_sock_connected(const struct link_sock *ls)
{
    return ls->client_fd >= 0;
}

struct link_sock_counts link_sock_counts(const struct link_sock *ls)
{
    return ls->counts;
}
