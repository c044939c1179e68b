/*
 * test_agent_rfc7666.c - RFC 7666 vmCpuAffinityTable and vmStorageTable
 * without snmpd: domains of the fake hypervisor described by domain XML
 * (pinning, disks) go through domxml, the tracker and its counters into
 * the tables; GET and GETNEXT order (empty tables, partial indexes,
 * indexes beyond a VM's rows, end of table) and every column's value.
 * Also the pure parts: cpuset parsing and the storage enumerations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "dom_parse.h"
#include "loop.h"
#include "mib_tables.h"
#include "test_agent_fake_virt.h"
#include "unit.h"
#include "read_thread.h"
#include "vm_oids.h"

static struct vmibd_config cfg;
static struct images images;
static struct agent_ctx ctx;
static struct mibtab tab[RFC7666_N_TABLES];

static const oid aff_entry[] = {VM_OID_vmCpuAffinityEntry};
static const oid sto_entry[] = {VM_OID_vmStorageEntry};

/* vmIndex of the two domains (their metadata index) */
#define PINNED 4
#define PLAIN 9

static void dom_xml(struct fake_dom *d, const char *vcpu, const char *tune,
		    const char *devices)
{
	char uuid[VM_UUID_STR_LEN + 1];

	vm_uuid_format(d->tmpl.uuid, uuid);
	snprintf(d->xml, sizeof(d->xml),
		 "<domain type='test'><name>%s</name><uuid>%s</uuid>"
		 "<memory unit='KiB'>131072</memory>%s%s<os><type>hvm</type></os>"
		 "<devices>%s</devices></domain>",
		 d->name_buf, uuid, vcpu, tune, devices);
}

/* "pinned": running, 2 vCPUs on CPUs 4-7 except vCPU 0 on 1-2, two
 * disks; "plain": shut off, 3 vCPUs unpinned, no disk; host: 8 CPUs */
static int start(bool with_vms)
{
	struct fake_dom *d;

	config_defaults(&cfg);
	free(cfg.libvirt_uri);
	cfg.libvirt_uri = strdup("fake:///");
	log_set_level(LOG_WARNING);
	fake_virt_reset();
	if (with_vms) {
		d = fake_virt_add(1, "pinned", VIR_DOMAIN_RUNNING, 0, PINNED);
		dom_xml(d, "<vcpu cpuset='4-7'>2</vcpu>",
			"<cputune><vcpupin vcpu='0' cpuset='1-2'/></cputune>",
			"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
			"<source file='/var/lib/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"
			"<disk type='block' device='cdrom'><driver name='qemu' type='raw'/>"
			"<source dev='/dev/sr0'/><target dev='hdc' bus='ide'/><readonly/></disk>");
		d = fake_virt_add(2, "plain", VIR_DOMAIN_SHUTOFF, 0, PLAIN);
		dom_xml(d, "<vcpu>3</vcpu>", "", "");
	}
	if (loop_init() < 0 || worker_start(false) < 0)
		return -1;
	images_init(&images, "/nonexistent");
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.images = &images;
	ctx.tracker = tracker_new(&cfg, &fake_virt_ops);
	if (!ctx.tracker)
		return -1;
	tracker_start(ctx.tracker);
	rfc7666_setup(tab, &ctx);
	return 0;
}

static void stop(void)
{
	tracker_stop(ctx.tracker);
	worker_stop();
	tracker_free(ctx.tracker);
	images_clear(&images);
	loop_fini();
	config_free(&cfg);
	log_set_level(LOG_INFO);
}

/* walk from the registration root: strictly increasing, in the subtree,
 * every instance GET-able with the same type; the number of instances */
static int walk(const struct mibtab *t)
{
	oid cur[MAX_OID_LEN], next[MAX_OID_LEN];
	size_t cur_len = t->root_len, next_len;
	struct mib_value v, g;
	int n = 0;

	memcpy(cur, t->root, t->root_len * sizeof(oid));
	while (mibtab_getnext(t, cur, cur_len, next, &next_len, &v) == 0) {
		CU_ASSERT_TRUE(snmp_oid_compare(next, next_len, cur, cur_len) > 0);
		CU_ASSERT_TRUE(netsnmp_oid_is_subtree(t->root, t->root_len, next, next_len) == 0);
		CU_ASSERT_EQUAL(mibtab_get(t, next, next_len, &g), 0);
		CU_ASSERT_EQUAL(g.type, v.type);
		memcpy(cur, next, next_len * sizeof(oid));
		cur_len = next_len;
		if (++n > 10000)
			break;
	}
	return n;
}

static size_t mkoid(oid *out, const oid *base, size_t base_len, const oid *tail, size_t n)
{
	memcpy(out, base, base_len * sizeof(oid));
	memcpy(out + base_len, tail, n * sizeof(oid));
	return base_len + n;
}

/* GET entry.tail: the integer, or -99 if there is no instance */
static long get_int(const struct mibtab *t, const oid *entry, size_t entry_len,
		    const oid *tail, size_t n)
{
	oid q[MAX_OID_LEN];
	size_t qn = mkoid(q, entry, entry_len, tail, n);
	struct mib_value v;

	if (mibtab_get(t, q, qn, &v) != 0)
		return -99;
	return v.integer;
}

static uint64_t get_u64(const struct mibtab *t, const oid *tail, size_t n)
{
	oid q[MAX_OID_LEN];
	size_t qn = mkoid(q, sto_entry, OID_LENGTH(sto_entry), tail, n);
	struct mib_value v;

	if (mibtab_get(t, q, qn, &v) != 0 || v.type != ASN_COUNTER64)
		return UINT64_MAX;
	return ((uint64_t)v.c64.high << 32) | v.c64.low;
}

static bool get_str(const struct mibtab *t, const oid *tail, size_t n, const char *want)
{
	oid q[MAX_OID_LEN];
	size_t qn = mkoid(q, sto_entry, OID_LENGTH(sto_entry), tail, n);
	struct mib_value v;

	if (mibtab_get(t, q, qn, &v) != 0 || v.type != ASN_OCTET_STR)
		return false;
	return v.len == strlen(want) && memcmp(v.ptr, want, v.len) == 0;
}

/* GETNEXT of entry.tail: 0 and the index after the column in idx, -1 end */
static int next_of(const struct mibtab *t, const oid *entry, size_t entry_len,
		   const oid *tail, size_t n, oid *col, oid idx[3])
{
	oid q[MAX_OID_LEN], out[MAX_OID_LEN];
	size_t qn = mkoid(q, entry, entry_len, tail, n), on, k;
	struct mib_value v;

	if (mibtab_getnext(t, q, qn, out, &on, &v) != 0)
		return -1;
	*col = out[entry_len];
	for (k = 0; k < 3 && entry_len + 1 + k < on; k++)
		idx[k] = out[entry_len + 1 + k];
	return 0;
}

#define AFF(...) (oid[]){VM_COL_vmCpuAffinity, __VA_ARGS__}, \
		 sizeof((oid[]){VM_COL_vmCpuAffinity, __VA_ARGS__}) / sizeof(oid)

/* --- vmCpuAffinityTable ------------------------------------------------------------ */

static void rfc7666_affinity_empty_without_vms(void)
{
	CU_ASSERT_EQUAL_FATAL(start(false), 0);
	CU_ASSERT_EQUAL(walk(&tab[RFC7666_CPU_AFFINITY_TABLE]), 0);
	CU_ASSERT_EQUAL(walk(&tab[RFC7666_STORAGE_TABLE]), 0);
	stop();
}

static void rfc7666_affinity_rows_are_vcpus_times_host_cpus(void)
{
	const struct mibtab *t = &tab[RFC7666_CPU_AFFINITY_TABLE];
	size_t el = OID_LENGTH(aff_entry);

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	/* 2 vCPUs x 8 CPUs + 3 vCPUs x 8 CPUs */
	CU_ASSERT_EQUAL(walk(t), 16 + 24);
	/* vCPU 1 (vcpupin 1-2): CPU n is vmCpuPhysIndex n + 1 */
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 1)), VM_ENUM_vmCpuAffinity_disable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 2)), VM_ENUM_vmCpuAffinity_enable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 3)), VM_ENUM_vmCpuAffinity_enable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 4)), VM_ENUM_vmCpuAffinity_disable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 5)), VM_ENUM_vmCpuAffinity_disable);
	/* vCPU 2 (<vcpu cpuset='4-7'>) */
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 2, 2)), VM_ENUM_vmCpuAffinity_disable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 2, 4)), VM_ENUM_vmCpuAffinity_disable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 2, 5)), VM_ENUM_vmCpuAffinity_enable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 2, 8)), VM_ENUM_vmCpuAffinity_enable);
	/* unpinned: everywhere */
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PLAIN, 1, 1)), VM_ENUM_vmCpuAffinity_enable);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PLAIN, 3, 8)), VM_ENUM_vmCpuAffinity_enable);
	/* no such vCPU, CPU or VM */
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 3, 1)), -99);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 9)), -99);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 1, 0)), -99);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(PINNED, 0, 1)), -99);
	CU_ASSERT_EQUAL(get_int(t, aff_entry, el, AFF(5, 1, 1)), -99);
	stop();
}

static void rfc7666_affinity_getnext_partial_and_beyond(void)
{
	const struct mibtab *t = &tab[RFC7666_CPU_AFFINITY_TABLE];
	size_t el = OID_LENGTH(aff_entry);
	oid col, idx[3];

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	/* the column alone: the first row */
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, (oid[]){VM_COL_vmCpuAffinity}, 1, &col, idx), 0);
	CU_ASSERT_TRUE(col == VM_COL_vmCpuAffinity && idx[0] == PINNED && idx[1] == 1 &&
		       idx[2] == 1);
	/* VM only, VM and vCPU: their first CPU */
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PINNED && idx[1] == 1 && idx[2] == 1);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 2), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PINNED && idx[1] == 2 && idx[2] == 1);
	/* next CPU, next vCPU, next VM */
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 1, 3), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PINNED && idx[1] == 1 && idx[2] == 4);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 1, 8), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PINNED && idx[1] == 2 && idx[2] == 1);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 2, 8), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PLAIN && idx[1] == 1 && idx[2] == 1);
	/* indexes beyond a VM's rows, and longer than an index */
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 1, 99), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PINNED && idx[1] == 2 && idx[2] == 1);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 99), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PLAIN && idx[1] == 1 && idx[2] == 1);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PINNED, 2, 3, 7), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PINNED && idx[1] == 2 && idx[2] == 4);
	/* between VMs, then the end of the table */
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(6, 5, 5), &col, idx), 0);
	CU_ASSERT_TRUE(idx[0] == PLAIN && idx[1] == 1 && idx[2] == 1);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PLAIN, 3, 8), &col, idx), -1);
	CU_ASSERT_EQUAL(next_of(t, aff_entry, el, AFF(PLAIN + 1), &col, idx), -1);
	stop();
}

/* --- vmStorageTable ------------------------------------------------------------------- */

#define STO(c, ...) (oid[]){c, __VA_ARGS__}, sizeof((oid[]){c, __VA_ARGS__}) / sizeof(oid)

static void rfc7666_storage_walk_order(void)
{
	const struct mibtab *t = &tab[RFC7666_STORAGE_TABLE];
	size_t el = OID_LENGTH(sto_entry);
	int cols = VM_COL_vmStorageWriteLatency - VM_COL_vmStorageParent + 1;
	oid col, idx[3];

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	/* two disks of "pinned"; "plain" has none */
	CU_ASSERT_EQUAL(walk(t), cols * 2);
	CU_ASSERT_EQUAL(next_of(t, sto_entry, el, (oid[]){1}, 1, &col, idx), 0);
	CU_ASSERT_TRUE(col == VM_COL_vmStorageParent && idx[0] == PINNED && idx[1] == 1);
	CU_ASSERT_EQUAL(next_of(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PINNED, 1), &col,
				idx), 0);
	CU_ASSERT_TRUE(col == VM_COL_vmStorageAccess && idx[0] == PINNED && idx[1] == 2);
	/* past the last disk: the next column's first row */
	CU_ASSERT_EQUAL(next_of(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PINNED, 2), &col,
				idx), 0);
	CU_ASSERT_TRUE(col == VM_COL_vmStorageMediaType && idx[0] == PINNED && idx[1] == 1);
	CU_ASSERT_EQUAL(next_of(t, sto_entry, el,
				STO(VM_COL_vmStorageWriteLatency, PINNED, 2), &col, idx), -1);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PINNED, 3)), -99);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PLAIN, 1)), -99);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PINNED, 0)), -99);
	stop();
}

static void rfc7666_storage_values_from_xml_and_stats(void)
{
	const struct mibtab *t = &tab[RFC7666_STORAGE_TABLE];
	size_t el = OID_LENGTH(sto_entry);

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	/* from the XML */
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageParent, PINNED, 1)), 0);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageSourceType, PINNED, 1)),
			VM_ENUM_vmStorageSourceType_sparse);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageSourceType, PINNED, 2)),
			VM_ENUM_vmStorageSourceType_block);
	CU_ASSERT_TRUE(get_str(t, STO(VM_COL_vmStorageSourceTypeString, PINNED, 1), "file/qcow2"));
	CU_ASSERT_TRUE(get_str(t, STO(VM_COL_vmStorageSourceTypeString, PINNED, 2), "block/raw"));
	CU_ASSERT_TRUE(get_str(t, STO(VM_COL_vmStorageResourceID, PINNED, 1), "/var/lib/a.qcow2"));
	CU_ASSERT_TRUE(get_str(t, STO(VM_COL_vmStorageResourceID, PINNED, 2), "/dev/sr0"));
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PINNED, 1)),
			VM_ENUM_vmStorageAccess_readwrite);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAccess, PINNED, 2)),
			VM_ENUM_vmStorageAccess_readonly);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageMediaType, PINNED, 1)),
			VM_ENUM_vmStorageMediaType_hardDisk);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageMediaType, PINNED, 2)),
			VM_ENUM_vmStorageMediaType_opticalDisk);
	CU_ASSERT_TRUE(get_str(t, STO(VM_COL_vmStorageMediaTypeString, PINNED, 1), "disk/virtio"));
	CU_ASSERT_TRUE(get_str(t, STO(VM_COL_vmStorageMediaTypeString, PINNED, 2), "cdrom/ide"));
	/* sizes come with the counters: unknown until they are read (the
	 * handler's prepare() asks for them; here the test does) */
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageDefinedSize, PINNED, 1)), -1);
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageReadIOs, PINNED, 1)), 0);
	tracker_need_stats(ctx.tracker);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageSizeUnit, PINNED, 1)),
			1048576);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageDefinedSize, PINNED, 1)),
			3 * 1048576);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAllocatedSize, PINNED, 1)),
			5 * 1024);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageSizeUnit, PINNED, 2)), 1);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageDefinedSize, PINNED, 2)), -1);
	CU_ASSERT_EQUAL(get_int(t, sto_entry, el, STO(VM_COL_vmStorageAllocatedSize, PINNED, 2)),
			-1);
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageReadIOs, PINNED, 1)), 1);
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageWriteIOs, PINNED, 1)), 10);
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageReadOctets, PINNED, 2)), 1024);
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageWriteOctets, PINNED, 2)), 8192);
	/* latency: libvirt's nanoseconds in microseconds */
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageReadLatency, PINNED, 1)), 3);
	CU_ASSERT_EQUAL(get_u64(t, STO(VM_COL_vmStorageWriteLatency, PINNED, 2)), 14);
	stop();
}

/* --- the pure parts ------------------------------------------------------------------- */

static struct vm *parse(const char *vcpu, const char *tune, const char *devices)
{
	char xml[2048], err[256];

	snprintf(xml, sizeof(xml),
		 "<domain><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
		 "<memory>1024</memory>%s%s<devices>%s</devices></domain>",
		 vcpu, tune, devices);
	return domxml_parse(xml, err, sizeof(err));
}

static void rfc7666_domxml_pinning_forms(void)
{
	struct vm *vm;

	/* nothing pinned: no rows kept at all */
	vm = parse("<vcpu>4</vcpu>", "", "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_PTR_NULL(vm->cpu_pin);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 3, 100), VM_PIN_ANY);
	vm_free(vm);
	/* exclusions and lists; a vcpupin alone leaves the other vCPUs free */
	vm = parse("<vcpu>3</vcpu>",
		   "<cputune><vcpupin vcpu='1' cpuset='0-3,^2,9'/></cputune>", "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 0, 5), VM_PIN_ANY);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 0), VM_PIN_ANY);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 2), VM_PIN_BITMAP);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 3), VM_PIN_ANY);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 8), VM_PIN_BITMAP);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 9), VM_PIN_ANY);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 200), VM_PIN_BITMAP);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 2, 200), VM_PIN_ANY);
	vm_free(vm);
	/* numad placement: unknown; a malformed cpuset: unknown */
	vm = parse("<vcpu placement='auto'>2</vcpu>", "", "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 0, 0), VM_PIN_UNKNOWN);
	vm_free(vm);
	vm = parse("<vcpu cpuset='1,'>2</vcpu>",
		   "<cputune><vcpupin vcpu='0' cpuset='3-x'/></cputune>", "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 0, 3), VM_PIN_UNKNOWN);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 1), VM_PIN_ANY);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 0), VM_PIN_BITMAP);
	vm_free(vm);
	vm = parse("<vcpu cpuset='x'>2</vcpu>", "", "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(vm_cpu_allowed(vm, 1, 0), VM_PIN_UNKNOWN);
	vm_free(vm);
}

static void rfc7666_domxml_disk_forms(void)
{
	struct vm *vm = parse("<vcpu>1</vcpu>", "",
			      "<disk type='network'><source protocol='rbd' name='pool/img'/>"
			      "<target dev='vdb'/></disk>"
			      "<disk type='volume' device='floppy'><source pool='p' volume='v'/>"
			      "<target dev='fda' bus='fdc'/></disk>"
			      "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/>"
			      "</disk>");

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(vm->n_disks, 3);
	CU_ASSERT_STRING_EQUAL(vm->disks[0].source, "pool/img");
	CU_ASSERT_STRING_EQUAL(vm->disks[0].device, "disk");
	CU_ASSERT_EQUAL(rfc7666_storage_source_type(&vm->disks[0]), VM_ENUM_vmStorageSourceType_network);
	CU_ASSERT_STRING_EQUAL(vm->disks[1].source, "p/v");
	CU_ASSERT_EQUAL(rfc7666_storage_source_type(&vm->disks[1]), VM_ENUM_vmStorageSourceType_other);
	CU_ASSERT_EQUAL(rfc7666_storage_media_type(&vm->disks[1]), VM_ENUM_vmStorageMediaType_floppyDisk);
	/* an empty CD-ROM drive: no source, format unknown */
	CU_ASSERT_PTR_NULL(vm->disks[2].source);
	CU_ASSERT_EQUAL(rfc7666_storage_source_type(&vm->disks[2]), VM_ENUM_vmStorageSourceType_unknown);
	CU_ASSERT_EQUAL(vm->disks[2].capacity_bytes, -1);
	CU_ASSERT_PTR_NOT_NULL(vm_disk_by_dev(vm, "fda"));
	CU_ASSERT_PTR_NULL(vm_disk_by_dev(vm, "fdb"));
	vm_free(vm);
}

static void rfc7666_storage_size_unit_keeps_integer32(void)
{
	struct vm_disk d = {.capacity_bytes = 2147483647, .allocation_bytes = -1};

	CU_ASSERT_EQUAL(rfc7666_storage_size_unit(&d), 1);
	d.capacity_bytes = 2147483648;
	CU_ASSERT_EQUAL(rfc7666_storage_size_unit(&d), 1024);
	d.allocation_bytes = (int64_t)2147483648 * 1024;
	CU_ASSERT_EQUAL(rfc7666_storage_size_unit(&d), 1048576);
	d.capacity_bytes = d.allocation_bytes = -1;
	CU_ASSERT_EQUAL(rfc7666_storage_size_unit(&d), 1);
}

/* a refreshed snapshot keeps the counters until the next stats read */
static void rfc7666_disk_counters_survive_a_reread(void)
{
	struct vm *old = parse("<vcpu>1</vcpu>", "",
			       "<disk type='file'><target dev='vda'/></disk>");
	struct vm *fresh = parse("<vcpu>1</vcpu>", "",
				 "<disk type='file'><target dev='vdb'/></disk>"
				 "<disk type='file'><target dev='vda'/></disk>");

	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	old->disks[0].c.rd_reqs = 42;
	old->disks[0].capacity_bytes = 4096;
	vm_carry_over(fresh, old);
	CU_ASSERT_EQUAL(fresh->disks[1].c.rd_reqs, 42);
	CU_ASSERT_EQUAL(fresh->disks[1].capacity_bytes, 4096);
	CU_ASSERT_EQUAL(fresh->disks[0].c.rd_reqs, 0);
	CU_ASSERT_EQUAL(fresh->disks[0].capacity_bytes, -1);
	vm_free(old);
	vm_free(fresh);
}

static const struct unit_test tests[] = {
	UNIT_TEST(rfc7666_affinity_empty_without_vms),
	UNIT_TEST(rfc7666_affinity_rows_are_vcpus_times_host_cpus),
	UNIT_TEST(rfc7666_affinity_getnext_partial_and_beyond),
	UNIT_TEST(rfc7666_storage_walk_order),
	UNIT_TEST(rfc7666_storage_values_from_xml_and_stats),
	UNIT_TEST(rfc7666_domxml_pinning_forms),
	UNIT_TEST(rfc7666_domxml_disk_forms),
	UNIT_TEST(rfc7666_storage_size_unit_keeps_integer32),
	UNIT_TEST(rfc7666_disk_counters_survive_a_reread),
	{NULL, NULL},
};

UNIT_SUITE(agent_rfc7666, NULL, NULL, tests)
