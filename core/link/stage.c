/*
 * link/stage.c - the dedup stage over the staging DB (see linkdb.h): load the
 * normalized records, link them, store pairs, clusters and trained parameters
 * in one transaction, evaluate against a truth file; and the explanation of
 * one pair of stored records.
 *
 * Not for: loading and storing (linkdb.c), the linkage model (dedup.h's
 * files in link/), options and printing (cmd/dedup.c).
 */
#include "../linkdb.h"

#include <stdlib.h>

int
dc_dedup_stage_run(struct dc_db *db, struct dc_dedup_stage *st, const char *now_iso,
                   struct dc_error *err)
{
    struct dc_dedup_input *in = NULL;
    struct dc_dedup_params *given = NULL;
    uint32_t *truth = NULL;
    struct dc_dedup_opts o = st->opts;
    int ret = -1;

    if (!o.max_year && now_iso)
        o.max_year = atoi(now_iso); /* "YYYY-..." */
    st->t_load = dc_dedup_clock();
    st->c_load = dc_dedup_cpu();
    if (dc_linkset_load_input(db, &st->ls, st->truth_path != NULL, &in, err) < 0)
        goto out;
    st->t_run = dc_dedup_clock();
    st->c_run = dc_dedup_cpu();
    st->peak_run = dc_dedup_peak_mb();
    /* Only the store needs record_id, only the truth file (source, src_row):
     * 16 bytes a record the run can use better (issue 21); the store reads
     * record_id again, the truth file's matching lets (source, src_row) go
     * once it has matched them. */
    free(st->ls.record_id);
    st->ls.record_id = NULL;
    if (st->truth_path) {
        if (dc_linkdb_truth(st->truth_path, &st->ls, &truth, &st->truth_matched, err) < 0)
            goto out;
        o.truth = truth;
    }
    free(st->ls.srckey);
    st->ls.srckey = NULL;
    /* trained parameters are reused unless --train; a run that trains
     * saves what it trained, with its results */
    if (!o.train && dc_linkdb_params_load(db, &given, err) < 0)
        goto out;
    if (dc_dedup_run_input(in, given, &o, &st->res, err) < 0)
        goto out;
    st->have_res = 1;
    dc_dedup_input_free(in);
    in = NULL;
    st->t_store = dc_dedup_clock();
    st->c_store = dc_dedup_cpu();
    if (dc_linkset_reload_ids(db, &st->ls, err) < 0)
        goto out;
    if (dc_linkdb_store(db, &st->ls, &st->res, given ? NULL : st->res.params, now_iso,
                        &st->clusters, &st->multi, err) < 0)
        goto out;
    st->t_end = dc_dedup_clock();
    st->c_end = dc_dedup_cpu();
    st->peak_end = dc_dedup_peak_mb();
    if (truth) {
        dc_dedup_evaluate(st->res.cluster, truth, st->ls.n, st->res.candidate_true_pairs,
                          &st->eval);
        st->evaluated = 1;
    }
    ret = 0;
out:
    dc_dedup_input_free(in);
    dc_dedup_params_free(given);
    free(truth);
    return ret;
}

void
dc_dedup_stage_release(struct dc_dedup_stage *st)
{
    if (!st)
        return;
    if (st->have_res)
        dc_dedup_result_release(&st->res);
    st->have_res = 0;
    dc_linkset_release(&st->ls);
}

int
dc_dedup_explain_records(struct dc_db *db, int64_t a, int64_t b, char **text, struct dc_error *err)
{
    struct dc_linkset ls;
    struct dc_dedup_params *p = NULL;
    int ret = -1;

    *text = NULL;
    if (dc_linkset_load_two(db, a, b, &ls, err) < 0)
        return -1;
    long ia = dc_linkset_find(&ls, a), ib = dc_linkset_find(&ls, b);
    if (ia < 0 || ib < 0) {
        dc_error_set(err, DC_EX_DATAERR, "no normalized record %lld", (long long)(ia < 0 ? a : b));
        goto out;
    }
    if (dc_linkdb_params_load(db, &p, err) < 0)
        goto out;
    if (!p) {
        dc_error_set(err, DC_EX_DATAERR, "no dedup parameters yet: run 'dancu dedup DB' first");
        goto out;
    }
    if (dc_dedup_explain(&ls.recs[ia], &ls.recs[ib], p, text, err) < 0)
        goto out;
    ret = 0;
out:
    dc_dedup_params_free(p);
    dc_linkset_release(&ls);
    return ret;
}
