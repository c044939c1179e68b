#!/bin/bash
# 22-vmibd-pysnmp.sh - vmibd's tables read by a second, independent SNMP
# implementation.
#
# The vMIB and the VM-MIB (RFC 7666) subtrees served by vmibd (through a
# private snmpd, libvirt's test driver, 100 domains with 2 vifs each) are
# walked with GETBULK by Debian's python3-pysnmp4 and by Net-SNMP's
# snmpbulkwalk.  Both must see the same instances, in the same order,
# with the same types and values; counters and TimeTicks, which move
# between the two walks, must not go backwards and must stay close.

source "$(dirname "$0")/lib.sh"
source "$T_TOP/tests/bench/vmibd-walk-env.sh"

t_begin 22-vmibd-pysnmp

PY=/usr/bin/python3 # Debian's, where python3-pysnmp4 is installed
if ! "$PY" -c 'import pysnmp.hlapi' 2>/dev/null; then
	t_skip "all checks: python3-pysnmp4 not importable by $PY"
	t_done
	exit $?
fi
for tool in snmpd snmpbulkwalk; do
	command -v "$tool" >/dev/null || { t_skip "all checks: $tool missing"; t_done; exit $?; }
done

WORK=$(mktemp -d /tmp/vmib-t22.XXXXXX)
trap 'vw_cleanup; rm -rf "$WORK"' EXIT
vw_init "$WORK"
mkdir -p "$WORK/images"
vw_gen_node 100 2 "$WORK/node.xml"
# dom0001 gets two disks and a pinned vCPU, so that vmStorageTable has
# rows (strings, Integer32 sizes, Counter64s) and vmCpuAffinityTable both
# values
python3 - "$WORK/node.xml" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
head, sep, rest = text.partition("<name>dom0001</name>")
rest = rest.replace("<vcpu>2</vcpu>", "<vcpu>2</vcpu><cputune><vcpupin vcpu='1' cpuset='3'/>"
                    "</cputune>", 1)
rest = rest.replace("<devices>", "<devices><disk type='file' device='disk'>"
                    "<driver name='qemu' type='raw'/><source file='/var/lib/vmib-t22/a.img'/>"
                    "<target dev='vda' bus='virtio'/></disk><disk type='file' device='cdrom'>"
                    "<target dev='hdc' bus='ide'/><readonly/></disk>", 1)
open(path, "w").write(head + sep + rest)
EOF
vw_start_snmpd || { t_fail "private snmpd starts"; t_done; exit $?; }
vw_start_vmibd "test://$WORK/node.xml" || { t_fail "vmibd registers"; t_done; exit $?; }
t_ok "snmpd and vmibd up (100 domains)"

for root in "$VW_VMIB_ROOT" 1.3.6.1.2.1.236; do
	name=$( [ "$root" = "$VW_VMIB_ROOT" ] && echo vMIB || echo VM-MIB )
	"$PY" - "$VW_PORT" "$root" > "$WORK/py.walk" 2> "$WORK/py.err" <<'EOF'
import sys
from pysnmp.hlapi import (bulkCmd, SnmpEngine, CommunityData, UdpTransportTarget,
                          ContextData, ObjectType, ObjectIdentity)
port, root = int(sys.argv[1]), sys.argv[2]
for err_ind, err_stat, err_idx, vbs in bulkCmd(
        SnmpEngine(), CommunityData("public"),
        UdpTransportTarget(("127.0.0.1", port), timeout=5, retries=1),
        ContextData(), 0, 25, ObjectType(ObjectIdentity(root)),
        lexicographicMode=False):
    if err_ind or err_stat:
        sys.exit("pysnmp: %s %s" % (err_ind, err_stat.prettyPrint() if err_stat else ""))
    for oid, val in vbs:
        kind = type(val).__name__
        if kind == "OctetString":
            text = val.asOctets().hex()
        elif kind == "IpAddress":
            text = ".".join(str(b) for b in val.asNumbers())
        elif kind == "ObjectIdentifier":
            text = "." + str(val)
        else:
            text = str(int(val))
        print("%s %s %s" % (oid, kind, text))
EOF
	rc=$?
	vw_snmp snmpbulkwalk -Cr25 -Ox -Ot "$root" > "$WORK/ns.walk"
	if [ $rc -ne 0 ]; then
		t_fail "$name: pysnmp walk failed: $(tail -1 "$WORK/py.err")"
		continue
	fi
	python3 - "$WORK/py.walk" "$WORK/ns.walk" > "$WORK/cmp.out" <<'EOF'
import sys
# Net-SNMP type labels for pysnmp's classes (Unsigned32 and Gauge32 share
# the application tag 2, and both tools print them as Gauge32)
labels = {"OctetString": "STRING", "Integer": "INTEGER", "Integer32": "INTEGER",
          "Gauge32": "Gauge32", "Unsigned32": "Gauge32", "Counter64": "Counter64",
          "TimeTicks": "Timeticks", "IpAddress": "IpAddress",
          "ObjectIdentifier": "OID", "Counter32": "Counter32"}

def net(path):
    out = []
    for line in open(path):
        oid, _, rest = line.rstrip("\n").partition(" = ")
        if not oid.startswith("."):
            continue
        if rest == '""':
            out.append((oid[1:], "STRING", ""))
            continue
        if ": " not in rest and rest.isdigit():
            # -Ot prints TimeTicks as a bare number
            out.append((oid[1:], "Timeticks", rest))
            continue
        kind, _, val = rest.partition(": ")
        val = val.strip()
        if kind in ("Hex-STRING", "STRING"):
            kind = "STRING"
            val = "".join(val.strip('"').split()).lower()
        out.append((oid[1:], kind, val))
    return out

py = []
for line in open(sys.argv[1]):
    oid, kind, *val = line.split()
    py.append((oid, labels.get(kind, kind), val[0] if val else ""))
ns = net(sys.argv[2])
fails = []
if [p[0] for p in py] != [n[0] for n in ns]:
    fails.append("instances differ: pysnmp %d, net-snmp %d" % (len(py), len(ns)))
moving = 0
for p, n in zip(py, ns):
    if p[0] != n[0] or p[1] != n[1]:
        fails.append("%s: %s %s vs %s %s" % (p[0], p[1], p[2], n[1], n[2]))
    elif p[1] in ("Counter64", "Timeticks"):
        a, b = int(p[2]), int(n[2])
        # pysnmp walked first: later values may only be equal or larger
        if not (a <= b <= a + max(10 ** 7, a // 1000)):
            fails.append("%s: %s went from %d to %d" % (p[0], p[1], a, b))
        moving += a != b
    elif p[2] != n[2]:
        fails.append("%s: value %s vs %s" % (p[0], p[2], n[2]))
for f in fails[:10]:
    print("FAIL " + f)
print("instances %d moving %d failures %d" % (len(py), moving, len(fails)))
EOF
	summary=$(tail -1 "$WORK/cmp.out")
	case $summary in
	*"failures 0") t_ok "$name: pysnmp and Net-SNMP agree ($summary)" ;;
	*) t_fail "$name: walks differ ($summary)"; head -10 "$WORK/cmp.out" | sed 's/^/        /' ;;
	esac
done

t_done
