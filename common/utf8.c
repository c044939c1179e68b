/*
 * utf8.c - UTF-8 character boundaries (utf8.h), per RFC 3629 section 4:
 * no overlong forms, no surrogates, nothing above U+10FFFF.
 */
#include <string.h>

#include "utf8.h"

static int cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

int utf8_is_char(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	if (n == 1)
		return s[0] < 0x80;
	if (n == 2)
		return s[0] >= 0xc2 && s[0] <= 0xdf && cont(s[1]);
	if (n == 3)
		return s[0] >= 0xe0 && s[0] <= 0xef && cont(s[1]) && cont(s[2]) &&
		       !(s[0] == 0xe0 && s[1] < 0xa0) && !(s[0] == 0xed && s[1] >= 0xa0);
	if (n == 4)
		return s[0] >= 0xf0 && s[0] <= 0xf4 && cont(s[1]) && cont(s[2]) && cont(s[3]) &&
		       !(s[0] == 0xf0 && s[1] < 0x90) && !(s[0] == 0xf4 && s[1] >= 0x90);
	return 0;
}

size_t utf8_char_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t want = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	return want <= n && utf8_is_char(s, want) ? want : 1;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		k = utf8_char_len(s + i, n - i);
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}
