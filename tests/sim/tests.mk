# SPDX-License-Identifier: MIT
# tests/sim/tests.mk: tests against the virtual board. Included by the top Makefile after
# sim/sim.mk; uses BUILD, GEN, CC, CXX, CFLAGS, LDFLAGS from it and VBOARD_LIB, SIM_CFLAGS,
# SIM_LIBS, SIM_BINS from sim/sim.mk.
#
#   make test-sim                     build and run them (scripts/run_tests.sh prints the summary)
#   make test-sim FUZZ_SEED=N FUZZ_COUNT=N   (each of the two RTL frame fuzz parts)
#
# TEST_SIM_CMDS holds one quoted command per test, for scripts/run_tests.sh.

TEST_SIM_DIR  := $(BUILD)/tests
TEST_SIM_BINS := $(TEST_SIM_DIR)/test_rx_fuzz $(TEST_SIM_DIR)/test_cosim_link \
                 $(TEST_SIM_DIR)/test_tcp_cosim $(TEST_SIM_DIR)/test_link_session \
                 $(TEST_SIM_DIR)/test_vboard_edges
FUZZ_COUNT    ?= 500000
FUZZ_SEED     ?=

# The engine's i5 netlist with its TCP exchange (about 8 minutes alone): make test starts it beside
# test-ecp5, the other long job, so that neither is left alone at the end.
NETLIST_TEST_CMD := "timeout 2400 env NETLIST_PARAMS='TCP_SLOTS=4 TRAFFIC=0' scripts/netlist_bench.sh colorlight-i5"

TEST_SIM_CMDS := \
    "timeout 900 env FUZZ_PART=1 tests/sim/test_rx_fuzz.sh" \
    "timeout 900 env FUZZ_PART=2 tests/sim/test_rx_fuzz.sh" \
    "timeout 600 build/tests/test_vboard_edges" \
    "timeout 300 tests/sim/test_ping_tap.sh" \
    "timeout 120 tests/sim/test_pcap_check.sh" \
    "timeout 300 tests/sim/test_link_garbage.sh" \
    "timeout 600 tests/sim/test_link_session.sh" \
    "timeout 600 tests/sim/test_cosim_link.sh" \
    "timeout 1800 tests/sim/test_tcp_slirp.sh" \
    "timeout 1800 env LINK_PHY=fifo BYTES=10000000 MULTI_BYTES=1000000 tests/sim/test_tcp_slirp.sh big" \
    "timeout 900 tests/sim/test_tcp_recovery.sh" \
    "timeout 1800 env SEEDS=1 tests/sim/test_tcp_faults.sh" \
    "timeout 1800 env SEEDS=2 tests/sim/test_tcp_faults.sh" \
    "timeout 1800 env SEEDS=3 tests/sim/test_tcp_faults.sh" \
    "timeout 3000 tests/sim/test_tcp_tap.sh" \
    "timeout 900 tests/sim/test_iperf.sh" \
    "timeout 900 tests/sim/test_get_slirp.sh" \
    "timeout 900 tests/sim/test_get_faults.sh" \
    "timeout 900 tests/sim/test_toed.sh" \
    "timeout 900 tests/sim/test_toed_tap.sh" \
    "timeout 900 tests/sim/test_preload.sh" \
    "timeout 900 env NET=tap BIG=1000000 tests/sim/test_preload.sh" \
    "timeout 1800 tests/sim/test_httpd.sh" \
    "timeout 600 sw/tests/test_install.sh" \
    "timeout 300 sw/tests/test_cli.sh" \
    "timeout 600 tests/docs/test_docs.py" \
    "timeout 60 tests/bench/test_bench_report.py" \
    "timeout 300 tests/build/test_make_deps.sh" \
    "timeout 60 tests/build/test_ecp5_report.py" \
    "timeout 600 tests/sim/test_demo.sh" \
    "timeout 120 tests/gen/test_defs_drift.sh" \
    "timeout 120 tests/hw/test_board.sh"

$(TEST_SIM_DIR)/%.o: tests/sim/%.c $(GEN)/toe_defs.h tests/sim/tests.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SIM_CFLAGS) -MMD -MP -c -o $@ $<

$(TEST_SIM_DIR)/test_rx_fuzz: $(TEST_SIM_DIR)/test_rx_fuzz.o $(VBOARD_LIB)
	$(CXX) $(LDFLAGS) -o $@ $< $(VBOARD_LIB) $(SIM_LIBS)

$(TEST_SIM_DIR)/test_vboard_edges: $(TEST_SIM_DIR)/test_vboard_edges.o $(VBOARD_LIB)
	$(CXX) $(LDFLAGS) -o $@ $< $(VBOARD_LIB) $(SIM_LIBS)

$(TEST_SIM_DIR)/test_tcp_cosim.o: CFLAGS += $(SW_CFLAGS)
$(TEST_SIM_DIR)/test_tcp_cosim: $(TEST_SIM_DIR)/test_tcp_cosim.o $(LIBTOE_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBTOE_A) $(SW_LIBS)

$(TEST_SIM_DIR)/test_link_session.o: CFLAGS += $(SW_CFLAGS) -Isw/src
$(TEST_SIM_DIR)/test_link_session: $(TEST_SIM_DIR)/test_link_session.o $(LIBTOE_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBTOE_A) $(SW_LIBS)

$(TEST_SIM_DIR)/test_cosim_link.o: CFLAGS += $(SW_CFLAGS)
$(TEST_SIM_DIR)/test_cosim_link: $(TEST_SIM_DIR)/test_cosim_link.o $(LIBTOE_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBTOE_A) $(SW_LIBS)

.PHONY: test-sim
test-sim: $(GEN)/toe_defs.h $(TEST_SIM_BINS) $(SIM_BINS)
	@printf '%s\n' $(TEST_SIM_CMDS) | FUZZ_COUNT=$(FUZZ_COUNT) FUZZ_SEED=$(FUZZ_SEED) scripts/run_tests.sh

-include $(wildcard $(TEST_SIM_DIR)/*.d)
