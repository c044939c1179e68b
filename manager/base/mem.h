/*
 * mem.h - allocation helpers for vmibctl that never return NULL.
 *
 * vmibctl is a short-lived command working on two small files; running out of
 * memory there is not a condition it can recover from in any useful way, so
 * these helpers print one line and exit(3) instead of threading a NULL check
 * through every parser.  The agent must not use them (it has to survive).
 */
#ifndef VMIB_MEM_H
#define VMIB_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);                    /* zeroed */
void *mem_array(void *v, size_t n, size_t size); /* realloc to n elements */
char *mem_strdup(const char *s);                 /* NULL stays NULL */
char *mem_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Append room for one element to a growable array (*v, *n) and return a
 * pointer to the new, zeroed element; *n is incremented.
 */
void *mem_push(void *vp, size_t *n, size_t size);

#define MEM_PUSH(arr, n) ((__typeof__(arr))mem_push(&(arr), &(n), sizeof(*(arr))))

#endif
