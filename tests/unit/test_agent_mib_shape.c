/*
 * test_agent_shape.c - vmibShapeTable at the MIB-handler level: SET PDUs
 * through the handler, mode by mode as Net-SNMP drives them, on the fake
 * hypervisor, the tc recorder and an in-memory metadata store.
 *
 * The main test is data-driven: every tests/data/shape-mib/NAME.in is a
 * script (VMs, devices, metadata, SET PDUs, VM events, injected
 * failures); each command's effects are written as text (the netlink
 * requests the recorder rendered, the metadata written, the SET's
 * result, the table as a walk reads it, vmibHostLastError, notices
 * logged) and the whole must equal NAME.expected.  On a mismatch the
 * actual text goes to build/results/shape-mib/NAME.actual.  Adding a case
 * is adding two files.  The script's commands are listed at script_line();
 * "set resent" and "set resent-late" play a TestSet sent again (pdu_run).
 *
 * Also: the metadata element's round trip and its tolerance of bad rows.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <libvirt/libvirt.h>

#include "caps.h"
#include "log.h"
#include "loop.h"
#include "mib_tables.h"
#include "mibset.h"
#include "shapestore.h"
#include "test_agent_fake_virt.h"
#include "testutil.h"
#include "unit.h"
#include "vmib_oids.h"
#include "read_thread.h"

#define MAX_DEVS 16

static struct world {
	struct vmibd_config cfg;
	struct images images;
	struct agent_ctx ctx;
	struct mibtab tab;
	struct tc_backend *tc;
	size_t tc_seen;            /* recorder text already shown */
	FILE *out;                 /* the transcript */
	char *meta[FAKE_MAX_DOMS + 1];
	bool meta_fail;
	struct {
		char dev[16];
		int ifindex;
		uint32_t mtu;
	} devs[MAX_DEVS];
	size_t n_devs;
	uint32_t caps;
	long transid;
	char host_error[256];      /* last shown */
	bool started;
} W;

/* --- the fake metadata and devices (struct shapestore_ops) ------------------------ */

static int fake_n_of(const unsigned char *uuid)
{
	return uuid[14] << 8 | uuid[15];
}

static int fake_read(void *ctx, const unsigned char *uuid, tracker_meta_cb cb, void *opaque)
{
	int n = fake_n_of(uuid);

	(void)ctx;
	cb(opaque, 0, n <= FAKE_MAX_DOMS ? W.meta[n] : NULL, NULL);
	return 0;
}

static int fake_write(void *ctx, const unsigned char *uuid, const char *xml, tracker_meta_cb cb,
		      void *opaque)
{
	int n = fake_n_of(uuid);

	(void)ctx;
	if (W.meta_fail) {
		fprintf(W.out, "meta %d: write refused\n", n);
		cb(opaque, -1, NULL, "fake: metadata write refused");
		return 0;
	}
	free(W.meta[n]);
	W.meta[n] = xml ? strdup(xml) : NULL;
	fprintf(W.out, "meta %d: %s\n", n, xml ? xml : "(removed)");
	cb(opaque, 0, NULL, NULL);
	return 0;
}

static int fake_device(void *ctx, const char *dev, uint32_t *mtu)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < W.n_devs; i++)
		if (strcmp(W.devs[i].dev, dev) == 0 && W.devs[i].ifindex) {
			*mtu = W.devs[i].mtu;
			return W.devs[i].ifindex;
		}
	return 0;
}

/* --- what the transcript shows ------------------------------------------------------- */

static void log_sink(int level, const char *token, const char *msg, void *opaque)
{
	(void)opaque;
	/* the tracker's own notices (connected ...) are not this test's */
	if (W.out && (level <= LOG_WARNING || (level == LOG_NOTICE && strcmp(token, "virt"))))
		fprintf(W.out, "log: %s %s: %s\n", log_level_name(level), token, msg);
}

static void show_tc(void)
{
	const char *text = tc_recorder_text(W.tc);
	size_t len = strlen(text);

	if (len > W.tc_seen) {
		fprintf(W.out, "%s", text + W.tc_seen);
		W.tc_seen = len;
	}
}

static void show_host_error(void)
{
	const char *e;

	if (!W.started)
		return;
	e = tracker_host(W.ctx.tracker)->last_error;

	if (strcmp(e, W.host_error) != 0) {
		fprintf(W.out, "host error: %s\n", e);
		snprintf(W.host_error, sizeof(W.host_error), "%s", e);
	}
}

static unsigned int tc_requests(void)
{
	const char *p = tc_recorder_text(W.tc);
	unsigned int n = 0;

	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (strncmp(p, "dump ", 5) != 0)
			n++;
	return n;
}

static void test_failure(void *opaque, const struct shape_entry *e)
{
	(void)opaque;
	fprintf(W.out, "notify: vmibShapeFailure %d.%u.%u %s: %s\n", (int)e->vm, e->vif,
		e->row.index, e->oper == SHAPE_FAILED ? "failed" : "unsupported", e->last_error);
}

static void test_error(void *opaque, const char *text)
{
	tracker_host_error(W.ctx.tracker, "%s", text);
	(void)opaque;
}

/* the table as a GETNEXT walk of the RowStatus column and GETs see it */
static void show_table(void)
{
	static const char *oper[] = {"?", "applied", "pending", "failed", "unsupported"};
	oid cur[MAX_OID_LEN], next[MAX_OID_LEN], q[MAX_OID_LEN];
	size_t cur_len, next_len, n = W.tab.entry_len;
	struct mib_value v;
	struct shape_row r;
	char buf[512], name[80], err[300];
	long st;

	memcpy(cur, W.tab.entry, n * sizeof(oid));
	cur[n] = VMIB_COL_vmibShapeRowStatus;
	cur_len = n + 1;
	fprintf(W.out, "table:\n");
	while (mibtab_getnext(&W.tab, cur, cur_len, next, &next_len, &v) == 0 &&
	       next[n] == VMIB_COL_vmibShapeRowStatus) {
		memset(&r, 0, sizeof(r));
		name[0] = err[0] = '\0';
		memcpy(q, next, next_len * sizeof(oid));
#define GETCOL(c) (q[n] = (c), mibtab_get(&W.tab, q, next_len, &v) == 0)
		if (GETCOL(VMIB_COL_vmibShapeName))
			snprintf(name, sizeof(name), "%.*s", (int)v.len, (const char *)v.ptr);
		if (GETCOL(VMIB_COL_vmibShapeSrcAddr))
			memcpy(&r.src.s_addr, v.ptr, 4);
		if (GETCOL(VMIB_COL_vmibShapeSrcPrefixLen))
			r.src_len = (uint8_t)v.integer;
		r.index = (uint32_t)q[n + 3];
#define U32COL(c, f) if (GETCOL(c)) r.f = (uint32_t)v.integer
		U32COL(VMIB_COL_vmibShapeRateKbps, rate_kbps);
		U32COL(VMIB_COL_vmibShapeBurstBytes, burst_bytes);
		U32COL(VMIB_COL_vmibShapeDelayUs, delay_us);
		U32COL(VMIB_COL_vmibShapeJitterUs, jitter_us);
		U32COL(VMIB_COL_vmibShapeLossPpm, loss_ppm);
		U32COL(VMIB_COL_vmibShapeDuplicatePpm, duplicate_ppm);
		U32COL(VMIB_COL_vmibShapeCorruptPpm, corrupt_ppm);
		U32COL(VMIB_COL_vmibShapeReorderPpm, reorder_ppm);
		U32COL(VMIB_COL_vmibShapeLimitPkts, limit_pkts);
		st = GETCOL(VMIB_COL_vmibShapeOperStatus) ? v.integer : 0;
		if (GETCOL(VMIB_COL_vmibShapeLastError))
			snprintf(err, sizeof(err), "%.*s", (int)v.len, (const char *)v.ptr);
		fprintf(W.out, "  %lu.%lu.%lu %s name=\"%s\" %s error=\"%s\"\n", q[n + 1], q[n + 2],
			q[n + 3], tc_row_format(&r, buf, sizeof(buf)), name,
			st >= 1 && st <= 4 ? oper[st] : "?", err);
		memcpy(cur, next, next_len * sizeof(oid));
		cur_len = next_len;
	}
}

/* --- SET PDUs ---------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned int col;
	u_char type;
} cols[] = {
	{"Name", VMIB_COL_vmibShapeName, ASN_OCTET_STR},
	{"SrcAddr", VMIB_COL_vmibShapeSrcAddr, ASN_IPADDRESS},
	{"SrcPrefixLen", VMIB_COL_vmibShapeSrcPrefixLen, ASN_UNSIGNED},
	{"RateKbps", VMIB_COL_vmibShapeRateKbps, ASN_UNSIGNED},
	{"BurstBytes", VMIB_COL_vmibShapeBurstBytes, ASN_UNSIGNED},
	{"DelayUs", VMIB_COL_vmibShapeDelayUs, ASN_UNSIGNED},
	{"JitterUs", VMIB_COL_vmibShapeJitterUs, ASN_UNSIGNED},
	{"LossPpm", VMIB_COL_vmibShapeLossPpm, ASN_UNSIGNED},
	{"DuplicatePpm", VMIB_COL_vmibShapeDuplicatePpm, ASN_UNSIGNED},
	{"CorruptPpm", VMIB_COL_vmibShapeCorruptPpm, ASN_UNSIGNED},
	{"ReorderPpm", VMIB_COL_vmibShapeReorderPpm, ASN_UNSIGNED},
	{"LimitPkts", VMIB_COL_vmibShapeLimitPkts, ASN_UNSIGNED},
	{"OperStatus", VMIB_COL_vmibShapeOperStatus, ASN_INTEGER},
	{"Index", VMIB_COL_vmibShapeIndex, ASN_UNSIGNED},
	{"RowStatus", VMIB_COL_vmibShapeRowStatus, ASN_INTEGER},
};

static const char *snmp_err_name(int e)
{
	static const char *names[] = {
		"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr",
		"noAccess", "wrongType", "wrongLength", "wrongEncoding", "wrongValue",
		"noCreation", "inconsistentValue", "resourceUnavailable", "commitFailed",
		"undoFailed", "authorizationError", "notWritable", "inconsistentName"};

	return e >= 0 && e <= 18 ? names[e] : "?";
}

/* "VM.VIF.IDX COL VALUE" (VALUE: "T:V" forces the type: i u a s) */
static int vb_parse(const char *line, netsnmp_variable_list **list, char *why, size_t len)
{
	char col[32], val[128], *colon;
	unsigned long vm, vif, idx;
	oid name[MAX_OID_LEN];
	size_t i, n = W.tab.entry_len;
	u_char type = 0;
	struct in_addr a;
	long l;

	if (sscanf(line, " %lu.%lu.%lu %31s %127[^\n]", &vm, &vif, &idx, col, val) != 5) {
		snprintf(why, len, "bad varbind '%s'", line);
		return -1;
	}
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (strcmp(cols[i].name, col) == 0)
			type = cols[i].type;
	if (!type) {
		snprintf(why, len, "unknown column '%s'", col);
		return -1;
	}
	memcpy(name, W.tab.entry, n * sizeof(oid));
	for (i = 0; strcmp(cols[i].name, col) != 0; i++)
		;
	name[n] = cols[i].col;
	name[n + 1] = vm;
	name[n + 2] = vif;
	name[n + 3] = idx;
	colon = strchr(val, ':');
	if (colon && colon == val + 1) {
		type = val[0] == 'i' ? ASN_INTEGER : val[0] == 'u' ? ASN_UNSIGNED
			: val[0] == 'a' ? ASN_IPADDRESS : ASN_OCTET_STR;
		memmove(val, val + 2, strlen(val + 2) + 1);
	}
	if (type == ASN_IPADDRESS && inet_pton(AF_INET, val, &a) == 1)
		snmp_varlist_add_variable(list, name, n + 4, type, &a.s_addr, 4);
	else if (type == ASN_OCTET_STR)
		snmp_varlist_add_variable(list, name, n + 4, type, val,
					  strcmp(val, "\"\"") == 0 ? 0 : strlen(val));
	else {
		l = strtol(val, NULL, 0);
		snmp_varlist_add_variable(list, name, n + 4, type, &l, sizeof(l));
	}
	return 0;
}

/* the first request in error after a mode, 0 if none (1-based index) */
static int pdu_error(netsnmp_request_info *reqs, size_t n, int *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (reqs[i].status != SNMP_ERR_NOERROR) {
			*err = reqs[i].status;
			return (int)i + 1;
		}
	return 0;
}

static void pdu_mode(int mode, netsnmp_request_info *reqs, netsnmp_agent_request_info *ri)
{
	netsnmp_mib_handler h;

	memset(&h, 0, sizeof(h));
	h.myvoid = &W.tab;
	ri->mode = mode;
	mib_shape_set_handler()(&h, NULL, ri, reqs);
	show_tc();
}

/* Net-SNMP's handle_set(): RESERVE1, RESERVE2, ACTION, then COMMIT, or
 * FREE after a RESERVE error, or UNDO after an ACTION error.  resent: the
 * master sent the TestSet again: 1 the copy's RESERVE1 right after the
 * first, 2 the copy's RESERVE1 after RESERVE2 and its RESERVE2 after
 * ACTION */
static void pdu_run(netsnmp_variable_list *vbs, int resent)
{
	static const int modes[] = {MODE_SET_RESERVE1, MODE_SET_RESERVE2, MODE_SET_ACTION};
	netsnmp_agent_session asp;
	netsnmp_pdu pdu;
	netsnmp_agent_request_info ri;
	netsnmp_request_info *reqs;
	netsnmp_variable_list *vb;
	size_t n = 0, i;
	int at = 0, err = 0, m;

	for (vb = vbs; vb; vb = vb->next_variable)
		n++;
	reqs = calloc(n, sizeof(*reqs));
	for (i = 0, vb = vbs; vb; vb = vb->next_variable, i++) {
		reqs[i].requestvb = vb;
		reqs[i].index = (int)i + 1;
		reqs[i].next = i + 1 < n ? &reqs[i + 1] : NULL;
	}
	memset(&asp, 0, sizeof(asp));
	memset(&pdu, 0, sizeof(pdu));
	memset(&ri, 0, sizeof(ri));
	pdu.transid = ++W.transid;
	asp.pdu = &pdu;
	ri.asp = &asp;
	for (m = 0; m < 3 && !at; m++) {
		pdu_mode(modes[m], reqs, &ri);
		if (resent == 1 && modes[m] == MODE_SET_RESERVE1)
			pdu_mode(modes[m], reqs, &ri);
		if (resent == 2 && modes[m] != MODE_SET_RESERVE1)
			pdu_mode(modes[m - 1], reqs, &ri);
		at = pdu_error(reqs, n, &err);
	}
	pdu_mode(!at ? MODE_SET_COMMIT : m == 3 ? MODE_SET_UNDO : MODE_SET_FREE, reqs, &ri);
	show_tc();
	if (at)
		fprintf(W.out, "set: %s (varbind %d)\n", snmp_err_name(err), at);
	else
		fprintf(W.out, "set: noError\n");
	free(reqs);
}

/* --- the script --------------------------------------------------------------------------- */

static void test_listener(void *opaque, const struct vm *vm, int old_state,
			  enum tracker_change what)
{
	(void)opaque;
	(void)old_state;
	shapestore_vm_event(W.ctx.shapes, vm, what);
}

static int world_start(void)
{
	struct shapestore_ops ops = {fake_read, fake_write, fake_device, NULL};
	struct shapestore_hooks hooks = {test_failure, test_error, NULL};

	if (loop_init() < 0 || worker_start(false) < 0)
		return -1;
	images_init(&W.images, "/nonexistent");
	W.ctx.cfg = &W.cfg;
	W.ctx.images = &W.images;
	W.ctx.caps = W.caps;
	W.ctx.tracker = tracker_new(&W.cfg, &fake_virt_ops);
	W.tc = tc_backend_recorder_new();
	if (!W.ctx.tracker || !W.tc)
		return -1;
	W.ctx.shapes = shapestore_new(tracker_cache(W.ctx.tracker), &ops, W.tc, W.caps);
	if (!W.ctx.shapes)
		return -1;
	mib_shape_setup(&W.tab, &W.ctx);
	shapestore_set_hooks(W.ctx.shapes, &hooks);
	W.started = true;
	tracker_set_listener(W.ctx.tracker, test_listener, NULL);
	tracker_start(W.ctx.tracker);
	return 0;
}

static void world_stop(void)
{
	size_t i;

	if (W.started) {
		tracker_stop(W.ctx.tracker);
		worker_stop();
		shapestore_free(W.ctx.shapes);
		tc_backend_free(W.tc);
		tracker_free(W.ctx.tracker);
		images_clear(&W.images);
		loop_fini();
	}
	for (i = 0; i <= FAKE_MAX_DOMS; i++)
		free(W.meta[i]);
	config_free(&W.cfg);
}

static int state_of(const char *s)
{
	return strcmp(s, "running") == 0 ? VIR_DOMAIN_RUNNING
	     : strcmp(s, "paused") == 0 ? VIR_DOMAIN_PAUSED : VIR_DOMAIN_SHUTOFF;
}

static struct fake_dom *dom_of(int n)
{
	int i;

	for (i = 0; i < fake_virt.n; i++)
		if (fake_virt.doms[i].present && fake_n_of(fake_virt.doms[i].tmpl.uuid) == n)
			return &fake_virt.doms[i];
	return NULL;
}

static int cmd_device(int n, unsigned int vif, int ifindex, unsigned int mtu, char *why,
		      size_t len)
{
	struct fake_dom *d = dom_of(n);
	size_t i;

	if (!d || vif < 1 || vif > d->tmpl.n_vifs) {
		snprintf(why, len, "no vif %u of VM %d", vif, n);
		return -1;
	}
	d->vifs[vif - 1].ifindex = (uint32_t)ifindex;
	for (i = 0; i < W.n_devs && strcmp(W.devs[i].dev, d->vifs[vif - 1].dev); i++)
		;
	if (i == W.n_devs && W.n_devs < MAX_DEVS)
		W.n_devs++;
	snprintf(W.devs[i].dev, sizeof(W.devs[i].dev), "%s", d->vifs[vif - 1].dev);
	W.devs[i].ifindex = ifindex;
	W.devs[i].mtu = mtu ? mtu : 1500;
	return 0;
}

static int cmd_event(int n, const char *what, char *why, size_t len)
{
	struct fake_dom *d = dom_of(n);

	if (!d) {
		snprintf(why, len, "no VM %d", n);
		return -1;
	}
	if (strcmp(what, "stopped") == 0)
		fake_virt_event(d, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_SHUTOFF);
	else if (strcmp(what, "started") == 0)
		fake_virt_event(d, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	else if (strcmp(what, "gone") == 0) {
		d->present = false;
		fake_virt_event(d, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_SHUTOFF);
	} else {
		/* any other change: a re-read (device hot-plug) */
		fake_virt.cb->event(fake_virt.opaque, d->tmpl.uuid, VIRT_EV_DEVICE, 0, 0);
	}
	return 0;
}

/*
 * Commands (one per line, '#' comments):
 *   caps all|LIST           capabilities (before start; all = the kernel bits)
 *   vm N NAME STATE NVIFS   a domain (fake id and vmibVmIndex N; vifs vnet<4N+k>)
 *   meta N XML              its shape metadata element
 *   device N VIF IFINDEX [MTU]  the vif's host device exists (0: it does not)
 *   start                   the tracker connects, the store reads and applies
 *   set                     a PDU of the indented "VM.VIF.IDX COL VALUE" lines after it
 *   event N stopped|started|gone|reread
 *   metafail on|off         metadata writes fail
 *   tcfail K ERRNO          the K-th netlink request from now fails
 *   libvirt down            the connection drops (vmibHostLibvirtState stale)
 *   counters                read the counters (recorder: a dump per vif)
 *   table                   show the table
 */
static int script_line(char *line, netsnmp_variable_list **pdu, char *why, size_t len)
{
	char a[64], b[64];
	int n, x, k;
	unsigned int u, v;

	(void)pdu;
	fprintf(W.out, "> %s\n", line);
	if (sscanf(line, "caps %63s", a) == 1)
		return caps_from_string(strcmp(a, "all") ? a : "tbf,htb,netem,u32,iptables,brNetfilter",
					&W.caps);
	if (sscanf(line, "vm %d %63s %63s %d", &n, a, b, &k) == 4) {
		fake_virt_add(n, a, state_of(b), k, n);
		return 0;
	}
	if (sscanf(line, "meta %d %n", &n, &k) == 1 && n > 0 && n <= FAKE_MAX_DOMS) {
		W.meta[n] = strdup(line + k);
		return 0;
	}
	k = sscanf(line, "device %d %u %d %u", &n, &u, &x, &v);
	if (k >= 3)
		return cmd_device(n, u, x, k == 4 ? v : 0, why, len);
	if (strcmp(line, "start") == 0) {
		if (world_start() < 0) {
			snprintf(why, len, "cannot start");
			return -1;
		}
		show_tc();
		return 0;
	}
	if (sscanf(line, "event %d %63s", &n, a) == 2) {
		if (cmd_event(n, a, why, len) < 0)
			return -1;
		show_tc();
		return 0;
	}
	if (sscanf(line, "metafail %63s", a) == 1) {
		W.meta_fail = strcmp(a, "on") == 0;
		return 0;
	}
	if (sscanf(line, "tcfail %u %63s", &u, a) == 2) {
		tc_recorder_fail_at(W.tc, tc_requests() + u,
				    strcmp(a, "ENODEV") == 0 ? ENODEV
				    : strcmp(a, "ENOMEM") == 0 ? ENOMEM : EINVAL);
		return 0;
	}
	if (strcmp(line, "libvirt down") == 0) {
		fake_virt_close_now();
		loop_iterate(0);
		return 0;
	}
	if (strcmp(line, "counters") == 0) {
		shapestore_counters(W.ctx.shapes, 0);
		show_tc();
		return 0;
	}
	if (strcmp(line, "table") == 0) {
		show_table();
		return 0;
	}
	snprintf(why, len, "unknown command '%s'", line);
	return -1;
}

/* Run one script; returns its transcript (malloc'd). */
static char *script_run(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL, why[300] = "", *out = NULL;
	netsnmp_variable_list *pdu = NULL;
	bool in_set = false;
	int resent = 0;
	size_t size = 0;
	int rc = 0;

	memset(&W, 0, sizeof(W));
	config_defaults(&W.cfg);
	free(W.cfg.libvirt_uri);
	W.cfg.libvirt_uri = strdup("fake:///");
	W.caps = CAPS_ALL_KERNEL;
	fake_virt_reset();
	W.out = open_memstream(&out, &size);
	log_set_sink(log_sink, NULL);
	for (line = strtok_r(copy, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (in_set && line[0] != ' ' && line[0] != '\t') {
			pdu_run(pdu, resent);
			snmp_free_varbind(pdu);
			pdu = NULL;
			in_set = false;
			show_host_error();
		}
		if (strcmp(line, "set") == 0 || strcmp(line, "set resent") == 0 ||
		    strcmp(line, "set resent-late") == 0) {
			fprintf(W.out, "> %s\n", line);
			in_set = true;
			resent = line[3] == '\0' ? 0 : line[10] == '\0' ? 1 : 2;
			continue;
		}
		rc = in_set ? vb_parse(line, &pdu, why, sizeof(why)) : script_line(line, &pdu, why, sizeof(why));
		if (!in_set)
			show_host_error();
	}
	if (rc == 0 && in_set) {
		pdu_run(pdu, resent);
		show_host_error();
	}
	snmp_free_varbind(pdu);
	if (rc < 0)
		fprintf(W.out, "SCRIPT ERROR: %s\n", why);
	log_set_sink(NULL, NULL);
	world_stop();
	fclose(W.out);
	free(copy);
	return out;
}

/* one tests/data/shape-mib/NAME.in: its transcript must be NAME.expected */
static bool script_case(const char *dir, const char *file)
{
	return testutil_script_case("shape-mib", dir, file, script_run);
}

static void shape_mib_data_cases_match_expected(void)
{
	char dir[PATH_MAX];
	int cases, failed = 0;
	DIR *d;

	d = testutil_data_open("shape-mib", dir, sizeof(dir));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	cases = testutil_data_run(d, dir, ".in", script_case, &failed);
	CU_ASSERT(cases >= 8); /* the data set is there, not an empty loop */
	CU_ASSERT_EQUAL(failed, 0);
}

/* --- the metadata element ------------------------------------------------------------------ */

static void shape_xml_round_trip(void)
{
	struct shape_entry a = {.vm = 3, .vif = 2, .row = {.index = 7, .src_len = 24,
		.rate_kbps = 1000, .delay_us = 10000, .jitter_us = 500, .loss_ppm = 1,
		.duplicate_ppm = 2, .corrupt_ppm = 3, .reorder_ppm = 4, .limit_pkts = 5,
		.burst_bytes = 6000}};
	struct shape_entry b = {.vm = 3, .vif = 1, .row = {.index = 1}};
	struct shape_entry *rows[2] = {&a, &b}, **back = NULL;
	char err[160], *xml;
	size_t n = 0;
	bool oom;

	a.row.src.s_addr = htonl(0x0a010000);
	snprintf(a.name, sizeof(a.name), "A->B \"quoted\" & <x>");
	xml = shapestore_xml_format(rows, 2, &oom);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	CU_ASSERT_FALSE(oom);
	CU_ASSERT_EQUAL(shapestore_xml_parse(xml, 3, &back, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(back[0]->vif, 2);
	CU_ASSERT_STRING_EQUAL(back[0]->name, a.name);
	CU_ASSERT_EQUAL(memcmp(&back[0]->row, &a.row, sizeof(a.row)), 0);
	CU_ASSERT_EQUAL(back[1]->row.index, 1);
	CU_ASSERT_EQUAL(back[1]->vm, 3);
	CU_ASSERT_EQUAL(back[1]->oper, SHAPE_PENDING);
	free(back[0]);
	free(back[1]);
	free(back);
	free(xml);
	/* no rows: no element (it is removed) */
	CU_ASSERT_PTR_NULL(shapestore_xml_format(rows, 0, &oom));
	CU_ASSERT_FALSE(oom);
}

static void shape_xml_parse_skips_bad_rows(void)
{
	/* as libvirt hands it back: prefixed, with its namespace */
	const char *xml =
		"<vmibshape:shapes xmlns:vmibshape=\"urn:vmib:shape:1\">"
		"<vmibshape:shape vif=\"1\" index=\"2\" rate-kbps=\"100\"/>"
		"<vmibshape:shape vif=\"1\" index=\"0\"/>"
		"<vmibshape:shape vif=\"1\" index=\"3\" delay-us=\"x\"/>"
		"<vmibshape:shape vif=\"1\" index=\"4\" jitter-us=\"5\"/>"
		"<vmibshape:shape vif=\"1\" index=\"2\" rate-kbps=\"7\"/>"
		"<vmibshape:shape vif=\"2\" index=\"2\" src=\"10.0.0.0/8\"/>"
		"</vmibshape:shapes>";
	struct shape_entry **rows = NULL;
	char err[160];
	size_t n = 0, i;

	log_set_level(LOG_ERR); /* the warnings are expected */
	CU_ASSERT_EQUAL(shapestore_xml_parse(xml, 1, &rows, &n, err, sizeof(err)), 0);
	log_set_level(LOG_INFO);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(rows[0]->row.rate_kbps, 100); /* the first of two kept */
	CU_ASSERT_EQUAL(rows[1]->vif, 2);
	CU_ASSERT_EQUAL(rows[1]->row.src_len, 8);
	for (i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
	rows = NULL;
	n = 0;
	CU_ASSERT_EQUAL(shapestore_xml_parse("<vm xmlns=\"urn:vmib:domain:1\"/>", 1, &rows, &n,
					     err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(shapestore_xml_parse("<shapes", 1, &rows, &n, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(n, 0);
	free(rows);
}

static void mibset_values_get_the_rfc3416_errors(void)
{
	netsnmp_variable_list vb;
	long l = 7;
	uint32_t u;
	int rs;
	char s[8];
	struct in_addr a;

	memset(&vb, 0, sizeof(vb));
	snmp_set_var_typed_value(&vb, ASN_INTEGER, &l, sizeof(l));
	CU_ASSERT_EQUAL(mibset_u32(&vb, 0, 10, &u), SNMP_ERR_WRONGTYPE);
	CU_ASSERT_EQUAL(mibset_rowstatus(&vb, &rs), SNMP_ERR_WRONGVALUE);
	l = MIBSET_RS_CREATE_AND_WAIT;
	snmp_set_var_typed_value(&vb, ASN_INTEGER, &l, sizeof(l));
	CU_ASSERT_EQUAL(mibset_rowstatus(&vb, &rs), SNMP_ERR_WRONGVALUE);
	l = MIBSET_RS_DESTROY;
	snmp_set_var_typed_value(&vb, ASN_INTEGER, &l, sizeof(l));
	CU_ASSERT_EQUAL(mibset_rowstatus(&vb, &rs), SNMP_ERR_NOERROR);
	CU_ASSERT_EQUAL(rs, MIBSET_RS_DESTROY);
	l = 11;
	snmp_set_var_typed_value(&vb, ASN_UNSIGNED, &l, sizeof(l));
	CU_ASSERT_EQUAL(mibset_u32(&vb, 0, 10, &u), SNMP_ERR_WRONGVALUE);
	CU_ASSERT_EQUAL(mibset_u32(&vb, 0, 11, &u), SNMP_ERR_NOERROR);
	CU_ASSERT_EQUAL(u, 11);
	snmp_set_var_typed_value(&vb, ASN_OCTET_STR, "toolong!", 8);
	CU_ASSERT_EQUAL(mibset_string(&vb, 7, s), SNMP_ERR_WRONGLENGTH);
	snmp_set_var_typed_value(&vb, ASN_OCTET_STR, "a\tb", 3);
	CU_ASSERT_EQUAL(mibset_string(&vb, 7, s), SNMP_ERR_WRONGVALUE);
	snmp_set_var_typed_value(&vb, ASN_OCTET_STR, "ab c", 4);
	CU_ASSERT_EQUAL(mibset_string(&vb, 7, s), SNMP_ERR_NOERROR);
	CU_ASSERT_STRING_EQUAL(s, "ab c");
	CU_ASSERT_EQUAL(mibset_ipaddr(&vb, &a), SNMP_ERR_WRONGTYPE);
	snmp_set_var_typed_value(&vb, ASN_IPADDRESS, "\x0a\x01\x00\x00", 4);
	CU_ASSERT_EQUAL(mibset_ipaddr(&vb, &a), SNMP_ERR_NOERROR);
	CU_ASSERT_EQUAL(ntohl(a.s_addr), 0x0a010000u);
	snmp_set_var_typed_value(&vb, ASN_NULL, NULL, 0);
}

static const struct unit_test shape_tests[] = {
	UNIT_TEST(shape_mib_data_cases_match_expected),
	UNIT_TEST(shape_xml_round_trip),
	UNIT_TEST(shape_xml_parse_skips_bad_rows),
	UNIT_TEST(mibset_values_get_the_rfc3416_errors),
	{NULL, NULL},
};

UNIT_SUITE(agent_shape, NULL, NULL, shape_tests)
