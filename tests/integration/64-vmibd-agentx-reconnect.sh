#!/bin/bash
# 64-vmibd-agentx-reconnect.sh - vmibd registers each of its subtrees once
# when it reconnects to a restarted snmpd master: a private snmpd and
# vmibd (libvirt's test driver); snmpd is stopped and started again on
# the same AgentX socket; vmibd reconnects (the vMIB answers again, the
# host scalars included) and neither vmibd's log ("registering pdu
# failed") nor snmpd's (duplicate registrations, AgentX error 263) shows
# a registration refused.  Before the host scalars were registered one
# subtree each, every reconnect re-sent their AgentX range once per
# scalar: 11 "registering pdu failed: 263".
source "$(dirname "$0")/lib.sh"
source "$T_TOP/tests/bench/vmibd-walk-env.sh"

t_begin 64-vmibd-agentx-reconnect

for tool in snmpd snmpget snmpwalk; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "all checks: $tool not installed"; t_done; exit $?
	fi
done
WORK=$(mktemp -d /tmp/vmib-t64.XXXXXX)
cleanup() { vw_cleanup; rm -rf "$WORK"; }
trap cleanup EXIT
vw_init "$WORK"
VW_IMAGE_DIR=$WORK/images
mkdir -p "$VW_IMAGE_DIR"
VW_PING=1

vw_start_snmpd || { t_fail "private snmpd starts"; t_done; exit $?; }
vw_start_vmibd "test:///default" || { t_fail "vmibd registers"; t_done; exit $?; }
t_ok "vmibd registered with snmpd"
refused() { grep -ci 'registering pdu failed\|duplicate' "$1"; }
t_eq "first registration: nothing refused in vmibd's log" 0 "$(refused "$VW_DIR/vmibd.log")"

host_name() { vw_snmp snmpget -Oqv "$VW_VMIB_ROOT.1.1.1.0" 2>/dev/null | grep -v '^No Such'; }
host_scalars() { [ "$(vw_snmp snmpwalk -Oq "$VW_VMIB_ROOT.1.1" 2>/dev/null | grep -c '^')" -ge 12 ]; }
for round in 1 2; do
	vw_stop_snmpd
	: > "$VW_DIR/snmpd.log"
	vw_start_snmpd || { t_fail "snmpd starts again"; t_done; exit $?; }
	if t_wait 30 host_name; then
		t_ok "restart $round: vmibd reconnected (vmibHostName.0 answers)"
	else
		t_fail "restart $round: vmibd reconnected"
	fi
	t_check "restart $round: every host scalar answers (walk of vmibHost)" t_wait 10 host_scalars
	sleep 1   # the reattach's registrations are answered by now
	t_eq "restart $round: no registration refused in vmibd's log" 0 "$(refused "$VW_DIR/vmibd.log")"
	t_eq "restart $round: no duplicate registration in snmpd's log" 0 "$(refused "$VW_DIR/snmpd.log")"
done
grep -i 'registering pdu failed\|duplicate' "$VW_DIR/vmibd.log" "$VW_DIR/snmpd.log" | head -3 | sed 's/^/        /'
t_done
