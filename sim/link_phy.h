/* SPDX-License-Identifier: MIT */
/* link_phy: the byte-rate model of the host link PHY (UART, FT245 FIFO or ideal), one call per
 * core cycle. Plain C with no state outside the struct, so the unit tests run it without RTL. */
#ifndef TOE_SIM_LINK_PHY_H
#define TOE_SIM_LINK_PHY_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Credit is counted in ps * bytes/s: one byte costs LINK_PHY_BYTE, a core cycle earns
 * cycle_ps * rate. Exact for any integer rate, so no drift over long runs. */
#define LINK_PHY_BYTE 1000000000000ll

enum link_dir { LINK_TO_DEVICE, LINK_FROM_DEVICE, LINK_DIRS };

/* What a direction can do this cycle. */
enum link_want {
    LINK_IDLE,    /* nothing to send: the line goes idle, credit is forgotten */
    LINK_BLOCKED, /* a byte waits but its receiver is full: credit builds up to one byte */
    LINK_READY,   /* a byte can move */
};

struct link_phy {
    int64_t gain;              /* credit per core cycle, at most LINK_PHY_BYTE */
    bool half_duplex;
    int64_t credit[LINK_DIRS]; /* half duplex: credit[0] is the shared bus */
    int dir;                   /* half duplex: direction the bus faces, -1 before the first */
    unsigned burst;            /* half duplex: bytes since the bus last turned */
    unsigned burst_limit;
    uint64_t turnarounds;
};

/* rate in bytes/s, 0 for one byte per cycle each way; burst_limit for half duplex. */
void link_phy_init(struct link_phy *p, uint64_t cycle_ps, uint64_t rate, bool half_duplex,
                   unsigned burst_limit);

/* Advance one core cycle. Returns a bit mask (1u << LINK_TO_DEVICE, 1u << LINK_FROM_DEVICE) of
 * the directions whose byte moves this cycle; only READY directions are granted. */
static inline unsigned link_phy_cycle(struct link_phy *p, enum link_want to_dev,
                                      enum link_want from_dev)
{
    const enum link_want want[LINK_DIRS] = { to_dev, from_dev };
    if (!p->half_duplex) {
        unsigned grant = 0;
        for (int d = 0; d < LINK_DIRS; d++) {
            if (want[d] == LINK_IDLE) {
                p->credit[d] = 0;
                continue;
            }
            int64_t c = p->credit[d] + p->gain;
            if (want[d] == LINK_READY && c >= LINK_PHY_BYTE) {
                c -= LINK_PHY_BYTE; /* the fraction left over counts toward the next byte */
                grant |= 1u << d;
            }
            p->credit[d] = c > LINK_PHY_BYTE ? LINK_PHY_BYTE : c;
        }
        return grant;
    }
    bool ready[LINK_DIRS] = { want[0] == LINK_READY, want[1] == LINK_READY };
    if (!ready[0] && !ready[1]) {
        if (want[0] == LINK_IDLE && want[1] == LINK_IDLE) {
            p->credit[0] = 0;
        } else {
            int64_t c = p->credit[0] + p->gain;
            p->credit[0] = c > LINK_PHY_BYTE ? LINK_PHY_BYTE : c;
        }
        return 0;
    }
    int d = p->dir;
    if (d < 0) {
        d = ready[0] ? 0 : 1;
        p->dir = d;
    } else if (!ready[d] || (p->burst >= p->burst_limit && ready[1 - d])) {
        d = 1 - d;
        p->dir = d;
        p->burst = 0;
        p->credit[0] -= LINK_PHY_BYTE; /* the turnaround cycle */
        p->turnarounds++;
    }
    int64_t c = p->credit[0] + p->gain;
    if (c < LINK_PHY_BYTE) {
        p->credit[0] = c;
        return 0;
    }
    c -= LINK_PHY_BYTE;
    p->credit[0] = c > LINK_PHY_BYTE ? LINK_PHY_BYTE : c;
    if (p->burst < p->burst_limit)
        p->burst++;
    return 1u << d;
}

#ifdef __cplusplus
}
#endif

#endif
