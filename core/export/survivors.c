/*
 * export/survivors.c - --survivors: the records of one cluster ranked (--prefer, the
 * ID-card register, completeness, record_id) and each field voted (export.h has the
 * rule); one golden record per cluster with the ids it came from.
 * Not for: clustering (dedup) or encoding (encode.c).
 */
#include "export_int.h"

#include <string.h>
#include <strings.h>

#include "vntext.h"

/* A cluster larger than this is a dedup failure, not one person; the vote is quadratic in
 * the cluster size, so refuse rather than crawl. */
#define MAX_CLUSTER 2000
/* Bytes of a name's fold key in the survivors vote; a longer name is compared as written. */
#define VOTE_KEY 256

/* ---- survivors ---- */

struct group {
    struct dc_buf store;     /* all values of the cluster, NUL-separated */
    size_t (*off)[MAX_COLS]; /* per record: offset of each value in store, or SIZE_MAX */
    size_t *rank;            /* records in preference order */
    size_t n, cap;
    const char *prefer; /* --prefer: source names, ','-joined, first preferred */
    /* the vote of one column: per record its key (NULL = no value) and score */
    char (*key)[VOTE_KEY];
    int *has_key, *score;
};

static const char *
gval(const struct group *g, size_t rec, int col)
{
    size_t o = g->off[rec][col];
    return o == SIZE_MAX ? NULL : g->store.s + o;
}

static int
is_idcard_source(const char *s)
{
    return s && (strcasestr(s, "idcard") || strcasestr(s, "cccd"));
}

static int
completeness(const struct group *g, size_t rec)
{
    int k = 0;
    for (int c = 0; c < NREC; c++) {
        const char *s = gval(g, rec, c);
        k += s && *s;
    }
    return k;
}

/* Position of source in the --prefer list (0 = first), or a number past every position
 * when it is not listed. */
static int
prefer_rank(const char *list, const char *source)
{
    int k = 0;
    size_t n = source ? strlen(source) : 0;

    while (list && *list) {
        size_t m = strcspn(list, ",");
        if (m == n && source && strncmp(list, source, n) == 0)
            return k;
        k++;
        list += m;
        if (*list == ',')
            list++;
    }
    return INT32_MAX;
}

static int
pref_cmp(const void *pa, const void *pb, void *arg)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const struct group *g = arg;
    if (g->prefer) {
        int pa_ = prefer_rank(g->prefer, gval(g, a, C_SOURCE));
        int pb_ = prefer_rank(g->prefer, gval(g, b, C_SOURCE));
        if (pa_ != pb_)
            return pa_ < pb_ ? -1 : 1;
    }
    int ia = is_idcard_source(gval(g, a, C_SOURCE)), ib = is_idcard_source(gval(g, b, C_SOURCE));
    if (ia != ib)
        return ib - ia;
    int ca = completeness(g, a), cb = completeness(g, b);
    if (ca != cb)
        return cb - ca;
    long long ra = strtoll(gval(g, a, C_RECORD_ID), NULL, 10);
    long long rb = strtoll(gval(g, b, C_RECORD_ID), NULL, 10);
    return ra < rb ? -1 : ra > rb;
}

static int
group_add(struct group *g, const struct row *r, struct dc_error *err)
{
    if (g->n >= MAX_CLUSTER)
        return dc_error_set(err, DC_EX_DATAERR,
                            "a cluster has more than %d records: check the dedup result",
                            MAX_CLUSTER);
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        void *o = realloc(g->off, nc * sizeof *g->off);
        if (!o)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->off = o;
        void *rk = realloc(g->rank, nc * sizeof *g->rank);
        if (!rk)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->rank = rk;
        void *k = realloc(g->key, nc * sizeof *g->key);
        if (!k)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->key = k;
        void *hk = realloc(g->has_key, nc * sizeof *g->has_key);
        if (!hk)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->has_key = hk;
        void *sc = realloc(g->score, nc * sizeof *g->score);
        if (!sc)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->score = sc;
        g->cap = nc;
    }
    for (int c = 0; c < NREC; c++) {
        /* a zero-length blob was NULL to sqlite3_column_text, which this code used */
        if (!r->v[c] || (r->type[c] == SQLITE_BLOB && r->n[c] == 0)) {
            g->off[g->n][c] = SIZE_MAX;
            continue;
        }
        g->off[g->n][c] = g->store.len;
        dc_buf_add(&g->store, r->v[c], r->n[c]);
        dc_buf_putc(&g->store, '\0');
    }
    if (g->store.oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    g->rank[g->n] = g->n;
    g->n++;
    return 0;
}

/* What the vote compares for column c (see export.h, --survivors): a name by its fold key
 * ("Nguyễn Văn An" and "Nguyen Van An" are one name) and scored by having diacritics; a
 * date of birth by its year, scored by its precision (its length: 10, 7 or 4). */
static void
vote_keys(struct group *g, int c)
{
    for (size_t i = 0; i < g->n; i++) {
        const char *s = gval(g, i, c);
        g->has_key[i] = s && *s;
        g->score[i] = 0;
        if (!g->has_key[i])
            continue;
        if (c == C_FULL_NAME) {
            if (dc_text_fold(s, g->key[i], VOTE_KEY) < 0)
                snprintf(g->key[i], VOTE_KEY, "%s", s);
            g->score[i] = dc_text_has_diacritics(s);
        } else if (c == C_DOB) {
            snprintf(g->key[i], VOTE_KEY, "%.4s", s);
            g->score[i] = (int)strlen(s);
        } else {
            snprintf(g->key[i], VOTE_KEY, "%s", s);
        }
    }
}

static size_t
count_where(const struct group *g, int c, size_t i, int by_key)
{
    size_t k = 0;
    for (size_t j = 0; j < g->n; j++) {
        if (!g->has_key[j])
            continue;
        if (by_key ? strcmp(g->key[i], g->key[j]) == 0 : strcmp(gval(g, i, c), gval(g, j, c)) == 0)
            k++;
    }
    return k;
}

/* The record whose value of column c the survivor takes, SIZE_MAX when every value is
 * empty: the key most records share (ties: the preferred record's), then within that key
 * the highest score, then the spelling most records share, then the preferred record. */
static size_t
vote(struct group *g, int c)
{
    size_t top = 0, lead = SIZE_MAX, win = SIZE_MAX, win_n = 0;
    const char *only = NULL;

    /* most clusters agree on most fields: then there is nothing to weigh */
    for (size_t r = 0; r < g->n; r++) {
        const char *s = gval(g, g->rank[r], c);
        if (!s || !*s)
            continue;
        if (!only) {
            only = s;
            win = g->rank[r];
        } else if (strcmp(only, s) != 0) {
            win = SIZE_MAX;
            break;
        }
    }
    if (win != SIZE_MAX || !only)
        return win;
    vote_keys(g, c);
    for (size_t r = 0; r < g->n; r++) {
        size_t i = g->rank[r];
        if (!g->has_key[i])
            continue;
        size_t k = count_where(g, c, i, 1);
        if (k > top) {
            top = k;
            lead = i;
        }
    }
    if (lead == SIZE_MAX)
        return SIZE_MAX;
    for (size_t r = 0; r < g->n; r++) {
        size_t i = g->rank[r];
        if (!g->has_key[i] || strcmp(g->key[i], g->key[lead]) != 0)
            continue;
        size_t k = count_where(g, c, i, 0);
        if (win == SIZE_MAX || g->score[i] > g->score[win] ||
            (g->score[i] == g->score[win] && k > win_n)) {
            win = i;
            win_n = k;
        }
    }
    return win;
}

static int
group_emit(struct emit *e, struct group *g, struct dc_buf *ids, struct dc_error *err)
{
    struct row r;
    size_t best = 0, from[NREC];

    if (g->n == 0)
        return 0;
    qsort_r(g->rank, g->n, sizeof *g->rank, pref_cmp, g);
    best = g->rank[0];
    for (int c = 0; c < NREC; c++) {
        if (g->n == 1 || c == C_RECORD_ID || c == C_SOURCE || c == C_SRC_ROW || c == C_CLUSTER_ID ||
            c == C_SRC_FILE || c == C_SRC_LINE)
            from[c] = best; /* where the survivor comes from: the preferred record's */
        else if (c == C_FAMILY_NAME || c == C_MIDDLE_NAME || c == C_GIVEN_NAME)
            from[c] = from[C_FULL_NAME]; /* a name's parts follow the full name */
        else if (c == C_DOB_PRECISION)
            from[c] = from[C_DOB];
        else if (c >= C_PROVINCE_NAME && c <= C_NEW_WARD_NAME)
            from[c] = from[C_PROVINCE_CODE + (c - C_PROVINCE_NAME)]; /* a name follows its code */
        else
            from[c] = vote(g, c);
        const char *win = from[c] == SIZE_MAX ? NULL : gval(g, from[c], c);
        int fixed = c == C_RECORD_ID || c == C_SOURCE || c == C_SRC_ROW || c == C_CLUSTER_ID ||
                    c == C_SRC_FILE || c == C_SRC_LINE;
        if (win && !*win && !fixed)
            win = NULL; /* an empty value does not vote: it is no value */
        r.v[c] = win;
        r.n[c] = win ? strlen(win) : 0;
        r.type[c] =
            (win && (c == C_SRC_ROW || c == C_CLUSTER_ID || c == C_SRC_LINE || c == C_RECORD_ID))
                ? SQLITE_INTEGER
                : SQLITE_TEXT;
    }
    /* the records come sorted by record_id, so the first is the cluster id */
    r.v[C_RECORD_ID] = gval(g, 0, NREC); /* the COALESCEd cluster key */
    r.n[C_RECORD_ID] = strlen(r.v[C_RECORD_ID]);
    dc_buf_reset(ids);
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            dc_buf_putc(ids, ';');
        dc_buf_puts(ids, gval(g, i, C_RECORD_ID));
    }
    /* taken_from: the preferred record, then each field taken from another record */
    size_t ids_len = ids->len;
    dc_buf_putc(ids, '\0');
    dc_buf_puts(ids, gval(g, best, C_RECORD_ID));
    for (int c = 0; c < NREC; c++)
        if (from[c] != SIZE_MAX && from[c] != best && r.v[c] &&
            !(gval(g, best, c) && strcmp(gval(g, best, c), r.v[c]) == 0))
            dc_buf_printf(ids, ";%s=%s", export_records_cols[c].name,
                          gval(g, from[c], C_RECORD_ID));
    if (ids->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    r.v[NREC] = ids->s;
    r.n[NREC] = ids_len;
    r.type[NREC] = SQLITE_TEXT;
    r.v[NREC + 1] = ids->s + ids_len + 1;
    r.n[NREC + 1] = ids->len - ids_len - 1;
    r.type[NREC + 1] = SQLITE_TEXT;
    return export_emit_row(e, &r, err);
}

int
export_run_survivors(struct dc_db *db, struct emit *e, sqlite3_stmt *st, struct dc_error *err)
{
    struct group g = {DC_BUF_INIT, NULL, NULL, 0, 0, e->o->prefer, NULL, NULL, NULL};
    struct dc_buf ids = DC_BUF_INIT;
    struct row r;
    long long cur = 0;
    int rc, ret = -1;

    /* column NREC (the cluster key) is stored as an extra value of each record */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long key = sqlite3_column_int64(st, NREC);
        if (g.n && key != cur) {
            if (group_emit(e, &g, &ids, err) < 0)
                goto out;
            g.n = 0;
            dc_buf_reset(&g.store);
        }
        cur = key;
        export_fetch_row(e, st, NREC, &r);
        if (group_add(&g, &r, err) < 0)
            goto out;
        /* keep the key text too (column NREC) */
        g.off[g.n - 1][NREC] = g.store.len;
        dc_buf_puts(&g.store, (const char *)sqlite3_column_text(st, NREC));
        dc_buf_putc(&g.store, '\0');
        if (g.store.oom) {
            dc_error_set(err, DC_EX_OSERR, "out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read person", err);
        goto out;
    }
    if (group_emit(e, &g, &ids, err) < 0)
        goto out;
    ret = 0;
out:
    dc_buf_release(&g.store);
    dc_buf_release(&ids);
    free(g.off);
    free(g.rank);
    free(g.key);
    free(g.has_key);
    free(g.score);
    return ret;
}
