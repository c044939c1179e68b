#!/bin/bash
# 24-vmibd-rfc7666-bulk.sh - RFC 7666 bulk notifications from vmibd
# following a real libvirtd.
#
# A private libvirtd in session mode serves libvirt's test driver (as in
# 21-vmibd-resilience.sh); vmibd runs with rfc7666-bulk-notifications and
# a private snmpd forwards its notifications to snmptrapd.  Checks:
#   - vmBulkNotificationsEnabled.0 reads true(1);
#   - three domains started in one virsh session (well within the 500 ms
#     window) give one vmBulkRunning whose only varbind after
#     snmpTrapOID.0 is vmAffectedVMs.0, with exactly their vmIndex bits
#     (VirtualMachineList: octet 1 = vmIndex 1..8, high bit first);
#   - destroying two of them gives one vmBulkShutdown with their bits, and
#     the per-VM vmShutdown notifications still go out (both switches on);
#   - virsh vcpupin on a running domain shows in vmCpuAffinityTable once
#     vmibd re-reads the domain.

source "$(dirname "$0")/lib.sh"
source "$T_TOP/tests/bench/vmibd-walk-env.sh"

t_begin 24-vmibd-rfc7666-bulk

for tool in snmpd snmptrapd snmpget snmpbulkwalk virsh libvirtd python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"
		t_done
		exit $?
	fi
done

WORK=$(mktemp -d /tmp/vmib-t24.XXXXXX)
LV=$(mktemp -d /tmp/vmib-t24-lv.XXXXXX)
LV_PID=
HOLD_PID=
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	vw_cleanup
	stop_pid "$HOLD_PID"
	stop_pid "$LV_PID"
	rm -rf "$WORK" "$LV"
}
trap cleanup EXIT

# --- a private libvirtd (session mode, test driver) ----------------------------------
chmod 755 "$LV"
mkdir -p "$LV/home" "$LV/run"
AS=()
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody "$LV"
	AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
SOCK=$LV/run/libvirt/libvirt-sock
"${AS[@]}" env HOME="$LV/home" XDG_RUNTIME_DIR="$LV/run" \
	XDG_CONFIG_HOME="$LV/home/.config" XDG_CACHE_HOME="$LV/home/.cache" \
	libvirtd >> "$WORK/libvirtd.log" 2>&1 &
LV_PID=$!
if ! t_wait 10 virsh -c "test+unix:///default?socket=$SOCK" version; then
	t_skip "all checks: a private session libvirtd does not start here"
	t_done
	exit $?
fi
URI="test+unix:///default?socket=$SOCK"
vsh() { virsh -q -c "$URI" "$@"; }
# hold the shared test driver open (its domains live as long as one
# connection does)
virsh -c "$URI" event --all --loop > "$WORK/events.log" 2>&1 &
HOLD_PID=$!
sleep 0.3
for n in 1 2 3 4; do
	cat > "$WORK/b0$n.xml" <<EOF
<domain type='test'><name>b0$n</name><uuid>24000000-0000-4000-8000-00000000000$n</uuid>
<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
EOF
	vsh define "$WORK/b0$n.xml" >/dev/null
done

vw_init "$WORK"
mkdir -p "$WORK/images"
vw_start_snmpd || { t_fail "private snmpd starts"; t_done; exit $?; }
vw_start_trapd
if ! vw_start_vmibd "$URI" -o rfc7666-bulk-notifications=yes; then
	t_fail "vmibd registers"
	t_done
	exit $?
fi
t_eq "vmBulkNotificationsEnabled.0 reads true(1)" 1 \
	"$(vw_snmp snmpget -Oqv 1.3.6.1.2.1.236.1.10.0)"

# vmIndex of a VM name (vmName column)
index_of() {
	vw_snmp snmpbulkwalk -Cr50 -Oq 1.3.6.1.2.1.236.1.4.1.2 |
		awk -v n="\"$1\"" '$2 == n { k = split($1, p, "."); print p[k] }'
}
# the VirtualMachineList of some indexes, as snmptrapd prints it (hex)
bitmap() {
	python3 - "$@" <<'EOF'
import sys
idx = [int(a) for a in sys.argv[1:]]
b = bytearray((max(idx) + 7) // 8)
for i in idx:
    b[(i - 1) // 8] |= 0x80 >> ((i - 1) % 8)
print(" ".join("%02X" % x for x in b))
EOF
}
# the vmAffectedVMs.0 value of every notification numbered $1 (hex)
affected() {
	grep -F "OID: .1.3.6.1.2.1.236.0.$1	" "$VW_TRAPS" |
		sed -n 's/.*\.1\.3\.6\.1\.2\.1\.236\.1\.11\.0 = Hex-STRING: \([0-9A-F ]*\).*/\1/p' |
		sed 's/ *$//'
}
count() { grep -cF "OID: .1.3.6.1.2.1.236.0.$1	" "$VW_TRAPS"; }

i1=$(index_of b01) i2=$(index_of b02) i3=$(index_of b03)
printf 'start b01\nstart b02\nstart b03\n' | virsh -q -c "$URI" > /dev/null
t_wait 5 sh -c "grep -qF 'OID: .1.3.6.1.2.1.236.0.11	' '$VW_TRAPS'"
sleep 1 # anything else the window might (wrongly) still send
want=$(bitmap "$i1" "$i2" "$i3")
got=$(affected 11)
if [ "$(count 11)" = 1 ] && [ "$got" = "$want" ]; then
	t_ok "three starts: one vmBulkRunning, vmAffectedVMs.0 = $got (vmIndex $i1 $i2 $i3)"
else
	t_fail "vmBulkRunning: $(count 11) sent, vmAffectedVMs '$got', want one with '$want'"
	grep -F "236.0.1" "$VW_TRAPS" | head -5 | sed 's/^/        /'
fi
# only vmAffectedVMs.0 after sysUpTime.0 and snmpTrapOID.0
if grep -F "OID: .1.3.6.1.2.1.236.0.11	" "$VW_TRAPS" |
	grep -q "^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: [^	]*	\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: \.1\.3\.6\.1\.2\.1\.236\.0\.11	\.1\.3\.6\.1\.2\.1\.236\.1\.11\.0 = Hex-STRING: [0-9A-F ]*$"; then
	t_ok "vmBulkRunning varbinds: sysUpTime.0, snmpTrapOID.0, vmAffectedVMs.0"
else
	t_fail "vmBulkRunning varbinds not as RFC 7666 defines"
fi

printf 'destroy b01\ndestroy b03\n' | virsh -q -c "$URI" > /dev/null
t_wait 5 sh -c "grep -qF 'OID: .1.3.6.1.2.1.236.0.13	' '$VW_TRAPS'"
sleep 1
want=$(bitmap "$i1" "$i3")
got=$(affected 13)
if [ "$(count 13)" = 1 ] && [ "$got" = "$want" ]; then
	t_ok "two destroys: one vmBulkShutdown, vmAffectedVMs.0 = $got"
else
	t_fail "vmBulkShutdown: $(count 13) sent, vmAffectedVMs '$got', want one with '$want'"
fi
t_eq "per-VM vmRunning and vmShutdown still sent (rfc7666-notifications yes)" "3 2" \
	"$(count 1) $(count 3)"

# --- vCPU pinning of a running domain, seen when vmibd re-reads it -------------------
# vmCpuAffinity.i2.1.(CPU+1): vCPU 0 of b02 pinned to CPU 1 only.  The test
# driver sends no tunable event for vcpupin (QEMU's does, and vmibd
# re-reads the domain on it); a pause and resume makes vmibd re-read it.
aff() { vw_snmp snmpget -Oqv "1.3.6.1.2.1.236.1.6.1.3.$i2.1.$1"; }
before="$(aff 1) $(aff 2)"
vsh vcpupin b02 0 1 > /dev/null
vsh suspend b02 > /dev/null
vsh resume b02 > /dev/null
if t_wait 5 sh -c "[ \"\$(MIBS= SNMPCONFPATH='$VW_DIR/conf' snmpget -v2c -c public -Oqv 127.0.0.1:$VW_PORT 1.3.6.1.2.1.236.1.6.1.3.$i2.1.1)\" = 2 ]"; then
	t_eq "virsh vcpupin b02 0 1: vmCpuAffinity of CPUs 0, 1 (were '$before')" \
		"2 1" "$(aff 1) $(aff 2)"
else
	t_fail "vcpupin not seen: vmCpuAffinity of CPUs 0, 1 '$(aff 1) $(aff 2)' (before '$before')"
fi
grep -q tunable "$WORK/events.log" && echo "  info  the test driver sent a tunable event"

t_done
