/*
 * mrz.c - `dancu mrz [MRZ...]`: decode and check the machine readable zone
 * (ICAO 9303 TD1, 3 lines of 30) of chip ID cards.
 *
 * Decoding is core/vnid.c (idformats.md §4); the checks are the MRZ_, ID_ and
 * DOB_ rules of core/rules.c run on a record built from the MRZ itself, so
 * the ID's century/sex digit is checked against the MRZ's sex and birth year.
 * The MRZ's birth century comes from the ID's century digit, never from a
 * two-digit-year pivot (§4.4); without an ID the pivot is today's year.
 * Not for: comparing an MRZ with a record (crosscheck does that).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "values.h"
#include "../core/json.h"
#include "../core/person.h"
#include "../core/rules.h"
#include "../core/vndate.h"
#include "../core/vnid.h"

const char dc_usage_mrz[] =
    "usage: dancu mrz [--json] [--lang vi|en] [MRZ...]\n"
    "\n"
    "Decode and check the machine readable zone of ID cards (ICAO 9303 TD1: three\n"
    "lines of 30 characters), including the Vietnamese layout: IDVNM, the last 9\n"
    "digits of the ID, the full 12-digit ID and its check digit in position 30.\n"
    "Every check digit is verified (document number, birth, expiry, composite).\n"
    "\n"
    "An MRZ is given as one argument (the 3 lines separated by newlines, spaces\n"
    "or '|', or the 90 characters in one piece) or as three arguments of 30\n"
    "characters.  Without arguments MRZs are read from stdin (a UTF-8 BOM is\n"
    "dropped; CR, LF and CR LF end a line).  Lines are grouped by what they hold,\n"
    "not by counting: a line 1 (document code, issuer, a digit) starts an MRZ,\n"
    "then a line 2 (birth date, check, sex, expiry, check, nationality), then a\n"
    "line 3 (name: letters and '<') ends it; a blank line ends an incomplete one;\n"
    "a line that fits nowhere is reported on its own, so one bad line never\n"
    "shifts the next MRZ.  A line of 90 characters, or three joined by spaces or\n"
    "'|', is a whole MRZ.  Lines of 28-32 characters whose only difference from\n"
    "30 is trailing '<' filler are read as 30 when the check digits over them\n"
    "hold (warning MRZ_PADDING_REPAIRED).  A document number longer than 9\n"
    "characters continues in the optional data (ICAO 9303 Part 5).\n"
    "\n"
    "Output: a CSV header, then one line per MRZ:\n"
    "  lines,doc_code,issuer,doc_number,id12,birth,sex,expiry,nationality,family,\n"
    "  given,checks_ok,findings\n"
    "lines are the stdin lines (or argument positions) the MRZ came from, as\n"
    "'4-6' or '9'; birth and expiry as ISO dates (expiry 'none' for 991231, no\n"
    "expiry on Vietnamese cards); findings holds the rule codes found, joined by\n"
    "';'.\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object per line instead of CSV\n"
    "  --lang vi|en    language of the JSON messages (default vi)\n"
    "\n"
    "Exit status: 0 every MRZ is valid; 1 an MRZ is unreadable or has an error or\n"
    "warning finding; 64 usage; 74 I/O error.\n";

#define GROUP_CAP (3 * DC_VALUES_LINE_CAP)

/* What a line of an MRZ holds, judged by its content alone (ICAO 9303
 * Part 5 TD1 layout, idformats §4.1). */
enum kind {
    K_BLANK,   /* ends an incomplete group */
    K_WHOLE,   /* a whole MRZ on one line: 90 characters, or lines joined */
    K_LINE1,   /* document code [ACI], issuer, a digit (number or check) */
    K_LINE2,   /* YYMMDD, check, sex, YYMMDD, check, nationality */
    K_LINE3,   /* the name: letters and '<' only */
    K_MRZLIKE, /* 28-32 characters of A-Z 0-9 <, none of the above (OCR damage) */
    K_OTHER    /* not an MRZ line at all */
};

struct out {
    struct dc_values v; /* first: the shared front end hands back &v */
    /* lines of the MRZ being collected */
    char group[GROUP_CAP];
    size_t glen;
    int nlines;
    enum kind last;     /* kind of the group's last line */
    long first, lastno; /* its first and last line numbers */
};

static int
two(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYMMDD with a known century -> ISO into iso[11]; 0 when not a real date. */
static int
yymmdd_iso(const char *s, int century, char iso[11])
{
    int y = two(s), m = two(s + 2), d = two(s + 4);

    iso[0] = '\0';
    if (y < 0 || m < 0 || d < 0 || !dc_date_valid(century + y, m, d))
        return 0;
    snprintf(iso, 11, "%04u-%02u-%02u", (unsigned)(century + y) % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return 1;
}

static int
check_mrz(struct out *o, const char *text, long first, long last)
{
    struct dc_mrz m;
    struct dc_person p;
    struct dc_error err = DC_ERROR_INIT;
    char birth[11] = "", expiry[11] = "", checks[2] = "", sex[2] = "", lines[48];
    int parsed;

    if (first == last)
        snprintf(lines, sizeof lines, "%ld", first);
    else
        snprintf(lines, sizeof lines, "%ld-%ld", first, last);
    memset(&p, 0, sizeof p);
    p.mrz = text;
    parsed = dc_mrz_parse(text, &m, &err) == 0;
    if (parsed) {
        struct dc_id12 d;
        int century, today_yy = o->v.rctx.today ? two(o->v.rctx.today + 2) : 99;
        const char *problem;

        /* §4.4: the ID's century digit decides; else the nearest past year. */
        if (m.id12[0] && (dc_id12_parse(m.id12, &d, &problem) == 0 ||
                          (problem && strcmp(problem, "ID_PROVINCE_UNKNOWN") == 0)))
            century = d.century;
        else
            century = two(m.birth) > today_yy ? 1900 : 2000;
        if (yymmdd_iso(m.birth, century, birth)) {
            p.dob = birth;
            p.dob_precision = DC_DATE_DAY;
        } else {
            p.dob_precision = DC_DATE_INVALID;
            p.dob_raw = m.birth;
        }
        if (m.is_vn && strcmp(m.expiry, "991231") == 0)
            snprintf(expiry, sizeof expiry, "none");
        else
            (void)yymmdd_iso(m.expiry, 2000, expiry); /* expiry dates are this century */
        p.id12 = m.id12[0] ? m.id12 : NULL;
        p.sex = (m.sex == 'M' || m.sex == 'F') ? m.sex : 0;
        checks[0] = m.checks_ok && !m.vn_problems[0] ? '1' : '0';
        sex[0] = m.sex;
    } else {
        memset(&m, 0, sizeof m);
    }
    o->v.nf = 0;
    dc_error_clear(&err);
    if (dc_rules_check(&p, &o->v.rctx, dc_values_collect, &o->v, &err) < 0)
        return dc_cmd_fail(o->v.ctx, &err);
    if (!parsed)
        o->v.failed = 1;
    if (!birth[0] && parsed)
        snprintf(birth, sizeof birth, "%s", m.birth);

    if (o->v.json) {
        struct dc_buf b = DC_BUF_INIT;
        dc_buf_puts(&b, "{\"lines\":");
        dc_json_str(&b, lines);
        dc_buf_puts(&b, ",\"doc_code\":");
        dc_json_str(&b, m.doc_code);
        dc_buf_puts(&b, ",\"issuer\":");
        dc_json_str(&b, m.issuer);
        dc_buf_puts(&b, ",\"doc_number\":");
        dc_json_str(&b, m.doc_number);
        dc_buf_puts(&b, ",\"id12\":");
        dc_json_str(&b, m.id12);
        dc_buf_puts(&b, ",\"birth\":");
        dc_json_str(&b, birth);
        dc_buf_puts(&b, ",\"sex\":");
        dc_json_str(&b, sex);
        dc_buf_puts(&b, ",\"expiry\":");
        dc_json_str(&b, expiry);
        dc_buf_puts(&b, ",\"nationality\":");
        dc_json_str(&b, m.nationality);
        dc_buf_puts(&b, ",\"family\":");
        dc_json_str(&b, m.family);
        dc_buf_puts(&b, ",\"given\":");
        dc_json_str(&b, m.given);
        dc_buf_printf(&b, ",\"checks_ok\":%s,", checks[0] == '1' ? "true" : "false");
        dc_values_json_findings(&b, &o->v);
        if (b.oom) {
            dc_buf_release(&b);
            dc_cmd_errorf(o->v.ctx, "out of memory");
            return DC_EX_OSERR;
        }
        fputs(dc_buf_str(&b), o->v.ctx->out);
        dc_buf_release(&b);
    } else {
        FILE *fp = o->v.ctx->out;
        dc_values_csv(fp, lines, 0);
        dc_values_csv(fp, m.doc_code, 0);
        dc_values_csv(fp, m.issuer, 0);
        dc_values_csv(fp, m.doc_number, 0);
        dc_values_csv(fp, m.id12, 0);
        dc_values_csv(fp, birth, 0);
        dc_values_csv(fp, sex, 0);
        dc_values_csv(fp, expiry, 0);
        dc_values_csv(fp, m.nationality, 0);
        dc_values_csv(fp, m.family, 0);
        dc_values_csv(fp, m.given, 0);
        dc_values_csv(fp, checks, 0);
        dc_values_csv_findings(fp, &o->v);
    }
    if (ferror(o->v.ctx->out)) {
        dc_cmd_errorf(o->v.ctx, "cannot write output");
        return DC_EX_IOERR;
    }
    return 0;
}

static int
flush_group(struct out *o)
{
    int rc;

    if (o->nlines == 0)
        return 0;
    o->group[o->glen] = '\0';
    rc = check_mrz(o, o->group, o->first, o->lastno);
    o->glen = 0;
    o->nlines = 0;
    return rc;
}

static int
upper_or_filler(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '<';
}

static int
digit(char c)
{
    return c >= '0' && c <= '9';
}

static enum kind
classify(const char *s, size_t n)
{
    int has_digit = 0;

    if (n == 0)
        return K_BLANK;
    if (n > 32 || strcspn(s, " |\t\r\n") < n)
        return K_WHOLE;
    if (n < 28)
        return K_OTHER;
    for (size_t i = 0; i < n; i++) {
        if (digit(s[i]))
            has_digit = 1;
        else if (!upper_or_filler(s[i]))
            return K_OTHER;
    }
    {
        int ok = 1;
        for (int i = 0; i < 6 && ok; i++)
            ok = digit(s[i]) && digit(s[8 + i]);
        if (ok && (digit(s[6]) || s[6] == '<') && strchr("MFX<", s[7]) &&
            (digit(s[14]) || s[14] == '<') && upper_or_filler(s[15]) && upper_or_filler(s[16]) &&
            upper_or_filler(s[17]))
            return K_LINE2;
    }
    if (!has_digit)
        return K_LINE3;
    if ((s[0] == 'A' || s[0] == 'C' || s[0] == 'I') && upper_or_filler(s[1]) &&
        upper_or_filler(s[2]) && upper_or_filler(s[3]) && upper_or_filler(s[4]))
        return K_LINE1;
    return K_MRZLIKE;
}

static int
append(struct out *o, const char *line, size_t n, enum kind k, long lineno)
{
    if (o->glen + n + 2 >= sizeof o->group)
        n = sizeof o->group - o->glen - 2; /* lines are at most 32 here */
    if (o->nlines)
        o->group[o->glen++] = '\n';
    else
        o->first = lineno;
    memcpy(o->group + o->glen, line, n);
    o->glen += n;
    o->nlines++;
    o->last = k;
    o->lastno = lineno;
    return 0;
}

/* Group lines into MRZs by what they hold.  A group is line 1, 2, 3 in
 * that order; a line that cannot continue the group ends it (reported
 * incomplete) and starts the next one or stands alone, so a bad line costs
 * its own row and never shifts the following MRZ.  OCR-damaged lines of MRZ
 * shape continue a group that has started at line 1 (they cannot be a line
 * 1: that needs a document code), and the parser reports what is wrong. */
static int
feed(struct out *o, const char *line, long lineno)
{
    size_t n;
    enum kind k;
    int rc;
    int at1 = o->nlines == 1 && o->last == K_LINE1;
    int at2 = o->nlines == 2; /* only line 1 + line 2 (or damage) make two */

    while (*line == ' ' || *line == '\t')
        line++;
    n = strlen(line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    k = classify(line, n);
    switch (k) {
    case K_BLANK:
        return flush_group(o);
    case K_LINE1:
        if ((rc = flush_group(o)) != 0)
            return rc;
        return append(o, line, n, k, lineno);
    case K_LINE2:
        if (!at1 && (rc = flush_group(o)) != 0)
            return rc;
        return append(o, line, n, k, lineno);
    case K_LINE3:
    case K_MRZLIKE:
        /* a line 3 ends a group at line 2 (or a group of a lone line 2 whose
         * line 1 is missing); damage continues a group from its line 1 */
        if (at1 && k == K_MRZLIKE)
            return append(o, line, n, k, lineno);
        if (at2 || (o->nlines == 1 && o->last == K_LINE2 && k == K_LINE3)) {
            append(o, line, n, k, lineno);
            return flush_group(o);
        }
        if ((rc = flush_group(o)) != 0)
            return rc;
        append(o, line, n, k, lineno);
        return flush_group(o);
    default: { /* a whole MRZ on one line, or no MRZ line at all */
        char one[DC_VALUES_LINE_CAP];
        if ((rc = flush_group(o)) != 0)
            return rc;
        if (n >= sizeof one)
            n = sizeof one - 1;
        memcpy(one, line, n);
        one[n] = '\0';
        return check_mrz(o, one, lineno, lineno);
    }
    }
}

static int
feed_value(struct dc_values *v, const char *line, long lineno)
{
    return feed((struct out *)v, line, lineno);
}

static int
finish(struct dc_values *v)
{
    return flush_group((struct out *)v);
}

int
cmd_mrz(struct dc_ctx *ctx, int argc, char **argv)
{
    static struct out o; /* 12 KiB of line buffer: not on the stack */

    memset(&o, 0, sizeof o);
    o.v.csv_header =
        "lines,doc_code,issuer,doc_number,id12,birth,sex,expiry,nationality,family,given,"
        "checks_ok,findings";
    o.v.keep_blank = 1; /* a blank line ends an incomplete MRZ */
    o.v.check = feed_value;
    o.v.finish = finish;
    return dc_values_main(&o.v, ctx, argc, argv, "ID_,DOB_,MRZ_");
}
