/*
 * normalize_db.c - the DB pass of normalize (normalize.h dc_normalize_db): src_row read
 * in batches, each batch's records normalized by dc_normalize_record on worker threads,
 * person, change and change_count written in record order by this thread.
 *
 * Format-only changes (dc_normalize_change_format_only) are counted per (import batch,
 * field, rule) in change_count instead of a row each (issue 17).  Not for: one record's
 * canonical form (normalize.c).
 */
#include "normalize.h"
#include "util/buf.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "personrow.h"
#include "stage.h"
#include "util/threads.h"
#include "vndate.h"

int
dc_normalize_change_format_only(const char *rule)
{
    /* the name rules are dc_name_rule_names' list in its order */
    static const char *const format[] = {"date-iso", "sex-code", "space", "nfc", "nfc,space"};

    for (size_t i = 0; i < sizeof format / sizeof format[0]; i++)
        if (strcmp(rule, format[i]) == 0)
            return 1;
    return 0;
}

/* Format-only changes counted by (import batch, field, rule): a handful of
 * keys (each batch's dates, sexes and spacing), searched from the last hit. */
struct tally {
    struct tally_key {
        long long batch;
        char field[24];
        char rule[24];
        long long n;
    } * k;
    size_t n, cap, last;
};

static int
tally_add(struct tally *t, long long batch, const char *field, const char *rule)
{
    struct tally_key *k;

    if (t->n) {
        k = &t->k[t->last];
        if (k->batch == batch && strcmp(k->field, field) == 0 && strcmp(k->rule, rule) == 0) {
            k->n++;
            return 0;
        }
        for (size_t i = 0; i < t->n; i++) {
            k = &t->k[i];
            if (k->batch == batch && strcmp(k->field, field) == 0 && strcmp(k->rule, rule) == 0) {
                k->n++;
                t->last = i;
                return 0;
            }
        }
    }
    if (strlen(field) >= sizeof k->field || strlen(rule) >= sizeof k->rule)
        return -1; /* not one of normalize's names: a programming error */
    if (t->n == t->cap) {
        struct tally_key *nk = dc_grow(t->k, &t->cap, 16, sizeof *nk);
        if (!nk)
            return -1;
        t->k = nk;
    }
    k = &t->k[t->n];
    k->batch = batch;
    snprintf(k->field, sizeof k->field, "%s", field);
    snprintf(k->rule, sizeof k->rule, "%s", rule);
    k->n = 1;
    t->last = t->n++;
    return 0;
}

static int
tally_store(struct dc_db *db, const struct tally *t, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;

    if (dc_db_prepare(db,
                      "INSERT INTO change_count(batch_id, field, rule, n) "
                      "VALUES (?1, ?2, ?3, ?4)",
                      &q, err) < 0)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        sqlite3_bind_int64(q, 1, t->k[i].batch);
        sqlite3_bind_text(q, 2, t->k[i].field, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, t->k[i].rule, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, t->k[i].n);
        if (dc_db_step_done(db, q, "insert change_count", err) < 0) {
            sqlite3_finalize(q);
            return -1;
        }
    }
    sqlite3_finalize(q);
    return 0;
}

/*
 * The pass runs as a pipeline (issue 17): this thread alone touches the
 * connection, reading src_row into batches of BATCH_RECS records and writing
 * person, change and change_count from the batches the workers have
 * normalized, in record order; each worker normalizes whole batches with a
 * dc_norm_buf of its own, and so does this thread when it has nothing to read
 * or write.  On 2 cores one worker normalizes while this thread reads, writes
 * and normalizes what is left.  A batch owns copies of everything it holds (the select's
 * row is gone at the next step, a norm buffer's strings at its next record),
 * as offsets into its two character buffers.  With one thread (--threads 1)
 * the same functions run in turn on this thread: the tables do not depend on
 * the count, the memos being pure functions of their keys.
 */
#define BATCH_RECS 256
#define MAX_WORKERS 8 /* each holds a norm buffer: about 20 MB of memos */
#define NOOFF ((size_t)-1)

struct nrec {
    int64_t record_id, batch, src_row, src_line;
    const char *source, *src_file; /* the pass's struct srcs */
    size_t raw[DC_F_COUNT];        /* in the batch's in buffer */
    size_t text[DC_PROW_MAX];      /* person column c's text in its out
                                                  buffer (value columns but the REAL) */
    double conf;
    int has_conf;
    size_t chg, nchg; /* its changes: chg[chg .. chg + nchg) */
};

struct nchg {
    size_t field, before, after, rule; /* in out; before = NOOFF: a counted one */
};

enum slot_state { S_FREE, S_FILLED, S_BUSY, S_DONE };

struct nbatch {
    struct nrec rec[BATCH_RECS];
    size_t n;
    struct dc_buf in, out;
    struct nchg *chg;
    size_t nchg, capchg;
    long dates_invalid, addr_total, addr_matched;
    long long seq;
    enum slot_state state;
    int rc; /* the worker's: -1 with err */
    struct dc_error err;
};

static size_t
put_str(struct dc_buf *b, const char *s)
{
    size_t off = b->len;

    if (!s || !*s)
        return NOOFF; /* "" is bound as NULL, like no value */
    dc_buf_add(b, s, strlen(s) + 1);
    return off;
}

static const char *
str_at(const struct dc_buf *b, size_t off)
{
    return off == NOOFF ? NULL : b->s + off;
}

/* dc_normalize_record's change callback: the change into the batch. */
struct collect {
    struct nbatch *b;
};

static int
collect_change(void *ud, const char *field, const char *before, const char *after, const char *rule)
{
    struct nbatch *b = ((struct collect *)ud)->b;
    struct nchg *c;

    if (b->nchg == b->capchg) {
        struct nchg *n = dc_grow(b->chg, &b->capchg, 1024, sizeof *n);
        if (!n)
            return -1;
        b->chg = n;
    }
    c = &b->chg[b->nchg++];
    c->field = put_str(&b->out, field);
    c->rule = put_str(&b->out, rule);
    if (dc_normalize_change_format_only(rule)) {
        c->before = c->after = NOOFF;
    } else {
        /* before and after "" stay "" (not NULL) in the change table */
        c->before = b->out.len;
        dc_buf_add(&b->out, before, strlen(before) + 1);
        c->after = b->out.len;
        dc_buf_add(&b->out, after, strlen(after) + 1);
    }
    return b->out.oom ? -1 : 0;
}

/* Normalize every record of b with nb (a worker's, or this thread's). */
static int
normalize_batch(struct nbatch *b, const struct dc_normalize_opts *o, struct dc_norm_buf *nb,
                struct dc_error *err)
{
    const char *raw[DC_F_COUNT];
    struct collect cl = {b};
    struct dc_person p;

    b->out.len = 0;
    b->nchg = 0;
    b->dates_invalid = b->addr_total = b->addr_matched = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct nrec *r = &b->rec[i];

        for (int f = 0; f < DC_F_COUNT; f++)
            raw[f] = str_at(&b->in, r->raw[f]);
        memset(&p, 0, sizeof p);
        r->chg = b->nchg;
        if (dc_normalize_record(raw, o, nb, &p, collect_change, &cl, err) < 0) {
            if (b->out.oom || err->status == DC_EX_IOERR) {
                dc_error_clear(err);
                dc_error_set(err, DC_EX_OSERR, "out of memory");
            }
            return -1;
        }
        r->nchg = b->nchg - r->chg;
        /* no reason (nor era) without a catalogue to match the address against */
        const char *reason = p.address_raw && o->cat ? p.addr_reason : NULL;
        const char *sex = p.sex == 'M' ? "M" : p.sex == 'F' ? "F" : NULL;
        size_t c = 0;
        /* the value columns' texts at their column's index, a step a column */
#define IS(f, g) (offsetof(struct dc_person, f) == offsetof(struct dc_person, g))
#define PUT_KEY(f)
#define PUT_BATCH(f)
#define PUT_SRC(f)
#define PUT_REAL(f)
#define PUT_PREC(f) r->text[c] = put_str(&b->out, dc_date_precision_name(p.f));
#define PUT_SEX(f) r->text[c] = put_str(&b->out, sex);
#define PUT_TEXT(f)                                                                                \
    r->text[c] = put_str(&b->out, IS(f, addr_reason) ? reason                                      \
                                  : IS(f, addr_era)  ? (reason ? p.addr_era : NULL)                \
                                                     : p.f);
#define PUT(f, t, rd) PUT_##t(f) c++;
        DC_PROW_COLUMNS(PUT)
#undef PUT
#undef PUT_TEXT
#undef PUT_SEX
#undef PUT_PREC
#undef PUT_REAL
#undef PUT_SRC
#undef PUT_BATCH
#undef PUT_KEY
#undef IS
        r->has_conf = p.address_raw != NULL;
        r->conf = p.addr_confidence;
        if (p.dob_precision == DC_DATE_INVALID)
            b->dates_invalid++;
        if (p.address_raw) {
            b->addr_total++;
            if ((p.ward_code && *p.ward_code) || (p.new_ward_code && *p.new_ward_code))
                b->addr_matched++;
        }
    }
    if (b->out.oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    return 0;
}

/* Source name and file of every batch, by id. */
struct srcs {
    struct src_batch {
        int64_t id;
        char *source, *src_file;
    } * v;
    size_t n, last;
};

static void
srcs_free(struct srcs *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].source);
        free(m->v[i].src_file);
    }
    free(m->v);
}

static int
srcs_load(struct dc_db *db, struct srcs *m, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    int rc;

    if (dc_db_prepare(db, "SELECT id, source, src_file FROM batch ORDER BY id", &q, err) < 0)
        return -1;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(q, 1);
        const char *file = (const char *)sqlite3_column_text(q, 2);
        if (m->n == cap) {
            struct src_batch *v = realloc(m->v, (cap = cap ? 2 * cap : 64) * sizeof *v);
            if (!v)
                break;
            m->v = v;
        }
        struct src_batch *e = &m->v[m->n];
        e->id = sqlite3_column_int64(q, 0);
        e->source = src ? strdup(src) : NULL;
        e->src_file = file ? strdup(file) : NULL;
        m->n++;
        if ((src && !e->source) || (file && !e->src_file))
            break;
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "read batch", err);
    return 0;
}

/* The batch of id, or NULL: the row has none (the join of old left it out). */
static const struct src_batch *
srcs_find(struct srcs *m, int64_t id)
{
    size_t lo = 0, hi = m->n;

    if (m->last < m->n && m->v[m->last].id == id)
        return &m->v[m->last];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == m->n || m->v[lo].id != id)
        return NULL;
    m->last = lo;
    return &m->v[lo];
}

struct pass {
    struct dc_db *db;
    const struct dc_normalize_opts *o;
    sqlite3_stmt *sel, *ins, *change;
    struct dc_normalize_summary *s;
    long long total; /* for progress */
    int sel_done;    /* sel stepped to its end */
    struct srcs srcs;
    struct tally tally;
    /* the pipeline */
    struct nbatch *slot;
    int nslot, nworkers;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int eof, stop; /* stop: workers leave (input done or a failure) */
};

/* The fields in fields.h order; NULL for those dc_normalize_record does not read (other
 * name, issue place, nationality, current address, hometown, birth place, household,
 * relation, phone: they stay in src_row).  A row's source and file are its batch's
 * (struct srcs), not joined on every row. */
static const char select_src[] =
    "SELECT id, batch_id, src_row, src_line, full_name, family_name, middle_name, given_name, "
    "NULL, dob, sex, id_number, cmnd, issue_date, NULL, expiry_date, ethnic, religion, NULL, "
    "address, NULL, ward, district, province, NULL, NULL, NULL, NULL, NULL, mrz, qr "
    "FROM src_row ORDER BY id";
enum { SRC_FIRST_FIELD = 4 }; /* column of full_name: fields follow in fields.h order */

/* A column's text into b ("" stays "": dc_normalize_record tells it from NULL itself). */
static size_t
put_col(struct dc_buf *b, sqlite3_stmt *q, int col)
{
    const char *v = (const char *)sqlite3_column_text(q, col);
    size_t off = b->len;

    if (!v)
        return NOOFF;
    dc_buf_add(b, v, (size_t)sqlite3_column_bytes(q, col) + 1);
    return off;
}

/* Up to BATCH_RECS rows of the select into b; 0 with b->n = 0 at the end. */
static int
fill_batch(struct pass *ps, struct nbatch *b, struct dc_error *err)
{
    sqlite3_stmt *q = ps->sel;
    int rc = SQLITE_ROW;

    b->n = 0;
    b->in.len = 0;
    if (ps->sel_done) /* a step after SQLITE_DONE would start the query again */
        return 0;
    while (b->n < BATCH_RECS && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const struct src_batch *sb = srcs_find(&ps->srcs, sqlite3_column_int64(q, 1));
        if (!sb)
            continue;
        struct nrec *r = &b->rec[b->n++];
        r->record_id = sqlite3_column_int64(q, 0);
        r->batch = sb->id;
        r->source = sb->source;
        r->src_file = sb->src_file;
        r->src_row = sqlite3_column_int64(q, 2);
        r->src_line = sqlite3_column_int64(q, 3);
        for (int f = 0; f < DC_F_COUNT; f++)
            r->raw[f] = put_col(&b->in, q, SRC_FIRST_FIELD + f);
    }
    if (rc == SQLITE_DONE)
        ps->sel_done = 1;
    else if (rc != SQLITE_ROW)
        return dc_db_fail(ps->db, rc, "read src_row", err);
    if (b->in.oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    return 0;
}

static void
bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

/* person and change rows of a normalized batch; counted changes to the tally. */
static int
write_batch(struct pass *ps, const struct nbatch *b, struct dc_error *err)
{
    const struct dc_normalize_opts *o = ps->o;
    struct dc_normalize_summary *s = ps->s;
    sqlite3_stmt *q = ps->ins, *c = ps->change;
    int rc;

    for (size_t i = 0; i < b->n; i++) {
        const struct nrec *r = &b->rec[i];

        if (o->progress && s->records % DC_PROGRESS_EVERY == 0 && s->records)
            o->progress(o->progress_ud, s->records, ps->total);
        for (size_t k = r->chg; k < r->chg + r->nchg; k++) {
            const struct nchg *ch = &b->chg[k];
            const char *field = str_at(&b->out, ch->field), *rule = str_at(&b->out, ch->rule);
            s->changes++;
            if (ch->before == NOOFF) {
                if (tally_add(&ps->tally, r->batch, field, rule) < 0)
                    return dc_error_set(err, DC_EX_OSERR, "out of memory");
                s->changes_counted++;
                continue;
            }
            sqlite3_bind_int64(c, 1, r->record_id);
            sqlite3_bind_text(c, 2, field, -1, SQLITE_STATIC);
            sqlite3_bind_text(c, 3, str_at(&b->out, ch->before), -1, SQLITE_STATIC);
            sqlite3_bind_text(c, 4, str_at(&b->out, ch->after), -1, SQLITE_STATIC);
            sqlite3_bind_text(c, 5, rule, -1, SQLITE_STATIC);
            rc = sqlite3_step(c);
            sqlite3_reset(c);
            if (rc != SQLITE_DONE)
                return dc_db_fail(ps->db, rc, "insert change", err);
        }
        /* every parameter is bound on every row: the statement is not cleared */
        int i = 1;
#define BIND_KEY(f) sqlite3_bind_int64(q, i, r->f);
#define BIND_BATCH(f) sqlite3_bind_int64(q, i, r->batch);
#define BIND_SRC(f) sqlite3_bind_text(q, i, r->f, -1, SQLITE_STATIC);
#define BIND_TEXT(f) bind_text(q, i, str_at(&b->out, r->text[i - 1]));
#define BIND_PREC BIND_TEXT
#define BIND_SEX BIND_TEXT
#define BIND_REAL(f)                                                                               \
    if (r->has_conf)                                                                               \
        sqlite3_bind_double(q, i, r->conf);                                                        \
    else                                                                                           \
        sqlite3_bind_null(q, i);
#define BIND(f, t, rd) BIND_##t(f) i++;
        DC_PROW_COLUMNS(BIND)
#undef BIND
#undef BIND_REAL
#undef BIND_SEX
#undef BIND_PREC
#undef BIND_TEXT
#undef BIND_SRC
#undef BIND_BATCH
#undef BIND_KEY
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return dc_db_fail(ps->db, rc, "insert person", err);
        s->records++;
    }
    s->dates_invalid += b->dates_invalid;
    s->addr_total += b->addr_total;
    s->addr_matched += b->addr_matched;
    return 0;
}

struct worker {
    struct pass *ps;
    pthread_t th;
    int started;
};

static void *
worker_main(void *arg)
{
    struct pass *ps = ((struct worker *)arg)->ps;
    struct dc_norm_buf *nb = dc_norm_buf_new();

    pthread_mutex_lock(&ps->mu);
    for (;;) {
        struct nbatch *b = NULL;
        while (!ps->stop) {
            for (int i = 0; i < ps->nslot; i++)
                if (ps->slot[i].state == S_FILLED && (!b || ps->slot[i].seq < b->seq))
                    b = &ps->slot[i];
            if (b)
                break;
            pthread_cond_wait(&ps->cv, &ps->mu);
        }
        if (!b)
            break;
        b->state = S_BUSY;
        pthread_mutex_unlock(&ps->mu);
        dc_error_clear(&b->err);
        b->rc = nb ? normalize_batch(b, ps->o, nb, &b->err)
                   : dc_error_set(&b->err, DC_EX_OSERR, "out of memory");
        pthread_mutex_lock(&ps->mu);
        b->state = S_DONE;
        pthread_cond_broadcast(&ps->cv);
    }
    pthread_mutex_unlock(&ps->mu);
    dc_norm_buf_free(nb);
    return NULL;
}

/* The pipeline's worker count: --threads N or the machine's (util/threads.h), less
 * this thread, which reads and writes; 0 = all on this thread. */
static int
worker_count(int threads)
{
    return dc_threads(threads, MAX_WORKERS + 1) - 1;
}

/* All of src_row through the workers (or this thread), written in record order. */
static int
run_pass(struct pass *ps, struct dc_error *err)
{
    struct worker w[MAX_WORKERS];
    struct dc_norm_buf *nb = NULL;
    long long next_fill = 0, next_write = 0;
    int rc = 0, nw = 0;

    ps->nworkers = worker_count(ps->o->threads);
    /* four batches a worker in flight, and some being read or written: slack for a thread
     * held up for a moment (the machine is shared) */
    ps->nslot = ps->nworkers ? 4 * ps->nworkers + 4 : 1;
    ps->slot = calloc((size_t)ps->nslot, sizeof *ps->slot);
    if (!ps->slot)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (ps->nworkers == 0) {
        struct nbatch *b = &ps->slot[0];
        if (!(nb = dc_norm_buf_new())) {
            rc = dc_error_set(err, DC_EX_OSERR, "out of memory");
            goto out;
        }
        while ((rc = fill_batch(ps, b, err)) == 0 && b->n > 0)
            if ((rc = normalize_batch(b, ps->o, nb, err)) < 0 || (rc = write_batch(ps, b, err)) < 0)
                break;
        goto out;
    }
    pthread_mutex_init(&ps->mu, NULL);
    pthread_cond_init(&ps->cv, NULL);
    for (nw = 0; nw < ps->nworkers; nw++) {
        w[nw].ps = ps;
        if (pthread_create(&w[nw].th, NULL, worker_main, &w[nw]) != 0)
            break;
    }
    if (nw == 0) {
        rc = dc_error_set(err, DC_EX_OSERR, "cannot start a thread");
        goto join;
    }
    pthread_mutex_lock(&ps->mu);
    for (;;) {
        struct nbatch *next = NULL, *free_slot = NULL;
        for (int i = 0; i < ps->nslot; i++) {
            struct nbatch *b = &ps->slot[i];
            if (b->state == S_DONE && b->seq == next_write)
                next = b;
            else if (b->state == S_FREE && !free_slot)
                free_slot = b;
        }
        if (next) {
            /* write first: it frees a slot */
            pthread_mutex_unlock(&ps->mu);
            if (next->rc < 0) {
                *err = next->err;
                rc = -1;
            } else {
                rc = write_batch(ps, next, err);
            }
            pthread_mutex_lock(&ps->mu);
            if (rc < 0)
                break;
            next->state = S_FREE;
            next_write++;
            continue;
        }
        if (free_slot && !ps->eof) {
            pthread_mutex_unlock(&ps->mu);
            rc = fill_batch(ps, free_slot, err);
            pthread_mutex_lock(&ps->mu);
            if (rc < 0)
                break;
            if (free_slot->n == 0) {
                ps->eof = 1;
                continue;
            }
            free_slot->seq = next_fill++;
            free_slot->state = S_FILLED;
            pthread_cond_broadcast(&ps->cv);
            continue;
        }
        if (ps->eof && next_write == next_fill)
            break;
        /* nothing to write and nothing to read yet: normalize a batch here rather than wait
         * (reading and writing take about half of what normalizing does: on 2 cores this
         * keeps both busy) */
        struct nbatch *todo = NULL;
        for (int i = 0; i < ps->nslot; i++)
            if (ps->slot[i].state == S_FILLED && (!todo || ps->slot[i].seq < todo->seq))
                todo = &ps->slot[i];
        if (todo && (nb || (nb = dc_norm_buf_new()))) {
            todo->state = S_BUSY;
            pthread_mutex_unlock(&ps->mu);
            dc_error_clear(&todo->err);
            todo->rc = normalize_batch(todo, ps->o, nb, &todo->err);
            pthread_mutex_lock(&ps->mu);
            todo->state = S_DONE;
            pthread_cond_broadcast(&ps->cv);
            continue;
        }
        pthread_cond_wait(&ps->cv, &ps->mu);
    }
    ps->stop = 1;
    pthread_cond_broadcast(&ps->cv);
    pthread_mutex_unlock(&ps->mu);
join:
    for (int i = 0; i < nw; i++)
        pthread_join(w[i].th, NULL);
    pthread_cond_destroy(&ps->cv);
    pthread_mutex_destroy(&ps->mu);
out:
    dc_norm_buf_free(nb);
    for (int i = 0; i < ps->nslot; i++) {
        dc_buf_release(&ps->slot[i].in);
        dc_buf_release(&ps->slot[i].out);
        free(ps->slot[i].chg);
    }
    free(ps->slot);
    ps->slot = NULL;
    return rc < 0 ? -1 : 0;
}

int
dc_normalize_db(struct dc_db *db, const struct dc_normalize_opts *o, const char *now_iso,
                struct dc_normalize_summary *s, struct dc_error *err)
{
    static const char *const index_tables[] = {"person", "change", NULL};
    struct dc_stage st = DC_STAGE_INIT;
    char insert_person[2048];
    struct pass ps;

    memset(s, 0, sizeof *s);
    memset(&ps, 0, sizeof ps);
    ps.db = db;
    ps.o = o;
    ps.s = s;
    if (dc_stage_begin(&st, db, "normalize", now_iso,
                       "DELETE FROM change; DELETE FROM change_count; DELETE FROM person;",
                       index_tables, err) < 0)
        return -1;
    s->batch_id = st.batch_id;
    if (dc_prow_insert(insert_person, sizeof insert_person) < 0) {
        dc_error_set(err, DC_EX_SOFTWARE, "the person insert is longer than its buffer");
        goto fail;
    }
    if (dc_db_prepare(db, select_src, &ps.sel, err) < 0 ||
        dc_db_prepare(db, insert_person, &ps.ins, err) < 0 ||
        dc_db_prepare(db,
                      "INSERT INTO change(record_id, field, before, after, rule) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
                      &ps.change, err) < 0)
        goto fail;
    ps.total = o->progress ? dc_db_count(db, "SELECT count(*) FROM src_row", err) : 0;
    if (ps.total < 0 || srcs_load(db, &ps.srcs, err) < 0 || run_pass(&ps, err) < 0)
        goto fail;
    if (tally_store(db, &ps.tally, err) < 0)
        goto fail;
    sqlite3_finalize(ps.sel);
    sqlite3_finalize(ps.ins);
    sqlite3_finalize(ps.change);
    ps.sel = ps.ins = ps.change = NULL;
    if (dc_stage_finish(&st, s->records, s->records, 0, err) < 0)
        goto fail;
    free(ps.tally.k);
    srcs_free(&ps.srcs);
    return 0;
fail:
    sqlite3_finalize(ps.sel);
    sqlite3_finalize(ps.ins);
    sqlite3_finalize(ps.change);
    dc_stage_abort(&st);
    free(ps.tally.k);
    srcs_free(&ps.srcs);
    return -1;
}
