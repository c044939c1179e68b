#!/usr/bin/env bash
# 50-shape-snmp: shaping and isolation through SNMP, end to end, without
# guests: a real snmpd master and vmibd (AgentX) on libvirt's test driver,
# in a network namespace of their own where the domains' vif devices are
# veths plugged into a bridge, with two "guest" namespaces behind them.
#
# Checks, each through snmpset/snmpget against snmpd:
#   1. vmibHostCapabilities: the netem bit is what this kernel really does
#      (probed here on a scratch veth);
#   2. one PDU creates three shape rows (the whole vif and two source
#      prefixes): noError, the tree tc -d shows (htb root 7600:, one class
#      per row with its rate, a u32 node per prefix), OperStatus applied;
#      a rate change changes that class in place;
#   3. all or nothing: a PDU with a good new row and a bad one fails
#      (inconsistentValue) and leaves the tree and the table as they were;
#   4. NetEm on a kernel without sch_netem: the row is accepted, its rate
#      in force (a class, no netem qdisc), the row unsupported with the
#      reason naming what is not applied (skipped where the kernel has
#      sch_netem);
#   5. the SNMP error of bad values over the wire (wrongValue, notWritable,
#      noCreation, inconsistentName);
#   6. shaped traffic is counted by the row's class (vmibShapeSentOctets);
#   7. destroying the rows gives the vif its default qdisc back;
#   8. isolation: subnets, a rule and the default drop in one PDU install
#      one chain with one hook; pings across the default are dropped, the
#      rule's direction passes; vmibIsolMatchedPkts counts; the state file
#      is written; vmibd restarted installs the same chain again with one
#      hook; everything destroyed removes chain and hook.
# Needs root, network namespaces, snmpd and virsh.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$T_TOP/tests/bench/vmibd-walk-env.sh"
t_begin 50-shape-snmp

NS=vmib-t50h
GA=vmib-t50a GB=vmib-t50b
HDR=$T_BUILD/gen/vmib_oids.h
work=$(mktemp -d /tmp/vmib-t50.XXXXXX)
cleanup() {
	vw_cleanup
	for n in $NS $GA $GB; do ip netns del $n 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
for tool in snmpd snmpset snmpget virsh tc iptables; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"; t_done; exit $?
	fi
done
if [ ! -x "$VW_VMIBD" ] || [ ! -r "$HDR" ]; then
	t_fail "build/bin/vmibd or $HDR missing (make)"; t_done; exit $?
fi
oid() { echo ".$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)"; }
enum() { sed -n "s/^#define VMIB_ENUM_$1 *\([0-9]*\)\$/\1/p" "$HDR"; }
SE=$(oid vmibShapeEntry)
IE=$(oid vmibIsolationEntry)
NE=$(oid vmibSubnetEntry)
O_DEFAULT=$(oid vmibIsolationDefault).0
O_IOPER=$(oid vmibIsolationOperStatus).0
O_ERR=$(oid vmibHostLastError).0
O_CAPS=$(oid vmibHostCapabilities).0
APPLIED=$(enum vmibShapeOperStatus_applied)

# --- the host namespace: bridge, two vifs, two guests behind them ------------------
ip netns add $NS && ip -n $NS link set lo up
ip -n $NS link add br0 type bridge && ip -n $NS link set br0 up
for g in a:10.50.1.1:sva b:10.50.2.1:svb; do
	IFS=: read -r n addr vif <<<"$g"
	gns=vmib-t50$n
	ip netns add "$gns" && ip -n "$gns" link set lo up
	ip link add eth0 netns "$gns" type veth peer name "$vif" netns $NS
	ip -n $NS link set "$vif" master br0 up
	ip -n "$gns" addr add "$addr/24" dev eth0 && ip -n "$gns" link set eth0 up
	# the other site is on the same L2 segment (as vmib.route=P,dev:eth0)
	ip -n "$gns" route add 10.50.0.0/16 dev eth0
done
# the domains: vma owns vif sva, vmb owns svb
cat >"$work/node.xml" <<EOF
<node>
 <cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads><active>2</active><mhz>2400</mhz><model>x86_64</model></cpu>
 <memory>8388608</memory>
EOF
for d in a:1:sva b:2:svb; do
	IFS=: read -r n i vif <<<"$d"
	cat >>"$work/node.xml" <<EOF
 <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>vm$n</name><uuid>00000000-0000-4000-8000-00000000005$i</uuid>
  <metadata><vmib:vm xmlns:vmib='urn:vmib:domain:1' index='$i'/></metadata>
  <memory unit='KiB'>131072</memory><vcpu>1</vcpu><os><type>hvm</type></os>
  <devices><interface type='bridge'><mac address='52:54:00:50:00:0$i'/><source bridge='br0'/><target dev='$vif'/><model type='virtio'/></interface></devices>
  <test:runstate>1</test:runstate>
 </domain>
EOF
done
echo "</node>" >>"$work/node.xml"

VW_NETNS=$NS
vw_init "$work"
if ! vw_start_snmpd; then
	t_fail "snmpd did not start"; t_done; exit $?
fi
STATE=$work/state
if ! vw_start_vmibd "test://$work/node.xml" -o "state-dir=$STATE" -l info; then
	t_fail "vmibd did not register"; t_done; exit $?
fi
ns() { ip netns exec $NS "$@"; }
# sset ARGS: snmpset with the write community; prints "ERR REASON" on failure
sset() {
	local out
	if out=$(ns env MIBS= snmpset -v2c -c private -On -t 5 -r 0 "127.0.0.1:$VW_PORT" "$@" 2>&1); then
		echo ok
	else
		echo "$out" | sed -n 's/^Reason: \([a-zA-Z]*\).*/\1/p' | head -n 1
	fi
}
sget() { vw_snmp snmpget -Oqv "$@" 2>/dev/null | tr -d '"'; }
tree() { ns tc -d class show dev sva; ns tc filter show dev sva; ns tc qdisc show dev sva; }

# --- 1. capabilities ---------------------------------------------------------------------
ns ip link add t50p type veth peer name t50q
if ns tc qdisc add dev t50p root netem delay 1ms 2>/dev/null; then has_netem=1; else has_netem=0; fi
ns ip link del t50p
caps=$(vw_snmp snmpget -Oqv -Ox "$O_CAPS" 2>/dev/null | tr -d ' "')
# BITS: netem(2) is 0x20 of the first octet
bit=$(( (0x${caps:0:2} >> 5) & 1 ))
t_eq "vmibHostCapabilities netem bit is the kernel's ($has_netem)" "$has_netem" "$bit"

# --- 2. rows, the tree ---------------------------------------------------------------------
r=$(sset $SE.20.1.1.1 i 4 $SE.5.1.1.1 u 20000 \
	 $SE.20.1.1.2 i 4 $SE.3.1.1.2 a 10.50.2.0 $SE.4.1.1.2 u 24 $SE.5.1.1.2 u 5000 \
	 $SE.20.1.1.3 i 4 $SE.3.1.1.3 a 10.50.2.1 $SE.4.1.1.3 u 32 $SE.5.1.1.3 u 1000 \
	 $SE.2.1.1.3 s "b->a")
t_eq "one PDU creates three shape rows" ok "$r"
t_check "htb root 7600: on the vif" sh -c "ip netns exec $NS tc qdisc show dev sva | grep -q 'qdisc htb 7600: root.*default 0xffff'"
t_check "whole-vif class 7600:ffff at 20 Mbit/s" sh -c "ip netns exec $NS tc class show dev sva | grep -q 'class htb 7600:ffff root .*rate 20Mbit ceil 20Mbit'"
t_check "class 7600:2 at 5 Mbit/s" sh -c "ip netns exec $NS tc class show dev sva | grep -q 'class htb 7600:2 root .*rate 5Mbit'"
t_check "class 7600:3 at 1 Mbit/s" sh -c "ip netns exec $NS tc class show dev sva | grep -q 'class htb 7600:3 root .*rate 1Mbit'"
t_check "u32 node for 10.50.2.0/24 -> 7600:2" sh -c "ip netns exec $NS tc filter show dev sva | grep -A1 'flowid 7600:2' | grep -q 'match 0a320200/ffffff00 at 12'"
t_check "u32 node for 10.50.2.1/32 -> 7600:3" sh -c "ip netns exec $NS tc filter show dev sva | grep -A1 'flowid 7600:3' | grep -q 'match 0a320201/ffffffff at 12'"
t_eq "vmibShapeOperStatus of the rows: applied" "$APPLIED $APPLIED $APPLIED" \
	"$(sget $SE.14.1.1.1 $SE.14.1.1.2 $SE.14.1.1.3 | xargs)"
t_eq "vmibShapeName read back" "b->a" "$(sget $SE.2.1.1.3)"
r=$(sset $SE.5.1.1.2 u 7000)
t_eq "rate change of row 2" ok "$r"
t_check "class 7600:2 now 7 Mbit/s" sh -c "ip netns exec $NS tc class show dev sva | grep -q 'class htb 7600:2 root .*rate 7Mbit'"

# --- 3. all or nothing ------------------------------------------------------------------------
before=$(tree)
r=$(sset $SE.20.1.1.4 i 4 $SE.5.1.1.4 u 300 \
	 $SE.5.1.1.1 u 1234 \
	 $SE.20.1.1.5 i 4 $SE.7.1.1.5 u 1000 $SE.8.1.1.5 u 2000)
t_eq "good and bad rows in one PDU: inconsistentValue" inconsistentValue "$r"
t_eq "... the tree is as it was" "$before" "$(tree)"
t_eq "... row 4 was not created" "No Such Instance currently exists at this OID" "$(sget $SE.5.1.1.4)"
t_eq "... row 1 kept its rate" 20000 "$(sget $SE.5.1.1.1)"

# --- 4. NetEm without sch_netem ---------------------------------------------------------------
if [ "$has_netem" = 1 ]; then
	t_skip "netem without sch_netem: this kernel has sch_netem"
else
	r=$(sset $SE.20.1.1.6 i 4 $SE.3.1.1.6 a 10.50.3.0 $SE.4.1.1.6 u 24 $SE.5.1.1.6 u 3000 \
		$SE.7.1.1.6 u 10000)
	t_eq "rate and delay on a kernel without sch_netem: accepted" ok "$r"
	t_check "... the rate's class is in force" sh -c "ip netns exec $NS tc class show dev sva | grep -q 'class htb 7600:6 .*rate 3Mbit'"
	t_check "... and no netem qdisc" sh -c "! ip netns exec $NS tc qdisc show dev sva | grep -q netem"
	t_eq "... the row is unsupported(4)" 4 "$(sget $SE.14.1.1.6)"
	t_eq "... its vmibShapeLastError names what is not applied" \
		"kernel has no sch_netem: delay not applied; the rest of the row is in force" \
		"$(sget $SE.15.1.1.6)"
	t_eq "... it keeps its delay" 10000 "$(sget $SE.7.1.1.6)"
	t_eq "... destroyed" ok "$(sset $SE.20.1.1.6 i 6)"
	rate2=$(sget $SE.5.1.1.2)
	r=$(sset $SE.9.1.1.2 u 100000)
	t_eq "loss on an existing row: accepted" ok "$r"
	t_eq "... the row is unsupported(4), its rate unchanged" "4 $rate2" \
		"$(sget $SE.14.1.1.2) $(sget $SE.5.1.1.2)"
	t_eq "loss back to 0: accepted" ok "$(sset $SE.9.1.1.2 u 0)"
	t_eq "... the row is applied(1) again" 1 "$(sget $SE.14.1.1.2)"
fi

# --- 5. errors of bad values over the wire -----------------------------------------------------
t_eq "prefix length 33: wrongValue" wrongValue "$(sset $SE.4.1.1.2 u 33)"
t_eq "vmibShapeOperStatus: notWritable" notWritable "$(sset $SE.14.1.1.2 i 1)"
t_eq "shape index 65535: noCreation" noCreation "$(sset $SE.20.1.1.65535 i 4)"
t_eq "createAndWait: wrongValue" wrongValue "$(sset $SE.20.1.1.7 i 5)"
t_eq "a vif the VM does not have: inconsistentName" inconsistentName "$(sset $SE.20.1.9.1 i 4)"
t_eq "destroy of a row that does not exist: noError" ok "$(sset $SE.20.1.1.99 i 6)"

# --- 6. counters -------------------------------------------------------------------------------
# 10.50.2.1 -> 10.50.1.1 leaves the bridge on sva: class 7600:3 (the /32)
c0=$(sget $SE.16.1.1.3)
ip netns exec $GB ping -c 20 -i 0.05 -q 10.50.1.1 >/dev/null 2>&1
sleep 1.2   # counters may be stats-max-age-ms (1 s) old
c1=$(sget $SE.16.1.1.3)
if [ -n "$c0" ] && [ -n "$c1" ] && [ "$c1" -gt "$c0" ]; then
	t_ok "vmibShapeSentOctets of the /32 row counts the pings ($c0 -> $c1)"
else
	t_fail "vmibShapeSentOctets of the /32 row did not grow ($c0 -> $c1)"
fi

# --- 7. destroy --------------------------------------------------------------------------------
r=$(sset $SE.20.1.1.1 i 6 $SE.20.1.1.2 i 6 $SE.20.1.1.3 i 6)
t_eq "destroy of every row" ok "$r"
t_check "the vif has its default qdisc again" sh -c "! ip netns exec $NS tc qdisc show dev sva | grep -q htb"

# --- 8. isolation -------------------------------------------------------------------------------
if ! ns iptables -t filter -S >/dev/null 2>&1; then
	t_skip "isolation: iptables does not work here"; t_done; exit $?
fi
ping_ok() { ip netns exec "$1" ping -c 2 -W 1 -i 0.2 -q "$2" >/dev/null 2>&1; }
t_check "before isolation: a pings b" ping_ok $GA 10.50.2.1
r=$(sset $NE.5.1 i 4 $NE.3.1 a 10.50.1.0 $NE.4.1 u 24 $NE.2.1 s siteA \
	 $NE.5.2 i 4 $NE.3.2 a 10.50.2.0 $NE.4.2 u 24 \
	 $IE.11.7 i 4 $IE.3.7 a 10.50.1.1 $IE.4.7 u 32 $IE.5.7 a 10.50.2.1 $IE.6.7 u 32 $IE.7.7 i 1 \
	 $IE.11.8 i 4 $IE.3.8 a 10.50.2.1 $IE.4.8 u 32 $IE.5.8 a 10.50.1.1 $IE.6.8 u 32 $IE.7.8 i 1 \
	 "$O_DEFAULT" i 2)
t_eq "subnets, rules and default drop in one PDU" ok "$r"
hooks() { ns iptables -t filter -S FORWARD | grep -c -- '-j VMIB-ISOLATE'; }
t_eq "one hook in FORWARD" 1 "$(hooks)"
t_check "the chain holds rule 7" sh -c "ip netns exec $NS iptables -t filter -S VMIB-ISOLATE | grep -q 'vmib-rule-7'"
t_eq "vmibIsolationOperStatus applied" 1 "$(sget "$O_IOPER")"
t_check "a pings b (rules 7 and 8 both ways)" ping_ok $GA 10.50.2.1
r=$(sset $IE.11.8 i 6)
t_eq "rule 8 (b -> a) destroyed" ok "$r"
t_check "a no longer gets b's answers (default drop)" sh -c "! ip netns exec $GA ping -c 2 -W 1 -i 0.2 -q 10.50.2.1 >/dev/null 2>&1"
sleep 1.2
m=$(sget $IE.10.7)
if [ -n "$m" ] && [ "$m" -gt 0 ]; then
	t_ok "vmibIsolMatchedPkts of rule 7 counts ($m)"
else
	t_fail "vmibIsolMatchedPkts of rule 7: '$m'"
fi
t_check "state file written" grep -q '^rule index=7 ' "$STATE/isolation.conf"
r=$(sset $NE.5.3 i 4 $NE.3.3 a 10.50.2.128 $NE.4.3 u 25)
t_eq "an overlapping subnet: inconsistentValue" inconsistentValue "$r"
chain=$(ns iptables -t filter -S VMIB-ISOLATE)
vw_stop_vmibd
ns iptables -t filter -D FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE
ns iptables -t filter -F VMIB-ISOLATE
if ! vw_start_vmibd "test://$work/node.xml" -o "state-dir=$STATE" -l info; then
	t_fail "vmibd did not register again"; t_done; exit $?
fi
t_eq "vmibd restarted: the same chain again" "$chain" "$(ns iptables -t filter -S VMIB-ISOLATE)"
t_eq "... with one hook" 1 "$(hooks)"
t_eq "... and its default read back" 2 "$(sget "$O_DEFAULT")"
vw_stop_vmibd
if ! vw_start_vmibd "test://$work/node.xml" -o "state-dir=$STATE" -l info; then
	t_fail "vmibd did not register again"; t_done; exit $?
fi
t_eq "restarted again over its own chain: still one hook" 1 "$(hooks)"
r=$(sset $NE.5.1 i 6 $NE.5.2 i 6 $IE.11.7 i 6)
t_eq "everything destroyed" ok "$r"
t_eq "chain and hook removed" 0 "$(hooks)"
t_check "no chain left" sh -c "! ip netns exec $NS iptables -t filter -S VMIB-ISOLATE >/dev/null 2>&1"
t_check "a pings b again" ping_ok $GA 10.50.2.1
t_done
