/*
 * diag.c - collecting, ordering and printing problems (see diag.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mem.h"
#include "out.h"
#include "utf8.h"

void diag_release(struct diag *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].element);
		free(d->v[i].message);
	}
	free(d->v);
	free(d->slots);
	for (i = 0; i < d->n_files; i++)
		free(d->files[i]);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

void diag_file(struct diag *d, const char *file)
{
	size_t i;

	for (i = 0; i < d->n_files; i++)
		if (strcmp(d->files[i], file) == 0)
			return;
	*MEM_PUSH(d->files, d->n_files) = mem_strdup(file);
}

static bool same(const struct diag_problem *p, const char *file, unsigned line,
		 const char *element, const char *message)
{
	return p->line == line && strcmp(p->file, file) == 0 &&
	       strcmp(p->element, element) == 0 && strcmp(p->message, message) == 0;
}

/* --- making a message safe to print ----------------------------------------------- */

static void put_escape(FILE *f, unsigned char c)
{
	if (c == '\n')
		fputs("\\n", f);
	else if (c == '\t')
		fputs("\\t", f);
	else if (c == '\r')
		fputs("\\r", f);
	else
		fprintf(f, "\\x%02x", c);
}

char *diag_clean(const char *s, size_t max)
{
	size_t n = strlen(s), i = 0, k, value = 0, size = 0;
	bool quoted = false;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return mem_strdup("(out of memory)");
	while (i < n) {
		/* what comes next (at most 4 bytes: a character, an escape
		 * "\\xff" or "...") must fit in max */
		if ((size_t)ftell(f) + 4 > max) {
			fputs("...", f);
			break;
		}
		if (s[i] == '\'') {
			quoted = !quoted;
			value = 0;
		} else if (quoted && value >= DIAG_VALUE_MAX) {
			/* the rest of a long value, up to its closing quote */
			const char *q = strchr(s + i, '\'');

			fputs("...", f);
			i = q ? (size_t)(q - s) : n;
			continue;
		}
		k = utf8_char_len(s + i, n - i);
		if (quoted && value + k > DIAG_VALUE_MAX)
			value = DIAG_VALUE_MAX;   /* the cut falls here, between characters */
		else if (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
				    (unsigned char)s[i] >= 0x80))
			put_escape(f, (unsigned char)s[i]), i++, value++;
		else
			fwrite(s + i, 1, k, f), i += k, value += k;
	}
	if (fclose(f) != 0) {
		free(buf);
		return mem_strdup("(out of memory)");
	}
	return buf;
}

/* --- the duplicate test, hashed --------------------------------------------------- */

static size_t hash_str(size_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;   /* FNV-1a */
	return h * 1099511628211u;
}

static size_t hash_problem(const char *file, unsigned line, const char *element,
			   const char *message)
{
	size_t h = 14695981039346656037u ^ line;

	return hash_str(hash_str(hash_str(h, file), element), message);
}

static size_t *find_slot(const struct diag *d, const char *file, unsigned line,
			 const char *element, const char *message)
{
	size_t mask = d->n_slots - 1, i = hash_problem(file, line, element, message) & mask;

	while (d->slots[i] && !same(&d->v[d->slots[i] - 1], file, line, element, message))
		i = (i + 1) & mask;
	return &d->slots[i];
}

static void rehash(struct diag *d, size_t n_slots)
{
	const struct diag_problem *p;
	size_t i;

	free(d->slots);
	d->n_slots = n_slots;
	d->slots = mem_array(NULL, n_slots, sizeof(*d->slots));
	memset(d->slots, 0, n_slots * sizeof(*d->slots));
	for (i = 0; i < d->n; i++) {
		p = &d->v[i];
		*find_slot(d, p->file, p->line, p->element, p->message) = i + 1;
	}
}

void diag_add(struct diag *d, const char *file, unsigned line, const char *element,
	      const char *fmt, ...)
{
	struct diag_problem *p;
	char *msg, *clean_msg, *clean_el;
	size_t *slot;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	clean_msg = diag_clean(msg ? msg : "(out of memory formatting this problem)",
			       DIAG_MESSAGE_MAX);
	clean_el = diag_clean(element, DIAG_VALUE_MAX);
	free(msg);
	if (d->n_slots < 2 * (d->n + 1))
		rehash(d, d->n_slots ? 2 * d->n_slots : 64);
	slot = find_slot(d, file, line, clean_el, clean_msg);
	if (*slot) {
		free(clean_msg);
		free(clean_el);
		return;
	}
	p = MEM_PUSH(d->v, d->n);
	p->file = mem_strdup(file);
	p->line = line;
	p->element = clean_el;
	p->message = clean_msg;
	p->seq = d->n;
	*slot = d->n;
}

static size_t rank(const struct diag *d, const char *file)
{
	size_t i;

	for (i = 0; i < d->n_files; i++)
		if (strcmp(d->files[i], file) == 0)
			return i;
	return d->n_files;
}

/* qsort is not stable; seq makes the order total */
static int cmp_problem(const void *a, const void *b, void *ctx)
{
	const struct diag_problem *x = a, *y = b;
	size_t rx = rank(ctx, x->file), ry = rank(ctx, y->file);
	int c;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	c = strcmp(x->file, y->file);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_sort(struct diag *d)
{
	if (d->n < 2)
		return;
	qsort_r(d->v, d->n, sizeof(*d->v), cmp_problem, d);
	if (d->n_slots)
		rehash(d, d->n_slots);   /* the slots held indexes before the sort */
}

void diag_print(const struct diag *d, struct out *o)
{
	const struct diag_problem *p;
	size_t i;

	out_arr_open(o, "problems");
	for (i = 0; i < d->n; i++) {
		p = &d->v[i];
		out_obj_open(o, NULL);
		out_str(o, "file", "%s", p->file);
		if (p->line)
			out_u64(o, "line", ":%llu", p->line);
		out_str(o, "element", ": %s", p->element);
		out_str(o, "message", ": %s\n", p->message);
		out_obj_close(o);
	}
	out_arr_close(o);
}
