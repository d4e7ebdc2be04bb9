/*
 * address.c - Vietnamese address parsing and catalogue matching, pre-2025
 * (province / district / ward) and 2025 (province / ward), with the
 * pre-2025 -> 2025 ward and province mappings.
 *
 * How it works: text is folded once into ASCII word tokens (case, diacritics,
 * đ/d and tone placement removed through an ICU-built table), every run of up
 * to a few tokens is looked up in one hash index of folded unit names
 * (type prefix stripped: "Phường 03" -> "3", "Quận Ba Đình" -> "ba dinh"),
 * then the readings (province, district, ward) that fit the hierarchy are
 * scored and the best kept.  Ties between different units are reported as
 * ambiguous, never broken by guess: a wrong code is worse than an empty one.
 *
 * Readings tried for each province name found: pre-2025 (district, then
 * ward in it, or ward alone when its name is unique in the province); 2025
 * (ward in the new province); and pre-2025 wards or districts of any old
 * province merged into a 2025 province written by its new name.  A written
 * type word ("P.", "Xã", "TX") must name the unit's level and earns a bonus
 * when it names its kind; numbers and 1-2 letter names need one.  With no
 * district written, a ward that reads differently in the two eras is
 * "era-ambiguous" (codes and names are reused across eras, refdata README).
 * Names that fold alike ("Sa Pa"/"Sa Pả") are told apart by a second key
 * that keeps vowel shape and tone but not where the tone mark sits.
 *
 * Not for: typo correction (no edit distance), street names, geocoding;
 * tone-style output (the catalogue's own spelling is always returned).
 *
 * Sources: /work/shared/refdata/README.md for the catalogue files, codes
 * reused across eras, 440 split wards and 155 repeated (province, ward) names;
 * research/normalize.md §2.7 (abbreviation forms P./Q./H./X./TX./TT./TP./F.,
 * HCM/TPHCM/Sài Gòn/HN), §2.1-§2.2 (peers' substring bugs: "Thanh Nhàn" ->
 * HN, "Linh." -> "L. huyện", which whole-token matching avoids), §3.4
 * (đ has no decomposition: folded explicitly), §7 items 4-7.
 */
#include "address.h"

#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "hash.h"

/* Unit kinds, one bit each so a written prefix can allow several. */
enum {
    K_TINH = 1 << 0,    /* Tỉnh */
    K_TPT = 1 << 1,     /* Thành phố (centrally run) */
    K_QUAN = 1 << 2,    /* Quận */
    K_HUYEN = 1 << 3,   /* Huyện */
    K_THIXA = 1 << 4,   /* Thị xã */
    K_TPD = 1 << 5,     /* Thành phố (district level) */
    K_PHUONG = 1 << 6,  /* Phường */
    K_XA = 1 << 7,      /* Xã */
    K_THITRAN = 1 << 8, /* Thị trấn */
    K_DACKHU = 1 << 9   /* Đặc khu (2025) */
};
#define M_PROV (K_TINH | K_TPT)
#define M_DIST (K_QUAN | K_HUYEN | K_THIXA | K_TPD)
#define M_WARD (K_PHUONG | K_XA | K_THITRAN | K_DACKHU)

enum { L_PROV = 0, L_DIST = 1, L_WARD = 2 };

struct unit {
    char code[6];
    char pcode[3];   /* parent province code (districts, wards) */
    char dcode[4];   /* parent district code (pre-2025 wards) */
    char name[DC_CATALOG_MAX_NAME + 1];
    unsigned char level, era;
    unsigned kind;   /* one K_ bit, 0 when the name has no known prefix */
    int prov;        /* index of the province (itself for provinces) */
    int dist;        /* index of the district, -1 if none */
    int map_first;   /* old ward: first index in mapv; old province: new province index */
    int map_n;       /* old ward: number of new wards; new province: number of old sources */
    int src;         /* new province: the old province when map_n == 1 */
    int akoff, aklen; /* accent-keeping key, in keys */
};

struct pair {
    char a[6], b[6];
};

struct nslot {         /* hash slot: a folded key and its list of units */
    uint32_t h;
    int koff, klen;    /* in keys; koff < 0 = empty */
    int pf, pn;        /* postings */
};

struct keyref {
    int koff, klen, unit;
};

/* Fold classes for non-alphanumeric code points; letters and digits fold to
 * their ASCII lower-case character (all >= '0'). */
enum { FC_SPACE = 0, FC_MARK = 1, FC_APOS = 2, FC_DOT = 3, FC_HYPH = 4, FC_SEP = 5 };
#define FOLD_TABLE 0x1F00 /* up to the end of Latin Extended Additional */

/* Second, accent-keeping fold for names that collide without marks ("Văn
 * Lang" / "Văn Lăng", "Sơn Hà" / "Sơn Hạ" in one province): vowel shape is
 * kept (ă â ê ô ơ ư đ get codes A B E O P U D) and the tone is kept once
 * per word, so where the tone mark sits ("hoà"/"hòa") still does not matter
 * (research/normalize.md §3.2, §7.4: "two matching keys per unit"). */
enum { TONE_NONE = 0, TONE_ACUTE, TONE_GRAVE, TONE_HOOK, TONE_TILDE, TONE_DOT };
enum { MOD_BREVE = 17, MOD_CIRC = 18, MOD_HORN = 19 }; /* in tone[] for lone marks */

struct foldtab {
    unsigned char fold[FOLD_TABLE];  /* ASCII key char or FC_ class */
    unsigned char shape[FOLD_TABLE]; /* accent-keeping letter code */
    unsigned char tone[FOLD_TABLE];  /* TONE_ of a letter, or TONE_/MOD_ of a lone mark */
};

struct dc_catalog {
    struct unit *u;
    long nu, capu;
    struct pair *wm, *pm;
    long nwm, capwm, npm, cappm;
    int *mapv;
    char *keys;
    long nkeys, capkeys;
    struct nslot *tab;  /* name index */
    unsigned long tabmask;
    int *post;
    struct nslot *ctab; /* code index: "<era><level><code>" -> unit */
    unsigned long ctabmask;
    int maxtok;         /* most tokens in any key */
    int finished;
    struct foldtab ft;
};

/* ---------------------------------------------------------------- folding */

static int
mark_code(UChar m)
{
    switch (m) {
    case 0x301: return TONE_ACUTE;
    case 0x300: return TONE_GRAVE;
    case 0x309: return TONE_HOOK;
    case 0x303: return TONE_TILDE;
    case 0x323: return TONE_DOT;
    case 0x306: return MOD_BREVE;
    case 0x302: return MOD_CIRC;
    case 0x31B: return MOD_HORN;
    default: return 0;
    }
}

static unsigned char
shape_mod(unsigned char base, int mod)
{
    if (mod == MOD_BREVE && base == 'a')
        return 'A';
    if (mod == MOD_CIRC && (base == 'a' || base == 'e' || base == 'o'))
        return base == 'a' ? 'B' : base == 'e' ? 'E' : 'O';
    if (mod == MOD_HORN && (base == 'o' || base == 'u'))
        return base == 'o' ? 'P' : 'U';
    return base;
}

static int
build_fold(struct foldtab *ft, struct dc_error *err)
{
    unsigned char *t = ft->fold;
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "icu nfd: %s", u_errorName(st));
    for (int cp = 0; cp < 0x80; cp++) {
        unsigned char v = FC_SPACE;
        if (cp >= 'a' && cp <= 'z')
            v = (unsigned char)cp;
        else if (cp >= 'A' && cp <= 'Z')
            v = (unsigned char)(cp - 'A' + 'a');
        else if (cp >= '0' && cp <= '9')
            v = (unsigned char)cp;
        else if (cp == '.')
            v = FC_DOT;
        else if (cp == '-' || cp == '_')
            v = FC_HYPH;
        else if (cp == '\'' || cp == '`')
            v = FC_APOS;
        else if (strchr(",;|/\\()[]{}\n\r\t:", cp) != NULL && cp != 0)
            v = FC_SEP;
        t[cp] = v;
    }
    for (int cp = 0x80; cp < FOLD_TABLE; cp++) {
        int8_t ty = u_charType(cp);
        unsigned char v = FC_SPACE;
        if (ty == U_NON_SPACING_MARK || ty == U_ENCLOSING_MARK || ty == U_COMBINING_SPACING_MARK) {
            v = FC_MARK;
        } else if (cp == 0x110 || cp == 0x111 || cp == 0xD0 || cp == 0xF0) {
            /* Đ đ, and Ð ð typed for them: no canonical decomposition (§3.4) */
            v = 'd';
        } else if (cp == 0xB4 || cp == 0x2B9 || cp == 0x2BB || cp == 0x2BC || cp == 0x2BD) {
            v = FC_APOS;
        } else if (u_isalnum(cp)) {
            UChar buf[8];
            UErrorCode s2 = U_ZERO_ERROR;
            int32_t n = unorm2_getDecomposition(nfd, cp, buf, 8, &s2);
            if (U_SUCCESS(s2) && n > 0 && buf[0] < 0x80 && t[buf[0]] >= '0') {
                v = t[buf[0]];
                unsigned char sh = v;
                for (int32_t k = 1; k < n; k++) {
                    int mc = mark_code(buf[k]);
                    if (mc >= MOD_BREVE)
                        sh = shape_mod(sh, mc);
                    else if (mc > 0)
                        ft->tone[cp] = (unsigned char)mc;
                }
                ft->shape[cp] = sh;
            }
        }
        if (v == FC_MARK)
            ft->tone[cp] = (unsigned char)mark_code((UChar)cp);
        if (v == 'd' && (cp == 0x110 || cp == 0x111 || cp == 0xD0 || cp == 0xF0))
            ft->shape[cp] = 'D';
        t[cp] = v;
    }
    for (int cp = 0; cp < 0x80; cp++)
        ft->shape[cp] = t[cp];
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
    case 0x2018: case 0x2019: case 0x201B: case 0x2032:
        return FC_APOS; /* 2025 names use U+2019: "Xã Ea H’Leo" */
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
        return FC_HYPH;
    case 0xFF0C: case 0x3001: case 0xFF1B:
        return FC_SEP;
    default:
        return FC_SPACE;
    }
}


/* --------------------------------------------------------------- tokens */

#define T_DOT 1u  /* followed by '.' ("P.", "TP.") */
#define T_BRK 2u  /* a strong separator (, ; | / ( newline) comes before it */
#define T_HYPH 4u /* a hyphen comes before it */
#define T_NUM 8u  /* all digits, leading zeros dropped ("03" -> "3") */

struct tok {
    int fo, fl;  /* folded text in tokbuf.f */
    int bo, be;  /* bytes in the source string */
    unsigned flags;
    int field;   /* 0 free text; 1 ward, 2 district, 3 province (split columns) */
    int tone;    /* TONE_ of the word */
    int marked;  /* the word carried any diacritic */
};

struct tokbuf {
    struct tok t[DC_ADDR_MAX_TOKENS];
    int n;
    int fn;
    char f[DC_ADDR_MAX_TEXT + 8];
    char a[DC_ADDR_MAX_TEXT + 8]; /* accent-keeping fold, same offsets as f */
};

static int
tok_is(const struct tokbuf *tb, int i, const char *w)
{
    if (tb->t[i].fl == 0 || tb->f[tb->t[i].fo] != w[0])
        return 0; /* most words differ in their first letter: skip strlen */
    size_t n = strlen(w);
    return (size_t)tb->t[i].fl == n && memcmp(tb->f + tb->t[i].fo, w, n) == 0;
}

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

/* Append the tokens of s to tb.  Returns -1 when a limit is hit. */
static int
tokenize(const struct foldtab *ft, const char *s, int32_t len, int field, unsigned pend,
         struct tokbuf *tb)
{
    int32_t i = 0;
    int cur = -1;
    while (i < len) {
        int32_t b0 = i;
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, len, cp);
        unsigned char c = fold_class(ft, cp);
        if (c >= '0') {
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
            /* marks of NFD input, and the apostrophe inside "H'leo" / "H’Leo",
             * stay inside the word */
            if (cur >= 0) {
                tb->t[cur].be = i;
                int mc = c == FC_MARK && cp < FOLD_TABLE ? ft->tone[cp] : 0;
                if (mc >= MOD_BREVE) {
                    tb->a[tb->fn - 1] = (char)shape_mod((unsigned char)tb->a[tb->fn - 1], mc);
                    tb->t[cur].marked = 1;
                } else if (mc > 0) {
                    tb->t[cur].tone = mc;
                    tb->t[cur].marked = 1;
                }
            }
        } else {
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

/* Type words at the start of catalogue names (refdata README: "Names carry
 * the full type prefix"), folded. */
static const struct {
    const char *w;
    unsigned kind;
} name_types[] = {
    {"thanh pho", K_TPT | K_TPD}, {"thi tran", K_THITRAN}, {"thi xa", K_THIXA},
    {"dac khu", K_DACKHU},        {"phuong", K_PHUONG},    {"xa", K_XA},
    {"quan", K_QUAN},             {"huyen", K_HUYEN},      {"tinh", K_TINH},
};

/* Written prefixes and the kinds they allow.  Sources: research/normalize.md
 * §2.7 and §7.5 (P/P./F, Q, H, X, TX/T.X., TT/T.T., TP/T.P/Tp, "Thủ đô");
 * "T." for tỉnh only with its dot.  Two-word forms are tried first. */
static const struct {
    const char *w1, *w2;
    unsigned mask;
    int need_dot;
} prefixes[] = {
    {"thanh", "pho", K_TPD | K_TPT, 0}, {"t", "p", K_TPD | K_TPT, 0},
    {"thi", "xa", K_THIXA, 0},          {"t", "x", K_THIXA, 0},
    {"thi", "tran", K_THITRAN, 0},      {"t", "t", K_THITRAN, 0},
    {"dac", "khu", K_DACKHU, 0},        {"thu", "do", K_TPT, 0},
    {NULL, "phuong", K_PHUONG, 0},      {NULL, "p", K_PHUONG, 0},
    {NULL, "f", K_PHUONG, 0},           {NULL, "ph", K_PHUONG, 0},
    {NULL, "xa", K_XA, 0},              {NULL, "x", K_XA, 0},
    {NULL, "tt", K_THITRAN, 0},         {NULL, "ttr", K_THITRAN, 0},
    {NULL, "quan", K_QUAN, 0},          {NULL, "q", K_QUAN, 0},
    {NULL, "huyen", K_HUYEN, 0},        {NULL, "h", K_HUYEN, 0},
    {NULL, "tx", K_THIXA, 0},           {NULL, "tp", K_TPD | K_TPT, 0},
    {NULL, "tinh", K_TINH, 0},          {NULL, "t", K_TINH, 1},
};

/* Words that open a detail part (hamlet, street, house): a name right after
 * one is a hamlet or street named like a unit ("Thôn Phú Lộc", "Phố Huế",
 * "Đường Lê Lợi"), not the unit. */
static const char *const detail_words[] = {
    "thon", "ap", "to", "xom", "ban", "khom", "kp", "khu", "so", "ngo", "ngach", "hem",
    "kiet", "duong", "d", "pho", "lo", "cum", "doi", "khoi", "tdp", "kdc", "buon", "plei",
    "lang", "cc", "toa", "nha", "sn", "block", "hxh", "ql", "tl", "dt", "dh"};

static const char *const country_words[] = {"viet", "nam", "vietnam", "vn"};

static int
is_word_in(const struct tokbuf *tb, int i, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (tok_is(tb, i, list[k]))
            return 1;
    return 0;
}

/* The written prefix right before token s: sets *ps and returns the kinds. */
static unsigned
find_prefix(const struct tokbuf *tb, int s, int *ps)
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
            if (tok_is(tb, s - 2, prefixes[k].w1) && tok_is(tb, s - 1, prefixes[k].w2)) {
                *ps = s - 2;
                return prefixes[k].mask;
            }
        } else if (tok_is(tb, s - 1, prefixes[k].w2)) {
            if (prefixes[k].need_dot && !(tb->t[s - 1].flags & T_DOT))
                continue;
            *ps = s - 1;
            return prefixes[k].mask;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ catalogue */

struct dc_catalog *
dc_catalog_new(void)
{
    struct dc_catalog *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (build_fold(&c->ft, NULL) < 0) {
        free(c);
        return NULL;
    }
    return c;
}

void
dc_catalog_free(struct dc_catalog *c)
{
    if (c == NULL)
        return;
    free(c->u);
    free(c->wm);
    free(c->pm);
    free(c->mapv);
    free(c->keys);
    free(c->tab);
    free(c->post);
    free(c->ctab);
    free(c);
}

long
dc_catalog_count(const struct dc_catalog *c)
{
    return c ? c->nu : 0;
}

static int
grow(void **p, long *cap, long need, size_t elem, struct dc_error *err)
{
    if (need <= *cap)
        return 0;
    long nc = *cap ? *cap * 2 : 256;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, (size_t)nc * elem);
    if (q == NULL)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    *p = q;
    *cap = nc;
    return 0;
}

static int
valid_code(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int
add_unit(struct dc_catalog *c, int level, enum dc_era era, const char *pcode, const char *dcode,
         const char *code, const char *name, struct dc_error *err)
{
    static const size_t codelen[] = {2, 3, 5};
    if (c == NULL || c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue is finished or missing");
    if (era != DC_ERA_PRE2025 && era != DC_ERA_2025)
        return dc_error_set(err, DC_EX_SOFTWARE, "bad era %d", (int)era);
    if (!valid_code(code, codelen[level]))
        return dc_error_set(err, DC_EX_DATAERR, "unit code is not %zu digits", codelen[level]);
    if (level > L_PROV && !valid_code(pcode, 2))
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: province code is not 2 digits", code);
    if (level == L_WARD && era == DC_ERA_PRE2025 && !valid_code(dcode, 3))
        return dc_error_set(err, DC_EX_DATAERR, "ward %s: district code is not 3 digits", code);
    if (name == NULL || name[0] == '\0' || strlen(name) > DC_CATALOG_MAX_NAME)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name empty or over %d bytes", code,
                            DC_CATALOG_MAX_NAME);
    if (c->nu >= DC_CATALOG_MAX_UNITS)
        return dc_error_set(err, DC_EX_DATAERR, "over %d catalogue units", DC_CATALOG_MAX_UNITS);
    if (grow((void **)&c->u, &c->capu, c->nu + 1, sizeof *c->u, err) < 0)
        return -1;
    struct unit *u = &c->u[c->nu++];
    memset(u, 0, sizeof *u);
    snprintf(u->code, sizeof u->code, "%s", code);
    if (level > L_PROV)
        snprintf(u->pcode, sizeof u->pcode, "%s", pcode);
    if (level == L_WARD && era == DC_ERA_PRE2025)
        snprintf(u->dcode, sizeof u->dcode, "%s", dcode);
    snprintf(u->name, sizeof u->name, "%s", name);
    u->level = (unsigned char)level;
    u->era = (unsigned char)era;
    u->dist = -1;
    u->map_first = -1;
    u->src = -1;
    return 0;
}

int
dc_catalog_add_province(struct dc_catalog *c, enum dc_era era, const char *code, const char *name,
                        struct dc_error *err)
{
    return add_unit(c, L_PROV, era, NULL, NULL, code, name, err);
}

int
dc_catalog_add_district(struct dc_catalog *c, const char *province_code, const char *code,
                        const char *name, struct dc_error *err)
{
    return add_unit(c, L_DIST, DC_ERA_PRE2025, province_code, NULL, code, name, err);
}

int
dc_catalog_add_ward(struct dc_catalog *c, enum dc_era era, const char *province_code,
                    const char *district_code, const char *code, const char *name,
                    struct dc_error *err)
{
    return add_unit(c, L_WARD, era, province_code, district_code, code, name, err);
}

static int
add_pair(struct dc_catalog *c, struct pair **v, long *n, long *cap, const char *a, const char *b,
         size_t len, struct dc_error *err)
{
    if (c == NULL || c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue is finished or missing");
    if (!valid_code(a, len) || !valid_code(b, len))
        return dc_error_set(err, DC_EX_DATAERR, "mapping code is not %zu digits", len);
    if (*n >= 4L * DC_CATALOG_MAX_UNITS)
        return dc_error_set(err, DC_EX_DATAERR, "too many mapping rows");
    if (grow((void **)v, cap, *n + 1, sizeof **v, err) < 0)
        return -1;
    snprintf((*v)[*n].a, sizeof (*v)[*n].a, "%s", a);
    snprintf((*v)[*n].b, sizeof (*v)[*n].b, "%s", b);
    (*n)++;
    return 0;
}

int
dc_catalog_add_map(struct dc_catalog *c, const char *old_ward, const char *new_ward,
                   struct dc_error *err)
{
    if (c == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue missing");
    return add_pair(c, &c->wm, &c->nwm, &c->capwm, old_ward, new_ward, 5, err);
}

int
dc_catalog_add_province_map(struct dc_catalog *c, const char *old_code, const char *new_code,
                            struct dc_error *err)
{
    if (c == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue missing");
    return add_pair(c, &c->pm, &c->npm, &c->cappm, old_code, new_code, 2, err);
}

/* -------------------------------------------------------------- indexes */

static int
key_add(struct dc_catalog *c, const char *s, int n, struct dc_error *err)
{
    if (grow((void **)&c->keys, &c->capkeys, c->nkeys + n + 1, 1, err) < 0)
        return -1;
    int off = (int)c->nkeys;
    memcpy(c->keys + off, s, (size_t)n);
    c->keys[off + n] = '\0';
    c->nkeys += n + 1;
    return off;
}

static const struct nslot *
slot_find(const struct nslot *tab, unsigned long mask, const char *keys, const char *s, int n)
{
    if (tab == NULL)
        return NULL;
    uint32_t h = dc_hash32(s, (size_t)n);
    for (unsigned long i = h & mask;; i = (i + 1) & mask) {
        const struct nslot *sl = &tab[i];
        if (sl->koff < 0)
            return NULL;
        if (sl->h == h && sl->klen == n && memcmp(keys + sl->koff, s, (size_t)n) == 0)
            return sl;
    }
}

static int
code_key(char *buf, size_t sz, int era, int level, const char *code)
{
    int n = snprintf(buf, sz, "%d%d%s", era, level, code);
    return (n < 0 || (size_t)n >= sz) ? -1 : n;
}

static int
code_find(const struct dc_catalog *c, int era, int level, const char *code)
{
    char k[16];
    int n = code_key(k, sizeof k, era, level, code);
    if (n < 0)
        return -1;
    const struct nslot *sl = slot_find(c->ctab, c->ctabmask, c->keys, k, n);
    return sl ? sl->pf : -1;
}

static unsigned long
table_size(long n)
{
    unsigned long sz = 64;
    while (sz < (unsigned long)n * 2 + 1)
        sz *= 2;
    return sz;
}

static int
build_code_index(struct dc_catalog *c, struct dc_error *err)
{
    unsigned long sz = table_size(c->nu);
    c->ctab = malloc(sz * sizeof *c->ctab);
    if (c->ctab == NULL)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (unsigned long i = 0; i < sz; i++)
        c->ctab[i].koff = -1;
    c->ctabmask = sz - 1;
    for (long ui = 0; ui < c->nu; ui++) {
        const struct unit *u = &c->u[ui];
        char k[16];
        int n = code_key(k, sizeof k, u->era, u->level, u->code);
        if (n < 0)
            return dc_error_set(err, DC_EX_SOFTWARE, "code key");
        uint32_t h = dc_hash32(k, (size_t)n);
        unsigned long i = h & c->ctabmask;
        for (;; i = (i + 1) & c->ctabmask) {
            struct nslot *sl = &c->ctab[i];
            if (sl->koff < 0)
                break;
            if (sl->h == h && sl->klen == n && memcmp(c->keys + sl->koff, k, (size_t)n) == 0)
                return dc_error_set(err, DC_EX_DATAERR, "unit code %s given twice (%s era)",
                                    u->code, u->era ? "2025" : "pre-2025");
        }
        int off = key_add(c, k, n, err);
        if (off < 0)
            return -1;
        c->ctab[i] = (struct nslot){h, off, n, (int)ui, 1};
    }
    return 0;
}

/* Growable list of (key, unit) pairs while the name index is built. */
struct krefs {
    struct keyref *v;
    long n, cap;
};

static int
kref_add(struct dc_catalog *c, struct krefs *kr, const char *s, int n, int unit,
         struct dc_error *err)
{
    if (n <= 0)
        return 0;
    int off = key_add(c, s, n, err);
    if (off < 0 || grow((void **)&kr->v, &kr->cap, kr->n + 1, sizeof *kr->v, err) < 0)
        return -1;
    kr->v[kr->n++] = (struct keyref){off, n, unit};
    return 0;
}

static int
accent_key(const struct tokbuf *tb, int from, int to, char *out, int cap, int *marked)
{
    int n = 0;
    *marked = 0;
    for (int i = from; i < to; i++) {
        const struct tok *t = &tb->t[i];
        if (n + t->fl + 3 >= cap)
            return -1;
        if (n > 0)
            out[n++] = ' ';
        memcpy(out + n, tb->a + t->fo, (size_t)t->fl);
        n += t->fl;
        out[n++] = (char)('0' + t->tone);
        *marked |= t->marked;
    }
    out[n] = '\0';
    return n;
}

static int
join_tokens(const struct tokbuf *tb, int from, int to, char *out, int cap)
{
    int n = 0;
    for (int i = from; i < to; i++) {
        if (n + tb->t[i].fl + 1 >= cap)
            return -1;
        if (n > 0)
            out[n++] = ' ';
        memcpy(out + n, tb->f + tb->t[i].fo, (size_t)tb->t[i].fl);
        n += tb->t[i].fl;
    }
    out[n] = '\0';
    return n;
}

/* City and province shorthands, as folded keys -> the folded province name
 * they stand for.  Source: research/normalize.md §2.7 and §7.5 (HCM, TPHCM,
 * SG / Sài Gòn, HN, HP, BR-VT, TT-Huế).  "ĐN" is left out on purpose: it is
 * both Đà Nẵng and Đồng Nai.  Two-letter forms only count at either end of
 * the address or after a written prefix (see mention rules). */
static const struct {
    const char *alias, *name;
} province_aliases[] = {
    {"hcm", "ho chi minh"},   {"tphcm", "ho chi minh"},    {"sai gon", "ho chi minh"},
    {"sg", "ho chi minh"},    {"hochiminh", "ho chi minh"}, {"hn", "ha noi"},
    {"tphn", "ha noi"},       {"hanoi", "ha noi"},          {"hp", "hai phong"},
    {"brvt", "ba ria vung tau"}, {"br vt", "ba ria vung tau"},
    {"tt hue", "hue"},        {"thua thien hue", "hue"},    {"daklak", "dak lak"},
    {"daknong", "dak nong"},
};

static int
cmp_kref(const void *a, const void *b, void *keys)
{
    const struct keyref *x = a, *y = b;
    int n = x->klen < y->klen ? x->klen : y->klen;
    int r = memcmp((char *)keys + x->koff, (char *)keys + y->koff, (size_t)n);
    if (r == 0)
        r = (x->klen > y->klen) - (x->klen < y->klen);
    if (r == 0)
        r = (x->unit > y->unit) - (x->unit < y->unit);
    return r;
}

/* Fold a unit name, set its kind, and add its keys: the name without its
 * type prefix, and for "NT"/"N.T" (nông trường, refdata README "spelling
 * quirks") the spelled-out form and back. */
static int
unit_keys(struct dc_catalog *c, struct krefs *kr, int ui, struct dc_error *err)
{
    struct unit *u = &c->u[ui];
    struct tokbuf tb;
    char k[256], v[300];
    tb.n = 0;
    tb.fn = 0;
    if (tokenize(&c->ft, u->name, (int32_t)strlen(u->name), 0, 0, &tb) < 0 || tb.n == 0)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name has no letters", u->code);
    unsigned lvmask = u->level == L_PROV ? M_PROV : u->level == L_DIST ? M_DIST : M_WARD;
    int from = 0;
    for (size_t t = 0; t < sizeof name_types / sizeof name_types[0]; t++) {
        char w[16];
        int wn = join_tokens(&tb, 0, tb.n < 2 ? tb.n : 2, w, sizeof w);
        size_t tl = strlen(name_types[t].w);
        int ntok = strchr(name_types[t].w, ' ') ? 2 : 1;
        if (!(name_types[t].kind & lvmask) || tb.n <= ntok)
            continue;
        if (ntok == 1 ? tok_is(&tb, 0, name_types[t].w)
                      : (wn >= 0 && (size_t)wn == tl && memcmp(w, name_types[t].w, tl) == 0)) {
            u->kind = name_types[t].kind & lvmask;
            from = ntok;
            break;
        }
    }
    int n = join_tokens(&tb, from, tb.n, k, sizeof k);
    if (n < 0)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name too long", u->code);
    int marked;
    int an = accent_key(&tb, from, tb.n, v, sizeof v, &marked);
    if (an < 0)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name too long", u->code);
    u->akoff = key_add(c, v, an, err);
    if (u->akoff < 0)
        return -1;
    u->aklen = an;
    if (kref_add(c, kr, k, n, ui, err) < 0)
        return -1;
    int ntok = tb.n - from;
    if (ntok > c->maxtok)
        c->maxtok = ntok;
    int vn = -1;
    if (n > 4 && memcmp(k, "n t ", 4) == 0)
        vn = snprintf(v, sizeof v, "nong truong %s", k + 4);
    else if (n > 3 && memcmp(k, "nt ", 3) == 0)
        vn = snprintf(v, sizeof v, "nong truong %s", k + 3);
    else if (n > 12 && memcmp(k, "nong truong ", 12) == 0)
        vn = snprintf(v, sizeof v, "nt %s", k + 12);
    if (vn > 0 && vn < (int)sizeof v && kref_add(c, kr, v, vn, ui, err) < 0)
        return -1;
    if (vn > 0 && ntok + 1 > c->maxtok)
        c->maxtok = ntok + 1;
    if (u->level == L_PROV) {
        for (size_t a = 0; a < sizeof province_aliases / sizeof province_aliases[0]; a++) {
            if (strcmp(k, province_aliases[a].name) != 0)
                continue;
            const char *al = province_aliases[a].alias;
            if (kref_add(c, kr, al, (int)strlen(al), ui, err) < 0)
                return -1;
        }
    }
    return 0;
}

static int
cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int r = strcmp(x->a, y->a);
    return r ? r : strcmp(x->b, y->b);
}

static int
resolve_links(struct dc_catalog *c, struct dc_error *err)
{
    for (long ui = 0; ui < c->nu; ui++) {
        struct unit *u = &c->u[ui];
        if (u->level == L_PROV) {
            u->prov = (int)ui;
            continue;
        }
        u->prov = code_find(c, u->era, L_PROV, u->pcode);
        if (u->prov < 0)
            return dc_error_set(err, DC_EX_DATAERR, "unit %s: province %s not in catalogue",
                                u->code, u->pcode);
        if (u->level == L_WARD && u->era == DC_ERA_PRE2025) {
            u->dist = code_find(c, DC_ERA_PRE2025, L_DIST, u->dcode);
            if (u->dist < 0 || c->u[u->dist].prov != u->prov)
                return dc_error_set(err, DC_EX_DATAERR,
                                    "ward %s: district %s not in catalogue or not in province %s",
                                    u->code, u->dcode, u->pcode);
        }
    }
    for (long i = 0; i < c->npm; i++) {
        int o = code_find(c, DC_ERA_PRE2025, L_PROV, c->pm[i].a);
        int n = code_find(c, DC_ERA_2025, L_PROV, c->pm[i].b);
        if (o < 0 || n < 0)
            return dc_error_set(err, DC_EX_DATAERR, "province mapping %s -> %s: unknown code",
                                c->pm[i].a, c->pm[i].b);
        if (c->u[o].map_first >= 0 && c->u[o].map_first != n)
            return dc_error_set(err, DC_EX_DATAERR, "province %s mapped twice", c->pm[i].a);
        if (c->u[o].map_first < 0) {
            c->u[o].map_first = n;
            c->u[n].map_n++;
            c->u[n].src = o;
        }
    }
    if (c->nwm > 0) {
        qsort(c->wm, (size_t)c->nwm, sizeof *c->wm, cmp_pair);
        c->mapv = malloc((size_t)c->nwm * sizeof *c->mapv);
        if (c->mapv == NULL)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    int nv = 0;
    for (long i = 0; i < c->nwm; i++) {
        if (i > 0 && cmp_pair(&c->wm[i - 1], &c->wm[i]) == 0)
            continue; /* the same pair twice says nothing new */
        int o = code_find(c, DC_ERA_PRE2025, L_WARD, c->wm[i].a);
        int n = code_find(c, DC_ERA_2025, L_WARD, c->wm[i].b);
        if (o < 0 || n < 0)
            return dc_error_set(err, DC_EX_DATAERR, "ward mapping %s -> %s: unknown code",
                                c->wm[i].a, c->wm[i].b);
        if (c->u[o].map_first < 0)
            c->u[o].map_first = nv;
        c->u[o].map_n++;
        c->mapv[nv++] = n;
    }
    return 0;
}

int
dc_catalog_finish(struct dc_catalog *c, struct dc_error *err)
{
    if (c == NULL || c->finished || c->ctab != NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue is finished, failed or missing");
    struct krefs kr = {NULL, 0, 0};
    if (build_code_index(c, err) < 0 || resolve_links(c, err) < 0)
        return -1;
    for (long ui = 0; ui < c->nu; ui++)
        if (unit_keys(c, &kr, (int)ui, err) < 0)
            goto fail;
    if (kr.n > 0)
        qsort_r(kr.v, (size_t)kr.n, sizeof *kr.v, cmp_kref, c->keys);
    long nuniq = 0;
    for (long i = 0; i < kr.n; i++)
        if (i == 0 || cmp_kref(&(struct keyref){kr.v[i - 1].koff, kr.v[i - 1].klen, 0},
                               &(struct keyref){kr.v[i].koff, kr.v[i].klen, 0}, c->keys) != 0)
            nuniq++;
    unsigned long sz = table_size(nuniq);
    c->tab = malloc(sz * sizeof *c->tab);
    c->post = malloc((size_t)(kr.n > 0 ? kr.n : 1) * sizeof *c->post);
    if (c->tab == NULL || c->post == NULL) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    for (unsigned long i = 0; i < sz; i++)
        c->tab[i].koff = -1;
    c->tabmask = sz - 1;
    struct nslot *cur = NULL;
    int np = 0;
    for (long i = 0; i < kr.n; i++) {
        const struct keyref *r = &kr.v[i];
        const char *s = c->keys + r->koff;
        if (cur == NULL || cur->klen != r->klen ||
            memcmp(c->keys + cur->koff, s, (size_t)r->klen) != 0) {
            uint32_t h = dc_hash32(s, (size_t)r->klen);
            unsigned long j = h & c->tabmask;
            while (c->tab[j].koff >= 0)
                j = (j + 1) & c->tabmask;
            cur = &c->tab[j];
            *cur = (struct nslot){h, r->koff, r->klen, np, 0};
        } else if (c->post[np - 1] == r->unit) {
            continue; /* a unit reached twice by one key (alias = name) */
        }
        c->post[np++] = r->unit;
        cur->pn++;
    }
    if (c->maxtok > 8)
        c->maxtok = 8;
    free(kr.v);
    c->finished = 1;
    return 0;
fail:
    free(kr.v);
    return -1;
}

/* ------------------------------------------------------------- matching */

#define MAX_MENTIONS 256
enum { W_NONE = 0, W_OK, W_AMB, W_NOTIN };

/* A run of tokens that is the name of at least one unit. */
struct mention {
    int s, e, ps;      /* tokens [s,e); written prefix starts at ps (== s if none) */
    unsigned pmask;    /* kinds the written prefix allows, 0 = no prefix */
    int pf, pn;        /* postings */
    unsigned char num; /* the key is a number ("3" of "Phường 03") */
    unsigned char weak; /* short key (<= 2 letters) away from both ends of the text */
    unsigned char lv;   /* B_ bits: which kinds of unit the postings hold */
    int field;
};

enum { B_PROV = 1, B_DIST = 2, B_WOLD = 4, B_WNEW = 8 };

struct cand {
    int pm, pu, dm, du, wm, wu, wflag, era;
    int fp, fd, fw;
    double score;
};

struct mctx {
    const struct dc_catalog *c;
    const struct tokbuf *tb;
    struct mention m[MAX_MENTIONS];
    int nm;
    struct cand best, tie;
    int have, tied;
    int marked; /* some word of the address carries a diacritic */
    long work;  /* postings looked at; capped so that no address takes long */
};

/* Real addresses need well under 5,000 steps; a row made of dozens of
 * province and district names ("p 1 q 1 tp hcm p 1 q 1 ...") would need
 * millions.  Past the cap the address is reported "too-complex". */
#define MAX_WORK 100000L

static const int level_field[] = {3, 2, 1}; /* L_PROV, L_DIST, L_WARD -> split column */

/* How a mention fits a unit: -1 not at all, 0 plausible, 1 the written
 * prefix names this unit's own type. */
static int
fit(const struct mention *m, const struct unit *u)
{
    unsigned lv = u->level == L_PROV ? M_PROV : u->level == L_DIST ? M_DIST : M_WARD;
    if (m->field != 0 && m->field != level_field[u->level])
        return -1;
    if (m->pmask == 0)
        return (m->num || m->weak) ? -1 : 0;
    if (!(m->pmask & lv))
        return -1;
    return (m->pmask & u->kind) ? 1 : 0;
}

static int
overlap(const struct mctx *x, int a, int b)
{
    if (a < 0 || b < 0)
        return 0;
    const struct mention *p = &x->m[a], *q = &x->m[b];
    return p->ps < q->e && q->ps < p->e;
}

static int
accent_differs(const struct mctx *x, const struct mention *m, int ui)
{
    char ak[256];
    int marked;
    int an = accent_key(x->tb, m->s, m->e, ak, sizeof ak, &marked);
    if (an < 0 || !marked)
        return 0;
    const struct unit *u = &x->c->u[ui];
    return u->aklen != an || memcmp(x->c->keys + u->akoff, ak, (size_t)an) != 0;
}

static void
consider(struct mctx *x, struct cand *cd)
{
    int ms[3], n = 0;
    double sc = 0;
    if (cd->wm >= 0) {
        ms[n++] = cd->wm;
        sc += cd->wflag == W_NOTIN ? 1.5 : 4 + cd->fw;
    }
    if (cd->dm >= 0) {
        ms[n++] = cd->dm;
        sc += 3 + cd->fd;
    }
    if (cd->pm >= 0) {
        ms[n++] = cd->pm;
        sc += 3 + cd->fp;
    }
    if (n == 0)
        return;
    /* Levels come in order: ward-first or province-first, never mixed. */
    if (n >= 2) {
        int dir = x->m[ms[1]].ps > x->m[ms[0]].ps ? 1 : -1;
        for (int k = 1; k < n; k++)
            if ((x->m[ms[k]].ps - x->m[ms[k - 1]].ps) * dir <= 0)
                return;
    }
    for (int k = 0; k < n; k++)
        sc += 0.1 * (x->m[ms[k]].e - x->m[ms[k]].ps);
    /* Marks written and not those of the unit ("Tân An" read as Xã Tân Ân):
     * weaker evidence, so a reading whose marks agree wins. */
    if (cd->wu >= 0 && accent_differs(x, &x->m[cd->wm], cd->wu))
        sc -= 1.5;
    if (cd->du >= 0 && accent_differs(x, &x->m[cd->dm], cd->du))
        sc -= 1.5;
    /* Words left unexplained between two levels speak against the reading;
     * a word that goes on from a name without a separator means the name is
     * longer than the unit matched ("Xã Vĩnh Mỹ A" is not Xã Vĩnh Mỹ). */
    for (int k = 1; k < n; k++) {
        const struct mention *a = &x->m[ms[k - 1]], *b = &x->m[ms[k]];
        if (a->ps > b->ps) {
            const struct mention *t = a;
            a = b;
            b = t;
        }
        int gap = b->ps - a->e;
        if (gap > 0 && !(x->tb->t[a->e].flags & (T_BRK | T_HYPH)))
            return;
        /* a whole part between two levels is a level not understood
         * ("12 Đông Lễ, 1, Đông Hà": the ward is "1" written bare) */
        if (gap > 0 && (x->tb->t[b->ps].flags & (T_BRK | T_HYPH)))
            return;
        sc -= gap;
    }
    if (cd->era == DC_ERA_2025)
        sc += 0.1; /* no district named: the 2025 reading is the plainer one */
    cd->score = sc;
    if (!x->have || sc > x->best.score + 1e-9) {
        x->best = *cd;
        x->have = 1;
        x->tied = 0;
    } else if (sc > x->best.score - 1e-9) {
        const struct cand *b = &x->best;
        if (b->pu != cd->pu || b->du != cd->du || b->wu != cd->wu || b->wflag != cd->wflag) {
            x->tie = *cd;
            x->tied = 1;
        }
    }
}

#define MAX_PICK 32

/* Several units of one name fit where the name was looked up.  Keep the
 * one whose type the written prefix names, then the one whose accents match
 * the written ones; otherwise the name stays ambiguous (returns -1). */
static int
pick(const struct mctx *x, const struct mention *m, const int *u, const int *f, int n)
{
    int keep[MAX_PICK], nk = 0;
    for (int k = 0; k < n; k++)
        if (f[k] == 1)
            keep[nk++] = u[k];
    if (nk == 1)
        return keep[0];
    if (nk == 0) {
        for (int k = 0; k < n; k++)
            keep[nk++] = u[k];
    }
    char ak[256];
    int marked;
    int an = accent_key(x->tb, m->s, m->e, ak, sizeof ak, &marked);
    /* unmarked "Sa Pa" in an address written with marks means "Sa Pa", not
     * "Sa Pả" (both Thị xã Sa Pa); with no marks anywhere it stays open */
    if (an < 0 || !(marked || x->marked))
        return -1;
    int one = -1, none = 0;
    for (int k = 0; k < nk; k++) {
        const struct unit *un = &x->c->u[keep[k]];
        if (un->aklen == an && memcmp(x->c->keys + un->akoff, ak, (size_t)an) == 0) {
            one = keep[k];
            none++;
        }
    }
    return none == 1 ? one : -1;
}

/* A pre-2025 ward under base's district or province.  via >= 0: the
 * province written is the 2025 province via, and the ward may lie in any
 * old province merged into it ("Phường Sông Cầu, Tỉnh Thái Nguyên" is the
 * old Bắc Kạn ward): base.pu becomes the ward's old province. */
static void
try_old(struct mctx *x, struct cand base, int via)
{
    const struct dc_catalog *c = x->c;
    base.wm = -1;
    base.wu = -1;
    base.wflag = W_NONE;
    base.fw = 0;
    if (via < 0 || base.du >= 0)
        consider(x, &base);
    for (int mi = 0; mi < x->nm; mi++) {
        const struct mention *m = &x->m[mi];
        if (!(m->lv & B_WOLD) || overlap(x, mi, base.pm) || overlap(x, mi, base.dm))
            continue;
        int us[MAX_PICK], fs[MAX_PICK], n = 0, other = 0, fbest = 0;
        x->work += m->pn;
        if (x->work > MAX_WORK)
            return;
        for (int k = 0; k < m->pn; k++) {
            int ui = c->post[m->pf + k];
            const struct unit *u = &c->u[ui];
            if (u->level != L_WARD || u->era != DC_ERA_PRE2025)
                continue;
            int in = base.du >= 0 ? u->dist == base.du
                     : via >= 0   ? c->u[u->prov].map_first == via
                                  : u->prov == base.pu;
            if (!in && !(base.du >= 0 && u->prov == base.pu))
                continue;
            int f = fit(m, u);
            if (f < 0)
                continue;
            if (in) {
                if (n < MAX_PICK) {
                    us[n] = ui;
                    fs[n++] = f;
                }
                if (f > fbest)
                    fbest = f;
            } else if (base.du >= 0 && u->prov == base.pu && (m->pmask & M_WARD)) {
                other = 1;
            }
        }
        struct cand cd = base;
        cd.wm = mi;
        cd.fw = fbest;
        if (n == 1) {
            cd.wu = us[0];
            cd.wflag = W_OK;
        } else if (n > 1) {
            cd.wu = pick(x, m, us, fs, n);
            cd.wflag = cd.wu >= 0 ? W_OK : W_AMB; /* same name in several districts */
        } else if (other) {
            if (via >= 0 && base.du < 0)
                continue;
            cd.wflag = W_NOTIN;
        } else {
            continue;
        }
        if (via >= 0 && base.du < 0) {
            if (cd.wu >= 0) {
                cd.pu = c->u[cd.wu].prov;
            } else {
                /* the name is in several old provinces now merged into via:
                 * only the 2025 province is known */
                cd.era = DC_ERA_2025;
            }
        }
        consider(x, &cd);
    }
}

static void
try_new(struct mctx *x, struct cand base)
{
    const struct dc_catalog *c = x->c;
    base.wm = -1;
    base.wu = -1;
    base.wflag = W_NONE;
    consider(x, &base);
    for (int mi = 0; mi < x->nm; mi++) {
        const struct mention *m = &x->m[mi];
        if (!(m->lv & B_WNEW) || overlap(x, mi, base.pm))
            continue;
        int us[MAX_PICK], fs[MAX_PICK], n = 0, fbest = 0;
        x->work += m->pn;
        if (x->work > MAX_WORK)
            return;
        for (int k = 0; k < m->pn; k++) {
            int ui = c->post[m->pf + k];
            const struct unit *u = &c->u[ui];
            if (u->level != L_WARD || u->era != DC_ERA_2025 || u->prov != base.pu)
                continue;
            int f = fit(m, u);
            if (f < 0 || n >= MAX_PICK)
                continue;
            us[n] = ui;
            fs[n++] = f;
            if (f > fbest)
                fbest = f;
        }
        if (n == 0)
            continue;
        /* 2025 names are unique in a province, but not once folded
         * ("Xã Văn Lang" / "Xã Văn Lăng", Thái Nguyên) */
        struct cand cd = base;
        cd.wm = mi;
        cd.fw = fbest;
        cd.wu = n == 1 ? us[0] : pick(x, m, us, fs, n);
        cd.wflag = cd.wu >= 0 ? W_OK : W_AMB;
        consider(x, &cd);
    }
}

static int
in_postings(const struct dc_catalog *c, const struct mention *m, int ui)
{
    for (int k = 0; k < m->pn; k++)
        if (c->post[m->pf + k] == ui)
            return 1;
    return 0;
}

static void
search(struct mctx *x)
{
    const struct dc_catalog *c = x->c;
    int any_prov = 0;
    for (int pmi = 0; pmi < x->nm; pmi++) {
        const struct mention *pm = &x->m[pmi];
        if (!(pm->lv & B_PROV))
            continue;
        for (int k = 0; k < pm->pn; k++) {
            int pu = c->post[pm->pf + k];
            const struct unit *p = &c->u[pu];
            if (p->level != L_PROV)
                continue;
            int fp = fit(pm, p);
            if (fp < 0)
                continue;
            any_prov = 1;
            struct cand base = {pmi, pu, -1, -1, -1, -1, W_NONE, p->era, fp, 0, 0, 0};
            if (p->era == DC_ERA_2025) {
                try_new(x, base);
                struct cand vb = base;
                vb.era = DC_ERA_PRE2025;
                try_old(x, vb, pu);
                for (int dmi = 0; dmi < x->nm; dmi++) {
                    const struct mention *dm = &x->m[dmi];
                    if (!(dm->lv & B_DIST) || overlap(x, dmi, pmi))
                        continue;
                    x->work += dm->pn;
                    if (x->work > MAX_WORK)
                        return;
                    for (int j = 0; j < dm->pn; j++) {
                        int du = c->post[dm->pf + j];
                        const struct unit *d = &c->u[du];
                        /* districts of the old province of the same name
                         * were read above already */
                        if (d->level != L_DIST || c->u[d->prov].map_first != pu ||
                            in_postings(c, pm, d->prov))
                            continue;
                        int fd = fit(dm, d);
                        if (fd < 0)
                            continue;
                        struct cand cd = vb;
                        cd.pu = d->prov;
                        cd.dm = dmi;
                        cd.du = du;
                        cd.fd = fd;
                        try_old(x, cd, -1);
                    }
                }
                continue;
            }
            try_old(x, base, -1);
            for (int dmi = 0; dmi < x->nm; dmi++) {
                const struct mention *dm = &x->m[dmi];
                if (!(dm->lv & B_DIST) || overlap(x, dmi, pmi))
                    continue;
                x->work += dm->pn;
                if (x->work > MAX_WORK)
                    return;
                for (int j = 0; j < dm->pn; j++) {
                    int du = c->post[dm->pf + j];
                    const struct unit *d = &c->u[du];
                    if (d->level != L_DIST || d->prov != pu)
                        continue;
                    int fd = fit(dm, d);
                    if (fd < 0)
                        continue;
                    struct cand cd = base;
                    cd.dm = dmi;
                    cd.du = du;
                    cd.fd = fd;
                    try_old(x, cd, -1);
                }
            }
        }
    }
    /* No province written: a district (with its ward) still places the
     * address when it is the only reading.  A province that is written and
     * does not hold the district wins: "Quận Bình Thạnh, Hà Nội" is not HCM. */
    if (any_prov)
        return;
    for (int dmi = 0; dmi < x->nm; dmi++) {
        const struct mention *dm = &x->m[dmi];
        if (!(dm->lv & B_DIST))
            continue;
        for (int j = 0; j < dm->pn; j++) {
            int du = c->post[dm->pf + j];
            const struct unit *d = &c->u[du];
            if (d->level != L_DIST)
                continue;
            int fd = fit(dm, d);
            if (fd < 0)
                continue;
            struct cand cd = {-1, d->prov, dmi, du, -1, -1, W_NONE, DC_ERA_PRE2025, 0, fd, 0, 0};
            try_old(x, cd, -1);
        }
    }
}

static void
find_mentions(struct mctx *x)
{
    const struct dc_catalog *c = x->c;
    const struct tokbuf *tb = x->tb;
    char key[256];
    x->nm = 0;
    for (int i = 0; i < tb->n; i++) {
        int kn = 0;
        for (int l = 1; l <= c->maxtok && i + l <= tb->n; l++) {
            const struct tok *t = &tb->t[i + l - 1];
            if (l > 1) {
                if ((t->flags & T_BRK) || t->field != tb->t[i].field)
                    break;
                key[kn++] = ' ';
            }
            if (kn + t->fl >= (int)sizeof key - 1)
                break;
            memcpy(key + kn, tb->f + t->fo, (size_t)t->fl);
            kn += t->fl;
            const struct nslot *sl = slot_find(c->tab, c->tabmask, c->keys, key, kn);
            if (sl == NULL)
                continue;
            if (x->nm >= MAX_MENTIONS)
                return; /* readings beyond this many names are not explored */
            struct mention *m = &x->m[x->nm];
            m->s = i;
            m->e = i + l;
            m->pf = sl->pf;
            m->pn = sl->pn;
            m->field = tb->t[i].field;
            m->num = (l == 1 && (tb->t[i].flags & T_NUM)) ? 1 : 0;
            m->pmask = find_prefix(tb, i, &m->ps);
            int at_start = i == 0 || (tb->t[i].flags & T_BRK) || tb->t[i - 1].field != m->field;
            int at_end = i + l == tb->n || (tb->t[i + l].flags & T_BRK) ||
                         tb->t[i + l].field != m->field;
            m->weak = kn <= 2 && !m->num && !(at_start && at_end) && i > 0 && i + l < tb->n;
            if (m->pmask == 0 && i > 0 && !(tb->t[i].flags & T_BRK) &&
                is_word_in(tb, i - 1, detail_words, sizeof detail_words / sizeof detail_words[0]))
                continue; /* "Thôn Phú Lộc", "Phố Huế": a hamlet or street */
            m->lv = 0;
            for (int k = 0; k < m->pn; k++) {
                const struct unit *u = &c->u[c->post[m->pf + k]];
                m->lv |= u->level == L_PROV   ? B_PROV
                         : u->level == L_DIST ? B_DIST
                         : u->era == DC_ERA_2025 ? B_WNEW
                                                 : B_WOLD;
            }
            x->nm++;
        }
    }
    /* A name with no written prefix inside a longer name is part of that
     * name: "Lạt" (Xã Lát) in "Đà Lạt", "Vũng Tàu" in "Bà Rịa - Vũng Tàu". */
    int k = 0;
    for (int i = 0; i < x->nm; i++) {
        const struct mention *m = &x->m[i];
        int inside = 0;
        for (int j = 0; j < x->nm && !inside && m->pmask == 0; j++) {
            const struct mention *o = &x->m[j];
            inside = j != i && o->s <= m->s && o->e >= m->e && (o->e - o->s) > (m->e - m->s);
        }
        if (!inside)
            x->m[k++] = *m;
    }
    x->nm = k;
}

/* --------------------------------------------------------------- output */

static void
copy_name(char *dst, size_t sz, const char *src)
{
    size_t n = strlen(src); /* codes and names were length-checked when added */
    if (n >= sz)
        n = sz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Clean a detail part: collapse white space, trim separators, NFC, and cut
 * to fit out->detail on a character boundary. */
static int
clean_detail(const char *s, int len, char *out, size_t outsz, struct dc_error *err)
{
    char tmp[DC_ADDR_MAX_TEXT + 1];
    int n = 0, space = 0, nonascii = 0;
    for (int i = 0; i < len && n < DC_ADDR_MAX_TEXT; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f') {
            space = 1;
            continue;
        }
        if (space && n > 0)
            tmp[n++] = ' ';
        space = 0;
        if (n < DC_ADDR_MAX_TEXT)
            tmp[n++] = (char)ch;
        nonascii |= ch >= 0x80;
    }
    static const char trim[] = " ,;-|/.:";
    int a = 0;
    while (a < n && strchr(trim, tmp[a]) != NULL)
        a++;
    while (n > a && strchr(trim, tmp[n - 1]) != NULL)
        n--;
    int len2 = n - a;
    const char *src = tmp + a;
    /* NFC grows UTF-16 text at most threefold (Unicode normalization
     * stability policy), and UTF-8 takes at most 3 bytes per UTF-16 unit */
    enum { U1 = DC_ADDR_MAX_TEXT + 1, U2 = 3 * U1 };
    char nfc[3 * U2 + 1];
    (void)err; /* ICU failing here leaves the text as cleaned, not NFC: no error */
    if (nonascii && len2 > 0) {
        UChar u1[U1], u2[U2];
        int32_t l1 = 0, l2 = 0, l3 = 0;
        UErrorCode st = U_ZERO_ERROR;
        const UNormalizer2 *nf = unorm2_getNFCInstance(&st);
        u_strFromUTF8WithSub(u1, U1, &l1, src, len2, 0xFFFD, NULL, &st);
        if (U_SUCCESS(st))
            l2 = unorm2_normalize(nf, u1, l1, u2, U2, &st);
        if (U_SUCCESS(st))
            u_strToUTF8(nfc, (int32_t)sizeof nfc, &l3, u2, l2, &st);
        if (U_SUCCESS(st) && l3 < (int32_t)sizeof nfc) {
            src = nfc;
            len2 = l3;
        }
    }
    if ((size_t)len2 >= outsz) {
        len2 = (int)outsz - 1;
        while (len2 > 0 && ((unsigned char)src[len2] & 0xC0) == 0x80)
            len2--; /* do not cut a UTF-8 sequence */
    }
    memcpy(out, src, (size_t)len2);
    out[len2] = '\0';
    return 0;
}

static void
append_detail(char *d, size_t sz, const char *part)
{
    size_t n = strlen(d);
    if (part[0] == '\0')
        return;
    if (n > 0 && n + 2 < sz) {
        d[n++] = ',';
        d[n++] = ' ';
        d[n] = '\0';
    }
    size_t pl = strlen(part);
    if (n + pl >= sz) {
        pl = sz - 1 - n;
        while (pl > 0 && ((unsigned char)part[pl] & 0xC0) == 0x80)
            pl--;
    }
    memcpy(d + n, part, pl);
    d[n + pl] = '\0';
}

static int
only_country(const struct tokbuf *tb, int from)
{
    for (int i = from; i < tb->n; i++)
        if (!is_word_in(tb, i, country_words, sizeof country_words / sizeof country_words[0]))
            return 0;
    return 1;
}

/* Detail = the free text outside the span the matched units cover. */
static int
fill_detail(const struct mctx *x, const char *text, int32_t len, struct dc_addr *out,
            struct dc_error *err)
{
    const struct tokbuf *tb = x->tb;
    char part[256];
    if (!x->have) {
        return clean_detail(text, len, out->detail, sizeof out->detail, err);
    }
    const struct cand *b = &x->best;
    int ms[3] = {b->wm, b->dm, b->pm}, rs = tb->n, re = 0;
    for (int k = 0; k < 3; k++) {
        if (ms[k] < 0)
            continue;
        if (x->m[ms[k]].ps < rs)
            rs = x->m[ms[k]].ps;
        if (x->m[ms[k]].e > re)
            re = x->m[ms[k]].e;
    }
    if (rs > 0) {
        if (clean_detail(text, tb->t[rs].bo, part, sizeof part, err) < 0)
            return -1;
        append_detail(out->detail, sizeof out->detail, part);
    }
    if (re < tb->n && !only_country(tb, re)) {
        int from = tb->t[re - 1].be;
        if (clean_detail(text + from, len - from, part, sizeof part, err) < 0)
            return -1;
        append_detail(out->detail, sizeof out->detail, part);
    }
    return 0;
}

/* Both eras read the same words as a ward, and they disagree on the 2025
 * ward: "Xã Hòa Phú, Thành phố Hà Nội" is old 10417 (now part of another
 * ward) or new 10096.  With no district written, nothing tells which era the
 * text was written in (refdata README: codes and names reused across eras). */
static int
era_conflict(const struct mctx *x)
{
    const struct dc_catalog *c = x->c;
    const struct cand *b = &x->best;
    if (b->wu < 0 || b->dm >= 0 || b->pm < 0)
        return 0;
    const struct mention *wm = &x->m[b->wm];
    const struct unit *bw = &c->u[b->wu];
    /* the other era's province: the 2025 one an old province went into, or
     * (best in 2025) every old province that went into it */
    int newp = b->era == DC_ERA_2025 ? b->pu : c->u[b->pu].map_first;
    if (newp < 0)
        return 0;
    for (int k = 0; k < wm->pn; k++) {
        const struct unit *w = &c->u[c->post[wm->pf + k]];
        if (w->level != L_WARD || w->era == b->era)
            continue;
        int wp = w->era == DC_ERA_2025 ? w->prov : c->u[w->prov].map_first;
        /* the written type names the best reading's kind, not this one's:
         * "Phường Hồng Hà" is not the old Xã Hồng Hà; every old thị trấn
         * became a xã or phường in 2025.  Marks written and not this unit's
         * ("An Thanh" vs "An Thành"): not the same name either. */
        if (wp != newp || fit(wm, w) < b->fw || accent_differs(x, wm, (int)(w - c->u)))
            continue;
        const struct unit *ow = w->era == DC_ERA_PRE2025 ? w : bw; /* the old ward */
        const struct unit *nw = w->era == DC_ERA_PRE2025 ? bw : w; /* the new ward */
        /* a split old ward that went partly into this new one agrees */
        int agree = 0;
        for (int j = 0; j < ow->map_n && !agree; j++)
            agree = &c->u[c->mapv[ow->map_first + j]] == nw;
        if (!agree)
            return 1;
    }
    return 0;
}

static void
fill_codes(const struct mctx *x, struct dc_addr *out)
{
    const struct dc_catalog *c = x->c;
    struct cand b = x->best;
    const char *reason = "";
    double conf = 1.0;

    if (x->tied) {
        const struct cand *t = &x->tie;
        int pu = b.pu >= 0 ? b.pu : -1;
        if (t->pu != pu || t->era != b.era) {
            /* two provinces, or two eras: still one 2025 province when both
             * readings went into it */
            int nb = b.era == DC_ERA_2025 ? b.pu : c->u[b.pu].map_first;
            int nt = t->era == DC_ERA_2025 ? t->pu : c->u[t->pu].map_first;
            if (nb >= 0 && nb == nt) {
                copy_name(out->new_province_code, sizeof out->new_province_code, c->u[nb].code);
                copy_name(out->new_province_name, sizeof out->new_province_name, c->u[nb].name);
            }
            copy_name(out->reason, sizeof out->reason, "province-ambiguous");
            out->confidence = 0.1;
            return;
        }
        if (t->du != b.du) {
            b.du = -1;
            b.dm = -1;
            reason = "district-ambiguous";
        } else {
            reason = "ward-ambiguous";
        }
        b.wu = -1;
        b.wflag = W_AMB;
    }
    if (b.pu < 0) {
        copy_name(out->reason, sizeof out->reason, "no-province");
        return;
    }
    if (!x->tied && era_conflict(x)) {
        reason = "era-ambiguous";
        b.wu = -1;
        b.wflag = W_AMB;
    }
    out->era = (enum dc_era)b.era;
    const struct unit *p = &c->u[b.pu];
    if (b.era == DC_ERA_2025) {
        copy_name(out->new_province_code, sizeof out->new_province_code, p->code);
        copy_name(out->new_province_name, sizeof out->new_province_name, p->name);
        if (p->map_n == 1) { /* one old province became this one: a fact, not a guess */
            const struct unit *o = &c->u[p->src];
            copy_name(out->province_code, sizeof out->province_code, o->code);
            copy_name(out->province_name, sizeof out->province_name, o->name);
        }
        if (b.wu >= 0) {
            const struct unit *w = &c->u[b.wu];
            copy_name(out->new_ward_code, sizeof out->new_ward_code, w->code);
            copy_name(out->new_ward_name, sizeof out->new_ward_name, w->name);
            conf -= b.fw == 1 ? 0 : 0.05;
        } else if (!*reason) {
            reason = b.wflag == W_AMB ? "ward-ambiguous" : "no-ward";
            conf = 0.35;
        }
        conf -= b.fp == 1 ? 0 : 0.02;
        goto done;
    }
    copy_name(out->province_code, sizeof out->province_code, p->code);
    copy_name(out->province_name, sizeof out->province_name, p->name);
    if (p->map_first >= 0) {
        const struct unit *np = &c->u[p->map_first];
        copy_name(out->new_province_code, sizeof out->new_province_code, np->code);
        copy_name(out->new_province_name, sizeof out->new_province_name, np->name);
    }
    int du = b.du;
    if (b.wu >= 0 && du < 0)
        du = c->u[b.wu].dist; /* the ward's name was unique in the province */
    if (du >= 0) {
        copy_name(out->district_code, sizeof out->district_code, c->u[du].code);
        copy_name(out->district_name, sizeof out->district_name, c->u[du].name);
    }
    if (b.wu >= 0) {
        const struct unit *w = &c->u[b.wu];
        copy_name(out->ward_code, sizeof out->ward_code, w->code);
        copy_name(out->ward_name, sizeof out->ward_name, w->name);
        if (w->map_n == 1) {
            const struct unit *nw = &c->u[c->mapv[w->map_first]];
            copy_name(out->new_ward_code, sizeof out->new_ward_code, nw->code);
            copy_name(out->new_ward_name, sizeof out->new_ward_name, nw->name);
        } else if (w->map_n > 1) {
            reason = "ward-split";
            conf = 0.8;
        } else {
            reason = "ward-unmapped";
            conf = 0.8;
        }
        conf -= (b.fw == 1 ? 0 : 0.05) + (b.dm >= 0 && b.fd != 1 ? 0.05 : 0);
        if (b.pm < 0) {
            if (!*reason)
                reason = "no-province"; /* a split says more: keep it */
            conf = 0.6;
        }
    } else if (!*reason) {
        reason = b.wflag == W_AMB     ? "ward-ambiguous"
                 : b.wflag == W_NOTIN ? "ward-not-in-district"
                 : b.pm < 0           ? "no-province"
                                      : "no-ward";
        conf = du >= 0 ? 0.5 : 0.35;
    } else {
        conf = 0.3;
    }
    if (b.pm < 0 && b.wu < 0)
        conf = 0.3;
done:
    if (*reason && strcmp(reason, "ward-split") != 0 && strcmp(reason, "ward-unmapped") != 0 &&
        strcmp(reason, "no-province") != 0 && conf > 0.5)
        conf = 0.5;
    copy_name(out->reason, sizeof out->reason, reason);
    out->confidence = conf < 0 ? 0 : conf;
}

static int
match_tokens(const struct dc_catalog *c, struct tokbuf *tb, const char *text, int32_t len,
             struct dc_addr *out, struct dc_error *err)
{
    struct mctx xs; /* about 12 KB of stack: no allocation per address */
    struct mctx *x = &xs;
    x->c = c;
    x->tb = tb;
    x->have = 0;
    x->tied = 0;
    x->marked = 0;
    x->work = 0;
    for (int i = 0; i < tb->n; i++)
        x->marked |= tb->t[i].marked;
    find_mentions(x);
    search(x);
    if (x->have && x->best.score <= 0)
        x->have = 0;
    if (x->work > MAX_WORK)
        x->have = 0;
    int rc = 0;
    if (text != NULL)
        rc = fill_detail(x, text, len, out, err);
    if (x->have)
        fill_codes(x, out);
    else
        copy_name(out->reason, sizeof out->reason,
                  tb->n == 0 ? "empty" : x->work > MAX_WORK ? "too-complex" : "no-province");
    return rc;
}

int
dc_addr_match(const struct dc_catalog *c, const char *text, struct dc_addr *out,
              struct dc_error *err)
{
    if (out == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match: no output");
    memset(out, 0, sizeof *out);
    if (c == NULL || !c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match: catalogue not finished");
    if (text == NULL)
        text = "";
    size_t len = strlen(text);
    if (len > DC_ADDR_MAX_TEXT) {
        snprintf(out->reason, sizeof out->reason, "too-long");
        return 0;
    }
    struct tokbuf tb;
    tb.n = 0;
    tb.fn = 0;
    if (tokenize(&c->ft, text, (int32_t)len, 0, 0, &tb) < 0) {
        snprintf(out->reason, sizeof out->reason, "too-long");
        return 0;
    }
    return match_tokens(c, &tb, text, (int32_t)len, out, err);
}

int
dc_addr_match_parts(const struct dc_catalog *c, const char *ward, const char *district,
                    const char *province, const char *detail, struct dc_addr *out,
                    struct dc_error *err)
{
    if (out == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match_parts: no output");
    memset(out, 0, sizeof *out);
    if (c == NULL || !c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match_parts: catalogue not finished");
    const char *f[3] = {ward ? ward : "", district ? district : "", province ? province : ""};
    size_t total = strlen(f[0]) + strlen(f[1]) + strlen(f[2]);
    size_t dl = detail ? strlen(detail) : 0;
    if (total > DC_ADDR_MAX_TEXT || dl > DC_ADDR_MAX_TEXT) {
        snprintf(out->reason, sizeof out->reason, "too-long");
        return 0;
    }
    struct tokbuf tb;
    tb.n = 0;
    tb.fn = 0;
    for (int k = 0; k < 3; k++) {
        if (tokenize(&c->ft, f[k], (int32_t)strlen(f[k]), k + 1, T_BRK, &tb) < 0) {
            snprintf(out->reason, sizeof out->reason, "too-long");
            return 0;
        }
    }
    if (dl > 0 && clean_detail(detail, (int32_t)dl, out->detail, sizeof out->detail, err) < 0)
        return -1;
    return match_tokens(c, &tb, NULL, 0, out, err);
}

/* ------------------------------------------------------ loading the CSVs */

#define CSV_MAX_FIELDS 8
#define CSV_MAX_FIELD 255

struct csvrow {
    struct dc_catalog *c;
    struct dc_error *err;
    const char *file;   /* base name, for messages */
    int kind;           /* which file */
    int nexpect;
    long row;
    int nf, toolong, failed;
    char f[CSV_MAX_FIELDS][CSV_MAX_FIELD + 1];
};

enum { F_PROV_OLD, F_DIST_OLD, F_WARD_OLD, F_PROV_NEW, F_WARD_NEW, F_WMAP, F_PMAP };

static const struct {
    const char *name;
    int nfields;
    const char *header0;
} csv_files[] = {
    [F_PROV_OLD] = {"provinces_pre2025.csv", 3, "code"},
    [F_DIST_OLD] = {"districts_pre2025.csv", 5, "province_code"},
    [F_WARD_OLD] = {"admin_units_pre2025.csv", 7, "province_code"},
    [F_PROV_NEW] = {"provinces_2025.csv", 3, "code"},
    [F_WARD_NEW] = {"admin_units_2025.csv", 5, "province_code"},
    [F_WMAP] = {"ward_mapping_2025.csv", 2, "old_ward_code"},
    [F_PMAP] = {"province_mapping_2025.csv", 4, "old_province_code"},
};

static void
csv_field_cb(void *s, size_t len, void *data)
{
    struct csvrow *r = data;
    if (r->nf < CSV_MAX_FIELDS) {
        if (len > CSV_MAX_FIELD) {
            r->toolong = 1;
            len = CSV_MAX_FIELD;
        }
        if (len > 0)
            memcpy(r->f[r->nf], s, len);
        r->f[r->nf][len] = '\0';
    }
    r->nf++;
}

static void
csv_row_cb(int ch, void *data)
{
    struct csvrow *r = data;
    (void)ch;
    r->row++;
    int nf = r->nf;
    r->nf = 0;
    if (r->failed)
        return;
    if (nf != r->nexpect || r->toolong) {
        r->failed = 1;
        dc_error_set(r->err, DC_EX_DATAERR, "%s: record %ld: %s", r->file, r->row,
                     r->toolong ? "field over 255 bytes" : "wrong number of fields");
        return;
    }
    if (r->row == 1) {
        if (strcmp(r->f[0], csv_files[r->kind].header0) != 0) {
            r->failed = 1;
            dc_error_set(r->err, DC_EX_DATAERR, "%s: unexpected header", r->file);
        }
        return;
    }
    char (*f)[CSV_MAX_FIELD + 1] = r->f;
    int rc = 0;
    switch (r->kind) {
    case F_PROV_OLD: rc = dc_catalog_add_province(r->c, DC_ERA_PRE2025, f[0], f[1], r->err); break;
    case F_PROV_NEW: rc = dc_catalog_add_province(r->c, DC_ERA_2025, f[0], f[1], r->err); break;
    case F_DIST_OLD: rc = dc_catalog_add_district(r->c, f[0], f[2], f[3], r->err); break;
    case F_WARD_OLD:
        rc = dc_catalog_add_ward(r->c, DC_ERA_PRE2025, f[0], f[2], f[4], f[5], r->err);
        break;
    case F_WARD_NEW:
        rc = dc_catalog_add_ward(r->c, DC_ERA_2025, f[0], NULL, f[2], f[3], r->err);
        break;
    case F_WMAP: rc = dc_catalog_add_map(r->c, f[0], f[1], r->err); break;
    case F_PMAP: rc = dc_catalog_add_province_map(r->c, f[0], f[2], r->err); break;
    default: break;
    }
    if (rc < 0) {
        r->failed = 1;
        /* the add_* message lacks the position: put it in front */
        if (r->err != NULL) {
            char m[160];
            snprintf(m, sizeof m, "%.159s", r->err->msg);
            snprintf(r->err->msg, sizeof r->err->msg, "%.40s: record %ld: %s", r->file, r->row, m);
        }
    }
}

static int
load_one(struct dc_catalog *c, const char *dir, int kind, struct dc_error *err)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, csv_files[kind].name);
    if (n < 0 || (size_t)n >= sizeof path)
        return dc_error_set(err, DC_EX_USAGE, "catalogue directory path too long");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return dc_error_set(err, DC_EX_NOINPUT, "%s: cannot open", csv_files[kind].name);
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(fp);
        return dc_error_set(err, DC_EX_OSERR, "csv_init failed");
    }
    struct csvrow *r = calloc(1, sizeof *r);
    if (r == NULL) {
        csv_free(&p);
        fclose(fp);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    r->c = c;
    r->err = err;
    r->file = csv_files[kind].name;
    r->kind = kind;
    r->nexpect = csv_files[kind].nfields;
    char buf[65536];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (csv_parse(&p, buf, got, csv_field_cb, csv_row_cb, r) != got) {
            rc = dc_error_set(err, DC_EX_DATAERR, "%s: record %ld: %s", r->file, r->row + 1,
                              csv_strerror(csv_error(&p)));
        }
        if (r->failed)
            rc = -1;
    }
    if (rc == 0 && ferror(fp))
        rc = dc_error_set(err, DC_EX_IOERR, "%s: read error", r->file);
    if (rc == 0 && csv_fini(&p, csv_field_cb, csv_row_cb, r) != 0)
        rc = dc_error_set(err, DC_EX_DATAERR, "%s: %s", r->file, csv_strerror(csv_error(&p)));
    if (rc == 0 && r->failed)
        rc = -1;
    if (rc == 0 && r->row < 2)
        rc = dc_error_set(err, DC_EX_DATAERR, "%s: no data rows", r->file);
    csv_free(&p);
    free(r);
    if (fclose(fp) != 0 && rc == 0)
        rc = dc_error_set(err, DC_EX_IOERR, "%s: close failed", csv_files[kind].name);
    return rc;
}

int
dc_catalog_load_dir(struct dc_catalog *c, const char *dir, struct dc_error *err)
{
    if (c == NULL || dir == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_catalog_load_dir: missing argument");
    for (int k = F_PROV_OLD; k <= F_PMAP; k++)
        if (load_one(c, dir, k, err) < 0)
            return -1;
    return 0;
}

/* ----------------------------------------------------- built-in provinces */

struct bprov {
    const char *a, *b;
};

/* Generated from /work/shared/refdata provinces_pre2025.csv, provinces_2025.csv
 * and province_mapping_2025.csv (GSO catalogue until 30 June 2025; NSO
 * catalogue and conversion table from 1 July 2025; see refdata/README.md). */
static const struct bprov builtin_pre2025[] = {
    {"01", "Thành phố Hà Nội"},
    {"02", "Tỉnh Hà Giang"},
    {"04", "Tỉnh Cao Bằng"},
    {"06", "Tỉnh Bắc Kạn"},
    {"08", "Tỉnh Tuyên Quang"},
    {"10", "Tỉnh Lào Cai"},
    {"11", "Tỉnh Điện Biên"},
    {"12", "Tỉnh Lai Châu"},
    {"14", "Tỉnh Sơn La"},
    {"15", "Tỉnh Yên Bái"},
    {"17", "Tỉnh Hoà Bình"},
    {"19", "Tỉnh Thái Nguyên"},
    {"20", "Tỉnh Lạng Sơn"},
    {"22", "Tỉnh Quảng Ninh"},
    {"24", "Tỉnh Bắc Giang"},
    {"25", "Tỉnh Phú Thọ"},
    {"26", "Tỉnh Vĩnh Phúc"},
    {"27", "Tỉnh Bắc Ninh"},
    {"30", "Tỉnh Hải Dương"},
    {"31", "Thành phố Hải Phòng"},
    {"33", "Tỉnh Hưng Yên"},
    {"34", "Tỉnh Thái Bình"},
    {"35", "Tỉnh Hà Nam"},
    {"36", "Tỉnh Nam Định"},
    {"37", "Tỉnh Ninh Bình"},
    {"38", "Tỉnh Thanh Hóa"},
    {"40", "Tỉnh Nghệ An"},
    {"42", "Tỉnh Hà Tĩnh"},
    {"44", "Tỉnh Quảng Bình"},
    {"45", "Tỉnh Quảng Trị"},
    {"46", "Thành phố Huế"},
    {"48", "Thành phố Đà Nẵng"},
    {"49", "Tỉnh Quảng Nam"},
    {"51", "Tỉnh Quảng Ngãi"},
    {"52", "Tỉnh Bình Định"},
    {"54", "Tỉnh Phú Yên"},
    {"56", "Tỉnh Khánh Hòa"},
    {"58", "Tỉnh Ninh Thuận"},
    {"60", "Tỉnh Bình Thuận"},
    {"62", "Tỉnh Kon Tum"},
    {"64", "Tỉnh Gia Lai"},
    {"66", "Tỉnh Đắk Lắk"},
    {"67", "Tỉnh Đắk Nông"},
    {"68", "Tỉnh Lâm Đồng"},
    {"70", "Tỉnh Bình Phước"},
    {"72", "Tỉnh Tây Ninh"},
    {"74", "Tỉnh Bình Dương"},
    {"75", "Tỉnh Đồng Nai"},
    {"77", "Tỉnh Bà Rịa - Vũng Tàu"},
    {"79", "Thành phố Hồ Chí Minh"},
    {"80", "Tỉnh Long An"},
    {"82", "Tỉnh Tiền Giang"},
    {"83", "Tỉnh Bến Tre"},
    {"84", "Tỉnh Trà Vinh"},
    {"86", "Tỉnh Vĩnh Long"},
    {"87", "Tỉnh Đồng Tháp"},
    {"89", "Tỉnh An Giang"},
    {"91", "Tỉnh Kiên Giang"},
    {"92", "Thành phố Cần Thơ"},
    {"93", "Tỉnh Hậu Giang"},
    {"94", "Tỉnh Sóc Trăng"},
    {"95", "Tỉnh Bạc Liêu"},
    {"96", "Tỉnh Cà Mau"},
};
static const struct bprov builtin_2025[] = {
    {"01", "Thành phố Hà Nội"},
    {"04", "Tỉnh Cao Bằng"},
    {"08", "Tỉnh Tuyên Quang"},
    {"11", "Tỉnh Điện Biên"},
    {"12", "Tỉnh Lai Châu"},
    {"14", "Tỉnh Sơn La"},
    {"15", "Tỉnh Lào Cai"},
    {"19", "Tỉnh Thái Nguyên"},
    {"20", "Tỉnh Lạng Sơn"},
    {"22", "Tỉnh Quảng Ninh"},
    {"24", "Tỉnh Bắc Ninh"},
    {"25", "Tỉnh Phú Thọ"},
    {"31", "Thành phố Hải Phòng"},
    {"33", "Tỉnh Hưng Yên"},
    {"37", "Tỉnh Ninh Bình"},
    {"38", "Tỉnh Thanh Hóa"},
    {"40", "Tỉnh Nghệ An"},
    {"42", "Tỉnh Hà Tĩnh"},
    {"44", "Tỉnh Quảng Trị"},
    {"46", "Thành phố Huế"},
    {"48", "Thành phố Đà Nẵng"},
    {"51", "Tỉnh Quảng Ngãi"},
    {"52", "Tỉnh Gia Lai"},
    {"56", "Tỉnh Khánh Hòa"},
    {"66", "Tỉnh Đắk Lắk"},
    {"68", "Tỉnh Lâm Đồng"},
    {"75", "Tỉnh Đồng Nai"},
    {"79", "Thành phố Hồ Chí Minh"},
    {"80", "Tỉnh Tây Ninh"},
    {"82", "Tỉnh Đồng Tháp"},
    {"86", "Tỉnh Vĩnh Long"},
    {"91", "Tỉnh An Giang"},
    {"92", "Thành phố Cần Thơ"},
    {"96", "Tỉnh Cà Mau"},
};
/* old code, new code */
static const struct bprov builtin_map[] = {
    {"01", "01"},
    {"02", "08"},
    {"04", "04"},
    {"06", "19"},
    {"08", "08"},
    {"10", "15"},
    {"11", "11"},
    {"12", "12"},
    {"14", "14"},
    {"15", "15"},
    {"17", "25"},
    {"19", "19"},
    {"20", "20"},
    {"22", "22"},
    {"24", "24"},
    {"25", "25"},
    {"26", "25"},
    {"27", "24"},
    {"30", "31"},
    {"31", "31"},
    {"33", "33"},
    {"34", "33"},
    {"35", "37"},
    {"36", "37"},
    {"37", "37"},
    {"38", "38"},
    {"40", "40"},
    {"42", "42"},
    {"44", "44"},
    {"45", "44"},
    {"46", "46"},
    {"48", "48"},
    {"49", "48"},
    {"51", "51"},
    {"52", "52"},
    {"54", "66"},
    {"56", "56"},
    {"58", "56"},
    {"60", "68"},
    {"62", "51"},
    {"64", "52"},
    {"66", "66"},
    {"67", "68"},
    {"68", "68"},
    {"70", "75"},
    {"72", "80"},
    {"74", "79"},
    {"75", "75"},
    {"77", "79"},
    {"79", "79"},
    {"80", "80"},
    {"82", "82"},
    {"83", "86"},
    {"84", "86"},
    {"86", "86"},
    {"87", "82"},
    {"89", "91"},
    {"91", "91"},
    {"92", "92"},
    {"93", "92"},
    {"94", "92"},
    {"95", "96"},
    {"96", "96"},
};

int
dc_catalog_builtin_provinces(struct dc_catalog *c, struct dc_error *err)
{
    for (size_t i = 0; i < sizeof builtin_pre2025 / sizeof builtin_pre2025[0]; i++)
        if (dc_catalog_add_province(c, DC_ERA_PRE2025, builtin_pre2025[i].a, builtin_pre2025[i].b,
                                    err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof builtin_2025 / sizeof builtin_2025[0]; i++)
        if (dc_catalog_add_province(c, DC_ERA_2025, builtin_2025[i].a, builtin_2025[i].b, err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof builtin_map / sizeof builtin_map[0]; i++)
        if (dc_catalog_add_province_map(c, builtin_map[i].a, builtin_map[i].b, err) < 0)
            return -1;
    return 0;
}
