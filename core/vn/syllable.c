/*
 * vn/syllable.c - the syllable grammar (see syllable.h).
 */
#include "vn/syllable.h"

#include <string.h>

#include "vn/letter.h"

static const char *const onsets[] = {
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d",
    "D",   "g",  "h",  "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",  "v", "x", "",
};
static const char *const codas[] = {"ng", "nh", "ch", "c", "m", "n", "p", "t", ""};

/* nucleus and whether it takes a coda: 0 either, 1 never, 2 always */
static const struct {
    const char *v;
    int coda;
} nuclei[] = {
    {"a", 0},   {"A", 2},   {"B", 2},   {"e", 0},   {"E", 0},   {"i", 0},   {"o", 0},   {"O", 0},
    {"P", 0},   {"u", 0},   {"U", 0},   {"y", 0},   {"ai", 1},  {"ao", 1},  {"au", 1},  {"ay", 1},
    {"Bu", 1},  {"By", 1},  {"eo", 1},  {"Eu", 1},  {"ia", 1},  {"iu", 1},  {"oi", 1},  {"Oi", 1},
    {"Pi", 1},  {"ui", 1},  {"Ui", 1},  {"Uu", 1},  {"ua", 1},  {"Ua", 1},  {"iE", 2},  {"yE", 2},
    {"uO", 2},  {"UP", 2},  {"oa", 0},  {"oA", 2},  {"oe", 0},  {"uB", 2},  {"uE", 0},  {"uy", 0},
    {"uP", 1},  {"oo", 2},  {"oai", 1}, {"oay", 1}, {"oao", 1}, {"oeo", 1}, {"uBy", 1}, {"uOi", 1},
    {"UPi", 1}, {"UPu", 1}, {"iEu", 1}, {"yEu", 1}, {"uya", 1}, {"uyE", 2}, {"uyu", 1},
};

int
dc_syllable_is_vowel(char c)
{
    return c != '\0' && strchr("aeiouyABEOPU", c) != NULL;
}

/* The rhyme r[0..n): a nucleus of the table and a coda it allows; the
 * nucleus length into *nl. */
static int
rhyme(const char *r, size_t n, int tone, unsigned flags, int *nl)
{
    for (size_t ci = 0; ci < sizeof codas / sizeof codas[0]; ci++) {
        size_t cl = strlen(codas[ci]);

        if (cl > n || memcmp(r + n - cl, codas[ci], cl) != 0)
            continue;
        /* a stop coda carries only the acute or the dot-below tone */
        if (!(flags & DC_SYL_ANY_TONE) && cl &&
            (codas[ci][0] == 'p' || codas[ci][0] == 't' || codas[ci][0] == 'c') &&
            tone != DC_TONE_ACUTE && tone != DC_TONE_DOT)
            continue;
        for (size_t ni = 0; ni < sizeof nuclei / sizeof nuclei[0]; ni++) {
            size_t vl = strlen(nuclei[ni].v);

            if (vl != n - cl || memcmp(r, nuclei[ni].v, vl) != 0)
                continue;
            if ((nuclei[ni].coda == 1 && cl) || (nuclei[ni].coda == 2 && !cl))
                continue;
            *nl = (int)vl;
            return 1;
        }
    }
    return 0;
}

int
dc_syllable_parse(const char *l, size_t n, int tone, unsigned flags, struct dc_syllable *out)
{
    int nl = 0;

    if (n == 0)
        return 0;
    if (flags & DC_SYL_ANY_ONSET) {
        size_t i = 0;

        while (i < n && !dc_syllable_is_vowel(l[i]))
            i++;
        /* "qu" and "gi" + vowel: the u / i is part of the onset (quý, giữ, già) */
        if (i == 1 && i + 1 < n && dc_syllable_is_vowel(l[i + 1]) &&
            ((l[0] == 'q' && l[1] == 'u') || (l[0] == 'g' && l[1] == 'i')))
            i++;
        if (i >= n || !rhyme(l + i, n - i, tone, flags, &nl))
            return 0;
        if (out)
            *out = (struct dc_syllable){(int)i, nl, (int)(n - i) - nl};
        return 1;
    }
    for (size_t oi = 0; oi < sizeof onsets / sizeof onsets[0]; oi++) {
        size_t ol = strlen(onsets[oi]);

        if (ol > n || memcmp(l, onsets[oi], ol) != 0)
            continue;
        if (ol < n && rhyme(l + ol, n - ol, tone, flags, &nl)) {
            if (out)
                *out = (struct dc_syllable){(int)ol, nl, (int)(n - ol) - nl};
            return 1;
        }
    }
    return 0;
}
