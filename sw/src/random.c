/* SPDX-License-Identifier: MIT */
/* random.c: what the host stack makes unpredictable. Keys, DNS query IDs and ports come from
 * the kernel (getrandom); SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", 2012) is the keyed PRF behind the TCP layer's initial sequence numbers (RFC 6528) and
 * ephemeral ports (RFC 6056). Written from the paper's definition; test_tcp checks the paper's
 * vectors. */
#include <errno.h>
#include <sys/random.h>

#include "toe_internal.h"

int toe_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t k = getrandom(p, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return TOE_EIO;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static uint64_t rotl(uint64_t x, unsigned b) { return x << b | x >> (64 - b); }

static uint64_t le64(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void sipround(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13) ^ v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17) ^ v[2];
    v[2] = rotl(v[2], 32);
}

static void compress(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sipround(v); /* c = 2 rounds per message word */
    sipround(v);
    v[0] ^= m;
}

uint64_t toe_siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = le64(key, 8), k1 = le64(key + 8, 8);
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
                     k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8)
        compress(v, le64(p + i, 8));
    /* The last word: the remaining bytes, and the length modulo 256 in the top byte. */
    compress(v, le64(p + full, len - full) | (uint64_t)(len & 0xff) << 56);
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++) /* d = 4 finalization rounds */
        sipround(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
