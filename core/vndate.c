/*
 * vndate.c - read the written forms of dates in registry files, with precision.
 *
 * For: dc_date_parse / dc_date_parse_iso / dc_date_valid / dc_date_cmp (see
 * vndate.h for the forms and the two-digit year rule), and the calendar itself
 * (leap years, days in a month): the one home of calendar validity in dancu.
 * Not for: clocks, time zones, lunar dates (the clock is cmd/main.c's --now).
 *
 * Rules from research/records.md §4: DC01 and CT01 write day and year with
 * 2 and 4 digits but months 3..9 with one digit, so one-digit days and months
 * are normal, never errors; "trường hợp không có ngày, tháng, chỉ có năm sinh"
 * makes year-only dates normal; zero day/month ("00/00/1945", "00/03/1990")
 * are the files' way of writing "not known" (records.md §3, sentinel values).
 * Leap years: the Gregorian rule (divisible by 4, not by 100 unless by 400).
 */
#include "vndate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vntext.h"

int
dc_date_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
dc_date_days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12)
        return 0;
    return mdays[m - 1] + (m == 2 && dc_date_leap(y));
}

int
dc_date_valid(int y, int m, int d)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= dc_date_days_in_month(y, m);
}

static int
invalid(struct dc_date *o, int y, int m, int d)
{
    o->year = y;
    o->month = m;
    o->day = d;
    o->precision = DC_DATE_INVALID;
    o->iso[0] = '\0';
    return -1;
}

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" (y 1..9999, m 1..12, d 1..31 or 0 = not written):
 * what snprintf's "%04d-%02d-%02d" gives, without its cost on every date of a register. */
static void
write_iso(char *iso, int y, int m, int d)
{
    char *p = iso;

    *p++ = (char)('0' + y / 1000);
    *p++ = (char)('0' + y / 100 % 10);
    *p++ = (char)('0' + y / 10 % 10);
    *p++ = (char)('0' + y % 10);
    if (m) {
        *p++ = '-';
        *p++ = (char)('0' + m / 10);
        *p++ = (char)('0' + m % 10);
    }
    if (d) {
        *p++ = '-';
        *p++ = (char)('0' + d / 10);
        *p++ = (char)('0' + d % 10);
    }
    *p = '\0';
}

/* Settle precision from what was read; 0 day / month = not known. */
static int
finish(struct dc_date *o, int y, int m, int d)
{
    if (y < 1 || y > 9999)
        return invalid(o, y, m, d);
    if (m == 0 && d == 0) {
        o->precision = DC_DATE_YEAR;
    } else if (d == 0) {
        if (m < 1 || m > 12)
            return invalid(o, y, m, d);
        o->precision = DC_DATE_MONTH;
    } else {
        if (!dc_date_valid(y, m, d))
            return invalid(o, y, m, d);
        o->precision = DC_DATE_DAY;
    }
    write_iso(o->iso, y, m, d);
    o->year = y;
    o->month = m;
    o->day = d;
    return 0;
}

/* Value of s[0..n) when it is 1..4 ASCII digits, else -1. */
static int
num(const char *s, size_t n)
{
    int v = 0;
    size_t i;

    if (n < 1 || n > 4)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int
two_digit_year(int yy, int pivot)
{
    int c, p;

    if (pivot <= 0 || pivot > 9999)
        return -1;
    c = pivot - pivot % 100;
    p = pivot % 100;
    return yy <= p ? c + yy : c - 100 + yy;
}

/* All digits: yyyy, yyyymmdd, ddmmyyyy. */
static int
parse_digits(const char *s, size_t n, struct dc_date *o)
{
    int y, m, d;

    if (n == 4)
        return finish(o, num(s, 4), 0, 0);
    if (n != 8)
        return invalid(o, 0, 0, 0);
    y = num(s, 4);
    m = num(s + 4, 2);
    d = num(s + 6, 2);
    if (y >= 1800 && dc_date_valid(y, m, d))
        return finish(o, y, m, d);
    /* Both readings need a year >= 1800: a bare 8-digit number is too
     * ambiguous to accept "12111112" as 12/11/1112. */
    if (num(s + 4, 4) >= 1800 &&
        (dc_date_valid(num(s + 4, 4), num(s + 2, 2), num(s, 2)) || num(s, 2) == 0))
        return finish(o, num(s + 4, 4), num(s + 2, 2), num(s, 2));
    return invalid(o, y, m, d);
}

/* Parts separated by one kind of '/', '-', '.'. */
static int
parse_sep(const char *s, size_t n, int pivot, struct dc_date *o)
{
    const char *part[3];
    size_t len[3], i;
    int np = 0, v[3], y;
    char sep = 0;

    part[0] = s;
    len[0] = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c >= '0' && c <= '9') {
            len[np]++;
            continue;
        }
        if ((c != '/' && c != '-' && c != '.') || (sep && c != sep) || np == 2)
            return invalid(o, 0, 0, 0);
        sep = c;
        np++;
        part[np] = s + i + 1;
        len[np] = 0;
    }
    np++;
    for (i = 0; i < (size_t)np; i++)
        if ((v[i] = num(part[i], len[i])) < 0)
            return invalid(o, 0, 0, 0);
    if (np == 2) {
        if (len[0] <= 2 && len[1] == 4)
            return finish(o, v[1], v[0], 0);
        if (len[0] == 4 && len[1] <= 2)
            return finish(o, v[0], v[1], 0);
        return invalid(o, 0, 0, 0);
    }
    if (len[0] == 4 && len[1] <= 2 && len[2] <= 2)
        return finish(o, v[0], v[1], v[2]);
    if (len[0] > 2 || len[1] > 2)
        return invalid(o, 0, 0, 0);
    if (len[2] == 4)
        return finish(o, v[2], v[1], v[0]);
    if (len[2] == 2) {
        y = two_digit_year(v[2], pivot);
        if (y < 0)
            return invalid(o, v[2], v[1], v[0]);
        return finish(o, y, v[1], v[0]);
    }
    return invalid(o, 0, 0, 0);
}

/* "ngày 05 tháng 3 năm 1990", "tháng 3 năm 1990", "năm 1990" after folding
 * ("ngay 05 thang 3 nam 1990"): keyword-number pairs in that order. */
static int
parse_words(const char *raw, struct dc_date *o)
{
    static const char *const kw[3] = {"ngay", "thang", "nam"};
    char key[4 * DC_DATE_RAW_MAX + 1];
    int val[3] = {0, 0, 0}, seen[3] = {0, 0, 0}, next = 0, k;
    const char *p;

    if (dc_text_fold(raw, key, sizeof key) < 0)
        return invalid(o, 0, 0, 0);
    p = key;
    while (*p) {
        const char *w = p, *d;
        size_t wl, dl;

        while (*p && *p != ' ')
            p++;
        wl = (size_t)(p - w);
        if (*p != ' ')
            return invalid(o, val[2], val[1], val[0]);
        d = ++p;
        while (*p && *p != ' ')
            p++;
        dl = (size_t)(p - d);
        if (*p == ' ')
            p++;
        for (k = next; k < 3; k++)
            if (strlen(kw[k]) == wl && memcmp(w, kw[k], wl) == 0)
                break;
        if (k == 3 || (k == 2 ? dl != 4 : dl > 2))
            return invalid(o, val[2], val[1], val[0]);
        val[k] = num(d, dl);
        if (val[k] < 0)
            return invalid(o, 0, 0, 0);
        seen[k] = 1;
        next = k + 1;
    }
    /* a year is needed, and a day only with its month */
    if (!seen[2] || (seen[0] && !seen[1]))
        return invalid(o, val[2], val[1], val[0]);
    if (seen[0] && val[0] == 0)
        return invalid(o, val[2], val[1], val[0]);
    return finish(o, val[2], val[1], val[0]);
}

void
dc_date_from_serial(long serial, int *y, int *m, int *d)
{
    /* Lotus 1-2-3 took 1900 for a leap year and Excel kept it (ECMA-376 Part 1 §18.17.4.1):
     * serial 60 is 29 February 1900, a day that never was; serials after it count from
     * 1899-12-30, those before it from 1899-12-31.  Days since 1970-01-01 to a civil date:
     * H. Hinnant's civil_from_days. */
    long long z, era;
    unsigned doe, yoe, doy, mp, dd, mm;

    if (serial == 60) {
        *y = 1900, *m = 2, *d = 29;
        return;
    }
    z = (serial > 60 ? serial - 25569 : serial - 25568) + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    dd = doy - (153 * mp + 2) / 5 + 1;
    mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((long long)yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

/* A time of day after the date, as spreadsheets write a date cell's value ("05/03/1990
 * 00:00:00", "1990-03-05T00:00:00", "1990-03-05 00:00", with ".000" or "Z"): the length of
 * the date before it, or n when there is none.  The time says nothing about a birth date. */
static size_t
strip_time(const char *s, size_t n)
{
    size_t t = n, i, k;

    while (t > 0 && s[t - 1] != ' ' && s[t - 1] != 'T')
        t--;
    if (t < 2 || !(s[t - 2] >= '0' && s[t - 2] <= '9'))
        return n;
    /* HH:MM, HH:MM:SS, HH:MM:SS.fff, then Z maybe */
    i = t;
    for (k = 0; k < 3; k++) {
        size_t d = i;

        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i - d < 1 || i - d > 2 || (k > 0 && i - d != 2) ||
            num(s + d, i - d) > (k == 0 ? 23 : 59))
            return n;
        if (i == n || s[i] != ':')
            break;
        i++;
    }
    if (k == 0)
        return n; /* no colon: not a time */
    if (i < n && s[i] == '.' && k == 2)
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    if (i < n && s[i] == 'Z')
        i++;
    if (i != n)
        return n;
    t--;
    while (t > 0 && s[t - 1] == ' ')
        t--;
    return t;
}

/* An Excel serial day number written out (a date cell saved as CSV without its format):
 * five digits, 10000 (1927-05-18) to 99999, with a time fraction maybe.  Four digits are
 * a year, and no other written date form has five digits. */
static int
parse_serial(const char *s, size_t n, struct dc_date *o)
{
    size_t i;
    int y, m, d;

    for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i != 5 || s[0] == '0' || (i < n && s[i] != '.'))
        return 1;
    for (size_t k = i + 1; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return 1;
    dc_date_from_serial(strtol(s, NULL, 10), &y, &m, &d);
    finish(o, y, m, d);
    return 0;
}

int
dc_date_parse(const char *raw, int pivot_year, struct dc_date *out)
{
    const char *s;
    size_t n, i;

    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!raw)
        return 0;
    if (strlen(raw) > DC_DATE_RAW_MAX)
        return invalid(out, 0, 0, 0);
    s = raw;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n == 0)
        return 0;
    if (s[0] < '0' || s[0] > '9')
        return parse_words(raw, out);
    n = strip_time(s, n);
    if (parse_serial(s, n, out) == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return parse_sep(s, n, pivot_year, out);
    return parse_digits(s, n, out);
}

int
dc_date_read_iso(const char *s, int *y, int *m, int *d)
{
    size_t n;
    int v;

    *y = *m = *d = 0;
    if (!s || !*s)
        return DC_DATE_NONE;
    n = strnlen(s, 11);
    if (n != 4 && n != 7 && n != 10)
        return DC_DATE_INVALID;
    if ((v = num(s, 4)) < 0)
        return DC_DATE_INVALID;
    *y = v;
    if (n >= 7) {
        if (s[4] != '-' || (v = num(s + 5, 2)) < 1)
            return DC_DATE_INVALID;
        *m = v;
    }
    if (n == 10) {
        if (s[7] != '-' || (v = num(s + 8, 2)) < 1)
            return DC_DATE_INVALID;
        *d = v;
    }
    if (*y < 1)
        return DC_DATE_INVALID;
    if (n == 7 && *m > 12)
        return DC_DATE_INVALID;
    if (n == 10 && !dc_date_valid(*y, *m, *d))
        return DC_DATE_INVALID;
    return n == 10 ? DC_DATE_DAY : n == 7 ? DC_DATE_MONTH : DC_DATE_YEAR;
}

int
dc_date_parse_iso(const char *s, struct dc_date *out)
{
    int y, m, d, prec;

    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    prec = dc_date_read_iso(s, &y, &m, &d);
    if (prec == DC_DATE_NONE)
        return 0;
    if (prec == DC_DATE_INVALID)
        return invalid(out, y, m, d);
    return finish(out, y, m, d);
}

/* Indexed by enum dc_date_precision (person.h): NONE, YEAR, MONTH, DAY, INVALID. */
static const char *const precision_names[] = {"", "year", "month", "day", "invalid"};

const char *
dc_date_precision_name(enum dc_date_precision p)
{
    unsigned i = (unsigned)p;

    return i < sizeof precision_names / sizeof precision_names[0] ? precision_names[i] : "";
}

enum dc_date_precision
dc_date_precision_from_name(const char *s)
{
    if (!s || !*s)
        return DC_DATE_NONE;
    for (unsigned i = DC_DATE_YEAR; i <= DC_DATE_INVALID; i++)
        if (strcmp(s, precision_names[i]) == 0)
            return (enum dc_date_precision)i;
    return DC_DATE_NONE;
}

int
dc_date_comparable(const struct dc_date *a, const struct dc_date *b)
{
    return a && b && a->precision >= DC_DATE_YEAR && a->precision <= DC_DATE_DAY &&
           b->precision >= DC_DATE_YEAR && b->precision <= DC_DATE_DAY;
}

int
dc_date_cmp(const struct dc_date *a, const struct dc_date *b)
{
    enum dc_date_precision p;

    if (!dc_date_comparable(a, b))
        return 0;
    p = a->precision < b->precision ? a->precision : b->precision;
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (p >= DC_DATE_MONTH && a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (p >= DC_DATE_DAY && a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}
