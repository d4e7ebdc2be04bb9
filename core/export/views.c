/*
 * export/views.c - what each export holds: the SELECT of every --what in output order,
 * its columns with their type, PII mark and spreadsheet kind; the names of the tables
 * and formats; keyed pseudonyms of PII values and the key file.
 * Not for: encoding the rows (encode.c).
 */
#include "export_int.h"
#include "util/hex.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <strings.h>

#define RECORD_COLS                                                                                \
    {"record_id", T_INT, P_NO, K_PLAIN}, {"source", T_TEXT, P_NO, K_PLAIN},                        \
        {"src_row", T_INT, P_NO, K_PLAIN}, {"cluster_id", T_INT, P_NO, K_PLAIN},                   \
        {"full_name", T_TEXT, P_ALWAYS, K_PLAIN}, {"family_name", T_TEXT, P_ALWAYS, K_PLAIN},      \
        {"middle_name", T_TEXT, P_ALWAYS, K_PLAIN}, {"given_name", T_TEXT, P_ALWAYS, K_PLAIN},     \
        {"dob", T_TEXT, P_NO, K_CODE}, {"dob_precision", T_TEXT, P_NO, K_PLAIN},                   \
        {"sex", T_TEXT, P_NO, K_PLAIN}, {"id12", T_TEXT, P_ALWAYS, K_CODE},                        \
        {"cmnd", T_TEXT, P_ALWAYS, K_CODE}, {"ethnic", T_TEXT, P_NO, K_PLAIN},                     \
        {"province_code", T_TEXT, P_NO, K_CODE}, {"district_code", T_TEXT, P_NO, K_CODE},          \
        {"ward_code", T_TEXT, P_NO, K_CODE}, {"new_province_code", T_TEXT, P_NO, K_CODE},          \
        {"new_ward_code", T_TEXT, P_NO, K_CODE}, {"address_detail", T_TEXT, P_NO, K_PLAIN},        \
        {"src_file", T_TEXT, P_NO, K_PLAIN}, {"src_line", T_INT, P_NO, K_PLAIN},                   \
        {"ethnic_code", T_TEXT, P_NO, K_CODE}, {"issue_date", T_TEXT, P_NO, K_DATE},               \
        {"expiry_date", T_TEXT, P_NO, K_DATE}, {"addr_confidence", T_NUM2, P_NO, K_PLAIN},         \
        {"addr_reason", T_TEXT, P_NO, K_PLAIN}, {"dob_raw", T_TEXT, P_NO, K_CODE},                 \
        {"address_raw", T_TEXT, P_NO, K_PLAIN}, {"province_name", T_TEXT, P_NO, K_PLAIN},          \
        {"district_name", T_TEXT, P_NO, K_PLAIN}, {"ward_name", T_TEXT, P_NO, K_PLAIN},            \
        {"new_province_name", T_TEXT, P_NO, K_PLAIN}, {"new_ward_name", T_TEXT, P_NO, K_PLAIN},    \
    {                                                                                              \
        "addr_era", T_TEXT, P_NO, K_PLAIN                                                          \
    }

const struct col export_records_cols[] = {RECORD_COLS};
static const struct col survivors_cols[] = {RECORD_COLS,
                                            {"contributing_record_ids", T_TEXT, P_NO, K_PLAIN},
                                            {"taken_from", T_TEXT, P_NO, K_PLAIN}};
_Static_assert(sizeof export_records_cols / sizeof export_records_cols[0] == NREC,
               "NREC counts the records view's columns");

#define RECORD_SELECT                                                                              \
    "SELECT p.record_id, p.source, p.src_row, c.cluster_id, p.full_name, p.family_name,"           \
    " p.middle_name, p.given_name, p.dob, p.dob_precision, p.sex, p.id12, p.cmnd, p.ethnic,"       \
    " p.province_code, p.district_code, p.ward_code, p.new_province_code, p.new_ward_code,"        \
    " p.address_detail, p.src_file, p.src_line, p.ethnic_code, p.issue_date, p.expiry_date,"       \
    " p.addr_confidence, p.addr_reason, p.dob_raw, p.address_raw,"                                 \
    " NULL, NULL, NULL, NULL, NULL, p.addr_era"
/* The five NULLs are the unit names (issue 13 §3: a clerk reads names), filled by
 * export_fetch_row from struct unit_names. */
#define RECORD_FROM " FROM person p LEFT JOIN cluster c ON c.record_id = p.record_id"

/* The person_src index (source, src_row, then the rowid) gives this order without a sort
 * (EXPLAIN QUERY PLAN: SCAN p USING INDEX person_src). */
const struct view export_v_records = {RECORD_SELECT RECORD_FROM
                                      " ORDER BY p.source, p.src_row, p.record_id",
                                      export_records_cols, NREC, -1};
/* Column NREC is the cluster key the groups are cut on. */
const struct view export_v_survivors = {
    RECORD_SELECT ", COALESCE(c.cluster_id, p.record_id)" RECORD_FROM
                  " ORDER BY COALESCE(c.cluster_id, p.record_id), p.record_id",
    survivors_cols, NREC + 2, -1};

/* The person and the place a clerk looks for come after the finding's own columns (issue
 * #15): src_file and src_line (the physical line, header counted: the row number a
 * spreadsheet shows for a one-line record), then full_name, dob and id12. */
static const struct col findings_cols[] = {{"record_id", T_INT, P_NO, K_PLAIN},
                                           {"source", T_TEXT, P_NO, K_PLAIN},
                                           {"src_row", T_INT, P_NO, K_PLAIN},
                                           {"code", T_TEXT, P_NO, K_PLAIN},
                                           {"severity", T_TEXT, P_NO, K_PLAIN},
                                           {"field", T_TEXT, P_NO, K_PLAIN},
                                           {"expected", T_TEXT, P_IF_FIELD, K_CODE},
                                           {"actual", T_TEXT, P_IF_FIELD, K_CODE},
                                           {"message", T_TEXT, P_NO, K_PLAIN},
                                           {"src_file", T_TEXT, P_NO, K_PLAIN},
                                           {"src_line", T_INT, P_NO, K_PLAIN},
                                           {"full_name", T_TEXT, P_ALWAYS, K_PLAIN},
                                           {"dob", T_TEXT, P_NO, K_CODE},
                                           {"id12", T_TEXT, P_ALWAYS, K_CODE}};
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
    {"ward_code", T_TEXT, P_NO, K_CODE}, {"source", T_TEXT, P_NO, K_PLAIN},
    {"src_file", T_TEXT, P_NO, K_PLAIN}, {"src_line", T_INT, P_NO, K_PLAIN},
    {"record_id", T_INT, P_NO, K_PLAIN}, {"full_name", T_TEXT, P_ALWAYS, K_PLAIN},
    {"dob", T_TEXT, P_NO, K_CODE},       {"id12", T_TEXT, P_ALWAYS, K_CODE},
    {"severity", T_TEXT, P_NO, K_PLAIN}, {"codes", T_TEXT, P_NO, K_PLAIN},
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
    {"a", T_INT, P_NO, K_PLAIN},         {"a_source", T_TEXT, P_NO, K_PLAIN},
    {"a_src_row", T_INT, P_NO, K_PLAIN}, {"b", T_INT, P_NO, K_PLAIN},
    {"b_source", T_TEXT, P_NO, K_PLAIN}, {"b_src_row", T_INT, P_NO, K_PLAIN},
    {"weight", T_REAL, P_NO, K_PLAIN},   {"prob", T_REAL, P_NO, K_PLAIN},
    {"gamma", T_INT, P_NO, K_PLAIN}};
static const struct view v_pairs = {
    "SELECT r.a, pa.source, pa.src_row, r.b, pb.source, pb.src_row, r.weight, r.prob, r.gamma"
    " FROM pair r LEFT JOIN person pa ON pa.record_id = r.a"
    " LEFT JOIN person pb ON pb.record_id = r.b ORDER BY r.a, r.b",
    pairs_cols, 9, -1};

static const struct col rejects_cols[] = {
    {"batch_id", T_INT, P_NO, K_PLAIN},  {"source", T_TEXT, P_NO, K_PLAIN},
    {"src_file", T_TEXT, P_NO, K_PLAIN}, {"src_row", T_INT, P_NO, K_PLAIN},
    {"src_line", T_INT, P_NO, K_PLAIN},  {"reason", T_TEXT, P_NO, K_PLAIN},
    {"raw", T_BYTES, P_NO, K_PLAIN}};
static const struct view v_rejects = {
    "SELECT batch_id, source, src_file, src_row, src_line, reason, raw FROM reject"
    " ORDER BY batch_id, src_row, id",
    rejects_cols, 7, -1};

/* The change rows, and per source the format-only changes normalize counted instead
 * (change_count, issue 17): record_id, src_row, before and after empty, count the times
 * the rule was applied (1 on a change row).  Those come first in their source. */
static const struct col changes_cols[] = {
    {"record_id", T_INT, P_NO, K_PLAIN},    {"source", T_TEXT, P_NO, K_PLAIN},
    {"src_row", T_INT, P_NO, K_PLAIN},      {"field", T_TEXT, P_NO, K_PLAIN},
    {"before", T_TEXT, P_IF_FIELD, K_CODE}, {"after", T_TEXT, P_IF_FIELD, K_CODE},
    {"rule", T_TEXT, P_NO, K_PLAIN},        {"count", T_INT, P_NO, K_PLAIN}};
static const struct view v_changes = {
    "SELECT c.record_id, p.source, p.src_row, c.field, c.before, c.after, c.rule, 1,"
    " c.rowid AS k FROM change c LEFT JOIN person p ON p.record_id = c.record_id"
    " UNION ALL SELECT NULL, b.source, NULL, t.field, NULL, NULL, t.rule, sum(t.n), 0"
    " FROM change_count t LEFT JOIN batch b ON b.id = t.batch_id"
    " GROUP BY b.source, t.field, t.rule"
    " ORDER BY 2, 3, 1, 9, 4, 7",
    changes_cols, 8, 3};

const struct view *
export_view_of(const struct dc_export_opts *o)
{
    switch (o->what) {
    case DC_EXPORT_RECORDS:
        return o->survivors ? &export_v_survivors : &export_v_records;
    case DC_EXPORT_FINDINGS:
        return &v_findings;
    case DC_EXPORT_CLUSTERS:
        return &v_clusters;
    case DC_EXPORT_PAIRS:
        return &v_pairs;
    case DC_EXPORT_REJECTS:
        return &v_rejects;
    case DC_EXPORT_CHANGES:
        return &v_changes;
    case DC_EXPORT_WORKLIST:
        return &v_worklist;
    }
    return &export_v_records;
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
    } exts[] = {{".csv", DC_EXPORT_CSV},     {".jsonl", DC_EXPORT_JSONL},
                {".copy", DC_EXPORT_PGCOPY}, {".pgcopy", DC_EXPORT_PGCOPY},
                {".sql", DC_EXPORT_SQL},     {".xlsx", DC_EXPORT_XLSX}};
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

static const char *const pii_fields[] = {"id12",        "cmnd",        "full_name",
                                         "family_name", "middle_name", "given_name"};

int
export_is_pii_field(const char *f)
{
    if (!f)
        return 0;
    for (size_t i = 0; i < sizeof pii_fields / sizeof pii_fields[0]; i++)
        if (strcmp(f, pii_fields[i]) == 0)
            return 1;
    return 0;
}

int
dc_export_pseudonym(const unsigned char *key, size_t key_len, const char *s, size_t n, char out[19],
                    struct dc_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (key_len > (size_t)INT32_MAX ||
        !HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)s, n, md, &mdlen) ||
        mdlen < 8)
        return dc_error_set(err, DC_EX_SOFTWARE, "HMAC-SHA-256 failed");
    out[0] = 'p';
    out[1] = '_';
    dc_hex_encode(md, 8, out + 2);
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
