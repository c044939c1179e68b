/*
 * diag.h - the problems found in a pair of scenario files.
 *
 * Every stage (libxml2 parsing, schema validation, the semantic checks,
 * placement) adds what it finds here and carries on, so that one run lists
 * every problem; nothing is printed until the command is done.  A problem is
 * "file:line: element: message" (line 0: the file as a whole).  Identical
 * problems are kept once.  diag_sort() orders them by file (in the order the
 * files were registered with diag_file()) and line, keeping the order of
 * discovery within a line.
 *
 * Ownership: struct diag owns every string in it; diag_release() frees them
 * (and accepts a zeroed struct).
 */
#ifndef VMIB_DIAG_H
#define VMIB_DIAG_H

#include <stddef.h>

struct out;

struct diag_problem {
	char *file;
	unsigned line;
	char *element;
	char *message;
	size_t seq;              /* order of discovery */
};

struct diag {
	struct diag_problem *v;
	size_t n;
	char **files;            /* registered files, sorting rank */
	size_t n_files;
};

void diag_release(struct diag *d);
void diag_file(struct diag *d, const char *file);
void diag_add(struct diag *d, const char *file, unsigned line, const char *element,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_sort(struct diag *d);
/* text: one line per problem; JSON: an array member "problems" */
void diag_print(const struct diag *d, struct out *o);

#endif
