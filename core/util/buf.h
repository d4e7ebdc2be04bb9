/*
 * util/buf.h - the growable string buffer: one home for what json.c, encoding's mojibake
 * repair and the linkage's text forms each had (issue 18).  Appends never fail loudly:
 * a failed allocation sets oom, later appends are ignored, and the caller checks oom once
 * at the end.
 *
 * For: building text of unknown length (JSON, SQL, explain and params text, repaired
 * strings).  Not for: bounded per-row scratch on hot paths (fixed arrays do that).
 */
#ifndef DC_UTIL_BUF_H
#define DC_UTIL_BUF_H

#include <stddef.h>

struct dc_buf {
    char *s; /* NUL-terminated when len > 0; NULL before the first append */
    size_t len;
    size_t cap;
    int oom; /* an allocation failed: further appends are ignored */
};

#define DC_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

/* Room for need more bytes (and the NUL) at b->s + b->len, for writers that
 * fill the buffer directly; -1 (and oom set) when memory is short. */
int dc_buf_reserve(struct dc_buf *b, size_t need);
void dc_buf_add(struct dc_buf *b, const char *s, size_t n);
void dc_buf_puts(struct dc_buf *b, const char *s);
void dc_buf_putc(struct dc_buf *b, char c);
void dc_buf_printf(struct dc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void dc_buf_reset(struct dc_buf *b);            /* len = 0, keeps the memory */
void dc_buf_release(struct dc_buf *b);          /* frees; accepts an empty buffer and NULL */
const char *dc_buf_str(const struct dc_buf *b); /* "" when empty */

/* A growable array of elem-sized elements that is full: the array again with twice the
 * room (first elements when *cap is 0), *cap updated.  NULL when memory is short or the
 * size would overflow; p and *cap are then unchanged.  The one home of the doubling that
 * every table of records, findings and cells did on its own:
 *     if (t->n == t->cap && !(e = dc_grow(t->e, &t->cap, 64, sizeof *t->e)))
 *         return -1;
 *     t->e = e; */
void *dc_grow(void *p, size_t *cap, size_t first, size_t elem);

#endif
