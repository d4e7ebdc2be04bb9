/*
 * test_import.c - unit tests for core/import/ on temp files: counts (read =
 * imported + rejected), column_map rows, the extra JSON of unmapped and
 * duplicate columns, duplicate-file detection and --force, gzip input, a
 * corrupt gzip leaving the DB unchanged (README "Cron": status 65, nothing
 * committed), the default source name, and the two-thread pipeline: rows across
 * its batches and multi-row INSERTs in order, a reader error and a writer error
 * mid-file each leaving nothing behind.
 * Not for: CSV dialects and encodings (test_csvio.c, test_encoding.c).
 * All data is hand-written and synthetic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "db.h"
#include "error.h"
#include "import.h"
#include "tap.h"
#include "util/relay.h"

static char dir[] = "/tmp/dc_test_import_XXXXXX";
static struct dc_db *db;

static const char basic_csv[] = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Ghi chú,HO_TEN\n"
                                "NGUYEN VAN AN,01/02/1990,Nam,001090000001,hộ nghèo,Nguyễn Văn An\n"
                                "Trần Thị Bình,1985,Nữ,,,\n"
                                "Lê \"Văn\" Cường,03/1970,Nam\n" /* ragged: 3 fields */
                                "Phạm Thị Dung,,Nữ,079185000002,,\n";

static const char *
tmp_path(const char *name)
{
    static char p[4][256];
    static int slot;
    char *s = p[slot++ % 4];

    snprintf(s, 256, "%s/%s", dir, name);
    return s;
}

static const char *
put(const char *name, const char *data, size_t len)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");

    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
    return p;
}

static long long
count(const char *sql)
{
    return dc_db_count(db, sql, NULL);
}

static char *
one_text(const char *sql)
{
    sqlite3_stmt *q = NULL;
    char *out = NULL;

    if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        out = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return out;
}

static struct dc_import_opts
opts(void)
{
    struct dc_import_opts o;

    memset(&o, 0, sizeof o);
    o.now_iso = "2026-11-26T00:00:00Z";
    return o;
}

static void
test_source_name_default(void)
{
    char out[64];

    dc_import_source_name("a/b/x.csv.gz", out, sizeof out);
    CHECK_STR(out, "x");
    dc_import_source_name("ho_khau_xa.CSV", out, sizeof out);
    CHECK_STR(out, "ho_khau_xa");
    dc_import_source_name("dir.v2/data", out, sizeof out);
    CHECK_STR(out, "data");
    dc_import_source_name("-", out, sizeof out);
    CHECK_STR(out, "stdin");
}

/* issue 19: names were cut at 127 bytes, inside a UTF-8 sequence */
static void
test_source_name_whole_never_cut(void)
{
    char out[DC_IMPORT_SOURCE_MAX + 1], small[8], path[300];

    memset(path, 'a', 250);
    strcpy(path + 250, "\xe1\xbb\x87.csv"); /* ...aaaệ.csv: 253 bytes of name */
    CHECK(dc_import_source_name(path, out, sizeof out) == 0);
    CHECK(strlen(out) == 253 && strcmp(out + 250, "\xe1\xbb\x87") == 0);
    CHECK(dc_import_source_name("abcdefgh.csv", small, sizeof small) == -1);
    /* not UTF-8, or a control character: written as text, never raw */
    CHECK(dc_import_source_name("d/x\xff\ny\x1b[2J.csv", out, sizeof out) == 0);
    CHECK_STR(out, "x\\xFF\\x0Ay\\x1B[2J");
    CHECK(dc_import_source_check("Xã Phú Minh") == NULL);
    CHECK(dc_import_source_check("a\nb") != NULL);
    CHECK(dc_import_source_check("a\xe1\xbb") != NULL);
    CHECK(dc_import_source_check("") != NULL);
    memset(out, 'x', DC_IMPORT_SOURCE_MAX);
    out[DC_IMPORT_SOURCE_MAX] = '\0';
    CHECK(dc_import_source_check(out) == NULL);
    CHECK(dc_import_source_check(path) == NULL);
}

static void
test_counts_colmap_extra(void)
{
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    const char *p = put("basic.csv", basic_csv, sizeof basic_csv - 1);
    char *t;

    if (!CHECK_INT(dc_import_file(db, p, &o, &s, &err), 0))
        printf("#   %s\n", err.msg);
    CHECK_INT(s.rows_read, 4);
    CHECK_INT(s.imported, 3);
    CHECK_INT(s.rejected, 1);
    CHECK_INT(s.rows_read, s.imported + s.rejected);
    CHECK(s.batch_id > 0);
    CHECK_INT(s.duplicate_of, 0);
    CHECK_STR(s.source, "basic");
    CHECK_INT(s.delimiter, ',');
    CHECK_INT(s.ncols, 6);
    CHECK_INT(strlen(s.sha256), 64);
    CHECK_INT(count("SELECT count(*) FROM src_row"), 3);
    CHECK_INT(count("SELECT count(*) FROM reject WHERE src_row = 3 AND src_line = 4"), 1);
    CHECK_INT(count("SELECT count(*) FROM batch WHERE stage='import' AND rows_read=4 AND "
                    "rows_ok=3 AND rows_rejected=1 AND source='basic'"),
              1);
    CHECK_INT(count("SELECT count(*) FROM column_map"), 6);
    CHECK_INT(count("SELECT count(*) FROM column_map WHERE position=1 AND "
                    "header='Họ và tên' AND field='full_name' AND how='alias'"),
              1);
    CHECK_INT(count("SELECT count(*) FROM column_map WHERE position=4 AND field='id_number'"), 1);
    CHECK_INT(count("SELECT count(*) FROM column_map WHERE position=5 AND field IS NULL AND "
                    "how='unknown'"),
              1);
    CHECK_INT(count("SELECT count(*) FROM column_map WHERE position=6 AND field IS NULL AND "
                    "how='duplicate'"),
              1);
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE src_row=1 AND src_line=2 AND "
                    "full_name='NGUYEN VAN AN' AND dob='01/02/1990' AND sex='Nam' AND "
                    "id_number='001090000001'"),
              1);
    t = one_text("SELECT extra FROM src_row WHERE src_row=1");
    CHECK_STR(t, "{\"Ghi chú\": \"hộ nghèo\", \"HO_TEN\": \"Nguyễn Văn An\"}");
    free(t);
    /* empty unmapped values add nothing; an empty mapped value is NULL */
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE src_row=2 AND extra IS NULL AND "
                    "id_number IS NULL AND dob='1985'"),
              1);
    dc_import_summary_release(&s);
    dc_import_summary_release(&s);
}

static void
test_duplicate_file_and_force(void)
{
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    /* same bytes, other name */
    const char *p = put("again.csv", basic_csv, sizeof basic_csv - 1);
    long long b = count("SELECT count(*) FROM batch"), r = count("SELECT count(*) FROM src_row");
    long long first = count("SELECT min(id) FROM batch WHERE stage='import'");

    CHECK_INT(dc_import_file(db, p, &o, &s, &err), 0);
    CHECK_INT(s.duplicate_of, first);
    CHECK_INT(s.batch_id, 0);
    CHECK_INT(count("SELECT count(*) FROM batch"), b);
    CHECK_INT(count("SELECT count(*) FROM src_row"), r);
    CHECK_INT(count("SELECT count(*) FROM column_map"), 6);
    dc_import_summary_release(&s);

    o.force = 1;
    CHECK_INT(dc_import_file(db, p, &o, &s, &err), 0);
    CHECK_INT(s.duplicate_of, 0);
    CHECK(s.batch_id > first);
    CHECK_INT(count("SELECT count(*) FROM batch"), b + 1);
    CHECK_INT(count("SELECT count(*) FROM src_row"), r + 3);
    CHECK_INT(count("SELECT count(*) FROM reject"), 2);
    dc_import_summary_release(&s);
}

static size_t
gzip_buf(const char *in, size_t n, unsigned char *out, size_t cap)
{
    z_stream z;
    size_t len;

    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    z.next_in = (unsigned char *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    len = z.total_out;
    deflateEnd(&z);
    return len;
}

static void
test_gzip_file(void)
{
    static const char csv[] = "HO_TEN;NGAY_SINH\nĐỗ Văn Em;1999\nVũ Thị Gấm;2001\n";
    unsigned char gz[512];
    size_t n = gzip_buf(csv, sizeof csv - 1, gz, sizeof gz);
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    const char *p = put("xa.csv.gz", (const char *)gz, n);

    if (!CHECK_INT(dc_import_file(db, p, &o, &s, &err), 0))
        printf("#   %s\n", err.msg);
    CHECK_STR(s.source, "xa");
    CHECK_INT(s.delimiter, ';');
    CHECK_INT(s.imported, 2);
    CHECK_INT(s.rejected, 0);
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE full_name='Vũ Thị Gấm' AND "
                    "dob='2001'"),
              1);
    dc_import_summary_release(&s);
}

static void
test_corrupt_gzip_changes_nothing(void)
{
    char csv[4096];
    unsigned char gz[8192];
    size_t n, o2 = 0;
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    long long b = count("SELECT count(*) FROM batch"), r = count("SELECT count(*) FROM src_row"),
              j = count("SELECT count(*) FROM reject"),
              c = count("SELECT count(*) FROM column_map");
    const char *p;

    o2 += (size_t)snprintf(csv, sizeof csv, "HO_TEN,NGAY_SINH\n");
    for (int i = 0; i < 100; i++)
        o2 += (size_t)snprintf(csv + o2, sizeof csv - o2, "Người Số %d,%d\n", i, 1900 + i);
    n = gzip_buf(csv, o2, gz, sizeof gz);
    /* cut the stream in its second half: rows decode, then the file fails */
    p = put("cut.csv.gz", (const char *)gz, n * 2 / 3);
    CHECK_INT(dc_import_file(db, p, &o, &s, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK_INT(s.batch_id, 0);
    dc_import_summary_release(&s);
    CHECK_INT(count("SELECT count(*) FROM batch"), b);
    CHECK_INT(count("SELECT count(*) FROM src_row"), r);
    CHECK_INT(count("SELECT count(*) FROM reject"), j);
    CHECK_INT(count("SELECT count(*) FROM column_map"), c);

    /* a flipped byte in the deflate data (CRC mismatch or bad code) */
    gz[n / 2] ^= 0x55;
    err = (struct dc_error)DC_ERROR_INIT;
    p = put("flip.csv.gz", (const char *)gz, n);
    CHECK_INT(dc_import_file(db, p, &o, &s, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    dc_import_summary_release(&s);
    CHECK_INT(count("SELECT count(*) FROM batch"), b);
    CHECK_INT(count("SELECT count(*) FROM src_row"), r);
}

/* Write n data rows: "Nguyen Van i", a dob, and "note i" in an unmapped column when i % 3
 * == 0; every 97th row is ragged (a reject).  Returns the bytes written. */
static size_t
many_rows(char *buf, size_t cap, int n)
{
    size_t o = (size_t)snprintf(buf, cap, "Họ và tên,Ngày sinh,Ghi chú\n");

    for (int i = 1; i <= n && o < cap; i++) {
        if (i % 97 == 0)
            o += (size_t)snprintf(buf + o, cap - o, "Ragged %d\n", i);
        else if (i % 3 == 0)
            o += (size_t)snprintf(buf + o, cap - o, "Nguyen Van %d,01/01/1990,note %d\n", i, i);
        else
            o += (size_t)snprintf(buf + o, cap - o, "Nguyen Van %d,,\n", i);
    }
    if (o >= cap)
        abort();
    return o;
}

/* 1500 rows cross the reader's 512-row batches and the 64-row INSERTs, with rejects in
 * between: every row once, in order, the last ones (a partial statement) too. */
static void
test_rows_across_batches_and_multirow_inserts(void)
{
    static char csv[128 << 10];
    size_t n = many_rows(csv, sizeof csv, 1500);
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    long long b0 = count("SELECT coalesce(max(id), 0) FROM batch");
    const char *p = put("many.csv", csv, n);
    char *t;

    if (!CHECK_INT(dc_import_file(db, p, &o, &s, &err), 0))
        printf("#   %s\n", err.msg);
    /* 1500 / 97 = 15 ragged rows: 97, 194, ..., 1455 */
    CHECK_INT(s.rows_read, 1500);
    CHECK_INT(s.rejected, 15);
    CHECK_INT(s.imported, 1485);
    CHECK(s.batch_id > b0);
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE batch_id = (SELECT max(id) FROM batch)"),
              1485);
    CHECK_INT(count("SELECT count(*) FROM reject WHERE batch_id = (SELECT max(id) FROM batch) "
                    "AND src_row % 97 = 0 AND src_line = src_row + 1 AND reason LIKE 'ragged%'"),
              15);
    /* 1 + ... + 1500 = 1125750, less 97 * (1 + ... + 15) = 11640 */
    CHECK_INT(count("SELECT sum(src_row) FROM src_row WHERE batch_id = (SELECT max(id) FROM "
                    "batch)"),
              1114110);
    CHECK_INT(count("SELECT count(*) FROM src_row a, src_row b WHERE a.batch_id = b.batch_id "
                    "AND b.id > a.id AND b.src_row < a.src_row"),
              0);
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE batch_id = (SELECT max(id) FROM batch) "
                    "AND (src_line <> src_row + 1 OR full_name <> 'Nguyen Van ' || src_row)"),
              0);
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE batch_id = (SELECT max(id) FROM batch) "
                    "AND src_row % 3 = 0 AND dob = '01/01/1990'"),
              500 - 5); /* 291, 582, 873, 1164, 1455 are ragged */
    CHECK_INT(count("SELECT count(*) FROM src_row WHERE batch_id = (SELECT max(id) FROM batch) "
                    "AND src_row % 3 <> 0 AND dob IS NULL AND extra IS NULL"),
              1000 - 10);
    t = one_text("SELECT extra FROM src_row WHERE src_row = 1500 AND batch_id = "
                 "(SELECT max(id) FROM batch)");
    CHECK_STR(t, "{\"Ghi chú\": \"note 1500\"}");
    free(t);
    t = one_text("SELECT extra FROM src_row WHERE src_row = 96 AND batch_id = "
                 "(SELECT max(id) FROM batch)");
    CHECK_STR(t, "{\"Ghi chú\": \"note 96\"}");
    free(t);
    dc_import_summary_release(&s);
}

/* The same file through the reader's relay forced inline (as when no thread can start):
 * the same rows, rejects and row hash as on the thread. */
static void
test_rows_inline_reader_same_rows(void)
{
    static char csv[128 << 10];
    size_t n = many_rows(csv, sizeof csv, 1500);
    const char *p = put("many-inline.csv", csv, n);
    struct dc_import_summary s[2];
    struct dc_error err = DC_ERROR_INIT;
    char *rows[2], *rej[2];

    for (int inl = 0; inl <= 1; inl++) {
        struct dc_import_opts o = opts();

        o.source = inl ? "inline" : "threaded";
        o.force = 1; /* the same bytes again */
        dc_relay_force_inline(inl);
        if (!CHECK_INT(dc_import_file(db, p, &o, &s[inl], &err), 0))
            printf("#   %s\n", err.msg);
        dc_relay_force_inline(0);
        rows[inl] = one_text("SELECT group_concat(src_row || ':' || src_line || ':' || "
                             "coalesce(full_name, '') || ':' || coalesce(dob, '') || ':' || "
                             "coalesce(extra, ''), '|') FROM (SELECT * FROM src_row WHERE "
                             "batch_id = (SELECT max(id) FROM batch) ORDER BY id)");
        rej[inl] = one_text("SELECT group_concat(src_row || ':' || reason || ':' || hex(raw), "
                            "'|') FROM (SELECT * FROM reject WHERE batch_id = (SELECT max(id) "
                            "FROM batch) ORDER BY id)");
    }
    CHECK_INT(s[1].imported, 1485);
    CHECK_INT(s[1].rejected, 15);
    CHECK_INT(s[1].rows_read, s[0].rows_read);
    CHECK_STR(s[1].rows_sha256, s[0].rows_sha256);
    CHECK(rows[0] && strlen(rows[0]) > 1485 * 10);
    CHECK_STR(rows[1], rows[0]);
    CHECK(rej[0] && strlen(rej[0]) > 15 * 10);
    CHECK_STR(rej[1], rej[0]);
    for (int i = 0; i < 2; i++) {
        free(rows[i]);
        free(rej[i]);
        dc_import_summary_release(&s[i]);
    }
}

/* The reader thread fails (truncated gzip) after the writer has inserted batches: the
 * error is the reader's and nothing stays. */
static void
test_reader_error_after_batches(void)
{
    static char csv[128 << 10];
    static unsigned char gz[128 << 10];
    size_t n = many_rows(csv, sizeof csv, 3000), z;
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    long long b = count("SELECT count(*) FROM batch"), r = count("SELECT count(*) FROM src_row");
    const char *p;

    z = gzip_buf(csv, n, gz, sizeof gz);
    p = put("cutmany.csv.gz", (const char *)gz, z * 9 / 10);
    CHECK_INT(dc_import_file(db, p, &o, &s, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(strstr(err.msg, "truncated gzip") != NULL);
    CHECK_INT(s.batch_id, 0);
    dc_import_summary_release(&s);
    CHECK_INT(count("SELECT count(*) FROM batch"), b);
    CHECK_INT(count("SELECT count(*) FROM src_row"), r);
}

/* The writer fails in the middle of the file (a trigger stands in for a full disk): the
 * reader thread is stopped, the error is the writer's, nothing stays. */
static void
test_writer_error_stops_reader(void)
{
    static char csv[128 << 10];
    size_t n = many_rows(csv, sizeof csv, 3000);
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;
    long long b = count("SELECT count(*) FROM batch"), r = count("SELECT count(*) FROM src_row");
    const char *p = put("boom.csv", csv, n);

    if (!CHECK_INT(dc_db_exec(db,
                              "CREATE TRIGGER boom BEFORE INSERT ON src_row WHEN "
                              "NEW.src_row = 700 BEGIN SELECT RAISE(ABORT, 'boom'); END",
                              &err),
                   0))
        return;
    CHECK_INT(dc_import_file(db, p, &o, &s, &err), -1);
    CHECK(strstr(err.msg, "insert src_row") != NULL);
    dc_import_summary_release(&s);
    CHECK_INT(count("SELECT count(*) FROM batch"), b);
    CHECK_INT(count("SELECT count(*) FROM src_row"), r);
    err = (struct dc_error)DC_ERROR_INIT;
    CHECK_INT(dc_db_exec(db, "DROP TRIGGER boom", &err), 0);
}

static void
test_missing_file(void)
{
    struct dc_import_opts o = opts();
    struct dc_import_summary s;
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_import_file(db, tmp_path("nosuch.csv"), &o, &s, &err), -1);
    CHECK_INT(err.status, DC_EX_NOINPUT);
    dc_import_summary_release(&s);
}

int
main(void)
{
    struct dc_error err = DC_ERROR_INIT;
    static const char *const files[] = {"t.db",        "t.db-wal",  "t.db-shm",       "t.db.lock",
                                        "basic.csv",   "again.csv", "xa.csv.gz",      "cut.csv.gz",
                                        "flip.csv.gz", "many.csv",  "cutmany.csv.gz", "boom.csv"};

    if (!mkdtemp(dir)) {
        printf("1..0 # SKIP cannot create a temp dir\n");
        return 0;
    }
    if (dc_db_open(tmp_path("t.db"), DC_DB_CREATE, &db, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    RUN(test_source_name_default);
    RUN(test_source_name_whole_never_cut);
    RUN(test_counts_colmap_extra);
    RUN(test_duplicate_file_and_force);
    RUN(test_gzip_file);
    RUN(test_corrupt_gzip_changes_nothing);
    RUN(test_missing_file);
    RUN(test_rows_across_batches_and_multirow_inserts);
    RUN(test_rows_inline_reader_same_rows);
    RUN(test_reader_error_after_batches);
    RUN(test_writer_error_stops_reader);
    dc_db_close(db, NULL);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(tmp_path(files[i]));
    rmdir(dir);
    return tap_done();
}
