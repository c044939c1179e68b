#!/usr/bin/env bash
# 80-vmibctl-exec: commands in guests through the hypervisor, on the real
# testbed.  vmibctl apply makes two VMs (q1 on
# h1, q2 on h2, from the domain XML vmibd generates, which carries the guest
# agent's virtio-serial channel; their one interface is on a subnet nothing
# outside routes to); then vmibctl exec, with only the real environment
# file to find them:
#   1. runs a command in each guest and finds each on its host; takes the
#      guest's interface down and still reaches it (no guest network);
#   2. gives the command's exit status, its stdout and stderr apart, and the
#      same in JSON; several words are quoted like ssh would not (each one);
#   3. stops a command at --timeout (exit 255, the guest process is gone);
#   4. names an unknown VM (exit 255), refuses a missing command (exit 2);
#   5. --exec TEMPLATE runs through the given access command instead.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 80-vmibctl-exec

t_ctl_begin || { t_done; exit $?; }
t_testbed_join 1 2 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=

cat >"$VIRT" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<virtualEnvironment xmlns="urn:vmib:virtual:1" name="exec80">
  <subnet name="s80" prefix="10.80.0.0/24"/>
  <vm name="q1" host="h1"><interface subnet="s80" address="10.80.0.1"/></vm>
  <vm name="q2" host="h2"><interface subnet="s80" address="10.80.0.2"/></vm>
</virtualEnvironment>
EOF

echo applied >"$work/applied"
if ! "$CTL" apply --wait 120 "$REAL" "$VIRT" >"$work/apply.out" 2>&1; then
	t_fail "apply two VMs"
	sed 's/^/        /' "$work/apply.out" | tail -n 20
	t_done; exit $?
fi
t_ok "apply two VMs (q1 on h1, q2 on h2)"

x() { "$CTL" exec --real "$REAL" "$@"; }
# the guest agent starts with the guest's /init: poll until it answers
for vm in q1 q2; do
	t_wait 120 x "$vm" -- true || t_fail "$vm: the guest agent answers (exec true)"
done

# --- 1. each guest, on its host, with no network ----------------------------------
for vm in q1 q2; do
	t_eq "$vm: exec reads the guest's host name" "$vm" "$(x "$vm" -- cat /proc/sys/kernel/hostname)"
	x "$vm" -- 'ip link set eth0 down' >/dev/null 2>&1
	t_eq "$vm: with its interface down, exec still reaches it" \
		"DOWN" "$(x "$vm" -- 'ip -o link show eth0' | grep -o 'state [A-Z]*' | cut -d' ' -f2)"
	t_eq "$vm: no interface is up but lo" "lo" "$(x "$vm" -- 'ip -o link show up' | awk -F': ' '{print $2}' | tr '\n' ' ' | sed 's/ $//')"
done
uri2=$(sed -n 's/.*name="h2".*libvirt="\([^"]*\)".*/\1/p' "$REAL")
t_eq "q2 found at h2's libvirt URI (--connect gives the same)" q2 \
	"$("$CTL" exec --connect "$uri2" q2 -- cat /proc/sys/kernel/hostname)"

# --- 2. status, stdout, stderr, JSON, words -----------------------------------
x q1 -- 'echo to-out; echo to-err >&2; exit 7' >"$work/o" 2>"$work/e"
rc=$?
t_eq "exit status of the command (7)" 7 "$rc"
t_eq "its stdout alone on stdout" to-out "$(cat "$work/o")"
t_eq "its stderr alone on stderr" to-err "$(cat "$work/e")"
"$CTL" --json exec --real "$REAL" q2 -- 'printf "a\"b"; exit 3' >"$work/j"
rc=$?
t_eq "--json: exit status 3" 3 "$rc"
t_check "--json: status and stdout in the object" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["status"] == 3 and j["stdout"] == "a\"b" and j["exited"] and j["vm"] == "q2" else 1)' "$work/j"
t_eq "several words: each one quoted" "a  b|c'd" "$(x q1 -- printf '%s|' 'a  b' "c'd" | sed 's/|$//')"

# --- 3. timeout -----------------------------------------------------------------
x --timeout 2 q1 -- 'echo $$ >/tmp/t80.pid; sleep 300' >/dev/null 2>"$work/te"
rc=$?
t_eq "--timeout 2: exit 255" 255 "$rc"
t_check "--timeout: says it timed out" grep -q "timed out" "$work/te"
t_check "--timeout: the guest's sleep is gone" \
	sh -c "! \"$CTL\" exec --real \"$REAL\" q1 -- 'kill -0 \$(cat /tmp/t80.pid)' 2>/dev/null"

# --- 4. errors ---------------------------------------------------------------------
x nosuch -- true >/dev/null 2>"$work/ne"
rc=$?
t_eq "unknown VM: exit 255" 255 "$rc"
t_check "unknown VM: named in the message" grep -q "VM nosuch: not running on any host" "$work/ne"
x q1 >/dev/null 2>&1
t_eq "no command: usage, exit 2" 2 "$?"

# --- 5. --exec TEMPLATE --------------------------------------------------------------
# an access command of the user's: here vmibctl exec itself, with {vm} replaced
t_eq "--exec TEMPLATE: runs the template with {vm} and the command" q2 \
	"$("$CTL" exec --real "$REAL" --exec "$CTL exec --real $REAL {vm} --" q2 -- cat /proc/sys/kernel/hostname)"

t_done
