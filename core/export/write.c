/*
 * export/write.c - dc_export_write: checks the options, loads the unit names, runs the
 * view's statement through the encoder (or one sheet per table into the xlsx workbook),
 * optionally through gzip; dc_export_schema_sql.
 * Not for: the atomic file the stream usually goes to (util/atomic.c).
 */
#include "export_int.h"

#include <errno.h>
#include <string.h>

/* The rows of e->v (the view's statement st, stepped to the end) through export_emit_row. */
static int
run_view(struct dc_db *db, struct emit *e, sqlite3_stmt *st, struct dc_error *err)
{
    struct row r;
    int rc;

    if (e->v == &export_v_survivors)
        return export_run_survivors(db, e, st, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        export_fetch_row(e, st, e->v->ncols, &r);
        if (export_emit_row(e, &r, err) < 0)
            return -1;
    }
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "read export rows", err);
    return 0;
}

/* ---- xlsx: one sheet per table ---- */

/* The workbook's cell kinds for a view's columns: numbers stay numbers, IDs and codes
 * text, full dates real dates (xlsxout.h). */
static void
xlsx_cols(const struct view *v, struct dc_xlsx_col *out)
{
    for (int i = 0; i < v->ncols; i++) {
        out[i].name = v->cols[i].name;
        out[i].kind =
            v->cols[i].type == T_INT || v->cols[i].type == T_REAL || v->cols[i].type == T_NUM2
                ? DC_XLSX_NUMBER
            : v->cols[i].kind == K_DATE ? DC_XLSX_DATE
                                        : DC_XLSX_TEXT;
    }
}

static int
write_xlsx(struct dc_db *db, struct emit *e, struct dc_error *err)
{
    const struct dc_export_opts *o = e->o;
    struct dc_export_opts one = *o;
    struct dc_xlsx_col cols[MAX_COLS];
    int nwhat = o->nwhat > 0 ? o->nwhat : 1;
    int ret = -1;

    e->x = dc_xlsx_new(err);
    if (!e->x)
        return -1;
    for (int k = 0; k < nwhat; k++) {
        sqlite3_stmt *st = NULL;
        one.what = o->nwhat > 0 ? o->whats[k] : o->what;
        one.survivors = o->survivors && one.what == DC_EXPORT_RECORDS;
        e->v = export_view_of(&one);
        xlsx_cols(e->v, cols);
        if (dc_xlsx_sheet(e->x, dc_export_table(&one), cols, e->v->ncols, err) < 0 ||
            dc_db_prepare(db, e->v->sql, &st, err) < 0)
            goto out;
        int rc = run_view(db, e, st, err);
        sqlite3_finalize(st);
        if (rc < 0)
            goto out;
    }
    ret = dc_xlsx_finish(e->x, e->fp, err);
out:
    dc_xlsx_free(e->x);
    e->x = NULL;
    return ret;
}

int
dc_export_write(struct dc_db *db, const struct dc_export_opts *o, FILE *fp, long long *rows,
                struct dc_error *err)
{
    struct emit e;
    struct unit_names names;
    sqlite3_stmt *st = NULL;
    FILE *out = fp;
    int ret = -1;

    *rows = 0;
    memset(&names, 0, sizeof names);
    memset(&e, 0, sizeof e);
    if (o->key && o->what == DC_EXPORT_REJECTS)
        return dc_error_set(err, DC_EX_USAGE, "rejects hold raw rows and cannot be pseudonymized");
    for (int i = 0; i < o->nwhat; i++)
        if (o->key && o->whats[i] == DC_EXPORT_REJECTS)
            return dc_error_set(err, DC_EX_USAGE,
                                "rejects hold raw rows and cannot be pseudonymized");
    int has_records = o->what == DC_EXPORT_RECORDS;
    for (int i = 0; i < o->nwhat; i++)
        has_records |= o->whats[i] == DC_EXPORT_RECORDS;
    if (o->survivors && !has_records)
        return dc_error_set(err, DC_EX_USAGE, "--survivors applies to --what records only");
    if (o->excel && o->format != DC_EXPORT_CSV)
        return dc_error_set(err, DC_EX_USAGE, "--excel applies to --format csv only");
    if (o->delim && o->format != DC_EXPORT_CSV)
        return dc_error_set(err, DC_EX_USAGE, "--delimiter applies to --format csv only");
    if (o->delim == '"' || o->delim == '\n' || o->delim == '\r')
        return dc_error_set(err, DC_EX_USAGE, "a quote or a line end cannot separate fields");
    if (o->nwhat > 1 && o->format != DC_EXPORT_XLSX)
        return dc_error_set(err, DC_EX_USAGE,
                            "several tables in one export need --format xlsx (one sheet each)");
    if (o->format == DC_EXPORT_XLSX && o->gzip)
        return dc_error_set(err, DC_EX_USAGE, "an xlsx workbook is compressed already: no .gz");
    memset(&e, 0, sizeof e);
    e.o = o;
    e.v = export_view_of(o);
    if (has_records) {
        e.names = &names;
        if (export_unit_names_load(db, &names, err) < 0)
            goto out;
    }
    e.delim = o->delim ? (unsigned char)o->delim : ',';
    e.special[e.delim] = e.special['"'] = e.special['\n'] = e.special['\r'] = 1;
    if (o->gzip) {
        out = export_gz_wrap(fp);
        if (!out)
            return dc_error_set(err, DC_EX_OSERR, "cannot start gzip stream");
    }
    e.fp = out;
    if (o->format == DC_EXPORT_XLSX) {
        if (write_xlsx(db, &e, err) < 0)
            goto out;
    } else {
        if (dc_db_prepare(db, e.v->sql, &st, err) < 0 || export_emit_header(&e, err) < 0 ||
            run_view(db, &e, st, err) < 0)
            goto out;
        if (o->format == DC_EXPORT_SQL)
            dc_buf_puts(&e.line, "COMMIT;\n");
        if (export_flush(&e, 1, err) < 0)
            goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    export_unit_names_free(&names);
    dc_buf_release(&e.line);
    dc_buf_release(&e.wrap);
    if (out != fp && fclose(out) != 0 && ret == 0)
        ret = dc_error_set(err, DC_EX_IOERR, "write error (gzip): %s", strerror(errno));
    if (ret == 0 && (fflush(fp) != 0 || ferror(fp)))
        ret = dc_error_set(err, DC_EX_IOERR, "write error: %s", strerror(errno));
    if (ret == 0)
        *rows = e.rows;
    return ret;
}

char *
dc_export_schema_sql(const struct dc_export_opts *o, struct dc_error *err)
{
    const struct view *v = export_view_of(o);
    struct dc_buf b = DC_BUF_INIT;
    char *s;

    dc_buf_printf(&b, "-- dancu export --what %s: PostgreSQL table for the %s data.\n",
                  dc_export_what_name(o->what), o->format == DC_EXPORT_SQL ? "INSERT" : "COPY");
    dc_buf_puts(&b, "-- Codes are text (leading zeros); dob is text (YYYY, YYYY-MM or "
                    "YYYY-MM-DD).\n");
    /* IF NOT EXISTS: the same script runs every night (docs/national-load.md) */
    dc_buf_printf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", dc_export_table(o));
    for (int i = 0; i < v->ncols; i++) {
        const char *t = "text";
        switch (v->cols[i].type) {
        case T_INT:
            t = "bigint";
            break;
        case T_REAL:
            t = "double precision";
            break;
        case T_NUM2:
            t = "numeric(5,2)";
            break;
        case T_BYTES:
            t = "bytea";
            break;
        case T_TEXT:
            break;
        }
        dc_buf_printf(&b, "    %s %s%s\n", v->cols[i].name, t, i + 1 < v->ncols ? "," : "");
    }
    dc_buf_puts(&b, ");\n");
    if (b.oom) {
        dc_buf_release(&b);
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    s = b.s; /* the buffer's memory becomes the caller's */
    return s;
}
