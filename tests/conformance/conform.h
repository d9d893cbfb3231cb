/* SPDX-License-Identifier: MIT */
/* conform.h: the conformance harness (tests/conformance/README.md). A script is a list of
 * events on the device's clock: segments the remote peer sends ('<'), segments the device must
 * send ('>'), ICMP errors, calls into libtoe and checks. script.c parses it, pkt.c builds and
 * reads the frames, toe_conform.c runs it against the Verilated RTL and libtoe. */
#ifndef TOE_CONFORM_H
#define TOE_CONFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CF_TEXT_MAX 256    /* a script line as kept for messages */
#define CF_OPT_MAX 40      /* TCP or IP option bytes */
#define CF_DATA_MAX 1460   /* payload of one injected segment */
#define CF_ARGS_MAX 6
#define CF_NAME_MAX 32

/* TCP flags as in the header. */
#define CF_FIN 0x01
#define CF_SYN 0x02
#define CF_RST 0x04
#define CF_PSH 0x08
#define CF_ACK 0x10
#define CF_URG 0x20

enum cf_kind {
    CF_INJECT, /* '<' a TCP segment from the peer */
    CF_ICMP,   /* '<' an ICMP error from the peer (or a router) about the device's segment */
    CF_EXPECT, /* '>' a TCP segment the device must send */
    CF_IDLE,   /* a point in time: nothing happens up to it but what the script lists */
    CF_CALL,   /* a libtoe call or a check, on the host's side */
};

/* A time on the device clock, microseconds: absolute, or relative to the previous event. */
struct cf_time {
    int rel;
    int64_t us;
};

/* A TCP segment: what to send, or what to expect (the *_any fields are wildcards). */
struct cf_seg {
    int port_given;        /* '@PEER[:DEV]' */
    uint16_t peer_port, dev_port;
    uint8_t flags;
    int seq_any, len_any, ack_any, win_any, opts_any;
    uint32_t seq;          /* '<' absolute (the peer's numbers); '>' relative to the device's ISS */
    uint32_t len;
    int ack_given;
    uint32_t ack;          /* '<' relative to the device's ISS; '>' absolute */
    int win_given;
    uint32_t win;
    int opts_given;
    uint8_t opt[CF_OPT_MAX];
    size_t optlen;
    int urg_given, ttl_given, tos_given, df_given;
    uint16_t urg;
    uint8_t ttl, tos, df;
    /* '<' only */
    uint8_t ipopt[CF_OPT_MAX];
    size_t ipoptlen;
    int bad_tcp_csum, bad_ip_csum;
    int src_given, dst_given;
    uint32_t src, dst;     /* IPv4 source (the peer by default) and destination (the device) */
    int data_given;
    uint8_t data[CF_DATA_MAX];
};

struct cf_icmp {
    uint8_t type, code;
    uint16_t mtu;          /* fragmentation needed: the next-hop MTU */
    int port_given;
    uint16_t peer_port, dev_port;
    int seq_given;
    uint32_t seq;          /* the quoted segment's sequence number, relative to the ISS */
    int src_given;
    uint32_t src;          /* who sends the error (the peer by default) */
};

enum cf_arg_kind { CF_ARG_NUM, CF_ARG_WORD, CF_ARG_STR };

struct cf_arg {
    enum cf_arg_kind kind;
    long long num;
    char str[CF_TEXT_MAX];
};

struct cf_call {
    char sock[CF_NAME_MAX];  /* "" for the device-wide calls */
    char method[CF_NAME_MAX];
    int nargs;
    struct cf_arg args[CF_ARGS_MAX];
    int has_expect;
    char op[3];              /* "=", "!=", ">=", "<=", ">", "<" */
    struct cf_arg expect;
};

struct cf_event {
    int line;
    char text[CF_TEXT_MAX];  /* the line as written, comment included */
    enum cf_kind kind;
    struct cf_time t;
    int has_hi;              /* 'T~T2': a window of its own instead of the tolerance */
    int optional;            /* '>?': the device may send this segment (or not) */
    struct cf_time hi;
    union {
        struct cf_seg seg;
        struct cf_icmp icmp;
        struct cf_call call;
    } u;
};

enum cf_status { CF_MUST_PASS, CF_FAILS_BEFORE_FIX };

struct cf_script {
    char path[512];
    enum cf_status status;
    char status_note[CF_TEXT_MAX];   /* e.g. "issue12" */
    char fails_with[4][CF_TEXT_MAX]; /* the failure message must contain one of these (one
                                      * per stage of a fix merged in parts) */
    int nfails_with;
    int64_t tolerance_us;
    uint32_t seed;                   /* libtoe's random keys (getrandom) come from it */
    int arp;                         /* answer the device's ARP requests */
    struct cf_event *ev;
    size_t nev, cap;
};

/* script.c: parse a file. Returns 0, or -1 with a message (file:line: ...) in err. */
int cf_parse(const char *path, struct cf_script *sc, char *err, size_t errlen);
void cf_script_free(struct cf_script *sc);
int cf_parse_ipv4(const char *s, uint32_t *ip);

/* pkt.c: frames. Addresses in host order. */
struct cf_net {
    uint8_t dev_mac[6], peer_mac[6];
    uint32_t dev_ip, peer_ip;
};

/* What a received TCP/IPv4 frame says. */
struct cf_tcp_view {
    uint32_t src, dst;
    uint8_t ttl, tos, df, ihl_words;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win, urg;
    const uint8_t *opt;
    size_t optlen;
    const uint8_t *data;
    size_t len;
};

uint16_t cf_csum(const uint8_t *p, size_t n, uint32_t sum);
/* An Ethernet frame with an IPv4 TCP segment from the peer; seq and ack are absolute. Returns
 * the frame length. */
size_t cf_build_tcp(const struct cf_net *n, const struct cf_seg *s, uint16_t sport, uint16_t dport,
                    uint32_t seq, uint32_t ack, uint8_t *f, size_t cap);
/* An ICMP error quoting the device's segment to peer (sport -> dport, sequence number seq),
 * from the peer unless ic says who. */
size_t cf_build_icmp(const struct cf_net *n, const struct cf_icmp *ic, uint32_t peer,
                     uint16_t sport, uint16_t dport, uint32_t seq, uint8_t *f, size_t cap);
/* An ARP reply from mac/ip to the device. */
size_t cf_build_arp_reply(const struct cf_net *n, const uint8_t mac[6], uint32_t ip, uint8_t *f);
/* Parse an IPv4 TCP frame with its checksums checked. Returns 0, or -1 with the reason. */
int cf_parse_tcp(const uint8_t *f, size_t len, struct cf_tcp_view *v, char *why, size_t whylen);
/* Options as the scripts write them: "<mss 1460,nop,wscale 0>". */
void cf_fmt_opts(const uint8_t *opt, size_t len, char *buf, size_t cap);
void cf_fmt_flags(uint8_t flags, char *buf);

#endif
