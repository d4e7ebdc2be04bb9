/*
 * synth/synth_int.h - private to core/synth/: what the files of the generator
 * share (the generator state, its PRNG and calendar, the bounded string
 * builder, the person and row structs, the corruption codes).  The public
 * face is core/synth.h.
 *
 * The files: text.c (Vietnamese letters: fold, upper case, tone moves,
 * typos), tables.c (name and catalogue tables, built in or read from
 * --names / --refdata), out.c (output files and CSV rows in their
 * encodings), person.c (households, persons, IDs and addresses),
 * corrupt.c (the corruption budget, damaged names, the MRZ), rows.c (one
 * person's rows in each source and in the truth), run.c (dc_synth_run).
 * The PRNG, the calendar and UTF-8 are synth's own, not core's, on purpose:
 * the generator is the truth the other modules are measured against, so it
 * shares none of their code (issue 18).
 *
 * The generator:
 *
 * What it is for: one synthetic population (households of persons with a
 * true name, sex, birth date, 12-digit ID, old CMND, ethnic group and a real
 * catalogue ward) written as three dirty sources plus the truth, streamed row
 * by row so that 10^6 persons need only the catalogue tables in memory.
 * Not for: anything with real people.  All names are composed from
 * frequency tables of name PARTS; IDs are random within the legal structure.
 *
 * Sources (structure after FEBRL dsgen and its Vietnamese analogue,
 * research/dedup.md §C.3-§C.4; headers after records.md §5):
 *   household.csv  UTF-8, ',', LF; "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,
 *                  Dân tộc,Quan hệ với chủ hộ,Số hồ sơ cư trú,Nơi thường trú", or
 *                  by the seed the same columns as CT01 labels with hints, in
 *                  household-book terms, or with the birth date under split
 *                  Nam | Nữ columns below a two-row header (enum hh_layout);
 *                  persons listed by household, STT restarts per household.
 *   idcards.csv    UTF-8 with BOM, ';', CRLF; issue date per Law 2014 Art. 19 /
 *                  Law 26/2023 Art. 19, expiry per EXP-1 (idformats §7), MRZ
 *                  TD1 per idformats §4.4 (lines joined by LF inside a quoted
 *                  field), QR per §5.1.  Only chip cards (issued from 2021) and
 *                  only persons with a day-precise birth date.
 *   legacy.csv     TCVN3 (glibc iconv "TCVN5712-1", normalize.md §4.1) or
 *                  Windows-1258 (glibc "CP1258"), chosen by the seed; ',', CRLF;
 *                  ASCII headers; abbreviated addresses ("P.3, Q.Bình Thạnh,
 *                  TP.HCM"); old 9-digit CMND (idformats §2.1).
 * Membership: household register 85 %, ID-card register 80 % of card holders,
 * legacy 60 % of CMND holders + 10 % of others born before 2008; anyone in no
 * source goes to the household register.  3 % of rows are repeated in the same
 * source (within-source duplicates), corrupted independently.
 *
 * Corruption (FEBRL-style budget: household rows get 0/1/2/3 modifications
 * with probability .62/.25/.09/.04, legacy rows .45/.30/.15/.10; each picked by
 * weight among those that apply).  Codes written to truth_problems.csv, with
 * household/legacy weights:
 *   NAME_TYPO 20/20 (one ASCII letter: QWERTY neighbour, deletion, doubling or
 *   transposition), NAME_NO_DIACRITICS 8/15, NAME_TONE_PLACEMENT 8/8 (open
 *   oa/oe/uy old<->new style, normalize.md §3.2), NAME_SURNAME_VARIANT 5/5
 *   (Hoàng<->Huỳnh, Vũ<->Võ), NAME_MIDDLE_DROPPED 6/6, NAME_UPPER 8/15,
 *   NAME_DOUBLE_SPACE 5/-, NAME_NBSP 3/-, NAME_ETH_D 3/- (U+00D0 for Đ),
 *   NAME_MOJIBAKE 2/- (one word's UTF-8 read as cp1252), DOB_DAY_MONTH_SWAP 5/6,
 *   DOB_YEAR_ONLY 4/5, DOB_SHORT_YEAR 6/- ("d/m/yy"), ID_LEADING_ZERO_LOST 4/-
 *   (every leading zero: 11 digits, 10 for provinces 001-009), ID_DIGIT_TYPO
 *   3/- (one of the 6 random digits, so the ID stays structurally valid),
 *   ID_SPREADSHEET_EXPONENT 1/- ("7.92031E+11", 30 % with a decimal comma:
 *   digits lost), ID_WRONG_COLUMN 2/3 (household: the CMND in the ID column;
 *   legacy: the 12-digit ID in the CMND column of someone without a CMND),
 *   CMND_LEADING_ZERO_LOST -/4 (CMND 0xxxxxxxx as 8 digits), MISSING_DOB 2/2,
 *   MISSING_SEX 2/2, MISSING_ID 3/-,
 *   MISSING_ADDRESS 2/2, ADDR_ABBREV 10/- (always in legacy, not recorded
 *   there), ADDR_NO_DIACRITICS 4/10, ADDR_2025_STYLE 8/- (new ward + new
 *   province; only when the old ward maps to one new ward), NAME_NOTE 4/- (the
 *   row's relation written after the name as a clerk's note: "Lê Thị Bình
 *   (Vợ)", "An - Chủ hộ", "[Con]", ", Cháu"; namenote.h).
 * ID-card rows: NAME_UPPER 25 %; ADDR_2025_STYLE whenever the card was issued
 * from 2025-07-01 (new cards print the new units).
 * Planted problems for crosscheck (exact codes; 0.6 % of the rows of the
 * source named, at most one per row, such rows get no other corruption):
 *   household: ID_CHECK_SEX_CENTURY (G digit parity flipped), ID_BIRTH_YEAR_
 *   MISMATCH (YY changed), ID_PROVINCE_UNKNOWN (PPP a code missing from the 63
 *   of idformats §1.3), DOB_INVALID_DATE (30/02, 31/04, ...), NAME_DEATH_MARKER
 *   (half the rate: "(đã chết)", "- đã mất", "[ĐÃ CHẾT]" ... after the name);
 *   legacy: DOB_INVALID_DATE, DOB_IN_FUTURE (no ID12 there to contradict it);
 *   idcards: ISSUE_BEFORE_AGE14 (chip card issued 2021..2024-06-30 before the
 *   14th birthday; 2.4 % of the rows of persons young enough for it),
 *   MRZ_CHECK_DIGIT (one of the five check digits wrong),
 *   QR_MISMATCH (QR ID digit or given name differs from the row).
 * truth_records.clean is 1 when the row has no truth_problems entry at all;
 * truth_records.id12 is the person's ID when the row carries it in a form
 * that can be read back (intact, zeros lost, in the CMND column), else empty.
 *
 * Population tables: surnames weighted by the national shares LTH
 * (names/surnames_published.csv; Hoàng/Huỳnh and Vũ/Võ split by region, an
 * assumption from names/README "Huỳnh and Võ are southern/central") plus the
 * tail of names/surnames.csv; middle names by sex from middle_names.csv with
 * Văn/Thị forced for older cohorts (names/README "Cohorts"); given names by sex
 * from given_names.csv.  Wards from refdata/admin_units_pre2025.csv, 2025
 * codes from ward_mapping_2025.csv (several new wards -> empty truth
 * new_ward_code), admin_units_2025.csv and province_mapping_2025.csv.
 * Without those directories small built-in lists are used (40 wards copied
 * from the same catalogue files).
 *
 * Determinism: one xoshiro256** stream seeded from --seed, consumed in a fixed
 * order (household by household); no clock, locale or hash order is read.
 * Ages and dates are relative to DC_SYNTH_REF_DATE.  Memory is the tables
 * only: every row is written as soon as it is made.
 */
#ifndef DC_SYNTH_INT_H
#define DC_SYNTH_INT_H

#include "synth.h"

#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- PRNG */

/* xoshiro256** seeded by splitmix64 (Blackman & Vigna): fast, good, and ours,
 * so the output never depends on the C library's rand(). */
struct rng {
    uint64_t s[4];
};

static inline uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline void
rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

/* Uniform in [0, n); the modulo bias is below 2^-40 for our n. */
static inline unsigned
rnd(struct rng *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

static inline double
rnd01(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static inline int
chance(struct rng *r, double p)
{
    return rnd01(r) < p;
}

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): avoids mktime/gmtime and any time zone. */
static inline long
days_from_civil(int y, int m, int d)
{
    long yy = y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date {
    int y, m, d;
};

static inline struct date
civil_from_days(long z)
{
    struct date r;
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(y + (r.m <= 2));
    return r;
}

static inline int
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline long
dnum(struct date a)
{
    return days_from_civil(a.y, a.m, a.d);
}

/* Birthday at age `a`.  29 February falls back to 28 February in common
 * years: no rule is known (idformats §7 EXP-3), any fixed choice will do. */
static inline struct date
birthday_at(struct date dob, int a)
{
    struct date r = {dob.y + a, dob.m, dob.d};
    if (r.m == 2 && r.d == 29 && !is_leap(r.y))
        r.d = 28;
    return r;
}

/* Completed years of age on day t. */
static inline int
age_on(struct date dob, struct date t)
{
    int a = t.y - dob.y;
    if (t.m < dob.m || (t.m == dob.m && t.d < dob.d))
        a--;
    return a;
}

#define REF_Y 2026
#define REF_M 7
#define REF_D 1

static const struct date ref_date = {REF_Y, REF_M, REF_D};
static const struct date law2024 = {2024, 7, 1}; /* Law 26/2023 in force */
static const struct date merger2025 = {2025, 7, 1};
static const struct date chip2021 = {2021, 1, 1}; /* chip CCCD, idformats §7 ISS-6 */

/* ---------------------------------------------------------------- UTF-8 */

struct vletter {
    uint32_t cp;
    unsigned char row, tone, up;
};

static inline size_t
utf8_dec(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    if ((u[0] & 0xF8) == 0xF0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 &&
        (u[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
              ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD;
    return 1;
}

static inline size_t
utf8_enc(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---------------------------------------------------------------- arena and tables */

struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
};

struct arena {
    struct chunk *head;
};

/* Weighted choice by cumulative weights and binary search. */
struct wtab {
    const char **s;
    double *cum;
    size_t n, cap;
};

static inline const char *
wtab_pick(const struct wtab *t, struct rng *r)
{
    double x = rnd01(r) * t->cum[t->n - 1];
    size_t lo = 0, hi = t->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return t->s[lo];
}

struct ward {
    const char *pcode, *pname, *dcode, *dname, *wcode, *wname;
    const char *ncode, *nname, *npcode, *npname; /* "" when ambiguous / unknown */
    int nmap;                                    /* new wards it maps to */
};

#define MAX_PART 64 /* bytes of one name part or code */

/* ---------------------------------------------------------------- the generator state */

struct vlist {
    struct vletter v[150];
    size_t n;
};

enum { NSRC = 3, SRC_HH = 0, SRC_ID = 1, SRC_LG = 2 };

struct out {
    FILE *f;
    char path[4096];
    char delim;
    const char *eol;
    unsigned long long rows;
    iconv_t cd; /* (iconv_t)-1 unless this file is written in a legacy encoding */
    char *conv;
    size_t convcap;
};

struct refload;

/* Header layouts of household.csv, as offices write them (docs/headers.md): the
 * spellings of records.md §5; CT01/DC01 item labels with numbering and hints in
 * brackets or after a colon; household-book-era terms; and the birth date written
 * under the column of the person's sex, "Năm sinh" merged over Nam | Nữ (a two-row
 * header) with a row of column numbers below. */
enum hh_layout { HH_PLAIN, HH_HINTS, HH_OLD, HH_SPLIT, HH_LAYOUTS };

struct gen {
    struct rng r;
    struct arena ar;
    struct vlist vl;
    struct wtab sur_top, sur_tail, mid[2], giv[2]; /* [0] = M, [1] = F */
    double top_share;                              /* LTH mass of sur_top, 0..1 */
    struct ward *wards;
    size_t nwards;
    struct out src[NSRC], tp, trec, tprob;
    int legacy_tcvn;
    int hh_layout;                     /* header layout of household.csv (enum hh_layout) */
    int print_layout;                  /* dc_synth_opts.print_layout */
    unsigned long long id_mul, id_add; /* bijection of person index -> 6 digits */
    struct dc_synth_stats st;
    struct refload *rl; /* only while synth_load_refdata runs */
    struct dc_error *err;
};

/* ---------------------------------------------------------------- string builder */

/* Bounded string builder: overflow is remembered and reported once. */
struct sb {
    char *p;
    size_t n, cap;
    int over;
};

static inline void
sb_init(struct sb *b, char *buf, size_t cap)
{
    b->p = buf;
    b->n = 0;
    b->cap = cap;
    b->over = 0;
    buf[0] = '\0';
}

static inline void
sb_addn(struct sb *b, const char *s, size_t n)
{
    if (b->over || b->n + n + 1 > b->cap) {
        b->over = 1;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static inline void
sb_add(struct sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static inline void
sb_cp(struct sb *b, uint32_t cp)
{
    char t[4];
    sb_addn(b, t, utf8_enc(cp, t));
}

/* ---------------------------------------------------------------- rows and persons */

#define ROWCAP 8192

struct row {
    struct sb b;
    char buf[ROWCAP];
    int nf;
    char delim;
};

struct person {
    char pid[16];
    char fam[MAX_PART + 1], mid[MAX_PART + 1], giv[MAX_PART + 1];
    char full[4 * MAX_PART];
    struct date dob;
    int year_only, female, age;
    char id12[13], cmnd[12];
    const char *ethnic;
    const struct ward *w;
    const char *detail;
    const char *rel;
    const char *hhno;
    int stt;
    int card, show_id; /* has a chip card; household register prints the ID */
    struct date issue;
};

struct household {
    const struct ward *w;
    char detail[160];
    char hhno[24];
    int eth; /* index into minority[], -1 = Kinh */
};

enum { A_ABBR = 1, A_FOLD = 2, A_NEW = 4 };

/* ---------------------------------------------------------------- corruption codes */

enum op {
    OP_NAME_TYPO,
    OP_NAME_NO_DIACRITICS,
    OP_NAME_TONE,
    OP_NAME_SURVAR,
    OP_NAME_MIDDROP,
    OP_NAME_UPPER,
    OP_NAME_DSPACE,
    OP_NAME_NBSP,
    OP_NAME_ETH,
    OP_NAME_MOJI,
    OP_DOB_SWAP,
    OP_DOB_YEAR,
    OP_DOB_SHORT,
    OP_ID_ZERO,
    OP_ID_TYPO,
    OP_ID_EXP,
    OP_ID_COL,
    OP_CMND_ZERO,
    OP_MISS_DOB,
    OP_MISS_SEX,
    OP_MISS_ID,
    OP_MISS_ADDR,
    OP_ADDR_ABBR,
    OP_ADDR_FOLD,
    OP_ADDR_NEW,
    OP_NAME_NOTE,
    OP_N
};

/* code, weight in household rows, weight in legacy rows (see the comment above) */
struct synth_op {
    const char *code;
    unsigned char w[2];
};
extern const struct synth_op synth_ops[OP_N];

#define BIT(o) (1u << (o))

/* ---------------------------------------------------------------- between the files */

/* text.c */
void synth_vl_init(struct vlist *vl);
void synth_fold_to(const struct vlist *vl, const char *s, struct sb *o);
void synth_upper_to(const struct vlist *vl, const char *s, struct sb *o);
int synth_tone_swap_word(const struct vlist *vl, char *w, size_t cap);
int synth_typo_word(struct rng *r, char *w, size_t cap);

/* tables.c */
int synth_oom(struct gen *g);
int synth_load_names(struct gen *g, const char *dir);
int synth_load_refdata(struct gen *g, const char *dir);
void synth_tables_free(struct gen *g);

/* out.c */
int synth_out_open(struct gen *g, struct out *o, const char *dir, const char *name, char delim,
                   const char *eol);
int synth_out_close(struct gen *g, struct out *o);
void synth_row_begin(struct row *r, char delim);
void synth_row_field(struct row *r, const char *s);
void synth_row_fieldf(struct row *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int synth_row_write(struct gen *g, struct out *o, struct row *r);
int synth_write_header(struct gen *g, struct out *o, const char *const *cols, int n);
int synth_print_rows(struct gen *g, int after);

/* person.c */
int synth_gen_household(struct gen *g, unsigned long long *next, unsigned long long end);
int synth_expiry_of(struct date dob, struct date issue, struct date *exp);
void synth_fmt_dmy(char *buf, size_t n, struct date d);
void synth_render_addr(struct gen *g, const struct person *p, int fl, char *buf, size_t cap);

/* corrupt.c */
uint32_t synth_pick_ops(struct gen *g, int lg, uint32_t ok);
uint32_t synth_name_ok(const struct gen *g, const struct person *p, int lg);
uint32_t synth_render_name(struct gen *g, const struct person *p, uint32_t want, char *out,
                           size_t cap);
void synth_build_mrz(struct gen *g, const struct person *p, const char *id12, int has_exp,
                     struct date exp, char *out, size_t cap);

/* rows.c */
int synth_emit_person(struct gen *g, const struct person *p);

#endif
