/*
 * id.c - `dancu id [VALUE...]`: decode and check 12-digit ID numbers and old
 * CMND numbers given as arguments or one per line on stdin.
 *
 * The checks are the ID_ and CMND_ rules of core/rules.c run on a record that
 * holds only the number; decoding is core/vnid.c (idformats.md §1, §2).
 * Not for: records with more fields (crosscheck does those).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "values.h"
#include "../core/json.h"
#include "../core/rules.h"
#include "../core/vnid.h"

const char dc_usage_id[] =
    "usage: dancu id [--json] [--lang vi|en] [VALUE...]\n"
    "\n"
    "Decode and check personal ID numbers (12 digits: province of birth\n"
    "registration, century/sex digit, birth year, serial) and old CMND numbers\n"
    "(9 digits).  Values come from the arguments, or one per line on stdin when\n"
    "there are none (a UTF-8 BOM is dropped; CR, LF and CR LF end a line; blank\n"
    "lines are skipped).  Labels such as 'CCCD:' or 'Số:', spaces, NBSP, dots and\n"
    "dashes are ignored.  A value of 9-11 digits whose zero-padded form has a\n"
    "known province code and a birth year not in the future is an ID that lost\n"
    "its leading zeros in a spreadsheet (fix id-zeros-restored; the same rule\n"
    "normalize applies); an 8-digit value is such a CMND (cmnd-zeros-restored).\n"
    "A value in exponent form (7.92031E+11) lost digits: ID_SPREADSHEET_EXPONENT.\n"
    "The century/sex digit decodes by Circular 07/2016 Annex 3 (0/1 1900s, 2/3\n"
    "2000s, 4/5 2100s, 6/7 2200s, 8/9 2300s); a birth year after today's (--now)\n"
    "is ID_BIRTH_YEAR_FUTURE.\n"
    "\n"
    "Output: a CSV header, then one line per value:\n"
    "  line,value,id12,cmnd,fix,province,province_name,sex,birth_year,findings\n"
    "line is the value's line on stdin, or its position among the arguments;\n"
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

static int
check_one(struct dc_values *o, const char *raw, long line)
{
    char value[DC_VALUES_LINE_CAP];
    size_t n;
    struct dc_person p;
    struct dc_id12 d;
    struct dc_id_hint h = {0, 0, 0};
    struct dc_error err = DC_ERROR_INIT;
    char id12[13], cmnd[13], prov[4] = "", sex[2] = "", year[8] = "", lineno[24];
    const char *fix = NULL, *pname = "";
    enum dc_id_kind kind;

    /* Blanks around a value are layout, not part of it. */
    raw += strspn(raw, " \t");
    n = strlen(raw);
    while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
        n--;
    if (n >= sizeof value)
        n = sizeof value - 1; /* callers already limit values to DC_VNID_MAX_INPUT */
    memcpy(value, raw, n);
    value[n] = '\0';
    snprintf(lineno, sizeof lineno, "%ld", line);
    memset(&p, 0, sizeof p);
    /* No record around the number: only its own structure and the clock
     * decide whether lost zeros can be restored (core/vnid.c). */
    h.this_year = o->rctx.today ? (int)strtol(o->rctx.today, NULL, 10) : 0;
    kind = dc_id_clean(value, &h, id12, cmnd, &fix);
    if (kind == DC_ID_ID12) {
        p.id12 = id12;
        (void)dc_id12_parse(id12, &d, NULL); /* problems come back as findings */
        memcpy(prov, d.province, sizeof prov);
        pname = d.province_name ? d.province_name : "";
        sex[0] = d.sex;
        snprintf(year, sizeof year, "%d", d.century + d.yy);
    } else if (kind == DC_ID_CMND) {
        p.cmnd = cmnd;
    } else {
        p.id_raw = value;
        o->failed = 1;
    }
    o->nf = 0;
    if (dc_rules_check(&p, &o->rctx, dc_values_collect, o, &err) < 0)
        return dc_cmd_fail(o->ctx, &err);

    if (o->json) {
        struct dc_buf b = DC_BUF_INIT;
        dc_buf_printf(&b, "{\"line\":%ld,\"value\":", line);
        dc_json_str(&b, dc_values_printable(value));
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
        dc_values_json_findings(&b, o);
        if (b.oom) {
            dc_buf_release(&b);
            dc_cmd_errorf(o->ctx, "out of memory");
            return DC_EX_OSERR;
        }
        fputs(dc_buf_str(&b), o->ctx->out);
        dc_buf_release(&b);
    } else {
        FILE *fp = o->ctx->out;
        dc_values_csv(fp, lineno, 0);
        dc_values_csv(fp, dc_values_printable(value), 0);
        dc_values_csv(fp, id12, 0);
        dc_values_csv(fp, cmnd, 0);
        dc_values_csv(fp, fix, 0);
        dc_values_csv(fp, prov, 0);
        dc_values_csv(fp, pname, 0);
        dc_values_csv(fp, sex, 0);
        dc_values_csv(fp, year, 0);
        dc_values_csv_findings(fp, o);
    }
    if (ferror(o->ctx->out)) {
        dc_cmd_errorf(o->ctx, "cannot write output");
        return DC_EX_IOERR;
    }
    return 0;
}

int
cmd_id(struct dc_ctx *ctx, int argc, char **argv)
{
    struct dc_values v;

    memset(&v, 0, sizeof v);
    v.csv_header = "line,value,id12,cmnd,fix,province,province_name,sex,birth_year,findings";
    v.check = check_one;
    return dc_values_main(&v, ctx, argc, argv, "ID_,CMND_");
}
