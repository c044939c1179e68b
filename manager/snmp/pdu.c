/*
 * pdu.c - building, copying, comparing, printing and parsing the plain
 * SNMP data of pdu.h.  No I/O: text goes to and from malloc'd strings.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "mem.h"
#include "pdu.h"

void pdu_vb_release(struct pdu_vb *vb)
{
	if (!vb)
		return;
	free(vb->s);
	vb->s = NULL;
	vb->s_len = 0;
}

void pdu_vb_copy(struct pdu_vb *dst, const struct pdu_vb *src)
{
	*dst = *src;
	dst->s = NULL;
	if (src->s)
		pdu_vb_set_str(dst, src->s, src->s_len);
}

void pdu_release(struct pdu *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		pdu_vb_release(&p->vb[i]);
	free(p->vb);
	p->vb = NULL;
	p->n = 0;
}

void pdu_resp_release(struct pdu_resp *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		pdu_vb_release(&r->vb[i]);
	free(r->vb);
	free(r->fail);
	memset(r, 0, sizeof(*r));
}

void pdu_vb_set_str(struct pdu_vb *vb, const char *s, size_t len)
{
	free(vb->s);
	vb->s = mem_alloc(len + 1);
	memcpy(vb->s, s, len);
	vb->s[len] = '\0';
	vb->s_len = len;
}

struct pdu_vb *pdu_add(struct pdu *p, enum mibcol_id c, const uint32_t *index)
{
	const struct mibcol *m = &mibcol_cols[c];
	size_t il = mibcol_index_len(m->table);
	struct pdu_vb *vb = MEM_PUSH(p->vb, p->n);
	static const uint32_t zero[1] = { 0 };

	if (m->table == MIBCOL_HOST)
		index = zero;
	memcpy(vb->oid, m->oid, m->oid_len * sizeof(uint32_t));
	memcpy(vb->oid + m->oid_len, index, il * sizeof(uint32_t));
	vb->oid_len = m->oid_len + il;
	vb->type = m->type;
	return vb;
}

/* an OID: 4 header bytes, 4 per sub-identifier, 1.3.6.1.x (x < 256) folded */
static size_t agentx_oid_bytes(const uint32_t *oid, size_t len)
{
	if (len >= 5 && oid[0] == 1 && oid[1] == 3 && oid[2] == 6 && oid[3] == 1 && oid[4] < 256)
		len -= 5;
	return 4 + 4 * len;
}

size_t pdu_vb_agentx_bytes(const struct pdu_vb *vb)
{
	size_t value;

	switch (vb->type) {
	case MIBCOL_STRING:
	case MIBCOL_IPADDRESS:
		value = 4 + (vb->type == MIBCOL_IPADDRESS ? 4 : (vb->s_len + 3) / 4 * 4);
		break;
	case MIBCOL_OID:
		value = 4 + 4 * MIBCOL_MAX_OID;  /* OID values are not kept: the most */
		break;
	case MIBCOL_COUNTER64:
		value = 8;
		break;
	case MIBCOL_NULL:
	case MIBCOL_NOSUCHOBJECT:
	case MIBCOL_NOSUCHINSTANCE:
	case MIBCOL_ENDOFMIBVIEW:
		value = 0;
		break;
	default:
		value = 4;
		break;
	}
	return 4 + agentx_oid_bytes(vb->oid, vb->oid_len) + value;
}

void pdu_add_int(struct pdu *p, enum mibcol_id c, const uint32_t *index, long v)
{
	pdu_add(p, c, index)->i = v;
}

void pdu_add_uns(struct pdu *p, enum mibcol_id c, const uint32_t *index, uint32_t v)
{
	pdu_add(p, c, index)->u = v;
}

void pdu_add_ip(struct pdu *p, enum mibcol_id c, const uint32_t *index, uint32_t addr)
{
	pdu_add(p, c, index)->u = addr;
}

void pdu_add_str(struct pdu *p, enum mibcol_id c, const uint32_t *index, const char *s)
{
	pdu_vb_set_str(pdu_add(p, c, index), s, strlen(s));
}

void pdu_add_oid(struct pdu *p, const uint32_t *oid, size_t len)
{
	struct pdu_vb *vb = MEM_PUSH(p->vb, p->n);

	memcpy(vb->oid, oid, len * sizeof(*oid));
	vb->oid_len = len;
	vb->type = MIBCOL_NULL;
}

int pdu_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t i;

	for (i = 0; i < alen && i < blen; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

bool pdu_oid_under(const uint32_t *oid, size_t len, const uint32_t *root, size_t rlen)
{
	return len > rlen && memcmp(oid, root, rlen * sizeof(*oid)) == 0;
}

/* --- text ----------------------------------------------------------------- */

char *pdu_oid_format(const uint32_t *oid, size_t len)
{
	char *buf = NULL;
	size_t bl = 0, i, at = 0;
	FILE *fp = open_memstream(&buf, &bl);
	enum mibcol_id c = mibcol_find(oid, len, &at);

	if (c != MIBCOL_N)
		fputs(mibcol_cols[c].name, fp);
	for (i = c != MIBCOL_N ? at : 0; i < len; i++)
		fprintf(fp, ".%" PRIu32, oid[i]);
	fclose(fp);
	return buf;
}

static bool printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint((unsigned char)s[i]))
			return false;
	return true;
}

/* STRING "..." (quotes and backslashes escaped), or Hex-STRING when not printable */
static void format_string(FILE *fp, const struct pdu_vb *vb, bool typed)
{
	size_t i;

	if (!printable(vb->s ? vb->s : "", vb->s_len)) {
		fprintf(fp, "%s", typed ? "Hex-STRING" : "");
		for (i = 0; i < vb->s_len; i++)
			fprintf(fp, "%s%02X", i || typed ? " " : "", (unsigned char)vb->s[i]);
		return;
	}
	fprintf(fp, "%s\"", typed ? "STRING " : "");
	for (i = 0; i < vb->s_len; i++) {
		if (vb->s[i] == '"' || vb->s[i] == '\\')
			fputc('\\', fp);
		fputc(vb->s[i], fp);
	}
	fputc('"', fp);
}

static void format_value(FILE *fp, const struct pdu_vb *vb, enum mibcol_id c, bool typed)
{
	char ip[IP4_STRLEN];
	const char *name;

	switch (vb->type) {
	case MIBCOL_INTEGER:
		name = c != MIBCOL_N ? mibcol_enum_name(c, (long)vb->i) : NULL;
		fprintf(fp, "%s", typed ? "INTEGER " : "");
		if (name)
			fprintf(fp, "%s(%" PRId64 ")", name, vb->i);
		else
			fprintf(fp, "%" PRId64, vb->i);
		break;
	case MIBCOL_STRING:
		format_string(fp, vb, typed);
		break;
	case MIBCOL_IPADDRESS:
		fprintf(fp, "%s%s", typed ? "IpAddress " : "", ip4_format((uint32_t)vb->u, ip));
		break;
	case MIBCOL_UNSIGNED:
		fprintf(fp, "%s%" PRIu64, typed ? "Gauge32 " : "", vb->u);
		break;
	case MIBCOL_COUNTER32:
		fprintf(fp, "%s%" PRIu64, typed ? "Counter32 " : "", vb->u);
		break;
	case MIBCOL_COUNTER64:
		fprintf(fp, "%s%" PRIu64, typed ? "Counter64 " : "", vb->u);
		break;
	case MIBCOL_TIMETICKS:
		fprintf(fp, "%s%" PRIu64, typed ? "Timeticks " : "", vb->u);
		break;
	case MIBCOL_NULL:
		fputs("NULL", fp);
		break;
	case MIBCOL_OID:
		fputs("OID", fp);
		break;
	case MIBCOL_NOSUCHOBJECT:
		fputs("noSuchObject", fp);
		break;
	case MIBCOL_NOSUCHINSTANCE:
		fputs("noSuchInstance", fp);
		break;
	case MIBCOL_ENDOFMIBVIEW:
		fputs("endOfMibView", fp);
		break;
	}
}

char *pdu_vb_format(const struct pdu_vb *vb)
{
	char *buf = NULL, *name = pdu_oid_format(vb->oid, vb->oid_len);
	size_t bl = 0, at;
	FILE *fp = open_memstream(&buf, &bl);

	fprintf(fp, "%s = ", name);
	format_value(fp, vb, mibcol_find(vb->oid, vb->oid_len, &at), true);
	fclose(fp);
	free(name);
	return buf;
}

char *pdu_value_format(const struct pdu_vb *vb)
{
	char *buf = NULL;
	size_t bl = 0, at;
	FILE *fp = open_memstream(&buf, &bl);

	format_value(fp, vb, mibcol_find(vb->oid, vb->oid_len, &at), false);
	fclose(fp);
	return buf;
}

/* --- parsing ---------------------------------------------------------------- */

static int parse_oid(const char *s, struct pdu_vb *vb, char *why)
{
	char name[64];
	size_t n = strcspn(s, ".");
	enum mibcol_id c = MIBCOL_N;
	char *end;

	vb->oid_len = 0;
	if (n > 0) {
		if (n >= sizeof(name)) {
			snprintf(why, 128, "name too long");
			return -1;
		}
		memcpy(name, s, n);
		name[n] = '\0';
		c = mibcol_by_name(name);
		if (c == MIBCOL_N) {
			snprintf(why, 128, "unknown object '%s'", name);
			return -1;
		}
		memcpy(vb->oid, mibcol_cols[c].oid, mibcol_cols[c].oid_len * sizeof(uint32_t));
		vb->oid_len = mibcol_cols[c].oid_len;
		s += n;
	}
	while (*s == '.') {
		unsigned long v;

		errno = 0;
		v = strtoul(s + 1, &end, 10);
		if (end == s + 1 || errno || v > UINT32_MAX || vb->oid_len >= MIBCOL_MAX_OID) {
			snprintf(why, 128, "bad OID");
			return -1;
		}
		vb->oid[vb->oid_len++] = (uint32_t)v;
		s = end;
	}
	if (*s || vb->oid_len == 0) {
		snprintf(why, 128, "bad OID");
		return -1;
	}
	return 0;
}

static int parse_string(const char *s, struct pdu_vb *vb, char *why)
{
	char *buf = mem_alloc(strlen(s) + 1);
	size_t n = 0;

	if (*s++ != '"')
		goto bad;
	while (*s && *s != '"') {
		if (*s == '\\' && s[1])
			s++;
		buf[n++] = *s++;
	}
	if (*s != '"' || s[1] != '\0')
		goto bad;
	pdu_vb_set_str(vb, buf, n);
	free(buf);
	return 0;
bad:
	free(buf);
	snprintf(why, 128, "bad string (write \"text\" with \\\" and \\\\ escaped)");
	return -1;
}

static int parse_hex(const char *s, struct pdu_vb *vb, char *why)
{
	char *buf = mem_alloc(strlen(s) / 2 + 1), *end;
	size_t n = 0;

	while (*s) {
		unsigned long v;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		v = strtoul(s, &end, 16);
		if (end != s + 2 || v > 255) {
			free(buf);
			snprintf(why, 128, "bad Hex-STRING (write pairs of hex digits)");
			return -1;
		}
		buf[n++] = (char)v;
		s = end;
	}
	pdu_vb_set_str(vb, buf, n);
	free(buf);
	return 0;
}

static int parse_number(const char *s, struct pdu_vb *vb, enum mibcol_id c, char *why)
{
	const char *paren = strchr(s, '(');
	char *end;
	long v;

	if (vb->type == MIBCOL_INTEGER) {
		if (paren)
			s = paren + 1;
		errno = 0;
		vb->i = strtoll(s, &end, 10);
		if (end != s && !errno && (paren ? strcmp(end, ")") == 0 : *end == '\0'))
			return 0;
		if (!paren && c != MIBCOL_N && mibcol_enum_value(c, s, &v) == 0) {
			vb->i = v;
			return 0;
		}
	} else {
		errno = 0;
		vb->u = strtoull(s, &end, 10);
		if (end != s && !errno && *end == '\0' && *s != '-')
			return 0;
	}
	snprintf(why, 128, "bad number '%s'", s);
	return -1;
}

static const struct {
	const char *name;
	enum mibcol_type type;
} type_names[] = {
	{ "INTEGER", MIBCOL_INTEGER }, { "STRING", MIBCOL_STRING },
	{ "Hex-STRING", MIBCOL_STRING }, { "IpAddress", MIBCOL_IPADDRESS },
	{ "Gauge32", MIBCOL_UNSIGNED }, { "Counter32", MIBCOL_COUNTER32 },
	{ "Counter64", MIBCOL_COUNTER64 }, { "Timeticks", MIBCOL_TIMETICKS },
};

int pdu_vb_parse(const char *line, struct pdu_vb *vb, char *why)
{
	char oid[256], type[32];
	const char *value;
	size_t i, at;
	int off = 0;
	uint32_t a;

	memset(vb, 0, sizeof(*vb));
	if (sscanf(line, "%255s = %31s %n", oid, type, &off) != 2 || off == 0) {
		snprintf(why, 128, "expected 'OBJECT.INDEX = TYPE VALUE'");
		return -1;
	}
	value = line + off;
	if (parse_oid(oid, vb, why) < 0)
		return -1;
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(type, type_names[i].name) == 0)
			break;
	if (i == sizeof(type_names) / sizeof(type_names[0])) {
		snprintf(why, 128, "unknown type '%s'", type);
		return -1;
	}
	vb->type = type_names[i].type;
	if (strcmp(type, "Hex-STRING") == 0)
		return parse_hex(value, vb, why);
	if (vb->type == MIBCOL_STRING)
		return parse_string(value, vb, why);
	if (vb->type == MIBCOL_IPADDRESS) {
		if (ip4_parse_addr(value, &a) < 0) {
			snprintf(why, 128, "bad IpAddress '%s'", value);
			return -1;
		}
		vb->u = a;
		return 0;
	}
	return parse_number(value, vb, mibcol_find(vb->oid, vb->oid_len, &at), why);
}
