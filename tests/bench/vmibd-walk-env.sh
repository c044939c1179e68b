# vmibd-walk-env.sh - shared by tests/integration/2*-vmibd-*.sh and
# tests/bench/vmibd-walk (sourced, bash).
#
# Runs a private snmpd master (127.0.0.1, a free high UDP port, AgentX on a
# unix socket with 0600/0700 permissions, state in a temporary directory)
# and vmibd against it, following the recipe of netsnmp.md §6.1, and
# generates libvirt test-driver node files with many domains.  Every
# process started here is recorded and stopped by PID in vw_cleanup (call
# it from an EXIT trap).  Optional: VW_NETNS runs everything inside that
# network namespace (created and deleted by the caller).
#
# Functions:
#   vw_init DIR                  work directory (created)
#   vw_gen_node N VIFS FILE      node XML with N domains, VIFS vifs each
#   vw_start_snmpd               -> VW_PORT, VW_SOCK; waits until it answers
#   vw_stop_snmpd
#   vw_start_vmibd URI [ARGS...] -> VW_VMIBD_PID; waits for its registration
#   vw_stop_vmibd
#   vw_start_trapd               -> VW_TRAPS (log file), on port VW_TRAP_PORT
#   vw_start_libvirtd            a private libvirtd -> VW_LIBVIRT_SOCK
#   vw_libvirt_uri FILE          test-driver URI of FILE: in the caller's
#                                process, or served by that libvirtd
#   vw_snmp CMD ARGS...          run a Net-SNMP tool with MIBS= against VW_PORT
#   vw_rss_kb PID                VmRSS of a process in kB
#   vw_cleanup

VW_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VW_VMIBD=${VW_VMIBD:-$VW_TOP/build/bin/vmibd}
VW_PIDS=()
VW_DIR=
VW_PORT=
VW_TRAP_PORT=
VW_SOCK=
VW_VMIBD_PID=
VW_SNMPD_PID=
VW_TRAPD_PID=
VW_LIBVIRTD_PID=
VW_LIBVIRT_SOCK=
VW_VMIB_ROOT=1.3.6.1.4.1.8072.9999.9999.42

VW_PFX=()

# run a command in the namespace if any (not for background jobs: use
# "${VW_PFX[@]}" there so that $! is the process itself)
vw_ns() {
	"${VW_PFX[@]}" "$@"
}

vw_init() {
	VW_DIR=$1
	VW_PFX=()
	[ -n "${VW_NETNS:-}" ] && VW_PFX=(ip netns exec "$VW_NETNS")
	# client configuration: hex strings on one line (-Ox output)
	mkdir -p "$VW_DIR/conf"
	echo "hexOutputLength 0" > "$VW_DIR/conf/snmp.conf"
	mkdir -p "$VW_DIR/persist"
	chmod 700 "$VW_DIR"
}

# a UDP port nobody listens on (inside the namespace if any)
vw_free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! vw_ns ss -Hlun "sport = :$p" | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# vw_gen_node N VIFS FILE: N domains named dom0001..; UUIDs and MACs are
# fixed by the number, so every process that opens FILE sees the same
# domains.  Every 10th domain is shut off, every 10th+3 paused (test
# driver runstate), every 7th carries a vmib metadata index 5000+i, and
# the VMs boot vmlinuz of image "vmib-test" (VW_IMAGE_DIR) with vmib.ip=
# and vmib.route= on the kernel command line.
vw_gen_node() {
	python3 - "$1" "$2" "$3" "${VW_IMAGE_DIR:-/var/lib/vmib/images}" <<'EOF'
import sys
n, vifs, out, imgdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
w = open(out, "w")
w.write("<node>\n <cpu><nodes>1</nodes><sockets>2</sockets><cores>4</cores>"
        "<threads>1</threads><active>8</active><mhz>2400</mhz><model>x86_64</model></cpu>\n"
        " <memory>67108864</memory>\n")
for i in range(1, n + 1):
    state = 5 if i % 10 == 0 else 3 if i % 10 == 3 else 1
    meta = ""
    if i % 7 == 0:
        meta = ("<metadata><vmib:vm xmlns:vmib='urn:vmib:domain:1' index='%d' "
                "image='vmib-test'/></metadata>" % (5000 + i))
    nics = "".join(
        "<interface type='bridge'><mac address='52:54:%02x:%02x:%02x:%02x'/>"
        "<source bridge='br%d'/><model type='%s'/></interface>"
        % ((i >> 16) & 255, (i >> 8) & 255, i & 255, k, k % 2,
           "virtio" if k == 0 else "e1000") for k in range(vifs))
    cmd = "console=ttyS0 vmib.ip=eth0:10.%d.%d.%d/16 vmib.route=10.250.0.0/24,10.%d.0.1" % (
        1 + i // 65000, (i >> 8) & 255, i & 255, 1 + i // 65000)
    w.write(" <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
            "<name>dom%04d</name><uuid>00000000-0000-4000-8000-%012d</uuid>%s"
            "<memory unit='KiB'>%d</memory><vcpu>%d</vcpu>"
            "<os><type>hvm</type><kernel>%s/vmib-test/vmlinuz</kernel><cmdline>%s</cmdline></os>"
            "<devices>%s</devices><test:runstate>%d</test:runstate></domain>\n"
            % (i, i, meta, 65536 + 1024 * (i % 64), 1 + i % 4, imgdir, cmd, nics, state))
w.write("</node>\n")
EOF
}

vw_snmp() {
	local cmd=$1
	shift
	vw_ns env MIBS= MIBDIRS= SNMPCONFPATH="$VW_DIR/conf" "$cmd" -v2c -c public -On -Oe -t 3 -r 1 "127.0.0.1:$VW_PORT" "$@"
}

# vw_probe OID: does the agent answer a GET of OID right now (short
# timeout, no retry: a probe sent before snmpd binds must not wait 3 s)
vw_probe() {
	vw_ns env MIBS= MIBDIRS= snmpget -v2c -c public -On -Oqv -t 0.2 -r 0 \
		"127.0.0.1:$VW_PORT" "$1" 2>/dev/null | grep -qv "^No Such"
}

vw_start_snmpd() {
	VW_PORT=$(vw_free_port) || return 1
	VW_TRAP_PORT=${VW_TRAP_PORT:-$(vw_free_port)}
	VW_SOCK=$VW_DIR/agentx.sock
	cat > "$VW_DIR/snmpd.conf" <<EOF
agentaddress udp:127.0.0.1:$VW_PORT
master agentx
agentXSocket $VW_SOCK
agentXPerms 0600 0700
agentXTimeout 2
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1 $VW_VMIB_ROOT
trap2sink 127.0.0.1:$VW_TRAP_PORT public
EOF
	"${VW_PFX[@]}" env SNMP_PERSISTENT_DIR="$VW_DIR/persist" MIBS= \
		snmpd -f -Lo -C -c "$VW_DIR/snmpd.conf" -p "$VW_DIR/snmpd.pid" -I -smux \
		>> "$VW_DIR/snmpd.log" 2>&1 &
	VW_SNMPD_PID=$!
	VW_PIDS+=("$VW_SNMPD_PID")
	local i
	for i in $(seq 1 200); do
		vw_probe 1.3.6.1.2.1.1.3.0 && return 0
		sleep 0.05
	done
	echo "snmpd did not answer; log:" >&2
	tail -5 "$VW_DIR/snmpd.log" >&2
	return 1
}

vw_stop_snmpd() {
	[ -n "$VW_SNMPD_PID" ] || return 0
	kill "$VW_SNMPD_PID" 2>/dev/null
	wait "$VW_SNMPD_PID" 2>/dev/null
	VW_SNMPD_PID=
}

vw_start_trapd() {
	VW_TRAPS=$VW_DIR/traps.log
	echo "disableAuthorization yes" > "$VW_DIR/snmptrapd.conf"
	: > "$VW_TRAPS"
	"${VW_PFX[@]}" env MIBS= snmptrapd -f -On -Lf "$VW_TRAPS" -C -c "$VW_DIR/snmptrapd.conf" \
		-p "$VW_DIR/snmptrapd.pid" "udp:127.0.0.1:$VW_TRAP_PORT" >/dev/null 2>&1 &
	VW_TRAPD_PID=$!
	VW_PIDS+=("$VW_TRAPD_PID")
	sleep 0.3
}

# vmibd is registered once sysORTable lists it (lldpd's test does the same)
vw_vmibd_registered() {
	vw_snmp snmpwalk 1.3.6.1.2.1.1.9.1.3 2>/dev/null | grep -q "VMIB-MIB"
}

vw_start_vmibd() {
	local uri=$1
	shift
	"${VW_PFX[@]}" "$VW_VMIBD" -f -u "$uri" -x "$VW_SOCK" -p "${VW_PING:-2}" \
		-i "${VW_IMAGE_DIR:-$VW_DIR/images}" -l "${VW_LOGLEVEL:-info}" "$@" \
		>> "$VW_DIR/vmibd.log" 2>&1 &
	VW_VMIBD_PID=$!
	VW_PIDS+=("$VW_VMIBD_PID")
	local i
	for i in $(seq 1 300); do
		vw_vmibd_registered && return 0
		kill -0 "$VW_VMIBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "vmibd did not register; log:" >&2
	tail -5 "$VW_DIR/vmibd.log" >&2
	return 1
}

# A private libvirtd, so that vmibd can be measured as it really runs:
# connected to a daemon that holds the domains, rather than with libvirt's
# test driver (and its copy of every definition) inside its own process.
# The daemon runs in a mount namespace of its own with empty /run,
# /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt and /etc/libvirt
# (nothing of the host's libvirt is seen or touched) and listens on a unix
# socket in VW_DIR only.  The test driver works behind a daemon: a
# test+unix:///FILE URI makes the daemon open test:///FILE.  Needs root.
vw_start_libvirtd() {
	local i
	command -v libvirtd >/dev/null && command -v unshare >/dev/null || return 1
	[ "$(id -u)" -eq 0 ] && [ -n "$VW_DIR" ] || return 1
	mkdir -p "$VW_DIR/libvirt"
	chmod 700 "$VW_DIR/libvirt"
	cat > "$VW_DIR/libvirtd.conf" <<EOF
unix_sock_dir = "$VW_DIR/libvirt"
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$VW_DIR/libvirtd.log"
EOF
	# unshare and sh exec, so $! is the daemon itself
	"${VW_PFX[@]}" unshare -m --propagation private sh -c '
		for d in /run /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt; do
			[ -d "$d" ] || continue
			mount -t tmpfs -o mode=0755 tmpfs "$d" || exit 1
		done
		exec libvirtd -f "$1"' sh "$VW_DIR/libvirtd.conf" >> "$VW_DIR/libvirtd.out" 2>&1 &
	VW_LIBVIRTD_PID=$!
	VW_PIDS+=("$VW_LIBVIRTD_PID")
	VW_LIBVIRT_SOCK=$VW_DIR/libvirt/libvirt-sock
	for i in $(seq 1 300); do
		[ -S "$VW_LIBVIRT_SOCK" ] &&
			virsh -c "test+unix:///default?socket=$VW_LIBVIRT_SOCK" version >/dev/null 2>&1 &&
			return 0
		kill -0 "$VW_LIBVIRTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "private libvirtd did not answer; log:" >&2
	tail -5 "$VW_DIR/libvirtd.out" >&2
	VW_LIBVIRT_SOCK=
	return 1
}

vw_libvirt_uri() {
	if [ -n "$VW_LIBVIRT_SOCK" ]; then
		echo "test+unix://$1?socket=$VW_LIBVIRT_SOCK"
	else
		echo "test://$1"
	fi
}

vw_stop_vmibd() {
	[ -n "$VW_VMIBD_PID" ] || return 0
	kill "$VW_VMIBD_PID" 2>/dev/null
	wait "$VW_VMIBD_PID" 2>/dev/null
	VW_VMIBD_PID=
}

vw_rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

vw_cleanup() {
	local p
	for p in "${VW_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${VW_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	VW_PIDS=()
}
