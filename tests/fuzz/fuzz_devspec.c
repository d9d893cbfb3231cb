/* SPDX-License-Identifier: MIT */
/* fuzz_devspec: toe_spec_parse (sw/src/devspec.c) on any string. The input is the device
 * string (cut at its first NUL); the error buffer size varies with the input length, down to
 * none. Invariants: 0 or TOE_EINVAL; an error says why; a parsed string has fields in their
 * ranges and NUL-terminated names that came from the string. */
#include <string.h>

#include "fuzz.h"
#include "toe_internal.h"

static int terminated(const char *s, size_t cap)
{
    return memchr(s, 0, cap) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1); /* exactly the string: ASan sees any read past it */
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    static const size_t errlens[] = {0, 1, 8, TOE_ERRBUF_SIZE};
    size_t errlen = errlens[size % 4];
    char *err = errlen ? malloc(errlen) : NULL;
    if (err)
        memset(err, 'x', errlen);
    struct toe_spec sp;
    int r = toe_spec_parse(s, &sp, err, errlen);
    FUZZ_CHECK(r == 0 || r == TOE_EINVAL, "returned %d", r);
    if (err) {
        FUZZ_CHECK(r == 0 || terminated(err, errlen), "error text not terminated");
        FUZZ_CHECK(r == 0 || errlen == 1 || err[0], "error without a reason");
    }
    if (r == 0) {
        size_t len = strlen(s);
        FUZZ_CHECK(terminated(sp.path, sizeof(sp.path)) && strlen(sp.path) <= len,
                   "path not a part of the string");
        FUZZ_CHECK(terminated(sp.serial, sizeof(sp.serial)) && !strpbrk(sp.serial, "@:"),
                   "bad serial '%s'", sp.serial);
        switch (sp.kind) {
        case TOE_SPEC_SIM:
            FUZZ_CHECK(sp.path[0] && strlen(sp.path) < TOE_SPEC_PATH_MAX, "sim path '%s'",
                       sp.path);
            break;
        case TOE_SPEC_TTY:
            FUZZ_CHECK(sp.path[0] == '/', "tty path '%s'", sp.path);
            FUZZ_CHECK(sp.baud >= 300 && sp.baud <= 12000000, "baud %u", sp.baud);
            break;
        case TOE_SPEC_FTDI_UART:
            FUZZ_CHECK(sp.iface >= 0 && sp.iface <= 3, "interface %d", sp.iface);
            FUZZ_CHECK(sp.baud >= 300 && sp.baud <= 12000000, "baud %u", sp.baud);
            break;
        case TOE_SPEC_FTDI_FIFO:
            break;
        default:
            FUZZ_CHECK(0, "kind %d", (int)sp.kind);
        }
    }
    free(err);
    free(s);
    return 0;
}
