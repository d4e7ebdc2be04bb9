/*
 * export/export_int.h - private to core/export/: what the files of the export share (the
 * views' column descriptions, the encoder's state and one row's values).  The public face
 * is core/export.h; its comment has the rules and their sources.
 *
 * The files: views.c (what each --what selects, its columns and their PII marks, the names
 * of tables and formats, pseudonyms), encode.c (a row as CSV, JSONL, COPY or SQL into one
 * batch buffer; the unit names of the records view; the gzip stream), survivors.c (one
 * golden record per cluster, by vote), write.c (dc_export_write: a view through an encoder
 * or the xlsx workbook; the PostgreSQL schema).  Not for: manifests (manifest.c), options
 * (cmd/export.c), the atomic output file (util/atomic.c, hashed as it is written).
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
#ifndef DC_EXPORT_INT_H
#define DC_EXPORT_INT_H

#include "export.h"

#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "xlsxout.h"

/* Distinct T_NUM2 values remembered: addr_confidence takes a handful of values, and
 * sqlite3_snprintf costs as much as the rest of the row's CSV encoding. */
#define NUM2_CACHE 4
/* "%.2f" of the largest double: sign, 309 digits, point, 2 decimals. */
#define NUM2_LEN 320
#define MAX_COLS 48

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

/* Columns of the records view (views.c: export_records_cols has exactly these). */
enum { NREC = 35 };

/* Columns of the records view that are data fields (voted on by --survivors). */
enum {
    C_RECORD_ID = 0,
    C_SOURCE = 1,
    C_SRC_ROW = 2,
    C_CLUSTER_ID = 3,
    C_FULL_NAME = 4,
    C_FAMILY_NAME = 5,
    C_MIDDLE_NAME = 6,
    C_GIVEN_NAME = 7,
    C_DOB = 8,
    C_DOB_PRECISION = 9,
    C_PROVINCE_CODE = 14,
    C_DISTRICT_CODE = 15,
    C_WARD_CODE = 16,
    C_NEW_PROVINCE_CODE = 17,
    C_NEW_WARD_CODE = 18,
    C_SRC_FILE = 20,
    C_SRC_LINE = 21,
    C_PROVINCE_NAME = 29,
    C_DISTRICT_NAME = 30,
    C_WARD_NAME = 31,
    C_NEW_PROVINCE_NAME = 32,
    C_NEW_WARD_NAME = 33
};

/* The unit names of the records view, by code: arrays indexed by the code's number
 * (province 2 digits, district 3, ward 5), holding offsets + 1 into mem (0 = no such
 * unit).  Five joins on the unit table instead cost more than the rest of the row
 * (39k records: 0.07 -> 0.22 s user); these lookups are an array read each. */
enum { UN_PROV, UN_DIST, UN_WARD, UN_NPROV, UN_NWARD, UN_COUNT };
struct unit_names {
    uint32_t *off[UN_COUNT];
    struct dc_buf mem;
};

struct emit {
    FILE *fp;
    struct unit_names *names; /* records view: the unit names (NULL: none loaded) */
    const struct dc_export_opts *o;
    const struct view *v;
    unsigned char delim;        /* CSV separator */
    unsigned char special[256]; /* CSV bytes that need quotes */
    struct dc_buf wrap;         /* --excel: one ="..." value */
    struct dc_xlsx *x;          /* xlsx: the workbook */
    struct dc_buf line;         /* encoded rows not yet written (up to FLUSH_AT + a row) */
    char tok[MAX_COLS][19];
    char num[MAX_COLS][24]; /* integers formatted by fetch_row */
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

/* views.c */
extern const struct col export_records_cols[NREC];
extern const struct view export_v_records, export_v_survivors;
const struct view *export_view_of(const struct dc_export_opts *o);
int export_is_pii_field(const char *f);

/* encode.c */
FILE *export_gz_wrap(FILE *dst);
int export_unit_names_load(struct dc_db *db, struct unit_names *u, struct dc_error *err);
void export_unit_names_free(struct unit_names *u);
void export_fetch_row(struct emit *e, sqlite3_stmt *st, int nc, struct row *r);
int export_flush(struct emit *e, int force, struct dc_error *err);
int export_emit_header(struct emit *e, struct dc_error *err);
int export_emit_row(struct emit *e, struct row *r, struct dc_error *err);

/* survivors.c */
int export_run_survivors(struct dc_db *db, struct emit *e, sqlite3_stmt *st, struct dc_error *err);

#endif
