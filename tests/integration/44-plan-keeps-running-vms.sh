#!/usr/bin/env bash
# 44-plan-keeps-running-vms: vmibctl plans never destroy a running VM
# silently, against the real agents of the local testbed (2 hosts, one VM
# t44-vm pinned to h1, a real guest):
#   1. apply: the VM runs on h1; its UUID (libvirt) and the guest's boot id
#      (/proc/sys/kernel/random/boot_id, through guest-exec) are noted;
#   2. vmibctl migrate t44-vm h2; plan then says "migrate ... live
#      migration to h1" and marks nothing as destroying; apply (no --yes,
#      no terminal) moves it back: exit 0, the VM is on h1 (gone from h2)
#      with the SAME UUID and the guest has the SAME boot id (not rebooted);
#   3. the memory changed in the scenario (a replace): apply without --yes
#      and without a terminal refuses (exit 4, REFUSED, the line marked
#      [DESTROYS RUNNING VM]) and changes nothing: same UUID, same boot id,
#      same memory, no SET reached h1's snmpd;
#   4. apply --yes: exit 0, the new VM runs with the new memory and its
#      guest answers (the createAndGo waited for the old domain to go).
# Uses the shared testbed when one is up, else brings one up and down.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 44-plan-keeps-running-vms

TB=$T_TESTBED
CTL=$T_BUILD/bin/vmibctl
GX=$T_TOP/tests/image/guest-exec
REAL=$T_TB_DIR/real-env.xml
work=$(mktemp -d)
VIRT=$work/virtual.xml
VIRT2=$work/virtual-more-memory.xml
VM=t44-vm IP=10.44.0.5
we_brought_up=0
vmibd_started=""

cleanup() {
	ip -n "$T_TB_SW" addr del 10.44.0.250/24 dev sw0 2>/dev/null
	t_ctl_cleanup
}
trap cleanup EXIT

t_ctl_ready || { t_done; exit $?; }
t_testbed_join 1 2 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=
VMIB_OID=.1.3.6.1.4.1.8072.9999.9999.42
snmp() { "$TB" snmp "$@" 2>/dev/null; }
sget() { snmp "$1" snmpget -Oqv -On "$2" | tr -d '"'; }
set_requests() { sget "$1" .1.3.6.1.2.1.11.17.0; }   # SNMPv2-MIB snmpInSetRequests
serves_vmib() { sget "$1" "$VMIB_OID.1.1.1.0" | grep -qv '^No Such\|^$'; }
if ! t_wait 20 serves_vmib 1 || ! t_wait 20 serves_vmib 2; then
	t_fail "vmibd answers on both hosts"; t_done; exit $?
fi
vsh() { local h=$1; shift; timeout 30 virsh -q -c "qemu+tcp://$T_TB_NET.$h/system" "$@"; }
uuid_on() { vsh "$1" domuuid "$VM" 2>/dev/null | tr -d ' \n'; }
mem_kib_on() { vsh "$1" dominfo "$VM" 2>/dev/null | awk '/^Max memory/ { print $3 }'; }
gx() { "$GX" -n "$T_TB_SW" -t 10 "$@"; }
boot_id() { gx "$IP" cat /proc/sys/kernel/random/boot_id 2>/dev/null | tr -d '\r\n '; }
guest_up() { [ -n "$(boot_id)" ]; }

scenario() { # scenario MEMORY_MIB
	cat <<-EOF
	<?xml version="1.0" encoding="UTF-8"?>
	<virtualEnvironment xmlns="urn:vmib:virtual:1" name="t44">
	  <subnet name="s44" prefix="10.44.0.0/24"/>
	  <vm name="$VM" host="h1" memoryMiB="$1">
	    <interface subnet="s44" address="$IP"/>
	  </vm>
	</virtualEnvironment>
	EOF
}
scenario 128 >"$VIRT"
scenario 192 >"$VIRT2"
ip -n "$T_TB_SW" addr add 10.44.0.250/24 dev sw0 2>/dev/null

# --- 1. the VM on h1 ------------------------------------------------------------------
"$CTL" apply --wait 120 "$REAL" "$VIRT" </dev/null >"$work/apply1.out" 2>&1
rc=$?
echo applied >"$work/applied"
t_eq "apply: exit 0" 0 "$rc"
[ "$rc" -eq 0 ] || tail -n 20 "$work/apply1.out" | sed 's/^/        /'
if ! t_wait 90 guest_up; then
	t_fail "the guest answers at $IP"; t_done; exit $?
fi
uuid0=$(uuid_on 1) boot0=$(boot_id)
t_check "the VM has a UUID on h1 ($uuid0) and the guest a boot id ($boot0)" \
	test -n "$uuid0" -a -n "$boot0"

# --- 2. migrated by hand, then apply: moved back live ------------------------------------
"$CTL" migrate "$REAL" "$VIRT" "$VM" h2 >"$work/mig.out" 2>&1
t_eq "vmibctl migrate $VM h2: exit 0" 0 "$?"
t_eq "the VM is on h2 with its UUID" "$uuid0" "$(uuid_on 2)"
"$CTL" plan "$REAL" "$VIRT" >"$work/plan-moved" 2>&1
t_check "plan: h2: migrate vm $VM ... live migration to h1" \
	grep -q "^h2: migrate   vm $VM (index [0-9]*): live migration to h1" "$work/plan-moved"
t_check "plan: no line destroys a running VM" \
	sh -c "! grep -q 'DESTROY' '$work/plan-moved'"
"$CTL" apply --wait 60 "$REAL" "$VIRT" </dev/null >"$work/apply-back.out" 2>&1
rc=$?
t_eq "apply (no --yes, no terminal): exit 0" 0 "$rc"
[ "$rc" -eq 0 ] || tail -n 20 "$work/apply-back.out" | sed 's/^/        /'
t_eq "the VM is back on h1 with the same UUID" "$uuid0" "$(uuid_on 1)"
t_eq "h2 no longer has it" "" "$(uuid_on 2)"
t_wait 30 guest_up
t_eq "the guest was not rebooted (same boot id)" "$boot0" "$(boot_id)"

# --- 3. a replace without --yes: refused, nothing changed ---------------------------------
mem0=$(mem_kib_on 1) sets0=$(set_requests 1)
"$CTL" apply "$REAL" "$VIRT2" </dev/null >"$work/apply-refused.out" 2>&1
rc=$?
t_eq "apply of a replace without --yes, no terminal: exit 4" 4 "$rc"
t_check "the plan line is marked [DESTROYS RUNNING VM]" \
	grep -q "^h1: replace   vm $VM .*\[DESTROYS RUNNING VM\]" "$work/apply-refused.out"
t_check "apply says REFUSED, nothing was changed" \
	grep -q "^apply: REFUSED, nothing was changed" "$work/apply-refused.out"
t_eq "no SET reached h1's snmpd (snmpInSetRequests)" "$sets0" "$(set_requests 1)"
t_eq "the VM keeps its UUID" "$uuid0" "$(uuid_on 1)"
t_eq "the VM keeps its memory (KiB)" "$mem0" "$(mem_kib_on 1)"
t_eq "the guest was not rebooted" "$boot0" "$(boot_id)"

# --- 4. the replace with --yes: the new VM runs ----------------------------------------------
"$CTL" apply --yes --wait 120 "$REAL" "$VIRT2" </dev/null >"$work/apply-replace.out" 2>&1
rc=$?
t_eq "apply --yes of the replace: exit 0" 0 "$rc"
[ "$rc" -eq 0 ] || tail -n 20 "$work/apply-replace.out" | sed 's/^/        /'
t_eq "the new VM has 192 MiB" $((192 * 1024)) "$(mem_kib_on 1)"
t_check "the new VM's guest answers" t_wait 90 guest_up
"$CTL" destroy --wait 60 "$REAL" "$VIRT2" >/dev/null 2>&1 && : >"$work/applied"
t_done
