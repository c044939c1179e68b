#!/usr/bin/env bash
# 91-nms-prometheus: the real Prometheus snmp_exporter (Debian's
# prometheus-snmp-exporter) with contrib/prometheus/snmp.yml, against h1's
# snmpd and vmibd on the testbed, with two VMs made through SNMP (nms-run
# running with a vif and a shape row, nms-off shut off):
#   1. the exporter accepts the configuration and listens on 127.0.0.1;
#   2. module vmib (SNMPv3 authPriv): one series per VM of snmpwalk's
#      vmibVmName, labelled vm="<name>" with vmibVmIndex, whose
#      vmibVmOperState, vmibVmAdminState, vmibVmMemoryKBytes and vmibVmVcpus
#      equal snmpget's; a vif series labelled vif="<vmibVifDevice>"; the shape
#      row's series labelled shape="nms-in" with its rate and status;
#   3. module vmib_v2c (a copy of snmp.yml with the testbed's community in
#      place of "public"): the same VMs and states over SNMPv2c;
#   4. module vm_mib (the RFC 7666 view): vmOperState per VM, labelled
#      vm="<name>", equal to snmpwalk's vmOperState, and vmNumber.
# Everything it starts (the exporter, vmibd if it did not run, the testbed
# if none was up) is stopped at the end by pid.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 91-nms-prometheus
N_NAME=t91
. "$(dirname "$0")/9x-nms-lib.bash"
t_start=$(t_ms)

EXPORTER=prometheus-snmp-exporter
if ! why=$(n_packages "$EXPORTER"); then
	t_skip "all checks: $why"; t_done; exit $?
fi
n_begin || { t_done; exit $?; }

# --- 1. the exporter -----------------------------------------------------
conf=$T_TOP/contrib/prometheus/snmp.yml
python3 - "$conf" "$work/snmp.yml" "$COMM" <<'EOF' || t_fail "copy of snmp.yml with the testbed's community"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for m in ("vmib_v2c", "vm_mib_v2c"):
    assert c[m]["auth"]["community"] == "public"
    c[m]["auth"]["community"] = sys.argv[3]
yaml.safe_dump(c, open(sys.argv[2], "w"))
EOF
port=$(n_port 19116)
"$EXPORTER" --config.file="$work/snmp.yml" --web.listen-address="127.0.0.1:$port" \
	>"$work/exporter.log" 2>&1 </dev/null &
n_pids="$n_pids $!"
url="http://127.0.0.1:$port"
if t_wait 20 curl -sf "$url/metrics"; then
	t_ok "prometheus-snmp-exporter $("$EXPORTER" --version 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p' | head -n 1) runs with snmp.yml on 127.0.0.1:$port"
else
	t_fail "prometheus-snmp-exporter starts with contrib/prometheus/snmp.yml"
	tail -n 5 "$work/exporter.log" | sed 's/^/        /'
	t_done; exit $?
fi
target=$T_TB_NET.1

# what snmpwalk/snmpget say, as "INDEX NAME OPER ADMIN MEM VCPUS" lines
O_VCPUS=$(n_oid vmibVmVcpus)
n_walk "$O_NAME" | while read -r ix name; do
	echo "$ix $name $(n_get "$O_OPER.$ix") $(n_get "$O_ADMIN.$ix") $(n_get "$O_MEM.$ix") $(n_get "$O_VCPUS.$ix")"
done >"$work/vms.snmp"
rfc_oper=.1.3.6.1.2.1.236.1.4.1.6    # VM-MIB vmOperState (mib/VM-MIB.txt)
n_walk "$rfc_oper" >"$work/rfc.snmp"
t_check "snmpwalk lists both test VMs" grep -q " $VM_OFF_NAME " "$work/vms.snmp"

# check MODULE: scrape, then compare with the walk in python
check() {
	local module=$1 desc=$2
	curl -sf "$url/snmp?module=$module&target=$target" >"$work/$module.prom" ||
		{ t_fail "$desc: scrape /snmp?module=$module&target=$target"; return; }
	t_check "$desc" python3 - "$module" "$work/$module.prom" "$work/vms.snmp" "$work/rfc.snmp" \
		"$VM_RUN" "$VM_RUN_NAME" <<'EOF'
import re, sys
module, prom, vms, rfc, run_ix, run_name = sys.argv[1:]
series = {}
for ln in open(prom):
    if ln.startswith("#") or not ln.strip():
        continue
    m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', ln.strip())
    if not m:
        sys.exit("unparsable line: " + ln)
    labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")))
    series.setdefault(m.group(1), {})[labels] = float(m.group(3))
walk = [l.split() for l in open(vms) if l.strip()]
bad = []
def val(metric, **lab):
    for labels, v in series.get(metric, {}).items():
        if all((k, str(x)) in labels for k, x in lab.items()):
            return v
    bad.append("no %s%s" % (metric, lab))
    return None
if module.startswith("vmib"):
    names = {dict(l).get("vm") for l in series.get("vmibVmOperState", {})}
    if names != {w[1] for w in walk}:
        bad.append("VMs by vm label %s, snmpwalk %s" % (sorted(names), sorted(w[1] for w in walk)))
    for ix, name, oper, admin, mem, vcpus in walk:
        for metric, want in (("vmibVmOperState", oper), ("vmibVmAdminState", admin),
                             ("vmibVmMemoryKBytes", mem), ("vmibVmVcpus", vcpus)):
            v = val(metric, vm=name, vmibVmIndex=ix)
            if v is not None and v != float(want):
                bad.append("%s{vm=%s} = %s, snmpget %s" % (metric, name, v, want))
    if val("vmibShapeRateKbps", vm=run_name, shape="nms-in", vmibVmIndex=run_ix) not in (None, 10000.0):
        bad.append("vmibShapeRateKbps of nms-in is not 10000")
    if val("vmibShapeOperStatus", shape="nms-in") not in (None, 1.0):
        bad.append("vmibShapeOperStatus of nms-in is not applied(1)")
    vifs = [dict(l).get("vif") for l in series.get("vmibVifTxOctets", {}) if dict(l).get("vm") == run_name]
    if not vifs or not vifs[0].startswith("vnet"):
        bad.append("vif label of %s's vif: %s" % (run_name, vifs))
    print("%d series" % sum(len(v) for v in series.values()))
else:
    oper = dict(l.split() for l in open(rfc) if l.strip())
    byname = {w[1]: w[0] for w in walk}
    names = {dict(l).get("vm") for l in series.get("vmOperState", {})}
    if names != set(byname):
        bad.append("VMs by vm label %s, snmpwalk %s" % (sorted(names), sorted(byname)))
    for name, ix in byname.items():
        v = val("vmOperState", vm=name, vmIndex=ix)
        if v is not None and v != float(oper[ix]):
            bad.append("vmOperState{vm=%s} = %s, snmpwalk %s" % (name, v, oper[ix]))
    if val("vmNumber") != float(len(walk)):
        bad.append("vmNumber %s, %d VMs" % (val("vmNumber"), len(walk)))
if bad:
    sys.exit("\n".join(bad))
EOF
}

# --- 2.-4. the modules ----------------------------------------------------------
check vmib "module vmib (SNMPv3): a series per VM labelled vm=<name>, states, memory and vCPUs equal snmpget's; vif and shape labels"
check vmib_v2c "module vmib_v2c (SNMPv2c): the same"
check vm_mib "module vm_mib (RFC 7666): vmOperState per VM labelled vm=<name> equals snmpwalk's, vmNumber"
n_series=$(grep -cv '^#' "$work/vmib.prom" 2>/dev/null)
echo "  info  module vmib: $n_series lines for 2 VMs; test ran $(( $(t_ms) - t_start )) ms"
t_done
