/*
 * cmd_validate.c - `vmibctl validate --exec TEMPLATE REAL VIRTUAL`: measure
 * every shaped link of the scenario inside the guests (validate.h), print
 * configured vs measured, write them as CSV (--csv, default
 * validate.csv) and, with --plot FILE.png|.svg, a gnuplot script next to
 * it (FILE.gp) and the plot when gnuplot is installed.  Exit 0 when every
 * link was measured within tolerance, 4 otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd_snmp.h"
#include "mem.h"
#include "out.h"
#include "validate.h"

static int write_csv(const struct validate *v, const char *path)
{
	FILE *fp = fopen(path, "w");
	int rc;

	if (!fp)
		return -1;
	rc = validate_csv(v, fp);
	return fclose(fp) != 0 || rc < 0 ? -1 : 0;
}

/* FILE.gp beside the plot, then gnuplot FILE.gp if there is a gnuplot */
static int write_plot(const char *csv, const char *plot, struct out *o)
{
	char *gp = mem_printf("%s.gp", plot);
	char *argv[3] = { (char *)"gnuplot", gp, NULL };
	FILE *fp = fopen(gp, "w");
	int rc = fp ? validate_gnuplot(csv, plot, fp) : -1, status = 0;
	pid_t pid;

	if (fp && fclose(fp) != 0)
		rc = -1;
	if (rc == 0) {
		pid = fork();
		if (pid == 0) {
			execvp(argv[0], argv);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			out_str(o, "plotError", "validate: %s written; gnuplot did not draw it\n", gp);
		else
			out_str(o, "plot", "validate: plot in %s\n", plot);
	}
	free(gp);
	return rc;
}

int cmd_validate(const struct cmd_ctx *ctx, char **operands)
{
	struct validate v = { 0 };
	struct validate_opts vo = { 0 };
	struct out *o = NULL, *po;
	struct cmd_snmp s;
	const char *csv;
	int rc = cmd_snmp_start(ctx, "validate", "--exec TEMPLATE [--duration S] [--pings N] "
				"[--csv FILE] [--plot FILE.png] REAL VIRTUAL", OPT_NO_SNMP | OPT_EXEC |
				OPT_CSV | OPT_PLOT | OPT_DURATION | OPT_PINGS, 2, &s);

	(void)operands;
	if (rc == CMD_OK && !s.exec) {
		o = out_new(OUT_TEXT, s.ctx.err);
		out_text(o, "vmibctl validate: --exec TEMPLATE is needed: the command that runs a "
			    "shell command in a guest, e.g. 'tests/image/guest-exec -n vmib-sw {addr}'\n");
		out_free(o);
		rc = CMD_USAGE;
	}
	if (rc != CMD_OK) {
		cmd_snmp_end(&s);
		return rc;
	}
	csv = s.csv ? s.csv : "validate.csv";
	po = out_new(OUT_TEXT, s.ctx.err);
	vo = (struct validate_opts){ s.exec, s.duration_s, s.pings, po };
	validate_rows(&s.load.desired, &v);
	validate_measure(&v, &vo);
	out_free(po);
	o = out_new(s.ctx.json ? OUT_JSON : OUT_TEXT, s.ctx.out);
	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, v.failed == 0);
	validate_print(&v, o);
	if (write_csv(&v, csv) < 0) {
		out_str(o, "csvError", "validate: cannot write %s\n", csv);
		rc = CMD_FAILED;
	} else {
		out_str(o, "csv", "validate: CSV in %s\n", csv);
		if (s.plot && write_plot(csv, s.plot, o) < 0)
			rc = CMD_FAILED;
	}
	out_obj_close(o);
	if (out_free(o) < 0)
		rc = CMD_FAILED;
	if (rc == CMD_OK && v.failed)
		rc = CMD_INCOMPLETE;
	validate_release(&v);
	cmd_snmp_end(&s);
	return rc;
}
