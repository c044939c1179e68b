/*
 * isolstore.c - the isolation configuration as values and its state file
 * (isolstore.h).
 *
 * Owns the arrays of a struct isol_config and the files
 * <state-dir>/isolation.conf and its .tmp; touches nothing else.  The
 * file is vmibd's own: a line it cannot read makes the whole file
 * refused (vmibd then installs nothing it is not sure of and says so).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"
#include "isolstore.h"
#include "tc.h"

void isolstore_init(struct isol_config *c)
{
	memset(c, 0, sizeof(*c));
	c->default_action = ISOLATE_ACCEPT; /* VMIB-MIB DEFVAL */
}

void isolstore_free(struct isol_config *c)
{
	if (!c)
		return;
	free(c->rules);
	free(c->subnets);
	isolstore_init(c);
}

int isolstore_copy(struct isol_config *dst, const struct isol_config *src)
{
	isolstore_init(dst);
	dst->default_action = src->default_action;
	dst->rules = malloc((src->n_rules ? src->n_rules : 1) * sizeof(*dst->rules));
	dst->subnets = malloc((src->n_subnets ? src->n_subnets : 1) * sizeof(*dst->subnets));
	if (!dst->rules || !dst->subnets) {
		isolstore_free(dst);
		return -1;
	}
	if (src->n_rules)
		memcpy(dst->rules, src->rules, src->n_rules * sizeof(*dst->rules));
	if (src->n_subnets)
		memcpy(dst->subnets, src->subnets, src->n_subnets * sizeof(*dst->subnets));
	dst->n_rules = dst->cap_rules = src->n_rules;
	dst->n_subnets = dst->cap_subnets = src->n_subnets;
	if (!dst->cap_rules)
		dst->cap_rules = 1;
	if (!dst->cap_subnets)
		dst->cap_subnets = 1;
	return 0;
}

/* --- sorted arrays ----------------------------------------------------------- */

/* position of index in a sorted array of elements whose first member
 * (at offset off) is the uint32_t index */
static size_t isol_pos(const void *arr, size_t n, size_t size, size_t off, uint64_t index,
		       bool *found)
{
	size_t lo = 0, hi = n, mid;
	uint32_t k;

	*found = false;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		memcpy(&k, (const char *)arr + mid * size + off, sizeof(k));
		if (k == index) {
			*found = true;
			return mid;
		}
		if (k < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* insert a zeroed element at its place; NULL out of memory */
static void *isol_insert(void **arr, size_t *n, size_t *cap, size_t size, size_t pos)
{
	char *p;

	if (grow_array(arr, cap, *n + 1, size) < 0)
		return NULL;
	p = *arr;
	memmove(p + (pos + 1) * size, p + pos * size, (*n - pos) * size);
	memset(p + pos * size, 0, size);
	(*n)++;
	return p + pos * size;
}

static void isol_remove(void *arr, size_t *n, size_t size, size_t pos)
{
	char *p = arr;

	memmove(p + pos * size, p + (pos + 1) * size, (*n - pos - 1) * size);
	(*n)--;
}

#define RULE_OFF offsetof(struct isol_rule, r.index)
#define SUBNET_OFF offsetof(struct isol_subnet, index)

struct isol_rule *isolstore_rule(const struct isol_config *c, uint32_t index)
{
	bool found;
	size_t i = isol_pos(c->rules, c->n_rules, sizeof(*c->rules), RULE_OFF, index, &found);

	return found ? &c->rules[i] : NULL;
}

struct isol_rule *isolstore_rule_add(struct isol_config *c, uint32_t index)
{
	bool found;
	size_t i = isol_pos(c->rules, c->n_rules, sizeof(*c->rules), RULE_OFF, index, &found);
	struct isol_rule *r;

	if (found)
		return &c->rules[i];
	r = isol_insert((void **)&c->rules, &c->n_rules, &c->cap_rules, sizeof(*r), i);
	if (r) {
		r->r.index = index;
		r->oper = ISOL_PENDING;
	}
	return r;
}

void isolstore_rule_drop(struct isol_config *c, uint32_t index)
{
	bool found;
	size_t i = isol_pos(c->rules, c->n_rules, sizeof(*c->rules), RULE_OFF, index, &found);

	if (found)
		isol_remove(c->rules, &c->n_rules, sizeof(*c->rules), i);
}

struct isol_subnet *isolstore_subnet(const struct isol_config *c, uint32_t index)
{
	bool found;
	size_t i = isol_pos(c->subnets, c->n_subnets, sizeof(*c->subnets), SUBNET_OFF, index,
			    &found);

	return found ? &c->subnets[i] : NULL;
}

struct isol_subnet *isolstore_subnet_add(struct isol_config *c, uint32_t index)
{
	bool found;
	size_t i = isol_pos(c->subnets, c->n_subnets, sizeof(*c->subnets), SUBNET_OFF, index,
			    &found);
	struct isol_subnet *s;

	if (found)
		return &c->subnets[i];
	s = isol_insert((void **)&c->subnets, &c->n_subnets, &c->cap_subnets, sizeof(*s), i);
	if (s)
		s->index = index;
	return s;
}

void isolstore_subnet_drop(struct isol_config *c, uint32_t index)
{
	bool found;
	size_t i = isol_pos(c->subnets, c->n_subnets, sizeof(*c->subnets), SUBNET_OFF, index,
			    &found);

	if (found)
		isol_remove(c->subnets, &c->n_subnets, sizeof(*c->subnets), i);
}

struct isol_rule *isolstore_rule_after(const struct isol_config *c, uint64_t after)
{
	bool found;
	size_t i = isol_pos(c->rules, c->n_rules, sizeof(*c->rules), RULE_OFF, after, &found);

	if (found)
		i++;
	return i < c->n_rules ? &c->rules[i] : NULL;
}

struct isol_subnet *isolstore_subnet_after(const struct isol_config *c, uint64_t after)
{
	bool found;
	size_t i = isol_pos(c->subnets, c->n_subnets, sizeof(*c->subnets), SUBNET_OFF, after,
			    &found);

	if (found)
		i++;
	return i < c->n_subnets ? &c->subnets[i] : NULL;
}

bool isolstore_empty(const struct isol_config *c)
{
	return c->n_rules == 0 && c->n_subnets == 0;
}

int isolstore_policy(const struct isol_config *c, struct isolate_policy *p,
		     struct isolate_rule **rules, struct isolate_prefix **subnets)
{
	size_t i;

	*rules = malloc((c->n_rules ? c->n_rules : 1) * sizeof(**rules));
	*subnets = malloc((c->n_subnets ? c->n_subnets : 1) * sizeof(**subnets));
	if (!*rules || !*subnets) {
		free(*rules);
		free(*subnets);
		*rules = NULL;
		*subnets = NULL;
		return -1;
	}
	for (i = 0; i < c->n_rules; i++)
		(*rules)[i] = c->rules[i].r;
	for (i = 0; i < c->n_subnets; i++)
		(*subnets)[i] = c->subnets[i].p;
	*p = (struct isolate_policy){*rules, c->n_rules, *subnets, c->n_subnets,
				     c->default_action};
	return 0;
}

/* --- the file's text --------------------------------------------------------------- */

static void isol_put_name(FILE *f, const char *name)
{
	const unsigned char *p;

	if (!*name)
		return;
	fputs(" name=", f);
	for (p = (const unsigned char *)name; *p; p++) {
		if (isalnum(*p) || strchr("._-+>:@,", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

static void isol_put_prefix(FILE *f, const char *key, const struct isolate_prefix *p)
{
	char a[INET_ADDRSTRLEN];

	fprintf(f, " %s=%s/%u", key, inet_ntop(AF_INET, &p->addr, a, sizeof(a)), p->len);
}

char *isolstore_format(const struct isol_config *c)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	fputs("# vmibd isolation state (vmibIsolationTable, vmibSubnetTable,\n"
	      "# vmibIsolationDefault), written by vmibd, read at its start.\n", f);
	fprintf(f, "default %s\n", c->default_action == ISOLATE_DROP ? "drop" : "accept");
	for (i = 0; i < c->n_subnets; i++) {
		fprintf(f, "subnet index=%u", c->subnets[i].index);
		isol_put_prefix(f, "addr", &c->subnets[i].p);
		isol_put_name(f, c->subnets[i].name);
		fputc('\n', f);
	}
	for (i = 0; i < c->n_rules; i++) {
		const struct isol_rule *r = &c->rules[i];

		fprintf(f, "rule index=%u", r->r.index);
		isol_put_prefix(f, "src", &r->r.src);
		isol_put_prefix(f, "dst", &r->r.dst);
		fprintf(f, " action=%s", r->r.action == ISOLATE_DROP ? "drop" : "accept");
		isol_put_name(f, r->name);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int isol_get_name(const char *v, char *out, size_t len)
{
	size_t n = 0;
	unsigned int x;

	for (; *v; v++) {
		if (n + 1 >= len)
			return -1;
		if (*v == '%') {
			if (sscanf(v + 1, "%2x", &x) != 1 || !isxdigit((unsigned char)v[1]) ||
			    !isxdigit((unsigned char)v[2]))
				return -1;
			out[n++] = (char)x;
			v += 2;
		} else {
			out[n++] = *v;
		}
	}
	out[n] = '\0';
	return 0;
}

static int isol_get_index(const char *v, uint32_t *out)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < 1 || n > ISOLATE_INDEX_MAX)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* one "key=value" of a subnet or rule line */
static int isol_pair(const char *kind, const char *key, const char *v, uint32_t *index,
		     struct isolate_prefix *a, struct isolate_prefix *b, int *action,
		     char *name)
{
	if (strcmp(key, "index") == 0)
		return isol_get_index(v, index);
	if (strcmp(key, "name") == 0)
		return isol_get_name(v, name, ISOL_NAME_MAX + 1);
	if (strcmp(key, kind[0] == 's' ? "addr" : "src") == 0)
		return tc_prefix_parse(v, &a->addr, &a->len);
	if (kind[0] == 'r' && strcmp(key, "dst") == 0)
		return tc_prefix_parse(v, &b->addr, &b->len);
	if (kind[0] == 'r' && strcmp(key, "action") == 0) {
		*action = strcmp(v, "accept") == 0 ? ISOLATE_ACCEPT
			: strcmp(v, "drop") == 0 ? ISOLATE_DROP : 0;
		return *action ? 0 : -1;
	}
	return -1;
}

static int isol_line(char *line, struct isol_config *c, char *why, size_t len)
{
	char *save = NULL, *kind = strtok_r(line, " \t", &save), *tok, *eq;
	struct isolate_prefix a = {{0}, 0}, b = {{0}, 0};
	char name[ISOL_NAME_MAX + 1] = "";
	uint32_t index = 0;
	int action = 0;

	if (strcmp(kind, "default") == 0) {
		tok = strtok_r(NULL, " \t", &save);
		if (!tok || (strcmp(tok, "accept") && strcmp(tok, "drop")) ||
		    strtok_r(NULL, " \t", &save)) {
			snprintf(why, len, "'default' wants accept or drop");
			return -1;
		}
		c->default_action = tok[0] == 'a' ? ISOLATE_ACCEPT : ISOLATE_DROP;
		return 0;
	}
	if (strcmp(kind, "subnet") && strcmp(kind, "rule")) {
		snprintf(why, len, "unknown line '%s'", kind);
		return -1;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		if (!eq || isol_pair(kind, tok, eq + 1, &index, &a, &b, &action, name) < 0) {
			snprintf(why, len, "bad %s field '%s%s%s'", kind, tok, eq ? "=" : "",
				 eq ? eq + 1 : "");
			return -1;
		}
	}
	if (!index || (kind[0] == 'r' ? !action : !a.len)) {
		snprintf(why, len, "%s without %s", kind,
			 !index ? "index" : kind[0] == 'r' ? "action" : "addr");
		return -1;
	}
	if (kind[0] == 's' ? isolstore_subnet(c, index) != NULL : isolstore_rule(c, index) != NULL) {
		snprintf(why, len, "%s %u given twice", kind, index);
		return -1;
	}
	if (kind[0] == 's') {
		struct isol_subnet *s = isolstore_subnet_add(c, index);

		if (!s)
			goto oom;
		s->p = a;
		memcpy(s->name, name, sizeof(s->name));
	} else {
		struct isol_rule *r = isolstore_rule_add(c, index);

		if (!r)
			goto oom;
		r->r.src = a;
		r->r.dst = b;
		r->r.action = (enum isolate_action)action;
		memcpy(r->name, name, sizeof(r->name));
	}
	return 0;
oom:
	snprintf(why, len, "out of memory");
	return -1;
}

int isolstore_parse(const char *text, struct isol_config *c, char *why, size_t len)
{
	char *copy = strdup(text), *line, *save = NULL, *hash, msg[160];
	unsigned int lineno = 0;
	int rc = 0;

	isolstore_init(c);
	if (!copy) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	/* strtok_r skips empty lines, so count them by hand */
	for (line = copy; line && rc == 0; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			continue;
		if (isol_line(line, c, msg, sizeof(msg)) < 0) {
			snprintf(why, len, "line %u: %s", lineno, msg);
			rc = -1;
		}
	}
	free(copy);
	if (rc < 0)
		isolstore_free(c);
	return rc;
}

/* --- files -------------------------------------------------------------------------- */

static void isol_path(char *out, size_t len, const char *dir, const char *suffix)
{
	snprintf(out, len, "%s/%s%s", dir, ISOL_FILE, suffix);
}

int isolstore_load(const char *dir, struct isol_config *c, char *why, size_t len)
{
	char path[PATH_MAX], *text = NULL, msg[200];
	size_t size = 0;
	FILE *f, *out;
	int ch;

	isolstore_init(c);
	isol_path(path, sizeof(path), dir, "");
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	out = open_memstream(&text, &size);
	while (out && (ch = fgetc(f)) != EOF)
		fputc(ch, out);
	fclose(f);
	if (!out || fclose(out) != 0) {
		free(text);
		snprintf(why, len, "%s: out of memory", path);
		return -1;
	}
	if (isolstore_parse(text, c, msg, sizeof(msg)) < 0) {
		snprintf(why, len, "%s: %s", path, msg);
		free(text);
		return -1;
	}
	free(text);
	return 1;
}

static int isol_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int isolstore_prepare(const char *dir, const struct isol_config *c, char *why, size_t len)
{
	char tmp[PATH_MAX], *text = isolstore_format(c);
	size_t n, done = 0;
	ssize_t w;
	int fd;

	if (!text) {
		snprintf(why, len, "isolation state: out of memory");
		return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, len, "state directory %s: %s", dir, strerror(errno));
		free(text);
		return -1;
	}
	isol_path(tmp, sizeof(tmp), dir, ".tmp");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		free(text);
		return -1;
	}
	n = strlen(text);
	while (done < n && (w = write(fd, text + done, n - done)) > 0)
		done += (size_t)w;
	free(text);
	if (done < n || fsync(fd) < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno ? errno : EIO));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int isolstore_commit(const char *dir, char *why, size_t len)
{
	char tmp[PATH_MAX], path[PATH_MAX];

	isol_path(tmp, sizeof(tmp), dir, ".tmp");
	isol_path(path, sizeof(path), dir, "");
	if (rename(tmp, path) < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* the rename itself durable */
	isol_fsync_dir(dir);
	return 0;
}

void isolstore_discard(const char *dir)
{
	char tmp[PATH_MAX];

	isol_path(tmp, sizeof(tmp), dir, ".tmp");
	unlink(tmp);
}
