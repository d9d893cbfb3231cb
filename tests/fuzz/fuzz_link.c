/* SPDX-License-Identifier: MIT */
/* fuzz_link: the link codec (sw/src/link.c): the streaming COBS/CRC-32 decoder and message
 * unpacking, on a byte stream the harness builds from the input: raw bytes, and messages it
 * frames itself (good CRC, so the fuzzer gets past the framing), typed or not, some with a
 * flipped bit. The input starts with the size of the pieces the stream is fed in.
 *
 * Invariants: every frame (bytes between delimiters, not empty) is counted once, as good,
 * bad or bad CRC; feeding in pieces delivers exactly what feeding at once does; a message
 * that unpacks packs back to the same bytes, and framing it again decodes to it; COBS of the
 * input has no zero byte and decodes back to the input. */
#include <string.h>

#include "fuzz.h"
#include "link.h"
#include "toe_defs.h"

#define STREAM_MAX 65536

static const uint8_t types[] = {
    TOE_MSG_CSR_READ, TOE_MSG_CSR_WRITE, TOE_MSG_RAW_TX, TOE_MSG_TX_DATA, TOE_MSG_RX_CONSUMED,
    TOE_MSG_RESP,     TOE_MSG_EVENT,     TOE_MSG_RAW_RX, TOE_MSG_RX_DATA,
};

/* What a decoder delivered: a count and a running hash of the messages. */
struct seen {
    size_t msgs;
    uint64_t hash;
};

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void on_again(void *user, const uint8_t *msg, size_t len)
{
    struct seen *s = user;
    s->msgs++;
    s->hash = fnv(s->hash ^ len, msg, len);
}

static void on_msg(void *user, const uint8_t *msg, size_t len)
{
    on_again(user, msg, len);
    FUZZ_CHECK(len + 4 >= TOE_LINK_MIN_RAW && len <= TOE_LINK_MAX_MSG, "message of %zu bytes",
               len);
    struct toe_msg m;
    if (toe_msg_unpack(msg, len, &m) == 0) {
        uint8_t back[TOE_LINK_MAX_MSG];
        size_t blen = 0;
        FUZZ_CHECK(toe_msg_pack(&m, back, sizeof(back), &blen) == 0, "type 0x%02x does not pack",
                   m.type);
        FUZZ_CHECK(blen == len && !memcmp(back, msg, len), "type 0x%02x packs differently",
                   m.type);
        FUZZ_CHECK(toe_msg_fixed_len(m.type) >= 2 && (size_t)toe_msg_fixed_len(m.type) <= len,
                   "fixed length %d of a %zu-byte message", toe_msg_fixed_len(m.type), len);
        FUZZ_CHECK(m.data == msg + toe_msg_fixed_len(m.type), "data not after the fixed part");
    }
    /* Framed again, it decodes to itself. */
    static uint8_t enc[TOE_LINK_MAX_ENC];
    size_t e = toe_frame_encode(msg[0], msg[1], msg + 2, len - 2, enc, sizeof(enc));
    FUZZ_CHECK(e > 0 && enc[e - 1] == 0 && !memchr(enc, 0, e - 1), "re-framing failed");
    static struct toe_link_rx rx;
    toe_link_rx_init(&rx);
    struct seen again = {0, 0}, want = {1, fnv(len, msg, len)};
    size_t good = toe_link_rx_feed(&rx, enc, e, on_again, &again);
    FUZZ_CHECK(good == 1 && again.msgs == 1 && again.hash == want.hash, "re-framed message lost");
}

static void check_cobs(const uint8_t *in, size_t n)
{
    uint8_t *enc = malloc(n + n / 254 + 1), *dec = malloc(n + 1);
    if (!enc || !dec)
        goto out;
    size_t e = toe_cobs_encode(in, n, enc);
    FUZZ_CHECK(e <= n + n / 254 + 1 && !memchr(enc, 0, e), "COBS output of %zu bytes", e);
    long d = toe_cobs_decode(enc, e, dec, n);
    FUZZ_CHECK(d == (long)n && !memcmp(dec, in, n), "COBS round trip: %ld of %zu bytes", d, n);
    if (n)
        FUZZ_CHECK(toe_cobs_decode(enc, e, dec, n - 1) == -1, "COBS decode past its cap");
    /* Decoding arbitrary bytes stays within the buffer (ASan) and never beats its size. */
    d = toe_cobs_decode(in, n, dec, n + 1);
    FUZZ_CHECK(d <= (long)n, "COBS decode of %zu bytes gave %ld", n, d);
out:
    free(enc);
    free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_cobs(data, size);

    struct fz z = {data, size};
    size_t piece = (size_t)fz_u8(&z) + 1;
    static uint8_t stream[STREAM_MAX];
    size_t sl = 0;
    while (fz_left(&z)) {
        uint8_t op = fz_u8(&z);
        size_t want = fz_u16(&z) % (TOE_LINK_MAX_MSG + 64), n;
        const uint8_t *b = fz_bytes(&z, want, &n);
        uint8_t msg[TOE_LINK_MAX_MSG + 64];
        if ((op & 3) == 3 && n) { /* typed: a known type in front of the bytes */
            msg[0] = types[op % sizeof(types)];
            memcpy(msg + 1, b, n < sizeof(msg) - 1 ? n : sizeof(msg) - 1);
            b = msg;
            n = n < sizeof(msg) - 1 ? n + 1 : sizeof(msg);
        }
        if (sl + n + n / 254 + 16 > sizeof(stream))
            break;
        if ((op & 3) == 0 || n < 2) {
            memcpy(stream + sl, b, n);
            sl += n;
            continue;
        }
        size_t e = toe_frame_encode(b[0], b[1], b + 2, n - 2, stream + sl, sizeof(stream) - sl);
        if (e && (op & 3) == 2) /* one bit flipped anywhere but the delimiter */
            stream[sl + (op >> 2) % (e - 1 ? e - 1 : 1)] ^= (uint8_t)(1u << (op & 7));
        sl += e;
    }
    stream[sl++] = 0; /* every frame ends */

    size_t frames = 0; /* non-empty runs between delimiters */
    for (size_t i = 0, run = 0; i < sl; i++) {
        if (stream[i])
            run++;
        else if (run)
            frames++, run = 0;
    }

    static struct toe_link_rx whole, pieces;
    toe_link_rx_init(&whole);
    toe_link_rx_init(&pieces);
    struct seen sw = {0, 0}, sp = {0, 0};
    size_t good = toe_link_rx_feed(&whole, stream, sl, on_msg, &sw);
    size_t good_p = 0;
    for (size_t i = 0; i < sl; i += piece)
        good_p += toe_link_rx_feed(&pieces, stream + i, sl - i < piece ? sl - i : piece, on_again,
                                   &sp);
    const struct toe_link_counters *c = &whole.c;
    FUZZ_CHECK(c->frames_ok + c->bad_frame + c->bad_crc == frames,
               "%zu frames, counted %llu ok + %llu bad + %llu bad CRC", frames,
               (unsigned long long)c->frames_ok, (unsigned long long)c->bad_frame,
               (unsigned long long)c->bad_crc);
    FUZZ_CHECK(c->rx_bytes == sl && good == c->frames_ok && good == sw.msgs, "byte or frame count");
    FUZZ_CHECK(good_p == good && sp.msgs == sw.msgs && sp.hash == sw.hash &&
                   !memcmp(&pieces.c, &whole.c, sizeof(whole.c)),
               "fed in %zu-byte pieces: %zu messages, at once: %zu", piece, good_p, good);
    return 0;
}
