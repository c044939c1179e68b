#!/bin/sh
# check-lint-tc.sh MIB...: smilint -l 6 clean for modules that only define
# textual conventions for other modules (mib/IANA-STORAGE-MEDIA-TYPE-MIB.txt,
# mib/imports/*.txt).  Such a module necessarily leaves its types
# unreferenced inside itself, so that one notice (type-unref) is the only
# one ignored.  Prints one summary line; exits non-zero on any problem.
# Environment: SMIPATH (where the imported modules are).
set -u
rc=0
for mib in "$@"; do
	out=$(smilint -l 6 -s -m -i type-unref "$mib" 2>&1)
	if [ -n "$out" ]; then
		printf '%s\n' "$out" >&2
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "mib: $# textual-convention modules smilint clean"
exit $rc
