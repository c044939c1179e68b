/*
 * mib_vif.c - vmibVifTable (VMIB-MIB).
 *
 * Rows are (vmibVmIndex, vmibVifIndex): the vifs of each cached VM, in
 * index order.  Counters take the VM's point of view (libvirt's); the
 * ifIndex is that of the host device in vmibd's network namespace, which
 * is the master agent's (vmibd runs beside the host's snmpd).  The table
 * is registered read-write: vifs are created with their VM, or
 * hot-plugged and removed later, by vmset.c (one transaction with the
 * VM table's varbinds of the same PDU).
 */
#include "mib_tables.h"
#include "mibset.h"
#include "vmib_oids.h"
#include "vmset.h"

static const oid mib_vif_table[] = {VMIB_OID_vmibVifTable};
static const oid mib_vif_entry[] = {VMIB_OID_vmibVifEntry};

static uint64_t mib_vif_child(const void *vmp, size_t i)
{
	const struct vm *vm = vmp;

	return i < vm->n_vifs ? vm->vifs[i].index : 0;
}

static const void *mib_vif_get(const struct mibtab *t, const oid *idx)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct vm *vm = mibtab_vm_get(tracker_cache(ctx->tracker), idx);

	if (!vm || idx[1] < 1 || idx[1] > VMIB_RANGE_vmibVifIndex_MAX)
		return NULL;
	return vm_vif_find(vm, (uint32_t)idx[1]);
}

static const void *mib_vif_next(const struct mibtab *t, const oid *q, size_t q_len,
				oid *out)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct vm *vm;
	size_t pos;

	vm = mibtab_vm2_next(tracker_cache(ctx->tracker), q, q_len, out,
			     mib_vif_child, &pos);
	return vm ? &vm->vifs[pos] : NULL;
}

static int mib_vif_counter(const struct vm_vif *vif, unsigned int col,
			   struct mib_value *v)
{
	const struct vif_counters *c = &vif->c;

	switch (col) {
	case VMIB_COL_vmibVifRxOctets:
		mib_value_u64(v, c->rx_bytes);
		break;
	case VMIB_COL_vmibVifRxPkts:
		mib_value_u64(v, c->rx_pkts);
		break;
	case VMIB_COL_vmibVifRxErrors:
		mib_value_u64(v, c->rx_errs);
		break;
	case VMIB_COL_vmibVifRxDrops:
		mib_value_u64(v, c->rx_drops);
		break;
	case VMIB_COL_vmibVifTxOctets:
		mib_value_u64(v, c->tx_bytes);
		break;
	case VMIB_COL_vmibVifTxPkts:
		mib_value_u64(v, c->tx_pkts);
		break;
	case VMIB_COL_vmibVifTxErrors:
		mib_value_u64(v, c->tx_errs);
		break;
	case VMIB_COL_vmibVifTxDrops:
		mib_value_u64(v, c->tx_drops);
		break;
	default:
		return -1;
	}
	return 0;
}

static int mib_vif_col(const struct mibtab *t, const void *row, unsigned int col,
		       struct mib_value *v)
{
	const struct vm_vif *vif = row;
	static const uint8_t zero_mac[6];

	(void)t;
	switch (col) {
	case VMIB_COL_vmibVifDevice:
		mib_value_str(v, vif->dev, VMIB_SIZE_vmibVifDevice_MAX);
		break;
	case VMIB_COL_vmibVifMac:
		mib_value_bytes(v, ASN_OCTET_STR, vif->has_mac ? vif->mac : zero_mac, 6);
		break;
	case VMIB_COL_vmibVifBridge:
		mib_value_str(v, vif->bridge, VMIB_SIZE_vmibVifBridge_MAX);
		break;
	case VMIB_COL_vmibVifAddr:
		mib_value_bytes(v, ASN_IPADDRESS, vif->addr, 4);
		break;
	case VMIB_COL_vmibVifPrefixLen:
		mib_value_int(v, ASN_UNSIGNED, vif->prefix_len);
		break;
	case VMIB_COL_vmibVifRoutes:
		mib_value_str(v, vif->routes, VMIB_SIZE_vmibVifRoutes_MAX);
		break;
	case VMIB_COL_vmibVifIfIndex:
		mib_value_int(v, ASN_INTEGER, (long)vif->ifindex);
		break;
	case VMIB_COL_vmibVifRowStatus:
		mib_value_int(v, ASN_INTEGER, VMIB_ENUM_vmibVifRowStatus_active);
		break;
	default:
		return mib_vif_counter(vif, col, v);
	}
	return 0;
}

static void mib_vif_prepare(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;

	tracker_need_stats(ctx->tracker);
}

int mib_vif_register(struct mibtab *t)
{
	return mibset_register(t, vmset_vif_handler);
}

void mib_vif_setup(struct mibtab *t, struct agent_ctx *ctx)
{
	*t = (struct mibtab){
		.name = "vmibVifTable",
		.root = mib_vif_table,
		.root_len = VMIB_OID_vmibVifTable_LEN,
		.entry = mib_vif_entry,
		.entry_len = VMIB_OID_vmibVifEntry_LEN,
		.col_min = VMIB_TABLE_vmibVifTable_MIN_COL,
		.col_max = VMIB_TABLE_vmibVifTable_MAX_COL,
		.index_len = 2,
		.stats_col_min = VMIB_COL_vmibVifRxOctets,
		.stats_col_max = VMIB_COL_vmibVifTxDrops,
		.prepare = mib_vif_prepare,
		.row_get = mib_vif_get,
		.row_next = mib_vif_next,
		.col_value = mib_vif_col,
		.ctx = ctx,
	};
}
