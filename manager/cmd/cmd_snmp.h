/*
 * cmd_snmp.h - what the SNMP subcommands (plan, apply, destroy, status,
 * watch, migrate) share: their command line, which is
 *
 *   vmibctl [--json] COMMAND [VMIBCTL OPTIONS] [NET-SNMP FLAGS] OPERANDS
 *
 * (vmibctl's own options are long options and may stand anywhere before a
 * "--"; the Net-SNMP flags are those of snmpwalk and come before the
 * operands), loading the scenario files, and opening one SNMP session per
 * host of the real environment.
 *
 * Ownership: struct cmd_snmp owns what cmd_snmp_start() made;
 * cmd_snmp_end() releases it.
 */
#ifndef VMIB_CMD_SNMP_H
#define VMIB_CMD_SNMP_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"
#include "load.h"
#include "snmpc.h"

enum cmd_snmp_opt {              /* the options a command accepts */
	OPT_DRY_RUN = 1 << 0,    /* --dry-run */
	OPT_ALL = 1 << 1,        /* --all: also what is unchanged */
	OPT_VERBOSE = 1 << 2,    /* --verbose: a line per PDU */
	OPT_MAX_VARBINDS = 1 << 3,   /* --max-varbinds N */
	OPT_WAIT = 1 << 4,       /* --wait SECONDS */
	OPT_INTERVAL = 1 << 5,   /* --interval SECONDS */
	OPT_COUNT = 1 << 6,      /* --count N */
	OPT_TIMEOUT = 1 << 7,    /* --timeout SECONDS */
	OPT_REPETITIONS = 1 << 8,    /* --repetitions N (GETBULK) */
	OPT_COLD = 1 << 9,       /* --cold: not a live migration */
	OPT_EXEC = 1 << 10,      /* --exec TEMPLATE (validate) */
	OPT_CSV = 1 << 11,       /* --csv FILE */
	OPT_PLOT = 1 << 12,      /* --plot FILE */
	OPT_DURATION = 1 << 13,  /* --duration SECONDS */
	OPT_PINGS = 1 << 14,     /* --pings N */
	OPT_NO_SNMP = 1 << 15,   /* not an option: the command needs no session */
	OPT_YES = 1 << 16,       /* --yes: the plan may destroy running VMs */
	OPT_KEEP_MOVED = 1 << 17,    /* --keep-moved: leave moved pinned VMs there */
	OPT_SAVE = 1 << 18,      /* --save FILE: write the plan reviewed */
	OPT_REVIEWED = 1 << 19,  /* --reviewed FILE: apply only that plan */
	OPT_RESULTS = 1 << 20,   /* --results DIR (run) */
	OPT_NO_APPLY = 1 << 21,  /* --no-apply: check that it is applied (run) */
};

struct cmd_snmp {
	struct cmd_ctx ctx;      /* the caller's, with json as given */
	char **operands;         /* borrowed from ctx->argv */
	int n_operands;
	bool dry_run, all, verbose, cold, yes, keep_moved;
	double wait_s, interval_s, timeout_s;
	long count;
	size_t max_varbinds;
	long repetitions;
	const char *exec, *csv, *plot;   /* borrowed from ctx->argv */
	const char *save, *reviewed;     /* idem */
	const char *results;             /* likewise */
	bool no_apply;
	unsigned duration_s, pings;
	struct load load;
	struct snmpc_args *args;
	struct snmpc *c;
	bool borrowed;           /* c is ctx->snmp */
	bool no_snmp;            /* OPT_NO_SNMP: c stays NULL */
};

/*
 * Parse the command line (the command accepts `opts`; n_operands of them,
 * the first two being REAL VIRTUAL), load the files and open the sessions.
 * Returns CMD_OK, or the exit status after printing why.  Defaults:
 * interval -1 (unset), wait 0, timeout 120 s, count 0 (for ever).
 */
int cmd_snmp_start(const struct cmd_ctx *ctx, const char *command, const char *usage,
		   unsigned opts, int n_operands, struct cmd_snmp *s);
void cmd_snmp_end(struct cmd_snmp *s);

/*
 * The rule of plans that destroy running VMs (apply, run): NULL when the
 * plan's n_destroying items (plan.destroys_running) may be carried out:
 * there are none, --yes was given, or, when ask is set and ctx.in is a
 * question that can be asked (no --json), "yes" was typed at it on
 * ctx.err.  Else why not (malloc'd), ending with what to do, `how`.
 */
char *cmd_snmp_confirm_destroys(const struct cmd_snmp *s, const char *command,
				size_t n_destroying, bool ask, const char *how);

/* a text writer for progress on ctx->err; whether it is a terminal */
bool cmd_snmp_tty(const struct cmd_snmp *s);

#endif
