#!/usr/bin/env bash
# 33-isolate: the isolation backend (agent/isolate.c) on a real bridge with
# br_netfilter, between namespaces this script creates.  A "host"
# namespace holds bridge br0; "guests" a1, a2 (subnet 10.1.0.0/24), b1
# (10.2.0.0/24), c1 (10.3.0.0/24) and x1 (10.9.0.1, in no managed subnet)
# are plugged into it and reach each other directly on the one L2 segment.
# Checked with a ping matrix after each policy: rules first, then the
# default between different managed subnets, everything else untouched;
# plus: br_netfilter switched on where it was off, exactly one hook after
# repeated applies, counters, foreign rules never touched, and removal.
# Needs root and network namespaces.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1   # shape-tool-san: a leak is a failure
t_begin 33-isolate

H=vmib-t33h
G="a1:10.1.0.1 a2:10.1.0.2 b1:10.2.0.1 c1:10.3.0.1 x1:10.9.0.1"
work=$(mktemp -d)
cleanup() {
	ip netns del $H 2>/dev/null
	for g in $G; do ip netns del "vmib-t33${g%%:*}" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
if ! tool=$("$T_TOP/tests/bench/shape-build" --san 2>"$work/build.log"); then
	t_fail "building shape-tool"; sed 's/^/        /' "$work/build.log" | tail -n 20
	t_done; exit $?
fi
hx() { ip netns exec $H "$@"; }

ip netns add $H && hx ip link set lo up
hx ip link add br0 type bridge && hx ip link set br0 up
i=0
for g in $G; do
	n=vmib-t33${g%%:*}; addr=${g#*:}; i=$((i + 1))
	ip netns add $n && ip -n $n link set lo up
	ip link add eth0 netns $n type veth peer name vif$i netns $H
	hx ip link set vif$i master br0 && hx ip link set vif$i up
	ip -n $n addr add $addr/24 dev eth0 && ip -n $n link set eth0 up
	ip -n $n route add 10.0.0.0/8 dev eth0   # one L2 segment for all subnets
done
if ! hx sh -c 'echo 0 > /proc/sys/net/bridge/bridge-nf-call-iptables' 2>/dev/null; then
	t_skip "all checks: no br_netfilter sysctl in a namespace on this kernel"
	t_done; exit $?
fi
hx iptables -w -N FOREIGN
hx iptables -w -A FORWARD -s 10.250.0.0/24 -m comment --comment foreign -j ACCEPT
foreign() { hx iptables -w -S | grep -v VMIB-ISOLATE; }
foreign_before=$(foreign)

ip_of() { for g in $G; do [ "${g%%:*}" = "$1" ] && echo "${g#*:}"; done; }
# matrix "a1>b1 a2>b1 ..." -> "a1>b1:ok a2>b1:no ..."
matrix() {
	local pair out=""
	for pair in "$@"; do
		if ip netns exec "vmib-t33${pair%%>*}" ping -c 1 -W 0.5 "$(ip_of "${pair#*>}")" >/dev/null 2>&1
		then out="$out $pair:ok"; else out="$out $pair:no"; fi
	done
	echo "${out# }"
}
pairs="a1>a2 a1>b1 b1>a1 a2>b1 a1>c1 b1>c1 c1>a2 x1>a1 x1>b1 c1>x1"

t_eq "without isolation everybody talks" \
	"a1>a2:ok a1>b1:ok b1>a1:ok a2>b1:ok a1>c1:ok b1>c1:ok c1>a2:ok x1>a1:ok x1>b1:ok c1>x1:ok" \
	"$(matrix $pairs)"

cat > "$work/p1" <<'EOF2'
default drop
subnet 10.1.0.0/24
subnet 10.2.0.0/24
subnet 10.3.0.0/24
rule index=1 src=10.1.0.1/32 dst=10.2.0.0/24 action=accept
rule index=2 src=10.2.0.0/24 dst=10.1.0.1/32 action=accept
EOF2
t_check "apply: default drop, a1<->b1 allowed" hx "$tool" isolate "$work/p1"
t_eq "bridge-nf-call-iptables switched on" 1 "$(hx cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
t_eq "ping matrix, default drop" \
	"a1>a2:ok a1>b1:ok b1>a1:ok a2>b1:no a1>c1:no b1>c1:no c1>a2:no x1>a1:ok x1>b1:ok c1>x1:ok" \
	"$(matrix $pairs)"
hooks() { hx iptables -w -S FORWARD | grep -c -- '-j VMIB-ISOLATE'; }
t_check "apply again (vmibd restart)" hx "$tool" isolate "$work/p1"
t_eq "exactly one hook after two applies" 1 "$(hooks)"
t_eq "foreign rules and chains untouched" "$foreign_before" "$(foreign)"
n1=$(hx "$tool" isolate-counters | sed -n 's/^index=1 pkts=\([0-9]*\) .*/\1/p')
ip netns exec vmib-t33a1 ping -c 3 -i 0.2 -W 0.5 10.2.0.1 >/dev/null 2>&1
n2=$(hx "$tool" isolate-counters | sed -n 's/^index=1 pkts=\([0-9]*\) .*/\1/p')
if [ -n "$n1" ] && [ "${n2:-0}" -ge $((n1 + 3)) ]; then
	t_ok "rule 1 counts its packets ($n1 -> $n2)"
else
	t_fail "rule 1 counters: before '$n1', after 3 pings '$n2'"
fi

cat > "$work/p2" <<'EOF2'
default accept
subnet 10.1.0.0/24
subnet 10.2.0.0/24
subnet 10.3.0.0/24
rule index=5 src=10.3.0.0/24 dst=10.2.0.0/24 action=drop
rule index=6 src=10.2.0.0/24 dst=10.3.0.0/24 action=drop
EOF2
t_check "replace: default accept, 10.2 <-> 10.3 dropped" hx "$tool" isolate "$work/p2"
t_eq "ping matrix, default accept" \
	"a1>a2:ok a1>b1:ok b1>a1:ok a2>b1:ok a1>c1:ok b1>c1:no c1>a2:ok x1>a1:ok x1>b1:ok c1>x1:ok" \
	"$(matrix $pairs)"
t_eq "still one hook" 1 "$(hooks)"

# a refused policy must leave the chain in force (iptables-restore's own
# all-or-nothing is checked by the unit test 06-restore-fails and by
# iptables itself)
hx iptables -w -S VMIB-ISOLATE > "$work/chain.before"
echo "default drop" > "$work/bad"; echo "subnet 10.0.0.0/8" >> "$work/bad"; echo "subnet 10.1.0.0/16" >> "$work/bad"
out=$(hx "$tool" isolate "$work/bad" 2>&1); rc=$?
t_eq "an invalid policy is refused" "1 shape-tool: managed subnet 10.1.0.0/16 overlaps 10.0.0.0/8" "$rc $out"
t_eq "and the chain in force is unchanged" "$(cat "$work/chain.before")" "$(hx iptables -w -S VMIB-ISOLATE)"

t_check "remove" hx "$tool" isolate-remove
t_eq "no hook left" 0 "$(hooks)"
if hx iptables -w -S | grep -q -- '-N VMIB-ISOLATE'; then t_fail "chain still there"; else t_ok "chain removed"; fi
t_eq "foreign rules and chains still untouched" "$foreign_before" "$(foreign)"
t_eq "after removal everybody talks" \
	"a1>a2:ok a1>b1:ok b1>a1:ok a2>b1:ok a1>c1:ok b1>c1:ok c1>a2:ok x1>a1:ok x1>b1:ok c1>x1:ok" \
	"$(matrix $pairs)"
t_check "remove again: nothing to do" hx "$tool" isolate-remove
t_done
