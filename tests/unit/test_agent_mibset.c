/*
 * test_agent_mibset.c - the SET coordinator (mibset.h) with three
 * recording participants in its three slots: every phase call is written
 * to one log, so each case shows the order in which the coordinator runs
 * the phases across the participants of one PDU, whatever the order of
 * the handler calls (the PDU's varbind order), mode by mode as an AgentX
 * subagent is driven (fresh requests in each mode, one transaction id).
 *
 * What is checked: RESERVE2 and ACTION run once per PDU, in slot order,
 * at the first handler call of the mode, and each call then gets its
 * participant's report; an ACTION failure stops the later participants,
 * and UNDO reaches the ones whose ACTION ran, in reverse order; COMMIT in
 * slot order, FREE in reverse; every state begun is ended; a TestSet
 * copy, a stray mode and a PDU the master never closed; mibset_creates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mibset.h"
#include "unit.h"

enum { PVM, PSHAPE, PISOL, NP };

static struct {
	char log[2048];
	int fail_r2, fail_action;      /* participant that fails, -1 none */
	long transid;
	int begun, ended;
	bool ask;                      /* reserve2 asks mibset_creates */
	struct mibtab tab[NP];
	int ctx;                       /* what the tables' ctx points to */
} R;

static const char *const p_name[NP] = {"vm", "shape", "isol"};

/* one line of the log: what was called, for whom */
static void note(const char *what, const char *who)
{
	size_t n = strlen(R.log);

	snprintf(R.log + n, sizeof(R.log) - n, "%s %s\n", what, who);
}

static const struct mibset_participant parts[];

/* a participant's state: which it is */
struct rec {
	int which;
};

static void *rec_begin(int which, void *ctx)
{
	struct rec *r = calloc(1, sizeof(*r));

	CU_ASSERT_PTR_EQUAL(ctx, &R.ctx);
	r->which = which;
	R.begun++;
	note("begin", p_name[which]);
	return r;
}

static void *vm_begin(void *ctx) { return rec_begin(PVM, ctx); }
static void *shape_begin(void *ctx) { return rec_begin(PSHAPE, ctx); }
static void *isol_begin(void *ctx) { return rec_begin(PISOL, ctx); }

static void rec_reserve1(void *st, const struct mibset_call *c)
{
	struct rec *r = st;
	netsnmp_request_info *q;
	char who[32];
	int n = 0;

	for (q = c->requests; q; q = q->next)
		n++;
	snprintf(who, sizeof(who), "%s %d", p_name[r->which], n);
	note("reserve1", who);
}

static int rec_reserve2(void *st, const struct mibset_pdu *pdu)
{
	struct rec *r = st;

	note("reserve2", p_name[r->which]);
	if (R.ask) {
		const struct mibset_participant *me = &parts[r->which];
		char ans[64];

		snprintf(ans, sizeof(ans), "5 %s 5.2 %s 5.1 %s 6 %s",
			 mibset_creates(pdu, me, 5, 0) ? "yes" : "no",
			 mibset_creates(pdu, me, 5, 2) ? "yes" : "no",
			 mibset_creates(pdu, me, 5, 1) ? "yes" : "no",
			 mibset_creates(pdu, me, 6, 0) ? "yes" : "no");
		note("creates", ans);
	}
	return R.fail_r2 == r->which ? -1 : 0;
}

static int rec_action(void *st, const struct mibset_pdu *pdu)
{
	struct rec *r = st;

	(void)pdu;
	note("action", p_name[r->which]);
	return R.fail_action == r->which ? -1 : 0;
}

static void rec_report(void *st, const struct mibset_call *c)
{
	struct rec *r = st;

	note("report", p_name[r->which]);
	if ((c->reqinfo->mode == MODE_SET_ACTION && R.fail_action == r->which) ||
	    (c->reqinfo->mode == MODE_SET_RESERVE2 && R.fail_r2 == r->which))
		netsnmp_set_request_error(c->reqinfo, c->requests, SNMP_ERR_COMMITFAILED);
}

static void rec_undo(void *st) { note("undo", p_name[((struct rec *)st)->which]); }
static void rec_commit(void *st) { note("commit", p_name[((struct rec *)st)->which]); }
static void rec_free(void *st) { note("free", p_name[((struct rec *)st)->which]); }
static void rec_abandon(void *st) { note("abandon", p_name[((struct rec *)st)->which]); }

static void rec_end(void *st)
{
	struct rec *r = st;

	note("end", p_name[r->which]);
	R.ended++;
	free(r);
}

/* the VM participant creates VM 5 and its vif 5.2 */
static bool vm_creates(const void *st, int32_t vm, uint32_t vif)
{
	(void)st;
	return vm == 5 && (vif == 0 || vif == 2);
}

#define REC_OPS                                                                  \
	.reserve1 = rec_reserve1, .reserve2 = rec_reserve2, .action = rec_action, \
	.report = rec_report, .undo = rec_undo, .commit = rec_commit,             \
	.free = rec_free, .abandon = rec_abandon, .end = rec_end

static const struct mibset_participant parts[NP] = {
	{.name = "vm", .slot = MIBSET_SLOT_VM, .begin = vm_begin, .creates = vm_creates, REC_OPS},
	{.name = "shape", .slot = MIBSET_SLOT_SHAPE, .begin = shape_begin, REC_OPS},
	{.name = "isol", .slot = MIBSET_SLOT_ISOL, .begin = isol_begin, REC_OPS},
};

/* --- a PDU ------------------------------------------------------------------------ */

#define MAX_VB 8

/* the varbinds: which participant's table each goes to */
struct tpdu {
	int part[MAX_VB];
	int n;
};

/* one mode: each table's handler with its requests, built afresh, tables
 * in the order of their first varbind (Net-SNMP's tree cache); returns
 * the error of the lowest varbind */
static int mode(const struct tpdu *p, int m)
{
	netsnmp_request_info req[MAX_VB], *head[NP] = {NULL}, *tail[NP] = {NULL};
	netsnmp_agent_request_info reqinfo;
	netsnmp_agent_session asp;
	netsnmp_mib_handler h;
	netsnmp_pdu pdu;
	int order[NP], n_order = 0, i, t;

	memset(req, 0, sizeof(req));
	memset(&reqinfo, 0, sizeof(reqinfo));
	memset(&asp, 0, sizeof(asp));
	memset(&pdu, 0, sizeof(pdu));
	pdu.transid = R.transid;
	asp.pdu = &pdu;
	reqinfo.asp = &asp;
	reqinfo.mode = m;
	for (i = 0; i < p->n; i++) {
		t = p->part[i];
		req[i].index = i + 1;
		if (tail[t])
			tail[t]->next = &req[i];
		else
			order[n_order++] = t, head[t] = &req[i];
		tail[t] = &req[i];
	}
	for (i = 0; i < n_order; i++) {
		memset(&h, 0, sizeof(h));
		h.myvoid = &R.tab[order[i]];
		mibset_handle(&parts[order[i]], 0, &h, &reqinfo, head[order[i]]);
	}
	for (i = 0; i < p->n; i++)
		if (req[i].status)
			return req[i].status;
	return 0;
}

/* Net-SNMP's handle_set() */
static int run(const struct tpdu *p)
{
	int rc;

	R.transid++;
	rc = mode(p, MODE_SET_RESERVE1);
	if (!rc)
		rc = mode(p, MODE_SET_RESERVE2);
	if (rc) {
		mode(p, MODE_SET_FREE);
		return rc;
	}
	rc = mode(p, MODE_SET_ACTION);
	mode(p, rc ? MODE_SET_UNDO : MODE_SET_COMMIT);
	return rc;
}

static void fresh(void)
{
	int i;

	mibset_reset();
	memset(&R, 0, sizeof(R));
	R.fail_r2 = R.fail_action = -1;
	R.transid = 100;
	for (i = 0; i < NP; i++) {
		R.tab[i].name = p_name[i];
		R.tab[i].ctx = &R.ctx;
	}
}

static void expect(const char *want, int line)
{
	if (strcmp(R.log, want) != 0)
		fprintf(stderr, "\n    line %d: the coordinator did:\n%s", line, R.log);
	CU_ASSERT_STRING_EQUAL(R.log, want);
}
#define EXPECT(s) expect(s, __LINE__)

/* --- cases --------------------------------------------------------------------------- */

static void mibset_phases_run_in_slot_order_whatever_the_varbinds(void)
{
	/* the isolation varbind first, then shape, then VM */
	struct tpdu p = {{PISOL, PSHAPE, PVM, PSHAPE}, 4};

	fresh();
	CU_ASSERT_EQUAL(run(&p), 0);
	EXPECT("begin isol\nreserve1 isol 1\n"
	       "begin shape\nreserve1 shape 2\n"
	       "begin vm\nreserve1 vm 1\n"
	       /* the first call of RESERVE2 (isolation's) runs them all */
	       "reserve2 vm\nreserve2 shape\nreserve2 isol\n"
	       "report isol\nreport shape\nreport vm\n"
	       "action vm\naction shape\naction isol\n"
	       "report isol\nreport shape\nreport vm\n"
	       "commit vm\ncommit shape\ncommit isol\n"
	       "end vm\nend shape\nend isol\n");
	CU_ASSERT_EQUAL(R.begun, 3);
	CU_ASSERT_EQUAL(R.ended, 3);
	CU_ASSERT_PTR_NULL(mibset_state(&parts[PVM]));
}

static void mibset_action_failure_undoes_the_earlier_in_reverse(void)
{
	struct tpdu p = {{PSHAPE, PISOL, PVM}, 3};

	fresh();
	R.fail_action = PSHAPE;
	CU_ASSERT_EQUAL(run(&p), SNMP_ERR_COMMITFAILED);
	EXPECT("begin shape\nreserve1 shape 1\n"
	       "begin isol\nreserve1 isol 1\n"
	       "begin vm\nreserve1 vm 1\n"
	       "reserve2 vm\nreserve2 shape\nreserve2 isol\n"
	       "report shape\nreport isol\nreport vm\n"
	       /* isolation's ACTION does not run: nothing of it to undo */
	       "action vm\naction shape\n"
	       "report shape\nreport isol\nreport vm\n"
	       "undo shape\nundo vm\n"
	       "end vm\nend shape\nend isol\n");
	CU_ASSERT_EQUAL(R.ended, 3);
}

static void mibset_reserve2_failure_checks_all_then_frees(void)
{
	struct tpdu p = {{PVM, PSHAPE, PISOL}, 3};

	fresh();
	R.fail_r2 = PVM;
	CU_ASSERT_EQUAL(run(&p), SNMP_ERR_COMMITFAILED);
	EXPECT("begin vm\nreserve1 vm 1\nbegin shape\nreserve1 shape 1\n"
	       "begin isol\nreserve1 isol 1\n"
	       /* every participant checks: the answer is the lowest varbind's */
	       "reserve2 vm\nreserve2 shape\nreserve2 isol\n"
	       "report vm\nreport shape\nreport isol\n"
	       "free isol\nfree shape\nfree vm\n"
	       "end vm\nend shape\nend isol\n");
}

static void mibset_only_the_participants_reached_join(void)
{
	struct tpdu p = {{PSHAPE, PSHAPE}, 2};

	fresh();
	CU_ASSERT_EQUAL(run(&p), 0);
	EXPECT("begin shape\nreserve1 shape 2\nreserve2 shape\nreport shape\n"
	       "action shape\nreport shape\ncommit shape\nend shape\n");
}

static void mibset_testset_copy_is_ignored(void)
{
	struct tpdu p = {{PVM, PSHAPE}, 2};

	fresh();
	R.transid++;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1), 0);  /* the copy, at once */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1), 0);  /* the copy, late */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_ACTION), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2), 0);  /* its RESERVE2, later still */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_COMMIT), 0);
	EXPECT("begin vm\nreserve1 vm 1\nbegin shape\nreserve1 shape 1\n"
	       "reserve2 vm\nreserve2 shape\nreport vm\nreport shape\n"
	       "action vm\naction shape\nreport vm\nreport shape\n"
	       "commit vm\ncommit shape\nend vm\nend shape\n");
}

static void mibset_unclosed_pdu_is_abandoned_by_the_next(void)
{
	struct tpdu p = {{PVM, PISOL}, 2};

	fresh();
	R.transid++;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE2), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_ACTION), 0);
	/* no CleanupSet: the next PDU's RESERVE1 */
	R.log[0] = '\0';
	R.transid++;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1), 0);
	EXPECT("abandon vm\nabandon isol\nend vm\nend isol\n"
	       "begin vm\nreserve1 vm 1\nbegin isol\nreserve1 isol 1\n");
	mibset_reset();
	CU_ASSERT_EQUAL(R.begun, 4);
	CU_ASSERT_EQUAL(R.ended, 4);
}

static void mibset_stray_modes_are_ignored(void)
{
	struct tpdu p = {{PVM}, 1};

	fresh();
	R.transid = 7;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_ACTION), 0);
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_COMMIT), 0);
	EXPECT("");
	/* and an open PDU is not touched by another transaction's mode */
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_RESERVE1), 0);
	R.transid = 8;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_UNDO), 0);
	R.transid = 7;
	CU_ASSERT_EQUAL(mode(&p, MODE_SET_FREE), 0);
	EXPECT("begin vm\nreserve1 vm 1\nfree vm\nend vm\n");
}

static void mibset_creates_asks_the_other_participants(void)
{
	struct tpdu p = {{PSHAPE, PVM}, 2};

	fresh();
	R.ask = true;
	CU_ASSERT_EQUAL(run(&p), 0);
	/* in shape's RESERVE2: VM 5 and vif 5.2 are the VM participant's;
	 * a participant is not asked about itself */
	CU_ASSERT_PTR_NOT_NULL(strstr(R.log, "reserve2 shape\ncreates 5 yes 5.2 yes 5.1 no 6 no\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(R.log, "reserve2 vm\ncreates 5 no 5.2 no 5.1 no 6 no\n"));
	CU_ASSERT_FALSE(mibset_creates(NULL, &parts[PSHAPE], 5, 0));
}

static const struct unit_test tests[] = {
	UNIT_TEST(mibset_phases_run_in_slot_order_whatever_the_varbinds),
	UNIT_TEST(mibset_action_failure_undoes_the_earlier_in_reverse),
	UNIT_TEST(mibset_reserve2_failure_checks_all_then_frees),
	UNIT_TEST(mibset_only_the_participants_reached_join),
	UNIT_TEST(mibset_testset_copy_is_ignored),
	UNIT_TEST(mibset_unclosed_pdu_is_abandoned_by_the_next),
	UNIT_TEST(mibset_stray_modes_are_ignored),
	UNIT_TEST(mibset_creates_asks_the_other_participants),
	{NULL, NULL},
};

/* the copies ignored are logged at info */
static int quiet(void)
{
	log_set_level(LOG_WARNING);
	return 0;
}

static int loud(void)
{
	mibset_reset();
	log_set_level(LOG_INFO);
	return 0;
}

UNIT_SUITE(agent_mibset, quiet, loud, tests)
