/*
 * link/train.c - estimating the parameters: u from seeded random pairs, m by
 * EM over the counts of distinct agreement patterns with one lambda per
 * blocking rule, the prior, and the TF tables of folded names.  Not for:
 * counting the patterns (block.c), the defaults and text form (params.c).
 */
#include "link_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- estimation --------------------------------------------------------- */

static uint64_t
splitmix(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ull;
    return mix64(*s);
}

static void
normalize_levels(double *v, int nl, double floor)
{
    double sum = 0;
    int l, round;

    for (round = 0; round < 2; round++) {
        sum = 0;
        for (l = 1; l < nl; l++) {
            if (!(v[l] >= floor))
                v[l] = floor;
            sum += v[l];
        }
        for (l = 1; l < nl; l++)
            v[l] /= sum;
    }
}

/* u from random pairs (research/dedup.md §B.4 point 2): no join, seeded.
 * The sample is U_STREAMS fixed streams (seed and stream number), each run
 * by its own thread while the thread count allows, so the counts depend
 * neither on scheduling nor on the number of threads. */
struct usample {
    const struct run *R;
    int stream;
    unsigned long long cnt[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];
};

static void *
u_worker(void *arg)
{
    struct usample *us = arg;
    const struct run *R = us->R;
    const struct ctx *c = &R->c;
    uint64_t st = mix64(R->o->seed ^ (0x5851f42d4c957f2dull * (uint64_t)(us->stream + 1)));
    unsigned long long s;
    size_t n = c->n;
    int k;
    /* Pairs are drawn U_DEPTH ahead of use (the same stream, the same pairs
     * in the same order): random records miss the cache, so their records
     * are prefetched when drawn, and half way along, once the record is
     * there, the name histograms the comparison reads. */
    enum { U_DEPTH = 16 };
    uint32_t ra[U_DEPTH], rb[U_DEPTH];

    for (k = 0; k < U_DEPTH; k++) {
        ra[k] = (uint32_t)(splitmix(&st) % n);
        rb[k] = (uint32_t)(splitmix(&st) % n);
        __builtin_prefetch(&c->r[ra[k]]);
        __builtin_prefetch(&c->r[rb[k]]);
    }
    for (s = 0; s < U_SAMPLES / U_STREAMS; s++) {
        unsigned slot = (unsigned)(s % U_DEPTH), half = (unsigned)((s + U_DEPTH / 2) % U_DEPTH);
        uint32_t a = ra[slot], b = rb[slot], g;

        if (c->hist) {
            __builtin_prefetch(c->hist[c->r[ra[half]].full]);
            __builtin_prefetch(c->hist[c->r[rb[half]].full]);
        }
        ra[slot] = (uint32_t)(splitmix(&st) % n);
        rb[slot] = (uint32_t)(splitmix(&st) % n);
        __builtin_prefetch(&c->r[ra[slot]]);
        __builtin_prefetch(&c->r[rb[slot]]);
        if (a == b)
            continue;
        g = gamma_of(c, &c->r[a], &c->r[b]);
        for (k = 0; k < DC_CMP_COUNT; k++)
            us->cnt[k][DC_DEDUP_LEVEL(g, k)]++;
    }
    return NULL;
}

void
link_estimate_u(struct run *R, struct dc_dedup_params *p)
{
    struct usample us[U_STREAMS];
    int t, k, l;

    memset(us, 0, sizeof us);
    for (t = 0; t < U_STREAMS; t++) {
        us[t].R = R;
        us[t].stream = t;
    }
    link_fan_out(u_worker, us, sizeof us[0], U_STREAMS, R->nthreads);
    p->u_samples = U_SAMPLES / U_STREAMS * U_STREAMS;
    for (k = 0; k < DC_CMP_COUNT; k++) {
        unsigned long long tot = 0, c[DC_DEDUP_MAX_LEVELS] = {0};

        for (l = 1; l < link_nlevels[k]; l++) {
            for (t = 0; t < U_STREAMS; t++)
                c[l] += us[t].cnt[k][l];
            tot += c[l];
        }
        for (l = 1; l < link_nlevels[k]; l++)
            p->u[k][l] = tot ? (double)c[l] / (double)tot : link_default_u[k][l];
        normalize_levels(p->u[k], link_nlevels[k], U_FLOOR);
    }
}

/* m by EM over the counts of distinct (rule, masked pattern) rows (fastLink
 * tableCounts, research/dedup.md §B.4 point 4), u fixed at the random-pair
 * estimate (Splink's default), one lambda per blocking rule because an ID
 * block and a name block hold very different shares of matches. */
int
link_estimate_m(struct run *R, struct dc_dedup_params *p, struct dc_error *err)
{
    uint32_t *pat;
    double lambda[NRULES], cnt[NRULES] = {0}, seed_m[NRULES] = {0};
    size_t np = 0, i;
    int it, k, l, r;

    for (i = 0; i < NPATTERNS; i++)
        np += R->pattern[i] != 0;
    pat = malloc((np ? np : 1) * sizeof *pat);
    if (!pat)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    np = 0;
    for (i = 0; i < NPATTERNS; i++) {
        uint32_t x = (uint32_t)i;

        if (!R->pattern[i])
            continue;
        pat[np++] = x;
        r = (int)(x >> PATTERN_BITS);
        cnt[r] += (double)R->pattern[i];
        /* Starting share from a deterministic rule (Splink): the same ID, or
         * the same name and birth day, where the rule lets us see them. */
        if (pattern_level(x, DC_CMP_ID) == 1 ||
            (pattern_level(x, DC_CMP_NAME) >= 1 && pattern_level(x, DC_CMP_NAME) <= 2 &&
             pattern_level(x, DC_CMP_DOB) == 1))
            seed_m[r] += (double)R->pattern[i];
    }
    for (r = 0; r < NRULES; r++) {
        lambda[r] = cnt[r] > 0 ? seed_m[r] / cnt[r] : 0.1;
        if (lambda[r] < 0.05)
            lambda[r] = 0.05;
        if (lambda[r] > 0.95)
            lambda[r] = 0.95;
    }
    memcpy(p->m, link_default_m, sizeof p->m);
    p->em_converged = 0;
    for (it = 0; it < EM_MAX_ITER; it++) {
        double am[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {{0}};
        double sm[NRULES] = {0}, delta = 0;

        for (i = 0; i < np; i++) {
            uint32_t x = pat[i];
            double c = (double)R->pattern[x], pm, pu, post;

            r = (int)(x >> PATTERN_BITS);
            pm = lambda[r];
            pu = 1 - lambda[r];
            for (k = 0; k < DC_CMP_COUNT; k++) {
                l = (int)pattern_level(x, k);
                if (l) {
                    pm *= p->m[k][l];
                    pu *= p->u[k][l];
                }
            }
            post = pm / (pm + pu);
            sm[r] += post * c;
            for (k = 0; k < DC_CMP_COUNT; k++)
                am[k][pattern_level(x, k)] += post * c;
        }
        for (r = 0; r < NRULES; r++) {
            double nl = cnt[r] > 0 ? sm[r] / cnt[r] : lambda[r];

            if (nl < 1e-6)
                nl = 1e-6;
            if (nl > 1 - 1e-6)
                nl = 1 - 1e-6;
            if (fabs(nl - lambda[r]) > delta)
                delta = fabs(nl - lambda[r]);
            lambda[r] = nl;
        }
        for (k = 0; k < DC_CMP_COUNT; k++) {
            double tot = 0;

            for (l = 1; l < link_nlevels[k]; l++)
                tot += am[k][l];
            if (tot <= 0)
                continue; /* never seen unblocked: keep the starting m */
            normalize_levels(am[k], link_nlevels[k], PROB_FLOOR);
            for (l = 1; l < link_nlevels[k]; l++) {
                if (fabs(am[k][l] - p->m[k][l]) > delta)
                    delta = fabs(am[k][l] - p->m[k][l]);
                p->m[k][l] = am[k][l];
            }
        }
        if (delta < EM_TOL) {
            p->em_converged = 1;
            it++;
            break;
        }
    }
    p->em_iterations = it;
    /* Expected matches among candidates, over all pairs: the prior that goes
     * with u from random pairs (Splink's probability_two_random_records_match). */
    {
        double all = (double)R->c.n * ((double)R->c.n - 1) / 2, matches = 0;

        for (i = 0; i < NPATTERNS; i++) {
            const uint64_t c1 = R->pattern[NPATTERNS + i];
            double pm, pu;

            if (!c1)
                continue;
            r = (int)(i >> PATTERN_BITS);
            pm = lambda[r];
            pu = 1 - lambda[r];
            for (k = 0; k < DC_CMP_COUNT; k++) {
                l = (int)pattern_level((uint32_t)i, k);
                if (l) {
                    pm *= p->m[k][l];
                    pu *= p->u[k][l];
                }
            }
            matches += (double)c1 * pm / (pm + pu) / R->sample_frac[r];
        }
        p->prior = matches / all;
        if (p->prior < 1e-12)
            p->prior = 1e-12;
        if (p->prior > 0.5)
            p->prior = 0.5;
    }
    free(pat);
    return 0;
}

struct tfc {
    uint64_t h;
    uint32_t count, id;
};

static int
tfc_cmp(const void *x, const void *y)
{
    const struct tfc *a = x, *b = y;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->h < b->h ? -1 : a->h > b->h;
}

/* Keep the most frequent values (count >= 2), capped; see link_int.h.
 * Counted per interned id (one distinct value, one id: 4 bytes a distinct
 * value, not a sort of 16 bytes a record, issue 21); the text is the
 * interned one (a full name is interned as joined() makes it). */
int
link_tf_build(struct run *R, struct tf_table *t, int given, struct dc_error *err)
{
    const struct ctx *cx = &R->c;
    const struct intern *in = given ? &cx->names : &cx->fulls;
    size_t i, nc = 0, cap = 0, nv = in->n;
    uint32_t *count = calloc(nv ? nv : 1, sizeof *count);
    struct tfc *c;

    if (!count)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 0; i < cx->n; i++)
        count[given ? cx->r[i].giv : cx->r[i].full]++;
    for (i = 1; i < nv; i++)
        nc += count[i] >= 2;
    c = malloc((nc ? nc : 1) * sizeof *c);
    if (!c) {
        free(count);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    for (i = 1, nc = 0; i < nv; i++)
        if (count[i] >= 2) {
            c[nc].h = in->hash[i];
            c[nc].count = count[i];
            c[nc].id = (uint32_t)i;
            nc++;
        }
    free(count);
    qsort(c, nc, sizeof *c, tfc_cmp);
    t->cut = cx->n ? 1.0 / (double)cx->n : 0;
    if (nc > DC_DEDUP_TF_MAX) {
        nc = DC_DEDUP_TF_MAX;
        t->cut = (double)c[nc - 1].count / (double)cx->n;
    }
    for (i = 0; i < nc; i++) {
        if (link_tf_add(t, &cap, (double)c[i].count / (double)cx->n, in->pool + in->off[c[i].id],
                        in->len[c[i].id])) {
            free(c);
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        }
    }
    free(c);
    if (t->n > 1)
        qsort(t->e, t->n, sizeof *t->e, link_tf_cmp);
    return 0;
}
