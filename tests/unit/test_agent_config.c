/*
 * test_agent_config.c - vmibd.conf keys and values, file parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static void config_defaults_are_documented_values(void)
{
	struct vmibd_config c;

	config_defaults(&c);
	CU_ASSERT_STRING_EQUAL(c.libvirt_uri, "qemu:///system");
	CU_ASSERT_EQUAL(c.ping_interval_s, 15);
	CU_ASSERT_EQUAL(c.stats_max_age_ms, 1000);
	CU_ASSERT_PTR_NULL(c.agentx_socket);
	CU_ASSERT_TRUE(c.rfc7666);
	config_free(&c);
}

static void config_set_accepts_valid_values(void)
{
	struct vmibd_config c;
	char err[128];

	config_defaults(&c);
	CU_ASSERT_EQUAL(config_set(&c, "uri", "test:///default", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.libvirt_uri, "test:///default");
	CU_ASSERT_EQUAL(config_set(&c, "agentx-ping-interval", "3", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.ping_interval_s, 3);
	CU_ASSERT_EQUAL(config_set(&c, "foreground", "yes", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(c.foreground);
	CU_ASSERT_EQUAL(config_set(&c, "log-level", "debug", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.log_level, LOG_DEBUG);
	CU_ASSERT_EQUAL(config_set(&c, "bridge", "br0,br1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(config_set(&c, "bridge", "br2", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.n_bridges, 3);
	CU_ASSERT_STRING_EQUAL(c.bridges[2], "br2");
	CU_ASSERT_EQUAL(config_set(&c, "pid-file", "none", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(c.pid_file);
	config_free(&c);
}

static void config_set_rejects_bad_values_precisely(void)
{
	struct vmibd_config c;
	char err[128];

	config_defaults(&c);
	CU_ASSERT_EQUAL(config_set(&c, "agentx-ping-interval", "0", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1..3600"));
	CU_ASSERT_EQUAL(config_set(&c, "agentx-ping-interval", "5s", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(c.ping_interval_s, 15);
	CU_ASSERT_EQUAL(c.busy_poll_us, 50);
	CU_ASSERT_EQUAL(config_set(&c, "agentx-busy-poll-us", "1001", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "0..1000"));
	CU_ASSERT_EQUAL(config_set(&c, "agentx-busy-poll-us", "0", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.busy_poll_us, 0);
	CU_ASSERT_EQUAL(config_set(&c, "foreground", "maybe", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(config_set(&c, "log-tokens", "virt,nope", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(config_set(&c, "bridge", "a/b", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(config_set(&c, "bridge", "averyveryverylongname", err, sizeof(err)), -1);
	/* bridge and peer names follow the name rule (name.h) */
	CU_ASSERT_EQUAL(config_set(&c, "bridge", "..", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(config_set(&c, "bridge", "br0,-x", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(config_set(&c, "peer", "..h qemu+tcp://10.0.0.2/system", err, sizeof(err)),
			-1);
	CU_ASSERT_EQUAL(config_set(&c, "no-such-key", "1", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key"));
	config_free(&c);
}

static char *write_tmp(const char *text)
{
	static char path[] = "/tmp/vmib-config-XXXXXX";
	int fd;

	strcpy(path, "/tmp/vmib-config-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) < 0)
		path[0] = '\0';
	close(fd);
	return path;
}

static void config_load_reads_file_and_comments(void)
{
	struct vmibd_config c;
	char *path = write_tmp("# comment\n\nuri = test:///x.xml\n"
			       "image-dir \"/srv/images\"   # trailing\n"
			       "log-tokens virt,snmp\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	config_defaults(&c);
	CU_ASSERT_EQUAL(config_load(&c, path, false), 0);
	CU_ASSERT_STRING_EQUAL(c.libvirt_uri, "test:///x.xml");
	CU_ASSERT_STRING_EQUAL(c.image_dir, "/srv/images");
	CU_ASSERT_STRING_EQUAL(c.log_tokens, "virt,snmp");
	unlink(path);
	config_free(&c);
}

static void config_load_reports_every_bad_line(void)
{
	struct vmibd_config c;
	char *path = write_tmp("uri test:///a\nbogus 1\nagentx-ping-interval x\nuri test:///b\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	config_defaults(&c);
	CU_ASSERT_EQUAL(config_load(&c, path, false), -1);
	/* good lines after a bad one still apply */
	CU_ASSERT_STRING_EQUAL(c.libvirt_uri, "test:///b");
	unlink(path);
	CU_ASSERT_EQUAL(config_load(&c, path, true), 0);
	CU_ASSERT_EQUAL(config_load(&c, path, false), -1);
	config_free(&c);
}

static const struct unit_test tests[] = {
	UNIT_TEST(config_defaults_are_documented_values),
	UNIT_TEST(config_set_accepts_valid_values),
	UNIT_TEST(config_set_rejects_bad_values_precisely),
	UNIT_TEST(config_load_reads_file_and_comments),
	UNIT_TEST(config_load_reports_every_bad_line),
	{NULL, NULL},
};

UNIT_SUITE(agent_config, NULL, NULL, tests)
