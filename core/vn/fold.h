/*
 * vn/fold.h - one fold of Vietnamese text, in named styles (issue 18: vntext,
 * the address matcher, dedup and vnid each folded on their own, and the
 * copies had drifted).
 *
 * Every style removes the marks (tone placement never matters: "hòa" and
 * "hoà" fold alike) and reads Đ/đ, and Ð/ð typed for it, as d
 * (research/normalize.md §3.4-3.5).  They differ on purpose, one line each:
 *  - DC_FOLD_KEY (person.name_key, dedup's names, dc_text_fold): lower case;
 *    apostrophes dropped ("H'Hen" = "Hhen", names/README.md), every other run
 *    of non letters/digits one space; letters of other scripts kept.
 *  - DC_FOLD_MRZ (ICAO 9303 machine-readable zone, dc_mrz_fold_name): upper
 *    case A-Z 0-9 only; white space, '-' and '<' break words, everything
 *    else is dropped without a break ("Lê.Văn" = "LEVAN", idformats.md §4.5).
 *  - the address matcher's keys (addr/token.c, from the same letter table):
 *    the accent-free key is DC_FOLD_KEY but for dots, hyphens and
 *    separators kept as token classes, leading zeros dropped, a final y after
 *    a consonant read as i (the catalogue's Quí/Quý), and letters outside the
 *    letter table (other scripts) a space; its accent-keeping twin keeps
 *    the vowel shape (vn/letter.h shape codes) and one tone digit per word.
 *
 * Not for: display (folds lose information), casing of names (vntext).
 * Thread safety: any thread.
 */
#ifndef DC_VN_FOLD_H
#define DC_VN_FOLD_H

#include <stddef.h>

#include <unicode/utypes.h>

#include "vn/icu.h"

enum dc_fold_style { DC_FOLD_KEY = 0, DC_FOLD_MRZ = 1 };

/* Longest input, in bytes, dc_fold takes (longer is refused). */
#define DC_FOLD_MAX 1048576

/* Fold in (NUL-terminated UTF-8) in style into out (size bytes).  Returns 0;
 * -1 (out = "") when in is NULL, longer than DC_FOLD_MAX, not UTF-8, or the
 * result does not fit. */
int dc_fold(enum dc_fold_style style, const char *in, char *out, size_t size);

/* 1 for the characters written for the apostrophe of "H'Hen", "K'Ho":
 * ' ’ ‘ ʼ ` ´ (DC_FOLD_KEY drops them; vntext keeps one ' inside a name). */
static inline int
dc_fold_is_apostrophe(UChar32 c)
{
    return c == 0x27 || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x60 || c == 0xB4;
}

/* The DC_FOLD_KEY of UTF-16 s[0..n), appended to out (NFC).  0, or -1 on
 * ICU failure or out of memory. */
int dc_fold_key_u16(const UChar *s, int32_t n, struct dc_icu_buf *out);

#endif
