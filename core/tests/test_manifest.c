/*
 * test_manifest.c - unit tests of manifest.c: SHA-256 and size against known digests
 * (FIPS 180-2's "abc", others from Python's hashlib), rows counted per format and through
 * gzip, the build -> parse round trip, and --verify catching each kind of tampering.
 * test_export.c checks the manifest of a real export; this file the module on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "db.h"
#include "export.h"
#include "manifest.h"
#include "tap.h"

static char dir[] = "/tmp/dc_test_manifest_XXXXXX";
static struct dc_db *db;

/* A CSV export as written: a quoted field with a line break, so 4 lines for 2 rows. */
static const char csv[] = "id,name\n1,\"a\nb\"\n2,c\n";
static const char csv_sha[] = "2b77a4ce59dae1f9a8e05e16867fc17fb92013692a45be51ca0539e0d26b82c7";

static const char *
in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

static int
write_file(const char *path, const char *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    int ok = fp && fwrite(data, 1, n, fp) == n;

    if (fp && fclose(fp) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static int
write_gz(const char *path, const char *data, size_t n)
{
    gzFile gz = gzopen(path, "wb");

    if (!gz)
        return -1;
    if (gzwrite(gz, data, (unsigned)n) != (int)n) {
        gzclose(gz);
        return -1;
    }
    return gzclose(gz) == Z_OK ? 0 : -1;
}

static void
test_sha256_known_digests(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char path[300], hex[65];
    long long bytes = -1;

    in_dir(path, sizeof path, "abc");
    CHECK_INT(write_file(path, "abc", 3), 0);
    CHECK_INT(dc_manifest_sha256_file(path, hex, &bytes, &err), 0);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT(bytes, 3);
    in_dir(path, sizeof path, "t.csv");
    CHECK_INT(write_file(path, csv, sizeof csv - 1), 0);
    CHECK_INT(dc_manifest_sha256_file(path, hex, &bytes, &err), 0);
    CHECK_STR(hex, csv_sha);
    CHECK_INT(bytes, (long long)sizeof csv - 1);
    in_dir(path, sizeof path, "missing");
    CHECK_INT(dc_manifest_sha256_file(path, hex, &bytes, &err), -1);
    CHECK_INT(err.status, DC_EX_NOINPUT);
}

struct rows_case {
    const char *text;
    enum dc_export_format format;
    long long rows;
};

/* Rows as each format writes them: CSV records minus the header (a line break inside
 * quotes is no record), JSONL and COPY lines, SQL INSERT statements; plain and gzip'd. */
static void
test_count_rows_each_format(void)
{
    static const struct rows_case t[] = {
        {csv, DC_EXPORT_CSV, 2},
        {"id\n", DC_EXPORT_CSV, 0},
        {"", DC_EXPORT_CSV, 0},
        {"h\na,\"\"\"\n\"\"\"\n", DC_EXPORT_CSV, 1}, /* "" is a quote inside quotes */
        {"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n", DC_EXPORT_JSONL, 3},
        {"1\tx\\ny\n2\tz\n", DC_EXPORT_PGCOPY, 2},
        {"BEGIN;\nINSERT INTO t VALUES ('x');\nINSERT INTO t VALUES ('a\nINSERT INTO b');\n"
         "COMMIT;\n",
         DC_EXPORT_SQL, 2},
        {"PK\003\004 a zip\n\n\n", DC_EXPORT_XLSX, 0}, /* rows are inside the zip */
    };
    struct dc_error err = DC_ERROR_INIT;
    char path[300], gz[300];

    in_dir(path, sizeof path, "rows");
    in_dir(gz, sizeof gz, "rows.gz");
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        long long rows = -1, gzrows = -1;

        TAP_ROW("row %zu: format %s", i, dc_export_format_name(t[i].format));
        CHECK_INT(write_file(path, t[i].text, strlen(t[i].text)), 0);
        CHECK_INT(dc_manifest_count_rows(path, t[i].format, 0, &rows, &err), 0);
        CHECK_INT(rows, t[i].rows);
        CHECK_INT(write_gz(gz, t[i].text, strlen(t[i].text)), 0);
        CHECK_INT(dc_manifest_count_rows(gz, t[i].format, 1, &gzrows, &err), 0);
        CHECK_INT(gzrows, t[i].rows);
    }
    TAP_ROW_END();
}

/* A gzip file cut short is an error, never a smaller count. */
static void
test_count_rows_truncated_gzip(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char path[300], big[4096];
    long long rows = -1;
    FILE *fp;
    long n;
    char *data;

    for (size_t i = 0; i < sizeof big; i++)
        big[i] = i % 64 == 63 ? '\n' : (char)('a' + (i * 7919) % 26);
    in_dir(path, sizeof path, "cut.gz");
    CHECK_INT(write_gz(path, big, sizeof big), 0);
    fp = fopen(path, "rb");
    if (!CHECK(fp != NULL))
        return;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    data = malloc((size_t)n);
    CHECK(data && fread(data, 1, (size_t)n, fp) == (size_t)n);
    fclose(fp);
    CHECK_INT(write_file(path, data, (size_t)n / 2), 0);
    CHECK_INT(dc_manifest_count_rows(path, DC_EXPORT_JSONL, 1, &rows, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    free(data);
}

/* build -> parse gives back what verify needs; the batches, the options and the key's
 * id are in the text; a file name with a quote and a backslash survives the escapes. */
static void
test_build_parse_round_trip(void)
{
    static const unsigned char key[] = "0123456789abcdef";
    struct dc_export_opts o = {.what = DC_EXPORT_FINDINGS,
                               .format = DC_EXPORT_JSONL,
                               .gzip = 1,
                               .key = key,
                               .key_len = 16};
    struct dc_manifest_info mi = {.version = "1.2.3",
                                  .command = "dancu export s.db",
                                  .created = "2026-01-02T03:04:05Z",
                                  .file = "/some/where/f\"i\\le.jsonl.gz",
                                  .schema_file = "/x/f.schema.sql",
                                  .opts = &o,
                                  .rows = 12,
                                  .bytes = 3456};
    struct dc_error err = DC_ERROR_INIT;
    static const char head[] =
        "{\n  \"manifest\": 1,\n  \"tool\": \"dancu\",\n  \"version\": \"1.2.3\",\n";
    struct dc_manifest_check mc;
    char *json;

    memcpy(mi.sha256, csv_sha, 65);
    json = dc_manifest_build(db, &mi, &err);
    if (!CHECK(json != NULL))
        return;
    CHECK(strncmp(json, head, sizeof head - 1) == 0);
    CHECK(strstr(json, "\"what\": \"findings\",\n  \"format\": \"jsonl\",\n") != NULL);
    CHECK(strstr(json, "\"gzip\": true,\n  \"excel\": false,\n  \"survivors\": false,\n") != NULL);
    CHECK(strstr(json, "\"pseudonymized\": true,\n  \"key_id\": \"9f9f5111f7b27a78\",\n") != NULL);
    CHECK(strstr(json, "\"file\": \"f\\\"i\\\\le.jsonl.gz\",\n") != NULL);
    CHECK(strstr(json, "\"schema_file\": \"f.schema.sql\",\n") != NULL);
    CHECK(strstr(json, "\"batches\": [\n    {\"id\": 1, \"stage\": \"import\"},\n"
                       "    {\"id\": 7, \"stage\": \"dedup\"}\n  ]\n}\n") != NULL);
    CHECK(strstr(json, "0123456789abcdef") == NULL); /* the key itself never */
    CHECK_INT(dc_manifest_parse(json, strlen(json), &mc, &err), 0);
    CHECK_STR(mc.file, "f\"i\\le.jsonl.gz");
    CHECK_STR(mc.format, "jsonl");
    CHECK_STR(mc.sha256, csv_sha);
    CHECK_INT(mc.bytes, 3456);
    CHECK_INT(mc.rows, 12);
    CHECK_INT(mc.gzip, 1);
    free(json);
}

/* What parse refuses: each line of a good manifest spoiled in turn. */
static void
test_parse_refuses(void)
{
    static const char *const bad[] = {
        /* a key missing (rows) */
        "{\n  \"manifest\": 1,\n  \"file\": \"f\",\n  \"format\": \"csv\",\n  \"sha256\": "
        "\"%s\",\n  \"bytes\": 1,\n  \"gzip\": false\n}\n",
        /* another manifest version */
        "{\n  \"manifest\": 2,\n  \"file\": \"f\",\n  \"format\": \"csv\",\n  \"sha256\": "
        "\"%s\",\n  \"bytes\": 1,\n  \"rows\": 1,\n  \"gzip\": false\n}\n",
        /* a digest in upper case */
        "{\n  \"manifest\": 1,\n  \"file\": \"f\",\n  \"format\": \"csv\",\n  \"sha256\": "
        "\"%s\",\n  \"bytes\": 1,\n  \"rows\": 1,\n  \"gzip\": false\n}\n",
        /* a negative size */
        "{\n  \"manifest\": 1,\n  \"file\": \"f\",\n  \"format\": \"csv\",\n  \"sha256\": "
        "\"%s\",\n  \"bytes\": -1,\n  \"rows\": 1,\n  \"gzip\": false\n}\n",
        /* an escape dc_json_str never writes for a file name */
        "{\n  \"manifest\": 1,\n  \"file\": \"f\\n\",\n  \"format\": \"csv\",\n  \"sha256\": "
        "\"%s\",\n  \"bytes\": 1,\n  \"rows\": 1,\n  \"gzip\": false\n}\n",
        /* a number too large for 64 bits */
        "{\n  \"manifest\": 1,\n  \"file\": \"f\",\n  \"format\": \"csv\",\n  \"sha256\": "
        "\"%s\",\n  \"bytes\": 99999999999999999999,\n  \"rows\": 1,\n  \"gzip\": false\n}\n",
    };
    struct dc_error err = DC_ERROR_INIT;
    struct dc_manifest_check mc;
    char text[600], upper[65];

    for (int i = 0; i < 64; i++)
        upper[i] = csv_sha[i] >= 'a' ? (char)(csv_sha[i] - 'a' + 'A') : csv_sha[i];
    upper[64] = '\0';
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TAP_ROW("spoiled manifest %zu", i);
        snprintf(text, sizeof text, bad[i], i == 2 ? upper : csv_sha);
        dc_error_clear(&err);
        CHECK_INT(dc_manifest_parse(text, strlen(text), &mc, &err), -1);
        CHECK_INT(err.status, DC_EX_DATAERR);
    }
    TAP_ROW_END();
    /* and the same text unspoiled passes */
    snprintf(text, sizeof text, bad[1], csv_sha);
    strstr(text, "\"manifest\": 2")[12] = '1';
    CHECK_INT(dc_manifest_parse(text, strlen(text), &mc, &err), 0);
}

/* --verify: the file as its manifest says passes; a changed byte, a cut, a manifest
 * whose row count was edited, and a missing manifest each fail, naming what differs. */
static void
test_verify_catches_tampering(void)
{
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS, .format = DC_EXPORT_CSV};
    struct dc_manifest_info mi = {.version = "1", .command = "c", .created = "t", .opts = &o};
    struct dc_error err = DC_ERROR_INIT;
    char path[300], mpath[320], tampered[sizeof csv];
    char *json, *edited;

    in_dir(path, sizeof path, "v.csv");
    snprintf(mpath, sizeof mpath, "%s.manifest.json", path);
    mi.file = path;
    CHECK_INT(write_file(path, csv, sizeof csv - 1), 0);
    CHECK_INT(dc_manifest_verify(path, &err), -1); /* no manifest yet */
    CHECK_INT(err.status, DC_EX_NOINPUT);
    dc_error_clear(&err);
    CHECK_INT(dc_manifest_sha256_file(path, mi.sha256, &mi.bytes, &err), 0);
    CHECK_INT(dc_manifest_count_rows(path, DC_EXPORT_CSV, 0, &mi.rows, &err), 0);
    json = dc_manifest_build(db, &mi, &err);
    if (!CHECK(json != NULL))
        return;
    CHECK_INT(write_file(mpath, json, strlen(json)), 0);
    CHECK_INT(dc_manifest_verify(path, &err), 0);

    memcpy(tampered, csv, sizeof csv);
    tampered[8] = '7'; /* "1," -> "7,": same size */
    CHECK_INT(write_file(path, tampered, sizeof csv - 1), 0);
    CHECK_INT(dc_manifest_verify(path, &err), -1);
    CHECK(strstr(err.msg, "SHA-256 differs") != NULL);
    dc_error_clear(&err);

    CHECK_INT(write_file(path, csv, sizeof csv - 2), 0); /* the last line break cut */
    CHECK_INT(dc_manifest_verify(path, &err), -1);
    CHECK(strstr(err.msg, "size differs") != NULL);
    dc_error_clear(&err);

    /* the file intact, its manifest's row count edited: the digest agrees, the count not */
    CHECK_INT(write_file(path, csv, sizeof csv - 1), 0);
    edited = strdup(json);
    char *r = edited ? strstr(edited, "\"rows\": 2,") : NULL;
    if (CHECK(r != NULL)) {
        r[8] = '3';
        CHECK_INT(write_file(mpath, edited, strlen(edited)), 0);
        CHECK_INT(dc_manifest_verify(path, &err), -1);
        CHECK(strstr(err.msg, "row count differs: the manifest says 3, the file has 2") != NULL);
        dc_error_clear(&err);
    }
    free(edited);

    /* a manifest naming a format dancu does not write */
    edited = strdup(json);
    r = edited ? strstr(edited, "\"format\": \"csv\"") : NULL;
    if (CHECK(r != NULL)) {
        r[11] = r[12] = r[13] = 'x'; /* "xxx": memcpy trips a false -Warray-bounds */
        CHECK_INT(write_file(mpath, edited, strlen(edited)), 0);
        CHECK_INT(dc_manifest_verify(path, &err), -1);
        CHECK(strstr(err.msg, "unknown format") != NULL);
        dc_error_clear(&err);
    }
    free(edited);
    free(json);
}

int
main(void)
{
    static const char *const files[] = {
        "abc",  "t.csv",    "rows",    "rows.gz", "cut.gz", "v.csv", "v.csv.manifest.json",
        "m.db", "m.db-wal", "m.db-shm"};
    struct dc_error err = DC_ERROR_INIT;
    char path[300];

    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    in_dir(path, sizeof path, "m.db");
    if (dc_db_open(path, DC_DB_CREATE, &db, &err) < 0 ||
        dc_db_exec(db,
                   "INSERT INTO batch(id, stage, source, rows_read, rows_ok, rows_rejected, "
                   "started) VALUES (1, 'import', 's', 0, 0, 0, 't0'), "
                   "(7, 'dedup', NULL, 0, 0, 0, 't1')",
                   &err) < 0) {
        printf("Bail out! setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_sha256_known_digests);
    RUN(test_count_rows_each_format);
    RUN(test_count_rows_truncated_gzip);
    RUN(test_build_parse_round_trip);
    RUN(test_parse_refuses);
    RUN(test_verify_catches_tampering);
    dc_db_close(db, NULL);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(in_dir(path, sizeof path, files[i]));
    rmdir(dir);
    return tap_done();
}
