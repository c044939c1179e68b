# 4x-vm-lib.bash - what the 4x-vm-*.sh tests share (sourced after lib.sh):
# preconditions, vMIB OIDs from the generated header, the testbed (the
# shared one when it is up, else one brought up and taken down), vmibd
# restarted on each host with the test's own arguments (and put back as it
# was at the end), SNMP helpers, a trap receiver, and cleanup of the
# domains and switch addresses a test made.
#
# A test sets X_NAME (its short name, e.g. t40) and X_VMIBD_ARGS (extra
# vmibd arguments) before sourcing, then calls x_begin.

TB=$T_TESTBED
HDR=$T_BUILD/gen/vmib_oids.h
IMG=$T_BUILD/images/vmib-test
GX=$T_TOP/tests/image/guest-exec
SW=$T_TB_SW
work=$(mktemp -d "/tmp/vmib-$X_NAME.XXXXXX")
x_we_brought_up=0
x_vmibd_restore=""     # hosts whose vmibd ran before: restart with saved args
x_vmibd_stop=""        # hosts whose vmibd this test started
x_domains=""           # "HOST NAME" pairs to destroy and undefine
x_sw_addrs=""          # addresses added on the switch bridge
x_bg_pids=""
NH=2

x_uri() { echo "qemu+tcp://$T_TB_NET.$1/system"; }
vsh() { local h=$1; shift; timeout 30 virsh -q -c "$(x_uri "$h")" "$@"; }

x_stopped_pid=""       # a libvirtd a test stopped (SIGSTOP): resumed here
x_cleanup() {
	local p h d args
	[ -n "$x_stopped_pid" ] && kill -CONT "$x_stopped_pid" 2>/dev/null
	for p in $x_bg_pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	if [ -d "$T_TB_DIR" ]; then
		set -- $x_domains
		while [ $# -ge 2 ]; do
			vsh "$1" destroy "$2" >/dev/null 2>&1
			vsh "$1" undefine "$2" >/dev/null 2>&1
			shift 2
		done
		for a in $x_sw_addrs; do ip -n "$SW" addr del "$a" dev sw0 2>/dev/null; done
		for h in $x_vmibd_stop; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
		for h in $x_vmibd_restore; do
			args=()
			if [ -s "$work/vmibd$h.args" ]; then
				mapfile -d '' -t args <"$work/vmibd$h.args"
			fi
			"$TB" vmibd restart "$h" "${args[@]}" >/dev/null 2>&1
		done
		[ "$x_we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap x_cleanup EXIT

x_oid() {
	local o
	o=$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)
	[ -n "$o" ] || { echo "no OID for $1 in $HDR" >&2; return 1; }
	echo ".$o"
}
x_enum() { sed -n "s/^#define VMIB_ENUM_$1 *\([0-9]*\)\$/\1/p" "$HDR"; }

# the checks every test needs; 1 (after recording why) when it cannot run
x_preconditions() {
	local why tool
	if ! why=$(t_can_namespaces); then
		t_skip "all checks: $why"; return 1
	fi
	for tool in virsh snmpget snmpset snmpwalk snmptrapd ping ss; do
		if ! command -v "$tool" >/dev/null; then
			t_skip "all checks: $tool not installed"; return 1
		fi
	done
	if [ ! -x "$T_BUILD/bin/vmibd" ] || [ ! -r "$HDR" ]; then
		t_fail "build/bin/vmibd or build/gen/vmib_oids.h missing (make)"; return 1
	fi
	if [ ! -r "$IMG/vmlinuz" ] || [ ! -r "$IMG/initrd.img" ]; then
		t_fail "guest image $IMG missing (make image)"; return 1
	fi
	return 0
}

x_oids() {
	O_HOSTERR=$(x_oid vmibHostLastError) || return 1
	O_HOSTNAME=$(x_oid vmibHostName)
	O_NAME=$(x_oid vmibVmName)
	O_UUID=$(x_oid vmibVmUuid)
	O_IMAGE=$(x_oid vmibVmImage)
	O_MEM=$(x_oid vmibVmMemoryKBytes)
	O_VCPUS=$(x_oid vmibVmVcpus)
	O_OPER=$(x_oid vmibVmOperState)
	O_ADMIN=$(x_oid vmibVmAdminState)
	O_WEIGHT=$(x_oid vmibVmSchedWeight)
	O_CAP=$(x_oid vmibVmSchedCapPercent)
	O_TARGET=$(x_oid vmibVmMigrateTarget)
	O_LIVE=$(x_oid vmibVmMigrateLive)
	O_MSTATUS=$(x_oid vmibVmMigrateStatus)
	O_DOWNTIME=$(x_oid vmibVmMigrateDowntimeMs)
	O_LASTERR=$(x_oid vmibVmLastError)
	O_RS=$(x_oid vmibVmRowStatus)
	O_VIFDEV=$(x_oid vmibVifDevice)
	O_VIFMAC=$(x_oid vmibVifMac)
	O_VIFBR=$(x_oid vmibVifBridge)
	O_VIFADDR=$(x_oid vmibVifAddr)
	O_VIFLEN=$(x_oid vmibVifPrefixLen)
	O_VIFROUTES=$(x_oid vmibVifRoutes)
	O_VIFRS=$(x_oid vmibVifRowStatus)
	O_N_STATE=$(x_oid vmibVmStateChange)
	O_N_MIGRATED=$(x_oid vmibMigrationDone)
	E_RUNNING=$(x_enum vmibVmOperState_running)
	E_PAUSED=$(x_enum vmibVmOperState_paused)
	E_SHUTOFF=$(x_enum vmibVmOperState_shutoff)
	E_MIGRATING=$(x_enum vmibVmOperState_migrating)
	A_RUNNING=$(x_enum vmibVmAdminState_running)
	A_PAUSED=$(x_enum vmibVmAdminState_paused)
	A_SHUTOFF=$(x_enum vmibVmAdminState_shutoff)
	A_DESTROYED=$(x_enum vmibVmAdminState_destroyed)
	M_INPROGRESS=$(x_enum vmibVmMigrateStatus_inProgress)
	M_SUCCEEDED=$(x_enum vmibVmMigrateStatus_succeeded)
	M_FAILED=$(x_enum vmibVmMigrateStatus_failed)
	RS_GO=$(x_enum vmibVmRowStatus_createAndGo)
	RS_WAIT=$(x_enum vmibVmRowStatus_createAndWait)
	RS_DESTROY=$(x_enum vmibVmRowStatus_destroy)
	RS_ACTIVE=$(x_enum vmibVmRowStatus_active)
}

# the shared testbed when it is up, else one of our own; vmibd on hosts
# 1..2 restarted with the test's arguments
x_testbed() {
	local h
	if [ -r "$T_TB_DIR/state" ]; then
		NH=$(sed -n 's/^hosts=//p' "$T_TB_DIR/state" | tail -n 1)
		[ -n "$NH" ] || NH=2
		"$TB" up "$NH" >"$work/up.log" 2>&1
	else
		if ! "$TB" up 2 >"$work/up.log" 2>&1; then
			t_fail "testbed up 2"; tail -n 20 "$work/up.log" | sed 's/^/        /'
			return 1
		fi
		x_we_brought_up=1
	fi
	if [ "$NH" -lt 2 ]; then
		t_skip "all checks: the testbed has $NH host(s), 2 are needed"; return 1
	fi
	. "$T_TB_DIR/credentials.env"
	COMM=$VMIB_SNMP_COMMUNITY
	mkdir -p "$work/conf" "$work/console"
	echo "hexOutputLength 0" >"$work/conf/snmp.conf"
	SNMPENV=(env MIBS= MIBDIRS=/dev/null SNMPCONFPATH="$work/conf")
	for h in 1 2; do
		if "$TB" vmibd status "$h" >/dev/null 2>&1; then
			cp "$T_TB_DIR/h$h/vmibd.args" "$work/vmibd$h.args" 2>/dev/null || : >"$work/vmibd$h.args"
			x_vmibd_restore="$x_vmibd_restore $h"
			"$TB" vmibd restart "$h" -o "console-dir=$work/console" "${X_VMIBD_ARGS[@]}" \
				>"$work/vmibd$h.start" 2>&1
		else
			x_vmibd_stop="$x_vmibd_stop $h"
			"$TB" vmibd start "$h" -o "console-dir=$work/console" "${X_VMIBD_ARGS[@]}" \
				>"$work/vmibd$h.start" 2>&1
		fi || {
			t_fail "vmibd on h$h: $(tail -n 1 "$work/vmibd$h.start")"
			tail -n 5 "$T_TB_DIR/h$h/vmibd.log" | sed 's/^/        /'
			return 1
		}
	done
	for h in 1 2; do
		t_wait 15 x_answers "$T_TB_NET.$h" || { t_fail "vmibd on h$h does not answer"; return 1; }
	done
	return 0
}
x_answers() { [ -n "$(sget "$1" "$O_HOSTNAME.0")" ]; }

# sget HOST OID...: values, one a line, without quotes
sget() {
	local h=$1; shift
	"${SNMPENV[@]}" snmpget -v2c -c "$COMM" -On -Oqv -t 2 -r 1 "$h" "$@" 2>/dev/null | tr -d '"'
}
# sset HOST OID TYPE VALUE...: 0 noError; else 1 with SET_ERR (the error
# name) and SET_FAILED (the OID of the varbind it was on).  Bounded so that
# a SET that waits for libvirt (agentXTimeout 5 s on the testbed) answers.
sset() {
	local h=$1 out rc; shift
	out=$("${SNMPENV[@]}" snmpset -v2c -c "$COMM" -On -t 12 -r 0 "$h" "$@" 2>&1)
	rc=$?
	SET_OUT=$out
	SET_ERR=$(printf '%s\n' "$out" | sed -n 's/^Reason: \([A-Za-z]*\).*/\1/p' | head -n 1)
	SET_FAILED=$(printf '%s\n' "$out" | sed -n 's/^Failed object: \(.*\)$/\1/p' | head -n 1)
	[ $rc -eq 0 ] && [ -z "$SET_ERR" ]
}
# expect_set_error DESC ERROR OID HOST ARGS...: the SET fails with ERROR on OID
expect_set_error() {
	local desc=$1 err=$2 at=$3
	shift 3
	if sset "$@"; then
		t_fail "$desc: the SET succeeded"
	elif [ "$SET_ERR" = "$err" ] && [ "$SET_FAILED" = "$at" ]; then
		t_ok "$desc: $err"
	else
		t_fail "$desc: expected $err on $at, got '$SET_ERR' on '$SET_FAILED'"
		printf '%s\n' "$SET_OUT" | tail -n 3 | sed 's/^/        /'
	fi
}
# x_wait_oid SECONDS HOST OID VALUE: until the agent reads VALUE
x_wait_oid() {
	local limit=$1 h=$2 oid=$3 want=$4 start
	start=$(t_ms)
	while [ "$(sget "$h" "$oid")" != "$want" ]; do
		[ $(( $(t_ms) - start )) -ge $((limit * 1000)) ] && return 1
		sleep 0.1
	done
}

# the switch namespace gets an address on a guest subnet (removed at exit)
x_sw_addr() {
	ip -n "$SW" addr add "$1" dev sw0 2>/dev/null || return 1
	x_sw_addrs="$x_sw_addrs $1"
}
x_ping() { ip netns exec "$SW" ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
# x_first_ping ADDR SECONDS: ms until ADDR answers (from the switch), or fail
x_first_ping() {
	local start=$(t_ms)
	while ! x_ping "$1"; do
		[ $(( $(t_ms) - start )) -ge $(($2 * 1000)) ] && return 1
	done
	return 0
}

# a trap receiver on the testbed's notification address (one line per
# notification, varbinds tab-separated)
x_traps() {
	TRAPS=$work/traps.log
	: >"$TRAPS"
	local addr=${VMIB_TRAP_ADDRESS:-$T_TB_NET.254:16162}
	if ss -Hlun | awk '{ print $4 }' | grep -qxF "$addr"; then
		t_fail "something already listens on $addr: notification checks will fail"
		return 1
	fi
	printf 'authCommunity log %s\n' "$VMIB_TRAP_COMMUNITY" >"$work/snmptrapd.conf"
	"${SNMPENV[@]}" snmptrapd -f -Lf "$TRAPS" -C -c "$work/snmptrapd.conf" -On \
		-F 'TRAP %b\t%V\t%v\n' "udp:$addr" </dev/null >/dev/null 2>&1 &
	x_bg_pids="$x_bg_pids $!"
	t_wait 5 sh -c "ss -Hlun | awk '{ print \$4 }' | grep -qxF '$addr'"
}
# x_has_trap PATTERN...: a notification line holding every pattern (fixed strings)
x_has_trap() {
	local lines p
	lines=$(cat "$TRAPS")
	for p in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -F -- "$p") || return 1
	done
}

# create a VM through SNMP: HOST INDEX NAME ADDR [MORE ARGS...]; the vif 1
# of the VM on br0 with ADDR/24
x_create() {
	local h=$1 ix=$2 name=$3 addr=$4
	shift 4
	x_domains="$x_domains $(( ${h##*.} )) $name"
	sset "$h" "$O_RS.$ix" i "$RS_GO" "$O_NAME.$ix" s "$name" "$O_IMAGE.$ix" s vmib-test \
		"$O_VIFRS.$ix.1" i "$RS_GO" "$O_VIFADDR.$ix.1" a "$addr" "$O_VIFLEN.$ix.1" u 24 "$@"
}
