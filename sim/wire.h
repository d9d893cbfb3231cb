/* SPDX-License-Identifier: MIT */
/* wire: Ethernet framing between plain frames (what stacks and pcap see) and GMII bursts. */
#ifndef TOE_SIM_WIRE_H
#define TOE_SIM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_PREAMBLE_LEN 8u  /* 7 x 0x55 and the SFD 0xd5 */
#define WIRE_FCS_LEN 4u
#define WIRE_MIN_FRAME 60u    /* without FCS; shorter frames are zero-padded */
#define WIRE_MAX_FRAME 1514u  /* without FCS, untagged */
#define WIRE_IFG_BYTES 12u

/* Burst length for a frame of len bytes: preamble + padded frame + FCS. */
size_t wire_burst_len(size_t frame_len);

/* IEEE 802.3 CRC-32 of bytes (the FCS value, before its little-endian placement). */
uint32_t wire_crc32(const uint8_t *bytes, size_t len);

/* Build the GMII burst for a frame: preamble, SFD, frame padded with zeros to 60 bytes, FCS.
 * Returns the burst length, or 0 if it does not fit in cap or len is 0. */
size_t wire_frame_to_burst(const uint8_t *frame, size_t len, uint8_t *burst, size_t cap);

enum wire_status {
    WIRE_OK = 0,
    WIRE_BAD_PREAMBLE, /* not exactly 7 x 0x55 then 0xd5 */
    WIRE_RUNT,         /* under 64 bytes from destination address to FCS */
    WIRE_BAD_FCS,
    WIRE_TX_ER,        /* TX_ER was raised during the burst */
};

/* Check a GMII burst from the RTL and strip preamble and FCS. On success *frame and *frame_len
 * point into burst (padding, if any, stays in the frame). On failure they still give the
 * best-effort frame for the pcap (may be empty). */
enum wire_status wire_burst_to_frame(const uint8_t *burst, size_t len, int tx_er,
                                     const uint8_t **frame, size_t *frame_len);

const char *wire_status_name(enum wire_status status);

#endif
