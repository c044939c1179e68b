/*
 * cmd_load.c - the start every subcommand shares: run the load pipeline
 * and, if anything is wrong, print every problem and pick the exit status.
 */
#include "cmd.h"
#include "diag.h"
#include "load.h"
#include "out.h"

int cmd_problems(const struct cmd_ctx *ctx, int rc, const struct diag *d)
{
	struct out *o;

	if (rc == 0 && d->n == 0)
		return CMD_OK;
	o = out_new(ctx->json ? OUT_JSON : OUT_TEXT, ctx->json ? ctx->out : ctx->err);
	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, false);
	diag_print(d, o);
	out_text(o, "%zu problem%s found\n", d->n, d->n == 1 ? "" : "s");
	out_obj_close(o);
	if (out_free(o) < 0)
		return CMD_FAILED;
	return rc < 0 ? CMD_FAILED : CMD_PROBLEMS;
}

int cmd_load(const struct cmd_ctx *ctx, const char *real_file, const char *virt_file,
	     struct load *l)
{
	return cmd_problems(ctx, load_files(real_file, virt_file, ctx->schema_dir, l), &l->diag);
}
