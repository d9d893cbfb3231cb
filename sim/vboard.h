/* SPDX-License-Identifier: MIT */
/* vboard: the Verilated toe_core behind a plain C interface (implemented in vboard.cpp). */
#ifndef TOE_SIM_VBOARD_H
#define TOE_SIM_VBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Clocks of the simulated board. GMII RX and TX run at 125 MHz, the core at 62.5 MHz. */
#define VBOARD_GMII_HZ 125000000u
#define VBOARD_CORE_HZ 62500000u

/* Largest GMII burst accepted by vboard_gmii_rx (preamble + jumbo frame + FCS). */
#define VBOARD_MAX_BURST 16384u

struct vboard;

/* Device configuration, applied at reset. Addresses in host byte order (0x0a00020f is 10.0.2.15). */
struct vboard_config {
    uint8_t mac[6];
    uint32_t ip;
    uint32_t netmask;
    uint32_t gateway;
};

/* Create a model, hold it in reset for a few cycles and release it. NULL on allocation failure. */
struct vboard *vboard_new(const struct vboard_config *cfg);

/* Destroy a model. NULL-safe. */
void vboard_free(struct vboard *vb);

/* Queue one GMII receive burst: the exact bytes to drive with RX_DV high, so the caller adds the
 * preamble, SFD and FCS (or deliberately leaves them out). er_at >= 0 raises RX_ER on that byte
 * index; -1 for none. Bursts are driven in order with a 12-byte inter-frame gap between them.
 * Copies the bytes. Returns 0, or -1 if len is 0 or over VBOARD_MAX_BURST or the queue is full
 * (more than 64 bursts waiting). */
int vboard_gmii_rx(struct vboard *vb, const uint8_t *bytes, size_t len, int er_at);

/* Number of receive bursts queued or in flight on GMII RX. */
unsigned vboard_rx_pending(const struct vboard *vb);

/* Run the model for at most `cycles` core clock cycles. Returns the number of core cycles run,
 * which is smaller than `cycles` only when a transmit burst completed (TX_EN fell), so the
 * caller can fetch it with vboard_gmii_tx right away. */
uint64_t vboard_run(struct vboard *vb, uint64_t cycles);

/* Pop the oldest completed GMII transmit burst (every byte driven with TX_EN high: preamble,
 * SFD, frame, FCS) into buf. *len gets its length; *tx_er is set if TX_ER was high on any byte.
 * Returns 0, -1 if none is waiting, or -2 if cap is too small (the burst is dropped). */
int vboard_gmii_tx(struct vboard *vb, uint8_t *buf, size_t cap, size_t *len, bool *tx_er);

/* Simulated time since vboard_new, in picoseconds. */
uint64_t vboard_time_ps(const struct vboard *vb);

/* Core clock cycles since vboard_new. */
uint64_t vboard_cycles(const struct vboard *vb);

/* Read statistics counter `index` (TOE_STAT_* from toe_defs.h). */
uint32_t vboard_stat(struct vboard *vb, unsigned index);

#ifdef __cplusplus
}
#endif

#endif
