/* SPDX-License-Identifier: MIT */
/* httpd: a small HTTP/1.1 file server on the device's TCP sockets (toe_tcp_listen and
 * toe_tcp_accept), to show the socket API and to let any HTTP client (curl, a browser) fetch
 * pages from the board.
 *
 *   toe-httpd [-d DEVICE] [-p PORT] [-r DIR] [--max-conns N]
 *
 * GET and HEAD of regular files under DIR (index.html for a directory), Content-Length,
 * keep-alive (HTTP/1.1 unless "Connection: close"), one connection at a time; 400, 403, 404,
 * 405, 414/431 and 501 for what it does not serve. Paths are percent-decoded; "..", NUL and
 * backslashes are refused, and symbolic links are not followed out of DIR. One log line per
 * request on stderr. SIGINT/SIGTERM stop it.
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

#define REQ_MAX 8192
#define IO_TIMEOUT_MS 30000
#define IDLE_TIMEOUT_MS 5000

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char usage[] =
    "usage: toe-httpd [-d DEVICE] [-p PORT] [-r DIR] [--max-conns N]\n"
    "\n"
    "Serve the files under DIR (default .) over HTTP/1.1 on PORT (default 80) of the device's\n"
    "address, through its TCP offload. DEVICE defaults to $TOE_DEVICE. --max-conns N: exit\n"
    "after N connections (default: until SIGINT/SIGTERM).\n";

static char root[PATH_MAX];

static int send_all(toe_sock *s, const void *p, size_t n)
{
    size_t sent = 0;
    int r = toe_tcp_send(s, p, n, &sent, IO_TIMEOUT_MS);
    return r ? r : (sent == n ? 0 : TOE_ETIMEDOUT);
}

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

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
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

static int respond_simple(toe_sock *s, int code, const char *reason, int head_only, int keep)
{
    char body[160], hdr[320];
    int bl = snprintf(body, sizeof(body), "%d %s\n", code, reason);
    int hl = snprintf(hdr, sizeof(hdr),
                      "HTTP/1.1 %d %s\r\nServer: toe-httpd\r\nContent-Type: text/plain\r\n"
                      "Content-Length: %d\r\n%s%s\r\n",
                      code, reason, bl, code == 405 ? "Allow: GET, HEAD\r\n" : "",
                      keep ? "" : "Connection: close\r\n");
    int r = send_all(s, hdr, (size_t)hl);
    if (!r && !head_only)
        r = send_all(s, body, (size_t)bl);
    return r;
}

/* Serve one request whose head is req (NUL-terminated). *keep: the connection goes on. */
static int serve(toe_sock *s, char *req, int *keep, int *code, unsigned long long *bytes)
{
    char *eol = strstr(req, "\r\n");
    if (!eol)
        eol = strchr(req, '\n');
    if (!eol)
        return *code = 400, respond_simple(s, 400, "Bad Request", 0, *keep = 0);
    *eol = 0;
    char method[16], target[REQ_MAX], version[16];
    if (sscanf(req, "%15s %8191s %15s", method, target, version) != 3 ||
        strncmp(version, "HTTP/1.", 7))
        return *code = 400, respond_simple(s, 400, "Bad Request", 0, *keep = 0);
    /* Connection semantics: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
    int close_hdr = 0, ka_hdr = 0;
    for (char *l = eol + 1; *l;) {
        char *e = strchr(l, '\n');
        if (e)
            *e = 0;
        if (!strncasecmp(l, "connection:", 11)) {
            if (strcasestr(l + 11, "close"))
                close_hdr = 1;
            if (strcasestr(l + 11, "keep-alive"))
                ka_hdr = 1;
        }
        if (!e)
            break;
        l = e + 1;
    }
    *keep = !strcmp(version, "HTTP/1.1") ? !close_hdr : ka_hdr && !close_hdr;
    int head_only = !strcmp(method, "HEAD");
    if (strcmp(method, "GET") && !head_only)
        return *code = 405, respond_simple(s, 405, "Method Not Allowed", 0, *keep);
    char rel[PATH_MAX], path[PATH_MAX * 2], real[PATH_MAX];
    int st = decode_path(target, rel, sizeof(rel));
    if (st) {
        const char *why = st == 403 ? "Forbidden" : st == 414 ? "URI Too Long" : "Bad Request";
        return *code = st, respond_simple(s, st, why, head_only, *keep);
    }
    snprintf(path, sizeof(path), "%s%s", root, rel);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        strncat(path, path[strlen(path) - 1] == '/' ? "index.html" : "/index.html",
                sizeof(path) - strlen(path) - 1);
    }
    /* No way out of the root through symbolic links. */
    if (!realpath(path, real) || strncmp(real, root, strlen(root)) ||
        (real[strlen(root)] != '/' && real[strlen(root)] != 0))
        return *code = 404, respond_simple(s, 404, "Not Found", head_only, *keep);
    int fd = open(real, O_RDONLY);
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return *code = 404, respond_simple(s, 404, "Not Found", head_only, *keep);
    }
    char hdr[512];
    int hl = snprintf(hdr, sizeof(hdr),
                      "HTTP/1.1 200 OK\r\nServer: toe-httpd\r\nContent-Type: %s\r\n"
                      "Content-Length: %lld\r\n%s\r\n",
                      mime(real), (long long)sb.st_size, *keep ? "" : "Connection: close\r\n");
    *code = 200;
    int r = send_all(s, hdr, (size_t)hl);
    static char buf[65536];
    off_t left = head_only ? 0 : sb.st_size;
    while (!r && left > 0) {
        ssize_t n = read(fd, buf, sizeof(buf) < (size_t)left ? sizeof(buf) : (size_t)left);
        if (n <= 0) {
            r = TOE_EIO; /* the file shrank: the client sees a short body */
            break;
        }
        r = send_all(s, buf, (size_t)n);
        if (!r)
            *bytes += (unsigned long long)n;
        left -= n;
    }
    close(fd);
    return r;
}

/* Requests on one connection until it closes, goes idle or fails. */
static void connection(toe_sock *s, uint32_t ip, uint16_t port)
{
    static char req[REQ_MAX + 1];
    size_t have = 0;
    req[0] = 0;
    for (;;) {
        char *end = NULL;
        while (!(end = strstr(req, "\r\n\r\n")) && !stop) {
            if (have >= REQ_MAX) {
                respond_simple(s, 431, "Request Header Fields Too Large", 0, 0);
                return;
            }
            size_t got = 0;
            int r = toe_tcp_recv(s, req + have, REQ_MAX - have, &got,
                                 have ? IO_TIMEOUT_MS : IDLE_TIMEOUT_MS);
            if (r || got == 0)
                return; /* closed, idle or failed */
            if (memchr(req + have, 0, got)) {
                respond_simple(s, 400, "Bad Request", 0, 0);
                return;
            }
            have += got;
            req[have] = 0;
        }
        if (stop || !end)
            return;
        size_t hlen = (size_t)(end + 4 - req);
        char line[REQ_MAX + 1];
        memcpy(line, req, hlen);
        line[hlen] = 0;
        memmove(req, req + hlen, have - hlen + 1);
        have -= hlen;
        int keep = 1, code = 0;
        unsigned long long bytes = 0;
        char first[200];
        snprintf(first, sizeof(first), "%.*s", (int)strcspn(line, "\r\n"), line);
        int r = serve(s, line, &keep, &code, &bytes);
        fprintf(stderr, "httpd: %u.%u.%u.%u:%u \"%s\" %d %llu%s%s\n", ip >> 24,
                (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port, first, code, bytes,
                r ? " error: " : "", r ? toe_strerror(r) : "");
        if (r || !keep)
            return;
    }
}

int main(int argc, char **argv)
{
    const char *spec = getenv("TOE_DEVICE"), *dir = ".";
    long port = 80, max_conns = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *e = NULL;
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
        else if (!strcmp(a, "-p") || !strcmp(a, "--port")) {
            port = strtol(v, &e, 10);
            if (*e || port < 1 || port > 65535) {
                fprintf(stderr, "toe-httpd: bad port '%s'\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--max-conns")) {
            max_conns = strtol(v, &e, 10);
            if (*e || max_conns < 1) {
                fprintf(stderr, "toe-httpd: bad --max-conns '%s'\n", v);
                return 2;
            }
        } else {
            fprintf(stderr, "toe-httpd: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        i++;
    }
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
    if ((r = toe_get_info(dev, &in, 2000)) || (r = toe_tcp_socket(dev, &ls)) ||
        (r = toe_tcp_listen(ls, (uint16_t)port, 8))) {
        const char *d = toe_last_error(dev);
        fprintf(stderr, "toe-httpd: %s\n", d && *d ? d : toe_strerror(r));
        toe_tcp_close(ls, 0);
        toe_close(dev);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    fprintf(stderr, "httpd: serving %s on http://%u.%u.%u.%u:%ld/\n", root[0] ? root : "/",
            in.ip >> 24, (in.ip >> 16) & 255, (in.ip >> 8) & 255, in.ip & 255, port);
    long conns = 0;
    int status = 0;
    while (!stop && (!max_conns || conns < max_conns)) {
        toe_sock *s = NULL;
        uint32_t ip = 0;
        uint16_t pport = 0;
        r = toe_tcp_accept(ls, &s, &ip, &pport, 500);
        if (r == TOE_ETIMEDOUT || r == TOE_EAGAIN)
            continue;
        if (r) {
            const char *d = toe_last_error(dev);
            fprintf(stderr, "toe-httpd: accept: %s\n", d && *d ? d : toe_strerror(r));
            status = 1;
            break;
        }
        conns++;
        connection(s, ip, pport);
        toe_tcp_close(s, 2000);
    }
    toe_tcp_close(ls, 0);
    /* Let the last FINs go out before the handle resets what is left. */
    for (int i = 0; i < 10; i++)
        toe_poll(dev, 50);
    toe_close(dev);
    return status;
}
