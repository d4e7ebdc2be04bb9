/*
 * json.c - growable buffer and JSON string escaping (RFC 8259 §7).
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
dc_buf_reserve(struct dc_buf *b, size_t need)
{
    size_t cap;
    char *s;

    if (b->oom)
        return -1;
    if (b->len + need + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < b->len + need + 1)
        cap *= 2;
    s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void
dc_buf_add(struct dc_buf *b, const char *s, size_t n)
{
    if (dc_buf_reserve(b, n) < 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void
dc_buf_puts(struct dc_buf *b, const char *s)
{
    dc_buf_add(b, s, strlen(s));
}

void
dc_buf_putc(struct dc_buf *b, char c)
{
    dc_buf_add(b, &c, 1);
}

void
dc_buf_printf(struct dc_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || dc_buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
dc_buf_reset(struct dc_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

void
dc_buf_release(struct dc_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

const char *
dc_buf_str(const struct dc_buf *b)
{
    return b->s ? b->s : "";
}

void
dc_json_str(struct dc_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run;

    if (!s) {
        dc_buf_puts(b, "null");
        return;
    }
    dc_buf_putc(b, '"');
    run = p;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        dc_buf_add(b, (const char *)run, (size_t)(p - run));
        switch (*p) {
        case '"': dc_buf_puts(b, "\\\""); break;
        case '\\': dc_buf_puts(b, "\\\\"); break;
        case '\n': dc_buf_puts(b, "\\n"); break;
        case '\r': dc_buf_puts(b, "\\r"); break;
        case '\t': dc_buf_puts(b, "\\t"); break;
        default: dc_buf_printf(b, "\\u%04x", *p);
        }
        run = p + 1;
    }
    dc_buf_add(b, (const char *)run, (size_t)(p - run));
    dc_buf_putc(b, '"');
}
