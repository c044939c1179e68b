/*
 * worker.c - the libvirt worker thread and its job queues.
 *
 * Owns the thread, the queue of submitted jobs, the list of finished jobs
 * and an eventfd watched by the loop: when a job finishes the worker
 * signals the eventfd and the loop thread calls its done().  It never calls
 * Net-SNMP, and never calls done() itself (netsnmp.md §4.8: one SNMP
 * thread).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "read_thread.h"

enum { WORK_QUEUED, WORK_RUNNING, WORK_FINISHED, WORK_COLLECTED };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;     /* worker: a job was queued or stop asked */
	pthread_cond_t finished; /* waiters: a job finished */
	pthread_t thread;
	bool threaded, running, stopping;
	struct work *queue_head, *queue_tail;
	struct work *done_head, *done_tail;
	unsigned int pending;
	int event_fd;
	int watch;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .finished = PTHREAD_COND_INITIALIZER,
       .event_fd = -1,
       .watch = -1};

static void worker_append(struct work **head, struct work **tail, struct work *w)
{
	w->next = NULL;
	if (*tail)
		(*tail)->next = w;
	else
		*head = w;
	*tail = w;
}

static struct work *worker_pop(struct work **head, struct work **tail)
{
	struct work *w = *head;

	if (w) {
		*head = w->next;
		if (!*head)
			*tail = NULL;
		w->next = NULL;
	}
	return w;
}

static void *worker_main(void *arg)
{
	uint64_t one = 1;
	struct work *w;

	(void)arg;
	pthread_mutex_lock(&W.lock);
	for (;;) {
		while (!W.queue_head && !W.stopping)
			pthread_cond_wait(&W.wake, &W.lock);
		/* on stop, jobs already queued still run (a close job must) */
		if (!W.queue_head)
			break;
		w = worker_pop(&W.queue_head, &W.queue_tail);
		w->state = WORK_RUNNING;
		pthread_mutex_unlock(&W.lock);
		w->run(w);
		pthread_mutex_lock(&W.lock);
		w->state = WORK_FINISHED;
		worker_append(&W.done_head, &W.done_tail, w);
		pthread_cond_broadcast(&W.finished);
		if (write(W.event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_msg(LOG_ERR, "main", "worker: signal: %s", strerror(errno));
	}
	pthread_mutex_unlock(&W.lock);
	return NULL;
}

/* loop thread: call done() of every finished job, in order */
static void worker_collect(int watch, int fd, int events, void *opaque)
{
	uint64_t junk;
	struct work *w;

	(void)watch;
	(void)events;
	(void)opaque;
	while (read(fd, &junk, sizeof(junk)) > 0)
		;
	for (;;) {
		pthread_mutex_lock(&W.lock);
		w = worker_pop(&W.done_head, &W.done_tail);
		if (w) {
			w->state = WORK_COLLECTED;
			W.pending--;
		}
		pthread_mutex_unlock(&W.lock);
		if (!w)
			break;
		w->done(w);
	}
}

int worker_start(bool threaded)
{
	int rc;

	W.threaded = threaded;
	W.stopping = false;
	W.pending = 0;
	if (!threaded)
		return 0;
	W.event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (W.event_fd < 0) {
		log_msg(LOG_ERR, "main", "worker: eventfd: %s", strerror(errno));
		return -1;
	}
	W.watch = loop_add_handle(W.event_fd, LOOP_EV_READABLE, worker_collect,
				  NULL, NULL);
	rc = pthread_create(&W.thread, NULL, worker_main, NULL);
	if (rc != 0) {
		log_msg(LOG_ERR, "main", "worker: cannot start thread: %s", strerror(rc));
		loop_remove_handle(W.watch);
		close(W.event_fd);
		W.event_fd = -1;
		return -1;
	}
	W.running = true;
	return 0;
}

void worker_stop(void)
{
	struct work *w;

	if (W.running) {
		pthread_mutex_lock(&W.lock);
		W.stopping = true;
		pthread_cond_signal(&W.wake);
		pthread_mutex_unlock(&W.lock);
		pthread_join(W.thread, NULL);
		W.running = false;
	}
	/* finished jobs first, then the ones that never ran */
	if (W.event_fd >= 0)
		worker_collect(W.watch, W.event_fd, 0, NULL);
	while ((w = worker_pop(&W.queue_head, &W.queue_tail))) {
		W.pending--;
		w->cancelled = true;
		w->state = WORK_COLLECTED;
		w->done(w);
	}
	if (W.watch >= 0)
		loop_remove_handle(W.watch);
	if (W.event_fd >= 0)
		close(W.event_fd);
	W.watch = W.event_fd = -1;
}

void worker_submit(struct work *w)
{
	w->cancelled = false;
	if (!W.threaded) {
		w->state = WORK_RUNNING;
		w->run(w);
		w->state = WORK_COLLECTED;
		w->done(w);
		return;
	}
	pthread_mutex_lock(&W.lock);
	if (W.stopping) {
		pthread_mutex_unlock(&W.lock);
		w->cancelled = true;
		w->done(w);
		return;
	}
	w->state = WORK_QUEUED;
	W.pending++;
	worker_append(&W.queue_head, &W.queue_tail, w);
	pthread_cond_signal(&W.wake);
	pthread_mutex_unlock(&W.lock);
}

static void worker_unlink_done(struct work *w)
{
	struct work **p = &W.done_head, *prev = NULL;

	while (*p && *p != w) {
		prev = *p;
		p = &(*p)->next;
	}
	if (!*p)
		return;
	*p = w->next;
	if (W.done_tail == w)
		W.done_tail = prev;
	w->next = NULL;
}

int worker_wait(struct work *w, unsigned int timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	if (!W.threaded)
		return 0; /* inline: done() already ran inside worker_submit() */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&W.lock);
	while (w->state == WORK_QUEUED || w->state == WORK_RUNNING) {
		rc = pthread_cond_timedwait(&W.finished, &W.lock, &deadline);
		if (rc == ETIMEDOUT)
			break;
	}
	if (w->state != WORK_FINISHED) {
		pthread_mutex_unlock(&W.lock);
		return w->state == WORK_COLLECTED ? 0 : -1;
	}
	worker_unlink_done(w);
	w->state = WORK_COLLECTED;
	W.pending--;
	pthread_mutex_unlock(&W.lock);
	w->done(w);
	return 0;
}

unsigned int worker_pending(void)
{
	unsigned int n;

	pthread_mutex_lock(&W.lock);
	n = W.pending;
	pthread_mutex_unlock(&W.lock);
	return n;
}
