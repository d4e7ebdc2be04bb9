/*
 * db.h - the staging database: open, lock, migrate, transactions, statements.
 *
 * One SQLite file per staging area, WAL mode, created 0600 (personal data:
 * reliability.md §3).  A writing command takes an exclusive flock(2) on the
 * database file for its whole run, so a second writer fails at once with
 * DC_EX_TEMPFAIL (75: cron may retry) instead of waiting or interleaving
 * half batches; SQLite's own fcntl locks are independent of flock on Linux.
 * Schema changes are the numbered migrations of schemas/, compiled in,
 * applied in order and tracked by PRAGMA user_version.
 *
 * SQLite result codes are mapped to exit statuses here, once:
 * SQLITE_FULL / SQLITE_IOERR -> 74, SQLITE_BUSY / SQLITE_LOCKED -> 75,
 * SQLITE_CANTOPEN -> 66 (read) or 73 (create), SQLITE_NOTADB / CORRUPT -> 65.
 *
 * Not for: SQL of the stages (each stage prepares its own statements).
 */
#ifndef DC_DB_H
#define DC_DB_H

#include <sqlite3.h>

#include "error.h"

enum {
    DC_DB_READ = 0,  /* open an existing DB for reading */
    DC_DB_WRITE = 1, /* open an existing DB and take the write lock */
    DC_DB_CREATE = 2 /* create if missing (implies WRITE), then migrate */
};

struct dc_db {
    sqlite3 *h;       /* the connection */
    const char *path; /* borrowed */
    int lock_fd;      /* flock(2) holder, -1 when not writing */
};

/* Open path.  A DB that exists but is older than this build is migrated
 * when opened with DC_DB_CREATE, refused otherwise ("run dancu init").
 * On success *out is owned by the caller (dc_db_close). */
int dc_db_open(const char *path, int flags, struct dc_db **out, struct dc_error *err);

struct dc_buf;

/* Bulk rebuild of a table (a stage replacing its output): drop the table's
 * indexes, remembering their CREATE statements from sqlite_master in saved,
 * and create them again once the rows are in.  Building an index once from
 * sorted keys is cheaper than keeping it up to date row by row (normalize of
 * 100,000 records: 3.0 s -> 2.6 s).  Both run inside the caller's
 * transaction, so a failure leaves the indexes as they were. */
int dc_db_indexes_drop(struct dc_db *db, const char *table, struct dc_buf *saved,
                       struct dc_error *err);
int dc_db_indexes_restore(struct dc_db *db, const struct dc_buf *saved, struct dc_error *err);

/* 1 when path is a readable file that starts with the SQLite header: the
 * commands that take a DB or CSV files (normalize, crosscheck) tell them
 * apart this way, not by the file name. */
int dc_db_is_sqlite_file(const char *path);

/* 1 when path is the database at db_path or one of the files SQLite keeps beside it
 * (-wal, -shm, -journal): the same device and inode when both exist, or the same name
 * once the folders are resolved (the -wal file exists only while a connection is open).
 * Writing an export or report there would destroy the database (issue 19). */
int dc_db_path_is_own(const char *db_path, const char *path);

/* Close, accepting NULL.  Returns -1 and sets err if the close failed. */
int dc_db_close(struct dc_db *db, struct dc_error *err);

/* Schema version of this build (number of migrations) and of the open DB. */
int dc_db_schema_latest(void);
int dc_db_schema_version(struct dc_db *db);

/* Map a SQLite result code to err (status by the table above); returns -1.
 * what names the operation ("insert src_row"). */
int dc_db_fail(struct dc_db *db, int rc, const char *what, struct dc_error *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  rollback never fails loudly. */
int dc_db_begin(struct dc_db *db, struct dc_error *err);
int dc_db_commit(struct dc_db *db, struct dc_error *err);
void dc_db_rollback(struct dc_db *db);

/* Run SQL with no parameters and no result rows (DDL, DELETE). */
int dc_db_exec(struct dc_db *db, const char *sql, struct dc_error *err);

/* Prepare once; *stmt is the caller's (sqlite3_finalize). */
int dc_db_prepare(struct dc_db *db, const char *sql, sqlite3_stmt **stmt, struct dc_error *err);
/* A multi-row INSERT: head ("INSERT INTO t(a, b) VALUES ") followed by rows
 * groups of cols parameters, "(?, ?), (?, ?)".  One statement per 64 rows
 * instead of 64 statements cuts a bulk load's writer work by about a fifth
 * (import, dedup's store). */
int dc_db_prepare_rows(struct dc_db *db, const char *head, int cols, int rows, sqlite3_stmt **stmt,
                       struct dc_error *err);

/* Step a statement that returns no row, then reset it and clear bindings. */
int dc_db_step_done(struct dc_db *db, sqlite3_stmt *st, const char *what, struct dc_error *err);

/* Bind text, or NULL when s is NULL or "" (empty means unknown everywhere). */
int dc_db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* A single integer from a query with no parameters (counts); -1 on error. */
long long dc_db_count(struct dc_db *db, const char *sql, struct dc_error *err);

/* Insert a batch row for stage and return its id in *id. */
int dc_db_batch_start(struct dc_db *db, const char *stage, const char *now_iso, long long *id,
                      struct dc_error *err);

#endif
