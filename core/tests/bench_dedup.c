/*
 * bench_dedup.c - time dc_dedup_run on a synthetic population (not a test:
 * prints time, quality and peak memory).  Reuses test_dedup.c's seeded
 * generator so the benchmark and the F1 test see the same kind of data.
 *
 *   bench_dedup [PERSONS]   (default 100000 persons, about 200,000 records)
 */
#define DC_DEDUP_BENCH
/* The unit tests are compiled in but not run here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "test_dedup.c"

#include <sys/resource.h>

int
main(int argc, char **argv)
{
    struct synth y;
    struct dc_dedup_opts o;
    struct dc_dedup_result r;
    struct dc_dedup_eval e;
    struct dc_error err = DC_ERROR_INIT;
    struct rusage ru;
    long persons = 100000, rss0;
    double t0, t1, cpu0;

    if (argc > 1) {
        char *end;

        persons = strtol(argv[1], &end, 10);
        if (*end || persons < 1 || persons > 5000000) {
            fprintf(stderr, "bench_dedup: PERSONS must be 1..5000000\n");
            return 64;
        }
    }
    if (synth_make(&y, (size_t)persons, 20261127)) {
        fprintf(stderr, "bench_dedup: out of memory\n");
        return 71;
    }
    dc_dedup_opts_init(&o);
    o.seed = 42;
    o.truth = y.truth;
    getrusage(RUSAGE_SELF, &ru);
    rss0 = ru.ru_maxrss / 1024;
    cpu0 = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    t0 = now();
    if (dc_dedup_run(y.p, y.n, NULL, &o, &r, &err)) {
        fprintf(stderr, "bench_dedup: %s\n", err.msg);
        synth_free(&y);
        return err.status;
    }
    t1 = now();
    if (dc_dedup_evaluate(r.cluster, y.truth, y.n, r.candidate_true_pairs, &e)) {
        fprintf(stderr, "bench_dedup: out of memory\n");
        return 71;
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("records %zu candidates %llu kept pairs %zu time %.3f s cpu %.3f s\n", y.n,
           r.candidate_pairs, r.npairs, t1 - t0,
           (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6 - cpu0);
    printf("peak rss %ld MB, of which before the run (generator) %ld MB\n", ru.ru_maxrss / 1024,
           rss0);
    printf("precision %.4f recall %.4f f1 %.4f pairs-completeness %.4f\n", e.precision, e.recall,
           e.f1, e.pairs_completeness);
    {
        size_t i;
        char *t = NULL;

        for (i = 0; i < r.nnotes; i++)
            printf("note: %s\n", r.notes[i]);
        if (dc_dedup_params_to_text(r.params, &t, &err) == 0) {
            char *cut = strstr(t, "tf_cut");

            if (cut)
                *cut = '\0';
            printf("%s", t);
        }
        free(t);
    }
    dc_dedup_result_release(&r);
    synth_free(&y);
    return 0;
}
