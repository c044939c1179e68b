/*
 * keymap.c - open addressing with linear probing, FNV-1a hashes, grown to
 * keep the table at most half full (keymap.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "mem.h"

static size_t keymap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211u;
	return (size_t)(h ^ (h >> 29));
}

static struct keymap_slot *keymap_find(const struct keymap *m, const void *key, size_t len,
				       size_t hash)
{
	size_t mask = m->cap - 1, i = hash & mask;
	struct keymap_slot *s;

	for (;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (!s->key || (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

static void keymap_grow(struct keymap *m)
{
	struct keymap_slot *old = m->slots, *s;
	size_t old_cap = m->cap, i;

	m->cap = old_cap ? 2 * old_cap : 64;
	m->slots = mem_array(NULL, m->cap, sizeof(*m->slots));
	memset(m->slots, 0, m->cap * sizeof(*m->slots));
	for (i = 0; i < old_cap; i++) {
		if (!old[i].key)
			continue;
		s = keymap_find(m, old[i].key, old[i].len, old[i].hash);
		*s = old[i];
	}
	free(old);
}

void *keymap_get(const struct keymap *m, const void *key, size_t len)
{
	const struct keymap_slot *s;

	if (!m->cap || !key)
		return NULL;
	s = keymap_find(m, key, len, keymap_hash(key, len));
	return s->key ? s->val : NULL;
}

void *keymap_put(struct keymap *m, const void *key, size_t len, void *val)
{
	struct keymap_slot *s;
	size_t hash;

	if (!key)
		return NULL;
	if (2 * (m->n + 1) > m->cap)
		keymap_grow(m);
	hash = keymap_hash(key, len);
	s = keymap_find(m, key, len, hash);
	if (s->key)
		return s->val;
	*s = (struct keymap_slot){ key, len, hash, val };
	m->n++;
	return NULL;
}

void keymap_release(struct keymap *m)
{
	if (!m)
		return;
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void *keymap_get_str(const struct keymap *m, const char *key)
{
	return key ? keymap_get(m, key, strlen(key)) : NULL;
}

void *keymap_put_str(struct keymap *m, const char *key, void *val)
{
	return key ? keymap_put(m, key, strlen(key), val) : NULL;
}
