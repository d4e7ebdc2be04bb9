/*
 * progress.c - a progress line on stderr for the stages that take a while: records done
 * of all, the rate and an estimate of the time left.
 *
 * Shown on a terminal (stderr is a tty) unless --quiet; --progress shows it also when
 * stderr is a file (a cron log), one line each 10 s instead of one line redrawn.
 * Nothing the first second: short runs stay quiet.  Not for: import's bytes-and-rows
 * line (cmd/import.c).
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "progress.h"

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
dc_progress_start(struct dc_progress *p, const struct dc_ctx *ctx, const char *what)
{
    memset(p, 0, sizeof p[0]);
    p->tty = isatty(2);
    p->on = !ctx->quiet && (p->tty || ctx->progress);
    p->cmd = ctx->cmd;
    p->what = what;
    p->start = now_s();
    p->last = p->start;
}

void
dc_progress_cb(void *ud, long long done, long long total)
{
    struct dc_progress *p = ud;
    double t = now_s(), el = t - p->start;

    if (!p->on || el < 1.0 || t - p->last < (p->tty ? 0.25 : 10.0))
        return;
    p->last = t;
    double rate = el > 0 ? (double)done / el : 0;
    fprintf(stderr, "%sdancu %s: %lld", p->tty ? "\r" : "", p->cmd, done);
    if (total > 0)
        fprintf(stderr, " of %lld", total);
    fprintf(stderr, " %s, %.0f/s", p->what, rate);
    if (total > 0 && rate > 0 && done < total)
        fprintf(stderr, ", about %.0f s left", (double)(total - done) / rate);
    fputs(p->tty ? "   " : "\n", stderr);
    p->shown = 1;
}

void
dc_progress_end(struct dc_progress *p)
{
    if (p->on && p->tty && p->shown)
        fputs("\r\033[K", stderr);
}
