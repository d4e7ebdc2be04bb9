/*
 * header.h - map the column headers of a source file to canonical fields.
 *
 * Real extracts name their columns in Vietnamese with or without diacritics,
 * in English or as column codes ("Họ và tên", "HO_TEN", "hoten", "Full
 * name", "Số CCCD", "NGAY_SINH"), and forms add to them: hints in brackets
 * or after a colon ("Ngày sinh (dd/mm/yyyy)", "Giới tính: Nam/Nữ"),
 * numbering ("1.", "a)"), older terms ("Phái", "Số CMT", "HKTT") and
 * two-row headers.  A header is matched in three steps, and the first that
 * gives a field decides (docs/headers.md has the table and its sources):
 *   alias    the folded header (NFC, lower case, no diacritics, đ->d) without
 *            spaces or punctuation equals an alias ("HỌ TÊN (*)" -> "hoten");
 *   cleaned  hints in brackets or after a colon and numbering removed, the
 *            words equal an alias, or contain one whose leftover words are
 *            hints ("Ngày sinh dd/mm/yyyy"), never another person's field
 *            ("Ngày sinh chủ hộ", "Họ tên cha" stay unmapped);
 *   content  (dc_header_sniff_*) a column whose header says nothing useful
 *            ("", "Cột 5", "Column5") and whose values are mostly dates,
 *            Nam/Nữ or 12-digit numbers, when no header gave that field.
 * Two columns "Nam" | "Nữ" (under "Năm sinh"/"Ngày sinh"/"Giới tính", or
 * written "Năm sinh Nam" | "Năm sinh Nữ") are a split pair: field DC_F_SEX
 * with sex 'M' / 'F'; the filled one gives the sex and, when it holds a
 * date, the birth date (import applies that per row).  Columns for the
 * personal ID and the old CMND are all kept (no "duplicate"): import routes
 * each value by its content.
 *
 * A --map file overrides: one `column=field` per line ("column" as written
 * in the header, or its folded form; "field" a canonical name from
 * fields.h, or "-" to keep the column in extra); '#' starts a comment.
 *
 * Not for: the values themselves (normalize reads those), reading rows.
 */
#ifndef DC_HEADER_H
#define DC_HEADER_H

#include <stddef.h>

#include "error.h"

enum dc_header_how {
    DC_HDR_UNKNOWN = 0, /* no field: kept in src_row.extra */
    DC_HDR_ALIAS,       /* the header as written matched the alias table */
    DC_HDR_MAP,         /* named by the --map file */
    DC_HDR_DUPLICATE,   /* a field an earlier column already took: kept in extra */
    DC_HDR_CLEANED,     /* matched once hints, numbering or a group header were dealt with */
    DC_HDR_CONTENT      /* the header says nothing; the values say what the column is */
};

struct dc_header_map {
    int field; /* enum dc_field, or -1 */
    enum dc_header_how how;
    char sex; /* 'M' / 'F': one column of a split Nam | Nữ pair (field
                                DC_F_SEX); 0 otherwise */
};

struct dc_mapfile; /* parsed --map file */

/* Parse a --map file.  Errors name the file and line (DC_EX_DATAERR, or
 * DC_EX_NOINPUT when it cannot be read).  *out is freed by dc_header_mapfile_free. */
int dc_header_mapfile_load(const char *path, struct dc_mapfile **out, struct dc_error *err);
/* The same from a buffer (for the fuzz target); name is used in messages. */
int dc_header_mapfile_parse(const char *text, size_t len, const char *name, struct dc_mapfile **out,
                            struct dc_error *err);
void dc_header_mapfile_free(struct dc_mapfile *m);

/* Map n headers; out[i] gets the field of column i.  map may be NULL.  The
 * same headers always give the same mapping (first column wins a field). */
int dc_header_map(const char *const *headers, size_t n, const struct dc_mapfile *map,
                  struct dc_header_map *out, struct dc_error *err);

/* "alias" | "cleaned" | "by content" | "map-file" | "duplicate" | "unknown" */
const char *dc_header_how_name(enum dc_header_how how);

/* What a column feeds, for the import summary: "dob", or "sex=M, dob" for a
 * split column; NULL when it feeds no field. */
const char *dc_header_target(const struct dc_header_map *m, char *buf, size_t size);

/* The folded, squeezed key of a header ("HỌ TÊN (*)" -> "hoten"), for tests
 * and --map files. */
int dc_header_key(const char *header, char *out, size_t size);

/* The cleaned words of a header: hints in brackets or after a colon and
 * leading numbering removed, folded, one space between words
 * ("2. Ngày sinh (dd/mm/yyyy):" -> "ngay sinh").  0, or -1 (out "") when
 * the header is not UTF-8 or too long. */
int dc_header_clean(const char *header, char *out, size_t size);

/*
 * How header-like a row is: the number of its fields that map to a known
 * person field by alias or cleaned alias (a split Nam | Nữ pair counts for
 * both columns; content is not looked at).  For finding the header row below
 * a banner: a title ("DANH SÁCH NHÂN KHẨU"), the national motto or a data row
 * scores 0 or 1, a header row of a register 3 or more.  NULL fields count as
 * empty.  Never fails.
 */
int dc_header_score(const char *const *fields, size_t n);

/*
 * Is sub, the row under the header top, a second header row?  Returns
 * DC_SUBROW_GROUP when it holds the sub-columns of group headers above it
 * (Excel merged cells: "Năm sinh" spanning "Nam" | "Nữ", vertically merged
 * cells empty below), DC_SUBROW_NUMBERS when it is the row of column numbers
 * forms print under the header ("(1)", "(2)", ... or 1, 2, 3, ...), else 0.
 * A row with data in it (a name, a date, an ID) is never a header row.
 */
enum { DC_SUBROW_NONE = 0, DC_SUBROW_GROUP = 1, DC_SUBROW_NUMBERS = 2 };
int dc_header_subrow(const char *const *top, size_t ntop, const char *const *sub, size_t nsub);

/* The headers of a two-row header, one malloc'd string per column (n =
 * max(ntop, nsub)) in out[]: the group above a sub-column joined to it with
 * " > " ("Năm sinh > Nam"), a cell with nothing below as it is.  Free each
 * with free().  -1 with err set when out of memory. */
int dc_header_combine(const char *const *top, size_t ntop, const char *const *sub, size_t nsub,
                      char **out, struct dc_error *err);

/* 1 when a header says nothing about its column: empty, a bare number or
 * letter, "Cột 5", "Column5", "F5", "Unnamed: 3". */
int dc_header_generic(const char *header);

/* Values seen in one column, for matching by content. */
struct dc_header_sniff {
    unsigned n;         /* non-empty values */
    unsigned date;      /* readable dates (a bare year only in 1900..2099) */
    unsigned sex;       /* Nam / Nữ / Nam giới / Nữ giới (no bare codes) */
    unsigned id12, id9; /* 12 or 9 digits (spaces, dots, dashes between them allowed) */
};
void dc_header_sniff_add(struct dc_header_sniff *s, const char *value);

/* Give columns with a generic header a field their values show (at least 4
 * of 5 values, and 3 or more values): birth date, sex, personal ID, CMND.
 * Only a field no column has yet, and only when one column qualifies.
 * how = DC_HDR_CONTENT.  Returns how many columns it mapped. */
int dc_header_by_content(const char *const *headers, struct dc_header_map *map,
                         const struct dc_header_sniff *sniff, size_t n);

/* Classify an ID value by its digits: 12, 9, or 0 for anything else (spaces,
 * dots and dashes between digit groups allowed, nothing else). */
int dc_header_id_kind(const char *value);

/* The person fields the rest of the pipeline needs that no column gives:
 * "họ và tên", "ngày sinh", "giới tính", "số định danh/CMND", "nơi thường
 * trú", comma-separated into buf ("" when none).  Returns how many. */
int dc_header_missing(const struct dc_header_map *map, size_t n, char *buf, size_t size);

#endif
