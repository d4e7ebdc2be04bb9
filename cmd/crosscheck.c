/*
 * crosscheck.c - `dancu crosscheck DB` and the filter `dancu crosscheck [FILE|-]...`.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../core/crosscheck.h"
#include "../core/csvio.h"
#include "../core/personcsv.h"
#include "../core/rules.h"

const char dc_usage_crosscheck[] =
    "usage: dancu crosscheck DB [--against OTHER.db|FILE] [--fail-on error|warning]\n"
    "                           [--lang vi|en] [--only CODES]\n"
    "       dancu crosscheck [FILE|-]... [--fail-on L] [--lang vi|en] [--only CODES]\n"
    "       dancu crosscheck --list [--lang vi|en]\n"
    "\n"
    "Check every normalized record against the rules the ID number, the card\n"
    "(MRZ, QR) and the law imply, and write findings: record, code, severity,\n"
    "field, expected, actual, message.  With DB: replaces the finding table and\n"
    "adds the rules over several records (the same ID or CMND on different\n"
    "people; with --against, disagreements with the record of the same ID in\n"
    "another staging DB or extract).  With files (or '-' or nothing: stdin): a\n"
    "filter reading the CSV of 'dancu normalize -' and writing findings as CSV.\n"
    "\n"
    "Options:\n"
    "  --against X     another dancu DB or a CSV extract to compare with, by ID\n"
    "  --fail-on L     exit 1 when a finding of level L or above exists\n"
    "                  (error or warning; default: never)\n"
    "  --lang L        messages in vi (default) or en\n"
    "  --only CODES    run only rules whose code starts with one of CODES (ID_,MRZ_)\n"
    "  --list          print the rule table and exit\n"
    "  --allow-stale   check DB although files were imported after the last normalize\n"
    "\n"
    "Exit status: 0 done; 1 findings at or above --fail-on; 64 usage; 65 bad\n"
    "input, or files imported into DB after the last normalize; 66 missing input;\n"
    "74 I/O error; 75 DB busy.\n";

/* The rule table as CSV through the one CSV writer (a description may hold
 * quotes and commas). */
static int
list_rules(struct dc_ctx *ctx, const char *lang)
{
    static const char *const hdr[] = {"code", "severity", "field", "description"};
    struct dc_csv_writer *w = dc_csv_writer_new(ctx->out, NULL);
    struct dc_error err = DC_ERROR_INIT;
    int en = lang && strcmp(lang, "en") == 0, rc = -1;

    if (!w) {
        dc_error_set(&err, DC_EX_OSERR, "out of memory");
        return dc_cmd_fail(ctx, &err);
    }
    if (dc_csv_write_row(w, hdr, 4, &err) < 0)
        goto out;
    for (size_t i = 0; i < dc_rules_count(); i++) {
        const struct dc_rule *r = dc_rules_get(i);
        const char *v[] = {r->code, dc_rules_severity_name(r->severity), r->field,
                           en ? r->desc_en : r->desc_vi};
        if (dc_csv_write_row(w, v, 4, &err) < 0)
            goto out;
    }
    rc = 0;
out:
    dc_csv_writer_free(w);
    return rc < 0 ? dc_cmd_fail(ctx, &err) : 0;
}

struct filter_out {
    struct dc_csv_writer *w;
    long findings[3];
    struct dc_error *err;
};

static int
filter_emit(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    struct filter_out *fo = ud;
    char row[32];
    const char *v[8];

    snprintf(row, sizeof row, "%lld", (long long)p->src_row);
    v[0] = p->source;
    v[1] = row;
    v[2] = f->code;
    v[3] = dc_rules_severity_name(f->severity);
    v[4] = f->field;
    v[5] = f->expected;
    v[6] = f->actual;
    v[7] = f->message;
    if ((unsigned)f->severity < 3)
        fo->findings[f->severity]++;
    return dc_csv_write_row(fo->w, v, 8, fo->err);
}

static int
filter_file(const char *path, const struct dc_rules_ctx *rctx, struct filter_out *fo)
{
    struct dc_csv_opts copts = {.encoding = "utf-8"};
    struct dc_csv_reader *r = dc_csv_open(path, &copts, fo->err);
    struct dc_csv_row row;
    int col[64], rc, ret = -1;

    if (!r)
        return -1;
    const struct dc_csv_row *h = dc_csv_header(r);
    if (h->nfields > 64) {
        dc_error_at(fo->err, DC_EX_DATAERR, path, 1, NULL, "more than 64 columns");
        goto out;
    }
    int known = 0;
    for (size_t i = 0; i < h->nfields; i++) {
        col[i] = dc_pcol_find(h->fields[i]);
        known += col[i] >= 0;
    }
    if (!known) {
        dc_error_at(fo->err, DC_EX_DATAERR, path, 1, NULL,
                    "no record columns: the filter reads the output of 'dancu normalize -'");
        goto out;
    }
    while ((rc = dc_csv_next(r, &row, fo->err)) == 1) {
        struct dc_person p;
        if (row.reject) {
            fprintf(stderr, "dancu crosscheck: %s:%ld: row rejected: %s\n", path, row.line,
                    row.reject);
            continue;
        }
        memset(&p, 0, sizeof p);
        for (size_t i = 0; i < row.nfields && i < h->nfields; i++)
            if (col[i] >= 0 && dc_pcol_set(&p, (size_t)col[i], row.fields[i]) < 0) {
                dc_error_at(fo->err, DC_EX_DATAERR, path, row.line, h->fields[i],
                            "malformed value");
                goto out;
            }
        if (!p.src_row)
            p.src_row = row.rownum;
        if (dc_rules_check(&p, rctx, filter_emit, fo, fo->err) < 0)
            goto out;
    }
    if (rc == 0)
        ret = 0;
out:
    dc_csv_close(r);
    return ret;
}

int
cmd_crosscheck(struct dc_ctx *ctx, int argc, char **argv)
{
    enum { O_AGAINST = 256, O_FAIL, O_LANG, O_LIST, O_ONLY, O_STALE };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"against", required_argument, NULL, O_AGAINST},
                                         {"fail-on", required_argument, NULL, O_FAIL},
                                         {"lang", required_argument, NULL, O_LANG},
                                         {"list", no_argument, NULL, O_LIST},
                                         {"only", required_argument, NULL, O_ONLY},
                                         {"allow-stale", no_argument, NULL, O_STALE},
                                         {NULL, 0, NULL, 0}};
    struct dc_rules_ctx rctx = {.today = ctx->today, .lang = "vi", .threads = ctx->threads};
    struct dc_error err = DC_ERROR_INIT;
    const char *against = NULL;
    int ch, list = 0, fail_on = -1, allow_stale = 0;
    long findings[3] = {0};

    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case O_AGAINST:
            against = optarg;
            break;
        case O_FAIL:
            if (strcmp(optarg, "error") == 0)
                fail_on = DC_SEV_ERROR;
            else if (strcmp(optarg, "warning") == 0)
                fail_on = DC_SEV_WARNING;
            else if (strcmp(optarg, "info") == 0)
                fail_on = DC_SEV_INFO;
            else
                return dc_cmd_usage_error(ctx, "--fail-on is error, warning or info");
            break;
        case O_LANG:
            if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0)
                return dc_cmd_usage_error(ctx, "--lang is vi or en");
            rctx.lang = optarg;
            break;
        case O_LIST:
            list = 1;
            break;
        case O_ONLY:
            rctx.only = optarg;
            break;
        case O_STALE:
            allow_stale = 1;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    if (list)
        return list_rules(ctx, rctx.lang);
    int n = argc - optind;
    if (n == 1 && dc_db_is_sqlite_file(argv[optind])) {
        struct dc_db *db = NULL;
        struct dc_crosscheck_summary s;
        if (dc_db_open(argv[optind], DC_DB_WRITE, &db, &err) < 0)
            return dc_cmd_fail(ctx, &err);
        if ((ch = dc_cmd_require_normalized(ctx, db, allow_stale)) != 0) {
            dc_db_close(db, NULL);
            return ch;
        }
        struct dc_progress pr;
        dc_progress_start(&pr, ctx, "records");
        rctx.progress = dc_progress_cb;
        rctx.progress_ud = &pr;
        int xrc = dc_crosscheck_db(db, &rctx, against, ctx->now_iso, &s, &err);
        dc_progress_end(&pr);
        if (xrc < 0) {
            dc_db_close(db, NULL);
            return dc_cmd_fail(ctx, &err);
        }
        if (dc_db_close(db, &err) < 0)
            return dc_cmd_fail(ctx, &err);
        memcpy(findings, s.findings, sizeof findings);
        if (!ctx->quiet) {
            fprintf(stderr, "dancu crosscheck: %ld records: %ld errors, %ld warnings, %ld info\n",
                    s.records, s.findings[DC_SEV_ERROR], s.findings[DC_SEV_WARNING],
                    s.findings[DC_SEV_INFO]);
            if (against)
                fprintf(stderr, "dancu crosscheck: %ld records joined by ID with %s\n",
                        s.against_matched, against);
        }
    } else {
        static char *stdin_only[] = {(char *)"-"};
        struct filter_out fo = {NULL, {0}, &err};
        static const char *const hdr[] = {"source", "src_row",  "code",   "severity",
                                          "field",  "expected", "actual", "message"};
        char **files = argv + optind;
        if (against)
            return dc_cmd_usage_error(ctx, "--against needs a DB");
        if (n == 0) {
            n = 1;
            files = stdin_only;
        }
        fo.w = dc_csv_writer_new(ctx->out, NULL);
        if (!fo.w || dc_csv_write_row(fo.w, hdr, 8, &err) < 0) {
            dc_csv_writer_free(fo.w);
            dc_error_set(&err, DC_EX_IOERR, "cannot write output");
            return dc_cmd_fail(ctx, &err);
        }
        for (int i = 0; i < n; i++) {
            if (filter_file(files[i], &rctx, &fo) < 0) {
                dc_csv_writer_free(fo.w);
                return dc_cmd_fail(ctx, &err);
            }
        }
        dc_csv_writer_free(fo.w);
        memcpy(findings, fo.findings, sizeof findings);
    }
    if (fail_on >= 0)
        for (int sv = fail_on; sv <= DC_SEV_ERROR; sv++)
            if (findings[sv])
                return DC_FINDINGS;
    return 0;
}
