/*
 * virt_set.c - the mutating libvirt calls of struct virt_ops (virt.h):
 * define and undefine domains, power them on and off, scheduler
 * parameters, interface hot-plug, peer-to-peer migration and its job
 * statistics.
 *
 * Each function does one libvirt operation on one domain, named by UUID,
 * and reports a failure once in err with the call and the domain's name.
 * They run in the control thread or a migration thread (ctl.c), never in
 * the loop thread, and keep no state: the undo of an operation is the
 * caller's business (vmplan.c), so this file decides nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "dom_build.h"
#include "virt_int.h"

/* the message is taken before virDomainGetName(), which resets it */
static void vs_err(char *err, size_t errlen, const char *what, virDomainPtr dom,
		   const char *name)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", virGetLastErrorMessage());
	if (dom)
		name = virDomainGetName(dom);
	snprintf(err, errlen, "%s %s: %s", what, name ? name : "", msg);
	virResetLastError();
}

static virDomainPtr vs_dom(void *conn, const unsigned char *uuid, char *err, size_t errlen)
{
	char text[VM_UUID_STR_LEN + 1];
	virDomainPtr dom = virDomainLookupByUUID(virt_conn_ptr(conn), uuid);

	if (!dom) {
		vm_uuid_format(uuid, text);
		vs_err(err, errlen, "virDomainLookupByUUID", NULL, text);
	}
	return dom;
}

bool virt_set_alive(void *conn)
{
	return virConnectIsAlive(virt_conn_ptr(conn)) == 1;
}

int virt_set_define(void *conn, const char *xml, unsigned char *uuid, char *err,
		    size_t errlen)
{
	virDomainPtr dom;
	int rc = 0;

	dom = virDomainDefineXMLFlags(virt_conn_ptr(conn), xml, VIR_DOMAIN_DEFINE_VALIDATE);
	if (!dom) {
		vs_err(err, errlen, "virDomainDefineXML", NULL, NULL);
		return -1;
	}
	if (virDomainGetUUID(dom, uuid) < 0) {
		vs_err(err, errlen, "virDomainGetUUID", dom, NULL);
		rc = -1;
	}
	virDomainFree(dom);
	return rc;
}

int virt_set_undefine(void *conn, const unsigned char *uuid, char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	int rc = 0;

	if (!dom)
		return -1;
	if (virDomainUndefineFlags(dom, 0) < 0) {
		vs_err(err, errlen, "virDomainUndefine", dom, NULL);
		rc = -1;
	}
	virDomainFree(dom);
	return rc;
}

int virt_set_get_xml(void *conn, const unsigned char *uuid, bool inactive, char **out,
		     char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);

	*out = NULL;
	if (!dom)
		return -1;
	*out = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (!*out)
		vs_err(err, errlen, "virDomainGetXMLDesc", dom, NULL);
	virDomainFree(dom);
	return *out ? 0 : -1;
}

int virt_set_power(void *conn, const unsigned char *uuid, enum virt_power op, char *err,
		   size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	const char *what = "";
	int rc = -1;

	if (!dom)
		return -1;
	switch (op) {
	case VIRT_POWER_START:
	case VIRT_POWER_START_PAUSED:
		what = "virDomainCreate";
		rc = virDomainCreateWithFlags(
			dom, op == VIRT_POWER_START_PAUSED ? VIR_DOMAIN_START_PAUSED : 0);
		break;
	case VIRT_POWER_DESTROY:
		what = "virDomainDestroy";
		rc = virDomainDestroy(dom);
		break;
	case VIRT_POWER_SHUTDOWN:
		what = "virDomainShutdown";
		rc = virDomainShutdown(dom);
		break;
	case VIRT_POWER_SUSPEND:
		what = "virDomainSuspend";
		rc = virDomainSuspend(dom);
		break;
	case VIRT_POWER_RESUME:
		what = "virDomainResume";
		rc = virDomainResume(dom);
		break;
	}
	if (rc < 0)
		vs_err(err, errlen, what, dom, NULL);
	virDomainFree(dom);
	return rc < 0 ? -1 : 0;
}

/* every scheduler parameter of the domain, current values */
static int vs_sched_read(virDomainPtr dom, virTypedParameterPtr *params, int *n)
{
	char *type = virDomainGetSchedulerType(dom, n);

	if (!type)
		return -1;
	free(type);
	*params = calloc(*n > 0 ? (size_t)*n : 1, sizeof(**params));
	if (!*params)
		return -1;
	if (*n > 0 &&
	    virDomainGetSchedulerParametersFlags(dom, *params, n, VIR_DOMAIN_AFFECT_CURRENT) < 0 &&
	    virDomainGetSchedulerParameters(dom, *params, n) < 0) {
		free(*params);
		*params = NULL;
		return -1;
	}
	return 0;
}

int virt_set_sched_get(void *conn, const unsigned char *uuid, struct virt_sched *p,
		       char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	virTypedParameterPtr params = NULL;
	int n = 0, i, rc = 0;
	size_t k;

	if (!dom)
		return -1;
	if (vs_sched_read(dom, &params, &n) < 0) {
		vs_err(err, errlen, "virDomainGetSchedulerParameters", dom, NULL);
		virDomainFree(dom);
		return -1;
	}
	for (k = 0; k < p->n && rc == 0; k++) {
		for (i = 0; i < n; i++)
			if (strcmp(params[i].field, p->p[k].field) == 0)
				break;
		if (i == n) {
			snprintf(err, errlen, "domain %s: the scheduler has no parameter %s",
				 virDomainGetName(dom), p->p[k].field);
			rc = -1;
		} else if (params[i].type == VIR_TYPED_PARAM_LLONG) {
			p->p[k].l = params[i].value.l;
		} else if (params[i].type == VIR_TYPED_PARAM_ULLONG) {
			p->p[k].u = params[i].value.ul;
		} else if (params[i].type == VIR_TYPED_PARAM_UINT) {
			p->p[k].u = params[i].value.ui;
		} else if (params[i].type == VIR_TYPED_PARAM_INT) {
			p->p[k].l = params[i].value.i;
		}
	}
	virTypedParamsFree(params, n);
	virDomainFree(dom);
	return rc;
}

static int vs_param_add(virTypedParameterPtr *params, int *n, int *max,
			const struct virt_sched *p, size_t k)
{
	switch (p->p[k].type) {
	case VIR_TYPED_PARAM_UINT:
		return virTypedParamsAddUInt(params, n, max, p->p[k].field,
					     (unsigned int)p->p[k].u);
	case VIR_TYPED_PARAM_ULLONG:
		return virTypedParamsAddULLong(params, n, max, p->p[k].field, p->p[k].u);
	case VIR_TYPED_PARAM_LLONG:
		return virTypedParamsAddLLong(params, n, max, p->p[k].field, p->p[k].l);
	case VIR_TYPED_PARAM_INT:
		return virTypedParamsAddInt(params, n, max, p->p[k].field, (int)p->p[k].l);
	default:
		return -1;
	}
}

int virt_set_sched_set(void *conn, const unsigned char *uuid, const struct virt_sched *p,
		       char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	virTypedParameterPtr params = NULL;
	unsigned int flags = 0;
	int n = 0, max = 0, rc = 0;
	size_t k;

	if (!dom)
		return -1;
	for (k = 0; k < p->n && rc == 0; k++)
		rc = vs_param_add(&params, &n, &max, p, k);
	if (virDomainIsActive(dom) == 1)
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	if (virDomainIsPersistent(dom) == 1)
		flags |= VIR_DOMAIN_AFFECT_CONFIG;
	if (rc < 0 || virDomainSetSchedulerParametersFlags(dom, params, n, flags) < 0) {
		vs_err(err, errlen, "virDomainSetSchedulerParameters", dom, NULL);
		rc = -1;
	}
	virTypedParamsFree(params, n);
	virDomainFree(dom);
	return rc;
}

int virt_set_attach(void *conn, const unsigned char *uuid, const char *dev_xml,
		    unsigned int where, char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	unsigned int flags = 0;
	int rc = 0;

	if (!dom)
		return -1;
	if (where & VIRT_WHERE_LIVE)
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	if (where & VIRT_WHERE_CONFIG)
		flags |= VIR_DOMAIN_AFFECT_CONFIG;
	if (virDomainAttachDeviceFlags(dom, dev_xml, flags) < 0) {
		vs_err(err, errlen, "virDomainAttachDevice", dom, NULL);
		rc = -1;
	}
	virDomainFree(dom);
	return rc;
}

int virt_set_detach_mac(void *conn, const unsigned char *uuid, const uint8_t mac[6],
			char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	char alias[64], *xml;
	int rc = -1;

	if (!dom)
		return -1;
	xml = virDomainGetXMLDesc(dom, 0);
	if (!xml) {
		vs_err(err, errlen, "virDomainGetXMLDesc", dom, NULL);
	} else if (domgen_iface_alias(xml, mac, alias, sizeof(alias)) < 0) {
		snprintf(err, errlen, "domain %s: no running interface with MAC "
			 "%02x:%02x:%02x:%02x:%02x:%02x", virDomainGetName(dom),
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	} else if (virDomainDetachDeviceAlias(dom, alias, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		vs_err(err, errlen, "virDomainDetachDeviceAlias", dom, NULL);
	} else {
		rc = 0;
	}
	free(xml);
	virDomainFree(dom);
	return rc;
}

/* "downtime" of the last completed job of dom; 0 if none */
static int vs_downtime(virDomainPtr dom, uint64_t *ms)
{
	virTypedParameterPtr params = NULL;
	unsigned long long v = 0;
	int type = 0, n = 0;

	*ms = 0;
	/* KEEP: the source's vmibd and the destination's both read them */
	if (virDomainGetJobStats(dom, &type, &params, &n,
				 VIR_DOMAIN_JOB_STATS_COMPLETED |
					 VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) < 0)
		return -1;
	if (virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_DOWNTIME, &v) == 1)
		*ms = v;
	virTypedParamsFree(params, n);
	return 0;
}

/* the downtime as the destination measured it (libvirt's completed job
 * statistics of the incoming migration) */
static uint64_t vs_remote_downtime(const char *dest_uri, const unsigned char *uuid)
{
	virConnectPtr dc = virConnectOpen(dest_uri);
	virDomainPtr dom;
	uint64_t ms = 0;

	if (!dc)
		goto out;
	dom = virDomainLookupByUUID(dc, uuid);
	if (dom) {
		vs_downtime(dom, &ms);
		virDomainFree(dom);
	}
	virConnectClose(dc);
out:
	virResetLastError();
	return ms;
}

int virt_set_migrate(void *conn, const unsigned char *uuid, const char *dest_uri,
		     bool live, uint64_t *downtime_ms, char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	unsigned int flags = VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |
			     VIR_MIGRATE_UNDEFINE_SOURCE;
	char name[256];
	int rc = 0;

	*downtime_ms = 0;
	if (!dom)
		return -1;
	snprintf(name, sizeof(name), "%s", virDomainGetName(dom));
	if (live)
		flags |= VIR_MIGRATE_LIVE;
	if (virDomainMigrateToURI3(dom, dest_uri, NULL, 0, flags) < 0) {
		vs_err(err, errlen, "virDomainMigrate", NULL, name);
		rc = -1;
	}
	virDomainFree(dom);
	if (rc == 0)
		*downtime_ms = vs_remote_downtime(dest_uri, uuid);
	return rc;
}

int virt_set_abort_job(void *conn, const unsigned char *uuid, char *err, size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	int rc = 0;

	if (!dom)
		return -1;
	if (virDomainAbortJob(dom) < 0) {
		vs_err(err, errlen, "virDomainAbortJob", dom, NULL);
		rc = -1;
	}
	virDomainFree(dom);
	return rc;
}

int virt_set_job_downtime(void *conn, const unsigned char *uuid, uint64_t *ms, char *err,
			  size_t errlen)
{
	virDomainPtr dom = vs_dom(conn, uuid, err, errlen);
	int rc = 0;

	*ms = 0;
	if (!dom)
		return -1;
	if (vs_downtime(dom, ms) < 0) {
		vs_err(err, errlen, "virDomainGetJobStats", dom, NULL);
		rc = -1;
	}
	virDomainFree(dom);
	return rc;
}
