#!/usr/bin/env bash
# 63-image-memory-minimum: the guest image's declared minimum memory
# (image.xml memoryMiB 128), and apply --wait waiting for the guest itself,
# against the real snmpd, vmibd and libvirtd of
# the local testbed (host 1):
#   1. vmibImageMinMemoryKBytes of vmib-test is 131072;
#   2. a createAndGo with 96 MiB (which boots into a kernel panic) is
#      refused, inconsistentValue, with the reason in vmibHostLastError,
#      and no domain is defined;
#   3. vmibctl plan of such a VM warns that the agent will refuse it, and
#      apply reports the agent's reason and exits 4; with 128 MiB the plan
#      has no such warning;
#   4. with vmibd keeping the VM's console (console-dir), apply --wait of
#      the 128 MiB VM returns once the guest is up: vmibVmGuestState reads
#      ready(3) and the guest's command service answers at once (before,
#      --wait returned as soon as libvirt said running).
# It uses the shared testbed when one is up, else brings one up and takes
# it down; it starts vmibd on host 1 where it does not run.  Needs root,
# namespaces, snmpd, the guest image.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 63-image-memory-minimum

TB=$T_TESTBED
CTL=$T_BUILD/bin/vmibctl
HDR=$T_BUILD/gen/vmib_oids.h
work=$(mktemp -d)
we_brought_up=0
vmibd_started=""
restart_plain=0
cleanup() {
	"$TB" virsh 1 destroy t63small >/dev/null 2>&1
	"$TB" virsh 1 undefine t63small >/dev/null 2>&1
	ip -n "$T_TB_SW" addr del 10.63.0.250/24 dev sw0 2>/dev/null
	# stop + start: a bare restart would keep the console-dir argument
	if [ "$restart_plain" = 1 ]; then
		"$TB" vmibd stop 1 >/dev/null 2>&1
		"$TB" vmibd start 1 >/dev/null 2>&1
	fi
	rm -rf "$T_TB_DIR/h1/console63"
	for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
	[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
[ -r "$HDR" ] && [ -x "$CTL" ] || { t_fail "$HDR or $CTL missing (make)"; t_done; exit $?; }
t_testbed_join 1 || { t_done; exit $?; }
oid() { echo "$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)"; }

# the image's row: vmib-test is the only image of the testbed
idx=$(env MIBS= MIBDIRS=/dev/null snmpwalk -v2c -c "$COMM" -On -Oq -t 2 -r 1 "$T_TB_NET.1" \
	".$(oid vmibImageName)" 2>/dev/null | awk '$2 == "\"vmib-test\"" { n = split($1, o, "."); print o[n] }')
t_eq "vmibImageMinMemoryKBytes of vmib-test" 131072 "$(sget 1 ".$(oid vmibImageMinMemoryKBytes).${idx:-0}")"

ix=4242
r=$(sset 1 ".$(oid vmibVmRowStatus).$ix" i 4 ".$(oid vmibVmName).$ix" s t63small \
	".$(oid vmibVmImage).$ix" s vmib-test ".$(oid vmibVmMemoryKBytes).$ix" u 98304)
t_eq "createAndGo with 96 MiB: inconsistentValue" inconsistentValue "$r"
err=$(sget 1 ".$(oid vmibHostLastError).0")
case $err in
*"image vmib-test needs at least 128 MiB (its memoryMiB), not 98304 KiB"*)
	t_ok "... vmibHostLastError says why" ;;
*) t_fail "... vmibHostLastError: '$err'" ;;
esac
if "$TB" virsh 1 dominfo t63small >/dev/null 2>&1; then
	t_fail "... a domain t63small was defined"
else
	t_ok "... no domain was defined"
fi

# vmibctl against the same host, with the testbed's SNMPv3 credentials
export SNMPCONFPATH=$T_TB_DIR/snmp
grep -v '<host name="h[02-9]' "$T_TB_DIR/real-env.xml" >"$work/real.xml"   # h1 alone
cat >"$work/virtual.xml" <<'XEOF'
<?xml version="1.0" encoding="UTF-8"?>
<virtualEnvironment xmlns="urn:vmib:virtual:1" name="t63">
  <subnet name="t63s" prefix="10.63.0.0/24"/>
  <vm name="t63small" host="h1" memoryMiB="96"><interface subnet="t63s" address="10.63.0.5"/></vm>
</virtualEnvironment>
XEOF
"$CTL" check "$work/real.xml" "$work/virtual.xml" >"$work/check.out" 2>&1 ||
	{ t_fail "the test's own files do not check"; sed 's/^/        /' "$work/check.out"; }
"$CTL" plan "$work/real.xml" "$work/virtual.xml" >"$work/plan.out" 2>&1
t_check "plan warns that the agent will refuse the VM" \
	grep -q "^warning: h1: vm 't63small': memory 96 MiB is below the 128 MiB image 'vmib-test' needs" \
	"$work/plan.out"
"$CTL" apply "$work/real.xml" "$work/virtual.xml" >"$work/apply.out" 2>&1
t_eq "apply exits 4" 4 "$?"
t_check "apply reports the agent's reason" \
	grep -q "create vm t63small.*inconsistentValue.*needs at least 128 MiB" "$work/apply.out"
"$CTL" destroy "$work/real.xml" "$work/virtual.xml" >/dev/null 2>&1
sed -i 's/memoryMiB="96"/memoryMiB="128"/' "$work/virtual.xml"
"$CTL" plan "$work/real.xml" "$work/virtual.xml" >"$work/plan2.out" 2>&1
t_check "with 128 MiB, no such warning" sh -c "! grep -q 'is below the' '$work/plan2.out'"

# --- apply --wait waits for the guest, not only for libvirt --------------------------------
# vmibd keeps the VM's console (console-dir) and serves vmibVmGuestState from it
mkdir -p "$T_TB_DIR/h1/console63"
"$TB" vmibd restart 1 -o "console-dir=$T_TB_DIR/h1/console63" >/dev/null 2>&1
restart_plain=1
ip -n "$T_TB_SW" addr add 10.63.0.250/24 dev sw0 2>/dev/null
"$CTL" apply --wait 120 "$work/real.xml" "$work/virtual.xml" >"$work/wait.out" 2>&1
t_eq "apply --wait of a 128 MiB VM: exit 0" 0 "$?"
vmix=$(env MIBS= MIBDIRS=/dev/null snmpwalk -v2c -c "$COMM" -On -Oq -t 2 -r 1 "$T_TB_NET.1" \
	".$(oid vmibVmName)" 2>/dev/null | awk '$2 == "\"t63small\"" { n = split($1, o, "."); print o[n] }')
t_eq "... then vmibVmGuestState is ready(3)" 3 "$(sget 1 ".$(oid vmibVmGuestState).${vmix:-0}")"
# no retry: the guest must be up the moment apply returns (it boots in ~6 s)
t_check "... and the guest answers at once" \
	"$T_TOP/tests/image/guest-exec" -n "$T_TB_SW" -t 10 10.63.0.5 true
"$CTL" destroy --wait 60 "$work/real.xml" "$work/virtual.xml" >/dev/null 2>&1
ip -n "$T_TB_SW" addr del 10.63.0.250/24 dev sw0 2>/dev/null
t_done
