/* SPDX-License-Identifier: MIT */
/* fuzz_dev: a whole libtoe handle (sw/src/dev.c, net.c, tcp.c, tcp_timer.c) fed hostile link
 * traffic. The device is the unit tests' mock (sw/tests/mock.c): it answers CSR requests from
 * its registers and ARP for its peer 10.0.2.2. Between its answers, every read of the
 * transport takes the next record of the input, which the harness turns into link bytes:
 *
 *   0  a TCP segment in a RAW_RX frame, its sequence numbers relative to the last segment the
 *      host sent (so it fits the connection), or a new one to the listening port
 *   1  a slot EVENT, its fields relative to the slot's registers
 *   2  RX_DATA for a slot, relative to what the slot sent up so far
 *   3  any message of a known type (also host-to-device types), framed with a good CRC
 *   4  raw bytes (broken frames, stray delimiters); none is a pause of one read
 *   5  a RESP to a recent tag (late, duplicate or unknown answers)
 *   6  the device: lose the next answer, jump its clock (timers and the alarm fire), set a
 *      register (capabilities, slot fields), fail the link; or the application closes its
 *      connection
 *   7  an EVENT of any kind and sequence number
 *
 * Meanwhile the harness calls the API with timeout 0 (poll, TCP connect with keepalive,
 * listen, accept, send, receive, shutdown, raw receive, IP send, netstat, statistics; ping
 * with 1 ms) until the input is over, then closes everything. Waits are device time (the
 * mock's clock moves 100 us a read): a ping or a lost answer costs 1 ms of it, and a lost time
 * probe is resent at the next answer to a later request or after 1 ms of host time with
 * nothing on the link, so nothing waits TOE_TIME_SILENT_MS. The handle must not crash, hang,
 * leak or break an invariant: states in range, counts within their buffers. */
#include <string.h>

#include "fuzz.h"
#include "mock.h"

static struct mock_dev m;
static struct fz in;
static toe_dev *dev;
static unsigned drops;
static int close_now; /* the application closes its connecting socket at the next turn */

static int16_t delta(void) { return (int16_t)fz_u16(&in); }

/* The last TCP segment the host sent: 0, or 1 with its fields. */
struct seg {
    uint32_t ip;
    uint16_t sport, dport;
    uint32_t seq, ack, len; /* len: sequence space (data, SYN, FIN) */
    uint8_t flags;
};

static int last_host_seg(struct seg *s)
{
    for (unsigned k = 0; k < MOCK_RAWLOG; k++) {
        const struct mock_raw *r = mock_raw_back(&m, k);
        if (!r)
            return 0;
        const uint8_t *f = r->f;
        if (r->len < 54 || rd16(f + 12) != 0x0800 || f[23] != 6)
            continue;
        size_t ihl = (size_t)(f[14] & 15) * 4, tot = rd16(f + 16);
        if (ihl < 20 || tot > r->len - 14 || tot < ihl + 20)
            continue;
        const uint8_t *t = f + 14 + ihl;
        size_t doff = (size_t)(t[12] >> 4) * 4;
        if (doff < 20 || ihl + doff > tot)
            continue;
        s->ip = rd32(f + 30);
        s->sport = rd16(t);
        s->dport = rd16(t + 2);
        s->seq = rd32(t + 4);
        s->ack = rd32(t + 8);
        s->flags = t[13];
        s->len = (uint32_t)(tot - ihl - doff) + !!(s->flags & 0x02) + !!(s->flags & 0x01);
        return 1;
    }
    return 0;
}

static void rec_tcp(uint8_t op)
{
    uint8_t flags = fz_u8(&in);
    int16_t d1 = delta(), d2 = delta();
    uint16_t wnd = fz_u16(&in);
    size_t optlen = (fz_u8(&in) % 11) * 4, n;
    uint8_t opt[40] = {0};
    const uint8_t *o = fz_bytes(&in, optlen, &n);
    memcpy(opt, o, n);
    size_t dlen;
    const uint8_t *data = fz_bytes(&in, fz_u16(&in) % (1461 - optlen), &dlen); /* 1514 bytes */
    struct seg s;
    if (!(op & 0x08) && last_host_seg(&s)) { /* the peer's answer */
        uint32_t seq = (s.flags & 0x10) ? s.ack : 0x50000000u;
        mock_tcp_seg(&m, s.ip, s.dport, s.sport, seq + (uint32_t)(int32_t)d1,
                     s.seq + s.len + (uint32_t)(int32_t)d2, flags, wnd, opt, optlen, data, dlen);
    } else { /* a new peer, mostly to the listening port */
        uint16_t dport = (op & 0x10) ? 8080 : (uint16_t)(8000 + (uint16_t)d2 % 100);
        mock_tcp_seg(&m, 0x0a000202, (uint16_t)(40000 + (op >> 5)), dport,
                     0x60000000u + (uint32_t)(int32_t)d1, 0, flags, wnd, opt, optlen, data, dlen);
    }
}

static unsigned pick_slot(void)
{
    uint8_t b = fz_u8(&in);
    return b < 0xf0 ? b % MOCK_SLOTS : b; /* mostly the device's, sometimes none */
}

static uint32_t slot_reg(unsigned slot, unsigned field)
{
    return slot < MOCK_SLOTS ? m.csr[MOCK_SLOT(slot, field)] : 0;
}

static void rec_slot_event(void)
{
    unsigned slot = pick_slot();
    uint8_t flags = fz_u8(&in);
    uint32_t una = slot_reg(slot, TOE_FIELD_SND_UNA) + (uint32_t)(int32_t)delta();
    uint32_t wnd = (uint32_t)fz_u16(&in) << (fz_u8(&in) % 15);
    uint32_t rcv = slot_reg(slot, TOE_FIELD_RCV_NXT) + (uint32_t)(int32_t)delta();
    uint32_t rtt = fz_u16(&in);
    mock_slot_event(&m, slot, flags, una, wnd, rcv, rtt);
}

static void rec_rx_data(void)
{
    unsigned slot = pick_slot();
    uint32_t seq = slot_reg(slot, TOE_FIELD_RX_SENT) + (uint32_t)(int32_t)delta();
    size_t n;
    const uint8_t *p = fz_bytes(&in, fz_u16(&in) % (TOE_CONST_SLOT_DATA_MAX + 8), &n);
    mock_rx_data(&m, slot, seq, p, n);
    if (slot < MOCK_SLOTS)
        m.csr[MOCK_SLOT(slot, TOE_FIELD_RX_SENT)] = seq + (uint32_t)n;
}

static void rec_message(uint8_t op)
{
    static const uint8_t types[] = {
        TOE_MSG_RESP,     TOE_MSG_EVENT,     TOE_MSG_RAW_RX, TOE_MSG_RX_DATA,
        TOE_MSG_CSR_READ, TOE_MSG_CSR_WRITE, TOE_MSG_RAW_TX, TOE_MSG_TX_DATA,
        TOE_MSG_RX_CONSUMED,
    };
    uint8_t type = types[(op >> 3) % sizeof(types)], arg = fz_u8(&in);
    size_t n;
    const uint8_t *body = fz_bytes(&in, fz_u16(&in) % (TOE_LINK_MAX_MSG + 8), &n);
    uint8_t f[TOE_LINK_MAX_ENC];
    size_t e = toe_frame_encode(type, arg, body, n, f, sizeof(f));
    mock_emit_bytes(&m, f, e);
}

static void rec_raw(void)
{
    size_t n;
    const uint8_t *p = fz_bytes(&in, fz_u8(&in), &n);
    mock_emit_bytes(&m, p, n);
}

static void rec_resp(void)
{
    uint8_t tag = (uint8_t)(dev->next_tag - 1 - fz_u8(&in) % 4), status = fz_u8(&in) % 8;
    struct toe_msg r = {.type = TOE_MSG_RESP, .arg = tag, .status = status,
                        .value = fz_u32(&in)};
    mock_emit(&m, &r);
}

static void rec_device(void)
{
    uint8_t what = fz_u8(&in);
    if (what < 0x04) {
        m.gone = 1; /* the link fails: every later call fails */
    } else if (what < 0x10) {
        close_now = 1;
    } else if (what < 0x40) {
        if (drops < 4) { /* each costs a retry interval (above) */
            drops++;
            m.drop_resps++;
        }
    } else if (what < 0x80) {
        m.time_us += (uint64_t)fz_u32(&in) << (what % 8);
    } else {
        uint16_t a = fz_u16(&in) % MOCK_CSRS;
        m.csr[a] = fz_u32(&in);
    }
}

static void rec_event(void)
{
    uint8_t kind = fz_u8(&in);
    size_t n;
    uint16_t seq = (uint16_t)(m.ev_seq + delta());
    const uint8_t *p = fz_bytes(&in, fz_u8(&in), &n);
    struct toe_msg e = {.type = TOE_MSG_EVENT, .arg = kind, .seq = seq, .time = m.time_us,
                        .data = p, .data_len = n};
    mock_emit(&m, &e);
    m.ev_seq = (uint16_t)(seq + 1);
}

static void next_record(void)
{
    uint8_t op = fz_u8(&in);
    switch (op & 7) {
    case 0: rec_tcp(op); break;
    case 1: rec_slot_event(); break;
    case 2: rec_rx_data(); break;
    case 3: rec_message(op); break;
    case 4: rec_raw(); break;
    case 5: rec_resp(); break;
    case 6: rec_device(); break;
    default: rec_event(); break;
    }
}

static struct toe_transport mock_tr;

static int f_write(void *priv, const uint8_t *buf, size_t len, size_t *written, int timeout_ms)
{
    return mock_tr.ops->write(priv, buf, len, written, timeout_ms);
}

static int f_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    (void)timeout_ms;
    *got = 0;
    if (!m.out_len && fz_left(&in))
        next_record(); /* one a read: a record that sends nothing is a pause */
    return mock_tr.ops->read(priv, buf, cap, got, 0); /* never sleeps with timeout 0 */
}

static void f_close(void *priv) { (void)priv; }

static const struct toe_transport_ops fuzz_ops = {"fuzz", f_write, f_read, f_close, NULL};

static void on_event(void *user, unsigned kind, uint16_t seq, uint64_t time_us,
                     const uint8_t *fields, size_t len)
{
    (void)user, (void)kind, (void)seq, (void)time_us;
    FUZZ_CHECK(len <= TOE_LINK_MAX_MSG && (fields || !len), "event fields");
    if (len) { /* all of them readable (ASan) */
        volatile uint8_t last = fields[len - 1];
        (void)last;
    }
}

static void check_sock(const toe_sock *s)
{
    struct toe_tcp_info ti;
    if (s && toe_tcp_sockinfo(s, &ti) == 0)
        FUZZ_CHECK(ti.state >= TOE_TCPS_CLOSED && ti.state <= TOE_TCPS_TIME_WAIT &&
                       ti.slot >= -1 && ti.slot < MOCK_SLOTS,
                   "socket state %d slot %d", ti.state, ti.slot);
}

/* One API call chosen by turn; sockets are NULL once closed. */
static void call(unsigned turn, toe_sock **c, toe_sock *l, toe_sock **a)
{
    static uint8_t buf[2048];
    size_t got = 0;
    switch (turn % 10) {
    case 0:
        toe_poll(dev, 0);
        break;
    case 1:
        if (*c && toe_tcp_recv(*c, buf, sizeof(buf), &got, 0) == 0)
            FUZZ_CHECK(got <= sizeof(buf), "recv got %zu", got);
        if (*a && toe_tcp_recv(*a, buf, 100, &got, 0) == 0)
            FUZZ_CHECK(got <= 100, "recv got %zu", got);
        break;
    case 2:
        if (*c) {
            memset(buf, 'x', 1500);
            toe_tcp_send(*c, buf, 1500, &got, 0);
            FUZZ_CHECK(got <= 1500, "sent %zu", got);
        }
        break;
    case 3: {
        unsigned verdict;
        uint64_t t;
        size_t cap = turn & 8 ? 60 : sizeof(buf);
        int r = toe_raw_recv(dev, buf, cap, &got, &verdict, &t, 0);
        FUZZ_CHECK(r != 0 || got <= cap, "raw frame of %zu in %zu", got, cap);
        break;
    }
    case 4: {
        toe_sock *n = NULL;
        if (toe_tcp_accept(l, &n, NULL, NULL, 0) == 0) {
            FUZZ_CHECK(n != NULL, "accept without a socket");
            if (*a)
                toe_tcp_close(*a, 0);
            *a = n;
        }
        break;
    }
    case 5: {
        struct toe_tcp_pollfd fds[3] = {{*c, TOE_POLLIN | TOE_POLLOUT, 0},
                                        {l, TOE_POLLIN, 0},
                                        {*a, TOE_POLLIN | TOE_POLLOUT, 0}};
        int r = toe_tcp_poll(fds, 3, 0);
        FUZZ_CHECK(r <= 3, "poll %d", r);
        check_sock(*c);
        check_sock(l);
        check_sock(*a);
        break;
    }
    case 6: { /* a UDP datagram, to the peer or to a neighbour that may never answer ARP */
        uint8_t *p = buf;
        memset(p, 0, 28);
        p[0] = 0x45;
        wr16(p + 2, 28);
        p[8] = 64;
        p[9] = 17;
        wr32(p + 12, 0x0a00020f);
        wr32(p + 16, turn & 16 ? 0x0a000202 : 0x0a000200 + (turn >> 5) % 8);
        wr16(p + 24, 8);
        toe_ip_send(dev, p, 28, TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4);
        break;
    }
    case 7: { /* the mock answers pings; the wait is one host ms at most */
        uint32_t rtt;
        unsigned ttl;
        toe_ping_seq(dev, 0x0a000202, (uint16_t)turn, turn % 64, 1, &rtt, &ttl);
        break;
    }
    case 8:
        if (*a && (turn & 32))
            toe_tcp_shutdown(*a, 0);
        break;
    default: {
        struct toe_tcp_info ti[4];
        uint64_t hs[TOE_HSTAT_COUNT];
        toe_tcp_netstat(dev, ti, 4, &got);
        FUZZ_CHECK(got <= 4, "netstat got %zu", got);
        toe_host_stats(dev, hs, TOE_HSTAT_COUNT, &got);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = (struct fz){data, size};
    drops = 0;
    mock_init(&m);
    mock_tr = mock_transport(&m);
    struct toe_transport t = {&fuzz_ops, &m};
    struct toe_open_opts o = {.no_probe = 1, .csr_retry_ms = 1, .csr_retries = -1,
                              .raw_queue_len = 4};
    dev = NULL;
    FUZZ_CHECK(toe_open_transport(&dev, &t, "fuzz", &o) == 0 && dev, "open");
    dev->next_tag = 0; /* fixed tags, so that an input replays exactly */
    toe_set_event_cb(dev, on_event, NULL);

    struct toe_info info;
    uint32_t stats[TOE_STAT_COUNT];
    size_t got = 0;
    toe_get_info(dev, &info, 50);
    FUZZ_CHECK(toe_read_stats(dev, stats, TOE_STAT_COUNT, &got, 50) != 0 ||
                   got == TOE_STAT_COUNT, "stats got %zu", got);
    struct toe_tcp_info ti[4];
    toe_tcp_netstat(dev, ti, 4, &got); /* before the first socket: the device's slots */
    FUZZ_CHECK(got <= 4, "netstat got %zu", got);
    toe_sock *c = NULL, *l = NULL, *a = NULL;
    if (toe_tcp_socket(dev, &c) == 0) {
        toe_tcp_setopt(c, TOE_TCP_KEEPALIVE, 1); /* keepalive and user timeout timers run */
        toe_tcp_setopt(c, TOE_TCP_KEEPCNT, 2);
        toe_tcp_setopt(c, TOE_TCP_USER_TIMEOUT, 2000);
        toe_tcp_connect(c, 0x0a000202, 80, 0);
    }
    if (toe_tcp_socket(dev, &l) == 0)
        toe_tcp_listen(l, 8080, 2);
    close_now = 0;
    for (unsigned turn = 0; turn < 4096 && !dev->dead && (fz_left(&in) || m.out_len); turn++) {
        call(turn, &c, l, &a);
        if (close_now && c) {
            toe_tcp_close(c, 0);
            c = NULL;
        }
    }
    toe_tcp_close(a, 0);
    toe_tcp_close(c, 0);
    toe_tcp_close(l, 0);
    toe_close(dev);
    dev = NULL;
    mock_free(&m);
    return 0;
}
