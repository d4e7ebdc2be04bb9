/*
 * report.c - `dancu report DB -o FILE [--lang vi|en]`: the data-quality report
 * as one self-contained HTML file (issue 9).  core/report.c draws it; this file
 * parses options and writes the file atomically with mode 0600 through the
 * export module's temp-file-and-rename (core/export.h), so a reader never sees
 * half a report and a full disk is an error (reliability.md §3).
 *
 * Not for: the numbers as text or JSON (cmd/stats.c).
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "../core/export.h"
#include "../core/report.h"
#include "../core/util/atomic.h"

const char dc_usage_report[] =
    "usage: dancu report DB -o FILE [--lang vi|en]\n"
    "\n"
    "Write the data-quality report of a staging database as one self-contained\n"
    "HTML file (no network access, no scripts; charts as inline SVG), in\n"
    "Vietnamese with a switch to English: records per source and stage, rejects\n"
    "by reason, normalization changes by rule, address match rate by province\n"
    "and district, duplicate clusters, findings by code and severity with\n"
    "examples, and the batches run.  ID numbers are masked (001*******45); no\n"
    "names, birth dates or addresses.  The file is written atomically, mode 0600.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  the HTML file to write (required)\n"
    "  --lang L           language shown first: vi (default) or en\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 not a dancu database; 66 DB missing;\n"
    "73 cannot create FILE (or FILE is the database); 74 I/O error; 77 no\n"
    "permission (reading needs write access to DB and its folder).\n";

int
cmd_report(struct dc_ctx *ctx, int argc, char **argv)
{
    enum { O_LANG = 256 };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"lang", required_argument, NULL, O_LANG},
                                         {NULL, 0, NULL, 0}};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_report_opts o = {.lang = "vi", .now = ctx->now, .version = DC_VERSION};
    struct dc_atomic_file f;
    struct dc_db *db = NULL;
    const char *out = NULL;
    int ch;

    while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case 'o':
            out = optarg;
            break;
        case O_LANG:
            if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0)
                return dc_cmd_usage_error(ctx, "--lang wants vi or en");
            o.lang = optarg;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    if (argc - optind != 1)
        return dc_cmd_usage_error(ctx, "expected one argument, the database");
    if (!out || !*out || strcmp(out, "-") == 0)
        return dc_cmd_usage_error(ctx, "-o FILE is required (the report is not written to "
                                       "stdout)");
    if (dc_db_path_is_own(argv[optind], out)) {
        dc_error_at(&err, DC_EX_CANTCREAT, out, 0, NULL,
                    "would overwrite the database %s or its -wal/-shm/-journal file: "
                    "choose another output",
                    argv[optind]);
        return dc_cmd_fail(ctx, &err);
    }
    o.db_name = argv[optind];
    if (dc_db_open(argv[optind], DC_DB_READ, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_atomic_begin(&f, out, &err) < 0) {
        dc_db_close(db, NULL);
        return dc_cmd_fail(ctx, &err);
    }
    if (dc_report_write(db, &o, f.fp, &err) < 0 || dc_atomic_commit(&f, &err) < 0) {
        dc_atomic_abort(&f);
        dc_db_close(db, NULL);
        return dc_cmd_fail(ctx, &err);
    }
    dc_atomic_abort(&f); /* frees what commit left (nothing to remove) */
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (!ctx->quiet)
        fprintf(stderr, "dancu report: wrote %s\n", out);
    return 0;
}
