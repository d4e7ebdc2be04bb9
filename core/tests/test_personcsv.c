/*
 * test_personcsv.c - unit tests for core/personcsv.c: every column of the
 * filter-mode CSV (the person.h fields) survives get -> set -> get, and
 * malformed numbers, precisions and sex codes are refused.
 * Not for: CSV quoting (test_csvio.c).
 */
#include <stdio.h>
#include <string.h>

#include "person.h"
#include "personcsv.h"
#include "tap.h"

static void
fill(struct dc_person *p)
{
    memset(p, 0, sizeof *p);
    p->source = "cccd";
    p->src_row = 42;
    p->full_name = "Nguyễn Thị Hòa";
    p->family_name = "Nguyễn";
    p->middle_name = "Thị";
    p->given_name = "Hòa";
    p->name_key = "nguyen thi hoa";
    p->dob = "1990-03";
    p->dob_precision = DC_DATE_MONTH;
    p->dob_raw = "30/02/1990";
    p->sex = 'F';
    p->sex_raw = "x";
    p->id12 = "001190000001";
    p->cmnd = "012345678";
    p->id_raw = "12-34";
    p->issue_date = "2021-07-01";
    p->expiry_date = "2036-07-01";
    p->ethnic = "Kinh";
    p->ethnic_code = "01";
    p->address_raw = "P.3, Q.Bình Thạnh, TP.HCM";
    p->address_detail = "12 Lê Lợi";
    p->province_code = "79";
    p->district_code = "765";
    p->ward_code = "26944";
    p->new_province_code = "79";
    p->new_ward_code = "26944";
    p->addr_confidence = 0.75;
    p->addr_reason = "ward-split";
    p->mrz = "IDVNM\nline2\nline3";
    p->qr = "001190000001||Nguyễn Thị Hòa";
}

static void
test_known_values(void)
{
    struct dc_person p;
    char tmp[DC_PCOL_TMP];

    fill(&p);
    CHECK_STR(dc_pcol_get(&p, (size_t)dc_pcol_find("src_row"), tmp), "42");
    CHECK_STR(dc_pcol_get(&p, (size_t)dc_pcol_find("dob_precision"), tmp), "month");
    CHECK_STR(dc_pcol_get(&p, (size_t)dc_pcol_find("sex"), tmp), "F");
    CHECK_STR(dc_pcol_get(&p, (size_t)dc_pcol_find("addr_confidence"), tmp), "0.75");
    CHECK_STR(dc_pcol_get(&p, (size_t)dc_pcol_find("full_name"), tmp), "Nguyễn Thị Hòa");
    CHECK_INT(dc_pcol_find("no_such_column"), -1);
    CHECK(dc_pcol_name(dc_pcol_count()) == NULL);
    CHECK(dc_pcol_get(&p, dc_pcol_count(), tmp) == NULL);
}

static void
test_every_column_round_trips(void)
{
    struct dc_person a, b;
    char t1[DC_PCOL_TMP], t2[DC_PCOL_TMP];
    char keep[40][DC_PCOL_TMP];
    size_t n = dc_pcol_count();

    CHECK(n <= 40);
    fill(&a);
    memset(&b, 0, sizeof b);
    /* address_raw first: addr_confidence is only written when an address exists */
    for (size_t i = 0; i < n && i < 40; i++) {
        const char *v = dc_pcol_get(&a, i, t1);
        TAP_ROW("column %s", dc_pcol_name(i));
        CHECK(v != NULL);
        if (!v)
            continue;
        snprintf(keep[i], sizeof keep[i], "%s", v);
        if (strlen(v) >= DC_PCOL_TMP) /* long strings are borrowed, not copied */
            CHECK_INT(dc_pcol_set(&b, i, v), 0);
        else
            CHECK_INT(dc_pcol_set(&b, i, keep[i]), 0);
    }
    for (size_t i = 0; i < n && i < 40; i++) {
        const char *x = dc_pcol_get(&a, i, t1), *y = dc_pcol_get(&b, i, t2);
        TAP_ROW("column %s", dc_pcol_name(i));
        CHECK_STR(y, x);
    }
    TAP_ROW_END();
}

static void
test_malformed_values(void)
{
    static const struct {
        const char *col, *v;
    } bad[] = {
        {"dob_precision", "days"},
        {"dob_precision", "Day"},
        {"dob_precision", "0"},
        {"sex", "X"},
        {"sex", "MF"},
        {"sex", "m"},
        {"src_row", "12a"},
        {"src_row", "x"},
        {"src_row", "99999999999999999999"},
        {"addr_confidence", "0.5x"},
    };
    struct dc_person p;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int c = dc_pcol_find(bad[i].col);
        TAP_ROW("%s=\"%s\"", bad[i].col, bad[i].v);
        memset(&p, 0, sizeof p);
        CHECK(c >= 0);
        CHECK_INT(dc_pcol_set(&p, (size_t)c, bad[i].v), -1);
    }
    TAP_ROW_END();
    /* empty means unknown, not an error, and leaves the field unset */
    memset(&p, 0, sizeof p);
    CHECK_INT(dc_pcol_set(&p, (size_t)dc_pcol_find("sex"), ""), 0);
    CHECK_INT(p.sex, 0);
    CHECK_INT(dc_pcol_set(&p, (size_t)dc_pcol_find("dob_precision"), "invalid"), 0);
    CHECK_INT(p.dob_precision, DC_DATE_INVALID);
}

int
main(void)
{
    RUN(test_known_values);
    RUN(test_every_column_round_trips);
    RUN(test_malformed_values);
    return tap_done();
}
