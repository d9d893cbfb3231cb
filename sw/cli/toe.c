/* SPDX-License-Identifier: MIT */
/* toe: command-line tool for a toe device: info, stats, ping, get, netstat, run, iperf. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "toe.h"
#include "toe_http.h"
#include "toed.h"

/* Exit status, the same for every command (docs/man/toe.1, EXIT STATUS); toe get adds 1 and
 * 3 to 5 (GET_EXIT_*). */
#define EXIT_FAIL 1   /* the command ran and failed: ping got no reply */
#define EXIT_USAGE 2  /* bad arguments, no or malformed device string */
#define EXIT_DEVICE 6 /* the device cannot be opened, does not answer, or went away */
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
    "  get      fetch http:// URLs through the device (HTTP/1.1 GET)\n"
    "  netstat  the device's open TCP connection slots\n"
    "  run      run a program with its TCP through the device (libtoe-preload.so)\n"
    "  iperf    TCP throughput of the engine itself: the device generates or discards the data\n"
    "\n"
    "options:\n"
    "  -d, --device SPEC   device (default: $TOE_DEVICE)\n"
    "  -h, --help          this help; `toe COMMAND --help` for a command\n"
    "  --version           print the version and exit\n"
    "\n"
    "device strings:\n"
    "  sim:PATH                           the virtual board's socket (toe-sim --link unix:PATH)\n"
    "  ftdi-fifo:[VID:PID][:SERIAL]       FT245 synchronous FIFO (default 0403:6014)\n"
    "  ftdi-uart:[VID:PID][:IFACE]@BAUD   FTDI UART (default 0403:6010, interface B)\n"
    "  tty:/dev/PATH@BAUD                 serial port\n"
    "  toed:[PATH]                        through the daemon toed(8) on PATH (default\n"
    "                                     $TOE_DAEMON, else " TOED_DEFAULT_SOCKET "): info, stats,\n"
    "                                     netstat and get while other programs use the device\n"
    "With neither --device nor $TOE_DEVICE, $TOE_DAEMON set means toed:$TOE_DAEMON.\n"
    "\n"
    "exit status: 0 ok; 1 the command failed (ping: no reply); 2 usage; 6 the device cannot\n"
    "be opened, does not answer or went away; get also 3 to 5 (toe get --help).\n";

static const char usage_info[] =
    "usage: toe info\n\nPrint the device's ID, version, capabilities (slots, link kind and rate)\n"
    "and its MAC, IP, netmask and gateway.\n";
static const char usage_stats[] =
    "usage: toe stats\n\nPrint every device counter by name, then the host-side counters of the\n"
    "link (bad CRC, bad frames, event gaps, CSR retries, ...).\n";
static const char usage_netstat[] =
    "usage: toe netstat\n\nPrint the device's open TCP connection slots: slot, state (from the slot\n"
    "flags), local and remote address, bytes in flight and queued, windows, cwnd/ssthresh,\n"
    "retransmissions, peer MSS and window scales. Read-only: it changes nothing. Connections in\n"
    "TIME-WAIT hold no slot (the process that closed them answers for them) and are not listed.\n";
static const char usage_ping[] =
    "usage: toe ping HOST [-c COUNT] [-s SIZE] [-i INTERVAL] [-W TIMEOUT]\n"
    "\n"
    "Send ICMP echo requests from the host through the device (HOST: numeric IPv4).\n"
    "  -c COUNT     stop after COUNT replies or timeouts (default: until interrupted)\n"
    "  -s SIZE      payload bytes, 0..1472 (default 56)\n"
    "  -i INTERVAL  seconds between requests (default 1)\n"
    "  -W TIMEOUT   seconds of device time to wait for each reply (default 2)\n"
    "Round-trip times are measured on host time, link latency included.\n"
    "Exit status: 0 if any reply came back, 1 if none, 2 on usage errors, 6 device (cannot\n"
    "open it, no answer, went away).\n";

static const char usage_run[] =
    "usage: toe run [--route ROUTES] [--dns SERVER] CMD [ARGS...]\n"
    "\n"
    "Run CMD, unmodified, with its IPv4 TCP through the device: LD_PRELOAD=libtoe-preload.so,\n"
    "each connection one of the daemon toed(8)'s. The device: toed:PATH uses that daemon; any\n"
    "other device string uses the daemon already serving it on /tmp/toed-run-UID-HASH.sock or\n"
    "starts one there (it stays for the next run; stop it with kill); none uses\n"
    "$TOE_DAEMON or " TOED_DEFAULT_SOCKET ".\n"
    "  --route ROUTES   what goes through the board (TOE_PRELOAD_ROUTE): all (default: every\n"
    "                   IPv4 destination but loopback), none, or a comma list of\n"
    "                   CIDR[:PORT[-PORT]] and :PORT[-PORT]; the rest stays on the kernel\n"
    "  --dns SERVER     host names (getaddrinfo) through the device's DNS: SERVER an IPv4\n"
    "                   address, or device for the daemon's default (TOE_PRELOAD_DNS);\n"
    "                   without it the host resolves names\n"
    "UDP, IPv6 and raw sockets are not intercepted (docs/PRELOAD.md).\n"
    "Exit status: CMD's; 6 no daemon answers and none could be started; 127 CMD not found.\n";

static const char usage_iperf[] =
    "usage: toe iperf HOST PORT [-n BYTES | -t SECONDS] [-R] [-w SECONDS]\n"
    "\n"
    "Connect to HOST:PORT and measure what the TCP engine does on its own: the device's traffic\n"
    "source generates the data it sends (the byte at stream offset o is the low 8 bits of\n"
    "o ^ o>>8 ^ o>>16 ^ o>>24, for the receiver to check), or with -R its traffic sink takes\n"
    "what the peer sends (any data; nothing crosses the host link). Durations are device time:\n"
    "from the start to the acknowledgement of the last byte sent, or to the last byte received.\n"
    "Prints the bytes, the duration, Mb/s, the ratio to the wire's payload limit at 1 Gb/s\n"
    "(1000 * MSS / (MSS + 78) Mb/s: Ethernet, IPv4 and TCP headers, FCS, preamble and gap),\n"
    "then the device counters of the transfer.\n"
    "\n"
    "  -n BYTES     send (or with -R wait for) BYTES (K, M, G: 2^10, 2^20, 2^30; at most 4G-1;\n"
    "               default 10M)\n"
    "  -t SECONDS   send (or take) for SECONDS of device time instead\n"
    "  -R           reverse: the peer sends, the device's sink takes it; ends at BYTES, at\n"
    "               SECONDS or when the peer closes\n"
    "  -w SECONDS   give up after SECONDS of device time (default 30, added to -t)\n"
    "A device built without the unit (CAPS bit CAPS_TRAFFIC clear: TRAFFIC=0) is refused before\n"
    "connecting.\n"
    "Exit status: 0 done; 1 the device has no traffic unit, the connection failed, timed out or\n"
    "the device refused the unit's data; 2 usage; 6 device.\n";

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
    return EXIT_DEVICE;
}

/* A daemon device string ("toed:[PATH]"): the socket path (maybe ""), else NULL. */
static const char *daemon_path(const char *spec)
{
    return spec && !strncmp(spec, "toed:", 5) ? spec + 5 : NULL;
}

static int daemon_fail(const char *path, int err, const char *what)
{
    if (err == TOE_ENODEV)
        fprintf(stderr, "toe: %s: no daemon answers on %s\n", what, toed_socket_path(path));
    else
        fprintf(stderr, "toe: %s: %s\n", what, toe_strerror(err));
    return 1;
}

static int open_dev(const char *spec, toe_dev **dev)
{
    if (daemon_path(spec)) {
        fprintf(stderr, "toe: this command needs the device itself, not the daemon (%s)\n",
                spec);
        return EXIT_USAGE;
    }
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
        return r == TOE_EINVAL ? EXIT_USAGE : EXIT_DEVICE;
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

static void print_netstat(const struct toe_tcp_info *in, size_t n)
{
    printf("%-4s %-11s %-21s %-21s %8s %8s %8s %8s %8s %8s %6s %5s %s\n", "slot", "state",
           "local", "remote", "inflight", "queued", "snd_wnd", "rcv_wnd", "cwnd", "ssthresh",
           "rexmit", "mss", "wscale");
    for (size_t i = 0; i < n; i++) {
        char l[24], rm[24], a[16];
        ip_str(in[i].local_ip, a, sizeof(a));
        snprintf(l, sizeof(l), "%s:%u", a, in[i].local_port);
        ip_str(in[i].remote_ip, a, sizeof(a));
        snprintf(rm, sizeof(rm), "%s:%u", a, in[i].remote_port);
        printf("%-4d %-11s %-21s %-21s %8u %8u %8u %8u %8u %8u %6u %5u %u/%u\n", in[i].slot,
               toe_tcp_state_name(in[i].state), l, rm, in[i].snd_nxt - in[i].snd_una,
               in[i].tx_end - in[i].snd_nxt, in[i].snd_wnd, in[i].rcv_wnd, in[i].cwnd,
               in[i].ssthresh, in[i].retransmits, in[i].mss, in[i].snd_wscale, in[i].rcv_wscale);
    }
    if (!n)
        printf("(no open connection slots)\n");
}

static int cmd_netstat(const char *spec, toe_dev *dev)
{
    struct toe_tcp_info in[64];
    size_t n = 0;
    const char *dp = daemon_path(spec);
    int r = dp ? toed_netstat(dp, in, 64, &n) : toe_tcp_netstat(dev, in, 64, &n);
    if (r)
        return dp ? daemon_fail(dp, r, "netstat") : fail(dev, r, "netstat");
    print_netstat(in, n);
    return 0;
}

static int cmd_info(const char *spec, toe_dev *dev)
{
    struct toe_info in;
    char dspec[256] = "";
    const char *dp = daemon_path(spec);
    int r = dp ? toed_info(dp, &in, dspec, sizeof(dspec)) : toe_get_info(dev, &in, CSR_TIMEOUT_MS);
    if (r)
        return dp ? daemon_fail(dp, r, "info") : fail(dev, r, "info");
    char ip[16], gw[16], nm[16];
    ip_str(in.ip, ip, sizeof(ip));
    ip_str(in.gateway, gw, sizeof(gw));
    ip_str(in.netmask, nm, sizeof(nm));
    if (dp)
        printf("device    %s (through toed on %s)\n", dspec, toed_socket_path(dp));
    else
        printf("device    %s\n", toe_device_spec(dev));
    printf("id        0x%08x (%c%c%c%c)\n", in.id, (in.id >> 24) & 255, (in.id >> 16) & 255,
           (in.id >> 8) & 255, in.id & 255);
    printf("version   %u.%u.%u\n", in.version >> 16, (in.version >> 8) & 255, in.version & 255);
    printf("caps      0x%08x: %u slots, link %s%s\n", in.caps, in.slots,
           toe_link_kind_name(in.link_kind),
           in.caps & TOE_CONST_CAPS_TRAFFIC ? ", traffic unit" : "");
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

/* "SECTION NAME VALUE" lines from the daemon, printed as toe stats prints its own. */
static void stats_line(void *user, const char *line)
{
    char *last = user, sec[16], name[64], val[32];
    if (sscanf(line, "%15s %63s %31s", sec, name, val) != 3)
        return;
    if (strcmp(sec, last)) {
        printf("%s:\n", sec);
        snprintf(last, 16, "%s", sec);
    }
    printf("  %-22s %s\n", name, val);
}

static int cmd_stats(const char *spec, toe_dev *dev)
{
    const char *dp = daemon_path(spec);
    if (dp) {
        char last[16] = "";
        int c;
        int r = toed_open(dp, &c);
        if (!r) {
            r = toed_request(c, "STATS", stats_line, last, NULL, NULL, 0);
            close(c);
        }
        return r ? daemon_fail(dp, r, "stats") : 0;
    }
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
    return recv ? 0 : EXIT_FAIL;
}

/* ---- toe iperf: the on-chip traffic source and sink (toe_tcp_traffic) ------------------- */

/* BYTES with an optional K, M or G (powers of 2^10); 0 on success. */
static int parse_bytes(const char *s, uint32_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    if (*end || errno || end == s || v == 0 || v > (UINT32_MAX >> shift))
        return -1;
    *out = (uint32_t)(v << shift);
    return 0;
}

static void iperf_counters(toe_dev *dev, const uint32_t *before)
{
    static const unsigned idx[] = {TOE_STAT_TRAFFIC_SRC_KIB, TOE_STAT_TRAFFIC_SNK_KIB,
                                   TOE_STAT_TRAFFIC_BAD,     TOE_STAT_TCP_TX_SEGS,
                                   TOE_STAT_TCP_RX_SEGS,     TOE_STAT_TCP_TX_REXMIT,
                                   TOE_STAT_TCP_DUPACKS,     TOE_STAT_TCP_RX_DROP,
                                   TOE_STAT_TCP_RX_OOO};
    uint32_t v[256];
    size_t got = 0;
    if (toe_read_stats(dev, v, toe_stat_count(), &got, CSR_TIMEOUT_MS) || got < toe_stat_count()) {
        fprintf(stderr, "toe: iperf: reading the device counters: %s\n", toe_last_error(dev));
        return;
    }
    printf("device counters (this run):");
    for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
        printf(" %s %u", toe_stat_name(idx[i]), v[idx[i]] - before[idx[i]]);
    printf("\n");
}

static int cmd_iperf(const char *spec, int argc, char **argv)
{
    const char *host = NULL, *port_arg = NULL;
    uint32_t bytes = 10u << 20;
    double secs = 0, wait = 30;
    int reverse = 0, have_n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_iperf, stdout);
            return 0;
        }
        if (!strcmp(a, "-R")) {
            reverse = 1;
        } else if (!strcmp(a, "-n")) {
            if (i + 1 >= argc || parse_bytes(argv[i + 1], &bytes))
                return usage_error(usage_iperf, "iperf: -n needs BYTES from 1 to 4G-1, got '%s'",
                                   i + 1 < argc ? argv[i + 1] : "");
            have_n = 1;
            i++;
        } else if (!strcmp(a, "-t") || !strcmp(a, "-w")) {
            double *dst = a[1] == 't' ? &secs : &wait;
            if (i + 1 >= argc || parse_num(argv[i + 1], 0.001, 86400, dst))
                return usage_error(usage_iperf, "iperf: bad or missing value for %s "
                                   "(seconds, 0.001 to 86400)", a);
            i++;
        } else if (a[0] == '-') {
            return usage_error(usage_iperf, "iperf: unknown option '%s'", a);
        } else if (!host) {
            host = a;
        } else if (!port_arg) {
            port_arg = a;
        } else {
            return usage_error(usage_iperf, "iperf: extra argument '%s'", a);
        }
    }
    if (have_n && secs > 0)
        return usage_error(usage_iperf, "iperf: -n and -t exclude each other%s", "");
    if (!host || !port_arg)
        return usage_error(usage_iperf, "iperf: missing %s", host ? "PORT" : "HOST");
    struct in_addr ia;
    if (inet_pton(AF_INET, host, &ia) != 1)
        return usage_error(usage_iperf, "iperf: bad address '%s' (numeric IPv4)", host);
    double port;
    if (parse_num(port_arg, 1, 65535, &port) || port != (double)(long)port)
        return usage_error(usage_iperf, "iperf: bad port '%s' (1 to 65535)", port_arg);
    toe_dev *dev;
    int r = open_dev(spec, &dev);
    if (r)
        return r;
    signal(SIGINT, on_sigint);
    int status = EXIT_FAIL;
    toe_sock *s = NULL;
    uint32_t before[256];
    size_t got = 0;
    if ((r = toe_read_stats(dev, before, toe_stat_count(), &got, CSR_TIMEOUT_MS))) {
        status = fail(dev, r, "iperf");
        goto out;
    }
    /* before the connection: a device without the unit cannot run the test at all */
    struct toe_info in;
    if ((r = toe_get_info(dev, &in, CSR_TIMEOUT_MS))) {
        status = fail(dev, r, "iperf");
        goto out;
    }
    if (!(in.caps & TOE_CONST_CAPS_TRAFFIC)) {
        fprintf(stderr, "toe: iperf: the device has no traffic source and sink (CAPS 0x%08x: "
                        "built with TRAFFIC=0)\n", in.caps);
        goto out;
    }
    if ((r = toe_tcp_socket(dev, &s)) ||
        (r = toe_tcp_connect(s, ntohl(ia.s_addr), (uint16_t)port, (int)(wait * 1000)))) {
        fprintf(stderr, "toe: iperf: connect to %s:%s: %s\n", host, port_arg, toe_strerror(r));
        goto out;
    }
    /* Nagle would hold the source's last short segment back for the peer's delayed ACK */
    toe_tcp_setopt(s, TOE_TCP_NODELAY, 1);
    struct toe_tcp_info si;
    toe_tcp_sockinfo(s, &si);
    unsigned mss = si.mss && si.mss < 1460 ? si.mss : 1460;
    double wire = 1000.0 * mss / (mss + 78);
    int mode = reverse ? TOE_TRAFFIC_SINK : TOE_TRAFFIC_SOURCE;
    char what[64];
    if (secs > 0)
        snprintf(what, sizeof(what), "%.3f s of device time", secs);
    else if (reverse && !have_n)
        snprintf(what, sizeof(what), "until the peer closes");
    else
        snprintf(what, sizeof(what), "%u bytes", bytes);
    printf("toe iperf: %s %s:%s, %s, MSS %u (wire limit %.1f Mb/s)\n",
           reverse ? "sink from" : "source to", host, port_arg, what, mss, wire);
    fflush(stdout);
    if ((r = toe_tcp_traffic(s, mode, secs > 0 || reverse ? 0 : bytes))) {
        fprintf(stderr, "toe: iperf: %s\n", toe_last_error(dev)[0] ? toe_last_error(dev)
                                                                   : toe_strerror(r));
        goto out;
    }
    struct toe_traffic_info ti;
    /* A sink's progress: SLOT events do not come for received data alone (only the peer's
     * FIN brings one), so it is the unit's count and the device time of each poll. */
    uint64_t now = 0, host_bytes = 0, poll_bytes = 0, poll_us = 0;
    int peer_done = 0;
    int running = 1, ok = 0;
    char buf[4096];
    for (;;) {
        struct toe_tcp_pollfd pfd = {.sock = s, .events = 0};
        r = toe_tcp_poll(&pfd, 1, 10); /* turns the engine for 10 ms */
        if (r < 0 && r != TOE_ETIMEDOUT && r != TOE_EINTR)
            break;
        size_t n;
        while (reverse && toe_tcp_recv(s, buf, sizeof(buf), &n, 0) == 0 && n)
            host_bytes += n; /* what came up before the sink took over */
        if ((r = toe_tcp_traffic_info(s, &ti)) || (r = toe_time(dev, &now, CSR_TIMEOUT_MS)))
            break;
        toe_tcp_sockinfo(s, &si);
        if (running) {
            poll_bytes = ti.bytes;
            poll_us = now;
        }
        peer_done = si.state != TOE_TCPS_ESTABLISHED && si.state != TOE_TCPS_FIN_WAIT_1 &&
                        si.state != TOE_TCPS_FIN_WAIT_2;
        int timed = secs > 0 && now >= ti.start_us + (uint64_t)(secs * 1e6);
        if (running && (timed || interrupted || (reverse && peer_done) ||
                        (!reverse && ti.mode == TOE_TRAFFIC_OFF))) {
            if (!reverse && ti.mode == TOE_TRAFFIC_OFF && !timed && !interrupted &&
                ti.bytes < bytes && secs <= 0) {
                fprintf(stderr, "toe: iperf: the device stopped the source after %llu bytes "
                                "(counter traffic_bad)\n", (unsigned long long)ti.bytes);
                break;
            }
            if (reverse)
                ok = 1; /* what was received up to now is the result */
            if ((r = toe_tcp_traffic(s, TOE_TRAFFIC_OFF, 0)) || (r = toe_tcp_traffic_info(s, &ti)))
                break;
            running = 0;
        }
        if (reverse && have_n && ti.bytes + host_bytes >= bytes)
            ok = 1;
        if (!reverse && ti.done >= (running ? (secs > 0 ? UINT64_MAX : bytes) : ti.bytes))
            ok = 1;
        if (ok || interrupted)
            break;
        if (now >= ti.start_us + (uint64_t)((secs + wait) * 1e6)) {
            fprintf(stderr, "toe: iperf: no end after %.3f s of device time (%llu of %llu bytes "
                            "%s)\n", secs + wait, (unsigned long long)ti.done,
                    (unsigned long long)(reverse ? bytes : ti.bytes),
                    reverse ? "received" : "acknowledged");
            break;
        }
    }
    if (r && r != TOE_EINTR) {
        fprintf(stderr, "toe: iperf: %s\n", toe_last_error(dev)[0] ? toe_last_error(dev)
                                                                   : toe_strerror(r));
        goto out;
    }
    if (running && toe_tcp_traffic(s, TOE_TRAFFIC_OFF, 0) == 0)
        toe_tcp_traffic_info(s, &ti);
    if (ok) {
        /* the acknowledgement of the last byte sent, the peer's FIN, or the last poll */
        uint64_t got = ti.done, end = ti.done_us;
        if (reverse && !peer_done)
            got = poll_bytes, end = poll_us;
        double us = (double)(end - ti.start_us);
        double mbps = us > 0 ? got * 8.0 / us : 0;
        printf("%llu bytes in %.6f s of device time: %.1f Mb/s, %.3f of the wire's %.1f Mb/s\n",
               (unsigned long long)got, us / 1e6, mbps, mbps / wire, wire);
        printf("device %s %llu bytes%s", reverse ? "sink took" : "source generated",
               (unsigned long long)ti.bytes, reverse ? "" : "\n");
        if (reverse)
            printf(", %llu came up to the host before it started\n",
                   (unsigned long long)host_bytes);
        iperf_counters(dev, before);
        status = 0;
    }
    if (!reverse || si.state == TOE_TCPS_CLOSE_WAIT)
        r = toe_tcp_close(s, (int)(wait * 1000));
    else
        toe_tcp_abort(s); /* the peer still sends */
    s = NULL;
out:
    if (s)
        toe_tcp_abort(s);
    toe_close(dev);
    return status;
}

/* ---- toe get: HTTP GET through the device (toe_http.h) ---------------------------------- */

/* Exit status of `toe get` (documented in usage_get and docs/man/toe.1), besides EXIT_USAGE
 * and EXIT_DEVICE. */
#define GET_EXIT_LOCAL 1    /* output file, interrupted */
#define GET_EXIT_NETWORK 3  /* name resolution, connect, timeout, connection lost mid-body */
#define GET_EXIT_HTTP 4     /* the server answered with a status other than 2xx */
#define GET_EXIT_PROTOCOL 5 /* malformed or oversized response, bad or too many redirects */

static const char usage_get[] =
    "usage: toe get URL... [-o FILE] [-d DEVICE] [--timeout S] [--max-redirects N] [--dns IP] "
    "[-q]\n"
    "\n"
    "Fetch http:// URLs through the device's TCP offload (HTTP/1.1 GET) and write the bodies,\n"
    "one after another, to stdout or FILE. Several URLs on one host and port share one\n"
    "connection (keep-alive). https is not supported (toe has no TLS).\n"
    "  -o, --output FILE     write to FILE (created only when everything succeeded; '-' is\n"
    "                        stdout)\n"
    "  -d, --device SPEC     device (default: $TOE_DEVICE)\n"
    "  --timeout S           seconds of device time to wait for each step (DNS, connect, each\n"
    "                        read; default 30); a slow transfer that keeps moving is not cut\n"
    "  --max-redirects N     redirects to follow (default 5; 0: none, a 3xx is the answer)\n"
    "  --dns IP              DNS server for host names (default: $TOE_DNS, else 10.0.2.3 when\n"
    "                        the device is on slirp's 10.0.2.0/24, else its gateway)\n"
    "  -q, --quiet           no progress bar (shown only when stderr is a terminal)\n"
    "Exit status: 0 every URL fetched with a 2xx status; 1 local error (output file,\n"
    "interrupted); 2 usage or bad URL (https included); 3 network (DNS, connect, timeout,\n"
    "connection closed mid-body); 4 HTTP status other than 2xx (e.g. 404; nothing is\n"
    "written for it); 5 malformed or oversized response, bad or too many redirects;\n"
    "6 device (cannot open it or it went away). The first failure stops the run.\n";

static char get_tmp_path[4096]; /* the partial output file, removed on a signal */

static void get_on_signal(int sig)
{
    if (get_tmp_path[0])
        unlink(get_tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

struct get_out {
    FILE *f;
    const char *name;         /* for messages */
    int wr_errno;             /* a failed write */
    int skip;                 /* the status is not 2xx: the body is not written */
    int progress;             /* draw a progress bar on stderr */
    int64_t total;            /* Content-Length, -1 unknown */
    uint64_t done;
    double t0, last_draw;
    int drawn;
};

static void human_bytes(double b, char *s, size_t n)
{
    static const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (b >= 1024 && i < 4)
        b /= 1024, i++;
    snprintf(s, n, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

static void get_draw(struct get_out *o, int final)
{
    double now = now_ms();
    if (!final && now - o->last_draw < 100)
        return;
    o->last_draw = now;
    double secs = (now - o->t0) / 1000;
    double rate = secs > 0 ? (double)o->done / secs : 0;
    char done[32], tot[32], rs[32], eta[32] = "";
    human_bytes((double)o->done, done, sizeof(done));
    human_bytes(rate, rs, sizeof(rs));
    if (o->total >= 0) {
        human_bytes((double)o->total, tot, sizeof(tot));
        int pct = o->total ? (int)(100.0 * (double)o->done / (double)o->total) : 100;
        char bar[21];
        int fillw = pct / 5;
        for (int i = 0; i < 20; i++)
            bar[i] = i < fillw ? '#' : '.';
        bar[20] = 0;
        if (rate > 0 && !final) {
            double left = (double)(o->total - (int64_t)o->done) / rate;
            snprintf(eta, sizeof(eta), " ETA %d:%02d", (int)left / 60, (int)left % 60);
        }
        fprintf(stderr, "\r[%s] %3d%% %s / %s  %s/s%s\033[K", bar, pct, done, tot, rs, eta);
    } else {
        fprintf(stderr, "\r%s  %s/s\033[K", done, rs);
    }
    if (final)
        fputc('\n', stderr);
    o->drawn = 1;
}

static int get_head(void *user, const struct toe_http_response *r)
{
    struct get_out *o = user;
    o->skip = r->status < 200 || r->status > 299;
    o->total = r->content_length;
    o->done = 0;
    o->t0 = o->last_draw = now_ms();
    o->drawn = 0;
    return 0;
}

static int get_body(void *user, const struct toe_http_response *r, const void *data, size_t len)
{
    (void)r;
    struct get_out *o = user;
    if (o->skip)
        return 0;
    if (fwrite(data, 1, len, o->f) != len) {
        o->wr_errno = errno ? errno : EIO;
        return TOE_EIO;
    }
    o->done += len;
    if (o->progress)
        get_draw(o, 0);
    return 0;
}

static int get_fail_exit(const toe_http *h, int rc)
{
    if (rc == TOE_ENODEV)
        return EXIT_DEVICE;
    switch (toe_http_last_fail(h)) {
    case TOE_HTTP_FAIL_URL:
        return EXIT_USAGE;
    case TOE_HTTP_FAIL_RESOLVE:
    case TOE_HTTP_FAIL_CONNECT:
    case TOE_HTTP_FAIL_NETWORK:
        return GET_EXIT_NETWORK;
    case TOE_HTTP_FAIL_PROTOCOL:
        return GET_EXIT_PROTOCOL;
    default:
        return GET_EXIT_LOCAL;
    }
}

static int cmd_get(const char *spec, int argc, char **argv)
{
    const char *out_name = NULL, *dns_arg = getenv("TOE_DNS");
    double timeout_s = 30, redirects = 5;
    int quiet = 0, nurls = 0;
    char **urls = calloc((size_t)argc + 1, sizeof(*urls));
    if (!urls)
        return GET_EXIT_LOCAL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_get, stdout);
            free(urls);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (a[0] != '-' || !strcmp(a, "-")) {
            urls[nurls++] = argv[i];
            continue;
        }
        int bad = !val;
        if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out_name = val;
        else if (!strcmp(a, "-d") || !strcmp(a, "--device"))
            spec = val;
        else if (!strcmp(a, "--dns"))
            dns_arg = val;
        else if (!strcmp(a, "--timeout"))
            bad = bad || parse_num(val, 0.001, 86400, &timeout_s);
        else if (!strcmp(a, "--max-redirects"))
            bad = bad || parse_num(val, 0, 100, &redirects) || redirects != (int)redirects;
        else {
            free(urls);
            return usage_error(usage_get, "get: unknown option '%s'", a);
        }
        if (bad) {
            free(urls);
            return usage_error(usage_get, "get: bad or missing value for %s", a);
        }
        i++;
    }
    if (!nurls) {
        free(urls);
        return usage_error(usage_get, "get: missing URL%s", "");
    }
    /* Every URL is checked before anything is opened or written. */
    struct toe_http_url *pu = calloc((size_t)nurls, sizeof(*pu));
    if (!pu) {
        free(urls);
        return GET_EXIT_LOCAL;
    }
    for (int i = 0; i < nurls; i++) {
        char err[200];
        if (toe_http_parse_url(urls[i], &pu[i], err, sizeof(err))) {
            fprintf(stderr, "toe: get %s: %s\n", urls[i], err);
            free(pu);
            free(urls);
            return EXIT_USAGE;
        }
    }
    uint32_t dns = 0;
    struct in_addr ia;
    if (dns_arg && *dns_arg) {
        if (inet_pton(AF_INET, dns_arg, &ia) != 1) {
            free(pu);
            free(urls);
            return usage_error(usage_get, "get: bad DNS server address '%s'", dns_arg);
        }
        dns = ntohl(ia.s_addr);
    }

    toe_dev *dev = NULL;
    toe_http *h = NULL;
    const char *dp = daemon_path(spec);
    int status = 0, r = dp ? 0 : open_dev(spec, &dev);
    if (r) {
        free(pu);
        free(urls);
        return r;
    }
    struct toe_http_io dio;
    if (dp && (r = toed_http_io(&dio, dp))) {
        status = GET_EXIT_LOCAL;
        goto out;
    }
    if (!dns && !dp) {
        struct toe_info in;
        if ((r = toe_get_info(dev, &in, CSR_TIMEOUT_MS))) {
            status = fail(dev, r, "get");
            goto out;
        }
        dns = (in.ip & 0xffffff00u) == 0x0a000200u ? 0x0a000203u : in.gateway;
    }
    struct toe_http_opts ho = {.timeout_ms = (int)(timeout_s * 1000),
                               .max_redirects = redirects == 0 ? -1 : (int)redirects};
    if ((r = dp ? toe_http_new(&h, &dio, &ho) : toe_http_new_dev(&h, dev, dns, &ho))) {
        status = fail(dev, r, "get");
        goto out;
    }

    struct get_out o = {.f = stdout, .name = "stdout",
                        .progress = !quiet && isatty(STDERR_FILENO)};
    int to_file = out_name && strcmp(out_name, "-");
    if (to_file) {
        int n = snprintf(get_tmp_path, sizeof(get_tmp_path), "%s.toe-XXXXXX", out_name);
        int fd = n > 0 && (size_t)n < sizeof(get_tmp_path) ? mkstemp(get_tmp_path) : -1;
        if (fd < 0) {
            fprintf(stderr, "toe: get: cannot create %s: %s\n", out_name, strerror(errno));
            get_tmp_path[0] = 0;
            status = GET_EXIT_LOCAL;
            goto out;
        }
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0666 & ~um);
        o.f = fdopen(fd, "wb");
        o.name = out_name;
        signal(SIGINT, get_on_signal);
        signal(SIGTERM, get_on_signal);
        signal(SIGHUP, get_on_signal);
    }
    signal(SIGPIPE, SIG_IGN);
    struct toe_http_handler hd = {&o, get_head, get_body};
    for (int i = 0; i < nurls && !status; i++) {
        /* The last URL to a host and port says so: the server may close at once. */
        unsigned flags = TOE_HTTP_CLOSE;
        if (i + 1 < nurls && pu[i + 1].port == pu[i].port && !strcmp(pu[i + 1].host, pu[i].host))
            flags = 0;
        struct toe_http_response resp;
        r = toe_http_get(h, urls[i], flags, &hd, &resp);
        if (o.progress && o.drawn)
            get_draw(&o, 1);
        if (r) {
            if (o.wr_errno)
                fprintf(stderr, "toe: get %s: cannot write %s: %s\n", urls[i], o.name,
                        strerror(o.wr_errno));
            else
                fprintf(stderr, "toe: get %s: %s\n", urls[i], toe_http_last_error(h));
            status = o.wr_errno ? GET_EXIT_LOCAL : get_fail_exit(h, r);
        } else if (resp.status < 200 || resp.status > 299) {
            if (resp.location[0])
                fprintf(stderr, "toe: get %s: HTTP %d %s (not followed: Location %s)\n",
                        resp.url, resp.status, resp.reason, resp.location);
            else
                fprintf(stderr, "toe: get %s: HTTP %d %s\n", resp.url, resp.status,
                        resp.reason);
            status = GET_EXIT_HTTP;
        }
    }
    if (fflush(o.f) && !status) {
        fprintf(stderr, "toe: get: cannot write %s: %s\n", o.name, strerror(errno));
        status = GET_EXIT_LOCAL;
    }
    if (to_file) {
        if (fclose(o.f) && !status) {
            fprintf(stderr, "toe: get: cannot write %s: %s\n", o.name, strerror(errno));
            status = GET_EXIT_LOCAL;
        }
        if (!status && rename(get_tmp_path, out_name)) {
            fprintf(stderr, "toe: get: cannot create %s: %s\n", out_name, strerror(errno));
            status = GET_EXIT_LOCAL;
        }
        if (status)
            unlink(get_tmp_path);
        get_tmp_path[0] = 0;
    }
out:
    toe_http_free(h);
    toe_close(dev);
    free(pu);
    free(urls);
    return status;
}

/* The directory of this executable (for the preload and toed next to it). */
static int exe_dir(char *b, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", b, n - 1);
    if (k <= 0)
        return -1;
    b[k] = 0;
    char *sl = strrchr(b, '/');
    if (!sl)
        return -1;
    *sl = 0;
    return 0;
}

/* The preload: $TOE_PRELOAD, else beside this toe installed (../lib) or built (../sw). */
static int find_preload(char *b, size_t n)
{
    const char *e = getenv("TOE_PRELOAD");
    if (e && *e) {
        snprintf(b, n, "%s", e);
        return access(b, R_OK);
    }
    char d[2048];
    if (exe_dir(d, sizeof(d)))
        return -1;
    static const char *const rel[] = {"../lib/libtoe-preload.so", "../sw/libtoe-preload.so"};
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
        snprintf(b, n, "%s/%s", d, rel[i]);
        if (!access(b, R_OK))
            return 0;
    }
    return -1;
}

/* Start toed for spec on path, detached, and wait (up to 20 s) until it answers. */
static int start_daemon(const char *spec, const char *path)
{
    char d[4096], bin[4200] = "toed";
    static const char *const rel[] = {"toed", "../sbin/toed"};
    for (size_t i = 0; !exe_dir(d, sizeof(d)) && i < 2; i++) {
        snprintf(bin, sizeof(bin), "%s/%s", d, rel[i]);
        if (!access(bin, X_OK))
            break;
        snprintf(bin, sizeof(bin), "toed");
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setsid();
        if (fork() != 0) /* the daemon is nobody's child: the command execs in our place */
            _exit(0);
        freopen("/dev/null", "r", stdin);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execlp(bin, bin, "-d", spec, "-s", path, "-m", "0600", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    for (int i = 0; i < 200; i++) {
        int c;
        if (!toed_open(path, &c)) {
            close(c);
            return 0;
        }
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static int cmd_run(const char *spec, int argc, char **argv)
{
    const char *route = NULL, *dns = NULL;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_run, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (!strcmp(argv[i], "--route") && i + 1 < argc)
            route = argv[++i];
        else if (!strcmp(argv[i], "--dns") && i + 1 < argc)
            dns = argv[++i];
        else
            return usage_error(usage_run, "run: unknown option or missing value '%s'", argv[i]);
    }
    if (i >= argc)
        return usage_error(usage_run, "run: missing command%s", "");
    char preload[4096], sock[4096];
    if (find_preload(preload, sizeof(preload))) {
        fprintf(stderr, "toe: run: libtoe-preload.so not found (beside toe, or set TOE_PRELOAD)\n");
        return EXIT_DEVICE;
    }
    const char *dp = daemon_path(spec);
    if (dp || !spec || !*spec) {
        snprintf(sock, sizeof(sock), "%s", toed_socket_path(dp));
    } else {
        uint32_t h = 2166136261u; /* FNV-1a of the device string: one daemon per device */
        for (const char *p = spec; *p; p++)
            h = (h ^ (unsigned char)*p) * 16777619u;
        snprintf(sock, sizeof(sock), "/tmp/toed-run-%u-%08x.sock", (unsigned)getuid(), h);
    }
    int c, r = toed_open(sock, &c);
    if (!r)
        close(c);
    else if (spec && *spec && !dp) {
        if (start_daemon(spec, sock)) {
            fprintf(stderr, "toe: run: could not start toed for %s on %s\n", spec, sock);
            return EXIT_DEVICE;
        }
    } else {
        daemon_fail(sock, r, "run");
        return EXIT_DEVICE;
    }
    const char *old = getenv("LD_PRELOAD");
    char pl[8192];
    snprintf(pl, sizeof(pl), "%s%s%s", preload, old && *old ? " " : "", old ? old : "");
    if (setenv("LD_PRELOAD", pl, 1) || setenv("TOE_DAEMON", sock, 1) ||
        (route && setenv("TOE_PRELOAD_ROUTE", route, 1)) ||
        (dns && setenv("TOE_PRELOAD_DNS", dns, 1))) {
        fprintf(stderr, "toe: run: %s\n", strerror(errno));
        return EXIT_FAIL;
    }
    execvp(argv[i], argv + i);
    fprintf(stderr, "toe: run: %s: %s\n", argv[i], strerror(errno));
    return 127;
}

int main(int argc, char **argv)
{
    const char *spec = getenv("TOE_DEVICE");
    static char dspec[4096];
    if ((!spec || !*spec) && getenv("TOE_DAEMON")) {
        snprintf(dspec, sizeof(dspec), "toed:%s", getenv("TOE_DAEMON"));
        spec = dspec;
    }
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_main, stdout);
            return 0;
        }
        if (!strcmp(a, "--version")) {
            printf("toe %u.%u.%u\n", TOE_CONST_VERSION >> 16, (TOE_CONST_VERSION >> 8) & 255,
                   TOE_CONST_VERSION & 255);
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
                        : !strcmp(cmd, "get")   ? usage_get
                        : !strcmp(cmd, "netstat") ? usage_netstat
                        : !strcmp(cmd, "run")   ? usage_run
                        : !strcmp(cmd, "iperf") ? usage_iperf
                                                : NULL;
    if (!usage)
        return usage_error(usage_main, "unknown command '%s'", cmd);
    if (!strcmp(cmd, "ping"))
        return cmd_ping(spec, sub_argc, sub_argv);
    if (!strcmp(cmd, "get"))
        return cmd_get(spec, sub_argc, sub_argv);
    if (!strcmp(cmd, "run"))
        return cmd_run(spec, sub_argc, sub_argv);
    if (!strcmp(cmd, "iperf"))
        return cmd_iperf(spec, sub_argc, sub_argv);
    for (int k = 0; k < sub_argc; k++) {
        if (!strcmp(sub_argv[k], "-h") || !strcmp(sub_argv[k], "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        return usage_error(usage, "unexpected argument '%s'", sub_argv[k]);
    }
    toe_dev *dev = NULL;
    int r = daemon_path(spec) ? 0 : open_dev(spec, &dev);
    if (r)
        return r;
    r = !strcmp(cmd, "info")      ? cmd_info(spec, dev)
        : !strcmp(cmd, "netstat") ? cmd_netstat(spec, dev)
                                  : cmd_stats(spec, dev);
    toe_close(dev);
    return r;
}
