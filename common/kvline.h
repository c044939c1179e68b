/*
 * kvline.h - parse one line of "key=value key=value ..." fields.
 *
 * The text form of shape rows (tc_row_parse) and isolation rules
 * (isolate_rule_parse) used by the tests, the benchmark tools and the
 * recorders.  The caller supplies what one field means; this owns the
 * splitting and the error text.  Nothing is logged.
 */
#ifndef VMIB_KVLINE_H
#define VMIB_KVLINE_H

#include <stddef.h>

/* returns 0 when KEY=VAL was understood and stored into obj, -1 otherwise */
typedef int (*kvline_field_fn)(void *obj, const char *key, const char *val);

/*
 * Calls field() for every whitespace-separated KEY=VAL of line.  On the
 * first field that is not KEY=VAL or that field() refuses, writes
 * "bad WHAT field 'TOKEN'" into why and returns -1; "out of memory" the same.
 */
int kvline_parse(const char *line, kvline_field_fn field, void *obj,
		 const char *what, char *why, size_t why_len);

#endif
