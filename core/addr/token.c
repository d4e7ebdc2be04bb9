/*
 * addr/token.c - the address fold (a table from vn/letter.h: case, marks, đ/d, separator
 * classes, and the accent-keeping twin key), tokens, and the written unit
 * types ("P.", "TX", "Thành phố").  Not for: catalogue indexes (catalog.c).
 */
#include "addr_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

/* ---------------------------------------------------------------- folding */

/* The fold classes of ASCII, then the letters of the one letter table
 * (vn/letter.h: ASCII base, shape and tone of every precomposed letter) and
 * the apostrophes the address data writes. */
int
addr_build_fold(struct foldtab *ft, struct dc_error *err)
{
    unsigned char *t = ft->fold;
    const struct dc_letter *lt = dc_letter_table();
    if (!lt)
        return dc_error_set(err, DC_EX_SOFTWARE, "icu nfd: normalizer data not available");
    for (int cp = 0; cp < 0x80; cp++) {
        unsigned char v = FC_SPACE;
        if (lt[cp].base)
            v = lt[cp].base;
        else if (cp == '.')
            v = FC_DOT;
        else if (cp == '-' || cp == '_')
            v = FC_HYPH;
        else if (cp == '\'' || cp == '`')
            v = FC_APOS;
        else if (strchr(",;|/\\()[]{}\n\r\t:", cp) != NULL && cp != 0)
            v = FC_SEP;
        t[cp] = v;
        ft->shape[cp] = v;
    }
    for (int cp = 0x80; cp < FOLD_TABLE; cp++) {
        const struct dc_letter *l = &lt[cp];
        unsigned char v = FC_SPACE;
        if (l->mark) {
            v = FC_MARK;
            ft->tone[cp] = l->tone;
        } else if (cp == 0xB4 || cp == 0x2B9 || cp == 0x2BB || cp == 0x2BC || cp == 0x2BD) {
            v = FC_APOS;
        } else if (l->base) {
            v = l->base;
            ft->shape[cp] = l->shape;
            ft->tone[cp] = l->tone;
        }
        t[cp] = v;
    }
    return 0;
}

static unsigned char
fold_class(const struct foldtab *ft, UChar32 cp)
{
    if (cp < 0)
        return FC_SPACE;
    if (cp < FOLD_TABLE)
        return ft->fold[cp];
    switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
        return FC_APOS; /* 2025 names use U+2019: "Xã Ea H’Leo" */
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
        return FC_HYPH;
    case 0xFF0C:
    case 0x3001:
    case 0xFF1B:
        return FC_SEP;
    default:
        return FC_SPACE;
    }
}

/* --------------------------------------------------------------- tokens */

static void
strip_zeros(struct tokbuf *tb, struct tok *t)
{
    while (t->fl > 1 && tb->f[t->fo] == '0') {
        t->fo++;
        t->fl--;
    }
    t->flags |= T_NUM;
}

/* Letters glued to a number that are a unit prefix: "P3", "F12", "Q10",
 * "P03" (research/normalize.md §2.7, vietnamadminunits' p14/f14/q1 keys). */
static const char *const glued_prefixes[] = {"p", "f", "q", "ph", "phuong", "quan"};

static int
tok_finish(struct tokbuf *tb, int idx)
{
    struct tok *t = &tb->t[idx];
    const char *f = tb->f + t->fo;
    int nl = 0;
    while (nl < t->fl && f[nl] >= 'a')
        nl++;
    if (nl == 0) {
        int alld = 1;
        for (int k = 0; k < t->fl; k++)
            alld &= f[k] <= '9';
        if (alld)
            strip_zeros(tb, t);
        return 0;
    }
    if (nl == t->fl) {
        /* Old and new spelling swap a final i/y after a consonant: the
         * catalogue has both "Quí" and "Quý", "Kì"/"Kỳ", "Mĩ"/"Mỹ" (refdata
         * README, spelling quirks).  Fold that y to i in both keys. */
        int last = t->fo + t->fl - 1;
        if (t->fl >= 2 && tb->f[last] == 'y') {
            int cons = t->fl == 3 && f[0] == 'q' && f[1] == 'u';
            if (!cons) {
                cons = 1;
                for (int k = 0; k < t->fl - 1; k++)
                    cons &= strchr("bcdghklmnpqrstvx", f[k]) != NULL;
            }
            if (cons) {
                tb->f[last] = 'i';
                tb->a[last] = 'i';
            }
        }
        return 0;
    }
    if (t->be - t->bo != t->fl)
        return 0;
    for (int k = nl; k < t->fl; k++)
        if (f[k] > '9')
            return 0;
    int known = 0;
    for (size_t k = 0; k < sizeof glued_prefixes / sizeof glued_prefixes[0]; k++)
        known |= (size_t)nl == strlen(glued_prefixes[k]) &&
                 memcmp(f, glued_prefixes[k], (size_t)nl) == 0;
    if (!known)
        return 0;
    if (tb->n >= DC_ADDR_MAX_TOKENS)
        return -1;
    struct tok *d = &tb->t[tb->n++];
    d->fo = t->fo + nl;
    d->fl = t->fl - nl;
    d->bo = t->bo + nl;
    d->be = t->be;
    d->flags = 0;
    d->field = t->field;
    d->tone = TONE_NONE;
    d->marked = 0;
    strip_zeros(tb, d);
    t->fl = nl;
    t->be = t->bo + nl;
    return 0;
}

/* A type word glued to the name it types: "HuyệnSi Ma Cai", "TỉnhLào Cai",
 * "XPhước Vĩnh Đông", "TTLong Thành" (issue 13 §2.6).  The word so far is a
 * type word and an upper-case letter starts the name: after a lower-case
 * letter, or after an upper-case one when a lower-case letter follows
 * ("XPhước", not "HN" or "TPHCM"). */
static const char *const glued_types[] = {"huyen", "tinh", "xa", "phuong", "quan", "tp", "tx",
                                          "tt",    "ttr",  "p",  "x",      "q",    "h",  "f"};

static int
glued_type(const struct tokbuf *tb, int cur, const char *s, int32_t i, int32_t len, int prev)
{
    const struct tok *t = &tb->t[cur];
    if (t->fl > 6)
        return 0;
    if (prev == 2) {
        UChar32 nx = -1;
        if (i < len)
            U8_NEXT((const uint8_t *)s, i, len, nx);
        if (nx < 0 || !(nx < 0x80 ? nx >= 'a' && nx <= 'z' : u_islower(nx)))
            return 0;
    }
    for (size_t k = 0; k < sizeof glued_types / sizeof glued_types[0]; k++)
        if ((size_t)t->fl == strlen(glued_types[k]) &&
            memcmp(tb->f + t->fo, glued_types[k], (size_t)t->fl) == 0)
            return 1;
    return 0;
}

/* Append the tokens of s to tb.  Returns -1 when a limit is hit. */
int
addr_tokenize(const struct foldtab *ft, const char *s, int32_t len, int field, unsigned pend,
              struct tokbuf *tb)
{
    int32_t i = 0;
    int cur = -1;
    int prev = 0; /* the code point before: 1 a lower-case letter, 2 an upper-case one */
    while (i < len) {
        int32_t b0 = i;
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, len, cp);
        unsigned char c = fold_class(ft, cp);
        if (c >= '0') {
            int up = c >= 'a' && (cp < 0x80 ? cp >= 'A' && cp <= 'Z' : u_isupper(cp));
            /* a capital after a small letter starts a word: names glued
             * without their space ("KonTum", "Trung HòaCầu Giấy"), not
             * a stray capital in a short word ("ThAnh Hóa") */
            if (cur >= 0 && up &&
                ((prev == 1 && tb->t[cur].fl >= 3) ||
                 (prev && glued_type(tb, cur, s, i, len, prev)))) {
                if (tok_finish(tb, cur) < 0)
                    return -1;
                cur = -1;
            }
            prev = c < 'a' ? 0 : up ? 2 : 1;
            if (cur < 0) {
                if (tb->n >= DC_ADDR_MAX_TOKENS)
                    return -1;
                cur = tb->n++;
                tb->t[cur].fo = tb->fn;
                tb->t[cur].fl = 0;
                tb->t[cur].bo = b0;
                tb->t[cur].flags = pend;
                tb->t[cur].field = field;
                tb->t[cur].tone = TONE_NONE;
                tb->t[cur].marked = 0;
                pend = 0;
            }
            if (tb->fn >= (int)sizeof tb->f - 1)
                return -1;
            if (cp < FOLD_TABLE) {
                tb->a[tb->fn] = (char)ft->shape[cp];
                if (ft->tone[cp])
                    tb->t[cur].tone = ft->tone[cp];
                if (cp >= 0x80)
                    tb->t[cur].marked = 1;
            } else {
                tb->a[tb->fn] = (char)c;
            }
            tb->f[tb->fn++] = (char)c;
            tb->t[cur].fl++;
            tb->t[cur].be = i;
        } else if (c == FC_MARK || c == FC_APOS) {
            if (c == FC_APOS)
                prev = 0; /* "H'Leo" is one word */
            /* marks of NFD input, and the apostrophe inside "H'leo" / "H’Leo",
             * stay inside the word */
            if (cur >= 0) {
                tb->t[cur].be = i;
                int mc = c == FC_MARK && cp < FOLD_TABLE ? ft->tone[cp] : 0;
                if (mc >= MOD_BREVE) {
                    tb->a[tb->fn - 1] =
                        (char)dc_letter_shape_mod((unsigned char)tb->a[tb->fn - 1], mc);
                    tb->t[cur].marked = 1;
                } else if (mc > 0) {
                    tb->t[cur].tone = mc;
                    tb->t[cur].marked = 1;
                }
            }
        } else {
            prev = 0;
            if (cur >= 0) {
                if (tok_finish(tb, cur) < 0)
                    return -1;
                if (c == FC_DOT)
                    tb->t[tb->n - 1].flags |= T_DOT;
                cur = -1;
            }
            if (c == FC_HYPH)
                pend |= T_HYPH;
            else if (c == FC_SEP)
                pend |= T_BRK;
        }
    }
    if (cur >= 0 && tok_finish(tb, cur) < 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------- unit types */

/* Written prefixes and the kinds they allow.  Sources: research/normalize.md
 * §2.7 and §7.5 (P/P./F, Q, H, X, TX/T.X., TT/T.T., TP/T.P/Tp, "Thủ đô");
 * "T." for tỉnh only with its dot.  Two-word forms are tried first. */
static const struct {
    const char *w1, *w2;
    unsigned mask;
    int need_dot;
} prefixes[] = {
    {"thanh", "pho", K_TPD | K_TPT, 0},
    {"t", "p", K_TPD | K_TPT, 0},
    {"thi", "xa", K_THIXA, 0},
    {"t", "x", K_THIXA, 0},
    {"thi", "tran", K_THITRAN, 0},
    {"t", "t", K_THITRAN, 0},
    {"dac", "khu", K_DACKHU, 0},
    {"thu", "do", K_TPT, 0},
    {NULL, "phuong", K_PHUONG, 0},
    {NULL, "p", K_PHUONG, 0},
    {NULL, "f", K_PHUONG, 0},
    {NULL, "ph", K_PHUONG, 0},
    {NULL, "xa", K_XA, 0},
    {NULL, "x", K_XA, 0},
    {NULL, "tt", K_THITRAN, 0},
    {NULL, "ttr", K_THITRAN, 0},
    {NULL, "quan", K_QUAN, 0},
    {NULL, "q", K_QUAN, 0},
    {NULL, "huyen", K_HUYEN, 0},
    {NULL, "h", K_HUYEN, 0},
    {NULL, "tx", K_THIXA, 0},
    {NULL, "tp", K_TPD | K_TPT, 0},
    {NULL, "tinh", K_TINH, 0},
    {NULL, "t", K_TINH, 1},
};

/* A type word written with marks carries its own tone: "Phương" is a
 * name's word, not "Phường"; "Quân" not "Quận"; "Xa" (lộ) not "Xã". */
static int
tone_fits(const struct tok *t, const char *w)
{
    static const struct {
        const char *w;
        int tone;
    } tones[] = {{"phuong", TONE_GRAVE},
                 {"quan", TONE_DOT},
                 {"huyen", TONE_DOT},
                 {"xa", TONE_TILDE},
                 {"tinh", TONE_HOOK}};
    if (!t->marked)
        return 1;
    for (size_t k = 0; k < sizeof tones / sizeof tones[0]; k++)
        if (strcmp(w, tones[k].w) == 0)
            return t->tone == tones[k].tone;
    return 1;
}

/* The written prefix right before token s: sets *ps and returns the kinds. */
unsigned
addr_find_prefix(const struct tokbuf *tb, int s, int *ps)
{
    *ps = s;
    if (s == 0 || (tb->t[s].flags & (T_BRK | T_HYPH)) || tb->t[s - 1].field != tb->t[s].field)
        return 0;
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        if (prefixes[k].w1 != NULL) {
            /* not across a separator: "Huyện Ân Thi - Xã Phù Ủng" has no "thị xã" */
            if (s < 2 || (tb->t[s - 1].flags & (T_BRK | T_HYPH)) ||
                tb->t[s - 2].field != tb->t[s].field)
                continue;
            if (addr_tok_is(tb, s - 2, prefixes[k].w1) && addr_tok_is(tb, s - 1, prefixes[k].w2)) {
                *ps = s - 2;
                return prefixes[k].mask;
            }
        } else if (addr_tok_is(tb, s - 1, prefixes[k].w2)) {
            if (prefixes[k].need_dot && !(tb->t[s - 1].flags & T_DOT))
                continue;
            if (!tone_fits(&tb->t[s - 1], prefixes[k].w2))
                return 0; /* "Thụy Phương Bắc Từ Liêm", "Thanh Quân" */
            /* "Cư Xá Bắc Hải" (a housing estate) has no "Xã" */
            if (s >= 2 && addr_tok_is(tb, s - 1, "xa") && addr_tok_is(tb, s - 2, "cu") &&
                !(tb->t[s - 1].flags & (T_BRK | T_HYPH)))
                return 0;
            *ps = s - 1;
            return prefixes[k].mask;
        }
    }
    return 0;
}
