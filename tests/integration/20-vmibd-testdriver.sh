#!/bin/bash
# 20-vmibd-testdriver.sh - vmibd with a real snmpd on libvirt's test driver.
#
# 1000 domains (3 vifs each) from a generated node XML, test:///<file>.  A
# private snmpd (127.0.0.1, high port, AgentX unix socket 0600) and vmibd
# run inside a network namespace of their own when possible, where a few
# of the vif device names and a bridge exist as dummy links, so that the
# ifIndex columns can be checked against snmpd's IF-MIB.  Checks:
#   - snmpbulkwalk of every vMIB and RFC 7666 table, compared with what
#     one virsh session reports for the same file (names, UUIDs, states,
#     memory, vCPUs, vifs, MACs, bridges, models), and internal
#     consistency (same index in vMIB and VM-MIB, recorded metadata
#     indexes kept, unique indexes, images, kernel-command-line addresses);
#   - RFC 7666 vmCpuAffinityTable (every domain's vCPU x host CPU) and
#     vmStorageTable compared with virsh vcpupin, domblklist --details and
#     domblkinfo (the generated file is edited: dom0001 gets two disks and
#     pinning, dom0002 a pinned vCPU);
#   - counters (vif and block): at most 1 s old when read (the test
#     driver's counters grow with the clock, so virsh read just before
#     bounds them);
#   - snmpd restart: vmibd answers again within its ping interval, with
#     the same data (time measured);
#   - vmibd restart: every VM keeps its index;
#   - a SET of a read-only column gets notWritable, a rename inconsistentValue.
# What the vmibd restart check proves here: the test driver rereads the
# file on every connection, so metadata vmibd writes are lost with its
# connection.  Indexes recorded in the file (every 7th domain) test the
# metadata path; the others come back equal because assignment is
# deterministic (lowest free, name order).  Persistence of written
# metadata is tested in 21-vmibd-resilience.sh against a libvirtd.

source "$(dirname "$0")/lib.sh"
source "$T_TOP/tests/bench/vmibd-walk-env.sh"

t_begin 20-vmibd-testdriver

N=${VMIBD_TEST_DOMAINS:-1000}
VIFS=3
for tool in snmpd snmpbulkwalk snmpget snmpset virsh python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"
		t_done
		exit $?
	fi
done
if [ ! -x "$VW_VMIBD" ]; then
	t_fail "build/bin/vmibd missing (run make)"
	t_done
	exit $?
fi

WORK=$(mktemp -d /tmp/vmib-t20.XXXXXX)
NS=
cleanup() {
	vw_cleanup
	[ -n "$NS" ] && ip netns delete "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# a namespace of our own: links named like some vifs (veth: this kernel
# may lack the dummy type), and the bridge br0
if why=$(t_can_namespaces); then
	NS=vmib-t20-$$
	if ip netns add "$NS" && ip -n "$NS" link set lo up &&
	   ip -n "$NS" link add br0 type bridge &&
	   ip -n "$NS" link add testnet0 type veth peer name tn0peer &&
	   ip -n "$NS" link add testnet1 type veth peer name tn1peer; then
		VW_NETNS=$NS
	else
		t_skip "ifIndex checks: cannot create links in a namespace"
		ip netns delete "$NS" 2>/dev/null
		NS=
	fi
else
	t_skip "ifIndex checks: $why"
fi

vw_init "$WORK"
VW_IMAGE_DIR=$WORK/images
mkdir -p "$VW_IMAGE_DIR/vmib-test"
cat > "$VW_IMAGE_DIR/vmib-test/image.xml" <<'EOF'
<image name="vmib-test"><os>linux</os><arch>x86_64</arch>
<kernel-version>6.1.0-test</kernel-version><description>test image</description></image>
EOF
NODE=$WORK/node.xml
vw_gen_node "$N" "$VIFS" "$NODE"
URI="test://$NODE"
# RFC 7666 vmCpuAffinityTable and vmStorageTable: dom0001 (running, 2
# vCPUs) gets vCPU pinning and two disks, dom0002 (3 vCPUs) one pinned
# vCPU; the other domains have neither (like vmib's guests: no disks)
python3 - "$NODE" <<'EOF'
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
disks = ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
         "<source file='/var/lib/vmib-t20/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"
         "<disk type='block' device='cdrom'><driver name='qemu' type='raw'/>"
         "<source dev='/dev/vmib-t20-sr0'/><target dev='hdc' bus='ide'/><readonly/></disk>")
for i, l in enumerate(lines):
    if "<name>dom0001</name>" in l:
        l = l.replace("<vcpu>2</vcpu>", "<vcpu cpuset='4-7'>2</vcpu>"
                      "<cputune><vcpupin vcpu='0' cpuset='1-2'/></cputune>")
        l = l.replace("<devices>", "<devices>" + disks)
    elif "<name>dom0002</name>" in l:
        l = l.replace("<vcpu>3</vcpu>", "<vcpu>3</vcpu>"
                      "<cputune><vcpupin vcpu='2' cpuset='0,7'/></cputune>")
    lines[i] = l
open(path, "w").write("\n".join(lines))
EOF

if ! vw_start_snmpd; then
	t_fail "private snmpd starts"
	t_done
	exit $?
fi
t_ok "private snmpd on 127.0.0.1:$VW_PORT"
start=$(t_ms)
if ! vw_start_vmibd "$URI"; then
	t_fail "vmibd registers with snmpd"
	t_done
	exit $?
fi
t_ok "vmibd registered after $(( $(t_ms) - start )) ms ($N domains)"

R=$VW_VMIB_ROOT
walk() { vw_snmp snmpbulkwalk -Cr50 -Oq -Ot -Ox "$@"; }

# --- walks and the virsh view of the same file --------------------------------
start=$(t_ms)
walk $R.1.3 > "$WORK/vm.walk"
walk $R.1.4 > "$WORK/vif.walk"
walk_ms=$(( $(t_ms) - start ))
walk $R.1.1 > "$WORK/host.walk"
walk $R.1.2 > "$WORK/image.walk"
walk 1.3.6.1.2.1.236 > "$WORK/rfc.walk"
: > "$WORK/ifdescr.walk"
[ -n "$NS" ] && walk 1.3.6.1.2.1.2.2.1.2 > "$WORK/ifdescr.walk"
echo "  info  VM + vif table walk: $walk_ms ms ($(cat "$WORK/vm.walk" "$WORK/vif.walk" | wc -l) varbinds)"

python3 - "$N" > "$WORK/virsh.cmds" <<'EOF'
import sys
print("list --all --name")
for i in range(1, int(sys.argv[1]) + 1):
    print("dominfo dom%04d" % i)
    print("domiflist dom%04d" % i)
EOF
start=$(t_ms)
vw_ns virsh -q -c "$URI" < "$WORK/virsh.cmds" > "$WORK/virsh.out" 2>&1
virsh_ms=$(( $(t_ms) - start ))
echo "  info  virsh list + dominfo + domiflist of the same: $virsh_ms ms"

python3 "$(dirname "$0")/../bench/vmibd-walk-check.py" "$WORK" "$N" "$R" "${NS:+ns}" \
	> "$WORK/check.out" 2>&1
if grep -q "^failures 0$" "$WORK/check.out"; then
	t_ok "every table matches virsh for $N domains ($(grep ifindex-checked "$WORK/check.out" || echo 'no ifIndex check'))"
else
	t_fail "tables differ from virsh"
	sed 's/^/        /' "$WORK/check.out" | head -20
fi

# --- RFC 7666 vmCpuAffinityTable and vmStorageTable against virsh -------------------
python3 - "$N" > "$WORK/virsh-rfc.cmds" <<'EOF'
import sys
print("nodeinfo")
for i in range(1, int(sys.argv[1]) + 1):
    print("vcpupin dom%04d" % i)
    print("domblklist dom%04d --details" % i)
print("domblkinfo dom0001 vda")
print("domblkinfo dom0001 hdc")
EOF
vw_ns virsh -q -c "$URI" < "$WORK/virsh-rfc.cmds" > "$WORK/virsh-rfc.out" 2>&1
python3 - "$WORK" > "$WORK/rfc-check.out" 2>&1 <<'EOF'
import sys
work = sys.argv[1]
walk = {}
for line in open(work + "/rfc.walk"):
    if line.startswith("."):
        oid, _, val = line.rstrip("\n").partition(" ")
        walk[tuple(int(x) for x in oid[1:].split("."))] = val.strip()


def hexstr(v):
    """a string printed with -Ox: "41 42 " (quotes optional)"""
    v = (v or "").strip().strip('"').strip()
    return bytes(int(x, 16) for x in v.split()).decode()


def table(t):
    """VM-MIB table t (vmObjects.t): {(col, idx...): value}"""
    p = (1, 3, 6, 1, 2, 1, 236, 1, t, 1)
    return {k[len(p):]: v for k, v in walk.items() if k[:len(p)] == p}


def cpuset(s):
    out = set()
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            out |= set(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return out


names = {hexstr(v): k[1] for k, v in table(4).items() if k[0] == 2}
pins, disks, info, ncpu = {}, {}, {}, 0
for ch in open(work + "/virsh-rfc.out").read().split("virsh # "):
    lines = [l for l in ch.strip("\n").split("\n") if l.strip()]
    if not lines:
        continue
    cmd, body = lines[0].split(), lines[1:]
    if cmd[0] == "nodeinfo":
        ncpu = int([l for l in body if l.startswith("CPU(s)")][0].split()[-1])
    elif cmd[0] == "vcpupin":
        pins[cmd[1]] = {int(l.split()[0]): l.split()[1] for l in body}
    elif cmd[0] == "domblklist":
        disks[cmd[1]] = [l.split() for l in body]
    elif cmd[0] == "domblkinfo":
        info[cmd[2]] = {l.split(":")[0]: int(l.split(":")[1]) for l in body}
fails, aff_rows, disabled = [], 0, 0
aff = table(6)
for name, vc in sorted(pins.items()):
    idx = names.get(name)
    if idx is None:
        fails.append("%s not in vmTable" % name)
        continue
    for v, s in vc.items():
        allowed = cpuset(s)
        for c in range(ncpu):
            want = "1" if c in allowed else "2"
            got = aff.get((3, idx, v + 1, c + 1))
            aff_rows += 1
            disabled += want == "2"
            if got != want:
                fails.append("affinity %s vCPU %d CPU %d: %s, virsh %s" % (name, v, c, got, s))
if len(aff) != aff_rows:
    fails.append("vmCpuAffinityTable has %d rows, virsh %d" % (len(aff), aff_rows))
sto = table(7)
rows = 0
media = {"disk": "3", "lun": "3", "cdrom": "4", "floppy": "5"}
for name, dl in sorted(disks.items()):
    idx = names.get(name)
    for k, (typ, dev, target, source) in enumerate(dl, 1):
        rows += 1

        def col(c):
            return sto.get((c, idx, k))
        if hexstr(col(6)) != source:
            fails.append("%s disk %d ResourceID %s, virsh %s" % (name, k, col(6), source))
        if hexstr(col(5)).split("/")[0] != typ:
            fails.append("%s disk %d SourceTypeString %s, virsh %s" % (name, k, col(5), typ))
        if hexstr(col(9)).split("/")[0] != dev:
            fails.append("%s disk %d MediaTypeString %s, virsh %s" % (name, k, col(9), dev))
        if col(8) != media.get(dev, "1"):
            fails.append("%s disk %d MediaType %s for %s" % (name, k, col(8), dev))
        if typ == "block" and col(4) != "3":
            fails.append("%s disk %d SourceType %s, want block(3)" % (name, k, col(4)))
        if target in info:
            unit = int(col(10))
            for c, key in ((11, "Capacity"), (12, "Allocation")):
                if int(col(c)) != info[target][key] // unit:
                    fails.append("%s %s %s: %s x %d, virsh %d"
                                 % (name, target, key, col(c), unit, info[target][key]))
print("%d disks, %d affinity rows (%d disabled)" % (rows, aff_rows, disabled))
if len(sto) != rows * 16:
    fails.append("vmStorageTable has %d instances, virsh %d disks x 16" % (len(sto), rows))
if rows != 2 or disabled == 0 or len(info) != 2:
    fails.append("the test's disks or pinning are missing (%d disks)" % rows)
print("dom0001-index %s" % names.get("dom0001"))
for f in fails[:15]:
    print(f)
print("failures %d" % len(fails))
EOF
if grep -q "^failures 0$" "$WORK/rfc-check.out"; then
	t_ok "RFC 7666 affinity and storage tables match virsh vcpupin, domblklist, domblkinfo ($(head -1 "$WORK/rfc-check.out"))"
else
	t_fail "RFC 7666 affinity/storage tables differ from virsh"
	sed 's/^/        /' "$WORK/rfc-check.out" | head -20
fi
# block counters: the test driver's grow with the clock (rd_req by 100000
# a second, rd_bytes by half as much, from the same reading); vmibd's at
# most 1 s older than what virsh read just before
d1=$(awk '/^dom0001-index/ { print $2 }' "$WORK/rfc-check.out")
if [ -n "$d1" ] && [ "$d1" != None ]; then
	sleep 1.2 # let the counters read during the walk age
	before=$(vw_ns virsh -c "$URI" domblkstat dom0001 vda | awk '$2 == "rd_req" { print $3 }')
	got=$(vw_snmp snmpget -Oqv 1.3.6.1.2.1.236.1.7.1.13.$d1.1 1.3.6.1.2.1.236.1.7.1.15.$d1.1 |
	      tr '\n' ' ')
	after=$(vw_ns virsh -c "$URI" domblkstat dom0001 vda | awk '$2 == "rd_req" { print $3 }')
	read -r reqs octets <<< "$got"
	if [ -n "$reqs" ] && [ -n "$octets" ] && [ "$reqs" -le "$after" ] &&
	   [ "$reqs" -ge $((before - 100000)) ] && [ $((reqs / 2 - octets)) -ge -1 ] &&
	   [ $((reqs / 2 - octets)) -le 1 ]; then
		t_ok "vmStorageReadIOs at most 1 s old (virsh rd_req $before .. $after, vmibd $reqs), vmStorageReadOctets from the same reading ($octets)"
	else
		t_fail "block counters: virsh rd_req $before .. $after, vmibd '$got'"
	fi
else
	t_fail "dom0001 not found for the block counters"
fi

# --- counters at most 1 s old ------------------------------------------------------
# running domain dom0001; its vif 1 is testnet0 inside the domain
idx=$(awk '/^dom0001-index/ { print $2 }' "$WORK/check.out")
if [ -z "$idx" ] || [ "$idx" = 0 ]; then
	t_fail "dom0001 not found in the walk"
	idx=1
else
	sleep 1.2 # let the counters vmibd read during the walk age
	before=$(vw_ns virsh -c "$URI" domifstat dom0001 testnet0 | awk '/rx_bytes/ { print $3 }')
	got=$(vw_snmp snmpget -Oqv "$R.1.4.1.9.$idx.1")
	after=$(vw_ns virsh -c "$URI" domifstat dom0001 testnet0 | awk '/rx_bytes/ { print $3 }')
	# the test driver's rx_bytes grow by 100000 per second of clock
	if [ -n "$got" ] && [ "$got" -le "$after" ] && [ "$got" -ge $((before - 100000)) ]; then
		t_ok "counters at most 1 s old (virsh $before .. $after, vmibd $got)"
	else
		t_fail "counter freshness: virsh $before .. $after, vmibd '$got'"
	fi
fi

# --- snmpd restart -----------------------------------------------------------------
# measured from the moment the new snmpd answers until vmibd's objects
# answer through it again: at most the AgentX ping interval (+ margin)
vw_snmp snmpbulkwalk -Cr50 -Oq $R.1.3.1.2 > "$WORK/names.before"
vw_stop_snmpd
sleep 0.5
if vw_start_snmpd; then
	start=$(t_ms)
	if t_wait 10 vw_probe "$R.1.1.9.0"; then
		back=$(( $(t_ms) - start ))
		vw_snmp snmpbulkwalk -Cr50 -Oq $R.1.3.1.2 > "$WORK/names.after"
		same=no
		cmp -s "$WORK/names.before" "$WORK/names.after" && same=yes
		if [ "$back" -le $(( ${VW_PING:-2} * 1000 + 500 )) ] && [ $same = yes ]; then
			t_ok "snmpd restart: vmibd answers again $back ms after snmpd (ping interval ${VW_PING:-2} s), same data"
		else
			t_fail "snmpd restart: answered $back ms after snmpd, same data: $same"
		fi
	else
		t_fail "snmpd restart: vmibd did not come back within 10 s"
	fi
else
	t_fail "snmpd restarts"
fi

# --- vmibd restart: every VM keeps its index -----------------------------------------
vw_snmp snmpbulkwalk -Cr50 -Oq $R.1.3.1.3 | sort > "$WORK/uuids.before"
rss=$(vw_rss_kb "$VW_VMIBD_PID")
echo "  info  vmibd VmRSS $rss kB with $N domains (test driver in process)"
vw_stop_vmibd
if vw_start_vmibd "$URI"; then
	vw_snmp snmpbulkwalk -Cr50 -Oq $R.1.3.1.3 | sort > "$WORK/uuids.after"
	if [ -s "$WORK/uuids.before" ] && cmp -s "$WORK/uuids.before" "$WORK/uuids.after"; then
		t_ok "vmibd restart: all $N VMs keep their index"
	else
		t_fail "vmibd restart changed indexes ($(diff "$WORK/uuids.before" "$WORK/uuids.after" | grep -c '^<') differ)"
	fi
else
	t_fail "vmibd restarts"
fi

# --- SETs reach vmibd: read-only columns are refused ------------------------------------
# (private is an rwcommunity for the vMIB subtree, so the master lets the
# SET through and the answer is vmibd's: vmibVmUuid is read-only, and the
# name of an existing VM cannot change; tests/integration/4x-vm-*.sh test
# the writable columns on real guests)
out=$(vw_ns env MIBS= snmpset -v2c -c private -t 2 -r 0 "127.0.0.1:$VW_PORT" "$R.1.3.1.3.$idx" s x 2>&1)
case $out in
*notWritable*) t_ok "SET of a read-only vMIB column is refused with notWritable" ;;
*) t_fail "SET not refused with notWritable: $out" ;;
esac
out=$(vw_ns env MIBS= snmpset -v2c -c private -t 2 -r 0 "127.0.0.1:$VW_PORT" "$R.1.3.1.2.$idx" s x 2>&1)
case $out in
*inconsistentValue*) t_ok "renaming a VM is refused with inconsistentValue" ;;
*) t_fail "rename not refused with inconsistentValue: $out" ;;
esac

t_done
