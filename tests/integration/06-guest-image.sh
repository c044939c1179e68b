#!/usr/bin/env bash
# The guest image under plain QEMU TCG in a private namespace: boot to ready
# and to ping, kernel parameters (addresses, routes, malformed input), the
# command service, iperf3, TBF and NetEm inside the guest (the guest kernel
# has sch_netem, the host's has not).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
t_begin 06-guest-image
if ! why=$(t_can_namespaces); then
	t_skip "guest image: $why"
	t_done; exit $?
fi
if [ ! -r "$T_BUILD/images/vmib-test/initrd.img" ]; then
	t_fail "guest image: build/images/vmib-test missing (make image)"
	t_done; exit $?
fi
out=$("$T_TOP/tests/image/check-image" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
while IFS= read -r line; do
	case $line in
	PASS:*) t_ok "${line#PASS: }" ;;
	FAIL:*) t_fail "${line#FAIL: }" ;;
	esac
done <<<"$out"
[ "$rc" -eq 0 ] || [ "$T_FAILED" -gt 0 ] || t_fail "check-image exited $rc"
t_done
