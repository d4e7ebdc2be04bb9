/*
 * vndate.h - dates as Vietnamese registry files write them, with a precision.
 *
 * Forms come from the official filling rules (research/records.md §4: DC01
 * "ngày ghi 02 chữ số ... năm ghi đủ bốn chữ số", one-digit months allowed,
 * year-only birth dates) and the sentinels seen in source files ("00/00/1945").
 * A date is never guessed to a finer precision than written, never repaired.
 *
 * Spreadsheet forms (issue 14): a time of day after the date is dropped
 * ("05/03/1990 00:00:00", "1990-03-05T00:00:00"); a five-digit Excel serial day
 * number is a date in the 1900 system ("32874" is 1990-01-01): the callers
 * parse date columns only, and no other written form has five digits.
 *
 * Not for: times of day, time zones, lunar dates, "today" (the caller passes
 * the pivot year).
 */
#ifndef DC_VNDATE_H
#define DC_VNDATE_H

#include "person.h" /* enum dc_date_precision */

#define DC_DATE_RAW_MAX 64 /* bytes; longer input is INVALID */

struct dc_date {
    int year, month, day; /* 0 where not known */
    enum dc_date_precision precision;
    char iso[11]; /* "1990-03-05", "1990-03", "1990", or "" */
};

/*
 * Parse raw (white space around it ignored).  Returns 0 for a readable date or
 * for nothing (blank or NULL: precision DC_DATE_NONE), -1 for DC_DATE_INVALID
 * (iso "", year/month/day as read, 0 where not read).
 *
 * Accepted forms (separators '/', '-', '.', one kind per date):
 *   dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy           -> DAY
 *   d/m/yy (two-digit year, see below)                     -> DAY
 *   yyyy-mm-dd (also yyyy/mm/dd)                           -> DAY
 *   yyyymmdd; ddmmyyyy when yyyymmdd is not a valid date;
 *     either reading needs a year >= 1800 ("31121990" is
 *     31/12/1990, "12111112" is INVALID); "00001945" and
 *     "00031990" are YEAR and MONTH                       -> DAY
 *   mm/yyyy, m/yyyy, 00/mm/yyyy, yyyy-mm                   -> MONTH
 *   yyyy, 00/00/yyyy, 0/0/yyyy, yyyy-00-00                 -> YEAR
 *   "ngày 05 tháng 3 năm 1990", "tháng 3 năm 1990", "năm 1990", with or
 *   without diacritics, any case                           -> DAY/MONTH/YEAR
 * INVALID: impossible dates (30/02/1990, 31/04, 29/02/1991, month 13, day 0
 * with a month given... "00/03/1990" is a month, "05/00/1990" is invalid),
 * year 0, any other shape ("03/90", six-digit numbers).
 *
 * Two-digit years (d/m/yy only): with c = pivot_year - pivot_year % 100 and
 * p = pivot_year % 100, yy <= p gives c + yy, else c - 100 + yy.  With
 * pivot_year 2026: "05/03/26" is 2026, "05/03/27" is 1927.  Pass the year of
 * "today" (the run's --now), so that no birth date lands in the future.  A
 * pivot_year <= 0 makes every two-digit year INVALID.
 */
int dc_date_parse(const char *raw, int pivot_year, struct dc_date *out);

/* The date of an Excel serial day number (1900 system, with its leap-year quirk: serial
 * 60 gives 1900-02-29, which dc_date_valid refuses). */
void dc_date_from_serial(long serial, int *y, int *m, int *d);

/* 1 if y-m-d is a real Gregorian date (year 1..9999), else 0. */
int dc_date_valid(int y, int m, int d);

/* 1 if y is a Gregorian leap year (divisible by 4, not by 100 unless by 400), else 0. */
int dc_date_leap(int y);

/* Days in month m of year y (28..31); 0 when m is not 1..12. */
int dc_date_days_in_month(int y, int m);

/*
 * Parse an ISO 8601 calendar date exactly as dancu writes one: "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD", digits zero-padded, nothing around them (no white space, sign or time).
 * Returns 0 with precision YEAR, MONTH or DAY, or NONE for NULL or ""; -1 with INVALID
 * for any other text or a day the calendar does not have ("2026-02-31").  For values
 * that are ISO by contract (--now, catalogue dates), where dc_date_parse's written forms
 * would accept too much.
 */
int dc_date_parse_iso(const char *s, struct dc_date *out);

/* dc_date_parse_iso's reading without the struct and its ISO text, for loops over
 * stored dates (crosscheck's rules, dedup's records): the precision (NONE, YEAR,
 * MONTH, DAY, or INVALID for anything dc_date_parse_iso refuses) and y, m, d (0
 * where not read; on INVALID what was read so far, as dc_date_parse_iso keeps). */
int dc_date_read_iso(const char *s, int *y, int *m, int *d);

/*
 * Compare at the precision both dates share: "1990" equals "1990-03-05",
 * "1990-03" is before "1990-04-01".  Returns <0, 0, >0.  A NULL date or one
 * that is NONE or INVALID compares equal to anything (0): nothing can be said,
 * so callers that must tell "equal" from "unknown" check the precision first
 * (dc_date_comparable).
 */
int dc_date_cmp(const struct dc_date *a, const struct dc_date *b);

/* A precision as person.dob_precision stores it and exports write it: "year", "month",
 * "day", "invalid"; "" for NONE (and any value out of range). */
const char *dc_date_precision_name(enum dc_date_precision p);

/* The precision a stored name gives back; NONE for NULL, "" or any other text. */
enum dc_date_precision dc_date_precision_from_name(const char *s);

/* 1 if both are readable dates (YEAR, MONTH or DAY), else 0. */
int dc_date_comparable(const struct dc_date *a, const struct dc_date *b);

#endif
