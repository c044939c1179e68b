#!/usr/bin/env bash
# 90-nms-zabbix: the real Zabbix 6.0 server of Debian (zabbix-server-pgsql,
# zabbix-frontend-php) monitors h1 of the testbed with the template
# contrib/zabbix/vmib_by_snmp.yaml, with two VMs made through SNMP (nms-run
# running with a vif and a shape row, nms-off shut off):
#   1. a throwaway PostgreSQL cluster in the test's directory (initdb and
#      pg_ctl as the postgres user, Unix socket only) with the Zabbix
#      schema; zabbix_server with a configuration of its own (its own
#      process group, no TCP but 127.0.0.1); the frontend's API served by
#      `php -S 127.0.0.1:PORT` in a private mount namespace where a
#      generated zabbix.conf.php is bind-mounted on /etc/zabbix; snmptrapd on
#      the testbed's notification address with contrib/zabbix/zbx-traphandle;
#   2. log in through the API; configuration.import of the template gives no
#      error, twice (the second updates in place);
#   3. host h1 with an SNMPv3 authPriv interface (the testbed's user) and
#      the template; task.create runs the four discovery rules at once; the
#      VMs discovered (index and name) equal snmpwalk's vmibVmName, and the
#      shape row and both vifs are discovered;
#   4. items: vmib.vm.oper and vmib.vm.memory of nms-run equal snmpget's
#      (memory in bytes);
#   5. nms-run paused with snmpset (vmibVmAdminState paused): the trigger
#      "is paused" fires, and the vmibVmStateChange notification reaches the
#      template's trap item through snmptrapd;
#   6. nms-run resumed with virsh behind the agent's back (admin state stays
#      paused): the trigger "operational state is not the admin state"
#      fires after {$VMIB.VM.STATE.PERIOD} (20 s on this host);
#   7. admin state running again with snmpset: both problems resolve;
#   8. host h2 with an SNMPv2c interface ({$SNMP_COMMUNITY} = the testbed's
#      community): its VM count and libvirt state items equal snmpget's.
# Everything it started is stopped by pid and removed at the end, in bounded
# time.  Prints the discovery time and the number of items and triggers.
# needs: testbed
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t_begin 90-nms-zabbix
N_NAME=t90
. "$(dirname "$0")/9x-nms-lib.bash"
t_start=$(t_ms)
API=$T_TOP/tests/nms/zbx-api
TEMPLATE=$T_TOP/contrib/zabbix/vmib_by_snmp.yaml
FRONTEND=/usr/share/zabbix
SCHEMA=/usr/share/zabbix-server-pgsql

if ! why=$(n_packages zabbix_server php snmptrapd psql "$FRONTEND/api_jsonrpc.php" \
	"$SCHEMA/schema.sql.gz"); then
	t_skip "all checks: $why"; t_done; exit $?
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ ! -x "$PGBIN/initdb" ] || ! id postgres >/dev/null 2>&1; then
	t_skip "all checks: no PostgreSQL server (initdb, user postgres)"; t_done; exit $?
fi

zbx_pid="" pg_started=0
zbx_cleanup() {
	if [ -n "$zbx_pid" ]; then           # the server, then what is left of its group
		n_stop "$zbx_pid" 20
		kill -9 -- "-$zbx_pid" 2>/dev/null
	fi
	if [ "$pg_started" = 1 ]; then
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg/data" -m fast -t 20 stop >/dev/null 2>&1
		pg=$(head -n 1 "$work/pg/data/postmaster.pid" 2>/dev/null)
		[ -n "$pg" ] && n_stop "$pg" 5
	fi
}
n_cleanup_extra=zbx_cleanup
n_begin || { t_done; exit $?; }

# --- 1. PostgreSQL, zabbix_server, the frontend, snmptrapd -------------------
mkdir -p "$work/pg" "$work/etc-zabbix"
chown postgres: "$work/pg"
t0=$(t_ms)
if runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 \
	--no-sync >"$work/initdb.log" 2>&1 &&
   runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -t 30 \
	-o "-c listen_addresses='' -c unix_socket_directories='$work/pg' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
	start >"$work/pgctl.log" 2>&1; then
	pg_started=1
else
	pg_started=1
	t_fail "throwaway PostgreSQL cluster in $work/pg"
	tail -n 5 "$work/initdb.log" "$work/pgctl.log" "$work/pg/log" 2>/dev/null | sed 's/^/        /'
	t_done; exit $?
fi
psql_z() { psql -h "$work/pg" -U postgres -q -v ON_ERROR_STOP=1 "$@"; }
ok=1
psql_z -c 'create database zabbix' >"$work/schema.log" 2>&1 || ok=0
for f in schema images data; do
	[ $ok = 1 ] || break
	zcat "$SCHEMA/$f.sql.gz" | psql_z -d zabbix >>"$work/schema.log" 2>&1 || ok=0
done
if [ $ok = 1 ]; then
	t_ok "PostgreSQL $("$PGBIN/postgres" -V | awk '{ print $3 }') cluster with the Zabbix schema ($(( $(t_ms) - t0 )) ms)"
else
	t_fail "load the Zabbix schema"; tail -n 5 "$work/schema.log" | sed 's/^/        /'
	t_done; exit $?
fi

zport=$(n_port 10151)
cat >"$work/zabbix_server.conf" <<EOF
ListenIP=127.0.0.1
ListenPort=$zport
LogFile=$work/zabbix_server.log
LogFileSize=0
PidFile=$work/zabbix_server.pid
SocketDir=$work
DBHost=$work/pg
DBName=zabbix
DBUser=postgres
AllowRoot=1
StartPollers=2
StartPollersUnreachable=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartTrappers=1
StartDBSyncers=1
StartHistoryPollers=1
StartPreprocessors=1
StartLLDProcessors=1
StartODBCPollers=0
StartSNMPTrapper=1
SNMPTrapperFile=$work/zabbix_traps.log
CacheUpdateFrequency=2
HousekeepingFrequency=0
Timeout=5
EOF
: >"$work/zabbix_traps.log"
setsid zabbix_server -f -c "$work/zabbix_server.conf" >"$work/zabbix_server.out" 2>&1 </dev/null &
zbx_pid=$!

cat >"$work/etc-zabbix/zabbix.conf.php" <<EOF
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '$work/pg';
\$DB['PORT'] = '0';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'postgres';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$zport';
\$ZBX_SERVER_NAME = 'vmib-test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
wport=$(n_port 18151)
# the Debian frontend reads /etc/zabbix/zabbix.conf.php: ours is mounted
# there in a mount namespace of the php process alone
unshare -m --propagation private sh -c \
	"mount --bind '$work/etc-zabbix' /etc/zabbix && exec php -d memory_limit=512M -d post_max_size=16M -d max_execution_time=300 -S 127.0.0.1:$wport -t $FRONTEND" \
	>"$work/php.log" 2>&1 </dev/null &
n_pids="$n_pids $!"
URL="http://127.0.0.1:$wport/api_jsonrpc.php"

trapaddr=${VMIB_TRAP_ADDRESS:-$T_TB_NET.254:16162}
if ss -Hlun | awk '{ print $4 }' | grep -qxF "$trapaddr"; then
	t_fail "something already listens on $trapaddr: the trap check will fail"
fi
printf 'authCommunity execute %s\ntraphandle default %s %s\n' "$VMIB_TRAP_COMMUNITY" \
	"$T_TOP/contrib/zabbix/zbx-traphandle" "$work/zabbix_traps.log" >"$work/snmptrapd.conf"
env MIBS= MIBDIRS=/dev/null snmptrapd -f -Lf "$work/snmptrapd.log" -On -C -c "$work/snmptrapd.conf" \
	"udp:$trapaddr" </dev/null >/dev/null 2>&1 &
n_pids="$n_pids $!"

api() { "$API" "$URL" "$@"; }
if t_wait 30 api apiinfo.version; then
	t_ok "frontend API $(api apiinfo.version | tr -d '"') on 127.0.0.1:$wport, zabbix_server $(zabbix_server -V | sed -n '1s/.* //p')"
else
	t_fail "the frontend API answers"; tail -n 5 "$work/php.log" | sed 's/^/        /'
	t_done; exit $?
fi
if ! t_wait 30 grep -q 'server #0 started' "$work/zabbix_server.log" || ! kill -0 "$zbx_pid" 2>/dev/null; then
	t_fail "zabbix_server starts"; tail -n 5 "$work/zabbix_server.log" | sed 's/^/        /'
	t_done; exit $?
fi

# --- 2. log in, import ---------------------------------------------------------
ZBX_AUTH=$(api user.login '{"username":"Admin","password":"zabbix"}' | tr -d '"')
export ZBX_AUTH
t_check "user.login Admin" test -n "$ZBX_AUTH"
rules='{"templates":{"createMissing":true,"updateExisting":true},"items":{"createMissing":true,"updateExisting":true,"deleteMissing":true},"discoveryRules":{"createMissing":true,"updateExisting":true,"deleteMissing":true},"triggers":{"createMissing":true,"updateExisting":true,"deleteMissing":true},"graphs":{"createMissing":true,"updateExisting":true,"deleteMissing":true},"valueMaps":{"createMissing":true,"updateExisting":true},"templateLinkage":{"createMissing":true},"groups":{"createMissing":true}}'
imp="{\"format\":\"yaml\",\"source\":\"@@$TEMPLATE\",\"rules\":$rules}"
t0=$(t_ms)
t_check "configuration.import of contrib/zabbix/vmib_by_snmp.yaml" api configuration.import "$imp"
t_check "configuration.import again (updates in place) ($(( $(t_ms) - t0 )) ms both)" api configuration.import "$imp"
# the fresh database's own host polls an agent that is not there
zs=$(api host.get '{"filter":{"host":"Zabbix server"},"output":["hostid"]}' | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["hostid"] if r else "")')
[ -n "$zs" ] && api host.update "{\"hostid\":\"$zs\",\"status\":1}" >/dev/null

# --- 3. host h1, discovery now ---------------------------------------------------
tid=$(api template.get '{"filter":{"host":"VMIB by SNMP"},"output":["templateid"]}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["templateid"])')
gid=$(api hostgroup.get '{"filter":{"name":"Virtual machines"},"output":["groupid"]}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["groupid"])')
cat >"$work/host.json" <<EOF
{"host": "h1", "groups": [{"groupid": "$gid"}], "templates": [{"templateid": "$tid"}],
 "interfaces": [{"type": 2, "main": 1, "useip": 1, "ip": "$T_TB_NET.1", "dns": "", "port": "161",
   "details": {"version": 3, "bulk": 1, "securityname": "$VMIB_SNMP_USER", "securitylevel": 2,
     "authprotocol": 3, "authpassphrase": "$VMIB_SNMP_AUTH_PASS",
     "privprotocol": 1, "privpassphrase": "$VMIB_SNMP_PRIV_PASS", "contextname": ""}}],
 "macros": [{"macro": "{\$VMIB.INTERVAL}", "value": "5s"},
            {"macro": "{\$VMIB.VM.STATE.PERIOD}", "value": "20s"}]}
EOF
hid=$(api host.create "@$work/host.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostids"][0])')
t_check "host.create h1 with an SNMPv3 authPriv interface ($T_TB_NET.1) and the template" test -n "$hid"
lld=$(api discoveryrule.get "{\"hostids\":[\"$hid\"],\"output\":[\"itemid\"]}" |
	python3 -c 'import json,sys; print(json.dumps([{"type":6,"request":{"itemid":r["itemid"]}} for r in json.load(sys.stdin)]))')
# items by key on h1: "KEY<TAB>NAME<TAB>LASTVALUE<TAB>STATE" lines
items() {
	api item.get "{\"hostids\":[\"$hid\"],\"output\":[\"key_\",\"name\",\"lastvalue\",\"state\",\"error\"]}" |
		python3 -c 'import json,sys
for i in json.load(sys.stdin): print("\t".join([i["key_"], i["name"], i["lastvalue"].replace("\n", " "), i["state"], i["error"]]))'
}
lastvalue() { items | awk -F '\t' -v k="$1" '$1 == k { print $3 }'; }
has_value() { [ "$(lastvalue "$1")" = "$2" ]; }
n_walk "$O_NAME" | sort >"$work/vms.snmp"
want_vms=$(wc -l <"$work/vms.snmp")
want_vifs=$(n_walk "$O_VIFRS" | wc -l)
want_shapes=$(n_walk "$O_SHRS" | wc -l)
discovered() { # every row of the three tables has its items
	items >"$work/items.now"
	[ "$(grep -c '^vmib\.vm\.oper\[' "$work/items.now")" = "$want_vms" ] &&
	[ "$(grep -c '^vmib\.vif\.rx\.bps\[' "$work/items.now")" = "$want_vifs" ] &&
	[ "$(grep -c '^vmib\.shape\.status\[' "$work/items.now")" = "$want_shapes" ]
}
# a "check now" task for items the server's configuration cache does not
# hold yet is dropped: first wait for a polled item of h1 to have a value
polled() { [ -n "$(lastvalue vmib.host.vmcount)" ]; }
t_wait 60 polled || t_fail "zabbix_server polls h1 (vmib.host.vmcount has a value within 60 s)"
# discovered_or_ask: the items are there, or task.create again (every 10 s)
asked=0
discovered_or_ask() {
	discovered && return 0
	if [ $(( $(t_ms) - asked )) -ge 10000 ]; then
		api task.create "$lld" >"$work/task.out" || t_fail "task.create (check now) of the discovery rules"
		[ "$asked" = 0 ] && t0=$(t_ms)
		asked=$(t_ms)
	fi
	return 1
}
t0=$(t_ms)
if t_wait 90 discovered_or_ask; then
	t_disc=$(( $(t_ms) - t0 ))
	t_ok "discovery run with task.create: $want_vms VMs, $want_vifs vifs, $want_shapes shape row(s) in $t_disc ms"
else
	t_fail "discovery creates the items of $want_vms VMs, $want_vifs vifs, $want_shapes shape rows within 90 s"
	api discoveryrule.get "{\"hostids\":[\"$hid\"],\"output\":[\"key_\",\"error\"]}" | sed 's/^/        /'
fi
items >"$work/items.1"
# "INDEX NAME" of the discovered VMs, from the item prototype names "VM <name>: ..."
sed -n 's/^vmib\.vm\.oper\[\([0-9]*\)\]\tVM \(.*\): operational state\t.*/\1 \2/p' "$work/items.1" | sort >"$work/vms.zbx"
t_check "discovered VMs (index and name) equal snmpwalk's vmibVmName" diff "$work/vms.snmp" "$work/vms.zbx"
t_check "vifs $VM_RUN.1 and $VM_OFF.1 discovered" sh -c "grep -q '^vmib.vif.rx.bps\[$VM_RUN.1\]' '$work/items.1' && grep -q '^vmib.vif.rx.bps\[$VM_OFF.1\]' '$work/items.1'"
t_check "shape row $VM_RUN.1.1 (nms-in) discovered" grep -q "^vmib.shape.status\[$VM_RUN.1.1\]	shape $VM_RUN.1.1 nms-in" "$work/items.1"

# --- 4. item values ---------------------------------------------------------------
oper=$(n_get "$O_OPER.$VM_RUN")
mem=$(( $(n_get "$O_MEM.$VM_RUN") * 1024 ))
t_wait 60 has_value "vmib.vm.oper[$VM_RUN]" "$oper" &&
	t_ok "vmib.vm.oper[$VM_RUN] = $oper, as snmpget reads" ||
	t_fail "vmib.vm.oper[$VM_RUN]: '$(lastvalue "vmib.vm.oper[$VM_RUN]")', snmpget $oper"
t_wait 60 has_value "vmib.vm.memory[$VM_RUN]" "$mem" &&
	t_ok "vmib.vm.memory[$VM_RUN] = $mem B, snmpget's vmibVmMemoryKBytes x 1024" ||
	t_fail "vmib.vm.memory[$VM_RUN]: '$(lastvalue "vmib.vm.memory[$VM_RUN]")', want $mem"
items >"$work/items.2"
unsupported=$(awk -F '\t' '$4 == 1' "$work/items.2")
t_eq "no item of h1 is unsupported" "" "$unsupported"

# --- 5. pause with snmpset -> trigger, trap -----------------------------------------
problem() { # problem NAME-PART: 0 when a trigger of h1 whose name has it is PROBLEM
	api trigger.get "{\"hostids\":[\"$hid\"],\"output\":[\"description\",\"value\"],\"expandDescription\":true,\"filter\":{\"value\":1}}" |
		python3 -c 'import json,sys; sys.exit(0 if any(sys.argv[1] in t["description"] for t in json.load(sys.stdin)) else 1)' "$1"
}
not_problem() { ! problem "$1"; }
P_PAUSED="VM $VM_RUN_NAME: is paused"
P_STATE="VM $VM_RUN_NAME: operational state is not the admin state"
t_check "no problem for $VM_RUN_NAME before the pause" not_problem "VM $VM_RUN_NAME:"
n_set "$O_ADMIN.$VM_RUN" i "$A_PAUSED" >/dev/null || t_fail "snmpset vmibVmAdminState.$VM_RUN paused"
t0=$(t_ms)
t_wait 60 problem "$P_PAUSED" && t_ok "pause with snmpset: trigger '$P_PAUSED' fires ($(( $(t_ms) - t0 )) ms)" ||
	t_fail "trigger '$P_PAUSED' fires within 60 s"
trap_key=$(awk -F '\t' '$2 == "Trap: VM state change" { print $1 }' "$work/items.2")
trap_seen() { lastvalue "$trap_key" | grep -F ".$VM_RUN \"$VM_RUN_NAME\"" | grep -qF ".$VM_RUN $E_PAUSED"; }
t_wait 30 trap_seen && t_ok "vmibVmStateChange (nms-run paused) reaches the item '$trap_key' through snmptrapd" ||
	t_fail "the vmibVmStateChange trap of the pause in Zabbix (item '$trap_key': '$(lastvalue "$trap_key" | cut -c1-200)'; file: $(wc -l <"$work/zabbix_traps.log") lines)"

# --- 6. resumed behind the agent's back -> state trigger ---------------------------
timeout 30 virsh -q -c "qemu+tcp://$T_TB_NET.1/system" resume "$VM_RUN_NAME" >/dev/null 2>&1 ||
	t_fail "virsh resume $VM_RUN_NAME"
t0=$(t_ms)
t_wait 120 problem "$P_STATE" && t_ok "resumed with virsh (admin still paused): '$P_STATE' fires ($(( $(t_ms) - t0 )) ms, period 20 s)" ||
	t_fail "trigger '$P_STATE' fires within 120 s"
t_check "'$P_PAUSED' resolved once it runs" t_wait 60 not_problem "$P_PAUSED"

# --- 7. admin running -> resolved ----------------------------------------------------
n_set "$O_ADMIN.$VM_RUN" i "$A_RUNNING" >/dev/null || t_fail "snmpset vmibVmAdminState.$VM_RUN running"
t_check "admin state running again: '$P_STATE' resolves" t_wait 60 not_problem "$P_STATE"

# --- 8. h2 over SNMPv2c ------------------------------------------------------------
if ! "$TB" vmibd status 2 >/dev/null 2>&1; then
	"$TB" vmibd start 2 >/dev/null 2>&1 && vmibd_started="$vmibd_started 2"
fi
O_VMCOUNT=$(n_oid vmibHostVmCount)
O_LIBVIRT=$(n_oid vmibHostLibvirtState)
v2get() {
	env MIBS= MIBDIRS=/dev/null snmpget -v2c -c "$COMM" -On -Oqv -t 2 -r 2 "$T_TB_NET.2" "$@" 2>/dev/null
}
v2_answers() { v2get "$O_VMCOUNT.0" | grep -q '^[0-9]'; }
t_wait 20 v2_answers || t_fail "vmibd on h2 answers over SNMPv2c"
cat >"$work/host2.json" <<EOF
{"host": "h2", "groups": [{"groupid": "$gid"}], "templates": [{"templateid": "$tid"}],
 "interfaces": [{"type": 2, "main": 1, "useip": 1, "ip": "$T_TB_NET.2", "dns": "", "port": "161",
   "details": {"version": 2, "bulk": 1, "community": "{\$SNMP_COMMUNITY}"}}],
 "macros": [{"macro": "{\$VMIB.INTERVAL}", "value": "5s"},
            {"macro": "{\$SNMP_COMMUNITY}", "value": "$COMM"}]}
EOF
hid1=$hid
hid=$(api host.create "@$work/host2.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostids"][0])')
t_check "host.create h2 with an SNMPv2c interface ($T_TB_NET.2, community from {\$SNMP_COMMUNITY})" test -n "$hid"
want=$(v2get "$O_VMCOUNT.0")
if t_wait 60 has_value vmib.host.vmcount "$want"; then
	t_ok "h2 over SNMPv2c: vmib.host.vmcount = $want, as snmpget reads"
else
	t_fail "h2 over SNMPv2c: vmib.host.vmcount '$(lastvalue vmib.host.vmcount)', snmpget '$want'"
fi
want=$(v2get "$O_LIBVIRT.0")
if t_wait 30 has_value vmib.host.libvirt.state "$want"; then
	t_ok "h2 over SNMPv2c: vmib.host.libvirt.state = $want, as snmpget reads"
else
	t_fail "h2 over SNMPv2c: vmib.host.libvirt.state '$(lastvalue vmib.host.libvirt.state)', snmpget '$want'"
fi
hid=$hid1

n_items=$(api item.get "{\"hostids\":[\"$hid\"],\"countOutput\":true}" | tr -d '"')
n_trig=$(api trigger.get "{\"hostids\":[\"$hid\"],\"countOutput\":true}" | tr -d '"')
n_graphs=$(api graph.get "{\"hostids\":[\"$hid\"],\"countOutput\":true}" | tr -d '"')
echo "  info  h1 with $want_vms VMs, 2 vifs, 1 shape row: $n_items items, $n_trig triggers, $n_graphs graphs; discovery ${t_disc:-?} ms"
t_stop=$(t_ms)
zbx_cleanup; zbx_pid="" pg_started=0
echo "  info  test ran $(( t_stop - t_start )) ms, Zabbix and PostgreSQL stopped in $(( $(t_ms) - t_stop )) ms"
t_done
