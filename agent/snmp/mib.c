/*
 * mib.c - helpers shared by the MIB modules, and their registration.
 *
 * Owns the static struct mibtab instances Net-SNMP holds pointers to
 * while vmibd runs.  Time conversions live here so every module reports
 * time the same way: TimeStamp values are this subagent's sysUpTime, which
 * Net-SNMP sets to the master's when the AgentX session opens (from the
 * sysUpTime of the master's response, RFC 2741 6.2.16); RFC 7666
 * hypervisor times count from the host's boot (for QEMU/KVM the
 * hypervisor is the host kernel).
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "loop.h"
#include "mib.h"
#include "vmib_oids.h"

static struct mibtab mib_tables[MIB_HOST_N + 3 + RFC7666_N_TABLES + 1 + MIB_ISOL_N];
static size_t mib_n_tables;

/*
 * A TimeStamp is the value sysUpTime had at the occurrence (RFC 2579), so
 * it must read the same every time.  Computing it as "uptime now minus
 * time since" mixes two truncated clocks and jitters by one tick from
 * read to read.  Instead each time base is kept as a fixed origin on the
 * monotonic clock, in microseconds, and a timestamp is the whole ticks
 * from that origin.  An origin estimated again differs from the kept one
 * only by the truncation of the clocks it comes from and by preemption between
 * the two clock reads (tens of ms for
 * sysUpTime, a few microseconds for the boot time); a larger difference
 * is a real move (a restarted master set the subagent's sysUpTime when
 * AgentX reconnected; the host was suspended) and replaces it.
 */
struct mib_origin {
	bool have;
	int64_t us; /* on CLOCK_MONOTONIC; may be negative (the boot) */
};

static int64_t mib_clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mib_keep_origin(struct mib_origin *o, int64_t fresh_us, int64_t slack_us)
{
	int64_t diff = fresh_us > o->us ? fresh_us - o->us : o->us - fresh_us;

	if (!o->have || diff >= slack_us) {
		o->us = fresh_us;
		o->have = true;
	}
	return o->us;
}

/* whole ticks (1/100 s) from origin_us to when_ms; 0 if before it */
static uint32_t mib_ticks_since(int64_t origin_us, uint64_t when_ms)
{
	int64_t when_us = (int64_t)when_ms * 1000;

	return when_us <= origin_us ? 0 : (uint32_t)((when_us - origin_us) / 10000);
}

uint32_t mib_timestamp(uint64_t when_ms)
{
	static struct mib_origin start;
	int64_t now_us = mib_clock_us(CLOCK_MONOTONIC);
	int64_t up_us = (int64_t)netsnmp_get_agent_uptime() * 10000;

	if (!when_ms)
		return 0;
	/* uptime is truncated to ticks, and every AgentX response sets it
	 * again from the master's, itself truncated (Net-SNMP's subagent
	 * synchronises it on each open, registration and ping): estimates
	 * spread over 20 ms, more when this thread is preempted between the
	 * two clock reads on a loaded host; a restarted master moves it by
	 * the old master's lifetime, normally seconds or more */
	return mib_ticks_since(mib_keep_origin(&start, now_us - up_us, 500000), when_ms);
}

uint32_t mib_hv_uptime(void)
{
	return (uint32_t)(mib_clock_us(CLOCK_BOOTTIME) / 10000);
}

uint32_t mib_hv_timestamp(uint64_t when_ms)
{
	static struct mib_origin boot;
	int64_t boot_us = mib_clock_us(CLOCK_BOOTTIME);
	int64_t now_us = mib_clock_us(CLOCK_MONOTONIC);

	if (!when_ms)
		return 0;
	/* CLOCK_BOOTTIME runs ahead of CLOCK_MONOTONIC by the time suspended
	 * (seconds at least); anything smaller is preemption between the two
	 * clock reads, not a move */
	return mib_ticks_since(mib_keep_origin(&boot, now_us - boot_us, 1000000), when_ms);
}

const char *mib_vm_image(const struct agent_ctx *ctx, const struct vm *vm)
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
