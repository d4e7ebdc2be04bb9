/*
 * dedup.c - `dancu dedup DB`: link the records of the same person.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../core/dedup.h"
#include "../core/linkdb.h"

const char dc_usage_dedup[] =
    "usage: dancu dedup DB [--threshold P] [--review-min P] [--train] [--seed N]\n"
    "                      [--max-block N] [--memory SIZE] [--truth FILE]\n"
    "       dancu dedup DB --explain A,B\n"
    "\n"
    "Find the records of the same person across and within sources: blocking\n"
    "on several keys (ID; given name + birth date; full name + birth year;\n"
    "family + given name + ward; ID prefix + birth year + given name; CMND),\n"
    "comparisons with levels (name, birth date, ID, sex, address), Fellegi-\n"
    "Sunter weights (u from random pairs, m by EM, term-frequency adjusted\n"
    "names), and clustering with cannot-link checks.  Replaces the pair and\n"
    "cluster tables; cluster_id is the smallest record_id of the cluster.\n"
    "\n"
    "Options:\n"
    "  --threshold P    match probability to link two records (default 0.9)\n"
    "  --review-min P   keep pairs from this probability for review (default 0.5)\n"
    "  --train          re-estimate the parameters (otherwise the saved ones are\n"
    "                   reused; the first run always trains)\n"
    "  --seed N         seed of the random pairs that estimate u (default 1)\n"
    "  --max-block N    split a block larger than N by further keys (default 10)\n"
    "  --memory SIZE    memory to stay within, e.g. 800M or 2G (default 1G, or\n"
    "                   half the machine's if less): sets the threads that block,\n"
    "                   the keys sorted at a time and the pair cache, never a\n"
    "                   result; a budget below what the records need is noted\n"
    "  --truth FILE     a truth_records.csv of 'dancu synth': print pairwise\n"
    "                   precision, recall, F1 and blocking pairs completeness\n"
    "  --explain A,B    print the weight waterfall of records A and B (record_id)\n"
    "  --allow-stale    run although files were imported after the last normalize\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 files were imported after the last normalize;\n"
    "66 DB missing; 74 I/O error; 75 DB busy.\n";

static int
parse_prob(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

static int
explain(struct dc_ctx *ctx, struct dc_db *db, const char *spec, struct dc_error *err)
{
    char *text = NULL;
    char *end;
    long long a, b;

    errno = 0;
    a = strtoll(spec, &end, 10);
    if (errno || *end != ',')
        return dc_error_set(err, DC_EX_USAGE, "--explain wants two record ids: A,B");
    b = strtoll(end + 1, &end, 10);
    if (errno || *end)
        return dc_error_set(err, DC_EX_USAGE, "--explain wants two record ids: A,B");
    if (dc_dedup_explain_records(db, a, b, &text, err) < 0)
        return -1;
    fprintf(ctx->out, "records %lld and %lld\n%s", a, b, text);
    free(text);
    return 0;
}

int
cmd_dedup(struct dc_ctx *ctx, int argc, char **argv)
{
    enum { O_THR = 256, O_REV, O_TRAIN, O_SEED, O_BLOCK, O_TRUTH, O_EXPLAIN, O_STALE, O_MEM };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"threshold", required_argument, NULL, O_THR},
                                         {"review-min", required_argument, NULL, O_REV},
                                         {"train", no_argument, NULL, O_TRAIN},
                                         {"seed", required_argument, NULL, O_SEED},
                                         {"max-block", required_argument, NULL, O_BLOCK},
                                         {"truth", required_argument, NULL, O_TRUTH},
                                         {"explain", required_argument, NULL, O_EXPLAIN},
                                         {"allow-stale", no_argument, NULL, O_STALE},
                                         {"memory", required_argument, NULL, O_MEM},
                                         {NULL, 0, NULL, 0}};
    struct dc_dedup_stage st;
    struct dc_dedup_opts *o = &st.opts;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    const char *explain_spec = NULL;
    char *end;
    int ch, allow_stale = 0;

    memset(&st, 0, sizeof st);
    dc_dedup_opts_init(o);
    o->seed = 1;
    o->threads = ctx->threads;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case O_THR:
            if (parse_prob(optarg, &o->threshold) < 0)
                return dc_cmd_usage_error(ctx, "--threshold wants a probability 0..1");
            break;
        case O_REV:
            if (parse_prob(optarg, &o->review_min) < 0)
                return dc_cmd_usage_error(ctx, "--review-min wants a probability 0..1");
            break;
        case O_TRAIN:
            o->train = 1;
            break;
        case O_SEED:
            errno = 0;
            o->seed = strtoull(optarg, &end, 10);
            if (errno || *end)
                return dc_cmd_usage_error(ctx, "--seed wants a number");
            break;
        case O_BLOCK:
            errno = 0;
            o->max_block = (size_t)strtoull(optarg, &end, 10);
            if (errno || *end || o->max_block < 2)
                return dc_cmd_usage_error(ctx, "--max-block wants a number >= 2");
            break;
        case O_MEM: {
            unsigned long long v;

            if (dc_cmd_parse_size(optarg, &v) < 0 || v > SIZE_MAX)
                return dc_cmd_usage_error(ctx, "--memory wants a size such as 800M or 2G");
            o->memory = (size_t)v;
            break;
        }
        case O_TRUTH:
            st.truth_path = optarg;
            break;
        case O_EXPLAIN:
            explain_spec = optarg;
            break;
        case O_STALE:
            allow_stale = 1;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    if (argc - optind != 1)
        return dc_cmd_usage_error(ctx, "expected one argument, the database");
    if (o->review_min > o->threshold)
        return dc_cmd_usage_error(ctx, "--review-min must not be above --threshold");
    if (dc_db_open(argv[optind], explain_spec ? DC_DB_READ : DC_DB_WRITE, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (explain_spec) {
        if (explain(ctx, db, explain_spec, &err) < 0)
            goto fail;
        dc_db_close(db, NULL);
        return 0;
    }
    if ((ch = dc_cmd_require_normalized(ctx, db, allow_stale)) != 0) {
        dc_db_close(db, NULL);
        return ch;
    }
    if (dc_dedup_stage_run(db, &st, ctx->now_iso, &err) < 0)
        goto fail;
    if (st.truth_path && !ctx->quiet)
        fprintf(stderr, "dancu dedup: truth file names %ld of %zu records\n", st.truth_matched,
                st.ls.n);
    if (!ctx->quiet) {
        fprintf(stderr,
                "dancu dedup: %zu records, %llu candidate pairs, %zu pairs kept (p >= %.2f), "
                "%lld clusters (%lld with more than one record), %llu merges refused\n",
                st.ls.n, st.res.candidate_pairs, st.res.npairs, o->review_min, st.clusters,
                st.multi, st.res.refused_merges);
        /* what each blocking rule contributed is for tuning: --verbose */
        for (size_t i = 0; i < st.res.nnotes; i++)
            if (ctx->verbose || strncmp(st.res.notes[i], "blocking rule ", 14) != 0)
                fprintf(stderr, "dancu dedup: note: %s\n", st.res.notes[i]);
        if (ctx->verbose) {
            /* records are prepared batch by batch while the next are read */
            /* wall seconds, then CPU seconds of all threads: on a loaded
             * machine only the second says what a phase costs */
            fprintf(stderr,
                    "dancu dedup: time: load %.3f s, CPU %.3f s (%s %.3f s of it, "
                    "beside reading), peak %.0f MB\n",
                    st.t_run - st.t_load, st.c_run - st.c_load, dc_dedup_phase_name(DC_PHASE_PREP),
                    st.res.phase_s[DC_PHASE_PREP], st.peak_run);
            for (int ph = DC_PHASE_PREP + 1; ph < DC_DEDUP_NPHASES; ph++)
                fprintf(stderr, "dancu dedup: time: %s %.3f s, CPU %.3f s, peak %.0f MB\n",
                        dc_dedup_phase_name(ph), st.res.phase_s[ph], st.res.phase_cpu[ph],
                        st.res.phase_peak_mb[ph]);
            fprintf(stderr, "dancu dedup: time: store %.3f s, CPU %.3f s, peak %.0f MB\n",
                    st.t_end - st.t_store, st.c_end - st.c_store, st.peak_end);
            fprintf(stderr, "dancu dedup: time: total %.3f s, CPU %.3f s\n", st.t_end - st.t_load,
                    st.c_end - st.c_load);
        }
    }
    if (st.evaluated) {
        const struct dc_dedup_eval *ev = &st.eval;
        fprintf(ctx->out,
                "precision %.4f\nrecall %.4f\nf1 %.4f\npairs_completeness %.4f\n"
                "true_pairs %llu\ntp %llu\nfp %llu\nfn %llu\n",
                ev->precision, ev->recall, ev->f1, ev->pairs_completeness, ev->true_pairs, ev->tp,
                ev->fp, ev->fn);
    }
    dc_dedup_stage_release(&st);
    if (dc_db_close(db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    return 0;
fail:
    dc_dedup_stage_release(&st);
    dc_db_close(db, NULL);
    return dc_cmd_fail(ctx, &err);
}
