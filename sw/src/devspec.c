/* SPDX-License-Identifier: MIT */
/* devspec.c: device strings ("sim:PATH", "ftdi-fifo:[VID:PID][:SERIAL]",
 * "ftdi-uart:[VID:PID][:IFACE]@BAUD", "tty:/dev/PATH@BAUD"), parsed at run time. */
#include <stdlib.h>
#include <string.h>

#include "toe_internal.h"

#define FTDI_VID 0x0403
#define FT232H_PID 0x6014
#define FT2232H_PID 0x6010

static int parse_hex16(const char *s, size_t n, uint16_t *out)
{
    if (n < 1 || n > 4)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = (uint16_t)v;
    return 0;
}

static int parse_baud(const char *s, unsigned *out, char *err, size_t errlen)
{
    char *end;
    if (!*s || *s < '0' || *s > '9')
        goto bad;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v < 300 || v > 12000000)
        goto bad;
    *out = (unsigned)v;
    return 0;
bad:
    toe_fmt(err, errlen, "bad baud rate '%s' (want 300..12000000)", s);
    return TOE_EINVAL;
}

/* "[VID:PID][:TAIL]": fills vid/pid (defaults kept) and points tail at the rest or NULL. */
static int parse_usb(const char *s, uint16_t *vid, uint16_t *pid, const char **tail, char *err,
                     size_t errlen)
{
    *tail = NULL;
    if (!*s)
        return 0;
    if (*s == ':') {
        *tail = s + 1;
        return 0;
    }
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t pid_len = c2 ? (size_t)(c2 - c1 - 1) : (c1 ? strlen(c1 + 1) : 0);
    if (!c1 || parse_hex16(s, (size_t)(c1 - s), vid) || parse_hex16(c1 + 1, pid_len, pid)) {
        size_t n = c2 ? (size_t)(c2 - s) : strlen(s);
        toe_fmt(err, errlen, "bad VID:PID '%.*s' (want hex, like 0403:6014)", (int)n, s);
        return TOE_EINVAL;
    }
    if (c2)
        *tail = c2 + 1;
    return 0;
}

int toe_spec_parse(const char *s, struct toe_spec *out, char *err, size_t errlen)
{
    if (!s || !out) {
        toe_fmt(err, errlen, "no device string");
        return TOE_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    const char *colon = strchr(s, ':');
    if (!colon) {
        toe_fmt(err, errlen, "bad device '%s' (want sim:PATH, ftdi-fifo:[VID:PID][:SERIAL], "
                "ftdi-uart:[VID:PID][:IFACE]@BAUD or tty:/dev/PATH@BAUD)", s);
        return TOE_EINVAL;
    }
    size_t sl = (size_t)(colon - s);
    const char *rest = colon + 1;
    if (sl == 3 && !strncmp(s, "sim", 3)) {
        out->kind = TOE_SPEC_SIM;
        if (!*rest || strlen(rest) >= TOE_SPEC_PATH_MAX) {
            toe_fmt(err, errlen, "sim: needs a socket path (under %d bytes)", TOE_SPEC_PATH_MAX);
            return TOE_EINVAL;
        }
        strcpy(out->path, rest);
        return 0;
    }
    if (sl == 3 && !strncmp(s, "tty", 3)) {
        out->kind = TOE_SPEC_TTY;
        const char *at = strrchr(rest, '@');
        if (!at) {
            toe_fmt(err, errlen, "tty: missing @BAUD (tty:/dev/ttyUSB1@115200)");
            return TOE_EINVAL;
        }
        size_t pl = (size_t)(at - rest);
        if (pl == 0 || rest[0] != '/' || pl >= sizeof(out->path)) {
            toe_fmt(err, errlen, "tty: needs an absolute device path (tty:/dev/ttyUSB1@115200)");
            return TOE_EINVAL;
        }
        memcpy(out->path, rest, pl);
        out->path[pl] = 0;
        return parse_baud(at + 1, &out->baud, err, errlen);
    }
    if (sl == 9 && !strncmp(s, "ftdi-fifo", 9)) {
        out->kind = TOE_SPEC_FTDI_FIFO;
        out->vid = FTDI_VID;
        out->pid = FT232H_PID;
        const char *tail;
        int r = parse_usb(rest, &out->vid, &out->pid, &tail, err, errlen);
        if (r)
            return r;
        if (tail) {
            if (!*tail || strlen(tail) >= sizeof(out->serial) || strpbrk(tail, "@:")) {
                toe_fmt(err, errlen, "ftdi-fifo: bad serial number '%s'", tail);
                return TOE_EINVAL;
            }
            strcpy(out->serial, tail);
        }
        return 0;
    }
    if (sl == 9 && !strncmp(s, "ftdi-uart", 9)) {
        out->kind = TOE_SPEC_FTDI_UART;
        out->vid = FTDI_VID;
        out->pid = FT2232H_PID;
        out->iface = 1; /* channel B: the Versa's FT2232H UART */
        const char *at = strrchr(rest, '@');
        if (!at) {
            toe_fmt(err, errlen, "ftdi-uart: missing @BAUD (ftdi-uart:0403:6010:B@12000000)");
            return TOE_EINVAL;
        }
        char head[64];
        size_t hl = (size_t)(at - rest);
        if (hl >= sizeof(head)) {
            toe_fmt(err, errlen, "ftdi-uart: device part too long");
            return TOE_EINVAL;
        }
        memcpy(head, rest, hl);
        head[hl] = 0;
        const char *tail;
        int r = parse_usb(head, &out->vid, &out->pid, &tail, err, errlen);
        if (r)
            return r;
        if (tail) {
            char c = tail[0];
            if (c >= 'a' && c <= 'd')
                c = (char)(c - 'a' + 'A');
            if (c < 'A' || c > 'D' || tail[1]) {
                toe_fmt(err, errlen, "ftdi-uart: bad interface '%s' (want A, B, C or D)", tail);
                return TOE_EINVAL;
            }
            out->iface = c - 'A';
        }
        return parse_baud(at + 1, &out->baud, err, errlen);
    }
    toe_fmt(err, errlen, "unknown device type '%.*s' (want sim:, ftdi-fifo:, ftdi-uart: or tty:)",
            (int)sl, s);
    return TOE_EINVAL;
}
