/*
 * grow.h - the one growable-array helper of the project: make room for
 * `need` elements of `elem` bytes in *arr, doubling the capacity *cap
 * (16 at first), so that appending n elements costs O(n) copies.
 *
 * Returns 0, or -1 when the size would overflow or realloc fails; then
 * *arr and *cap are unchanged (the agent survives an allocation failure;
 * vmibctl's mem.h exits instead).  Owns nothing: *arr is the caller's.
 */
#ifndef VMIB_GROW_H
#define VMIB_GROW_H

#include <stddef.h>

int grow_array(void **arr, size_t *cap, size_t need, size_t elem);

#endif
