/*
 * stats.h - the numbers of a staging database for cron mail, monitoring and
 * the HTML report: records per source and stage, rejects by reason, changes by
 * rule, address match rates, cluster sizes, findings, last batch per stage.
 *
 * Every number is a read-only SQL aggregate over the tables of
 * schemas/0001_init.sql (prepared statements, no SQL built from data); rows
 * are ordered so that two runs on the same DB give the same output (issue 9).
 *
 * Not for: printing (cmd/stats.c, core/report.c), examples of single records.
 */
#ifndef DC_STATS_H
#define DC_STATS_H

#include <stddef.h>

#include "db.h"
#include "error.h"

/* At most this many rows per list (a DB with 10,000 reject reasons is read
 * only up to here; changes by rule keep the top DC_STATS_TOP). */
#define DC_STATS_MAX_ROWS 1000
#define DC_STATS_TOP 20

/* One labelled row; what key, key2 and n[] hold is said per list below.
 * Labels longer than the fields are cut (they are codes and names). */
struct dc_stats_row {
    char key[96];
    char key2[96];
    long long n[4];
};

struct dc_stats_list {
    struct dc_stats_row *rows;
    size_t len;
};

struct dc_stats {
    long long src_rows;        /* rows imported (src_row) */
    long long rejects;         /* reject rows */
    long long persons;         /* normalized records (person) */
    long long changes;         /* change rows */
    long long findings;        /* finding rows */
    /* key source; n[0] imported, n[1] rejected (import batches), n[2] normalized */
    struct dc_stats_list sources;
    /* key reason; n[0] rows */
    struct dc_stats_list reject_reasons;
    /* key rule; n[0] changes; the DC_STATS_TOP largest, ties by rule name */
    struct dc_stats_list change_rules;
    /* records with an address; of them with a pre-2025 ward code; with a 2025 ward code */
    long long addr_total, addr_pre, addr_new;
    /* key province code ("" = none), key2 its pre-2025 catalogue name ("" when not loaded);
     * n[0] records with an address, n[1] pre-2025 ward found, n[2] 2025 ward found */
    struct dc_stats_list match_province;
    /* as match_province, by pre-2025 district code (only records that have one) */
    struct dc_stats_list match_district;
    long long clusters;        /* clusters, singletons included */
    long long cluster_hist[5]; /* clusters of size 1, 2, 3, 4, 5 or more */
    long long largest;         /* size of the largest cluster */
    /* key code, key2 severity; n[0] findings; by severity (error first), then code */
    struct dc_stats_list finding_codes;
    /* key stage, key2 finished (ISO, "" when unfinished); n[0] batch id, n[1] rows read,
     * n[2] rows ok, n[3] rows rejected: the last batch of each stage, by stage name */
    struct dc_stats_list batches;
};

/* Fill *st from db (opened DC_DB_READ is enough).  On error st holds nothing
 * to free.  Call dc_stats_release afterwards. */
int dc_stats_load(struct dc_db *db, struct dc_stats *st, struct dc_error *err);

/* Free the lists; accepts a zeroed or released struct. */
void dc_stats_release(struct dc_stats *st);

#endif
