/*
 * personrow.h - the person table's columns in one table: name, type, the
 * struct dc_person field it holds, and which stages read it.  normalize
 * writes every column; dedup and crosscheck read theirs.  Their SELECT and
 * INSERT statements and their row loaders are made from this table, so a
 * new column is one row here (and a migration in schemas/).
 *
 * The order is the table's column order (0001_init.sql, then 0003 addr_era,
 * 0006 name_note), which the statements keep.
 *
 * Not for: CSV columns of the filter modes (personcsv.h), the export's views
 * (export/views.c: their own order, PII marks and joined columns).
 */
#ifndef DC_PERSONROW_H
#define DC_PERSONROW_H

#include <stddef.h>

#include "db.h"
#include "person.h"

enum dc_prow_type {
    DC_PROW_INT,  /* int64_t */
    DC_PROW_TEXT, /* const char *, NULL for SQL NULL */
    DC_PROW_PREC, /* enum dc_date_precision, stored as "day", "month", "year", "invalid" */
    DC_PROW_SEX,  /* char 'M' / 'F' / 0, stored as "M", "F" or NULL */
    DC_PROW_REAL  /* double */
};

/* Who reads a column (bits); normalize writes them all. */
enum { DC_PROW_DEDUP = 1, DC_PROW_CROSSCHECK = 2 };

/* off: the field in struct dc_person; DC_PROW_NOFIELD for batch_id, which
 * the record does not carry (normalize binds its batch). */
#define DC_PROW_NOFIELD ((size_t)-1)

struct dc_prow_col {
    const char *name;
    enum dc_prow_type type;
    size_t off;
    unsigned read_by;
    int origin; /* 1: where the record came from (its src_row and import batch), which
                   normalize copies; 0: a value normalize makes */
};

/* Most columns a table row has; a writer's per-column arrays use it. */
enum { DC_PROW_MAX = 40 };

/* The table as an X-macro, X(column, kind, readers) in the person table's order, for
 * code that wants a step a column and no loop (the loader, normalize's writer).  kind:
 * KEY an INT origin column (record_id, src_row, src_line), BATCH the import batch (INT,
 * no field), SRC a TEXT origin column (source, src_file), then TEXT, PREC, SEX, REAL as
 * enum dc_prow_type.  dc_prow_cols is made from it. */
#define DC_PROW_BOTH (DC_PROW_DEDUP | DC_PROW_CROSSCHECK)
/* One column a line: the list reads as the table it is. */
/* clang-format off */
#define DC_PROW_COLUMNS(X) \
    X(record_id, KEY, DC_PROW_BOTH) \
    X(batch_id, BATCH, 0) \
    X(source, SRC, DC_PROW_BOTH) \
    X(src_file, SRC, DC_PROW_CROSSCHECK) \
    X(src_row, KEY, DC_PROW_BOTH) \
    X(src_line, KEY, DC_PROW_CROSSCHECK) \
    X(full_name, TEXT, DC_PROW_BOTH) \
    X(family_name, TEXT, DC_PROW_BOTH) \
    X(middle_name, TEXT, DC_PROW_BOTH) \
    X(given_name, TEXT, DC_PROW_BOTH) \
    X(name_key, TEXT, DC_PROW_BOTH) \
    X(dob, TEXT, DC_PROW_BOTH) \
    X(dob_precision, PREC, DC_PROW_BOTH) \
    X(dob_raw, TEXT, DC_PROW_CROSSCHECK) \
    X(sex, SEX, DC_PROW_BOTH) \
    X(sex_raw, TEXT, DC_PROW_CROSSCHECK) \
    X(id12, TEXT, DC_PROW_BOTH) \
    X(cmnd, TEXT, DC_PROW_BOTH) \
    X(id_raw, TEXT, DC_PROW_CROSSCHECK) \
    X(issue_date, TEXT, DC_PROW_CROSSCHECK) \
    X(expiry_date, TEXT, DC_PROW_CROSSCHECK) \
    X(ethnic, TEXT, DC_PROW_CROSSCHECK) \
    X(ethnic_code, TEXT, DC_PROW_CROSSCHECK) \
    X(religion, TEXT, DC_PROW_CROSSCHECK) \
    X(address_raw, TEXT, DC_PROW_CROSSCHECK) \
    X(address_detail, TEXT, DC_PROW_BOTH) \
    X(province_code, TEXT, DC_PROW_BOTH) \
    X(district_code, TEXT, DC_PROW_CROSSCHECK) \
    X(ward_code, TEXT, DC_PROW_BOTH) \
    X(new_province_code, TEXT, DC_PROW_BOTH) \
    X(new_ward_code, TEXT, DC_PROW_BOTH) \
    X(addr_confidence, REAL, DC_PROW_CROSSCHECK) \
    X(addr_reason, TEXT, DC_PROW_CROSSCHECK) \
    X(mrz, TEXT, DC_PROW_CROSSCHECK) \
    X(qr, TEXT, DC_PROW_CROSSCHECK) \
    X(addr_era, TEXT, DC_PROW_CROSSCHECK) \
    X(name_note, TEXT, DC_PROW_CROSSCHECK)
/* clang-format on */

extern const struct dc_prow_col dc_prow_cols[];
extern const size_t dc_prow_ncols;

/* "SELECT c1, c2, ... FROM person " over the columns reader reads, in table
 * order, then tail (the caller's WHERE / ORDER BY), into buf (size bytes).
 * -1 when buf is too small. */
int dc_prow_select(unsigned reader, const char *tail, char *buf, size_t size);

/* "INSERT INTO person(every column) VALUES (?1, ..., ?N)" into buf. */
int dc_prow_insert(char *buf, size_t size);

/* Keeps the text of column c, len bytes (NULL for SQL NULL), where *dst may
 * point for as long as the caller needs.  Returns 0, or < 0 to stop. */
typedef int (*dc_prow_keep)(void *ud, const struct dc_prow_col *c, const unsigned char *text,
                            int len, const char **dst);

/* The current row of a dc_prow_select(reader) statement into p (its fields not
 * read are left as they are).  Texts are kept by keep, or borrowed from the
 * statement's row when keep is NULL (valid until its next step).  Returns 0,
 * or keep's negative result. */
int dc_prow_load(sqlite3_stmt *q, unsigned reader, struct dc_person *p, dc_prow_keep keep,
                 void *ud);

#endif
