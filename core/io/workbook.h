/*
 * workbook.h - Excel workbooks (.xlsx, .xls) read row by row, the way csvio reads lines.
 *
 * For: handing import the rows of one sheet as struct dc_csv_row values (fields in UTF-8
 * NFC, one per column from column A; raw = the row's cell values as one CSV line; line and
 * rownum = the sheet's row number), so that the rest of import does not care whether the
 * register came as CSV or as a workbook.
 *
 * Not for: finding the header row or telling people from banner and footer rows (import
 * does that for every kind of file); cleaning values (normalize).
 *
 * Values as a person sees them in the sheet: text cells as written (leading zeros kept);
 * numbers without a trailing ".0" (15 significant digits, as Excel shows them); cells with
 * a date format as ISO dates (1900 date system with its leap-year quirk: serial 60 is the
 * 29 February 1900 Lotus 1-2-3 invented); booleans TRUE/FALSE; error cells as their code
 * (#N/A).  .xlsx only: a cell merged over several rows is read in each of those rows (a
 * household's address written once for its members); a merge across columns keeps its value
 * in its first column; hidden rows are rejected (kept for review, a person reading the
 * sheet does not see them).  libfreexl (.xls) exposes neither merges nor hidden rows.
 *
 * Hostile input (ECMA-376 zip of XML parts): every part is read through a counter (at most
 * max_bytes out, and not over 1000 times the compressed size once past 1 MiB: "zip bomb");
 * the shared-string table at most 256 MiB and 16M strings; XML nesting at most 64 deep; a
 * DTD anywhere is refused (no entity expansion).
 */
#ifndef DC_WORKBOOK_H
#define DC_WORKBOOK_H

#include <stddef.h>

#include "../csvio.h"
#include "../error.h"

enum dc_wb_kind { DC_WB_NONE = 0, DC_WB_XLSX, DC_WB_XLS };

/* The kind of file from its first n bytes: a zip (PK 03 04) is taken for an .xlsx, an OLE2
 * compound file (D0 CF 11 E0 A1 B1 1A E1) for an .xls; anything else DC_WB_NONE. */
enum dc_wb_kind dc_wb_sniff(const unsigned char *b, size_t n);
/* The same from a file's first bytes; 0, or -1 (DC_EX_NOINPUT) when it cannot be read.  "-"
 * and other unseekable paths give DC_WB_NONE. */
int dc_wb_kind_of_file(const char *path, enum dc_wb_kind *kind, struct dc_error *err);
const char *dc_wb_kind_name(enum dc_wb_kind kind); /* "xlsx" | "xls" | "csv" */

struct dc_wb_opts {
    const char *sheet;            /* NULL = the first visible sheet; a name, or its number */
    unsigned long long max_bytes; /* decompressed bytes of all parts; 0 = 16 GiB */
    size_t max_field;             /* bytes of one cell; longer rows are rejected; 0 = 65536 */
};

struct dc_wb_reader;

/* Open a workbook and choose its sheet.  Errors: DC_EX_NOINPUT (cannot open), DC_EX_DATAERR
 * (not a workbook, corrupt, over a limit, no such sheet: the message lists the sheets),
 * DC_EX_OSERR (out of memory). */
struct dc_wb_reader *dc_wb_open(const char *path, enum dc_wb_kind kind, const struct dc_wb_opts *o,
                                struct dc_error *err);
/* 1 = a row (maybe with row->reject set), 0 = end of the sheet, -1 = the file failed. */
int dc_wb_next(struct dc_wb_reader *r, struct dc_csv_row *row, struct dc_error *err);
const char *dc_wb_sheet(const struct dc_wb_reader *r); /* the chosen sheet's name */
unsigned long long dc_wb_bytes_read(const struct dc_wb_reader *r);
/* SHA-256 of the file's bytes (computed at open). */
int dc_wb_sha256(const struct dc_wb_reader *r, char hex[65]);
void dc_wb_close(struct dc_wb_reader *r);

/* For tests: the text of a number cell as Excel shows it with the General format, and the
 * ISO date of a 1900-system serial ("1990-01-01" for 32874; a time part, if any, as
 * " HH:MM:SS"). */
void dc_wb_number_text(double v, char *out, size_t size);
int dc_wb_serial_date(double serial, char *out, size_t size);

#endif
