/*
 * link/run.c - the public face of the linkage (core/dedup.h): options, the
 * run from records to pairs and clusters in its phases, records given in
 * batches, explain, pairwise evaluation against known entities, phase
 * timing and the run's notes.  Not for: the phases themselves (records.c,
 * block.c, train.c, cluster.c), database I/O (linkdb.c).
 */
#include "link_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

static const char *const level_names[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {
    {"null", "exact (NFC)", "exact folded", "surname variant (Hoang/Huynh, Vu/Vo)",
     "given equal, middle missing or Thi/Van dropped", "jaro-winkler >= 0.95",
     "jaro-winkler >= 0.88", "different"},
    {"null", "exact day", "day/month swapped", "same year and month", "year-only agreeing",
     "one digit apart", "different", ""},
    {"null", "equal", "one digit apart, swapped, leading-zero variant or unknown province prefix",
     "one missing", "different", "", "", ""},
    {"null", "agree", "disagree", "", "", "", "", ""},
    {"null", "same ward and house or hamlet", "same ward, house unknown on a side",
     "same ward, another house or hamlet", "same province", "different", "", ""},
};

/* ---- phase timing (for --verbose; never changes a result) --------------- */

static double
clock_s(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double
dc_dedup_clock(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

double
dc_dedup_cpu(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

double
dc_dedup_peak_mb(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_maxrss / 1024.0; /* KB on Linux */
}

/* Ends phase ph: its wall and CPU seconds since *t and *c, which move on. */
static void
phase_end(struct dc_dedup_result *out, int ph, double *t, double *c)
{
    double t1 = dc_dedup_clock(), c1 = dc_dedup_cpu();

    out->phase_s[ph] = t1 - *t;
    out->phase_cpu[ph] = c1 - *c;
    out->phase_peak_mb[ph] = dc_dedup_peak_mb();
    *t = t1;
    *c = c1;
}

const char *
dc_dedup_phase_name(int phase)
{
    static const char *const names[DC_DEDUP_NPHASES] = {
        "prepare records", "blocking", "training pairs", "u sample",
        "EM + TF",         "scoring",  "clustering"};

    return phase >= 0 && phase < DC_DEDUP_NPHASES ? names[phase] : "?";
}

/* ---- notes ------------------------------------------------------------- */

int
link_add_note(struct dc_dedup_result *res, struct dc_error *err, const char *fmt, ...)
{
    char buf[256], **nn;
    va_list ap;

    if (res->nnotes >= MAX_NOTES + 1)
        return 0;
    if (res->nnotes == MAX_NOTES) {
        fmt = "further notes left out";
    }
    va_start(ap, fmt);
    if (vsnprintf(buf, sizeof buf, fmt, ap) < 0)
        buf[0] = '\0';
    va_end(ap);
    nn = realloc(res->notes, (res->nnotes + 1) * sizeof *nn);
    if (!nn)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    res->notes = nn;
    nn[res->nnotes] = strdup(buf);
    if (!nn[res->nnotes])
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    res->nnotes++;
    return 0;
}

/* ---- the run ------------------------------------------------------------ */

void
dc_dedup_opts_init(struct dc_dedup_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.9;
    o->review_min = 0.5;
    o->max_block = DEFAULT_MAX_BLOCK;
}

void
dc_dedup_result_release(struct dc_dedup_result *r)
{
    size_t i;

    if (!r)
        return;
    free(r->pairs);
    free(r->cluster);
    for (i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    dc_dedup_params_free(r->params);
    memset(r, 0, sizeof *r);
}

static void
run_free(struct run *R)
{
    int k;

    link_ctx_free(&R->c);
    for (k = 0; k < NRULES; k++)
        rule_groups_drop(&R->rg[k]);
    free(R->pattern);
    free(R->pairs);
    free(R->keys);
    if (R->spill)
        fclose(R->spill);
    if (R->gcfile)
        fclose(R->gcfile);
    for (k = 0; k < LINK_MAX_THREADS; k++)
        free(R->gc[k]);
    link_scorer_free(&R->sc);
}

static int
opts_check(const struct dc_dedup_opts *opts, struct dc_dedup_opts *o, struct dc_error *err)
{
    if (opts)
        *o = *opts;
    else
        dc_dedup_opts_init(o);
    if (o->max_block == 0)
        o->max_block = DEFAULT_MAX_BLOCK;
    if (o->max_block > 1000000)
        return dc_error_set(err, DC_EX_USAGE, "dedup: block cap over 1000000");
    if (!(o->threshold >= 0 && o->threshold <= 1) || !(o->review_min >= 0 && o->review_min <= 1))
        return dc_error_set(err, DC_EX_USAGE, "dedup: threshold and review_min must be in 0..1");
    return 0;
}

static int run_ctx(struct ctx *c, const struct dc_dedup_params *given,
                   const struct dc_dedup_opts *o, struct dc_dedup_result *out,
                   struct dc_error *err);

int
dc_dedup_run(const struct dc_person *recs, size_t n, const struct dc_dedup_params *given,
             const struct dc_dedup_opts *opts, struct dc_dedup_result *out, struct dc_error *err)
{
    struct dc_dedup_opts o;
    struct ctx c;

    memset(out, 0, sizeof *out);
    if (opts_check(opts, &o, err))
        return -1;
    if (n > MAX_RECORDS)
        return dc_error_set(err, DC_EX_DATAERR, "dedup: too many records (%zu)", n);
    if (n && !recs)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no records array");
    if (link_ctx_build(&c, recs, n, err))
        return -1;
    return run_ctx(&c, given, &o, out, err);
}

/* ---- records given in batches ------------------------------------------ */

struct dc_dedup_input {
    struct ctx c;
};

int
dc_dedup_input_new(size_t expected, struct dc_dedup_input **out, struct dc_error *err)
{
    struct dc_dedup_input *in;

    *out = NULL;
    if (expected > MAX_RECORDS)
        return dc_error_set(err, DC_EX_DATAERR, "dedup: too many records (%zu)", expected);
    in = calloc(1, sizeof *in);
    if (!in)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    if (link_ctx_init(&in->c, expected, err)) {
        free(in);
        return -1;
    }
    *out = in;
    return 0;
}

int
dc_dedup_input_add(struct dc_dedup_input *in, const struct dc_person *recs, size_t n,
                   struct dc_error *err)
{
    if (!in || !in->c.r)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no input, or input already run");
    return link_ctx_add(&in->c, recs, n, err);
}

size_t
dc_dedup_input_count(const struct dc_dedup_input *in)
{
    return in ? in->c.n : 0;
}

void
dc_dedup_input_free(struct dc_dedup_input *in)
{
    if (!in)
        return;
    link_ctx_free(&in->c);
    free(in);
}

int
dc_dedup_run_input(struct dc_dedup_input *in, const struct dc_dedup_params *given,
                   const struct dc_dedup_opts *opts, struct dc_dedup_result *out,
                   struct dc_error *err)
{
    struct dc_dedup_opts o;
    struct ctx c;

    memset(out, 0, sizeof *out);
    if (!in)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no input");
    if (opts_check(opts, &o, err))
        return -1;
    if (!in->c.r)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: input already run");
    c = in->c; /* the run takes the records over: in is left empty */
    memset(&in->c, 0, sizeof in->c);
    return run_ctx(&c, given, &o, out, err);
}

/* "12 KB" or "34 MB": a size as the notes give it. */
static void
size_text(char *buf, size_t size, size_t bytes)
{
    if (bytes >= (size_t)10 << 20)
        snprintf(buf, size, "%zu MB", bytes >> 20);
    else
        snprintf(buf, size, "%zu KB", bytes >> 10);
}

/* The memory budget (issue 21).  What the run holds from blocking to the
 * end is counted first: the records and string tables, the key
 * fingerprints and the clusters; then the blocks' member lists (at most an
 * entry per record and rule), of all nine rules when they fit beside the
 * rest ("resident"), else of one rule at a time, each blocked when a pass
 * comes to it ("streamed", link_scan).  What is left decides how many
 * rules are blocked at once, how many keys a blocking thread sorts at a
 * time (32 bytes each: all of a rule's at once when they fit, else
 * through temporary files, at least a sixteenth of the records at once)
 * and how many pairs each worker may remember for the scoring pass (half
 * of what is left; when streamed, a temporary file holds them instead).
 * None of it changes a result, only the time.  A budget below what the
 * run needs at its smallest is noted. */
static int
set_budget(struct run *R, struct dc_error *err)
{
    size_t n = R->c.n, mem = link_memory(R->o->memory), base, left, t, lim;
    size_t full = (n ? n : 1) * 2 * sizeof(struct ki), floor = n / 16 > 1024 ? n / 16 : 1024;
    size_t all_groups = n * NRULES * sizeof(uint32_t), one_group = n * 2 * sizeof(uint32_t);

    /* the records and string tables, the name histograms and TF weights
     * (per distinct full name), the parts, the clusters, the truth (when
     * given), and what the process holds beside the run (SQLite's cache,
     * the workers' counts and buffers) */
    base = link_ctx_bytes(&R->c) + R->c.fulls.n * (sizeof *R->c.hist + sizeof(double)) +
           n * (KEY_COLS * sizeof(uint8_t) + sizeof(uint32_t) +
                (R->o->truth ? sizeof *R->o->truth : 0)) +
           PROCESS_OVERHEAD;
    R->streamed = base + all_groups + full > mem;
    base += R->streamed ? one_group : all_groups;
    left = base < mem ? mem - base : 0;
    t = R->streamed ? 0 : left / full;
    R->block_threads = t < 1 ? 1 : t < (size_t)R->nthreads ? (int)t : R->nthreads;
    R->block_cap = t >= 1 ? n : left / (2 * sizeof(struct ki));
    if (R->block_cap < floor)
        R->block_cap = floor;
    if (R->block_cap > n)
        R->block_cap = n;
    lim = R->o->pair_cache && R->o->pair_cache < GCACHE_MAX ? R->o->pair_cache : GCACHE_MAX;
    t = left / 2 / ((size_t)R->nthreads * sizeof(struct gpair));
    R->gc_lim = R->streamed ? 0 : t < lim ? t : lim;
    if (R->streamed) {
        size_t need = base + R->block_cap * 2 * sizeof(struct ki);
        size_t all = base - one_group + all_groups + full;
        char how[96] = "", a[32], b[32];

        if (R->block_cap < n)
            snprintf(how, sizeof how,
                     ", its keys through temporary files, up to %zu sorted at once", R->block_cap);
        size_text(a, sizeof a, all);
        size_text(b, sizeof b, mem);
        if (link_add_note(R->res, err,
                          "memory: all blocks of the records need about %s, over the budget of "
                          "%s; each rule blocked in turn%s, pairs through temporary "
                          "files%s",
                          a, b, how, need > mem ? " (still over the budget)" : ""))
            return -1;
    }
    return 0;
}

/* The run proper.  Takes c over (it is freed here, success or not); o is
 * checked. */
static int
run_ctx(struct ctx *c, const struct dc_dedup_params *given, const struct dc_dedup_opts *o,
        struct dc_dedup_result *out, struct dc_error *err)
{
    struct run R;
    struct dc_dedup_params *p = NULL;
    int k, train;
    size_t i, j, n = c->n;
    double t = dc_dedup_clock(), cpu = dc_dedup_cpu();

    memset(&R, 0, sizeof R);
    R.c = *c;
    memset(c, 0, sizeof *c);
    link_ctx_seal(&R.c);
    /* a birth date in the future is known to be wrong: no evidence either way */
    if (o->max_year > 0)
        for (i = 0; i < n; i++)
            if (R.c.r[i].prec && R.c.r[i].year > o->max_year)
                R.c.r[i].prec = 0;
    R.o = o;
    R.nthreads = link_threads(o->threads);
    R.res = out;
    out->phase_s[DC_PHASE_PREP] = R.c.prep_s;
    out->phase_peak_mb[DC_PHASE_PREP] = dc_dedup_peak_mb();
    if (set_budget(&R, err) || link_ctx_hist(&R.c, err) || link_build_rules(&R, err))
        goto fail;
    phase_end(out, DC_PHASE_BLOCK, &t, &cpu);

    train = !given || o->train;
    if (train && n >= MIN_TRAIN_RECORDS) {
        R.pattern = calloc(2 * NPATTERNS, sizeof *R.pattern);
        p = calloc(1, sizeof *p);
        if (!R.pattern || !p) {
            dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto fail;
        }
        if (link_scan(&R, SCAN_COUNT, err))
            goto fail;
        if (R.gc_ok) { /* the scoring pass walks no blocks */
            free(R.keys);
            R.keys = NULL;
        }
        phase_end(out, DC_PHASE_COUNT, &t, &cpu);
    }
    if (train && (n < MIN_TRAIN_RECORDS || R.candidates < MIN_TRAIN_PAIRS)) {
        dc_dedup_params_free(p);
        p = NULL;
        if (given) {
            if (link_params_copy(given, &p, err))
                goto fail;
            if (link_add_note(out, err, "too few records or pairs to train: given parameters kept"))
                goto fail;
        } else {
            if (dc_dedup_params_default(&p, err))
                goto fail;
            if (link_add_note(out, err,
                              "too few records or pairs to train (%zu records): default "
                              "parameters used",
                              n))
                goto fail;
        }
    } else if (train) {
        p->seed = o->seed;
        p->trained = 1;
        p->trained_records = n;
        link_estimate_u(&R, p);
        phase_end(out, DC_PHASE_U, &t, &cpu);
        if (link_estimate_m(&R, p, err))
            goto fail;
        if (!p->em_converged &&
            link_add_note(out, err, "EM did not converge in %d iterations", p->em_iterations))
            goto fail;
        if (link_tf_build(&R, &p->tf_full, 0, err) || link_tf_build(&R, &p->tf_given, 1, err))
            goto fail;
    } else if (link_params_copy(given, &p, err)) {
        goto fail;
    }
    free(R.pattern);
    R.pattern = NULL;
    out->params = p;
    p = NULL;

    R.p = out->params;
    R.keep_min = o->review_min < o->threshold ? o->review_min : o->threshold;
    R.keep_w = R.keep_min > 0 ? logit2(R.keep_min) - 1e-6 : -HUGE_VAL;
    phase_end(out, DC_PHASE_EM, &t, &cpu);
    if (link_scorer_init(&R.sc, R.p, &R.c, err))
        goto fail;
    if (link_scan(&R, SCAN_SCORE, err))
        goto fail;
    /* what only the comparisons needed: the clustering has the room */
    free(R.keys);
    R.keys = NULL;
    link_scorer_free(&R.sc);
    link_ctx_drop_strings(&R.c);
    phase_end(out, DC_PHASE_SCORE, &t, &cpu);
    if (link_rule_notes(&R, err))
        goto fail;
    out->candidate_pairs = R.candidates;
    out->candidate_true_pairs = R.cand_true;
    for (k = 0; k < NRULES; k++) {
        if (link_add_note(out, err, "blocking rule '%s': %zu blocks, %llu new pairs",
                          link_rule_names[k], R.rg[k].ngroups, R.rule_new[k]))
            goto fail;
        rule_groups_drop(&R.rg[k]); /* walked: their room is the clustering's */
    }
    if (link_cluster(&R, err))
        goto fail;
    for (i = 0, j = 0; i < R.npairs; i++)
        if (R.pairs[i].prob >= o->review_min || (R.pairs[i].gamma & DC_DEDUP_ID_LINK))
            R.pairs[j++] = R.pairs[i];
    out->pairs = R.pairs;
    out->npairs = j;
    R.pairs = NULL;
    run_free(&R);
    phase_end(out, DC_PHASE_CLUSTER, &t, &cpu);
    return 0;
fail:
    dc_dedup_params_free(p);
    run_free(&R);
    dc_dedup_result_release(out);
    return -1;
}

/* ---- explain ------------------------------------------------------------ */

int
dc_dedup_explain(const struct dc_person *a, const struct dc_person *b,
                 const struct dc_dedup_params *p, char **text, struct dc_error *err)
{
    struct dc_person two[2];
    struct ctx c;
    struct scorer sc;
    struct dc_buf sb = DC_BUF_INIT;
    uint32_t g;
    double w, total;
    int k;

    *text = NULL;
    if (!a || !b || !p)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup explain: missing argument");
    two[0] = *a;
    two[1] = *b;
    if (link_ctx_build(&c, two, 2, err))
        return -1;
    if (link_scorer_init(&sc, p, &c, err)) {
        link_ctx_free(&c);
        return -1;
    }
    g = gamma_of(&c, &c.r[0], &c.r[1]);
    total = sc.prior_w;
    dc_buf_printf(&sb, "%-8s %-48s %-22s weight %+8.3f\n", "prior", "", "", total);
    for (k = 0; k < DC_CMP_COUNT; k++) {
        unsigned l = DC_DEDUP_LEVEL(g, k);
        char mu[64] = "";

        w = sc.w[k][l];
        if (l)
            snprintf(mu, sizeof mu, "m %.4g u %.4g", p->m[k][l], p->u[k][l]);
        total += w;
        dc_buf_printf(&sb, "%-8s level %u %-40s %-22s weight %+8.3f\n", link_cmp_names[k], l,
                      level_names[k][l], mu, w);
        if (k == DC_CMP_NAME) {
            double t = tf_adjust(&sc, &c.r[0], &c.r[1], l);

            total += t;
            if (t != 0)
                dc_buf_printf(&sb, "%-8s %-48s %-22s weight %+8.3f\n", "name",
                              "term frequency adjustment", "", t);
        }
    }
    dc_buf_printf(&sb, "%-8s %-48s %-22s weight %+8.3f\n", "total", "", "", total);
    dc_buf_printf(&sb, "probability %.6f\n", prob_of(total));
    if (id_link(&c.r[0], &c.r[1]))
        dc_buf_printf(&sb, "linked: the same valid 12-digit ID, and sex and birth year do not "
                           "both contradict it (clustered whatever the probability, unless a "
                           "cannot-link rule refuses)\n");
    link_scorer_free(&sc);
    link_ctx_free(&c);
    if (sb.oom) {
        dc_buf_release(&sb);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    *text = sb.s;
    return 0;
}

/* ---- evaluation --------------------------------------------------------- */

struct ct {
    uint64_t t;
    uint32_t c;
};

static int
by_ct(const void *x, const void *y)
{
    const struct ct *a = x, *b = y;

    if (a->c != b->c)
        return a->c < b->c ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}

static int
by_t(const void *x, const void *y)
{
    const struct ct *a = x, *b = y;

    return a->t < b->t ? -1 : a->t > b->t;
}

static unsigned long long
pairs_of(unsigned long long k)
{
    return k < 2 ? 0 : k * (k - 1) / 2;
}

int
dc_dedup_evaluate(const uint32_t *cluster, const uint32_t *truth_entity, size_t n,
                  unsigned long long candidate_true, struct dc_dedup_eval *out)
{
    struct ct *v = malloc((n ? n : 1) * sizeof *v);
    unsigned long long pred = 0;
    size_t i, j;

    memset(out, 0, sizeof *out);
    if (!v)
        return -1;
    for (i = 0; i < n; i++) {
        v[i].c = cluster[i];
        v[i].t = truth_entity[i];
    }
    qsort(v, n, sizeof *v, by_ct);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].c == v[i].c; j++)
            ;
        pred += pairs_of(j - i);
    }
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].c == v[i].c && v[j].t == v[i].t; j++)
            ;
        out->tp += pairs_of(j - i);
    }
    qsort(v, n, sizeof *v, by_t);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].t == v[i].t; j++)
            ;
        out->true_pairs += pairs_of(j - i);
    }
    free(v);
    out->fp = pred - out->tp;
    out->fn = out->true_pairs - out->tp;
    out->candidate_true_pairs = candidate_true;
    out->precision = pred ? (double)out->tp / (double)pred : 1.0;
    out->recall = out->true_pairs ? (double)out->tp / (double)out->true_pairs : 1.0;
    out->f1 = out->precision + out->recall > 0
                  ? 2 * out->precision * out->recall / (out->precision + out->recall)
                  : 0.0;
    out->pairs_completeness =
        out->true_pairs ? (double)candidate_true / (double)out->true_pairs : 1.0;
    return 0;
}
