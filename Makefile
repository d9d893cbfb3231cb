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
include tests/sim/tests.mk

.PHONY: all deps lint test test-rtl bench demo clean help

all: $(GEN)/toe_defs.h $(SIM_BINS)

deps:
	@scripts/deps.sh

# verilator -Wall over the whole core hierarchy; waivers live in rtl/lint.vlt.
lint: $(GEN)/toe_defs.vh
	verilator --lint-only -Wall -I$(GEN) -Irtl rtl/lint.vlt $(RTL_SRC) --top-module toe_core
	@echo "lint: clean"

# Every test, RTL benches and cosimulation, with one summary line at the end.
test: deps
	@$(MAKE) --no-print-directory all $(TEST_SIM_BINS)
	@{ for d in $(RTL_BENCHES); do echo "scripts/rtl_bench.sh $${d%/}"; done; \
	   for t in $(SIM_TESTS); do echo "$$t"; done; \
	   printf '%s\n' $(TEST_SIM_CMDS); } | scripts/run_tests.sh

test-rtl: $(GEN)/toe_defs.vh
	@for d in $(RTL_BENCHES); do echo "scripts/rtl_bench.sh $${d%/}"; done | scripts/run_tests.sh

BENCH_BINS := $(BUILD)/bench/bench_echo

$(BUILD)/bench/%: tests/bench/%.c $(VBOARD_LIB) $(GEN)/toe_defs.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SIM_CFLAGS) -c -o $@.o $<
	$(CXX) -o $@ $@.o $(VBOARD_LIB) $(SIM_LIBS)

# Figures, not tests: simulation speed and ICMP echo latency in simulated time.
bench: all $(BENCH_BINS)
	$(BIN)/toe-sim --bench
	$(BUILD)/bench/bench_echo

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
	@echo "make bench    simulated cycles per second of the virtual board"
