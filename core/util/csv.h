/*
 * util/csv.h - one CSV field by RFC 4180 §2.6-2.7 into a growable buffer: the field rule
 * the CSV writer (csvio) and the workbook reader's raw lines (io/workbook.c) each wrote
 * (issue 18).  Quoted when it holds the delimiter, '"', CR or LF, or when it is a lone
 * empty field (flag DC_CSV_ALONE: a one-column row would otherwise be a blank line);
 * quotes doubled inside; with DC_CSV_GUARD a cell starting with = + - @ TAB CR (or a NUL
 * byte) gets a ' first (OWASP "CSV injection").
 *
 * Not for: export's CSV encoder (export/encode.c), which scans eight bytes a step for speed
 * and has --excel's ="..." form (test_export pins its bytes).
 */
#ifndef DC_UTIL_CSV_H
#define DC_UTIL_CSV_H

#include <stddef.h>

#include "buf.h"

enum { DC_CSV_GUARD = 1, DC_CSV_ALONE = 2 };

void dc_csv_field(struct dc_buf *b, const char *s, size_t n, char delim, unsigned flags);

#endif
