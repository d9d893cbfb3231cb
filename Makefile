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
include constraints/ecp5.mk

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

# Every test: RTL benches, host and simulator unit tests, cosimulation, and the ECP5
# bitstreams (place and route must meet timing), with one summary line at the end.
test: deps deps-ecp5
	@$(MAKE) --no-print-directory all $(TEST_SIM_BINS)
	@{ echo "make --no-print-directory test-ecp5"; \
	   for d in $(RTL_BENCHES); do echo "scripts/rtl_bench.sh $${d%/}"; done; \
	   for t in $(SIM_TESTS) $(SW_TESTS); do echo "$$t"; done; \
	   printf '%s\n' $(TEST_SIM_CMDS); } | scripts/run_tests.sh

test-rtl: $(GEN)/toe_defs.vh
	@for d in $(RTL_BENCHES); do echo "scripts/rtl_bench.sh $${d%/}"; done | scripts/run_tests.sh

BENCH_BINS := $(BUILD)/bench/bench_echo $(BUILD)/bench/bench_link

$(BUILD)/bench/%: tests/bench/%.c $(VBOARD_LIB) $(GEN)/toe_defs.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SIM_CFLAGS) -c -o $@.o $<
	$(CXX) -o $@ $@.o $(VBOARD_LIB) $(SIM_LIBS)

# Figures, not tests: simulation speed, ICMP echo latency and link figures in simulated time.
bench: all $(BENCH_BINS)
	$(BIN)/toe-sim --bench
	$(BUILD)/bench/bench_echo
	$(BUILD)/bench/bench_link

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

clean:
	rm -rf $(BUILD)

help:
	@echo "make          build the virtual board (build/bin/toe-sim)"
	@echo "make deps     install missing packages (apt-get)"
	@echo "make demo     run the virtual board and ping it from Linux"
	@echo "make test     run every test (RTL benches, cosimulation, fuzz, wire checks)"
	@echo "make lint     verilator -Wall over the RTL"
	@echo "make bench    simulation speed, ICMP echo latency, link figures"
	@echo "make bitstream BOARD=versa|colorlight-i9|colorlight-i5   ECP5 bitstream and report"
	@echo "make flash BOARD=...   load it with openFPGALoader (FLASH=1: SPI flash)"
