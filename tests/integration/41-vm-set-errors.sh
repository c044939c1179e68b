#!/usr/bin/env bash
# 41-vm-set-errors.sh - refused SETs on the VM and vif tables, on the local
# testbed: each gets the SNMP error VMIB-MIB names, on the varbind that
# causes it, with the reason in vmibHostLastError (or the VM's
# vmibVmLastError), and libvirt is left as it was.
#
#   1. creation refused: unknown image, duplicate name, index in use, too
#      little free memory (resourceUnavailable), bad addresses, a gateway
#      outside the vif's subnet, a bridge vmibd does not manage, a MAC in
#      use, bad names and values (wrongValue, wrongType, wrongLength),
#      createAndWait (wrongValue), a vif or column of a VM that does not
#      exist (inconsistentName), a read-only column (notWritable);
#   2. destroy of a row that does not exist: noError;
#   3. atomicity, RESERVE: a PDU whose second varbind is bad creates nothing;
#   4. a start QEMU refuses, in COMMIT: a PDU that changes a weight and
#      creates a good VM and one whose image cannot boot (QEMU refuses its
#      kernel) succeeds (starts are COMMIT steps, vmplan.h); the good VM
#      runs, the bad one stays defined and shut off with QEMU's reason in
#      its vmibVmLastError and in vmibHostLastError, the weight is set;
#   5. atomicity, ACTION, with a real failure: libvirtd hangs (SIGSTOP)
#      while a PDU changes a weight and defines a VM; the SET fails with
#      commitFailed after set-timeout-ms, and once libvirtd runs again
#      (SIGCONT) what it did late is undone: no VM, the old weight;
#   6. a TestSet the master sends again: vmibd stopped (SIGSTOP) for 6 s
#      while a PDU creates a VM, longer than agentXTimeout (5 s), so snmpd
#      sends the TestSet again; vmibd ignores the copy, the SET succeeds
#      and the VM exists once;
#   7. a start under way: t41-g (admin running) is powered off with virsh
#      and libvirtd stopped (SIGSTOP); admin running is accepted at once
#      (nothing for ACTION to do: the start is a COMMIT step, now blocked in
#      libvirt); a vif added meanwhile is refused with inconsistentValue and
#      the reason in t41-g's vmibVmLastError; after SIGCONT the VM runs and
#      the same vif is hot-plugged.
# vmibd runs with a private image directory: the test image and a broken
# one.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 41-vm-set-errors
X_NAME=t41
. "$(dirname "$0")/4x-vm-lib.bash"

x_preconditions || { t_done; exit $?; }
x_oids || { t_fail "no vMIB OIDs in $HDR"; t_done; exit $?; }
# the image directory: vmib-test, and "broken" (a kernel QEMU cannot load)
mkdir -p "$work/images/broken"
ln -s "$IMG" "$work/images/vmib-test"
head -c 8192 /dev/zero >"$work/images/broken/vmlinuz"
head -c 512 /dev/zero >"$work/images/broken/initrd.img"
cat >"$work/images/broken/image.xml" <<'XML'
<image xmlns="urn:vmib:image:1"><name>broken</name><os>none</os><arch>x86_64</arch>
<description>a kernel of zeros: QEMU refuses to start it</description></image>
XML
X_VMIBD_ARGS=(-i "$work/images")
x_testbed || { t_done; exit $?; }

H1=$T_TB_NET.1
doms() { vsh 1 list --all --name | sort | tr '\n' ' ' | sed 's/ *$//'; }
hosterr() { sget "$H1" "$O_HOSTERR.0"; }
before=$(doms)
# refused IX ERR FAILED-OID REASON -- SET ARGS: error, varbind, reason, no change
refused() {
	local desc=$1 err=$2 at=$3 why=$4
	shift 4
	expect_set_error "$desc" "$err" "$at" "$H1" "$@"
	if [ -n "$why" ]; then
		case $(hosterr) in
		*"$why"*) t_ok "  reason in vmibHostLastError: '$why'" ;;
		*) t_fail "  vmibHostLastError: '$(hosterr)', expected '$why'" ;;
		esac
	fi
	t_eq "  libvirt unchanged" "$before" "$(doms)"
}

# --- 1. creation refused ------------------------------------------------------------------------
refused "unknown image" inconsistentValue "$O_IMAGE.42" "no image nosuch" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-x "$O_IMAGE.42" s nosuch
x_domains="$x_domains 1 t41-a 1 t41-b 1 t41-c 1 t41-d 1 t41-f"
if sset "$H1" "$O_RS.41" i "$RS_GO" "$O_NAME.41" s t41-a "$O_IMAGE.41" s vmib-test \
	"$O_ADMIN.41" i "$A_SHUTOFF" "$O_VIFRS.41.1" i "$RS_GO" \
	"$O_VIFMAC.41.1" x 525400410001 "$O_VIFADDR.41.1" a 10.141.1.5 "$O_VIFLEN.41.1" u 24; then
	t_ok "t41-a defined (admin shutoff: not started)"
	t_eq "shut off in libvirt" "shut off" "$(vsh 1 domstate t41-a | head -n 1)"
else
	t_fail "t41-a: $SET_ERR"
fi
before=$(doms)
refused "duplicate name" inconsistentValue "$O_NAME.42" "taken by a domain" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-a "$O_IMAGE.42" s vmib-test
refused "index in use" inconsistentValue "$O_RS.41" "in use" \
	"$O_RS.41" i "$RS_GO" "$O_NAME.41" s t41-b "$O_IMAGE.41" s vmib-test
refused "too little free memory" resourceUnavailable "$O_MEM.42" "KiB free" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_MEM.42" u 4000000000
refused "multicast address" wrongValue "$O_VIFADDR.42.1" "multicast" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFADDR.42.1" a 224.1.2.3 "$O_VIFLEN.42.1" u 24
refused "loopback address" wrongValue "$O_VIFADDR.42.1" "loopback" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFADDR.42.1" a 127.0.0.5 "$O_VIFLEN.42.1" u 24
refused "address without prefix length" inconsistentValue "$O_VIFADDR.42.1" "PrefixLen" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFADDR.42.1" a 10.141.2.5
refused "gateway outside the subnet" inconsistentValue "$O_VIFROUTES.42.1" "outside" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFADDR.42.1" a 10.141.2.5 "$O_VIFLEN.42.1" u 24 \
	"$O_VIFROUTES.42.1" s "10.9.0.0/16,10.141.3.1"
refused "malformed route" wrongValue "$O_VIFROUTES.42.1" "host bits" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFADDR.42.1" a 10.141.2.5 "$O_VIFLEN.42.1" u 24 \
	"$O_VIFROUTES.42.1" s "10.9.0.1/16,10.141.2.1"
refused "a bridge vmibd does not manage" inconsistentValue "$O_VIFBR.42.1" "not one of vmibd" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFBR.42.1" s virbr77
refused "a MAC in use" inconsistentValue "$O_VIFMAC.42.1" "used by another vif" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFMAC.42.1" x 525400410001
refused "a multicast MAC" wrongValue "$O_VIFMAC.42.1" "multicast" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test \
	"$O_VIFRS.42.1" i "$RS_GO" "$O_VIFMAC.42.1" x 01005e000001
refused "a name with a blank" wrongValue "$O_NAME.42" "letters, digits" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s "t41 b" "$O_IMAGE.42" s vmib-test
refused "createAndWait" wrongValue "$O_RS.42" "createAndWait" \
	"$O_RS.42" i "$RS_WAIT" "$O_NAME.42" s t41-b
refused "0 vCPUs" wrongValue "$O_VCPUS.42" "" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test "$O_VCPUS.42" u 0
refused "memory as a string" wrongType "$O_MEM.42" "" \
	"$O_RS.42" i "$RS_GO" "$O_NAME.42" s t41-b "$O_IMAGE.42" s vmib-test "$O_MEM.42" s 128M
refused "a name too long" wrongLength "$O_NAME.42" "" \
	"$O_NAME.42" s "$(printf 'n%.0s' $(seq 1 300))"
refused "a vif of a VM that does not exist" inconsistentName "$O_VIFRS.43.1" "neither exists" \
	"$O_VIFRS.43.1" i "$RS_GO" "$O_VIFADDR.43.1" a 10.141.2.5 "$O_VIFLEN.43.1" u 24
refused "a column of a VM that does not exist" inconsistentName "$O_WEIGHT.43" "no VM 43" \
	"$O_WEIGHT.43" u 100
refused "a read-only column" notWritable "$O_UUID.41" "" "$O_UUID.41" s x
expect_set_error "the name of an existing VM" inconsistentValue "$O_NAME.41" "$H1" \
	"$O_NAME.41" s t41-renamed
case $(sget "$H1" "$O_LASTERR.41") in
*"cannot change"*) t_ok "  the reason is in t41-a's vmibVmLastError" ;;
*) t_fail "  t41-a's vmibVmLastError: $(sget "$H1" "$O_LASTERR.41")" ;;
esac

# --- 2. destroy of a missing row ------------------------------------------------------------------
sset "$H1" "$O_RS.49" i "$RS_DESTROY" && t_ok "destroy of a missing row: noError" ||
	t_fail "destroy of a missing row: $SET_ERR"

# --- 3. atomicity in RESERVE -------------------------------------------------------------------------
refused "a good VM and a bad vif in one PDU" wrongValue "$O_VIFADDR.44.1" "" \
	"$O_RS.43" i "$RS_GO" "$O_NAME.43" s t41-c "$O_IMAGE.43" s vmib-test \
	"$O_RS.44" i "$RS_GO" "$O_NAME.44" s t41-d "$O_IMAGE.44" s vmib-test \
	"$O_VIFRS.44.1" i "$RS_GO" "$O_VIFADDR.44.1" a 255.255.255.255 "$O_VIFLEN.44.1" u 24
t_eq "  no row for either" "" "$(sget "$H1" "$O_NAME.43" "$O_NAME.44" | grep -v 'No Such')"

# --- 4. a start QEMU refuses, in COMMIT ----------------------------------------------------------
shares() { vsh 1 schedinfo --config t41-a | awk -F: '$1 ~ /^cpu_shares/ { gsub(/ /, "", $2); print $2 }'; }
t0=$(t_ms)
if sset "$H1" "$O_WEIGHT.41" u 300 \
	"$O_RS.43" i "$RS_GO" "$O_NAME.43" s t41-c "$O_IMAGE.43" s vmib-test \
	"$O_RS.44" i "$RS_GO" "$O_NAME.44" s t41-d "$O_IMAGE.44" s broken; then
	t_ok "a weight, a good VM and a VM QEMU cannot start: the SET succeeds ($(( $(t_ms) - t0 )) ms)"
else
	t_fail "a weight, a good VM and a VM QEMU cannot start: '$SET_ERR' on '$SET_FAILED'"
fi
x_wait_oid 30 "$H1" "$O_OPER.43" "$E_RUNNING" && t_ok "  the good VM runs" ||
	t_fail "  t41-c: oper state $(sget "$H1" "$O_OPER.43")"
# the COMMIT goes on after the answer: its failure shows when it ends
lasterr44() { case $(sget "$H1" "$O_LASTERR.44") in *"start t41-d"*) return 0 ;; esac; return 1; }
t_wait 30 lasterr44
t_eq "  the bad VM stays defined and shut off" "$E_SHUTOFF" "$(sget "$H1" "$O_OPER.44")"
case $(sget "$H1" "$O_LASTERR.44") in
*"start t41-d"*) t_ok "  QEMU's reason in t41-d's vmibVmLastError" ;;
*) t_fail "  vmibVmLastError of t41-d: '$(sget "$H1" "$O_LASTERR.44")'" ;;
esac
case $(hosterr) in
*"t41-d"*) t_ok "  and in vmibHostLastError" ;;
*) t_fail "  vmibHostLastError: $(hosterr)" ;;
esac
t_eq "  t41-a's weight is set (cpu_shares 300)" 300 "$(shares)"
if sset "$H1" "$O_RS.43" i "$RS_DESTROY" "$O_RS.44" i "$RS_DESTROY"; then
	t_ok "  both destroyed again"
else
	t_fail "  destroy of t41-c and t41-d: '$SET_ERR'"
fi
if t_wait 15 sh -c "[ \"\$(timeout 30 virsh -q -c $(x_uri 1) list --all --name | sort | tr '\n' ' ' | sed 's/ *\$//')\" = '$before' ]"; then
	t_ok "  libvirt is back to what it had"
else
	t_fail "  libvirt has: $(doms) (expected $before)"
fi

# --- 5. atomicity in ACTION: a real failure, undone ---------------------------------------------------
# libvirtd of h1 is stopped (SIGSTOP) just before the SET: RESERVE needs no
# libvirt call (t41-e is created shut off: no free-memory check), ACTION
# waits set-timeout-ms (4500) for the control thread, which is blocked in
# libvirt; the SET fails with commitFailed, and after SIGCONT the control
# thread finishes and undoes what it did late.
old_shares=$(shares)
lpid=$(cat "$T_TB_DIR/h1/libvirtd.pid" 2>/dev/null)
if [ -n "$lpid" ] && kill -0 "$lpid" 2>/dev/null; then
	x_stopped_pid=$lpid
	kill -STOP "$lpid"
	t0=$(t_ms)
	if sset "$H1" "$O_WEIGHT.41" u 400 \
		"$O_RS.45" i "$RS_GO" "$O_NAME.45" s t41-e "$O_IMAGE.45" s vmib-test \
		"$O_ADMIN.45" i "$A_SHUTOFF"; then
		took=$(( $(t_ms) - t0 ))
		kill -CONT "$lpid"; x_stopped_pid=""
		t_fail "libvirtd hung during ACTION: the SET succeeded ($took ms)"
	else
		took=$(( $(t_ms) - t0 ))
		kill -CONT "$lpid"; x_stopped_pid=""
		if [ "$SET_ERR" = commitFailed ]; then
			t_ok "libvirtd hung during ACTION: commitFailed after $took ms"
		else
			t_fail "libvirtd hung during ACTION: '$SET_ERR' on '$SET_FAILED' after $took ms"
		fi
	fi
	if t_wait 20 sh -c "[ \"\$(timeout 30 virsh -q -c $(x_uri 1) list --all --name | sort | tr '\n' ' ' | sed 's/ *\$//')\" = '$before' ]"; then
		t_ok "  after SIGCONT the late definition of t41-e is undone"
	else
		t_fail "  libvirt has: $(doms) (expected $before)"
	fi
	t_wait 10 sh -c "[ -z \"\$(MIBS= MIBDIRS=/dev/null snmpget -v2c -c $COMM -Oqv -t 2 $H1 $O_NAME.45 2>/dev/null | grep -v 'No Such')\" ]"
	t_eq "  and it has no row" "" "$(sget "$H1" "$O_NAME.45" | grep -v 'No Such')"
	t_wait 10 sh -c "[ \"\$(timeout 30 virsh -q -c $(x_uri 1) schedinfo --config t41-a | awk -F: '\$1 ~ /^cpu_shares/ { gsub(/ /, \"\", \$2); print \$2 }')\" = '$old_shares' ]"
	t_eq "  t41-a's weight is back (cpu_shares $old_shares)" "$old_shares" "$(shares)"
else
	t_fail "libvirtd of h1: no live pid in $T_TB_DIR/h1/libvirtd.pid"
fi

# --- 6. a TestSet sent again -------------------------------------------------------------------------
vpid=$(cat "$T_TB_DIR/h1/vmibd.pid" 2>/dev/null)
if [ -n "$vpid" ] && kill -0 "$vpid" 2>/dev/null; then
	copies_before=$(grep -c 'sent a TestSet again' "$T_TB_DIR/h1/vmibd.log")
	x_stopped_pid=$vpid
	kill -STOP "$vpid"
	( sleep 6; kill -CONT "$vpid" ) &
	resume=$!
	t0=$(t_ms)
	if sset "$H1" "$O_RS.46" i "$RS_GO" "$O_NAME.46" s t41-f "$O_IMAGE.46" s vmib-test \
		"$O_ADMIN.46" i "$A_SHUTOFF"; then
		t_ok "vmibd stopped 6 s during a createAndGo: the SET succeeds ($(( $(t_ms) - t0 )) ms)"
	else
		t_fail "vmibd stopped 6 s during a createAndGo: '$SET_ERR' on '$SET_FAILED'"
	fi
	wait "$resume"; x_stopped_pid=""
	copies=$(( $(grep -c 'sent a TestSet again' "$T_TB_DIR/h1/vmibd.log") - copies_before ))
	if [ "$copies" -gt 0 ]; then
		t_ok "  snmpd sent the TestSet again and vmibd ignored the copy ($copies calls)"
	else
		t_fail "  vmibd saw no copy of the TestSet (the stop was meant to outlast agentXTimeout)"
	fi
	t_eq "  t41-f is defined once" "1" "$(vsh 1 list --all --name | grep -c '^t41-f$')"
	t_eq "  and has its row" "t41-f" "$(sget "$H1" "$O_NAME.46")"
	sset "$H1" "$O_RS.46" i "$RS_DESTROY" || t_fail "  destroy t41-f: $SET_ERR"
else
	t_fail "vmibd of h1: no live pid in $T_TB_DIR/h1/vmibd.pid"
fi

# --- 7. a start under way: what depends on it is refused -------------------------------------------------
lpid=$(cat "$T_TB_DIR/h1/libvirtd.pid" 2>/dev/null)
if x_create "$H1" 47 t41-g 10.141.0.7 "$O_ADMIN.47" i "$A_RUNNING" &&
	x_wait_oid 60 "$H1" "$O_OPER.47" "$E_RUNNING"; then
	vsh 1 destroy t41-g >/dev/null 2>&1
	x_wait_oid 20 "$H1" "$O_OPER.47" "$E_SHUTOFF"
	t_eq "t41-g powered off with virsh: shut off, admin still running" \
		"$E_SHUTOFF $A_RUNNING" "$(sget "$H1" "$O_OPER.47") $(sget "$H1" "$O_ADMIN.47")"
	x_stopped_pid=$lpid
	kill -STOP "$lpid"
	if sset "$H1" "$O_ADMIN.47" i "$A_RUNNING"; then
		t_ok "libvirtd stopped: admin running accepted (the start waits in COMMIT)"
	else
		t_fail "libvirtd stopped: admin running: '$SET_ERR'"
	fi
	expect_set_error "  a vif added while the start is under way" inconsistentValue \
		"$O_VIFRS.47.2" "$H1" "$O_VIFRS.47.2" i "$RS_GO" "$O_VIFADDR.47.2" a 10.142.0.7 \
		"$O_VIFLEN.47.2" u 24
	case $(sget "$H1" "$O_LASTERR.47") in
	*"being started or powered off"*) t_ok "  the reason in t41-g's vmibVmLastError" ;;
	*) t_fail "  vmibVmLastError of t41-g: '$(sget "$H1" "$O_LASTERR.47")'" ;;
	esac
	kill -CONT "$lpid"; x_stopped_pid=""
	if x_wait_oid 60 "$H1" "$O_OPER.47" "$E_RUNNING"; then
		t_ok "  after SIGCONT t41-g runs"
	else
		t_fail "  after SIGCONT t41-g is $(sget "$H1" "$O_OPER.47")"
	fi
	if sset "$H1" "$O_VIFRS.47.2" i "$RS_GO" "$O_VIFADDR.47.2" a 10.142.0.7 "$O_VIFLEN.47.2" u 24; then
		t_ok "  then the same vif is taken"
	else
		t_fail "  then the same vif: '$SET_ERR'"
	fi
	t_eq "  and hot-plugged: two interfaces in the live definition" 2 \
		"$(vsh 1 domiflist t41-g | grep -c vnet)"
else
	t_fail "t41-g could not be created and started: '$SET_ERR'"
fi

t_done
