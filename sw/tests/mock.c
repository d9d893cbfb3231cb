/* SPDX-License-Identifier: MIT */
/* mock.c: the scripted device of the unit tests. */
#include "mock.h"

#include <string.h>
#include <time.h>

int mock_failures;


void mock_init(struct mock_dev *m)
{
    memset(m, 0, sizeof(*m));
    m->out = malloc(MOCK_OUT);
    toe_link_rx_init(&m->rx);
    m->csr[TOE_CSR_ID] = TOE_CONST_ID;
    m->csr[TOE_CSR_VERSION] = TOE_CONST_VERSION;
    m->csr[TOE_CSR_CAPS] =
        MOCK_SLOTS | TOE_CONST_LINK_SIM << 8 | MOCK_RING_LOG2 << 16 | TOE_CONST_CAPS_TRAFFIC;
    for (int i = 0; i < MOCK_SLOTS; i++)
        m->txlog[i] = malloc(MOCK_TXLOG);
    m->csr[TOE_CSR_LINK_RATE] = 1500000;
    m->csr[TOE_CSR_MAC_HI] = 0x0200;
    m->csr[TOE_CSR_MAC_LO] = 0x00000001;
    m->csr[TOE_CSR_IP] = 0x0a00020f;      /* 10.0.2.15 */
    m->csr[TOE_CSR_NETMASK] = 0xffffff00;
    m->csr[TOE_CSR_GATEWAY] = 0x0a000202; /* 10.0.2.2 */
    m->csr[TOE_CSR_HOST_MASK] = TOE_CONST_HOST_MASK_DEFAULT;
    for (unsigned i = 0; i < TOE_STAT_COUNT; i++)
        m->csr[TOE_CSR_STAT_BASE + i] = 1000 + i;
    m->peers[0] = (struct mock_peer){0x0a000202, {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}, 1, 1};
}

void mock_free(struct mock_dev *m)
{
    free(m->out);
    m->out = NULL;
    for (int i = 0; i < MOCK_SLOTS; i++) {
        free(m->txlog[i]);
        m->txlog[i] = NULL;
    }
}

void mock_emit_bytes(struct mock_dev *m, const void *p, size_t n)
{
    if (m->out_len + n > MOCK_OUT)
        return;
    memcpy(m->out + m->out_len, p, n);
    m->out_len += n;
}

void mock_emit(struct mock_dev *m, const struct toe_msg *msg)
{
    uint8_t f[TOE_LINK_MAX_ENC];
    size_t n = toe_msg_encode(msg, f, sizeof(f));
    if (n)
        mock_emit_bytes(m, f, n);
}

void mock_emit_event(struct mock_dev *m, uint8_t kind, uint16_t seq)
{
    struct toe_msg e = {.type = TOE_MSG_EVENT, .arg = kind, .seq = seq, .time = m->time_us};
    mock_emit(m, &e);
}

static int slot_field(const struct mock_dev *m, uint16_t a, unsigned *slot, unsigned *f)
{
    if (a < TOE_CSR_SLOT_BASE || a >= TOE_CSR_SLOT_BASE + MOCK_SLOTS * TOE_CONST_SLOT_STRIDE)
        return 0;
    *slot = (a - TOE_CSR_SLOT_BASE) / TOE_CONST_SLOT_STRIDE;
    *f = (a - TOE_CSR_SLOT_BASE) % TOE_CONST_SLOT_STRIDE;
    return *f <= (m->old_fields ? TOE_FIELD_SND_MAX : TOE_FIELD_TRAFFIC_LEN);
}

static int known(const struct mock_dev *m, uint16_t a)
{
    unsigned sl, f;
    if (slot_field(m, a, &sl, &f) || a == TOE_CSR_SLOT_CMD)
        return 1;
    return a <= TOE_CSR_LINK_SESSION || (a >= TOE_CSR_MAC_HI && a <= TOE_CSR_HOST_MASK) ||
           (a >= TOE_CSR_TIME_LO && a <= TOE_CSR_ALARM_HI) ||
           (a >= TOE_CSR_STAT_BASE && a < TOE_CSR_STAT_BASE + TOE_STAT_COUNT);
}

static int read_only(const struct mock_dev *m, uint16_t a)
{
    unsigned sl, f;
    if (slot_field(m, a, &sl, &f))
        return f == TOE_FIELD_SND_NXT || f == TOE_FIELD_TX_END || f == TOE_FIELD_RX_CONSUMED ||
               f == TOE_FIELD_RCV_WND || f == TOE_FIELD_STATS || f == TOE_FIELD_SND_MAX ||
               f == TOE_FIELD_RCV_UP;
    if (a == TOE_CSR_SLOT_CMD)
        return 0;
    return a <= TOE_CSR_LINK_SESSION || a == TOE_CSR_TIME_LO || a == TOE_CSR_TIME_HI ||
           a >= TOE_CSR_STAT_BASE;
}

static void resp(struct mock_dev *m, uint8_t tag, uint8_t status, uint32_t v)
{
    if (m->drop_resps > 0) {
        m->drop_resps--;
        return;
    }
    struct toe_msg r = {.type = TOE_MSG_RESP, .arg = tag, .status = status, .value = v};
    mock_emit(m, &r);
}

static struct mock_peer *peer(struct mock_dev *m, uint32_t ip)
{
    for (int i = 0; i < MOCK_PEERS; i++)
        if (m->peers[i].ip && m->peers[i].ip == ip)
            return &m->peers[i];
    return NULL;
}

static void raw_rx(struct mock_dev *m, uint8_t verdict, const uint8_t *f, size_t n)
{
    struct toe_msg r = {.type = TOE_MSG_RAW_RX, .arg = verdict, .time = m->time_us, .data = f,
                        .data_len = n};
    mock_emit(m, &r);
}

static void on_raw_tx(struct mock_dev *m, const uint8_t *f, size_t n)
{
    if (rd16(f + 12) == 0x0806 && n >= 42 && rd16(f + 20) == 1) {
        if (!m->arp_req++)
            m->arp_req_first_us = m->time_us;
        m->arp_req_last_us = m->time_us;
        struct mock_peer *p = peer(m, rd32(f + 38));
        if (!p || !p->arp_answer)
            return;
        uint8_t r[42];
        memcpy(r, f + 6, 6);
        memcpy(r + 6, p->mac, 6);
        wr16(r + 12, 0x0806);
        memcpy(r + 14, f + 14, 6);
        wr16(r + 20, 2);
        memcpy(r + 22, p->mac, 6);
        wr32(r + 28, p->ip);
        memcpy(r + 32, f + 22, 10);
        raw_rx(m, TOE_STAT_RX_ARP_OTHER, r, sizeof(r));
    } else if (rd16(f + 12) == 0x0800 && n >= 42 && f[23] == 1 && f[34] == 8) {
        m->echo_req++;
        struct mock_peer *p = peer(m, rd32(f + 30));
        if (!p || !p->echo_answer || memcmp(f, p->mac, 6))
            return;
        uint8_t r[1514];
        if (n > sizeof(r))
            return;
        memcpy(r, f + 6, 6);
        memcpy(r + 6, f, 6);
        memcpy(r + 12, f + 12, n - 12);
        memcpy(r + 26, f + 30, 4);
        memcpy(r + 30, f + 26, 4);
        r[22] = 63;
        r[24] = r[25] = 0;
        wr16(r + 24, toe_inet_csum(r + 14, 20));
        r[34] = 0;
        r[36] = r[37] = 0;
        wr16(r + 36, toe_inet_csum(r + 34, rd16(r + 16) - 20u));
        raw_rx(m, TOE_STAT_RX_IP_OTHER, r, n);
    }
}

/* Side effects of slot CSR writes (docs/TCP.md, spec fields and commands); old: the value
 * before the write. */
static void slot_write(struct mock_dev *m, uint16_t a, uint32_t v, uint32_t old)
{
    unsigned sl, f;
    if (a == TOE_CSR_SLOT_CMD) {
        unsigned cmd = v >> 8, s = v & 0xff;
        m->csr[a] = 0;
        if (m->ncmd < MOCK_CMDLOG)
            m->cmdlog[m->ncmd++] = (uint16_t)v;
        if (s >= MOCK_SLOTS)
            return;
        uint32_t *fl = &m->csr[MOCK_SLOT(s, TOE_FIELD_FLAGS)];
        if (cmd == TOE_CMD_OPEN)
            *fl |= TOE_CONST_SF_VALID;
        else if (cmd == TOE_CMD_FREE)
            *fl = 0;
        else if (cmd == TOE_CMD_CLOSE)
            *fl |= TOE_CONST_SF_FIN_QUEUED;
        return;
    }
    if (!slot_field(m, a, &sl, &f))
        return;
    if (f == TOE_FIELD_FLAGS) { /* the host writes only these; the rest stay the device's */
        uint32_t w = TOE_CONST_SF_NAGLE | TOE_CONST_SF_SYN_RCVD | TOE_CONST_SF_ACK_REPORT;
        m->csr[a] = (old & ~w) | (v & w);
    } else if (f == TOE_FIELD_SND_UNA) {
        m->csr[MOCK_SLOT(sl, TOE_FIELD_SND_NXT)] = v;
        m->csr[MOCK_SLOT(sl, TOE_FIELD_TX_END)] = v;
        m->csr[MOCK_SLOT(sl, TOE_FIELD_SND_MAX)] = v;
        m->txlog_len[sl] = 0;
    } else if (f == TOE_FIELD_RCV_NXT) {
        m->csr[MOCK_SLOT(sl, TOE_FIELD_RX_SENT)] = v;
        m->csr[MOCK_SLOT(sl, TOE_FIELD_RX_CONSUMED)] = v;
    } else if (f == TOE_FIELD_RX_SENT) {
        m->rx_sent_writes++;
    }
}

const struct mock_raw *mock_raw_back(const struct mock_dev *m, unsigned k)
{
    if (k >= m->nraw || k >= MOCK_RAWLOG)
        return NULL;
    return &m->rawlog[(m->nraw - 1 - k) % MOCK_RAWLOG];
}

unsigned mock_cmd_count(const struct mock_dev *m, unsigned cmd, int slot)
{
    unsigned n = 0;
    for (unsigned i = 0; i < m->ncmd; i++)
        if ((m->cmdlog[i] >> 8) == cmd && (slot < 0 || (m->cmdlog[i] & 0xff) == (unsigned)slot))
            n++;
    return n;
}

void mock_slot_event(struct mock_dev *m, unsigned slot, unsigned flags, uint32_t una,
                     uint32_t wnd, uint32_t rcv_nxt, uint32_t rtt)
{
    uint8_t f[TOE_HDR_SLOT_EVENT];
    f[TOE_AT_SLOT_EVENT_SLOT] = (uint8_t)slot;
    f[TOE_AT_SLOT_EVENT_FLAGS] = (uint8_t)flags;
    wr32(f + TOE_AT_SLOT_EVENT_SND_UNA, una);
    wr32(f + TOE_AT_SLOT_EVENT_SND_WND, wnd);
    wr32(f + TOE_AT_SLOT_EVENT_RCV_NXT, rcv_nxt);
    wr32(f + TOE_AT_SLOT_EVENT_RTT_US, rtt);
    if (slot < MOCK_SLOTS) { /* the slot's fields follow the snapshot */
        uint32_t *fl = &m->csr[MOCK_SLOT(slot, TOE_FIELD_FLAGS)];
        m->csr[MOCK_SLOT(slot, TOE_FIELD_SND_UNA)] = una;
        m->csr[MOCK_SLOT(slot, TOE_FIELD_SND_WND)] = wnd;
        m->csr[MOCK_SLOT(slot, TOE_FIELD_RCV_NXT)] = rcv_nxt;
        if (flags & TOE_CONST_EVF_ESTABLISHED)
            *fl &= ~(uint32_t)TOE_CONST_SF_SYN_RCVD;
        if (flags & TOE_CONST_EVF_FIN_RCVD)
            *fl |= TOE_CONST_SF_FIN_RCVD;
        if (flags & TOE_CONST_EVF_FIN_ACKED)
            *fl |= TOE_CONST_SF_FIN_ACKED;
        if (flags & TOE_CONST_EVF_ACK_SEEN)
            *fl &= ~(uint32_t)TOE_CONST_SF_ACK_REPORT;
    }
    struct toe_msg e = {.type = TOE_MSG_EVENT, .arg = TOE_EVENT_SLOT, .seq = m->ev_seq++,
                        .time = m->time_us, .data = f, .data_len = sizeof(f)};
    mock_emit(m, &e);
}

void mock_rx_data(struct mock_dev *m, unsigned slot, uint32_t seq, const void *p, size_t n)
{
    struct toe_msg r = {.type = TOE_MSG_RX_DATA, .arg = (uint8_t)slot, .offset = seq, .data = p,
                        .data_len = n};
    mock_emit(m, &r);
}

void mock_tcp_seg(struct mock_dev *m, uint32_t ip, uint16_t sport, uint16_t dport, uint32_t seq,
                  uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
                  const void *data, size_t dlen)
{
    uint8_t f[1514];
    size_t ihl = 20 + 4 * (size_t)m->seg_ip_opt_words;
    size_t tl = 20 + optlen + dlen, tot = ihl + tl;
    memset(f, 0, 14 + ihl + 20 + optlen);
    memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
    memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02", 6);
    wr16(f + 12, 0x0800);
    uint8_t *ip4 = f + 14, *h = f + 14 + ihl;
    ip4[0] = (uint8_t)(0x40 | ihl / 4);
    wr16(ip4 + 2, (uint16_t)tot);
    ip4[8] = 64;
    ip4[9] = 6;
    wr32(ip4 + 12, ip);
    wr32(ip4 + 16, m->csr[TOE_CSR_IP]);
    memset(ip4 + 20, 1, ihl - 20); /* NOP options */
    wr16(ip4 + 10, toe_inet_csum(ip4, ihl));
    wr16(h, sport);
    wr16(h + 2, dport);
    wr32(h + 4, seq);
    wr32(h + 8, ack);
    h[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    h[13] = flags;
    wr16(h + 14, wnd);
    if (optlen)
        memcpy(h + 20, opt, optlen);
    if (dlen)
        memcpy(h + 20 + optlen, data, dlen);
    raw_rx(m, TOE_STAT_RX_TCP, f, 14 + tot);
}

void mock_icmp_err(struct mock_dev *m, uint32_t from, uint8_t type, uint8_t code, uint16_t mtu,
                   uint32_t qdst, uint16_t qsport, uint16_t qdport, uint32_t qseq, uint16_t qlen)
{
    uint8_t f[14 + 20 + 8 + 28];
    memset(f, 0, sizeof(f));
    memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
    memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02", 6);
    wr16(f + 12, 0x0800);
    uint8_t *ip4 = f + 14, *ic = ip4 + 20, *q = ic + 8;
    ip4[0] = 0x45;
    wr16(ip4 + 2, sizeof(f) - 14);
    ip4[8] = 64;
    ip4[9] = 1;
    wr32(ip4 + 12, from);
    wr32(ip4 + 16, m->csr[TOE_CSR_IP]);
    wr16(ip4 + 10, toe_inet_csum(ip4, 20));
    ic[0] = type;
    ic[1] = code;
    wr16(ic + 6, mtu);
    q[0] = 0x45;
    wr16(q + 2, qlen);
    wr16(q + 6, 0x4000);
    q[8] = 1;
    q[9] = m->icmp_qproto ? m->icmp_qproto : 6;
    wr32(q + 12, m->csr[TOE_CSR_IP]);
    wr32(q + 16, qdst);
    wr16(q + 20, qsport);
    wr16(q + 22, qdport);
    wr32(q + 24, qseq);
    wr16(ic + 2, toe_inet_csum(ic, 8 + 28));
    raw_rx(m, TOE_STAT_RX_IP_OTHER, f, sizeof(f));
}

static void on_msg(void *user, const uint8_t *buf, size_t len)
{
    struct mock_dev *m = user;
    struct toe_msg q;
    if (m->silent || toe_msg_unpack(buf, len, &q))
        return;
    m->time_us += 10;
    switch (q.type) {
    case TOE_MSG_CSR_READ:
        m->csr_reads++;
        if (!known(m, q.addr)) {
            resp(m, q.arg, TOE_CONST_RESP_BAD_ADDR, 0);
        } else if (q.addr == TOE_CSR_TIME_LO) {
            m->time_hi_latch = (uint32_t)(m->time_us >> 32);
            resp(m, q.arg, 0, (uint32_t)m->time_us);
        } else if (q.addr == TOE_CSR_TIME_HI) {
            resp(m, q.arg, 0, m->time_hi_latch);
        } else {
            resp(m, q.arg, 0, m->csr[q.addr]);
        }
        break;
    case TOE_MSG_CSR_WRITE: {
        m->csr_writes++;
        if (!known(m, q.addr)) {
            resp(m, q.arg, TOE_CONST_RESP_BAD_ADDR, 0);
            break;
        }
        if (read_only(m, q.addr)) {
            resp(m, q.arg, TOE_CONST_RESP_READ_ONLY, 0);
            break;
        }
        unsigned rs, rf;
        if (m->refuse_rx_sent && slot_field(m, q.addr, &rs, &rf) && rf == TOE_FIELD_RX_SENT) {
            m->rx_sent_writes++;
            resp(m, q.arg, TOE_CONST_RESP_BAD_REQ, 0);
            break;
        }
        uint32_t old = m->csr[q.addr];
        m->csr[q.addr] = q.value;
        slot_write(m, q.addr, q.value, old);
        if (q.addr == TOE_CSR_ALARM_HI) {
            m->alarm_at = (uint64_t)q.value << 32 | m->csr[TOE_CSR_ALARM_LO];
            m->alarm_armed = 1;
        }
        resp(m, q.arg, 0, 0);
        break;
    }
    case TOE_MSG_TX_DATA: {
        m->tx_data_msgs++;
        if (m->drop_tx_data > 0) {
            m->drop_tx_data--;
            break;
        }
        unsigned sl = q.arg;
        uint32_t ring = 1u << MOCK_RING_LOG2;
        uint32_t end = m->csr[MOCK_SLOT(sl, TOE_FIELD_TX_END)];
        uint32_t una = m->csr[MOCK_SLOT(sl, TOE_FIELD_SND_UNA)];
        if (sl >= MOCK_SLOTS || !(m->csr[MOCK_SLOT(sl, TOE_FIELD_FLAGS)] & TOE_CONST_SF_VALID) ||
            q.offset != end || (end - una) + q.data_len > ring ||
            m->txlog_len[sl] + q.data_len > MOCK_TXLOG) {
            m->csr[TOE_CSR_STAT_BASE + TOE_STAT_TCP_TX_DATA_BAD]++;
            break;
        }
        memcpy(m->txlog[sl] + m->txlog_len[sl], q.data, q.data_len);
        m->txlog_len[sl] += q.data_len;
        m->tx_data_snd_up = m->csr[MOCK_SLOT(sl, TOE_FIELD_SND_UP)];
        m->csr[MOCK_SLOT(sl, TOE_FIELD_TX_END)] = end + (uint32_t)q.data_len;
        break;
    }
    case TOE_MSG_RX_CONSUMED:
        m->rx_consumed_msgs++;
        if (q.arg < MOCK_SLOTS)
            m->csr[MOCK_SLOT(q.arg, TOE_FIELD_RX_CONSUMED)] = q.offset;
        break;
    case TOE_MSG_SESSION:
        if (!m->no_session) {
            struct toe_msg a = {.type = TOE_MSG_SESSION_ACK, .value = q.value};
            m->csr[TOE_CSR_LINK_SESSION] = q.value;
            mock_emit(m, &a);
        }
        break;
    case TOE_MSG_RAW_TX:
        m->raw_tx++;
        {
            struct mock_raw *r = &m->rawlog[m->nraw++ % MOCK_RAWLOG];
            r->len = q.data_len;
            r->flags = q.arg;
            memcpy(r->f, q.data, q.data_len);
        }
        memcpy(m->last_raw, q.data, q.data_len);
        m->last_raw_len = q.data_len;
        m->last_raw_flags = q.arg;
        on_raw_tx(m, q.data, q.data_len);
        break;
    default:
        break;
    }
}

void mock_input(struct mock_dev *m, const uint8_t *p, size_t n)
{
    m->writes++;
    toe_link_rx_feed(&m->rx, p, n, on_msg, m);
}

static int mk_write(void *priv, const uint8_t *buf, size_t len, size_t *written, int timeout_ms)
{
    (void)timeout_ms;
    mock_input(priv, buf, len);
    *written = len;
    return 0;
}

static int mk_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct mock_dev *m = priv;
    *got = 0;
    if (m->gone)
        return TOE_ENODEV;
    m->time_us += 100; /* device time moves while the host waits */
    if (m->alarm_armed && m->time_us >= m->alarm_at) {
        m->alarm_armed = 0;
        if (m->drop_alarms)
            m->drop_alarms--;
        else
            mock_emit_event(m, TOE_EVENT_ALARM, m->ev_seq++);
    }
    int late = m->late_reads > 0;
    if (late)
        m->late_reads--;
    if (!m->out_len || late) {
        if (timeout_ms != 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            if (!m->slow_clock)
                m->time_us += 1000; /* and keeps up with the host's while it sleeps */
        }
        return 0;
    }
    size_t n = m->out_len < cap ? m->out_len : cap;
    memcpy(buf, m->out, n);
    memmove(m->out, m->out + n, m->out_len - n);
    m->out_len -= n;
    *got = n;
    return 0;
}

static void mk_close(void *priv) { (void)priv; }

static const struct toe_transport_ops mock_ops = {"mock", mk_write, mk_read, mk_close, NULL};

struct toe_transport mock_transport(struct mock_dev *m)
{
    struct toe_transport t = {&mock_ops, m};
    return t;
}

uint64_t mock_fast_host_clock(void *m) { return ((const struct mock_dev *)m)->time_us * 10; }

toe_dev *mock_open(struct mock_dev *m, int probe, int retry_ms, int retries)
{
    struct toe_transport t = mock_transport(m);
    struct toe_open_opts o = {.no_probe = !probe, .csr_retry_ms = retry_ms,
                              .csr_retries = retries};
    toe_dev *dev = NULL;
    if (toe_open_transport(&dev, &t, "mock", &o))
        return NULL;
    return dev;
}
