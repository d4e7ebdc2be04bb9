/*
 * vn/letter.c - the letter table (see letter.h), read from ICU's canonical
 * decompositions once.
 */
#include "vn/letter.h"

#include <pthread.h>

#include <unicode/uchar.h>

#include "vn/icu.h"

static struct dc_letter table[DC_LETTER_TABLE];
static int table_ok;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

int
dc_letter_mark_code(int32_t m)
{
    switch (m) {
    case 0x301:
        return DC_TONE_ACUTE;
    case 0x300:
        return DC_TONE_GRAVE;
    case 0x309:
        return DC_TONE_HOOK;
    case 0x303:
        return DC_TONE_TILDE;
    case 0x323:
        return DC_TONE_DOT;
    case 0x306:
        return DC_MARK_BREVE;
    case 0x302:
        return DC_MARK_CIRC;
    case 0x31B:
        return DC_MARK_HORN;
    default:
        return 0;
    }
}

unsigned char
dc_letter_shape_mod(unsigned char base, int mark)
{
    if (mark == DC_MARK_BREVE && base == 'a')
        return 'A';
    if (mark == DC_MARK_CIRC && (base == 'a' || base == 'e' || base == 'o'))
        return base == 'a' ? 'B' : base == 'e' ? 'E' : 'O';
    if (mark == DC_MARK_HORN && (base == 'o' || base == 'u'))
        return base == 'o' ? 'P' : 'U';
    return base;
}

static int
ascii_alnum_lower(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    return 0;
}

static void
build(void)
{
    if (!dc_icu_ready())
        return;
    for (int32_t cp = 0; cp < 0x80; cp++) {
        table[cp].base = table[cp].shape = (unsigned char)ascii_alnum_lower(cp);
    }
    for (int32_t cp = 0x80; cp < DC_LETTER_TABLE; cp++) {
        struct dc_letter *l = &table[cp];
        int8_t ty = u_charType(cp);

        if (ty == U_NON_SPACING_MARK || ty == U_ENCLOSING_MARK || ty == U_COMBINING_SPACING_MARK) {
            l->mark = 1;
            l->tone = (unsigned char)dc_letter_mark_code(cp);
        } else if (cp == 0x110 || cp == 0x111 || cp == 0xD0 || cp == 0xF0) {
            /* Đ đ, and Ð ð typed for them: no canonical decomposition (§3.4) */
            l->base = 'd';
            l->shape = 'D';
            l->vn = cp == 0x110 || cp == 0x111;
        } else if (u_isalnum(cp)) {
            UChar d[8];
            int32_t n = dc_icu_decomposition(cp, d, 8);
            int base = n > 0 && d[0] < 0x80 ? ascii_alnum_lower(d[0]) : 0;
            int tones = 0, shapes = 0, other = 0;

            if (!base)
                continue;
            l->base = l->shape = (unsigned char)base;
            for (int32_t k = 1; k < n; k++) {
                int mc = dc_letter_mark_code(d[k]);
                unsigned char sh = l->shape;

                if (mc >= DC_MARK_BREVE) {
                    l->shape = dc_letter_shape_mod(l->shape, mc);
                    shapes++;
                    other |= l->shape == sh; /* a shape the vowel does not take */
                } else if (mc > 0) {
                    l->tone = (unsigned char)mc;
                    tones++;
                } else {
                    other = 1;
                }
            }
            l->vn = n > 1 && !other && tones <= 1 && shapes <= 1 &&
                    (base == 'a' || base == 'e' || base == 'i' || base == 'o' || base == 'u' ||
                     base == 'y');
        }
    }
    table_ok = 1;
}

const struct dc_letter *
dc_letter_table(void)
{
    pthread_once(&table_once, build);
    return table_ok ? table : NULL;
}

const struct dc_letter *
dc_letter_get(int32_t c)
{
    const struct dc_letter *t = dc_letter_table();

    return t && c >= 0 && c < DC_LETTER_TABLE ? &t[c] : NULL;
}
