/*
 * cmd_plan.c - `vmibctl plan REAL VIRTUAL`: read every host's current
 * state over SNMP (in parallel) and print what apply would do: create,
 * change, replace, delete, migrate, and with --all what is unchanged.
 * Sends no SET.  --save FILE also writes the plan's text to FILE, for
 * `apply --reviewed FILE`; --keep-moved plans as apply --keep-moved does.
 * Exit 0 when every host could be read, 4 when some could not (3 when
 * FILE cannot be written).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_snmp.h"
#include "out.h"
#include "plan.h"
#include "read.h"

/* the reviewed plan, for apply --reviewed; 0 or -1 (said why) */
static int save(const struct cmd_snmp *s, const struct plan *p)
{
	char *text = plan_text(p);
	FILE *fp = fopen(s->save, "w");
	int rc = fp && fputs(text, fp) >= 0 ? 0 : -1;

	if (fp && fclose(fp) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(s->ctx.err, "vmibctl plan: cannot write %s: %s\n", s->save, strerror(errno));
	free(text);
	return rc;
}

int cmd_plan(const struct cmd_ctx *ctx, char **operands)
{
	struct state cur = { 0 };
	struct plan p = { 0 };
	struct cmd_snmp s;
	struct out *o;
	int rc = cmd_snmp_start(ctx, "plan", "[--all] [--keep-moved] [--save FILE] [NET-SNMP FLAGS] "
				"REAL VIRTUAL", OPT_ALL | OPT_REPETITIONS | OPT_KEEP_MOVED | OPT_SAVE,
				2, &s);

	(void)operands;
	if (rc != CMD_OK || !s.c) {
		cmd_snmp_end(&s);
		return rc;
	}
	read_hosts(s.c, &s.load.desired, &cur);
	plan_compute_flags(&s.load.desired, &cur, PLAN_APPLY, s.keep_moved ? PLAN_KEEP_MOVED : 0,
			   &p);
	o = out_new(s.ctx.json ? OUT_JSON : OUT_TEXT, s.ctx.out);
	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, p.unreadable == 0);
	plan_print(&p, o, s.all);
	out_obj_close(o);
	rc = out_free(o) < 0 ? CMD_FAILED : p.unreadable ? CMD_INCOMPLETE : CMD_OK;
	if (s.save && save(&s, &p) < 0)
		rc = CMD_FAILED;
	plan_release(&p);
	state_release(&cur);
	cmd_snmp_end(&s);
	return rc;
}
