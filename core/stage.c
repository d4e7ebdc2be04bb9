/*
 * stage.c - begin, finish and abort of a DB stage (see stage.h).
 */
#include "stage.h"

int
dc_stage_begin(struct dc_stage *st, struct dc_db *db, const char *stage, const char *now_iso,
               const char *clear_sql, const char *const *index_tables, struct dc_error *err)
{
    st->db = db;
    st->now_iso = now_iso;
    st->batch_id = 0;
    st->indexes = (struct dc_buf)DC_BUF_INIT;
    st->open = 0;
    if (dc_db_begin(db, err) < 0)
        return -1;
    st->open = 1;
    if (clear_sql && dc_db_exec(db, clear_sql, err) < 0)
        goto fail;
    for (size_t i = 0; index_tables && index_tables[i]; i++)
        if (dc_db_indexes_drop(db, index_tables[i], &st->indexes, err) < 0)
            goto fail;
    if (dc_db_batch_start(db, stage, now_iso, &st->batch_id, err) < 0)
        goto fail;
    return 0;
fail:
    dc_stage_abort(st);
    return -1;
}

int
dc_stage_finish(struct dc_stage *st, long long rows_read, long long rows_ok,
                long long rows_rejected, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;

    if (dc_db_indexes_restore(st->db, &st->indexes, err) < 0 ||
        dc_db_prepare(st->db,
                      "UPDATE batch SET rows_read = ?2, rows_ok = ?3, rows_rejected = ?4, "
                      "finished = ?5 WHERE id = ?1",
                      &q, err) < 0)
        return -1;
    sqlite3_bind_int64(q, 1, st->batch_id);
    sqlite3_bind_int64(q, 2, rows_read);
    sqlite3_bind_int64(q, 3, rows_ok);
    sqlite3_bind_int64(q, 4, rows_rejected);
    sqlite3_bind_text(q, 5, st->now_iso, -1, SQLITE_STATIC);
    int rc = dc_db_step_done(st->db, q, "update batch", err);
    sqlite3_finalize(q);
    if (rc < 0 || dc_db_commit(st->db, err) < 0)
        return -1;
    st->open = 0;
    dc_buf_release(&st->indexes);
    return 0;
}

void
dc_stage_abort(struct dc_stage *st)
{
    if (!st)
        return;
    if (st->open)
        dc_db_rollback(st->db);
    st->open = 0;
    dc_buf_release(&st->indexes);
}
