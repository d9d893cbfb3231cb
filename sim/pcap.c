/* SPDX-License-Identifier: MIT */
/* pcap: classic pcap with nanosecond timestamps, written through a large stdio buffer so a
 * frame costs no system call. */
#include "pcap.h"

#include <stdio.h>
#include <stdlib.h>

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET 1u
#define PCAP_SNAPLEN 65535u
#define PCAP_BUFFER_BYTES (1u << 20)

struct pcap_writer {
    FILE *file;
    char *buffer;
    int dirty;
    int failed;
};

struct pcap_file_header {
    uint32_t magic;
    uint16_t version_major, version_minor;
    int32_t thiszone;
    uint32_t sigfigs, snaplen, linktype;
};

struct pcap_record_header {
    uint32_t ts_sec, ts_nsec, incl_len, orig_len;
};

struct pcap_writer *pcap_open(const char *path)
{
    struct pcap_writer *pw = calloc(1, sizeof *pw);
    if (!pw)
        return NULL;
    pw->file = fopen(path, "wb");
    if (!pw->file) {
        free(pw);
        return NULL;
    }
    pw->buffer = malloc(PCAP_BUFFER_BYTES);
    if (pw->buffer)
        setvbuf(pw->file, pw->buffer, _IOFBF, PCAP_BUFFER_BYTES);
    /* Written in host byte order: readers detect the order from the magic. */
    struct pcap_file_header hdr = {
        .magic = PCAP_MAGIC_NS, .version_major = 2, .version_minor = 4,
        .snaplen = PCAP_SNAPLEN, .linktype = PCAP_LINKTYPE_ETHERNET,
    };
    if (fwrite(&hdr, sizeof hdr, 1, pw->file) != 1)
        pw->failed = 1;
    pw->dirty = 1;
    return pw;
}

int pcap_write(struct pcap_writer *pw, uint64_t time_ps, const uint8_t *frame, size_t len)
{
    uint64_t ns = time_ps / 1000u;
    size_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
    struct pcap_record_header rec = {
        .ts_sec = (uint32_t)(ns / 1000000000u),
        .ts_nsec = (uint32_t)(ns % 1000000000u),
        .incl_len = (uint32_t)incl,
        .orig_len = (uint32_t)len,
    };
    if (fwrite(&rec, sizeof rec, 1, pw->file) != 1 ||
        (incl && fwrite(frame, incl, 1, pw->file) != 1))
        pw->failed = 1;
    pw->dirty = 1;
    return pw->failed ? -1 : 0;
}

int pcap_flush(struct pcap_writer *pw)
{
    if (pw->dirty) {
        if (fflush(pw->file) != 0)
            pw->failed = 1;
        pw->dirty = 0;
    }
    return pw->failed ? -1 : 0;
}

int pcap_close(struct pcap_writer *pw)
{
    if (!pw)
        return 0;
    int failed = pw->failed;
    if (fclose(pw->file) != 0)
        failed = 1;
    free(pw->buffer);
    free(pw);
    return failed ? -1 : 0;
}
