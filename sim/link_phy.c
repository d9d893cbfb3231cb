/* SPDX-License-Identifier: MIT */
/* link_phy: see link_phy.h. */
#include "link_phy.h"

#include <string.h>

void link_phy_init(struct link_phy *p, uint64_t cycle_ps, uint64_t rate, bool half_duplex,
                   unsigned burst_limit)
{
    memset(p, 0, sizeof *p);
    /* Ideal, or faster than the 8-bit port can go: one byte per cycle. */
    uint64_t max_rate = (uint64_t)LINK_PHY_BYTE / cycle_ps;
    p->gain = rate == 0 || rate >= max_rate ? LINK_PHY_BYTE : (int64_t)(cycle_ps * rate);
    p->half_duplex = half_duplex && rate != 0;
    p->dir = -1;
    p->burst_limit = burst_limit ? burst_limit : 1;
}
