/*
 * vn/fold.c - the fold styles (see fold.h).  The ICU way (NFD, then one code
 * point at a time) is the definition of each style; the ways around it for
 * ASCII and the letter table's letters give the same bytes (test_vn checks
 * them against it on every BMP character).
 */
#include "vn/fold.h"

#include <stdint.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf16.h>

#include "utf8.h"
#include "vn/letter.h"
#include "vn/vn_int.h"

static int
is_eth_or_dyet(UChar32 c)
{
    return c == 0x0110 || c == 0x0111 || c == 0x00D0 || c == 0x00F0;
}

/* ---- DC_FOLD_KEY ---- */

/* ASCII fold of one character: its key byte, 0 for a separator, -1 for a
 * character that is dropped (the apostrophes). */
static int
key_ascii(int c)
{
    if (c == '\'' || c == '`')
        return -1;
    if (c >= 'A' && c <= 'Z')
        return c + ('a' - 'A');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    return 0;
}

int
dc_fold_key_u16(const UChar *s, int32_t n, struct dc_icu_buf *out)
{
    struct dc_icu_buf d = {0}, k = {0};
    int32_t i = 0;
    int pending = 0, rc;

    if (dc_icu_buf_normalize(DC_ICU_NFD, s, n, &d) < 0) {
        dc_icu_buf_free(&d);
        return -1;
    }
    while (i < d.n) {
        UChar32 c;

        U16_NEXT(d.p, i, d.n, c);
        if (U_GET_GC_MASK(c) & U_GC_MN_MASK)
            continue;
        if (dc_fold_is_apostrophe(c))
            continue;
        if (is_eth_or_dyet(c))
            c = 'd';
        if (u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK)) {
            if (pending && k.n > 0)
                dc_icu_buf_cp(&k, ' ');
            pending = 0;
            dc_icu_buf_cp(&k, u_tolower(c));
        } else {
            pending = 1;
        }
    }
    rc = k.oom ? -1 : dc_icu_buf_normalize(DC_ICU_NFC, k.p, k.n, out);
    dc_icu_buf_free(&d);
    dc_icu_buf_free(&k);
    return rc < 0 ? -1 : 0;
}

static int
fold_key(const char *in, char *out, size_t size)
{
    const unsigned char *a = (const unsigned char *)in;

    while (*a && *a < 0x80)
        a++;
    if (!*a) {
        /* ASCII (most codes, sexes, ethnic names typed plain): as dc_fold_key_u16 */
        size_t o = 0;
        int pending = 0;

        for (a = (const unsigned char *)in; *a; a++) {
            int c = key_ascii(*a);

            if (c == 0) {
                pending = 1;
                continue;
            }
            if (c < 0)
                continue;
            if (o + (pending && o > 0) + 1 >= size) {
                out[0] = '\0';
                return -1;
            }
            if (pending && o > 0)
                out[o++] = ' ';
            pending = 0;
            out[o++] = (char)c;
        }
        out[o] = '\0';
        return 0;
    }
    return dc_fold_key_icu(in, out, size);
}

/* ---- DC_FOLD_MRZ (ICAO 9303: A-Z 0-9 and word breaks) ---- */

/* Add folded character a (0: a word break when wb, else dropped) to out. */
static int
mrz_put(char a, int wb, char *out, size_t *o, size_t outsz, int *pend)
{
    if (!a) {
        if (wb)
            *pend = *o > 0;
        return 0;
    }
    if (*o + (*pend ? 2 : 1) >= outsz)
        return -1;
    if (*pend)
        out[(*o)++] = ' ';
    *pend = 0;
    out[(*o)++] = a;
    return 0;
}

static char
upper(unsigned char base)
{
    return (char)(base >= 'a' && base <= 'z' ? base - 'a' + 'A' : base);
}

/* The MRZ fold without ICU for text of ASCII and the letter table's letters
 * (every Vietnamese name): 1 done, 0 when a character needs ICU, -1 when the
 * result does not fit.  in is well-formed UTF-8 of len bytes. */
static int
mrz_fast(const char *in, size_t len, char *out, size_t outsz)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0, k = 0;
    int pend = 0;

    while (k < len) {
        uint32_t c = p[k];
        size_t l = dc_utf8_seq(p + k, len - k);
        char a = 0;
        int wb = 0;

        if (c < 0x80) {
            k++;
            a = upper((unsigned char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                a = 0;
            wb = c == ' ' || c == '-' || c == '<' || (c >= 0x09 && c <= 0x0D);
        } else {
            const struct dc_letter *lt;

            if (l == 2)
                c = (c & 0x1F) << 6 | (p[k + 1] & 0x3F);
            else if (l == 3)
                c = (c & 0x0F) << 12 | (uint32_t)(p[k + 1] & 0x3F) << 6 | (p[k + 2] & 0x3F);
            else
                return 0;
            k += l;
            lt = dc_letter_get((int32_t)c);
            if (!lt || !lt->base)
                return 0;
            a = upper(lt->base);
        }
        if (mrz_put(a, wb, out, &o, outsz, &pend) < 0)
            return -1;
    }
    out[o] = '\0';
    return 1;
}

/* The definition: NFD, then ASCII letters and digits upper case, Đ đ Ð ð as
 * D (ICAO transliteration; Đ has no decomposition), white space, '-' and '<'
 * word breaks, everything else (marks, punctuation, other scripts) dropped. */
static int
mrz_icu(const char *in, size_t len, char *out, size_t outsz)
{
    struct dc_icu_buf u = {0}, d = {0};
    size_t o = 0;
    int32_t i = 0;
    int pend = 0, rc = -1;

    if (dc_icu_from_utf8(in, len, DC_FOLD_MAX, &u) < 0 ||
        dc_icu_buf_normalize(DC_ICU_NFD, u.p, u.n, &d) < 0)
        goto done;
    while (i < d.n) {
        UChar32 c;
        char a = 0;

        U16_NEXT(d.p, i, d.n, c);
        if (is_eth_or_dyet(c))
            a = 'D';
        else if (c < 0x80 &&
                 ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            a = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        if (mrz_put(a, c == ' ' || c == '-' || c == '<' || u_isUWhiteSpace(c), out, &o, outsz,
                    &pend) < 0)
            goto done;
    }
    out[o] = '\0';
    rc = 0;
done:
    dc_icu_buf_free(&u);
    dc_icu_buf_free(&d);
    return rc;
}

static int
fold_mrz(const char *in, char *out, size_t size)
{
    size_t len = strlen(in);
    int fast;

    if (!dc_utf8_valid(in, len))
        return -1;
    fast = mrz_fast(in, len, out, size);
    if (fast != 0)
        return fast > 0 ? 0 : -1;
    return mrz_icu(in, len, out, size);
}

int
dc_fold(enum dc_fold_style style, const char *in, char *out, size_t size)
{
    int rc;

    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    if (!in)
        return -1;
    rc = style == DC_FOLD_MRZ ? fold_mrz(in, out, size) : fold_key(in, out, size);
    if (rc < 0)
        out[0] = '\0';
    return rc;
}

int
dc_fold_mrz_icu(const char *in, char *out, size_t size)
{
    int rc;

    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    rc = in && dc_utf8_valid(in, strlen(in)) ? mrz_icu(in, strlen(in), out, size) : -1;
    if (rc < 0)
        out[0] = '\0';
    return rc;
}

int
dc_fold_key_icu(const char *in, char *out, size_t size)
{
    struct dc_icu_buf u = {0}, o = {0};
    int rc = -1;

    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    if (in && dc_icu_from_utf8(in, strlen(in), DC_FOLD_MAX, &u) == 0 &&
        dc_fold_key_u16(u.p, u.n, &o) == 0 && !o.oom)
        rc = dc_icu_to_utf8(o.p, o.n, out, size);
    dc_icu_buf_free(&u);
    dc_icu_buf_free(&o);
    return rc;
}
