/*
 * diag.h - the problems found in a pair of scenario files.
 *
 * Every stage (libxml2 parsing, schema validation, the semantic checks,
 * placement) adds what it finds here and carries on, so that one run lists
 * every problem; nothing is printed until the command is done.  A problem is
 * "file:line: element: message" (line 0: the file as a whole).  Identical
 * problems are kept once (a hash: adding n problems costs O(n)).  A message
 * and its element are made safe to print once, here: control characters
 * and bytes that are not UTF-8 become escapes ("\n", "\x1b"), a quoted
 * value ('...') longer than DIAG_VALUE_MAX bytes and a message longer than
 * DIAG_MESSAGE_MAX (escapes included) are cut on a character boundary and
 * end with "..." (at most 3 bytes more), so
 * that no value forges a "file:line:" line or makes the output invalid
 * UTF-8.  diag_sort() orders them by file (in the order the
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

#define DIAG_VALUE_MAX 80
#define DIAG_MESSAGE_MAX 1000

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
	size_t *slots;           /* hash of v for the duplicate test: index + 1, 0 free */
	size_t n_slots;          /* a power of two, at least twice n; 0 none yet */
};

void diag_release(struct diag *d);
void diag_file(struct diag *d, const char *file);
void diag_add(struct diag *d, const char *file, unsigned line, const char *element,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_sort(struct diag *d);
/* the text diag_add() keeps for s: escaped and cut as described above
 * (malloc'd) */
char *diag_clean(const char *s, size_t max);
/* text: one line per problem; JSON: an array member "problems" */
void diag_print(const struct diag *d, struct out *o);

#endif
