/*
 * run_sample.c - the experiment's sampling: each sampled object (a vif
 * counter, the sum of a link's shape-row counters, a VM's CPU time) is
 * bound to its instances on the host that has them, from the last read
 * of the hosts (bound again after every scenario change, so a migrated
 * VM is followed), and read with one SNMP GET per object every interval
 * into samples.csv: t_ms, then one column per object (empty when it
 * could not be read).  It only reads.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_snmp.h"
#include "env.h"
#include "experiment.h"
#include "mem.h"
#include "pdu.h"
#include "run_int.h"

struct run_inst {
	uint32_t index[3];
};

struct run_binding {
	size_t host;                 /* SIZE_MAX: not found */
	enum mibcol_id col;
	struct run_inst *inst;
	size_t n_inst;
	bool has_first;
	uint64_t first, last;
	double t_first, t_last;
};

static const enum mibcol_id rsm_cols[] = {
	COL_VIF_RX_OCTETS, COL_VIF_RX_PKTS, COL_VIF_RX_DROPS, COL_VIF_TX_OCTETS,
	COL_VIF_TX_PKTS, COL_VIF_TX_DROPS, COL_SHAPE_SENT_OCTETS, COL_SHAPE_SENT_PKTS,
	COL_SHAPE_DROPPED, COL_SHAPE_OVERLIMITS, COL_VM_CPU_TIME,
};

static const struct state_vm *rsm_find_vm(const struct state *cur, const char *name,
					  size_t *host)
{
	size_t h, i;

	for (h = 0; h < cur->n_hosts; h++)
		for (i = 0; i < cur->hosts[h].n_vms; i++)
			if (strcmp(cur->hosts[h].vms[i].name, name) == 0) {
				*host = h;
				return &cur->hosts[h].vms[i];
			}
	return NULL;
}

static void rsm_add(struct run_binding *b, uint32_t a, uint32_t v, uint32_t s)
{
	struct run_inst *in = MEM_PUSH(b->inst, b->n_inst);

	in->index[0] = a;
	in->index[1] = v;
	in->index[2] = s;
}

/* the shape rows of link from->to: named as merge.c names them */
static void rsm_bind_shape(struct run *r, const struct exp_series *s, const struct state *cur,
			   struct run_binding *b)
{
	const struct virt_env *v = r->c->s->load.virt;
	const char *lname = NULL;
	char *name;
	size_t h, i, j, k;

	for (i = 0; i < v->n_links; i++)
		if (v->links[i].name && v->links[i].from.name && v->links[i].to.name &&
		    ((strcmp(v->links[i].from.name, s->from) == 0 &&
		      strcmp(v->links[i].to.name, s->to) == 0) ||
		     (strcmp(v->links[i].from.name, s->to) == 0 &&
		      strcmp(v->links[i].to.name, s->from) == 0)))
			lname = v->links[i].name;
	name = lname ? mem_strdup(lname) : mem_printf("%s>%s", s->from, s->to);
	for (h = 0; h < cur->n_hosts; h++)
		for (i = 0; i < cur->hosts[h].n_vms; i++)
			for (j = 0; j < cur->hosts[h].vms[i].n_vifs; j++) {
				const struct state_vif *vf = &cur->hosts[h].vms[i].vifs[j];

				for (k = 0; k < vf->n_shapes; k++)
					if (vf->shapes[k].name &&
					    strcmp(vf->shapes[k].name, name) == 0) {
						b->host = h;  /* rows of one link: one host each */
						rsm_add(b, cur->hosts[h].vms[i].index, vf->index,
							vf->shapes[k].index);
					}
			}
	free(name);
}

void run_sample_bind(struct run *r, const struct state *cur)
{
	const struct experiment *e = r->c->e;
	size_t i;

	struct run_binding *old = r->bind;
	size_t n_old = r->n_bind;

	r->n_bind = e->n_series;
	r->bind = mem_alloc((e->n_series + 1) * sizeof(*r->bind));
	for (i = 0; i < e->n_series; i++) {
		const struct exp_series *s = &e->series[i];
		struct run_binding *b = &r->bind[i];

		if (i < n_old && old[i].has_first) {  /* the series go on */
			b->has_first = true;
			b->first = old[i].first;
			b->last = old[i].last;
			b->t_first = old[i].t_first;
			b->t_last = old[i].t_last;
		}
		const struct state_vm *vm;
		size_t h = SIZE_MAX;

		b->host = SIZE_MAX;
		b->col = rsm_cols[s->obj];
		if (s->obj >= EXP_OBJ_SHAPE_SENT_OCTETS && s->obj <= EXP_OBJ_SHAPE_OVERLIMITS) {
			rsm_bind_shape(r, s, cur, b);
			continue;
		}
		vm = rsm_find_vm(cur, s->vm, &h);
		if (!vm)
			continue;
		b->host = h;
		if (s->obj == EXP_OBJ_VM_CPU_TIME_MS)
			rsm_add(b, vm->index, 0, 0);
		else if (s->iface <= vm->n_vifs)
			rsm_add(b, vm->index, vm->vifs[s->iface - 1].index, 0);
	}
	for (i = 0; i < n_old; i++)
		free(old[i].inst);
	free(old);
}

/* the sum of b's instances; -1 when one could not be read */
static int rsm_read(struct run *r, const struct run_binding *b, uint64_t *sum)
{
	struct pdu get = { PDU_GET, 0, NULL, 0 };
	struct pdu_resp resp;
	size_t i;
	int rc = 0;

	*sum = 0;
	if (b->host == SIZE_MAX || b->n_inst == 0)
		return -1;
	for (i = 0; i < b->n_inst; i++)
		pdu_add(&get, b->col, b->inst[i].index)->type = MIBCOL_NULL;
	snmpc_request(r->c->s->c, b->host, &get, &resp);
	if (resp.fail || resp.status || resp.n != b->n_inst)
		rc = -1;
	for (i = 0; rc == 0 && i < resp.n; i++) {
		if (resp.vb[i].type != MIBCOL_COUNTER64 && resp.vb[i].type != MIBCOL_COUNTER32 &&
		    resp.vb[i].type != MIBCOL_UNSIGNED)
			rc = -1;
		*sum += resp.vb[i].u;
	}
	pdu_resp_release(&resp);
	pdu_release(&get);
	return rc;
}

static void rsm_sample(struct run *r)
{
	size_t i;
	uint64_t v;

	fprintf(r->csv, "%.0f", run_now(r) * 1000);
	for (i = 0; i < r->n_bind; i++) {
		struct run_binding *b = &r->bind[i];

		if (rsm_read(r, b, &v) == 0) {
			fprintf(r->csv, ",%llu", (unsigned long long)v);
			if (!b->has_first) {
				b->has_first = true;
				b->first = v;
				b->t_first = run_now(r);
			}
			b->last = v;
			b->t_last = run_now(r);
		} else
			fputc(',', r->csv);
	}
	fputc('\n', r->csv);
	fflush(r->csv);
	r->samples++;
}

void run_sample_begin(struct run *r)
{
	const struct experiment *e = r->c->e;
	struct state cur;
	char *path;
	size_t i;

	r->samples = 0;
	if (e->sample_interval_us == 0 || e->n_series == 0)
		return;
	path = mem_printf("%s/samples.csv", r->rr->dir);
	r->csv = fopen(path, "w");
	free(path);
	if (!r->csv)
		return;
	fputs("t_ms", r->csv);
	for (i = 0; i < e->n_series; i++)
		fprintf(r->csv, ",%s", e->series[i].label);
	fputc('\n', r->csv);
	run_read(r, &cur);
	run_sample_bind(r, &cur);
	state_release(&cur);
	r->next_sample_s = 0;
}

void run_sample_due(struct run *r)
{
	double iv;

	if (!r->csv || run_now(r) < r->next_sample_s)
		return;
	iv = r->c->e->sample_interval_us / 1e6;
	rsm_sample(r);
	/* the next slot after now: a slow read skips slots, never bunches them */
	while (r->next_sample_s <= run_now(r))
		r->next_sample_s += iv;
}

void run_sample_end(struct run *r)
{
	char name[256];
	size_t i;

	for (i = 0; r->csv && i < r->n_bind; i++) {
		const struct run_binding *b = &r->bind[i];
		double dt = b->t_last - b->t_first;

		if (!b->has_first)
			continue;
		snprintf(name, sizeof(name), "series.%s.delta", r->c->e->series[i].label);
		run_measure(r, name, (double)(b->last - b->first));
		snprintf(name, sizeof(name), "series.%s.per_s", r->c->e->series[i].label);
		if (dt > 0)
			run_measure(r, name, (double)(b->last - b->first) / dt);
	}
	if (r->csv)
		fclose(r->csv);
	r->csv = NULL;
	for (i = 0; i < r->n_bind; i++)
		free(r->bind[i].inst);
	free(r->bind);
	r->bind = NULL;
	r->n_bind = 0;
}
