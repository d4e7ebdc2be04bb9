/*
 * util/relay.h - one producer/consumer relay: a ring of n slots passed in turn between the
 * caller and one worker thread, with the worker's job run inline in the caller when no
 * thread can be started.  One home for what import's reader thread, the linkage's person
 * loader and the export file's writer each did their own way (issue 18): one of them
 * failed the run when pthread_create failed, the others fell back to their own inline code.
 *
 * The slots are the user's (an array it owns, indexed 0..n-1); the relay only says whose
 * turn each slot is.  The worker's jobs are numbered 0, 1, 2, ... and job j works on slot
 * j % n; the caller's turns are numbered the same way.  Two shapes:
 *   DC_RELAY_FILL   the worker fills slots for the caller (a reader ahead of its user):
 *                   the caller's turn k waits for job k; giving the slot back hands the
 *                   worker job k + n.  dc_relay_stop cancels what is not begun.
 *   DC_RELAY_EMPTY  the caller fills slots for the worker (a writer behind its user): the
 *                   caller's turn k waits for job k - n to be done; giving the slot hands
 *                   the worker job k.  dc_relay_stop lets the worker finish every slot given.
 * Everything happens in job order either way, so the output is the same threaded or inline.
 * Inline, a job runs when the caller would otherwise wait for it (in dc_relay_take, and in
 * dc_relay_stop for DC_RELAY_EMPTY).
 *
 * What a job reports (errors, counts) stays in the user's data: the caller may read what
 * the slot of its turn holds, and anything else once dc_relay_stop has returned.
 *
 * For: two-stage pipelines with one worker (read ahead, write behind).  Not for: fanning
 * work out to several threads (a fan-out does that), or a queue between many threads.
 */
#ifndef DC_UTIL_RELAY_H
#define DC_UTIL_RELAY_H

#include <pthread.h>

enum dc_relay_shape { DC_RELAY_FILL, DC_RELAY_EMPTY };

/* The worker's job on one slot: 0 to go on, 1 when this was the last job (the worker
 * stops after it; a job that fails records why in ud and returns 1). */
typedef int (*dc_relay_job)(void *ud, unsigned slot);

struct dc_relay {
    dc_relay_job job;
    void *ud;
    unsigned n; /* slots */
    enum dc_relay_shape shape;
    unsigned long long given; /* jobs the worker may do (done..given-1 are waiting) */
    unsigned long long done;  /* jobs done */
    unsigned long long turn;  /* the caller's turns taken */
    int ended;                /* the worker will do no more jobs */
    int closing;              /* dc_relay_stop was called */
    int threaded;             /* the worker thread runs (until joined) */
    int sync_ok;              /* mu and cv were initialised */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a job was given or done, or closing was set */
};

/* Set the relay up inline (no thread yet) with n slots; job(ud, slot) is the worker's job.
 * Without a mutex or condition variable (out of resources) it stays inline. */
void dc_relay_init(struct dc_relay *r, enum dc_relay_shape shape, unsigned n, dc_relay_job job,
                   void *ud);

/* Start the worker thread.  Turns taken before run their jobs inline (import fills its
 * first batch before it knows the columns).  When the thread cannot be started, or the
 * worker has already ended, the jobs stay inline: nothing is lost, only the overlap.
 * Returns 1 when a thread runs, else 0. */
int dc_relay_start(struct dc_relay *r);

/* The caller's next turn: the index of the slot that is now the caller's, waiting for
 * (or, inline, running) the job it depends on.  -1 when the worker has ended without
 * doing that job (DC_RELAY_FILL: after the last; DC_RELAY_EMPTY: the worker stopped, so
 * a slot given now would never be emptied). */
int dc_relay_take(struct dc_relay *r);

/* The slot of the caller's current turn goes to the worker. */
void dc_relay_give(struct dc_relay *r);

/* End the worker (see the shapes above) and join it; then the user's data is final.
 * Idempotent. */
void dc_relay_stop(struct dc_relay *r);

/* Stop, then release the relay's own resources.  Accepts a relay never initialised if it
 * was zeroed. */
void dc_relay_free(struct dc_relay *r);

/* For tests: every dc_relay_start after dc_relay_force_inline(1) behaves as if
 * pthread_create had failed, so the inline fallback can be compared with the threads. */
void dc_relay_force_inline(int on);

#endif
