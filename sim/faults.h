/* SPDX-License-Identifier: MIT */
/* faults: seeded, replayable fault injection (drop, duplicate, reorder, corrupt) per direction.
 *
 * Every decision for frame n of a direction comes from a PRNG seeded with (seed, direction, n)
 * alone, so a run with the same seed and the same frame sequence makes the same decisions,
 * whatever happened to earlier frames. Percentages are 0..100 and may be fractions.
 *
 * Corruption flips one random bit. By default the bit is flipped in the frame before the
 * bridge adds the FCS, so the FCS is valid and the IP/ICMP/TCP checksums must catch it
 * (tests the stack). With corrupt_after_fcs the bit is chosen in frame+padding+FCS and
 * flipped after framing, so the RTL's MAC must catch it as a bad FCS. That option only affects
 * the direction toward the RTL; frames toward the network have no FCS, so they are always
 * corrupted in the frame.
 *
 * Besides the percentages, drop_segment[dir] = N drops exactly the Nth TCP segment carrying
 * payload in that direction (IPv4 frames only; counted before any other decision), so one
 * loss can be placed where a test wants it, e.g. to time the recovery from it. */
#ifndef TOE_SIM_FAULTS_H
#define TOE_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum fault_dir { FAULT_TO_RTL = 0, FAULT_TO_NET = 1, FAULT_DIRS = 2 };

/* Largest frame the injector handles; larger ones pass untouched. */
#define FAULT_MAX_FRAME 16384u

struct fault_config {
    double drop_pct, dup_pct, reorder_pct, corrupt_pct;
    uint64_t seed;
    bool corrupt_after_fcs;
    uint64_t reorder_hold_ps; /* a held frame goes out at the latest after this long */
    uint64_t drop_segment[FAULT_DIRS]; /* 0: none; N: drop the Nth TCP data segment */
};

/* A frame leaving the injector. wire_flip_bit >= 0 asks the bridge to flip that bit of the
 * burst after the preamble (frame, padding and FCS, bit 0 = LSB of the first byte) once it
 * has added the FCS; -1 means nothing to flip. */
struct fault_frame {
    const uint8_t *data;
    size_t len;
    long wire_flip_bit;
};

typedef void (*fault_emit_fn)(void *ctx, enum fault_dir dir, const struct fault_frame *frame);

struct fault_counts {
    uint64_t frames, passed, dropped, duplicated, reordered, corrupted;
};

struct faults;

/* log may be NULL; it gets one line per decision: "DIR FRAME ACTION [DETAIL]". */
struct faults *faults_new(const struct fault_config *cfg, FILE *log);
void faults_free(struct faults *f);

/* Any fault probability above zero, or a segment to drop. */
bool faults_enabled(const struct faults *f);

/* Feed one frame; emit is called for each frame to pass on (none, one, two, or a released
 * held frame as well). */
void faults_frame(struct faults *f, enum fault_dir dir, const uint8_t *data, size_t len,
                  uint64_t now_ps, fault_emit_fn emit, void *ctx);

/* Release held frames whose hold time is over. Call regularly. */
void faults_tick(struct faults *f, uint64_t now_ps, fault_emit_fn emit, void *ctx);

/* The simulated time at which the next held frame is released by faults_tick; UINT64_MAX if
 * none is held. */
uint64_t faults_next_ps(const struct faults *f);
struct fault_counts faults_counts(const struct faults *f, enum fault_dir dir);

const char *fault_dir_name(enum fault_dir dir);

/* "to-net:N" or "to-rtl:N" (N >= 1) into cfg->drop_segment; -1 on malformed input. */
int faults_parse_drop_segment(const char *text, struct fault_config *cfg);

/* Percentage in [0, 100] from text; -1 on malformed or out-of-range input. */
double faults_parse_pct(const char *text);

#endif
