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
/* Numbers per row at most. */
#define DC_STATS_NCOUNT 5

/* One labelled row; what key, key2 and n[] hold is said per list below.
 * Labels longer than the fields are cut (they are codes and names). */
struct dc_stats_row {
    char key[96];
    char key2[160];
    long long n[DC_STATS_NCOUNT];
};

struct dc_stats_list {
    struct dc_stats_row *rows;
    size_t len;
    long long total; /* rows the query gave: len, or more when the list was cut */
};

struct dc_stats {
    long long src_rows; /* rows imported (src_row) */
    long long rejects;  /* reject rows */
    long long persons;  /* normalized records (person) */
    long long changes;  /* change rows plus the format-only changes counted */
    long long findings; /* finding rows */
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

/* The per-commune and per-source view a province manager reads in the report
 * (issue 15 §8).  Findings count those attached to a record; a finding on no
 * single record is in no row.  In the two ward lists the row with key "" holds
 * the records without a ward code of that era; the lists are ordered by code,
 * so that row comes first and survives the DC_STATS_MAX_ROWS cut. */
struct dc_stats_communes {
    /* key 2025 ward code, key2 "ward, province" as the catalogue spells them;
     * n[0] records, n[1] of them with a pre-2025 ward code as well,
     * n[2] error, n[3] warning, n[4] info findings on those records */
    struct dc_stats_list ward_new;
    /* key pre-2025 ward code, key2 "ward, district, province"; n[1] records with
     * a 2025 ward code as well; the rest as ward_new */
    struct dc_stats_list ward_pre;
    /* key source; n[0] records, n[1] records with any finding, n[2] error,
     * n[3] warning, n[4] info findings */
    struct dc_stats_list sources;
};

/* Fill *c from db; on error c holds nothing to free.  Release with
 * dc_stats_communes_release (accepts a zeroed or released struct). */
int dc_stats_load_communes(struct dc_db *db, struct dc_stats_communes *c, struct dc_error *err);
void dc_stats_communes_release(struct dc_stats_communes *c);

/* Fill *st from db (opened DC_DB_READ is enough).  On error st holds nothing
 * to free.  Call dc_stats_release afterwards. */
int dc_stats_load(struct dc_db *db, struct dc_stats *st, struct dc_error *err);

/* Free the lists; accepts a zeroed or released struct. */
void dc_stats_release(struct dc_stats *st);

#endif
