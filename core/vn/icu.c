/*
 * vn/icu.c - ICU's normalizers and the UTF-16 buffer around them (see icu.h).
 * The only file of core/ that calls unorm2 (issue 18).
 */
#include "vn/icu.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

static const UNormalizer2 *
instance(enum dc_icu_form f)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *n =
        f == DC_ICU_NFD ? unorm2_getNFDInstance(&st) : unorm2_getNFCInstance(&st);

    return U_FAILURE(st) ? NULL : n;
}

/* ICU refuses a NULL source even of length 0; empty buffers have p == NULL. */
static const UChar empty_u[1];
#define NZ(p) ((p) ? (p) : empty_u)

int32_t
dc_icu_normalize(enum dc_icu_form f, const UChar *s, int32_t n, UChar *dst, int32_t cap,
                 UErrorCode *st)
{
    const UNormalizer2 *nz = instance(f);

    if (U_FAILURE(*st))
        return 0;
    if (!nz) {
        *st = U_MISSING_RESOURCE_ERROR;
        return 0;
    }
    return unorm2_normalize(nz, NZ(s), n, dst, cap, st);
}

int
dc_icu_is_normalized(enum dc_icu_form f, const UChar *s, int32_t n)
{
    const UNormalizer2 *nz = instance(f);
    UErrorCode st = U_ZERO_ERROR;
    UBool yes;

    if (!nz)
        return -1;
    yes = unorm2_isNormalized(nz, NZ(s), n, &st);
    return U_FAILURE(st) ? -1 : yes != 0;
}

int32_t
dc_icu_decomposition(UChar32 c, UChar *dst, int32_t cap)
{
    const UNormalizer2 *nz = instance(DC_ICU_NFD);
    UErrorCode st = U_ZERO_ERROR;
    int32_t n;

    if (!nz)
        return 0;
    n = unorm2_getDecomposition(nz, c, dst, cap, &st);
    return U_FAILURE(st) || n < 0 ? 0 : n;
}

int
dc_icu_ready(void)
{
    return instance(DC_ICU_NFC) && instance(DC_ICU_NFD);
}

/* ---- the growable UTF-16 buffer ---- */

void
dc_icu_buf_free(struct dc_icu_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

int
dc_icu_buf_grow(struct dc_icu_buf *b, int32_t extra)
{
    int32_t want;
    UChar *p;

    if (b->oom)
        return -1;
    if (extra < 0 || b->n > INT32_MAX - extra - 1) {
        b->oom = 1;
        return -1;
    }
    want = b->n + extra + 1;
    if (want <= b->cap)
        return 0;
    if (want < 64)
        want = 64;
    if (want < INT32_MAX / 2 && want < b->cap * 2)
        want = b->cap * 2;
    p = realloc(b->p, (size_t)want * sizeof *p);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = want;
    return 0;
}

/* ---- conversions ---- */

int
dc_icu_from_utf8(const char *s, size_t len, size_t max_len, struct dc_icu_buf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;

    if (len > max_len || len > INT32_MAX)
        return -1;
    u_strFromUTF8(NULL, 0, &n, s, (int32_t)len, &st);
    if (U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR)
        return -1;
    if (dc_icu_buf_reserve(out, n) < 0)
        return -2;
    st = U_ZERO_ERROR;
    u_strFromUTF8(out->p + out->n, n + 1, NULL, s, (int32_t)len, &st);
    if (U_FAILURE(st))
        return -1;
    out->n += n;
    out->p[out->n] = 0;
    return 0;
}

int
dc_icu_buf_normalize(enum dc_icu_form f, const UChar *s, int32_t n, struct dc_icu_buf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t m;

    m = dc_icu_normalize(f, s, n, NULL, 0, &st);
    if (U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR)
        return -1;
    if (dc_icu_buf_reserve(out, m) < 0)
        return -2;
    st = U_ZERO_ERROR;
    dc_icu_normalize(f, s, n, out->p + out->n, m + 1, &st);
    if (U_FAILURE(st))
        return -1;
    out->n += m;
    out->p[out->n] = 0;
    return 0;
}

char *
dc_icu_to_utf8_alloc(const UChar *s, int32_t n)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t m = 0;
    char *p;

    s = NZ(s);
    u_strToUTF8(NULL, 0, &m, s, n, &st);
    if (U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR)
        return NULL;
    p = malloc((size_t)m + 1);
    if (!p)
        return NULL;
    st = U_ZERO_ERROR;
    u_strToUTF8(p, m + 1, NULL, s, n, &st);
    if (U_FAILURE(st)) {
        free(p);
        return NULL;
    }
    p[m] = '\0';
    return p;
}

int
dc_icu_to_utf8(const UChar *s, int32_t n, char *out, size_t size)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t m = 0;
    int32_t cap = size > INT32_MAX ? INT32_MAX : (int32_t)size;

    s = NZ(s);
    u_strToUTF8(out, cap, &m, s, n, &st);
    if (U_FAILURE(st) || m >= cap) {
        out[0] = '\0';
        return -1;
    }
    out[m] = '\0';
    return 0;
}

/* Stack room, in UTF-16 units, for dc_icu_utf8: a name or an address line
 * and its normal form never need the heap. */
#define STACK_UNITS 512

int
dc_icu_utf8(enum dc_icu_form f, const char *in, size_t len, char *out, size_t size, size_t *outlen)
{
    UChar su[STACK_UNITS], sn[3 * STACK_UNITS];
    struct dc_icu_buf hu = {0}, hn = {0};
    const UChar *u = su, *nf = sn;
    UErrorCode st = U_ZERO_ERROR;
    int32_t un = 0, nn, ol = 0;
    int rc = 0;

    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    if (len > INT32_MAX / 4)
        return -1;
    u_strFromUTF8(su, STACK_UNITS, &un, in, (int32_t)len, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING) {
        if ((rc = dc_icu_from_utf8(in, len, INT32_MAX / 4, &hu)) < 0)
            goto done;
        u = hu.p;
        un = hu.n;
    } else if (U_FAILURE(st)) {
        rc = -1;
        goto done;
    }
    st = U_ZERO_ERROR;
    /* NFC grows UTF-16 text at most threefold (Unicode stability policy) */
    nn = dc_icu_normalize(f, u, un, sn, (int32_t)(sizeof sn / sizeof sn[0]), &st);
    if (st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING) {
        if ((rc = dc_icu_buf_normalize(f, u, un, &hn)) < 0)
            goto done;
        nf = hn.p;
        nn = hn.n;
    } else if (U_FAILURE(st)) {
        rc = -1;
        goto done;
    }
    st = U_ZERO_ERROR;
    u_strToUTF8(out, size > INT32_MAX ? INT32_MAX : (int32_t)size, &ol, NZ(nf), nn, &st);
    if (U_FAILURE(st) || (size_t)ol >= size) {
        rc = st == U_BUFFER_OVERFLOW_ERROR || (size_t)ol >= size ? -3 : -1;
        goto done;
    }
    out[ol] = '\0';
    if (outlen)
        *outlen = (size_t)ol;
done:
    if (rc < 0)
        out[0] = '\0';
    dc_icu_buf_free(&hu);
    dc_icu_buf_free(&hn);
    return rc;
}
