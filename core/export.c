/*
 * export.c - stream staging tables to CSV / JSONL / COPY / SQL (see export.h for the rules
 * and their sources).
 *
 * Not for: manifests (manifest.c), options (cmd/export.c).
 *
 * Speed (1,000,000 records as CSV in <= 3 s; issue #7): one prepared SELECT per export
 * walking the index in output order (no sort); each value read once (fetch_row) without
 * copying, integers and two-decimal numbers formatted here; rows encoded into one batch
 * buffer that goes out a MiB at a time; CSV fields scanned and copied 8 bytes a step;
 * no per-row malloc.  A file is SHA-256 hashed as it is written, on a writer thread,
 * instead of being read back for the manifest.  1,094,435 records to a file: 2.12 G
 * instructions -> 1.22 G for the CSV encoding path (callgrind, 110k records, to stdout);
 * user + sys 3.4 s -> 1.9 s (/usr/bin/time, shared 2-core machine).
 */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "json.h"
#include "vntext.h"
#include "xlsxout.h"
#include "utf8.h"

#define STDIO_BUF (1024 * 1024)
/* Encoded rows collect in one buffer that goes to the stream when it holds this much:
 * one fwrite per MiB, not per row, and stdio passes a write this large straight through
 * instead of copying it into its own buffer. */
#define FLUSH_AT (1024 * 1024)
/* One encoded row may not exceed this (29 columns of SQLite's largest values would be
 * 29 GB); the row buffer is sized from the row's value lengths before encoding. */
#define ROW_MAX ((size_t)1 << 30)
/* Distinct T_NUM2 values remembered: addr_confidence takes a handful of values, and
 * sqlite3_snprintf costs as much as the rest of the row's CSV encoding. */
#define NUM2_CACHE 4
/* "%.2f" of the largest double: sign, 309 digits, point, 2 decimals. */
#define NUM2_LEN 320
#define MAX_COLS 48
/* A cluster larger than this is a dedup failure, not one person; the vote is quadratic in
 * the cluster size, so refuse rather than crawl. */
#define MAX_CLUSTER 2000
/* Bytes of a name's fold key in the survivors vote; a longer name is compared as written. */
#define VOTE_KEY 256

/* T_NUM2: a REAL written with two decimals (addr_confidence), formatted by fetch_row with
 * sqlite3_snprintf("%.2f"), the formatter of SQL printf(), so the bytes are those that
 * printf('%.2f', x) in the SELECT gave before it moved out of the query. */
enum col_type { T_TEXT, T_INT, T_REAL, T_NUM2, T_BYTES };
enum col_pii { P_NO, P_ALWAYS, P_IF_FIELD };

/* How a spreadsheet must take a text value: K_CODE digits that are an ID, a code or a
 * partial date, never a number (leading zeros, 12-digit IDs in floating point, "1990-05"
 * read as a date); K_DATE a date, a real one in xlsx when it is a full YYYY-MM-DD. */
enum col_kind { K_PLAIN, K_CODE, K_DATE };

struct col {
    const char *name;
    enum col_type type;
    enum col_pii pii;
    enum col_kind kind;
};

struct view {
    const char *sql;
    const struct col *cols;
    int ncols;
    int field_col; /* index of the `field` column for P_IF_FIELD, -1 if none */
};

#define RECORD_COLS                                                                           \
    {"record_id", T_INT, P_NO, K_PLAIN}, {"source", T_TEXT, P_NO, K_PLAIN}, {"src_row", T_INT, P_NO, K_PLAIN},           \
        {"cluster_id", T_INT, P_NO, K_PLAIN}, {"full_name", T_TEXT, P_ALWAYS, K_PLAIN},                         \
        {"family_name", T_TEXT, P_ALWAYS, K_PLAIN}, {"middle_name", T_TEXT, P_ALWAYS, K_PLAIN},                 \
        {"given_name", T_TEXT, P_ALWAYS, K_PLAIN}, {"dob", T_TEXT, P_NO, K_CODE},                      \
        {"dob_precision", T_TEXT, P_NO, K_PLAIN}, {"sex", T_TEXT, P_NO, K_PLAIN},                               \
        {"id12", T_TEXT, P_ALWAYS, K_CODE}, {"cmnd", T_TEXT, P_ALWAYS, K_CODE},               \
        {"ethnic", T_TEXT, P_NO, K_PLAIN}, {"province_code", T_TEXT, P_NO, K_CODE},                    \
        {"district_code", T_TEXT, P_NO, K_CODE}, {"ward_code", T_TEXT, P_NO, K_CODE},         \
        {"new_province_code", T_TEXT, P_NO, K_CODE}, {"new_ward_code", T_TEXT, P_NO, K_CODE}, \
        {"address_detail", T_TEXT, P_NO, K_PLAIN}, {"src_file", T_TEXT, P_NO, K_PLAIN},                         \
        {"src_line", T_INT, P_NO, K_PLAIN}, {"ethnic_code", T_TEXT, P_NO, K_CODE},                     \
        {"issue_date", T_TEXT, P_NO, K_DATE}, {"expiry_date", T_TEXT, P_NO, K_DATE},          \
        {"addr_confidence", T_NUM2, P_NO, K_PLAIN}, {"addr_reason", T_TEXT, P_NO, K_PLAIN},                     \
        {"dob_raw", T_TEXT, P_NO, K_CODE}, {"address_raw", T_TEXT, P_NO, K_PLAIN},                    \
        {"province_name", T_TEXT, P_NO, K_PLAIN}, {"district_name", T_TEXT, P_NO, K_PLAIN},           \
        {"ward_name", T_TEXT, P_NO, K_PLAIN}, {"new_province_name", T_TEXT, P_NO, K_PLAIN},           \
        {"new_ward_name", T_TEXT, P_NO, K_PLAIN}, {"addr_era", T_TEXT, P_NO, K_PLAIN}

static const struct col records_cols[] = {RECORD_COLS};
static const struct col survivors_cols[] = {RECORD_COLS,
                                            {"contributing_record_ids", T_TEXT, P_NO, K_PLAIN},
                                            {"taken_from", T_TEXT, P_NO, K_PLAIN}};
#define NREC ((int)(sizeof records_cols / sizeof records_cols[0]))

/* Columns of the records view that are data fields (voted on by --survivors). */
enum { C_RECORD_ID = 0, C_SOURCE = 1, C_SRC_ROW = 2, C_CLUSTER_ID = 3, C_FULL_NAME = 4,
       C_FAMILY_NAME = 5, C_MIDDLE_NAME = 6, C_GIVEN_NAME = 7, C_DOB = 8, C_DOB_PRECISION = 9,
       C_PROVINCE_CODE = 14, C_DISTRICT_CODE = 15, C_WARD_CODE = 16, C_NEW_PROVINCE_CODE = 17,
       C_NEW_WARD_CODE = 18, C_SRC_FILE = 20, C_SRC_LINE = 21, C_PROVINCE_NAME = 29,
       C_DISTRICT_NAME = 30, C_WARD_NAME = 31, C_NEW_PROVINCE_NAME = 32, C_NEW_WARD_NAME = 33 };

#define RECORD_SELECT                                                                         \
    "SELECT p.record_id, p.source, p.src_row, c.cluster_id, p.full_name, p.family_name,"      \
    " p.middle_name, p.given_name, p.dob, p.dob_precision, p.sex, p.id12, p.cmnd, p.ethnic,"  \
    " p.province_code, p.district_code, p.ward_code, p.new_province_code, p.new_ward_code,"   \
    " p.address_detail, p.src_file, p.src_line, p.ethnic_code, p.issue_date, p.expiry_date,"  \
    " p.addr_confidence, p.addr_reason, p.dob_raw, p.address_raw,"                            \
    " NULL, NULL, NULL, NULL, NULL, p.addr_era"
/* The five NULLs are the unit names (issue 13 §3: a clerk reads names), filled by
 * fetch_row from struct unit_names. */
#define RECORD_FROM " FROM person p LEFT JOIN cluster c ON c.record_id = p.record_id"

/* The person_src index (source, src_row, then the rowid) gives this order without a sort
 * (EXPLAIN QUERY PLAN: SCAN p USING INDEX person_src). */
static const struct view v_records = {
    RECORD_SELECT RECORD_FROM " ORDER BY p.source, p.src_row, p.record_id", records_cols, NREC,
    -1};
/* Column NREC is the cluster key the groups are cut on. */
static const struct view v_survivors = {
    RECORD_SELECT ", COALESCE(c.cluster_id, p.record_id)" RECORD_FROM
                  " ORDER BY COALESCE(c.cluster_id, p.record_id), p.record_id",
    survivors_cols, NREC + 2, -1};

/* The person and the place a clerk looks for come after the finding's own columns (issue
 * #15): src_file and src_line (the physical line, header counted: the row number a
 * spreadsheet shows for a one-line record), then full_name, dob and id12. */
static const struct col findings_cols[] = {
    {"record_id", T_INT, P_NO, K_PLAIN},     {"source", T_TEXT, P_NO, K_PLAIN},
    {"src_row", T_INT, P_NO, K_PLAIN},       {"code", T_TEXT, P_NO, K_PLAIN},
    {"severity", T_TEXT, P_NO, K_PLAIN},     {"field", T_TEXT, P_NO, K_PLAIN},
    {"expected", T_TEXT, P_IF_FIELD, K_CODE}, {"actual", T_TEXT, P_IF_FIELD, K_CODE},
    {"message", T_TEXT, P_NO, K_PLAIN},      {"src_file", T_TEXT, P_NO, K_PLAIN},
    {"src_line", T_INT, P_NO, K_PLAIN},      {"full_name", T_TEXT, P_ALWAYS, K_PLAIN},
    {"dob", T_TEXT, P_NO, K_CODE},           {"id12", T_TEXT, P_ALWAYS, K_CODE}};
static const struct view v_findings = {
    "SELECT f.record_id, p.source, p.src_row, f.code, f.severity, f.field, f.expected,"
    " f.actual, f.message, p.src_file, p.src_line, p.full_name, p.dob, p.id12"
    " FROM finding f LEFT JOIN person p ON p.record_id = f.record_id"
    " ORDER BY p.source, p.src_row, f.code, f.field, f.id",
    findings_cols, 14, 5};

/* What a clerk prints (issue #15): one row per person with a finding at warning or above,
 * grouped by commune (the 2025 ward code, else the pre-2025 one; none first), then file
 * and line; the worst severity, the codes and the messages of that person's findings,
 * '; '-joined in code order. */
static const struct col worklist_cols[] = {
    {"ward_code", T_TEXT, P_NO, K_CODE},    {"source", T_TEXT, P_NO, K_PLAIN},
    {"src_file", T_TEXT, P_NO, K_PLAIN},    {"src_line", T_INT, P_NO, K_PLAIN},
    {"record_id", T_INT, P_NO, K_PLAIN},    {"full_name", T_TEXT, P_ALWAYS, K_PLAIN},
    {"dob", T_TEXT, P_NO, K_CODE},          {"id12", T_TEXT, P_ALWAYS, K_CODE},
    {"severity", T_TEXT, P_NO, K_PLAIN},    {"codes", T_TEXT, P_NO, K_PLAIN},
    {"messages", T_TEXT, P_NO, K_PLAIN}};
static const struct view v_worklist = {
    "SELECT COALESCE(NULLIF(p.new_ward_code, ''), NULLIF(p.ward_code, '')) AS ward,"
    " p.source, p.src_file, p.src_line, p.record_id, p.full_name, p.dob, p.id12,"
    " CASE WHEN max(f.severity = 'error') THEN 'error' ELSE 'warning' END,"
    " group_concat(f.code, '; '), group_concat(f.message, '; ')"
    " FROM person p JOIN (SELECT record_id, code, severity, message FROM finding"
    "  WHERE severity IN ('error', 'warning') ORDER BY record_id, code, id) f"
    " ON f.record_id = p.record_id"
    " GROUP BY p.record_id ORDER BY ward, p.source, p.src_line, p.record_id",
    worklist_cols, 11, -1};

static const struct col clusters_cols[] = {{"cluster_id", T_INT, P_NO, K_PLAIN},
                                           {"record_id", T_INT, P_NO, K_PLAIN},
                                           {"source", T_TEXT, P_NO, K_PLAIN},
                                           {"src_row", T_INT, P_NO, K_PLAIN}};
static const struct view v_clusters = {
    "SELECT c.cluster_id, c.record_id, p.source, p.src_row FROM cluster c"
    " LEFT JOIN person p ON p.record_id = c.record_id ORDER BY c.cluster_id, c.record_id",
    clusters_cols, 4, -1};

static const struct col pairs_cols[] = {
    {"a", T_INT, P_NO, K_PLAIN},        {"a_source", T_TEXT, P_NO, K_PLAIN}, {"a_src_row", T_INT, P_NO, K_PLAIN},
    {"b", T_INT, P_NO, K_PLAIN},        {"b_source", T_TEXT, P_NO, K_PLAIN}, {"b_src_row", T_INT, P_NO, K_PLAIN},
    {"weight", T_REAL, P_NO, K_PLAIN},  {"prob", T_REAL, P_NO, K_PLAIN},     {"gamma", T_INT, P_NO, K_PLAIN}};
static const struct view v_pairs = {
    "SELECT r.a, pa.source, pa.src_row, r.b, pb.source, pb.src_row, r.weight, r.prob, r.gamma"
    " FROM pair r LEFT JOIN person pa ON pa.record_id = r.a"
    " LEFT JOIN person pb ON pb.record_id = r.b ORDER BY r.a, r.b",
    pairs_cols, 9, -1};

static const struct col rejects_cols[] = {
    {"batch_id", T_INT, P_NO, K_PLAIN}, {"source", T_TEXT, P_NO, K_PLAIN},   {"src_file", T_TEXT, P_NO, K_PLAIN},
    {"src_row", T_INT, P_NO, K_PLAIN},  {"src_line", T_INT, P_NO, K_PLAIN},  {"reason", T_TEXT, P_NO, K_PLAIN},
    {"raw", T_BYTES, P_NO, K_PLAIN}};
static const struct view v_rejects = {
    "SELECT batch_id, source, src_file, src_row, src_line, reason, raw FROM reject"
    " ORDER BY batch_id, src_row, id",
    rejects_cols, 7, -1};

static const struct col changes_cols[] = {
    {"record_id", T_INT, P_NO, K_PLAIN},     {"source", T_TEXT, P_NO, K_PLAIN},
    {"src_row", T_INT, P_NO, K_PLAIN},       {"field", T_TEXT, P_NO, K_PLAIN},
    {"before", T_TEXT, P_IF_FIELD, K_CODE}, {"after", T_TEXT, P_IF_FIELD, K_CODE},
    {"rule", T_TEXT, P_NO, K_PLAIN}};
static const struct view v_changes = {
    "SELECT c.record_id, p.source, p.src_row, c.field, c.before, c.after, c.rule"
    " FROM change c LEFT JOIN person p ON p.record_id = c.record_id"
    " ORDER BY p.source, p.src_row, c.record_id, c.rowid",
    changes_cols, 7, 3};

static const struct view *
view_of(const struct dc_export_opts *o)
{
    switch (o->what) {
    case DC_EXPORT_RECORDS: return o->survivors ? &v_survivors : &v_records;
    case DC_EXPORT_FINDINGS: return &v_findings;
    case DC_EXPORT_CLUSTERS: return &v_clusters;
    case DC_EXPORT_PAIRS: return &v_pairs;
    case DC_EXPORT_REJECTS: return &v_rejects;
    case DC_EXPORT_CHANGES: return &v_changes;
    case DC_EXPORT_WORKLIST: return &v_worklist;
    }
    return &v_records;
}

static const char *const what_names[] = {"records", "findings", "clusters", "pairs",
                                         "rejects", "changes",  "worklist"};
#define NWHATS ((int)(sizeof what_names / sizeof what_names[0]))
static const char *const format_names[] = {"csv", "jsonl", "pgcopy", "sql", "xlsx"};
#define NFORMATS ((int)(sizeof format_names / sizeof format_names[0]))

int
dc_export_what_parse(const char *s, enum dc_export_what *out, struct dc_error *err)
{
    for (int i = 0; i < NWHATS; i++)
        if (strcmp(s, what_names[i]) == 0) {
            *out = (enum dc_export_what)i;
            return 0;
        }
    return dc_error_set(err, DC_EX_USAGE,
                        "unknown --what (want records, findings, clusters, pairs, rejects, "
                        "changes or worklist)");
}

int
dc_export_format_parse(const char *s, enum dc_export_format *out, struct dc_error *err)
{
    for (int i = 0; i < NFORMATS; i++)
        if (strcmp(s, format_names[i]) == 0) {
            *out = (enum dc_export_format)i;
            return 0;
        }
    return dc_error_set(err, DC_EX_USAGE,
                        "unknown --format (want csv, jsonl, pgcopy, sql or xlsx)");
}

int
dc_export_whats_parse(const char *s, struct dc_export_opts *o, struct dc_error *err)
{
    char name[32];

    while (*s) {
        size_t n = strcspn(s, ",");
        enum dc_export_what w;
        if (n == 0 || n >= sizeof name)
            return dc_export_what_parse("", &w, err);
        memcpy(name, s, n);
        name[n] = '\0';
        if (dc_export_what_parse(name, &w, err) < 0)
            return -1;
        for (int i = 0; i < o->nwhat; i++)
            if (o->whats[i] == w)
                return dc_error_set(err, DC_EX_USAGE, "--what %s is asked twice", name);
        /* six names, each once: the array cannot overflow */
        o->whats[o->nwhat++] = w;
        s += n;
        if (*s == ',' && *++s == '\0')
            return dc_export_what_parse("", &w, err);
    }
    if (o->nwhat == 0) {
        enum dc_export_what w;
        return dc_export_what_parse("", &w, err);
    }
    o->what = o->whats[0];
    return 0;
}

void
dc_export_what_label(const struct dc_export_opts *o, char *out, size_t n)
{
    size_t k = 0;

    out[0] = '\0';
    if (o->nwhat <= 1) {
        snprintf(out, n, "%s", dc_export_what_name(o->what));
        return;
    }
    for (int i = 0; i < o->nwhat && k < n; i++) {
        int w = snprintf(out + k, n - k, "%s%s", i ? "," : "", dc_export_what_name(o->whats[i]));
        if (w < 0)
            break;
        k += (size_t)w;
    }
}

int
dc_export_format_of_path(const char *path, enum dc_export_format *out)
{
    static const struct {
        const char *ext;
        enum dc_export_format f;
    } exts[] = {{".csv", DC_EXPORT_CSV},   {".jsonl", DC_EXPORT_JSONL},
                {".copy", DC_EXPORT_PGCOPY}, {".pgcopy", DC_EXPORT_PGCOPY},
                {".sql", DC_EXPORT_SQL},   {".xlsx", DC_EXPORT_XLSX}};
    size_t n = strlen(path);

    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        n -= 3;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i].ext);
        /* ASCII case-insensitive: RECORDS.XLSX is a workbook too */
        if (n > e && path[n - e - 1] != '/' && strncasecmp(path + n - e, exts[i].ext, e) == 0) {
            *out = exts[i].f;
            return 0;
        }
    }
    return -1;
}

const char *
dc_export_what_name(enum dc_export_what w)
{
    return (unsigned)w < (unsigned)NWHATS ? what_names[w] : "?";
}

const char *
dc_export_format_name(enum dc_export_format f)
{
    return (unsigned)f < (unsigned)NFORMATS ? format_names[f] : "?";
}

const char *
dc_export_table(const struct dc_export_opts *o)
{
    if (o->what == DC_EXPORT_RECORDS && o->survivors)
        return "survivors";
    return dc_export_what_name(o->what);
}

/* ---- pseudonyms ---- */

static const char *const pii_fields[] = {"id12",        "cmnd",       "full_name",
                                         "family_name", "middle_name", "given_name"};

static int
is_pii_field(const char *f)
{
    if (!f)
        return 0;
    for (size_t i = 0; i < sizeof pii_fields / sizeof pii_fields[0]; i++)
        if (strcmp(f, pii_fields[i]) == 0)
            return 1;
    return 0;
}

int
dc_export_pseudonym(const unsigned char *key, size_t key_len, const char *s, size_t n,
                    char out[19], struct dc_error *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (key_len > (size_t)INT32_MAX ||
        !HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)s, n, md, &mdlen) ||
        mdlen < 8)
        return dc_error_set(err, DC_EX_SOFTWARE, "HMAC-SHA-256 failed");
    out[0] = 'p';
    out[1] = '_';
    for (int i = 0; i < 8; i++) {
        out[2 + 2 * i] = hex[md[i] >> 4];
        out[3 + 2 * i] = hex[md[i] & 15];
    }
    out[18] = '\0';
    return 0;
}

int
dc_export_read_key(const char *path, unsigned char *key, size_t *len, struct dc_error *err)
{
    FILE *fp = fopen(path, "rb");
    size_t n;

    if (!fp)
        return dc_error_set(err, DC_EX_NOINPUT, "%s: cannot open key file: %s", path,
                            strerror(errno));
    n = fread(key, 1, DC_EXPORT_KEY_MAX, fp);
    if (ferror(fp)) {
        fclose(fp);
        return dc_error_set(err, DC_EX_IOERR, "%s: cannot read key file", path);
    }
    int more = fgetc(fp) != EOF;
    fclose(fp);
    if (more)
        return dc_error_set(err, DC_EX_USAGE, "%s: key file longer than %d bytes", path,
                            DC_EXPORT_KEY_MAX);
    if (n < DC_EXPORT_KEY_MIN)
        return dc_error_set(err, DC_EX_USAGE,
                            "%s: key file has %zu bytes, need at least %d (e.g. head -c 32 "
                            "/dev/urandom > KEYFILE)",
                            path, n, DC_EXPORT_KEY_MIN);
    *len = n;
    return 0;
}

/* ---- gzip stream as a FILE (fopencookie): deflate with the gzip wrapper and no header
 * fields set, so mtime is 0 and no name is stored: the same input gives the same bytes ---- */

struct gz_cookie {
    z_stream z;
    FILE *dst;
    unsigned char out[65536];
    int failed;
};

static int
gz_pump(struct gz_cookie *c, int flush)
{
    int rc;

    do {
        c->z.next_out = c->out;
        c->z.avail_out = sizeof c->out;
        rc = deflate(&c->z, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        size_t have = sizeof c->out - c->z.avail_out;
        if (have && fwrite(c->out, 1, have, c->dst) != have)
            return -1;
    } while (c->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

static ssize_t
gz_write(void *cookie, const char *buf, size_t size)
{
    struct gz_cookie *c = cookie;

    if (c->failed)
        return -1;
    c->z.next_in = (unsigned char *)(uintptr_t)buf;
    c->z.avail_in = (uInt)size;
    if (size > UINT32_MAX || gz_pump(c, Z_NO_FLUSH) < 0) {
        c->failed = 1;
        errno = errno ? errno : EIO;
        return -1;
    }
    return (ssize_t)size;
}

static int
gz_close(void *cookie)
{
    struct gz_cookie *c = cookie;
    int rc = c->failed ? -1 : 0;

    if (rc == 0) {
        c->z.next_in = NULL;
        c->z.avail_in = 0;
        if (gz_pump(c, Z_FINISH) < 0)
            rc = -1;
    }
    deflateEnd(&c->z);
    free(c);
    return rc;
}

static FILE *
gz_wrap(FILE *dst)
{
    cookie_io_functions_t io = {NULL, gz_write, NULL, gz_close};
    struct gz_cookie *c = calloc(1, sizeof *c);
    FILE *fp;

    if (!c)
        return NULL;
    c->dst = dst;
    /* windowBits 15 + 16 = gzip wrapper; memLevel 8 and level 6 are zlib's defaults */
    if (deflateInit2(&c->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(c);
        return NULL;
    }
    fp = fopencookie(c, "w", io);
    if (!fp) {
        deflateEnd(&c->z);
        free(c);
    }
    return fp;
}

/* ---- encoders ---- */

/* The unit names of the records view, by code: arrays indexed by the code's number
 * (province 2 digits, district 3, ward 5), holding offsets + 1 into mem (0 = no such
 * unit).  Five joins on the unit table instead cost more than the rest of the row
 * (39k records: 0.07 -> 0.22 s user); these lookups are an array read each. */
enum { UN_PROV, UN_DIST, UN_WARD, UN_NPROV, UN_NWARD, UN_COUNT };
struct unit_names {
    uint32_t *off[UN_COUNT];
    struct dc_buf mem;
};
static const unsigned un_size[UN_COUNT] = {100, 1000, 100000, 100, 100000};
static const unsigned un_len[UN_COUNT] = {2, 3, 5, 2, 5};

struct emit {
    FILE *fp;
    struct unit_names *names;   /* records view: the unit names (NULL: none loaded) */
    const struct dc_export_opts *o;
    const struct view *v;
    unsigned char delim;        /* CSV separator */
    unsigned char special[256]; /* CSV bytes that need quotes */
    struct dc_buf wrap;         /* --excel: one ="..." value */
    struct dc_xlsx *x;          /* xlsx: the workbook */
    struct dc_buf line;         /* encoded rows not yet written (up to FLUSH_AT + a row) */
    char tok[MAX_COLS][19];
    char num[MAX_COLS][24];     /* integers formatted by fetch_row */
    struct {
        double d;
        size_t n;
        char s[NUM2_LEN];
    } num2[NUM2_CACHE];
    int num2_used, num2_next;
    long long rows;
};

/* One row's values: text pointers (NULL = SQL NULL), byte lengths, SQLite types. */
struct row {
    const char *v[MAX_COLS];
    size_t n[MAX_COLS];
    int type[MAX_COLS];
};

static void
copy_text(struct dc_buf *b, const char *s, size_t n)
{
    /* COPY text format: backslash, and the three separators it could be confused with */
    const char *run = s;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\\': esc = "\\\\"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        default: continue;
        }
        dc_buf_add(b, run, (size_t)(s + i - run));
        dc_buf_puts(b, esc);
        run = s + i + 1;
    }
    dc_buf_add(b, run, (size_t)(s + n - run));
}

static void
sql_text(struct dc_buf *b, const char *s, size_t n)
{
    const char *run = s;

    dc_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\'')
            continue;
        dc_buf_add(b, run, (size_t)(s + i - run) + 1);
        dc_buf_putc(b, '\'');
        run = s + i + 1;
    }
    dc_buf_add(b, run, (size_t)(s + n - run));
    dc_buf_putc(b, '\'');
}

/* One CSV field by RFC 4180 with the rules of core/csvio's writer (quote a field holding
 * the separator, '"', CR or LF, or a lone empty field; --excel: a ' before = + - @ TAB CR,
 * OWASP), written at d, which has room for 2n + 3 bytes; returns the end.  special[] marks
 * the bytes that need quotes (RFC 4180 §2.6 with the separator in place of ',').  Most
 * fields need no quotes, so the plain case copies while it scans and only a special byte
 * sends the field to the general path.  test_export.c pins the bytes of both profiles. */
static char *
csv_cell(char *d, const char *s, size_t n, int excel, int alone, const unsigned char *special,
         unsigned char delim)
{
    size_t i = 0;

    if (!excel) {
        /* eight bytes at a time while none is special (the "has a zero byte" test of
         * Hacker's Delight §6-1 on the word XORed with each special byte), then bytes */
        const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
        for (; i + 8 <= n; i += 8) {
            uint64_t w, a, b, c, q;
            memcpy(&w, s + i, 8);
            a = w ^ (ones * delim);
            b = w ^ (ones * '"');
            c = w ^ (ones * '\n');
            q = w ^ (ones * '\r');
            if (((a - ones) & ~a & high) | ((b - ones) & ~b & high) |
                ((c - ones) & ~c & high) | ((q - ones) & ~q & high))
                break;
            memcpy(d + i, &w, 8);
        }
        for (; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (special[c])
                break;
            d[i] = (char)c;
        }
        if (i == n && !(alone && n == 0))
            return d + n;
    }
    /* strchr finds the terminator too: a field starting with a NUL byte is guarded, as
     * the csvio writer does */
    int guard = excel && n && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = alone && n == 0;
    for (; i < n && !quote; i++)
        quote = special[(unsigned char)s[i]];
    if (quote)
        *d++ = '"';
    if (guard)
        *d++ = '\'';
    if (!quote) {
        memcpy(d, s, n);
        return d + n;
    }
    for (i = 0; i < n; i++) {
        *d++ = s[i];
        if (s[i] == '"')
            *d++ = '"';
    }
    *d++ = '"';
    return d;
}

/* --excel: a K_CODE or K_DATE value that Excel and LibreOffice would take for a number or
 * a date (it starts with a digit: "001090012345", "00028", "1990-05") goes out as the
 * formula ="VALUE", whose result is that text: the documented way to make Excel keep a
 * CSV value as text (Microsoft: "Keeping leading zeros and large numbers"; the formula
 * guard does not apply, the '=' is ours).  Written at d, which has room for 2n + 3 bytes;
 * returns the end.  Anything else: NULL. */
static char *
excel_text(char *d, const char *s, size_t n)
{
    if (n == 0 || s[0] < '0' || s[0] > '9')
        return NULL;
    *d++ = '=';
    *d++ = '"';
    for (size_t i = 0; i < n; i++) {
        *d++ = s[i];
        if (s[i] == '"')
            *d++ = '"';
    }
    *d++ = '"';
    return d;
}

/* Decimal text of x, as sqlite3_column_text gives it (sqlite3Int64ToText); out has 24.
 * Two digits per division: record ids have seven. */
static size_t
fmt_i64(char *out, sqlite3_int64 x)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char tmp[24];
    char *p = tmp + sizeof tmp;
    size_t k = 0;
    /* negate in unsigned arithmetic: -INT64_MIN does not fit */
    uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;

    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    }
    if (u >= 10) {
        *--p = pairs[u * 2 + 1];
        *--p = pairs[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    if (x < 0)
        out[k++] = '-';
    memcpy(out + k, p, (size_t)(tmp + sizeof tmp - p));
    k += (size_t)(tmp + sizeof tmp - p);
    out[k] = '\0';
    return k;
}

static const char *
num2(struct emit *e, double d, size_t *n)
{
    for (int i = 0; i < e->num2_used; i++)
        if (memcmp(&e->num2[i].d, &d, sizeof d) == 0) {
            *n = e->num2[i].n;
            return e->num2[i].s;
        }
    int k = e->num2_next;
    e->num2_next = (k + 1) % NUM2_CACHE;
    if (e->num2_used < NUM2_CACHE)
        e->num2_used++;
    e->num2[k].d = d;
    sqlite3_snprintf(NUM2_LEN, e->num2[k].s, "%.2f", d);
    e->num2[k].n = strlen(e->num2[k].s);
    *n = e->num2[k].n;
    return e->num2[k].s;
}

/* The row's values as sqlite3_column_text and sqlite3_column_bytes give them, for less:
 * the sqlite3_column_* calls each take the statement's checks and error exit (a third of
 * the export's instructions under callgrind with three calls per value), so each value
 * is fetched once with sqlite3_column_value and read with the sqlite3_value_* accessors.
 * The docs call that value "unprotected", which concerns only the connection mutex: the
 * connection is single-threaded (dc_db_open: SQLITE_OPEN_NOMUTEX).  Integers are
 * formatted here (the text conversion is SQLite's costliest step per value), T_NUM2
 * values as SQL printf('%.2f') would.  Types first: undefined after a conversion. */
static int
unit_names_load(struct dc_db *db, struct unit_names *u, struct dc_error *err)
{
    static const char *const sel[UN_COUNT] = {
        "SELECT code, name FROM unit WHERE era = 'pre2025' AND level = 'province'",
        "SELECT code, name FROM unit WHERE era = 'pre2025' AND level = 'district'",
        "SELECT code, name FROM unit WHERE era = 'pre2025' AND level = 'ward'",
        "SELECT code, name FROM unit WHERE era = '2025' AND level = 'province'",
        "SELECT code, name FROM unit WHERE era = '2025' AND level = 'ward'"};

    for (int k = 0; k < UN_COUNT; k++) {
        sqlite3_stmt *q = NULL;
        int rc;
        u->off[k] = calloc(un_size[k], sizeof *u->off[k]);
        if (!u->off[k])
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        if (dc_db_prepare(db, sel[k], &q, err) < 0)
            return -1;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(q, 0);
            const char *name = (const char *)sqlite3_column_text(q, 1);
            unsigned v = 0, i;
            for (i = 0; code && code[i] >= '0' && code[i] <= '9'; i++)
                v = v * 10 + (unsigned)(code[i] - '0');
            if (!code || !name || i != un_len[k] || code[i])
                continue; /* refdata load checks digit counts: not reached */
            u->off[k][v] = (uint32_t)u->mem.len + 1;
            dc_buf_puts(&u->mem, name);
            dc_buf_putc(&u->mem, '\0');
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return dc_db_fail(db, rc, "read unit names", err);
        if (u->mem.oom)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    return 0;
}

static void
unit_names_free(struct unit_names *u)
{
    for (int k = 0; k < UN_COUNT; k++)
        free(u->off[k]);
    dc_buf_release(&u->mem);
}

/* The name of the unit whose code is column code_col of r, into column name_col. */
static void
put_name(const struct unit_names *u, int k, struct row *r, int code_col, int name_col)
{
    const char *code = r->v[code_col];
    unsigned v = 0;
    size_t i;

    r->v[name_col] = NULL;
    r->n[name_col] = 0;
    r->type[name_col] = SQLITE_NULL;
    if (!code || r->n[code_col] != un_len[k])
        return;
    for (i = 0; i < un_len[k]; i++) {
        if (code[i] < '0' || code[i] > '9')
            return;
        v = v * 10 + (unsigned)(code[i] - '0');
    }
    if (!u->off[k][v])
        return;
    r->v[name_col] = u->mem.s + u->off[k][v] - 1;
    r->n[name_col] = strlen(r->v[name_col]);
    r->type[name_col] = SQLITE_TEXT;
}

static void
fetch_row(struct emit *e, sqlite3_stmt *st, int nc, struct row *r)
{
    for (int i = 0; i < nc; i++) {
        sqlite3_value *val = sqlite3_column_value(st, i);
        int t = sqlite3_value_type(val);

        r->type[i] = t;
        if (t == SQLITE_NULL) {
            r->v[i] = NULL;
            r->n[i] = 0;
        } else if (e->v->cols[i].type == T_NUM2) {
            r->v[i] = num2(e, sqlite3_value_double(val), &r->n[i]);
            r->type[i] = SQLITE_TEXT; /* printf() returned text */
        } else if (t == SQLITE_INTEGER) {
            r->n[i] = fmt_i64(e->num[i], sqlite3_value_int64(val));
            r->v[i] = e->num[i];
        } else {
            /* the text of a blob is its bytes with a NUL added, as the CSV writer needs */
            r->v[i] = (const char *)sqlite3_value_text(val);
            r->n[i] = (size_t)sqlite3_value_bytes(val);
            if (!r->v[i])
                r->v[i] = ""; /* a zero-length blob */
        }
    }
    if (e->names && (e->v == &v_records || e->v == &v_survivors))
        for (int k = 0; k < UN_COUNT; k++)
            put_name(e->names, k, r, C_PROVINCE_CODE + k, C_PROVINCE_NAME + k);
}

static void
hex_bytes(struct dc_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char two[2] = {hex[c >> 4], hex[c & 15]};
        dc_buf_add(b, two, 2);
    }
}

/* JSON string of bytes that may not be UTF-8 (rejects.raw of a legacy-encoded file):
 * each invalid byte becomes U+FFFD so the line stays valid JSON.  The exact bytes are in
 * the CSV, COPY and SQL exports. */
static void
json_bytes(struct dc_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    dc_buf_putc(b, '"');
    while (i < n) {
        unsigned char c = p[i];
        size_t l = dc_utf8_seq(p + i, n - i);
        if (l == 0) {
            dc_buf_puts(b, "\\ufffd");
            i++;
        } else if (c == '"' || c == '\\') {
            dc_buf_putc(b, '\\');
            dc_buf_putc(b, (char)c);
            i++;
        } else if (c < 0x20) {
            const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (e)
                dc_buf_puts(b, e);
            else
                dc_buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            dc_buf_add(b, s + i, l);
            i += l;
        }
    }
    dc_buf_putc(b, '"');
}

static int
is_number(const struct row *r, int i)
{
    /* numbers only when SQLite holds one; "Inf"/"NaN" have no JSON or SQL spelling */
    if (r->type[i] != SQLITE_INTEGER && r->type[i] != SQLITE_FLOAT)
        return 0;
    char c = r->v[i][0];
    return c == '-' || (c >= '0' && c <= '9');
}

/* Write out the buffered rows (all of them when force, else once FLUSH_AT is reached). */
static int
flush(struct emit *e, int force, struct dc_error *err)
{
    struct dc_buf *b = &e->line;

    if (b->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (b->len == 0 || (!force && b->len < FLUSH_AT))
        return 0;
    if (fwrite(b->s, 1, b->len, e->fp) != b->len)
        return dc_error_set(err, DC_EX_IOERR, "write error: %s", strerror(errno));
    dc_buf_reset(b);
    return 0;
}

static int
emit_header(struct emit *e, struct dc_error *err)
{
    struct dc_buf *b = &e->line;

    if (e->o->format == DC_EXPORT_CSV) {
        if (e->o->excel)
            dc_buf_puts(b, "\xEF\xBB\xBF"); /* UTF-8 BOM: Excel reads the file as UTF-8 */
        for (int i = 0; i < e->v->ncols; i++) {
            if (i)
                dc_buf_putc(b, (char)e->delim);
            dc_buf_puts(b, e->v->cols[i].name);
        }
        dc_buf_puts(b, e->o->excel ? "\r\n" : "\n");
    } else if (e->o->format == DC_EXPORT_SQL) {
        dc_buf_puts(b, "BEGIN;\n");
    }
    return flush(e, 0, err);
}

static int
csv_row(struct emit *e, const struct row *r, struct dc_error *err)
{
    struct dc_buf *b = &e->line;
    int nc = e->v->ncols, excel = e->o->excel;
    size_t need = 2; /* CRLF */
    char *d;

    /* per field at most: separator, quote, guard, every byte doubled, quote; --excel's
     * ="..." doubles a field once more */
    for (int i = 0; i < nc; i++)
        need += (excel ? 4 : 2) * (r->v[i] ? r->n[i] : 0) + 12;
    if (need > ROW_MAX)
        return dc_error_set(err, DC_EX_DATAERR, "a row is longer than %zu bytes", ROW_MAX);
    if (dc_buf_reserve(b, need) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    d = b->s + b->len;
    for (int i = 0; i < nc; i++) {
        const char *s = r->v[i] ? r->v[i] : "";
        size_t n = r->v[i] ? r->n[i] : 0;
        if (i)
            *d++ = (char)e->delim;
        if (excel && e->v->cols[i].kind != K_PLAIN) {
            dc_buf_reset(&e->wrap);
            if (dc_buf_reserve(&e->wrap, 2 * n + 4) < 0)
                return dc_error_set(err, DC_EX_OSERR, "out of memory");
            char *end = excel_text(e->wrap.s, s, n);
            if (end) {
                /* no guard: the '=' is the wrapper's, not the data's */
                d = csv_cell(d, e->wrap.s, (size_t)(end - e->wrap.s), 0, 0, e->special,
                             e->delim);
                continue;
            }
        }
        d = csv_cell(d, s, n, excel, nc == 1, e->special, e->delim);
    }
    if (excel)
        *d++ = '\r';
    *d++ = '\n';
    *d = '\0';
    b->len = (size_t)(d - b->s);
    return 0;
}

static int
emit_row(struct emit *e, struct row *r, struct dc_error *err)
{
    const struct view *v = e->v;
    const char *field = v->field_col >= 0 ? r->v[v->field_col] : NULL;
    struct dc_buf *b = &e->line;

    if (e->o->key) {
        for (int i = 0; i < v->ncols; i++) {
            if (v->cols[i].pii == P_NO || !r->v[i] || r->n[i] == 0)
                continue;
            if (v->cols[i].pii == P_IF_FIELD && !is_pii_field(field))
                continue;
            if (dc_export_pseudonym(e->o->key, e->o->key_len, r->v[i], r->n[i], e->tok[i],
                                    err) < 0)
                return -1;
            r->v[i] = e->tok[i];
            r->n[i] = 18;
            r->type[i] = SQLITE_TEXT;
        }
    }
    e->rows++;
    switch (e->o->format) {
    case DC_EXPORT_CSV:
        if (csv_row(e, r, err) < 0)
            return -1;
        break;
    case DC_EXPORT_JSONL:
        dc_buf_putc(b, '{');
        for (int i = 0; i < v->ncols; i++) {
            if (i)
                dc_buf_putc(b, ',');
            dc_buf_putc(b, '"');
            dc_buf_puts(b, v->cols[i].name);
            dc_buf_puts(b, "\":");
            if (!r->v[i] || r->n[i] == 0)
                dc_buf_puts(b, "null");
            else if (is_number(r, i) || (v->cols[i].type == T_NUM2 && r->v[i][0] != '-' &&
                                         r->v[i][0] >= '0' && r->v[i][0] <= '9'))
                dc_buf_add(b, r->v[i], r->n[i]);
            else if (v->cols[i].type == T_BYTES)
                json_bytes(b, r->v[i], r->n[i]);
            else
                dc_json_str(b, r->v[i]);
        }
        dc_buf_puts(b, "}\n");
        break;
    case DC_EXPORT_PGCOPY:
        for (int i = 0; i < v->ncols; i++) {
            if (i)
                dc_buf_putc(b, '\t');
            if (!r->v[i]) {
                dc_buf_puts(b, "\\N");
            } else if (v->cols[i].type == T_BYTES) {
                /* bytea hex input "\x...", its backslash doubled for COPY */
                dc_buf_puts(b, "\\\\x");
                hex_bytes(b, r->v[i], r->n[i]);
            } else {
                copy_text(b, r->v[i], r->n[i]);
            }
        }
        dc_buf_putc(b, '\n');
        break;
    case DC_EXPORT_SQL:
        dc_buf_puts(b, "INSERT INTO ");
        dc_buf_puts(b, dc_export_table(e->o));
        dc_buf_puts(b, " VALUES (");
        for (int i = 0; i < v->ncols; i++) {
            if (i)
                dc_buf_puts(b, ", ");
            if (!r->v[i]) {
                dc_buf_puts(b, "NULL");
            } else if (v->cols[i].type == T_BYTES) {
                dc_buf_puts(b, "'\\x");
                hex_bytes(b, r->v[i], r->n[i]);
                dc_buf_putc(b, '\'');
            } else if (is_number(r, i) && v->cols[i].type != T_TEXT) {
                dc_buf_add(b, r->v[i], r->n[i]);
            } else {
                sql_text(b, r->v[i], r->n[i]);
            }
        }
        dc_buf_puts(b, ");\n");
        break;
    case DC_EXPORT_XLSX:
        return dc_xlsx_row(e->x, r->v, r->n, err);
    }
    return flush(e, 0, err);
}

/* ---- survivors ---- */

struct group {
    struct dc_buf store;     /* all values of the cluster, NUL-separated */
    size_t (*off)[MAX_COLS]; /* per record: offset of each value in store, or SIZE_MAX */
    size_t *rank;            /* records in preference order */
    size_t n, cap;
    const char *prefer;      /* --prefer: source names, ','-joined, first preferred */
    /* the vote of one column: per record its key (NULL = no value) and score */
    char (*key)[VOTE_KEY];
    int *has_key, *score;
};

static const char *
gval(const struct group *g, size_t rec, int col)
{
    size_t o = g->off[rec][col];
    return o == SIZE_MAX ? NULL : g->store.s + o;
}

static int
is_idcard_source(const char *s)
{
    return s && (strcasestr(s, "idcard") || strcasestr(s, "cccd"));
}

static int
completeness(const struct group *g, size_t rec)
{
    int k = 0;
    for (int c = 0; c < NREC; c++) {
        const char *s = gval(g, rec, c);
        k += s && *s;
    }
    return k;
}

/* Position of source in the --prefer list (0 = first), or a number past every position
 * when it is not listed. */
static int
prefer_rank(const char *list, const char *source)
{
    int k = 0;
    size_t n = source ? strlen(source) : 0;

    while (list && *list) {
        size_t m = strcspn(list, ",");
        if (m == n && source && strncmp(list, source, n) == 0)
            return k;
        k++;
        list += m;
        if (*list == ',')
            list++;
    }
    return INT32_MAX;
}

static int
pref_cmp(const void *pa, const void *pb, void *arg)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const struct group *g = arg;
    if (g->prefer) {
        int pa_ = prefer_rank(g->prefer, gval(g, a, C_SOURCE));
        int pb_ = prefer_rank(g->prefer, gval(g, b, C_SOURCE));
        if (pa_ != pb_)
            return pa_ < pb_ ? -1 : 1;
    }
    int ia = is_idcard_source(gval(g, a, C_SOURCE)), ib = is_idcard_source(gval(g, b, C_SOURCE));
    if (ia != ib)
        return ib - ia;
    int ca = completeness(g, a), cb = completeness(g, b);
    if (ca != cb)
        return cb - ca;
    long long ra = strtoll(gval(g, a, C_RECORD_ID), NULL, 10);
    long long rb = strtoll(gval(g, b, C_RECORD_ID), NULL, 10);
    return ra < rb ? -1 : ra > rb;
}

static int
group_add(struct group *g, const struct row *r, struct dc_error *err)
{
    if (g->n >= MAX_CLUSTER)
        return dc_error_set(err, DC_EX_DATAERR,
                            "a cluster has more than %d records: check the dedup result",
                            MAX_CLUSTER);
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        void *o = realloc(g->off, nc * sizeof *g->off);
        if (!o)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->off = o;
        void *rk = realloc(g->rank, nc * sizeof *g->rank);
        if (!rk)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->rank = rk;
        void *k = realloc(g->key, nc * sizeof *g->key);
        if (!k)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->key = k;
        void *hk = realloc(g->has_key, nc * sizeof *g->has_key);
        if (!hk)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->has_key = hk;
        void *sc = realloc(g->score, nc * sizeof *g->score);
        if (!sc)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        g->score = sc;
        g->cap = nc;
    }
    for (int c = 0; c < NREC; c++) {
        /* a zero-length blob was NULL to sqlite3_column_text, which this code used */
        if (!r->v[c] || (r->type[c] == SQLITE_BLOB && r->n[c] == 0)) {
            g->off[g->n][c] = SIZE_MAX;
            continue;
        }
        g->off[g->n][c] = g->store.len;
        dc_buf_add(&g->store, r->v[c], r->n[c]);
        dc_buf_putc(&g->store, '\0');
    }
    if (g->store.oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    g->rank[g->n] = g->n;
    g->n++;
    return 0;
}

/* What the vote compares for column c (see export.h, --survivors): a name by its fold key
 * ("Nguyễn Văn An" and "Nguyen Van An" are one name) and scored by having diacritics; a
 * date of birth by its year, scored by its precision (its length: 10, 7 or 4). */
static void
vote_keys(struct group *g, int c)
{
    for (size_t i = 0; i < g->n; i++) {
        const char *s = gval(g, i, c);
        g->has_key[i] = s && *s;
        g->score[i] = 0;
        if (!g->has_key[i])
            continue;
        if (c == C_FULL_NAME) {
            if (dc_text_fold(s, g->key[i], VOTE_KEY) < 0)
                snprintf(g->key[i], VOTE_KEY, "%s", s);
            g->score[i] = dc_text_has_diacritics(s);
        } else if (c == C_DOB) {
            snprintf(g->key[i], VOTE_KEY, "%.4s", s);
            g->score[i] = (int)strlen(s);
        } else {
            snprintf(g->key[i], VOTE_KEY, "%s", s);
        }
    }
}

static size_t
count_where(const struct group *g, int c, size_t i, int by_key)
{
    size_t k = 0;
    for (size_t j = 0; j < g->n; j++) {
        if (!g->has_key[j])
            continue;
        if (by_key ? strcmp(g->key[i], g->key[j]) == 0
                   : strcmp(gval(g, i, c), gval(g, j, c)) == 0)
            k++;
    }
    return k;
}

/* The record whose value of column c the survivor takes, SIZE_MAX when every value is
 * empty: the key most records share (ties: the preferred record's), then within that key
 * the highest score, then the spelling most records share, then the preferred record. */
static size_t
vote(struct group *g, int c)
{
    size_t top = 0, lead = SIZE_MAX, win = SIZE_MAX, win_n = 0;
    const char *only = NULL;

    /* most clusters agree on most fields: then there is nothing to weigh */
    for (size_t r = 0; r < g->n; r++) {
        const char *s = gval(g, g->rank[r], c);
        if (!s || !*s)
            continue;
        if (!only) {
            only = s;
            win = g->rank[r];
        } else if (strcmp(only, s) != 0) {
            win = SIZE_MAX;
            break;
        }
    }
    if (win != SIZE_MAX || !only)
        return win;
    vote_keys(g, c);
    for (size_t r = 0; r < g->n; r++) {
        size_t i = g->rank[r];
        if (!g->has_key[i])
            continue;
        size_t k = count_where(g, c, i, 1);
        if (k > top) {
            top = k;
            lead = i;
        }
    }
    if (lead == SIZE_MAX)
        return SIZE_MAX;
    for (size_t r = 0; r < g->n; r++) {
        size_t i = g->rank[r];
        if (!g->has_key[i] || strcmp(g->key[i], g->key[lead]) != 0)
            continue;
        size_t k = count_where(g, c, i, 0);
        if (win == SIZE_MAX || g->score[i] > g->score[win] ||
            (g->score[i] == g->score[win] && k > win_n)) {
            win = i;
            win_n = k;
        }
    }
    return win;
}

static int
group_emit(struct emit *e, struct group *g, struct dc_buf *ids, struct dc_error *err)
{
    struct row r;
    size_t best = 0, from[NREC];

    if (g->n == 0)
        return 0;
    qsort_r(g->rank, g->n, sizeof *g->rank, pref_cmp, g);
    best = g->rank[0];
    for (int c = 0; c < NREC; c++) {
        if (g->n == 1 || c == C_RECORD_ID || c == C_SOURCE || c == C_SRC_ROW ||
            c == C_CLUSTER_ID || c == C_SRC_FILE || c == C_SRC_LINE)
            from[c] = best; /* where the survivor comes from: the preferred record's */
        else if (c == C_FAMILY_NAME || c == C_MIDDLE_NAME || c == C_GIVEN_NAME)
            from[c] = from[C_FULL_NAME]; /* a name's parts follow the full name */
        else if (c == C_DOB_PRECISION)
            from[c] = from[C_DOB];
        else if (c >= C_PROVINCE_NAME && c <= C_NEW_WARD_NAME)
            from[c] = from[C_PROVINCE_CODE + (c - C_PROVINCE_NAME)]; /* a name follows its code */
        else
            from[c] = vote(g, c);
        const char *win = from[c] == SIZE_MAX ? NULL : gval(g, from[c], c);
        int fixed = c == C_RECORD_ID || c == C_SOURCE || c == C_SRC_ROW || c == C_CLUSTER_ID ||
                    c == C_SRC_FILE || c == C_SRC_LINE;
        if (win && !*win && !fixed)
            win = NULL; /* an empty value does not vote: it is no value */
        r.v[c] = win;
        r.n[c] = win ? strlen(win) : 0;
        r.type[c] = (win && (c == C_SRC_ROW || c == C_CLUSTER_ID || c == C_SRC_LINE ||
                             c == C_RECORD_ID))
                        ? SQLITE_INTEGER
                        : SQLITE_TEXT;
    }
    /* the records come sorted by record_id, so the first is the cluster id */
    r.v[C_RECORD_ID] = gval(g, 0, NREC); /* the COALESCEd cluster key */
    r.n[C_RECORD_ID] = strlen(r.v[C_RECORD_ID]);
    dc_buf_reset(ids);
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            dc_buf_putc(ids, ';');
        dc_buf_puts(ids, gval(g, i, C_RECORD_ID));
    }
    /* taken_from: the preferred record, then each field taken from another record */
    size_t ids_len = ids->len;
    dc_buf_putc(ids, '\0');
    dc_buf_puts(ids, gval(g, best, C_RECORD_ID));
    for (int c = 0; c < NREC; c++)
        if (from[c] != SIZE_MAX && from[c] != best && r.v[c] &&
            !(gval(g, best, c) && strcmp(gval(g, best, c), r.v[c]) == 0))
            dc_buf_printf(ids, ";%s=%s", records_cols[c].name, gval(g, from[c], C_RECORD_ID));
    if (ids->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    r.v[NREC] = ids->s;
    r.n[NREC] = ids_len;
    r.type[NREC] = SQLITE_TEXT;
    r.v[NREC + 1] = ids->s + ids_len + 1;
    r.n[NREC + 1] = ids->len - ids_len - 1;
    r.type[NREC + 1] = SQLITE_TEXT;
    return emit_row(e, &r, err);
}

static int
run_survivors(struct dc_db *db, struct emit *e, sqlite3_stmt *st, struct dc_error *err)
{
    struct group g = {DC_BUF_INIT, NULL, NULL, 0, 0, e->o->prefer, NULL, NULL, NULL};
    struct dc_buf ids = DC_BUF_INIT;
    struct row r;
    long long cur = 0;
    int rc, ret = -1;

    /* column NREC (the cluster key) is stored as an extra value of each record */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long key = sqlite3_column_int64(st, NREC);
        if (g.n && key != cur) {
            if (group_emit(e, &g, &ids, err) < 0)
                goto out;
            g.n = 0;
            dc_buf_reset(&g.store);
        }
        cur = key;
        fetch_row(e, st, NREC, &r);
        if (group_add(&g, &r, err) < 0)
            goto out;
        /* keep the key text too (column NREC) */
        g.off[g.n - 1][NREC] = g.store.len;
        dc_buf_puts(&g.store, (const char *)sqlite3_column_text(st, NREC));
        dc_buf_putc(&g.store, '\0');
        if (g.store.oom) {
            dc_error_set(err, DC_EX_OSERR, "out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read person", err);
        goto out;
    }
    if (group_emit(e, &g, &ids, err) < 0)
        goto out;
    ret = 0;
out:
    dc_buf_release(&g.store);
    dc_buf_release(&ids);
    free(g.off);
    free(g.rank);
    free(g.key);
    free(g.has_key);
    free(g.score);
    return ret;
}

/* The rows of e->v (the view's statement st, stepped to the end) through emit_row. */
static int
run_view(struct dc_db *db, struct emit *e, sqlite3_stmt *st, struct dc_error *err)
{
    struct row r;
    int rc;

    if (e->v == &v_survivors)
        return run_survivors(db, e, st, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fetch_row(e, st, e->v->ncols, &r);
        if (emit_row(e, &r, err) < 0)
            return -1;
    }
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "read export rows", err);
    return 0;
}

/* ---- xlsx: one sheet per table ---- */

/* The workbook's cell kinds for a view's columns: numbers stay numbers, IDs and codes
 * text, full dates real dates (xlsxout.h). */
static void
xlsx_cols(const struct view *v, struct dc_xlsx_col *out)
{
    for (int i = 0; i < v->ncols; i++) {
        out[i].name = v->cols[i].name;
        out[i].kind = v->cols[i].type == T_INT || v->cols[i].type == T_REAL ||
                              v->cols[i].type == T_NUM2
                          ? DC_XLSX_NUMBER
                      : v->cols[i].kind == K_DATE ? DC_XLSX_DATE
                                                  : DC_XLSX_TEXT;
    }
}

static int
write_xlsx(struct dc_db *db, struct emit *e, struct dc_error *err)
{
    const struct dc_export_opts *o = e->o;
    struct dc_export_opts one = *o;
    struct dc_xlsx_col cols[MAX_COLS];
    int nwhat = o->nwhat > 0 ? o->nwhat : 1;
    int ret = -1;

    e->x = dc_xlsx_new(err);
    if (!e->x)
        return -1;
    for (int k = 0; k < nwhat; k++) {
        sqlite3_stmt *st = NULL;
        one.what = o->nwhat > 0 ? o->whats[k] : o->what;
        one.survivors = o->survivors && one.what == DC_EXPORT_RECORDS;
        e->v = view_of(&one);
        xlsx_cols(e->v, cols);
        if (dc_xlsx_sheet(e->x, dc_export_table(&one), cols, e->v->ncols, err) < 0 ||
            dc_db_prepare(db, e->v->sql, &st, err) < 0)
            goto out;
        int rc = run_view(db, e, st, err);
        sqlite3_finalize(st);
        if (rc < 0)
            goto out;
    }
    ret = dc_xlsx_finish(e->x, e->fp, err);
out:
    dc_xlsx_free(e->x);
    e->x = NULL;
    return ret;
}

int
dc_export_write(struct dc_db *db, const struct dc_export_opts *o, FILE *fp, long long *rows,
                struct dc_error *err)
{
    struct emit e;
    struct unit_names names;
    sqlite3_stmt *st = NULL;
    FILE *out = fp;
    int ret = -1;

    *rows = 0;
    memset(&names, 0, sizeof names);
    memset(&e, 0, sizeof e);
    if (o->key && o->what == DC_EXPORT_REJECTS)
        return dc_error_set(err, DC_EX_USAGE,
                            "rejects hold raw rows and cannot be pseudonymized");
    for (int i = 0; i < o->nwhat; i++)
        if (o->key && o->whats[i] == DC_EXPORT_REJECTS)
            return dc_error_set(err, DC_EX_USAGE,
                                "rejects hold raw rows and cannot be pseudonymized");
    int has_records = o->what == DC_EXPORT_RECORDS;
    for (int i = 0; i < o->nwhat; i++)
        has_records |= o->whats[i] == DC_EXPORT_RECORDS;
    if (o->survivors && !has_records)
        return dc_error_set(err, DC_EX_USAGE, "--survivors applies to --what records only");
    if (o->excel && o->format != DC_EXPORT_CSV)
        return dc_error_set(err, DC_EX_USAGE, "--excel applies to --format csv only");
    if (o->delim && o->format != DC_EXPORT_CSV)
        return dc_error_set(err, DC_EX_USAGE, "--delimiter applies to --format csv only");
    if (o->delim == '"' || o->delim == '\n' || o->delim == '\r')
        return dc_error_set(err, DC_EX_USAGE, "a quote or a line end cannot separate fields");
    if (o->nwhat > 1 && o->format != DC_EXPORT_XLSX)
        return dc_error_set(err, DC_EX_USAGE,
                            "several tables in one export need --format xlsx (one sheet each)");
    if (o->format == DC_EXPORT_XLSX && o->gzip)
        return dc_error_set(err, DC_EX_USAGE, "an xlsx workbook is compressed already: no .gz");
    memset(&e, 0, sizeof e);
    e.o = o;
    e.v = view_of(o);
    if (has_records) {
        e.names = &names;
        if (unit_names_load(db, &names, err) < 0)
            goto out;
    }
    e.delim = o->delim ? (unsigned char)o->delim : ',';
    e.special[e.delim] = e.special['"'] = e.special['\n'] = e.special['\r'] = 1;
    if (o->gzip) {
        out = gz_wrap(fp);
        if (!out)
            return dc_error_set(err, DC_EX_OSERR, "cannot start gzip stream");
    }
    e.fp = out;
    if (o->format == DC_EXPORT_XLSX) {
        if (write_xlsx(db, &e, err) < 0)
            goto out;
    } else {
        if (dc_db_prepare(db, e.v->sql, &st, err) < 0 || emit_header(&e, err) < 0 ||
            run_view(db, &e, st, err) < 0)
            goto out;
        if (o->format == DC_EXPORT_SQL)
            dc_buf_puts(&e.line, "COMMIT;\n");
        if (flush(&e, 1, err) < 0)
            goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    unit_names_free(&names);
    dc_buf_release(&e.line);
    dc_buf_release(&e.wrap);
    if (out != fp && fclose(out) != 0 && ret == 0)
        ret = dc_error_set(err, DC_EX_IOERR, "write error (gzip): %s", strerror(errno));
    if (ret == 0 && (fflush(fp) != 0 || ferror(fp)))
        ret = dc_error_set(err, DC_EX_IOERR, "write error: %s", strerror(errno));
    if (ret == 0)
        *rows = e.rows;
    return ret;
}

char *
dc_export_schema_sql(const struct dc_export_opts *o, struct dc_error *err)
{
    const struct view *v = view_of(o);
    struct dc_buf b = DC_BUF_INIT;
    char *s;

    dc_buf_printf(&b, "-- dancu export --what %s: PostgreSQL table for the %s data.\n",
                  dc_export_what_name(o->what), o->format == DC_EXPORT_SQL ? "INSERT" : "COPY");
    dc_buf_puts(&b, "-- Codes are text (leading zeros); dob is text (YYYY, YYYY-MM or "
                    "YYYY-MM-DD).\n");
    /* IF NOT EXISTS: the same script runs every night (docs/national-load.md) */
    dc_buf_printf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", dc_export_table(o));
    for (int i = 0; i < v->ncols; i++) {
        const char *t = "text";
        switch (v->cols[i].type) {
        case T_INT: t = "bigint"; break;
        case T_REAL: t = "double precision"; break;
        case T_NUM2: t = "numeric(5,2)"; break;
        case T_BYTES: t = "bytea"; break;
        case T_TEXT: break;
        }
        dc_buf_printf(&b, "    %s %s%s\n", v->cols[i].name, t, i + 1 < v->ncols ? "," : "");
    }
    dc_buf_puts(&b, ");\n");
    if (b.oom) {
        dc_buf_release(&b);
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    s = b.s; /* the buffer's memory becomes the caller's */
    return s;
}

/* ---- atomic files ---- */

static int
fsync_dir_of(const char *path, struct dc_error *err)
{
    char *copy = strdup(path);
    int fd, rc = 0;

    if (!copy)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        rc = dc_error_set(err, DC_EX_IOERR, "%s: cannot sync folder: %s", path,
                          strerror(errno));
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

/* The temp file under the stream: bytes are hashed on their way to the file, so the
 * manifest's SHA-256 is of exactly the bytes written and the file is not read back (a
 * second pass over 230 MB for 1M records).  A stdio cookie, as gz_wrap, so the encoders,
 * gzip included, keep writing to a FILE.
 *
 * Hashing and write(2) (the kernel's copy into the page cache) run on a second thread,
 * fed through a ring of SINK_SLOTS buffers, while the main thread reads SQLite and
 * encodes: on the 1M-record set they are a quarter of the export's CPU time.  The ring
 * bounds the memory (slots of one stdio write each, 1-2 MiB); a write error is reported
 * by the next write or by dc_export_file_close, which drains the ring before its fsync,
 * so nothing counts as written before it is.  If the thread cannot start, the writes are
 * made inline. */
#define SINK_SLOTS 4

struct dc_export_sink {
    int fd;
    EVP_MD_CTX *md;
    long long bytes;
    int err;            /* errno of the first failed write or digest, 0 = none */
    int threaded;       /* the writer thread runs */
    int closing;        /* no more slots will be filled */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* a slot was filled or emptied, or closing was set */
    unsigned head;      /* slots filled, ever (the producer's count) */
    unsigned tail;      /* slots written, ever: head - tail are waiting */
    struct {
        char *p;
        size_t len, cap;
    } slot[SINK_SLOTS];
};

/* Write and hash one block; 0 or an errno value. */
static int
sink_out(struct dc_export_sink *k, const char *buf, size_t size)
{
    size_t done = 0;

    while (done < size) {
        ssize_t w = write(k->fd, buf + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        done += (size_t)w;
    }
    if (EVP_DigestUpdate(k->md, buf, size) != 1)
        return EIO;
    k->bytes += (long long)size;
    return 0;
}

static void *
sink_thread(void *arg)
{
    struct dc_export_sink *k = arg;

    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (k->head == k->tail && !k->closing)
            pthread_cond_wait(&k->cv, &k->mu);
        if (k->head == k->tail)
            break;
        /* the slot at tail is the consumer's until tail moves past it */
        unsigned i = k->tail % SINK_SLOTS;
        int failed = k->err;
        pthread_mutex_unlock(&k->mu);
        int e = failed ? 0 : sink_out(k, k->slot[i].p, k->slot[i].len);
        pthread_mutex_lock(&k->mu);
        if (e && !k->err)
            k->err = e;
        k->tail++;
        pthread_cond_broadcast(&k->cv);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

static ssize_t
sink_write(void *cookie, const char *buf, size_t size)
{
    struct dc_export_sink *k = cookie;
    int e;

    if (!k->threaded) {
        e = k->err ? k->err : sink_out(k, buf, size);
        if (e) {
            k->err = e;
            errno = e;
            return -1; /* glibc's cookie layer takes -1 as an error (0 would loop) */
        }
        return (ssize_t)size;
    }
    pthread_mutex_lock(&k->mu);
    while (k->head - k->tail == SINK_SLOTS && !k->err)
        pthread_cond_wait(&k->cv, &k->mu);
    e = k->err;
    pthread_mutex_unlock(&k->mu);
    if (e) {
        errno = e;
        return -1;
    }
    /* the slot at head is the producer's until head moves past it */
    unsigned i = k->head % SINK_SLOTS;
    if (k->slot[i].cap < size) {
        char *p = realloc(k->slot[i].p, size);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        k->slot[i].p = p;
        k->slot[i].cap = size;
    }
    memcpy(k->slot[i].p, buf, size);
    k->slot[i].len = size;
    pthread_mutex_lock(&k->mu);
    k->head++;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
    return (ssize_t)size;
}

/* Let the writer finish what is queued and stop; then k->err and k->bytes are final. */
static void
sink_drain(struct dc_export_sink *k)
{
    if (!k->threaded)
        return;
    pthread_mutex_lock(&k->mu);
    k->closing = 1;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->th, NULL);
    k->threaded = 0;
}

static int
sink_close(void *cookie)
{
    struct dc_export_sink *k = cookie;

    sink_drain(k); /* fclose flushed into the ring: the writer must not outlive the fd */
    int rc = close(k->fd);
    k->fd = -1;
    return rc;
}

static void
sink_free(struct dc_export_sink *k)
{
    if (!k)
        return;
    sink_drain(k);
    if (k->fd >= 0)
        close(k->fd);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    for (int i = 0; i < SINK_SLOTS; i++)
        free(k->slot[i].p);
    EVP_MD_CTX_free(k->md);
    free(k);
}

static struct dc_export_sink *
sink_new(int fd)
{
    struct dc_export_sink *k = calloc(1, sizeof *k);

    if (!k)
        return NULL;
    k->fd = -1;
    if (pthread_mutex_init(&k->mu, NULL) != 0) {
        free(k);
        return NULL;
    }
    if (pthread_cond_init(&k->cv, NULL) != 0) {
        pthread_mutex_destroy(&k->mu);
        free(k);
        return NULL;
    }
    k->md = EVP_MD_CTX_new();
    if (!k->md || EVP_DigestInit_ex(k->md, EVP_sha256(), NULL) != 1) {
        sink_free(k);
        return NULL;
    }
    k->fd = fd;
    /* no thread, no harm: sink_write then writes inline */
    k->threaded = pthread_create(&k->th, NULL, sink_thread, k) == 0;
    return k;
}

static void
set_buffer(struct dc_export_file *f)
{
    /* without the big buffer the export is only slower, so a failed malloc is no error */
    f->buf = malloc(STDIO_BUF);
    if (f->buf && setvbuf(f->fp, f->buf, _IOFBF, STDIO_BUF) != 0) {
        free(f->buf);
        f->buf = NULL;
    }
}

/* 1 when name is ".BASE.XXXXXX", the form of our temp files for BASE (mkstemp fills the
 * six X with letters and digits). */
static int
is_our_temp(const char *name, const char *base)
{
    size_t b = strlen(base), n = strlen(name);

    if (n != b + 8 || name[0] != '.' || strncmp(name + 1, base, b) != 0 || name[b + 1] != '.')
        return 0;
    for (size_t i = b + 2; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9')))
            return 0;
    return 1;
}

/* Remove the temp files a killed export of the same name left in dir (issue 19: 259 of
 * them after 313 kills, each holding personal data).  A writer holds flock(2) on its temp
 * file until the rename, and the lock dies with the process: a temp file of ours (our
 * uid, 0600, our name form) whose lock we can take has no live writer.  Best effort: a
 * file that cannot be looked at is left alone. */
static void
sweep_stale_temps(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        int fd;

        if (!is_our_temp(e->d_name, base))
            continue;
        fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
            (sb.st_mode & 0777) == 0600 && flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
        close(fd); /* releases the lock */
    }
    closedir(d);
}

int
dc_export_file_begin(struct dc_export_file *f, const char *path, struct dc_error *err)
{
    cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    struct stat sb;
    char *copy1 = NULL, *copy2 = NULL;
    int fd;

    memset(f, 0, sizeof *f);
    f->lock_fd = -1;
    f->path = path;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        f->direct = 1;
        f->fp = fopen(path, "w");
        if (!f->fp)
            return dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot open: %s", path,
                                strerror(errno));
        set_buffer(f);
        return 0;
    }
    copy1 = strdup(path);
    copy2 = strdup(path);
    if (!copy1 || !copy2) {
        free(copy1);
        free(copy2);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    /* dot-named temp in the same folder: rename(2) is atomic only within one filesystem */
    size_t n = strlen(path) + 16;
    f->tmp = malloc(n);
    if (f->tmp) {
        const char *dir = dirname(copy1), *base = basename(copy2);
        sweep_stale_temps(dir, base);
        snprintf(f->tmp, n, "%s/.%s.XXXXXX", dir, base);
    }
    free(copy1);
    free(copy2);
    if (!f->tmp)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    fd = mkstemp(f->tmp);
    if (fd < 0) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot create: %s", path, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        return -1;
    }
    /* held until the rename (on a second descriptor: the sink closes its own before),
     * so that another run's sweep_stale_temps leaves this file alone */
    f->lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (f->lock_fd < 0 || flock(f->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot lock the temp file: %s", path,
                     strerror(errno));
        close(fd);
        goto fail;
    }
    /* personal data: 0600 whatever the umask (reliability.md §3.2) */
    if (fchmod(fd, 0600) != 0) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    f->sink = sink_new(fd);
    if (!f->sink) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        close(fd);
        goto fail;
    }
    f->fp = fopencookie(f->sink, "w", io);
    if (!f->fp) {
        dc_error_set(err, DC_EX_OSERR, "%s: cannot create: %s", path, strerror(errno));
        goto fail; /* sink_free closes fd */
    }
    set_buffer(f);
    return 0;
fail:
    sink_free(f->sink);
    f->sink = NULL;
    unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    f->lock_fd = -1;
    return -1;
}

int
dc_export_file_close(struct dc_export_file *f, struct dc_error *err)
{
    FILE *fp = f->fp;
    int rc = 0;

    if (!fp)
        return 0;
    f->fp = NULL;
    if (fflush(fp) != 0 || ferror(fp))
        rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path, strerror(errno));
    if (f->sink && rc == 0) {
        /* every byte on its way to the file is written (or failed) before the fsync */
        sink_drain(f->sink);
        if (f->sink->err)
            rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path,
                              strerror(f->sink->err));
        else if (fsync(f->sink->fd) != 0)
            rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path,
                              strerror(errno));
    }
    if (fclose(fp) != 0 && rc == 0)
        rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path, strerror(errno));
    free(f->buf);
    f->buf = NULL;
    if (f->sink) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (rc == 0 && (EVP_DigestFinal_ex(f->sink->md, md, &n) != 1 || n != 32))
            rc = dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 failed");
        for (unsigned int i = 0; rc == 0 && i < n; i++)
            snprintf(f->sha256 + 2 * i, 3, "%02x", md[i]);
        f->bytes = f->sink->bytes;
        sink_free(f->sink);
        f->sink = NULL;
    }
    return rc;
}

int
dc_export_file_commit(struct dc_export_file *f, struct dc_error *err)
{
    if (dc_export_file_close(f, err) < 0)
        return -1;
    if (f->direct || !f->tmp)
        return 0;
    if (rename(f->tmp, f->path) != 0)
        return dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot rename into place: %s", f->path,
                            strerror(errno));
    free(f->tmp);
    f->tmp = NULL;
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    f->lock_fd = -1;
    return fsync_dir_of(f->path, err);
}

void
dc_export_file_abort(struct dc_export_file *f)
{
    if (f->fp)
        fclose(f->fp);
    f->fp = NULL;
    free(f->buf);
    f->buf = NULL;
    sink_free(f->sink);
    f->sink = NULL;
    if (f->tmp) {
        unlink(f->tmp);
        free(f->tmp);
        f->tmp = NULL;
    }
    if (f->lock_fd > 0) /* > 0: a zeroed struct never closes stdin (the lock fd is >= 3) */
        close(f->lock_fd);
    f->lock_fd = -1;
}

int
dc_export_write_small(const char *path, const char *data, size_t len, struct dc_error *err)
{
    struct dc_export_file f;

    if (dc_export_file_begin(&f, path, err) < 0)
        return -1;
    if (fwrite(data, 1, len, f.fp) != len) {
        dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", path, strerror(errno));
        dc_export_file_abort(&f);
        return -1;
    }
    if (dc_export_file_commit(&f, err) < 0) {
        dc_export_file_abort(&f);
        return -1;
    }
    return 0;
}
