/*
 * stale.c - stages in order: dedup, crosscheck and export read what normalize wrote, so
 * they stop when imports came after it (issue 14: `export` after a new import used to write
 * the old subset, `dedup` before any normalize said "0 records ... 0 clusters", exit 0).
 */
#include "cmd.h"
#include "../core/import.h"

int
dc_cmd_require_normalized(struct dc_ctx *ctx, struct dc_db *db, int allow_stale)
{
    struct dc_error err = DC_ERROR_INIT;
    long n = 0;
    int normalized = 0;

    if (dc_import_since_normalize(db, &n, &normalized, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (n == 0)
        return 0;
    if (allow_stale) {
        if (!ctx->quiet)
            fprintf(stderr,
                    "dancu %s: warning: %ld batch%s imported since the last normalize "
                    "(--allow-stale)\n",
                    ctx->cmd, n, n == 1 ? "" : "es");
        return 0;
    }
    if (normalized)
        dc_cmd_errorf(ctx,
                      "%ld batch%s imported since the last normalize: run dancu normalize "
                      "first (or --allow-stale)",
                      n, n == 1 ? "" : "es");
    else
        dc_cmd_errorf(ctx,
                      "%ld batch%s imported and never normalized: run dancu normalize "
                      "first (or --allow-stale)",
                      n, n == 1 ? "" : "es");
    return DC_EX_DATAERR;
}
