/*
 * daemon.c - the vmibd process: detach, pid file, signals, start-up and
 * shut-down order of the modules, and the event loop.
 *
 * Start-up: one malloc arena for every thread; logging; detaching
 * (before any thread); pid file; signals
 * blocked and read through a signalfd in the loop; libxml2; the loop as
 * libvirt's event implementation; the capability probe (spawns tc, so
 * before threads); images; the worker thread; the tracker; the SET side
 * (the control thread and connection, ctl.h; migrations, shutdown
 * deadlines); the isolation
 * chain installed again from the state directory; the shape store, which
 * follows the tracker's VMs (their rows read from each domain's metadata
 * and applied to the vifs); the tracker connects to libvirt; a bounded
 * wait for the first load of the domains and of their shape rows (so
 * that the first walk after start sees them); then the AgentX subagent,
 * and the heap trimmed of what the first load freed.
 * Shut-down runs it backwards.  SIGHUP re-reads the log settings of the
 * configuration file and rescans the images.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>

#include "caps.h"
#include "control_thread.h"
#include "daemon.h"
#include "isolate.h"
#include "log.h"
#include "loop.h"
#include "mib_tables.h"
#include "migrate.h"
#include "notify.h"
#include "shapestore.h"
#include "tc.h"
#include "tracker.h"
#include "virt.h"
#include "vmset.h"
#include "stop_deadline.h"
#include "engine.h"
#include "read_thread.h"

#define DAEMON_SYNC_WAIT_MS 10000
#define DAEMON_IMAGE_RESCAN_MS 30000

static struct {
	struct vmibd_config *cfg;
	const char *config_path;
	struct images images;
	int pid_fd;
	int sig_fd;
	struct tc_backend *tc;
	struct isolate_backend *ipt;
	struct shapestore *shapes;
	struct isolation *isol;
} D = {.pid_fd = -1, .sig_fd = -1};

static int daemon_detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

static int daemon_pid_file(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_msg(LOG_ERR, "main", "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		log_msg(LOG_ERR, "main", "pid file %s is locked: vmibd already runs", path);
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n) {
		log_msg(LOG_ERR, "main", "pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	D.pid_fd = fd;
	return 0;
}

static void daemon_reload(void)
{
	struct vmibd_config fresh;

	if (D.config_path) {
		config_defaults(&fresh);
		if (config_load(&fresh, D.config_path, false) == 0) {
			log_set_level(fresh.log_level);
			log_set_tokens(fresh.log_tokens);
			log_msg(LOG_NOTICE, "main", "%s re-read: log level %s, tokens %s",
				D.config_path, log_level_name(fresh.log_level),
				fresh.log_tokens ? fresh.log_tokens : "all");
		}
		config_free(&fresh);
	}
	log_msg(LOG_INFO, "main", "%zu images in %s", images_scan(&D.images), D.images.root);
}

static void daemon_signal(int watch, int fd, int events, void *opaque)
{
	struct signalfd_siginfo si;

	(void)watch;
	(void)events;
	(void)opaque;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			daemon_reload();
		} else {
			log_msg(LOG_NOTICE, "main", "signal %u: stopping", si.ssi_signo);
			loop_quit();
		}
	}
}

static int daemon_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* blocked before the worker thread exists, so it inherits the mask */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	D.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (D.sig_fd < 0)
		return -1;
	return loop_add_handle(D.sig_fd, LOOP_EV_READABLE, daemon_signal, NULL, NULL) < 0 ? -1 : 0;
}

static void daemon_rescan(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
	images_scan(&D.images);
}

/* the bridges VMs attach to should exist in this namespace */
static void daemon_check_bridges(const struct vmibd_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_bridges; i++)
		if (!if_nametoindex(cfg->bridges[i]))
			log_msg(LOG_WARNING, "main", "bridge %s: %s (not in this network namespace?)",
				cfg->bridges[i], strerror(errno));
}

/* every change of a VM row: notifications, and shaping follows the VM */
static void daemon_vm_listener(void *opaque, const struct vm *vm, int old_state,
			       enum tracker_change what)
{
	(void)opaque;
	notify_listener(NULL, vm, old_state, what);
	if (D.shapes)
		shapestore_vm_event(D.shapes, vm, what);
}

/* a VM started, arriving or arrived by migration (tracker.h moments): its
 * vif devices are (new) there; the store checks them again (idempotent:
 * the listener has usually seen the same snapshot already) */
static void daemon_vm_moment(void *opaque, const struct vm *vm, enum tracker_moment m)
{
	(void)opaque;
	(void)m;
	if (D.shapes)
		shapestore_vm_event(D.shapes, vm, TRACKER_VM_CHANGED);
}

/* shaping and isolation; a host that cannot do them still serves the rest */
static void daemon_shaping(struct agent_ctx *ctx, struct tracker *t)
{
	struct shapestore_ops ops;
	struct tc_error err;

	D.ipt = isolate_backend_iptables_new();
	D.isol = D.ipt ? mib_isol_new(D.cfg->state_dir, D.ipt, ctx->caps, t) : NULL;
	if (D.isol)
		mib_isol_start(D.isol);
	ctx->isol = D.isol;
	D.tc = tc_backend_netlink_new(&err);
	if (!D.tc) {
		tracker_host_error(t, "shaping disabled: %s", err.text);
		return;
	}
	shapestore_ops_tracker(&ops, t);
	D.shapes = shapestore_new(tracker_cache(t), &ops, D.tc, ctx->caps);
	ctx->shapes = D.shapes;
	if (D.shapes && tracker_add_hook(t, daemon_vm_moment, NULL) < 0)
		log_msg(LOG_WARNING, "tc", "no tracker hook left: shaping follows VM events only");
}

static void daemon_wait_shapes(void)
{
	uint64_t start = loop_now_ms();

	while (D.shapes && shapestore_loading(D.shapes) &&
	       loop_now_ms() - start < DAEMON_SYNC_WAIT_MS)
		loop_iterate(100);
	if (D.shapes && shapestore_loading(D.shapes))
		log_msg(LOG_WARNING, "tc", "shape rows of %u VMs not read yet; they appear when read",
			shapestore_loading(D.shapes));
}

static void daemon_wait_sync(struct tracker *t)
{
	uint64_t start = loop_now_ms();

	while (!tracker_synced(t) && loop_now_ms() - start < DAEMON_SYNC_WAIT_MS)
		loop_iterate(100);
	if (!tracker_synced(t))
		log_msg(LOG_WARNING, "virt",
			"no libvirt data after %d s; serving an empty, stale table meanwhile",
			DAEMON_SYNC_WAIT_MS / 1000);
}

static int daemon_setup_process(struct vmibd_config *cfg)
{
	enum log_target target = cfg->log_target;

	/* a detached daemon has no stderr: default to syslog */
	if (!cfg->foreground && target == LOG_TARGET_STDERR)
		target = LOG_TARGET_SYSLOG;
	log_open("vmibd", target);
	log_set_level(cfg->log_level);
	log_set_tokens(cfg->log_tokens);
	if (!cfg->foreground && daemon_detach() < 0) {
		log_msg(LOG_ERR, "main", "cannot detach: %s", strerror(errno));
		return -1;
	}
	if (cfg->pid_file && daemon_pid_file(cfg->pid_file) < 0)
		return -1;
	return 0;
}

static void daemon_teardown(struct tracker *t, bool snmp_up)
{
	notify_enable(false);
	mib_shape_notify_enable(false);
	mib_isol_notify_enable(false);
	if (snmp_up)
		engine_shutdown();
	/* the SET side: queued libvirt jobs and running migrations end first
	 * (their results go to the tracker's cache) */
	ctl_stop();
	vmstop_fini();
	migrate_fini();
	vmset_fini();
	if (t)
		tracker_stop(t);
	worker_stop();
	/* after the worker: its last metadata jobs answer the shape store */
	shapestore_free(D.shapes);
	tc_backend_free(D.tc);
	mib_isol_free(D.isol);  /* the chain stays installed */
	isolate_backend_free(D.ipt);
	tracker_free(t);
	images_clear(&D.images);
	loop_fini();
	if (D.sig_fd >= 0)
		close(D.sig_fd);
	if (D.pid_fd >= 0) {
		unlink(D.cfg->pid_file);
		close(D.pid_fd);
	}
	xmlCleanupParser();
}

/* One malloc arena for every thread: the worker thread would otherwise get
 * its own (64 MiB reserved), keeping the pages of everything it parsed
 * while loading the domains, for little gain (its libvirt calls wait on
 * I/O, not on the allocator). */
static void daemon_malloc_setup(void)
{
	mallopt(M_ARENA_MAX, 1);
}

int daemon_run(struct vmibd_config *cfg, const char *config_path)
{
	struct tracker *t = NULL;
	struct agent_ctx ctx;
	bool snmp_up = false;
	int rc = 1;

	D.cfg = cfg;
	D.config_path = config_path;
	daemon_malloc_setup();
	images_init(&D.images, cfg->image_dir);
	if (daemon_setup_process(cfg) < 0)
		return 1;
	log_msg(LOG_NOTICE, "main", "vmibd %s starting (libvirt %s)", VMIBD_VERSION,
		cfg->libvirt_uri);
	xmlInitParser();
	if (loop_init() < 0 || daemon_signals() < 0)
		goto out;
	loop_register_libvirt();
	log_route_libvirt();
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.images = &D.images;
	ctx.caps = caps_probe();
	daemon_check_bridges(cfg);
	log_msg(LOG_INFO, "main", "%zu images in %s", images_scan(&D.images), D.images.root);
	loop_add_timeout(DAEMON_IMAGE_RESCAN_MS, daemon_rescan, NULL, NULL);
	if (worker_start(true) < 0)
		goto out;
	t = tracker_new(cfg, &virt_libvirt_ops);
	if (!t)
		goto out;
	ctx.tracker = t;
	notify_init(&ctx);
	if (ctl_start(cfg, &virt_libvirt_ops, true) < 0)
		goto out;
	vmset_init(&ctx);
	migrate_init(&ctx);
	vmstop_init(&ctx);
	daemon_shaping(&ctx, t);
	tracker_set_listener(t, daemon_vm_listener, NULL);
	tracker_start(t);
	daemon_wait_sync(t);
	daemon_wait_shapes();
	if (engine_init(cfg, &ctx) < 0)
		goto out;
	snmp_up = true;
	/* the first load parsed every domain's XML: give the pages the
	 * parser freed back to the system */
	malloc_trim(0);
	notify_enable(true);
	mib_shape_notify_enable(true);
	mib_isol_notify_enable(true);
	rc = loop_run() < 0 ? 1 : 0;
out:
	daemon_teardown(t, snmp_up);
	log_msg(LOG_NOTICE, "main", "vmibd stopped");
	log_close();
	return rc;
}
