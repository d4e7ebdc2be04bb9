/*
 * import/overlap.c - a corrected extract imported beside the one it corrects
 * (issue 14 §5): count the new batch's rows that equal a row of an earlier
 * batch of the same source, so the command can warn when most of them do.
 *
 * A row is its decoded values (every src_row text column, extra included)
 * hashed to 64 bits; the earlier batches' hashes go in an open-addressing set
 * holding the batch each came from (the latest).  Runs only when the source
 * already has import batches, so a first import costs one indexed COUNT;
 * memory is 16 bytes a slot, two slots an earlier row.  Two different rows
 * sharing a 64-bit hash would count as equal: at a million rows the chance
 * of one such pair is about 3e-8, and the result is only a warning.
 */
#include "import_int.h"

#include "db.h"
#include "hash.h"

/* The src_row columns that hold values (all but the ids and line numbers). */
#define ROW_VALUES                                                                                 \
    "full_name, family_name, middle_name, given_name, other_name, dob, sex, id_number, cmnd, "     \
    "issue_date, issue_place, expiry_date, ethnic, religion, nationality, address, "               \
    "address_current, ward, district, province, hometown, birth_place, household_no, "             \
    "relation, phone, mrz, qr, extra"
enum { NVALUES = 28 };

struct slot {
    uint64_t h; /* 0 = empty (a hash of 0 is stored as 1) */
    long long batch;
};

struct set {
    struct slot *s;
    size_t cap, n; /* cap a power of two */
};

static uint64_t
row_hash(sqlite3_stmt *q, int first)
{
    uint64_t h = DC_HASH64_INIT;

    for (int c = first; c < first + NVALUES; c++) {
        const unsigned char *v = sqlite3_column_text(q, c);
        /* NULL and "" differ; the separator keeps "ab","c" from "a","bc" */
        h = dc_hash64_add(h, v ? "\1" : "\2", 1);
        if (v)
            h = dc_hash64_add(h, v, (size_t)sqlite3_column_bytes(q, c));
        h = dc_hash64_add(h, "\377", 1);
    }
    return h ? h : 1;
}

static int
set_grow(struct set *t)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    struct slot *s = calloc(cap, sizeof *s);

    if (!s)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->s[i].h)
            continue;
        size_t j = t->s[i].h & (cap - 1);
        while (s[j].h)
            j = (j + 1) & (cap - 1);
        s[j] = t->s[i];
    }
    free(t->s);
    t->s = s;
    t->cap = cap;
    return 0;
}

static int
set_put(struct set *t, uint64_t h, long long batch)
{
    if (2 * (t->n + 1) > t->cap && set_grow(t) < 0)
        return -1;
    size_t j = h & (t->cap - 1);
    while (t->s[j].h && t->s[j].h != h)
        j = (j + 1) & (t->cap - 1);
    if (!t->s[j].h)
        t->n++;
    t->s[j].h = h;
    t->s[j].batch = batch; /* rows come in batch order: the latest batch wins */
    return 0;
}

static long long
set_get(const struct set *t, uint64_t h)
{
    if (!t->cap)
        return 0;
    for (size_t j = h & (t->cap - 1); t->s[j].h; j = (j + 1) & (t->cap - 1))
        if (t->s[j].h == h)
            return t->s[j].batch;
    return 0;
}

int
import_overlap(struct dc_db *db, long long batch, const char *source, struct dc_import_summary *s,
               struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    struct set t = {NULL, 0, 0};
    struct {
        long long batch;
        long n;
    } hit[8] = {{0, 0}};
    int rc, ret = -1;

    s->overlap_rows = 0;
    s->overlap_batch = 0;
    /* a first import of the source: nothing to compare with */
    if (dc_db_prepare(db,
                      "SELECT 1 FROM batch WHERE stage = 'import' AND source = ?1 AND id <> ?2"
                      " LIMIT 1",
                      &q, err) < 0)
        return -1;
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, batch);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    q = NULL;
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return dc_db_fail(db, rc, "read batches", err);
    /* One scan in row order, which is batch order (src_row.id is assigned as rows come,
     * and the rowid order costs no sort): the earlier batches' rows fill the set, then
     * the new batch's rows, the last ones, are looked up in it. */
    if (dc_db_prepare(db,
                      "SELECT r.batch_id, " ROW_VALUES " FROM src_row r WHERE r.batch_id IN"
                      " (SELECT id FROM batch WHERE stage = 'import' AND source = ?1 OR id = ?2)"
                      " ORDER BY r.id",
                      &q, err) < 0)
        goto out;
    /* the new batch's row gets its source when the batch is finished, after this */
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, batch);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        long long b = sqlite3_column_int64(q, 0);

        if (b != batch) {
            if (set_put(&t, row_hash(q, 1), b) < 0) {
                dc_error_set(err, DC_EX_OSERR, "out of memory");
                goto out;
            }
            continue;
        }
        if (!(b = set_get(&t, row_hash(q, 1))))
            continue;
        /* the few batches hit, by count; a ninth distinct one shares the last slot */
        size_t k = 0;
        while (k < 7 && hit[k].batch && hit[k].batch != b)
            k++;
        if (hit[k].batch != b) {
            hit[k].batch = b;
            hit[k].n = 0;
        }
        hit[k].n++;
    }
    if (rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read the source's rows", err);
        goto out;
    }
    for (size_t k = 0; k < 8; k++)
        if (hit[k].n > s->overlap_rows) {
            s->overlap_rows = hit[k].n;
            s->overlap_batch = hit[k].batch;
        }
    ret = 0;
out:
    sqlite3_finalize(q);
    free(t.s);
    return ret;
}
