/*
 * test_manager_sha256.c - the file digest of the run manifest (sha256.c):
 * FIPS 180-2's example messages, a file longer than one read block, and a
 * file that cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "sha256.h"
#include "unit.h"

/* the digest of LEN bytes (TEXT repeated) written to a temporary file */
static char *digest_of(const char *text, size_t len)
{
	char path[] = "/tmp/vmib-sha256-XXXXXX", *hex;
	size_t i, tl = strlen(text);
	FILE *f;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (i = 0; i < len; i++)
		fputc(text[i % tl], f);
	fclose(f);
	hex = sha256_file_hex(path);
	unlink(path);
	return hex;
}

static void sha256_file_hex_matches_fips_examples(void)
{
	static const struct { const char *text; size_t len; const char *hex; } cases[] = {
		{ "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "x", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		/* a million 'a': more than one 64 KiB read */
		{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *hex = digest_of(cases[i].text, cases[i].len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(hex);
		CU_ASSERT_STRING_EQUAL(hex, cases[i].hex);
		free(hex);
	}
}

static void sha256_file_hex_unreadable_is_null(void)
{
	CU_ASSERT_PTR_NULL(sha256_file_hex("/nonexistent/vmib-sha256"));
}

static const struct unit_test tests[] = {
	UNIT_TEST(sha256_file_hex_matches_fips_examples),
	UNIT_TEST(sha256_file_hex_unreadable_is_null),
	{ NULL, NULL },
};

UNIT_SUITE(manager_sha256, NULL, NULL, tests);
