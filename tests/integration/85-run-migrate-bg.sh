#!/usr/bin/env bash
# 85-run-migrate-bg: a background command of vmibctl run goes on in its VM
# across a live migration, and the run collects its output and exit status
# from the VM's current host (the guest agent's table of commands is in the
# guest's memory and moves with it).  Two VMs (m1 on h1, m2 on h2):
#   1. the timeline starts a command in m2 (prints, sleeps, prints, exits
#      7), migrates m2 to h1 and waits for the command: both lines and
#      "exit 7" are collected, the migration is applied;
#   2. the same command, with m2 moved by someone else (vmibctl migrate,
#      not the run) while the run waits for it: the run finds m2 on its new
#      host and collects the same (before, it asked m2's old host for 60 s
#      and reported "no such domain").
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 85-run-migrate-bg

t_ctl_begin || { t_done; exit $?; }
t_testbed_join 1 2 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=

cat >"$VIRT" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<virtualEnvironment xmlns="urn:vmib:virtual:1" name="mig85">
  <subnet name="s85" prefix="10.85.0.0/24"/>
  <vm name="m1" host="h1"><interface subnet="s85" address="10.85.0.1"/></vm>
  <vm name="m2" host="h2"><interface subnet="s85" address="10.85.0.2"/></vm>
</virtualEnvironment>
EOF
CMD='echo started; sleep 8; echo finished; exit 7'
cat >"$work/timeline.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<experiment xmlns="urn:vmib:experiment:1" name="mig85" tolerance="60s">
  <environment real="real.xml" virtual="virtual.xml"/>
  <timeline>
    <run at="0s" vm="m2" name="bg" background="true" mayFail="true">$CMD</run>
    <migrate at="1s" vm="m2" to="h1"/>
    <wait at="1s" for="bg"/>
  </timeline>
</experiment>
EOF
cat >"$work/outside.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<experiment xmlns="urn:vmib:experiment:1" name="mig85x" tolerance="60s">
  <environment real="real.xml" virtual="virtual.xml"/>
  <timeline>
    <run at="0s" vm="m2" name="bg" background="true" mayFail="true">$CMD</run>
    <wait at="0s" for="bg"/>
  </timeline>
</experiment>
EOF

# collected DIR: the command's stdout (one line) and status, as "OUT|STATUS"
collected() {
	printf '%s|%s' "$(tr '\n' ' ' <"$1/rep1/commands/bg.m2.stdout" 2>/dev/null)" \
		"$(cat "$1/rep1/commands/bg.m2.status" 2>/dev/null)"
}
# --- 1. migrated by the timeline ----------------------------------------------------
echo applied >"$work/applied"
"$CTL" run --wait 200 --results "$work/results" "$REAL" "$VIRT" "$work/timeline.xml" \
	>"$work/t.out" 2>"$work/t.err"
t_eq "timeline migration: run exit 0" 0 "$?"
dir=$(sed -n 's/^run: results in //p' "$work/t.out")
t_eq "timeline migration: the command's output and status collected" \
	"started finished |exit 7" "$(collected "$dir")"
t_check "timeline migration: the migrate event was applied" python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["repetitions"][0]["events"]
sys.exit(0 if ev[1]["kind"] == "migrate" and not ev[1]["failed"] else 1)' "$dir/manifest.json"

# --- 2. migrated by someone else during the run -----------------------------------
# (the run restored the scenario: m2 is on h2 again)
"$CTL" run --no-apply --results "$work/results" "$REAL" "$VIRT" "$work/outside.xml" \
	>"$work/x.out" 2>"$work/x.err" &
pid=$!
t_wait 60 grep -q "event 2/2 wait" "$work/x.err" || t_fail "outside: the wait began"
"$CTL" migrate "$REAL" "$VIRT" m2 h1 >"$work/mig.out" 2>&1
t_eq "outside: vmibctl migrate m2 h1 exit 0" 0 "$?"
wait "$pid"
t_eq "outside: run exit 0" 0 "$?"
xdir=$(sed -n 's/^run: results in //p' "$work/x.out")
t_eq "outside: the command's output and status collected from h1" \
	"started finished |exit 7" "$(collected "$xdir")"
[ -r "$xdir/rep1/commands/bg.m2.status" ] || sed 's/^/        /' "$work/x.err" | tail -n 10

t_done
