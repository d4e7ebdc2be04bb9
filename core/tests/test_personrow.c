/*
 * test_personrow.c - unit tests for core/personrow.c: the statements made from the
 * column table are the ones the stages wrote by hand before (normalize's insert byte
 * for byte, dedup's select in table order), every column of the
 * person table is in the table once, and a row written with the insert reads back
 * into the same struct dc_person through the loader.
 * Not for: the stages (test_normalize.c, test_dedup.c, test_rules.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "personrow.h"
#include "tap.h"
#include "testdb.h"

static char dir[] = "/tmp/dc_test_personrow_XXXXXX";
static struct dc_db *db;

static void
test_statements_as_before(void)
{
    char buf[2048];

    CHECK_INT(dc_prow_insert(buf, sizeof buf), 0);
    CHECK_STR(buf,
              "INSERT INTO person(record_id, batch_id, source, src_file, src_row, src_line, "
              "full_name, family_name, middle_name, given_name, name_key, dob, dob_precision, "
              "dob_raw, sex, sex_raw, id12, cmnd, id_raw, issue_date, expiry_date, ethnic, "
              "ethnic_code, religion, address_raw, address_detail, province_code, district_code, "
              "ward_code, new_province_code, new_ward_code, addr_confidence, addr_reason, mrz, "
              "qr, addr_era, name_note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
              "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
              "?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37)");
    CHECK_INT(dc_prow_select(DC_PROW_DEDUP, "ORDER BY record_id", buf, sizeof buf), 0);
    /* dedup's own list had address_detail last; the table has it in the person table's
     * order (the plan is the same: a scan in rowid order) */
    CHECK_STR(buf, "SELECT record_id, source, src_row, full_name, family_name, middle_name, "
                   "given_name, name_key, dob, dob_precision, sex, id12, cmnd, address_detail, "
                   "province_code, ward_code, new_province_code, new_ward_code FROM person "
                   "ORDER BY record_id");
    CHECK_INT(dc_prow_select(DC_PROW_DEDUP, "", buf, 40), -1);
    CHECK_INT(dc_prow_insert(buf, 100), -1);
}

/* The table and the person table have the same columns (the schema after every
 * migration), and crosscheck reads all but batch_id. */
static void
test_every_column_once(void)
{
    sqlite3_stmt *q = NULL;
    struct dc_error err = DC_ERROR_INIT;
    size_t n = 0, found = 0;

    CHECK_INT(
        dc_db_prepare(db, "SELECT name FROM pragma_table_info('person') ORDER BY cid", &q, &err),
        0);
    while (q && sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        for (size_t i = 0; i < dc_prow_ncols; i++)
            if (strcmp(dc_prow_cols[i].name, name) == 0) {
                found++;
                if (!CHECK_INT(i, n))
                    printf("#   column %s\n", name);
            }
        n++;
    }
    sqlite3_finalize(q);
    CHECK_INT(n, dc_prow_ncols);
    CHECK_INT(found, dc_prow_ncols);
    for (size_t i = 0; i < dc_prow_ncols; i++)
        CHECK_INT(!(dc_prow_cols[i].read_by & DC_PROW_CROSSCHECK),
                  strcmp(dc_prow_cols[i].name, "batch_id") == 0);
}

static int
keep_copy(void *ud, const struct dc_prow_col *c, const unsigned char *text, int len,
          const char **dst)
{
    (void)ud;
    (void)c;
    *dst = text ? strndup((const char *)text, (size_t)len) : NULL;
    return 0;
}

static void
test_round_trip(void)
{
    struct dc_error err = DC_ERROR_INIT;
    sqlite3_stmt *ins = NULL, *sel = NULL;
    struct dc_person p, d;
    char sql[2048];

    CHECK_INT(dc_prow_insert(sql, sizeof sql), 0);
    CHECK_INT(dc_db_exec(db, "PRAGMA foreign_keys = OFF", &err), 0);
    if (!CHECK_INT(dc_db_prepare(db, sql, &ins, &err), 0))
        return;
    /* column i bound with a text naming it; numbers and the coded ones apart */
    for (size_t i = 0; i < dc_prow_ncols; i++) {
        const struct dc_prow_col *c = &dc_prow_cols[i];
        int k = (int)i + 1;
        if (c->type == DC_PROW_INT)
            sqlite3_bind_int64(ins, k, 100 + k);
        else if (c->type == DC_PROW_REAL)
            sqlite3_bind_double(ins, k, 0.75);
        else if (c->type == DC_PROW_PREC)
            sqlite3_bind_text(ins, k, "month", -1, SQLITE_STATIC);
        else if (c->type == DC_PROW_SEX)
            sqlite3_bind_text(ins, k, "F", -1, SQLITE_STATIC);
        else
            sqlite3_bind_text(ins, k, c->name, -1, SQLITE_STATIC);
    }
    CHECK_INT(dc_db_step_done(db, ins, "insert", &err), 0);
    sqlite3_finalize(ins);
    CHECK_INT(dc_prow_select(DC_PROW_CROSSCHECK, "", sql, sizeof sql), 0);
    CHECK_INT(dc_db_prepare(db, sql, &sel, &err), 0);
    CHECK_INT(sqlite3_step(sel), SQLITE_ROW);
    memset(&p, 0, sizeof p);
    CHECK_INT(dc_prow_load(sel, DC_PROW_CROSSCHECK, &p, NULL, NULL), 0);
    CHECK_INT(p.record_id, 101);
    CHECK_INT(p.src_row, 105);
    CHECK_INT(p.src_line, 106);
    CHECK_STR(p.full_name, "full_name");
    CHECK_STR(p.src_file, "src_file");
    CHECK_STR(p.name_note, "name_note");
    CHECK_STR(p.addr_era, "addr_era");
    CHECK_STR(p.new_ward_code, "new_ward_code");
    CHECK_INT(p.dob_precision, DC_DATE_MONTH);
    CHECK_INT(p.sex, 'F');
    CHECK(p.addr_confidence == 0.75);
    /* every text field holds its column's name */
    for (size_t i = 0; i < dc_prow_ncols; i++) {
        const struct dc_prow_col *c = &dc_prow_cols[i];
        if (c->type == DC_PROW_TEXT)
            CHECK_STR(*(const char *const *)((const char *)&p + c->off), c->name);
    }
    sqlite3_finalize(sel);
    /* dedup's columns only, kept by the caller: the others stay as they were */
    CHECK_INT(dc_prow_select(DC_PROW_DEDUP, "", sql, sizeof sql), 0);
    CHECK_INT(dc_db_prepare(db, sql, &sel, &err), 0);
    CHECK_INT(sqlite3_step(sel), SQLITE_ROW);
    memset(&d, 0, sizeof d);
    CHECK_INT(dc_prow_load(sel, DC_PROW_DEDUP, &d, keep_copy, NULL), 0);
    sqlite3_finalize(sel);
    CHECK_STR(d.given_name, "given_name");
    CHECK_STR(d.ward_code, "ward_code");
    CHECK_STR(d.address_detail, "address_detail");
    CHECK(d.src_file == NULL && d.district_code == NULL && d.name_note == NULL);
    for (size_t i = 0; i < dc_prow_ncols; i++) {
        const struct dc_prow_col *c = &dc_prow_cols[i];
        if (c->type == DC_PROW_TEXT && (c->read_by & DC_PROW_DEDUP))
            free((void *)*(const char *const *)((const char *)&d + c->off));
    }
}

int
main(void)
{
    db = testdb_open(dir, "p.db");
    if (!db)
        return 1;
    RUN(test_statements_as_before);
    RUN(test_every_column_once);
    RUN(test_round_trip);
    testdb_remove(db, dir, "p.db");
    return tap_done();
}
