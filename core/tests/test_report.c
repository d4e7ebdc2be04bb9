/*
 * test_report.c - dc_report_write on hand-built DBs, section by section: what each
 * section shows is counted by hand from the rows below (test_stats.c checks the numbers
 * themselves, masking and escaping; this file what the page makes of them), the empty DB
 * (every list says "none"), the language switch, and a write error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "report.h"
#include "tap.h"

static char dir[] = "/tmp/dc_test_report_XXXXXX";

/* Batches: import a (4 read, 3 ok, 1 rejected), import b (2, 2, 0), normalize, dedup,
 * crosscheck (unfinished).  Persons 1-6 from a, 7-9 from b; 1 and 2 in pre-2025 ward
 * 00001, 1 also in 2025 ward 00004.  Clusters: 1-8 together (8 records), 9 alone.
 * Changes: rule r01 three times, r02..r22 once each (22 rules).  Findings: ID_SHARED
 * error on 1-4, an unknown code ZZ_X warning on no record, SEX_MISSING info on 9. */
static const char full_sql[] =
    "INSERT INTO batch(id, stage, source, rows_read, rows_ok, rows_rejected, started, finished)"
    " VALUES (1, 'import', 'a', 4, 3, 1, 't0', 't1'), (2, 'import', 'b', 2, 2, 0, 't0', 't1'),"
    " (3, 'normalize', NULL, 5, 5, 0, 't2', 't3'), (4, 'dedup', NULL, 9, 9, 0, 't4', 't5'),"
    " (5, 'crosscheck', NULL, 9, 9, 0, 't6', NULL);"
    "INSERT INTO src_row(id, batch_id, src_row, src_line) VALUES"
    " (1, 1, 1, 2), (2, 1, 2, 3), (3, 1, 3, 4), (4, 2, 1, 2), (5, 2, 2, 3);"
    "INSERT INTO reject(batch_id, source, src_file, src_row, src_line, reason, raw) VALUES"
    " (1, 'a', 'a.csv', 4, 5, 'too-many-fields', x'41');"
    "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line, id12,"
    " ward_code, new_ward_code) VALUES"
    " (1, 1, 'a', 'a.csv', 1, 2, '001234567845', '00001', '00004'),"
    " (2, 1, 'a', 'a.csv', 2, 3, '079000000002', '00001', NULL),"
    " (3, 1, 'a', 'a.csv', 3, 4, '079000000003', NULL, NULL),"
    " (4, 1, 'a', 'a.csv', 4, 5, '079000000004', NULL, NULL),"
    " (5, 1, 'a', 'a.csv', 5, 6, '079000000005', NULL, NULL),"
    " (6, 1, 'a', 'a.csv', 6, 7, '079000000006', NULL, NULL),"
    " (7, 2, 'b', 'b.csv', 1, 2, '079000000007', NULL, NULL),"
    " (8, 2, 'b', 'b.csv', 2, 3, '079000000008', NULL, NULL),"
    " (9, 2, 'b', 'b.csv', 3, 4, '079000000009', NULL, NULL);"
    "INSERT INTO cluster VALUES (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1),"
    " (9, 9);"
    "INSERT INTO change(record_id, field, rule) VALUES (1, 'f', 'r01'), (2, 'f', 'r01'),"
    " (3, 'f', 'r01'), (1, 'f', 'r02'), (1, 'f', 'r03'), (1, 'f', 'r04'), (1, 'f', 'r05'),"
    " (1, 'f', 'r06'), (1, 'f', 'r07'), (1, 'f', 'r08'), (1, 'f', 'r09'), (1, 'f', 'r10'),"
    " (1, 'f', 'r11'), (1, 'f', 'r12'), (1, 'f', 'r13'), (1, 'f', 'r14'), (1, 'f', 'r15'),"
    " (1, 'f', 'r16'), (1, 'f', 'r17'), (1, 'f', 'r18'), (1, 'f', 'r19'), (1, 'f', 'r20'),"
    " (1, 'f', 'r21'), (1, 'f', 'r22');"
    "INSERT INTO finding(record_id, code, severity, field, message) VALUES"
    " (1, 'ID_SHARED', 'error', 'id12', 'm'), (2, 'ID_SHARED', 'error', 'id12', 'm'),"
    " (3, 'ID_SHARED', 'error', 'id12', 'm'), (4, 'ID_SHARED', 'error', 'id12', 'm'),"
    " (NULL, 'ZZ_X', 'warning', NULL, 'm'), (9, 'SEX_MISSING', 'info', 'sex', 'm');";

/* The report of a fresh DB at dir/name holding sql's rows (a new string), NULL on error. */
static char *
report_of(const char *name, const char *sql, const char *lang)
{
    struct dc_report_opts o = {.lang = lang, .now = 86400, .version = "9", .db_name = name};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    char path[300], *text = NULL;
    size_t len = 0;
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (dc_db_open(path, DC_DB_CREATE, &db, &err) < 0 || dc_db_exec(db, sql, &err) < 0) {
        printf("# setup %s: %s\n", name, err.msg);
        dc_db_close(db, NULL);
        return NULL;
    }
    fp = open_memstream(&text, &len);
    if (fp && dc_report_write(db, &o, fp, &err) < 0)
        printf("# report: %s\n", err.msg);
    if (fp)
        fclose(fp);
    dc_db_close(db, NULL);
    return text;
}

/* The text of <section id="id"> up to its </section> (a new string; "" if none). */
static char *
section(const char *html, const char *id)
{
    char open[64];
    const char *s, *e;

    snprintf(open, sizeof open, "<section id=\"%s\">", id);
    s = html ? strstr(html, open) : NULL;
    e = s ? strstr(s, "</section>") : NULL;
    return s && e ? strndup(s, (size_t)(e - s)) : strdup("");
}

static int
count(const char *s, const char *what)
{
    int n = 0;

    for (const char *p = s; p && (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static char *full;

/* Nine sections in this order, each closed; the run info line. */
static void
test_report_sections_in_order(void)
{
    static const char *const ids[] = {"sources",  "rejects",         "changes",
                                      "address",  "duplicates",      "findings",
                                      "communes", "source-findings", "batches"};
    const char *at = full;
    char open[64];

    CHECK_INT(count(full, "<section "), 9);
    CHECK_INT(count(full, "</section>"), 9);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        TAP_ROW("section %s", ids[i]);
        snprintf(open, sizeof open, "<section id=\"%s\">", ids[i]);
        const char *p = at ? strstr(at, open) : NULL;
        CHECK(p != NULL);
        at = p;
    }
    TAP_ROW_END();
    /* 5 source rows, 1 reject, 9 persons; 6 findings; the time from .now, not the clock */
    CHECK(strstr(full, "<td>5 / 1 / 9</td>") != NULL);
    CHECK(strstr(full, "Findings</span></th><td class=\"n\">6</td>") != NULL);
    CHECK(strstr(full, "<td>1970-01-02 00:00:00 UTC</td>") != NULL);
    CHECK(strstr(full, "<input type=\"checkbox\" id=\"lang\">") != NULL); /* vi first */
}

/* Sources: a imported 3, rejected 1, 6 persons; b 2, 0, 3. Rejects: one reason. */
static void
test_report_sources_and_rejects(void)
{
    char *s = section(full, "sources"), *r = section(full, "rejects");

    CHECK_INT(count(s, "<tr>"), 3); /* head + 2 sources */
    CHECK(strstr(s, "<tr><td>a</td><td class=\"n\">3</td><td class=\"n\">1</td>"
                    "<td class=\"n\">6</td></tr>") != NULL);
    CHECK(strstr(s, "<tr><td>b</td><td class=\"n\">2</td><td class=\"n\">0</td>"
                    "<td class=\"n\">3</td></tr>") != NULL);
    CHECK_INT(count(r, "<tr>"), 2);
    CHECK(strstr(r, "<td>too-many-fields</td><td class=\"n\">1</td>") != NULL);
    free(s);
    free(r);
}

/* Changes: the 20 most frequent of 22 rules, r01 (3) first, ties by name: r21, r22 cut. */
static void
test_report_changes_top_20(void)
{
    char *s = section(full, "changes");
    const char *r01 = strstr(s, "<td>r01</td><td class=\"n\">3</td>");
    const char *r02 = strstr(s, "<td>r02</td><td class=\"n\">1</td>");

    CHECK_INT(count(s, "<tr>"), 21);
    CHECK(r01 != NULL && r02 != NULL && r01 < r02);
    CHECK(strstr(s, "<td>r20</td>") != NULL);
    CHECK(strstr(s, "<td>r21</td>") == NULL);
    CHECK(strstr(s, "<td>r22</td>") == NULL);
    free(s);
}

/* Duplicates: 2 clusters, the largest 8; one listed (a single record is no duplicate),
 * 6 members shown and "(+2)"; IDs masked. */
static void
test_report_duplicates(void)
{
    char *s = section(full, "duplicates");

    CHECK(strstr(s, "Clusters</span>: 2; ") != NULL);
    CHECK(strstr(s, "largest</span>: 8</p>") != NULL);
    CHECK_INT(count(s, "<tr><td class=\"n\">"), 1);
    CHECK(strstr(s, "<tr><td class=\"n\">1</td><td class=\"n\">8</td>") != NULL);
    CHECK_INT(count(s, "<br>#"), 5); /* members 2..6 */
    CHECK(strstr(s, "#1 a: 001*******45") != NULL);
    CHECK(strstr(s, "#7 ") == NULL);
    CHECK(strstr(s, "… (+2)") != NULL);
    CHECK(strstr(s, "001234567845") == NULL);
    free(s);
}

/* Findings: three (code, severity) rows, error first; 3 examples of 4; a code the rule
 * table does not know has no description; a finding on no record has no number. */
static void
test_report_findings(void)
{
    char *s = section(full, "findings");
    const char *e = strstr(s, "<td class=\"sev-error\">error</td><td>ID_SHARED</td>"
                              "<td class=\"n\">4</td>");
    const char *w = strstr(s, "<td class=\"sev-warning\">warning</td><td>ZZ_X</td>"
                              "<td class=\"n\">1</td><td>–</td><td class=\"ex\">#  –</td>");
    const char *i = strstr(s, "<td class=\"sev-info\">info</td><td>SEX_MISSING</td>");

    CHECK_INT(count(s, "<tr>"), 4);
    CHECK(e != NULL && w != NULL && i != NULL && e < w && w < i);
    CHECK(strstr(s, "#1 id12 001*******45<br>#2 id12 079*******02<br>#3 id12 079*******03"
                    "</td>") != NULL);
    CHECK(strstr(s, "#4 id12") == NULL);
    free(s);
}

/* Communes: ward 00001 (records 1, 2; one also has a 2025 ward; 2 errors), the
 * 2025 ward 00004 (record 1), and the rows of records without a ward code. */
static void
test_report_communes(void)
{
    char *s = section(full, "communes"), *f = section(full, "source-findings");

    CHECK(strstr(s, "<tr><td>00001</td><td>–</td><td class=\"n\">2</td>"
                    "<td class=\"n\">50.0% ") != NULL);
    CHECK(strstr(s, "<tr><td>00004</td><td>–</td><td class=\"n\">1</td>"
                    "<td class=\"n\">100.0% ") != NULL);
    CHECK(strstr(s, "<td class=\"n sev-error\">2</td><td class=\"n sev-warning\">0</td>"
                    "<td class=\"n\">0</td></tr>") != NULL);
    CHECK_INT(count(s, "(no ward code)"), 2);
    /* per source: a has 6 records, 4 with a finding (66.7%), 4 errors; b 3, 1, 1 info */
    CHECK(strstr(f, "<tr><td>a</td><td class=\"n\">6</td><td class=\"n\">66.7% ") != NULL);
    CHECK(strstr(f, "<td class=\"n sev-error\">4</td><td class=\"n sev-warning\">0</td>"
                    "<td class=\"n\">0</td></tr>\n<tr><td>b</td><td class=\"n\">3</td>"
                    "<td class=\"n\">33.3% ") != NULL);
    free(s);
    free(f);
}

/* Batches: the five, newest first; the unfinished one shows a dash. */
static void
test_report_batches(void)
{
    char *s = section(full, "batches");
    const char *b5 = strstr(s, "<tr><td class=\"n\">5</td><td>crosscheck</td>");
    const char *b1 = strstr(s, "<tr><td class=\"n\">1</td><td>import</td><td>a</td>");

    CHECK_INT(count(s, "<tr>"), 6);
    CHECK(b5 != NULL && b1 != NULL && b5 < b1);
    CHECK(strstr(s, "<td>t6</td><td>–</td></tr>") != NULL);
    free(s);
}

/* An empty DB: every list says none (9 of them: one per section but the batches table,
 * two in communes), the numbers are zeros. */
static void
test_report_empty_db(void)
{
    char *e = report_of("empty.db", "SELECT 1", "en");

    if (!CHECK(e != NULL))
        return;
    CHECK_INT(count(e, "None."), 9);
    CHECK(strstr(e, "<td>0 / 0 / 0</td>") != NULL);
    CHECK(strstr(e, "<input type=\"checkbox\" id=\"lang\" checked>") != NULL); /* en */
    free(e);
}

/* A stream that cannot be written: DC_EX_IOERR, as cmd/report.c maps to exit 74. */
static void
test_report_write_error(void)
{
    struct dc_report_opts o = {.now = 0, .version = "9"};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    char path[300];
    FILE *ro = fopen("/dev/null", "r");

    snprintf(path, sizeof path, "%s/full.db", dir);
    if (!CHECK(ro != NULL) || !CHECK(dc_db_open(path, 0, &db, &err) == 0)) {
        if (ro)
            fclose(ro);
        return;
    }
    CHECK_INT(dc_report_write(db, &o, ro, &err), -1);
    CHECK_INT(err.status, DC_EX_IOERR);
    fclose(ro);
    dc_db_close(db, NULL);
}

int
main(void)
{
    static const char *const files[] = {"full.db",  "full.db-wal",  "full.db-shm",
                                        "empty.db", "empty.db-wal", "empty.db-shm"};
    char path[300];

    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    full = report_of("full.db", full_sql, NULL);
    if (!full) {
        printf("Bail out! no report\n");
        return 1;
    }
    RUN(test_report_sections_in_order);
    RUN(test_report_sources_and_rejects);
    RUN(test_report_changes_top_20);
    RUN(test_report_duplicates);
    RUN(test_report_findings);
    RUN(test_report_communes);
    RUN(test_report_batches);
    RUN(test_report_empty_db);
    RUN(test_report_write_error);
    free(full);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return tap_done();
}
