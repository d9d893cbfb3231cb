/* SPDX-License-Identifier: MIT */
/* tr_fd.c: file-descriptor transports: the virtual board's Unix stream socket ("sim:") and a
 * serial port in termios raw mode ("tty:"). Non-blocking fd, poll() for every wait. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "toe_internal.h"

struct fd_tr {
    int fd;
    int is_sock;
};

static int errno_to_toe(int e)
{
    return (e == EPIPE || e == ECONNRESET || e == ENODEV || e == ENXIO || e == EIO) ? TOE_ENODEV
                                                                                    : TOE_EIO;
}

static int fd_write(void *priv, const uint8_t *buf, size_t len, size_t *written, int timeout_ms)
{
    struct fd_tr *t = priv;
    uint64_t deadline = toe_host_deadline(timeout_ms);
    size_t done = 0;
    int r = 0;
    while (done < len) {
        ssize_t n = t->is_sock ? send(t->fd, buf + done, len - done, MSG_NOSIGNAL)
                               : write(t->fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            r = errno_to_toe(errno);
            break;
        }
        int rem = toe_host_remaining(deadline, 1000);
        if (rem == 0) {
            r = TOE_ETIMEDOUT;
            break;
        }
        struct pollfd p = {.fd = t->fd, .events = POLLOUT};
        if (poll(&p, 1, rem) < 0) {
            r = errno == EINTR ? TOE_EINTR : TOE_EIO;
            break;
        }
    }
    *written = done;
    return r;
}

static int fd_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct fd_tr *t = priv;
    *got = 0;
    struct pollfd p = {.fd = t->fd, .events = POLLIN};
    int pr = poll(&p, 1, timeout_ms < 0 ? 1000 : timeout_ms);
    if (pr < 0)
        return errno == EINTR ? TOE_EINTR : TOE_EIO;
    if (pr == 0)
        return 0;
    ssize_t n = read(t->fd, buf, cap);
    if (n > 0) {
        *got = (size_t)n;
        return 0;
    }
    if (n == 0)
        return t->is_sock ? TOE_ENODEV : 0; /* socket: peer closed */
    if (errno == EINTR)
        return TOE_EINTR;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return 0;
    return errno_to_toe(errno);
}

static int fd_get_fd(void *priv) { return ((struct fd_tr *)priv)->fd; }

static void fd_close(void *priv)
{
    struct fd_tr *t = priv;
    if (!t)
        return;
    close(t->fd);
    free(t);
}

static const struct toe_transport_ops sim_ops = {"sim", fd_write, fd_read, fd_close, fd_get_fd};
static const struct toe_transport_ops tty_ops = {"tty", fd_write, fd_read, fd_close, fd_get_fd};

static int fd_wrap(struct toe_transport *tr, int fd, int is_sock,
                   const struct toe_transport_ops *ops)
{
    struct fd_tr *t = calloc(1, sizeof(*t));
    if (!t) {
        close(fd);
        return TOE_ENOMEM;
    }
    t->fd = fd;
    t->is_sock = is_sock;
    tr->ops = ops;
    tr->priv = t;
    return 0;
}

int toe_tr_open_sim(struct toe_transport *tr, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (!path || !*path || strlen(path) >= sizeof(a.sun_path)) {
        toe_fmt(err, errlen, "sim: bad socket path");
        return TOE_EINVAL;
    }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        toe_fmt(err, errlen, "socket: %s", strerror(errno));
        return TOE_EIO;
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        int e = errno;
        close(fd);
        toe_fmt(err, errlen, "cannot connect to sim:%s: %s", path, strerror(e));
        return TOE_ENODEV;
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    /* Large socket buffers: the library reads and writes in big chunks. */
    int sz = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    return fd_wrap(tr, fd, 1, &sim_ops);
}

static speed_t baud_const(unsigned baud)
{
    static const struct {
        unsigned b;
        speed_t s;
    } tab[] = {
        {300, B300}, {1200, B1200}, {2400, B2400}, {4800, B4800}, {9600, B9600},
        {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200},
        {230400, B230400}, {460800, B460800}, {500000, B500000}, {576000, B576000},
        {921600, B921600}, {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000},
        {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
        {3500000, B3500000}, {4000000, B4000000},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (tab[i].b == baud)
            return tab[i].s;
    return 0;
}

int toe_tr_open_tty(struct toe_transport *tr, const char *path, unsigned baud, char *err,
                    size_t errlen)
{
    speed_t sp = baud_const(baud);
    if (!sp) {
        toe_fmt(err, errlen, "tty:%s: baud %u not supported by termios (use 115200, "
                "921600, 3000000, ...)", path, baud);
        return TOE_EINVAL;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        toe_fmt(err, errlen, "cannot open tty:%s: %s", path, strerror(e));
        return (e == ENOENT || e == ENXIO || e == ENODEV) ? TOE_ENODEV : TOE_EIO;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) < 0) {
        int e = errno;
        close(fd);
        toe_fmt(err, errlen, "tty:%s: not a terminal: %s", path, strerror(e));
        return TOE_EINVAL;
    }
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, sp);
    cfsetospeed(&tio, sp);
    if (tcsetattr(fd, TCSANOW, &tio) < 0) {
        int e = errno;
        close(fd);
        toe_fmt(err, errlen, "tty:%s: cannot set %u baud 8N1: %s", path, baud, strerror(e));
        return TOE_EIO;
    }
    tcflush(fd, TCIOFLUSH);
    return fd_wrap(tr, fd, 0, &tty_ops);
}
