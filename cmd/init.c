/*
 * init.c - `dancu init DB`: create the staging database or upgrade it.
 */
#include <getopt.h>

#include "cmd.h"
#include "../core/db.h"
#include "../core/refdata.h"

const char dc_usage_init[] =
    "usage: dancu init DB [--no-refdata]\n"
    "\n"
    "Create the staging database DB (SQLite, WAL mode, file mode 0600) from the\n"
    "numbered migrations of schemas/, or upgrade an existing one to this\n"
    "version's schema, and load the catalogue shipped with dancu (refdata/: the\n"
    "administrative units before and from 1 July 2025, the ward mapping, ethnic\n"
    "groups, religions) into a database that holds none.  Running it again on\n"
    "an up-to-date database does nothing; a catalogue loaded with 'dancu\n"
    "refdata load' is never replaced by init.\n"
    "\n"
    "Options:\n"
    "  --no-refdata   do not load the shipped catalogue (addresses are then\n"
    "                 matched to provinces only, until 'dancu refdata load')\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 DB is not a dancu database or is newer;\n"
    "66 the shipped catalogue is missing; 73 cannot create DB; 75 another run\n"
    "is writing DB.\n";

struct loaded {
    int files;
    long rows;
};

static void
count_file(void *ud, const char *file, const struct dc_refdata_file_summary *s, int shipped)
{
    struct loaded *l = ud;

    (void)file;
    (void)shipped;
    l->files++;
    l->rows += s->rows;
}

/* The shipped catalogue into a DB that holds no units, in one transaction. */
static int
load_shipped(struct dc_ctx *ctx, const char *path, struct dc_error *err)
{
    struct dc_db *db = NULL;
    struct loaded l = {0, 0};
    char dir[4096];
    int has;

    if (dc_db_open(path, DC_DB_WRITE, &db, err) < 0)
        return -1;
    has = dc_refdata_has_units(db, err);
    if (has < 0)
        goto fail;
    if (has) /* the DB has its catalogue (maybe a newer official one): keep it */
        return dc_db_close(db, err);
    if (dc_refdata_shipped_dir(dir, sizeof dir, err) < 0 ||
        dc_refdata_load(db, dir, NULL, 0, NULL, ctx->now_iso, count_file, &l, err) < 0)
        goto fail;
    if (!ctx->quiet)
        fprintf(stderr,
                "dancu init: loaded the shipped catalogue: %d files, %ld rows "
                "('dancu refdata status' lists them)\n",
                l.files, l.rows);
    return dc_db_close(db, err);
fail:
    dc_db_close(db, NULL);
    return -1;
}

int
cmd_init(struct dc_ctx *ctx, int argc, char **argv)
{
    enum { O_NO_REFDATA = 256 };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"no-refdata", no_argument, NULL, O_NO_REFDATA},
                                         {NULL, 0, NULL, 0}};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    int ch, before, refdata = 1;

    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'h')
            return dc_cmd_help(ctx);
        if (ch != O_NO_REFDATA)
            return dc_cmd_bad_option(ctx, argv);
        refdata = 0;
    }
    if (argc - optind != 1)
        return dc_cmd_usage_error(ctx, "expected one argument, the database path");
    if (dc_db_open(argv[optind], DC_DB_WRITE, &db, &err) == 0) {
        before = dc_db_schema_version(db);
    } else if (err.status == DC_EX_NOINPUT) {
        before = 0;
        dc_error_clear(&err);
    } else if (err.status == DC_EX_DATAERR) {
        /* an older schema: opened below with CREATE, which migrates */
        before = -1;
        dc_error_clear(&err);
    } else {
        return dc_cmd_fail(ctx, &err);
    }
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    db = NULL;
    if (dc_db_open(argv[optind], DC_DB_CREATE, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    int after = dc_db_schema_version(db);
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (!ctx->quiet) {
        if (before == after)
            fprintf(stderr, "dancu init: %s is up to date (schema %d)\n", argv[optind], after);
        else if (before == 0)
            fprintf(stderr, "dancu init: created %s (schema %d)\n", argv[optind], after);
        else
            fprintf(stderr, "dancu init: upgraded %s to schema %d\n", argv[optind], after);
    }
    if (refdata && load_shipped(ctx, argv[optind], &err) < 0)
        return dc_cmd_fail(ctx, &err);
    return 0;
}
