/*
 * mib_host.c - the vMIB host scalars (vmibHost, VMIB-MIB).
 *
 * Serves vmibHostName .. vmibHostLastError (columns 1-12) from the
 * tracker's host state: one table for vmibHost.1-12 (mib_host_setup),
 * registered as one subtree per scalar (mib_host_split).  Not as an
 * AgentX range: on every reconnect Net-SNMP's register_mib_reattach()
 * sends the range again for each of the 12 subtrees it split it into,
 * and the master refuses 11 of them as duplicates (AgentX error 263).
 * vmibIsolationDefault and vmibIsolationOperStatus (13, 14) belong to the
 * isolation module and are registered there (mib_isol.c).
 */
#include <string.h>

#include "caps.h"
#include "mib_tables.h"
#include "mib_time.h"
#include "vmib_oids.h"

/* caps_to_octets() writes the one octet of vmibHostCapabilities */
_Static_assert(VMIB_BITS_vmibHostCapabilities_OCTETS == 1, "vmibHostCapabilities is one octet");

static const oid mib_host_oid[] = {VMIB_OID_vmibHost};

/* the scalars served here, in their MIB order; their sub-identifiers
 * under vmibHost come from the generated OIDs at setup */
enum mib_host_field {
	HF_NAME, HF_TYPE, HF_VERSION, HF_URI, HF_CPUS, HF_MEM_TOTAL, HF_MEM_FREE,
	HF_CAPS, HF_VM_COUNT, HF_LAST_CHANGE, HF_STATE, HF_LAST_ERROR, HF_N
};
static unsigned int mib_host_arc[HF_N];

/* last sub-identifier of a generated OID */
#define MIB_ARC(name) ((const oid[]){VMIB_OID_##name})[VMIB_OID_##name##_LEN - 1]

static long mib_host_clamp32(uint64_t v)
{
	return v > 0xffffffffu ? (long)0xffffffffu : (long)v;
}

static int mib_host_field(unsigned int col)
{
	int f;

	for (f = 0; f < HF_N; f++)
		if (mib_host_arc[f] == col)
			return f;
	return -1;
}

static uint32_t mib_host_caps(const struct agent_ctx *ctx, const struct tracker_host *h)
{
	uint32_t caps = ctx->caps;

	if (h->info.migration)
		caps |= 1u << VMIB_BIT_vmibHostCapabilities_migration;
	return caps;
}

static int mib_host_col(const struct mibtab *t, const void *row, unsigned int col,
			struct mib_value *v)
{
	struct agent_ctx *ctx = t->ctx;
	const struct tracker_host *h = tracker_host(ctx->tracker);
	unsigned char bits[8];

	(void)row;
	switch (mib_host_field(col)) {
	case HF_NAME:
		mib_value_str(v, h->info.hostname, VMIB_SIZE_vmibHostName_MAX);
		break;
	case HF_TYPE:
		mib_value_str(v, h->info.hv_type, VMIB_SIZE_vmibHostHypervisorType_MAX);
		break;
	case HF_VERSION:
		mib_value_str(v, h->info.hv_version, VMIB_SIZE_vmibHostHypervisorVersion_MAX);
		break;
	case HF_URI:
		mib_value_str(v, ctx->cfg->libvirt_uri, VMIB_SIZE_vmibHostLibvirtUri_MAX);
		break;
	case HF_CPUS:
		mib_value_int(v, ASN_UNSIGNED, (long)h->info.cpus);
		break;
	case HF_MEM_TOTAL:
		mib_value_int(v, ASN_GAUGE, mib_host_clamp32(h->info.mem_total_kib));
		break;
	case HF_MEM_FREE:
		mib_value_int(v, ASN_GAUGE, mib_host_clamp32(h->info.mem_free_kib));
		break;
	case HF_CAPS:
		caps_to_octets(mib_host_caps(ctx, h), bits);
		mib_value_bytes(v, ASN_OCTET_STR, bits, VMIB_BITS_vmibHostCapabilities_OCTETS);
		break;
	case HF_VM_COUNT:
		mib_value_int(v, ASN_GAUGE, (long)vmcache_count(tracker_cache(ctx->tracker)));
		break;
	case HF_LAST_CHANGE:
		mib_value_int(v, ASN_TIMETICKS, (long)mib_timestamp(h->last_change_ms));
		break;
	case HF_STATE:
		mib_value_int(v, ASN_INTEGER, h->connected ? VMIB_ENUM_vmibHostLibvirtState_connected
							   : VMIB_ENUM_vmibHostLibvirtState_stale);
		break;
	case HF_LAST_ERROR:
		mib_value_str(v, h->last_error, VMIB_SIZE_vmibHostLastError_MAX);
		break;
	default:
		return -1;
	}
	return 0;
}

void mib_host_setup(struct mibtab *t, struct agent_ctx *ctx)
{
	unsigned int lo = ~0u, hi = 0;
	int f;

	mib_host_arc[HF_NAME] = MIB_ARC(vmibHostName);
	mib_host_arc[HF_TYPE] = MIB_ARC(vmibHostHypervisorType);
	mib_host_arc[HF_VERSION] = MIB_ARC(vmibHostHypervisorVersion);
	mib_host_arc[HF_URI] = MIB_ARC(vmibHostLibvirtUri);
	mib_host_arc[HF_CPUS] = MIB_ARC(vmibHostCpus);
	mib_host_arc[HF_MEM_TOTAL] = MIB_ARC(vmibHostMemoryTotalKBytes);
	mib_host_arc[HF_MEM_FREE] = MIB_ARC(vmibHostMemoryFreeKBytes);
	mib_host_arc[HF_CAPS] = MIB_ARC(vmibHostCapabilities);
	mib_host_arc[HF_VM_COUNT] = MIB_ARC(vmibHostVmCount);
	mib_host_arc[HF_LAST_CHANGE] = MIB_ARC(vmibHostLastChange);
	mib_host_arc[HF_STATE] = MIB_ARC(vmibHostLibvirtState);
	mib_host_arc[HF_LAST_ERROR] = MIB_ARC(vmibHostLastError);
	for (f = 0; f < HF_N; f++) {
		lo = mib_host_arc[f] < lo ? mib_host_arc[f] : lo;
		hi = mib_host_arc[f] > hi ? mib_host_arc[f] : hi;
	}
	*t = (struct mibtab){
		.name = "vmibHost",
		.root = mib_host_oid,
		.root_len = VMIB_OID_vmibHost_LEN,
		.range_ubound = hi,
		.entry = mib_host_oid,
		.entry_len = VMIB_OID_vmibHost_LEN,
		.col_min = lo,
		.col_max = hi,
		.index_len = 1,
		.row_get = mibtab_scalar_get,
		.row_next = mibtab_scalar_next,
		.col_value = mib_host_col,
		.ctx = ctx,
	};
}

/* per scalar of vmibHost.1-12: a copy of whole rooted at vmibHost.N */
size_t mib_host_split(const struct mibtab *whole, struct mibtab *out)
{
	static oid roots[HF_N][VMIB_OID_vmibHost_LEN + 1];
	size_t f;

	for (f = 0; f < HF_N; f++) {
		memcpy(roots[f], mib_host_oid, sizeof(mib_host_oid));
		roots[f][VMIB_OID_vmibHost_LEN] = mib_host_arc[f];
		out[f] = *whole;
		out[f].root = roots[f];
		out[f].root_len = VMIB_OID_vmibHost_LEN + 1;
		out[f].range_ubound = 0;
		out[f].col_min = out[f].col_max = mib_host_arc[f];
	}
	return HF_N;
}
