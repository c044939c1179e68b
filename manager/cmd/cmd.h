/*
 * cmd.h - vmibctl's subcommand handlers.  main.c parses the global options,
 * looks the subcommand up in its table and calls the handler with exactly
 * the operands the table asks for.  Handlers print only through out.h
 * (never printf) and return the exit status:
 */
#ifndef VMIB_CMD_H
#define VMIB_CMD_H

#include <stdbool.h>
#include <stdio.h>

enum cmd_status {
	CMD_OK = 0,              /* done; for check: no problem found */
	CMD_PROBLEMS = 1,        /* the scenario files have problems (listed) */
	CMD_USAGE = 2,           /* bad command line */
	CMD_FAILED = 3,          /* vmibctl cannot work: schemas missing, write error */
	CMD_INCOMPLETE = 4,      /* a host could not be read, a change failed, or a
				  * host does not match the scenario afterwards */
};

struct snmpc;

struct cmd_ctx {
	bool json;
	const char *schema_dir;  /* NULL: search (xml_doc_schema_dir) */
	FILE *out;               /* results, and JSON problems */
	FILE *err;               /* problems in text mode, progress */
	FILE *in;                /* answers to questions (a terminal), or NULL:
				  * nobody to ask */
	int argc;                /* SNMP commands: everything after the command */
	char **argv;             /* (operands and options, parsed by the handler) */
	struct snmpc *snmp;      /* tests: use this client (borrowed), not Net-SNMP */
};

typedef int (*cmd_handler)(const struct cmd_ctx *ctx, char **operands);

int cmd_check(const struct cmd_ctx *ctx, char **operands);  /* REAL VIRTUAL */
int cmd_show(const struct cmd_ctx *ctx, char **operands);   /* REAL VIRTUAL */
int cmd_graph(const struct cmd_ctx *ctx, char **operands);  /* REAL VIRTUAL */

/* SNMP commands: [OPTIONS] [NET-SNMP FLAGS] operands, from ctx->argv */
int cmd_plan(const struct cmd_ctx *ctx, char **operands);     /* REAL VIRTUAL */
int cmd_apply(const struct cmd_ctx *ctx, char **operands);    /* REAL VIRTUAL */
int cmd_destroy(const struct cmd_ctx *ctx, char **operands);  /* REAL VIRTUAL */
int cmd_status(const struct cmd_ctx *ctx, char **operands);   /* REAL VIRTUAL */
int cmd_watch(const struct cmd_ctx *ctx, char **operands);    /* REAL VIRTUAL */
int cmd_migrate(const struct cmd_ctx *ctx, char **operands);  /* REAL VIRTUAL VM HOST */
int cmd_validate(const struct cmd_ctx *ctx, char **operands); /* REAL VIRTUAL */

/* guest access (cmd_exec.c): ctx->argv as [OPTIONS] VM [-- CMD...] */
int cmd_exec(const struct cmd_ctx *ctx, char **operands);
int cmd_console(const struct cmd_ctx *ctx, char **operands);

/* experiments (cmd_run.c) */
int cmd_run(const struct cmd_ctx *ctx, char **operands);      /* REAL VIRTUAL EXPERIMENT */
int cmd_results(const struct cmd_ctx *ctx, char **operands);  /* DIR */

struct load;
/*
 * Shared by the handlers: load both files; when there is any problem,
 * print them all (text: on ctx->err, JSON: {"ok":false,"problems":[...]}
 * on ctx->out) and return CMD_PROBLEMS or CMD_FAILED; else CMD_OK.
 */
int cmd_load(const struct cmd_ctx *ctx, const char *real_file, const char *virt_file,
	     struct load *l);
struct diag;
/* the same printing for any loader's result (rc: its return value) */
int cmd_problems(const struct cmd_ctx *ctx, int rc, const struct diag *d);

#endif
