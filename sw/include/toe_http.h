/* SPDX-License-Identifier: MIT */
/* toe_http.h: a small HTTP/1.1 client (GET only, http:// only) and a DNS stub resolver for
 * libtoe.
 *
 * The client is independent of the transport: it talks through a struct toe_http_io (connect,
 * send, recv, close callbacks, and an optional name resolver). toe_http_new_dev() binds it to
 * the device's TCP sockets (toe_tcp_*) and toe_dns_resolve(); tests and other
 * programs may plug in anything that moves bytes (a socketpair, the host's own sockets).
 *
 * What it does: URL parsing; numeric IPv4 hosts, or names through a resolver; GET with Host,
 * bodies delimited by Content-Length, chunked transfer coding or the close of the connection;
 * keep-alive reuse of one connection per host and port across calls; bounded redirects
 * (301, 302, 303, 307, 308, http:// only); strict parsing of the status line, headers and
 * chunk framing with size limits; a timeout on every wait; the body goes to a callback as it
 * arrives (nothing is buffered whole). What it does not do: https (toe has no TLS), request
 * bodies, other methods, content codings (no Accept-Encoding is sent), cookies,
 * authentication, proxies, IPv6.
 *
 * Errors are the negative enum toe_error codes of toe.h; toe_http_last_error() has the
 * one-line detail and toe_http_last_fail() says at which stage it failed (for exit codes).
 * An HTTP status of 400 or more is not an error of the call: it comes back in
 * toe_http_response.status.
 *
 * Threading: as toe.h: a toe_http handle belongs to one thread at a time; callbacks run on
 * the calling thread and must not call back into the same handle.
 */
#ifndef TOE_HTTP_H
#define TOE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "toe.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TOE_HTTP_HOST_MAX 254    /* longest host name (DNS limit 253) plus NUL */
#define TOE_HTTP_TARGET_MAX 4096 /* longest request target (path and query) plus NUL */

/* ---- URLs -------------------------------------------------------------------------------- */

struct toe_http_url {
    char host[TOE_HTTP_HOST_MAX];     /* lower case, as written otherwise */
    uint32_t ip;                      /* numeric host (host order); 0 if host is a name */
    uint16_t port;                    /* 80 unless given */
    int port_given;                   /* the URL named a port */
    char target[TOE_HTTP_TARGET_MAX]; /* "/" if empty; spaces and bytes >= 0x80 are
                                         percent-encoded; the #fragment is dropped */
};

/* Parse an absolute URL "http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]". A URL without a
 * scheme ("example.com/x") is taken as http://. HOST is a dotted-quad IPv4 address or a DNS
 * name.
 *   url     the text
 *   u       out
 *   err     out, optional: a one-line reason on failure
 * Returns 0, TOE_EINVAL (malformed: empty or bad host, bad port, control characters,
 * credentials, IPv6 literal, too long), TOE_ENOTSUP (https: "https is not supported: toe has
 * no TLS", or another scheme). Never blocks. */
TOE_API int toe_http_parse_url(const char *url, struct toe_http_url *u, char *err,
                               size_t errlen);

/* Resolve a reference (a Location header) against the URL it came from: absolute http URLs,
 * network-path "//host/..." , absolute paths "/x" and relative paths "x" (against the base's
 * directory), with the query; "." and ".." segments are not folded.
 * Returns 0, TOE_EINVAL, TOE_ENOTSUP (as toe_http_parse_url). Never blocks. */
TOE_API int toe_http_resolve_url(const struct toe_http_url *base, const char *ref,
                                 struct toe_http_url *out, char *err, size_t errlen);

/* ---- DNS --------------------------------------------------------------------------------- */

/* Resolve a host name to an IPv4 address with a DNS query (type A, recursion desired) over
 * UDP to server:53, sent with toe_ip_send() and answered through toe_raw_recv(). Tries
 * 3 times within the timeout. A dotted-quad name resolves to itself without a query.
 * While it waits it takes every frame from the raw queue and drops those that are not its
 * answer: call it when nothing else reads the raw queue. The query ID and source port are
 * random (getrandom); an answer counts only if it comes from server:53 to that port with
 * that ID and the query's question (name compared case-insensitively, type, class), the
 * others from the server are dropped and counted (TOE_HSTAT_DNS_DROP; RFC 5452).
 *   server  the DNS server (host order), e.g. 10.0.2.3 on the virtual board with slirp
 *   ip      out: the first A record (CNAMEs followed within the answer)
 * Returns 0, TOE_EINVAL (bad name), TOE_EUNREACH (no such name, no A record, or the server
 * failed; toe_last_error() says which), TOE_ETIMEDOUT (no answer), TOE_EPROTO (the answer is
 * malformed), or an error of toe_ip_send()/toe_raw_recv(). Blocks up to timeout_ms (-1: 6 s). */
TOE_API int toe_dns_resolve(toe_dev *dev, uint32_t server, const char *name, uint32_t *ip,
                            int timeout_ms);

/* ---- the client -------------------------------------------------------------------------- */

/* Byte-stream transport. Every call returns 0 or a negative enum toe_error. */
struct toe_http_io {
    void *user;
    /* Open a connection to ip:port, waiting up to timeout_ms. *conn: the transport's handle. */
    int (*connect)(void *user, uint32_t ip, uint16_t port, int timeout_ms, void **conn);
    /* Send up to len bytes, waiting up to timeout_ms for room; *sent how many went (may be
     * fewer). Nothing sent and no error counts as a timeout. */
    int (*send)(void *conn, const void *buf, size_t len, size_t *sent, int timeout_ms);
    /* Receive up to cap bytes, waiting up to timeout_ms for the first; *got 0 with a 0
     * return means the peer closed (EOF). TOE_ETIMEDOUT when nothing came in time. */
    int (*recv)(void *conn, void *buf, size_t cap, size_t *got, int timeout_ms);
    /* Close and free the connection (never blocks for long). */
    void (*close)(void *conn);
    /* Optional: resolve a host name. NULL: only numeric hosts work. */
    int (*resolve)(void *user, const char *name, uint32_t *ip, int timeout_ms);
    /* Optional: the detail of the transport's last error ("" if none). */
    const char *(*last_error)(void *user);
};

typedef struct toe_http toe_http;

struct toe_http_opts {
    int timeout_ms;          /* every wait (resolve, connect, send, each receive): 0 means
                                30000; there is no limit on the whole transfer */
    int max_redirects;       /* 0: 5; -1: do not follow (a 3xx is the final response) */
    size_t max_header_bytes; /* status line and headers of one response: 0 means 16 KiB */
    unsigned max_headers;    /* header fields in one response: 0 means 100 */
    const char *user_agent;  /* NULL: "toe/1" */
};

/* Where the library stops, for callers that map failures to exit codes. */
enum toe_http_fail {
    TOE_HTTP_FAIL_NONE = 0,
    TOE_HTTP_FAIL_URL,      /* the URL is malformed or names an unsupported scheme */
    TOE_HTTP_FAIL_RESOLVE,  /* the host name did not resolve */
    TOE_HTTP_FAIL_CONNECT,  /* the connection could not be opened */
    TOE_HTTP_FAIL_NETWORK,  /* send/receive failed or timed out, or the peer closed early
                               (a body cut short) */
    TOE_HTTP_FAIL_PROTOCOL, /* malformed or oversized response, bad redirect, too many */
    TOE_HTTP_FAIL_SINK,     /* a callback of the caller returned an error */
};

/* The final response (after redirects). Filled as it goes; valid in the callbacks. */
struct toe_http_response {
    int status;              /* e.g. 200, 404 */
    int version;             /* 10 or 11 */
    char reason[64];         /* reason phrase, cut to fit */
    int64_t content_length;  /* -1: not given (chunked, or up to the close) */
    int chunked;
    char content_type[128];  /* "" if none; cut to fit */
    char location[TOE_HTTP_TARGET_MAX]; /* Location of a 3xx that was not followed */
    uint64_t body_bytes;     /* body bytes handed to the body callback */
    unsigned redirects;      /* redirects followed */
    int reused;              /* the final request went on a kept-alive connection */
    char url[TOE_HTTP_HOST_MAX + TOE_HTTP_TARGET_MAX + 16]; /* the final URL */
};

/* What to do with the final response. Both callbacks optional. Returning a negative
 * toe_error (or any nonzero value) stops the transfer: toe_http_get returns it (TOE_EIO if it
 * was positive) with TOE_HTTP_FAIL_SINK. Redirect responses' bodies are read and dropped. */
struct toe_http_handler {
    void *user;
    /* The status line and headers are in (no body byte yet). */
    int (*head)(void *user, const struct toe_http_response *r);
    /* The next piece of the body, in order. */
    int (*body)(void *user, const struct toe_http_response *r, const void *data, size_t len);
};

/* Create a client over a transport (copied). opts NULL: defaults.
 * Returns 0, TOE_EINVAL (NULL io or missing callbacks), TOE_ENOMEM. Never blocks. */
TOE_API int toe_http_new(toe_http **h, const struct toe_http_io *io,
                         const struct toe_http_opts *opts);

/* Close a kept-alive connection and free the client; NULL is fine. */
TOE_API void toe_http_free(toe_http *h);

/* Flags of toe_http_get. */
#define TOE_HTTP_CLOSE 1u /* last request to this host: send "Connection: close" */

/* GET one URL. A kept-alive connection to the same address and port is reused (and the
 * request retried once on a fresh connection if the kept one turns out closed before any
 * response byte); otherwise a new connection is opened and, unless the response or
 * TOE_HTTP_CLOSE ends it, kept for the next call.
 *   url    see toe_http_parse_url
 *   flags  0 or TOE_HTTP_CLOSE
 *   hd     callbacks for the final response (NULL: drop the body)
 *   resp   out, optional: the final response
 * Returns 0 when a final response was read whole (whatever its status), TOE_EINVAL or
 * TOE_ENOTSUP (URL), TOE_EPROTO (malformed or oversized response, bad chunk framing, bad
 * or too many redirects, redirect to https), TOE_ETIMEDOUT, TOE_EIO (the connection closed
 * before the response ended), the transport's errors (connect, resolve, send, receive) and
 * the callbacks' errors. On failure nothing of the connection is kept.
 * Blocks; every wait is bounded by opts.timeout_ms. */
TOE_API int toe_http_get(toe_http *h, const char *url, unsigned flags,
                         const struct toe_http_handler *hd, struct toe_http_response *resp);

/* The one-line detail of the last failure ("" if none) and its stage. Never NULL. */
TOE_API const char *toe_http_last_error(const toe_http *h);
TOE_API enum toe_http_fail toe_http_last_fail(const toe_http *h);

/* Connections opened by this client so far (for checking keep-alive). */
TOE_API unsigned toe_http_connections(const toe_http *h);

/* Create a client whose transport is the device's TCP sockets (toe_tcp_*), with host names
 * resolved by toe_dns_resolve() against dns_server (host order; 0: only numeric hosts).
 * The device must outlive the client; the client uses it only inside toe_http_get.
 * Returns 0, TOE_EINVAL, TOE_ENOMEM, TOE_ENOTSUP (this libtoe has no TCP sockets). */
TOE_API int toe_http_new_dev(toe_http **h, toe_dev *dev, uint32_t dns_server,
                             const struct toe_http_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
