/*
 * synth.c - synthetic population and dirty source files for `dancu synth`.
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
 *   province; only when the old ward maps to one new ward).
 * ID-card rows: NAME_UPPER 25 %; ADDR_2025_STYLE whenever the card was issued
 * from 2025-07-01 (new cards print the new units).
 * Planted problems for crosscheck (exact codes; 0.6 % of the rows of the
 * source named, at most one per row, such rows get no other corruption):
 *   household: ID_CHECK_SEX_CENTURY (G digit parity flipped), ID_BIRTH_YEAR_
 *   MISMATCH (YY changed), ID_PROVINCE_UNKNOWN (PPP a code missing from the 63
 *   of idformats §1.3), DOB_INVALID_DATE (30/02, 31/04, ...);
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
#include "synth.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- PRNG */

/* xoshiro256** seeded by splitmix64 (Blackman & Vigna): fast, good, and ours,
 * so the output never depends on the C library's rand(). */
struct rng {
    uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
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
static unsigned
rnd(struct rng *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

static double
rnd01(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int
chance(struct rng *r, double p)
{
    return rnd01(r) < p;
}

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): avoids mktime/gmtime and any time zone. */
static long
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

static struct date
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

static int
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long
dnum(struct date a)
{
    return days_from_civil(a.y, a.m, a.d);
}

/* Birthday at age `a`.  29 February falls back to 28 February in common
 * years: no rule is known (idformats §7 EXP-3), any fixed choice will do. */
static struct date
birthday_at(struct date dob, int a)
{
    struct date r = {dob.y + a, dob.m, dob.d};
    if (r.m == 2 && r.d == 29 && !is_leap(r.y))
        r.d = 28;
    return r;
}

/* Completed years of age on day t. */
static int
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

/* ---------------------------------------------------------------- UTF-8 and Vietnamese letters */

/* The 12 vowels x 6 tones (level, grave, acute, hook, tilde, dot), Unicode
 * precomposed forms; folding, case and tone moves need no ICU with these. */
static const char *const vrow_lo[12] = {"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ",
                                        "êềếểễệ", "iìíỉĩị", "oòóỏõọ", "ôồốổỗộ",
                                        "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ"};
static const char *const vrow_up[12] = {"AÀÁẢÃẠ", "ĂẰẮẲẴẶ", "ÂẦẤẨẪẬ", "EÈÉẺẼẸ",
                                        "ÊỀẾỂỄỆ", "IÌÍỈĨỊ", "OÒÓỎÕỌ", "ÔỒỐỔỖỘ",
                                        "ƠỜỚỞỠỢ", "UÙÚỦŨỤ", "ƯỪỨỬỮỰ", "YỲÝỶỸỴ"};
static const char vrow_base[] = "aaaeeiooouuy";
enum { ROW_O = 6, ROW_U = 9, ROW_A = 0, ROW_E = 3, ROW_Y = 11 };

struct vletter {
    uint32_t cp;
    unsigned char row, tone, up;
};

static size_t
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

static size_t
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

static void *
arena_alloc(struct arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        struct chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static char *
arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void
arena_free(struct arena *a)
{
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}

/* Weighted choice by cumulative weights and binary search. */
struct wtab {
    const char **s;
    double *cum;
    size_t n, cap;
};

static int
wtab_add(struct wtab *t, const char *s, double w)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        const char **ns = realloc(t->s, cap * sizeof *ns);
        if (!ns)
            return -1;
        t->s = ns;
        double *nc = realloc(t->cum, cap * sizeof *nc);
        if (!nc)
            return -1;
        t->cum = nc;
        t->cap = cap;
    }
    t->s[t->n] = s;
    t->cum[t->n] = (t->n ? t->cum[t->n - 1] : 0.0) + w;
    t->n++;
    return 0;
}

static const char *
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

static void
wtab_free(struct wtab *t)
{
    free(t->s);
    free(t->cum);
    memset(t, 0, sizeof *t);
}

struct ward {
    const char *pcode, *pname, *dcode, *dname, *wcode, *wname;
    const char *ncode, *nname, *npcode, *npname; /* "" when ambiguous / unknown */
    int nmap;                                    /* new wards it maps to */
};

/* 63 province codes of ID numbers, Circular 07/2016 Annex 1 (idformats §1.3):
 * "0" + the pre-2025 GSO province code. */
static const char *const id_prov[63] = {
    "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20",
    "22", "24", "25", "26", "27", "30", "31", "33", "34", "35", "36", "37", "38",
    "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60",
    "62", "64", "66", "67", "68", "70", "72", "74", "75", "77", "79", "80", "82",
    "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"};

/* Codes inside 001..096 that are not in the table above (units that no longer
 * existed in 2016, idformats §1.3): used for ID_PROVINCE_UNKNOWN. */
static const char *const id_prov_gap[] = {"003", "005", "007", "009", "013", "016", "018",
                                          "021", "023", "028", "029", "032", "039", "041",
                                          "043", "047", "050", "053", "055", "057", "059",
                                          "061", "063", "065", "069", "071", "073", "076",
                                          "078", "081", "085", "088", "090"};

/* 9-digit CMND prefix of the issuing provincial police (idformats §2.1).
 * Rows marked * are the note's "from memory, unverified" remainder; a prefix
 * is only a soft hint for crosscheck, so an error here misleads no check. */
static const struct {
    const char *prov, *prefix;
} cmnd_prefix[] = {
    {"01", "01"},  {"79", "02"},  {"31", "03"},  {"14", "05"},  {"02", "07"},  {"06", "095"},
    {"22", "10"},  {"17", "11"},  {"27", "12"},  {"24", "12"},  {"25", "13"},  {"30", "14"},
    {"33", "14"},  {"35", "16"},  {"42", "18"},  {"44", "19"},  {"45", "19"},  {"49", "20"},
    {"51", "21"},  {"52", "21"},  {"54", "22"},  {"56", "22"},  {"64", "230"}, {"58", "26"},
    {"60", "26"},  {"77", "27"},  {"74", "280"}, {"70", "285"}, {"72", "29"},  {"83", "32"},
    {"89", "35"},  {"93", "36"},  {"94", "36"},  {"95", "38"},
    /* unverified (*) */
    {"11", "04"},  {"12", "04"},  {"10", "06"},  {"15", "06"},  {"08", "07"},  {"04", "08"},
    {"20", "08"},  {"19", "090"}, {"26", "13"},  {"34", "15"},  {"36", "16"},  {"37", "16"},
    {"38", "17"},  {"40", "18"},  {"46", "19"},  {"48", "20"},  {"62", "23"},  {"66", "24"},
    {"67", "245"}, {"68", "25"},  {"75", "27"},  {"80", "30"},  {"82", "31"},  {"86", "33"},
    {"84", "33"},  {"87", "34"},  {"92", "36"},  {"91", "37"},  {"96", "38"}};

/* National surname shares "LTH" (names/surnames_published.csv, names/README
 * "Published figures"), used when --names is not given. */
static const struct {
    const char *name;
    double pct;
} lth_builtin[] = {{"Nguyễn", 38.4}, {"Trần", 12.1}, {"Lê", 9.5},  {"Phạm", 7.0},
                   {"Hoàng/Huỳnh", 5.1}, {"Phan", 4.5}, {"Vũ/Võ", 3.9}, {"Đặng", 2.1},
                   {"Bùi", 2.0},   {"Đỗ", 1.4},   {"Hồ", 1.3},  {"Ngô", 1.3},
                   {"Dương", 1.0}, {"Lý", 0.5}};

/* Built-in tails and parts: common names written by hand (no source needed;
 * used only without --names). */
static const char *const tail_builtin[] = {"Trịnh", "Mai",  "Đinh", "Trương", "Lâm", "Hà",
                                           "Phùng", "Đoàn", "Đào",  "Cao",    "Lương", "Tạ",
                                           "Lưu",   "Kiều", "Thái", "Tô",     "Châu", "La",
                                           "Tăng",  "Triệu", "Chu", "Khúc",   "Quách", "Văn"};
static const char *const mid_m_builtin[] = {"Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh",
                                            "Hoàng", "Ngọc", "Xuân", "Công", "Gia", "Đình",
                                            "Tuấn", "Anh", "Duy", "Trung", ""};
static const char *const mid_f_builtin[] = {"Thị", "Thị Thu", "Thị Thanh", "Ngọc", "Thị Ngọc",
                                            "Thu", "Thị Hồng", "Thị Mai", "Minh", "Phương",
                                            "Bảo", "Khánh", "Thị Kim", "Hồng", "Thanh", ""};
static const char *const giv_m_builtin[] = {"Anh", "Minh", "Huy", "Hùng", "Dũng", "Tuấn",
                                            "Hoàng", "Nam", "Long", "Quân", "Đức", "Thắng",
                                            "Hải", "Sơn", "Phúc", "Khoa", "Bình", "Hòa",
                                            "Toàn", "Trung", "Thành", "Việt", "Hiếu", "Duy",
                                            "Khánh", "Quý", "Tùng", "Đạt", "Lâm", "Ứng"};
static const char *const giv_f_builtin[] = {"Anh", "Linh", "Trang", "Thảo", "Hương", "Lan",
                                            "Hoa", "Ngọc", "Mai", "Hà", "Phương", "Nhung",
                                            "Hằng", "Thủy", "Yến", "Vy", "Nga", "Hòa",
                                            "Quỳnh", "Hạnh", "Ánh", "Uyên", "Loan", "Trinh",
                                            "Huyền", "Thúy", "Khuê", "Đào", "Ý", "Tuyết"};

/* 40 wards copied from refdata/admin_units_pre2025.csv, ward_mapping_2025.csv,
 * admin_units_2025.csv and province_mapping_2025.csv (six districts; Ba Đình
 * has split wards, whose new code is left empty). */
static const char *const dist_builtin[][6] = {
    /* province, name, district, name, 2025 province, name */
    {"01", "Thành phố Hà Nội", "001", "Quận Ba Đình",
     "01", "Thành phố Hà Nội"},
    {"79", "Thành phố Hồ Chí Minh", "765", "Quận Bình Thạnh",
     "79", "Thành phố Hồ Chí Minh"},
    {"34", "Tỉnh Thái Bình", "344", "Huyện Vũ Thư",
     "33", "Tỉnh Hưng Yên"},
    {"66", "Tỉnh Đắk Lắk", "654", "Huyện Krông Pắc",
     "66", "Tỉnh Đắk Lắk"},
    {"94", "Tỉnh Sóc Trăng", "947", "Huyện Mỹ Xuyên",
     "92", "Thành phố Cần Thơ"},
    {"40", "Tỉnh Nghệ An", "429", "Huyện Nghi Lộc",
     "40", "Tỉnh Nghệ An"},
};

static const struct {
    int dist;
    const char *wcode, *wname, *ncode, *nname;
} ward_builtin[] = {
    {0, "00001", "Phường Phúc Xá", "00097", "Phường Hồng Hà"},
    {0, "00004", "Phường Trúc Bạch", "00004", "Phường Ba Đình"},
    {0, "00006", "Phường Vĩnh Phúc", "00008", "Phường Ngọc Hà"},
    {0, "00007", "Phường Cống Vị", "", ""},
    {0, "00008", "Phường Liễu Giai", "00008", "Phường Ngọc Hà"},
    {0, "00013", "Phường Quán Thánh", "00004", "Phường Ba Đình"},
    {0, "00016", "Phường Ngọc Hà", "", ""},
    {0, "00019", "Phường Điện Biên", "", ""},
    {1, "26905", "Phường 13", "26905", "Phường Bình Lợi Trung"},
    {1, "26908", "Phường 11", "26905", "Phường Bình Lợi Trung"},
    {1, "26911", "Phường 27", "26911", "Phường Bình Quới"},
    {1, "26914", "Phường 26", "26929", "Phường Bình Thạnh"},
    {1, "26917", "Phường 12", "26929", "Phường Bình Thạnh"},
    {1, "26920", "Phường 25", "26956", "Phường Thạnh Mỹ Tây"},
    {1, "26923", "Phường 5", "26905", "Phường Bình Lợi Trung"},
    {1, "26926", "Phường 7", "26944", "Phường Gia Định"},
    {2, "13192", "Thị trấn Vũ Thư", "13192", "Xã Vũ Thư"},
    {2, "13195", "Xã Hồng Lý", "13219", "Xã Vạn Xuân"},
    {2, "13198", "Xã Đồng Thanh", "13219", "Xã Vạn Xuân"},
    {2, "13201", "Xã Xuân Hòa", "13219", "Xã Vạn Xuân"},
    {2, "13204", "Xã Hiệp Hòa", "13222", "Xã Thư Trì"},
    {2, "13207", "Xã Phúc Thành", "13225", "Phường Thái Bình"},
    {2, "13210", "Xã Tân Phong", "13225", "Phường Thái Bình"},
    {3, "24490", "Thị trấn Phước An", "24490", "Xã Krông Pắc"},
    {3, "24493", "Xã KRông Búk", "24496", "Xã Ea Kly"},
    {3, "24496", "Xã Ea Kly", "24496", "Xã Ea Kly"},
    {3, "24499", "Xã Ea Kênh", "24505", "Xã Ea Knuếc"},
    {3, "24502", "Xã Ea Phê", "24502", "Xã Ea Phê"},
    {3, "24505", "Xã Ea KNuec", "24505", "Xã Ea Knuếc"},
    {4, "31684", "Thị trấn Mỹ Xuyên", "31684", "Phường Mỹ Xuyên"},
    {4, "31690", "Xã Đại Tâm", "31684", "Phường Mỹ Xuyên"},
    {4, "31693", "Xã Tham Đôn", "31723", "Xã Ngọc Tố"},
    {4, "31708", "Xã Thạnh Phú", "31708", "Xã Nhu Gia"},
    {4, "31711", "Xã Ngọc Đông", "31723", "Xã Ngọc Tố"},
    {4, "31714", "Xã Thạnh Quới", "31726", "Xã Gia Hòa"},
    {5, "17827", "Thị trấn Quán Hành", "17827", "Xã Nghi Lộc"},
    {5, "17830", "Xã Nghi Văn", "17854", "Xã Văn Kiều"},
    {5, "17833", "Xã Nghi Yên", "17833", "Xã Hải Lộc"},
    {5, "17836", "Xã Nghi Tiến", "17833", "Xã Hải Lộc"},
    {5, "17839", "Xã Nghi Hưng", "17842", "Xã Thần Lĩnh"},
};

/* Minority groups in the provinces where they are most of the population,
 * names from refdata/ethnic_groups.csv; their common surnames from
 * names/README "Region" (Hmong Giàng/Vừ/Sùng, Thái Lò/Lường, Tày-Nùng
 * Nông/Bế, Khmer Thạch/Danh/Sơn/Kim).  Shares are rough assumptions; Central
 * Highlands naming (Y/H' prefixes, clan names) is not modelled. */
static const struct {
    const char *prov;
    double share;
    const char *ethnic;
    const char *surnames[5];
} minority[] = {
    {"02", 0.45, "Mông", {"Giàng", "Vừ", "Sùng", "Thào", "Lý"}},
    {"02", 0.25, "Tày", {"Nông", "Hoàng", "Ma", "Bế", "Hà"}},
    {"04", 0.45, "Tày", {"Nông", "Hoàng", "Bế", "Đàm", "Lục"}},
    {"04", 0.35, "Nùng", {"Nông", "Hoàng", "Lục", "Chu", "Lăng"}},
    {"10", 0.35, "Mông", {"Giàng", "Vừ", "Sùng", "Lý", "Thào"}},
    {"11", 0.40, "Thái", {"Lò", "Lường", "Quàng", "Cầm", "Lò"}},
    {"11", 0.35, "Mông", {"Giàng", "Vừ", "Sùng", "Thào", "Lý"}},
    {"12", 0.35, "Thái", {"Lò", "Lường", "Quàng", "Cầm", "Tòng"}},
    {"12", 0.35, "Mông", {"Giàng", "Vừ", "Sùng", "Thào", "Lý"}},
    {"14", 0.55, "Thái", {"Lò", "Lường", "Cầm", "Quàng", "Tòng"}},
    {"84", 0.30, "Khmer", {"Thạch", "Danh", "Sơn", "Kim", "Lâm"}},
    {"94", 0.30, "Khmer", {"Thạch", "Danh", "Sơn", "Kim", "Lâm"}},
    {"79", 0.05, "Hoa", {"Lâm", "Trương", "Quách", "Hứa", "Lý"}},
};

static const char *const streets[] = {"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng",
                                      "Lý Thường Kiệt", "Quang Trung", "Nguyễn Huệ",
                                      "Phan Chu Trinh", "Lê Duẩn", "Điện Biên Phủ",
                                      "Hùng Vương", "Võ Thị Sáu", "Trần Phú", "Bạch Đằng"};
static const char *const hamlets[] = {"Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung",
                                      "Tân Lập", "Đoàn Kết", "Hòa Bình", "Phú Mỹ", "An Thạnh",
                                      "Bình Minh", "Tân Hòa", "Quyết Tiến"};

/* ---------------------------------------------------------------- the generator state */

struct vlist {
    struct vletter v[150];
    size_t n;
};

enum { NSRC = 3, SRC_HH = 0, SRC_ID = 1, SRC_LG = 2 };
static const char *const src_name[NSRC] = {"household", "idcards", "legacy"};

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
    int hh_layout; /* header layout of household.csv (enum hh_layout) */
    int print_layout; /* dc_synth_opts.print_layout */
    unsigned long long id_mul, id_add; /* bijection of person index -> 6 digits */
    struct dc_synth_stats st;
    struct refload *rl; /* only while load_refdata runs */
    struct dc_error *err;
};

/* ---------------------------------------------------------------- letter helpers */

static int
vl_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct vletter *)a)->cp, y = ((const struct vletter *)b)->cp;
    return x < y ? -1 : x > y;
}

static void
vl_init(struct vlist *vl)
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

/* Bounded string builder: overflow is remembered and reported once. */
struct sb {
    char *p;
    size_t n, cap;
    int over;
};

static void
sb_init(struct sb *b, char *buf, size_t cap)
{
    b->p = buf;
    b->n = 0;
    b->cap = cap;
    b->over = 0;
    buf[0] = '\0';
}

static void
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

static void
sb_add(struct sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static void
sb_cp(struct sb *b, uint32_t cp)
{
    char t[4];
    sb_addn(b, t, utf8_enc(cp, t));
}

/* Fold to ASCII: marks dropped, Đ/đ and U+00D0 to D/d (ICAO 9303 Part 3 maps
 * Đ to D, idformats §4.5). */
static void
fold_to(const struct vlist *vl, const char *s, struct sb *o)
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

static void
upper_to(const struct vlist *vl, const char *s, struct sb *o)
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
static int
tone_swap_word(const struct vlist *vl, char *w, size_t cap)
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
static const char *const kb_near[26] = {
    "qsz", "vn", "xv", "sfe", "wr", "dg", "fh", "gj", "uo", "hk", "jl", "k", "n",
    "bm", "ip", "o", "w", "et", "ad", "ry", "yi", "cb", "qe", "zc", "tu", "x"};

/* One-letter typo in an ASCII letter of word w.  Returns 1 if w changed. */
static int
typo_word(struct rng *r, char *w, size_t cap)
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

/* Windows-1252 0x80..0x9F (the rest is Latin-1); undefined bytes stay C1. */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160,
    0x2039, 0x152, 0x8D, 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178};

/* ---------------------------------------------------------------- table loading */

#define MAX_LINE 4096
#define MAX_FIELDS 32
#define MAX_ROWS 200000
#define MAX_PART 64 /* bytes of one name part or code */

/* Split one RFC 4180 line in place (no embedded newlines in our tables). */
static int
split_csv(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        if (*p == '"') {
            char *o = ++p;
            f[n++] = o;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *o++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *o++ = *p++;
            }
            *o = '\0';
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\0')
                return n;
            return -1;
        }
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
}

typedef int (*row_fn)(struct gen *g, char **f, const char *path, long line);

/* Read dir/file, find the wanted columns by header name, call fn per row. */
static int
read_table(struct gen *g, const char *dir, const char *file, const char *const *cols, int ncols,
           row_fn fn)
{
    char path[4096];
    if (!dir || ncols > MAX_FIELDS)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "read_table: bad arguments");
    int k = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (k < 0 || (size_t)k >= sizeof path)
        return dc_error_set(g->err, DC_EX_USAGE, "%s: path too long", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return dc_error_set(g->err, DC_EX_NOINPUT, "%s/%s: %s", dir, file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long lno = 0, rows = 0;
    int idx[MAX_FIELDS], rc = 0;
    char *fld[MAX_FIELDS] = {0}, *want[MAX_FIELDS] = {0};
    ssize_t len;
    for (int c = 0; c < MAX_FIELDS; c++)
        idx[c] = -1;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lno++;
        if (len > MAX_LINE) {
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: line longer than %d bytes",
                              dir, file, lno, MAX_LINE);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        int nf = split_csv(line, fld, MAX_FIELDS);
        if (nf < 0) {
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: malformed CSV line", dir,
                              file, lno);
            break;
        }
        if (lno == 1) {
            for (int c = 0; c < ncols; c++) {
                idx[c] = -1;
                for (int j = 0; j < nf; j++)
                    if (strcmp(fld[j], cols[c]) == 0)
                        idx[c] = j;
                if (idx[c] < 0) {
                    rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s: no column '%s'", dir,
                                      file, cols[c]);
                    break;
                }
            }
            if (rc)
                break;
            continue;
        }
        if (++rows > MAX_ROWS) {
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s: more than %d rows", dir, file,
                              MAX_ROWS);
            break;
        }
        for (int c = 0; c < ncols; c++) {
            if (idx[c] < 0 || idx[c] >= nf) {
                rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: too few fields", dir,
                                  file, lno);
                break;
            }
            want[c] = fld[idx[c]];
            if (strlen(want[c]) > MAX_PART) {
                rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: field longer than %d bytes",
                                  dir, file, lno, MAX_PART);
                break;
            }
        }
        if (rc || fn(g, want, path, lno) < 0) {
            rc = -1;
            break;
        }
    }
    if (!rc && ferror(f))
        rc = dc_error_set(g->err, DC_EX_IOERR, "%s/%s: read error", dir, file);
    if (!rc && lno == 0)
        rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s: empty file", dir, file);
    free(line);
    fclose(f);
    return rc ? -1 : 0;
}

static int
oom(struct gen *g)
{
    return dc_error_set(g->err, DC_EX_OSERR, "out of memory");
}

static int
parse_weight(struct gen *g, const char *s, const char *path, long line, double *w)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || v > 1e9)
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad number");
    *w = v;
    return 0;
}

static int
is_top(struct gen *g, const char *s)
{
    for (size_t i = 0; i < g->sur_top.n; i++) {
        const char *t = g->sur_top.s[i];
        size_t n = strlen(s);
        /* "Hoàng/Huỳnh" covers both halves */
        const char *sl = strchr(t, '/');
        if (strcmp(t, s) == 0 || (sl && ((size_t)(sl - t) == n && strncmp(t, s, n) == 0)) ||
            (sl && strcmp(sl + 1, s) == 0))
            return 1;
    }
    return 0;
}

static int
row_lth(struct gen *g, char **f, const char *path, long line)
{
    double w = 0;
    if (strcmp(f[0], "LTH") != 0 || !f[1][0])
        return 0;
    if (parse_weight(g, f[2], path, line, &w) < 0)
        return -1;
    char *s = arena_strdup(&g->ar, f[1]);
    if (!s || wtab_add(&g->sur_top, s, w) < 0)
        return oom(g);
    return 0;
}

static int
row_surname(struct gen *g, char **f, const char *path, long line)
{
    double w = 0;
    if (parse_weight(g, f[1], path, line, &w) < 0)
        return -1;
    if (w <= 0 || !f[0][0] || is_top(g, f[0]))
        return 0;
    char *s = arena_strdup(&g->ar, f[0]);
    if (!s || wtab_add(&g->sur_tail, s, w) < 0)
        return oom(g);
    return 0;
}

static int
row_part(struct gen *g, struct wtab *t2, char **f, const char *path, long line)
{
    double w = 0;
    if (parse_weight(g, f[2], path, line, &w) < 0)
        return -1;
    if (w <= 0)
        return 0;
    int sx;
    if (strcmp(f[1], "M") == 0)
        sx = 0;
    else if (strcmp(f[1], "F") == 0)
        sx = 1;
    else
        return 0;
    char *s = arena_strdup(&g->ar, f[0]);
    if (!s || wtab_add(&t2[sx], s, w) < 0)
        return oom(g);
    return 0;
}

static int
row_middle(struct gen *g, char **f, const char *path, long line)
{
    return row_part(g, g->mid, f, path, line);
}

static int
row_given(struct gen *g, char **f, const char *path, long line)
{
    if (!f[0][0])
        return 0;
    return row_part(g, g->giv, f, path, line);
}

static int
load_names(struct gen *g, const char *dir)
{
    static const char *const c_pub[] = {"source_id", "surname", "pct"};
    static const char *const c_sur[] = {"surname", "count"};
    static const char *const c_mid[] = {"middle", "gender", "count"};
    static const char *const c_giv[] = {"given_name", "gender", "count"};

    if (!dir) {
        for (size_t i = 0; i < sizeof lth_builtin / sizeof lth_builtin[0]; i++)
            if (wtab_add(&g->sur_top, lth_builtin[i].name, lth_builtin[i].pct) < 0)
                return oom(g);
        for (size_t i = 0; i < sizeof tail_builtin / sizeof tail_builtin[0]; i++)
            if (wtab_add(&g->sur_tail, tail_builtin[i], 1.0) < 0)
                return oom(g);
        for (size_t i = 0; i < sizeof mid_m_builtin / sizeof mid_m_builtin[0]; i++)
            if (wtab_add(&g->mid[0], mid_m_builtin[i], i == 0 ? 4.0 : 1.0) < 0)
                return oom(g);
        for (size_t i = 0; i < sizeof mid_f_builtin / sizeof mid_f_builtin[0]; i++)
            if (wtab_add(&g->mid[1], mid_f_builtin[i], i == 0 ? 6.0 : 1.0) < 0)
                return oom(g);
        for (size_t i = 0; i < sizeof giv_m_builtin / sizeof giv_m_builtin[0]; i++)
            if (wtab_add(&g->giv[0], giv_m_builtin[i], 1.0) < 0)
                return oom(g);
        for (size_t i = 0; i < sizeof giv_f_builtin / sizeof giv_f_builtin[0]; i++)
            if (wtab_add(&g->giv[1], giv_f_builtin[i], 1.0) < 0)
                return oom(g);
    } else {
        /* the "rank" column is not needed; columns are found by name */
        if (read_table(g, dir, "surnames_published.csv", c_pub, 3, row_lth) < 0 ||
            read_table(g, dir, "surnames.csv", c_sur, 2, row_surname) < 0 ||
            read_table(g, dir, "middle_names.csv", c_mid, 3, row_middle) < 0 ||
            read_table(g, dir, "given_names.csv", c_giv, 3, row_given) < 0)
            return -1;
    }
    if (!g->sur_top.n || !g->sur_tail.n || !g->mid[0].n || !g->mid[1].n || !g->giv[0].n ||
        !g->giv[1].n)
        return dc_error_set(g->err, DC_EX_DATAERR, "%s: a name table has no usable rows",
                            dir ? dir : "built-in");
    double top = g->sur_top.cum[g->sur_top.n - 1];
    if (top > 100.0)
        return dc_error_set(g->err, DC_EX_DATAERR, "%s: LTH shares add up to more than 100",
                            dir);
    g->top_share = top / 100.0;
    return 0;
}

/* ---- refdata */

struct newunit {
    const char *code, *name;
};

struct refload {
    struct ward *w;
    size_t n, cap;
    struct newunit *nu;
    size_t nnu, capnu;
    const char *pmap[100][2]; /* old province code -> new code, new name */
};

static int
ward_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ward *)a)->wcode, ((const struct ward *)b)->wcode);
}

static int
nu_cmp(const void *a, const void *b)
{
    return strcmp(((const struct newunit *)a)->code, ((const struct newunit *)b)->code);
}

static int
digits_n(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int
row_ward(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!digits_n(f[0], 2) || !digits_n(f[2], 3) || !digits_n(f[4], 5))
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad unit code");
    if (rl->n == rl->cap) {
        size_t cap = rl->cap ? rl->cap * 2 : 1024;
        struct ward *nw = realloc(rl->w, cap * sizeof *nw);
        if (!nw)
            return oom(g);
        rl->w = nw;
        rl->cap = cap;
    }
    struct ward *w = &rl->w[rl->n];
    const char **dst[6] = {&w->pcode, &w->pname, &w->dcode, &w->dname, &w->wcode, &w->wname};
    for (int i = 0; i < 6; i++)
        if (!(*dst[i] = arena_strdup(&g->ar, f[i])))
            return oom(g);
    w->ncode = w->nname = w->npcode = w->npname = "";
    w->nmap = 0;
    rl->n++;
    return 0;
}

static int
row_newunit(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!digits_n(f[0], 5))
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad ward code");
    if (rl->nnu == rl->capnu) {
        size_t cap = rl->capnu ? rl->capnu * 2 : 1024;
        struct newunit *n = realloc(rl->nu, cap * sizeof *n);
        if (!n)
            return oom(g);
        rl->nu = n;
        rl->capnu = cap;
    }
    rl->nu[rl->nnu].code = arena_strdup(&g->ar, f[0]);
    rl->nu[rl->nnu].name = arena_strdup(&g->ar, f[1]);
    if (!rl->nu[rl->nnu].code || !rl->nu[rl->nnu].name)
        return oom(g);
    rl->nnu++;
    return 0;
}

static int
row_wmap(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!f[0][0]) /* special zones made of districts without wards */
        return 0;
    struct ward key;
    key.wcode = f[0];
    struct ward *w = rl->n ? bsearch(&key, rl->w, rl->n, sizeof *rl->w, ward_cmp) : NULL;
    if (!w)
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL,
                           "old ward code not in the catalogue");
    if (w->nmap == 0 && !(w->ncode = arena_strdup(&g->ar, f[1])))
        return oom(g);
    w->nmap++;
    return 0;
}

static int
row_pmap(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!digits_n(f[0], 2) || !digits_n(f[1], 2))
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad province code");
    int k = (f[0][0] - '0') * 10 + (f[0][1] - '0');
    rl->pmap[k][0] = arena_strdup(&g->ar, f[1]);
    rl->pmap[k][1] = arena_strdup(&g->ar, f[2]);
    if (!rl->pmap[k][0] || !rl->pmap[k][1])
        return oom(g);
    return 0;
}

static int
load_refdata(struct gen *g, const char *dir)
{
    static const char *const c_w[] = {"province_code", "province_name", "district_code",
                                      "district_name", "ward_code",     "ward_name"};
    static const char *const c_n[] = {"ward_code", "ward_name"};
    static const char *const c_m[] = {"old_ward_code", "new_ward_code"};
    static const char *const c_p[] = {"old_province_code", "new_province_code",
                                      "new_province_name"};
    size_t nb = sizeof ward_builtin / sizeof ward_builtin[0];

    if (!dir) {
        g->wards = calloc(nb, sizeof *g->wards);
        if (!g->wards)
            return oom(g);
        for (size_t i = 0; i < nb; i++) {
            const char *const *d = dist_builtin[ward_builtin[i].dist];
            struct ward *w = &g->wards[i];
            *w = (struct ward){d[0], d[1], d[2], d[3], ward_builtin[i].wcode,
                               ward_builtin[i].wname, ward_builtin[i].ncode,
                               ward_builtin[i].nname, d[4], d[5],
                               ward_builtin[i].ncode[0] ? 1 : 2};
        }
        g->nwards = nb;
        return 0;
    }
    struct refload rl;
    memset(&rl, 0, sizeof rl);
    g->rl = &rl;
    int rc = read_table(g, dir, "admin_units_pre2025.csv", c_w, 6, row_ward);
    if (!rc) {
        if (rl.n) /* qsort wants a non-NULL base even for 0 rows (fuzz crash seed) */
            qsort(rl.w, rl.n, sizeof *rl.w, ward_cmp);
        for (size_t i = 1; i < rl.n && !rc; i++)
            if (strcmp(rl.w[i - 1].wcode, rl.w[i].wcode) == 0)
                rc = dc_error_set(g->err, DC_EX_DATAERR,
                                  "%s/admin_units_pre2025.csv: duplicate ward code", dir);
    }
    if (!rc)
        rc = read_table(g, dir, "ward_mapping_2025.csv", c_m, 2, row_wmap);
    if (!rc)
        rc = read_table(g, dir, "admin_units_2025.csv", c_n, 2, row_newunit);
    if (!rc)
        rc = read_table(g, dir, "province_mapping_2025.csv", c_p, 3, row_pmap);
    if (!rc) {
        if (rl.nnu)
            qsort(rl.nu, rl.nnu, sizeof *rl.nu, nu_cmp);
        for (size_t i = 0; i < rl.n; i++) {
            struct ward *w = &rl.w[i];
            int pk = (w->pcode[0] - '0') * 10 + (w->pcode[1] - '0');
            if (rl.pmap[pk][0]) {
                w->npcode = rl.pmap[pk][0];
                w->npname = rl.pmap[pk][1];
            }
            if (w->nmap != 1) {
                w->ncode = "";
                continue;
            }
            struct newunit key = {w->ncode, NULL};
            struct newunit *u = rl.nnu ? bsearch(&key, rl.nu, rl.nnu, sizeof *rl.nu, nu_cmp) : NULL;
            if (!u || !w->npcode[0]) {
                w->ncode = ""; /* cannot print a 2025 address for it */
                w->nmap = 0;
            } else {
                w->nname = u->name;
            }
        }
        if (rl.n == 0)
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s: no wards", dir);
    }
    free(rl.nu);
    g->rl = NULL;
    if (rc) {
        free(rl.w);
        return -1;
    }
    g->wards = rl.w;
    g->nwards = rl.n;
    return 0;
}

/* ---------------------------------------------------------------- output files */

static int
out_open(struct gen *g, struct out *o, const char *dir, const char *name, char delim,
         const char *eol)
{
    int k = snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->delim = delim;
    o->eol = eol;
    o->cd = (iconv_t)-1;
    if (k < 0 || (size_t)k >= sizeof o->path)
        return dc_error_set(g->err, DC_EX_USAGE, "output directory path too long");
    /* 0600: the files are shaped like personal data (DESIGN.md "Fixed points") */
    int fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return dc_error_set(g->err, DC_EX_CANTCREAT, "%s: %s", o->path, strerror(errno));
    if (fchmod(fd, 0600) < 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        return dc_error_set(g->err, DC_EX_CANTCREAT, "%s: %s", o->path, strerror(e));
    }
    if (setvbuf(o->f, NULL, _IOFBF, 1 << 16) != 0) {
        fclose(o->f);
        o->f = NULL;
        return dc_error_set(g->err, DC_EX_OSERR, "%s: cannot set buffer", o->path);
    }
    return 0;
}

static int
out_close(struct gen *g, struct out *o)
{
    int rc = 0;
    if (o->f) {
        if (ferror(o->f) | fclose(o->f))
            rc = dc_error_set(g->err, DC_EX_IOERR, "%s: write error", o->path);
        o->f = NULL;
    }
    if (o->cd != (iconv_t)-1)
        iconv_close(o->cd);
    o->cd = (iconv_t)-1;
    free(o->conv);
    o->conv = NULL;
    return rc;
}

#define ROWCAP 8192

struct row {
    struct sb b;
    char buf[ROWCAP];
    int nf;
    char delim;
};

static void
row_begin(struct row *r, char delim)
{
    sb_init(&r->b, r->buf, sizeof r->buf);
    r->nf = 0;
    r->delim = delim;
}

/* RFC 4180: quote a field holding the delimiter, a quote, CR or LF. */
static void
row_field(struct row *r, const char *s)
{
    char d[2] = {r->delim, 0};
    if (r->nf++)
        sb_add(&r->b, d);
    if (!strpbrk(s, "\"\r\n") && !strchr(s, r->delim)) {
        sb_add(&r->b, s);
        return;
    }
    sb_add(&r->b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_add(&r->b, "\"");
        sb_addn(&r->b, p, 1);
    }
    sb_add(&r->b, "\"");
}

static void
row_fieldf(struct row *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void
row_fieldf(struct row *r, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof tmp)
        r->b.over = 1;
    else
        row_field(r, tmp);
}

/* Convert one row to the legacy encoding.  A character the code page lacks
 * (none expected: legacy rows get no NBSP/Ð/mojibake noise) becomes '?'. */
/*
 * TCVN3 ("ABC") fonts have no code for a capital letter with a tone mark:
 * files typed with them hold such letters in lower case (a capital font
 * drew them), and glibc's TCVN5712-1 would put them in bytes 0x01-0x17 and
 * 0x80-0x9F that real ABC files never contain (normalize.md §4.1-4.3).  So
 * before converting to TCVN3, toned capitals become their lower-case letter,
 * in place (same UTF-8 length); normalize restores the case.
 */
static void
abc_lower_toned_caps(char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        if (b == 0xC3 && i + 1 < n) {
            /* Latin-1 capitals with a tone: À Á Ã È É Ì Í Ò Ó Õ Ù Ú Ý */
            static const char toned[] = "\x80\x81\x83\x88\x89\x8C\x8D\x92\x93\x95\x99\x9A\x9D";
            if (strchr(toned, s[i + 1]))
                s[i + 1] = (char)((unsigned char)s[i + 1] + 0x20);
            i += 2;
        } else if (b == 0xC4 && i + 1 < n && (unsigned char)s[i + 1] == 0xA8) {
            s[i + 1] = (char)0xA9; /* Ĩ -> ĩ */
            i += 2;
        } else if (b == 0xC5 && i + 1 < n && (unsigned char)s[i + 1] == 0xA8) {
            s[i + 1] = (char)0xA9; /* Ũ -> ũ */
            i += 2;
        } else if (b == 0xE1 && i + 2 < n && ((unsigned char)s[i + 1] == 0xBA ||
                                             (unsigned char)s[i + 1] == 0xBB)) {
            /* U+1EA0-U+1EF9: even code points are capitals */
            unsigned cp = 0x1000u | (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                          ((unsigned char)s[i + 2] & 0x3Fu);
            if (cp >= 0x1EA0 && cp <= 0x1EF8 && !(cp & 1))
                s[i + 2] = (char)((unsigned char)s[i + 2] + 1);
            i += 3;
        } else {
            i++;
        }
    }
}

static int
row_iconv(struct gen *g, struct out *o, const char *s, size_t n, const char **res, size_t *rn)
{
    if (g->legacy_tcvn)
        abc_lower_toned_caps((char *)s, n);
    if (o->convcap < 2 * n + 16) {
        size_t cap = 2 * n + 16;
        char *c = realloc(o->conv, cap);
        if (!c)
            return oom(g);
        o->conv = c;
        o->convcap = cap;
    }
    char *in = (char *)s, *out = o->conv;
    size_t inl = n, outl = o->convcap;
    while (inl > 0) {
        if (iconv(o->cd, &in, &inl, &out, &outl) != (size_t)-1)
            break;
        if (errno == EILSEQ || errno == EINVAL) {
            uint32_t cp;
            size_t k = utf8_dec(in, &cp);
            in += k;
            inl = inl > k ? inl - k : 0;
            if (outl == 0)
                return dc_error_set(g->err, DC_EX_SOFTWARE, "legacy row conversion overflow");
            *out++ = '?';
            outl--;
        } else {
            return dc_error_set(g->err, DC_EX_SOFTWARE, "legacy row conversion overflow");
        }
    }
    if (iconv(o->cd, NULL, NULL, &out, &outl) == (size_t)-1)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "legacy row conversion failed");
    *res = o->conv;
    *rn = o->convcap - outl;
    return 0;
}

static int
row_write(struct gen *g, struct out *o, struct row *r)
{
    sb_add(&r->b, o->eol);
    if (r->b.over)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "%s: row longer than %d bytes", o->path,
                            ROWCAP);
    const char *s = r->b.p;
    size_t n = r->b.n;
    if (o->cd != (iconv_t)-1 && row_iconv(g, o, r->b.p, r->b.n, &s, &n) < 0)
        return -1;
    if (fwrite(s, 1, n, o->f) != n || ferror(o->f))
        return dc_error_set(g->err, DC_EX_IOERR, "%s: write error", o->path);
    return 0;
}

static int
write_header(struct gen *g, struct out *o, const char *const *cols, int n)
{
    struct row r;
    row_begin(&r, o->delim);
    for (int i = 0; i < n; i++)
        row_field(&r, cols[i]);
    return row_write(g, o, &r);
}

/* The lines a register laid out for printing has above its header (before 0) or below
 * its people (1): the national motto and a title; a blank row, the total, the place and
 * date, who signs.  Written as rows of the header's width, as a spreadsheet saves them;
 * not counted in the rows of household.csv (they are no records). */
static int
print_rows(struct gen *g, int after)
{
    static const char *const above[] = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                        "Độc lập - Tự do - Hạnh phúc", "",
                                        "DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ"};
    struct out *o = &g->src[SRC_HH];
    unsigned long long rows = o->rows;
    char total[64], line[4][48];
    const char *below[4];

    snprintf(total, sizeof total, "Tổng cộng: %llu nhân khẩu", rows);
    below[0] = "";
    below[1] = total;
    below[2] = "Người lập biểu";
    below[3] = "(Ký, ghi rõ họ tên)";
    for (int i = 0; i < 4; i++) {
        struct row r;

        snprintf(line[i], sizeof line[i], "%s", after ? below[i] : above[i]);
        row_begin(&r, o->delim);
        row_field(&r, line[i]);
        for (int c = 1; c < 9; c++)
            row_field(&r, "");
        if (row_write(g, o, &r) < 0)
            return -1;
    }
    o->rows = rows;
    return 0;
}

/* ---------------------------------------------------------------- persons */

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

static int
south(const struct ward *w)
{
    /* Huế (46) and southward: where Huỳnh and Võ dominate (names/README) */
    return strcmp(w->pcode, "46") >= 0;
}

/* Parts are at most MAX_PART bytes (checked when the tables are read). */
static void
copy_part(char *dst, const char *s)
{
    size_t n = strnlen(s, MAX_PART);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void
pick_surname(struct gen *g, const struct household *h, char *dst)
{
    if (h->eth >= 0) {
        copy_part(dst, minority[h->eth].surnames[rnd(&g->r, 5)]);
        return;
    }
    const char *s = rnd01(&g->r) < g->top_share ? wtab_pick(&g->sur_top, &g->r)
                                                 : wtab_pick(&g->sur_tail, &g->r);
    const char *sl = strchr(s, '/');
    if (!sl) {
        copy_part(dst, s);
        return;
    }
    if (chance(&g->r, south(h->w) ? 0.7 : 0.1))
        copy_part(dst, sl + 1);
    else
        snprintf(dst, MAX_PART + 1, "%.*s", (int)(sl - s), s);
}

static void
make_dob(struct gen *g, struct person *p, int age)
{
    long hi = days_from_civil(REF_Y - age, REF_M, REF_D);
    long lo = days_from_civil(REF_Y - age - 1, REF_M, REF_D) + 1;
    p->dob = civil_from_days(lo + (long)rnd(&g->r, (unsigned)(hi - lo + 1)));
    p->age = age;
    /* some old people are known by year only (idformats §7 DOB-3) */
    p->year_only = p->dob.y < 1950 && chance(&g->r, 0.2);
}

static void
make_names(struct gen *g, struct person *p)
{
    int sx = p->female;
    /* older cohorts: far more Văn/Thị (names/README "Cohorts") */
    double pvt = p->dob.y < 1960 ? 0.7 : p->dob.y < 1980 ? 0.5 : p->dob.y < 2000 ? 0.25 : 0.08;
    if (chance(&g->r, pvt))
        copy_part(p->mid, sx ? "Thị" : "Văn");
    else
        copy_part(p->mid, wtab_pick(&g->mid[sx], &g->r));
    copy_part(p->giv, wtab_pick(&g->giv[sx], &g->r));
    if (p->mid[0])
        snprintf(p->full, sizeof p->full, "%s %s %s", p->fam, p->mid, p->giv);
    else
        snprintf(p->full, sizeof p->full, "%s %s", p->fam, p->giv);
}

static void
make_ids(struct gen *g, struct person *p, unsigned long long idx)
{
    /* Decree 137/2015 Art. 13, Circular 07/2016: PPP = province of birth
     * registration (mostly where the family lives), G = century + sex, YY */
    const char *pp = chance(&g->r, 0.85) ? p->w->pcode : id_prov[rnd(&g->r, 63)];
    int valid = 0;
    for (int i = 0; i < 63; i++)
        valid |= strcmp(pp, id_prov[i]) == 0;
    if (!valid) /* a refdata province outside the 63 (cannot happen pre-2025) */
        pp = id_prov[rnd(&g->r, 63)];
    int gd = (p->dob.y >= 2000 ? 2 : 0) + p->female;
    unsigned long long suf = (idx % 1000000ULL * g->id_mul + g->id_add) % 1000000ULL;
    snprintf(p->id12, sizeof p->id12, "0%s%d%02d%06llu", pp, gd, p->dob.y % 100, suf);

    p->cmnd[0] = '\0';
    /* 9-digit CMND: issued from 14 until the chip CCCD replaced it (2021) */
    if (p->dob.y <= 2006 && chance(&g->r, 0.6)) {
        const char *pre = "01";
        for (size_t i = 0; i < sizeof cmnd_prefix / sizeof cmnd_prefix[0]; i++)
            if (strcmp(cmnd_prefix[i].prov, p->w->pcode) == 0) {
                pre = cmnd_prefix[i].prefix;
                break;
            }
        size_t n = strlen(pre);
        memcpy(p->cmnd, pre, n);
        for (; n < 9; n++)
            p->cmnd[n] = (char)('0' + rnd(&g->r, 10));
        p->cmnd[9] = '\0';
    }

    /* card: mandatory from 14 (Law 2014 Art. 19); under 14 on request from
     * 2024-07-01 (Law 26/2023 Art. 19).  Chip cards only, i.e. from 2021. */
    p->card = 0;
    if (p->year_only)
        return;
    struct date t14 = birthday_at(p->dob, 14);
    long lo, hi = dnum(ref_date) - 1;
    if (p->age >= 14 && chance(&g->r, 0.92)) {
        lo = dnum(t14) > dnum(chip2021) ? dnum(t14) : dnum(chip2021);
    } else if (p->age < 14 && chance(&g->r, 0.1)) {
        lo = dnum(p->dob) + 1 > dnum(law2024) ? dnum(p->dob) + 1 : dnum(law2024);
    } else {
        return;
    }
    if (lo > hi)
        return;
    p->card = 1;
    p->issue = civil_from_days(lo + (long)rnd(&g->r, (unsigned)(hi - lo + 1)));
}

/* Expiry, idformats §7 EXP-1: birthday at the first change age a with
 * issue_age < a - 2; change ages 25/40/60 before 2024-07-01 and 14/25/40/60
 * from then on.  Returns 0 for "no expiry". */
static int
expiry_of(struct date dob, struct date issue, struct date *exp)
{
    static const int ages[] = {14, 25, 40, 60};
    int ia = age_on(dob, issue);
    int from = dnum(issue) >= dnum(law2024) ? 0 : 1;
    for (int i = from; i < 4; i++)
        if (ia < ages[i] - 2) {
            *exp = birthday_at(dob, ages[i]);
            return 1;
        }
    return 0;
}

/* ---------------------------------------------------------------- rendering */

static void
fmt_dmy(char *buf, size_t n, struct date d)
{
    snprintf(buf, n, "%02d/%02d/%04d", d.d, d.m, d.y);
}

static const char *
strip_prefix(const char *s, const char *pre)
{
    size_t n = strlen(pre);
    return strncmp(s, pre, n) == 0 ? s + n : NULL;
}

/* Clerks' abbreviations of unit types (normalize.md §2.7; the brief's
 * examples "P.3, Q.Bình Thạnh, TP.HCM" and "X. ... H. ... T. ...").  sp 2:
 * glued, no dot and no space ("XPhước Vĩnh Đông", "QBình Thạnh", issue 13
 * §2.6), for the ward and district types. */
static void
abbr_unit(struct sb *o, const char *name, int sp)
{
    static const struct {
        const char *full, *abbr;
    } t[] = {{"Thành phố Hồ Chí Minh", "TP.HCM"}, {"Phường ", "P."}, {"Xã ", "X."},
             {"Thị trấn ", "TT."}, {"Quận ", "Q."}, {"Huyện ", "H."}, {"Thị xã ", "TX."},
             {"Thành phố ", "TP."}, {"Tỉnh ", "T."}, {"Đặc khu ", "ĐK."}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *rest = strip_prefix(name, t[i].full);
        if (!rest)
            continue;
        size_t al = strlen(t[i].abbr);
        int glue = sp == 2 && t[i].abbr[al - 1] == '.' && i >= 1 && i <= 7 && *rest;
        if (glue) {
            char ab[8];
            snprintf(ab, sizeof ab, "%.*s", (int)(al - 1), t[i].abbr);
            sb_add(o, ab);
            sb_add(o, rest);
            return;
        }
        sb_add(o, t[i].abbr);
        if (*rest) {
            if (sp && !(rest[0] >= '0' && rest[0] <= '9'))
                sb_add(o, " ");
            sb_add(o, rest);
        }
        return;
    }
    sb_add(o, name);
}

enum { A_ABBR = 1, A_FOLD = 2, A_NEW = 4 };

static void
render_addr(struct gen *g, const struct person *p, int fl, char *buf, size_t cap)
{
    struct sb a, o;
    char tmp[1024];
    sb_init(&a, tmp, sizeof tmp);
    const struct ward *w = p->w;
    const char *units[3] = {w->wname, w->dname, w->pname};
    int nu = 3;
    if ((fl & A_NEW) && w->ncode[0]) {
        units[0] = w->nname;
        units[1] = w->npname;
        nu = 2;
    }
    sb_add(&a, p->detail);
    int sp = chance(&g->r, 0.4);
    /* Kinds of mess seen in real strings (issue 13 §2.6, §2.8, §2.10), chosen
     * from the address itself so that the generator draws no more numbers
     * and every other byte stays as before: a type word glued to the name,
     * dashes or spaces as the only separators, the district left out. */
    uint32_t h = 2166136261u;
    for (const char *q = p->detail; *q; q++)
        h = (h ^ (unsigned char)*q) * 16777619u;
    for (const char *q = w->wname; *q; q++)
        h = (h ^ (unsigned char)*q) * 16777619u;
    const char *sep = ", ";
    if ((fl & A_FOLD) && h % 8 < 3)
        sep = h % 8 == 2 ? " " : " - ";
    int glue = (fl & A_ABBR) && (h >> 3) % 4 == 0;
    int nodist = nu == 3 && (fl & (A_ABBR | A_FOLD)) && (h >> 5) % 8 == 0;
    for (int i = 0; i < nu; i++) {
        if (nodist && i == 1)
            continue;
        sb_add(&a, sep);
        if (fl & A_ABBR)
            abbr_unit(&a, units[i], glue && i < nu - 1 ? 2 : sp);
        else
            sb_add(&a, units[i]);
    }
    sb_init(&o, buf, cap);
    if (fl & A_FOLD)
        fold_to(&g->vl, tmp, &o);
    else
        sb_add(&o, tmp);
}

static int
pcode_num(const struct ward *w)
{
    return (w->pcode[0] - '0') * 10 + (w->pcode[1] - '0');
}

/* House number and street in towns, hamlet in the countryside: thôn/xóm in
 * the north and centre, ấp in the south (forms as in the brief's examples). */
static void
make_detail(struct gen *g, const struct ward *w, char *buf, size_t n)
{
    int urban = strip_prefix(w->wname, "Phường ") || strip_prefix(w->wname, "Thị trấn ");
    int pc = pcode_num(w);
    unsigned r = rnd(&g->r, 4);
    const char *st = streets[rnd(&g->r, sizeof streets / sizeof streets[0])];
    const char *hm = hamlets[rnd(&g->r, sizeof hamlets / sizeof hamlets[0])];
    unsigned a = 1 + rnd(&g->r, 199), b = 1 + rnd(&g->r, 40);
    if (urban) {
        if (r == 0)
            snprintf(buf, n, "Tổ %u", b);
        else if (r == 1 && pc >= 70)
            snprintf(buf, n, "%u/%u %s", a, b, st);
        else if (r == 1)
            snprintf(buf, n, "Số %u ngõ %u %s", a, b, st);
        else if (pc >= 70)
            snprintf(buf, n, "%u %s", a, st);
        else
            snprintf(buf, n, "Số %u đường %s", a, st);
    } else if (pc >= 70) {
        if (r < 2)
            snprintf(buf, n, "Ấp %s", hm);
        else
            snprintf(buf, n, "Ấp %u", 1 + rnd(&g->r, 12));
    } else {
        if (r < 2)
            snprintf(buf, n, "Thôn %s", hm);
        else
            snprintf(buf, n, "Xóm %u", 1 + rnd(&g->r, 15));
    }
}

/* ---------------------------------------------------------------- corruption */

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
    OP_N
};

/* code, weight in household rows, weight in legacy rows (see file comment) */
static const struct {
    const char *code;
    unsigned char w[2];
} ops[OP_N] = {
    {"NAME_TYPO", {20, 20}},          {"NAME_NO_DIACRITICS", {8, 15}},
    {"NAME_TONE_PLACEMENT", {8, 8}},  {"NAME_SURNAME_VARIANT", {5, 5}},
    {"NAME_MIDDLE_DROPPED", {6, 6}},  {"NAME_UPPER", {8, 15}},
    {"NAME_DOUBLE_SPACE", {5, 0}},    {"NAME_NBSP", {3, 0}},
    {"NAME_ETH_D", {3, 0}},           {"NAME_MOJIBAKE", {2, 0}},
    {"DOB_DAY_MONTH_SWAP", {5, 6}},   {"DOB_YEAR_ONLY", {4, 5}},
    {"DOB_SHORT_YEAR", {6, 0}},       {"ID_LEADING_ZERO_LOST", {4, 0}},
    {"ID_DIGIT_TYPO", {3, 0}},        {"ID_SPREADSHEET_EXPONENT", {1, 0}},
    {"ID_WRONG_COLUMN", {2, 3}},      {"CMND_LEADING_ZERO_LOST", {0, 4}},
    {"MISSING_DOB", {2, 2}},
    {"MISSING_SEX", {2, 2}},          {"MISSING_ID", {3, 0}},
    {"MISSING_ADDRESS", {2, 2}},      {"ADDR_ABBREV", {10, 0}},
    {"ADDR_NO_DIACRITICS", {4, 10}},  {"ADDR_2025_STYLE", {8, 0}},
};

#define BIT(o) (1u << (o))

/* Ops that make each other invisible on the same field: only one is kept. */
static uint32_t
excludes(int o)
{
    const uint32_t name_a = BIT(OP_NAME_NO_DIACRITICS) | BIT(OP_NAME_TONE) | BIT(OP_NAME_ETH) |
                            BIT(OP_NAME_MOJI);
    const uint32_t space = BIT(OP_NAME_DSPACE) | BIT(OP_NAME_NBSP);
    const uint32_t dob = BIT(OP_DOB_SWAP) | BIT(OP_DOB_YEAR) | BIT(OP_DOB_SHORT) |
                         BIT(OP_MISS_DOB);
    const uint32_t id = BIT(OP_ID_ZERO) | BIT(OP_ID_TYPO) | BIT(OP_MISS_ID) | BIT(OP_ID_EXP) |
                        BIT(OP_ID_COL) | BIT(OP_CMND_ZERO);
    const uint32_t addr = BIT(OP_MISS_ADDR) | BIT(OP_ADDR_ABBR) | BIT(OP_ADDR_FOLD) |
                          BIT(OP_ADDR_NEW);
    uint32_t b = BIT(o);
    if (b & name_a)
        return name_a;
    if (b & space)
        return space;
    if (b & dob)
        return dob;
    if (b & id)
        return id;
    if (o == OP_MISS_ADDR)
        return addr;
    if (b & addr) /* abbreviation, folding and 2025 units combine */
        return BIT(OP_MISS_ADDR) | b;
    return b;
}

/* FEBRL-style budget: k modifications, each picked by weight among the ops
 * that apply and are not excluded by an earlier pick. */
static uint32_t
pick_ops(struct gen *g, int lg, uint32_t ok)
{
    static const double pk[2][4] = {{0.62, 0.25, 0.09, 0.04}, {0.45, 0.30, 0.15, 0.10}};
    double x = rnd01(&g->r);
    int k = 0;
    while (k < 3 && x >= pk[lg][k]) {
        x -= pk[lg][k];
        k++;
    }
    uint32_t chosen = 0;
    for (int i = 0; i < k; i++) {
        unsigned tot = 0;
        for (int o = 0; o < OP_N; o++)
            if (ok & BIT(o))
                tot += ops[o].w[lg];
        if (!tot)
            break;
        unsigned y = rnd(&g->r, tot);
        for (int o = 0; o < OP_N; o++) {
            if (!(ok & BIT(o)))
                continue;
            if (y < ops[o].w[lg]) {
                chosen |= BIT(o);
                ok &= ~excludes(o);
                break;
            }
            y -= ops[o].w[lg];
        }
    }
    return chosen;
}

static int
has_nonascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

static int
can_tone(const struct gen *g, const struct person *p)
{
    char w[3][MAX_PART + 8];
    snprintf(w[0], sizeof w[0], "%s", p->fam);
    snprintf(w[1], sizeof w[1], "%s", p->giv);
    const char *sp = strrchr(p->mid, ' ');
    snprintf(w[2], sizeof w[2], "%s", sp ? sp + 1 : p->mid);
    int c = 0;
    for (int i = 0; i < 3; i++)
        c |= tone_swap_word(&g->vl, w[i], sizeof w[i]);
    if (sp) { /* first middle word too */
        char m[MAX_PART + 8];
        snprintf(m, sizeof m, "%.*s", (int)(sp - p->mid), p->mid);
        c |= tone_swap_word(&g->vl, m, sizeof m);
    }
    return c;
}

static const char *const survar[][2] = {{"Hoàng", "Huỳnh"}, {"Huỳnh", "Hoàng"}, {"Vũ", "Võ"},
                                        {"Võ", "Vũ"}};

static int
can_survar(const struct person *p)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(p->fam, survar[i][0]) == 0)
            return 1;
    return 0;
}

static uint32_t
name_ok(const struct gen *g, const struct person *p, int lg)
{
    uint32_t ok = BIT(OP_NAME_TYPO) | BIT(OP_NAME_UPPER);
    if (has_nonascii(p->full))
        ok |= BIT(OP_NAME_NO_DIACRITICS) | (lg ? 0 : BIT(OP_NAME_MOJI));
    if (!lg)
        ok |= BIT(OP_NAME_DSPACE) | BIT(OP_NAME_NBSP);
    if (!lg && (strstr(p->full, "Đ") || strstr(p->full, "đ")))
        ok |= BIT(OP_NAME_ETH);
    if (p->mid[0])
        ok |= BIT(OP_NAME_MIDDROP);
    if (can_survar(p))
        ok |= BIT(OP_NAME_SURVAR);
    if (can_tone(g, p))
        ok |= BIT(OP_NAME_TONE);
    return ok;
}

/* Replace the n-th space of s (in place, s has room) by rep. */
static void
replace_space(char *s, size_t cap, unsigned nth, const char *rep)
{
    char *p = s;
    for (;;) {
        p = strchr(p, ' ');
        if (!p)
            return;
        if (nth-- == 0)
            break;
        p++;
    }
    size_t rl = strlen(rep), len = strlen(s);
    if (len + rl >= cap)
        return;
    memmove(p + rl, p + 1, len - (size_t)(p - s));
    memcpy(p, rep, rl);
}

static unsigned
count_spaces(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == ' ';
    return n;
}

/* Apply the name ops of `want`; return those that really changed the text. */
static uint32_t
render_name(struct gen *g, const struct person *p, uint32_t want, char *out, size_t cap)
{
    char w[10][MAX_PART + 8];
    int nw = 0;
    uint32_t done = 0;
    snprintf(w[nw++], sizeof w[0], "%s", p->fam);
    if (p->mid[0] && !(want & BIT(OP_NAME_MIDDROP))) {
        const char *s = p->mid;
        while (*s && nw < 8) {
            const char *e = strchr(s, ' ');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            snprintf(w[nw++], sizeof w[0], "%.*s", (int)n, s);
            s += n;
            while (*s == ' ')
                s++;
        }
    } else if (p->mid[0]) {
        done |= BIT(OP_NAME_MIDDROP);
    }
    snprintf(w[nw++], sizeof w[0], "%s", p->giv);
    if (want & BIT(OP_NAME_SURVAR)) {
        for (size_t i = 0; i < 4; i++)
            if (strcmp(w[0], survar[i][0]) == 0) {
                snprintf(w[0], sizeof w[0], "%s", survar[i][1]);
                done |= BIT(OP_NAME_SURVAR);
                break;
            }
    }
    if (want & BIT(OP_NAME_TONE))
        for (int i = 0; i < nw; i++)
            if (tone_swap_word(&g->vl, w[i], sizeof w[i]))
                done |= BIT(OP_NAME_TONE);
    if (want & BIT(OP_NAME_TYPO)) {
        char before[MAX_PART + 8];
        int i = (int)rnd(&g->r, (unsigned)nw);
        memcpy(before, w[i], sizeof before);
        if (typo_word(&g->r, w[i], sizeof w[i]) && strcmp(before, w[i]) != 0)
            done |= BIT(OP_NAME_TYPO);
    }
    char a[512], b[512];
    struct sb sa, sb2;
    sb_init(&sa, a, sizeof a);
    for (int i = 0; i < nw; i++) {
        if (i)
            sb_add(&sa, " ");
        sb_add(&sa, w[i]);
    }
    if (want & BIT(OP_NAME_NO_DIACRITICS)) {
        sb_init(&sb2, b, sizeof b);
        fold_to(&g->vl, a, &sb2);
        if (strcmp(a, b) != 0)
            done |= BIT(OP_NAME_NO_DIACRITICS);
        memcpy(a, b, sizeof a);
    }
    if (want & BIT(OP_NAME_UPPER)) {
        sb_init(&sb2, b, sizeof b);
        upper_to(&g->vl, a, &sb2);
        if (strcmp(a, b) != 0)
            done |= BIT(OP_NAME_UPPER);
        memcpy(a, b, sizeof a);
    }
    if (want & BIT(OP_NAME_MOJI)) {
        /* one word's UTF-8 bytes shown as Windows-1252 (normalize.md §4.2) */
        sb_init(&sb2, b, sizeof b);
        const char *s = a;
        int donew = 0;
        while (*s) {
            const char *e = strchr(s, ' ');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            int hit = 0;
            for (size_t i = 0; i < n; i++)
                hit |= (unsigned char)s[i] >= 0x80;
            if (hit && !donew) {
                for (size_t i = 0; i < n; i++) {
                    unsigned char c = (unsigned char)s[i];
                    sb_cp(&sb2, c >= 0x80 && c < 0xA0 ? cp1252_hi[c - 0x80] : c);
                }
                donew = 1;
            } else {
                sb_addn(&sb2, s, n);
            }
            s += n;
            if (*s == ' ') {
                sb_add(&sb2, " ");
                s++;
            }
        }
        if (donew && !sb2.over) {
            done |= BIT(OP_NAME_MOJI);
            memcpy(a, b, sizeof a);
        }
    }
    if (want & BIT(OP_NAME_ETH)) {
        /* Icelandic eth U+00D0/U+00F0 typed for Đ/đ (names/README) */
        sb_init(&sb2, b, sizeof b);
        for (const char *s = a; *s;) {
            uint32_t cp;
            size_t k = utf8_dec(s, &cp);
            if (cp == 0x110 || cp == 0x111)
                sb_cp(&sb2, cp == 0x110 ? 0xD0 : 0xF0);
            else
                sb_addn(&sb2, s, k);
            s += k;
        }
        if (strcmp(a, b) != 0)
            done |= BIT(OP_NAME_ETH);
        memcpy(a, b, sizeof a);
    }
    unsigned ns = count_spaces(a);
    if ((want & BIT(OP_NAME_DSPACE)) && ns) {
        replace_space(a, sizeof a, rnd(&g->r, ns), "  ");
        done |= BIT(OP_NAME_DSPACE);
    } else if ((want & BIT(OP_NAME_NBSP)) && ns) {
        replace_space(a, sizeof a, rnd(&g->r, ns), "\xC2\xA0");
        done |= BIT(OP_NAME_NBSP);
    }
    snprintf(out, cap, "%s", a);
    return done;
}

static const struct {
    int d, m;
} bad_dates[] = {{30, 2}, {31, 2}, {31, 4}, {31, 6}, {31, 9}, {31, 11}};

/* ---------------------------------------------------------------- MRZ and QR */

/* ICAO 9303 Part 3 §4.9: weights 7,3,1; digits as such, A-Z 10..35, '<' 0. */
static int
mrz_cd(const char *s, size_t n)
{
    static const int wt[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        if (s[i] >= '0' && s[i] <= '9')
            v = s[i] - '0';
        else if (s[i] >= 'A' && s[i] <= 'Z')
            v = s[i] - 'A' + 10;
        sum += v * wt[i % 3];
    }
    return sum % 10;
}

/* Vietnamese TD1 layout, idformats §4.4; name line per §4.5. */
static void
build_mrz(struct gen *g, const struct person *p, const char *id12, int has_exp, struct date exp,
          char *out, size_t cap)
{
    char l1[31], l2[31], l3[31], yy[8];
    memcpy(l1, "IDVNM", 5);
    memcpy(l1 + 5, id12 + 3, 9);
    l1[14] = (char)('0' + mrz_cd(id12 + 3, 9));
    memcpy(l1 + 15, id12, 12);
    memcpy(l1 + 27, "<<", 2);
    l1[29] = (char)('0' + mrz_cd(id12, 12));
    l1[30] = '\0';
    snprintf(yy, sizeof yy, "%02d%02d%02d", p->dob.y % 100, p->dob.m, p->dob.d);
    char e[8];
    if (has_exp)
        snprintf(e, sizeof e, "%02d%02d%02d", exp.y % 100, exp.m, exp.d);
    else
        snprintf(e, sizeof e, "991231"); /* "Không thời hạn", §4.4 */
    memcpy(l2, yy, 6);
    l2[6] = (char)('0' + mrz_cd(yy, 6));
    l2[7] = p->female ? 'F' : 'M';
    memcpy(l2 + 8, e, 6);
    l2[14] = (char)('0' + mrz_cd(e, 6));
    memcpy(l2 + 15, "VNM<<<<<<<<<<<0", 16);
    char comp[64];
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", l1 + 5, l2, l2 + 8, l2 + 18);
    l2[29] = (char)('0' + mrz_cd(comp, strlen(comp)));

    /* name: SURNAME<<MIDDLE<GIVEN, folded, upper case, '<'-padded to 30 */
    char raw[4 * MAX_PART], f[4 * MAX_PART];
    struct sb s1;
    if (p->mid[0])
        snprintf(raw, sizeof raw, "%s|%s %s", p->fam, p->mid, p->giv);
    else
        snprintf(raw, sizeof raw, "%s|%s", p->fam, p->giv);
    sb_init(&s1, f, sizeof f);
    fold_to(&g->vl, raw, &s1);
    size_t n = 0;
    for (const char *c = f; *c && n < 30; c++) {
        if (*c == '|') {
            l3[n++] = '<';
            if (n < 30)
                l3[n++] = '<';
        } else if (*c == ' ' || *c == '-') {
            l3[n++] = '<';
        } else if (*c >= 'a' && *c <= 'z') {
            l3[n++] = (char)(*c - 'a' + 'A');
        } else if (*c >= 'A' && *c <= 'Z') {
            l3[n++] = *c;
        }
    }
    while (n < 30)
        l3[n++] = '<';
    l3[30] = '\0';
    snprintf(out, cap, "%s\n%s\n%s", l1, l2, l3);
}

/* ---------------------------------------------------------------- rows */

/* id12: the person's ID when the row carries it in a form normalize can
 * read back (intact, leading zeros lost, in the CMND column), else "". */
static int
truth_row(struct gen *g, int src, const struct person *p, const char *id12,
          const char *const *codes, int nc)
{
    struct row r;
    unsigned long long n = ++g->src[src].rows;
    row_begin(&r, ',');
    row_field(&r, src_name[src]);
    row_fieldf(&r, "%llu", n);
    row_field(&r, p->pid);
    row_field(&r, nc ? "0" : "1");
    row_field(&r, id12);
    if (row_write(g, &g->trec, &r) < 0)
        return -1;
    for (int i = 0; i < nc; i++) {
        row_begin(&r, ',');
        row_field(&r, src_name[src]);
        row_fieldf(&r, "%llu", n);
        row_field(&r, codes[i]);
        if (row_write(g, &g->tprob, &r) < 0)
            return -1;
        g->st.problems++;
    }
    return 0;
}

static int
collect(uint32_t done, const char **codes, int nc)
{
    for (int o = 0; o < OP_N && nc < 8; o++)
        if (done & BIT(o))
            codes[nc++] = ops[o].code;
    return nc;
}

#define PLANT_RATE 0.006

static int
emit_household(struct gen *g, const struct person *p)
{
    const char *codes[10];
    int nc = 0;
    char name[512], dob[32], id[16], addr[1024];
    const char *plant = NULL, *carried = ""; /* the ID the row carries, recoverably */
    uint32_t want = 0, done = 0;

    double x = rnd01(&g->r);
    if (p->show_id && x < 3 * PLANT_RATE)
        plant = x < PLANT_RATE       ? "ID_CHECK_SEX_CENTURY"
                : x < 2 * PLANT_RATE ? "ID_BIRTH_YEAR_MISMATCH"
                                     : "ID_PROVINCE_UNKNOWN";
    else if (!p->year_only && x >= 3 * PLANT_RATE && x < 4 * PLANT_RATE)
        plant = "DOB_INVALID_DATE";

    if (!plant) {
        uint32_t ok = name_ok(g, p, 0) | BIT(OP_MISS_DOB) | BIT(OP_MISS_SEX) |
                      BIT(OP_MISS_ADDR) | BIT(OP_ADDR_ABBR) | BIT(OP_ADDR_FOLD);
        if (!p->year_only) {
            ok |= BIT(OP_DOB_YEAR) | BIT(OP_DOB_SHORT);
            if (p->dob.d <= 12 && p->dob.d != p->dob.m)
                ok |= BIT(OP_DOB_SWAP);
        }
        if (p->show_id)
            ok |= BIT(OP_ID_ZERO) | BIT(OP_ID_TYPO) | BIT(OP_MISS_ID) | BIT(OP_ID_EXP);
        if (p->show_id && p->cmnd[0])
            ok |= BIT(OP_ID_COL);
        if (p->w->ncode[0])
            ok |= BIT(OP_ADDR_NEW);
        want = pick_ops(g, 0, ok);
    }
    done = render_name(g, p, want, name, sizeof name);

    if (plant && strcmp(plant, "DOB_INVALID_DATE") == 0) {
        unsigned k = rnd(&g->r, sizeof bad_dates / sizeof bad_dates[0]);
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", bad_dates[k].d, bad_dates[k].m, p->dob.y);
    } else if (want & BIT(OP_MISS_DOB)) {
        dob[0] = '\0';
        done |= BIT(OP_MISS_DOB);
    } else if (p->year_only || (want & BIT(OP_DOB_YEAR))) {
        snprintf(dob, sizeof dob, "%04d", p->dob.y);
        done |= want & BIT(OP_DOB_YEAR);
    } else if (want & BIT(OP_DOB_SWAP)) {
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", p->dob.m, p->dob.d, p->dob.y);
        done |= BIT(OP_DOB_SWAP);
    } else if (want & BIT(OP_DOB_SHORT)) {
        snprintf(dob, sizeof dob, "%d/%d/%02d", p->dob.d, p->dob.m, p->dob.y % 100);
        done |= BIT(OP_DOB_SHORT);
    } else {
        fmt_dmy(dob, sizeof dob, p->dob);
    }

    id[0] = '\0';
    if (p->show_id && !(want & BIT(OP_MISS_ID))) {
        snprintf(id, sizeof id, "%s", p->id12);
        if (plant && strcmp(plant, "ID_CHECK_SEX_CENTURY") == 0) {
            id[3] = (char)('0' + ((id[3] - '0') ^ 1)); /* parity = sex, §1.2 */
        } else if (plant && strcmp(plant, "ID_BIRTH_YEAR_MISMATCH") == 0) {
            int yy = ((id[4] - '0') * 10 + (id[5] - '0') + 1 + (int)rnd(&g->r, 9)) % 100;
            id[4] = (char)('0' + yy / 10);
            id[5] = (char)('0' + yy % 10);
        } else if (plant && strcmp(plant, "ID_PROVINCE_UNKNOWN") == 0) {
            memcpy(id, id_prov_gap[rnd(&g->r, sizeof id_prov_gap / sizeof id_prov_gap[0])], 3);
        } else if (want & BIT(OP_ID_ZERO)) {
            /* a spreadsheet read it as a number: every leading zero goes,
             * two of them for provinces 001-009 */
            size_t z = strspn(id, "0");
            memmove(id, id + z, 13 - z);
            carried = p->id12;
            done |= BIT(OP_ID_ZERO);
        } else if (want & BIT(OP_ID_TYPO)) {
            int i = 6 + (int)rnd(&g->r, 6);
            id[i] = (char)('0' + ((id[i] - '0') + 1 + (int)rnd(&g->r, 9)) % 10);
            done |= BIT(OP_ID_TYPO);
        } else if (want & BIT(OP_ID_EXP)) {
            /* a number too wide for its cell, in the General format: six
             * significant digits and an exponent; the comma of a Vietnamese
             * locale now and then */
            snprintf(id, sizeof id, "%.5E", (double)strtoull(p->id12, NULL, 10));
            if (chance(&g->r, 0.3) && strchr(id, '.'))
                *strchr(id, '.') = ',';
            done |= BIT(OP_ID_EXP);
        } else if (want & BIT(OP_ID_COL)) {
            snprintf(id, sizeof id, "%s", p->cmnd); /* the old CMND in the ID column */
            done |= BIT(OP_ID_COL);
        } else {
            carried = p->id12;
        }
    } else if (p->show_id) {
        done |= BIT(OP_MISS_ID);
    }

    if (want & BIT(OP_MISS_ADDR)) {
        addr[0] = '\0';
        done |= BIT(OP_MISS_ADDR);
    } else {
        int fl = 0;
        if (want & BIT(OP_ADDR_ABBR))
            fl |= A_ABBR;
        if (want & BIT(OP_ADDR_FOLD))
            fl |= A_FOLD;
        if (want & BIT(OP_ADDR_NEW))
            fl |= A_NEW;
        render_addr(g, p, fl, addr, sizeof addr);
        done |= want & (BIT(OP_ADDR_ABBR) | BIT(OP_ADDR_FOLD) | BIT(OP_ADDR_NEW));
    }
    /* split Nam | Nữ columns: the sex is where the date is (a tick when there is no
     * date), so it cannot be left out */
    if ((want & BIT(OP_MISS_SEX)) && g->hh_layout != HH_SPLIT)
        done |= BIT(OP_MISS_SEX);

    struct row r;
    row_begin(&r, ',');
    row_fieldf(&r, "%d", p->stt);
    row_field(&r, name);
    if (g->hh_layout == HH_SPLIT) {
        row_field(&r, p->female ? "" : dob[0] ? dob : "x");
        row_field(&r, !p->female ? "" : dob[0] ? dob : "x");
    } else {
        row_field(&r, dob);
        row_field(&r, (done & BIT(OP_MISS_SEX)) ? "" : p->female ? "Nữ" : "Nam");
    }
    row_field(&r, id);
    row_field(&r, p->ethnic);
    row_field(&r, p->rel);
    row_field(&r, p->hhno);
    row_field(&r, addr);
    if (row_write(g, &g->src[SRC_HH], &r) < 0)
        return -1;
    if (plant)
        codes[nc++] = plant;
    nc = collect(done, codes, nc);
    return truth_row(g, SRC_HH, p, carried, codes, nc);
}

static int
emit_legacy(struct gen *g, const struct person *p)
{
    const char *codes[10];
    int nc = 0;
    char name[512], dob[32], addr[1024];
    const char *plant = NULL, *carried = ""; /* legacy rows show a CMND, not the ID */
    uint32_t want = 0, done;

    double x = rnd01(&g->r);
    if (!p->year_only && x < PLANT_RATE)
        plant = "DOB_INVALID_DATE";
    else if (x >= PLANT_RATE && x < 2 * PLANT_RATE)
        plant = "DOB_IN_FUTURE";
    if (!plant) {
        uint32_t ok = name_ok(g, p, 1) | BIT(OP_MISS_DOB) | BIT(OP_MISS_SEX) |
                      BIT(OP_MISS_ADDR) | BIT(OP_ADDR_FOLD);
        if (p->cmnd[0] == '0')
            ok |= BIT(OP_CMND_ZERO);
        else if (!p->cmnd[0])
            ok |= BIT(OP_ID_COL);
        if (!p->year_only) {
            ok |= BIT(OP_DOB_YEAR);
            if (p->dob.d <= 12 && p->dob.d != p->dob.m)
                ok |= BIT(OP_DOB_SWAP);
        }
        want = pick_ops(g, 1, ok);
    }
    done = render_name(g, p, want, name, sizeof name);

    if (plant && strcmp(plant, "DOB_INVALID_DATE") == 0) {
        unsigned k = rnd(&g->r, sizeof bad_dates / sizeof bad_dates[0]);
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", bad_dates[k].d, bad_dates[k].m, p->dob.y);
    } else if (plant) { /* DOB_IN_FUTURE, relative to DC_SYNTH_REF_DATE */
        int y = REF_Y + 1 + (int)rnd(&g->r, 4);
        if (p->year_only)
            snprintf(dob, sizeof dob, "%04d", y);
        else
            snprintf(dob, sizeof dob, "%02d/%02d/%04d",
                     p->dob.m == 2 && p->dob.d == 29 ? 28 : p->dob.d, p->dob.m, y);
    } else if (want & BIT(OP_MISS_DOB)) {
        dob[0] = '\0';
        done |= BIT(OP_MISS_DOB);
    } else if (p->year_only || (want & BIT(OP_DOB_YEAR))) {
        snprintf(dob, sizeof dob, "%04d", p->dob.y);
        done |= want & BIT(OP_DOB_YEAR);
    } else if (want & BIT(OP_DOB_SWAP)) {
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", p->dob.m, p->dob.d, p->dob.y);
        done |= BIT(OP_DOB_SWAP);
    } else {
        fmt_dmy(dob, sizeof dob, p->dob);
    }
    if (want & BIT(OP_MISS_ADDR)) {
        addr[0] = '\0';
        done |= BIT(OP_MISS_ADDR);
    } else {
        render_addr(g, p, A_ABBR | ((want & BIT(OP_ADDR_FOLD)) ? A_FOLD : 0), addr,
                    sizeof addr);
        done |= want & BIT(OP_ADDR_FOLD);
    }
    if (want & BIT(OP_MISS_SEX))
        done |= BIT(OP_MISS_SEX);

    struct row r;
    row_begin(&r, ',');
    row_field(&r, name);
    row_field(&r, dob);
    row_field(&r, (want & BIT(OP_MISS_SEX)) ? "" : p->female ? "Nữ" : "Nam");
    if (want & BIT(OP_CMND_ZERO)) { /* the CMND column stored as numbers */
        row_field(&r, p->cmnd + strspn(p->cmnd, "0"));
        done |= BIT(OP_CMND_ZERO);
    } else if (want & BIT(OP_ID_COL)) { /* the 12-digit ID typed where a CMND goes */
        row_field(&r, p->id12);
        carried = p->id12;
        done |= BIT(OP_ID_COL);
    } else {
        row_field(&r, p->cmnd);
    }
    row_field(&r, addr);
    if (row_write(g, &g->src[SRC_LG], &r) < 0)
        return -1;
    if (plant)
        codes[nc++] = plant;
    nc = collect(done, codes, nc);
    return truth_row(g, SRC_LG, p, carried, codes, nc);
}

static int
emit_idcard(struct gen *g, const struct person *p)
{
    const char *codes[4];
    int nc = 0;
    const char *plant = NULL;
    struct date issue = p->issue, exp = {0, 0, 0};
    char name[512], addr[1024], mrz[128], qr[2048], d1[16], d2[16], d3[32];

    double x = rnd01(&g->r);
    struct date t14 = birthday_at(p->dob, 14);
    /* a chip card (2021+) issued before age 14 under the 2014 law (ISS-3) is
     * only possible for the young: planted in 4 x PLANT_RATE of those rows */
    long lo = dnum(chip2021) > dnum(p->dob) + 1 ? dnum(chip2021) : dnum(p->dob) + 1;
    long hi = dnum(t14) - 1 < dnum(law2024) - 1 ? dnum(t14) - 1 : dnum(law2024) - 1;
    if (lo <= hi && x < 4 * PLANT_RATE) {
        plant = "ISSUE_BEFORE_AGE14";
        issue = civil_from_days(lo + (long)rnd(&g->r, (unsigned)(hi - lo + 1)));
    } else if (x >= 4 * PLANT_RATE && x < 5 * PLANT_RATE) {
        plant = "MRZ_CHECK_DIGIT";
    } else if (x >= 5 * PLANT_RATE && x < 6 * PLANT_RATE) {
        plant = "QR_MISMATCH";
    }
    int has_exp = expiry_of(p->dob, issue, &exp);

    if (!plant && chance(&g->r, 0.25)) {
        struct sb s;
        sb_init(&s, name, sizeof name);
        upper_to(&g->vl, p->full, &s);
        codes[nc++] = ops[OP_NAME_UPPER].code;
    } else {
        snprintf(name, sizeof name, "%s", p->full);
    }
    /* cards issued after the merger print the 2025 units */
    int newaddr = dnum(issue) >= dnum(merger2025) && p->w->ncode[0];
    render_addr(g, p, newaddr ? A_NEW : 0, addr, sizeof addr);
    if (newaddr && !plant)
        codes[nc++] = ops[OP_ADDR_NEW].code;

    build_mrz(g, p, p->id12, has_exp, exp, mrz, sizeof mrz);
    if (plant && strcmp(plant, "MRZ_CHECK_DIGIT") == 0) {
        static const int pos[5] = {14, 29, 31 + 6, 31 + 14, 31 + 29}; /* in "l1\nl2\nl3" */
        int i = pos[rnd(&g->r, 5)];
        mrz[i] = (char)('0' + ((mrz[i] - '0') + 1 + (int)rnd(&g->r, 9)) % 10);
    }

    char qid[13], qname[4 * MAX_PART + 8];
    snprintf(qid, sizeof qid, "%s", p->id12);
    snprintf(qname, sizeof qname, "%s", p->full);
    if (plant && strcmp(plant, "QR_MISMATCH") == 0) {
        const char *alt = wtab_pick(&g->giv[p->female], &g->r);
        if (chance(&g->r, 0.5) && strcmp(alt, p->giv) != 0) {
            if (p->mid[0])
                snprintf(qname, sizeof qname, "%s %s %s", p->fam, p->mid, alt);
            else
                snprintf(qname, sizeof qname, "%s %s", p->fam, alt);
        } else {
            int i = 6 + (int)rnd(&g->r, 6);
            qid[i] = (char)('0' + ((qid[i] - '0') + 1 + (int)rnd(&g->r, 9)) % 10);
        }
    }
    snprintf(d1, sizeof d1, "%02d%02d%04d", p->dob.d, p->dob.m, p->dob.y);
    snprintf(d2, sizeof d2, "%02d%02d%04d", issue.d, issue.m, issue.y);
    /* §5.1: ID|CMND|name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY(issue) */
    snprintf(qr, sizeof qr, "%s|%s|%s|%s|%s|%s|%s", qid, p->cmnd, qname, d1,
             p->female ? "Nữ" : "Nam", addr, d2);

    struct row r;
    row_begin(&r, ';');
    row_field(&r, name);
    fmt_dmy(d1, sizeof d1, p->dob);
    row_field(&r, d1);
    row_field(&r, p->female ? "Nữ" : "Nam");
    row_field(&r, p->id12);
    fmt_dmy(d2, sizeof d2, issue);
    row_field(&r, d2);
    /* issuing authority: Police Dept. for administrative management of
     * social order (CCCD), Ministry of Public Security from 2024-07-01
     * (idformats §3 item 1) */
    row_field(&r, dnum(issue) >= dnum(law2024)
                      ? "Bộ Công an"
                      : "Cục Cảnh sát quản lý hành chính về trật tự xã hội");
    if (has_exp)
        fmt_dmy(d3, sizeof d3, exp);
    else
        snprintf(d3, sizeof d3, "Không thời hạn");
    row_field(&r, d3);
    row_field(&r, addr);
    row_field(&r, mrz);
    row_field(&r, qr);
    if (row_write(g, &g->src[SRC_ID], &r) < 0)
        return -1;
    if (plant)
        codes[nc++] = plant;
    return truth_row(g, SRC_ID, p, p->id12, codes, nc);
}

/* ---------------------------------------------------------------- driver */

static int
write_person(struct gen *g, const struct person *p)
{
    struct row r;
    char dob[16];
    if (p->year_only)
        snprintf(dob, sizeof dob, "%04d", p->dob.y);
    else
        snprintf(dob, sizeof dob, "%04d-%02d-%02d", p->dob.y, p->dob.m, p->dob.d);
    row_begin(&r, ',');
    row_field(&r, p->pid);
    row_field(&r, p->full);
    row_field(&r, p->fam);
    row_field(&r, p->mid);
    row_field(&r, p->giv);
    row_field(&r, dob);
    row_field(&r, p->year_only ? "year" : "day");
    row_field(&r, p->female ? "F" : "M");
    row_field(&r, p->id12);
    row_field(&r, p->cmnd);
    row_field(&r, p->ethnic);
    row_field(&r, p->w->wcode);
    row_field(&r, p->w->dcode);
    row_field(&r, p->w->pcode);
    row_field(&r, p->w->ncode);
    row_field(&r, p->w->npcode);
    row_field(&r, p->detail);
    return row_write(g, &g->tp, &r);
}

static int
emit_person(struct gen *g, const struct person *p)
{
    int in_hh = chance(&g->r, 0.85);
    int in_id = p->card && chance(&g->r, 0.8);
    int in_lg = p->cmnd[0] ? chance(&g->r, 0.6) : (p->dob.y < 2008 && chance(&g->r, 0.1));
    if (!in_hh && !in_id && !in_lg)
        in_hh = 1;
    if (write_person(g, p) < 0)
        return -1;
    /* within-source duplicates: 3 % of rows appear twice */
    for (int rep = 0; rep < 2; rep++) {
        if (rep && !chance(&g->r, 0.03))
            break;
        if (in_hh && emit_household(g, p) < 0)
            return -1;
    }
    for (int rep = 0; rep < 2; rep++) {
        if (rep && !chance(&g->r, 0.03))
            break;
        if (in_id && emit_idcard(g, p) < 0)
            return -1;
    }
    for (int rep = 0; rep < 2; rep++) {
        if (rep && !chance(&g->r, 0.03))
            break;
        if (in_lg && emit_legacy(g, p) < 0)
            return -1;
    }
    return 0;
}

enum { R_HEAD, R_SPOUSE, R_CHILD, R_PARENT };

static int
gen_household(struct gen *g, unsigned long long *next, unsigned long long end)
{
    struct household h;
    static const unsigned size_w[6] = {15, 20, 22, 23, 12, 8};
    h.w = &g->wards[rnd(&g->r, (unsigned)g->nwards)];
    make_detail(g, h.w, h.detail, sizeof h.detail);
    g->st.households++;
    snprintf(h.hhno, sizeof h.hhno, "%s%07llu", h.w->wcode, g->st.households % 10000000ULL);
    h.eth = -1;
    double x = rnd01(&g->r);
    for (size_t i = 0; i < sizeof minority / sizeof minority[0]; i++) {
        if (strcmp(minority[i].prov, h.w->pcode) != 0)
            continue;
        if (x < minority[i].share) {
            h.eth = (int)i;
            break;
        }
        x -= minority[i].share;
    }
    unsigned y = rnd(&g->r, 100), size = 1;
    for (int i = 0; i < 6; i++) {
        if (y < size_w[i]) {
            size = (unsigned)i + 1;
            break;
        }
        y -= size_w[i];
    }
    if (size > end - *next)
        size = (unsigned)(end - *next);

    struct person mem[6];
    int head_age = 22 + (int)((rnd(&g->r, 64) + rnd(&g->r, 64)) / 2);
    int has_parent = 0;
    const char *father_fam = NULL;
    for (unsigned k = 0; k < size; k++) {
        struct person *p = &mem[k];
        memset(p, 0, sizeof *p);
        int role = k == 0 ? R_HEAD : (k == 1 && chance(&g->r, 0.85)) ? R_SPOUSE : R_CHILD;
        if (role == R_CHILD && !has_parent && head_age <= 70 && chance(&g->r, 0.12))
            role = R_PARENT;
        int age;
        switch (role) {
        case R_HEAD:
            p->female = chance(&g->r, 0.3);
            age = head_age;
            pick_surname(g, &h, p->fam);
            p->rel = "Chủ hộ";
            break;
        case R_SPOUSE:
            p->female = !mem[0].female;
            age = head_age + (p->female ? 1 - (int)rnd(&g->r, 8) : (int)rnd(&g->r, 8) - 1);
            age = age < 18 ? 18 : age > 95 ? 95 : age;
            pick_surname(g, &h, p->fam);
            p->rel = p->female ? "Vợ" : "Chồng";
            break;
        case R_PARENT:
            has_parent = 1;
            p->female = chance(&g->r, 0.6);
            age = head_age + 20 + (int)rnd(&g->r, 13);
            age = age > 95 ? 95 : age;
            if (p->female)
                pick_surname(g, &h, p->fam);
            else
                copy_part(p->fam, mem[0].fam);
            p->rel = p->female ? "Mẹ" : "Bố";
            break;
        default:
            p->female = chance(&g->r, 0.5);
            age = head_age - 20 - (int)rnd(&g->r, 18);
            if (age < 0)
                age = (int)rnd(&g->r, 3);
            /* children carry the father's surname */
            copy_part(p->fam, father_fam ? father_fam : mem[0].fam);
            p->rel = "Con";
            break;
        }
        if (role == R_HEAD && !p->female)
            father_fam = mem[0].fam;
        if (role == R_SPOUSE && !p->female)
            father_fam = p->fam;
        snprintf(p->pid, sizeof p->pid, "P%08llu", *next + 1);
        p->w = h.w;
        p->detail = h.detail;
        p->hhno = h.hhno;
        p->stt = (int)k + 1;
        p->ethnic = h.eth >= 0 ? minority[h.eth].ethnic : "Kinh";
        make_dob(g, p, age);
        make_names(g, p);
        make_ids(g, p, *next);
        p->show_id = p->age >= 14 || p->card || chance(&g->r, 0.5);
        if (emit_person(g, p) < 0)
            return -1;
        ++*next;
        g->st.persons++;
    }
    return 0;
}

static int
write_meta(struct gen *g, const struct dc_synth_opts *o)
{
    struct out m;
    memset(&m, 0, sizeof m);
    if (out_open(g, &m, o->out_dir, "meta.json", ',', "\n") < 0)
        return -1;
    int k = fprintf(m.f,
            "{\n"
            "  \"tool\": \"%s\",\n"
            "  \"seed\": %llu,\n"
            "  \"persons\": %llu,\n"
            "  \"households\": %llu,\n"
            "  \"reference_date\": \"%s\",\n"
            "  \"names\": \"%s\",\n"
            "  \"refdata\": \"%s\",\n"
            "  \"records\": {\"household\": %llu, \"idcards\": %llu, \"legacy\": %llu},\n"
            "  \"problems\": %llu,\n"
            "  \"encodings\": {\"household\": \"utf-8\", \"idcards\": \"utf-8-bom\", "
            "\"legacy\": \"%s\"},\n"
            "  \"delimiters\": {\"household\": \",\", \"idcards\": \";\", \"legacy\": \",\"},\n"
            "  \"line_endings\": {\"household\": \"lf\", \"idcards\": \"crlf\", "
            "\"legacy\": \"crlf\"}\n"
            "}\n",
            DC_SYNTH_VERSION, o->seed, g->st.persons, g->st.households, DC_SYNTH_REF_DATE,
            o->names_dir ? "names directory" : "built-in",
            o->refdata_dir ? "refdata directory" : "built-in", g->src[SRC_HH].rows,
            g->src[SRC_ID].rows, g->src[SRC_LG].rows, g->st.problems, g->st.legacy_encoding);
    if (k < 0)
        dc_error_set(g->err, DC_EX_IOERR, "%s: write error", m.path);
    return out_close(g, &m) < 0 || k < 0 ? -1 : 0;
}

static int
open_all(struct gen *g, const char *dir)
{
    static const char *const h_hh[HH_LAYOUTS][9] = {
        {"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc",
         "Quan hệ với chủ hộ", "Số hồ sơ cư trú", "Nơi thường trú"},
        {"STT", "1. Họ, chữ đệm và tên (viết in hoa)", "2. Ngày, tháng, năm sinh (dd/mm/yyyy)",
         "3. Giới tính: Nam/Nữ", "4. Số định danh cá nhân (12 số)", "Dân tộc",
         "Quan hệ với chủ hộ", "Số hồ sơ cư trú", "Nơi thường trú:"},
        {"TT", "Họ tên", "Sinh ngày", "Phái", "Số CCCD/CMND", "Dân tộc", "Quan hệ chủ hộ",
         "Số sổ hộ khẩu", "Nơi ĐKHK thường trú"},
        {"STT", "Họ và tên", "Năm sinh", "", "Số CCCD", "Dân tộc", "Quan hệ với chủ hộ",
         "Số hồ sơ cư trú", "Nơi thường trú"}};
    static const char *const h_split[2][9] = {
        {"", "", "Nam", "Nữ", "", "", "", "", ""},
        {"(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"}};
    static const char *const h_id[] = {"HO_TEN",   "NGAY_SINH", "GIOI_TINH",
                                       "SO_DINH_DANH", "NGAY_CAP", "NOI_CAP",
                                       "CO_GIA_TRI_DEN", "DIA_CHI_THUONG_TRU", "MRZ", "QR"};
    static const char *const h_lg[] = {"Ho ten", "Ngay sinh", "Gioi tinh", "CMND", "Dia chi"};
    static const char *const h_tp[] = {
        "person_id",     "full_name",     "family_name", "middle_name",   "given_name",
        "dob",           "dob_precision", "sex",         "id12",          "cmnd",
        "ethnic",        "ward_code",     "district_code", "province_code", "new_ward_code",
        "new_province_code", "address_detail"};
    static const char *const h_tr[] = {"source", "src_row", "person_id", "clean", "id12"};
    static const char *const h_pr[] = {"source", "src_row", "code"};

    if (out_open(g, &g->src[SRC_HH], dir, "household.csv", ',', "\n") < 0 ||
        out_open(g, &g->src[SRC_ID], dir, "idcards.csv", ';', "\r\n") < 0 ||
        out_open(g, &g->src[SRC_LG], dir, "legacy.csv", ',', "\r\n") < 0 ||
        out_open(g, &g->tp, dir, "truth_persons.csv", ',', "\n") < 0 ||
        out_open(g, &g->trec, dir, "truth_records.csv", ',', "\n") < 0 ||
        out_open(g, &g->tprob, dir, "truth_problems.csv", ',', "\n") < 0)
        return -1;
    g->src[SRC_LG].cd = iconv_open(g->legacy_tcvn ? "TCVN5712-1" : "CP1258", "UTF-8");
    if (g->src[SRC_LG].cd == (iconv_t)-1)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "iconv cannot convert to %s",
                            g->legacy_tcvn ? "TCVN5712-1" : "CP1258");
    if (fputs("\xEF\xBB\xBF", g->src[SRC_ID].f) == EOF)
        return dc_error_set(g->err, DC_EX_IOERR, "%s: write error", g->src[SRC_ID].path);
    if ((g->print_layout && print_rows(g, 0) < 0) ||
        write_header(g, &g->src[SRC_HH], h_hh[g->hh_layout], 9) < 0 ||
        (g->hh_layout == HH_SPLIT && (write_header(g, &g->src[SRC_HH], h_split[0], 9) < 0 ||
                                      write_header(g, &g->src[SRC_HH], h_split[1], 9) < 0)) ||
        write_header(g, &g->src[SRC_ID], h_id, 10) < 0 ||
        write_header(g, &g->src[SRC_LG], h_lg, 5) < 0 || write_header(g, &g->tp, h_tp, 17) < 0 ||
        write_header(g, &g->trec, h_tr, 5) < 0 || write_header(g, &g->tprob, h_pr, 3) < 0)
        return -1;
    return 0;
}

static int
close_all(struct gen *g)
{
    int rc = 0;
    for (int i = 0; i < NSRC; i++)
        rc |= out_close(g, &g->src[i]);
    rc |= out_close(g, &g->tp);
    rc |= out_close(g, &g->trec);
    rc |= out_close(g, &g->tprob);
    return rc ? -1 : 0;
}

/* After a failed run (a full disk): remove what it wrote, so that no truncated file
 * passes for a whole one (issue 19). */
static void
remove_all(struct gen *g, const char *dir)
{
    char meta[sizeof g->tp.path];

    for (int i = 0; i < NSRC; i++)
        if (g->src[i].path[0])
            unlink(g->src[i].path);
    if (g->tp.path[0])
        unlink(g->tp.path);
    if (g->trec.path[0])
        unlink(g->trec.path);
    if (g->tprob.path[0])
        unlink(g->tprob.path);
    if (snprintf(meta, sizeof meta, "%s/meta.json", dir) < (int)sizeof meta)
        unlink(meta);
}

static void
gen_free(struct gen *g)
{
    wtab_free(&g->sur_top);
    wtab_free(&g->sur_tail);
    for (int i = 0; i < 2; i++) {
        wtab_free(&g->mid[i]);
        wtab_free(&g->giv[i]);
    }
    free(g->wards);
    arena_free(&g->ar);
}

int
dc_synth_run(const struct dc_synth_opts *o, struct dc_synth_stats *st, struct dc_error *err)
{
    struct gen *g;
    struct stat sb;
    int rc = 0;

    if (!o || !o->out_dir || !o->out_dir[0])
        return dc_error_set(err, DC_EX_USAGE, "no output directory");
    if (o->persons < 1 || o->persons > DC_SYNTH_MAX_PERSONS)
        return dc_error_set(err, DC_EX_USAGE, "persons must be 1..%llu", DC_SYNTH_MAX_PERSONS);
    if (mkdir(o->out_dir, 0700) < 0 && errno != EEXIST)
        return dc_error_set(err, DC_EX_CANTCREAT, "%s: %s", o->out_dir, strerror(errno));
    if (stat(o->out_dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
        return dc_error_set(err, DC_EX_CANTCREAT, "%s: not a directory", o->out_dir);

    g = calloc(1, sizeof *g);
    if (!g)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    g->err = err;
    for (int i = 0; i < NSRC; i++)
        g->src[i].cd = (iconv_t)-1;
    g->tp.cd = g->trec.cd = g->tprob.cd = (iconv_t)-1;
    rng_seed(&g->r, o->seed);
    vl_init(&g->vl);
    g->legacy_tcvn = (int)(rng_next(&g->r) & 1);
    {
        /* from the seed, not the generator: every other byte stays as it was */
        uint64_t x = o->seed ^ 0x6865616465727321ULL;
        g->hh_layout = (int)(splitmix64(&x) % HH_LAYOUTS);
    }
    g->print_layout = o->print_layout;
    g->st.legacy_encoding = g->legacy_tcvn ? "tcvn3" : "cp1258";
    /* a*i+b mod 10^6 is a bijection when a is prime to 10: distinct suffixes */
    g->id_mul = (rng_next(&g->r) % 500000ULL) * 2 + 1;
    if (g->id_mul % 5 == 0)
        g->id_mul += 2;
    g->id_add = rng_next(&g->r) % 1000000ULL;

    if (load_names(g, o->names_dir) < 0 || load_refdata(g, o->refdata_dir) < 0 ||
        open_all(g, o->out_dir) < 0) {
        rc = -1;
    } else {
        unsigned long long next = 0;
        while (next < o->persons && rc == 0)
            rc = gen_household(g, &next, o->persons);
    }
    if (rc == 0 && g->print_layout && print_rows(g, 1) < 0)
        rc = -1;
    if (close_all(g) < 0)
        rc = -1;
    if (rc == 0) {
        g->st.household_rows = g->src[SRC_HH].rows;
        g->st.idcards_rows = g->src[SRC_ID].rows;
        g->st.legacy_rows = g->src[SRC_LG].rows;
        rc = write_meta(g, o);
    }
    if (rc == 0 && st)
        *st = g->st;
    if (rc != 0)
        remove_all(g, o->out_dir);
    gen_free(g);
    free(g);
    return rc;
}
