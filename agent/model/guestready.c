/*
 * guestready.c - vmibVmGuestState from the console log (guestready.h).
 * Reads at most GUESTREADY_SCAN_BYTES of the log per question; changes
 * nothing.  Loop thread only (a static buffer).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guestready.h"
#include "vmib_oids.h"

int guestready_state(const char *console_dir, const char *name, bool running)
{
	static char buf[GUESTREADY_SCAN_BYTES + 1];
	char path[PATH_MAX];
	ssize_t n, got = 0;
	int fd;

	if (!console_dir || !*console_dir || !running || !name || !*name ||
	    snprintf(path, sizeof(path), "%s/%s.log", console_dir, name) >= (int)sizeof(path))
		return VMIB_ENUM_vmibVmGuestState_unknown;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return VMIB_ENUM_vmibVmGuestState_unknown;
	while (got < GUESTREADY_SCAN_BYTES &&
	       (n = read(fd, buf + got, (size_t)(GUESTREADY_SCAN_BYTES - got))) > 0)
		got += n;
	close(fd);
	/* the log holds NULs and control bytes: search it as bytes */
	return memmem(buf, (size_t)got, GUESTREADY_LINE, strlen(GUESTREADY_LINE))
		       ? VMIB_ENUM_vmibVmGuestState_ready
		       : VMIB_ENUM_vmibVmGuestState_booting;
}
