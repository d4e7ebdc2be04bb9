/*
 * test_linkdb.c - unit tests for the dedup stage over the DB (core/link/stage.c,
 * linkdb.h): pairs, clusters, the batch row and the trained parameters commit in
 * one transaction, so a failure at the last write (the parameters, after pairs
 * and clusters) leaves the DB as it was; the explanation of two stored records.
 * Not for: the linkage model (test_dedup.c).  Data is hand-written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "linkdb.h"
#include "tap.h"
#include "testdb.h"

static char dir[] = "/tmp/dc_test_linkdb_XXXXXX";
static struct dc_db *db;
static const char *const now = "2026-01-01T00:00:00Z";

/* Three persons, each in two sources with the same name, birth date and ID. */
static const char people[] =
    "PRAGMA foreign_keys = OFF;"
    "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line, full_name, "
    "family_name, middle_name, given_name, dob, dob_precision, sex, id12, province_code) VALUES "
    "(1, 1, 'a', 'a.csv', 1, 2, 'Nguyễn Văn An', 'Nguyễn', 'Văn', 'An', '1980-01-02', 'day', "
    "'M', '001080000001', '01'),"
    "(2, 1, 'a', 'a.csv', 2, 3, 'Trần Thị Bình', 'Trần', 'Thị', 'Bình', '1975-05-06', 'day', "
    "'F', '001175000002', '01'),"
    "(3, 1, 'a', 'a.csv', 3, 4, 'Lê Văn Cường', 'Lê', 'Văn', 'Cường', '1990-09-10', 'day', "
    "'M', '001090000003', '01'),"
    "(4, 2, 'b', 'b.csv', 1, 2, 'Nguyễn Văn An', 'Nguyễn', 'Văn', 'An', '1980-01-02', 'day', "
    "'M', '001080000001', '01'),"
    "(5, 2, 'b', 'b.csv', 2, 3, 'Trần Thị Bình', 'Trần', 'Thị', 'Bình', '1975-05-06', 'day', "
    "'F', '001175000002', '01'),"
    "(6, 2, 'b', 'b.csv', 3, 4, 'Lê Văn Cường', 'Lê', 'Văn', 'Cường', '1990-09-10', 'day', "
    "'M', '001090000003', '01');";

static const char fail_params[] = "CREATE TRIGGER no_params BEFORE INSERT ON dedup_params BEGIN "
                                  "SELECT RAISE(ABORT, 'simulated failure at the last write'); END";

static long long
count(const char *sql)
{
    return dc_db_count(db, sql, NULL);
}

static int
run(int train, struct dc_error *err)
{
    struct dc_dedup_stage st;
    int rc;

    memset(&st, 0, sizeof st);
    dc_dedup_opts_init(&st.opts);
    st.opts.seed = 1;
    st.opts.threads = 1;
    st.opts.train = train;
    rc = dc_dedup_stage_run(db, &st, now, err);
    dc_dedup_stage_release(&st);
    return rc;
}

static void
test_params_fail_leaves_nothing(void)
{
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_db_exec(db, fail_params, &err), 0);
    CHECK_INT(run(0, &err), -1);
    CHECK(strstr(err.msg, "simulated failure") != NULL);
    /* the pairs and clusters written before the parameters went with them */
    CHECK_INT(count("SELECT count(*) FROM pair"), 0);
    CHECK_INT(count("SELECT count(*) FROM cluster"), 0);
    CHECK_INT(count("SELECT count(*) FROM dedup_params"), 0);
    CHECK_INT(count("SELECT count(*) FROM batch WHERE stage = 'dedup'"), 0);
    CHECK_INT(dc_db_exec(db, "DROP TRIGGER no_params", &err), 0);
}

static void
test_run_commits_all(void)
{
    struct dc_error err = DC_ERROR_INIT;

    if (!CHECK_INT(run(0, &err), 0))
        printf("#   %s\n", err.msg);
    CHECK_INT(count("SELECT count(*) FROM pair WHERE b = a + 3"), 3);
    CHECK_INT(count("SELECT count(*) FROM cluster"), 6);
    CHECK_INT(count("SELECT count(DISTINCT cluster_id) FROM cluster"), 3);
    CHECK_INT(count("SELECT count(*) FROM dedup_params"), 1);
    CHECK_INT(count("SELECT count(*) FROM batch WHERE stage = 'dedup' AND rows_read = 6 AND "
                    "rows_ok = 3 AND finished IS NOT NULL"),
              1);
}

/* A run that trains again and fails at its parameters keeps the earlier results. */
static void
test_rerun_fail_keeps_earlier(void)
{
    struct dc_error err = DC_ERROR_INIT;
    long long pairs = count("SELECT count(*) FROM pair");

    CHECK_INT(dc_db_exec(db, "UPDATE pair SET weight = 99 WHERE a = 1", &err), 0);
    CHECK_INT(dc_db_exec(db, fail_params, &err), 0);
    CHECK_INT(run(1, &err), -1);
    CHECK_INT(count("SELECT count(*) FROM pair"), pairs);
    CHECK_INT(count("SELECT count(*) FROM pair WHERE a = 1 AND weight = 99"), 1);
    CHECK_INT(count("SELECT count(*) FROM dedup_params"), 1);
    CHECK_INT(count("SELECT count(*) FROM batch WHERE stage = 'dedup'"), 1);
    CHECK_INT(dc_db_exec(db, "DROP TRIGGER no_params", &err), 0);
}

static void
test_explain_records(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *text = NULL;

    CHECK_INT(dc_dedup_explain_records(db, 1, 4, &text, &err), 0);
    CHECK(text && strlen(text) > 0);
    free(text);
    CHECK_INT(dc_dedup_explain_records(db, 1, 99, &text, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(strstr(err.msg, "99") != NULL);
    CHECK(text == NULL);
}

int
main(void)
{
    struct dc_error err = DC_ERROR_INIT;

    db = testdb_open(dir, "l.db");
    if (!db)
        return 1;
    if (dc_db_exec(db, people, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    RUN(test_params_fail_leaves_nothing);
    RUN(test_run_commits_all);
    RUN(test_rerun_fail_keeps_earlier);
    RUN(test_explain_records);
    testdb_remove(db, dir, "l.db");
    return tap_done();
}
