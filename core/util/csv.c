/*
 * util/csv.c - one RFC 4180 field into a buffer (see csv.h).
 */
#include "csv.h"

#include <string.h>

void
dc_csv_field(struct dc_buf *b, const char *s, size_t n, char delim, unsigned flags)
{
    /* strchr finds the terminator too: a field starting with a NUL byte is guarded */
    int guard = (flags & DC_CSV_GUARD) && n && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = ((flags & DC_CSV_ALONE) && n == 0) || memchr(s, '"', n) || memchr(s, '\r', n) ||
                memchr(s, '\n', n) || memchr(s, delim, n);
    const char *p = s, *q, *end = s + n;

    if (quote)
        dc_buf_putc(b, '"');
    if (guard)
        dc_buf_putc(b, '\'');
    if (!quote) {
        dc_buf_add(b, s, n);
        return;
    }
    while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
        dc_buf_add(b, p, (size_t)(q - p) + 1);
        dc_buf_putc(b, '"');
        p = q + 1;
    }
    dc_buf_add(b, p, (size_t)(end - p));
    dc_buf_putc(b, '"');
}
