/*
 * utf8.h - well-formed UTF-8, one home for the check (Unicode 15 §3.9 Table 3-7: no
 * overlong forms, no surrogates, nothing over U+10FFFF).  Export's JSON and workbook
 * encoders, import's source names, the CSV reader's legacy-encoding check and the card
 * values of vnid all ask it.
 *
 * Not for: the encoding detector's sample test (encoding.c), where a sequence cut by
 * the end of a sample is no error.
 */
#ifndef DC_UTF8_H
#define DC_UTF8_H

#include <stddef.h>

/* Length (1..4) of the well-formed sequence at s, n >= 1 bytes left; 0 when there is
 * none.  Inline: the encoders call it once per character on their hot path. */
static inline size_t
dc_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xBF;
    size_t len;

    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* 1 when s is valid UTF-8 of at most n bytes (n bytes read, a NUL ends it early). */
int dc_utf8_valid(const char *s, size_t n);

#endif
