/*
 * crosscheck.c - the crosscheck stage over the DB (see crosscheck.h).
 */
#include "crosscheck.h"
#include "util/buf.h"

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "hash.h"
#include "json.h"
#include "normalize.h"
#include "personrow.h"
#include "refdata.h"
#include "stage.h"
#include "util/threads.h"

struct sink {
    struct dc_db *db;
    sqlite3_stmt *ins;
    struct dc_crosscheck_summary *s;
    int failed_rc;
};

static int
insert_finding(struct sink *k, long long record_id, const char *code, enum dc_severity sev,
               const char *field, const char *expected, const char *actual, const char *message)
{
    sqlite3_stmt *q = k->ins;
    int rc;

    if (record_id)
        sqlite3_bind_int64(q, 1, record_id);
    sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, dc_rules_severity_name(sev), -1, SQLITE_STATIC);
    dc_db_bind_text(q, 4, field);
    dc_db_bind_text(q, 5, expected);
    dc_db_bind_text(q, 6, actual);
    sqlite3_bind_text(q, 7, message, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE) {
        k->failed_rc = rc;
        return -1;
    }
    if ((unsigned)sev < 3)
        k->s->findings[sev]++;
    return 0;
}

/* ---- the per-record rules on worker threads ----
 * Reading the records (SQLite) and checking them (rules.c) each take about half of the
 * stage; with more than one core the reading thread copies the records into batches
 * that workers check while it reads on, and it writes the findings of each batch in
 * batch order, so the finding table is the same row for row as with one thread.
 * Workers: one fewer than --threads or the cores the process may use (util/threads.h),
 * at most MAX_WORKERS; none on one core, where the reading thread checks the batches
 * itself. */
#define BATCH_RECORDS 1024
#define MAX_WORKERS 3

/* The text fields of struct dc_person, copied into a batch. */
static const size_t text_field[] = {
    offsetof(struct dc_person, source),
    offsetof(struct dc_person, src_file),
    offsetof(struct dc_person, full_name),
    offsetof(struct dc_person, family_name),
    offsetof(struct dc_person, middle_name),
    offsetof(struct dc_person, given_name),
    offsetof(struct dc_person, name_key),
    offsetof(struct dc_person, dob),
    offsetof(struct dc_person, dob_raw),
    offsetof(struct dc_person, sex_raw),
    offsetof(struct dc_person, id12),
    offsetof(struct dc_person, cmnd),
    offsetof(struct dc_person, id_raw),
    offsetof(struct dc_person, issue_date),
    offsetof(struct dc_person, expiry_date),
    offsetof(struct dc_person, ethnic),
    offsetof(struct dc_person, ethnic_code),
    offsetof(struct dc_person, religion),
    offsetof(struct dc_person, address_raw),
    offsetof(struct dc_person, address_detail),
    offsetof(struct dc_person, province_code),
    offsetof(struct dc_person, district_code),
    offsetof(struct dc_person, ward_code),
    offsetof(struct dc_person, new_province_code),
    offsetof(struct dc_person, new_ward_code),
    offsetof(struct dc_person, addr_reason),
    offsetof(struct dc_person, addr_era),
    offsetof(struct dc_person, mrz),
    offsetof(struct dc_person, qr),
    offsetof(struct dc_person, name_note),
};
#define NTEXT (sizeof text_field / sizeof text_field[0])

struct bfinding {
    long long record_id;
    const char *code, *field; /* static, from the rule table */
    enum dc_severity severity;
    size_t text; /* expected, actual, message: three strings at fmem + text */
};

struct batch {
    struct dc_person *p; /* n records, texts as offsets + 1 in off (0 = NULL) */
    uint32_t (*off)[NTEXT];
    size_t n;
    struct dc_buf mem; /* the records' texts */
    struct bfinding *f;
    size_t nf, fcap;
    struct dc_buf fmem; /* the findings' texts */
    int rc;             /* dc_rules_check failed: err */
    int oom;            /* ... because a finding could not be kept */
    struct dc_error err;
    int state; /* B_FILLING, B_QUEUED, B_CHECKED */
};
enum { B_FILLING, B_QUEUED, B_CHECKED };

struct pool {
    const struct dc_rules_ctx *ctx;
    struct batch *ring;
    size_t nring;
    unsigned long long filling, queued, taken; /* sequence numbers */
    pthread_t th[MAX_WORKERS];
    int nth, quit;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
};

static int
batch_emit(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    struct batch *b = ud;

    if (b->nf == b->fcap) {
        struct bfinding *x = dc_grow(b->f, &b->fcap, 256, sizeof *x);
        if (!x) {
            b->oom = 1;
            return -1;
        }
        b->f = x;
    }
    struct bfinding *x = &b->f[b->nf++];
    x->record_id = p->record_id;
    x->code = f->code;
    x->field = f->field;
    x->severity = f->severity;
    x->text = b->fmem.len;
    dc_buf_add(&b->fmem, f->expected, strlen(f->expected) + 1);
    dc_buf_add(&b->fmem, f->actual, strlen(f->actual) + 1);
    dc_buf_add(&b->fmem, f->message, strlen(f->message) + 1);
    b->oom = b->fmem.oom;
    return b->oom ? -1 : 0;
}

static void
batch_check(struct batch *b, const struct dc_rules_ctx *ctx)
{
    b->nf = 0;
    dc_buf_reset(&b->fmem);
    b->rc = 0;
    for (size_t i = 0; i < b->n && b->rc == 0; i++) {
        struct dc_person p = b->p[i];
        for (size_t t = 0; t < NTEXT; t++)
            *(const char **)((char *)&p + text_field[t]) =
                b->off[i][t] ? b->mem.s + b->off[i][t] - 1 : NULL;
        b->rc = dc_rules_check(&p, ctx, batch_emit, b, &b->err);
    }
}

static void *
pool_worker(void *arg)
{
    struct pool *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->taken == w->queued && !w->quit)
            pthread_cond_wait(&w->work, &w->mu);
        if (w->taken == w->queued)
            break;
        struct batch *b = &w->ring[w->taken++ % w->nring];
        pthread_mutex_unlock(&w->mu);
        batch_check(b, w->ctx);
        pthread_mutex_lock(&w->mu);
        b->state = B_CHECKED;
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static int
pool_start(struct pool *w, const struct dc_rules_ctx *ctx)
{
    int want = dc_threads(ctx->threads, MAX_WORKERS + 1) - 1; /* the reading thread too */

    memset(w, 0, sizeof *w);
    w->ctx = ctx;
    w->nring = want ? 2 * (size_t)want + 1 : 1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->done, NULL);
    w->ring = calloc(w->nring, sizeof *w->ring);
    if (!w->ring)
        return -1;
    for (size_t i = 0; i < w->nring; i++) {
        w->ring[i].p = malloc(BATCH_RECORDS * sizeof *w->ring[i].p);
        w->ring[i].off = malloc(BATCH_RECORDS * sizeof *w->ring[i].off);
        if (!w->ring[i].p || !w->ring[i].off)
            return -1;
    }
    for (; w->nth < want; w->nth++)
        if (pthread_create(&w->th[w->nth], NULL, pool_worker, w) != 0)
            break; /* fewer workers; none: the reading thread checks */
    return 0;
}

static void
pool_stop(struct pool *w)
{
    if (!w->ring)
        return;
    if (w->nth) {
        pthread_mutex_lock(&w->mu);
        w->quit = 1;
        pthread_cond_broadcast(&w->work);
        pthread_mutex_unlock(&w->mu);
        for (int i = 0; i < w->nth; i++)
            pthread_join(w->th[i], NULL);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->done);
    for (size_t i = 0; i < w->nring; i++) {
        free(w->ring[i].p);
        free(w->ring[i].off);
        free(w->ring[i].f);
        dc_buf_release(&w->ring[i].mem);
        dc_buf_release(&w->ring[i].fmem);
    }
    free(w->ring);
    w->ring = NULL;
}

/* Write the findings of batch seq once it is checked; the slot is free again. */
static int
pool_finish(struct pool *w, unsigned long long seq, struct sink *k, struct dc_error *err)
{
    struct batch *b = &w->ring[seq % w->nring];

    if (w->nth) {
        pthread_mutex_lock(&w->mu);
        while (b->state != B_CHECKED)
            pthread_cond_wait(&w->done, &w->mu);
        pthread_mutex_unlock(&w->mu);
    } else {
        batch_check(b, w->ctx);
    }
    if (b->rc < 0) {
        if (b->oom)
            return dc_error_set(err, DC_EX_OSERR, "out of memory keeping findings");
        *err = b->err;
        return -1;
    }
    for (size_t i = 0; i < b->nf; i++) {
        const struct bfinding *x = &b->f[i];
        const char *t = b->fmem.s + x->text;
        const char *act = t + strlen(t) + 1;
        const char *msg = act + strlen(act) + 1;
        if (insert_finding(k, x->record_id, x->code, x->severity, x->field, t, act, msg) < 0)
            return dc_db_fail(k->db, k->failed_rc, "insert finding", err);
    }
    b->n = 0;
    b->state = B_FILLING;
    return 0;
}

/* Hand the batch being filled to the workers (or check it here). */
static int
pool_submit(struct pool *w, struct sink *k, struct dc_error *err)
{
    struct batch *b = &w->ring[w->filling % w->nring];

    if (b->n == 0)
        return 0;
    if (w->nth) {
        pthread_mutex_lock(&w->mu);
        b->state = B_QUEUED;
        w->queued = w->filling + 1;
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->mu);
    }
    w->filling++;
    /* the next slot held batch filling - nring: its findings go first */
    if (w->filling >= w->nring || !w->nth) {
        unsigned long long old = w->nth ? w->filling - w->nring : w->filling - 1;
        if (pool_finish(w, old, k, err) < 0)
            return -1;
    }
    return 0;
}

/* Copy record p into the batch being filled; a full batch is submitted. */
static int
pool_add(struct pool *w, const struct dc_person *p, struct sink *k, struct dc_error *err)
{
    struct batch *b = &w->ring[w->filling % w->nring];

    const char *v[NTEXT];
    size_t len[NTEXT], total = 0;

    if (b->n == 0)
        dc_buf_reset(&b->mem);
    b->p[b->n] = *p;
    for (size_t t = 0; t < NTEXT; t++) {
        v[t] = *(const char *const *)((const char *)p + text_field[t]);
        len[t] = v[t] ? strlen(v[t]) + 1 : 0;
        total += len[t];
    }
    if (b->mem.len + total >= UINT32_MAX)
        return dc_error_set(err, DC_EX_DATAERR, "records too long for a batch");
    if (dc_buf_reserve(&b->mem, total) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory reading records");
    for (size_t t = 0; t < NTEXT; t++) {
        b->off[b->n][t] = 0;
        if (v[t]) {
            b->off[b->n][t] = (uint32_t)b->mem.len + 1;
            memcpy(b->mem.s + b->mem.len, v[t], len[t]);
            b->mem.len += len[t];
        }
    }
    if (++b->n == BATCH_RECORDS)
        return pool_submit(w, k, err);
    return 0;
}

/* Submit the last batch and write the findings of all that are left, in order. */
static int
pool_drain(struct pool *w, struct sink *k, struct dc_error *err)
{
    if (pool_submit(w, k, err) < 0)
        return -1;
    if (!w->nth)
        return 0;
    for (unsigned long long seq = w->filling >= w->nring ? w->filling - w->nring + 1 : 0;
         seq < w->filling; seq++)
        if (pool_finish(w, seq, k, err) < 0)
            return -1;
    return 0;
}

/*
 * Records sharing an ID with a record of another person (ID_SHARED, CMND_SHARED).
 * "Another person" is another cluster after dedup; when either record has no
 * cluster row (before dedup) it is a different folded name (NULL counts as a
 * value) or a different known birth date.  Expected names the other record,
 * the smallest such record_id, so a clerk can look both up.
 *
 * The IDs are collected while the records are read for the per-record rules
 * and grouped by a hash table afterwards: one pass over the table instead of an
 * index probe per record (44% of the stage before), and no temporary index on
 * the unindexed cmnd column.  A record's folded name and birth date are kept
 * only when it has no cluster row; a group that mixes the two kinds reads the
 * missing ones back by record_id.
 */
struct shent {
    long long rid;
    long long cluster;
    uint32_t key;                    /* offset of the ID text in the arena */
    uint32_t nk, dob;                /* offset + 1 of name_key, dob in the arena; 0 = NULL */
    uint32_t next;                   /* index + 1 of the next record with this ID, 0 = none */
    uint32_t head;                   /* index of the group's first record */
    unsigned char has_cluster, kept; /* kept: nk, dob are filled */
};

struct shared {
    struct shent *e;
    size_t n, cap;
};

struct arena {
    char *s;
    size_t len, cap;
};

/* Offset of a copy of v in a; (uint32_t)-1 when memory (or the 4 GB of offsets) runs out. */
static uint32_t
arena_add(struct arena *a, const char *v)
{
    size_t n = strlen(v) + 1;

    if (a->len + n > a->cap) {
        size_t cap = a->cap ? a->cap : 1 << 16;
        while (cap < a->len + n)
            cap *= 2;
        char *s = cap <= UINT32_MAX ? realloc(a->s, cap) : NULL;
        if (!s)
            return UINT32_MAX;
        a->s = s;
        a->cap = cap;
    }
    memcpy(a->s + a->len, v, n);
    a->len += n;
    return (uint32_t)(a->len - n);
}

static int
shared_add(struct shared *t, struct arena *a, const char *key, long long rid,
           const long long *cluster, uint32_t nk, uint32_t dob)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        struct shent *e = cap < UINT32_MAX ? realloc(t->e, cap * sizeof *e) : NULL;
        if (!e)
            return -1;
        t->e = e;
        t->cap = cap;
    }
    uint32_t k = arena_add(a, key);
    if (k == UINT32_MAX)
        return -1;
    struct shent *x = &t->e[t->n++];
    memset(x, 0, sizeof *x);
    x->rid = rid;
    x->key = k;
    x->has_cluster = cluster != NULL;
    x->cluster = cluster ? *cluster : 0;
    x->kept = !cluster;
    x->nk = nk;
    x->dob = dob;
    return 0;
}

/* Link the records of each ID in record order (they were added in that order). */
static int
shared_group(struct shared *t, const struct arena *a)
{
    size_t nslot = 16;
    struct slot {
        uint32_t head, tail; /* index + 1; head 0 = empty */
    } * sl;

    while (nslot < 2 * t->n)
        nslot *= 2;
    sl = calloc(nslot, sizeof *sl);
    if (!sl)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const char *k = a->s + t->e[i].key;
        size_t h = dc_hash32(k, strlen(k)) & (nslot - 1);
        while (sl[h].head && strcmp(a->s + t->e[sl[h].head - 1].key, k) != 0)
            h = (h + 1) & (nslot - 1);
        if (!sl[h].head) {
            sl[h].head = sl[h].tail = (uint32_t)i + 1;
        } else {
            t->e[sl[h].tail - 1].next = (uint32_t)i + 1;
            sl[h].tail = (uint32_t)i + 1;
        }
        t->e[i].head = sl[h].head - 1;
    }
    free(sl);
    return 0;
}

/* Folded name and birth date of the records of a group that mixes records with
 * and without a cluster row, for those that have one (they were not kept). */
static int
shared_fetch(struct dc_db *db, struct shared *t, struct arena *a, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    for (size_t i = 0; i < t->n; i++) {
        int clustered = 0, bare = 0;
        if (t->e[i].head != i || !t->e[i].next)
            continue; /* not a group's first record, or the only one with its ID */
        for (uint32_t j = (uint32_t)i + 1; j; j = t->e[j - 1].next) {
            clustered |= t->e[j - 1].has_cluster;
            bare |= !t->e[j - 1].has_cluster;
        }
        if (!clustered || !bare)
            continue;
        for (uint32_t j = (uint32_t)i + 1; j; j = t->e[j - 1].next) {
            struct shent *y = &t->e[j - 1];
            if (y->kept)
                continue;
            if (!q && dc_db_prepare(db, "SELECT name_key, dob FROM person WHERE record_id = ?1", &q,
                                    err) < 0)
                return -1;
            sqlite3_bind_int64(q, 1, y->rid);
            rc = sqlite3_step(q);
            if (rc == SQLITE_ROW) {
                const char *nk = (const char *)sqlite3_column_text(q, 0);
                const char *dob = (const char *)sqlite3_column_text(q, 1);
                uint32_t o = 0;
                if (nk && (o = arena_add(a, nk)) == UINT32_MAX)
                    goto oom;
                y->nk = nk ? o + 1 : 0;
                if (dob && (o = arena_add(a, dob)) == UINT32_MAX)
                    goto oom;
                y->dob = dob ? o + 1 : 0;
                y->kept = 1;
                rc = sqlite3_step(q);
            }
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) {
                sqlite3_finalize(q);
                return dc_db_fail(db, rc, "shared ids", err);
            }
        }
    }
    sqlite3_finalize(q);
    return 0;
oom:
    sqlite3_finalize(q);
    return dc_error_set(err, DC_EX_OSERR, "out of memory grouping shared ids");
}

/* 1 when x and y are records of different people (see above). */
static int
shared_differ(const struct shent *x, const struct shent *y, const struct arena *a)
{
    if (x->has_cluster && y->has_cluster)
        return x->cluster != y->cluster;
    if (!x->nk != !y->nk || (x->nk && strcmp(a->s + x->nk - 1, a->s + y->nk - 1) != 0))
        return 1;
    return x->dob && y->dob && strcmp(a->s + x->dob - 1, a->s + y->dob - 1) != 0;
}

static int
shared_rule(struct sink *k, struct shared *t, struct arena *a, const char *col, const char *code,
            const struct dc_rules_ctx *ctx, struct dc_error *err)
{
    const struct dc_rule *r = dc_rules_find(code);
    char other[32];

    if (!r)
        return 0;
    if (shared_group(t, a) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory grouping shared ids");
    if (shared_fetch(k->db, t, a, err) < 0)
        return -1;
    const char *msg = ctx->lang && strcmp(ctx->lang, "en") == 0 ? r->desc_en : r->desc_vi;
    for (size_t i = 0; i < t->n; i++) {
        const struct shent *x = &t->e[i];
        const struct shent *g = &t->e[x->head];
        if (!g->next)
            continue; /* the only record with this ID */
        for (uint32_t j = x->head + 1; j; j = t->e[j - 1].next) {
            const struct shent *y = &t->e[j - 1];
            if (y == x || !shared_differ(x, y, a))
                continue;
            snprintf(other, sizeof other, "record %lld", y->rid);
            if (insert_finding(k, x->rid, r->code, r->severity, col, "", other, msg) < 0)
                return dc_db_fail(k->db, k->failed_rc, "insert finding", err);
            break; /* the group is in record order: y is the smallest */
        }
    }
    return 0;
}

/* ---- --against ---- */

static const char against_cols[] =
    "id12 TEXT, name_key TEXT, full_name TEXT, dob TEXT, sex TEXT, ward_code TEXT, "
    "new_ward_code TEXT";

static int
against_from_db(struct dc_db *db, const char *path, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (dc_db_prepare(db, "ATTACH DATABASE ?1 AS other", &q, err) < 0)
        return -1;
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "attach --against", err);
    rc = dc_db_exec(db,
                    "INSERT INTO temp.against SELECT id12, name_key, full_name, dob, sex, "
                    "ward_code, new_ward_code FROM other.person WHERE id12 IS NOT NULL",
                    err);
    if (dc_db_exec(db, "DETACH DATABASE other", rc < 0 ? NULL : err) < 0 && rc == 0)
        return -1;
    return rc;
}

struct against_ins {
    struct dc_db *db;
    sqlite3_stmt *ins;
};

/* one person of the --against file: those with an ID are compared */
static int
against_person(void *ud, const struct dc_person *p, struct dc_error *err)
{
    struct against_ins *a = ud;

    if (!p->id12 || !*p->id12)
        return 0;
    char sex[2] = {p->sex, 0};
    const char *v[] = {p->id12, p->name_key,  p->full_name,    p->dob,
                       sex,     p->ward_code, p->new_ward_code};
    for (int i = 0; i < 7; i++)
        dc_db_bind_text(a->ins, i + 1, v[i]);
    return dc_db_step_done(a->db, a->ins, "insert against", err);
}

static int
against_from_csv(struct dc_db *db, const char *path, struct dc_error *err)
{
    struct dc_norm_buf *b = dc_norm_buf_new();
    struct dc_catalog *cat = NULL;
    struct against_ins a = {db, NULL};
    struct dc_normalize_csv_cb cb = {against_person, NULL, &a, 0}; /* rejects: skipped */
    int builtin, ret = -1;

    if (!b) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto out;
    }
    if (dc_refdata_catalog(db, &cat, &builtin, err) < 0)
        goto out;
    struct dc_normalize_opts o = {.tone = DC_TONE_OLD, .pivot_year = 2026, .cat = cat};
    if (dc_db_prepare(db, "INSERT INTO temp.against VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &a.ins,
                      err) < 0)
        goto out;
    ret = dc_normalize_csv(path, &o, b, &cb, err);
out:
    sqlite3_finalize(a.ins);
    dc_catalog_free(cat);
    dc_norm_buf_free(b);
    return ret;
}

/* The --against rows into temp.against, before the stage's transaction: SQLite cannot
 * DETACH a database inside a transaction ("database other is locked", issue 19), and the
 * temp schema is this connection's alone, so nothing of the main file changes here. */
static int
load_against(struct dc_db *db, const char *against, struct dc_error *err)
{
    char ddl[256];

    snprintf(ddl, sizeof ddl, "CREATE TEMP TABLE against (%s)", against_cols);
    if (dc_db_exec(db, "DROP TABLE IF EXISTS temp.against", err) < 0 ||
        dc_db_exec(db, ddl, err) < 0)
        return -1;
    if (dc_db_is_sqlite_file(against)) {
        if (against_from_db(db, against, err) < 0)
            return -1;
    } else if (dc_db_exec(db, "BEGIN", err) < 0 || against_from_csv(db, against, err) < 0 ||
               dc_db_exec(db, "COMMIT", err) < 0) {
        dc_db_rollback(db);
        return -1;
    }
    return dc_db_exec(db, "CREATE INDEX temp.against_id ON against(id12)", err);
}

static int
against_compare(struct sink *k, const struct dc_rules_ctx *ctx, struct dc_error *err)
{
    /* field name, our column, their column; names compare by folded key */
    static const char *const cmp[][3] = {
        {"full_name", "p.name_key", "a.name_key"},
        {"dob", "p.dob", "a.dob"},
        {"sex", "p.sex", "a.sex"},
        {"ward_code", "p.ward_code", "a.ward_code"},
        {"new_ward_code", "p.new_ward_code", "a.new_ward_code"},
    };
    static const char *const shown[][2] = {
        {"p.full_name", "a.full_name"},
        {"p.dob", "a.dob"},
        {"p.sex", "a.sex"},
        {"p.ward_code", "a.ward_code"},
        {"p.new_ward_code", "a.new_ward_code"},
    };
    const struct dc_rule *r = dc_rules_find("AGAINST_MISMATCH");
    const char *msg = ctx->lang && strcmp(ctx->lang, "en") == 0 ? r->desc_en : r->desc_vi;
    for (size_t c = 0; c < sizeof cmp / sizeof cmp[0]; c++) {
        char sql[512];
        sqlite3_stmt *q = NULL;
        int rc;
        /* columns are constants of the table above, never data */
        snprintf(sql, sizeof sql,
                 "SELECT p.record_id, min(%s), min(%s) FROM person p JOIN temp.against a "
                 "ON a.id12 = p.id12 WHERE %s IS NOT NULL AND %s IS NOT NULL AND %s <> %s "
                 "GROUP BY p.record_id ORDER BY p.record_id",
                 shown[c][1], shown[c][0], cmp[c][1], cmp[c][2], cmp[c][1], cmp[c][2]);
        if (dc_db_prepare(k->db, sql, &q, err) < 0)
            return -1;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (insert_finding(k, sqlite3_column_int64(q, 0), r->code, r->severity, cmp[c][0],
                               (const char *)sqlite3_column_text(q, 1),
                               (const char *)sqlite3_column_text(q, 2), msg) < 0) {
                sqlite3_finalize(q);
                return dc_db_fail(k->db, k->failed_rc, "insert finding", err);
            }
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return dc_db_fail(k->db, rc, "against", err);
    }
    long long n = dc_db_count(k->db,
                              "SELECT count(DISTINCT p.record_id) FROM person p "
                              "JOIN temp.against a ON a.id12 = p.id12",
                              err);
    if (n < 0)
        return -1;
    k->s->against_matched = (long)n;
    return 0;
}

int
dc_crosscheck_db(struct dc_db *db, const struct dc_rules_ctx *ctx, const char *against,
                 const char *now_iso, struct dc_crosscheck_summary *s, struct dc_error *err)
{
    static const char *const index_tables[] = {"finding", NULL};
    struct sink k = {db, NULL, s, 0};
    struct dc_stage st = DC_STAGE_INIT;
    sqlite3_stmt *sel = NULL, *clu = NULL;
    char select_person[1024];
    struct shared ids = {0}, cmnds = {0};
    struct arena arena = {0};
    struct pool pool = {0};
    long long crid = LLONG_MIN, cid = 0; /* the cluster row at or after the record read */
    int crc = SQLITE_ROW;
    struct dc_person p;
    int rc;

    memset(s, 0, sizeof *s);
    if (against && load_against(db, against, err) < 0)
        return -1;
    if (dc_stage_begin(&st, db, "crosscheck", now_iso, "DELETE FROM finding", index_tables, err) <
        0)
        return -1;
    s->batch_id = st.batch_id;
    if (dc_prow_select(DC_PROW_CROSSCHECK, "ORDER BY record_id", select_person,
                       sizeof select_person) < 0) {
        dc_error_set(err, DC_EX_SOFTWARE, "the person select is longer than its buffer");
        goto fail;
    }
    if (dc_db_prepare(db, select_person, &sel, err) < 0 ||
        dc_db_prepare(db, "SELECT record_id, cluster_id FROM cluster ORDER BY record_id", &clu,
                      err) < 0 ||
        dc_db_prepare(db,
                      "INSERT INTO finding(record_id, code, severity, field, expected, actual, "
                      "message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      &k.ins, err) < 0)
        goto fail;
    long long total = ctx->progress ? dc_db_count(db, "SELECT count(*) FROM person", err) : 0;
    if (total < 0)
        goto fail;
    if (pool_start(&pool, ctx) < 0)
        goto oom;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        if (ctx->progress && s->records % DC_PROGRESS_EVERY == 0 && s->records)
            ctx->progress(ctx->progress_ud, s->records, total);
        memset(&p, 0, sizeof p);
        dc_prow_load(sel, DC_PROW_CROSSCHECK, &p, NULL, NULL);
        if (pool_add(&pool, &p, &k, err) < 0)
            goto fail;
        s->records++;
        if (!p.id12 && !p.cmnd)
            continue;
        /* the cluster rows, also in record order, walked beside the records */
        while (crc == SQLITE_ROW && crid < p.record_id) {
            if ((crc = sqlite3_step(clu)) == SQLITE_ROW) {
                crid = sqlite3_column_int64(clu, 0);
                cid = sqlite3_column_int64(clu, 1);
            }
        }
        const long long *cl = crc == SQLITE_ROW && crid == p.record_id ? &cid : NULL;
        uint32_t nk = 0, dob = 0, o = 0;
        if (!cl) {
            if (p.name_key && (o = arena_add(&arena, p.name_key)) == UINT32_MAX)
                goto oom;
            nk = p.name_key ? o + 1 : 0;
            if (p.dob && (o = arena_add(&arena, p.dob)) == UINT32_MAX)
                goto oom;
            dob = p.dob ? o + 1 : 0;
        }
        if ((p.id12 && shared_add(&ids, &arena, p.id12, p.record_id, cl, nk, dob) < 0) ||
            (p.cmnd && shared_add(&cmnds, &arena, p.cmnd, p.record_id, cl, nk, dob) < 0))
            goto oom;
    }
    if (rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read person", err);
        goto fail;
    }
    if (crc != SQLITE_ROW && crc != SQLITE_DONE) {
        dc_db_fail(db, crc, "read cluster", err);
        goto fail;
    }
    if (pool_drain(&pool, &k, err) < 0)
        goto fail;
    pool_stop(&pool);
    sqlite3_finalize(sel);
    sqlite3_finalize(clu);
    sel = clu = NULL;
    if (shared_rule(&k, &ids, &arena, "id12", "ID_SHARED", ctx, err) < 0 ||
        shared_rule(&k, &cmnds, &arena, "cmnd", "CMND_SHARED", ctx, err) < 0)
        goto fail;
    free(ids.e);
    free(cmnds.e);
    free(arena.s);
    ids.e = cmnds.e = NULL;
    arena.s = NULL;
    if (against && against_compare(&k, ctx, err) < 0)
        goto fail;
    sqlite3_finalize(k.ins);
    k.ins = NULL;
    if (dc_stage_finish(&st, s->records, s->records, s->findings[DC_SEV_ERROR], err) < 0)
        goto fail;
    return 0;
oom:
    dc_error_set(err, DC_EX_OSERR, "out of memory collecting shared ids");
fail:
    pool_stop(&pool);
    free(ids.e);
    free(cmnds.e);
    free(arena.s);
    sqlite3_finalize(sel);
    sqlite3_finalize(clu);
    sqlite3_finalize(k.ins);
    dc_stage_abort(&st);
    return -1;
}
