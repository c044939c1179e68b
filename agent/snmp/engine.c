/*
 * engine.c - start and stop the Net-SNMP AgentX subagent, and run its
 * engine in the event loop.
 *
 * Follows the order of netsnmp.md §1.1/§2.1: subagent role, log routing,
 * no persistent state and no Net-SNMP configuration files (vmibd has its
 * own), short synchronous AgentX timeouts set on every session
 * (SNMP_CALLBACK_SESSION_INIT, as keepalived does: a ping to a dead master
 * must not hold the loop), init_agent(), THEN the ping interval (init_agent
 * resets it, §2.1), the MIB registrations, init_snmp() and the sysORTable
 * entries.  Reconnection to a restarted master is Net-SNMP's own
 * (agentx_reopen_session from run_alarms(), driven by the loop).
 *
 * In the loop (netsnmp.md §1.2) the engine is loop.c's source:
 * snmp_select_info2() before every poll so the fd set follows reconnects;
 * snmp_read2() on readable fds, through the AgentX size guard; on its
 * timeout snmp_timeout() and run_alarms(), which drive AgentX pings and
 * re-registration.
 */
#include <stdlib.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_sysORTable.h>
#include <net-snmp/library/large_fd_set.h>

#include "agentx_guard.h"

#include "log.h"
#include "mib.h"
#include "loop.h"
#include "vm_oids.h"
#include "vmib_oids.h"
#include "engine.h"

/* not const: register_sysORTable() takes oid * */
static oid engine_vmib_oid[] = {VMIB_OID_vmibMIB};
static oid engine_vm_mib_oid[] = {VM_OID_vmMIB};
static bool engine_rfc7666;
static long engine_timeout_us;

/* --- the engine as the loop's source ------------------------------------------ */

static netsnmp_large_fd_set engine_fds, engine_read;
static bool engine_fds_ready;

/* Net-SNMP's fds to the loop; its timeout in ms or -1 (block) */
static int engine_prepare(void *opaque)
{
	int numfds = 0, block = 1, fd;
	struct timeval tv = {0, 0};

	(void)opaque;
	NETSNMP_LARGE_FD_ZERO(&engine_fds);
	snmp_select_info2(&numfds, &engine_fds, &tv, &block);
	for (fd = 0; fd < numfds; fd++)
		if (NETSNMP_LARGE_FD_ISSET(fd, &engine_fds))
			loop_source_fd(fd);
	if (block)
		return -1;
	return (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
}

static void engine_dispatch(void *opaque, const int *fds, size_t n, bool timed_out)
{
	size_t i;

	(void)opaque;
	if (n > 0) {
		NETSNMP_LARGE_FD_ZERO(&engine_read);
		for (i = 0; i < n; i++)
			NETSNMP_LARGE_FD_SET(fds[i], &engine_read);
		agentx_guard_attach();
		snmp_read2(&engine_read);
	}
	if (timed_out) {
		/* run_alarms() is what drives AgentX pings and reconnects
		 * (netsnmp.md §4.7) */
		snmp_timeout();
		run_alarms();
	}
}

static void engine_in_loop(bool on)
{
	static const struct loop_source src = {engine_prepare, engine_dispatch, NULL};

	if (on && !engine_fds_ready) {
		netsnmp_large_fd_set_init(&engine_fds, FD_SETSIZE);
		netsnmp_large_fd_set_init(&engine_read, FD_SETSIZE);
		engine_fds_ready = true;
	}
	loop_set_source(on ? &src : NULL);
	if (!on && engine_fds_ready) {
		netsnmp_large_fd_set_cleanup(&engine_fds);
		netsnmp_large_fd_set_cleanup(&engine_read);
		engine_fds_ready = false;
	}
}

/* --- start and stop ------------------------------------------------------------- */

static int engine_session_init(int major, int minor, void *serverarg, void *clientarg)
{
	netsnmp_session *sess = serverarg;

	(void)major;
	(void)minor;
	(void)clientarg;
	if (!sess)
		return 0;
	/* AgentX open, register and ping are synchronous: bound them */
	sess->timeout = engine_timeout_us;
	sess->retries = 1;
	return 0;
}

int engine_init(const struct vmibd_config *cfg, struct agent_ctx *ctx)
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
	engine_timeout_us = (long)cfg->agentx_timeout_ms * 1000;
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SESSION_INIT,
			       engine_session_init, NULL);
	if (init_agent("vmibd") != 0) {
		log_msg(LOG_ERR, "snmp", "init_agent failed");
		return -1;
	}
	/* after init_agent(), which resets it to 15 s (netsnmp.md §2.1) */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)cfg->ping_interval_s);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
			   (int)engine_timeout_us);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_RETRIES, 1);
	if (mib_register_all(ctx) < 0) {
		log_msg(LOG_ERR, "snmp", "cannot register the MIB modules");
		return -1;
	}
	init_snmp("vmibd");
	register_sysORTable(engine_vmib_oid, OID_LENGTH(engine_vmib_oid),
			    "VMIB-MIB: VMs, vifs and images of this host (vmibd)");
	engine_rfc7666 = cfg->rfc7666;
	if (engine_rfc7666)
		register_sysORTable(engine_vm_mib_oid, OID_LENGTH(engine_vm_mib_oid),
				    "VM-MIB (RFC 7666), read-only (vmibd)");
	engine_in_loop(true);
	/* poll for the master's next AgentX request before sleeping */
	loop_set_busy_poll(cfg->busy_poll_us);
	log_msg(LOG_INFO, "snmp", "AgentX subagent started (master %s, ping every %u s)",
		cfg->agentx_socket ? cfg->agentx_socket : "default",
		cfg->ping_interval_s);
	return 0;
}

void engine_shutdown(void)
{
	loop_set_busy_poll(0);
	engine_in_loop(false);
	unregister_sysORTable(engine_vmib_oid, OID_LENGTH(engine_vmib_oid));
	if (engine_rfc7666)
		unregister_sysORTable(engine_vm_mib_oid, OID_LENGTH(engine_vm_mib_oid));
	mib_unregister_all();
	snmp_shutdown("vmibd");
}
