/* SPDX-License-Identifier: MIT */
/* link.h: the link codec (docs/LINK.md): COBS frames with CRC-32, message pack/unpack and a
 * streaming decoder that resynchronises on 0x00. Pure code: no I/O, no allocation. */
#ifndef TOE_LINK_H
#define TOE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "toe_defs.h"

#define TOE_LINK_MAX_MSG ((size_t)TOE_CONST_MAX_MSG)
/* A frame before COBS: message and CRC. */
#define TOE_LINK_MAX_RAW (TOE_LINK_MAX_MSG + 4)
/* COBS adds one byte per 254 and one at the start; plus the delimiter. */
#define TOE_LINK_MAX_ENC (TOE_LINK_MAX_RAW + TOE_LINK_MAX_RAW / 254 + 2)
#define TOE_LINK_MIN_RAW 6

uint32_t toe_crc32(const uint8_t *p, size_t n);

/* COBS-encode n bytes; returns the encoded length (no delimiter). out needs n + n/254 + 1. */
size_t toe_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
/* Decode; returns the decoded length or -1 if malformed or longer than cap. */
long toe_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Encode one message (type, arg, body) as a complete frame with its trailing 0x00.
 * Returns the frame length, or 0 if the message is too long or too short or cap too small. */
size_t toe_frame_encode(uint8_t type, uint8_t arg, const uint8_t *body, size_t body_len,
                        uint8_t *out, size_t cap);

/* A decoded message, flat: the fields used depend on the type. data points into the buffer
 * it was unpacked from. */
struct toe_msg {
    uint8_t type;
    uint8_t arg;     /* tag, slot, kind, flags or verdict */
    uint16_t addr;   /* CSR_READ, CSR_WRITE */
    uint32_t value;  /* CSR_WRITE, RESP; the session of SESSION, SESSION_ACK */
    uint8_t status;  /* RESP */
    uint16_t seq;    /* EVENT */
    uint64_t time;   /* EVENT, RAW_RX */
    uint32_t offset; /* TX_DATA, RX_CONSUMED, RX_DATA */
    const uint8_t *data; /* RAW_TX/RAW_RX frame, slot payload, event fields */
    size_t data_len;
};

/* Bytes a message of this type needs before data (type and arg included). */
int toe_msg_fixed_len(uint8_t type);
/* Pack m into buf (type, arg, body; no CRC). Returns 0 or -1 (unknown type, bad length). */
int toe_msg_pack(const struct toe_msg *m, uint8_t *buf, size_t cap, size_t *len);
/* Unpack a message; -1 for an unknown type or a length wrong for its type. */
int toe_msg_unpack(const uint8_t *buf, size_t len, struct toe_msg *m);
/* Pack and frame in one go; returns the frame length or 0. */
size_t toe_msg_encode(const struct toe_msg *m, uint8_t *out, size_t cap);

/* Streaming decoder counters. Every frame (bytes between delimiters, not empty) ends up in
 * exactly one of frames_ok, bad_frame, bad_crc. */
struct toe_link_counters {
    uint64_t rx_bytes;
    uint64_t frames_ok;
    uint64_t bad_frame; /* too short, too long or malformed COBS */
    uint64_t bad_crc;
};

struct toe_link_rx {
    uint8_t enc[TOE_LINK_MAX_ENC];
    size_t enc_len;
    int overflow; /* current frame too long: skip to the next delimiter */
    uint8_t msg[TOE_LINK_MAX_RAW];
    struct toe_link_counters c;
};

void toe_link_rx_init(struct toe_link_rx *rx);
/* Feed bytes. For each good frame calls cb(user, msg, len) with the message bytes (no CRC);
 * the pointer is valid only during the call. Returns the number of good frames. */
typedef void (*toe_link_msg_cb)(void *user, const uint8_t *msg, size_t len);
size_t toe_link_rx_feed(struct toe_link_rx *rx, const uint8_t *p, size_t n, toe_link_msg_cb cb,
                        void *user);

#endif
