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
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "values.h"
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
    "or one per line on stdin when there are none (a UTF-8 BOM is dropped; CR, LF\n"
    "and CR LF each end a payload, as USB scanners send them; blank lines are\n"
    "skipped).\n"
    "\n"
    "Output: a CSV header, then one line per payload, always the same columns:\n"
    "  line,id12,cmnd,name,dob,sex,address,issue,field8,field9,field10,field11,\n"
    "  fields_more,nfields,findings\n"
    "line is the payload's line on stdin, or its position among the arguments;\n"
    "dates as ISO, sex M/F; field8-field11 are the optional fields of cards\n"
    "issued from 2024-07-01 as printed (Circular 16/2024 lists a cancelled ID\n"
    "number and the parents' names; their order is not published, so they are\n"
    "not named), empty when absent; fields_more joins any further fields with\n"
    "'|'; findings holds the rule codes found, joined by ';'.\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object per line instead of CSV, with the extra\n"
    "                  fields as an array\n"
    "  --lang vi|en    language of the JSON messages (default vi)\n"
    "\n"
    "Exit status: 0 every payload is valid; 1 a payload is unreadable or has an\n"
    "error or warning finding; 64 usage; 74 I/O error.\n";

#define QR_NAMED_OPTIONAL 4 /* field8 .. field11 */

static int
check_qr(struct dc_values *o, const char *payload, long line)
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
    if (dc_rules_check(&p, &o->rctx, dc_values_collect, o, &err) < 0) {
        dc_qr_release(&q);
        return dc_cmd_fail(o->ctx, &err);
    }

    if (o->json) {
        struct dc_buf b = DC_BUF_INIT;
        dc_buf_printf(&b, "{\"line\":%ld,\"id12\":", line);
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
        dc_values_json_findings(&b, o);
        if (b.oom) {
            dc_cmd_errorf(o->ctx, "out of memory");
            rc = DC_EX_OSERR;
        } else {
            fputs(dc_buf_str(&b), o->ctx->out);
        }
        dc_buf_release(&b);
    } else {
        FILE *fp = o->ctx->out;
        char lineno[24];
        struct dc_buf more = DC_BUF_INIT;
        snprintf(lineno, sizeof lineno, "%ld", line);
        dc_values_csv(fp, lineno, 0);
        dc_values_csv(fp, q.id12, 0);
        dc_values_csv(fp, q.cmnd, 0);
        dc_values_csv(fp, q.name, 0);
        dc_values_csv(fp, q.dob, 0);
        dc_values_csv(fp, sex, 0);
        dc_values_csv(fp, q.address, 0);
        dc_values_csv(fp, q.issue, 0);
        for (int i = 0; i < QR_NAMED_OPTIONAL; i++)
            dc_values_csv(fp, i < q.nextra ? q.extra[i] : "", 0);
        for (int i = QR_NAMED_OPTIONAL; i < q.nextra; i++) {
            if (i > QR_NAMED_OPTIONAL)
                dc_buf_putc(&more, '|');
            dc_buf_puts(&more, q.extra[i]);
        }
        if (more.oom) {
            dc_cmd_errorf(o->ctx, "out of memory");
            rc = DC_EX_OSERR;
        }
        dc_values_csv(fp, q.nextra > QR_NAMED_OPTIONAL ? dc_buf_str(&more) : "", 0);
        dc_buf_release(&more);
        dc_values_csv(fp, nf, 0);
        dc_values_csv_findings(fp, o);
    }
    dc_qr_release(&q);
    if (rc == 0 && ferror(o->ctx->out)) {
        dc_cmd_errorf(o->ctx, "cannot write output");
        rc = DC_EX_IOERR;
    }
    return rc;
}

int
cmd_qr(struct dc_ctx *ctx, int argc, char **argv)
{
    struct dc_values v;

    memset(&v, 0, sizeof v);
    v.csv_header = "line,id12,cmnd,name,dob,sex,address,issue,field8,field9,field10,field11,"
                   "fields_more,nfields,findings";
    v.check = check_qr;
    return dc_values_main(&v, ctx, argc, argv, "ID_,CMND_,DOB_,ISSUE_,QR_");
}
