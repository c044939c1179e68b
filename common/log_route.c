/*
 * log_route.c - route Net-SNMP's and libvirt's own messages into log_msg().
 *
 * Net-SNMP: its log handlers are replaced by one SNMP_CALLBACK_LOGGING
 * callback (snmp_enable_calllog), token "snmp"; a message that arrives in
 * pieces (snmp_log() without a trailing newline) is joined first.
 * libvirt: virSetErrorFunc() catches every error libvirt raises, token
 * "virt", at debug level: the caller that sees the failure reports it once
 * with its context (STYLE.md), so libvirt's raw copy is only for debugging.
 * Must not log through Net-SNMP or libvirt itself.
 */
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "log.h"

static char log_snmp_partial[512];

static int log_snmp_level(int priority)
{
	/* Net-SNMP uses syslog priorities; it is chatty at LOG_INFO about
	 * things a daemon operator does not need (e.g. "NET-SNMP version")
	 * but those are useful, so keep them as they are. */
	if (priority < LOG_EMERG || priority > LOG_DEBUG)
		return LOG_INFO;
	return priority;
}

static int log_snmp_callback(int major, int minor, void *serverarg,
			     void *clientarg)
{
	const struct snmp_log_message *slm = serverarg;
	size_t used = strlen(log_snmp_partial), len;
	const char *msg;

	(void)major;
	(void)minor;
	(void)clientarg;
	if (!slm || !slm->msg)
		return 0;
	msg = slm->msg;
	len = strlen(msg);
	if (len == 0 || msg[len - 1] != '\n') {
		/* a piece of a line: keep it until the newline arrives */
		snprintf(log_snmp_partial + used, sizeof(log_snmp_partial) - used,
			 "%s", msg);
		return 0;
	}
	log_msg(log_snmp_level(slm->priority), "snmp", "%s%.*s",
		log_snmp_partial, (int)(len - 1), msg);
	log_snmp_partial[0] = '\0';
	return 0;
}

void log_route_netsnmp(void)
{
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
			       log_snmp_callback, NULL);
}

static void log_virt_error(void *opaque, virErrorPtr err)
{
	(void)opaque;
	if (!err || !err->message)
		return;
	log_msg(LOG_DEBUG, "virt", "libvirt: %s (code %d, domain %d)",
		err->message, err->code, err->domain);
}

void log_route_libvirt(void)
{
	virSetErrorFunc(NULL, log_virt_error);
}
