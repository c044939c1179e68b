#!/bin/sh
# check-generated.sh: the NMS files generated from mib/VMIB-MIB.txt are what
# their generators write now (run by `make check-mib`, with SMIPATH set):
#   contrib/zabbix/vmib_by_snmp.yaml   by contrib/zabbix/gen-template
#   contrib/prometheus/snmp.yml        by contrib/prometheus/generate
# A difference is printed and fails the check: run the generator and commit
# its output.  The second needs prometheus-snmp-generator (Debian package
# prometheus-snmp-exporter, mk/nms-packages.txt); without it that file is
# reported as not checked.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
"$top/contrib/zabbix/gen-template" --check || rc=1
if command -v prometheus-snmp-generator >/dev/null 2>&1; then
	"$top/contrib/prometheus/generate" --check || rc=1
else
	echo "check-generated: prometheus-snmp-generator not installed: contrib/prometheus/snmp.yml not checked (make deps)"
fi
[ $rc -eq 0 ] && echo "check-generated: contrib/zabbix/vmib_by_snmp.yaml and contrib/prometheus/snmp.yml are up to date"
exit $rc
