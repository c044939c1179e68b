/*
 * utf8.h - cutting and escaping text that came from a file or the network
 * before it is quoted in a message: a cut never splits a character, and
 * control characters or bytes that are not UTF-8 are written as escapes, so
 * a value cannot forge a line of output or make it invalid UTF-8.
 * Pure functions, no state; used by vmibctl's problems (diag.c) and units.
 */
#ifndef VMIB_UTF8_H
#define VMIB_UTF8_H

#include <stddef.h>

/* length in bytes of one character at s (1..4): 1 for a byte that does not
 * start a well-formed UTF-8 sequence of at most n bytes */
size_t utf8_char_len(const char *s, size_t n);
/* the longest prefix of s (NUL-terminated) of at most max bytes that ends
 * on a character boundary */
size_t utf8_prefix(const char *s, size_t max);
/* true when s[0..n) is a well-formed UTF-8 sequence of one character */
int utf8_is_char(const char *s, size_t n);

#endif
