/*
 * import.c - one extract into the staging DB (see import.h).
 * Not for: parsing CSV or decoding (csvio, encoding), header aliases (header).
 *
 * Two threads per file, because reading and writing cost about the same (issue #3, callgrind
 * on the bench's household register, 511k rows: reading, libcsv and decoding 4.3G
 * instructions plus SHA-256, inserting 4.1G): a reader thread runs dc_csv_next and copies
 * rows into batches; this thread inserts them, in order, so the database is byte for byte
 * what one thread would write.  Three batches of at most 512 rows and 256 KiB (plus one row
 * over that) bound the memory whatever the file size.  SQLite and the summary are only
 * touched from this thread; the reader owns the csv reader until it is joined.  If the
 * thread cannot be started, the same batches are filled and drained in turn.
 */
#include "import.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "io/workbook.h"
#include "json.h"
#include "vntext.h"
#include "utf8.h"

#define DC_STR_(x) #x
#define DC_STR(x) DC_STR_(x)

enum {
    PROGRESS_EVERY = 8192,
    FIELD_PARAM = 5, /* parameter of the first field (after batch, row, line, extra) */
    NBATCH = 3,
    BATCH_ROWS = 512,
    BATCH_BYTES = 256 << 10,
    MULTI_ROWS = 64, /* rows per INSERT statement (see prepare_all) */
    HEADER_SCAN = 30, /* rows looked at for the header */
    MAX_PENDING = 256, /* footer-like rows held back until the end or the next person */
};

/* ---- the rows of a file, CSV or workbook ------------------------------------------------ */

struct src {
    struct dc_csv_reader *csv;
    struct dc_wb_reader *wb;
};

static int
src_next(struct src *r, struct dc_csv_row *row, struct dc_error *err)
{
    return r->wb ? dc_wb_next(r->wb, row, err) : dc_csv_next(r->csv, row, err);
}

static unsigned long long
src_bytes(const struct src *r)
{
    return r->wb ? dc_wb_bytes_read(r->wb) : dc_csv_bytes_read(r->csv);
}

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

struct stmts {
    sqlite3_stmt *row, *rows, *reject, *colmap, *batch_end, *dup;
    int nparam;   /* parameters per src_row row */
    size_t multi; /* rows in one execution of rows (0 = no such statement) */
    char **keys; /* per column: the JSON key and ": " of its value in extra */
    size_t *keylen;
    size_t ncols;
    unsigned char *to_extra; /* per column: the current row's value goes to extra */
    unsigned char *unmapped; /* per column: no field (to_extra's start for each row) */
    size_t *plain, nplain;   /* columns that feed their own field */
    size_t *ids, nids;       /* ID columns (routed by content), in column order */
    size_t split[2];         /* the Nam and the Nữ column of a split pair, or SIZE_MAX */
    unsigned char present[DC_F_COUNT]; /* src_row columns this file fills ... */
    int fields[DC_F_COUNT], nfields;   /* ... listed, in the INSERT's order */
    long shift;   /* header lines after the first: taken off src_row numbers */
};

static void
finalize_all(struct stmts *st)
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

static int
prepare_all(struct dc_db *db, struct stmts *st, const struct dc_import_summary *s,
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
            st->present[DC_F_DOB] = 1; /* a split pair gives both */
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
                      "delimiter = ?6, rows_read = ?7, rows_ok = ?8, rows_rejected = ?9, "
                      "detail = ?10, finished = ?11, rows_skipped = ?12 WHERE id = ?1",
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

static int
insert_reject(struct dc_db *db, struct stmts *st, long long batch, const char *source,
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

static int
write_colmap(struct dc_db *db, struct stmts *st, long long batch,
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

static int
finish_batch(struct dc_db *db, struct stmts *st, long long batch, const char *path,
             const struct dc_import_summary *s, const char *now, struct dc_error *err)
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
    sqlite3_bind_int64(q, 7, s->rows_read);
    sqlite3_bind_int64(q, 8, s->imported);
    sqlite3_bind_int64(q, 9, s->rejected);
    sqlite3_bind_text(q, 10, dc_buf_str(&detail), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 11, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 12, s->skipped_above + s->skipped_blank + s->skipped_footer);
    rc = dc_db_step_done(db, q, "update batch", err);
    dc_buf_release(&detail);
    return rc;
}

/* ---- reader thread ------------------------------------------------------------------- */

struct brow {
    long rownum, line;
    size_t f0, nf;       /* fields f0 .. f0 + nf - 1 of the batch */
    size_t raw, raw_len; /* offset into mem and length; "" for a good row */
    size_t reason;       /* offset into mem, or SIZE_MAX when the row is fine */
};

struct batch {
    struct brow *rows;
    size_t nrows, rcap;
    size_t *foff, *flen, nf, fcap;
    char *mem;
    size_t used, mcap;
    unsigned long long bytes; /* bytes read once the batch was full (progress line) */
    int last;                 /* 1: the reader stops after this batch (end or error) */
    int full;                 /* 1: the writer's to drain, 0: the reader's to fill */
    int ready;                /* filled before the reader started (the first batch) */
};

struct pipe {
    struct src *r;
    const struct dc_import_summary *s; /* the mapping, set before the reader runs; NULL
                                          while the first batch is read (all raw kept) */
    struct batch b[NBATCH];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int threaded, cancel, rc; /* rc: the reader's last dc_csv_next result */
    size_t start;             /* the first batch the reader fills */
    struct dc_error err;      /* the reader's error */
    EVP_MD_CTX *md;           /* SHA-256 of the decoded rows, in file order (NULL: none) */
};

static void
batch_release(struct batch *b)
{
    free(b->rows);
    free(b->foff);
    free(b->flen);
    free(b->mem);
}

/* Append n bytes and a NUL to mem; returns the offset, or SIZE_MAX when out of memory. */
static size_t
batch_put(struct batch *b, const char *s, size_t n)
{
    size_t at = b->used;

    if (b->mcap - b->used < n + 1) {
        size_t cap = b->mcap ? b->mcap : BATCH_BYTES + 4096;
        char *m;

        while (cap - b->used < n + 1)
            cap *= 2;
        m = realloc(b->mem, cap);
        if (!m)
            return SIZE_MAX;
        b->mem = m;
        b->mcap = cap;
    }
    if (n)
        memcpy(b->mem + at, s, n);
    b->mem[at + n] = '\0';
    b->used += n + 1;
    return at;
}

static int
batch_add(struct batch *b, const struct dc_csv_row *row, int keep_raw)
{
    struct brow *br;
    int contiguous;

    if (b->nrows == b->rcap) {
        size_t n = b->rcap ? b->rcap * 2 : BATCH_ROWS;
        struct brow *q = realloc(b->rows, n * sizeof *q);

        if (!q)
            return -1;
        b->rows = q;
        b->rcap = n;
    }
    if (b->fcap - b->nf < row->nfields) {
        size_t n = b->fcap ? b->fcap : 16 * BATCH_ROWS;
        size_t *o, *l;

        while (n - b->nf < row->nfields)
            n *= 2;
        o = realloc(b->foff, n * sizeof *o);
        if (!o)
            return -1;
        b->foff = o;
        l = realloc(b->flen, n * sizeof *l);
        if (!l)
            return -1;
        b->flen = l;
        b->fcap = n;
    }
    br = &b->rows[b->nrows];
    br->rownum = row->rownum;
    br->line = row->line;
    br->f0 = b->nf;
    br->nf = row->nfields;
    /* csvio hands a row's fields back to back, each after the previous one's NUL: then
     * one copy for all of them */
    contiguous = row->nfields > 0;
    for (size_t i = 0; i + 1 < row->nfields && contiguous; i++)
        contiguous = row->fields[i + 1] == row->fields[i] + row->lens[i] + 1;
    if (contiguous) {
        const char *f0 = row->fields[0], *fn = row->fields[row->nfields - 1];
        size_t at = batch_put(b, f0, (size_t)(fn - f0) + row->lens[row->nfields - 1]);

        if (at == SIZE_MAX)
            return -1;
        for (size_t i = 0; i < row->nfields; i++) {
            b->foff[b->nf + i] = at + (size_t)(row->fields[i] - f0);
            b->flen[b->nf + i] = row->lens[i];
        }
    }
    for (size_t i = 0; i < row->nfields && !contiguous; i++) {
        size_t at = batch_put(b, row->fields[i], row->lens[i]);

        if (at == SIZE_MAX)
            return -1;
        b->foff[b->nf + i] = at;
        b->flen[b->nf + i] = row->lens[i];
    }
    /* raw bytes only serve rejects: not copying them for good rows saves a pass over the file */
    br->raw_len = row->raw && (row->reject || keep_raw) ? row->raw_len : 0;
    br->raw = batch_put(b, row->raw ? row->raw : "", br->raw_len);
    if (br->raw == SIZE_MAX)
        return -1;
    br->reason = SIZE_MAX;
    if (row->reject && (br->reason = batch_put(b, row->reject, strlen(row->reject))) == SIZE_MAX)
        return -1;
    b->nf += row->nfields;
    b->nrows++;
    return 0;
}

/*
 * The decoded content of a file, for telling a re-import by its rows rather than its
 * bytes (issue 19: the same rows gzip'd, recompressed, with CRLF line ends or in another
 * encoding were imported again).  Hashed in file order: the header ('H', field count,
 * each field's length and bytes), then each record: 'D', its field count, each decoded
 * field (UTF-8 NFC) followed by its NUL, which decoded text never holds (a row with a
 * NUL is a reject), so field boundaries are unambiguous; or a reject: 'R' and its reason
 * and raw bytes with their lengths.
 */
static void
hash_fields(EVP_MD_CTX *md, const char *const *f, const size_t *len, size_t n)
{
    unsigned char k[8];
    uint64_t v = n;

    memcpy(k, &v, sizeof k);
    EVP_DigestUpdate(md, k, sizeof k);
    for (size_t i = 0; i < n; i++) {
        v = len[i];
        memcpy(k, &v, sizeof k);
        EVP_DigestUpdate(md, k, sizeof k);
        EVP_DigestUpdate(md, f[i], len[i]);
    }
}

static void
hash_batch(EVP_MD_CTX *md, const struct batch *b)
{
    for (size_t k = 0; k < b->nrows; k++) {
        const struct brow *br = &b->rows[k];
        if (br->reason != SIZE_MAX) {
            const char *f[2] = {b->mem + br->reason, b->mem + br->raw};
            size_t len[2] = {strlen(f[0]), br->raw_len};
            EVP_DigestUpdate(md, "R", 1);
            hash_fields(md, f, len, 2);
            continue;
        }
        /* the fields sit back to back in mem, NUL-separated: one update when they do */
        size_t n = br->nf, f0 = br->f0;
        int contiguous = 1;
        for (size_t i = 0; i + 1 < n && contiguous; i++)
            contiguous = b->foff[f0 + i + 1] == b->foff[f0 + i] + b->flen[f0 + i] + 1;
        unsigned char head[9] = {'D'};
        uint64_t v = n;
        memcpy(head + 1, &v, 8);
        EVP_DigestUpdate(md, head, sizeof head);
        if (contiguous && n) {
            size_t span = b->foff[f0 + n - 1] + b->flen[f0 + n - 1] + 1 - b->foff[f0];
            EVP_DigestUpdate(md, b->mem + b->foff[f0], span);
        } else {
            for (size_t i = 0; i < n; i++)
                EVP_DigestUpdate(md, b->mem + b->foff[f0 + i], b->flen[f0 + i] + 1);
        }
    }
}

static int
nonblank(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
            continue;
        if ((unsigned char)v[i] == 0xC2 && i + 1 < n && (unsigned char)v[i + 1] == 0xA0) {
            i++; /* U+00A0, the no-break space spreadsheets leave */
            continue;
        }
        return 1;
    }
    return 0;
}

static int
is_name_field(int f)
{
    return f == DC_F_FULL_NAME || f == DC_F_FAMILY_NAME || f == DC_F_MIDDLE_NAME ||
           f == DC_F_GIVEN_NAME;
}

/* 1 if the writer may turn the row into a reject or hold it back as a footer row (then its
 * raw bytes are needed): not a person row plain to see, with a name or an ID and at least
 * three mapped values, and as wide as the header. */
static int
may_reject(const struct pipe *p, const struct dc_csv_row *row)
{
    const struct dc_import_summary *s = p->s;
    int nmapped = 0, who = 0;

    if (row->reject || !s || row->nfields != s->ncols)
        return 1;
    for (size_t c = 0; c < row->nfields; c++) {
        int f = s->map[c].field;

        if (f < 0 || !row->lens[c] || !nonblank(row->fields[c], row->lens[c]))
            continue;
        nmapped++;
        who |= is_name_field(f) || f == DC_F_ID_NUMBER || f == DC_F_CMND;
    }
    return !who || nmapped <= 2;
}

/* Fill b from the reader; sets p->rc and b->last. */
static void
batch_fill(struct pipe *p, struct batch *b)
{
    struct dc_csv_row row;
    int rc = 1;

    b->nrows = b->nf = b->used = 0;
    while (b->nrows < BATCH_ROWS && b->used < BATCH_BYTES) {
        rc = src_next(p->r, &row, &p->err);
        if (rc <= 0)
            break;
        if (batch_add(b, &row, may_reject(p, &row)) < 0) {
            rc = dc_error_set(&p->err, DC_EX_OSERR, "out of memory");
            break;
        }
    }
    b->bytes = src_bytes(p->r);
    b->last = rc <= 0;
    p->rc = rc < 0 ? -1 : 0;
    if (p->md) /* batches are filled in file order, one at a time */
        hash_batch(p->md, b);
}

static void *
reader_main(void *arg)
{
    struct pipe *p = arg;

    for (size_t i = p->start;; i = (i + 1) % NBATCH) {
        struct batch *b = &p->b[i];
        int last;

        pthread_mutex_lock(&p->mu);
        while (b->full && !p->cancel)
            pthread_cond_wait(&p->cv, &p->mu);
        last = p->cancel;
        pthread_mutex_unlock(&p->mu);
        if (last)
            break;
        batch_fill(p, b);
        last = b->last;
        pthread_mutex_lock(&p->mu);
        b->full = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last)
            break;
    }
    return NULL;
}

/* The writer's next batch, in order; NULL never: the reader always ends on a last batch. */
static struct batch *
pipe_take(struct pipe *p, size_t i)
{
    struct batch *b = &p->b[i];

    if (!p->threaded) {
        if (b->ready)
            b->ready = 0;
        else
            batch_fill(p, b);
        return b;
    }
    pthread_mutex_lock(&p->mu);
    while (!b->full)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void
pipe_give_back(struct pipe *p, struct batch *b)
{
    if (!p->threaded)
        return;
    pthread_mutex_lock(&p->mu);
    b->full = 0;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Stop the reader (if still running) and wait for it. */
static void
pipe_stop(struct pipe *p, pthread_t th)
{
    if (!p->threaded)
        return;
    pthread_mutex_lock(&p->mu);
    p->cancel = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(th, NULL);
    p->threaded = 0;
}

/* ---- the mapping applied to a row ----------------------------------------------------- */

struct val {
    const char *p;
    size_t n;
};

static int
blank_val(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return 0;
    return 1;
}

/* The same ID written twice (digits compared, separators ignored). */
static int
same_id(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isdigit((unsigned char)*a))
            a++;
        while (*b && !isdigit((unsigned char)*b))
            b++;
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++, b++;
    }
}

/* dc_header_id_kind, with the common case (12 or 9 bare digits) first */
static int
id_kind(const char *v, size_t n)
{
    if (n == 12 || n == 9) {
        size_t k = 0;
        while (k < n && v[k] >= '0' && v[k] <= '9')
            k++;
        if (k == n)
            return (int)n;
    }
    return dc_header_id_kind(v);
}

/* Put the value of ID column c into its field: by its digits (kind 12 or 9), else (kind 0)
 * the field its header says.  Returns 1 for a second, different number (kept in extra;
 * the first such 12-digit one noted in *spare), 0 otherwise. */
static int
place_id(struct stmts *st, struct val *vals, size_t c, const char *v, size_t n, int kind,
         int header_field, size_t *spare)
{
    int f = kind == 12 ? DC_F_ID_NUMBER : kind == 9 ? DC_F_CMND : header_field;

    if (!vals[f].p) {
        vals[f] = (struct val){v, n};
        return 0;
    }
    if (same_id(vals[f].p, v))
        return 0;
    st->to_extra[c] = 1;
    if (kind == 12 && *spare == SIZE_MAX)
        *spare = c;
    /* a note ("chưa cấp") beside an ID is kept, not a conflict */
    return kind != 0 || strpbrk(v, "0123456789") != NULL;
}

/* A tick in a Nam | Nữ column that carries no date: "x", "X", "✓", "v", "1". */
static int
is_mark(const char *p, size_t n)
{
    while (n && (*p == ' ' || p[n - 1] == ' '))
        *p == ' ' ? (p++, n--) : n--;
    return (n == 1 && strchr("xXvV1*+", *p)) || (n == 3 && memcmp(p, "\xE2\x9C\x93", 3) == 0);
}

static void
note(long *count, long *first, long line)
{
    if ((*count)++ == 0)
        *first = line;
}

/*
 * The field values of row i of b (vals[f], NULL when none) and which columns go to
 * extra (st->to_extra).  Columns of the personal ID and the old CMND are routed by
 * their content: 12 digits to id_number, 9 to cmnd, whatever the header; a value that
 * is neither goes where its header says.  A second, different value for a field goes
 * to extra and is counted (id_conflict).  A split Nam | Nữ pair gives the sex from the
 * filled column and the birth date from its value; both filled (values to extra) or
 * neither is counted.
 */
static void
assemble(struct stmts *st, struct dc_import_summary *s, const struct batch *b, size_t i,
         struct val *vals)
{
    const struct brow *br = &b->rows[i];
    size_t nc = s->ncols < br->nf ? s->ncols : br->nf;
    const size_t *split = st->split;
    int conflict = 0;

#define V(c) (b->mem + b->foff[br->f0 + (c)])
#define L(c) (b->flen[br->f0 + (c)])
    for (int k = 0; k < st->nfields; k++) /* only these are read (bind_row) */
        vals[st->fields[k]] = (struct val){NULL, 0};
    memcpy(st->to_extra, st->unmapped, s->ncols);
    for (size_t k = 0; k < st->nplain; k++) {
        size_t c = st->plain[k];
        if (c < nc && L(c))
            vals[s->map[c].field] = (struct val){V(c), L(c)};
    }
    if (st->nids) {
        size_t spare = SIZE_MAX; /* a second, different 12-digit number */
        size_t later[16], nlater = 0;
        /* first the values whose digits say what they are, then the others */
        for (size_t k = 0; k < st->nids; k++) {
            size_t c = st->ids[k];
            int kind;
            if (c >= nc || !L(c))
                continue;
            kind = id_kind(V(c), L(c));
            if (kind)
                conflict |= place_id(st, vals, c, V(c), L(c), kind, -1, &spare);
            else if (nlater < sizeof later / sizeof later[0])
                later[nlater++] = c;
            else
                st->to_extra[c] = 1; /* a seventeenth ID column: kept, not placed */
        }
        for (size_t k = 0; k < nlater; k++) {
            size_t c = later[k];
            if (!blank_val(V(c), L(c)))
                conflict |= place_id(st, vals, c, V(c), L(c), 0, s->map[c].field, &spare);
        }
        /* with no 9-digit CMND, a second 12-digit number stays in src_row as a 12-digit
         * CMND (2012-2015 cards): crosscheck then says CMND_ID12_DIFFERS on the record */
        if (spare != SIZE_MAX && !vals[DC_F_CMND].p) {
            vals[DC_F_CMND] = (struct val){V(spare), L(spare)};
            st->to_extra[spare] = 0;
        }
        if (conflict)
            note(&s->id_conflict, &s->id_conflict_line, br->line);
    }
    if (split[0] < nc && split[1] < nc) {
        int m = !blank_val(V(split[0]), L(split[0])), w = !blank_val(V(split[1]), L(split[1]));
        if (m && w) {
            st->to_extra[split[0]] = st->to_extra[split[1]] = 1;
            note(&s->split_both, &s->split_both_line, br->line);
        } else if (!m && !w) {
            if (!vals[DC_F_SEX].p)
                note(&s->split_none, &s->split_none_line, br->line);
        } else {
            size_t c = split[!m];
            const char *v = V(c);
            if (!vals[DC_F_SEX].p)
                vals[DC_F_SEX] = m ? (struct val){"Nam", 3} : (struct val){"Nữ", strlen("Nữ")};
            if (strpbrk(v, "0123456789") && !is_mark(v, L(c))) {
                if (!vals[DC_F_DOB].p)
                    vals[DC_F_DOB] = (struct val){v, L(c)};
                else
                    st->to_extra[c] = 1; /* a birth-date column has its own: keep this one */
            } else if (!is_mark(v, L(c))) {
                st->to_extra[c] = 1;
            }
        }
    }
#undef V
#undef L
}

/* Row i of b as the src_row parameters base + 1 .. base + nparam.  SQLITE_STATIC: the
 * values stay in the batch until the statement has run; the statement keeps the pointers
 * afterwards, but every parameter is bound again before each run. */
static void
bind_row(sqlite3_stmt *q, int base, long long batch, const struct stmts *st,
         const struct batch *b, size_t i, const struct val *vals, const char *extra,
         size_t extra_len)
{
    const struct brow *br = &b->rows[i];
    int param = base + FIELD_PARAM;

    sqlite3_bind_int64(q, base + 1, batch);
    sqlite3_bind_int64(q, base + 2, br->rownum - st->shift);
    sqlite3_bind_int64(q, base + 3, br->line);
    if (extra_len)
        sqlite3_bind_text(q, base + 4, extra, (int)extra_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, base + 4);
    for (int k = 0; k < st->nfields; k++) {
        int f = st->fields[k];
        /* lengths given: no strlen per value inside SQLite (a field is at most max_field
         * bytes, far below 2 GiB) */
        if (vals[f].n)
            sqlite3_bind_text(q, param++, vals[f].p, (int)vals[f].n, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, param++);
    }
}

/* The non-empty values of row i that go to extra (st->to_extra) as a JSON object appended
 * to extra (nothing when there are none); its offset and length in *off, *len. */
static int
build_extra(const struct stmts *st, const struct batch *b, size_t i,
            const struct dc_import_summary *s, struct dc_buf *extra, size_t *off, size_t *len,
            struct dc_error *err)
{
    const struct brow *br = &b->rows[i];
    size_t start = extra->len;
    int nextra = 0;

    for (size_t c = 0; c < s->ncols && c < br->nf; c++) {
        if (!st->to_extra[c] || b->flen[br->f0 + c] == 0)
            continue;
        dc_buf_puts(extra, nextra++ ? ", " : "{");
        dc_buf_add(extra, st->keys[c], st->keylen[c]);
        dc_json_str(extra, b->mem + b->foff[br->f0 + c]);
    }
    if (nextra)
        dc_buf_putc(extra, '}');
    if (extra->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    *off = start;
    *len = extra->len - start;
    return 0;
}

static int
step_insert(struct dc_db *db, sqlite3_stmt *q, struct dc_error *err)
{
    int rc = sqlite3_step(q);

    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "insert src_row", err);
    return 0;
}

/* Insert the good rows idx[0 .. n-1] of b (n <= MULTI_ROWS): one statement when they fill
 * the multi-row one, else row by row. */
static int
insert_rows(struct dc_db *db, struct stmts *st, long long batch, const struct batch *b,
            const size_t *idx, size_t n, struct dc_import_summary *s, struct dc_buf *extra,
            struct dc_error *err)
{
    size_t off[MULTI_ROWS], len[MULTI_ROWS];
    struct val vals[MULTI_ROWS][DC_F_COUNT];

    dc_buf_reset(extra);
    for (size_t r = 0; r < n; r++) {
        assemble(st, s, b, idx[r], vals[r]);
        if (build_extra(st, b, idx[r], s, extra, &off[r], &len[r], err) < 0)
            return -1;
    }
    /* from here the buffer does not move: pointers into it can be bound */
    if (st->multi && n == st->multi) {
        for (size_t r = 0; r < n; r++)
            bind_row(st->rows, (int)r * st->nparam, batch, st, b, idx[r], vals[r],
                     dc_buf_str(extra) + off[r], len[r]);
        return step_insert(db, st->rows, err);
    }
    for (size_t r = 0; r < n; r++) {
        bind_row(st->row, 0, batch, st, b, idx[r], vals[r], dc_buf_str(extra) + off[r], len[r]);
        if (step_insert(db, st->row, err) < 0)
            return -1;
    }
    return 0;
}

/* Start the pipe on reader r and fill its first batch here: the mapping looks at those
 * rows (a second header row, columns known by content) before anything is inserted. */
static int
pipe_open(struct pipe *p, struct src *r, struct dc_error *err)
{
    memset(p, 0, sizeof *p);
    p->r = r;
    p->err = (struct dc_error)DC_ERROR_INIT;
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return dc_error_set(err, DC_EX_OSERR, "cannot create a mutex");
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return dc_error_set(err, DC_EX_OSERR, "cannot create a condition variable");
    }
    p->md = EVP_MD_CTX_new();
    if (!p->md || EVP_DigestInit_ex(p->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(p->md);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        return dc_error_set(err, DC_EX_OSERR, "SHA-256 init failed");
    }
    /* no header record: the header and the rows above it are hashed as rows */
    batch_fill(p, &p->b[0]);
    p->b[0].ready = 1;
    p->start = 1;
    return 0;
}

static void
pipe_close(struct pipe *p)
{
    for (size_t i = 0; i < NBATCH; i++)
        batch_release(&p->b[i]);
    EVP_MD_CTX_free(p->md);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
}

/* The hex SHA-256 of the rows, once the reader is done. */
static int
pipe_rows_sha256(struct pipe *p, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(p->md, md, &n) != 1 || n != 32)
        return -1;
    for (unsigned int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* 1 when row k of b repeats the header row (n cells) field for field. */
static int
is_header_again(const struct batch *b, size_t k, char *const *h, const size_t *hl, size_t n)
{
    const struct brow *br = &b->rows[k];

    if (br->nf != n || br->nf == 0)
        return 0;
    for (size_t i = 0; i < br->nf; i++)
        if (b->flen[br->f0 + i] != hl[i] ||
            memcmp(b->mem + b->foff[br->f0 + i], h[i], hl[i]) != 0)
            return 0;
    return 1;
}

/* ---- rows that are not people --------------------------------------------------------- */

enum rowkind { RK_RECORD, RK_REJECT, RK_BLANK, RK_FOOTER };

struct pend {
    long rownum, line;
    char *raw;
    size_t raw_len;
};

/* The writer's walk over one file's rows below the header. */
struct walk {
    struct dc_db *db;
    struct stmts *st;
    long long batch;
    const char *path;
    const struct dc_import_opts *o;
    struct dc_import_summary *s;
    int workbook;
    struct dc_buf extra;
    int in_footer;          /* a total or signature line was seen, and no person since */
    struct pend *pend;      /* footer rows held back: skipped at the end, rejected if a */
    size_t npend;           /* person follows them */
    const char *reason;     /* of the row classified RK_REJECT */
    char why[96];
    char **hcells;          /* the header row as read, to tell it repeated below */
    size_t *hlens, hn;
};

/* Does a word sequence start at the beginning of key or after a space? */
static const char *
word(const char *key, const char *w)
{
    size_t n = strlen(w);

    for (const char *p = strstr(key, w); p; p = strstr(p + 1, w))
        if ((p == key || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return p;
    return NULL;
}

/* The lines printed below a register's people (seen on commune forms; research/records.md
 * §5): a total ("Tổng cộng: 40 nhân khẩu", "Cộng: 12"), the place and date ("Phúc Xá, ngày
 * 15 tháng 3 năm 2025"), who signs ("Người lập biểu", "Trưởng Công an xã", "Chủ tịch UBND")
 * and how ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)").  Compared on fold keys.  Bare
 * "truong" is not a title here: it is also the family name Trương. */
static int
footer_key(const char *key)
{
    static const char *const starts[] = {
        "tong cong", "tong so", "xac nhan", "chu tich", "truong cong an", "truong thon",
        "truong ban", "truong ap", "truong khu pho", "truong to dan pho", "thu truong",
        "ky ten", "ky ghi ro", "ky va ghi ro", "ky dong dau", "ky ho ten",
    };
    static const char *const anywhere[] = {
        "nguoi lap", "ghi ro ho ten", "dong dau", "ky ten", "can bo lap", "ubnd",
    };
    const char *d;

    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (strncmp(key, starts[i], strlen(starts[i])) == 0)
            return 1;
    for (size_t i = 0; i < sizeof anywhere / sizeof anywhere[0]; i++)
        if (word(key, anywhere[i]))
            return 1;
    /* "Cộng: 40", "Tổng: 40" */
    if ((strncmp(key, "cong ", 5) == 0 && key[5] >= '0' && key[5] <= '9') ||
        (strncmp(key, "tong ", 5) == 0 && key[5] >= '0' && key[5] <= '9'))
        return 1;
    /* "..., ngày 15 tháng 3 năm 2025" (or with dots for the clerk to fill in) */
    if ((d = word(key, "ngay")) != NULL && (d = word(d, "thang")) != NULL && word(d, "nam"))
        return 1;
    return 0;
}

static int
footer_text(const struct batch *b, const struct brow *br)
{
    char text[512], key[1024];
    size_t len = 0;

    for (size_t c = 0; c < br->nf; c++) {
        const char *v = b->mem + b->foff[br->f0 + c];
        size_t n = b->flen[br->f0 + c];

        if (!nonblank(v, n))
            continue;
        if (len && len + 1 < sizeof text)
            text[len++] = ' ';
        if (n > sizeof text - 1 - len) {
            n = sizeof text - 1 - len;
            while (n && ((unsigned char)v[n] & 0xC0) == 0x80)
                n--; /* not inside a UTF-8 sequence */
        }
        memcpy(text + len, v, n);
        len += n;
    }
    text[len] = '\0';
    return len && dc_text_fold(text, key, sizeof key) == 0 && footer_key(key);
}

static enum rowkind
classify(struct walk *w, const struct batch *b, size_t k)
{
    const struct brow *br = &b->rows[k];
    const struct dc_import_summary *s = w->s;
    int nmapped = 0, name = 0, id = 0, dob = 0;
    size_t beyond = 0;

    if (br->reason != SIZE_MAX) {
        w->reason = b->mem + br->reason;
        return RK_REJECT;
    }
    for (size_t c = 0; c < br->nf; c++) {
        int f;

        if (!nonblank(b->mem + b->foff[br->f0 + c], b->flen[br->f0 + c]))
            continue;
        if (c >= s->ncols) {
            if (!beyond)
                beyond = c + 1;
            continue;
        }
        if ((f = s->map[c].field) < 0)
            continue;
        nmapped++;
        name |= is_name_field(f);
        id |= f == DC_F_ID_NUMBER || f == DC_F_CMND;
        dob |= f == DC_F_DOB;
    }
    if (!id && nmapped <= 2 && footer_text(b, br)) {
        w->in_footer = 1;
        return RK_FOOTER;
    }
    if (nmapped == 0 && !beyond)
        return RK_BLANK;
    if (w->in_footer && nmapped < 3 && !id && !dob)
        return RK_FOOTER; /* the signers' names under "Người lập biểu" and the chief's title */
    if (!w->workbook && br->nf != s->ncols) {
        snprintf(w->why, sizeof w->why, "ragged row: %zu fields, header has %zu", br->nf,
                 s->ncols);
        w->reason = w->why;
        return RK_REJECT;
    }
    if (beyond) {
        snprintf(w->why, sizeof w->why, "a value in column %zu, right of the header's last",
                 beyond);
        w->reason = w->why;
        return RK_REJECT;
    }
    if (!name && !id) {
        w->reason = "no name and no ID";
        return RK_REJECT;
    }
    return RK_RECORD;
}

/* The held-back footer rows were not the end after all: they become rejects. */
static int
flush_pending(struct walk *w, struct dc_error *err)
{
    int rc = 0;

    for (size_t i = 0; i < w->npend; i++) {
        struct pend *q = &w->pend[i];

        if (rc == 0) {
            rc = insert_reject(w->db, w->st, w->batch, w->s->source, w->path, q->rownum,
                               q->line, "a total or signature line with people below it",
                               q->raw, q->raw_len, err);
            w->s->rejected += rc == 0;
        }
        free(q->raw);
    }
    w->npend = 0;
    w->in_footer = 0;
    return rc;
}

static int
hold_footer(struct walk *w, const struct batch *b, size_t k, struct dc_error *err)
{
    const struct brow *br = &b->rows[k];
    struct pend *q;

    if (w->npend == MAX_PENDING && flush_pending(w, err) < 0)
        return -1;
    if (!w->pend && !(w->pend = calloc(MAX_PENDING, sizeof *w->pend)))
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    q = &w->pend[w->npend];
    q->rownum = br->rownum;
    q->line = br->line;
    q->raw_len = br->raw_len;
    q->raw = malloc(br->raw_len + 1);
    if (!q->raw)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    memcpy(q->raw, b->mem + br->raw, br->raw_len);
    w->npend++;
    return 0;
}

/* Insert, reject or skip rows from .. b->nrows - 1 of b. */
static int
drain(struct walk *w, const struct batch *b, size_t from, struct dc_error *err)
{
    struct dc_import_summary *s = w->s;
    size_t good[MULTI_ROWS], ngood = 0;
    size_t want = w->st->multi ? w->st->multi : 1;
    int rc = 0;

    for (size_t k = from; k < b->nrows && rc == 0; k++) {
        const struct brow *br = &b->rows[k];

        if (br->reason == SIZE_MAX && is_header_again(b, k, w->hcells, w->hlens, w->hn)) {
            /* files joined with cat: the header again is no person (issue 19) */
            s->header_repeats++;
            continue;
        }
        s->rows_read++;
        switch (classify(w, b, k)) {
        case RK_BLANK:
            s->skipped_blank++;
            break;
        case RK_FOOTER:
            rc = hold_footer(w, b, k, err);
            break;
        case RK_REJECT:
            rc = insert_reject(w->db, w->st, w->batch, s->source, w->path, br->rownum, br->line,
                               w->reason, b->mem + br->raw, br->raw_len, err);
            s->rejected += rc == 0;
            break;
        case RK_RECORD:
            if (w->npend && (rc = flush_pending(w, err)) < 0)
                break;
            w->in_footer = 0;
            /* good rows wait for a full statement; rejects go to their own table, so
             * the src_row ids come out as with one insert per row */
            good[ngood++] = k;
            if (ngood == want) {
                rc = insert_rows(w->db, w->st, w->batch, b, good, ngood, s, &w->extra, err);
                s->imported += rc == 0 ? (long)ngood : 0;
                ngood = 0;
            }
            break;
        }
        if (w->o->progress && s->rows_read % PROGRESS_EVERY == 0)
            w->o->progress(w->o->progress_ud, b->bytes, s->rows_read);
    }
    if (rc == 0 && ngood) { /* before the reader may reuse the batch */
        rc = insert_rows(w->db, w->st, w->batch, b, good, ngood, s, &w->extra, err);
        s->imported += rc == 0 ? (long)ngood : 0;
    }
    return rc;
}

/* Insert every row of the file after the header rows (skip: the rows of the first batch
 * up to the first data row): 0 at its end, -1 with err set. */
static int
import_rows(struct walk *w, struct pipe *p, size_t skip, struct dc_error *err)
{
    pthread_t th;
    int rc = 0;

    p->s = w->s;
    /* the first batch is there already; the reader goes on with the next */
    p->b[0].full = 1;
    p->threaded = !p->b[0].last && pthread_create(&th, NULL, reader_main, p) == 0;
    for (size_t i = 0;; i = (i + 1) % NBATCH) {
        struct batch *b = pipe_take(p, i);
        int last = b->last;

        rc = drain(w, b, skip, err);
        skip = 0;
        pipe_give_back(p, b);
        if (rc < 0 || last)
            break;
    }
    pipe_stop(p, th);
    /* after the join: p->rc and p->err are the reader's last word */
    if (rc == 0 && p->rc < 0) {
        *err = p->err;
        rc = -1;
    }
    if (rc == 0) { /* footer rows after the last person: skipped */
        w->s->skipped_footer += (long)w->npend;
        for (size_t i = 0; i < w->npend; i++)
            free(w->pend[i].raw);
        w->npend = 0;
    }
    return rc;
}

/* ---- the header ---------------------------------------------------------------------- */

/* 1 when no column is named by its header text (alias, cleaned, --map) and some header
 * cell is not a generic one ("Cột 5", a number, empty): the row is not a header but data. */
static int
looks_like_data(const struct dc_import_summary *s)
{
    int generic = 1;

    for (size_t i = 0; i < s->ncols; i++) {
        enum dc_header_how how = s->map[i].how;
        if (how == DC_HDR_ALIAS || how == DC_HDR_CLEANED || how == DC_HDR_MAP)
            return 0;
        generic = generic && dc_header_generic(s->headers[i]);
    }
    return !generic;
}

/* How header-like row k of b is: header.c's score (aliases, cleaned aliases), or the
 * columns the --map file names when that is more. */
static int
header_score(const struct batch *b, size_t k, const struct dc_mapfile *map, const char **cells,
             struct dc_header_map *out)
{
    const struct brow *br = &b->rows[k];
    struct dc_error e = DC_ERROR_INIT;
    int n = 0, sc;

    for (size_t c = 0; c < br->nf; c++)
        cells[c] = b->mem + b->foff[br->f0 + c];
    sc = dc_header_score(cells, br->nf);
    if (map && dc_header_map(cells, br->nf, map, out, &e) == 0)
        for (size_t c = 0; c < br->nf; c++)
            n += out[c].how == DC_HDR_MAP && out[c].field >= 0;
    return n > sc ? n : sc;
}

/* Is row k + 1 of b a second header row (sub-columns, or column numbers) under row k?
 * cells: room for the widest row, twice. */
static int
sub_row(const struct batch *b, size_t k, const char **cells)
{
    const struct brow *t = &b->rows[k], *u = &b->rows[k + 1];

    for (size_t c = 0; c < t->nf; c++)
        cells[c] = b->mem + b->foff[t->f0 + c];
    for (size_t c = 0; c < u->nf; c++)
        cells[t->nf + c] = b->mem + b->foff[u->f0 + c];
    return dc_header_subrow(cells, t->nf, cells + t->nf, u->nf) != DC_SUBROW_NONE;
}

/* The header among the first rows (the first batch, read before anything is inserted):
 * the row of the first HEADER_SCAN whose cells name the most fields, at least two, the
 * first of equals; or the row --header-row names; or, when no row names two fields, the
 * first row with a value (what a plain CSV file has).  *hdr = its index in b. */
static int
find_header(const struct batch *b, const struct dc_import_opts *o, const char *path,
            size_t *hdr, struct dc_error *err)
{
    const char **cells;
    struct dc_header_map *out;
    size_t best = SIZE_MAX, first = SIZE_MAX, maxnf = 0;
    int best_score = 1;

    for (size_t k = 0; k < b->nrows; k++)
        if (b->rows[k].nf > maxnf)
            maxnf = b->rows[k].nf;
    cells = calloc(2 * maxnf + 1, sizeof *cells);
    out = calloc(maxnf + 1, sizeof *out);
    if (!cells || !out) {
        free(cells);
        free(out);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    for (size_t k = 0; k < b->nrows && (o->header_row || k < HEADER_SCAN); k++) {
        const struct brow *br = &b->rows[k];
        int sc, any = 0;

        if (br->reason != SIZE_MAX)
            continue;
        if (o->header_row) {
            if (br->line == o->header_row)
                best = k;
            continue;
        }
        for (size_t c = 0; c < br->nf && !any; c++)
            any = nonblank(b->mem + b->foff[br->f0 + c], b->flen[br->f0 + c]);
        if (any && first == SIZE_MAX)
            first = k;
        sc = header_score(b, k, o->map, cells, out);
        if (sc > 0 && k + 1 < b->nrows && b->rows[k + 1].reason == SIZE_MAX &&
            sub_row(b, k, cells))
            /* "Năm sinh" over "Nam" | "Nữ": the group row and its sub-columns are one
             * header, which starts at the group row */
            sc += header_score(b, k + 1, o->map, cells, out);
        if (sc > best_score) {
            best = k;
            best_score = sc;
        }
    }
    free(cells);
    free(out);
    if (best == SIZE_MAX && !o->header_row)
        best = first;
    if (best != SIZE_MAX) {
        *hdr = best;
        return 0;
    }
    if (o->header_row)
        return dc_error_at(err, DC_EX_DATAERR, path, 0, NULL,
                           "--header-row %ld: no such row among the first %zu, or it cannot "
                           "be read",
                           o->header_row, b->nrows);
    if (b->nrows && b->rows[0].reason != SIZE_MAX) {
        /* a refused header is not stored: the reason's note on raw bytes kept does not
         * apply (issue 19) */
        const char *why = b->mem + b->rows[0].reason, *kept = strstr(why, "; raw bytes kept");

        return dc_error_at(err, DC_EX_DATAERR, path, b->rows[0].line, NULL, "header: %.*s",
                           kept ? (int)(kept - why) : (int)strlen(why), why);
    }
    return dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "no header record (empty input)");
}

/*
 * Map the columns: the header row, combined with a second header row when the first
 * rows hold one (merged cells: "Năm sinh" over "Nam" | "Nữ") and past a row of column
 * numbers; then columns whose header says nothing, by what the first batch holds; then
 * which person fields no column gives.  hdr: the header's row in b; *skip: the first row
 * of b below the header.
 */
static int
map_columns(const struct batch *b, size_t hdr, const struct dc_mapfile *map,
            struct dc_import_summary *s, size_t *skip, struct dc_error *err)
{
    const struct brow *hb = &b->rows[hdr];
    const char **hcells = calloc(hb->nf + 1, sizeof *hcells);
    const char *const *top = hcells;
    size_t n = hb->nf;
    char **comb = NULL, **cells = NULL;
    struct dc_header_sniff *sniff = NULL;
    int rc = -1;

    if (!hcells)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (size_t c = 0; c < hb->nf; c++)
        hcells[c] = b->mem + b->foff[hb->f0 + c];
    *skip = hdr + 1;
    s->header_rows = 1;
    for (int k = 0; k < 2 && *skip < b->nrows; k++) {
        const struct brow *br = &b->rows[*skip];
        int kind;

        if (br->reason != SIZE_MAX)
            break;
        free(cells);
        cells = calloc(br->nf ? br->nf : 1, sizeof *cells);
        if (!cells)
            goto oom;
        for (size_t c = 0; c < br->nf; c++)
            cells[c] = b->mem + b->foff[br->f0 + c];
        kind = comb ? DC_SUBROW_NONE : dc_header_subrow(top, n, (const char *const *)cells,
                                                          br->nf);
        if (comb && dc_header_subrow(top, n, (const char *const *)cells, br->nf) ==
                        DC_SUBROW_NUMBERS)
            kind = DC_SUBROW_NUMBERS;
        if (kind == DC_SUBROW_NONE)
            break;
        (*skip)++;
        s->header_rows++;
        if (kind == DC_SUBROW_NUMBERS)
            break;
        size_t nn = n > br->nf ? n : br->nf;
        comb = calloc(nn, sizeof *comb);
        if (!comb || dc_header_combine(top, n, (const char *const *)cells, br->nf, comb, err) < 0)
            goto fail;
        top = (const char *const *)comb;
        n = nn;
    }
    s->ncols = n;
    s->headers = calloc(n ? n : 1, sizeof *s->headers);
    s->map = calloc(n ? n : 1, sizeof *s->map);
    sniff = calloc(n ? n : 1, sizeof *sniff);
    if (!s->headers || !s->map || !sniff)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        s->headers[i] = strdup(top[i] ? top[i] : "");
        if (!s->headers[i])
            goto oom;
    }
    if (dc_header_map((const char *const *)s->headers, n, map, s->map, err) < 0)
        goto fail;
    for (size_t r = *skip; r < b->nrows; r++) {
        const struct brow *br = &b->rows[r];
        for (size_t c = 0; br->reason == SIZE_MAX && c < n && c < br->nf; c++)
            if (s->map[c].field < 0)
                dc_header_sniff_add(&sniff[c], b->mem + b->foff[br->f0 + c]);
    }
    dc_header_by_content((const char *const *)s->headers, s->map, sniff, n);
    s->nmissing = dc_header_missing(s->map, n, s->missing, sizeof s->missing);
    if (looks_like_data(s)) {
        /* A file without a header row: its first person would be taken for the header,
         * printed on stderr as column names and be neither record nor reject (issue 19). */
        dc_error_at(err, DC_EX_DATAERR, NULL, hb->line, NULL,
                    "the first row names no column dancu knows and looks like data (a file "
                    "without a header row?): nothing imported; add a header row, or name "
                    "the columns with --map FILE");
        goto fail;
    }
    rc = 0;
    goto fail;
oom:
    dc_error_set(err, DC_EX_OSERR, "out of memory");
fail:
    if (comb)
        for (size_t i = 0; i < n; i++)
            free(comb[i]);
    free(comb);
    free(cells);
    free(sniff);
    free(hcells);
    return rc;
}

/* --replace: remove the earlier import batches of s->source (all but batch), with their
 * records, rejects and column maps, inside the import's transaction.  Statements with
 * bound parameters, prepared per file (a replace is rare). */
static int
replace_source(struct dc_db *db, long long batch, struct dc_import_summary *s,
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
    long long batch = 0;
    size_t skip = 0, hdr = 0;
    int rc, in_tx = 0, piped = 0;

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
        dc_error_set(err, DC_EX_USAGE, "the file name is too long for a source name: "
                                       "give --source");
        goto fail;
    }
    if (open_source(path, o, &r, s, err) < 0)
        goto fail;
    if (pipe_open(&p, &r, err) < 0)
        goto fail;
    piped = 1;
    if (p.rc < 0) { /* the first batch already met the file's failure */
        *err = p.err;
        goto fail;
    }
    if (find_header(&p.b[0], o, path, &hdr, err) < 0 ||
        map_columns(&p.b[0], hdr, o->map, s, &skip, err) < 0)
        goto fail;
    s->header_row = p.b[0].rows[hdr].line;
    s->skipped_above = (long)hdr;
    if (dc_db_begin(db, err) < 0)
        goto fail;
    in_tx = 1;
    if (prepare_all(db, &st, s, err) < 0 ||
        dc_db_batch_start(db, "import", o->now_iso, &batch, err) < 0 ||
        write_colmap(db, &st, batch, s, err) < 0)
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
    if (rc == 0 && pipe_rows_sha256(&p, s->rows_sha256) < 0)
        rc = dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 failed");
    pipe_close(&p);
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
        }
        else if (rc != SQLITE_DONE) {
            dc_db_fail(db, rc, "select batch", err);
            goto fail;
        }
        sqlite3_reset(st.dup);
        if (s->duplicate_of) {
            /* Same bytes already imported: leave the DB as it was. */
            finalize_all(&st);
            dc_db_rollback(db);
            goto done;
        }
    }
    if (o->replace && replace_source(db, batch, s, err) < 0)
        goto fail;
    if (finish_batch(db, &st, batch, path, s, o->now_iso, err) < 0)
        goto fail;
    finalize_all(&st);
    if (dc_db_commit(db, err) < 0)
        goto fail;
    s->batch_id = batch;
done:
    walk_release(&w);
    src_close(&r);
    return 0;
fail:
    if (piped)
        pipe_close(&p);
    finalize_all(&st);
    if (in_tx)
        dc_db_rollback(db);
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
