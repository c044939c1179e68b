/*
 * mib_image.c - vmibImageTable (VMIB-MIB): the images of the image
 * directory, indexed by their position in name order.
 *
 * Read-only; the list is owned by images.c and rescanned by the daemon.
 */
#include "mib_tables.h"
#include "vmib_oids.h"

static const oid mib_image_table[] = {VMIB_OID_vmibImageTable};
static const oid mib_image_entry[] = {VMIB_OID_vmibImageEntry};

static const void *mib_image_get(const struct mibtab *t, const oid *idx)
{
	const struct agent_ctx *ctx = t->ctx;

	if (idx[0] < 1 || idx[0] > ctx->images->n)
		return NULL;
	return images_get(ctx->images, (size_t)idx[0]);
}

static const void *mib_image_next(const struct mibtab *t, const oid *q, size_t q_len,
				  oid *out)
{
	const struct agent_ctx *ctx = t->ctx;
	oid next = q_len ? q[0] + 1 : 1;

	if (next < 1 || next > ctx->images->n)
		return NULL;
	out[0] = next;
	return images_get(ctx->images, (size_t)next);
}

static int mib_image_col(const struct mibtab *t, const void *row, unsigned int col,
			 struct mib_value *v)
{
	const struct image *img = row;

	(void)t;
	switch (col) {
	case VMIB_COL_vmibImageName:
		mib_value_str(v, img->name, VMIB_SIZE_vmibImageName_MAX);
		break;
	case VMIB_COL_vmibImageOs:
		mib_value_str(v, img->os, VMIB_SIZE_vmibImageOs_MAX);
		break;
	case VMIB_COL_vmibImageArch:
		mib_value_str(v, img->arch, VMIB_SIZE_vmibImageArch_MAX);
		break;
	case VMIB_COL_vmibImageKernelVersion:
		mib_value_str(v, img->kernel_version, VMIB_SIZE_vmibImageKernelVersion_MAX);
		break;
	case VMIB_COL_vmibImageDescription:
		mib_value_str(v, img->description, VMIB_SIZE_vmibImageDescription_MAX);
		break;
	case VMIB_COL_vmibImageMinMemoryKBytes:
		mib_value_int(v, ASN_UNSIGNED, (long)img->min_memory_mib * 1024);
		break;
	default:
		return -1;
	}
	return 0;
}

void mib_image_setup(struct mibtab *t, struct agent_ctx *ctx)
{
	*t = (struct mibtab){
		.name = "vmibImageTable",
		.root = mib_image_table,
		.root_len = VMIB_OID_vmibImageTable_LEN,
		.entry = mib_image_entry,
		.entry_len = VMIB_OID_vmibImageEntry_LEN,
		.col_min = VMIB_TABLE_vmibImageTable_MIN_COL,
		.col_max = VMIB_TABLE_vmibImageTable_MAX_COL,
		.index_len = 1,
		.row_get = mib_image_get,
		.row_next = mib_image_next,
		.col_value = mib_image_col,
		.ctx = ctx,
	};
}
