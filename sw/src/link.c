/* SPDX-License-Identifier: MIT */
/* link.c: COBS + CRC-32 framing and message pack/unpack (docs/LINK.md sections 1 and 2). */
#include "link.h"

#include <string.h>

uint32_t toe_crc32(const uint8_t *p, size_t n)
{
    /* Nibble table: small, and fast enough for a USB link. */
    static const uint32_t t[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
        0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
    };
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        c = (c >> 4) ^ t[c & 15];
        c = (c >> 4) ^ t[c & 15];
    }
    return c ^ 0xffffffffu;
}

size_t toe_cobs_encode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t code_at = 0, o = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == 0) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
        } else {
            out[o++] = in[i];
            if (++code == 0xff) {
                out[code_at] = code;
                code_at = o++;
                code = 1;
            }
        }
    }
    out[code_at] = code;
    return o;
}

long toe_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t code = in[i++];
        if (code == 0)
            return -1;
        size_t run = (size_t)code - 1;
        if (run > n - i || o + run > cap)
            return -1;
        memcpy(out + o, in + i, run);
        o += run;
        i += run;
        /* A block shorter than 254 stands for a zero, except the last one. */
        if (code != 0xff && i < n) {
            if (o >= cap)
                return -1;
            out[o++] = 0;
        }
    }
    return (long)o;
}

size_t toe_frame_encode(uint8_t type, uint8_t arg, const uint8_t *body, size_t body_len,
                        uint8_t *out, size_t cap)
{
    uint8_t raw[TOE_LINK_MAX_RAW];
    if (body_len + 2 > TOE_LINK_MAX_MSG || (body_len && !body))
        return 0;
    size_t n = body_len + 2;
    raw[0] = type;
    raw[1] = arg;
    if (body_len)
        memcpy(raw + 2, body, body_len);
    uint32_t crc = toe_crc32(raw, n);
    for (int k = 0; k < 4; k++)
        raw[n++] = (uint8_t)(crc >> (8 * k));
    if (cap < n + n / 254 + 2)
        return 0;
    size_t e = toe_cobs_encode(raw, n, out);
    out[e++] = 0;
    return e;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

/* Fixed part (type, arg, fields before data) and the data length range per type. */
static int msg_limits(uint8_t type, size_t *fixed, size_t *dmin, size_t *dmax)
{
    size_t rest = TOE_LINK_MAX_MSG;
    switch (type) {
    case TOE_MSG_CSR_READ: *fixed = TOE_HDR_CSR_READ; *dmin = *dmax = 0; return 0;
    case TOE_MSG_CSR_WRITE: *fixed = TOE_HDR_CSR_WRITE; *dmin = *dmax = 0; return 0;
    case TOE_MSG_RAW_TX: *fixed = TOE_HDR_RAW_TX; *dmin = 14; *dmax = 1514; return 0;
    case TOE_MSG_TX_DATA: *fixed = TOE_HDR_TX_DATA; *dmin = 0; *dmax = TOE_CONST_SLOT_DATA_MAX; return 0;
    case TOE_MSG_RX_CONSUMED: *fixed = TOE_HDR_RX_CONSUMED; *dmin = *dmax = 0; return 0;
    case TOE_MSG_SESSION: *fixed = TOE_HDR_SESSION; *dmin = *dmax = 0; return 0;
    case TOE_MSG_RESP: *fixed = TOE_HDR_RESP; *dmin = *dmax = 0; return 0;
    case TOE_MSG_SESSION_ACK: *fixed = TOE_HDR_SESSION_ACK; *dmin = *dmax = 0; return 0;
    case TOE_MSG_EVENT: *fixed = TOE_HDR_EVENT; *dmin = 0; *dmax = rest - TOE_HDR_EVENT; return 0;
    case TOE_MSG_RAW_RX: *fixed = TOE_HDR_RAW_RX; *dmin = 14; *dmax = 1514; return 0;
    case TOE_MSG_RX_DATA: *fixed = TOE_HDR_RX_DATA; *dmin = 0; *dmax = TOE_CONST_SLOT_DATA_MAX; return 0;
    default: return -1;
    }
}

int toe_msg_fixed_len(uint8_t type)
{
    size_t f, a, b;
    return msg_limits(type, &f, &a, &b) ? -1 : (int)f;
}

int toe_msg_pack(const struct toe_msg *m, uint8_t *buf, size_t cap, size_t *len)
{
    size_t fixed, dmin, dmax;
    if (!m || !buf || msg_limits(m->type, &fixed, &dmin, &dmax))
        return -1;
    if (m->data_len < dmin || m->data_len > dmax || (m->data_len && !m->data))
        return -1;
    if (fixed + m->data_len > cap)
        return -1;
    buf[0] = m->type;
    buf[1] = m->arg;
    switch (m->type) {
    case TOE_MSG_CSR_READ: put16(buf + TOE_AT_CSR_READ_ADDR, m->addr); break;
    case TOE_MSG_CSR_WRITE:
        put16(buf + TOE_AT_CSR_WRITE_ADDR, m->addr);
        put32(buf + TOE_AT_CSR_WRITE_VALUE, m->value);
        break;
    case TOE_MSG_TX_DATA: put32(buf + TOE_AT_TX_DATA_SEQ, m->offset); break;
    case TOE_MSG_RX_CONSUMED: put32(buf + TOE_AT_RX_CONSUMED_SEQ, m->offset); break;
    case TOE_MSG_RX_DATA: put32(buf + TOE_AT_RX_DATA_SEQ, m->offset); break;
    case TOE_MSG_SESSION: put32(buf + TOE_AT_SESSION_NUMBER, m->value); break;
    case TOE_MSG_RESP:
        buf[TOE_AT_RESP_STATUS] = m->status;
        put32(buf + TOE_AT_RESP_VALUE, m->value);
        break;
    case TOE_MSG_SESSION_ACK:
        buf[TOE_AT_SESSION_ACK_STATUS] = m->status;
        put32(buf + TOE_AT_SESSION_ACK_NUMBER, m->value);
        break;
    case TOE_MSG_EVENT:
        put16(buf + TOE_AT_EVENT_SEQ, m->seq);
        put64(buf + TOE_AT_EVENT_TIME, m->time);
        break;
    case TOE_MSG_RAW_RX: put64(buf + TOE_AT_RAW_RX_TIME, m->time); break;
    default: break;
    }
    if (m->data_len)
        memcpy(buf + fixed, m->data, m->data_len);
    *len = fixed + m->data_len;
    return 0;
}

int toe_msg_unpack(const uint8_t *buf, size_t len, struct toe_msg *m)
{
    size_t fixed, dmin, dmax;
    if (!buf || !m || len < 2 || msg_limits(buf[0], &fixed, &dmin, &dmax))
        return -1;
    if (len < fixed || len - fixed < dmin || len - fixed > dmax)
        return -1;
    memset(m, 0, sizeof(*m));
    m->type = buf[0];
    m->arg = buf[1];
    switch (m->type) {
    case TOE_MSG_CSR_READ: m->addr = get16(buf + TOE_AT_CSR_READ_ADDR); break;
    case TOE_MSG_CSR_WRITE:
        m->addr = get16(buf + TOE_AT_CSR_WRITE_ADDR);
        m->value = get32(buf + TOE_AT_CSR_WRITE_VALUE);
        break;
    case TOE_MSG_TX_DATA: m->offset = get32(buf + TOE_AT_TX_DATA_SEQ); break;
    case TOE_MSG_RX_CONSUMED: m->offset = get32(buf + TOE_AT_RX_CONSUMED_SEQ); break;
    case TOE_MSG_RX_DATA: m->offset = get32(buf + TOE_AT_RX_DATA_SEQ); break;
    case TOE_MSG_SESSION: m->value = get32(buf + TOE_AT_SESSION_NUMBER); break;
    case TOE_MSG_RESP:
        m->status = buf[TOE_AT_RESP_STATUS];
        m->value = get32(buf + TOE_AT_RESP_VALUE);
        break;
    case TOE_MSG_SESSION_ACK:
        m->status = buf[TOE_AT_SESSION_ACK_STATUS];
        m->value = get32(buf + TOE_AT_SESSION_ACK_NUMBER);
        break;
    case TOE_MSG_EVENT:
        m->seq = get16(buf + TOE_AT_EVENT_SEQ);
        m->time = get64(buf + TOE_AT_EVENT_TIME);
        break;
    case TOE_MSG_RAW_RX: m->time = get64(buf + TOE_AT_RAW_RX_TIME); break;
    default: break;
    }
    m->data = buf + fixed;
    m->data_len = len - fixed;
    return 0;
}

size_t toe_msg_encode(const struct toe_msg *m, uint8_t *out, size_t cap)
{
    uint8_t buf[TOE_LINK_MAX_MSG];
    size_t len;
    if (toe_msg_pack(m, buf, sizeof(buf), &len))
        return 0;
    return toe_frame_encode(buf[0], buf[1], buf + 2, len - 2, out, cap);
}

void toe_link_rx_init(struct toe_link_rx *rx)
{
    memset(rx, 0, sizeof(*rx));
}

/* One complete frame (between delimiters): decode, check, deliver. */
static int frame_end(struct toe_link_rx *rx, toe_link_msg_cb cb, void *user)
{
    long n = toe_cobs_decode(rx->enc, rx->enc_len, rx->msg, sizeof(rx->msg));
    if (n < (long)TOE_LINK_MIN_RAW) {
        rx->c.bad_frame++;
        return 0;
    }
    size_t m = (size_t)n - 4;
    uint32_t got = (uint32_t)rx->msg[m] | (uint32_t)rx->msg[m + 1] << 8 |
                   (uint32_t)rx->msg[m + 2] << 16 | (uint32_t)rx->msg[m + 3] << 24;
    if (got != toe_crc32(rx->msg, m)) {
        rx->c.bad_crc++;
        return 0;
    }
    rx->c.frames_ok++;
    if (cb)
        cb(user, rx->msg, m);
    return 1;
}

size_t toe_link_rx_feed(struct toe_link_rx *rx, const uint8_t *p, size_t n, toe_link_msg_cb cb,
                        void *user)
{
    size_t good = 0;
    rx->c.rx_bytes += n;
    while (n) {
        const uint8_t *z = memchr(p, 0, n);
        size_t run = z ? (size_t)(z - p) : n;
        if (!rx->overflow) {
            if (run > sizeof(rx->enc) - rx->enc_len) {
                rx->overflow = 1;
                rx->c.bad_frame++;
            } else {
                memcpy(rx->enc + rx->enc_len, p, run);
                rx->enc_len += run;
            }
        }
        p += run;
        n -= run;
        if (!z)
            break;
        if (!rx->overflow && rx->enc_len)
            good += (size_t)frame_end(rx, cb, user);
        rx->overflow = 0;
        rx->enc_len = 0;
        p++;
        n--;
    }
    return good;
}
