#!/usr/bin/env bash
# 34-tc-netem-host: on a kernel without sch_netem (this project's hosts), a
# shape request that needs NetEm fails cleanly and changes nothing:
#   - with the probed capabilities it is refused before any request is
#     sent, with the row's error "kernel has no sch_netem";
#   - told (wrongly) that netem exists, the backend sends the requests, the
#     kernel refuses the netem leaf half-way, and the previous shaping is
#     put back: the tree is again exactly what it was.
# On a kernel with sch_netem there is nothing to refuse: skipped (NetEm
# itself is tested in a guest).  Needs root and network namespaces.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1   # shape-tool-san: a leak is a failure
t_begin 34-tc-netem-host

NS=vmib-t34
work=$(mktemp -d)
cleanup() { ip netns del $NS 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
if ! tool=$("$T_TOP/tests/bench/shape-build" --san 2>"$work/build.log"); then
	t_fail "building shape-tool"; sed 's/^/        /' "$work/build.log" | tail -n 20
	t_done; exit $?
fi
st() { ip netns exec $NS "$tool" "$@"; }
ip netns add $NS
ip -n $NS link add v34a type veth peer name v34b
ip -n $NS link set v34a up && ip -n $NS link set v34b up

caps=$(st caps | sed -n 's/^caps //p')
case ",$caps," in
*,netem,*)
	t_skip "this kernel has sch_netem: nothing to refuse (NetEm is tested in a guest)"
	t_done; exit $? ;;
esac

snap() { ip netns exec $NS sh -c 'tc -d qdisc show dev v34a; tc -d class show dev v34a; tc filter show dev v34a' | sed -E 's/ direct_packets_stat [0-9]+//'; }
empty=$(snap)

# on a bare vif
echo "index=1 delay_us=10000" > "$work/netem.rows"
out=$(st apply v34a "$work/netem.rows" 2>&1); rc=$?
t_eq "bare vif: refused (exit 1)" 1 "$rc"
t_eq "bare vif: the reason" "shape-tool: kernel has no sch_netem" "$out"
t_eq "bare vif: nothing changed" "$empty" "$(snap)"

# on a vif with shaping in force
cat > "$work/base.rows" <<'EOF2'
index=1 src=10.1.0.0/24 rate_kbps=1000
index=2 rate_kbps=5000 limit_pkts=30
EOF2
cat > "$work/want.rows" <<'EOF2'
index=1 src=10.1.0.0/24 rate_kbps=2000
index=2 rate_kbps=5000 limit_pkts=30
index=3 src=10.3.0.0/24 rate_kbps=1000 loss_ppm=10000
EOF2
t_check "base rows" st apply v34a "$work/base.rows" -c "$caps"
base=$(snap)
out=$(st apply v34a "$work/want.rows" "$work/base.rows" 2>&1); rc=$?
t_eq "shaped vif: refused (exit 1)" 1 "$rc"
t_eq "shaped vif: the reason" "shape-tool: kernel has no sch_netem" "$out"
t_eq "shaped vif: nothing changed" "$base" "$(snap)"

out=$(st apply v34a "$work/want.rows" "$work/base.rows" -c all 2>&1); rc=$?
t_eq "kernel refusal half-way: exit 1" 1 "$rc"
case $out in
*"shape 3 on v34a: qdisc replace: "*"previous shaping restored"*) t_ok "kernel refusal: reason and roll-back reported ($out)" ;;
*) t_fail "kernel refusal: unexpected message: $out" ;;
esac
# the roll-back rebuilds: leaf handles are the kernel's choice again
norm() { sed -E 's/^qdisc pfifo [0-9a-f]+:/qdisc pfifo X:/; s/ leaf [0-9a-f]+://'; }
t_eq "kernel refusal: the previous tree is back" "$(norm <<<"$base")" "$(snap | norm)"
t_done
