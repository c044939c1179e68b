/*
 * cmd_plan.c - `vmibctl plan REAL VIRTUAL`: read every host's current
 * state over SNMP (in parallel) and print what apply would do: create,
 * change, replace, delete, and with --all what is unchanged.  Sends no
 * SET.  Exit 0 when every host could be read, 4 when some could not.
 */
#include "cmd_snmp.h"
#include "out.h"
#include "plan.h"
#include "read.h"

int cmd_plan(const struct cmd_ctx *ctx, char **operands)
{
	struct state cur = { 0 };
	struct plan p = { 0 };
	struct cmd_snmp s;
	struct out *o;
	int rc = cmd_snmp_start(ctx, "plan", "[--all] [NET-SNMP FLAGS] REAL VIRTUAL", OPT_ALL |
				OPT_REPETITIONS, 2, &s);

	(void)operands;
	if (rc != CMD_OK || !s.c) {
		cmd_snmp_end(&s);
		return rc;
	}
	read_hosts(s.c, &s.load.desired, &cur);
	plan_compute(&s.load.desired, &cur, PLAN_APPLY, &p);
	o = out_new(s.ctx.json ? OUT_JSON : OUT_TEXT, s.ctx.out);
	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, p.unreadable == 0);
	plan_print(&p, o, s.all);
	out_obj_close(o);
	rc = out_free(o) < 0 ? CMD_FAILED : p.unreadable ? CMD_INCOMPLETE : CMD_OK;
	plan_release(&p);
	state_release(&cur);
	cmd_snmp_end(&s);
	return rc;
}
