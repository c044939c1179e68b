/*
 * test_agent_guestready.c - vmibVmGuestState from a console log
 * (agent/guestready.h): unknown without a console directory, a log or a
 * running VM; booting until the ready line; ready once it is there,
 * whatever bytes the console wrote around it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestready.h"
#include "unit.h"
#include "vmib_oids.h"

static void write_log(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(text, 1, len, f);
	fclose(f);
}

static void guestready_reads_the_ready_line(void)
{
	char dir[] = "/tmp/vmib-guestready.XXXXXX", path[512];
	static const char boot[] = "\x1b[0m\0early\r\nvmib-guest: configuring eth0\r\n";
	static const char ready[] = "\x1b[0m\0early\r\nvmib-guest: ready host=v1 addrs=eth0:10.1.0.5/24"
				    " kernel=6.1 uptime=2.7\r\n~ # ";

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(guestready_state(NULL, "v1", true), VMIB_ENUM_vmibVmGuestState_unknown);
	CU_ASSERT_EQUAL(guestready_state(dir, "v1", true), VMIB_ENUM_vmibVmGuestState_unknown);
	write_log(dir, "v1", boot, sizeof(boot) - 1);
	CU_ASSERT_EQUAL(guestready_state(dir, "v1", true), VMIB_ENUM_vmibVmGuestState_booting);
	write_log(dir, "v1", ready, sizeof(ready) - 1);
	CU_ASSERT_EQUAL(guestready_state(dir, "v1", true), VMIB_ENUM_vmibVmGuestState_ready);
	CU_ASSERT_EQUAL(guestready_state(dir, "v1", false), VMIB_ENUM_vmibVmGuestState_unknown);
	snprintf(path, sizeof(path), "%s/v1.log", dir);
	unlink(path);
	rmdir(dir);
}

static const struct unit_test tests[] = {
	UNIT_TEST(guestready_reads_the_ready_line),
	{ NULL, NULL },
};

UNIT_SUITE(agent_guestready, NULL, NULL, tests)
