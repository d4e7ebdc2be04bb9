/*
 * vn/vn_int.h - private to core/vn/ and its unit test: each fold style the
 * ICU way alone (NFD, then a code point at a time), the definition the
 * ICU-free paths of fold.c are checked against (test_vn, every BMP
 * character).  The public faces are vn/icu.h, vn/letter.h, vn/fold.h and
 * vn/syllable.h.
 *
 * Files: icu.c (the normalizers and the UTF-16 buffer), letter.c (the letter
 * table), fold.c (the fold styles), syllable.c (the syllable grammar).
 */
#ifndef DC_VN_INT_H
#define DC_VN_INT_H

#include <stddef.h>

/* dc_fold's styles without their ICU-free paths; same returns as dc_fold. */
int dc_fold_key_icu(const char *in, char *out, size_t size);
int dc_fold_mrz_icu(const char *in, char *out, size_t size);

#endif
