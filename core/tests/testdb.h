/*
 * testdb.h - a fresh staging DB in a temporary folder for a unit test, and its
 * removal (the DB with SQLite's -wal and -shm files and dancu's lock file).
 *
 *   static char dir[] = "/tmp/dc_test_x_XXXXXX";
 *   struct dc_db *db = testdb_open(dir, "x.db");   (NULL: it said why, TAP style)
 *   ... RUN(...) ...
 *   testdb_remove(db, dir, "x.db");
 *
 * Not for: tests that put files of their own in the folder (they remove those).
 */
#ifndef DC_TESTDB_H
#define DC_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"
#include "error.h"

static struct dc_db *
testdb_open(char *dir, const char *name)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    char p[256];

    if (!mkdtemp(dir)) {
        printf("Bail out! cannot create a temp dir\n");
        return NULL;
    }
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (dc_db_open(p, DC_DB_CREATE, &db, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return NULL;
    }
    return db;
}

static void
testdb_remove(struct dc_db *db, const char *dir, const char *name)
{
    static const char *const suffix[] = {"", "-wal", "-shm", ".lock"};
    char p[256];

    dc_db_close(db, NULL);
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s/%s%s", dir, name, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
}

#endif
