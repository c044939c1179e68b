/*
 * diag.c - collecting, ordering and printing problems (see diag.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mem.h"
#include "out.h"

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

void diag_add(struct diag *d, const char *file, unsigned line, const char *element,
	      const char *fmt, ...)
{
	struct diag_problem *p;
	va_list ap;
	char *msg;
	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		msg = mem_strdup("(out of memory formatting this problem)");
	for (i = 0; i < d->n; i++) {
		if (same(&d->v[i], file, line, element, msg)) {
			free(msg);
			return;
		}
	}
	p = MEM_PUSH(d->v, d->n);
	p->file = mem_strdup(file);
	p->line = line;
	p->element = mem_strdup(element);
	p->message = msg;
	p->seq = d->n;
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
