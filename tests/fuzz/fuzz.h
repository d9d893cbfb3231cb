/* SPDX-License-Identifier: MIT */
/* fuzz.h: what the libFuzzer harnesses share: a reader that takes fields from the input
 * (zeros once it runs out, so every input is a complete program) and FUZZ_CHECK, which stops
 * the run with a message when an invariant of the target does not hold. */
#ifndef TOE_FUZZ_H
#define TOE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                 \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "fuzz: invariant failed: %s [%s:%d]: ", #cond, __FILE__,          \
                    __LINE__);                                                                \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline size_t fz_left(const struct fz *z) { return z->n; }

static inline uint8_t fz_u8(struct fz *z)
{
    if (!z->n)
        return 0;
    z->n--;
    return *z->p++;
}

static inline uint16_t fz_u16(struct fz *z)
{
    uint16_t hi = fz_u8(z);
    return (uint16_t)(hi << 8 | fz_u8(z));
}

static inline uint32_t fz_u32(struct fz *z)
{
    uint32_t hi = fz_u16(z);
    return hi << 16 | fz_u16(z);
}

/* Up to n bytes (fewer at the end of the input); *got how many. */
static inline const uint8_t *fz_bytes(struct fz *z, size_t n, size_t *got)
{
    const uint8_t *p = z->p;
    if (n > z->n)
        n = z->n;
    z->p += n;
    z->n -= n;
    *got = n;
    return p;
}

#endif
