/*
 * cmd.h - the front end: one command table, one file per subcommand.
 *
 * Adding a subcommand (git's builtin.h recipe):
 *   1. write cmd/<name>.c with `int cmd_<name>(struct dc_ctx *, int, char **)`
 *      that parses its options with getopt_long, calls core/ and prints;
 *   2. declare it below and add one row to the table in cmd/main.c
 *      (name, function, summary, usage);
 *   3. add cmd/<name>.c to meson.build and a golden folder
 *      testdata/golden/<name>/ with a happy case, a --help case and a
 *      bad-input case.
 *
 * A command returns its exit status (enum dc_status in core/error.h).  It
 * prints results to ctx->out (stdout) and one line per error to stderr via
 * dc_cmd_error().  It never calls exit(): main.c flushes and closes stdout
 * afterwards and turns a failed write into 74.
 */
#ifndef DC_CMD_H
#define DC_CMD_H

#include <stdio.h>

#include "../core/error.h"

struct dc_ctx {
    const char *cmd;  /* "import" - for messages */
    FILE *out;        /* where results go (stdout) */
    int verbose;      /* --verbose: messages may carry values */
    int quiet;        /* --quiet: no progress, no summary on stderr */
    int progress;     /* --progress: a progress line also when stderr is no terminal */
    int threads;      /* --threads N: worker threads of a stage, 0 = the machine's */
    char today[11];   /* "YYYY-MM-DD": --now, SOURCE_DATE_EPOCH or the clock */
    char now_iso[24]; /* the same instant as "YYYY-MM-DDTHH:MM:SSZ" (batch times) */
    long long now;    /* the same as seconds since the epoch (UTC) */
};

struct dc_cmd {
    const char *name; /* "import" */
    int (*run)(struct dc_ctx *ctx, int argc, char **argv);
    const char *summary; /* one line for `dancu help` */
    const char *usage;   /* the full --help text (synopsis, options, exit status) */
};

/* s to fp with each control character (below 0x20, and 0x7F) as the text \xNN: file
 * names, --source values and header texts on stderr cannot forge or hide a line. */
void dc_cmd_put_escaped(const char *s, FILE *fp);

/* s, or its copy in buf with control characters as \xNN when it holds any (for a value
 * printed inside a longer line); a copy longer than size is cut. */
const char *dc_cmd_esc(const char *s, char *buf, size_t size);

/* Print "dancu CMD: <formatted err>" to stderr (control characters escaped, as in
 * dc_cmd_errorf and dc_cmd_usage_error); return err->status. */
int dc_cmd_fail(struct dc_ctx *ctx, const struct dc_error *err);

/* Print "dancu CMD: msg" to stderr. */
void dc_cmd_errorf(struct dc_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* For a bad option or argument: print "dancu CMD: msg" and the usage hint
 * "usage: see 'dancu CMD --help'" to stderr; return DC_EX_USAGE (64). */
int dc_cmd_usage_error(struct dc_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* After getopt_long returned '?' or ':' (main sets opterr = 0): one line
 * naming the bad option, the usage hint, and DC_EX_USAGE. */
int dc_cmd_bad_option(struct dc_ctx *ctx, char **argv);

/* "4096", "512K", "800M", "1G" (powers of 1024) into *out; -1 for anything
 * else, zero included. */
int dc_cmd_parse_size(const char *s, unsigned long long *out);

/* Print the command's --help text to ctx->out; return 0. */
int dc_cmd_help(struct dc_ctx *ctx);

/* getopt_long helper: when argv holds "--help" or "-h" before "--",
 * print help and return 1 (the caller returns 0). */
int dc_cmd_wants_help(struct dc_ctx *ctx, int argc, char **argv);

/* A progress line (cmd/progress.c): start it, pass dc_progress_cb and the struct to a
 * stage as its dc_progress_fn, end it before the summary. */
struct dc_progress {
    int on, tty, shown;
    const char *cmd, *what;
    double start, last;
};
void dc_progress_start(struct dc_progress *p, const struct dc_ctx *ctx, const char *what);
void dc_progress_cb(void *ud, long long done, long long total);
void dc_progress_end(struct dc_progress *p);

/* dedup, crosscheck, export: 0 when normalize ran after the last import (or nothing was
 * imported), else print why not and return DC_EX_DATAERR (65); with allow_stale only a
 * warning and 0.  The db handle is core's struct dc_db. */
struct dc_db;
int dc_cmd_require_normalized(struct dc_ctx *ctx, struct dc_db *db, int allow_stale);

/* The command table (sorted by name) and its length. */
extern const struct dc_cmd dc_commands[];
extern const int dc_ncommands;

/* Each cmd/<name>.c defines its --help text as dc_usage_<name>. */
extern const char dc_usage_crosscheck[], dc_usage_dedup[], dc_usage_export[], dc_usage_id[],
    dc_usage_import[], dc_usage_init[], dc_usage_mrz[], dc_usage_normalize[], dc_usage_qr[],
    dc_usage_refdata[], dc_usage_report[], dc_usage_stats[], dc_usage_synth[];

int cmd_crosscheck(struct dc_ctx *ctx, int argc, char **argv);
int cmd_dedup(struct dc_ctx *ctx, int argc, char **argv);
int cmd_export(struct dc_ctx *ctx, int argc, char **argv);
int cmd_id(struct dc_ctx *ctx, int argc, char **argv);
int cmd_import(struct dc_ctx *ctx, int argc, char **argv);
int cmd_init(struct dc_ctx *ctx, int argc, char **argv);
int cmd_mrz(struct dc_ctx *ctx, int argc, char **argv);
int cmd_normalize(struct dc_ctx *ctx, int argc, char **argv);
int cmd_qr(struct dc_ctx *ctx, int argc, char **argv);
int cmd_refdata(struct dc_ctx *ctx, int argc, char **argv);
int cmd_report(struct dc_ctx *ctx, int argc, char **argv);
int cmd_stats(struct dc_ctx *ctx, int argc, char **argv);
int cmd_synth(struct dc_ctx *ctx, int argc, char **argv);

#endif
