#!/usr/bin/env bash
# 52-isolation-guests: isolation through SNMP on the local testbed, proved
# with a ping matrix between real guests.
#
# Two sites on one L2 segment: site A 10.52.1.0/24 (a1 on h1, a2 on h2) and
# site B 10.52.2.0/24 (b1 on h1, b2 on h2); each guest has an on-link route
# to the other site, so without isolation everybody reaches everybody.
# The same policy is set on both hosts with one snmpset each: the two
# subnets, default drop, and two rules letting the proxies a1 and b2
# through (one per direction: the chain is stateless).  Checked:
#   1. before: all 12 ordered pairs ping;
#   2. after: inside each site pings pass; between the sites only a1 <-> b2
#      (across hosts); a1 <-> b1 (same host h1), a2 <-> b2 (same host h2)
#      and a2 <-> b1 (across hosts) are dropped; one VMIB-ISOLATE hook on
#      each host, vmibIsolationOperStatus applied, vmibIsolMatchedPkts of
#      the proxies' rules counting;
#   3. h1 as after a reboot: vmibd stopped, its chain and hook deleted by
#      hand, vmibd started: the chain is back from the state file (one
#      hook), and the matrix holds;
#   4. b1 live-migrated from h1 to h2: b1 stays cut off from a1 (now across
#      hosts) and a2 (now on the same host), and still reaches b2;
#   5. the rules and subnets destroyed on both hosts: chain and hook gone,
#      a1 reaches b1 again.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 52-isolation-guests

TB=$T_TESTBED
GX=$T_TOP/tests/image/guest-exec
GDX=$T_TOP/tests/tools/guest-domain-xml
IMG=$T_BUILD/images/vmib-test
HDR=$T_BUILD/gen/vmib_oids.h
SW=$T_TB_SW
# name host address mac
GUESTS="a1:1:10.52.1.1:52:54:00:52:01:01 a2:2:10.52.1.2:52:54:00:52:01:02
        b1:1:10.52.2.1:52:54:00:52:02:01 b2:2:10.52.2.2:52:54:00:52:02:02"
work=$(mktemp -d /tmp/vmib-t52.XXXXXX)
we_brought_up=0
vmibd_started=""
sw_addrs=""

uri() { echo "qemu+tcp://$T_TB_NET.$1/system"; }
vsh() { local h=$1; shift; timeout 60 virsh -q -c "$(uri "$h")" "$@"; }
ip_of() { local g; for g in $GUESTS; do [ "${g%%:*}" = "$1" ] && { IFS=: read -r _ _ a _ <<<"$g"; echo "$a"; }; done; }
cleanup() {
	local h g a
	if [ -d "$T_TB_DIR" ]; then
		for h in 1 2; do
			for g in $GUESTS; do
				vsh "$h" destroy "t52-${g%%:*}" >/dev/null 2>&1
				vsh "$h" undefine "t52-${g%%:*}" >/dev/null 2>&1
			done
			# leave no isolation behind on the shared testbed
			[ -n "${O_IOPER:-}" ] && clear_isolation "$h" >/dev/null 2>&1
		done
		for a in $sw_addrs; do ip -n "$SW" addr del "$a" dev sw0 2>/dev/null; done
		for h in $vmibd_started; do "$TB" vmibd stop "$h" >/dev/null 2>&1; done
		[ "$we_brought_up" = 1 ] && "$TB" down >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! why=$(t_can_namespaces); then
	t_skip "all checks: $why"; t_done; exit $?
fi
for tool in virsh snmpget snmpset iptables; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"; t_done; exit $?
	fi
done
if [ ! -x "$T_BUILD/bin/vmibd" ] || [ ! -r "$HDR" ] || [ ! -r "$IMG/vmlinuz" ]; then
	t_fail "build/bin/vmibd, $HDR or the guest image missing (make, make image)"
	t_done; exit $?
fi
oid() { echo ".$(sed -n "s/^#define VMIB_OID_$1 *\([0-9,]*\)\$/\1/p" "$HDR" | tr , .)"; }
IE=$(oid vmibIsolationEntry)
NE=$(oid vmibSubnetEntry)
O_DEFAULT=$(oid vmibIsolationDefault).0
O_IOPER=$(oid vmibIsolationOperStatus).0
O_CAPS=$(oid vmibHostCapabilities).0

t_testbed_join 1 2 || { t_done; exit $?; }
SNMP=(env MIBS= MIBDIRS=/dev/null)
# sget/sset: tests/integration/lib.sh
clear_isolation() { sset "$1" $IE.11.1 i 6 $IE.11.2 i 6 $NE.5.1 i 6 $NE.5.2 i 6 "$O_DEFAULT" i 1; }
hooks() { "$TB" exec "$1" iptables -t filter -S FORWARD | grep -c -- '-j VMIB-ISOLATE'; }

# the hosts must be able to filter bridged traffic (brNetfilter, bit 5)
caps=$("${SNMP[@]}" snmpget -v2c -c "$COMM" -On -Oqv -Ox "$T_TB_NET.1" "$O_CAPS" 2>/dev/null | tr -d ' "')
if [ -z "$caps" ] || [ $(( (0x${caps:0:2} >> 2) & 3 )) != 3 ]; then
	t_skip "all checks: h1 cannot filter bridged traffic (vmibHostCapabilities '$caps')"; t_done; exit $?
fi

for g in $GUESTS; do
	IFS=: read -r n h a mac <<<"$g"
	mac=${g#*:*:*:}
	: >"$work/$n.console"
	CONSOLE_LOG="$work/$n.console" "$GDX" "t52-$n" "$IMG" br0 "$mac" \
		"vmib.ip=eth0:$a/24 vmib.route=10.52.0.0/16,dev:eth0" >"$work/$n.xml"
	vsh "$h" define "$work/$n.xml" >/dev/null && vsh "$h" start "t52-$n" >/dev/null ||
		t_fail "start t52-$n on h$h"
done
for a in 10.52.1.250/24 10.52.2.250/24; do
	ip -n "$SW" addr add "$a" dev sw0 2>/dev/null && sw_addrs="$sw_addrs $a"
done
for g in $GUESTS; do
	a=$(ip_of "${g%%:*}")
	t_wait 60 "$GX" -n "$SW" -t 3 "$a" true || { t_fail "guest $a does not answer"; t_done; exit $?; }
done
t_ok "four guests up (a1, b1 on h1; a2, b2 on h2)"

# --- the matrix ----------------------------------------------------------------------------
pings() { "$GX" -n "$SW" -t 15 "$(ip_of "$1")" "ping -c 2 -W 1 -q $(ip_of "$2")" >/dev/null 2>&1; }
# matrix WHAT "FROM-TO ..." (allowed pairs; every other ordered pair must be dropped)
matrix() {
	local what=$1 allowed=" $2 " x y got=0 bad=""
	for x in a1 a2 b1 b2; do
		for y in a1 a2 b1 b2; do
			[ "$x" = "$y" ] && continue
			if pings "$x" "$y"; then
				case $allowed in *" $x-$y "*) got=$((got + 1)) ;; *) bad="$bad $x->$y(passes)" ;; esac
			else
				case $allowed in *" $x-$y "*) bad="$bad $x->$y(dropped)" ;; esac
			fi
		done
	done
	if [ -z "$bad" ]; then
		t_ok "$what: exactly the $got allowed pairs ping"
	else
		t_fail "$what:$bad"
	fi
}
ALL="a1-a2 a1-b1 a1-b2 a2-a1 a2-b1 a2-b2 b1-a1 b1-a2 b1-b2 b2-a1 b2-a2 b2-b1"
POLICY="a1-a2 a2-a1 b1-b2 b2-b1 a1-b2 b2-a1"
matrix "no isolation" "$ALL"

# --- the policy, one PDU per host -----------------------------------------------------------
for h in 1 2; do
	r=$(sset $h $NE.5.1 i 4 $NE.3.1 a 10.52.1.0 $NE.4.1 u 24 $NE.2.1 s siteA \
		   $NE.5.2 i 4 $NE.3.2 a 10.52.2.0 $NE.4.2 u 24 $NE.2.2 s siteB \
		   $IE.11.1 i 4 $IE.3.1 a 10.52.1.1 $IE.4.1 u 32 $IE.5.1 a 10.52.2.2 $IE.6.1 u 32 $IE.7.1 i 1 \
		   $IE.2.1 s proxyA-proxyB \
		   $IE.11.2 i 4 $IE.3.2 a 10.52.2.2 $IE.4.2 u 32 $IE.5.2 a 10.52.1.1 $IE.6.2 u 32 $IE.7.2 i 1 \
		   "$O_DEFAULT" i 2)
	t_eq "h$h: subnets, proxy rules and default drop in one SET" ok "$r"
	t_eq "h$h: one hook in FORWARD" 1 "$(hooks $h)"
	t_eq "h$h: vmibIsolationOperStatus applied" 1 "$(sget $h "$O_IOPER")"
done
matrix "isolated sites" "$POLICY"
sleep 1.2
m1=$(sget 1 $IE.10.1)
if [ -n "$m1" ] && [ "$m1" -gt 0 ] 2>/dev/null; then
	t_ok "h1: vmibIsolMatchedPkts of the a1 -> b2 rule: $m1"
else
	t_fail "h1: vmibIsolMatchedPkts of the a1 -> b2 rule: '$m1'"
fi

# --- 3. as after a reboot of h1 ----------------------------------------------------------------
"$TB" vmibd stop 1 >/dev/null 2>&1
"$TB" exec 1 iptables -t filter -D FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE
"$TB" exec 1 iptables -t filter -F VMIB-ISOLATE
"$TB" exec 1 iptables -t filter -X VMIB-ISOLATE
if "$TB" vmibd start 1 >/dev/null 2>&1; then
	case " $vmibd_started " in *" 1 "*) ;; *) vmibd_started="$vmibd_started 1" ;; esac
fi
back() { [ "$(sget 1 "$O_IOPER")" = 1 ] && [ "$(hooks 1)" = 1 ]; }
if t_wait 20 back; then
	t_ok "h1: chain and rules gone, vmibd restarted: installed again from its state (one hook)"
else
	t_fail "h1: after the restart: oper '$(sget 1 "$O_IOPER")', hooks $(hooks 1)"
fi
matrix "after h1's restart" "$POLICY"

# --- 4. b1 migrates to h2 ------------------------------------------------------------------------
if vsh 1 migrate --live --p2p --persistent --undefinesource t52-b1 "$(uri 2)" >"$work/mig.log" 2>&1; then
	t_ok "b1 live-migrated to h2"
	t_check "b1 (now on h2) cannot reach a2 (same host)" sh -c "! $GX -n $SW -t 15 10.52.2.1 'ping -c 2 -W 1 -q 10.52.1.2' >/dev/null 2>&1"
	t_check "b1 (now on h2) cannot reach a1 (across hosts)" sh -c "! $GX -n $SW -t 15 10.52.2.1 'ping -c 2 -W 1 -q 10.52.1.1' >/dev/null 2>&1"
	t_check "b1 (now on h2) reaches b2" "$GX" -n "$SW" -t 15 10.52.2.1 "ping -c 2 -W 1 -q 10.52.2.2"
	t_check "the proxies still reach each other" "$GX" -n "$SW" -t 15 10.52.1.1 "ping -c 2 -W 1 -q 10.52.2.2"
else
	t_fail "migrate b1 to h2: $(tail -n 1 "$work/mig.log")"
fi

# --- 5. removed ------------------------------------------------------------------------------------
for h in 1 2; do
	t_eq "h$h: rules and subnets destroyed" ok "$(clear_isolation $h)"
	t_eq "h$h: no hook left" 0 "$(hooks $h)"
	t_check "h$h: no chain left" sh -c "! $TB exec $h iptables -t filter -S VMIB-ISOLATE >/dev/null 2>&1"
done
t_check "a1 reaches b1 again" "$GX" -n "$SW" -t 15 10.52.1.1 "ping -c 2 -W 1 -q 10.52.2.1"
t_done
