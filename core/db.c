/*
 * db.c - open, lock, migrate the staging database (see db.h).
 * Not for: stage SQL.
 */
#include "db.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

extern const char *const dc_schema_sql[];
extern const int dc_schema_count;

int
dc_db_schema_latest(void)
{
    return dc_schema_count;
}

int
dc_db_fail(struct dc_db *db, int rc, const char *what, struct dc_error *err)
{
    const char *msg = db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc);
    enum dc_status st;

    switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
        st = DC_EX_IOERR;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        st = DC_EX_TEMPFAIL;
        break;
    case SQLITE_CANTOPEN:
        st = DC_EX_NOINPUT;
        break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        st = DC_EX_DATAERR;
        break;
    case SQLITE_NOMEM:
        st = DC_EX_OSERR;
        break;
    case SQLITE_READONLY:
        st = DC_EX_CANTCREAT;
        break;
    default:
        st = DC_EX_SOFTWARE;
    }
    return dc_error_at(err, st, db ? db->path : NULL, 0, NULL, "%s: %s", what, msg);
}

int
dc_db_exec(struct dc_db *db, const char *sql, struct dc_error *err)
{
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return dc_db_fail(db, rc, "sql", err);
    return 0;
}

int
dc_db_prepare(struct dc_db *db, const char *sql, sqlite3_stmt **stmt, struct dc_error *err)
{
    int rc = sqlite3_prepare_v2(db->h, sql, -1, stmt, NULL);
    if (rc != SQLITE_OK)
        return dc_db_fail(db, rc, "prepare", err);
    return 0;
}

int
dc_db_prepare_rows(struct dc_db *db, const char *head, int cols, int rows, sqlite3_stmt **stmt,
                   struct dc_error *err)
{
    struct dc_buf sql = DC_BUF_INIT;
    int rc;

    dc_buf_puts(&sql, head);
    for (int r = 0; r < rows; r++) {
        dc_buf_puts(&sql, r ? ", (" : "(");
        for (int c = 0; c < cols; c++)
            dc_buf_puts(&sql, c ? ", ?" : "?");
        dc_buf_putc(&sql, ')');
    }
    if (sql.oom) {
        dc_buf_release(&sql);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    rc = dc_db_prepare(db, dc_buf_str(&sql), stmt, err);
    dc_buf_release(&sql);
    return rc;
}

int
dc_db_step_done(struct dc_db *db, sqlite3_stmt *st, const char *what, struct dc_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return dc_db_fail(db, rc, what, err);
    return 0;
}

int
dc_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s || !*s)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

long long
dc_db_count(struct dc_db *db, const char *sql, struct dc_error *err)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    int rc;

    if (dc_db_prepare(db, sql, &st, err) < 0)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        dc_db_fail(db, rc, "count", err);
    sqlite3_finalize(st);
    return v;
}

int
dc_db_begin(struct dc_db *db, struct dc_error *err)
{
    return dc_db_exec(db, "BEGIN IMMEDIATE", err);
}

int
dc_db_commit(struct dc_db *db, struct dc_error *err)
{
    return dc_db_exec(db, "COMMIT", err);
}

void
dc_db_rollback(struct dc_db *db)
{
    if (db && db->h && !sqlite3_get_autocommit(db->h))
        (void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
dc_db_schema_version(struct dc_db *db)
{
    return (int)dc_db_count(db, "PRAGMA user_version", NULL);
}

static int
migrate(struct dc_db *db, struct dc_error *err)
{
    int have = dc_db_schema_version(db);
    char pragma[64];

    if (have < 0)
        return dc_db_fail(db, SQLITE_ERROR, "read schema version", err);
    if (have > dc_schema_count)
        return dc_error_at(err, DC_EX_DATAERR, db->path, 0, NULL,
                           "database schema %d is newer than this dancu (%d): upgrade dancu", have,
                           dc_schema_count);
    if (have == 0 && dc_db_count(db, "SELECT count(*) FROM sqlite_master", err) != 0)
        return dc_error_at(err, DC_EX_DATAERR, db->path, 0, NULL,
                           "not a dancu database: it has tables but no dancu schema");
    for (int i = have; i < dc_schema_count; i++) {
        if (dc_db_begin(db, err) < 0)
            return -1;
        if (dc_db_exec(db, dc_schema_sql[i], err) < 0)
            goto fail;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
        if (dc_db_exec(db, pragma, err) < 0)
            goto fail;
        if (dc_db_commit(db, err) < 0)
            goto fail;
    }
    return 0;
fail:
    dc_db_rollback(db);
    return -1;
}

/* Create the file ourselves so it is 0600 whatever the umask; SQLite gives
 * its -wal and -shm files the mode of the database file. */
static int
create_private(const char *path, struct dc_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        return dc_error_at(err, DC_EX_CANTCREAT, path, 0, NULL, "cannot create: %s",
                           strerror(errno));
    }
    if (fchmod(fd, 0600) < 0 || close(fd) < 0)
        return dc_error_at(err, DC_EX_CANTCREAT, path, 0, NULL, "cannot create: %s",
                           strerror(errno));
    return 0;
}

static int make_private(int fd, const char *path, struct dc_error *err);
static int resolved_name(const char *path, char out[PATH_MAX]);

static int
take_lock(struct dc_db *db, struct dc_error *err)
{
    db->lock_fd = open(db->path, O_RDONLY | O_CLOEXEC);
    if (db->lock_fd < 0)
        return dc_error_at(err, DC_EX_NOINPUT, db->path, 0, NULL, "cannot open: %s",
                           strerror(errno));
    if (flock(db->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            return dc_error_at(err, DC_EX_TEMPFAIL, db->path, 0, NULL,
                               "another dancu run is writing this database; try again later");
        return dc_error_at(err, DC_EX_IOERR, db->path, 0, NULL, "cannot lock: %s", strerror(errno));
    }
    return make_private(db->lock_fd, db->path, err);
}

/* Personal data: a file dancu writes is 0600, also one that existed before (touch, a copy,
 * an older dancu) with group or other bits (issue 19).  Changed in place; a file we may
 * not chmod (not ours) and that others can read is refused rather than written to. */
static int
make_private(int fd, const char *path, struct dc_error *err)
{
    struct stat sb;

    if (fstat(fd, &sb) < 0)
        return dc_error_at(err, DC_EX_IOERR, path, 0, NULL, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077) == 0)
        return 0;
    if (fchmod(fd, sb.st_mode & 0700) < 0)
        return dc_error_at(err, DC_EX_CANTCREAT, path, 0, NULL,
                           "readable by group or others (mode %03o) and cannot be made 0600: "
                           "%s; chmod 600 it first",
                           (unsigned)(sb.st_mode & 0777), strerror(errno));
    return 0;
}

/* SQLite gives a new -wal or -shm file the database's mode, but keeps the mode of one that
 * already exists: make those private too once the connection has them open. */
static int
make_sides_private(const char *path, struct dc_error *err)
{
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    char side[PATH_MAX + 16];

    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        int fd;
        if (snprintf(side, sizeof side, "%s%s", path, sides[i]) >= (int)sizeof side)
            continue;
        fd = open(side, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            continue; /* not there */
        int rc = make_private(fd, side, err);
        close(fd);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* A reader that SQLite could not serve for lack of permission gets 77 (EX_NOPERM) and
 * why, instead of 73 "attempt to write a readonly database" (issue 19): reading a WAL
 * database needs write access to it and its folder, for the -shm index SQLite keeps
 * (sqlite.org/wal.html "Read-Only Databases"). */
static void
reader_permission(const char *path, struct dc_error *err)
{
    char dir[PATH_MAX];
    const char *why = NULL;

    if (access(path, R_OK) != 0 && errno == EACCES)
        why = "permission denied";
    else if (access(path, W_OK) != 0 ||
             (resolved_name(path, dir) && access(dirname(dir), W_OK) != 0))
        why = "no write access to the database or its folder, which SQLite needs to read a "
              "WAL database (its -shm file): run as the database's owner, or read a copy";
    if (!why)
        return;
    dc_error_clear(err);
    dc_error_at(err, DC_EX_NOPERM, path, 0, NULL, "%s", why);
}

int
dc_db_open(const char *path, int flags, struct dc_db **out, struct dc_error *err)
{
    struct dc_db *db;
    struct stat sb;
    int oflags = SQLITE_OPEN_NOMUTEX;
    int rc;

    *out = NULL;
    if (!(flags & DC_DB_CREATE) && stat(path, &sb) < 0)
        return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL,
                           "no such database (create it with 'dancu init %s')", path);
    if ((flags & DC_DB_CREATE) && create_private(path, err) < 0)
        return -1;
    db = calloc(1, sizeof *db);
    if (!db)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    db->path = path;
    db->lock_fd = -1;
    if (flags & (DC_DB_WRITE | DC_DB_CREATE)) {
        if (take_lock(db, err) < 0)
            goto fail;
    }
    /* Readers open read-write too: a read-only connection cannot create the
     * -shm file a WAL database needs once the last writer has cleaned up. */
    oflags |= SQLITE_OPEN_READWRITE;
    rc = sqlite3_open_v2(path, &db->h, oflags, NULL);
    if (rc != SQLITE_OK) {
        dc_db_fail(db, rc, "open", err);
        goto fail;
    }
    sqlite3_extended_result_codes(db->h, 0);
    /* Readers never block on a writer in WAL; a writer already holds the
     * flock, so a short busy timeout only covers checkpoints. */
    sqlite3_busy_timeout(db->h, 2000);
    /* Foreign keys stay off: every stage writes its rows under the batch row
     * it has just created, and a per-row parent lookup costs import 15% of its
     * instructions (callgrind).  The REFERENCES clauses document the links. */
    rc = SQLITE_OK;
    /* Larger pages for a new file: rows of a few hundred bytes, tables of
     * millions of rows; fewer pages means fewer WAL frames to write and copy
     * (import of 1M rows: measured in scripts/bench).  Only takes effect
     * before the first table exists. */
    if (rc == SQLITE_OK && (flags & DC_DB_CREATE))
        rc = sqlite3_exec(db->h, "PRAGMA page_size = 16384", NULL, NULL, NULL);
    if (rc == SQLITE_OK && (flags & (DC_DB_WRITE | DC_DB_CREATE)))
        rc = sqlite3_exec(db->h,
                          "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                          "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        dc_db_fail(db, rc, "open", err);
        goto fail;
    }
    if ((flags & (DC_DB_WRITE | DC_DB_CREATE)) && make_sides_private(path, err) < 0)
        goto fail;
    if (flags & DC_DB_CREATE) {
        if (migrate(db, err) < 0)
            goto fail;
    } else {
        int v = dc_db_schema_version(db);
        if (v < 0) {
            dc_db_fail(db, sqlite3_errcode(db->h), "open", err);
            goto fail;
        }
        if (v == 0) {
            dc_error_at(err, DC_EX_DATAERR, path, 0, NULL,
                        "not a dancu database (create it with 'dancu init')");
            goto fail;
        }
        if (v != dc_schema_count) {
            dc_error_at(err, DC_EX_DATAERR, path, 0, NULL,
                        "database schema %d, this dancu has %d: run 'dancu init %s' to upgrade", v,
                        dc_schema_count, path);
            goto fail;
        }
    }
    *out = db;
    return 0;
fail:
    dc_db_close(db, NULL);
    if (!(flags & (DC_DB_WRITE | DC_DB_CREATE)) && err &&
        (err->status == DC_EX_CANTCREAT || err->status == DC_EX_NOINPUT))
        reader_permission(path, err);
    return -1;
}

int
dc_db_indexes_drop(struct dc_db *db, const char *table, struct dc_buf *saved, struct dc_error *err)
{
    struct dc_buf drops = DC_BUF_INIT;
    sqlite3_stmt *q = NULL;
    int rc;

    if (dc_db_prepare(db,
                      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 "
                      "AND sql IS NOT NULL ORDER BY name",
                      &q, err) < 0)
        return -1;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    /* Collect first: the schema cannot change while it is being read. */
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        /* the index name comes from the schema, never from data; quoted */
        dc_buf_printf(&drops, "DROP INDEX \"%s\";\n", (const char *)sqlite3_column_text(q, 0));
        dc_buf_printf(saved, "%s;\n", (const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        dc_buf_release(&drops);
        return dc_db_fail(db, rc, "read indexes", err);
    }
    if (drops.oom || saved->oom) {
        dc_buf_release(&drops);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    rc = drops.len ? dc_db_exec(db, dc_buf_str(&drops), err) : 0;
    dc_buf_release(&drops);
    return rc;
}

int
dc_db_indexes_restore(struct dc_db *db, const struct dc_buf *saved, struct dc_error *err)
{
    return saved->len ? dc_db_exec(db, dc_buf_str(saved), err) : 0;
}

int
dc_db_is_sqlite_file(const char *path)
{
    static const char magic[16] = "SQLite format 3"; /* with its NUL: 16 bytes */
    char head[16];
    FILE *fp;
    size_t n;

    if (strcmp(path, "-") == 0 || !(fp = fopen(path, "rb")))
        return 0;
    n = fread(head, 1, sizeof head, fp);
    fclose(fp);
    return n == sizeof head && memcmp(head, magic, sizeof head) == 0;
}

/* SQLite's own files beside a database (sqlite.org/tempfiles.html §2.1-2.3):
 * the rollback journal, the write-ahead log and its shared-memory index. */
static const char *const own_suffixes[] = {"", "-wal", "-shm", "-journal"};

/* The absolute name of path with its folder resolved (the file itself need not
 * exist); 0 when the folder cannot be resolved. */
static int
resolved_name(const char *path, char out[PATH_MAX])
{
    char d[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];

    if (realpath(path, out))
        return 1;
    if (strlen(path) >= sizeof d)
        return 0;
    strcpy(d, path);
    strcpy(b, path);
    if (!realpath(dirname(d), dir))
        return 0;
    return snprintf(out, PATH_MAX, "%s/%s", dir, basename(b)) < PATH_MAX;
}

int
dc_db_path_is_own(const char *db_path, const char *path)
{
    char db_abs[PATH_MAX], path_abs[PATH_MAX], side[PATH_MAX + 16];
    struct stat ps, ss;
    int have_ps = stat(path, &ps) == 0;
    int names = resolved_name(db_path, db_abs) && resolved_name(path, path_abs);

    for (size_t i = 0; i < sizeof own_suffixes / sizeof own_suffixes[0]; i++) {
        /* the same file under any name (a link, another spelling of the folder) */
        snprintf(side, sizeof side, "%s%s", db_path, own_suffixes[i]);
        if (have_ps && stat(side, &ss) == 0 && ss.st_dev == ps.st_dev && ss.st_ino == ps.st_ino)
            return 1;
        /* the name SQLite will use, although the file does not exist right now */
        snprintf(side, sizeof side, "%s%s", db_abs, own_suffixes[i]);
        if (names && strcmp(side, path_abs) == 0)
            return 1;
    }
    return 0;
}

int
dc_db_close(struct dc_db *db, struct dc_error *err)
{
    int ret = 0;

    if (!db)
        return 0;
    if (db->h) {
        dc_db_rollback(db);
        int rc = sqlite3_close(db->h);
        if (rc != SQLITE_OK)
            ret = dc_db_fail(db, rc, "close", err);
    }
    if (db->lock_fd >= 0)
        close(db->lock_fd); /* releases the flock */
    free(db);
    return ret;
}

int
dc_db_batch_start(struct dc_db *db, const char *stage, const char *now_iso, long long *id,
                  struct dc_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (dc_db_prepare(db, "INSERT INTO batch(stage, started) VALUES (?1, ?2)", &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now_iso, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "insert batch", err);
    *id = sqlite3_last_insert_rowid(db->h);
    return 0;
}
