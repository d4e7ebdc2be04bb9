/*
 * stats.c - read-only aggregates over the staging DB (see stats.h).
 *
 * Each list is one fixed SQL text run through run_list(); no value from the
 * database ever becomes SQL.  The tables and their meaning are those of
 * schemas/0001_init.sql; "matched" means the normalizer stored a ward code
 * (pre-2025 ward_code, 2025 new_ward_code), as core/address.h defines.
 *
 * Not for: formatting, record-level examples (core/report.c does those).
 */
#include "stats.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

static void
copy_label(char *dst, size_t cap, const unsigned char *src)
{
    size_t n;

    if (!src) {
        dst[0] = '\0';
        return;
    }
    n = strlen((const char *)src);
    if (n >= cap) {
        /* Cut on a UTF-8 character boundary so the label stays valid text. */
        n = cap - 1;
        while (n > 0 && (src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Run sql; each row gives columns key, key2, then up to DC_STATS_NCOUNT
 * integers (ncount of them).  A query with no key2 passes has_key2 = 0. */
static int
run_list(struct dc_db *db, const char *sql, int has_key2, int ncount, struct dc_stats_list *out,
         struct dc_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;

    out->rows = NULL;
    out->len = 0;
    out->total = 0;
    if (dc_db_prepare(db, sql, &st, err) < 0)
        return -1;
    /* rows past the cut are only counted (the grouping is done by then) */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->total++ >= DC_STATS_MAX_ROWS)
            continue;
        if (out->len == cap) {
            struct dc_stats_row *r = dc_grow(out->rows, &cap, 16, sizeof *r);
            if (!r) {
                sqlite3_finalize(st);
                return dc_error_set(err, DC_EX_OSERR, "out of memory");
            }
            out->rows = r;
        }
        struct dc_stats_row *r = &out->rows[out->len++];
        int c = 0;
        memset(r, 0, sizeof *r);
        copy_label(r->key, sizeof r->key, sqlite3_column_text(st, c++));
        if (has_key2)
            copy_label(r->key2, sizeof r->key2, sqlite3_column_text(st, c++));
        for (int i = 0; i < ncount && i < DC_STATS_NCOUNT; i++)
            r->n[i] = sqlite3_column_int64(st, c++);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read statistics", err);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int
count(struct dc_db *db, const char *sql, long long *out, struct dc_error *err)
{
    *out = dc_db_count(db, sql, err);
    return *out < 0 ? -1 : 0;
}

/* A record "has an address" when the normalizer kept anything of it. */
#define HAS_ADDR                                                                                   \
    "(coalesce(address_raw, '') <> '' OR province_code IS NOT NULL "                               \
    "OR new_province_code IS NOT NULL)"

static const char sql_sources[] =
    "SELECT s, SUM(imp), SUM(rej), SUM(norm) FROM ("
    " SELECT coalesce(source, '') AS s, rows_ok AS imp, rows_rejected AS rej, 0 AS norm"
    "  FROM batch WHERE stage = 'import'"
    " UNION ALL SELECT source, 0, 0, COUNT(*) FROM person GROUP BY source)"
    " GROUP BY s ORDER BY s";
static const char sql_reasons[] =
    "SELECT reason, COUNT(*) AS n FROM reject GROUP BY reason ORDER BY n DESC, reason";
static const char sql_rules[] =
    "SELECT rule, SUM(n) AS n FROM (SELECT rule, COUNT(*) AS n FROM change GROUP BY rule"
    " UNION ALL SELECT rule, n FROM change_count) GROUP BY rule ORDER BY n DESC, rule LIMIT 20";
static const char sql_match_total[] =
    "SELECT '', COUNT(*), COUNT(ward_code), COUNT(new_ward_code) FROM person WHERE " HAS_ADDR;
static const char sql_match_province[] =
    "SELECT p.pc, coalesce(u.name, u2.name, ''), p.n, p.pre, p.new FROM ("
    " SELECT coalesce(province_code, new_province_code, '') AS pc, COUNT(*) AS n,"
    "  COUNT(ward_code) AS pre, COUNT(new_ward_code) AS new"
    " FROM person WHERE " HAS_ADDR " GROUP BY pc) AS p"
    " LEFT JOIN unit u ON u.era = 'pre2025' AND u.level = 'province' AND u.code = p.pc"
    " LEFT JOIN unit u2 ON u2.era = '2025' AND u2.level = 'province' AND u2.code = p.pc"
    " ORDER BY p.pc";
static const char sql_match_district[] =
    "SELECT d.dc, coalesce(u.name, ''), d.n, d.pre, d.new FROM ("
    " SELECT district_code AS dc, COUNT(*) AS n, COUNT(ward_code) AS pre,"
    "  COUNT(new_ward_code) AS new FROM person WHERE district_code IS NOT NULL"
    " GROUP BY district_code) AS d"
    " LEFT JOIN unit u ON u.era = 'pre2025' AND u.level = 'district' AND u.code = d.dc"
    " ORDER BY d.dc";
static const char sql_cluster_hist[] = "SELECT CAST(min(size, 5) AS TEXT), COUNT(*), MAX(size) FROM"
                                       " (SELECT COUNT(*) AS size FROM cluster GROUP BY cluster_id)"
                                       " GROUP BY min(size, 5) ORDER BY min(size, 5)";
static const char sql_findings[] =
    "SELECT code, severity, COUNT(*) AS n FROM finding GROUP BY code, severity"
    " ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code";
static const char sql_batches[] =
    "SELECT b.stage, coalesce(b.finished, ''), b.id, b.rows_read, b.rows_ok, b.rows_rejected"
    " FROM batch b WHERE b.id = (SELECT MAX(id) FROM batch c WHERE c.stage = b.stage)"
    " ORDER BY b.stage";

int
dc_stats_load(struct dc_db *db, struct dc_stats *st, struct dc_error *err)
{
    struct dc_stats_list hist = {NULL, 0, 0}, tot = {NULL, 0, 0};

    memset(st, 0, sizeof *st);
    if (count(db, "SELECT COUNT(*) FROM src_row", &st->src_rows, err) < 0 ||
        count(db, "SELECT COUNT(*) FROM reject", &st->rejects, err) < 0 ||
        count(db, "SELECT COUNT(*) FROM person", &st->persons, err) < 0 ||
        count(db,
              "SELECT (SELECT COUNT(*) FROM change) + (SELECT coalesce(SUM(n), 0) FROM "
              "change_count)",
              &st->changes, err) < 0 ||
        count(db, "SELECT COUNT(*) FROM finding", &st->findings, err) < 0)
        goto fail;
    if (run_list(db, sql_sources, 0, 3, &st->sources, err) < 0 ||
        run_list(db, sql_reasons, 0, 1, &st->reject_reasons, err) < 0 ||
        run_list(db, sql_rules, 0, 1, &st->change_rules, err) < 0 ||
        run_list(db, sql_match_province, 1, 3, &st->match_province, err) < 0 ||
        run_list(db, sql_match_district, 1, 3, &st->match_district, err) < 0 ||
        run_list(db, sql_findings, 1, 1, &st->finding_codes, err) < 0 ||
        run_list(db, sql_batches, 1, 4, &st->batches, err) < 0)
        goto fail;
    /* The three totals come back as one row with an empty key. */
    if (run_list(db, sql_match_total, 0, 3, &tot, err) < 0)
        goto fail;
    if (tot.len == 1) {
        st->addr_total = tot.rows[0].n[0];
        st->addr_pre = tot.rows[0].n[1];
        st->addr_new = tot.rows[0].n[2];
    }
    free(tot.rows);
    if (run_list(db, sql_cluster_hist, 0, 2, &hist, err) < 0)
        goto fail;
    for (size_t i = 0; i < hist.len; i++) {
        long size = strtol(hist.rows[i].key, NULL, 10);
        if (size >= 1 && size <= 5)
            st->cluster_hist[size - 1] = hist.rows[i].n[0];
        st->clusters += hist.rows[i].n[0];
        if (hist.rows[i].n[1] > st->largest)
            st->largest = hist.rows[i].n[1];
    }
    free(hist.rows);
    return 0;
fail:
    dc_stats_release(st);
    return -1;
}

/* Findings per record by severity, for the commune and source lists. */
#define FINDINGS_PER_RECORD                                                                        \
    "WITH f AS (SELECT record_id, SUM(severity = 'error') AS e,"                                   \
    " SUM(severity = 'warning') AS w, SUM(severity = 'info') AS i FROM finding"                    \
    " WHERE record_id IS NOT NULL GROUP BY record_id) "
static const char sql_ward_new[] = FINDINGS_PER_RECORD
    "SELECT g.k, coalesce(u.name || ', ' || pu.name, u.name, ''), g.n, g.other, g.e, g.w, g.i"
    " FROM (SELECT coalesce(p.new_ward_code, '') AS k, COUNT(*) AS n, COUNT(p.ward_code) AS other,"
    "  coalesce(SUM(f.e), 0) AS e, coalesce(SUM(f.w), 0) AS w, coalesce(SUM(f.i), 0) AS i"
    "  FROM person p LEFT JOIN f ON f.record_id = p.record_id GROUP BY k) AS g"
    " LEFT JOIN unit u ON u.era = '2025' AND u.level = 'ward' AND u.code = g.k"
    " LEFT JOIN unit pu ON pu.era = '2025' AND pu.level = 'province' AND pu.code = u.province_code"
    " ORDER BY g.k";
static const char sql_ward_pre[] = FINDINGS_PER_RECORD
    "SELECT g.k, coalesce(u.name || ', ' || d.name || ', ' || pu.name,"
    "  u.name || ', ' || pu.name, u.name, ''), g.n, g.other, g.e, g.w, g.i"
    " FROM (SELECT coalesce(p.ward_code, '') AS k, COUNT(*) AS n, COUNT(p.new_ward_code) AS other,"
    "  coalesce(SUM(f.e), 0) AS e, coalesce(SUM(f.w), 0) AS w, coalesce(SUM(f.i), 0) AS i"
    "  FROM person p LEFT JOIN f ON f.record_id = p.record_id GROUP BY k) AS g"
    " LEFT JOIN unit u ON u.era = 'pre2025' AND u.level = 'ward' AND u.code = g.k"
    " LEFT JOIN unit d ON d.era = 'pre2025' AND d.level = 'district' AND d.code = u.district_code"
    " LEFT JOIN unit pu ON pu.era = 'pre2025' AND pu.level = 'province'"
    "  AND pu.code = u.province_code"
    " ORDER BY g.k";
static const char sql_source_findings[] = FINDINGS_PER_RECORD
    "SELECT p.source, COUNT(*), COUNT(f.record_id), coalesce(SUM(f.e), 0), coalesce(SUM(f.w), 0),"
    " coalesce(SUM(f.i), 0) FROM person p LEFT JOIN f ON f.record_id = p.record_id"
    " GROUP BY p.source ORDER BY p.source";

int
dc_stats_load_communes(struct dc_db *db, struct dc_stats_communes *c, struct dc_error *err)
{
    memset(c, 0, sizeof *c);
    if (run_list(db, sql_ward_new, 1, 5, &c->ward_new, err) < 0 ||
        run_list(db, sql_ward_pre, 1, 5, &c->ward_pre, err) < 0 ||
        run_list(db, sql_source_findings, 0, 5, &c->sources, err) < 0) {
        dc_stats_communes_release(c);
        return -1;
    }
    return 0;
}

void
dc_stats_communes_release(struct dc_stats_communes *c)
{
    if (!c)
        return;
    free(c->ward_new.rows);
    free(c->ward_pre.rows);
    free(c->sources.rows);
    memset(c, 0, sizeof *c);
}

void
dc_stats_release(struct dc_stats *st)
{
    if (!st)
        return;
    free(st->sources.rows);
    free(st->reject_reasons.rows);
    free(st->change_rules.rows);
    free(st->match_province.rows);
    free(st->match_district.rows);
    free(st->finding_codes.rows);
    free(st->batches.rows);
    memset(st, 0, sizeof *st);
}
