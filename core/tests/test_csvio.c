/*
 * test_csvio.c - unit tests for csvio.c: RFC 4180 records with their raw bytes and lines,
 * rejects that let the file go on, limits, encodings, gzip (members, truncation, trailing
 * bytes, bombs), delimiter sniffing, SHA-256 and the writer; line counting across libcsv's
 * segments, row.lens, and decomposed UTF-8 past the one-call decode.
 *
 * All input is hand-written here and put in a temporary directory.
 */
#include "../csvio.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];
static char path[128];

static const char *
put_file(const char *name, const char *data, size_t len)
{
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
        return NULL;
    return path;
}

#define PUT(name, lit) put_file((name), (lit), sizeof(lit) - 1)

static const char *
put_gz(const char *name, const char *data, size_t len)
{
    gzFile g;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    g = gzopen(path, "wb9");
    if (!g || gzwrite(g, data, (unsigned)len) != (int)len || gzclose(g) != Z_OK)
        return NULL;
    return path;
}

static struct dc_csv_reader *
open_opts(const char *p, const char *enc, int delim, size_t max_field, struct dc_error *err)
{
    struct dc_csv_opts o = {enc, delim, max_field, 0, 0};

    dc_error_clear(err);
    return dc_csv_open(p, &o, err);
}

static void
test_quoted_newline_crlf_and_lines(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;

    r = open_opts(PUT("a.csv", "id,name\r\n1,\"Nguyễn\r\nVăn\"\r\n\r\n2,\"say \"\"hi\"\"\"\n3,x"),
                  NULL, 0, 0, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(dc_csv_header(r)->nfields, 2);
    CHECK_STR(dc_csv_header(r)->fields[1], "name");
    CHECK_INT(dc_csv_header(r)->rownum, 0);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.rownum, 1);
    CHECK_INT(row.line, 2);
    CHECK_STR(row.fields[1], "Nguyễn\r\nVăn");
    CHECK(row.raw_len == strlen("1,\"Nguyễn\r\nVăn\"") &&
          memcmp(row.raw, "1,\"Nguyễn\r\nVăn\"", row.raw_len) == 0);
    CHECK(row.reject == NULL);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.rownum, 2);
    CHECK_INT(row.line, 5); /* lines 3-4 are the quoted break and the blank line */
    CHECK_STR(row.fields[1], "say \"hi\"");
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.line, 6);
    CHECK_STR(row.fields[1], "x"); /* last record without a line break */
    CHECK_INT(row.raw_len, 3);
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    CHECK_STR(dc_csv_encoding(r), "utf-8");
    dc_csv_close(r);
}

static void
test_spaces_kept(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r = open_opts(PUT("s.csv", "a,b\n  x , y\n"), NULL, 0, 0, &err);
    struct dc_csv_row row;

    CHECK(r && dc_csv_next(r, &row, &err) == 1);
    if (r) {
        CHECK_STR(row.fields[0], "  x ");
        CHECK_STR(row.fields[1], " y");
    }
    dc_csv_close(r);
}

static void
test_rejects_then_go_on(void)
{
    static const struct {
        const char *reason;
        long line;
    } want[] = {
        {"ragged row: 2 fields, header has 3", 2},
        {"ragged row: 4 fields, header has 3", 3},
        {"stray quote in field 2", 4},
        {NULL, 5},
        {"NUL byte in field 3", 6},
        {NULL, 7},
        {"unterminated quote", 8},
    };
    static const char data[] = "a,b,c\n1,2\n1,2,3,4\n1,\"x\"y,3\n5,6,7\n8,9,\0z\n"
                               "10,11,12\n13,\"open,14\n15,16,17\n";
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r = open_opts(put_file("r.csv", data, sizeof data - 1), NULL, 0, 0, &err);
    struct dc_csv_row row;
    size_t i;

    CHECK(r != NULL);
    if (!r)
        return;
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        TAP_ROW("record %zu, want line %ld", i + 1, (long)want[i].line);
        CHECK_INT(dc_csv_next(r, &row, &err), 1);
        CHECK_STR(row.reject, want[i].reason);
        CHECK_INT(row.line, want[i].line);
        CHECK_INT(row.rownum, (long)i + 1);
    }
    TAP_ROW_END();
    CHECK(row.raw_len == strlen("13,\"open,14\n15,16,17\n") &&
          memcmp(row.raw, "13,\"open,14\n15,16,17\n", row.raw_len) == 0);
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
}

static void
test_stray_quote_raw(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r = open_opts(PUT("q.csv", "a,b\n\"x\"y,zz\nok,1\n"), NULL, 0, 0, &err);
    struct dc_csv_row row;

    CHECK(r && dc_csv_next(r, &row, &err) == 1);
    if (!r)
        return;
    CHECK_STR(row.reject, "stray quote in field 1");
    CHECK(row.raw_len == 7 && memcmp(row.raw, "\"x\"y,zz", 7) == 0);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK(row.reject == NULL);
    CHECK_STR(row.fields[0], "ok");
    dc_csv_close(r);
}

static void
test_field_over_max(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;

    r = open_opts(PUT("m.csv", "a,b\n1,0123456789abcdefXYZ\n\"0123456789\n0123456789\",2\n3,4\n"),
                  NULL, 0, 16, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_STR(row.reject, "field 2 over 16 bytes");
    CHECK_INT(row.raw_len, 21);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_STR(row.reject, "field 1 over 16 bytes"); /* quoted, across a line break */
    CHECK_INT(row.line, 3);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK(row.reject == NULL);
    CHECK_INT(row.line, 5);
    CHECK_STR(row.fields[1], "4");
    dc_csv_close(r);
}

/* A 4 MiB single-line field: rejected, raw cut at the 1 MiB record limit, next row read. */
static void
test_huge_line_bounded(void)
{
    struct dc_error err = DC_ERROR_INIT;
    size_t big = 4u << 20, n = 0;
    char *data = malloc(big + 64);
    struct dc_csv_reader *r;
    struct dc_csv_row row;

    if (!CHECK(data != NULL))
        return;
    memcpy(data, "a,b\n1,\"", 7);
    n = 7;
    memset(data + n, 'x', big);
    n += big;
    memcpy(data + n, "\",2\n3,4\n", 8);
    n += 8;
    r = open_opts(put_file("h.csv", data, n), NULL, 0, 0, &err);
    free(data);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    /* the reject row keeps only the first 1 MiB of the raw record: its
     * reason must say so, or a clerk takes the raw bytes for the whole row */
    CHECK_STR(row.reject, "field 2 over 65536 bytes; raw bytes kept: the first 1048576");
    CHECK_INT(row.raw_truncated, 1);
    CHECK_INT(row.raw_len, 1u << 20);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK(row.reject == NULL);
    CHECK_INT(row.rownum, 2);
    CHECK_STR(row.fields[0], "3");
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
}

static void
test_invalid_utf8_row(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r =
        open_opts(PUT("u.csv", "a,b\nx,\xFF\xFE\ny,z\n"), "utf-8", 0, 0, &err);
    struct dc_csv_row row;

    CHECK(r && dc_csv_next(r, &row, &err) == 1);
    if (!r)
        return;
    CHECK_STR(row.reject, "invalid bytes for utf-8 in field 2");
    CHECK(row.raw_len == 4 && memcmp(row.raw, "x,\xFF\xFE", 4) == 0);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK(row.reject == NULL);
    dc_csv_close(r);
}

static void
test_bom_stripped_file_and_gzip(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    static const char d[] = "\xEF\xBB\xBFho_ten,x\nAn,1\n";

    r = open_opts(put_file("b.csv", d, sizeof d - 1), NULL, 0, 0, &err);
    CHECK(r && strcmp(dc_csv_header(r)->fields[0], "ho_ten") == 0);
    dc_csv_close(r);
    r = open_opts(put_gz("b.csv.gz", d, sizeof d - 1), NULL, 0, 0, &err);
    CHECK(r && strcmp(dc_csv_header(r)->fields[0], "ho_ten") == 0);
    CHECK(r && dc_csv_gzip(r) == 1);
    dc_csv_close(r);
    r = open_opts(put_file("b2.csv", d, sizeof d - 1), "utf-8", 0, 0, &err);
    CHECK(r && strcmp(dc_csv_header(r)->fields[0], "ho_ten") == 0);
    dc_csv_close(r);
}

static void
test_utf16le_bom(void)
{
    /* "tên;x\nHương;1\n" in UTF-16LE with a BOM */
    static const char d[] = "\xFF\xFEt\0\xEA\0n\0;\0x\0\n\0H\0\xB0\x01\xA1\x01n\0g\0;\0"
                            "1\0\n\0";
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r = open_opts(put_file("w.csv", d, sizeof d - 1), NULL, 0, 0, &err);
    struct dc_csv_row row;

    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(dc_csv_encoding(r), "utf-16le");
    CHECK_INT(dc_csv_delimiter(r), ';');
    CHECK_STR(dc_csv_header(r)->fields[0], "tên");
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_STR(row.fields[0], "Hương");
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
    r = open_opts(put_file("w2.csv", d + 2, sizeof d - 3), "utf-16", 0, 0, &err);
    CHECK(r == NULL && err.status == DC_EX_DATAERR);
}

static void
test_vni_file_auto_and_explicit(void)
{
    static const char d[] = "ho_ten,dia_chi\nNguye\xE3n Th\xF2 H\xF6\xF4ng,Ph\xF6\xF4\xF8ng 1\n"
                            "Tra\xE0n Va\xEAn \xD1\xF6\xF9\x63,Ha\xF8 No\xE4i\n";
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    int pass;

    for (pass = 0; pass < 2; pass++) {
        r = open_opts(put_file("v.csv", d, sizeof d - 1), pass ? "vni" : "auto", 0, 0, &err);
        CHECK(r != NULL);
        if (!r)
            return;
        CHECK_STR(dc_csv_encoding(r), "vni");
        CHECK(dc_csv_confidence(r) > 0.3);
        CHECK_INT(dc_csv_next(r, &row, &err), 1);
        CHECK_STR(row.fields[0], "Nguyễn Thị Hương");
        CHECK_STR(row.fields[1], "Phường 1");
        CHECK_INT(dc_csv_next(r, &row, &err), 1);
        CHECK_STR(row.fields[0], "Trần Văn Đức");
        CHECK_STR(row.fields[1], "Hà Nội");
        dc_csv_close(r);
    }
}

static void
test_undecidable_encoding(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r = open_opts(PUT("x.csv", "a\n\xBF\xBF\xBF\n"), NULL, 0, 0, &err);

    CHECK(r == NULL);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(strstr(err.msg, "--encoding") != NULL);
    CHECK(strstr(err.msg, "candidates") != NULL);
    r = open_opts(PUT("x2.csv", "a\n1\n"), "klingon", 0, 0, &err);
    CHECK(r == NULL && err.status == DC_EX_USAGE);
}

static void
test_missing_file_and_empty(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    char p[160];

    snprintf(p, sizeof p, "%s/nope.csv", dir);
    r = open_opts(p, NULL, 0, 0, &err);
    CHECK(r == NULL && err.status == DC_EX_NOINPUT);
    r = open_opts(dir, NULL, 0, 0, &err);
    CHECK(r == NULL && err.status == DC_EX_NOINPUT);
    r = open_opts(put_file("e.csv", "", 0), NULL, 0, 0, &err);
    CHECK(r == NULL && err.status == DC_EX_DATAERR);
    r = open_opts(PUT("e2.csv", "\n\r\n"), NULL, 0, 0, &err);
    CHECK(r == NULL && err.status == DC_EX_DATAERR);
}

static void
test_sniff_delimiters(void)
{
    static const struct {
        const char *data;
        int want;
    } t[] = {
        {"a;b;c\n1;2;3\n4;5;6\n", ';'},
        {"a\tb\n1\t2\n", '\t'},
        {"a|b|c\n1|2|3\n", '|'},
        {"a,b\n1,2\n", ','},
        {"name;note\n\"x,y,z\";1\n\"p,q,r\";2\n", ';'}, /* commas only inside quotes */
        {"\"a,b\",c\n\"1;2;3\",4\n", ','},
        {"single\nrow\n", ','},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_error err = DC_ERROR_INIT;
        struct dc_csv_reader *r =
            open_opts(put_file("d.csv", t[i].data, strlen(t[i].data)), NULL, 0, 0, &err);

        TAP_ROW("file \"%s\"", t[i].data);
        CHECK(r != NULL);
        if (r)
            CHECK_INT(dc_csv_delimiter(r), t[i].want);
        dc_csv_close(r);
    }
    TAP_ROW_END();
}

static void
test_sha256_and_bytes(void)
{
    /* FIPS 180-2 example: SHA-256("abc") */
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r = open_opts(PUT("abc.csv", "abc"), NULL, 0, 0, &err);
    struct dc_csv_row row;
    char hex[65];

    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    CHECK_INT(dc_csv_sha256(r, hex), 0);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT(dc_csv_bytes_read(r), 3);
    dc_csv_close(r);
}

static void
test_gzip_members_and_failures(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    char one[256], two[512], p1[128];
    long n1 = 0, n2;
    FILE *fp;
    int rc;

    /* two members back to back: both are read (gzip -dc does the same) */
    put_gz("g1.gz", "a,b\n1,2\n", 8);
    snprintf(p1, sizeof p1, "%s", path);
    fp = fopen(p1, "rb");
    if (fp) {
        n1 = (long)fread(one, 1, sizeof one, fp);
        fclose(fp);
    }
    put_gz("g2.gz", "3,4\n", 4);
    fp = fopen(path, "rb");
    n2 = 0;
    if (fp) {
        n2 = (long)fread(two, 1, sizeof two, fp);
        fclose(fp);
    }
    CHECK(n1 > 20 && n2 > 20);
    memmove(two + n1, two, (size_t)n2);
    memcpy(two, one, (size_t)n1);
    r = open_opts(put_file("g12.gz", two, (size_t)(n1 + n2)), NULL, 0, 0, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(dc_csv_next(r, &row, &err), 1);
        CHECK_INT(dc_csv_next(r, &row, &err), 1);
        CHECK_STR(row.fields[1], "4");
        CHECK_INT(dc_csv_next(r, &row, &err), 0);
        CHECK_INT(dc_csv_bytes_read(r), n1 + n2);
        dc_csv_close(r);
    }
    /* truncated: the rows read so far come out, then the file fails */
    r = open_opts(put_file("gt.gz", one, (size_t)n1 - 6), NULL, 0, 0, &err);
    rc = r ? 1 : -1;
    while (r && (rc = dc_csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT(rc, -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(strstr(err.msg, "truncated") != NULL);
    dc_csv_close(r);
    /* trailing bytes that are not another member */
    memcpy(two, one, (size_t)n1);
    memcpy(two + n1, "junk", 4);
    r = open_opts(put_file("gj.gz", two, (size_t)n1 + 4), NULL, 0, 0, &err);
    rc = r ? 1 : -1;
    while (r && (rc = dc_csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT(rc, -1);
    CHECK(strstr(err.msg, "trailing") != NULL);
    dc_csv_close(r);
    /* a flipped CRC byte */
    memcpy(two, one, (size_t)n1);
    two[n1 - 8] ^= 1;
    r = open_opts(put_file("gc.gz", two, (size_t)n1), NULL, 0, 0, &err);
    rc = r ? 1 : -1;
    while (r && (rc = dc_csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT(rc, -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(strstr(err.msg, "corrupt") != NULL);
    dc_csv_close(r);
}

/* 32 MiB of blank lines gzip to about 33 KB (deflate's best is about 1030:1,
 * reliability.md §3.2): over 1000:1 once most of it is out, refused as a bomb. */
static void
test_gzip_bomb(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    char *nl = malloc(1u << 20);
    gzFile g;
    int i, rc = 0;

    if (!CHECK(nl != NULL))
        return;
    memset(nl, '\n', 1u << 20);
    snprintf(path, sizeof path, "%s/bomb.gz", dir);
    g = gzopen(path, "wb9");
    CHECK(g != NULL);
    if (!g) {
        free(nl);
        return;
    }
    gzwrite(g, "a,b\n", 4);
    for (i = 0; i < 32; i++)
        gzwrite(g, nl, 1u << 20);
    CHECK(gzclose(g) == Z_OK);
    free(nl);
    r = open_opts(path, NULL, 0, 0, &err);
    CHECK(r != NULL);
    while (r && (rc = dc_csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT(rc, -1);
    CHECK(strstr(err.msg, "gzip bomb") != NULL);
    dc_csv_close(r);
}

static void
test_max_bytes(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_opts o = {NULL, 0, 0, 10, 0};
    struct dc_csv_reader *r = dc_csv_open(PUT("mb.csv", "a,b\n1,2\n3,4\n"), &o, &err);

    CHECK(r == NULL);
    CHECK_INT(err.status, DC_EX_DATAERR);
    dc_csv_close(r);
}

/* ---- writer ---- */

static char *
write_rows(const struct dc_csv_writer_opts *o, const char *const *f, size_t n, int times)
{
    FILE *fp = tmpfile();
    struct dc_csv_writer *w;
    struct dc_error err = DC_ERROR_INIT;
    static char buf[512];
    size_t got;
    int i;

    if (!fp)
        return NULL;
    w = dc_csv_writer_new(fp, o);
    for (i = 0; i < times; i++)
        CHECK_INT(dc_csv_write_row(w, f, n, &err), 0);
    dc_csv_writer_free(w);
    rewind(fp);
    got = fread(buf, 1, sizeof buf - 1, fp);
    buf[got] = '\0';
    fclose(fp);
    return buf;
}

static void
test_writer_quoting(void)
{
    const char *f[] = {"plain", "a,b", "say \"hi\"", "two\nlines", NULL, "", " sp "};
    const char *lone[] = {""};
    struct dc_csv_writer_opts semi = {0, 0, 0, ';'};

    CHECK_STR(write_rows(NULL, f, 7, 1),
              "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,, sp \n");
    CHECK_STR(write_rows(&semi, f, 2, 1), "plain;a,b\n");
    CHECK_STR(write_rows(NULL, lone, 1, 1), "\"\"\n"); /* not a blank line */
}

/* a reject's raw bytes may hold NUL: written whole, quoted around its '"' */
static void
test_writer_lengths_keep_nul(void)
{
    const char *f[] = {"a\0b\"c", "x"};
    size_t len[] = {5, 1};
    char *buf = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&buf, &n);
    struct dc_csv_writer *w = dc_csv_writer_new(fp, NULL);
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_csv_write_row_n(w, f, len, 2, &err), 0);
    dc_csv_writer_free(w);
    fclose(fp);
    CHECK(n == 11 && memcmp(buf, "\"a\0b\"\"c\",x\n", 11) == 0);
    free(buf);
}

static void
test_writer_excel(void)
{
    const char *f[] = {"=1+2", "-5", "@SUM(A1)", "+x", "ok", "a=b"};
    struct dc_csv_writer_opts xl = {1, 1, 1, 0};

    CHECK_STR(write_rows(&xl, f, 6, 2),
              "\xEF\xBB\xBF'=1+2,'-5,'@SUM(A1),'+x,ok,a=b\r\n'=1+2,'-5,'@SUM(A1),'+x,ok,a=b\r\n");
}

static void
test_writer_full_disk(void)
{
    FILE *fp = fopen("/dev/full", "w");
    struct dc_csv_writer *w;
    struct dc_error err = DC_ERROR_INIT;
    const char *f[] = {"a"};

    if (!fp) {
        printf("# skip: no /dev/full\n");
        CHECK(1);
        return;
    }
    setvbuf(fp, NULL, _IONBF, 0);
    w = dc_csv_writer_new(fp, NULL);
    CHECK_INT(dc_csv_write_row(w, f, 1, &err), -1);
    CHECK_INT(err.status, DC_EX_IOERR);
    dc_csv_writer_free(w);
    fclose(fp);
}

static void
test_write_then_read_back(void)
{
    const char *f[] = {"Nguyễn \"Tí\"", "a,b", "x\r\ny", "=cmd"};
    const char *h[] = {"w", "x", "y", "z"};
    struct dc_csv_writer_opts o = {1, 1, 0, 0};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    FILE *fp;
    struct dc_csv_writer *w;

    snprintf(path, sizeof path, "%s/rt.csv", dir);
    fp = fopen(path, "wb");
    if (!CHECK(fp != NULL))
        return;
    w = dc_csv_writer_new(fp, &o);
    CHECK_INT(dc_csv_write_row(w, h, 4, &err), 0);
    CHECK_INT(dc_csv_write_row(w, f, 4, &err), 0);
    dc_csv_writer_free(w);
    CHECK_INT(fclose(fp), 0);
    r = open_opts(path, NULL, 0, 0, &err);
    CHECK(r && dc_csv_next(r, &row, &err) == 1);
    if (!r)
        return;
    CHECK(row.reject == NULL);
    CHECK_STR(row.fields[0], f[0]);
    CHECK_STR(row.fields[1], f[1]);
    CHECK_STR(row.fields[2], f[2]);
    CHECK_STR(row.fields[3], f[3]);
    dc_csv_close(r);
}

/* Line counting now finds breaks with memchr: CR alone, LF alone, CR LF as one line, blank
 * lines of each kind, and a last record without a break. */
static void
test_lines_cr_lf_mixed(void)
{
    static const struct {
        long line;
        const char *raw;
    } want[] = {{2, "1,x"}, {4, "2,y"}, {6, "3,z"}, {7, "4,w"}};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r =
        open_opts(PUT("crlf.csv", "a,b\r1,x\r\r2,y\n\n3,z\r\n4,w"), NULL, 0, 0, &err);
    struct dc_csv_row row;

    CHECK(r != NULL);
    if (!r)
        return;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        TAP_ROW("record %zu: \"%.3s\"", i + 1, want[i].raw);
        CHECK_INT(dc_csv_next(r, &row, &err), 1);
        CHECK_INT(row.line, want[i].line);
        CHECK(row.raw_len == 3 && memcmp(row.raw, want[i].raw, 3) == 0);
        CHECK(row.reject == NULL);
    }
    TAP_ROW_END();
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
}

/* Records longer than the 4096-byte segment libcsv is fed: a CR as the segment's last byte
 * and as the next segment's first, each followed by its LF. */
static void
test_lines_across_segments(void)
{
    static char buf[16384];
    size_t o = (size_t)snprintf(buf, sizeof buf, "a,b\r\n");
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;

    /* 4093 + ",y" = 4095 bytes, then CR LF; then 4094 + ",y" = 4096 bytes, then CR LF */
    memset(buf + o, 'x', 4093);
    o += 4093;
    o += (size_t)snprintf(buf + o, sizeof buf - o, ",y\r\n");
    memset(buf + o, 'w', 4094);
    o += 4094;
    o += (size_t)snprintf(buf + o, sizeof buf - o, ",y\r\n3,z\r\n");
    r = open_opts(put_file("seg.csv", buf, o), NULL, 0, 0, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.line, 2);
    CHECK_INT(row.raw_len, 4095);
    CHECK_INT(row.lens[0], 4093);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.line, 3);
    CHECK_INT(row.raw_len, 4096);
    CHECK_INT(row.lens[0], 4094);
    CHECK_STR(row.fields[1], "y");
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.line, 4);
    CHECK_STR(row.fields[0], "3");
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
}

/* row.lens: the byte length of each field as handed out, for the header too, also when
 * decoding changed the bytes (decomposed UTF-8 becomes NFC: e + U+0302 + U+0303 is 5 bytes,
 * ễ U+1EC5 is 3).  Decomposed rows go on being right after the reader stops trying its
 * one-call decode for the file (more than 64 of them). */
static void
test_lens_and_decomposed_utf8(void)
{
    static char buf[16384];
    size_t o = (size_t)snprintf(buf, sizeof buf, "h1,h2,h3\na,,xyz\n");
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    const struct dc_csv_row *h;
    int bad = 0;

    for (int i = 0; i < 200; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "Nguye\xCC\x82\xCC\x83n %d,B\xC3\xACnh,\n",
                              i);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "Tr\xE1\xBA\xA7n,x,y\n");
    r = open_opts(put_file("nfd.csv", buf, o), "utf-8", 0, 0, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    h = dc_csv_header(r);
    CHECK(h->lens && h->lens[0] == 2 && h->lens[1] == 2 && h->lens[2] == 2);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_INT(row.nfields, 3);
    CHECK(row.lens[0] == 1 && row.lens[1] == 0 && row.lens[2] == 3);
    for (int i = 0; i < 200; i++) {
        char want[32];

        snprintf(want, sizeof want, "Nguy\xE1\xBB\x85n %d", i);
        if (dc_csv_next(r, &row, &err) != 1 || row.reject || row.nfields != 3 ||
            strcmp(row.fields[0], want) != 0 || row.lens[0] != strlen(want) ||
            strcmp(row.fields[1], "B\xC3\xACnh") != 0 || row.lens[1] != 5 || row.lens[2] != 0)
            bad++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_STR(row.fields[0], "Tr\xE1\xBA\xA7n");
    CHECK_INT(row.lens[0], 6);
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
}

/* The NUL check looks at the record's segments, not each field: a NUL in the first line of
 * a quoted field that ends on the next line is still found, and the next record is clean. */
static void
test_nul_in_multiline_field(void)
{
    static const char data[] = "a,b\n\"x\0\ny\",2\n3,4\n";
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_reader *r =
        open_opts(put_file("nul.csv", data, sizeof data - 1), NULL, 0, 0, &err);
    struct dc_csv_row row;

    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK_STR(row.reject, "NUL byte in field 1");
    CHECK_INT(row.line, 2);
    CHECK_INT(row.raw_len, 8); /* "x NUL LF y",2 */
    CHECK_INT(dc_csv_next(r, &row, &err), 1);
    CHECK(row.reject == NULL);
    CHECK_INT(row.line, 4);
    CHECK_INT(dc_csv_next(r, &row, &err), 0);
    dc_csv_close(r);
}

int
main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_csvio.XXXXXX");
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    RUN(test_quoted_newline_crlf_and_lines);
    RUN(test_spaces_kept);
    RUN(test_lines_cr_lf_mixed);
    RUN(test_lines_across_segments);
    RUN(test_lens_and_decomposed_utf8);
    RUN(test_nul_in_multiline_field);
    RUN(test_rejects_then_go_on);
    RUN(test_stray_quote_raw);
    RUN(test_field_over_max);
    RUN(test_huge_line_bounded);
    RUN(test_invalid_utf8_row);
    RUN(test_bom_stripped_file_and_gzip);
    RUN(test_utf16le_bom);
    RUN(test_vni_file_auto_and_explicit);
    RUN(test_undecidable_encoding);
    RUN(test_missing_file_and_empty);
    RUN(test_sniff_delimiters);
    RUN(test_sha256_and_bytes);
    RUN(test_gzip_members_and_failures);
    RUN(test_gzip_bomb);
    RUN(test_max_bytes);
    RUN(test_writer_quoting);
    RUN(test_writer_lengths_keep_nul);
    RUN(test_writer_excel);
    RUN(test_writer_full_disk);
    RUN(test_write_then_read_back);
    {
        char cmd[128];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            printf("# could not remove %s\n", dir);
    }
    return tap_done();
}
