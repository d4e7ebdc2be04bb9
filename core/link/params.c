/*
 * link/params.c - the model's parameters: the hand-set defaults for batches
 * too small to train, the TF tables, the weight tables a run scores with,
 * and the text form the database stores (dancu-dedup-params 1).  Not for:
 * estimating them (train.c), storing them (linkdb.c).
 */
#include "link_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int link_nlevels[DC_CMP_COUNT] = {8, 7, 5, 3, 6};
const char *const link_cmp_names[DC_CMP_COUNT] = {"name", "dob", "id", "sex", "address"};

/*
 * Hand-set parameters for batches too small to train (fewer than
 * MIN_TRAIN_RECORDS records).  They are judgement, not estimates: m from the
 * corruption rates research/dedup.md §C.3 describes for FEBRL-style data, u
 * from rough Vietnamese frequencies (a birth date shared by chance ~1/29,000,
 * surname Nguyen ~38% §B.5, a few hundred wards per province).
 */
const double link_default_m[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {
    {0, 0.80, 0.08, 0.02, 0.03, 0.04, 0.02, 0.01},
    {0, 0.85, 0.03, 0.03, 0.03, 0.04, 0.02},
    {0, 0.66, 0.02, 0.30, 0.02},
    {0, 0.98, 0.02},
    {0, 0.50, 0.10, 0.10, 0.20, 0.10},
};
const double link_default_u[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {
    {0, 1e-4, 1e-4, 1e-4, 5e-4, 1e-3, 1e-2, 0.9883},
    {0, 1e-4, 1e-4, 1e-3, 0.0125, 5e-4, 0.9858},
    {0, 1e-4, 1e-4, 0.30, 0.6998},
    {0, 0.5, 0.5},
    {0, 0.001, 0.002, 0.007, 0.20, 0.79}, /* one house or hamlet: ~1 in 10 of a ward */
};
#define DEFAULT_PRIOR 1e-4

/* ---- parameters --------------------------------------------------------- */

static void
tf_free(struct tf_table *t)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        free(t->e[i].s);
    free(t->e);
    memset(t, 0, sizeof *t);
}

void
dc_dedup_params_free(struct dc_dedup_params *p)
{
    if (!p)
        return;
    tf_free(&p->tf_full);
    tf_free(&p->tf_given);
    free(p);
}

int
dc_dedup_params_default(struct dc_dedup_params **out, struct dc_error *err)
{
    struct dc_dedup_params *p = calloc(1, sizeof *p);

    *out = NULL;
    if (!p)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    memcpy(p->m, link_default_m, sizeof p->m);
    memcpy(p->u, link_default_u, sizeof p->u);
    p->prior = DEFAULT_PRIOR;
    *out = p;
    return 0;
}

int
link_tf_cmp(const void *x, const void *y)
{
    const struct tf_entry *a = x, *b = y;

    return a->h < b->h ? -1 : a->h > b->h;
}

/* Frequency of a folded value (by hash), or the table's cut, or 0. */
static double
tf_lookup(const struct tf_table *t, uint64_t h)
{
    size_t lo = 0, hi = t->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->e[mid].h == h)
            return t->e[mid].freq;
        if (t->e[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return t->cut;
}

void
link_scorer_free(struct scorer *s)
{
    free(s->tff);
    free(s->tfg);
    memset(s, 0, sizeof *s);
}

int
link_scorer_init(struct scorer *s, const struct dc_dedup_params *p, const struct ctx *c,
                 struct dc_error *err)
{
    int k, l;
    size_t i;

    memset(s, 0, sizeof *s);
    s->prior_w = logit2(p->prior);
    for (k = 0; k < DC_CMP_COUNT; k++)
        for (l = 1; l < link_nlevels[k]; l++)
            s->w[k][l] = log2(p->m[k][l] / p->u[k][l]);
    for (l = 1; l < link_nlevels[DC_CMP_NAME]; l++)
        s->u_name[l] = p->u[DC_CMP_NAME][l];
    if (p->tf_full.cut > 0) {
        s->tff = malloc(c->fulls.n * sizeof *s->tff);
        if (!s->tff)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        s->tff[0] = 0;
        for (i = 1; i < c->fulls.n; i++)
            s->tff[i] = tf_lookup(&p->tf_full, c->fulls.hash[i]);
    }
    if (p->tf_given.cut > 0) {
        s->tfg = malloc(c->names.n * sizeof *s->tfg);
        if (!s->tfg) {
            link_scorer_free(s);
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        }
        s->tfg[0] = 0;
        for (i = 1; i < c->names.n; i++)
            s->tfg[i] = tf_lookup(&p->tf_given, c->names.hash[i]);
    }
    return 0;
}

/* ---- text form ---------------------------------------------------------- */

int
dc_dedup_params_to_text(const struct dc_dedup_params *p, char **out, struct dc_error *err)
{
    struct dc_buf b = DC_BUF_INIT;
    int k, l;
    size_t i;

    *out = NULL;
    dc_buf_printf(&b, "dancu-dedup-params %d\n", LINK_PARAMS_FORMAT);
    dc_buf_printf(&b, "prior %.17g\n", p->prior);
    dc_buf_printf(&b, "trained %d\nseed %llu\ntrained_records %llu\nu_samples %llu\n", p->trained,
                  p->seed, p->trained_records, p->u_samples);
    dc_buf_printf(&b, "em_iterations %d\nem_converged %d\n", p->em_iterations, p->em_converged);
    for (k = 0; k < DC_CMP_COUNT; k++)
        for (l = 1; l < link_nlevels[k]; l++)
            dc_buf_printf(&b, "level %s %d m %.17g u %.17g\n", link_cmp_names[k], l, p->m[k][l],
                          p->u[k][l]);
    dc_buf_printf(&b, "tf_cut full %.17g\ntf_cut given %.17g\n", p->tf_full.cut, p->tf_given.cut);
    for (i = 0; i < p->tf_full.n; i++)
        dc_buf_printf(&b, "tf full %.17g %s\n", p->tf_full.e[i].freq, p->tf_full.e[i].s);
    for (i = 0; i < p->tf_given.n; i++)
        dc_buf_printf(&b, "tf given %.17g %s\n", p->tf_given.e[i].freq, p->tf_given.e[i].s);
    dc_buf_printf(&b, "end\n");
    if (b.oom) {
        dc_buf_release(&b);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    *out = b.s;
    return 0;
}

static int
tok(const char **p, const char *end, const char **t, size_t *tl)
{
    const char *s = *p;

    while (s < end && *s == ' ')
        s++;
    *t = s;
    while (s < end && *s != ' ')
        s++;
    *tl = (size_t)(s - *t);
    *p = s;
    return *tl > 0;
}

static int
tok_is(const char *t, size_t tl, const char *w)
{
    return tl == strlen(w) && memcmp(t, w, tl) == 0;
}

static int
tok_double(const char *t, size_t tl, double *v)
{
    char buf[64], *e;

    if (tl == 0 || tl >= sizeof buf)
        return 0;
    memcpy(buf, t, tl);
    buf[tl] = '\0';
    *v = strtod(buf, &e);
    return *e == '\0' && isfinite(*v);
}

static int
tok_ull(const char *t, size_t tl, unsigned long long *v)
{
    char buf[32], *e;

    if (tl == 0 || tl >= sizeof buf || t[0] == '-')
        return 0;
    memcpy(buf, t, tl);
    buf[tl] = '\0';
    *v = strtoull(buf, &e, 10);
    return *e == '\0';
}

int
link_tf_add(struct tf_table *t, size_t *cap, double freq, const char *s, size_t n)
{
    if (t->n == *cap) {
        struct tf_entry *e = dc_grow(t->e, cap, 64, sizeof *e);

        if (!e)
            return -1;
        t->e = e;
    }
    t->e[t->n].s = malloc(n + 1);
    if (!t->e[t->n].s)
        return -1;
    memcpy(t->e[t->n].s, s, n);
    t->e[t->n].s[n] = '\0';
    t->e[t->n].h = hash_bytes(s, n);
    t->e[t->n].freq = freq;
    t->n++;
    return 0;
}

int
dc_dedup_params_outdated(const char *text)
{
    static const char head[] = "dancu-dedup-params ";

    return text && strncmp(text, head, sizeof head - 1) == 0 && text[sizeof head - 1] >= '1' &&
           text[sizeof head - 1] < '0' + LINK_PARAMS_FORMAT &&
           (text[sizeof head] == '\n' || text[sizeof head] == '\r');
}

int
dc_dedup_params_from_text(const char *text, struct dc_dedup_params **out, struct dc_error *err)
{
    struct dc_dedup_params *p;
    const char *s = text, *end;
    size_t tlen, capf = 0, capg = 0, lineno = 0;
    int seen_end = 0, seen_head = 0;
    unsigned char seen[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {{0}};

    *out = NULL;
    if (!text)
        return dc_error_set(err, DC_EX_DATAERR, "dedup params: no text");
    tlen = strnlen(text, MAX_PARAMS_TEXT + 1);
    if (tlen > MAX_PARAMS_TEXT)
        return dc_error_set(err, DC_EX_DATAERR, "dedup params: text over %u bytes",
                            MAX_PARAMS_TEXT);
    p = calloc(1, sizeof *p);
    if (!p)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    end = text + tlen;
    while (s < end && !seen_end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end;
        const char *q = s, *t;
        size_t tl;

        lineno++;
        s = nl ? nl + 1 : end;
        if (!tok(&q, le, &t, &tl))
            continue;
        if (!seen_head) {
            const char *v;
            size_t vl;

            if (!tok_is(t, tl, "dancu-dedup-params") || !tok(&q, le, &v, &vl))
                goto bad;
            if (vl == 1 && v[0] >= '1' && v[0] < '0' + LINK_PARAMS_FORMAT) {
                dc_dedup_params_free(p);
                return dc_error_set(err, DC_EX_DATAERR,
                                    "dedup params: format %c, from an earlier model (the "
                                    "address comparison had no house levels): train again",
                                    v[0]);
            }
            if (vl != 1 || v[0] != '0' + LINK_PARAMS_FORMAT)
                goto bad;
            seen_head = 1;
        } else if (tok_is(t, tl, "end")) {
            seen_end = 1;
        } else if (tok_is(t, tl, "prior")) {
            if (!tok(&q, le, &t, &tl) || !tok_double(t, tl, &p->prior) || !(p->prior > 0) ||
                !(p->prior < 1))
                goto bad;
        } else if (tok_is(t, tl, "level")) {
            const char *c, *l;
            size_t cl, ll;
            int k, lev = -1;
            double m, u;

            if (!tok(&q, le, &c, &cl) || !tok(&q, le, &l, &ll))
                goto bad;
            for (k = 0; k < DC_CMP_COUNT; k++)
                if (tok_is(c, cl, link_cmp_names[k]))
                    break;
            if (k == DC_CMP_COUNT || ll != 1 || l[0] < '1' || l[0] > '7')
                goto bad;
            lev = l[0] - '0';
            if (lev >= link_nlevels[k])
                goto bad;
            if (!tok(&q, le, &t, &tl) || !tok_is(t, tl, "m") || !tok(&q, le, &t, &tl) ||
                !tok_double(t, tl, &m) || !tok(&q, le, &t, &tl) || !tok_is(t, tl, "u") ||
                !tok(&q, le, &t, &tl) || !tok_double(t, tl, &u))
                goto bad;
            if (!(m > 0 && m <= 1 && u > 0 && u <= 1))
                goto bad;
            p->m[k][lev] = m;
            p->u[k][lev] = u;
            seen[k][lev] = 1;
        } else if (tok_is(t, tl, "tf_cut")) {
            const char *w;
            size_t wl;
            double v;

            if (!tok(&q, le, &w, &wl) || !tok(&q, le, &t, &tl) || !tok_double(t, tl, &v) || v < 0 ||
                v > 1)
                goto bad;
            if (tok_is(w, wl, "full"))
                p->tf_full.cut = v;
            else if (tok_is(w, wl, "given"))
                p->tf_given.cut = v;
            else
                goto bad;
        } else if (tok_is(t, tl, "tf")) {
            const char *w;
            size_t wl, vl;
            double v;
            struct tf_table *tab;

            if (!tok(&q, le, &w, &wl) || !tok(&q, le, &t, &tl) || !tok_double(t, tl, &v) ||
                !(v > 0 && v <= 1))
                goto bad;
            tab = tok_is(w, wl, "full")    ? &p->tf_full
                  : tok_is(w, wl, "given") ? &p->tf_given
                                           : NULL;
            while (q < le && *q == ' ')
                q++;
            vl = (size_t)(le - q);
            if (!tab || vl == 0 || vl > MAX_NAME * 3 || tab->n >= DC_DEDUP_TF_MAX)
                goto bad;
            if (link_tf_add(tab, tab == &p->tf_full ? &capf : &capg, v, q, vl)) {
                dc_dedup_params_free(p);
                return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            }
        } else if (tok_is(t, tl, "trained") || tok_is(t, tl, "seed") ||
                   tok_is(t, tl, "trained_records") || tok_is(t, tl, "u_samples") ||
                   tok_is(t, tl, "em_iterations") || tok_is(t, tl, "em_converged")) {
            const char *key = t;
            size_t kl = tl;
            unsigned long long v;

            if (!tok(&q, le, &t, &tl) || !tok_ull(t, tl, &v))
                goto bad;
            if (tok_is(key, kl, "trained"))
                p->trained = v != 0;
            else if (tok_is(key, kl, "seed"))
                p->seed = v;
            else if (tok_is(key, kl, "trained_records"))
                p->trained_records = v;
            else if (tok_is(key, kl, "u_samples"))
                p->u_samples = v;
            else if (tok_is(key, kl, "em_iterations"))
                p->em_iterations = v > 1000000 ? 1000000 : (int)v;
            else
                p->em_converged = v != 0;
        } else {
            goto bad;
        }
    }
    if (!seen_head || !seen_end || !(p->prior > 0))
        goto bad_noline;
    {
        int k, l;

        for (k = 0; k < DC_CMP_COUNT; k++)
            for (l = 1; l < link_nlevels[k]; l++)
                if (!seen[k][l]) {
                    dc_dedup_params_free(p);
                    return dc_error_set(err, DC_EX_DATAERR, "dedup params: level %s %d missing",
                                        link_cmp_names[k], l);
                }
    }
    if (p->tf_full.n > 1)
        qsort(p->tf_full.e, p->tf_full.n, sizeof *p->tf_full.e, link_tf_cmp);
    if (p->tf_given.n > 1)
        qsort(p->tf_given.e, p->tf_given.n, sizeof *p->tf_given.e, link_tf_cmp);
    *out = p;
    return 0;
bad:
    dc_dedup_params_free(p);
    return dc_error_set(err, DC_EX_DATAERR, "dedup params: line %zu: not understood", lineno);
bad_noline:
    dc_dedup_params_free(p);
    return dc_error_set(err, DC_EX_DATAERR, "dedup params: header, prior or end missing");
}

int
link_params_copy(const struct dc_dedup_params *src, struct dc_dedup_params **out,
                 struct dc_error *err)
{
    char *t;
    int rc;

    if (dc_dedup_params_to_text(src, &t, err))
        return -1;
    rc = dc_dedup_params_from_text(t, out, err);
    free(t);
    return rc;
}
