/*
 * main.c - the dancu command table, global options and dispatch.
 *
 * After a command returns, stdout is flushed and closed here and a failure
 * becomes exit 74 (git's run_builtin): a full disk is never silent.
 * Not for: option parsing of a subcommand (its own file does that).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd.h"
#include "../core/vndate.h"

/* Sorted by name; `dancu help` prints it in this order. */
const struct dc_cmd dc_commands[] = {
    {"crosscheck", cmd_crosscheck, "check records against the ID card rules and the law",
     dc_usage_crosscheck},
    {"dedup", cmd_dedup, "find the records of the same person and cluster them", dc_usage_dedup},
    {"export", cmd_export, "write records, findings, clusters, rejects or changes",
     dc_usage_export},
    {"id", cmd_id, "check 12-digit ID numbers and old CMND numbers", dc_usage_id},
    {"import", cmd_import, "read CSV/TSV extracts (any encoding, .gz, stdin) into the DB",
     dc_usage_import},
    {"init", cmd_init, "create or upgrade a staging database", dc_usage_init},
    {"mrz", cmd_mrz, "check the machine readable zone of ID cards (ICAO 9303 TD1)", dc_usage_mrz},
    {"normalize", cmd_normalize, "names, dates, sex, IDs and addresses to canonical form",
     dc_usage_normalize},
    {"qr", cmd_qr, "check the QR payload of ID cards", dc_usage_qr},
    {"refdata", cmd_refdata, "load the administrative-unit and code catalogues", dc_usage_refdata},
    {"report", cmd_report, "write a self-contained HTML data-quality report", dc_usage_report},
    {"stats", cmd_stats, "print the numbers of a staging database (text or JSON)", dc_usage_stats},
    {"synth", cmd_synth, "generate a synthetic population and its dirty source files",
     dc_usage_synth},
};
const int dc_ncommands = (int)(sizeof dc_commands / sizeof dc_commands[0]);

static const char main_usage[] =
    "usage: dancu [--quiet] [--verbose] [--now DATE] [--progress] [--threads N] COMMAND [ARGS]\n"
    "       (global options may also follow COMMAND, anywhere before a '--')\n"
    "       dancu help [COMMAND]\n"
    "       dancu --version\n"
    "\n"
    "Cleans Vietnamese population-registry extracts into one de-duplicated,\n"
    "checked staging database (SQLite).\n"
    "\n"
    "Global options:\n"
    "  -q, --quiet      no progress and no summary on stderr\n"
    "  -v, --verbose    messages may show the values of fields (personal data)\n"
    "      --now DATE   take DATE (YYYY-MM-DD) as today; also SOURCE_DATE_EPOCH\n"
    "      --progress   progress lines also when stderr is no terminal (cron logs)\n"
    "      --threads N  threads a stage runs in all (normalize, crosscheck, dedup);\n"
    "                   default: the cores it may use; results do not depend on it\n"
    "  -h, --help       this help\n"
    "  -V, --version    print the version\n"
    "\n"
    "Commands:\n";

void
dc_cmd_put_escaped(const char *s, FILE *fp)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F)
            fprintf(fp, "\\x%02X", c);
        else
            fputc(c, fp);
    }
}

const char *
dc_cmd_esc(const char *s, char *buf, size_t size)
{
    size_t k = 0;

    if (!strpbrk(s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
                    "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"))
        return s;
    for (; *s && k + 5 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F)
            k += (size_t)snprintf(buf + k, size - k, "\\x%02X", c);
        else
            buf[k++] = (char)c;
    }
    buf[k] = '\0';
    return buf;
}

/* "dancu CMD: " + the message, its control characters escaped (a file name or a value
 * holding a line break or an escape sequence cannot forge or hide a line), + '\n'. */
static void
put_line(struct dc_ctx *ctx, const char *fmt, va_list ap)
{
    char buf[1024];

    vsnprintf(buf, sizeof buf, fmt, ap);
    fprintf(stderr, "dancu %s: ", ctx->cmd);
    dc_cmd_put_escaped(buf, stderr);
    fputc('\n', stderr);
}

void
dc_cmd_errorf(struct dc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    put_line(ctx, fmt, ap);
    va_end(ap);
}

int
dc_cmd_fail(struct dc_ctx *ctx, const struct dc_error *err)
{
    char buf[1024];

    dc_error_format(err, buf, sizeof buf);
    dc_cmd_errorf(ctx, "%s", buf);
    return err->status ? (int)err->status : DC_EX_SOFTWARE;
}

int
dc_cmd_usage_error(struct dc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    put_line(ctx, fmt, ap);
    va_end(ap);
    fprintf(stderr, "usage: see 'dancu %s --help'\n", ctx->cmd);
    return DC_EX_USAGE;
}

int
dc_cmd_bad_option(struct dc_ctx *ctx, char **argv)
{
    const char *opt = optind > 0 ? argv[optind - 1] : "";

    if (strncmp(opt, "--", 2) == 0)
        return dc_cmd_usage_error(ctx, "option '%.*s' is unknown or needs a value",
                                  (int)strcspn(opt, "="), opt);
    return dc_cmd_usage_error(ctx, "option '-%c' is unknown or needs a value", optopt);
}

static const struct dc_cmd *
find_cmd(const char *name)
{
    for (int i = 0; i < dc_ncommands; i++)
        if (strcmp(dc_commands[i].name, name) == 0)
            return &dc_commands[i];
    return NULL;
}

int
dc_cmd_help(struct dc_ctx *ctx)
{
    const struct dc_cmd *c = find_cmd(ctx->cmd);

    if (c)
        fputs(c->usage, ctx->out);
    return 0;
}

/* cmd.h */
int
dc_cmd_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    unsigned long long v;
    int sh = 0;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    if (*end == 'K' || *end == 'k')
        sh = 10, end++;
    else if (*end == 'M' || *end == 'm')
        sh = 20, end++;
    else if (*end == 'G' || *end == 'g')
        sh = 30, end++;
    if (*end || v == 0 || v > (~0ull >> sh))
        return -1;
    *out = v << sh;
    return 0;
}

int
dc_cmd_wants_help(struct dc_ctx *ctx, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            dc_cmd_help(ctx);
            return 1;
        }
    }
    return 0;
}

static void
print_main_help(FILE *fp)
{
    fputs(main_usage, fp);
    for (int i = 0; i < dc_ncommands; i++)
        fprintf(fp, "  %-11s  %s\n", dc_commands[i].name, dc_commands[i].summary);
    fputs("\nSee 'dancu help COMMAND' for the options of one command.\n"
          "Exit status: 0 done; 1 findings at or above --fail-on; 64 usage; 65 bad input data;\n"
          "66 input missing; 73 cannot create output; 74 I/O error; 75 database busy.\n",
          fp);
}

/* --now / SOURCE_DATE_EPOCH / the clock, in that order (deterministic tests). */
static int
set_today(struct dc_ctx *ctx, const char *now_opt)
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof tm);
    if (now_opt) {
        struct dc_date d;
        /* YYYY-MM-DD exactly, a day the calendar has (vndate: one home for calendar
         * validity); timegm would roll 2026-02-31 over to 2026-03-03, and sscanf's
         * "%4d-%2d-%2d" took " 2026-2-+3" */
        if (dc_date_parse_iso(now_opt, &d) < 0 || d.precision != DC_DATE_DAY)
            return -1;
        tm.tm_year = d.year - 1900;
        tm.tm_mon = d.month - 1;
        tm.tm_mday = d.day;
        t = timegm(&tm);
    } else {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        char *end;
        if (sde && *sde) {
            errno = 0;
            long long v = strtoll(sde, &end, 10);
            if (errno || *end || v < 0)
                return -1;
            t = (time_t)v;
        } else {
            t = time(NULL);
        }
    }
    if (!gmtime_r(&t, &tm))
        return -1;
    ctx->now = (long long)t;
    strftime(ctx->today, sizeof ctx->today, "%Y-%m-%d", &tm);
    strftime(ctx->now_iso, sizeof ctx->now_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 0;
}

/* --threads N: 1..256 (the stage caps it at what it can use). */
static int
parse_threads(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 256)
        return -1;
    *out = (int)v;
    return 0;
}

/* Global options after the command name (`dancu init q.db --quiet`, as a nightly script
 * is often written): taken out of the command's words, up to a "--", and applied as if
 * they came first.  A command's own options have other names, so nothing is taken from
 * it; only a value spelled exactly like a global option ("--opt -q") would be, and
 * "--opt=-q" keeps it.  Returns the new argc; -1 when --now lacks its value,
 * -2 when --threads lacks a good one. */
static int
hoist_globals(struct dc_ctx *ctx, int argc, char **argv, const char **now_opt)
{
    int k = 1, i = 1;

    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            ctx->quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            ctx->verbose = 1;
        } else if (strcmp(a, "--progress") == 0) {
            ctx->progress = 1;
        } else if (strncmp(a, "--threads=", 10) == 0) {
            if (parse_threads(a + 10, &ctx->threads) < 0)
                return -2;
        } else if (strcmp(a, "--threads") == 0) {
            if (i + 1 >= argc || parse_threads(argv[++i], &ctx->threads) < 0)
                return -2;
        } else if (strncmp(a, "--now=", 6) == 0) {
            *now_opt = a + 6;
        } else if (strcmp(a, "--now") == 0) {
            if (i + 1 >= argc)
                return -1;
            *now_opt = argv[++i];
        } else {
            argv[k++] = argv[i];
        }
    }
    for (; i < argc; i++)
        argv[k++] = argv[i];
    argv[k] = NULL;
    return k;
}

/* git's run_builtin: a result that could not be written is an error. */
static int
finish_stdout(struct dc_ctx *ctx, int status)
{
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        if (errno == EPIPE)
            return status;
        fprintf(stderr, "dancu %s: cannot write output: %s\n", ctx->cmd, strerror(errno));
        /* 1 (findings, rejects) says the results are there: they are not */
        return status == 0 || status == DC_FINDINGS ? DC_EX_IOERR : status;
    }
    return status;
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},          {"version", no_argument, NULL, 'V'},
        {"quiet", no_argument, NULL, 'q'},         {"verbose", no_argument, NULL, 'v'},
        {"now", required_argument, NULL, 'N'},     {"progress", no_argument, NULL, 'P'},
        {"threads", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0}};
    struct dc_ctx ctx = {.cmd = "", .out = stdout};
    const char *now_opt = NULL;
    const struct dc_cmd *c;
    int ch;

    /* SQLite's memory statistics take a global mutex on every allocation;
     * dancu never reads them (normalize of 20k records: 3% of its
     * instructions).  Must come before SQLite initialises. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    opterr = 0;
    /* '+': stop at the first non-option, the command name (git, sqlite3). */
    while ((ch = getopt_long(argc, argv, "+hVqv", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            print_main_help(stdout);
            return finish_stdout(&ctx, 0);
        case 'V':
            printf("dancu %s\n", DC_VERSION);
            return finish_stdout(&ctx, 0);
        case 'q':
            ctx.quiet = 1;
            break;
        case 'v':
            ctx.verbose = 1;
            break;
        case 'N':
            now_opt = optarg;
            break;
        case 'P':
            ctx.progress = 1;
            break;
        case 'T':
            if (parse_threads(optarg, &ctx.threads) < 0) {
                fputs("dancu: --threads wants a number 1..256\n", stderr);
                return DC_EX_USAGE;
            }
            break;
        default:
            fprintf(stderr, "dancu: unknown option '%s'; see 'dancu --help'\n", argv[optind - 1]);
            return DC_EX_USAGE;
        }
    }
    if (optind < argc && strcmp(argv[optind], "help") != 0 && find_cmd(argv[optind])) {
        int n = hoist_globals(&ctx, argc - optind, argv + optind, &now_opt);
        if (n == -2) {
            fputs("dancu: --threads wants a number 1..256\n", stderr);
            return DC_EX_USAGE;
        }
        if (n < 0) {
            fputs("dancu: --now needs a date (YYYY-MM-DD)\n", stderr);
            return DC_EX_USAGE;
        }
        argc = optind + n;
    }
    if (set_today(&ctx, now_opt) < 0) {
        if (now_opt)
            fprintf(stderr, "dancu: --now '%s' is not a day of the calendar written YYYY-MM-DD\n",
                    now_opt);
        else
            fputs("dancu: bad SOURCE_DATE_EPOCH (want seconds since 1970)\n", stderr);
        return DC_EX_USAGE;
    }
    if (optind >= argc) {
        print_main_help(stderr);
        return DC_EX_USAGE;
    }
    if (strcmp(argv[optind], "help") == 0) {
        if (optind + 1 >= argc) {
            print_main_help(stdout);
            return finish_stdout(&ctx, 0);
        }
        c = find_cmd(argv[optind + 1]);
        if (!c) {
            fprintf(stderr, "dancu: '%s' is not a dancu command; see 'dancu --help'\n",
                    argv[optind + 1]);
            return DC_EX_USAGE;
        }
        fputs(c->usage, stdout);
        return finish_stdout(&ctx, 0);
    }
    c = find_cmd(argv[optind]);
    if (!c) {
        fprintf(stderr, "dancu: '%s' is not a dancu command; see 'dancu --help'\n", argv[optind]);
        return DC_EX_USAGE;
    }
    ctx.cmd = c->name;
    optind++;
    /* Commands parse their own options from argv[0] = the command name. */
    int sub_argc = argc - optind + 1;
    char **sub_argv = argv + optind - 1;
    optind = 0; /* reset getopt (glibc: 0 also re-initialises) */
    opterr = 0; /* commands report bad options in one line: dc_cmd_bad_option */
    int status = c->run(&ctx, sub_argc, sub_argv);
    return finish_stdout(&ctx, status);
}
