/*
 * import.c - one extract into the staging DB (see import.h).
 * Not for: parsing CSV or decoding (csvio, encoding), header aliases (header).
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "json.h"

enum { PROGRESS_EVERY = 8192, FIELD_PARAM = 5 /* parameter of the first field (after batch, row, line, extra) */ };

void
dc_import_source_name(const char *path, char *out, size_t size)
{
    static const char *const exts[] = {".gz", ".csv", ".tsv", ".txt", ".tab"};
    const char *base = strrchr(path, '/');
    size_t n;

    if (strcmp(path, "-") == 0) {
        snprintf(out, size, "stdin");
        return;
    }
    base = base ? base + 1 : path;
    snprintf(out, size, "%s", base);
    for (int again = 1; again;) {
        again = 0;
        n = strlen(out);
        for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
            size_t e = strlen(exts[i]);
            if (n > e && strcasecmp(out + n - e, exts[i]) == 0) {
                out[n - e] = '\0';
                again = 1;
                break;
            }
        }
    }
}

void
dc_import_summary_release(struct dc_import_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ncols; i++)
        free(s->headers[i]);
    free(s->headers);
    free(s->map);
    s->headers = NULL;
    s->map = NULL;
    s->ncols = 0;
}

static int
copy_header(const struct dc_csv_row *h, const struct dc_mapfile *map,
            struct dc_import_summary *s, struct dc_error *err)
{
    s->ncols = h->nfields;
    s->headers = calloc(h->nfields ? h->nfields : 1, sizeof *s->headers);
    s->map = calloc(h->nfields ? h->nfields : 1, sizeof *s->map);
    if (!s->headers || !s->map)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (size_t i = 0; i < h->nfields; i++) {
        s->headers[i] = strdup(h->fields[i] ? h->fields[i] : "");
        if (!s->headers[i])
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    return dc_header_map((const char *const *)s->headers, s->ncols, map, s->map, err);
}

struct stmts {
    sqlite3_stmt *row, *reject, *colmap, *batch_end, *dup;
};

static void
finalize_all(struct stmts *st)
{
    sqlite3_finalize(st->row);
    sqlite3_finalize(st->reject);
    sqlite3_finalize(st->colmap);
    sqlite3_finalize(st->batch_end);
    sqlite3_finalize(st->dup);
}

static int
prepare_all(struct dc_db *db, struct stmts *st, const struct dc_import_summary *s,
            struct dc_error *err)
{
    struct dc_buf sql = DC_BUF_INIT;
    int rc, param = FIELD_PARAM;

    /* Only the columns this file maps: every parameter is bound on every
     * row, so no sqlite3_clear_bindings over thirty unused ones (measured).
     * Column names come from the field table (constants, never data). */
    dc_buf_puts(&sql, "INSERT INTO src_row(batch_id, src_row, src_line, extra");
    for (size_t i = 0; i < s->ncols; i++)
        if (s->map[i].field >= 0)
            dc_buf_printf(&sql, ", %s", dc_field_name((enum dc_field)s->map[i].field));
    dc_buf_puts(&sql, ") VALUES (?1, ?2, ?3, ?4");
    for (size_t i = 0; i < s->ncols; i++)
        if (s->map[i].field >= 0)
            dc_buf_printf(&sql, ", ?%d", param++);
    dc_buf_putc(&sql, ')');
    if (sql.oom) {
        dc_buf_release(&sql);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    rc = dc_db_prepare(db, dc_buf_str(&sql), &st->row, err);
    dc_buf_release(&sql);
    if (rc < 0)
        return -1;
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
                      "delimiter = ?6, rows_read = ?7, rows_ok = ?8, rows_rejected = ?9, "
                      "detail = ?10, finished = ?11 WHERE id = ?1",
                      &st->batch_end, err) < 0 ||
        dc_db_prepare(db,
                      "SELECT min(id) FROM batch WHERE stage = 'import' AND sha256 = ?1 "
                      "AND id <> ?2",
                      &st->dup, err) < 0)
        return -1;
    return 0;
}

static int
insert_row(struct dc_db *db, struct stmts *st, long long batch, const struct dc_csv_row *row,
           const struct dc_import_summary *s, struct dc_buf *extra, struct dc_error *err)
{
    sqlite3_stmt *q = st->row;
    int nextra = 0, param = FIELD_PARAM, rc;

    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_int64(q, 2, row->rownum);
    sqlite3_bind_int64(q, 3, row->line);
    dc_buf_reset(extra);
    for (size_t i = 0; i < s->ncols; i++) {
        const char *v = i < row->nfields ? row->fields[i] : NULL;
        if (s->map[i].field >= 0) {
            if (v && *v)
                sqlite3_bind_text(q, param++, v, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(q, param++);
        } else if (v && *v) {
            dc_buf_puts(extra, nextra++ ? ", " : "{");
            dc_json_str(extra, s->headers[i]);
            dc_buf_puts(extra, ": ");
            dc_json_str(extra, v);
        }
    }
    if (nextra) {
        dc_buf_putc(extra, '}');
        if (extra->oom)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        sqlite3_bind_text(q, 4, dc_buf_str(extra), (int)extra->len, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(q, 4);
    }
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "insert src_row", err);
    return 0;
}

static int
insert_reject(struct dc_db *db, struct stmts *st, long long batch, const char *source,
              const char *path, const struct dc_csv_row *row, struct dc_error *err)
{
    sqlite3_stmt *q = st->reject;

    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, row->rownum);
    sqlite3_bind_int64(q, 5, row->line);
    sqlite3_bind_text(q, 6, row->reject, -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 7, row->raw ? row->raw : "", (int)row->raw_len, SQLITE_STATIC);
    return dc_db_step_done(db, q, "insert reject", err);
}

static int
write_colmap(struct dc_db *db, struct stmts *st, long long batch,
             const struct dc_import_summary *s, struct dc_error *err)
{
    for (size_t i = 0; i < s->ncols; i++) {
        sqlite3_bind_int64(st->colmap, 1, batch);
        sqlite3_bind_int64(st->colmap, 2, (long long)i + 1);
        sqlite3_bind_text(st->colmap, 3, s->headers[i], -1, SQLITE_STATIC);
        if (s->map[i].field >= 0)
            sqlite3_bind_text(st->colmap, 4, dc_field_name((enum dc_field)s->map[i].field), -1,
                              SQLITE_STATIC);
        sqlite3_bind_text(st->colmap, 5, dc_header_how_name(s->map[i].how), -1, SQLITE_STATIC);
        if (dc_db_step_done(db, st->colmap, "insert column_map", err) < 0)
            return -1;
    }
    return 0;
}

static int
finish_batch(struct dc_db *db, struct stmts *st, long long batch, const char *path,
             const struct dc_import_summary *s, const char *now, struct dc_error *err)
{
    sqlite3_stmt *q = st->batch_end;
    char delim[8], detail[96];

    if (s->delimiter == '\t')
        snprintf(delim, sizeof delim, "tab");
    else
        snprintf(delim, sizeof delim, "%c", s->delimiter ? s->delimiter : ',');
    snprintf(detail, sizeof detail, "{\"confidence\": %.2f}", s->confidence);
    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, s->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, s->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, s->encoding, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, delim, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, s->rows_read);
    sqlite3_bind_int64(q, 8, s->imported);
    sqlite3_bind_int64(q, 9, s->rejected);
    sqlite3_bind_text(q, 10, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 11, now, -1, SQLITE_STATIC);
    return dc_db_step_done(db, q, "update batch", err);
}

int
dc_import_file(struct dc_db *db, const char *path, const struct dc_import_opts *o,
               struct dc_import_summary *s, struct dc_error *err)
{
    struct dc_csv_reader *r = NULL;
    struct stmts st = {0};
    struct dc_buf extra = DC_BUF_INIT;
    struct dc_csv_row row;
    long long batch = 0;
    int rc, in_tx = 0;

    memset(s, 0, sizeof *s);
    if (o->source)
        snprintf(s->source, sizeof s->source, "%s", o->source);
    else
        dc_import_source_name(path, s->source, sizeof s->source);
    r = dc_csv_open(path, &o->csv, err);
    if (!r)
        goto fail;
    snprintf(s->encoding, sizeof s->encoding, "%s", dc_csv_encoding(r));
    s->confidence = dc_csv_confidence(r);
    s->delimiter = dc_csv_delimiter(r);
    if (copy_header(dc_csv_header(r), o->map, s, err) < 0)
        goto fail;
    if (dc_db_begin(db, err) < 0)
        goto fail;
    in_tx = 1;
    if (prepare_all(db, &st, s, err) < 0 || dc_db_batch_start(db, "import", o->now_iso, &batch, err) < 0 ||
        write_colmap(db, &st, batch, s, err) < 0)
        goto fail;
    while ((rc = dc_csv_next(r, &row, err)) == 1) {
        s->rows_read++;
        if (row.reject) {
            if (insert_reject(db, &st, batch, s->source, path, &row, err) < 0)
                goto fail;
            s->rejected++;
        } else {
            if (insert_row(db, &st, batch, &row, s, &extra, err) < 0)
                goto fail;
            s->imported++;
        }
        if (o->progress && s->rows_read % PROGRESS_EVERY == 0)
            o->progress(o->progress_ud, dc_csv_bytes_read(r), s->rows_read);
    }
    if (rc < 0)
        goto fail;
    if (dc_csv_sha256(r, s->sha256) < 0) {
        dc_error_set(err, DC_EX_SOFTWARE, "sha256 failed");
        goto fail;
    }
    if (!o->force) {
        sqlite3_bind_text(st.dup, 1, s->sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st.dup, 2, batch);
        rc = sqlite3_step(st.dup);
        if (rc == SQLITE_ROW)
            s->duplicate_of = sqlite3_column_int64(st.dup, 0);
        else if (rc != SQLITE_DONE) {
            dc_db_fail(db, rc, "select batch", err);
            goto fail;
        }
        sqlite3_reset(st.dup);
        if (s->duplicate_of) {
            /* Same bytes already imported: leave the DB as it was. */
            finalize_all(&st);
            memset(&st, 0, sizeof st);
            dc_db_rollback(db);
            dc_csv_close(r);
            dc_buf_release(&extra);
            return 0;
        }
    }
    if (finish_batch(db, &st, batch, path, s, o->now_iso, err) < 0)
        goto fail;
    finalize_all(&st);
    memset(&st, 0, sizeof st);
    if (dc_db_commit(db, err) < 0)
        goto fail;
    s->batch_id = batch;
    dc_csv_close(r);
    dc_buf_release(&extra);
    return 0;
fail:
    finalize_all(&st);
    if (in_tx)
        dc_db_rollback(db);
    dc_csv_close(r);
    dc_buf_release(&extra);
    if (err && !err->path)
        err->path = path;
    return -1;
}
