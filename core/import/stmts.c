/*
 * import/stmts.c - the import's statements: the src_row INSERT for the columns the file
 * maps (one row, or many at once), the reject and column_map inserts, the batch row's
 * totals and detail at the end, the re-import check, and --replace.
 * Not for: what goes in a row (assemble.c).
 */
#include "import_int.h"

void
import_finalize_all(struct stmts *st)
{
    sqlite3_finalize(st->row);
    sqlite3_finalize(st->rows);
    sqlite3_finalize(st->reject);
    sqlite3_finalize(st->colmap);
    sqlite3_finalize(st->batch_end);
    sqlite3_finalize(st->dup);
    for (size_t i = 0; st->keys && i < st->ncols; i++)
        free(st->keys[i]);
    free(st->keys);
    free(st->keylen);
    free(st->to_extra);
    free(st->unmapped);
    free(st->plain);
    free(st->ids);
    memset(st, 0, sizeof *st);
}

/* The "header": prefix of each column, JSON-escaped once per file, not per row (a
 * mapped column's value may go to extra too: a second ID, both halves of a split pair). */
static int
prepare_keys(struct stmts *st, const struct dc_import_summary *s, struct dc_error *err)
{
    st->ncols = s->ncols;
    st->keys = calloc(s->ncols ? s->ncols : 1, sizeof *st->keys);
    st->keylen = calloc(s->ncols ? s->ncols : 1, sizeof *st->keylen);
    st->to_extra = calloc(s->ncols ? s->ncols : 1, 1);
    st->unmapped = calloc(s->ncols ? s->ncols : 1, 1);
    st->plain = calloc(s->ncols ? s->ncols : 1, sizeof *st->plain);
    st->ids = calloc(s->ncols ? s->ncols : 1, sizeof *st->ids);
    if (!st->keys || !st->keylen || !st->to_extra || !st->unmapped || !st->plain || !st->ids)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    /* how each row is assembled (assemble()), worked out once per file */
    st->split[0] = st->split[1] = SIZE_MAX;
    for (size_t i = 0; i < s->ncols; i++) {
        int f = s->map[i].field;
        st->unmapped[i] = f < 0;
        if (f < 0)
            continue;
        if (s->map[i].sex)
            st->split[s->map[i].sex == 'F'] = i;
        else if (f == DC_F_ID_NUMBER || f == DC_F_CMND)
            st->ids[st->nids++] = i;
        else
            st->plain[st->nplain++] = i;
    }
    for (size_t i = 0; i < s->ncols; i++) {
        struct dc_buf k = DC_BUF_INIT;

        dc_json_str(&k, s->headers[i]);
        dc_buf_puts(&k, ": ");
        if (k.oom || !(st->keys[i] = strdup(dc_buf_str(&k)))) {
            dc_buf_release(&k);
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        }
        st->keylen[i] = k.len;
        dc_buf_release(&k);
    }
    return 0;
}

/* The src_row INSERT for n rows at once: "INSERT ... VALUES (?, ...), (?, ...)". */
static int
prepare_insert(struct dc_db *db, const struct stmts *st, int nparam, size_t n, sqlite3_stmt **q,
               struct dc_error *err)
{
    struct dc_buf sql = DC_BUF_INIT;
    int rc;

    /* Only the columns this file maps: every parameter is bound on every
     * row, so no sqlite3_clear_bindings over thirty unused ones (measured).
     * Column names come from the field table (constants, never data). */
    dc_buf_puts(&sql, "INSERT INTO src_row(batch_id, src_row, src_line, extra");
    for (int f = 0; f < DC_F_COUNT; f++)
        if (st->present[f])
            dc_buf_printf(&sql, ", %s", dc_field_name((enum dc_field)f));
    dc_buf_puts(&sql, ") VALUES ");
    if (sql.oom) {
        dc_buf_release(&sql);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    rc = dc_db_prepare_rows(db, dc_buf_str(&sql), nparam, (int)n, q, err);
    dc_buf_release(&sql);
    return rc;
}

int
import_prepare_all(struct dc_db *db, struct stmts *st, const struct dc_import_summary *s,
                   struct dc_error *err)
{
    size_t multi;
    int limit = sqlite3_limit(db->h, SQLITE_LIMIT_VARIABLE_NUMBER, -1);

    st->nparam = FIELD_PARAM - 1;
    st->shift = s->header_rows > 1 ? s->header_rows - 1 : 0;
    for (size_t i = 0; i < s->ncols; i++) {
        int f = s->map[i].field;
        if (f < 0)
            continue;
        st->present[f] = 1;
        if (s->map[i].sex)
            st->present[DC_F_DOB] = 1;             /* a split pair gives both */
        if (f == DC_F_ID_NUMBER || f == DC_F_CMND) /* routed by content */
            st->present[DC_F_ID_NUMBER] = st->present[DC_F_CMND] = 1;
    }
    for (int f = 0; f < DC_F_COUNT; f++)
        if (st->present[f])
            st->fields[st->nfields++] = f;
    st->nparam += st->nfields;
    /* Several rows per statement: SQLite's per-statement work (cursor, halt, reset) is a
     * third of a one-row insert's instructions on a 9-column file; 64 rows a statement cut
     * the writer's instructions by a fifth (callgrind, 51k household rows).  Rows that do
     * not fill a statement (end of a batch) go one by one. */
    multi = limit > 0 ? (size_t)(limit / st->nparam) : 1;
    if (multi > MULTI_ROWS)
        multi = MULTI_ROWS;
    if (prepare_insert(db, st, st->nparam, 1, &st->row, err) < 0)
        return -1;
    if (multi > 1) {
        if (prepare_insert(db, st, st->nparam, multi, &st->rows, err) < 0)
            return -1;
        st->multi = multi;
    }
    if (dc_db_prepare(db,
                      "INSERT INTO reject(batch_id, source, src_file, src_row, src_line, reason, "
                      "raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      &st->reject, err) < 0 ||
        dc_db_prepare(db,
                      "INSERT INTO column_map(batch_id, position, header, field, how) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
                      &st->colmap, err) < 0 ||
        dc_db_prepare(db,
                      "UPDATE batch SET source = ?2, src_file = ?3, sha256 = ?4, encoding = ?5, "
                      "delimiter = ?6, detail = ?7, rows_skipped = ?8 WHERE id = ?1",
                      &st->batch_end, err) < 0 ||
        dc_db_prepare(db,
                      /* the same bytes, or else the same decoded rows (detail.rows_sha256;
                       * batches are few, so no index is needed) */
                      "SELECT id, sha256 IS NOT ?1 FROM batch WHERE stage = 'import' AND "
                      "id <> ?2 AND (sha256 = ?1 OR json_extract(detail, '$.rows_sha256') = "
                      "?3) ORDER BY sha256 IS NOT ?1, id LIMIT 1",
                      &st->dup, err) < 0)
        return -1;
    return prepare_keys(st, s, err);
}

int
import_insert_reject(struct dc_db *db, struct stmts *st, long long batch, const char *source,
                     const char *path, long rownum, long line, const char *reason, const char *raw,
                     size_t raw_len, struct dc_error *err)
{
    sqlite3_stmt *q = st->reject;

    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, rownum - st->shift);
    sqlite3_bind_int64(q, 5, line);
    sqlite3_bind_text(q, 6, reason, -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 7, raw ? raw : "", (int)raw_len, SQLITE_STATIC);
    return dc_db_step_done(db, q, "insert reject", err);
}

int
import_write_colmap(struct dc_db *db, struct stmts *st, long long batch,
                    const struct dc_import_summary *s, struct dc_error *err)
{
    for (size_t i = 0; i < s->ncols; i++) {
        sqlite3_bind_int64(st->colmap, 1, batch);
        sqlite3_bind_int64(st->colmap, 2, (long long)i + 1);
        sqlite3_bind_text(st->colmap, 3, s->headers[i], -1, SQLITE_STATIC);
        char target[32];
        const char *t = dc_header_target(&s->map[i], target, sizeof target);
        if (t)
            sqlite3_bind_text(st->colmap, 4, t, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st->colmap, 4);
        sqlite3_bind_text(st->colmap, 5, dc_header_how_name(s->map[i].how), -1, SQLITE_STATIC);
        if (dc_db_step_done(db, st->colmap, "insert column_map", err) < 0)
            return -1;
    }
    return 0;
}

int
import_describe_batch(struct dc_db *db, struct stmts *st, long long batch, const char *path,
                      const struct dc_import_summary *s, struct dc_error *err)
{
    sqlite3_stmt *q = st->batch_end;
    struct dc_buf detail = DC_BUF_INIT;
    char delim[8];
    int rc;

    if (s->delimiter == '\t')
        snprintf(delim, sizeof delim, "tab");
    else
        snprintf(delim, sizeof delim, "%c", s->delimiter ? s->delimiter : ',');
    /* the mapping's findings and the rows skipped stay with the batch (no personal data),
     * and the hash of the decoded rows that tells a re-import in other bytes */
    dc_buf_printf(&detail,
                  "{\"confidence\": %.2f, \"header_rows\": %d, \"no_column_for\": %d, "
                  "\"split_both\": %ld, \"split_none\": %ld, \"id_conflict\": %ld, "
                  "\"header_repeats\": %ld, \"rows_sha256\": \"%s\", \"kind\": \"%s\"",
                  s->confidence, s->header_rows, s->nmissing, s->split_both, s->split_none,
                  s->id_conflict, s->header_repeats, s->rows_sha256, s->kind);
    if (s->sheet[0]) {
        dc_buf_puts(&detail, ", \"sheet\": ");
        dc_json_str(&detail, s->sheet);
    }
    dc_buf_printf(&detail,
                  ", \"header_row\": %ld, \"skipped\": {\"above_header\": %ld, \"blank\": %ld, "
                  "\"footer\": %ld}}",
                  s->header_row, s->skipped_above, s->skipped_blank, s->skipped_footer);
    if (detail.oom) {
        dc_buf_release(&detail);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, s->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, s->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, s->encoding, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, delim, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, dc_buf_str(&detail), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 8, s->skipped_above + s->skipped_blank + s->skipped_footer);
    rc = dc_db_step_done(db, q, "update batch", err);
    dc_buf_release(&detail);
    return rc;
}

/* --replace: remove the earlier import batches of s->source (all but batch), with their
 * records, rejects and column maps, inside the import's transaction.  Statements with
 * bound parameters, prepared per file (a replace is rare). */
int
import_replace_source(struct dc_db *db, long long batch, struct dc_import_summary *s,
                      struct dc_error *err)
{
    static const char *const sql[] = {
        "SELECT count(*), (SELECT count(*) FROM src_row WHERE batch_id IN (SELECT id FROM batch "
        "WHERE stage = 'import' AND source = ?1 AND id <> ?2)) FROM batch WHERE stage = "
        "'import' AND source = ?1 AND id <> ?2",
        "DELETE FROM src_row WHERE batch_id IN (SELECT id FROM batch WHERE stage = 'import' "
        "AND source = ?1 AND id <> ?2)",
        "DELETE FROM reject WHERE batch_id IN (SELECT id FROM batch WHERE stage = 'import' "
        "AND source = ?1 AND id <> ?2)",
        "DELETE FROM column_map WHERE batch_id IN (SELECT id FROM batch WHERE stage = "
        "'import' AND source = ?1 AND id <> ?2)",
        "DELETE FROM batch WHERE stage = 'import' AND source = ?1 AND id <> ?2",
    };

    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *q = NULL;
        int rc;

        if (dc_db_prepare(db, sql[i], &q, err) < 0)
            return -1;
        sqlite3_bind_text(q, 1, s->source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, batch);
        rc = sqlite3_step(q);
        if (i == 0 && rc == SQLITE_ROW) {
            s->replaced_batches = (long)sqlite3_column_int64(q, 0);
            s->replaced_rows = (long)sqlite3_column_int64(q, 1);
            rc = SQLITE_DONE;
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return dc_db_fail(db, rc, "replace earlier batches", err);
    }
    return 0;
}
