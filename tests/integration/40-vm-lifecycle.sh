#!/usr/bin/env bash
# 40-vm-lifecycle.sh - a VM's life through SNMP SETs on the local testbed,
# with a real guest (QEMU TCG, the vmib-test image).
#
#   1. vmibVmRowStatus createAndGo with name, image, memory, vCPUs and a vif
#      (address 10.140.0.5/24, a route) in one PDU defines and starts the
#      domain: TCG, direct kernel boot, the addresses on the kernel command
#      line, virtio NIC without ROM; the guest answers pings at its address
#      and took its host name from the VM name.  Printed: SET time and
#      SET-to-first-ping time;
#   2. vmibVmAdminState paused / running: the guest stops and resumes
#      answering, vmibVmOperState and virsh agree at once;
#   3. vmibVmSchedWeight / vmibVmSchedCapPercent: virsh schedinfo shows
#      cpu_shares and vcpu_quota/vcpu_period, and what is read back is what
#      libvirt reports; cap 0 removes the quota;
#   4. a vif hot-added (vmibVifRowStatus createAndGo on the running VM):
#      libvirt and the guest see a second NIC, the persistent definition
#      has it with the guest's address on the command line; destroyed, it
#      goes from the guest, libvirt and the table;
#   5. shutoff: the guest (which ignores the ACPI power button) is powered
#      off after shutdown-timeout-s; running starts it again (pings again);
#      destroyed powers it off at once and keeps the row;
#   6. vmibVmRowStatus destroy undefines it (the row goes, libvirt forgets
#      it); destroy of a row that does not exist is noError;
#   7. vmibVmStateChange notifications for the changes, with the row's
#      instance.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 40-vm-lifecycle
X_NAME=t40
X_VMIBD_ARGS=(-o shutdown-timeout-s=4)
. "$(dirname "$0")/4x-vm-lib.bash"

x_preconditions || { t_done; exit $?; }
x_oids || { t_fail "no vMIB OIDs in $HDR"; t_done; exit $?; }
x_testbed || { t_done; exit $?; }
x_traps || t_fail "no trap receiver"

H1=$T_TB_NET.1
IX=40 VM=t40-vm
IP1=10.140.0.5 IP2=10.141.0.5
MAC2=52:54:00:40:00:02
x_sw_addr 10.140.0.250/24 || t_fail "address on the switch"
x_sw_addr 10.141.0.250/24 || t_fail "second address on the switch"

# --- 1. creation -----------------------------------------------------------------------------
t0=$(t_ms)
if x_create "$H1" $IX $VM $IP1 "$O_MEM.$IX" u 131072 "$O_VCPUS.$IX" u 1 \
	"$O_VIFROUTES.$IX.1" s "10.99.0.0/24,10.140.0.250"; then
	t_set=$(( $(t_ms) - t0 ))
	t_ok "createAndGo of $VM with a vif in one PDU (${t_set} ms)"
else
	t_fail "createAndGo of $VM: $SET_ERR"; printf '%s\n' "$SET_OUT" | sed 's/^/        /'
	t_done; exit $?
fi
# the SET is answered once the domain is defined (ACTION); the start runs
# in COMMIT, after the answer, and vmibVmOperState shows its progress
t_eq "the row at once: name" "$VM" "$(sget "$H1" "$O_NAME.$IX")"
t_start=$(t_ms)
if x_wait_oid 60 "$H1" "$O_OPER.$IX" "$E_RUNNING"; then
	t_ok "operational state running $(( $(t_ms) - t_start )) ms after the SET's answer"
else
	t_fail "operational state $(sget "$H1" "$O_OPER.$IX") 60 s after the SET"
fi
t_eq "libvirt runs it" "running" "$(vsh 1 domstate $VM | head -n 1)"
xml=$(vsh 1 dumpxml $VM)
case $xml in
*"<domain type='qemu'"*) t_ok "TCG domain (type qemu)" ;;
*) t_fail "domain type: $(printf '%s\n' "$xml" | head -n 1)" ;;
esac
case $xml in
*"vmib.hostname=$VM vmib.ip=eth0:$IP1/24 vmib.route=10.99.0.0/24,10.140.0.250"*)
	t_ok "addresses and routes on the kernel command line" ;;
*) t_fail "kernel command line: $(printf '%s\n' "$xml" | grep cmdline)" ;;
esac
case $xml in
*"<model type='virtio'/>"*"<rom enabled='no'/>"*) t_ok "virtio NIC without option ROM" ;;
*) t_fail "interface: $(printf '%s\n' "$xml" | grep -A6 '<interface')" ;;
esac
t_eq "vmibVifAddr and vmibVifPrefixLen read back" "$IP1 24" \
	"$(sget "$H1" "$O_VIFADDR.$IX.1" "$O_VIFLEN.$IX.1" | tr '\n' ' ' | sed 's/ $//')"
if x_first_ping $IP1 90; then
	t_ping=$(( $(t_ms) - t0 ))
	t_ok "the guest answers at $IP1, $t_ping ms after the SET began"
else
	t_fail "the guest does not answer at $IP1 within 90 s"
	tail -n 20 "$work/console/$VM.log" 2>/dev/null | sed 's/^/        /'
fi
t_eq "the guest's host name is the VM's" "$VM" \
	"$("$GX" -n "$SW" -t 20 $IP1 hostname 2>/dev/null | tr -d '\r')"

# --- 2. pause and resume ------------------------------------------------------------------------
sset "$H1" "$O_ADMIN.$IX" i "$A_PAUSED" && t_ok "admin paused" || t_fail "admin paused: $SET_ERR"
t_eq "paused at once (SNMP, libvirt)" "$E_PAUSED paused" \
	"$(sget "$H1" "$O_OPER.$IX") $(vsh 1 domstate $VM | head -n 1)"
if x_ping $IP1; then t_fail "a paused guest answers pings"; else t_ok "a paused guest is silent"; fi
sset "$H1" "$O_ADMIN.$IX" i "$A_RUNNING" && t_ok "admin running" || t_fail "admin running: $SET_ERR"
t_eq "running at once (SNMP, libvirt)" "$E_RUNNING running" \
	"$(sget "$H1" "$O_OPER.$IX") $(vsh 1 domstate $VM | head -n 1)"
x_first_ping $IP1 10 && t_ok "the resumed guest answers" || t_fail "the resumed guest is silent"

# --- 3. scheduler ---------------------------------------------------------------------------------
sched() { vsh 1 schedinfo $VM | awk -F: -v k="$1" '$1 ~ "^"k" *$" { gsub(/ /, "", $2); print $2 }'; }
if sset "$H1" "$O_WEIGHT.$IX" u 512 "$O_CAP.$IX" u 50; then
	t_ok "weight 512 and cap 50% written"
	t_eq "virsh schedinfo: cpu_shares, vcpu_period, vcpu_quota" "512 100000 50000" \
		"$(sched cpu_shares) $(sched vcpu_period) $(sched vcpu_quota)"
	t_eq "read back from libvirt" "512 50" \
		"$(sget "$H1" "$O_WEIGHT.$IX" "$O_CAP.$IX" | tr '\n' ' ' | sed 's/ $//')"
else
	t_fail "weight and cap: $SET_ERR"
fi
# libvirt changed behind vmibd's back: vmibd reads libvirt, not what it wrote
vsh 1 schedinfo $VM --live --set cpu_shares=700 >/dev/null
if x_wait_oid 3 "$H1" "$O_WEIGHT.$IX" 700; then
	t_ok "a weight set with virsh reads back (the table follows libvirt)"
else
	t_fail "weight after virsh set 700: $(sget "$H1" "$O_WEIGHT.$IX")"
fi
sset "$H1" "$O_CAP.$IX" u 0 && t_eq "cap 0 removes the quota" "0" "$(sget "$H1" "$O_CAP.$IX")" ||
	t_fail "cap 0: $SET_ERR"
q=$(sched vcpu_quota)
case $q in -1 | 17592186044415 | 18446744073709551) t_ok "vcpu_quota unlimited ($q)" ;;
*) t_fail "vcpu_quota after cap 0: $q" ;; esac

# --- 4. hot-plugged vif ----------------------------------------------------------------------------
if sset "$H1" "$O_VIFRS.$IX.2" i "$RS_GO" "$O_VIFMAC.$IX.2" x "${MAC2//:/}" \
	"$O_VIFADDR.$IX.2" a $IP2 "$O_VIFLEN.$IX.2" u 24; then
	t_ok "vif 2 hot-added to the running VM"
	t_eq "libvirt sees two interfaces" "2" "$(vsh 1 domiflist $VM | grep -c bridge)"
	t_check "vif 2 has its host device" test -n "$(sget "$H1" "$O_VIFDEV.$IX.2")"
	t_check "the guest sees a second NIC" t_wait 15 "$GX" -n "$SW" -t 10 $IP1 \
		"ip -o link | grep -q $MAC2"
	inactive=$(vsh 1 dumpxml --inactive $VM)
	case $inactive in
	*"$MAC2"*"vmib.ip=eth1:$IP2/24"* | *"vmib.ip=eth1:$IP2/24"*"$MAC2"*)
		t_ok "the persistent definition has the vif and its address for the next boot" ;;
	*) t_fail "persistent definition: $(printf '%s\n' "$inactive" | grep -E 'cmdline|mac ')" ;;
	esac
	if sset "$H1" "$O_VIFRS.$IX.2" i "$RS_DESTROY"; then
		t_ok "vif 2 destroyed"
		t_check "libvirt and the guest let it go" t_wait 15 sh -c \
			"[ \$(timeout 30 virsh -q -c $(x_uri 1) domiflist $VM | grep -c bridge) = 1 ]"
		t_eq "its row is gone" "" "$(sget "$H1" "$O_VIFMAC.$IX.2" | grep -v 'No Such')"
	else
		t_fail "destroy of vif 2: $SET_ERR"
	fi
else
	t_fail "hot-add of vif 2: $SET_ERR"; printf '%s\n' "$SET_OUT" | tail -n 3 | sed 's/^/        /'
fi

# --- 5. shutoff, start, destroyed ------------------------------------------------------------------
t0=$(t_ms)
sset "$H1" "$O_ADMIN.$IX" i "$A_SHUTOFF" && t_ok "admin shutoff (returns at once)" ||
	t_fail "admin shutoff: $SET_ERR"
# vmibd restarted within the shutdown timeout: the deadline must survive it
# (<state-dir>/shutdown-deadlines), else the guest, which ignores ACPI,
# would run on
if "$TB" vmibd restart 1 -o "console-dir=$work/console" "${X_VMIBD_ARGS[@]}" \
	>"$work/vmibd1.restart" 2>&1 && t_wait 15 x_answers "$H1"; then
	t_ok "vmibd restarted during the shutdown timeout ($(( $(t_ms) - t0 )) ms after the SET)"
else
	t_fail "vmibd restart: $(tail -n 1 "$work/vmibd1.restart")"
fi
if x_wait_oid 20 "$H1" "$O_OPER.$IX" "$E_SHUTOFF"; then
	t_ok "powered off after the shutdown timeout, across the restart ($(( $(t_ms) - t0 )) ms; the guest ignores ACPI)"
else
	t_fail "still $(sget "$H1" "$O_OPER.$IX") 20 s after shutoff"
fi
t_eq "admin state reads what was written" "$A_SHUTOFF" "$(sget "$H1" "$O_ADMIN.$IX")"
# running, then paused at once: the second SET is planned while the
# start (the first SET's COMMIT) is still under way, so as a paused start
# of a VM that is off; its COMMIT finds the VM running and suspends it
sset "$H1" "$O_ADMIN.$IX" i "$A_RUNNING" && t_ok "admin running starts it" ||
	t_fail "start: $SET_ERR"
sset "$H1" "$O_ADMIN.$IX" i "$A_PAUSED" && t_ok "admin paused right after" ||
	t_fail "paused right after the start: $SET_ERR"
if x_wait_oid 30 "$H1" "$O_OPER.$IX" "$E_PAUSED"; then
	t_ok "  it ends paused, as last asked"
else
	t_fail "  oper state $(sget "$H1" "$O_OPER.$IX"), last error '$(sget "$H1" "$O_LASTERR.$IX")'"
fi
t_eq "  libvirt agrees" "paused" "$(vsh 1 domstate $VM | head -n 1)"
t_eq "  no error left on the VM" "" "$(sget "$H1" "$O_LASTERR.$IX")"
sset "$H1" "$O_ADMIN.$IX" i "$A_RUNNING" && t_ok "admin running resumes it" ||
	t_fail "resume: $SET_ERR"
x_first_ping $IP1 90 && t_ok "it boots and answers again" || t_fail "no answer after the start"
t0=$(t_ms)
sset "$H1" "$O_ADMIN.$IX" i "$A_DESTROYED" && t_ok "admin destroyed" || t_fail "destroyed: $SET_ERR"
# the power-off runs in COMMIT, just after the answer
if x_wait_oid 20 "$H1" "$O_OPER.$IX" "$E_SHUTOFF"; then
	t_ok "powered off $(( $(t_ms) - t0 )) ms after the SET began"
else
	t_fail "still $(sget "$H1" "$O_OPER.$IX") 20 s after admin destroyed"
fi
t_eq "the row stays" "$VM" "$(sget "$H1" "$O_NAME.$IX")"
t_eq "libvirt keeps the definition" "shut off" "$(vsh 1 domstate $VM | head -n 1)"

# --- 6. destroy -------------------------------------------------------------------------------------
sset "$H1" "$O_RS.$IX" i "$RS_DESTROY" && t_ok "destroy" || t_fail "destroy: $SET_ERR"
t_eq "the row is gone" "" "$(sget "$H1" "$O_NAME.$IX" | grep -v 'No Such')"
if vsh 1 dominfo $VM >/dev/null 2>&1; then t_fail "libvirt still has $VM"; else
	t_ok "libvirt no longer has $VM"; fi
sset "$H1" "$O_RS.$IX" i "$RS_DESTROY" && t_ok "destroy of a missing row: noError" ||
	t_fail "destroy of a missing row: $SET_ERR"

# --- 7. notifications ----------------------------------------------------------------------------------
sleep 1
for st in "$E_RUNNING" "$E_PAUSED" "$E_SHUTOFF"; do
	if x_has_trap "OID: $O_N_STATE" "$O_NAME.$IX = STRING: \"$VM\"" "$O_OPER.$IX = INTEGER: $st"; then
		t_ok "vmibVmStateChange with instance .$IX, oper state $st"
	else
		t_fail "no vmibVmStateChange for oper state $st"
	fi
done

echo "  measured: createAndGo SET ${t_set:-?} ms, SET to first ping ${t_ping:-?} ms"
t_done
