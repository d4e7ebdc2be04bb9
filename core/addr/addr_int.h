/*
 * addr/addr_int.h - private to core/addr/: the catalogue, token and matching
 * structures shared by the files of the address matcher.  The public face is
 * core/address.h.
 *
 * The matcher: Vietnamese address parsing and catalogue matching, pre-2025
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
 * Typos: a part in the ward slot with no name found is compared with the
 * wards of the parent read (one edit, transpositions counting one; sole
 * candidate, none other within two edits; issue 13 §2.7).
 *
 * Not for: street names, geocoding;
 * tone-style output (the catalogue's own spelling is always returned).
 *
 * Sources: /work/shared/refdata/README.md for the catalogue files, codes
 * reused across eras, 440 split wards and 155 repeated (province, ward) names;
 * research/normalize.md §2.7 (abbreviation forms P./Q./H./X./TX./TT./TP./F.,
 * HCM/TPHCM/Sài Gòn/HN), §2.1-§2.2 (peers' substring bugs: "Thanh Nhàn" ->
 * HN, "Linh." -> "L. huyện", which whole-token matching avoids), §3.4
 * (đ has no decomposition: folded explicitly), §7 items 4-7. *
 * Files: token.c (folding table, tokens, written unit types), catalog.c (units,
 * mappings, the name and code indexes), match.c (mentions and the readings
 * scored against the hierarchy), result.c (codes, names, reason and
 * confidence of the best reading; the public match calls), load.c (the
 * refdata CSV files and the built-in province tables).
 */
#ifndef DC_ADDR_INT_H
#define DC_ADDR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unicode/utypes.h>

#include "../address.h"
#include "../vn/letter.h"

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
    char pcode[3]; /* parent province code (districts, wards) */
    char dcode[4]; /* parent district code (pre-2025 wards) */
    char name[DC_CATALOG_MAX_NAME + 1];
    unsigned char level, era;
    unsigned kind;    /* one K_ bit, 0 when the name has no known prefix */
    int prov;         /* index of the province (itself for provinces) */
    int dist;         /* index of the district, -1 if none */
    int map_first;    /* old ward: first index in mapv; old province: new province index */
    int map_n;        /* old ward: number of new wards; new province: number of old sources */
    int src;          /* new province: the old province when map_n == 1 */
    int rp, rd, rw;   /* new ward: the old province, district, ward that all of its
                      * source wards share (-1: none or several), for reading a 2025
                      * address in the old era too */
    int akoff, aklen; /* accent-keeping key, in keys */
    int rfirst, rn;   /* new ward: its source (old) wards, in rmapv */
    int succ;         /* a retired name (catalog.c retired[]): the unit it reads as; else -1 */
    int fkoff, fklen; /* folded key without the type prefix ("my thanh"), in keys */
    int kfirst, kn;   /* wards under this unit (district; province of its era), in kids */
};

struct pair {
    char a[6], b[6];
};

struct nslot { /* hash slot: a folded key and its list of units */
    uint32_t h;
    int koff, klen; /* in keys; koff < 0 = empty */
    int pf, pn;     /* postings */
};

struct keyref {
    int koff, klen, unit;
};

/* Fold classes for non-alphanumeric code points; letters and digits fold to
 * their ASCII lower-case character (all >= '0'). */
enum { FC_SPACE = 0, FC_MARK = 1, FC_APOS = 2, FC_DOT = 3, FC_HYPH = 4, FC_SEP = 5 };
#define FOLD_TABLE DC_LETTER_TABLE /* up to the end of Latin Extended Additional */

/* Second, accent-keeping fold for names that collide without marks ("Văn
 * Lang" / "Văn Lăng", "Sơn Hà" / "Sơn Hạ" in one province): vowel shape is
 * kept (ă â ê ô ơ ư đ get codes A B E O P U D) and the tone is kept once
 * per word, so where the tone mark sits ("hoà"/"hòa") still does not matter
 * (research/normalize.md §3.2, §7.4: "two matching keys per unit"). */
enum {
    TONE_NONE = DC_TONE_NONE,
    TONE_ACUTE = DC_TONE_ACUTE,
    TONE_GRAVE = DC_TONE_GRAVE,
    TONE_HOOK = DC_TONE_HOOK,
    TONE_TILDE = DC_TONE_TILDE,
    TONE_DOT = DC_TONE_DOT
};
/* in tone[] for lone marks (vn/letter.h) */
enum { MOD_BREVE = DC_MARK_BREVE, MOD_CIRC = DC_MARK_CIRC, MOD_HORN = DC_MARK_HORN };

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
    int *rmapv; /* new ward -> old wards (unit.rfirst, rn) */
    int *kids;  /* parent -> its wards (unit.kfirst, kn), for typo matching */
    char *keys;
    long nkeys, capkeys;
    struct nslot *tab; /* name index */
    unsigned long tabmask;
    int *post;
    struct nslot *ctab; /* code index: "<era><level><code>" -> unit */
    unsigned long ctabmask;
    int maxtok;    /* most tokens in any key */
    long nretired; /* units appended for retired names (not counted) */
    int finished;
    struct foldtab ft;
};

#define T_DOT 1u  /* followed by '.' ("P.", "TP.") */
#define T_BRK 2u  /* a strong separator (, ; | / ( newline) comes before it */
#define T_HYPH 4u /* a hyphen comes before it */
#define T_NUM 8u  /* all digits, leading zeros dropped ("03" -> "3") */

struct tok {
    int fo, fl; /* folded text in tokbuf.f */
    int bo, be; /* bytes in the source string */
    unsigned flags;
    int field;  /* 0 free text; 1 ward, 2 district, 3 province (split columns) */
    int tone;   /* TONE_ of the word */
    int marked; /* the word carried any diacritic */
};

struct tokbuf {
    struct tok t[DC_ADDR_MAX_TOKENS];
    int n;
    int fn;
    char f[DC_ADDR_MAX_TEXT + 8];
    char a[DC_ADDR_MAX_TEXT + 8]; /* accent-keeping fold, same offsets as f */
};

#define MAX_MENTIONS 256
enum { W_NONE = 0, W_OK, W_AMB, W_NOTIN };

/* A run of tokens that is the name of at least one unit. */
struct mention {
    int s, e, ps;       /* tokens [s,e); written prefix starts at ps (== s if none) */
    unsigned pmask;     /* kinds the written prefix allows, 0 = no prefix */
    int pf, pn;         /* postings */
    unsigned char num;  /* the key is a number ("3" of "Phường 03") */
    unsigned char weak; /* short key (<= 2 letters) away from both ends of the text */
    unsigned char bare; /* a number that is a whole part of the text ("27, Bình Thạnh") */
    unsigned char lv;   /* B_ bits: which kinds of unit the postings hold */
    int field;
};

enum { B_PROV = 1, B_DIST = 2, B_WOLD = 4, B_WNEW = 8 };

struct cand {
    int pm, pu, dm, du, wm, wu, wflag, era;
    int fp, fd, fw;
    double score;
    int pen;     /* marks written that are not the unit's (accent penalties) */
    int retired; /* a unit was written by its retired name ("Quận 9") */
    int via;     /* old ward read under the 2025 name of another province (eras mixed) */
    int typo;    /* the ward was read one edit from its name (match.c addr_typo) */
};

/* Readings kept for the consensus: near the best, or the same words read in
 * the other era. */
#define MAX_TOP 16

struct mctx {
    const struct dc_catalog *c;
    const struct tokbuf *tb;
    struct mention m[MAX_MENTIONS];
    int nm;
    struct cand best;
    struct cand top[MAX_TOP]; /* readings within TOP_MARGIN of the best, best among them */
    int ntop;
    int have;
    int marked; /* some word of the address carries a diacritic */
    long work;  /* postings looked at; capped so that no address takes long */
};

/* Real addresses need well under 5,000 steps; a row made of dozens of
 * province and district names ("p 1 q 1 tp hcm p 1 q 1 ...") would need
 * millions.  Past the cap the address is reported "too-complex". */
#define MAX_WORK 100000L

/* Whole-token comparisons, inline: they run for every token against every
 * word list (a call across files cost 40% more instructions per address). */
static inline int
addr_tok_is(const struct tokbuf *tb, int i, const char *w)
{
    if (tb->t[i].fl == 0 || tb->f[tb->t[i].fo] != w[0])
        return 0; /* most words differ in their first letter: skip strlen */
    size_t n = strlen(w);
    return (size_t)tb->t[i].fl == n && memcmp(tb->f + tb->t[i].fo, w, n) == 0;
}

static inline int
addr_is_word_in(const struct tokbuf *tb, int i, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (addr_tok_is(tb, i, list[k]))
            return 1;
    return 0;
}

/* token.c */
int addr_build_fold(struct foldtab *ft, struct dc_error *err);
/* Append the tokens of s to tb.  Returns -1 when a limit is hit. */
int addr_tokenize(const struct foldtab *ft, const char *s, int32_t len, int field, unsigned pend,
                  struct tokbuf *tb);
/* The written prefix right before token s: sets *ps and returns the kinds. */
unsigned addr_find_prefix(const struct tokbuf *tb, int s, int *ps);

/* catalog.c */
const struct nslot *addr_slot_find(const struct nslot *tab, unsigned long mask, const char *keys,
                                   const char *s, int n);
int addr_accent_key(const struct tokbuf *tb, int from, int to, char *out, int cap, int *marked);

/* match.c */
int addr_fit(const struct mention *m, const struct unit *u);
int addr_accent_differs(const struct mctx *x, const struct mention *m, int ui);
void addr_find_mentions(struct mctx *x);
void addr_search(struct mctx *x);
/* Readings without a ward: the part in the ward slot one edit from the name
 * of a ward of the parent read ("My Thahn, Cần Giuộc"). */
void addr_typo(struct mctx *x);

#endif
