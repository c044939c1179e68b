#!/usr/bin/env bash
# 60-vmibctl-apply: vmibctl against the real agents of the local testbed,
# with the 2-site scenario (scenarios/demo: east1 on h1, east2 and west1 on
# h2, 10 Mbit/s east1<->west1, isolation default deny with east1<->west1
# allowed):
#   1. it starts from nothing (no VM, subnet or rule of the scenario);
#   2. apply from nothing: exit 0; through the agents, the VMs run, the
#      shape rows and the isolation are applied, and tc on the host shows
#      the rate; inside the guests east1<->west1 and east1<->east2 ping,
#      east2->west1 does not, and iperf3 east1->west1 stays under 10 Mbit/s;
#   3. apply again: exit 0, an empty plan, and no SET reaches either snmpd
#      (snmpInSetRequests unchanged); migrate east1 to h2 (its shape row is
#      applied there; the plan, east1 being pinned to h1, migrates it back)
#      and back with vmibctl migrate; east1 powered off with virsh: apply
#      starts it again and its shape row is applied again;
#   4. one link's delay changed in the XML: the dry run shows exactly that
#      change (one SET of vmibShapeDelayUs per receiving host); applied, it
#      takes effect where the kernel has sch_netem; where it has not
#      (vmibHostCapabilities), plan warns per link, the row is accepted
#      with its rate still in force and reported unsupported with the
#      agent's reason; then the link's bandwidth changed: exactly
#      that SET, and the new rate on the host;
#   5. destroy: exit 0, and nothing of the scenario is left on either host.
# It uses the shared testbed when one is up (run-all), else brings one up
# and takes it down; it starts vmibd on the hosts where it does not run,
# and stops what it started.  Needs root, namespaces, the guest image.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 60-vmibctl-apply

TB=$T_TESTBED
CTL=$T_BUILD/bin/vmibctl
GX=$T_TOP/tests/image/guest-exec
REAL=$T_TB_DIR/real-env.xml
VIRT=$T_TOP/scenarios/demo/virtual.xml
work=$(mktemp -d)
we_brought_up=0
vmibd_started=""
sw_addrs="10.1.0.250/24 10.2.0.250/24"

cleanup() {
	for a in $sw_addrs; do ip -n "$T_TB_SW" addr del "$a" dev sw0 2>/dev/null; done
	t_ctl_cleanup
}
trap cleanup EXIT

t_ctl_ready || { t_done; exit $?; }
t_testbed_join 1 2 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=
VMIB_OID=.1.3.6.1.4.1.8072.9999.9999.42
snmp() { "$TB" snmp "$@" 2>/dev/null; }
# the value of one object, -Oqv
sget() { snmp "$1" snmpget -Oqv -On "$2" | tr -d '"'; }
set_requests() { sget "$1" .1.3.6.1.2.1.11.17.0; }   # SNMPv2-MIB snmpInSetRequests
# rows COLUMN-OID on host: how many instances
rows() { snmp "$1" snmpwalk -Oqv -On "$2" | grep -cv '^No Such'; }
serves_vmib() { sget "$1" "$VMIB_OID.1.1.1.0" | grep -qv '^No Such\|^$'; }
if ! t_wait 20 serves_vmib 1 || ! t_wait 20 serves_vmib 2; then
	t_fail "vmibd answers on both hosts (vmibHostName.0)"
fi

# --- 1. nothing of the scenario yet ------------------------------------------------
"$CTL" --json plan "$REAL" "$VIRT" >"$work/plan0.json" 2>"$work/plan0.err"
rc=$?
t_eq "plan before anything: exit 0" 0 "$rc"
t_check "plan before anything: no VM, subnet or rule of the scenario exists" \
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
bad = [i for h in p["hosts"] for i in h["items"] if i["op"] != "create" and i["object"] != "isolation-default"]
sys.exit(1 if bad else 0)' "$work/plan0.json"

# --- 2. apply from nothing ------------------------------------------------------------
t0=$(t_ms)
"$CTL" apply --wait 120 "$REAL" "$VIRT" >"$work/apply1.out" 2>&1
rc=$?
t1=$(t_ms)
echo applied >"$work/applied"
rc_apply1=$rc
t_eq "apply from nothing: exit 0 ($((t1 - t0)) ms, with --wait for the guests)" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/        /' "$work/apply1.out" | tail -n 25

vm_index() { # vm_index HOST NAME: the vmibVmIndex of NAME on HOST
	snmp "$1" snmpwalk -On -Oq "$VMIB_OID.1.3.1.2" | awk -v n="\"$2\"" '$2 == n {
		k = split($1, a, "."); print a[k] }'
}
for vm in 1:east1 2:east2 2:west1; do
	h=${vm%%:*} n=${vm#*:}
	i=$(vm_index "$h" "$n")
	if [ -z "$i" ]; then
		t_fail "agent h$h lists vm $n"
		continue
	fi
	t_eq "agent h$h: vm $n (index $i) runs (vmibVmOperState running(2))" 2 \
		"$(sget "$h" "$VMIB_OID.1.3.1.7.$i")"
done
for h in 1 2; do
	st=$(snmp "$h" snmpwalk -Oqv -On "$VMIB_OID.1.5.1.14" | sort -u | tr '\n' ' ')
	t_eq "agent h$h: every shape row applied (vmibShapeOperStatus applied(1))" "1 " "$st"
	t_eq "agent h$h: isolation applied (vmibIsolationOperStatus applied(1))" 1 \
		"$(sget "$h" "$VMIB_OID.1.1.14.0")"
	t_eq "agent h$h: 2 subnets, 2 rules" "2 2" \
		"$(rows "$h" "$VMIB_OID.1.7.1.5") $(rows "$h" "$VMIB_OID.1.6.1.11")"
done
i1=$(vm_index 1 east1)
dev1=$(sget 1 "$VMIB_OID.1.4.1.2.${i1:-0}.1")
if [ -n "$dev1" ] && "$TB" exec 1 tc class show dev "$dev1" >"$work/tc1" 2>&1; then
	t_check "host h1: htb class of 10Mbit on $dev1 (east1's vif)" grep -q 'rate 10Mbit' "$work/tc1"
else
	t_fail "host h1: east1's vif device ($dev1) has tc classes"
fi

for a in $sw_addrs; do ip -n "$T_TB_SW" addr add "$a" dev sw0 2>/dev/null; done
gx() { "$GX" -n "$T_TB_SW" -t 30 "$@"; }
guests_up=1
for g in 10.1.0.11 10.1.0.12 10.2.0.11; do
	t_wait 90 gx "$g" true || { t_fail "guest $g answers its command service"; guests_up=0; }
done
if [ "$guests_up" = 0 ]; then
	t_fail "checks inside the guests not run: not every guest answers"
else
t_check "guest east1 pings west1 (allowed across sites)" gx 10.1.0.11 ping -c 3 -W 2 10.2.0.11
t_check "guest east1 pings east2 (same site)" gx 10.1.0.11 ping -c 3 -W 2 10.1.0.12
if gx 10.1.0.12 ping -c 3 -W 1 10.2.0.11 >"$work/ping-deny" 2>&1; then
	t_fail "guest east2 does not reach west1 (isolation default deny)"
else
	t_ok "guest east2 does not reach west1 (isolation default deny)"
fi
gx 10.1.0.11 iperf3 -c 10.2.0.11 -t 4 -J >"$work/iperf.json" 2>&1
bps=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$work/iperf.json" 2>/dev/null)
if [ -n "$bps" ] && [ "$bps" -le 10500000 ] && [ "$bps" -ge 5000000 ]; then
	t_ok "iperf3 east1 -> west1: $bps bit/s, shaped to 10 Mbit/s"
else
	t_fail "iperf3 east1 -> west1 within 5..10.5 Mbit/s: got '${bps:-no result}'"
fi
fi

if [ "$rc_apply1" -ne 0 ]; then
	t_fail "steps 3-5 (re-apply, one link changed, destroy) not run: apply from nothing failed"
	t_done; exit $?
fi

# --- 3. apply again: no SET -------------------------------------------------------------
s1=$(set_requests 1) s2=$(set_requests 2)
t0=$(t_ms)
"$CTL" apply "$REAL" "$VIRT" >"$work/apply2.out" 2>&1
rc=$?
t1=$(t_ms)
t_eq "apply again: exit 0 ($((t1 - t0)) ms)" 0 "$rc"
t_check "apply again: the plan is empty" \
	grep -q 'plan: 0 to create, 0 to change, 0 to replace, 0 to delete' "$work/apply2.out"
t_eq "apply again: no SET reached h1 or h2 (snmpInSetRequests)" "$s1 $s2" \
	"$(set_requests 1) $(set_requests 2)"

# --- 3b. migrate east1 to h2 and back: shaping follows ---------------------------------
"$CTL" migrate "$REAL" "$VIRT" east1 h2 >"$work/mig1.out" 2>&1
rc=$?
t_eq "migrate east1 h1 -> h2: exit 0 ($(sed -n 's/.*done in \([0-9]*\) ms, downtime \([0-9]*\) ms.*/\1 ms, downtime \2 ms/p' "$work/mig1.out"))" 0 "$rc"
i2=$(vm_index 2 east1)
t_eq "agent h2 lists east1 with its shape row applied" "1 " \
	"$(snmp 2 snmpwalk -Oqv -On "$VMIB_OID.1.5.1.14.${i2:-0}" | sort -u | tr '\n' ' ')"
"$CTL" plan "$REAL" "$VIRT" >"$work/plan-moved" 2>&1
t_check "plan: east1 is pinned to h1, so it goes back there by live migration" \
	grep -q 'h2: migrate   vm east1 (index [0-9]*): live migration to h1' "$work/plan-moved"
"$CTL" migrate "$REAL" "$VIRT" east1 h1 >"$work/mig2.out" 2>&1
t_eq "migrate east1 back to h1: exit 0" 0 "$?"
"$CTL" plan "$REAL" "$VIRT" >"$work/plan-back" 2>&1
t_check "after the way back the hosts match the scenario" \
	grep -q 'plan: 0 to create, 0 to change, 0 to replace, 0 to delete' "$work/plan-back"

# --- 3c. a VM powered off behind vmibctl's back: apply starts it again -----------------
i1=$(vm_index 1 east1)
"$TB" virsh 1 destroy east1 >/dev/null 2>&1
off() { [ "$(sget 1 "$VMIB_OID.1.3.1.7.${i1:-0}")" = 6 ]; }
t_wait 20 off
t_eq "virsh destroy east1: the agent shows it shut off (vmibVmOperState shutoff(6))" 6 \
	"$(sget 1 "$VMIB_OID.1.3.1.7.${i1:-0}")"
"$CTL" apply --wait 60 "$REAL" "$VIRT" >"$work/apply-off.out" 2>&1
t_eq "apply: exit 0" 0 "$?"
t_check "apply: plans the admin change 'admin running, but shut off -> running'" \
	grep -q "h1: change    vm east1.*admin running, but shut off -> running" "$work/apply-off.out"
t_eq "east1 runs again (vmibVmOperState running(2))" 2 "$(sget 1 "$VMIB_OID.1.3.1.7.${i1:-0}")"
t_eq "its shape row is applied again" "1 " \
	"$(snmp 1 snmpwalk -Oqv -On "$VMIB_OID.1.5.1.14.${i1:-0}" | sort -u | tr '\n' ' ')"
"$CTL" plan "$REAL" "$VIRT" >"$work/plan-restarted" 2>&1
t_check "then the hosts match the scenario" \
	grep -q 'plan: 0 to create, 0 to change, 0 to replace, 0 to delete' "$work/plan-restarted"
dev1=$(sget 1 "$VMIB_OID.1.4.1.2.${i1:-0}.1")

# --- 4. one link's delay, then its bandwidth --------------------------------------------
sed 's|burst="32KiB"/>|burst="32KiB" delay="10ms"/>|' "$VIRT" >"$work/delay.xml"
"$CTL" apply --dry-run "$REAL" "$work/delay.xml" >"$work/dry.out" 2>&1
t_eq "delay changed: the dry run sends one varbind per receiving host" \
	"h1:vmibShapeDelayUs=10000 h2:vmibShapeDelayUs=10000 " \
	"$(awk '/^h[0-9] SET/ { h = $1 } /^  vmib/ { split($1, o, "."); printf "%s:%s=%s ", h, o[1], $NF }' "$work/dry.out")"
netem=$(( 0x$(sget 1 "$VMIB_OID.1.1.8.0" | awk '{print $1}') & 0x20 ))
s1=$(set_requests 1) s2=$(set_requests 2)
"$CTL" apply "$REAL" "$work/delay.xml" >"$work/delay.out" 2>&1
rc=$?
if [ "$netem" -ne 0 ]; then
	t_eq "delay changed, hosts with sch_netem: apply exits 0" 0 "$rc"
	rtt=$(gx 10.1.0.11 ping -c 5 -i 0.2 10.2.0.11 | awk -F/ '/^rtt|^round-trip/ { print int($5) }')
	t_check "east1 -> west1 RTT >= 20 ms with 10 ms each way (got ${rtt:-?} ms)" \
		test "${rtt:-0}" -ge 20
else
	t_check "the plan warns, per link, that the delay is not applied" \
		grep -q "^warning: h1: link 'west1>east1': delay 10ms not applied" "$work/delay.out"
	t_eq "delay changed, hosts without sch_netem: apply exits 4 (rows unsupported)" 4 "$rc"
	t_check "the agent's reason is reported" grep -q 'kernel has no sch_netem: delay not applied' \
		"$work/delay.out"
	t_eq "exactly one SET per host" "$((s1 + 1)) $((s2 + 1))" \
		"$(set_requests 1) $(set_requests 2)"
	t_check "east1's class keeps its 10 Mbit/s on h1" \
		sh -c "'$TB' exec 1 tc class show dev '$dev1' | grep -q 'rate 10Mbit'"
	"$CTL" plan "$REAL" "$work/delay.xml" >"$work/plan-after-delay" 2>&1
	t_check "the hosts hold the delay as asked (nothing left to change)" \
		grep -q 'plan: 0 to create, 0 to change, 0 to replace, 0 to delete' "$work/plan-after-delay"
	"$CTL" apply "$REAL" "$VIRT" >"$work/undelay.out" 2>&1
	t_eq "the delay removed again: apply exits 0" 0 "$?"
fi
sed 's|bandwidth="10Mbit"|bandwidth="5Mbit"|' "$VIRT" >"$work/rate.xml"
"$CTL" apply --dry-run "$REAL" "$work/rate.xml" >"$work/dry2.out" 2>&1
t_eq "bandwidth changed: the dry run sends one varbind per receiving host" \
	"h1:vmibShapeRateKbps=5000 h2:vmibShapeRateKbps=5000 " \
	"$(awk '/^h[0-9] SET/ { h = $1 } /^  vmib/ { split($1, o, "."); printf "%s:%s=%s ", h, o[1], $NF }' "$work/dry2.out")"
"$CTL" apply --wait 60 "$REAL" "$work/rate.xml" >"$work/rate.out" 2>&1
t_eq "bandwidth changed: apply exits 0" 0 "$?"
if [ -n "$dev1" ] && "$TB" exec 1 tc class show dev "$dev1" >"$work/tc2" 2>&1; then
	t_check "host h1: the class is now 5Mbit" grep -q 'rate 5Mbit' "$work/tc2"
fi

# --- 5. destroy --------------------------------------------------------------------------
"$CTL" destroy --wait 60 "$REAL" "$work/rate.xml" >"$work/destroy.out" 2>&1
rc=$?
t_eq "destroy: exit 0" 0 "$rc"
[ "$rc" -eq 0 ] && rm -f "$work/applied"
[ "$rc" -eq 0 ] || sed 's/^/        /' "$work/destroy.out" | tail -n 20
left=""
for h in 1 2; do
	for n in east1 east2 west1; do
		[ -n "$(vm_index "$h" "$n")" ] && left="$left h$h:$n"
	done
	[ "$(rows "$h" "$VMIB_OID.1.7.1.5")" -eq 0 ] || left="$left h$h:subnets"
	[ "$(rows "$h" "$VMIB_OID.1.6.1.11")" -eq 0 ] || left="$left h$h:rules"
	[ "$("$TB" virsh "$h" list --all --name 2>/dev/null | grep -cE '^(east1|east2|west1)$')" -eq 0 ] ||
		left="$left h$h:domains"
done
t_eq "destroy: nothing of the scenario left on the hosts" "" "$left"
t_done
