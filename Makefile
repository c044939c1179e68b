# vmib top-level build.
#
#   make            vmibd, vmibctl, the unit-test runner (build/bin/)
#   make deps       install every Debian package the project needs, fetch base MIBs
#   make check      deps, then MIB lint + unit tests (ASan/UBSan) + integration tests
#   make image      the guest image (build/images/vmib-test/)
#   make demo       local testbed + example scenario
#   make bench      the DESIGN §7 measurements
#   make check-fuzz the libFuzzer targets (clang), time-boxed (build/fuzz/)
#   make install    install (PREFIX, DESTDIR, sysconfdir...); make uninstall
#   make packages   the Debian packages (build/pkg/)
#   make check-fresh    the README's set-up on a pristine Debian 12 root
#   make check-packages make install/uninstall, the packages, a smoke test
#   make experiments  the source papers' experiments (experiments/, doc/experiments.md)
#   make clean      remove build/
#
# Sources are picked up by directory: common/*.c -> libvmibcommon.a,
# agent/*.c and agent/LAYER/*.c (but main.c) -> libvmibagent.a, manager/*.c and
# manager/STAGE/*.c (but main.c) -> libvmibctl.a, tests/unit/*.c -> the CUnit runner.
# Adding a file needs no
# change here.  Every object is built twice: plain (build/obj) for the
# programs, and with AddressSanitizer + UBSan (build/obj-san) for the tests.

BUILD   := build
CC      ?= gcc

# --- installation directories (make install; the GNU names) -----------------
# sysconfdir is /etc whatever the prefix: vmibd, snmpd and systemd read
# their configuration there.  The MIB goes where Net-SNMP's tools look by
# default (net-snmp-config --default-mibdirs), whatever the prefix too.
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
sbindir     ?= $(exec_prefix)/sbin
datarootdir ?= $(prefix)/share
datadir     ?= $(datarootdir)
mandir      ?= $(datarootdir)/man
docdir      ?= $(datarootdir)/doc/vmib
sysconfdir  ?= /etc
systemdunitdir ?= $(prefix)/lib/systemd/system
vmibdatadir := $(datadir)/vmib
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Werror
# CFLAGS, CPPFLAGS and LDFLAGS are the user's (`make CFLAGS=-O0`, a package
# build's hardening flags); what the project needs is in VMIB_* and always used.
CFLAGS  ?= -O2 -g
# agent/'s layer folders (doc/hacking.md): every one is on the include path
AGENT_DIRS := agent $(patsubst %/,%,$(sort $(dir $(wildcard agent/*/*.[ch]))))
VMIB_CPPFLAGS  = -D_GNU_SOURCE -Icommon $(addprefix -I,$(AGENT_DIRS)) -Imanager -I$(BUILD)/gen $(PKG_CFLAGS) \
                 -DVMIB_SCHEMA_DEFAULT='"$(vmibdatadir)/schemas"'
# manager/ is one folder per stage (doc/hacking.md); each is on the include path
VMIB_CPPFLAGS += $(patsubst %/,-I%,$(sort $(dir $(wildcard manager/*/*.h))))
VMIB_CFLAGS   := -std=gnu11 $(WARN) -MMD -MP
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS    = $(PKG_LIBS) -lm
TESTLIBS = $(PKG_TESTLIBS)
COMPILE  = $(CC) $(VMIB_CPPFLAGS) $(CPPFLAGS) $(VMIB_CFLAGS) $(CFLAGS)
LINK     = $(CC) $(VMIB_CFLAGS) $(CFLAGS) $(LDFLAGS)

# --- build configuration (build/config.mk) ------------------------------------
# The libraries' flags come from pkg-config, in a file made by mk/gen-config
# and included here: GNU make makes it first and restarts with it read, so
# nothing is compiled or linked before it exists, also under -j.  When a
# goal installs the packages (deps, demo, check), the installation is part
# of making it, so a fresh machine gets them before the flags are asked for.
# Goals that build nothing do not need it.
CONFIG_MK     := $(BUILD)/config.mk
INSTALL_GOALS := deps demo check check-packages
NOCONFIG_GOALS := clean testbed-down check-fresh
ifneq ($(if $(MAKECMDGOALS),$(filter-out $(NOCONFIG_GOALS),$(MAKECMDGOALS)),all),)
include $(CONFIG_MK)
endif
ifneq ($(filter $(INSTALL_GOALS),$(MAKECMDGOALS)),)
ifeq ($(MAKE_RESTARTS),)
$(CONFIG_MK): FORCE
endif
endif
$(CONFIG_MK): mk/gen-config mk/debian-packages.txt mk/nms-packages.txt
	@mkdir -p $(@D)
	$(if $(filter $(INSTALL_GOALS),$(MAKECMDGOALS)),tests/tools/install-deps mk/debian-packages.txt)
	$(if $(filter $(INSTALL_GOALS),$(MAKECMDGOALS)),tests/tools/install-deps mk/nms-packages.txt)
	@mk/gen-config $@
FORCE:

COMMON_SRC  := $(wildcard common/*.c)
AGENT_SRC   := $(filter-out agent/main.c,$(wildcard $(addsuffix /*.c,$(AGENT_DIRS))))
MANAGER_SRC := $(filter-out manager/main.c,$(wildcard manager/*.c manager/*/*.c))
UNIT_SRC    := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
san = $(patsubst %.c,$(BUILD)/obj-san/%.o,$(1))

GEN_OIDS := $(BUILD)/gen/vmib_oids.h
MIB      := mib/VMIB-MIB.txt
# the VM-MIB (RFC 7666) and what it imports that no package carries
GEN_VM_OIDS := $(BUILD)/gen/vm_oids.h
VM_MIB      := mib/VM-MIB.txt
VM_MIB_DEPS := mib/IANA-STORAGE-MEDIA-TYPE-MIB.txt $(wildcard mib/imports/*.txt)
VM_SMIPATH   = $(MIBS_DIR):/usr/share/snmp/mibs:mib:mib/imports
MIBS_DIR := $(BUILD)/mibs
IMAGE    := $(BUILD)/images/vmib-test/image.xml

PROGRAMS := $(BUILD)/bin/vmibd $(BUILD)/bin/vmibctl $(BUILD)/bin/unit-tests

.PHONY: all deps mibs check check-layers check-mib check-unit check-integration check-fuzz fuzz image demo \
        bench clean testbed-down install uninstall check-fresh check-install \
        check-packages packages experiments FORCE
all: $(PROGRAMS)

# --- generated OIDs (never typed by hand) ----------------------------------
$(GEN_OIDS): $(MIB) mib/gen-oids.sh | $(MIBS_DIR)/SNMPv2-SMI.txt
	@mkdir -p $(@D)
	SMIPATH=$(MIBS_DIR):/usr/share/snmp/mibs mib/gen-oids.sh $(MIB) $@

$(GEN_VM_OIDS): $(VM_MIB) $(VM_MIB_DEPS) mib/gen-oids.sh | $(MIBS_DIR)/SNMPv2-SMI.txt
	@mkdir -p $(@D)
	SMIPATH=$(VM_SMIPATH) mib/gen-oids.sh $(VM_MIB) $@

mibs: $(MIBS_DIR)/SNMPv2-SMI.txt
$(MIBS_DIR)/SNMPv2-SMI.txt: mib/fetch-base-mibs.sh
	mib/fetch-base-mibs.sh $(MIBS_DIR)

# --- objects ----------------------------------------------------------------
ALL_SRC := $(COMMON_SRC) $(AGENT_SRC) agent/main.c $(MANAGER_SRC) manager/main.c $(UNIT_SRC)
$(call obj,$(ALL_SRC)) $(call san,$(ALL_SRC)): | $(GEN_OIDS) $(GEN_VM_OIDS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

$(BUILD)/obj-san/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE) $(SANFLAGS) -c $< -o $@

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
	$(LINK) -o $@ $^ $(LIBS)

$(BUILD)/bin/vmibctl: $(call obj,manager/main.c) $(BUILD)/lib/libvmibctl.a $(BUILD)/lib/libvmibcommon.a
	@mkdir -p $(@D)
	$(LINK) -o $@ $^ $(LIBS)

$(BUILD)/bin/unit-tests: $(call san,$(UNIT_SRC)) $(BUILD)/lib-san/libvmibagent.a \
                         $(BUILD)/lib-san/libvmibctl.a $(BUILD)/lib-san/libvmibcommon.a
	@mkdir -p $(@D)
	$(LINK) $(SANFLAGS) -o $@ $(call san,$(UNIT_SRC)) \
	  -Wl,--start-group $(BUILD)/lib-san/libvmibagent.a $(BUILD)/lib-san/libvmibctl.a \
	  $(BUILD)/lib-san/libvmibcommon.a -Wl,--end-group $(LIBS) $(TESTLIBS)

# --- fuzzing (libFuzzer, clang) ---------------------------------------------
# Every object again, built by clang with the fuzzer's coverage and ASan +
# UBSan, into build/fuzz/; tests/fuzz/fuzz_NAME.c (those defining
# LLVMFuzzerTestOneInput) become build/fuzz/NAME, linked with the other
# tests/fuzz/*.c and the same library sources as the programs.
FUZZ_CC    ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(shell grep -l LLVMFuzzerTestOneInput tests/fuzz/fuzz_*.c 2>/dev/null))
FUZZ_HELPERS := $(filter-out $(patsubst %,tests/fuzz/fuzz_%.c,$(FUZZ_TARGETS)),$(wildcard tests/fuzz/*.c))
FUZZ_LIB_SRC := $(COMMON_SRC) $(AGENT_SRC) $(MANAGER_SRC) $(FUZZ_HELPERS)
fuzzobj = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(1))
FUZZERS := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))

$(BUILD)/fuzz/obj/%.o: %.c | $(GEN_OIDS) $(GEN_VM_OIDS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(VMIB_CPPFLAGS) $(CPPFLAGS) -Itests/fuzz $(VMIB_CFLAGS) $(FUZZ_FLAGS) -c $< -o $@

$(BUILD)/fuzz/libvmibfuzz.a: $(call fuzzobj,$(FUZZ_LIB_SRC))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(BUILD)/fuzz/libvmibfuzz.a
	$(FUZZ_CC) $(FUZZ_FLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/libvmibfuzz.a $(LIBS)

fuzz: $(FUZZERS)

# FUZZ_SECONDS (default 60) per target; see tests/fuzz/run
check-fuzz:
	tests/fuzz/run

# --- set-up -----------------------------------------------------------------
# the packages are installed while build/config.mk is made (above)
deps: mibs

# --- guest image ------------------------------------------------------------
image: $(IMAGE)
$(IMAGE): tests/image/mkimage $(wildcard tests/image/*)
	tests/image/mkimage $(BUILD)/images

# --- install / uninstall ------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=] [sysconfdir=/etc] ...: the
# programs, the MIB where Net-SNMP's tools find it, the manual pages, the
# schemas where vmibctl finds them with no flag, the systemd unit, and as
# examples the scenarios and vmibd.conf.  The two files in sysconfdir (the
# vmibd.conf and the snmpd drop-in) are an administrator's once there: they
# are installed only where absent and uninstalled only when unchanged.
# doc/deploy.md lists every path.
INSTALL     ?= install
exampledir  := $(docdir)/examples
SCENARIO_FILES := $(wildcard scenarios/*.md scenarios/*/*.xml scenarios/*/*.md)
SCHEMA_FILES   := $(wildcard schemas/*.xsd)
ETC_FILES := dist/vmibd.conf:$(sysconfdir)/vmib/vmibd.conf \
             dist/snmpd-vmib.conf:$(sysconfdir)/snmp/snmpd.conf.d/vmib.conf
PLAIN_FILES := doc/vmibd.8:$(mandir)/man8/vmibd.8 doc/vmibctl.1:$(mandir)/man1/vmibctl.1 \
             $(MIB):$(NETSNMP_MIBDIR)/VMIB-MIB.txt dist/vmibd.conf:$(exampledir)/vmibd.conf \
             $(foreach f,$(SCHEMA_FILES),$(f):$(vmibdatadir)/$(f)) \
             $(foreach f,$(SCENARIO_FILES),$(f):$(exampledir)/$(f))
UNIT_FILE := $(systemdunitdir)/vmibd.service

install: $(BUILD)/bin/vmibd $(BUILD)/bin/vmibctl
	$(INSTALL) -D -m 0755 $(BUILD)/bin/vmibd $(DESTDIR)$(sbindir)/vmibd
	$(INSTALL) -D -m 0755 $(BUILD)/bin/vmibctl $(DESTDIR)$(bindir)/vmibctl
	@set -e; for p in $(PLAIN_FILES); do \
		echo "$(INSTALL) -D -m 0644 $${p%%:*} $(DESTDIR)$${p#*:}"; \
		$(INSTALL) -D -m 0644 "$${p%%:*}" "$(DESTDIR)$${p#*:}"; \
	done
	@set -e; for p in $(ETC_FILES); do \
		if [ -e "$(DESTDIR)$${p#*:}" ]; then echo "kept $(DESTDIR)$${p#*:} (already there)"; \
		else echo "$(INSTALL) -D -m 0644 $${p%%:*} $(DESTDIR)$${p#*:}"; \
		     $(INSTALL) -D -m 0644 "$${p%%:*}" "$(DESTDIR)$${p#*:}"; fi; \
	done
	$(INSTALL) -d $(DESTDIR)$(systemdunitdir)
	sed -e 's|/usr/sbin/vmibd|$(sbindir)/vmibd|' -e 's|/etc/vmib/|$(sysconfdir)/vmib/|' \
	    dist/vmibd.service >$(DESTDIR)$(UNIT_FILE)

uninstall:
	rm -f $(DESTDIR)$(sbindir)/vmibd $(DESTDIR)$(bindir)/vmibctl $(DESTDIR)$(UNIT_FILE)
	@for p in $(PLAIN_FILES); do echo "rm -f $(DESTDIR)$${p#*:}"; rm -f "$(DESTDIR)$${p#*:}"; done
	@for p in $(ETC_FILES); do \
		if [ ! -e "$(DESTDIR)$${p#*:}" ]; then :; \
		elif cmp -s "$${p%%:*}" "$(DESTDIR)$${p#*:}"; then echo "rm -f $(DESTDIR)$${p#*:}"; rm -f "$(DESTDIR)$${p#*:}"; \
		else echo "kept $(DESTDIR)$${p#*:} (changed since installed)"; fi; \
	done
	@for d in $(vmibdatadir)/schemas $(vmibdatadir) $(foreach f,$(SCENARIO_FILES),$(exampledir)/$(dir $(f))) \
	          $(exampledir)/scenarios $(exampledir) $(docdir) $(sysconfdir)/vmib; do \
		[ ! -d "$(DESTDIR)$$d" ] || rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; \
	done
	@# in a staging DESTDIR, the directories install made on the way too
	@[ -z "$(DESTDIR)" ] || for f in $(sbindir)/x $(bindir)/x $(UNIT_FILE) \
	                                $(foreach p,$(PLAIN_FILES) $(ETC_FILES),$(lastword $(subst :, ,$(p)))); do \
		d=$${f%/*}; while [ -n "$$d" ]; do \
			if [ -d "$(DESTDIR)$$d" ]; then rmdir "$(DESTDIR)$$d" 2>/dev/null || break; fi; \
			d=$${d%/*}; \
		done; \
	done

# --- tests ------------------------------------------------------------------
check: deps all image
	tests/run-checks

check-mib: $(GEN_OIDS) $(GEN_VM_OIDS)
	SMIPATH=$(MIBS_DIR):/usr/share/snmp/mibs mib/check-mib.sh
	tests/mib/check-gen-oids.sh
	SMIPATH=$(VM_SMIPATH) VMIB_MIB_IMPORTS=mib/imports mib/check-mib.sh $(VM_MIB)
	SMIPATH=$(VM_SMIPATH) VMIB_MIB_IMPORTS=mib/imports tests/mib/check-gen-oids.sh $(VM_MIB)
	SMIPATH=$(VM_SMIPATH) tests/mib/check-lint-tc.sh mib/IANA-STORAGE-MEDIA-TYPE-MIB.txt mib/imports/*.txt
	tests/mib/check-doc-oids.sh
	tests/nms/check-generated.sh

# no include or call in agent/ runs up a layer (agent/LAYERS); reads the
# objects' symbols for the calls, and none of them may be one of the
# linked libraries' (it would replace the library's).  Then the same check with the order
# upside down must fail, or the check could not fail at all.
# LAYERS_ARGS=--report prints the graph's figures.
check-layers: $(call obj,$(AGENT_SRC) agent/main.c)
	tests/tools/check-layers $(LAYERS_ARGS) --libs "$(LIBS)" $(BUILD)/obj -- $(VMIB_CPPFLAGS)
	@grep -v '^netsnmp:' agent/LAYERS | tac >$(BUILD)/LAYERS.upside-down
	@grep '^netsnmp:' agent/LAYERS >>$(BUILD)/LAYERS.upside-down
	@if tests/tools/check-layers --layers $(BUILD)/LAYERS.upside-down $(BUILD)/obj -- \
	    $(VMIB_CPPFLAGS) >/dev/null 2>&1; then \
		echo "check-layers: passes with agent/LAYERS upside down: it checks nothing"; exit 1; \
	else echo "check-layers: fails with agent/LAYERS upside down, as it must"; fi

check-unit: $(BUILD)/bin/unit-tests
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/bin/unit-tests

check-integration: all image
	tests/integration/run-all

# the README's set-up on a pristine Debian 12 root (tests/fresh/check-fresh)
check-fresh:
	tests/tools/install-deps mk/ci-packages.txt
	tests/fresh/check-fresh

# make install/uninstall, then the Debian packages: built, lintian, installed,
# and a testbed smoke test against the installed programs
check-install: $(BUILD)/bin/vmibd $(BUILD)/bin/vmibctl
	tests/packaging/check-install

check-packages: check-install image
	tests/tools/install-deps mk/ci-packages.txt
	$(MAKE) packages
	tests/packaging/check-packages

# the Debian packages vmibd and vmibctl, into build/pkg/ (tests/packaging/
# build-debs; the base MIBs are fetched first, the package build fetches
# nothing)
packages: mibs
	tests/packaging/build-debs

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
	       $(BUILD)/gen $(BUILD)/results $(BUILD)/fuzz $(CONFIG_MK)

-include $(shell find $(BUILD)/obj $(BUILD)/obj-san $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)
