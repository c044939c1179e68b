/*
 * test_agent_isol.c - the isolation objects at the MIB-handler level
 * (vmibIsolationTable, vmibSubnetTable, vmibIsolationDefault,
 * vmibIsolationOperStatus): SET PDUs through the three writable
 * registrations, mode by mode and handler by handler as Net-SNMP drives
 * them, on the iptables recorder and a state directory of the test's.
 *
 * Data-driven like test_agent_shape.c: every tests/data/isol-mib/NAME.in
 * is a script (commands at script_line(); "set resent" and "set
 * resent-late" play a TestSet the master sent again, pdu_run); the
 * iptables-restore input
 * and listings the recorder saw, the SETs' results, the tables, the
 * state file and vmibHostLastError form a transcript that must equal
 * NAME.expected (mismatch: build/results/isol-mib/NAME.actual).
 *
 * Also: the state file's text round trip and its atomic replacement.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "caps.h"
#include "isolstore.h"
#include "log.h"
#include "loop.h"
#include "mib_tables.h"
#include "mibset.h"
#include "test_agent_fake_virt.h"
#include "testutil.h"
#include "unit.h"
#include "vmib_oids.h"

static struct world {
	struct vmibd_config cfg;
	struct agent_ctx ctx;
	struct mibtab tabs[MIB_ISOL_N];
	struct isolate_backend *ipt;
	size_t ipt_seen;
	FILE *out;
	char *listing[2];          /* what the recorder answers, kept across restarts */
	char dir[PATH_MAX];
	uint32_t caps;
	long transid;
	char host_error[256];
	bool started;
} W;

static void log_sink(int level, const char *token, const char *msg, void *opaque)
{
	(void)opaque;
	if (W.out && level <= LOG_NOTICE && strcmp(token, "virt"))
		fprintf(W.out, "log: %s %s: %s\n", log_level_name(level), token, msg);
}

static void show_ipt(void)
{
	const char *text = W.ipt ? isolate_recorder_text(W.ipt) : "";
	size_t len = strlen(text);

	if (len > W.ipt_seen) {
		fprintf(W.out, "%s", text + W.ipt_seen);
		W.ipt_seen = len;
	}
}

static void show_host_error(void)
{
	const char *e;

	if (!W.ctx.tracker)
		return;
	e = tracker_host(W.ctx.tracker)->last_error;
	if (strcmp(e, W.host_error) != 0) {
		fprintf(W.out, "host error: %s\n", e);
		snprintf(W.host_error, sizeof(W.host_error), "%s", e);
	}
}

static const char *oper_name(long v)
{
	static const char *names[] = {"?", "applied", "pending", "failed", "unsupported"};

	return v >= 1 && v <= 4 ? names[v] : "?";
}

static void prefix_text(char *buf, size_t len, const struct mib_value *a, long l)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, a->ptr, s, sizeof(s));
	snprintf(buf, len, "%s/%ld", s, l);
}

/* the tables as GETNEXT walks and GETs see them */
static void show_tables(void)
{
	struct mibtab *t = &W.tabs[MIB_ISOL_RULES];
	oid cur[MAX_OID_LEN], next[MAX_OID_LEN], q[MAX_OID_LEN];
	size_t cur_len, next_len, n = t->entry_len;
	struct mib_value v, a;
	char src[40], dst[40], name[80], err[300];
	long action, oper;

#define GET(tab, c) (q[n] = (c), mibtab_get((tab), q, next_len, &v) == 0)
	fprintf(W.out, "rules:\n");
	memcpy(cur, t->entry, n * sizeof(oid));
	cur[n] = VMIB_COL_vmibIsolRowStatus;
	cur_len = n + 1;
	while (mibtab_getnext(t, cur, cur_len, next, &next_len, &v) == 0 &&
	       next[n] == VMIB_COL_vmibIsolRowStatus) {
		memcpy(q, next, next_len * sizeof(oid));
		name[0] = err[0] = '\0';
		if (GET(t, VMIB_COL_vmibIsolName))
			snprintf(name, sizeof(name), "%.*s", (int)v.len, (const char *)v.ptr);
		GET(t, VMIB_COL_vmibIsolSrcAddr);
		a = v;
		a.ptr = a.buf;
		GET(t, VMIB_COL_vmibIsolSrcPrefixLen);
		prefix_text(src, sizeof(src), &a, v.integer);
		GET(t, VMIB_COL_vmibIsolDstAddr);
		a = v;
		a.ptr = a.buf;
		GET(t, VMIB_COL_vmibIsolDstPrefixLen);
		prefix_text(dst, sizeof(dst), &a, v.integer);
		action = GET(t, VMIB_COL_vmibIsolAction) ? v.integer : 0;
		oper = GET(t, VMIB_COL_vmibIsolOperStatus) ? v.integer : 0;
		if (GET(t, VMIB_COL_vmibIsolLastError))
			snprintf(err, sizeof(err), "%.*s", (int)v.len, (const char *)v.ptr);
		fprintf(W.out, "  %lu src=%s dst=%s %s name=\"%s\" %s error=\"%s\"\n", q[n + 1], src,
			dst, action == 1 ? "accept" : action == 2 ? "drop" : "?", name,
			oper_name(oper), err);
		memcpy(cur, next, next_len * sizeof(oid));
		cur_len = next_len;
	}
	t = &W.tabs[MIB_ISOL_SUBNETS];
	n = t->entry_len;
	fprintf(W.out, "subnets:\n");
	memcpy(cur, t->entry, n * sizeof(oid));
	cur[n] = VMIB_COL_vmibSubnetRowStatus;
	cur_len = n + 1;
	while (mibtab_getnext(t, cur, cur_len, next, &next_len, &v) == 0 &&
	       next[n] == VMIB_COL_vmibSubnetRowStatus) {
		memcpy(q, next, next_len * sizeof(oid));
		name[0] = '\0';
		if (GET(t, VMIB_COL_vmibSubnetName))
			snprintf(name, sizeof(name), "%.*s", (int)v.len, (const char *)v.ptr);
		GET(t, VMIB_COL_vmibSubnetAddr);
		a = v;
		a.ptr = a.buf;
		GET(t, VMIB_COL_vmibSubnetPrefixLen);
		prefix_text(src, sizeof(src), &a, v.integer);
		fprintf(W.out, "  %lu %s name=\"%s\"\n", q[n + 1], src, name);
		memcpy(cur, next, next_len * sizeof(oid));
		cur_len = next_len;
	}
	/* the scalars, each by GETNEXT from its registration root */
	mibtab_getnext(&W.tabs[MIB_ISOL_DEFAULT], W.tabs[MIB_ISOL_DEFAULT].root,
		       W.tabs[MIB_ISOL_DEFAULT].root_len, next, &next_len, &v);
	action = v.integer;
	mibtab_getnext(&W.tabs[MIB_ISOL_OPER], W.tabs[MIB_ISOL_OPER].root,
		       W.tabs[MIB_ISOL_OPER].root_len, next, &next_len, &v);
	fprintf(W.out, "default %s, oper %s\n", action == 1 ? "accept" : action == 2 ? "drop" : "?",
		oper_name(v.integer));
#undef GET
}

static void show_file(void)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "%s/%s", W.dir, ISOL_FILE);
	f = fopen(path, "r");
	fprintf(W.out, "file:%s\n", f ? "" : " (none)");
	while (f && (c = fgetc(f)) != EOF)
		fputc(c, W.out);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/%s.tmp", W.dir, ISOL_FILE);
	if (access(path, F_OK) == 0)
		fprintf(W.out, "(a %s.tmp is left)\n", ISOL_FILE);
}

/* --- SET PDUs ---------------------------------------------------------------------- */

static const struct {
	const char *table, *name;
	int tab;
	unsigned int col;
	u_char type;
} cols[] = {
	{"rule", "Name", MIB_ISOL_RULES, VMIB_COL_vmibIsolName, ASN_OCTET_STR},
	{"rule", "SrcAddr", MIB_ISOL_RULES, VMIB_COL_vmibIsolSrcAddr, ASN_IPADDRESS},
	{"rule", "SrcPrefixLen", MIB_ISOL_RULES, VMIB_COL_vmibIsolSrcPrefixLen, ASN_UNSIGNED},
	{"rule", "DstAddr", MIB_ISOL_RULES, VMIB_COL_vmibIsolDstAddr, ASN_IPADDRESS},
	{"rule", "DstPrefixLen", MIB_ISOL_RULES, VMIB_COL_vmibIsolDstPrefixLen, ASN_UNSIGNED},
	{"rule", "Action", MIB_ISOL_RULES, VMIB_COL_vmibIsolAction, ASN_INTEGER},
	{"rule", "OperStatus", MIB_ISOL_RULES, VMIB_COL_vmibIsolOperStatus, ASN_INTEGER},
	{"rule", "RowStatus", MIB_ISOL_RULES, VMIB_COL_vmibIsolRowStatus, ASN_INTEGER},
	{"subnet", "Name", MIB_ISOL_SUBNETS, VMIB_COL_vmibSubnetName, ASN_OCTET_STR},
	{"subnet", "Addr", MIB_ISOL_SUBNETS, VMIB_COL_vmibSubnetAddr, ASN_IPADDRESS},
	{"subnet", "PrefixLen", MIB_ISOL_SUBNETS, VMIB_COL_vmibSubnetPrefixLen, ASN_UNSIGNED},
	{"subnet", "RowStatus", MIB_ISOL_SUBNETS, VMIB_COL_vmibSubnetRowStatus, ASN_INTEGER},
	{"default", "Default", MIB_ISOL_DEFAULT, 0, ASN_INTEGER},
	{"oper", "Oper", MIB_ISOL_OPER, 0, ASN_INTEGER},
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

struct vb {
	netsnmp_variable_list *v;
	int tab;
};

/* "TABLE.INDEX COL VALUE" (default, oper: INDEX is the .0 instance) */
static int vb_parse(const char *line, struct vb *out, char *why, size_t len)
{
	char table[16], col[32], val[128];
	unsigned long index;
	oid name[MAX_OID_LEN];
	size_t i, n;
	struct in_addr a;
	u_char type;
	long l;

	if (sscanf(line, " %15[a-z].%lu %31s %127s", table, &index, col, val) != 4) {
		snprintf(why, len, "bad varbind '%s'", line);
		return -1;
	}
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (strcmp(cols[i].table, table) == 0 && strcmp(cols[i].name, col) == 0)
			break;
	if (i == sizeof(cols) / sizeof(cols[0])) {
		snprintf(why, len, "unknown column '%s.%s'", table, col);
		return -1;
	}
	out->tab = cols[i].tab;
	type = cols[i].type;
	n = W.tabs[out->tab].entry_len;
	memcpy(name, W.tabs[out->tab].entry, n * sizeof(oid));
	name[n] = cols[i].col ? cols[i].col : W.tabs[out->tab].col_min;
	name[n + 1] = index;
	if (val[1] == ':') {
		type = val[0] == 'i' ? ASN_INTEGER : val[0] == 'u' ? ASN_UNSIGNED
			: val[0] == 'a' ? ASN_IPADDRESS : ASN_OCTET_STR;
		memmove(val, val + 2, strlen(val + 2) + 1);
	}
	out->v = NULL;
	if (type == ASN_IPADDRESS && inet_pton(AF_INET, val, &a) == 1)
		snmp_varlist_add_variable(&out->v, name, n + 2, type, &a.s_addr, 4);
	else if (type == ASN_OCTET_STR)
		snmp_varlist_add_variable(&out->v, name, n + 2, type, val, strlen(val));
	else {
		l = strtol(val, NULL, 0);
		snmp_varlist_add_variable(&out->v, name, n + 2, type, &l, sizeof(l));
	}
	return 0;
}

static void pdu_mode(int mode, netsnmp_request_info *reqs, const struct vb *vbs, size_t n,
		     netsnmp_agent_request_info *ri)
{
	netsnmp_request_info *first[MIB_ISOL_N] = {NULL}, *last[MIB_ISOL_N] = {NULL};
	netsnmp_mib_handler h;
	int order[MIB_ISOL_N], n_order = 0, t, k;
	size_t i;

	/* group the requests by registration, in order of first appearance,
	 * as Net-SNMP's tree cache does */
	for (i = 0; i < n; i++) {
		t = vbs[i].tab;
		reqs[i].next = NULL;
		if (!first[t]) {
			first[t] = &reqs[i];
			order[n_order++] = t;
		} else {
			last[t]->next = &reqs[i];
		}
		last[t] = &reqs[i];
	}
	ri->mode = mode;
	for (k = 0; k < n_order; k++) {
		t = order[k];
		if (t == MIB_ISOL_OPER) {
			/* read-only registration: mibtab answers notWritable */
			memset(&h, 0, sizeof(h));
			h.myvoid = &W.tabs[t];
			if (mode == MODE_SET_RESERVE1)
				mibtab_handler(&h, NULL, ri, first[t]);
			continue;
		}
		memset(&h, 0, sizeof(h));
		h.myvoid = &W.tabs[t];
		mib_isol_set_handler()(&h, NULL, ri, first[t]);
	}
	show_ipt();
}

/* resent: the master sent the TestSet again, so RESERVE1 runs twice:
 * 1 the copy's right after the first, 2 the copy's RESERVE1 after RESERVE2
 * and its RESERVE2 after ACTION */
static void pdu_run(struct vb *vbs, size_t n, int resent)
{
	static const int modes[] = {MODE_SET_RESERVE1, MODE_SET_RESERVE2, MODE_SET_ACTION};
	netsnmp_agent_session asp;
	netsnmp_pdu pdu;
	netsnmp_agent_request_info ri;
	netsnmp_request_info *reqs = calloc(n ? n : 1, sizeof(*reqs));
	size_t i;
	int at = 0, err = 0, m;

	for (i = 0; i < n; i++) {
		reqs[i].requestvb = vbs[i].v;
		reqs[i].index = (int)i + 1;
	}
	memset(&asp, 0, sizeof(asp));
	memset(&pdu, 0, sizeof(pdu));
	memset(&ri, 0, sizeof(ri));
	pdu.transid = ++W.transid;
	asp.pdu = &pdu;
	ri.asp = &asp;
	for (m = 0; m < 3 && !at; m++) {
		pdu_mode(modes[m], reqs, vbs, n, &ri);
		if (resent == 1 && modes[m] == MODE_SET_RESERVE1)
			pdu_mode(modes[m], reqs, vbs, n, &ri);
		if (resent == 2 && modes[m] != MODE_SET_RESERVE1)
			pdu_mode(modes[m - 1], reqs, vbs, n, &ri);
		for (i = 0; i < n && !at; i++)
			if (reqs[i].status != SNMP_ERR_NOERROR) {
				at = (int)i + 1;
				err = reqs[i].status;
			}
	}
	pdu_mode(!at ? MODE_SET_COMMIT : m == 3 ? MODE_SET_UNDO : MODE_SET_FREE, reqs, vbs, n, &ri);
	if (at)
		fprintf(W.out, "set: %s (varbind %d)\n", snmp_err_name(err), at);
	else
		fprintf(W.out, "set: noError\n");
	free(reqs);
}

/* --- the script ------------------------------------------------------------------------- */

static int world_start(void)
{
	W.ipt = isolate_backend_recorder_new();
	if (W.ipt)
		isolate_recorder_set_listing(W.ipt, W.listing[0], W.listing[1]);
	W.ctx.isol = W.ipt ? mib_isol_new(W.dir, W.ipt, W.caps, W.ctx.tracker) : NULL;
	if (!W.ctx.isol)
		return -1;
	mib_isol_setup(W.tabs, &W.ctx);
	W.started = true;
	mib_isol_start(W.ctx.isol);
	show_ipt();
	return 0;
}

static void world_stop(void)
{
	mib_isol_free(W.ctx.isol);
	W.ctx.isol = NULL;
	isolate_backend_free(W.ipt);
	W.ipt = NULL;
	W.ipt_seen = 0;
	W.started = false;
}

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void file_append(const char *line)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", W.dir, ISOL_FILE);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

/*
 * Commands:
 *   caps all|LIST          capabilities (before start)
 *   file LINE              a line of the state file (before start)
 *   start                  vmibd starts: reads the file and installs it
 *   restart                vmibd stops and starts again
 *   listing PLAIN [| VERBOSE]  what "iptables -S" ("-S -v") answers; \n = newline
 *   restorefail on|off     iptables-restore fails
 *   set                    a PDU of the indented "TABLE.INDEX COL VALUE" lines
 *   table                  the tables and scalars
 *   file                   the state file
 *   counters               read vmibIsolMatchedPkts (a GET of rule 1's)
 */
static int script_line(char *line, char *why, size_t len)
{
	char a[64], *bar;

	fprintf(W.out, "> %s\n", line);
	if (sscanf(line, "caps %63s", a) == 1)
		return caps_from_string(strcmp(a, "all") ? a : "tbf,htb,netem,u32,iptables,brNetfilter",
					&W.caps);
	if (strncmp(line, "file ", 5) == 0) {
		file_append(line + 5);
		return 0;
	}
	if (strcmp(line, "file") == 0) {
		show_file();
		return 0;
	}
	if (strcmp(line, "start") == 0 || strcmp(line, "restart") == 0) {
		if (W.started)
			world_stop();
		return world_start() < 0 ? (snprintf(why, len, "cannot start"), -1) : 0;
	}
	if (strncmp(line, "listing ", 8) == 0 && W.ipt) {
		bar = strstr(line, " | ");
		if (bar)
			*bar = '\0';
		unescape(line + 8);
		if (bar)
			unescape(bar + 3);
		free(W.listing[0]);
		free(W.listing[1]);
		W.listing[0] = strdup(line + 8);
		W.listing[1] = bar ? strdup(bar + 3) : NULL;
		isolate_recorder_set_listing(W.ipt, W.listing[0], W.listing[1]);
		return 0;
	}
	if (sscanf(line, "restorefail %63s", a) == 1 && W.ipt) {
		isolate_recorder_fail_restore(W.ipt, strcmp(a, "on") == 0);
		return 0;
	}
	if (strcmp(line, "table") == 0) {
		show_tables();
		return 0;
	}
	if (strcmp(line, "counters") == 0) {
		struct mib_value v;
		oid q[MAX_OID_LEN];
		size_t n = W.tabs[MIB_ISOL_RULES].entry_len;

		memcpy(q, W.tabs[MIB_ISOL_RULES].entry, n * sizeof(oid));
		q[n] = VMIB_COL_vmibIsolMatchedPkts;
		q[n + 1] = 1;
		W.tabs[MIB_ISOL_RULES].prepare(&W.tabs[MIB_ISOL_RULES]);
		show_ipt();
		if (mibtab_get(&W.tabs[MIB_ISOL_RULES], q, n + 2, &v) == 0)
			fprintf(W.out, "matched 1: %llu\n",
				(unsigned long long)v.c64.high << 32 | v.c64.low);
		return 0;
	}
	snprintf(why, len, "unknown command '%s'", line);
	return -1;
}

static void remove_dir(const char *dir)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, ISOL_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.tmp", dir, ISOL_FILE);
	unlink(path);
	rmdir(dir);
}

static char *script_run(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL, why[300] = "", *out = NULL;
	struct vb vbs[64];
	size_t size = 0, n_vbs = 0, i;
	bool in_set = false;
	int resent = 0;
	int rc = 0;

	memset(&W, 0, sizeof(W));
	config_defaults(&W.cfg);
	W.caps = CAPS_ALL_KERNEL;
	snprintf(W.dir, sizeof(W.dir), "/tmp/vmib-isol-test.XXXXXX");
	if (!mkdtemp(W.dir) || loop_init() < 0) {
		free(copy);
		return NULL;
	}
	fake_virt_reset();
	W.ctx.cfg = &W.cfg;
	W.ctx.caps = W.caps;
	W.ctx.tracker = tracker_new(&W.cfg, &fake_virt_ops); /* vmibHostLastError */
	W.out = open_memstream(&out, &size);
	log_set_sink(log_sink, NULL);
	for (line = strtok_r(copy, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (in_set && line[0] != ' ') {
			pdu_run(vbs, n_vbs, resent);
			for (i = 0; i < n_vbs; i++)
				snmp_free_varbind(vbs[i].v);
			n_vbs = 0;
			in_set = false;
			show_host_error();
		}
		if (strcmp(line, "set") == 0 || strcmp(line, "set resent") == 0 ||
		    strcmp(line, "set resent-late") == 0) {
			fprintf(W.out, "> %s\n", line);
			in_set = true;
			resent = line[3] == '\0' ? 0 : line[10] == '\0' ? 1 : 2;
		} else if (in_set) {
			rc = n_vbs < 64 ? vb_parse(line, &vbs[n_vbs], why, sizeof(why)) : -1;
			if (rc == 0)
				n_vbs++;
		} else {
			rc = script_line(line, why, sizeof(why));
			show_host_error();
		}
	}
	if (rc == 0 && in_set) {
		pdu_run(vbs, n_vbs, resent);
		show_host_error();
	}
	for (i = 0; i < n_vbs; i++)
		snmp_free_varbind(vbs[i].v);
	if (rc < 0)
		fprintf(W.out, "SCRIPT ERROR: %s\n", why);
	log_set_sink(NULL, NULL);
	world_stop();
	free(W.listing[0]);
	free(W.listing[1]);
	tracker_free(W.ctx.tracker);
	loop_fini();
	config_free(&W.cfg);
	remove_dir(W.dir);
	fclose(W.out);
	free(copy);
	return out;
}

/* one tests/data/isol-mib/NAME.in: its transcript must be NAME.expected */
static bool script_case(const char *dir, const char *file)
{
	return testutil_script_case("isol-mib", dir, file, script_run);
}

static void isol_mib_data_cases_match_expected(void)
{
	char dir[PATH_MAX];
	int cases, failed = 0;
	DIR *d;

	d = testutil_data_open("isol-mib", dir, sizeof(dir));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	cases = testutil_data_run(d, dir, ".in", script_case, &failed);
	CU_ASSERT(cases >= 6); /* the data set is there, not an empty loop */
	CU_ASSERT_EQUAL(failed, 0);
}

/* --- the state file --------------------------------------------------------------------- */

static void isol_state_text_round_trip(void)
{
	struct isol_config c, back;
	struct isol_rule *r;
	struct isol_subnet *s;
	char why[200], *text, *again;
	const char *name = "proxy a%b \"c\"=d";

	isolstore_init(&c);
	c.default_action = ISOLATE_DROP;
	r = isolstore_rule_add(&c, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	r->r.src.addr.s_addr = htonl(0x0a010005);
	r->r.src.len = 32;
	r->r.dst.addr.s_addr = htonl(0x0a020000);
	r->r.dst.len = 24;
	r->r.action = ISOLATE_ACCEPT;
	snprintf(r->name, sizeof(r->name), "%s", name);
	/* (an insertion moves the rows: r is not used after this) */
	CU_ASSERT_PTR_NOT_NULL(isolstore_rule_add(&c, 2));
	isolstore_rule(&c, 2)->r.action = ISOLATE_DROP;
	s = isolstore_subnet_add(&c, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->p.addr.s_addr = htonl(0x0a010000);
	s->p.len = 24;
	text = isolstore_format(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(isolstore_parse(text, &back, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(back.n_rules, 2);
	CU_ASSERT_EQUAL(back.rules[0].r.index, 2); /* sorted */
	CU_ASSERT_STRING_EQUAL(back.rules[1].name, name);
	CU_ASSERT_EQUAL(back.default_action, ISOLATE_DROP);
	again = isolstore_format(&back);
	CU_ASSERT_STRING_EQUAL(again, text);
	free(text);
	free(again);
	isolstore_free(&back);
	isolstore_free(&c);
	/* a line it cannot read refuses the whole file, saying where */
	CU_ASSERT_EQUAL(isolstore_parse("default drop\n\nrule index=3 action=maybe\n", &back,
					why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "line 3: bad rule field 'action=maybe'");
	CU_ASSERT_EQUAL(isolstore_parse("subnet index=1 addr=10.0.0.0/8\nsubnet index=1 "
					"addr=10.1.0.0/16\n", &back, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "line 2: subnet 1 given twice");
	CU_ASSERT_EQUAL(isolstore_parse("rule index=4\n", &back, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "line 1: rule without action");
}

static void isol_state_file_replaced_atomically(void)
{
	char dir[] = "/tmp/vmib-isol-file.XXXXXX", sub[64], path[128], why[200];
	struct isol_config c, back;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/state", dir);   /* created on demand */
	CU_ASSERT_EQUAL(isolstore_load(sub, &back, why, sizeof(why)), 0);
	isolstore_init(&c);
	c.default_action = ISOLATE_DROP;
	CU_ASSERT_EQUAL(isolstore_prepare(sub, &c, why, sizeof(why)), 0);
	/* prepared but not committed: the old state (none) is what reads */
	CU_ASSERT_EQUAL(isolstore_load(sub, &back, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(isolstore_commit(sub, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(isolstore_load(sub, &back, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(back.default_action, ISOLATE_DROP);
	isolstore_free(&back);
	/* a discarded change leaves the committed file */
	c.default_action = ISOLATE_ACCEPT;
	CU_ASSERT_EQUAL(isolstore_prepare(sub, &c, why, sizeof(why)), 0);
	isolstore_discard(sub);
	CU_ASSERT_EQUAL(isolstore_load(sub, &back, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(back.default_action, ISOLATE_DROP);
	isolstore_free(&back);
	snprintf(path, sizeof(path), "%s/%s", sub, ISOL_FILE);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

static const struct unit_test isol_tests[] = {
	UNIT_TEST(isol_mib_data_cases_match_expected),
	UNIT_TEST(isol_state_text_round_trip),
	UNIT_TEST(isol_state_file_replaced_atomically),
	{NULL, NULL},
};

UNIT_SUITE(agent_isol, NULL, NULL, isol_tests)
