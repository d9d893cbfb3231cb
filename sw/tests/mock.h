/* SPDX-License-Identifier: MIT */
/* mock.h: a scripted toe device for the unit tests (never used outside sw/tests). It decodes
 * host frames with the library's own codec, answers CSR requests from a register array,
 * emits events and RAW_RX frames, and has knobs to lose, corrupt or withhold answers. */
#ifndef TOE_MOCK_H
#define TOE_MOCK_H

#include <stdio.h>
#include <stdlib.h>

#include "toe_internal.h"

#define MOCK_OUT (1 << 20)
#define MOCK_PEERS 4
#define MOCK_CSRS 0x1400
#define MOCK_SLOTS 8
#define MOCK_RING_LOG2 12 /* 4 KiB rings: small, so that tests wrap them */
#define MOCK_RAWLOG 32
#define MOCK_CMDLOG 256
#define MOCK_TXLOG (1 << 16)

struct mock_peer {
    uint32_t ip;
    uint8_t mac[6];
    int arp_answer; /* answer ARP requests */
    int echo_answer;
};

struct mock_raw {
    size_t len;
    unsigned flags;
    uint8_t f[1514];
};

struct mock_dev {
    uint32_t csr[MOCK_CSRS];
    uint32_t time_hi_latch;
    uint64_t time_us;
    uint64_t alarm_at;
    int alarm_armed;
    struct toe_link_rx rx;
    uint8_t *out;
    size_t out_len;
    uint16_t ev_seq;
    /* knobs */
    int drop_resps;      /* lose the next N RESPs */
    int drop_alarms;     /* lose the next N ALARM events */
    int silent;          /* answer nothing */
    int gone;            /* the transport reports the device gone */
    int no_session;      /* ignore SESSION, like a bitstream from before link sessions */
    int slow_clock;      /* device time does not keep up with the host's sleeps (a simulator) */
    int late_reads;      /* the next N reads bring nothing: the answers come late */
    struct mock_peer peers[MOCK_PEERS];
    /* observations */
    unsigned csr_reads, csr_writes, raw_tx, arp_req, echo_req, writes;
    uint64_t arp_req_first_us, arp_req_last_us; /* device time of the first and last request */
    uint8_t last_raw[1514];
    size_t last_raw_len;
    unsigned last_raw_flags;
    /* TCP slots: every RAW_TX (ring of the last MOCK_RAWLOG), slot commands in order
     * (cmd << 8 | slot), bytes accepted by TX_DATA per slot (from the first, in order). */
    struct mock_raw rawlog[MOCK_RAWLOG];
    unsigned nraw;
    uint16_t cmdlog[MOCK_CMDLOG];
    unsigned ncmd;
    uint8_t *txlog[MOCK_SLOTS];
    size_t txlog_len[MOCK_SLOTS];
    unsigned tx_data_msgs, rx_consumed_msgs;
    int drop_tx_data;    /* knob: lose the next N TX_DATA messages */
    unsigned seg_ip_opt_words; /* knob: IPv4 option words (NOPs) in mock_tcp_seg's header */
    uint8_t icmp_qproto;       /* knob: the protocol mock_icmp_err quotes (0: TCP) */
    int old_fields;            /* knob: no slot fields past SND_MAX (a device before IP_TTL_TOS,
                                * SND_UP, RCV_UP and the traffic unit's) */
    unsigned rx_sent_writes;
    int refuse_rx_sent;  /* knob: refuse RX_SENT writes (the ring no longer holds the bytes) */
    uint32_t tx_data_snd_up; /* the slot's SND_UP when the last TX_DATA was taken */
};

/* Slot field helpers. */
#define MOCK_SLOT(s, f) (TOE_CSR_SLOT_BASE + (s) * TOE_CONST_SLOT_STRIDE + (f))
/* The last RAW_TX frame minus k (0 = last); NULL if none. */
const struct mock_raw *mock_raw_back(const struct mock_dev *m, unsigned k);
/* Count of slot commands cmd (for slot, or any slot if slot < 0) in the log. */
unsigned mock_cmd_count(const struct mock_dev *m, unsigned cmd, int slot);
/* Device -> host: a SLOT event, an RX_DATA, a TCP segment from a peer as RAW_RX. */
void mock_slot_event(struct mock_dev *m, unsigned slot, unsigned flags, uint32_t una,
                     uint32_t wnd, uint32_t rcv_nxt, uint32_t rtt);
void mock_rx_data(struct mock_dev *m, unsigned slot, uint32_t seq, const void *p, size_t n);
/* A segment from ip:sport to our IP:dport. opt/optlen raw TCP options (multiple of 4). */
void mock_tcp_seg(struct mock_dev *m, uint32_t ip, uint16_t sport, uint16_t dport, uint32_t seq,
                  uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
                  const void *data, size_t dlen);

/* An ICMP error (type, code, next-hop MTU for type 3 code 4) from router `from` to our IP,
 * quoting the IPv4 header of one of our TCP segments to qdst (total length qlen) and its
 * first 8 TCP bytes (ports and seq). */
void mock_icmp_err(struct mock_dev *m, uint32_t from, uint8_t type, uint8_t code, uint16_t mtu,
                   uint32_t qdst, uint16_t qsport, uint16_t qdport, uint32_t qseq, uint16_t qlen);

void mock_init(struct mock_dev *m);
void mock_free(struct mock_dev *m);
/* Host bytes in (what the transport write delivers). */
void mock_input(struct mock_dev *m, const uint8_t *p, size_t n);
/* Queue a device message / raw bytes for the host. */
void mock_emit(struct mock_dev *m, const struct toe_msg *msg);
void mock_emit_bytes(struct mock_dev *m, const void *p, size_t n);
void mock_emit_event(struct mock_dev *m, uint8_t kind, uint16_t seq);
/* A transport over the mock (the handle does not own m). */
struct toe_transport mock_transport(struct mock_dev *m);
/* Open a handle on a mock with the given options (no probe unless asked). */
toe_dev *mock_open(struct mock_dev *m, int probe, int retry_ms, int retries);
/* A host clock ten times faster than the mock m's device clock, for toe_set_clock before the
 * open: a timer on the wrong clock fires early in device time. */
uint64_t mock_fast_host_clock(void *m);

/* Test reporting. */
extern int mock_failures;
#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (cond) {                                                                           \
            printf("PASS ");                                                                  \
        } else {                                                                              \
            printf("FAIL ");                                                                  \
            mock_failures++;                                                                  \
        }                                                                                     \
        printf(__VA_ARGS__);                                                                  \
        printf("  [%s:%d]\n", __FILE__, __LINE__);                                            \
    } while (0)
#define CHECK_QUIET(cond, ...)                                                                \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            printf("FAIL ");                                                                  \
            printf(__VA_ARGS__);                                                              \
            printf("  [%s:%d]\n", __FILE__, __LINE__);                                        \
            mock_failures++;                                                                  \
        }                                                                                     \
    } while (0)

#endif
