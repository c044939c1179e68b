#!/usr/bin/env bash
# 86-migrate-announce: after a live migration, traffic TO the migrated VM
# reaches it at once, though the VM itself sends nothing: QEMU announces
# the VM's MAC on the destination (RARP, then the guest's gratuitous ARP of
# virtio-net's announce), and the announcement crosses the destination's
# br0 and its uplink into the testbed's switch, whose forwarding database
# moves the MAC to the destination's port.  Two VMs, p1 on h1 and s2 on h2
# (s2 silent: it runs nothing and only answers):
#   1. p1 pings s2 once (the switch learns s2 behind h2);
#   2. s2 is migrated to h1 (vmibctl migrate); right after it: the switch
#      has s2's MAC on h1's port and h1's br0 on s2's new vif, a RARP from
#      s2's MAC came in on h1's switch port, and p1's first ping to s2 is
#      answered;
#   3. the same back to h2 (p1 on the old host of s2 this time).
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 86-migrate-announce

sniffer=""
cleanup() {
	[ -n "$sniffer" ] && kill "$sniffer" 2>/dev/null
	t_ctl_cleanup
}
t_ctl_begin || { t_done; exit $?; }
trap cleanup EXIT
t_testbed_join 1 2 || { t_done; exit $?; }
export SNMPCONFPATH=$T_TB_DIR/snmp
export MIBS=

cat >"$VIRT" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<virtualEnvironment xmlns="urn:vmib:virtual:1" name="ann86">
  <subnet name="s86" prefix="10.86.0.0/24"/>
  <vm name="p1" host="h1"><interface subnet="s86" address="10.86.0.1"/></vm>
  <vm name="s2" host="h2"><interface subnet="s86" address="10.86.0.2"/></vm>
</virtualEnvironment>
EOF
# the frames of ethertype RARP (0x8035) or ARP coming in on switch port $1
# from MAC $2, one line each ("rarp" or "arp"), until killed
cat >"$work/sniff.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
while True:
    d, a = s.recvfrom(2048)
    et = struct.unpack("!H", d[12:14])[0]
    if a[2] != socket.PACKET_OUTGOING and d[6:12] == mac and et in (0x8035, 0x0806):
        print("rarp" if et == 0x8035 else "arp", flush=True)
EOF

echo applied >"$work/applied"
"$CTL" apply --wait 150 "$REAL" "$VIRT" >"$work/apply.out" 2>&1
t_eq "apply: exit 0" 0 "$?"
# host vm: "DEVICE MAC" of the VM's vif on that host (vmibctl status)
vif() {
	"$CTL" --json status "$REAL" "$VIRT" 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)
for h in m["hosts"]:
    for v in h.get("vms", []):
        if h["name"] == sys.argv[1] and v["name"] == sys.argv[2]:
            print(v["vifs"][0]["device"], v["vifs"][0]["mac"])' "$1" "$2"
}
ping_s2() { "$CTL" exec --real "$REAL" --timeout 20 p1 -- ping -c 1 -W 2 10.86.0.2 >/dev/null 2>&1; }
fdb_port() {   # bridge $2 in namespace $1: the port MAC $3 is on
	ip netns exec "$1" bridge fdb show br "$2" | awk -v m="$3" '$1 == m && $0 !~ /permanent/ {print $3; exit}'
}

t_wait 60 ping_s2
t_check "p1 pings s2 before the migration" ping_s2
read -r _ mac < <(vif h2 s2)
[ -n "${mac:-}" ] || { t_fail "s2's MAC on h2 (vmibctl status)"; t_done; exit $?; }

# move DEST: migrate s2 to host number DEST, then check what the text says
move() {
	local dest=$1 dev
	: >"$work/sniff.$dest"
	ip netns exec "$T_TB_SW" python3 "$work/sniff.py" "h$dest" "$mac" >"$work/sniff.$dest" 2>&1 &
	sniffer=$!
	sleep 0.5   # the socket bound before the migration starts
	"$CTL" migrate "$REAL" "$VIRT" s2 "h$dest" >"$work/mig.$dest" 2>&1
	t_eq "migrate s2 to h$dest: exit 0" 0 "$?"
	# right after it: no frame of s2's own (it runs nothing) has been needed
	t_eq "switch: s2's MAC is on h$dest's port" "h$dest" "$(fdb_port "$T_TB_SW" sw0 "$mac")"
	read -r dev _ < <(vif "h$dest" s2)
	t_eq "h$dest's br0: s2's MAC is on its new vif" "${dev:-?}" \
		"$(fdb_port "$(t_tb_host_ns "$dest")" br0 "$mac")"
	t_check "p1's first ping to the migrated s2 is answered" ping_s2
	kill "$sniffer" 2>/dev/null; wait "$sniffer" 2>/dev/null; sniffer=""
	t_check "a RARP from s2's MAC came in on h$dest's switch port (QEMU's announcement)" \
		grep -qx rarp "$work/sniff.$dest"
}
move 1
move 2

t_done
