/*
 * crosscheck.c - the crosscheck stage over the DB (see crosscheck.h).
 */
#include "crosscheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "csvio.h"
#include "header.h"
#include "json.h"
#include "normalize.h"
#include "refdata.h"

static const struct dc_xrule xrules[] = {
    {"AGAINST_MISMATCH", DC_SEV_WARNING, "",
     "Hồ sơ cùng số định danh trong nguồn đối chiếu có giá trị khác",
     "the record with the same ID in the --against source has a different value"},
};

size_t
dc_xrules_count(void)
{
    return sizeof xrules / sizeof xrules[0];
}

const struct dc_xrule *
dc_xrules_get(size_t i)
{
    return i < dc_xrules_count() ? &xrules[i] : NULL;
}

static const char select_person[] =
    "SELECT record_id, source, src_file, src_row, src_line, full_name, family_name, "
    "middle_name, given_name, name_key, dob, dob_precision, dob_raw, sex, sex_raw, id12, cmnd, "
    "id_raw, issue_date, expiry_date, ethnic, ethnic_code, religion, address_raw, "
    "address_detail, province_code, district_code, ward_code, new_province_code, new_ward_code, "
    "addr_confidence, mrz, qr, addr_reason, addr_era FROM person ORDER BY record_id";

static enum dc_date_precision
prec_of(const char *s)
{
    static const char *const names[] = {"", "year", "month", "day", "invalid"};
    for (int i = 1; s && i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return (enum dc_date_precision)i;
    return DC_DATE_NONE;
}

static void
load_person(sqlite3_stmt *q, struct dc_person *p)
{
#define T(i) ((const char *)sqlite3_column_text(q, i))
    memset(p, 0, sizeof *p);
    p->record_id = sqlite3_column_int64(q, 0);
    p->source = T(1);
    p->src_file = T(2);
    p->src_row = sqlite3_column_int64(q, 3);
    p->src_line = sqlite3_column_int64(q, 4);
    p->full_name = T(5);
    p->family_name = T(6);
    p->middle_name = T(7);
    p->given_name = T(8);
    p->name_key = T(9);
    p->dob = T(10);
    p->dob_precision = prec_of(T(11));
    p->dob_raw = T(12);
    const char *sx = T(13);
    p->sex = sx && (sx[0] == 'M' || sx[0] == 'F') ? sx[0] : 0;
    p->sex_raw = T(14);
    p->id12 = T(15);
    p->cmnd = T(16);
    p->id_raw = T(17);
    p->issue_date = T(18);
    p->expiry_date = T(19);
    p->ethnic = T(20);
    p->ethnic_code = T(21);
    p->religion = T(22);
    p->address_raw = T(23);
    p->address_detail = T(24);
    p->province_code = T(25);
    p->district_code = T(26);
    p->ward_code = T(27);
    p->new_province_code = T(28);
    p->new_ward_code = T(29);
    p->addr_confidence = sqlite3_column_double(q, 30);
    p->mrz = T(31);
    p->qr = T(32);
    p->addr_reason = T(33);
    p->addr_era = T(34);
#undef T
}

struct sink {
    struct dc_db *db;
    sqlite3_stmt *ins;
    struct dc_crosscheck_summary *s;
    int failed_rc;
};

static int
insert_finding(struct sink *k, long long record_id, const char *code, enum dc_severity sev,
               const char *field, const char *expected, const char *actual, const char *message)
{
    sqlite3_stmt *q = k->ins;
    int rc;

    if (record_id)
        sqlite3_bind_int64(q, 1, record_id);
    sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, dc_severity_name(sev), -1, SQLITE_STATIC);
    dc_db_bind_text(q, 4, field);
    dc_db_bind_text(q, 5, expected);
    dc_db_bind_text(q, 6, actual);
    sqlite3_bind_text(q, 7, message, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE) {
        k->failed_rc = rc;
        return -1;
    }
    if ((unsigned)sev < 3)
        k->s->findings[sev]++;
    return 0;
}

static int
emit(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    return insert_finding(ud, p->record_id, f->code, f->severity, f->field, f->expected,
                          f->actual, f->message);
}

/*
 * Records sharing an ID with a record of another person.  "Another person"
 * is another cluster after dedup; before dedup (no cluster rows) it is a
 * different folded name or a different known birth date.  Expected names
 * the other record so a clerk can look both up.
 */
static const char shared_sql[] =
    "SELECT p.record_id, min(o.record_id) FROM person p JOIN person o "
    "ON o.%s = p.%s AND o.record_id <> p.record_id "
    "LEFT JOIN cluster cp ON cp.record_id = p.record_id "
    "LEFT JOIN cluster co ON co.record_id = o.record_id "
    "WHERE p.%s IS NOT NULL AND CASE WHEN cp.cluster_id IS NOT NULL AND co.cluster_id IS NOT NULL "
    "THEN cp.cluster_id <> co.cluster_id "
    "ELSE (p.name_key IS NOT o.name_key) OR (p.dob IS NOT NULL AND o.dob IS NOT NULL AND "
    "p.dob <> o.dob) END GROUP BY p.record_id ORDER BY p.record_id";

static int
shared_rule(struct sink *k, const char *col, const char *code, const struct dc_rules_ctx *ctx,
            struct dc_error *err)
{
    const struct dc_rule *r = dc_rules_find(code);
    char sql[sizeof shared_sql + 64];
    sqlite3_stmt *q = NULL;
    char other[32];
    int rc;

    if (!r)
        return 0;
    /* col is one of two constants, never data */
    snprintf(sql, sizeof sql, shared_sql, col, col, col);
    if (dc_db_prepare(k->db, sql, &q, err) < 0)
        return -1;
    const char *msg = ctx->lang && strcmp(ctx->lang, "en") == 0 ? r->desc_en : r->desc_vi;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        snprintf(other, sizeof other, "record %lld", (long long)sqlite3_column_int64(q, 1));
        if (insert_finding(k, sqlite3_column_int64(q, 0), r->code, r->severity, col, "",
                           other, msg) < 0) {
            sqlite3_finalize(q);
            return dc_db_fail(k->db, k->failed_rc, "insert finding", err);
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(k->db, rc, "shared ids", err);
    return 0;
}

/* ---- --against ---- */

static const char against_cols[] =
    "id12 TEXT, name_key TEXT, full_name TEXT, dob TEXT, sex TEXT, ward_code TEXT, "
    "new_ward_code TEXT";

static int
against_from_db(struct dc_db *db, const char *path, struct dc_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (dc_db_prepare(db, "ATTACH DATABASE ?1 AS other", &q, err) < 0)
        return -1;
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "attach --against", err);
    rc = dc_db_exec(db,
                    "INSERT INTO temp.against SELECT id12, name_key, full_name, dob, sex, "
                    "ward_code, new_ward_code FROM other.person WHERE id12 IS NOT NULL",
                    err);
    if (dc_db_exec(db, "DETACH DATABASE other", rc < 0 ? NULL : err) < 0 && rc == 0)
        return -1;
    return rc;
}

static int
against_from_csv(struct dc_db *db, const char *path, struct dc_error *err)
{
    struct dc_csv_opts copts = {.encoding = "auto"};
    struct dc_csv_reader *r = dc_csv_open(path, &copts, err);
    struct dc_norm_buf *b = dc_norm_buf_new();
    struct dc_catalog *cat = NULL;
    struct dc_header_map *map = NULL;
    sqlite3_stmt *ins = NULL;
    struct dc_csv_row row;
    const char *raw[DC_F_COUNT];
    int rc, ret = -1;

    if (!r || !b)
        goto out;
    const struct dc_csv_row *h = dc_csv_header(r);
    map = calloc(h->nfields ? h->nfields : 1, sizeof *map);
    if (!map || dc_header_map((const char *const *)h->fields, h->nfields, NULL, map, err) < 0)
        goto out;
    {
        int builtin;
        if (dc_refdata_catalog(db, &cat, &builtin, err) < 0)
            goto out;
    }
    struct dc_normalize_opts o = {.tone = DC_TONE_OLD, .pivot_year = 2026, .cat = cat};
    if (dc_db_prepare(db, "INSERT INTO temp.against VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &ins,
                      err) < 0)
        goto out;
    while ((rc = dc_csv_next(r, &row, err)) == 1) {
        struct dc_person p;
        if (row.reject)
            continue;
        memset(raw, 0, sizeof raw);
        for (size_t i = 0; i < row.nfields && i < h->nfields; i++)
            if (map[i].field >= 0)
                raw[map[i].field] = row.fields[i];
        memset(&p, 0, sizeof p);
        if (dc_normalize_record(raw, &o, b, &p, NULL, NULL, err) < 0)
            goto out;
        if (!p.id12 || !*p.id12)
            continue;
        char sex[2] = {p.sex, 0};
        const char *v[] = {p.id12, p.name_key, p.full_name, p.dob, sex, p.ward_code,
                           p.new_ward_code};
        for (int i = 0; i < 7; i++)
            dc_db_bind_text(ins, i + 1, v[i]);
        if (dc_db_step_done(db, ins, "insert against", err) < 0)
            goto out;
    }
    if (rc == 0)
        ret = 0;
out:
    sqlite3_finalize(ins);
    free(map);
    dc_catalog_free(cat);
    dc_norm_buf_free(b);
    dc_csv_close(r);
    return ret;
}

/* The --against rows into temp.against, before the stage's transaction: SQLite cannot
 * DETACH a database inside a transaction ("database other is locked", issue 19), and the
 * temp schema is this connection's alone, so nothing of the main file changes here. */
static int
load_against(struct dc_db *db, const char *against, struct dc_error *err)
{
    char ddl[256];

    snprintf(ddl, sizeof ddl, "CREATE TEMP TABLE against (%s)", against_cols);
    if (dc_db_exec(db, "DROP TABLE IF EXISTS temp.against", err) < 0 ||
        dc_db_exec(db, ddl, err) < 0)
        return -1;
    if (dc_db_is_sqlite_file(against)) {
        if (against_from_db(db, against, err) < 0)
            return -1;
    } else if (dc_db_exec(db, "BEGIN", err) < 0 || against_from_csv(db, against, err) < 0 ||
               dc_db_exec(db, "COMMIT", err) < 0) {
        dc_db_rollback(db);
        return -1;
    }
    return dc_db_exec(db, "CREATE INDEX temp.against_id ON against(id12)", err);
}

static int
against_compare(struct sink *k, const struct dc_rules_ctx *ctx, struct dc_error *err)
{
    /* field name, our column, their column; names compare by folded key */
    static const char *const cmp[][3] = {
        {"full_name", "p.name_key", "a.name_key"}, {"dob", "p.dob", "a.dob"},
        {"sex", "p.sex", "a.sex"},                 {"ward_code", "p.ward_code", "a.ward_code"},
        {"new_ward_code", "p.new_ward_code", "a.new_ward_code"},
    };
    static const char *const shown[][2] = {
        {"p.full_name", "a.full_name"}, {"p.dob", "a.dob"}, {"p.sex", "a.sex"},
        {"p.ward_code", "a.ward_code"}, {"p.new_ward_code", "a.new_ward_code"},
    };
    const char *msg = ctx->lang && strcmp(ctx->lang, "en") == 0 ? xrules[0].desc_en
                                                               : xrules[0].desc_vi;
    for (size_t c = 0; c < sizeof cmp / sizeof cmp[0]; c++) {
        char sql[512];
        sqlite3_stmt *q = NULL;
        int rc;
        /* columns are constants of the table above, never data */
        snprintf(sql, sizeof sql,
                 "SELECT p.record_id, min(%s), min(%s) FROM person p JOIN temp.against a "
                 "ON a.id12 = p.id12 WHERE %s IS NOT NULL AND %s IS NOT NULL AND %s <> %s "
                 "GROUP BY p.record_id ORDER BY p.record_id",
                 shown[c][1], shown[c][0], cmp[c][1], cmp[c][2], cmp[c][1], cmp[c][2]);
        if (dc_db_prepare(k->db, sql, &q, err) < 0)
            return -1;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (insert_finding(k, sqlite3_column_int64(q, 0), xrules[0].code,
                               xrules[0].severity, cmp[c][0],
                               (const char *)sqlite3_column_text(q, 1),
                               (const char *)sqlite3_column_text(q, 2), msg) < 0) {
                sqlite3_finalize(q);
                return dc_db_fail(k->db, k->failed_rc, "insert finding", err);
            }
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return dc_db_fail(k->db, rc, "against", err);
    }
    long long n = dc_db_count(k->db,
                              "SELECT count(DISTINCT p.record_id) FROM person p "
                              "JOIN temp.against a ON a.id12 = p.id12",
                              err);
    if (n < 0)
        return -1;
    k->s->against_matched = (long)n;
    return 0;
}

int
dc_crosscheck_db(struct dc_db *db, const struct dc_rules_ctx *ctx, const char *against,
                 const char *now_iso, struct dc_crosscheck_summary *s, struct dc_error *err)
{
    struct sink k = {db, NULL, s, 0};
    struct dc_buf indexes = DC_BUF_INIT;
    sqlite3_stmt *sel = NULL, *upd = NULL;
    struct dc_person p;
    int rc;

    memset(s, 0, sizeof *s);
    if (against && load_against(db, against, err) < 0)
        return -1;
    if (dc_db_begin(db, err) < 0)
        return -1;
    if (dc_db_exec(db, "DELETE FROM finding", err) < 0 ||
        dc_db_indexes_drop(db, "finding", &indexes, err) < 0 ||
        dc_db_batch_start(db, "crosscheck", now_iso, &s->batch_id, err) < 0 ||
        dc_db_prepare(db, select_person, &sel, err) < 0 ||
        dc_db_prepare(db,
                      "INSERT INTO finding(record_id, code, severity, field, expected, actual, "
                      "message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      &k.ins, err) < 0)
        goto fail;
    long long total = ctx->progress ? dc_db_count(db, "SELECT count(*) FROM person", err) : 0;
    if (total < 0)
        goto fail;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        if (ctx->progress && s->records % DC_PROGRESS_EVERY == 0 && s->records)
            ctx->progress(ctx->progress_ud, s->records, total);
        load_person(sel, &p);
        if (dc_rules_check(&p, ctx, emit, &k, err) < 0) {
            if (k.failed_rc) {
                dc_error_clear(err);
                dc_db_fail(db, k.failed_rc, "insert finding", err);
            }
            goto fail;
        }
        s->records++;
    }
    if (rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read person", err);
        goto fail;
    }
    sqlite3_finalize(sel);
    sel = NULL;
    if (shared_rule(&k, "id12", "ID_SHARED", ctx, err) < 0 ||
        shared_rule(&k, "cmnd", "CMND_SHARED", ctx, err) < 0)
        goto fail;
    if (against && against_compare(&k, ctx, err) < 0)
        goto fail;
    if (dc_db_prepare(db,
                      "UPDATE batch SET rows_read = ?2, rows_ok = ?2, rows_rejected = ?3, "
                      "finished = ?4 WHERE id = ?1",
                      &upd, err) < 0)
        goto fail;
    if (dc_db_indexes_restore(db, &indexes, err) < 0)
        goto fail;
    sqlite3_bind_int64(upd, 1, s->batch_id);
    sqlite3_bind_int64(upd, 2, s->records);
    sqlite3_bind_int64(upd, 3, s->findings[DC_SEV_ERROR]);
    sqlite3_bind_text(upd, 4, now_iso, -1, SQLITE_STATIC);
    if (dc_db_step_done(db, upd, "update batch", err) < 0)
        goto fail;
    sqlite3_finalize(upd);
    sqlite3_finalize(k.ins);
    upd = k.ins = NULL;
    if (dc_db_commit(db, err) < 0)
        goto fail;
    dc_buf_release(&indexes);
    return 0;
fail:
    dc_buf_release(&indexes);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_finalize(k.ins);
    dc_db_rollback(db);
    return -1;
}
