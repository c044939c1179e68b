/*
 * cmd_migrate.c - `vmibctl migrate REAL VIRTUAL VM HOST`: find VM on the
 * hosts, write vmibVmMigrateTarget (HOST's libvirt URI from the real
 * environment) and vmibVmMigrateLive on its host, then poll until the row
 * has left the source and appeared on HOST (vmibVmMigrateStatus
 * succeeded there) or the source reports failed, or --timeout passes.
 * Reports the wall-clock time, libvirt's measured downtime
 * (vmibVmMigrateDowntimeMs) and how long after the arrival the VM's shape
 * rows were all in force on HOST.  Exit 0 on success, 4 otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_snmp.h"
#include "mem.h"
#include "out.h"
#include "read.h"

#define POLL_S 0.1
#define SHAPING_WAIT_S 10.0

struct migration {
	struct cmd_snmp *s;
	const char *vm;
	size_t from, to;
	uint32_t index;
	double t0, t_arrived, t_shaped;
	uint32_t downtime_ms;
	size_t shapes;
	char *error;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec t = { 0, (long)(POLL_S * 1e9) };

	nanosleep(&t, NULL);
}

static size_t host_index(const struct state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->n_hosts; i++)
		if (strcmp(st->hosts[i].name, name) == 0)
			return i;
	return st->n_hosts;
}

/* the error text of a failed SET: SNMP error, then the VM's LastError */
static char *set_error(struct migration *m, const struct pdu_resp *r, const struct pdu *sent)
{
	struct pdu get = { PDU_GET, 0, NULL, 0 };
	uint32_t ix[1] = { m->index };
	struct pdu_resp le;
	char *err = snmpc_error_text(r, sent), *s;

	if (r->fail)
		return err;
	pdu_add(&get, COL_VM_LAST_ERROR, ix)->type = MIBCOL_NULL;
	snmpc_request(m->s->c, m->from, &get, &le);
	s = le.n == 1 && le.vb[0].type == MIBCOL_STRING && le.vb[0].s_len ?
	    mem_printf("%s: %s", err, le.vb[0].s) : mem_strdup(err);
	pdu_resp_release(&le);
	pdu_release(&get);
	free(err);
	return s;
}

static int start(struct migration *m)
{
	const struct state_host *dst = &m->s->load.desired.hosts[m->to];
	struct pdu set = { PDU_SET, 0, NULL, 0 };
	uint32_t ix[1] = { m->index };
	struct pdu_resp r;

	pdu_add_int(&set, COL_VM_MIGRATE_LIVE, ix, m->s->cold ? VMIB_ENUM_vmibVmMigrateLive_false :
		    VMIB_ENUM_vmibVmMigrateLive_true);
	pdu_add_str(&set, COL_VM_MIGRATE_TARGET, ix, dst->libvirt ? dst->libvirt : dst->name);
	snmpc_request(m->s->c, m->from, &set, &r);
	if (r.fail || r.status)
		m->error = set_error(m, &r, &set);
	pdu_resp_release(&r);
	pdu_release(&set);
	return m->error ? -1 : 0;
}

/* one look at the source: 1 gone, 0 still there, -1 failed */
static int poll_source(struct migration *m)
{
	struct pdu get = { PDU_GET, 0, NULL, 0 };
	uint32_t ix[1] = { m->index };
	struct pdu_resp r;
	int rc = 0;

	pdu_add(&get, COL_VM_NAME, ix)->type = MIBCOL_NULL;
	pdu_add(&get, COL_VM_MIGRATE_STATUS, ix)->type = MIBCOL_NULL;
	pdu_add(&get, COL_VM_LAST_ERROR, ix)->type = MIBCOL_NULL;
	snmpc_request(m->s->c, m->from, &get, &r);
	if (!r.fail && !r.status && r.n == 3) {
		if (r.vb[0].type != MIBCOL_STRING || strcmp(r.vb[0].s, m->vm) != 0)
			rc = 1;
		else if (r.vb[1].type == MIBCOL_INTEGER &&
			 r.vb[1].i == VMIB_ENUM_vmibVmMigrateStatus_failed) {
			m->error = mem_printf("the migration failed: %s", r.vb[2].s ? r.vb[2].s : "");
			rc = -1;
		}
	}
	pdu_resp_release(&r);
	pdu_release(&get);
	return rc;
}

/* the VM on the destination, all shape rows applied: 1; there: 0; not yet: -1 */
static int look_at_destination(struct migration *m)
{
	struct state cur;
	const struct state_vm *vm;
	size_t f, k, applied = 0;
	int rc = -1;

	read_hosts(m->s->c, &m->s->load.desired, &cur);
	vm = cur.hosts[m->to].oper.read ? state_find_vm(&cur.hosts[m->to], m->vm) : NULL;
	if (vm && vm->oper.state != VMIB_ENUM_vmibVmOperState_paused) {
		m->downtime_ms = vm->oper.downtime_ms;
		m->shapes = 0;
		for (f = 0; f < vm->n_vifs; f++) {
			for (k = 0; k < vm->vifs[f].n_shapes; k++) {
				m->shapes++;
				applied += vm->vifs[f].shapes[k].oper.status ==
					   VMIB_ENUM_vmibShapeOperStatus_applied;
			}
		}
		rc = applied == m->shapes ? 1 : 0;
	}
	state_release(&cur);
	return rc;
}

static int wait_arrival(struct migration *m)
{
	double deadline = m->t0 + m->s->timeout_s;
	int rc;

	while ((rc = poll_source(m)) == 0) {
		if (now_s() > deadline) {
			m->error = mem_printf("no result after %.0f s (see vmibctl status)",
					      m->s->timeout_s);
			return -1;
		}
		nap();
	}
	if (rc < 0)
		return -1;
	while ((rc = look_at_destination(m)) < 0) {
		if (now_s() > deadline) {
			m->error = mem_printf("%s left its host but is not running on the "
					      "destination after %.0f s", m->vm, m->s->timeout_s);
			return -1;
		}
		nap();
	}
	m->t_arrived = now_s();
	while (rc == 0 && now_s() < m->t_arrived + SHAPING_WAIT_S) {
		nap();
		rc = look_at_destination(m);
	}
	m->t_shaped = rc == 1 ? now_s() : 0;
	return 0;
}

static int locate(struct migration *m, const char *host)
{
	const struct state *d = &m->s->load.desired;
	struct state cur;
	const struct state_vm *vm;
	size_t i;

	m->to = host_index(d, host);
	if (m->to == d->n_hosts) {
		m->error = mem_printf("no host '%s' in %s", host, m->s->operands[0]);
		return -1;
	}
	read_hosts(m->s->c, d, &cur);
	m->from = d->n_hosts;
	for (i = 0; i < cur.n_hosts && m->from == d->n_hosts; i++) {
		vm = cur.hosts[i].oper.read ? state_find_vm(&cur.hosts[i], m->vm) : NULL;
		if (vm) {
			m->from = i;
			m->index = vm->index;
		}
	}
	if (m->from == d->n_hosts)
		m->error = mem_printf("vm '%s' is on no host that could be read", m->vm);
	else if (m->from == m->to)
		m->error = mem_printf("vm '%s' is on %s already", m->vm, host);
	state_release(&cur);
	return m->error ? -1 : 0;
}

int cmd_migrate(const struct cmd_ctx *ctx, char **operands)
{
	struct migration m = { 0 };
	struct cmd_snmp s;
	struct out *o;
	int rc = cmd_snmp_start(ctx, "migrate", "[--cold] [--timeout SECONDS] [NET-SNMP FLAGS] "
				"REAL VIRTUAL VM HOST", OPT_COLD | OPT_TIMEOUT, 4, &s);

	(void)operands;
	if (rc != CMD_OK || !s.c) {
		cmd_snmp_end(&s);
		return rc;
	}
	m.s = &s;
	m.vm = s.operands[2];
	m.t0 = now_s();
	if (locate(&m, s.operands[3]) == 0 && start(&m) == 0)
		wait_arrival(&m);
	o = out_new(s.ctx.json ? OUT_JSON : OUT_TEXT, s.ctx.out);
	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, !m.error);
	out_str(o, "vm", "migrate: %s", m.vm);
	if (m.from < s.load.desired.n_hosts)
		out_str(o, "from", " %s", s.load.desired.hosts[m.from].name);
	out_str(o, "to", " -> %s", s.operands[3]);
	out_str(o, "error", ": FAILED: %s\n", m.error);
	if (!m.error) {
		out_u64(o, "ms", ": done in %llu ms", (uint64_t)((m.t_arrived - m.t0) * 1000));
		out_u64(o, "downtimeMs", ", downtime %llu ms (libvirt)", m.downtime_ms);
		out_u64(o, "shapeRows", ", %llu shape row(s)", m.shapes);
		if (m.shapes && m.t_shaped > 0)
			out_u64(o, "shapedAfterMs", " in force %llu ms after the arrival",
				(uint64_t)((m.t_shaped - m.t_arrived) * 1000));
		else if (m.shapes)
			out_text(o, " NOT all in force %.0f s after the arrival", SHAPING_WAIT_S);
		out_text(o, "\n");
	}
	out_obj_close(o);
	rc = out_free(o) < 0 ? CMD_FAILED : m.error ? CMD_INCOMPLETE : CMD_OK;
	free(m.error);
	cmd_snmp_end(&s);
	return rc;
}
