/*
 * crosscheck.h - the crosscheck stage over the staging DB.
 *
 * Per-record rules come from the rule table (rules.c).  Rules over several
 * records run here in SQL, after dedup:
 *   ID_SHARED    one 12-digit ID on records dedup put in different clusters
 *                (without clusters: different folded name or birth date)
 *   CMND_SHARED  the same for an old CMND number (a warning: CMND numbers
 *                were re-used across provinces, idformats.md §2.1)
 * and, with --against, AGAINST_MISMATCH: a record and the record with the
 * same ID in another staging DB or extract disagree on a field.
 *
 * Not for: the rules themselves (rules.c) or printing.
 */
#ifndef DC_CROSSCHECK_H
#define DC_CROSSCHECK_H

#include "db.h"
#include "rules.h"

struct dc_crosscheck_summary {
    long long batch_id;
    long records;
    long findings[3];     /* by enum dc_severity */
    long against_matched; /* records joined by ID with --against */
};

/* Replace the finding table: every rule on every person, then the
 * cross-record rules.  against: NULL, or a path to a dancu DB or a CSV
 * extract (normalized on the fly) to compare with. */
int dc_crosscheck_db(struct dc_db *db, const struct dc_rules_ctx *ctx, const char *against,
                     const char *now_iso, struct dc_crosscheck_summary *s, struct dc_error *err);

#endif
