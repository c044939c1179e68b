#!/usr/bin/env bash
# 62-agentx-size-guard: a SET too big for Net-SNMP's AgentX subagent code,
# against the real snmpd and vmibd of the local testbed (host 1):
#   1. one SET of 1400 varbinds (72820 bytes once snmpd forwards it over
#      AgentX, over the 65536 Net-SNMP's subagent code takes) from a writer
#      other than vmibctl (pysnmp, 5 s timeout, no retry) is answered, with
#      tooBig, and vmibd logs the refusal;
#   2. right after it, a GET and a walk of the vMIB work (before the guard,
#      snmpd answered genErr after 15 s and the vMIB was gone until vmibd
#      reconnected);
#   3. a SET just under the limit (1000 varbinds) still reaches vmibd and
#      gets vmibd's own answer (inconsistentName: no such VM);
#   4. vmibd's AgentX session stayed up all along: no "master
#      disconnected" and no new "subagent connected" in its log.
# It uses the shared testbed when one is up, else brings one up and takes
# it down; it starts vmibd on host 1 where it does not run.  Needs root,
# namespaces, snmpd, python3-pysnmp4.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 62-agentx-size-guard

TB=$T_TESTBED
HDR=$T_BUILD/gen/vmib_oids.h
PY=/usr/bin/python3 # Debian's, where python3-pysnmp4 is installed
work=$(mktemp -d)
we_brought_up=0
vmibd_started=""
cleanup() {
	for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
	[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
if ! "$PY" -c 'import pysnmp.hlapi' 2>/dev/null; then
	t_skip "all checks: python3-pysnmp4 not importable by $PY"; t_done; exit $?
fi
[ -r "$HDR" ] || { t_fail "$HDR missing (make)"; t_done; exit $?; }
t_testbed_join 1 || { t_done; exit $?; }
oid() { echo "$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)"; }
LOG=$T_TB_DIR/h1/vmibd.log

cat >"$work/bigset.py" <<'PYEOF'
import sys
from pysnmp.hlapi import (setCmd, SnmpEngine, CommunityData, UdpTransportTarget,
                          ContextData, ObjectType, ObjectIdentity, Unsigned32)
host, comm, base, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
vbs = [ObjectType(ObjectIdentity(base + "." + str(i)), Unsigned32(100))
       for i in range(1, n + 1)]
ei, es, ix, _ = next(setCmd(SnmpEngine(), CommunityData(comm),
                            UdpTransportTarget((host, 161), timeout=5, retries=0),
                            ContextData(), *vbs))
print("timeout" if ei else (es.prettyPrint() if es else "noError"))
PYEOF

# vmibVmSchedWeight of VMs that do not exist: vmibd would refuse each one
W=$(oid vmibVmSchedWeight)
before=$(wc -l <"$LOG")
got=$("$PY" "$work/bigset.py" "$T_TB_NET.1" "$COMM" "$W" 1400 2>&1 | tail -n 1)
t_eq "1400-varbind SET answered" tooBig "$got"
since() { tail -n +"$((before + 1))" "$LOG"; }
if since | grep -q "refused an AgentX TestSet of 72820 bytes with tooBig"; then
	t_ok "vmibd logs the refusal with the PDU's size"
else
	t_fail "no refusal in $LOG"; since | tail -n 5 | sed 's/^/        /'
fi

t_eq "vmibHostName readable right after" h1 "$(sget 1 ".$(oid vmibHostName).0")"
n=$(env MIBS= MIBDIRS=/dev/null snmpbulkwalk -v2c -c "$COMM" -On -t 2 -r 0 "$T_TB_NET.1" \
	".$(oid vmibHost)" 2>/dev/null | wc -l)
if [ "$n" -gt 5 ]; then t_ok "walk of the host scalars right after ($n values)"
else t_fail "walk of the host scalars right after: $n values"; fi

got=$("$PY" "$work/bigset.py" "$T_TB_NET.1" "$COMM" "$W" 1000 2>&1 | tail -n 1)
t_eq "1000-varbind SET reaches vmibd (its own refusal)" inconsistentName "$got"
if since | grep -q "master disconnected\|subagent connected"; then
	t_fail "vmibd's AgentX session was dropped:"; since | grep "disconnected\|connected" | sed 's/^/        /'
else
	t_ok "vmibd stayed registered (no disconnect, no reconnect in its log)"
fi
t_done
