#!/usr/bin/env bash
# 51-shape-guests: shaping through SNMP on the local testbed with real
# guests, and shaping that follows the VM.
#
# Guests: t51-a (h1, 10.51.0.1), t51-c (h1, 10.51.0.3) send to t51-b (h2,
# 10.51.0.2).  Every change goes through snmpset to vmibd on B's host; the
# tree is checked with tc -s -d, the rate with iperf3 inside the guests.
#   1. a whole-vif row on B's vif at 1, 10 and 100 Mbit/s: the class as tc
#      shows it, and A -> B (across hosts) within 3% of the rate at layer 2
#      (goodput x 1514/1448: full-size TCP segments in Ethernet frames);
#   2. per source: the row replaced by one for A's /32 at 10 Mbit/s: the u32
#      node, A -> B shaped (within 3%), C -> B not (several times faster),
#      and only A's traffic counted by the class (tc -s and
#      vmibShapeSentOctets);
#   3. vmibd on B's host restarted: the row is read back from B's
#      metadata and in force again (tree, OperStatus, rate);
#   4. B live-migrated to h1: the row arrives with it and is in force on
#      B's new vif within 1 s of virsh migrate returning (time printed),
#      under B's index on h1, and the rate holds (A -> B, now local);
#   5. B destroyed and started again: the new tap gets the row again;
#   6. a VM created through SNMP with a shape row of its vif in the same
#      PDU (VMIB-MIB vmibShapeRowStatus): the row is applied on its tap.
# Uses the shared testbed if one is up, else brings one up and down;
# starts vmibd where it does not run and stops what it started.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 51-shape-guests

TB=$T_TESTBED
GX=$T_TOP/tests/image/guest-exec
GDX=$T_TOP/tests/tools/guest-domain-xml
IMG=$T_BUILD/images/vmib-test
HDR=$T_BUILD/gen/vmib_oids.h
SW=$T_TB_SW
A=t51-a B=t51-b C=t51-c D=t51-d
IPA=10.51.0.1 IPB=10.51.0.2 IPC=10.51.0.3 SWADDR=10.51.0.250/24
work=$(mktemp -d /tmp/vmib-t51.XXXXXX)
we_brought_up=0
vmibd_started=""
sw_addr_added=0

uri() { echo "qemu+tcp://$T_TB_NET.$1/system"; }
vsh() { local h=$1; shift; timeout 60 virsh -q -c "$(uri "$h")" "$@"; }
cleanup() {
	local h d
	if [ -d "$T_TB_DIR" ]; then
		for h in 1 2; do
			for d in $A $B $C $D; do
				vsh "$h" destroy "$d" >/dev/null 2>&1
				vsh "$h" undefine "$d" >/dev/null 2>&1
			done
		done
		[ "$sw_addr_added" = 1 ] && ip -n "$SW" addr del "$SWADDR" dev sw0 2>/dev/null
		for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
		[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
for tool in virsh snmpget snmpset tc python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"; t_done; exit $?
	fi
done
if [ ! -x "$T_BUILD/bin/vmibd" ] || [ ! -r "$HDR" ] || [ ! -r "$IMG/vmlinuz" ]; then
	t_fail "build/bin/vmibd, $HDR or the guest image missing (make, make image)"
	t_done; exit $?
fi
oid() { echo ".$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)"; }
SE=$(oid vmibShapeEntry)
O_VMNAME=$(oid vmibVmName)
APPLIED=$(sed -n 's/^#define VMIB_ENUM_vmibShapeOperStatus_applied *\([0-9]*\)$/\1/p' "$HDR")

# --- testbed, vmibd, guests ----------------------------------------------------------------
t_testbed_join 1 2 || { t_done; exit $?; }
SNMP=(env MIBS= MIBDIRS=/dev/null)
# sget/sset: tests/integration/lib.sh
index_of() { # HOST NAME
	"${SNMP[@]}" snmpwalk -v2c -c "$COMM" -On -Oq -t 2 -r 1 "$T_TB_NET.$1" "$O_VMNAME" 2>/dev/null |
		tr -d '"' | awk -v n="$2" -v p="$O_VMNAME." '$2 == n { sub(p, "", $1); print $1; exit }'
}
boot() { # HOST NAME MAC IP
	: >"$work/$2.console"
	CONSOLE_LOG="$work/$2.console" "$GDX" "$2" "$IMG" br0 "$3" "vmib.ip=eth0:$4/24" >"$work/$2.xml"
	vsh "$1" define "$work/$2.xml" >/dev/null && vsh "$1" start "$2" >/dev/null
}
ip -n "$SW" addr add "$SWADDR" dev sw0 2>/dev/null && sw_addr_added=1
boot 1 $A 52:54:00:51:00:01 $IPA || t_fail "start $A on h1"
boot 2 $B 52:54:00:51:00:02 $IPB || t_fail "start $B on h2"
boot 1 $C 52:54:00:51:00:03 $IPC || t_fail "start $C on h1"
for ip in $IPA $IPB $IPC; do
	t_wait 60 "$GX" -n "$SW" -t 3 "$ip" true || { t_fail "guest $ip does not answer"; t_done; exit $?; }
done
t_ok "three guests up"

vif_of() { vsh "$1" domiflist "$2" | awk '$1 != "" { print $1; exit }'; }
# goodput A/C -> B in Mbit/s (iperf3 receiver), SECONDS
iperf() { # FROM_IP SECONDS
	"$GX" -n "$SW" -t $(($2 + 20)) "$1" "iperf3 -c $IPB -t $2 -J" >"$work/iperf.json" 2>&1
	python3 -c '
import json, sys
print(round(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6, 3))' \
		"$work/iperf.json" 2>/dev/null || echo 0
}
# within 3% of RATE_KBPS at layer 2 (1514-byte frames carrying 1448 bytes)
within3() { # MEASURED_MBIT RATE_KBPS
	python3 -c '
import sys
m, r = float(sys.argv[1]), float(sys.argv[2]) / 1000 * 1448 / 1514
print("%+.2f" % ((m / r - 1) * 100)); sys.exit(0 if abs(m / r - 1) <= 0.03 else 1)' "$1" "$2"
}
check_rate() { # WHAT FROM_IP RATE_KBPS
	local secs=5 m dev
	[ "$3" -lt 10000 ] && secs=8
	m=$(iperf "$2" $secs)
	if dev=$(within3 "$m" "$3"); then
		t_ok "$1: $m Mbit/s at $(($3 / 1000)) Mbit/s ($dev% at layer 2)"
	else
		t_fail "$1: $m Mbit/s at $(($3 / 1000)) Mbit/s ($dev% at layer 2, more than 3%)"
	fi
}
tcx() { "$TB" exec "$1" tc "${@:2}"; }

vm=$(index_of 2 $B)
vif=$(vif_of 2 $B)
[ -n "$vm" ] && [ -n "$vif" ] || { t_fail "$B not in h2's vmibVmTable"; t_done; exit $?; }

# --- 1. whole vif at 1, 10, 100 Mbit/s -------------------------------------------------------
t_eq "createAndGo of a whole-vif row on $B ($vif)" ok \
	"$(sset 2 $SE.20.$vm.1.1 i 4 $SE.5.$vm.1.1 u 1000 $SE.2.$vm.1.1 s "all->b")"
for rate in 1000 10000 100000; do
	[ $rate = 1000 ] || t_eq "rate $((rate / 1000)) Mbit/s set" ok "$(sset 2 $SE.5.$vm.1.1 u $rate)"
	want="class htb 7600:ffff root prio 0 .*rate $((rate / 1000))Mbit ceil $((rate / 1000))Mbit"
	t_check "tc -s -d class: 7600:ffff at $((rate / 1000)) Mbit/s" sh -c \
		"$TB exec 2 tc -s -d class show dev $vif | grep -q '$want'"
	check_rate "A -> B across hosts" $IPA $rate
done
t_check "tc -d qdisc: htb 7600: root, default ffff" sh -c \
	"$TB exec 2 tc -d qdisc show dev $vif | grep -q 'qdisc htb 7600: root .*default 0xffff'"

# --- 2. per source ------------------------------------------------------------------------------
r=$(sset 2 $SE.20.$vm.1.1 i 6 \
	$SE.20.$vm.1.2 i 4 $SE.3.$vm.1.2 a $IPA $SE.4.$vm.1.2 u 32 $SE.5.$vm.1.2 u 10000)
t_eq "the whole-vif row replaced by A's /32 at 10 Mbit/s (one PDU)" ok "$r"
t_check "tc filter: u32 node 10.51.0.1/32 -> 7600:2" sh -c \
	"$TB exec 2 tc filter show dev $vif | grep -B1 'match 0a330001/ffffffff at 12' | grep -q 'flowid 7600:2'"
t_check "no class 7600:ffff any more" sh -c "! $TB exec 2 tc class show dev $vif | grep -q 7600:ffff"
bytes() { tcx 2 -s class show dev "$vif" | awk '/class htb 7600:2 /{f=1} f && /Sent/ { print $2; exit }'; }
b0=$(bytes)
check_rate "A -> B (A's /32)" $IPA 10000
b1=$(bytes)
mc=$(iperf $IPC 5)
b2=$(bytes)
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 3 * 10 else 1)' "$mc"; then
	t_ok "C -> B not shaped: $mc Mbit/s"
else
	t_fail "C -> B: $mc Mbit/s, not clearly above A's 10 Mbit/s"
fi
if [ $((b1 - b0)) -gt 5000000 ] && [ $((b2 - b1)) -lt 1000000 ]; then
	t_ok "class 7600:2 counts A's traffic ($((b1 - b0)) bytes), not C's ($((b2 - b1)))"
else
	t_fail "class 7600:2 bytes: during A $((b1 - b0)), during C $((b2 - b1))"
fi
sleep 1.2
o=$(sget 2 $SE.16.$vm.1.2)
if [ -n "$o" ] && [ "$o" -ge $((b1 - b0)) ] 2>/dev/null; then
	t_ok "vmibShapeSentOctets $o"
else
	t_fail "vmibShapeSentOctets '$o' (tc counted $b1)"
fi

# --- 3. vmibd restarted -------------------------------------------------------------------------
"$TB" vmibd restart 2 >/dev/null 2>&1 || t_fail "vmibd restart on h2"
applied() { [ "$(sget "$1" "$2")" = "$APPLIED" ]; }
if t_wait 20 applied 2 $SE.14.$vm.1.2; then
	t_ok "vmibd restarted: the row is read back and applied"
else
	t_fail "vmibd restarted: vmibShapeOperStatus '$(sget 2 $SE.14.$vm.1.2)'"
fi
t_check "... class 7600:2 at 10 Mbit/s again" sh -c \
	"$TB exec 2 tc class show dev $vif | grep -q 'class htb 7600:2 root .*rate 10Mbit'"
check_rate "... A -> B" $IPA 10000

# --- 4. live migration --------------------------------------------------------------------------
vsh 2 migrate --live --p2p --persistent --undefinesource $B "$(uri 1)" >"$work/mig.log" 2>&1 ||
	{ t_fail "migrate $B to h1: $(tail -n 1 "$work/mig.log")"; t_done; exit $?; }
t0=$(t_ms)
vif1=$(vif_of 1 $B)
shaped() { tcx 1 class show dev "$vif1" | grep -q 'class htb 7600:2 root .*rate 10Mbit'; }
if t_wait 5 shaped; then
	ms=$(( $(t_ms) - t0 ))
	if [ "$ms" -le 1000 ]; then
		t_ok "after the migration the row is in force on h1's $vif1 $ms ms after virsh returned"
	else
		t_fail "the row came into force on h1 only $ms ms after virsh returned (more than 1 s)"
	fi
else
	t_fail "no class 7600:2 on h1's $vif1 5 s after the migration"
fi
vm1=$(index_of 1 $B)
t_eq "vmibShapeOperStatus under $B's index on h1 ($vm1)" "$APPLIED" "$(sget 1 $SE.14.$vm1.1.2)"
t_eq "vmibShapeSrcAddr came with it" "$IPA" "$(sget 1 $SE.3.$vm1.1.2)"
check_rate "... A -> B (now on the same host)" $IPA 10000

# --- 5. destroyed and started again ----------------------------------------------------------------
vsh 1 destroy $B >/dev/null && vsh 1 start $B >/dev/null || t_fail "restart $B"
vif1=$(vif_of 1 $B)
if t_wait 10 shaped; then
	t_ok "$B restarted: its new tap $vif1 is shaped again"
else
	t_fail "$B restarted: no class 7600:2 on $vif1"
fi

# --- 6. a VM and its shape row in one PDU ------------------------------------------------------
VE=$(oid vmibVmEntry) FE=$(oid vmibVifEntry)
c_vm=$(sed -n 's/^#define VMIB_COL_vmibVmName *\([0-9]*\)$/\1/p' "$HDR")
IX=51
r=$(sset 2 $VE.$(sed -n 's/^#define VMIB_COL_vmibVmRowStatus *\([0-9]*\)$/\1/p' "$HDR").$IX i 4 \
	$VE.$c_vm.$IX s $D \
	$VE.$(sed -n 's/^#define VMIB_COL_vmibVmImage *\([0-9]*\)$/\1/p' "$HDR").$IX s vmib-test \
	$FE.$(sed -n 's/^#define VMIB_COL_vmibVifRowStatus *\([0-9]*\)$/\1/p' "$HDR").$IX.1 i 4 \
	$FE.$(sed -n 's/^#define VMIB_COL_vmibVifAddr *\([0-9]*\)$/\1/p' "$HDR").$IX.1 a 10.51.0.4 \
	$FE.$(sed -n 's/^#define VMIB_COL_vmibVifPrefixLen *\([0-9]*\)$/\1/p' "$HDR").$IX.1 u 24 \
	$SE.20.$IX.1.7 i 4 $SE.5.$IX.1.7 u 3000)
t_eq "createAndGo of VM $D, its vif and a shape row in one PDU" ok "$r"
vifd=""
d_shaped() {
	vifd=$(vif_of 2 $D 2>/dev/null)
	[ -n "$vifd" ] && tcx 2 class show dev "$vifd" | grep -q 'class htb 7600:ffff root .*rate 3Mbit'
}
if t_wait 20 d_shaped; then
	t_ok "... the row is in force on $D's tap $vifd"
else
	t_fail "... no class 7600:ffff at 3 Mbit/s on $D's tap '$vifd'"
fi
t_eq "... vmibShapeOperStatus applied" "$APPLIED" "$(sget 2 $SE.14.$IX.1.7)"
t_done
