/* SPDX-License-Identifier: MIT */
/* toed.h: the client side of toed, the daemon that owns a toe device (docs/DAEMON.md).
 *
 * A program asks the daemon for a TCP connection and gets a connected stream socket (one
 * end of a loopback TCP connection): read, write, poll, epoll, shutdown(SHUT_WR) (our FIN)
 * and close work on it as on a kernel socket; the peer's FIN is end of file. A reset or
 * timeout resets the socket (ECONNRESET from read and write, as a kernel socket's) and is
 * reported with its reason as an EVENT line on the control connection that made it
 * (toed_conn_error). Several processes use one device at once.
 *
 * Every call returns 0 (or a file descriptor, >= 0) or a negative enum toe_error: the
 * daemon's own error for a refused request (TOE_ECONNREFUSED, TOE_EADDRINUSE, ...),
 * TOE_ENODEV when no daemon answers on the socket, TOE_EPROTO when it answers nonsense,
 * TOE_EINTR when a signal interrupted a wait. Calls block; none holds state between calls.
 */
#ifndef TOED_H
#define TOED_H

#include <stddef.h>
#include <stdint.h>

#include "toe.h"
#include "toe_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the control protocol (HELLO 1). */
#define TOED_PROTO_VERSION 1
/* The control socket when neither the caller nor $TOE_DAEMON names one. */
#define TOED_DEFAULT_SOCKET "/run/toed/toed.sock"

/* The socket to use: path if not NULL or empty, else $TOE_DAEMON, else TOED_DEFAULT_SOCKET. */
TOE_API const char *toed_socket_path(const char *path);

/* Open a control connection and say HELLO. *ctl: the control socket (close() it).
 * Returns 0, TOE_EINVAL, TOE_ENODEV (nobody listening), TOE_EPROTO, TOE_ENOTSUP (the daemon
 * speaks another protocol version). Blocks up to 5 s. */
TOE_API int toed_open(const char *path, int *ctl);

/* Send one request line (no newline) and wait for its answer. Data lines ("* ...") go to
 * cb (optional) without the "* "; EVENT lines are skipped.
 *   fd     out, optional: a file descriptor passed with the reply (-1 none). Without fd,
 *          a passed descriptor is closed.
 *   reply  out, optional: the text after "OK " of the final line
 * Returns 0, the daemon's error (the enum named in its ERR line; TOE_EPROTO if unknown),
 * TOE_EIO / TOE_ENODEV (the control connection broke), TOE_EINTR. Blocks until the answer
 * (a CONNECT or ACCEPT takes as long as the engine needs). */
typedef void (*toed_line_cb)(void *user, const char *line);
TOE_API int toed_request(int ctl, const char *req, toed_line_cb cb, void *user, int *fd,
                         char *reply, size_t reply_len);

/* Connect to ip:port (host: numeric IPv4) through the daemon on path (NULL: the default).
 *   ctl  out, optional: the control connection, kept open for toed_conn_error (close() it
 *        after the data socket). NULL: closed at once (errors show only as ECONNRESET).
 * Returns the connected socket (>= 0) or an error (TOE_EINVAL for a bad host or port 0,
 * TOE_ECONNREFUSED, TOE_ECONNABORTED, TOE_EUNREACH, TOE_ENOSLOT, ...). Blocks until the
 * handshake ends. */
TOE_API int toed_connect(const char *path, const char *host, uint16_t port, int *ctl);

/* Resolve name to an IPv4 address through the device's DNS (the daemon's toe_dns_resolve).
 * server: the DNS server (host order); 0: the daemon's default (10.0.2.3 on slirp's
 * 10.0.2.0/24, else the device's gateway). Returns 0 (*ip set), TOE_EINVAL, TOE_EUNREACH (no
 * such name or no A record), TOE_ETIMEDOUT, ... Blocks up to about 6 s. */
TOE_API int toed_resolve(const char *path, const char *name, uint32_t server, uint32_t *ip);

/* Listen on port (backlog as toe_tcp_listen). Returns a control socket that holds the
 * listener (close() it to stop listening) or an error. Blocks for one request. */
TOE_API int toed_listen(const char *path, uint16_t port, int backlog);

/* Accept one connection on a listener made by toed_listen. peer_ip, peer_port optional.
 * Returns the connected socket or an error. Blocks until a connection comes. */
TOE_API int toed_accept(int lctl, uint32_t *peer_ip, uint16_t *peer_port);

/* toed_accept in two halves, for an event loop (examples/echo/echo.c): toed_accept_start
 * sends the request; when lctl turns readable, toed_accept_finish(lctl, 0, ...) takes the
 * answer: the connection's socket, TOE_EAGAIN if only EVENT lines came (wait again), or an
 * error (TOE_ENODEV: the daemon went away). timeout_ms bounds the wait for the answer's
 * first line (-1: none). One ACCEPT at a time per control connection: start the next after
 * finishing this one. */
TOE_API int toed_accept_start(int lctl);
TOE_API int toed_accept_finish(int lctl, int timeout_ms, uint32_t *peer_ip, uint16_t *peer_port);

/* Wait up to timeout_ms (-1: no limit) for an EVENT line about a connection on the control
 * socket ctl of toed_connect. Returns the connection's error (TOE_ECONNRESET,
 * TOE_ECONNABORTED, TOE_ETIMEDOUT, ...), 0 if the control connection ended without one,
 * TOE_EAGAIN if none came in time. */
TOE_API int toed_conn_error(int ctl, int timeout_ms);

/* The end of the handshake of connection id (the ID of the "OK ID" that answered the request
 * "CONNECT IP PORT NB" on ctl: its socket came at once, not writable until then; events of
 * other connections are skipped). Waits up to timeout_ms (-1: no limit). Returns 0
 * (connected; local_ip, local_port optional out), the connection's error
 * (TOE_ECONNREFUSED, TOE_ETIMEDOUT, TOE_EUNREACH, ...; its socket was closed), TOE_ENODEV
 * (the control connection ended), TOE_EAGAIN. */
TOE_API int toed_connect_result(int ctl, unsigned id, int timeout_ms, uint32_t *local_ip,
                                uint16_t *local_port);

/* The device's identity through the daemon (as toe_get_info), and its connections (as
 * toe_tcp_netstat of the daemon's handle: orphan fields as there). Block for one request. */
TOE_API int toed_info(const char *path, struct toe_info *info, char *spec, size_t spec_len);
TOE_API int toed_netstat(const char *path, struct toe_tcp_info *out, size_t n, size_t *got);

/* An HTTP transport over daemon connections (numeric hosts only: the resolver is not
 * reached through the daemon). io->user points at path, which must outlive io. */
TOE_API int toed_http_io(struct toe_http_io *io, const char *path);

#ifdef __cplusplus
}
#endif

#endif
