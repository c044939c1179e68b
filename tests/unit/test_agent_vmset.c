/*
 * test_agent_set.c - SETs on vmibVmTable and vmibVifTable through their
 * Net-SNMP handlers, mode by mode as an AgentX subagent is driven (fresh
 * requests in every mode, one transaction id per PDU), on the fake
 * hypervisor, whose log records every libvirt call of the SET side.
 *
 * What is checked: which check refuses what, with which SNMP error and on
 * which varbind; that a refused PDU calls nothing; what each phase calls,
 * in order; that a failing ACTION and an UNDO leave nothing behind; that
 * COMMIT does the irreversible part; the cache after each SET; and the
 * control thread's bounded wait (a late success is undone).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "control_thread.h"
#include "loop.h"
#include "mib_tables.h"
#include "migrate.h"
#include "shapestore.h"
#include "test_agent_fake_virt.h"
#include "unit.h"
#include "vmib_oids.h"
#include "vmset.h"
#include "vmset_int.h"
#include "stop_deadline.h"
#include "read_thread.h"

enum { TVM, TVIF };

static struct {
	char state_dir[64];
	struct vmibd_config cfg;
	struct images images;
	struct agent_ctx ctx;
	struct mibtab tab[2];
	netsnmp_mib_handler handler[2];
	long transid;
} W;

static const char *T_hv_type = "QEMU";

static bool test_bridge(const char *name)
{
	return strcmp(name, "br0") == 0 || strcmp(name, "br1") == 0;
}

static void add_image(void)
{
	struct image *img = calloc(1, sizeof(*img));

	snprintf(img->name, sizeof(img->name), "vmib-test");
	snprintf(img->arch, sizeof(img->arch), "x86_64");
	snprintf(img->dir, sizeof(img->dir), "/images/vmib-test");
	snprintf(img->kernel_file, sizeof(img->kernel_file), "vmlinuz");
	snprintf(img->initrd_file, sizeof(img->initrd_file), "initrd.img");
	snprintf(img->cmdline, sizeof(img->cmdline), "console=ttyS0 quiet");
	W.images.list = img;
	W.images.n = 1;
}

static int setup_with(bool threaded)
{
	char err[128];

	memset(&W, 0, sizeof(W));
	config_defaults(&W.cfg);
	free(W.cfg.libvirt_uri);
	W.cfg.libvirt_uri = strdup("fake:///");
	config_set(&W.cfg, "bridge", "br0,br1", err, sizeof(err));
	config_set(&W.cfg, "peer", "h2 qemu+tcp://10.0.0.2/system", err, sizeof(err));
	config_set(&W.cfg, "peer", "fakehost qemu+tcp://10.0.0.1/system", err, sizeof(err));
	W.cfg.set_timeout_ms = 300;
	/* shutdown deadlines are kept there (vmstop.c) */
	snprintf(W.state_dir, sizeof(W.state_dir), "/tmp/vmib-unit-state.XXXXXX");
	if (!mkdtemp(W.state_dir))
		return -1;
	free(W.cfg.state_dir);
	W.cfg.state_dir = strdup(W.state_dir);
	W.cfg.stats_max_age_ms = 10; /* free memory is read with the counters */
	log_set_level(LOG_CRIT); /* the refusals logged are checked in LastError */
	fake_virt_reset();
	fake_virt.hv_type = T_hv_type;
	fake_virt.migration = true;
	fake_virt.mem_free_kib = 8u << 20; /* host() and the counters: 8 GiB */
	fake_virt_add(1, "alpha", VIR_DOMAIN_RUNNING, 1, 10);
	fake_virt_add(2, "beta", VIR_DOMAIN_SHUTOFF, 0, 3);
	if (loop_init() < 0 || worker_start(false) < 0 ||
	    ctl_start(&W.cfg, &fake_virt_ops, threaded) < 0)
		return -1;
	images_init(&W.images, "/images");
	add_image();
	W.ctx.cfg = &W.cfg;
	W.ctx.images = &W.images;
	W.ctx.tracker = tracker_new(&W.cfg, &fake_virt_ops);
	if (!W.ctx.tracker)
		return -1;
	tracker_start(W.ctx.tracker);
	vmset_init(&W.ctx);
	migrate_init(&W.ctx);
	vmstop_init(&W.ctx);
	mib_vm_setup(&W.tab[TVM], &W.ctx);
	mib_vif_setup(&W.tab[TVIF], &W.ctx);
	W.handler[TVM].myvoid = &W.tab[TVM];
	W.handler[TVIF].myvoid = &W.tab[TVIF];
	vmset_bridge_exists = test_bridge;
	fake_virt.log[0] = '\0';
	return 0;
}

static int setup(void)
{
	return setup_with(false);
}

static void teardown(void)
{
	vmset_fini();
	ctl_stop();
	vmstop_fini();
	migrate_fini();
	tracker_stop(W.ctx.tracker);
	worker_stop();
	tracker_free(W.ctx.tracker);
	images_clear(&W.images);
	loop_fini();
	config_free(&W.cfg);
	log_set_level(LOG_INFO);
	if (W.state_dir[0]) {
		char path[128];

		snprintf(path, sizeof(path), "%s/shutdown-deadlines", W.state_dir);
		unlink(path);
		rmdir(W.state_dir);
	}
}

/* --- a SET PDU ------------------------------------------------------------------- */

#define MAX_VB 48

struct tpdu {
	netsnmp_variable_list *vb[MAX_VB];
	int table[MAX_VB];
	int n;
};

static void add(struct tpdu *p, int table, unsigned int col, oid vm, oid vif, u_char type,
		const void *val, size_t len)
{
	static const oid vm_entry[] = {VMIB_OID_vmibVmEntry};
	static const oid vif_entry[] = {VMIB_OID_vmibVifEntry};
	const oid *entry = table == TVM ? vm_entry : vif_entry;
	size_t elen = table == TVM ? OID_LENGTH(vm_entry) : OID_LENGTH(vif_entry), n = elen;
	oid name[MAX_OID_LEN];
	netsnmp_variable_list *vb = calloc(1, sizeof(*vb));

	memcpy(name, entry, elen * sizeof(oid));
	name[n++] = col;
	name[n++] = vm;
	if (table == TVIF)
		name[n++] = vif;
	snmp_set_var_objid(vb, name, n);
	snmp_set_var_typed_value(vb, type, val, len);
	p->table[p->n] = table;
	p->vb[p->n++] = vb;
}

static void vi(struct tpdu *p, int table, unsigned int col, oid vm, oid vif, long v)
{
	add(p, table, col, vm, vif, ASN_INTEGER, &v, sizeof(v));
}

static void vu(struct tpdu *p, int table, unsigned int col, oid vm, oid vif, unsigned long v)
{
	add(p, table, col, vm, vif, ASN_UNSIGNED, &v, sizeof(v));
}

static void vs(struct tpdu *p, int table, unsigned int col, oid vm, oid vif, const char *s)
{
	add(p, table, col, vm, vif, ASN_OCTET_STR, s, strlen(s));
}

static void va(struct tpdu *p, unsigned int col, oid vm, oid vif, const char *dotted)
{
	uint8_t a[4];

	inet_pton(AF_INET, dotted, a);
	add(p, TVIF, col, vm, vif, ASN_IPADDRESS, a, 4);
}

static void pdu_free(struct tpdu *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		snmp_free_var(p->vb[i]);
	p->n = 0;
}

/* one mode: each handler with its requests, built afresh as the AgentX
 * subagent does, tables in the order of their first varbind; returns the
 * error of the lowest varbind (its 1-based position in *index) */
static int mode(struct tpdu *p, int m, int *index)
{
	netsnmp_request_info req[MAX_VB];
	netsnmp_agent_request_info reqinfo;
	netsnmp_agent_session asp;
	netsnmp_pdu pdu;
	netsnmp_request_info *head[2] = {NULL, NULL}, *tail[2] = {NULL, NULL};
	int order[2] = {-1, -1}, n_order = 0, i, t;

	memset(req, 0, sizeof(req));
	memset(&reqinfo, 0, sizeof(reqinfo));
	memset(&asp, 0, sizeof(asp));
	memset(&pdu, 0, sizeof(pdu));
	pdu.transid = W.transid;
	asp.pdu = &pdu;
	reqinfo.asp = &asp;
	reqinfo.mode = m;
	for (i = 0; i < p->n; i++) {
		t = p->table[i];
		req[i].requestvb = p->vb[i];
		req[i].index = i + 1;
		if (tail[t])
			tail[t]->next = &req[i];
		else
			head[t] = &req[i];
		tail[t] = &req[i];
		if (order[0] != t && order[1] != t)
			order[n_order++] = t;
	}
	for (i = 0; i < n_order; i++)
		(order[i] == TVM ? vmset_vm_handler : vmset_vif_handler)(
			&W.handler[order[i]], NULL, &reqinfo, head[order[i]]);
	for (i = 0; i < p->n; i++) {
		if (req[i].status) {
			*index = i + 1;
			return req[i].status;
		}
	}
	*index = 0;
	return 0;
}

/* the whole SET as Net-SNMP runs it; undo_anyway: another subagent's
 * varbind failed after this one's ACTION (UndoSet) */
static int run_set(struct tpdu *p, int *index, bool undo_anyway)
{
	int rc, ignore;

	W.transid++;
	rc = mode(p, MODE_SET_RESERVE1, index);
	if (!rc)
		rc = mode(p, MODE_SET_RESERVE2, index);
	if (rc) {
		mode(p, MODE_SET_FREE, &ignore);
		return rc;
	}
	rc = mode(p, MODE_SET_ACTION, index);
	if (rc || undo_anyway) {
		mode(p, MODE_SET_UNDO, &ignore);
		return rc;
	}
	mode(p, MODE_SET_COMMIT, &ignore);
	return 0;
}

static int run(struct tpdu *p, int *index)
{
	int rc = run_set(p, index, false);

	pdu_free(p);
	return rc;
}

static const struct vm *cached(int32_t index)
{
	return vmcache_get(tracker_cache(W.ctx.tracker), index);
}

static void create_vm(struct tpdu *p, oid ix, const char *name)
{
	vi(p, TVM, VMIB_COL_vmibVmRowStatus, ix, 0, VMIB_ENUM_vmibVmRowStatus_createAndGo);
	vs(p, TVM, VMIB_COL_vmibVmName, ix, 0, name);
	vs(p, TVM, VMIB_COL_vmibVmImage, ix, 0, "vmib-test");
}

static void create_vif(struct tpdu *p, oid ix, oid vif, const char *mac, const char *addr)
{
	uint8_t m[6];
	unsigned int b[6];

	vi(p, TVIF, VMIB_COL_vmibVifRowStatus, ix, vif, VMIB_ENUM_vmibVifRowStatus_createAndGo);
	if (mac) {
		sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
		for (int k = 0; k < 6; k++)
			m[k] = (uint8_t)b[k];
		add(p, TVIF, VMIB_COL_vmibVifMac, ix, vif, ASN_OCTET_STR, m, 6);
	}
	if (addr) {
		va(p, VMIB_COL_vmibVifAddr, ix, vif, addr);
		vu(p, TVIF, VMIB_COL_vmibVifPrefixLen, ix, vif, 24);
	}
}

static void expect_log(const char *want, int line)
{
	if (strcmp(fake_virt.log, want) != 0)
		fprintf(stderr, "\n    line %d: libvirt calls were:\n%s", line, fake_virt.log);
	CU_ASSERT_STRING_EQUAL(fake_virt.log, want);
}
#define EXPECT_LOG(s) expect_log(s, __LINE__)

static bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

/* --- creation ------------------------------------------------------------------------- */

static void set_create_defines_and_starts_with_vifs(void)
{
	struct tpdu p = {0};
	const struct vm *vm;
	struct fake_dom *d;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 5, "web1");
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 5, 0, 65536);
	vu(&p, TVM, VMIB_COL_vmibVmVcpus, 5, 0, 2);
	create_vif(&p, 5, 1, "52:54:00:00:00:11", "10.1.0.5");
	vs(&p, TVIF, VMIB_COL_vmibVifRoutes, 5, 1, "10.2.0.0/24,10.1.0.1");
	create_vif(&p, 5, 2, "52:54:00:00:00:12", NULL);
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 5, 2, "br1");
	va(&p, VMIB_COL_vmibVifAddr, 5, 2, "10.3.0.5");
	vu(&p, TVIF, VMIB_COL_vmibVifPrefixLen, 5, 2, 16);
	vs(&p, TVIF, VMIB_COL_vmibVifRoutes, 5, 2, "10.4.0.9/32");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define web1\nstart web1\n");
	vm = cached(5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_STRING_EQUAL(vm->name, "web1");
	CU_ASSERT_EQUAL(vm->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_STRING_EQUAL(vm->image, "vmib-test");
	CU_ASSERT_EQUAL(vm->admin, VM_ADMIN_RUNNING);
	CU_ASSERT_EQUAL(vm->max_mem_kib, 65536);
	CU_ASSERT_EQUAL(vm->vcpus, 2);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 2);
	CU_ASSERT_EQUAL(vm->vifs[0].index, 1);
	CU_ASSERT_STRING_EQUAL(vm->vifs[0].routes, "10.2.0.0/24,10.1.0.1");
	CU_ASSERT_EQUAL(vm->vifs[0].prefix_len, 24);
	CU_ASSERT_STRING_EQUAL(vm->vifs[1].bridge, "br1");
	CU_ASSERT_EQUAL(vm->vifs[1].mac[5], 0x12);
	d = fake_virt_find("web1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<cmdline>console=ttyS0 quiet vmib.hostname=web1 "
					      "vmib.ip=eth0:10.1.0.5/24 "
					      "vmib.route=10.2.0.0/24,10.1.0.1 "
					      "vmib.ip=eth1:10.3.0.5/16 "
					      "vmib.route=10.4.0.9/32,dev:eth1</cmdline>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<domain type=\"qemu\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<kernel>/images/vmib-test/vmlinuz</kernel>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<rom enabled=\"no\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<model type=\"virtio\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->meta, "index=\"5\""));
	teardown();
}

static void set_create_defaults_one_vif_on_the_first_bridge(void)
{
	struct tpdu p = {0};
	const struct vm *vm;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 6, "small");
	vi(&p, TVIF, VMIB_COL_vmibVifRowStatus, 6, 1, VMIB_ENUM_vmibVifRowStatus_createAndGo);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	vm = cached(6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm->max_mem_kib, 131072);
	CU_ASSERT_EQUAL(vm->vcpus, 1);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 1);
	CU_ASSERT_STRING_EQUAL(vm->vifs[0].bridge, "br0");
	/* a MAC of QEMU's range, chosen by vmibd */
	CU_ASSERT_TRUE(vm->vifs[0].has_mac && vm->vifs[0].mac[0] == 0x52 &&
		       vm->vifs[0].mac[1] == 0x54 && vm->vifs[0].mac[2] == 0x00);
	teardown();
}

static void set_create_with_weight_and_cap_in_one_pdu(void)
{
	struct tpdu p = {0};
	struct fake_dom *d;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 7, "tuned");
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 7, 0, 256);
	vu(&p, TVM, VMIB_COL_vmibVmSchedCapPercent, 7, 0, 50);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 7, 0, VMIB_ENUM_vmibVmAdminState_paused);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define tuned\nstart-paused tuned\n");
	d = fake_virt_find("tuned");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<cputune>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<shares>256</shares>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<quota>50000</quota>"));
	CU_ASSERT_EQUAL(cached(7)->state, VIR_DOMAIN_PAUSED);
	CU_ASSERT_EQUAL(cached(7)->admin, VM_ADMIN_PAUSED);
	teardown();
}

static void set_create_shutoff_only_defines(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 8, "later");
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 8, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define later\n");
	CU_ASSERT_EQUAL(cached(8)->state, VIR_DOMAIN_SHUTOFF);
	teardown();
}

/* a refused creation: error, varbind, reason in vmibHostLastError, no call */
static void expect_refused(struct tpdu *p, int err, int at, const char *why)
{
	int ix = -1, rc = run(p, &ix);

	if (rc != err || ix != at)
		fprintf(stderr, "\n    got error %d at %d, expected %d at %d\n", rc, ix, err, at);
	CU_ASSERT_EQUAL(rc, err);
	CU_ASSERT_EQUAL(ix, at);
	EXPECT_LOG("");
	if (why && !strstr(tracker_host(W.ctx.tracker)->last_error, why)) {
		fprintf(stderr, "\n    last error: %s\n", tracker_host(W.ctx.tracker)->last_error);
		CU_FAIL("reason not in vmibHostLastError");
	}
}

/* VMIB-MIB vmibImageMinMemoryKBytes: below the image's memoryMiB, refused */
static void set_create_below_the_image_minimum_is_refused(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	W.images.list[0].min_memory_mib = 128;
	create_vm(&p, 5, "small");
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 5, 0, 96 * 1024);
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 4,
		       "image vmib-test needs at least 128 MiB (its memoryMiB), not 98304 KiB");
	create_vm(&p, 5, "enough");
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 5, 0, 128 * 1024);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_NOERROR);
	teardown();
}

static void set_create_refusals_change_nothing(void)
{
	struct tpdu p = {0};

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	/* no name */
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 5, 0, VMIB_ENUM_vmibVmRowStatus_createAndGo);
	vs(&p, TVM, VMIB_COL_vmibVmImage, 5, 0, "vmib-test");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 1, "needs vmibVmName");
	/* unknown image */
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 5, 0, VMIB_ENUM_vmibVmRowStatus_createAndGo);
	vs(&p, TVM, VMIB_COL_vmibVmName, 5, 0, "x");
	vs(&p, TVM, VMIB_COL_vmibVmImage, 5, 0, "nosuch");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 3, "no image nosuch");
	/* duplicate name, index in use */
	create_vm(&p, 5, "alpha");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 2, "taken by a domain");
	create_vm(&p, 10, "fresh");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 1, "in use");
	/* two new VMs with the same name */
	create_vm(&p, 5, "twin");
	create_vm(&p, 6, "twin");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 2, "another VM of this PDU");
	/* a migration target at creation */
	create_vm(&p, 5, "x");
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 5, 0, "h2");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 4, "cannot migrate");
	/* vCPUs above the hypervisor's */
	create_vm(&p, 5, "x");
	vu(&p, TVM, VMIB_COL_vmibVmVcpus, 5, 0, 100);
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 4, "allows 64 vCPUs");
	/* vif problems */
	create_vm(&p, 5, "x");
	create_vif(&p, 5, 1, NULL, NULL);
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 5, 1, "virbr9");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 5, "not one of vmibd's bridges");
	create_vm(&p, 5, "x");
	create_vif(&p, 5, 1, "52:00:00:00:00:04", NULL); /* alpha's vif */
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 5, "is used by another vif");
	create_vm(&p, 5, "x");
	create_vif(&p, 5, 1, NULL, NULL);
	va(&p, VMIB_COL_vmibVifAddr, 5, 1, "10.1.0.9");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 5, "needs a vmibVifPrefixLen");
	create_vm(&p, 5, "x");
	create_vif(&p, 5, 1, NULL, "10.1.0.9");
	vs(&p, TVIF, VMIB_COL_vmibVifRoutes, 5, 1, "10.2.0.0/24,10.9.9.1");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 7, "outside 10.1.0.9/24");
	create_vm(&p, 5, "x");
	create_vif(&p, 5, 1, NULL, NULL);
	vs(&p, TVIF, VMIB_COL_vmibVifRoutes, 5, 1, "10.2.0.0/24");
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 5, "need a vmibVifAddr");
	/* a vif row of the new VM without createAndGo */
	create_vm(&p, 5, "x");
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 5, 1, "br0");
	expect_refused(&p, SNMP_ERR_INCONSISTENTNAME, 4, NULL);
	/* a vif of a VM that neither exists nor is created */
	create_vif(&p, 77, 1, NULL, NULL);
	expect_refused(&p, SNMP_ERR_INCONSISTENTNAME, 1, "neither exists nor is created");
	/* a column of a VM that does not exist */
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 77, 0, 100);
	expect_refused(&p, SNMP_ERR_INCONSISTENTNAME, 1, "there is no VM 77");
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 77, 0, VMIB_ENUM_vmibVmRowStatus_active);
	expect_refused(&p, SNMP_ERR_INCONSISTENTVALUE, 1, "there is no VM 77");
	CU_ASSERT_EQUAL(vmcache_count(tracker_cache(W.ctx.tracker)), 2);
	teardown();
}

static void set_create_without_free_memory_is_resource_unavailable(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	fake_virt.mem_free_kib = 100000;
	usleep(20000);
	create_vm(&p, 5, "big");
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 5, 0, 65536);
	create_vm(&p, 6, "big2");
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 6, 0, 65536);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_RESOURCEUNAVAILABLE);
	CU_ASSERT_EQUAL(ix, 8); /* the second one does not fit any more */
	EXPECT_LOG("");
	/* defined without starting: no memory needed */
	create_vm(&p, 5, "big");
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 5, 0, 1u << 30);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 5, 0, VMIB_ENUM_vmibVmAdminState_destroyed);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define big\n");
	teardown();
}

/* --- RESERVE1: syntax -------------------------------------------------------------------- */

static void expect_r1(struct tpdu *p, int err)
{
	int ix = -1;

	CU_ASSERT_EQUAL(run(p, &ix), err);
	CU_ASSERT_EQUAL(ix, 1);
	EXPECT_LOG("");
}

static void set_reserve1_checks_syntax(void)
{
	static const oid bad_len[] = {VMIB_OID_vmibVmEntry, VMIB_COL_vmibVmName, 5, 1};
	struct tpdu p = {0};
	char longname[300];
	uint8_t mcast[6] = {0x01, 0, 0x5e, 0, 0, 1}, mac5[5] = {0x52, 0, 0, 0, 1};
	long v = 1;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vs(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 10, 0, "lots");
	expect_r1(&p, SNMP_ERR_WRONGTYPE);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	vs(&p, TVM, VMIB_COL_vmibVmName, 5, 0, longname);
	expect_r1(&p, SNMP_ERR_WRONGLENGTH);
	vs(&p, TVM, VMIB_COL_vmibVmName, 5, 0, "");
	expect_r1(&p, SNMP_ERR_WRONGLENGTH);
	vs(&p, TVM, VMIB_COL_vmibVmName, 5, 0, "a b");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmName, 5, 0, "x;rm");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmImage, 5, 0, "");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmImage, 5, 0, "a\x01");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 5, 0, 1000);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmVcpus, 5, 0, 0);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmVcpus, 5, 0, 257);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 5, 0, 5);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 5, 0, 0);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 5, 0, 65536);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmSchedCapPercent, 5, 0, 6401);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 5, 0, "h2 now");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 5, 0, "qemu+ssh://h2/system'x");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmMigrateLive, 5, 0, 3);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 5, 0, VMIB_ENUM_vmibVmRowStatus_createAndWait);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 5, 0, VMIB_ENUM_vmibVmRowStatus_notReady);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 5, 0, VMIB_ENUM_vmibVmRowStatus_notInService);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmUuid, 10, 0, "x");
	expect_r1(&p, SNMP_ERR_NOTWRITABLE);
	vu(&p, TVM, VMIB_COL_vmibVmOperState, 10, 0, 2);
	expect_r1(&p, SNMP_ERR_NOTWRITABLE);
	vi(&p, TVM, 1, 10, 0, 1);
	expect_r1(&p, SNMP_ERR_NOACCESS);
	vs(&p, TVM, VMIB_COL_vmibVmName, 0, 0, "x");
	expect_r1(&p, SNMP_ERR_NOCREATION);
	add(&p, TVM, 0, 0, 0, ASN_INTEGER, &v, sizeof(v));
	snmp_set_var_objid(p.vb[0], bad_len, OID_LENGTH(bad_len));
	expect_r1(&p, SNMP_ERR_NOCREATION);
	/* the reason names the instance sent, not vmibVmName.0 */
	CU_ASSERT_TRUE(has(tracker_host(W.ctx.tracker)->last_error, "vmibVmName.5.1"));
	vs(&p, TVM, VMIB_COL_vmibVmName, 2147483648u, 0, "x");
	expect_r1(&p, SNMP_ERR_NOCREATION);
	CU_ASSERT_TRUE(has(tracker_host(W.ctx.tracker)->last_error, "vmibVmName.2147483648"));
	add(&p, TVIF, VMIB_COL_vmibVifMac, 5, 1, ASN_OCTET_STR, mcast, 6);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	add(&p, TVIF, VMIB_COL_vmibVifMac, 5, 1, ASN_OCTET_STR, mac5, 5);
	expect_r1(&p, SNMP_ERR_WRONGLENGTH);
	va(&p, VMIB_COL_vmibVifAddr, 5, 1, "224.0.0.5");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	va(&p, VMIB_COL_vmibVifAddr, 5, 1, "127.0.0.2");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	va(&p, VMIB_COL_vmibVifAddr, 5, 1, "255.255.255.255");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVIF, VMIB_COL_vmibVifPrefixLen, 5, 1, 33);
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVIF, VMIB_COL_vmibVifRoutes, 5, 1, "10.2.0.1/24,10.1.0.1");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVIF, VMIB_COL_vmibVifRoutes, 5, 1, "10.2.0.0/24;;");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 5, 1, "br0 x");
	expect_r1(&p, SNMP_ERR_WRONGVALUE);
	vu(&p, TVIF, VMIB_COL_vmibVifRxOctets, 5, 1, 1);
	expect_r1(&p, SNMP_ERR_NOTWRITABLE);
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 5, 0, "br0");
	expect_r1(&p, SNMP_ERR_NOCREATION);
	teardown();
}

/* --- ACTION failures and UNDO -------------------------------------------------------------- */

static void set_action_failure_undoes_the_whole_pdu(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	snprintf(fake_virt.fail_on, sizeof(fake_virt.fail_on), "define vm22");
	create_vm(&p, 21, "vm21");
	create_vm(&p, 22, "vm22");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_COMMITFAILED);
	CU_ASSERT_EQUAL(ix, 4); /* vm22's RowStatus carries the define */
	/* the starts are COMMIT steps: never reached */
	EXPECT_LOG("define vm21\ndefine vm22 -> refused\nundefine vm21\n");
	CU_ASSERT_PTR_NULL(cached(21));
	CU_ASSERT_PTR_NULL(cached(22));
	CU_ASSERT_PTR_NULL(fake_virt_find("vm21"));
	CU_ASSERT_PTR_NULL(fake_virt_find("vm22"));
	CU_ASSERT_TRUE(has(tracker_host(W.ctx.tracker)->last_error, "refused"));
	teardown();
}

static void set_undo_restores_what_action_changed(void)
{
	struct tpdu p = {0};
	struct fake_dom *alpha;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	alpha = fake_virt_find("alpha");
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 10, 0, 256);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_paused);
	create_vm(&p, 5, "fresh");
	CU_ASSERT_EQUAL(run_set(&p, &ix, true), 0);
	pdu_free(&p);
	/* the start of fresh is a COMMIT step: an undone PDU never starts it */
	EXPECT_LOG("suspend alpha\nmetadata alpha\nsched alpha cpu_shares=256\n"
		   "define fresh\n"
		   "undefine fresh\nsched alpha cpu_shares=1024\n"
		   "metadata alpha\nresume alpha\n");
	CU_ASSERT_EQUAL(alpha->sched.p[0].u, 1024);
	CU_ASSERT_EQUAL(alpha->tmpl.state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_PTR_NULL(cached(5));
	teardown();
}

static void set_destroy_is_undone_before_power_off(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	snprintf(fake_virt.fail_on, sizeof(fake_virt.fail_on), "metadata beta");
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 10, 0, VMIB_ENUM_vmibVmRowStatus_destroy);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 3, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_COMMITFAILED);
	CU_ASSERT_EQUAL(ix, 2);
	/* undefined in ACTION, defined again by UNDO; never powered off */
	EXPECT_LOG("undefine alpha\nmetadata beta -> refused\ndefine alpha\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(10));
	CU_ASSERT_TRUE(cached(10)->persistent);
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_TRUE(has(cached(3)->last_error, "refused"));
	teardown();
}

/* A start is a COMMIT step (vmplan.h): one that libvirt refuses does not
 * fail the PDU; the VM stays defined and shut off, with the reason in its
 * LastError and the host's */
static void set_start_refused_in_commit_keeps_the_vm(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	snprintf(fake_virt.fail_on, sizeof(fake_virt.fail_on), "start vm22");
	create_vm(&p, 21, "vm21");
	create_vm(&p, 22, "vm22");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define vm21\ndefine vm22\nstart vm21\nstart vm22 -> refused\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(21));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(22));
	CU_ASSERT_EQUAL(cached(21)->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(cached(22)->state, VIR_DOMAIN_SHUTOFF);
	CU_ASSERT_EQUAL(vm_admin_vmib(cached(22)), VM_ADMIN_RUNNING);
	CU_ASSERT_TRUE(has(cached(22)->last_error, "start vm22"));
	CU_ASSERT_TRUE(has(cached(22)->last_error, "refused"));
	CU_ASSERT_PTR_NULL(cached(21)->last_error);
	CU_ASSERT_TRUE(has(tracker_host(W.ctx.tracker)->last_error, "refused"));
	teardown();
}

/* the master sends a TestSet again when vmibd answered it too late: the
 * subagent runs RESERVE1 of the copy before RESERVE2 of the first, and the
 * PDU must still be checked (and done) once */
static void set_retransmitted_testset_is_ignored(void)
{
	struct tpdu p = {0};
	int ix, ignore;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 23, "vm23");
	create_vif(&p, 23, 1, NULL, "10.9.0.23");
	W.transid++;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1, &ix), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1, &ix), 0);   /* the copy */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2, &ix), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2, &ix), 0);   /* the copy's */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_ACTION, &ix), 0);
	mode(&p, MODE_SET_COMMIT, &ignore);
	pdu_free(&p);
	EXPECT_LOG("define vm23\nstart vm23\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(23));
	CU_ASSERT_EQUAL(cached(23)->state, VIR_DOMAIN_RUNNING);
	/* a copy read after RESERVE2, and one read after ACTION: the PDU
	 * is neither reset nor checked again */
	fake_virt.log[0] = '\0';
	create_vm(&p, 24, "vm24");
	W.transid++;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1, &ix), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2, &ix), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1, &ix), 0);   /* the copy */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_ACTION, &ix), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2, &ix), 0);   /* the copy's */
	mode(&p, MODE_SET_COMMIT, &ignore);
	pdu_free(&p);
	EXPECT_LOG("define vm24\nstart vm24\n");
	CU_ASSERT_PTR_NOT_NULL(cached(24));
	/* and the next PDU is collected as usual */
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 23, 0, 512);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	teardown();
}

static void set_destroy_undefines_then_powers_off(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 10, 0, VMIB_ENUM_vmibVmRowStatus_destroy);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 3, 0, VMIB_ENUM_vmibVmRowStatus_destroy);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 44, 0, VMIB_ENUM_vmibVmRowStatus_destroy);
	vi(&p, TVIF, VMIB_COL_vmibVifRowStatus, 44, 1, VMIB_ENUM_vmibVifRowStatus_destroy);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("undefine alpha\nundefine beta\ndestroy alpha\n");
	CU_ASSERT_PTR_NULL(cached(10));
	CU_ASSERT_PTR_NULL(cached(3));
	/* destroy and other columns of the same row */
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 77, 0, VMIB_ENUM_vmibVmRowStatus_destroy);
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 77, 0, 9);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	CU_ASSERT_EQUAL(ix, 2);
	teardown();
}

/* --- administrative state, scheduler -------------------------------------------------- */

/* resumed behind the cache's back (its lifecycle event not read yet): the
 * SET asks for the state the VM is in, so it succeeds with no resume, and
 * nothing is undone */
static void set_admin_resume_already_running(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_paused);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_PAUSED);
	fake_virt_find("alpha")->tmpl.state = VIR_DOMAIN_RUNNING;
	fake_virt.log[0] = '\0';
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("metadata alpha\n");
	CU_ASSERT_EQUAL(fake_virt_find("alpha")->tmpl.state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(vm_admin_vmib(cached(10)), VM_ADMIN_RUNNING);
	CU_ASSERT_PTR_NULL(cached(10)->last_error);
	teardown();
}

static void set_admin_state_transitions(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_paused);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("suspend alpha\nmetadata alpha\n");
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_PAUSED);
	CU_ASSERT_EQUAL(vm_admin_vmib(cached(10)), VM_ADMIN_PAUSED);
	fake_virt.log[0] = '\0';
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("resume alpha\nmetadata alpha\n");
	/* the current value: nothing */
	fake_virt.log[0] = '\0';
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("");
	/* shutoff: the power button at COMMIT, a deadline armed */
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("metadata alpha\nshutdown alpha\n");
	CU_ASSERT_EQUAL(vmstop_pending(), 1);
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_RUNNING);
	/* destroyed: powered off at COMMIT, the deadline is void */
	fake_virt.log[0] = '\0';
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_destroyed);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("metadata alpha\ndestroy alpha\n");
	CU_ASSERT_EQUAL(vmstop_pending(), 0);
	CU_ASSERT_EQUAL(cached(10)->state, VIR_DOMAIN_SHUTOFF);
	CU_ASSERT_EQUAL(vm_admin_vmib(cached(10)), VM_ADMIN_DESTROYED);
	/* started again; then not enough memory to start beta */
	fake_virt.log[0] = '\0';
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("metadata alpha\nstart alpha\n");
	fake_virt.log[0] = '\0';
	fake_virt.mem_free_kib = 1000;
	usleep(20000); /* the counters (and free memory) are then too old */
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 3, 0, VMIB_ENUM_vmibVmAdminState_paused);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_RESOURCEUNAVAILABLE);
	EXPECT_LOG("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(3)->last_error);
	CU_ASSERT_TRUE(has(cached(3)->last_error, "KiB free"));
	teardown();
}

static void set_shutoff_deadline_powers_off(void)
{
	struct tpdu p = {0};
	int ix, i;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	W.cfg.shutdown_timeout_s = 0;
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	for (i = 0; i < 5 && vmstop_pending(); i++)
		loop_iterate(20);
	EXPECT_LOG("metadata alpha\nshutdown alpha\ndestroy alpha\n");
	/* a guest that obeys the button is not powered off */
	fake_virt.acpi_works = true;
	fake_virt.log[0] = '\0';
	W.cfg.shutdown_timeout_s = 0;
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	for (i = 0; i < 5 && vmstop_pending(); i++)
		loop_iterate(20);
	EXPECT_LOG("metadata alpha\nstart alpha\nmetadata alpha\nshutdown alpha\n");
	teardown();
}

static size_t file_lines(const char *path)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/* a deadline outlives a vmibd restart (the state file), and one read back
 * powers off only a VM whose admin state still reads shutoff */
static void set_shutoff_deadline_survives_a_restart(void)
{
	struct tpdu p = {0};
	char path[128];
	int ix, i;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	snprintf(path, sizeof(path), "%s/shutdown-deadlines", W.state_dir);
	W.cfg.shutdown_timeout_s = 1;
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	CU_ASSERT_EQUAL(vmstop_pending(), 1);
	CU_ASSERT_EQUAL(file_lines(path), 1);
	/* vmibd stops before the deadline and starts again */
	vmstop_fini();
	CU_ASSERT_EQUAL(vmstop_pending(), 0);
	vmstop_init(&W.ctx);
	CU_ASSERT_EQUAL(vmstop_pending(), 1);
	for (i = 0; i < 100 && vmstop_pending(); i++)
		loop_iterate(50);
	CU_ASSERT_EQUAL(vmstop_pending(), 0);
	EXPECT_LOG("metadata alpha\nshutdown alpha\ndestroy alpha\n");
	CU_ASSERT_EQUAL(file_lines(path), 0);
	/* read back for a VM started again meanwhile: left alone */
	fake_virt.log[0] = '\0';
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	W.cfg.shutdown_timeout_s = 0;
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	vmstop_fini();
	tracker_vm_edit(W.ctx.tracker, cached(10)->uuid)->admin = VM_ADMIN_RUNNING;
	vmstop_init(&W.ctx);
	CU_ASSERT_EQUAL(vmstop_pending(), 1);
	for (i = 0; i < 10 && vmstop_pending(); i++)
		loop_iterate(20);
	CU_ASSERT_EQUAL(vmstop_pending(), 0);
	EXPECT_LOG("metadata alpha\nstart alpha\nmetadata alpha\nshutdown alpha\n");
	/* a file that is not ours: bad lines skipped */
	vmstop_fini();
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("garbage\nnot-a-uuid 1 2 x\n", f);
	fclose(f);
	vmstop_init(&W.ctx);
	CU_ASSERT_EQUAL(vmstop_pending(), 0);
	teardown();
}

static void set_scheduler_weight_and_cap(void)
{
	struct tpdu p = {0};
	struct fake_dom *alpha;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	alpha = fake_virt_find("alpha");
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 10, 0, 512);
	vu(&p, TVM, VMIB_COL_vmibVmSchedCapPercent, 10, 0, 150);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	/* cap 150% of 2 vCPUs: 75 ms per vCPU per 100 ms */
	EXPECT_LOG("sched alpha cpu_shares=512 vcpu_period=100000 vcpu_quota=75000\n");
	CU_ASSERT_EQUAL(alpha->sched.p[2].l, 75000);
	fake_virt.log[0] = '\0';
	vu(&p, TVM, VMIB_COL_vmibVmSchedCapPercent, 10, 0, 0);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("sched alpha vcpu_period=100000 vcpu_quota=-1\n");
	teardown();
}

static void set_scheduler_refused_without_parameters(void)
{
	struct tpdu p = {0};
	int ix;

	T_hv_type = "TEST";
	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	T_hv_type = "QEMU";
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 10, 0, 512);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vu(&p, TVM, VMIB_COL_vmibVmSchedCapPercent, 10, 0, 0);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("");
	teardown();
}

static void set_changes_that_need_the_vm_off(void)
{
	struct tpdu p = {0};
	struct fake_dom *d;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 10, 0, 262144);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmName, 10, 0, "renamed");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmName, 10, 0, "alpha"); /* the same: nothing */
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("");
	/* shut off: the definition changes */
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 3, 0, 262144);
	vu(&p, TVM, VMIB_COL_vmibVmVcpus, 3, 0, 4);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define beta\n");
	d = fake_virt_find("beta");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "<memory unit=\"KiB\">262144</memory>"));
	CU_ASSERT_EQUAL(cached(3)->max_mem_kib, 262144);
	CU_ASSERT_EQUAL(cached(3)->vcpus, 4);
	teardown();
}

/* --- vifs on an existing VM ---------------------------------------------------------- */

static void set_vif_hot_add_and_remove(void)
{
	struct tpdu p = {0};
	const struct vm *vm;
	struct fake_dom *d;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 7, "vm7");
	create_vif(&p, 7, 1, "52:54:00:00:07:01", "10.1.0.7");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	fake_virt.log[0] = '\0';
	create_vif(&p, 7, 2, "52:54:00:00:07:02", "10.5.0.7");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	/* persistent definition (with the new cmdline), metadata, then live */
	EXPECT_LOG("define vm7\nmetadata vm7\nattach vm7 52:54:00:00:07:02\n");
	d = fake_virt_find("vm7");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "vmib.ip=eth0:10.1.0.7/24 vmib.ip=eth1:10.5.0.7/24"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "slot=\"0x01\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->live, "52:54:00:00:07:02"));
	vm = cached(7);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 2);
	CU_ASSERT_EQUAL(vm->vifs[1].index, 2);
	CU_ASSERT_EQUAL(vm->vifs[1].addr[1], 5);
	/* remove vif 1: definition and metadata in ACTION, unplug at COMMIT */
	fake_virt.log[0] = '\0';
	vi(&p, TVIF, VMIB_COL_vmibVifRowStatus, 7, 1, VMIB_ENUM_vmibVifRowStatus_destroy);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("define vm7\nmetadata vm7\ndetach vm7 52:54:00:00:07:01\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "vmib.hostname=vm7 vmib.ip=eth0:10.5.0.7/24<"));
	vm = cached(7);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 1);
	CU_ASSERT_EQUAL(vm->vifs[0].index, 2);
	/* refused: an index below the last vif, an existing vif, a change */
	fake_virt.log[0] = '\0';
	create_vif(&p, 7, 1, "52:54:00:00:07:09", NULL);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	create_vif(&p, 7, 2, NULL, NULL);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 7, 2, "br1");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVIF, VMIB_COL_vmibVifBridge, 7, 2, "br0");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("");
	teardown();
}

static void set_vif_hot_add_failure_is_undone(void)
{
	struct tpdu p = {0};
	struct fake_dom *d;
	char before[8192];
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 7, "vm7");
	create_vif(&p, 7, 1, "52:54:00:00:07:01", "10.1.0.7");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	d = fake_virt_find("vm7");
	snprintf(before, sizeof(before), "%s", d->xml);
	fake_virt.log[0] = '\0';
	snprintf(fake_virt.fail_on, sizeof(fake_virt.fail_on), "attach");
	create_vif(&p, 7, 2, "52:54:00:00:07:02", NULL);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_COMMITFAILED);
	EXPECT_LOG("define vm7\nmetadata vm7\nattach vm7 52:54:00:00:07:02 -> refused\n"
		   "metadata vm7\ndefine vm7\n");
	/* the definition and the metadata as before (libvirt's formatting) */
	CU_ASSERT_PTR_NOT_NULL(strstr(before, "52:54:00:00:07:01"));
	CU_ASSERT_PTR_NULL(strstr(d->xml, "52:54:00:00:07:02"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "52:54:00:00:07:01"));
	CU_ASSERT_PTR_NULL(strstr(d->meta, "07:02"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->xml, "vmib.ip=eth0:10.1.0.7/24</cmdline>"));
	CU_ASSERT_EQUAL(cached(7)->n_vifs, 1);
	CU_ASSERT_TRUE(has(cached(7)->last_error, "refused"));
	teardown();
}

/* --- migration ------------------------------------------------------------------------------ */

static void set_migration_runs_and_the_row_leaves(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "h2");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("migrate alpha qemu+tcp://10.0.0.2/system live\n");
	CU_ASSERT_PTR_NULL(cached(10));
	CU_ASSERT_EQUAL(migrate_running(), 0);
	teardown();
}

static void set_migration_failure_stays_with_the_reason(void)
{
	struct tpdu p = {0};
	const struct vm *vm;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	snprintf(fake_virt.fail_on, sizeof(fake_virt.fail_on), "migrate");
	vi(&p, TVM, VMIB_COL_vmibVmMigrateLive, 10, 0, VMIB_ENUM_vmibVmMigrateLive_false);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "qemu+tcp://10.0.0.9/system");
	/* the SET itself succeeds: the migration fails later */
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	/* the live flag is kept in the metadata first (it outlives a restart) */
	EXPECT_LOG("metadata alpha\nmigrate alpha qemu+tcp://10.0.0.9/system offline -> refused\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(fake_virt_find("alpha")->meta, "migrate-live=\"false\""));
	vm = cached(10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm->migrate_status, VMIB_ENUM_vmibVmMigrateStatus_failed);
	CU_ASSERT_EQUAL(vm_oper_vmib(vm), VMIB_ENUM_vmibVmOperState_running);
	CU_ASSERT_STRING_EQUAL(vm->migrate_target, "qemu+tcp://10.0.0.9/system");
	CU_ASSERT_FALSE(vm->migrate_live);
	CU_ASSERT_TRUE(has(vm->last_error, "refused"));
	teardown();
}

static void set_migration_refusals(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "nowhere");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "fakehost");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "qemu+tcp://localhost/system");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "qemu:///system");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 3, 0, "h2"); /* shut off */
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	CU_ASSERT_TRUE(has(cached(3)->last_error, "not running or paused"));
	/* empty: no migration running, nothing to abort */
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("");
	/* while one runs: another, or any other change, is refused; empty aborts */
	tracker_vm_edit(W.ctx.tracker, cached(10)->uuid)->migrate_status =
		VMIB_ENUM_vmibVmMigrateStatus_inProgress;
	CU_ASSERT_EQUAL(vm_oper_vmib(cached(10)), VMIB_ENUM_vmibVmOperState_migrating);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "h2");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 10, 0, VMIB_ENUM_vmibVmAdminState_paused);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vi(&p, TVM, VMIB_COL_vmibVmRowStatus, 10, 0, VMIB_ENUM_vmibVmRowStatus_destroy);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	EXPECT_LOG("");
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 10, 0, "");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("abort alpha\n");
	teardown();
}

/* --- arrival by migration (the destination's side) ------------------------------------ */

static int hook_calls[3];
static int32_t hook_index;

static void test_hook(void *opaque, const struct vm *vm, enum tracker_moment m)
{
	(void)opaque;
	hook_calls[m]++;
	hook_index = vm->index;
}

static void arrive(struct fake_dom *d, int event, int detail, int state)
{
	d->tmpl.state = state;
	fake_virt.cb->event(fake_virt.opaque, d->tmpl.uuid, VIRT_EV_LIFECYCLE, event, detail);
}

static void set_arrival_keeps_the_index_and_reads_succeeded(void)
{
	struct fake_dom *d;
	const struct vm *vm;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	memset(hook_calls, 0, sizeof(hook_calls));
	CU_ASSERT_EQUAL(tracker_add_hook(W.ctx.tracker, test_hook, NULL), 0);
	/* the incoming migration begins: the domain appears, paused */
	d = fake_virt_add(9, "mover", VIR_DOMAIN_PAUSED, 1, 77);
	arrive(d, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_MIGRATED, VIR_DOMAIN_PAUSED);
	CU_ASSERT_EQUAL(hook_calls[TRACKER_VM_ARRIVING], 1);
	CU_ASSERT_EQUAL(hook_index, 77);
	CU_ASSERT_EQUAL(hook_calls[TRACKER_VM_ARRIVED], 0);
	vm = cached(77);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm->migrate_status, VMIB_ENUM_vmibVmMigrateStatus_none);
	/* it ends: resumed here; succeeded, with the downtime libvirt measured */
	arrive(d, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(hook_calls[TRACKER_VM_ARRIVED], 1);
	vm = cached(77);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm->migrate_status, VMIB_ENUM_vmibVmMigrateStatus_succeeded);
	CU_ASSERT_EQUAL(vm->migrate_downtime_ms, 123);
	/* a later resume is no arrival */
	arrive(d, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(hook_calls[TRACKER_VM_ARRIVED], 1);
	/* an arriving VM whose index is taken here gets the lowest free one */
	d = fake_virt_add(11, "clash", VIR_DOMAIN_PAUSED, 0, 10);
	arrive(d, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_MIGRATED, VIR_DOMAIN_PAUSED);
	CU_ASSERT_EQUAL(hook_calls[TRACKER_VM_ARRIVING], 2);
	CU_ASSERT_EQUAL(hook_index, 1);
	CU_ASSERT_STRING_EQUAL(cached(1)->name, "clash");
	CU_ASSERT_STRING_EQUAL(cached(10)->name, "alpha");
	/* a domain started here: STARTED, not an arrival */
	arrive(fake_virt_find("beta"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
	       VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(hook_calls[TRACKER_VM_STARTED], 1);
	CU_ASSERT_EQUAL(hook_index, 3);
	teardown();
}

/* --- the transaction ----------------------------------------------------------------- */

static void set_libvirt_down_is_resource_unavailable(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	fake_virt_close_now();
	loop_iterate(10);
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 3, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_RESOURCEUNAVAILABLE);
	EXPECT_LOG("");
	teardown();
}

static void set_other_tables_see_what_the_pdu_creates(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	create_vm(&p, 5, "x");
	create_vif(&p, 5, 2, NULL, NULL);
	W.transid++;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1, &ix), 0);
	CU_ASSERT_TRUE(vmset_pdu_creates_vm(5));
	CU_ASSERT_TRUE(vmset_pdu_creates_vif(5, 2));
	CU_ASSERT_FALSE(vmset_pdu_creates_vif(5, 1));
	CU_ASSERT_FALSE(vmset_pdu_creates_vm(10));
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2, &ix), 0);
	{
		/* another table's ACTION runs this PDU's ACTION first, once */
		netsnmp_agent_request_info reqinfo;
		netsnmp_agent_session asp;
		netsnmp_pdu pdu;

		memset(&reqinfo, 0, sizeof(reqinfo));
		memset(&asp, 0, sizeof(asp));
		memset(&pdu, 0, sizeof(pdu));
		pdu.transid = W.transid;
		asp.pdu = &pdu;
		reqinfo.asp = &asp;
		reqinfo.mode = MODE_SET_ACTION;
		CU_ASSERT_EQUAL(vmset_action_now(&reqinfo), 0);
		CU_ASSERT_PTR_NOT_NULL(cached(5));
		CU_ASSERT_EQUAL(vmset_action_now(&reqinfo), 0);
	}
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_ACTION, &ix), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_COMMIT, &ix), 0);
	EXPECT_LOG("define x\nstart x\n");
	pdu_free(&p);
	teardown();
}

/* threaded tests: the control and COMMIT threads' jobs done (at most
 * 3 s), then their results applied in the loop */
static void settle(void)
{
	int i;

	/* up to 30 s: under ASan on a loaded machine a COMMIT thread can take
	 * seconds; a passing run returns as soon as nothing is pending */
	for (i = 0; i < 3000 && ctl_pending(); i++)
		usleep(10000);
	loop_iterate(50);
}

/* settle, then run the loop until VM ix is cached in STATE (at most 30 s):
 * the domain event that updates the cache may come after the COMMIT ends */
static void settle_until_state(oid ix, int state)
{
	int i;

	settle();
	for (i = 0; i < 600 && !(cached(ix) && cached(ix)->state == state); i++)
		loop_iterate(50);
}

/* createAndGo of VM ix NAME whose start blocks in libvirt (the fake)
 * until the test sets fake_virt.calls_block back to false */
static void create_with_blocked_start(struct tpdu *p, oid ix, const char *name)
{
	int at;

	snprintf(fake_virt.block_on, sizeof(fake_virt.block_on), "start %s", name);
	atomic_store(&fake_virt.calls_block, true);
	create_vm(p, ix, name);
	CU_ASSERT_EQUAL(run(p, &at), 0);
}

/* the control thread: ACTION waits set-timeout-ms; a late success is
 * undone by the control thread itself */
static void set_action_timeout_undoes_a_late_success(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup_with(true), 0);
	atomic_store(&fake_virt.calls_block, true);
	create_vm(&p, 9, "slow");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_COMMITFAILED);
	CU_ASSERT_EQUAL(ix, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(tracker_host(W.ctx.tracker)->last_error,
				      "did not answer within 300 ms"));
	atomic_store(&fake_virt.calls_block, false);
	settle();
	EXPECT_LOG("define slow\nundefine slow\n");
	CU_ASSERT_PTR_NULL(cached(9));
	CU_ASSERT_PTR_NULL(fake_virt_find("slow"));
	/* and the next SET goes through the same thread normally */
	fake_virt.log[0] = '\0';
	vu(&p, TVM, VMIB_COL_vmibVmSchedWeight, 10, 0, 300);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	EXPECT_LOG("sched alpha cpu_shares=300\n");
	teardown();
}

/* a start slower than the SET may wait: COMMIT cannot fail, so the PDU
 * succeeds, nothing is undone, and the VM runs once libvirt is done */
static void set_slow_start_in_commit_is_kept(void)
{
	struct tpdu p = {0};

	CU_ASSERT_EQUAL_FATAL(setup_with(true), 0);
	create_with_blocked_start(&p, 9, "late");
	CU_ASSERT_PTR_NOT_NULL(fake_virt_find("late")); /* defined, starting */
	atomic_store(&fake_virt.calls_block, false);
	settle();
	EXPECT_LOG("define late\nstart late\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(9));
	CU_ASSERT_EQUAL(cached(9)->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fake_virt_find("late"));
	teardown();
}

/* a PDU that pauses a VM whose start (an earlier PDU's COMMIT) has not
 * ended: it is planned as a start-paused of a shut-off VM, and its COMMIT
 * finds the VM running, so it suspends it */
static void set_commit_steps_aim_at_a_state(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup_with(true), 0);
	create_with_blocked_start(&p, 9, "late");
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 9, 0, VMIB_ENUM_vmibVmAdminState_paused);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	atomic_store(&fake_virt.calls_block, false);
	settle_until_state(9, VIR_DOMAIN_PAUSED);
	EXPECT_LOG("define late\nmetadata late\nstart late\nsuspend late\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(9));
	CU_ASSERT_EQUAL(cached(9)->state, VIR_DOMAIN_PAUSED);
	CU_ASSERT_PTR_NULL(cached(9)->last_error);
	teardown();
}

/* while a start (an earlier PDU's COMMIT) is under way, a change that
 * depends on whether the VM runs is refused with a reason; once the start
 * has ended it goes through, hot-plugged into the running VM */
static void set_power_pending_refuses_what_depends_on_it(void)
{
	struct tpdu p = {0};
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup_with(true), 0);
	create_with_blocked_start(&p, 9, "late");
	create_vif(&p, 9, 2, NULL, "10.9.0.9");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	CU_ASSERT_EQUAL(ix, 1);   /* on the vif's RowStatus */
	CU_ASSERT_TRUE(has(cached(9)->last_error, "being started or powered off"));
	vu(&p, TVM, VMIB_COL_vmibVmMemoryKBytes, 9, 0, 262144);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	vs(&p, TVM, VMIB_COL_vmibVmMigrateTarget, 9, 0, "h2");
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_INCONSISTENTVALUE);
	atomic_store(&fake_virt.calls_block, false);
	settle();
	CU_ASSERT_EQUAL(cached(9)->state, VIR_DOMAIN_RUNNING);
	create_vif(&p, 9, 2, NULL, "10.9.0.9");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	CU_ASSERT_TRUE(has(fake_virt.log, "attach late"));
	teardown();
}

/* a COMMIT whose thread cannot connect to libvirt: the start's failure
 * is reported, and the COMMITs of later PDUs still run */
static void set_commit_without_connection_lets_later_ones_run(void)
{
	struct tpdu p = {0};
	int ix, i;

	CU_ASSERT_EQUAL_FATAL(setup_with(true), 0);
	create_vm(&p, 8, "first");
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 8, 0, VMIB_ENUM_vmibVmAdminState_shutoff);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);           /* ACTION only: define */
	fake_virt.fail_open = true;                   /* new connections fail */
	create_vm(&p, 9, "late");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	settle();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached(9));
	CU_ASSERT_EQUAL(cached(9)->state, VIR_DOMAIN_SHUTOFF);
	CU_ASSERT_TRUE(has(cached(9)->last_error, "fake refuses"));
	fake_virt.fail_open = false;
	vi(&p, TVM, VMIB_COL_vmibVmAdminState, 8, 0, VMIB_ENUM_vmibVmAdminState_running);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	for (i = 0; i < 300 && ctl_pending(); i++)
		usleep(10000);
	CU_ASSERT_EQUAL(ctl_pending(), 0);
	loop_iterate(50);
	CU_ASSERT_EQUAL(cached(8)->state, VIR_DOMAIN_RUNNING);
	teardown();
}

/* --- a created VM's shape rows ----------------------------------------------------------- */

static unsigned int T_meta_reads;
static struct {
	tracker_meta_cb cb;
	void *opaque;
} T_pending[4];

/* metadata reads that do not answer until the test says (a slow libvirt):
 * meanwhile only a VM whose rows are known without reading can take rows */
static int pending_read(void *ctx, const unsigned char *uuid, tracker_meta_cb cb, void *opaque)
{
	(void)ctx;
	(void)uuid;
	if (T_meta_reads >= 4)
		return -1;
	T_pending[T_meta_reads].cb = cb;
	T_pending[T_meta_reads++].opaque = opaque;
	return 0;
}

static void to_shapes(void *opaque, const struct vm *vm, int old_state, enum tracker_change what)
{
	(void)old_state;
	shapestore_vm_event(opaque, vm, what);
}

static void set_created_vm_takes_shape_rows_at_once(void)
{
	struct shapestore_ops ops = {pending_read, NULL, NULL, NULL};
	struct tc_backend *tc = tc_backend_recorder_new();
	struct shapestore *shapes;
	struct tpdu p = {0};
	const struct vm *vm;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
	shapes = shapestore_new(tracker_cache(W.ctx.tracker), &ops, tc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(shapes);
	T_meta_reads = 0;
	W.ctx.shapes = shapes;
	tracker_set_listener(W.ctx.tracker, to_shapes, shapes);
	vm = cached(10); /* alpha */
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	shapestore_vm_event(shapes, vm, TRACKER_VM_APPEARED);
	create_vm(&p, 5, "web1");
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	vm = cached(5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	/* defined by this PDU: nothing to read, the next PDU may add rows */
	CU_ASSERT_TRUE(shapestore_vm_loaded(shapes, vm->uuid));
	/* a domain vmibd did not define still waits for its metadata */
	CU_ASSERT_FALSE(shapestore_vm_loaded(shapes, cached(10)->uuid));
	CU_ASSERT_EQUAL(T_meta_reads, 2); /* alpha's, and web1's asked before the PDU ended */
	/* the reads answer late (no metadata): web1's answer is ignored */
	for (unsigned int k = 0; k < T_meta_reads; k++)
		T_pending[k].cb(T_pending[k].opaque, 0, NULL, NULL);
	CU_ASSERT_TRUE(shapestore_vm_loaded(shapes, cached(10)->uuid));
	CU_ASSERT_TRUE(shapestore_vm_loaded(shapes, cached(5)->uuid));
	tracker_set_listener(W.ctx.tracker, NULL, NULL);
	W.ctx.shapes = NULL;
	shapestore_free(shapes);
	tc_backend_free(tc);
	teardown();
}

static const struct unit_test tests[] = {
	UNIT_TEST(set_create_defines_and_starts_with_vifs),
	UNIT_TEST(set_created_vm_takes_shape_rows_at_once),
	UNIT_TEST(set_shutoff_deadline_survives_a_restart),
	UNIT_TEST(set_start_refused_in_commit_keeps_the_vm),
	UNIT_TEST(set_slow_start_in_commit_is_kept),
	UNIT_TEST(set_retransmitted_testset_is_ignored),
	UNIT_TEST(set_commit_steps_aim_at_a_state),
	UNIT_TEST(set_power_pending_refuses_what_depends_on_it),
	UNIT_TEST(set_commit_without_connection_lets_later_ones_run),
	UNIT_TEST(set_create_defaults_one_vif_on_the_first_bridge),
	UNIT_TEST(set_create_with_weight_and_cap_in_one_pdu),
	UNIT_TEST(set_create_shutoff_only_defines),
	UNIT_TEST(set_create_refusals_change_nothing),
	UNIT_TEST(set_create_below_the_image_minimum_is_refused),
	UNIT_TEST(set_create_without_free_memory_is_resource_unavailable),
	UNIT_TEST(set_reserve1_checks_syntax),
	UNIT_TEST(set_action_failure_undoes_the_whole_pdu),
	UNIT_TEST(set_undo_restores_what_action_changed),
	UNIT_TEST(set_destroy_is_undone_before_power_off),
	UNIT_TEST(set_destroy_undefines_then_powers_off),
	UNIT_TEST(set_admin_state_transitions),
	UNIT_TEST(set_admin_resume_already_running),
	UNIT_TEST(set_shutoff_deadline_powers_off),
	UNIT_TEST(set_scheduler_weight_and_cap),
	UNIT_TEST(set_scheduler_refused_without_parameters),
	UNIT_TEST(set_changes_that_need_the_vm_off),
	UNIT_TEST(set_vif_hot_add_and_remove),
	UNIT_TEST(set_vif_hot_add_failure_is_undone),
	UNIT_TEST(set_migration_runs_and_the_row_leaves),
	UNIT_TEST(set_migration_failure_stays_with_the_reason),
	UNIT_TEST(set_migration_refusals),
	UNIT_TEST(set_arrival_keeps_the_index_and_reads_succeeded),
	UNIT_TEST(set_libvirt_down_is_resource_unavailable),
	UNIT_TEST(set_other_tables_see_what_the_pdu_creates),
	UNIT_TEST(set_action_timeout_undoes_a_late_success),
	{NULL, NULL},
};

UNIT_SUITE(agent_set, NULL, NULL, tests)
