#!/bin/bash
# 21-vmibd-resilience.sh - vmibd following a real libvirtd: lifecycle
# events and notifications, indexes kept in libvirt metadata across vmibd
# restarts, and libvirtd restarts (stale state, reconnection, catch-up).
#
# A private libvirtd runs in session mode (as nobody when we are root,
# with its own XDG directories), serving libvirt's test driver over its
# unix socket: test+unix:///default?socket=... .  Domains defined through
# virsh live in the daemon as long as a connection holds the shared
# default driver open (a background "virsh event --loop" does), so
# metadata vmibd writes really persist across vmibd restarts, unlike
# with test:///file (see 20-vmibd-testdriver.sh).  Part B uses a node file
# through the same daemon (test+unix:///file.xml?socket=...), which
# survives libvirtd restarts, to test stale state and reconnection.

source "$(dirname "$0")/lib.sh"
source "$T_TOP/tests/bench/vmibd-walk-env.sh"

t_begin 21-vmibd-resilience

for tool in snmpd snmptrapd snmpget snmpbulkwalk virsh libvirtd python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"
		t_done
		exit $?
	fi
done

WORK=$(mktemp -d /tmp/vmib-t21.XXXXXX)
LV=$(mktemp -d /tmp/vmib-t21-lv.XXXXXX)
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

# --- a private libvirtd -------------------------------------------------------------
chmod 755 "$LV"
mkdir -p "$LV/home" "$LV/run"
AS=()
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody "$LV"
	AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
SOCK=$LV/run/libvirt/libvirt-sock
start_libvirtd() {
	"${AS[@]}" env HOME="$LV/home" XDG_RUNTIME_DIR="$LV/run" \
		XDG_CONFIG_HOME="$LV/home/.config" XDG_CACHE_HOME="$LV/home/.cache" \
		libvirtd >> "$WORK/libvirtd.log" 2>&1 &
	LV_PID=$!
	t_wait 10 virsh -c "test+unix:///default?socket=$SOCK" version
}
if ! start_libvirtd; then
	t_skip "all checks: a private session libvirtd does not start here"
	t_done
	exit $?
fi
t_ok "private libvirtd (session mode) serves the test driver"

URI="test+unix:///default?socket=$SOCK"
vsh() { virsh -q -c "$URI" "$@"; }
# hold the shared test driver open for the whole part A
virsh -c "$URI" event --all --loop > "$WORK/events.log" 2>&1 &
HOLD_PID=$!
sleep 0.3

define() { # name n [vifs]
	local vifs="" k
	for k in $(seq 1 "${3:-1}"); do
		vifs="$vifs<interface type='bridge'><mac address='52:54:00:21:$(printf %02x "$2"):0$k'/><source bridge='br0'/><model type='virtio'/></interface>"
	done
	cat > "$WORK/$1.xml" <<EOF
<domain type='test'><name>$1</name><uuid>21000000-0000-4000-8000-0000000000$(printf %02d "$2")</uuid>
<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>$vifs</devices></domain>
EOF
	vsh define "$WORK/$1.xml" >/dev/null
}
for n in 1 2 3 4; do define "d0$n" "$n"; done
define d02x 9 2 >/dev/null && vsh undefine d02x >/dev/null # exercise define+undefine before start
vsh start d01 >/dev/null
vsh start d02 >/dev/null

vw_init "$WORK"
mkdir -p "$WORK/images"
vw_start_snmpd || { t_fail "private snmpd starts"; t_done; exit $?; }
vw_start_trapd
if ! vw_start_vmibd "$URI"; then
	t_fail "vmibd registers"
	t_done
	exit $?
fi
R=$VW_VMIB_ROOT
t_ok "vmibd on $URI"

# index of a VM name, from a walk of vmibVmName
index_of() {
	vw_snmp snmpbulkwalk -Cr50 -Oq "$R.1.3.1.2" |
		awk -v n="\"$1\"" '$2 == n { k = split($1, p, "."); print p[k] }'
}
oper_of() { vw_snmp snmpget -Oqv "$R.1.3.1.7.$1"; }
meta_index() { vsh metadata "$1" urn:vmib:domain:1 2>/dev/null | sed -n 's/.*index="\([0-9]*\)".*/\1/p'; }

# the daemon's own "test" domain is there too; names sort d01 < ... < test
got="$(index_of d01) $(index_of d02) $(index_of d03) $(index_of d04) $(index_of test)"
t_eq "indexes assigned lowest first, in name order" "1 2 3 4 5" "$got"
got="$(meta_index d01) $(meta_index d03) $(meta_index test)"
t_eq "indexes recorded in each domain's libvirt metadata" "1 3 5" "$got"

# --- lifecycle events: the table follows, notifications go out ------------------------
has_trap() { grep -q -- "$1" "$VW_TRAPS"; }
wait_oper() { t_wait 5 sh -c "[ \"\$(MIBS= SNMPCONFPATH='$VW_DIR/conf' snmpget -v2c -c public -Oqv 127.0.0.1:$VW_PORT $R.1.3.1.7.$1)\" = $2 ]"; }

vsh start d03 >/dev/null
start=$(t_ms)
if wait_oper 3 2; then
	t_ok "start of d03 seen in $(( $(t_ms) - start )) ms (vmibVmOperState running)"
else
	t_fail "start of d03 not seen: oper $(oper_of 3)"
fi
vsh suspend d01 >/dev/null
wait_oper 1 4 && t_ok "suspend of d01: paused" || t_fail "suspend of d01: oper $(oper_of 1)"
vsh destroy d02 >/dev/null
wait_oper 2 6 && t_ok "destroy of d02: shutoff" || t_fail "destroy of d02: oper $(oper_of 2)"
define d00 10
t_wait 5 sh -c "[ -n \"\$(MIBS= SNMPCONFPATH='$VW_DIR/conf' snmpget -v2c -c public -Oqv 127.0.0.1:$VW_PORT $R.1.3.1.2.6 | grep d00)\" ]" &&
	t_ok "new domain d00 appears with the lowest free index (6)" ||
	t_fail "d00 not at index 6 (index $(index_of d00))"
vsh undefine d04 >/dev/null
t_wait 5 sh -c "! MIBS= snmpget -v2c -c public -Oqv 127.0.0.1:$VW_PORT $R.1.3.1.2.4 | grep -q d04" &&
	t_ok "undefined d04 leaves the table" || t_fail "d04 still in the table"
sleep 0.5

# notifications: sysUpTime.0 first, snmpTrapOID.0 second, row instances
N0=".1.3.6.1.4.1.8072.9999.9999.42.0.1"
if has_trap "^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: [^	]*	\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: $N0	\.$R\.1\.3\.1\.2\.3 = STRING: \"d03\"	\.$R\.1\.3\.1\.7\.3 = INTEGER: 2	\.$R\.1\.3\.1\.8\.3 = INTEGER: 1"; then
	t_ok "vmibVmStateChange for d03: sysUpTime.0, snmpTrapOID.0, then .3 instances"
else
	t_fail "no well-formed vmibVmStateChange for d03 start"
	grep -F "$N0" "$VW_TRAPS" | head -3 | sed 's/^/        /'
fi
has_trap "\.$R\.1\.3\.1\.2\.1 = STRING: \"d01\"	\.$R\.1\.3\.1\.7\.1 = INTEGER: 4" &&
	t_ok "vmibVmStateChange for d01 paused" || t_fail "no vmibVmStateChange for d01 paused"
has_trap "\.$R\.1\.3\.1\.2\.4 = STRING: \"d04\"	\.$R\.1\.3\.1\.7\.4 = INTEGER: 6" &&
	t_ok "vmibVmStateChange for d04 leaving (last values)" || t_fail "no notification for d04 leaving"
# RFC 7666: vmRunning(1) for d03 with the prior state shutdown(11),
# vmPaused(4) for d01 (prior running(4)), vmDeleted(10) for d04
has_trap "OID: \.1\.3\.6\.1\.2\.1\.236\.0\.1	\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.2\.3 = STRING: \"d03\"	[^	]*	\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.6\.3 = INTEGER: 11" &&
	t_ok "RFC 7666 vmRunning for d03 (vmOperState = prior shutdown)" || t_fail "no vmRunning for d03"
has_trap "OID: \.1\.3\.6\.1\.2\.1\.236\.0\.4	\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.2\.1 = STRING: \"d01\"" &&
	t_ok "RFC 7666 vmPaused for d01" || t_fail "no vmPaused for d01"
has_trap "OID: \.1\.3\.6\.1\.2\.1\.236\.0\.10	\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.2\.4 = STRING: \"d04\"" &&
	t_ok "RFC 7666 vmDeleted for d04" || t_fail "no vmDeleted for d04"

# --- vmibd restart: indexes come from the metadata ----------------------------------
# c00 sorts first: numbering by name would give it 1 and shift the rest
vw_stop_vmibd
define c00 11
if vw_start_vmibd "$URI"; then
	got="$(index_of d01) $(index_of d02) $(index_of d03) $(index_of d00) $(index_of test) $(index_of c00)"
	t_eq "vmibd restart: indexes kept from metadata, c00 gets the free 4" "1 2 3 6 5 4" "$got"
else
	t_fail "vmibd restarts"
fi

# --- part B: libvirtd restart ------------------------------------------------------------
vw_stop_vmibd
stop_pid "$HOLD_PID"
HOLD_PID=
cat > "$LV/node.xml" <<'EOF'
<node>
 <domain type='test'><name>n1</name><uuid>21000000-0000-4000-8000-000000000101</uuid><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
 <domain type='test'><name>n2</name><uuid>21000000-0000-4000-8000-000000000102</uuid><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
</node>
EOF
chmod 644 "$LV/node.xml"
URIF="test+unix://$LV/node.xml?socket=$SOCK"
if ! vw_start_vmibd "$URIF" -o reconnect-min-ms=200 -o reconnect-max-ms=1000; then
	t_fail "vmibd on the node file"
	t_done
	exit $?
fi
before="$(index_of n1) $(index_of n2)"
stop_pid "$LV_PID"
LV_PID=
start=$(t_ms)
if t_wait 5 sh -c "[ \"\$(MIBS= snmpget -v2c -c public -Oqv 127.0.0.1:$VW_PORT $R.1.1.11.0)\" = 2 ]"; then
	t_ok "libvirtd gone: vmibHostLibvirtState stale after $(( $(t_ms) - start )) ms"
else
	t_fail "libvirtd gone: state not stale"
fi
t_eq "the last known VMs are still served" "2" "$(vw_snmp snmpget -Oqv "$R.1.1.9.0")"
err=$(vw_snmp snmpget -Oqv "$R.1.1.12.0")
case $err in
*libvirt*) t_ok "vmibHostLastError says why: $err" ;;
*) t_fail "vmibHostLastError empty: '$err'" ;;
esac
# while libvirtd is down, a domain is added to its configuration
sed -i 's|</node>| <domain type="test"><name>n0</name><uuid>21000000-0000-4000-8000-000000000100</uuid><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n</node>|' "$LV/node.xml"
sleep 1
start_libvirtd
start=$(t_ms)
if t_wait 10 sh -c "[ \"\$(MIBS= snmpget -v2c -c public -Oqv 127.0.0.1:$VW_PORT $R.1.1.11.0 $R.1.1.9.0 | tr '\n' ' ')\" = '1 3 ' ]"; then
	t_ok "libvirtd back: reconnected and caught up (3 VMs) in $(( $(t_ms) - start )) ms"
else
	t_fail "no reconnection/catch-up: $(vw_snmp snmpget -Oqv "$R.1.1.11.0" "$R.1.1.9.0" | tr '\n' ' ')"
fi
t_eq "indexes kept across the libvirtd restart" "$before" "$(index_of n1) $(index_of n2)"
t_eq "the new VM gets the next free index" "3" "$(index_of n0)"

t_done
