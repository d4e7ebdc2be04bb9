/*
 * header.h - map the column headers of a source file to canonical fields.
 *
 * Real extracts name their columns in Vietnamese with or without diacritics,
 * in English or as column codes ("Họ và tên", "HO_TEN", "hoten", "Full
 * name", "Số CCCD", "NGAY_SINH").  A header is folded (NFC, lower case, no
 * diacritics, đ->d), cleaned of the decorations forms add ("(*)", "*",
 * trailing ":", footnote numbers in parentheses) and compared with an alias
 * table without spaces or punctuation, so "Ho_ten", "HỌ TÊN (*)" and "hoten"
 * all meet "ho ten".  The aliases come from research/records.md §5 ("Header
 * spellings seen") and the laws' field names (§2.4).
 *
 * A --map file overrides: one `column=field` per line ("column" as written
 * in the header, or its folded form; "field" a canonical name from
 * fields.h, or "-" to keep the column in extra); '#' starts a comment.
 *
 * Not for: values (normalize reads those).
 */
#ifndef DC_HEADER_H
#define DC_HEADER_H

#include <stddef.h>

#include "error.h"

enum dc_header_how {
    DC_HDR_UNKNOWN = 0, /* no field: kept in src_row.extra */
    DC_HDR_ALIAS,       /* matched the built-in alias table */
    DC_HDR_MAP,         /* named by the --map file */
    DC_HDR_DUPLICATE    /* a field an earlier column already took: kept in extra */
};

struct dc_header_map {
    int field;               /* enum dc_field, or -1 */
    enum dc_header_how how;
};

struct dc_mapfile; /* parsed --map file */

/* Parse a --map file.  Errors name the file and line (DC_EX_DATAERR, or
 * DC_EX_NOINPUT when it cannot be read).  *out is freed by dc_mapfile_free. */
int dc_mapfile_load(const char *path, struct dc_mapfile **out, struct dc_error *err);
/* The same from a buffer (for the fuzz target); name is used in messages. */
int dc_mapfile_parse(const char *text, size_t len, const char *name, struct dc_mapfile **out,
                     struct dc_error *err);
void dc_mapfile_free(struct dc_mapfile *m);

/* Map n headers; out[i] gets the field of column i.  map may be NULL. */
int dc_header_map(const char *const *headers, size_t n, const struct dc_mapfile *map,
                  struct dc_header_map *out, struct dc_error *err);

/* "alias" | "map-file" | "duplicate" | "unknown" */
const char *dc_header_how_name(enum dc_header_how how);

/* The folded, squeezed key of a header ("HỌ TÊN (*)" -> "hoten"), for tests. */
int dc_header_key(const char *header, char *out, size_t size);

#endif
