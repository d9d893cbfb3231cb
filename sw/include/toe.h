/* SPDX-License-Identifier: MIT */
/* toe.h: libtoe, the host library of the toe TCP offload engine.
 *
 * A toe_dev is one open link to one device (an FPGA board over USB, or the virtual board's
 * Unix socket). Everything the library keeps hangs off the handle; there is no global state.
 *
 * Threading: a handle belongs to one thread at a time. Different handles may be used from
 * different threads concurrently. Callbacks run on the calling thread, from inside the call
 * that is waiting on the link, and must not call back into the same handle.
 *
 * Errors: every call returns 0 or a negative enum toe_error. Counts come back through
 * out-parameters, filled even when the call fails part-way. Timeouts are in milliseconds:
 * 0 = do not block, -1 = no caller deadline (retry limits still bound every wait).
 * Multi-byte values are host order in the API; IPv4 addresses are uint32_t in host order
 * (10.0.2.2 is 0x0a000202).
 */
#ifndef TOE_H
#define TOE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbols exported from the shared library (built with -fvisibility=hidden). */
#if defined(TOE_BUILD_SHARED) && defined(__GNUC__)
#define TOE_API __attribute__((visibility("default")))
#else
#define TOE_API
#endif

typedef struct toe_dev toe_dev;

enum toe_error {
    TOE_OK = 0,
    TOE_EINVAL = -1,    /* bad argument or malformed device string */
    TOE_ENODEV = -2,    /* no such device, cannot connect, or the device went away */
    TOE_EIO = -3,       /* transport read/write failed */
    TOE_ETIMEDOUT = -4, /* no answer in time (retries included) */
    TOE_ENOMEM = -5,    /* allocation failed */
    TOE_EOVERFLOW = -6, /* caller's buffer too small (the data was dropped) */
    TOE_EBADADDR = -7,  /* the device does not know this CSR address */
    TOE_EREADONLY = -8, /* the CSR is read-only */
    TOE_EBADREQ = -9,   /* the device rejected the request as malformed */
    TOE_EPROTO = -10,   /* the device answered something unexpected (wrong ID, bad status) */
    TOE_EUNREACH = -11, /* ARP resolution of the next hop failed */
    TOE_ENOSPC = -12,   /* a bounded queue is full */
    TOE_ENOTSUP = -13,  /* not supported by this build or transport */
    TOE_EAGAIN = -14,   /* nothing available now (timeout 0) */
};

/* Error text for humans ("timed out") and the enum name ("TOE_ETIMEDOUT"). Never NULL. */
TOE_API const char *toe_strerror(int err);
TOE_API const char *toe_error_name(int err);

/* Size of the error detail buffers; messages longer than this are cut. */
#define TOE_ERRBUF_SIZE 256

struct toe_open_opts {
    /* Where toe_open() writes a one-line reason when it fails (e.g. "no FTDI device
     * 0403:6014 found"). NULL: no detail. errbuf_size 0 means TOE_ERRBUF_SIZE. */
    char *errbuf;
    size_t errbuf_size;
    /* Resend a CSR request after this long without a RESP. 0: 200 ms. */
    int csr_retry_ms;
    /* Resends before a CSR request fails with TOE_ETIMEDOUT. 0: 4; -1: none. */
    int csr_retries;
    /* Received raw frames kept for toe_raw_recv(); more are dropped and counted. 0: 256. */
    unsigned raw_queue_len;
    /* Skip the ID check on open (talk to a device that is not (yet) a toe). */
    int no_probe;
};

/* Open a device.
 *   dev   out: the new handle (NULL on failure)
 *   spec  device string: "sim:PATH", "ftdi-fifo:[VID:PID][:SERIAL]",
 *         "ftdi-uart:[VID:PID][:IFACE]@BAUD" (IFACE A-D, default B, VID:PID 0403:6010),
 *         "tty:/dev/PATH@BAUD". ftdi-fifo defaults to VID:PID 0403:6014.
 *   opts  NULL for defaults
 * Unless opts->no_probe, reads the ID CSR and checks it is TOE_CONST_ID (blocks up to about
 * one second).
 * Returns 0, TOE_EINVAL (bad string or arguments), TOE_ENODEV (no device, cannot connect),
 * TOE_ENOTSUP (transport not built in), TOE_EIO, TOE_ETIMEDOUT (no answer to the probe),
 * TOE_EPROTO (wrong ID), TOE_ENOMEM. */
TOE_API int toe_open(toe_dev **dev, const char *spec, const struct toe_open_opts *opts);

/* Close the handle and free everything; NULL is fine. Does not block (pending output that
 * cannot be written at once is dropped). */
TOE_API void toe_close(toe_dev *dev);

/* The one-line detail of the last failed call on this handle ("" if none). Never NULL. */
TOE_API const char *toe_last_error(const toe_dev *dev);

/* The device string the handle was opened with. */
TOE_API const char *toe_device_spec(const toe_dev *dev);

/* Read or write a CSR (docs/LINK.md section 3). Blocks up to timeout_ms; resends after
 * csr_retry_ms without an answer.
 * Returns 0, TOE_EINVAL (NULL value), TOE_ETIMEDOUT, TOE_EBADADDR, TOE_EREADONLY,
 * TOE_EBADREQ, TOE_EPROTO (unknown status), TOE_EIO / TOE_ENODEV (link failed). */
TOE_API int toe_csr_read(toe_dev *dev, uint16_t addr, uint32_t *value, int timeout_ms);
TOE_API int toe_csr_write(toe_dev *dev, uint16_t addr, uint32_t value, int timeout_ms);

/* Read n CSRs in one batch (all requests in one write; answers in any order).
 *   addrs, values  n entries each; values[i] is 0 for a read that failed
 *   got            out, optional: number of reads that succeeded
 * Returns 0 if all succeeded, else the first error (as toe_csr_read). Blocks. */
TOE_API int toe_csr_read_many(toe_dev *dev, const uint16_t *addrs, uint32_t *values, size_t n,
                      size_t *got, int timeout_ms);

/* Device identity and capabilities. */
struct toe_info {
    uint32_t id;        /* TOE_CONST_ID */
    uint32_t version;   /* major << 16 | minor << 8 | patch */
    uint32_t caps;      /* raw CAPS CSR */
    unsigned slots;     /* connection slots */
    unsigned link_kind; /* TOE_CONST_LINK_* */
    uint32_t link_rate; /* link PHY payload rate, bytes/s */
    uint8_t mac[6];
    uint32_t ip, netmask, gateway;
};

/* Read ID, VERSION, CAPS, LINK_RATE, MAC, IP, NETMASK, GATEWAY in one batch. Blocks.
 * Returns 0, TOE_EINVAL (NULL info) or a CSR error. */
TOE_API int toe_get_info(toe_dev *dev, struct toe_info *info, int timeout_ms);

/* "sim", "uart", "ft245" or "unknown". */
TOE_API const char *toe_link_kind_name(unsigned kind);

/* Device statistics counters (TOE_STAT_* indices in spec/toe.spec).
 *   values  out: up to n counters, from index 0
 *   got     out, optional: counters read (filled on failure too)
 * Returns 0 or a CSR error. Blocks (one batch). */
TOE_API int toe_read_stats(toe_dev *dev, uint32_t *values, size_t n, size_t *got, int timeout_ms);
/* Number of device counters and the name of counter i ("rx_frames"); NULL if out of range. */
TOE_API unsigned toe_stat_count(void);
TOE_API const char *toe_stat_name(unsigned i);

/* Host-side counters of the link and the host stack, kept per handle. */
enum toe_host_stat {
    TOE_HSTAT_LINK_RX_BYTES,
    TOE_HSTAT_LINK_TX_BYTES,
    TOE_HSTAT_LINK_RX_MSGS,      /* good messages from the device */
    TOE_HSTAT_LINK_TX_MSGS,      /* messages sent */
    TOE_HSTAT_LINK_RX_BAD_FRAME, /* too short, too long, malformed COBS */
    TOE_HSTAT_LINK_RX_BAD_CRC,
    TOE_HSTAT_LINK_RX_BAD_MSG,   /* good CRC, unknown type or wrong length */
    TOE_HSTAT_LINK_TX_WRITES,    /* transport writes (messages are batched) */
    TOE_HSTAT_EVENTS,
    TOE_HSTAT_EVENT_GAPS,        /* events lost, by sequence number */
    TOE_HSTAT_CSR_RETRIES,       /* CSR requests resent */
    TOE_HSTAT_CSR_TIMEOUTS,      /* CSR requests given up */
    TOE_HSTAT_RESP_STALE,        /* RESP with a tag nothing waits for */
    TOE_HSTAT_RAW_RX,            /* RAW_RX frames received */
    TOE_HSTAT_RAW_RX_DROP,       /* RAW_RX frames dropped: raw queue full */
    TOE_HSTAT_RAW_TX,
    TOE_HSTAT_RX_DATA_DROP,      /* RX_DATA with no consumer yet */
    TOE_HSTAT_ARP_REQ_SENT,
    TOE_HSTAT_ARP_REPLY_RX,
    TOE_HSTAT_ARP_FAIL,          /* resolutions given up */
    TOE_HSTAT_ARP_PENDING_DROP,  /* frames dropped: pending queue full or resolution failed */
    TOE_HSTAT_ICMP_RX,           /* echo replies taken by toe_ping */
    TOE_HSTAT_COUNT
};

/* Read host counters 0..n-1 into values; *got (optional) the number filled. Never blocks.
 * Returns 0 or TOE_EINVAL. */
TOE_API int toe_host_stats(toe_dev *dev, uint64_t *values, size_t n, size_t *got);
/* Name of host counter i ("link_rx_bad_crc"); NULL if out of range. */
TOE_API const char *toe_host_stat_name(unsigned i);

/* Run the event engine once: write queued messages, read what the link has (waiting up to
 * timeout_ms for the first byte), dispatch events and frames, run ARP timers.
 * Returns 0, TOE_EIO or TOE_ENODEV. */
TOE_API int toe_poll(toe_dev *dev, int timeout_ms);

/* Device time in microseconds, read through TIME_LO/TIME_HI. Blocks.
 * Returns 0, TOE_EINVAL or a CSR error. */
TOE_API int toe_time(toe_dev *dev, uint64_t *us, int timeout_ms);

/* Arm the alarm for device time at_us (fires at once if already past). Replaces an armed
 * alarm. Blocks for the two CSR writes. Returns 0 or a CSR error. */
TOE_API int toe_alarm_set(toe_dev *dev, uint64_t at_us, int timeout_ms);
/* Wait for the armed alarm. fired_us (optional): the device time of the ALARM event.
 * If events were lost meanwhile, re-reads the device time to decide.
 * Returns 0, TOE_EINVAL (no alarm armed), TOE_ETIMEDOUT, TOE_EAGAIN (timeout 0, not yet). */
TOE_API int toe_alarm_wait(toe_dev *dev, uint64_t *fired_us, int timeout_ms);

/* Every EVENT from the device, as it is dispatched. */
typedef void (*toe_event_cb)(void *user, unsigned kind, uint16_t seq, uint64_t time_us,
                             const uint8_t *fields, size_t len);
/* Set or clear (cb NULL) the event callback. Returns 0 or TOE_EINVAL. */
TOE_API int toe_set_event_cb(toe_dev *dev, toe_event_cb cb, void *user);

/* Send an Ethernet frame (no preamble, padding or FCS; 14..1514 bytes) through the device.
 * flags: TOE_CONST_RAW_CSUM_IP, TOE_CONST_RAW_CSUM_L4. The frame is copied and written with
 * whatever else is queued; waits up to timeout_ms for the write.
 * Returns 0, TOE_EINVAL (NULL frame, bad length, unknown flags), TOE_EIO, TOE_ENODEV,
 * TOE_ETIMEDOUT (not written in time; still queued). */
TOE_API int toe_raw_send(toe_dev *dev, const void *frame, size_t len, unsigned flags, int timeout_ms);

/* Receive a frame the device sent up (RAW_RX), oldest first. Frames the library consumes
 * (ARP replies, echo replies for toe_ping) do not appear here.
 *   buf, cap  caller's buffer
 *   len       out: frame length (set even for TOE_EOVERFLOW; the frame is then dropped)
 *   verdict   out, optional: the receive verdict (a TOE_STAT_RX_* index)
 *   time_us   out, optional: device time of arrival
 * Returns 0, TOE_EINVAL, TOE_EOVERFLOW, TOE_EAGAIN (timeout 0 and none queued),
 * TOE_ETIMEDOUT, TOE_EIO, TOE_ENODEV. Blocks up to timeout_ms. */
TOE_API int toe_raw_recv(toe_dev *dev, void *buf, size_t cap, size_t *len, unsigned *verdict,
                 uint64_t *time_us, int timeout_ms);

/* Resolve an IPv4 address on the device's subnet (or its gateway) to a MAC, using the
 * handle's ARP cache; sends ARP requests through the device and retries.
 *   ip   target address; off-subnet addresses resolve the gateway
 *   mac  out: 6 bytes
 * Returns 0, TOE_EINVAL, TOE_EUNREACH (no answer after retries, or no gateway),
 * TOE_ETIMEDOUT (caller's timeout first), TOE_EAGAIN (timeout 0, not resolved yet; the
 * resolution goes on in later calls), TOE_ENOSPC (cache full of resolutions in progress),
 * a CSR error (reading the device's own addresses), TOE_EIO, TOE_ENODEV. Blocks. */
TOE_API int toe_arp_resolve(toe_dev *dev, uint32_t ip, uint8_t mac[6], int timeout_ms);

/* Send an IPv4 datagram (20..1500 bytes, header included) to the next hop of its
 * destination without blocking: if the next hop's MAC is not in the cache, the frame waits in
 * a bounded per-handle queue while ARP runs (toe_poll and every blocking call drive it; a
 * failed resolution drops and counts it).
 *   flags  TOE_CONST_RAW_CSUM_* for the device to fill in checksums
 * Returns 0 (sent or queued), TOE_EINVAL, TOE_ENOSPC (pending queue full; counted),
 * TOE_EUNREACH (off-subnet and no gateway), a CSR error (reading the device's address),
 * TOE_EIO, TOE_ENODEV. Blocks only to read the device's MAC/IP CSRs the first time. */
TOE_API int toe_ip_send(toe_dev *dev, const void *packet, size_t len, unsigned flags);

/* Send one ICMP echo request to ip with payload_len bytes of payload (0..1472) and wait for
 * the reply.
 *   seq      ICMP sequence number to use
 *   rtt_us   out: round trip; both ends on host time (send instant to the moment the reply
 *            is read from the link), so it includes the link latency both ways
 *   ttl      out, optional: TTL of the reply
 * Returns 0, TOE_EINVAL, TOE_ETIMEDOUT, TOE_EUNREACH (ARP failed), TOE_EAGAIN (timeout 0
 * and the next hop not resolved yet), a CSR error, TOE_EIO, TOE_ENODEV.
 * Blocks up to timeout_ms (ARP included); -1 waits at most 10 s for the reply. */
TOE_API int toe_ping_seq(toe_dev *dev, uint32_t ip, uint16_t seq, size_t payload_len, int timeout_ms,
                 uint32_t *rtt_us, unsigned *ttl);
/* toe_ping_seq with the handle's next sequence number and no TTL. */
TOE_API int toe_ping(toe_dev *dev, uint32_t ip, size_t payload_len, int timeout_ms, uint32_t *rtt_us);

#ifdef __cplusplus
}
#endif

#endif
