/* SPDX-License-Identifier: MIT */
/* test_http: the HTTP client of toe_http.h without a device: URL parsing and resolution, the
 * response-head and chunk-size parsers, and the client over scripted servers (an in-process
 * transport that hands out scripted responses one request at a time, in pieces as small as
 * one byte; and a forked server on a socketpair streaming 10 MB). DNS messages, and
 * toe_dns_resolve against the mock device with a scripted DNS server. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http_internal.h"
#include "mock.h"

/* ---- URLs -------------------------------------------------------------------------------- */

static void test_url(void)
{
    struct toe_http_url u;
    char err[200];
    int r = toe_http_parse_url("http://10.0.2.2:8080/a/b?x=1#frag", &u, err, sizeof(err));
    CHECK(r == 0 && u.ip == 0x0a000202 && u.port == 8080 && u.port_given &&
              !strcmp(u.host, "10.0.2.2") && !strcmp(u.target, "/a/b?x=1"),
          "test_url_parse_numeric_port_path_query (%s %u %s)", u.host, u.port, u.target);
    r = toe_http_parse_url("HTTP://Example.COM", &u, err, sizeof(err));
    CHECK(r == 0 && u.ip == 0 && u.port == 80 && !u.port_given && !strcmp(u.host, "example.com") &&
              !strcmp(u.target, "/"),
          "test_url_parse_name_default_port_and_path");
    r = toe_http_parse_url("example.com:81?q", &u, err, sizeof(err));
    CHECK(r == 0 && u.port == 81 && !strcmp(u.target, "/?q"), "test_url_parse_no_scheme (%s)",
          u.target);
    r = toe_http_parse_url("https://example.com/", &u, err, sizeof(err));
    CHECK(r == TOE_ENOTSUP && !strcmp(err, "https is not supported: toe has no TLS"),
          "test_url_https_rejected (%s)", err);
    r = toe_http_parse_url("ftp://example.com/", &u, err, sizeof(err));
    CHECK(r == TOE_ENOTSUP && strstr(err, "'ftp'"), "test_url_other_scheme_rejected (%s)", err);
    r = toe_http_parse_url("http://a b/x y\xc3\xa9", &u, err, sizeof(err));
    CHECK(r == TOE_EINVAL, "test_url_space_in_host_rejected (%s)", err);
    r = toe_http_parse_url("http://h/x y\xc3\xa9", &u, err, sizeof(err));
    CHECK(r == 0 && !strcmp(u.target, "/x%20y%C3%A9"), "test_url_path_percent_encoded (%s)",
          u.target);
    r = toe_http_parse_url("http://h/x\ty", &u, err, sizeof(err));
    CHECK(r == TOE_EINVAL, "test_url_control_char_rejected (%s)", err);
    static const char *bad[] = {"http://", "http://:80/", "http://h:0/", "http://h:65536/",
                                "http://h:8x/", "http://u:p@h/", "http://[::1]/",
                                "http://1.2.3.256/", "http://1.2.3/", "http://a..b/",
                                "http://.a/", "http://0.0.0.0/", "http://h!/"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = toe_http_parse_url(bad[i], &u, err, sizeof(err));
        CHECK(r == TOE_EINVAL && err[0], "test_url_malformed_rejected %s (%s)", bad[i], err);
    }
    char longu[TOE_HTTP_TARGET_MAX + 32] = "http://h/";
    memset(longu + 9, 'a', TOE_HTTP_TARGET_MAX);
    longu[9 + TOE_HTTP_TARGET_MAX] = 0;
    r = toe_http_parse_url(longu, &u, err, sizeof(err));
    CHECK(r == TOE_EINVAL, "test_url_too_long_rejected (%s)", err);
    r = toe_http_parse_url("http://h:/p", &u, err, sizeof(err));
    CHECK(r == 0 && u.port == 80, "test_url_empty_port_is_default");

    struct toe_http_url base, o;
    toe_http_parse_url("http://h:8000/dir/page?q=1", &base, err, sizeof(err));
    struct {
        const char *ref, *host, *target;
        unsigned port;
    } cases[] = {
        {"/x", "h", "/x", 8000},
        {"y?z", "h", "/dir/y?z", 8000},
        {"?k", "h", "/dir/page?k", 8000},
        {"//other:81/p", "other", "/p", 81},
        {"//other/p", "other", "/p", 80},
        {"http://1.2.3.4/", "1.2.3.4", "/", 80},
        {"#f", "h", "/dir/page?q=1", 8000},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = toe_http_resolve_url(&base, cases[i].ref, &o, err, sizeof(err));
        CHECK(r == 0 && !strcmp(o.host, cases[i].host) && !strcmp(o.target, cases[i].target) &&
                  o.port == cases[i].port,
              "test_url_resolve '%s' -> %s:%u%s", cases[i].ref, o.host, o.port, o.target);
    }
    r = toe_http_resolve_url(&base, "https://h/", &o, err, sizeof(err));
    CHECK(r == TOE_ENOTSUP, "test_url_resolve_https_rejected (%s)", err);
}

/* ---- the response head and chunk sizes --------------------------------------------------- */

static int head(const char *s, struct toe_http_head *h, char *err)
{
    return toe_http_parse_head(s, strlen(s), 100, h, err, 200);
}

static void test_head(void)
{
    struct toe_http_head h;
    char err[200];
    int r = head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/html\r\n"
                 "X-Empty:\r\n\r\n", &h, err);
    CHECK(r == 0 && h.status == 200 && h.version == 11 && h.content_length == 12 &&
              h.keep_alive && !h.chunked && !strcmp(h.reason, "OK") &&
              !strcmp(h.content_type, "text/html"),
          "test_head_parse_ok (%s)", err);
    r = head("HTTP/1.1 404 Not Found\n\n", &h, err);
    CHECK(r == 0 && h.status == 404 && !h.keep_alive && h.content_length == -1,
          "test_head_bare_lf_and_close_delimited");
    r = head("HTTP/1.1 200\r\ncontent-length:  5 , 5\r\n\r\n", &h, err);
    CHECK(r == 0 && h.content_length == 5 && !h.reason[0], "test_head_no_reason_cl_list (%s)",
          err);
    r = head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", &h, err);
    CHECK(r == 0 && h.version == 10 && !h.keep_alive, "test_head_http10_not_kept");
    r = head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: Keep-Alive\r\n\r\n", &h, err);
    CHECK(r == 0 && h.keep_alive, "test_head_http10_keep_alive");
    r = head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: foo, close\r\n\r\n", &h, err);
    CHECK(r == 0 && !h.keep_alive, "test_head_connection_close");
    r = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n", &h,
             err);
    CHECK(r == 0 && h.chunked && h.content_length == -1 && !h.keep_alive,
          "test_head_te_overrides_cl_and_closes");
    r = head("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", &h, err);
    CHECK(r == 0 && h.no_body && h.content_length == 0 && h.keep_alive, "test_head_204_no_body");
    r = head("HTTP/1.1 304 Not Modified\r\n\r\n", &h, err);
    CHECK(r == 0 && h.no_body && h.keep_alive, "test_head_304_no_body");
    r = head("HTTP/1.1 302 Found\r\nLocation:  /next \r\nContent-Length: 0\r\n\r\n", &h, err);
    CHECK(r == 0 && h.has_location && !strcmp(h.location, "/next"), "test_head_location");

    static const char *bad[] = {
        "HTTP/1.1 200 OK\r\nA: b\r\n",                 /* no empty line */
        "HTTP/1.1 200 OK\rX\r\n\r\n",                  /* bare CR */
        "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",          /* bare CR in a header */
        "HTTP/1.1  200 OK\r\n\r\n",                    /* two spaces */
        "HTTP/1.1 20 OK\r\n\r\n",                      /* two digits */
        "HTTP/1.1 2000 OK\r\n\r\n",                    /* four digits */
        "HTTP/1.1 099 OK\r\n\r\n",                     /* below 100 */
        "HTTP/1.1 600 OK\r\n\r\n",                     /* above 599 */
        "HTTP/2.0 200 OK\r\n\r\n",                     /* version */
        "HTTP/1.1 200 O\x01K\r\n\r\n",                 /* control char in reason */
        "http/1.1 200 OK\r\n\r\n",                     /* case */
        "ICY 200 OK\r\n\r\n",                          /* not HTTP */
        "\r\n\r\n",                                    /* empty */
        "HTTP/1.1 200 OK\r\nA : b\r\n\r\n",            /* space before colon */
        "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",         /* no colon */
        "HTTP/1.1 200 OK\r\n: v\r\n\r\n",              /* empty name */
        "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",       /* obs-fold */
        "HTTP/1.1 200 OK\r\nA: b\x7f\r\n\r\n",         /* DEL in value */
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nbody",                 /* bytes after the head */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = 0;
        r = head(bad[i], &h, err);
        CHECK(r == TOE_EPROTO && err[0], "test_head_malformed_rejected #%zu (%s)", i, err);
    }
    char many[8192] = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 101; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "X-%d: y\r\n", i);
    strcat(many, "\r\n");
    r = head(many, &h, err);
    CHECK(r == TOE_EPROTO && strstr(err, "more than 100"), "test_head_too_many_fields (%s)", err);

    uint64_t sz;
    struct {
        const char *s;
        int ok;
        uint64_t v;
    } cs[] = {
        {"1a", 1, 26}, {"1A;name=val", 1, 26}, {"0", 1, 0}, {"00010", 1, 16},
        {"10 ;x", 1, 16}, {"7fffffffffffffff", 1, 0x7fffffffffffffffull},
        {"", 0, 0}, {"g", 0, 0}, {"-1", 0, 0}, {"+1", 0, 0}, {"10 x", 0, 0},
        {"8000000000000000", 0, 0}, {"fffffffffffffffff", 0, 0}, {";x", 0, 0},
        {"1;\x01", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
        sz = 12345;
        r = toe_http_parse_chunk_size(cs[i].s, strlen(cs[i].s), &sz);
        CHECK(cs[i].ok ? (r == 0 && sz == cs[i].v) : r == TOE_EPROTO,
              "test_chunk_size '%s' %s", cs[i].s, cs[i].ok ? "accepted" : "rejected");
    }
}

/* ---- a scripted in-process server ------------------------------------------------------------ */

/* One connection's script: part k becomes readable once k+1 requests have come in. A part is
 * bytes, optionally followed by gen bytes of a pattern (large bodies). */
struct part {
    const char *data;
    size_t gen;
};
#define MAX_PARTS 8
#define MAX_CONNS 8
struct sconn {
    struct part parts[MAX_PARTS];
    int nparts;
    int hang_at_end;     /* after the last part: wait (time out) instead of closing */
    int refuse;          /* connect fails */
    /* state */
    int part, requests;
    size_t off;
    char req[4096];
    size_t req_len;
    int closed;
    struct server *srv;
};
struct server {
    struct sconn conns[MAX_CONNS];
    int nconns, opened;
    size_t piece; /* bytes per recv, 0: all available */
    uint32_t last_ip;
    uint16_t last_port;
    int resolves;
};

static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 7 + (i >> 12)); }

static int s_connect(void *user, uint32_t ip, uint16_t port, int timeout_ms, void **conn)
{
    (void)timeout_ms;
    struct server *s = user;
    s->last_ip = ip;
    s->last_port = port;
    if (s->opened >= s->nconns)
        return TOE_ENODEV;
    struct sconn *c = &s->conns[s->opened++];
    if (c->refuse)
        return TOE_ENODEV;
    c->srv = s;
    *conn = c;
    return 0;
}

static int s_send(void *conn, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    (void)timeout_ms;
    struct sconn *c = conn;
    size_t n = len < sizeof(c->req) - 1 - c->req_len ? len : sizeof(c->req) - 1 - c->req_len;
    memcpy(c->req + c->req_len, buf, n);
    c->req_len += n;
    c->req[c->req_len] = 0;
    c->requests = 0;
    for (const char *p = c->req; (p = strstr(p, "\r\n\r\n")); p += 4)
        c->requests++;
    *sent = len;
    return 0;
}

static int s_recv(void *conn, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    (void)timeout_ms;
    struct sconn *c = conn;
    *got = 0;
    while (c->part < c->nparts) {
        if (c->part >= c->requests)
            return TOE_ETIMEDOUT; /* the server waits for the next request */
        struct part *p = &c->parts[c->part];
        size_t dl = p->data ? strlen(p->data) : 0;
        if (c->off >= dl + p->gen) {
            c->part++;
            c->off = 0;
            continue;
        }
        size_t n = cap;
        if (c->srv->piece && n > c->srv->piece)
            n = c->srv->piece;
        uint8_t *o = buf;
        size_t k = 0;
        while (k < n && c->off < dl)
            o[k++] = (uint8_t)p->data[c->off++];
        while (k < n && c->off < dl + p->gen) {
            o[k++] = pattern(c->off - dl);
            c->off++;
        }
        *got = k;
        return 0;
    }
    return c->hang_at_end ? TOE_ETIMEDOUT : 0;
}

static void s_close(void *conn)
{
    struct sconn *c = conn;
    c->closed = 1;
}

static int s_resolve(void *user, const char *name, uint32_t *ip, int timeout_ms)
{
    (void)timeout_ms;
    struct server *s = user;
    s->resolves++;
    if (!strcmp(name, "www.example")) {
        *ip = 0x0a000202;
        return 0;
    }
    return TOE_EUNREACH;
}

/* The body callback: counts, checks the pattern or keeps a copy of a short body. */
struct sink {
    uint64_t n;
    int heads;
    int status_at_head;
    int64_t cl_at_head;
    int pattern_ok;
    size_t gen_from; /* the pattern starts at this body offset */
    char text[256];
    int stop_after; /* return an error once this many bytes came (0: never) */
};

static int k_head(void *user, const struct toe_http_response *r)
{
    struct sink *k = user;
    k->heads++;
    k->status_at_head = r->status;
    k->cl_at_head = r->content_length;
    return 0;
}

static int k_body(void *user, const struct toe_http_response *r, const void *data, size_t len)
{
    (void)r;
    struct sink *k = user;
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++, k->n++) {
        if (k->n < sizeof(k->text) - 1)
            k->text[k->n] = (char)p[i];
        if (k->n >= k->gen_from && p[i] != pattern(k->n - k->gen_from))
            k->pattern_ok = 0;
    }
    if (k->stop_after && k->n >= (uint64_t)k->stop_after)
        return TOE_ENOSPC;
    return 0;
}

static toe_http *client(struct server *s, int with_resolver, const struct toe_http_opts *o)
{
    struct toe_http_io io = {.user = s, .connect = s_connect, .send = s_send, .recv = s_recv,
                             .close = s_close, .resolve = with_resolver ? s_resolve : NULL};
    toe_http *h = NULL;
    int r = toe_http_new(&h, &io, o);
    CHECK_QUIET(r == 0 && h, "toe_http_new");
    return h;
}

/* One GET against a one-connection server holding one scripted response. */
static int get1(const char *resp, size_t piece, struct sink *k, struct toe_http_response *out,
                toe_http **keep, struct server *s)
{
    memset(s, 0, sizeof(*s));
    s->nconns = 1;
    s->piece = piece;
    s->conns[0].parts[0].data = resp;
    s->conns[0].nparts = 1;
    memset(k, 0, sizeof(*k));
    k->pattern_ok = 1;
    k->gen_from = (size_t)-1;
    toe_http *h = client(s, 0, NULL);
    struct toe_http_handler hd = {k, k_head, k_body};
    int r = toe_http_get(h, "http://10.0.2.2:8000/f", 0, &hd, out);
    if (keep)
        *keep = h;
    else
        toe_http_free(h);
    return r;
}

static void test_client_framing(void)
{
    struct server s;
    struct sink k;
    struct toe_http_response resp;
    toe_http *h;
    static const size_t pieces[] = {0, 1, 3};
    for (size_t pi = 0; pi < 3; pi++) {
        size_t pc = pieces[pi];
        int r = get1("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", pc, &k, &resp,
                     &h, &s);
        CHECK(r == 0 && resp.status == 200 && k.n == 11 && !strcmp(k.text, "hello world") &&
                  k.heads == 1 && k.cl_at_head == 11 && resp.body_bytes == 11 &&
                  !s.conns[0].closed,
              "test_client_content_length_kept_alive (piece %zu)", pc);
        CHECK(strstr(s.conns[0].req, "GET /f HTTP/1.1\r\nHost: 10.0.2.2:8000\r\n") &&
                  !strstr(s.conns[0].req, "Connection: close"),
              "test_client_request_line_and_host (piece %zu)", pc);
        toe_http_free(h);
        CHECK(s.conns[0].closed, "test_client_free_closes_kept_connection");

        r = get1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n",
                 pc, &k, &resp, &h, &s);
        CHECK(r == 0 && resp.chunked && resp.content_length == -1 &&
                  !strcmp(k.text, "hello world") && !s.conns[0].closed,
              "test_client_chunked_with_ext_and_trailer (piece %zu, %s)", pc,
              toe_http_last_error(h));
        toe_http_free(h);

        r = get1("HTTP/1.1 200 OK\r\n\r\nuntil the close", pc, &k, &resp, &h, &s);
        CHECK(r == 0 && !strcmp(k.text, "until the close") && 1 &&
                  s.conns[0].closed,
              "test_client_close_delimited (piece %zu)", pc);
        toe_http_free(h);
    }
    int r = get1("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, &k, &resp, NULL, &s);
    CHECK(r == 0 && k.n == 0 && k.heads == 1 && resp.content_length == 0,
          "test_client_empty_body");
    r = get1("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", 0, &k, &resp, NULL,
             &s);
    CHECK(r == 0 && resp.status == 404 && !strcmp(resp.reason, "Not Found") &&
              !strcmp(k.text, "not found"),
          "test_client_404_is_a_status_not_an_error");
    r = get1("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1,
             &k, &resp, NULL, &s);
    CHECK(r == 0 && resp.status == 200 && !strcmp(k.text, "ok") && k.heads == 1,
          "test_client_skips_100_continue");

    /* failures: each must name the problem and the stage */
    struct {
        const char *resp;
        int rc;
        enum toe_http_fail fail;
        const char *msg;
    } bad[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nonly ten b", TOE_EIO,
         TOE_HTTP_FAIL_NETWORK, "after 10 of 20"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nfive!", TOE_EIO,
         TOE_HTTP_FAIL_NETWORK, "middle of a chunk"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", TOE_EIO,
         TOE_HTTP_FAIL_NETWORK, "chunked body"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
         TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL, "bad chunk size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
         TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL, "bad chunk size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhelloXX\r\n0\r\n\r\n",
         TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL, "not followed by CRLF"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
         TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL, "trailer"},
        {"HTTP/1.1 OK\r\n\r\n", TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL, "malformed status line"},
        {"SSH-2.0-OpenSSH_9.2\r\n\r\n", TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL,
         "malformed status line"},
        {"HTTP/1.1 200 OK\r\nContent-Len", TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL,
         "middle of the response head"},
        {"", TOE_EIO, TOE_HTTP_FAIL_NETWORK, "closed before a response"},
        {"HTTP/1.1 101 Switching Protocols\r\n\r\n", TOE_EPROTO, TOE_HTTP_FAIL_PROTOCOL, "101"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (size_t pi = 0; pi < 2; pi++) {
            memset(&s, 0, sizeof(s));
            r = get1(bad[i].resp, pi, &k, &resp, &h, &s);
            const char *e = toe_http_last_error(h);
            CHECK(r == bad[i].rc && toe_http_last_fail(h) == bad[i].fail && strstr(e, bad[i].msg) &&
                      1 && s.conns[0].closed,
                  "test_client_rejects #%zu piece %zu: %s (%s)", i, pi, e, toe_strerror(r));
            toe_http_free(h);
        }
    }
    /* an oversized head: 20 KB of headers, more than the 16 KiB default */
    static char big[24000];
    strcpy(big, "HTTP/1.1 200 OK\r\n");
    while (strlen(big) < 20000)
        strcat(big, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    strcat(big, "Content-Length: 0\r\n\r\n");
    struct toe_http_opts o = {.max_headers = 1000};
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    s.conns[0].parts[0].data = big;
    s.conns[0].nparts = 1;
    h = client(&s, 0, &o);
    r = toe_http_get(h, "http://10.0.2.2/", 0, NULL, &resp);
    CHECK(r == TOE_EPROTO && strstr(toe_http_last_error(h), "larger than 16384"),
          "test_client_oversized_head (%s)", toe_http_last_error(h));
    toe_http_free(h);
    /* one huge header line with no end at all */
    static char endless[40000];
    memset(endless, 'a', sizeof(endless) - 1);
    memcpy(endless, "HTTP/1.1 200 OK\r\nX: ", 20);
    r = get1(endless, 0, &k, &resp, &h, &s);
    CHECK(r == TOE_EPROTO && strstr(toe_http_last_error(h), "larger than"),
          "test_client_endless_header_line (%s)", toe_http_last_error(h));
    toe_http_free(h);
    /* a chunk-size line that never ends */
    static char cline[8000];
    snprintf(cline, sizeof(cline), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    memset(cline + strlen(cline), 'e', 3000);
    r = get1(cline, 0, &k, &resp, &h, &s);
    CHECK(r == TOE_EPROTO && strstr(toe_http_last_error(h), "chunk-size line longer"),
          "test_client_chunk_line_too_long (%s)", toe_http_last_error(h));
    toe_http_free(h);
    /* a server that says nothing */
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    s.conns[0].nparts = 0;
    s.conns[0].hang_at_end = 1;
    struct toe_http_opts ot = {.timeout_ms = 50};
    h = client(&s, 0, &ot);
    r = toe_http_get(h, "http://10.0.2.2/", 0, NULL, &resp);
    CHECK(r == TOE_ETIMEDOUT && toe_http_last_fail(h) == TOE_HTTP_FAIL_NETWORK &&
              strstr(toe_http_last_error(h), "timed out"),
          "test_client_timeout (%s)", toe_http_last_error(h));
    toe_http_free(h);
    /* the body callback stops the transfer */
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    s.conns[0].parts[0] = (struct part){"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",
                                         100000};
    s.conns[0].nparts = 1;
    memset(&k, 0, sizeof(k));
    k.stop_after = 1000;
    h = client(&s, 0, NULL);
    struct toe_http_handler hd = {&k, k_head, k_body};
    r = toe_http_get(h, "http://10.0.2.2/", 0, &hd, &resp);
    CHECK(r == TOE_ENOSPC && toe_http_last_fail(h) == TOE_HTTP_FAIL_SINK && k.n < 100000 &&
              s.conns[0].closed,
          "test_client_sink_error_stops (%s)", toe_http_last_error(h));
    toe_http_free(h);
}

static void test_client_connections(void)
{
    struct server s;
    struct sink k;
    struct toe_http_response resp;
    struct toe_http_handler hd = {&k, k_head, k_body};

    /* keep-alive: three URLs on one connection, the last with Connection: close */
    memset(&s, 0, sizeof(s));
    s.nconns = 2;
    s.conns[0].parts[0].data = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
    s.conns[0].parts[1].data = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "1\r\nb\r\n0\r\n\r\n";
    s.conns[0].parts[2].data = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n"
                               "\r\nc";
    s.conns[0].nparts = 3;
    s.conns[0].hang_at_end = 1;
    toe_http *h = client(&s, 0, NULL);
    memset(&k, 0, sizeof(k));
    int r1 = toe_http_get(h, "http://10.0.2.2/1", 0, &hd, &resp);
    int u1 = resp.reused;
    int r2 = toe_http_get(h, "http://10.0.2.2/2", 0, &hd, &resp);
    int u2 = resp.reused;
    int r3 = toe_http_get(h, "http://10.0.2.2/3", TOE_HTTP_CLOSE, &hd, &resp);
    CHECK(!r1 && !r2 && !r3 && !strcmp(k.text, "abc") && toe_http_connections(h) == 1 && !u1 &&
              u2 && resp.reused && s.conns[0].closed,
          "test_client_keep_alive_three_urls_one_connection (%u connections, %s)",
          toe_http_connections(h), toe_http_last_error(h));
    const char *g3 = strstr(s.conns[0].req, "GET /3 HTTP/1.1\r\nHost: 10.0.2.2\r\n");
    const char *cc = strstr(s.conns[0].req, "Connection: close\r\n\r\n");
    CHECK(g3 && cc && cc > g3 && !strstr(cc + 1, "Connection: close"),
          "test_client_close_flag_sends_connection_close");
    toe_http_free(h);

    /* a kept connection the server has closed meanwhile: retried once on a new one */
    memset(&s, 0, sizeof(s));
    s.nconns = 2;
    s.conns[0].parts[0].data = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
    s.conns[0].nparts = 1; /* then EOF */
    s.conns[1].parts[0].data = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
    s.conns[1].nparts = 1;
    h = client(&s, 0, NULL);
    memset(&k, 0, sizeof(k));
    r1 = toe_http_get(h, "http://10.0.2.2/1", 0, &hd, &resp);
    r2 = toe_http_get(h, "http://10.0.2.2/2", 0, &hd, &resp);
    CHECK(!r1 && !r2 && !strcmp(k.text, "ab") && toe_http_connections(h) == 2 &&
              s.conns[0].closed && !resp.reused,
          "test_client_stale_keep_alive_retried (%s)", toe_http_last_error(h));
    toe_http_free(h);

    /* HTTP/1.0 without keep-alive: a new connection per URL */
    memset(&s, 0, sizeof(s));
    s.nconns = 2;
    s.conns[0].parts[0].data = "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na";
    s.conns[0].nparts = 1;
    s.conns[0].hang_at_end = 1;
    s.conns[1].parts[0].data = "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb";
    s.conns[1].nparts = 1;
    h = client(&s, 0, NULL);
    r1 = toe_http_get(h, "http://10.0.2.2/1", 0, NULL, &resp);
    r2 = toe_http_get(h, "http://10.0.2.2/2", 0, NULL, &resp);
    CHECK(!r1 && !r2 && toe_http_connections(h) == 2 && s.conns[0].closed,
          "test_client_http10_new_connection_each");
    toe_http_free(h);

    /* redirects: relative on the same connection, then to another port (new connection) */
    memset(&s, 0, sizeof(s));
    s.nconns = 2;
    s.conns[0].parts[0].data = "HTTP/1.1 301 Moved\r\nLocation: next\r\nContent-Length: 5\r\n"
                               "\r\nmoved";
    s.conns[0].parts[1].data = "HTTP/1.1 302 Found\r\nLocation: http://10.0.2.2:81/final\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    s.conns[0].nparts = 2;
    s.conns[0].hang_at_end = 1;
    s.conns[1].parts[0].data = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhere";
    s.conns[1].nparts = 1;
    s.conns[1].hang_at_end = 1;
    h = client(&s, 0, NULL);
    memset(&k, 0, sizeof(k));
    r1 = toe_http_get(h, "http://10.0.2.2/dir/start", 0, &hd, &resp);
    CHECK(!r1 && resp.status == 200 && resp.redirects == 2 && !strcmp(k.text, "here") &&
              k.heads == 1 && !strcmp(resp.url, "http://10.0.2.2:81/final") &&
              strstr(s.conns[0].req, "GET /dir/next HTTP/1.1") && s.last_port == 81 &&
              toe_http_connections(h) == 2,
          "test_client_redirects_followed (%s; %s)", resp.url, toe_http_last_error(h));
    toe_http_free(h);

    /* a redirect loop ends after max_redirects */
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    for (int i = 0; i < MAX_PARTS; i++)
        s.conns[0].parts[i].data = "HTTP/1.1 302 Found\r\nLocation: /loop\r\n"
                                   "Content-Length: 0\r\n\r\n";
    s.conns[0].nparts = MAX_PARTS;
    struct toe_http_opts o3 = {.max_redirects = 3};
    h = client(&s, 0, &o3);
    memset(&k, 0, sizeof(k));
    r1 = toe_http_get(h, "http://10.0.2.2/loop", 0, &hd, &resp);
    CHECK(r1 == TOE_EPROTO && toe_http_last_fail(h) == TOE_HTTP_FAIL_PROTOCOL &&
              strstr(toe_http_last_error(h), "too many redirects") && resp.redirects == 3 &&
              k.heads == 0,
          "test_client_redirect_loop_bounded (%s)", toe_http_last_error(h));
    toe_http_free(h);

    /* a redirect to https is refused with the TLS message */
    r1 = get1("HTTP/1.1 302 Found\r\nLocation: https://10.0.2.2/\r\nContent-Length: 0\r\n\r\n", 0,
              &k, &resp, &h, &s);
    CHECK(r1 == TOE_ENOTSUP && toe_http_last_fail(h) == TOE_HTTP_FAIL_PROTOCOL &&
              strstr(toe_http_last_error(h), "https is not supported: toe has no TLS"),
          "test_client_redirect_to_https_refused (%s)", toe_http_last_error(h));
    toe_http_free(h);

    /* a 3xx without Location is the final response; so is any 3xx when not following */
    r1 = get1("HTTP/1.1 302 Found\r\nContent-Length: 2\r\n\r\nno", 0, &k, &resp, NULL, &s);
    CHECK(r1 == 0 && resp.status == 302 && !strcmp(k.text, "no"),
          "test_client_3xx_without_location_is_final");
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    s.conns[0].parts[0].data = "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n";
    s.conns[0].nparts = 1;
    struct toe_http_opts onr = {.max_redirects = -1};
    h = client(&s, 0, &onr);
    r1 = toe_http_get(h, "http://10.0.2.2/", 0, NULL, &resp);
    CHECK(r1 == 0 && resp.status == 302 && !strcmp(resp.location, "/x") && resp.redirects == 0,
          "test_client_redirects_off");
    toe_http_free(h);

    /* names: resolved through the transport's resolver, or a clear failure without one */
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    s.conns[0].parts[0].data = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    s.conns[0].nparts = 1;
    h = client(&s, 1, NULL);
    r1 = toe_http_get(h, "http://www.example/", 0, NULL, &resp);
    r2 = toe_http_get(h, "http://nowhere.example/", 0, NULL, &resp);
    CHECK(r1 == 0 && s.last_ip == 0x0a000202 && strstr(s.conns[0].req, "Host: www.example\r\n") &&
              r2 == TOE_EUNREACH && toe_http_last_fail(h) == TOE_HTTP_FAIL_RESOLVE &&
              strstr(toe_http_last_error(h), "nowhere.example"),
          "test_client_names_resolved (%s)", toe_http_last_error(h));
    toe_http_free(h);
    memset(&s, 0, sizeof(s));
    h = client(&s, 0, NULL);
    r1 = toe_http_get(h, "http://www.example/", 0, NULL, &resp);
    CHECK(r1 == TOE_EUNREACH && toe_http_last_fail(h) == TOE_HTTP_FAIL_RESOLVE && s.opened == 0,
          "test_client_name_without_resolver (%s)", toe_http_last_error(h));
    r1 = toe_http_get(h, "http://10.0.2.9/", 0, NULL, &resp);
    CHECK(r1 == TOE_ENODEV && toe_http_last_fail(h) == TOE_HTTP_FAIL_CONNECT &&
              strstr(toe_http_last_error(h), "cannot connect to 10.0.2.9:80"),
          "test_client_connect_failure (%s)", toe_http_last_error(h));
    r1 = toe_http_get(h, "https://10.0.2.9/", 0, NULL, &resp);
    CHECK(r1 == TOE_ENOTSUP && toe_http_last_fail(h) == TOE_HTTP_FAIL_URL,
          "test_client_https_url (%s)", toe_http_last_error(h));
    toe_http_free(h);

    /* 10 MB through the in-process server, in pieces, with nothing kept whole */
    memset(&s, 0, sizeof(s));
    s.nconns = 1;
    s.piece = 1400;
    s.conns[0].parts[0] = (struct part){"HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n",
                                         10485760};
    s.conns[0].nparts = 1;
    h = client(&s, 0, NULL);
    memset(&k, 0, sizeof(k));
    k.pattern_ok = 1;
    r1 = toe_http_get(h, "http://10.0.2.2/10m", 0, &hd, &resp);
    CHECK(r1 == 0 && k.n == 10485760 && k.pattern_ok && resp.body_bytes == 10485760,
          "test_client_10mb_content_length (%llu bytes)", (unsigned long long)k.n);
    toe_http_free(h);
}

/* ---- a forked server on a socketpair ----------------------------------------------------- */

struct fdconn {
    int fd;
    pid_t pid;
};

static int fd_send(void *conn, const void *buf, size_t len, size_t *sent, int timeout_ms)
{
    struct fdconn *c = conn;
    struct pollfd p = {c->fd, POLLOUT, 0};
    *sent = 0;
    if (poll(&p, 1, timeout_ms) <= 0)
        return TOE_ETIMEDOUT;
    ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
    if (n < 0)
        return TOE_EIO;
    *sent = (size_t)n;
    return 0;
}

static int fd_recv(void *conn, void *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct fdconn *c = conn;
    struct pollfd p = {c->fd, POLLIN, 0};
    *got = 0;
    if (poll(&p, 1, timeout_ms) <= 0)
        return TOE_ETIMEDOUT;
    ssize_t n = recv(c->fd, buf, cap, 0);
    if (n < 0)
        return TOE_EIO;
    *got = (size_t)n;
    return 0;
}

static void fd_close(void *conn)
{
    struct fdconn *c = conn;
    close(c->fd);
    int st;
    waitpid(c->pid, &st, 0);
    free(c);
}

static void write_all(int fd, const void *p, size_t n)
{
    const char *q = p;
    while (n) {
        ssize_t w = write(fd, q, n);
        if (w <= 0)
            _exit(3);
        q += w;
        n -= (size_t)w;
    }
}

/* The child: read one request head, answer 10 MB chunked in chunks of varying size (or cut
 * the body short when truncate is set), then close. */
static void serve_child(int fd, int truncate)
{
    char req[4096];
    size_t n = 0;
    while (!strstr(req, "\r\n\r\n")) {
        ssize_t r = read(fd, req + n, sizeof(req) - 1 - n);
        if (r <= 0)
            _exit(2);
        n += (size_t)r;
        req[n] = 0;
    }
    const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    write_all(fd, h, strlen(h));
    static uint8_t buf[70000];
    uint64_t off = 0, total = 10485760, size = 1;
    while (off < total) {
        uint64_t k = size < total - off ? size : total - off;
        char line[32];
        int l = snprintf(line, sizeof(line), "%llx\r\n", (unsigned long long)k);
        write_all(fd, line, (size_t)l);
        for (uint64_t i = 0; i < k; i++)
            buf[i] = pattern(off + i);
        if (truncate && off + k > total / 2) {
            write_all(fd, buf, (size_t)k / 2);
            _exit(0);
        }
        write_all(fd, buf, (size_t)k);
        write_all(fd, "\r\n", 2);
        off += k;
        size = size * 3 + 7;
        if (size > 65536)
            size = 1 + size % 65536;
    }
    write_all(fd, "0\r\n\r\n", 5);
    _exit(0);
}

static int fork_connect(void *user, uint32_t ip, uint16_t port, int timeout_ms, void **conn)
{
    (void)ip, (void)port, (void)timeout_ms;
    int truncate = *(int *)user;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return TOE_EIO;
    pid_t pid = fork();
    if (pid < 0)
        return TOE_EIO;
    if (pid == 0) {
        close(sv[0]);
        serve_child(sv[1], truncate);
    }
    close(sv[1]);
    struct fdconn *c = malloc(sizeof(*c));
    c->fd = sv[0];
    c->pid = pid;
    *conn = c;
    return 0;
}

static void test_client_socketpair(void)
{
    for (int truncate = 0; truncate < 2; truncate++) {
        struct toe_http_io io = {.user = &truncate, .connect = fork_connect, .send = fd_send,
                                 .recv = fd_recv, .close = fd_close};
        toe_http *h;
        toe_http_new(&h, &io, &(struct toe_http_opts){.timeout_ms = 10000});
        struct sink k = {.pattern_ok = 1};
        struct toe_http_handler hd = {&k, k_head, k_body};
        struct toe_http_response resp;
        int r = toe_http_get(h, "http://10.0.2.2/big", 0, &hd, &resp);
        if (!truncate)
            CHECK(r == 0 && k.n == 10485760 && k.pattern_ok,
                  "test_client_socketpair_10mb_chunked (%llu bytes, %s)",
                  (unsigned long long)k.n, toe_http_last_error(h));
        else
            CHECK(r == TOE_EIO && toe_http_last_fail(h) == TOE_HTTP_FAIL_NETWORK &&
                      k.n < 10485760 && k.pattern_ok,
                  "test_client_socketpair_closed_mid_body (%llu bytes: %s)",
                  (unsigned long long)k.n, toe_http_last_error(h));
        toe_http_free(h);
    }
}

/* ---- DNS --------------------------------------------------------------------------------- */

static size_t dns_answer(uint8_t *a, const uint8_t *q, size_t qlen, unsigned rcode, int cname,
                         int with_a)
{
    memcpy(a, q, qlen);
    a[2] = 0x81; /* QR, RD */
    a[3] = (uint8_t)(0x80 | rcode);
    size_t o = qlen;
    unsigned an = 0;
    if (cname) { /* name -> alias.example (CNAME) */
        static const uint8_t rr[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 15, 5, 'a', 'l',
                                     'i',  'a', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
        memcpy(a + o, rr, sizeof(rr));
        o += sizeof(rr);
        an++;
    }
    if (with_a) {
        static const uint8_t rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34};
        memcpy(a + o, rr, sizeof(rr));
        o += sizeof(rr);
        an++;
    }
    wr16(a + 6, (uint16_t)an);
    return o;
}

/* A transport over the mock device that also plays a DNS server at 10.0.2.3. */
struct dns_mock {
    struct mock_dev m;
    unsigned seen_tx;
    int mode; /* 0 A, 1 CNAME+A, 2 NXDOMAIN, 3 silent, 4 first answer with a wrong id,
               * 5 first answer for another name, 6 first answer to another port, 7 the
               * name in capitals, 8 first answer a spoofed NXDOMAIN for another name */
    unsigned queries;
    char qname_ok;
};

static int dm_write(void *priv, const uint8_t *buf, size_t len, size_t *written, int timeout_ms)
{
    (void)timeout_ms;
    struct dns_mock *d = priv;
    mock_input(&d->m, buf, len);
    *written = len;
    if (d->m.raw_tx == d->seen_tx)
        return 0;
    d->seen_tx = d->m.raw_tx;
    const uint8_t *f = d->m.last_raw;
    size_t n = d->m.last_raw_len;
    if (n < 42 || rd16(f + 12) != 0x0800 || f[23] != 17 || rd16(f + 36) != 53)
        return 0;
    d->queries++;
    d->qname_ok = n >= 42 + 12 + 13 && !memcmp(f + 42 + 12, "\x03www\x07" "example\x00", 13) &&
                  (d->m.last_raw_flags & TOE_CONST_RAW_CSUM_L4);
    if (d->mode == 3)
        return 0;
    uint8_t r[600];
    memcpy(r, f + 6, 6);
    memcpy(r + 6, f, 6);
    wr16(r + 12, 0x0800);
    uint8_t *ip = r + 14, *udp = r + 34;
    size_t qlen = n - 42;
    int first = d->queries == 1;
    size_t alen = dns_answer(udp + 8, f + 42, qlen, d->mode == 2 || (d->mode == 8 && first) ? 3 : 0,
                             d->mode == 1, 1);
    if (d->mode == 4 && first)
        udp[8] ^= 0xff;
    if ((d->mode == 5 || d->mode == 8) && first)
        udp[8 + 17] = 'f'; /* www.fxample */
    if (d->mode == 7)
        for (size_t i = 12; i < qlen - 4; i++)
            if (udp[8 + i] >= 'a' && udp[8 + i] <= 'z')
                udp[8 + i] = (uint8_t)(udp[8 + i] - 32);
    memcpy(ip, f + 14, 20);
    memcpy(ip + 12, f + 30, 4);
    memcpy(ip + 16, f + 26, 4);
    wr16(ip + 2, (uint16_t)(28 + alen));
    ip[10] = ip[11] = 0;
    wr16(ip + 10, toe_inet_csum(ip, 20));
    wr16(udp, 53);
    wr16(udp + 2, (uint16_t)(rd16(f + 34) ^ (d->mode == 6 && first ? 1 : 0)));
    wr16(udp + 4, (uint16_t)(8 + alen));
    wr16(udp + 6, 0); /* no UDP checksum */
    struct toe_msg msg = {.type = TOE_MSG_RAW_RX, .arg = TOE_STAT_RX_IP_OTHER, .time = 0,
                          .data = r, .data_len = 42 + alen};
    mock_emit(&d->m, &msg);
    return 0;
}

static int dm_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct dns_mock *d = priv;
    return mock_transport(&d->m).ops->read(&d->m, buf, cap, got, timeout_ms);
}

static void dm_close(void *priv) { (void)priv; }

static void test_dns(void)
{
    uint8_t q[512];
    int n = toe_dns_build_query(q, sizeof(q), 0x1234, "www.example.");
    static const uint8_t want[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                   3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
                                   0, 1, 0, 1};
    CHECK(n == (int)sizeof(want) && !memcmp(q, want, sizeof(want)), "test_dns_query_bytes");
    char label64[80];
    memset(label64, 'a', 64);
    strcpy(label64 + 64, ".com");
    static const char *badn[] = {"", ".", "a..b", ".a", "a b", "a/b"};
    for (size_t i = 0; i < sizeof(badn) / sizeof(badn[0]); i++)
        CHECK(toe_dns_build_query(q, sizeof(q), 1, badn[i]) == TOE_EINVAL,
              "test_dns_bad_name_rejected '%s'", badn[i]);
    CHECK(toe_dns_build_query(q, sizeof(q), 1, label64) == TOE_EINVAL,
          "test_dns_long_label_rejected");

    n = toe_dns_build_query(q, sizeof(q), 0x1234, "www.example");
    uint8_t a[600];
    uint32_t ip = 0;
    char err[200];
    size_t al = dns_answer(a, q, (size_t)n, 0, 1, 1);
    size_t ql = (size_t)n;
    int r = toe_dns_parse_answer(a, al, q, ql, &ip, err, sizeof(err));
    CHECK(r == 0 && ip == 0x5db8d822, "test_dns_answer_cname_then_a");
    uint8_t q2[512];
    memcpy(q2, q, ql);
    q2[1] ^= 1;
    CHECK(toe_dns_parse_answer(a, al, q2, ql, &ip, err, sizeof(err)) == 1,
          "test_dns_answer_other_id_ignored");
    /* RFC 5452 9.1: the question must be ours: another name, type or class, or no question,
     * and the answer is not ours; the name's case does not matter. */
    int diff_ok = 1;
    for (size_t i = 12; i < ql; i++) {
        memcpy(q2, q, ql);
        q2[i] ^= 0x01;
        diff_ok &= toe_dns_parse_answer(a, al, q2, ql, &ip, err, sizeof(err)) == 1;
    }
    memcpy(q2, q, ql);
    q2[13] = 'W';
    q2[20] = 'M';
    int case_ok = toe_dns_parse_answer(a, al, q2, ql, &ip, err, sizeof(err)) == 0;
    uint8_t a2[600];
    memcpy(a2, a, al);
    a2[5] = 0; /* QDCOUNT 0 */
    CHECK(diff_ok && case_ok && toe_dns_parse_answer(a2, al, q, ql, &ip, err, sizeof(err)) == 1,
          "test_dns_answer_question_must_match (other %d, case %d)", diff_ok, case_ok);
    al = dns_answer(a, q, (size_t)n, 3, 0, 0);
    r = toe_dns_parse_answer(a, al, q, ql, &ip, err, sizeof(err));
    CHECK(r == TOE_EUNREACH && strstr(err, "no such host"), "test_dns_nxdomain (%s)", err);
    al = dns_answer(a, q, (size_t)n, 0, 1, 0);
    r = toe_dns_parse_answer(a, al, q, ql, &ip, err, sizeof(err));
    CHECK(r == TOE_EUNREACH && strstr(err, "no A record"), "test_dns_no_a_record (%s)", err);
    al = dns_answer(a, q, (size_t)n, 0, 1, 1);
    int all_cut_rejected = 1;
    for (size_t cut = 12; cut < al; cut++) {
        r = toe_dns_parse_answer(a, cut, q, ql, &ip, err, sizeof(err));
        if (r != TOE_EPROTO)
            all_cut_rejected = 0;
    }
    CHECK(all_cut_rejected, "test_dns_truncated_answers_rejected");
    a[12] = 0x80; /* a reserved label type in the question */
    r = toe_dns_parse_answer(a, al, q, ql, &ip, err, sizeof(err));
    CHECK(r == TOE_EPROTO, "test_dns_bad_label_rejected");

    for (int mode = 0; mode < 9; mode++) {
        struct dns_mock *d = calloc(1, sizeof(*d));
        mock_init(&d->m);
        d->m.peers[1] = (struct mock_peer){0x0a000203, {0x52, 0x55, 0x0a, 0, 2, 3}, 1, 0};
        d->mode = mode;
        static const struct toe_transport_ops ops = {"dnsmock", dm_write, dm_read, dm_close, NULL};
        struct toe_transport t = {&ops, d};
        toe_dev *dev = NULL;
        struct toe_open_opts oo = {.no_probe = 1};
        toe_open_transport(&dev, &t, "dnsmock", &oo);
        ip = 0;
        r = toe_dns_resolve(dev, 0x0a000203, "www.example", &ip, mode == 3 ? 300 : 3000);
        const char *e = toe_last_error(dev);
        uint64_t drops[TOE_HSTAT_COUNT];
        toe_host_stats(dev, drops, TOE_HSTAT_COUNT, NULL);
        int spoofed = mode == 4 || mode == 5 || mode == 6 || mode == 8;
        if (mode == 0 || mode == 1 || mode == 7 || spoofed)
            CHECK(r == 0 && ip == 0x5db8d822 && d->qname_ok && d->queries == (spoofed ? 2u : 1u) &&
                      drops[TOE_HSTAT_DNS_DROP] == (spoofed ? 1u : 0u),
                  "test_dns_resolve_through_device mode %d (%s, %u queries, %llu dropped)", mode,
                  e, d->queries, (unsigned long long)drops[TOE_HSTAT_DNS_DROP]);
        else if (mode == 2)
            CHECK(r == TOE_EUNREACH && strstr(e, "www.example") && strstr(e, "no such host"),
                  "test_dns_resolve_nxdomain (%s)", e);
        else
            CHECK(r == TOE_ETIMEDOUT && d->queries == 3 && strstr(e, "10.0.2.3"),
                  "test_dns_resolve_silent_server_retried (%u queries, %s)", d->queries, e);
        r = toe_dns_resolve(dev, 0x0a000203, "10.1.2.3", &ip, 0);
        CHECK_QUIET(r == 0 && ip == 0x0a010203, "numeric name resolves to itself");
        toe_close(dev);
        mock_free(&d->m);
        free(d);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_url();
    test_head();
    test_client_framing();
    test_client_connections();
    test_client_socketpair();
    test_dns();
    printf("%s test_http\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
