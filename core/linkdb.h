/*
 * linkdb.h - the dedup stage's side of the staging DB: load the normalized
 * records it compares, store pairs / clusters / parameters, read a truth file.
 *
 * Records are loaded ordered by record_id, so record index order is
 * record_id order and "smallest index in the cluster" is the smallest
 * record_id: cluster ids are stable across runs.  A dedup run streams the
 * records to dedup.c in batches (dc_linkset_load_input) and keeps only
 * three keys a record here, so a million records fit in the dedup memory
 * budget of issue #5 (500 MB peak).
 *
 * Not for: the linkage model (dedup.c).
 */
#ifndef DC_LINKDB_H
#define DC_LINKDB_H

#include <stdint.h>

#include "db.h"
#include "dedup.h"
#include "person.h"

/* Per record (index order = record_id order) the keys the command needs
 * after the run: record_id to store pairs and clusters, (source, src_row)
 * to match a truth file, packed in 8 bytes: the source's number in
 * sources << 40 | src_row (DC_SRCKEY).  recs, the whole records, only from
 * dc_linkset_load and dc_linkset_load_two (explain); a dedup run streams
 * them instead. */
#define DC_SRCKEY_ROW_BITS 40
struct dc_linkset {
    int64_t *record_id;   /* n, ascending */
    uint64_t *srckey;     /* n, or NULL when not loaded */
    const char **sources; /* nsources distinct sources, interned in strings */
    size_t nsources;
    size_t n;
    struct dc_person *recs;    /* n records or NULL (see above) */
    struct dc_intern *strings; /* owns every string the set points to */
};

/* Whole records: all of them (about 300 bytes a record plus strings), or
 * only those of record_id a and b (explain: at most two). */
int dc_linkset_load(struct dc_db *db, struct dc_linkset *ls, struct dc_error *err);
int dc_linkset_load_two(struct dc_db *db, int64_t a, int64_t b, struct dc_linkset *ls,
                        struct dc_error *err);

/* For a dedup run: the keys into ls, the records into a new *in (the
 * caller's: dc_dedup_input_free), batch by batch, so a million records never
 * sit in memory as struct dc_person (issue #5: that array alone was 330 MB
 * of a 600 MB peak).  A second thread steps the query while the caller's
 * thread reduces the batches already read; db must not be used by anyone
 * else until this returns.  (source, src_row) are kept only when
 * keep_source is set (dc_linkdb_truth needs them): 8 bytes a record. */
int dc_linkset_load_input(struct dc_db *db, struct dc_linkset *ls, int keep_source,
                          struct dc_dedup_input **in, struct dc_error *err);
void dc_linkset_release(struct dc_linkset *ls);

/* The record_ids of a loaded set, read again (in record order) into a set
 * whose record_id was freed for the run: the person table must still hold
 * ls->n records. */
int dc_linkset_reload_ids(struct dc_db *db, struct dc_linkset *ls, struct dc_error *err);

/* Index of a record_id in ls (binary search), or -1. */
long dc_linkset_find(const struct dc_linkset *ls, int64_t record_id);

/* Replace pair and cluster with r and, when params is not NULL, save the
 * parameters that produced them: all in one transaction. */
int dc_linkdb_store(struct dc_db *db, const struct dc_linkset *ls, const struct dc_dedup_result *r,
                    const struct dc_dedup_params *params, const char *now_iso, long long *clusters,
                    long long *multi, struct dc_error *err);

/* Latest saved parameters (NULL when none) and saving new ones. */
int dc_linkdb_params_load(struct dc_db *db, struct dc_dedup_params **out, struct dc_error *err);
int dc_linkdb_params_save(struct dc_db *db, const struct dc_dedup_params *p, const char *now_iso,
                          struct dc_error *err);

/* Truth entity per record (dense numbers) from a `dancu synth` truth_records.csv (source,
 * src_row, person_id).  Records the file does not name get a unique id of
 * their own.  *out (n entries) is freed by the caller with free().  The
 * set's srckey is used up (freed) on success. */
int dc_linkdb_truth(const char *path, struct dc_linkset *ls, uint32_t **out, long *matched,
                    struct dc_error *err);

/* The dedup stage: load the normalized records, link them (with the saved
 * parameters unless opts.train), store pairs, clusters and the trained
 * parameters in one transaction, and evaluate against truth_path when given.
 * Zero the struct, set opts (dc_dedup_opts_init) and truth_path, run, read
 * the results, release. */
struct dc_dedup_stage {
    struct dc_dedup_opts opts;  /* in */
    const char *truth_path;     /* in: a `dancu synth` truth file, or NULL */
    struct dc_linkset ls;       /* out: the records' keys (record_id only: source and
                                     src_row, read only to match the truth file, are freed
                                     before the run) */
    struct dc_dedup_result res; /* out: pairs, clusters, notes, phase times */
    int have_res;
    long long clusters, multi; /* out: clusters, and those of several records */
    long truth_matched;        /* out: records the truth file names */
    int evaluated;             /* out: eval is set (truth_path given) */
    struct dc_dedup_eval eval;
    double t_load, t_run, t_store, t_end; /* out: dc_dedup_clock() at each step */
    double c_load, c_run, c_store, c_end; /* out: dc_dedup_cpu() at each step */
    double peak_run, peak_end;            /* out: dc_dedup_peak_mb() after loading, at the end */
};

int dc_dedup_stage_run(struct dc_db *db, struct dc_dedup_stage *st, const char *now_iso,
                       struct dc_error *err);
void dc_dedup_stage_release(struct dc_dedup_stage *st);

/* The weight waterfall of the stored records a and b (record_id) under the saved
 * parameters, as text in *text (the caller's: free).  DC_EX_DATAERR when a
 * record is not normalized or nothing was trained yet. */
int dc_dedup_explain_records(struct dc_db *db, int64_t a, int64_t b, char **text,
                             struct dc_error *err);

#endif
