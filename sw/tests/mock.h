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

struct mock_peer {
    uint32_t ip;
    uint8_t mac[6];
    int arp_answer; /* answer ARP requests */
    int echo_answer;
};

struct mock_dev {
    uint32_t csr[0x200];
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
    int silent;          /* answer nothing */
    int gone;            /* the transport reports the device gone */
    struct mock_peer peers[MOCK_PEERS];
    /* observations */
    unsigned csr_reads, csr_writes, raw_tx, arp_req, echo_req, writes;
    uint8_t last_raw[1514];
    size_t last_raw_len;
    unsigned last_raw_flags;
};

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
