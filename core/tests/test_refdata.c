/*
 * test_refdata.c - unit tests for core/refdata.c: each catalogue layout of
 * schemas/refdata.md recognised by its header, bad code digit counts (GSO
 * codes: province 2, district 3, ward 5 digits) refused with file, line and
 * field, reloading a kind replaces it, and the address catalogue built back
 * from the DB (built-in provinces when the DB holds no units).
 * Not for: address matching (test_address.c).  Data is hand-written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "db.h"
#include "error.h"
#include "csvio.h"
#include "refdata.h"
#include "tap.h"

static char dir[] = "/tmp/dc_test_refdata_XXXXXX";
static struct dc_db *db;
static const char *const now = "2026-01-01T00:00:00Z";

static const char *
put(const char *name, const char *text)
{
    static char p[8][256];
    static int slot;
    char *path = p[slot++ % 8];
    FILE *f;

    snprintf(path, 256, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
    return path;
}

static int
load(const char *path, struct dc_refdata_file_summary *s, struct dc_error *err)
{
    if (dc_db_begin(db, err) < 0)
        return -1;
    if (dc_refdata_load_file(db, path, NULL, now, s, err) < 0) {
        dc_db_rollback(db);
        return -1;
    }
    return dc_db_commit(db, err);
}

static void
test_catalog_builtin_when_empty(void)
{
    struct dc_catalog *c = NULL;
    struct dc_error err = DC_ERROR_INIT;
    int builtin = 0;

    CHECK_INT(dc_refdata_catalog(db, &c, &builtin, &err), 0);
    CHECK_INT(builtin, 1);
    /* 63 pre-2025 + 34 2025 provinces (Resolution 202/2025/QH15) */
    CHECK_INT(dc_catalog_count(c), 97);
    dc_catalog_free(c);
}

static void
test_each_kind_by_header(void)
{
    static const struct {
        const char *file, *text, *kind;
        long rows;
    } t[] = {
        {"provinces_pre2025.csv",
         "code,name,type\n01,Thành phố Hà Nội,Thành phố trung ương\n"
         "79,Thành phố Hồ Chí Minh,Thành phố trung ương\n",
         "provinces-pre2025", 2},
        {"districts.csv",
         "province_code,province_name,district_code,district_name,district_level\n"
         "01,Thành phố Hà Nội,001,Quận Ba Đình,Quận\n",
         "districts-pre2025", 1},
        {"wards_pre.csv",
         "province_code,province_name,district_code,district_name,ward_code,ward_name,"
         "ward_level\n01,Thành phố Hà Nội,001,Quận Ba Đình,00001,Phường Phúc Xá,Phường\n"
         "01,Thành phố Hà Nội,001,Quận Ba Đình,00004,Phường Trúc Bạch,Phường\n",
         "wards-pre2025", 2},
        {"wards_new.csv",
         "province_code,province_name,ward_code,ward_name,ward_level\n"
         "01,Thành phố Hà Nội,00004,Phường Ba Đình,Phường\n",
         "wards-2025", 1},
        {"wmap.csv", "old_ward_code,new_ward_code\n00001,00004\n00004,00004\n", "ward-map", 2},
        {"wmapd.csv",
         "old_ward_code,old_ward_name,old_district_code,old_province_code,new_ward_code,"
         "new_ward_name,new_province_code,note\n"
         "00001,Phường Phúc Xá,001,01,00004,Phường Ba Đình,01,\n"
         ",,,01,00004,Phường Ba Đình,01,no ward\n",
         "ward-map-detail", 2},
        {"pmap.csv",
         "old_province_code,old_province_name,new_province_code,new_province_name\n"
         "01,Thành phố Hà Nội,01,Thành phố Hà Nội\n",
         "province-map", 1},
        {"eth.csv",
         "code,name,name_qcvn109,code_1979,name_1979,other_names_1979\n"
         "01,Kinh,Kinh (Việt),01,Kinh,Việt\n",
         "ethnic", 1},
        {"rel.csv", "code,name,organizations,note\n01,Phật giáo,Phật giáo,\n", "religion", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_refdata_file_summary s;
        struct dc_error err = DC_ERROR_INIT;
        TAP_ROW("file %s", t[i].file);
        if (!CHECK_INT(load(put(t[i].file, t[i].text), &s, &err), 0))
            printf("#   %s\n", err.msg);
        CHECK_STR(s.kind, t[i].kind);
        CHECK_INT(s.rows, t[i].rows);
    }
    TAP_ROW_END();
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM unit WHERE era='pre2025' AND "
                          "level='ward'",
                          NULL),
              2);
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM unit WHERE code='00001' AND "
                          "district_code='001' AND province_code='01'",
                          NULL),
              1);
    /* ward-map and ward-map-detail replace each other: 8 kinds are loaded */
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM refdata_file", NULL), 8);
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM refdata_file WHERE origin = 'file' AND "
                          "dated IS NULL",
                          NULL),
              8);
}

static void
test_unknown_header(void)
{
    struct dc_refdata_file_summary s;
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(load(put("x.csv", "ma,ten\n01,x\n"), &s, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK_INT(err.line, 1);
}

static void
test_bad_code_digits(void)
{
    static const struct {
        const char *text, *field;
        long line;
    } t[] = {
        {"code,name,type\n01,A,Tỉnh\n1,B,Tỉnh\n", "code", 3},
        {"code,name,type\n001,A,Tỉnh\n", "code", 2},
        {"province_code,province_name,district_code,district_name,district_level\n"
         "01,A,01,B,Quận\n",
         "district_code", 2},
        {"province_code,province_name,ward_code,ward_name,ward_level\n01,A,0004,B,Phường\n",
         "ward_code", 2},
        {"old_ward_code,new_ward_code\n00001,00004\n0000a,00004\n", "old_ward_code", 3},
        {"code,name,organizations,note\n1,Phật giáo,,\n", "code", 2},
    };
    long before = dc_db_count(db, "SELECT count(*) FROM unit", NULL);

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_refdata_file_summary s;
        struct dc_error err = DC_ERROR_INIT;
        const char *p = put("provinces_2025_bad.csv", t[i].text);
        TAP_ROW("bad file %zu: \"%s\"", i, t[i].text);
        CHECK_INT(load(p, &s, &err), -1);
        CHECK_INT(err.status, DC_EX_DATAERR);
        CHECK_STR(err.path, p);
        CHECK_INT(err.line, t[i].line);
        CHECK_STR(err.field, t[i].field);
    }
    TAP_ROW_END();
    /* the failed loads rolled back: nothing half-loaded, nothing deleted */
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM unit", NULL), before);
}

static void
test_reload_replaces(void)
{
    struct dc_refdata_file_summary s;
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(load(put("eth.csv", "code,name,name_qcvn109,code_1979,name_1979,"
                                  "other_names_1979\n01,Kinh,Kinh,01,Kinh,\n02,Tày,Tày,02,Tày,\n"),
                   &s, &err),
              0);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM ethnic", NULL), 2);
    CHECK_INT(load(put("eth.csv", "code,name,name_qcvn109,code_1979,name_1979,"
                                  "other_names_1979\n03,Thái,Thái,03,Thái,\n"),
                   &s, &err),
              0);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM ethnic", NULL), 1);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM ethnic WHERE code='03'", NULL), 1);
    /* provinces of one era do not touch the other era */
    CHECK_INT(load(put("provinces_2025.csv", "code,name,type\n01,Thành phố Hà Nội,Thành phố\n"), &s,
                   &err),
              0);
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM unit WHERE era='pre2025' AND "
                          "level='province'",
                          NULL),
              2);
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM unit WHERE era='2025' AND "
                          "level='province'",
                          NULL),
              1);
}

static void
test_catalog_from_db(void)
{
    struct dc_catalog *c = NULL;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_addr a;
    int builtin = 1;

    CHECK_INT(dc_refdata_catalog(db, &c, &builtin, &err), 0);
    CHECK_INT(builtin, 0);
    /* pre2025: 2 provinces + 1 district + 2 wards; 2025: 1 province + 1 ward */
    CHECK_INT(dc_catalog_count(c), 7);
    CHECK_INT(dc_addr_match(c, "Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội", &a, &err), 0);
    CHECK_STR(a.ward_code, "00004");
    CHECK_STR(a.district_code, "001");
    CHECK_STR(a.province_code, "01");
    dc_catalog_free(c);
}

/* The shipped folder: sources.csv lists files in order with their dates;
 * what is loaded is recorded as origin 'shipped' under the file's own name. */
static void
test_load_dir_shipped(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char sub[300], path[400], found[4096];
    FILE *f;

    snprintf(sub, sizeof sub, "%s/shipped", dir);
    if (!CHECK_INT(mkdir(sub, 0700), 0))
        return;
    snprintf(path, sizeof path, "%s/sources.csv", sub);
    f = fopen(path, "w");
    fputs("file,dated,source\nprovinces_2025.csv,2026-02-21,NSO\neth.csv,,hand-written\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/provinces_2025.csv", sub);
    f = fopen(path, "w");
    fputs("code,name,type\n01,Thành phố Hà Nội,Thành phố trung ương\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/eth.csv", sub);
    f = fopen(path, "w");
    fputs("code,name,name_qcvn109,code_1979,name_1979,other_names_1979\n01,Kinh,Kinh,01,Kinh,\n",
          f);
    fclose(f);
    CHECK_INT(dc_db_begin(db, &err), 0);
    if (!CHECK_INT(dc_refdata_load_dir(db, sub, now, NULL, NULL, &err), 0))
        printf("#   %s\n", err.msg);
    CHECK_INT(dc_db_commit(db, &err), 0);
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM refdata_file WHERE origin = 'shipped' AND "
                          "kind = 'provinces-2025' AND file = 'provinces_2025.csv' AND "
                          "dated = '2026-02-21'",
                          NULL),
              1);
    CHECK_INT(dc_db_count(db,
                          "SELECT count(*) FROM refdata_file WHERE origin = 'shipped' AND "
                          "kind = 'ethnic' AND dated IS NULL",
                          NULL),
              1);
    /* DANCU_REFDATA names the folder; one without sources.csv is refused */
    setenv("DANCU_REFDATA", sub, 1);
    CHECK_INT(dc_refdata_shipped_dir(found, sizeof found, &err), 0);
    CHECK_STR(found, sub);
    setenv("DANCU_REFDATA", dir, 1);
    CHECK_INT(dc_refdata_shipped_dir(found, sizeof found, &err), -1);
    CHECK_INT(err.status, DC_EX_NOINPUT);
    /* a file name with a slash in sources.csv is not followed */
    snprintf(path, sizeof path, "%s/sources.csv", sub);
    f = fopen(path, "w");
    fputs("file,dated,source\n../x.csv,,\n", f);
    fclose(f);
    dc_error_clear(&err);
    CHECK_INT(dc_db_begin(db, &err), 0);
    CHECK_INT(dc_refdata_load_dir(db, sub, now, NULL, NULL, &err), -1);
    dc_db_rollback(db);
    CHECK(strstr(err.msg, "expected a file name") != NULL);
    /* its date is ISO and a day of the calendar: 30 February is refused, so is dd/mm/yyyy */
    static const char *const bad_dated[] = {"2025-02-30", "18/07/2025", "2025-7-18"};
    for (size_t i = 0; i < sizeof bad_dated / sizeof bad_dated[0]; i++) {
        TAP_ROW("dated \"%s\"", bad_dated[i]);
        f = fopen(path, "w");
        fprintf(f, "file,dated,source\nprovinces_2025.csv,%s,NSO\n", bad_dated[i]);
        fclose(f);
        dc_error_clear(&err);
        CHECK_INT(dc_db_begin(db, &err), 0);
        CHECK_INT(dc_refdata_load_dir(db, sub, now, NULL, NULL, &err), -1);
        dc_db_rollback(db);
        CHECK_INT(err.status, DC_EX_DATAERR);
        CHECK_INT(err.line, 2);
        CHECK_STR(err.field, "dated");
    }
    TAP_ROW_END();
    unsetenv("DANCU_REFDATA");
    unlink(path);
    snprintf(path, sizeof path, "%s/provinces_2025.csv", sub);
    unlink(path);
    snprintf(path, sizeof path, "%s/eth.csv", sub);
    unlink(path);
    rmdir(sub);
}

struct told {
    int files, shipped, counts;
    long long last_count;
    char first_count[32], last_kind[24];
};

static void
told_file(void *ud, const char *file, const struct dc_refdata_file_summary *s, int shipped)
{
    struct told *t = ud;

    (void)file;
    t->files++;
    t->shipped += shipped;
    snprintf(t->last_kind, sizeof t->last_kind, "%s", s->kind);
}

static void
told_count(void *ud, const char *what, long long n)
{
    struct told *t = ud;

    if (t->counts++ == 0)
        snprintf(t->first_count, sizeof t->first_count, "%s", what);
    t->last_count = n;
}

static void
told_row(void *ud, const struct dc_refdata_file_row *f)
{
    struct told *t = ud;

    t->files++;
    if (f->dated == NULL && strcmp(f->origin, "file") == 0 && f->rows >= 0)
        t->shipped++; /* here: files loaded by name, without a date */
}

/* dc_refdata_load holds one transaction: a bad second file loads nothing of the
 * first (which it had already read and told of); a good list commits. */
static void
test_load_one_transaction(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct told t = {0};
    const char *files[2];
    long long rel, loaded;

    rel = dc_db_count(db, "SELECT count(*) FROM religion", NULL);
    loaded = dc_db_count(db, "SELECT count(*) FROM refdata_file", NULL);
    files[0] = put("rel2.csv", "code,name,organizations,note\n01,Phật giáo,,\n02,Công giáo,,\n"
                               "03,Tin lành,,\n");
    files[1] = put("x.csv", "a,b\n1,2\n");
    CHECK_INT(dc_refdata_load(db, NULL, files, 2, NULL, now, told_file, &t, &err), -1);
    CHECK(err.path && strstr(err.path, "x.csv") != NULL);
    CHECK_INT(t.files, 1);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM religion", NULL), rel);
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM refdata_file", NULL), loaded);
    dc_error_clear(&err);
    memset(&t, 0, sizeof t);
    if (!CHECK_INT(dc_refdata_load(db, NULL, files, 1, NULL, now, told_file, &t, &err), 0))
        printf("#   %s\n", err.msg);
    CHECK_INT(t.files, 1);
    CHECK_INT(t.shipped, 0);
    CHECK_STR(t.last_kind, "religion");
    CHECK_INT(dc_db_count(db, "SELECT count(*) FROM religion", NULL), 3);
    /* status: nine counts, religions last; one row a loaded file */
    memset(&t, 0, sizeof t);
    CHECK_INT(dc_refdata_status(db, told_count, told_row, &t, &err), 0);
    CHECK_INT(t.counts, 9);
    CHECK_STR(t.first_count, "provinces before 2025");
    CHECK_INT(t.last_count, 3);
    CHECK_INT(t.files, dc_db_count(db, "SELECT count(*) FROM refdata_file", NULL));
    CHECK_INT(t.shipped, dc_db_count(db,
                                     "SELECT count(*) FROM refdata_file WHERE origin = "
                                     "'file' AND dated IS NULL",
                                     NULL));
}

/* The one reader of catalogue files: the kind by the header, the rows, a ragged row an
 * error at its line, an unknown header an error. */
static void
test_reader_kind_rows_and_errors(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_refdata_reader *r = NULL;
    const struct dc_csv_row *row;
    char sha[65];
    int rc, n = 0;

    CHECK_INT(dc_refdata_open(put("rd_prov.csv", "code,name,type\n01,Thành phố Hà Nội,Thành "
                                                 "phố\n02,Tỉnh Hà Giang,Tỉnh\n"),
                              &r, &err),
              0);
    CHECK_STR(r ? dc_refdata_kind(r) : "", "provinces");
    while (r && (rc = dc_refdata_next(r, &row, &err)) == 1) {
        n++;
        CHECK_INT(row->nfields, 3);
    }
    CHECK_INT(n, 2);
    CHECK_INT(r ? dc_refdata_sha256(r, sha) : -1, 0);
    dc_refdata_close(r);

    CHECK_INT(dc_refdata_open(put("rd_map.csv", "old_ward_code,new_ward_code\n00001,00097\n"
                                                "00002\n"),
                              &r, &err),
              0);
    CHECK_STR(r ? dc_refdata_kind(r) : "", "ward-map");
    CHECK_INT(r ? dc_refdata_next(r, &row, &err) : 0, 1);
    CHECK_INT(r ? dc_refdata_next(r, &row, &err) : 0, -1); /* ragged */
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK_INT(err.line, 3);
    CHECK(strstr(err.msg, "ragged") != NULL);
    dc_refdata_close(r);
    dc_error_clear(&err);

    CHECK_INT(dc_refdata_open(put("rd_x.csv", "ma,ten\n01,x\n"), &r, &err), -1);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, "unknown header") != NULL);
    dc_error_clear(&err);
    dc_refdata_close(NULL);
}

/* The address catalogue of a folder reads through the same reader: a file of the wrong
 * kind is refused, named in the message (its path was the loader's own buffer). */
static void
test_catalog_dir_wrong_kind(void)
{
    static const char *const names[] = {"provinces_pre2025.csv",    "districts_pre2025.csv",
                                        "admin_units_pre2025.csv",  "provinces_2025.csv",
                                        "admin_units_2025.csv",     "ward_mapping_2025.csv",
                                        "province_mapping_2025.csv"};
    char sub[300], path[400];
    struct dc_error err = DC_ERROR_INIT;
    struct dc_catalog *c = dc_catalog_new();

    snprintf(sub, sizeof sub, "%s/catdir", dir);
    CHECK_INT(mkdir(sub, 0700), 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        FILE *f = fopen(path, "w");
        /* every file a provinces file: the districts one is of the wrong kind */
        CHECK(f && fputs("code,name,type\n01,Thành phố Hà Nội,Thành phố\n", f) >= 0 &&
              fclose(f) == 0);
    }
    CHECK_INT(dc_catalog_load_dir(c, sub, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(err.path == NULL);
    CHECK_STR(err.msg, "districts_pre2025.csv:1: unexpected header (not districts-pre2025)");
    dc_catalog_free(c);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        unlink(path);
    }
    rmdir(sub);
}

/* the one code check of the catalogue (refdata load and the address catalogue) */
static void
test_is_code(void)
{
    CHECK(dc_refdata_is_code("01", 2, 0));
    CHECK(dc_refdata_is_code("00004", 5, 0));
    CHECK(!dc_refdata_is_code("1", 2, 0)); /* a lost leading zero is no code */
    CHECK(!dc_refdata_is_code("0a", 2, 0));
    CHECK(!dc_refdata_is_code("001", 2, 0));
    CHECK(dc_refdata_is_code("", 5, 1));
    CHECK(!dc_refdata_is_code("", 5, 0));
    CHECK(!dc_refdata_is_code(NULL, 2, 1));
    CHECK(!dc_refdata_is_code("\xd9\xa0", 2, 0)); /* U+0660 ARABIC-INDIC DIGIT ZERO */
}

int
main(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char p[256];
    const char *const files[] = {"f.db",
                                 "f.db-wal",
                                 "f.db-shm",
                                 "f.db.lock",
                                 "provinces_pre2025.csv",
                                 "districts.csv",
                                 "wards_pre.csv",
                                 "wards_new.csv",
                                 "wmap.csv",
                                 "wmapd.csv",
                                 "pmap.csv",
                                 "eth.csv",
                                 "rel.csv",
                                 "x.csv",
                                 "provinces_2025_bad.csv",
                                 "provinces_2025.csv",
                                 "rel2.csv",
                                 "rd_prov.csv",
                                 "rd_map.csv",
                                 "rd_x.csv"};

    if (!mkdtemp(dir)) {
        printf("1..0 # SKIP cannot create a temp dir\n");
        return 0;
    }
    snprintf(p, sizeof p, "%s/f.db", dir);
    if (dc_db_open(p, DC_DB_CREATE, &db, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    RUN(test_catalog_builtin_when_empty);
    RUN(test_each_kind_by_header);
    RUN(test_unknown_header);
    RUN(test_bad_code_digits);
    RUN(test_reload_replaces);
    RUN(test_catalog_from_db);
    RUN(test_load_dir_shipped);
    RUN(test_load_one_transaction);
    RUN(test_reader_kind_rows_and_errors);
    RUN(test_catalog_dir_wrong_kind);
    RUN(test_is_code);
    dc_db_close(db, NULL);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return tap_done();
}
