/*
 * export.c - `dancu export DB --what ...`: write a staging table out for the next system,
 * with a manifest beside it; `dancu export --verify FILE` checks a file against it.
 *
 * Not for: the encodings, pseudonyms and atomic writes (core/export.c) or the manifest
 * format (core/manifest.c).  Output rules: DESIGN.md, research/ecosystem.md §1a (-o FILE
 * written atomically, "-" = stdout, .gz by name), reliability.md §3.2 (0600, pseudonyms).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../core/export.h"
#include "../core/json.h"
#include "../core/manifest.h"
#include "../core/util/atomic.h"

#ifndef DC_VERSION
#define DC_VERSION "0.0.0-dev"
#endif

const char dc_usage_export[] =
    "usage: dancu export DB --what records|findings|clusters|pairs|rejects|changes|\n"
    "                              worklist[,...]\n"
    "                    [--format csv|jsonl|pgcopy|sql|xlsx] [-o FILE|-] [--excel]\n"
    "                    [--delimiter D] [--survivors [--prefer SOURCE,...]]\n"
    "                    [--pseudonymize KEYFILE] [--mode 0640]\n"
    "       dancu export --verify FILE\n"
    "\n"
    "Write one table of the staging database DB, sorted by stable keys (source,\n"
    "src_row, ...), so that the same DB always gives the same bytes.\n"
    "\n"
    "  records   one row per person: record_id, source, src_row, cluster_id (empty\n"
    "            before dedup), names, dob, dob_precision, sex, id12, cmnd, ethnic,\n"
    "            pre-2025 and 2025 unit codes, address_detail, then src_file,\n"
    "            src_line, ethnic_code, issue_date, expiry_date, addr_confidence,\n"
    "            addr_reason, dob_raw, address_raw, *_name of each code, addr_era\n"
    "  findings  crosscheck findings with the record's source and src_row\n"
    "  clusters  cluster_id, record_id, source, src_row\n"
    "  pairs     the dedup review pairs: a and b with their source and src_row,\n"
    "            weight, prob, gamma\n"
    "  rejects   rows import could not read, with the raw bytes\n"
    "  changes   normalize's changes of substance (count 1); first in each\n"
    "            source, the format-only ones it counted: rule, count\n"
    "  worklist  what a clerk prints: one row per person with findings at warning or\n"
    "            above, by commune, file and line, with the codes and messages\n"
    "\n"
    "Options:\n"
    "  --what W            the table (required); xlsx takes several, one sheet each:\n"
    "                      --what records,findings,clusters (or --what repeated)\n"
    "  --format F          csv (RFC 4180, UTF-8, LF; default), jsonl, pgcopy\n"
    "                      (PostgreSQL COPY text), sql (INSERTs) or xlsx (a workbook:\n"
    "                      IDs and codes as text, header frozen); pgcopy and sql to a\n"
    "                      file also write FILE.schema.sql.  Without --format, -o's\n"
    "                      extension (.csv .jsonl .copy .sql .xlsx) says it\n"
    "  -o, --output FILE   write FILE (default '-', stdout); a name ending in .gz is\n"
    "                      gzip'd.  FILE is written to a temp file and renamed, mode\n"
    "                      0600, with FILE.manifest.json beside it (version, command,\n"
    "                      rows, batches, size, SHA-256)\n"
    "  --excel             CSV for Excel: UTF-8 BOM, CRLF, a ' before cells that\n"
    "                      start with = + - @ (formula injection; changes such data),\n"
    "                      and IDs, codes and dates written =\"001090012345\" so that\n"
    "                      Excel keeps them as text with their zeros\n"
    "  --delimiter D       CSV field separator: , (default) ; | or tab; Excel in a\n"
    "                      Vietnamese locale expects ;\n"
    "  --survivors         records: one golden record per cluster; per field the\n"
    "                      most informative value (diacritics over none, a full dob\n"
    "                      over year-only), then the majority, then the preferred\n"
    "                      record's; adds contributing_record_ids and taken_from\n"
    "  --prefer SRC,...    --survivors: the sources to trust first, in order\n"
    "  --pseudonymize KEY  replace id12, cmnd and the names by keyed HMAC-SHA-256\n"
    "                      tokens \"p_\" + 16 hex digits (the same key gives the same\n"
    "                      tokens); KEY is a file of at least 16 bytes, e.g.\n"
    "                      'head -c 32 /dev/urandom > KEY'\n"
    "  --mode 0640         make FILE and its side files group-readable once complete\n"
    "                      (default 0600); see docs/national-load.md\n"
    "  --verify FILE       check FILE against FILE.manifest.json (size, SHA-256, rows)\n"
    "  --allow-stale       export although files were imported after the last normalize\n"
    "\n"
    "Exit status: 0 done (verify: file intact); 64 usage; 65 verify: file differs\n"
    "from its manifest, or files were imported after the last normalize (all but\n"
    "--what rejects); 66 DB or file missing; 73 cannot create output (or it is\n"
    "the database); 74 write error; 77 no permission (reading needs write access\n"
    "to DB and its folder, for SQLite's -shm file).\n";

static int
ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *
side_path(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", path, suffix);
    return s;
}

/* The temp files to remove if SIGINT/SIGTERM/SIGHUP arrives mid-export (data, schema,
 * manifest).  Only temp files: a final name is never touched by the handler, so the
 * previous export stays whole (issue 19: an interrupt while the manifest was written
 * deleted the previous set's manifest and schema).  unlink(2) is async-signal-safe. */
static const char *volatile cleanup[3];

static void
on_signal(int sig)
{
    for (int i = 0; i < 3; i++)
        if (cleanup[i])
            unlink(cleanup[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
catch_signals(void (*fn)(int))
{
    signal(SIGINT, fn);
    signal(SIGTERM, fn);
    signal(SIGHUP, fn);
}

/* Block (how = SIG_BLOCK) or deliver (SIG_UNBLOCK) the three signals around the renames. */
static void
mask_signals(int how)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(how, &set, NULL);
}

/* A whole small side file (schema, manifest) into its temp file, closed, not renamed. */
static int
side_begin(struct dc_atomic_file *f, const char *path, const char *data, int slot,
           struct dc_error *err)
{
    size_t len = strlen(data);

    /* held back between mkstemp and cleanup[]: a signal there would leave the temp file */
    mask_signals(SIG_BLOCK);
    int rc = dc_atomic_begin(f, path, err);
    cleanup[slot] = f->tmp;
    mask_signals(SIG_UNBLOCK);
    if (rc < 0)
        return -1;
    if (fwrite(data, 1, len, f->fp) != len)
        return dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", path, strerror(errno));
    return dc_atomic_close(f, err);
}

/* The output, or a side file written beside it, would land on the database (issue 19). */
static int
own_file(const char *db, const char *output)
{
    static const char *const sides[] = {"", ".manifest.json", ".schema.sql"};
    int own = 0;

    for (size_t i = 0; i < sizeof sides / sizeof sides[0] && !own; i++) {
        char *p = side_path(output, sides[i]);
        own = !p || dc_db_path_is_own(db, p);
        free(p);
    }
    return own;
}

static int
verify(struct dc_ctx *ctx, const char *path)
{
    struct dc_error err = DC_ERROR_INIT;

    if (dc_manifest_verify(path, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (!ctx->quiet)
        fprintf(stderr, "dancu export: %s: matches its manifest (size, SHA-256, rows)\n", path);
    return 0;
}

/* Write data, schema and manifest, each to a temp file beside its final name; then, with
 * SIGINT/SIGTERM/SIGHUP held back, remove the old manifest, rename the schema and the data,
 * and rename the manifest last.  A manifest therefore never describes other data than the
 * file beside it (issue 19: a kill between the renames left old data with a new manifest):
 * a kill before the renames leaves the previous set whole, one in the middle (SIGKILL
 * only) leaves the new data without a manifest, which --verify reports as missing.  Temp
 * files are removed on failure and on those signals, and by the next export of the same
 * name after a SIGKILL (core/export.c). */
static int
to_file(struct dc_ctx *ctx, struct dc_db *db, const struct dc_export_opts *o, const char *path,
        const char *command, long long *rows, struct dc_error *err)
{
    struct dc_atomic_file f, fs, fm;
    struct dc_manifest_info mi;
    char *schema_path = NULL, *manifest_path = NULL, *schema = NULL, *json = NULL;
    char created[32];
    int have_fs = 0, have_fm = 0, masked = 0, ret = -1;
    struct tm tm;
    time_t t = (time_t)ctx->now;

    catch_signals(on_signal);
    mask_signals(SIG_BLOCK);
    if (dc_atomic_begin(&f, path, err) < 0) {
        mask_signals(SIG_UNBLOCK);
        catch_signals(SIG_DFL);
        return -1;
    }
    cleanup[0] = f.tmp;
    mask_signals(SIG_UNBLOCK);
    if (dc_export_write(db, o, f.fp, rows, err) < 0 || dc_atomic_close(&f, err) < 0)
        goto out;
    if (f.direct) {
        /* a device or pipe: nothing to rename, no place for side files */
        ret = 0;
        goto out;
    }
    memset(&mi, 0, sizeof mi);
    /* hashed while written (dc_atomic_close): no second pass over the file */
    memcpy(mi.sha256, f.sha256, sizeof mi.sha256);
    mi.bytes = f.bytes;
    if (!gmtime_r(&t, &tm) || strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(created, sizeof created, "%s", ctx->today);
    manifest_path = side_path(path, ".manifest.json");
    if (o->format == DC_EXPORT_PGCOPY || o->format == DC_EXPORT_SQL)
        schema_path = side_path(path, ".schema.sql");
    if (!manifest_path ||
        ((o->format == DC_EXPORT_PGCOPY || o->format == DC_EXPORT_SQL) && !schema_path)) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto out;
    }
    if (schema_path) {
        schema = dc_export_schema_sql(o, err);
        if (!schema)
            goto out;
        have_fs = 1;
        if (side_begin(&fs, schema_path, schema, 1, err) < 0)
            goto out;
    }
    mi.version = DC_VERSION;
    mi.command = command;
    mi.created = created;
    mi.file = path;
    mi.schema_file = schema_path;
    mi.opts = o;
    mi.rows = *rows;
    json = dc_manifest_build(db, &mi, err);
    if (!json)
        goto out;
    have_fm = 1;
    if (side_begin(&fm, manifest_path, json, 2, err) < 0)
        goto out;
    /* every byte is on disk: now the renames, which a signal must not split */
    mask_signals(SIG_BLOCK);
    masked = 1;
    if (unlink(manifest_path) != 0 && errno != ENOENT) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot replace: %s", manifest_path,
                     strerror(errno));
        goto out;
    }
    if ((have_fs && dc_atomic_commit(&fs, err) < 0) || dc_atomic_commit(&f, err) < 0 ||
        dc_atomic_commit(&fm, err) < 0)
        goto out;
    ret = 0;
out:
    cleanup[0] = cleanup[1] = cleanup[2] = NULL;
    dc_atomic_abort(&f); /* removes the temp file unless renamed */
    if (have_fs)
        dc_atomic_abort(&fs);
    if (have_fm)
        dc_atomic_abort(&fm);
    if (masked)
        mask_signals(SIG_UNBLOCK); /* a signal held back is delivered here */
    catch_signals(SIG_DFL);
    free(schema);
    free(json);
    free(schema_path);
    free(manifest_path);
    return ret;
}

/* --mode 0640: the set (data, schema, manifest) made group-readable once it is in place,
 * for a hand-over through a group folder (docs/national-load.md).  Created 0600 as ever,
 * so nothing is readable by the group before it is complete; a device or pipe is left
 * alone. */
static int
set_mode(const char *path, unsigned mode, struct dc_error *err)
{
    static const char *const sides[] = {"", ".schema.sql", ".manifest.json"};
    struct stat sb;

    if (mode == 0600 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        char *p = side_path(path, sides[i]);
        if (!p)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        int rc = chmod(p, (mode_t)mode);
        int e = errno;
        free(p);
        if (rc != 0 && !(i == 1 && e == ENOENT))
            return dc_error_set(err, DC_EX_CANTCREAT, "%s%s: cannot set mode %03o: %s", path,
                                sides[i], mode, strerror(e));
    }
    return 0;
}

int
cmd_export(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"what", required_argument, NULL, 'w'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"excel", no_argument, NULL, 'x'},
                                         {"survivors", no_argument, NULL, 's'},
                                         {"pseudonymize", required_argument, NULL, 'p'},
                                         {"verify", required_argument, NULL, 'V'},
                                         {"delimiter", required_argument, NULL, 'd'},
                                         {"prefer", required_argument, NULL, 'P'},
                                         {"mode", required_argument, NULL, 'M'},
                                         {"allow-stale", no_argument, NULL, 'A'},
                                         {NULL, 0, NULL, 0}};
    static char outbuf[1 << 20];
    static unsigned char key[DC_EXPORT_KEY_MAX];
    struct dc_error err = DC_ERROR_INIT;
    struct dc_export_opts o;
    struct dc_db *db = NULL;
    struct dc_buf cmdline = DC_BUF_INIT;
    const char *what = NULL, *format = NULL, *output = "-", *keyfile = NULL, *check = NULL;
    const char *delim = NULL, *mode_opt = NULL;
    unsigned mode = 0600;
    enum dc_export_format by_name;
    long long rows = 0;
    int ch, status = 0, allow_stale = 0;

    memset(&o, 0, sizeof o);
    /* the command line as typed, for the manifest: getopt_long reorders argv */
    dc_buf_puts(&cmdline, "dancu");
    for (int i = 0; i < argc; i++) {
        dc_buf_putc(&cmdline, ' ');
        dc_buf_puts(&cmdline, argv[i]);
    }
    while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            status = dc_cmd_help(ctx);
            goto out;
        case 'w':
            what = optarg;
            if (dc_export_whats_parse(optarg, &o, &err) < 0) {
                status = dc_cmd_usage_error(ctx, "%s", err.msg);
                goto out;
            }
            break;
        case 'd':
            delim = optarg;
            break;
        case 'P':
            o.prefer = optarg;
            break;
        case 'M':
            mode_opt = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'x':
            o.excel = 1;
            break;
        case 's':
            o.survivors = 1;
            break;
        case 'p':
            keyfile = optarg;
            break;
        case 'V':
            check = optarg;
            break;
        case 'A':
            allow_stale = 1;
            break;
        default:
            status = dc_cmd_bad_option(ctx, argv);
            goto out;
        }
    }
    if (check) {
        if (argc - optind != 0 || what)
            status = dc_cmd_usage_error(ctx, "--verify takes the file only");
        else
            status = verify(ctx, check);
        goto out;
    }
    if (argc - optind != 1) {
        status = dc_cmd_usage_error(ctx, "expected one argument, the database path");
        goto out;
    }
    if (!what) {
        status = dc_cmd_usage_error(ctx, "--what is required (records, findings, clusters, "
                                         "pairs, rejects, changes or worklist)");
        goto out;
    }
    if (format && dc_export_format_parse(format, &o.format, &err) < 0) {
        status = dc_cmd_usage_error(ctx, "%s", err.msg);
        goto out;
    }
    /* the name says the format when --format does not; never CSV under an .xlsx name */
    if (strcmp(output, "-") != 0 && dc_export_format_of_path(output, &by_name) == 0) {
        if (format && by_name != o.format) {
            status =
                dc_cmd_usage_error(ctx, "-o %s names a .%s file but --format is %s", output,
                                   dc_export_format_name(by_name), dc_export_format_name(o.format));
            goto out;
        }
        o.format = by_name;
    }
    if (delim) {
        if (strcmp(delim, "tab") == 0 || strcmp(delim, "\t") == 0)
            o.delim = '\t';
        else if (strlen(delim) == 1 && strchr(",;|", delim[0]))
            o.delim = delim[0];
        else {
            status = dc_cmd_usage_error(ctx, "--delimiter takes , ; | or tab");
            goto out;
        }
        if (o.format != DC_EXPORT_CSV) {
            status = dc_cmd_usage_error(ctx, "--delimiter applies to --format csv only");
            goto out;
        }
    }
    if (o.nwhat > 1 && o.format != DC_EXPORT_XLSX) {
        status = dc_cmd_usage_error(ctx, "several tables in one export need --format xlsx "
                                         "(one sheet each)");
        goto out;
    }
    if (o.excel && o.format != DC_EXPORT_CSV) {
        status = dc_cmd_usage_error(ctx, "--excel applies to --format csv only");
        goto out;
    }
    int has_records = 0;
    for (int i = 0; i < o.nwhat; i++)
        has_records |= o.whats[i] == DC_EXPORT_RECORDS;
    if (mode_opt) {
        char *end;
        unsigned long m = strtoul(mode_opt, &end, 8);
        /* owner read-write always; the group may read; others never (personal data) */
        if (*end || end == mode_opt || m > 0777 || (m & 0600) != 0600 || (m & 0137)) {
            status = dc_cmd_usage_error(ctx, "--mode takes 0600 or 0640 (others never read "
                                             "personal data)");
            goto out;
        }
        if (strcmp(output, "-") == 0) {
            status = dc_cmd_usage_error(ctx, "--mode applies to -o FILE");
            goto out;
        }
        mode = (unsigned)m;
    }
    if (o.prefer && !o.survivors) {
        status = dc_cmd_usage_error(ctx, "--prefer applies to --survivors only");
        goto out;
    }
    if (o.survivors && !has_records) {
        status = dc_cmd_usage_error(ctx, "--survivors applies to --what records only");
        goto out;
    }
    int has_rejects = 0;
    for (int i = 0; i < o.nwhat; i++)
        has_rejects |= o.whats[i] == DC_EXPORT_REJECTS;
    if (keyfile && has_rejects) {
        status = dc_cmd_usage_error(ctx, "rejects hold raw rows and cannot be pseudonymized");
        goto out;
    }
    if (strcmp(output, "-") != 0 && own_file(argv[optind], output)) {
        dc_error_at(&err, DC_EX_CANTCREAT, output, 0, NULL,
                    "would overwrite the database %s or its -wal/-shm/-journal file (with "
                    "the export or its side files): choose another output",
                    argv[optind]);
        status = dc_cmd_fail(ctx, &err);
        goto out;
    }
    o.gzip = strcmp(output, "-") != 0 && ends_with(output, ".gz");
    if (o.gzip && o.format == DC_EXPORT_XLSX) {
        status = dc_cmd_usage_error(ctx, "an xlsx workbook is compressed already: no .gz");
        goto out;
    }
    if (o.format == DC_EXPORT_XLSX && strcmp(output, "-") == 0 && isatty(fileno(ctx->out))) {
        status = dc_cmd_usage_error(ctx, "a workbook is binary: give -o FILE.xlsx");
        goto out;
    }
    if (keyfile) {
        if (dc_export_read_key(keyfile, key, &o.key_len, &err) < 0) {
            status = dc_cmd_fail(ctx, &err);
            goto out;
        }
        o.key = key;
    }
    if (dc_db_open(argv[optind], DC_DB_READ, &db, &err) < 0) {
        status = dc_cmd_fail(ctx, &err);
        goto out;
    }
    /* every table but rejects comes from what normalize wrote */
    if ((o.nwhat > 1 || o.what != DC_EXPORT_REJECTS) &&
        (status = dc_cmd_require_normalized(ctx, db, allow_stale)) != 0)
        goto out;
    if (strcmp(output, "-") == 0) {
        /* before any output: stdio's default 4 KiB buffer costs a write(2) per few rows */
        setvbuf(ctx->out, outbuf, _IOFBF, sizeof outbuf);
        if (dc_export_write(db, &o, ctx->out, &rows, &err) < 0) {
            status = dc_cmd_fail(ctx, &err);
            goto out;
        }
    } else if (to_file(ctx, db, &o, output, dc_buf_str(&cmdline), &rows, &err) < 0 ||
               set_mode(output, mode, &err) < 0) {
        status = dc_cmd_fail(ctx, &err);
        goto out;
    }
    if (!ctx->quiet) {
        char label[96];
        dc_export_what_label(&o, label, sizeof label);
        if (o.survivors) {
            /* the records sheet or file holds the survivors */
            char *r = strstr(label, "records");
            if (r && strlen(label) + 2 < sizeof label) {
                memmove(r + 9, r + 7, strlen(r + 7) + 1);
                memcpy(r, "survivors", 9);
            }
        }
        fprintf(stderr, "dancu export: %s: %lld rows as %s to %s%s\n", label, rows,
                dc_export_format_name(o.format), strcmp(output, "-") ? output : "stdout",
                o.key ? " (pseudonymized)" : "");
    }
out:
    memset(key, 0, sizeof key);
    dc_buf_release(&cmdline);
    if (dc_db_close(db, &err) < 0 && status == 0)
        status = dc_cmd_fail(ctx, &err);
    return status;
}
