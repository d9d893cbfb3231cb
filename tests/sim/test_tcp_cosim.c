/* SPDX-License-Identifier: MIT */
/* test_tcp_cosim: libtoe's TCP sockets against a real TCP stack through the virtual board
 * (libslirp or Linux over a TAP). Run by test_tcp_slirp.sh and test_tcp_tap.sh, which start
 * toe-sim and the far end (test_tcp_peer.py). One scenario per run; prints PASS/FAIL lines
 * and figures (device time, so independent of the simulation speed).
 *
 *   test_tcp_cosim sim:PATH SCENARIO ARGS...
 *     download IP PORT BYTES SEED      read the peer's seeded stream to EOF, SHA-256 checked
 *     upload IP PORT BYTES SEED        send the seeded stream, half close, wait for the close
 *     reverse IP PORT BYTES SEED       upload, then (half closed) download the reply
 *     echo IP PORT BYTES SEED          send and receive at once (poll), compare
 *     multi N IP PORT BYTES SEED       N downloads at once (non-blocking connects, poll)
 *     refused IP PORT                  connect to a closed port: TOE_ECONNREFUSED
 *     reset IP PORT BYTES SEED         the peer sends, then resets: data, then TOE_ECONNRESET
 *     slowread IP PORT BYTES SEED MS   read nothing until the window has been zero for MS
 *     slowpeer IP PORT BYTES SEED GO   send into a peer that reads only once file GO exists:
 *                                      persist probes, then everything arrives
 *     serve PORT BYTES SEED            accept one: read the stream to EOF, send it back, close
 *     keepalive IP PORT                a silent peer: keepalive (1 s idle and interval, 3
 *                                      probes) must keep the connection up for 4.5 s
 * Options (before the scenario): --min-rto MS, --nodelay.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "toe.h"
#include "toe_defs.h"

#define T_MS 600000 /* generous: the simulation is ~25x slower than real time */

static int failures;
static toe_dev *dev;
static int min_rto = 0, nodelay = 0;

static void check(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static void check(bool ok, const char *name, const char *fmt, ...)
{
    printf("%s %s", ok ? "PASS" : "FAIL", name);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf(" (");
        vprintf(fmt, ap);
        printf(")");
        va_end(ap);
    }
    printf("\n");
    fflush(stdout);
    if (!ok)
        failures++;
}

/* ---- the seeded stream (test_tcp_peer.py makes the same) ---------------------------- */

static void stream_fill(uint32_t seed, uint8_t *p, size_t n)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i += 4) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        for (int k = 0; k < 4 && i + (size_t)k < n; k++)
            p[i + (size_t)k] = (uint8_t)(x >> (8 * k));
    }
}

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------------------ */

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
};

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
static void sha_block(struct sha256 *s, const uint8_t *p)
{
    uint32_t w[64], a[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(a, s->h, sizeof(a));
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ROR(a[4], 6) ^ ROR(a[4], 11) ^ ROR(a[4], 25);
        uint32_t ch = (a[4] & a[5]) ^ (~a[4] & a[6]);
        uint32_t t1 = a[7] + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ROR(a[0], 2) ^ ROR(a[0], 13) ^ ROR(a[0], 22);
        uint32_t mj = (a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]);
        memmove(a + 1, a, 7 * sizeof(uint32_t));
        a[4] += t1;
        a[0] = t1 + S0 + mj;
    }
    for (int i = 0; i < 8; i++)
        s->h[i] += a[i];
}

static void sha_init(struct sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof(h0));
    s->len = 0;
    s->n = 0;
}

static void sha_update(struct sha256 *s, const uint8_t *p, size_t n)
{
    s->len += n;
    while (n) {
        size_t k = 64 - s->n < n ? 64 - s->n : n;
        memcpy(s->buf + s->n, p, k);
        s->n += k;
        p += k;
        n -= k;
        if (s->n == 64) {
            sha_block(s, s->buf);
            s->n = 0;
        }
    }
}

static void sha_hex(struct sha256 *s, char out[65])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80, z = 0, l[8];
    sha_update(s, &pad, 1);
    while (s->n != 56)
        sha_update(s, &z, 1);
    for (int i = 0; i < 8; i++)
        l[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, l, 8);
    for (int i = 0; i < 8; i++)
        sprintf(out + 8 * i, "%08x", s->h[i]);
}

static void stream_sha(uint32_t seed, size_t n, char out[65])
{
    struct sha256 s;
    sha_init(&s);
    uint8_t *b = malloc(n ? n : 1);
    stream_fill(seed, b, n);
    sha_update(&s, b, n);
    sha_hex(&s, out);
    free(b);
}

/* buf (got bytes) holds exactly the seeded stream of bytes: SHA-256 against the expected. */
static bool stream_ok(uint32_t seed, size_t bytes, const uint8_t *buf, size_t got)
{
    char a[65], b[65];
    struct sha256 h;
    sha_init(&h);
    sha_update(&h, buf, got < bytes ? got : bytes);
    sha_hex(&h, a);
    stream_sha(seed, bytes, b);
    return got == bytes && !strcmp(a, b);
}

/* ---- helpers ------------------------------------------------------------------------- */

static uint64_t dev_now(void)
{
    uint64_t t = 0;
    toe_time(dev, &t, 10000);
    return t;
}

static void rate(const char *what, size_t bytes, uint64_t us)
{
    printf("FIGURE %s: %zu bytes in %.3f ms device time, %.2f Mb/s\n", what, bytes, us / 1000.0,
           us ? bytes * 8.0 / (double)us : 0.0);
}

static toe_sock *mksock(void)
{
    toe_sock *s = NULL;
    int r = toe_tcp_socket(dev, &s);
    if (r) {
        printf("FAIL toe_tcp_socket: %s (%s)\n", toe_strerror(r), toe_last_error(dev));
        exit(1);
    }
    if (min_rto)
        toe_tcp_setopt(s, TOE_TCP_MIN_RTO, min_rto);
    if (nodelay)
        toe_tcp_setopt(s, TOE_TCP_NODELAY, 1);
    toe_tcp_setopt(s, TOE_TCP_TIME_WAIT, 2000);
    return s;
}

/* Read to EOF (or error) into buf; returns the API result. */
static int read_all(toe_sock *s, uint8_t *buf, size_t cap, size_t *got)
{
    *got = 0;
    for (;;) {
        size_t n = 0;
        uint8_t tmp[4096];
        int r = toe_tcp_recv(s, tmp, sizeof(tmp), &n, T_MS);
        if (r)
            return r;
        if (n == 0)
            return 0;
        size_t k = cap - *got < n ? cap - *got : n;
        memcpy(buf + *got, tmp, k);
        *got += n;
        if (*got > cap)
            return -1000; /* more than expected */
    }
}

static void print_stats(void)
{
    uint64_t h[TOE_HSTAT_COUNT];
    size_t got;
    toe_host_stats(dev, h, TOE_HSTAT_COUNT, &got);
    printf("host counters:");
    for (unsigned i = 0; i < got; i++)
        if (h[i] && strncmp(toe_host_stat_name(i), "tcp_", 4) == 0)
            printf(" %s=%llu", toe_host_stat_name(i), (unsigned long long)h[i]);
    printf(" link_rx_bad_crc=%llu event_gaps=%llu csr_retries=%llu\n",
           (unsigned long long)h[TOE_HSTAT_LINK_RX_BAD_CRC],
           (unsigned long long)h[TOE_HSTAT_EVENT_GAPS], (unsigned long long)h[TOE_HSTAT_CSR_RETRIES]);
    uint32_t st[64];
    if (!toe_read_stats(dev, st, toe_stat_count(), &got, 10000)) {
        printf("device counters:");
        for (unsigned i = 0; i < got; i++)
            if (strncmp(toe_stat_name(i), "tcp_", 4) == 0 || i == TOE_STAT_RX_TCP_SLOT ||
                i == TOE_STAT_RX_TCP || i == TOE_STAT_LINK_RX_BAD_CRC ||
                i == TOE_STAT_RX_TO_HOST || i == TOE_STAT_RX_HOST_DROP ||
                i == TOE_STAT_RX_TCP_BAD || i == TOE_STAT_RX_OVERFLOW || i == TOE_STAT_RX_FRAMES)
                printf(" %s=%u", toe_stat_name(i), st[i]);
        printf("\n");
    }
}

static uint32_t parse_ip(const char *s)
{
    unsigned a, b, c, d;
    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        return 0;
    return a << 24 | b << 16 | c << 8 | d;
}

/* ---- scenarios ----------------------------------------------------------------------- */

static void sc_download(uint32_t ip, uint16_t port, size_t bytes, uint32_t seed)
{
    toe_sock *s = mksock();
    uint64_t t0 = dev_now();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, "test_tcp_download_connect", "%s: %s", toe_error_name(r), toe_last_error(dev));
    if (r)
        return;
    uint8_t *buf = malloc(bytes + 1);
    size_t got;
    uint64_t t1 = dev_now();
    r = read_all(s, buf, bytes + 1, &got);
    uint64_t t2 = dev_now();
    check(r == 0 && stream_ok(seed, bytes, buf, got), "test_tcp_download_sha256",
          "%s, %zu of %zu bytes", toe_error_name(r), got, bytes);
    rate("download", got, t2 - t1);
    printf("FIGURE connect: %.3f ms device time\n", (t1 - t0) / 1000.0);
    r = toe_tcp_close(s, T_MS);
    check(r == 0, "test_tcp_download_close", "%s", toe_error_name(r));
    free(buf);
}

static void sc_upload(uint32_t ip, uint16_t port, size_t bytes, uint32_t seed, int reverse)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, reverse ? "test_tcp_reverse_connect" : "test_tcp_upload_connect", "%s: %s",
          toe_error_name(r), toe_last_error(dev));
    if (r)
        return;
    uint8_t *buf = malloc(bytes);
    stream_fill(seed, buf, bytes);
    size_t sent = 0;
    uint64_t t1 = dev_now();
    r = toe_tcp_send(s, buf, bytes, &sent, T_MS);
    check(r == 0 && sent == bytes, reverse ? "test_tcp_reverse_send" : "test_tcp_upload_send",
          "%s, %zu of %zu", toe_error_name(r), sent, bytes);
    r = toe_tcp_shutdown(s, T_MS);
    uint64_t t2 = dev_now();
    check(r == 0, reverse ? "test_tcp_reverse_half_close" : "test_tcp_upload_shutdown_acked", "%s",
          toe_error_name(r));
    rate("upload (to FIN acknowledged)", bytes, t2 - t1);
    size_t got = 0;
    uint8_t *rb = malloc(bytes + 1);
    r = read_all(s, rb, bytes + 1, &got);
    if (reverse) {
        check(r == 0 && stream_ok(seed, bytes, rb, got), "test_tcp_reverse_download_after_half_close",
              "%s, %zu bytes", toe_error_name(r), got);
    } else {
        check(r == 0 && got == 0, "test_tcp_upload_server_close_eof", "%s, %zu bytes",
              toe_error_name(r), got);
    }
    r = toe_tcp_close(s, T_MS);
    check(r == 0, reverse ? "test_tcp_reverse_close" : "test_tcp_upload_close", "%s", toe_error_name(r));
    free(buf);
    free(rb);
}

static void sc_echo(uint32_t ip, uint16_t port, size_t bytes, uint32_t seed)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, "test_tcp_echo_connect", "%s", toe_error_name(r));
    if (r)
        return;
    uint8_t *tx = malloc(bytes), *rx = malloc(bytes + 1);
    stream_fill(seed, tx, bytes);
    size_t off = 0, got = 0;
    int shut = 0, eof = 0;
    uint64_t t0 = dev_now();
    while (!eof) {
        struct toe_tcp_pollfd pf = {s, (short)(TOE_POLLIN | (off < bytes ? TOE_POLLOUT : 0)), 0};
        r = toe_tcp_poll(&pf, 1, T_MS);
        if (r < 0)
            break;
        if (pf.revents & TOE_POLLOUT) {
            size_t n = 0;
            r = toe_tcp_send(s, tx + off, bytes - off, &n, 0);
            off += n;
            if (r && r != TOE_EAGAIN)
                break;
        }
        if (off == bytes && !shut) {
            toe_tcp_shutdown(s, 0);
            shut = 1;
        }
        if (pf.revents & (TOE_POLLIN | TOE_POLLERR | TOE_POLLHUP)) {
            size_t n = 0;
            r = toe_tcp_recv(s, rx + got, bytes + 1 - got, &n, 0);
            if (r && r != TOE_EAGAIN)
                break;
            if (!r && n == 0)
                eof = 1;
            got += n;
        }
    }
    uint64_t t1 = dev_now();
    size_t bad = 0;
    while (bad < got && bad < bytes && tx[bad] == rx[bad])
        bad++;
    check(eof && got == bytes && bad == bytes, "test_tcp_echo_both_ways_poll",
          "%s, sent %zu, echoed %zu, equal up to %zu, eof %d", toe_error_name(r), off, got, bad, eof);
    rate("echo (both directions at once)", 2 * got, t1 - t0);
    r = toe_tcp_close(s, T_MS);
    check(r == 0, "test_tcp_echo_close", "%s", toe_error_name(r));
    free(tx);
    free(rx);
}

static void sc_multi(int n, uint32_t ip, uint16_t port, size_t bytes, uint32_t seed)
{
    toe_sock *s[8];
    uint8_t *b[8];
    size_t got[8] = {0};
    int done[8] = {0}, res[8] = {0}, conn[8] = {0};
    if (n > 8)
        n = 8;
    int ok = 1;
    for (int i = 0; i < n; i++) {
        s[i] = mksock();
        b[i] = malloc(bytes + 1);
        int r = toe_tcp_connect(s[i], ip, port, 0);
        ok &= r == TOE_EAGAIN || r == 0;
    }
    check(ok, "test_tcp_multi_connects_started", "%d", n);
    uint64_t t0 = dev_now();
    int left = n;
    while (left) {
        struct toe_tcp_pollfd pf[8];
        for (int i = 0; i < n; i++)
            pf[i] = (struct toe_tcp_pollfd){done[i] ? NULL : s[i],
                                            (short)(conn[i] ? TOE_POLLIN : TOE_POLLOUT), 0};
        int r = toe_tcp_poll(pf, (size_t)n, T_MS);
        if (r < 0) {
            printf("poll: %s\n", toe_error_name(r));
            break;
        }
        for (int i = 0; i < n; i++) {
            if (done[i] || !pf[i].revents)
                continue;
            if (pf[i].revents & TOE_POLLOUT) { /* connected: finish the connect call */
                int c = toe_tcp_connect(s[i], ip, port, 0);
                conn[i] = c == 0;
                if (c && c != TOE_EAGAIN && c != TOE_EISCONN) {
                    res[i] = c;
                    done[i] = 1;
                    left--;
                    continue;
                }
            }
            if ((pf[i].revents & TOE_POLLERR) && !conn[i]) {
                res[i] = toe_tcp_connect(s[i], ip, port, 0);
                done[i] = 1;
                left--;
                continue;
            }
            if (conn[i] && (pf[i].revents & (TOE_POLLIN | TOE_POLLERR | TOE_POLLHUP))) {
                size_t k = 0;
                int c = toe_tcp_recv(s[i], b[i] + got[i], bytes + 1 - got[i], &k, 0);
                if (c == TOE_EAGAIN)
                    continue;
                got[i] += k;
                if (c || k == 0) {
                    res[i] = c;
                    done[i] = 1;
                    left--;
                }
            }
        }
    }
    uint64_t t1 = dev_now();
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "test_tcp_multi_%d_sha256", i);
        check(res[i] == 0 && stream_ok(seed, bytes, b[i], got[i]), name, "%s, %zu bytes",
              toe_error_name(res[i]), got[i]);
        total += got[i];
    }
    rate("multi (all connections together)", total, t1 - t0);
    struct toe_tcp_info info[16];
    size_t k = 0;
    toe_tcp_netstat(dev, info, 16, &k);
    int slots = 0;
    for (size_t i = 0; i < k; i++)
        slots += info[i].slot >= 0;
    check(k == (size_t)n, "test_tcp_multi_netstat_lists_all", "%zu sockets, %d with slots", k, slots);
    ok = 1;
    for (int i = 0; i < n; i++) {
        ok &= toe_tcp_close(s[i], T_MS) == 0;
        free(b[i]);
    }
    check(ok, "test_tcp_multi_close_all", NULL);
}

static void sc_refused(uint32_t ip, uint16_t port)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == TOE_ECONNREFUSED, "test_tcp_connect_refused", "%s", toe_error_name(r));
    toe_tcp_close(s, 0);
}

/* Wait d_us of device time without reading or writing s (its events are still handled). */
static void idle_for(toe_sock *s, uint64_t d_us)
{
    uint64_t t0 = dev_now(), t;
    while ((t = dev_now() - t0) < d_us) {
        /* poll's timeout is device time too: no longer than what is left */
        struct toe_tcp_pollfd pf = {s, 0, 0};
        uint64_t left_ms = (d_us - t + 999) / 1000;
        toe_tcp_poll(&pf, 1, left_ms < 20 ? (int)left_ms : 20);
    }
}

/* The device's advertised receive window of s, from the slot (netstat); -1 if not found. */
static long dev_rcv_wnd(toe_sock *s)
{
    struct toe_tcp_info me, all[32];
    size_t k = 0;
    toe_tcp_sockinfo(s, &me);
    if (toe_tcp_netstat(dev, all, 32, &k))
        return -1;
    for (size_t i = 0; i < k; i++)
        if (all[i].local_port == me.local_port && all[i].remote_port == me.remote_port)
            return (long)all[i].rcv_wnd;
    return -1;
}

/* A slow reader: the application does not read until the device's window has been closed
 * (below one MSS: too small for the peer's sender SWS avoidance, so it waits and probes) for
 * hold_ms of device time, then reads everything. */
static void sc_slowread(uint32_t ip, uint16_t port, size_t bytes, uint32_t seed, int hold_ms)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, "test_tcp_slowread_connect", "%s", toe_error_name(r));
    if (r)
        return;
    long w = -1;
    uint64_t t0 = dev_now();
    while (((w = dev_rcv_wnd(s)) < 0 || w >= 1460) && dev_now() - t0 < 2000000)
        idle_for(s, 2000);
    check(w >= 0 && w < 1460, "test_tcp_slowread_window_closed", "window %ld", w);
    idle_for(s, (uint64_t)hold_ms * 1000u);
    uint8_t *buf = malloc(bytes + 1);
    size_t got;
    r = read_all(s, buf, bytes + 1, &got);
    check(r == 0 && stream_ok(seed, bytes, buf, got), "test_tcp_slowread_sha256", "%s, %zu bytes",
          toe_error_name(r), got);
    r = toe_tcp_close(s, T_MS);
    check(r == 0, "test_tcp_slowread_close", "%s", toe_error_name(r));
    free(buf);
}

/* A slow peer: it reads nothing until the file go exists. The device sends into its closed
 * window until the host's persist timer has probed twice, then creates go; everything must
 * arrive (the script checks the SHA-256 at the peer). */
static void sc_slowpeer(uint32_t ip, uint16_t port, size_t bytes, uint32_t seed, const char *go)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, "test_tcp_slowpeer_connect", "%s", toe_error_name(r));
    if (r)
        return;
    uint8_t *buf = malloc(bytes);
    stream_fill(seed, buf, bytes);
    uint64_t h[TOE_HSTAT_COUNT];
    size_t n, off = 0;
    toe_host_stats(dev, h, TOE_HSTAT_COUNT, &n);
    uint64_t probes0 = h[TOE_HSTAT_TCP_PROBES], probes = 0, t0 = dev_now();
    /* Fill as fast as the ring drains (a fixed pause per send took most of the bound to
     * fill slirp's 3 MB), then wait out two persist intervals; the bound only ends a stall. */
    while (off < bytes && probes < 2 && dev_now() - t0 < 60000000) {
        size_t k = 0;
        r = toe_tcp_send(s, buf + off, bytes - off, &k, 0);
        off += k;
        if (r && r != TOE_EAGAIN)
            break;
        struct toe_tcp_pollfd pf = {s, TOE_POLLOUT, 0};
        toe_tcp_poll(&pf, 1, 200);
        toe_host_stats(dev, h, TOE_HSTAT_COUNT, &n);
        probes = h[TOE_HSTAT_TCP_PROBES] - probes0;
    }
    check(probes >= 2, "test_tcp_slowpeer_persist_probes", "%llu zero-window probes, %zu of %zu sent",
          (unsigned long long)probes, off, bytes);
    FILE *f = fopen(go, "w");
    if (f)
        fclose(f);
    size_t k = 0;
    r = toe_tcp_send(s, buf + off, bytes - off, &k, T_MS);
    off += k;
    check(r == 0 && off == bytes, "test_tcp_slowpeer_send_all", "%s, %zu of %zu", toe_error_name(r),
          off, bytes);
    r = toe_tcp_shutdown(s, T_MS);
    check(r == 0, "test_tcp_slowpeer_shutdown_acked", "%s", toe_error_name(r));
    r = toe_tcp_close(s, T_MS);
    check(r == 0, "test_tcp_slowpeer_close", "%s", toe_error_name(r));
    free(buf);
}

static void sc_reset(uint32_t ip, uint16_t port, size_t bytes, uint32_t seed)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, "test_tcp_reset_connect", "%s", toe_error_name(r));
    if (r)
        return;
    uint8_t *buf = malloc(bytes + 1), *want = malloc(bytes);
    stream_fill(seed, want, bytes);
    size_t got, sent;
    r = read_all(s, buf, bytes + 1, &got);
    check((r == TOE_ECONNRESET || r == 0) && got <= bytes &&
              !memcmp(buf, want, got < bytes ? got : bytes),
          "test_tcp_reset_data_intact", "%s after %zu good bytes", toe_error_name(r), got);
    if (r == 0) {
        /* A NAT (slirp) turns the peer's RST into a FIN; data sent now draws the RST. */
        for (int i = 0; i < 5 && r == 0; i++) {
            r = toe_tcp_send(s, "x", 1, &sent, T_MS);
            struct toe_tcp_pollfd pf = {s, 0, 0}; /* wait for TOE_POLLERR only */
            if (!r && toe_tcp_poll(&pf, 1, 20000) > 0 && (pf.revents & TOE_POLLERR))
                r = toe_tcp_send(s, "x", 1, &sent, 0);
        }
    }
    check(r == TOE_ECONNRESET, "test_tcp_reset_seen_econnreset", "%s", toe_error_name(r));
    r = toe_tcp_send(s, "x", 1, &sent, 0);
    check(r == TOE_ECONNRESET, "test_tcp_reset_send_after_reset", "%s", toe_error_name(r));
    toe_tcp_close(s, 0);
    free(buf);
    free(want);
}

static void sc_serve(uint16_t port, size_t bytes, uint32_t seed)
{
    toe_sock *l = mksock(), *c = NULL;
    int r = toe_tcp_listen(l, port, 4);
    check(r == 0, "test_tcp_serve_listen", "%s", toe_error_name(r));
    printf("listening\n");
    fflush(stdout);
    uint32_t pip = 0;
    uint16_t pport = 0;
    r = toe_tcp_accept(l, &c, &pip, &pport, T_MS);
    check(r == 0, "test_tcp_serve_accept", "%s from %u.%u.%u.%u:%u", toe_error_name(r), pip >> 24,
          (pip >> 16) & 255, (pip >> 8) & 255, pip & 255, pport);
    if (r)
        return;
    toe_tcp_setopt(c, TOE_TCP_TIME_WAIT, 2000);
    if (min_rto)
        toe_tcp_setopt(c, TOE_TCP_MIN_RTO, min_rto);
    uint8_t *buf = malloc(bytes + 1);
    size_t got;
    uint64_t t0 = dev_now();
    r = read_all(c, buf, bytes + 1, &got);
    uint64_t t1 = dev_now();
    check(r == 0 && stream_ok(seed, bytes, buf, got), "test_tcp_serve_receive_sha256", "%s, %zu bytes",
          toe_error_name(r), got);
    rate("passive receive", got, t1 - t0);
    size_t sent = 0;
    r = toe_tcp_send(c, buf, got < bytes ? got : bytes, &sent, T_MS);
    check(r == 0 && sent == bytes, "test_tcp_serve_send_back", "%s, %zu", toe_error_name(r), sent);
    r = toe_tcp_close(c, T_MS);
    check(r == 0, "test_tcp_serve_close", "%s", toe_error_name(r));
    toe_tcp_close(l, 0);
    free(buf);
}

/* A peer that sends nothing but answers keepalive probes: with 1 s idle, 1 s between probes
 * and 3 of them, unanswered probes would end the connection after 4 s of device time. */
static void sc_keepalive(uint32_t ip, uint16_t port)
{
    toe_sock *s = mksock();
    int r = toe_tcp_connect(s, ip, port, T_MS);
    check(r == 0, "test_tcp_keepalive_connect", "%s: %s", toe_error_name(r), toe_last_error(dev));
    if (r)
        return;
    r = toe_tcp_setopt(s, TOE_TCP_KEEPALIVE, 1);
    if (!r)
        r = toe_tcp_setopt(s, TOE_TCP_KEEPINTVL, 1);
    if (!r)
        r = toe_tcp_setopt(s, TOE_TCP_KEEPCNT, 3);
    check(r == 0, "test_tcp_keepalive_setopt", "%s", toe_error_name(r));
    uint64_t h0[TOE_HSTAT_COUNT], h1[TOE_HSTAT_COUNT];
    size_t got;
    toe_host_stats(dev, h0, TOE_HSTAT_COUNT, &got);
    /* Wait on device time (poll's timeout is host time); the host bound stops a stuck run. */
    uint64_t t0 = dev_now(), t = t0;
    time_t host_end = time(NULL) + T_MS / 1000;
    int ready = 0;
    while (t - t0 < 4500000 && time(NULL) < host_end) {
        struct toe_tcp_pollfd pf = {s, TOE_POLLIN, 0};
        ready = toe_tcp_poll(&pf, 1, 1000);
        if (ready > 0)
            break; /* data, EOF or an error: none should come */
        t = dev_now();
    }
    toe_host_stats(dev, h1, TOE_HSTAT_COUNT, &got);
    struct toe_tcp_info in;
    toe_tcp_sockinfo(s, &in);
    uint64_t probes = h1[TOE_HSTAT_TCP_KEEPALIVES] - h0[TOE_HSTAT_TCP_KEEPALIVES];
    uint64_t drops = h1[TOE_HSTAT_TCP_KEEPALIVE_DROPS] - h0[TOE_HSTAT_TCP_KEEPALIVE_DROPS];
    check(t - t0 >= 4500000 && ready <= 0 && in.state == TOE_TCPS_ESTABLISHED,
          "test_tcp_keepalive_answered_stays_established", "%s after %.3f s device time, poll %d",
          toe_tcp_state_name(in.state), (double)(t - t0) / 1e6, ready);
    check(probes >= 2 && drops == 0, "test_tcp_keepalive_probes_sent", "%llu probes, %llu drops",
          (unsigned long long)probes, (unsigned long long)drops);
    uint8_t b[16];
    size_t n = 0;
    r = toe_tcp_recv(s, b, sizeof(b), &n, 0);
    check(r == TOE_EAGAIN && n == 0, "test_tcp_keepalive_no_error", "%s, %zu bytes",
          toe_error_name(r), n);
    r = toe_tcp_close(s, T_MS);
    check(r == 0, "test_tcp_keepalive_close", "%s", toe_error_name(r));
}

int main(int argc, char **argv)
{
    int i = 1;
    const char *spec = argc > 1 ? argv[i++] : NULL;
    while (i < argc && !strncmp(argv[i], "--", 2)) {
        if (!strcmp(argv[i], "--min-rto") && i + 1 < argc)
            min_rto = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--nodelay"))
            nodelay = 1;
        i++;
    }
    if (!spec || i >= argc) {
        fprintf(stderr, "usage: test_tcp_cosim sim:PATH [--min-rto MS] [--nodelay] SCENARIO ARGS\n");
        return 2;
    }
    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts o = {.errbuf = err};
    int r = toe_open(&dev, spec, &o);
    if (r) {
        printf("FAIL open %s: %s\n", spec, err);
        return 1;
    }
    const char *sc = argv[i++];
    char **a = argv + i;
    int na = argc - i;
    if (!strcmp(sc, "download") && na == 4)
        sc_download(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]));
    else if (!strcmp(sc, "upload") && na == 4)
        sc_upload(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]), 0);
    else if (!strcmp(sc, "reverse") && na == 4)
        sc_upload(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]), 1);
    else if (!strcmp(sc, "echo") && na == 4)
        sc_echo(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]));
    else if (!strcmp(sc, "multi") && na == 5)
        sc_multi(atoi(a[0]), parse_ip(a[1]), (uint16_t)atoi(a[2]), (size_t)atol(a[3]),
                 (uint32_t)atol(a[4]));
    else if (!strcmp(sc, "refused") && na == 2)
        sc_refused(parse_ip(a[0]), (uint16_t)atoi(a[1]));
    else if (!strcmp(sc, "slowread") && na == 5)
        sc_slowread(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]),
                    atoi(a[4]));
    else if (!strcmp(sc, "slowpeer") && na == 5)
        sc_slowpeer(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]),
                    a[4]);
    else if (!strcmp(sc, "reset") && na == 4)
        sc_reset(parse_ip(a[0]), (uint16_t)atoi(a[1]), (size_t)atol(a[2]), (uint32_t)atol(a[3]));
    else if (!strcmp(sc, "serve") && na == 3)
        sc_serve((uint16_t)atoi(a[0]), (size_t)atol(a[1]), (uint32_t)atol(a[2]));
    else if (!strcmp(sc, "keepalive") && na == 2)
        sc_keepalive(parse_ip(a[0]), (uint16_t)atoi(a[1]));
    else {
        fprintf(stderr, "test_tcp_cosim: bad scenario or arguments: %s\n", sc);
        toe_close(dev);
        return 2;
    }
    print_stats();
    toe_close(dev);
    return failures ? 1 : 0;
}
