/*
 * experiment.h - an experiment file (schemas/experiment.xsd) as parsed
 * and checked: the scenario it names, setup commands, the timeline, the
 * sampled counters, the files to collect, the repetitions.
 *
 * xml_experiment.c reads the document (schema problems and quantities);
 * experiment_check() resolves every name against the loaded scenario
 * (VMs, subnets, links, hosts, command names) and expands the groups
 * (vm, vms, subnet, match) into lists of VM names.  Problems go to a
 * struct diag like those of the scenario files: file, line, element,
 * every one listed.
 *
 * Ownership: struct experiment owns every string and array in it;
 * experiment_free() releases it and accepts NULL.
 */
#ifndef VMIB_EXPERIMENT_H
#define VMIB_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shape.h"

struct diag;
struct real_env;
struct virt_env;

struct exp_who {                 /* who runs a command */
	char *vm, *vms, *subnet, *match;     /* as written; exactly one set */
	char **names;            /* resolved VM names (experiment_check) */
	size_t n_names;
};

struct exp_cmd {                 /* a setup command */
	unsigned line;
	struct exp_who who;
	char *text;
	uint32_t timeout_us;
};

enum exp_kind {
	EXP_RUN,
	EXP_LINK,
	EXP_FAIL,
	EXP_RESTORE,
	EXP_MIGRATE,
	EXP_PAUSE,
	EXP_RESUME,
	EXP_SCHEDULE,
	EXP_WAIT,
};

enum exp_wait_kind {
	EXP_WAIT_NONE,           /* invalid (reported) */
	EXP_WAIT_COMMAND,        /* for="NAME" */
	EXP_WAIT_BACKGROUND,     /* for="background" */
	EXP_WAIT_DURATION,       /* duration="..." */
};

struct exp_event {
	enum exp_kind kind;
	unsigned line;
	uint32_t at_us;              /* offset from the start of the timeline */
	bool bad;                    /* a quantity did not parse (reported) */
	/* run */
	char *name;                  /* optional; "e<line>" when not given */
	struct exp_who who;
	char *text;
	bool background, may_fail;
	uint32_t timeout_us;
	/* link, fail, restore */
	char *from, *to;
	struct shape_params params;  /* link: only what is given */
	/* migrate, pause, resume, schedule */
	char *vm;
	char *host;                  /* migrate: to */
	bool live;
	bool has_weight, has_cap;
	uint32_t weight, cap_percent;
	/* wait */
	enum exp_wait_kind wait;
	char *wait_for;
	uint32_t duration_us;
};

enum exp_obj {                   /* a sampled vMIB object */
	EXP_OBJ_VIF_RX_OCTETS,
	EXP_OBJ_VIF_RX_PKTS,
	EXP_OBJ_VIF_RX_DROPS,
	EXP_OBJ_VIF_TX_OCTETS,
	EXP_OBJ_VIF_TX_PKTS,
	EXP_OBJ_VIF_TX_DROPS,
	EXP_OBJ_SHAPE_SENT_OCTETS,
	EXP_OBJ_SHAPE_SENT_PKTS,
	EXP_OBJ_SHAPE_DROPPED_PKTS,
	EXP_OBJ_SHAPE_OVERLIMITS,
	EXP_OBJ_VM_CPU_TIME_MS,
};

struct exp_series {              /* one CSV column */
	unsigned line;
	enum exp_obj obj;
	char *vm;                    /* vif, vm: the VM; shape: the receiver */
	uint32_t iface;              /* vif: 1.. */
	char *from, *to;             /* shape: the link */
	char *label;                 /* "a1.vif1.rxOctets", "a1>b1.sentOctets" */
};

struct exp_collect {
	unsigned line;
	struct exp_who who;
	char *path;
};

struct experiment {
	char *file;
	char *name;
	char *real_file, *virt_file;     /* resolved against the file's directory */
	uint32_t repetitions;
	uint32_t tolerance_us;
	struct exp_cmd *setup;
	size_t n_setup;
	struct exp_event *events;
	size_t n_events;
	uint32_t sample_interval_us;     /* 0: no sampling */
	struct exp_series *series;
	size_t n_series;
	struct exp_collect *collect;
	size_t n_collect;
};

/*
 * Read and validate file; *out gets what could be parsed (NULL when the
 * file is not well-formed or cannot be read), problems go to d.  -1 when
 * the schema itself cannot be loaded (as xml_doc_load).
 */
int experiment_load(const char *file, const char *schema_dir, struct diag *d,
		    struct experiment **out);
/* names against the scenario, groups expanded, the timeline's order */
void experiment_check(struct experiment *e, const struct real_env *r,
		      const struct virt_env *v, struct diag *d);
void experiment_free(struct experiment *e);

const char *experiment_kind_name(enum exp_kind k);
const char *experiment_obj_name(enum exp_obj o);

#endif
