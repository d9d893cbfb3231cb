/* SPDX-License-Identifier: MIT */
/* test_devspec: device strings, good and bad. */
#include <string.h>

#include "mock.h"

int main(void)
{
    struct toe_spec s;
    char err[256];
    CHECK(!toe_spec_parse("sim:/tmp/toe.sock", &s, err, sizeof(err)) && s.kind == TOE_SPEC_SIM &&
          !strcmp(s.path, "/tmp/toe.sock"), "test_devspec_sim");
    CHECK(!toe_spec_parse("ftdi-fifo:", &s, err, sizeof(err)) && s.kind == TOE_SPEC_FTDI_FIFO &&
          s.vid == 0x0403 && s.pid == 0x6014 && !s.serial[0], "test_devspec_fifo_defaults");
    CHECK(!toe_spec_parse("ftdi-fifo:0403:6010", &s, err, sizeof(err)) && s.pid == 0x6010,
          "test_devspec_fifo_vidpid");
    CHECK(!toe_spec_parse("ftdi-fifo:1d50:60aB:FT12345", &s, err, sizeof(err)) &&
          s.vid == 0x1d50 && s.pid == 0x60ab && !strcmp(s.serial, "FT12345"),
          "test_devspec_fifo_vidpid_serial");
    CHECK(!toe_spec_parse("ftdi-fifo::FT9", &s, err, sizeof(err)) && s.pid == 0x6014 &&
          !strcmp(s.serial, "FT9"), "test_devspec_fifo_serial_only");
    CHECK(!toe_spec_parse("ftdi-uart:@12000000", &s, err, sizeof(err)) &&
          s.kind == TOE_SPEC_FTDI_UART && s.vid == 0x0403 && s.pid == 0x6010 && s.iface == 1 &&
          s.baud == 12000000, "test_devspec_uart_defaults_channel_b");
    CHECK(!toe_spec_parse("ftdi-uart:0403:6011:a@3000000", &s, err, sizeof(err)) &&
          s.pid == 0x6011 && s.iface == 0 && s.baud == 3000000, "test_devspec_uart_full");
    CHECK(!toe_spec_parse("ftdi-uart::D@115200", &s, err, sizeof(err)) && s.iface == 3,
          "test_devspec_uart_iface_only");
    CHECK(!toe_spec_parse("tty:/dev/ttyUSB1@921600", &s, err, sizeof(err)) &&
          s.kind == TOE_SPEC_TTY && !strcmp(s.path, "/dev/ttyUSB1") && s.baud == 921600,
          "test_devspec_tty");
    static const char *bad[] = {
        "", "sim", "sim:", "foo:bar", "usb:x", "ftdi-fifo:0403", "ftdi-fifo:xyz:6014",
        "ftdi-fifo:04031:6014", "ftdi-fifo:0403:", "ftdi-fifo:0403:6014:", "ftdi-fifo:::",
        "ftdi-uart:", "ftdi-uart:@", "ftdi-uart:@abc", "ftdi-uart:@0", "ftdi-uart:@99999999",
        "ftdi-uart:0403:6010:E@9600", "ftdi-uart:0403:6010:AB@9600", "ftdi-uart:zz@9600",
        "tty:/dev/ttyUSB0", "tty:ttyUSB0@9600", "tty:@9600", "tty:/dev/ttyUSB0@", "tty:/dev/x@-5",
        "tty:/dev/x@9600x",
        "sim:/this/path/is/much/too/long/for/a/unix/socket/address/because/sun_path/holds/"
        "only/one/hundred/and/eight/bytes.sock",
    };
    int ok = 1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = 0;
        int r = toe_spec_parse(bad[i], &s, err, sizeof(err));
        if (r != TOE_EINVAL || !err[0]) {
            printf("  bad string '%s' gave %d '%s'\n", bad[i], r, err);
            ok = 0;
        }
    }
    CHECK(ok, "test_devspec_bad_strings_einval_with_reason (%zu strings)",
          sizeof(bad) / sizeof(bad[0]));
    CHECK(toe_spec_parse(NULL, &s, err, sizeof(err)) == TOE_EINVAL, "test_devspec_null");
    printf("%s test_devspec\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
