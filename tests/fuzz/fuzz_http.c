/* SPDX-License-Identifier: MIT */
/* fuzz_http: the HTTP client of sw/app/http.c (response heads, bodies by length, chunked or
 * up to the close, trailers, interim responses, keep-alive, redirects and the URL resolution
 * of their Location) against a server whose whole byte stream is the input. Two GETs on one
 * client, so the second may reuse the connection. The input starts with four option bytes:
 * the size of the pieces the stream arrives in, the head size and header count limits, the
 * redirect limit and how the stream ends (the server closes, or receiving fails).
 *
 * Invariants: documented return codes, each failure with a reason and a stage; a finished
 * response is final (2xx and up), hands the body callback exactly body_bytes, and a body of
 * Content-Length bytes is that long (never longer, even when the transfer fails); every request the client sends is one well-formed
 * request line and header block whatever the Location said; every connection is closed. */
#include <string.h>

#include "fuzz.h"
#include "http_internal.h"

struct server {
    const uint8_t *p;
    size_t n;
    size_t piece; /* 0: as much as the client asks for */
    int end;      /* what recv returns once the stream is over: 0 (EOF) or an error */
    unsigned connects, closes;
    uint64_t body;
};

static struct server srv;
static int conn_token;

static int s_connect(void *user, uint32_t ip, uint16_t port, int timeout_ms, void **conn)
{
    (void)user, (void)timeout_ms;
    FUZZ_CHECK(ip != 0 && port != 0, "connect to %08x:%u", ip, port);
    if (srv.connects >= 32)
        return TOE_ECONNREFUSED;
    srv.connects++;
    *conn = &conn_token;
    return 0;
}

/* A request: "GET <target> HTTP/1.1\r\n", header lines of visible characters and spaces,
 * an empty line, nothing after it. */
static void check_request(const char *q, size_t n)
{
    FUZZ_CHECK(n > 20 && !memcmp(q, "GET /", 5), "request '%.*s'", (int)(n < 40 ? n : 40), q);
    FUZZ_CHECK(!memcmp(q + n - 4, "\r\n\r\n", 4), "request does not end with an empty line");
    const char *sp = memchr(q + 4, ' ', n - 4), *eol = memchr(q, '\r', n);
    FUZZ_CHECK(sp && eol && sp < eol && eol - sp == 9 && !memcmp(sp, " HTTP/1.1", 9),
               "request line '%.*s'", (int)(eol ? eol - q : 40), q);
    for (const char *c = q + 4; c < sp; c++)
        FUZZ_CHECK(*c > 0x20 && *c < 0x7f, "byte 0x%02x in the request target",
                   (unsigned char)*c);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q[i];
        FUZZ_CHECK(c >= 0x20 ? c < 0x7f : (c == '\r' && q[i + 1] == '\n') ||
                                              (c == '\n' && i && q[i - 1] == '\r'),
                   "byte 0x%02x at %zu of the request", c, i);
    }
    const char *end = memmem(q, n, "\r\n\r\n", 4);
    FUZZ_CHECK(end == q + n - 4, "empty line inside the request");
}

static int s_send(void *conn, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    (void)timeout_ms;
    FUZZ_CHECK(conn == &conn_token, "send on a closed connection");
    check_request(buf, len); /* the client sends a request in one call here */
    *sent = len;
    return 0;
}

static int s_recv(void *conn, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    (void)timeout_ms;
    FUZZ_CHECK(conn == &conn_token && cap > 0, "recv");
    if (!srv.n && srv.end)
        return srv.end;
    size_t k = srv.n < cap ? srv.n : cap;
    if (srv.piece && k > srv.piece)
        k = srv.piece;
    memcpy(buf, srv.p, k);
    srv.p += k;
    srv.n -= k;
    *got = k; /* 0 at the end: the server closed */
    return 0;
}

static void s_close(void *conn)
{
    FUZZ_CHECK(conn == &conn_token, "close");
    srv.closes++;
}

static int s_resolve(void *user, const char *name, uint32_t *ip, int timeout_ms)
{
    (void)user, (void)timeout_ms;
    FUZZ_CHECK(name[0] && strlen(name) < TOE_HTTP_HOST_MAX, "resolve '%s'", name);
    *ip = 0x0a000009;
    return 0;
}

static const char *s_last_error(void *user)
{
    (void)user;
    return "the fuzz server's detail";
}

static int on_head(void *user, const struct toe_http_response *r)
{
    (void)user;
    FUZZ_CHECK(r->status >= 200 && r->status <= 999, "head callback with status %d", r->status);
    FUZZ_CHECK(r->body_bytes == 0, "head after body");
    return 0;
}

static int on_body(void *user, const struct toe_http_response *r, const void *data, size_t len)
{
    (void)user, (void)data;
    FUZZ_CHECK(len > 0, "empty body piece");
    srv.body += len;
    FUZZ_CHECK(r->content_length < 0 || srv.body <= (uint64_t)r->content_length,
               "%llu body bytes of a %lld-byte Content-Length", (unsigned long long)srv.body,
               (long long)r->content_length);
    return 0;
}

static void get(toe_http *h, const char *url)
{
    static const struct toe_http_handler hd = {NULL, on_head, on_body};
    struct toe_http_response r;
    srv.body = 0;
    int rc = toe_http_get(h, url, 0, &hd, &r);
    FUZZ_CHECK(rc == 0 || rc == TOE_EPROTO || rc == TOE_EIO || rc == TOE_ENOTSUP ||
                   rc == TOE_EINVAL || rc == TOE_ECONNREFUSED || rc == TOE_ETIMEDOUT ||
                   rc == TOE_ECONNRESET,
               "returned %d (%s)", rc, toe_http_last_error(h));
    FUZZ_CHECK(srv.body == r.body_bytes, "body callback got %llu, body_bytes %llu",
               (unsigned long long)srv.body, (unsigned long long)r.body_bytes);
    if (rc) {
        FUZZ_CHECK(toe_http_last_error(h)[0] && toe_http_last_fail(h) != TOE_HTTP_FAIL_NONE,
                   "failure %d without a reason or stage", rc);
        return;
    }
    FUZZ_CHECK(toe_http_last_fail(h) == TOE_HTTP_FAIL_NONE, "success with a failure stage");
    FUZZ_CHECK(r.status >= 200 && r.status <= 999, "final status %d", r.status);
    FUZZ_CHECK(r.version == 10 || r.version == 11, "version %d", r.version);
    if (r.content_length >= 0 && r.status != 204 && r.status != 304)
        FUZZ_CHECK(r.body_bytes == (uint64_t)r.content_length,
                   "Content-Length %lld, body %llu", (long long)r.content_length,
                   (unsigned long long)r.body_bytes);
    FUZZ_CHECK(memchr(r.reason, 0, sizeof(r.reason)) && memchr(r.location, 0, sizeof(r.location))
                   && memchr(r.content_type, 0, sizeof(r.content_type)),
               "response strings not terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz z = {data, size};
    memset(&srv, 0, sizeof(srv));
    srv.piece = fz_u8(&z);
    struct toe_http_opts o = {.timeout_ms = 1};
    uint8_t hb = fz_u8(&z), hn = fz_u8(&z), rd = fz_u8(&z);
    o.max_header_bytes = hb ? (size_t)hb * 16 : 0;
    o.max_headers = hn % 16;
    o.max_redirects = rd % 8 - 1;
    static const int ends[4] = {0, TOE_ETIMEDOUT, TOE_ECONNRESET, TOE_EAGAIN};
    srv.end = ends[rd >> 6];
    srv.p = z.p;
    srv.n = z.n;
    struct toe_http_io io = {.connect = s_connect, .send = s_send, .recv = s_recv,
                             .close = s_close, .resolve = s_resolve,
                             .last_error = s_last_error};
    toe_http *h = NULL;
    FUZZ_CHECK(toe_http_new(&h, &io, &o) == 0, "toe_http_new");
    get(h, "http://10.0.0.1/a");
    get(h, "http://10.0.0.1/b?q#f");
    toe_http_free(h);
    FUZZ_CHECK(srv.closes == srv.connects, "%u connections, %u closed", srv.connects,
               srv.closes);
    return 0;
}
