/* SPDX-License-Identifier: MIT */
/* script.c: the script language of the conformance harness (tests/conformance/README.md).
 * One event per line: a time, then '<' (the peer sends), '>' (the device must send), "idle", or
 * a call. Header comments give the expected status. Errors name the file and line. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

struct lex {
    const char *p;
    char *err;
    size_t errlen;
    const char *path;
    int line;
};

static int fail(struct lex *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct lex *x, const char *fmt, ...)
{
    int k = snprintf(x->err, x->errlen, "%s:%d: ", x->path, x->line);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < x->errlen)
        vsnprintf(x->err + k, x->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_ws(struct lex *x)
{
    while (*x->p == ' ' || *x->p == '\t')
        x->p++;
}

static int at_end(struct lex *x)
{
    skip_ws(x);
    return *x->p == 0;
}

/* The next blank-separated word (no more than cap - 1 characters). */
static int word(struct lex *x, char *out, size_t cap)
{
    skip_ws(x);
    size_t k = 0;
    while (*x->p && *x->p != ' ' && *x->p != '\t') {
        if (k + 1 >= cap)
            return fail(x, "word too long");
        out[k++] = *x->p++;
    }
    out[k] = 0;
    return k ? 0 : fail(x, "unexpected end of line");
}

static int accept_ch(struct lex *x, char c)
{
    skip_ws(x);
    if (*x->p != c)
        return 0;
    x->p++;
    return 1;
}

static int number(struct lex *x, const char *s, long long lo, long long hi, long long *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 0);
    if (!*s || *end || errno || n < lo || n > hi)
        return fail(x, "'%s': want a number in %lld..%lld", s, lo, hi);
    *v = n;
    return 0;
}

int cf_parse_ipv4(const char *s, uint32_t *ip)
{
    unsigned a, b, c, d;
    int used = 0;
    if (sscanf(s, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &used) != 4 || s[used] || a > 255 ||
        b > 255 || c > 255 || d > 255)
        return -1;
    *ip = a << 24 | b << 16 | c << 8 | d;
    return 0;
}

/* Seconds with up to six decimals, as microseconds. */
static int seconds(struct lex *x, const char *s, int64_t *us)
{
    char *end;
    errno = 0;
    long long whole = strtoll(s, &end, 10);
    if (end == s || errno || whole < 0 || whole > 100000)
        return fail(x, "'%s': want seconds", s);
    int64_t frac = 0, scale = 100000;
    if (*end == '.') {
        for (end++; isdigit((unsigned char)*end); end++) {
            if (!scale)
                return fail(x, "'%s': more than microseconds", s);
            frac += (*end - '0') * scale;
            scale /= 10;
        }
    }
    if (*end)
        return fail(x, "'%s': want seconds", s);
    *us = whole * 1000000 + frac;
    return 0;
}

static int time_spec(struct lex *x, const char *s, struct cf_time *t)
{
    t->rel = *s == '+';
    return seconds(x, s + t->rel, &t->us);
}

/* "@PEER" or "@PEER:DEV" */
static int ports(struct lex *x, const char *s, int *given, uint16_t *peer, uint16_t *dev)
{
    long long a, b = 0;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%s", s + 1);
    char *colon = strchr(tmp, ':');
    if (colon)
        *colon = 0;
    if (number(x, tmp, 1, 65535, &a) || (colon && number(x, colon + 1, 1, 65535, &b)))
        return -1;
    *given = 1;
    *peer = (uint16_t)a;
    *dev = (uint16_t)b;
    return 0;
}

static int flags(struct lex *x, const char *s, uint8_t *f)
{
    *f = 0;
    if (!strcmp(s, "-"))
        return 0;
    for (; *s; s++) {
        switch (*s) {
        case 'S': *f |= CF_SYN; break;
        case 'F': *f |= CF_FIN; break;
        case 'R': *f |= CF_RST; break;
        case 'P': *f |= CF_PSH; break;
        case 'U': *f |= CF_URG; break;
        case '.': *f |= CF_ACK; break;
        case 'E': *f |= 0x40; break;
        case 'W': *f |= 0x80; break;
        default: return fail(x, "flag '%c': want S F R P U . E W or -", *s);
        }
    }
    return 0;
}

/* "START:END(LEN)" with '*' for any */
static int seq_range(struct lex *x, const char *s, struct cf_seg *g)
{
    if (!strcmp(s, "*")) {
        g->seq_any = g->len_any = 1;
        return 0;
    }
    char a[24], b[24], c[24];
    if (sscanf(s, "%23[^:]:%23[^(](%23[^)])", a, b, c) != 3 || s[strlen(s) - 1] != ')')
        return fail(x, "'%s': want START:END(LEN)", s);
    long long v1 = 0, v2 = 0, v3 = 0;
    g->seq_any = !strcmp(a, "*");
    g->len_any = !strcmp(c, "*");
    if (!g->seq_any && number(x, a, 0, UINT32_MAX, &v1))
        return -1;
    if (!g->len_any && number(x, c, 0, CF_DATA_MAX, &v3))
        return -1;
    if (strcmp(b, "*") && number(x, b, 0, UINT32_MAX, &v2))
        return -1;
    if (!g->seq_any && !g->len_any && strcmp(b, "*") && (uint32_t)(v1 + v3) != (uint32_t)v2)
        return fail(x, "'%s': END is not START + LEN", s);
    g->seq = (uint32_t)v1;
    g->len = (uint32_t)v3;
    return 0;
}

static int hex_bytes(struct lex *x, const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = strlen(s);
    if (len % 2 || len / 2 > cap)
        return fail(x, "'%s': want an even number of hex digits, at most %zu bytes", s, cap);
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return fail(x, "'%s': not hex", s);
        out[i] = (uint8_t)v;
    }
    *n = len / 2;
    return 0;
}

/* "<mss 1460,nop,wscale 7,sackOK,TS val 1 ecr 0,eol,opt KIND LEN,raw HEX>" or "<...>" */
static int options(struct lex *x, struct cf_seg *g)
{
    const char *end = strchr(x->p, '>');
    if (!end)
        return fail(x, "options: no closing '>'");
    char list[CF_TEXT_MAX];
    size_t n = (size_t)(end - x->p - 1);
    if (n >= sizeof list)
        return fail(x, "options too long");
    memcpy(list, x->p + 1, n);
    list[n] = 0;
    x->p = end + 1;
    g->opts_given = 1;
    if (!strcmp(list, "...")) {
        g->opts_any = 1;
        return 0;
    }
    uint8_t *o = g->opt;
    size_t k = 0;
    for (char *save = NULL, *item = strtok_r(list, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        unsigned a, b;
        char hex[2 * CF_OPT_MAX + 1];
        size_t need = 0;
        uint8_t tmp[CF_OPT_MAX];
        if (sscanf(item, "mss %u", &a) == 1 && a <= 65535)
            tmp[0] = 2, tmp[1] = 4, tmp[2] = (uint8_t)(a >> 8), tmp[3] = (uint8_t)a, need = 4;
        else if (sscanf(item, "wscale %u", &a) == 1 && a <= 255)
            tmp[0] = 3, tmp[1] = 3, tmp[2] = (uint8_t)a, need = 3;
        else if (!strcmp(item, "nop"))
            tmp[0] = 1, need = 1;
        else if (!strcmp(item, "eol"))
            tmp[0] = 0, need = 1;
        else if (!strcmp(item, "sackOK"))
            tmp[0] = 4, tmp[1] = 2, need = 2;
        else if (sscanf(item, "TS val %u ecr %u", &a, &b) == 2) {
            tmp[0] = 8, tmp[1] = 10, need = 10;
            for (int i = 0; i < 4; i++) {
                tmp[2 + i] = (uint8_t)(a >> (24 - 8 * i));
                tmp[6 + i] = (uint8_t)(b >> (24 - 8 * i));
            }
        } else if (sscanf(item, "opt %u %u", &a, &b) == 2 && a < 256 && b >= 2 && b <= 40) {
            memset(tmp, 0, sizeof tmp);
            tmp[0] = (uint8_t)a, tmp[1] = (uint8_t)b, need = b;
        } else if (sscanf(item, "raw %80s", hex) == 1) {
            if (hex_bytes(x, hex, tmp, sizeof tmp, &need))
                return -1;
        } else {
            return fail(x, "option '%s' not understood", item);
        }
        if (k + need > CF_OPT_MAX)
            return fail(x, "more than %d bytes of options", CF_OPT_MAX);
        memcpy(o + k, tmp, need);
        k += need;
    }
    g->optlen = k;
    return 0;
}

static int seg_field_num(struct lex *x, long long hi, long long *v, int *any)
{
    char w[64];
    if (word(x, w, sizeof w))
        return -1;
    if (any && !strcmp(w, "*")) {
        *any = 1;
        return 0;
    }
    return number(x, w, 0, hi, v);
}

static int quoted(struct lex *x, char *out, size_t cap, size_t *n)
{
    skip_ws(x);
    if (*x->p != '"')
        return fail(x, "want a \"string\"");
    const char *e = strchr(x->p + 1, '"');
    if (!e || (size_t)(e - x->p - 1) >= cap)
        return fail(x, "string not closed or too long");
    *n = (size_t)(e - x->p - 1);
    memcpy(out, x->p + 1, *n);
    out[*n] = 0;
    x->p = e + 1;
    return 0;
}

static int segment(struct lex *x, struct cf_seg *g, int inject)
{
    char w[CF_TEXT_MAX];
    long long v;
    if (word(x, w, sizeof w))
        return -1;
    if (w[0] == '@') {
        if (ports(x, w, &g->port_given, &g->peer_port, &g->dev_port) || word(x, w, sizeof w))
            return -1;
    }
    if (flags(x, w, &g->flags) || word(x, w, sizeof w) || seq_range(x, w, g))
        return -1;
    if (inject && (g->seq_any || g->len_any))
        return fail(x, "a segment to send needs its numbers");
    while (!at_end(x)) {
        if (*x->p == '<') {
            if (options(x, g))
                return -1;
            continue;
        }
        if (word(x, w, sizeof w))
            return -1;
        if (!strcmp(w, "ack")) {
            if (seg_field_num(x, UINT32_MAX, &v, inject ? NULL : &g->ack_any))
                return -1;
            g->ack_given = 1, g->ack = (uint32_t)v;
        } else if (!strcmp(w, "win")) {
            if (seg_field_num(x, 65535, &v, inject ? NULL : &g->win_any))
                return -1;
            g->win_given = 1, g->win = (uint32_t)v;
        } else if (!strcmp(w, "urg")) {
            if (seg_field_num(x, 65535, &v, NULL))
                return -1;
            g->urg_given = 1, g->urg = (uint16_t)v;
        } else if (!strcmp(w, "ttl")) {
            if (seg_field_num(x, 255, &v, NULL))
                return -1;
            g->ttl_given = 1, g->ttl = (uint8_t)v;
        } else if (!strcmp(w, "tos")) {
            if (seg_field_num(x, 255, &v, NULL))
                return -1;
            g->tos_given = 1, g->tos = (uint8_t)v;
        } else if (!strcmp(w, "df") && !inject) {
            if (seg_field_num(x, 1, &v, NULL))
                return -1;
            g->df_given = 1, g->df = (uint8_t)v;
        } else if (!strcmp(w, "ipopt") && inject) {
            if (word(x, w, sizeof w) || hex_bytes(x, w, g->ipopt, CF_OPT_MAX, &g->ipoptlen))
                return -1;
        } else if (!strcmp(w, "tcpcsum") && inject) {
            if (word(x, w, sizeof w) || strcmp(w, "bad"))
                return fail(x, "want 'tcpcsum bad'");
            g->bad_tcp_csum = 1;
        } else if (!strcmp(w, "ipcsum") && inject) {
            if (word(x, w, sizeof w) || strcmp(w, "bad"))
                return fail(x, "want 'ipcsum bad'");
            g->bad_ip_csum = 1;
        } else if ((!strcmp(w, "src") || !strcmp(w, "dst")) && inject) {
            int src = w[0] == 's';
            if (word(x, w, sizeof w) || cf_parse_ipv4(w, src ? &g->src : &g->dst))
                return fail(x, "want an IPv4 address after src/dst");
            *(src ? &g->src_given : &g->dst_given) = 1;
        } else if (!strcmp(w, "data") && inject) {
            size_t n;
            char tmp[CF_TEXT_MAX];
            if (quoted(x, tmp, sizeof tmp, &n))
                return -1;
            if (n != g->len)
                return fail(x, "data is %zu bytes, the segment %u", n, g->len);
            memcpy(g->data, tmp, n);
            g->data_given = 1;
        } else {
            return fail(x, "'%s' not understood in a %s segment", w, inject ? "'<'" : "'>'");
        }
    }
    if ((g->flags & CF_ACK) && !g->ack_given)
        return fail(x, "ACK flag without 'ack N'%s", inject ? "" : " (or 'ack *')");
    if (!(g->flags & CF_ACK) && g->ack_given && !g->ack_any)
        return fail(x, "'ack' without the ACK flag '.'");
    return 0;
}

static int icmp(struct lex *x, struct cf_icmp *ic)
{
    static const struct { const char *name; uint8_t type, code; } tab[] = {
        {"net-unreachable", 3, 0},   {"host-unreachable", 3, 1}, {"proto-unreachable", 3, 2},
        {"port-unreachable", 3, 3},  {"frag-needed", 3, 4},      {"srcroute-failed", 3, 5},
        {"admin-prohibited", 3, 13}, {"source-quench", 4, 0},    {"time-exceeded", 11, 0},
        {"param-problem", 12, 0},
    };
    char w[CF_TEXT_MAX];
    long long v;
    if (word(x, w, sizeof w))
        return -1;
    size_t i;
    for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(w, tab[i].name))
            break;
    if (i == sizeof tab / sizeof tab[0])
        return fail(x, "ICMP '%s' not known", w);
    ic->type = tab[i].type;
    ic->code = tab[i].code;
    while (!at_end(x)) {
        if (word(x, w, sizeof w))
            return -1;
        if (w[0] == '@') {
            if (ports(x, w, &ic->port_given, &ic->peer_port, &ic->dev_port))
                return -1;
        } else if (!strcmp(w, "mtu")) {
            if (seg_field_num(x, 65535, &v, NULL))
                return -1;
            ic->mtu = (uint16_t)v;
        } else if (!strcmp(w, "seq")) {
            if (seg_field_num(x, UINT32_MAX, &v, NULL))
                return -1;
            ic->seq_given = 1, ic->seq = (uint32_t)v;
        } else if (!strcmp(w, "from")) {
            if (word(x, w, sizeof w) || cf_parse_ipv4(w, &ic->src))
                return fail(x, "want an IPv4 address after 'from'");
            ic->src_given = 1;
        } else {
            return fail(x, "'%s' not understood in an ICMP line", w);
        }
    }
    return 0;
}

static int arg(struct lex *x, struct cf_arg *a, const char *stop)
{
    skip_ws(x);
    memset(a, 0, sizeof *a);
    if (*x->p == '"') {
        size_t n;
        a->kind = CF_ARG_STR;
        return quoted(x, a->str, sizeof a->str, &n);
    }
    size_t k = 0;
    while (*x->p && !strchr(stop, *x->p) && *x->p != ' ' && *x->p != '\t') {
        if (k + 1 >= sizeof a->str)
            return fail(x, "argument too long");
        a->str[k++] = *x->p++;
    }
    a->str[k] = 0;
    if (!k)
        return fail(x, "missing argument");
    char *end;
    errno = 0;
    long long n = strtoll(a->str, &end, 0);
    if (!*end && !errno) {
        a->kind = CF_ARG_NUM;
        a->num = n;
    } else {
        a->kind = CF_ARG_WORD;
    }
    return 0;
}

/* "[SOCK.]method(args) [OP expected]" */
static int call(struct lex *x, const char *first, struct cf_call *c)
{
    const char *paren = strchr(first, '(');
    char head[2 * CF_NAME_MAX];
    size_t hl = paren ? (size_t)(paren - first) : strlen(first);
    if (hl >= sizeof head)
        return fail(x, "call name too long");
    memcpy(head, first, hl);
    head[hl] = 0;
    char *dot = strchr(head, '.');
    const char *m = dot ? dot + 1 : head;
    if (dot)
        *dot = 0;
    if ((dot && (!*head || strlen(head) >= sizeof c->sock)) || !*m || strlen(m) >= sizeof c->method)
        return fail(x, "'%s': want [SOCKET.]call(ARGS)", first);
    snprintf(c->sock, sizeof c->sock, "%s", dot ? head : "");
    snprintf(c->method, sizeof c->method, "%s", m);
    /* Back to the '(' in the line and read the arguments. */
    x->p -= strlen(first) - hl;
    if (!accept_ch(x, '('))
        return fail(x, "'%s': want '(' after the call name", first);
    if (!accept_ch(x, ')')) {
        for (;;) {
            if (c->nargs == CF_ARGS_MAX)
                return fail(x, "more than %d arguments", CF_ARGS_MAX);
            if (arg(x, &c->args[c->nargs++], ",)"))
                return -1;
            if (accept_ch(x, ')'))
                break;
            if (!accept_ch(x, ','))
                return fail(x, "want ',' or ')' in the arguments");
        }
    }
    if (at_end(x))
        return 0;
    char op[8];
    if (word(x, op, sizeof op))
        return -1;
    static const char *const ops[] = {"=", "!=", ">=", "<=", ">", "<"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(op, ops[i])) {
            snprintf(c->op, sizeof c->op, "%s", ops[i]);
            c->has_expect = 1;
            if (arg(x, &c->expect, ""))
                return -1;
            return at_end(x) ? 0 : fail(x, "trailing text after the expected result");
        }
    return fail(x, "'%s': want = != >= <= > < and the expected result", op);
}

static int event(struct lex *x, struct cf_event *e)
{
    char w[CF_TEXT_MAX];
    if (word(x, w, sizeof w))
        return -1;
    char *tilde = strchr(w, '~');
    if (tilde) {
        *tilde = 0;
        e->has_hi = 1;
        if (time_spec(x, tilde + 1, &e->hi))
            return -1;
    }
    if (time_spec(x, w, &e->t))
        return -1;
    if (word(x, w, sizeof w))
        return -1;
    if (!strcmp(w, "<")) {
        skip_ws(x);
        if (!strncmp(x->p, "icmp ", 5)) {
            x->p += 5;
            e->kind = CF_ICMP;
            return icmp(x, &e->u.icmp);
        }
        e->kind = CF_INJECT;
        return segment(x, &e->u.seg, 1);
    }
    if (e->has_hi && strcmp(w, ">") && strcmp(w, ">?"))
        return fail(x, "a time window T~T2 is for '>' lines");
    if (!strcmp(w, ">") || !strcmp(w, ">?")) {
        e->kind = CF_EXPECT;
        e->optional = w[1] == '?';
        return segment(x, &e->u.seg, 0);
    }
    if (!strcmp(w, "idle")) {
        e->kind = CF_IDLE;
        return at_end(x) ? 0 : fail(x, "'idle' takes nothing");
    }
    e->kind = CF_CALL;
    return call(x, w, &e->u.call);
}

static int header(struct lex *x, struct cf_script *sc, const char *s)
{
    char note[CF_TEXT_MAX];
    if (sscanf(s, "status: %255[^\n]", note) == 1) {
        if (!strcmp(note, "pass")) {
            sc->status = CF_MUST_PASS;
        } else if (!strncmp(note, "fails-before-fix", 16)) {
            sc->status = CF_FAILS_BEFORE_FIX;
            snprintf(sc->status_note, sizeof sc->status_note, "%s", note + 16 + (note[16] == ' '));
        } else {
            return fail(x, "status '%s': want 'pass' or 'fails-before-fix NOTE'", note);
        }
    } else if (sscanf(s, "fails-with: %255[^\n]", note) == 1) {
        if (sc->nfails_with == 4)
            return fail(x, "more than 4 'fails-with' lines");
        snprintf(sc->fails_with[sc->nfails_with++], sizeof sc->fails_with[0], "%s", note);
    }
    return 0;
}

static int directive(struct lex *x, struct cf_script *sc, const char *w)
{
    char v[64];
    long long n;
    if (!strcmp(w, "tolerance")) {
        int64_t us;
        if (word(x, v, sizeof v) || seconds(x, v, &us))
            return -1;
        sc->tolerance_us = us;
    } else if (!strcmp(w, "seed")) {
        if (word(x, v, sizeof v) || number(x, v, 0, UINT32_MAX, &n))
            return -1;
        sc->seed = (uint32_t)n;
    } else if (!strcmp(w, "arp")) {
        if (word(x, v, sizeof v) || (strcmp(v, "on") && strcmp(v, "off")))
            return fail(x, "want 'arp on' or 'arp off'");
        sc->arp = !strcmp(v, "on");
    } else {
        return 1; /* not a directive */
    }
    return at_end(x) ? 0 : fail(x, "trailing text after '%s'", w);
}

static int add_event(struct cf_script *sc, struct cf_event **e)
{
    if (sc->nev == sc->cap) {
        size_t nc = sc->cap ? 2 * sc->cap : 64;
        struct cf_event *ne = realloc(sc->ev, nc * sizeof *ne);
        if (!ne)
            return -1;
        sc->ev = ne;
        sc->cap = nc;
    }
    *e = &sc->ev[sc->nev++];
    memset(*e, 0, sizeof **e);
    return 0;
}

int cf_parse(const char *path, struct cf_script *sc, char *err, size_t errlen)
{
    memset(sc, 0, sizeof *sc);
    snprintf(sc->path, sizeof sc->path, "%s", path);
    sc->tolerance_us = 4000;
    sc->arp = 1;
    /* The same script always gets the same keys; scripts differ from each other. */
    for (const char *p = strrchr(path, '/') ? strrchr(path, '/') + 1 : path; *p; p++)
        sc->seed = sc->seed * 31u + (uint8_t)*p;
    FILE *f = fopen(path, "r");
    struct lex x = {.err = err, .errlen = errlen, .path = path};
    if (!f)
        return fail(&x, "cannot open: %s", strerror(errno));
    char buf[1024];
    int r = 0;
    while (!r && fgets(buf, sizeof buf, f)) {
        x.line++;
        size_t n = strlen(buf);
        if (n && buf[n - 1] == '\n')
            buf[--n] = 0;
        else if (n == sizeof buf - 1)
            r = fail(&x, "line too long");
        char *s = buf;
        while (*s == ' ' || *s == '\t')
            s++;
        if (r || !*s)
            continue;
        if (*s == '#') {
            for (s++; *s == ' '; s++)
                ;
            r = header(&x, sc, s);
            continue;
        }
        if (!strncmp(s, "//", 2))
            continue;
        char code[1024];
        snprintf(code, sizeof code, "%s", s);
        char *cm = strstr(code, "//");
        if (cm)
            *cm = 0;
        x.p = code;
        char w[64];
        if (word(&x, w, sizeof w)) {
            r = -1;
            break;
        }
        int d = directive(&x, sc, w);
        if (d <= 0) {
            r = d;
            continue;
        }
        struct cf_event *e;
        if (add_event(sc, &e)) {
            r = fail(&x, "out of memory");
            break;
        }
        e->line = x.line;
        snprintf(e->text, sizeof e->text, "%s", s);
        x.p = code;
        r = event(&x, e);
    }
    fclose(f);
    if (!r && sc->status == CF_FAILS_BEFORE_FIX && !sc->nfails_with)
        r = fail(&x, "a 'status: fails-before-fix' script needs a '# fails-with: TEXT' line");
    if (r)
        cf_script_free(sc);
    return r;
}

void cf_script_free(struct cf_script *sc)
{
    free(sc->ev);
    sc->ev = NULL;
    sc->nev = sc->cap = 0;
}
