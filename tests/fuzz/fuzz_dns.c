/* SPDX-License-Identifier: MIT */
/* fuzz_dns: the DNS message code of sw/app/dns.c. The input is an answer, parsed as the
 * answer to a query with its own ID and question (so the fuzzer is past those checks) and to
 * another ID; it is also taken as a host name for the query builder.
 *
 * Invariants: the parser returns one of its documented codes, a reason with every error, and
 * an address only if it is usable (not 0 or 255.255.255.255); a message for another ID is
 * ignored (1); a query is built only for a valid name, fits its buffer and spells the name
 * back label by label. */
#include <string.h>

#include "fuzz.h"
#include "http_internal.h"
#include "toe_internal.h"

/* The query an answer claims to answer: its ID and its question section (labels up to the
 * root, then type and class) behind a query header. 0 if the answer has no whole question. */
static size_t own_query(const uint8_t *p, size_t n, uint8_t *q, size_t cap)
{
    size_t o = 12;
    while (o < n && p[o] && p[o] < 64)
        o += 1u + p[o];
    if (n < 12 || o >= n || p[o] || o + 5 > n || o + 5 > cap)
        return 0;
    memset(q, 0, 12);
    memcpy(q, p, 2);
    q[2] = 0x01; /* RD */
    q[5] = 1;    /* one question */
    memcpy(q + 12, p + 12, o + 5 - 12);
    return o + 5;
}

static void check_answer(const uint8_t *p, size_t n)
{
    uint8_t q[600];
    size_t qlen = own_query(p, n, q, sizeof(q));
    int own = qlen != 0;
    if (!own)
        qlen = (size_t)toe_dns_build_query(q, sizeof(q), n >= 2 ? rd16(p) : 0, "example.com");
    char err[128];
    err[0] = 0;
    uint32_t ip = 0;
    int r = toe_dns_parse_answer(p, n, q, qlen, &ip, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == 1 || r == TOE_EUNREACH || r == TOE_EPROTO, "returned %d", r);
    FUZZ_CHECK(r <= 0 || !own || !(p[2] & 0x80) || rd16(p + 4) != 1,
               "a response with its own ID and one question, ours, not taken (%d)", r);
    FUZZ_CHECK(r >= 0 || (err[0] && memchr(err, 0, sizeof(err))), "error without a reason");
    FUZZ_CHECK(r != 0 || (ip != 0 && ip != 0xffffffffu), "unusable address 0x%08x", ip);
    /* No error buffer at all is fine too. */
    uint32_t ip2 = 0;
    FUZZ_CHECK(toe_dns_parse_answer(p, n, q, qlen, &ip2, NULL, 0) == r && ip2 == ip,
               "result depends on the error buffer");
    q[0] ^= 0x80; /* another ID */
    FUZZ_CHECK(toe_dns_parse_answer(p, n, q, qlen, &ip, err, sizeof(err)) == 1,
               "answer to another ID taken");
}

static int valid_name(const char *s, size_t n)
{
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_') || ++label > 63)
            return 0;
    }
    return label > 0;
}

static void check_query(const uint8_t *data, size_t size)
{
    char *name = malloc(size + 1);
    if (!name)
        return;
    memcpy(name, data, size);
    name[size] = 0;
    size_t n = strlen(name);
    uint8_t q[512];
    int len = toe_dns_build_query(q, sizeof(q), 0x1234, name);
    FUZZ_CHECK((len > 0) == valid_name(name, n), "'%s': %d", name, len);
    if (len > 0) {
        FUZZ_CHECK((size_t)len <= sizeof(q) && rd16(q) == 0x1234 && rd16(q + 4) == 1,
                   "query header");
        /* The labels spell the name. */
        size_t o = 12, i = 0;
        while (q[o]) {
            FUZZ_CHECK(i == 0 || name[i++] == '.', "label boundary");
            FUZZ_CHECK(!memcmp(q + o + 1, name + i, q[o]), "label text");
            i += q[o];
            o += 1u + q[o];
        }
        FUZZ_CHECK(i == n || (i + 1 == n && name[i] == '.'), "name length");
        FUZZ_CHECK((size_t)len == o + 5 && rd16(q + o + 1) == 1 && rd16(q + o + 3) == 1,
                   "question type");
        /* Our own query is not an answer. */
        uint32_t ip;
        FUZZ_CHECK(toe_dns_parse_answer(q, (size_t)len, q, (size_t)len, &ip, NULL, 0) == 1,
                   "query taken as an answer");
    }
    free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1); /* exactly the input: ASan sees reads past it */
    if (!p)
        return 0;
    memcpy(p, data, size);
    check_answer(p, size);
    check_query(data, size);
    free(p);
    return 0;
}
