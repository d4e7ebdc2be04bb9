/*
 * header.c - header cleaning, the alias table, two-row headers, columns by
 * content and --map files (see header.h; the table and its sources are in
 * docs/headers.md).
 */
#include "header.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "vndate.h"
#include "vntext.h"

/*
 * Aliases, written folded (no diacritics, lower case, one space between
 * words).  Sources: research/records.md §5 "Header spellings seen" (forms
 * HK01, CT01, DC01, CC01, school and health extracts), §2.4 (the law's field
 * names), the column codes of common exports (HO_TEN, NGAY_SINH,
 * SO_DINH_DANH), and the older and shorter terms of docs/headers.md §2 (old
 * CMND card "Sinh ngày", "Nơi ĐKHK thường trú"; "Phái" of southern forms;
 * "CMT", "HKTT", "NTNS" abbreviations of office sheets), each with its form.
 */
static const struct {
    const char *alias;
    enum dc_field field;
} aliases[] = {
    {"ho va ten", DC_F_FULL_NAME},
    {"ho ten", DC_F_FULL_NAME},
    {"ho chu dem va ten", DC_F_FULL_NAME},
    {"ho chu dem va ten khai sinh", DC_F_FULL_NAME},
    {"ho va ten khai sinh", DC_F_FULL_NAME},
    {"ho ten khai sinh", DC_F_FULL_NAME},
    {"ho va ten cong dan", DC_F_FULL_NAME},
    {"ho ten cong dan", DC_F_FULL_NAME},
    {"ho va ten dem", DC_F_FULL_NAME},
    {"ten day du", DC_F_FULL_NAME},
    {"full name", DC_F_FULL_NAME},
    {"name", DC_F_FULL_NAME},
    {"full_name", DC_F_FULL_NAME},
    {"ho", DC_F_FAMILY_NAME},
    {"family name", DC_F_FAMILY_NAME},
    {"surname", DC_F_FAMILY_NAME},
    {"last name", DC_F_FAMILY_NAME},
    {"chu dem", DC_F_MIDDLE_NAME},
    {"ten dem", DC_F_MIDDLE_NAME},
    {"middle name", DC_F_MIDDLE_NAME},
    {"ten", DC_F_GIVEN_NAME},
    {"given name", DC_F_GIVEN_NAME},
    {"first name", DC_F_GIVEN_NAME},
    {"ten goi khac", DC_F_OTHER_NAME},
    {"ten goi khac neu co", DC_F_OTHER_NAME},
    {"bi danh", DC_F_OTHER_NAME},
    {"other name", DC_F_OTHER_NAME},
    {"ngay sinh", DC_F_DOB},
    {"ngay thang nam sinh", DC_F_DOB},
    {"nam sinh", DC_F_DOB},
    {"ngay thang nam", DC_F_DOB},
    {"dob", DC_F_DOB},
    {"date of birth", DC_F_DOB},
    {"birth date", DC_F_DOB},
    {"birthdate", DC_F_DOB},
    {"sinh ngay", DC_F_DOB},
    {"ntns", DC_F_DOB},
    {"ngay thang nam sinh duong lich", DC_F_DOB},
    {"gioi tinh", DC_F_SEX},
    {"sex", DC_F_SEX},
    {"gender", DC_F_SEX},
    {"phai", DC_F_SEX},
    {"nam nu", DC_F_SEX},
    {"gioi", DC_F_SEX},
    {"so dinh danh ca nhan", DC_F_ID_NUMBER},
    {"so ddcn", DC_F_ID_NUMBER},
    {"ddcn", DC_F_ID_NUMBER},
    {"dinh danh ca nhan", DC_F_ID_NUMBER},
    {"ma dinh danh", DC_F_ID_NUMBER},
    {"so dinh danh", DC_F_ID_NUMBER},
    {"ma so dinh danh", DC_F_ID_NUMBER},
    {"ma dinh danh ca nhan", DC_F_ID_NUMBER},
    {"so cccd", DC_F_ID_NUMBER},
    {"cccd", DC_F_ID_NUMBER},
    {"so can cuoc", DC_F_ID_NUMBER},
    {"so can cuoc cong dan", DC_F_ID_NUMBER},
    {"so the can cuoc", DC_F_ID_NUMBER},
    {"can cuoc cong dan", DC_F_ID_NUMBER},
    {"can cuoc", DC_F_ID_NUMBER},
    {"so the cccd", DC_F_ID_NUMBER},
    {"so dinh danh ca nhan cmnd", DC_F_ID_NUMBER},
    {"so ddcn cmnd", DC_F_ID_NUMBER},
    {"so cmnd cccd ddcn", DC_F_ID_NUMBER},
    {"so cmnd so ddcn", DC_F_ID_NUMBER},
    {"so cccd cmnd ddcn", DC_F_ID_NUMBER},
    {"cmnd cccd", DC_F_ID_NUMBER},
    {"so cmnd cccd", DC_F_ID_NUMBER},
    {"so cccd cmnd", DC_F_ID_NUMBER},
    {"cccd cmnd", DC_F_ID_NUMBER},
    {"id number", DC_F_ID_NUMBER},
    {"personal id", DC_F_ID_NUMBER},
    {"national id", DC_F_ID_NUMBER},
    {"id_number", DC_F_ID_NUMBER},
    {"so cmnd", DC_F_CMND},
    {"cmnd", DC_F_CMND},
    {"so cmnd 9 so", DC_F_CMND},
    {"cmnd cu", DC_F_CMND},
    {"so cmnd cu", DC_F_CMND},
    {"cmnd so", DC_F_CMND},
    {"so chung minh nhan dan", DC_F_CMND},
    {"chung minh nhan dan", DC_F_CMND},
    {"so chung minh thu", DC_F_CMND},
    {"chung minh thu", DC_F_CMND},
    {"so cmt", DC_F_CMND},
    {"cmt", DC_F_CMND},
    {"so cmnd cu 9 so", DC_F_CMND},
    {"ngay cap", DC_F_ISSUE_DATE},
    {"ngay cap cccd", DC_F_ISSUE_DATE},
    {"ngay cap cmnd", DC_F_ISSUE_DATE},
    {"ngay cap cmnd cccd", DC_F_ISSUE_DATE},
    {"noi cap cmnd", DC_F_ISSUE_PLACE},
    {"noi cap cccd", DC_F_ISSUE_PLACE},
    {"noi cap cmnd cccd", DC_F_ISSUE_PLACE},
    {"issue date", DC_F_ISSUE_DATE},
    {"noi cap", DC_F_ISSUE_PLACE},
    {"issue place", DC_F_ISSUE_PLACE},
    {"co gia tri den", DC_F_EXPIRY_DATE},
    {"ngay het han", DC_F_EXPIRY_DATE},
    {"han su dung", DC_F_EXPIRY_DATE},
    {"expiry date", DC_F_EXPIRY_DATE},
    {"date of expiry", DC_F_EXPIRY_DATE},
    {"dan toc", DC_F_ETHNIC},
    {"ethnic", DC_F_ETHNIC},
    {"ethnicity", DC_F_ETHNIC},
    {"ton giao", DC_F_RELIGION},
    {"religion", DC_F_RELIGION},
    {"quoc tich", DC_F_NATIONALITY},
    {"nationality", DC_F_NATIONALITY},
    {"noi thuong tru", DC_F_ADDRESS},
    {"dia chi thuong tru", DC_F_ADDRESS},
    {"ho khau thuong tru", DC_F_ADDRESS},
    {"thuong tru", DC_F_ADDRESS},
    {"dia chi", DC_F_ADDRESS},
    {"address", DC_F_ADDRESS},
    {"noi cu tru", DC_F_ADDRESS},
    {"dia chi cu tru", DC_F_ADDRESS},
    {"permanent address", DC_F_ADDRESS},
    {"noi dang ky thuong tru", DC_F_ADDRESS},
    {"noi dang ky ho khau thuong tru", DC_F_ADDRESS},
    {"noi dkhk thuong tru", DC_F_ADDRESS},
    {"noi dkhktt", DC_F_ADDRESS},
    {"dkhk thuong tru", DC_F_ADDRESS},
    {"hktt", DC_F_ADDRESS},
    {"dia chi hktt", DC_F_ADDRESS},
    {"ho khau", DC_F_ADDRESS},
    {"dia chi ho khau", DC_F_ADDRESS},
    {"noi o hien tai", DC_F_ADDRESS_CURRENT},
    {"cho o hien nay", DC_F_ADDRESS_CURRENT},
    {"noi o hien nay", DC_F_ADDRESS_CURRENT},
    {"cho o hien tai", DC_F_ADDRESS_CURRENT},
    {"dia chi hien tai", DC_F_ADDRESS_CURRENT},
    {"dia chi hien nay", DC_F_ADDRESS_CURRENT},
    {"noi tam tru", DC_F_ADDRESS_CURRENT},
    {"dia chi tam tru", DC_F_ADDRESS_CURRENT},
    {"tam tru", DC_F_ADDRESS_CURRENT},
    {"noi o", DC_F_ADDRESS_CURRENT},
    {"dia chi thuc te", DC_F_ADDRESS_CURRENT},
    {"dia chi thuc te cu tru", DC_F_ADDRESS_CURRENT},
    {"noi o thuc te", DC_F_ADDRESS_CURRENT},
    {"current address", DC_F_ADDRESS_CURRENT},
    {"xa", DC_F_WARD},
    {"phuong", DC_F_WARD},
    {"xa phuong", DC_F_WARD},
    {"phuong xa", DC_F_WARD},
    {"xa phuong thi tran", DC_F_WARD},
    {"ward", DC_F_WARD},
    {"huyen", DC_F_DISTRICT},
    {"quan", DC_F_DISTRICT},
    {"quan huyen", DC_F_DISTRICT},
    {"huyen quan", DC_F_DISTRICT},
    {"district", DC_F_DISTRICT},
    {"quan huyen thi xa", DC_F_DISTRICT},
    {"tinh", DC_F_PROVINCE},
    {"tinh thanh pho", DC_F_PROVINCE},
    {"tinh tp", DC_F_PROVINCE},
    {"tinh thanh", DC_F_PROVINCE},
    {"province", DC_F_PROVINCE},
    {"que quan", DC_F_HOMETOWN},
    {"nguyen quan", DC_F_HOMETOWN},
    {"hometown", DC_F_HOMETOWN},
    {"noi sinh", DC_F_BIRTH_PLACE},
    {"noi dang ky khai sinh", DC_F_BIRTH_PLACE},
    {"noi dk khai sinh", DC_F_BIRTH_PLACE},
    {"place of birth", DC_F_BIRTH_PLACE},
    {"so ho so cu tru", DC_F_HOUSEHOLD_NO},
    {"ho so cu tru", DC_F_HOUSEHOLD_NO},
    {"so so ho khau", DC_F_HOUSEHOLD_NO},
    {"so ho khau", DC_F_HOUSEHOLD_NO},
    {"so so hk", DC_F_HOUSEHOLD_NO},
    {"so hk", DC_F_HOUSEHOLD_NO},
    {"ma ho", DC_F_HOUSEHOLD_NO},
    {"ma ho gia dinh", DC_F_HOUSEHOLD_NO},
    {"ma so ho gia dinh", DC_F_HOUSEHOLD_NO},
    {"so ho", DC_F_HOUSEHOLD_NO},
    {"quan he voi chu ho", DC_F_RELATION},
    {"moi quan he voi chu ho", DC_F_RELATION},
    {"quan he chu ho", DC_F_RELATION},
    {"chu ho quan he voi chu ho", DC_F_RELATION},
    {"quan he", DC_F_RELATION},
    {"relation", DC_F_RELATION},
    {"so dien thoai", DC_F_PHONE},
    {"dien thoai", DC_F_PHONE},
    {"sdt", DC_F_PHONE},
    {"phone", DC_F_PHONE},
    {"mrz", DC_F_MRZ},
    {"ma mrz", DC_F_MRZ},
    {"qr", DC_F_QR},
    {"ma qr", DC_F_QR},
    {"qr code", DC_F_QR},
};

/*
 * Words a header may carry around its alias without changing what the column
 * holds: hints ("dd/mm/yyyy", "Nam/Nữ", "12 số", "ghi rõ", "viết in hoa có
 * dấu", "bắt buộc") and who the row is about ("học sinh", "nhân khẩu",
 * "thành viên").  Anything else left over means another thing: "Ngày sinh
 * chủ hộ", "Họ tên cha", "Địa chỉ email" stay unmapped.
 */
static const char *const filler[] = {
    "so",  "ma",   "cua", "cong", "dan",  "ca",    "nhan", "day",   "du",   "ghi",   "ro",   "viet",
    "in",  "hoa",  "co",  "dau",  "neu",  "theo",  "dd",   "mm",    "yyyy", "yy",    "d",    "m",
    "y",   "x",    "chu", "bat",  "buoc", "hoc",   "sinh", "vien",  "khau", "thanh", "cu",   "moi",
    "gan", "chip", "the", "9",    "12",   "duong", "lich", "tieng", "va",   "hoac",  "khac",
};

/* A group header above sub-columns that names another person: its
 * sub-columns ("Họ tên", "Năm sinh") are that person's, not the row's. */
static const char *const other_person[] = {
    "cha",    "me",       "bo",      "vo",         "chong",         "con",
    "chu ho", "dai dien", "giam ho", "nguoi khai", "nguoi de nghi", "nguoi lap",
};

enum { KEY_MAX = 128, MAP_LINE_MAX = 4096, MAP_MAX_RULES = 1000, HDR_MAX = 512 };
enum { TOK_MAX = 24, TOK_LEN = 32 };

struct dc_mapfile {
    size_t n;
    struct {
        char key[KEY_MAX];
        int field; /* -1 = keep in extra */
    } rule[MAP_MAX_RULES];
};

/* The words of a cleaned header, folded; marked: the word had diacritics
 * ("Năm" year, not "Nam" male). */
struct toks {
    int n;
    char t[TOK_MAX][TOK_LEN];
    unsigned char marked[TOK_MAX];
};

/* Fold, drop "(...)" parts and everything that is not a letter or digit. */
int
dc_header_key(const char *header, char *out, size_t size)
{
    char folded[HDR_MAX];
    size_t o = 0;

    if (size == 0)
        return -1;
    out[0] = '\0';
    if (dc_text_fold(header, folded, sizeof folded) < 0)
        return -1;
    for (const char *p = folded; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!isalnum(c))
            continue;
        if (o + 1 >= size)
            break;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

static int
has_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* Leading numbering of form items: "1.", "12)", "3 -", "a)", "đ)", "IV.", "b. ". */
static const char *
skip_numbering(const char *s)
{
    const char *p = s, *q;

    while (*p == ' ' || *p == '\t')
        p++;
    q = p;
    if (isdigit((unsigned char)*q)) {
        while (isdigit((unsigned char)*q) && q - p < 3)
            q++;
        if (*q == '.' || *q == ')' || *q == '-' || *q == '/')
            q++;
        else
            return s;
    } else if (strchr("IVXivx", *q) && *q) {
        while (*q && strchr("IVXivx", *q) && q - p < 4)
            q++;
        if (*q == '.' || *q == ')')
            q++;
        else
            return s;
    } else if (isalpha((unsigned char)*q) && (q[1] == ')' || (q[1] == '.' && q[2] == ' '))) {
        q += 2;
    } else if ((unsigned char)q[0] == 0xC4 && (unsigned char)q[1] == 0x91 && q[2] == ')') {
        q += 3; /* "đ)" */
    } else {
        return s;
    }
    while (*q == ' ' || *q == '\t')
        q++;
    return has_text(q, strlen(q)) ? q : s;
}

/* The header without hints in brackets or after a colon, nor numbering. */
static void
strip_hints(const char *in, char *out, size_t size)
{
    size_t o = 0;
    int depth = 0;

    for (const char *p = skip_numbering(in); *p; p++) {
        char c = *p;
        if (c == '(' || c == '[' || c == '{') {
            depth++;
            continue;
        }
        if (c == ')' || c == ']' || c == '}') {
            if (depth > 0)
                depth--;
            continue;
        }
        if (depth > 0)
            continue;
        if (c == ':') {
            if (has_text(out, o))
                break; /* "Giới tính: Nam/Nữ" */
            continue;
        }
        if (o + 1 < size)
            out[o++] = c;
    }
    out[o] = '\0';
}

/* Cleaned words of a header; n = -1 when there are too many to be a field name. */
static void
tokenize(const char *header, struct toks *t)
{
    char clean[HDR_MAX], word[HDR_MAX], folded[HDR_MAX];
    const char *p;

    t->n = 0;
    if (!header || strlen(header) >= HDR_MAX)
        return;
    strip_hints(header, clean, sizeof clean);
    p = clean;
    while (*p) {
        size_t n = 0;
        /* words end at ASCII punctuation and spaces; UTF-8 letters stay inside */
        while (*p && !(isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        while (p[n] && (isalnum((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80))
            n++;
        if (n == 0)
            break;
        memcpy(word, p, n);
        word[n] = '\0';
        p += n;
        if (dc_text_fold(word, folded, sizeof folded) < 0)
            continue;
        int marked = dc_text_has_diacritics(word);
        for (const char *w = folded; *w;) {
            size_t k = strcspn(w, " ");
            if (k > 0) {
                if (t->n == TOK_MAX || k >= TOK_LEN) {
                    t->n = -1;
                    return;
                }
                memcpy(t->t[t->n], w, k);
                t->t[t->n][k] = '\0';
                t->marked[t->n] = (unsigned char)marked;
                t->n++;
            }
            w += k;
            w += *w == ' ';
        }
    }
}

int
dc_header_clean(const char *header, char *out, size_t size)
{
    struct toks t;
    size_t o = 0;

    if (size == 0)
        return -1;
    out[0] = '\0';
    if (!header || strlen(header) >= HDR_MAX)
        return -1;
    tokenize(header, &t);
    if (t.n < 0)
        return -1;
    for (int i = 0; i < t.n; i++) {
        size_t n = strlen(t.t[i]);
        if (o + n + 2 > size)
            return -1;
        if (i)
            out[o++] = ' ';
        memcpy(out + o, t.t[i], n);
        o += n;
    }
    out[o] = '\0';
    return 0;
}

/* Number of words of phrase ("chu ho") if they are t[pos ...], else 0. */
static int
phrase_at(const char *phrase, const struct toks *t, int pos)
{
    int k = 0;
    const char *p = phrase;

    while (*p) {
        size_t n = strcspn(p, " ");
        if (pos + k >= t->n || strlen(t->t[pos + k]) != n || memcmp(t->t[pos + k], p, n) != 0)
            return 0;
        k++;
        p += n;
        while (*p == ' ')
            p++;
    }
    return k;
}

static int
is_filler(const char *w)
{
    for (size_t i = 0; i < sizeof filler / sizeof filler[0]; i++)
        if (strcmp(filler[i], w) == 0)
            return 1;
    return 0;
}

static int
names_other_person(const struct toks *t)
{
    for (int i = 0; i < t->n; i++)
        for (size_t k = 0; k < sizeof other_person / sizeof other_person[0]; k++)
            if (phrase_at(other_person[k], t, i))
                return 1;
    return 0;
}

/* The field of words t[from .. to-1] taken whole, or -1. */
static int
alias_exact(const struct toks *t, int from, int to)
{
    struct toks sub;

    sub.n = to - from;
    for (int i = 0; i < sub.n; i++)
        memcpy(sub.t[i], t->t[from + i], TOK_LEN);
    for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
        if (phrase_at(aliases[a].alias, &sub, 0) == sub.n && sub.n > 0)
            return (int)aliases[a].field;
    return -1;
}

/* The sex word closing a split column: "Nữ"/"Nu", or "Nam" without marks
 * ("Năm" is a year). */
static char
sex_word(const struct toks *t, int i)
{
    if (strcmp(t->t[i], "nu") == 0)
        return 'F';
    if (strcmp(t->t[i], "nam") == 0 && !t->marked[i])
        return 'M';
    return 0;
}

/* The longest alias inside the words whose leftover words are all hints, or -1. */
static int
alias_within(const struct toks *t)
{
    int best = -1, bestlen = 0;

    for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++) {
        for (int pos = 0; pos < t->n; pos++) {
            int k = phrase_at(aliases[a].alias, t, pos);
            int ok = k > bestlen;
            for (int i = 0; ok && i < t->n; i++)
                if ((i < pos || i >= pos + k) && !is_filler(t->t[i]) &&
                    !(aliases[a].field == DC_F_SEX && sex_word(t, i)))
                    ok = 0; /* "Nam/Nữ" after a sex header is its hint */
            if (ok) {
                best = (int)aliases[a].field;
                bestlen = k;
            }
        }
    }
    return best;
}

/* One column of a split pair: "Nam", "Nữ", or a birth-date or sex header
 * followed by one ("Năm sinh Nam", "Ngày sinh > Nữ", "Giới tính > Nam"). */
static char
split_sex(const struct toks *t)
{
    char s;
    int f;

    if (t->n < 1 || !(s = sex_word(t, t->n - 1)))
        return 0;
    if (t->n == 1)
        return s;
    f = alias_exact(t, 0, t->n - 1);
    return f == DC_F_DOB || f == DC_F_SEX ? s : 0;
}

struct match {
    int field;
    enum dc_header_how how;
    char sex;
};

/* Match one header (no --map, no duplicates); group: may be "group > sub". */
static struct match
match_header(const char *header, int group_ok)
{
    struct match m = {-1, DC_HDR_UNKNOWN, 0};
    char key[KEY_MAX], squeezed[KEY_MAX];
    const char *gt = header && group_ok ? strstr(header, " > ") : NULL;
    struct toks t;
    int f;

    if (!header || !header[0] || strlen(header) >= HDR_MAX)
        return m;
    if (gt) {
        /* a two-row header: the sub-column alone first ("Hộ khẩu thường trú > Xã" is
         * the ward), unless the group names another person; then the words together */
        struct toks g;
        char group[HDR_MAX];
        size_t gl = (size_t)(gt - header);

        if (gl >= sizeof group)
            return m;
        memcpy(group, header, gl);
        group[gl] = '\0';
        tokenize(group, &g);
        if (g.n >= 0 && names_other_person(&g))
            return m;
        m = match_header(gt + 3, 0);
        if (m.field < 0) {
            char joined[HDR_MAX];
            size_t sl = strlen(gt + 3);
            /* header is shorter than HDR_MAX and joined one byte shorter than it */
            memcpy(joined, group, gl);
            joined[gl] = ' ';
            memcpy(joined + gl + 1, gt + 3, sl + 1);
            m = match_header(joined, 0);
        }
        if (m.field >= 0)
            m.how = DC_HDR_CLEANED;
        return m;
    }
    tokenize(header, &t);
    if (t.n < 0)
        return m;
    if ((m.sex = split_sex(&t)) != 0) {
        m.field = DC_F_SEX;
        m.how = t.n == 1 && strcmp(header, t.t[0]) == 0 ? DC_HDR_ALIAS : DC_HDR_CLEANED;
        return m;
    }
    /* 1. the header as written, squeezed ("HO_TEN", "hoten", "HỌ TÊN (*)") */
    dc_header_key(header, key, sizeof key);
    for (size_t a = 0; key[0] && a < sizeof aliases / sizeof aliases[0]; a++) {
        size_t o = 0;
        for (const char *p = aliases[a].alias; *p && o + 1 < sizeof squeezed; p++)
            if (isalnum((unsigned char)*p))
                squeezed[o++] = *p;
        squeezed[o] = '\0';
        if (strcmp(squeezed, key) == 0) {
            m.field = (int)aliases[a].field;
            m.how = DC_HDR_ALIAS;
            return m;
        }
    }
    if ((f = dc_field_by_name(header)) >= 0) { /* a canonical name as header */
        m.field = f;
        m.how = DC_HDR_ALIAS;
        return m;
    }
    /* 2. cleaned words: the whole, else an alias inside hints */
    if (t.n > 0 && ((f = alias_exact(&t, 0, t.n)) >= 0 || (f = alias_within(&t)) >= 0)) {
        m.field = f;
        m.how = DC_HDR_CLEANED;
    }
    return m;
}

const char *
dc_header_how_name(enum dc_header_how how)
{
    switch (how) {
    case DC_HDR_ALIAS:
        return "alias";
    case DC_HDR_CLEANED:
        return "cleaned";
    case DC_HDR_CONTENT:
        return "by content";
    case DC_HDR_MAP:
        return "map-file";
    case DC_HDR_DUPLICATE:
        return "duplicate";
    default:
        return "unknown";
    }
}

const char *
dc_header_target(const struct dc_header_map *m, char *buf, size_t size)
{
    if (m->field < 0)
        return NULL;
    if (m->sex) {
        snprintf(buf, size, "sex=%c, dob", m->sex);
        return buf;
    }
    return dc_field_name((enum dc_field)m->field);
}

static int
id_family(int f)
{
    return f == DC_F_ID_NUMBER || f == DC_F_CMND;
}

int
dc_header_map(const char *const *headers, size_t n, const struct dc_mapfile *map,
              struct dc_header_map *out, struct dc_error *err)
{
    int taken[DC_F_COUNT] = {0};
    size_t first[2] = {n, n}; /* first split column of each sex */
    char key[KEY_MAX];

    (void)err;
    for (size_t i = 0; i < n; i++) {
        struct match m = {-1, DC_HDR_UNKNOWN, 0};
        const char *h = headers[i] ? headers[i] : "";

        if (map) {
            dc_header_key(h, key, sizeof key);
            for (size_t r = 0; r < map->n; r++) {
                if (strcmp(map->rule[r].key, key) == 0) {
                    m.field = map->rule[r].field;
                    m.how = m.field >= 0 ? DC_HDR_MAP : DC_HDR_UNKNOWN;
                    goto found;
                }
            }
        }
        m = match_header(h, 1);
    found:
        if (m.sex) {
            size_t *fs = &first[m.sex == 'F'];
            if (*fs < n) { /* a second "Nam" column */
                m.field = -1;
                m.sex = 0;
                m.how = DC_HDR_DUPLICATE;
            } else {
                *fs = i;
            }
        } else if (m.field >= 0 && taken[m.field] && !id_family(m.field)) {
            m.field = -1;
            m.how = DC_HDR_DUPLICATE;
        }
        if (m.field >= 0 && !m.sex)
            taken[m.field] = 1;
        out[i].field = m.field;
        out[i].how = m.how;
        out[i].sex = m.sex;
    }
    /* a split column needs its other half */
    if ((first[0] < n) != (first[1] < n)) {
        size_t lone = first[0] < n ? first[0] : first[1];
        out[lone].field = -1;
        out[lone].how = DC_HDR_UNKNOWN;
        out[lone].sex = 0;
    }
    return 0;
}

int
dc_header_score(const char *const *fields, size_t n)
{
    enum { CHUNK = 64 };
    struct dc_header_map out[CHUNK];
    int score = 0;

    /* in chunks: no allocation, so scoring never fails (a split pair across a
     * chunk boundary counts for nothing, which a real header never needs) */
    for (size_t at = 0; at < n; at += CHUNK) {
        size_t k = n - at < CHUNK ? n - at : CHUNK;
        dc_header_map(fields + at, k, NULL, out, NULL);
        for (size_t i = 0; i < k; i++)
            score += out[i].field >= 0;
    }
    return score;
}

static const char *
cell(const char *const *row, size_t n, size_t i)
{
    return i < n && row[i] ? row[i] : "";
}

static int
blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* "(1)", "1", "[12]", "(A)", "A": the column numbers forms print under a header. */
static int
column_number(const char *s)
{
    size_t n;

    while (*s == ' ')
        s++;
    if (*s == '(' || *s == '[')
        s++;
    n = strspn(s, "0123456789");
    if (n == 0 && isupper((unsigned char)*s))
        n = 1;
    if (n == 0 || n > 3)
        return 0;
    s += n;
    if (*s == ')' || *s == ']')
        s++;
    while (*s == ' ')
        s++;
    return *s == '\0';
}

static int
digits_in(const char *s)
{
    int d = 0;
    for (; *s; s++)
        d += isdigit((unsigned char)*s) != 0;
    return d;
}

int
dc_header_combine(const char *const *top, size_t ntop, const char *const *sub, size_t nsub,
                  char **out, struct dc_error *err)
{
    size_t n = ntop > nsub ? ntop : nsub;
    const char *group = NULL; /* the header over a span of sub-columns */

    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *t = cell(top, ntop, i), *s = cell(sub, nsub, i), *g = NULL;
        size_t len;

        if (!blank(t)) {
            /* a header with a sub-column under it starts a span; one with an empty
             * cell under it was merged down and ends any span */
            group = blank(s) ? NULL : t;
            g = t;
        } else if (!blank(s)) {
            g = group;
        }
        len = (g ? strlen(g) : 0) + strlen(s) + 4;
        out[i] = malloc(len);
        if (!out[i]) {
            for (size_t k = 0; k < i; k++) {
                free(out[k]);
                out[k] = NULL;
            }
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        }
        if (g && !blank(s))
            snprintf(out[i], len, "%s > %s", g, s);
        else
            snprintf(out[i], len, "%s", g ? g : s);
    }
    return 0;
}

int
dc_header_subrow(const char *const *top, size_t ntop, const char *const *sub, size_t nsub)
{
    size_t n = ntop > nsub ? ntop : nsub, filled = 0, numbers = 0, tops = 0;
    char **comb;
    int before, after, rc = DC_SUBROW_NONE;

    if (n == 0 || n > 10000)
        return DC_SUBROW_NONE;
    for (size_t i = 0; i < n; i++) {
        const char *s = cell(sub, nsub, i);
        tops += !blank(cell(top, ntop, i));
        if (blank(s))
            continue;
        filled++;
        if (column_number(s))
            numbers++;
        else if (digits_in(s) >= 3)
            return DC_SUBROW_NONE; /* a date, an ID, a house number: data */
    }
    if (filled == 0)
        return DC_SUBROW_NONE;
    if (numbers == filled)
        return filled >= 2 && 2 * filled >= tops ? DC_SUBROW_NUMBERS : DC_SUBROW_NONE;
    comb = calloc(n, sizeof *comb);
    if (!comb || dc_header_combine(top, ntop, sub, nsub, comb, NULL) < 0) {
        free(comb);
        return DC_SUBROW_NONE;
    }
    before = dc_header_score(top, ntop);
    after = dc_header_score((const char *const *)comb, n);
    if (after > before) {
        /* every sub-column must read as a header, combined or alone: a data row
         * under a header with a gap ("Kinh" under an empty cell) is no header */
        struct dc_header_map *m = calloc(n, sizeof *m);
        rc = DC_SUBROW_GROUP;
        if (!m) {
            rc = DC_SUBROW_NONE;
        } else {
            dc_header_map((const char *const *)comb, n, NULL, m, NULL);
            for (size_t i = 0; i < n && rc; i++) {
                const char *s = cell(sub, nsub, i);
                if (!blank(s) && m[i].field < 0 && m[i].how != DC_HDR_DUPLICATE &&
                    !column_number(s))
                    rc = DC_SUBROW_NONE;
            }
            free(m);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(comb[i]);
    free(comb);
    return rc;
}

int
dc_header_generic(const char *header)
{
    static const char *const words[] = {"cot",    "column",  "col", "field",
                                        "truong", "unnamed", "f",   "c"};
    struct toks t;

    if (!header)
        return 1;
    tokenize(header, &t);
    if (t.n < 0)
        return 0;
    for (int i = 0; i < t.n; i++) {
        const char *w = t.t[i];
        size_t d = strspn(w, "0123456789"), k;
        if (w[d] == '\0')
            continue; /* a number */
        if (strlen(w) == 1)
            continue; /* a column letter */
        for (k = 0; k < sizeof words / sizeof words[0]; k++) {
            size_t l = strlen(words[k]);
            if (strncmp(w, words[k], l) == 0 && w[l + strspn(w + l, "0123456789")] == '\0')
                break; /* "cot", "column5", "f12" */
        }
        if (k == sizeof words / sizeof words[0])
            return 0;
    }
    return 1;
}

int
dc_header_id_kind(const char *v)
{
    const char *e;
    int d = 0;

    while (*v == ' ')
        v++;
    e = v + strlen(v);
    while (e > v && e[-1] == ' ')
        e--;
    for (const char *p = v; p < e; p++) {
        if (isdigit((unsigned char)*p))
            d++;
        else if (!((*p == ' ' || *p == '.' || *p == '-') && p > v &&
                   isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1])))
            return 0; /* separators only between digits */
    }
    return d == 12 ? 12 : d == 9 ? 9 : 0;
}

void
dc_header_sniff_add(struct dc_header_sniff *s, const char *value)
{
    struct dc_date d;
    char key[32];
    int kind;

    if (!value || blank(value) || strlen(value) > 64)
        return;
    s->n++;
    kind = dc_header_id_kind(value);
    s->id12 += kind == 12;
    s->id9 += kind == 9;
    if (kind == 0 && dc_date_parse(value, 0, &d) == 0 && d.precision != DC_DATE_NONE &&
        (d.precision != DC_DATE_YEAR || (d.year >= 1900 && d.year <= 2099)))
        s->date++;
    if (dc_text_fold(value, key, sizeof key) == 0 &&
        (strcmp(key, "nam") == 0 || strcmp(key, "nu") == 0 || strcmp(key, "nam gioi") == 0 ||
         strcmp(key, "nu gioi") == 0))
        s->sex++;
}

static int
mostly(unsigned k, unsigned n)
{
    return n >= 3 && 5 * k >= 4 * n;
}

int
dc_header_by_content(const char *const *headers, struct dc_header_map *map,
                     const struct dc_header_sniff *sniff, size_t n)
{
    static const int fields[] = {DC_F_DOB, DC_F_SEX, DC_F_ID_NUMBER, DC_F_CMND};
    int taken[DC_F_COUNT] = {0}, mapped = 0;

    for (size_t i = 0; i < n; i++) {
        if (map[i].field >= 0)
            taken[map[i].field] = 1;
        if (map[i].sex)
            taken[DC_F_DOB] = 1; /* a split pair gives both */
    }
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        int f = fields[k];
        size_t found = n, count = 0;

        if (taken[f])
            continue;
        for (size_t i = 0; i < n; i++) {
            const struct dc_header_sniff *s = &sniff[i];
            unsigned hits = f == DC_F_DOB         ? s->date
                            : f == DC_F_SEX       ? s->sex
                            : f == DC_F_ID_NUMBER ? s->id12
                                                  : s->id9;
            if (map[i].field >= 0 || !dc_header_generic(headers[i]) || !mostly(hits, s->n))
                continue;
            if (count++ == 0)
                found = i;
        }
        if (count == 1) {
            map[found].field = f;
            map[found].how = DC_HDR_CONTENT;
            taken[f] = 1;
            mapped++;
        }
    }
    return mapped;
}

int
dc_header_missing(const struct dc_header_map *map, size_t n, char *buf, size_t size)
{
    static const char *const label[] = {"họ và tên", "ngày sinh", "giới tính", "số định danh/CMND",
                                        "nơi thường trú"};
    int have[5] = {0}, missing = 0;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int f = map[i].field;
        have[0] |= f == DC_F_FULL_NAME || f == DC_F_FAMILY_NAME || f == DC_F_GIVEN_NAME;
        have[1] |= f == DC_F_DOB || map[i].sex != 0;
        have[2] |= f == DC_F_SEX;
        have[3] |= id_family(f);
        have[4] |= f == DC_F_ADDRESS || f == DC_F_WARD;
    }
    if (size)
        buf[0] = '\0';
    for (int k = 0; k < 5; k++) {
        if (have[k])
            continue;
        if (size > o) {
            int w = snprintf(buf + o, size - o, "%s%s", missing ? ", " : "", label[k]);
            o = w > 0 && (size_t)w < size - o ? o + (size_t)w : size - 1;
        }
        missing++;
    }
    return missing;
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int
dc_header_mapfile_parse(const char *text, size_t len, const char *name, struct dc_mapfile **out,
                        struct dc_error *err)
{
    struct dc_mapfile *m;
    char line[MAP_LINE_MAX];
    size_t pos = 0;
    long lineno = 0;

    *out = NULL;
    m = calloc(1, sizeof *m);
    if (!m)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        if (end - pos >= sizeof line) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "line longer than %d bytes",
                        MAP_LINE_MAX - 1);
            goto fail;
        }
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        if (memchr(text + pos, '\0', end - pos)) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "NUL byte");
            goto fail;
        }
        pos = end + 1;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strrchr(s, '=');
        if (!eq) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "expected column=field");
            goto fail;
        }
        *eq = '\0';
        char *col = trim(s), *fld = trim(eq + 1);
        int f = -1;
        if (strcmp(fld, "-") != 0) {
            f = dc_field_by_name(fld);
            if (f < 0) {
                dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL,
                            "unknown field '%.40s' (see 'dancu import --help')", fld);
                goto fail;
            }
        }
        if (!*col) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "empty column name");
            goto fail;
        }
        if (m->n >= MAP_MAX_RULES) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "more than %d rules",
                        MAP_MAX_RULES);
            goto fail;
        }
        dc_header_key(col, m->rule[m->n].key, KEY_MAX);
        m->rule[m->n].field = f;
        m->n++;
    }
    *out = m;
    return 0;
fail:
    free(m);
    return -1;
}

int
dc_header_mapfile_load(const char *path, struct dc_mapfile **out, struct dc_error *err)
{
    enum { MAX = 1 << 20 };
    FILE *fp = fopen(path, "rb");
    char *buf;
    size_t n;
    int ret;

    *out = NULL;
    if (!fp)
        return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
    buf = malloc(MAX);
    if (!buf) {
        fclose(fp);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    n = fread(buf, 1, MAX, fp);
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return dc_error_at(err, DC_EX_IOERR, path, 0, NULL, "read error");
    }
    if (n == MAX) {
        free(buf);
        fclose(fp);
        return dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "map file over 1 MiB");
    }
    fclose(fp);
    ret = dc_header_mapfile_parse(buf, n, path, out, err);
    free(buf);
    return ret;
}

void
dc_header_mapfile_free(struct dc_mapfile *m)
{
    free(m);
}
