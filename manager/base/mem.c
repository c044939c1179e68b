/*
 * mem.c - vmibctl's allocation helpers (see mem.h for why they exit on
 * failure).  Owns nothing; every pointer returned belongs to the caller and
 * is released with free().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static void mem_fail(void)
{
	/* the one place in the manager that writes to stderr directly: the
	 * output writer may itself need memory */
	fputs("vmibctl: out of memory\n", stderr);
	exit(3);
}

void *mem_alloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		mem_fail();
	return p;
}

void *mem_array(void *v, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		mem_fail();
	p = realloc(v, n * size > 0 ? n * size : 1);
	if (!p)
		mem_fail();
	return p;
}

char *mem_strdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		mem_fail();
	return p;
}

char *mem_printf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		mem_fail();
	return p;
}

void *mem_push(void *vp, size_t *n, size_t size)
{
	void **v = vp;
	char *elem;

	/* grow in powers of two so pushes stay amortised O(1) */
	if ((*n & (*n - 1)) == 0)
		*v = mem_array(*v, *n ? *n * 2 : 1, size);
	elem = (char *)*v + *n * size;
	memset(elem, 0, size);
	(*n)++;
	return elem;
}
