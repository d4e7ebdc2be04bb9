/*
 * test_stage.c - unit tests for core/stage.c: a stage that finishes commits its
 * rows, its batch row (counts, started, finished) and the indexes it dropped; one
 * that aborts, or fails in begin or in finish, leaves the DB as it was.
 * Not for: the stages themselves (test_normalize.c, test_dedup.c, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "stage.h"
#include "tap.h"
#include "testdb.h"

static char dir[] = "/tmp/dc_test_stage_XXXXXX";
static struct dc_db *db;
static const char *const now = "2026-01-01T00:00:00Z";
static const char *const tables[] = {"finding", "cluster", NULL};

static long long
count(const char *sql)
{
    return dc_db_count(db, sql, NULL);
}

static long long
indexes(void)
{
    return count("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                 "tbl_name IN ('finding', 'cluster') AND sql IS NOT NULL");
}

static void
seed(void)
{
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_db_exec(db,
                         "DELETE FROM finding; DELETE FROM batch; INSERT INTO "
                         "finding(code, severity, message) VALUES ('A', 'info', 'x'), "
                         "('B', 'info', 'y')",
                         &err),
              0);
}

static void
test_finish_commits(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_stage st = DC_STAGE_INIT;
    long long before;

    seed();
    before = indexes();
    CHECK(before >= 2);
    CHECK_INT(dc_stage_begin(&st, db, "crosscheck", now, "DELETE FROM finding", tables, &err), 0);
    CHECK(st.batch_id > 0);
    CHECK_INT(count("SELECT count(*) FROM finding"), 0);
    CHECK_INT(indexes(), 0);
    CHECK_INT(dc_db_exec(db,
                         "INSERT INTO finding(code, severity, message) VALUES "
                         "('C', 'error', 'z')",
                         &err),
              0);
    CHECK_INT(dc_stage_finish(&st, 7, 6, 1, &err), 0);
    CHECK_INT(st.open, 0);
    CHECK_INT(indexes(), before);
    CHECK_INT(count("SELECT count(*) FROM finding WHERE code = 'C'"), 1);
    CHECK_INT(count("SELECT count(*) FROM batch WHERE stage = 'crosscheck' AND rows_read = 7 "
                    "AND rows_ok = 6 AND rows_rejected = 1 AND started = '2026-01-01T00:00:00Z' "
                    "AND finished = started"),
              1);
    dc_stage_abort(&st); /* after a finish: nothing to roll back */
    CHECK_INT(count("SELECT count(*) FROM finding"), 1);
}

static void
test_abort_leaves_db(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_stage st = DC_STAGE_INIT;
    long long before;

    seed();
    before = indexes();
    CHECK_INT(dc_stage_begin(&st, db, "crosscheck", now, "DELETE FROM finding", tables, &err), 0);
    CHECK_INT(count("SELECT count(*) FROM finding"), 0);
    dc_stage_abort(&st);
    dc_stage_abort(&st); /* twice is harmless */
    CHECK_INT(count("SELECT count(*) FROM finding"), 2);
    CHECK_INT(count("SELECT count(*) FROM batch"), 0);
    CHECK_INT(indexes(), before);
}

/* A failing clear rolls back in begin; a failing batch update in finish leaves the
 * stage open, and the caller's abort rolls the stage's writes back. */
static void
test_failures(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_stage st = DC_STAGE_INIT;
    long long before;

    seed();
    before = indexes();
    CHECK_INT(dc_stage_begin(&st, db, "crosscheck", now, "DELETE FROM no_such_table", tables, &err),
              -1);
    CHECK_INT(st.open, 0);
    CHECK_INT(dc_db_begin(db, &err), 0); /* no transaction was left open */
    dc_db_rollback(db);
    dc_error_clear(&err);
    CHECK_INT(dc_db_exec(db,
                         "CREATE TRIGGER no_finish BEFORE UPDATE ON batch BEGIN "
                         "SELECT RAISE(ABORT, 'simulated failure'); END",
                         &err),
              0);
    CHECK_INT(dc_stage_begin(&st, db, "crosscheck", now, "DELETE FROM finding", tables, &err), 0);
    CHECK_INT(dc_stage_finish(&st, 1, 1, 0, &err), -1);
    CHECK(strstr(err.msg, "simulated failure") != NULL);
    CHECK_INT(st.open, 1);
    dc_stage_abort(&st);
    CHECK_INT(count("SELECT count(*) FROM finding"), 2);
    CHECK_INT(count("SELECT count(*) FROM batch"), 0);
    CHECK_INT(indexes(), before);
    CHECK_INT(dc_db_exec(db, "DROP TRIGGER no_finish", &err), 0);
}

int
main(void)
{
    db = testdb_open(dir, "s.db");
    if (!db)
        return 1;
    RUN(test_finish_commits);
    RUN(test_abort_leaves_db);
    RUN(test_failures);
    testdb_remove(db, dir, "s.db");
    return tap_done();
}
