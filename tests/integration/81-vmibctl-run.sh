#!/usr/bin/env bash
# 81-vmibctl-run: one short experiment end to end on the real testbed
# (tests/data/experiment/smoke: a1 on h1, b1 on h2, link a1->b1 at 16 Mbit/s,
# two guest boots), then asserts on the results directory:
#   1. vmibctl run applies the scenario, plays the timeline and exits 4: the
#      command 'broken' failed (exit 1, reported), 'expected' (exit 3,
#      mayFail) is not counted; the manifest has the three files' SHA-256,
#      versions per host and guest, the planned and actual time of every
#      event, the repetition;
#   2. a background iperf3 a1->b1 meets the link's rate change (16 -> 1
#      Mbit/s) at t = 2 s: its rate before is more than twice its mean rate
#      over 3-6 s, which is at most 1.5 Mbit/s;
#   3. a sampled counter grows (b1's vif rxOctets, in samples.csv), and so
#      does the shape row's sentOctets;
#   4. the setup ran in both VMs and /tmp/ready was collected from each;
#      the link's rate is back at 16 Mbit/s afterwards (the run restores
#      the scenario as written);
#   5. vmibctl results DIR prints min/median/max of the measures;
#   6. SIGINT during a long background command (interrupt.xml): exit 130,
#      what was collected is kept (manifest: stopped, the command's status
#      file), and the command is gone from the guest;
#   8. (before 7) three repetitions (reps.xml): rep1..rep3, and vmibctl
#      results gives n = 3 with min <= median <= max for each measure;
#   9. (before 7) a refused change (a delay, where the hosts lack
#      sch_netem) is taken back: the bandwidth change after it is applied;
#   7. the scenario events (events.xml), each checked by a command after it:
#      a failed link drops a1's pings to b1 and a restored one passes them,
#      a paused b1 does not answer and a resumed one does, a scheduler
#      weight, a live migration of b1 to h1 after which b1 answers there.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 81-vmibctl-run

D=$T_TOP/tests/data/experiment/smoke
VIRT=$D/virtual.xml
t_ctl_begin || { t_done; exit $?; }
t_testbed_join 1 2 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=
json() { python3 -c "import json, sys; m = json.load(open(sys.argv[1])); $2" "$1"; }

# --- 1. the run ------------------------------------------------------------------
echo applied >"$work/applied"
"$CTL" run --wait 150 --results "$work/results" "$REAL" "$VIRT" "$D/experiment.xml" \
	>"$work/run.out" 2>"$work/run.err"
rc=$?
t_eq "run: exit 4 (a command failed)" 4 "$rc"
dir=$(sed -n 's/^run: results in //p' "$work/run.out")
if [ -z "$dir" ] || [ ! -r "$dir/manifest.json" ]; then
	t_fail "run: a results directory with manifest.json ($dir)"
	sed 's/^/        /' "$work/run.err" | tail -n 20
	t_done; exit $?
fi
t_check "results under results/smoke/<UTC timestamp>/" \
	sh -c "echo '$dir' | grep -Eq '/results/smoke/[0-9]{8}T[0-9]{6}Z$'"
M=$dir/manifest.json
t_check "manifest: the three files' SHA-256 match" json "$M" '
import hashlib
ok = all(hashlib.sha256(open(f["path"], "rb").read()).hexdigest() == f["sha256"] for f in m["files"])
sys.exit(0 if ok and [f["role"] for f in m["files"]] == ["real", "virtual", "experiment"] else 1)'
t_check "manifest: libvirt and QEMU versions of both hosts, the guests' kernel" json "$M" '
ok = len(m["hosts"]) == 2 and all(h["libvirt"] and h["qemu"] for h in m["hosts"])
ok = ok and all(g["kernel"] for g in m["guests"]) and m["vmibctl"]
sys.exit(0 if ok else 1)'
t_check "manifest: repetition 1, 5 events, each with planned and actual times" json "$M" '
r = m["repetitions"][0]; ev = r["events"]
ok = r["number"] == 1 and len(ev) == 5 and all(e["played"] and "startMs" in e for e in ev)
ok = ok and [e["plannedMs"] for e in ev] == [0, 2000, 2000, 8000, 8000]
ok = ok and ev[1]["startMs"] >= 2000
sys.exit(0 if ok else 1)'
t_check "manifest: 'broken' failed (status 1), 'expected' (mayFail, 3) did not" json "$M" '
c = {x["name"]: x for x in m["repetitions"][0]["commands"]}
ok = c["broken"]["status"] == 1 and c["broken"]["failed"] and c["expected"]["status"] == 3
ok = ok and not c["expected"]["failed"] and m["outcome"]["commandsFailed"] == 1
sys.exit(0 if ok else 1)'
R1=$dir/rep1
t_eq "broken.b1.status says exit 1" "exit 1" "$(cat "$R1/commands/broken.b1.status")"
t_check "broken.b1.stderr has cat's message" grep -q "No such file" "$R1/commands/broken.b1.stderr"

# --- 2. the rate change seen by a measurement -------------------------------------
# iperf3 -i 1 (sender): the best of the first two intervals against the mean
# of 3-6 s (one interval alone can show a burst of the socket buffer)
rates=$(python3 -c '
import re, sys
iv = [float(x) for x in re.findall(r"sec .* ([0-9.]+) Kbits/sec +[0-9]+ ", open(sys.argv[1]).read())]
print("%d %d" % (max(iv[0:2]), sum(iv[3:6]) / 3) if len(iv) >= 6 else "0 0")' "$R1/commands/load.a1.stdout")
before=${rates% *} after=${rates#* }
t_check "iperf3 before the change (${before} kbit/s) > 2x after it (mean ${after} kbit/s)" \
	test "$before" -gt $((2 * after)) -a "$after" -gt 0
t_check "after the change at most 1.5 Mbit/s (mean ${after} kbit/s, 1 Mbit/s configured)" \
	test "$after" -le 1500

# --- 3. sampled counters grow -----------------------------------------------------------
t_eq "samples.csv header" "t_ms,b1.vif1.rxOctets,b1.vif1.rxPkts,a1>b1.sentOctets,a1.cpuTimeMs" \
	"$(head -n 1 "$R1/samples.csv")"
t_check "b1's rxOctets grows over the run, and the shape row's sentOctets too" python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["b1.vif1.rxOctets"]]
a, b = rows[0], rows[-1]
sys.exit(0 if len(rows) > 10 and int(b["b1.vif1.rxOctets"]) > int(a["b1.vif1.rxOctets"]) + 1000000
         and int(b["a1>b1.sentOctets"]) > int(a["a1>b1.sentOctets"]) else 1)' "$R1/samples.csv"

# --- 4. setup, collection, the scenario as written again -----------------------------
t_eq "setup ran in a1 and b1; /tmp/ready collected from each" "a1 b1" \
	"$(cat "$R1/files/a1/_tmp_ready" "$R1/files/b1/_tmp_ready" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
"$CTL" plan "$REAL" "$VIRT" >"$work/plan.out" 2>&1
t_check "after the run the scenario is as written (plan: nothing to do)" \
	grep -q "plan: 0 to create, 0 to change, 0 to replace, 0 to delete" "$work/plan.out"

# --- 5. vmibctl results -------------------------------------------------------------
"$CTL" results "$dir" >"$work/results.out" 2>&1
t_eq "results: exit 0" 0 "$?"
t_check "results: min/median/max of the load's duration" \
	grep -Eq '^cmd.load.a1.seconds +1 ' "$work/results.out"

# --- 6. SIGINT ----------------------------------------------------------------------------
"$CTL" run --no-apply --results "$work/results" "$REAL" "$VIRT" "$D/interrupt.xml" \
	>"$work/int.out" 2>"$work/int.err" &
pid=$!
t_wait 60 grep -q "event 2/2 wait" "$work/int.err" || t_fail "interrupt: the wait began"
kill -INT "$pid"
wait "$pid"
rc=$?
t_eq "SIGINT: exit 130" 130 "$rc"
idir=$(sed -n 's/^run: results in //p' "$work/int.out")
t_check "SIGINT: manifest says stopped, signal 2" json "$idir/manifest.json" '
o = m["outcome"]; sys.exit(0 if o["stopped"] and o["signal"] == 2 else 1)'
t_check "SIGINT: the command's output and status were kept" \
	sh -c "grep -q started '$idir/rep1/commands/long.a1.stdout' && grep -q '^stopped' '$idir/rep1/commands/long.a1.status'"
t_check "SIGINT: the command is gone from the guest" \
	sh -c "! \"$CTL\" exec --real \"$REAL\" a1 -- 'kill -0 \$(cat /tmp/long.pid)' 2>/dev/null"

# --- 8. repetitions ---------------------------------------------------------------------
"$CTL" run --no-apply --results "$work/results" "$REAL" "$VIRT" "$D/reps.xml" \
	>"$work/reps.out" 2>"$work/reps.err"
t_eq "repetitions: exit 0" 0 "$?"
rdir=$(sed -n 's/^run: results in //p' "$work/reps.out")
t_check "repetitions: rep1, rep2, rep3 each with the command's output" \
	sh -c "for k in 1 2 3; do grep -q '^exit 0' '$rdir/rep'\$k/commands/step.a1.status || exit 1; done"
"$CTL" --json results "$rdir" >"$work/reps.json"
t_check "results --json: n 3 and min <= median <= max (cmd.step.a1.seconds >= 0.3)" \
	json "$work/reps.json" '
x = {v["measure"]: v for v in m["measures"]}["cmd.step.a1.seconds"]
lo, md, hi = float(x["min"]), float(x["median"]), float(x["max"])
sys.exit(0 if m["repetitions"] == 3 and x["n"] == 3 and 0.3 <= lo <= md <= hi else 1)'

# --- 9. a refused change is taken back ------------------------------------------------------
"$CTL" run --no-apply --results "$work/results" "$REAL" "$VIRT" "$D/undo.xml" \
	>"$work/undo.out" 2>"$work/undo.err"
udir=$(sed -n 's/^run: results in //p' "$work/undo.out")
if json "$udir/manifest.json" 'sys.exit(0 if m["repetitions"][0]["events"][0]["failed"] else 1)'; then
	t_check "undo: the delay was refused for want of sch_netem" json "$udir/manifest.json" '
sys.exit(0 if "sch_netem" in m["repetitions"][0]["events"][0]["detail"] else 1)'
	t_check "undo: the bandwidth change after it was applied" json "$udir/manifest.json" '
sys.exit(1 if m["repetitions"][0]["events"][1]["failed"] else 0)'
else
	t_skip "undo: the hosts have sch_netem, the delay was not refused (nothing to take back)"
fi

# --- 7. scenario events -------------------------------------------------------------------
"$CTL" run --no-apply --wait 120 --results "$work/results" "$REAL" "$VIRT" "$D/events.xml" \
	>"$work/ev.out" 2>"$work/ev.err"
rc=$?
t_eq "events: exit 0" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/        /' "$work/ev.err" | tail -n 15
edir=$(sed -n 's/^run: results in //p' "$work/ev.out")
st() { cut -d' ' -f1-2 "$edir/rep1/commands/$1.status" 2>/dev/null; }
t_eq "events: a1 pings b1 before" "exit 0" "$(st before.a1)"
t_eq "events: link failed: the pings are lost" "exit 1" "$(st failed.a1)"
t_eq "events: link restored: they pass" "exit 0" "$(st restored.a1)"
t_eq "events: b1 paused: no answer" "exit 1" "$(st paused.a1)"
t_eq "events: b1 resumed: it answers" "exit 0" "$(st resumed.a1)"
t_eq "events: b1 migrated to h1 answers a command there" "b1" \
	"$(cat "$edir/rep1/commands/moved.b1.stdout" 2>/dev/null)"
t_check "events: every change event applied (manifest: none failed)" json "$edir/manifest.json" '
ev = m["repetitions"][0]["events"]
sys.exit(0 if all(not e["failed"] for e in ev if e["kind"] != "run") and len(ev) == 12 else 1)'

t_done
