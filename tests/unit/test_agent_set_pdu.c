/*
 * test_agent_set_pdu.c - SET PDUs that reach the VM, vif and shape
 * tables at once, through their Net-SNMP handlers and the SET
 * coordinator (mibset.h), mode by mode as an AgentX subagent is driven,
 * on the fake hypervisor (its log records every libvirt call of the SET
 * side) and the tc recorder (every netlink request as a line).
 *
 * What is checked: the coordinator runs the VM participant's ACTION
 * before the shape participant's whatever the varbind order, so shape
 * rows may name a VM and vif the same PDU creates; and when the later
 * participant (shape) fails in ACTION, the earlier one (the VM's defines
 * and hot-plugs) is undone and nothing of the PDU is left.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "caps.h"
#include "control_thread.h"
#include "loop.h"
#include "mib.h"
#include "mibset.h"
#include "migrate.h"
#include "read_thread.h"
#include "shapestore.h"
#include "stop_deadline.h"
#include "tc.h"
#include "test_agent_fake_virt.h"
#include "unit.h"
#include "vmib_oids.h"
#include "vmset.h"
#include "vmset_int.h"

enum { TVM, TVIF, TSHAPE, NT };

static struct {
	char state_dir[64];
	struct vmibd_config cfg;
	struct images images;
	struct agent_ctx ctx;
	struct mibtab tab[NT];
	struct tc_backend *tc;
	long transid;
	char meta[256];          /* the last metadata written */
} W;

static bool test_bridge(const char *name)
{
	return strcmp(name, "br0") == 0;
}

/* --- the shape store's metadata and devices ---------------------------------------------- */

static int fake_read(void *ctx, const unsigned char *uuid, tracker_meta_cb cb, void *opaque)
{
	(void)ctx;
	(void)uuid;
	cb(opaque, 0, NULL, NULL);   /* no shape rows yet */
	return 0;
}

static int fake_write(void *ctx, const unsigned char *uuid, const char *xml, tracker_meta_cb cb,
		      void *opaque)
{
	(void)ctx;
	(void)uuid;
	snprintf(W.meta, sizeof(W.meta), "%s", xml ? xml : "(removed)");
	cb(opaque, 0, NULL, NULL);
	return 0;
}

/* every vif device of a running fake domain exists */
static int fake_device(void *ctx, const char *dev, uint32_t *mtu)
{
	(void)ctx;
	*mtu = 1500;
	return strncmp(dev, "vnet", 4) == 0 || strncmp(dev, "fv", 2) == 0 ? 20 : 0;
}

static void listener(void *opaque, const struct vm *vm, int old_state, enum tracker_change what)
{
	(void)opaque;
	(void)old_state;
	shapestore_vm_event(W.ctx.shapes, vm, what);
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

static int setup(void)
{
	struct shapestore_ops ops = {fake_read, fake_write, fake_device, NULL};
	char err[128];
	int i;

	memset(&W, 0, sizeof(W));
	config_defaults(&W.cfg);
	free(W.cfg.libvirt_uri);
	W.cfg.libvirt_uri = strdup("fake:///");
	config_set(&W.cfg, "bridge", "br0", err, sizeof(err));
	W.cfg.set_timeout_ms = 300;
	snprintf(W.state_dir, sizeof(W.state_dir), "/tmp/vmib-unit-state.XXXXXX");
	if (!mkdtemp(W.state_dir))
		return -1;
	free(W.cfg.state_dir);
	W.cfg.state_dir = strdup(W.state_dir);
	log_set_level(LOG_CRIT); /* the refusals are checked in the results */
	fake_virt_reset();
	fake_virt.mem_free_kib = 8u << 20;
	/* alpha runs, its vif's host device has ifindex 20 */
	fake_virt_add(1, "alpha", VIR_DOMAIN_RUNNING, 1, 1)->vifs[0].ifindex = 20;
	if (loop_init() < 0 || worker_start(false) < 0 ||
	    ctl_start(&W.cfg, &fake_virt_ops, false) < 0)
		return -1;
	images_init(&W.images, "/images");
	add_image();
	W.ctx.cfg = &W.cfg;
	W.ctx.images = &W.images;
	W.ctx.caps = CAPS_ALL_KERNEL;
	W.ctx.tracker = tracker_new(&W.cfg, &fake_virt_ops);
	W.tc = tc_backend_recorder_new();
	if (!W.ctx.tracker || !W.tc)
		return -1;
	W.ctx.shapes = shapestore_new(tracker_cache(W.ctx.tracker), &ops, W.tc, CAPS_ALL_KERNEL);
	if (!W.ctx.shapes)
		return -1;
	tracker_set_listener(W.ctx.tracker, listener, NULL);
	tracker_start(W.ctx.tracker);
	vmset_init(&W.ctx);
	migrate_init(&W.ctx);
	vmstop_init(&W.ctx);
	mib_vm_setup(&W.tab[TVM], &W.ctx);
	mib_vif_setup(&W.tab[TVIF], &W.ctx);
	mib_shape_setup(&W.tab[TSHAPE], &W.ctx);
	vmset_bridge_exists = test_bridge;
	/* the store has read alpha's (empty) rows */
	for (i = 0; i < 50 && !vmcache_get(tracker_cache(W.ctx.tracker), 1); i++)
		loop_iterate(10);
	loop_iterate(10);
	fake_virt.log[0] = '\0';
	return 0;
}

static void teardown(void)
{
	vmset_fini();
	ctl_stop();
	vmstop_fini();
	migrate_fini();
	tracker_stop(W.ctx.tracker);
	worker_stop();
	shapestore_free(W.ctx.shapes);
	tc_backend_free(W.tc);
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

/* --- a SET PDU ------------------------------------------------------------------------ */

#define MAX_VB 16

struct tpdu {
	netsnmp_variable_list *vb[MAX_VB];
	int table[MAX_VB];
	int n;
};

static void add(struct tpdu *p, int table, unsigned int col, const oid *idx, size_t n_idx,
		u_char type, const void *val, size_t len)
{
	static const oid vm_entry[] = {VMIB_OID_vmibVmEntry};
	static const oid vif_entry[] = {VMIB_OID_vmibVifEntry};
	static const oid shape_entry[] = {VMIB_OID_vmibShapeEntry};
	const oid *entry = table == TVM ? vm_entry : table == TVIF ? vif_entry : shape_entry;
	size_t n = table == TVM ? OID_LENGTH(vm_entry)
		 : table == TVIF ? OID_LENGTH(vif_entry) : OID_LENGTH(shape_entry);
	oid name[MAX_OID_LEN];
	netsnmp_variable_list *vb = calloc(1, sizeof(*vb));

	memcpy(name, entry, n * sizeof(oid));
	name[n++] = col;
	memcpy(name + n, idx, n_idx * sizeof(oid));
	snmp_set_var_objid(vb, name, n + n_idx);
	snmp_set_var_typed_value(vb, type, val, len);
	p->table[p->n] = table;
	p->vb[p->n++] = vb;
}

static void vint(struct tpdu *p, int table, unsigned int col, const oid *idx, size_t n, long v)
{
	add(p, table, col, idx, n, ASN_INTEGER, &v, sizeof(v));
}

static void vu32(struct tpdu *p, int table, unsigned int col, const oid *idx, size_t n,
		 unsigned long v)
{
	add(p, table, col, idx, n, ASN_UNSIGNED, &v, sizeof(v));
}

static void vstr(struct tpdu *p, int table, unsigned int col, const oid *idx, size_t n,
		 const char *s)
{
	add(p, table, col, idx, n, ASN_OCTET_STR, s, strlen(s));
}

static Netsnmp_Node_Handler *handler_of(int table)
{
	return table == TVM ? vmset_vm_handler : table == TVIF ? vmset_vif_handler
							      : mib_shape_set_handler();
}

/* one mode: each table's handler with its requests, built afresh, tables
 * in the order of their first varbind; the error of the lowest varbind
 * (its 1-based position in *index) */
static int mode(struct tpdu *p, int m, int *index)
{
	netsnmp_request_info req[MAX_VB], *head[NT] = {NULL}, *tail[NT] = {NULL};
	netsnmp_agent_request_info reqinfo;
	netsnmp_agent_session asp;
	netsnmp_mib_handler h;
	netsnmp_pdu pdu;
	int order[NT], n_order = 0, i, t;

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
			order[n_order++] = t, head[t] = &req[i];
		tail[t] = &req[i];
	}
	for (i = 0; i < n_order; i++) {
		memset(&h, 0, sizeof(h));
		h.myvoid = &W.tab[order[i]];
		handler_of(order[i])(&h, NULL, &reqinfo, head[order[i]]);
	}
	for (i = 0; i < p->n; i++)
		if (req[i].status) {
			*index = i + 1;
			return req[i].status;
		}
	*index = 0;
	return 0;
}

/* Net-SNMP's handle_set() */
static int run(struct tpdu *p, int *index)
{
	int rc, ignore, i;

	W.transid++;
	rc = mode(p, MODE_SET_RESERVE1, index);
	if (!rc)
		rc = mode(p, MODE_SET_RESERVE2, index);
	if (rc) {
		mode(p, MODE_SET_FREE, &ignore);
	} else {
		rc = mode(p, MODE_SET_ACTION, index);
		mode(p, rc ? MODE_SET_UNDO : MODE_SET_COMMIT, &ignore);
	}
	loop_iterate(10);
	for (i = 0; i < p->n; i++)
		snmp_free_var(p->vb[i]);
	p->n = 0;
	return rc;
}

static const struct vm *cached(int32_t index)
{
	return vmcache_get(tracker_cache(W.ctx.tracker), index);
}

static void expect_log(const char *want, int line)
{
	if (strcmp(fake_virt.log, want) != 0)
		fprintf(stderr, "\n    line %d: libvirt calls were:\n%s", line, fake_virt.log);
	CU_ASSERT_STRING_EQUAL(fake_virt.log, want);
}
#define EXPECT_LOG(s) expect_log(s, __LINE__)

/* --- cases ---------------------------------------------------------------------------------- */

/* the shape rows come first in the PDU: their ACTION still runs after
 * the VM's has defined the VM and its vif */
static void set_pdu_shape_rows_of_a_vm_it_creates(void)
{
	static const oid vm5[] = {5}, vif51[] = {5, 1}, row511[] = {5, 1, 1};
	struct tpdu p = {0};
	const struct shape_entry *e;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vint(&p, TSHAPE, VMIB_COL_vmibShapeRowStatus, row511, 3, MIBSET_RS_CREATE_AND_GO);
	vu32(&p, TSHAPE, VMIB_COL_vmibShapeRateKbps, row511, 3, 1000);
	vint(&p, TVM, VMIB_COL_vmibVmRowStatus, vm5, 1, VMIB_ENUM_vmibVmRowStatus_createAndGo);
	vstr(&p, TVM, VMIB_COL_vmibVmName, vm5, 1, "x");
	vstr(&p, TVM, VMIB_COL_vmibVmImage, vm5, 1, "vmib-test");
	vint(&p, TVIF, VMIB_COL_vmibVifRowStatus, vif51, 2, VMIB_ENUM_vmibVifRowStatus_createAndGo);
	CU_ASSERT_EQUAL(run(&p, &ix), 0);
	CU_ASSERT_EQUAL(ix, 0);
	EXPECT_LOG("define x\nstart x\n");
	CU_ASSERT_PTR_NOT_NULL(cached(5));
	e = shapestore_get(W.ctx.shapes, 5, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->row.rate_kbps, 1000);
	CU_ASSERT_PTR_NOT_NULL(strstr(W.meta, "1000"));
	teardown();
}

/* the shape participant, after the VM's, fails in ACTION (the kernel
 * refuses the first tc request on alpha's vif): the VM and vif defined by
 * the VM participant's ACTION are undone, and nothing is left */
static void set_pdu_later_participant_fails_earlier_undone(void)
{
	static const oid vm5[] = {5}, vif51[] = {5, 1}, row111[] = {1, 1, 1};
	struct tpdu p = {0};
	const struct vm *alpha;
	int ix;

	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	vint(&p, TVM, VMIB_COL_vmibVmRowStatus, vm5, 1, VMIB_ENUM_vmibVmRowStatus_createAndGo);
	vstr(&p, TVM, VMIB_COL_vmibVmName, vm5, 1, "x");
	vstr(&p, TVM, VMIB_COL_vmibVmImage, vm5, 1, "vmib-test");
	vint(&p, TVIF, VMIB_COL_vmibVifRowStatus, vif51, 2, VMIB_ENUM_vmibVifRowStatus_createAndGo);
	vint(&p, TSHAPE, VMIB_COL_vmibShapeRowStatus, row111, 3, MIBSET_RS_CREATE_AND_GO);
	vu32(&p, TSHAPE, VMIB_COL_vmibShapeRateKbps, row111, 3, 1000);
	tc_recorder_fail_at(W.tc, 1, ENOMEM);
	CU_ASSERT_EQUAL(run(&p, &ix), SNMP_ERR_COMMITFAILED);
	CU_ASSERT_EQUAL(ix, 5);   /* the shape row's RowStatus */
	/* ACTION: x (with its vif) defined, then the tc request refused;
	 * UNDO: x undefined, the start (a COMMIT step) never made */
	EXPECT_LOG("define x\nundefine x\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(tc_recorder_text(W.tc), " -> Cannot allocate memory"));
	CU_ASSERT_PTR_NULL(cached(5));
	alpha = cached(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(alpha);
	CU_ASSERT_EQUAL(alpha->n_vifs, 1);
	CU_ASSERT_STRING_EQUAL(W.meta, "");   /* no metadata written */
	CU_ASSERT_PTR_NULL(shapestore_get(W.ctx.shapes, 1, 1, 1));
	CU_ASSERT_PTR_NULL(fake_virt_find("x"));
	teardown();
}

static const struct unit_test tests[] = {
	UNIT_TEST(set_pdu_shape_rows_of_a_vm_it_creates),
	UNIT_TEST(set_pdu_later_participant_fails_earlier_undone),
	{NULL, NULL},
};

UNIT_SUITE(agent_set_pdu, NULL, NULL, tests)
