/* SPDX-License-Identifier: MIT */
/* tcp.h: the TCP layer's internal interface, what its files share: tcp.c (sockets, slots,
 * CSR work), tcp_in.c (segments, events, RX_DATA), tcp_out.c (segments out, TX mirror,
 * timers), tcp_api.c (the socket API) and tcp_tw.c (TIME-WAIT records). Not installed. */
#ifndef TOE_TCP_H
#define TOE_TCP_H

#include "toe_internal.h"

/* ---- tunables (times in device microseconds unless named _ms) ------------------------- */
#define TOE_TCP_MAX_SLOTS 32
#define TOE_TCP_CSR_MS 2000             /* bound on one CSR sequence run by the TCP layer */
#define TOE_TCP_OUR_MSS 1460            /* MTU 1500 - 40 */
#define TOE_TCP_SYN_RTO_US 1000000u     /* RFC 6298 2.1 initial RTO */
#define TOE_TCP_SYN_FALLBACK_RTO_US 3000000u /* RFC 6298 5.7: RTO once a SYN timed out */
/* An active open (simultaneous included) resends its SYN (SYN-ACK) with backoff until 3
 * minutes after the first (RFC 1122 4.2.3.5, MUST-23; Linux's 6 retries last 127 s). */
#define TOE_TCP_SYN_GIVEUP_US 180000000u
/* A listener's child resends its SYN-ACK 5 times (1 + 2 + ... + 32 s: freed after 63 s, as
 * Linux's tcp_synack_retries), so that a SYN flood ties a slot down for a minute at most. */
#define TOE_TCP_SYNACK_RETRIES 5
#define TOE_TCP_MAX_RTO_US 60000000u
#define TOE_TCP_MIN_RTO_MS 200
#define TOE_TCP_USER_TIMEOUT_MS 120000
#define TOE_TCP_TIME_WAIT_MS 60000
#define TOE_TCP_KEEP_INTVL_S 75         /* TOE_TCP_KEEPINTVL default and bound (as Linux) */
#define TOE_TCP_KEEP_INTVL_MAX 32767
#define TOE_TCP_KEEP_PROBES 9           /* TOE_TCP_KEEPCNT default and bound (as Linux) */
#define TOE_TCP_KEEP_PROBES_MAX 127
#define TOE_TCP_RXCHK_US 20000u         /* data the device reported but did not send: ask again */
#define TOE_TCP_HOST_CHECK_MS 1000      /* host-time check of the device clock while timers run */
#define TOE_TCP_CONSUMED_IDLE_MS 1000   /* RX_CONSUMED repeated while a reader waits (lost one) */
/* The host's receive buffer per connection, in device RX rings: RX_CONSUMED gives the device's
 * ring space back as soon as the data is here and fits (tcp_rx_credit), not when the
 * application reads it, so the link's round trip, not the reader, paces the window. */
#define TOE_TCP_RXBUF_RINGS 4u
#define TOE_TCP_SSTHRESH_INIT 0x3fffffffu
#define TOE_TCP_BACKLOG_MAX 64
/* A SYN that finds every slot taken waits this long (in the listener's backlog, no slot, no
 * answer) for one to be freed: a connection ending in the same instant often tells the host
 * only after the SYN is up. Then it is dropped; the peer's first retry comes about now. */
#define TOE_TCP_SLOT_WAIT_US 1000000u
/* Path MTU (RFC 1191): the MSS is lowered to the next hop's MTU - 40 from an ICMP
 * Fragmentation Needed, never below 536 (MTU 576, what every host takes, RFC 791): a forged
 * message that gets past the sequence check cannot make segments tiny. */
#define TOE_TCP_PMTU_MIN_MSS 536
/* Challenge ACKs per second of device time, all connections of the handle together (RFC 5961
 * 7 asks for a limit and leaves the number open). 1000 as Linux's tcp_challenge_ack_limit
 * from 4.7 until 6.0 (which also randomised it): plenty for peers that lost their state,
 * while a blind RST/SYN flood cannot make us send more than 1000 ACKs a second, each also
 * a SLOT_CMD write on the host link. */
#define TOE_TCP_CHALLENGE_ACK_LIMIT 1000
#define TOE_TCP_CHALLENGE_ACK_LIMIT_MAX 1000000
/* TIME-WAIT records (tcp_tw.c): an orphaned connection in TIME-WAIT gives its slot back and
 * leaves a record of ~48 bytes; the table is allocated at the first one. 16384 records hold
 * 60 s of TIME-WAIT for 270 closes a second; when it is full the record nearest its end is
 * dropped (counted). */
#define TOE_TCP_TW_MAX 16384
#define TOE_TCP_TW_HASH 4096            /* hash chains (a power of two) */

/* Sequence arithmetic on wrapped 32-bit differences (lwIP style). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* TCP header flags. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* Work a socket needs outside message dispatch (the work step starts it; none blocks). */
#define W_PROGRAM 0x01 /* program the slot and OPEN it (then ACK, or send the SYN-ACK) */
#define W_CLOSE 0x02   /* CMD CLOSE (our FIN) */
#define W_FREE 0x04    /* CMD FREE once the received data is all in */
#define W_RESYNC 0x08  /* re-read the slot after link errors or event gaps */
#define W_RST 0x10     /* abort: RST to the peer, then free */
#define W_RSTCHK 0x20  /* an in-window RST: compare with the device's RCV.NXT (RFC 5961) */
#define W_ARP 0x40     /* SYN-SENT, the next hop not resolved yet: send the SYN when it is */
#define W_URGENT 0x80  /* EVF_URGENT: read the peer's urgent pointer (RCV_UP) */
#define W_SLOT 0x100   /* a listener's child waits for a free slot (then W_PROGRAM) */

/* Continuations under way: CSR requests sent, the rest of the sequence in their completion
 * (state on the socket; tcp_sock_unlink_free and tcp_release_slot forget them). */
#define C_PROGRAM 0x01 /* slot fields written, then OPEN, then (active) ACK */
#define C_ABORT 0x02   /* SND.NXT/UNA/WND read, then RST and FREE */
#define C_RTO 0x04     /* slot read, then CWND/SSTHRESH written, then RETRANSMIT */

struct toe_sock {
    toe_dev *dev;
    struct toe_tcp *tcp;   /* the layer's state (tcp_get(dev)) */
    struct toe_sock *next; /* every socket of the handle */
    int state;             /* enum toe_tcp_state */
    int slot;              /* -1: none */
    int opened;            /* OPEN was sent for the slot: it needs a FREE */
    int user;              /* the application holds the handle */
    int err;               /* pending error for the application (0 none) */
    int soft_err;          /* ICMP soft error since the peer last showed itself (0 none) */
    unsigned work;         /* W_* */
    unsigned cont;         /* C_* */
    int prog_passive;        /* C_PROGRAM: a passive open (SYN-ACK after OPEN) */
    struct toe_sock *parent; /* a listener's child not yet accepted */
    int active;              /* opened by toe_tcp_connect (also in SYN-RECEIVED after a
                              * simultaneous open) */
    int syn_acked;           /* simultaneous open: the peer's SYN-ACK acknowledged our SYN */
    int backlog;

    /* connection */
    uint32_t rip;
    uint16_t lport, rport;
    uint16_t bport;          /* toe_tcp_bind: the local port connect uses (0: ephemeral) */
    uint8_t mac[6];
    uint16_t mss;            /* the peer's */
    uint8_t snd_ws, rcv_ws;
    int ws_ok;               /* window scaling negotiated (or offered, in SYN-SENT) */
    uint32_t iss, irs;
    uint64_t syn_sent_at;    /* device time of the first SYN or SYN-ACK */
    uint32_t rst_seq;        /* W_RSTCHK */
    uint64_t arp_fails;      /* W_ARP: ARP failures counted when the wait began */

    /* send: the host keeps a mirror of the device's TX ring, [snd_una, tx_end) */
    uint32_t snd_una, snd_wnd, tx_end;
    uint8_t *txb;
    int shut_wr;             /* shutdown or close asked: no more send */
    int fin_queued, fin_acked;
    uint8_t ev_flags;        /* flags of the last slot event */
    int zero_wnd;
    int urg_send;            /* toe_tcp_send_urgent is pushing: SND_UP moves with the data */
    uint32_t snd_up;         /* seq after our urgent data (RFC 6093) */
    uint32_t rcv_up;         /* seq after the peer's urgent data (IRS + 1: none yet) */

    /* receive: [rx_read, rx_expect) waits for the application in rxb */
    uint32_t rcv_nxt_ev;     /* RCV.NXT of the last event (FIN included) */
    uint32_t rx_expect, rx_read, rx_cons_sent;
    uint32_t rx_resend_asked; /* rx_expect when RX_SENT was last written back */
    int rx_resend_pending;
    uint8_t *rxb;
    int fin_rcvd;
    uint32_t fin_seq;
    uint64_t consumed_host_ms; /* host ms of the last RX_CONSUMED sent */

    /* RTT and timers (device us; 0 = off) */
    uint32_t srtt, rttvar, rto; /* us; rto before backoff */
    int rtt_valid;
    int backoff, pbackoff;   /* backoff: reset only by an RTT sample (Karn) */
    int rto_resent;          /* the segment at SND.UNA was resent by the RTO timer */
    uint64_t rto_at, persist_at, syn_at, tw_at, keep_at, rxchk_at;
    uint32_t rxchk_mark;     /* rx_expect when rxchk_at was set */
    int rto_stale;           /* rto_at counted from a device time older than the send */
    int syn_tries, keep_probes;
    uint64_t last_progress, last_activity;
    uint32_t ssthresh_set;
    uint32_t rto_count;

    /* toe_tcp_traffic (tcp_traffic.c): the device's source or sink runs on the slot */
    int traffic;             /* enum toe_traffic_mode: the unit runs (the host started it) */
    int traffic_track;       /* the mode of the last start: its events still count */
    uint32_t traffic_seq;    /* source: SND.UNA, sink: RCV.NXT (data) of the last event */
    uint32_t traffic_count;  /* the device's TRAFFIC_LEN at the last read */
    uint64_t traffic_bytes, traffic_done, traffic_start_us, traffic_done_us;

    /* options */
    int nodelay, keepalive_s, keepintvl_s, keepcnt, user_timeout_ms, min_rto_ms, time_wait_ms;
    uint32_t sndbuf; /* bytes kept with the device unacknowledged; 0: the whole TX ring */
    uint8_t ttl, tos; /* TOE_TCP_TTL, TOE_TCP_TOS (0: defaults) */
};

/* A connection in TIME-WAIT without a socket (the application closed it) and without a slot:
 * what its duties need (RFC 9293 3.10.7.4: ACK a retransmitted FIN and restart the time,
 * answer other segments; RFC 9293 3.6.1 / RFC 6191: a new SYN may reopen it). */
struct tcp_tw {
    uint32_t rip;
    uint16_t lport, rport;
    uint32_t snd_nxt, rcv_nxt; /* our FIN included, the peer's FIN included */
    uint16_t wnd;              /* the window field of its ACKs (scaled) */
    uint16_t ttl_tos;          /* as FIELD_IP_TTL_TOS (0: defaults) */
    uint32_t tw_ms;            /* the connection's TIME-WAIT length, restarted by a FIN */
    uint64_t until;            /* device time it ends */
    int32_t hnext;             /* next in its hash chain, or in the free list */
    int32_t prev, next;        /* the list by `until` (head: the first to end) */
};

struct toe_tcp {
    toe_dev *dev;
    unsigned nslots;
    uint32_t ring;           /* bytes per ring (power of two) */
    uint32_t rxbuf;          /* bytes of each connection's receive buffer: TOE_TCP_RXBUF_RINGS rings */
    /* A slot is taken (slot_used, slot_sock its socket) from tcp_alloc_slot until
     * tcp_release_slot, which sends its FREE if it was opened; until that FREE is answered
     * the slot is "freeing". A freeing slot may be taken at once (a SYN that comes as another
     * connection ends gets it in the same turn): its programming starts when the FREE is
     * answered (a FREE resent after a lost answer must not reach the new connection). */
    toe_sock *slot_sock[TOE_TCP_MAX_SLOTS];
    uint8_t slot_used[TOE_TCP_MAX_SLOTS];
    uint8_t slot_freeing[TOE_TCP_MAX_SLOTS]; /* FREEING_SENT, FREEING_AGAIN (it failed) or 0 */
    toe_sock *socks;
    uint64_t now;            /* latest device time known, us */
    int chack_limit;         /* toe_tcp_set_challenge_ack_limit (0 default, -1 none) */
    int alarm_arming;        /* toe_alarm_set_async under way (for alarm_arming_at) */
    uint64_t alarm_arming_at;
    int alarm_armed;
    uint64_t alarm_at, alarm_check_ms;
    uint64_t err_mark;       /* link errors + event gaps at the last check */
    uint64_t chack_start;    /* device time the current second of challenge ACKs began */
    unsigned chack_n;        /* challenge ACKs sent in it */
    uint8_t isn_key[16];     /* RFC 6528 secret key (getrandom) */
    uint8_t port_key[16];    /* RFC 6056 secret key */
    uint16_t ip_id, port_ctr;
    uint8_t rcv_ws;          /* our window scale: the ring fits 16 bits after it */
    int slot_ext;            /* the device has the slot fields IP_TTL_TOS, SND_UP, RCV_UP */
    uint32_t caps;           /* the device's CAPS (CAPS_TRAFFIC: it has the traffic unit) */
    /* TIME-WAIT records (tcp_tw.c): TOE_TCP_TW_MAX of them once the first is made */
    struct tcp_tw *tw;
    int32_t *tw_hash;        /* TOE_TCP_TW_HASH chain heads */
    unsigned tw_n, tw_max;   /* in use; the bound (TOE_TCP_TW_MAX; tests lower it) */
    unsigned tw_hw;          /* records ever handed out (above it: never touched) */
    int32_t tw_head, tw_tail, tw_free;
};

#define FREEING_SENT 1
#define FREEING_AGAIN 2

/* ---- tcp.c: sockets, slots, the layer's hooks, CSR work ------------------------------ */
/* The layer's state (NULL until the first toe_tcp_socket). */
struct toe_tcp *tcp_get(const toe_dev *dev);
/* The layer's hooks for the device layer (registered by tcp_init; the input hooks are in
 * tcp_in.c): none blocks; toe_tcp_work runs after each engine turn and starts the CSR
 * sequences as continuations. */
void toe_tcp_work(toe_dev *dev);
int toe_tcp_wait_ms(toe_dev *dev);  /* host ms until the layer needs a turn (-1 none) */
void toe_tcp_free(toe_dev *dev);    /* reset every connection (queued) and free the layer */
int tcp_init(toe_dev *dev);         /* the layer, at the first socket */
void tcp_note_time(struct toe_tcp *t, uint64_t dev_us);
/* Asynchronous CSR writes: failures counted (TOE_HSTAT_TCP_ASYNC_FAIL); slot: the slot they
 * concern (their key for toe_csr_cancel, tcp_slot_key), or -1. */
void tcp_csr_write_async(toe_dev *dev, uint16_t addr, uint32_t value, int slot);
void tcp_async_done(toe_dev *dev, void *ctx, int result, uint32_t value);
void *tcp_slot_key(int slot);
/* sockets and slots */
toe_sock *tcp_sock_new(struct toe_tcp *t);
int tcp_bufs_alloc(toe_sock *s);
void tcp_sock_unlink_free(struct toe_tcp *t, toe_sock *s);
toe_sock *tcp_find_listener(struct toe_tcp *t, uint16_t port);
toe_sock *tcp_find_conn(struct toe_tcp *t, uint32_t rip, uint16_t rport, uint16_t lport);
int tcp_port_taken(struct toe_tcp *t, const toe_sock *self, uint16_t p);
uint16_t tcp_pick_port(struct toe_tcp *t, uint32_t rip, uint16_t rport);
/* The initial sequence number for a connection (RFC 6528, from the device time now). */
uint32_t tcp_gen_iss(const struct toe_tcp *t, uint32_t rip, uint16_t lport, uint16_t rport);
int tcp_alloc_slot(struct toe_tcp *t, toe_sock *s);
void tcp_release_slot(toe_sock *s);
int tcp_slot_open(const toe_sock *s);              /* programmed and OPEN in the device */
uint16_t tcp_slot_addr(const toe_sock *s, unsigned field);
uint32_t tcp_slot_flags(const toe_sock *s);        /* FIELD_FLAGS as it should be now */
uint32_t tcp_slot_mss_field(const toe_sock *s);    /* FIELD_MSS */
unsigned tcp_ttl_tos(const toe_sock *s);           /* FIELD_IP_TTL_TOS (0: defaults) */
void tcp_close_cmd(toe_sock *s);                   /* CMD CLOSE, resent by work on failure */
void tcp_slot_cmd_async(toe_sock *s, unsigned cmd);
void tcp_report_next_ack(toe_sock *s);             /* a keepalive probe is out (async CSR) */
uint32_t tcp_rcv_nxt(const toe_sock *s);
int tcp_synchronized(const toe_sock *s);
void tcp_peer_alive(toe_sock *s);                  /* the peer showed itself: idle from now */
void tcp_set_error(toe_sock *s, int err);          /* connection over: error, then free */
void tcp_send_syn(toe_sock *s);
void tcp_abort_now(toe_sock *s);                   /* CLOSED now; RST and FREE (C_ABORT) */
void tcp_abort_err(toe_sock *s, int err);          /* error, then tcp_abort_now */
/* The abort's continuation has ended (or the socket never needed one): a blocking call waits
 * for it to the deadline (device time), then finishes it without the device's values. */
int tcp_abort_wait(toe_sock *s, int timeout_ms);
int tcp_programming(const toe_sock *s);            /* W_PROGRAM or C_PROGRAM */
void tcp_slot_wait_over(toe_sock *s);              /* a SYN waited for a slot in vain: drop */

/* ---- tcp_in.c: segments, ICMP, slot events, RX_DATA --------------------------------- */
/* The net layer's hooks: a RAW_RX TCP segment (1 if consumed) and an ICMP error about one. */
int toe_tcp_input(toe_dev *dev, const uint8_t *eth, size_t len, unsigned verdict, uint64_t time);
int toe_tcp_icmp(toe_dev *dev, const uint8_t *ip, size_t len);
void toe_tcp_event(toe_dev *dev, unsigned kind, uint64_t time, const uint8_t *f, size_t len);
int toe_tcp_rx_data(toe_dev *dev, unsigned slot, uint32_t seq, const uint8_t *p, size_t n);
const char *tcp_bad_peer_addr(const toe_dev *dev, uint32_t a); /* why a can't be a peer */
void tcp_slot_state(toe_sock *s, unsigned flags, uint32_t una, uint32_t wnd, uint32_t rcv_nxt,
                    uint32_t rtt);                 /* a slot event's fields */
void tcp_synack_established(toe_sock *s);
void tcp_rst_accepted(toe_sock *s, uint32_t una);
void tcp_challenge_ack(toe_sock *s);
void tcp_tw_adopt(toe_sock *s);                    /* TIME-WAIT goes on as a record */
void tcp_send_consumed(toe_sock *s);               /* RX_CONSUMED for what was read */
void tcp_rx_resend(toe_sock *s);                   /* RX_SENT back to what we expect */
void tcp_consumed_maybe(toe_sock *s);
uint32_t tcp_rx_credit(const toe_sock *s);        /* RX_CONSUMED: RX_DATA may go up to it + ring */
uint32_t tcp_rcv_edge(const toe_sock *s);         /* the receive window's right edge */
void tcp_ask_resend(toe_sock *s);                  /* RX_SENT back: data went missing */

/* ---- tcp_out.c: segments out, the TX ring mirror, timers ----------------------------- */
int tcp_send_pkt(struct toe_tcp *t, const uint8_t mac[6], uint32_t rip, uint16_t lport,
                 uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                 const uint8_t *opt, size_t optlen, const uint8_t *data, size_t dlen,
                 unsigned ttl_tos);
int tcp_send_seg(toe_sock *s, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                 int with_opts, const uint8_t *data, size_t dlen);
uint16_t tcp_syn_window(const struct toe_tcp *t);
uint32_t tcp_tx_room(const toe_sock *s);
/* The most of n bytes that ends on a TX_DATA message boundary (n if none does): a send that
 * waits for room pushes that much and the rest at its next turn, normally with the room the
 * next SLOT event brings, in whole messages rather than a short one each. */
uint32_t tcp_tx_whole(const toe_sock *s, uint32_t n);
void tcp_tx_push(toe_sock *s, const uint8_t *p, size_t n);
void tcp_tx_resend_from(toe_sock *s, uint32_t from);
void tcp_timers_update(toe_sock *s);

/* ---- tcp_traffic.c: the on-chip traffic source and sink ------------------------------ */
/* A SLOT event's SND.UNA and RCV.NXT, and its device time, for the unit's progress. */
void tcp_traffic_event(toe_sock *s, unsigned flags, uint32_t una, uint32_t rcv_nxt, uint64_t at);
void tcp_rtt_sample(toe_sock *s, uint32_t rtt_us);
void tcp_syn_done_rto(toe_sock *s);
uint32_t tcp_rto_cur(const toe_sock *s);
void tcp_run_timers(struct toe_tcp *t);
void tcp_alarm_update(struct toe_tcp *t);

/* ---- tcp_tw.c: the TIME-WAIT records ------------------------------------------------- */
/* A record for w (its hash and list fields aside); the one nearest its end goes if the table
 * is full (TOE_HSTAT_TCP_TW_DROPPED). Returns 0 or TOE_ENOMEM. */
int tcp_tw_add(struct toe_tcp *t, const struct tcp_tw *w);
struct tcp_tw *tcp_tw_find(struct toe_tcp *t, uint32_t rip, uint16_t rport, uint16_t lport);
int tcp_tw_port_used(const struct toe_tcp *t, uint16_t lport); /* a record has lport */
void tcp_tw_remove(struct toe_tcp *t, struct tcp_tw *w);
void tcp_tw_restart(struct toe_tcp *t, struct tcp_tw *w); /* until = now + its time */
uint64_t tcp_tw_next(const struct toe_tcp *t); /* the first record's end, 0 if none */
void tcp_tw_expire(struct toe_tcp *t);         /* drop the records whose time is over */
/* Up to n records as toe_tcp_info (state TIME_WAIT, no slot); returns how many. */
size_t tcp_tw_info(const struct toe_tcp *t, struct toe_tcp_info *out, size_t n);
void tcp_tw_free(struct toe_tcp *t);

#endif
