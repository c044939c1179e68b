/*
 * vsnmp.c - start and stop the Net-SNMP AgentX subagent.
 *
 * Follows the order of netsnmp.md §1.1/§2.1: subagent role, log routing,
 * no persistent state and no Net-SNMP configuration files (vmibd has its
 * own), short synchronous AgentX timeouts set on every session
 * (SNMP_CALLBACK_SESSION_INIT, as keepalived does: a ping to a dead master
 * must not hold the loop), init_agent(), THEN the ping interval (init_agent
 * resets it, §2.1), the MIB registrations, init_snmp() and the sysORTable
 * entries.  Reconnection to a restarted master is Net-SNMP's own
 * (agentx_reopen_session from run_alarms(), driven by loop.c).
 */
#include <stdlib.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_sysORTable.h>

#include "log.h"
#include "loop.h"
#include "vm_mib_oids.h"
#include "vmib_oids.h"
#include "subagent.h"

/* not const: register_sysORTable() takes oid * */
static oid vsnmp_vmib_oid[] = {VMIB_OID_vmibMIB};
static oid vsnmp_vm_mib_oid[] = {VMMIB_OID_vmMIB};
static bool vsnmp_rfc7666;
static long vsnmp_timeout_us;

static int vsnmp_session_init(int major, int minor, void *serverarg, void *clientarg)
{
	netsnmp_session *sess = serverarg;

	(void)major;
	(void)minor;
	(void)clientarg;
	if (!sess)
		return 0;
	/* AgentX open, register and ping are synchronous: bound them */
	sess->timeout = vsnmp_timeout_us;
	sess->retries = 1;
	return 0;
}

int vsnmp_init(const struct vmibd_config *cfg, struct agent_ctx *ctx)
{
	/* no MIB files are needed: everything is numeric */
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "/dev/null", 1);
	log_route_netsnmp();
	netsnmp_enable_subagent();
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	if (cfg->agentx_socket)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
				      cfg->agentx_socket);
	vsnmp_timeout_us = (long)cfg->agentx_timeout_ms * 1000;
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SESSION_INIT,
			       vsnmp_session_init, NULL);
	if (init_agent("vmibd") != 0) {
		log_msg(LOG_ERR, "snmp", "init_agent failed");
		return -1;
	}
	/* after init_agent(), which resets it to 15 s (netsnmp.md §2.1) */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)cfg->ping_interval_s);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
			   (int)vsnmp_timeout_us);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_RETRIES, 1);
	if (mib_register_all(ctx) < 0) {
		log_msg(LOG_ERR, "snmp", "cannot register the MIB modules");
		return -1;
	}
	init_snmp("vmibd");
	register_sysORTable(vsnmp_vmib_oid, OID_LENGTH(vsnmp_vmib_oid),
			    "VMIB-MIB: VMs, vifs and images of this host (vmibd)");
	vsnmp_rfc7666 = cfg->rfc7666;
	if (vsnmp_rfc7666)
		register_sysORTable(vsnmp_vm_mib_oid, OID_LENGTH(vsnmp_vm_mib_oid),
				    "VM-MIB (RFC 7666), read-only (vmibd)");
	loop_enable_snmp(true);
	/* poll for the master's next AgentX request before sleeping */
	loop_set_busy_poll(cfg->busy_poll_us);
	log_msg(LOG_INFO, "snmp", "AgentX subagent started (master %s, ping every %u s)",
		cfg->agentx_socket ? cfg->agentx_socket : "default",
		cfg->ping_interval_s);
	return 0;
}

void vsnmp_shutdown(void)
{
	loop_set_busy_poll(0);
	loop_enable_snmp(false);
	unregister_sysORTable(vsnmp_vmib_oid, OID_LENGTH(vsnmp_vmib_oid));
	if (vsnmp_rfc7666)
		unregister_sysORTable(vsnmp_vm_mib_oid, OID_LENGTH(vsnmp_vm_mib_oid));
	mib_unregister_all();
	snmp_shutdown("vmibd");
}
