/*
 * name.c - the name rule of name.h.  A name is accepted only if every
 * character is in the set and neither a leading '.' or '-' nor ".." makes
 * it a path component or an option.
 */
#include <string.h>

#include "name.h"

const char name_rule_text[] =
	"only letters, digits, '-', '_' and '.', not starting with '.' or '-', "
	"and no '..'";

static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

bool name_safe(const char *s, size_t len)
{
	size_t i;

	if (!s || len == 0 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		if (!name_char((unsigned char)s[i]))
			return false;
		if (s[i] == '.' && i + 1 < len && s[i + 1] == '.')
			return false;
	}
	return true;
}

bool name_safe_str(const char *s)
{
	return s && name_safe(s, strlen(s));
}
