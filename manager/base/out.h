/*
 * out.h - vmibctl's one output writer, with a text and a JSON mode.
 *
 * Every field is printed by one call that serves both modes, in the style of
 * iproute2's print_*(PRINT_ANY, key, fmt, value): in JSON mode the key and
 * value become a member of the current object (or an element of the current
 * array when key is NULL); in text mode fmt is printed with value, and a
 * NULL fmt prints nothing.  out_text() writes text-mode-only decoration.
 * Command handlers never call printf themselves.
 *
 * Ownership: struct out borrows fp (the caller closes it); out_free()
 * releases the writer and reports whether every write succeeded.
 */
#ifndef VMIB_OUT_H
#define VMIB_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum out_mode {
	OUT_TEXT,
	OUT_JSON,
};

struct out;

struct out *out_new(enum out_mode mode, FILE *fp);
/* closes any container left open; returns -1 if a write failed, else 0 */
int out_free(struct out *o);
bool out_is_json(const struct out *o);

void out_obj_open(struct out *o, const char *key);
void out_obj_close(struct out *o);
void out_arr_open(struct out *o, const char *key);
void out_arr_close(struct out *o);

/*
 * A NULL value is "unset": nothing is printed in either mode.  Text formats
 * take the value as %s (out_str, and out_bool's "yes"/"no") or %llu (out_u64).
 */
void out_str(struct out *o, const char *key, const char *fmt, const char *value);
void out_u64(struct out *o, const char *key, const char *fmt, uint64_t value);
void out_bool(struct out *o, const char *key, const char *fmt, bool value);
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
