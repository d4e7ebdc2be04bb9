/*
 * test_vndate.c - unit tests for vndate: written forms, precision, validity,
 * two-digit years, comparison.  Expected values worked out by hand from
 * records.md §4 and the Gregorian calendar.
 */
#include "tap.h"
#include "vndate.h"

struct date_case {
    const char *raw;
    int pivot;
    enum dc_date_precision prec;
    const char *iso;
    int y, m, d;
};

/* Each row through dc_date_parse, or dc_date_parse_iso when iso_only (pivot unused). */
static void
check_dates(const struct date_case *t, size_t n, int iso_only)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct dc_date dt;
        int rc =
            iso_only ? dc_date_parse_iso(t[i].raw, &dt) : dc_date_parse(t[i].raw, t[i].pivot, &dt);

        TAP_ROW("row %zu: \"%s\" pivot %d", i, t[i].raw ? t[i].raw : "(null)", t[i].pivot);
        CHECK_INT(rc, t[i].prec == DC_DATE_INVALID ? -1 : 0);
        CHECK_INT(dt.precision, t[i].prec);
        CHECK_STR(dt.iso, t[i].iso);
        CHECK_INT(dt.year, t[i].y);
        CHECK_INT(dt.month, t[i].m);
        CHECK_INT(dt.day, t[i].d);
        if (iso_only) { /* the lean reader agrees on every row */
            int y, m, d, prec = dc_date_read_iso(t[i].raw, &y, &m, &d);

            CHECK_INT(prec, t[i].prec);
            CHECK_INT(y, t[i].y);
            CHECK_INT(m, t[i].m);
            CHECK_INT(d, t[i].d);
        }
    }
    TAP_ROW_END();
}

static void
run_dates(const struct date_case *t, size_t n)
{
    check_dates(t, n, 0);
}

static void
test_date_day_forms(void)
{
    static const struct date_case t[] = {
        {"05/03/1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"5/3/1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"15/5/1978", 2026, DC_DATE_DAY, "1978-05-15", 1978, 5, 15},
        {"05-03-1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"05.03.1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"1990-03-05", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"1990/3/5", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {" 31/12/2000\r\n", 2026, DC_DATE_DAY, "2000-12-31", 2000, 12, 31},
        {"29/02/2000", 2026, DC_DATE_DAY, "2000-02-29", 2000, 2, 29},
        {"29/02/1992", 2026, DC_DATE_DAY, "1992-02-29", 1992, 2, 29},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_eight_digits(void)
{
    static const struct date_case t[] = {
        {"19900305", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        /* 3112-19-90 is no date, so it is read as ddmmyyyy */
        {"31121990", 2026, DC_DATE_DAY, "1990-12-31", 1990, 12, 31},
        {"05031990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        /* 1211-11-12 and 12/11/1112 are both real dates, but neither reading
         * has a year >= 1800: INVALID, y/m/d as yyyymmdd */
        {"12111112", 2026, DC_DATE_INVALID, "", 1211, 11, 12},
        {"20240230", 2026, DC_DATE_INVALID, "", 2024, 2, 30},
        {"00001945", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"00031990", 2026, DC_DATE_MONTH, "1990-03", 1990, 3, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_year_only(void)
{
    static const struct date_case t[] = {
        {"1945", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"00/00/1945", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"0/0/1945", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"1945-00-00", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"năm 1945", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"NAM 1945", 2026, DC_DATE_YEAR, "1945", 1945, 0, 0},
        {"0000", 2026, DC_DATE_INVALID, "", 0, 0, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_month_year(void)
{
    static const struct date_case t[] = {
        {"03/1990", 2026, DC_DATE_MONTH, "1990-03", 1990, 3, 0},
        {"3/1990", 2026, DC_DATE_MONTH, "1990-03", 1990, 3, 0},
        {"00/03/1990", 2026, DC_DATE_MONTH, "1990-03", 1990, 3, 0},
        {"1990-03", 2026, DC_DATE_MONTH, "1990-03", 1990, 3, 0},
        {"tháng 3 năm 1990", 2026, DC_DATE_MONTH, "1990-03", 1990, 3, 0},
        {"13/1990", 2026, DC_DATE_INVALID, "", 1990, 13, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_vietnamese_words(void)
{
    static const struct date_case t[] = {
        {"ngày 05 tháng 3 năm 1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"Ngày 5 Tháng 03 Năm 1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"ngay 05 thang 3 nam 1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"NGÀY 31 THÁNG 12 NĂM 2001.", 2026, DC_DATE_DAY, "2001-12-31", 2001, 12, 31},
        {"ngày 30 tháng 2 năm 1990", 2026, DC_DATE_INVALID, "", 1990, 2, 30},
        /* a day without its month, words out of order, missing year */
        {"ngày 5 năm 1990", 2026, DC_DATE_INVALID, "", 1990, 0, 5},
        {"năm 1990 tháng 3", 2026, DC_DATE_INVALID, "", 1990, 0, 0},
        {"tháng 3", 2026, DC_DATE_INVALID, "", 0, 3, 0},
        {"ngày mai", 2026, DC_DATE_INVALID, "", 0, 0, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_impossible(void)
{
    static const struct date_case t[] = {
        {"30/02/1990", 2026, DC_DATE_INVALID, "", 1990, 2, 30},
        {"31/04/1990", 2026, DC_DATE_INVALID, "", 1990, 4, 31},
        {"29/02/1991", 2026, DC_DATE_INVALID, "", 1991, 2, 29},
        {"29/02/1900", 2026, DC_DATE_INVALID, "", 1900, 2, 29},
        {"05/13/1990", 2026, DC_DATE_INVALID, "", 1990, 13, 5},
        {"05/00/1990", 2026, DC_DATE_INVALID, "", 1990, 0, 5},
        {"00/00/0000", 2026, DC_DATE_INVALID, "", 0, 0, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_unreadable(void)
{
    static const struct date_case t[] = {
        {"329370", 2026, DC_DATE_INVALID, "", 0, 0, 0}, /* six digits: no form */
        {"03/90", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"05/03-1990", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"5/3/199", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"1/2/3/4", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"05/03/19900", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"1990-3-5x", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"//", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"abc", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"01234567890123456789012345678901234567890123456789012345678901234", 2026, DC_DATE_INVALID,
         "", 0, 0, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_empty(void)
{
    static const struct date_case t[] = {
        {"", 2026, DC_DATE_NONE, "", 0, 0, 0},
        {"  \t", 2026, DC_DATE_NONE, "", 0, 0, 0},
        {NULL, 2026, DC_DATE_NONE, "", 0, 0, 0},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_two_digit_year_pivot(void)
{
    static const struct date_case t[] = {
        {"05/03/26", 2026, DC_DATE_DAY, "2026-03-05", 2026, 3, 5},
        {"05/03/27", 2026, DC_DATE_DAY, "1927-03-05", 1927, 3, 5},
        {"5/3/90", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"5/3/00", 2026, DC_DATE_DAY, "2000-03-05", 2000, 3, 5},
        {"5/3/00", 1999, DC_DATE_DAY, "1900-03-05", 1900, 3, 5},
        {"5/3/99", 2000, DC_DATE_DAY, "1999-03-05", 1999, 3, 5},
        {"5/3/90", 0, DC_DATE_INVALID, "", 90, 3, 5},
    };
    run_dates(t, sizeof t / sizeof t[0]);
}

static void
test_date_valid(void)
{
    CHECK_INT(dc_date_valid(2000, 2, 29), 1);
    CHECK_INT(dc_date_valid(1900, 2, 29), 0);
    CHECK_INT(dc_date_valid(2024, 2, 29), 1);
    CHECK_INT(dc_date_valid(2023, 2, 29), 0);
    CHECK_INT(dc_date_valid(2023, 12, 31), 1);
    CHECK_INT(dc_date_valid(2023, 11, 31), 0);
    CHECK_INT(dc_date_valid(0, 1, 1), 0);
    CHECK_INT(dc_date_valid(2023, 0, 1), 0);
    CHECK_INT(dc_date_valid(2023, 1, 0), 0);
}

/* The Gregorian rule: every 4th year, not every 100th, but every 400th. */
static void
test_date_leap_year(void)
{
    CHECK_INT(dc_date_leap(2024), 1);
    CHECK_INT(dc_date_leap(2023), 0);
    CHECK_INT(dc_date_leap(1900), 0);
    CHECK_INT(dc_date_leap(2100), 0);
    CHECK_INT(dc_date_leap(2000), 1);
    CHECK_INT(dc_date_leap(1600), 1);
    CHECK_INT(dc_date_days_in_month(2024, 2), 29);
    CHECK_INT(dc_date_days_in_month(1900, 2), 28);
    CHECK_INT(dc_date_days_in_month(2000, 2), 29);
    CHECK_INT(dc_date_days_in_month(2023, 1), 31);
    CHECK_INT(dc_date_days_in_month(2023, 4), 30);
    CHECK_INT(dc_date_days_in_month(2023, 12), 31);
    CHECK_INT(dc_date_days_in_month(2023, 0), 0);
    CHECK_INT(dc_date_days_in_month(2023, 13), 0);
}

/* ISO by contract (--now, catalogue dates): the three ISO shapes, nothing else. */
static void
test_date_parse_iso_strict(void)
{
    static const struct date_case t[] = {
        {"2026-02-03", 0, DC_DATE_DAY, "2026-02-03", 2026, 2, 3},
        {"2024-02-29", 0, DC_DATE_DAY, "2024-02-29", 2024, 2, 29},
        {"2026-02", 0, DC_DATE_MONTH, "2026-02", 2026, 2, 0},
        {"2026", 0, DC_DATE_YEAR, "2026", 2026, 0, 0},
        {"", 0, DC_DATE_NONE, "", 0, 0, 0},
        /* impossible days: y/m/d as read */
        {"2026-02-31", 0, DC_DATE_INVALID, "", 2026, 2, 31},
        {"2025-02-29", 0, DC_DATE_INVALID, "", 2025, 2, 29},
        {"2026-13-01", 0, DC_DATE_INVALID, "", 2026, 13, 1},
        {"0000-01-01", 0, DC_DATE_INVALID, "", 0, 1, 1},
        /* not written as ISO: dc_date_parse reads some of these, this does not */
        {"2026-2-3", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {"2026-02-3", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {" 2026-02-03", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {"2026-02-03 ", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {"2026-02-+3", 0, DC_DATE_INVALID, "", 2026, 2, 0},
        {"2026/02/03", 0, DC_DATE_INVALID, "", 2026, 0, 0},
        {"2026-02-00", 0, DC_DATE_INVALID, "", 2026, 2, 0},
        {"2026-00", 0, DC_DATE_INVALID, "", 2026, 0, 0},
        {"20260203", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {"03/02/2026", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {"2026-02-03T00:00", 0, DC_DATE_INVALID, "", 0, 0, 0},
        {"+026", 0, DC_DATE_INVALID, "", 0, 0, 0},
    };

    check_dates(t, sizeof t / sizeof t[0], 1);
    CHECK_INT(dc_date_parse_iso(NULL, &(struct dc_date){0}), 0);
}

/* person.dob_precision's stored names, both ways; unknown text is NONE, never a guess. */
static void
test_date_precision_names(void)
{
    static const char *const want[] = {"", "year", "month", "day", "invalid"};

    for (int p = DC_DATE_NONE; p <= DC_DATE_INVALID; p++) {
        TAP_ROW("precision %d", p);
        CHECK_STR(dc_date_precision_name((enum dc_date_precision)p), want[p]);
        CHECK_INT(dc_date_precision_from_name(want[p]), p);
    }
    TAP_ROW_END();
    CHECK_STR(dc_date_precision_name((enum dc_date_precision)5), "");
    CHECK_INT(dc_date_precision_from_name(NULL), DC_DATE_NONE);
    CHECK_INT(dc_date_precision_from_name("Day"), DC_DATE_NONE);
    CHECK_INT(dc_date_precision_from_name("days"), DC_DATE_NONE);
}

static void
test_date_cmp_shared_precision(void)
{
    struct dc_date y1990, d19900305, m199003, d19900401, d19891231, none, bad;

    dc_date_parse("1990", 2026, &y1990);
    dc_date_parse("05/03/1990", 2026, &d19900305);
    dc_date_parse("03/1990", 2026, &m199003);
    dc_date_parse("01/04/1990", 2026, &d19900401);
    dc_date_parse("31/12/1989", 2026, &d19891231);
    dc_date_parse("", 2026, &none);
    dc_date_parse("30/02/1990", 2026, &bad);

    CHECK_INT(dc_date_cmp(&y1990, &d19900305), 0);
    CHECK_INT(dc_date_cmp(&m199003, &d19900305), 0);
    CHECK(dc_date_cmp(&m199003, &d19900401) < 0);
    CHECK(dc_date_cmp(&d19900401, &d19900305) > 0);
    CHECK(dc_date_cmp(&d19891231, &y1990) < 0);
    CHECK_INT(dc_date_cmp(&none, &y1990), 0);
    CHECK_INT(dc_date_cmp(&bad, &y1990), 0);
    CHECK_INT(dc_date_comparable(&bad, &y1990), 0);
    CHECK_INT(dc_date_comparable(&none, &y1990), 0);
    CHECK_INT(dc_date_comparable(&m199003, &y1990), 1);
    CHECK_INT(dc_date_cmp(NULL, &y1990), 0);
}

/* Date cells as spreadsheets write them when saved as text (issue 14). */
static void
test_date_spreadsheet_forms(void)
{
    static const struct date_case t[] = {
        {"05/03/1990 00:00:00", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"1990-03-05 00:00:00", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"1990-03-05T00:00:00", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"1990-03-05T00:00:00.000Z", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"5/3/1990 0:00", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"05.03.1990", 2026, DC_DATE_DAY, "1990-03-05", 1990, 3, 5},
        {"32874", 2026, DC_DATE_DAY, "1990-01-01", 1990, 1, 1},
        {"32874.5", 2026, DC_DATE_DAY, "1990-01-01", 1990, 1, 1},
        {"45658", 2026, DC_DATE_DAY, "2025-01-01", 2025, 1, 1},
        /* five digits with leading zeros are no serial of a birth date (fuzz_date found
         * "00060", Lotus's 29 February 1900, read as a date and failing as one) */
        {"00060", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"09999", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"1990-03-05 25:00", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"1990-03-05 noon", 2026, DC_DATE_INVALID, "", 0, 0, 0},
        {"1990 00:00", 2026, DC_DATE_YEAR, "1990", 1990, 0, 0},
    };
    int y, m, d;

    run_dates(t, sizeof t / sizeof t[0]);
    dc_date_from_serial(60, &y, &m, &d); /* Lotus's 29 February 1900 */
    CHECK_INT(y * 10000 + m * 100 + d, 19000229);
    dc_date_from_serial(61, &y, &m, &d);
    CHECK_INT(y * 10000 + m * 100 + d, 19000301);
    dc_date_from_serial(59, &y, &m, &d);
    CHECK_INT(y * 10000 + m * 100 + d, 19000228);
}

/* The ISO text is written digit by digit: the same bytes as "%04d-%02d-%02d" for every
 * day of 1..9999 read in three precisions (years 1, 999, 1000 and 9999 at the edges). */
static void
test_date_iso_every_form(void)
{
    static const int years[] = {1,    9,    10,   99,   100,  999,  1000,
                                1899, 1900, 1990, 2000, 2024, 2026, 9999};
    char raw[32], want[16];
    struct dc_date d;
    int bad = 0;

    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        int y = years[i];
        snprintf(raw, sizeof raw, "%04d", y);
        dc_date_parse(raw, 2026, &d);
        bad += strcmp(d.iso, raw) != 0 || d.precision != DC_DATE_YEAR;
        for (int m = 1; m <= 12; m++) {
            snprintf(raw, sizeof raw, "%d/%04d", m, y);
            snprintf(want, sizeof want, "%04d-%02d", y, m);
            dc_date_parse(raw, 2026, &d);
            bad += strcmp(d.iso, want) != 0 || d.precision != DC_DATE_MONTH;
            for (int day = 1; day <= 31; day++) {
                snprintf(raw, sizeof raw, "%d/%d/%04d", day, m, y);
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, day);
                dc_date_parse(raw, 2026, &d);
                if (dc_date_valid(y, m, day))
                    bad += strcmp(d.iso, want) != 0 || d.precision != DC_DATE_DAY;
                else
                    bad += d.iso[0] != '\0' || d.precision != DC_DATE_INVALID;
            }
        }
    }
    CHECK_INT(bad, 0);
}

int
main(void)
{
    RUN(test_date_spreadsheet_forms);
    RUN(test_date_day_forms);
    RUN(test_date_eight_digits);
    RUN(test_date_year_only);
    RUN(test_date_month_year);
    RUN(test_date_vietnamese_words);
    RUN(test_date_impossible);
    RUN(test_date_unreadable);
    RUN(test_date_empty);
    RUN(test_date_two_digit_year_pivot);
    RUN(test_date_valid);
    RUN(test_date_leap_year);
    RUN(test_date_parse_iso_strict);
    RUN(test_date_precision_names);
    RUN(test_date_cmp_shared_precision);
    RUN(test_date_iso_every_form);
    return tap_done();
}
