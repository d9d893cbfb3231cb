# SPDX-License-Identifier: MIT
# examples/examples.mk: example programs on the public libtoe API. Included by the top
# Makefile after sw/sw.mk (uses LIBTOE_A, SW_CFLAGS, SW_PUB_HDR, SW_LIBS).
#
#   $(HTTPD_BIN)  $(BIN)/toe-httpd   examples/httpd/httpd.c: files over HTTP/1.1 from the device
#   $(ECHO_BIN)   $(BIN)/toe-echo    examples/echo/echo.c: a TCP echo server in an epoll loop,
#                                    through toed or on the device

HTTPD_BIN := $(BIN)/toe-httpd
ECHO_BIN  := $(BIN)/toe-echo
EXAMPLE_BINS := $(HTTPD_BIN) $(ECHO_BIN)

.PHONY: examples
examples: $(EXAMPLE_BINS)
all: examples

$(BUILD)/examples/httpd.o: examples/httpd/httpd.c $(SW_PUB_HDR) examples/examples.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -c -o $@ $<

$(HTTPD_BIN): $(BUILD)/examples/httpd.o $(LIBTOE_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SW_LIBS)

$(BUILD)/examples/echo.o: examples/echo/echo.c $(SW_PUB_HDR) examples/examples.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -c -o $@ $<

$(ECHO_BIN): $(BUILD)/examples/echo.o $(LIBTOE_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SW_LIBS)
