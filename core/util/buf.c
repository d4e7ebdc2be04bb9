/*
 * util/buf.c - the growable string buffer (see buf.h).
 */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
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
    if (!b)
        return;
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

void *
dc_grow(void *p, size_t *cap, size_t first, size_t elem)
{
    size_t nc = *cap ? *cap * 2 : first;
    void *n;

    if (!elem || nc <= *cap || nc > SIZE_MAX / elem)
        return NULL;
    n = realloc(p, nc * elem);
    if (n)
        *cap = nc;
    return n;
}
