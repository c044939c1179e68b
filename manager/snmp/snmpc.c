/*
 * snmpc.c - the transport-independent half of the SNMP client: request
 * accounting, the run loop entry, GETBULK walks and error texts.  The
 * transports (snmpc_netsnmp.c, snmpfake.c) fill in struct snmpc_ops; this
 * file never talks to the network itself.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "snmpc.h"

#define SNMPC_DEFAULT_REPETITIONS 40

void snmpc_init(struct snmpc *c, const struct snmpc_ops *ops, size_t n_hosts, void *impl)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->n_hosts = n_hosts;
	c->impl = impl;
	c->max_repetitions = SNMPC_DEFAULT_REPETITIONS;
	c->stats = mem_array(NULL, n_hosts ? n_hosts : 1, sizeof(*c->stats));
	memset(c->stats, 0, (n_hosts ? n_hosts : 1) * sizeof(*c->stats));
}

void snmpc_release(struct snmpc *c)
{
	if (!c)
		return;
	free(c->stats);
	c->stats = NULL;
}

void snmpc_send(struct snmpc *c, size_t host, const struct pdu *p, snmpc_cb cb, void *arg)
{
	c->stats[host].requests++;
	if (p->cmd == PDU_SET) {
		c->stats[host].sets++;
		c->stats[host].set_varbinds += p->n;
	}
	c->outstanding++;
	c->ops->send(c, host, p, cb, arg);
}

void snmpc_run(struct snmpc *c)
{
	c->ops->run(c);
}

void snmpc_free(struct snmpc *c)
{
	if (c)
		c->ops->free(c);
}

static void keep_answer(void *arg, struct pdu_resp *r)
{
	struct pdu_resp *out = arg;
	size_t i;

	out->fail = mem_strdup(r->fail);
	out->status = r->status;
	out->index = r->index;
	out->n = r->n;
	out->vb = mem_array(NULL, r->n + 1, sizeof(*out->vb));
	for (i = 0; i < r->n; i++)
		pdu_vb_copy(&out->vb[i], &r->vb[i]);
}

void snmpc_request(struct snmpc *c, size_t host, const struct pdu *p, struct pdu_resp *r)
{
	memset(r, 0, sizeof(*r));
	snmpc_send(c, host, p, keep_answer, r);
	snmpc_run(c);
}

char *snmpc_error_text(const struct pdu_resp *r, const struct pdu *sent)
{
	char *name, *s;

	if (r->fail)
		return mem_strdup(r->fail);
	if (r->status == 0)
		return NULL;
	if (!sent || r->index < 1 || (size_t)r->index > sent->n)
		return mem_strdup(mibcol_error_name(r->status));
	name = pdu_oid_format(sent->vb[r->index - 1].oid, sent->vb[r->index - 1].oid_len);
	s = mem_printf("%s (%s)", mibcol_error_name(r->status), name);
	free(name);
	return s;
}

/* --- walks ------------------------------------------------------------------- */

struct walk {
	struct snmpc *c;
	size_t host;
	uint32_t root[MIBCOL_MAX_OID];
	size_t root_len;
	struct pdu_vb *vb;
	size_t n;
	snmpc_walk_cb cb;
	void *arg;
};

static void walk_finish(struct walk *w, const char *err)
{
	size_t i;

	w->cb(w->arg, err, w->vb, err ? 0 : w->n);
	for (i = 0; i < w->n; i++)
		pdu_vb_release(&w->vb[i]);
	free(w->vb);
	free(w);
}

static void walk_answer(void *arg, struct pdu_resp *r);

static void walk_from(struct walk *w, const uint32_t *oid, size_t len)
{
	struct pdu p = { PDU_GETBULK, w->c->max_repetitions, NULL, 0 };

	pdu_add_oid(&p, oid, len);
	snmpc_send(w->c, w->host, &p, walk_answer, w);
	pdu_release(&p);
}

static bool walk_ends(const struct walk *w, const struct pdu_vb *vb)
{
	return vb->type == MIBCOL_ENDOFMIBVIEW || vb->type == MIBCOL_NOSUCHOBJECT ||
	       vb->type == MIBCOL_NOSUCHINSTANCE ||
	       !pdu_oid_under(vb->oid, vb->oid_len, w->root, w->root_len);
}

static void walk_answer(void *arg, struct pdu_resp *r)
{
	struct walk *w = arg;
	const struct pdu_vb *last = NULL;
	char *err;
	size_t i;

	if (r->fail || r->status) {
		err = snmpc_error_text(r, NULL);
		walk_finish(w, err);
		free(err);
		return;
	}
	for (i = 0; i < r->n; i++) {
		if (walk_ends(w, &r->vb[i]))
			break;
		last = w->n ? &w->vb[w->n - 1] : NULL;
		if (last && pdu_oid_cmp(r->vb[i].oid, r->vb[i].oid_len, last->oid,
					last->oid_len) <= 0) {
			walk_finish(w, "the agent returned OIDs out of order");
			return;
		}
		pdu_vb_copy(MEM_PUSH(w->vb, w->n), &r->vb[i]);
	}
	if (i < r->n || r->n == 0 || w->n == 0)
		walk_finish(w, NULL);
	else
		walk_from(w, w->vb[w->n - 1].oid, w->vb[w->n - 1].oid_len);
}

void snmpc_walk(struct snmpc *c, size_t host, const uint32_t *root, size_t root_len,
		snmpc_walk_cb cb, void *arg)
{
	struct walk *w = mem_alloc(sizeof(*w));

	w->c = c;
	w->host = host;
	memcpy(w->root, root, root_len * sizeof(*root));
	w->root_len = root_len;
	w->cb = cb;
	w->arg = arg;
	walk_from(w, root, root_len);
}

/* --- column walks ------------------------------------------------------------ */

struct column {
	uint32_t root[MIBCOL_MAX_OID];
	size_t root_len;
	uint32_t at[MIBCOL_MAX_OID];   /* the last instance seen (or the root) */
	size_t at_len;
	bool done;
};

struct cwalk {
	struct snmpc *c;
	size_t host;
	struct column *col;
	size_t n_cols;
	size_t *active;                /* the columns the PDU in flight asks */
	size_t n_active;
	struct pdu_vb *vb;
	size_t n;
	snmpc_walk_cb cb;
	void *arg;
};

static int vb_cmp(const void *a, const void *b)
{
	const struct pdu_vb *x = a, *y = b;

	return pdu_oid_cmp(x->oid, x->oid_len, y->oid, y->oid_len);
}

static void cwalk_finish(struct cwalk *w, const char *err)
{
	size_t i;

	if (!err && w->n > 1)
		qsort(w->vb, w->n, sizeof(*w->vb), vb_cmp);
	w->cb(w->arg, err, w->vb, err ? 0 : w->n);
	for (i = 0; i < w->n; i++)
		pdu_vb_release(&w->vb[i]);
	free(w->vb);
	free(w->col);
	free(w->active);
	free(w);
}

static void cwalk_answer(void *arg, struct pdu_resp *r);

/* the next GETBULK, for the columns not finished; false if none is left */
static bool cwalk_next(struct cwalk *w)
{
	struct pdu p = { PDU_GETBULK, 0, NULL, 0 };
	size_t i;

	w->n_active = 0;
	for (i = 0; i < w->n_cols; i++)
		if (!w->col[i].done)
			w->active[w->n_active++] = i;
	if (w->n_active == 0)
		return false;
	/* about max_repetitions values per answer, at least one row */
	p.max_repetitions = w->c->max_repetitions / (long)w->n_active;
	if (p.max_repetitions < 1)
		p.max_repetitions = 1;
	for (i = 0; i < w->n_active; i++)
		pdu_add_oid(&p, w->col[w->active[i]].at, w->col[w->active[i]].at_len);
	snmpc_send(w->c, w->host, &p, cwalk_answer, w);
	pdu_release(&p);
	return true;
}

static void cwalk_answer(void *arg, struct pdu_resp *r)
{
	struct cwalk *w = arg;
	char *err;
	size_t i;

	if (r->fail || r->status) {
		err = snmpc_error_text(r, NULL);
		cwalk_finish(w, err);
		free(err);
		return;
	}
	if (r->n == 0) {
		cwalk_finish(w, NULL);
		return;
	}
	/* RFC 3416 4.2.3: repetition after repetition, one varbind per column
	 * asked; an agent may cut the answer short anywhere */
	for (i = 0; i < r->n; i++) {
		const struct pdu_vb *vb = &r->vb[i];
		struct column *col = &w->col[w->active[i % w->n_active]];

		if (col->done)
			continue;
		if (vb->type == MIBCOL_ENDOFMIBVIEW || vb->type == MIBCOL_NOSUCHOBJECT ||
		    vb->type == MIBCOL_NOSUCHINSTANCE ||
		    !pdu_oid_under(vb->oid, vb->oid_len, col->root, col->root_len)) {
			col->done = true;
			continue;
		}
		if (pdu_oid_cmp(vb->oid, vb->oid_len, col->at, col->at_len) <= 0) {
			cwalk_finish(w, "the agent returned OIDs out of order");
			return;
		}
		pdu_vb_copy(MEM_PUSH(w->vb, w->n), vb);
		memcpy(col->at, vb->oid, vb->oid_len * sizeof(*vb->oid));
		col->at_len = vb->oid_len;
	}
	if (!cwalk_next(w))
		cwalk_finish(w, NULL);
}

void snmpc_walk_columns(struct snmpc *c, size_t host, const uint32_t *const *cols,
			const size_t *cols_len, size_t n_cols, snmpc_walk_cb cb, void *arg)
{
	struct cwalk *w = mem_alloc(sizeof(*w));
	size_t i;

	memset(w, 0, sizeof(*w));
	w->c = c;
	w->host = host;
	w->cb = cb;
	w->arg = arg;
	w->n_cols = n_cols;
	w->col = mem_array(NULL, n_cols ? n_cols : 1, sizeof(*w->col));
	w->active = mem_array(NULL, n_cols ? n_cols : 1, sizeof(*w->active));
	for (i = 0; i < n_cols; i++) {
		memcpy(w->col[i].root, cols[i], cols_len[i] * sizeof(*cols[i]));
		w->col[i].root_len = cols_len[i];
		memcpy(w->col[i].at, cols[i], cols_len[i] * sizeof(*cols[i]));
		w->col[i].at_len = cols_len[i];
		w->col[i].done = false;
	}
	if (!cwalk_next(w))
		cwalk_finish(w, NULL);
}
