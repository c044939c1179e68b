#!/bin/sh
# fetch-base-mibs.sh OUTDIR
#
# Fetch the IETF base MIB modules the vMIB imports (SNMPv2-SMI, SNMPv2-TC,
# SNMPv2-CONF, SNMPv2-MIB, IF-MIB, IANAifType-MIB, ...) into OUTDIR, one file
# per module named <MODULE>.txt, the name smilint (SMIPATH) and Net-SNMP's
# tools (-M) both find.
#
# Debian ships these modules only in non-free (snmp-mibs-downloader), so they
# are taken from the npm package "net-snmp", which carries them in lib/mibs/.
# The package is fetched with `npm pack` (no install, no scripts run) in a
# temporary directory. The MIB files are never committed to the repository.
#
# Idempotent: when OUTDIR already holds every required module the script does
# nothing; otherwise it (re)fetches and replaces the files.
#
# Environment:
#   VMIB_NETSNMP_NPM   npm package spec to fetch (default net-snmp@3.29.2)
#   FORCE=1            fetch even if OUTDIR looks complete

set -eu

usage() {
	echo "usage: $0 OUTDIR" >&2
	exit 2
}

[ $# -eq 1 ] || usage
outdir=$1
spec=${VMIB_NETSNMP_NPM:-net-snmp@3.29.2}
required="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB IF-MIB IANAifType-MIB"

have_all() {
	for m in $required; do
		[ -s "$outdir/$m.txt" ] || return 1
	done
	return 0
}

if [ "${FORCE:-0}" != 1 ] && have_all; then
	exit 0
fi

command -v npm >/dev/null 2>&1 || {
	echo "$0: npm not found (apt-get install npm)" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmib-mibs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# npm writes its own notices on stderr; keep them only if it fails.
if ! (cd "$tmp" && npm pack --loglevel=error "$spec" >pack.out 2>pack.err); then
	echo "$0: npm pack $spec failed:" >&2
	cat "$tmp/pack.err" >&2
	exit 1
fi
tgz=""
for f in "$tmp"/*.tgz; do
	[ -f "$f" ] && tgz=$f && break
done
[ -n "$tgz" ] || {
	echo "$0: npm pack $spec produced no tarball" >&2
	exit 1
}
tar -xzf "$tgz" -C "$tmp" package/lib/mibs

mkdir -p "$outdir"
count=0
for f in "$tmp"/package/lib/mibs/*; do
	[ -f "$f" ] || continue
	# Name the file after the module it defines, not after the npm file name.
	mod=$(sed -n 's/^[[:space:]]*\([A-Za-z][A-Za-z0-9-]*\)[[:space:]]\{1,\}DEFINITIONS[[:space:]]*::=.*/\1/p' "$f" | head -n 1)
	[ -n "$mod" ] || {
		echo "$0: $(basename "$f"): no DEFINITIONS line, skipped" >&2
		continue
	}
	cp "$f" "$outdir/$mod.txt.tmp"
	mv -f "$outdir/$mod.txt.tmp" "$outdir/$mod.txt"
	count=$((count + 1))
done

have_all || {
	missing=""
	for m in $required; do
		[ -s "$outdir/$m.txt" ] || missing="$missing $m"
	done
	echo "$0: $spec lacks required modules:$missing" >&2
	exit 1
}
echo "base MIBs: $count modules from $spec in $outdir"
