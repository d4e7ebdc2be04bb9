/*
 * vntext.c - Vietnamese text: NFC, tone-mark placement, person names, fold
 * keys, sex.
 *
 * For: what vntext.h declares.  Not for: addresses (address.c), legacy
 * encodings (encoding.c), dates (vndate.c).
 *
 * Unicode tables are ICU's (NFC/NFD through vn/icu.h, u_strToLower, u_totitle, character
 * properties); nothing here encodes a Unicode fact by hand except the five
 * combining tone marks and three shape marks Vietnamese is written with
 * (Unicode chart U+0300..U+036F), which the tone rule has to name.
 *
 * Sources of the language rules:
 *  - tone placement: research/normalize.md §3.2 (shape-marked vowel wins, ươ on
 *    ơ, closed syllable on the last nucleus vowel, three vowels on the middle,
 *    qu/gi onsets, the old/new difference only in open oa/oe/uy);
 *  - casing: normalize.md §3.3 and shared/names/README.md (capital after an
 *    internal apostrophe: "H'Hen", "K'Huy"; after a hyphen: "Y-Moan");
 *  - Ð/ð -> Đ/đ: normalize.md §3.3 (Windows-1258/VISCII bytes read as Latin-1);
 *  - fold key: normalize.md §3.4-3.5 (marks removed, đ -> d, lower case);
 *  - surnames: shared/names/surnames.csv (combined school/UIT sample, first 150
 *    rows by count, minus words that are not surnames there: Thị, A, Y, Ngọc,
 *    Hòa, Linh, Vỏ) and names/README.md for the compound ones;
 *  - sex: records.md §2.4 and §3 (DC01 "Nam"/"Nữ"; QCVN 109:2017 0/1/2).
 */
#include "vntext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "hash.h"
#include "utf8.h"
#include "vn/fold.h"
#include "vn/icu.h"
#include "vn/letter.h"
#include "vn/syllable.h"

/* ---- tone placement (normalize.md §3.2) ---- */

/* The five tone marks (huyền, sắc, ngã, hỏi, nặng) and the three shape marks
 * (circumflex â ê ô, breve ă, horn ơ ư) as they appear after NFD: vn/letter.h's
 * mark codes. */
static int
is_tone(UChar c)
{
    int m = dc_letter_mark_code(c);

    return m > 0 && m < DC_MARK_BREVE;
}

static int
is_shape(UChar c)
{
    return dc_letter_mark_code(c) >= DC_MARK_BREVE;
}

struct letter {
    UChar base;  /* as written (case kept) */
    UChar lower; /* ASCII lower case, or 0x0111 for đ/Đ */
    UChar shape; /* 0 or a shape mark */
};

/* Shape marks that exist in Vietnamese (â ê ô, ă, ơ ư): those the letter table
 * gives a shape code for. */
static int
shape_ok(UChar lower, UChar shape)
{
    if (!shape)
        return 1;
    return lower < 0x80 &&
           dc_letter_shape_mod((unsigned char)lower, dc_letter_mark_code(shape)) != lower;
}

/*
 * Index of the letter that should carry the tone, or -1 when the syllable is
 * not one of vn/syllable.h's grammar (any consonants as onset: minority
 * names; any tone before a stop final: the mark is placed, not judged).
 * Anything else keeps its mark where it is (run-together words, "bíê").
 */
static int
tone_target(const struct letter *l, int n, enum dc_tone_style style)
{
    char code[DC_SYLLABLE_MAX];
    struct dc_syllable sy;
    int start, end, len, k, shaped = -1;

    for (k = 0; k < n; k++)
        code[k] = l[k].lower == 0x0111 ? 'D'
                                       : (char)dc_letter_shape_mod((unsigned char)l[k].lower,
                                                                   dc_letter_mark_code(l[k].shape));
    if (!dc_syllable_parse(code, (size_t)n, 0, DC_SYL_ANY_ONSET | DC_SYL_ANY_TONE, &sy))
        return -1;
    start = sy.onset;
    len = sy.nucleus;
    end = start + len;
    for (k = start; k < end; k++)
        if (l[k].shape)
            shaped = k; /* the last one: ươ -> ơ, uyê -> ê */
    if (shaped >= 0)
        return shaped;
    if (len == 1)
        return start;
    if (len == 3)
        return start + 1; /* oai, oay, uya, uyu: the middle vowel */
    if (end < n)
        return start + 1; /* closed: hoàng, toán, huỳnh */
    if ((l[start].lower == 'o' && (l[start + 1].lower == 'a' || l[start + 1].lower == 'e')) ||
        (l[start].lower == 'u' && l[start + 1].lower == 'y'))
        return style == DC_TONE_NEW ? start + 1 : start;
    return start; /* ai ao au ay eo ia iu oi ui ua: on the first */
}

/*
 * Tone placement of one syllable s[0..n), appended to out as NFC.
 * Returns 1 moved, 0 unchanged, -1 error (out of memory, ICU failure).
 */
static int
tone_u16(const UChar *s, int32_t n, enum dc_tone_style style, struct dc_icu_buf *out)
{
    struct letter l[DC_SYLLABLE_MAX];
    struct dc_icu_buf d = {0}, r = {0};
    int nl = 0, ntone = 0, tpos = -1, target, rc = 0, k;
    UChar tone = 0;
    int32_t i;

    if (n > DC_SYLLABLE_MAX || dc_icu_buf_normalize(DC_ICU_NFD, s, n, &d) < 0)
        goto copy;
    for (i = 0; i < d.n; i++) {
        UChar c = d.p[i];

        if (c >= 0x0300 && c <= 0x036F) {
            if (nl == 0)
                goto copy;
            if (is_tone(c)) {
                ntone++;
                tone = c;
                tpos = nl - 1;
            } else if (is_shape(c) && !l[nl - 1].shape && shape_ok(l[nl - 1].lower, c)) {
                l[nl - 1].shape = c;
            } else {
                goto copy;
            }
            continue;
        }
        if (nl == DC_SYLLABLE_MAX)
            goto copy;
        if (c >= 'a' && c <= 'z')
            l[nl].lower = c;
        else if (c >= 'A' && c <= 'Z')
            l[nl].lower = (UChar)(c + ('a' - 'A'));
        else if (c == 0x0110 || c == 0x0111)
            l[nl].lower = 0x0111;
        else
            goto copy;
        l[nl].base = c;
        l[nl].shape = 0;
        nl++;
    }
    if (ntone != 1)
        goto copy;
    target = tone_target(l, nl, style);
    if (target < 0 || target == tpos)
        goto copy;
    for (k = 0; k < nl; k++) {
        dc_icu_buf_append(&r, &l[k].base, 1);
        if (l[k].shape)
            dc_icu_buf_append(&r, &l[k].shape, 1);
        if (k == target)
            dc_icu_buf_append(&r, &tone, 1);
    }
    if (r.oom || dc_icu_buf_normalize(DC_ICU_NFC, r.p, r.n, out) < 0)
        rc = -1;
    else
        rc = 1;
    dc_icu_buf_free(&d);
    dc_icu_buf_free(&r);
    return rc;
copy:
    dc_icu_buf_free(&d);
    dc_icu_buf_free(&r);
    return dc_icu_buf_normalize(DC_ICU_NFC, s, n, out) < 0 ? -1 : 0;
}

int
dc_text_tone(const char *word, enum dc_tone_style style, char *out, size_t size)
{
    struct dc_icu_buf in = {0}, o = {0};
    size_t len;
    int rc;

    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    if (!word)
        return -1;
    len = strlen(word);
    if (len > DC_SYLLABLE_MAX || dc_icu_from_utf8(word, len, DC_TEXT_MAX, &in) < 0) {
        dc_icu_buf_free(&in);
        return -1;
    }
    rc = tone_u16(in.p, in.n, style, &o);
    if (rc >= 0 && dc_icu_to_utf8(o.p, o.n, out, size) < 0)
        rc = -1;
    dc_icu_buf_free(&in);
    dc_icu_buf_free(&o);
    return rc;
}

/* ---- fold key (normalize.md §3.4): vn/fold.h's DC_FOLD_KEY ---- */

int
dc_text_fold(const char *in, char *out, size_t size)
{
    return dc_fold(DC_FOLD_KEY, in, out, size);
}

int
dc_text_nfc(const char *in, char **out, struct dc_error *err)
{
    struct dc_icu_buf u = {0}, o = {0};
    int rc;

    if (!out)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_text_nfc: out is NULL");
    *out = NULL;
    if (!in)
        in = "";
    rc = dc_icu_from_utf8(in, strlen(in), DC_TEXT_MAX, &u);
    if (rc == 0)
        rc = dc_icu_buf_normalize(DC_ICU_NFC, u.p, u.n, &o);
    if (rc == 0) {
        *out = dc_icu_to_utf8_alloc(o.p, o.n);
        if (!*out)
            rc = -2;
    }
    dc_icu_buf_free(&u);
    dc_icu_buf_free(&o);
    if (rc == -2)
        return dc_error_set(err, DC_EX_OSERR, "out of memory normalizing text");
    if (rc < 0)
        return dc_error_set(err, DC_EX_DATAERR, "text is not valid utf-8 or longer than %d bytes",
                            DC_TEXT_MAX);
    return 0;
}

/* 1 for a precomposed letter of the Vietnamese alphabet with a mark, or đ/Đ (the letter
 * table's vn flag); 0 for anything else, which may still have one. */
static int
is_vn_marked(uint32_t c)
{
    const struct dc_letter *l = dc_letter_get((int32_t)c);

    return l && l->vn;
}

static int
is_eth_or_dyet(UChar32 c)
{
    const struct dc_letter *l = dc_letter_get(c);

    return l && l->shape == 'D'; /* Đ đ Ð ð */
}

int
dc_text_has_diacritics(const char *s)
{
    struct dc_icu_buf u = {0}, d = {0};
    int32_t i = 0;
    int found = 0;

    if (!s)
        return 0;
    /* The answer without ICU for the names crosscheck asks about (a sixth of its time):
     * ASCII has no mark, and well-formed text with a Vietnamese marked letter has one. */
    {
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s), k = 0, l;
        int ascii = 1;
        while (k < n && (l = dc_utf8_seq(p + k, n - k)) != 0) {
            if (l > 1) {
                uint32_t c = l == 2   ? (uint32_t)(p[k] & 0x1F) << 6 | (p[k + 1] & 0x3F)
                             : l == 3 ? (uint32_t)(p[k] & 0x0F) << 12 |
                                            (uint32_t)(p[k + 1] & 0x3F) << 6 | (p[k + 2] & 0x3F)
                                      : 0x10000;
                ascii = 0;
                found |= is_vn_marked(c);
            }
            k += l;
        }
        if (k == n && n <= DC_TEXT_MAX && (ascii || found))
            return found;
        found = 0;
    }
    if (dc_icu_from_utf8(s, strlen(s), DC_TEXT_MAX, &u) < 0 ||
        dc_icu_buf_normalize(DC_ICU_NFD, u.p, u.n, &d) < 0) {
        dc_icu_buf_free(&u);
        dc_icu_buf_free(&d);
        return 0;
    }
    while (i < d.n && !found) {
        UChar32 c;

        U16_NEXT(d.p, i, d.n, c);
        if ((U_GET_GC_MASK(c) & U_GC_MN_MASK) || is_eth_or_dyet(c))
            found = 1;
    }
    dc_icu_buf_free(&u);
    dc_icu_buf_free(&d);
    return found;
}

/* ---- sex (records.md §2.4, §3) ---- */

char
dc_sex_parse(const char *raw, int *recognised)
{
    static const struct {
        const char *key;
        char sex;
    } codes[] = {
        {"", 0},          {"0", 0},      {"nam", 'M'},    {"nam gioi", 'M'},
        {"m", 'M'},       {"male", 'M'}, {"1", 'M'},      {"nu", 'F'},
        {"nu gioi", 'F'}, {"f", 'F'},    {"female", 'F'}, {"2", 'F'},
    };
    char key[256];
    int dummy;
    size_t i;

    if (!recognised)
        recognised = &dummy;
    *recognised = 0;
    if (!raw)
        raw = "";
    if (strlen(raw) > 64 || dc_text_fold(raw, key, sizeof key) < 0)
        return 0;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(key, codes[i].key) == 0) {
            *recognised = 1;
            return codes[i].sex;
        }
    }
    return 0;
}

/* ---- surnames ---- */

/* shared/names/surnames.csv, first 150 rows by count (see the file comment). */
static const char *const surnames[] = {
    "Nguyễn", "Trần",  "Lê",    "Phạm",   "Vũ",    "Hoàng",  "Bùi",    "Đỗ",    "Phan",   "Đặng",
    "Võ",     "Ngô",   "Đinh",  "Trương", "Huỳnh", "Hồ",     "Dương",  "Đoàn",  "Đào",    "Trịnh",
    "Lương",  "Mai",   "Hà",    "Cao",    "Lưu",   "Nông",   "Tạ",     "Phùng", "Lý",     "Lâm",
    "Vương",  "Chu",   "Thái",  "Tô",     "Triệu", "Đàm",    "Vi",     "Văn",   "Lại",    "Tống",
    "Kiều",   "Quách", "Châu",  "Đồng",   "Hứa",   "Lục",    "Lò",     "Đậu",   "La",     "Tăng",
    "Từ",     "Bế",    "Mã",    "Lã",     "Tôn",   "Nghiêm", "Bạch",   "Lữ",    "Doãn",   "Thân",
    "Ninh",   "Thạch", "Ma",    "Mạc",    "Phí",   "Giang",  "Mông",   "Cù",    "Diệp",   "Lường",
    "Lăng",   "Lô",    "Khổng", "Nhữ",    "Kim",   "Hồng",   "Khương", "Bàn",   "Khuất",  "Sầm",
    "Danh",   "Liêu",  "Âu",    "Dư",     "Biện",  "Ngân",   "Lang",   "Chung", "Long",   "Thiều",
    "Phương", "Lộc",   "Vy",    "Cầm",    "Bá",    "Trang",  "An",     "Bành",  "Hàn",    "Đường",
    "Tưởng",  "Tiêu",  "Ngụy",  "Đổng",   "Giáp",  "Quản",   "Khúc",   "Trình", "Cấn",    "Trà",
    "Vòng",   "Nhâm",  "Quàng", "Thẩm",   "Vàng",  "Nhan",   "Lãnh",   "Ung",   "Quang",  "Hán",
    "Trầm",   "Uông",  "Ngọ",   "Luyện",  "Quảng", "Phù",    "Điểu",   "Cáp",   "Thượng", "Đàng",
    "Tào",    "Liễu",  "Lù",    "Xa",     "Sử",    "Cái",    "Liên",   "Cà",    "Quan",   "Lư",
    "Khưu",   "Mạch",  "Chế",   "Viên",   "Phó",   "Ngôn",   "Sơn",    "Chử",   "Giàng",  "Đới",
};

/*
 * Compound surnames, longest first, as fold keys.  Tôn Thất / Tôn Nữ and the
 * Công ... Tôn Nữ forms are the Nguyễn royal clan's lineage names; Âu Dương,
 * Hoàng Phủ, Thái Thúc are the Sino-Vietnamese compounds names/README.md and
 * common usage count as surnames.  Left out on purpose: Nguyễn Phúc / Nguyễn
 * Phước (Phúc, Phước are frequent middle names, so "Nguyễn Phúc An" is far more
 * often Nguyễn + Phúc + An) and Khúc Thừa (Khúc Thừa Dụ's surname is Khúc).
 */
static const struct {
    const char *key;
    const char *name;
    int words;
} compounds[] = {
    {"cong tang ton nu", "Công Tằng Tôn Nữ", 4},
    {"cong huyen ton nu", "Công Huyền Tôn Nữ", 4},
    {"ton that", "Tôn Thất", 2},
    {"ton nu", "Tôn Nữ", 2},
    {"au duong", "Âu Dương", 2},
    {"hoang phu", "Hoàng Phủ", 2},
    {"thai thuc", "Thái Thúc", 2},
};

#define NSURNAMES ((int)(sizeof surnames / sizeof surnames[0]))
#define NCOMPOUNDS ((int)(sizeof compounds / sizeof compounds[0]))

int
dc_name_surname_rank(const char *family)
{
    char key[128], k2[128];
    int i;

    if (!family || strlen(family) > 100)
        return 0;
    for (i = 0; i < NSURNAMES; i++)
        if (strcmp(family, surnames[i]) == 0)
            return i + 1;
    for (i = 0; i < NCOMPOUNDS; i++)
        if (strcmp(family, compounds[i].name) == 0)
            return NSURNAMES + i + 1;
    /* Not spelled as in the table (no marks, capitals): the first fold match.
     * Fold keys collide (Lã/La, Lữ/Lư), so the more common name wins. */
    if (dc_text_fold(family, key, sizeof key) < 0 || !key[0])
        return 0;
    for (i = 0; i < NSURNAMES; i++)
        if (dc_text_fold(surnames[i], k2, sizeof k2) == 0 && strcmp(key, k2) == 0)
            return i + 1;
    for (i = 0; i < NCOMPOUNDS; i++)
        if (strcmp(key, compounds[i].key) == 0)
            return NSURNAMES + i + 1;
    return 0;
}

/* ---- names ---- */

const char *
dc_name_rule_names(unsigned rules, char *buf, size_t size)
{
    static const char *const names[] = {"nfc",  "space", "punct",         "case",
                                        "tone", "eth",   "no_diacritics", "empty"};
    size_t used = 0, i;

    if (!buf || size == 0)
        return "";
    buf[0] = '\0';
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        int w;

        if (!(rules & (1u << i)))
            continue;
        w = snprintf(buf + used, size - used, "%s%s", used ? "," : "", names[i]);
        if (w < 0 || (size_t)w >= size - used) {
            buf[used] = '\0'; /* drop a name that does not fit whole */
            break;
        }
        used += (size_t)w;
    }
    return buf;
}

void
dc_name_release(struct dc_name *n)
{
    if (!n)
        return;
    free(n->full);
    free(n->family);
    free(n->middle);
    free(n->given);
    free(n->key);
    n->full = n->family = n->middle = n->given = n->key = NULL;
}

static int
is_hyphen(UChar32 c)
{
    return c == '-' || c == 0x2010 || c == 0x2011;
}

/* End of a word in w (starting at ws): drop stray trailing '-' and '\'',
 * keeping "K'" (a one-letter prefix word of K'Ho names, names/README.md). */
static void
end_word(struct dc_icu_buf *w, int32_t ws, unsigned *rules)
{
    while (w->n > ws && (w->p[w->n - 1] == '-' || w->p[w->n - 1] == '\'')) {
        int32_t seg = w->n - 1;

        if (w->p[w->n - 1] == '\'') {
            while (seg > ws && w->p[seg - 1] != '\'' && w->p[seg - 1] != '-')
                seg--;
            if (w->n - 1 - seg == 1 && !U16_IS_SURROGATE(w->p[seg]))
                break;
        }
        w->n--;
        *rules |= DC_NAME_PUNCT;
    }
    if (w->n > 0)
        w->p[w->n] = 0;
}

/*
 * Keep letters (and marks after them), the apostrophe and the hyphen inside
 * words; white space separates words; anything else (digits, dots, commas,
 * brackets) is dropped and separates words too.  Words are joined by ' '.
 */
static void
clean(const UChar *s, int32_t n, struct dc_icu_buf *w, unsigned *rules)
{
    int32_t i = 0, ws = 0;
    int prev_space = 1, in_word = 0;

    while (i < n) {
        UChar32 c;

        U16_NEXT(s, i, n, c);
        /* invisible joiners: a BOM (U+FEFF) inside a name, left by joining files or
         * pasting, the word joiner and ZWJ/ZWNJ: dropped without splitting the word
         * ("Nguy<BOM>Ễn" is "Nguyễn", not "Nguy Ễn", issue 19) */
        if (c == 0xFEFF || c == 0x2060 || c == 0x200C || c == 0x200D) {
            *rules |= DC_NAME_SPACE;
            continue;
        }
        if (u_isUWhiteSpace(c) || c == 0x200B) {
            if (c != ' ' || prev_space)
                *rules |= DC_NAME_SPACE;
            prev_space = 1;
            if (in_word)
                end_word(w, ws, rules);
            in_word = 0;
            continue;
        }
        prev_space = 0;
        if (dc_fold_is_apostrophe(c) || is_hyphen(c)) {
            UChar keep = is_hyphen(c) ? '-' : '\'';

            if (c != keep)
                *rules |= DC_NAME_PUNCT;
            if (in_word && w->p[w->n - 1] != '\'' && w->p[w->n - 1] != '-')
                dc_icu_buf_cp(w, keep);
            else
                *rules |= DC_NAME_PUNCT;
            continue;
        }
        if (u_isalpha(c) || (in_word && (U_GET_GC_MASK(c) & U_GC_M_MASK))) {
            if (!in_word) {
                if (w->n > 0)
                    dc_icu_buf_cp(w, ' ');
                ws = w->n;
                in_word = 1;
            }
            dc_icu_buf_cp(w, c);
            continue;
        }
        *rules |= DC_NAME_PUNCT;
        if (in_word)
            end_word(w, ws, rules);
        in_word = 0;
    }
    if (prev_space && n > 0)
        *rules |= DC_NAME_SPACE;
    if (in_word)
        end_word(w, ws, rules);
}

/* Title case of one syllable (lower case, first letter title case), then its
 * tone placement; appended to f. */
static int
case_and_tone(const UChar *s, int32_t n, enum dc_tone_style style, struct dc_icu_buf *f,
              unsigned *rules)
{
    struct dc_icu_buf lo = {0}, t = {0};
    UErrorCode st = U_ZERO_ERROR;
    int32_t m, i = 0;
    UChar32 c;
    int rc;

    if (n == 0)
        return 0;
    m = u_strToLower(NULL, 0, s, n, "vi", &st);
    if ((U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR) || dc_icu_buf_reserve(&lo, m) < 0) {
        dc_icu_buf_free(&lo);
        return -1;
    }
    st = U_ZERO_ERROR;
    u_strToLower(lo.p, m + 1, s, n, "vi", &st);
    if (U_FAILURE(st)) {
        dc_icu_buf_free(&lo);
        return -1;
    }
    lo.n = m;
    U16_NEXT(lo.p, i, lo.n, c);
    dc_icu_buf_cp(&t, u_totitle(c));
    dc_icu_buf_append(&t, lo.p + i, lo.n - i);
    dc_icu_buf_free(&lo);
    /* Compared in NFC: lower-casing "İ" gives "i" U+0307, which is no case
     * change once recomposed. */
    if (t.oom || dc_icu_buf_normalize(DC_ICU_NFC, t.p, t.n, &lo) < 0) {
        dc_icu_buf_free(&t);
        dc_icu_buf_free(&lo);
        return -1;
    }
    dc_icu_buf_free(&t);
    if (lo.n != n || memcmp(lo.p, s, (size_t)n * sizeof *s) != 0)
        *rules |= DC_NAME_CASE;
    rc = tone_u16(lo.p, lo.n, style, f);
    if (rc == 1)
        *rules |= DC_NAME_TONE;
    dc_icu_buf_free(&lo);
    return rc < 0 ? -1 : 0;
}

/*
 * Syllable memo.  A million names are made of a few thousand distinct
 * syllables, and case_and_tone plus the fold of its result cost a dozen ICU
 * calls each; so both are remembered per thread in a direct-mapped table of
 * fixed size (no allocation, nothing to free).  A syllable too long for a
 * slot is simply computed every time.  The memo is a cache of a pure
 * function: results are the same with or without it.
 */
#define SYL_MEMO_SLOTS 4096 /* power of two */
#define SYL_MEMO_LEN 12     /* UTF-16 units; Vietnamese syllables have at most 7 */

struct syl_memo {
    uint8_t used, style, rules, inlen, outlen, foldlen;
    UChar in[SYL_MEMO_LEN], out[SYL_MEMO_LEN], fold[SYL_MEMO_LEN];
};

static _Thread_local struct syl_memo syl_memo[SYL_MEMO_SLOTS];

static struct syl_memo *
syl_slot(const UChar *s, int32_t n, enum dc_tone_style style)
{
    /* the style moves the slot too: both forms of a syllable can be kept */
    uint32_t h = dc_hash32(s, (size_t)n * sizeof *s) ^ ((uint32_t)style * 0x9E3779B9u);

    return &syl_memo[h & (SYL_MEMO_SLOTS - 1)];
}

/*
 * One syllable s[0..n) of a cleaned word: its title-cased, tone-placed form
 * appended to f, the fold key of that form appended to k, and the DC_NAME_CASE
 * and DC_NAME_TONE bits it earns added to *rules.
 */
static int
syllable(const UChar *s, int32_t n, enum dc_tone_style style, struct dc_icu_buf *f,
         struct dc_icu_buf *k, unsigned *rules)
{
    struct syl_memo *m = NULL;
    struct dc_icu_buf t = {0}, kf = {0};
    unsigned r = 0;

    if (n > 0 && n <= SYL_MEMO_LEN) {
        m = syl_slot(s, n, style);
        if (m->used && m->style == (uint8_t)style && m->inlen == n &&
            memcmp(m->in, s, (size_t)n * sizeof *s) == 0) {
            dc_icu_buf_append(f, m->out, m->outlen);
            dc_icu_buf_append(k, m->fold, m->foldlen);
            *rules |= m->rules;
            return f->oom || k->oom ? -1 : 0;
        }
    }
    if (case_and_tone(s, n, style, &t, &r) < 0 || t.oom || dc_fold_key_u16(t.p, t.n, &kf) < 0 ||
        kf.oom) {
        dc_icu_buf_free(&t);
        dc_icu_buf_free(&kf);
        return -1;
    }
    dc_icu_buf_append(f, t.p, t.n);
    dc_icu_buf_append(k, kf.p, kf.n);
    *rules |= r;
    if (m && t.n <= SYL_MEMO_LEN && kf.n <= SYL_MEMO_LEN) {
        m->used = 1;
        m->style = (uint8_t)style;
        m->rules = (uint8_t)r;
        m->inlen = (uint8_t)n;
        m->outlen = (uint8_t)t.n;
        m->foldlen = (uint8_t)kf.n;
        memcpy(m->in, s, (size_t)n * sizeof *s);
        memcpy(m->out, t.p, (size_t)t.n * sizeof *t.p);
        memcpy(m->fold, kf.p, (size_t)kf.n * sizeof *kf.p);
    }
    dc_icu_buf_free(&t);
    dc_icu_buf_free(&kf);
    return f->oom || k->oom ? -1 : 0;
}

/*
 * Number of leading words (of nw) that form a compound surname, or 1.  k is
 * the fold key of the whole name and kstart/kend the span of each word in it
 * (words are joined by one space there, as in the compound keys).
 */
static int
family_words(const UChar *k, const int32_t *kstart, const int32_t *kend, int nw)
{
    char key[160];
    int have = 0; /* number of words now in key */

    for (int c = 0; c < NCOMPOUNDS; c++) {
        int words = compounds[c].words;

        if (nw <= words)
            continue;
        if (have != words) {
            have = words;
            if (dc_icu_to_utf8(k + kstart[0], kend[words - 1] - kstart[0], key, sizeof key) < 0)
                key[0] = '\0';
        }
        if (strcmp(key, compounds[c].key) == 0)
            return words;
    }
    return 1;
}

#define NAME_WORDS_MAX (DC_NAME_MAX / 2 + 1)

int
dc_name_normalize(const char *raw, enum dc_tone_style style, struct dc_name *out,
                  struct dc_error *err)
{
    struct dc_icu_buf u = {0}, c = {0}, w = {0}, f = {0}, k = {0}, kn = {0};
    int32_t wstart[NAME_WORDS_MAX], wend[NAME_WORDS_MAX];
    int32_t kstart[NAME_WORDS_MAX], kend[NAME_WORDS_MAX];
    int kpending = 0;
    UChar *s;
    int32_t n, i, seg, a, b;
    int nw = 0, nfam, rc;
    size_t len;
    unsigned rules = 0;
    int isn;

    if (!out)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_name_normalize: out is NULL");
    memset(out, 0, sizeof *out);
    if (!dc_icu_ready())
        return dc_error_set(err, DC_EX_SOFTWARE, "icu normalizer data not available");
    if (!raw)
        raw = "";
    len = strlen(raw);
    if (len > DC_NAME_MAX)
        return dc_error_set(err, DC_EX_DATAERR, "name longer than %d bytes", DC_NAME_MAX);
    rc = dc_icu_from_utf8(raw, len, DC_TEXT_MAX, &u);
    if (rc == -1) {
        dc_icu_buf_free(&u);
        return dc_error_set(err, DC_EX_DATAERR, "name is not valid utf-8");
    }
    if (rc < 0)
        goto oom;
    s = u.p;
    n = u.n;
    if (n > 0 && (isn = dc_icu_is_normalized(DC_ICU_NFC, u.p, u.n)) != 1) {
        if (isn < 0)
            goto oom;
        rules |= DC_NAME_NFC;
        if (dc_icu_buf_normalize(DC_ICU_NFC, u.p, u.n, &c) < 0)
            goto oom;
        s = c.p;
        n = c.n;
    }
    /* Ð/ð are not Vietnamese letters: they are Đ/đ read through Latin-1. */
    for (i = 0; i < n; i++) {
        if (s[i] == 0x00D0 || s[i] == 0x00F0) {
            s[i] = s[i] == 0x00D0 ? 0x0110 : 0x0111;
            rules |= DC_NAME_ETH;
        }
    }
    clean(s, n, &w, &rules);
    if (w.oom)
        goto oom;

    /* Per word and per syllable: case, then tone. */
    for (a = 0, i = 0; i <= w.n; i++) {
        if (i < w.n && w.p[i] != ' ')
            continue;
        if (i > a) {
            if (nw == NAME_WORDS_MAX) /* cannot happen within DC_NAME_MAX bytes */
                goto oom;
            if (nw > 0)
                dc_icu_buf_cp(&f, ' ');
            wstart[nw] = f.n;
            kstart[nw] = -1;
            for (seg = a, b = a; b <= i; b++) {
                int32_t kat;

                if (b < i && w.p[b] != '\'' && w.p[b] != '-')
                    continue;
                /* the key as dc_fold_key_u16 would make it of the whole name: a
                 * space for ' ' and '-', nothing for the apostrophe */
                if (kpending && k.n > 0)
                    dc_icu_buf_cp(&k, ' ');
                kat = k.n;
                if (syllable(w.p + seg, b - seg, style, &f, &k, &rules) < 0)
                    goto oom;
                if (k.n == kat && kpending && kat > 0)
                    k.n--, k.p[k.n] = 0; /* empty key: the space waits */
                else if (k.n > kat)
                    kpending = 0;
                if (kstart[nw] < 0 && k.n > kat)
                    kstart[nw] = kat;
                if (b < i) {
                    dc_icu_buf_append(&f, &w.p[b], 1);
                    if (w.p[b] == '-')
                        kpending = 1;
                }
                seg = b + 1;
            }
            kpending = 1;
            if (kstart[nw] < 0)
                kstart[nw] = k.n;
            kend[nw] = k.n;
            wend[nw++] = f.n;
        }
        a = i + 1;
    }
    if (f.oom)
        goto oom;
    if (nw == 0)
        rules |= DC_NAME_EMPTY;
    rules |= DC_NAME_NO_DIACRITICS;
    for (i = 0; i < f.n; i++)
        if (f.p[i] > 0x7F)
            rules &= ~DC_NAME_NO_DIACRITICS;
    if (nw == 0)
        rules &= ~DC_NAME_NO_DIACRITICS;
    if (k.oom)
        goto oom;
    for (i = 0; i < k.n && k.p[i] < 0x300; i++)
        ;
    if (i < k.n) {
        /* keys joined at syllable boundaries: recompose across them (below
         * U+0300 nothing composes, so the usual key needs no pass) */
        if (dc_icu_buf_normalize(DC_ICU_NFC, k.p, k.n, &kn) < 0)
            goto oom;
        dc_icu_buf_free(&k);
        k = kn;
        kn = (struct dc_icu_buf){0};
    }

    nfam = nw > 1 ? family_words(k.p, kstart, kend, nw) : 0;
    out->full = dc_icu_to_utf8_alloc(f.p, f.n);
    out->key = dc_icu_to_utf8_alloc(k.p, k.n);
    if (!out->full)
        goto oom;
    if (nw == 0) {
        out->family = strdup("");
        out->middle = strdup("");
        out->given = strdup("");
    } else {
        /* the parts are whole words of full: cut its UTF-8 at the words'
         * byte offsets instead of converting each part again */
        int32_t at[NAME_WORDS_MAX][2];
        int32_t bytes = 0, j = 0;

        for (int wi = 0; wi < nw; wi++) {
            for (; j < wend[wi]; j++) {
                if (j == wstart[wi])
                    at[wi][0] = bytes;
                bytes += f.p[j] < 0x80 ? 1 : f.p[j] < 0x800 ? 2 : U16_IS_SURROGATE(f.p[j]) ? 2 : 3;
            }
            at[wi][1] = bytes;
        }
        out->family = strndup(out->full, nfam ? (size_t)at[nfam - 1][1] : 0);
        if (nw - 1 > nfam)
            out->middle = strndup(out->full + at[nfam][0], (size_t)(at[nw - 2][1] - at[nfam][0]));
        else
            out->middle = strdup("");
        out->given = strdup(out->full + at[nw - 1][0]);
    }
    if (!out->full || !out->key || !out->family || !out->middle || !out->given)
        goto oom;
    out->rules = rules;
    rc = 0;
done:
    dc_icu_buf_free(&u);
    dc_icu_buf_free(&c);
    dc_icu_buf_free(&w);
    dc_icu_buf_free(&f);
    dc_icu_buf_free(&k);
    dc_icu_buf_free(&kn);
    return rc;
oom:
    dc_name_release(out);
    rc = dc_error_set(err, DC_EX_OSERR, "out of memory (or icu failure) normalizing a name");
    goto done;
}
