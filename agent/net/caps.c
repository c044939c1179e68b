/*
 * caps.c - probes what the kernel can do for shaping and isolation
 * (vmibHostCapabilities, see caps.h).
 *
 * The qdisc and iptables probes run in a thread that first unshares its
 * network namespace: the thread's loopback device is the scratch device,
 * its iptables tables are empty and private, and the namespace disappears
 * with the thread's last socket.  Nothing the host (or vmibd's other
 * threads) can see is created or changed; a kernel module may get
 * auto-loaded by the kernel when a kind is asked for, as with tc.
 * The requests are built and sent with libnl exactly as tc.c sends the
 * real ones, so "can be created" means "vmibd can create it".
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/cls/u32.h>

#include "caps.h"
#include "isolate.h"
#include "log.h"
#include "tc_int.h"
#include "vmib_oids.h"

/* The bit numbers are the MIB's (OIDs and bits are written once). */
_Static_assert(CAPS_TBF == VMIB_BIT_vmibHostCapabilities_tbf, "tbf bit");
_Static_assert(CAPS_HTB == VMIB_BIT_vmibHostCapabilities_htb, "htb bit");
_Static_assert(CAPS_NETEM == VMIB_BIT_vmibHostCapabilities_netem, "netem bit");
_Static_assert(CAPS_U32 == VMIB_BIT_vmibHostCapabilities_u32, "u32 bit");
_Static_assert(CAPS_IPTABLES == VMIB_BIT_vmibHostCapabilities_iptables, "iptables bit");
_Static_assert(CAPS_BR_NETFILTER == VMIB_BIT_vmibHostCapabilities_brNetfilter,
	       "brNetfilter bit");
_Static_assert(CAPS_MIGRATION == VMIB_BIT_vmibHostCapabilities_migration,
	       "migration bit");

#define CAPS_BRNF "/proc/sys/net/bridge/bridge-nf-call-iptables"

struct probe {
	uint32_t caps;
	FILE *why;             /* one line per missing feature */
	int failed;            /* errno of unshare, 0 if the probe ran */
};

static const char *const caps_names[] = {"tbf", "htb", "netem", "u32",
					 "iptables", "brNetfilter", "migration"};

/* Send one request built by libnl (rc: the build's result); 0 or -1 with
 * the kernel's reason. */
static int talk(struct nl_sock *sk, struct nl_msg *msg, int rc, char *why,
		size_t len)
{
	if (rc < 0) {
		snprintf(why, len, "building the request: %s", nl_geterror(rc));
		return -1;
	}
	rc = tc_nl_talk(sk, msg, why, len);
	nlmsg_free(msg);
	return rc < 0 ? -1 : 0;
}

/* The root qdisc 1: of lo, of kind (NULL: any, for a delete). */
static struct rtnl_qdisc *root_qdisc(int ifindex, const char *kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(1, 0));
	if (kind && rtnl_tc_set_kind(TC_CAST(q), kind) < 0) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return q;
}

static int add_root(struct nl_sock *sk, struct rtnl_qdisc *q, char *why, size_t len)
{
	struct nl_msg *msg = NULL;
	int rc = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, &msg);

	return talk(sk, msg, rc, why, len);
}

static void del_root(struct nl_sock *sk, int ifindex)
{
	struct rtnl_qdisc *q = root_qdisc(ifindex, NULL);
	struct nl_msg *msg = NULL;
	char why[160];

	if (q && rtnl_qdisc_build_delete_request(q, &msg) == 0)
		talk(sk, msg, 0, why, sizeof(why));
	rtnl_qdisc_put(q);
}

/* A root qdisc of kind, with the parameters it cannot do without. */
static int probe_qdisc(struct nl_sock *sk, int ifindex, const char *kind,
		       char *why, size_t len)
{
	struct rtnl_qdisc *q = root_qdisc(ifindex, kind);
	int rc;

	if (!q) {
		snprintf(why, len, "libnl does not know qdisc %s", kind);
		return -1;
	}
	if (strcmp(kind, "tbf") == 0) {
		rtnl_qdisc_tbf_set_limit(q, 10000);
		rtnl_qdisc_tbf_set_rate(q, 125000, 10000, 0);
	} else if (strcmp(kind, "netem") == 0) {
		rtnl_netem_set_delay(q, 1000);
	}
	rc = add_root(sk, q, why, len);
	rtnl_qdisc_put(q);
	if (rc == 0)
		del_root(sk, ifindex);
	return rc;
}

static int add_class_and_u32(struct nl_sock *sk, int ifindex,
			     struct rtnl_class *c, struct rtnl_cls *f,
			     char *why, size_t len)
{
	struct nl_msg *msg = NULL;
	int rc;

	rtnl_tc_set_ifindex(TC_CAST(c), ifindex);
	rtnl_tc_set_parent(TC_CAST(c), TC_HANDLE(1, 0));
	rtnl_tc_set_handle(TC_CAST(c), TC_HANDLE(1, 1));
	if (rtnl_tc_set_kind(TC_CAST(c), "htb") < 0 || rtnl_htb_set_rate(c, 125000) < 0)
		return -1;
	rc = rtnl_class_build_add_request(c, NLM_F_CREATE | NLM_F_EXCL, &msg);
	if (talk(sk, msg, rc, why, len) < 0)
		return -1;
	rtnl_tc_set_ifindex(TC_CAST(f), ifindex);
	rtnl_tc_set_parent(TC_CAST(f), TC_HANDLE(1, 0));
	rtnl_cls_set_prio(f, 1);
	rtnl_cls_set_protocol(f, 0x0800);
	if (rtnl_tc_set_kind(TC_CAST(f), "u32") < 0 ||
	    rtnl_u32_add_key(f, 0, 0, 12, 0) < 0 ||
	    rtnl_u32_set_classid(f, TC_HANDLE(1, 1)) < 0) {
		snprintf(why, len, "libnl does not know u32");
		return -1;
	}
	msg = NULL;
	rc = rtnl_cls_build_add_request(f, NLM_F_CREATE | NLM_F_EXCL, &msg);
	return talk(sk, msg, rc, why, len);
}

/* An htb root, one class, and a u32 filter to it. */
static int probe_u32(struct nl_sock *sk, int ifindex, char *why, size_t len)
{
	struct rtnl_qdisc *q = root_qdisc(ifindex, "htb");
	struct rtnl_class *c = rtnl_class_alloc();
	struct rtnl_cls *f = rtnl_cls_alloc();
	int rc = -1;

	snprintf(why, len, "out of memory");
	if (q && c && f && add_root(sk, q, why, len) == 0) {
		rc = add_class_and_u32(sk, ifindex, c, f, why, len);
		del_root(sk, ifindex);
	}
	rtnl_qdisc_put(q);
	rtnl_class_put(c);
	rtnl_cls_put(f);
	return rc;
}

/* iptables-restore with the matches the isolation chain uses. */
static int probe_iptables(char *why, size_t len)
{
	static const char *const argv[] = {"iptables-restore", "--noflush", "-w", "10",
					   NULL};
	static const char input[] =
		"*filter\n:VMIB-PROBE - [0:0]\n"
		"-A VMIB-PROBE -m physdev --physdev-is-bridged -m comment "
		"--comment vmib-probe -j RETURN\nCOMMIT\n";
	char *out = NULL;
	int rc = isolate_exec(argv, input, &out, why, len);

	free(out);
	return rc == 0 ? 0 : -1;
}

static void note(struct probe *p, enum caps_bit bit, int rc, const char *why)
{
	if (rc == 0)
		p->caps |= CAPS_MASK(bit);
	else
		fprintf(p->why, "%s: %s\n", caps_names[bit], why);
}

static void *probe_thread(void *arg)
{
	static const struct { const char *kind; enum caps_bit bit; } kinds[] = {
		{"tbf", CAPS_TBF}, {"htb", CAPS_HTB}, {"netem", CAPS_NETEM}};
	struct probe *p = arg;
	struct nl_sock *sk;
	char why[160];
	size_t i;
	int lo;

	if (unshare(CLONE_NEWNET) < 0) {
		p->failed = errno;
		return NULL;
	}
	lo = (int)if_nametoindex("lo");
	sk = tc_nl_open(why, sizeof(why));
	if (!sk || lo <= 0) {
		fprintf(p->why, "netlink: %s\n", sk ? "no loopback device" : why);
	} else {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			note(p, kinds[i].bit, probe_qdisc(sk, lo, kinds[i].kind, why, sizeof(why)),
			     why);
		note(p, CAPS_U32, probe_u32(sk, lo, why, sizeof(why)), why);
	}
	nl_socket_free(sk);
	note(p, CAPS_IPTABLES, probe_iptables(why, sizeof(why)), why);
	return NULL;
}

/* In the caller's namespace, where the isolation chain will live. */
static int probe_br_netfilter(char *why, size_t len)
{
	static const char *const argv[] = {"modprobe", "-n", "-q", "br_netfilter", NULL};

	if (access(CAPS_BRNF, F_OK) == 0)
		return 0;
	/* -n: only whether it could be loaded; isolate.c loads it when needed */
	if (isolate_exec(argv, NULL, NULL, why, len) == 0)
		return 0;
	snprintf(why, len, "%s missing and no br_netfilter module", CAPS_BRNF);
	return -1;
}

int caps_probe_report(uint32_t *caps, char *why, size_t why_len)
{
	struct probe p = {0, NULL, 0};
	char *text = NULL, line[160];
	size_t size = 0;
	pthread_t t;
	int rc;

	*caps = 0;
	p.why = open_memstream(&text, &size);
	if (!p.why)
		return -1;
	rc = pthread_create(&t, NULL, probe_thread, &p);
	if (rc == 0)
		pthread_join(t, NULL);
	else
		p.failed = rc;
	if (p.failed == 0)
		note(&p, CAPS_BR_NETFILTER, probe_br_netfilter(line, sizeof(line)), line);
	fclose(p.why);
	if (why)
		snprintf(why, why_len, "%s", text ? text : "");
	free(text);
	if (p.failed) {
		log_msg(LOG_ERR, "tc", "capability probe: no private network namespace: %s",
			strerror(p.failed));
		if (why)
			snprintf(why, why_len, "no private network namespace: %s",
				 strerror(p.failed));
		return -1;
	}
	*caps = p.caps;
	return 0;
}

uint32_t caps_probe(void)
{
	char why[1024], names[128], *line, *save = NULL;
	uint32_t caps;

	if (caps_probe_report(&caps, why, sizeof(why)) < 0)
		return 0;
	for (line = strtok_r(why, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_msg(LOG_INFO, "tc", "this kernel cannot do %s", line);
	log_msg(LOG_INFO, "tc", "kernel capabilities: %s",
		caps_to_string(caps, names, sizeof(names)));
	return caps;
}

void caps_to_octets(uint32_t caps, uint8_t out[1])
{
	unsigned int bit;

	out[0] = 0;
	for (bit = 0; bit < 8; bit++)
		if (CAPS_HAS(caps, bit))
			out[0] |= (uint8_t)(0x80u >> bit);
}

int caps_from_string(const char *csv, uint32_t *caps)
{
	const char *p = csv;
	size_t i, n;

	*caps = 0;
	while (p && *p) {
		n = strcspn(p, ", ");
		for (i = 0; i < sizeof(caps_names) / sizeof(caps_names[0]); i++)
			if (strlen(caps_names[i]) == n && strncmp(p, caps_names[i], n) == 0)
				break;
		if (n && i == sizeof(caps_names) / sizeof(caps_names[0]))
			return -1;
		if (n)
			*caps |= CAPS_MASK(i);
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

const char *caps_to_string(uint32_t caps, char *buf, size_t len)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(caps_names) / sizeof(caps_names[0]) && used < len; i++)
		if (CAPS_HAS(caps, i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "," : "", caps_names[i]);
	return buf;
}
