/*
 * personrow.c - the person table's column table (see personrow.h).
 */
#include "personrow.h"

#include <stdio.h>
#include <string.h>

#include "vndate.h"

#define TYPE_KEY DC_PROW_INT
#define TYPE_BATCH DC_PROW_INT
#define TYPE_SRC DC_PROW_TEXT
#define TYPE_TEXT DC_PROW_TEXT
#define TYPE_PREC DC_PROW_PREC
#define TYPE_SEX DC_PROW_SEX
#define TYPE_REAL DC_PROW_REAL
#define OFF_BATCH(f) DC_PROW_NOFIELD
#define OFF_KEY(f) offsetof(struct dc_person, f)
#define OFF_SRC OFF_KEY
#define OFF_TEXT OFF_KEY
#define OFF_PREC OFF_KEY
#define OFF_SEX OFF_KEY
#define OFF_REAL OFF_KEY
#define ORIGIN_KEY 1
#define ORIGIN_BATCH 1
#define ORIGIN_SRC 1
#define ORIGIN_TEXT 0
#define ORIGIN_PREC 0
#define ORIGIN_SEX 0
#define ORIGIN_REAL 0
#define ROW(f, t, r) {#f, TYPE_##t, OFF_##t(f), r, ORIGIN_##t},
const struct dc_prow_col dc_prow_cols[] = {DC_PROW_COLUMNS(ROW)};
#undef ROW
const size_t dc_prow_ncols = sizeof dc_prow_cols / sizeof dc_prow_cols[0];
_Static_assert(sizeof dc_prow_cols / sizeof dc_prow_cols[0] <= DC_PROW_MAX,
               "DC_PROW_MAX bounds the person columns");

/* Appends s at *n; 0, or -1 when it does not fit. */
static int
put(char *buf, size_t size, size_t *n, const char *s)
{
    size_t len = strlen(s);

    if (*n + len + 1 > size)
        return -1;
    memcpy(buf + *n, s, len + 1);
    *n += len;
    return 0;
}

int
dc_prow_select(unsigned reader, const char *tail, char *buf, size_t size)
{
    size_t n = 0;
    int first = 1;

    if (put(buf, size, &n, "SELECT ") < 0)
        return -1;
    for (size_t i = 0; i < dc_prow_ncols; i++) {
        if (!(dc_prow_cols[i].read_by & reader))
            continue;
        if ((!first && put(buf, size, &n, ", ") < 0) ||
            put(buf, size, &n, dc_prow_cols[i].name) < 0)
            return -1;
        first = 0;
    }
    if (put(buf, size, &n, " FROM person ") < 0)
        return -1;
    return put(buf, size, &n, tail);
}

int
dc_prow_insert(char *buf, size_t size)
{
    char num[16];
    size_t n = 0;

    if (put(buf, size, &n, "INSERT INTO person(") < 0)
        return -1;
    for (size_t i = 0; i < dc_prow_ncols; i++)
        if ((i && put(buf, size, &n, ", ") < 0) || put(buf, size, &n, dc_prow_cols[i].name) < 0)
            return -1;
    if (put(buf, size, &n, ") VALUES (") < 0)
        return -1;
    for (size_t i = 0; i < dc_prow_ncols; i++) {
        snprintf(num, sizeof num, "%s?%zu", i ? ", " : "", i + 1);
        if (put(buf, size, &n, num) < 0)
            return -1;
    }
    return put(buf, size, &n, ")");
}

/* The loader, unrolled over DC_PROW_COLUMNS: with reader and keep constants (the two callers
 * below) it is the code the stages wrote by hand, a step a column and no loop. */
#define LOAD_BATCH(f)
#define LOAD_KEY(f) p->f = sqlite3_value_int64(sqlite3_column_value(q, col));
#define LOAD_REAL(f) p->f = sqlite3_value_double(sqlite3_column_value(q, col));
#define LOAD_PREC(f)                                                                               \
    p->f = dc_date_precision_from_name(                                                            \
        (const char *)sqlite3_value_text(sqlite3_column_value(q, col)));
#define LOAD_SEX(f)                                                                                \
    {                                                                                              \
        const unsigned char *sx = sqlite3_value_text(sqlite3_column_value(q, col));                \
        p->f = sx && (sx[0] == 'M' || sx[0] == 'F') ? (char)sx[0] : 0;                             \
    }
#define LOAD_TEXT(f)                                                                               \
    {                                                                                              \
        sqlite3_value *v = sqlite3_column_value(q, col);                                           \
        const unsigned char *t = sqlite3_value_text(v);                                            \
        if (!keep)                                                                                 \
            p->f = (const char *)t;                                                                \
        else if ((rc = keep(ud, c, t, sqlite3_value_bytes(v), &p->f)) < 0)                         \
            return rc;                                                                             \
    }
#define LOAD_SRC LOAD_TEXT
#define LOAD(f, t, r)                                                                              \
    if ((r)&reader) {                                                                              \
        LOAD_##t(f) col++;                                                                         \
    }                                                                                              \
    c++;

/* The texts through sqlite3_column_value and sqlite3_value_text: sqlite3_column_text takes
 * the statement's checks and error exit for each column (export's fetch_row says why the
 * unprotected value is safe: the connection is single-threaded). */
static inline __attribute__((always_inline)) int
load(sqlite3_stmt *q, unsigned reader, struct dc_person *p, dc_prow_keep keep, void *ud)
{
    const struct dc_prow_col *c = dc_prow_cols;
    int col = 0, rc;

    (void)rc;
    DC_PROW_COLUMNS(LOAD)
    (void)c;
    (void)col;
    return 0;
}

int
dc_prow_load(sqlite3_stmt *q, unsigned reader, struct dc_person *p, dc_prow_keep keep, void *ud)
{
    if (reader == DC_PROW_CROSSCHECK && !keep)
        return load(q, DC_PROW_CROSSCHECK, p, NULL, NULL);
    if (reader == DC_PROW_DEDUP)
        return load(q, DC_PROW_DEDUP, p, keep, ud);
    return load(q, reader, p, keep, ud);
}
