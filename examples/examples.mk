# SPDX-License-Identifier: MIT
# examples/examples.mk: example programs on the public libtoe API. Included by the top
# Makefile after sw/sw.mk (uses LIBTOE_A, SW_CFLAGS, SW_PUB_HDR, SW_LIBS).
#
#   $(HTTPD_BIN)  $(BIN)/toe-httpd   examples/httpd/httpd.c: files over HTTP/1.1 from the device

HTTPD_BIN := $(BIN)/toe-httpd
EXAMPLE_BINS := $(HTTPD_BIN)

.PHONY: examples
examples: $(EXAMPLE_BINS)
all: examples

$(BUILD)/examples/httpd.o: examples/httpd/httpd.c $(SW_PUB_HDR) examples/examples.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -c -o $@ $<

$(HTTPD_BIN): $(BUILD)/examples/httpd.o $(LIBTOE_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SW_LIBS)
