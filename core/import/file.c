/*
 * import/file.c - dc_import_file: one extract into the staging DB in one transaction
 * (the source name, the file opened as CSV or workbook, the header mapped, the rows
 * walked, the re-import check); source names; the rejects and batches queries of import.h.
 * Not for: any single step (head.c, pipe.c, rows.c, stmts.c).
 */
#include "import_int.h"

#include "stage.h"
#include "utf8.h"

#define DC_STR_(x) #x
#define DC_STR(x) DC_STR_(x)

static void
src_close(struct src *r)
{
    dc_wb_close(r->wb);
    dc_csv_close(r->csv);
    r->wb = NULL;
    r->csv = NULL;
}

const char *
dc_import_source_check(const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = strlen(name);

    if (n == 0)
        return "the source name is empty";
    if (n > DC_IMPORT_SOURCE_MAX)
        return "the source name is over " DC_STR(DC_IMPORT_SOURCE_MAX) " bytes";
    for (size_t i = 0, k; i < n; i += k) {
        if (s[i] < 0x20 || s[i] == 0x7F)
            return "the source name holds a control character";
        if ((k = dc_utf8_seq(s + i, n - i)) == 0)
            return "the source name is not UTF-8";
    }
    return NULL;
}

int
dc_import_source_name(const char *path, char *out, size_t size)
{
    static const char *const exts[] = {".gz", ".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xls"};
    const char *base = strrchr(path, '/');
    size_t n, k = 0;

    if (strcmp(path, "-") == 0)
        base = "stdin";
    else
        base = base ? base + 1 : path;
    /* whole, never cut; a byte that is not text is written as \xNN so that the name is
     * valid UTF-8 and cannot forge a line on stderr */
    for (const unsigned char *s = (const unsigned char *)base; *s;) {
        size_t len = dc_utf8_seq(s, strlen((const char *)s));
        if (len == 0 || *s < 0x20 || *s == 0x7F) {
            if (k + 5 > size)
                return -1;
            snprintf(out + k, 5, "\\x%02X", *s);
            k += 4;
            s++;
            continue;
        }
        if (k + len + 1 > size)
            return -1;
        memcpy(out + k, s, len);
        k += len;
        s += len;
    }
    if (size == 0)
        return -1;
    out[k] = '\0';
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
    return 0;
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

/* A copy of the header row's cells: the first batch is refilled by the reader. */
static int
keep_header_cells(struct walk *w, const struct batch *b, size_t hdr, struct dc_error *err)
{
    const struct brow *h = &b->rows[hdr];

    w->hn = h->nf;
    w->hcells = calloc(h->nf + 1, sizeof *w->hcells);
    w->hlens = calloc(h->nf + 1, sizeof *w->hlens);
    if (!w->hcells || !w->hlens)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (size_t c = 0; c < h->nf; c++) {
        w->hlens[c] = b->flen[h->f0 + c];
        w->hcells[c] = malloc(w->hlens[c] + 1);
        if (!w->hcells[c])
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        memcpy(w->hcells[c], b->mem + b->foff[h->f0 + c], w->hlens[c] + 1);
    }
    return 0;
}

static void
walk_release(struct walk *w)
{
    dc_buf_release(&w->extra);
    for (size_t i = 0; i < w->npend; i++)
        free(w->pend[i].raw);
    free(w->pend);
    for (size_t c = 0; w->hcells && c < w->hn; c++)
        free(w->hcells[c]);
    free(w->hcells);
    free(w->hlens);
    memset(w, 0, sizeof *w);
}

static int
open_source(const char *path, const struct dc_import_opts *o, struct src *r,
            struct dc_import_summary *s, struct dc_error *err)
{
    enum dc_wb_kind kind;

    if (dc_wb_kind_of_file(path, &kind, err) < 0)
        return -1;
    snprintf(s->kind, sizeof s->kind, "%s", dc_wb_kind_name(kind));
    if (kind != DC_WB_NONE) {
        struct dc_wb_opts wo = {o->sheet, o->csv.max_bytes, o->csv.max_field};

        r->wb = dc_wb_open(path, kind, &wo, err);
        if (!r->wb)
            return -1;
        snprintf(s->sheet, sizeof s->sheet, "%s", dc_wb_sheet(r->wb));
        snprintf(s->encoding, sizeof s->encoding, "utf-8");
        s->confidence = 1.0;
        return 0;
    }
    if (o->sheet)
        return dc_error_at(err, DC_EX_USAGE, path, 0, NULL,
                           "--sheet: not a workbook (CSV text has no sheets)");
    {
        struct dc_csv_opts co = o->csv;

        co.no_header = 1;
        r->csv = dc_csv_open(path, &co, err);
    }
    if (!r->csv)
        return -1;
    snprintf(s->encoding, sizeof s->encoding, "%s", dc_csv_encoding(r->csv));
    s->confidence = dc_csv_confidence(r->csv);
    s->delimiter = dc_csv_delimiter(r->csv);
    return 0;
}

int
dc_import_file(struct dc_db *db, const char *path, const struct dc_import_opts *o,
               struct dc_import_summary *s, struct dc_error *err)
{
    struct src r = {NULL, NULL};
    struct stmts st = {0};
    struct pipe p;
    struct walk w;
    struct dc_stage stage = DC_STAGE_INIT;
    long long batch = 0;
    size_t skip = 0, hdr = 0;
    int rc, piped = 0;

    memset(s, 0, sizeof *s);
    memset(&w, 0, sizeof w);
    if (o->source) {
        const char *why = dc_import_source_check(o->source);
        if (why) {
            dc_error_set(err, DC_EX_USAGE, "--source: %s", why);
            goto fail;
        }
        snprintf(s->source, sizeof s->source, "%s", o->source);
    } else if (dc_import_source_name(path, s->source, sizeof s->source) < 0) {
        dc_error_set(err, DC_EX_USAGE,
                     "the file name is too long for a source name: "
                     "give --source");
        goto fail;
    }
    if (open_source(path, o, &r, s, err) < 0)
        goto fail;
    if (import_pipe_open(&p, &r, err) < 0)
        goto fail;
    piped = 1;
    if (p.rc < 0) { /* the first batch already met the file's failure */
        *err = p.err;
        goto fail;
    }
    if (import_find_header(&p.b[0], o, path, &hdr, err) < 0 ||
        import_map_columns(&p.b[0], hdr, o->map, s, &skip, err) < 0)
        goto fail;
    s->header_row = p.b[0].rows[hdr].line;
    s->skipped_above = (long)hdr;
    if (dc_stage_begin(&stage, db, "import", o->now_iso, NULL, NULL, err) < 0)
        goto fail;
    batch = stage.batch_id;
    if (import_prepare_all(db, &st, s, err) < 0 || import_write_colmap(db, &st, batch, s, err) < 0)
        goto fail;
    /* src_row counts the data rows below the header (and its second row) */
    st.shift += p.b[0].rows[hdr].rownum;
    s->rows_read = (long)hdr; /* the rows above the header were read and skipped */
    w.db = db;
    w.st = &st;
    w.batch = batch;
    w.path = path;
    w.o = o;
    w.s = s;
    w.workbook = r.wb != NULL;
    if (keep_header_cells(&w, &p.b[0], hdr, err) < 0)
        goto fail;
    rc = import_rows(&w, &p, skip, err);
    if (rc == 0 && import_pipe_rows_sha256(&p, s->rows_sha256) < 0)
        rc = dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 failed");
    import_pipe_close(&p);
    piped = 0;
    if (rc < 0)
        goto fail;
    if ((r.wb ? dc_wb_sha256(r.wb, s->sha256) : dc_csv_sha256(r.csv, s->sha256)) < 0) {
        dc_error_set(err, DC_EX_SOFTWARE, "sha256 failed");
        goto fail;
    }
    if (!o->force) {
        sqlite3_bind_text(st.dup, 1, s->sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st.dup, 2, batch);
        sqlite3_bind_text(st.dup, 3, s->rows_sha256, -1, SQLITE_STATIC);
        rc = sqlite3_step(st.dup);
        if (rc == SQLITE_ROW) {
            s->duplicate_of = sqlite3_column_int64(st.dup, 0);
            s->duplicate_rows = sqlite3_column_int(st.dup, 1);
        } else if (rc != SQLITE_DONE) {
            dc_db_fail(db, rc, "select batch", err);
            goto fail;
        }
        sqlite3_reset(st.dup);
        if (s->duplicate_of) {
            /* Same bytes already imported: leave the DB as it was. */
            import_finalize_all(&st);
            dc_stage_abort(&stage);
            goto done;
        }
    }
    if (o->replace && import_replace_source(db, batch, s, err) < 0)
        goto fail;
    if (!o->replace && !o->force && import_overlap(db, batch, s->source, s, err) < 0)
        goto fail;
    if (import_describe_batch(db, &st, batch, path, s, err) < 0)
        goto fail;
    import_finalize_all(&st);
    if (dc_stage_finish(&stage, s->rows_read, s->imported, s->rejected, err) < 0)
        goto fail;
    s->batch_id = batch;
done:
    walk_release(&w);
    src_close(&r);
    return 0;
fail:
    if (piped)
        import_pipe_close(&p);
    import_finalize_all(&st);
    dc_stage_abort(&stage);
    walk_release(&w);
    src_close(&r);
    if (err && !err->path)
        err->path = path;
    return -1;
}

int
dc_import_rejects_head(struct dc_db *db, long long batch_id, int n,
                       int (*fn)(void *ud, long long line, const char *reason), void *ud,
                       struct dc_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, ret = 0;

    if (dc_db_prepare(db,
                      "SELECT src_line, reason FROM reject WHERE batch_id = ?1"
                      " ORDER BY src_row, id LIMIT ?2",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, batch_id);
    sqlite3_bind_int(st, 2, n);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *why = (const char *)sqlite3_column_text(st, 1);
        ret = fn(ud, sqlite3_column_int64(st, 0), why ? why : "");
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = dc_db_fail(db, rc, "read rejects", err);
    sqlite3_finalize(st);
    return ret;
}

int
dc_import_since_normalize(struct dc_db *db, long *batches, int *normalized, struct dc_error *err)
{
    long long n, last;

    last = dc_db_count(db,
                       "SELECT coalesce(max(id), 0) FROM batch WHERE stage = 'normalize' "
                       "AND finished IS NOT NULL",
                       err);
    if (last < 0)
        return -1;
    n = dc_db_count(db,
                    "SELECT count(*) FROM batch WHERE stage = 'import' AND finished IS NOT NULL "
                    "AND id > (SELECT coalesce(max(id), 0) FROM batch WHERE stage = 'normalize' "
                    "AND finished IS NOT NULL)",
                    err);
    if (n < 0)
        return -1;
    *batches = (long)n;
    *normalized = last > 0;
    return 0;
}
