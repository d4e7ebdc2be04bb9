/*
 * normalize.c - canonical form of one record (normalize.h); the DB pass is normalize_db.c.
 */
#include "normalize.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "encoding.h"
#include "hash.h"
#include "json.h"
#include "namenote.h"
#include "vndate.h"
#include "vnid.h"

/*
 * Address memo: members of one household share an address and sit on
 * consecutive rows, and the same people come back in the other registers, so
 * most address texts have been matched before.  A direct-mapped table of the
 * last results by text (dc_addr_match is a pure function of the catalogue and
 * the text); allocated on first use, bounded.
 */
#define ADDR_MEMO_SLOTS 16384 /* power of two: about 14 MB */

struct addr_memo {
    char *text; /* malloc'd key, NULL = empty slot */
    struct dc_addr addr;
};

/*
 * Name memo: the same way, for the name pipeline (repair, then
 * dc_name_normalize), whose result depends only on the text and the tone
 * style.  The person fields point into the entry, which stays put until the
 * next record's name is looked up.
 */
#define NAME_MEMO_SLOTS 65536 /* power of two: about 5 MB plus the strings */

struct name_memo {
    char *raw;      /* malloc'd key, NULL = empty slot */
    char *repaired; /* mojibake-repaired text, or NULL */
    const char *repair_rule;
    int unreadable; /* dc_name_normalize refused it (too long, not UTF-8) */
    enum dc_tone_style tone;
    struct dc_name name;
};

struct dc_norm_buf {
    struct { /* a column of sexes has a handful of spellings */
        char raw[16];
        char sex;
        int recognised;
    } sexm[8];
    unsigned sexn;
    struct { /* and of ethnic groups, a few dozen */
        char raw[48];
        const struct dc_ethnic_table *t;
        int idx; /* entry of t, or -1: not in the catalogue */
    } ethm[16];
    unsigned ethn;
    struct addr_memo *amemo;
    const struct dc_catalog *amemo_cat; /* the catalogue the memo's results came from */
    struct name_memo *nmemo;
    struct name_memo one;        /* the only slot when the memo cannot be allocated */
    char joined[DC_NAME_MAX];    /* family + middle + given from split columns */
    char name_part[DC_NAME_MAX]; /* the name cell without its note */
    char name_note[DC_NAME_MAX]; /* the note (namenote.h) */
    struct dc_date dob, issue, expiry;
    char id12[13], cmnd[13];
    char sex_out[2];
    struct dc_addr addr;
    char addr_joined[DC_ADDR_MAX_TEXT];
    char ethnic_code[3];
    char ethnic_name[96];
    char fold[256];
};

struct dc_ethnic_table {
    size_t n;
    struct {
        char key[96]; /* folded, letters and digits only */
        char code[3];
        char name[96];
    } e[256];
};

struct dc_norm_buf *
dc_norm_buf_new(void)
{
    return calloc(1, sizeof(struct dc_norm_buf));
}

static void
name_memo_clear(struct name_memo *m)
{
    free(m->raw);
    free(m->repaired);
    dc_name_release(&m->name);
    memset(m, 0, sizeof *m);
}

void
dc_norm_buf_free(struct dc_norm_buf *b)
{
    if (!b)
        return;
    if (b->nmemo)
        for (size_t i = 0; i < NAME_MEMO_SLOTS; i++)
            name_memo_clear(&b->nmemo[i]);
    free(b->nmemo);
    name_memo_clear(&b->one);
    if (b->amemo)
        for (size_t i = 0; i < ADDR_MEMO_SLOTS; i++)
            free(b->amemo[i].text);
    free(b->amemo);
    free(b);
}

/* dc_addr_match through the memo; falls back to the plain call when memory is short. */
static int
addr_match_memo(struct dc_norm_buf *b, const struct dc_catalog *cat, const char *text,
                struct dc_addr *out, struct dc_error *err)
{
    struct addr_memo *m;

    if (!b->amemo && !(b->amemo = calloc(ADDR_MEMO_SLOTS, sizeof *b->amemo)))
        return dc_addr_match(cat, text, out, err);
    if (b->amemo_cat != cat) {
        /* another catalogue: what the memo holds no longer applies */
        for (size_t i = 0; i < ADDR_MEMO_SLOTS; i++) {
            free(b->amemo[i].text);
            b->amemo[i].text = NULL;
        }
        b->amemo_cat = cat;
    }
    m = &b->amemo[dc_hash32(text, strlen(text)) & (ADDR_MEMO_SLOTS - 1)];
    if (m->text && strcmp(m->text, text) == 0) {
        memcpy(out, &m->addr, sizeof *out);
        return 0;
    }
    if (dc_addr_match(cat, text, out, err) < 0)
        return -1;
    char *key = strdup(text);
    if (key) {
        free(m->text);
        m->text = key;
        memcpy(&m->addr, out, sizeof *out);
    }
    return 0;
}

static int
given(const char *s)
{
    return s && *s;
}

static int
report(dc_change_fn change, void *ud, const char *field, const char *before, const char *after,
       const char *rule, long *count)
{
    if (!change)
        return 0;
    if (count)
        (*count)++;
    return change(ud, field, before, after ? after : "", rule);
}

/* Squeezed fold key: letters and digits only ("Ê Đê" -> "ede"). */
static void
squeeze_key(const char *in, char *out, size_t size)
{
    char tmp[256];
    size_t o = 0;

    if (dc_text_fold(in, tmp, sizeof tmp) < 0)
        tmp[0] = '\0';
    for (const char *p = tmp; *p && o + 1 < size; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            out[o++] = *p;
    out[o] = '\0';
}

/* The memo entry for in, filled on a miss; NULL on a failure other than bad
 * data (err set). */
static struct name_memo *
name_lookup(struct dc_norm_buf *b, const char *in, enum dc_tone_style tone, struct dc_error *err)
{
    struct name_memo *m = &b->one;

    if (!b->nmemo)
        b->nmemo = calloc(NAME_MEMO_SLOTS, sizeof *b->nmemo);
    if (b->nmemo)
        m = &b->nmemo[dc_hash32(in, strlen(in)) & (NAME_MEMO_SLOTS - 1)];
    if (m->raw && m->tone == tone && strcmp(m->raw, in) == 0)
        return m;
    name_memo_clear(m);
    if (!(m->raw = strdup(in))) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    m->tone = tone;
    const char *text = in;
    if (dc_enc_repair(in, &m->repaired, &m->repair_rule) == 1)
        text = m->repaired;
    if (dc_name_normalize(text, tone, &m->name, err) < 0) {
        if (err && err->status != DC_EX_DATAERR) {
            name_memo_clear(m);
            return NULL;
        }
        dc_error_clear(err);
        dc_name_release(&m->name);
        m->unreadable = 1;
    }
    return m;
}

static int
norm_name(const char *const *raw, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
          struct dc_person *p, dc_change_fn change, void *ud, struct dc_error *err)
{
    const char *in = raw[DC_F_FULL_NAME];
    char rules[128];
    struct name_memo *m;

    if (!given(in) && (given(raw[DC_F_FAMILY_NAME]) || given(raw[DC_F_GIVEN_NAME]))) {
        /* split columns: the full name is their join */
        snprintf(b->joined, sizeof b->joined, "%s %s %s",
                 raw[DC_F_FAMILY_NAME] ? raw[DC_F_FAMILY_NAME] : "",
                 raw[DC_F_MIDDLE_NAME] ? raw[DC_F_MIDDLE_NAME] : "",
                 raw[DC_F_GIVEN_NAME] ? raw[DC_F_GIVEN_NAME] : "");
        in = b->joined;
    }
    if (!given(in))
        return 0;
    /* "Đoàn Văn Tâm (con)": the note is not part of the name; too long for
     * the buffers (-1) leaves the text to the name's own length check */
    if (dc_name_note_split(in, b->name_part, sizeof b->name_part, b->name_note,
                           sizeof b->name_note) == 1) {
        if (report(change, ud, "full_name", in, b->name_part, "name-note-moved", NULL) < 0)
            return dc_error_set(err, DC_EX_IOERR, "cannot record change");
        p->name_note = b->name_note;
        in = b->name_part;
    }
    if (!(m = name_lookup(b, in, o->tone, err)))
        return -1;
    if (m->repaired) {
        if (report(change, ud, "full_name", in, m->repaired, m->repair_rule, NULL) < 0)
            return dc_error_set(err, DC_EX_IOERR, "cannot record change");
        in = m->repaired;
    }
    if (m->unreadable) {
        /* too long or not UTF-8: a bad value, not a failed run: keep the
         * raw text and say so (crosscheck sees the missing name) */
        if (report(change, ud, "full_name", in, "", "name-unreadable-kept-raw", NULL) < 0)
            return dc_error_set(err, DC_EX_IOERR, "cannot record change");
        return 0;
    }
    p->full_name = m->name.full;
    p->family_name = m->name.family;
    p->middle_name = m->name.middle;
    p->given_name = m->name.given;
    p->name_key = m->name.key;
    unsigned changed = m->name.rules & ~(DC_NAME_NO_DIACRITICS | DC_NAME_EMPTY);
    if (changed && strcmp(in, m->name.full) != 0) {
        dc_name_rule_names(changed, rules, sizeof rules);
        if (report(change, ud, "full_name", in, m->name.full, rules, NULL) < 0)
            return dc_error_set(err, DC_EX_IOERR, "cannot record change");
    }
    if (m->name.rules & DC_NAME_NO_DIACRITICS) {
        /* kept as typed, never guessed: a flag for the clerk */
        if (report(change, ud, "full_name", m->name.full, m->name.full, "no-diacritics", NULL) < 0)
            return dc_error_set(err, DC_EX_IOERR, "cannot record change");
    }
    return 0;
}

static int
norm_date(const char *field, const char *raw, int pivot, struct dc_date *d, const char **iso,
          enum dc_date_precision *prec, const char **keep_raw, dc_change_fn change, void *ud)
{
    memset(d, 0, sizeof *d);
    if (!given(raw)) {
        if (prec)
            *prec = DC_DATE_NONE;
        return 0;
    }
    dc_date_parse(raw, pivot, d);
    if (prec)
        *prec = d->precision;
    if (d->precision == DC_DATE_INVALID) {
        if (keep_raw)
            *keep_raw = raw;
        return report(change, ud, field, raw, "", "date-invalid-kept-raw", NULL);
    }
    if (d->precision == DC_DATE_NONE)
        return 0;
    *iso = d->iso;
    if (strcmp(raw, d->iso) != 0)
        return report(change, ud, field, raw, d->iso, "date-iso", NULL);
    return 0;
}

/*
 * The ID and CMND columns, read by the one rule of core/vnid.c (dc_id_clean):
 * labels and separators dropped, zeros a spreadsheet lost restored when the
 * record's birth year and sex agree (idformats §1.2), scientific notation
 * kept raw (its digits are gone: ID_SPREADSHEET_EXPONENT).  A number in the
 * other column's form moves to its field; each column's own value comes
 * first.  A restored ID keeps its raw text in id_raw, so crosscheck can say
 * so (ID_ZEROS_RESTORED, info).
 */
static int
norm_ids(const char *const *raw, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
         struct dc_person *p, dc_change_fn change, void *ud)
{
    static const char *const field[2] = {"id_number", "cmnd"};
    const char *in[2] = {given(raw[DC_F_ID_NUMBER]) ? raw[DC_F_ID_NUMBER] : NULL,
                         given(raw[DC_F_CMND]) ? raw[DC_F_CMND] : NULL};
    char id12[2][13], cmnd[2][13];
    const char *rule[2] = {NULL, NULL};
    enum dc_id_kind kind[2] = {DC_ID_UNREADABLE, DC_ID_UNREADABLE};
    struct dc_id_hint h;

    h.birth_year = (b->dob.precision == DC_DATE_YEAR || b->dob.precision == DC_DATE_MONTH ||
                    b->dob.precision == DC_DATE_DAY)
                       ? b->dob.year
                       : 0;
    h.sex = p->sex;
    h.this_year = o->pivot_year;
    b->id12[0] = b->cmnd[0] = '\0';
    for (int c = 0; c < 2; c++)
        if (in[c])
            kind[c] = dc_id_clean(in[c], &h, id12[c], cmnd[c], &rule[c]);
    /* own columns first */
    if (kind[0] == DC_ID_ID12)
        memcpy(b->id12, id12[0], 13);
    if (kind[1] == DC_ID_CMND)
        memcpy(b->cmnd, cmnd[1], 13);
    for (int c = 0; c < 2; c++) {
        const char *out = "", *move = NULL;
        if (!in[c])
            continue;
        if (kind[c] == DC_ID_UNREADABLE || kind[c] == DC_ID_EXPONENT) {
            if (!p->id_raw)
                p->id_raw = in[c];
            if (report(change, ud, field[c], in[c], "",
                       kind[c] == DC_ID_EXPONENT ? "id-exponent-kept-raw"
                                                 : "id-unreadable-kept-raw",
                       NULL) < 0)
                return -1;
            continue;
        }
        if (kind[c] == DC_ID_ID12) {
            out = id12[c];
            if (c == 1) { /* a 12-digit number in the CMND column */
                if (!b->id12[0]) {
                    memcpy(b->id12, out, 13);
                    move = "cmnd-moved-to-id12";
                } else if (strcmp(b->id12, out) != 0 && !b->cmnd[0]) {
                    /* another number: a 12-digit CMND of 2012-2015 (§2.2) */
                    memcpy(b->cmnd, out, 13);
                }
            }
            if (rule[c] && !p->id_raw && strcmp(b->id12, out) == 0)
                p->id_raw = in[c];
        } else {
            out = cmnd[c];
            if (c == 0) { /* a 9-digit CMND in the ID column */
                move = "id-moved-to-cmnd";
                if (!b->cmnd[0])
                    memcpy(b->cmnd, out, 13);
                else if (strcmp(b->cmnd, out) != 0 && !p->id_raw)
                    p->id_raw = in[c]; /* two CMNDs: keep the other one visible */
            }
        }
        if (rule[c] && report(change, ud, field[c], in[c], out, rule[c], NULL) < 0)
            return -1;
        if (move && report(change, ud, field[c], rule[c] ? out : in[c], out, move, NULL) < 0)
            return -1;
        if (!rule[c] && !move && strcmp(in[c], out) != 0 &&
            report(change, ud, field[c], in[c], out, "id-clean", NULL) < 0)
            return -1;
    }
    p->id12 = b->id12;
    p->cmnd = b->cmnd;
    return 0;
}

static int
norm_address(const char *const *raw, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
             struct dc_person *p, struct dc_error *err)
{
    const char *text = raw[DC_F_ADDRESS];
    int parts = given(raw[DC_F_WARD]) || given(raw[DC_F_DISTRICT]) || given(raw[DC_F_PROVINCE]);

    memset(&b->addr, 0, sizeof b->addr);
    if (!given(text) && !parts)
        return 0;
    p->address_raw = text;
    if (!given(text) && parts) {
        snprintf(b->addr_joined, sizeof b->addr_joined, "%s, %s, %s",
                 given(raw[DC_F_WARD]) ? raw[DC_F_WARD] : "",
                 given(raw[DC_F_DISTRICT]) ? raw[DC_F_DISTRICT] : "",
                 given(raw[DC_F_PROVINCE]) ? raw[DC_F_PROVINCE] : "");
        p->address_raw = b->addr_joined;
    }
    if (!o->cat)
        return 0;
    int rc = parts ? dc_addr_match_parts(o->cat, raw[DC_F_WARD], raw[DC_F_DISTRICT],
                                         raw[DC_F_PROVINCE], text, &b->addr, err)
                   : addr_match_memo(b, o->cat, text, &b->addr, err);
    if (rc < 0)
        return -1;
    p->address_detail = b->addr.detail;
    p->province_code = b->addr.province_code;
    p->district_code = b->addr.district_code;
    p->ward_code = b->addr.ward_code;
    p->new_province_code = b->addr.new_province_code;
    p->new_ward_code = b->addr.new_ward_code;
    p->addr_confidence = b->addr.confidence;
    p->addr_reason = b->addr.reason;
    p->addr_era = b->addr.era_name[0] ? b->addr.era_name : NULL;
    return 0;
}

static void
norm_ethnic(const char *raw, const struct dc_ethnic_table *t, struct dc_norm_buf *b,
            struct dc_person *p)
{
    if (!given(raw))
        return;
    p->ethnic = raw;
    if (!t)
        return;
    size_t len = strlen(raw);
    unsigned k, n = b->ethn < 16 ? b->ethn : 16;
    int idx = -1;

    for (k = 0; k < n; k++)
        if (b->ethm[k].t == t && strcmp(b->ethm[k].raw, raw) == 0)
            break;
    if (k < n) {
        idx = b->ethm[k].idx;
    } else {
        squeeze_key(raw, b->fold, sizeof b->fold);
        for (size_t i = 0; i < t->n; i++) {
            /* by name first: a bare code is ambiguous between the 1979 and
             * 2008 lists (refdata/README-ethnic.md) and is kept as typed */
            if (strcmp(t->e[i].key, b->fold) == 0) {
                idx = (int)i;
                break;
            }
        }
        if (len < sizeof b->ethm[0].raw) {
            k = b->ethn++ % 16;
            memcpy(b->ethm[k].raw, raw, len + 1);
            b->ethm[k].t = t;
            b->ethm[k].idx = idx;
        }
    }
    if (idx < 0)
        return;
    memcpy(b->ethnic_code, t->e[idx].code, sizeof b->ethnic_code);
    snprintf(b->ethnic_name, sizeof b->ethnic_name, "%s", t->e[idx].name);
    p->ethnic = b->ethnic_name;
    p->ethnic_code = b->ethnic_code;
}

static char
sex_parse_memo(struct dc_norm_buf *b, const char *raw, int *recognised)
{
    size_t len = strlen(raw);
    unsigned i, n = b->sexn < 8 ? b->sexn : 8;

    if (len >= sizeof b->sexm[0].raw)
        return dc_sex_parse(raw, recognised);
    for (i = 0; i < n; i++) {
        if (strcmp(b->sexm[i].raw, raw) == 0) {
            *recognised = b->sexm[i].recognised;
            return b->sexm[i].sex;
        }
    }
    char sex = dc_sex_parse(raw, recognised);
    i = b->sexn++ % 8;
    memcpy(b->sexm[i].raw, raw, len + 1);
    b->sexm[i].sex = sex;
    b->sexm[i].recognised = *recognised;
    return sex;
}

int
dc_normalize_record(const char *const *raw, const struct dc_normalize_opts *o,
                    struct dc_norm_buf *b, struct dc_person *p, dc_change_fn change, void *ud,
                    struct dc_error *err)
{
    int recognised = 0;

    p->full_name = p->family_name = p->middle_name = p->given_name = p->name_key = NULL;
    p->name_note = NULL;
    p->dob = p->dob_raw = p->sex_raw = p->id12 = p->cmnd = p->id_raw = NULL;
    p->issue_date = p->expiry_date = p->ethnic = p->ethnic_code = p->religion = NULL;
    p->address_raw = p->address_detail = p->province_code = p->district_code = NULL;
    p->ward_code = p->new_province_code = p->new_ward_code = p->addr_reason = p->addr_era = NULL;
    p->addr_confidence = 0;
    p->sex = 0;
    p->dob_precision = DC_DATE_NONE;
    p->cluster_id = 0;
    b->ethnic_code[0] = '\0';

    if (norm_name(raw, o, b, p, change, ud, err) < 0)
        return -1;
    if (norm_date("dob", raw[DC_F_DOB], o->pivot_year, &b->dob, &p->dob, &p->dob_precision,
                  &p->dob_raw, change, ud) < 0 ||
        norm_date("issue_date", raw[DC_F_ISSUE_DATE], o->pivot_year, &b->issue, &p->issue_date,
                  NULL, NULL, change, ud) < 0 ||
        norm_date("expiry_date", raw[DC_F_EXPIRY_DATE], o->pivot_year, &b->expiry, &p->expiry_date,
                  NULL, NULL, change, ud) < 0)
        return dc_error_set(err, DC_EX_IOERR, "cannot record change");
    if (given(raw[DC_F_SEX])) {
        p->sex = sex_parse_memo(b, raw[DC_F_SEX], &recognised);
        b->sex_out[0] = p->sex;
        b->sex_out[1] = '\0';
        if (!recognised) {
            p->sex_raw = raw[DC_F_SEX];
            if (report(change, ud, "sex", raw[DC_F_SEX], "", "sex-unreadable-kept-raw", NULL) < 0)
                return dc_error_set(err, DC_EX_IOERR, "cannot record change");
        } else if (strcmp(raw[DC_F_SEX], b->sex_out) != 0 &&
                   report(change, ud, "sex", raw[DC_F_SEX], b->sex_out, "sex-code", NULL) < 0) {
            return dc_error_set(err, DC_EX_IOERR, "cannot record change");
        }
    }
    if (norm_ids(raw, o, b, p, change, ud) < 0)
        return dc_error_set(err, DC_EX_IOERR, "cannot record change");
    norm_ethnic(raw[DC_F_ETHNIC], o->ethnic, b, p);
    if (p->ethnic && strcmp(p->ethnic, raw[DC_F_ETHNIC]) != 0 &&
        report(change, ud, "ethnic", raw[DC_F_ETHNIC], p->ethnic, "ethnic-catalogue", NULL) < 0)
        return dc_error_set(err, DC_EX_IOERR, "cannot record change");
    p->religion = given(raw[DC_F_RELIGION]) ? raw[DC_F_RELIGION] : NULL;
    if (norm_address(raw, o, b, p, err) < 0)
        return -1;
    p->mrz = given(raw[DC_F_MRZ]) ? raw[DC_F_MRZ] : NULL;
    p->qr = given(raw[DC_F_QR]) ? raw[DC_F_QR] : NULL;
    return 0;
}

int
dc_ethnic_table_load(struct dc_db *db, struct dc_ethnic_table **out, struct dc_error *err)
{
    struct dc_ethnic_table *t;
    sqlite3_stmt *q = NULL;
    int rc;

    *out = NULL;
    t = calloc(1, sizeof *t);
    if (!t)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    /* each group under its name, its QCVN 109 spelling and its 1979 name */
    if (dc_db_prepare(db, "SELECT code, name, name_qcvn109, name_1979 FROM ethnic ORDER BY code",
                      &q, err) < 0) {
        free(t);
        return -1;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int col = 1; col <= 3 && t->n < sizeof t->e / sizeof t->e[0]; col++) {
            const char *v = (const char *)sqlite3_column_text(q, col);
            if (!v || !*v)
                continue;
            /* "Kinh (Việt)" also as "Kinh": the parenthesised part is an alias */
            char base[96];
            snprintf(base, sizeof base, "%s", v);
            char *paren = strchr(base, '(');
            if (paren)
                *paren = '\0';
            squeeze_key(base, t->e[t->n].key, sizeof t->e[t->n].key);
            snprintf(t->e[t->n].code, sizeof t->e[t->n].code, "%s", sqlite3_column_text(q, 0));
            snprintf(t->e[t->n].name, sizeof t->e[t->n].name, "%s", sqlite3_column_text(q, 1));
            t->n++;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(t);
        return dc_db_fail(db, rc, "read ethnic", err);
    }
    if (t->n == 0) {
        free(t);
        return 0;
    }
    *out = t;
    return 0;
}

void
dc_ethnic_table_free(struct dc_ethnic_table *t)
{
    free(t);
}
