# lib.sh - shared helpers for the integration tests (sourced, bash).
#
# Every tests/integration/NN-*.sh sources this file, calls t_begin NAME,
# reports each check with t_ok / t_fail / t_skip (or t_check CMD...), and ends
# with t_done, which writes build/results/NAME.counts ("passed failed
# skipped") for tests/run-checks to add up, and exits non-zero on a failure.
# A check that cannot run here is skipped WITH its reason, never passed.

T_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T_BUILD="$T_TOP/build"
T_TESTBED="$T_TOP/tests/testbed/testbed"
# The testbed instance (VMIB_TESTBED=K, default 0; see tests/testbed/testbed):
# tests use these instead of literal names so two instances can run side by side.
T_TB_ID=${VMIB_TESTBED:-0}
if [ "$T_TB_ID" = 0 ]; then T_TB_P=vmib; T_TB_DIR="$T_BUILD/testbed"
else T_TB_P="vmib$T_TB_ID"; T_TB_DIR="$T_BUILD/testbed$T_TB_ID"; fi
T_TB_NET="10.250.$T_TB_ID"        # host i is $T_TB_NET.i, the root side .254
T_TB_SW="$T_TB_P-sw"              # the switch namespace (bridge sw0)
t_tb_host_ns() { echo "$T_TB_P-h$1"; }
T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_NAME=unnamed

t_begin() {
	T_NAME=$1
	mkdir -p "$T_BUILD/results"
	echo "=== $T_NAME"
}

t_ok()   { T_PASSED=$((T_PASSED + 1));  echo "  ok    $*"; }
t_fail() { T_FAILED=$((T_FAILED + 1));  echo "  FAIL  $*"; }
t_skip() { T_SKIPPED=$((T_SKIPPED + 1)); echo "  skip  $*"; }

# t_check DESC CMD...: run CMD, pass when it exits 0, show its output on failure
t_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_ok "$desc"
	else
		t_fail "$desc"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/        /'
	fi
}

# t_eq DESC EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then
		t_ok "$1"
	else
		t_fail "$1: expected '$2', got '$3'"
	fi
}

t_done() {
	echo "$T_PASSED $T_FAILED $T_SKIPPED" > "$T_BUILD/results/$T_NAME.counts"
	echo "--- $T_NAME: $T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" -eq 0 ]
}

# t_require_root REASON-PREFIX: returns 1 (caller skips) when not root or no netns
t_can_namespaces() {
	[ "$(id -u)" -eq 0 ] || { echo "not root"; return 1; }
	ip netns list >/dev/null 2>&1 || { echo "no network namespaces"; return 1; }
	return 0
}

# t_wait SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time runs out
t_wait() {
	local limit=$1 start
	shift
	start=$(date +%s%N)
	until "$@" >/dev/null 2>&1; do
		if [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge "$limit" ]; then
			return 1
		fi
		sleep 0.1
	done
}

# t_ms: milliseconds since the epoch (for measurements printed by the tests)
t_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# t_testbed_join [HOST...]: the set-up the guest tests share.  Uses the
# testbed that is up (restarting a dead daemon), or brings up 2 hosts and sets
# we_brought_up=1; loads its credentials (COMM: the v2c community); starts
# vmibd on each HOST (default 1 2) where it does not run, adding the host to
# vmibd_started.  The caller's cleanup undoes what those two variables say.
# Returns 1, after a t_fail, when the testbed cannot come up.
t_testbed_join() {
	local h hosts=("$@") log
	[ "${#hosts[@]}" -gt 0 ] || hosts=(1 2)
	log=$(mktemp)
	if [ -r "$T_TB_DIR/state" ]; then
		"$T_TESTBED" up "$(sed -n 's/^hosts=//p' "$T_TB_DIR/state" | tail -n 1)" >"$log" 2>&1
	elif "$T_TESTBED" up 2 >"$log" 2>&1; then
		we_brought_up=1
	else
		t_fail "testbed up 2"; tail -n 20 "$log" | sed 's/^/        /'
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
	# shellcheck source=/dev/null
	. "$T_TB_DIR/credentials.env"
	COMM=$VMIB_SNMP_COMMUNITY
	for h in "${hosts[@]}"; do
		if ! "$T_TESTBED" vmibd status "$h" >/dev/null 2>&1; then
			if "$T_TESTBED" vmibd start "$h" >/dev/null 2>&1; then
				vmibd_started="${vmibd_started:-} $h"
			else
				t_fail "testbed vmibd start $h"
			fi
		fi
	done
}

# t_ctl_ready: the vmibctl tests' preconditions: namespaces (else every
# check skipped with the reason), vmibctl and the guest image built (else a
# failure).  Returns 1 after the t_skip or t_fail.
t_ctl_ready() {
	local why
	if ! why=$(t_can_namespaces); then
		t_skip "all checks: $why"; return 1
	fi
	if [ ! -x "$T_BUILD/bin/vmibctl" ] || [ ! -r "$T_BUILD/images/vmib-test/image.xml" ]; then
		t_fail "build/bin/vmibctl or the guest image missing (make all image)"
		return 1
	fi
}

# t_ctl_begin: the start of a vmibctl test on the testbed: CTL (vmibctl),
# REAL (the testbed's real environment), work (a temporary directory), VIRT
# ($work/virtual.xml unless the caller set it), t_ctl_cleanup on exit, then
# t_ctl_ready; returns 1 when the test cannot run (said already)
t_ctl_begin() {
	CTL=$T_BUILD/bin/vmibctl
	REAL=$T_TB_DIR/real-env.xml
	work=$(mktemp -d)
	VIRT=${VIRT:-$work/virtual.xml}
	we_brought_up=0
	vmibd_started=""
	trap t_ctl_cleanup EXIT
	t_ctl_ready
}

# t_ctl_cleanup: undoes what a vmibctl test on the testbed made: when
# $work/applied is not empty, destroys the scenario $REAL + $VIRT; stops the
# vmibds in vmibd_started; takes the testbed down when we_brought_up=1;
# removes $work (see t_testbed_join).
# shellcheck disable=SC2154 # work, REAL, VIRT: the caller's
t_ctl_cleanup() {
	if [ -s "$work/applied" ]; then   # whatever happened, leave nothing
		"$T_BUILD/bin/vmibctl" destroy --wait 60 "$REAL" "$VIRT" >/dev/null 2>&1
	fi
	for h in ${vmibd_started:-}; do "$T_TESTBED" vmibd stop "$h" >/dev/null 2>&1; done
	[ "${we_brought_up:-0}" = 1 ] && "$T_TESTBED" down >/dev/null 2>&1
	rm -rf "$work"
}

# sget HOST OID...: values (-Oqv, quotes removed) over v2c with $COMM
sget() {
	local h=$1
	shift
	env MIBS= MIBDIRS=/dev/null snmpget -v2c -c "$COMM" -On -Oqv -t 2 -r 2 \
		"$T_TB_NET.$h" "$@" 2>/dev/null | tr -d '"'
}

# sset HOST VARBIND...: prints "ok", or the SNMP error name of the refusal
sset() {
	local h=$1 out
	shift
	if out=$(env MIBS= MIBDIRS=/dev/null snmpset -v2c -c "$COMM" -On -t 5 -r 0 \
		"$T_TB_NET.$h" "$@" 2>&1); then
		echo ok
	else
		echo "$out" | sed -n 's/^Reason: \([a-zA-Z]*\).*/\1/p' | head -n 1
	fi
}
