/*
 * out.c - the text/JSON writer behind out.h.  It owns a small stack of open
 * JSON containers to place commas; it never buffers output, so text and
 * JSON appear in the order of the calls.  JSON is written compact, one
 * document per command, ending with a newline.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "mem.h"
#include "out.h"

#define OUT_MAX_DEPTH 32

struct out {
	enum out_mode mode;
	FILE *fp;
	int depth;
	bool first[OUT_MAX_DEPTH];   /* no member written yet at this depth */
	char closer[OUT_MAX_DEPTH];  /* '}' or ']' for the container at depth */
	bool overflow;
};

struct out *out_new(enum out_mode mode, FILE *fp)
{
	struct out *o = mem_alloc(sizeof(*o));

	o->mode = mode;
	o->fp = fp;
	o->first[0] = true;
	return o;
}

bool out_is_json(const struct out *o)
{
	return o->mode == OUT_JSON;
}

/* JSON string escaping per RFC 8259 section 7 */
static void json_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static void json_member(struct out *o, const char *key)
{
	if (!o->first[o->depth])
		fputc(',', o->fp);
	o->first[o->depth] = false;
	if (key) {
		json_string(o->fp, key);
		fputc(':', o->fp);
	}
}

static void json_open(struct out *o, const char *key, char c)
{
	json_member(o, key);
	fputc(c, o->fp);
	if (o->depth + 1 >= OUT_MAX_DEPTH) {
		o->overflow = true;
		return;
	}
	o->depth++;
	o->first[o->depth] = true;
	o->closer[o->depth] = c == '{' ? '}' : ']';
}

static void json_close(struct out *o, char c)
{
	fputc(c, o->fp);
	if (o->depth > 0)
		o->depth--;
	if (o->depth == 0)
		fputc('\n', o->fp);
}

void out_obj_open(struct out *o, const char *key)
{
	if (o->mode == OUT_JSON)
		json_open(o, key, '{');
}

void out_obj_close(struct out *o)
{
	if (o->mode == OUT_JSON)
		json_close(o, '}');
}

void out_arr_open(struct out *o, const char *key)
{
	if (o->mode == OUT_JSON)
		json_open(o, key, '[');
}

void out_arr_close(struct out *o)
{
	if (o->mode == OUT_JSON)
		json_close(o, ']');
}

/*
 * The text formats are chosen by the callers, one conversion each, exactly
 * as iproute2's json_print.c does; -Wformat-nonliteral cannot see through
 * that, so it is silenced for these three functions only.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void out_str(struct out *o, const char *key, const char *fmt, const char *value)
{
	if (!value)
		return;
	if (o->mode == OUT_JSON) {
		json_member(o, key);
		json_string(o->fp, value);
	} else if (fmt) {
		fprintf(o->fp, fmt, value);
	}
}

void out_u64(struct out *o, const char *key, const char *fmt, uint64_t value)
{
	if (o->mode == OUT_JSON) {
		json_member(o, key);
		fprintf(o->fp, "%llu", (unsigned long long)value);
	} else if (fmt) {
		fprintf(o->fp, fmt, (unsigned long long)value);
	}
}

void out_bool(struct out *o, const char *key, const char *fmt, bool value)
{
	if (o->mode == OUT_JSON) {
		json_member(o, key);
		fputs(value ? "true" : "false", o->fp);
	} else if (fmt) {
		fprintf(o->fp, fmt, value ? "yes" : "no");
	}
}
#pragma GCC diagnostic pop

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->mode != OUT_TEXT)
		return;
	va_start(ap, fmt);
	vfprintf(o->fp, fmt, ap);
	va_end(ap);
}

int out_free(struct out *o)
{
	int rc;

	if (!o)
		return 0;
	while (o->mode == OUT_JSON && o->depth > 0)
		json_close(o, o->closer[o->depth]);
	rc = (fflush(o->fp) != 0 || ferror(o->fp) || o->overflow) ? -1 : 0;
	free(o);
	return rc;
}
