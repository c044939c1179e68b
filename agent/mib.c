/*
 * mib.c - helpers shared by the MIB modules, and their registration.
 *
 * Owns the static struct mibtab instances Net-SNMP holds pointers to
 * while vmibd runs.  Time conversions live here so every module reports
 * time the same way: TimeStamp values are this subagent's sysUpTime (the
 * master's is not visible over AgentX), RFC 7666 hypervisor times count
 * from the host's boot (for QEMU/KVM the hypervisor is the host kernel).
 */
#include <string.h>
#include <time.h>

#include "loop.h"
#include "mib.h"
#include "vmib_oids.h"

static struct mibtab mib_tables[4 + RFC7666_N_TABLES];
static size_t mib_n_tables;

uint32_t mib_timestamp(uint64_t when_ms)
{
	uint64_t now = loop_now_ms(), ago_cs;
	u_long up = netsnmp_get_agent_uptime();

	if (!when_ms)
		return 0;
	ago_cs = now > when_ms ? (now - when_ms) / 10 : 0;
	return ago_cs >= up ? 0 : (uint32_t)(up - ago_cs);
}

uint32_t mib_hv_uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 100 + (uint64_t)ts.tv_nsec / 10000000);
}

uint32_t mib_hv_timestamp(uint64_t when_ms)
{
	uint64_t now = loop_now_ms(), ago_cs;
	uint32_t up = mib_hv_uptime();

	if (!when_ms)
		return 0;
	ago_cs = now > when_ms ? (now - when_ms) / 10 : 0;
	return ago_cs >= up ? 0 : (uint32_t)(up - ago_cs);
}

const char *mib_vm_image(const struct mib_ctx *ctx, const struct vm *vm)
{
	const struct image *img;

	if (vm->image && *vm->image)
		return vm->image;
	img = ctx->images ? images_by_kernel(ctx->images, vm->kernel) : NULL;
	return img ? img->name : "";
}

size_t mib_caps_octets(uint32_t caps, unsigned char *out)
{
	size_t n = VMIB_BITS_vmibHostCapabilities_OCTETS, bit;

	memset(out, 0, n);
	for (bit = 0; bit < n * 8; bit++)
		if (caps & (1u << bit))
			out[bit / 8] |= (unsigned char)(0x80 >> (bit % 8));
	return n;
}

int mib_register_all(struct mib_ctx *ctx)
{
	size_t i;

	mib_n_tables = 0;
	mib_host_setup(&mib_tables[mib_n_tables++], ctx);
	mib_image_setup(&mib_tables[mib_n_tables++], ctx);
	mib_vm_setup(&mib_tables[mib_n_tables++], ctx);
	mib_vif_setup(&mib_tables[mib_n_tables++], ctx);
	if (ctx->cfg->rfc7666) {
		rfc7666_setup(&mib_tables[mib_n_tables], ctx);
		mib_n_tables += RFC7666_N_TABLES;
	}
	for (i = 0; i < mib_n_tables; i++)
		if (mibtab_register(&mib_tables[i]) < 0)
			return -1;
	return 0;
}

void mib_unregister_all(void)
{
	size_t i;

	for (i = 0; i < mib_n_tables; i++)
		mibtab_unregister(&mib_tables[i]);
	mib_n_tables = 0;
}
