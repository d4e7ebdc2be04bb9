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
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
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

#define MAX_FINDINGS 16
#define LINE_CAP (DC_VNID_MAX_INPUT + 2)
#define GROUP_CAP (3 * LINE_CAP)

struct out {
    struct dc_ctx *ctx;
    int json;
    struct dc_rules_ctx rctx;
    int nf;
    struct dc_finding f[MAX_FINDINGS];
    int failed;
    /* lines of the MRZ being collected */
    char group[GROUP_CAP];
    size_t glen;
    int nlines;
};

static int
collect(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    struct out *o = ud;

    (void)p;
    if (o->nf < MAX_FINDINGS)
        o->f[o->nf++] = *f;
    if (f->severity >= DC_SEV_WARNING)
        o->failed = 1;
    return 0;
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF. */
static void
csv_put(FILE *fp, const char *s, int last)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
    fputc(last ? '\n' : ',', fp);
}

static void
csv_findings(FILE *fp, const struct out *o)
{
    char codes[MAX_FINDINGS * 32] = "";
    size_t n = 0;

    for (int i = 0; i < o->nf; i++) {
        int w = snprintf(codes + n, sizeof codes - n, "%s%s", i ? ";" : "", o->f[i].code);
        if (w < 0 || (size_t)w >= sizeof codes - n)
            break;
        n += (size_t)w;
    }
    csv_put(fp, codes, 1);
}

static void
json_findings(struct dc_buf *b, const struct out *o)
{
    dc_buf_puts(b, "\"findings\":[");
    for (int i = 0; i < o->nf; i++) {
        const struct dc_finding *f = &o->f[i];
        dc_buf_puts(b, i ? ",{\"code\":" : "{\"code\":");
        dc_json_str(b, f->code);
        dc_buf_puts(b, ",\"severity\":");
        dc_json_str(b, dc_severity_name(f->severity));
        dc_buf_puts(b, ",\"field\":");
        dc_json_str(b, f->field);
        dc_buf_puts(b, ",\"expected\":");
        dc_json_str(b, f->expected);
        dc_buf_puts(b, ",\"actual\":");
        dc_json_str(b, f->actual);
        dc_buf_puts(b, ",\"message\":");
        dc_json_str(b, f->message);
        dc_buf_putc(b, '}');
    }
    dc_buf_puts(b, "]}\n");
}

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
        int century, today_yy = o->rctx.today ? two(o->rctx.today + 2) : 99;
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
    o->nf = 0;
    dc_error_clear(&err);
    if (dc_rules_check(&p, &o->rctx, collect, o, &err) < 0)
        return dc_cmd_fail(o->ctx, &err);
    if (!parsed)
        o->failed = 1;
    if (!birth[0] && parsed)
        snprintf(birth, sizeof birth, "%s", m.birth);

    if (o->json) {
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
        json_findings(&b, o);
        if (b.oom) {
            dc_buf_release(&b);
            dc_cmd_errorf(o->ctx, "out of memory");
            return DC_EX_OSERR;
        }
        fputs(dc_buf_str(&b), o->ctx->out);
        dc_buf_release(&b);
    } else {
        FILE *fp = o->ctx->out;
        csv_put(fp, m.doc_code, 0);
        csv_put(fp, m.issuer, 0);
        csv_put(fp, m.doc_number, 0);
        csv_put(fp, m.id12, 0);
        csv_put(fp, birth, 0);
        csv_put(fp, sex, 0);
        csv_put(fp, expiry, 0);
        csv_put(fp, m.nationality, 0);
        csv_put(fp, m.family, 0);
        csv_put(fp, m.given, 0);
        csv_put(fp, checks, 0);
        csv_findings(fp, o);
    }
    if (ferror(o->ctx->out)) {
        dc_cmd_errorf(o->ctx, "cannot write output");
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
        char one[LINE_CAP];
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

/* One line of fp without its CR/LF.  1 = a line, 0 = end, -1 = read error;
 * *too_long when the line did not fit (the rest of it is skipped). */
static int
read_line(FILE *fp, char *buf, size_t cap, int *too_long)
{
    size_t n = 0;
    int c, any = 0;

    *too_long = 0;
    while ((c = getc(fp)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = (char)c;
        else
            *too_long = 1;
    }
    if (ferror(fp))
        return -1;
    while (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return any ? 1 : 0;
}

int
cmd_mrz(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    static struct out o; /* 12 KiB of line buffer: not on the stack */
    int ch, rc = 0;

    if (dc_cmd_wants_help(ctx, argc, argv))
        return 0;
    memset(&o, 0, sizeof o);
    o.ctx = ctx;
    o.rctx.today = ctx->today[0] ? ctx->today : NULL;
    o.rctx.lang = "vi";
    o.rctx.only = "ID_,DOB_,MRZ_";
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case 'j':
            o.json = 1;
            break;
        case 'l':
            if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0)
                return dc_cmd_usage_error(ctx, "--lang must be vi or en");
            o.rctx.lang = optarg;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (strspn(argv[i], " \t") == strlen(argv[i]))
            return dc_cmd_usage_error(ctx, "argument %d is empty", i - optind + 1);
        if (strlen(argv[i]) > DC_VNID_MAX_INPUT)
            return dc_cmd_usage_error(ctx, "argument %d is longer than %d bytes",
                                      i - optind + 1, DC_VNID_MAX_INPUT);
    }
    if (!o.json)
        fputs("doc_code,issuer,doc_number,id12,birth,sex,expiry,nationality,family,given,"
              "checks_ok,findings\n",
              ctx->out);
    if (optind < argc) {
        for (int i = optind; i < argc && rc == 0; i++)
            rc = feed(&o, argv[i]);
    } else {
        char line[LINE_CAP];
        long lineno = 0;
        int r, too_long;
        while (rc == 0 && (r = read_line(stdin, line, sizeof line, &too_long)) == 1) {
            lineno++;
            if (too_long) {
                dc_cmd_errorf(ctx, "stdin:%ld: longer than %d bytes, skipped", lineno,
                              DC_VNID_MAX_INPUT);
                o.failed = 1;
                continue;
            }
            rc = feed(&o, line);
        }
        if (rc == 0 && r < 0) {
            dc_cmd_errorf(ctx, "cannot read stdin");
            rc = DC_EX_IOERR;
        }
    }
    if (rc == 0)
        rc = flush_group(&o);
    if (rc)
        return rc;
    return o.failed ? DC_FINDINGS : 0;
}
