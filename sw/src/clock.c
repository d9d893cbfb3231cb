/* SPDX-License-Identifier: MIT */
/* clock.c: the clocks libtoe waits on. Host time (CLOCK_MONOTONIC or a clock a test installs)
 * bounds the link's own waits; device time, the board's clock as last seen on the link and
 * estimated in between, is what every API timeout and TCP timer means. No I/O here: a time
 * probe is asked of the device layer. */
#include <time.h>

#include "toe_internal.h"

static _Thread_local uint64_t (*clock_fn)(void *priv);
static _Thread_local void *clock_priv;

void toe_set_clock(uint64_t (*now_us)(void *priv), void *priv)
{
    clock_fn = now_us;
    clock_priv = priv;
}

uint64_t toe_now_us(void)
{
    if (clock_fn)
        return clock_fn(clock_priv);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t toe_now_ms(void) { return toe_now_us() / 1000u; }

/* A wait of ms milliseconds as an int, at most cap_ms (no cap when negative). */
int toe_wait_clamp(uint64_t ms, int cap_ms)
{
    if (cap_ms >= 0 && ms > (uint64_t)cap_ms)
        return cap_ms;
    return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

uint64_t toe_host_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? UINT64_MAX : toe_now_ms() + (uint64_t)timeout_ms;
}

int toe_host_remaining(uint64_t deadline, int cap_ms)
{
    if (deadline == UINT64_MAX)
        return cap_ms;
    uint64_t now = toe_now_ms();
    if (now >= deadline)
        return 0;
    return toe_wait_clamp(deadline - now, cap_ms);
}

/* ---- device time -------------------------------------------------------------------- *
 * API timeouts and CSR resends are device time. The handle keeps the last device time seen on
 * the link (events, raw frames, time reads) and the host time it was seen; between two, device
 * time is estimated as that stamp plus the host time since. A wait sleeps on the link for the
 * estimated rest; once the estimate says the deadline has passed but no stamp does yet (a
 * device slower than real time, such as the simulator), it asks the device's clock with an
 * asynchronous read of TIME_LO, at most every TOE_TIME_PROBE_MS of host time and one at a
 * time, and ends when an answer, or any other stamp, reaches the deadline. Before the first
 * stamp the clock cannot be asked (a TIME_LO alone cannot be widened to 64 bits, and the first
 * stamp passes every deadline set before it at once): the open's SESSION, ID and time reads
 * are resent only when the link is silent, and a handle opened with no_probe (the device may
 * not be a toe) runs on host time until a stamp. Host time also decides once a deadline has
 * waited for the device's clock while the link brought no message for TOE_TIME_SILENT_MS (a
 * device that is gone, or a lost probe on a quiet link): a device still answering what was
 * queued before the probe is slow, not gone, and a link quiet before the clock was needed is
 * not a silent device. On a board the estimate is the device's time, so a timeout ends one
 * link round trip after it would on host time, and a lost request is resent about retry_ms
 * after it was sent; a device slower than real time is not hurried by the host's clock while
 * it answers. */

void toe_dev_note_time(toe_dev *dev, uint64_t us)
{
    if (us < dev->dt_us)
        return;
    dev->dt_us = us;
    dev->dt_host_us = toe_now_us();
    dev->dt_quiet_host_us = 0;
}

/* The 64-bit device time nearest to the last one seen with these low bits. */
uint64_t toe_dev_time_from_lo(const toe_dev *dev, uint32_t lo)
{
    uint64_t us = (dev->dt_us & ~(uint64_t)UINT32_MAX) | lo;
    if (us + 0x80000000u < dev->dt_us)
        us += 1ull << 32;
    else if (us > dev->dt_us + 0x80000000u && us >= 1ull << 32)
        us -= 1ull << 32;
    return us;
}

uint64_t toe_dev_now_us(const toe_dev *dev)
{
    return dev->dt_us + (toe_now_us() - dev->dt_host_us);
}

uint64_t toe_deadline(const toe_dev *dev, int timeout_ms)
{
    return timeout_ms < 0 ? UINT64_MAX : toe_dev_now_us(dev) + (uint64_t)timeout_ms * 1000u;
}

/* Host ms until device time reaches deadline, looked at only: the estimate's rest, 0 once a
 * stamp has reached it (or host time decides: a no_probe handle's clock unknown, or the link
 * silent for TOE_TIME_SILENT_MS while the clock was needed), else TOE_TIME_PROBE_MS while only
 * the estimate has passed (the device's clock decides: toe_remaining asks it). */
int toe_dev_wait_ms(const toe_dev *dev, uint64_t deadline)
{
    if (dev->dt_us >= deadline)
        return 0;
    uint64_t host = toe_now_us(), est = dev->dt_us + (host - dev->dt_host_us);
    if (est < deadline)
        return toe_wait_clamp((deadline - est + 999u) / 1000u, -1);
    if ((!dev->dt_us && dev->no_probe) ||
        (dev->dt_quiet_host_us &&
         host - dev->dt_quiet_host_us >= (uint64_t)TOE_TIME_SILENT_MS * 1000u))
        return 0;
    return TOE_TIME_PROBE_MS;
}

int toe_remaining(toe_dev *dev, uint64_t deadline, int cap_ms)
{
    if (deadline == UINT64_MAX)
        return cap_ms;
    int w = toe_dev_wait_ms(dev, deadline);
    uint64_t host = toe_now_us();
    if (w > 0 && toe_dev_now_us(dev) >= deadline) { /* the device's clock decides */
        if (!dev->dt_quiet_host_us) /* the device's silence is counted from here */
            dev->dt_quiet_host_us = host;
        /* Not before the first stamp: a TIME_LO alone cannot be widened to 64 bits. */
        if (dev->dt_us &&
            (!dev->dt_probe_host_us ||
             host - dev->dt_probe_host_us >= (uint64_t)TOE_TIME_PROBE_MS * 1000u) &&
            !toe_time_probe_pending(dev)) {
            dev->dt_probe_host_us = host;
            toe_time_probe(dev);
        }
    }
    return toe_wait_clamp((uint64_t)w, cap_ms);
}
