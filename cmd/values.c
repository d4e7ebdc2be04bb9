/*
 * values.c - the single-value commands' shared front end (see values.h).
 */
#include "values.h"
#include "../core/utf8.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int
dc_values_collect(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    struct dc_values *v = ud;

    (void)p;
    if (v->nf < DC_VALUES_MAX_FINDINGS)
        v->f[v->nf++] = *f;
    if (f->severity >= DC_SEV_WARNING)
        v->failed = 1;
    return 0;
}

void
dc_values_csv(FILE *fp, const char *s, int last)
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

void
dc_values_csv_findings(FILE *fp, const struct dc_values *v)
{
    char codes[DC_VALUES_MAX_FINDINGS * 32] = "";
    size_t n = 0;

    for (int i = 0; i < v->nf; i++) {
        int w = snprintf(codes + n, sizeof codes - n, "%s%s", i ? ";" : "", v->f[i].code);
        if (w < 0 || (size_t)w >= sizeof codes - n)
            break;
        n += (size_t)w;
    }
    dc_values_csv(fp, codes, 1);
}

void
dc_values_json_findings(struct dc_buf *b, const struct dc_values *v)
{
    dc_buf_puts(b, "\"findings\":[");
    for (int i = 0; i < v->nf; i++) {
        const struct dc_finding *f = &v->f[i];
        dc_buf_puts(b, i ? ",{\"code\":" : "{\"code\":");
        dc_json_str(b, f->code);
        dc_buf_puts(b, ",\"severity\":");
        dc_json_str(b, dc_rules_severity_name(f->severity));
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

const char *
dc_values_printable(const char *s)
{
    return dc_utf8_valid(s, strlen(s)) ? s : "(not UTF-8)";
}

int
dc_values_read_lines(FILE *fp, size_t cap,
                     int (*line_fn)(void *ud, const char *line, size_t len, long lineno), void *ud)
{
    unsigned char in[1 << 16];
    char *line = malloc(cap);
    size_t n = 0, got;
    long lineno = 1;
    int bad = 0, cr = 0, first = 1, rc = 0, any = 0;

    if (!line)
        return -1;
    while (rc == 0 && (got = fread(in, 1, sizeof in, fp)) > 0) {
        size_t i = 0;
        if (first) {
            first = 0;
            if (got >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
                i = 3; /* a UTF-8 BOM (what Windows tools write first) */
        }
        for (; i < got && rc == 0; i++) {
            unsigned char c = in[i];
            if (c == '\n' && cr) { /* the LF of CR LF: the line already ended */
                cr = 0;
                continue;
            }
            cr = 0;
            if (c == '\r' || c == '\n') {
                line[n] = '\0';
                rc = line_fn(ud, bad ? NULL : line, n, lineno);
                lineno++;
                n = 0;
                bad = 0;
                any = 0;
                cr = c == '\r';
                continue;
            }
            any = 1;
            if (c == '\0' || n + 1 >= cap)
                bad = 1;
            else
                line[n++] = (char)c;
        }
    }
    if (rc == 0 && ferror(fp))
        rc = -1;
    if (rc == 0 && any) { /* a last line without its end */
        line[n] = '\0';
        rc = line_fn(ud, bad ? NULL : line, n, lineno);
    }
    free(line);
    return rc;
}

static int
blank(const char *s)
{
    return strspn(s, " \t") == strlen(s);
}

static int
stdin_line(void *ud, const char *line, size_t len, long lineno)
{
    struct dc_values *v = ud;

    (void)len;
    if (!line) {
        dc_cmd_errorf(v->ctx, "stdin:%ld: longer than %d bytes or holds a NUL byte, skipped",
                      lineno, DC_VNID_MAX_INPUT);
        v->failed = 1;
        return 0;
    }
    if (!v->keep_blank && blank(line))
        return 0;
    return v->check(v, line, lineno);
}

static int
from_stdin(struct dc_values *v)
{
    int rc = dc_values_read_lines(stdin, DC_VNID_MAX_INPUT + 1, stdin_line, v);

    if (rc < 0) {
        dc_cmd_errorf(v->ctx, "cannot read stdin");
        rc = DC_EX_IOERR;
    }
    return rc;
}

int
dc_values_main(struct dc_values *v, struct dc_ctx *ctx, int argc, char **argv, const char *only)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    int ch, rc = 0;

    if (dc_cmd_wants_help(ctx, argc, argv))
        return 0;
    v->ctx = ctx;
    v->rctx.today = ctx->today[0] ? ctx->today : NULL;
    v->rctx.lang = "vi";
    v->rctx.only = only;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case 'j':
            v->json = 1;
            break;
        case 'l':
            if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0)
                return dc_cmd_usage_error(ctx, "--lang must be vi or en");
            v->rctx.lang = optarg;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (blank(argv[i]))
            return dc_cmd_usage_error(ctx, "argument %d is empty", i - optind + 1);
        if (strlen(argv[i]) > DC_VNID_MAX_INPUT)
            return dc_cmd_usage_error(ctx, "argument %d is longer than %d bytes", i - optind + 1,
                                      DC_VNID_MAX_INPUT);
    }
    if (!v->json)
        fprintf(ctx->out, "%s\n", v->csv_header);
    if (optind < argc) {
        for (int i = optind; i < argc && rc == 0; i++)
            rc = v->check(v, argv[i], (long)(i - optind + 1));
    } else {
        rc = from_stdin(v);
    }
    if (rc == 0 && v->finish)
        rc = v->finish(v);
    if (rc)
        return rc;
    return v->failed ? DC_FINDINGS : 0;
}
