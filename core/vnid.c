/*
 * vnid.c - parsers for the 12-digit ID, the CMND, the TD1 MRZ and the card QR.
 *
 * Tables and rules come from research/idformats.md: province codes §1.3
 * (Circular 07/2016 Annex 1), century/sex digit §1.2 (Annex 3, Circular
 * 59/2021 Art. 4), CMND §2.1 (Decree 05/1999), ICAO 9303 TD1 and check digits
 * §4.1-§4.2, the Vietnamese MRZ layout §4.4 (empirical, 10/10 public samples),
 * name transliteration §4.5, QR payload §5.1-§5.2.
 *
 * Not for: record-level judgement (rules.c) or output (cmd/).
 */
#include "vnid.h"
#include "province.h"
#include "utf8.h"
#include "vn/fold.h"
#include "vn/icu.h"
#include "vndate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Circular 07/2016/TT-BCA Annex 1 (idformats §1.3): the 63 pre-2025 units, numbered "0"
 * and their GSO code (province.h).  The 2025 merger does not change existing numbers
 * (§1.5), so this is never the 34-province list. */
const char *
dc_id_province_name(const char *ppp)
{
    const struct dc_province *p;

    if (!ppp || strlen(ppp) != 3 || ppp[0] != '0')
        return NULL;
    p = dc_province_find(ppp + 1);
    return p ? p->id_name : NULL;
}

/* Labels people put in front of the number ("CCCD: 0010...", "Số CCCD 0010...",
 * "CMND số 0123..."), compared without case; "Số"/"số" in UTF-8 NFC. */
static const char *const id_labels[] = {
    "s\xe1\xbb\x91", "S\xe1\xbb\x90", "cccd", "cmnd", "cmt", "cc", "so", "no", "id",
};

/* Bytes of a separator at p (space, tab, CR, LF, '.', '-', '/', ':', '#',
 * NBSP U+00A0, U+2009 thin space, U+202F narrow NBSP), else 0. */
static size_t
id_sep(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n' || *u == '.' || *u == '-' || *u == '/')
        return 1;
    if (u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x89 || u[2] == 0xAF))
        return 3;
    return 0;
}

static int
ascii_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Skip the labels and label punctuation in front of the number. */
static const char *
skip_labels(const char *p)
{
    for (;;) {
        size_t k;
        int hit = 0;
        while ((k = id_sep(p)) > 0 || *p == ':' || *p == '#')
            p += k ? k : 1;
        for (size_t i = 0; i < sizeof id_labels / sizeof id_labels[0] && !hit; i++) {
            const char *l = id_labels[i];
            size_t n = strlen(l), j;
            for (j = 0; j < n; j++) {
                unsigned char c = (unsigned char)p[j];
                if (c >= 'A' && c <= 'Z')
                    c = (unsigned char)(c - 'A' + 'a');
                if (c != (unsigned char)l[j])
                    break;
            }
            /* a whole word: "cccd" does not swallow the "cc" of "ccx" */
            if (j == n && !ascii_alpha((unsigned char)p[n]) && (unsigned char)p[n] < 0x80) {
                p += n;
                hit = 1;
            }
        }
        if (!hit)
            return p;
    }
}

/* "7.92031E+11", "7,92031E+11", "7.9E11": what a spreadsheet shows for a
 * number too wide for its cell; the digits beyond the mantissa are lost. */
static int
exponent_form(const char *p)
{
    size_t n = strspn(p, "0123456789");

    if (n == 0)
        return 0;
    p += n;
    if (*p == '.' || *p == ',') {
        n = strspn(p + 1, "0123456789");
        if (n == 0)
            return 0;
        p += 1 + n;
    }
    if (*p != 'E' && *p != 'e')
        return 0;
    p++;
    if (*p == '+')
        p++;
    n = strspn(p, "0123456789");
    if (n == 0)
        return 0;
    p += n;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return *p == '\0';
}

/* The zero-padded form id of a number a spreadsheet shortened is an ID of
 * this record: a known province (Annex 1), a possible birth year, and the
 * century/sex digit and year agree with what the record says. */
static int
restorable(const char *id, const struct dc_id_hint *h)
{
    int g = id[3] - '0', year, this_year = h && h->this_year ? h->this_year : 2099;

    if (!dc_id_province_name((char[4]){id[0], id[1], id[2], '\0'}))
        return 0;
    year = 1900 + 100 * (g / 2) + (id[4] - '0') * 10 + (id[5] - '0');
    if (year > this_year)
        return 0;
    if (h && h->birth_year && h->birth_year != year)
        return 0;
    if (h && (h->sex == 'M' || h->sex == 'F') && h->sex != (g % 2 == 0 ? 'M' : 'F'))
        return 0;
    return 1;
}

enum dc_id_kind
dc_id_clean(const char *raw, const struct dc_id_hint *hint, char *id12, char *cmnd,
            const char **rule)
{
    char d[16];
    size_t n = 0, seps = 0;
    const char *p;

    id12[0] = '\0';
    cmnd[0] = '\0';
    if (rule)
        *rule = NULL;
    if (!raw)
        return DC_ID_UNREADABLE;
    p = skip_labels(raw);
    if (*p == '\'') /* a spreadsheet's "store as text" marker */
        p++;
    if (exponent_form(p))
        return DC_ID_EXPONENT;
    for (; *p;) {
        size_t k = id_sep(p);
        if (k) {
            /* "1093047064.0": a number column's fraction, not a digit group */
            if (*p == '.' && seps == 0 && n >= 8 && strspn(p + 1, "0") > 0 &&
                p[1 + strspn(p + 1, "0")] == '\0')
                break;
            seps++;
            p += k;
            continue;
        }
        if (!is_digit(*p) || n >= 13)
            return DC_ID_UNREADABLE;
        d[n++] = *p++;
    }
    d[n] = '\0';
    if (n == 12) {
        memcpy(id12, d, 13);
        return DC_ID_ID12;
    }
    if (n >= 9 && n <= 11) {
        char pad[13];
        memset(pad, '0', 12 - n);
        memcpy(pad + 12 - n, d, n + 1);
        if (restorable(pad, hint)) {
            memcpy(id12, pad, 13);
            if (rule)
                *rule = "id-zeros-restored";
            return DC_ID_ID12;
        }
        if (n == 9) {
            memcpy(cmnd, d, 10);
            return DC_ID_CMND;
        }
        return DC_ID_UNREADABLE;
    }
    if (n == 8 && d[0] != '0') {
        cmnd[0] = '0';
        memcpy(cmnd + 1, d, 9);
        if (rule)
            *rule = "cmnd-zeros-restored";
        return DC_ID_CMND;
    }
    return DC_ID_UNREADABLE;
}

int
dc_id12_parse(const char *s, struct dc_id12 *out, const char **problem)
{
    const char *bad = NULL;
    int g;

    memset(out, 0, sizeof *out);
    if (problem)
        *problem = NULL;
    if (!s || strlen(s) != 12) {
        if (problem)
            *problem = "ID_BAD_LENGTH";
        return -1;
    }
    if (!all_digits(s, 12)) {
        if (problem)
            *problem = "ID_NOT_DIGITS";
        return -1;
    }
    memcpy(out->province, s, 3);
    out->province[3] = '\0';
    /* Annex 3: 0/1 = 1900s, 2/3 = 2000s, ... ; even = male, odd = female. */
    g = s[3] - '0';
    out->century = 1900 + 100 * (g / 2);
    out->sex = (g % 2 == 0) ? 'M' : 'F';
    out->yy = (s[4] - '0') * 10 + (s[5] - '0');
    memcpy(out->serial, s + 6, 6);
    out->serial[6] = '\0';
    out->province_name = dc_id_province_name(out->province);
    out->province_known = out->province_name != NULL;
    if (!out->province_known)
        bad = "ID_PROVINCE_UNKNOWN";
    if (problem)
        *problem = bad;
    return bad ? -1 : 0;
}

/* ---- MRZ ---------------------------------------------------------------- */

int
dc_mrz_check_digit(const char *s, size_t n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;

    for (size_t i = 0; i < n; i++) {
        int v;
        char c = s[i];
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 'A' + 10;
        else if (c == '<')
            v = 0;
        else
            return -1;
        sum += v * w[i % 3];
    }
    return sum % 10;
}

/* The printed check digit c agrees with the data (a '<' or letter never does). */
static int
check_ok(const char *data, size_t n, char c)
{
    int d = dc_mrz_check_digit(data, n);
    return d >= 0 && is_digit(c) && c - '0' == d;
}

static void
add_problem(char *buf, size_t size, const char *what)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", len ? ";" : "", what);
}

/* Copy n chars, dropping trailing '<' fillers. */
static void
copy_trim(char *dst, const char *src, size_t n)
{
    while (n > 0 && src[n - 1] == '<')
        n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* '<' runs become one space; the result has no blanks at either end. */
static void
copy_words(char *dst, size_t size, const char *src, size_t n)
{
    size_t o = 0;
    int pend = 0;

    for (size_t i = 0; i < n && o + 2 < size; i++) {
        if (src[i] == '<') {
            pend = o > 0;
            continue;
        }
        if (pend)
            dst[o++] = ' ';
        pend = 0;
        dst[o++] = src[i];
    }
    dst[o] = '\0';
}

static int
is_sep(char c)
{
    return c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '|';
}

/* The fields of three 30-character lines (ICAO 9303 Part 5 TD1 positions,
 * 1-based in the note, 0-based here); check results into out. */
static void
read_td1(char l[3][31], struct dc_mrz *out)
{
    char comp[64];
    int long_number = 0;

    memcpy(out->doc_code, l[0], 2);
    memcpy(out->issuer, l[0] + 2, 3);
    out->is_vn = memcmp(out->issuer, "VNM", 3) == 0;
    copy_trim(out->doc_number, l[0] + 5, 9);
    memcpy(out->optional1, l[0] + 15, 15);
    memcpy(out->birth, l[1], 6);
    out->sex = l[1][7];
    memcpy(out->expiry, l[1] + 8, 6);
    memcpy(out->nationality, l[1] + 15, 3);
    memcpy(out->optional2, l[1] + 18, 11);
    copy_trim(out->name, l[2], 30);
    {
        const char *dbl = strstr(out->name, "<<");
        size_t fl = dbl ? (size_t)(dbl - out->name) : strlen(out->name);
        copy_words(out->family, sizeof out->family, out->name, fl);
        if (dbl)
            copy_words(out->given, sizeof out->given, dbl + 2, strlen(dbl + 2));
    }

    /* Part 5 note j: a number longer than 9 characters puts '<' in position
     * 15 and continues in optional data 1, followed by its check digit and a
     * filler.  Some issuers compute that digit over the '<' of position 15
     * too (a Belgian specimen; idformats §4.3): both are accepted.  Vietnamese
     * cards never use it (§4.4: positions 16-27 are the 12-digit ID). */
    if (!out->is_vn && l[0][14] == '<' && l[0][13] != '<' && l[0][15] != '<') {
        size_t k = 15;
        while (k < 30 && l[0][k] != '<')
            k++;
        if (k < 30 && k >= 17) {
            char num[32];
            size_t n = 0;
            memcpy(num, l[0] + 5, 9);
            n = 9;
            memcpy(num + n, l[0] + 15, k - 1 - 15);
            n += k - 1 - 15;
            num[n] = '\0';
            memcpy(out->doc_number, num, n + 1);
            long_number = 1;
            if (!check_ok(num, n, l[0][k - 1]) && !check_ok(l[0] + 5, k - 1 - 5, l[0][k - 1]))
                add_problem(out->problems, sizeof out->problems, "doc_number");
        }
    }
    if (!long_number && !check_ok(l[0] + 5, 9, l[0][14]))
        add_problem(out->problems, sizeof out->problems, "doc_number");
    if (!check_ok(l[1], 6, l[1][6]))
        add_problem(out->problems, sizeof out->problems, "birth");
    if (!check_ok(l[1] + 8, 6, l[1][14]))
        add_problem(out->problems, sizeof out->problems, "expiry");
    /* Composite: line 1 pos 6-30, line 2 pos 1-7, 9-15, 19-29 (§4.1). */
    memcpy(comp, l[0] + 5, 25);
    memcpy(comp + 25, l[1], 7);
    memcpy(comp + 32, l[1] + 8, 7);
    memcpy(comp + 39, l[1] + 18, 11);
    if (!check_ok(comp, 50, l[1][29]))
        add_problem(out->problems, sizeof out->problems, "composite");
    out->checks_ok = out->problems[0] == '\0';

    /* §4.4: IDVNM + last 9 digits of the ID + check, the full ID in optional
     * 1, "<<", and the ID's own check digit in position 30. */
    if (out->is_vn) {
        if (!all_digits(l[0] + 15, 12) || l[0][27] != '<' || l[0][28] != '<') {
            add_problem(out->vn_problems, sizeof out->vn_problems, "id12_format");
        } else {
            memcpy(out->id12, l[0] + 15, 12);
            out->id12[12] = '\0';
            if (memcmp(l[0] + 5, out->id12 + 3, 9) != 0)
                add_problem(out->vn_problems, sizeof out->vn_problems, "id12_tail");
            if (!check_ok(out->id12, 12, l[0][29]))
                add_problem(out->vn_problems, sizeof out->vn_problems, "id12_check");
        }
    }
}

#define MRZ_MIN_LINE 28
#define MRZ_MAX_LINE 32

int
dc_mrz_parse(const char *text, struct dc_mrz *out, struct dc_error *err)
{
    char l[3][31];
    const char *tok[3];
    size_t toklen[3], ntok = 0, len;
    const char *p;
    int padded = 0;

    memset(out, 0, sizeof *out);
    if (!text)
        return dc_error_set(err, DC_EX_DATAERR, "no MRZ given");
    len = strnlen(text, DC_VNID_MAX_INPUT + 1);
    if (len > DC_VNID_MAX_INPUT)
        return dc_error_set(err, DC_EX_DATAERR, "MRZ longer than %d bytes", DC_VNID_MAX_INPUT);
    for (p = text; *p;) {
        const char *q;
        while (*p && is_sep(*p))
            p++;
        if (!*p)
            break;
        for (q = p; *q && !is_sep(*q); q++)
            ;
        if (ntok == 3)
            return dc_error_set(err, DC_EX_DATAERR, "MRZ has more than 3 lines");
        tok[ntok] = p;
        toklen[ntok++] = (size_t)(q - p);
        p = q;
    }
    if (ntok == 1 && toklen[0] == 90) {
        for (int i = 0; i < 3; i++) {
            memcpy(l[i], tok[0] + 30 * i, 30);
            l[i][30] = '\0';
        }
    } else if (ntok == 3) {
        for (int i = 0; i < 3; i++) {
            size_t n = toklen[i];
            if (n < MRZ_MIN_LINE || n > MRZ_MAX_LINE)
                return dc_error_set(err, DC_EX_DATAERR,
                                    "MRZ line %d has %zu characters, not 30 (TD1, ICAO 9303 "
                                    "Part 5)",
                                    i + 1, n);
            /* Trailing filler lost or doubled (OCR, copying): a surplus must
             * be all '<'; a shortfall is filled with '<' and the check
             * digits below decide whether that was all. */
            for (size_t j = 30; j < n; j++)
                if (tok[i][j] != '<')
                    return dc_error_set(err, DC_EX_DATAERR,
                                        "MRZ line %d has %zu characters, not 30, and what "
                                        "is past 30 is not filler",
                                        i + 1, n);
            memcpy(l[i], tok[i], n < 30 ? n : 30);
            if (n < 30)
                memset(l[i] + n, '<', 30 - n);
            l[i][30] = '\0';
            if (n != 30)
                padded |= 1 << i;
        }
    } else {
        return dc_error_set(err, DC_EX_DATAERR,
                            "MRZ is not 3 lines of 30 characters (TD1, ICAO 9303 Part 5)");
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 30; j++) {
            char c = l[i][j];
            if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == '<'))
                return dc_error_set(err, DC_EX_DATAERR,
                                    "MRZ line %d column %d: character outside A-Z 0-9 <", i + 1,
                                    j + 1);
        }
    read_td1(l, out);
    if (padded) {
        /* The repair stands only where the check digits over the repaired
         * line hold: line 1 by its document number, the composite and (VN)
         * the ID's own digit; line 2 by birth, expiry and the composite;
         * line 3 has none. */
        int bad1 = (padded & 1) && (strstr(out->problems, "doc_number") ||
                                    strstr(out->problems, "composite") || out->vn_problems[0]);
        int bad2 =
            (padded & 2) && (strstr(out->problems, "birth") || strstr(out->problems, "expiry") ||
                             strstr(out->problems, "composite"));
        if (bad1 || bad2) {
            int line = bad1 ? 1 : 2;
            size_t n = toklen[line - 1];
            memset(out, 0, sizeof *out);
            return dc_error_set(err, DC_EX_DATAERR,
                                "MRZ line %d has %zu characters, not 30, and with its "
                                "trailing filler restored the check digits do not hold",
                                line, n);
        }
        out->padded = padded;
    }
    return 0;
}

/* ---- names ---------------------------------------------------------------- */

#define NAME_MAX_BYTES 512

/* Fold to upper-case ASCII words separated by single spaces: vn/fold.h's
 * DC_FOLD_MRZ (marks dropped, Đ/đ and Ð/ð as D - ICAO transliteration, §4.5,
 * Đ has no decomposition -, spaces and hyphens word breaks, other characters
 * dropped). */
static int
fold_words(const char *name, char *out, size_t outsz, struct dc_error *err)
{
    size_t len = strnlen(name, NAME_MAX_BYTES + 1);

    if (outsz == 0)
        return dc_error_set(err, DC_EX_SOFTWARE, "no room for a folded name");
    out[0] = '\0';
    if (len > NAME_MAX_BYTES)
        return dc_error_set(err, DC_EX_DATAERR, "name longer than %d bytes", NAME_MAX_BYTES);
    if (!dc_utf8_valid(name, len))
        return dc_error_set(err, DC_EX_DATAERR, "name is not valid UTF-8");
    if (dc_fold(DC_FOLD_MRZ, name, out, outsz) < 0)
        return dc_error_set(err, DC_EX_DATAERR, "folded name longer than %zu bytes", outsz - 1);
    return 0;
}

int
dc_mrz_fold_name(const char *name, char sep, char *out, size_t outsz, struct dc_error *err)
{
    char w[NAME_MAX_BYTES + 1];
    size_t o = 0;
    int first = 1;

    if (!name)
        name = "";
    if (fold_words(name, w, sizeof w, err) < 0)
        return -1;
    if (sep == ' ') {
        if (strlen(w) + 1 > outsz)
            return dc_error_set(err, DC_EX_DATAERR, "folded name too long");
        memcpy(out, w, strlen(w) + 1);
        return 0;
    }
    /* ICAO primary identifier = first word (the Vietnamese họ), then "<<". */
    for (const char *p = w; *p; p++) {
        size_t need = (*p == ' ') ? (first ? 2 : 1) : 1;
        if (o + need >= outsz)
            return dc_error_set(err, DC_EX_DATAERR, "folded name too long");
        if (*p == ' ') {
            out[o++] = '<';
            if (first)
                out[o++] = '<';
            first = 0;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return 0;
}

/* Words of an MRZ-form or space-form name, split on '<' and ' '. */
static size_t
split_words(char *s, char **w, size_t max)
{
    size_t n = 0;
    char *p = s;

    while (*p && n < max) {
        while (*p == '<' || *p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        w[n++] = p;
        while (*p && *p != '<' && *p != ' ')
            p++;
    }
    return n;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
dc_mrz_name_agrees(const char *record_name, const char *mrz_name, struct dc_error *err)
{
    char r[NAME_MAX_BYTES + 1], m[NAME_MAX_BYTES + 1];
    char *rw[64], *mw[64];
    size_t rl, ml, nr, nm;

    if (dc_mrz_fold_name(record_name, '<', r, sizeof r, err) < 0)
        return -1;
    /* The MRZ side is already [A-Z0-9<]; fold it too so a caller may pass
     * either form. */
    if (dc_mrz_fold_name(mrz_name ? mrz_name : "", '<', m, sizeof m, err) < 0)
        return -1;
    ml = strlen(m);
    while (ml > 0 && m[ml - 1] == '<')
        m[--ml] = '\0';
    rl = strlen(r);
    if (strcmp(r, m) == 0)
        return 1;
    /* Truncation to the 30-character field (ICAO Part 3) keeps a prefix. */
    if (ml > 0 && ml < rl && strncmp(r, m, ml) == 0 && ml >= 29)
        return 1;
    nr = split_words(r, rw, 64);
    nm = split_words(m, mw, 64);
    if (nr != nm || nr == 0)
        return 0;
    qsort(rw, nr, sizeof rw[0], cmp_str);
    qsort(mw, nm, sizeof mw[0], cmp_str);
    for (size_t i = 0; i < nr; i++)
        if (strcmp(rw[i], mw[i]) != 0)
            return 0;
    return 1;
}

/* NFC + full case folding into dst; returns its length or -1. */
static int32_t
nfc_fold(const char *s, UChar *dst, int32_t cap, struct dc_error *err)
{
    UChar a[NAME_MAX_BYTES + 1], b[2 * NAME_MAX_BYTES + 2];
    UErrorCode st = U_ZERO_ERROR;
    int32_t al, bl, dl;
    size_t len;

    while (*s == ' ' || *s == '\t')
        s++;
    len = strnlen(s, NAME_MAX_BYTES + 1);
    if (len > NAME_MAX_BYTES)
        return dc_error_set(err, DC_EX_DATAERR, "text longer than %d bytes", NAME_MAX_BYTES);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (!dc_utf8_valid(s, len))
        return dc_error_set(err, DC_EX_DATAERR, "text is not valid UTF-8");
    u_strFromUTF8(a, NAME_MAX_BYTES + 1, &al, s, (int32_t)len, &st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "ICU: %s", u_errorName(st));
    bl = u_strFoldCase(b, 2 * NAME_MAX_BYTES + 2, a, al, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "ICU: %s", u_errorName(st));
    dl = dc_icu_normalize(DC_ICU_NFC, b, bl, dst, cap, &st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "ICU: %s", u_errorName(st));
    return dl;
}

/* Bytes of text dc_vn_text_equal may compare as they are (see there). */
#define FAST_EQUAL_MAX (NAME_MAX_BYTES / 3)

int
dc_vn_text_equal(const char *a, const char *b, struct dc_error *err)
{
    UChar x[4 * NAME_MAX_BYTES], y[4 * NAME_MAX_BYTES];
    int32_t xl, yl;
    size_t al, bl;

    /* The same bytes fold the same: no ICU for names that agree (crosscheck's QR name
     * rule on every card record).  Only where nfc_fold cannot fail: well-formed, and
     * short enough that case folding (x3 at most) and NFC (x3) fit its buffers. */
    a = a ? a : "";
    b = b ? b : "";
    while (*a == ' ' || *a == '\t')
        a++;
    while (*b == ' ' || *b == '\t')
        b++;
    al = strnlen(a, FAST_EQUAL_MAX + 1);
    bl = strnlen(b, FAST_EQUAL_MAX + 1);
    if (al <= FAST_EQUAL_MAX && bl <= FAST_EQUAL_MAX) {
        while (al > 0 && (a[al - 1] == ' ' || a[al - 1] == '\t'))
            al--;
        while (bl > 0 && (b[bl - 1] == ' ' || b[bl - 1] == '\t'))
            bl--;
        if (al == bl && memcmp(a, b, al) == 0 && dc_utf8_valid(a, al))
            return 1;
    }
    xl = nfc_fold(a, x, 4 * NAME_MAX_BYTES, err);
    if (xl < 0)
        return -1;
    yl = nfc_fold(b, y, 4 * NAME_MAX_BYTES, err);
    if (yl < 0)
        return -1;
    return xl == yl && memcmp(x, y, (size_t)xl * sizeof x[0]) == 0;
}

/* ---- QR --------------------------------------------------------------------- */

/* DDMMYYYY -> ISO when it is a real calendar date from 1900 on. */
static int
ddmmyyyy_iso(const char *s, char iso[11])
{
    int d, m, y;

    iso[0] = '\0';
    if (strlen(s) != 8 || !all_digits(s, 8))
        return 0;
    d = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[2] - '0') * 10 + (s[3] - '0');
    y = (s[4] - '0') * 1000 + (s[5] - '0') * 100 + (s[6] - '0') * 10 + (s[7] - '0');
    if (y < 1900 || !dc_date_valid(y, m, d))
        return 0;
    memcpy(iso, s + 4, 4);
    iso[4] = '-';
    memcpy(iso + 5, s + 2, 2);
    iso[7] = '-';
    memcpy(iso + 8, s, 2);
    iso[10] = '\0';
    return 1;
}

static char *
trim(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int
dc_qr_parse(const char *payload, struct dc_qr *out, struct dc_error *err)
{
    size_t len;
    int nf = 1;
    char *copy, **fields, *p;
    struct dc_error e2 = DC_ERROR_INIT;
    int r;

    memset(out, 0, sizeof *out);
    if (!payload)
        return dc_error_set(err, DC_EX_DATAERR, "no QR payload given");
    len = strnlen(payload, DC_VNID_MAX_INPUT + 1);
    if (len > DC_VNID_MAX_INPUT)
        return dc_error_set(err, DC_EX_DATAERR, "QR payload longer than %d bytes",
                            DC_VNID_MAX_INPUT);
    if (!dc_utf8_valid(payload, len))
        return dc_error_set(err, DC_EX_DATAERR, "QR payload is not valid UTF-8");
    for (size_t i = 0; i < len; i++)
        if (payload[i] == '|')
            nf++;
    if (nf < DC_QR_MIN_FIELDS)
        return dc_error_set(err, DC_EX_DATAERR, "QR payload has %d fields, at least %d expected",
                            nf, DC_QR_MIN_FIELDS);
    if (nf > DC_QR_MAX_FIELDS)
        return dc_error_set(err, DC_EX_DATAERR, "QR payload has more than %d fields",
                            DC_QR_MAX_FIELDS);
    /* One block: the field pointers, then the copy of the text. */
    fields = malloc((size_t)nf * sizeof *fields + len + 1);
    if (!fields)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    copy = (char *)(fields + nf);
    memcpy(copy, payload, len);
    copy[len] = '\0';
    p = copy;
    for (int i = 0; i < nf; i++) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        fields[i] = trim(p);
        p = bar ? bar + 1 : p + strlen(p);
    }
    out->mem_ = fields;
    out->fields = fields;
    out->nfields = nf;
    out->extra = fields + DC_QR_MIN_FIELDS;
    out->nextra = nf - DC_QR_MIN_FIELDS;
    out->name = fields[2];
    out->address = fields[5];

    if (strlen(fields[0]) == 12 && all_digits(fields[0], 12))
        memcpy(out->id12, fields[0], 13);
    else
        add_problem(out->problems, sizeof out->problems, "id12");
    /* Empty CMND is the common case for people born after ~2000 (§5.1). */
    if (strlen(fields[1]) == 9 && all_digits(fields[1], 9))
        memcpy(out->cmnd, fields[1], 10);
    else if (fields[1][0])
        add_problem(out->problems, sizeof out->problems, "cmnd");
    if (!ddmmyyyy_iso(fields[3], out->dob))
        add_problem(out->problems, sizeof out->problems, "dob");
    r = dc_vn_text_equal(fields[4], "Nam", &e2);
    if (r == 1) {
        out->sex = 'M';
    } else if (r == 0 && (r = dc_vn_text_equal(fields[4], "N\xe1\xbb\xaf", &e2)) == 1) {
        out->sex = 'F';
    }
    if (r < 0 && e2.status == DC_EX_SOFTWARE) {
        dc_qr_release(out);
        return dc_error_set(err, DC_EX_SOFTWARE, "%s", e2.msg);
    }
    if (!out->sex)
        add_problem(out->problems, sizeof out->problems, "sex");
    if (!ddmmyyyy_iso(fields[6], out->issue))
        add_problem(out->problems, sizeof out->problems, "issue");
    return 0;
}

void
dc_qr_release(struct dc_qr *q)
{
    if (!q)
        return;
    free(q->mem_);
    memset(q, 0, sizeof *q);
}
