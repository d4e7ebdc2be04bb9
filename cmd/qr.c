/*
 * qr.c - `dancu qr [PAYLOAD...]`: decode and check the QR payload of chip ID
 * cards ('|'-separated: ID, CMND, name, birth DDMMYYYY, Nam/Nữ, address, issue
 * DDMMYYYY, then the 2024 card's extra fields).
 *
 * Decoding is core/vnid.c (idformats.md §5); the checks are the QR_, ID_,
 * CMND_, DOB_ and ISSUE_ rules of core/rules.c run on a record built from the
 * payload, so the ID's century/sex digit is checked against the QR's sex and
 * birth date, and the issue date against the age rules.
 * Not for: comparing a QR with a record (crosscheck does that).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../core/json.h"
#include "../core/person.h"
#include "../core/rules.h"
#include "../core/vnid.h"

const char dc_usage_qr[] =
    "usage: dancu qr [--json] [--lang vi|en] [PAYLOAD...]\n"
    "\n"
    "Decode and check QR payloads of ID cards: fields separated by '|', at least 7:\n"
    "ID (12 digits), CMND (9 digits or empty), full name, birth date DDMMYYYY,\n"
    "Nam/Nữ, address, issue date DDMMYYYY; cards issued from 2024-07-01 may add\n"
    "more fields, which are kept as they are.  Payloads come from the arguments,\n"
    "or one per line on stdin when there are none (blank lines are skipped).\n"
    "\n"
    "Output: a CSV header, then one line per payload:\n"
    "  id12,cmnd,name,dob,sex,address,issue,nfields,findings\n"
    "dates as ISO, sex M/F; findings holds the rule codes found, joined by ';'.\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object per line instead of CSV, with the extra\n"
    "                  fields as an array\n"
    "  --lang vi|en    language of the JSON messages (default vi)\n"
    "\n"
    "Exit status: 0 every payload is valid; 1 a payload is unreadable or has an\n"
    "error or warning finding; 64 usage; 74 I/O error.\n";

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

static int
check_qr(struct out *o, const char *payload)
{
    struct dc_qr q;
    struct dc_person p;
    struct dc_error err = DC_ERROR_INIT;
    char sex[2] = "", nf[8] = "";
    int parsed, rc = 0;

    memset(&p, 0, sizeof p);
    p.qr = payload;
    parsed = dc_qr_parse(payload, &q, &err) == 0;
    if (parsed) {
        p.id12 = q.id12[0] ? q.id12 : NULL;
        /* a malformed field 1 goes to the ID rules as raw text */
        p.id_raw = q.id12[0] ? NULL : q.fields[0];
        p.cmnd = q.cmnd[0] ? q.cmnd : NULL;
        p.full_name = q.name;
        if (q.dob[0]) {
            p.dob = q.dob;
            p.dob_precision = DC_DATE_DAY;
        } else if (q.fields[3][0]) {
            p.dob_precision = DC_DATE_INVALID;
            p.dob_raw = q.fields[3];
        }
        p.sex = q.sex;
        p.issue_date = q.issue[0] ? q.issue : NULL;
        sex[0] = q.sex;
        snprintf(nf, sizeof nf, "%d", q.nfields);
    } else {
        if (err.status != DC_EX_DATAERR)
            return dc_cmd_fail(o->ctx, &err);
        memset(&q, 0, sizeof q);
        o->failed = 1;
    }
    o->nf = 0;
    dc_error_clear(&err);
    if (dc_rules_check(&p, &o->rctx, collect, o, &err) < 0) {
        dc_qr_release(&q);
        return dc_cmd_fail(o->ctx, &err);
    }

    if (o->json) {
        struct dc_buf b = DC_BUF_INIT;
        dc_buf_puts(&b, "{\"id12\":");
        dc_json_str(&b, q.id12);
        dc_buf_puts(&b, ",\"cmnd\":");
        dc_json_str(&b, q.cmnd);
        dc_buf_puts(&b, ",\"name\":");
        dc_json_str(&b, q.name ? q.name : "");
        dc_buf_puts(&b, ",\"dob\":");
        dc_json_str(&b, q.dob);
        dc_buf_puts(&b, ",\"sex\":");
        dc_json_str(&b, sex);
        dc_buf_puts(&b, ",\"address\":");
        dc_json_str(&b, q.address ? q.address : "");
        dc_buf_puts(&b, ",\"issue\":");
        dc_json_str(&b, q.issue);
        dc_buf_printf(&b, ",\"nfields\":%d,\"extra\":[", q.nfields);
        for (int i = 0; i < q.nextra; i++) {
            if (i)
                dc_buf_putc(&b, ',');
            dc_json_str(&b, q.extra[i]);
        }
        dc_buf_puts(&b, "],");
        json_findings(&b, o);
        if (b.oom) {
            dc_cmd_errorf(o->ctx, "out of memory");
            rc = DC_EX_OSERR;
        } else {
            fputs(dc_buf_str(&b), o->ctx->out);
        }
        dc_buf_release(&b);
    } else {
        FILE *fp = o->ctx->out;
        csv_put(fp, q.id12, 0);
        csv_put(fp, q.cmnd, 0);
        csv_put(fp, q.name, 0);
        csv_put(fp, q.dob, 0);
        csv_put(fp, sex, 0);
        csv_put(fp, q.address, 0);
        csv_put(fp, q.issue, 0);
        csv_put(fp, nf, 0);
        csv_findings(fp, o);
    }
    dc_qr_release(&q);
    if (rc == 0 && ferror(o->ctx->out)) {
        dc_cmd_errorf(o->ctx, "cannot write output");
        rc = DC_EX_IOERR;
    }
    return rc;
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
cmd_qr(struct dc_ctx *ctx, int argc, char **argv)
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
    o.rctx.only = "ID_,CMND_,DOB_,ISSUE_,QR_";
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
        fputs("id12,cmnd,name,dob,sex,address,issue,nfields,findings\n", ctx->out);
    if (optind < argc) {
        for (int i = optind; i < argc && rc == 0; i++)
            rc = check_qr(&o, argv[i]);
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
            rc = check_qr(&o, line);
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
