#!/usr/bin/env bash
# 31-tc-rate: rate accuracy of the shaping backend with real TCP traffic.
#
# The topology is the one of a host: two "guest" namespaces (A sender, B
# receiver) plugged into a bridge in a "host" namespace by veth pairs, and
# the row shapes the egress of B's host-side device (its vif), as vmibd
# does.  iperf3 A->B runs for each rate; the goodput must be within 3% of
# the rate at layer 2 (DESIGN 7), i.e. of rate x 1448/1514 for full-size
# TCP segments with timestamps in 1514-byte Ethernet frames, which is what
# htb counts.  Needs root, network namespaces and iperf3.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1   # shape-tool-san: a leak is a failure
t_begin 31-tc-rate

A=vmib-t31a; H=vmib-t31h; B=vmib-t31b
work=$(mktemp -d)
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	for n in $A $H $B; do ip netns del $n 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all rates: $why"; t_done; exit $?
fi
if ! command -v iperf3 >/dev/null; then
	t_skip "all rates: no iperf3"; t_done; exit $?
fi
if ! tool=$("$T_TOP/tests/bench/shape-build" --san 2>"$work/build.log"); then
	t_fail "building shape-tool"; sed 's/^/        /' "$work/build.log" | tail -n 20
	t_done; exit $?
fi

for n in $A $H $B; do ip netns add $n && ip -n $n link set lo up; done
ip -n $H link add br0 type bridge && ip -n $H link set br0 up
ip link add eth0 netns $A type veth peer name vif-a netns $H
ip link add eth0 netns $B type veth peer name vif-b netns $H
for v in vif-a vif-b; do ip -n $H link set $v master br0 && ip -n $H link set $v up; done
ip -n $A addr add 10.77.0.1/24 dev eth0 && ip -n $A link set eth0 up
ip -n $B addr add 10.77.0.2/24 dev eth0 && ip -n $B link set eth0 up

# goodput over L2 for full-size segments: 1448 bytes of data per 1514-byte frame
ideal() { echo "$1" | awk '{ printf "%.0f", $1 * 1000 * 1448 / 1514 }'; }

for rate in 1000 10000 100000; do
	# a queue of 100 packets: 1.2 s at 1 Mbit/s, so the test ends promptly
	echo "index=1 rate_kbps=$rate limit_pkts=100" > "$work/rows"
	if ! ip netns exec $H "$tool" apply vif-b "$work/rows" -r -c htb,u32; then
		t_fail "$((rate / 1000)) Mbit/s: apply"; continue
	fi
	ip netns exec $B iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	srv=$!
	t_wait 5 sh -c "ip netns exec $B ss -ltn | grep -q ':5201 '"
	# No -O: iperf3 3.12 leaves the omitted seconds out of the receiver's
	# bytes but not out of its time.  The receiver's sum runs from the
	# first to the last byte, the queue's drain included.
	ip netns exec $A iperf3 -c 10.77.0.2 -p 5201 -t "$([ $rate -lt 10000 ] && echo 8 || echo 5)" \
		-J > "$work/out.json" 2>&1
	wait "$srv" 2>/dev/null; srv=""
	got=$(python3 -c "import json; print('%.0f' % json.load(open('$work/out.json'))['end']['sum_received']['bits_per_second'])" 2>/dev/null)
	if [ -z "$got" ]; then
		t_fail "$((rate / 1000)) Mbit/s: iperf3 gave no result"; sed 's/^/        /' "$work/out.json" | tail -n 5
		continue
	fi
	want=$(ideal $rate)
	err=$(awk -v g="$got" -v w="$want" 'BEGIN { printf "%+.2f", (g - w) * 100 / w }')
	msg="$((rate / 1000)) Mbit/s: goodput $((got / 1000)) kbit/s, ideal $((want / 1000)) kbit/s, error $err%"
	echo "$msg" >> "$T_BUILD/results/31-tc-rate.txt.new"
	if awk -v e="$err" 'BEGIN { exit !(e <= 3 && e >= -3) }'; then t_ok "$msg"; else t_fail "$msg (limit 3%)"; fi
done
[ -e "$T_BUILD/results/31-tc-rate.txt.new" ] && mv "$T_BUILD/results/31-tc-rate.txt.new" "$T_BUILD/results/31-tc-rate.txt"
t_done
