/*
 * vn/syllable.h - one grammar of the Vietnamese syllable: onset, nucleus,
 * coda, and the tones a stop coda allows (issue 18: vntext's tone placement
 * and encoding's detector each had one, and they disagreed on "bíê").
 *
 * The shape is the textbook structure (research/normalize.md §3.2 lists the
 * vowel clusters that carry tone marks): an onset from the 27 of the
 * alphabet (qu and gi among them), a nucleus of one to three vowels from the
 * 55 below, a coda of c ch m n ng nh p t or none.  Nuclei that are spelled
 * only before a coda (iê yê uô ươ uyê, ă â, oă uâ, oo) are not syllables
 * when open: "bia", "mua", "mưa" are written so, and "bíê" is no syllable.
 *
 * Letters are given one byte each, as vn/letter.h's shape codes: a-z, and
 * 'A' ă, 'B' â, 'E' ê, 'O' ô, 'P' ơ, 'U' ư, 'D' đ.
 *
 * Not for: where the tone mark goes (vntext), decoding bytes (encoding).
 * Thread safety: pure functions.
 */
#ifndef DC_VN_SYLLABLE_H
#define DC_VN_SYLLABLE_H

#include <stddef.h>

/* Any run of consonant letters is an onset (minority names: "Hmông",
 * "Krông"), with qu/gi before a vowel taken whole; else only the 27. */
#define DC_SYL_ANY_ONSET 1u
/* A stop coda (c ch p t) takes any tone; else only sắc and nặng. */
#define DC_SYL_ANY_TONE 2u

struct dc_syllable {
    int onset;   /* letters of the onset (qu, gi: 2) */
    int nucleus; /* letters of the nucleus, 1-3 */
    int coda;    /* letters of the coda, 0-2 */
};

/* Is l[0..n) (shape codes) with tone (vn/letter.h DC_TONE_*, 0 none) one
 * Vietnamese syllable?  1 with its parts in *out (may be NULL), else 0. */
int dc_syllable_parse(const char *l, size_t n, int tone, unsigned flags, struct dc_syllable *out);

/* 1 for a vowel's shape code: a e i o u y A B E O P U. */
int dc_syllable_is_vowel(char c);

#endif
