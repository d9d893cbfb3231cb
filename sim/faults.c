/* SPDX-License-Identifier: MIT */
/* faults: seeded fault injector; see faults.h for the replay rule. */
#include "faults.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

struct held_frame {
    bool busy;
    uint64_t frame_no;
    uint64_t since_ps;
    unsigned copies;
    long wire_flip_bit;
    size_t len;
    uint8_t *data;
};

struct fault_dir_state {
    uint64_t frame_no;
    uint64_t segment_no; /* TCP segments with payload seen */
    uint8_t *scratch; /* corrupted copy of the current frame; per direction because emitting
                         a frame toward the network can deliver one toward the RTL at once */
    struct held_frame held;
    struct fault_counts counts;
};

struct faults {
    struct fault_config cfg;
    FILE *log;
    struct fault_dir_state dir[FAULT_DIRS];
};

/* splitmix64: tiny, well mixed, and stateless per draw given the counter. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 100). */
static double draw_pct(uint64_t *state)
{
    return (double)(splitmix64(state) >> 11) * (100.0 / 9007199254740992.0);
}

const char *fault_dir_name(enum fault_dir dir)
{
    return dir == FAULT_TO_RTL ? "to-rtl" : "to-net";
}

int faults_parse_drop_segment(const char *text, struct fault_config *cfg)
{
    for (int d = 0; d < FAULT_DIRS; d++) {
        const char *name = fault_dir_name((enum fault_dir)d);
        size_t n = strlen(name);
        if (strncmp(text, name, n) != 0 || text[n] != ':' || text[n + 1] < '1' ||
            text[n + 1] > '9')
            continue;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text + n + 1, &end, 10);
        if (errno || *end)
            return -1;
        cfg->drop_segment[d] = v;
        return 0;
    }
    return -1;
}

double faults_parse_pct(const char *text)
{
    char *end;
    if (!text || !*text)
        return -1;
    double v = strtod(text, &end);
    if (*end != '\0' || !isfinite(v) || v < 0 || v > 100)
        return -1;
    return v;
}

struct faults *faults_new(const struct fault_config *cfg, FILE *log)
{
    struct faults *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->cfg = *cfg;
    f->log = log;
    bool ok = true;
    for (int d = 0; d < FAULT_DIRS; d++) {
        f->dir[d].scratch = malloc(FAULT_MAX_FRAME);
        f->dir[d].held.data = malloc(FAULT_MAX_FRAME);
        ok = ok && f->dir[d].scratch && f->dir[d].held.data;
    }
    if (!ok) {
        faults_free(f);
        return NULL;
    }
    return f;
}

void faults_free(struct faults *f)
{
    if (!f)
        return;
    for (int d = 0; d < FAULT_DIRS; d++) {
        free(f->dir[d].held.data);
        free(f->dir[d].scratch);
    }
    free(f);
}

bool faults_enabled(const struct faults *f)
{
    return f->cfg.drop_pct > 0 || f->cfg.dup_pct > 0 || f->cfg.reorder_pct > 0 ||
           f->cfg.corrupt_pct > 0 || f->cfg.drop_segment[FAULT_TO_RTL] ||
           f->cfg.drop_segment[FAULT_TO_NET];
}

struct fault_counts faults_counts(const struct faults *f, enum fault_dir dir)
{
    return f->dir[dir].counts;
}

static void log_decision(struct faults *f, enum fault_dir dir, uint64_t frame_no,
                         const char *action, const char *detail)
{
    if (f->log)
        fprintf(f->log, "%s %llu %s%s%s\n", fault_dir_name(dir), (unsigned long long)frame_no,
                action, detail ? " " : "", detail ? detail : "");
}

/* A TCP segment with payload in an Ethernet/IPv4 frame: its sequence number and length. */
static bool tcp_data_segment(const uint8_t *p, size_t len, uint32_t *seq, unsigned *plen)
{
    if (len < 14 + 20 || p[12] != 0x08 || p[13] != 0x00 || (p[14] >> 4) != 4 || p[23] != 6)
        return false;
    size_t ihl = (size_t)(p[14] & 15) * 4, tot = (size_t)p[16] << 8 | p[17];
    if (ihl < 20 || tot > len - 14 || tot < ihl + 20 || (p[20] & 0x3f) | p[21])
        return false; /* short, or a fragment */
    const uint8_t *t = p + 14 + ihl;
    size_t doff = (size_t)(t[12] >> 4) * 4;
    if (doff < 20 || ihl + doff > tot)
        return false;
    *seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
    *plen = (unsigned)(tot - ihl - doff);
    return *plen > 0;
}

static void emit_copies(enum fault_dir dir, const uint8_t *data, size_t len, long flip_bit,
                        unsigned copies, fault_emit_fn emit, void *ctx)
{
    struct fault_frame out = { .data = data, .len = len, .wire_flip_bit = flip_bit };
    for (unsigned i = 0; i < copies; i++)
        emit(ctx, dir, &out);
}

static void release_held(struct faults *f, enum fault_dir dir, const char *why,
                         fault_emit_fn emit, void *ctx)
{
    struct held_frame *h = &f->dir[dir].held;
    log_decision(f, dir, h->frame_no, "release", why);
    h->busy = false;
    f->dir[dir].counts.passed++;
    emit_copies(dir, h->data, h->len, h->wire_flip_bit, h->copies, emit, ctx);
}

void faults_frame(struct faults *f, enum fault_dir dir, const uint8_t *data, size_t len,
                  uint64_t now_ps, fault_emit_fn emit, void *ctx)
{
    struct fault_dir_state *ds = &f->dir[dir];
    uint64_t frame_no = ++ds->frame_no;
    ds->counts.frames++;
    uint32_t seq;
    unsigned plen;
    if (f->cfg.drop_segment[dir] && tcp_data_segment(data, len, &seq, &plen) &&
        ++ds->segment_no == f->cfg.drop_segment[dir]) {
        char detail[96];
        snprintf(detail, sizeof detail, "segment %llu seq %u len %u at %llu ps",
                 (unsigned long long)ds->segment_no, seq, plen, (unsigned long long)now_ps);
        log_decision(f, dir, frame_no, "drop", detail);
        ds->counts.dropped++;
        return;
    }
    if (len == 0 || len > FAULT_MAX_FRAME) {
        log_decision(f, dir, frame_no, "pass", "size outside the injector's range");
        ds->counts.passed++;
        emit_copies(dir, data, len, -1, 1, emit, ctx);
        return;
    }

    /* Seed from (seed, direction, frame number) only, and always take the same draws. */
    uint64_t rng = f->cfg.seed ^ (0x6a09e667f3bcc909ull * (uint64_t)(dir + 1)) ^
                   (0xbb67ae8584caa73bull * frame_no);
    splitmix64(&rng);
    double u_drop = draw_pct(&rng), u_corrupt = draw_pct(&rng), u_dup = draw_pct(&rng),
           u_reorder = draw_pct(&rng);
    uint64_t u_bit = splitmix64(&rng);

    if (u_drop < f->cfg.drop_pct) {
        log_decision(f, dir, frame_no, "drop", NULL);
        ds->counts.dropped++;
        return;
    }

    bool decided = false;
    long flip_bit = -1;
    if (u_corrupt < f->cfg.corrupt_pct) {
        char detail[96];
        if (dir == FAULT_TO_RTL && f->cfg.corrupt_after_fcs) {
            size_t wire_len = wire_burst_len(len) - WIRE_PREAMBLE_LEN;
            flip_bit = (long)(u_bit % (wire_len * 8u));
            snprintf(detail, sizeof detail, "after-fcs bit %ld (byte %ld mask 0x%02x)", flip_bit,
                     flip_bit / 8, 1u << (flip_bit % 8));
        } else {
            size_t bit = (size_t)(u_bit % (len * 8u));
            memcpy(ds->scratch, data, len);
            ds->scratch[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            data = ds->scratch;
            snprintf(detail, sizeof detail, "bit %zu (byte %zu mask 0x%02x)", bit, bit / 8,
                     1u << (bit % 8));
        }
        log_decision(f, dir, frame_no, "corrupt", detail);
        ds->counts.corrupted++;
        decided = true;
    }

    unsigned copies = 1;
    if (u_dup < f->cfg.dup_pct) {
        log_decision(f, dir, frame_no, "dup", NULL);
        ds->counts.duplicated++;
        copies = 2;
        decided = true;
    }

    if (u_reorder < f->cfg.reorder_pct) {
        decided = true;
        if (!ds->held.busy) {
            struct held_frame *h = &ds->held;
            log_decision(f, dir, frame_no, "reorder", "hold");
            ds->counts.reordered++;
            h->busy = true;
            h->frame_no = frame_no;
            h->since_ps = now_ps;
            h->copies = copies;
            h->wire_flip_bit = flip_bit;
            h->len = len;
            memcpy(h->data, data, len);
            return;
        }
        /* One frame is held already: this one overtakes it, which is a reorder anyway. */
        log_decision(f, dir, frame_no, "reorder", "skipped (a frame is already held)");
    }

    if (!decided)
        log_decision(f, dir, frame_no, "pass", NULL);
    ds->counts.passed++;
    emit_copies(dir, data, len, flip_bit, copies, emit, ctx);
    if (ds->held.busy) {
        char why[48];
        snprintf(why, sizeof why, "after %llu", (unsigned long long)frame_no);
        release_held(f, dir, why, emit, ctx);
    }
}

uint64_t faults_next_ps(const struct faults *f)
{
    uint64_t next = UINT64_MAX;
    for (int d = 0; d < FAULT_DIRS; d++) {
        const struct held_frame *h = &f->dir[d].held;
        if (h->busy && h->since_ps + f->cfg.reorder_hold_ps < next)
            next = h->since_ps + f->cfg.reorder_hold_ps;
    }
    return next;
}

void faults_tick(struct faults *f, uint64_t now_ps, fault_emit_fn emit, void *ctx)
{
    for (int d = 0; d < FAULT_DIRS; d++) {
        struct held_frame *h = &f->dir[d].held;
        if (h->busy && now_ps - h->since_ps >= f->cfg.reorder_hold_ps)
            release_held(f, (enum fault_dir)d, "timeout", emit, ctx);
    }
}
