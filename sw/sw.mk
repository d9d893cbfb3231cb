# SPDX-License-Identifier: MIT
# sw/sw.mk: libtoe (static and shared), the toe command and the host unit tests. Included by
# the top Makefile, which defines BUILD, BIN, GEN, CC and CFLAGS.
#
# libtoe is two layers in one library: the engine (sw/src: device, link, ARP/ICMP, TCP; its
# internal headers there) and the application code on top of it (sw/app: HTTP client, DNS
# resolver), compiled with the public headers only (no path to sw/src: it cannot reach the
# engine's internals). Both go into libtoe.a and libtoe.so, so programs link one library.
#
#   $(LIBTOE_A)   $(BUILD)/sw/libtoe.a        $(LIBTOE_SO)  $(BUILD)/sw/libtoe.so
#   $(TOE_BIN)    $(BIN)/toe                  $(SW_TESTS)   unit test binaries (exit 0 pass,
#                                                           77 skip, else fail)
#   $(SW_CFLAGS)  compile flags for code that includes toe.h (with the top's CFLAGS, which
#                 name $(GEN) for toe_defs.h)
#   $(SW_PUB_HDR) the public headers, for the prerequisites of such code
#   $(SW_LIBS)    link flags for programs linked with $(LIBTOE_A)
#   $(PRELOAD_SO) $(BUILD)/sw/libtoe-preload.so (LD_PRELOAD library, docs/PRELOAD.md)

SW_FTDI_PKGS := libftdi1 libusb-1.0
SW_CFLAGS    := -Isw/include $(shell pkg-config --cflags $(SW_FTDI_PKGS) 2>/dev/null)
SW_LIBS      := $(shell pkg-config --libs $(SW_FTDI_PKGS) 2>/dev/null) -lm
SW_INT_CFLAGS := $(SW_CFLAGS) -Isw/src

SW_APP_CFLAGS := $(SW_CFLAGS) -Isw/app

SW_SRC  := $(addprefix sw/src/,link.c clock.c err.c dev.c devspec.c net.c tcp.c tcp_in.c tcp_out.c tcp_api.c tcp_traffic.c tcp_tw.c random.c tr_fd.c tr_ftdi.c app_api.c toed_client.c)
SW_APP_SRC := $(addprefix sw/app/,http.c http_tcp.c dns.c)
SW_OBJ  := $(patsubst sw/src/%.c,$(BUILD)/sw/obj/%.o,$(SW_SRC)) \
           $(patsubst sw/app/%.c,$(BUILD)/sw/obj/app/%.o,$(SW_APP_SRC))
SW_PIC  := $(patsubst sw/src/%.c,$(BUILD)/sw/pic/%.o,$(SW_SRC)) \
           $(patsubst sw/app/%.c,$(BUILD)/sw/pic/app/%.o,$(SW_APP_SRC))
SW_PUB_HDR := sw/include/toe.h sw/include/toed.h sw/include/toe_http.h $(GEN)/toe_defs.h
SW_APP_HDR := $(SW_PUB_HDR) $(wildcard sw/app/*.h)
SW_HDR  := $(SW_PUB_HDR) $(wildcard sw/src/*.h)

LIBTOE_A  := $(BUILD)/sw/libtoe.a
LIBTOE_SO := $(BUILD)/sw/libtoe.so
TOE_BIN   := $(BIN)/toe
TOED_BIN  := $(BIN)/toed
PRELOAD_SO := $(BUILD)/sw/libtoe-preload.so

SW_TEST_NAMES := test_codec test_dev test_net test_tcp test_devspec test_ftdi test_api test_http test_loop test_toed_client
SW_TESTS      := $(addprefix $(BUILD)/sw/tests/,$(SW_TEST_NAMES))
SW_TEST_MOCK  := $(BUILD)/sw/tests/mock.o

.PHONY: sw sw-test
sw: $(LIBTOE_A) $(LIBTOE_SO) $(TOE_BIN) $(TOED_BIN) $(PRELOAD_SO) $(SW_TESTS)
all: sw

sw-test: $(SW_TESTS)
	@fail=0; for t in $(SW_TESTS); do $$t || fail=1; done; exit $$fail

$(BUILD)/sw/obj/%.o: sw/src/%.c $(SW_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_INT_CFLAGS) -c -o $@ $<

$(BUILD)/sw/pic/%.o: sw/src/%.c $(SW_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_INT_CFLAGS) -fPIC -fvisibility=hidden -DTOE_BUILD_SHARED -c -o $@ $<

$(BUILD)/sw/obj/app/%.o: sw/app/%.c $(SW_APP_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_APP_CFLAGS) -c -o $@ $<

$(BUILD)/sw/pic/app/%.o: sw/app/%.c $(SW_APP_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_APP_CFLAGS) -fPIC -fvisibility=hidden -DTOE_BUILD_SHARED -c -o $@ $<

$(LIBTOE_A): $(SW_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBTOE_SO): $(SW_PIC)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libtoe.so.0 -o $@ $^ $(SW_LIBS)

$(BUILD)/sw/cli/toe.o: sw/cli/toe.c $(SW_PUB_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -c -o $@ $<

$(TOE_BIN): $(BUILD)/sw/cli/toe.o $(LIBTOE_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SW_LIBS)

$(BUILD)/sw/daemon/toed.o: sw/daemon/toed.c $(SW_PUB_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -c -o $@ $<

$(TOED_BIN): $(BUILD)/sw/daemon/toed.o $(LIBTOE_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SW_LIBS)

# The preload carries the libtoe it needs (PIC objects from an archive: only what the client
# side pulls in), exports only the calls it takes over (preload.map).
$(BUILD)/sw/libtoe_pic.a: $(SW_PIC)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/sw/preload/preload.o: sw/preload/preload.c $(SW_PUB_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(PRELOAD_SO): $(BUILD)/sw/preload/preload.o $(BUILD)/sw/libtoe_pic.a sw/preload/preload.map
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=sw/preload/preload.map -o $@ \
	    $(BUILD)/sw/preload/preload.o $(BUILD)/sw/libtoe_pic.a $(SW_LIBS) -ldl -lpthread

$(BUILD)/sw/tests/%.o: sw/tests/%.c $(SW_HDR) $(SW_APP_HDR) $(wildcard sw/tests/*.h) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_INT_CFLAGS) -Isw/app -Isw/tests -c -o $@ $<

$(BUILD)/sw/tests/test_%: $(BUILD)/sw/tests/test_%.o $(SW_TEST_MOCK) $(LIBTOE_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(SW_LIBS)

# ---- the unit tests again under AddressSanitizer (leaks included) and UndefinedBehavior-
# Sanitizer, every report fatal: library, mock and tests built apart in $(BUILD)/asan.
SW_SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SW_ASAN_OBJ   := $(patsubst sw/src/%.c,$(BUILD)/asan/obj/%.o,$(SW_SRC))
SW_ASAN_APP_OBJ := $(patsubst sw/app/%.c,$(BUILD)/asan/obj/app/%.o,$(SW_APP_SRC))
SW_ASAN_TESTS := $(addprefix $(BUILD)/asan/tests/,$(SW_TEST_NAMES))
SW_ASAN_CMDS  := $(foreach t,$(SW_ASAN_TESTS),"timeout 600 env ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(t)")

.PHONY: sw-asan
sw-asan: $(SW_ASAN_TESTS)

# Static pattern rules: the objects are kept between builds (not intermediate files).
$(SW_ASAN_OBJ): $(BUILD)/asan/obj/%.o: sw/src/%.c $(SW_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_SAN_FLAGS) $(SW_INT_CFLAGS) -c -o $@ $<

$(SW_ASAN_APP_OBJ): $(BUILD)/asan/obj/app/%.o: sw/app/%.c $(SW_APP_HDR) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_SAN_FLAGS) $(SW_APP_CFLAGS) -c -o $@ $<

$(BUILD)/asan/tests/%.o: sw/tests/%.c $(SW_HDR) $(SW_APP_HDR) $(wildcard sw/tests/*.h) sw/sw.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_SAN_FLAGS) $(SW_INT_CFLAGS) -Isw/app -Isw/tests -c -o $@ $<

$(SW_ASAN_TESTS): $(BUILD)/asan/tests/test_%: $(BUILD)/asan/tests/test_%.o \
    $(BUILD)/asan/tests/mock.o $(SW_ASAN_OBJ) $(SW_ASAN_APP_OBJ)
	$(CC) $(LDFLAGS) $(SW_SAN_FLAGS) -o $@ $^ $(SW_LIBS)
