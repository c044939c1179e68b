/*
 * isolate_recorder.c - the recording side of the isolation seam
 * (isolate_int.h): every request becomes text instead of a change to the
 * host (unit tests, dry runs, tests/bench/shape-tool), and the listings
 * it answers are the ones a test sets.
 *
 * Owns its text buffer and listings; touches nothing outside them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolate_int.h"

struct isolate_recorder {
	struct isolate_backend base;
	FILE *out;
	char *text;
	size_t size;
	char *listing[2];      /* plain, verbose; NULL: empty table */
	int fail_restore;
};

static int rec_br_netfilter(struct isolate_backend *b, char *why, size_t len)
{
	struct isolate_recorder *r = (struct isolate_recorder *)b;

	(void)why;
	(void)len;
	fprintf(r->out, "br_netfilter: ensure %s = 1\n", ISOLATE_BRNF);
	return 0;
}

static int rec_list(struct isolate_backend *b, int verbose, char **out,
		    char *why, size_t len)
{
	struct isolate_recorder *r = (struct isolate_recorder *)b;

	fprintf(r->out, "list: iptables -t filter -S%s\n", verbose ? " -v" : "");
	*out = strdup(r->listing[verbose] ? r->listing[verbose] : "");
	if (!*out)
		snprintf(why, len, "out of memory");
	return *out ? 0 : -1;
}

static int rec_restore(struct isolate_backend *b, const char *text, char *why,
		       size_t len)
{
	struct isolate_recorder *r = (struct isolate_recorder *)b;

	fprintf(r->out, "restore: iptables-restore --noflush <<EOF\n%sEOF\n", text);
	if (r->fail_restore) {
		snprintf(why, len, "iptables-restore: injected failure");
		return -1;
	}
	return 0;
}

static void rec_free(struct isolate_backend *b)
{
	struct isolate_recorder *r = (struct isolate_recorder *)b;

	fclose(r->out);
	free(r->text);
	free(r->listing[0]);
	free(r->listing[1]);
	free(r);
}

static const struct isolate_backend_ops isolate_rec_ops = {
	rec_br_netfilter, rec_list, rec_restore, rec_free};

struct isolate_backend *isolate_backend_recorder_new(void)
{
	struct isolate_recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->out = open_memstream(&r->text, &r->size);
	if (!r->out) {
		free(r);
		return NULL;
	}
	r->base.ops = &isolate_rec_ops;
	return &r->base;
}

void isolate_recorder_set_listing(struct isolate_backend *b, const char *plain,
				  const char *verbose)
{
	struct isolate_recorder *r = (struct isolate_recorder *)b;

	if (b->ops != &isolate_rec_ops)
		return;
	free(r->listing[0]);
	free(r->listing[1]);
	r->listing[0] = plain ? strdup(plain) : NULL;
	r->listing[1] = verbose ? strdup(verbose) : NULL;
}

void isolate_recorder_fail_restore(struct isolate_backend *b, int fail)
{
	if (b->ops == &isolate_rec_ops)
		((struct isolate_recorder *)b)->fail_restore = fail;
}

const char *isolate_recorder_text(struct isolate_backend *b)
{
	struct isolate_recorder *r = (struct isolate_recorder *)b;

	if (b->ops != &isolate_rec_ops)
		return "";
	fflush(r->out);
	return r->text ? r->text : "";
}
