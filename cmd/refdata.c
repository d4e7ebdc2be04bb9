/*
 * refdata.c - `dancu refdata load DB FILE...` and `dancu refdata status DB`.
 * A second small command table for the sub-subcommands (git OPT_SUBCOMMAND).
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "../core/db.h"
#include "../core/refdata.h"

const char dc_usage_refdata[] =
    "usage: dancu refdata load DB FILE... [--era pre2025|2025]\n"
    "       dancu refdata load DB --shipped\n"
    "       dancu refdata status DB\n"
    "\n"
    "load: read catalogue CSV files into DB, all in one transaction.  Each file is\n"
    "recognised by its header (formats in schemas/refdata.md): the pre-2025 and\n"
    "2025 administrative units, the ward and province mappings of 1 July 2025,\n"
    "ethnic groups and religions.  Loading a kind replaces what DB held of it.\n"
    "  --era E     era of a provinces file whose name does not say pre2025 or 2025\n"
    "  --shipped   load the catalogue shipped with dancu again (refdata/; 'dancu\n"
    "              init' loads it into a new database)\n"
    "\n"
    "status: print how many units, mappings and codes DB holds, and for each\n"
    "kind the file it came from: origin=shipped (with dancu, and the date of its\n"
    "data) or origin=file (loaded with 'refdata load').\n"
    "\n"
    "The official catalogue is published by the General Statistics Office at\n"
    "danhmuchanhchinh.gso.gov.vn (from 2025: danhmuchanhchinh.nso.gov.vn).\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 a file is not a catalogue or has a bad\n"
    "row (nothing is loaded); 66 a file (or the shipped catalogue) is missing;\n"
    "74 I/O error; 75 DB busy.\n";

static void
say_loaded(void *ud, const char *file, const struct dc_refdata_file_summary *s, int shipped)
{
    struct dc_ctx *ctx = ud;

    if (!ctx->quiet)
        fprintf(stderr, "dancu refdata: %s: %ld rows (%s%s)\n", file, s->rows, s->kind,
                shipped ? ", shipped" : "");
}

static int
refdata_load(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"era", required_argument, NULL, 'e'},
                                         {"shipped", no_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    const char *era = NULL;
    char dir[4096];
    int ch, shipped = 0;

    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'h')
            return dc_cmd_help(ctx);
        if (ch == 's') {
            shipped = 1;
            continue;
        }
        if (ch != 'e')
            return dc_cmd_bad_option(ctx, argv);
        if (strcmp(optarg, "pre2025") != 0 && strcmp(optarg, "2025") != 0)
            return dc_cmd_usage_error(ctx, "--era is pre2025 or 2025");
        era = optarg;
    }
    if (shipped ? argc - optind != 1 : argc - optind < 2)
        return dc_cmd_usage_error(ctx, shipped ? "--shipped takes only DB, no FILE"
                                               : "expected DB and at least one FILE");
    if (shipped && dc_refdata_shipped_dir(dir, sizeof dir, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_db_open(argv[optind], DC_DB_WRITE, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_refdata_load(db, shipped ? dir : NULL, (const char *const *)argv + optind + 1,
                        (size_t)(argc - optind - 1), era, ctx->now_iso, say_loaded, ctx,
                        &err) < 0) {
        dc_db_close(db, NULL);
        return dc_cmd_fail(ctx, &err);
    }
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    return 0;
}

static void
print_count(void *ud, const char *what, long long n)
{
    fprintf(((struct dc_ctx *)ud)->out, "%-22s %lld\n", what, n);
}

static void
print_file(void *ud, const struct dc_refdata_file_row *f)
{
    fprintf(((struct dc_ctx *)ud)->out, "file %s %s rows=%lld origin=%s dated=%s sha256=%.16s\n",
            f->kind, f->file, f->rows, f->origin, f->dated ? f->dated : "-", f->sha256);
}

static int
refdata_status(struct dc_ctx *ctx, int argc, char **argv)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;

    if (argc != 2)
        return dc_cmd_usage_error(ctx, "expected DB");
    if (dc_db_open(argv[1], DC_DB_READ, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_refdata_status(db, print_count, print_file, ctx, &err) < 0) {
        dc_db_close(db, NULL);
        return dc_cmd_fail(ctx, &err);
    }
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    return 0;
}

int
cmd_refdata(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(struct dc_ctx *, int, char **);
    } subs[] = {{"load", refdata_load}, {"status", refdata_status}};

    if (argc < 2)
        return dc_cmd_usage_error(ctx, "expected 'load' or 'status'");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return dc_cmd_help(ctx);
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0) {
            optind = 0;
            return subs[i].run(ctx, argc - 1, argv + 1);
        }
    return dc_cmd_usage_error(ctx, "unknown refdata command '%s'", argv[1]);
}
