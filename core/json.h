/*
 * json.h - a growable string buffer and JSON string escaping.
 *
 * Used for the `extra` column of src_row (unmapped columns as a JSON object),
 * JSONL exports and `--json` summaries.  Output is UTF-8 as given (the input
 * is valid UTF-8 NFC inside dancu); control characters, '"' and '\\' are
 * escaped, so every line is one valid JSON value.
 *
 * Not for: parsing JSON.
 */
#ifndef DC_JSON_H
#define DC_JSON_H

#include <stddef.h>

struct dc_buf {
    char *s;        /* NUL-terminated when len > 0; NULL before the first append */
    size_t len;
    size_t cap;
    int oom;        /* an allocation failed: further appends are ignored */
};

#define DC_BUF_INIT {NULL, 0, 0, 0}

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
void dc_buf_reset(struct dc_buf *b);   /* len = 0, keeps the memory */
void dc_buf_release(struct dc_buf *b); /* frees; accepts an empty buffer */
const char *dc_buf_str(const struct dc_buf *b); /* "" when empty */

/* Append s as a quoted JSON string ("null" when s is NULL). */
void dc_json_str(struct dc_buf *b, const char *s);

#endif
