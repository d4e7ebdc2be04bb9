/*
 * vn/letter.h - one table of letters: for each code point below U+1F00 (ASCII
 * to the end of Latin Extended Additional, where every precomposed Vietnamese
 * letter lives), the ASCII base letter, the Vietnamese vowel shape and the
 * tone it carries (issue 18: vnid's MRZ tables, the address fold table and
 * vntext's list of marked letters each wrote this again).
 *
 * Facts come from ICU's canonical decompositions (Unicode 15 UnicodeData.txt
 * through vn/icu.h), read once; the only facts written here are the five tone
 * marks and the three shape marks of Vietnamese (U+0300 U+0301 U+0303 U+0309
 * U+0323; U+0302 circumflex, U+0306 breve, U+031B horn) and đ/Đ, which has no
 * decomposition (research/normalize.md §3.4), with Ð/ð typed for it (§3.3).
 *
 * Not for: case mapping or scripts other than Latin (ICU's calls), syllables
 * (vn/syllable.h).  Thread safety: the table is built once (pthread_once) and
 * read-only after; call from any thread.
 */
#ifndef DC_VN_LETTER_H
#define DC_VN_LETTER_H

#include <stdint.h>

#define DC_LETTER_TABLE 0x1F00 /* code points the table covers */

/* Tones as the address matcher's accent-keeping key numbers them. */
enum dc_tone {
    DC_TONE_NONE = 0,
    DC_TONE_ACUTE,
    DC_TONE_GRAVE,
    DC_TONE_HOOK,
    DC_TONE_TILDE,
    DC_TONE_DOT
};
/* The shape marks, in the tone slot of a lone combining mark only. */
enum { DC_MARK_BREVE = 17, DC_MARK_CIRC = 18, DC_MARK_HORN = 19 };

struct dc_letter {
    /* ASCII lower-case letter or digit the code point's decomposition starts
     * with ('d' for Đ đ Ð ð), 0 when it is no such letter; for ASCII its own
     * lower case (letters and digits only) */
    unsigned char base;
    /* base with the Vietnamese shape kept: 'A' ă, 'B' â, 'E' ê, 'O' ô, 'P' ơ,
     * 'U' ư, 'D' đ; otherwise base */
    unsigned char shape;
    /* DC_TONE_* of a letter; for a lone combining mark its DC_TONE_* or
     * DC_MARK_*; 0 otherwise */
    unsigned char tone;
    /* 1 for a letter of the Vietnamese alphabet with a mark (à ă â đ ê ơ ư ...,
     * upper and lower case): a vowel whose marks are only a Vietnamese shape
     * fitting it and at most one tone, or đ/Đ; 0 for anything else (ñ, Ð) */
    unsigned char vn;
    /* 1 for a combining mark (general category Mn, Mc, Me) */
    unsigned char mark;
};

/* The entry of c, or NULL when c is outside the table (c < 0 or >= DC_LETTER_TABLE)
 * or ICU's data is missing. */
const struct dc_letter *dc_letter_get(int32_t c);

/* The whole table (DC_LETTER_TABLE entries), or NULL when ICU's data is missing. */
const struct dc_letter *dc_letter_table(void);

/* DC_TONE_* or DC_MARK_* of a combining mark, 0 for any other code point. */
int dc_letter_mark_code(int32_t m);

/* The shape code of ASCII lower-case vowel base after a shape mark
 * (DC_MARK_*): 'a' + breve = 'A', 'o' + horn = 'P'; base itself when the mark
 * does not fit it. */
unsigned char dc_letter_shape_mod(unsigned char base, int mark);

#endif
