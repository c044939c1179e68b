/*
 * isolate_backend.c - the real side of the isolation seam (isolate_int.h):
 * iptables-restore --noflush, iptables -S and the br_netfilter sysctl,
 * and the running of those programs (isolate_exec, which the capability
 * probe uses too).
 *
 * Owns the child processes while they run; writes nothing but what the
 * caller hands it.  The recorder is isolate_recorder.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolate_int.h"
#include "log.h"

extern char **environ;

/* --- running programs ------------------------------------------------------- */

static int spawn_path(pid_t *pid, const char *const argv[],
		      posix_spawn_file_actions_t *fa)
{
	static const char *const dirs[] = {"/usr/sbin/", "/sbin/"};
	char path[256];
	size_t i;
	int rc;

	rc = posix_spawnp(pid, argv[0], fa, NULL, (char *const *)argv, environ);
	for (i = 0; rc == ENOENT && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], argv[0]);
		rc = posix_spawn(pid, path, fa, NULL, (char *const *)argv, environ);
	}
	return rc;
}

/* Read fds[0] (stdout) and fds[1] (stderr) to their ends. */
static void drain(int fds[2], FILE *out, FILE *err)
{
	struct pollfd pf[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
	char buf[4096];
	int open_fds = 2, i;

	while (open_fds > 0 && poll(pf, 2, -1) >= 0) {
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0) {
				fwrite(buf, 1, (size_t)n, i ? err : out);
			} else if (n == 0 || errno != EINTR) {
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
}

static int input_fd(const char *input)
{
	size_t len = strlen(input), off = 0;
	int fd = memfd_create("vmib-input", MFD_CLOEXEC);

	while (fd >= 0 && off < len) {
		ssize_t n = write(fd, input + off, len - off);

		if (n < 0 && errno != EINTR) {
			close(fd);
			return -1;
		}
		off += n > 0 ? (size_t)n : 0;
	}
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void first_line(char *dst, size_t len, const char *text, const char *fallback)
{
	size_t n = strcspn(text, "\n");

	if (n == 0) {
		snprintf(dst, len, "%s", fallback);
		return;
	}
	snprintf(dst, len, "%.*s", (int)n, text);
}

static int run_child(const char *const argv[], int in, int pout[2], int perr[2],
		     pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
	rc = spawn_path(pid, argv, &fa);
	posix_spawn_file_actions_destroy(&fa);
	close(pout[1]);
	close(perr[1]);
	return rc;
}

int isolate_exec(const char *const argv[], const char *input, char **output,
		 char *why, size_t why_len)
{
	int pout[2] = {-1, -1}, perr[2] = {-1, -1}, fds[2], in, rc, status = 0;
	char *otext = NULL, *etext = NULL;
	size_t osize = 0, esize = 0;
	FILE *o, *e;
	pid_t pid;

	in = input ? input_fd(input) : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		snprintf(why, why_len, "%s: %s", argv[0], strerror(errno));
		if (in >= 0)
			close(in);
		if (pout[0] >= 0) {
			close(pout[0]);
			close(pout[1]);
		}
		return -1;
	}
	rc = run_child(argv, in, pout, perr, &pid);
	close(in);
	o = open_memstream(&otext, &osize);
	e = open_memstream(&etext, &esize);
	fds[0] = pout[0];
	fds[1] = perr[0];
	if (rc == 0 && o && e)
		drain(fds, o, e);
	close(pout[0]);
	close(perr[0]);
	if (o)
		fclose(o);
	if (e)
		fclose(e);
	if (rc == 0 && waitpid(pid, &status, 0) < 0)
		rc = errno;
	if (rc != 0 || !otext || !etext) {
		snprintf(why, why_len, "cannot run %s: %s", argv[0], strerror(rc ? rc : ENOMEM));
		status = -1;
	} else if (!WIFEXITED(status)) {
		snprintf(why, why_len, "%s killed by signal %d", argv[0], WTERMSIG(status));
		status = -1;
	} else {
		status = WEXITSTATUS(status);
		if (status != 0)
			first_line(why, why_len, etext, "failed without a message");
	}
	if (output && status >= 0) {
		*output = otext;
		otext = NULL;
	}
	free(otext);
	free(etext);
	return status;
}

/* --- the iptables backend ------------------------------------------------------- */

static int ipt_br_netfilter(struct isolate_backend *b, char *why, size_t len)
{
	static const char *const modprobe[] = {"modprobe", "br_netfilter", NULL};
	char v = '0', mwhy[160] = "";
	int fd;

	(void)b;
	if (access(ISOLATE_BRNF, F_OK) < 0 &&
	    (isolate_exec(modprobe, NULL, NULL, mwhy, sizeof(mwhy)) != 0 ||
	     access(ISOLATE_BRNF, F_OK) < 0)) {
		snprintf(why, len, "br_netfilter is not available (%s missing; modprobe br_netfilter: %s)",
			 ISOLATE_BRNF, mwhy[0] ? mwhy : "no error, but no sysctl either");
		return -1;
	}
	fd = open(ISOLATE_BRNF, O_RDWR | O_CLOEXEC);
	if (fd < 0 || read(fd, &v, 1) != 1) {
		snprintf(why, len, "%s: %s", ISOLATE_BRNF, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (v != '1') {
		if (lseek(fd, 0, SEEK_SET) < 0 || write(fd, "1\n", 2) != 2) {
			snprintf(why, len, "cannot enable %s: %s", ISOLATE_BRNF, strerror(errno));
			close(fd);
			return -1;
		}
		log_msg(LOG_NOTICE, "ipt", "enabled %s for the isolation chain", ISOLATE_BRNF);
	}
	close(fd);
	return 0;
}

/* The whole filter table: asking for one chain cannot tell "no such chain"
 * from other errors across the legacy and nf_tables variants. */
static int ipt_list(struct isolate_backend *b, int verbose, char **out,
		    char *why, size_t len)
{
	const char *argv[] = {"iptables", "-w", "10", "-t", "filter", "-S",
			      verbose ? "-v" : NULL, NULL};

	(void)b;
	return isolate_exec(argv, NULL, out, why, len) == 0 ? 0 : -1;
}

static int ipt_restore(struct isolate_backend *b, const char *text, char *why,
		       size_t len)
{
	static const char *const argv[] = {"iptables-restore", "--noflush", "-w", "10",
					   NULL};
	char *out = NULL;
	int rc;

	(void)b;
	rc = isolate_exec(argv, text, &out, why, len);
	free(out);
	return rc == 0 ? 0 : -1;
}

static void ipt_free(struct isolate_backend *b)
{
	free(b);
}

static const struct isolate_backend_ops isolate_ipt_ops = {
	ipt_br_netfilter, ipt_list, ipt_restore, ipt_free};

struct isolate_backend *isolate_backend_iptables_new(void)
{
	struct isolate_backend *b = calloc(1, sizeof(*b));

	if (b)
		b->ops = &isolate_ipt_ops;
	return b;
}

void isolate_backend_free(struct isolate_backend *b)
{
	if (b)
		b->ops->free(b);
}
