/* SPDX-License-Identifier: MIT */
/* toe_internal.h: what the layers of libtoe share. Not installed. */
#ifndef TOE_INTERNAL_H
#define TOE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h"
#include "toe.h"

/* ---- transport ---------------------------------------------------------------------- */

/* A byte stream to the device. Every call is bounded by its timeout. */
struct toe_transport_ops {
    const char *name;
    /* Write all len bytes, waiting up to timeout_ms (-1: a transport-defined bound).
     * Returns 0, TOE_ETIMEDOUT (*written says how far it got), TOE_EINTR (a signal during
     * the wait; *written as for a timeout), TOE_EIO or TOE_ENODEV. */
    int (*write)(void *priv, const uint8_t *buf, size_t len, size_t *written, int timeout_ms);
    /* Read up to cap bytes, waiting up to timeout_ms for the first; *got may be 0.
     * Returns 0, TOE_EINTR (a signal during the wait), TOE_EIO or TOE_ENODEV (peer gone). */
    int (*read)(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms);
    void (*close)(void *priv);
    /* Optional (NULL: none): the descriptor that becomes readable when read has data. */
    int (*get_fd)(void *priv);
};

struct toe_transport {
    const struct toe_transport_ops *ops;
    void *priv;
};

/* ---- device strings ----------------------------------------------------------------- */

enum toe_spec_kind { TOE_SPEC_SIM, TOE_SPEC_FTDI_FIFO, TOE_SPEC_FTDI_UART, TOE_SPEC_TTY };

#define TOE_SPEC_PATH_MAX 108 /* sun_path */
struct toe_spec {
    enum toe_spec_kind kind;
    char path[256];   /* sim socket or tty device */
    uint16_t vid, pid;
    char serial[64];  /* ftdi-fifo: optional serial number */
    int iface;        /* ftdi-uart: 0..3 for A..D */
    unsigned baud;
};

/* Parse a device string. Returns 0 or TOE_EINVAL with a reason in err. */
int toe_spec_parse(const char *s, struct toe_spec *out, char *err, size_t errlen);

int toe_tr_open_sim(struct toe_transport *t, const char *path, char *err, size_t errlen);
int toe_tr_open_tty(struct toe_transport *t, const char *path, unsigned baud, char *err,
                    size_t errlen);
int toe_tr_open_ftdi_fifo(struct toe_transport *t, uint16_t vid, uint16_t pid,
                          const char *serial, char *err, size_t errlen);
int toe_tr_open_ftdi_uart(struct toe_transport *t, uint16_t vid, uint16_t pid, int iface,
                          unsigned baud, char *err, size_t errlen);

/* FT245 bulk-IN data: strip the 2 modem-status bytes at the start of every max-packet-size
 * packet of a transfer, in place. Returns the payload length. */
size_t toe_ftdi_strip_status(uint8_t *buf, size_t len, size_t packet_size);

/* Open a handle on an already open transport (tests use a mock). Takes ownership of t
 * (closes it on failure). */
int toe_open_transport(toe_dev **dev, const struct toe_transport *t, const char *name,
                       const struct toe_open_opts *opts);

/* ---- device layer ------------------------------------------------------------------- */

#define TOE_NTAGS 256
#define TOE_RAW_FRAME_MAX 1514

/* The completion of an asynchronous CSR request: result 0 or a negative error (TOE_ETIMEDOUT
 * once every resend went unanswered), value what a read returned. Called from the engine turn
 * that received the answer (or gave up); the request's tag is free again. */
typedef void (*toe_csr_done)(toe_dev *dev, void *ctx, int result, uint32_t value);

/* A request resent until answered: a CSR read or write (answered by RESP with its tag), or the
 * link's SESSION (answered by SESSION_ACK). */
struct toe_csr_req {
    uint8_t busy;
    uint8_t done;        /* waited for: answered (result, value) */
    uint8_t type;        /* TOE_MSG_CSR_READ, TOE_MSG_CSR_WRITE or TOE_MSG_SESSION */
    uint16_t addr;
    uint32_t value;
    int result;          /* 0 or a negative error once done */
    uint64_t retry_at;   /* device us (toe_deadline) */
    int retries_left;
    toe_csr_done cb;     /* asynchronous: called once, then the tag is free (NULL: waited for) */
    void *ctx;
};

/* A layer above the device layer (the net layer, TCP). The device layer knows its layers only
 * through these hooks, every one optional and none blocking unless said. */
struct toe_layer {
    const char *name;
    /* EVENT (after the device layer's own bookkeeping: sequence, time, alarm). */
    void (*event)(toe_dev *dev, unsigned kind, uint64_t time, const uint8_t *f, size_t len);
    /* RX_DATA for a slot; 0 if taken, nonzero if not (the next layer is asked; dropped and
     * counted when none takes it). */
    int (*rx_data)(toe_dev *dev, unsigned slot, uint32_t seq, const uint8_t *p, size_t n);
    /* The answer to a time probe: the device's time now. */
    void (*time)(toe_dev *dev, uint64_t us);
    /* Run the timers that are due (before the turn's write). */
    void (*timers)(toe_dev *dev);
    /* Host ms until the layer needs a turn without input (-1: none), looked at only. */
    int (*next_timeout)(toe_dev *dev);
    /* A RAW_RX IPv4 packet of the protocol the layer serves (eth: the whole frame; verdict
     * TOE_STAT_RX_*): 1 if consumed. Asked by the net layer, every layer in turn. */
    int (*ip_input)(toe_dev *dev, const uint8_t *eth, size_t len, unsigned verdict,
                    uint64_t time);
    /* An ICMP message (the IPv4 packet, len bytes): 1 if it was an error about a segment of
     * the layer's (consumed: taken, or dropped and counted), 0 otherwise. */
    int (*icmp_error)(toe_dev *dev, const uint8_t *ip, size_t len);
    /* After the turn's read and dispatch: what the layer does outside dispatch. Never blocks
     * (CSR round trips are asynchronous requests with completions). */
    void (*work)(toe_dev *dev);
    /* toe_close, from the top layer down. */
    void (*free)(toe_dev *dev);
};
#define TOE_MAX_LAYERS 4

struct toe_raw_frame {
    uint16_t len;
    uint8_t verdict;
    uint64_t time;
    uint8_t data[TOE_RAW_FRAME_MAX];
};

/* ---- net layer ---------------------------------------------------------------------- */

#define TOE_ARP_ENTRIES 32
#define TOE_ARP_PENDING 16     /* frames waiting on resolution, all next hops together */
#define TOE_ARP_RETRY_MS 300
#define TOE_ARP_TRIES 5
#define TOE_ARP_TTL_MS 60000
#define TOE_PING_REPLIES 16

enum toe_arp_state { TOE_ARP_FREE, TOE_ARP_PENDING_ST, TOE_ARP_VALID };

struct toe_arp_entry {
    uint8_t state;
    uint32_t ip;
    uint8_t mac[6];
    uint64_t expires;   /* device us, VALID */
    uint64_t retry_at;  /* device us, PENDING */
    int tries;
};

struct toe_pending {
    uint8_t used;
    uint32_t next_hop;
    uint16_t len;
    uint8_t flags;
    uint8_t frame[TOE_RAW_FRAME_MAX];
};

struct toe_ping_reply {
    uint8_t used;
    uint16_t seq;
    uint8_t ttl;
    uint64_t host_us;
};

struct toe_net {
    int have_cfg;
    uint8_t mac[6];
    uint32_t ip, netmask, gateway;
    struct toe_arp_entry arp[TOE_ARP_ENTRIES];
    struct toe_pending *pend; /* TOE_ARP_PENDING entries */
    uint16_t ping_id, ping_seq;
    struct toe_ping_reply replies[TOE_PING_REPLIES];
};

struct toe_dev {
    struct toe_transport tr;
    char spec[256];
    char err[TOE_ERRBUF_SIZE];
    int dead; /* transport failed: every later call fails with this */

    struct toe_link_rx rx;
    uint8_t *txbuf;
    size_t txlen, txcap;
    uint8_t *rdbuf;
    size_t rdcap;
    int input_unseen; /* bytes read since the last toe_handle_events (toe_next_timeout: 0) */
    int in_turn;      /* inside dev_turn: a nested one is refused */

    uint64_t hs[TOE_HSTAT_COUNT];

    struct toe_csr_req req[TOE_NTAGS];
    uint8_t next_tag;
    int retry_ms, retries;
    uint32_t session;   /* link session number (docs/LINK.md section 2); 0: none */
    int session_wait;   /* SESSION sent, its SESSION_ACK not seen: device messages are stale */

    int have_seq;
    uint16_t next_seq;
    toe_event_cb ev_cb;
    void *ev_user;
    int alarm_armed, alarm_fired;
    uint64_t alarm_at, alarm_fired_time, gaps_at_arm;
    struct {
        int busy;        /* ALARM_LO or ALARM_HI written, not answered yet */
        uint64_t at;
        toe_csr_done cb; /* the arming's completion (NULL: nobody waits) */
        void *ctx;
    } arm;
    /* The device's clock as last seen on the link (clock.c, "device time"): the stamp (0: none
     * yet), the host time it came, the host time of the last probe sent to confirm a deadline,
     * and, while a deadline waits for the device's clock, the host time since which the link
     * has brought nothing (0: no deadline waits). */
    uint64_t dt_us, dt_host_us, dt_probe_host_us, dt_quiet_host_us;
    int no_probe; /* opened with toe_open_opts.no_probe: the device may not be a toe (clock.c) */

    struct toe_raw_frame *rawq;
    unsigned rawq_cap, rawq_head, rawq_n;

    const struct toe_layer *layers[TOE_MAX_LAYERS]; /* from the bottom: net, then TCP */
    void *layer_priv[TOE_MAX_LAYERS];               /* each layer's own state */
    unsigned nlayers;

    struct toe_net net;
};

/* ---- clocks and deadlines (clock.c) ------------------------------------------------ */

/* Host time: the clock of the link's own waits (transports) and of the device-time estimate:
 * CLOCK_MONOTONIC, or the clock installed with toe_set_clock. */
uint64_t toe_now_ms(void);
uint64_t toe_now_us(void);
/* Replace the host clock for the calling thread's handles (a handle belongs to one thread):
 * a program that runs the device in simulated time (tests/conformance) passes its clock, in
 * microseconds, so that every wait is exact and repeatable. NULL restores CLOCK_MONOTONIC. */
void toe_set_clock(uint64_t (*now_us)(void *priv), void *priv);
/* A host-time deadline (ms, UINT64_MAX for timeout_ms < 0) and the ms left to it, capped to
 * cap_ms (0 once passed). For transports only: API timeouts are device time. */
uint64_t toe_host_deadline(int timeout_ms);
int toe_host_remaining(uint64_t deadline, int cap_ms);
/* A wait of ms milliseconds as an int, at most cap_ms (no cap when negative). */
int toe_wait_clamp(uint64_t ms, int cap_ms);

/* Device time: every API timeout and timer is a deadline on the device's clock (clock.c
 * explains the estimate). toe_deadline: now + timeout_ms in device us (UINT64_MAX for
 * timeout_ms < 0). toe_remaining: host ms to wait on the link before looking again, capped to
 * cap_ms; 0 only once the device's time has passed the deadline (seen in a stamp from the
 * device; or on host time while no stamp was ever seen, or once the deadline has waited for
 * a stamp for TOE_TIME_SILENT_MS). It may queue a time probe (flushed by the next engine
 * turn). toe_dev_wait_ms: the same wait without probing, for next_timeout hooks (the timers
 * hook's toe_remaining sends the probe). */
#define TOE_TIME_PROBE_MS 10
#define TOE_TIME_SILENT_MS 2000
void toe_dev_note_time(toe_dev *dev, uint64_t us);
uint64_t toe_dev_now_us(const toe_dev *dev);
/* The 64-bit device time nearest to the last one seen with these low bits. */
uint64_t toe_dev_time_from_lo(const toe_dev *dev, uint32_t lo);
uint64_t toe_deadline(const toe_dev *dev, int timeout_ms);
int toe_remaining(toe_dev *dev, uint64_t deadline, int cap_ms);
int toe_dev_wait_ms(const toe_dev *dev, uint64_t deadline);
/* toe_raw_recv to a device-time deadline (nonblock: one turn, no wait). */
int toe_raw_recv_until(toe_dev *dev, void *buf, size_t cap, size_t *len, unsigned *verdict,
                       uint64_t *time_us, uint64_t deadline, int nonblock);

/* err.c: the handle's last error (returns err), and snprintf that tolerates NULL. */
int toe_seterr(toe_dev *dev, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void toe_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Queue one message for the next write (coalesced). Returns 0, TOE_EINVAL, TOE_ENOMEM. */
int toe_dev_queue(toe_dev *dev, const struct toe_msg *m);
/* Write everything queued, waiting up to timeout_ms. */
int toe_dev_flush(toe_dev *dev, int timeout_ms);
/* One engine turn: flush, read (waiting up to wait_ms), dispatch, timers. */
int toe_dev_turn(toe_dev *dev, int wait_ms);

/* Write up to 128 CSRs in one batch (in order, all answers awaited). Returns 0 or the first
 * error. */
int toe_csr_write_many(toe_dev *dev, const uint16_t *addrs, const uint32_t *values, size_t n,
                       int timeout_ms);
/* A CSR request nobody waits for (resent like the others): cb(dev, ctx, ...) is called once
 * with its result (cb must not be NULL). Returns 0, or an error (then cb is never called). */
int toe_csr_async(toe_dev *dev, int is_write, uint16_t addr, uint32_t value, toe_csr_done cb,
                  void *ctx);
/* Forget the unanswered asynchronous requests of (cb, ctx) without calling cb (a layer's
 * object is about to be reused: a late resend must not reach its next user). */
void toe_csr_cancel(toe_dev *dev, toe_csr_done cb, const void *ctx);
/* Ask for the device's time without waiting (an async read of TIME_LO). The device answers
 * after it has taken every message queued before, so the time is no earlier than theirs;
 * the answer goes to the device-time estimate and to every layer's time hook. Returns 0 or
 * an error. */
int toe_time_probe(toe_dev *dev);
/* A time probe still waits for its answer (so one more would only queue behind it). */
int toe_time_probe_pending(const toe_dev *dev);
/* Read n CSRs (1..TOE_CSR_GROUP_MAX) without waiting, as one group: cb(dev, ctx, result, vals)
 * is called once, when every one is answered (result: 0 or the first error; vals in the order
 * of addrs). Returns 0, or an error (then cb is never called). */
#define TOE_CSR_GROUP_MAX 16
typedef void (*toe_csr_group_done)(toe_dev *dev, void *ctx, int result, const uint32_t *vals);
int toe_csr_read_async_many(toe_dev *dev, const uint16_t *addrs, size_t n, toe_csr_group_done cb,
                            void *ctx);
/* Write n CSRs (1..TOE_CSR_GROUP_MAX) in order without waiting, as one group: cb as for
 * toe_csr_read_async_many (vals: the values written). */
int toe_csr_write_async_many(toe_dev *dev, const uint16_t *addrs, const uint32_t *values,
                             size_t n, toe_csr_group_done cb, void *ctx);
/* Arm the device's alarm at at_us without waiting (ALARM_LO, then ALARM_HI once LO is
 * answered): cb(dev, ctx, result, 0) once HI is answered or the arming failed. One arming at
 * a time (TOE_ENOSPC while one is under way). Returns 0 or an error (then cb is never
 * called). toe_alarm_set is this and a wait. */
int toe_alarm_set_async(toe_dev *dev, uint64_t at_us, toe_csr_done cb, void *ctx);
/* Forget every unanswered asynchronous request and group whose ctx is ctx, calling nothing
 * (the object ctx names is being freed). */
void toe_csr_cancel_ctx(toe_dev *dev, const void *ctx);
/* Put a layer, with its own state priv, on top of the others (toe_close frees it first).
 * Returns 0 or TOE_ENOMEM. */
int toe_dev_add_layer(toe_dev *dev, const struct toe_layer *l, void *priv);
/* The state a layer was added with (NULL: the layer is not there, or being freed). */
void *toe_dev_layer(const toe_dev *dev, const struct toe_layer *l);
/* Messages lost or damaged on the link so far (bad frames and CRCs, bad messages, event
 * gaps): a layer that mirrors device state reads it again when this moves. */
uint64_t toe_dev_link_errors(const toe_dev *dev);

/* The net layer (net.c): the first layer, registered by toe_net_init. */
int toe_net_init(toe_dev *dev);
void toe_net_free(toe_dev *dev);
/* A RAW_RX frame: returns 1 if the net layer consumed it. */
int toe_net_input(toe_dev *dev, const uint8_t *frame, size_t len, unsigned verdict,
                  uint64_t dev_time);
/* The next hop's MAC for ip without waiting or turning the engine (for a layer's work): 0
 * (mac filled), TOE_EAGAIN (resolution under way, started if need be), TOE_EUNREACH (no
 * entry and an ARP resolution failed since the caller's mark fails, dev->hs[ARP_FAIL] when
 * it began waiting), TOE_ENOSPC, or a next-hop error. */
int toe_arp_poll(toe_dev *dev, uint32_t ip, uint8_t mac[6], uint64_t fails);
/* The device's own addresses (read once per handle). */
int toe_net_cfg(toe_dev *dev, int timeout_ms);
/* Negative advice (RFC 1122 2.3.2.1): a segment to ip went unanswered. Copies the next hop's
 * current MAC into mac if known (a later ARP reply may have changed it) and asks again; the
 * caller's backoff paces the requests. */
void toe_arp_revalidate(toe_dev *dev, uint32_t ip, uint8_t mac[6]);
/* Queue an IPv4 packet in a RAW_TX frame to a known next-hop MAC. */
int toe_net_send_to(toe_dev *dev, const uint8_t mac[6], const uint8_t *pkt, size_t len,
                    unsigned flags);

/* Big-endian field access for frames and messages. */
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) << 16 | rd16(p + 2); }
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)(v >> 16)); wr16(p + 2, (uint16_t)v); }

/* SipHash-2-4 of len bytes under a 128-bit key (random.c). */
uint64_t toe_siphash24(const uint8_t key[16], const void *data, size_t len);
/* Fill buf with n bytes from the kernel's random source (getrandom). Returns 0 or TOE_EIO. */
int toe_random(void *buf, size_t n);

#endif
