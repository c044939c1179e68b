/*
 * test_agent_images.c - image descriptors and the image directory scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images.h"
#include "unit.h"

static void images_parse_elements_and_attributes(void)
{
	struct image img;
	char err[64];

	CU_ASSERT_EQUAL(images_parse("<image name='t1'><os>linux</os><arch>x86_64</arch>"
				     "<kernel-version> 6.1.0-26-amd64\n</kernel-version>"
				     "<description>test guest</description></image>",
				     "dir", &img, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(img.name, "t1");
	CU_ASSERT_STRING_EQUAL(img.os, "linux");
	CU_ASSERT_STRING_EQUAL(img.arch, "x86_64");
	CU_ASSERT_STRING_EQUAL(img.kernel_version, "6.1.0-26-amd64");
	CU_ASSERT_STRING_EQUAL(img.description, "test guest");
	CU_ASSERT_EQUAL(images_parse("<image os='linux' kernelVersion='5.10'/>", "fromdir",
				     &img, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(img.name, "fromdir");
	CU_ASSERT_STRING_EQUAL(img.kernel_version, "5.10");
	/* the descriptor tests/image/mkimage writes (namespaced, kernel =
	 * the kernel's file name, not its version) */
	CU_ASSERT_EQUAL(images_parse("<?xml version='1.0'?><image xmlns='urn:vmib:image:1'>"
				     "<name>vmib-test</name><os>linux-busybox</os>"
				     "<kernelVersion>6.1.0-56-amd64</kernelVersion>"
				     "<kernel>bzImage</kernel><cmdline>quiet</cmdline></image>",
				     "d", &img, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(img.name, "vmib-test");
	CU_ASSERT_STRING_EQUAL(img.kernel_version, "6.1.0-56-amd64");
	CU_ASSERT_STRING_EQUAL(img.kernel_file, "bzImage");
	CU_ASSERT_STRING_EQUAL(img.initrd_file, "initrd.img");
	CU_ASSERT_EQUAL(images_parse("<imagex/>", "d", &img, err, sizeof(err)), -1);
	/* the image name and its file names are never paths or options */
	CU_ASSERT_EQUAL(images_parse("<image><name>..</name></image>", "d", &img, err,
				     sizeof(err)), -1);
	CU_ASSERT_EQUAL(images_parse("<image><name>-x</name></image>", "d", &img, err,
				     sizeof(err)), -1);
	CU_ASSERT_EQUAL(images_parse("<image><kernel>../../boot/vmlinuz</kernel></image>", "d",
				     &img, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(images_parse("<image><initrd>.hidden</initrd></image>", "d", &img, err,
				     sizeof(err)), -1);
	CU_ASSERT_EQUAL(images_parse("<image>", "d", &img, err, sizeof(err)), -1);
}

static void images_parse_memory_minimum(void)
{
	struct image img;
	char err[128];

	CU_ASSERT_EQUAL(images_parse("<image><memoryMiB>128</memoryMiB></image>", "d", &img, err,
				     sizeof(err)), 0);
	CU_ASSERT_EQUAL(img.min_memory_mib, 128);
	CU_ASSERT_EQUAL(images_parse("<image/>", "d", &img, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(img.min_memory_mib, 0);
	CU_ASSERT_EQUAL(images_parse("<image><memoryMiB>lots</memoryMiB></image>", "d", &img, err,
				     sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "memoryMiB 'lots'"));
	CU_ASSERT_EQUAL(images_parse("<image memoryMiB='0'/>", "d", &img, err, sizeof(err)), -1);
}

static void put(const char *root, const char *dir, const char *xml)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	mkdir(path, 0755);
	if (!xml)
		return;
	snprintf(path, sizeof(path), "%s/%s/image.xml", root, dir);
	f = fopen(path, "w");
	if (f) {
		fputs(xml, f);
		fclose(f);
	}
}

static void images_scan_sorts_by_name_and_skips_bad(void)
{
	char root[] = "/tmp/vmib-images-XXXXXX";
	struct images im;
	char cmd[600];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	put(root, "zeta", "<image><os>linux</os></image>");
	put(root, "alpha", "<image name='alpha'><arch>aarch64</arch></image>");
	put(root, "broken", "<image");
	put(root, "empty", NULL);
	images_init(&im, root);
	CU_ASSERT_EQUAL(images_scan(&im), 2);
	CU_ASSERT_STRING_EQUAL(images_get(&im, 1)->name, "alpha");
	CU_ASSERT_STRING_EQUAL(images_get(&im, 2)->name, "zeta");
	CU_ASSERT_PTR_NULL(images_get(&im, 0));
	CU_ASSERT_PTR_NULL(images_get(&im, 3));
	snprintf(cmd, sizeof(cmd), "%s/zeta/vmlinuz", root);
	CU_ASSERT_STRING_EQUAL(images_by_kernel(&im, cmd)->name, "zeta");
	snprintf(cmd, sizeof(cmd), "%s/zetaX/vmlinuz", root);
	CU_ASSERT_PTR_NULL(images_by_kernel(&im, cmd));
	CU_ASSERT_PTR_NOT_NULL(images_by_name(&im, "alpha"));
	CU_ASSERT_PTR_NULL(images_by_name(&im, "beta"));
	/* a new image shows at the next scan, numbered by name */
	put(root, "beta", "<image/>");
	CU_ASSERT_EQUAL(images_scan(&im), 3);
	CU_ASSERT_STRING_EQUAL(images_get(&im, 2)->name, "beta");
	images_clear(&im);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void images_scan_missing_directory_is_empty(void)
{
	struct images im;

	images_init(&im, "/nonexistent/images/");
	CU_ASSERT_EQUAL(images_scan(&im), 0);
	CU_ASSERT_STRING_EQUAL(im.root, "/nonexistent/images");
	images_clear(&im);
}

static const struct unit_test tests[] = {
	UNIT_TEST(images_parse_elements_and_attributes),
	UNIT_TEST(images_parse_memory_minimum),
	UNIT_TEST(images_scan_sorts_by_name_and_skips_bad),
	UNIT_TEST(images_scan_missing_directory_is_empty),
	{NULL, NULL},
};

UNIT_SUITE(agent_images, NULL, NULL, tests)
