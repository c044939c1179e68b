#!/usr/bin/env bash
# 61-vmibctl-netsnmp: vmibctl's Net-SNMP client end to end, through two
# real snmpd (SNMPv3 authPriv and SNMPv2c, on 127.0.0.1 and .2) whose vMIB subtree
# is a plain store (a pass_persist script that keeps what is SET, with
# RowStatus createAndGo/destroy; no VM, no shaping).  What vmibd does with
# the SETs is 60-vmibctl-apply's business; this test checks the client:
#   - plan walks the tables of both hosts (GETBULK through a real agent)
#     with the flags of snmpwalk (-v3 -u -l -a -A -x -X, -v2c -c) or with
#     snmp.conf defaults (SNMPCONFPATH);
#   - apply encodes every SNMP type it writes (INTEGER, Gauge32, IpAddress,
#     OCTET STRING, MacAddress), many varbinds per PDU, and reads them back
#     equal: a second apply sends no SET (snmpInSetRequests unchanged) and
#     plan is empty;
#   - a SET that takes longer than the timeout (-t) is not sent twice (a
#     createAndGo would fail the second time);
#   - a wrong passphrase, a wrong community and a host that does not
#     answer give one clear line per host, exit 4, and the other host is
#     served; -t/-r bound the wait;
#   - destroy leaves the stores as they were.
# Needs snmpd and python3; no root, no namespaces (loopback only).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 61-vmibctl-netsnmp

CTL=$T_BUILD/bin/vmibctl
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

for tool in snmpd snmpget python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool is not installed"; t_done; exit $?
	fi
done
[ -x "$CTL" ] || { t_fail "build/bin/vmibctl missing (make)"; t_done; exit $?; }

# --- the store behind pass_persist ------------------------------------------------------
# (a GET of an instance that does not exist answers an empty string: snmpd
# asks before every SET, and vmibctl reads with GETBULK only)
cat >"$work/store.py" <<'EOF'
import sys, time
ROOT = (1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 42, 1)
RS = {3: 17, 4: 17, 5: 20, 6: 11, 7: 5}       # table -> RowStatus column
IDX = {3: 1, 4: 2, 5: 3, 6: 1, 7: 1}          # table -> index length
store, name = {}, sys.argv[1]
slow = open(sys.argv[2], "a") if len(sys.argv) > 2 else None  # slow VM creation, logged
def put(o, t, v): store[o] = (t, v)
put(ROOT + (1, 1, 0), "string", name)
put(ROOT + (1, 2, 0), "string", "STORE")
put(ROOT + (1, 8, 0), "octet", "DE")
put(ROOT + (1, 11, 0), "integer", "1")
put(ROOT + (1, 13, 0), "integer", "1")
def oid(s): return tuple(int(x) for x in s.strip().strip(".").split("."))
def txt(o): return "." + ".".join(str(x) for x in o)
def drop(table, prefix):
    for o in [o for o in store if o[:13] == ROOT + (table, 1) and o[14:14 + len(prefix)] == prefix]:
        del store[o]
def set_(o, line):
    t, _, v = line.rstrip("\n").partition(" ")
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        v = v[1:-1]
    table = o[11] if len(o) > 13 else 0       # ROOT, table, entry 1, column, index
    if table in RS and o[13] == RS[table] and t == "integer":
        ix = o[14:]
        if v == "6":
            drop(table, ix)
            if table == 3:
                drop(4, ix); drop(5, ix)
            return
        if v == "4":
            v = "1"
    put(o, t, v)
def out(*l):
    sys.stdout.write("\n".join(l) + "\n"); sys.stdout.flush()
while True:
    cmd = sys.stdin.readline()
    if not cmd:
        break
    if cmd == "\n":         # snmpd ends a set with an empty line
        continue
    cmd = cmd.strip()
    if cmd == "PING":
        out("PONG"); continue
    o = oid(sys.stdin.readline())
    if cmd == "get":
        # snmpd asks for the instance before a SET: one that does not exist
        # yet must look writable, or it could never be created
        out(txt(o), *store.get(o, ("string", "")))
    elif cmd == "getnext":
        nxt = [k for k in sorted(store) if k > o]
        out(txt(nxt[0]), *store[nxt[0]]) if nxt else out("NONE")
    elif cmd == "set":
        line = sys.stdin.readline()
        if slow and len(o) > 14 and o[11] == 3 and o[13] == 17:   # vmibVmRowStatus
            slow.write(txt(o) + " " + line); slow.flush()
            time.sleep(1.5)
        set_(o, line); out("DONE")
EOF

# start_snmpd N PORT [LOG]: a private snmpd on 127.0.0.N:PORT serving store
# "sN"; with LOG, the store takes 1.5 s per SET of vmibVmRowStatus (as an
# agent defining and starting a VM does) and writes each to LOG
start_snmpd() {
	local n=$1 port=$2 d="$work/s$1"
	mkdir -p "$d/persist"
	cat >"$d/snmpd.conf" <<EOF
agentaddress udp:127.0.0.$n:$port
createUser vmibtest SHA-256 "vmib-auth-pass" AES "vmib-priv-pass"
rwuser vmibtest priv .1
rwcommunity vmibrw 127.0.0.0/8 .1
pass_persist .1.3.6.1.4.1.8072.9999.9999.42.1 /usr/bin/python3 $work/store.py s$n ${3:-}
EOF
	SNMP_PERSISTENT_DIR=$d/persist snmpd -f -Lf "$d/snmpd.log" -C -c "$d/snmpd.conf" \
		-p "$d/snmpd.pid" -I -smux,mteTrigger,mteTriggerConf >/dev/null 2>&1 &
	pids="$pids $!"
}
start_snmpd 1 16181
start_snmpd 2 16182 "$work/s2-vm-sets"   # s2 takes 1.5 s per VM RowStatus SET
cat >"$work/real.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<realEnvironment xmlns="urn:vmib:real:1">
  <host name="s1" address="127.0.0.1" snmp="udp:127.0.0.1:16181"
        libvirt="test:///default" cpus="1" memoryMiB="1024" bridge="br0"/>
  <host name="s2" address="127.0.0.2" snmp="udp:127.0.0.2:16182"
        libvirt="test:///default" cpus="1" memoryMiB="1024" bridge="br0"/>
</realEnvironment>
EOF
cat >"$work/virtual.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<virtualEnvironment xmlns="urn:vmib:virtual:1" name="netsnmp">
  <subnet name="east" prefix="10.1.0.0/24" gateway="10.1.0.1"/>
  <subnet name="west" prefix="10.2.0.0/24"/>
  <vm name="r1" host="s1" memoryMiB="64" vcpus="2">
    <interface subnet="east" address="10.1.0.1"/>
    <interface subnet="west" address="10.2.0.1"/>
    <scheduler weight="512" cap="50"/>
  </vm>
  <vm name="e1" host="s1"><interface subnet="east" address="10.1.0.5"/></vm>
  <vm name="w1" host="s2">
    <interface subnet="west" address="10.2.0.5"><route to="10.1.0.0/24" via="10.2.0.1"/></interface>
  </vm>
  <link from="east" to="w1" bandwidth="2Mbit" burst="16KiB" delay="5ms" jitter="1ms"
        loss="0.5%" limit="100pkts"/>
  <isolation default="deny">
    <allow from="east" to="west"/>
  </isolation>
</virtualEnvironment>
EOF
V3="-v3 -l authPriv -u vmibtest -a SHA-256 -A vmib-auth-pass -x AES -X vmib-priv-pass"
V2="-v2c -c vmibrw"
sets() { # sets N PORT: snmpInSetRequests of snmpd N
	snmpget -v2c -c vmibrw -Oqv -On "udp:127.0.0.$1:$2" .1.3.6.1.2.1.11.17.0 2>/dev/null
}
up() { [ -n "$(sets 1 16181)" ] && [ -n "$(sets 2 16182)" ]; }
if ! t_wait 10 up; then
	t_fail "two snmpd on 127.0.0.1:16181 and :16182 answer"
	sed 's/^/        /' "$work"/s*/snmpd.log | tail -n 20
	t_done; exit $?
fi
t_check "the scenario is valid" "$CTL" check "$work/real.xml" "$work/virtual.xml"

# shellcheck disable=SC2086 # V3/V2 are lists of flags
{
out=$("$CTL" plan $V3 "$work/real.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "plan -v3 ...: exit 0" 0 "$rc"
t_check "plan -v3: everything to create on both hosts" \
	grep -q 'plan: 14 to create, 2 to change, 0 to replace, 0 to delete, 0 unchanged' <<<"$out"
s1=$(sets 1 16181) s2=$(sets 2 16182)
out=$("$CTL" apply --max-varbinds 20 -t 1 -r 2 $V3 "$work/real.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "apply -v3 from nothing: exit 0" 0 "$rc"
[ "$rc" -eq 0 ] || printf "%s\n" "$out" | grep -v "not done" | tail -n 20 | sed "s/^/        /"
# s1: isolation, r1 with its 2 vifs, e1, both shape rows (20 varbinds); s2: 3
t_eq "apply: SET PDUs per host with --max-varbinds 20" "4 3" \
	"$(($(sets 1 16181) - s1)) $(($(sets 2 16182) - s2))"
t_check "apply: it says every host converged" grep -q 'apply: done, every host converged' <<<"$out"
t_eq "a SET slower than -t 1 is not sent again (one createAndGo of w1 reached s2)" 1 \
	"$(grep -c 'integer 4' "$work/s2-vm-sets")"
s1=$(sets 1 16181) s2=$(sets 2 16182)
out=$("$CTL" apply $V2 "$work/real.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "apply again (-v2c): exit 0" 0 "$rc"
t_check "apply again: the plan is empty (every value read back equal)" \
	grep -q 'plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 16 unchanged' <<<"$out"
t_eq "apply again: no SET reached either snmpd" "$s1 $s2" "$(sets 1 16181) $(sets 2 16182)"
cat >"$work/snmp.conf" <<'EOF'
defVersion 3
defSecurityName vmibtest
defSecurityLevel authPriv
defAuthType SHA-256
defAuthPassphrase vmib-auth-pass
defPrivType AES
defPrivPassphrase vmib-priv-pass
EOF
out=$(SNMPCONFPATH=$work "$CTL" plan "$work/real.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "plan with snmp.conf defaults only: exit 0" 0 "$rc"
t_check "plan with snmp.conf defaults: nothing to do" \
	grep -q 'plan: 0 to create, 0 to change' <<<"$out"
out=$("$CTL" --json status --interval 0 $V3 "$work/real.xml" "$work/virtual.xml" 2>&1)
t_check "status --json parses and says the hosts match" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["ok"] and d["summary"]["matchesScenario"] else 1)' "$out"

out=$("$CTL" plan -v3 -l authPriv -u vmibtest -a SHA-256 -A wrong-pass-phrase -x AES \
	-X vmib-priv-pass "$work/real.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "wrong passphrase: exit 4" 4 "$rc"
t_eq "wrong passphrase: one line per host" 2 \
	"$(grep -c 'cannot read: .*Authentication failure' <<<"$out")"
t0=$(t_ms)
out=$("$CTL" plan -v2c -c nosuchcommunity -t 0.3 -r 1 "$work/real.xml" "$work/virtual.xml" 2>&1)
rc=$? t1=$(t_ms)
t_eq "wrong community: exit 4" 4 "$rc"
t_check "wrong community: both hosts time out together, in -t 0.3 -r 1 ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -lt 1500
sed 's|udp:127.0.0.2:16182|udp:127.0.0.2:16189|' "$work/real.xml" >"$work/real-dead.xml"
out=$("$CTL" apply -t 0.3 -r 0 $V2 "$work/real-dead.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "a host that does not answer: apply exits 4" 4 "$rc"
t_check "a host that does not answer: named with the reason" \
	grep -q 's2: cannot read: no answer from udp:127.0.0.2:16189 (timeout)' <<<"$out"
t_check "a host that does not answer: the other is served (nothing to do there)" \
	grep -q 's1: .*\|plan: 0 to create' <<<"$out"

out=$("$CTL" destroy $V3 "$work/real.xml" "$work/virtual.xml" 2>&1); rc=$?
t_eq "destroy: exit 0" 0 "$rc"
out=$("$CTL" plan $V3 "$work/real.xml" "$work/virtual.xml" 2>&1)
t_check "after destroy: everything to create again" \
	grep -q 'plan: 14 to create, 2 to change, 0 to replace, 0 to delete, 0 unchanged' <<<"$out"
}
t_done
