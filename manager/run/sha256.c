/*
 * sha256.c - the SHA-256 digest of a file, for the manifest of `vmibctl
 * run` (sha256.h).  The digest is OpenSSL's (libcrypto, which Net-SNMP
 * already links for SNMPv3): a well-kept implementation rather than one of
 * our own.  The file is read in blocks, never whole.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "mem.h"
#include "sha256.h"

/* fold the file's bytes into ctx; -1 on a read error */
static int sha256_feed(EVP_MD_CTX *ctx, FILE *f)
{
	unsigned char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (EVP_DigestUpdate(ctx, buf, n) != 1)
			return -1;
	return ferror(f) ? -1 : 0;
}

char *sha256_file_hex(const char *path)
{
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *ctx;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char *hex = NULL;
	int ok;

	if (!f)
		return NULL;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     sha256_feed(ctx, f) == 0 && EVP_DigestFinal_ex(ctx, d, &len) == 1;
	EVP_MD_CTX_free(ctx);
	fclose(f);
	if (!ok)
		return NULL;
	hex = mem_alloc(2 * len + 1);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return hex;
}
