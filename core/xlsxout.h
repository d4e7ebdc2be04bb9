/*
 * xlsxout.h - write export tables as one Office Open XML workbook (.xlsx) through
 * libxlsxwriter: one sheet per table, header row bold, frozen and filtered, column widths
 * from the content.
 *
 * For: `dancu export --format xlsx` (core/export/write.c feeds it rows, one sheet at a time).
 * Not for: choosing columns or rows (export/views.c), the atomic file and manifest
 * (util/atomic.c, manifest.c): the workbook is built in an anonymous temp file and its
 * bytes are copied into the export's stream, so it goes the way of every other export
 * (temp file, SHA-256 while written, fsync, rename, manifest).
 *
 * Cells (ECMA-376 Part 1 §18.3.1.4 c, §18.18.11 ST_CellType):
 *  - DC_XLSX_TEXT: a string cell, always: IDs and codes keep their leading zeros
 *    ("001090012345", "00028") and no text is ever read as a number or a date;
 *  - DC_XLSX_NUMBER: a number cell when the value is a plain decimal number, else text;
 *  - DC_XLSX_DATE: a date cell (number format yyyy-mm-dd) when the value is a full ISO
 *    date YYYY-MM-DD from 1900-03-01 on (Excel's serial dates are wrong before: the 1900
 *    leap-year bug), else text (year-only "1990" stays text, so does a partial date).
 * Strings are made valid for XML 1.0: bytes that are not UTF-8 become U+FFFD, control
 * characters other than TAB, LF and CR the ST_Xstring escape _xHHHH_ (§22.9.2.19), and a
 * literal "_xHHHH_" in the data gets its '_' escaped as _x005F_ so that Excel shows it
 * as written.  A cell holds at most 32,767 characters (Excel's limit): a longer value is
 * cut there and ends with "[...]".
 * A sheet holds at most 1,048,576 rows: a table with more data rows goes on in a sheet
 * named "NAME 2", "NAME 3", ... with the header repeated.
 * The workbook's creation time is fixed (1980-01-01, as the zip entries), so the same
 * rows give the same bytes.
 */
#ifndef DC_XLSXOUT_H
#define DC_XLSXOUT_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

enum dc_xlsx_kind { DC_XLSX_TEXT, DC_XLSX_NUMBER, DC_XLSX_DATE };

struct dc_xlsx_col {
    const char *name;
    enum dc_xlsx_kind kind;
};

/* Rows per sheet, header included (Excel's limit). */
#define DC_XLSX_ROWS_MAX 1048576
/* Characters per cell (Excel's limit). */
#define DC_XLSX_CELL_MAX 32767
#define DC_XLSX_COLS_MAX 64

struct dc_xlsx;

/* A new workbook in an anonymous temp file (tmpfile(3): gone when closed, even after a
 * crash).  NULL with err set (DC_EX_CANTCREAT) when it cannot be made. */
struct dc_xlsx *dc_xlsx_new(struct dc_error *err);

/* Start a sheet named name (at most 28 bytes, [A-Za-z0-9 _-]) with these columns (the
 * array is borrowed until the next sheet or finish) and write its header row. */
int dc_xlsx_sheet(struct dc_xlsx *x, const char *name, const struct dc_xlsx_col *cols, int ncols,
                  struct dc_error *err);

/* One data row: v[i] (NULL or "" = an empty cell) of n[i] bytes for each column. */
int dc_xlsx_row(struct dc_xlsx *x, const char *const *v, const size_t *n, struct dc_error *err);

/* Close the workbook and copy its bytes into fp (not closed).  Write error ->
 * DC_EX_IOERR; a libxlsxwriter failure -> DC_EX_SOFTWARE or DC_EX_CANTCREAT. */
int dc_xlsx_finish(struct dc_xlsx *x, FILE *fp, struct dc_error *err);

/* Free x (NULL is fine); a workbook not finished is dropped. */
void dc_xlsx_free(struct dc_xlsx *x);

#endif
