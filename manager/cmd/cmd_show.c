/*
 * cmd_show.c - `vmibctl show REAL VIRTUAL`: the desired state of every
 * host (VMs, vifs, routes, shape rows, subnets, isolation rules), as
 * text or JSON.  Refuses, listing the problems, when the files have any.
 */
#include "cmd.h"
#include "load.h"
#include "out.h"
#include "show.h"

int cmd_show(const struct cmd_ctx *ctx, char **operands)
{
	struct load l;
	struct out *o;
	int rc = cmd_load(ctx, operands[0], operands[1], &l);

	if (rc == CMD_OK) {
		o = out_new(ctx->json ? OUT_JSON : OUT_TEXT, ctx->out);
		out_obj_open(o, NULL);
		out_bool(o, "ok", NULL, true);
		show_state(&l.desired, o);
		out_obj_close(o);
		if (out_free(o) < 0)
			rc = CMD_FAILED;
	}
	load_release(&l);
	return rc;
}
