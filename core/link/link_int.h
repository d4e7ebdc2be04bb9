/*
 * link/link_int.h - private to core/link/: what the files of the record
 * linkage share (struct rec and the per-run state, the constants, the
 * comparisons and weights the pair loops inline).  The public face is
 * core/dedup.h; link/strsim.h holds the string similarity kernels.
 *
 * The linkage: Fellegi-Sunter record linkage over struct dc_person, in memory.
 *
 * For: blocking (union of strict equi-join rules on 64-bit key hashes, a
 * block over the cap split by further keys), comparison levels, u from seeded random pairs, m by EM over
 * the counts of distinct agreement patterns, term-frequency adjustment of the
 * name levels, union-find clustering with cannot-link checks, the text
 * waterfall and pairwise evaluation.
 * Not for: database I/O (linkdb.c), normalisation, review files (cmd/dedup.c).
 *
 * Sources: research/dedup.md §0 (the model), §B.2 (blocking: never surname
 * alone, a hard cap reported not dropped), §B.3 (levels), §B.4 (u by random
 * sampling, EM on pattern counts, floors, 25-iteration/1e-4 stop as Splink),
 * §B.5 (TF: weight + log2(u_level / tf(value)), floored), §B.6 (union-find in
 * weight order with cannot-link summaries per root, smallest member as id).
 * Splink's trick of dropping a pair that an earlier rule already produced
 * (re-evaluating the earlier rules' keys) is from research/dedup.md §1.
 *
 * Adaptations, and why:
 * - The "ID prefix + birth year + given name" rule also keys on the surname
 *   class: the 6-digit prefix already holds the birth year, and without the
 *   surname a province-sized extract puts every Hùng born 1985 in one block.
 * - The "full name + birth year" rule compares, of two full dates, only those
 *   a swap or a one-field typo explains (rule_pair_ok): the rest are
 *   homonyms, millions of pairs per million records.
 * - m is trained by EM with u fixed at the random-pair estimate (Splink's
 *   default) on the strict rules only, each rule's own comparisons masked
 *   and one lambda per rule (train_rule, rule_mask: Splink's training
 *   sessions in one pass).  Unmasked EM on all candidate pairs was tried on a
 *   1M-record synthetic province: it took "same name, different ID" as the
 *   match class (recall 0.49).  The prior is the expected number of matches
 *   among the distinct training pairs over all n(n-1)/2 pairs.
 * - TF tables keep the DC_DEDUP_TF_MAX most frequent folded names (count >= 2);
 *   a name outside the table counts as being as rare as the last one kept, so
 *   a run and an explain given the same params give the same weight.
 * - ID numbers and dates are held as BCD so "one digit apart" is bit
 *   arithmetic; the two scan passes run on opts.threads threads (the
 *   machine's processors by default) and the u sample on U_STREAMS fixed streams
 *   with fixed work splits, and every merge is a sum or a sort by (a,b), so
 *   results do not depend on thread timing.
 * - Cannot-link on IDs tolerates IDs one digit apart (the ID comparison has a
 *   typo level; refusing them would undo it).
 * - Records may come in batches (struct dc_dedup_input), each reduced to
 *   struct rec at once, so the caller need not hold a million struct
 *   dc_person (issue #5: that array was 330 MB of a 604 MB peak); the
 *   NFC-part table that only speeds up folding is dropped before blocking.
 * - Speed (issue #5, a million records within the bar with room to spare),
 *   none of it changing a result: the training pass keeps the gammas of the
 *   pairs the scoring pass will score (struct gpair), so blocks are walked
 *   and Jaro-Winkler is run once; "an earlier rule compared this pair" is
 *   the rule's fields compared plus a byte a record and rule (the part of a
 *   split block); Jaro-Winkler is skipped where a letter-count bound
 *   already puts a pair under the lowest cut (jw_level); blocking groups by
 *   hash with one counting pass (hash_sort); output and merge order come
 *   from radix sorts.  (Transparent huge pages for the big arrays were
 *   tried: less user time, more system time zeroing 2 MB pages, no gain.)
 * - Memory (issue 21: a province of ten million records in 1 GB), none of
 *   it changing a result: struct rec is 56 bytes, the names' classes in
 *   per-name tables; when the blocks of all rules do not fit the budget
 *   beside the records (set_budget in run.c), the run is "streamed": each
 *   rule is blocked in turn in the training pass and let go, its keys
 *   through temporary files by their top bits when they do not fit at once;
 *   the pairs compared go with their levels to a temporary file that the
 *   scoring pass weighs, the pairs kept to another that the clustering reads
 *   once the records are freed; the string tables go after scoring,
 *   record_id and the truth's sources are not held during the run.
 *
 * Files: records.c (string interning, folding, struct rec from struct
 * dc_person), params.c (hand-set parameters, the weight tables, the text
 * form), block.c (blocking rules, the block walk that counts training
 * patterns and scores pairs), train.c (u from random pairs, m by EM, TF
 * tables), cluster.c (union-find with cannot-link), run.c (the public run,
 * records given in batches, explain, evaluation, phase timing); strsim.c
 * (Jaro-Winkler and the other byte-string kernels).
 */
#ifndef DC_LINK_INT_H
#define DC_LINK_INT_H

#include "../dedup.h"
#include "strsim.h"
#include "../hash.h"
#include "../util/buf.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>

#define MAX_NAME 256            /* bytes per name part compared; longer are cut */
#define MAX_RECORDS 0xFFFFFFF0u /* indexes are uint32_t */
#define DEFAULT_MAX_BLOCK 10
#define U_SAMPLES 1000000ull   /* Splink 5 tutorial order of magnitude */
#define MIN_TRAIN_RECORDS 1000 /* below this EM has too little to go on */
#define MIN_TRAIN_PAIRS 100
#define EM_MAX_ITER 25 /* Splink default, research/dedup.md §B.4 */
#define EM_TOL 1e-4
#define PROB_FLOOR 1e-4           /* m >= 1e-4: a zero never moves in EM (Splink #161) */
#define U_FLOOR (1.0 / U_SAMPLES) /* u >= the least the random-pair sample can measure */
#define TF_MIN 1e-6               /* research/dedup.md §B.5 point 3 */
#define DC_DEDUP_TF_MAX 20000
#define MAX_YEAR_SPREAD 10 /* cannot-link: one cluster spans at most this */
#define MAX_NOTES 64
#define MAX_KEPT_PAIRS 100000000ull /* 1.6 GB of pairs: beyond any review */
#define MAX_PARAMS_TEXT (64u << 20)
#define DEFAULT_MEMORY ((size_t)1 << 30) /* --memory unset: 1 GiB, or half the machine's if less */
#define PROCESS_OVERHEAD ((size_t)48 << 20) /* the budget's share for all but the run's arrays */
#define NRULES 9
#define PATTERN_BITS 14
#define LINK_PARAMS_FORMAT 2 /* 2: the address comparison has house levels */
#define NPATTERNS ((size_t)NRULES << PATTERN_BITS)
#define LINK_MAX_THREADS 16 /* struct arrays per worker; dc_dedup_opts.threads is capped here */
#define U_STREAMS                                                                                  \
    2                          /* the u sample's fixed random streams: the sample, and so the
                                        parameters, are the same whatever the thread count */
#define TRAIN_PAIRS 4000000ull /* EM counts patterns on a seeded sample of this size, per rule */
#define KEY_COLS (NRULES - 1)  /* the scan asks only about earlier rules' keys */

/* The levels of each comparison and the names of the comparisons; the
 * hand-set parameters (params.c). */
extern const int link_nlevels[DC_CMP_COUNT];
extern const char *const link_cmp_names[DC_CMP_COUNT];
extern const double link_default_m[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];
extern const double link_default_u[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];

/* ---- hashing ------------------------------------------------------------ */

static inline uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static inline uint64_t
hash_bytes(const char *s, size_t n)
{
    uint64_t h = mix64(dc_hash64(s, n));

    return h ? h : 1;
}

static inline uint64_t
combine(uint64_t h, uint64_t v)
{
    h = mix64(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
    return h ? h : 1;
}

/* ---- string interning: ids are first-occurrence order, so deterministic --- */

struct intern {
    char *pool;
    size_t plen, pcap;
    uint32_t *off, *len;
    uint64_t *hash;
    size_t n, cap;   /* entries, id 0 = "" */
    uint32_t *slots; /* open addressing, 0 = empty */
    size_t mask;
};

/* ---- per-record compact state ------------------------------------------ */

struct rec {
    uint64_t id12;          /* BCD digits when idlen == 12, ID_PREFIX_UNKNOWN may be set */
    uint64_t cmnd;          /* BCD digits when cmndlen > 0 */
    uint32_t nfc;           /* hash of the NFC full name (parts joined), 0 = none; only
                      looked at when the folded names are the same */
    uint32_t fam, mid, giv; /* folded ids in names (their surname class and middle name
                               without Thi/Van: struct ctx's tables) */
    uint32_t full;          /* folded full name, id in fulls, 0 = none */
    uint32_t det;           /* hash of the folded address detail (house
                                             number and street, hamlet), 0 = none */
    uint16_t ward, nward, prov, nprov; /* ids in codes (at most 65,535 distinct codes) */
    uint16_t year;
    uint8_t month, day, prec;
    char sex;
    uint8_t idlen, cmndlen;
};
/* 56 bytes a record (issue 21: it was 80; ten million records hold 240 MB
 * less). */
_Static_assert(sizeof(struct rec) == 56, "struct rec is 56 bytes");

/* A name's surname class (Huynh -> Hoang, Vo -> Vu) when it is a surname,
 * and itself without Thi/Van when it is a middle name; CLS_UNSET until the
 * name is first met in that role. */
#define CLS_UNSET UINT32_MAX
struct name_cls {
    uint32_t famcls, mid2;
};

struct ctx {
    struct rec *r;
    size_t n, cap;
    struct intern names; /* folded name parts */
    struct intern fulls; /* folded full names, for Jaro-Winkler without copying */
    struct intern raw;   /* NFC name parts as given, mapped to folded ids */
    uint32_t *raw2fold;
    size_t raw2fold_cap;
    struct intern codes;
    uint32_t id_thi, id_van;
    double prep_s;        /* wall seconds in link_ctx_add */
    uint8_t (*hist)[32];  /* per fulls id: byte counts by (byte & 31), see jw_level */
    struct name_cls *cls; /* per names id: its classes, worked out once */
    size_t ncls;          /* room in cls */
};

/* A record's surname class and middle name without Thị/Văn (0 = none),
 * looked up per name rather than held per record. */
#define FAMCLS(c, r) ((c)->cls[(r)->fam].famcls)
#define MID2(c, r) ((c)->cls[(r)->mid].mid2)

/* records.c */
int link_ctx_init(struct ctx *c, size_t cap, struct dc_error *err);
/* Appends recs[0..n) to c.  On failure c is unchanged in size but must
 * still be freed. */
int link_ctx_add(struct ctx *c, const struct dc_person *recs, size_t n, struct dc_error *err);
int link_ctx_build(struct ctx *c, const struct dc_person *recs, size_t n, struct dc_error *err);
/* The NFC-part table only speeds up folding while records come in. */
void link_ctx_seal(struct ctx *c);
void link_ctx_free(struct ctx *c);
/* Only the records stay (the clustering reads them, no string). */
void link_ctx_drop_strings(struct ctx *c);
/* Bytes c holds: the records, the string tables, the histograms. */
size_t link_ctx_bytes(const struct ctx *c);

static inline const char *
name_str(const struct ctx *c, uint32_t id, size_t *len)
{
    *len = c->names.len[id];
    return c->names.pool + c->names.off[id];
}

/* "fam mid giv" folded, into buf (>= 3 * MAX_NAME * 4 + 3 bytes). */
static inline size_t
joined(const struct ctx *c, const struct rec *r, char *buf)
{
    uint32_t parts[3] = {r->fam, r->mid, r->giv};
    size_t o = 0, l;
    int i;

    for (i = 0; i < 3; i++) {
        const char *s;

        if (!parts[i])
            continue;
        s = name_str(c, parts[i], &l);
        if (o)
            buf[o++] = ' ';
        memcpy(buf + o, s, l);
        o += l;
    }
    return o;
}

/* ---- comparisons -------------------------------------------------------- */

/* Byte histograms of the folded full names (the bytes Jaro-Winkler reads, at
 * most DC_STRSIM_MAXLEN, so a count fits a byte), buckets by byte & 31:
 * letters each their own, two bytes sharing a bucket only loosen the bound
 * jw_level draws from them.  About 32 bytes a distinct name. */
int link_ctx_hist(struct ctx *c, struct dc_error *err);

/* The comparisons run once per candidate pair and per random pair of the u
 * sample: inline, as they were when all of this was one file. */

/* Level 5, 6 or 7 of two folded full names (ids in fulls, both non-empty).
 * Most pairs that get here (all random pairs of the u sample) are far apart,
 * and a bound settles them without the quadratic Jaro matching: Jaro's
 * matched characters m are at most the characters the two byte multisets
 * share (c), the transposition term is at most 1, so
 *   jaro <= (c/na + c/nb + 1) / 3,
 * and Jaro-Winkler grows with jaro at a fixed prefix length.  Below the
 * 0.88 cut by more than rounding can explain, the level is 7 and exactly
 * what dc_strsim_jaro_winkler would have given. */
static inline unsigned
jw_level(const struct ctx *c, uint32_t fa, uint32_t fb)
{
    const char *a = c->fulls.pool + c->fulls.off[fa], *b = c->fulls.pool + c->fulls.off[fb];
    size_t la = c->fulls.len[fa], lb = c->fulls.len[fb], l = 0;
    size_t na = la < DC_STRSIM_MAXLEN ? la : DC_STRSIM_MAXLEN;
    size_t nb = lb < DC_STRSIM_MAXLEN ? lb : DC_STRSIM_MAXLEN;
    const uint8_t *ha = c->hist[fa], *hb = c->hist[fb];
    unsigned common = 0;
    double jb, jw;
    int i;

    for (i = 0; i < 32; i++)
        common += ha[i] < hb[i] ? ha[i] : hb[i];
    while (l < 4 && l < la && l < lb && a[l] == b[l])
        l++;
    jb = ((double)common / (double)na + (double)common / (double)nb + 1.0) / 3.0;
    if (jb + (double)l * 0.1 * (1.0 - jb) < 0.88 - 1e-9)
        return 7;
    jw = dc_strsim_jaro_winkler(a, la, b, lb);
    if (jw >= 0.95)
        return 5;
    if (jw >= 0.88)
        return 6;
    return 7;
}

static inline unsigned
cmp_name(const struct ctx *c, const struct rec *a, const struct rec *b)
{
    double jw;

    if (!a->full || !b->full)
        return 0;
    if (a->nfc == b->nfc && a->full == b->full)
        return 1;
    if (a->full == b->full) /* interned: the same id is the same folded name */
        return 2;
    if (FAMCLS(c, a) && FAMCLS(c, a) == FAMCLS(c, b) && a->fam != b->fam && a->mid == b->mid &&
        a->giv == b->giv)
        return 3;
    if (a->giv && a->giv == b->giv && FAMCLS(c, a) == FAMCLS(c, b) &&
        (!a->mid || !b->mid || MID2(c, a) == MID2(c, b)))
        return 4;
    if (c->hist)
        return jw_level(c, a->full, b->full);
    jw = dc_strsim_jaro_winkler(c->fulls.pool + c->fulls.off[a->full], c->fulls.len[a->full],
                                c->fulls.pool + c->fulls.off[b->full], c->fulls.len[b->full]);
    if (jw >= 0.95)
        return 5;
    if (jw >= 0.88)
        return 6;
    return 7;
}

/* Values are BCD, one digit per nibble, so "one digit apart" is a few bit
 * operations: one differing nibble, or two adjacent ones swapped. */
static inline int
one_digit_apart(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b, m;
    int lo;

    m = (x | x >> 1 | x >> 2 | x >> 3) & 0x1111111111111111ull;
    if (m == 0)
        return 0;
    if ((m & (m - 1)) == 0)
        return 1;
    lo = __builtin_ctzll(m);
    if (lo + 8 > 64 || m != (0x11ull << lo))
        return 0;
    return ((a >> lo) & 0xF) == ((b >> (lo + 4)) & 0xF) &&
           ((a >> (lo + 4)) & 0xF) == ((b >> lo) & 0xF);
}

/* rec.id12: the 12 digits as BCD in bits 0..47.  ID_PREFIX_UNKNOWN marks
 * an ID whose first three digits are no province of Circular 07/2016
 * Annex 1 (crosscheck's ID_PROVINCE_UNKNOWN): a prefix typed or copied
 * wrong, so of that ID only the last nine digits are evidence (ids_near). */
#define ID_PREFIX_UNKNOWN (1ull << 63)
#define ID_DIGITS 0xFFFFFFFFFFFFull
#define ID_TAIL9 0xFFFFFFFFFull

static inline uint64_t
bcd2(unsigned v)
{
    return (uint64_t)((v / 10) << 4 | v % 10);
}

static inline uint64_t
dob_value(const struct rec *r, int prec)
{
    uint64_t y = bcd2(r->year / 100u) << 8 | bcd2(r->year % 100u);

    if (prec >= DC_DATE_DAY)
        return y << 16 | bcd2(r->month) << 8 | bcd2(r->day);
    if (prec == DC_DATE_MONTH)
        return y << 8 | bcd2(r->month);
    return y;
}

static inline unsigned
cmp_dob(const struct rec *a, const struct rec *b)
{
    int p;

    if (!a->prec || !b->prec)
        return 0;
    p = a->prec < b->prec ? a->prec : b->prec;
    if (p == DC_DATE_DAY) {
        if (a->year == b->year && a->month == b->month && a->day == b->day)
            return 1;
        if (a->year == b->year && a->day == b->month && a->month == b->day)
            return 2;
    }
    if (p >= DC_DATE_MONTH && a->year == b->year && a->month == b->month)
        return 3;
    if (p == DC_DATE_YEAR && a->year == b->year)
        return 4;
    if (one_digit_apart(dob_value(a, p), dob_value(b, p)))
        return 5;
    return 6;
}

/* Two 12-digit IDs that a typo explains: one digit changed or two swapped,
 * or a province prefix not in the table with the other nine digits (century
 * and sex, birth year, serial number) the same. */
static inline int
ids_near(uint64_t a, uint64_t b)
{
    uint64_t x = a & ID_DIGITS, y = b & ID_DIGITS;

    if (one_digit_apart(x, y))
        return 1;
    return ((a | b) & ID_PREFIX_UNKNOWN) && (x & ID_TAIL9) == (y & ID_TAIL9);
}

static inline unsigned
cmp_id(const struct rec *a, const struct rec *b)
{
    int ha = a->idlen || a->cmndlen, hb = b->idlen || b->cmndlen;

    if (a->idlen && b->idlen) {
        if (a->id12 == b->id12)
            return 1;
        return ids_near(a->id12, b->id12) ? 2 : 4;
    }
    if (a->cmndlen && b->cmndlen) {
        if (a->cmnd == b->cmnd)
            return a->cmndlen == b->cmndlen ? 1 : 2; /* leading zero lost */
        return a->cmndlen == b->cmndlen && one_digit_apart(a->cmnd, b->cmnd) ? 2 : 4;
    }
    /* 12-digit CMND issued 2012-2015 is the personal number itself. */
    if ((a->idlen && b->cmndlen == 12 && a->id12 == b->cmnd) ||
        (b->idlen && a->cmndlen == 12 && b->id12 == a->cmnd))
        return 1;
    if (ha && hb)
        return 0;
    return (ha || hb) ? 3 : 0;
}

/* Two records with the same valid 12-digit ID are linked (issue 16),
 * whatever the other fields score, unless hard evidence says otherwise:
 * both sexes known and different and both birth years known and more than
 * one apart.  The cannot-link rules of link_cluster still hold. */
static inline int
id_link(const struct rec *a, const struct rec *b)
{
    if (a->idlen != 12 || b->idlen != 12 || a->id12 != b->id12 || (a->id12 & ID_PREFIX_UNKNOWN))
        return 0;
    return !(a->sex && b->sex && a->sex != b->sex && a->prec && b->prec &&
             (a->year > b->year ? a->year - b->year : b->year - a->year) > 1);
}

static inline unsigned
cmp_addr(const struct rec *a, const struct rec *b)
{
    int comparable = (a->ward && b->ward) || (a->nward && b->nward) || (a->prov && b->prov) ||
                     (a->nprov && b->nprov);

    if (!comparable)
        return 0;
    if ((a->ward && a->ward == b->ward) || (a->nward && a->nward == b->nward))
        return !a->det || !b->det ? 2 : a->det == b->det ? 1 : 3;
    if ((a->prov && a->prov == b->prov) || (a->nprov && a->nprov == b->nprov))
        return 4;
    return 5;
}

static inline uint32_t
gamma_of(const struct ctx *c, const struct rec *a, const struct rec *b)
{
    unsigned sex = (!a->sex || !b->sex) ? 0 : a->sex == b->sex ? 1 : 2;

    return cmp_name(c, a, b) | cmp_dob(a, b) << 4 | cmp_id(a, b) << 8 | sex << 12 |
           cmp_addr(a, b) << 16;
}

/* ---- parameters --------------------------------------------------------- */

struct tf_entry {
    uint64_t h;
    double freq;
    char *s;
};

struct tf_table {
    struct tf_entry *e; /* sorted by h */
    size_t n;
    double cut; /* frequency assumed for a value not in the table; 0 = no TF */
};

struct dc_dedup_params {
    double m[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];
    double u[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];
    double prior;
    unsigned long long seed, trained_records, u_samples;
    int em_iterations, em_converged, trained;
    struct tf_table tf_full, tf_given;
};

/* Weights as tables: log2(m/u) per level and the TF frequency per folded
 * full name and per given name, looked up once per distinct value, so that
 * scoring a pair is additions (research/dedup.md §B.8: integer-coded keys). */
struct scorer {
    double prior_w;
    double w[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];
    double u_name[DC_DEDUP_MAX_LEVELS];
    double *tff; /* per fulls id; NULL = no TF */
    double *tfg; /* per names id */
};

static inline double
logit2(double p)
{
    return log2(p / (1.0 - p));
}

/* TF adjustment in bits for a name level (research/dedup.md §B.5): the
 * exact-ish levels use the folded full name, the middle-dropped level the
 * given name; the commoner of the two values counts, floored at TF_MIN. */
static inline double
tf_adjust(const struct scorer *s, const struct rec *a, const struct rec *b, unsigned level)
{
    double ta, tb, t;

    if (level >= 1 && level <= 3 && s->tff) {
        ta = s->tff[a->full];
        tb = s->tff[b->full];
    } else if (level == 4 && s->tfg) {
        ta = s->tfg[a->giv];
        tb = s->tfg[b->giv];
    } else {
        return 0.0;
    }
    t = ta > tb ? ta : tb;
    if (t < TF_MIN)
        t = TF_MIN;
    return log2(s->u_name[level] / t);
}

/* Total weight of a pair in bits, prior included, in the order explain
 * prints it. */
static inline double
pair_weight(const struct scorer *s, const struct rec *a, const struct rec *b, uint32_t g)
{
    double w = s->prior_w;
    int k;

    for (k = 0; k < DC_CMP_COUNT; k++) {
        w += s->w[k][DC_DEDUP_LEVEL(g, k)];
        if (k == DC_CMP_NAME)
            w += tf_adjust(s, a, b, DC_DEDUP_LEVEL(g, k));
    }
    return w;
}

static inline double
prob_of(double w)
{
    return 1.0 / (1.0 + exp2(-w));
}

/* params.c */
int link_tf_cmp(const void *x, const void *y);
int link_tf_add(struct tf_table *t, size_t *cap, double freq, const char *s, size_t n);
int link_scorer_init(struct scorer *s, const struct dc_dedup_params *p, const struct ctx *c,
                     struct dc_error *err);
void link_scorer_free(struct scorer *s);
int link_params_copy(const struct dc_dedup_params *src, struct dc_dedup_params **out,
                     struct dc_error *err);

/* ---- text form ---------------------------------------------------------- */

/* built in a struct dc_buf (util/buf.h) */

/* ---- blocking (block.c) ------------------------------------------------- */

extern const char *const link_rule_names[NRULES];

struct ki {
    uint64_t k;
    uint32_t i;
};

/* Stable sorts on the 64-bit key (records keep index order within a key):
 * radix for any keys, hash_sort for keys spread over all 64 bits. */
int link_radix_sort(struct ki *v, size_t n, struct dc_error *err);
int link_hash_sort(struct ki *v, size_t n, struct dc_error *err);

struct rule_groups {
    size_t maxgroup;
    unsigned long long upper;    /* pairs in its compared blocks, training rules */
    unsigned long long allpairs; /* pairs in its compared blocks */
    uint32_t *mem;               /* members of compared blocks, block after block */
    uint32_t *start;             /* ngroups + 1 offsets into mem */
    size_t ngroups, nmem, cap_mem, cap_start;
};

/* The member lists go; the counts stay (the notes read them). */
static inline void
rule_groups_drop(struct rule_groups *g)
{
    free(g->mem);
    free(g->start);
    g->mem = NULL;
    g->start = NULL;
}

/* What splitting blocks over the cap did under one rule, for its note. */
struct split_stat {
    size_t blocks, largest, parts, largest_part, windowed;
    int depth; /* further keys used */
};

/* A scoring-pass pair remembered by the counting pass: its gamma (bits
 * 0..19) with its rule in bits 24..31.  The counting pass meets every pair
 * the scoring pass will score and computes the gamma of most of them, so it
 * keeps them and the scoring pass only weighs them: no second walk over the
 * blocks and no second Jaro-Winkler.  Up to GCACHE_MAX pairs per worker
 * (12 bytes each; fewer if opts->pair_cache says so); past that the cache is
 * dropped and the scoring pass walks the blocks as it would without one,
 * with the same result. */
struct gpair {
    uint32_t a, b, g;
};
#define GCACHE_MAX (4u << 20)
#define SPILL_CHUNK 65536 /* kept pairs a worker holds before writing them to R->spill */
#define SPILL_BITS 6      /* a rule's keys go to at most 2^6 temporary files */
#define SPILL_FILES (1 << SPILL_BITS)

struct run {
    struct ctx c;
    const struct dc_dedup_opts *o;
    struct rule_groups rg[NRULES];
    struct split_stat split[NRULES];
    struct dc_dedup_result *res;
    const struct dc_dedup_params *p;
    uint64_t *pattern; /* counts per pattern_index(): all pairs of each training
                             session, then (at NPATTERNS) each pair once */
    struct dc_dedup_pair *pairs;
    size_t npairs, cap_pairs;
    double keep_min, keep_w;
    struct scorer sc;
    unsigned long long candidates, cand_true, rule_new[NRULES];
    size_t maxgroup;             /* largest compared block */
    uint64_t sample_lim[NRULES]; /* COUNT pass: keep a pair when its hash <= this */
    double sample_frac[NRULES];  /* the share of the rule's pairs that passes */
    int streamed;                /* blocks built a rule at a time as the scans come */
    int only_rule;               /* the rule a scan walks, -1 = all */
    FILE *spill;                 /* streamed scoring pass: the kept pairs, in order */
    FILE *gcfile;                /* streamed training pass: every pair compared, its levels */
    uint8_t *keys;               /* n * KEY_COLS: every record's part of its block, per rule */
    struct gpair *gc[LINK_MAX_THREADS]; /* COUNT pass -> SCORE pass, per worker (scan) */
    size_t ngc[LINK_MAX_THREADS];
    int nthreads;      /* dc_dedup_opts.threads, resolved: 1..LINK_MAX_THREADS */
    int block_threads; /* rules blocked at once (--memory) */
    size_t block_cap;  /* keys each blocking thread sorts at once (--memory): 32 bytes each */
    size_t gc_lim;     /* pairs each worker may cache (pair_cache, GCACHE_MAX, --memory) */
    int gc_ok;
};

enum { SCAN_COUNT, SCAN_SCORE };

/*
 * Run fn over the n argument blocks at args (each size bytes): block 0 on
 * this thread, the others on threads of their own; a thread that cannot be
 * started has its block run here afterwards, so the work is the same either
 * way (only slower).
 */
/* fn on each of the n argument blocks (size bytes apart): block 0 on this
 * thread, the others on threads of their own while fewer than nthreads
 * run, the rest here after them; a thread that cannot start runs here. */
void link_fan_out(void *(*fn)(void *), void *args, size_t size, int n, int nthreads);
/* opts.threads resolved (util/threads.h): 0 = the machine's, capped at
 * LINK_MAX_THREADS. */
int link_threads(int requested);
/* opts.memory resolved: 0 = DEFAULT_MEMORY, or half the machine's physical
 * memory (sysconf) when that is less. */
size_t link_memory(size_t requested);
/* Key of record r under rule k; 0 = the record has no key for this rule. */
uint64_t link_rule_key(const struct ctx *c, int k, const struct rec *r);
/* Whether a and b have the same non-zero key under rule k, from the fields. */
int link_same_key(const struct ctx *c, int k, const struct rec *a, const struct rec *b);
/* The key fingerprints' table, then (unless streamed) the blocks of all
 * rules and each training rule's sample. */
int link_build_rules(struct run *R, struct dc_error *err);
/* After the scoring pass: the largest block and the notes on split blocks,
 * in rule order. */
int link_rule_notes(struct run *R, struct dc_error *err);
/* One pass over the blocks.  The COUNT pass leaves its workers' pair caches
 * in R->gc for the SCORE pass. */
int link_scan(struct run *R, int mode, struct dc_error *err);

/* The levels of a COUNT-pass pattern (block.c's pattern_index writes them:
 * 3+3+3+2+3 bits); read in EM's inner loop. */
static inline unsigned
pattern_level(uint32_t x, int k)
{
    static const int shift[DC_CMP_COUNT] = {0, 3, 6, 9, 11};
    static const unsigned mask[DC_CMP_COUNT] = {7, 7, 7, 3, 7};

    return (x >> shift[k]) & mask[k];
}

/* ---- estimation (train.c) ----------------------------------------------- */

void link_estimate_u(struct run *R, struct dc_dedup_params *p);
int link_estimate_m(struct run *R, struct dc_dedup_params *p, struct dc_error *err);
int link_tf_build(struct run *R, struct tf_table *t, int given, struct dc_error *err);

/* ---- clustering (cluster.c) --------------------------------------------- */

/* link_cluster sorts R->pairs by (a,b) (link_sort_pairs_ab) after taking
 * what it needs of the records, which it frees (R->c), then merges by
 * union-find in merge order. */
int link_sort_pairs_ab(struct run *R, struct dc_error *err);
int link_cluster(struct run *R, struct dc_error *err);
/* The streamed scoring pass's kept pairs, from R->spill into R->pairs. */
int link_pairs_back(struct run *R, struct dc_error *err);

/* ---- the run (run.c) ---------------------------------------------------- */

/* A note for the result (at most MAX_NOTES, then one saying more were left
 * out). */
int link_add_note(struct dc_dedup_result *res, struct dc_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
