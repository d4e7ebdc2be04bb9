/*
 * wb.h - what the two workbook readers (xlsx.c, xls.c) share with workbook.c.  Private to
 * core/io/.
 *
 * A reader collects one sheet row as (column, value) cells into a struct wb_row and hands
 * it to wb_row_emit, which lays the values out from column A, decodes them to NFC, checks
 * the cell limit and writes the raw CSV line.
 */
#ifndef DC_IO_WB_H
#define DC_IO_WB_H

#include "../encoding.h"
#include "../json.h"
#include "workbook.h"

struct wb_cell {
    size_t col;      /* 0-based */
    size_t off, len; /* value in wb_row.vals */
};

struct wb_row {
    long rownum;
    int hidden;
    struct wb_cell *cells;
    size_t ncells, ccap;
    struct dc_buf vals; /* cell values as read */
    /* the row handed out */
    struct dc_buf out; /* NFC values, NUL-terminated, back to back */
    struct dc_buf raw; /* the values as one CSV line */
    char **fp;
    size_t *lens, fcap;
    char reason[96];
};

int wb_row_add(struct wb_row *w, size_t col, const char *v, size_t n);
void wb_row_clear(struct wb_row *w, long rownum);
void wb_row_release(struct wb_row *w);
/* Fill row from w (valid until the next clear); -1 only when out of memory. */
int wb_row_emit(struct wb_row *w, struct dc_enc_conv *conv, size_t max_field,
                struct dc_csv_row *row, struct dc_error *err);

struct wb_ops {
    int (*next)(struct dc_wb_reader *r, struct dc_csv_row *row, struct dc_error *err);
    void (*close)(struct dc_wb_reader *r);
};

/* The common head of both readers (first member of theirs). */
struct dc_wb_reader {
    const struct wb_ops *ops;
    const char *path;
    char sheet[256];
    char sha[65];
    unsigned long long bytes, max_bytes;
    size_t max_field;
    struct dc_enc_conv *conv;
    struct wb_row row;
};

struct dc_wb_reader *wb_xlsx_open(const char *path, const struct dc_wb_opts *o,
                                  struct dc_error *err);
struct dc_wb_reader *wb_xls_open(const char *path, const struct dc_wb_opts *o,
                                 struct dc_error *err);
/* Common set-up: limits, the UTF-8 decoder, the file's SHA-256.  0 or -1. */
int wb_init(struct dc_wb_reader *r, const char *path, const struct dc_wb_opts *o,
            struct dc_error *err);
void wb_fini(struct dc_wb_reader *r);
/* 1 if s names the sheet at 0-based index i with the name given (by name, or as its
 * 1-based number when s is all digits). */
int wb_sheet_matches(const char *want, size_t i, const char *name);

#endif
