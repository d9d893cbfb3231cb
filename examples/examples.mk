# SPDX-License-Identifier: MIT
# examples/examples.mk: example programs on the public libtoe API. Included by the top
# Makefile after sw/sw.mk (uses LIBTOE_A, SW_CFLAGS, SW_PUB_HDR, SW_LIBS).
#
#   $(BIN)/toe-httpd   examples/httpd/httpd.c: files over HTTP/1.1 from the device
#   $(BIN)/toe-echo    examples/echo/echo.c: a TCP echo server in an epoll loop, through toed
#                      or on the device
#   $(EXAMPLE_BINS)    both

EXAMPLES := httpd echo
EXAMPLE_BINS := $(addprefix $(BIN)/toe-,$(EXAMPLES))

.PHONY: examples
examples: $(EXAMPLE_BINS)
all: examples

# examples/NAME/NAME.c -> $(BIN)/toe-NAME, on the public headers and libtoe.a
define example_rules
$(BUILD)/examples/$(1).o: examples/$(1)/$(1).c $(SW_PUB_HDR) examples/examples.mk
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SW_CFLAGS) -c -o $$@ $$<

$(BIN)/toe-$(1): $(BUILD)/examples/$(1).o $(LIBTOE_A)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(SW_LIBS)
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rules,$(e))))
