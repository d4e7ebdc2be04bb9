/*
 * test_stats.c - dc_stats_load on a hand-built DB whose numbers are counted by
 * hand below, and dc_report_mask_id / dc_report_write on the same DB.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "json.h"
#include "report.h"
#include "stats.h"
#include "tap.h"

static char dir[] = "/tmp/dc_test_stats_XXXXXX";
static char path[256];
static struct dc_db *db;

/* Two import batches (src "a": 3 rows ok, 1 rejected; src "b": 2 ok), a normalize
 * batch and two crosscheck batches (the later one, id 5, is the "last").
 * Persons: a:1 (prov 01, ward pre+new), a:2 (prov 01, pre only, district 001),
 * a:3 (no address at all), b:4 (prov 79, nothing matched), b:5 (no province,
 * raw address only).
 * Clusters: {1,4} {2,5} {3}: sizes 2, 2, 1.
 * Changes: case x3, date-iso x2, space x2 (ties sort by name), zzz x1.
 * Findings: ID_X error x2, AA warning x1, ZZ error x1. */
static const char setup_sql[] =
    "INSERT INTO batch(id, stage, source, rows_read, rows_ok, rows_rejected, started, finished)"
    " VALUES (1, 'import', 'a', 4, 3, 1, 't0', 't1'), (2, 'import', 'b', 2, 2, 0, 't0', 't1'),"
    " (3, 'normalize', NULL, 5, 5, 0, 't2', 't3'), (4, 'crosscheck', NULL, 5, 5, 3, 't4', 't5'),"
    " (5, 'crosscheck', NULL, 5, 5, 4, 't6', NULL);"
    "INSERT INTO src_row(id, batch_id, src_row, src_line) VALUES"
    " (1, 1, 1, 2), (2, 1, 2, 3), (3, 1, 3, 4), (4, 2, 1, 2), (5, 2, 2, 3);"
    "INSERT INTO reject(batch_id, source, src_file, src_row, src_line, reason, raw) VALUES"
    " (1, 'a', 'a.csv', 4, 5, 'too-many-fields', x'41');"
    "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line, id12,"
    " address_raw, province_code, district_code, ward_code, new_province_code, new_ward_code)"
    " VALUES (1, 1, 'a', 'a.csv', 1, 2, '001234567845', 'x', '01', '001', '00001', '01',"
    "  '00004'),"
    " (2, 1, 'a', 'a.csv', 2, 3, NULL, 'y', '01', '001', '00002', NULL, NULL),"
    " (3, 1, 'a', 'a.csv', 3, 4, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
    " (4, 2, 'b', 'b.csv', 1, 2, '001234567845', 'z', '79', NULL, NULL, NULL, NULL),"
    " (5, 2, 'b', 'b.csv', 2, 3, NULL, 'w', NULL, NULL, NULL, NULL, NULL);"
    "INSERT INTO cluster VALUES (1, 1), (4, 1), (2, 2), (5, 2), (3, 3);"
    "INSERT INTO change(record_id, field, rule) VALUES (1, 'f', 'case'), (2, 'f', 'case'),"
    " (3, 'f', 'case'), (1, 'f', 'space'), (2, 'f', 'space'), (1, 'f', 'date-iso'),"
    " (4, 'f', 'date-iso'), (5, 'f', 'zzz');"
    "INSERT INTO finding(record_id, code, severity, message) VALUES (1, 'ID_X', 'error', 'm'),"
    " (4, 'ID_X', 'error', 'm'), (2, 'AA', 'warning', 'm'), (NULL, 'ZZ', 'error', 'm');";

static void
test_stats_counts_by_hand(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_stats st;

    if (!CHECK(dc_stats_load(db, &st, &err) == 0))
        return;
    CHECK_INT(st.src_rows, 5);
    CHECK_INT(st.rejects, 1);
    CHECK_INT(st.persons, 5);
    CHECK_INT(st.changes, 8);
    CHECK_INT(st.findings, 4);
    CHECK_INT(st.sources.len, 2);
    CHECK_STR(st.sources.rows[0].key, "a");
    CHECK_INT(st.sources.rows[0].n[0], 3);
    CHECK_INT(st.sources.rows[0].n[1], 1);
    CHECK_INT(st.sources.rows[0].n[2], 3);
    CHECK_STR(st.sources.rows[1].key, "b");
    CHECK_INT(st.sources.rows[1].n[2], 2);
    CHECK_INT(st.reject_reasons.len, 1);
    CHECK_STR(st.reject_reasons.rows[0].key, "too-many-fields");
    CHECK_INT(st.change_rules.len, 4);
    CHECK_STR(st.change_rules.rows[0].key, "case");
    CHECK_INT(st.change_rules.rows[0].n[0], 3);
    CHECK_STR(st.change_rules.rows[1].key, "date-iso"); /* tie with space: by name */
    CHECK_STR(st.change_rules.rows[2].key, "space");
    CHECK_STR(st.change_rules.rows[3].key, "zzz");
    /* Record 3 has no address: 4 records count, 2 pre-2025 wards, 1 2025 ward. */
    CHECK_INT(st.addr_total, 4);
    CHECK_INT(st.addr_pre, 2);
    CHECK_INT(st.addr_new, 1);
    CHECK_INT(st.match_province.len, 3);
    CHECK_STR(st.match_province.rows[0].key, ""); /* record 5: no province */
    CHECK_INT(st.match_province.rows[0].n[0], 1);
    CHECK_STR(st.match_province.rows[1].key, "01");
    CHECK_INT(st.match_province.rows[1].n[0], 2);
    CHECK_INT(st.match_province.rows[1].n[1], 2);
    CHECK_INT(st.match_province.rows[1].n[2], 1);
    CHECK_STR(st.match_province.rows[2].key, "79");
    CHECK_INT(st.match_province.rows[2].n[1], 0);
    CHECK_INT(st.match_district.len, 1);
    CHECK_STR(st.match_district.rows[0].key, "001");
    CHECK_INT(st.clusters, 3);
    CHECK_INT(st.cluster_hist[0], 1);
    CHECK_INT(st.cluster_hist[1], 2);
    CHECK_INT(st.cluster_hist[4], 0);
    CHECK_INT(st.largest, 2);
    /* errors first, then warnings; by code within a severity */
    CHECK_INT(st.finding_codes.len, 3);
    CHECK_STR(st.finding_codes.rows[0].key, "ID_X");
    CHECK_INT(st.finding_codes.rows[0].n[0], 2);
    CHECK_STR(st.finding_codes.rows[1].key, "ZZ");
    CHECK_STR(st.finding_codes.rows[2].key, "AA");
    CHECK_STR(st.finding_codes.rows[2].key2, "warning");
    /* last batch per stage, by stage name: crosscheck (id 5, unfinished), import, normalize */
    CHECK_INT(st.batches.len, 3);
    CHECK_STR(st.batches.rows[0].key, "crosscheck");
    CHECK_INT(st.batches.rows[0].n[0], 5);
    CHECK_STR(st.batches.rows[0].key2, "");
    CHECK_INT(st.batches.rows[0].n[3], 4);
    CHECK_STR(st.batches.rows[1].key, "import");
    CHECK_INT(st.batches.rows[1].n[0], 2);
    dc_stats_release(&st);
    dc_stats_release(&st); /* twice is harmless */
}

/* Counted by hand from setup_sql, plus one 2025 ward in the catalogue so a
 * row gets its "ward, province" label. */
static void
test_communes_counts_by_hand(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_stats_communes c;

    if (!CHECK(dc_db_exec(db,
                          "INSERT INTO unit(era, level, code, name, province_code) VALUES"
                          " ('2025', 'ward', '00004', 'Phường Một', '01'),"
                          " ('2025', 'province', '01', 'Thành phố Hà Nội', NULL)",
                          &err) == 0))
        return;
    if (!CHECK(dc_stats_load_communes(db, &c, &err) == 0))
        return;
    /* 2025: records 2-5 have no ward (record 2 has a pre-2025 one; 4 an error,
     * 2 a warning); record 1 is in 00004 with its error. */
    CHECK_INT(c.ward_new.len, 2);
    CHECK_INT(c.ward_new.total, 2);
    CHECK_STR(c.ward_new.rows[0].key, "");
    CHECK_INT(c.ward_new.rows[0].n[0], 4);
    CHECK_INT(c.ward_new.rows[0].n[1], 1);
    CHECK_INT(c.ward_new.rows[0].n[2], 1);
    CHECK_INT(c.ward_new.rows[0].n[3], 1);
    CHECK_INT(c.ward_new.rows[0].n[4], 0);
    CHECK_STR(c.ward_new.rows[1].key, "00004");
    CHECK_STR(c.ward_new.rows[1].key2, "Phường Một, Thành phố Hà Nội");
    CHECK_INT(c.ward_new.rows[1].n[0], 1);
    CHECK_INT(c.ward_new.rows[1].n[1], 1);
    CHECK_INT(c.ward_new.rows[1].n[2], 1);
    /* pre-2025: 3, 4, 5 without; 00001 (record 1, error); 00002 (record 2, warning). */
    CHECK_INT(c.ward_pre.len, 3);
    CHECK_STR(c.ward_pre.rows[0].key, "");
    CHECK_INT(c.ward_pre.rows[0].n[0], 3);
    CHECK_INT(c.ward_pre.rows[0].n[1], 0);
    CHECK_INT(c.ward_pre.rows[0].n[2], 1);
    CHECK_STR(c.ward_pre.rows[1].key, "00001");
    CHECK_STR(c.ward_pre.rows[1].key2, ""); /* not in the catalogue */
    CHECK_INT(c.ward_pre.rows[1].n[1], 1);
    CHECK_STR(c.ward_pre.rows[2].key, "00002");
    CHECK_INT(c.ward_pre.rows[2].n[1], 0);
    CHECK_INT(c.ward_pre.rows[2].n[3], 1);
    /* Per source; the finding on no record (ZZ) is in no row. */
    CHECK_INT(c.sources.len, 2);
    CHECK_STR(c.sources.rows[0].key, "a");
    CHECK_INT(c.sources.rows[0].n[0], 3);
    CHECK_INT(c.sources.rows[0].n[1], 2);
    CHECK_INT(c.sources.rows[0].n[2], 1);
    CHECK_INT(c.sources.rows[0].n[3], 1);
    CHECK_STR(c.sources.rows[1].key, "b");
    CHECK_INT(c.sources.rows[1].n[0], 2);
    CHECK_INT(c.sources.rows[1].n[1], 1);
    CHECK_INT(c.sources.rows[1].n[2], 1);
    dc_stats_communes_release(&c);
    dc_stats_communes_release(&c); /* twice is harmless */
}

/* A list longer than DC_STATS_MAX_ROWS keeps the first rows and counts all. */
static void
test_list_cut_counts_all(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_stats st;

    if (!CHECK(dc_db_exec(db,
                          "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
                          " WHERE i < 1001) INSERT INTO reject(batch_id, source, src_file,"
                          " src_row, src_line, reason, raw) SELECT 1, 'a', 'a.csv', 10 + i,"
                          " 10 + i, printf('r%04d', i), x'41' FROM k",
                          &err) == 0))
        return;
    if (!CHECK(dc_stats_load(db, &st, &err) == 0))
        return;
    CHECK_INT(st.reject_reasons.len, DC_STATS_MAX_ROWS);
    CHECK_INT(st.reject_reasons.total, 1002); /* too-many-fields and r0001..r1001 */
    CHECK_INT(st.sources.total, (long long)st.sources.len);
    dc_stats_release(&st);
}

static void
test_mask_id_keeps_3_and_2(void)
{
    char out[32];

    dc_report_mask_id("001234567845", out, sizeof out);
    CHECK_STR(out, "001*******45");
    dc_report_mask_id("123456789", out, sizeof out);
    CHECK_STR(out, "123****89");
    dc_report_mask_id("12345", out, sizeof out); /* too short to show anything */
    CHECK_STR(out, "*****");
    dc_report_mask_id(NULL, out, sizeof out);
    CHECK_STR(out, "");
    dc_report_mask_id("001234567845", out, 5); /* cut to the buffer */
    CHECK_STR(out, "001*");
}

static void
test_html_escape_all_five(void)
{
    struct dc_buf b = DC_BUF_INIT;

    dc_report_html_escape(&b, "<a href=\"x\">&'</a>");
    CHECK_STR(dc_buf_str(&b), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    dc_buf_release(&b);
}

static void
test_report_masks_and_escapes(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_report_opts o = {.lang = "vi", .now = 0, .version = "9", .db_name = "<db>"};
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    if (!CHECK(fp != NULL))
        return;
    CHECK(dc_report_write(db, &o, fp, &err) == 0);
    fclose(fp);
    CHECK(strstr(text, "001*******45") != NULL);
    CHECK(strstr(text, "001234567845") == NULL);
    CHECK(strstr(text, "&lt;db&gt;") != NULL);
    CHECK(strstr(text, "<db>") == NULL);
    CHECK(strstr(text, "1970-01-01 00:00:00 UTC") != NULL);
    CHECK(strstr(text, "<td>00004</td><td>Phường Một, Thành phố Hà Nội</td>") != NULL);
    CHECK(strstr(text, "<script") == NULL);
    CHECK(strstr(text, "http:") == NULL && strstr(text, "https:") == NULL);
    free(text);
}

int
main(void)
{
    struct dc_error err = DC_ERROR_INIT;

    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (dc_db_open(path, DC_DB_CREATE, &db, &err) < 0 || dc_db_exec(db, setup_sql, &err) < 0) {
        printf("Bail out! setup: %s\n", err.msg);
        dc_db_close(db, NULL);
        return 1;
    }
    RUN(test_stats_counts_by_hand);
    RUN(test_communes_counts_by_hand);
    RUN(test_list_cut_counts_all);
    RUN(test_mask_id_keeps_3_and_2);
    RUN(test_html_escape_all_five);
    RUN(test_report_masks_and_escapes);
    dc_db_close(db, NULL);
    char side[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    rmdir(dir);
    return tap_done();
}
