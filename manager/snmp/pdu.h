/*
 * pdu.h - SNMP requests and responses as vmibctl's own plain data, apart
 * from any SNMP library: the seam of snmpc.h carries these, so a test can
 * answer them from memory and compare them as text.
 *
 * Text form (one varbind per line, the vMIB's names from mibcol.h, numeric
 * OIDs for anything else), read back by pdu_vb_parse():
 *
 *   vmibVmName.3 = STRING "east1"
 *   vmibVmMemoryKBytes.3 = Gauge32 131072
 *   vmibVifAddr.3.1 = IpAddress 10.1.0.11
 *   vmibVmRowStatus.3 = INTEGER createAndGo(4)
 *   vmibShapeSentOctets.3.1.1 = Counter64 0
 *   vmibHostCapabilities.0 = Hex-STRING DE
 *
 * Ownership: a struct pdu / struct pdu_resp owns its varbinds and their
 * strings; pdu_release() / pdu_resp_release() free them (and accept a
 * zeroed struct).
 */
#ifndef VMIB_PDU_H
#define VMIB_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mibcol.h"

enum pdu_cmd {
	PDU_GET,
	PDU_GETNEXT,
	PDU_GETBULK,
	PDU_SET,
};

struct pdu_vb {
	uint32_t oid[MIBCOL_MAX_OID];
	size_t oid_len;
	enum mibcol_type type;
	int64_t i;               /* INTEGER */
	uint64_t u;              /* unsigned types; IpAddress in host byte order */
	char *s;                 /* OCTET STRING, NUL-terminated; owned */
	size_t s_len;
};

struct pdu {
	enum pdu_cmd cmd;
	long max_repetitions;    /* GETBULK */
	struct pdu_vb *vb;
	size_t n;
};

struct pdu_resp {
	char *fail;              /* no answer: transport error text (timeout...) */
	long status;             /* error-status (RFC 3416), 0 = noError */
	long index;              /* error-index, 1-based, 0 = none */
	struct pdu_vb *vb;
	size_t n;
};

void pdu_vb_release(struct pdu_vb *vb);
void pdu_vb_copy(struct pdu_vb *dst, const struct pdu_vb *src);
void pdu_release(struct pdu *p);
void pdu_resp_release(struct pdu_resp *r);

/* append a varbind for object c at the given index (index_len numbers) */
struct pdu_vb *pdu_add(struct pdu *p, enum mibcol_id c, const uint32_t *index);
void pdu_add_int(struct pdu *p, enum mibcol_id c, const uint32_t *index, long v);
void pdu_add_uns(struct pdu *p, enum mibcol_id c, const uint32_t *index, uint32_t v);
void pdu_add_ip(struct pdu *p, enum mibcol_id c, const uint32_t *index, uint32_t addr);
void pdu_add_str(struct pdu *p, enum mibcol_id c, const uint32_t *index, const char *s);
/* a bare OID (for GET/GETNEXT/GETBULK) */
void pdu_add_oid(struct pdu *p, const uint32_t *oid, size_t len);
void pdu_vb_set_str(struct pdu_vb *vb, const char *s, size_t len);

/*
 * The bytes a varbind takes in AgentX's encoding (RFC 2741 §5.4: type,
 * the OID with the 1.3.6.1.x prefix folded, the value padded to 4 bytes).
 * snmpd forwards a SET to vmibd in that encoding, and Net-SNMP's AgentX
 * parser drops any PDU over 65536 bytes without an answer (the master then
 * times out and closes the subagent's session), so a manager must keep its
 * SET PDUs under PDU_AGENTX_MAX_BYTES of varbinds.
 */
#define PDU_AGENTX_MAX_BYTES 60000
size_t pdu_vb_agentx_bytes(const struct pdu_vb *vb);

/* compare OIDs lexicographically (RFC 3416 order) */
int pdu_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);
bool pdu_oid_under(const uint32_t *oid, size_t len, const uint32_t *root, size_t rlen);

/* "vmibVmName.3" or ".1.3.6.1.2.1.1.3.0"; malloc'd */
char *pdu_oid_format(const uint32_t *oid, size_t len);
/* "vmibVmName.3 = STRING \"east1\""; malloc'd */
char *pdu_vb_format(const struct pdu_vb *vb);
/* the value alone: "\"east1\"", "createAndGo(4)", "10.1.0.11"; malloc'd */
char *pdu_value_format(const struct pdu_vb *vb);
/*
 * Parse one text line (as pdu_vb_format writes it; INTEGER values may be
 * a bare number).  Returns 0, or -1 with a reason in why (128 bytes).
 */
int pdu_vb_parse(const char *line, struct pdu_vb *vb, char *why);

#endif
