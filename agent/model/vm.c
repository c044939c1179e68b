/*
 * vm.c - life cycle and small helpers of struct vm (see vm.h).
 *
 * Pure functions on plain data: no libvirt, no Net-SNMP, no I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "vm.h"
#include "vmib_oids.h"

struct vm *vm_new(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->migrate_status = VMIB_ENUM_vmibVmMigrateStatus_none;
	vm->migrate_live = true;
	return vm;
}

void vm_free(struct vm *vm)
{
	size_t i;

	if (!vm)
		return;
	free(vm->name);
	free(vm->image);
	free(vm->kernel);
	free(vm->os_type);
	free(vm->vcpu_time_ns);
	free(vm->vifs);
	for (i = 0; i < vm->n_disks; i++)
		free(vm->disks[i].source);
	free(vm->disks);
	free(vm->cpu_pin);
	free(vm->migrate_target);
	free(vm->last_error);
	free(vm);
}

void vm_carry_over(struct vm *fresh, const struct vm *old)
{
	size_t i;
	struct vm_vif *v;

	fresh->index = old->index;
	fresh->up_since_ms = old->up_since_ms;
	fresh->event_seq = old->event_seq;
	/* counters stay until the next stats refresh replaces them */
	fresh->stats_ms = old->stats_ms;
	fresh->cpu_time_ns = old->cpu_time_ns;
	if (!fresh->vcpu_time_ns && old->n_vcpu_time) {
		fresh->vcpu_time_ns = malloc(old->n_vcpu_time * sizeof(uint64_t));
		if (fresh->vcpu_time_ns) {
			memcpy(fresh->vcpu_time_ns, old->vcpu_time_ns,
			       old->n_vcpu_time * sizeof(uint64_t));
			fresh->n_vcpu_time = old->n_vcpu_time;
		}
	}
	for (i = 0; i < old->n_vifs; i++) {
		v = vm_vif_by_dev(fresh, old->vifs[i].dev);
		if (v && old->vifs[i].dev[0])
			v->c = old->vifs[i].c;
	}
	for (i = 0; i < old->n_disks; i++) {
		struct vm_disk *d = vm_disk_by_dev(fresh, old->disks[i].dev);

		if (d) {
			d->c = old->disks[i].c;
			d->capacity_bytes = old->disks[i].capacity_bytes;
			d->allocation_bytes = old->disks[i].allocation_bytes;
		}
	}
	if (!fresh->migrate_target && old->migrate_target)
		fresh->migrate_target = strdup(old->migrate_target);
	if (!fresh->last_error && old->last_error)
		fresh->last_error = strdup(old->last_error);
	if (!fresh->migrate_live_meta)
		fresh->migrate_live = old->migrate_live;
	fresh->migrate_status = old->migrate_status;
	fresh->migrate_downtime_ms = old->migrate_downtime_ms;
}

bool vm_is_active(const struct vm *vm)
{
	return vm->state == VIR_DOMAIN_RUNNING || vm->state == VIR_DOMAIN_BLOCKED ||
	       vm->state == VIR_DOMAIN_PAUSED || vm->state == VIR_DOMAIN_SHUTDOWN ||
	       vm->state == VIR_DOMAIN_PMSUSPENDED;
}

/* vmibVmOperState: migrating(9) while an outgoing migration started
 * through vmibVmMigrateTarget runs (migrate.c sets the status) */
int vm_oper_vmib(const struct vm *vm)
{
	if (vm->migrate_status == VMIB_ENUM_vmibVmMigrateStatus_inProgress &&
	    vm_is_active(vm))
		return VMIB_ENUM_vmibVmOperState_migrating;
	switch (vm->state) {
	case VIR_DOMAIN_RUNNING:
		return VMIB_ENUM_vmibVmOperState_running;
	case VIR_DOMAIN_BLOCKED:
		return VMIB_ENUM_vmibVmOperState_blocked;
	case VIR_DOMAIN_PAUSED:
		return VMIB_ENUM_vmibVmOperState_paused;
	case VIR_DOMAIN_SHUTDOWN:
		return VMIB_ENUM_vmibVmOperState_shuttingDown;
	case VIR_DOMAIN_SHUTOFF:
		return VMIB_ENUM_vmibVmOperState_shutoff;
	case VIR_DOMAIN_CRASHED:
		return VMIB_ENUM_vmibVmOperState_crashed;
	case VIR_DOMAIN_PMSUSPENDED:
		return VMIB_ENUM_vmibVmOperState_pmSuspended;
	default:
		return VMIB_ENUM_vmibVmOperState_unknown;
	}
}

/* VMIB-MIB vmibVmAdminState DESCRIPTION: the recorded value, else
 * running(1) for running/blocked, paused(2) for paused/pmSuspended,
 * shutoff(3) otherwise. */
int vm_admin_vmib(const struct vm *vm)
{
	if (vm->admin >= VM_ADMIN_RUNNING && vm->admin <= VM_ADMIN_DESTROYED)
		return vm->admin;
	switch (vm->state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return VM_ADMIN_RUNNING;
	case VIR_DOMAIN_PAUSED:
	case VIR_DOMAIN_PMSUSPENDED:
		return VM_ADMIN_PAUSED;
	default:
		return VM_ADMIN_SHUTOFF;
	}
}

void vm_uuid_format(const unsigned char uuid[VM_UUID_LEN],
		    char out[VM_UUID_STR_LEN + 1])
{
	snprintf(out, VM_UUID_STR_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6],
		 uuid[7], uuid[8], uuid[9], uuid[10], uuid[11], uuid[12],
		 uuid[13], uuid[14], uuid[15]);
}

static int vm_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Accepts the canonical 8-4-4-4-12 form and 32 bare hex digits. */
int vm_uuid_parse(const char *s, unsigned char uuid[VM_UUID_LEN])
{
	int i = 0, hi, lo;

	while (*s && isspace((unsigned char)*s))
		s++;
	while (i < VM_UUID_LEN) {
		if (*s == '-') {
			s++;
			continue;
		}
		hi = vm_hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : vm_hexval((unsigned char)s[1]);
		if (lo < 0)
			return -1;
		uuid[i++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s ? -1 : 0;
}

int vm_uuid_cmp(const unsigned char *a, const unsigned char *b)
{
	return memcmp(a, b, VM_UUID_LEN);
}

const struct vm_vif *vm_vif_find(const struct vm *vm, uint32_t vif_index)
{
	size_t lo = 0, hi = vm->n_vifs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (vm->vifs[mid].index == vif_index)
			return &vm->vifs[mid];
		if (vm->vifs[mid].index < vif_index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct vm_vif *vm_vif_by_dev(struct vm *vm, const char *dev)
{
	size_t i;

	if (!dev || !*dev)
		return NULL;
	for (i = 0; i < vm->n_vifs; i++)
		if (strcmp(vm->vifs[i].dev, dev) == 0)
			return &vm->vifs[i];
	return NULL;
}

struct vm_disk *vm_disk_by_dev(struct vm *vm, const char *dev)
{
	size_t i;

	if (!dev || !*dev)
		return NULL;
	for (i = 0; i < vm->n_disks; i++)
		if (strcmp(vm->disks[i].dev, dev) == 0)
			return &vm->disks[i];
	return NULL;
}

int vm_cpu_allowed(const struct vm *vm, unsigned int vcpu, unsigned int pcpu)
{
	const uint8_t *row;

	if (!vm->cpu_pin || vcpu >= vm->n_pin_vcpus)
		return VM_PIN_ANY;
	row = vm->cpu_pin + (size_t)vcpu * VM_PIN_ROW(vm);
	if (row[0] != VM_PIN_BITMAP)
		return row[0];
	if (pcpu / 8 >= vm->pin_bytes)
		return VM_PIN_BITMAP;
	return (row[1 + pcpu / 8] >> (pcpu % 8)) & 1 ? VM_PIN_ANY : VM_PIN_BITMAP;
}

static int vm_vif_cmp(const void *a, const void *b)
{
	const struct vm_vif *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

void vm_sort_vifs(struct vm *vm)
{
	if (vm->n_vifs > 1)
		qsort(vm->vifs, vm->n_vifs, sizeof(*vm->vifs), vm_vif_cmp);
}
