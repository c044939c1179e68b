#!/usr/bin/env bash
# 42-vm-migrate.sh - live migration through vmibVmMigrateTarget on the
# local testbed, with a real guest pinged all along.
#
#   1. a guest created on h1 (10.142.0.5) answers pings;
#   2. writing vmibVmMigrateTarget "h2" (a peer name from vmibd.conf) with
#      vmibVmMigrateLive true returns at once; while it runs the row on h1
#      reads inProgress / migrating; then the row leaves h1 and appears on
#      h2 with the SAME index, vmibVmMigrateStatus succeeded and libvirt's
#      measured downtime; h2's libvirt has it persistent, h1's no longer;
#   3. h1 sends vmibMigrationDone (succeeded, the target, the downtime)
#      with the row's instance;
#   4. pings every 50 ms from the switch all along: the loss is counted.
#      Printed: SET-to-arrival time, downtime, pings lost;
#   5. back to h1 with a libvirt URI as the target;
#   6. a migration to a host that does not answer: the SET succeeds, the
#      row then reads failed with the reason in vmibVmLastError, the VM
#      still runs on its host, and vmibMigrationDone says failed;
#   7. refused at once: an unknown peer name, this host, a VM that is not
#      running (inconsistentValue).
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 42-vm-migrate
X_NAME=t42
X_VMIBD_ARGS=()
. "$(dirname "$0")/4x-vm-lib.bash"

x_preconditions || { t_done; exit $?; }
x_oids || { t_fail "no vMIB OIDs in $HDR"; t_done; exit $?; }
x_testbed || { t_done; exit $?; }
x_traps || t_fail "no trap receiver"

H1=$T_TB_NET.1 H2=$T_TB_NET.2
IX=42 VM=t42-vm IP=10.142.0.5
x_sw_addr 10.142.0.250/24 || t_fail "address on the switch"
x_domains="$x_domains 1 $VM 2 $VM 1 t42-off"

# --- 1. the guest ------------------------------------------------------------------------------
if x_create "$H1" $IX $VM $IP; then t_ok "$VM created on h1"; else
	t_fail "create $VM: $SET_ERR"; t_done; exit $?; fi
x_first_ping $IP 90 && t_ok "$VM answers at $IP" || { t_fail "$VM does not answer"; t_done; exit $?; }

# --- 2. live migration to h2 by peer name, pinged -------------------------------------------------
PINGS=240
ip netns exec "$SW" ping -i 0.05 -W 1 -c $PINGS $IP >"$work/ping.log" 2>&1 &
ping_pid=$!
x_bg_pids="$x_bg_pids $ping_pid"
sleep 1
t0=$(t_ms)
if sset "$H1" "$O_LIVE.$IX" i 1 "$O_TARGET.$IX" s h2; then
	t_set=$(( $(t_ms) - t0 ))
	t_ok "vmibVmMigrateTarget h2 accepted in $t_set ms"
else
	t_fail "migration SET: $SET_ERR"; printf '%s\n' "$SET_OUT" | tail -n 3 | sed 's/^/        /'
fi
seen=""
while [ $(( $(t_ms) - t0 )) -lt 60000 ]; do
	st=$(sget "$H1" "$O_MSTATUS.$IX" "$O_OPER.$IX" | tr '\n' ' ')
	case $st in
	"$M_INPROGRESS $E_MIGRATING "*) seen=yes ;;
	*No\ Such*) break ;;
	"$M_FAILED "*) break ;;
	esac
	sleep 0.1
done
t_left=$(( $(t_ms) - t0 ))
[ -n "$seen" ] && t_ok "during the migration h1 reads inProgress and migrating" ||
	t_fail "never saw inProgress/migrating on h1"
t_eq "the row left h1" "" "$(sget "$H1" "$O_NAME.$IX" | grep -v 'No Such')"
if x_wait_oid 10 "$H2" "$O_MSTATUS.$IX" "$M_SUCCEEDED"; then
	t_ok "on h2 with the same index $IX, status succeeded (row gone from h1 after $t_left ms)"
else
	t_fail "h2 row $IX: $(sget "$H2" "$O_NAME.$IX" "$O_MSTATUS.$IX" | tr '\n' ' ')"
fi
t_eq "it is $VM, running" "$VM $E_RUNNING" "$(sget "$H2" "$O_NAME.$IX" "$O_OPER.$IX" | tr '\n' ' ' | sed 's/ $//')"
t_wait 5 sh -c "[ \"\$(env MIBS= MIBDIRS=/dev/null snmpget -v2c -c $COMM -Oqv $H2 $O_DOWNTIME.$IX)\" != 0 ]"
downtime=$(sget "$H2" "$O_DOWNTIME.$IX")
[ "${downtime:-0}" -gt 0 ] 2>/dev/null && t_ok "vmibVmMigrateDowntimeMs on h2: $downtime ms" ||
	t_fail "no downtime on h2: '$downtime'"
t_eq "persistent on h2, gone from h1" "yes none" \
	"$(vsh 2 dominfo $VM | awk '/^Persistent:/ { print $2 }') $(vsh 1 dominfo $VM >/dev/null 2>&1 && echo there || echo none)"
wait "$ping_pid" 2>/dev/null
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping.log")
lost=$(( PINGS - ${got:-0} ))
[ "${got:-0}" -gt 0 ] && t_ok "pinged across the migration: $lost of $PINGS lost (50 ms apart)" ||
	t_fail "no ping answered: $(tail -n 2 "$work/ping.log")"

# --- 3. the notification ----------------------------------------------------------------------------
sleep 1
if x_has_trap "OID: $O_N_MIGRATED" "$O_NAME.$IX = STRING: \"$VM\"" \
	"$O_MSTATUS.$IX = INTEGER: $M_SUCCEEDED" "$O_TARGET.$IX = STRING: \"h2\"" \
	"$O_DOWNTIME.$IX = Gauge32: "; then
	t_ok "vmibMigrationDone from h1: succeeded, target h2, downtime, instance .$IX"
	n_down=$(grep -F "OID: $O_N_MIGRATED" "$TRAPS" | sed -n "s/.*${O_DOWNTIME//./\\.}\.$IX = Gauge32: \([0-9]*\).*/\1/p" | tail -n 1)
	echo "  (notified downtime: $n_down ms)"
else
	t_fail "no vmibMigrationDone (succeeded) from h1"
	grep -F "$O_N_MIGRATED" "$TRAPS" | sed 's/^/        /'
fi

# --- 5. back, with a URI ------------------------------------------------------------------------------
t1=$(t_ms)
if sset "$H2" "$O_TARGET.$IX" s "$(x_uri 1)" && x_wait_oid 60 "$H1" "$O_MSTATUS.$IX" "$M_SUCCEEDED"; then
	t_ok "back to h1 by URI in $(( $(t_ms) - t1 )) ms, index $IX kept"
else
	t_fail "migration back to h1: ${SET_ERR:-no arrival}"
fi
x_first_ping $IP 10 && t_ok "it answers after the way back" || t_fail "no answer after the way back"

# --- 6. a target that does not answer -----------------------------------------------------------------
: >"$work/dummy"
if sset "$H1" "$O_TARGET.$IX" s "qemu+tcp://$T_TB_NET.77/system"; then
	t_ok "a migration to a host that does not answer starts (the SET cannot know)"
	if x_wait_oid 60 "$H1" "$O_MSTATUS.$IX" "$M_FAILED"; then
		t_ok "it ends failed"
		err=$(sget "$H1" "$O_LASTERR.$IX")
		[ -n "$err" ] && t_ok "the reason in vmibVmLastError: $err" || t_fail "no vmibVmLastError"
		t_eq "the VM still runs here" "$E_RUNNING" "$(sget "$H1" "$O_OPER.$IX")"
		sleep 1
		x_has_trap "OID: $O_N_MIGRATED" "$O_MSTATUS.$IX = INTEGER: $M_FAILED" &&
			t_ok "vmibMigrationDone says failed" || t_fail "no vmibMigrationDone (failed)"
	else
		t_fail "status after a migration to nowhere: $(sget "$H1" "$O_MSTATUS.$IX")"
	fi
else
	t_fail "migration to nowhere refused at once: $SET_ERR"
fi

# --- 7. refused at once ---------------------------------------------------------------------------------
expect_set_error "an unknown peer" inconsistentValue "$O_TARGET.$IX" "$H1" "$O_TARGET.$IX" s h9
expect_set_error "this host (its own URI)" inconsistentValue "$O_TARGET.$IX" "$H1" \
	"$O_TARGET.$IX" s "$(x_uri 1)"
expect_set_error "not a name or URI" wrongValue "$O_TARGET.$IX" "$H1" "$O_TARGET.$IX" s "h2; x"
if sset "$H1" "$O_RS.43" i "$RS_GO" "$O_NAME.43" s t42-off "$O_IMAGE.43" s vmib-test \
	"$O_ADMIN.43" i "$A_SHUTOFF"; then
	expect_set_error "a VM that is shut off" inconsistentValue "$O_TARGET.43" "$H1" \
		"$O_TARGET.43" s h2
else
	t_fail "t42-off: $SET_ERR"
fi
sset "$H1" "$O_RS.43" i "$RS_DESTROY" "$O_RS.$IX" i "$RS_DESTROY" &&
	t_ok "both destroyed in one PDU" || t_fail "destroy: $SET_ERR"

echo "  measured: SET ${t_set:-?} ms; row left h1 after ${t_left:-?} ms; downtime ${downtime:-?} ms (libvirt); $lost of $PINGS pings lost at 50 ms"
t_done
