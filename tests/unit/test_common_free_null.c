/*
 * test_common_free_null.c - every _free() and _release() of the agent,
 * vmibctl and common/ accepts NULL and does nothing (STYLE.md: "every
 * _free() accepts NULL"), so that a clean-up path never has to ask what was
 * made before it failed.  A function that dereferences NULL crashes the
 * runner under ASan.  (Backends' and transports' own ops are reached only
 * through isolate_backend_free, tc_backend_free and snmpc_free, listed.)
 */
#include <stddef.h>
#include <stdio.h>

#include "apply.h"
#include "config.h"
#include "diag.h"
#include "env.h"
#include "experiment.h"
#include "gexec.h"
#include "isolate.h"
#include "isolstore.h"
#include "keymap.h"
#include "load.h"
#include "mib_tables.h"
#include "out.h"
#include "pdu.h"
#include "place.h"
#include "plan.h"
#include "shapestore.h"
#include "snmpc.h"
#include "state.h"
#include "tc.h"
#include "tracker.h"
#include "unit.h"
#include "validate.h"
#include "virt.h"
#include "vm.h"
#include "vmplan.h"

static void free_null_agent(void)
{
	config_free(NULL);
	isolate_backend_free(NULL);
	isolstore_free(NULL);
	mib_isol_free(NULL);
	shapestore_free(NULL);
	tc_plan_free(NULL);
	tc_backend_free(NULL);
	tracker_free(NULL);
	virt_stats_free(NULL, 3);
	virt_vms_free(NULL, 3);
	vm_free(NULL);
	vmplan_free(NULL);
	CU_PASS("the agent's _free functions took NULL");
}

static void free_null_manager(void)
{
	apply_report_release(NULL);
	diag_release(NULL);
	env_real_free(NULL);
	env_virt_free(NULL);
	experiment_free(NULL);
	gexec_free(NULL);
	gexec_job_free(NULL);
	gexec_result_release(NULL);
	keymap_release(NULL);
	load_release(NULL);
	CU_ASSERT_EQUAL(out_free(NULL), 0);
	pdu_vb_release(NULL);
	pdu_release(NULL);
	pdu_resp_release(NULL);
	place_release(NULL);
	plan_release(NULL);
	snmpc_free(NULL);
	snmpc_release(NULL);
	snmpc_args_free(NULL);
	state_release(NULL);
	validate_release(NULL);
}

static const struct unit_test tests[] = {
	UNIT_TEST(free_null_agent),
	UNIT_TEST(free_null_manager),
	{ NULL, NULL },
};

UNIT_SUITE(common_free_null, NULL, NULL, tests)
