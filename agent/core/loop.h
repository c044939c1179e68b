/*
 * loop.h - vmibd's single event loop (poll(2)).
 *
 * One thread runs the loop and dispatches everything: fd watches and
 * timers of vmibd itself, of libvirt (this loop is libvirt's event
 * implementation, see loop_register_libvirt) and of one outside source
 * (struct loop_source: the SNMP engine, whose fds and timeout are asked
 * for before every poll, snmp/engine.c).
 *
 * The watch and timer functions have exactly libvirt's semantics
 * (virEventRegisterImpl): events are LOOP_EV_* (= VIR_EVENT_HANDLE_*), a
 * timer interval of -1 disables it and 0 fires it on every iteration, a
 * free callback runs after the removal, never inside the remove call.
 * They may be called from any thread (libvirt calls them from the worker
 * thread); the callbacks always run in the loop thread.
 */
#ifndef VMIB_LOOP_H
#define VMIB_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	LOOP_EV_READABLE = 1,
	LOOP_EV_WRITABLE = 2,
	LOOP_EV_ERROR = 4,
	LOOP_EV_HANGUP = 8,
};

typedef void (*loop_fd_cb)(int watch, int fd, int events, void *opaque);
typedef void (*loop_timer_cb)(int timer, void *opaque);
typedef void (*loop_free_cb)(void *opaque);

int loop_init(void);
void loop_fini(void);

int loop_add_handle(int fd, int events, loop_fd_cb cb, void *opaque,
		    loop_free_cb ff);
void loop_update_handle(int watch, int events);
int loop_remove_handle(int watch);

int loop_add_timeout(int interval_ms, loop_timer_cb cb, void *opaque,
		     loop_free_cb ff);
void loop_update_timeout(int timer, int interval_ms);
int loop_remove_timeout(int timer);

/* Make this loop libvirt's event implementation (before any connection). */
void loop_register_libvirt(void);
/* A library that brings its own fds and timeout (Net-SNMP: snmp/engine.c).
 * Before every poll, prepare() adds the fds to read with loop_source_fd()
 * and returns its timeout in ms (-1: none).  After the poll, dispatch()
 * gets the fds that had events (n may be 0) and whether the timeout
 * passed; it is called only when one of the two is the case. */
struct loop_source {
	int (*prepare)(void *opaque);
	void (*dispatch)(void *opaque, const int *fds, size_t n, bool timed_out);
	void *opaque;
};
/* the loop's one source (NULL: none); copied */
void loop_set_source(const struct loop_source *src);
/* from prepare() only: watch fd for reading this iteration */
void loop_source_fd(int fd);

/* After reading the source's input, poll without blocking for up to us
 * microseconds before sleeping (0: never; the default). */
void loop_set_busy_poll(unsigned int us);

/* One iteration: wait at most max_wait_ms (-1: until something happens). */
int loop_iterate(int max_wait_ms);
/* Iterate until loop_quit(). */
int loop_run(void);
void loop_quit(void);
/* Wake the loop from another thread (or a signal-safe context). */
void loop_wakeup(void);

/* Monotonic clock in milliseconds. */
uint64_t loop_now_ms(void);

#endif
