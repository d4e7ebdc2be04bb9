/*
 * rules.c - the table of cross-check rules on one record and their checks.
 *
 * Each rule cites its basis (research/idformats.md §7 row, and the law or
 * standard behind it).  Dates are compared (year, month, day) at the
 * precision the record knows: a year-only birth date is checked on its year
 * only (§7 DOB-3), never widened to a day.  For the card-data rules (MRZ_*,
 * QR_*) "expected" holds the record's value and "actual" what the card data
 * says.
 *
 * Not for: cross-record rules (ID_SHARED, CMND_SHARED run in SQL in
 * crosscheck; they are in the table for --list), storing or printing.
 */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#include "namenote.h"
#include "vndate.h"
#include "vnid.h"
#include "vntext.h"

struct ymd {
    int y, m, d;
    int prec; /* DC_DATE_NONE, _YEAR, _MONTH, _DAY */
};

struct dc_rule_input {
    const struct dc_person *p;
    const struct dc_rules_ctx *ctx;
    const char *idval; /* the ID text the ID_ rules look at, NULL if none */
    int id_exponent;   /* idval is in spreadsheet exponent form */
    int id_parsed;     /* idval is 12 digits: idp filled */
    struct dc_id12 idp;
    struct ymd dob, issue, today;
    int has_mrz, mrz_ok;
    struct dc_mrz mrz;
    char mrz_err[256];
    int has_qr, qr_ok;
    struct dc_qr qr;
    char qr_err[256];
};

static int
set(const char *s)
{
    return s && s[0];
}

/* Copy src into dst[size], cut at a UTF-8 character boundary so a truncated
 * value is still valid text for CSV and JSON output. */
static void
put(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int
digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Read "YYYY", "YYYY-MM" or "YYYY-MM-DD" strictly (vndate's ISO reader); 0 when it is
 * none of them or not a real date, out then all zero (precision NONE). */
static int
read_iso(const char *s, struct ymd *out)
{
    int prec = dc_date_read_iso(s, &out->y, &out->m, &out->d);

    if (prec == DC_DATE_NONE || prec == DC_DATE_INVALID) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    out->prec = prec;
    return 1;
}

/* ISO text of d at precision prec (<= d->prec). */
static void
fmt(char *buf, size_t size, const struct ymd *d, int prec)
{
    if (prec >= DC_DATE_DAY)
        snprintf(buf, size, "%04d-%02d-%02d", d->y, d->m, d->d);
    else if (prec == DC_DATE_MONTH)
        snprintf(buf, size, "%04d-%02d", d->y, d->m);
    else
        snprintf(buf, size, "%04d", d->y);
}

/* -1, 0, 1 comparing a and b at the coarser of their precisions: year, then
 * month, then day, as numbers (the ISO text of two real dates orders the same
 * way; formatting them to compare was a sixth of crosscheck's time).  An
 * unset date (prec NONE) compares as year 0. */
static int
cmp_at(const struct ymd *a, const struct ymd *b)
{
    int prec = a->prec < b->prec ? a->prec : b->prec;
    int x = a->y, y = b->y;

    if (x == y && prec >= DC_DATE_MONTH) {
        x = a->m, y = b->m;
        if (x == y && prec >= DC_DATE_DAY)
            x = a->d, y = b->d;
    }
    return (x > y) - (x < y);
}

/* Shift a date by whole years keeping month and day.  For 29 February into a
 * non-leap year the birthday is not defined by any source (§7 EXP-3): 0. */
static int
plus_years(const struct ymd *d, int years, struct ymd *out)
{
    *out = *d;
    out->y += years;
    if (d->prec == DC_DATE_DAY && d->m == 2 && d->d == 29 && !dc_date_leap(out->y))
        return 0;
    return 1;
}

/* ---- ID ---------------------------------------------------------------- */

/* Digits and other characters of the ID value, separators not counted. */
static void
id_shape(const char *s, size_t *digits, int *other)
{
    *digits = 0;
    *other = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            (*digits)++;
        else if (*s != ' ' && *s != '.' && *s != '-' && *s != '/')
            *other = 1;
    }
}

/* The hint dc_id_clean tests a restored ID against: this record's birth
 * year and sex, and today's year. */
static void
id_hint(const struct dc_rule_input *in, struct dc_id_hint *h)
{
    h->birth_year = in->dob.prec != DC_DATE_NONE ? in->dob.y : 0;
    h->sex = in->p->sex;
    h->this_year = in->today.prec != DC_DATE_NONE ? in->today.y : 0;
}

/* A spreadsheet showed the number as "7.92031E+11": its last digits are
 * gone, so no ID can be read from it (dc_id_clean, core/vnid.c). */
static int
r_id_exponent(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->id_exponent)
        return 0;
    snprintf(f->expected, sizeof f->expected, "12 digits stored as text");
    put(f->actual, sizeof f->actual, in->idval);
    return 1;
}

/* The ID lost its leading zeros in a spreadsheet and normalize restored
 * them (id_raw keeps what it read): the same rule, run again, gives id12. */
static int
r_id_zeros_restored(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    struct dc_id_hint h;
    char id12[13], cmnd[13];
    const char *rule;

    (void)err;
    if (!set(in->p->id12) || !set(in->p->id_raw))
        return 0;
    id_hint(in, &h);
    if (dc_id_clean(in->p->id_raw, &h, id12, cmnd, &rule) != DC_ID_ID12 || !rule ||
        strcmp(id12, in->p->id12) != 0)
        return 0;
    put(f->expected, sizeof f->expected, in->p->id12);
    put(f->actual, sizeof f->actual, in->p->id_raw);
    return 1;
}

/* ID-1: 12 ASCII digits (Decree 137/2015 Art. 13; Law 26/2023 Art. 12). */
static int
r_id_bad_length(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    size_t n;
    int other;

    (void)err;
    if (!in->idval || in->id_exponent)
        return 0;
    id_shape(in->idval, &n, &other);
    if (other || n == 12)
        return 0;
    snprintf(f->expected, sizeof f->expected, "12 digits");
    snprintf(f->actual, sizeof f->actual, "%zu digits: %s", n, in->idval);
    return 1;
}

static int
r_id_not_digits(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    size_t n;
    int other;

    (void)err;
    if (!in->idval || in->id_exponent)
        return 0;
    id_shape(in->idval, &n, &other);
    if (!other)
        return 0;
    snprintf(f->expected, sizeof f->expected, "12 digits");
    put(f->actual, sizeof f->actual, in->idval);
    return 1;
}

/* ID-2: PPP in Circular 07/2016 Annex 1; outside it may be a country code
 * (annex not found, §1.4), hence a warning. */
static int
r_id_province_unknown(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->id_parsed || in->idp.province_known)
        return 0;
    snprintf(f->expected, sizeof f->expected, "001-096 (Circular 07/2016 Annex 1)");
    put(f->actual, sizeof f->actual, in->idp.province);
    return 1;
}

/* ID-3: the birth year the ID encodes (century digit by Circular 07/2016
 * Annex 3: 4/5 = 2100s ... 8/9 = 2300s) is not after the extract date's year;
 * without a clock, digits 4-9 (born 2100 or later) are reported. */
static int
r_id_birth_year_future(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    int year = in->idp.century + in->idp.yy;
    int limit = in->today.prec != DC_DATE_NONE ? in->today.y : 2099;

    (void)err;
    if (!in->id_parsed || year <= limit)
        return 0;
    snprintf(f->expected, sizeof f->expected, "<= %d", limit);
    snprintf(f->actual, sizeof f->actual, "%d (digits 4-6: %.3s)", year, in->idval + 3);
    return 1;
}

/* ID-5: parity of G = sex (Circular 07/2016 Annex 3: even male, odd female). */
static int
r_id_sex_mismatch(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    char s = in->p->sex;

    (void)err;
    if (!in->id_parsed || (s != 'M' && s != 'F') || s == in->idp.sex)
        return 0;
    snprintf(f->expected, sizeof f->expected, "%c", in->idp.sex);
    snprintf(f->actual, sizeof f->actual, "%c", s);
    return 1;
}

/* ID-4, century part: G gives the century of birth. */
static int
r_id_century_mismatch(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->id_parsed || in->dob.prec == DC_DATE_NONE || in->dob.y / 100 * 100 == in->idp.century)
        return 0;
    snprintf(f->expected, sizeof f->expected, "%d-%d", in->idp.century, in->idp.century + 99);
    snprintf(f->actual, sizeof f->actual, "%04d", in->dob.y);
    return 1;
}

/* ID-4, year part (DOB-3: a year-only date is checked on its year). */
static int
r_id_birth_year_mismatch(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->id_parsed || in->dob.prec == DC_DATE_NONE ||
        in->dob.y / 100 * 100 != in->idp.century || in->dob.y % 100 == in->idp.yy)
        return 0;
    snprintf(f->expected, sizeof f->expected, "%d", in->idp.century + in->idp.yy);
    snprintf(f->actual, sizeof f->actual, "%04d", in->dob.y);
    return 1;
}

/* CMND-1: 9 digits; a 12-digit CMND (2012-2015, §2.2) is accepted too. */
static int
r_cmnd_bad_format(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const char *c = in->p->cmnd;
    size_t n;

    (void)err;
    if (!set(c))
        return 0;
    n = strlen(c);
    if ((n == 9 || n == 12) && digits(c, n))
        return 0;
    snprintf(f->expected, sizeof f->expected, "9 digits");
    put(f->actual, sizeof f->actual, c);
    return 1;
}

/* A 12-digit CMND (2012-2015) beside a different 12-digit ID: one person, two
 * personal numbers (idformats.md §2.2: the 12-digit CMND was, unverified, kept as
 * the ID).  import puts a second 12-digit number of a row here (issue 22). */
static int
r_cmnd_id12_differs(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const char *c = in->p->cmnd, *id = in->p->id12;

    (void)err;
    if (!set(c) || !set(id) || strlen(c) != 12 || !digits(c, 12) || strcmp(c, id) == 0)
        return 0;
    put(f->expected, sizeof f->expected, id);
    put(f->actual, sizeof f->actual, c);
    return 1;
}

/* ---- dates ---------------------------------------------------------------- */

/* DOB-1: a real calendar date. */
static int
r_dob_invalid(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const struct dc_person *p = in->p;

    (void)err;
    if (p->dob_precision == DC_DATE_INVALID) {
        put(f->actual, sizeof f->actual, set(p->dob_raw) ? p->dob_raw : "");
        return 1;
    }
    /* A dob that does not read at all is a normalize slip; say so too. */
    if (set(p->dob) && in->dob.prec == DC_DATE_NONE) {
        put(f->actual, sizeof f->actual, p->dob);
        return 1;
    }
    return 0;
}

/* DOB-1: not after the extract date. */
static int
r_dob_future(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (in->dob.prec == DC_DATE_NONE || in->today.prec == DC_DATE_NONE ||
        cmp_at(&in->dob, &in->today) <= 0)
        return 0;
    fmt(f->expected, sizeof f->expected, &in->today, DC_DATE_DAY);
    fmt(f->actual, sizeof f->actual, &in->dob, in->dob.prec);
    return 1;
}

/* DOB-2: the century digit has no code before 1900 (Circular 07/2016 Annex 3). */
static int
r_dob_before_1900(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!set(in->p->id12) || in->dob.prec == DC_DATE_NONE || in->dob.y >= 1900)
        return 0;
    snprintf(f->expected, sizeof f->expected, ">= 1900");
    fmt(f->actual, sizeof f->actual, &in->dob, in->dob.prec);
    return 1;
}

static int
r_sex_missing(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    char s = in->p->sex;

    (void)err;
    if (s == 'M' || s == 'F')
        return 0;
    snprintf(f->expected, sizeof f->expected, "M/F");
    put(f->actual, sizeof f->actual, set(in->p->sex_raw) ? in->p->sex_raw : "");
    return 1;
}

/* ISS-1: issued no later than the extract date. */
static int
r_issue_future(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (in->issue.prec != DC_DATE_DAY || in->today.prec == DC_DATE_NONE ||
        cmp_at(&in->issue, &in->today) <= 0)
        return 0;
    fmt(f->expected, sizeof f->expected, &in->today, DC_DATE_DAY);
    fmt(f->actual, sizeof f->actual, &in->issue, DC_DATE_DAY);
    return 1;
}

/* ISS-1: not before birth (a card may be issued from birth since 2024). */
static int
r_issue_before_birth(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (in->issue.prec != DC_DATE_DAY || in->dob.prec == DC_DATE_NONE ||
        cmp_at(&in->issue, &in->dob) >= 0)
        return 0;
    fmt(f->expected, sizeof f->expected, &in->dob, in->dob.prec);
    fmt(f->actual, sizeof f->actual, &in->issue, DC_DATE_DAY);
    return 1;
}

static const struct ymd law2023 = {2024, 7, 1, DC_DATE_DAY};

/* ISS-3: before 1 Jul 2024 a CCCD (Law 2014 Art. 19.1, Decree 137/2015 Art.
 * 18) or a CMND (Decree 05/1999) was issued from full 14 years; from that date
 * a card may be issued at any age (Law 26/2023 Art. 19, ISS-4). */
static int
r_issue_before_age14(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    struct ymd b14;

    (void)err;
    if (in->issue.prec != DC_DATE_DAY || in->dob.prec == DC_DATE_NONE ||
        cmp_at(&in->issue, &law2023) >= 0 || cmp_at(&in->issue, &in->dob) < 0)
        return 0;
    b14 = in->dob;
    b14.y += 14; /* 29 Feb + 14 y compares right as (m, d): 28 Feb < (2, 29) < 1 Mar */
    if (cmp_at(&in->issue, &b14) >= 0)
        return 0;
    {
        char b[16];
        fmt(b, sizeof b, &b14, b14.prec);
        snprintf(f->expected, sizeof f->expected, ">= %s", b);
    }
    fmt(f->actual, sizeof f->actual, &in->issue, DC_DATE_DAY);
    return 1;
}

/* ISS-6: QR and MRZ came with the chip CCCD form of Circular 06/2021 ("từ
 * tháng 01/2021"); card data with an earlier issue date is implausible. */
static int
r_issue_chip_before_2021(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    static const struct ymd chip_start = {2021, 1, 1, DC_DATE_DAY};

    (void)err;
    if ((!in->has_mrz && !in->has_qr) || in->issue.prec != DC_DATE_DAY ||
        cmp_at(&in->issue, &chip_start) >= 0)
        return 0;
    snprintf(f->expected, sizeof f->expected, ">= 2021-01-01");
    fmt(f->actual, sizeof f->actual, &in->issue, DC_DATE_DAY);
    return 1;
}

/* EXP-1: a CCCD / căn cước is valid to the birthday at the first change age a
 * with issue date before the (a-2)th birthday - "cấp trong thời hạn 02 năm
 * trước độ tuổi" lasts to the next change age (Law 2014 Art. 21, Law 26/2023
 * Art. 21).  Ages 25/40/60 before 1 Jul 2024, 14/25/40/60 from then; none left:
 * no expiry.  A card issued before 2016 (or of a record with a CMND and no
 * ID) is a CMND: 15 years from issue (Decree 05/1999 as amended by 170/2007,
 * CMND-1). */
static int
expected_expiry(const struct dc_rule_input *in, struct ymd *exp, int *none)
{
    static const int old_ages[] = {25, 40, 60, 0};
    static const int new_ages[] = {14, 25, 40, 60, 0};
    static const struct ymd cccd_start = {2016, 1, 1, DC_DATE_DAY};
    const int *ages;

    *none = 0;
    /* A record with only a CMND holds that card's dates (9-digit CMNDs were
     * still issued in some provinces after 2016). */
    if (cmp_at(&in->issue, &cccd_start) < 0 || (!set(in->p->id12) && set(in->p->cmnd)))
        return plus_years(&in->issue, 15, exp);
    ages = cmp_at(&in->issue, &law2023) < 0 ? old_ages : new_ages;
    for (; *ages; ages++) {
        struct ymd two_before = in->dob;
        two_before.y += *ages - 2;
        if (cmp_at(&in->issue, &two_before) < 0)
            return plus_years(&in->dob, *ages, exp);
    }
    *none = 1;
    return 1;
}

static int
r_expiry_inconsistent(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const char *e = in->p->expiry_date;
    struct ymd want = {0}, got; /* want is unset when none (gcc -O3 cannot tell) */
    int none;

    (void)err;
    if (!e || in->issue.prec != DC_DATE_DAY || in->dob.prec != DC_DATE_DAY)
        return 0;
    if (!expected_expiry(in, &want, &none))
        return 0; /* 29 February: rule unknown (EXP-3) */
    if (e[0] == '\0') {
        if (none)
            return 0;
        snprintf(f->actual, sizeof f->actual, "none");
    } else {
        if (!read_iso(e, &got) || got.prec != DC_DATE_DAY) {
            put(f->actual, sizeof f->actual, e);
        } else {
            if (!none && cmp_at(&got, &want) == 0)
                return 0;
            fmt(f->actual, sizeof f->actual, &got, DC_DATE_DAY);
        }
    }
    if (none)
        snprintf(f->expected, sizeof f->expected, "none");
    else
        fmt(f->expected, sizeof f->expected, &want, DC_DATE_DAY);
    return 1;
}

/* An address in which not even a province was recognised. */
static int
r_addr_no_match(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const struct dc_person *p = in->p;

    (void)err;
    if (!set(p->address_raw) || set(p->ward_code) || set(p->new_ward_code) ||
        set(p->province_code) || set(p->new_province_code))
        return 0;
    put(f->actual, sizeof f->actual, p->address_raw);
    return 1;
}

/*
 * A province (or district) was recognised but no ward code of either era:
 * normalize left it empty rather than guess, and says why (a ward split in
 * 2025, a name ambiguous in the province, a ward not in the stated district
 * or province, no ward written).  actual carries that reason.
 */
static int
r_addr_ward_unresolved(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const struct dc_person *p = in->p;

    (void)err;
    if (!set(p->address_raw) || set(p->ward_code) || set(p->new_ward_code))
        return 0;
    if (!set(p->province_code) && !set(p->new_province_code))
        return 0; /* ADDR_NO_MATCH */
    put(f->actual, sizeof f->actual, set(p->addr_reason) ? p->addr_reason : "no-ward");
    return 1;
}

/*
 * Districts were abolished on 1 July 2025 (Resolution 202/2025/QH15, the
 * two-level local government): an address still written with a district
 * on a card issued from that day is out of date.  A district code is only
 * ever matched in a pre-2025 reading, so it marks the old form.
 */
static int
r_addr_pre2025_after_merger(const struct dc_rule_input *in, struct dc_finding *f,
                            struct dc_error *err)
{
    const struct dc_person *p = in->p;

    (void)err;
    /* a 2025 reading also carries the old district its ward lies in: only a
     * text read in the old era alone names a district */
    if (!set(p->district_code) || !set(p->issue_date) || strcmp(p->issue_date, "2025-07-01") < 0 ||
        (set(p->addr_era) && strcmp(p->addr_era, "pre2025") != 0))
        return 0;
    put(f->expected, sizeof f->expected, "2025 units (ward, province)");
    put(f->actual, sizeof f->actual, p->address_raw ? p->address_raw : "");
    return 1;
}

/* ---- MRZ (§7 MRZ-1..4) ------------------------------------------------------ */

static int
r_mrz_layout(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->has_mrz || in->mrz_ok)
        return 0;
    snprintf(f->expected, sizeof f->expected, "TD1 3x30");
    put(f->actual, sizeof f->actual, in->mrz_err);
    return 1;
}

/* Lines of 28-32 characters read as 30 once only trailing filler was
 * restored (dc_mrz_parse): decoded and checked, but the scan was not clean. */
static int
r_mrz_padding(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    size_t n = 0;

    (void)err;
    if (!in->mrz_ok || !in->mrz.padded)
        return 0;
    snprintf(f->expected, sizeof f->expected, "3 lines of 30");
    for (int i = 0; i < 3; i++)
        if (in->mrz.padded & (1 << i))
            n += (size_t)snprintf(f->actual + n, sizeof f->actual - n, "%sline %d", n ? ";" : "",
                                  i + 1);
    return 1;
}

static int
r_mrz_check_digit(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->mrz_ok || in->mrz.checks_ok)
        return 0;
    put(f->actual, sizeof f->actual, in->mrz.problems);
    return 1;
}

static int
r_mrz_vn_layout(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->mrz_ok || !in->mrz.is_vn || !in->mrz.vn_problems[0])
        return 0;
    put(f->actual, sizeof f->actual, in->mrz.vn_problems);
    return 1;
}

static int
r_mrz_id(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->mrz_ok || !in->mrz.id12[0] || !set(in->p->id12) ||
        strcmp(in->mrz.id12, in->p->id12) == 0)
        return 0;
    put(f->expected, sizeof f->expected, in->p->id12);
    put(f->actual, sizeof f->actual, in->mrz.id12);
    return 1;
}

/* MRZ-3: the MRZ DOB against the record at the record's precision (YYMMDD,
 * the century is not in the MRZ). */
static int
r_mrz_dob(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    char want[16];
    size_t n;

    (void)err;
    if (!in->mrz_ok || in->dob.prec == DC_DATE_NONE)
        return 0;
    snprintf(want, sizeof want, "%02d%02d%02d", in->dob.y % 100, in->dob.m, in->dob.d);
    n = in->dob.prec == DC_DATE_DAY ? 6 : in->dob.prec == DC_DATE_MONTH ? 4 : 2;
    if (memcmp(want, in->mrz.birth, n) == 0)
        return 0;
    fmt(f->expected, sizeof f->expected, &in->dob, in->dob.prec);
    put(f->actual, sizeof f->actual, in->mrz.birth);
    return 1;
}

static int
r_mrz_sex(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    char s = in->p->sex, m = in->mrz.sex;

    (void)err;
    if (!in->mrz_ok || (s != 'M' && s != 'F') || (m != 'M' && m != 'F') || s == m)
        return 0;
    snprintf(f->expected, sizeof f->expected, "%c", s);
    snprintf(f->actual, sizeof f->actual, "%c", m);
    return 1;
}

/* VN cards print 991231 for "Không thời hạn" (§4.4); record "" = no expiry. */
static int
r_mrz_expiry(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const char *e = in->p->expiry_date;
    struct ymd d;
    char want[16];

    (void)err;
    if (!in->mrz_ok || !e)
        return 0;
    if (e[0] == '\0') {
        snprintf(want, sizeof want, "991231");
    } else {
        if (!read_iso(e, &d) || d.prec != DC_DATE_DAY)
            return 0;
        snprintf(want, sizeof want, "%02d%02d%02d", d.y % 100, d.m, d.d);
    }
    if (strcmp(want, in->mrz.expiry) == 0)
        return 0;
    put(f->expected, sizeof f->expected, e[0] ? e : "none");
    put(f->actual, sizeof f->actual, in->mrz.expiry);
    return 1;
}

/* MRZ-4: line 3 against the ICAO transliteration of the record's name. */
static int
r_mrz_name(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    struct dc_error e2 = DC_ERROR_INIT;
    int r;

    if (!in->mrz_ok || !set(in->p->full_name) || !in->mrz.name[0])
        return 0;
    r = dc_mrz_name_agrees(in->p->full_name, in->mrz.name, &e2);
    if (r < 0 && e2.status == DC_EX_SOFTWARE)
        return dc_error_set(err, e2.status, "%s", e2.msg);
    if (r != 0)
        return 0; /* agrees, or the record name cannot be folded */
    if (dc_mrz_fold_name(in->p->full_name, '<', f->expected, sizeof f->expected, &e2) < 0)
        f->expected[0] = '\0';
    put(f->actual, sizeof f->actual, in->mrz.name);
    return 1;
}

/* ---- QR (§7 QR-1, QR-2) ---------------------------------------------------- */

static int
r_qr_unparseable(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->has_qr || in->qr_ok)
        return 0;
    snprintf(f->expected, sizeof f->expected, ">= 7 fields separated by |");
    put(f->actual, sizeof f->actual, in->qr_err);
    return 1;
}

static int
r_qr_bad_field(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->qr_ok || !in->qr.problems[0])
        return 0;
    put(f->actual, sizeof f->actual, in->qr.problems);
    return 1;
}

static int
r_qr_id(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->qr_ok || !in->qr.id12[0] || !set(in->p->id12) || strcmp(in->qr.id12, in->p->id12) == 0)
        return 0;
    put(f->expected, sizeof f->expected, in->p->id12);
    put(f->actual, sizeof f->actual, in->qr.id12);
    return 1;
}

static int
r_qr_cmnd(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->qr_ok || !in->qr.cmnd[0] || !set(in->p->cmnd) || strcmp(in->qr.cmnd, in->p->cmnd) == 0)
        return 0;
    put(f->expected, sizeof f->expected, in->p->cmnd);
    put(f->actual, sizeof f->actual, in->qr.cmnd);
    return 1;
}

static int
r_qr_name(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    struct dc_error e2 = DC_ERROR_INIT;
    int r;

    if (!in->qr_ok || !set(in->qr.name) || !set(in->p->full_name))
        return 0;
    r = dc_vn_text_equal(in->p->full_name, in->qr.name, &e2);
    if (r < 0 && e2.status == DC_EX_SOFTWARE)
        return dc_error_set(err, e2.status, "%s", e2.msg);
    if (r != 0)
        return 0;
    put(f->expected, sizeof f->expected, in->p->full_name);
    put(f->actual, sizeof f->actual, in->qr.name);
    return 1;
}

static int
r_qr_dob(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    struct ymd q;

    (void)err;
    if (!in->qr_ok || !in->qr.dob[0] || in->dob.prec == DC_DATE_NONE || !read_iso(in->qr.dob, &q) ||
        cmp_at(&q, &in->dob) == 0)
        return 0;
    fmt(f->expected, sizeof f->expected, &in->dob, in->dob.prec);
    put(f->actual, sizeof f->actual, in->qr.dob);
    return 1;
}

static int
r_qr_sex(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    char s = in->p->sex;

    (void)err;
    if (!in->qr_ok || !in->qr.sex || (s != 'M' && s != 'F') || s == in->qr.sex)
        return 0;
    snprintf(f->expected, sizeof f->expected, "%c", s);
    snprintf(f->actual, sizeof f->actual, "%c", in->qr.sex);
    return 1;
}

static int
r_qr_issue(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!in->qr_ok || !in->qr.issue[0] || !set(in->p->issue_date) ||
        strcmp(in->qr.issue, in->p->issue_date) == 0)
        return 0;
    put(f->expected, sizeof f->expected, in->p->issue_date);
    put(f->actual, sizeof f->actual, in->qr.issue);
    return 1;
}

/* A Kinh name of three or more syllables without one diacritic was written by a system
 * without Vietnamese letters ("Nguyen Van An"): the marks are lost and nobody can put them
 * back for sure, so a clerk should read the source.  Two syllables can be right as they
 * are ("Mai Anh"), and so can the names of other ethnic groups ("Ksor Y Bun"): not
 * flagged when the record names an ethnic group other than Kinh. */
static int
r_name_no_diacritics(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    const char *s = in->p->full_name;
    int words = 0;

    (void)err;
    if (!set(s) || (set(in->p->ethnic) && strcmp(in->p->ethnic, "Kinh") != 0))
        return 0;
    for (const char *c = s; *c; c++)
        words += *c != ' ' && (c == s || c[-1] == ' ');
    if (words < 3 || dc_text_has_diacritics(s))
        return 0;
    put(f->actual, sizeof f->actual, s);
    return 1;
}

static int
r_name_death_marker(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err)
{
    (void)err;
    if (!set(in->p->name_note) || !dc_name_note_is_death(in->p->name_note))
        return 0;
    put(f->actual, sizeof f->actual, in->p->name_note);
    return 1;
}

/* ---- the table ---------------------------------------------------------------
 * Severities follow idformats.md §7 (E/W/I).  Order = output order. */
static const struct dc_rule rules[] = {
    {"ID_BAD_LENGTH", DC_SEV_ERROR, "id12", "Số định danh cá nhân không đủ 12 chữ số",
     "personal ID number is not 12 digits (Decree 137/2015 Art. 13)", r_id_bad_length},
    {"ID_NOT_DIGITS", DC_SEV_ERROR, "id12", "Số định danh cá nhân chứa ký tự không phải chữ số",
     "personal ID number holds characters other than digits", r_id_not_digits},
    {"ID_PROVINCE_UNKNOWN", DC_SEV_WARNING, "id12",
     "Mã tỉnh (3 số đầu) không thuộc 63 mã của Thông tư 07/2016; có thể là mã quốc gia",
     "province code (first 3 digits) not among the 63 codes of Circular 07/2016; "
     "maybe a country code, review",
     r_id_province_unknown},
    {"ID_SPREADSHEET_EXPONENT", DC_SEV_ERROR, "id12",
     "Số định danh bị bảng tính ghi dạng số mũ (7.92031E+11): đã mất chữ số, không khôi phục được",
     "ID number written by a spreadsheet in exponent form (7.92031E+11): digits are lost, "
     "nothing restored",
     r_id_exponent},
    {"ID_ZEROS_RESTORED", DC_SEV_INFO, "id12",
     "Số định danh mất số 0 ở đầu (bảng tính) đã được khôi phục: mã tỉnh, thế kỷ/giới tính và "
     "năm sinh khớp bản ghi",
     "ID number's leading zeros (lost in a spreadsheet) restored: province code, century/sex "
     "and birth year agree with the record",
     r_id_zeros_restored},
    {"ID_BIRTH_YEAR_FUTURE", DC_SEV_ERROR, "id12",
     "Năm sinh mã hóa trong số định danh (số thứ 4-6) sau năm trích xuất",
     "birth year encoded in the ID (digits 4-6) is after the extract year", r_id_birth_year_future},
    {"ID_CHECK_SEX_CENTURY", DC_SEV_ERROR, "sex",
     "Giới tính không khớp mã giới tính trong số định danh (chẵn: nam, lẻ: nữ)",
     "sex does not match the ID's century/sex digit (even male, odd female)", r_id_sex_mismatch},
    {"ID_CENTURY_MISMATCH", DC_SEV_ERROR, "dob",
     "Thế kỷ năm sinh không khớp mã thế kỷ trong số định danh",
     "century of the birth year does not match the ID's century digit", r_id_century_mismatch},
    {"ID_BIRTH_YEAR_MISMATCH", DC_SEV_ERROR, "dob",
     "Năm sinh không khớp 2 số năm sinh trong số định danh",
     "birth year does not match the ID's year digits", r_id_birth_year_mismatch},
    {"ID_SHARED", DC_SEV_ERROR, "id12",
     "Một số định danh cho nhiều người khác nhau (kiểm tra giữa các bản ghi, bằng SQL)",
     "one ID number on different persons (cross-record, run in SQL by crosscheck)", NULL},
    {"CMND_BAD_FORMAT", DC_SEV_WARNING, "cmnd", "Số CMND không phải 9 (hoặc 12) chữ số",
     "CMND number is not 9 (or 12) digits", r_cmnd_bad_format},
    {"CMND_ID12_DIFFERS", DC_SEV_WARNING, "cmnd",
     "Số CMND 12 số khác số định danh của cùng người (hai số 12 chữ số)",
     "a 12-digit CMND differs from the same person's ID number (two 12-digit numbers)",
     r_cmnd_id12_differs},
    {"CMND_SHARED", DC_SEV_INFO, "cmnd",
     "Một số CMND cho nhiều người (CMND không duy nhất; kiểm tra giữa các bản ghi, bằng SQL)",
     "one CMND number on different persons (CMND is not unique; cross-record, run in SQL)", NULL},
    {"DOB_INVALID_DATE", DC_SEV_ERROR, "dob", "Ngày sinh không đọc được hoặc không có thật",
     "birth date unreadable or impossible", r_dob_invalid},
    {"DOB_IN_FUTURE", DC_SEV_ERROR, "dob", "Ngày sinh sau ngày trích xuất",
     "birth date after the extract date", r_dob_future},
    {"DOB_BEFORE_1900", DC_SEV_ERROR, "dob",
     "Năm sinh trước 1900 nhưng có số định danh (không có mã thế kỷ)",
     "birth year before 1900 with an ID number (no century code for it)", r_dob_before_1900},
    {"SEX_MISSING", DC_SEV_INFO, "sex", "Thiếu giới tính hoặc không đọc được",
     "sex missing or unreadable", r_sex_missing},
    {"ISSUE_IN_FUTURE", DC_SEV_ERROR, "issue_date", "Ngày cấp sau ngày trích xuất",
     "issue date after the extract date", r_issue_future},
    {"ISSUE_BEFORE_BIRTH", DC_SEV_ERROR, "issue_date", "Ngày cấp trước ngày sinh",
     "issue date before the birth date", r_issue_before_birth},
    {"ISSUE_BEFORE_AGE14", DC_SEV_ERROR, "issue_date",
     "Thẻ cấp trước 01/7/2024 khi chưa đủ 14 tuổi (Luật CCCD 2014 Điều 19)",
     "card issued before 2024-07-01 to a person under 14 (Law on CCCD 2014 Art. 19)",
     r_issue_before_age14},
    {"ISSUE_CHIP_BEFORE_2021", DC_SEV_WARNING, "issue_date",
     "Thẻ có MRZ/mã QR (thẻ gắn chip) nhưng ngày cấp trước 01/01/2021",
     "card with MRZ/QR (chip card) but issued before 2021-01-01 (Circular 06/2021)",
     r_issue_chip_before_2021},
    {"EXPIRY_INCONSISTENT", DC_SEV_WARNING, "expiry_date",
     "Ngày hết hạn không khớp tuổi đổi thẻ 14/25/40/60 (CMND: 15 năm)",
     "expiry does not match the card-change ages 14/25/40/60 (CMND: 15 years)",
     r_expiry_inconsistent},
    {"ADDR_NO_MATCH", DC_SEV_WARNING, "address",
     "Địa chỉ không khớp đơn vị hành chính nào trong danh mục",
     "address matched no administrative unit of the catalogue", r_addr_no_match},
    {"ADDR_WARD_UNRESOLVED", DC_SEV_INFO, "address",
     "Không xác định được mã xã/phường (để trống, không đoán): xem lý do",
     "ward code left empty rather than guessed (split ward, ambiguous name, ...): see reason",
     r_addr_ward_unresolved},
    {"ADDR_PRE2025_AFTER_MERGER", DC_SEV_WARNING, "address",
     "Thẻ cấp từ 01/7/2025 nhưng địa chỉ còn ghi đơn vị cấp huyện (trước sáp nhập)",
     "card issued from 2025-07-01 but the address still names a district (pre-2025 units)",
     r_addr_pre2025_after_merger},
    {"MRZ_LAYOUT", DC_SEV_ERROR, "mrz", "MRZ không đúng dạng TD1 (3 dòng 30 ký tự A-Z 0-9 <)",
     "MRZ is not a TD1 zone (3 lines of 30 A-Z 0-9 <)", r_mrz_layout},
    {"MRZ_PADDING_REPAIRED", DC_SEV_WARNING, "mrz",
     "Dòng MRZ thiếu hoặc thừa ký tự đệm '<' ở cuối: đã khôi phục 30 ký tự, số kiểm tra đúng",
     "MRZ line had trailing '<' filler lost or doubled: restored to 30 characters, check "
     "digits hold",
     r_mrz_padding},
    {"MRZ_CHECK_DIGIT", DC_SEV_ERROR, "mrz", "Số kiểm tra MRZ sai (ICAO 9303)",
     "MRZ check digit wrong (ICAO 9303)", r_mrz_check_digit},
    {"MRZ_VN_LAYOUT", DC_SEV_ERROR, "mrz",
     "MRZ không đúng cấu trúc thẻ Việt Nam (9 số cuối, số định danh, số kiểm tra vị trí 30)",
     "MRZ breaks the Vietnamese card layout (last 9 digits, 12-digit ID, check digit at 30)",
     r_mrz_vn_layout},
    {"MRZ_ID_MISMATCH", DC_SEV_ERROR, "id12", "Số định danh trong MRZ khác bản ghi",
     "ID number in the MRZ differs from the record", r_mrz_id},
    {"MRZ_DOB_MISMATCH", DC_SEV_ERROR, "dob", "Ngày sinh trong MRZ khác bản ghi",
     "birth date in the MRZ differs from the record", r_mrz_dob},
    {"MRZ_SEX_MISMATCH", DC_SEV_ERROR, "sex", "Giới tính trong MRZ khác bản ghi",
     "sex in the MRZ differs from the record", r_mrz_sex},
    {"MRZ_EXPIRY_MISMATCH", DC_SEV_ERROR, "expiry_date",
     "Ngày hết hạn trong MRZ khác bản ghi (991231: không thời hạn)",
     "expiry in the MRZ differs from the record (991231: no expiry)", r_mrz_expiry},
    {"MRZ_NAME_MISMATCH", DC_SEV_WARNING, "full_name",
     "Họ tên trong MRZ khác họ tên bản ghi (bỏ dấu, Đ thành D)",
     "name in the MRZ differs from the record's name (marks dropped, Đ to D)", r_mrz_name},
    {"QR_UNPARSEABLE", DC_SEV_ERROR, "qr",
     "Mã QR không đọc được (cần ít nhất 7 trường phân cách bởi |)",
     "QR payload unreadable (at least 7 fields separated by | expected)", r_qr_unparseable},
    {"QR_BAD_FIELD", DC_SEV_ERROR, "qr",
     "Trường trong mã QR sai dạng (số định danh, CMND, ngày sinh, giới tính, ngày cấp)",
     "QR field malformed (ID, CMND, birth date, sex, issue date)", r_qr_bad_field},
    {"QR_ID_MISMATCH", DC_SEV_ERROR, "id12", "Số định danh trong mã QR khác bản ghi",
     "ID number in the QR differs from the record", r_qr_id},
    {"QR_CMND_MISMATCH", DC_SEV_WARNING, "cmnd", "Số CMND trong mã QR khác bản ghi",
     "CMND number in the QR differs from the record", r_qr_cmnd},
    {"QR_NAME_MISMATCH", DC_SEV_WARNING, "full_name", "Họ tên trong mã QR khác bản ghi",
     "name in the QR differs from the record", r_qr_name},
    {"QR_DOB_MISMATCH", DC_SEV_ERROR, "dob", "Ngày sinh trong mã QR khác bản ghi",
     "birth date in the QR differs from the record", r_qr_dob},
    {"QR_SEX_MISMATCH", DC_SEV_ERROR, "sex", "Giới tính trong mã QR khác bản ghi",
     "sex in the QR differs from the record", r_qr_sex},
    {"QR_ISSUE_MISMATCH", DC_SEV_WARNING, "issue_date", "Ngày cấp trong mã QR khác bản ghi",
     "issue date in the QR differs from the record", r_qr_issue},
    {"NAME_NO_DIACRITICS", DC_SEV_INFO, "full_name",
     "Họ tên không có dấu tiếng Việt (mất dấu khi nhập?): đối chiếu với hồ sơ gốc",
     "name without any Vietnamese diacritic (lost by a system without them?): check the "
     "source document",
     r_name_no_diacritics},
    {"NAME_DEATH_MARKER", DC_SEV_WARNING, "full_name",
     "Ghi chú trong ô họ tên cho biết người này đã chết (\"đã chết\", \"đã mất\"): kiểm tra "
     "trước khi đưa vào dữ liệu dân cư",
     "the note in the name cell says the person has died (\"đã chết\", \"đã mất\"): check "
     "before loading the record as a resident",
     r_name_death_marker},
    /* cross-record, with --against only (crosscheck.c compares the DB with the other
     * source in SQL): last, where `crosscheck --list` has always put it */
    {"AGAINST_MISMATCH", DC_SEV_WARNING, "",
     "Hồ sơ cùng số định danh trong nguồn đối chiếu có giá trị khác",
     "the record with the same ID in the --against source has a different value", NULL},
};

#define NRULES (sizeof rules / sizeof rules[0])

size_t
dc_rules_count(void)
{
    return NRULES;
}

const struct dc_rule *
dc_rules_get(size_t i)
{
    return i < NRULES ? &rules[i] : NULL;
}

const struct dc_rule *
dc_rules_find(const char *code)
{
    for (size_t i = 0; code && i < NRULES; i++)
        if (strcmp(rules[i].code, code) == 0)
            return &rules[i];
    return NULL;
}

const char *
dc_rules_severity_name(enum dc_severity s)
{
    switch (s) {
    case DC_SEV_ERROR:
        return "error";
    case DC_SEV_WARNING:
        return "warning";
    default:
        return "info";
    }
}

/* code starts with one of the comma-separated prefixes of only. */
static int
selected(const char *only, const char *code)
{
    const char *p = only;

    if (!set(only))
        return 1;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n > 0 && strncmp(code, p, n) == 0)
            return 1;
        if (!q)
            break;
        p = q + 1;
    }
    return 0;
}

static void
prepare(struct dc_rule_input *in, const struct dc_person *p, const struct dc_rules_ctx *ctx)
{
    struct dc_error e = DC_ERROR_INIT;

    memset(in, 0, sizeof *in);
    in->p = p;
    in->ctx = ctx;
    if (set(p->id12))
        in->idval = p->id12;
    else if (set(p->id_raw))
        in->idval = p->id_raw;
    if (in->idval && strlen(in->idval) == 12 && digits(in->idval, 12)) {
        (void)dc_id12_parse(in->idval, &in->idp, NULL); /* problems are rules here */
        in->id_parsed = 1;
    } else if (in->idval) {
        char a[13], b[13];
        in->id_exponent = dc_id_clean(in->idval, NULL, a, b, NULL) == DC_ID_EXPONENT;
    }
    if (p->dob_precision != DC_DATE_INVALID && set(p->dob))
        (void)read_iso(p->dob, &in->dob); /* prec stays NONE when unreadable */
    if (set(p->issue_date))
        (void)read_iso(p->issue_date, &in->issue);
    if (ctx && set(ctx->today) &&
        (!read_iso(ctx->today, &in->today) || in->today.prec != DC_DATE_DAY))
        memset(&in->today, 0, sizeof in->today);
    if (set(p->mrz)) {
        in->has_mrz = 1;
        in->mrz_ok = dc_mrz_parse(p->mrz, &in->mrz, &e) == 0;
        if (!in->mrz_ok)
            put(in->mrz_err, sizeof in->mrz_err, e.msg);
        dc_error_clear(&e);
    }
    if (set(p->qr)) {
        in->has_qr = 1;
        in->qr_ok = dc_qr_parse(p->qr, &in->qr, &e) == 0;
        if (!in->qr_ok)
            put(in->qr_err, sizeof in->qr_err, e.msg);
    }
}

int
dc_rules_check(const struct dc_person *p, const struct dc_rules_ctx *ctx,
               int (*emit)(void *ud, const struct dc_person *p, const struct dc_finding *f),
               void *ud, struct dc_error *err)
{
    struct dc_rule_input in;
    int en = ctx && ctx->lang && strcmp(ctx->lang, "en") == 0;
    int rc = 0;

    if (!p || !emit)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_rules_check: no record or no emitter");
    prepare(&in, p, ctx);
    for (size_t i = 0; i < NRULES && rc == 0; i++) {
        const struct dc_rule *r = &rules[i];
        struct dc_finding f;
        int hit;

        if (!r->check || !selected(ctx ? ctx->only : NULL, r->code))
            continue;
        /* the strings empty, not the whole 528 bytes zeroed: a rule writes whole strings,
         * and zeroing f per rule was a sixth of crosscheck's instructions */
        f.expected[0] = f.actual[0] = f.message[0] = '\0';
        f.code = r->code;
        f.severity = r->severity;
        f.field = r->field;
        hit = r->check(&in, &f, err);
        if (hit < 0) {
            rc = -1;
            break;
        }
        if (!hit)
            continue;
        put(f.message, sizeof f.message, en ? r->desc_en : r->desc_vi);
        if (emit(ud, p, &f) != 0)
            rc = dc_error_set(err, DC_EX_IOERR, "writing a finding failed");
    }
    if (in.qr_ok)
        dc_qr_release(&in.qr);
    return rc;
}
