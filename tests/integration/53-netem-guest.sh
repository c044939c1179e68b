#!/usr/bin/env bash
# 53-netem-guest: NetEm for real, inside a guest whose kernel has sch_netem,
# and refused cleanly on a host kernel that has not.
#
# The shaping code runs in the guest: shape-tool (tests/bench/shape-tool.c,
# linked statically with agent/tc*.c and libnl) is put into a guest image
# of its own, build/images-shape/vmib-shape (tests/image/mkimage --extra;
# rebuilt when its sources are newer), and shapes the guest's own egress
# (eth0) with the rows vmibd would send.  Pings from the switch namespace
# to the guest measure what the replies go through:
#   1. delays of 10, 50 and 100 ms: the median RTT of 100 pings minus the
#      median without NetEm is within 0.5 ms + 5% of the delay;
#   2. a loss of 10%: over 1000 pings, 10% +/- 3 points are lost;
#   3. on the host (vmibd, SNMP): a row asking for a delay on the guest's
#      vif when the host kernel has no sch_netem is accepted, what the host
#      can do of it is in force and the row reads unsupported(4), its
#      vmibShapeLastError saying the delay is not applied; no netem qdisc
#      is on the vif;
#   4. rows with NetEm in the domain's metadata met by a vmibd (re)start on
#      that host (as after a migration from a host with sch_netem): the
#      NetEm row is unsupported(4) with its reason, a rate row of the same
#      vif is applied.
# The measured figures are printed.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 53-netem-guest

TB=$T_TESTBED
GX=$T_TOP/tests/image/guest-exec
GDX=$T_TOP/tests/tools/guest-domain-xml
HDR=$T_BUILD/gen/vmib_oids.h
IMGS=$T_BUILD/images-shape
IMG=$IMGS/vmib-shape
SW=$T_TB_SW
N=t53-n IPN=10.53.0.1 SWADDR=10.53.0.250/24
work=$(mktemp -d /tmp/vmib-t53.XXXXXX)
we_brought_up=0
vmibd_started=""
sw_addr_added=0

uri() { echo "qemu+tcp://$T_TB_NET.$1/system"; }
vsh() { local h=$1; shift; timeout 60 virsh -q -c "$(uri "$h")" "$@"; }
cleanup() {
	local h
	if [ -d "$T_TB_DIR" ]; then
		vsh 1 destroy $N >/dev/null 2>&1
		vsh 1 undefine $N >/dev/null 2>&1
		[ "$sw_addr_added" = 1 ] && ip -n "$SW" addr del "$SWADDR" dev sw0 2>/dev/null
		for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
		[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
for tool in virsh snmpget snmpset gcc python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"; t_done; exit $?
	fi
done
if [ ! -x "$T_BUILD/bin/vmibd" ] || [ ! -r "$HDR" ]; then
	t_fail "build/bin/vmibd or $HDR missing (make)"; t_done; exit $?
fi

# --- the guest image with the shaping code --------------------------------------------------
srcs=("$T_TOP/tests/bench/shape-tool.c" "$T_TOP"/agent/net/*.c "$T_TOP/common/log.c"
      "$T_TOP/common/kvline.c"
      "$T_TOP/common/ip4.c")
newest=$(ls -t "${srcs[@]}" "$T_TOP"/agent/net/*.h "$T_TOP"/common/log.h \
	"$T_TOP"/tests/image/* "$HDR" | head -n 1)
if [ ! -r "$IMG/initrd.img" ] || [ "$newest" -nt "$IMG/initrd.img" ]; then
	mkdir -p "$work/extra/usr/bin"
	# static: the image carries no libnl
	if ! gcc -std=gnu11 -O2 -D_GNU_SOURCE -I"$T_TOP/agent/net" -I"$T_TOP/common" -I"$T_BUILD/gen" \
		$(pkg-config --cflags libnl-route-3.0) -static -o "$work/extra/usr/bin/shape-tool" \
		"${srcs[@]}" -lnl-route-3 -lnl-3 -lpthread -lm >"$work/cc.log" 2>&1; then
		t_fail "static shape-tool for the guest"; tail -n 5 "$work/cc.log" | sed 's/^/        /'
		t_done; exit $?
	fi
	if ! "$T_TOP/tests/image/mkimage" --extra "$work/extra" --name vmib-shape "$IMGS" \
		>"$work/mkimage.log" 2>&1; then
		t_fail "mkimage of $IMG"; tail -n 5 "$work/mkimage.log" | sed 's/^/        /'
		t_done; exit $?
	fi
	t_ok "guest image $IMG built with shape-tool"
fi

# --- testbed, guest -------------------------------------------------------------------------
t_testbed_join 1 || { t_done; exit $?; }
: >"$work/n.console"
CONSOLE_LOG="$work/n.console" "$GDX" $N "$IMG" br0 52:54:00:53:00:01 "vmib.ip=eth0:$IPN/24" >"$work/n.xml"
vsh 1 define "$work/n.xml" >/dev/null && vsh 1 start $N >/dev/null || t_fail "start $N on h1"
ip -n "$SW" addr add "$SWADDR" dev sw0 2>/dev/null && sw_addr_added=1
if ! t_wait 60 "$GX" -n "$SW" -t 3 $IPN true; then
	t_fail "guest $IPN does not answer"; t_done; exit $?
fi
gx() { "$GX" -n "$SW" -t 60 $IPN "$@"; }

# --- 1, 2. NetEm in the guest ------------------------------------------------------------------
if ! gx "shape-tool caps" | grep -q '^caps .*netem'; then
	t_skip "the guest's kernel has no sch_netem ($(gx 'shape-tool caps' | head -n 1))"
else
	# median RTT of COUNT pings from the switch, in ms
	rtt() {
		ip netns exec "$SW" ping -c "$1" -i 0.02 $IPN 2>/dev/null |
			sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
			awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
	}
	apply() { gx "echo '$1' > /tmp/rows && shape-tool apply eth0 /tmp/rows -r -c htb,netem,u32"; }
	base=$(rtt 100)
	echo "  RTT without NetEm (median of 100): $base ms"
	for d in 10 50 100; do
		if ! out=$(apply "index=1 delay_us=$((d * 1000))"); then
			t_fail "shape-tool apply delay $d ms in the guest: $out"; continue
		fi
		t_check "tc in the guest: netem delay ${d}ms under 7600:ffff" sh -c \
			"$GX -n $SW -t 20 $IPN 'tc -d qdisc show dev eth0' | grep -q 'netem .*parent 7600:ffff .*delay ${d}ms'"
		got=$(rtt 100)
		if res=$(python3 -c '
import sys
d, got, base = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
m = got - base; tol = 0.5 + 0.05 * d
print("%.3f ms (error %+.3f ms, tolerance %.2f ms)" % (m, m - d, tol))
sys.exit(0 if abs(m - d) <= tol else 1)' "$d" "$got" "$base"); then
			t_ok "delay $d ms measured $res"
		else
			t_fail "delay $d ms measured $res"
		fi
	done
	if out=$(apply "index=1 loss_ppm=100000"); then
		lost=$(ip netns exec "$SW" ping -c 1000 -i 0.005 -q $IPN 2>/dev/null |
			sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
		if python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - 10) <= 3 else 1)' "${lost:-100}"; then
			t_ok "loss 10% measured ${lost}% over 1000 pings"
		else
			t_fail "loss 10% measured '${lost}'% over 1000 pings (allowed 7..13)"
		fi
	else
		t_fail "shape-tool apply loss 10% in the guest: $out"
	fi
	gx "shape-tool apply eth0 /dev/null /tmp/rows -c htb,netem,u32" >/dev/null
fi

# --- 3, 4. the host refuses NetEm --------------------------------------------------------------
oid() { echo ".$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)"; }
SE=$(oid vmibShapeEntry)
O_VMNAME=$(oid vmibVmName)
SNMP=(env MIBS= MIBDIRS=/dev/null)
sget() { "${SNMP[@]}" snmpget -v2c -c "$COMM" -On -Oqv -t 2 -r 2 "$T_TB_NET.1" "$@" 2>/dev/null | tr -d '"'; }
probe=vmib-t53-probe-$$
host_netem=0
if ip netns add $probe 2>/dev/null && ip -n $probe link add p0 type veth peer name p1 &&
	ip netns exec $probe tc qdisc add dev p0 root netem delay 1ms 2>/dev/null; then
	host_netem=1
fi
ip netns del $probe 2>/dev/null
if [ "$host_netem" = 1 ]; then
	t_skip "refusal on the host: this host's kernel has sch_netem"
	t_done; exit $?
fi
vm=""
vm_listed() {
	vm=$("${SNMP[@]}" snmpwalk -v2c -c "$COMM" -On -Oq "$T_TB_NET.1" "$O_VMNAME" 2>/dev/null |
		tr -d '"' | awk -v p="$O_VMNAME." -v n=$N '$2 == n { sub(p, "", $1); print $1 }')
	[ -n "$vm" ]
}
t_wait 20 vm_listed || { t_fail "$N not in h1's vmibVmTable"; t_done; exit $?; }
vif=$(vsh 1 domiflist $N | awk '$1 != "" { print $1; exit }')
out=$("${SNMP[@]}" snmpset -v2c -c "$COMM" -On -t 5 -r 0 "$T_TB_NET.1" \
	$SE.20.$vm.1.1 i 4 $SE.7.$vm.1.1 u 10000 2>&1)
t_eq "host: a 10 ms delay on $N's vif ($vif) is accepted" "" \
	"$(echo "$out" | sed -n 's/^Reason: \([a-zA-Z]*\).*/\1/p')"
row_unsupported() { [ "$(sget $SE.14.$vm.1.1)" = 4 ]; }
t_wait 10 row_unsupported
t_eq "... the row reads unsupported(4)" 4 "$(sget $SE.14.$vm.1.1)"
t_eq "... its vmibShapeLastError" \
	"kernel has no sch_netem: delay not applied; the rest of the row is in force" \
	"$(sget $SE.15.$vm.1.1)"
t_check "... and $vif has no netem qdisc" sh -c "! $TB exec 1 tc qdisc show dev $vif | grep -q netem"

# rows with NetEm arrive in the metadata (vmibd reads them when it starts)
[ -n "$vmibd_started" ] || vmibd_started=1
"$TB" vmibd stop 1 >/dev/null 2>&1
vsh 1 metadata $N --live --config --uri urn:vmib:shape:1 --key vmibshape --set \
	'<shapes><shape vif="1" index="2" delay-us="20000"/><shape vif="1" index="3" src="10.9.9.0/24" rate-kbps="5000"/></shapes>' \
	>/dev/null || t_fail "virsh metadata --set"
"$TB" vmibd start 1 >/dev/null 2>&1 || t_fail "vmibd start 1"
unsupported() { [ "$(sget $SE.14.$vm.1.2)" = 4 ]; }
if t_wait 20 unsupported; then
	t_ok "NetEm row read from the metadata: unsupported(4)"
else
	t_fail "NetEm row read from the metadata: vmibShapeOperStatus '$(sget $SE.14.$vm.1.2)'"
fi
t_eq "... its vmibShapeLastError" \
	"kernel has no sch_netem: delay not applied; the rest of the row is in force" \
	"$(sget $SE.15.$vm.1.2)"
t_eq "... the rate row of the same vif is applied(1)" 1 "$(sget $SE.14.$vm.1.3)"
t_check "... class 7600:3 on $vif, no netem" sh -c \
	"$TB exec 1 tc -d class show dev $vif | grep -q 'class htb 7600:3 root .*rate 5Mbit' && ! $TB exec 1 tc qdisc show dev $vif | grep -q netem"
t_done
