# SPDX-License-Identifier: MIT
# tests/conformance/conformance.mk: the scripted conformance harness (README.md there). Included
# by the top Makefile after tests/sim/tests.mk.
#
#   make conformance                       every script, one summary line
#   build/tests/toe_conform -v SCRIPT.pkt  one script with its trace

CONFORM_DIR     := $(BUILD)/tests/conformance
CONFORM_BIN     := $(BUILD)/tests/toe_conform
CONFORM_SRC     := $(addprefix tests/conformance/,toe_conform.c script.c pkt.c)
CONFORM_OBJ     := $(patsubst tests/conformance/%.c,$(CONFORM_DIR)/%.o,$(CONFORM_SRC))
CONFORM_SCRIPTS  = $(sort $(wildcard tests/conformance/*.pkt))

TEST_SIM_BINS += $(CONFORM_BIN)
TEST_SIM_CMDS += "timeout 900 $(CONFORM_BIN) tests/conformance/*.pkt"
test-sim: $(CONFORM_BIN)

$(CONFORM_DIR)/%.o: tests/conformance/%.c tests/conformance/conform.h $(SW_HDR) sim/vboard.h \
                    tests/conformance/conformance.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SIM_CFLAGS) $(SW_INT_CFLAGS) -MMD -MP -c -o $@ $<

# libtoe's keys come from getrandom: wrapped, so that a script repeats exactly.
$(CONFORM_BIN): $(CONFORM_OBJ) $(LIBTOE_A) $(VBOARD_LIB)
	$(CXX) $(LDFLAGS) -Wl,--wrap=getrandom -o $@ $(CONFORM_OBJ) $(LIBTOE_A) $(VBOARD_LIB) \
	    $(SW_LIBS) $(SIM_LIBS)

.PHONY: conformance
conformance: $(CONFORM_BIN)
	$(CONFORM_BIN) $(CONFORM_SCRIPTS)

-include $(wildcard $(CONFORM_DIR)/*.d)
