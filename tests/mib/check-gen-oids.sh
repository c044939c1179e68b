#!/bin/sh
# check-gen-oids.sh [MIB]
#
# Test mib/gen-oids.sh: generate the header from the MIB into a temporary
# directory, compile a C program that includes it next to Net-SNMP's headers
# and uses every macro it defines (strict warnings, -Werror, static
# assertions that every OID has the length its _LEN macro says and that every
# column number (_COL_) and scalar or notification number (_SUB_) is the
# last sub-identifier of its OID), run it, and
# compare what it prints with Net-SNMP's own reading of the MIB:
# (VMIB_ stands for the module's prefix: VMIB_ for VMIB-MIB, VM_ for VM-MIB)
#   - every VMIB_OID_<name> against `snmptranslate -On -IR <name>`;
#   - every VMIB_ENUM_/VMIB_BIT_<object>_<label> value against the
#     label(value) list of `snmptranslate -Td <object>`.
# Prints one summary line; exits non-zero on any failure.
#
# Environment: VMIB_BASE_MIBS, SMIPATH, VMIB_MIB_IMPORTS as for
# mib/check-mib.sh; CC (gcc).

set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
mib=${1:-$root/mib/VMIB-MIB.txt}
base=${VMIB_BASE_MIBS:-$root/build/mibs}
: "${SMIPATH:=$base:/usr/share/snmp/mibs}"
export SMIPATH
cc=${CC:-gcc}

fail() {
	echo "gen-oids: FAIL: $*" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmib-genoids.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

"$root/mib/gen-oids.sh" "$mib" "$tmp/vmib_oids.h" >/dev/null ||
	fail "gen-oids.sh failed"
h=$tmp/vmib_oids.h

# The generator must be deterministic: a second run gives the same bytes.
"$root/mib/gen-oids.sh" "$mib" "$tmp/again.h" >/dev/null
cmp -s "$h" "$tmp/again.h" || fail "two runs gave different headers"

module=$(sed -n 's/^[[:space:]]*\([A-Za-z][A-Za-z0-9-]*\)[[:space:]]\{1,\}DEFINITIONS[[:space:]]*::=.*/\1/p' "$mib" | head -n 1)
P=$(echo "${module%-MIB}" | tr 'a-z-' 'A-Z_')_

macros() {
	sed -n "s/^#define \\($1[A-Za-z0-9_]*\\) .*/\\1/p" "$h"
}

# --- the test program -------------------------------------------------------
c=$tmp/t.c
# printf, not echo: dash's echo would turn the C "\\n" into a newline.
p() {
	printf '%s\n' "$*"
}
{
	p '#include <net-snmp/net-snmp-config.h>'
	p '#include <net-snmp/net-snmp-includes.h>'
	p '#include <stdio.h>'
	p '#include "vmib_oids.h"'
	p ''
	p 'static void print_oid(const char *name, const oid *o, size_t len)'
	p '{'
	p '	size_t i;'
	p ''
	p '	printf("OID %s ", name);'
	p '	for (i = 0; i < len; i++)'
	p '		printf(".%lu", (unsigned long)o[i]);'
	p '	printf("\n");'
	p '}'
	p ''
	p 'int main(void)'
	p '{'
	for m in $(macros ${P}OID_ | grep -v '_LEN$'); do
		n=${m#${P}OID_}
		p "	{"
		p "		static const oid o[] = { $m };"
		p "		_Static_assert(sizeof o / sizeof o[0] == $m""_LEN, \"$n length\");"
		p "		print_oid(\"$n\", o, OID_LENGTH(o));"
		p "	}"
	done
	for m in $(macros ${P}COL_); do
		n=${m#${P}COL_}
		p "	{"
		p "		static const oid o[] = { ${P}OID_$n };"
		p "		_Static_assert($m > 0, \"$n column\");"
		p "		if (o[OID_LENGTH(o) - 1] != $m) {"
		p "			printf(\"BAD column %s\\n\", \"$n\");"
		p "			return 1;"
		p "		}"
		p "	}"
	done
	for m in $(macros ${P}SUB_); do
		n=${m#${P}SUB_}
		p "	{"
		p "		static const oid o[] = { ${P}OID_$n };"
		p "		if (o[OID_LENGTH(o) - 1] != $m) {"
		p "			printf(\"BAD sub-identifier %s\\n\", \"$n\");"
		p "			return 1;"
		p "		}"
		p "	}"
	done
	for m in $(macros ${P}ENUM_) $(macros ${P}BIT_); do
		p "	printf(\"VAL %s %ld\\n\", \"$m\", (long)$m);"
	done
	for m in $(macros ${P}BITS_) $(macros ${P}RANGE_) $(macros ${P}SIZE_) \
		$(macros ${P}TABLE_); do
		p "	printf(\"NUM %s %lu\\n\", \"$m\", (unsigned long)$m);"
	done
	p '	return 0;'
	p '}'
} >"$c"

flags="-std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror"
# Flags are lists of words: split them on purpose.
# shellcheck disable=SC2086,SC2046
$cc $flags -I"$tmp" $(net-snmp-config --cflags) -o "$tmp/t" "$c" \
	$(net-snmp-config --libs) 2>"$tmp/cc.err" || {
	head -n 40 "$tmp/cc.err" >&2
	fail "the generated header does not compile cleanly"
}
[ ! -s "$tmp/cc.err" ] || {
	cat "$tmp/cc.err" >&2
	fail "compiler warnings"
}
"$tmp/t" >"$tmp/out" || fail "test program: $(tail -n 1 "$tmp/out")"

# --- compare with Net-SNMP --------------------------------------------------
mkdir -p "$tmp/persist/cert_indexes" "$tmp/conf"
SNMPCONFPATH=$tmp/conf SNMP_PERSISTENT_DIR=$tmp/persist
export SNMPCONFPATH SNMP_PERSISTENT_DIR
M=$base:/usr/share/snmp/mibs:$(cd "$(dirname "$mib")" && pwd)${VMIB_MIB_IMPORTS:+:$VMIB_MIB_IMPORTS}

bad=0
noids=0
while read -r tag name oid; do
	[ "$tag" = OID ] || continue
	noids=$((noids + 1))
	want=$(snmptranslate -M "$M" -m "$module" -On -IR "$name" 2>/dev/null) || want=""
	if [ "$want" != "$oid" ]; then
		echo "gen-oids: $name: header $oid, snmptranslate '$want'" >&2
		bad=$((bad + 1))
	fi
done <"$tmp/out"

# Objects with enumerations or BITS: the object name is the part of the
# macro between the kind and the last '_' (labels have no '_').
nvals=0
grep '^VAL ' "$tmp/out" | while read -r _ macro value; do
	rest=${macro#${P}ENUM_}
	rest=${rest#${P}BIT_}
	obj=${rest%_*}
	label=${rest##*_}
	if ! snmptranslate -M "$M" -m "$module" -Td -IR "$obj" 2>/dev/null |
		grep -q "[{ ,]$label($value)"; then
		echo "gen-oids: $macro = $value, not in snmptranslate -Td $obj" >&2
		echo x
	fi
done >"$tmp/valbad"
nvals=$(grep -c '^VAL ' "$tmp/out" || true)
vbad=$(wc -l <"$tmp/valbad")
bad=$((bad + vbad))

[ "$noids" -gt 0 ] || fail "the header defines no OID"
[ "$bad" -eq 0 ] || fail "$bad mismatch(es) with Net-SNMP"
echo "gen-oids: header compiles with -Werror; $noids OIDs and $nvals enum/bit values match Net-SNMP"
