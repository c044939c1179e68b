#!/usr/bin/env bash
# 32-tc-per-source: one class per source prefix, classified with u32, and
# unclassified traffic unshaped.  Three "guest" namespaces on a bridge in a
# "host" namespace: A (10.77.0.1) and C (10.77.0.3) send to B (10.77.0.2);
# B's vif has one row for A's /32 at 5 Mbit/s and none for C, so A->B is
# shaped and C->B is not (it must run at least 10 times faster), and only
# A's traffic shows in the row's counters.  Then a whole-vif row caps C too
# while A keeps its own, longer-prefix class.  Needs root, namespaces,
# iperf3.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1   # shape-tool-san: a leak is a failure
t_begin 32-tc-per-source

A=vmib-t32a; C=vmib-t32c; H=vmib-t32h; B=vmib-t32b
work=$(mktemp -d)
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	for n in $A $C $H $B; do ip netns del $n 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
if ! command -v iperf3 >/dev/null; then
	t_skip "all checks: no iperf3"; t_done; exit $?
fi
if ! tool=$("$T_TOP/tests/bench/shape-build" --san 2>"$work/build.log"); then
	t_fail "building shape-tool"; sed 's/^/        /' "$work/build.log" | tail -n 20
	t_done; exit $?
fi

for n in $A $C $H $B; do ip netns add $n && ip -n $n link set lo up; done
ip -n $H link add br0 type bridge && ip -n $H link set br0 up
i=1
for n in $A $B $C; do
	v=vif-$i
	ip link add eth0 netns $n type veth peer name $v netns $H
	ip -n $H link set $v master br0 && ip -n $H link set $v up
	ip -n $n addr add 10.77.0.$i/24 dev eth0 && ip -n $n link set eth0 up
	i=$((i + 1))
done
# B is 10.77.0.2 on vif-2

# iperf3 FROM -> B for 4 s; prints the goodput in kbit/s
run() {
	ip netns exec $B iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	srv=$!
	t_wait 5 sh -c "ip netns exec $B ss -ltn | grep -q ':5201 '"
	ip netns exec "$1" iperf3 -c 10.77.0.2 -p 5201 -t 4 -J > "$work/out.json" 2>&1
	wait "$srv" 2>/dev/null; srv=""
	python3 -c "import json; print('%.0f' % (json.load(open('$work/out.json'))['end']['sum_received']['bits_per_second'] / 1000))" 2>/dev/null || echo 0
}
sent() { ip netns exec $H "$tool" counters vif-2 "$1" | sed -n "s/^index=$2 .*sent_bytes=\([0-9]*\) .*/\1/p"; }

echo "index=1 src=10.77.0.1/32 rate_kbps=5000" > "$work/a.rows"
t_check "row for A's /32 at 5 Mbit/s" ip netns exec $H "$tool" apply vif-2 "$work/a.rows" -c htb,u32

a=$(run $A)
msg="A->B shaped: $a kbit/s for 5000 kbit/s (ideal $((5000 * 1448 / 1514)))"
if [ "$a" -ge 4640 ] && [ "$a" -le 4930 ]; then t_ok "$msg"; else t_fail "$msg"; fi
sa=$(sent "$work/a.rows" 1)
c=$(run $C)
if [ "$c" -ge $((10 * a)) ]; then t_ok "C->B unshaped: $c kbit/s (>= 10 x A)"; else t_fail "C->B: $c kbit/s, not >= 10 x $a"; fi
sc=$(sent "$work/a.rows" 1)
if [ "${sa:-0}" -gt 1000000 ] && [ "$sc" = "$sa" ]; then
	t_ok "row 1 counted A's traffic ($sa bytes) and none of C's"
else
	t_fail "row 1 sent bytes: after A $sa, after C $sc"
fi

cat > "$work/ac.rows" <<'EOF2'
index=1 src=10.77.0.1/32 rate_kbps=5000
index=2 rate_kbps=20000
EOF2
t_check "add a whole-vif row at 20 Mbit/s" ip netns exec $H "$tool" apply vif-2 "$work/ac.rows" "$work/a.rows" -c htb,u32
c=$(run $C)
msg="C->B now in the whole-vif class: $c kbit/s for 20000 (ideal $((20000 * 1448 / 1514)))"
if [ "$c" -ge 18560 ] && [ "$c" -le 19700 ]; then t_ok "$msg"; else t_fail "$msg"; fi
a=$(run $A)
msg="A->B still in its own class (longer prefix wins): $a kbit/s"
if [ "$a" -ge 4640 ] && [ "$a" -le 4930 ]; then t_ok "$msg"; else t_fail "$msg"; fi
t_done
