/*
 * mib.c - the registration of every MIB module vmibd serves.
 *
 * Owns the static struct mibtab instances Net-SNMP holds pointers to
 * while vmibd runs.  It calls the modules' *_setup() and registers what
 * they describe; the modules do not call back into it.
 */
#include <stdbool.h>

#include "mib.h"
#include "mib_tables.h"

static struct mibtab mib_tables[MIB_HOST_N + 3 + RFC7666_N_TABLES + 1 + MIB_ISOL_N];
static size_t mib_n_tables;

int mib_register_all(struct agent_ctx *ctx)
{
	size_t i, vm_i, vif_i;
	struct mibtab host;

	mib_host_setup(&host, ctx);
	mib_n_tables = mib_host_split(&host, mib_tables);
	mib_image_setup(&mib_tables[mib_n_tables++], ctx);
	vm_i = mib_n_tables;
	mib_vm_setup(&mib_tables[mib_n_tables++], ctx);
	vif_i = mib_n_tables;
	mib_vif_setup(&mib_tables[mib_n_tables++], ctx);
	if (ctx->cfg->rfc7666) {
		rfc7666_setup(&mib_tables[mib_n_tables], ctx);
		mib_n_tables += RFC7666_N_TABLES;
	}
	for (i = 0; i < mib_n_tables; i++)
		if ((i == vm_i ? mib_vm_register(&mib_tables[i])
		     : i == vif_i ? mib_vif_register(&mib_tables[i])
				  : mibtab_register(&mib_tables[i])) < 0)
			return -1;
	/* the writable tables register themselves (mibset.h) */
	if (ctx->shapes) {
		mib_shape_setup(&mib_tables[mib_n_tables], ctx);
		if (mib_shape_register(&mib_tables[mib_n_tables++]) < 0)
			return -1;
	}
	if (ctx->isol) {
		mib_isol_setup(&mib_tables[mib_n_tables], ctx);
		mib_n_tables += MIB_ISOL_N;
		if (mib_isol_register(&mib_tables[mib_n_tables - MIB_ISOL_N]) < 0)
			return -1;
	}
	return 0;
}

void mib_unregister_all(void)
{
	size_t i;

	for (i = 0; i < mib_n_tables; i++)
		mibtab_unregister(&mib_tables[i]);
	mib_n_tables = 0;
}
