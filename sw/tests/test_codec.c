/* SPDX-License-Identifier: MIT */
/* test_codec: the link codec. Every message kind round-trips; COBS edge cases; a lost,
 * inserted or flipped byte and truncation at every position of a stream are detected and
 * recovered (nothing corrupted delivered, counters consistent, later messages decoded);
 * seeded random garbage never crashes. */
#include <string.h>

#include "mock.h"

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Messages collected by the decoder callback. */
#define MAXGOT 512
static uint8_t got_buf[MAXGOT][TOE_LINK_MAX_MSG];
static size_t got_len[MAXGOT];
static size_t ngot;

static void collect(void *user, const uint8_t *m, size_t len)
{
    (void)user;
    if (ngot < MAXGOT) {
        memcpy(got_buf[ngot], m, len);
        got_len[ngot] = len;
    }
    ngot++;
}

static int msg_eq(const struct toe_msg *a, const struct toe_msg *b)
{
    return a->type == b->type && a->arg == b->arg && a->addr == b->addr &&
           a->value == b->value && a->status == b->status && a->seq == b->seq &&
           a->time == b->time && a->offset == b->offset && a->data_len == b->data_len &&
           (!a->data_len || !memcmp(a->data, b->data, a->data_len));
}

static void test_roundtrip(void)
{
    uint8_t data[1600];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    struct toe_msg msgs[] = {
        {.type = TOE_MSG_CSR_READ, .arg = 0x42, .addr = 0x0123},
        {.type = TOE_MSG_CSR_WRITE, .arg = 0, .addr = 0xffff, .value = 0xdeadbeef},
        {.type = TOE_MSG_RAW_TX, .arg = 3, .data = data, .data_len = 14},
        {.type = TOE_MSG_RAW_TX, .arg = 1, .data = data, .data_len = 1514},
        {.type = TOE_MSG_TX_DATA, .arg = 1, .offset = 0x80000001, .data = data, .data_len = 1024},
        {.type = TOE_MSG_TX_DATA, .arg = 1, .offset = 5, .data = data, .data_len = 0},
        {.type = TOE_MSG_RX_CONSUMED, .arg = 2, .offset = 0xfffffffe},
        {.type = TOE_MSG_RESP, .arg = 0xff, .status = 3, .value = 0x00000000},
        {.type = TOE_MSG_SESSION, .value = 0x5e550001},
        {.type = TOE_MSG_SESSION_ACK, .value = 0xffffffff},
        {.type = TOE_MSG_EVENT, .arg = 1, .seq = 0xffff, .time = 0x0102030405060708ull},
        {.type = TOE_MSG_EVENT, .arg = 9, .seq = 1, .time = 1, .data = data, .data_len = 12},
        {.type = TOE_MSG_RAW_RX, .arg = 16, .time = 99, .data = data, .data_len = 60},
        {.type = TOE_MSG_RX_DATA, .arg = 3, .offset = 77, .data = data, .data_len = 1024},
    };
    size_t n = sizeof(msgs) / sizeof(msgs[0]);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t f[TOE_LINK_MAX_ENC];
        size_t fl = toe_msg_encode(&msgs[i], f, sizeof(f));
        struct toe_link_rx rx;
        toe_link_rx_init(&rx);
        ngot = 0;
        toe_link_rx_feed(&rx, f, fl, collect, NULL);
        struct toe_msg back;
        int this_ok = fl > 0 && ngot == 1 && !memchr(f, 0, fl - 1) && f[fl - 1] == 0 &&
                      !toe_msg_unpack(got_buf[0], got_len[0], &back) && msg_eq(&msgs[i], &back);
        CHECK(this_ok, "test_codec_roundtrip type 0x%02x len %zu", msgs[i].type,
              msgs[i].data_len);
        ok &= this_ok;
    }
    /* Wrong lengths and unknown types are refused both ways. */
    struct toe_msg bad[] = {
        {.type = TOE_MSG_RAW_TX, .data = data, .data_len = 13},
        {.type = TOE_MSG_RAW_TX, .data = data, .data_len = 1515},
        {.type = 0x04, .arg = 7, .data = data, .data_len = 9}, /* SLOT_CMD: left the spec */
        {.type = TOE_MSG_TX_DATA, .data = data, .data_len = 1025},
        {.type = TOE_MSG_RX_DATA, .data = data, .data_len = 1025},
        {.type = 0x08},
        {.type = 0x80},
    };
    int refused = 1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t f[TOE_LINK_MAX_ENC];
        refused &= toe_msg_encode(&bad[i], f, sizeof(f)) == 0;
    }
    CHECK(refused, "test_codec_pack_refuses_bad_lengths_and_types");
    static const uint8_t short_msgs[][8] = {{0x01, 0, 0}, {0x81, 0, 0, 0, 0, 0}, {0x02, 1, 0, 1},
                                            {0x06, 0, 0, 0, 0}, {0x85, 0}, {0xff, 0}};
    static const size_t short_len[] = {3, 6, 4, 5, 2, 2};
    struct toe_msg m;
    int rej = 1;
    for (size_t i = 0; i < 6; i++)
        rej &= toe_msg_unpack(short_msgs[i], short_len[i], &m) == -1;
    CHECK(rej, "test_codec_unpack_refuses_wrong_lengths_and_types");
}

static int cobs_ok(const uint8_t *in, size_t n)
{
    uint8_t enc[4096], dec[4096];
    size_t e = toe_cobs_encode(in, n, enc);
    if (e > n + n / 254 + 1 || memchr(enc, 0, e))
        return 0;
    long d = toe_cobs_decode(enc, e, dec, sizeof(dec));
    return d == (long)n && !memcmp(dec, in, n);
}

static void test_cobs(void)
{
    uint8_t b[2000];
    int ok = 1;
    for (size_t n = 0; n <= 600; n++) {
        memset(b, 0, n);
        ok &= cobs_ok(b, n);
    }
    CHECK(ok, "test_codec_cobs_all_zeros_0_to_600");
    ok = 1;
    size_t runs[] = {1, 253, 254, 255, 256, 507, 508, 509, 1536, 1540};
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        memset(b, 0xaa, runs[k]);
        ok &= cobs_ok(b, runs[k]);
        /* the run followed by and preceded by zeros */
        b[runs[k]] = 0;
        ok &= cobs_ok(b, runs[k] + 1);
        memmove(b + 1, b, runs[k]);
        b[0] = 0;
        ok &= cobs_ok(b, runs[k] + 1);
    }
    CHECK(ok, "test_codec_cobs_runs_253_254_255_and_more");
    /* Largest message: 1536 nonzero, 1536 zeros, 1536 random; one more is refused. */
    uint8_t body[1536], f[TOE_LINK_MAX_ENC + 16];
    int fill[3] = {0xff, 0x00, -1};
    ok = 1;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < sizeof(body); i++)
            body[i] = fill[k] >= 0 ? (uint8_t)fill[k] : (uint8_t)rnd();
        size_t fl = toe_frame_encode(body[0], body[1], body + 2, 1534, f, sizeof(f));
        struct toe_link_rx rx;
        toe_link_rx_init(&rx);
        ngot = 0;
        toe_link_rx_feed(&rx, f, fl, collect, NULL);
        ok &= fl > 0 && fl <= TOE_LINK_MAX_ENC && ngot == 1 && got_len[0] == 1536 &&
              !memcmp(got_buf[0], body, 1536);
    }
    CHECK(ok, "test_codec_max_message_1536_roundtrips");
    CHECK(toe_frame_encode(1, 0, body, 1535, f, sizeof(f)) == 0,
          "test_codec_message_1537_refused");
    /* Oversized frame on the wire: counted, and the next frame still decodes. */
    struct toe_link_rx rx;
    toe_link_rx_init(&rx);
    ngot = 0;
    memset(b, 0x11, sizeof(b));
    toe_link_rx_feed(&rx, b, sizeof(b), collect, NULL);
    toe_link_rx_feed(&rx, b, sizeof(b), collect, NULL);
    uint8_t z = 0;
    toe_link_rx_feed(&rx, &z, 1, collect, NULL);
    struct toe_msg r = {.type = TOE_MSG_RESP, .arg = 1};
    size_t fl = toe_msg_encode(&r, f, sizeof(f));
    toe_link_rx_feed(&rx, f, fl, collect, NULL);
    CHECK(rx.c.bad_frame == 1 && ngot == 1, "test_codec_oversize_frame_counted_then_resync");
    /* Too short: "01 00" (empty) and a 5-byte frame. */
    toe_link_rx_init(&rx);
    uint8_t tiny[] = {0x01, 0x00, 0x06, 1, 2, 3, 4, 5, 0x00, 0x00, 0x00};
    ngot = 0;
    toe_link_rx_feed(&rx, tiny, sizeof(tiny), collect, NULL);
    CHECK(rx.c.bad_frame == 2 && ngot == 0, "test_codec_short_frames_counted_idle_zeros_ignored");
}

/* A stream of several messages of different kinds. */
static struct toe_msg ref[6];
static uint8_t ref_data[200];
static uint8_t stream[2048];
static size_t stream_len;

static void build_stream(void)
{
    for (size_t i = 0; i < sizeof(ref_data); i++)
        ref_data[i] = (uint8_t)(i % 3 ? i : 0);
    struct toe_msg r[6] = {
        {.type = TOE_MSG_RESP, .arg = 5, .status = 0, .value = 0x00010000},
        {.type = TOE_MSG_EVENT, .arg = 1, .seq = 7, .time = 0x100},
        {.type = TOE_MSG_RAW_RX, .arg = 8, .time = 3, .data = ref_data, .data_len = 60},
        {.type = TOE_MSG_CSR_WRITE, .arg = 0, .addr = 0x12, .value = 0x0a000001},
        {.type = TOE_MSG_RX_DATA, .arg = 2, .offset = 0, .data = ref_data + 1, .data_len = 40},
        {.type = TOE_MSG_CSR_READ, .arg = 0, .addr = 0},
    };
    memcpy(ref, r, sizeof(r));
    stream_len = 0;
    for (int i = 0; i < 6; i++)
        stream_len += toe_msg_encode(&ref[i], stream + stream_len, sizeof(stream) - stream_len);
}

/* Decode mutated || clean copy; check: everything delivered is one of the reference messages,
 * in order (a subsequence of ref twice); the clean copy decodes fully; counters add up. */
static int check_mutation(const uint8_t *mut, size_t mlen, size_t max_lost)
{
    static uint8_t buf[8192];
    /* One 0x00 between the damaged part and the clean copy: a frame cut short or a lost
     * final delimiter would otherwise swallow the next frame too (any sender may add idle
     * zeros; libtoe sends one when it opens the link). */
    memcpy(buf, mut, mlen);
    buf[mlen] = 0;
    memcpy(buf + mlen + 1, stream, stream_len);
    size_t n = mlen + 1 + stream_len;
    size_t frames = 0;
    for (size_t i = 0, run = 0; i < n; i++) {
        if (buf[i])
            run++;
        else {
            frames += run > 0;
            run = 0;
        }
    }
    struct toe_link_rx rx;
    toe_link_rx_init(&rx);
    ngot = 0;
    /* Feed in uneven chunks, as reads come. */
    for (size_t off = 0; off < n;) {
        size_t k = 1 + rnd() % 97;
        if (k > n - off)
            k = n - off;
        toe_link_rx_feed(&rx, buf + off, k, collect, NULL);
        off += k;
    }
    size_t j = 0;
    for (size_t g = 0; g < ngot; g++) {
        struct toe_msg m;
        if (toe_msg_unpack(got_buf[g], got_len[g], &m))
            return 0;
        while (j < 12 && !msg_eq(&m, &ref[j % 6]))
            j++;
        if (j == 12)
            return 0; /* corrupted or out of order */
        j++;
    }
    /* The last 6 delivered are the clean copy. */
    if (ngot < 6)
        return 0;
    for (int k = 0; k < 6; k++) {
        struct toe_msg m;
        toe_msg_unpack(got_buf[ngot - 6 + k], got_len[ngot - 6 + k], &m);
        if (!msg_eq(&m, &ref[k]))
            return 0;
    }
    if (rx.c.frames_ok + rx.c.bad_frame + rx.c.bad_crc != frames || rx.c.frames_ok != ngot)
        return 0;
    return 12 - ngot <= max_lost && rx.c.rx_bytes == n;
}

static void test_corruption(void)
{
    build_stream();
    static uint8_t m[4096];
    size_t bad = 0, cases = 0;
    for (size_t i = 0; i < stream_len; i++) {
        /* loss */
        memcpy(m, stream, i);
        memcpy(m + i, stream + i + 1, stream_len - i - 1);
        bad += !check_mutation(m, stream_len - 1, 2);
        /* insertion: a zero, and a random nonzero byte */
        uint8_t ins[2] = {0x00, (uint8_t)(1 + rnd() % 255)};
        for (int k = 0; k < 2; k++) {
            memcpy(m, stream, i);
            m[i] = ins[k];
            memcpy(m + i + 1, stream + i, stream_len - i);
            bad += !check_mutation(m, stream_len + 1, 2);
        }
        /* every single-bit flip */
        for (int bit = 0; bit < 8; bit++) {
            memcpy(m, stream, stream_len);
            m[i] ^= (uint8_t)(1 << bit);
            bad += !check_mutation(m, stream_len, 2);
        }
        /* truncation: the stream cut at i, then a clean stream */
        bad += !check_mutation(stream, i, 6);
        cases += 12;
    }
    CHECK(bad == 0, "test_codec_loss_insert_flip_truncate_every_position (%zu cases over %zu "
          "bytes, %zu failed)", cases, stream_len, bad);
}

static void test_fuzz(void)
{
    rng_state = 0xC0FFEE;
    printf("seed 0xC0FFEE\n");
    int ok = 1;
    static uint8_t g[8192];
    for (int it = 0; it < 2000; it++) {
        size_t n = rnd() % sizeof(g);
        unsigned zp = rnd() % 64; /* zero density */
        for (size_t i = 0; i < n; i++)
            g[i] = (rnd() % 256 < zp) ? 0 : (uint8_t)rnd();
        struct toe_link_rx rx;
        toe_link_rx_init(&rx);
        ngot = 0;
        for (size_t off = 0; off < n;) {
            size_t k = 1 + rnd() % 700;
            if (k > n - off)
                k = n - off;
            toe_link_rx_feed(&rx, g + off, k, collect, NULL);
            off += k;
        }
        /* Garbage then a delimiter: the next real frame decodes. */
        uint8_t f[64];
        struct toe_msg r = {.type = TOE_MSG_RESP, .arg = (uint8_t)it, .value = (uint32_t)it};
        size_t fl = toe_msg_encode(&r, f, sizeof(f));
        uint8_t z = 0;
        size_t before = ngot;
        toe_link_rx_feed(&rx, &z, 1, collect, NULL);
        before = ngot;
        toe_link_rx_feed(&rx, f, fl, collect, NULL);
        struct toe_msg back;
        ok &= ngot == before + 1 && !toe_msg_unpack(got_buf[before < MAXGOT ? before : 0],
                                                    got_len[before < MAXGOT ? before : 0],
                                                    &back) &&
              (before >= MAXGOT || back.value == (uint32_t)it);
    }
    CHECK(ok, "test_codec_fuzz_garbage_never_crashes_then_resyncs (2000 streams)");
}

int main(void)
{
    test_roundtrip();
    test_cobs();
    test_corruption();
    test_fuzz();
    printf("%s test_codec\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
