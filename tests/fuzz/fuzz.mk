# SPDX-License-Identifier: MIT
# tests/fuzz/fuzz.mk: libFuzzer harnesses of libtoe's parsers (tests/fuzz/fuzz_<target>.c),
# built with clang, AddressSanitizer and UndefinedBehaviorSanitizer. Included by the top
# Makefile after sw/sw.mk; uses BUILD, GEN, SW_SRC, SW_APP_SRC, SW_HDR, SW_APP_HDR,
# SW_INT_CFLAGS, SW_APP_CFLAGS and SW_LIBS.
#
#   make fuzz [FUZZ_TIME=600]   run every harness for FUZZ_TIME seconds (default 60) on its
#                               corpus under build/fuzz/corpus (seeded from tests/fuzz/corpus)
#   $(FUZZ_TEST_CMDS)           the short runs of `make test` (scripts/run_tests.sh commands)
#
# A harness reads a whole input and checks the invariants of its target; a crash, a
# sanitizer report, a leak, an input slower than the timeout or a failed invariant (abort)
# is a failure, saved under build/fuzz/artifacts/.

FUZZ_CC      ?= $(shell command -v clang-14 || command -v clang)
FUZZ_TARGETS := http link dns devspec dev
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
FUZZ_TIME    ?= 60
# Every undefined behaviour stops the run (the default only prints and goes on).
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BASE_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -I$(GEN) $(FUZZ_SAN)
FUZZ_CFLAGS  := $(FUZZ_BASE_CFLAGS) $(SW_INT_CFLAGS) -Isw/app -Isw/tests -Itests/fuzz
# The library and the unit-test mock, instrumented for coverage (no libFuzzer main); the
# application layer (sw/app) with the public headers only, as in sw/sw.mk.
FUZZ_LIB_OBJ := $(patsubst sw/src/%.c,$(FUZZ_DIR)/obj/%.o,$(SW_SRC))
FUZZ_APP_OBJ := $(patsubst sw/app/%.c,$(FUZZ_DIR)/obj/app/%.o,$(SW_APP_SRC))
FUZZ_OBJ     := $(FUZZ_LIB_OBJ) $(FUZZ_APP_OBJ) $(FUZZ_DIR)/obj/mock.o

FUZZ_TEST_CMDS := $(foreach t,$(FUZZ_TARGETS),"timeout 300 tests/fuzz/run.sh $(t)")

# Static pattern rules: the objects are kept between builds (not intermediate files).
$(FUZZ_LIB_OBJ): $(FUZZ_DIR)/obj/%.o: sw/src/%.c $(SW_HDR) tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_APP_OBJ): $(FUZZ_DIR)/obj/app/%.o: sw/app/%.c $(SW_APP_HDR) tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) $(SW_APP_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/mock.o: sw/tests/mock.c sw/tests/mock.h $(SW_HDR) tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ) $(SW_HDR) $(SW_APP_HDR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(SW_LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(GEN)/toe_defs.h $(FUZZ_BINS)

fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_TARGETS); do \
	    FUZZ_TIME=$(FUZZ_TIME) FUZZ_KEEP=1 tests/fuzz/run.sh $$t || fail=1; done; \
	echo "summary:"; cat $(addprefix $(FUZZ_DIR)/,$(addsuffix .summary,$(FUZZ_TARGETS))); \
	exit $$fail
