/*
 * sha256.h - SHA-256 (FIPS 180-4) of a file, for the experiment manifest
 * (which files a run used).  No state; nothing to free but the result.
 */
#ifndef VMIB_SHA256_H
#define VMIB_SHA256_H

/* the hex digest of the file's contents (malloc'd), or NULL if unreadable */
char *sha256_file_hex(const char *path);

#endif
