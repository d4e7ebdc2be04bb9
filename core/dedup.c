/*
 * dedup.c - Fellegi-Sunter record linkage over struct dc_person, in memory.
 *
 * For: blocking (union of strict equi-join rules on 64-bit key hashes, each
 * block capped), comparison levels, u from seeded random pairs, m by EM over
 * the counts of distinct agreement patterns, term-frequency adjustment of the
 * name levels, union-find clustering with cannot-link checks, the text
 * waterfall and pairwise evaluation.
 * Not for: database I/O, normalisation, review files (cmd/dedup.c).
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
 *   arithmetic; the two scan passes and the u sample run on NTHREADS threads
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
 *   and Jaro-Winkler is run once; every record's nine rule keys are computed
 *   once into a table; Jaro-Winkler is skipped where a letter-count bound
 *   already puts a pair under the lowest cut (jw_level); blocking groups by
 *   hash with one counting pass (hash_sort); output and merge order come
 *   from radix sorts.  (Transparent huge pages for the big arrays were
 *   tried: less user time, more system time zeroing 2 MB pages, no gain.)
 */
#include "dedup.h"

#include "strsim.h"

#include <math.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#define MAX_NAME 256                 /* bytes per name part compared; longer are cut */
#define MAX_RECORDS 0xFFFFFFF0u      /* indexes are uint32_t */
#define DEFAULT_MAX_BLOCK 5000
#define U_SAMPLES 1000000ull         /* Splink 5 tutorial order of magnitude */
#define MIN_TRAIN_RECORDS 1000       /* below this EM has too little to go on */
#define MIN_TRAIN_PAIRS 100
#define EM_MAX_ITER 25               /* Splink default, research/dedup.md §B.4 */
#define EM_TOL 1e-4
#define PROB_FLOOR 1e-4              /* m, u >= 1e-4: a zero never moves (Splink #161) */
#define TF_MIN 1e-6                  /* research/dedup.md §B.5 point 3 */
#define DC_DEDUP_TF_MAX 20000
#define MAX_YEAR_SPREAD 10           /* cannot-link: one cluster spans at most this */
#define MAX_NOTES 64
#define MAX_KEPT_PAIRS 100000000ull /* 1.6 GB of pairs: beyond any review */
#define MAX_PARAMS_TEXT (64u << 20)
#define NRULES 9
#define PATTERN_BITS 13
#define NPATTERNS ((size_t)NRULES << PATTERN_BITS)
#define NTHREADS 2                   /* this machine has 2 cores (task brief) */
#define TRAIN_PAIRS 4000000ull       /* EM counts patterns on a seeded sample of this size */

static const int nlevels[DC_CMP_COUNT] = {8, 7, 5, 3, 4};
static const char *const cmp_names[DC_CMP_COUNT] = {"name", "dob", "id", "sex", "address"};
static const char *const level_names[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {
    {"null", "exact (NFC)", "exact folded", "surname variant (Hoang/Huynh, Vu/Vo)",
     "given equal, middle missing or Thi/Van dropped", "jaro-winkler >= 0.95",
     "jaro-winkler >= 0.88", "different"},
    {"null", "exact day", "day/month swapped", "same year and month", "year-only agreeing",
     "one digit apart", "different", ""},
    {"null", "equal", "one digit apart or leading-zero variant", "one missing", "different",
     "", "", ""},
    {"null", "agree", "disagree", "", "", "", "", ""},
    {"null", "same ward (old or new code)", "same province", "different", "", "", "", ""},
};

/*
 * Hand-set parameters for batches too small to train (fewer than
 * MIN_TRAIN_RECORDS records).  They are judgement, not estimates: m from the
 * corruption rates research/dedup.md §C.3 describes for FEBRL-style data, u
 * from rough Vietnamese frequencies (a birth date shared by chance ~1/29,000,
 * surname Nguyen ~38% §B.5, a few hundred wards per province).
 */
static const double default_m[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {
    {0, 0.80, 0.08, 0.02, 0.03, 0.04, 0.02, 0.01},
    {0, 0.85, 0.03, 0.03, 0.03, 0.04, 0.02},
    {0, 0.66, 0.02, 0.30, 0.02},
    {0, 0.98, 0.02},
    {0, 0.70, 0.20, 0.10},
};
static const double default_u[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {
    {0, 1e-4, 1e-4, 1e-4, 5e-4, 1e-3, 1e-2, 0.9883},
    {0, 1e-4, 1e-4, 1e-3, 0.0125, 5e-4, 0.9858},
    {0, 1e-4, 1e-4, 0.30, 0.6998},
    {0, 0.5, 0.5},
    {0, 0.01, 0.20, 0.79},
};
#define DEFAULT_PRIOR 1e-4

/* ---- phase timing (for --verbose; never changes a result) --------------- */

double
dc_dedup_clock(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *
dc_dedup_phase_name(int phase)
{
    static const char *const names[DC_DEDUP_NPHASES] = {
        "prepare records", "blocking", "training pairs", "u sample", "EM + TF",
        "scoring", "clustering"};

    return phase >= 0 && phase < DC_DEDUP_NPHASES ? names[phase] : "?";
}

/* ---- hashing ------------------------------------------------------------ */

static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static uint64_t
hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    h = mix64(h);
    return h ? h : 1;
}

static uint64_t
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
    size_t n, cap;     /* entries, id 0 = "" */
    uint32_t *slots;   /* open addressing, 0 = empty */
    size_t mask;
};

static void
intern_free(struct intern *t)
{
    free(t->pool);
    free(t->off);
    free(t->len);
    free(t->hash);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* expect: distinct strings to size for (0: start small and grow).  The
 * folded full names are looked up once a record and are about half as many
 * as the records (sized for three quarters): sized at the start, the table
 * does not rehash as it fills.  More strings than expected: it grows. */
#define INTERN_PRESIZE_MAX (1u << 24)

static int
intern_init(struct intern *t, size_t expect, struct dc_error *err)
{
    size_t slots = 128;

    memset(t, 0, sizeof *t);
    if (expect > INTERN_PRESIZE_MAX)
        expect = INTERN_PRESIZE_MAX;
    t->cap = expect > 64 ? expect : 64;
    while (slots <= 2 * t->cap) /* intern_get grows when n * 2 > mask */
        slots *= 2;
    t->off = malloc(t->cap * sizeof *t->off);
    t->len = malloc(t->cap * sizeof *t->len);
    t->hash = malloc(t->cap * sizeof *t->hash);
    t->mask = slots - 1;
    t->slots = calloc(slots, sizeof *t->slots);
    t->pcap = 1024;
    t->pool = malloc(t->pcap);
    if (!t->off || !t->len || !t->hash || !t->slots || !t->pool) {
        intern_free(t);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    t->off[0] = t->len[0] = 0; /* id 0 is "" */
    t->hash[0] = 0;
    t->n = 1;
    return 0;
}

static int
intern_grow_slots(struct intern *t, struct dc_error *err)
{
    size_t nm = t->mask * 2 + 1, i;
    uint32_t *ns = calloc(nm + 1, sizeof *ns);

    if (!ns)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 1; i < t->n; i++) {
        size_t s = t->hash[i] & nm;

        while (ns[s])
            s = (s + 1) & nm;
        ns[s] = (uint32_t)i;
    }
    free(t->slots);
    t->slots = ns;
    t->mask = nm;
    return 0;
}

static int
intern_get(struct intern *t, const char *s, size_t n, uint32_t *id, struct dc_error *err)
{
    uint64_t h;
    size_t slot;

    if (n == 0) {
        *id = 0;
        return 0;
    }
    h = hash_bytes(s, n);
    for (slot = h & t->mask; t->slots[slot]; slot = (slot + 1) & t->mask) {
        uint32_t e = t->slots[slot];

        if (t->hash[e] == h && t->len[e] == n && memcmp(t->pool + t->off[e], s, n) == 0) {
            *id = e;
            return 0;
        }
    }
    if (t->n >= 0xFFFFFFF0u || t->plen + n > 0xFFFFFFF0u)
        return dc_error_set(err, DC_EX_DATAERR, "dedup: too many distinct strings");
    if (t->n == t->cap) {
        size_t nc = t->cap * 2;
        uint32_t *o = realloc(t->off, nc * sizeof *o), *l;
        uint64_t *hh;

        if (!o)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        t->off = o;
        l = realloc(t->len, nc * sizeof *l);
        if (!l)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        t->len = l;
        hh = realloc(t->hash, nc * sizeof *hh);
        if (!hh)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        t->hash = hh;
        t->cap = nc;
    }
    if (t->plen + n > t->pcap) {
        size_t nc = t->pcap;
        char *p;

        while (t->plen + n > nc)
            nc *= 2;
        p = realloc(t->pool, nc);
        if (!p)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        t->pool = p;
        t->pcap = nc;
    }
    memcpy(t->pool + t->plen, s, n);
    t->off[t->n] = (uint32_t)t->plen;
    t->len[t->n] = (uint32_t)n;
    t->hash[t->n] = h;
    t->plen += n;
    t->slots[slot] = (uint32_t)t->n;
    *id = (uint32_t)t->n++;
    if (t->n * 2 > t->mask)
        return intern_grow_slots(t, err);
    return 0;
}

/* ---- folding ------------------------------------------------------------ */

/* Lower case, marks removed (NFD then drop Mn), d-stroke to d, runs of white
 * space to one space, trimmed: the same key normalize stores as name_key
 * (research/dedup.md §B.1 fullname_fold). */
static int
fold(const UNormalizer2 *nfd, const char *s, size_t n, char *out, size_t cap, size_t *outlen,
     struct dc_error *err)
{
    UChar u[MAX_NAME], d[MAX_NAME * 8];
    int32_t ul = 0, dl, i = 0;
    UErrorCode st = U_ZERO_ERROR;
    size_t o = 0;
    int space = 0;

    if (n > MAX_NAME - 1) {
        n = MAX_NAME - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    u_strFromUTF8WithSub(u, MAX_NAME, &ul, s, (int32_t)n, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: utf-8 conversion: %s",
                            u_errorName(st));
    dl = unorm2_normalize(nfd, u, ul, d, MAX_NAME * 8, &st);
    if (U_FAILURE(st)) { /* cannot happen for names; compare unnormalized */
        memcpy(d, u, (size_t)ul * sizeof *u);
        dl = ul;
    }
    while (i < dl) {
        UChar32 c;

        U16_NEXT(d, i, dl, c);
        if (u_charType(c) == U_NON_SPACING_MARK)
            continue;
        if (c == 0x0110 || c == 0x0111)
            c = 'd';
        if (c < 0x20 || u_isUWhiteSpace(c)) {
            space = o > 0;
            continue;
        }
        c = u_tolower(c);
        if (o + 5 >= cap)
            break;
        if (space) {
            out[o++] = ' ';
            space = 0;
        }
        U8_APPEND_UNSAFE(out, o, c);
    }
    *outlen = o;
    return 0;
}

/* ---- per-record compact state ------------------------------------------ */

struct rec {
    uint64_t nfc;      /* hash of the NFC full name (parts joined), 0 = none */
    uint64_t fold;     /* hash of the folded full name */
    uint64_t id12;     /* BCD digits when idlen == 12 */
    uint64_t cmnd;     /* BCD digits when cmndlen > 0 */
    uint32_t fam, mid, mid2, giv, famcls; /* folded ids in names; mid2 = mid minus Thi/Van */
    uint32_t full;                        /* folded full name, id in fulls */
    uint32_t ward, nward, prov, nprov;    /* ids in codes */
    uint16_t year;
    uint8_t month, day, prec;
    char sex;
    uint8_t idlen, cmndlen;
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
    const UNormalizer2 *nfd;
    uint32_t id_thi, id_van;
    double prep_s; /* wall seconds in ctx_add */
    uint8_t (*hist)[32]; /* per fulls id: byte counts by (byte & 31), see jw_level */
};

static void
ctx_free(struct ctx *c)
{
    free(c->r);
    intern_free(&c->names);
    intern_free(&c->fulls);
    intern_free(&c->raw);
    intern_free(&c->codes);
    free(c->raw2fold);
    free(c->hist);
    memset(c, 0, sizeof *c);
}

static int
fold_id(struct ctx *c, const char *s, size_t n, uint32_t *id, struct dc_error *err)
{
    uint32_t rid;
    char buf[MAX_NAME * 4];
    size_t fl = 0;

    if (intern_get(&c->raw, s, n, &rid, err))
        return -1;
    if (rid < c->raw2fold_cap && c->raw2fold[rid] != UINT32_MAX) {
        *id = c->raw2fold[rid];
        return 0;
    }
    if (rid >= c->raw2fold_cap) {
        size_t nc = c->raw2fold_cap ? c->raw2fold_cap * 2 : 256, i;
        uint32_t *p;

        while (nc <= rid)
            nc *= 2;
        p = realloc(c->raw2fold, nc * sizeof *p);
        if (!p)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        for (i = c->raw2fold_cap; i < nc; i++)
            p[i] = UINT32_MAX;
        c->raw2fold = p;
        c->raw2fold_cap = nc;
    }
    if (fold(c->nfd, s, n, buf, sizeof buf, &fl, err))
        return -1;
    if (intern_get(&c->names, buf, fl, id, err))
        return -1;
    c->raw2fold[rid] = *id;
    return 0;
}

static const char *
name_str(const struct ctx *c, uint32_t id, size_t *len)
{
    *len = c->names.len[id];
    return c->names.pool + c->names.off[id];
}

/* "fam mid giv" folded, into buf (>= 3 * MAX_NAME * 4 + 3 bytes). */
static size_t
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

static size_t
trimlen(const char **s)
{
    const char *p = *s;
    size_t n;

    if (!p)
        return 0;
    while (*p == ' ')
        p++;
    n = strlen(p);
    while (n && p[n - 1] == ' ')
        n--;
    *s = p;
    return n;
}

static int
digits_value(const char *s, uint64_t *v, uint8_t *len)
{
    size_t n = trimlen(&s), i;
    uint64_t x = 0;

    *v = 0;
    *len = 0;
    if (n == 0 || n > 12)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        x = x << 4 | (uint64_t)(s[i] - '0'); /* BCD: digit compares are nibble ops */
    }
    *v = x;
    *len = (uint8_t)n;
    return 1;
}

static int
num(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static void
parse_dob(const struct dc_person *p, struct rec *r)
{
    const char *s = p->dob;
    size_t n = s ? strlen(s) : 0;
    int y, m = 0, d = 0;

    r->prec = 0;
    if (!s || p->dob_precision < DC_DATE_YEAR || p->dob_precision > DC_DATE_DAY || n < 4)
        return;
    y = num(s, 4);
    if (y <= 0)
        return;
    if (p->dob_precision >= DC_DATE_MONTH) {
        if (n < 7 || s[4] != '-' || (m = num(s + 5, 2)) < 1 || m > 12)
            return;
    }
    if (p->dob_precision == DC_DATE_DAY) {
        if (n < 10 || s[7] != '-' || (d = num(s + 8, 2)) < 1 || d > 31)
            return;
    }
    r->year = (uint16_t)y;
    r->month = (uint8_t)m;
    r->day = (uint8_t)d;
    r->prec = (uint8_t)p->dob_precision;
}

/* Name parts: the separate columns when normalize filled them, else the
 * full name split at spaces (first token family, last given). */
static int
prep_names(struct ctx *c, const struct dc_person *p, struct rec *r, struct dc_error *err)
{
    const char *fs = p->family_name, *ms = p->middle_name, *gs = p->given_name;
    size_t fl = trimlen(&fs), ml = trimlen(&ms), gl = trimlen(&gs);
    char nfc[MAX_NAME * 3 + 3], fbuf[MAX_NAME * 12 + 3];
    size_t o = 0, jl;

    if (fl == 0 && gl == 0) {
        const char *s = p->full_name, *last;
        size_t n = trimlen(&s);

        if (n == 0)
            return 0;
        last = s + n;
        while (last > s && last[-1] != ' ')
            last--;
        gs = last;
        gl = (size_t)(s + n - last);
        if (gs > s) { /* two words or more: first is the family name */
            fs = s;
            for (fl = 0; s[fl] != ' '; fl++)
                ;
            ms = s + fl;
            ml = (size_t)(gs - ms);
            while (ml && *ms == ' ') {
                ms++;
                ml--;
            }
            while (ml && ms[ml - 1] == ' ')
                ml--;
        }
    }
    if (fl > MAX_NAME)
        fl = MAX_NAME;
    if (ml > MAX_NAME)
        ml = MAX_NAME;
    if (gl > MAX_NAME)
        gl = MAX_NAME;
    if (fold_id(c, fs, fl, &r->fam, err) || fold_id(c, ms, ml, &r->mid, err) ||
        fold_id(c, gs, gl, &r->giv, err))
        return -1;
    if (fl) {
        memcpy(nfc, fs, fl);
        o = fl;
    }
    if (ml) {
        if (o)
            nfc[o++] = ' ';
        memcpy(nfc + o, ms, ml);
        o += ml;
    }
    if (gl) {
        if (o)
            nfc[o++] = ' ';
        memcpy(nfc + o, gs, gl);
        o += gl;
    }
    r->nfc = o ? hash_bytes(nfc, o) : 0;
    jl = joined(c, r, fbuf);
    if (intern_get(&c->fulls, fbuf, jl, &r->full, err))
        return -1;
    r->fold = jl ? c->fulls.hash[r->full] : 0;

    /* Surname classes: Hoàng≡Huỳnh, Vũ≡Võ (research/dedup.md §B.1 ho_class). */
    r->famcls = r->fam;
    if (r->fam) {
        size_t l;
        const char *s = name_str(c, r->fam, &l);

        if ((l == 5 && memcmp(s, "huynh", 5) == 0) || (l == 2 && memcmp(s, "vo", 2) == 0)) {
            if (intern_get(&c->names, l == 5 ? "hoang" : "vu", l == 5 ? 5 : 2, &r->famcls, err))
                return -1;
        }
    }
    /* Middle name without the gender word Thị/Văn, often dropped (§B.1). */
    r->mid2 = r->mid;
    if (r->mid) {
        size_t l;
        const char *s = name_str(c, r->mid, &l);

        if (l >= 3 && (memcmp(s, "thi", 3) == 0 || memcmp(s, "van", 3) == 0) &&
            (l == 3 || s[3] == ' ')) {
            char tmp[MAX_NAME * 4];
            size_t tl = l > 4 ? l - 4 : 0;

            memcpy(tmp, s + (l > 4 ? 4 : l), tl);
            if (intern_get(&c->names, tmp, tl, &r->mid2, err))
                return -1;
        }
    }
    return 0;
}

static int
code_id(struct ctx *c, const char *s, uint32_t *id, struct dc_error *err)
{
    size_t n = trimlen(&s);

    if (n > 32)
        n = 32;
    return intern_get(&c->codes, s ? s : "", n, id, err);
}

struct ctx_half {
    struct ctx *c;
    const struct dc_person *recs;
    size_t n; /* recs[0..n) fill c->r[c->n ..] */
    int rc;
    struct dc_error err;
};

static void *
ctx_other_half(void *arg)
{
    struct ctx_half *h = arg;
    struct ctx *c = h->c;
    size_t i;

    for (i = 0; i < h->n; i++) {
        const struct dc_person *p = &h->recs[i];
        struct rec *r = &c->r[c->n + i];
        uint64_t v;
        uint8_t l;

        parse_dob(p, r);
        r->sex = (p->sex == 'M' || p->sex == 'F') ? p->sex : 0;
        if (digits_value(p->id12, &v, &l) && l == 12) {
            r->id12 = v;
            r->idlen = 12;
        }
        if (digits_value(p->cmnd, &v, &l) && l >= 8) {
            r->cmnd = v;
            r->cmndlen = l;
        }
        if (code_id(c, p->ward_code, &r->ward, &h->err) ||
            code_id(c, p->new_ward_code, &r->nward, &h->err) ||
            code_id(c, p->province_code, &r->prov, &h->err) ||
            code_id(c, p->new_province_code, &r->nprov, &h->err)) {
            h->rc = -1;
            break;
        }
    }
    return NULL;
}

static int
ctx_init(struct ctx *c, size_t cap, struct dc_error *err)
{
    UErrorCode st = U_ZERO_ERROR;

    memset(c, 0, sizeof *c);
    c->nfd = unorm2_getNFDInstance(&st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: icu nfd: %s", u_errorName(st));
    if (intern_init(&c->names, 0, err))
        return -1;
    if (intern_init(&c->raw, 0, err) || intern_init(&c->codes, 0, err) ||
        intern_init(&c->fulls, cap - cap / 4, err)) {
        ctx_free(c);
        return -1;
    }
    c->cap = cap ? cap : 1;
    c->r = malloc(c->cap * sizeof *c->r);
    if (!c->r) {
        ctx_free(c);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    return 0;
}

/* Appends recs[0..n) to c.  On failure c is unchanged in size but must
 * still be freed. */
static int
ctx_add(struct ctx *c, const struct dc_person *recs, size_t n, struct dc_error *err)
{
    size_t i;
    double t0;

    if (n == 0)
        return 0;
    if (!recs)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no records array");
    if (n > MAX_RECORDS - c->n)
        return dc_error_set(err, DC_EX_DATAERR, "dedup: too many records (%zu)", c->n + n);
    if (c->n + n > c->cap) {
        size_t nc = c->cap * 2;
        struct rec *r;

        if (nc < c->n + n)
            nc = c->n + n;
        r = realloc(c->r, nc * sizeof *r);
        if (!r)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        c->r = r;
        c->cap = nc;
    }
    memset(c->r + c->n, 0, n * sizeof *c->r);
    t0 = dc_dedup_clock();
    {
        /* Names (three intern tables and ICU) on this thread, the rest (the
         * codes table) on another: each table is filled in record order by
         * one thread, so the ids are the same as a serial build, and the
         * same whether the records come in one call or in batches. */
        struct ctx_half h = {c, recs, n, 0, DC_ERROR_INIT};
        pthread_t th;
        int started = pthread_create(&th, NULL, ctx_other_half, &h) == 0;

        for (i = 0; i < n; i++)
            if (prep_names(c, &recs[i], &c->r[c->n + i], err))
                break;
        if (started)
            pthread_join(th, NULL);
        else
            ctx_other_half(&h);
        if (i < n)
            return -1;
        if (h.rc)
            return dc_error_set(err, h.err.status, "%s", h.err.msg);
    }
    c->prep_s += dc_dedup_clock() - t0;
    c->n += n;
    return 0;
}

/* The NFC-part table only speeds up folding while records come in. */
static void
ctx_seal(struct ctx *c)
{
    intern_free(&c->raw);
    free(c->raw2fold);
    c->raw2fold = NULL;
    c->raw2fold_cap = 0;
}

static int
ctx_build(struct ctx *c, const struct dc_person *recs, size_t n, struct dc_error *err)
{
    if (ctx_init(c, n, err))
        return -1;
    if (ctx_add(c, recs, n, err)) {
        ctx_free(c);
        return -1;
    }
    return 0;
}

/* ---- comparisons -------------------------------------------------------- */

/* Byte histograms of the folded full names (the bytes Jaro-Winkler reads, at
 * most DC_STRSIM_MAXLEN, so a count fits a byte), buckets by byte & 31:
 * letters each their own, two bytes sharing a bucket only loosen the bound
 * jw_level draws from them.  About 32 bytes a distinct name. */
static int
ctx_hist(struct ctx *c, struct dc_error *err)
{
    size_t i, j;

    c->hist = calloc(c->fulls.n ? c->fulls.n : 1, sizeof *c->hist);
    if (!c->hist)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 1; i < c->fulls.n; i++) {
        const unsigned char *s = (const unsigned char *)c->fulls.pool + c->fulls.off[i];
        size_t n = c->fulls.len[i] < DC_STRSIM_MAXLEN ? c->fulls.len[i] : DC_STRSIM_MAXLEN;

        for (j = 0; j < n; j++)
            c->hist[i][s[j] & 31]++;
    }
    return 0;
}

/* Level 5, 6 or 7 of two folded full names (ids in fulls, both non-empty).
 * Most pairs that get here (all random pairs of the u sample) are far apart,
 * and a bound settles them without the quadratic Jaro matching: Jaro's
 * matched characters m are at most the characters the two byte multisets
 * share (c), the transposition term is at most 1, so
 *   jaro <= (c/na + c/nb + 1) / 3,
 * and Jaro-Winkler grows with jaro at a fixed prefix length.  Below the
 * 0.88 cut by more than rounding can explain, the level is 7 and exactly
 * what dc_strsim_jaro_winkler would have given. */
static unsigned
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

static unsigned
cmp_name(const struct ctx *c, const struct rec *a, const struct rec *b)
{
    double jw;

    if (!a->fold || !b->fold)
        return 0;
    if (a->nfc == b->nfc)
        return 1;
    if (a->fold == b->fold)
        return 2;
    if (a->famcls && a->famcls == b->famcls && a->fam != b->fam && a->mid == b->mid &&
        a->giv == b->giv)
        return 3;
    if (a->giv && a->giv == b->giv && a->famcls == b->famcls &&
        (!a->mid || !b->mid || a->mid2 == b->mid2))
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
static int
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

static uint64_t
bcd2(unsigned v)
{
    return (uint64_t)((v / 10) << 4 | v % 10);
}

static uint64_t
dob_value(const struct rec *r, int prec)
{
    uint64_t y = bcd2(r->year / 100u) << 8 | bcd2(r->year % 100u);

    if (prec >= DC_DATE_DAY)
        return y << 16 | bcd2(r->month) << 8 | bcd2(r->day);
    if (prec == DC_DATE_MONTH)
        return y << 8 | bcd2(r->month);
    return y;
}

static unsigned
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

static unsigned
cmp_id(const struct rec *a, const struct rec *b)
{
    int ha = a->idlen || a->cmndlen, hb = b->idlen || b->cmndlen;

    if (a->idlen && b->idlen) {
        if (a->id12 == b->id12)
            return 1;
        return one_digit_apart(a->id12, b->id12) ? 2 : 4;
    }
    if (a->cmndlen && b->cmndlen) {
        if (a->cmnd == b->cmnd)
            return a->cmndlen == b->cmndlen ? 1 : 2; /* leading zero lost */
        return a->cmndlen == b->cmndlen && one_digit_apart(a->cmnd, b->cmnd) ? 2
                                                                                       : 4;
    }
    /* 12-digit CMND issued 2012-2015 is the personal number itself. */
    if ((a->idlen && b->cmndlen == 12 && a->id12 == b->cmnd) ||
        (b->idlen && a->cmndlen == 12 && b->id12 == a->cmnd))
        return 1;
    if (ha && hb)
        return 0;
    return (ha || hb) ? 3 : 0;
}

static unsigned
cmp_addr(const struct rec *a, const struct rec *b)
{
    int comparable = (a->ward && b->ward) || (a->nward && b->nward) || (a->prov && b->prov) ||
                     (a->nprov && b->nprov);

    if (!comparable)
        return 0;
    if ((a->ward && a->ward == b->ward) || (a->nward && a->nward == b->nward))
        return 1;
    if ((a->prov && a->prov == b->prov) || (a->nprov && a->nprov == b->nprov))
        return 2;
    return 3;
}

static uint32_t
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

static void
tf_free(struct tf_table *t)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        free(t->e[i].s);
    free(t->e);
    memset(t, 0, sizeof *t);
}

void
dc_dedup_params_free(struct dc_dedup_params *p)
{
    if (!p)
        return;
    tf_free(&p->tf_full);
    tf_free(&p->tf_given);
    free(p);
}

int
dc_dedup_params_default(struct dc_dedup_params **out, struct dc_error *err)
{
    struct dc_dedup_params *p = calloc(1, sizeof *p);

    *out = NULL;
    if (!p)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    memcpy(p->m, default_m, sizeof p->m);
    memcpy(p->u, default_u, sizeof p->u);
    p->prior = DEFAULT_PRIOR;
    *out = p;
    return 0;
}

static int
tf_cmp(const void *x, const void *y)
{
    const struct tf_entry *a = x, *b = y;

    return a->h < b->h ? -1 : a->h > b->h;
}

/* Frequency of a folded value (by hash), or the table's cut, or 0. */
static double
tf_lookup(const struct tf_table *t, uint64_t h)
{
    size_t lo = 0, hi = t->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->e[mid].h == h)
            return t->e[mid].freq;
        if (t->e[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return t->cut;
}

static double
logit2(double p)
{
    return log2(p / (1.0 - p));
}

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

static void
scorer_free(struct scorer *s)
{
    free(s->tff);
    free(s->tfg);
    memset(s, 0, sizeof *s);
}

static int
scorer_init(struct scorer *s, const struct dc_dedup_params *p, const struct ctx *c,
            struct dc_error *err)
{
    int k, l;
    size_t i;

    memset(s, 0, sizeof *s);
    s->prior_w = logit2(p->prior);
    for (k = 0; k < DC_CMP_COUNT; k++)
        for (l = 1; l < nlevels[k]; l++)
            s->w[k][l] = log2(p->m[k][l] / p->u[k][l]);
    for (l = 1; l < nlevels[DC_CMP_NAME]; l++)
        s->u_name[l] = p->u[DC_CMP_NAME][l];
    if (p->tf_full.cut > 0) {
        s->tff = malloc(c->fulls.n * sizeof *s->tff);
        if (!s->tff)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        s->tff[0] = 0;
        for (i = 1; i < c->fulls.n; i++)
            s->tff[i] = tf_lookup(&p->tf_full, c->fulls.hash[i]);
    }
    if (p->tf_given.cut > 0) {
        s->tfg = malloc(c->names.n * sizeof *s->tfg);
        if (!s->tfg) {
            scorer_free(s);
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        }
        s->tfg[0] = 0;
        for (i = 1; i < c->names.n; i++)
            s->tfg[i] = tf_lookup(&p->tf_given, c->names.hash[i]);
    }
    return 0;
}

/* TF adjustment in bits for a name level (research/dedup.md §B.5): the
 * exact-ish levels use the folded full name, the middle-dropped level the
 * given name; the commoner of the two values counts, floored at TF_MIN. */
static double
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
static double
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

static double
prob_of(double w)
{
    return 1.0 / (1.0 + exp2(-w));
}

/* ---- text form ---------------------------------------------------------- */

struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
};

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (b->oom)
        return;
    for (;;) {
        size_t room = b->cap - b->n;

        va_start(ap, fmt);
        k = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        {
            size_t nc = b->cap ? b->cap * 2 : 1024;
            char *p;

            while (nc - b->n <= (size_t)k)
                nc *= 2;
            p = realloc(b->s, nc);
            if (!p) {
                b->oom = 1;
                return;
            }
            b->s = p;
            b->cap = nc;
        }
    }
}

int
dc_dedup_params_to_text(const struct dc_dedup_params *p, char **out, struct dc_error *err)
{
    struct sbuf b = {0};
    int k, l;
    size_t i;

    *out = NULL;
    sb_printf(&b, "dancu-dedup-params 1\n");
    sb_printf(&b, "prior %.17g\n", p->prior);
    sb_printf(&b, "trained %d\nseed %llu\ntrained_records %llu\nu_samples %llu\n", p->trained,
              p->seed, p->trained_records, p->u_samples);
    sb_printf(&b, "em_iterations %d\nem_converged %d\n", p->em_iterations, p->em_converged);
    for (k = 0; k < DC_CMP_COUNT; k++)
        for (l = 1; l < nlevels[k]; l++)
            sb_printf(&b, "level %s %d m %.17g u %.17g\n", cmp_names[k], l, p->m[k][l],
                      p->u[k][l]);
    sb_printf(&b, "tf_cut full %.17g\ntf_cut given %.17g\n", p->tf_full.cut, p->tf_given.cut);
    for (i = 0; i < p->tf_full.n; i++)
        sb_printf(&b, "tf full %.17g %s\n", p->tf_full.e[i].freq, p->tf_full.e[i].s);
    for (i = 0; i < p->tf_given.n; i++)
        sb_printf(&b, "tf given %.17g %s\n", p->tf_given.e[i].freq, p->tf_given.e[i].s);
    sb_printf(&b, "end\n");
    if (b.oom) {
        free(b.s);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    *out = b.s;
    return 0;
}

static int
tok(const char **p, const char *end, const char **t, size_t *tl)
{
    const char *s = *p;

    while (s < end && *s == ' ')
        s++;
    *t = s;
    while (s < end && *s != ' ')
        s++;
    *tl = (size_t)(s - *t);
    *p = s;
    return *tl > 0;
}

static int
tok_is(const char *t, size_t tl, const char *w)
{
    return tl == strlen(w) && memcmp(t, w, tl) == 0;
}

static int
tok_double(const char *t, size_t tl, double *v)
{
    char buf[64], *e;

    if (tl == 0 || tl >= sizeof buf)
        return 0;
    memcpy(buf, t, tl);
    buf[tl] = '\0';
    *v = strtod(buf, &e);
    return *e == '\0' && isfinite(*v);
}

static int
tok_ull(const char *t, size_t tl, unsigned long long *v)
{
    char buf[32], *e;

    if (tl == 0 || tl >= sizeof buf || t[0] == '-')
        return 0;
    memcpy(buf, t, tl);
    buf[tl] = '\0';
    *v = strtoull(buf, &e, 10);
    return *e == '\0';
}

static int
tf_add(struct tf_table *t, size_t *cap, double freq, const char *s, size_t n)
{
    if (t->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        struct tf_entry *e = realloc(t->e, nc * sizeof *e);

        if (!e)
            return -1;
        t->e = e;
        *cap = nc;
    }
    t->e[t->n].s = malloc(n + 1);
    if (!t->e[t->n].s)
        return -1;
    memcpy(t->e[t->n].s, s, n);
    t->e[t->n].s[n] = '\0';
    t->e[t->n].h = hash_bytes(s, n);
    t->e[t->n].freq = freq;
    t->n++;
    return 0;
}

int
dc_dedup_params_from_text(const char *text, struct dc_dedup_params **out, struct dc_error *err)
{
    struct dc_dedup_params *p;
    const char *s = text, *end;
    size_t tlen, capf = 0, capg = 0, lineno = 0;
    int seen_end = 0, seen_head = 0;
    unsigned char seen[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {{0}};

    *out = NULL;
    if (!text)
        return dc_error_set(err, DC_EX_DATAERR, "dedup params: no text");
    tlen = strnlen(text, MAX_PARAMS_TEXT + 1);
    if (tlen > MAX_PARAMS_TEXT)
        return dc_error_set(err, DC_EX_DATAERR, "dedup params: text over %u bytes",
                            MAX_PARAMS_TEXT);
    p = calloc(1, sizeof *p);
    if (!p)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    end = text + tlen;
    while (s < end && !seen_end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end;
        const char *q = s, *t;
        size_t tl;

        lineno++;
        s = nl ? nl + 1 : end;
        if (!tok(&q, le, &t, &tl))
            continue;
        if (!seen_head) {
            const char *v;
            size_t vl;

            if (!tok_is(t, tl, "dancu-dedup-params") || !tok(&q, le, &v, &vl) ||
                !tok_is(v, vl, "1"))
                goto bad;
            seen_head = 1;
        } else if (tok_is(t, tl, "end")) {
            seen_end = 1;
        } else if (tok_is(t, tl, "prior")) {
            if (!tok(&q, le, &t, &tl) || !tok_double(t, tl, &p->prior) || !(p->prior > 0) ||
                !(p->prior < 1))
                goto bad;
        } else if (tok_is(t, tl, "level")) {
            const char *c, *l;
            size_t cl, ll;
            int k, lev = -1;
            double m, u;

            if (!tok(&q, le, &c, &cl) || !tok(&q, le, &l, &ll))
                goto bad;
            for (k = 0; k < DC_CMP_COUNT; k++)
                if (tok_is(c, cl, cmp_names[k]))
                    break;
            if (k == DC_CMP_COUNT || ll != 1 || l[0] < '1' || l[0] > '7')
                goto bad;
            lev = l[0] - '0';
            if (lev >= nlevels[k])
                goto bad;
            if (!tok(&q, le, &t, &tl) || !tok_is(t, tl, "m") || !tok(&q, le, &t, &tl) ||
                !tok_double(t, tl, &m) || !tok(&q, le, &t, &tl) || !tok_is(t, tl, "u") ||
                !tok(&q, le, &t, &tl) || !tok_double(t, tl, &u))
                goto bad;
            if (!(m > 0 && m <= 1 && u > 0 && u <= 1))
                goto bad;
            p->m[k][lev] = m;
            p->u[k][lev] = u;
            seen[k][lev] = 1;
        } else if (tok_is(t, tl, "tf_cut")) {
            const char *w;
            size_t wl;
            double v;

            if (!tok(&q, le, &w, &wl) || !tok(&q, le, &t, &tl) || !tok_double(t, tl, &v) ||
                v < 0 || v > 1)
                goto bad;
            if (tok_is(w, wl, "full"))
                p->tf_full.cut = v;
            else if (tok_is(w, wl, "given"))
                p->tf_given.cut = v;
            else
                goto bad;
        } else if (tok_is(t, tl, "tf")) {
            const char *w;
            size_t wl, vl;
            double v;
            struct tf_table *tab;

            if (!tok(&q, le, &w, &wl) || !tok(&q, le, &t, &tl) || !tok_double(t, tl, &v) ||
                !(v > 0 && v <= 1))
                goto bad;
            tab = tok_is(w, wl, "full") ? &p->tf_full : tok_is(w, wl, "given") ? &p->tf_given
                                                                               : NULL;
            while (q < le && *q == ' ')
                q++;
            vl = (size_t)(le - q);
            if (!tab || vl == 0 || vl > MAX_NAME * 3 ||
                tab->n >= DC_DEDUP_TF_MAX)
                goto bad;
            if (tf_add(tab, tab == &p->tf_full ? &capf : &capg, v, q, vl)) {
                dc_dedup_params_free(p);
                return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            }
        } else if (tok_is(t, tl, "trained") || tok_is(t, tl, "seed") ||
                   tok_is(t, tl, "trained_records") || tok_is(t, tl, "u_samples") ||
                   tok_is(t, tl, "em_iterations") || tok_is(t, tl, "em_converged")) {
            const char *key = t;
            size_t kl = tl;
            unsigned long long v;

            if (!tok(&q, le, &t, &tl) || !tok_ull(t, tl, &v))
                goto bad;
            if (tok_is(key, kl, "trained"))
                p->trained = v != 0;
            else if (tok_is(key, kl, "seed"))
                p->seed = v;
            else if (tok_is(key, kl, "trained_records"))
                p->trained_records = v;
            else if (tok_is(key, kl, "u_samples"))
                p->u_samples = v;
            else if (tok_is(key, kl, "em_iterations"))
                p->em_iterations = v > 1000000 ? 1000000 : (int)v;
            else
                p->em_converged = v != 0;
        } else {
            goto bad;
        }
    }
    if (!seen_head || !seen_end || !(p->prior > 0))
        goto bad_noline;
    {
        int k, l;

        for (k = 0; k < DC_CMP_COUNT; k++)
            for (l = 1; l < nlevels[k]; l++)
                if (!seen[k][l]) {
                    dc_dedup_params_free(p);
                    return dc_error_set(err, DC_EX_DATAERR,
                                        "dedup params: level %s %d missing", cmp_names[k], l);
                }
    }
    if (p->tf_full.n > 1)
        qsort(p->tf_full.e, p->tf_full.n, sizeof *p->tf_full.e, tf_cmp);
    if (p->tf_given.n > 1)
        qsort(p->tf_given.e, p->tf_given.n, sizeof *p->tf_given.e, tf_cmp);
    *out = p;
    return 0;
bad:
    dc_dedup_params_free(p);
    return dc_error_set(err, DC_EX_DATAERR, "dedup params: line %zu: not understood", lineno);
bad_noline:
    dc_dedup_params_free(p);
    return dc_error_set(err, DC_EX_DATAERR, "dedup params: header, prior or end missing");
}

static int
params_copy(const struct dc_dedup_params *src, struct dc_dedup_params **out,
            struct dc_error *err)
{
    char *t;
    int rc;

    if (dc_dedup_params_to_text(src, &t, err))
        return -1;
    rc = dc_dedup_params_from_text(t, out, err);
    free(t);
    return rc;
}

/* ---- blocking ----------------------------------------------------------- */

static const char *const rule_names[NRULES] = {
    "id12", "given name + birth date", "surname class + middle + given + birth year",
    "surname class + given + ward", "surname class + given + new ward",
    "id prefix + surname class + given", "cmnd", "surname class + middle + birth date",
    "birth date + ward",
};

/* Key of record r under rule k; 0 = the record has no key for this rule.
 * Never the surname alone (research/dedup.md §B.2: Nguyen is ~38%). */
static uint64_t
rule_key(int k, const struct rec *r)
{
    uint64_t h = (uint64_t)k + 1;

    switch (k) {
    case 0:
        return r->idlen ? combine(h, r->id12) : 0;
    case 1:
        if (!r->giv || r->prec != DC_DATE_DAY)
            return 0;
        h = combine(h, r->giv);
        return combine(h, (uint64_t)r->year * 10000u + r->month * 100u + r->day);
    case 2:
        if (!r->giv || !r->prec)
            return 0;
        h = combine(combine(h, r->famcls), r->mid2);
        return combine(combine(h, r->giv), r->year);
    case 3:
    case 4: {
        uint32_t w = k == 3 ? r->ward : r->nward;

        if (!r->giv || !w)
            return 0;
        return combine(combine(combine(h, r->famcls), r->giv), w);
    }
    case 5:
        if (!r->idlen || !r->giv)
            return 0;
        h = combine(h, r->id12 >> 24 /* first 6 BCD digits */);
        return combine(combine(h, r->famcls), r->giv);
    case 6:
        /* Value only: "012345678" and "12345678" (leading zero lost) meet. */
        return r->cmndlen ? combine(h, r->cmnd) : 0;
    case 7:
        /* The two rules without the given name catch a typo in it
         * (research/dedup.md §B.2 rule 7). */
        if (r->prec != DC_DATE_DAY || !r->famcls)
            return 0;
        h = combine(combine(h, r->famcls), r->mid);
        return combine(h, (uint64_t)r->year * 10000u + r->month * 100u + r->day);
    case 8:
        if (r->prec != DC_DATE_DAY || !(r->ward || r->nward))
            return 0;
        h = combine(h, r->ward ? r->ward : r->nward + 0x80000000u);
        return combine(h, (uint64_t)r->year * 10000u + r->month * 100u + r->day);
    }
    return 0;
}

/* Comparisons each blocking rule's key is built from: within a rule's
 * pairs those comparisons agree by construction, so they say nothing about
 * m there (Splink trains m in sessions that leave the blocked columns out,
 * research/dedup.md §B.4 point 3). */
static const unsigned rule_mask[NRULES] = {
    1u << DC_CMP_ID,
    1u << DC_CMP_NAME | 1u << DC_CMP_DOB | 1u << DC_CMP_SEX, /* a given name tells the sex */
    1u << DC_CMP_NAME | 1u << DC_CMP_DOB,
    1u << DC_CMP_NAME | 1u << DC_CMP_ADDR,
    1u << DC_CMP_NAME | 1u << DC_CMP_ADDR,
    1u << DC_CMP_ID | 1u << DC_CMP_NAME | 1u << DC_CMP_DOB,
    1u << DC_CMP_ID,
    1u << DC_CMP_NAME | 1u << DC_CMP_DOB | 1u << DC_CMP_SEX, /* Văn/Thị tell the sex */
    1u << DC_CMP_DOB | 1u << DC_CMP_ADDR,
};

/* Rules whose pairs train m.  Loose rules (a name and a year, a name and a
 * ward) hold millions of homonym pairs per true pair in a province; EM on
 * them drifts to "same name, different person" as the match class, the
 * imbalance Splink's advice on strict training rules is about.  The strict
 * rules left still leave every comparison unmasked in at least one rule. */
static const int train_rule[NRULES] = {1, 1, 0, 0, 0, 0, 1, 1, 1};

/* Pairs a rule compares inside one of its blocks.  The name + birth year
 * rule is there for dates that disagree in a way a typo or a swap explains,
 * or that one side knows only to the year; two full dates with nothing in
 * common are homonyms, and in a province they are most of that rule's
 * block (millions of pairs per million records), so they are left out. */
static int
rule_pair_ok(int k, const struct rec *a, const struct rec *b)
{
    if (k != 2 || a->prec != DC_DATE_DAY || b->prec != DC_DATE_DAY)
        return 1;
    return a->month == b->month || a->day == b->day ||
           (a->day == b->month && a->month == b->day);
}

struct ki {
    uint64_t k;
    uint32_t i;
};

/* Stable LSD radix sort on the 64-bit key: records keep index order within
 * a key, and no comparison-sort cost over a million keys. */
static int
ki_cmp(const void *x, const void *y)
{
    const struct ki *a = x, *b = y;

    if (a->k != b->k)
        return a->k < b->k ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int
radix_sort(struct ki *v, size_t n, struct dc_error *err)
{
    struct ki *tmp;
    size_t *cnt;
    int pass;

    if (n < 4096) { /* the 64K-entry counts would cost more than the sort */
        if (n > 1)
            qsort(v, n, sizeof *v, ki_cmp);
        return 0;
    }
    tmp = malloc(n * sizeof *tmp);
    cnt = malloc(65536 * sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    for (pass = 0; pass < 4; pass++) {
        int sh = 16 * pass;
        size_t i, sum = 0;
        struct ki *sw;

        memset(cnt, 0, 65536 * sizeof *cnt);
        for (i = 0; i < n; i++)
            cnt[(v[i].k >> sh) & 0xFFFF]++;
        for (i = 0; i < 65536; i++) {
            size_t c = cnt[i];

            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            tmp[cnt[(v[i].k >> sh) & 0xFFFF]++] = v[i];
        sw = v;
        v = tmp;
        tmp = sw;
    }
    /* four passes: the sorted data is back in the caller's array */
    free(tmp);
    free(cnt);
    return 0;
}

/* The same order as radix_sort for keys that are hashes (spread over all
 * 64 bits): one counting pass on the top 16 bits, then each bucket (a dozen
 * keys on average) sorted on its own, instead of four passes over all of
 * them.  Blocking sorts nine million keys per million records. */
static int
hash_sort(struct ki *v, size_t n, struct dc_error *err)
{
    struct ki *tmp;
    size_t *cnt, i, b, sum = 0;

    if (n < 4096)
        return radix_sort(v, n, err);
    tmp = malloc(n * sizeof *tmp);
    cnt = malloc(65536 * sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    memset(cnt, 0, 65536 * sizeof *cnt);
    for (i = 0; i < n; i++)
        cnt[v[i].k >> 48]++;
    for (b = 0; b < 65536; b++) {
        size_t c = cnt[b];

        cnt[b] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++) /* stable: index order kept within a bucket */
        tmp[cnt[v[i].k >> 48]++] = v[i];
    /* cnt[b] is now the end of bucket b, the start of bucket b + 1 */
    for (b = 0; b < 65536; b++) {
        size_t lo = b ? cnt[b - 1] : 0, hi = cnt[b];

        if (hi - lo > 32) {
            qsort(tmp + lo, hi - lo, sizeof *tmp, ki_cmp);
            continue;
        }
        for (i = lo + 1; i < hi; i++) { /* insertion sort on k: stable */
            struct ki x = tmp[i];
            size_t j = i;

            while (j > lo && tmp[j - 1].k > x.k) {
                tmp[j] = tmp[j - 1];
                j--;
            }
            tmp[j] = x;
        }
    }
    memcpy(v, tmp, n * sizeof *v);
    free(tmp);
    free(cnt);
    return 0;
}

struct rule_groups {
    size_t *capsize;  /* sizes of the capped blocks, for the notes */
    size_t maxgroup;
    unsigned long long upper; /* pairs in its compared blocks */
    uint32_t *mem;    /* members of compared blocks, block after block */
    uint32_t *start;  /* ngroups + 1 offsets into mem */
    size_t ngroups, nmem;
    uint64_t *capped; /* sorted keys of blocks over the cap */
    size_t ncapped;
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

struct run {
    struct ctx c;
    const struct dc_dedup_opts *o;
    struct rule_groups rg[NRULES];
    struct dc_dedup_result *res;
    const struct dc_dedup_params *p;
    uint64_t *pattern;    /* counts per pattern_index(): all pairs of each training
                             session, then (at NPATTERNS) each pair once */
    struct dc_dedup_pair *pairs;
    size_t npairs, cap_pairs;
    double keep_min, keep_w;
    struct scorer sc;
    unsigned long long candidates, cand_true, upper, rule_new[NRULES];
    size_t maxgroup;      /* largest compared block */
    uint64_t sample_lim;  /* COUNT pass: keep a pair when its hash <= this */
    double sample_frac;   /* the share of candidate pairs that passes */
    uint64_t *keys;       /* n * NRULES: every record's key under every rule */
    struct gpair *gc[NTHREADS]; /* COUNT pass -> SCORE pass, per worker (scan) */
    size_t ngc[NTHREADS];
    int gc_ok;
};

static int
add_note(struct dc_dedup_result *res, struct dc_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int
add_note(struct dc_dedup_result *res, struct dc_error *err, const char *fmt, ...)
{
    char buf[256], **nn;
    va_list ap;

    if (res->nnotes >= MAX_NOTES + 1)
        return 0;
    if (res->nnotes == MAX_NOTES) {
        fmt = "further notes left out";
    }
    va_start(ap, fmt);
    if (vsnprintf(buf, sizeof buf, fmt, ap) < 0)
        buf[0] = '\0';
    va_end(ap);
    nn = realloc(res->notes, (res->nnotes + 1) * sizeof *nn);
    if (!nn)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    res->notes = nn;
    nn[res->nnotes] = strdup(buf);
    if (!nn[res->nnotes])
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    res->nnotes++;
    return 0;
}

/* Blocks of rule k.  Writes only R->rg[k], so rules build in parallel. */
static int
build_rule(struct run *R, int k, struct ki *v, struct dc_error *err)
{
    struct rule_groups *g = &R->rg[k];
    size_t n = 0, i, j, cg = 0, cm = 0, cc = 0;

    for (i = 0; i < R->c.n; i++) {
        uint64_t key = R->keys[i * NRULES + (size_t)k];

        if (key) {
            v[n].k = key;
            v[n].i = (uint32_t)i;
            n++;
        }
    }
    if (hash_sort(v, n, err))
        return -1;
    /* Count first, then fill, so each rule's arrays are allocated once. */
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].k == v[i].k; j++)
            ;
        if (j - i < 2)
            continue;
        if (j - i > R->o->max_block) {
            cc++;
            continue;
        }
        cg++;
        cm += j - i;
        if (j - i > g->maxgroup)
            g->maxgroup = j - i;
        if (train_rule[k])
            g->upper += (unsigned long long)(j - i) * (j - i - 1) / 2;
    }
    g->mem = malloc((cm ? cm : 1) * sizeof *g->mem);
    g->start = malloc((cg + 1) * sizeof *g->start);
    g->capped = malloc((cc ? cc : 1) * sizeof *g->capped);
    g->capsize = malloc((cc ? cc : 1) * sizeof *g->capsize);
    if (!g->mem || !g->start || !g->capped || !g->capsize)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].k == v[i].k; j++)
            ;
        if (j - i < 2)
            continue;
        if (j - i > R->o->max_block) {
            g->capsize[g->ncapped] = j - i;
            g->capped[g->ncapped++] = v[i].k;
            continue;
        }
        g->start[g->ngroups++] = (uint32_t)g->nmem;
        while (i < j)
            g->mem[g->nmem++] = v[i++].i;
    }
    g->start[g->ngroups] = (uint32_t)g->nmem;
    /* v was sorted by key, so capped is sorted for bsearch. */
    return 0;
}

struct rule_worker {
    struct run *R;
    int tid, rc;
    struct dc_error err;
};

/*
 * Run fn over the n argument blocks at args (each size bytes): block 0 on
 * this thread, the others on threads of their own; a thread that cannot be
 * started has its block run here afterwards, so the work is the same either
 * way (only slower).
 */
static void
fan_out(void *(*fn)(void *), void *args, size_t size, int n)
{
    pthread_t th[NTHREADS];
    int started[NTHREADS] = {0}, t;

    for (t = 1; t < n && t < NTHREADS; t++)
        started[t] = pthread_create(&th[t], NULL, fn, (char *)args + (size_t)t * size) == 0;
    fn(args);
    for (t = 1; t < n && t < NTHREADS; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn((char *)args + (size_t)t * size);
    }
}

static void *
rule_worker(void *arg)
{
    struct rule_worker *w = arg;
    struct ki *v = malloc((w->R->c.n ? w->R->c.n : 1) * sizeof *v);
    int k;

    if (!v) {
        w->rc = dc_error_set(&w->err, DC_EX_OSERR, "dedup: out of memory");
        return NULL;
    }
    for (k = w->tid; k < NRULES && !w->rc; k += NTHREADS)
        w->rc = build_rule(w->R, k, v, &w->err);
    free(v);
    return NULL;
}

/* Every record's key under every rule, a record's keys side by side: the
 * scan asks, for each member of a block, for its keys under all earlier
 * rules, and computing them there (hashing each time, in both passes) was a
 * tenth of the run.  72 bytes a record; each thread takes a range. */
struct key_part {
    struct run *R;
    size_t lo, hi;
};

static void *
key_worker(void *arg)
{
    struct key_part *kp = arg;
    size_t i;
    int k;

    for (i = kp->lo; i < kp->hi; i++)
        for (k = 0; k < NRULES; k++)
            kp->R->keys[i * NRULES + (size_t)k] = rule_key(k, &kp->R->c.r[i]);
    return NULL;
}

static int
build_keys(struct run *R, struct dc_error *err)
{
    struct key_part kp[NTHREADS];
    int t;
    size_t n = R->c.n;

    R->keys = malloc((n ? n : 1) * NRULES * sizeof *R->keys);
    if (!R->keys)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (t = 0; t < NTHREADS; t++) {
        kp[t].R = R;
        kp[t].lo = n / NTHREADS * (size_t)t;
        kp[t].hi = t == NTHREADS - 1 ? n : n / NTHREADS * (size_t)(t + 1);
    }
    fan_out(key_worker, kp, sizeof kp[0], NTHREADS);
    return 0;
}

/* All rules, NTHREADS at a time; then the totals and notes in rule order. */
static int
build_rules(struct run *R, struct dc_error *err)
{
    struct rule_worker w[NTHREADS];
    int t, k;
    size_t i;

    if (build_keys(R, err))
        return -1;
    memset(w, 0, sizeof w);
    for (t = 0; t < NTHREADS; t++) {
        w[t].R = R;
        w[t].tid = t;
    }
    fan_out(rule_worker, w, sizeof w[0], NTHREADS);
    for (t = 0; t < NTHREADS; t++)
        if (w[t].rc)
            return dc_error_set(err, w[t].err.status, "%s", w[t].err.msg);
    for (k = 0; k < NRULES; k++) {
        const struct rule_groups *g = &R->rg[k];

        R->upper += g->upper;
        if (g->maxgroup > R->maxgroup)
            R->maxgroup = g->maxgroup;
        R->res->nblocks_capped += g->ncapped;
        for (i = 0; i < g->ncapped; i++)
            if (add_note(R->res, err,
                         "blocking rule '%s': a block of %zu records is over the cap of %zu; "
                         "its pairs are compared only through the other rules",
                         rule_names[k], g->capsize[i], R->o->max_block))
                return -1;
    }
    return 0;
}

static int
is_capped(const struct rule_groups *g, uint64_t key)
{
    size_t lo = 0, hi = g->ncapped;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (g->capped[mid] == key)
            return 1;
        if (g->capped[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Pattern index of a pair in the COUNT pass: its rule and its levels with
 * the rule's own comparisons masked, 3+3+3+2+2 bits. */
static uint32_t
pattern_index(int rule, uint32_t g)
{
    static const int shift[DC_CMP_COUNT] = {0, 3, 6, 9, 11};
    uint32_t x = (uint32_t)rule << PATTERN_BITS;
    int k;

    for (k = 0; k < DC_CMP_COUNT; k++)
        if (!(rule_mask[rule] & (1u << k)))
            x |= DC_DEDUP_LEVEL(g, k) << shift[k];
    return x;
}

static unsigned
pattern_level(uint32_t x, int k)
{
    static const int shift[DC_CMP_COUNT] = {0, 3, 6, 9, 11};
    static const unsigned mask[DC_CMP_COUNT] = {7, 7, 7, 3, 3};

    return (x >> shift[k]) & mask[k];
}

enum { SCAN_COUNT, SCAN_SCORE };

/* One of NTHREADS workers: it takes every NTHREADS-th block of each rule and
 * keeps its own counts and pairs; the merge sums counts and sorts pairs by
 * (a,b), so the result does not depend on thread timing.  Worker t walks the
 * same blocks in the same order in both passes, so its cache is exactly the
 * sequence its scoring walk would produce. */
struct worker {
    struct run *R;
    int tid, nthreads, mode, failed;
    struct dc_dedup_pair *pairs;
    size_t npairs, cap;
    uint64_t *pattern;
    unsigned long long candidates, cand_true, rule_new[NRULES];
    struct gpair *gc; /* COUNT: filled while caching; SCORE: read when given */
    size_t ngc, capgc;
    int caching, use_gc;
};

static int
push_pair(struct worker *w, uint32_t a, uint32_t b, double wt, double pr, uint32_t g)
{
    if (w->npairs >= MAX_KEPT_PAIRS / NTHREADS) {
        w->failed = 2;
        return -1;
    }
    if (w->npairs == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 1024;
        struct dc_dedup_pair *p = realloc(w->pairs, nc * sizeof *p);

        if (!p)
            return -1;
        w->pairs = p;
        w->cap = nc;
    }
    w->pairs[w->npairs].a = a;
    w->pairs[w->npairs].b = b;
    w->pairs[w->npairs].weight = (float)wt;
    w->pairs[w->npairs].prob = (float)pr;
    w->pairs[w->npairs].gamma = g;
    w->npairs++;
    return 0;
}

/* Remember a pair for the scoring pass; when the cache is full or memory
 * runs out it is given up (it only saves work). */
static void
cache_pair(struct worker *w, uint32_t a, uint32_t b, uint32_t g)
{
    if (w->ngc == w->capgc) {
        size_t nc = w->capgc ? w->capgc * 2 : 65536;
        size_t lim = w->R->o->pair_cache && w->R->o->pair_cache < GCACHE_MAX
                         ? w->R->o->pair_cache
                         : GCACHE_MAX;
        struct gpair *p;

        if (nc > lim && w->capgc < lim)
            nc = lim;
        p = nc > lim ? NULL : realloc(w->gc, nc * sizeof *p);

        if (!p) {
            free(w->gc);
            w->gc = NULL;
            w->ngc = w->capgc = 0;
            w->caching = 0;
            return;
        }
        w->gc = p;
        w->capgc = nc;
    }
    w->gc[w->ngc].a = a;
    w->gc[w->ngc].b = b;
    w->gc[w->ngc].g = g;
    w->ngc++;
}

/* The scoring pass's work on one new candidate pair.  -1: stop (failed). */
static int
score_pair(struct worker *w, int k, uint32_t a, uint32_t b, uint32_t gm)
{
    const struct run *R = w->R;
    double wt, pr;

    w->candidates++;
    w->rule_new[k]++;
    if (R->o->truth && R->o->truth[a] == R->o->truth[b])
        w->cand_true++;
    wt = pair_weight(&R->sc, &R->c.r[a], &R->c.r[b], gm);
    if (wt < R->keep_w) /* exp2 only for pairs near the band */
        return 0;
    pr = prob_of(wt);
    if (pr >= R->keep_min && push_pair(w, a, b, wt, pr, gm)) {
        if (!w->failed)
            w->failed = 1;
        return -1;
    }
    return 0;
}

static void *
scan_worker(void *arg)
{
    struct worker *w = arg;
    struct run *R = w->R;
    int k, j;

    if (w->mode == SCAN_SCORE && w->use_gc) {
        size_t i;

        for (i = 0; i < w->ngc; i++)
            if (score_pair(w, (int)(w->gc[i].g >> 24), w->gc[i].a, w->gc[i].b,
                           w->gc[i].g & 0xFFFFFFu))
                return NULL;
        return NULL;
    }
    for (k = 0; k < NRULES; k++) {
        const struct rule_groups *g = &R->rg[k];
        size_t gi;

        if (w->mode == SCAN_COUNT && !train_rule[k] && !w->caching)
            continue;
        for (gi = (size_t)w->tid; gi < g->ngroups; gi += (size_t)w->nthreads) {
            uint32_t s = g->start[gi], e = g->start[gi + 1], x, y;

            /* Members are scattered records: ask for all of them at once so
             * the cache misses overlap instead of queueing. */
            for (x = s; x < e; x++) {
                __builtin_prefetch(&R->c.r[g->mem[x]]);
                if (k)
                    __builtin_prefetch(&R->keys[(size_t)g->mem[x] * NRULES]);
            }
            for (x = s; x < e; x++) {
                uint32_t a = g->mem[x];
                const struct rec *ra = &R->c.r[a];
                const uint64_t *ka = &R->keys[(size_t)a * NRULES];

                for (y = x + 1; y < e; y++) {
                    uint32_t b = g->mem[y], gm;
                    const struct rec *rb = &R->c.r[b];
                    const uint64_t *kb = &R->keys[(size_t)b * NRULES];
                    int seen = 0, seen_train = 0, count;

                    /* COUNT: a sampled pair of a training rule is counted;
                     * while caching, a pair the scoring pass will score is
                     * kept too. */
                    count = w->mode == SCAN_COUNT && train_rule[k] &&
                            (R->sample_lim == UINT64_MAX ||
                             mix64((uint64_t)a << 32 | b) <= R->sample_lim);
                    if (w->mode == SCAN_COUNT && !count && !w->caching)
                        continue;
                    if (!rule_pair_ok(k, ra, rb))
                        continue;
                    /* Splink's rule: a pair belongs to the first rule that
                     * compares it (an earlier block over the cap did not).
                     * Counting asks only about the training rules. */
                    for (j = 0; j < k && !seen_train; j++)
                        if (ka[j] && ka[j] == kb[j] && rule_pair_ok(j, ra, rb) &&
                            !is_capped(&R->rg[j], ka[j])) {
                            seen = 1;
                            seen_train = train_rule[j];
                            if (w->mode == SCAN_SCORE)
                                break;
                        }
                    if (w->mode == SCAN_SCORE) {
                        if (!seen && score_pair(w, k, a, b, gamma_of(&R->c, ra, rb)))
                            return NULL;
                        continue;
                    }
                    if (!count && (seen || !w->caching))
                        continue;
                    gm = gamma_of(&R->c, ra, rb);
                    if (count) {
                        /* Each training session sees all its pairs (a
                         * pair with equal IDs belongs in the given-name
                         * session too); the prior counts each pair once. */
                        uint32_t pi = pattern_index(k, gm);

                        w->pattern[pi]++;
                        if (!seen_train) {
                            w->pattern[NPATTERNS + pi]++;
                            w->candidates++;
                        }
                    }
                    if (!seen && w->caching)
                        cache_pair(w, a, b, gm | (uint32_t)k << 24);
                }
            }
        }
    }
    return NULL;
}

/* One pass over the blocks.  The COUNT pass leaves its workers' pair caches
 * in R->gc for the SCORE pass. */
static int
scan(struct run *R, int mode, struct dc_error *err)
{
    struct worker w[NTHREADS];
    int nt = R->c.n >= 20000 ? NTHREADS : 1, t, k, rc = 0;

    memset(w, 0, sizeof w);
    for (t = 0; t < nt; t++) {
        w[t].R = R;
        w[t].tid = t;
        w[t].nthreads = nt;
        w[t].mode = mode;
        w[t].caching = mode == SCAN_COUNT;
        if (mode == SCAN_SCORE && R->gc_ok) {
            w[t].gc = R->gc[t];
            w[t].ngc = R->ngc[t];
            w[t].use_gc = 1;
            R->gc[t] = NULL;
        }
        if (mode == SCAN_COUNT)
            w[t].pattern = t == 0 ? R->pattern : calloc(2 * NPATTERNS, sizeof *w[t].pattern);
        if (mode == SCAN_COUNT && !w[t].pattern) {
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto out;
        }
    }
    fan_out(scan_worker, w, sizeof w[0], nt);
    R->candidates = 0;
    R->cand_true = 0;
    for (t = 0; t < nt; t++) {
        if (w[t].failed == 2) {
            rc = dc_error_set(err, DC_EX_DATAERR,
                              "dedup: over %llu pairs at or above the review band; raise "
                              "review_min or tighten blocking",
                              (unsigned long long)MAX_KEPT_PAIRS);
            goto out;
        }
        if (w[t].failed) {
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto out;
        }
        R->candidates += w[t].candidates;
        R->cand_true += w[t].cand_true;
        for (k = 0; k < NRULES; k++)
            R->rule_new[k] += w[t].rule_new[k];
        if (mode == SCAN_COUNT && t > 0) {
            size_t i;

            for (i = 0; i < 2 * NPATTERNS; i++)
                R->pattern[i] += w[t].pattern[i];
        }
    }
    if (mode == SCAN_COUNT) {
        /* Every worker's cache must be whole, or the scoring pass walks the
         * blocks again. */
        R->gc_ok = 1;
        for (t = 0; t < nt; t++)
            R->gc_ok &= w[t].caching;
        for (t = 0; t < nt && R->gc_ok; t++) {
            R->gc[t] = w[t].gc;
            R->ngc[t] = w[t].ngc;
            w[t].gc = NULL;
        }
    }
    if (mode == SCAN_SCORE) {
        size_t tot = 0, o = 0;

        for (t = 0; t < nt; t++)
            tot += w[t].npairs;
        R->pairs = malloc((tot ? tot : 1) * sizeof *R->pairs);
        if (!R->pairs) {
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto out;
        }
        for (t = 0; t < nt; t++) {
            if (w[t].npairs)
                memcpy(R->pairs + o, w[t].pairs, w[t].npairs * sizeof *R->pairs);
            o += w[t].npairs;
        }
        R->npairs = tot;
    }
out:
    for (t = 0; t < nt; t++) {
        free(w[t].pairs);
        free(w[t].gc);
        if (t > 0)
            free(w[t].pattern);
    }
    return rc;
}

/* ---- estimation --------------------------------------------------------- */

static uint64_t
splitmix(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ull;
    return mix64(*s);
}

static void
normalize_levels(double *v, int nl)
{
    double sum = 0;
    int l, round;

    for (round = 0; round < 2; round++) {
        sum = 0;
        for (l = 1; l < nl; l++) {
            if (!(v[l] >= PROB_FLOOR))
                v[l] = PROB_FLOOR;
            sum += v[l];
        }
        for (l = 1; l < nl; l++)
            v[l] /= sum;
    }
}

/* u from random pairs (research/dedup.md §B.4 point 2): no join, seeded.
 * The sample is NTHREADS fixed streams (seed and stream number), each run
 * by its own thread, so the counts do not depend on scheduling. */
struct usample {
    const struct run *R;
    int stream;
    unsigned long long cnt[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS];
};

static void *
u_worker(void *arg)
{
    struct usample *us = arg;
    const struct run *R = us->R;
    const struct ctx *c = &R->c;
    uint64_t st = mix64(R->o->seed ^ (0x5851f42d4c957f2dull * (uint64_t)(us->stream + 1)));
    unsigned long long s;
    size_t n = c->n;
    int k;
    /* Pairs are drawn U_DEPTH ahead of use (the same stream, the same pairs
     * in the same order): random records miss the cache, so their records
     * are prefetched when drawn, and half way along, once the record is
     * there, the name histograms the comparison reads. */
    enum { U_DEPTH = 16 };
    uint32_t ra[U_DEPTH], rb[U_DEPTH];

    for (k = 0; k < U_DEPTH; k++) {
        ra[k] = (uint32_t)(splitmix(&st) % n);
        rb[k] = (uint32_t)(splitmix(&st) % n);
        __builtin_prefetch(&c->r[ra[k]]);
        __builtin_prefetch(&c->r[rb[k]]);
    }
    for (s = 0; s < U_SAMPLES / NTHREADS; s++) {
        unsigned slot = (unsigned)(s % U_DEPTH), half = (unsigned)((s + U_DEPTH / 2) % U_DEPTH);
        uint32_t a = ra[slot], b = rb[slot], g;

        if (c->hist) {
            __builtin_prefetch(c->hist[c->r[ra[half]].full]);
            __builtin_prefetch(c->hist[c->r[rb[half]].full]);
        }
        ra[slot] = (uint32_t)(splitmix(&st) % n);
        rb[slot] = (uint32_t)(splitmix(&st) % n);
        __builtin_prefetch(&c->r[ra[slot]]);
        __builtin_prefetch(&c->r[rb[slot]]);
        if (a == b)
            continue;
        g = gamma_of(c, &c->r[a], &c->r[b]);
        for (k = 0; k < DC_CMP_COUNT; k++)
            us->cnt[k][DC_DEDUP_LEVEL(g, k)]++;
    }
    return NULL;
}

static void
estimate_u(struct run *R, struct dc_dedup_params *p)
{
    struct usample us[NTHREADS];
    int t, k, l;

    memset(us, 0, sizeof us);
    for (t = 0; t < NTHREADS; t++) {
        us[t].R = R;
        us[t].stream = t;
    }
    fan_out(u_worker, us, sizeof us[0], NTHREADS);
    p->u_samples = U_SAMPLES / NTHREADS * NTHREADS;
    for (k = 0; k < DC_CMP_COUNT; k++) {
        unsigned long long tot = 0, c[DC_DEDUP_MAX_LEVELS] = {0};

        for (l = 1; l < nlevels[k]; l++) {
            for (t = 0; t < NTHREADS; t++)
                c[l] += us[t].cnt[k][l];
            tot += c[l];
        }
        for (l = 1; l < nlevels[k]; l++)
            p->u[k][l] = tot ? (double)c[l] / (double)tot : default_u[k][l];
        normalize_levels(p->u[k], nlevels[k]);
    }
}

/* m by EM over the counts of distinct (rule, masked pattern) rows (fastLink
 * tableCounts, research/dedup.md §B.4 point 4), u fixed at the random-pair
 * estimate (Splink's default), one lambda per blocking rule because an ID
 * block and a name block hold very different shares of matches. */
static int
estimate_m(struct run *R, struct dc_dedup_params *p, struct dc_error *err)
{
    uint32_t *pat;
    double lambda[NRULES], cnt[NRULES] = {0}, seed_m[NRULES] = {0};
    size_t np = 0, i;
    int it, k, l, r;

    for (i = 0; i < NPATTERNS; i++)
        np += R->pattern[i] != 0;
    pat = malloc((np ? np : 1) * sizeof *pat);
    if (!pat)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    np = 0;
    for (i = 0; i < NPATTERNS; i++) {
        uint32_t x = (uint32_t)i;

        if (!R->pattern[i])
            continue;
        pat[np++] = x;
        r = (int)(x >> PATTERN_BITS);
        cnt[r] += (double)R->pattern[i];
        /* Starting share from a deterministic rule (Splink): the same ID, or
         * the same name and birth day, where the rule lets us see them. */
        if (pattern_level(x, DC_CMP_ID) == 1 ||
            (pattern_level(x, DC_CMP_NAME) >= 1 && pattern_level(x, DC_CMP_NAME) <= 2 &&
             pattern_level(x, DC_CMP_DOB) == 1))
            seed_m[r] += (double)R->pattern[i];
    }
    for (r = 0; r < NRULES; r++) {
        lambda[r] = cnt[r] > 0 ? seed_m[r] / cnt[r] : 0.1;
        if (lambda[r] < 0.05)
            lambda[r] = 0.05;
        if (lambda[r] > 0.95)
            lambda[r] = 0.95;
    }
    memcpy(p->m, default_m, sizeof p->m);
    p->em_converged = 0;
    for (it = 0; it < EM_MAX_ITER; it++) {
        double am[DC_CMP_COUNT][DC_DEDUP_MAX_LEVELS] = {{0}};
        double sm[NRULES] = {0}, delta = 0;

        for (i = 0; i < np; i++) {
            uint32_t x = pat[i];
            double c = (double)R->pattern[x], pm, pu, post;

            r = (int)(x >> PATTERN_BITS);
            pm = lambda[r];
            pu = 1 - lambda[r];
            for (k = 0; k < DC_CMP_COUNT; k++) {
                l = (int)pattern_level(x, k);
                if (l) {
                    pm *= p->m[k][l];
                    pu *= p->u[k][l];
                }
            }
            post = pm / (pm + pu);
            sm[r] += post * c;
            for (k = 0; k < DC_CMP_COUNT; k++)
                am[k][pattern_level(x, k)] += post * c;
        }
        for (r = 0; r < NRULES; r++) {
            double nl = cnt[r] > 0 ? sm[r] / cnt[r] : lambda[r];

            if (nl < 1e-6)
                nl = 1e-6;
            if (nl > 1 - 1e-6)
                nl = 1 - 1e-6;
            if (fabs(nl - lambda[r]) > delta)
                delta = fabs(nl - lambda[r]);
            lambda[r] = nl;
        }
        for (k = 0; k < DC_CMP_COUNT; k++) {
            double tot = 0;

            for (l = 1; l < nlevels[k]; l++)
                tot += am[k][l];
            if (tot <= 0)
                continue; /* never seen unblocked: keep the starting m */
            normalize_levels(am[k], nlevels[k]);
            for (l = 1; l < nlevels[k]; l++) {
                if (fabs(am[k][l] - p->m[k][l]) > delta)
                    delta = fabs(am[k][l] - p->m[k][l]);
                p->m[k][l] = am[k][l];
            }
        }
        if (delta < EM_TOL) {
            p->em_converged = 1;
            it++;
            break;
        }
    }
    p->em_iterations = it;
    /* Expected matches among candidates, over all pairs: the prior that goes
     * with u from random pairs (Splink's probability_two_random_records_match). */
    {
        double all = (double)R->c.n * ((double)R->c.n - 1) / 2, matches = 0;

        for (i = 0; i < NPATTERNS; i++) {
            const uint64_t c1 = R->pattern[NPATTERNS + i];
            double pm, pu;

            if (!c1)
                continue;
            r = (int)(i >> PATTERN_BITS);
            pm = lambda[r];
            pu = 1 - lambda[r];
            for (k = 0; k < DC_CMP_COUNT; k++) {
                l = (int)pattern_level((uint32_t)i, k);
                if (l) {
                    pm *= p->m[k][l];
                    pu *= p->u[k][l];
                }
            }
            matches += (double)c1 * pm / (pm + pu);
        }
        p->prior = matches / R->sample_frac / all;
        if (p->prior < 1e-12)
            p->prior = 1e-12;
        if (p->prior > 0.5)
            p->prior = 0.5;
    }
    free(pat);
    return 0;
}

struct tfc {
    uint64_t h;
    uint32_t count, first;
};

static int
tfc_cmp(const void *x, const void *y)
{
    const struct tfc *a = x, *b = y;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->h < b->h ? -1 : a->h > b->h;
}

/* Keep the most frequent values (count >= 2), capped; see the file comment. */
static int
tf_build(struct run *R, struct tf_table *t, int given, struct ki *v, struct dc_error *err)
{
    size_t n = 0, i, j, nc = 0, cap = 0;
    struct tfc *c;
    const struct ctx *cx = &R->c;

    for (i = 0; i < cx->n; i++) {
        uint64_t h = given ? (cx->r[i].giv ? cx->names.hash[cx->r[i].giv] : 0) : cx->r[i].fold;

        if (h) {
            v[n].k = h;
            v[n].i = (uint32_t)i;
            n++;
        }
    }
    if (hash_sort(v, n, err))
        return -1;
    c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].k == v[i].k; j++)
            ;
        if (j - i >= 2) {
            c[nc].h = v[i].k;
            c[nc].count = (uint32_t)(j - i);
            c[nc].first = v[i].i;
            nc++;
        }
    }
    qsort(c, nc, sizeof *c, tfc_cmp);
    t->cut = cx->n ? 1.0 / (double)cx->n : 0;
    if (nc > DC_DEDUP_TF_MAX) {
        nc = DC_DEDUP_TF_MAX;
        t->cut = (double)c[nc - 1].count / (double)cx->n;
    }
    for (i = 0; i < nc; i++) {
        char buf[MAX_NAME * 12 + 3];
        const char *s = buf;
        size_t l;
        const struct rec *r = &cx->r[c[i].first];

        if (given)
            s = name_str(cx, r->giv, &l);
        else
            l = joined(cx, r, buf);
        if (tf_add(t, &cap, (double)c[i].count / (double)cx->n, s, l)) {
            free(c);
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        }
    }
    free(c);
    if (t->n > 1)
        qsort(t->e, t->n, sizeof *t->e, tf_cmp);
    return 0;
}

/* ---- clustering --------------------------------------------------------- */

struct uf {
    uint32_t *parent, *size;
    uint64_t *id;        /* id12 + 1 of the component, 0 = none */
    char *sex;           /* 'M', 'F', 0, or 'X' when an ID joined both */
    uint16_t *ymin, *ymax;
};

static int
ids_conflict(uint64_t a, uint64_t b)
{
    if (!a || !b || a == b)
        return 0;
    return !one_digit_apart(a - 1, b - 1);
}

static uint32_t
uf_find(struct uf *u, uint32_t x)
{
    uint32_t r = x;

    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) {
        uint32_t nx = u->parent[x];

        u->parent[x] = r;
        x = nx;
    }
    return r;
}

/* A float's order as an unsigned integer's: positive floats keep their bit
 * order above the negative ones, whose order flips.  -0 counts as +0, as
 * a float compare has it. */
static uint32_t
float_key(float f)
{
    uint32_t u;

    if (f == 0)
        f = 0;
    memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

/* R->pairs sorted by (a,b) (each pair is there once), by a stable radix
 * sort on a<<32|b: over half a million pairs a comparison sort through a
 * function pointer cost a quarter of a second. */
static int
sort_pairs_ab(struct run *R, struct dc_error *err)
{
    struct ki *v;
    struct dc_dedup_pair *sorted;
    size_t i, n = R->npairs;

    if (n < 2)
        return 0;
    v = malloc(n * sizeof *v);
    sorted = malloc(n * sizeof *sorted);
    if (!v || !sorted) {
        free(v);
        free(sorted);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    for (i = 0; i < n; i++) {
        v[i].k = (uint64_t)R->pairs[i].a << 32 | R->pairs[i].b;
        v[i].i = (uint32_t)i;
    }
    if (radix_sort(v, n, err)) {
        free(v);
        free(sorted);
        return -1;
    }
    for (i = 0; i < n; i++)
        sorted[i] = R->pairs[v[i].i];
    free(v);
    free(R->pairs);
    R->pairs = sorted;
    return 0;
}

/* The merge order of cluster(): probability, then weight, descending, ties
 * in (a,b) order.  R->pairs is already in (a,b) order and the radix sort is
 * stable, so one 64-bit key (both floats, flipped for descending) is the
 * whole comparison. */
static int
merge_order(const struct run *R, uint32_t *order, size_t ne, struct dc_error *err)
{
    struct ki *v;
    size_t i;

    if (ne < 2)
        return 0;
    v = malloc(ne * sizeof *v);
    if (!v)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 0; i < ne; i++) {
        const struct dc_dedup_pair *e = &R->pairs[order[i]];

        v[i].k = ~((uint64_t)float_key(e->prob) << 32 | float_key(e->weight));
        v[i].i = order[i];
    }
    if (radix_sort(v, ne, err)) {
        free(v);
        return -1;
    }
    for (i = 0; i < ne; i++)
        order[i] = v[i].i;
    free(v);
    return 0;
}

/* Union-find in merge order; R->pairs must be sorted by (a,b). */
static int
cluster(struct run *R, struct dc_error *err)
{
    size_t n = R->c.n, i, ne = 0;
    struct uf u;
    uint32_t *order = NULL, *rep;
    int rc = -1;

    memset(&u, 0, sizeof u);
    u.parent = malloc((n ? n : 1) * sizeof *u.parent);
    u.size = malloc((n ? n : 1) * sizeof *u.size);
    u.id = malloc((n ? n : 1) * sizeof *u.id);
    u.sex = malloc(n ? n : 1);
    u.ymin = malloc((n ? n : 1) * sizeof *u.ymin);
    u.ymax = malloc((n ? n : 1) * sizeof *u.ymax);
    order = malloc((R->npairs ? R->npairs : 1) * sizeof *order);
    R->res->cluster = malloc((n ? n : 1) * sizeof *R->res->cluster);
    if (!u.parent || !u.size || !u.id || !u.sex || !u.ymin || !u.ymax || !order ||
        !R->res->cluster) {
        dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const struct rec *r = &R->c.r[i];

        u.parent[i] = (uint32_t)i;
        u.size[i] = 1;
        u.id[i] = r->idlen ? r->id12 + 1 : 0;
        u.sex[i] = r->sex;
        u.ymin[i] = u.ymax[i] = r->prec ? r->year : 0;
    }
    for (i = 0; i < R->npairs; i++)
        if (R->pairs[i].prob >= R->o->threshold)
            order[ne++] = (uint32_t)i;
    if (merge_order(R, order, ne, err))
        goto out;
    for (i = 0; i < ne; i++) {
        const struct dc_dedup_pair *e = &R->pairs[order[i]];
        uint32_t ra = uf_find(&u, e->a), rb = uf_find(&u, e->b), t;
        int id_equal = DC_DEDUP_LEVEL(e->gamma, DC_CMP_ID) == 1;

        if (ra == rb)
            continue;
        /* Cannot-link on whole components (research/dedup.md §B.6 point 3).
         * IDs one digit apart are a typo, not two people: the ID comparison
         * has a level for them. */
        if (ids_conflict(u.id[ra], u.id[rb]) ||
            (!id_equal && (u.sex[ra] == 'M' || u.sex[ra] == 'F') &&
             (u.sex[rb] == 'M' || u.sex[rb] == 'F') && u.sex[ra] != u.sex[rb]) ||
            (u.ymin[ra] && u.ymin[rb] &&
             (u.ymax[ra] > u.ymax[rb] ? u.ymax[ra] : u.ymax[rb]) -
                     (u.ymin[ra] < u.ymin[rb] ? u.ymin[ra] : u.ymin[rb]) >
                 MAX_YEAR_SPREAD)) {
            R->res->refused_merges++;
            continue;
        }
        if (u.size[ra] < u.size[rb]) {
            t = ra;
            ra = rb;
            rb = t;
        }
        u.parent[rb] = ra;
        u.size[ra] += u.size[rb];
        if (!u.id[ra])
            u.id[ra] = u.id[rb];
        if (!u.sex[ra])
            u.sex[ra] = u.sex[rb];
        else if (u.sex[rb] && u.sex[rb] != u.sex[ra])
            u.sex[ra] = 'X';
        if (!u.ymin[ra]) {
            u.ymin[ra] = u.ymin[rb];
            u.ymax[ra] = u.ymax[rb];
        } else if (u.ymin[rb]) {
            if (u.ymin[rb] < u.ymin[ra])
                u.ymin[ra] = u.ymin[rb];
            if (u.ymax[rb] > u.ymax[ra])
                u.ymax[ra] = u.ymax[rb];
        }
    }
    /* Representative: the smallest index in the component, found in index
     * order so it does not depend on which root union-by-size picked. */
    rep = u.size; /* reuse: root -> representative */
    for (i = 0; i < n; i++)
        rep[i] = UINT32_MAX;
    for (i = 0; i < n; i++) {
        uint32_t r = uf_find(&u, (uint32_t)i);

        if (rep[r] == UINT32_MAX)
            rep[r] = (uint32_t)i;
        R->res->cluster[i] = rep[r];
    }
    rc = 0;
out:
    free(u.parent);
    free(u.size);
    free(u.id);
    free(u.sex);
    free(u.ymin);
    free(u.ymax);
    free(order);
    return rc;
}

/* ---- the run ------------------------------------------------------------ */

void
dc_dedup_opts_init(struct dc_dedup_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.9;
    o->review_min = 0.5;
    o->max_block = DEFAULT_MAX_BLOCK;
}

void
dc_dedup_result_release(struct dc_dedup_result *r)
{
    size_t i;

    if (!r)
        return;
    free(r->pairs);
    free(r->cluster);
    for (i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    dc_dedup_params_free(r->params);
    memset(r, 0, sizeof *r);
}

static void
run_free(struct run *R)
{
    int k;

    ctx_free(&R->c);
    for (k = 0; k < NRULES; k++) {
        free(R->rg[k].mem);
        free(R->rg[k].start);
        free(R->rg[k].capped);
        free(R->rg[k].capsize);
    }
    free(R->pattern);
    free(R->pairs);
    free(R->keys);
    for (k = 0; k < NTHREADS; k++)
        free(R->gc[k]);
    scorer_free(&R->sc);
}

static int
opts_check(const struct dc_dedup_opts *opts, struct dc_dedup_opts *o, struct dc_error *err)
{
    if (opts)
        *o = *opts;
    else
        dc_dedup_opts_init(o);
    if (o->max_block == 0)
        o->max_block = DEFAULT_MAX_BLOCK;
    if (o->max_block > 1000000)
        return dc_error_set(err, DC_EX_USAGE, "dedup: block cap over 1000000");
    if (!(o->threshold >= 0 && o->threshold <= 1) ||
        !(o->review_min >= 0 && o->review_min <= 1))
        return dc_error_set(err, DC_EX_USAGE, "dedup: threshold and review_min must be in 0..1");
    return 0;
}

static int run_ctx(struct ctx *c, const struct dc_dedup_params *given,
                   const struct dc_dedup_opts *o, struct dc_dedup_result *out,
                   struct dc_error *err);

int
dc_dedup_run(const struct dc_person *recs, size_t n, const struct dc_dedup_params *given,
             const struct dc_dedup_opts *opts, struct dc_dedup_result *out,
             struct dc_error *err)
{
    struct dc_dedup_opts o;
    struct ctx c;

    memset(out, 0, sizeof *out);
    if (opts_check(opts, &o, err))
        return -1;
    if (n > MAX_RECORDS)
        return dc_error_set(err, DC_EX_DATAERR, "dedup: too many records (%zu)", n);
    if (n && !recs)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no records array");
    if (ctx_build(&c, recs, n, err))
        return -1;
    return run_ctx(&c, given, &o, out, err);
}

/* ---- records given in batches ------------------------------------------ */

struct dc_dedup_input {
    struct ctx c;
};

int
dc_dedup_input_new(size_t expected, struct dc_dedup_input **out, struct dc_error *err)
{
    struct dc_dedup_input *in;

    *out = NULL;
    if (expected > MAX_RECORDS)
        return dc_error_set(err, DC_EX_DATAERR, "dedup: too many records (%zu)", expected);
    in = calloc(1, sizeof *in);
    if (!in)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    if (ctx_init(&in->c, expected, err)) {
        free(in);
        return -1;
    }
    *out = in;
    return 0;
}

int
dc_dedup_input_add(struct dc_dedup_input *in, const struct dc_person *recs, size_t n,
                   struct dc_error *err)
{
    if (!in || !in->c.r)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no input, or input already run");
    return ctx_add(&in->c, recs, n, err);
}

size_t
dc_dedup_input_count(const struct dc_dedup_input *in)
{
    return in ? in->c.n : 0;
}

void
dc_dedup_input_free(struct dc_dedup_input *in)
{
    if (!in)
        return;
    ctx_free(&in->c);
    free(in);
}

int
dc_dedup_run_input(struct dc_dedup_input *in, const struct dc_dedup_params *given,
                   const struct dc_dedup_opts *opts, struct dc_dedup_result *out,
                   struct dc_error *err)
{
    struct dc_dedup_opts o;
    struct ctx c;

    memset(out, 0, sizeof *out);
    if (!in)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: no input");
    if (opts_check(opts, &o, err))
        return -1;
    if (!in->c.r)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup: input already run");
    c = in->c; /* the run takes the records over: in is left empty */
    memset(&in->c, 0, sizeof in->c);
    return run_ctx(&c, given, &o, out, err);
}

/* The run proper.  Takes c over (it is freed here, success or not); o is
 * checked. */
static int
run_ctx(struct ctx *c, const struct dc_dedup_params *given, const struct dc_dedup_opts *o,
        struct dc_dedup_result *out, struct dc_error *err)
{
    struct run R;
    struct ki *v = NULL;
    struct dc_dedup_params *p = NULL;
    int k, train;
    size_t i, j, n = c->n;
    double t = dc_dedup_clock(), t1;

    memset(&R, 0, sizeof R);
    R.c = *c;
    memset(c, 0, sizeof *c);
    ctx_seal(&R.c);
    R.o = o;
    R.res = out;
    out->phase_s[DC_PHASE_PREP] = R.c.prep_s;
    if (ctx_hist(&R.c, err) || build_rules(&R, err))
        goto fail;
    t1 = dc_dedup_clock();
    out->phase_s[DC_PHASE_BLOCK] = t1 - t;
    t = t1;
    v = malloc((n ? n : 1) * sizeof *v); /* scratch for the TF counts */
    if (!v) {
        dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        goto fail;
    }

    train = !given || o->train;
    if (train && n >= MIN_TRAIN_RECORDS) {
        R.pattern = calloc(2 * NPATTERNS, sizeof *R.pattern);
        p = calloc(1, sizeof *p);
        if (!R.pattern || !p) {
            dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto fail;
        }
        R.sample_lim = UINT64_MAX;
        R.sample_frac = 1.0;
        if (R.upper > TRAIN_PAIRS) {
            R.sample_frac = (double)TRAIN_PAIRS / (double)R.upper;
            R.sample_lim = (uint64_t)(18446744073709551615.0 * R.sample_frac);
        }
        if (scan(&R, SCAN_COUNT, err))
            goto fail;
        if (R.gc_ok) { /* the scoring pass walks no blocks */
            free(R.keys);
            R.keys = NULL;
        }
        t1 = dc_dedup_clock();
        out->phase_s[DC_PHASE_COUNT] = t1 - t;
        t = t1;
    }
    if (train && (n < MIN_TRAIN_RECORDS || R.candidates < MIN_TRAIN_PAIRS)) {
        dc_dedup_params_free(p);
        p = NULL;
        if (given) {
            if (params_copy(given, &p, err))
                goto fail;
            if (add_note(out, err, "too few records or pairs to train: given parameters kept"))
                goto fail;
        } else {
            if (dc_dedup_params_default(&p, err))
                goto fail;
            if (add_note(out, err, "too few records or pairs to train (%zu records): default "
                                   "parameters used", n))
                goto fail;
        }
    } else if (train) {
        p->seed = o->seed;
        p->trained = 1;
        p->trained_records = n;
        estimate_u(&R, p);
        t1 = dc_dedup_clock();
        out->phase_s[DC_PHASE_U] = t1 - t;
        t = t1;
        if (estimate_m(&R, p, err))
            goto fail;
        if (!p->em_converged &&
            add_note(out, err, "EM did not converge in %d iterations", p->em_iterations))
            goto fail;
        if (tf_build(&R, &p->tf_full, 0, v, err) || tf_build(&R, &p->tf_given, 1, v, err))
            goto fail;
    } else if (params_copy(given, &p, err)) {
        goto fail;
    }
    free(v);
    v = NULL;
    free(R.pattern);
    R.pattern = NULL;
    out->params = p;
    p = NULL;

    R.p = out->params;
    R.keep_min = o->review_min < o->threshold ? o->review_min : o->threshold;
    R.keep_w = R.keep_min > 0 ? logit2(R.keep_min) - 1e-6 : -HUGE_VAL;
    t1 = dc_dedup_clock();
    out->phase_s[DC_PHASE_EM] = t1 - t;
    t = t1;
    if (scorer_init(&R.sc, R.p, &R.c, err))
        goto fail;
    if (scan(&R, SCAN_SCORE, err))
        goto fail;
    free(R.keys);
    R.keys = NULL;
    t1 = dc_dedup_clock();
    out->phase_s[DC_PHASE_SCORE] = t1 - t;
    t = t1;
    out->candidate_pairs = R.candidates;
    out->candidate_true_pairs = R.cand_true;
    for (k = 0; k < NRULES; k++)
        if (add_note(out, err, "blocking rule '%s': %zu blocks, %llu new pairs", rule_names[k],
                     R.rg[k].ngroups, R.rule_new[k]))
            goto fail;
    if (sort_pairs_ab(&R, err) || cluster(&R, err))
        goto fail;
    for (i = 0, j = 0; i < R.npairs; i++)
        if (R.pairs[i].prob >= o->review_min)
            R.pairs[j++] = R.pairs[i];
    out->pairs = R.pairs;
    out->npairs = j;
    R.pairs = NULL;
    run_free(&R);
    out->phase_s[DC_PHASE_CLUSTER] = dc_dedup_clock() - t;
    return 0;
fail:
    free(v);
    dc_dedup_params_free(p);
    run_free(&R);
    dc_dedup_result_release(out);
    return -1;
}

/* ---- explain ------------------------------------------------------------ */

int
dc_dedup_explain(const struct dc_person *a, const struct dc_person *b,
                 const struct dc_dedup_params *p, char **text, struct dc_error *err)
{
    struct dc_person two[2];
    struct ctx c;
    struct scorer sc;
    struct sbuf sb = {0};
    uint32_t g;
    double w, total;
    int k;

    *text = NULL;
    if (!a || !b || !p)
        return dc_error_set(err, DC_EX_SOFTWARE, "dedup explain: missing argument");
    two[0] = *a;
    two[1] = *b;
    if (ctx_build(&c, two, 2, err))
        return -1;
    if (scorer_init(&sc, p, &c, err)) {
        ctx_free(&c);
        return -1;
    }
    g = gamma_of(&c, &c.r[0], &c.r[1]);
    total = sc.prior_w;
    sb_printf(&sb, "%-8s %-48s %-22s weight %+8.3f\n", "prior", "", "", total);
    for (k = 0; k < DC_CMP_COUNT; k++) {
        unsigned l = DC_DEDUP_LEVEL(g, k);
        char mu[64] = "";

        w = sc.w[k][l];
        if (l)
            snprintf(mu, sizeof mu, "m %.4g u %.4g", p->m[k][l], p->u[k][l]);
        total += w;
        sb_printf(&sb, "%-8s level %u %-40s %-22s weight %+8.3f\n", cmp_names[k], l,
                  level_names[k][l], mu, w);
        if (k == DC_CMP_NAME) {
            double t = tf_adjust(&sc, &c.r[0], &c.r[1], l);

            total += t;
            if (t != 0)
                sb_printf(&sb, "%-8s %-48s %-22s weight %+8.3f\n", "name",
                          "term frequency adjustment", "", t);
        }
    }
    sb_printf(&sb, "%-8s %-48s %-22s weight %+8.3f\n", "total", "", "", total);
    sb_printf(&sb, "probability %.6f\n", prob_of(total));
    scorer_free(&sc);
    ctx_free(&c);
    if (sb.oom) {
        free(sb.s);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    *text = sb.s;
    return 0;
}

/* ---- evaluation --------------------------------------------------------- */

struct ct {
    uint64_t t;
    uint32_t c;
};

static int
by_ct(const void *x, const void *y)
{
    const struct ct *a = x, *b = y;

    if (a->c != b->c)
        return a->c < b->c ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}

static int
by_t(const void *x, const void *y)
{
    const struct ct *a = x, *b = y;

    return a->t < b->t ? -1 : a->t > b->t;
}

static unsigned long long
pairs_of(unsigned long long k)
{
    return k < 2 ? 0 : k * (k - 1) / 2;
}

int
dc_dedup_evaluate(const uint32_t *cluster, const uint64_t *truth_entity, size_t n,
                  unsigned long long candidate_true, struct dc_dedup_eval *out)
{
    struct ct *v = malloc((n ? n : 1) * sizeof *v);
    unsigned long long pred = 0;
    size_t i, j;

    memset(out, 0, sizeof *out);
    if (!v)
        return -1;
    for (i = 0; i < n; i++) {
        v[i].c = cluster[i];
        v[i].t = truth_entity[i];
    }
    qsort(v, n, sizeof *v, by_ct);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].c == v[i].c; j++)
            ;
        pred += pairs_of(j - i);
    }
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].c == v[i].c && v[j].t == v[i].t; j++)
            ;
        out->tp += pairs_of(j - i);
    }
    qsort(v, n, sizeof *v, by_t);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && v[j].t == v[i].t; j++)
            ;
        out->true_pairs += pairs_of(j - i);
    }
    free(v);
    out->fp = pred - out->tp;
    out->fn = out->true_pairs - out->tp;
    out->candidate_true_pairs = candidate_true;
    out->precision = pred ? (double)out->tp / (double)pred : 1.0;
    out->recall = out->true_pairs ? (double)out->tp / (double)out->true_pairs : 1.0;
    out->f1 = out->precision + out->recall > 0
                  ? 2 * out->precision * out->recall / (out->precision + out->recall)
                  : 0.0;
    out->pairs_completeness =
        out->true_pairs ? (double)candidate_true / (double)out->true_pairs : 1.0;
    return 0;
}
