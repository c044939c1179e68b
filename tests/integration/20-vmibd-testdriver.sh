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
#   - counters: at most 1 s old when read (the test driver's counters grow
#     with the clock, so virsh read just before bounds them);
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
