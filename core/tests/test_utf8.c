/*
 * test_utf8.c - unit tests for core/utf8.h: well-formed UTF-8 by Unicode 15 Table 3-7
 * (the edges of each row), sequence lengths, and the whole-string check.
 */
#include <string.h>

#include "tap.h"
#include "utf8.h"

static size_t
seq(const char *s)
{
    return dc_utf8_seq((const unsigned char *)s, strlen(s));
}

static void
test_utf8_seq_table_edges(void)
{
    CHECK_INT(seq("a"), 1);
    CHECK_INT(seq("\xc2\x80"), 2);         /* U+0080, the first two-byte form */
    CHECK_INT(seq("\xc1\xbf"), 0);         /* overlong */
    CHECK_INT(seq("\xe0\xa0\x80"), 3);     /* U+0800 */
    CHECK_INT(seq("\xe0\x9f\xbf"), 0);     /* overlong */
    CHECK_INT(seq("\xed\x9f\xbf"), 3);     /* U+D7FF */
    CHECK_INT(seq("\xed\xa0\x80"), 0);     /* surrogate */
    CHECK_INT(seq("\xf0\x90\x80\x80"), 4); /* U+10000 */
    CHECK_INT(seq("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF */
    CHECK_INT(seq("\xf4\x90\x80\x80"), 0); /* over U+10FFFF */
    CHECK_INT(seq("\xf5\x80\x80\x80"), 0);
    CHECK_INT(seq("\xe1\xba"), 0);      /* cut short */
    CHECK_INT(seq("\x80"), 0);          /* a continuation byte alone */
    CHECK_INT(seq("\xe1\xba\xa1x"), 3); /* ạ, then more */
}

static void
test_utf8_valid(void)
{
    CHECK_INT(dc_utf8_valid("Đức", 5), 1);
    CHECK_INT(dc_utf8_valid("\xc3", 1), 0);
    CHECK_INT(dc_utf8_valid("\xc0\x80", 2), 0);         /* overlong NUL */
    CHECK_INT(dc_utf8_valid("\xed\xa0\x80", 3), 0);     /* surrogate */
    CHECK_INT(dc_utf8_valid("\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
    CHECK_INT(dc_utf8_valid("\xf0\x9f\x98\x80", 4), 1);
    CHECK_INT(dc_utf8_valid("ab\0\xff", 4), 1); /* a NUL ends it early */
}

int
main(void)
{
    RUN(test_utf8_seq_table_edges);
    RUN(test_utf8_valid);
    return tap_done();
}
