/* SPDX-License-Identifier: MIT */
/* http.c: the HTTP/1.1 client of toe_http.h: URL parsing and resolution, the request, strict
 * parsing of the response head, body framing (Content-Length, chunked, up to the close),
 * keep-alive reuse and redirects, over any byte-stream transport (struct toe_http_io).
 * The binding to the device's TCP sockets is at the end (toe_http_new_dev). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

#define HTTP_BUF_EXTRA 16384     /* buffer = max header bytes + this */
#define HTTP_MAX_1XX 8           /* interim responses skipped before the final one */
#define HTTP_CHUNK_LINE_MAX 1024 /* chunk-size line, extensions included */
#define HTTP_DRAIN_MAX 65536     /* redirect bodies longer than this close the connection */

/* ---- small helpers ----------------------------------------------------------------------- */

void toe_app_fmt_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int ieq(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Printable excerpt of untrusted bytes for error messages: at most 40 of them, escaped. */
static const char *excerpt(const char *p, size_t n, char *out, size_t cap)
{
    size_t o = 0, i = 0;
    for (; i < n && i < 40 && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (i < n && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
    return out;
}

/* ---- URLs -------------------------------------------------------------------------------- */

static int scheme_len(const char *s)
{
    /* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (!is_alpha((unsigned char)s[0]))
        return 0;
    int i = 1;
    while (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '+' ||
           s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

/* Append a path/query byte string to target, percent-encoding spaces and non-ASCII. */
static int put_target(char *t, size_t *tl, const char *p, size_t n, char *err, size_t errlen)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f) {
            toe_app_fmt_err(err, errlen, "control character 0x%02x in URL", c);
            return TOE_EINVAL;
        }
        if (c == ' ' || c >= 0x80 || c == '"' || c == '<' || c == '>' || c == '\\' ||
            c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
            if (*tl + 3 >= TOE_HTTP_TARGET_MAX)
                goto long_;
            t[(*tl)++] = '%';
            t[(*tl)++] = hex[c >> 4];
            t[(*tl)++] = hex[c & 15];
        } else {
            if (*tl + 1 >= TOE_HTTP_TARGET_MAX)
                goto long_;
            t[(*tl)++] = (char)c;
        }
    }
    t[*tl] = 0;
    return 0;
long_:
    toe_app_fmt_err(err, errlen, "URL path longer than %d bytes", TOE_HTTP_TARGET_MAX - 1);
    return TOE_EINVAL;
}

static int parse_host(const char *h, size_t n, struct toe_http_url *u, char *err, size_t errlen)
{
    if (n == 0) {
        toe_app_fmt_err(err, errlen, "URL has no host");
        return TOE_EINVAL;
    }
    if (n >= TOE_HTTP_HOST_MAX - 1) {
        toe_app_fmt_err(err, errlen, "host name longer than 253 bytes");
        return TOE_EINVAL;
    }
    int numeric = 1;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '.') {
            if (label == 0 && !(i == n - 1 && i > 0)) {
                toe_app_fmt_err(err, errlen, "bad host name '%.*s' (empty label)", (int)n, h);
                return TOE_EINVAL;
            }
            label = 0;
            continue;
        }
        if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_')) {
            toe_app_fmt_err(err, errlen, "bad character '%c' in host name",
                    c >= 0x20 && c < 0x7f ? c : '?');
            return TOE_EINVAL;
        }
        if (!is_digit(c))
            numeric = 0;
        if (++label > 63) {
            toe_app_fmt_err(err, errlen, "bad host name: a label is longer than 63 bytes");
            return TOE_EINVAL;
        }
    }
    for (size_t i = 0; i < n; i++)
        u->host[i] = (char)lower((unsigned char)h[i]);
    u->host[n] = 0;
    u->ip = 0;
    if (numeric) {
        struct in_addr a;
        if (inet_pton(AF_INET, u->host, &a) != 1) {
            toe_app_fmt_err(err, errlen, "bad IPv4 address '%s'", u->host);
            return TOE_EINVAL;
        }
        u->ip = ntohl(a.s_addr);
        if (u->ip == 0) {
            toe_app_fmt_err(err, errlen, "bad IPv4 address '%s'", u->host);
            return TOE_EINVAL;
        }
    }
    return 0;
}

int toe_http_parse_url(const char *url, struct toe_http_url *u, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!url || !u) {
        toe_app_fmt_err(err, errlen, "no URL");
        return TOE_EINVAL;
    }
    memset(u, 0, sizeof(*u));
    const char *s = url;
    int sl = scheme_len(s);
    if (sl && !strncmp(s + sl, "://", 3)) {
        if (ieq(s, (size_t)sl, "https")) {
            toe_app_fmt_err(err, errlen, "https is not supported: toe has no TLS");
            return TOE_ENOTSUP;
        }
        if (!ieq(s, (size_t)sl, "http")) {
            toe_app_fmt_err(err, errlen, "URL scheme '%.*s' is not supported (only http://)",
                    sl > 20 ? 20 : sl, s);
            return TOE_ENOTSUP;
        }
        s += sl + 3;
    } else if (sl && ieq(s, (size_t)sl, "https")) {
        toe_app_fmt_err(err, errlen, "https is not supported: toe has no TLS");
        return TOE_ENOTSUP;
    }
    size_t alen = strcspn(s, "/?#");
    const char *at = memchr(s, '@', alen);
    if (at) {
        toe_app_fmt_err(err, errlen, "credentials in URLs are not supported");
        return TOE_EINVAL;
    }
    if (alen && s[0] == '[') {
        toe_app_fmt_err(err, errlen, "IPv6 addresses are not supported");
        return TOE_EINVAL;
    }
    const char *colon = memchr(s, ':', alen);
    size_t hlen = colon ? (size_t)(colon - s) : alen;
    int r = parse_host(s, hlen, u, err, errlen);
    if (r)
        return r;
    u->port = 80;
    if (colon && colon + 1 < s + alen) {
        unsigned long port = 0;
        for (const char *p = colon + 1; p < s + alen; p++) {
            if (!is_digit((unsigned char)*p) || port > 65535) {
                port = 0;
                break;
            }
            port = port * 10 + (unsigned long)(*p - '0');
        }
        if (port == 0 || port > 65535) {
            int pl = (int)(s + alen - colon - 1);
            toe_app_fmt_err(err, errlen, "bad port '%.*s' in URL", pl > 10 ? 10 : pl, colon + 1);
            return TOE_EINVAL;
        }
        u->port = (uint16_t)port;
        u->port_given = 1;
    }
    const char *rest = s + alen;
    size_t rlen = strcspn(rest, "#");
    size_t tl = 0;
    if (rlen == 0 || rest[0] == '?')
        u->target[tl++] = '/';
    u->target[tl] = 0;
    return put_target(u->target, &tl, rest, rlen, err, errlen);
}

int toe_http_resolve_url(const struct toe_http_url *base, const char *ref,
                         struct toe_http_url *out, char *err, size_t errlen)
{
    if (!base || !ref || !out) {
        toe_app_fmt_err(err, errlen, "no URL");
        return TOE_EINVAL;
    }
    int sl = scheme_len(ref);
    if (sl)
        return toe_http_parse_url(ref, out, err, errlen);
    size_t cap = strlen(ref) + TOE_HTTP_HOST_MAX + TOE_HTTP_TARGET_MAX + 16;
    char *u = malloc(cap);
    if (!u)
        return TOE_ENOMEM;
    if (ref[0] == '/' && ref[1] == '/') {
        snprintf(u, cap, "http:%s", ref);
    } else {
        int n = snprintf(u, cap, "http://%s:%u", base->host, base->port);
        size_t blen = strcspn(base->target, "?");
        if (ref[0] == '/') {
            snprintf(u + n, cap - (size_t)n, "%s", ref);
        } else if (ref[0] == '?') {
            snprintf(u + n, cap - (size_t)n, "%.*s%s", (int)blen, base->target, ref);
        } else if (ref[0] == 0 || ref[0] == '#') {
            snprintf(u + n, cap - (size_t)n, "%s", base->target);
        } else {
            size_t dir = blen;
            while (dir > 0 && base->target[dir - 1] != '/')
                dir--;
            snprintf(u + n, cap - (size_t)n, "%.*s%s", (int)dir, base->target, ref);
        }
    }
    int r = toe_http_parse_url(u, out, err, errlen);
    if (!r && !(ref[0] == '/' && ref[1] == '/'))
        out->port_given = base->port_given || base->port != 80;
    free(u);
    return r;
}

static void url_string(const struct toe_http_url *u, char *out, size_t cap)
{
    if (u->port != 80)
        snprintf(out, cap, "http://%s:%u%s", u->host, u->port, u->target);
    else
        snprintf(out, cap, "http://%s%s", u->host, u->target);
}

/* ---- the response head ------------------------------------------------------------------- */

static int is_tchar(int c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Next line of a head: [*p, end) up to LF; CR only right before LF. Returns the line length
 * (without CR LF) and advances *p, or -1 on a bare CR / missing LF. */
static long next_line(const char **p, const char *end, const char **line)
{
    const char *s = *p;
    const char *lf = memchr(s, '\n', (size_t)(end - s));
    if (!lf)
        return -1;
    const char *e = lf;
    if (e > s && e[-1] == '\r')
        e--;
    if (memchr(s, '\r', (size_t)(e - s)))
        return -2;
    *line = s;
    *p = lf + 1;
    return e - s;
}

static void copy_cut(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

int toe_http_parse_head(const char *head, size_t len, unsigned max_headers,
                        struct toe_http_head *h, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    h->content_length = -1;
    const char *p = head, *end = head + len, *line;
    char ex[64];
    long n = next_line(&p, end, &line);
    if (n < 0) {
        toe_app_fmt_err(err, errlen, n == -2 ? "bare CR in the status line" : "no status line");
        return TOE_EPROTO;
    }
    /* HTTP-version SP 3DIGIT [SP reason-phrase] */
    if (n < 12 || memcmp(line, "HTTP/", 5) || !is_digit((unsigned char)line[5]) ||
        line[6] != '.' || !is_digit((unsigned char)line[7]) || line[8] != ' ' ||
        !is_digit((unsigned char)line[9]) || !is_digit((unsigned char)line[10]) ||
        !is_digit((unsigned char)line[11]) || (n > 12 && line[12] != ' ')) {
        toe_app_fmt_err(err, errlen, "malformed status line '%s'",
                excerpt(line, (size_t)n, ex, sizeof(ex)));
        return TOE_EPROTO;
    }
    if (line[5] != '1') {
        toe_app_fmt_err(err, errlen, "unsupported HTTP version '%.8s'", line);
        return TOE_EPROTO;
    }
    h->version = line[7] == '0' ? 10 : 11;
    h->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (h->status < 100 || h->status > 599) {
        toe_app_fmt_err(err, errlen, "bad status code %d", h->status);
        return TOE_EPROTO;
    }
    for (long i = 13; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            toe_app_fmt_err(err, errlen, "control character in the reason phrase");
            return TOE_EPROTO;
        }
    }
    if (n > 13)
        copy_cut(h->reason, sizeof(h->reason), line + 13, (size_t)(n - 13));
    h->keep_alive = h->version == 11;
    int have_cl = 0;
    unsigned count = 0;
    for (;;) {
        n = next_line(&p, end, &line);
        if (n == -2) {
            toe_app_fmt_err(err, errlen, "bare CR in a header line");
            return TOE_EPROTO;
        }
        if (n < 0) {
            toe_app_fmt_err(err, errlen, "response head does not end with an empty line");
            return TOE_EPROTO;
        }
        if (n == 0)
            break;
        if (++count > max_headers) {
            toe_app_fmt_err(err, errlen, "more than %u header fields", max_headers);
            return TOE_EPROTO;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            toe_app_fmt_err(err, errlen, "obsolete header line folding");
            return TOE_EPROTO;
        }
        long c = 0;
        while (c < n && is_tchar((unsigned char)line[c]))
            c++;
        if (c == 0 || c >= n || line[c] != ':') {
            toe_app_fmt_err(err, errlen, "malformed header line '%s'",
                    excerpt(line, (size_t)n, ex, sizeof(ex)));
            return TOE_EPROTO;
        }
        const char *name = line;
        size_t nl = (size_t)c;
        const char *v = line + c + 1, *ve = line + n;
        for (const char *q = v; q < ve; q++) {
            unsigned char ch = (unsigned char)*q;
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                toe_app_fmt_err(err, errlen, "control character in header '%.*s'", (int)nl, name);
                return TOE_EPROTO;
            }
        }
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vl = (size_t)(ve - v);
        if (ieq(name, nl, "content-length")) {
            /* 1*DIGIT, or a list of identical values (RFC 9110 8.6) */
            int64_t val = -1;
            const char *q = v;
            while (q < ve) {
                int64_t x = 0;
                int digits = 0;
                while (q < ve && is_digit((unsigned char)*q)) {
                    if (++digits > 18)
                        break;
                    x = x * 10 + (*q++ - '0');
                }
                if (digits == 0 || digits > 18 || (val >= 0 && x != val)) {
                    toe_app_fmt_err(err, errlen, "bad Content-Length '%s'",
                            excerpt(v, vl, ex, sizeof(ex)));
                    return TOE_EPROTO;
                }
                val = x;
                while (q < ve && (*q == ' ' || *q == '\t'))
                    q++;
                if (q < ve && *q != ',') {
                    toe_app_fmt_err(err, errlen, "bad Content-Length '%s'",
                            excerpt(v, vl, ex, sizeof(ex)));
                    return TOE_EPROTO;
                }
                if (q < ve)
                    q++;
                while (q < ve && (*q == ' ' || *q == '\t'))
                    q++;
            }
            if (val < 0 || (have_cl && val != h->content_length)) {
                toe_app_fmt_err(err, errlen, val < 0 ? "empty Content-Length"
                                             : "conflicting Content-Length headers");
                return TOE_EPROTO;
            }
            have_cl = 1;
            h->content_length = val;
        } else if (ieq(name, nl, "transfer-encoding")) {
            const char *q = v;
            while (q < ve) {
                while (q < ve && (*q == ' ' || *q == '\t' || *q == ','))
                    q++;
                const char *t = q;
                while (q < ve && *q != ',' && *q != ' ' && *q != '\t' && *q != ';')
                    q++;
                if (q == t)
                    break;
                if (h->chunked) {
                    toe_app_fmt_err(err, errlen, "transfer coding after chunked");
                    return TOE_EPROTO;
                }
                if (ieq(t, (size_t)(q - t), "chunked")) {
                    h->chunked = 1;
                } else {
                    toe_app_fmt_err(err, errlen, "transfer coding '%s' is not supported",
                            excerpt(t, (size_t)(q - t), ex, sizeof(ex)));
                    return TOE_EPROTO;
                }
                while (q < ve && *q != ',')
                    q++;
            }
            if (!h->chunked) {
                toe_app_fmt_err(err, errlen, "empty Transfer-Encoding");
                return TOE_EPROTO;
            }
            h->has_te = 1;
        } else if (ieq(name, nl, "connection")) {
            const char *q = v;
            while (q < ve) {
                while (q < ve && (*q == ' ' || *q == '\t' || *q == ','))
                    q++;
                const char *t = q;
                while (q < ve && *q != ',' && *q != ' ' && *q != '\t')
                    q++;
                if (ieq(t, (size_t)(q - t), "close"))
                    h->conn_close = 1;
                else if (ieq(t, (size_t)(q - t), "keep-alive"))
                    h->conn_keep = 1;
            }
        } else if (ieq(name, nl, "content-type")) {
            copy_cut(h->content_type, sizeof(h->content_type), v, vl);
        } else if (ieq(name, nl, "location")) {
            if (vl >= sizeof(h->location)) {
                toe_app_fmt_err(err, errlen, "Location longer than %zu bytes", sizeof(h->location) - 1);
                return TOE_EPROTO;
            }
            copy_cut(h->location, sizeof(h->location), v, vl);
            h->has_location = 1;
        }
    }
    if (p != end) {
        toe_app_fmt_err(err, errlen, "bytes after the end of the head");
        return TOE_EPROTO;
    }
    if (h->version == 10)
        h->keep_alive = h->conn_keep && !h->conn_close;
    else
        h->keep_alive = !h->conn_close;
    if (h->chunked && have_cl) {
        /* RFC 9112 6.3: Transfer-Encoding wins; such a message must not be reused. */
        h->content_length = -1;
        h->keep_alive = 0;
    }
    if ((h->status >= 100 && h->status < 200) || h->status == 204 || h->status == 304) {
        h->no_body = 1;
        h->chunked = 0;
        h->content_length = 0;
    } else if (!h->chunked && !have_cl) {
        h->keep_alive = 0; /* the body ends with the connection */
    }
    return 0;
}

int toe_http_parse_chunk_size(const char *line, size_t n, uint64_t *size)
{
    size_t i = 0;
    uint64_t v = 0;
    int digits = 0;
    while (i < n) {
        int c = lower((unsigned char)line[i]);
        int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0)
            break;
        if (v >> 59) /* would pass 2^63 */
            return TOE_EPROTO;
        v = v << 4 | (unsigned)d;
        digits++;
        i++;
    }
    if (!digits)
        return TOE_EPROTO;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < n && line[i] != ';')
        return TOE_EPROTO;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return TOE_EPROTO;
    }
    *size = v;
    return 0;
}

/* ---- the client -------------------------------------------------------------------------- */

struct toe_http {
    struct toe_http_io io;
    struct toe_http_opts o;
    struct http_devctx devctx;
    /* the kept connection */
    void *conn;
    uint32_t conn_ip;
    uint16_t conn_port;
    int conn_reused; /* the current request went on a kept connection */
    int got_any;     /* a response byte came on the current request */
    unsigned nconn;
    /* receive buffer: [r, w) unread */
    uint8_t *buf;
    size_t cap, r, w;
    char err[TOE_ERRBUF_SIZE];
    enum toe_http_fail fail;
};

static int seterr(toe_http *h, enum toe_http_fail f, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int seterr(toe_http *h, enum toe_http_fail f, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->err, sizeof(h->err), fmt, ap);
    va_end(ap);
    h->fail = f;
    return code;
}

static const char *io_detail(toe_http *h, int code)
{
    const char *d = h->io.last_error ? h->io.last_error(h->io.user) : NULL;
    return d && *d ? d : toe_strerror(code);
}

int toe_http_new(toe_http **hp, const struct toe_http_io *io, const struct toe_http_opts *opts)
{
    if (!hp)
        return TOE_EINVAL;
    *hp = NULL;
    if (!io || !io->connect || !io->send || !io->recv || !io->close)
        return TOE_EINVAL;
    toe_http *h = calloc(1, sizeof(*h));
    if (!h)
        return TOE_ENOMEM;
    h->io = *io;
    if (opts)
        h->o = *opts;
    if (h->o.timeout_ms <= 0)
        h->o.timeout_ms = 30000;
    if (h->o.max_redirects == 0)
        h->o.max_redirects = 5;
    if (h->o.max_header_bytes == 0)
        h->o.max_header_bytes = 16384;
    if (h->o.max_header_bytes < 64)
        h->o.max_header_bytes = 64;
    if (h->o.max_headers == 0)
        h->o.max_headers = 100;
    if (!h->o.user_agent)
        h->o.user_agent = "toe/1";
    h->cap = h->o.max_header_bytes + HTTP_BUF_EXTRA;
    h->buf = malloc(h->cap + 1);
    if (!h->buf) {
        free(h);
        return TOE_ENOMEM;
    }
    *hp = h;
    return 0;
}

static void conn_drop(toe_http *h)
{
    if (h->conn)
        h->io.close(h->conn);
    h->conn = NULL;
    h->r = h->w = 0;
}

void toe_http_free(toe_http *h)
{
    if (!h)
        return;
    conn_drop(h);
    free(h->buf);
    free(h);
}

const char *toe_http_last_error(const toe_http *h) { return h ? h->err : ""; }
enum toe_http_fail toe_http_last_fail(const toe_http *h)
{
    return h ? h->fail : TOE_HTTP_FAIL_NONE;
}
unsigned toe_http_connections(const toe_http *h) { return h ? h->nconn : 0; }

/* Read more into the buffer. Returns 0 (*eof set at the end of the stream) or an error. */
static int fill(toe_http *h, int *eof)
{
    *eof = 0;
    if (h->r == h->w) {
        h->r = h->w = 0;
    } else if (h->w == h->cap && h->r > 0) {
        memmove(h->buf, h->buf + h->r, h->w - h->r);
        h->w -= h->r;
        h->r = 0;
    }
    if (h->w == h->cap)
        return TOE_EOVERFLOW; /* callers bound what they wait for below cap */
    size_t got = 0;
    int rc = h->io.recv(h->conn, h->buf + h->w, h->cap - h->w, &got, h->o.timeout_ms);
    if (rc == TOE_EAGAIN)
        rc = TOE_ETIMEDOUT;
    if (rc)
        return rc;
    if (got == 0) {
        *eof = 1;
        return 0;
    }
    if (got > h->cap - h->w)
        got = h->cap - h->w;
    h->w += got;
    h->got_any = 1;
    return 0;
}

static int net_err(toe_http *h, int rc, const char *what)
{
    if (rc == TOE_ETIMEDOUT)
        return seterr(h, TOE_HTTP_FAIL_NETWORK, rc, "timed out %s (no data for %d ms)", what,
                      h->o.timeout_ms);
    return seterr(h, TOE_HTTP_FAIL_NETWORK, rc, "%s: %s", what, io_detail(h, rc));
}

/* Read one response head into h->buf[r, r+len). Sets *len. EOF before any byte: TOE_EIO with
 * h->got_any still 0 (a kept connection the server closed). */
static int read_head(toe_http *h, size_t *len)
{
    size_t scan = h->r;
    for (;;) {
        /* the head ends at LF (CR) LF */
        for (; scan < h->w; scan++) {
            if (h->buf[scan] != '\n' || scan == h->r)
                continue;
            size_t k = scan - 1;
            if (h->buf[k] == '\r' && k > h->r)
                k--;
            if (h->buf[k] == '\n') {
                *len = scan + 1 - h->r;
                if (*len > h->o.max_header_bytes)
                    return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO,
                                  "response head larger than %zu bytes",
                                  h->o.max_header_bytes);
                return 0;
            }
        }
        if (scan - h->r > h->o.max_header_bytes)
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO,
                          "response head larger than %zu bytes", h->o.max_header_bytes);
        size_t off = scan - h->r;
        int eof;
        int rc = fill(h, &eof);
        scan = h->r + off;
        if (rc)
            return net_err(h, rc, "waiting for the response");
        if (eof) {
            if (h->w == h->r)
                return seterr(h, TOE_HTTP_FAIL_NETWORK, TOE_EIO,
                              "connection closed before a response");
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO,
                          "connection closed in the middle of the response head");
        }
    }
}

/* One line (chunk size or trailer) of at most max bytes, LF-terminated. */
static int read_line(toe_http *h, size_t max, const char **line, size_t *n, const char *what)
{
    size_t scan = h->r;
    for (;;) {
        uint8_t *lf = memchr(h->buf + scan, '\n', h->w - scan);
        if (lf) {
            size_t e = (size_t)(lf - h->buf);
            *line = (const char *)h->buf + h->r;
            *n = e - h->r;
            if (*n && (*line)[*n - 1] == '\r')
                (*n)--;
            if (*n > max)
                return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO, "%s longer than %zu bytes",
                              what, max);
            if (memchr(*line, '\r', *n))
                return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO, "bare CR in the %s", what);
            h->r = e + 1;
            return 0;
        }
        if (h->w - h->r > max + 1)
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO, "%s longer than %zu bytes",
                          what, max);
        size_t off = h->w - h->r;
        int eof;
        int rc = fill(h, &eof);
        if (rc)
            return net_err(h, rc, "receiving the body");
        if (eof)
            return seterr(h, TOE_HTTP_FAIL_NETWORK, TOE_EIO,
                          "connection closed in the middle of the chunked body");
        scan = h->r + off;
    }
}

struct body_sink {
    const struct toe_http_handler *hd; /* NULL: drop */
    struct toe_http_response *resp;
    uint64_t limit;                    /* drop at most this much, then give up (redirects) */
    uint64_t seen;
};

#define HTTP_SINK_LIMIT 1 /* a redirect body too long to drain: close instead */

static int deliver(toe_http *h, struct body_sink *s, const uint8_t *p, size_t n)
{
    s->seen += n;
    if (!s->hd) {
        return s->seen > s->limit ? HTTP_SINK_LIMIT : 0;
    }
    s->resp->body_bytes += n;
    if (s->hd->body) {
        int rc = s->hd->body(s->hd->user, s->resp, p, n);
        if (rc)
            return seterr(h, TOE_HTTP_FAIL_SINK, rc < 0 ? rc : TOE_EIO,
                          "body callback failed: %s", toe_strerror(rc < 0 ? rc : TOE_EIO));
    }
    return 0;
}

static int read_body(toe_http *h, const struct toe_http_head *hh, struct body_sink *s)
{
    int rc, eof;
    if (hh->no_body)
        return 0;
    if (!hh->chunked && hh->content_length >= 0) {
        uint64_t left = (uint64_t)hh->content_length;
        while (left) {
            if (h->r == h->w) {
                if ((rc = fill(h, &eof)))
                    return net_err(h, rc, "receiving the body");
                if (eof)
                    return seterr(h, TOE_HTTP_FAIL_NETWORK, TOE_EIO,
                                  "connection closed after %llu of %lld body bytes",
                                  (unsigned long long)((uint64_t)hh->content_length - left),
                                  (long long)hh->content_length);
            }
            size_t n = h->w - h->r;
            if (n > left)
                n = (size_t)left;
            const uint8_t *p = h->buf + h->r;
            h->r += n;
            left -= n;
            if ((rc = deliver(h, s, p, n)))
                return rc;
        }
        return 0;
    }
    if (!hh->chunked) { /* up to the close */
        for (;;) {
            if (h->r < h->w) {
                const uint8_t *p = h->buf + h->r;
                size_t n = h->w - h->r;
                h->r = h->w;
                if ((rc = deliver(h, s, p, n)))
                    return rc;
            }
            if ((rc = fill(h, &eof)))
                return net_err(h, rc, "receiving the body");
            if (eof)
                return 0;
        }
    }
    for (;;) {
        const char *line;
        size_t n;
        uint64_t size;
        if ((rc = read_line(h, HTTP_CHUNK_LINE_MAX, &line, &n, "chunk-size line")))
            return rc;
        if (toe_http_parse_chunk_size(line, n, &size)) {
            char ex[64];
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO, "bad chunk size line '%s'",
                          excerpt(line, n, ex, sizeof(ex)));
        }
        if (size == 0)
            break;
        while (size) {
            if (h->r == h->w) {
                if ((rc = fill(h, &eof)))
                    return net_err(h, rc, "receiving the body");
                if (eof)
                    return seterr(h, TOE_HTTP_FAIL_NETWORK, TOE_EIO,
                                  "connection closed in the middle of a chunk");
            }
            size_t k = h->w - h->r;
            if (k > size)
                k = (size_t)size;
            const uint8_t *p = h->buf + h->r;
            h->r += k;
            size -= k;
            if ((rc = deliver(h, s, p, k)))
                return rc;
        }
        if ((rc = read_line(h, 0, &line, &n, "end of a chunk")))
            return rc == TOE_EPROTO ? seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO,
                                             "chunk data not followed by CRLF")
                                    : rc;
    }
    /* trailer section: header lines up to an empty line, inside the head limits */
    size_t total = 0;
    unsigned count = 0;
    for (;;) {
        const char *line;
        size_t n;
        if ((rc = read_line(h, h->o.max_header_bytes, &line, &n, "trailer line")))
            return rc;
        if (n == 0)
            return 0;
        total += n + 2;
        if (++count > h->o.max_headers || total > h->o.max_header_bytes)
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO, "trailer section too large");
        size_t c = 0;
        while (c < n && is_tchar((unsigned char)line[c]))
            c++;
        if (c == 0 || c >= n || line[c] != ':')
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO, "malformed trailer line");
    }
}

static int send_all(toe_http *h, const char *p, size_t n)
{
    while (n) {
        size_t sent = 0;
        int rc = h->io.send(h->conn, p, n, &sent, h->o.timeout_ms);
        if (sent > n)
            sent = n;
        p += sent;
        n -= sent;
        if (rc == TOE_EAGAIN || (rc == TOE_ETIMEDOUT && sent))
            rc = 0;
        if (rc)
            return rc;
        if (n && !sent) /* a whole timeout (the transport's clock) without progress */
            return TOE_ETIMEDOUT;
    }
    return 0;
}

static int open_conn(toe_http *h, const struct toe_http_url *u, uint32_t ip)
{
    conn_drop(h);
    void *c = NULL;
    int rc = h->io.connect(h->io.user, ip, u->port, h->o.timeout_ms, &c);
    if (rc || !c) {
        if (!rc)
            rc = TOE_EIO;
        return seterr(h, TOE_HTTP_FAIL_CONNECT, rc, "cannot connect to %u.%u.%u.%u:%u: %s",
                      ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, u->port,
                      io_detail(h, rc));
    }
    h->conn = c;
    h->conn_ip = ip;
    h->conn_port = u->port;
    h->nconn++;
    h->r = h->w = 0;
    return 0;
}

static int send_request(toe_http *h, const struct toe_http_url *u, unsigned flags)
{
    char req[TOE_HTTP_TARGET_MAX + TOE_HTTP_HOST_MAX + 512];
    char host[TOE_HTTP_HOST_MAX + 8];
    if (u->port != 80)
        snprintf(host, sizeof(host), "%s:%u", u->host, u->port);
    else
        snprintf(host, sizeof(host), "%s", u->host);
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %.100s\r\nAccept: */*\r\n%s\r\n",
                     u->target, host, h->o.user_agent,
                     (flags & TOE_HTTP_CLOSE) ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(req))
        return seterr(h, TOE_HTTP_FAIL_URL, TOE_EINVAL, "request too long");
    int rc = send_all(h, req, (size_t)n);
    if (rc)
        return net_err(h, rc, "sending the request");
    return 0;
}

/* Send the request (on the kept connection if it fits, retrying once on a fresh one if that
 * turns out closed) and read the first non-1xx head into *hh. */
static int exchange(toe_http *h, const struct toe_http_url *u, uint32_t ip, unsigned flags,
                    struct toe_http_head *hh)
{
    for (int attempt = 0;; attempt++) {
        int rc;
        h->conn_reused = h->conn && h->conn_ip == ip && h->conn_port == u->port;
        if (!h->conn_reused && (rc = open_conn(h, u, ip)))
            return rc;
        h->got_any = 0;
        rc = send_request(h, u, flags);
        unsigned interim = 0;
        while (!rc) {
            size_t len = 0;
            if ((rc = read_head(h, &len)))
                break;
            char perr[200];
            rc = toe_http_parse_head((const char *)h->buf + h->r, len, h->o.max_headers, hh,
                                     perr, sizeof(perr));
            if (rc) {
                seterr(h, TOE_HTTP_FAIL_PROTOCOL, rc, "%s", perr);
                break;
            }
            h->r += len;
            if (hh->status >= 200)
                return 0;
            if (hh->status == 101 || ++interim > HTTP_MAX_1XX) {
                rc = seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO,
                            hh->status == 101 ? "unexpected 101 Switching Protocols"
                                              : "too many interim (1xx) responses");
                break;
            }
        }
        int retry = h->conn_reused && !h->got_any && attempt == 0 &&
                    h->fail != TOE_HTTP_FAIL_SINK;
        conn_drop(h);
        if (!retry)
            return rc;
        h->err[0] = 0;
        h->fail = TOE_HTTP_FAIL_NONE;
    }
}

static int is_redirect(int s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

int toe_http_get(toe_http *h, const char *url, unsigned flags, const struct toe_http_handler *hd,
                 struct toe_http_response *out)
{
    struct toe_http_response local;
    struct toe_http_response *resp = out ? out : &local;
    memset(resp, 0, sizeof(*resp));
    resp->content_length = -1;
    if (!h)
        return TOE_EINVAL;
    h->err[0] = 0;
    h->fail = TOE_HTTP_FAIL_NONE;
    struct toe_http_url u, next;
    char perr[200];
    int rc = toe_http_parse_url(url, &u, perr, sizeof(perr));
    if (rc)
        return seterr(h, TOE_HTTP_FAIL_URL, rc, "%s", perr);
    unsigned max_redir = h->o.max_redirects < 0 ? 0 : (unsigned)h->o.max_redirects;
    for (;;) {
        url_string(&u, resp->url, sizeof(resp->url));
        uint32_t ip = u.ip;
        if (!ip) {
            if (!h->io.resolve)
                return seterr(h, TOE_HTTP_FAIL_RESOLVE, TOE_EUNREACH,
                              "cannot resolve '%s': no DNS server (use a numeric address)",
                              u.host);
            rc = h->io.resolve(h->io.user, u.host, &ip, h->o.timeout_ms);
            if (rc)
                return seterr(h, TOE_HTTP_FAIL_RESOLVE, rc, "cannot resolve '%s': %s", u.host,
                              io_detail(h, rc));
        }
        struct toe_http_head hh;
        if ((rc = exchange(h, &u, ip, flags, &hh)))
            return rc;
        resp->status = hh.status;
        resp->version = hh.version;
        snprintf(resp->reason, sizeof(resp->reason), "%s", hh.reason);
        resp->content_length = hh.chunked ? -1 : hh.content_length;
        resp->chunked = hh.chunked;
        snprintf(resp->content_type, sizeof(resp->content_type), "%s", hh.content_type);
        resp->location[0] = 0;
        resp->reused = h->conn_reused;
        int follow = is_redirect(hh.status) && hh.has_location && h->o.max_redirects >= 0;
        struct body_sink sink = {.hd = follow ? NULL : hd, .resp = resp, .limit = HTTP_DRAIN_MAX};
        static const struct toe_http_handler none = {0};
        if (!follow && !sink.hd)
            sink.hd = &none;
        if (!follow) {
            if (hh.has_location)
                snprintf(resp->location, sizeof(resp->location), "%s", hh.location);
            if (hd && hd->head && (rc = hd->head(hd->user, resp))) {
                conn_drop(h);
                return seterr(h, TOE_HTTP_FAIL_SINK, rc < 0 ? rc : TOE_EIO,
                              "head callback failed: %s", toe_strerror(rc < 0 ? rc : TOE_EIO));
            }
        }
        int keep = hh.keep_alive && !(flags & TOE_HTTP_CLOSE);
        if (follow && !hh.chunked && hh.content_length > HTTP_DRAIN_MAX)
            keep = 0;
        if (follow && !keep) {
            conn_drop(h); /* no need to read a redirect's body we will not reuse */
        } else {
            rc = read_body(h, &hh, &sink);
            if (rc == HTTP_SINK_LIMIT) {
                keep = 0;
                rc = 0;
            }
            if (rc) {
                conn_drop(h);
                return rc;
            }
            if (!keep || h->r != h->w)
                conn_drop(h);
        }
        if (!follow)
            return 0;
        if (resp->redirects >= max_redir) {
            conn_drop(h);
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, TOE_EPROTO,
                          "too many redirects (more than %u), last to '%s'", max_redir,
                          hh.location);
        }
        rc = toe_http_resolve_url(&u, hh.location, &next, perr, sizeof(perr));
        if (rc) {
            conn_drop(h);
            char ex[64];
            return seterr(h, TOE_HTTP_FAIL_PROTOCOL, rc == TOE_ENOTSUP ? rc : TOE_EPROTO,
                          "redirect to '%s': %s",
                          excerpt(hh.location, strlen(hh.location), ex, sizeof(ex)), perr);
        }
        u = next;
        resp->redirects++;
    }
}

/* ---- the device binding ------------------------------------------------------------------ */

static int dev_resolve(void *user, const char *name, uint32_t *ip, int timeout_ms)
{
    struct http_devctx *c = user;
    if (!c->dns)
        return toe_set_error(c->dev, TOE_EUNREACH, "no DNS server set");
    return toe_dns_resolve(c->dev, c->dns, name, ip, timeout_ms);
}

static const char *dev_last_error(void *user)
{
    struct http_devctx *c = user;
    return toe_last_error(c->dev);
}

int toe_http_new_dev(toe_http **hp, toe_dev *dev, uint32_t dns_server,
                     const struct toe_http_opts *opts)
{
    if (hp)
        *hp = NULL;
    if (!hp || !dev)
        return TOE_EINVAL;
    struct toe_http_io io = {0};
    int rc = toe_http_io_tcp(&io); /* http_tcp.c */
    if (rc)
        return toe_set_error(dev, rc, "this libtoe has no TCP sockets yet");
    io.resolve = dev_resolve;
    io.last_error = dev_last_error;
    /* connect gets the device through io.user; fixed up once the handle exists */
    rc = toe_http_new(hp, &io, opts);
    if (rc)
        return rc;
    (*hp)->devctx.dev = dev;
    (*hp)->devctx.dns = dns_server;
    (*hp)->io.user = &(*hp)->devctx;
    return 0;
}
