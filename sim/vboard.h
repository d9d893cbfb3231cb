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

/* Device configuration, applied at reset. Addresses in host byte order (0x0a00020f is 10.0.2.15).
 * mac[0] is the first byte on the wire; it drives cfg_mac[47:40] (mac[5] drives cfg_mac[7:0]). */
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
 * Copies the bytes. Returns 0, or -1 if len is 0 or over VBOARD_MAX_BURST or the queue is full:
 * at most 64 bursts, counting the one being driven (vboard_rx_pending() == 64). */
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

/* True when the board looks idle from its edges and its timers: no GMII burst queued, in
 * flight or waiting for vboard_gmii_tx and TX_EN low; both link buffers empty, the PHY model
 * without credit and the RTL offering no link byte; no TCP slot owing an ACK now, and neither
 * a delayed ACK nor the alarm due within 2 us. Frames and messages inside the RTL's pipelines
 * are not seen: a board that has stayed idle through some quiet time (more than any
 * pipeline's latency) has none. */
bool vboard_idle(const struct vboard *vb);

/* Fast-forward an idle board: advance simulated time by up to max_ps in one step instead of
 * simulating every cycle, when nothing but the clock would change (vboard_idle, and the caller
 * saw it idle after every run for some quiet time). The step is a whole number of 2 us
 * periods (125 core cycles), after which the device clock's sub-microsecond accumulator is
 * where it was, and it ends at least 2 us before the alarm or a delayed ACK is due, which then
 * fires on its own cycle. The TCP engine's round-robin pointers, which turn while it idles,
 * keep the phase they had. Returns the picoseconds skipped; 0 if the board is not idle or the
 * step would be empty. */
uint64_t vboard_skip_idle(struct vboard *vb, uint64_t max_ps);

/* Read statistics counter `index` (TOE_STAT_* from toe_defs.h). */
uint32_t vboard_stat(struct vboard *vb, unsigned index);

/* True once the RTL has called $finish; vboard_run then returns 0 and runs nothing. */
bool vboard_finished(const struct vboard *vb);

/* Clock the GMII domains at every edge and evaluate the falling edges too (true), or leave out
 * the edges of a domain at rest and lower the clocks without an evaluation, the default (see
 * vboard.cpp: the model's state and outputs are the same either way; the tests check that). */
void vboard_set_every_edge(struct vboard *vb, bool every_edge);

/* Completed GMII transmit bursts lost because 32 were already waiting for vboard_gmii_tx. */
uint64_t vboard_tx_lost(const struct vboard *vb);

/* ---- The host link (docs/LINK.md): a byte stream each way on the core's s_link_* (host to
 * device) and m_link_* (device to host) ports. vboard only moves bytes; it does not parse them.
 *
 * Host-to-device bytes wait in a bounded buffer and are presented on s_link_* as the PHY model
 * lets them through; device-to-host bytes are taken from m_link_* at the PHY rate into a
 * bounded buffer the caller drains. When that buffer is full m_link_tready stays low, so the
 * device sees backpressure, as from a host that stops reading the USB device.
 *
 * PHY rate model, picosecond accurate (a fractional accumulator per direction, in ps * bytes/s):
 *  - ideal (rate 0, the default): one byte per core cycle each way.
 *  - full duplex at R bytes/s (UART 8N1: R = baud / 10): each direction independently moves a
 *    byte once a byte time 1/R has elapsed since the previous one; after an idle period the
 *    first byte also takes a full byte time (its serialisation).
 *  - half duplex at R bytes/s (FT245 synchronous FIFO: R = 60e6, one byte per 60 MHz clock):
 *    both directions share one budget of R bytes/s; switching direction costs one more byte
 *    time (the bus turnaround). The bus stays in one direction for up to VBOARD_LINK_BURST
 *    bytes while the other direction waits, then switches.
 * Rates above one byte per core cycle are capped at that: the ports are 8 bits wide. */
#define VBOARD_LINK_BUF 65536u  /* bytes buffered each way */
#define VBOARD_LINK_BURST 512u  /* half duplex: bytes before yielding the bus (a USB packet) */

enum vboard_link_duplex { VBOARD_LINK_FULL_DUPLEX, VBOARD_LINK_HALF_DUPLEX };

struct vboard_link_counts {
    uint64_t to_device;   /* bytes the RTL accepted on s_link_* */
    uint64_t from_device; /* bytes taken from m_link_* */
    uint64_t turnarounds; /* half duplex: direction switches */
};

/* Set the PHY model (any time; the accumulators restart). bytes_per_sec 0 is the ideal link. */
void vboard_link_set_rate(struct vboard *vb, uint64_t bytes_per_sec, enum vboard_link_duplex d);

/* Queue host-to-device bytes. Never blocks: returns how many were accepted (all of them, or as
 * many as fit in the VBOARD_LINK_BUF buffer). */
size_t vboard_link_write(struct vboard *vb, const uint8_t *bytes, size_t len);

/* Free space in the host-to-device buffer: a write of this many bytes is accepted whole. */
size_t vboard_link_writable(const struct vboard *vb);

/* Host-to-device bytes written but not yet accepted by the RTL. */
size_t vboard_link_write_pending(const struct vboard *vb);

/* Drop the host-to-device bytes not yet presented to the RTL (a new link session: what a
 * previous host wrote is not acted on). The byte already on s_link_* still goes in. Returns the
 * number dropped. */
size_t vboard_link_drop_input(struct vboard *vb);

/* Take up to cap device-to-host bytes, oldest first. Returns the number copied. */
size_t vboard_link_read(struct vboard *vb, uint8_t *buf, size_t cap);

/* Device-to-host bytes waiting for vboard_link_read. */
size_t vboard_link_readable(const struct vboard *vb);

/* Byte counters since vboard_new. */
struct vboard_link_counts vboard_link_stats(const struct vboard *vb);

#ifdef __cplusplus
}
#endif

#endif
