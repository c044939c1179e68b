# vmib top-level build.
#
#   make            vmibd, vmibctl, the unit-test runner (build/bin/)
#   make deps       install every Debian package the project needs, fetch base MIBs
#   make check      MIB lint + unit tests (ASan/UBSan) + integration tests
#   make image      the guest image (build/images/vmib-test/)
#   make demo       local testbed + example scenario
#   make bench      the DESIGN §7 measurements
#   make experiments  the source papers' experiments (experiments/, doc/experiments.md)
#   make clean      remove build/
#
# Sources are picked up by directory: common/*.c -> libvmibcommon.a,
# agent/*.c (but main.c) -> libvmibagent.a, manager/*.c (but main.c) ->
# libvmibctl.a, tests/unit/*.c -> the CUnit runner.  Adding a file needs no
# change here.  Every object is built twice: plain (build/obj) for the
# programs, and with AddressSanitizer + UBSan (build/obj-san) for the tests.

BUILD   := build
CC      ?= gcc
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Werror
PKGS    := libvirt libvirt-qemu libxml-2.0 libnl-route-3.0
CPPFLAGS += -D_GNU_SOURCE -Icommon -Iagent -Imanager -I$(BUILD)/gen \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -MMD -MP
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS    := -lnetsnmpagent -lnetsnmp $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
TESTLIBS := $(shell pkg-config --libs cunit 2>/dev/null)

COMMON_SRC  := $(wildcard common/*.c)
AGENT_SRC   := $(filter-out agent/main.c,$(wildcard agent/*.c))
MANAGER_SRC := $(filter-out manager/main.c,$(wildcard manager/*.c))
UNIT_SRC    := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
san = $(patsubst %.c,$(BUILD)/obj-san/%.o,$(1))

GEN_OIDS := $(BUILD)/gen/vmib_oids.h
MIB      := mib/VMIB-MIB.txt
MIBS_DIR := $(BUILD)/mibs
IMAGE    := $(BUILD)/images/vmib-test/image.xml

PROGRAMS := $(BUILD)/bin/vmibd $(BUILD)/bin/vmibctl $(BUILD)/bin/unit-tests

.PHONY: all deps mibs check check-mib check-unit check-integration image demo \
        bench experiments clean testbed-down
all: $(PROGRAMS)

# --- generated OIDs (never typed by hand) ----------------------------------
$(GEN_OIDS): $(MIB) mib/gen-oids.sh | $(MIBS_DIR)/SNMPv2-SMI.txt
	@mkdir -p $(@D)
	SMIPATH=$(MIBS_DIR):/usr/share/snmp/mibs mib/gen-oids.sh $(MIB) $@

mibs: $(MIBS_DIR)/SNMPv2-SMI.txt
$(MIBS_DIR)/SNMPv2-SMI.txt: mib/fetch-base-mibs.sh
	mib/fetch-base-mibs.sh $(MIBS_DIR)

# --- objects ----------------------------------------------------------------
ALL_SRC := $(COMMON_SRC) $(AGENT_SRC) agent/main.c $(MANAGER_SRC) manager/main.c $(UNIT_SRC)
$(call obj,$(ALL_SRC)) $(call san,$(ALL_SRC)): | $(GEN_OIDS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj-san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/lib/libvmibcommon.a: $(call obj,$(COMMON_SRC))
$(BUILD)/lib/libvmibagent.a: $(call obj,$(AGENT_SRC))
$(BUILD)/lib/libvmibctl.a: $(call obj,$(MANAGER_SRC))
$(BUILD)/lib-san/libvmibcommon.a: $(call san,$(COMMON_SRC))
$(BUILD)/lib-san/libvmibagent.a: $(call san,$(AGENT_SRC))
$(BUILD)/lib-san/libvmibctl.a: $(call san,$(MANAGER_SRC))
# (two rules: a pattern rule with two targets would be one grouped recipe)
$(BUILD)/lib/%.a:
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
$(BUILD)/lib-san/%.a:
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/vmibd: $(call obj,agent/main.c) $(BUILD)/lib/libvmibagent.a $(BUILD)/lib/libvmibcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/vmibctl: $(call obj,manager/main.c) $(BUILD)/lib/libvmibctl.a $(BUILD)/lib/libvmibcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/unit-tests: $(call san,$(UNIT_SRC)) $(BUILD)/lib-san/libvmibagent.a \
                         $(BUILD)/lib-san/libvmibctl.a $(BUILD)/lib-san/libvmibcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(call san,$(UNIT_SRC)) \
	  -Wl,--start-group $(BUILD)/lib-san/libvmibagent.a $(BUILD)/lib-san/libvmibctl.a \
	  $(BUILD)/lib-san/libvmibcommon.a -Wl,--end-group $(LIBS) $(TESTLIBS)

# --- set-up -----------------------------------------------------------------
deps:
	tests/tools/install-deps mk/debian-packages.txt
	$(MAKE) mibs

# --- guest image ------------------------------------------------------------
image: $(IMAGE)
$(IMAGE): tests/image/mkimage $(wildcard tests/image/*)
	tests/image/mkimage $(BUILD)/images

# --- tests ------------------------------------------------------------------
check: all image
	tests/run-checks

check-mib: $(GEN_OIDS)
	SMIPATH=$(MIBS_DIR):/usr/share/snmp/mibs mib/check-mib.sh
	tests/mib/check-gen-oids.sh
	tests/mib/check-doc-oids.sh

check-unit: $(BUILD)/bin/unit-tests
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/bin/unit-tests

check-integration: all image
	tests/integration/run-all

# --- demo and bench -----------------------------------------------------------
demo: deps all image
	tests/demo/run

bench: all image
	tests/bench/run-all

experiments: all image
	experiments/run-all

testbed-down:
	tests/testbed/testbed down

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-san $(BUILD)/lib $(BUILD)/lib-san $(BUILD)/bin \
	       $(BUILD)/gen $(BUILD)/results

-include $(shell find $(BUILD)/obj $(BUILD)/obj-san -name '*.d' 2>/dev/null)
