/*
 * refdata.c - catalogue files into unit / unit_map / ethnic / religion, and
 * the address catalogue back out (see refdata.h).
 */
#include "refdata.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "csvio.h"
#include "vndate.h"

enum kind {
    K_WARDS_PRE,
    K_DISTRICTS,
    K_PROVINCES,
    K_WARDS_2025,
    K_WARD_MAP,
    K_WARD_MAP_DETAIL,
    K_PROVINCE_MAP,
    K_ETHNIC,
    K_RELIGION,
    K_COUNT
};

static const struct {
    const char *name;
    const char *header;
} kinds[K_COUNT] = {
    [K_WARDS_PRE] = {"wards-pre2025", "province_code,province_name,district_code,district_name,"
                                      "ward_code,ward_name,ward_level"},
    [K_DISTRICTS] = {"districts-pre2025", "province_code,province_name,district_code,"
                                          "district_name,district_level"},
    [K_PROVINCES] = {"provinces", "code,name,type"},
    [K_WARDS_2025] = {"wards-2025", "province_code,province_name,ward_code,ward_name,ward_level"},
    [K_WARD_MAP] = {"ward-map", "old_ward_code,new_ward_code"},
    [K_WARD_MAP_DETAIL] = {"ward-map-detail", "old_ward_code,old_ward_name,old_district_code,"
                                              "old_province_code,new_ward_code,new_ward_name,"
                                              "new_province_code,note"},
    [K_PROVINCE_MAP] = {"province-map", "old_province_code,old_province_name,new_province_code,"
                                        "new_province_name"},
    [K_ETHNIC] = {"ethnic", "code,name,name_qcvn109,code_1979,name_1979,other_names_1979"},
    [K_RELIGION] = {"religion", "code,name,organizations,note"},
};

static int
header_kind(const struct dc_csv_row *h)
{
    char buf[512];
    size_t o = 0;

    for (size_t i = 0; i < h->nfields; i++) {
        int n = snprintf(buf + o, sizeof buf - o, "%s%s", i ? "," : "", h->fields[i]);
        if (n < 0 || (size_t)n >= sizeof buf - o)
            return -1;
        o += (size_t)n;
    }
    for (int k = 0; k < K_COUNT; k++)
        if (strcmp(buf, kinds[k].header) == 0)
            return k;
    return -1;
}

/* ---- one catalogue file, row by row: the one reader of refdata files, for refdata load
 * and the address catalogue of a folder (addr/load.c) ---- */

struct dc_refdata_reader {
    struct dc_csv_reader *csv;
    const char *path;
    int kind;
    struct dc_csv_row row;
};

void
dc_refdata_close(struct dc_refdata_reader *r)
{
    if (!r)
        return;
    dc_csv_close(r->csv);
    free(r);
}

int
dc_refdata_open(const char *path, struct dc_refdata_reader **out, struct dc_error *err)
{
    struct dc_csv_opts copts = {.encoding = "utf-8", .delimiter = ','};
    struct dc_refdata_reader *r = calloc(1, sizeof *r);

    *out = NULL;
    if (!r)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    r->path = path;
    r->csv = dc_csv_open(path, &copts, err);
    if (!r->csv) {
        free(r);
        return -1;
    }
    r->kind = header_kind(dc_csv_header(r->csv));
    if (r->kind < 0) {
        dc_error_at(err, DC_EX_DATAERR, path, 1, NULL,
                    "not a catalogue file: unknown header (formats in schemas/refdata.md)");
        dc_refdata_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

const char *
dc_refdata_kind(const struct dc_refdata_reader *r)
{
    return kinds[r->kind].name;
}

int
dc_refdata_next(struct dc_refdata_reader *r, const struct dc_csv_row **row, struct dc_error *err)
{
    int rc = dc_csv_next(r->csv, &r->row, err);

    if (rc == 1 && r->row.reject)
        return dc_error_at(err, DC_EX_DATAERR, r->path, r->row.line, NULL, "%s", r->row.reject);
    *row = &r->row;
    return rc;
}

int
dc_refdata_sha256(struct dc_refdata_reader *r, char hex[65])
{
    return dc_csv_sha256(r->csv, hex);
}

int
dc_refdata_is_code(const char *s, size_t n, int empty_ok)
{
    size_t len;

    if (!s)
        return 0;
    len = strlen(s);
    if (len == 0)
        return empty_ok;
    if (len != n)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9') /* ASCII digits whatever the locale */
            return 0;
    return 1;
}

struct loader {
    struct dc_db *db;
    const char *path;
    sqlite3_stmt *unit, *map, *ethnic, *religion;
};

static int
put_unit(struct loader *l, const char *era, const char *level, const char *code, const char *name,
         const char *type, const char *prov, const char *dist, struct dc_error *err)
{
    sqlite3_stmt *q = l->unit;

    sqlite3_bind_text(q, 1, era, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, name, -1, SQLITE_TRANSIENT);
    dc_db_bind_text(q, 5, type);
    dc_db_bind_text(q, 6, prov);
    dc_db_bind_text(q, 7, dist);
    return dc_db_step_done(l->db, q, "insert unit", err);
}

static int
put_map(struct loader *l, const char *kind, const char *old_code, const char *new_code,
        const char *note, struct dc_error *err)
{
    sqlite3_stmt *q = l->map;

    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, old_code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, new_code, -1, SQLITE_TRANSIENT);
    dc_db_bind_text(q, 4, note);
    return dc_db_step_done(l->db, q, "insert unit_map", err);
}

#define NEED_CODE(i, n, empty_ok, what)                                                            \
    do {                                                                                           \
        if (!dc_refdata_is_code(f[i], n, empty_ok))                                                \
            return dc_error_at(err, DC_EX_DATAERR, l->path, row->line, what,                       \
                               "expected a %d-digit code", n);                                     \
    } while (0)

static int
load_row(struct loader *l, enum kind k, const char *era, const struct dc_csv_row *row,
         struct dc_error *err)
{
    char **f = row->fields;

    switch (k) {
    case K_WARDS_PRE:
        NEED_CODE(0, 2, 0, "province_code");
        NEED_CODE(2, 3, 0, "district_code");
        NEED_CODE(4, 5, 0, "ward_code");
        /* provinces and districts come with their wards: keep them too, so a
         * ward file alone is a complete catalogue */
        if (put_unit(l, "pre2025", "province", f[0], f[1], NULL, NULL, NULL, err) < 0 ||
            put_unit(l, "pre2025", "district", f[2], f[3], NULL, f[0], NULL, err) < 0)
            return -1;
        return put_unit(l, "pre2025", "ward", f[4], f[5], f[6], f[0], f[2], err);
    case K_DISTRICTS:
        NEED_CODE(0, 2, 0, "province_code");
        NEED_CODE(2, 3, 0, "district_code");
        if (put_unit(l, "pre2025", "province", f[0], f[1], NULL, NULL, NULL, err) < 0)
            return -1;
        return put_unit(l, "pre2025", "district", f[2], f[3], f[4], f[0], NULL, err);
    case K_PROVINCES:
        NEED_CODE(0, 2, 0, "code");
        return put_unit(l, era, "province", f[0], f[1], f[2], NULL, NULL, err);
    case K_WARDS_2025:
        NEED_CODE(0, 2, 0, "province_code");
        NEED_CODE(2, 5, 0, "ward_code");
        if (put_unit(l, "2025", "province", f[0], f[1], NULL, NULL, NULL, err) < 0)
            return -1;
        return put_unit(l, "2025", "ward", f[2], f[3], f[4], f[0], NULL, err);
    case K_WARD_MAP:
        NEED_CODE(0, 5, 0, "old_ward_code");
        NEED_CODE(1, 5, 0, "new_ward_code");
        return put_map(l, "ward", f[0], f[1], NULL, err);
    case K_WARD_MAP_DETAIL:
        /* rows without an old ward (special zones made of ward-less
         * districts) carry nothing a ward lookup can use */
        NEED_CODE(0, 5, 1, "old_ward_code");
        NEED_CODE(4, 5, 0, "new_ward_code");
        if (!f[0][0])
            return 0;
        return put_map(l, "ward", f[0], f[4], f[7], err);
    case K_PROVINCE_MAP:
        NEED_CODE(0, 2, 0, "old_province_code");
        NEED_CODE(2, 2, 0, "new_province_code");
        return put_map(l, "province", f[0], f[2], NULL, err);
    case K_ETHNIC:
        NEED_CODE(0, 2, 0, "code");
        sqlite3_bind_text(l->ethnic, 1, f[0], -1, SQLITE_TRANSIENT);
        for (int i = 1; i < 6; i++)
            dc_db_bind_text(l->ethnic, i + 1, f[i]);
        return dc_db_step_done(l->db, l->ethnic, "insert ethnic", err);
    case K_RELIGION:
        NEED_CODE(0, 2, 0, "code");
        sqlite3_bind_text(l->religion, 1, f[0], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(l->religion, 2, f[1], -1, SQLITE_TRANSIENT);
        return dc_db_step_done(l->db, l->religion, "insert religion", err);
    default:
        return dc_error_set(err, DC_EX_SOFTWARE, "bad refdata kind");
    }
}

/* What loading a kind replaces (constant SQL per kind). */
static int
clear_kind(struct dc_db *db, enum kind k, const char *era, struct dc_error *err)
{
    switch (k) {
    case K_WARDS_PRE:
        return dc_db_exec(db, "DELETE FROM unit WHERE era = 'pre2025' AND level = 'ward'", err);
    case K_DISTRICTS:
        return dc_db_exec(db, "DELETE FROM unit WHERE era = 'pre2025' AND level = 'district'", err);
    case K_PROVINCES:
        return strcmp(era, "2025") == 0
                   ? dc_db_exec(db, "DELETE FROM unit WHERE era = '2025' AND level = 'province'",
                                err)
                   : dc_db_exec(db, "DELETE FROM unit WHERE era = 'pre2025' AND level = 'province'",
                                err);
    case K_WARDS_2025:
        return dc_db_exec(db, "DELETE FROM unit WHERE era = '2025' AND level = 'ward'", err);
    case K_WARD_MAP:
    case K_WARD_MAP_DETAIL:
        return dc_db_exec(db, "DELETE FROM unit_map WHERE kind = 'ward'", err);
    case K_PROVINCE_MAP:
        return dc_db_exec(db, "DELETE FROM unit_map WHERE kind = 'province'", err);
    case K_ETHNIC:
        return dc_db_exec(db, "DELETE FROM ethnic", err);
    case K_RELIGION:
        return dc_db_exec(db, "DELETE FROM religion", err);
    default:
        return dc_error_set(err, DC_EX_SOFTWARE, "bad refdata kind");
    }
}

/* The refdata_file rows a load replaces: the kinds that clear the same
 * table rows (ward-map and ward-map-detail both replace the ward mapping). */
static int
forget_files(struct dc_db *db, const char *kind, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (dc_db_prepare(db,
                      "DELETE FROM refdata_file WHERE kind = ?1 OR (?1 LIKE 'ward-map%' AND "
                      "kind LIKE 'ward-map%')",
                      &q, err) < 0)
        return -1;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    rc = dc_db_step_done(db, q, "delete refdata_file", err);
    sqlite3_finalize(q);
    return rc;
}

/* One file into the DB; name is what refdata_file records (the path, or the
 * base name for the shipped folder), origin and dated as in 0002. */
static int
load_file(struct dc_db *db, const char *path, const char *name, const char *era,
          const char *now_iso, const char *origin, const char *dated,
          struct dc_refdata_file_summary *s, struct dc_error *err)
{
    struct loader l = {db, path, NULL, NULL, NULL, NULL};
    struct dc_refdata_reader *r;
    const struct dc_csv_row *row;
    char sha[65];
    int k, rc, ret = -1;

    memset(s, 0, sizeof *s);
    if (dc_refdata_open(path, &r, err) < 0)
        return -1;
    k = r->kind;
    if (k == K_PROVINCES && !era) {
        if (strstr(path, "pre2025"))
            era = "pre2025";
        else if (strstr(path, "2025"))
            era = "2025";
        else {
            dc_error_at(err, DC_EX_USAGE, path, 0, NULL,
                        "a provinces file whose name does not say its era: give --era");
            goto out;
        }
    }
    if (!era)
        era = "pre2025";
    if (k == K_PROVINCES)
        snprintf(s->kind, sizeof s->kind, "provinces-%s", era);
    else
        snprintf(s->kind, sizeof s->kind, "%s", kinds[k].name);
    if (clear_kind(db, (enum kind)k, era, err) < 0)
        goto out;
    if (dc_db_prepare(db,
                      "INSERT INTO unit(era, level, code, name, unit_type, province_code, "
                      "district_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                      "ON CONFLICT(era, level, code) DO UPDATE SET name = excluded.name, "
                      "unit_type = coalesce(excluded.unit_type, unit_type), "
                      "province_code = coalesce(excluded.province_code, province_code), "
                      "district_code = coalesce(excluded.district_code, district_code)",
                      &l.unit, err) < 0 ||
        dc_db_prepare(db,
                      "INSERT OR REPLACE INTO unit_map(kind, old_code, new_code, note) "
                      "VALUES (?1, ?2, ?3, ?4)",
                      &l.map, err) < 0 ||
        dc_db_prepare(db,
                      "INSERT OR REPLACE INTO ethnic(code, name, name_qcvn109, code_1979, "
                      "name_1979, other_names) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                      &l.ethnic, err) < 0 ||
        dc_db_prepare(db, "INSERT OR REPLACE INTO religion(code, name) VALUES (?1, ?2)",
                      &l.religion, err) < 0)
        goto out;
    while ((rc = dc_refdata_next(r, &row, err)) == 1) {
        if (load_row(&l, (enum kind)k, era, row, err) < 0)
            goto out;
        s->rows++;
    }
    if (rc < 0 || dc_refdata_sha256(r, sha) < 0)
        goto out;
    {
        sqlite3_stmt *q = NULL;
        if (forget_files(db, s->kind, err) < 0 ||
            dc_db_prepare(db,
                          "INSERT INTO refdata_file(kind, file, sha256, rows, loaded, origin, "
                          "dated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                          &q, err) < 0)
            goto out;
        sqlite3_bind_text(q, 1, s->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, sha, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, s->rows);
        sqlite3_bind_text(q, 5, now_iso, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, origin, -1, SQLITE_STATIC);
        dc_db_bind_text(q, 7, dated);
        rc = dc_db_step_done(db, q, "insert refdata_file", err);
        sqlite3_finalize(q);
        if (rc < 0)
            goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(l.unit);
    sqlite3_finalize(l.map);
    sqlite3_finalize(l.ethnic);
    sqlite3_finalize(l.religion);
    dc_refdata_close(r);
    return ret;
}

int
dc_refdata_load_file(struct dc_db *db, const char *path, const char *era, const char *now_iso,
                     struct dc_refdata_file_summary *s, struct dc_error *err)
{
    return load_file(db, path, path, era, now_iso, "file", NULL, s, err);
}

/* A folder is a catalogue when it holds sources.csv (refdata/README.md). */
static int
is_catalogue_dir(const char *dir)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/sources.csv", dir);

    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

int
dc_refdata_shipped_dir(char *dir, size_t size, struct dc_error *err)
{
    char exe[PATH_MAX], cand[3][PATH_MAX + 32];
    const char *env = getenv("DANCU_REFDATA");
    int ncand = 0;
    ssize_t len;

    if (env && *env) {
        if (!is_catalogue_dir(env))
            return dc_error_set(err, DC_EX_NOINPUT,
                                "DANCU_REFDATA=%s: no catalogue there (no sources.csv)", env);
        if (snprintf(dir, size, "%s", env) >= (int)size)
            return dc_error_set(err, DC_EX_USAGE, "DANCU_REFDATA: path too long");
        return 0;
    }
    /* Next to the binary first, so that a build tree or a moved install
     * uses its own copy; the configured prefix last. */
    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(cand[ncand++], sizeof cand[0], "%s/../refdata", exe);
            snprintf(cand[ncand++], sizeof cand[0], "%s/../share/dancu/refdata", exe);
        }
    }
    snprintf(cand[ncand++], sizeof cand[0], "%s", DC_REFDATA_DIR);
    for (int i = 0; i < ncand; i++) {
        char real[PATH_MAX];
        if (!is_catalogue_dir(cand[i]) || !realpath(cand[i], real))
            continue;
        if (snprintf(dir, size, "%s", real) >= (int)size)
            return dc_error_set(err, DC_EX_USAGE, "catalogue path too long");
        return 0;
    }
    return dc_error_set(err, DC_EX_NOINPUT,
                        "the catalogue shipped with dancu was not found (looked in refdata/ "
                        "and share/dancu/refdata next to the binary, and in %s; set "
                        "DANCU_REFDATA)",
                        DC_REFDATA_DIR);
}

int
dc_refdata_load_dir(struct dc_db *db, const char *dir, const char *now_iso,
                    void (*each)(void *ud, const char *file,
                                 const struct dc_refdata_file_summary *s),
                    void *ud, struct dc_error *err)
{
    struct dc_csv_opts copts = {.encoding = "utf-8", .delimiter = ','};
    char path[PATH_MAX];
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    const struct dc_csv_row *h;
    int rc, n, ret = -1;

    n = snprintf(path, sizeof path, "%s/sources.csv", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return dc_error_set(err, DC_EX_USAGE, "catalogue path too long");
    r = dc_csv_open(path, &copts, err);
    if (!r)
        return -1;
    h = dc_csv_header(r);
    if (h->nfields != 3 || strcmp(h->fields[0], "file") != 0 ||
        strcmp(h->fields[1], "dated") != 0) {
        dc_error_at(err, DC_EX_DATAERR, path, 1, NULL, "expected the header file,dated,source");
        goto out;
    }
    while ((rc = dc_csv_next(r, &row, err)) == 1) {
        struct dc_refdata_file_summary s;
        char file[PATH_MAX];
        if (row.reject) {
            dc_error_at(err, DC_EX_DATAERR, path, row.line, NULL, "%s", row.reject);
            goto out;
        }
        /* a plain file name in this folder, nothing else */
        if (row.nfields != 3 || !row.fields[0][0] || strchr(row.fields[0], '/')) {
            dc_error_at(err, DC_EX_DATAERR, path, row.line, "file", "expected a file name");
            goto out;
        }
        /* the catalogue's date as ISO (recorded and shown by 'refdata status'); empty = none */
        struct dc_date dated;
        if (row.fields[1][0] && dc_date_parse_iso(row.fields[1], &dated) < 0) {
            dc_error_at(err, DC_EX_DATAERR, path, row.line, "dated",
                        "expected a calendar date YYYY-MM-DD (or YYYY-MM, YYYY)");
            goto out;
        }
        n = snprintf(file, sizeof file, "%s/%s", dir, row.fields[0]);
        if (n < 0 || (size_t)n >= sizeof file) {
            dc_error_set(err, DC_EX_USAGE, "catalogue path too long");
            goto out;
        }
        /* the era of a provinces file comes from its name, as on the command line */
        if (load_file(db, file, row.fields[0], NULL, now_iso, "shipped",
                      row.fields[1][0] ? row.fields[1] : NULL, &s, err) < 0)
            goto out;
        if (each)
            each(ud, row.fields[0], &s);
    }
    if (rc == 0)
        ret = 0;
out:
    dc_csv_close(r);
    return ret;
}

/* dc_refdata_load_dir's callback, passed on with shipped = 1. */
struct shipped_each {
    void (*each)(void *ud, const char *file, const struct dc_refdata_file_summary *s, int shipped);
    void *ud;
};

static void
tell_shipped(void *ud, const char *file, const struct dc_refdata_file_summary *s)
{
    struct shipped_each *e = ud;

    if (e->each)
        e->each(e->ud, file, s, 1);
}

int
dc_refdata_load(struct dc_db *db, const char *shipped_dir, const char *const *files, size_t nfiles,
                const char *era, const char *now_iso,
                void (*each)(void *ud, const char *file, const struct dc_refdata_file_summary *s,
                             int shipped),
                void *ud, struct dc_error *err)
{
    struct shipped_each e = {each, ud};

    if (dc_db_begin(db, err) < 0)
        return -1;
    if (shipped_dir && dc_refdata_load_dir(db, shipped_dir, now_iso, tell_shipped, &e, err) < 0)
        goto fail;
    for (size_t i = 0; i < nfiles; i++) {
        struct dc_refdata_file_summary s;
        if (dc_refdata_load_file(db, files[i], era, now_iso, &s, err) < 0)
            goto fail;
        if (each)
            each(ud, files[i], &s, 0);
    }
    if (dc_db_commit(db, err) < 0)
        goto fail;
    return 0;
fail:
    dc_db_rollback(db);
    return -1;
}

int
dc_refdata_status(struct dc_db *db, void (*count)(void *ud, const char *what, long long n),
                  void (*file)(void *ud, const struct dc_refdata_file_row *f), void *ud,
                  struct dc_error *err)
{
    static const char *const counts[][2] = {
        {"provinces before 2025",
         "SELECT count(*) FROM unit WHERE era='pre2025' AND level='province'"},
        {"districts before 2025",
         "SELECT count(*) FROM unit WHERE era='pre2025' AND level='district'"},
        {"wards before 2025", "SELECT count(*) FROM unit WHERE era='pre2025' AND level='ward'"},
        {"provinces from 2025", "SELECT count(*) FROM unit WHERE era='2025' AND level='province'"},
        {"wards from 2025", "SELECT count(*) FROM unit WHERE era='2025' AND level='ward'"},
        {"ward mappings", "SELECT count(*) FROM unit_map WHERE kind='ward'"},
        {"province mappings", "SELECT count(*) FROM unit_map WHERE kind='province'"},
        {"ethnic groups", "SELECT count(*) FROM ethnic"},
        {"religions", "SELECT count(*) FROM religion"},
    };
    sqlite3_stmt *q = NULL;
    int rc;

    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        long long n = dc_db_count(db, counts[i][1], err);
        if (n < 0)
            return -1;
        count(ud, counts[i][0], n);
    }
    if (dc_db_prepare(db,
                      "SELECT kind, file, rows, origin, dated, sha256 FROM refdata_file "
                      "ORDER BY rowid",
                      &q, err) < 0)
        return -1;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct dc_refdata_file_row f = {
            (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
            (const char *)sqlite3_column_text(q, 3), (const char *)sqlite3_column_text(q, 4),
            (const char *)sqlite3_column_text(q, 5), sqlite3_column_int64(q, 2)};
        file(ud, &f);
    }
    if (rc != SQLITE_DONE)
        dc_db_fail(db, rc, "read refdata_file", err);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

int
dc_refdata_has_units(struct dc_db *db, struct dc_error *err)
{
    long long n = dc_db_count(db, "SELECT count(*) FROM unit", err);

    return n < 0 ? -1 : n > 0;
}

static int
add_units(struct dc_db *db, struct dc_catalog *c, long *count, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    /* Provinces first, then districts, then wards: the catalogue wants a
     * unit's parent before the unit.  Ordered by code: deterministic. */
    if (dc_db_prepare(db,
                      "SELECT era, level, code, name, province_code, district_code FROM unit "
                      "ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'district' THEN 1 "
                      "ELSE 2 END, era, code",
                      &q, err) < 0)
        return -1;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *era = (const char *)sqlite3_column_text(q, 0);
        const char *level = (const char *)sqlite3_column_text(q, 1);
        const char *code = (const char *)sqlite3_column_text(q, 2);
        const char *name = (const char *)sqlite3_column_text(q, 3);
        const char *prov = (const char *)sqlite3_column_text(q, 4);
        const char *dist = (const char *)sqlite3_column_text(q, 5);
        enum dc_era e = strcmp(era, "2025") == 0 ? DC_ERA_2025 : DC_ERA_PRE2025;
        int r2;
        if (strcmp(level, "province") == 0)
            r2 = dc_catalog_add_province(c, e, code, name, err);
        else if (strcmp(level, "district") == 0)
            r2 = dc_catalog_add_district(c, prov ? prov : "", code, name, err);
        else
            r2 = dc_catalog_add_ward(c, e, prov ? prov : "", e == DC_ERA_2025 ? NULL : dist, code,
                                     name, err);
        if (r2 < 0) {
            sqlite3_finalize(q);
            return -1;
        }
        (*count)++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "read unit", err);
    return 0;
}

static int
add_maps(struct dc_db *db, struct dc_catalog *c, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (dc_db_prepare(db, "SELECT kind, old_code, new_code FROM unit_map ORDER BY 1, 2, 3", &q,
                      err) < 0)
        return -1;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 0);
        const char *o = (const char *)sqlite3_column_text(q, 1);
        const char *n = (const char *)sqlite3_column_text(q, 2);
        int r2 = strcmp(kind, "ward") == 0 ? dc_catalog_add_map(c, o, n, err)
                                           : dc_catalog_add_province_map(c, o, n, err);
        if (r2 < 0) {
            sqlite3_finalize(q);
            return -1;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "read unit_map", err);
    return 0;
}

int
dc_refdata_catalog(struct dc_db *db, struct dc_catalog **out, int *builtin, struct dc_error *err)
{
    struct dc_catalog *c = dc_catalog_new();
    long units = 0;

    *out = NULL;
    *builtin = 0;
    if (!c)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (db && add_units(db, c, &units, err) < 0)
        goto fail;
    if (units == 0) {
        *builtin = 1;
        if (dc_catalog_builtin_provinces(c, err) < 0)
            goto fail;
    } else if (add_maps(db, c, err) < 0) {
        goto fail;
    }
    if (dc_catalog_finish(c, err) < 0)
        goto fail;
    *out = c;
    return 0;
fail:
    dc_catalog_free(c);
    return -1;
}
