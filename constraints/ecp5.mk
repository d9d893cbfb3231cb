# SPDX-License-Identifier: MIT
# ECP5 bitstreams, flashing and the bitstream check (included by the top Makefile, which
# defines BUILD, GEN and RTL_SRC first). See docs/BOARDS.md.
#   make bitstream BOARD=<board>     build/<board>/toe_<board>.bit (+ report.txt, report.json)
#   make bitstreams                  every board in ECP5_BOARDS
#   make flash BOARD=<board>         load it with openFPGALoader (FLASH=1: SPI flash)
#   make test-ecp5                   build every board; fail if any misses timing (with 10 %
#                                    margin), fit, or its TCP engine
#   make timing-seeds                every board again with nextpnr seeds 2 and 3
#   make area                        per-module resources and the cost of each feature (yosys)
#   make test-netlist                the synthesised board tops through the netlist bench
# Each first installs the tools (scripts/deps.sh ecp5), as `make test` does.

ECP5_BOARDS  := versa colorlight-i9 colorlight-i5
ECP5_TOP_SRC := $(wildcard rtl/top/common/*.v rtl/top/versa/*.v rtl/top/colorlight/*.v)
ECP5_DEPS    := $(RTL_SRC) $(ECP5_TOP_SRC) $(GEN)/toe_defs.vh scripts/ecp5_build.sh scripts/ecp5_report.py

.PHONY: bitstream bitstreams flash test-ecp5 timing-seeds area test-netlist

ECP5_SEEDS := 2 3
define ECP5_BOARD_RULE
$(BUILD)/$(1)/toe_$(1).bit: $(ECP5_DEPS) constraints/$(1).lpf
	scripts/ecp5_build.sh $(1)
$(foreach s,$(ECP5_SEEDS),
$(BUILD)/$(1)-seed$(s)/toe_$(1).bit: $(ECP5_DEPS) constraints/$(1).lpf
	SEED=$(s) scripts/ecp5_build.sh $(1))
endef
$(foreach b,$(ECP5_BOARDS),$(eval $(call ECP5_BOARD_RULE,$(b))))

# BOARD must name a board for `bitstream` and `flash`.
ifneq ($(filter bitstream flash,$(MAKECMDGOALS)),)
ifeq ($(filter $(BOARD),$(ECP5_BOARDS)),)
$(error BOARD=$(BOARD): pick one of $(ECP5_BOARDS))
endif
endif

# Like `make test`, these install their tools first (deps-ecp5: scripts/deps.sh ecp5), then
# build in a second make, so that nothing starts before the tools are there.
ECP5_BITS := $(foreach b,$(ECP5_BOARDS),$(BUILD)/$(b)/toe_$(b).bit)
ECP5_SUBMAKE := --no-print-directory -f $(firstword $(MAKEFILE_LIST))

bitstream: deps-ecp5
	@$(MAKE) $(ECP5_SUBMAKE) $(BUILD)/$(BOARD)/toe_$(BOARD).bit

bitstreams: deps-ecp5
	@$(MAKE) $(ECP5_SUBMAKE) $(ECP5_BITS)

flash: bitstream
	scripts/ecp5_build.sh --flash $(BOARD)

# Every board (make -k: a failure does not stop the others), then one line per board.
test-ecp5: deps-ecp5
	@start=$$(date +%s); rc=0; \
	$(MAKE) $(ECP5_SUBMAKE) -k $(ECP5_BITS) || rc=1; \
	echo "---- ECP5 bitstreams ($$(( $$(date +%s) - start )) s wall)"; \
	for b in $(ECP5_BOARDS); do \
	    if [ -f $(BUILD)/$$b/report.txt ]; then head -n 1 $(BUILD)/$$b/report.txt; \
	    else echo "$$b: no report (synthesis or tools failed, see $(BUILD)/$$b/)"; fi; \
	done; \
	if [ $$rc -ne 0 ]; then echo "test-ecp5: FAILED (a board misses timing or fit, or a tool failed)"; exit 1; fi; \
	echo "test-ecp5: all $(words $(ECP5_BOARDS)) boards meet timing"

# Seeds 2 and 3 of every board (seed 1 is test-ecp5's), then one line per build. Not in
# `make test` (the CI budget); their figures are in docs/BOARDS.md.
ECP5_SEED_BITS := $(foreach s,$(ECP5_SEEDS),$(foreach b,$(ECP5_BOARDS),$(BUILD)/$(b)-seed$(s)/toe_$(b).bit))
timing-seeds: deps-ecp5
	@rc=0; $(MAKE) $(ECP5_SUBMAKE) -k $(ECP5_SEED_BITS) || rc=1; \
	for f in $(dir $(ECP5_SEED_BITS)); do \
	    if [ -f $$f/report.txt ]; then head -n 2 $$f/report.txt; else echo "$$f: no report"; fi; \
	done; exit $$rc

# Per-module resources (yosys synth_ecp5 -noflatten, no place and route) of the board tops
# and toe_core, and the cost of each feature: scripts/ecp5_area.py, kept in docs/BOARDS.md.
area: $(GEN)/toe_defs.vh
	@scripts/ecp5_area.py

# The netlist bench (tests/netlist): each board top's synthesised netlist with yosys's cell
# models (and our DP16KD, tests/rtl/lib/DP16KD.v), through ARP, ICMP echo and a bad frame.
# `make test` runs the Colorlight one (tests/sim/tests.mk).
ECP5_NETLIST_BOARDS := versa colorlight-i9
test-netlist: $(GEN)/toe_defs.vh
	@for b in $(ECP5_NETLIST_BOARDS); do echo "scripts/netlist_bench.sh $$b"; done | scripts/run_tests.sh
