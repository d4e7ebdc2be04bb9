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
    "characters.  Without arguments MRZs are read from stdin: three lines form\n"
    "one MRZ, a blank line ends an incomplete one; a line of 90 characters is a\n"
    "whole MRZ.\n"
    "\n"
    "Output: a CSV header, then one line per MRZ:\n"
    "  doc_code,issuer,doc_number,id12,birth,sex,expiry,nationality,family,given,\n"
    "  checks_ok,findings\n"
    "birth and expiry as ISO dates (expiry 'none' for 991231, no expiry on\n"
    "Vietnamese cards); findings holds the rule codes found, joined by ';'.\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object per line instead of CSV\n"
    "  --lang vi|en    language of the JSON messages (default vi)\n"
    "\n"
    "Exit status: 0 every MRZ is valid; 1 an MRZ is unreadable or has an error or\n"
    "warning finding; 64 usage; 74 I/O error.\n";

#define GROUP_CAP (3 * DC_VALUES_LINE_CAP)

struct out {
    struct dc_values v; /* first: the shared front end hands back &v */
    /* lines of the MRZ being collected */
    char group[GROUP_CAP];
    size_t glen;
    int nlines;
};

static int
two(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static int
real_date(int y, int m, int d)
{
    static const int md[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m >= 1 && m <= 12 && d >= 1 && d <= md[m - 1] && !(m == 2 && d == 29 && !leap);
}

/* YYMMDD with a known century -> ISO into iso[11]; 0 when not a real date. */
static int
yymmdd_iso(const char *s, int century, char iso[11])
{
    int y = two(s), m = two(s + 2), d = two(s + 4);

    iso[0] = '\0';
    if (y < 0 || m < 0 || d < 0 || !real_date(century + y, m, d))
        return 0;
    snprintf(iso, 11, "%04u-%02u-%02u", (unsigned)(century + y) % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return 1;
}

static int
check_mrz(struct out *o, const char *text)
{
    struct dc_mrz m;
    struct dc_person p;
    struct dc_error err = DC_ERROR_INIT;
    char birth[11] = "", expiry[11] = "", checks[2] = "", sex[2] = "";
    int parsed;

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
        dc_buf_puts(&b, "{\"doc_code\":");
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
    rc = check_mrz(o, o->group);
    o->glen = 0;
    o->nlines = 0;
    return rc;
}

/* Three 30-character lines form one MRZ; anything else starting a group is a
 * whole MRZ in one piece (90 characters, or lines joined by '|' or spaces). */
static int
feed(struct out *o, const char *line)
{
    size_t n;

    while (*line == ' ' || *line == '\t')
        line++;
    n = strlen(line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    if (n == 0)
        return flush_group(o);
    if (o->nlines == 0 && (n != 30 || strcspn(line, " |\t") < 30)) {
        char one[DC_VALUES_LINE_CAP];
        if (n >= sizeof one)
            n = sizeof one - 1;
        memcpy(one, line, n);
        one[n] = '\0';
        return check_mrz(o, one);
    }
    if (o->glen + n + 1 >= sizeof o->group)
        n = sizeof o->group - o->glen - 2;
    if (o->nlines)
        o->group[o->glen++] = '\n';
    memcpy(o->group + o->glen, line, n);
    o->glen += n;
    if (++o->nlines == 3)
        return flush_group(o);
    return 0;
}

static int
feed_value(struct dc_values *v, const char *line)
{
    return feed((struct out *)v, line);
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
    o.v.csv_header = "doc_code,issuer,doc_number,id12,birth,sex,expiry,nationality,family,given,"
                     "checks_ok,findings";
    o.v.keep_blank = 1; /* a blank line ends an incomplete MRZ */
    o.v.check = feed_value;
    o.v.finish = finish;
    return dc_values_main(&o.v, ctx, argc, argv, "ID_,DOB_,MRZ_");
}
