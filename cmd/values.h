/*
 * values.h - the shared front end of the single-value commands `dancu id`,
 * `dancu mrz` and `dancu qr`: options (--json, --lang), values from the
 * arguments or one per line on stdin (a UTF-8 BOM dropped; CR, LF and CR LF
 * all end a line, as scanners send them), the CSV/JSON output of findings and
 * the exit status (1 when a value failed).  Each command supplies how to
 * check and print one value; this file does the rest once.  Every value
 * carries its line number (of stdin, or the argument's position) so every
 * output row can say where it came from.
 *
 * Not for: commands over a database or CSV files.
 */
#ifndef DC_CMD_VALUES_H
#define DC_CMD_VALUES_H

#include <stdio.h>

#include "cmd.h"
#include "../core/json.h"
#include "../core/rules.h"
#include "../core/vnid.h"

#define DC_VALUES_MAX_FINDINGS 16
#define DC_VALUES_LINE_CAP (DC_VNID_MAX_INPUT + 2)

struct dc_values {
    struct dc_ctx *ctx;
    int json;                 /* --json: one object per line instead of CSV */
    struct dc_rules_ctx rctx; /* today, --lang, the rule prefixes to run */
    int nf;                   /* findings of the current value */
    struct dc_finding f[DC_VALUES_MAX_FINDINGS];
    int failed; /* some value failed: exit 1 */

    /* set by the command before dc_values_main */
    const char *csv_header; /* header line without its newline */
    int keep_blank;         /* pass blank stdin lines on (mrz: they end a group) */
    /* one value and its line (stdin) or position (arguments); exit status */
    int (*check)(struct dc_values *v, const char *value, long line);
    int (*finish)(struct dc_values *v); /* after the last; may be NULL */
};

/* Parse the options, check each argument (non-blank, at most
 * DC_VNID_MAX_INPUT bytes), print the CSV header, run v->check on every
 * argument or stdin line, then v->finish.  Returns the exit status. */
int dc_values_main(struct dc_values *v, struct dc_ctx *ctx, int argc, char **argv,
                   const char *only);

/* dc_rules_check emitter: collect findings; a warning or error fails the value. */
int dc_values_collect(void *ud, const struct dc_person *p, const struct dc_finding *f);

/* RFC 4180 field (quoted only when it holds , " CR or LF), then ',' or '\n'. */
void dc_values_csv(FILE *fp, const char *s, int last);

/* The findings column (codes joined by ';') ending the CSV line. */
void dc_values_csv_findings(FILE *fp, const struct dc_values *v);

/* "findings":[...]} and the newline ending a JSON line. */
void dc_values_json_findings(struct dc_buf *b, const struct dc_values *v);

/* Split a stream into lines as scanners and editors end them: a UTF-8 BOM
 * at the start dropped; CR, LF and CR LF each end one line.  line_fn gets
 * each line (without its end, NUL-terminated, *len bytes) and its 1-based
 * number; a line longer than cap - 1 bytes or holding a NUL byte is passed
 * as NULL with its number.  A non-zero return from line_fn stops the
 * reading and is returned; -1 means a read error. */
int dc_values_read_lines(FILE *fp, size_t cap,
                         int (*line_fn)(void *ud, const char *line, size_t len, long lineno),
                         void *ud);

/* s when it is valid UTF-8, else a placeholder (JSON and CSV need UTF-8). */
const char *dc_values_printable(const char *s);

#endif
