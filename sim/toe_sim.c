/* SPDX-License-Identifier: MIT */
/* toe-sim: the virtual board (Verilated toe_core) wired to a real network stack.
 *
 * Per direction:
 *   to the RTL:  peer -> faults -> backlog -> pcap -> preamble/pad/FCS -> GMII RX
 *   to the net:  GMII TX -> preamble/FCS check -> faults -> pcap -> peer
 * The model runs in chunks; the peer is serviced every poll interval of simulated time (a
 * shorter one while frames move).
 * The host link (--link) moves bytes between a Unix socket client and the core's link ports
 * through vboard's PHY rate model; it is serviced at the same cadence, and after any chunk in
 * which the device produced bytes or the client was active. */
#include <errno.h>
#include <execinfo.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faults.h"
#include "link_sock.h"
#include "net.h"
#include "pcap.h"
#include "toe_defs.h"
#include "vboard.h"
#include "wire.h"

#define PS_PER_US 1000000ull
#define PS_PER_S 1000000000000ull
#define CORE_PERIOD_PS (PS_PER_S / VBOARD_CORE_HZ)

#define CHUNK_CYCLES 1000u        /* core cycles per vboard_run when the wire is quiet */
#define CHUNK_CYCLES_BUSY 64u     /* ... while frames wait for the RTL, to keep GMII RX busy */
#define RX_QUEUE_TARGET 2u        /* bursts kept queued in the model; the rest wait here */
#define BACKLOG_SLOTS 1024u       /* frames waiting for the RTL; beyond that they are dropped */
#define MAX_HOSTFWD 16u
#define MAX_BAD_FRAME_REPORTS 10u
#define DEFAULT_POLL_PS (100u * PS_PER_US)
#define DEFAULT_REORDER_HOLD_PS (1000u * PS_PER_US)
#define DEFAULT_BENCH_PS (20000u * PS_PER_US)
#define DEFAULT_UART_BAUD 12000000u  /* the Versa's FT2232H channel B */
#define FT245_BYTES_PER_S 60000000u  /* FT232H synchronous FIFO: one byte per 60 MHz clock */
/* Idle skip (run_network): the board must have been settled this long in simulated time and
 * the link client quiet this long in wall time; one skip is at most SKIP_MAX_PS and at least
 * SKIP_MIN_PS; while idle, simulated time runs at most SKIP_AHEAD_PS plus SKIP_PACE times the
 * wall time ahead of where the idle stretch began, as the peers outside (the host's sockets
 * behind slirp, the link client) live on wall time. */
#define SKIP_SETTLE_PS (100u * PS_PER_US)
#define SKIP_LINK_QUIET_S 0.001
#define SKIP_MIN_PS (10u * PS_PER_US)
#define SKIP_MAX_PS (10000u * PS_PER_US)
#define SKIP_AHEAD_PS (5000u * PS_PER_US)
#define SKIP_PACE 1u
/* The network is busy while its peer moved a frame either way within NET_BUSY_S of wall time;
 * then the peer is serviced every NET_BUSY_POLL_PS of simulated time (or --poll-interval if
 * shorter), and a peer whose own timers run on wall time (the kernel behind a TAP) holds the
 * idle skip off: the board waits for an answer the peer sends when its reader is scheduled or
 * its delayed-ACK timer fires (Linux: 40 ms), and a skip would count that host latency as
 * device time. NET_BUSY_S is longer than that timer. */
#define NET_BUSY_S 0.25
#define NET_BUSY_POLL_PS (10u * PS_PER_US)

/* The only mutable global: set by SIGINT/SIGTERM, read by the main loop. */
static volatile sig_atomic_t stop_requested;

enum net_kind { NET_SLIRP, NET_TAP, NET_NONE };
enum link_phy_kind { PHY_UART, PHY_FIFO, PHY_IDEAL };

struct options {
    enum net_kind net;
    const char *tap_ifname;
    bool net_given;
    uint32_t ip, netmask, gateway;
    bool gateway_given;
    uint8_t mac[6];
    const char *pcap_path;
    const char *fault_log_path;
    struct fault_config faults;
    struct net_hostfwd hostfwd[MAX_HOSTFWD];
    size_t hostfwd_count;
    uint64_t time_limit_ps; /* 0: run until a signal */
    uint64_t poll_ps;
    const char *link_path;   /* --link unix:PATH; NULL: no link socket */
    enum link_phy_kind phy;
    uint64_t uart_baud;
    bool stats, bench, verbose, no_skip_idle;
};

struct backlog_entry {
    uint8_t *data;
    size_t len;
    long wire_flip_bit;
};

struct bridge_counts {
    uint64_t to_rtl_frames, to_rtl_backlog_drops, to_rtl_oversize, to_rtl_queue_refused;
    uint64_t to_net_frames, rtl_bad_frames, pcap_errors;
    uint64_t idle_skipped_ps, idle_skips;
};

/* What the idle skip watches (run_network). */
struct idle_watch {
    uint64_t last_act_ps;    /* the last simulated time the board was not settled */
    uint64_t link_seen;      /* link bytes both ways at the last look */
    uint64_t client_seen;    /* link client bytes both ways at the last look */
    double client_wall;      /* wall time the client last moved bytes */
    uint64_t stretch_ps;     /* simulated and wall time where the idle stretch began */
    double stretch_wall;
    uint64_t net_seen;       /* frames to and from the network peer at the last look */
    double net_wall;         /* wall time the peer last moved a frame */
};

struct bridge {
    struct vboard *vb;
    struct net_peer *peer;
    struct faults *faults;
    struct pcap_writer *pcap;
    struct link_sock *link;
    FILE *fault_log;
    bool verbose;
    bool service_soon; /* a frame went to the peer: service it right away for its answer */
    struct backlog_entry backlog[BACKLOG_SLOTS];
    unsigned backlog_head, backlog_count;
    struct bridge_counts counts;
    uint8_t burst[VBOARD_MAX_BURST];
    uint8_t tx_burst[VBOARD_MAX_BURST];
    struct idle_watch idle;
};

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* A crash leaves its stack in the log (addresses as toe-sim(+OFFSET): `addr2line -f -e
 * build/bin/toe-sim OFFSET`), then dies of the same signal: an intermittent fault in a long
 * test is then a fact to read, not a "Segmentation fault" line. */
static void on_fatal_signal(int sig)
{
    static const char head[] = "toe-sim: fatal signal, stack:\n";
    void *frames[64];
    ssize_t ignored = write(STDERR_FILENO, head, sizeof head - 1);
    (void)ignored;
    backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
    raise(sig);
}

static void usage(FILE *out)
{
    fputs(
        "usage: toe-sim [options]\n"
        "Runs the Verilated toe_core as a virtual board on a network.\n"
        "  --net slirp|tap:IFNAME|none  network peer (default slirp: 10.0.2.0/24, host 10.0.2.2\n"
        "                               reaching the host's 127.0.0.1, DNS 10.0.2.3)\n"
        "  --ip A.B.C.D/N               device address (default 10.0.2.15/24)\n"
        "  --gw A.B.C.D                 gateway, slirp's host address (default: subnet .2)\n"
        "  --mac XX:XX:XX:XX:XX:XX      device MAC (default 02:00:00:00:00:01)\n"
        "  --hostfwd tcp:[HADDR]:HPORT-[GADDR]:GPORT  slirp port forward into the device\n"
        "                               (repeatable; HADDR defaults to 127.0.0.1)\n"
        "  --pcap FILE                  write both directions (ns pcap, simulated time)\n"
        "  --time T                     stop after T of simulated time (e.g. 5s, 200ms, 50us)\n"
        "  --no-skip-idle               simulate every cycle of an idle board (default: jump\n"
        "                               simulated time to the next thing due)\n"
        "  --poll-interval T            service the network every T simulated (default 100us;\n"
        "                               10us while frames move)\n"
        "  --link unix:PATH             serve the host link on a Unix stream socket at PATH\n"
        "                               (one client at a time; removed on exit)\n"
        "  --link-phy uart:BAUD|fifo|ideal  link byte rate model (default uart:12000000):\n"
        "                               UART 8N1 full duplex (BAUD/10 bytes/s each way), FT245\n"
        "                               sync FIFO (60 MB/s shared, half duplex), or one byte\n"
        "                               per core cycle each way\n"
        "  --drop P --dup P --reorder P --corrupt P\n"
        "                               fault percentages per frame, both directions\n"
        "  --corrupt-after-fcs          corrupt frames to the RTL after the FCS (the MAC must\n"
        "                               catch it); default corrupts before it (checksums must)\n"
        "  --drop-segment DIR:N         drop the Nth TCP segment with payload going DIR (to-net:\n"
        "                               from the device, to-rtl: to it); once per direction\n"
        "  --reorder-hold T             longest time a reordered frame is held (default 1ms)\n"
        "  --seed N                     fault PRNG seed (default 1)\n"
        "  --fault-log FILE             one line per fault decision\n"
        "  --stats                      print all counters on exit (stdout)\n"
        "  --bench                      simulated core cycles per wall and CPU second\n"
        "                               (no network; --time sets the simulated time, default 20ms)\n"
        "  -v, --verbose                log every frame\n"
        "  -h, --help                   this text\n"
        "  --version                    print the version and exit\n"
        "Exit status: 0 ok, 1 runtime error or the RTL sent a bad frame, 2 bad usage.\n",
        out);
}

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("toe-sim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see --help)\n", stderr);
    exit(2);
}

static int parse_ipv4(const char *text, uint32_t *out)
{
    unsigned a, b, c, d;
    int used = 0;
    if (sscanf(text, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &used) != 4 || text[used] != '\0' ||
        a > 255 || b > 255 || c > 255 || d > 255)
        return -1;
    for (const char *p = text; *p; p++)
        if ((*p < '0' || *p > '9') && *p != '.')
            return -1;
    *out = a << 24 | b << 16 | c << 8 | d;
    return 0;
}

static void format_ipv4(uint32_t ip, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255u, (ip >> 8) & 255u, ip & 255u);
}

static void parse_ip_prefix(const char *text, struct options *o)
{
    char addr[32];
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : 0;
    char *end;
    if (!slash || alen == 0 || alen >= sizeof addr || !slash[1])
        usage_error("bad --ip '%s': want A.B.C.D/N", text);
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    errno = 0;
    long prefix = strtol(slash + 1, &end, 10);
    if (parse_ipv4(addr, &o->ip) < 0 || *end || errno || prefix < 1 || prefix > 30 ||
        slash[1] < '0' || slash[1] > '9')
        usage_error("bad --ip '%s': want A.B.C.D/N with N from 1 to 30", text);
    o->netmask = 0xffffffffu << (32 - prefix);
    uint32_t host = o->ip & ~o->netmask;
    if (host == 0 || host == ~o->netmask)
        usage_error("bad --ip '%s': that is the subnet's network or broadcast address", text);
}

static void parse_mac(const char *text, uint8_t mac[6])
{
    unsigned v[6];
    int used = 0;
    if (strlen(text) != 17 ||
        sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &used) != 6 || used != 17)
        usage_error("bad --mac '%s': want XX:XX:XX:XX:XX:XX", text);
    for (int i = 0; i < 17; i++) {
        char c = text[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if ((i % 3 == 2) ? c != ':' : !hex)
            usage_error("bad --mac '%s': want XX:XX:XX:XX:XX:XX", text);
    }
    if (v[0] & 1u)
        usage_error("bad --mac '%s': that is a multicast address", text);
    if ((v[0] | v[1] | v[2] | v[3] | v[4] | v[5]) == 0)
        usage_error("bad --mac '%s': all zeros", text);
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
}

/* "5s", "200ms", "1.5us", "800ns" -> picoseconds; -1 on error. */
static int parse_duration(const char *text, uint64_t *ps)
{
    static const struct { const char *suffix; double scale; } units[] = {
        { "ns", 1e3 }, { "us", 1e6 }, { "ms", 1e9 }, { "s", 1e12 },
    };
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v < 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            double total = v * units[i].scale;
            if (total > 1.8e19)
                return -1;
            *ps = (uint64_t)llround(total);
            return 0;
        }
    }
    return -1;
}

static double parse_pct_option(const char *name, const char *text)
{
    double v = faults_parse_pct(text);
    if (v < 0)
        usage_error("bad --%s '%s': want a percentage from 0 to 100", name, text);
    return v;
}

enum long_only_option {
    OPT_NET = 256, OPT_IP, OPT_GW, OPT_MAC, OPT_PCAP, OPT_DROP, OPT_DUP, OPT_REORDER,
    OPT_CORRUPT, OPT_CORRUPT_AFTER_FCS, OPT_REORDER_HOLD, OPT_SEED, OPT_FAULT_LOG, OPT_HOSTFWD,
    OPT_TIME, OPT_POLL, OPT_STATS, OPT_BENCH, OPT_LINK, OPT_LINK_PHY, OPT_DROP_SEGMENT,
    OPT_VERSION,
    OPT_NO_SKIP_IDLE,
};

static void parse_link_phy(const char *text, struct options *o)
{
    char *end;
    if (strcmp(text, "fifo") == 0) {
        o->phy = PHY_FIFO;
    } else if (strcmp(text, "ideal") == 0) {
        o->phy = PHY_IDEAL;
    } else if (strncmp(text, "uart:", 5) == 0 && text[5] >= '0' && text[5] <= '9') {
        errno = 0;
        unsigned long long baud = strtoull(text + 5, &end, 10);
        /* 10 bits per byte, at most one byte per core cycle. */
        if (errno || *end || baud < 300 || baud > 10ull * VBOARD_CORE_HZ)
            usage_error("bad --link-phy '%s': want a baud rate from 300 to %llu", text,
                        10ull * VBOARD_CORE_HZ);
        o->phy = PHY_UART;
        o->uart_baud = baud;
    } else {
        usage_error("bad --link-phy '%s': want uart:BAUD, fifo or ideal", text);
    }
}

static void parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        { "net", required_argument, NULL, OPT_NET },
        { "ip", required_argument, NULL, OPT_IP },
        { "gw", required_argument, NULL, OPT_GW },
        { "mac", required_argument, NULL, OPT_MAC },
        { "pcap", required_argument, NULL, OPT_PCAP },
        { "drop", required_argument, NULL, OPT_DROP },
        { "dup", required_argument, NULL, OPT_DUP },
        { "reorder", required_argument, NULL, OPT_REORDER },
        { "corrupt", required_argument, NULL, OPT_CORRUPT },
        { "drop-segment", required_argument, NULL, OPT_DROP_SEGMENT },
        { "corrupt-after-fcs", no_argument, NULL, OPT_CORRUPT_AFTER_FCS },
        { "reorder-hold", required_argument, NULL, OPT_REORDER_HOLD },
        { "seed", required_argument, NULL, OPT_SEED },
        { "fault-log", required_argument, NULL, OPT_FAULT_LOG },
        { "hostfwd", required_argument, NULL, OPT_HOSTFWD },
        { "time", required_argument, NULL, OPT_TIME },
        { "no-skip-idle", no_argument, NULL, OPT_NO_SKIP_IDLE },
        { "poll-interval", required_argument, NULL, OPT_POLL },
        { "stats", no_argument, NULL, OPT_STATS },
        { "bench", no_argument, NULL, OPT_BENCH },
        { "link", required_argument, NULL, OPT_LINK },
        { "link-phy", required_argument, NULL, OPT_LINK_PHY },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    static const uint8_t default_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

    memset(o, 0, sizeof *o);
    o->net = NET_SLIRP;
    o->ip = 0x0a00020fu;
    o->netmask = 0xffffff00u;
    memcpy(o->mac, default_mac, sizeof o->mac);
    o->faults.seed = 1;
    o->faults.reorder_hold_ps = DEFAULT_REORDER_HOLD_PS;
    o->poll_ps = DEFAULT_POLL_PS;
    o->phy = PHY_UART;
    o->uart_baud = DEFAULT_UART_BAUD;

    opterr = 0; /* our own one-line messages */
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        char err[128];
        char *end;
        switch (c) {
        case OPT_NET:
            o->net_given = true;
            if (strcmp(optarg, "slirp") == 0) {
                o->net = NET_SLIRP;
            } else if (strcmp(optarg, "none") == 0) {
                o->net = NET_NONE;
            } else if (strncmp(optarg, "tap:", 4) == 0 && optarg[4]) {
                o->net = NET_TAP;
                o->tap_ifname = optarg + 4;
            } else {
                usage_error("bad --net '%s': want slirp, tap:IFNAME or none", optarg);
            }
            break;
        case OPT_IP:
            parse_ip_prefix(optarg, o);
            break;
        case OPT_GW:
            if (parse_ipv4(optarg, &o->gateway) < 0)
                usage_error("bad --gw '%s': want A.B.C.D", optarg);
            o->gateway_given = true;
            break;
        case OPT_MAC:
            parse_mac(optarg, o->mac);
            break;
        case OPT_PCAP:
            o->pcap_path = optarg;
            break;
        case OPT_DROP:
            o->faults.drop_pct = parse_pct_option("drop", optarg);
            break;
        case OPT_DUP:
            o->faults.dup_pct = parse_pct_option("dup", optarg);
            break;
        case OPT_REORDER:
            o->faults.reorder_pct = parse_pct_option("reorder", optarg);
            break;
        case OPT_CORRUPT:
            o->faults.corrupt_pct = parse_pct_option("corrupt", optarg);
            break;
        case OPT_DROP_SEGMENT:
            if (faults_parse_drop_segment(optarg, &o->faults) < 0)
                usage_error("bad --drop-segment '%s': want to-net:N or to-rtl:N, N >= 1", optarg);
            break;
        case OPT_CORRUPT_AFTER_FCS:
            o->faults.corrupt_after_fcs = true;
            break;
        case OPT_REORDER_HOLD:
            if (parse_duration(optarg, &o->faults.reorder_hold_ps) < 0 ||
                o->faults.reorder_hold_ps == 0)
                usage_error("bad --reorder-hold '%s': want a time like 1ms or 500us", optarg);
            break;
        case OPT_SEED:
            errno = 0;
            o->faults.seed = strtoull(optarg, &end, 0);
            if (errno || *end || optarg[0] < '0' || optarg[0] > '9')
                usage_error("bad --seed '%s': want an unsigned 64-bit number", optarg);
            break;
        case OPT_FAULT_LOG:
            o->fault_log_path = optarg;
            break;
        case OPT_HOSTFWD:
            if (o->hostfwd_count == MAX_HOSTFWD)
                usage_error("too many --hostfwd (at most %u)", MAX_HOSTFWD);
            if (net_parse_hostfwd(optarg, &o->hostfwd[o->hostfwd_count], err, sizeof err) < 0)
                usage_error("bad --hostfwd '%s': %s", optarg, err);
            o->hostfwd_count++;
            break;
        case OPT_TIME:
            if (parse_duration(optarg, &o->time_limit_ps) < 0 || o->time_limit_ps == 0)
                usage_error("bad --time '%s': want a number and a unit s, ms, us or ns", optarg);
            break;
        case OPT_NO_SKIP_IDLE:
            o->no_skip_idle = true;
            break;
        case OPT_POLL:
            if (parse_duration(optarg, &o->poll_ps) < 0 || o->poll_ps < PS_PER_US ||
                o->poll_ps > PS_PER_S)
                usage_error("bad --poll-interval '%s': want 1us to 1s, e.g. 100us", optarg);
            break;
        case OPT_STATS:
            o->stats = true;
            break;
        case OPT_BENCH:
            o->bench = true;
            break;
        case OPT_LINK:
            if (strncmp(optarg, "unix:", 5) != 0 || !optarg[5])
                usage_error("bad --link '%s': want unix:PATH", optarg);
            o->link_path = optarg + 5;
            break;
        case OPT_LINK_PHY:
            parse_link_phy(optarg, o);
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case OPT_VERSION:
            printf("toe-sim %u.%u.%u\n", TOE_CONST_VERSION >> 16, (TOE_CONST_VERSION >> 8) & 255u,
                   TOE_CONST_VERSION & 255u);
            exit(0);
        case ':':
            usage_error("option '%s' needs a value", argv[optind - 1]);
            break;
        default:
            if (optopt)
                usage_error("unknown option '-%c'", optopt);
            usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);

    if (!o->gateway_given) {
        o->gateway = (o->ip & o->netmask) | 2u;
        if (o->gateway == o->ip)
            usage_error("the default gateway (subnet .2) is the device itself: give --gw");
    }
    if (o->gateway == o->ip)
        usage_error("--gw is the device's own address");
    if (o->net == NET_SLIRP && (o->gateway & o->netmask) != (o->ip & o->netmask))
        usage_error("with --net slirp the gateway must be inside the device's subnet");
    if (o->hostfwd_count && o->net != NET_SLIRP)
        usage_error("--hostfwd needs --net slirp");
    if (o->bench) {
        if (o->net_given && o->net != NET_NONE)
            usage_error("--bench runs without a network: drop --net");
        o->net = NET_NONE;
        if (o->link_path)
            usage_error("--bench runs without a link: drop --link");
    }
}

/* ---- the bridge ---- */

static uint64_t now_ps(const struct bridge *b)
{
    return vboard_time_ps(b->vb);
}

static void log_frame(const struct bridge *b, const char *what, const uint8_t *f, size_t len)
{
    if (!b->verbose)
        return;
    uint64_t ns = now_ps(b) / 1000u;
    fprintf(stderr, "toe-sim: %" PRIu64 ".%06" PRIu64 " ms %s %zu bytes", ns / 1000000u,
            ns % 1000000u, what, len);
    if (len >= 14)
        fprintf(stderr, " %02x:%02x:%02x:%02x:%02x:%02x <- %02x:%02x:%02x:%02x:%02x:%02x type 0x%04x",
                f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11],
                (unsigned)f[12] << 8 | f[13]);
    fputc('\n', stderr);
}

static void record(struct bridge *b, const uint8_t *frame, size_t len)
{
    if (b->pcap && pcap_write(b->pcap, now_ps(b), frame, len) < 0)
        b->counts.pcap_errors++;
}

/* Frames leaving the fault injector. */
static void fault_emit(void *ctx, enum fault_dir dir, const struct fault_frame *frame)
{
    struct bridge *b = ctx;
    if (dir == FAULT_TO_NET) {
        b->counts.to_net_frames++;
        record(b, frame->data, frame->len);
        log_frame(b, "rtl->net", frame->data, frame->len);
        if (b->peer) {
            b->peer->ops->send(b->peer, frame->data, frame->len);
            b->service_soon = true;
        }
        return;
    }
    if (b->backlog_count == BACKLOG_SLOTS) {
        b->counts.to_rtl_backlog_drops++;
        return;
    }
    uint8_t *copy = malloc(frame->len);
    if (!copy) {
        b->counts.to_rtl_backlog_drops++;
        return;
    }
    memcpy(copy, frame->data, frame->len);
    struct backlog_entry *e = &b->backlog[(b->backlog_head + b->backlog_count) % BACKLOG_SLOTS];
    *e = (struct backlog_entry){ .data = copy, .len = frame->len,
                                 .wire_flip_bit = frame->wire_flip_bit };
    b->backlog_count++;
}

/* A frame from the network peer. */
static void peer_deliver(void *ctx, const uint8_t *frame, size_t len)
{
    struct bridge *b = ctx;
    if (len == 0 || wire_burst_len(len) > VBOARD_MAX_BURST) {
        b->counts.to_rtl_oversize++;
        return;
    }
    faults_frame(b->faults, FAULT_TO_RTL, frame, len, now_ps(b), fault_emit, b);
}

/* Move waiting frames onto GMII RX, keeping only a couple queued in the model so the pcap
 * time is close to the time the frame is on the wire. */
static void feed_rtl(struct bridge *b)
{
    while (b->backlog_count && vboard_rx_pending(b->vb) < RX_QUEUE_TARGET) {
        struct backlog_entry *e = &b->backlog[b->backlog_head];
        b->backlog_head = (b->backlog_head + 1) % BACKLOG_SLOTS;
        b->backlog_count--;
        size_t n = wire_frame_to_burst(e->data, e->len, b->burst, sizeof b->burst);
        if (n == 0) {
            b->counts.to_rtl_oversize++;
        } else {
            if (e->wire_flip_bit >= 0) {
                size_t bit = (size_t)e->wire_flip_bit;
                b->burst[WIRE_PREAMBLE_LEN + bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
            /* Record what is on the wire: the padded frame, without FCS. */
            const uint8_t *body = b->burst + WIRE_PREAMBLE_LEN;
            size_t body_len = n - WIRE_PREAMBLE_LEN - WIRE_FCS_LEN;
            if (vboard_gmii_rx(b->vb, b->burst, n, -1) == 0) {
                b->counts.to_rtl_frames++;
                record(b, body, body_len);
                log_frame(b, "net->rtl", body, body_len);
            } else {
                b->counts.to_rtl_queue_refused++;
            }
        }
        free(e->data);
    }
}

static void drain_rtl(struct bridge *b)
{
    size_t len;
    bool tx_er;
    int rc;
    while ((rc = vboard_gmii_tx(b->vb, b->tx_burst, sizeof b->tx_burst, &len, &tx_er)) != -1) {
        const uint8_t *frame;
        size_t frame_len;
        enum wire_status st;
        if (rc == -2) {
            st = WIRE_TX_ER; /* cannot happen: the buffer holds the largest burst */
            frame = b->tx_burst;
            frame_len = 0;
        } else {
            st = wire_burst_to_frame(b->tx_burst, len, tx_er, &frame, &frame_len);
        }
        if (st != WIRE_OK) {
            if (b->counts.rtl_bad_frames++ < MAX_BAD_FRAME_REPORTS) {
                fprintf(stderr, "toe-sim: RTL sent a bad frame at %" PRIu64 " ns: %s, burst "
                        "%zu bytes, first bytes", now_ps(b) / 1000u, wire_status_name(st), len);
                for (size_t i = 0; i < len && i < 16; i++)
                    fprintf(stderr, " %02x", b->tx_burst[i]);
                fputc('\n', stderr);
            }
            record(b, frame, frame_len); /* it was on the wire; not passed on */
            continue;
        }
        faults_frame(b->faults, FAULT_TO_NET, frame, frame_len, now_ps(b), fault_emit, b);
    }
}

static void print_stats(struct bridge *b)
{
    for (unsigned i = 0; i < TOE_STAT_COUNT; i++)
        printf("%s %" PRIu32 "\n", toe_stat_names[i], vboard_stat(b->vb, i));
    printf("sim_time_ps %" PRIu64 "\n", now_ps(b));
    printf("sim_cycles %" PRIu64 "\n", vboard_cycles(b->vb));
    printf("sim_to_rtl_frames %" PRIu64 "\n", b->counts.to_rtl_frames);
    printf("sim_to_rtl_backlog_drops %" PRIu64 "\n", b->counts.to_rtl_backlog_drops);
    printf("sim_to_rtl_oversize %" PRIu64 "\n", b->counts.to_rtl_oversize);
    printf("sim_to_net_frames %" PRIu64 "\n", b->counts.to_net_frames);
    printf("sim_rtl_bad_frames %" PRIu64 "\n", b->counts.rtl_bad_frames);
    printf("sim_idle_skipped_ps %" PRIu64 "\n", b->counts.idle_skipped_ps);
    printf("sim_idle_skips %" PRIu64 "\n", b->counts.idle_skips);
    for (int d = 0; d < FAULT_DIRS; d++) {
        struct fault_counts fc = faults_counts(b->faults, (enum fault_dir)d);
        const char *name = d == FAULT_TO_RTL ? "to_rtl" : "to_net";
        printf("sim_fault_%s_frames %" PRIu64 "\n", name, fc.frames);
        printf("sim_fault_%s_dropped %" PRIu64 "\n", name, fc.dropped);
        printf("sim_fault_%s_duplicated %" PRIu64 "\n", name, fc.duplicated);
        printf("sim_fault_%s_reordered %" PRIu64 "\n", name, fc.reordered);
        printf("sim_fault_%s_corrupted %" PRIu64 "\n", name, fc.corrupted);
    }
    struct vboard_link_counts lc = vboard_link_stats(b->vb);
    printf("sim_link_to_device_bytes %" PRIu64 "\n", lc.to_device);
    printf("sim_link_from_device_bytes %" PRIu64 "\n", lc.from_device);
    printf("sim_link_turnarounds %" PRIu64 "\n", lc.turnarounds);
    if (b->link) {
        struct link_sock_counts sc = link_sock_counts(b->link);
        printf("sim_link_from_client_bytes %" PRIu64 "\n", sc.from_client);
        printf("sim_link_to_client_bytes %" PRIu64 "\n", sc.to_client);
        printf("sim_link_dropped_no_client_bytes %" PRIu64 "\n", sc.dropped);
        printf("sim_link_clients_accepted %" PRIu64 "\n", sc.clients);
        printf("sim_link_clients_refused %" PRIu64 "\n", sc.clients_refused);
        printf("sim_link_client_bytes_dropped %" PRIu64 "\n", sc.client_dropped);
        printf("sim_link_session_bytes_dropped %" PRIu64 "\n", sc.session_dropped);
    }
    if (b->peer) {
        printf("sim_peer_sent %" PRIu64 "\n", b->peer->sent);
        printf("sim_peer_send_errors %" PRIu64 "\n", b->peer->send_errors);
        printf("sim_peer_delivered %" PRIu64 "\n", b->peer->delivered);
    }
    fflush(stdout);
}

/* ---- main loop ---- */

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_seconds(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

/* After every run chunk and link service: the board is settled while it stays idle
 * (vboard_idle: no frame, no link byte, no ACK owed), no frame waits here for it and no link
 * byte moved; the link client is quiet while it moves no byte. */
static void idle_note(struct bridge *b, uint64_t now, double wall)
{
    struct idle_watch *w = &b->idle;
    struct vboard_link_counts lc = vboard_link_stats(b->vb);
    uint64_t seen = lc.to_device + lc.from_device;
    if (seen != w->link_seen || b->backlog_count || !vboard_idle(b->vb)) {
        w->link_seen = seen;
        w->last_act_ps = now;
        w->stretch_ps = now;
        w->stretch_wall = wall;
    }
    if (b->link) {
        struct link_sock_counts sc = link_sock_counts(b->link);
        if (sc.from_client + sc.to_client != w->client_seen) {
            w->client_seen = sc.from_client + sc.to_client;
            w->client_wall = wall;
        }
    }
}

/* After every peer service and run chunk: note when the network peer last moved a frame. */
static void net_note(struct bridge *b, double wall)
{
    struct idle_watch *w = &b->idle;
    if (!b->peer)
        return;
    uint64_t seen = b->peer->sent + b->peer->send_errors + b->peer->delivered;
    if (seen != w->net_seen) {
        w->net_seen = seen;
        w->net_wall = wall;
    }
}

static bool net_busy(const struct bridge *b, double wall)
{
    return b->peer && wall - b->idle.net_wall < NET_BUSY_S;
}

/* Jump simulated time forward over an idle stretch: to the first of the peer's next timer,
 * the fault injector's next release, --time, the board's own next event (vboard_skip_idle
 * stops short of its alarm and delayed ACKs) and the pace limit, at most SKIP_MAX_PS at a
 * time. Returns true if time moved. */
static bool skip_idle(struct bridge *b, const struct options *o, uint64_t now, double wall)
{
    const struct idle_watch *w = &b->idle;
    if (now - w->last_act_ps < SKIP_SETTLE_PS || b->service_soon ||
        (b->link && wall - w->client_wall < SKIP_LINK_QUIET_S) ||
        (net_busy(b, wall) && b->peer->ops->wall_timers))
        return false;
    uint64_t limit = now + SKIP_MAX_PS, due;
    if (b->peer && (due = net_peer_next_due_ps(b->peer)) < limit)
        limit = due;
    if ((due = faults_next_ps(b->faults)) < limit)
        limit = due;
    if (o->time_limit_ps && o->time_limit_ps < limit)
        limit = o->time_limit_ps;
    double pace = (double)w->stretch_ps + (double)SKIP_AHEAD_PS +
                  (wall - w->stretch_wall) * (double)SKIP_PACE * (double)PS_PER_S;
    if (pace < (double)limit)
        limit = pace < (double)now ? now : (uint64_t)pace;
    if (limit < now + SKIP_MIN_PS)
        return false;
    uint64_t skipped = vboard_skip_idle(b->vb, limit - now);
    if (!skipped)
        return false;
    b->counts.idle_skipped_ps += skipped;
    b->counts.idle_skips++;
    return true;
}

/* Returns false if the RTL stopped the simulation ($finish). */
static bool run_network(struct bridge *b, const struct options *o)
{
    uint64_t next_poll = 0, next_net_poll = 0;
    uint64_t busy_poll_ps = o->poll_ps < NET_BUSY_POLL_PS ? o->poll_ps : NET_BUSY_POLL_PS;
    b->idle.stretch_wall = wall_seconds();
    while (!stop_requested) {
        uint64_t now = now_ps(b);
        if (o->time_limit_ps && now >= o->time_limit_ps)
            break;
        double wall = wall_seconds();
        bool scheduled = now >= next_poll;
        if (scheduled || b->service_soon || (net_busy(b, wall) && now >= next_net_poll)) {
            b->service_soon = false;
            if (b->peer)
                b->peer->ops->poll(b->peer, now);
            faults_tick(b->faults, now, fault_emit, b);
            next_net_poll = now + busy_poll_ps;
            net_note(b, wall);
        }
        if (b->link)
            link_sock_service(b->link, b->vb, now, scheduled, o->poll_ps);
        if (scheduled) {
            /* Keep the files readable while running; no system call when nothing is new. */
            if (b->pcap && pcap_flush(b->pcap) < 0)
                b->counts.pcap_errors++;
            if (b->fault_log)
                fflush(b->fault_log);
            next_poll = now + o->poll_ps;
        }
        feed_rtl(b);
        if (!o->no_skip_idle) {
            idle_note(b, now, wall);
            if (skip_idle(b, o, now, wall)) {
                next_poll = now_ps(b); /* service everything at the new time */
                continue;
            }
        }

        uint64_t chunk = b->backlog_count ? CHUNK_CYCLES_BUSY : CHUNK_CYCLES;
        uint64_t until = next_poll;
        if (net_busy(b, wall) && next_net_poll < until)
            until = next_net_poll;
        if (o->time_limit_ps && o->time_limit_ps < until)
            until = o->time_limit_ps;
        uint64_t to_deadline = (until - now + CORE_PERIOD_PS - 1) / CORE_PERIOD_PS;
        if (to_deadline < chunk)
            chunk = to_deadline;
        if (vboard_run(b->vb, chunk) == 0)
            return false;
        drain_rtl(b);
        net_note(b, wall);
    }
    return true;
}

/* An ARP request for the device from a made-up host: something the RTL answers. */
static size_t bench_frame(const struct options *o, uint8_t *f)
{
    static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
    uint32_t host_ip = o->gateway;
    memset(f, 0, 42);
    memset(f, 0xff, 6);
    memcpy(f + 6, host_mac, 6);
    f[12] = 0x08, f[13] = 0x06;              /* ARP */
    f[14] = 0x00, f[15] = 0x01;              /* Ethernet */
    f[16] = 0x08, f[17] = 0x00;              /* IPv4 */
    f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1; /* request */
    memcpy(f + 22, host_mac, 6);
    for (int i = 0; i < 4; i++) {
        f[28 + i] = (uint8_t)(host_ip >> (24 - 8 * i));
        f[38 + i] = (uint8_t)(o->ip >> (24 - 8 * i));
    }
    return 42;
}

static bool bench_phase(struct bridge *b, const struct options *o, const char *name,
                        uint64_t sim_ps, bool loaded)
{
    uint8_t frame[64];
    size_t frame_len = bench_frame(o, frame);
    uint64_t start_cycles = vboard_cycles(b->vb);
    uint64_t end_ps = now_ps(b) + sim_ps;
    uint64_t frames = 0;
    double t0 = wall_seconds(), cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    while (!stop_requested && now_ps(b) < end_ps) {
        if (loaded) {
            /* Bounded: with fault injection a frame may be dropped or held. */
            for (int tries = 0; tries < 4 && vboard_rx_pending(b->vb) < RX_QUEUE_TARGET;
                 tries++) {
                faults_frame(b->faults, FAULT_TO_RTL, frame, frame_len, now_ps(b), fault_emit, b);
                feed_rtl(b);
                frames++;
            }
        }
        uint64_t left = (end_ps - now_ps(b) + CORE_PERIOD_PS - 1) / CORE_PERIOD_PS;
        uint64_t chunk = loaded ? CHUNK_CYCLES_BUSY : CHUNK_CYCLES;
        if (vboard_run(b->vb, left < chunk ? left : chunk) == 0)
            return false;
        drain_rtl(b);
    }
    double wall = wall_seconds() - t0;
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    uint64_t cycles = vboard_cycles(b->vb) - start_cycles;
    double rate = wall > 0 ? (double)cycles / wall : 0;
    /* Per CPU second too: on a shared machine the wall figure also measures the others. */
    printf("bench %s: %" PRIu64 " core cycles (%.3f ms simulated) in %.3f s wall: "
           "%.0f cycles/s, %.1fx slower than real time; %.3f s CPU: %.0f cycles per CPU "
           "second", name, cycles, (double)cycles * CORE_PERIOD_PS / 1e9, wall, rate,
           rate > 0 ? (double)VBOARD_CORE_HZ / rate : 0.0, cpu,
           cpu > 0 ? (double)cycles / cpu : 0.0);
    if (loaded)
        printf(", %" PRIu64 " frames offered", frames);
    printf("\n");
    fflush(stdout);
    return true;
}

/* Apply the PHY model and describe the link for the ready line, e.g.
 * "link unix:/tmp/x.sock uart 12000000 baud (1200000 B/s each way)". */
static void link_describe(const struct options *o, struct vboard *vb, char *buf, size_t len)
{
    char phy[96];
    switch (o->phy) {
    case PHY_UART:
        vboard_link_set_rate(vb, o->uart_baud / 10u, VBOARD_LINK_FULL_DUPLEX);
        snprintf(phy, sizeof phy, "uart %" PRIu64 " baud (%" PRIu64 " B/s each way)",
                 o->uart_baud, o->uart_baud / 10u);
        break;
    case PHY_FIFO:
        vboard_link_set_rate(vb, FT245_BYTES_PER_S, VBOARD_LINK_HALF_DUPLEX);
        snprintf(phy, sizeof phy, "fifo (%u B/s half duplex)", FT245_BYTES_PER_S);
        break;
    case PHY_IDEAL:
        vboard_link_set_rate(vb, 0, VBOARD_LINK_FULL_DUPLEX);
        snprintf(phy, sizeof phy, "ideal (%u B/s each way)", VBOARD_CORE_HZ);
        break;
    }
    snprintf(buf, len, "link %s%s %s", o->link_path ? "unix:" : "none",
             o->link_path ? o->link_path : "", phy);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a peer socket closing must not kill the simulation */
    void *warm[1];
    backtrace(warm, 1); /* loads libgcc now: the handler must not call malloc */
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
}

static void cleanup(struct bridge *b, FILE *fault_log, bool *failed)
{
    while (b->backlog_count) {
        free(b->backlog[b->backlog_head].data);
        b->backlog_head = (b->backlog_head + 1) % BACKLOG_SLOTS;
        b->backlog_count--;
    }
    net_peer_free(b->peer);
    b->peer = NULL;
    link_sock_free(b->link); /* removes the socket file */
    b->link = NULL;
    if (b->pcap && pcap_close(b->pcap) < 0) {
        b->counts.pcap_errors++;
    }
    b->pcap = NULL;
    if (b->counts.pcap_errors) {
        fprintf(stderr, "toe-sim: writing the pcap failed\n");
        *failed = true;
    }
    faults_free(b->faults);
    b->faults = NULL;
    if (fault_log && fclose(fault_log) != 0) {
        fprintf(stderr, "toe-sim: writing the fault log failed\n");
        *failed = true;
    }
    vboard_free(b->vb);
    free(b);
}

int main(int argc, char **argv)
{
    struct options o;
    parse_options(argc, argv, &o);

    struct bridge *b = calloc(1, sizeof *b);
    if (!b) {
        fprintf(stderr, "toe-sim: out of memory\n");
        return 1;
    }
    b->verbose = o.verbose;
    FILE *fault_log = NULL;
    bool failed = false;
    char err[256];

    if (o.fault_log_path && !(fault_log = fopen(o.fault_log_path, "w"))) {
        fprintf(stderr, "toe-sim: cannot create fault log %s: %s\n", o.fault_log_path,
                strerror(errno));
        cleanup(b, fault_log, &failed);
        return 1;
    }
    if (o.pcap_path && !(b->pcap = pcap_open(o.pcap_path))) {
        fprintf(stderr, "toe-sim: cannot create pcap %s: %s\n", o.pcap_path, strerror(errno));
        cleanup(b, fault_log, &failed);
        return 1;
    }
    b->fault_log = fault_log;
    b->faults = faults_new(&o.faults, fault_log);
    struct vboard_config vc = { .ip = o.ip, .netmask = o.netmask, .gateway = o.gateway };
    memcpy(vc.mac, o.mac, sizeof vc.mac);
    b->vb = b->faults ? vboard_new(&vc) : NULL;
    if (!b->vb) {
        fprintf(stderr, "toe-sim: out of memory creating the model\n");
        cleanup(b, fault_log, &failed);
        return 1;
    }

    const char *net_name = "none";
    if (o.net == NET_SLIRP) {
        struct net_slirp_config sc = {
            .device_ip = o.ip, .netmask = o.netmask, .gateway = o.gateway,
            .hostfwd = o.hostfwd, .hostfwd_count = o.hostfwd_count,
        };
        b->peer = net_slirp_new(&sc, peer_deliver, b, err, sizeof err);
        net_name = "slirp";
    } else if (o.net == NET_TAP) {
        b->peer = net_tap_new(o.tap_ifname, peer_deliver, b, err, sizeof err);
        net_name = "tap";
    }
    if (o.net != NET_NONE && !b->peer) {
        fprintf(stderr, "toe-sim: %s\n", err);
        cleanup(b, fault_log, &failed);
        return 1;
    }
    if (o.link_path && !(b->link = link_sock_new(o.link_path, o.verbose, err, sizeof err))) {
        fprintf(stderr, "toe-sim: %s\n", err);
        cleanup(b, fault_log, &failed);
        return 1;
    }
    char link_desc[320];
    link_describe(&o, b->vb, link_desc, sizeof link_desc);
    install_signal_handlers();

    char ip[16], gw[16];
    format_ipv4(o.ip, ip, sizeof ip);
    format_ipv4(o.gateway, gw, sizeof gw);
    int prefix = __builtin_popcount(o.netmask);
    fprintf(stderr, "toe-sim: ready (net %s%s%s, device %s/%d, gw %s, mac "
            "%02x:%02x:%02x:%02x:%02x:%02x, %s%s)\n", net_name, o.net == NET_TAP ? " " : "",
            o.net == NET_TAP ? o.tap_ifname : "", ip, prefix, gw, o.mac[0], o.mac[1], o.mac[2],
            o.mac[3], o.mac[4], o.mac[5], link_desc,
            faults_enabled(b->faults) ? ", faults on" : "");

    bool rtl_alive;
    if (o.bench) {
        uint64_t sim_ps = o.time_limit_ps ? o.time_limit_ps : DEFAULT_BENCH_PS;
        rtl_alive = bench_phase(b, &o, "idle", sim_ps, false) &&
                    bench_phase(b, &o, "loaded", sim_ps, true);
    } else {
        rtl_alive = run_network(b, &o);
    }
    if (!rtl_alive) {
        fprintf(stderr, "toe-sim: the RTL called $finish at %" PRIu64 " ns\n", now_ps(b) / 1000u);
        failed = true;
    }
    if (stop_requested)
        fprintf(stderr, "toe-sim: stopping on a signal at %" PRIu64 " ns simulated\n",
                now_ps(b) / 1000u);
    if (o.stats)
        print_stats(b);
    if (b->counts.rtl_bad_frames) {
        fprintf(stderr, "toe-sim: RTL sent a bad frame (%" PRIu64 " bad bursts in all)\n",
                b->counts.rtl_bad_frames);
        failed = true;
    }
    cleanup(b, fault_log, &failed);
    return failed ? 1 : 0;
}
