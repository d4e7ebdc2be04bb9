/*
 * linkdb.c - load/store for dedup (see linkdb.h).
 *
 * Not for: the linkage model (dedup.c), the stage (stage.c), option handling (cmd/dedup.c).
 * The memory budget it is shaped by is issue #5 (1M records, <= 500 MB).
 */
#include "../linkdb.h"

#include <stdlib.h>
#include <string.h>

#include "../csvio.h"
#include "../json.h"
#include "../hash.h"
#include "../personrow.h"
#include "../stage.h"
#include "../util/relay.h"

/* ---- string interning: open addressing over one growing arena ---- */

struct dc_intern {
    char **chunks;
    size_t nchunks, used, chunk_cap;
    const char **slots;
    size_t nslots, count;
};

enum { CHUNK = 1 << 20 };

static void
intern_free(struct dc_intern *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->nchunks; i++)
        free(in->chunks[i]);
    free(in->chunks);
    free(in->slots);
    free(in);
}

static int
intern_grow(struct dc_intern *in)
{
    size_t n = in->nslots ? in->nslots * 2 : 1 << 16;
    const char **s = calloc(n, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < in->nslots; i++) {
        const char *v = in->slots[i];
        if (!v)
            continue;
        size_t j = dc_hash64(v, strlen(v)) & (n - 1);
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = v;
    }
    free(in->slots);
    in->slots = s;
    in->nslots = n;
    return 0;
}

static const char *
intern(struct dc_intern *in, const unsigned char *text, int len)
{
    size_t n = (size_t)len;
    if (!text || len <= 0)
        return NULL;
    if ((in->count + 1) * 2 > in->nslots && intern_grow(in) < 0)
        return NULL;
    size_t j = dc_hash64((const char *)text, n) & (in->nslots - 1);
    while (in->slots[j]) {
        if (strncmp(in->slots[j], (const char *)text, n) == 0 && in->slots[j][n] == '\0')
            return in->slots[j];
        j = (j + 1) & (in->nslots - 1);
    }
    if (in->nchunks == 0 || in->used + n + 1 > CHUNK) {
        if (n + 1 > CHUNK)
            return NULL;
        char **c = realloc(in->chunks, (in->nchunks + 1) * sizeof *c);
        if (!c)
            return NULL;
        in->chunks = c;
        if (!(in->chunks[in->nchunks] = malloc(CHUNK)))
            return NULL;
        in->nchunks++;
        in->used = 0;
    }
    char *dst = in->chunks[in->nchunks - 1] + in->used;
    memcpy(dst, text, n);
    dst[n] = '\0';
    in->used += n + 1;
    in->slots[j] = dst;
    in->count++;
    return dst;
}

/* The person columns dedup reads (personrow.h), in record order: all, or two. */
static int
load_sql(int two, char *buf, size_t size, struct dc_error *err)
{
    if (dc_prow_select(DC_PROW_DEDUP,
                       two ? "WHERE record_id IN (?1, ?2) ORDER BY record_id"
                           : "ORDER BY record_id",
                       buf, size) < 0)
        return dc_error_set(err, DC_EX_SOFTWARE, "the person select is longer than its buffer");
    return 0;
}

/* A whole-record load (explain) interns every text. */
static int
keep_interned(void *ud, const struct dc_prow_col *c, const unsigned char *text, int len,
              const char **dst)
{
    (void)c;
    *dst = intern(ud, text, len); /* out of memory: NULL, as no text */
    return 0;
}

/* ---- per-batch arena: one batch's strings, reused batch after batch ---- */

struct arena {
    char **blk;
    size_t nblk, cur, used; /* blocks 0..cur in use, used bytes of block cur */
};

enum { ARENA_BLOCK = 1 << 20, BATCH = 8192, NSLOT = 4 };

static void
arena_free(struct arena *a)
{
    for (size_t i = 0; i < a->nblk; i++)
        free(a->blk[i]);
    free(a->blk);
    memset(a, 0, sizeof *a);
}

/* A NUL-terminated copy of text, valid until the arena is reset; NULL for
 * no text, as intern() gives.  -1 when out of memory, -2 when too long. */
static int
arena_put(struct arena *a, const unsigned char *text, int len, const char **out)
{
    size_t n = (size_t)len;

    *out = NULL;
    if (!text || len <= 0)
        return 0;
    if (n + 1 > ARENA_BLOCK)
        return -2;
    if (a->nblk == 0 || a->used + n + 1 > ARENA_BLOCK) {
        size_t next = a->nblk == 0 ? 0 : a->cur + 1;

        if (next == a->nblk) {
            char **b = realloc(a->blk, (a->nblk + 1) * sizeof *b);
            if (!b)
                return -1;
            a->blk = b;
            if (!(a->blk[a->nblk] = malloc(ARENA_BLOCK)))
                return -1;
            a->nblk++;
        }
        a->cur = next;
        a->used = 0;
    }
    char *dst = a->blk[a->cur] + a->used;
    memcpy(dst, text, n);
    dst[n] = '\0';
    a->used += n + 1;
    *out = dst;
    return 0;
}

/* Record i's (source, src_row) packed (struct dc_linkset): a source is
 * numbered the first time it is seen (a set holds a few). */
static int
put_srckey(struct dc_linkset *ls, size_t i, const char *source, int64_t src_row)
{
    size_t k;

    if (src_row < 0 || src_row >= (int64_t)1 << DC_SRCKEY_ROW_BITS)
        return -1;
    for (k = 0; k < ls->nsources && ls->sources[k] != source; k++)
        ;
    if (k == ls->nsources) {
        const char **v;

        if (k >= 1u << (64 - DC_SRCKEY_ROW_BITS))
            return -1;
        v = realloc(ls->sources, (k + 1) * sizeof *v);
        if (!v)
            return -1;
        ls->sources = v;
        ls->sources[ls->nsources++] = source;
    }
    ls->srckey[i] = (uint64_t)k << DC_SRCKEY_ROW_BITS | (uint64_t)src_row;
    return 0;
}

static int
keys_alloc(struct dc_linkset *ls, long long n, int keep_source, struct dc_error *err)
{
    size_t m = n ? (size_t)n : 1;

    ls->strings = calloc(1, sizeof *ls->strings);
    ls->record_id = malloc(m * sizeof *ls->record_id);
    if (keep_source)
        ls->srckey = malloc(m * sizeof *ls->srckey);
    if (!ls->strings || !ls->record_id || (keep_source && !ls->srckey)) {
        dc_linkset_release(ls);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    return 0;
}

/* Whole records: of the full table, or (two != NULL) of two record_ids. */
static int
load_whole(struct dc_db *db, const int64_t *two, struct dc_linkset *ls, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    char sql[1024];
    long long n = 2;
    size_t i = 0;
    int rc;

    memset(ls, 0, sizeof *ls);
    if (!two && (n = dc_db_count(db, "SELECT count(*) FROM person", err)) < 0)
        return -1;
    if (keys_alloc(ls, n, 1, err) < 0)
        return -1;
    ls->recs = calloc(n ? (size_t)n : 1, sizeof *ls->recs);
    if (!ls->recs) {
        dc_linkset_release(ls);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    if (load_sql(two != NULL, sql, sizeof sql, err) < 0 || dc_db_prepare(db, sql, &q, err) < 0) {
        dc_linkset_release(ls);
        return -1;
    }
    if (two) {
        sqlite3_bind_int64(q, 1, two[0]);
        sqlite3_bind_int64(q, 2, two[1]);
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && i < (size_t)n) {
        struct dc_person *p = &ls->recs[i];
        (void)dc_prow_load(q, DC_PROW_DEDUP, p, keep_interned, ls->strings);
        ls->record_id[i] = p->record_id;
        if (ls->srckey && put_srckey(ls, i, p->source, p->src_row) < 0) {
            sqlite3_finalize(q);
            dc_linkset_release(ls);
            return dc_error_set(err, DC_EX_DATAERR, "person %lld: src_row %lld out of range",
                                (long long)p->record_id, (long long)p->src_row);
        }
        i++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        dc_linkset_release(ls);
        return dc_db_fail(db, rc, "read person", err);
    }
    ls->n = i;
    return 0;
}

int
dc_linkset_load(struct dc_db *db, struct dc_linkset *ls, struct dc_error *err)
{
    return load_whole(db, NULL, ls, err);
}

int
dc_linkset_load_two(struct dc_db *db, int64_t a, int64_t b, struct dc_linkset *ls,
                    struct dc_error *err)
{
    int64_t two[2] = {a, b};

    return load_whole(db, two, ls, err);
}

/* Loading is two threads: a reader steps SQLite and copies rows into a
 * batch, the caller's thread reduces an earlier batch (dc_dedup_input_add,
 * ICU folding); NSLOT batches go round on a relay (util/relay.h), so a thread
 * held up for a moment (the machine is shared) does not stall the other.  On
 * a million records reading and reducing each take about a second, so in turn
 * they took two; when no thread can start, the relay reads inline.  The reader
 * alone touches the connection and ls while it runs; the caller alone touches in. */
struct slot {
    struct dc_person *batch;
    struct arena a;
    size_t nb;
    int last; /* the reader's last batch (maybe empty), or it failed: L->rc says */
};

struct loader {
    struct dc_db *db;
    struct dc_linkset *ls;
    sqlite3_stmt *q;
    size_t n; /* rows expected (count(*)); more are not read */
    size_t i; /* rows read */
    struct slot slot[NSLOT];
    struct dc_relay relay;
    int rc;
    struct dc_error err;
};

/* A streamed record's texts: the source interned for the whole run (few distinct;
 * truth matching), the rest in the batch's arena; name_key is not kept (dedup
 * folds the parts itself).  arena_put's -1 / -2, or -1 when interning fails. */
struct keep_batch {
    struct arena *a;
    struct dc_intern *strings;
};

static int
keep_batched(void *ud, const struct dc_prow_col *c, const unsigned char *text, int len,
             const char **dst)
{
    struct keep_batch *k = ud;

    if (c->off == offsetof(struct dc_person, name_key)) {
        *dst = NULL;
        return 0;
    }
    if (c->off == offsetof(struct dc_person, source)) {
        *dst = intern(k->strings, text, len);
        return text && len > 0 && !*dst ? -1 : 0;
    }
    return arena_put(k->a, text, len, dst);
}

/* The reader's job: fill slot s with the next batch, in record order.  Ends on the last
 * batch or on a failure (L->rc, L->err; the slot then holds nothing). */
static int
load_job(void *ud, unsigned s)
{
    struct loader *L = ud;
    struct dc_linkset *ls = L->ls;
    sqlite3_stmt *q = L->q;
    struct slot *sl = &L->slot[s];
    size_t i = L->i;
    int rc = SQLITE_DONE, bad = 0;

    sl->nb = 0;
    sl->a.cur = 0;
    sl->a.used = 0;
    sl->last = 1;
    while (sl->nb < BATCH && i < L->n && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct dc_person *p = &sl->batch[sl->nb];
        struct keep_batch kb = {&sl->a, ls->strings};

        memset(p, 0, sizeof *p);
        bad = dc_prow_load(q, DC_PROW_DEDUP, p, keep_batched, &kb);
        if (bad == -2) {
            L->rc = dc_error_set(&L->err, DC_EX_DATAERR, "person %lld: a field over %d bytes",
                                 (long long)p->record_id, ARENA_BLOCK - 1);
            goto fail;
        }
        if (bad) {
            L->rc = dc_error_set(&L->err, DC_EX_OSERR, "out of memory");
            goto fail;
        }
        ls->record_id[i] = p->record_id;
        if (ls->srckey && put_srckey(ls, i, p->source, p->src_row) < 0) {
            L->rc = dc_error_set(&L->err, DC_EX_DATAERR, "person %lld: src_row %lld out of range",
                                 (long long)p->record_id, (long long)p->src_row);
            goto fail;
        }
        i++;
        sl->nb++;
    }
    L->i = i;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        L->rc = dc_db_fail(L->db, rc, "read person", &L->err);
        goto fail;
    }
    sl->last = sl->nb < BATCH || i >= L->n;
    return sl->last;
fail:
    L->i = i;
    sl->nb = 0;
    return 1;
}

static void
slots_free(struct loader *L)
{
    for (int s = 0; s < NSLOT; s++) {
        free(L->slot[s].batch);
        arena_free(&L->slot[s].a);
    }
}

int
dc_linkset_load_input(struct dc_db *db, struct dc_linkset *ls, int keep_source,
                      struct dc_dedup_input **inp, struct dc_error *err)
{
    struct dc_dedup_input *in = NULL;
    struct loader L;
    char sql[1024];
    long long n;
    int s = 0, rc = 0;

    *inp = NULL;
    memset(ls, 0, sizeof *ls);
    memset(&L, 0, sizeof L);
    n = dc_db_count(db, "SELECT count(*) FROM person", err);
    if (n < 0)
        return -1;
    if (keys_alloc(ls, n, keep_source, err) < 0)
        return -1;
    if (dc_dedup_input_new((size_t)n, &in, err) < 0)
        goto fail;
    L.db = db;
    L.ls = ls;
    L.n = (size_t)n;
    L.err = (struct dc_error)DC_ERROR_INIT;
    for (s = 0; s < NSLOT; s++) {
        L.slot[s].batch = malloc(BATCH * sizeof *L.slot[s].batch);
        if (!L.slot[s].batch) {
            dc_error_set(err, DC_EX_OSERR, "out of memory");
            goto fail;
        }
    }
    if (load_sql(0, sql, sizeof sql, err) < 0 || dc_db_prepare(db, sql, &L.q, err) < 0)
        goto fail;
    /* the reader on a thread of its own, or inline when none can start */
    dc_relay_init(&L.relay, DC_RELAY_FILL, NSLOT, load_job, &L);
    dc_relay_start(&L.relay);
    for (;;) {
        int i = dc_relay_take(&L.relay);

        if (i < 0) /* the reader always ends on a last slot */
            break;
        struct slot *sl = &L.slot[i];

        if (sl->nb && dc_dedup_input_add(in, sl->batch, sl->nb, err) < 0) {
            rc = -1;
            break;
        }
        if (sl->last)
            break;
        dc_relay_give(&L.relay);
    }
    dc_relay_free(&L.relay);
    /* the reader is joined: the statement, L.i and L.rc are this thread's again */
    sqlite3_finalize(L.q);
    L.q = NULL;
    ls->n = L.i;
    if (rc == 0 && L.rc) {
        *err = L.err;
        rc = -1;
    }
    if (rc)
        goto fail;
    slots_free(&L);
    *inp = in;
    /* The page cache is full of person pages nobody reads again; give it
     * back for the run (store fills it anew).  Advisory: a failure costs
     * memory, never data. */
    (void)sqlite3_db_release_memory(db->h);
    return 0;
fail:
    dc_dedup_input_free(in);
    slots_free(&L);
    dc_linkset_release(ls);
    return -1;
}

void
dc_linkset_release(struct dc_linkset *ls)
{
    free(ls->recs);
    free(ls->record_id);
    free(ls->srckey);
    free(ls->sources);
    intern_free(ls->strings);
    memset(ls, 0, sizeof *ls);
}

int
dc_linkset_reload_ids(struct dc_db *db, struct dc_linkset *ls, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    long long n = dc_db_count(db, "SELECT count(*) FROM person", err);
    size_t i = 0;
    int rc;

    if (n < 0)
        return -1;
    if ((size_t)n != ls->n)
        return dc_error_set(err, DC_EX_TEMPFAIL,
                            "the person table changed during dedup (%zu records, now %lld)", ls->n,
                            n);
    free(ls->record_id);
    ls->record_id = malloc((ls->n ? ls->n : 1) * sizeof *ls->record_id);
    if (!ls->record_id)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (dc_db_prepare(db, "SELECT record_id FROM person ORDER BY record_id", &q, err) < 0)
        return -1;
    while (i < ls->n && (rc = sqlite3_step(q)) == SQLITE_ROW)
        ls->record_id[i++] = sqlite3_column_int64(q, 0);
    if (i < ls->n) { /* the step that ended the loop said why */
        sqlite3_finalize(q);
        return rc != SQLITE_DONE
                   ? dc_db_fail(db, rc, "read person", err)
                   : dc_error_set(err, DC_EX_TEMPFAIL, "the person table changed during dedup");
    }
    sqlite3_finalize(q);
    return 0;
}

long
dc_linkset_find(const struct dc_linkset *ls, int64_t record_id)
{
    size_t lo = 0, hi = ls->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ls->record_id[mid] < record_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ls->n && ls->record_id[lo] == record_id ? (long)lo : -1;
}

/* Rows per INSERT statement: one statement step per row was most of the
 * store's time (a million cluster rows); 64 rows of 5 values stay far under
 * SQLite's 32,766 variables. */
enum { STORE_ROWS = 64 };

static void
bind_pair(sqlite3_stmt *q, int base, const struct dc_linkset *ls, const struct dc_dedup_pair *p)
{
    sqlite3_bind_int64(q, base + 1, ls->record_id[p->a]);
    sqlite3_bind_int64(q, base + 2, ls->record_id[p->b]);
    sqlite3_bind_double(q, base + 3, p->weight);
    sqlite3_bind_double(q, base + 4, p->prob);
    sqlite3_bind_int64(q, base + 5, p->gamma);
}

int
dc_linkdb_store(struct dc_db *db, const struct dc_linkset *ls, const struct dc_dedup_result *r,
                const struct dc_dedup_params *params, const char *now_iso, long long *clusters,
                long long *multi, struct dc_error *err)
{
    static const char *const index_tables[] = {"cluster", NULL};
    sqlite3_stmt *qp = NULL, *qc = NULL, *qpm = NULL, *qcm = NULL;
    struct dc_stage st = DC_STAGE_INIT;
    uint32_t *size = NULL;
    size_t i;

    *clusters = *multi = 0;
    if (dc_stage_begin(&st, db, "dedup", now_iso, "DELETE FROM pair; DELETE FROM cluster;",
                       index_tables, err) < 0)
        return -1;
    if (dc_db_prepare(db, "INSERT INTO pair(a, b, weight, prob, gamma) VALUES (?1, ?2, ?3, ?4, ?5)",
                      &qp, err) < 0 ||
        dc_db_prepare(db, "INSERT INTO cluster(record_id, cluster_id) VALUES (?1, ?2)", &qc, err) <
            0 ||
        dc_db_prepare_rows(db, "INSERT INTO pair(a, b, weight, prob, gamma) VALUES ", 5, STORE_ROWS,
                           &qpm, err) < 0 ||
        dc_db_prepare_rows(db, "INSERT INTO cluster(record_id, cluster_id) VALUES ", 2, STORE_ROWS,
                           &qcm, err) < 0)
        goto fail;
    /* Pairs are in (a,b) order and record ids ascend with the index, so the
     * rows go in key order, whole statements first, the rest one by one. */
    for (i = 0; i + STORE_ROWS <= r->npairs; i += STORE_ROWS) {
        for (int j = 0; j < STORE_ROWS; j++)
            bind_pair(qpm, 5 * j, ls, &r->pairs[i + (size_t)j]);
        if (dc_db_step_done(db, qpm, "insert pair", err) < 0)
            goto fail;
    }
    for (; i < r->npairs; i++) {
        bind_pair(qp, 0, ls, &r->pairs[i]);
        if (dc_db_step_done(db, qp, "insert pair", err) < 0)
            goto fail;
    }
    size = calloc(ls->n ? ls->n : 1, sizeof *size);
    if (!size) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    for (i = 0; i < ls->n; i++)
        size[r->cluster[i]]++;
    for (i = 0; i < ls->n; i++) {
        if (r->cluster[i] == i) {
            (*clusters)++;
            if (size[i] > 1)
                (*multi)++;
        }
    }
    for (i = 0; i + STORE_ROWS <= ls->n; i += STORE_ROWS) {
        for (int j = 0; j < STORE_ROWS; j++) {
            sqlite3_bind_int64(qcm, 2 * j + 1, ls->record_id[i + (size_t)j]);
            sqlite3_bind_int64(qcm, 2 * j + 2, ls->record_id[r->cluster[i + (size_t)j]]);
        }
        if (dc_db_step_done(db, qcm, "insert cluster", err) < 0)
            goto fail;
    }
    for (; i < ls->n; i++) {
        sqlite3_bind_int64(qc, 1, ls->record_id[i]);
        sqlite3_bind_int64(qc, 2, ls->record_id[r->cluster[i]]);
        if (dc_db_step_done(db, qc, "insert cluster", err) < 0)
            goto fail;
    }
    free(size);
    size = NULL;
    sqlite3_finalize(qp);
    sqlite3_finalize(qc);
    sqlite3_finalize(qpm);
    sqlite3_finalize(qcm);
    qp = qc = qpm = qcm = NULL;
    /* the parameters belong to the results: same transaction (issue 19:
     * saved apart, a full disk left results without their parameters) */
    if (params && dc_linkdb_params_save(db, params, now_iso, err) < 0)
        goto fail;
    if (dc_stage_finish(&st, (long long)ls->n, *clusters, 0, err) < 0)
        goto fail;
    return 0;
fail:
    free(size);
    sqlite3_finalize(qp);
    sqlite3_finalize(qc);
    sqlite3_finalize(qpm);
    sqlite3_finalize(qcm);
    dc_stage_abort(&st);
    return -1;
}

int
dc_linkdb_params_load(struct dc_db *db, struct dc_dedup_params **out, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc, ret = 0;

    *out = NULL;
    if (dc_db_prepare(db, "SELECT params FROM dedup_params ORDER BY id DESC LIMIT 1", &q, err) < 0)
        return -1;
    rc = sqlite3_step(q);
    /* parameters of an earlier model are not reused: the run trains anew */
    if (rc == SQLITE_ROW && !dc_dedup_params_outdated((const char *)sqlite3_column_text(q, 0)))
        ret = dc_dedup_params_from_text((const char *)sqlite3_column_text(q, 0), out, err);
    else if (rc != SQLITE_DONE)
        ret = dc_db_fail(db, rc, "read dedup_params", err);
    sqlite3_finalize(q);
    return ret;
}

int
dc_linkdb_params_save(struct dc_db *db, const struct dc_dedup_params *p, const char *now_iso,
                      struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    char *text = NULL;
    int rc;

    if (dc_dedup_params_to_text(p, &text, err) < 0)
        return -1;
    if (dc_db_prepare(db, "INSERT INTO dedup_params(created, params) VALUES (?1, ?2)", &q, err) <
        0) {
        free(text);
        return -1;
    }
    sqlite3_bind_text(q, 1, now_iso, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
    rc = dc_db_step_done(db, q, "insert dedup_params", err);
    sqlite3_finalize(q);
    free(text);
    return rc;
}

/* Record indexes in (source, src_row) order, and in truth order. */
static int
cmp_ix(const void *a, const void *b, void *ctx)
{
    const uint64_t *key = ctx;
    uint64_t x = key[*(const uint32_t *)a], y = key[*(const uint32_t *)b];

    return (x > y) - (x < y);
}

int
dc_linkdb_truth(const char *path, struct dc_linkset *ls, uint32_t **out, long *matched,
                struct dc_error *err)
{
    struct dc_csv_opts copts = {.encoding = "utf-8", .delimiter = ','};
    struct dc_csv_reader *r = NULL;
    uint32_t *ix = NULL, *dense = NULL; /* record indexes: 4 bytes a record */
    uint64_t *truth = NULL;
    struct dc_csv_row row;
    int c_source = -1, c_row = -1, c_person = -1, rc;
    size_t i, m = ls->n ? ls->n : 1;

    *out = NULL;
    *matched = 0;
    if (ls->n && !ls->srckey)
        return dc_error_set(err, DC_EX_SOFTWARE,
                            "truth: the records were loaded without their sources");
    if (ls->n > UINT32_MAX)
        return dc_error_set(err, DC_EX_DATAERR, "truth: too many records");
    ix = malloc(m * sizeof *ix);
    truth = malloc(m * sizeof *truth);
    if (!ix || !truth) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    for (i = 0; i < ls->n; i++) {
        ix[i] = (uint32_t)i;
        truth[i] = (1ull << 63) | i; /* unnamed records: an entity of their own */
    }
    qsort_r(ix, ls->n, sizeof *ix, cmp_ix, ls->srckey);
    r = dc_csv_open(path, &copts, err);
    if (!r)
        goto fail;
    const struct dc_csv_row *h = dc_csv_header(r);
    for (i = 0; i < h->nfields; i++) {
        if (strcmp(h->fields[i], "source") == 0)
            c_source = (int)i;
        else if (strcmp(h->fields[i], "src_row") == 0)
            c_row = (int)i;
        else if (strcmp(h->fields[i], "person_id") == 0)
            c_person = (int)i;
    }
    if (c_source < 0 || c_row < 0 || c_person < 0) {
        dc_error_at(err, DC_EX_DATAERR, path, 1, NULL,
                    "a truth file needs columns source, src_row, person_id");
        goto fail;
    }
    while ((rc = dc_csv_next(r, &row, err)) == 1) {
        const char *src = row.fields[c_source];
        long long srow = strtoll(row.fields[c_row], NULL, 10);
        size_t k, lo = 0, hi = ls->n;
        uint64_t key;

        if (row.reject)
            continue;
        for (k = 0; k < ls->nsources && strcmp(ls->sources[k] ? ls->sources[k] : "", src); k++)
            ;
        if (k == ls->nsources || srow < 0 || srow >= (long long)1 << DC_SRCKEY_ROW_BITS)
            continue;
        key = (uint64_t)k << DC_SRCKEY_ROW_BITS | (uint64_t)srow;
        while (lo < hi) { /* the first index not below the key */
            size_t mid = lo + (hi - lo) / 2;

            if (ls->srckey[ix[mid]] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < ls->n && ls->srckey[ix[lo]] == key) {
            /* person ids are opaque text: hash them (64-bit, collisions
             * negligible at a few million persons) */
            const char *pid = row.fields[c_person];
            truth[ix[lo]] = dc_hash64(pid, strlen(pid)) & ~(1ull << 63);
            (*matched)++;
        }
    }
    if (rc < 0)
        goto fail;
    dc_csv_close(r);
    r = NULL;
    free(ls->srckey); /* matched: its room is the numbering's */
    ls->srckey = NULL;
    /* Dense numbers in place of the hashes (4 bytes a record for the run):
     * records in truth order, numbered by distinct value. */
    for (i = 0; i < ls->n; i++)
        ix[i] = (uint32_t)i;
    qsort_r(ix, ls->n, sizeof *ix, cmp_ix, truth);
    dense = malloc(m * sizeof *dense);
    if (!dense) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    {
        uint32_t d = 0;

        for (i = 0; i < ls->n; i++) {
            if (i && truth[ix[i]] != truth[ix[i - 1]])
                d++;
            dense[ix[i]] = d;
        }
    }
    free(ix);
    free(truth);
    *out = dense;
    return 0;
fail:
    dc_csv_close(r);
    free(ix);
    free(truth);
    return -1;
}
