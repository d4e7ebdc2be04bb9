/*
 * test_export.c - unit tests of core/export/ and core/manifest.c.
 *
 * A staging DB in a temp folder holds four hand-written synthetic people (no real data):
 * r1 commune_a row 1, r2 commune_a row 2 (formula-looking name, newline/tab/backslash in
 * the address, empty id12 vs NULL cmnd), r3 idcard_reg row 1, r4 commune_b row 1; r1, r3,
 * r4 form cluster 1.  Every expected byte below was worked out by hand from the rules in
 * export.h, not copied from the output.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "export.h"
#include "manifest.h"
#include "tap.h"
#include "util/atomic.h"
#include "util/relay.h"

static char dir[256];
static struct dc_db *db;

static const char *setup_sql =
    "INSERT INTO batch(id, stage, source, src_file, started) VALUES"
    " (1, 'import', 'commune_a', 'a.csv', '2026-01-01'), (2, 'normalize', NULL, NULL, "
    "'2026-01-01');"
    "INSERT INTO src_row(id, batch_id, src_row, src_line) VALUES"
    " (1, 1, 1, 2), (2, 1, 2, 3), (3, 1, 1, 2), (4, 1, 1, 2);"
    "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line, full_name,"
    " family_name, middle_name, given_name, dob, dob_precision, dob_raw, sex, id12, cmnd,"
    " issue_date, expiry_date, ethnic, ethnic_code, address_detail, province_code,"
    " district_code, ward_code, new_province_code, new_ward_code, addr_confidence,"
    " addr_reason) VALUES"
    " (1, 1, 'commune_a', 'a.csv', 1, 2, 'Nguyễn Văn An', 'Nguyễn', 'Văn', 'An', '1990-03-05',"
    "  'day', NULL, 'M', '001090012345', NULL, NULL, NULL, 'Kinh', '01', 'Số 5, ngõ \"Hoa\"',"
    "  '01', '001', '00004', '01', '00004', 0.9, 'exact'),"
    " (2, 1, 'commune_a', 'a.csv', 2, 3, '=Trần Thị Bình', 'Trần', 'Thị', 'Bình', '1985',"
    "  'year', 'năm 1985', 'F', '', NULL, NULL, NULL, NULL, NULL,"
    "  'Thôn 3' || char(10) || 'Xã' || char(9) || 'Y\\Z',"
    "  NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
    " (3, 1, 'idcard_reg', 'cccd.csv', 1, 2, 'Nguyễn Văn Ân', 'Nguyễn', 'Văn', 'Ân',"
    "  '1990-03-05', 'day', NULL, 'M', '001090012345', NULL, '2021-04-01', '2036-03-05',"
    "  'Kinh', '01', 'Số 5 ngõ Hoa', '01', '001', '00004', '01', '00004', 1.0, 'exact'),"
    " (4, 1, 'commune_b', 'b.csv', 1, 2, 'Nguyễn Văn An', 'Nguyễn', 'Văn', NULL, '1990',"
    "  'year', NULL, 'M', NULL, '123456789', NULL, NULL, 'Kinh', '01', 'Số 5, ngõ \"Hoa\"',"
    "  '01', '001', '00004', '01', '00004', 0.5, 'fuzzy');"
    "UPDATE person SET address_raw = 'Số 5, ngõ \"Hoa\", P. Trúc Bạch, Q. Ba Đình, HN',"
    " addr_era = 'both' WHERE record_id = 1;"
    "INSERT INTO unit(era, level, code, name) VALUES ('pre2025', 'province', '01',"
    " 'Thành phố Hà Nội'), ('pre2025', 'district', '001', 'Quận Ba Đình'),"
    " ('pre2025', 'ward', '00004', 'Phường Trúc Bạch'), ('2025', 'province', '01',"
    " 'Thành phố Hà Nội'), ('2025', 'ward', '00004', 'Phường Ba Đình');"
    "INSERT INTO cluster VALUES (1, 1), (3, 1), (4, 1);"
    "INSERT INTO pair VALUES (1, 3, 12.5, 0.99, 7), (1, 4, 8.25, 0.75, 5);"
    "INSERT INTO finding(id, record_id, code, severity, field, expected, actual, message)"
    " VALUES (1, 1, 'ID_BIRTH_YEAR', 'error', 'id12', '1990', '1991',"
    "  'id12 says born 1991, dob says 1990 (can''t both be right)'),"
    " (2, NULL, 'X_BATCH', 'info', NULL, NULL, NULL, 'batch has \"3\" rows');"
    "INSERT INTO change VALUES (1, 'full_name', 'nguyen van an', 'Nguyễn Văn An', 'name_case'),"
    " (2, 'dob', '  1985', '1985', 'trim');"
    "INSERT INTO reject(id, batch_id, source, src_file, src_row, src_line, reason, raw) VALUES"
    " (1, 1, 'commune_a', 'a.csv', 3, 4, 'wrong field count', x'4e677579ea6e2c2278');";

/* The export as a string (caller frees); NULL and *err set on failure. */
static char *
run(enum dc_export_what w, enum dc_export_format f, int excel, int survivors,
    const unsigned char *key, size_t *len, struct dc_error *err)
{
    struct dc_export_opts o = {.what = w,
                               .format = f,
                               .excel = excel,
                               .survivors = survivors,
                               .key = key,
                               .key_len = key ? 20 : 0};
    char *buf = NULL;
    size_t n = 0;
    long long rows;
    FILE *fp = open_memstream(&buf, &n);

    if (!fp)
        return NULL;
    int rc = dc_export_write(db, &o, fp, &rows, err);
    fclose(fp);
    if (len)
        *len = n;
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The unit names the fixture's codes resolve to (records view, issue 13). */
#define NAMES "Thành phố Hà Nội,Quận Ba Đình,Phường Trúc Bạch,Thành phố Hà Nội,Phường Ba Đình"

static const char rec_header[] =
    "record_id,source,src_row,cluster_id,full_name,family_name,middle_name,given_name,dob,"
    "dob_precision,sex,id12,cmnd,ethnic,province_code,district_code,ward_code,"
    "new_province_code,new_ward_code,address_detail,src_file,src_line,ethnic_code,issue_date,"
    "expiry_date,addr_confidence,addr_reason,dob_raw,address_raw,province_name,district_name,"
    "ward_name,new_province_name,new_ward_name,addr_era";

static void
test_records_csv_quoting_and_order(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_CSV, 0, 0, NULL, NULL, &err);
    char want[4096];

    snprintf(want, sizeof want,
             "%s\n"
             "1,commune_a,1,1,Nguyễn Văn An,Nguyễn,Văn,An,1990-03-05,day,M,001090012345,,Kinh,"
             "01,001,00004,01,00004,\"Số 5, ngõ \"\"Hoa\"\"\",a.csv,2,01,,,0.90,exact,,"
             "\"Số 5, ngõ \"\"Hoa\"\", P. Trúc Bạch, Q. Ba Đình, HN\"," NAMES ",both\n"
             "2,commune_a,2,,=Trần Thị Bình,Trần,Thị,Bình,1985,year,F,,,,,,,,,"
             "\"Thôn 3\nXã\tY\\Z\",a.csv,3,,,,,,năm 1985,,,,,,,\n"
             "4,commune_b,1,1,Nguyễn Văn An,Nguyễn,Văn,,1990,year,M,,123456789,Kinh,"
             "01,001,00004,01,00004,\"Số 5, ngõ \"\"Hoa\"\"\",b.csv,2,01,,,0.50,fuzzy,,," NAMES
             ",\n"
             "3,idcard_reg,1,1,Nguyễn Văn Ân,Nguyễn,Văn,Ân,1990-03-05,day,M,001090012345,,Kinh,"
             "01,001,00004,01,00004,Số 5 ngõ Hoa,cccd.csv,2,01,2021-04-01,2036-03-05,1.00,"
             "exact,,," NAMES ",\n",
             rec_header);
    CHECK_STR(s, want);
    free(s);
}

static void
test_records_excel_bom_crlf_guard(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_CSV, 1, 0, NULL, NULL, &err);

    CHECK(s && memcmp(s, "\xEF\xBB\xBFrecord_id,source,", 20) == 0);
    CHECK(s && strstr(s, "addr_era\r\n1,commune_a,1,1,") != NULL);
    CHECK(s && strstr(s, "\r\n2,commune_a,2,,'=Trần Thị Bình,Trần,") != NULL);
    /* a line break inside a quoted cell stays as it was; only record ends are CRLF */
    CHECK(s && strstr(s, "\"Thôn 3\nXã\tY\\Z\"") != NULL);
    free(s);
}

static void
test_records_pgcopy_null_vs_empty(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_PGCOPY, 0, 0, NULL, NULL, &err);
    const char *r2 = "2\tcommune_a\t2\t\\N\t=Trần Thị Bình\tTrần\tThị\tBình\t1985\tyear\tF\t"
                     "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\tThôn 3\\nXã\\tY\\\\Z\ta.csv\t3\t"
                     "\\N\t\\N\t\\N\t\\N\t\\N\tnăm 1985\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                     "\\N\n";
    const char *r1 = "1\tcommune_a\t1\t1\tNguyễn Văn An\tNguyễn\tVăn\tAn\t1990-03-05\tday\tM\t"
                     "001090012345\t\\N\tKinh\t01\t001\t00004\t01\t00004\tSố 5, ngõ \"Hoa\"\t"
                     "a.csv\t2\t01\t\\N\t\\N\t0.90\texact\t\\N\t"
                     "Số 5, ngõ \"Hoa\", P. Trúc Bạch, Q. Ba Đình, HN\tThành phố Hà Nội\t"
                     "Quận Ba Đình\tPhường Trúc Bạch\tThành phố Hà Nội\tPhường Ba Đình\tboth\n";

    CHECK(s != NULL);
    CHECK(s && strncmp(s, r1, strlen(r1)) == 0); /* no header line in COPY text */
    CHECK(s && strstr(s, r2) != NULL);
    free(s);
}

static void
test_records_jsonl_escaping(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_JSONL, 0, 0, NULL, NULL, &err);
    const char *r2 =
        "\n{\"record_id\":2,\"source\":\"commune_a\",\"src_row\":2,\"cluster_id\":null,"
        "\"full_name\":\"=Trần Thị Bình\",\"family_name\":\"Trần\",\"middle_name\":\"Thị\","
        "\"given_name\":\"Bình\",\"dob\":\"1985\",\"dob_precision\":\"year\",\"sex\":\"F\","
        "\"id12\":null,\"cmnd\":null,\"ethnic\":null,\"province_code\":null,"
        "\"district_code\":null,\"ward_code\":null,\"new_province_code\":null,"
        "\"new_ward_code\":null,\"address_detail\":\"Thôn 3\\nXã\\tY\\\\Z\","
        "\"src_file\":\"a.csv\",\"src_line\":3,\"ethnic_code\":null,\"issue_date\":null,"
        "\"expiry_date\":null,\"addr_confidence\":null,\"addr_reason\":null,"
        "\"dob_raw\":\"năm 1985\",\"address_raw\":null,\"province_name\":null,"
        "\"district_name\":null,\"ward_name\":null,\"new_province_name\":null,"
        "\"new_ward_name\":null,\"addr_era\":null}\n";

    CHECK(s && strstr(s, r2) != NULL);
    CHECK(s && strstr(s, "\"address_detail\":\"Số 5, ngõ \\\"Hoa\\\"\"") != NULL);
    CHECK(s && strstr(s, "\"addr_confidence\":0.90,") != NULL);
    free(s);
}

static void
test_records_sql_literals(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_SQL, 0, 0, NULL, NULL, &err);
    const char *r2 = "\nINSERT INTO records VALUES (2, 'commune_a', 2, NULL, '=Trần Thị Bình', "
                     "'Trần', 'Thị', 'Bình', '1985', 'year', 'F', '', NULL, NULL, NULL, NULL, "
                     "NULL, NULL, NULL, 'Thôn 3\nXã\tY\\Z', 'a.csv', 3, NULL, NULL, NULL, NULL, "
                     "NULL, 'năm 1985', NULL, NULL, NULL, NULL, NULL, NULL, NULL);\n";

    CHECK(s && strncmp(s, "BEGIN;\nINSERT INTO records VALUES (1, 'commune_a', 1, 1, ", 57) == 0);
    CHECK(s && strstr(s, r2) != NULL);
    CHECK(s && strlen(s) > 8 && strcmp(s + strlen(s) - 8, "COMMIT;\n") == 0);
    free(s);
}

static void
test_findings_null_record_sorts_first(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *csv = run(DC_EXPORT_FINDINGS, DC_EXPORT_CSV, 0, 0, NULL, NULL, &err);
    char *sql = run(DC_EXPORT_FINDINGS, DC_EXPORT_SQL, 0, 0, NULL, NULL, &err);

    /* the person and the line a clerk looks for follow: src_file, src_line, full_name,
     * dob, id12 (r1: a.csv line 2); a finding of no record has none */
    CHECK_STR(csv, "record_id,source,src_row,code,severity,field,expected,actual,message,"
                   "src_file,src_line,full_name,dob,id12\n"
                   ",,,X_BATCH,info,,,,\"batch has \"\"3\"\" rows\",,,,,\n"
                   "1,commune_a,1,ID_BIRTH_YEAR,error,id12,1990,1991,\"id12 says born 1991, "
                   "dob says 1990 (can't both be right)\",a.csv,2,Nguyễn Văn An,1990-03-05,"
                   "001090012345\n");
    CHECK_STR(sql, "BEGIN;\n"
                   "INSERT INTO findings VALUES (NULL, NULL, NULL, 'X_BATCH', 'info', NULL, "
                   "NULL, NULL, 'batch has \"3\" rows', NULL, NULL, NULL, NULL, NULL);\n"
                   "INSERT INTO findings VALUES (1, 'commune_a', 1, 'ID_BIRTH_YEAR', 'error', "
                   "'id12', '1990', '1991', 'id12 says born 1991, dob says 1990 (can''t both "
                   "be right)', 'a.csv', 2, 'Nguyễn Văn An', '1990-03-05', '001090012345');\n"
                   "COMMIT;\n");
    free(csv);
    free(sql);
}

static void
test_clusters_and_pairs(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *c = run(DC_EXPORT_CLUSTERS, DC_EXPORT_CSV, 0, 0, NULL, NULL, &err);
    char *p = run(DC_EXPORT_PAIRS, DC_EXPORT_JSONL, 0, 0, NULL, NULL, &err);
    char *q = run(DC_EXPORT_PAIRS, DC_EXPORT_PGCOPY, 0, 0, NULL, NULL, &err);

    CHECK_STR(c, "cluster_id,record_id,source,src_row\n1,1,commune_a,1\n1,3,idcard_reg,1\n"
                 "1,4,commune_b,1\n");
    CHECK_STR(p, "{\"a\":1,\"a_source\":\"commune_a\",\"a_src_row\":1,\"b\":3,"
                 "\"b_source\":\"idcard_reg\",\"b_src_row\":1,\"weight\":12.5,\"prob\":0.99,"
                 "\"gamma\":7}\n"
                 "{\"a\":1,\"a_source\":\"commune_a\",\"a_src_row\":1,\"b\":4,"
                 "\"b_source\":\"commune_b\",\"b_src_row\":1,\"weight\":8.25,\"prob\":0.75,"
                 "\"gamma\":5}\n");
    CHECK_STR(q, "1\tcommune_a\t1\t3\tidcard_reg\t1\t12.5\t0.99\t7\n"
                 "1\tcommune_a\t1\t4\tcommune_b\t1\t8.25\t0.75\t5\n");
    free(c);
    free(p);
    free(q);
}

static void
test_rejects_raw_bytes_each_format(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *csv = run(DC_EXPORT_REJECTS, DC_EXPORT_CSV, 0, 0, NULL, NULL, &err);
    char *js = run(DC_EXPORT_REJECTS, DC_EXPORT_JSONL, 0, 0, NULL, NULL, &err);
    char *cp = run(DC_EXPORT_REJECTS, DC_EXPORT_PGCOPY, 0, 0, NULL, NULL, &err);
    char *sq = run(DC_EXPORT_REJECTS, DC_EXPORT_SQL, 0, 0, NULL, NULL, &err);

    CHECK_STR(csv, "batch_id,source,src_file,src_row,src_line,reason,raw\n"
                   "1,commune_a,a.csv,3,4,wrong field count,\"Nguy\xean,\"\"x\"\n");
    CHECK_STR(js, "{\"batch_id\":1,\"source\":\"commune_a\",\"src_file\":\"a.csv\","
                  "\"src_row\":3,\"src_line\":4,\"reason\":\"wrong field count\","
                  "\"raw\":\"Nguy\\ufffdn,\\\"x\"}\n");
    CHECK_STR(cp, "1\tcommune_a\ta.csv\t3\t4\twrong field count\t\\\\x4e677579ea6e2c2278\n");
    CHECK_STR(sq, "BEGIN;\nINSERT INTO rejects VALUES (1, 'commune_a', 'a.csv', 3, 4, "
                  "'wrong field count', '\\x4e677579ea6e2c2278');\nCOMMIT;\n");
    free(csv);
    free(js);
    free(cp);
    free(sq);
}

/* Change rows with count 1, and per source the format-only changes normalize counted:
 * two import files of commune_a add up; the counts come first in their source. */
static void
test_changes_csv(void)
{
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_db_exec(db,
                         "INSERT INTO batch(id, stage, source, src_file, started) VALUES"
                         " (3, 'import', 'commune_a', 'a2.csv', '2026-01-01'),"
                         " (4, 'import', 'commune_b', 'b.csv', '2026-01-01');"
                         "INSERT INTO change_count VALUES (1, 'dob', 'date-iso', 5),"
                         " (3, 'dob', 'date-iso', 4), (1, 'sex', 'sex-code', 2),"
                         " (4, 'sex', 'sex-code', 1)",
                         &err),
              0);
    char *s = run(DC_EXPORT_CHANGES, DC_EXPORT_CSV, 0, 0, NULL, NULL, &err);
    CHECK_STR(s, "record_id,source,src_row,field,before,after,rule,count\n"
                 ",commune_a,,dob,,,date-iso,9\n"
                 ",commune_a,,sex,,,sex-code,2\n"
                 "1,commune_a,1,full_name,nguyen van an,Nguyễn Văn An,name_case,1\n"
                 "2,commune_a,2,dob,  1985,1985,trim,1\n"
                 ",commune_b,,sex,,,sex-code,1\n");
    free(s);
    s = run(DC_EXPORT_CHANGES, DC_EXPORT_JSONL, 0, 0, NULL, NULL, &err);
    CHECK(s && strstr(s, "{\"record_id\":null,\"source\":\"commune_a\",\"src_row\":null,"
                         "\"field\":\"dob\",\"before\":null,\"after\":null,"
                         "\"rule\":\"date-iso\",\"count\":9}\n") != NULL);
    free(s);
    CHECK_INT(
        dc_db_exec(db, "DELETE FROM change_count; DELETE FROM batch WHERE id IN (3, 4)", &err), 0);
}

static void
test_survivors_majority_then_idcard_tie(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_CSV, 0, 1, NULL, NULL, &err);
    char want[4096];

    /* cluster 1 = r1, r3, r4, the ID-card record r3 preferred.  full_name: all three fold
     * to "nguyen van an" and have diacritics; "Nguyễn Văn An" x2 beats "Nguyễn Văn Ân";
     * the name parts follow the full name (r1's: given_name An); dob: year 1990 x3, the
     * full date (r1 = r3) beats r4's year-only; address: r1 = r4 beats r3; cmnd only in r4;
     * issue/expiry only in r3; addr_confidence all differ: r3's.  taken_from lists the
     * fields whose value is not r3's own.  r2 alone, cluster_id empty. */
    snprintf(want, sizeof want,
             "%s,contributing_record_ids,taken_from\n"
             "1,idcard_reg,1,1,Nguyễn Văn An,Nguyễn,Văn,An,1990-03-05,day,M,001090012345,"
             "123456789,Kinh,01,001,00004,01,00004,\"Số 5, ngõ \"\"Hoa\"\"\",cccd.csv,2,01,"
             "2021-04-01,2036-03-05,1.00,exact,,"
             "\"Số 5, ngõ \"\"Hoa\"\", P. Trúc Bạch, Q. Ba Đình, HN\"," NAMES ",both,"
             "1;3;4,3;full_name=1;given_name=1;cmnd=4;address_detail=1;address_raw=1;addr_era=1\n"
             "2,commune_a,2,,=Trần Thị Bình,Trần,Thị,Bình,1985,year,F,,,,,,,,,"
             "\"Thôn 3\nXã\tY\\Z\",a.csv,3,,,,,,năm 1985,,,,,,,,2,2\n",
             rec_header);
    CHECK_STR(s, want);
    free(s);
}

static void
test_pseudonym_rfc4231_vector(void)
{
    /* RFC 4231 test case 1: key 0x0b x 20, "Hi There" ->
     * b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7 */
    unsigned char key[20];
    char tok[19];
    struct dc_error err = DC_ERROR_INIT;

    memset(key, 0x0b, sizeof key);
    CHECK_INT(dc_export_pseudonym(key, sizeof key, "Hi There", 8, tok, &err), 0);
    CHECK_STR(tok, "p_b0344c61d8db3853");
}

static void
test_pseudonymize_records_findings_changes(void)
{
    struct dc_error err = DC_ERROR_INIT;
    unsigned char key[20];
    char t_id[19], t_full[19], t_1990[19], t_lower[19];
    char line[512];

    memset(key, 0x0b, sizeof key);
    dc_export_pseudonym(key, 20, "001090012345", 12, t_id, &err);
    dc_export_pseudonym(key, 20, "Nguyễn Văn An", strlen("Nguyễn Văn An"), t_full, &err);
    dc_export_pseudonym(key, 20, "1990", 4, t_1990, &err);
    dc_export_pseudonym(key, 20, "nguyen van an", 13, t_lower, &err);

    char *rec = run(DC_EXPORT_RECORDS, DC_EXPORT_CSV, 0, 0, key, NULL, &err);
    char *fnd = run(DC_EXPORT_FINDINGS, DC_EXPORT_CSV, 0, 0, key, NULL, &err);
    char *chg = run(DC_EXPORT_CHANGES, DC_EXPORT_CSV, 0, 0, key, NULL, &err);

    CHECK(rec && !strstr(rec, "001090012345") && !strstr(rec, "Nguyễn Văn An"));
    snprintf(line, sizeof line, "\n1,commune_a,1,1,%s,", t_full);
    CHECK(rec && strstr(rec, line) != NULL);
    snprintf(line, sizeof line, ",M,%s,,Kinh,", t_id);
    CHECK(rec && strstr(rec, line) != NULL);
    /* empty id12 stays empty, so empty values never join */
    CHECK(rec && strstr(rec, ",F,,,,,,,,,\"Thôn 3") != NULL);
    /* the finding on field id12 hides expected/actual; the batch finding is unchanged */
    snprintf(line, sizeof line, ",id12,%s,", t_1990);
    CHECK(fnd && strstr(fnd, line) != NULL && strstr(fnd, "X_BATCH,info,,,,") != NULL);
    snprintf(line, sizeof line, "1,commune_a,1,full_name,%s,%s,name_case,1\n", t_lower, t_full);
    CHECK(chg && strstr(chg, line) != NULL);
    CHECK(chg && strstr(chg, "2,commune_a,2,dob,  1985,1985,trim,1\n") != NULL);
    free(rec);
    free(fnd);
    free(chg);

    char *rej = run(DC_EXPORT_REJECTS, DC_EXPORT_CSV, 0, 0, key, NULL, &err);
    CHECK(rej == NULL && err.status == DC_EX_USAGE);
}

static void
test_key_file_too_short(void)
{
    char path[300];
    unsigned char key[DC_EXPORT_KEY_MAX];
    size_t len = 0;
    struct dc_error err = DC_ERROR_INIT;
    FILE *fp;

    snprintf(path, sizeof path, "%s/short.key", dir);
    fp = fopen(path, "w");
    fputs("fifteen bytes!!", fp);
    fclose(fp);
    CHECK_INT(dc_export_read_key(path, key, &len, &err), -1);
    CHECK_INT(err.status, DC_EX_USAGE);
    dc_error_clear(&err);
    fp = fopen(path, "w");
    fputs("sixteen bytes!!!", fp);
    fclose(fp);
    CHECK_INT(dc_export_read_key(path, key, &len, &err), 0);
    CHECK_INT(len, 16);
}

static void
test_gzip_deterministic(void)
{
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS, .format = DC_EXPORT_CSV, .gzip = 1};
    struct dc_error err = DC_ERROR_INIT;
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    long long rows = 0;
    FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);

    CHECK_INT(dc_export_write(db, &o, fa, &rows, &err), 0);
    CHECK_INT(dc_export_write(db, &o, fb, &rows, &err), 0);
    fclose(fa);
    fclose(fb);
    CHECK_INT(rows, 4);
    CHECK(na == nb && na > 18 && memcmp(a, b, na) == 0);
    /* RFC 1952: magic 1f 8b, CM 8, FLG 0 (no name), MTIME 0 */
    CHECK(na > 10 && memcmp(a, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) == 0);
    free(a);
    free(b);
}

static void
sha_hex(const char *data, size_t n, char hex[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static char *
slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *buf = malloc(1 << 16);
    *n = fp && buf ? fread(buf, 1, (1 << 16) - 1, fp) : 0;
    if (buf)
        buf[*n] = '\0';
    if (fp)
        fclose(fp);
    return buf;
}

static int
export_file(const char *path, const struct dc_export_opts *o, long long *rows, struct dc_error *err)
{
    struct dc_atomic_file f;
    if (dc_atomic_begin(&f, path, err) < 0)
        return -1;
    if (dc_export_write(db, o, f.fp, rows, err) < 0 || dc_atomic_commit(&f, err) < 0) {
        dc_atomic_abort(&f);
        return -1;
    }
    dc_atomic_abort(&f);
    return 0;
}

static void
test_atomic_file_mode_0600_under_umask_022(void)
{
    struct dc_export_opts o = {.what = DC_EXPORT_CLUSTERS, .format = DC_EXPORT_CSV};
    struct dc_error err = DC_ERROR_INIT;
    char path[300];
    struct stat sb;
    long long rows = 0;
    mode_t old = umask(022);

    snprintf(path, sizeof path, "%s/clusters.csv", dir);
    CHECK_INT(export_file(path, &o, &rows, &err), 0);
    CHECK_INT(stat(path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    CHECK_INT(rows, 3);
    CHECK_INT(dc_atomic_write_small(path, "x", 1, &err), 0);
    CHECK_INT(stat(path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    umask(old);
}

/* issue 19: killed exports left ".NAME.XXXXXX" files with personal data, never removed */
static void
test_stale_temp_files_swept(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char path[300], stale[320], live[320], other[320], shared[320];
    struct stat sb;
    int fd, held;

    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    snprintf(stale, sizeof stale, "%s/.sweep.csv.aB3xYz", dir);   /* a killed run's */
    snprintf(live, sizeof live, "%s/.sweep.csv.Qq1234", dir);     /* a running export's */
    snprintf(other, sizeof other, "%s/.sweep.csv.notours", dir);  /* not our name form */
    snprintf(shared, sizeof shared, "%s/.sweep.csv.R2d2C3", dir); /* 0644: not ours */
    fd = open(stale, O_CREAT | O_WRONLY, 0600);
    close(fd);
    fd = open(other, O_CREAT | O_WRONLY, 0600);
    close(fd);
    fd = open(shared, O_CREAT | O_WRONLY, 0644);
    fchmod(fd, 0644);
    close(fd);
    held = open(live, O_CREAT | O_WRONLY, 0600);
    CHECK_INT(flock(held, LOCK_EX), 0);
    CHECK_INT(dc_atomic_write_small(path, "x", 1, &err), 0);
    CHECK(stat(stale, &sb) != 0);
    CHECK_INT(stat(live, &sb), 0);
    CHECK_INT(stat(other, &sb), 0);
    CHECK_INT(stat(shared, &sb), 0);
    close(held); /* its writer died: the next export removes it */
    CHECK_INT(dc_atomic_write_small(path, "y", 1, &err), 0);
    CHECK(stat(live, &sb) != 0);
    unlink(other);
    unlink(shared);
}

static void
test_dev_full_is_write_error(void)
{
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS, .format = DC_EXPORT_CSV};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_atomic_file f;
    long long rows;

    if (access("/dev/full", W_OK) != 0) {
        CHECK(1); /* no /dev/full here */
        return;
    }
    CHECK_INT(dc_atomic_begin(&f, "/dev/full", &err), 0);
    CHECK_INT(f.direct, 1);
    int rc = dc_export_write(db, &o, f.fp, &rows, &err);
    if (rc == 0)
        rc = dc_atomic_commit(&f, &err);
    dc_atomic_abort(&f);
    CHECK_INT(rc, -1);
    CHECK_INT(err.status, DC_EX_IOERR);
}

static void
test_manifest_sha_rows_and_verify(void)
{
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS, .format = DC_EXPORT_CSV};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_manifest_info mi;
    struct dc_manifest_check mc;
    char path[300], mpath[320], hex[65], *data, *json;
    size_t n;
    long long rows = 0, counted = -1;

    CHECK_INT(dc_manifest_sha256_file("/dev/null", hex, NULL, &err), 0);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    snprintf(path, sizeof path, "%s/records.csv", dir);
    snprintf(mpath, sizeof mpath, "%s.manifest.json", path);
    CHECK_INT(export_file(path, &o, &rows, &err), 0);
    data = slurp(path, &n);
    memset(&mi, 0, sizeof mi);
    CHECK_INT(dc_manifest_sha256_file(path, mi.sha256, &mi.bytes, &err), 0);
    sha_hex(data, n, hex);
    CHECK_STR(mi.sha256, hex);
    CHECK_INT(mi.bytes, n);
    /* the quoted address holds a line break: 5 lines of records, 4 records + header */
    CHECK_INT(dc_manifest_count_rows(path, DC_EXPORT_CSV, 0, &counted, &err), 0);
    CHECK_INT(counted, 4);
    mi.version = "9.9";
    mi.command = "dancu export db --what records -o \"x\"";
    mi.created = "2026-01-02T00:00:00Z";
    mi.file = path;
    mi.opts = &o;
    mi.rows = rows;
    json = dc_manifest_build(db, &mi, &err);
    CHECK(json && strstr(json, "\"batches\": [\n    {\"id\": 1, \"stage\": \"import\"},\n"
                               "    {\"id\": 2, \"stage\": \"normalize\"}\n  ]\n}\n"));
    CHECK(json && strstr(json, "\"file\": \"records.csv\",\n"));
    CHECK(json && strstr(json, "\"command\": \"dancu export db --what records -o \\\"x\\\"\""));
    CHECK_INT(dc_manifest_parse(json, strlen(json), &mc, &err), 0);
    CHECK_STR(mc.sha256, hex);
    CHECK_INT(mc.rows, 4);
    CHECK_STR(mc.format, "csv");
    CHECK_INT(dc_atomic_write_small(mpath, json, strlen(json), &err), 0);
    CHECK_INT(dc_manifest_verify(path, &err), 0);

    /* one byte changed, same size: the digest catches it */
    data[0] = 'R';
    CHECK_INT(dc_atomic_write_small(path, data, n, &err), 0);
    CHECK_INT(dc_manifest_verify(path, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK(strstr(err.msg, "SHA-256") != NULL);
    dc_error_clear(&err);
    /* truncated: the size catches it */
    CHECK_INT(dc_atomic_write_small(path, data, n - 1, &err), 0);
    CHECK_INT(dc_manifest_verify(path, &err), -1);
    CHECK(strstr(err.msg, "size") != NULL);
    dc_error_clear(&err);
    CHECK_INT(dc_manifest_parse("{\n  \"rows\": 3\n}\n", 16, &mc, &err), -1);
    CHECK_INT(err.status, DC_EX_DATAERR);
    free(json);
    free(data);
}

static void
test_count_rows_sql_quote_aware(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char path[300];
    long long rows = -1;
    const char *sql = "BEGIN;\nINSERT INTO t VALUES ('a\nINSERT INTO t VALUES (''x');\n"
                      "INSERT INTO t VALUES ('b');\nCOMMIT;\n";

    snprintf(path, sizeof path, "%s/t.sql", dir);
    CHECK_INT(dc_atomic_write_small(path, sql, strlen(sql), &err), 0);
    CHECK_INT(dc_manifest_count_rows(path, DC_EXPORT_SQL, 0, &rows, &err), 0);
    CHECK_INT(rows, 2);
}

static void
test_schema_types(void)
{
    struct dc_export_opts o = {.what = DC_EXPORT_REJECTS, .format = DC_EXPORT_PGCOPY};
    struct dc_error err = DC_ERROR_INIT;
    char *s = dc_export_schema_sql(&o, &err);

    CHECK(s && strstr(s, "CREATE TABLE IF NOT EXISTS rejects (\n    batch_id bigint,\n"
                         "    source text,\n"));
    CHECK(s && strstr(s, "    raw bytea\n);\n"));
    free(s);
    o.what = DC_EXPORT_RECORDS;
    s = dc_export_schema_sql(&o, &err);
    CHECK(s && strstr(s, "    province_code text,\n") && strstr(s, "    dob text,\n") &&
          strstr(s, "    addr_confidence numeric(5,2),\n"));
    free(s);
}

/* ---- the fast paths (issue #7): integers, two-decimal numbers, CSV scan, big rows ---- */

static struct dc_db *
edge_db(const char *name, const char *sql)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *d = NULL;
    char path[300];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (dc_db_open(path, DC_DB_CREATE, &d, &err) < 0 || dc_db_exec(d, sql, &err) < 0) {
        printf("# %s: %s\n", name, err.msg);
        dc_db_close(d, NULL);
        return NULL;
    }
    return d;
}

static char *
run_on(struct dc_db *d, enum dc_export_format f, size_t *len, struct dc_error *err)
{
    struct dc_db *keep = db;
    char *s;

    db = d;
    s = run(DC_EXPORT_RECORDS, f, 0, 0, NULL, len, err);
    db = keep;
    return s;
}

/* Columns after dob_raw's neighbours, for a person with only the keys and one value. */
#define EDGE_PERSON "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line"

static void
test_int64_extremes_and_num2_like_sql_printf(void)
{
    /* addr_confidence as SQL printf('%.2f') writes it: SQLite adds half a unit before
     * cutting digits, so 0.125 -> 0.13, 0.005 -> 0.01, 2.675 -> 2.68 (C's printf gives
     * 0.12, 0.00, 2.67: the exact binary value rounded half-even); text is 0.0; the
     * value cache holds 4, so six distinct values and a repeat exercise the eviction */
    struct dc_db *d = edge_db(
        "ints.db", "INSERT INTO batch(id, stage, source, src_file, started) VALUES"
                   " (1, 'import', 's', 'f', '2026-01-01');" EDGE_PERSON ", addr_confidence)"
                   " VALUES (1, 1, 's', 'f', 9223372036854775807, -9223372036854775808, 0.125),"
                   " (2, 1, 's', 'f', -1, 0, 0.005), (3, 1, 's', 'f', 3, 10, 2.675),"
                   " (4, 1, 's', 'f', 4, 1, 'abc'), (5, 1, 's', 'f', 5, 1, 0.5),"
                   " (6, 1, 's', 'f', 6, 1, 1), (7, 1, 's', 'f', 7, 1, 0.125),"
                   " (8, 1, 's', 'f', 8, 1, NULL);"
                   "INSERT INTO cluster VALUES (2, -42);");
    struct dc_error err = DC_ERROR_INIT;
    char *s = d ? run_on(d, DC_EXPORT_CSV, NULL, &err) : NULL;
    char want[2048];

    /* rows sort by source, src_row: -1 first, INT64_MAX last */
    snprintf(want, sizeof want,
             "%s\n"
             "2,s,-1,-42,,,,,,,,,,,,,,,,,f,0,,,,0.01,,,,,,,,,\n"
             "3,s,3,,,,,,,,,,,,,,,,,,f,10,,,,2.68,,,,,,,,,\n"
             "4,s,4,,,,,,,,,,,,,,,,,,f,1,,,,0.00,,,,,,,,,\n"
             "5,s,5,,,,,,,,,,,,,,,,,,f,1,,,,0.50,,,,,,,,,\n"
             "6,s,6,,,,,,,,,,,,,,,,,,f,1,,,,1.00,,,,,,,,,\n"
             "7,s,7,,,,,,,,,,,,,,,,,,f,1,,,,0.13,,,,,,,,,\n"
             "8,s,8,,,,,,,,,,,,,,,,,,f,1,,,,,,,,,,,,,\n"
             "1,s,9223372036854775807,,,,,,,,,,,,,,,,,,f,-9223372036854775808,,,,0.13,,,,,,,,,\n",
             rec_header);
    CHECK_STR(s, want);
    free(s);
    /* JSON: integers stay numbers, the two-decimal text is a number too, NULL is null */
    s = d ? run_on(d, DC_EXPORT_JSONL, NULL, &err) : NULL;
    CHECK(s && strstr(s, "{\"record_id\":2,\"source\":\"s\",\"src_row\":-1,\"cluster_id\":-42,"));
    CHECK(s && strstr(s, "\"src_line\":-9223372036854775808,") != NULL);
    CHECK(s && strstr(s, "\"addr_confidence\":2.68,") != NULL);
    CHECK(s && strstr(s, "\"addr_confidence\":null,") != NULL);
    free(s);
    /* SQL: printf() gave text, so the number stays a quoted literal as before */
    s = d ? run_on(d, DC_EXPORT_SQL, NULL, &err) : NULL;
    CHECK(s && strstr(s, "VALUES (2, 's', -1, -42, NULL,") != NULL);
    CHECK(s && strstr(s, ", 'f', 0, NULL, NULL, NULL, '0.01', NULL, NULL, NULL, NULL, NULL, "
                         "NULL, NULL, NULL, NULL);\n") != NULL);
    free(s);
    dc_db_close(d, NULL);
}

static void
test_csv_special_byte_at_word_edges(void)
{
    /* the scan reads 8 bytes at a time: a special byte in the first word, at its last
     * byte, at the first byte of the second word, in the tail, and none in 16 bytes */
    struct dc_db *d = edge_db(
        "scan.db", "INSERT INTO batch(id, stage, source, src_file, started) VALUES"
                   " (1, 'import', 's', 'f', '2026-01-01');" EDGE_PERSON ", full_name)"
                   " VALUES (1, 1, 's', 'f', 1, 1, 'ab,cdefghij'),"
                   " (2, 1, 's', 'f', 2, 1, 'abcdefg\"hij'), (3, 1, 's', 'f', 3, 1, 'abcdefgh' ||"
                   " char(10) || 'ij'), (4, 1, 's', 'f', 4, 1, 'abcdefghijk' || char(13)),"
                   " (5, 1, 's', 'f', 5, 1, '0123456789abcdef'), (6, 1, 's', 'f', 6, 1, ','),"
                   " (7, 1, 's', 'f', 7, 1, 'Nguyễn,Văn\"An\"');");
    struct dc_error err = DC_ERROR_INIT;
    char *s = d ? run_on(d, DC_EXPORT_CSV, NULL, &err) : NULL;
    const char *want[] = {"\n1,s,1,,\"ab,cdefghij\",,",         "\n2,s,2,,\"abcdefg\"\"hij\",,",
                          "\n3,s,3,,\"abcdefgh\nij\",,",        "\n4,s,4,,\"abcdefghijk\r\",,",
                          "\n5,s,5,,0123456789abcdef,,",        "\n6,s,6,,\",\",,",
                          "\n7,s,7,,\"Nguyễn,Văn\"\"An\"\"\",,"};

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        TAP_ROW("want \"%s\"", want[i]);
        CHECK(s && strstr(s, want[i]) != NULL);
    }
    TAP_ROW_END();
    free(s);
    dc_db_close(d, NULL);
}

static void
test_row_larger_than_flush_buffer(void)
{
    /* a 3 MiB address with a quote in the middle: the row buffer grows past the 1 MiB
     * flush mark, the row is written whole, and the next row follows it */
    struct dc_db *d =
        edge_db("big.db", "INSERT INTO batch(id, stage, source, src_file, started) VALUES"
                          " (1, 'import', 's', 'f', '2026-01-01');" EDGE_PERSON ", address_detail)"
                          " VALUES (1, 1, 's', 'f', 1, 1, replace(hex(zeroblob(786432)), '0', 'x')"
                          " || '\"' || replace(hex(zeroblob(786432)), '0', 'y')),"
                          " (2, 1, 's', 'f', 2, 1, 'z');");
    struct dc_error err = DC_ERROR_INIT;
    size_t n = 0, h = sizeof rec_header, big = 2 * 1572864 + 2 + 2; /* "" and quotes */
    char *s = d ? run_on(d, DC_EXPORT_CSV, &n, &err) : NULL;
    const char *last = "\n2,s,2,,,,,,,,,,,,,,,,,z,f,1,,,,,,,,,,,,,\n";
    const char *p = s ? s + h + strlen("1,s,1,,,,,,,,,,,,,,,,,") : NULL;

    /* header\n + row 1 (prefix, address, ",f,1,,,,,,,,,,,,,\n") + row 2 */
    CHECK_INT(n, h + strlen("1,s,1,,,,,,,,,,,,,,,,,") + big + strlen(",f,1,,,,,,,,,,,,,\n") +
                     strlen("2,s,2,,,,,,,,,,,,,,,,,z,f,1,,,,,,,,,,,,,\n"));
    CHECK(p && p[0] == '"' && p[1] == 'x' && p[1572864] == 'x' && p[1572865] == '"' &&
          p[1572866] == '"' && p[1572867] == 'y' && p[big - 2] == 'y' && p[big - 1] == '"');
    CHECK(s && n > strlen(last) && strcmp(s + n - strlen(last), last) == 0);
    free(s);
    dc_db_close(d, NULL);
}

static void
test_file_sha256_while_writing(void)
{
    /* FIPS 180-2 appendix B.1: SHA-256("abc") */
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS, .format = DC_EXPORT_CSV, .gzip = 1};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_atomic_file f;
    char path[300], hex[65], *data;
    size_t n;
    long long rows, bytes = -1;

    snprintf(path, sizeof path, "%s/abc.txt", dir);
    CHECK_INT(dc_atomic_begin(&f, path, &err), 0);
    CHECK(f.fp && fputs("ab", f.fp) >= 0 && fputc('c', f.fp) == 'c');
    CHECK_INT(dc_atomic_close(&f, &err), 0);
    CHECK_STR(f.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT(f.bytes, 3);
    CHECK_INT(dc_atomic_commit(&f, &err), 0);
    dc_atomic_abort(&f);
    CHECK_INT(dc_manifest_sha256_file(path, hex, &bytes, &err), 0);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* gzip'd: the digest is of the compressed bytes in the file */
    snprintf(path, sizeof path, "%s/records.csv.gz", dir);
    CHECK_INT(dc_atomic_begin(&f, path, &err), 0);
    CHECK_INT(dc_export_write(db, &o, f.fp, &rows, &err), 0);
    CHECK_INT(dc_atomic_close(&f, &err), 0);
    CHECK_INT(dc_atomic_commit(&f, &err), 0);
    dc_atomic_abort(&f);
    data = slurp(path, &n);
    sha_hex(data, n, hex);
    CHECK(n > 18 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b);
    CHECK_STR(f.sha256, hex);
    CHECK_INT(f.bytes, n);
    free(data);
}

static void
write_error_reported_by_close(int force_inline)
{
    /* the writer thread's write(2) fails (EFBIG past RLIMIT_FSIZE, SIGXFSZ ignored): the
     * fwrite may already have returned, so close must drain the ring and report it */
    struct dc_error err = DC_ERROR_INIT;
    struct dc_atomic_file f;
    struct rlimit old, lim;
    size_t n = 4 << 20;
    char path[300], *buf = malloc(n);
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    int rc = -1;

    snprintf(path, sizeof path, "%s/efbig.csv", dir);
    CHECK(buf != NULL && getrlimit(RLIMIT_FSIZE, &old) == 0);
    if (!buf)
        return;
    memset(buf, 'x', n);
    lim = old;
    lim.rlim_cur = 1 << 20;
    dc_relay_force_inline(force_inline);
    CHECK_INT(dc_atomic_begin(&f, path, &err), 0);
    dc_relay_force_inline(0);
    if (setrlimit(RLIMIT_FSIZE, &lim) == 0) {
        /* stdio passes one 4 MiB write to the ring whole: fwrite succeeds, and the
         * failure can only come out of close */
        size_t w = fwrite(buf, 1, n, f.fp);
        rc = dc_atomic_close(&f, &err);
        CHECK_INT(w, n);
        setrlimit(RLIMIT_FSIZE, &old);
    }
    dc_atomic_abort(&f);
    signal(SIGXFSZ, was);
    CHECK_INT(rc, -1);
    CHECK_INT(err.status, DC_EX_IOERR);
    CHECK(strstr(err.msg, "write error") != NULL);
    CHECK(access(path, F_OK) != 0); /* never renamed into place */
    free(buf);
}

static void
test_file_write_error_reported_by_close(void)
{
    write_error_reported_by_close(0);
    write_error_reported_by_close(1); /* no writer thread: the relay writes inline */
}

/* The writer's relay forced inline (as when no thread can start): the same bytes in the
 * file, the same SHA-256 and count, over many stdio flushes of uneven size. */
static void
test_file_inline_writer_same_bytes(void)
{
    size_t n = (5 << 20) + 12345;
    unsigned char *data = malloc(n);
    char path[300], want[65], hex[2][65], file_hex[65];
    long long bytes[2] = {-1, -1}, fbytes = -1;
    struct dc_error err = DC_ERROR_INIT;
    uint32_t x = 2463534242u;

    if (!CHECK(data != NULL))
        return;
    for (size_t i = 0; i < n; i++) { /* xorshift32: bytes no stdio or hash shortcut fits */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    sha_hex((const char *)data, n, want);
    for (int inl = 0; inl <= 1; inl++) {
        struct dc_atomic_file f;
        size_t at = 0, step = 1;

        snprintf(path, sizeof path, "%s/relay-%d.bin", dir, inl);
        dc_relay_force_inline(inl);
        CHECK_INT(dc_atomic_begin(&f, path, &err), 0);
        dc_relay_force_inline(0);
        while (at < n) { /* 1 byte to 1.5 MiB: below, at and over the stdio buffer */
            size_t k = step < n - at ? step : n - at;
            if (fwrite(data + at, 1, k, f.fp) != k)
                break;
            at += k;
            step = (step * 7 + 12345) % (3 << 19) + 1;
        }
        CHECK_INT(at, n);
        CHECK_INT(dc_atomic_close(&f, &err), 0);
        snprintf(hex[inl], sizeof hex[inl], "%s", f.sha256);
        bytes[inl] = f.bytes;
        CHECK_INT(dc_atomic_commit(&f, &err), 0);
        dc_atomic_abort(&f);
        CHECK_INT(dc_manifest_sha256_file(path, file_hex, &fbytes, &err), 0);
        CHECK_STR(file_hex, want);
        CHECK_INT(fbytes, n);
    }
    CHECK_STR(hex[0], want);
    CHECK_STR(hex[1], hex[0]);
    CHECK_INT(bytes[0], n);
    CHECK_INT(bytes[1], bytes[0]);
    free(data);
}

/* --excel: IDs, codes and dates that start with a digit go out as ="..." (Excel keeps the
 * text), quoted by RFC 4180 because of the quotes; a name is not a code, so "=Trần" keeps
 * its formula guard instead. */
static void
test_excel_codes_as_formula_text(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char *s = run(DC_EXPORT_RECORDS, DC_EXPORT_CSV, 1, 0, NULL, NULL, &err);

    CHECK(s && strstr(s, ",M,\"=\"\"001090012345\"\"\",,Kinh,\"=\"\"01\"\"\",\"=\"\"001\"\"\","
                         "\"=\"\"00004\"\"\",") != NULL);
    CHECK(s && strstr(s, ",\"=\"\"1990-03-05\"\"\",day,") != NULL);
    CHECK(s && strstr(s, ",'=Trần Thị Bình,") != NULL);
    /* dob_raw 'năm 1985' starts with a letter: as it is */
    CHECK(s && strstr(s, ",năm 1985,,,,,,,\r\n") != NULL);
    free(s);
}

static char *
run_opts(const struct dc_export_opts *o, struct dc_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    long long rows;
    FILE *fp = open_memstream(&buf, &n);

    if (!fp)
        return NULL;
    int rc = dc_export_write(db, o, fp, &rows, err);
    fclose(fp);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* --delimiter ';': the separator between fields and in the header; a comma needs no
 * quotes any more, a quote still does. */
static void
test_delimiter_semicolon(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS, .format = DC_EXPORT_CSV, .delim = ';'};
    char *s = run_opts(&o, &err);

    CHECK(s && strncmp(s, "record_id;source;src_row;cluster_id;full_name;", 46) == 0);
    CHECK(s &&
          strstr(s, "\n1;commune_a;1;1;Nguyễn Văn An;Nguyễn;Văn;An;1990-03-05;day;M;"
                    "001090012345;;Kinh;01;001;00004;01;00004;\"Số 5, ngõ \"\"Hoa\"\"\";") != NULL);
    free(s);
    o.format = DC_EXPORT_JSONL;
    s = run_opts(&o, &err);
    CHECK(s == NULL && err.status == DC_EX_USAGE);
    free(s);
}

static void
test_format_of_path(void)
{
    enum dc_export_format f = DC_EXPORT_CSV;

    CHECK(dc_export_format_of_path("out/records.xlsx", &f) == 0 && f == DC_EXPORT_XLSX);
    CHECK(dc_export_format_of_path("RECORDS.XLSX", &f) == 0 && f == DC_EXPORT_XLSX);
    CHECK(dc_export_format_of_path("f.jsonl.gz", &f) == 0 && f == DC_EXPORT_JSONL);
    CHECK(dc_export_format_of_path("r.copy", &f) == 0 && f == DC_EXPORT_PGCOPY);
    CHECK(dc_export_format_of_path("r.sql", &f) == 0 && f == DC_EXPORT_SQL);
    CHECK(dc_export_format_of_path("r.csv", &f) == 0 && f == DC_EXPORT_CSV);
    CHECK(dc_export_format_of_path("records", &f) == -1);
    CHECK(dc_export_format_of_path("dir/.csv", &f) == -1);
    CHECK(dc_export_format_of_path("r.txt", &f) == -1);
}

static void
test_whats_parse_lists(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_export_opts o = {.what = DC_EXPORT_PAIRS};
    char label[96];

    CHECK(dc_export_whats_parse("records,findings", &o, &err) == 0 && o.nwhat == 2 &&
          o.what == DC_EXPORT_RECORDS && o.whats[1] == DC_EXPORT_FINDINGS);
    CHECK(dc_export_whats_parse("clusters", &o, &err) == 0 && o.nwhat == 3);
    dc_export_what_label(&o, label, sizeof label);
    CHECK(strcmp(label, "records,findings,clusters") == 0);
    CHECK(dc_export_whats_parse("records", &o, &err) < 0 && err.status == DC_EX_USAGE);
    memset(&o, 0, sizeof o);
    CHECK(dc_export_whats_parse("records,", &o, &err) < 0);
    memset(&o, 0, sizeof o);
    CHECK(dc_export_whats_parse(",records", &o, &err) < 0);
    memset(&o, 0, sizeof o);
    CHECK(dc_export_whats_parse("records,people", &o, &err) < 0);
}

/* A workbook is a zip (local file header "PK\3\4"); several tables need xlsx; no gzip. */
static void
test_xlsx_workbook_and_limits(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_export_opts o = {.what = DC_EXPORT_RECORDS,
                               .format = DC_EXPORT_XLSX,
                               .whats = {DC_EXPORT_RECORDS, DC_EXPORT_FINDINGS},
                               .nwhat = 2};
    char *s = run_opts(&o, &err);

    CHECK(s && memcmp(s, "PK\3\4", 4) == 0);
    free(s);
    o.format = DC_EXPORT_CSV;
    s = run_opts(&o, &err);
    CHECK(s == NULL && err.status == DC_EX_USAGE);
    free(s);
    o.format = DC_EXPORT_XLSX;
    o.gzip = 1;
    s = run_opts(&o, &err);
    CHECK(s == NULL && err.status == DC_EX_USAGE);
    free(s);
}

int
main(void)
{
    struct dc_error err = DC_ERROR_INIT;
    char path[300];
    const char *t = getenv("TMPDIR");

    snprintf(dir, sizeof dir, "%s/test_export.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/stage.db", dir);
    if (dc_db_open(path, DC_DB_CREATE, &db, &err) < 0 || dc_db_exec(db, setup_sql, &err) < 0) {
        printf("Bail out! setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_records_csv_quoting_and_order);
    RUN(test_records_excel_bom_crlf_guard);
    RUN(test_records_pgcopy_null_vs_empty);
    RUN(test_records_jsonl_escaping);
    RUN(test_records_sql_literals);
    RUN(test_findings_null_record_sorts_first);
    RUN(test_clusters_and_pairs);
    RUN(test_rejects_raw_bytes_each_format);
    RUN(test_changes_csv);
    RUN(test_survivors_majority_then_idcard_tie);
    RUN(test_pseudonym_rfc4231_vector);
    RUN(test_pseudonymize_records_findings_changes);
    RUN(test_key_file_too_short);
    RUN(test_gzip_deterministic);
    RUN(test_stale_temp_files_swept);
    RUN(test_atomic_file_mode_0600_under_umask_022);
    RUN(test_dev_full_is_write_error);
    RUN(test_manifest_sha_rows_and_verify);
    RUN(test_count_rows_sql_quote_aware);
    RUN(test_schema_types);
    RUN(test_int64_extremes_and_num2_like_sql_printf);
    RUN(test_csv_special_byte_at_word_edges);
    RUN(test_row_larger_than_flush_buffer);
    RUN(test_file_sha256_while_writing);
    RUN(test_file_write_error_reported_by_close);
    RUN(test_file_inline_writer_same_bytes);
    RUN(test_excel_codes_as_formula_text);
    RUN(test_delimiter_semicolon);
    RUN(test_format_of_path);
    RUN(test_whats_parse_lists);
    RUN(test_xlsx_workbook_and_limits);
    dc_db_close(db, &err);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
