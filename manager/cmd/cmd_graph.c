/*
 * cmd_graph.c - `vmibctl graph REAL VIRTUAL`: Graphviz DOT of the virtual
 * topology over the physical hosts (render with `dot -Tsvg`).  DOT is the
 * output format, so --json does not apply (main.c refuses it); problems,
 * if any, are listed as for every subcommand.
 */
#include "cmd.h"
#include "graph.h"
#include "load.h"
#include "out.h"

int cmd_graph(const struct cmd_ctx *ctx, char **operands)
{
	struct load l;
	struct out *o;
	int rc = cmd_load(ctx, operands[0], operands[1], &l);

	if (rc == CMD_OK) {
		o = out_new(OUT_TEXT, ctx->out);
		graph_write(l.real, l.virt, &l.placement, o);
		if (out_free(o) < 0)
			rc = CMD_FAILED;
	}
	load_release(&l);
	return rc;
}
