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
 *
 * Time: every timeout_ms (CSR calls, poll, alarm, raw frames, ARP, ping, DNS, TCP connect,
 * accept, send, recv, shutdown, close, poll, HTTP) is device time: the call ends once the
 * device's clock (TIME_LO/TIME_HI) has passed the deadline, so a timeout means the same on a
 * board and in the simulator, which runs many times slower than real time. The handle
 * estimates device time from the last device timestamp seen on the link (events, raw
 * frames) plus the host time since, and confirms a deadline with asynchronous reads of
 * TIME_LO (at most one per 10 ms of host time, only once the estimate has passed it). On a
 * board the two clocks agree and a timeout ends about one link round trip after the same
 * host time; a device whose clock stops answering (2 s of host time) no longer holds a
 * wait. Link-level retries (CSR resends, a transport's write bound) run on host time.
 * Multi-byte values are host order in the API; IPv4 addresses are uint32_t in host order
 * (10.0.2.2 is 0x0a000202).
 */
#ifndef TOE_H
#define TOE_H

#include <stddef.h>
#include <stdint.h>

/* The TOE_CONST_*, TOE_STAT_* and TOE_CSR_* numbers named below, generated from spec/toe.spec
 * and installed next to this header. */
#include "toe_defs.h"

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
    TOE_ETIMEDOUT = -4, /* no answer in time (retries included); on a TCP socket also: the
                         * connection was given up after unanswered keepalive probes */
    TOE_ENOMEM = -5,    /* allocation failed */
    TOE_EOVERFLOW = -6, /* caller's buffer too small (the data was dropped) */
    TOE_EBADADDR = -7,  /* the device does not know this CSR address */
    TOE_EREADONLY = -8, /* the CSR is read-only */
    TOE_EBADREQ = -9,   /* the device rejected the request as malformed */
    TOE_EPROTO = -10,   /* the device answered something unexpected (wrong ID, bad status) */
    TOE_EUNREACH = -11, /* ARP resolution of the next hop failed; on a TCP socket also: an
                         * ICMP error said the destination cannot be reached (administratively
                         * prohibited, or net/host unreachable before a timeout) */
    TOE_ENOSPC = -12,   /* a bounded queue is full */
    TOE_ENOTSUP = -13,  /* not supported by this build or transport */
    TOE_EAGAIN = -14,   /* nothing available now (timeout 0) */
    TOE_ECONNREFUSED = -15, /* the peer answered the SYN with a RST */
    TOE_ECONNRESET = -16,   /* the peer reset the connection (an acceptable RST) */
    TOE_ENOTCONN = -17,     /* the socket is not connected (or not listening) */
    TOE_EADDRINUSE = -18,   /* the local port is in use */
    TOE_ENOSLOT = -19,      /* every connection slot of the device is in use (or it has none) */
    TOE_EISCONN = -20,      /* the socket is already connected, connecting or listening */
    TOE_EPIPE = -21,        /* send after shutdown */
    TOE_ECONNABORTED = -22, /* the connection was given up: retransmissions or zero-window
                             * probes unanswered for the user timeout (R2), SYN or SYN-ACK
                             * retries exhausted, or the device went away */
    TOE_EADDRNOTAVAIL = -23, /* the address cannot be a TCP peer: 0.0.0.0/8, loopback 127/8,
                              * multicast 224/4, class E 240/4 (255.255.255.255 included), the
                              * subnet broadcast or the device's own address (RFC 1122
                              * 4.2.3.10, RFC 9293 MUST-46) */
    TOE_EINTR = -24,         /* a signal interrupted a wait (poll or read on the transport);
                              * nothing is lost: call again, or handle the signal first */
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
    /* Resend a CSR request after this long of device time without a RESP. 0: 200 ms. */
    int csr_retry_ms;
    /* Resends before a CSR request fails with TOE_ETIMEDOUT. 0: 4; -1: none. */
    int csr_retries;
    /* Received raw frames kept for toe_raw_recv(); more are dropped and counted. 0: 256. */
    unsigned raw_queue_len;
    /* Skip the link session and the ID check on open (talk to a device that is not (yet) a
     * toe): no round trip at open, and no fence against a previous host's answers. */
    int no_probe;
};

/* Open a device.
 *   dev   out: the new handle (NULL on failure)
 *   spec  device string: "sim:PATH", "ftdi-fifo:[VID:PID][:SERIAL]",
 *         "ftdi-uart:[VID:PID][:IFACE]@BAUD" (IFACE A-D, default B, VID:PID 0403:6010),
 *         "tty:/dev/PATH@BAUD". ftdi-fifo defaults to VID:PID 0403:6014.
 *   opts  NULL for defaults
 * Unless opts->no_probe, opens a link session (docs/LINK.md section 2: whatever the device
 * still sends for a previous host is dropped, counted in TOE_HSTAT_LINK_RX_STALE), then reads
 * the ID CSR and checks it is TOE_CONST_ID. Blocks for one round trip when the device answers,
 * however slowly (a request is resent only once the link has brought nothing for 2 s); a
 * device that does not answer takes those 2 s plus (csr_retries + 1) * csr_retry_ms for the
 * session and a second more, then as long again without the 2 s for the probe (about 5 to
 * 6 s with the defaults).
 * Returns 0, TOE_EINVAL (bad string or arguments), TOE_ENODEV (no device, cannot connect),
 * TOE_ENOTSUP (transport not built in), TOE_EIO, TOE_ETIMEDOUT (no answer to the probe),
 * TOE_EPROTO (wrong ID), TOE_ENOMEM. */
TOE_API int toe_open(toe_dev **dev, const char *spec, const struct toe_open_opts *opts);

/* Close the handle and free everything; NULL is fine. Does not block (pending output that
 * cannot be written at once is dropped). */
TOE_API void toe_close(toe_dev *dev);

/* The one-line detail of the last failed call on this handle ("" if none). Never NULL. */
TOE_API const char *toe_last_error(const toe_dev *dev);

/* For libraries built on this API (libtoe's own HTTP and DNS, sw/app/): set the handle's
 * error detail (printf format; what toe_last_error returns next) and return err; count one
 * event in host counter stat (as TOE_HSTAT_DNS_DROP; toe_host_stats reads it; an index out
 * of range is ignored). Neither blocks. */
TOE_API int toe_set_error(toe_dev *dev, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
TOE_API void toe_host_stat_count(toe_dev *dev, unsigned stat);

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
    TOE_HSTAT_TCP_ACTIVE_OPENS,  /* connections established by toe_tcp_connect */
    TOE_HSTAT_TCP_PASSIVE_OPENS, /* connections established on a listening socket */
    TOE_HSTAT_TCP_SEG_BAD,       /* slow-path TCP segments dropped: malformed, or not for us */
    TOE_HSTAT_TCP_RST_RX,        /* RSTs that reset or refused a connection */
    TOE_HSTAT_TCP_RST_TX,        /* RSTs sent (no such connection, abort) */
    TOE_HSTAT_TCP_CHALLENGE_ACK, /* challenge ACKs (RFC 5961: RST or SYN not exactly acceptable) */
    TOE_HSTAT_TCP_SYN_RETRANS,   /* SYNs and SYN-ACKs sent again */
    TOE_HSTAT_TCP_LISTEN_DROP,   /* SYNs dropped: backlog full or no free slot */
    TOE_HSTAT_TCP_NO_SLOT,       /* no free slot: SYNs to a listener dropped after waiting 1 s
                                  * for one (also in LISTEN_DROP), connects refused
                                  * (TOE_ENOSLOT) */
    TOE_HSTAT_TCP_RTO,           /* retransmission timeouts (go-back-N from SND.UNA) */
    TOE_HSTAT_TCP_PROBES,        /* zero-window probes */
    TOE_HSTAT_TCP_KEEPALIVES,    /* keepalive probes */
    TOE_HSTAT_TCP_FAST_REXMIT,   /* fast retransmits reported by the device */
    TOE_HSTAT_TCP_TIMEOUTS,      /* connections given up (user timeout, SYN retries, keepalive) */
    TOE_HSTAT_TCP_RX_GAP,        /* RX_DATA beyond the expected seq (a message lost): resend asked */
    TOE_HSTAT_TCP_RX_DUP,        /* RX_DATA messages that were wholly or partly old (trimmed) */
    TOE_HSTAT_TCP_RX_BAD,        /* RX_DATA or SLOT events for no connection, or out of range */
    TOE_HSTAT_TCP_TX_RESYNC,     /* TX_END behind the host's (a TX_DATA lost): written again */
    TOE_HSTAT_TCP_RESYNCS,       /* slot state re-read after link errors or event gaps */
    TOE_HSTAT_TCP_ASYNC_FAIL,    /* slot commands sent without waiting that got no RESP or an error */
    TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED, /* challenge ACKs not sent: over the per-second limit */
    TOE_HSTAT_TCP_KEEPALIVE_DROPS, /* connections given up: TOE_TCP_KEEPCNT probes unanswered */
    TOE_HSTAT_TCP_RX_BAD_SOURCE, /* slow-path segments dropped unanswered: the source cannot be a
                                  * peer (broadcast, multicast, class E, 0/8, loopback, ours) */
    TOE_HSTAT_TCP_ICMP_RX,       /* ICMP errors taken for a TCP connection (RFC 1122 4.2.3.9) */
    TOE_HSTAT_TCP_ICMP_DROP,     /* ICMP errors about TCP dropped: malformed, no such connection,
                                  * or the quoted sequence number not in flight (RFC 5927) */
    TOE_HSTAT_TCP_PMTU,          /* MSS lowered by ICMP Fragmentation Needed (RFC 1191) */
    TOE_HSTAT_DNS_DROP,          /* DNS answers dropped: another port, ID or question, or a bad
                                  * UDP checksum (toe_dns_resolve) */
    TOE_HSTAT_TCP_TW_DROPPED,    /* TIME-WAIT records dropped before their time: the table was
                                  * full (the one nearest its end goes) */
    TOE_HSTAT_TCP_TW_REOPENED,   /* connections in TIME-WAIT reopened by a new SYN with a higher
                                  * sequence number (RFC 9293 3.6.1, RFC 6191) */
    TOE_HSTAT_LINK_RX_STALE,     /* device messages dropped at open: sent before the SESSION_ACK
                                  * of this handle's link session (docs/LINK.md section 2) */
    TOE_HSTAT_LINK_NO_SESSION,   /* 1: the device did not answer SESSION (a bitstream from
                                  * before link sessions); the link is not fenced */
    TOE_HSTAT_ARP_REVALIDATE,    /* ARP requests for a known next hop, on TCP's advice that its
                                  * SYN went unanswered (RFC 1122 2.3.2.1) */
    TOE_HSTAT_TCP_RX_LOST,       /* connections aborted (TOE_EIO): received data lost on the link
                                  * that the device could no longer send again */
    TOE_HSTAT_COUNT
};

/* Read host counters 0..n-1 into values; *got (optional) the number filled. Never blocks.
 * Returns 0 or TOE_EINVAL. */
TOE_API int toe_host_stats(toe_dev *dev, uint64_t *values, size_t n, size_t *got);
/* Name of host counter i ("link_rx_bad_crc"); NULL if out of range. */
TOE_API const char *toe_host_stat_name(unsigned i);

/* Run the event engine once: write queued messages, read what the link has (waiting up to
 * timeout_ms for the first byte), dispatch events and frames, run ARP timers.
 * Returns 0, TOE_EINTR (a signal came during the wait), TOE_EIO or TOE_ENODEV. */
TOE_API int toe_poll(toe_dev *dev, int timeout_ms);

/* ---- event-loop integration ----------------------------------------------------------
 * A program with its own loop (poll, epoll, libevent, ...) waits on the transport's file
 * descriptor and on the engine's next deadline, and calls toe_handle_events when either is
 * due; nothing else needs a turn. Blocking calls (CSR reads, toe_tcp_recv, ...) still work
 * in between: they turn the engine themselves. A signal delivered during any wait of the
 * library ends that call with TOE_EINTR (the handle stays usable). The engine does not nest:
 * a blocking call made from inside a turn (the event callback) fails with TOE_EINVAL.
 *
 *     int fd, ms;
 *     short ev;
 *     int ep = epoll_create1(0);
 *     toe_get_fd(dev, &fd, &ev);
 *     struct epoll_event e = {.events = EPOLLIN, .data.ptr = dev};
 *     epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
 *     for (;;) {
 *         toe_get_fd(dev, &fd, &ev);   // POLLOUT only while output is queued
 *         e.events = EPOLLIN | (ev & POLLOUT ? EPOLLOUT : 0);
 *         epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
 *         toe_next_timeout(dev, &ms);  // -1: no deadline
 *         struct epoll_event got[16];
 *         int n = epoll_wait(ep, got, 16, ms);
 *         if (n < 0 && errno == EINTR)
 *             continue;                // handle the signal
 *         if (toe_handle_events(dev) < 0)
 *             break;                   // the device went away
 *         ... toe_tcp_poll(fds, nfds, 0), then toe_tcp_send/recv with timeout 0 ...
 *     }
 */

/* The file descriptor to wait on and the poll events to wait for: POLLIN always, POLLOUT
 * while messages are queued that the transport did not take yet. The fd stays the same for
 * the life of the handle; do not read, write or close it.
 *   fd      out: the descriptor
 *   events  out, optional: POLLIN | POLLOUT bits (<poll.h>)
 * Returns 0, TOE_EINVAL (NULL argument), TOE_ENOTSUP (the transport has no descriptor: the
 * FTDI ones, which go through libusb; such a loop turns the engine on toe_next_timeout,
 * capped at a few ms). Never blocks. */
TOE_API int toe_get_fd(toe_dev *dev, int *fd, short *events);

/* Milliseconds until the engine needs a turn even if the descriptor stays quiet (a CSR
 * retry, an ARP retry, a TCP timer); counted on the library's clock, the one every other
 * timeout of the handle follows. 0 also when another call (toe_tcp_recv, toe_tcp_poll, ...
 * with timeout 0 turn the engine when they find nothing) read input from the link since the
 * last toe_handle_events: the fd no longer shows that input, so look at the sockets again
 * (after toe_handle_events) before sleeping.
 *   timeout_ms  out: 0 (due now), > 0, or -1 (nothing pending: wait on the fd alone)
 * Returns 0 or TOE_EINVAL. Never blocks. */
TOE_API int toe_next_timeout(toe_dev *dev, int *timeout_ms);

/* One engine turn without waiting: write what is queued (as much as the transport takes
 * now), read and dispatch what the link has, run the timers that are due. Call it when the
 * fd is ready or the timeout is over (calling it more often is harmless).
 * Returns 0, TOE_EINTR, TOE_EIO or TOE_ENODEV (the device went away: the handle is dead). */
TOE_API int toe_handle_events(toe_dev *dev);

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
 * (ARP replies, echo replies for toe_ping and, once the handle has a TCP socket, every TCP
 * segment of verdict RX_TCP and every ICMP error quoting a TCP segment of ours) do not appear
 * here.
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

/* The Internet checksum of n bytes (RFC 1071), as the device computes it for
 * TOE_CONST_RAW_CSUM_*: 0 over data that carries a valid checksum (to check what
 * toe_raw_recv returns). */
TOE_API uint16_t toe_inet_csum(const uint8_t *p, size_t n);

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


/* ---- TCP sockets ----------------------------------------------------------------------
 *
 * Connections are offloaded: once established, the device's fast path moves the data, builds
 * and checks segments, generates and processes ACKs, retransmits on dup ACKs. The library
 * runs the handshakes (slow path, raw frames), every timer (RTO from the device's RTT
 * samples, persist, TIME-WAIT, keepalive, SYN retries) on device time through the alarm,
 * RST checks (RFC 5961) and the buffers between the device and the application.
 *
 * A socket belongs to its device handle and to the handle's thread. There is no background
 * thread: connections make progress inside the calls of the handle (any blocking libtoe call,
 * toe_poll, toe_tcp_poll). An application that waits elsewhere should call toe_poll or
 * toe_tcp_poll regularly. While sockets exist the library owns the alarm (do not use
 * toe_alarm_set/toe_alarm_wait). toe_close() resets every connection of the handle.
 *
 * Each connection takes one device slot (toe_info.slots) from its handshake until the
 * segment that ends it (the ACK of our last FIN, the peer's FIN after ours, a RST), and gives
 * it back at once; TIME-WAIT and listening sockets take none. A connection in TIME-WAIT that
 * the application has closed is a small record inside the handle (at most 16384; the one
 * nearest its end is dropped when they are all used, TOE_HSTAT_TCP_TW_DROPPED). Sequence
 * numbers wrap; ports and addresses are host order.
 */
typedef struct toe_sock toe_sock;

enum toe_tcp_state {
    TOE_TCPS_CLOSED,
    TOE_TCPS_LISTEN,
    TOE_TCPS_SYN_SENT,
    TOE_TCPS_SYN_RCVD,
    TOE_TCPS_ESTABLISHED,
    TOE_TCPS_FIN_WAIT_1,
    TOE_TCPS_FIN_WAIT_2,
    TOE_TCPS_CLOSE_WAIT,
    TOE_TCPS_CLOSING,
    TOE_TCPS_LAST_ACK,
    TOE_TCPS_TIME_WAIT,
};

/* "ESTABLISHED", ...; "?" if out of range. */
TOE_API const char *toe_tcp_state_name(int state);

/* Create a socket on dev (state CLOSED). The first socket of a handle reads the device's
 * slot count and frees every slot a previous session left open (blocks for that).
 * Returns 0, TOE_EINVAL, TOE_ENOMEM, TOE_ENOSLOT (the device has no TCP slots), a CSR
 * error. */
TOE_API int toe_tcp_socket(toe_dev *dev, toe_sock **s);

/* Choose the local port of a later toe_tcp_connect (without it, connect picks an ephemeral
 * port, 49152..65535). Needed for a simultaneous open, where both ends connect to each
 * other's known port. The port stays the socket's until it is closed: toe_tcp_connect may be
 * called again after a failed attempt. The address is always the device's.
 *   port  1..65535
 * Returns 0, TOE_EINVAL (NULL socket, port 0, already bound), TOE_EISCONN (not a fresh
 * socket), TOE_EADDRINUSE (another socket is bound to the port or uses it: listening,
 * connected or in TIME-WAIT). Does not block. */
TOE_API int toe_tcp_bind(toe_sock *s, uint16_t port);

/* Active open to ip:port: resolves the next hop (ARP), sends the SYN (MSS 1460 and a window
 * scale; no SACK or timestamps) and waits for the handshake, resending the SYN with backoff
 * (1, 2, 4, ... s of device time, at most 60 s apart) until 3 minutes after the first (RFC
 * 1122 4.2.3.5: 7 resends). The local port is the one of toe_tcp_bind, if any, else an
 * ephemeral one. Simultaneous open (RFC 9293 3.5): if the peer's SYN to that port crosses
 * ours, the socket answers with a SYN-ACK (resent the same way, for 3 minutes from the first)
 * and the peer's ACK or SYN-ACK completes the connection as usual.
 *   timeout_ms  0: start and return TOE_EAGAIN; completion shows as TOE_POLLOUT (or
 *               TOE_POLLERR) in toe_tcp_poll, and calling toe_tcp_connect again with the
 *               same address returns 0 once established. -1: until the SYN retries end.
 * Returns 0 (ESTABLISHED), TOE_EINVAL (NULL socket, port 0), TOE_EADDRNOTAVAIL (ip cannot be
 * a TCP peer: broadcast, multicast, ...; nothing is sent), TOE_EISCONN (not a fresh
 * socket, or connecting elsewhere), TOE_EADDRINUSE (the bound port already has a connection
 * to ip:port, or no ephemeral port is free), TOE_EAGAIN, TOE_ETIMEDOUT (caller's timeout: the
 * attempt is abandoned), TOE_ECONNREFUSED (a RST, or ICMP port or protocol unreachable for
 * our SYN), TOE_ECONNABORTED (no answer to any SYN, or to any SYN-ACK of a simultaneous
 * open), TOE_ENOSLOT, TOE_EUNREACH (ARP failed; ICMP administratively prohibited; or no
 * answer after an ICMP net/host unreachable), a CSR error, TOE_EIO, TOE_ENODEV. Blocks.
 * ICMP errors count only if they quote our SYN (RFC 5927); "unreachable" ones are soft (RFC
 * 1122 4.2.3.9): the SYN goes on, and they are the error reported if it times out. */
TOE_API int toe_tcp_connect(toe_sock *s, uint32_t ip, uint16_t port, int timeout_ms);

/* Listen on port (all of the device's address). backlog bounds connections in SYN-RECEIVED
 * plus established ones not yet accepted (1..64; 0 means 8); more SYNs are dropped and
 * counted (TOE_HSTAT_TCP_LISTEN_DROP). A SYN that finds no free slot waits for one,
 * unanswered in the backlog, up to 1 s of device time (a connection ending as it comes gives
 * it its slot), then is dropped and counted (TOE_HSTAT_TCP_NO_SLOT too): the peer sends it
 * again. A SYN for a connection in TIME-WAIT with a sequence number beyond it ends TIME-WAIT
 * and is taken (RFC 9293 3.6.1, RFC 6191). A connection whose SYN-ACK stays unanswered
 * (resent 5 times, 1, 2, ... 16 s apart) is freed 63 s after it came
 * (TOE_HSTAT_TCP_TIMEOUTS), so a flood of SYNs holds slots for a minute at most.
 * Returns 0, TOE_EINVAL (also: the socket is bound to another port), TOE_EISCONN (not a fresh
 * socket), TOE_EADDRINUSE (a listener on port, or another socket bound to it). Does not
 * block. */
TOE_API int toe_tcp_listen(toe_sock *s, uint16_t port, int backlog);

/* Take one established connection from a listening socket.
 *   out        the new socket (owned by the caller: toe_tcp_close it)
 *   peer_ip, peer_port  out, optional
 * Returns 0, TOE_EINVAL, TOE_ENOTCONN (not listening), TOE_EAGAIN (timeout 0, none ready),
 * TOE_ETIMEDOUT, TOE_EIO, TOE_ENODEV. Blocks up to timeout_ms. */
TOE_API int toe_tcp_accept(toe_sock *ls, toe_sock **out, uint32_t *peer_ip, uint16_t *peer_port,
                           int timeout_ms);

/* Send len bytes: copied to the device's TX ring as room opens (the device acknowledges
 * nothing: room comes back as the peer acknowledges). Returns when all of buf is with the
 * device, or on timeout/error.
 *   sent  out: bytes taken, also on timeout and error
 * With timeout 0 it takes what fits now: 0 if anything was taken, TOE_EAGAIN if nothing.
 * Returns 0, TOE_EINVAL, TOE_ENOTCONN (not yet or no longer connected), TOE_EPIPE (after
 * toe_tcp_shutdown or close), TOE_ECONNRESET, TOE_ECONNABORTED, TOE_EAGAIN, TOE_ETIMEDOUT
 * (the caller's timeout, or keepalive gave the connection up: then the state is CLOSED),
 * TOE_EIO, TOE_ENODEV. Blocks up to timeout_ms. */
TOE_API int toe_tcp_send(toe_sock *s, const void *buf, size_t len, size_t *sent, int timeout_ms);

/* Receive up to cap bytes: waits until at least one byte is there, the peer has closed, or an
 * error. 0 with *got == 0 is the orderly end of the stream (the peer's FIN, after all data).
 * A read never goes past the peer's urgent mark: the one that reaches it ends there.
 *   got  out: bytes copied
 * Returns 0, TOE_EINVAL, TOE_ENOTCONN, TOE_ECONNRESET, TOE_ECONNABORTED, TOE_EAGAIN (timeout
 * 0, nothing there), TOE_ETIMEDOUT (the caller's timeout, or keepalive gave the connection
 * up: then the state is CLOSED and toe_tcp_poll shows TOE_POLLERR), TOE_EIO, TOE_ENODEV.
 * Blocks up to timeout_ms. */
TOE_API int toe_tcp_recv(toe_sock *s, void *buf, size_t cap, size_t *got, int timeout_ms);

/* Urgent data (RFC 9293 3.8.5, RFC 6093: inline, in the stream, the urgent pointer at the byte
 * after it). toe_tcp_send_urgent sends like toe_tcp_send and marks the bytes as urgent: the
 * segments carrying them have URG set and point after the last byte taken (arguments and
 * returns as toe_tcp_send; len 0 is TOE_EINVAL, TOE_ENOTSUP on a device without the slot
 * field SND_UP). toe_tcp_urgent_mark tells the receiver
 * that the peer sent urgent data it has not read yet: *until_mark is the number of bytes to
 * read to reach the end of it (toe_tcp_recv stops there); toe_tcp_poll shows it as
 * TOE_POLLPRI. The mark only moves forward; a later mark replaces an unread one.
 * toe_tcp_urgent_mark returns 0, TOE_EAGAIN (no urgent data pending: *until_mark 0) or
 * TOE_EINVAL. Neither blocks except as toe_tcp_send does. */
TOE_API int toe_tcp_send_urgent(toe_sock *s, const void *buf, size_t len, size_t *sent,
                                int timeout_ms);
TOE_API int toe_tcp_urgent_mark(const toe_sock *s, size_t *until_mark);

/* Half close: send our FIN after everything already sent; receiving goes on. Waits up to
 * timeout_ms for the FIN to be acknowledged (0: do not wait).
 * Returns 0, TOE_EINVAL, TOE_ENOTCONN, TOE_ECONNRESET, TOE_ECONNABORTED, TOE_ETIMEDOUT (FIN
 * sent, not yet acknowledged), a CSR error. */
TOE_API int toe_tcp_shutdown(toe_sock *s, int timeout_ms);

/* Close the socket and free the handle (always, whatever the result; NULL is fine).
 * A connection ends with a FIN after all sent data and waits up to timeout_ms for it to be
 * acknowledged; the rest of the close (FIN-WAIT-2, TIME-WAIT) goes on inside the device
 * handle (TIME-WAIT as a record without a slot: a new SYN from the peer beyond the old
 * connection's sequence numbers reopens it on a listener, RFC 9293 3.6.1). Unread received
 * data turns the close into an abort (RST), as in RFC 2525 2.17.
 * A listening socket resets its connections that were not accepted. A connect still in its
 * handshake is abandoned (with a RST once our SYN-ACK of a simultaneous open is out).
 * Returns 0, TOE_ETIMEDOUT (FIN not acknowledged in time: the close goes on), TOE_ECONNRESET
 * (reset by the peer, or aborted here for unread data), a CSR error. A RST after both FINs
 * is a clean end (0) only once all sent data was acknowledged; with data unacknowledged it
 * may be lost, and the result is TOE_ECONNRESET (RFC 9293 MUST-12). */
TOE_API int toe_tcp_close(toe_sock *s, int timeout_ms);

/* Reset the connection (RST to the peer), free the slot and the handle. NULL is fine.
 * Blocks for one CSR round trip (the slot's SND.NXT for the RST; at most 2 s of device time,
 * then the host's copy is used); the slot's FREE goes on without waiting. */
TOE_API void toe_tcp_abort(toe_sock *s);

/* Wait for any of n sockets (all on the same device) to be ready.
 *   events   TOE_POLLIN: data, end of stream or error to read; on a listening socket, a
 *            connection to accept. TOE_POLLPRI: the peer sent urgent data the application
 *            has not read up to its mark (toe_tcp_urgent_mark). TOE_POLLOUT: room to send (a
 *            connect finished).
 *   revents  out: those of events that hold, plus TOE_POLLERR (an error is pending) and
 *            TOE_POLLHUP (over both ways: our FIN sent and the peer's stream in up to its
 *            FIN, or the connection closed or never made) always
 * NULL sockets are skipped. Returns the number of sockets with revents set (> 0), TOE_EAGAIN
 * (timeout 0, none ready), TOE_ETIMEDOUT, TOE_EINVAL, TOE_EIO, TOE_ENODEV. Blocks. */
#define TOE_POLLIN 0x1
#define TOE_POLLPRI 0x2
#define TOE_POLLOUT 0x4
#define TOE_POLLERR 0x8
#define TOE_POLLHUP 0x10
struct toe_tcp_pollfd {
    toe_sock *sock;
    short events;
    short revents;
};
TOE_API int toe_tcp_poll(struct toe_tcp_pollfd *fds, size_t n, int timeout_ms);

/* Socket options (toe_tcp_setopt values):
 *   TOE_TCP_NODELAY       1: no Nagle (default 0: Nagle on); also while connected
 *   TOE_TCP_KEEPALIVE     idle seconds (device time) before the first keepalive probe,
 *                         0..604800; 0 off (default). Anything from the peer (data, an ACK,
 *                         the answer to a probe) starts the idle time over; after
 *                         TOE_TCP_KEEPCNT probes without an answer the connection is reset
 *                         and its calls return TOE_ETIMEDOUT (counted in
 *                         TOE_HSTAT_TCP_KEEPALIVE_DROPS)
 *   TOE_TCP_KEEPINTVL     seconds between keepalive probes while unanswered, 1..32767
 *                         (default 75, as Linux)
 *   TOE_TCP_KEEPCNT       unanswered keepalive probes before the connection is given up,
 *                         1..127 (default 9, as Linux)
 *   TOE_TCP_USER_TIMEOUT  ms without progress on unacknowledged data before the connection is
 *                         given up (R2; TOE_ECONNABORTED); 0: default 120000. Against a
 *                         zero window, ms without an answer to the probes: a peer that
 *                         answers them is probed for ever (RFC 1122 4.2.2.17)
 *   TOE_TCP_MIN_RTO       lower bound of the retransmission timeout in ms (default 200, as
 *                         Linux; RFC 6298 says 1000), 1..60000
 *   TOE_TCP_TIME_WAIT     TIME-WAIT (2 MSL) and orphaned FIN-WAIT-2 time in ms (default
 *                         60000), 0..600000
 *   TOE_TCP_TTL           IPv4 TTL of the connection's segments, 1..255; 0: default 64
 *                         (RFC 1122 4.2.4.1, MUST-48/49); also while connected
 *   TOE_TCP_TOS           IPv4 DS field (DSCP << 2) of its segments, 0..252 with the ECN
 *                         bits (1:0) clear; default 0; also while connected. Both apply to
 *                         the SYN, SYN-ACK and RST the library sends and to the device's
 *                         segments (slot field IP_TTL_TOS); a listener passes them to its
 *                         connections. TOE_ENOTSUP on a device without that field
 *   TOE_TCP_SNDBUF        bytes of sent data kept with the device until acknowledged,
 *                         1..the TX ring size (CAPS); 0: the whole ring (default). The
 *                         receive buffer is the device's RX ring, the same size, and is what
 *                         the window offers
 * Returns 0 or TOE_EINVAL (unknown option, value out of range), a CSR error (NODELAY, TTL or
 * TOS while connected). */
enum toe_tcp_opt {
    TOE_TCP_NODELAY = 1,
    TOE_TCP_KEEPALIVE = 2,
    TOE_TCP_USER_TIMEOUT = 3,
    TOE_TCP_MIN_RTO = 4,
    TOE_TCP_TIME_WAIT = 5,
    TOE_TCP_KEEPINTVL = 6,
    TOE_TCP_KEEPCNT = 7,
    TOE_TCP_SNDBUF = 8,
    TOE_TCP_TTL = 9,
    TOE_TCP_TOS = 10,
};
TOE_API int toe_tcp_setopt(toe_sock *s, int opt, int value);

/* Limit the challenge ACKs (RFC 5961: the answers to a RST or SYN that is not exactly
 * acceptable) of the whole handle, all connections together, to per_second a second of
 * device time (RFC 5961 section 7; counted per period of one second that starts with the
 * first challenge ACK after the last period ended). Those over the limit are not sent and
 * are counted in TOE_HSTAT_TCP_CHALLENGE_ACK_LIMITED. The device applies the same number,
 * in a budget of its own, to the challenge ACKs of the fast path (an ACK field outside
 * [SND.UNA - MAX.SND.WND, SND.NXT], RFC 5961 5.2; the CSR CHALLENGE_ACK_LIMIT, counted in
 * the device's TCP_CHALLENGE_ACK_LIMITED); its ACKs for other unacceptable segments are not
 * limited. A budget shared by all
 * connections is a side channel (CVE-2016-5696: an off-path attacker who exhausts it can
 * tell from the challenge ACKs missing on its own connection that a guessed segment hit
 * another one); -1 removes it.
 *   per_second  1..1000000; 0: the default, 1000; -1: no limit
 * Takes effect from the next challenge ACK (in the device, once its CSR write is done); may
 * be called before the first socket. Returns 0 or TOE_EINVAL (NULL dev, value out of
 * range). Does not block. */
TOE_API int toe_tcp_set_challenge_ack_limit(toe_dev *dev, int per_second);

/* One connection as toe_tcp_netstat and toe_tcp_sockinfo see it. */
struct toe_tcp_info {
    int state;                 /* enum toe_tcp_state */
    int slot;                  /* device slot, -1 none */
    uint32_t local_ip, remote_ip;
    uint16_t local_port, remote_port;
    int orphan;                /* 1: closed by the application, finishing inside the library;
                                * -1: unknown (a slot read from the device) */
    uint32_t snd_una, snd_nxt, snd_wnd, tx_end; /* snd_nxt: the device's (netstat only) */
    uint32_t rcv_nxt, rcv_wnd;                  /* rcv_wnd: the device's (netstat only) */
    uint32_t cwnd, ssthresh;                    /* netstat only */
    uint32_t retransmits;                       /* device slot counter (netstat only) */
    uint32_t tx_queued;        /* bytes with the device, not yet acknowledged */
    uint32_t rx_queued;        /* bytes received, not yet read by the application */
    uint32_t srtt_us, rttvar_us, rto_us;
    uint16_t mss;              /* the peer's */
    uint8_t snd_wscale, rcv_wscale;
    uint32_t rto_count;        /* RTOs of this connection */
    int soft_error;            /* an ICMP error that did not end the connection (TOE_EUNREACH:
                                * net or host unreachable, time exceeded; TOE_ECONNREFUSED;
                                * TOE_EPROTO: parameter problem), until the peer shows
                                * itself again; 0 none */
};

/* Snapshot of every socket of the handle (listening, connecting, open, closing, TIME-WAIT),
 * then its TIME-WAIT records (closed sockets: state TIME_WAIT, slot -1, orphan 1, snd_una =
 * snd_nxt = SND.NXT and rcv_nxt), with live slot fields read from the device (one CSR
 * batch). A handle that never created a socket (another process's view, as `toe netstat`)
 * gets the device's open slots instead, read from their CSRs, with the state guessed from
 * the slot flags and orphan = -1 (TIME-WAIT holds no slot: another process's is not seen);
 * nothing is changed on the device.
 *   out, n  room for n entries; got: entries filled (the total may be larger)
 * Returns 0, TOE_EINVAL, a CSR error (host fields are filled anyway). Blocks. */
TOE_API int toe_tcp_netstat(toe_dev *dev, struct toe_tcp_info *out, size_t n, size_t *got);

/* The host's view of one socket (no CSR reads; the netstat-only fields are 0). Never blocks.
 * Returns 0 or TOE_EINVAL. */
TOE_API int toe_tcp_sockinfo(const toe_sock *s, struct toe_tcp_info *info);

/* The device's on-chip traffic source and sink (`toe iperf`; docs/LINK.md, slot field
 * TRAFFIC): a connection whose payload the device generates (source) or takes and discards
 * (sink) itself, so that the engine can run at the wire's speed over a slower host link. One
 * connection of the device at a time.
 *   TOE_TRAFFIC_SOURCE  the device writes `bytes` bytes (0: until stopped) into the
 *                       connection after what the application sent: the byte at stream
 *                       offset o from there is o ^ o >> 8 ^ o >> 16 ^ o >> 24 (low 8 bits).
 *                       toe_tcp_send fails with TOE_EINVAL meanwhile. The device's fast
 *                       retransmit covers its bytes, not the library's retransmission timer.
 *                       With Nagle on (no TOE_TCP_NODELAY) the last short segment waits for
 *                       the peer's ACK of the rest (a delayed ACK: `toe iperf` turns it off).
 *   TOE_TRAFFIC_SINK    the device takes what arrives from now on and gives the buffer space
 *                       back itself; nothing reaches toe_tcp_recv (what came before still does).
 *   TOE_TRAFFIC_OFF     stop: the library takes the stream over where the device left it (a
 *                       sink's unread bytes are dropped: read them first).
 * Returns 0, TOE_EINVAL (NULL, unknown mode, the unit already runs on this socket or off when
 * it does not, a source after shutdown), TOE_EAGAIN (a source while data sent before is not
 * acknowledged yet), TOE_ENOTCONN (not connected, or the direction closed),
 * TOE_ENOTSUP (the device has no traffic unit: CAPS_TRAFFIC clear, built with TRAFFIC=0;
 * nothing is written), a CSR error. Blocks for the CSR writes. */
enum toe_traffic_mode { TOE_TRAFFIC_OFF = 0, TOE_TRAFFIC_SOURCE = 1, TOE_TRAFFIC_SINK = 2 };
TOE_API int toe_tcp_traffic(toe_sock *s, int mode, uint32_t bytes);

/* Progress of the last toe_tcp_traffic start on the socket (also after it stopped: `done`
 * goes on with the events, `bytes` stays). */
struct toe_traffic_info {
    int mode;          /* the device's now: TOE_TRAFFIC_OFF once a source has written its bytes
                        * (or when the device refused the unit's data: counter TRAFFIC_BAD) */
    uint64_t bytes;    /* bytes the device generated or took since the start */
    uint64_t done;     /* source: bytes the peer acknowledged; sink: bytes received (both as
                        * the device's SLOT events showed them, since the start; a sink's
                        * only come with the peer's FIN or an ACK of ours: use `bytes`) */
    uint64_t start_us; /* device time just before the start */
    uint64_t done_us;  /* device time of the event that moved `done` last (start_us: none) */
};
/* The unit's count (read from the device while it runs: two CSR reads) and the host's view of
 * the events. Returns 0, TOE_EINVAL (NULL, the unit was never started on this socket), a CSR
 * error. Blocks while the unit runs. */
TOE_API int toe_tcp_traffic_info(toe_sock *s, struct toe_traffic_info *info);

#ifdef __cplusplus
}
#endif

#endif
