/*
 * linkdb.h - the dedup stage's side of the staging DB: load the normalized
 * records it compares, store pairs / clusters / parameters, read a truth file.
 *
 * Records are loaded ordered by record_id, so record index order is
 * record_id order and "smallest index in the cluster" is the smallest
 * record_id: cluster ids are stable across runs.  Strings are interned in
 * one arena (codes, names and keys repeat a lot), so a million records fit
 * in the dedup memory budget.
 *
 * Not for: the linkage model (dedup.c).
 */
#ifndef DC_LINKDB_H
#define DC_LINKDB_H

#include <stdint.h>

#include "db.h"
#include "dedup.h"
#include "person.h"

struct dc_linkset {
    struct dc_person *recs;   /* n records, ordered by record_id */
    size_t n;
    struct dc_intern *strings; /* owns every string the records point to */
};

int dc_linkset_load(struct dc_db *db, struct dc_linkset *ls, struct dc_error *err);
void dc_linkset_release(struct dc_linkset *ls);

/* Index of a record_id in ls (binary search), or -1. */
long dc_linkset_find(const struct dc_linkset *ls, int64_t record_id);

/* Replace pair and cluster with r, in one transaction. */
int dc_linkdb_store(struct dc_db *db, const struct dc_linkset *ls, const struct dc_dedup_result *r,
                    const char *now_iso, long long *clusters, long long *multi,
                    struct dc_error *err);

/* Latest saved parameters (NULL when none) and saving new ones. */
int dc_linkdb_params_load(struct dc_db *db, struct dc_dedup_params **out, struct dc_error *err);
int dc_linkdb_params_save(struct dc_db *db, const struct dc_dedup_params *p, const char *now_iso,
                          struct dc_error *err);

/* Truth entity per record from a `dancu synth` truth_records.csv (source,
 * src_row, person_id).  Records the file does not name get a unique id of
 * their own.  *out (n entries) is freed by the caller with free(). */
int dc_linkdb_truth(const char *path, const struct dc_linkset *ls, uint64_t **out,
                    long *matched, struct dc_error *err);

#endif
