/*
 * util/relay.c - the producer/consumer relay (relay.h): whose turn each slot of a ring is,
 * with the worker's jobs on a thread of their own or, when none can be started, inline.
 * Not for: what the slots hold (the user's), fan-outs to several threads.
 */
#include "util/relay.h"

#include <string.h>

static int no_threads; /* dc_relay_force_inline */

void
dc_relay_force_inline(int on)
{
    no_threads = on;
}

void
dc_relay_init(struct dc_relay *r, enum dc_relay_shape shape, unsigned n, dc_relay_job job, void *ud)
{
    memset(r, 0, sizeof *r);
    r->job = job;
    r->ud = ud;
    r->n = n;
    r->shape = shape;
    /* a reader ahead of its user may fill every slot at once; a writer waits for slots */
    r->given = shape == DC_RELAY_FILL ? n : 0;
    if (pthread_mutex_init(&r->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&r->cv, NULL) != 0) {
        pthread_mutex_destroy(&r->mu);
        return;
    }
    r->sync_ok = 1;
}

/* The caller's current turn may go ahead: its slot is free (EMPTY) or filled (FILL). */
static int
ready(const struct dc_relay *r)
{
    return r->shape == DC_RELAY_FILL ? r->done > r->turn : r->done + r->n > r->turn;
}

static int
may_take(const struct dc_relay *r)
{
    /* a writer that has stopped would never empty the slot the caller fills now */
    if (r->shape == DC_RELAY_EMPTY && r->ended)
        return 0;
    return ready(r);
}

/* One job, on whichever thread: the caller's when inline, else the worker's (unlocked). */
static int
run_job(struct dc_relay *r, unsigned long long j)
{
    return r->job(r->ud, (unsigned)(j % r->n));
}

static void *
worker(void *arg)
{
    struct dc_relay *r = arg;

    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (r->done == r->given && !r->closing)
            pthread_cond_wait(&r->cv, &r->mu);
        /* a reader's waiting jobs are only reading ahead; a writer's hold the caller's data */
        if (r->closing && (r->shape == DC_RELAY_FILL || r->done == r->given))
            break;
        unsigned long long j = r->done;
        pthread_mutex_unlock(&r->mu);
        int last = run_job(r, j);
        pthread_mutex_lock(&r->mu);
        r->done++;
        if (last)
            break;
        pthread_cond_broadcast(&r->cv);
    }
    r->ended = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int
dc_relay_start(struct dc_relay *r)
{
    if (r->threaded || r->ended || r->closing || !r->sync_ok || no_threads)
        return r->threaded;
    r->threaded = pthread_create(&r->th, NULL, worker, r) == 0;
    return r->threaded;
}

int
dc_relay_take(struct dc_relay *r)
{
    int ok;

    if (!r->threaded) {
        while (!ready(r) && !r->ended && r->done < r->given)
            if (run_job(r, r->done++))
                r->ended = 1;
        ok = may_take(r);
    } else {
        pthread_mutex_lock(&r->mu);
        while (!ready(r) && !r->ended)
            pthread_cond_wait(&r->cv, &r->mu);
        ok = may_take(r);
        pthread_mutex_unlock(&r->mu);
    }
    return ok ? (int)(r->turn % r->n) : -1;
}

void
dc_relay_give(struct dc_relay *r)
{
    if (!r->threaded) {
        r->turn++;
        r->given++;
        return;
    }
    pthread_mutex_lock(&r->mu);
    r->turn++;
    r->given++;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void
dc_relay_stop(struct dc_relay *r)
{
    if (r->threaded) {
        pthread_mutex_lock(&r->mu);
        r->closing = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->th, NULL);
        r->threaded = 0;
    }
    /* inline, a writer's slots given but not yet emptied are emptied now */
    while (r->shape == DC_RELAY_EMPTY && !r->ended && r->done < r->given)
        if (run_job(r, r->done++))
            r->ended = 1;
    r->closing = 1;
    r->ended = 1;
}

void
dc_relay_free(struct dc_relay *r)
{
    if (!r)
        return;
    dc_relay_stop(r);
    if (r->sync_ok) {
        pthread_cond_destroy(&r->cv);
        pthread_mutex_destroy(&r->mu);
        r->sync_ok = 0;
    }
}
