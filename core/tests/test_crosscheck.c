/*
 * test_crosscheck.c - the crosscheck stage on hand-built records: the cross-record rules
 * (ID_SHARED, CMND_SHARED, AGAINST_MISMATCH), each firing and not, the per-record rules
 * stored through the stage, --only, the summary, and a second run replacing the first.
 * The findings each case should give are worked out by hand from crosscheck.h's rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crosscheck.h"
#include "db.h"
#include "tap.h"
#include "util/buf.h"

static char dir[] = "/tmp/dc_test_crosscheck_XXXXXX";

/* A fresh staging DB at dir/name holding sql's rows (person rows need batch 1). */
static struct dc_db *
fresh_db(const char *name, const char *sql)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    char path[300];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    if (dc_db_open(path, DC_DB_CREATE, &db, &err) < 0 ||
        dc_db_exec(db,
                   "INSERT INTO batch(id, stage, source, rows_read, rows_ok, rows_rejected, "
                   "started) VALUES (1, 'import', 's', 0, 0, 0, 't0')",
                   &err) < 0 ||
        dc_db_exec(db, sql, &err) < 0) {
        printf("# setup %s: %s\n", name, err.msg);
        dc_db_close(db, NULL);
        return NULL;
    }
    return db;
}

/* The finding table, one "record code severity field expected actual" line per row. */
static char *
findings(struct dc_db *db)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_buf b = DC_BUF_INIT;
    sqlite3_stmt *q = NULL;

    if (dc_db_prepare(db,
                      "SELECT coalesce(record_id, '-'), code, severity, coalesce(field, '-'), "
                      "coalesce(expected, '-'), coalesce(actual, '-') FROM finding "
                      "ORDER BY record_id, code, field",
                      &q, &err) < 0)
        return NULL;
    while (sqlite3_step(q) == SQLITE_ROW)
        dc_buf_printf(&b, "%s %s %s %s %s %s\n", sqlite3_column_text(q, 0),
                      sqlite3_column_text(q, 1), sqlite3_column_text(q, 2),
                      sqlite3_column_text(q, 3), sqlite3_column_text(q, 4),
                      sqlite3_column_text(q, 5));
    sqlite3_finalize(q);
    char *text = strdup(dc_buf_str(&b));
    dc_buf_release(&b);
    return text;
}

/* Run the stage on sql's records (only: the per-record rules to run; "NONE" runs none)
 * and compare the finding table with want. */
static void
check_stage(const char *sql, const char *only, const char *against, const char *want,
            struct dc_crosscheck_summary *s)
{
    struct dc_rules_ctx ctx = {.today = "2026-01-01", .lang = "en", .only = only};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_crosscheck_summary dummy;
    struct dc_db *db = fresh_db("t.db", sql);
    char *got;

    if (!CHECK(db != NULL))
        return;
    if (!CHECK_INT(
            dc_crosscheck_db(db, &ctx, against, "2026-01-01T00:00:00Z", s ? s : &dummy, &err), 0))
        printf("# %s\n", err.msg);
    got = findings(db);
    CHECK_STR(got, want);
    free(got);
    dc_db_close(db, NULL);
}

#define PERSON "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line, "
#define COLS PERSON "id12, cmnd, name_key, dob) VALUES "

/* Same ID, different clusters: both records are flagged, each naming the other. */
static void
test_id_shared_across_clusters(void)
{
    check_stage(COLS "(1, 1, 's', 's.csv', 1, 2, '001190000001', NULL, 'an', '1990'),"
                     "(2, 1, 's', 's.csv', 2, 3, '001190000001', NULL, 'an', '1990');"
                     "INSERT INTO cluster VALUES (1, 1), (2, 2);",
                "NONE", NULL,
                "1 ID_SHARED error id12 - record 2\n"
                "2 ID_SHARED error id12 - record 1\n",
                NULL);
}

/* Same ID in one cluster: one person, nothing to say, however the names differ. */
static void
test_id_shared_same_cluster_silent(void)
{
    check_stage(COLS "(1, 1, 's', 's.csv', 1, 2, '001190000001', NULL, 'an', '1990'),"
                     "(2, 1, 's', 's.csv', 2, 3, '001190000001', NULL, 'binh', '1985');"
                     "INSERT INTO cluster VALUES (1, 1), (2, 1);",
                "NONE", NULL, "", NULL);
}

/* Before dedup (no cluster rows): another person is another folded name, a NULL name
 * counting as a value, or another known birth date; an unknown date says nothing. */
static void
test_id_shared_without_clusters(void)
{
    /* 1, 2: same name and date (silent); 3, 4: names differ; 5, 6: dates differ;
     * 7, 8: one date unknown (silent); 9, 10: one name NULL */
    check_stage(COLS "(1, 1, 's', 's.csv', 1, 2, '001190000001', NULL, 'an', '1990-01-02'),"
                     "(2, 1, 's', 's.csv', 2, 3, '001190000001', NULL, 'an', '1990-01-02'),"
                     "(3, 1, 's', 's.csv', 3, 4, '001190000003', NULL, 'an', '1990'),"
                     "(4, 1, 's', 's.csv', 4, 5, '001190000003', NULL, 'binh', '1990'),"
                     "(5, 1, 's', 's.csv', 5, 6, '001190000005', NULL, 'an', '1990'),"
                     "(6, 1, 's', 's.csv', 6, 7, '001190000005', NULL, 'an', '1991'),"
                     "(7, 1, 's', 's.csv', 7, 8, '001190000007', NULL, 'an', '1990'),"
                     "(8, 1, 's', 's.csv', 8, 9, '001190000007', NULL, 'an', NULL),"
                     "(9, 1, 's', 's.csv', 9, 10, '001190000009', NULL, 'an', '1990'),"
                     "(10, 1, 's', 's.csv', 10, 11, '001190000009', NULL, NULL, '1990');",
                "NONE", NULL,
                "3 ID_SHARED error id12 - record 4\n"
                "4 ID_SHARED error id12 - record 3\n"
                "5 ID_SHARED error id12 - record 6\n"
                "6 ID_SHARED error id12 - record 5\n"
                "9 ID_SHARED error id12 - record 10\n"
                "10 ID_SHARED error id12 - record 9\n",
                NULL);
}

/* A group mixing records with and without a cluster row falls back to name and date
 * (the clustered ones are read back); a group of three names the smallest other. */
static void
test_id_shared_mixed_and_three(void)
{
    check_stage(COLS "(1, 1, 's', 's.csv', 1, 2, '001190000001', NULL, 'an', '1990'),"
                     "(2, 1, 's', 's.csv', 2, 3, '001190000001', NULL, 'binh', '1990'),"
                     "(3, 1, 's', 's.csv', 3, 4, '001190000003', NULL, 'an', '1990'),"
                     "(4, 1, 's', 's.csv', 4, 5, '001190000003', NULL, 'an', '1990'),"
                     "(5, 1, 's', 's.csv', 5, 6, '001190000005', NULL, 'an', '1990'),"
                     "(6, 1, 's', 's.csv', 6, 7, '001190000005', NULL, 'an', '1990'),"
                     "(7, 1, 's', 's.csv', 7, 8, '001190000005', NULL, 'an', '1990');"
                     /* 1 clustered, 2 not: names differ. 3 clustered, 4 not: same person.
                 * 5, 6, 7 in three clusters: each names the smallest other. */
                     "INSERT INTO cluster VALUES (1, 1), (3, 3), (5, 5), (6, 6), (7, 7);",
                "NONE", NULL,
                "1 ID_SHARED error id12 - record 2\n"
                "2 ID_SHARED error id12 - record 1\n"
                "5 ID_SHARED error id12 - record 6\n"
                "6 ID_SHARED error id12 - record 5\n"
                "7 ID_SHARED error id12 - record 5\n",
                NULL);
}

/* The old CMND: the same rule at its own severity (numbers were re-used, an info). */
static void
test_cmnd_shared(void)
{
    check_stage(COLS "(1, 1, 's', 's.csv', 1, 2, NULL, '012345678', 'an', '1990'),"
                     "(2, 1, 's', 's.csv', 2, 3, NULL, '012345678', 'binh', '1990'),"
                     "(3, 1, 's', 's.csv', 3, 4, NULL, '012345679', 'an', '1990'),"
                     "(4, 1, 's', 's.csv', 4, 5, NULL, '012345679', 'an', '1990');",
                "NONE", NULL,
                "1 CMND_SHARED info cmnd - record 2\n"
                "2 CMND_SHARED info cmnd - record 1\n",
                NULL);
}

/* Per-record rules go through the stage into the table, --only picks them, and the
 * summary counts records and findings by severity. */
static void
test_per_record_rules_and_summary(void)
{
    struct dc_crosscheck_summary s;
    const char *rows = COLS "(1, 1, 's', 's.csv', 1, 2, NULL, NULL, 'an', '2030-05-01'),"
                            "(2, 1, 's', 's.csv', 2, 3, NULL, NULL, 'binh', '1990-05-01'),"
                            "(3, 1, 's', 's.csv', 3, 4, '001190000001', NULL, 'an', '1990'),"
                            "(4, 1, 's', 's.csv', 4, 5, '001190000001', NULL, 'chi', '1990');";

    check_stage(rows, "DOB_", NULL,
                "1 DOB_IN_FUTURE error dob 2026-01-01 2030-05-01\n"
                "3 ID_SHARED error id12 - record 4\n"
                "4 ID_SHARED error id12 - record 3\n",
                &s);
    CHECK_INT(s.records, 4);
    CHECK_INT(s.findings[DC_SEV_ERROR], 3);
    CHECK_INT(s.findings[DC_SEV_WARNING], 0);
    CHECK(s.batch_id > 1);
    /* without --only every rule runs: SEX_MISSING (info) on each of the four */
    check_stage(rows, NULL, NULL,
                "1 DOB_IN_FUTURE error dob 2026-01-01 2030-05-01\n"
                "1 SEX_MISSING info sex M/F -\n"
                "2 SEX_MISSING info sex M/F -\n"
                "3 ID_SHARED error id12 - record 4\n"
                "3 SEX_MISSING info sex M/F -\n"
                "4 ID_SHARED error id12 - record 3\n"
                "4 SEX_MISSING info sex M/F -\n",
                &s);
    CHECK_INT(s.findings[DC_SEV_INFO], 4);
}

/* --against another staging DB: a field that differs on the record with the same ID is
 * a finding (theirs expected, ours actual); equal fields, NULLs and IDs the other DB
 * lacks are not. */
static void
test_against_db(void)
{
    struct dc_crosscheck_summary s;
    char other[300];
    struct dc_db *o =
        fresh_db("other.db", PERSON
                 "id12, name_key, full_name, dob, sex, ward_code) VALUES "
                 "(1, 1, 'o', 'o.csv', 1, 2, '001190000001', 'an', 'An', '1990-01-02', 'F', "
                 "'00004'),"
                 "(2, 1, 'o', 'o.csv', 2, 3, '001190000002', 'binh', 'Bình', '1985', 'M', NULL);");

    if (!CHECK(o != NULL))
        return;
    dc_db_close(o, NULL);
    snprintf(other, sizeof other, "%s/other.db", dir);
    check_stage(PERSON "id12, name_key, full_name, dob, sex, ward_code) VALUES "
                       /* dob and ward differ, name and sex agree */
                       "(1, 1, 's', 's.csv', 1, 2, '001190000001', 'an', 'An', '1990-01-03', "
                       "'F', '00007'),"
                       /* name differs; their ward is NULL: not compared */
                       "(2, 1, 's', 's.csv', 2, 3, '001190000002', 'binh', 'Binh x', '1985', "
                       "'M', '00001'),"
                       /* no such ID over there */
                       "(3, 1, 's', 's.csv', 3, 4, '001190000003', 'chi', 'Chi', '1970', 'M', "
                       "NULL);"
                       "UPDATE person SET name_key = 'binh x' WHERE record_id = 2;",
                "NONE", other,
                "1 AGAINST_MISMATCH warning dob 1990-01-02 1990-01-03\n"
                "1 AGAINST_MISMATCH warning ward_code 00004 00007\n"
                "2 AGAINST_MISMATCH warning full_name Bình Binh x\n",
                &s);
    CHECK_INT(s.against_matched, 2);
    CHECK_INT(s.findings[DC_SEV_WARNING], 3);
}

/* A second run replaces the first run's findings, never adds to them. */
static void
test_second_run_replaces(void)
{
    struct dc_rules_ctx ctx = {.today = "2026-01-01", .only = "NONE"};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_crosscheck_summary s;
    struct dc_db *db =
        fresh_db("t.db", COLS "(1, 1, 's', 's.csv', 1, 2, '001190000001', NULL, 'an', '1990'),"
                              "(2, 1, 's', 's.csv', 2, 3, '001190000001', NULL, 'b', '1990');");
    char *got;

    if (!CHECK(db != NULL))
        return;
    CHECK_INT(dc_crosscheck_db(db, &ctx, NULL, "t1", &s, &err), 0);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM finding", &err), 2);
    CHECK_INT(dc_db_exec(db, "UPDATE person SET name_key = 'an'", &err), 0);
    CHECK_INT(dc_crosscheck_db(db, &ctx, NULL, "t2", &s, &err), 0);
    got = findings(db);
    CHECK_STR(got, "");
    free(got);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM batch WHERE stage = 'crosscheck'", &err), 2);
    dc_db_close(db, NULL);
}

/* The --against rule is a row of the one rule table (rules.c), the last, as --list has
 * always shown it; it has no per-record function (the stage runs it in SQL). */
static void
test_against_rule_in_the_table(void)
{
    size_t n = dc_rules_count();
    const struct dc_rule *r = dc_rules_find("AGAINST_MISMATCH");

    CHECK(r != NULL && r == dc_rules_get(n - 1));
    CHECK(r && r->check == NULL && r->severity == DC_SEV_WARNING);
}

static void
rm_db(const char *name)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char path[320];

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix[i]);
        unlink(path);
    }
}

int
main(void)
{
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    RUN(test_id_shared_across_clusters);
    RUN(test_id_shared_same_cluster_silent);
    RUN(test_id_shared_without_clusters);
    RUN(test_id_shared_mixed_and_three);
    RUN(test_cmnd_shared);
    RUN(test_per_record_rules_and_summary);
    RUN(test_against_db);
    RUN(test_second_run_replaces);
    RUN(test_against_rule_in_the_table);
    rm_db("t.db");
    rm_db("other.db");
    rmdir(dir);
    return tap_done();
}
