/*
 * progress.h - the one shape of a progress callback, for the stages that walk many
 * records (normalize, crosscheck; import has its own bytes-and-rows form).
 *
 * For: a stage calls it every few thousand records with how many are done and how many
 * there are (total 0 = unknown); the command decides whether and how to show it
 * (cmd/progress.c: a terminal line with rate and estimate).  Not for: printing in core/.
 */
#ifndef DC_PROGRESS_H
#define DC_PROGRESS_H

typedef void (*dc_progress_fn)(void *ud, long long done, long long total);

/* Records between two calls. */
#define DC_PROGRESS_EVERY 4096

#endif
