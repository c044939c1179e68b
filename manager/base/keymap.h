/*
 * keymap.h - a hash table from keys (a byte string: a name, an address) to
 * pointers, so that the checks and the look-ups by name of a scenario with
 * n elements cost O(n), not O(n^2).
 *
 * Insertion keeps the first value stored under a key (the element a later
 * duplicate is reported against).  Ownership: the map copies nothing; a key
 * must stay valid and unchanged while the map is used (the strings and
 * fields of struct real_env / virt_env, which are not moved after parsing).
 * keymap_release() frees the table and accepts a zeroed map, which is also
 * an empty one.
 */
#ifndef VMIB_KEYMAP_H
#define VMIB_KEYMAP_H

#include <stddef.h>

struct keymap_slot {
	const void *key;
	size_t len;
	size_t hash;
	void *val;
};

struct keymap {
	struct keymap_slot *slots;
	size_t n, cap;           /* cap: a power of two, 0 before the first put */
};

/* the value stored under key, NULL if none */
void *keymap_get(const struct keymap *m, const void *key, size_t len);
/* store val under key unless the key is there: returns the value already
 * stored (val is then not stored) or NULL */
void *keymap_put(struct keymap *m, const void *key, size_t len, void *val);
void keymap_release(struct keymap *m);

/* the same with NUL-terminated strings as keys (NULL: no key, nothing done) */
void *keymap_get_str(const struct keymap *m, const char *key);
void *keymap_put_str(struct keymap *m, const char *key, void *val);

#endif
