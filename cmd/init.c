/*
 * init.c - `dancu init DB`: create the staging database or upgrade it.
 */
#include <getopt.h>

#include "cmd.h"
#include "../core/db.h"

const char dc_usage_init[] =
    "usage: dancu init DB\n"
    "\n"
    "Create the staging database DB (SQLite, WAL mode, file mode 0600) from the\n"
    "numbered migrations of schemas/, or upgrade an existing one to this\n"
    "version's schema.  Running it again on an up-to-date database does nothing.\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 DB is not a dancu database or is newer;\n"
    "73 cannot create DB; 75 another run is writing DB.\n";

int
cmd_init(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    int ch, before;

    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'h')
            return dc_cmd_help(ctx);
        return dc_cmd_bad_option(ctx, argv);
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
    return 0;
}
