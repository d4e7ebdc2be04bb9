/*
 * json.c - JSON string escaping (RFC 8259 §7).
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        case '"':
            dc_buf_puts(b, "\\\"");
            break;
        case '\\':
            dc_buf_puts(b, "\\\\");
            break;
        case '\n':
            dc_buf_puts(b, "\\n");
            break;
        case '\r':
            dc_buf_puts(b, "\\r");
            break;
        case '\t':
            dc_buf_puts(b, "\\t");
            break;
        default:
            dc_buf_printf(b, "\\u%04x", *p);
        }
        run = p + 1;
    }
    dc_buf_add(b, (const char *)run, (size_t)(p - run));
    dc_buf_putc(b, '"');
}
