#!/bin/sh
# check-mib.sh [MIB]
#
# Check the vMIB with both MIB parsers the project relies on:
#   1. libsmi: `smilint -l 6 -s -m` must print nothing (levels 1-6, i.e.
#      errors, warnings and auxiliary notices are all failures);
#   2. Net-SNMP: every named OID of the module (listed by
#      `smidump -f identifiers`) must translate with
#      `snmptranslate -M BASE:/usr/share/snmp/mibs:mib -m VMIB-MIB -On -IR`
#      to exactly the OID libsmi computed, and loading the module must
#      print no parser warning.
# Prints one summary line; exits non-zero on any failure.
#
# Environment:
#   VMIB_BASE_MIBS  directory of the fetched IETF base MIBs
#                   (default <repo>/build/mibs; see fetch-base-mibs.sh)
#   SMIPATH         libsmi search path (default VMIB_BASE_MIBS:/usr/share/snmp/mibs)
#   VMIB_MIB_IMPORTS  more directories (':'-separated) where Net-SNMP finds
#                   the modules MIB imports (the VM-MIB's: mib/imports)

set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
mib=${1:-$root/mib/VMIB-MIB.txt}
base=${VMIB_BASE_MIBS:-$root/build/mibs}
netsnmp_mibs=/usr/share/snmp/mibs
: "${SMIPATH:=$base:$netsnmp_mibs}"
export SMIPATH

fail() {
	echo "mib: FAIL: $*" >&2
	exit 1
}

for tool in smilint smidump snmptranslate; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool not found"
done
[ -r "$mib" ] || fail "cannot read $mib"
[ -s "$base/SNMPv2-SMI.txt" ] ||
	fail "no base MIBs in $base (run mib/fetch-base-mibs.sh $base)"

mibdir=$(cd "$(dirname "$mib")" && pwd)
module=$(sed -n 's/^[[:space:]]*\([A-Za-z][A-Za-z0-9-]*\)[[:space:]]\{1,\}DEFINITIONS[[:space:]]*::=.*/\1/p' "$mib" | head -n 1)
[ -n "$module" ] || fail "$mib: no DEFINITIONS line"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmib-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# 1. smilint, every level.  smilint exits 0 even on errors: judge the output.
smilint -l 6 -s -m "$mib" >"$tmp/lint" 2>&1 || true
if [ -s "$tmp/lint" ]; then
	cat "$tmp/lint" >&2
	fail "smilint -l 6 reported $(wc -l <"$tmp/lint") problem(s)"
fi

# 2. The named OIDs according to libsmi.
smidump -l 3 -f identifiers "$mib" >"$tmp/ids" 2>"$tmp/ids.err" ||
	fail "smidump failed: $(cat "$tmp/ids.err")"
[ ! -s "$tmp/ids.err" ] || fail "smidump: $(cat "$tmp/ids.err")"
awk -v m="$module" '$1 == m && $4 ~ /^[0-9]+(\.[0-9]+)*$/ { print $2, $4 }' \
	"$tmp/ids" >"$tmp/oids"
total=$(wc -l <"$tmp/oids")
[ "$total" -gt 0 ] || fail "smidump listed no OIDs for $module"

# 3. Net-SNMP, isolated from the user's and the system's snmp.conf and
# persistent directory.
mkdir -p "$tmp/persist/cert_indexes"
SNMPCONFPATH=$tmp/conf
SNMP_PERSISTENT_DIR=$tmp/persist
export SNMPCONFPATH SNMP_PERSISTENT_DIR
mkdir -p "$SNMPCONFPATH"
M=$base:$netsnmp_mibs:$mibdir${VMIB_MIB_IMPORTS:+:$VMIB_MIB_IMPORTS}

# Loading the module must be silent (Net-SNMP reports MIB parse problems on
# stderr but still exits 0).
snmptranslate -M "$M" -m "$module" -On -IR "$(head -n 1 "$tmp/oids" | cut -d' ' -f1)" \
	>/dev/null 2>"$tmp/load.err" || true
if [ -s "$tmp/load.err" ]; then
	cat "$tmp/load.err" >&2
	fail "Net-SNMP could not load $module cleanly"
fi

bad=0
ok=0
while read -r name oid; do
	got=$(snmptranslate -M "$M" -m "$module" -On -IR "$name" 2>"$tmp/tr.err") || got=""
	if [ "$got" != ".$oid" ] || [ -s "$tmp/tr.err" ]; then
		echo "mib: $name: snmptranslate gave '${got}' $(cat "$tmp/tr.err"), libsmi says .$oid" >&2
		bad=$((bad + 1))
	else
		ok=$((ok + 1))
	fi
done <"$tmp/oids"

[ "$bad" -eq 0 ] || fail "$bad of $total objects did not translate"
echo "mib: $ok objects translated, smilint clean"
