/*
 * utf8.c - well-formed UTF-8 (see utf8.h).
 */
#include "utf8.h"

int
dc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0, k; i < n && p[i]; i += k)
        if ((k = dc_utf8_seq(p + i, n - i)) == 0)
            return 0;
    return 1;
}
