/*
 * id.c - `dancu id [VALUE...]`: decode and check 12-digit ID numbers and old
 * CMND numbers given as arguments or one per line on stdin.
 *
 * The checks are the ID_ and CMND_ rules of core/rules.c run on a record that
 * holds only the number; decoding is core/vnid.c (idformats.md §1, §2).
 * Not for: records with more fields (crosscheck does those).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../core/json.h"
#include "../core/rules.h"
#include "../core/vnid.h"

const char dc_usage_id[] =
    "usage: dancu id [--json] [--lang vi|en] [VALUE...]\n"
    "\n"
    "Decode and check personal ID numbers (12 digits: province of birth\n"
    "registration, century/sex digit, birth year, serial) and old CMND numbers\n"
    "(9 digits).  Values come from the arguments, or one per line on stdin when\n"
    "there are none (blank lines are skipped).  Spaces, dots and dashes are\n"
    "ignored; an 11-digit value is read as an ID that lost its leading zero in a\n"
    "spreadsheet, an 8-digit one as such a CMND (column fix).\n"
    "\n"
    "Output: a CSV header, then one line per value:\n"
    "  value,id12,cmnd,fix,province,province_name,sex,birth_year,findings\n"
    "findings holds the rule codes found, joined by ';' (see 'dancu crosscheck\n"
    "--list').\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object per line instead of CSV, findings with\n"
    "                  severity, expected and actual values and a message\n"
    "  --lang vi|en    language of the JSON messages (default vi)\n"
    "\n"
    "Exit status: 0 every value is a valid number; 1 a value is not a number or\n"
    "has an error or warning finding; 64 usage; 74 I/O error.\n";

#define MAX_FINDINGS 16
#define LINE_CAP (DC_VNID_MAX_INPUT + 2)

struct out {
    struct dc_ctx *ctx;
    int json;
    struct dc_rules_ctx rctx;
    int nf;
    struct dc_finding f[MAX_FINDINGS];
    int failed; /* some value failed: exit 1 */
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

/* The value as printed: valid UTF-8 only (JSON and CSV consumers need it). */
static const char *
printable(const char *s)
{
    return dc_utf8_valid(s, strlen(s)) ? s : "(not UTF-8)";
}

static int
check_one(struct out *o, const char *raw)
{
    char value[LINE_CAP];
    size_t n;
    struct dc_person p;
    struct dc_id12 d;
    struct dc_error err = DC_ERROR_INIT;
    char id12[13], cmnd[13], prov[4] = "", sex[2] = "", year[8] = "";
    const char *fix = NULL, *pname = "";
    int known;

    /* Blanks around a value are layout, not part of it. */
    raw += strspn(raw, " \t");
    n = strlen(raw);
    while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
        n--;
    if (n >= sizeof value)
        n = sizeof value - 1; /* callers already limit values to DC_VNID_MAX_INPUT */
    memcpy(value, raw, n);
    value[n] = '\0';
    memset(&p, 0, sizeof p);
    known = dc_id_clean(value, id12, cmnd, &fix);
    if (id12[0]) {
        p.id12 = id12;
        (void)dc_id12_parse(id12, &d, NULL); /* problems come back as findings */
        memcpy(prov, d.province, sizeof prov);
        pname = d.province_name ? d.province_name : "";
        sex[0] = d.sex;
        if (d.century < 2100)
            snprintf(year, sizeof year, "%d", d.century + d.yy);
    } else if (cmnd[0]) {
        p.cmnd = cmnd;
    } else {
        p.id_raw = value;
    }
    if (!known)
        o->failed = 1;
    o->nf = 0;
    if (dc_rules_check(&p, &o->rctx, collect, o, &err) < 0)
        return dc_cmd_fail(o->ctx, &err);

    if (o->json) {
        struct dc_buf b = DC_BUF_INIT;
        dc_buf_puts(&b, "{\"value\":");
        dc_json_str(&b, printable(value));
        dc_buf_puts(&b, ",\"id12\":");
        dc_json_str(&b, id12);
        dc_buf_puts(&b, ",\"cmnd\":");
        dc_json_str(&b, cmnd);
        dc_buf_puts(&b, ",\"fix\":");
        dc_json_str(&b, fix ? fix : "");
        dc_buf_puts(&b, ",\"province\":");
        dc_json_str(&b, prov);
        dc_buf_puts(&b, ",\"province_name\":");
        dc_json_str(&b, pname);
        dc_buf_puts(&b, ",\"sex\":");
        dc_json_str(&b, sex);
        dc_buf_printf(&b, ",\"birth_year\":%s,", year[0] ? year : "null");
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
        csv_put(fp, printable(value), 0);
        csv_put(fp, id12, 0);
        csv_put(fp, cmnd, 0);
        csv_put(fp, fix, 0);
        csv_put(fp, prov, 0);
        csv_put(fp, pname, 0);
        csv_put(fp, sex, 0);
        csv_put(fp, year, 0);
        csv_findings(fp, o);
    }
    if (ferror(o->ctx->out)) {
        dc_cmd_errorf(o->ctx, "cannot write output");
        return DC_EX_IOERR;
    }
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
cmd_id(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    struct out o;
    int ch, rc = 0;

    if (dc_cmd_wants_help(ctx, argc, argv))
        return 0;
    memset(&o, 0, sizeof o);
    o.ctx = ctx;
    o.rctx.today = ctx->today[0] ? ctx->today : NULL;
    o.rctx.lang = "vi";
    o.rctx.only = "ID_,CMND_";
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
        fputs("value,id12,cmnd,fix,province,province_name,sex,birth_year,findings\n", ctx->out);
    if (optind < argc) {
        for (int i = optind; i < argc && rc == 0; i++)
            rc = check_one(&o, argv[i]);
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
            if (strspn(line, " \t") == strlen(line))
                continue;
            rc = check_one(&o, line);
        }
        if (rc == 0 && r < 0) {
            dc_cmd_errorf(ctx, "cannot read stdin");
            rc = DC_EX_IOERR;
        }
    }
    if (rc)
        return rc;
    return o.failed ? DC_FINDINGS : 0;
}
