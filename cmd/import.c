/*
 * import.c - `dancu import DB FILE...`: extracts into src_row / reject.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../core/fields.h"
#include "../core/import.h"
#include "../core/json.h"

const char dc_usage_import[] =
    "usage: dancu import DB FILE... [--source NAME] [--encoding ENC] [--delimiter D]\n"
    "                    [--sheet NAME|N] [--header-row N] [--map FILE] [--force] [--replace]\n"
    "                    [--max-field BYTES] [--max-bytes BYTES] [--json]\n"
    "\n"
    "Read CSV/TSV extracts and Excel workbooks (.xlsx, .xls) into the staging\n"
    "database DB.  FILE may be '-' for stdin (CSV only); gzip and workbooks are\n"
    "recognised by their bytes.  Each file is one batch in one transaction: the\n"
    "header is the row among the first 30 that names the most fields, and every\n"
    "row below it becomes a record, a reject row (reason, line, raw bytes), or a\n"
    "skipped row: blank (no value in a mapped column) or footer (total, place and\n"
    "date, signature lines after the last person).  Rows above the header are\n"
    "skipped too; all are counted.  A file that fails as a whole leaves nothing.\n"
    "\n"
    "Options:\n"
    "  --source NAME       source name of the records (default: the file's base name)\n"
    "  --encoding ENC      auto (default), utf-8, utf-16, cp1258, tcvn3, vni, viscii\n"
    "  --delimiter D       auto (default), ',', ';', tab or '|'\n"
    "  --sheet NAME|N      the workbook's sheet to read (default: the first visible)\n"
    "  --header-row N      the header is on line N (CSV) or sheet row N (workbook)\n"
    "  --map FILE          column=field lines overriding the header aliases\n"
    "                      (field: a canonical name, or '-' to keep it in extra)\n"
    "  --force             import a file again although the same bytes were imported\n"
    "  --replace           a corrected extract: the earlier batches of the same source are\n"
    "                      removed in the same transaction (normalize again afterwards)\n"
    "  --max-field BYTES   longest field accepted (default 65536); longer rows are rejected\n"
    "  --max-bytes BYTES   stop reading a (decompressed) file after this many bytes\n"
    "                      (default 4G; the file then fails as a whole)\n"
    "  --json              print the summary of each file as one JSON object on stdout\n"
    "\n"
    "Canonical fields: full_name family_name middle_name given_name other_name dob sex\n"
    "  id_number cmnd issue_date issue_place expiry_date ethnic religion nationality\n"
    "  address address_current ward district province hometown birth_place household_no\n"
    "  relation phone mrz qr\n"
    "\n"
    "Columns are matched by header (aliases, then with hints, numbering and a two-row\n"
    "header dealt with), else by content where the header says nothing; Nam | Nữ\n"
    "columns give sex and birth date; ID columns are routed by their digits.\n"
    "\n"
    "Exit status: 0 imported; 1 rows were rejected, a person field (name, birth date,\n"
    "sex, ID, permanent address) has no column, the mapping found rows wanting, or\n"
    "most rows equal an earlier batch of the source (a corrected extract: --replace);\n"
    "64 usage; 65 a file is unreadable as a whole (encoding undecidable, corrupt\n"
    "gzip or workbook, no such sheet); 66 a file is missing; 74 I/O error; 75 another\n"
    "run is writing DB.\n";

/* Room for a file name or header text with every byte escaped (\xNN). */
#define ESC_MAX (4 * 4096 + 1)

struct progress {
    int on;
    time_t start;
    const char *path;
};

static void
show_progress(void *ud, unsigned long long bytes, long rows)
{
    struct progress *p = ud;
    double secs = difftime(time(NULL), p->start);
    double mbs = secs > 0 ? (double)bytes / 1e6 / secs : 0;

    static char ep[ESC_MAX];

    fprintf(stderr, "\rdancu import: %s: %ld rows, %.1f MB/s   ",
            dc_cmd_esc(p->path, ep, sizeof ep), rows, mbs);
}

/* How many rejects import names on stderr; the rest are one export away. */
#define REJECTS_SHOWN 5

static int
show_reject(void *ud, long long line, const char *reason)
{
    fprintf(stderr, "dancu import: %s:%lld: rejected: %s\n", (const char *)ud, line, reason);
    return 0;
}

/* Rejected rows are said whatever --quiet, as the mapping's troubles are: the count, the
 * first few FILE:LINE: reason (no values: personal data), and where the rest are. */
static void
print_rejects(struct dc_ctx *ctx, struct dc_db *db, const char *dbpath, const char *path,
              const struct dc_import_summary *s)
{
    struct dc_error err = DC_ERROR_INIT;

    if (s->duplicate_of || s->rejected == 0)
        return;
    fprintf(stderr, "dancu import: %s: %ld row%s rejected%s\n", path, s->rejected,
            s->rejected == 1 ? "" : "s", s->rejected > REJECTS_SHOWN ? "; the first:" : ":");
    if (dc_import_rejects_head(db, s->batch_id, REJECTS_SHOWN, show_reject, (void *)path, &err) < 0)
        dc_cmd_fail(ctx, &err);
    fprintf(stderr,
            "dancu import: every rejected row with its raw bytes: dancu export %s --what "
            "rejects\n",
            dbpath);
}

static void
print_summary(const char *path, const struct dc_import_summary *s)
{
    static char ep[ESC_MAX], eh[ESC_MAX];

    path = dc_cmd_esc(path, ep, sizeof ep);
    if (s->duplicate_of && s->duplicate_rows) {
        fprintf(stderr,
                "dancu import: %s: same rows as batch %lld (other bytes: compression, line "
                "ends or encoding); nothing done (--force imports it again)\n",
                path, s->duplicate_of);
        return;
    }
    if (s->duplicate_of) {
        fprintf(stderr,
                "dancu import: %s: already imported as batch %lld (same SHA-256); nothing "
                "done (--force imports it again)\n",
                path, s->duplicate_of);
        return;
    }
    long skipped = s->skipped_above + s->skipped_blank + s->skipped_footer;

    fprintf(stderr,
            "dancu import: %s: batch %lld, source '%s': %ld rows read = %ld imported + %ld "
            "rejected",
            path, s->batch_id, s->source, s->rows_read, s->imported, s->rejected);
    if (skipped)
        fprintf(stderr, " + %ld skipped", skipped);
    if (s->sheet[0])
        fprintf(stderr, " (%s, sheet '%s')\n", s->kind, s->sheet);
    else
        fprintf(stderr, " (encoding %s, confidence %.2f, delimiter '%s')\n", s->encoding,
                s->confidence, s->delimiter == '\t' ? "tab" : (char[]){(char)s->delimiter, 0});
    if (s->replaced_batches)
        fprintf(stderr,
                "  replaced %ld earlier batch%s of source '%s' (%ld records): run dancu "
                "normalize\n",
                s->replaced_batches, s->replaced_batches == 1 ? "" : "es", s->source,
                s->replaced_rows);
    if (s->header_row != 1 || skipped) {
        fprintf(stderr, "  header at row %ld", s->header_row);
        if (s->skipped_above)
            fprintf(stderr, "; above it: %ld", s->skipped_above);
        if (s->skipped_blank)
            fprintf(stderr, "; blank rows: %ld", s->skipped_blank);
        if (s->skipped_footer)
            fprintf(stderr, "; footer rows: %ld", s->skipped_footer);
        fputc('\n', stderr);
    }
    if (s->header_rows > 1)
        fprintf(stderr, "  header: %d rows\n", s->header_rows);
    if (s->header_repeats)
        fprintf(stderr,
                "  the header row again %ld time%s in the data (files joined?): "
                "skipped\n",
                s->header_repeats, s->header_repeats == 1 ? "" : "s");
    for (size_t i = 0; i < s->ncols; i++) {
        char buf[32];
        const char *f = dc_header_target(&s->map[i], buf, sizeof buf);
        fprintf(stderr, "  column %zu '%s' -> %s (%s)\n", i + 1,
                dc_cmd_esc(s->headers[i], eh, sizeof eh), f ? f : "(extra)",
                dc_header_how_name(s->map[i].how));
    }
}

/* What the mapping could not do, said whatever --quiet: a person field without a column
 * (and the columns nobody took, where it may be), and the rows the mapping found wanting.
 * Returns 1 when there was something to say. */
static int
print_findings(const char *path, const struct dc_import_summary *s)
{
    static char ep[ESC_MAX], eh[ESC_MAX];
    int any = 0;

    path = dc_cmd_esc(path, ep, sizeof ep);
    if (s->duplicate_of)
        return 0;
    if (s->nmissing) {
        size_t shown = 0;
        fprintf(stderr, "dancu import: %s: no column for: %s\n", path, s->missing);
        for (size_t i = 0; i < s->ncols; i++) {
            if (s->map[i].field >= 0)
                continue;
            if (!shown++)
                fprintf(stderr, "dancu import: %s: unmapped columns: ", path);
            fprintf(stderr, "%s'%s'", shown > 1 ? ", " : "",
                    dc_cmd_esc(s->headers[i], eh, sizeof eh));
        }
        if (shown)
            fprintf(stderr, " (name them with --map FILE)\n");
        any = 1;
    }
    if (s->split_both) {
        fprintf(stderr,
                "dancu import: %s:%ld: Nam and Nữ columns both filled on %ld row%s (first "
                "here): sex and birth date left empty, both values kept in extra\n",
                path, s->split_both_line, s->split_both, s->split_both == 1 ? "" : "s");
        any = 1;
    }
    if (s->split_none) {
        fprintf(stderr,
                "dancu import: %s:%ld: Nam and Nữ columns both empty on %ld row%s (first "
                "here): no sex\n",
                path, s->split_none_line, s->split_none, s->split_none == 1 ? "" : "s");
        any = 1;
    }
    /* a corrected extract beside the one it corrects: both are now in the DB */
    if (s->overlap_batch && s->overlap_rows >= 2 && 2 * s->overlap_rows >= s->imported) {
        fprintf(stderr,
                "dancu import: %s: %ld of %ld rows equal rows of batch %lld of source '%s': "
                "a corrected extract? both are kept now; import --replace replaces the "
                "earlier batches of the source\n",
                path, s->overlap_rows, s->imported, s->overlap_batch, s->source);
        any = 1;
    }
    if (s->id_conflict) {
        fprintf(stderr,
                "dancu import: %s:%ld: ID columns disagree on %ld row%s (first here): the "
                "first ID of each kind kept, a second 12-digit one as the CMND when there is "
                "none (crosscheck: CMND_ID12_DIFFERS), the rest in extra\n",
                path, s->id_conflict_line, s->id_conflict, s->id_conflict == 1 ? "" : "s");
        any = 1;
    }
    return any;
}

static void
print_json(struct dc_ctx *ctx, const char *path, const struct dc_import_summary *s)
{
    struct dc_buf b = DC_BUF_INIT;

    dc_buf_puts(&b, "{\"file\": ");
    dc_json_str(&b, path);
    dc_buf_puts(&b, ", \"source\": ");
    dc_json_str(&b, s->source);
    dc_buf_printf(&b, ", \"batch\": %lld, \"duplicate_of\": %lld", s->batch_id, s->duplicate_of);
    dc_buf_printf(&b, ", \"rows_read\": %ld, \"imported\": %ld, \"rejected\": %ld", s->rows_read,
                  s->imported, s->rejected);
    dc_buf_printf(&b,
                  ", \"skipped\": {\"above_header\": %ld, \"blank\": %ld, \"footer\": %ld}, "
                  "\"header_row\": %ld, \"kind\": \"%s\"",
                  s->skipped_above, s->skipped_blank, s->skipped_footer, s->header_row, s->kind);
    if (s->sheet[0]) {
        dc_buf_puts(&b, ", \"sheet\": ");
        dc_json_str(&b, s->sheet);
    }
    dc_buf_puts(&b, ", \"encoding\": ");
    dc_json_str(&b, s->encoding);
    dc_buf_printf(&b, ", \"confidence\": %.2f, \"sha256\": \"%s\", \"columns\": [", s->confidence,
                  s->sha256);
    for (size_t i = 0; i < s->ncols; i++) {
        dc_buf_puts(&b, i ? ", {\"header\": " : "{\"header\": ");
        dc_json_str(&b, s->headers[i]);
        char buf[32];
        dc_buf_puts(&b, ", \"field\": ");
        dc_json_str(&b, dc_header_target(&s->map[i], buf, sizeof buf));
        dc_buf_puts(&b, ", \"how\": ");
        dc_json_str(&b, dc_header_how_name(s->map[i].how));
        dc_buf_putc(&b, '}');
    }
    dc_buf_printf(&b, "], \"header_rows\": %d, \"missing\": ", s->header_rows);
    dc_json_str(&b, s->missing);
    dc_buf_printf(&b, ", \"split_both\": %ld, \"split_none\": %ld, \"id_conflict\": %ld}\n",
                  s->split_both, s->split_none, s->id_conflict);
    fputs(dc_buf_str(&b), ctx->out);
    dc_buf_release(&b);
}

int
cmd_import(struct dc_ctx *ctx, int argc, char **argv)
{
    enum {
        O_SOURCE = 256,
        O_ENC,
        O_DELIM,
        O_MAP,
        O_FORCE,
        O_MAXF,
        O_MAXB,
        O_JSON,
        O_SHEET,
        O_HDR,
        O_REPLACE
    };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"source", required_argument, NULL, O_SOURCE},
                                         {"encoding", required_argument, NULL, O_ENC},
                                         {"delimiter", required_argument, NULL, O_DELIM},
                                         {"map", required_argument, NULL, O_MAP},
                                         {"force", no_argument, NULL, O_FORCE},
                                         {"max-field", required_argument, NULL, O_MAXF},
                                         {"max-bytes", required_argument, NULL, O_MAXB},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"sheet", required_argument, NULL, O_SHEET},
                                         {"header-row", required_argument, NULL, O_HDR},
                                         {"replace", no_argument, NULL, O_REPLACE},
                                         {NULL, 0, NULL, 0}};
    static const char *const encodings[] = {"auto",  "utf-8", "utf-16", "cp1258",
                                            "tcvn3", "vni",   "viscii"};
    struct dc_import_opts o = {0};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_mapfile *map = NULL;
    struct dc_db *db = NULL;
    const char *map_path = NULL;
    int ch, json = 0, status = 0;
    unsigned long long v;

    o.csv.encoding = "auto";
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case O_SOURCE: {
            const char *why = dc_import_source_check(optarg);
            if (why)
                return dc_cmd_usage_error(ctx, "--source: %s", why);
            o.source = optarg;
            break;
        }
        case O_ENC: {
            int ok = 0;
            for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++)
                ok |= strcmp(optarg, encodings[i]) == 0;
            if (!ok)
                return dc_cmd_usage_error(ctx, "unknown encoding '%s'", optarg);
            o.csv.encoding = optarg;
            break;
        }
        case O_DELIM:
            if (strcmp(optarg, "auto") == 0)
                o.csv.delimiter = 0;
            else if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0)
                o.csv.delimiter = '\t';
            else if (strlen(optarg) == 1 && strchr(",;|\t", optarg[0]))
                o.csv.delimiter = optarg[0];
            else
                return dc_cmd_usage_error(ctx, "delimiter must be auto, ',', ';', tab or '|'");
            break;
        case O_MAP:
            map_path = optarg;
            break;
        case O_REPLACE:
            o.replace = 1;
            break;
        case O_FORCE:
            o.force = 1;
            break;
        case O_MAXF:
            if (dc_cmd_parse_size(optarg, &v) < 0 || v > (1u << 30))
                return dc_cmd_usage_error(ctx, "--max-field wants a size up to 1G");
            o.csv.max_field = (size_t)v;
            break;
        case O_MAXB:
            if (dc_cmd_parse_size(optarg, &v) < 0)
                return dc_cmd_usage_error(ctx, "--max-bytes wants a size such as 500M");
            o.csv.max_bytes = v;
            break;
        case O_JSON:
            json = 1;
            break;
        case O_SHEET:
            if (!optarg[0])
                return dc_cmd_usage_error(ctx, "--sheet wants a sheet name or number");
            o.sheet = optarg;
            break;
        case O_HDR: {
            char *end;
            long n = strtol(optarg, &end, 10);

            if (*end || end == optarg || n < 1 || n > 10000)
                return dc_cmd_usage_error(ctx, "--header-row wants a row number from 1 to 10000");
            o.header_row = n;
            break;
        }
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    if (argc - optind < 2)
        return dc_cmd_usage_error(ctx, "expected DB and at least one FILE");
    if (map_path && dc_header_mapfile_load(map_path, &map, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_db_open(argv[optind], DC_DB_WRITE, &db, &err) < 0) {
        dc_header_mapfile_free(map);
        return dc_cmd_fail(ctx, &err);
    }
    o.map = map;
    o.now_iso = ctx->now_iso;
    for (int i = optind + 1; i < argc; i++) {
        struct dc_import_summary s;
        struct progress p = {isatty(2) && !ctx->quiet, time(NULL), argv[i]};
        o.progress = p.on ? show_progress : NULL;
        o.progress_ud = &p;
        dc_error_clear(&err);
        int rc = dc_import_file(db, argv[i], &o, &s, &err);
        if (p.on)
            fputs("\r\033[K", stderr);
        if (rc < 0) {
            int st = dc_cmd_fail(ctx, &err);
            if (st == DC_EX_IOERR || st == DC_EX_TEMPFAIL || st == DC_EX_OSERR) {
                dc_import_summary_release(&s);
                status = st;
                break; /* the DB or the machine is in trouble: stop */
            }
            if (status == 0 || status == DC_FINDINGS)
                status = st;
        } else {
            if (!ctx->quiet)
                print_summary(argv[i], &s);
            if (print_findings(argv[i], &s) && status == 0)
                status = DC_FINDINGS;
            print_rejects(ctx, db, argv[optind], argv[i], &s);
            if (json)
                print_json(ctx, argv[i], &s);
            if (s.rejected && status == 0)
                status = DC_FINDINGS;
        }
        dc_import_summary_release(&s);
    }
    if (dc_db_close(db, &err) < 0 && status == 0)
        status = dc_cmd_fail(ctx, &err);
    dc_header_mapfile_free(map);
    return status;
}
