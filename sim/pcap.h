/* SPDX-License-Identifier: MIT */
/* pcap: nanosecond-resolution capture files (magic 0xa1b23c4d, Ethernet, frames without FCS). */
#ifndef TOE_SIM_PCAP_H
#define TOE_SIM_PCAP_H

#include <stddef.h>
#include <stdint.h>

struct pcap_writer;

/* Create (truncate) path and write the file header. NULL with errno set on failure. */
struct pcap_writer *pcap_open(const char *path);

/* Append one frame stamped with simulated time time_ps. 0, or -1 on a write error. */
int pcap_write(struct pcap_writer *pw, uint64_t time_ps, const uint8_t *frame, size_t len);

/* Push buffered records to the file (cheap when nothing is buffered). 0 or -1. */
int pcap_flush(struct pcap_writer *pw);

/* Flush and close. NULL-safe. Returns 0, or -1 if any write failed. */
int pcap_close(struct pcap_writer *pw);

#endif
