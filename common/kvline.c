/*
 * kvline.c - parse one line of "key=value key=value ..." fields (kvline.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvline.h"

int kvline_parse(const char *line, kvline_field_fn field, void *obj,
		 const char *what, char *why, size_t why_len)
{
	char *copy = strdup(line), *save = NULL, *tok, *eq;
	int rc = 0;

	if (!copy) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " \t\r\n", &save); tok && rc == 0;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		if (!eq || field(obj, tok, eq + 1) < 0) {
			snprintf(why, why_len, "bad %s field '%s%s%s'", what, tok,
				 eq ? "=" : "", eq ? eq + 1 : "");
			rc = -1;
		}
	}
	free(copy);
	return rc;
}
