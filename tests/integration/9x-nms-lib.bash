# 9x-nms-lib.bash - what the NMS tests (90-nms-zabbix.sh, 91-nms-prometheus.sh)
# share, sourced after lib.sh: the NMS packages (mk/nms-packages.txt,
# installed when missing; the test is skipped with the reason when they
# cannot be), vMIB OIDs from the generated header, the testbed (the shared
# one when it is up, else one brought up and taken down) with vmibd on h1,
# two VMs made on h1 through SNMP (nms-run: running, one vif with a shape
# row; nms-off: defined, shut off, so only one guest boots), helpers to stop
# the test's own daemons by pid in bounded time, and the cleanup.
#
# A test sets N_NAME before sourcing, calls n_begin, and may set
# n_cleanup_extra to a function run first at exit.

HDR=$T_BUILD/gen/vmib_oids.h
TB=$T_TESTBED
work=$(mktemp -d "/tmp/vmib-$N_NAME.XXXXXX")
chmod 755 "$work"          # the postgres user reaches its cluster below
we_brought_up=0
vmibd_started=""
n_vms=""                   # indexes of the VMs this test made on h1
n_pids=""                  # daemons of the test, stopped at exit
n_cleanup_extra=:
VM_RUN=901 VM_OFF=902      # vmibVmIndex of the two VMs
VM_RUN_NAME=nms-run VM_OFF_NAME=nms-off

# n_stop PID [SECONDS]: SIGTERM, up to SECONDS (10) for it to end, SIGKILL
n_stop() {
	local pid=$1 limit=${2:-10} i=0
	kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $((limit * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

n_cleanup() {
	local p ix
	"$n_cleanup_extra"
	for p in $n_pids; do n_stop "$p"; done
	if [ -d "$T_TB_DIR" ]; then
		for ix in $n_vms; do
			n_set "$O_RS.$ix" i "$RS_DESTROY" >/dev/null 2>&1
		done
		for ix in $VM_RUN_NAME $VM_OFF_NAME; do   # if the SET did not
			timeout 30 virsh -q -c "qemu+tcp://$T_TB_NET.1/system" destroy "$ix" >/dev/null 2>&1
			timeout 30 virsh -q -c "qemu+tcp://$T_TB_NET.1/system" undefine "$ix" >/dev/null 2>&1
		done
		for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
		[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap n_cleanup EXIT

n_oid() {
	local o
	o=$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)
	[ -n "$o" ] || { echo "no OID for $1 in $HDR" >&2; return 1; }
	echo ".$o"
}
n_enum() { sed -n "s/^#define VMIB_ENUM_$1 *\([0-9]*\)\$/\1/p" "$HDR"; }

# n_packages CMD...: 0 when every command is there, installing
# mk/nms-packages.txt first when one is missing; else prints why
n_packages() {
	local c missing=""
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || [ -e "$c" ] || missing="$missing $c"; done
	[ -z "$missing" ] && return 0
	if ! "$T_TOP/tests/tools/install-deps" "$T_TOP/mk/nms-packages.txt" >"$work/install.log" 2>&1; then
		echo "the NMS packages (mk/nms-packages.txt) cannot be installed:$missing missing ($(tail -n 1 "$work/install.log"))"
		return 1
	fi
	missing=""
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || [ -e "$c" ] || missing="$missing $c"; done
	[ -z "$missing" ] && return 0
	echo "missing after installing mk/nms-packages.txt:$missing"
	return 1
}

# SNMP to h1 over SNMPv3 (the testbed's credentials), numeric, no MIB files
n_snmp() { local tool=$1; shift; env MIBS= MIBDIRS=/dev/null "$TB" snmp 1 "$tool" -On "$@" 2>/dev/null; }
n_get() { n_snmp snmpget -Oqv "$@" | tr -d '"'; }
n_set() { n_snmp snmpset -t 12 -r 0 "$@"; }
# n_walk COLUMN-OID: "INDEX VALUE" lines
n_walk() {
	n_snmp snmpwalk -Oq "$1" | grep -v 'No Such' | sed "s|^$1\.||" | tr -d '"'
}
n_wait_oid() { # SECONDS OID VALUE
	local limit=$1 oid=$2 want=$3 start
	start=$(t_ms)
	while [ "$(n_get "$oid")" != "$want" ]; do
		[ $(( $(t_ms) - start )) -ge $((limit * 1000)) ] && return 1
		sleep 0.2
	done
}

# n_begin: preconditions, testbed, vmibd on h1, the two VMs.  1 when the
# test cannot go on (after recording why).
n_begin() {
	local why
	if ! why=$(t_can_namespaces); then t_skip "all checks: $why"; return 1; fi
	for c in virsh snmpget snmpset snmpwalk curl python3; do
		command -v "$c" >/dev/null || { t_skip "all checks: $c not installed"; return 1; }
	done
	if [ ! -x "$T_BUILD/bin/vmibd" ] || [ ! -r "$HDR" ] ||
	   [ ! -r "$T_BUILD/images/vmib-test/vmlinuz" ]; then
		t_fail "build/bin/vmibd, build/gen/vmib_oids.h or the guest image missing (make all image)"
		return 1
	fi
	O_NAME=$(n_oid vmibVmName) || return 1
	O_HOSTNAME=$(n_oid vmibHostName)
	O_IMAGE=$(n_oid vmibVmImage)
	O_OPER=$(n_oid vmibVmOperState)
	O_ADMIN=$(n_oid vmibVmAdminState)
	O_CPU=$(n_oid vmibVmCpuTimeMs)
	O_MEM=$(n_oid vmibVmMemoryKBytes)
	O_RS=$(n_oid vmibVmRowStatus)
	O_VIFRS=$(n_oid vmibVifRowStatus)
	O_VIFADDR=$(n_oid vmibVifAddr)
	O_VIFLEN=$(n_oid vmibVifPrefixLen)
	O_VIFDEV=$(n_oid vmibVifDevice)
	O_SHRS=$(n_oid vmibShapeRowStatus)
	O_SHNAME=$(n_oid vmibShapeName)
	O_SHSRC=$(n_oid vmibShapeSrcAddr)
	O_SHLEN=$(n_oid vmibShapeSrcPrefixLen)
	O_SHRATE=$(n_oid vmibShapeRateKbps)
	O_SHOPER=$(n_oid vmibShapeOperStatus)
	RS_GO=$(n_enum vmibVmRowStatus_createAndGo)
	RS_DESTROY=$(n_enum vmibVmRowStatus_destroy)
	E_RUNNING=$(n_enum vmibVmOperState_running)
	E_PAUSED=$(n_enum vmibVmOperState_paused)
	E_SHUTOFF=$(n_enum vmibVmOperState_shutoff)
	A_RUNNING=$(n_enum vmibVmAdminState_running)
	A_PAUSED=$(n_enum vmibVmAdminState_paused)
	A_SHUTOFF=$(n_enum vmibVmAdminState_shutoff)
	S_APPLIED=$(n_enum vmibShapeOperStatus_applied)
	t_testbed_join 1 || return 1
	t_wait 20 sh -c "[ -n \"\$(env MIBS= MIBDIRS=/dev/null '$TB' snmp 1 snmpget -Oqv -On $O_HOSTNAME.0 2>/dev/null | grep -v 'No Such')\" ]" ||
		{ t_fail "vmibd on h1 answers (vmibHostName.0)"; return 1; }
	for ix in $VM_RUN $VM_OFF; do
		if [ -n "$(n_get "$O_NAME.$ix" | grep -v 'No Such')" ]; then
			t_fail "h1 has no VM $ix before the test"; return 1
		fi
	done
	n_vms="$VM_RUN $VM_OFF"
	if ! n_set "$O_RS.$VM_RUN" i "$RS_GO" "$O_NAME.$VM_RUN" s "$VM_RUN_NAME" \
		"$O_IMAGE.$VM_RUN" s vmib-test \
		"$O_VIFRS.$VM_RUN.1" i "$RS_GO" "$O_VIFADDR.$VM_RUN.1" a 10.9.0.1 "$O_VIFLEN.$VM_RUN.1" u 24 \
		"$O_SHRS.$VM_RUN.1.1" i "$RS_GO" "$O_SHNAME.$VM_RUN.1.1" s nms-in \
		"$O_SHSRC.$VM_RUN.1.1" a 10.9.0.0 "$O_SHLEN.$VM_RUN.1.1" u 24 \
		"$O_SHRATE.$VM_RUN.1.1" u 10000 >"$work/set1.out"; then
		t_fail "create VM $VM_RUN_NAME with a vif and a shape row on h1"; return 1
	fi
	if ! n_set "$O_RS.$VM_OFF" i "$RS_GO" "$O_NAME.$VM_OFF" s "$VM_OFF_NAME" \
		"$O_IMAGE.$VM_OFF" s vmib-test "$O_ADMIN.$VM_OFF" i "$A_SHUTOFF" \
		"$O_VIFRS.$VM_OFF.1" i "$RS_GO" "$O_VIFADDR.$VM_OFF.1" a 10.9.0.2 "$O_VIFLEN.$VM_OFF.1" u 24 \
		>"$work/set2.out"; then
		t_fail "create VM $VM_OFF_NAME (shut off) on h1"; return 1
	fi
	n_wait_oid 60 "$O_OPER.$VM_RUN" "$E_RUNNING" || { t_fail "$VM_RUN_NAME runs"; return 1; }
	n_wait_oid 30 "$O_SHOPER.$VM_RUN.1.1" "$S_APPLIED" || { t_fail "shape row of $VM_RUN_NAME applied"; return 1; }
	return 0
}

# n_port BASE: a free TCP port on 127.0.0.1 from BASE + the testbed instance
n_port() {
	local p=$(( $1 + T_TB_ID * 10 ))
	while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
	echo "$p"
}
