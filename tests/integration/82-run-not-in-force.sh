#!/usr/bin/env bash
# 82-run-not-in-force: vmibctl run says what a host could not put in force
# (tests/data/experiment/netem: a82 and b82 on h1, a link a82->b82 with a
# delay, its way back with a rate only), on a host kernel without
# sch_netem, where the agent accepts a delay row and reads it unsupported:
#   1. the scenario's row a82>b82 is warned about on stderr ("not in
#      force", the agent's reason) and listed in manifest.json notInForce;
#      the row b82>a82 (in force) is not;
#   2. a link event changing b82->a82's rate succeeds;
#   3. a link event changing a82->b82's delay fails, its detail naming the
#      row and "unsupported", and the run exits 4; the command after it
#      still runs.
# Skipped where the host kernel has sch_netem (nothing is out of force).
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 82-run-not-in-force

D=$T_TOP/tests/data/experiment/netem
VIRT=$D/virtual.xml
t_ctl_begin || { t_done; exit $?; }
probe=vmib-t82-probe-$$
if ip netns add $probe 2>/dev/null && ip -n $probe link add p0 type veth peer name p1 &&
	ip netns exec $probe tc qdisc add dev p0 root netem delay 1ms 2>/dev/null; then
	ip netns del $probe 2>/dev/null
	t_skip "all checks: this host's kernel has sch_netem (every row is in force)"
	t_done; exit $?
fi
ip netns del $probe 2>/dev/null
t_testbed_join 1 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=
json() { python3 -c "import json, sys; m = json.load(open(sys.argv[1])); $2" "$1"; }

echo applied >"$work/applied"
"$CTL" run --wait 150 --results "$work/results" "$REAL" "$VIRT" "$D/experiment.xml" \
	>"$work/run.out" 2>"$work/run.err"
rc=$?
dir=$(sed -n 's/^run: results in //p' "$work/run.out")
if [ -z "$dir" ] || [ ! -r "$dir/manifest.json" ]; then
	t_fail "run: a results directory with manifest.json ($dir)"
	sed 's/^/        /' "$work/run.err" | tail -n 20
	t_done; exit $?
fi
M=$dir/manifest.json
t_check "stderr: the scenario's a82>b82 row is not in force, with the agent's reason" \
	grep -Eq '^run: warning: not in force: h1: shape b82/1/[0-9]+ a82>b82 is unsupported: .+' \
	"$work/run.err"
t_check "stderr: the row b82>a82 is not warned about" \
	sh -c "! grep -q 'b82>a82' '$work/run.err'"
t_check "manifest: notInForce lists exactly the a82>b82 row" json "$M" '
n = m["notInForce"]
sys.exit(0 if len(n) == 1 and "a82>b82 is unsupported" in n[0] else 1)'
t_check "manifest: the rate change of b82->a82 succeeded" json "$M" '
e = m["repetitions"][0]["events"][0]
sys.exit(0 if e["kind"] == "link" and e["played"] and not e["failed"] else 1)'
t_check "manifest: the delay change of a82->b82 failed, naming the row and why" json "$M" '
e = m["repetitions"][0]["events"][1]
d = e.get("detail") or ""
sys.exit(0 if e["failed"] and "a82>b82 is unsupported" in d and d.startswith("h1: shape b82/") else 1)'
t_eq "run: exit 4 (an event failed)" 4 "$rc"
t_eq "the command after it still ran" "still played" \
	"$(cat "$dir/rep1/commands/after.a82.stdout" 2>/dev/null)"
t_done
