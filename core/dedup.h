/*
 * dedup.h - probabilistic record linkage (Fellegi-Sunter) over normalized
 * person records, in memory: blocking, comparison levels, u from random
 * pairs, m by EM over agreement-pattern counts, term-frequency adjustment,
 * constrained union-find clustering, a text waterfall per pair, and pairwise
 * evaluation against a known truth.
 *
 * The model is Splink's / fastLink's (research/dedup.md §0, §1, §4); the
 * blocking rules, comparison levels, TF policy and cannot-link rules are the
 * design of research/dedup.md §B.2-§B.6, adapted as link/link_int.h says
 * (the code is in core/link/).
 *
 * Not for: reading or writing the database (linkdb.c streams the person
 * rows in and stores pairs, clusters and the params text), nor
 * normalisation (normalize has run before).
 */
#ifndef DC_DEDUP_H
#define DC_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "person.h"

/* Comparisons and their levels.  Level 0 is always "null" (a value missing:
 * weight 0); the gamma of a pair packs one 4-bit level per comparison,
 * comparison c at bits 4c..4c+3. */
enum dc_dedup_cmp { DC_CMP_NAME, DC_CMP_DOB, DC_CMP_ID, DC_CMP_SEX, DC_CMP_ADDR, DC_CMP_COUNT };
#define DC_DEDUP_MAX_LEVELS 8
#define DC_DEDUP_LEVEL(gamma, c) (((gamma) >> (4 * (c))) & 0xFu)

struct dc_dedup_opts {
    double threshold;        /* match probability for clustering, default 0.9 */
    double review_min;       /* pairs kept in the result from this probability, default 0.5 */
    int train;               /* re-estimate m/u even if params are given */
    unsigned long long seed; /* for u sampling (0 is a valid seed) */
    size_t max_block;        /* a larger block is split, default 10 (0 = default) */
    const uint32_t *truth;   /* optional: entity id per record, only to count
                                 candidate pairs that are true (evaluation) */
    int threads;             /* threads for blocking and scoring: 0 = the machine's
                                 (util/threads.h); results do not depend on it */
    int max_year;            /* a birth year after this one is a typo, not evidence:
                                 compared as unknown (0 = no limit; the stage
                                 sets the year of its clock) */
    size_t pair_cache;       /* pairs a training run remembers per thread for the
                                 scoring pass (0 = default, 4M); a smaller cache
                                 costs time, never changes a result (tests) */
    size_t memory;           /* bytes the run aims to stay within: it sets how many
                                 rules block at once, the keys sorted at a time and
                                 the pair cache (0 = 1 GiB, or half the machine's
                                 physical memory if less); never changes a result.
                                 The records, key fingerprints and blocks stay in
                                 memory: a budget below them is noted, not kept */
};

/* Fills the defaults named above. */
void dc_dedup_opts_init(struct dc_dedup_opts *o);

/* m/u per comparison level, prior, TF tables: opaque, serialisable. */
struct dc_dedup_params;

/* Hand-set parameters for batches too small to train on (documented in
 * link/params.c next to the table).  Allocated; free with dc_dedup_params_free. */
int dc_dedup_params_default(struct dc_dedup_params **out, struct dc_error *err);
int dc_dedup_params_to_text(const struct dc_dedup_params *p, char **out, struct dc_error *err);
/* 1: text is saved parameters of an earlier format (another model), which a
 * run does not reuse but trains anew. */
int dc_dedup_params_outdated(const char *text);
int dc_dedup_params_from_text(const char *text, struct dc_dedup_params **out, struct dc_error *err);
void dc_dedup_params_free(struct dc_dedup_params *p);

struct dc_dedup_pair {
    uint32_t a, b; /* indexes into the input array, a < b */
    float weight;  /* log2 Bayes factor including the prior */
    float prob;
    uint32_t gamma; /* packed comparison levels (DC_DEDUP_LEVEL), DC_DEDUP_ID_LINK */
};

/* Set in a pair's gamma when the pair is linked because both records carry
 * the same valid 12-digit ID (issue 16: a shared ID is one person unless
 * both sex and birth year say otherwise), whatever its probability. */
#define DC_DEDUP_ID_LINK (1u << 20)

/* Where a run's wall time goes (--verbose prints it; issue #5 budgets the
 * whole command at 10 s for a million records). */
enum dc_dedup_phase {
    DC_PHASE_PREP,    /* records reduced to the compact form (during input_add) */
    DC_PHASE_BLOCK,   /* blocking keys, sorted into blocks */
    DC_PHASE_COUNT,   /* training pass: agreement-pattern counts */
    DC_PHASE_U,       /* u from random pairs */
    DC_PHASE_EM,      /* m by EM, TF tables */
    DC_PHASE_SCORE,   /* scoring pass over all candidate pairs */
    DC_PHASE_CLUSTER, /* union-find, pairs sorted for output */
    DC_DEDUP_NPHASES
};
/* Seconds on the monotonic clock phase_s is measured with, so a caller can
 * time its own phases (loading, storing) alongside. */
double dc_dedup_clock(void);
/* CPU seconds of the whole process (all threads), for phase_cpu. */
double dc_dedup_cpu(void);
/* The process's peak resident memory so far, in MB (getrusage), for
 * phase_peak_mb: which phase set the peak (issue 21). */
double dc_dedup_peak_mb(void);
const char *dc_dedup_phase_name(int phase);

struct dc_dedup_result {
    struct dc_dedup_pair *pairs; /* scored pairs with prob >= review_min, sorted (a,b) */
    size_t npairs;
    uint32_t *cluster;    /* per record: smallest record index in its cluster */
    size_t nblocks_split; /* blocks over max_block, split (described in notes) */
    char **notes;         /* plain text, no personal data */
    size_t nnotes;
    unsigned long long candidate_pairs;
    unsigned long long candidate_true_pairs; /* only when opts->truth was given */
    unsigned long long refused_merges;       /* cannot-link refusals */
    struct dc_dedup_params *params;          /* the params used (trained or given), owned */
    double phase_s[DC_DEDUP_NPHASES];        /* wall seconds per phase */
    double phase_cpu[DC_DEDUP_NPHASES];      /* CPU seconds per phase, all threads (not PREP,
                                           which runs beside the reading) */
    double phase_peak_mb[DC_DEDUP_NPHASES];  /* peak resident MB of the process at the end of
                                                each phase */
};

int dc_dedup_run(const struct dc_person *recs, size_t n, const struct dc_dedup_params *given,
                 const struct dc_dedup_opts *opts, struct dc_dedup_result *out,
                 struct dc_error *err);
void dc_dedup_result_release(struct dc_dedup_result *r);

/* The same run over records given in batches, so a caller streaming a
 * million rows from the DB never holds them all as struct dc_person: each
 * batch is reduced to the compact form the linkage compares (64 bytes
 * a record) and may be freed after dc_dedup_input_add returns.  Record
 * indexes in the result count across batches in the order added; results
 * are the same as dc_dedup_run over the concatenated array.  expected sizes
 * the first allocation (0 is fine).  dc_dedup_run_input takes the records
 * over: afterwards the input can only be freed. */
struct dc_dedup_input;

int dc_dedup_input_new(size_t expected, struct dc_dedup_input **out, struct dc_error *err);
int dc_dedup_input_add(struct dc_dedup_input *in, const struct dc_person *recs, size_t n,
                       struct dc_error *err);
size_t dc_dedup_input_count(const struct dc_dedup_input *in);
int dc_dedup_run_input(struct dc_dedup_input *in, const struct dc_dedup_params *given,
                       const struct dc_dedup_opts *opts, struct dc_dedup_result *out,
                       struct dc_error *err);
void dc_dedup_input_free(struct dc_dedup_input *in);

/* Waterfall for one pair: the prior, each comparison with its level, m, u,
 * weight (log2 Bayes factor) and TF adjustment, the total and the
 * probability; plain text, one line each.  *text is malloc'd. */
int dc_dedup_explain(const struct dc_person *a, const struct dc_person *b,
                     const struct dc_dedup_params *p, char **text, struct dc_error *err);

struct dc_dedup_eval {
    unsigned long long tp, fp, fn, true_pairs, candidate_true_pairs;
    double precision, recall, f1, pairs_completeness;
};

/* Pairwise precision/recall/F1 of the clustering against truth entity ids;
 * candidate_true is result.candidate_true_pairs (for pairs completeness).
 * Returns -1 only when memory runs out. */
int dc_dedup_evaluate(const uint32_t *cluster, const uint32_t *truth_entity, size_t n,
                      unsigned long long candidate_true, struct dc_dedup_eval *out);

#endif
