/* SPDX-License-Identifier: MIT */
/* http_tcp.c: the toe_http transport over the device's TCP sockets (toe_tcp_*): one socket
 * per connection, closed with a FIN (waiting a little for its ACK; the rest of the close goes
 * on inside the device handle). */
#include "http_internal.h"

#define HTTP_TCP_CLOSE_MS 2000

static int tcp_connect(void *user, uint32_t ip, uint16_t port, int timeout_ms, void **conn)
{
    struct http_devctx *c = user;
    toe_sock *s = NULL;
    int rc = toe_tcp_socket(c->dev, &s);
    if (rc)
        return rc;
    rc = toe_tcp_connect(s, ip, port, timeout_ms);
    if (rc) {
        toe_tcp_abort(s);
        return rc;
    }
    *conn = s;
    return 0;
}

static int tcp_send(void *conn, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    return toe_tcp_send(conn, buf, len, sent, timeout_ms);
}

static int tcp_recv(void *conn, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    return toe_tcp_recv(conn, buf, cap, got, timeout_ms);
}

static void tcp_close(void *conn) { toe_tcp_close(conn, HTTP_TCP_CLOSE_MS); }

int toe_http_io_tcp(struct toe_http_io *io)
{
    io->connect = tcp_connect;
    io->send = tcp_send;
    io->recv = tcp_recv;
    io->close = tcp_close;
    return 0;
}
