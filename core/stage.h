/*
 * stage.h - the frame every DB stage runs in (import, normalize, dedup,
 * crosscheck): one transaction, a batch row that records the run, and the
 * stage's tables cleared with their indexes dropped while they are rewritten.
 *
 *   struct dc_stage st = DC_STAGE_INIT;
 *   if (dc_stage_begin(&st, db, "dedup", now_iso, "DELETE FROM pair;", tables, err) < 0)
 *       goto fail;
 *   ... write rows, inside st's transaction, with batch id st.batch_id ...
 *   if (dc_stage_finish(&st, rows_read, rows_ok, rows_rejected, err) < 0)
 *       goto fail;
 *   ...
 *   fail: dc_stage_abort(&st);
 *
 * A stage either commits whole or leaves the DB as it was (DESIGN.md: a killed
 * run leaves the database as it was before that stage began).  Dropping the
 * indexes of a table about to be rewritten and building them once at the end
 * is faster than keeping them up to date row by row.
 *
 * Not for: transactions that record no batch (refdata load, migrations).
 */
#ifndef DC_STAGE_H
#define DC_STAGE_H

#include "db.h"
#include "util/buf.h"

struct dc_stage {
    struct dc_db *db;
    const char *now_iso;   /* borrowed: the batch's started and finished */
    long long batch_id;    /* the batch row of this run, from dc_stage_begin */
    struct dc_buf indexes; /* the dropped indexes' CREATE statements */
    int open;              /* 1 between a begin and its finish or abort */
};

#define DC_STAGE_INIT                                                                              \
    {                                                                                              \
        NULL, NULL, 0, DC_BUF_INIT, 0                                                              \
    }

/* Begin the transaction, run clear_sql (NULL: nothing to clear), drop the
 * indexes of the NULL-terminated list of tables (NULL: none) and insert the
 * batch row (stage, started = now_iso).  On failure the transaction is rolled
 * back. */
int dc_stage_begin(struct dc_stage *st, struct dc_db *db, const char *stage, const char *now_iso,
                   const char *clear_sql, const char *const *index_tables, struct dc_error *err);

/* Build the dropped indexes again, record the counts and finished = now_iso
 * in the batch row, and commit.  On failure the stage stays open: the
 * caller's dc_stage_abort rolls it back. */
int dc_stage_finish(struct dc_stage *st, long long rows_read, long long rows_ok,
                    long long rows_rejected, struct dc_error *err);

/* Roll back an open stage (nothing when it is not open); release st. */
void dc_stage_abort(struct dc_stage *st);

#endif
