#!/bin/sh
# check-doc-oids.sh [DOC] [MIB]
#
# Check the MIB guide (doc/mib.md) against the MIB, using Net-SNMP's reading
# of it:
#   1. every table row "| `name` | N |" documents an object whose OID ends
#      in N (column number, scalar or notification sub-identifier);
#   2. every numeric OID under the vMIB root written in the guide translates
#      to NAME.SUFFIX, and that symbolic form appears on the same line or
#      shortly before it (numeric examples repeat the symbolic ones above);
#   3. every scalar, column and notification of the MIB has a table row.
# Prints one summary line; exits non-zero on any failure.
#
# Environment: VMIB_BASE_MIBS, SMIPATH as for mib/check-mib.sh.

set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
doc=${1:-$root/doc/mib.md}
mib=${2:-$root/mib/VMIB-MIB.txt}
base=${VMIB_BASE_MIBS:-$root/build/mibs}
: "${SMIPATH:=$base:/usr/share/snmp/mibs}"
export SMIPATH

fail() {
	echo "doc-oids: FAIL: $*" >&2
	exit 1
}

[ -r "$doc" ] || fail "cannot read $doc"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmib-doc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/persist/cert_indexes" "$tmp/conf"
SNMPCONFPATH=$tmp/conf SNMP_PERSISTENT_DIR=$tmp/persist
export SNMPCONFPATH SNMP_PERSISTENT_DIR
M=$base:/usr/share/snmp/mibs:$(cd "$(dirname "$mib")" && pwd)
root_oid=$(snmptranslate -M "$M" -m VMIB-MIB -On VMIB-MIB::vmibMIB 2>/dev/null) ||
	fail "Net-SNMP cannot load VMIB-MIB"
root_oid=${root_oid#.}

bad=0

# 1. "| `name` | N |" rows.
# shellcheck disable=SC2016 # the backquotes are Markdown, not expansions
sed -n 's/^| `\(vmib[A-Za-z0-9]*\)` | \([0-9][0-9]*\) |.*/\1 \2/p' "$doc" >"$tmp/rows"
nrows=$(wc -l <"$tmp/rows")
while read -r name nr; do
	oid=$(snmptranslate -M "$M" -m VMIB-MIB -On -IR "$name" 2>/dev/null) || oid=""
	if [ -z "$oid" ] || [ "${oid##*.}" != "$nr" ]; then
		echo "doc-oids: row $name says $nr, MIB says '${oid}'" >&2
		bad=$((bad + 1))
	fi
done <"$tmp/rows"

# 2. Numeric OIDs, each with its line number.  The symbolic form must appear
# in the same line or in the WINDOW lines before it: numeric examples follow
# the symbolic ones they repeat.
WINDOW=30
grep -n -o "\.\{0,1\}$(echo "$root_oid" | sed 's/\./\\./g')\(\.[0-9][0-9]*\)*" "$doc" |
	sed 's/:\./:/' >"$tmp/numeric"
nnum=$(wc -l <"$tmp/numeric")
while IFS=: read -r line num; do
	sym=$(snmptranslate -M "$M" -m VMIB-MIB ".$num" 2>/dev/null) || sym=""
	sym=${sym#VMIB-MIB::}
	case $sym in
	vmib*) ;;
	*)
		echo "doc-oids: line $line: $num does not translate to a vMIB object ('$sym')" >&2
		bad=$((bad + 1))
		continue
		;;
	esac
	first=$((line > WINDOW ? line - WINDOW : 1))
	if ! sed -n "${first},${line}p" "$doc" | grep -qF "$sym"; then
		echo "doc-oids: line $line: $num is $sym, not named in the $WINDOW lines before" >&2
		bad=$((bad + 1))
	fi
done <"$tmp/numeric"

# 3. Completeness.
smidump -f identifiers "$mib" 2>/dev/null |
	awk '$3 == "scalar" || $3 == "column" || $3 == "notification" { print $2 }' \
	>"$tmp/objects"
nobj=$(wc -l <"$tmp/objects")
[ "$nobj" -gt 0 ] || fail "smidump listed no objects"
while read -r name; do
	if ! grep -q "^| \`$name\` |" "$doc"; then
		echo "doc-oids: $name has no table row in the guide" >&2
		bad=$((bad + 1))
	fi
done <"$tmp/objects"

[ "$bad" -eq 0 ] || fail "$bad problem(s) in $(basename "$doc")"
echo "doc-oids: $nrows table rows, $nnum numeric OIDs checked; all $nobj objects documented"
