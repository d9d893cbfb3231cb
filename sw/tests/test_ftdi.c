/* SPDX-License-Identifier: MIT */
/* test_ftdi: FTDI transports up to the libusb boundary: modem-status bytes stripped per
 * packet (not per transfer), and a clean TOE_ENODEV when no board is attached. */
#include <string.h>

#include "mock.h"

static void test_strip(void)
{
    /* A 1536-byte transfer holding 3 full 512-byte packets. */
    uint8_t b[4096], want[4096];
    size_t w = 0;
    for (size_t i = 0; i < 1536; i++) {
        if (i % 512 < 2)
            b[i] = (uint8_t)(0x31 + i % 512); /* modem status 0x31 0x60-like */
        else
            b[i] = want[w++] = (uint8_t)(i * 13);
    }
    size_t n = toe_ftdi_strip_status(b, 1536, 512);
    CHECK(n == 1530 && w == 1530 && !memcmp(b, want, n), "test_ftdi_strip_3_packets_of_512");
    /* A short last packet (512 + 102 bytes), a status-only transfer, full speed. */
    w = 0;
    for (size_t i = 0; i < 614; i++) {
        b[i] = (uint8_t)(i * 7 + 1);
        if (i % 512 >= 2)
            want[w++] = b[i];
    }
    n = toe_ftdi_strip_status(b, 614, 512);
    CHECK(n == 610 && !memcmp(b, want, n), "test_ftdi_strip_short_last_packet");
    b[0] = 0x31, b[1] = 0x60;
    CHECK(toe_ftdi_strip_status(b, 2, 512) == 0 && toe_ftdi_strip_status(b, 1, 512) == 0 &&
          toe_ftdi_strip_status(b, 0, 512) == 0, "test_ftdi_strip_status_only");
    w = 0;
    for (size_t i = 0; i < 640; i++) {
        b[i] = (uint8_t)(i * 3 + 1);
        if (i % 64 >= 2)
            want[w++] = b[i];
    }
    n = toe_ftdi_strip_status(b, 640, 64);
    CHECK(n == 620 && !memcmp(b, want, n), "test_ftdi_strip_full_speed_64");
}

static void test_no_device(void)
{
    static const char *specs[] = {"ftdi-fifo:", "ftdi-fifo:0403:6014:NOSUCHSERIAL",
                                  "ftdi-uart:@12000000", "ftdi-uart:1234:5678:A@115200"};
    for (size_t i = 0; i < 4; i++) {
        char err[TOE_ERRBUF_SIZE] = "";
        struct toe_open_opts o = {.errbuf = err};
        toe_dev *d = (toe_dev *)&o; /* must be set to NULL on failure */
        int r = toe_open(&d, specs[i], &o);
        if (r == 0) {
            printf("SKIP test_ftdi_no_device %s: a device is attached\n", specs[i]);
            toe_close(d);
            continue;
        }
        CHECK(r == TOE_ENODEV && d == NULL && strstr(err, "no FTDI device"),
              "test_ftdi_no_device_enodev %s -> %s: %s", specs[i], toe_error_name(r), err);
    }
}

int main(void)
{
    test_strip();
    test_no_device();
    printf("%s test_ftdi\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
