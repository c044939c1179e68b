/*
 * vmsched.c - scheduler parameters per hypervisor (vmsched.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libvirt/libvirt.h>

#include "vmsched.h"

enum vmsched_kind vmsched_kind_of(const char *hv_type)
{
	if (strcasecmp(hv_type, "QEMU") == 0 || strcasecmp(hv_type, "KVM") == 0)
		return VMSCHED_CGROUP;
	if (strcasecmp(hv_type, "Xen") == 0 || strcasecmp(hv_type, "libxl") == 0)
		return VMSCHED_CREDIT;
	return VMSCHED_NONE;
}

int64_t vmsched_quota_us(uint32_t cap_pct, unsigned int vcpus)
{
	int64_t q;

	if (cap_pct == 0)
		return -1;
	q = (int64_t)cap_pct * (VMSCHED_PERIOD_US / 100) / (vcpus ? vcpus : 1);
	return q < VMSCHED_QUOTA_MIN_US ? VMSCHED_QUOTA_MIN_US : q;
}

static void vmsched_add(struct virt_sched *out, const char *field, int type, uint64_t u,
		      int64_t l)
{
	snprintf(out->p[out->n].field, sizeof(out->p[out->n].field), "%s", field);
	out->p[out->n].type = type;
	out->p[out->n].u = u;
	out->p[out->n].l = l;
	out->n++;
}

int vmsched_params(enum vmsched_kind k, bool has_weight, uint32_t weight, bool has_cap,
		 uint32_t cap_pct, unsigned int vcpus, struct virt_sched *out)
{
	memset(out, 0, sizeof(*out));
	switch (k) {
	case VMSCHED_CGROUP:
		if (has_weight)
			vmsched_add(out, "cpu_shares", VIR_TYPED_PARAM_ULLONG, weight, 0);
		if (has_cap) {
			vmsched_add(out, "vcpu_period", VIR_TYPED_PARAM_ULLONG, VMSCHED_PERIOD_US, 0);
			vmsched_add(out, "vcpu_quota", VIR_TYPED_PARAM_LLONG, 0,
				  vmsched_quota_us(cap_pct, vcpus));
		}
		return 0;
	case VMSCHED_CREDIT:
		if (has_weight)
			vmsched_add(out, "weight", VIR_TYPED_PARAM_UINT, weight, 0);
		if (has_cap)
			vmsched_add(out, "cap", VIR_TYPED_PARAM_UINT, cap_pct, 0);
		return 0;
	case VMSCHED_NONE:
		break;
	}
	return -1;
}
