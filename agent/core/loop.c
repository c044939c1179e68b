/*
 * loop.c - the poll(2) event loop that drives libvirt and Net-SNMP.
 *
 * Owns the tables of fd watches and timers, the wake-up eventfd and the
 * per-iteration sync with the one outside source (struct loop_source: the
 * SNMP engine, snmp/engine.c), whose fds and timeout are asked for before
 * every poll so the fd set follows reconnects.  poll() is rebuilt from
 * scratch every iteration, so an fd the source closes and reuses cannot
 * leave a stale registration behind (the epoll hazard keepalived works
 * around).  It knows neither Net-SNMP nor libvirt beyond
 * loop_register_libvirt().
 *
 * Locking: one mutex guards the tables; it is never held while a callback
 * runs.  Removed entries are only marked during an iteration and freed
 * (free callbacks called) at its end, as libvirt requires.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "grow.h"
#include "log.h"
#include "loop.h"

struct loop_handle {
	int id;
	int fd;
	int events;
	loop_fd_cb cb;
	void *opaque;
	loop_free_cb ff;
	bool deleted;
};

struct loop_timer {
	int id;
	int interval_ms; /* -1 disabled */
	uint64_t expires_ms;
	loop_timer_cb cb;
	void *opaque;
	loop_free_cb ff;
	bool deleted;
};

/* what a pollfd slot stands for */
enum { SLOT_WAKE, SLOT_HANDLE, SLOT_SOURCE };
struct loop_slot {
	int kind;
	int id; /* handle id for SLOT_HANDLE */
};

static struct {
	pthread_mutex_t lock;
	struct loop_handle *handles;
	size_t n_handles, cap_handles;
	struct loop_timer *timers;
	size_t n_timers, cap_timers;
	int next_id;
	int wake_fd;
	pthread_t owner;
	bool quit;
	/* the outside source (loop_set_source); src_n is the pollfd count
	 * while its prepare() runs */
	struct loop_source src;
	bool has_src;
	size_t *src_n;
	int *src_fds;          /* its fds with events, for dispatch() */
	size_t cap_src_fds;
	/* busy polling after the source's input (loop_set_busy_poll) */
	unsigned int busy_poll_us;
	bool src_was_read;
	struct pollfd *pfds;
	struct loop_slot *slots;
	size_t cap_pfds;
} L = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake_fd = -1};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int loop_init(void)
{
	L.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (L.wake_fd < 0) {
		log_msg(LOG_ERR, "main", "event loop: eventfd: %s", strerror(errno));
		return -1;
	}
	L.owner = pthread_self();
	L.next_id = 1;
	L.quit = false;
	return 0;
}

static void loop_free_all(void)
{
	size_t i;

	for (i = 0; i < L.n_handles; i++)
		if (L.handles[i].ff)
			L.handles[i].ff(L.handles[i].opaque);
	for (i = 0; i < L.n_timers; i++)
		if (L.timers[i].ff)
			L.timers[i].ff(L.timers[i].opaque);
	L.n_handles = L.n_timers = 0;
}

void loop_fini(void)
{
	loop_free_all();
	free(L.handles);
	free(L.timers);
	free(L.pfds);
	free(L.slots);
	L.handles = NULL;
	L.timers = NULL;
	L.pfds = NULL;
	L.slots = NULL;
	free(L.src_fds);
	L.src_fds = NULL;
	L.cap_handles = L.cap_timers = L.cap_pfds = L.cap_src_fds = 0;
	L.has_src = false;
	if (L.wake_fd >= 0)
		close(L.wake_fd);
	L.wake_fd = -1;
}

void loop_wakeup(void)
{
	uint64_t one = 1;

	if (L.wake_fd >= 0 && write(L.wake_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_msg(LOG_ERR, "main", "event loop: wake-up: %s", strerror(errno));
}

/* called with the lock held after a change: wake a loop blocked in poll()
 * if the change comes from another thread */
static void loop_changed_locked(void)
{
	if (!pthread_equal(pthread_self(), L.owner))
		loop_wakeup();
}

int loop_add_handle(int fd, int events, loop_fd_cb cb, void *opaque,
		    loop_free_cb ff)
{
	struct loop_handle *h;
	int id;

	pthread_mutex_lock(&L.lock);
	if (grow_array((void **)&L.handles, &L.cap_handles, L.n_handles + 1,
		      sizeof(*L.handles)) < 0) {
		pthread_mutex_unlock(&L.lock);
		return -1;
	}
	id = L.next_id++;
	h = &L.handles[L.n_handles++];
	*h = (struct loop_handle){id, fd, events, cb, opaque, ff, false};
	loop_changed_locked();
	pthread_mutex_unlock(&L.lock);
	return id;
}

static struct loop_handle *loop_find_handle(int id)
{
	size_t i;

	for (i = 0; i < L.n_handles; i++)
		if (L.handles[i].id == id && !L.handles[i].deleted)
			return &L.handles[i];
	return NULL;
}

void loop_update_handle(int watch, int events)
{
	struct loop_handle *h;

	pthread_mutex_lock(&L.lock);
	h = loop_find_handle(watch);
	if (h) {
		h->events = events;
		loop_changed_locked();
	}
	pthread_mutex_unlock(&L.lock);
}

int loop_remove_handle(int watch)
{
	struct loop_handle *h;

	pthread_mutex_lock(&L.lock);
	h = loop_find_handle(watch);
	if (h) {
		h->deleted = true;
		loop_changed_locked();
	}
	pthread_mutex_unlock(&L.lock);
	return h ? 0 : -1;
}

int loop_add_timeout(int interval_ms, loop_timer_cb cb, void *opaque,
		     loop_free_cb ff)
{
	struct loop_timer *t;
	int id;

	pthread_mutex_lock(&L.lock);
	if (grow_array((void **)&L.timers, &L.cap_timers, L.n_timers + 1,
		      sizeof(*L.timers)) < 0) {
		pthread_mutex_unlock(&L.lock);
		return -1;
	}
	id = L.next_id++;
	t = &L.timers[L.n_timers++];
	*t = (struct loop_timer){id, interval_ms,
				 loop_now_ms() + (interval_ms > 0 ? (uint64_t)interval_ms : 0),
				 cb, opaque, ff, false};
	loop_changed_locked();
	pthread_mutex_unlock(&L.lock);
	return id;
}

static struct loop_timer *loop_find_timer(int id)
{
	size_t i;

	for (i = 0; i < L.n_timers; i++)
		if (L.timers[i].id == id && !L.timers[i].deleted)
			return &L.timers[i];
	return NULL;
}

void loop_update_timeout(int timer, int interval_ms)
{
	struct loop_timer *t;

	pthread_mutex_lock(&L.lock);
	t = loop_find_timer(timer);
	if (t) {
		t->interval_ms = interval_ms;
		t->expires_ms = loop_now_ms() + (interval_ms > 0 ? (uint64_t)interval_ms : 0);
		loop_changed_locked();
	}
	pthread_mutex_unlock(&L.lock);
}

int loop_remove_timeout(int timer)
{
	struct loop_timer *t;

	pthread_mutex_lock(&L.lock);
	t = loop_find_timer(timer);
	if (t) {
		t->deleted = true;
		loop_changed_locked();
	}
	pthread_mutex_unlock(&L.lock);
	return t ? 0 : -1;
}

void loop_register_libvirt(void)
{
	virEventRegisterImpl(loop_add_handle, loop_update_handle,
			     loop_remove_handle, loop_add_timeout,
			     loop_update_timeout, loop_remove_timeout);
}

void loop_set_source(const struct loop_source *src)
{
	L.has_src = src != NULL;
	if (src)
		L.src = *src;
}

void loop_set_busy_poll(unsigned int us)
{
	L.busy_poll_us = us;
}

void loop_quit(void)
{
	L.quit = true;
	loop_wakeup();
}

static int loop_add_pfd(size_t *n, int fd, short events, int kind, int id)
{
	size_t cap = L.cap_pfds;
	void *p;

	if (grow_array((void **)&L.pfds, &cap, *n + 1, sizeof(*L.pfds)) < 0)
		return -1;
	if (cap != L.cap_pfds) {
		/* slots grow in step with pfds */
		p = realloc(L.slots, cap * sizeof(*L.slots));
		if (!p)
			return -1;
		L.slots = p;
		L.cap_pfds = cap;
	}
	L.pfds[*n] = (struct pollfd){.fd = fd, .events = events};
	L.slots[*n] = (struct loop_slot){kind, id};
	(*n)++;
	return 0;
}

/* Build the poll set from the handle table; return the timer timeout. */
static int loop_prepare(size_t *n, uint64_t now)
{
	int timeout = -1;
	size_t i;
	short ev;

	*n = 0;
	pthread_mutex_lock(&L.lock);
	if (loop_add_pfd(n, L.wake_fd, POLLIN, SLOT_WAKE, 0) < 0)
		goto fail;
	for (i = 0; i < L.n_handles; i++) {
		struct loop_handle *h = &L.handles[i];

		if (h->deleted || h->fd < 0)
			continue;
		ev = 0;
		if (h->events & LOOP_EV_READABLE)
			ev |= POLLIN;
		if (h->events & LOOP_EV_WRITABLE)
			ev |= POLLOUT;
		/* an fd with no event wanted is still polled for ERR/HUP only
		 * if the owner asked for something: libvirt's 0 means "off" */
		if (!h->events)
			continue;
		if (loop_add_pfd(n, h->fd, ev, SLOT_HANDLE, h->id) < 0)
			goto fail;
	}
	for (i = 0; i < L.n_timers; i++) {
		struct loop_timer *t = &L.timers[i];
		int left;

		if (t->deleted || t->interval_ms < 0)
			continue;
		left = t->expires_ms <= now ? 0 : (int)(t->expires_ms - now);
		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	pthread_mutex_unlock(&L.lock);
	return timeout;
fail:
	pthread_mutex_unlock(&L.lock);
	log_msg(LOG_ERR, "main", "event loop: out of memory");
	return 0;
}

void loop_source_fd(int fd)
{
	if (L.src_n)
		loop_add_pfd(L.src_n, fd, POLLIN, SLOT_SOURCE, 0);
}

/* Add the source's fds; return its timeout in ms or -1 (none). */
static int loop_prepare_source(size_t *n)
{
	int timeout;

	if (!L.has_src)
		return -1;
	L.src_n = n;
	timeout = L.src.prepare(L.src.opaque);
	L.src_n = NULL;
	return timeout;
}

static void loop_dispatch_timers(void)
{
	uint64_t now = loop_now_ms();
	size_t i;

	pthread_mutex_lock(&L.lock);
	for (i = 0; i < L.n_timers; i++) {
		struct loop_timer *t = &L.timers[i];
		loop_timer_cb cb;
		void *opaque;
		int id;

		if (t->deleted || t->interval_ms < 0 || t->expires_ms > now)
			continue;
		t->expires_ms = now + (uint64_t)t->interval_ms;
		cb = t->cb;
		opaque = t->opaque;
		id = t->id;
		pthread_mutex_unlock(&L.lock);
		cb(id, opaque);
		pthread_mutex_lock(&L.lock);
	}
	pthread_mutex_unlock(&L.lock);
}

static int loop_revents(short re)
{
	int ev = 0;

	if (re & POLLIN)
		ev |= LOOP_EV_READABLE;
	if (re & POLLOUT)
		ev |= LOOP_EV_WRITABLE;
	if (re & (POLLERR | POLLNVAL))
		ev |= LOOP_EV_ERROR;
	if (re & POLLHUP)
		ev |= LOOP_EV_HANGUP;
	return ev;
}

static void loop_dispatch_handle(int id, short revents)
{
	struct loop_handle *h;
	loop_fd_cb cb;
	void *opaque;
	int fd;

	pthread_mutex_lock(&L.lock);
	h = loop_find_handle(id);
	if (!h || !h->events) {
		pthread_mutex_unlock(&L.lock);
		return;
	}
	cb = h->cb;
	opaque = h->opaque;
	fd = h->fd;
	pthread_mutex_unlock(&L.lock);
	cb(id, fd, loop_revents(revents), opaque);
}

/* Remove entries marked deleted; call their free callbacks unlocked. */
static void loop_reap(void)
{
	struct {
		loop_free_cb ff;
		void *opaque;
	} *dead = NULL;
	size_t n_dead = 0, cap_dead = 0, i, j;

	pthread_mutex_lock(&L.lock);
	for (i = j = 0; i < L.n_handles; i++) {
		if (L.handles[i].deleted) {
			if (L.handles[i].ff &&
			    grow_array((void **)&dead, &cap_dead, n_dead + 1, sizeof(*dead)) == 0) {
				dead[n_dead].ff = L.handles[i].ff;
				dead[n_dead++].opaque = L.handles[i].opaque;
			}
			continue;
		}
		L.handles[j++] = L.handles[i];
	}
	L.n_handles = j;
	for (i = j = 0; i < L.n_timers; i++) {
		if (L.timers[i].deleted) {
			if (L.timers[i].ff &&
			    grow_array((void **)&dead, &cap_dead, n_dead + 1, sizeof(*dead)) == 0) {
				dead[n_dead].ff = L.timers[i].ff;
				dead[n_dead++].opaque = L.timers[i].opaque;
			}
			continue;
		}
		L.timers[j++] = L.timers[i];
	}
	L.n_timers = j;
	pthread_mutex_unlock(&L.lock);
	for (i = 0; i < n_dead; i++)
		dead[i].ff(dead[i].opaque);
	free(dead);
}

/* the source's fds that had events, and its timeout: to its dispatch() */
static bool loop_dispatch_source(size_t n, bool timed_out)
{
	size_t i, k = 0;

	if (!L.has_src)
		return false;
	if (grow_array((void **)&L.src_fds, &L.cap_src_fds, n, sizeof(*L.src_fds)) < 0) {
		log_msg(LOG_ERR, "main", "event loop: out of memory");
		return false;
	}
	for (i = 0; i < n; i++)
		if (L.slots[i].kind == SLOT_SOURCE && L.pfds[i].revents)
			L.src_fds[k++] = L.pfds[i].fd;
	if (k == 0 && !timed_out)
		return false;
	L.src.dispatch(L.src.opaque, L.src_fds, k, timed_out);
	return k > 0;
}

static int loop_min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static uint64_t loop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * poll(), but right after the source's input first poll without blocking for up to
 * busy_poll_us: the master's next AgentX request of a walk comes within
 * tens of microseconds, and catching it without sleeping saves the wake-up
 * of an idle CPU, which costs some 40 us in a virtual machine (see
 * doc/benchmarks.md).  Outside a burst of requests nothing spins.
 */
static int loop_poll(size_t n, int timeout)
{
	uint64_t until;
	int rc;

	if (L.src_was_read && L.busy_poll_us && timeout != 0) {
		until = loop_now_us() + L.busy_poll_us;
		do {
			rc = poll(L.pfds, n, 0);
			if (rc != 0)
				return rc;
		} while (loop_now_us() < until);
	}
	return poll(L.pfds, n, timeout);
}

int loop_iterate(int max_wait_ms)
{
	uint64_t now = loop_now_ms(), src_deadline = 0;
	int timeout, src_timeout_ms, rc;
	size_t n, i;
	uint64_t junk;

	timeout = loop_prepare(&n, now);
	src_timeout_ms = loop_prepare_source(&n);
	if (src_timeout_ms >= 0)
		src_deadline = now + (uint64_t)src_timeout_ms;
	timeout = loop_min_timeout(timeout, src_timeout_ms);
	timeout = loop_min_timeout(timeout, max_wait_ms);
	rc = loop_poll(n, timeout);
	if (rc < 0 && errno != EINTR) {
		log_msg(LOG_ERR, "main", "event loop: poll: %s", strerror(errno));
		return -1;
	}
	if (rc < 0)
		for (i = 0; i < n; i++)
			L.pfds[i].revents = 0;
	if (L.pfds[0].revents & POLLIN)
		while (read(L.wake_fd, &junk, sizeof(junk)) > 0)
			;
	loop_dispatch_timers();
	for (i = 1; i < n; i++)
		if (L.slots[i].kind == SLOT_HANDLE && L.pfds[i].revents)
			loop_dispatch_handle(L.slots[i].id, L.pfds[i].revents);
	L.src_was_read = loop_dispatch_source(n, src_timeout_ms >= 0 &&
					      loop_now_ms() >= src_deadline);
	loop_reap();
	return 0;
}

int loop_run(void)
{
	L.owner = pthread_self();
	while (!L.quit)
		if (loop_iterate(-1) < 0)
			return -1;
	L.quit = false;
	return 0;
}
