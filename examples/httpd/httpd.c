/* SPDX-License-Identifier: MIT */
/* httpd: a small HTTP/1.1 file server on the device's TCP sockets, to show the socket API
 * (toe_tcp_listen, toe_tcp_accept, toe_tcp_poll and non-blocking send/recv) and to let any
 * HTTP client (curl, a browser, ab) fetch pages from the board.
 *
 *   toe-httpd [-d DEVICE] [-p PORT] [-r DIR] [--max-clients N] [--timeout MS]
 *             [--idle-timeout MS] [--max-conns N]
 *
 * One event loop over toe_tcp_poll serves every connection at once (as many as the device has
 * slots), each a state machine: read the request head, read and discard a request body, send
 * the response head and the file in chunks, then the next request (keep-alive) or a lingering
 * close (our FIN, then the client's bytes read and dropped until its FIN, so a late request
 * does not turn into a RST that destroys the response).
 *
 * GET and HEAD of regular files under DIR (index.html for a directory), with Content-Length.
 * Paths are percent-decoded; "..", NUL and backslashes are refused, and symbolic links are
 * not followed out of DIR. Keep-alive: HTTP/1.1 unless "Connection: close", HTTP/1.0 with
 * "Connection: keep-alive"; pipelined requests are answered in order.
 *
 * Request bodies: a Content-Length body or a chunked one (Transfer-Encoding whose last coding
 * is "chunked": decoded, extensions and trailers skipped) is read and dropped, up to BODY_MAX
 * bytes (413 and close beyond), and the request is then answered as usual: GET and HEAD are
 * served, POST, PUT and the other RFC 9110 methods get 405, unknown methods 501, and the
 * connection goes on. With Expect: 100-continue and a body the final answer comes at once and
 * the connection closes after it (the client need not send the body).
 *
 * Refused, and the connection closed after the answer: a malformed head (400: control or
 * non-ASCII bytes in the request line, a bare CR, whitespace before a colon, folded lines, a
 * bad Content-Length, Content-Length with Transfer-Encoding, a last coding other than chunked,
 * Transfer-Encoding in HTTP/1.0, HTTP/1.1 without exactly one Host), a head longer than
 * REQ_MAX (414 if the request line alone is, else 431), HTTP/2 and later (505).
 *
 * Per-client bounds, all on the device's clock (simulated time on the virtual board): a
 * request's head and body must arrive within --timeout of the connection opening or of the
 * request's first byte (a client that trickles a request is answered 408 and closed; one that
 * never sends is closed), a send that makes no progress for --timeout aborts the connection,
 * a kept-alive connection idle for --idle-timeout is closed, a lingering close lasts at most
 * LINGER_MS. The clock is taken once per turn of the loop, after its wait, never per byte:
 * the time of the latest device event if one came in that turn, else read from the device
 * (toe_time, one CSR round trip); not at all while there are no connections. A turn waits no
 * longer than the nearest deadline.
 *
 * Connections have no Nagle (TOE_TCP_NODELAY on the listener, inherited): a response is
 * written whole, and its short last segment should not wait for the ACK of the one before.
 *
 * One log line per request on stderr: peer, request line, status, body bytes sent; one per
 * connection closed on a timeout or an error inside a request; a summary on exit. Bytes of
 * the request line outside printable ASCII, and '"' and '\', are logged as \xNN, so a request
 * cannot put terminal sequences or line breaks in the log. SIGINT/SIGTERM stop it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toe.h"

#define REQ_MAX 8192          /* request head limit (and input buffer) */
#define OUT_MAX 16384         /* response head plus a file chunk */
#define BODY_MAX (1u << 20)   /* request body bytes read and dropped */
#define CHUNK_LINE_MAX 1024   /* chunk-size line or trailer line */
#define LOG_LINE_MAX 200      /* request line bytes logged */
#define LINGER_MS 2000        /* longest lingering close */
#define POLL_MAX_MS 50        /* longest wait in one turn: SIGTERM is seen within it */

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char usage[] =
    "usage: toe-httpd [-d DEVICE] [-p PORT] [-r DIR] [--max-clients N] [--timeout MS]\n"
    "                 [--idle-timeout MS] [--max-conns N]\n"
    "\n"
    "Serve the files under DIR (default .) over HTTP/1.1 on PORT (default 80) of the device's\n"
    "address, through its TCP offload, to many clients at once. DEVICE defaults to\n"
    "$TOE_DEVICE.\n"
    "  --max-clients N    connections served at once (default: the device's slot count)\n"
    "  --timeout MS       device time for a request's head and body to arrive, and the\n"
    "                     longest send without progress (default 10000)\n"
    "  --idle-timeout MS  device time a kept-alive connection may wait for its next request\n"
    "                     (default 5000)\n"
    "  --max-conns N      exit after N connections are done (default: until SIGINT/SIGTERM)\n";

static char root[PATH_MAX];
static uint64_t timeout_us = 10000000, idle_us = 5000000;
static unsigned long served; /* requests answered */

enum { ST_HEAD, ST_BODY, ST_SEND, ST_LINGER };
/* Chunked body decoder: a size line, its data, the CRLF after it; trailer lines after 0. */
enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

struct conn {
    toe_sock *s;
    char peer[24];        /* "a.b.c.d:port", for the log */
    int st;
    uint64_t deadline;    /* device us */
    int started;          /* bytes of the current request have arrived */
    unsigned long nreq;   /* requests answered */
    int readable, writable;
    char in[REQ_MAX];     /* received, not yet parsed */
    size_t in_len, scan;  /* scan: where the search for the head's end goes on */
    /* body to drop */
    int chunked, ch_st;
    uint64_t body_left, body_total;
    /* response */
    char out[OUT_MAX];
    size_t out_len, out_off;
    int fd;
    uint64_t file_left;
    int keep;
    /* log */
    char line[LOG_LINE_MAX * 4 + 8];
    int code;
    unsigned long long bytes;
};

static const char *mime(const char *path)
{
    static const char *map[][2] = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"}, {".css", "text/css"},
        {".js", "text/javascript"},           {".json", "application/json"},
        {".png", "image/png"},                {".jpg", "image/jpeg"},
        {".gif", "image/gif"},                {".svg", "image/svg+xml"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcasecmp(dot, map[i][0]))
            return map[i][1];
    return "application/octet-stream";
}

static const char *reason(int code)
{
    switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Printable ASCII as is; anything else, '"' and '\' as \xNN. out has room for 4n + 1. */
static void log_escape(char *out, const char *in, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)in[i];
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
            *out++ = (char)b;
        } else {
            *out++ = '\\', *out++ = 'x', *out++ = hex[b >> 4], *out++ = hex[b & 15];
        }
    }
    *out = 0;
}

static void log_request(const struct conn *c, const char *err)
{
    fprintf(stderr, "httpd: %s \"%s\" %d %llu%s%s\n", c->peer, c->line, c->code, c->bytes,
            err ? " error: " : "", err ? err : "");
}

static void log_close(const struct conn *c, const char *why)
{
    fprintf(stderr, "httpd: %s closed: %s\n", c->peer, why);
}

/* The request line (what c->in has of it) for the log, escaped and cut. */
static void note_line(struct conn *c)
{
    char *eol = memchr(c->in, '\n', c->in_len);
    size_t ll = eol ? (size_t)(eol - c->in) : c->in_len;
    if (eol && ll && c->in[ll - 1] == '\r')
        ll--;
    log_escape(c->line, c->in, ll < LOG_LINE_MAX ? ll : LOG_LINE_MAX);
    if (ll > LOG_LINE_MAX || !eol)
        strcat(c->line, "...");
}

/* Percent-decode the path part of target into out; refuse NUL, "..", backslashes.
 * Returns 0, or the HTTP status to answer. */
static int decode_path(const char *target, char *out, size_t cap)
{
    if (target[0] != '/')
        return 400;
    size_t o = 0;
    for (const char *p = target; *p && *p != '?' && *p != '#'; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int hi = hexval((unsigned char)p[1]), lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
            if (lo < 0)
                return 400;
            c = hi << 4 | lo;
            p += 2;
        }
        if (c == 0 || c == '\\')
            return 400;
        if (o + 1 >= cap)
            return 414;
        out[o++] = (char)c;
    }
    out[o] = 0;
    for (const char *p = out; (p = strstr(p, "..")); p += 2)
        if ((p == out || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
            return 403;
    return 0;
}

/* Open the file a target names, inside root. Returns 0 (fd, size, type set) or a status. */
static int open_target(const char *target, int *fd, uint64_t *size, const char **type)
{
    char rel[PATH_MAX], path[PATH_MAX * 2], real[PATH_MAX];
    int st = decode_path(target, rel, sizeof(rel));
    if (st)
        return st;
    snprintf(path, sizeof(path), "%s%s", root, rel);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        strncat(path, path[strlen(path) - 1] == '/' ? "index.html" : "/index.html",
                sizeof(path) - strlen(path) - 1);
    /* No way out of the root through symbolic links. */
    size_t rl = strlen(root);
    if (!realpath(path, real) || strncmp(real, root, rl) || (real[rl] != '/' && real[rl] != 0))
        return 404;
    *fd = open(real, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return 404;
    if (fstat(*fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(*fd);
        *fd = -1;
        return 404;
    }
    *size = (uint64_t)sb.st_size;
    *type = mime(real);
    return 0;
}

/* The response head (and the body of a status answer) into out. http10: the client spoke
 * HTTP/1.0, so a kept-alive connection must say so. */
static void set_response(struct conn *c, int code, int head_only, int http10, const char *type,
                         uint64_t len)
{
    char body[96] = "";
    int bl = 0;
    if (code != 200) {
        bl = snprintf(body, sizeof(body), "%d %s\n", code, reason(code));
        type = "text/plain; charset=utf-8";
        len = (uint64_t)bl;
    }
    const char *conn = !c->keep ? "Connection: close\r\n"
                       : http10 ? "Connection: keep-alive\r\n"
                                : "";
    int n = snprintf(c->out, sizeof(c->out),
                     "HTTP/1.1 %d %s\r\nServer: toe-httpd\r\nContent-Type: %s\r\n"
                     "Content-Length: %llu\r\n%s%s\r\n%s",
                     code, reason(code), type, (unsigned long long)len,
                     code == 405 ? "Allow: GET, HEAD\r\n" : "", conn, head_only ? "" : body);
    c->out_len = (size_t)n;
    c->out_off = 0;
    c->code = code;
    c->bytes = head_only ? 0 : (unsigned long long)bl;
}

/* An answer that ends the connection (malformed or refused request, timeout). */
static void fail_request(struct conn *c, int code)
{
    c->keep = 0;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->file_left = 0;
    set_response(c, code, 0, 0, NULL, 0);
    c->st = ST_SEND;
}

static void consume(struct conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->scan = 0;
}

static int is_tchar(int ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Does the comma-separated list v (length n) hold token tok (case-insensitive)? */
static int has_token(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok);
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t e = j;
        while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - i == tl && !strncasecmp(v + i, tok, tl))
            return 1;
        i = j;
    }
    return 0;
}

/* The last coding of a Transfer-Encoding list is "chunked". */
static int last_is_chunked(const char *v, size_t n)
{
    const char *comma = NULL;
    for (size_t i = 0; i < n; i++)
        if (v[i] == ',')
            comma = v + i;
    size_t i = comma ? (size_t)(comma - v) + 1 : 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    return n - i == 7 && !strncasecmp(v + i, "chunked", 7);
}

/* Parse the head in c->in[0..hlen) (ends in an empty line) and set up what follows: the body
 * to drop and the response. Returns 0, or the status of an answer that ends the connection. */
static int handle_head(struct conn *c, size_t hlen)
{
    char *h = c->in, *end = c->in + hlen;
    char *eol = memchr(h, '\n', hlen);
    size_t ll = (size_t)(eol - h);
    if (ll && h[ll - 1] == '\r')
        ll--;
    note_line(c);
    c->keep = 0;
    c->fd = -1;
    c->file_left = 0;
    c->bytes = 0;

    /* Request line: method SP target SP HTTP/d.d, nothing else (RFC 9112 3). */
    char method[32], target[REQ_MAX], version[16];
    char *sp1 = memchr(h, ' ', ll);
    char *sp2 = sp1 ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - h)) : NULL;
    int bad = !sp1 || !sp2 || sp1 == h || sp2 == sp1 + 1 || (size_t)(sp1 - h) >= sizeof(method) ||
              (size_t)(h + ll - sp2 - 1) >= sizeof(version);
    for (size_t i = 0; !bad && i < ll; i++)
        bad = (unsigned char)h[i] <= 0x20 ? h[i] != ' ' : (unsigned char)h[i] >= 0x7f;
    if (!bad) {
        memcpy(method, h, (size_t)(sp1 - h));
        method[sp1 - h] = 0;
        memcpy(target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
        target[sp2 - sp1 - 1] = 0;
        memcpy(version, sp2 + 1, (size_t)(h + ll - sp2 - 1));
        version[h + ll - sp2 - 1] = 0;
        for (const char *p = method; *p && !bad; p++)
            bad = !is_tchar((unsigned char)*p);
        bad = bad || strlen(version) != 8 || strncmp(version, "HTTP/", 5) ||
              version[5] < '0' || version[5] > '9' || version[6] != '.' || version[7] < '0' ||
              version[7] > '9';
    }
    if (bad)
        return 400;
    if (version[5] != '1')
        return 505;
    int http10 = version[7] == '0';

    /* Header fields. */
    int conn_close = 0, conn_ka = 0, hosts = 0, expect = 0, te = 0, cl_seen = 0, chunked = 0;
    uint64_t cl = 0;
    for (char *l = eol + 1; l < end;) {
        char *e = memchr(l, '\n', (size_t)(end - l));
        size_t n = (size_t)(e - l);
        if (n && l[n - 1] == '\r')
            n--;
        if (n == 0)
            break; /* the empty line */
        char *colon = memchr(l, ':', n);
        if (!colon || colon == l || l[0] == ' ' || l[0] == '\t')
            return 400; /* no name, or obs-fold */
        for (char *p = l; p < colon; p++)
            if (!is_tchar((unsigned char)*p))
                return 400; /* also whitespace before the colon */
        size_t nl = (size_t)(colon - l);
        char *v = colon + 1, *ve = l + n;
        for (char *p = v; p < ve; p++)
            if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
                return 400; /* bare CR, other control bytes */
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vn = (size_t)(ve - v);
        if (nl == 10 && !strncasecmp(l, "connection", 10)) {
            conn_close |= has_token(v, vn, "close");
            conn_ka |= has_token(v, vn, "keep-alive");
        } else if (nl == 4 && !strncasecmp(l, "host", 4)) {
            hosts++;
        } else if (nl == 6 && !strncasecmp(l, "expect", 6)) {
            expect |= vn == 12 && !strncasecmp(v, "100-continue", 12);
        } else if (nl == 17 && !strncasecmp(l, "transfer-encoding", 17)) {
            te = 1;
            chunked = last_is_chunked(v, vn); /* the last field's last coding counts */
        } else if (nl == 14 && !strncasecmp(l, "content-length", 14)) {
            uint64_t x = 0;
            if (!vn)
                return 400;
            for (char *p = v; p < ve; p++) {
                if (*p < '0' || *p > '9' || x > UINT64_MAX / 10 - 1)
                    return 400;
                x = x * 10 + (uint64_t)(*p - '0');
            }
            if (cl_seen && x != cl)
                return 400;
            cl_seen = 1;
            cl = x;
        }
        l = e + 1;
    }
    /* Framing that cannot be trusted ends the connection (RFC 9112 6.1, 6.3). */
    if ((te && (cl_seen || http10 || !chunked)) || (!http10 && hosts != 1) || hosts > 1)
        return 400;
    c->keep = http10 ? conn_ka && !conn_close : !conn_close;
    int has_body = chunked || cl > 0;
    if (has_body && (expect || (!chunked && cl > BODY_MAX)))
        c->keep = 0; /* answered before the body: the connection cannot go on */

    if (has_body && !chunked && cl > BODY_MAX)
        return 413;
    int head_only = !strcmp(method, "HEAD"), code;
    static const char *known[] = {"POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    const char *type = NULL;
    uint64_t size = 0;
    if (!strcmp(method, "GET") || head_only) {
        /* The absolute form (RFC 9112 3.2.2) names the same path. */
        const char *path = target;
        if (!strncasecmp(path, "http://", 7) && !(path = strchr(path + 7, '/')))
            path = "/";
        code = open_target(path, &c->fd, &size, &type);
        if (!code)
            code = 200;
    } else {
        code = 501;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            if (!strcmp(method, known[i]))
                code = 405;
    }
    set_response(c, code, head_only, http10, type, size);
    if (code == 200 && !head_only) {
        c->file_left = size;
        c->bytes = 0;
    }
    if (c->fd >= 0 && !c->file_left) {
        close(c->fd);
        c->fd = -1;
    }
    consume(c, hlen);
    if (has_body && c->keep) {
        c->st = ST_BODY;
        c->chunked = chunked;
        c->ch_st = CH_SIZE;
        c->body_left = chunked ? 0 : cl;
        c->body_total = 0;
    } else {
        c->st = ST_SEND;
    }
    return 0;
}

/* Drop the body bytes in c->in. Returns 1 when the body is over, 0 for more, or an HTTP
 * status for a broken or too large body. */
static int drop_body(struct conn *c)
{
    while (c->in_len) {
        if (!c->chunked || c->ch_st == CH_DATA) {
            size_t n = c->body_left < c->in_len ? (size_t)c->body_left : c->in_len;
            consume(c, n);
            c->body_left -= n;
            if (c->body_left)
                return 0;
            if (!c->chunked)
                return 1;
            c->ch_st = CH_DATA_END;
            continue;
        }
        char *e = memchr(c->in, '\n', c->in_len);
        if (!e)
            return c->in_len > CHUNK_LINE_MAX ? 400 : 0;
        size_t n = (size_t)(e - c->in), ll = n && c->in[n - 1] == '\r' ? n - 1 : n;
        if (ll > CHUNK_LINE_MAX)
            return 400;
        const char *p = c->in;
        if (c->ch_st == CH_SIZE) {
            uint64_t x = 0;
            size_t i = 0;
            for (; i < ll && hexval((unsigned char)p[i]) >= 0; i++) {
                if (x > BODY_MAX)
                    return 413;
                x = x << 4 | (uint64_t)hexval((unsigned char)p[i]);
            }
            /* After the size only whitespace and ";extension"s. */
            size_t j = i;
            while (j < ll && (p[j] == ' ' || p[j] == '\t'))
                j++;
            if (!i || (j < ll && p[j] != ';'))
                return 400;
            for (; j < ll; j++)
                if (((unsigned char)p[j] < 0x20 && p[j] != '\t') || p[j] == 0x7f)
                    return 400;
            c->body_total += x;
            if (c->body_total > BODY_MAX)
                return 413;
            c->body_left = x;
            c->ch_st = x ? CH_DATA : CH_TRAILER;
        } else if (c->ch_st == CH_DATA_END) {
            if (ll)
                return 400;
            c->ch_st = CH_SIZE;
        } else { /* CH_TRAILER: field lines up to an empty one */
            for (size_t i = 0; i < ll; i++)
                if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
                    return 400;
            if (!ll) {
                consume(c, n + 1);
                return 1;
            }
        }
        consume(c, n + 1);
    }
    return 0;
}

/* Receive into c->in. Returns 1 if bytes came, 0 if none now, -1 if the connection is over
 * (end of stream or an error; logged if the error is not the end of a request cycle). */
static int fill(struct conn *c)
{
    if (!c->readable)
        return 0;
    size_t got = 0;
    int r = toe_tcp_recv(c->s, c->in + c->in_len, sizeof(c->in) - c->in_len, &got, 0);
    if (r == TOE_EAGAIN) {
        c->readable = 0;
        return 0;
    }
    if (r || !got) {
        if ((c->st == ST_HEAD && c->started) || c->st == ST_BODY)
            log_close(c, r ? toe_strerror(r) : "end of stream inside a request");
        return -1;
    }
    c->in_len += got;
    return 1;
}

/* Send what is in c->out, topped up from the file (the head and the start of the body go
 * together). Returns 1 when the response is out, 0 if the device has no room now, -1 on an
 * error (logged). */
static int flush(struct conn *c, uint64_t now)
{
    for (;;) {
        if (c->out_off == c->out_len)
            c->out_off = c->out_len = 0;
        if (c->file_left && c->out_len < sizeof(c->out)) {
            size_t room = sizeof(c->out) - c->out_len;
            size_t want = c->file_left < room ? (size_t)c->file_left : room;
            ssize_t n = read(c->fd, c->out + c->out_len, want);
            if (n <= 0) {
                log_request(c, "the file shrank"); /* the client sees a short body */
                return -1;
            }
            c->out_len += (size_t)n;
            c->file_left -= (uint64_t)n;
            c->bytes += (unsigned long long)n;
            if (!c->file_left) {
                close(c->fd);
                c->fd = -1;
            }
        }
        if (c->out_off == c->out_len)
            return 1;
        if (!c->writable)
            return 0;
        size_t sent = 0;
        int r = toe_tcp_send(c->s, c->out + c->out_off, c->out_len - c->out_off, &sent, 0);
        if (r == TOE_EAGAIN) {
            c->writable = 0;
            return 0;
        }
        if (r) {
            log_request(c, toe_strerror(r));
            return -1;
        }
        c->out_off += sent;
        c->deadline = now + timeout_us; /* progress */
    }
}

/* Wait for a request: the first one gets --timeout from the open, later ones the idle time. */
static void next_request(struct conn *c, uint64_t now, int first)
{
    c->st = ST_HEAD;
    c->started = 0;
    c->scan = 0;
    c->deadline = now + (first ? timeout_us : idle_us);
}

/* Run connection c as far as it goes without waiting. Returns 0, or -1 when the connection is
 * over (the caller closes it). */
static int step(struct conn *c, short revents, uint64_t now)
{
    c->readable |= !!(revents & (TOE_POLLIN | TOE_POLLERR | TOE_POLLHUP));
    c->writable |= !!(revents & (TOE_POLLOUT | TOE_POLLERR | TOE_POLLHUP));
    for (int prev = c->st;;) {
        if (c->st == ST_SEND && prev != ST_SEND)
            c->deadline = now + timeout_us; /* a response gets --timeout per progress */
        prev = c->st;
        switch (c->st) {
        case ST_HEAD: {
            /* Empty lines before a request are ignored (RFC 9112 2.2). */
            size_t skip = 0;
            while (!c->started && skip < c->in_len && (c->in[skip] == '\r' || c->in[skip] == '\n'))
                skip++;
            if (skip)
                consume(c, skip);
            if (c->in_len && !c->started) {
                c->started = 1;
                c->deadline = now + timeout_us;
            }
            if (c->in_len && memchr(c->in + c->scan, 0, c->in_len - c->scan)) {
                note_line(c);
                fail_request(c, 400);
                continue;
            }
            /* The head ends at an empty line: "\n\n" or "\n\r\n". */
            size_t hlen = 0;
            for (size_t i = c->scan ? c->scan - 1 : 0; i + 1 < c->in_len && !hlen; i++)
                if (c->in[i] == '\n' &&
                    (c->in[i + 1] == '\n' ||
                     (c->in[i + 1] == '\r' && i + 2 < c->in_len && c->in[i + 2] == '\n')))
                    hlen = i + (c->in[i + 1] == '\n' ? 2 : 3);
            if (hlen) {
                int refused = handle_head(c, hlen);
                if (refused)
                    fail_request(c, refused);
                continue;
            }
            c->scan = c->in_len > 2 ? c->in_len - 2 : 0;
            if (c->in_len == sizeof(c->in)) {
                note_line(c);
                fail_request(c, memchr(c->in, '\n', c->in_len) ? 431 : 414);
                continue;
            }
            int r = fill(c);
            if (r <= 0)
                return r;
            break;
        }
        case ST_BODY: {
            int r = drop_body(c);
            if (r == 1) {
                c->st = ST_SEND;
            } else if (r > 1) {
                fail_request(c, r);
            } else if ((r = fill(c)) <= 0) {
                return r;
            }
            break;
        }
        case ST_SEND: {
            int r = flush(c, now);
            if (r <= 0)
                return r;
            log_request(c, NULL);
            c->nreq++;
            served++;
            if (c->keep) {
                next_request(c, now, 0);
                break;
            }
            /* Lingering close: our FIN now, their bytes dropped until their FIN. */
            toe_tcp_shutdown(c->s, 0);
            c->st = ST_LINGER;
            c->in_len = 0;
            c->deadline = now + (uint64_t)LINGER_MS * 1000;
            break;
        }
        case ST_LINGER: {
            int r = fill(c);
            if (r <= 0)
                return r;
            c->in_len = 0;
            break;
        }
        }
    }
}

static void conn_free(struct conn *c, int abort)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    if (abort)
        toe_tcp_abort(c->s);
    else
        toe_tcp_close(c->s, 0); /* unread bytes make it a RST (RFC 2525 2.17) */
    c->s = NULL;
}

/* A deadline passed: what the state calls for. Returns 1 when the connection is to be freed
 * (abort in *abort). */
static int expire(struct conn *c, uint64_t now, int *abort)
{
    *abort = 0;
    switch (c->st) {
    case ST_HEAD:
    case ST_BODY:
        if (c->st == ST_HEAD && !c->started) {
            if (!c->nreq)
                log_close(c, "no request in time");
            return 1; /* a kept-alive connection idle too long, or a silent one */
        }
        log_close(c, "request timeout");
        if (c->st == ST_HEAD)
            note_line(c); /* in ST_BODY the line is the request's already */
        fail_request(c, 408);
        c->writable = 1;
        c->deadline = now + timeout_us;
        return step(c, 0, now) < 0;
    case ST_SEND:
        log_close(c, "send timeout");
        *abort = 1;
        return 1;
    default: /* ST_LINGER */
        return 1;
    }
}

/* The device's clock for the deadlines. Every EVENT carries the device time; while data moves
 * the device sends them all the time, so a turn that saw one takes its time (a lower bound: a
 * deadline may pass a little late, never early). A turn without one (idle, or a client that
 * only sends: received data carries no time) reads the clock from the device. */
struct dev_clock {
    uint64_t ev, used; /* latest event time; the one the last turn took */
};

static void on_event(void *user, unsigned kind, uint16_t seq, uint64_t time_us,
                     const uint8_t *fields, size_t len)
{
    (void)kind, (void)seq, (void)fields, (void)len;
    struct dev_clock *k = user;
    if (time_us > k->ev)
        k->ev = time_us;
}

static int clock_now(toe_dev *dev, struct dev_clock *k, uint64_t *now)
{
    int r = 0;
    uint64_t t = k->ev;
    if (k->ev == k->used)
        r = toe_time(dev, &t, 2000);
    k->used = k->ev;
    if (!r && t > *now)
        *now = t;
    return r;
}

/* "a.b.c.d:port" */
static void addr_str(char *b, size_t n, uint32_t ip, unsigned port)
{
    snprintf(b, n, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port);
}

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out)
{
    char *e = NULL;
    errno = 0;
    long x = strtol(v, &e, 10);
    if (!*v || *e || errno || x < lo || x > hi) {
        fprintf(stderr, "toe-httpd: bad %s '%s' (%ld..%ld)\n", opt, v, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

int main(int argc, char **argv)
{
    const char *spec = getenv("TOE_DEVICE"), *dir = ".";
    long port = 80, max_conns = 0, max_clients = 0, tmo = 10000, idle = 5000;
    for (int i = 1; i < argc; i += 2) { /* every option but --help takes a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "toe-httpd: %s needs a value (see --help)\n", a);
            return 2;
        }
        if (!strcmp(a, "-d") || !strcmp(a, "--device"))
            spec = v;
        else if (!strcmp(a, "-r") || !strcmp(a, "--root"))
            dir = v;
        else if (!strcmp(a, "-p") || !strcmp(a, "--port"))
            bad = parse_long("port", v, 1, 65535, &port);
        else if (!strcmp(a, "--max-conns"))
            bad = parse_long(a, v, 1, LONG_MAX, &max_conns);
        else if (!strcmp(a, "--max-clients"))
            bad = parse_long(a, v, 1, 255, &max_clients);
        else if (!strcmp(a, "--timeout"))
            bad = parse_long(a, v, 1, 3600000, &tmo);
        else if (!strcmp(a, "--idle-timeout"))
            bad = parse_long(a, v, 1, 3600000, &idle);
        else {
            fprintf(stderr, "toe-httpd: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        if (bad)
            return 2;
    }
    timeout_us = (uint64_t)tmo * 1000;
    idle_us = (uint64_t)idle * 1000;
    if (!spec || !*spec) {
        fprintf(stderr, "toe-httpd: no device: use -d SPEC or set TOE_DEVICE\n");
        return 2;
    }
    if (!realpath(dir, root)) {
        fprintf(stderr, "toe-httpd: %s: %s\n", dir, strerror(errno));
        return 2;
    }
    if (!strcmp(root, "/"))
        root[0] = 0; /* paths are root + "/..." */
    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts o = {.errbuf = err, .errbuf_size = sizeof(err)};
    toe_dev *dev;
    int r = toe_open(&dev, spec, &o);
    if (r) {
        fprintf(stderr, "toe-httpd: %s\n", err[0] ? err : toe_strerror(r));
        return 1;
    }
    toe_sock *ls = NULL;
    struct toe_info in;
    struct conn *conns = NULL;
    struct toe_tcp_pollfd *pfd = NULL;
    size_t nmax = 0;
    if (!(r = toe_get_info(dev, &in, 2000))) {
        /* Every connection takes a slot: more clients than slots would never be served. */
        nmax = in.slots ? in.slots : 1;
        if (max_clients && (size_t)max_clients < nmax)
            nmax = (size_t)max_clients;
        conns = calloc(nmax, sizeof(*conns));
        pfd = calloc(nmax + 1, sizeof(*pfd));
        if (!conns || !pfd)
            r = TOE_ENOMEM;
    }
    /* No Nagle (inherited by every connection): a response is written whole, and its last
     * short segment should not wait for the ACK of the one before. */
    if (r || (r = toe_tcp_socket(dev, &ls)) || (r = toe_tcp_setopt(ls, TOE_TCP_NODELAY, 1)) ||
        (r = toe_tcp_listen(ls, (uint16_t)port, nmax < 64 ? (int)nmax : 64))) {
        const char *d = toe_last_error(dev);
        fprintf(stderr, "toe-httpd: %s\n", d && *d ? d : toe_strerror(r));
        toe_tcp_close(ls, 0);
        toe_close(dev);
        free(conns);
        free(pfd);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    char ipb[24];
    addr_str(ipb, sizeof(ipb), in.ip, (unsigned)port);
    fprintf(stderr, "httpd: serving %s on http://%s/ (%zu clients at once)\n",
            root[0] ? root : "/", ipb, nmax);
    long accepted = 0;
    size_t live = 0;
    int status = 0;
    uint64_t now = 0;
    struct dev_clock clk = {0, 0};
    toe_set_event_cb(dev, on_event, &clk);
    while (!stop && (!max_conns || accepted < max_conns || live)) {
        uint64_t next = UINT64_MAX;
        for (size_t i = 0; i < nmax; i++) {
            struct conn *c = &conns[i];
            int abort = 0;
            if (c->s && c->deadline <= now && expire(c, now, &abort)) {
                conn_free(c, abort);
                live--;
            }
            if (c->s && c->deadline < next)
                next = c->deadline;
            pfd[i + 1].sock = c->s;
            pfd[i + 1].events = !c->s ? 0
                                : c->st == ST_SEND ? TOE_POLLOUT
                                                   : TOE_POLLIN;
        }
        pfd[0].sock = ls;
        pfd[0].events = live < nmax && (!max_conns || accepted < max_conns) ? TOE_POLLIN : 0;
        int wait = POLL_MAX_MS;
        if (next != UINT64_MAX && next > now && (next - now + 999) / 1000 < (uint64_t)wait)
            wait = (int)((next - now + 999) / 1000);
        r = toe_tcp_poll(pfd, nmax + 1, wait);
        if (r == TOE_EINTR)
            continue; /* SIGINT/SIGTERM: the loop's condition sees stop */
        if (r < 0 && r != TOE_ETIMEDOUT && r != TOE_EAGAIN) {
            const char *d = toe_last_error(dev);
            fprintf(stderr, "toe-httpd: poll: %s\n", d && *d ? d : toe_strerror(r));
            status = 1;
            break;
        }
        /* The device's clock, once a turn, after the wait: every deadline is device time. */
        int rc = 0, arrivals = r > 0 && (pfd[0].revents & TOE_POLLIN);
        if ((live || arrivals) && (rc = clock_now(dev, &clk, &now))) {
            fprintf(stderr, "toe-httpd: device time: %s\n", toe_strerror(rc));
            status = 1;
            break;
        }
        if (r <= 0)
            continue;
        for (size_t i = 0; i < nmax; i++) {
            struct conn *c = &conns[i];
            if (c->s && pfd[i + 1].revents && step(c, pfd[i + 1].revents, now) < 0) {
                conn_free(c, 0);
                live--;
            }
        }
        /* Take every connection the listener has, while there is room. */
        while (arrivals && live < nmax && (!max_conns || accepted < max_conns)) {
            toe_sock *s = NULL;
            uint32_t ip = 0;
            uint16_t pport = 0;
            r = toe_tcp_accept(ls, &s, &ip, &pport, 0);
            if (r == TOE_EAGAIN)
                break;
            if (r) {
                const char *d = toe_last_error(dev);
                fprintf(stderr, "toe-httpd: accept: %s\n", d && *d ? d : toe_strerror(r));
                status = 1;
                stop = 1;
                break;
            }
            struct conn *c = conns;
            while (c->s)
                c++;
            c->s = s;
            addr_str(c->peer, sizeof(c->peer), ip, pport);
            c->in_len = 0;
            c->fd = -1;
            c->readable = c->writable = 0;
            c->nreq = 0;
            next_request(c, now, 1);
            accepted++;
            live++;
        }
    }
    for (size_t i = 0; i < nmax; i++)
        if (conns[i].s)
            conn_free(&conns[i], 0);
    toe_tcp_close(ls, 0);
    /* Let the last FINs go out before the handle resets what is left. */
    for (int i = 0; i < 10; i++)
        toe_poll(dev, 50);
    uint64_t hs[TOE_HSTAT_COUNT] = {0};
    toe_host_stats(dev, hs, TOE_HSTAT_COUNT, NULL);
    fprintf(stderr,
            "httpd: done: %ld connections, %lu requests; SYNs dropped: %llu (backlog full or no "
            "free slot), %llu for no free slot; TIME-WAIT: %llu reopened by a SYN, %llu dropped "
            "early\n",
            accepted, served, (unsigned long long)hs[TOE_HSTAT_TCP_LISTEN_DROP],
            (unsigned long long)hs[TOE_HSTAT_TCP_NO_SLOT],
            (unsigned long long)hs[TOE_HSTAT_TCP_TW_REOPENED],
            (unsigned long long)hs[TOE_HSTAT_TCP_TW_DROPPED]);
    toe_close(dev);
    free(conns);
    free(pfd);
    return status;
}
