/*
 * normalize.c - `dancu normalize DB` and the filter `dancu normalize [FILE|-]...`.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../core/address.h"
#include "../core/csvio.h"
#include "../core/export.h"
#include "../core/header.h"
#include "../core/import.h"
#include "../core/normalize.h"
#include "../core/personcsv.h"
#include "../core/refdata.h"
#include "../core/util/atomic.h"

const char dc_usage_normalize[] =
    "usage: dancu normalize DB [--tone-style old|new]\n"
    "       dancu normalize [FILE|-]... [--tone-style old|new] [--refdata DIR]\n"
    "                       [--rejects FILE]\n"
    "\n"
    "Turn imported rows into canonical records.  Names: NFC, spacing, stray\n"
    "punctuation removed, Vietnamese title case, one tone-mark placement\n"
    "(old: \"Hòa\", \"Thủy\", the default; new: \"Hoà\", \"Thuỷ\"); a name typed\n"
    "without diacritics is kept as typed and flagged.  Dates: ISO 8601 with\n"
    "a precision (day, month, year); impossible dates are kept raw and flagged.\n"
    "Sex: M/F.  IDs: the 12-digit ID and the old 9-digit CMND apart, a lost\n"
    "leading zero restored.  Addresses: matched to the DB's catalogue (the\n"
    "shipped one that 'dancu init' loads, or one loaded with 'dancu refdata\n"
    "load'): pre-2025 codes and 2025 codes; without one, only provinces.\n"
    "\n"
    "With DB: rebuilds the person and change tables from all imported rows, in\n"
    "one transaction.  With files (or '-' or nothing: stdin): a filter, CSV in\n"
    "(any header the import understands) and CSV of records out on stdout.\n"
    "\n"
    "Options:\n"
    "  --tone-style S   old (default) or new tone-mark placement\n"
    "  --refdata DIR    filter mode: catalogue CSVs in the layout of refdata/\n"
    "                   (default: the catalogue shipped with dancu)\n"
    "  --rejects FILE   filter mode: rows that cannot be read go to FILE as CSV\n"
    "                   (source, src_file, src_row, src_line, reason, raw bytes),\n"
    "                   written like an export (0600, renamed when whole); without\n"
    "                   it each is a 'FILE:LINE: reason' line on stderr\n"
    "\n"
    "Exit status: 0 done; 1 rows were rejected (filter mode); 64 usage;\n"
    "65 unreadable input; 66 missing input; 74 I/O error; 75 another run is\n"
    "writing DB.\n";

static int
run_db(struct dc_ctx *ctx, const char *path, struct dc_normalize_opts *o)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    struct dc_catalog *cat = NULL;
    struct dc_ethnic_table *eth = NULL;
    struct dc_normalize_summary s;
    int builtin = 0;
    if (dc_db_open(path, DC_DB_WRITE, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_refdata_catalog(db, &cat, &builtin, &err) < 0 ||
        dc_ethnic_table_load(db, &eth, &err) < 0)
        goto fail;
    o->cat = cat;
    o->ethnic = eth;
    struct dc_progress pr;
    dc_progress_start(&pr, ctx, "records");
    o->progress = dc_progress_cb;
    o->progress_ud = &pr;
    int nrc = dc_normalize_db(db, o, ctx->now_iso, &s, &err);
    dc_progress_end(&pr);
    o->progress = NULL;
    if (nrc < 0)
        goto fail;
    if (!ctx->quiet) {
        fprintf(stderr, "dancu normalize: %ld records, %ld changes recorded, %ld invalid dates\n",
                s.records, s.changes, s.dates_invalid);
        if (s.addr_total)
            fprintf(stderr, "dancu normalize: addresses: %ld of %ld matched to a ward (%.1f%%)%s\n",
                    s.addr_matched, s.addr_total, 100.0 * s.addr_matched / s.addr_total,
                    builtin ? "; no catalogue loaded: provinces only (dancu refdata load)" : "");
    }
    dc_catalog_free(cat);
    dc_ethnic_table_free(eth);
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    return 0;
fail:
    dc_catalog_free(cat);
    dc_ethnic_table_free(eth);
    dc_db_close(db, NULL);
    return dc_cmd_fail(ctx, &err);
}

/* Where the filter's rejects go: --rejects FILE (CSV with the raw bytes) or, without it,
 * one FILE:LINE: reason line each on stderr (no raw bytes there: personal data). */
struct rejects {
    struct dc_ctx *ctx;
    struct dc_csv_writer *w; /* NULL = stderr */
    long n;
    long header_repeats; /* rows equal to their file's header: skipped */
};

static int
reject_row(void *ud, const char *path, const char *source, const struct dc_csv_row *row,
           struct dc_error *err)
{
    struct rejects *rj = ud;
    char srow[24], sline[24];
    const char *f[6];
    size_t len[6];

    rj->n++;
    if (!rj->w) {
        struct dc_error e = DC_ERROR_INIT;
        dc_error_at(&e, DC_FINDINGS, path, row->line, NULL, "%s", row->reject);
        dc_cmd_fail(rj->ctx, &e);
        return 0;
    }
    snprintf(srow, sizeof srow, "%ld", row->rownum);
    snprintf(sline, sizeof sline, "%ld", row->line);
    f[0] = source, f[1] = path, f[2] = srow, f[3] = sline, f[4] = row->reject, f[5] = row->raw;
    for (int i = 0; i < 5; i++)
        len[i] = strlen(f[i]);
    len[5] = row->raw_len;
    return dc_csv_write_row_n(rj->w, f, len, 6, err);
}

static int
run_filter(struct dc_ctx *ctx, int nfiles, char **files, struct dc_normalize_opts *o,
           const char *refdata, const char *rejects_path)
{
    struct dc_error err = DC_ERROR_INIT;
    struct rejects rj = {ctx, NULL, 0, 0};
    struct dc_atomic_file rf;
    int have_rf = 0;
    struct dc_catalog *cat = dc_catalog_new();
    struct dc_norm_buf *b = dc_norm_buf_new();
    struct dc_csv_writer *w = NULL;
    const char *names[64];
    static char *stdin_only[] = {(char *)"-"};
    char shipped[4096];
    int status = 0;

    if (!cat || !b) {
        dc_error_set(&err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    if (!refdata) {
        /* the shipped catalogue, as `dancu init` loads it into a DB */
        if (dc_refdata_shipped_dir(shipped, sizeof shipped, &err) == 0) {
            refdata = shipped;
        } else {
            if (!ctx->quiet)
                fprintf(stderr,
                        "dancu normalize: %s; addresses are matched to provinces "
                        "only\n",
                        err.msg);
            dc_error_clear(&err);
        }
    }
    if (refdata ? dc_catalog_load_dir(cat, refdata, &err) < 0
                : dc_catalog_builtin_provinces(cat, &err) < 0)
        goto fail;
    if (dc_catalog_finish(cat, &err) < 0)
        goto fail;
    o->cat = cat;
    w = dc_csv_writer_new(ctx->out, NULL);
    if (!w) {
        dc_error_set(&err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    for (size_t c = 0; c < dc_pcol_count(); c++)
        names[c] = dc_pcol_name(c);
    if (dc_csv_write_row(w, names, dc_pcol_count(), &err) < 0)
        goto fail;
    if (nfiles == 0) {
        nfiles = 1;
        files = stdin_only;
    }
    if (rejects_path) {
        /* personal data: written like an export (temp file, 0600, renamed when whole) */
        static const char *const head[] = {"source",   "src_file", "src_row",
                                           "src_line", "reason",   "raw"};
        if (dc_atomic_begin(&rf, rejects_path, &err) < 0)
            goto fail;
        have_rf = 1;
        rj.w = dc_csv_writer_new(rf.fp, NULL);
        if (!rj.w) {
            dc_error_set(&err, DC_EX_OSERR, "out of memory");
            goto fail;
        }
        if (dc_csv_write_row(rj.w, head, 6, &err) < 0)
            goto fail;
    }
    for (int i = 0; i < nfiles; i++) {
        struct dc_normalize_csv_cb cb = {NULL, reject_row, &rj, 0};

        dc_error_clear(&err);
        int frc = dc_normalize_csv_to(files[i], o, b, w, &cb, &err);
        rj.header_repeats += cb.header_repeats;
        if (frc < 0) {
            status = dc_cmd_fail(ctx, &err);
            if (status == DC_EX_IOERR)
                break;
        }
    }
    if (rj.w) {
        dc_csv_writer_free(rj.w);
        rj.w = NULL;
        dc_error_clear(&err);
        if (dc_atomic_commit(&rf, &err) < 0) {
            int st = dc_cmd_fail(ctx, &err);
            if (status == 0 || status == DC_FINDINGS)
                status = st;
        }
    }
    if (have_rf)
        dc_atomic_abort(&rf); /* removes the temp file unless renamed */
    if (rj.header_repeats && !ctx->quiet)
        fprintf(stderr,
                "dancu normalize: the header row again %ld time%s in the data (files "
                "joined?): skipped\n",
                rj.header_repeats, rj.header_repeats == 1 ? "" : "s");
    if (rj.n) {
        if (!ctx->quiet)
            fprintf(stderr, "dancu normalize: %ld rows rejected%s%s\n", rj.n,
                    rejects_path ? ", with their raw bytes, to "
                                 : " (--rejects FILE keeps "
                                   "their raw bytes)",
                    rejects_path ? rejects_path : "");
        if (status == 0)
            status = DC_FINDINGS;
    }
    dc_csv_writer_free(w);
    dc_norm_buf_free(b);
    dc_catalog_free(cat);
    return status;
fail:
    dc_csv_writer_free(rj.w);
    if (have_rf)
        dc_atomic_abort(&rf);
    dc_csv_writer_free(w);
    dc_norm_buf_free(b);
    dc_catalog_free(cat);
    return dc_cmd_fail(ctx, &err);
}

int
cmd_normalize(struct dc_ctx *ctx, int argc, char **argv)
{
    enum { O_TONE = 256, O_REFDATA, O_REJECTS };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"tone-style", required_argument, NULL, O_TONE},
                                         {"refdata", required_argument, NULL, O_REFDATA},
                                         {"rejects", required_argument, NULL, O_REJECTS},
                                         {NULL, 0, NULL, 0}};
    struct dc_normalize_opts o = {0};
    const char *refdata = NULL, *rejects = NULL;
    int ch;

    o.tone = DC_TONE_OLD;
    o.pivot_year = (int)strtol(ctx->today, NULL, 10); /* "YYYY-MM-DD" from main.c */
    o.threads = ctx->threads;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case O_TONE:
            if (strcmp(optarg, "old") == 0)
                o.tone = DC_TONE_OLD;
            else if (strcmp(optarg, "new") == 0)
                o.tone = DC_TONE_NEW;
            else
                return dc_cmd_usage_error(ctx, "--tone-style is old or new");
            break;
        case O_REFDATA:
            refdata = optarg;
            break;
        case O_REJECTS:
            if (!*optarg || strcmp(optarg, "-") == 0)
                return dc_cmd_usage_error(ctx, "--rejects wants a file name");
            rejects = optarg;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    int n = argc - optind;
    if (n == 1 && dc_db_is_sqlite_file(argv[optind])) {
        if (refdata)
            return dc_cmd_usage_error(ctx, "--refdata is for the filter mode; with a DB use "
                                           "'dancu refdata load'");
        if (rejects)
            return dc_cmd_usage_error(ctx, "--rejects is for the filter mode; with a DB the "
                                           "rejects are in the DB ('dancu export --what "
                                           "rejects')");
        return run_db(ctx, argv[optind], &o);
    }
    return run_filter(ctx, n, argv + optind, &o, refdata, rejects);
}
