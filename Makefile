# toe: top-level build. `make` builds everything into build/; `make help` lists the targets.
.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD   := build
BIN     := $(BUILD)/bin
GEN     := $(BUILD)/gen
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I$(GEN)

# Every RTL source of the portable core (board tops under rtl/top are separate).
RTL_SRC := $(shell find rtl -name '*.v' -not -path 'rtl/top/*' | sort)
RTL_BENCHES := $(sort $(dir $(wildcard tests/rtl/*/tb.v)))

$(GEN)/toe_defs.vh $(GEN)/toe_defs.h: spec/toe.spec scripts/gen_defs.py
	@mkdir -p $(GEN)
	python3 scripts/gen_defs.py spec/toe.spec $(GEN)/toe_defs.vh $(GEN)/toe_defs.h

include sim/sim.mk
include sw/sw.mk
include tests/sim/tests.mk
include tests/fuzz/fuzz.mk
include tests/conformance/conformance.mk
include constraints/ecp5.mk

# Before anything is built: are the tools and libraries that `make deps` installs there? If
# not, say so and stop, instead of failing later on a missing header (scripts/deps.sh
# --check). Goals that install them first (test, demo, the ECP5 ones) or need none skip it.
DEPS_FREE_GOALS := deps deps-ecp5 clean help test demo bitstream bitstreams flash test-ecp5 timing-seeds \
    $(ECP5_BITS) $(ECP5_SEED_BITS)
ifneq ($(filter-out $(DEPS_FREE_GOALS),$(or $(MAKECMDGOALS),all)),)
$(shell CC='$(CC)' CXX='$(CXX)' VERILATOR='$(VERILATOR)' scripts/deps.sh --check >&2)
ifneq ($(.SHELLSTATUS),0)
$(error missing build dependencies, listed above: run `make deps`)
endif
endif

.PHONY: all deps deps-ecp5 lint test test-rtl bench demo clean help

all: $(GEN)/toe_defs.h $(SIM_BINS) $(TOE_BIN)

deps:
	@scripts/deps.sh

deps-ecp5:
	@scripts/deps.sh ecp5

# verilator -Wall over every top: the portable core, the link PHYs (instantiated by the board
# tops) and the board tops (with the primitive models, hence --timing). Waivers: rtl/lint.vlt.
LINT_TOPS := toe_core uart_phy ft245_phy toe_versa toe_colorlight
lint: $(GEN)/toe_defs.vh
	@for top in $(LINT_TOPS); do \
	    verilator --lint-only -Wall --timing -I$(GEN) -Irtl rtl/lint.vlt \
	        $$(find rtl -name '*.v' | sort) --top-module $$top || exit 1; \
	    echo "lint: $$top clean"; \
	done

# Every test: RTL benches, host and simulator unit tests (also under ASan and UBSan), a short
# run of each libFuzzer harness, cosimulation, and the ECP5 bitstreams (place and route must
# meet timing), with the slowest tests and one summary line at the end.
test: deps deps-ecp5
	@$(MAKE) --no-print-directory all $(TEST_SIM_BINS) $(SW_ASAN_TESTS) fuzz-build
	@{ echo "make --no-print-directory test-ecp5"; printf '%s\n' $(NETLIST_TEST_CMD); \
	   for d in $(RTL_BENCHES); do echo "scripts/rtl_bench.sh $${d%/}"; done; \
	   for t in $(SIM_TESTS) $(SW_TESTS); do echo "$$t"; done; \
	   printf '%s\n' $(SW_ASAN_CMDS) $(FUZZ_TEST_CMDS) $(TEST_SIM_CMDS); } | scripts/run_tests.sh

test-rtl: $(GEN)/toe_defs.vh
	@for d in $(RTL_BENCHES); do echo "scripts/rtl_bench.sh $${d%/}"; done | scripts/run_tests.sh

BENCH_BINS := $(BUILD)/bench/bench_echo $(BUILD)/bench/bench_link

$(BUILD)/bench/%: tests/bench/%.c $(VBOARD_LIB) $(GEN)/toe_defs.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SIM_CFLAGS) -c -o $@.o $<
	$(CXX) -o $@ $@.o $(VBOARD_LIB) $(SIM_LIBS)

# Figures, not tests: simulation speed, ICMP echo latency, link and TCP figures (goodput, loss
# recovery) in simulated time.
bench: all $(BENCH_BINS) $(TEST_SIM_BINS)
	scripts/bench_report.py

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

clean:
	rm -rf $(BUILD)

help:
	@echo "make          build the virtual board (build/bin/toe-sim)"
	@echo "make deps     install missing packages (apt-get); \`make\` says when it needs this"
	@echo "make demo     fetch a web page through the virtual board (the simulated FPGA)"
	@echo "make test     run every test (RTL benches, host and TCP cosimulation, fuzz, sanitizers, TCP conformance, wire checks, ECP5)"
	@echo "make fuzz     run each libFuzzer harness for FUZZ_TIME seconds (default 60), corpus in build/fuzz"
	@echo "make sw-asan  build the host unit tests under ASan and UBSan (build/asan/tests)"
	@echo "make conformance   TCP conformance scripts (tests/conformance, docs/CONFORMANCE.md)"
	@echo "make lint     verilator -Wall over the RTL"
	@echo "make area     per-module ECP5 resources and the cost of each feature (yosys)"
	@echo "make test-netlist   the synthesised board tops simulated (ARP, echo, TCP with slots)"
	@echo "make timing-seeds   every board with nextpnr seeds 2 and 3"
	@echo "make bench    every figure (simulation speed, echo latency, link, TCP) as a ratio to its limit"
	@echo "make bitstream BOARD=versa|colorlight-i9|colorlight-i5   ECP5 bitstream and report"
	@echo "              (installs the ECP5 tools first: make deps-ecp5, as make test does)"
	@echo "make flash BOARD=...   load it with openFPGALoader (FLASH=1: SPI flash)"
	@echo "make install PREFIX=/usr/local   libtoe, headers, pkg-config file, toe, toe-sim, toed (+ systemd unit), man pages"

# ---- examples and `make install` ---------------------------------------------------------
# make install PREFIX=/usr/local [DESTDIR=/staging]: libtoe.a, libtoe.so (soname libtoe.so.0),
# the headers toe.h, toe_http.h, toed.h and toe_defs.h (the generated TOE_CONST_*/TOE_STAT_*
# numbers), libtoe.pc, libtoe-preload.so (for `toe run`), the toe and toe-sim binaries and their man pages (docs/man/), the daemon
# toed in sbin with its man page (toed.8) and systemd unit (toed.service, in UNITDIR).
include examples/examples.mk

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
UNITDIR    ?= $(PREFIX)/lib/systemd/system
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
LIBTOE_VERSION = $(shell v=$$(sed -n 's/^\#define TOE_CONST_VERSION 0x\([0-9a-f]*\)u.*/\1/p' \
    $(GEN)/toe_defs.h 2>/dev/null); [ -n "$$v" ] && v=$$((0x$$v)) && \
    echo $$((v >> 16)).$$(((v >> 8) & 255)).$$((v & 255)) || echo 0.0.0)

.PHONY: install
install: $(LIBTOE_A) $(LIBTOE_SO) $(PRELOAD_SO) $(TOE_BIN) $(TOED_BIN) $(SIM_BINS) $(GEN)/toe_defs.h
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 $(TOE_BIN) $(SIM_BINS) $(DESTDIR)$(BINDIR)/
	install -m 755 $(TOED_BIN) $(DESTDIR)$(SBINDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|' sw/daemon/toed.service >$(DESTDIR)$(UNITDIR)/toed.service
	chmod 644 $(DESTDIR)$(UNITDIR)/toed.service
	install -m 644 docs/man/toed.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 $(LIBTOE_A) $(DESTDIR)$(LIBDIR)/libtoe.a
	install -m 755 $(LIBTOE_SO) $(DESTDIR)$(LIBDIR)/libtoe.so.$(LIBTOE_VERSION)
	ln -sf libtoe.so.$(LIBTOE_VERSION) $(DESTDIR)$(LIBDIR)/libtoe.so.0
	ln -sf libtoe.so.0 $(DESTDIR)$(LIBDIR)/libtoe.so
	install -m 755 $(PRELOAD_SO) $(DESTDIR)$(LIBDIR)/libtoe-preload.so
	install -m 644 sw/include/toe.h sw/include/toe_http.h sw/include/toed.h $(GEN)/toe_defs.h \
	    $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 docs/man/toe.1 docs/man/toe-sim.1 $(DESTDIR)$(MANDIR)/man1/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	    'Name: libtoe' 'Description: host library of the toe TCP offload engine' \
	    'Version: $(LIBTOE_VERSION)' 'Requires.private: $(SW_FTDI_PKGS)' \
	    'Libs: -L$${libdir} -ltoe' 'Libs.private: -lm' 'Cflags: -I$${includedir}' \
	    >$(DESTDIR)$(LIBDIR)/pkgconfig/libtoe.pc
