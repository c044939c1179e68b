#!/usr/bin/env bash
# 43-vm-unsafe-names.sh - names that would be path components or options
# (VMIB-MIB VmibSafeName) against real libvirt, on the local testbed.
#
# libvirt builds file names from a domain name (NAME.xml, domain-ID-NAME/,
# the snapshot and channel directories it deletes with a domain), so a
# domain named ".." makes libvirtd delete files of other domains.  With a
# running VM t43-v on h1 (its state directory, master key and channel
# directory exist), every createAndGo with a VM name '..', '.', '-x',
# '.hidden', 'a..b', '-', an image name '..' or '-x', or a bridge '..' or
# '-br' is refused with wrongValue on that varbind, the reason in
# vmibHostLastError, libvirt's domain list unchanged, and the listing
# (path, type, size, mode) and contents of h1's private /etc/libvirt,
# /var/lib/libvirt and /run/libvirt are the same before and after.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 43-vm-unsafe-names
X_NAME=t43
X_VMIBD_ARGS=()
. "$(dirname "$0")/4x-vm-lib.bash"

x_preconditions || { t_done; exit $?; }
x_oids || { t_fail "no vMIB OIDs in $HDR"; t_done; exit $?; }
x_testbed || { t_done; exit $?; }

H1=$T_TB_NET.1
HD=$T_TB_DIR/h1
doms() { vsh 1 list --all --name | sort | tr '\n' ' ' | sed 's/ *$//'; }
hosterr() { sget "$H1" "$O_HOSTERR.0"; }
# the state of h1's libvirtd: every path with its type, size and mode, and
# the checksum of every regular file (logs and pid files excluded: they
# change on their own)
tree_sum() {
	local d
	for d in etc lib run; do
		[ -d "$HD/$d" ] || continue
		(cd "$HD/$d" && find . \( -name '*.log' -o -name '*.pid' \) -prune -o \
			-printf "$d/%P %y %s %m\n" | sort)
		(cd "$HD/$d" && find . \( -name '*.log' -o -name '*.pid' \) -prune -o \
			-type f -print0 | sort -z | xargs -0r sha256sum | sed "s|  \./|  $d/|")
	done
}

# --- a running VM whose state libvirt keeps under /var/lib/libvirt and /run/libvirt -----
if x_create "$H1" 43 t43-v 10.143.0.5 "$O_ADMIN.43" i "$A_RUNNING" &&
	x_wait_oid 60 "$H1" "$O_OPER.43" "$E_RUNNING"; then
	t_ok "t43-v runs on h1"
else
	t_fail "t43-v could not be started: '$SET_ERR' (the checks below still run)"
fi
if [ -n "$(find "$HD/lib/qemu" "$HD/run/qemu" -path '*t43-v*' 2>/dev/null | head -n 1)" ]; then
	t_ok "libvirtd keeps state of t43-v in its private directories"
else
	t_skip "no state directory of t43-v under $HD/lib/qemu or $HD/run/qemu"
fi
before_doms=$(doms)
tree_sum >"$work/before.sum"
t_check "the state listing of h1 is not empty" test -s "$work/before.sum"

# refused DESC OID REASON -- SET ARGS: wrongValue on OID, reason, libvirt unchanged
refused() {
	local desc=$1 at=$2 why=$3
	shift 3
	expect_set_error "$desc" wrongValue "$at" "$H1" "$@"
	case $(hosterr) in
	*"$why"*) t_ok "  reason in vmibHostLastError: '$why'" ;;
	*) t_fail "  vmibHostLastError: '$(hosterr)', expected '$why'" ;;
	esac
	t_eq "  libvirt's domains unchanged" "$before_doms" "$(doms)"
}
for n in .. . -x .hidden a..b - ../t43-v; do
	refused "VM name '$n'" "$O_NAME.44" "no '..'" \
		"$O_RS.44" i "$RS_GO" "$O_NAME.44" s "$n" "$O_IMAGE.44" s vmib-test \
		"$O_ADMIN.44" i "$A_RUNNING"
done
for n in .. -x; do
	refused "image name '$n'" "$O_IMAGE.44" "no '..'" \
		"$O_RS.44" i "$RS_GO" "$O_NAME.44" s t43-w "$O_IMAGE.44" s "$n"
done
for n in .. -br; do
	refused "bridge '$n'" "$O_VIFBR.44.1" "no '..'" \
		"$O_RS.44" i "$RS_GO" "$O_NAME.44" s t43-w "$O_IMAGE.44" s vmib-test \
		"$O_VIFRS.44.1" i "$RS_GO" "$O_VIFBR.44.1" s "$n"
done
tree_sum >"$work/after.sum"
if cmp -s "$work/before.sum" "$work/after.sum"; then
	t_ok "h1's /etc/libvirt, /var/lib/libvirt, /run/libvirt unchanged ($(wc -l <"$work/before.sum") entries)"
else
	t_fail "h1's libvirt state directories changed:"
	diff "$work/before.sum" "$work/after.sum" | head -n 20 | sed 's/^/        /'
fi
t_eq "t43-v still runs" "running" "$(vsh 1 domstate t43-v 2>/dev/null | head -n 1)"
# a domain a refused SET made anyway (names may look like options: "--")
for d in $(doms); do
	case " $before_doms " in *" $d "*) ;; *) vsh 1 undefine -- "$d" >/dev/null 2>&1 ;; esac
done

t_done
