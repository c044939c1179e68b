/*
 * cmd_check.c - `vmibctl check REAL VIRTUAL`: validate, check, place and
 * merge; list every problem, or print a one-line summary of what the
 * files describe.  Exit 0 when clean, 1 with problems.
 */
#include "cmd.h"
#include "load.h"
#include "out.h"

static void summary(const struct load *l, struct out *o)
{
	size_t h, m, f, vms = 0, rows = 0;

	for (h = 0; h < l->desired.n_hosts; h++) {
		for (m = 0; m < l->desired.hosts[h].n_vms; m++) {
			const struct state_vm *vm = &l->desired.hosts[h].vms[m];

			vms++;
			for (f = 0; f < vm->n_vifs; f++)
				rows += vm->vifs[f].n_shapes;
		}
	}
	out_text(o, "%s, %s: ", l->real->file, l->virt->file);
	out_u64(o, "hosts", "%llu hosts", l->desired.n_hosts);
	out_u64(o, "vms", ", %llu vms", vms);
	out_u64(o, "subnets", l->virt->n_subnets == 1 ? ", %llu subnet" : ", %llu subnets",
		l->virt->n_subnets);
	out_u64(o, "links", l->virt->n_links == 1 ? ", %llu link" : ", %llu links",
		l->virt->n_links);
	out_u64(o, "shapeRows", " (%llu shape rows)", rows);
	out_u64(o, "isolationRules", ", %llu isolation rules",
		l->desired.n_hosts ? l->desired.hosts[0].n_rules : 0);
	out_text(o, ": ok\n");
}

int cmd_check(const struct cmd_ctx *ctx, char **operands)
{
	struct load l;
	struct out *o;
	int rc = cmd_load(ctx, operands[0], operands[1], &l);

	if (rc == CMD_OK) {
		o = out_new(ctx->json ? OUT_JSON : OUT_TEXT, ctx->out);
		out_obj_open(o, NULL);
		out_bool(o, "ok", NULL, true);
		summary(&l, o);
		out_obj_close(o);
		if (out_free(o) < 0)
			rc = CMD_FAILED;
	}
	load_release(&l);
	return rc;
}
