/*
 * xml_experiment.c - reads an experiment document (schemas/experiment.xsd)
 * into struct experiment: defaults applied, quantities parsed strictly
 * (problems with file, line, element), paths of the scenario files made
 * relative to the experiment file.  Resolving names is experiment.c's job.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "experiment.h"
#include "mem.h"
#include "xml_doc.h"

struct xe {
	struct experiment *e;
	struct diag *d;
};

/*
 * A duration of the experiment (offsets, timeouts, intervals): a decimal
 * number and one of us, ms, s, min; at most 4294 s (the us fit 32 bits).
 * Unlike the links' delay (units.c, at most 60 s), an experiment lasts.
 * 0 and *why NULL when fine.
 */
static int xe_parse_duration(const char *s, uint32_t *out, const char **why)
{
	static const struct { const char *unit; double us; } units[] = {
		{ "us", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "min", 60e6 },
	};
	char *end;
	double v;
	size_t i;

	*why = "not a number followed by a unit (write e.g. 10ms, 2s, 5min)";
	if (!*s || strchr(s, ' ') || strchr(s, '\t')) {
		if (*s)
			*why = "no blanks allowed (write e.g. 10ms)";
		return -1;
	}
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtod(s, &end);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		v *= units[i].us;
		if (v > 4294e6) {
			*why = "too large (at most 4294s)";
			return -1;
		}
		*out = (uint32_t)(v + 0.5);
		*why = NULL;
		return 0;
	}
	return -1;
}

/* a time quantity: dflt when absent; an invalid one is reported (stays dflt) */
static uint32_t xe_time_bad(struct xe *x, const xmlNode *n, const char *attr, uint32_t dflt,
			    bool *bad)
{
	char *s = xml_doc_attr(n, attr);
	const char *why;
	uint32_t v = dflt;

	if (s && xe_parse_duration(s, &v, &why) < 0) {
		xml_doc_problem(x->d, x->e->file, n, "%s '%s': %s", attr, s, why);
		v = dflt;
		if (bad)
			*bad = true;
	}
	free(s);
	return v;
}

static uint32_t xe_time(struct xe *x, const xmlNode *n, const char *attr, uint32_t dflt)
{
	return xe_time_bad(x, n, attr, dflt, NULL);
}

static void xe_who(const xmlNode *n, struct exp_who *w)
{
	w->vm = xml_doc_attr(n, "vm");
	w->vms = xml_doc_attr(n, "vms");
	w->subnet = xml_doc_attr(n, "subnet");
	w->match = xml_doc_attr(n, "match");
}

static char *xe_text(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s = mem_strdup((const char *)t);

	xmlFree(t);
	return s;
}

/* path relative to the experiment file's directory, unless absolute */
static char *xe_path(const char *file, const char *path)
{
	char *copy, *r;

	if (!path)
		return NULL;
	if (path[0] == '/')
		return mem_strdup(path);
	copy = mem_strdup(file);
	r = mem_printf("%s/%s", dirname(copy), path);
	free(copy);
	return r;
}

static void xe_environment(struct xe *x, const xmlNode *n)
{
	char *real = xml_doc_attr(n, "real"), *virt = xml_doc_attr(n, "virtual");

	x->e->real_file = xe_path(x->e->file, real);
	x->e->virt_file = xe_path(x->e->file, virt);
	free(real);
	free(virt);
}

static void xe_setup(struct xe *x, const xmlNode *n)
{
	const xmlNode *c;

	for (c = xml_doc_first(n); c; c = xml_doc_next(c)) {
		struct exp_cmd *cmd = MEM_PUSH(x->e->setup, x->e->n_setup);

		cmd->line = xml_doc_line(c);
		xe_who(c, &cmd->who);
		cmd->text = xe_text(c);
		cmd->timeout_us = xe_time(x, c, "timeout", 60000000);
	}
}

static void xe_link_params(struct xe *x, const xmlNode *n, struct exp_event *ev)
{
	static const enum shape_field fields[] = { SHAPE_RATE, SHAPE_DELAY, SHAPE_JITTER,
						   SHAPE_LOSS };
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		switch (xml_doc_quantity(n, shape_fields[fields[i]].attr,
					 shape_fields[fields[i]].kind, &v, x->e->file, x->d)) {
		case 1:
			shape_set(&ev->params, fields[i], v);
			break;
		case -1:
			ev->bad = true;
			break;
		}
}

static void xe_wait(struct xe *x, const xmlNode *n, struct exp_event *ev)
{
	char *dur = xml_doc_attr(n, "duration");

	ev->wait_for = xml_doc_attr(n, "for");
	if (ev->wait_for && dur)
		xml_doc_problem(x->d, x->e->file, n, "give for or duration, not both");
	else if (!ev->wait_for && !dur)
		xml_doc_problem(x->d, x->e->file, n, "give for=\"NAME\", for=\"background\" "
				"or duration");
	else if (dur)
		ev->wait = EXP_WAIT_DURATION;
	else
		ev->wait = strcmp(ev->wait_for, "background") == 0 ? EXP_WAIT_BACKGROUND :
			   EXP_WAIT_COMMAND;
	ev->duration_us = xe_time(x, n, "duration", 0);
	ev->timeout_us = xe_time(x, n, "timeout", 300000000);
	free(dur);
}

static const struct {
	const char *element;
	enum exp_kind kind;
} xe_kinds[] = {
	{ "run", EXP_RUN }, { "link", EXP_LINK }, { "fail", EXP_FAIL },
	{ "restore", EXP_RESTORE }, { "migrate", EXP_MIGRATE }, { "pause", EXP_PAUSE },
	{ "resume", EXP_RESUME }, { "schedule", EXP_SCHEDULE }, { "wait", EXP_WAIT },
};

static void xe_event(struct xe *x, const xmlNode *n)
{
	struct exp_event *ev;
	size_t k;

	for (k = 0; k < sizeof(xe_kinds) / sizeof(xe_kinds[0]); k++)
		if (xml_doc_is(n, xe_kinds[k].element))
			break;
	if (k == sizeof(xe_kinds) / sizeof(xe_kinds[0]))
		return;          /* not in the schema: already reported */
	ev = MEM_PUSH(x->e->events, x->e->n_events);
	ev->kind = xe_kinds[k].kind;
	ev->line = xml_doc_line(n);
	ev->at_us = xe_time_bad(x, n, "at", 0, &ev->bad);
	ev->from = xml_doc_attr(n, "from");
	ev->to = xml_doc_attr(n, "to");
	ev->vm = xml_doc_attr(n, "vm");
	switch (ev->kind) {
	case EXP_RUN:
		ev->name = xml_doc_attr(n, "name");
		if (!ev->name)
			ev->name = mem_printf("e%u", ev->line);
		xe_who(n, &ev->who);
		ev->text = xe_text(n);
		ev->background = xml_doc_bool(n, "background", false);
		ev->may_fail = xml_doc_bool(n, "mayFail", false);
		ev->timeout_us = xe_time(x, n, "timeout", 300000000);
		break;
	case EXP_LINK:
		xe_link_params(x, n, ev);
		break;
	case EXP_MIGRATE:
		ev->host = ev->to;
		ev->to = NULL;
		ev->live = xml_doc_bool(n, "live", true);
		break;
	case EXP_SCHEDULE:
		ev->has_weight = xml_doc_u32(n, "weight", &ev->weight);
		ev->has_cap = xml_doc_u32(n, "cap", &ev->cap_percent);
		break;
	case EXP_WAIT:
		xe_wait(x, n, ev);
		break;
	default:
		break;
	}
}

static const char *const xe_obj_names[] = {
	"rxOctets", "rxPkts", "rxDrops", "txOctets", "txPkts", "txDrops",
	"sentOctets", "sentPkts", "droppedPkts", "overlimits", "cpuTimeMs",
};

static void xe_series(struct xe *x, const xmlNode *n, const char *dflt, enum exp_obj first,
		      enum exp_obj last)
{
	char *objs = xml_doc_attr(n, "objects"), *w, *save = NULL;
	enum exp_obj o;

	if (!objs)
		objs = mem_strdup(dflt);
	for (w = strtok_r(objs, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		for (o = first; o <= last; o++) {
			struct exp_series *s;

			if (strcmp(w, xe_obj_names[o]) != 0)
				continue;
			s = MEM_PUSH(x->e->series, x->e->n_series);
			s->line = xml_doc_line(n);
			s->obj = o;
			s->vm = xml_doc_attr(n, "vm");
			s->from = xml_doc_attr(n, "from");
			s->to = xml_doc_attr(n, "to");
			s->iface = 1;
			xml_doc_u32(n, "interface", &s->iface);
			if (first == EXP_OBJ_VIF_RX_OCTETS)
				s->label = mem_printf("%s.vif%u.%s", s->vm, s->iface, w);
			else if (first == EXP_OBJ_SHAPE_SENT_OCTETS)
				s->label = mem_printf("%s>%s.%s", s->from, s->to, w);
			else
				s->label = mem_printf("%s.%s", s->vm, w);
		}
	}
	free(objs);
}

static void xe_sample(struct xe *x, const xmlNode *n)
{
	const xmlNode *c;

	x->e->sample_interval_us = xe_time(x, n, "interval", 0);
	if (x->e->sample_interval_us > 0 && x->e->sample_interval_us < 10000) {
		xml_doc_problem(x->d, x->e->file, n, "interval under 10 ms");
		x->e->sample_interval_us = 10000;
	}
	for (c = xml_doc_first(n); c; c = xml_doc_next(c)) {
		if (xml_doc_is(c, "vif"))
			xe_series(x, c, "rxOctets txOctets", EXP_OBJ_VIF_RX_OCTETS,
				  EXP_OBJ_VIF_TX_DROPS);
		else if (xml_doc_is(c, "shape"))
			xe_series(x, c, "sentOctets droppedPkts", EXP_OBJ_SHAPE_SENT_OCTETS,
				  EXP_OBJ_SHAPE_OVERLIMITS);
		else if (xml_doc_is(c, "vm"))
			xe_series(x, c, "cpuTimeMs", EXP_OBJ_VM_CPU_TIME_MS, EXP_OBJ_VM_CPU_TIME_MS);
	}
}

static void xe_collect(struct xe *x, const xmlNode *n)
{
	struct exp_collect *c = MEM_PUSH(x->e->collect, x->e->n_collect);

	c->line = xml_doc_line(n);
	xe_who(n, &c->who);
	c->path = xml_doc_attr(n, "path");
}

static void xe_root(struct xe *x, const xmlNode *root)
{
	const xmlNode *c, *ev;

	x->e->name = xml_doc_attr(root, "name");
	x->e->repetitions = 1;
	xml_doc_u32(root, "repetitions", &x->e->repetitions);
	x->e->tolerance_us = xe_time(x, root, "tolerance", 1000000);
	for (c = xml_doc_first(root); c; c = xml_doc_next(c)) {
		if (xml_doc_is(c, "environment"))
			xe_environment(x, c);
		else if (xml_doc_is(c, "setup"))
			xe_setup(x, c);
		else if (xml_doc_is(c, "timeline"))
			for (ev = xml_doc_first(c); ev; ev = xml_doc_next(ev))
				xe_event(x, ev);
		else if (xml_doc_is(c, "sample"))
			xe_sample(x, c);
		else if (xml_doc_is(c, "collect"))
			xe_collect(x, c);
	}
}

const char *experiment_obj_name(enum exp_obj o)
{
	return xe_obj_names[o];
}

int experiment_load(const char *file, const char *schema_dir, struct diag *d,
		    struct experiment **out)
{
	char *dir = xml_doc_schema_dir(schema_dir);
	xmlDoc *doc = NULL;
	struct xe x = { NULL, d };
	int rc;

	*out = NULL;
	diag_file(d, file);
	if (!dir) {
		diag_add(d, "schemas", 0, "schema",
			 "cannot find the schema directory (use --schema-dir or VMIB_SCHEMA_DIR)");
		return -1;
	}
	rc = xml_doc_load(file, &xml_doc_kind_experiment, dir, d, &doc);
	if (rc == 0 && doc) {
		x.e = mem_alloc(sizeof(*x.e));
		x.e->file = mem_strdup(file);
		xe_root(&x, xmlDocGetRootElement(doc));
		*out = x.e;
	}
	xmlFreeDoc(doc);
	free(dir);
	return rc;
}
