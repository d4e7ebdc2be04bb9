/*
 * test_db.c - unit tests for core/db.c: file mode 0600 and WAL on create,
 * schema version, refusing a foreign SQLite file, the single-writer lock,
 * and the SQLite result code -> sysexits mapping (table in db.h, exit
 * statuses in README "Cron").
 * Not for: the tables' contents (each stage's own tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "json.h"
#include "tap.h"

static char dir[] = "/tmp/dc_test_db_XXXXXX";

static void
path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void
test_create_mode_0600_wal(void)
{
    char p[256];
    struct dc_db *db = NULL;
    struct dc_error err = DC_ERROR_INIT;
    struct stat st;
    sqlite3_stmt *q = NULL;
    mode_t old = umask(022);

    path_in(p, sizeof p, "a.db");
    CHECK_INT(dc_db_open(p, DC_DB_CREATE, &db, &err), 0);
    umask(old);
    if (!db)
        return;
    CHECK_INT(stat(p, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(sqlite3_prepare_v2(db->h, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    CHECK(dc_db_schema_latest() >= 1);
    CHECK_INT(dc_db_schema_version(db), dc_db_schema_latest());
    CHECK_INT(dc_db_close(db, &err), 0);
    /* reopening an up-to-date DB for writing works and keeps the version */
    db = NULL;
    CHECK_INT(dc_db_open(p, DC_DB_WRITE, &db, &err), 0);
    CHECK_INT(dc_db_schema_version(db), dc_db_schema_latest());
    dc_db_close(db, NULL);
}

static void
test_foreign_sqlite_refused(void)
{
    char p[256];
    sqlite3 *h = NULL;
    struct dc_db *db = NULL;
    struct dc_error err = DC_ERROR_INIT;

    path_in(p, sizeof p, "foreign.db");
    CHECK_INT(sqlite3_open(p, &h), SQLITE_OK);
    CHECK_INT(sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(h);
    CHECK_INT(dc_db_open(p, DC_DB_CREATE, &db, &err), -1);
    CHECK(db == NULL);
    CHECK_INT(err.status, DC_EX_DATAERR);
    dc_error_clear(&err);
    CHECK_INT(dc_db_open(p, DC_DB_READ, &db, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    /* the foreign table is untouched */
    CHECK_INT(sqlite3_open(p, &h), SQLITE_OK);
    CHECK_INT(sqlite3_exec(h, "SELECT x FROM t", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void
test_second_writer_tempfail(void)
{
    char p[256];
    struct dc_db *a = NULL, *b = NULL, *r = NULL;
    struct dc_error err = DC_ERROR_INIT;

    path_in(p, sizeof p, "lock.db");
    CHECK_INT(dc_db_open(p, DC_DB_CREATE, &a, &err), 0);
    CHECK_INT(dc_db_open(p, DC_DB_WRITE, &b, &err), -1);
    CHECK(b == NULL);
    CHECK_INT(err.status, DC_EX_TEMPFAIL);
    dc_error_clear(&err);
    /* a reader is not blocked by the writer */
    CHECK_INT(dc_db_open(p, DC_DB_READ, &r, &err), 0);
    dc_db_close(r, NULL);
    dc_db_close(a, NULL);
    /* after the first closes, the lock is free */
    CHECK_INT(dc_db_open(p, DC_DB_WRITE, &b, &err), 0);
    dc_db_close(b, NULL);
}

static void
test_fail_mapping(void)
{
    static const struct {
        int rc;
        int st;
    } t[] = {
        {SQLITE_FULL, DC_EX_IOERR},        {SQLITE_IOERR, DC_EX_IOERR},
        {SQLITE_IOERR_WRITE, DC_EX_IOERR}, {SQLITE_BUSY, DC_EX_TEMPFAIL},
        {SQLITE_CANTOPEN, DC_EX_NOINPUT},  {SQLITE_CORRUPT, DC_EX_DATAERR},
        {SQLITE_NOTADB, DC_EX_DATAERR},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_error err = DC_ERROR_INIT;
        TAP_ROW("SQLite rc %d", t[i].rc);
        CHECK_INT(dc_db_fail(NULL, t[i].rc, "op", &err), -1);
        CHECK_INT(err.status, t[i].st);
        CHECK(strncmp(err.msg, "op: ", 4) == 0);
    }
    TAP_ROW_END();
}

static void
test_missing_db_read(void)
{
    char p[256];
    struct dc_db *db = NULL;
    struct dc_error err = DC_ERROR_INIT;

    path_in(p, sizeof p, "nosuch.db");
    CHECK_INT(dc_db_open(p, DC_DB_READ, &db, &err), -1);
    CHECK(err.status == DC_EX_NOINPUT);
    CHECK(access(p, F_OK) != 0);
}

/* Indexes dropped for a bulk rebuild come back exactly as the schema had
 * them, and a lookup uses one again. */
static void
test_indexes_drop_restore(void)
{
    char p[256];
    struct dc_db *db = NULL;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_buf saved = DC_BUF_INIT;
    const char *count = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                        "tbl_name = 'person' AND sql IS NOT NULL";

    path_in(p, sizeof p, "a.db");
    CHECK_INT(dc_db_open(p, DC_DB_WRITE, &db, &err), 0);
    if (!db)
        return;
    CHECK_INT(dc_db_count(db, count, &err), 2); /* person_id12, person_src */
    CHECK_INT(dc_db_begin(db, &err), 0);
    CHECK_INT(dc_db_indexes_drop(db, "person", &saved, &err), 0);
    CHECK_INT(dc_db_count(db, count, &err), 0);
    CHECK_STR(dc_buf_str(&saved), "CREATE INDEX person_id12 ON person(id12);\n"
                                  "CREATE INDEX person_src ON person(source, src_row);\n");
    CHECK_INT(dc_db_indexes_restore(db, &saved, &err), 0);
    CHECK_INT(dc_db_commit(db, &err), 0);
    CHECK_INT(dc_db_count(db, count, &err), 2);
    /* a table without indexes: nothing saved, nothing to restore */
    dc_buf_reset(&saved);
    CHECK_INT(dc_db_indexes_drop(db, "batch_missing", &saved, &err), 0);
    CHECK_INT((long long)saved.len, 0);
    CHECK_INT(dc_db_indexes_restore(db, &saved, &err), 0);
    dc_buf_release(&saved);
    dc_db_close(db, NULL);
}

/* A three-row INSERT of two values each: one step stores all three rows,
 * and the statement has exactly six parameters. */
static void
test_prepare_rows(void)
{
    char p[256];
    struct dc_db *db = NULL;
    struct dc_error err = DC_ERROR_INIT;
    sqlite3_stmt *q = NULL;

    path_in(p, sizeof p, "a.db");
    CHECK_INT(dc_db_open(p, DC_DB_WRITE, &db, &err), 0);
    if (!db)
        return;
    CHECK_INT(dc_db_exec(db, "CREATE TEMP TABLE t(a INTEGER, b TEXT)", &err), 0);
    CHECK_INT(dc_db_prepare_rows(db, "INSERT INTO t(a, b) VALUES ", 2, 3, &q, &err), 0);
    if (q) {
        CHECK_INT(sqlite3_bind_parameter_count(q), 6);
        CHECK_STR(sqlite3_sql(q), "INSERT INTO t(a, b) VALUES (?, ?), (?, ?), (?, ?)");
        for (int i = 0; i < 3; i++) {
            sqlite3_bind_int(q, 2 * i + 1, i + 1);
            sqlite3_bind_text(q, 2 * i + 2, "x", -1, SQLITE_STATIC);
        }
        CHECK_INT(sqlite3_step(q), SQLITE_DONE);
        sqlite3_finalize(q);
    }
    CHECK_INT(dc_db_count(db, "SELECT sum(a) FROM t WHERE b = 'x'", &err), 6);
    /* a head that is not SQL: a prepare error, nothing prepared */
    q = NULL;
    CHECK_INT(dc_db_prepare_rows(db, "INSERT INTO nowhere VALUES ", 1, 2, &q, &err), -1);
    CHECK(q == NULL);
    dc_db_close(db, NULL);
}

static void
cleanup(void)
{
    static const char *const names[] = {"a.db",           "a.db-wal",       "a.db-shm",
                                        "a.db.lock",      "foreign.db",     "lock.db",
                                        "lock.db-wal",    "lock.db-shm",    "lock.db.lock",
                                        "foreign.db-wal", "foreign.db-shm", "foreign.db.lock"};
    char p[256];

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_in(p, sizeof p, names[i]);
        unlink(p);
    }
    if (rmdir(dir) != 0)
        printf("# temp dir %s left behind\n", dir);
}

int
main(void)
{
    if (!mkdtemp(dir)) {
        printf("1..0 # SKIP cannot create a temp dir\n");
        return 0;
    }
    RUN(test_create_mode_0600_wal);
    RUN(test_foreign_sqlite_refused);
    RUN(test_second_writer_tempfail);
    RUN(test_fail_mapping);
    RUN(test_missing_db_read);
    RUN(test_indexes_drop_restore);
    RUN(test_prepare_rows);
    cleanup();
    return tap_done();
}
