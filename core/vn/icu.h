/*
 * vn/icu.h - the one home of ICU's normalizers (unorm2 NFC and NFD) and of the
 * UTF-8 <-> UTF-16 round trips the Vietnamese text code makes around them
 * (issue 18: five modules each asked ICU for a normalizer of their own).
 *
 * For: NFC/NFD of UTF-16 into a caller array or a growable buffer, the NFC
 * quick check, one code point's canonical decomposition, and UTF-8 text
 * normalized through a stack buffer (heap only past it).  Not for: case
 * mapping or character properties (u_strToLower, u_charType are ICU's own
 * calls where they are needed), legacy encodings (encoding.c).
 *
 * Thread safety: every function may be called from any thread (ICU's
 * normalizer instances are shared and immutable).
 */
#ifndef DC_VN_ICU_H
#define DC_VN_ICU_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <unicode/utypes.h>

/* The two normal forms Vietnamese text needs: composed for storage and
 * output, decomposed to see base letters and marks apart. */
enum dc_icu_form { DC_ICU_NFC = 0, DC_ICU_NFD = 1 };

/* unorm2_normalize with the form's instance: s[0..n) into dst (cap units).
 * Returns the length; *st as ICU sets it (U_BUFFER_OVERFLOW_ERROR: the
 * length is what is needed). */
int32_t dc_icu_normalize(enum dc_icu_form f, const UChar *s, int32_t n, UChar *dst, int32_t cap,
                         UErrorCode *st);

/* 1 if s[0..n) is already in form f, 0 if not, -1 when ICU fails. */
int dc_icu_is_normalized(enum dc_icu_form f, const UChar *s, int32_t n);

/* Canonical (NFD) decomposition of c into dst: its length, 0 when c has
 * none (or it does not fit cap units). */
int32_t dc_icu_decomposition(UChar32 c, UChar *dst, int32_t cap);

/* 1 when ICU's normalizer data loads, 0 when it does not (a broken ICU install). */
int dc_icu_ready(void);

/* A growable UTF-16 buffer, zero-initialised ({0}).  A failed allocation sets
 * oom; later appends are ignored, the caller checks oom once. */
struct dc_icu_buf {
    UChar *p; /* NUL-terminated when n > 0; NULL before the first append */
    int32_t n, cap;
    int oom;
};

void dc_icu_buf_free(struct dc_icu_buf *b);
/* Room for extra more units (and the NUL) past the room there is. */
int dc_icu_buf_grow(struct dc_icu_buf *b, int32_t extra);

/* Inline: name normalization appends a unit at a time on its hot path. */

/* Room for extra more units (and the NUL); -1 (oom set) when it fails. */
static inline int
dc_icu_buf_reserve(struct dc_icu_buf *b, int32_t extra)
{
    if (!b->oom && extra >= 0 && b->n <= INT32_MAX - extra - 1 && b->n + extra + 1 <= b->cap)
        return 0;
    return dc_icu_buf_grow(b, extra);
}

static inline void
dc_icu_buf_append(struct dc_icu_buf *b, const UChar *s, int32_t n)
{
    if (dc_icu_buf_reserve(b, n) < 0)
        return;
    if (n > 0)
        memcpy(b->p + b->n, s, (size_t)n * sizeof *s);
    b->n += n;
    b->p[b->n] = 0;
}

static inline void
dc_icu_buf_cp(struct dc_icu_buf *b, UChar32 c)
{
    UChar u[2];

    if (c < 0 || c > 0x10FFFF)
        return;
    if (c <= 0xFFFF) {
        u[0] = (UChar)c;
        dc_icu_buf_append(b, u, 1);
    } else {
        u[0] = (UChar)((c >> 10) + 0xD7C0);
        u[1] = (UChar)((c & 0x3FF) | 0xDC00);
        dc_icu_buf_append(b, u, 2);
    }
}

/* Append s[0..len) (UTF-8) to out: 0, -1 invalid UTF-8 or len over max_len,
 * -2 out of memory. */
int dc_icu_from_utf8(const char *s, size_t len, size_t max_len, struct dc_icu_buf *out);
/* Append form f of s[0..n) to out: 0, -1 ICU failure, -2 out of memory. */
int dc_icu_buf_normalize(enum dc_icu_form f, const UChar *s, int32_t n, struct dc_icu_buf *out);
/* UTF-8 of s[0..n) in malloc'd memory; NULL on failure. */
char *dc_icu_to_utf8_alloc(const UChar *s, int32_t n);
/* UTF-8 of s[0..n) into out (size bytes, NUL-terminated); -1 (out = "") if
 * it does not fit. */
int dc_icu_to_utf8(const UChar *s, int32_t n, char *out, size_t size);

/* Form f of UTF-8 text in[0..len): UTF-16 work in stack buffers for short
 * text (a name, an address), on the heap past them.  The result goes into
 * out (size bytes, NUL-terminated) and its length into *outlen.  Returns 0;
 * -1 for invalid UTF-8 or ICU failure, -2 out of memory, -3 when the result
 * does not fit size (out = "" on every error). */
int dc_icu_utf8(enum dc_icu_form f, const char *in, size_t len, char *out, size_t size,
                size_t *outlen);

#endif
