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
#include "json.h"

#define DC_STR_(x) #x
#define DC_STR(x) DC_STR_(x)

enum {
    PROGRESS_EVERY = 8192,
    FIELD_PARAM = 5, /* parameter of the first field (after batch, row, line, extra) */
    NBATCH = 3,
    BATCH_ROWS = 512,
    BATCH_BYTES = 256 << 10,
    MULTI_ROWS = 64, /* rows per INSERT statement (see prepare_all) */
};

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if there is none
 * (Unicode 15 Table 3-7: no overlongs, no surrogates, nothing over U+10FFFF). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;

    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
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
        if ((k = utf8_seq(s + i, n - i)) == 0)
            return "the source name is not UTF-8";
    }
    return NULL;
}

int
dc_import_source_name(const char *path, char *out, size_t size)
{
    static const char *const exts[] = {".gz", ".csv", ".tsv", ".txt", ".tab"};
    const char *base = strrchr(path, '/');
    size_t n, k = 0;

    if (strcmp(path, "-") == 0)
        base = "stdin";
    else
        base = base ? base + 1 : path;
    /* whole, never cut; a byte that is not text is written as \xNN so that the name is
     * valid UTF-8 and cannot forge a line on stderr */
    for (const unsigned char *s = (const unsigned char *)base; *s;) {
        size_t len = utf8_seq(s, strlen((const char *)s));
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
                      "detail = ?10, finished = ?11 WHERE id = ?1",
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
              const char *path, const struct dc_csv_row *row, struct dc_error *err)
{
    sqlite3_stmt *q = st->reject;

    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, row->rownum - st->shift);
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
    char delim[8], detail[384];

    if (s->delimiter == '\t')
        snprintf(delim, sizeof delim, "tab");
    else
        snprintf(delim, sizeof delim, "%c", s->delimiter ? s->delimiter : ',');
    /* the mapping's findings stay with the batch (header.h; no personal data), and the
     * hash of the decoded rows that tells a re-import in other bytes */
    snprintf(detail, sizeof detail,
             "{\"confidence\": %.2f, \"header_rows\": %d, \"no_column_for\": %d, "
             "\"split_both\": %ld, \"split_none\": %ld, \"id_conflict\": %ld, "
             "\"header_repeats\": %ld, \"rows_sha256\": \"%s\"}",
             s->confidence, s->header_rows, s->nmissing, s->split_both, s->split_none,
             s->id_conflict, s->header_repeats, s->rows_sha256);
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
    struct dc_csv_reader *r;
    struct batch b[NBATCH];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int threaded, cancel, rc; /* rc: the reader's last dc_csv_next result */
    size_t start;             /* the first batch the reader fills */
    struct dc_error err;      /* the reader's error */
    EVP_MD_CTX *md;           /* SHA-256 of the decoded rows, in file order (NULL: none) */
    /* the writer's view of the row being inserted */
    char **fp;
    size_t *lp, fpcap;
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
batch_add(struct batch *b, const struct dc_csv_row *row)
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
    br->raw_len = row->raw && row->reject ? row->raw_len : 0;
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

/* Fill b from the reader; sets p->rc and b->last. */
static void
batch_fill(struct pipe *p, struct batch *b)
{
    struct dc_csv_row row;
    int rc = 1;

    b->nrows = b->nf = b->used = 0;
    while (b->nrows < BATCH_ROWS && b->used < BATCH_BYTES) {
        rc = dc_csv_next(p->r, &row, &p->err);
        if (rc <= 0)
            break;
        if (batch_add(b, &row) < 0) {
            rc = dc_error_set(&p->err, DC_EX_OSERR, "out of memory");
            break;
        }
    }
    b->bytes = dc_csv_bytes_read(p->r);
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

/* Row i of b as a csv row; fields point into the batch. */
static int
pipe_row(struct pipe *p, const struct batch *b, size_t i, struct dc_csv_row *row)
{
    const struct brow *br = &b->rows[i];

    if (p->fpcap < br->nf + 1) {
        char **f = realloc(p->fp, (br->nf + 1) * sizeof *f);
        size_t *l;

        if (!f)
            return -1;
        p->fp = f;
        l = realloc(p->lp, (br->nf + 1) * sizeof *l);
        if (!l)
            return -1;
        p->lp = l;
        p->fpcap = br->nf + 1;
    }
    for (size_t k = 0; k < br->nf; k++) {
        p->fp[k] = b->mem + b->foff[br->f0 + k];
        p->lp[k] = b->flen[br->f0 + k];
    }
    p->fp[br->nf] = NULL;
    memset(row, 0, sizeof *row);
    row->rownum = br->rownum;
    row->line = br->line;
    row->nfields = br->nf;
    row->fields = p->fp;
    row->lens = p->lp;
    row->raw = b->mem + br->raw;
    row->raw_len = br->raw_len;
    row->reject = br->reason == SIZE_MAX ? NULL : b->mem + br->reason;
    return 0;
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
pipe_open(struct pipe *p, struct dc_csv_reader *r, struct dc_error *err)
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
    {
        const struct dc_csv_row *h = dc_csv_header(r);
        EVP_DigestUpdate(p->md, "H", 1);
        hash_fields(p->md, (const char *const *)h->fields, h->lens, h->nfields);
    }
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
    free(p->fp);
    free(p->lp);
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

/* 1 when row k of b repeats the header row field for field. */
static int
is_header_again(const struct batch *b, size_t k, const struct dc_csv_row *h)
{
    const struct brow *br = &b->rows[k];

    if (br->nf != h->nfields || br->nf == 0)
        return 0;
    for (size_t i = 0; i < br->nf; i++)
        if (b->flen[br->f0 + i] != h->lens[i] ||
            memcmp(b->mem + b->foff[br->f0 + i], h->fields[i], h->lens[i]) != 0)
            return 0;
    return 1;
}

/* Insert every row of the file after the header rows (skip: those in the first batch):
 * 0 at its end, -1 with err set. */
static int
import_rows(struct dc_db *db, struct stmts *st, long long batch, const char *path,
            struct pipe *pp, size_t skip, const struct dc_import_opts *o,
            struct dc_import_summary *s, struct dc_error *err)
{
    struct pipe *p = pp;
    struct dc_buf extra = DC_BUF_INIT;
    const struct dc_csv_row *hdr = dc_csv_header(p->r); /* read-only once open */
    pthread_t th;
    int rc = 0;

    /* the first batch is there already; the reader goes on with the next */
    p->b[0].full = 1;
    p->threaded = !p->b[0].last && pthread_create(&th, NULL, reader_main, p) == 0;
    for (size_t i = 0;; i = (i + 1) % NBATCH) {
        struct batch *b = pipe_take(p, i);
        int last = b->last;
        size_t good[MULTI_ROWS], ngood = 0;
        size_t want = st->multi ? st->multi : 1;

        for (size_t k = skip; k < b->nrows && rc == 0; k++) {
            if (b->rows[k].reason == SIZE_MAX && is_header_again(b, k, hdr)) {
                /* files joined with cat: the header again is no person (issue 19) */
                s->header_repeats++;
                continue;
            }
            s->rows_read++;
            if (b->rows[k].reason != SIZE_MAX) {
                struct dc_csv_row row;

                if (pipe_row(p, b, k, &row) < 0)
                    rc = dc_error_set(err, DC_EX_OSERR, "out of memory");
                else
                    rc = insert_reject(db, st, batch, s->source, path, &row, err);
                s->rejected += rc == 0;
            } else {
                /* good rows wait for a full statement; rejects go to their own table, so
                 * the src_row ids come out as with one insert per row */
                good[ngood++] = k;
                if (ngood == want) {
                    rc = insert_rows(db, st, batch, b, good, ngood, s, &extra, err);
                    s->imported += rc == 0 ? (long)ngood : 0;
                    ngood = 0;
                }
            }
            if (o->progress && s->rows_read % PROGRESS_EVERY == 0)
                o->progress(o->progress_ud, b->bytes, s->rows_read);
        }
        skip = 0;
        if (rc == 0 && ngood) { /* before the reader may reuse the batch */
            rc = insert_rows(db, st, batch, b, good, ngood, s, &extra, err);
            s->imported += rc == 0 ? (long)ngood : 0;
        }
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
    dc_buf_release(&extra);
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

/*
 * Map the columns: the header row, combined with a second header row when the first
 * rows hold one (merged cells: "Năm sinh" over "Nam" | "Nữ") and past a row of column
 * numbers; then columns whose header says nothing, by what the first batch holds; then
 * which person fields no column gives.  *skip: the rows of b that were header.
 */
static int
map_columns(const struct dc_csv_row *h, const struct batch *b, const struct dc_mapfile *map,
            struct dc_import_summary *s, size_t *skip, struct dc_error *err)
{
    const char *const *top = (const char *const *)h->fields;
    size_t n = h->nfields;
    char **comb = NULL, **cells = NULL;
    struct dc_header_sniff *sniff = NULL;
    int rc = -1;

    *skip = 0;
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
        dc_error_at(err, DC_EX_DATAERR, NULL, h->line, NULL,
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
    return rc;
}

int
dc_import_file(struct dc_db *db, const char *path, const struct dc_import_opts *o,
               struct dc_import_summary *s, struct dc_error *err)
{
    struct dc_csv_reader *r = NULL;
    struct stmts st = {0};
    struct pipe p;
    long long batch = 0;
    size_t skip = 0;
    int rc, in_tx = 0, piped = 0;

    memset(s, 0, sizeof *s);
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
    r = dc_csv_open(path, &o->csv, err);
    if (!r)
        goto fail;
    snprintf(s->encoding, sizeof s->encoding, "%s", dc_csv_encoding(r));
    s->confidence = dc_csv_confidence(r);
    s->delimiter = dc_csv_delimiter(r);
    if (pipe_open(&p, r, err) < 0)
        goto fail;
    piped = 1;
    if (map_columns(dc_csv_header(r), &p.b[0], o->map, s, &skip, err) < 0)
        goto fail;
    if (dc_db_begin(db, err) < 0)
        goto fail;
    in_tx = 1;
    if (prepare_all(db, &st, s, err) < 0 ||
        dc_db_batch_start(db, "import", o->now_iso, &batch, err) < 0 ||
        write_colmap(db, &st, batch, s, err) < 0)
        goto fail;
    rc = import_rows(db, &st, batch, path, &p, skip, o, s, err);
    if (rc == 0 && pipe_rows_sha256(&p, s->rows_sha256) < 0)
        rc = dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 failed");
    pipe_close(&p);
    piped = 0;
    if (rc < 0)
        goto fail;
    if (dc_csv_sha256(r, s->sha256) < 0) {
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
            dc_csv_close(r);
            return 0;
        }
    }
    if (finish_batch(db, &st, batch, path, s, o->now_iso, err) < 0)
        goto fail;
    finalize_all(&st);
    if (dc_db_commit(db, err) < 0)
        goto fail;
    s->batch_id = batch;
    dc_csv_close(r);
    return 0;
fail:
    if (piped)
        pipe_close(&p);
    finalize_all(&st);
    if (in_tx)
        dc_db_rollback(db);
    dc_csv_close(r);
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
