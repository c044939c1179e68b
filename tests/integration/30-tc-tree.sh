#!/usr/bin/env bash
# 30-tc-tree: the shaping backend (agent/tc.c) against the real kernel, on
# a veth pair in two network namespaces this script creates and deletes.
#
#   - the capability probe agrees with tc(8) about netem;
#   - the qdisc tree of a row set is what tc.c draws (tc -d qdisc/class/
#     filter show), and traffic lands in the class of its source prefix;
#   - every valid case of tests/data/tc/ applied incrementally (old, then
#     old -> new) leaves the same classes, leaves and filters as new applied
#     from scratch;
#   - changing or adding other rows does not recreate a row's class (its
#     counters keep counting), and removing the last row leaves the vif as
#     it was;
#   - a root qdisc that is not vmibd's is never touched.
# Needs root and network namespaces; skipped with the reason otherwise.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=1   # shape-tool-san: a leak is a failure
t_begin 30-tc-tree

NS=vmib-t30
NSP=vmib-t30p
work=$(mktemp -d)
cleanup() {
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NSP" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"
	t_done
	exit $?
fi
if ! tool=$("$T_TOP/tests/bench/shape-build" --san 2>"$work/build.log"); then
	t_fail "building shape-tool"
	sed 's/^/        /' "$work/build.log" | tail -n 20
	t_done
	exit $?
fi

in_ns() { ip netns exec "$NS" "$@"; }
st() { in_ns "$tool" "$@"; }

ip netns add "$NS" && ip netns add "$NSP" || { t_fail "creating namespaces"; t_done; exit 1; }
ip link add v30a netns "$NS" type veth peer name v30b netns "$NSP"
in_ns ip link add v30c type veth peer name v30d
ip -n "$NS" addr add 10.2.0.1/24 dev v30a
ip -n "$NSP" addr add 10.2.0.2/24 dev v30b
for d in v30a v30c v30d lo; do ip -n "$NS" link set "$d" up; done
ip -n "$NSP" link set v30b up

# --- capabilities -----------------------------------------------------------
caps=$(st caps | sed -n 's/^caps //p')
echo "  probed: $caps"
case ",$caps," in *,htb,*) t_ok "probe finds htb" ;; *) t_fail "probe finds no htb" ;; esac
case ",$caps," in *,u32,*) t_ok "probe finds u32" ;; *) t_fail "probe finds no u32" ;; esac
ip netns add vmib-t30x
if ip netns exec vmib-t30x tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then tc_netem=yes; else tc_netem=no; fi
ip netns del vmib-t30x
case ",$caps," in *,netem,*) probe_netem=yes ;; *) probe_netem=no ;; esac
t_eq "probe and tc(8) agree on netem" "$tc_netem" "$probe_netem"
before=$(in_ns tc qdisc show dev v30a)

# --- the tree ------------------------------------------------------------------
cat > "$work/tree.rows" <<'EOF'
index=1 src=10.1.0.0/24 rate_kbps=1000
index=2 src=10.2.0.0/24 rate_kbps=2000 burst_bytes=4000
index=3 src=10.1.0.7/32 rate_kbps=500 limit_pkts=20
index=9 rate_kbps=100000
EOF
t_check "apply 4 rows" st apply v30a "$work/tree.rows" -c "$caps"
q=$(in_ns tc -d qdisc show dev v30a)
c=$(in_ns tc -d class show dev v30a)
f=$(in_ns tc filter show dev v30a)
has() { grep -qE -- "$2" <<<"$1"; }
t_check "root htb 7600: with default ffff" has "$q" '^qdisc htb 7600: root .*default 0xffff'
t_check "pfifo leaf limit 20 under 7600:3" has "$q" '^qdisc pfifo [0-9a-f]+: parent 7600:3 limit 20p'
t_check "class 7600:1 at 1Mbit" has "$c" '^class htb 7600:1 root .*rate 1Mbit ceil 1Mbit'
t_check "class 7600:2 burst 4000b" has "$c" '^class htb 7600:2 root .*rate 2Mbit ceil 2Mbit.* burst 4000b'
t_check "whole-vif class 7600:ffff at 100Mbit" has "$c" '^class htb 7600:ffff root .*rate 100Mbit'
t_check "/24 node 118::1 -> 7600:1" has "$f" 'fh 118::1 .*flowid 7600:1'
t_check "/32 node 120::3 -> 7600:3" has "$f" 'fh 120::3 .*flowid 7600:3'
t_check "/32 table linked first (800::1)" has "$f" 'fh 800::1 order 1 .*link 120:'
t_check "/24 table linked after (800::89)" has "$f" 'fh 800::89 order 137 .*link 118:'
t_check "match key 10.1.0.0/24 at 12" has "$f" 'match 0a010000/ffffff00 at 12'

# traffic from 10.2.0.1 must land in class 2 only
ip netns exec "$NS" ping -q -c 20 -i 0.01 -W 1 10.2.0.2 >/dev/null 2>&1
cnt() { st counters v30a "$work/tree.rows" | sed -n "s/^index=$1 .*sent_pkts=\([0-9]*\) .*/\1/p"; }
c2=$(cnt 2); c1=$(cnt 1); c3=$(cnt 3)
if [ "${c2:-0}" -ge 20 ] && [ "${c1:-1}" -eq 0 ] && [ "${c3:-1}" -eq 0 ]; then
	t_ok "pings from 10.2.0.1 counted in class 2 only ($c2 packets)"
else
	t_fail "class counters after 20 pings from 10.2.0.1: 1=$c1 2=$c2 3=$c3"
fi

# change row 1, add row 4, remove row 3: row 2's class must stay (no reset)
cat > "$work/tree2.rows" <<'EOF'
index=1 src=10.1.0.0/24 rate_kbps=3000
index=2 src=10.2.0.0/24 rate_kbps=2000 burst_bytes=4000
index=4 src=10.4.0.0/16 rate_kbps=700 limit_pkts=10
index=9 rate_kbps=100000
EOF
t_check "change/add/remove other rows" st apply v30a "$work/tree2.rows" "$work/tree.rows" -c "$caps"
c2b=$(cnt 2)
if [ "${c2b:-0}" -ge "${c2:-1}" ]; then
	t_ok "row 2's class untouched by the others' changes ($c2 -> $c2b packets)"
else
	t_fail "row 2's counters went back from $c2 to $c2b: its class was recreated"
fi
c=$(in_ns tc -d class show dev v30a)
t_check "row 1 changed in place to 3Mbit" has "$c" '^class htb 7600:1 root .*rate 3Mbit'
if has "$c" '^class htb 7600:3 '; then t_fail "row 3's class still there"; else t_ok "row 3's class removed"; fi

t_check "remove every row" st apply v30a - "$work/tree2.rows" -c "$caps"
t_eq "the vif is as it was before the first row" "$before" "$(in_ns tc qdisc show dev v30a)"

# --- incremental == from scratch, for every valid data case -----------------
# Leaf qdiscs get kernel-chosen handles and emptied u32 tables are kept
# (tc.c explains why), and htb's direct-queue counter counts whatever IPv6
# chatter the namespace sends: these are left out of the comparison.
state() {
	{
		in_ns tc qdisc show dev "$1" | sed -E -e 's/^qdisc ([a-z_]+) [0-9a-f]+:/qdisc \1 X:/' -e 's/ direct_packets_stat [0-9]+//' | sort
		in_ns tc -d class show dev "$1" | sed -E 's/ leaf [0-9a-f]+://'
		in_ns tc filter show dev "$1" | grep -v -e 'ht divisor' -e 'chain 0 $'
	} 2>&1
}
n_cases=0
for in in "$T_TOP"/tests/data/tc/*.in; do
	name=$(basename "$in" .in)
	grep -q '^result: ok' "${in%.in}.expected" || continue
	grep -q '^fail-at' "$in" && continue
	if [ "$probe_netem" = no ] && grep -Eq '^(old|new) .*(delay|jitter|loss|duplicate|corrupt|reorder)_' "$in"; then
		t_skip "case $name: needs sch_netem, which this kernel lacks (tested in a guest)"
		continue
	fi
	sed -n 's/^old //p' "$in" > "$work/old.rows"
	sed -n 's/^new //p' "$in" > "$work/new.rows"
	flags=""; grep -q '^flags reset' "$in" && flags=-r
	mtu=$(sed -n 's/^vif .* mtu=\([0-9]*\).*/\1/p' "$in")
	for d in v30c v30d; do in_ns ip link set "$d" mtu "${mtu:-1500}"; done
	in_ns tc qdisc del dev v30c root 2>/dev/null
	in_ns tc qdisc del dev v30d root 2>/dev/null
	if ! out=$(st apply v30c "$work/old.rows" -c all 2>&1 && \
		   st apply v30c "$work/new.rows" "$work/old.rows" $flags -c all 2>&1 && \
		   st apply v30d "$work/new.rows" -c all 2>&1); then
		t_fail "case $name: the kernel refused a request: $out"
		continue
	fi
	if [ "$(state v30c)" = "$(state v30d)" ]; then
		t_ok "case $name: incremental = from scratch"
	else
		t_fail "case $name: incremental and from-scratch trees differ"
		diff <(state v30c) <(state v30d) | sed 's/^/        /' | head -n 20
	fi
	n_cases=$((n_cases + 1))
done
[ "$n_cases" -ge 8 ] && t_ok "$n_cases data cases replayed" || t_fail "only $n_cases data cases replayed"

# --- a root qdisc that is not ours (libvirt's <bandwidth>, an admin's) -------
in_ns tc qdisc del dev v30d root 2>/dev/null
in_ns tc qdisc add dev v30d root handle 1: htb default 1
foreign=$(in_ns tc qdisc show dev v30d)
out=$(st apply v30d "$work/tree.rows" -r -c "$caps" 2>&1); rc=$?
t_eq "foreign root qdisc: refused" 1 "$rc"
case $out in
*"another root qdisc, not vmibd's 7600:, is in place"*) t_ok "foreign root qdisc: the reason says so" ;;
*) t_fail "foreign root qdisc: message: $out" ;;
esac
t_eq "foreign root qdisc: untouched, even with a reset" "$foreign" "$(in_ns tc qdisc show dev v30d)"

t_done
