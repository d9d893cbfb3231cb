# toe: top-level build. `make` builds everything into build/; see README.md for the targets.
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

$(GEN)/toe_defs.vh $(GEN)/toe_defs.h: spec/toe.spec scripts/gen_defs.py
	@mkdir -p $(GEN)
	python3 scripts/gen_defs.py spec/toe.spec $(GEN)/toe_defs.vh $(GEN)/toe_defs.h

-include sim/sim.mk

.PHONY: all clean
all: $(GEN)/toe_defs.h $(SIM_BINS)

clean:
	rm -rf $(BUILD)
