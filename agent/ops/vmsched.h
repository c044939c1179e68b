/*
 * vmsched.h - vmibVmSchedWeight and vmibVmSchedCapPercent in each
 * hypervisor's terms (VMIB-MIB, doc/vmibd.8 SCHEDULER).
 *
 *   Xen (credit scheduler): weight -> "weight", cap -> "cap" (percent of
 *     one CPU, 0 no cap), as they are.
 *   QEMU/KVM (cgroups): weight -> "cpu_shares"; cap -> "vcpu_period"
 *     100000 us and "vcpu_quota" cap * 1000 / vCPUs us per vCPU (at least
 *     libvirt's minimum 1000 us), cap 0 -> quota -1 (no limit).
 *   anything else (libvirt's test driver): no writable parameters.
 *
 * What is read back comes from libvirt (virt.c), so rounding and clamping
 * by the hypervisor show.  Pure functions.
 */
#ifndef VMIB_VMSCHED_H
#define VMIB_VMSCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "virt.h"

#define VMSCHED_PERIOD_US 100000
#define VMSCHED_QUOTA_MIN_US 1000

enum vmsched_kind {
	VMSCHED_NONE,    /* no writable weight or cap */
	VMSCHED_CGROUP,  /* QEMU/KVM */
	VMSCHED_CREDIT,  /* Xen */
};

/* from virConnectGetType: "QEMU", "Xen", ... */
enum vmsched_kind vmsched_kind_of(const char *hv_type);

/* vcpu_quota for a cap (percent of one CPU, all vCPUs together) */
int64_t vmsched_quota_us(uint32_t cap_pct, unsigned int vcpus);

/* The parameters to write for a weight and/or a cap.  -1 if the kind has
 * none (then out is empty). */
int vmsched_params(enum vmsched_kind k, bool has_weight, uint32_t weight, bool has_cap,
		 uint32_t cap_pct, unsigned int vcpus, struct virt_sched *out);

#endif
