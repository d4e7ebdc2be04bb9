/*
 * synth/text.c - Vietnamese letters for the generator: the 12 vowels x 6
 * tones as precomposed code points, folding to ASCII (addresses, names,
 * the MRZ), upper case, old/new tone placement and one-letter typos.
 * Not for: reading text (vntext does that); no ICU here on purpose.
 */
#include "synth_int.h"

/* ---------------------------------------------------------------- Vietnamese letters */

/* The 12 vowels x 6 tones (level, grave, acute, hook, tilde, dot), Unicode
 * precomposed forms; folding, case and tone moves need no ICU with these. */
static const char *const vrow_lo[12] = {"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
                                        "oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ"};
static const char *const vrow_up[12] = {"AÀÁẢÃẠ", "ĂẰẮẲẴẶ", "ÂẦẤẨẪẬ", "EÈÉẺẼẸ", "ÊỀẾỂỄỆ", "IÌÍỈĨỊ",
                                        "OÒÓỎÕỌ", "ÔỒỐỔỖỘ", "ƠỜỚỞỠỢ", "UÙÚỦŨỤ", "ƯỪỨỬỮỰ", "YỲÝỶỸỴ"};
static const char vrow_base[] = "aaaeeiooouuy";
enum { ROW_O = 6, ROW_U = 9, ROW_A = 0, ROW_E = 3, ROW_Y = 11 };

/* ---------------------------------------------------------------- letter helpers */

static int
vl_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct vletter *)a)->cp, y = ((const struct vletter *)b)->cp;
    return x < y ? -1 : x > y;
}

void
synth_vl_init(struct vlist *vl)
{
    vl->n = 0;
    for (unsigned char up = 0; up < 2; up++) {
        for (unsigned char row = 0; row < 12; row++) {
            const char *s = up ? vrow_up[row] : vrow_lo[row];
            for (unsigned char tone = 0; tone < 6; tone++) {
                uint32_t cp;
                s += utf8_dec(s, &cp);
                vl->v[vl->n++] = (struct vletter){cp, row, tone, up};
            }
        }
    }
    if (vl->n)
        qsort(vl->v, vl->n, sizeof vl->v[0], vl_cmp);
}

static const struct vletter *
vl_find(const struct vlist *vl, uint32_t cp)
{
    struct vletter key = {cp, 0, 0, 0};
    return vl->n ? bsearch(&key, vl->v, vl->n, sizeof vl->v[0], vl_cmp) : NULL;
}

static uint32_t
vl_cp(unsigned row, unsigned tone, int up)
{
    const char *s = up ? vrow_up[row] : vrow_lo[row];
    uint32_t cp = 0;
    for (unsigned i = 0; i <= tone; i++)
        s += utf8_dec(s, &cp);
    return cp;
}

/* Fold to ASCII: marks dropped, Đ/đ and U+00D0 to D/d (ICAO 9303 Part 3 maps
 * Đ to D, idformats §4.5). */
void
synth_fold_to(const struct vlist *vl, const char *s, struct sb *o)
{
    while (*s) {
        uint32_t cp;
        size_t k = utf8_dec(s, &cp);
        const struct vletter *v = vl_find(vl, cp);
        if (v) {
            char c = vrow_base[v->row];
            if (v->up)
                c = (char)(c - 'a' + 'A');
            sb_addn(o, &c, 1);
        } else if (cp == 0x110 || cp == 0xD0) {
            sb_add(o, "D");
        } else if (cp == 0x111 || cp == 0xF0) {
            sb_add(o, "d");
        } else {
            sb_addn(o, s, k);
        }
        s += k;
    }
}

void
synth_upper_to(const struct vlist *vl, const char *s, struct sb *o)
{
    while (*s) {
        uint32_t cp;
        size_t k = utf8_dec(s, &cp);
        const struct vletter *v = vl_find(vl, cp);
        if (v)
            sb_cp(o, vl_cp(v->row, v->tone, 1));
        else if (cp == 0x111)
            sb_cp(o, 0x110);
        else if (cp >= 'a' && cp <= 'z')
            sb_cp(o, cp - 'a' + 'A');
        else
            sb_addn(o, s, k);
        s += k;
    }
}

/* Move the tone of an open oa/oe/uy between old style (on the first vowel,
 * "Hòa", "Thủy") and new style ("Hoà", "Thuỷ"), normalize.md §3.2.  Not after
 * "q" (quý keeps its tone on y).  Returns 1 if the word changed. */
int
synth_tone_swap_word(const struct vlist *vl, char *w, size_t cap)
{
    uint32_t cps[64];
    size_t n = 0;
    for (const char *s = w; *s && n < 64;) {
        s += utf8_dec(s, &cps[n]);
        n++;
    }
    if (n < 2 || n >= 64)
        return 0;
    const struct vletter *a = vl_find(vl, cps[n - 2]), *b = vl_find(vl, cps[n - 1]);
    if (!a || !b)
        return 0;
    int pair = (a->row == ROW_O && (b->row == ROW_A || b->row == ROW_E)) ||
               (a->row == ROW_U && b->row == ROW_Y);
    if (!pair)
        return 0;
    if (a->row == ROW_U && n >= 3 && (cps[n - 3] == 'q' || cps[n - 3] == 'Q'))
        return 0;
    unsigned ta = a->tone, tb = b->tone;
    if ((ta == 0) == (tb == 0))
        return 0;
    cps[n - 2] = vl_cp(a->row, tb, a->up);
    cps[n - 1] = vl_cp(b->row, ta, b->up);
    struct sb o;
    char tmp[256];
    sb_init(&o, tmp, sizeof tmp);
    for (size_t i = 0; i < n; i++)
        sb_cp(&o, cps[i]);
    if (o.over || o.n + 1 > cap)
        return 0;
    memcpy(w, tmp, o.n + 1);
    return 1;
}

/* QWERTY neighbours on the same row, as FEBRL's typo model (dedup.md §C.3 6). */
static const char *const kb_near[26] = {"qsz", "vn", "xv", "sfe", "wr", "dg", "fh", "gj", "uo",
                                        "hk",  "jl", "k",  "n",   "bm", "ip", "o",  "w",  "et",
                                        "ad",  "ry", "yi", "cb",  "qe", "zc", "tu", "x"};

/* One-letter typo in an ASCII letter of word w.  Returns 1 if w changed. */
int
synth_typo_word(struct rng *r, char *w, size_t cap)
{
    size_t pos[64], np = 0, len = strlen(w);
    for (size_t i = 0; i < len && np < 64; i++)
        if ((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z'))
            pos[np++] = i;
    if (np == 0)
        return 0;
    size_t i = pos[rnd(r, (unsigned)np)];
    unsigned op = rnd(r, 10);
    if (op < 2 && len >= 2 && np >= 2) { /* deletion */
        memmove(w + i, w + i + 1, len - i);
        return 1;
    }
    if (op < 3 && len + 2 <= cap) { /* doubled letter */
        memmove(w + i + 1, w + i, len - i + 1);
        return 1;
    }
    if (op < 4 && i + 1 < len && w[i + 1] != w[i] &&
        ((w[i + 1] >= 'a' && w[i + 1] <= 'z'))) { /* transposition */
        char t = w[i];
        w[i] = w[i + 1];
        w[i + 1] = t;
        return 1;
    }
    int up = w[i] >= 'A' && w[i] <= 'Z';
    const char *nb = kb_near[(up ? w[i] - 'A' : w[i] - 'a')];
    char c = nb[rnd(r, (unsigned)strlen(nb))];
    w[i] = up ? (char)(c - 'a' + 'A') : c;
    return 1;
}
