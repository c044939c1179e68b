/*
 * units.c - the unit tables and the one exact decimal parser behind
 * units_parse() (see units.h for the grammar).  Each kind is a table row
 * list {suffix, factor}, where factor is the value of one unit in
 * thousandths of the vMIB unit, so "bit" (1/1000 kbit) needs no special case.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "units.h"
#include "utf8.h"

struct unit {
	const char *suffix;
	uint64_t milli;          /* one unit = milli/1000 of the vMIB unit */
	bool print;              /* used when printing */
};

struct unit_kind {
	const char *grain;       /* why a value is too fine, in the user's terms */
	const char *example;
	const char *choices;
	uint32_t max;
	const char *max_text;
	bool zero_ok;
	const struct unit *units; /* largest first, terminated by {NULL} */
};

static const struct unit rate_units[] = {
	{ "Gbit", 1000000000ull, true }, { "Mbit", 1000000ull, true },
	{ "kbit", 1000ull, true }, { "bit", 1ull, false }, { NULL, 0, false },
};
static const struct unit time_units[] = {
	{ "s", 1000000000ull, true }, { "ms", 1000000ull, true },
	{ "us", 1000ull, true }, { NULL, 0, false },
};
static const struct unit ratio_units[] = {
	{ "%", 10000000ull, true }, { NULL, 0, false },
};
static const struct unit size_units[] = {
	{ "MiB", 1048576000ull, true }, { "MB", 1000000000ull, false },
	{ "KiB", 1024000ull, true }, { "kB", 1000000ull, false },
	{ "B", 1000ull, true }, { NULL, 0, false },
};
static const struct unit count_units[] = {
	{ "pkts", 1000ull, true }, { "pkt", 1000ull, false }, { NULL, 0, false },
};

/* indexed by enum units_kind */
static const struct unit_kind kinds[] = {
	[UNITS_RATE_KBPS] = { "not a whole number of kbit/s", "1Mbit",
			      "bit, kbit, Mbit or Gbit", UINT32_MAX, "4294967295kbit",
			      false, rate_units },
	/* vmibShapeDelayUs and vmibShapeJitterUs: 0..60000000 */
	[UNITS_TIME_US] = { "not a whole number of microseconds", "10ms", "us, ms or s",
			    60000000, "60s", true, time_units },
	/* a ratio of packets cannot exceed 100% */
	[UNITS_RATIO_PPM] = { "finer than 0.0001% (one packet per million)", "0.5%", "%",
			      1000000, "100%", true, ratio_units },
	[UNITS_SIZE_BYTES] = { "not a whole number of bytes", "32KiB",
			       "B, kB, KiB, MB or MiB", UINT32_MAX, "4294967295B", false,
			       size_units },
	/* vmibShapeLimitPkts: 0..1000000 */
	[UNITS_COUNT_PKTS] = { "not a whole number of packets", "1000pkts", "pkts",
			       1000000, "1000000pkts", false, count_units },
};

/* digits[.digits] -> mantissa and number of fraction digits; advances *s */
static int parse_decimal(const char **s, uint64_t *mant, unsigned *frac)
{
	const char *p = *s;
	unsigned int_digits = 0, frac_digits = 0, total = 0;
	uint64_t m = 0;

	for (; *p >= '0' && *p <= '9'; p++, int_digits++)
		m = m * 10 + (uint64_t)(*p - '0'), total++;
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, frac_digits++)
			m = m * 10 + (uint64_t)(*p - '0'), total++;
		if (frac_digits == 0)
			return -1;
	}
	/* 18 digits cannot overflow uint64; nobody needs more */
	if (int_digits == 0 || total > 18)
		return -1;
	*mant = m;
	*frac = frac_digits;
	*s = p;
	return 0;
}

static const struct unit *find_unit(const struct unit *u, const char *suffix)
{
	for (; u->suffix; u++)
		if (strcmp(u->suffix, suffix) == 0)
			return u;
	return NULL;
}

static const struct unit *find_unit_nocase(const struct unit *u, const char *suffix)
{
	for (; u->suffix; u++)
		if (strcasecmp(u->suffix, suffix) == 0)
			return u;
	return NULL;
}

static void explain_unit(const struct unit_kind *k, enum units_kind kind,
			 const char *suffix, char *why)
{
	const struct unit *u = find_unit_nocase(k->units, suffix);
	size_t n = strlen(suffix);

	if (*suffix == '\0')
		snprintf(why, UNITS_WHY_LEN, "missing unit (write e.g. %s)", k->example);
	else if (u)
		snprintf(why, UNITS_WHY_LEN, "units are case-sensitive: write %s", u->suffix);
	else if (kind == UNITS_RATE_KBPS && n >= 3 && strcasecmp(suffix + n - 3, "bps") == 0)
		snprintf(why, UNITS_WHY_LEN,
			 "'%.*s' is ambiguous (tc reads it as bytes per second): use %s",
			 (int)utf8_prefix(suffix, 16), suffix, k->choices);
	else
		snprintf(why, UNITS_WHY_LEN, "unknown unit '%.*s' (use %s)",
			 (int)utf8_prefix(suffix, 16), suffix, k->choices);
}

static int convert(const struct unit_kind *k, uint64_t mant, unsigned frac,
		   const struct unit *u, uint32_t *out, char *why)
{
	unsigned __int128 num = (unsigned __int128)mant * u->milli, den = 1000;
	unsigned i;

	for (i = 0; i < frac; i++)
		den *= 10;
	if (num % den != 0) {
		snprintf(why, UNITS_WHY_LEN, "%s", k->grain);
		return -1;
	}
	if (num / den > k->max) {
		snprintf(why, UNITS_WHY_LEN, "too large (at most %s)", k->max_text);
		return -1;
	}
	if (num == 0 && !k->zero_ok) {
		snprintf(why, UNITS_WHY_LEN, "must be greater than zero (leave it out for none)");
		return -1;
	}
	*out = (uint32_t)(num / den);
	return 0;
}

int units_parse(enum units_kind kind, const char *s, uint32_t *out, char *why)
{
	const struct unit_kind *k = &kinds[kind];
	const struct unit *u;
	uint64_t mant;
	unsigned frac;
	const char *p = s;

	if (!s || *s == '\0') {
		snprintf(why, UNITS_WHY_LEN, "empty value (write e.g. %s)", k->example);
		return -1;
	}
	if (s[strcspn(s, " \t\r\n")] != '\0') {
		snprintf(why, UNITS_WHY_LEN, "no blanks allowed (write e.g. %s)", k->example);
		return -1;
	}
	if (parse_decimal(&p, &mant, &frac) < 0) {
		snprintf(why, UNITS_WHY_LEN, "not a number followed by a unit (write e.g. %s)",
			 k->example);
		return -1;
	}
	u = find_unit(k->units, p);
	if (!u) {
		explain_unit(k, kind, p, why);
		return -1;
	}
	return convert(k, mant, frac, u, out, why);
}

/* value/factor as a decimal with up to 6 fraction digits, or -1 if inexact */
static int format_exact(uint64_t milli_value, uint64_t factor, const char *suffix,
			char *buf, size_t len)
{
	uint64_t whole = milli_value / factor, rest = milli_value % factor, scale = factor;
	char frac[24];
	int n = 0;

	while (rest && n < 6 && scale % 10 == 0) {
		scale /= 10;
		frac[n++] = (char)('0' + rest / scale);
		rest %= scale;
	}
	if (rest)
		return -1;
	frac[n] = '\0';
	snprintf(buf, len, "%llu%s%s%s", (unsigned long long)whole, n ? "." : "", frac, suffix);
	return 0;
}

char *units_format(enum units_kind kind, uint32_t value, char *buf, size_t len)
{
	const struct unit *u, *last = NULL;
	uint64_t milli = (uint64_t)value * 1000;

	for (u = kinds[kind].units; u->suffix; u++)
		if (u->print)
			last = u;
	/* the smallest printable unit takes what the larger ones cannot */
	for (u = kinds[kind].units; u->suffix; u++) {
		if (!u->print || (milli < u->milli && u != last))
			continue;
		if (format_exact(milli, u->milli, u->suffix, buf, len) == 0)
			return buf;
	}
	/* every kind ends with its own unit, exact by construction */
	snprintf(buf, len, "%u", value);
	return buf;
}
