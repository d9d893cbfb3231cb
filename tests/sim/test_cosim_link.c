/* SPDX-License-Identifier: MIT */
/* test_cosim_link: libtoe against the virtual board over the sim: transport, with libslirp as
 * the network peer. Run by test_cosim_link.sh, which starts toe-sim and a UDP echo server on
 * the host's loopback.
 *
 *   test_cosim_link sim:PATH UDP_PORT
 *
 * Checks: device info and ID; CSR write and read-back; device time advancing; an armed alarm
 * firing at or after its time; ARP resolution of slirp's host address through raw frames;
 * a UDP datagram sent raw with the device filling in both checksums, echoed by a real server
 * behind slirp (which drops bad checksums) and received raw; ICMP echo to 10.0.2.2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toe.h"
#include "toe_defs.h"

#define TIMEOUT_MS 10000
#define HOST_IP 0x0a000202u /* slirp's host: the machine's 127.0.0.1 */

static int failures;

static void check(bool ok, const char *name, const char *detail)
{
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, ok || !detail ? "" : ": ", ok ? "" : detail ? detail : "");
    if (!ok)
        failures++;
}

static void check_rc(int rc, const char *name)
{
    check(rc == 0, name, toe_strerror(rc));
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void test_cosim_info_and_csr(toe_dev *dev, struct toe_info *info)
{
    int rc = toe_get_info(dev, info, TIMEOUT_MS);
    check_rc(rc, "test_cosim_info");
    check(info->id == TOE_CONST_ID, "test_cosim_info_id", "ID CSR is not \"toe1\"");
    check(info->version == TOE_CONST_VERSION, "test_cosim_info_version", "VERSION differs from spec");

    uint32_t gw = 0;
    rc = toe_csr_write(dev, TOE_CSR_GATEWAY, 0x0a000203u, TIMEOUT_MS);
    if (rc == 0)
        rc = toe_csr_read(dev, TOE_CSR_GATEWAY, &gw, TIMEOUT_MS);
    check(rc == 0 && gw == 0x0a000203u, "test_cosim_csr_write_read", toe_strerror(rc));
    check_rc(toe_csr_write(dev, TOE_CSR_GATEWAY, info->gateway, TIMEOUT_MS), "test_cosim_csr_restore");

    uint32_t v;
    rc = toe_csr_read(dev, 0x7fff, &v, TIMEOUT_MS);
    check(rc == TOE_EBADADDR, "test_cosim_csr_unknown_address", toe_strerror(rc));
    rc = toe_csr_write(dev, TOE_CSR_ID, 1, TIMEOUT_MS);
    check(rc == TOE_EREADONLY, "test_cosim_csr_read_only", toe_strerror(rc));
}

static void test_cosim_time_and_alarm(toe_dev *dev)
{
    uint64_t t0 = 0, t1 = 0, fired = 0;
    int rc = toe_time(dev, &t0, TIMEOUT_MS);
    if (rc == 0)
        rc = toe_time(dev, &t1, TIMEOUT_MS);
    check(rc == 0 && t1 > t0, "test_cosim_time_advances", toe_strerror(rc));

    uint64_t at = t1 + 2000; /* 2 ms of device time */
    rc = toe_alarm_set(dev, at, TIMEOUT_MS);
    if (rc == 0)
        rc = toe_alarm_wait(dev, &fired, TIMEOUT_MS * 3);
    check(rc == 0 && fired >= at, "test_cosim_alarm_fires", rc ? toe_strerror(rc) : "fired early");
    uint64_t now = 0;
    rc = toe_time(dev, &now, TIMEOUT_MS);
    check(rc == 0 && now >= at, "test_cosim_alarm_after_time", "device time before the alarm");
}

/* A UDP datagram to the host's echo server, checksums left to the device. */
static size_t udp_frame(uint8_t *f, const struct toe_info *info, const uint8_t host_mac[6],
                        uint16_t port, const char *text)
{
    size_t n = strlen(text), ip_len = 20 + 8 + n;
    memcpy(f, host_mac, 6);
    memcpy(f + 6, info->mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)ip_len);
    ip[8] = 64;
    ip[9] = 17;
    put32(ip + 12, info->ip);
    put32(ip + 16, HOST_IP);
    uint8_t *udp = ip + 20;
    put16(udp, 40000);
    put16(udp + 2, port);
    put16(udp + 4, (uint16_t)(8 + n));
    memcpy(udp + 8, text, n);
    return 14 + ip_len;
}

static void test_cosim_raw_udp_echo(toe_dev *dev, const struct toe_info *info, uint16_t port)
{
    uint8_t host_mac[6];
    int rc = toe_arp_resolve(dev, HOST_IP, host_mac, TIMEOUT_MS);
    check_rc(rc, "test_cosim_arp_resolve_through_raw_frames");
    if (rc)
        return;

    static const char text[] = "toe raw frame loop";
    uint8_t f[1514], r[1514];
    size_t len = udp_frame(f, info, host_mac, port, text);
    rc = toe_raw_send(dev, f, len, TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4, TIMEOUT_MS);
    check_rc(rc, "test_cosim_raw_send_checksum_offload");

    bool echoed = false;
    for (int i = 0; i < 20 && !echoed; i++) {
        size_t rlen = 0;
        unsigned verdict = 0;
        uint64_t t = 0;
        rc = toe_raw_recv(dev, r, sizeof r, &rlen, &verdict, &t, TIMEOUT_MS);
        if (rc)
            break;
        echoed = rlen >= 42 + sizeof text - 1 && get16(r + 12) == 0x0800 && r[23] == 17 &&
                 get16(r + 34) == port && get16(r + 36) == 40000 &&
                 memcmp(r + 42, text, sizeof text - 1) == 0;
    }
    check(echoed, "test_cosim_raw_udp_echo_through_slirp",
          rc ? toe_strerror(rc) : "no echo (slirp drops datagrams with bad checksums)");
}

static void test_cosim_ping(toe_dev *dev)
{
    uint32_t rtt = 0;
    int ok = 0;
    for (int i = 0; i < 3; i++)
        ok += toe_ping(dev, HOST_IP, 56, TIMEOUT_MS, &rtt) == 0;
    check(ok == 3, "test_cosim_ping_host", "not every echo request was answered");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_cosim_link sim:PATH UDP_PORT\n");
        return 2;
    }
    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts opts = { .errbuf = err };
    toe_dev *dev = NULL;
    int rc = toe_open(&dev, argv[1], &opts);
    if (rc) {
        printf("FAIL test_cosim_open: %s (%s)\n", toe_strerror(rc), err);
        return 1;
    }
    struct toe_info info;
    test_cosim_info_and_csr(dev, &info);
    test_cosim_time_and_alarm(dev);
    test_cosim_raw_udp_echo(dev, &info, (uint16_t)atoi(argv[2]));
    test_cosim_ping(dev);
    toe_close(dev);
    printf("test_cosim_link: %s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
