/* SPDX-License-Identifier: MIT */
/* toe: command-line tool for a toe device: info, stats, ping. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "toe.h"

#define EXIT_USAGE 2
#define CSR_TIMEOUT_MS 2000

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static const char usage_main[] =
    "usage: toe [--device SPEC] COMMAND [ARGS]\n"
    "\n"
    "Talk to a toe TCP offload engine (an FPGA board over USB, or the virtual board).\n"
    "\n"
    "commands:\n"
    "  info     device ID, version, capabilities, link kind and rate, addresses\n"
    "  stats    all device counters and the host's link counters\n"
    "  ping     ICMP echo through the device\n"
    "\n"
    "options:\n"
    "  -d, --device SPEC   device (default: $TOE_DEVICE)\n"
    "  -h, --help          this help; `toe COMMAND --help` for a command\n"
    "\n"
    "device strings:\n"
    "  sim:PATH                           the virtual board's socket (toe-sim --link unix:PATH)\n"
    "  ftdi-fifo:[VID:PID][:SERIAL]       FT245 synchronous FIFO (default 0403:6014)\n"
    "  ftdi-uart:[VID:PID][:IFACE]@BAUD   FTDI UART (default 0403:6010, interface B)\n"
    "  tty:/dev/PATH@BAUD                 serial port\n";

static const char usage_info[] =
    "usage: toe info\n\nPrint the device's ID, version, capabilities (slots, link kind and rate)\n"
    "and its MAC, IP, netmask and gateway.\n";
static const char usage_stats[] =
    "usage: toe stats\n\nPrint every device counter by name, then the host-side counters of the\n"
    "link (bad CRC, bad frames, event gaps, CSR retries, ...).\n";
static const char usage_ping[] =
    "usage: toe ping HOST [-c COUNT] [-s SIZE] [-i INTERVAL] [-W TIMEOUT]\n"
    "\n"
    "Send ICMP echo requests from the host through the device (HOST: numeric IPv4).\n"
    "  -c COUNT     stop after COUNT replies or timeouts (default: until interrupted)\n"
    "  -s SIZE      payload bytes, 0..1472 (default 56)\n"
    "  -i INTERVAL  seconds between requests (default 1)\n"
    "  -W TIMEOUT   seconds to wait for each reply (default 2)\n"
    "Round-trip times are measured on host time, link latency included.\n"
    "Exit status: 0 if any reply came back, 1 if none, 2 on usage errors.\n";

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "toe: ");
    fprintf(stderr, fmt, arg);
    /* Only the synopsis line: the full text is one --help away. */
    const char *nl = strchr(usage, '\n');
    fprintf(stderr, "\n%.*s (see --help)\n", nl ? (int)(nl - usage) : (int)strlen(usage), usage);
    return EXIT_USAGE;
}

static int fail(toe_dev *dev, int err, const char *what)
{
    const char *d = toe_last_error(dev);
    if (d && *d)
        fprintf(stderr, "toe: %s\n", d);
    else
        fprintf(stderr, "toe: %s: %s\n", what, toe_strerror(err));
    return 1;
}

static int open_dev(const char *spec, toe_dev **dev)
{
    if (!spec || !*spec) {
        fprintf(stderr, "toe: no device: use --device SPEC or set TOE_DEVICE "
                        "(e.g. sim:/tmp/toe.sock)\n");
        return EXIT_USAGE;
    }
    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts o = {.errbuf = err, .errbuf_size = sizeof(err)};
    int r = toe_open(dev, spec, &o);
    if (r) {
        fprintf(stderr, "toe: %s\n", err[0] ? err : toe_strerror(r));
        return r == TOE_EINVAL ? EXIT_USAGE : 1;
    }
    return 0;
}

static void ip_str(uint32_t ip, char *b, size_t n)
{
    snprintf(b, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static int mask_len(uint32_t m)
{
    int n = 0;
    while (m & 0x80000000u) {
        n++;
        m <<= 1;
    }
    return m ? -1 : n;
}

static int cmd_info(toe_dev *dev)
{
    struct toe_info in;
    int r = toe_get_info(dev, &in, CSR_TIMEOUT_MS);
    if (r)
        return fail(dev, r, "info");
    char ip[16], gw[16], nm[16];
    ip_str(in.ip, ip, sizeof(ip));
    ip_str(in.gateway, gw, sizeof(gw));
    ip_str(in.netmask, nm, sizeof(nm));
    printf("device    %s\n", toe_device_spec(dev));
    printf("id        0x%08x (%c%c%c%c)\n", in.id, (in.id >> 24) & 255, (in.id >> 16) & 255,
           (in.id >> 8) & 255, in.id & 255);
    printf("version   %u.%u.%u\n", in.version >> 16, (in.version >> 8) & 255, in.version & 255);
    printf("caps      0x%08x: %u slots, link %s\n", in.caps, in.slots,
           toe_link_kind_name(in.link_kind));
    printf("link      %s, %u bytes/s\n", toe_link_kind_name(in.link_kind), in.link_rate);
    printf("mac       %02x:%02x:%02x:%02x:%02x:%02x\n", in.mac[0], in.mac[1], in.mac[2],
           in.mac[3], in.mac[4], in.mac[5]);
    int ml = mask_len(in.netmask);
    if (ml >= 0)
        printf("ip        %s/%d\n", ip, ml);
    else
        printf("ip        %s netmask %s\n", ip, nm);
    printf("gateway   %s\n", gw);
    return 0;
}

static int cmd_stats(toe_dev *dev)
{
    unsigned n = toe_stat_count();
    uint32_t v[256];
    size_t got = 0;
    int r = toe_read_stats(dev, v, n, &got, CSR_TIMEOUT_MS);
    if (r)
        return fail(dev, r, "stats");
    printf("device:\n");
    for (unsigned i = 0; i < n; i++)
        printf("  %-22s %u\n", toe_stat_name(i), v[i]);
    uint64_t h[TOE_HSTAT_COUNT];
    toe_host_stats(dev, h, TOE_HSTAT_COUNT, &got);
    printf("host:\n");
    for (unsigned i = 0; i < got; i++)
        printf("  %-22s %llu\n", toe_host_stat_name(i), (unsigned long long)h[i]);
    return 0;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static void sleep_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
                          .tv_nsec = (long)(fmod(ms, 1000) * 1e6)};
    nanosleep(&ts, NULL);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_ping(const char *spec, int argc, char **argv)
{
    const char *host = NULL;
    double count = 0, size = 56, interval = 1, wait = 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        double *dst = NULL, lo = 0, hi = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_ping, stdout);
            return 0;
        }
        if (!strcmp(a, "-c")) dst = &count, lo = 1, hi = 1e9;
        else if (!strcmp(a, "-s")) dst = &size, lo = 0, hi = 1472;
        else if (!strcmp(a, "-i")) dst = &interval, lo = 0, hi = 3600;
        else if (!strcmp(a, "-W")) dst = &wait, lo = 0.001, hi = 3600;
        else if (a[0] == '-')
            return usage_error(usage_ping, "ping: unknown option '%s'", a);
        else if (host)
            return usage_error(usage_ping, "ping: extra argument '%s'", a);
        else {
            host = a;
            continue;
        }
        if (i + 1 >= argc || parse_num(argv[i + 1], lo, hi, dst))
            return usage_error(usage_ping, "ping: bad or missing value for %s", a);
        if ((dst == &count || dst == &size) && *dst != (double)(long)*dst)
            return usage_error(usage_ping, "ping: %s needs a whole number", a);
        i++;
    }
    if (!host)
        return usage_error(usage_ping, "ping: missing HOST%s", "");
    struct in_addr ia;
    if (inet_pton(AF_INET, host, &ia) != 1)
        return usage_error(usage_ping, "ping: bad address '%s' (numeric IPv4 only for now)",
                           host);
    uint32_t ip = ntohl(ia.s_addr);
    toe_dev *dev;
    int r = open_dev(spec, &dev);
    if (r)
        return r;
    struct toe_info in;
    if ((r = toe_get_info(dev, &in, CSR_TIMEOUT_MS))) {
        r = fail(dev, r, "ping");
        toe_close(dev);
        return r;
    }
    char me[16];
    ip_str(in.ip, me, sizeof(me));
    signal(SIGINT, on_sigint);
    printf("PING %s (%s) %d(%d) bytes of data.\n", host, host, (int)size, (int)size + 28);
    fflush(stdout);
    unsigned long sent = 0, recv = 0;
    double tmin = 1e300, tmax = 0, tsum = 0, tsum2 = 0, start = now_ms();
    int status = 0;
    for (unsigned long seq = 1; !interrupted && (count == 0 || seq <= (unsigned long)count);
         seq++) {
        double t_start = now_ms();
        uint32_t rtt;
        unsigned ttl = 0;
        sent++;
        r = toe_ping_seq(dev, ip, (uint16_t)seq, (size_t)size, (int)(wait * 1000), &rtt, &ttl);
        if (!r) {
            double ms = rtt / 1000.0;
            recv++;
            tsum += ms;
            tsum2 += ms * ms;
            if (ms < tmin) tmin = ms;
            if (ms > tmax) tmax = ms;
            printf("%d bytes from %s: icmp_seq=%lu ttl=%u time=%.3f ms\n", (int)size + 8, host,
                   seq, ttl, ms);
        } else if (r == TOE_EUNREACH) {
            printf("From %s icmp_seq=%lu Destination Host Unreachable\n", me, seq);
        } else if (r != TOE_ETIMEDOUT) {
            status = fail(dev, r, "ping");
            break;
        }
        fflush(stdout);
        if (count && seq >= (unsigned long)count)
            break;
        double left = interval * 1000 - (now_ms() - t_start);
        if (!interrupted)
            sleep_ms(left);
    }
    printf("\n--- %s ping statistics ---\n", host);
    printf("%lu packets transmitted, %lu received, %.0f%% packet loss, time %.0fms\n", sent,
           recv, sent ? 100.0 * (double)(sent - recv) / (double)sent : 0.0, now_ms() - start);
    if (recv) {
        double avg = tsum / (double)recv;
        double var = tsum2 / (double)recv - avg * avg;
        printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", tmin, avg, tmax,
               var > 0 ? sqrt(var) : 0.0);
    }
    toe_close(dev);
    if (status)
        return status;
    return recv ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *spec = getenv("TOE_DEVICE");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_main, stdout);
            return 0;
        }
        if (!strcmp(a, "-d") || !strcmp(a, "--device")) {
            if (i + 1 >= argc)
                return usage_error(usage_main, "%s needs a device string", a);
            spec = argv[++i];
        } else if (!strncmp(a, "--device=", 9)) {
            spec = a + 9;
        } else {
            return usage_error(usage_main, "unknown option '%s'", a);
        }
    }
    if (i >= argc)
        return usage_error(usage_main, "missing command%s", "");
    const char *cmd = argv[i++];
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    const char *usage = !strcmp(cmd, "info")    ? usage_info
                        : !strcmp(cmd, "stats") ? usage_stats
                        : !strcmp(cmd, "ping")  ? usage_ping
                                                : NULL;
    if (!usage)
        return usage_error(usage_main, "unknown command '%s'", cmd);
    if (!strcmp(cmd, "ping"))
        return cmd_ping(spec, sub_argc, sub_argv);
    for (int k = 0; k < sub_argc; k++) {
        if (!strcmp(sub_argv[k], "-h") || !strcmp(sub_argv[k], "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        return usage_error(usage, "unexpected argument '%s'", sub_argv[k]);
    }
    toe_dev *dev;
    int r = open_dev(spec, &dev);
    if (r)
        return r;
    r = !strcmp(cmd, "info") ? cmd_info(dev) : cmd_stats(dev);
    toe_close(dev);
    return r;
}
