#!/usr/bin/env bash
# 25-vmibd-rfc7666-qemu.sh - RFC 7666 vmStorageTable and vmCpuAffinityTable
# against a real QEMU domain on the local testbed (host 1's libvirtd).
#
# One TCG domain without an OS (64 MiB, 2 vCPUs, vCPU 0 pinned to CPU 0, a
# 16 MiB raw disk and an empty CD-ROM drive) runs on h1; SeaBIOS reads the
# disk's first sector, so the read counters and times are not zero.  Checks:
#   1. vmStorageTable: two rows; ResourceID, source and media types,
#      access, and DefinedSize x SizeUnit / AllocatedSize as virsh
#      domblklist and domblkinfo say; ReadIOs, ReadOctets and ReadLatency
#      between what virsh domstats --block reports just before and just
#      after (QEMU's "block" stats group: rd.reqs, rd.bytes, rd.times / 1000);
#   2. vmCpuAffinityTable: vCPUs x host CPUs rows, as virsh vcpupin says;
#   3. virsh vcpupin --live of vCPU 1 shows within 3 s (libvirt's tunable
#      event makes vmibd re-read the domain).
# It uses the shared testbed when one is up (run-all), else brings one up
# and takes it down; starts vmibd on h1 if it does not run and stops what
# it started; destroys and undefines its domain and deletes its disk file.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 25-vmibd-rfc7666-qemu

TB=$T_TESTBED
DOM=t25-disk
we_brought_up=0
vmibd_started=""
work=$(mktemp -d /tmp/vmib-t25.XXXXXX)
DISK=$T_TB_DIR/t25/disk.img

vsh() { timeout 30 virsh -q -c "qemu+tcp://$T_TB_NET.1/system" "$@"; }
cleanup() {
	local h
	if [ -d "$T_TB_DIR" ]; then
		vsh destroy "$DOM" >/dev/null 2>&1
		vsh undefine "$DOM" >/dev/null 2>&1
		rm -rf "$T_TB_DIR/t25"
		for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
		[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
for tool in virsh snmpget snmpbulkwalk python3; do
	command -v "$tool" >/dev/null || { t_skip "all checks: $tool not installed"; t_done; exit $?; }
done
[ -x "$T_BUILD/bin/vmibd" ] || { t_fail "build/bin/vmibd missing (make)"; t_done; exit $?; }
t_testbed_join 1 || { t_done; exit $?; }

mkdir -p "$T_TB_DIR/t25"
chmod 755 "$T_TB_DIR/t25"
truncate -s 16M "$DISK"
chmod 666 "$DISK"
cat > "$work/dom.xml" <<EOF
<domain type='qemu'><name>$DOM</name><memory unit='MiB'>64</memory><vcpu>2</vcpu>
<os><type arch='x86_64'>hvm</type></os>
<cputune><vcpupin vcpu='0' cpuset='0'/></cputune>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>
<source file='$DISK'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
</devices></domain>
EOF
if ! vsh define "$work/dom.xml" >/dev/null || ! vsh start "$DOM" >/dev/null; then
	t_fail "define and start $DOM on h1"; t_done; exit $?
fi

# the domain's vmIndex (vmName column)
swalk() {
	env MIBS= MIBDIRS=/dev/null snmpbulkwalk -v2c -c "$COMM" -On -Oq -t 2 -r 2 \
		"$T_TB_NET.1" "$@" 2>/dev/null
}
index_of() { swalk 1.3.6.1.2.1.236.1.4.1.2 | awk -v n="\"$1\"" '$2 == n { k = split($1, p, "."); print p[k] }'; }
dom_seen() { [ -n "$(index_of "$DOM")" ]; }
t_wait 10 dom_seen
idx=$(index_of "$DOM")
if [ -z "$idx" ]; then
	t_fail "$DOM not in vmTable"; t_done; exit $?
fi
sleep 2 # SeaBIOS reads the disk; counters read now are at most 1 s old

# --- 1. vmStorageTable ------------------------------------------------------------------
vsh domblklist "$DOM" --details > "$work/blklist"
vsh domblkinfo "$DOM" vda > "$work/blkinfo"
vsh domstats "$DOM" --block > "$work/stats.before"
swalk "1.3.6.1.2.1.236.1.7.1" | grep "\.$idx\.[0-9]* " > "$work/sto.walk"
vsh domstats "$DOM" --block > "$work/stats.after"
python3 - "$work" "$idx" "$DISK" > "$work/sto.out" <<'EOF'
import sys
work, idx, disk = sys.argv[1], sys.argv[2], sys.argv[3]
col = {}
for line in open(work + "/sto.walk"):
    oid, _, val = line.strip().partition(" ")
    p = oid.split(".")
    col[(int(p[-3]), int(p[-1]))] = val.strip('"')
def stats(name):
    d = {}
    for line in open(work + "/" + name):
        k, _, v = line.strip().partition("=")
        if k.startswith("block.0."):
            d[k[8:]] = int(v) if v.isdigit() else v
    return d
before, after = stats("stats.before"), stats("stats.after")
info = {l.split(":")[0]: int(l.split(":")[1]) for l in open(work + "/blkinfo") if ":" in l}
fails = []
def eq(what, got, want):
    if str(got) != str(want):
        fails.append("%s: %s, want %s" % (what, got, want))
rows = sorted({k[1] for k in col})
eq("rows", rows, [1, 2])
eq("vda ResourceID", col.get((6, 1)), disk)
eq("vda SourceType raw(4)", col.get((4, 1)), 4)
eq("vda SourceTypeString", col.get((5, 1)), "file/raw")
eq("vda Access readwrite(2)", col.get((7, 1)), 2)
eq("vda MediaType hardDisk(3)", col.get((8, 1)), 3)
eq("vda MediaTypeString", col.get((9, 1)), "disk/virtio")
eq("hdc Access readonly(3)", col.get((7, 2)), 3)
eq("hdc MediaType opticalDisk(4)", col.get((8, 2)), 4)
eq("hdc ResourceID (empty drive)", col.get((6, 2)), "")
unit = int(col.get((10, 1), 0) or 0)
eq("vda DefinedSize x unit", int(col.get((11, 1), -9)) * unit, info["Capacity"] // unit * unit)
eq("vda AllocatedSize x unit", int(col.get((12, 1), -9)) * unit,
   info["Allocation"] // unit * unit)
for c, key, div in ((13, "rd.reqs", 1), (15, "rd.bytes", 1), (17, "rd.times", 1000)):
    got = int(col.get((c, 1), -1))
    lo, hi = before.get(key, 0) // div, after.get(key, 0) // div
    if not lo <= got <= hi or hi == 0:
        fails.append("vda column %d (%s): %d, virsh %d .. %d" % (c, key, got, lo, hi))
print("vda: %s reads, %s octets, %s us; capacity %s x %d" % (
    col.get((13, 1)), col.get((15, 1)), col.get((17, 1)), col.get((11, 1)), unit))
for f in fails:
    print(f)
print("failures %d" % len(fails))
EOF
if grep -q "^failures 0$" "$work/sto.out"; then
	t_ok "vmStorageTable matches virsh domblklist, domblkinfo, domstats --block ($(head -1 "$work/sto.out"))"
else
	t_fail "vmStorageTable differs from virsh"
	sed 's/^/        /' "$work/sto.out"
fi

# --- 2. and 3. vmCpuAffinityTable -----------------------------------------------------------
cpus=$(vsh nodeinfo | awk '/^CPU\(s\)/ { print $2 }')
affinity_ok() { # expected "vcpu:cpuset ..." from virsh vcpupin against the walk
	vsh vcpupin "$DOM" > "$work/pin"
	swalk "1.3.6.1.2.1.236.1.6.1.3.$idx" > "$work/aff.walk"
	python3 - "$work" "$cpus" <<'EOF'
import sys
work, cpus = sys.argv[1], int(sys.argv[2])
want = {}
for line in open(work + "/pin"):
    v, s = line.split()
    allowed = set()
    for part in s.split(","):
        a, _, b = part.partition("-")
        allowed |= set(range(int(a), int(b or a) + 1))
    for c in range(cpus):
        want[(int(v) + 1, c + 1)] = "1" if c in allowed else "2"
got = {}
for line in open(work + "/aff.walk"):
    oid, _, val = line.strip().partition(" ")
    p = oid.split(".")
    got[(int(p[-2]), int(p[-1]))] = val
sys.exit(0 if got == want and want else 1)
EOF
}
if affinity_ok; then
	t_ok "vmCpuAffinityTable: $(wc -l < "$work/aff.walk") rows (2 vCPUs x $cpus CPUs) as virsh vcpupin says"
else
	t_fail "vmCpuAffinityTable differs from virsh vcpupin: $(tr '\n' ' ' < "$work/pin") / $(tr '\n' ' ' < "$work/aff.walk")"
fi
if [ "${cpus:-0}" -ge 2 ]; then
	vsh vcpupin "$DOM" 1 1 --live >/dev/null
	start=$(t_ms)
	if t_wait 3 affinity_ok; then
		t_ok "virsh vcpupin --live shows in vmCpuAffinityTable after $(( $(t_ms) - start )) ms (tunable event)"
	else
		t_fail "virsh vcpupin --live not seen in 3 s: $(tr '\n' ' ' < "$work/aff.walk")"
	fi
else
	t_skip "vcpupin change: the host has one CPU"
fi

t_done
