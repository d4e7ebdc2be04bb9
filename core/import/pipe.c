/*
 * import/pipe.c - the reader: rows read into batches (three, each of at most BATCH_ROWS
 * rows and BATCH_BYTES bytes) on a relay (util/relay.h: on a thread, or inline when none
 * can start), taken by the writer in order and given back; the SHA-256 of the decoded
 * rows as they are read.
 * Not for: what the writer does with the rows (rows.c).
 */
#include "import_int.h"
#include "../util/buf.h"
#include "util/hex.h"

/* ---- reader thread ------------------------------------------------------------------- */

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
        struct brow *q = dc_grow(b->rows, &b->rcap, BATCH_ROWS, sizeof *q);

        if (!q)
            return -1;
        b->rows = q;
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

/* The reader's job: fill the batch of one slot; the last one ends the reader. */
static int
fill_job(void *ud, unsigned i)
{
    struct pipe *p = ud;

    batch_fill(p, &p->b[i]);
    return p->b[i].last;
}

/* Start the pipe on reader r and fill its first batch here: the mapping looks at those
 * rows (a second header row, columns known by content) before anything is inserted. */
int
import_pipe_open(struct pipe *p, struct src *r, struct dc_error *err)
{
    memset(p, 0, sizeof *p);
    p->r = r;
    p->err = (struct dc_error)DC_ERROR_INIT;
    p->md = EVP_MD_CTX_new();
    if (!p->md || EVP_DigestInit_ex(p->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(p->md);
        p->md = NULL;
        return dc_error_set(err, DC_EX_OSERR, "SHA-256 init failed");
    }
    dc_relay_init(&p->relay, DC_RELAY_FILL, NBATCH, fill_job, p);
    /* no header record: the header and the rows above it are hashed as rows; the first
     * turn fills batch 0 here, before the reader thread starts (import_rows) */
    (void)dc_relay_take(&p->relay);
    return 0;
}

void
import_pipe_close(struct pipe *p)
{
    dc_relay_free(&p->relay);
    for (size_t i = 0; i < NBATCH; i++)
        batch_release(&p->b[i]);
    EVP_MD_CTX_free(p->md);
}

/* The hex SHA-256 of the rows, once the reader is done. */
int
import_pipe_rows_sha256(struct pipe *p, char hex[65])
{
    return dc_sha256_final_hex(p->md, hex);
}
