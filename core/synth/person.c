/*
 * synth/person.c - the population: households (ward, address, size,
 * ethnic group, roles) and their persons (names, birth date, 12-digit ID,
 * CMND, chip card issue date), and addresses rendered plain, abbreviated,
 * folded or in 2025 units.
 * Not for: corrupting what is drawn (corrupt.c) or writing it (rows.c).
 */
#include "synth_int.h"

/* 63 province codes of ID numbers, Circular 07/2016 Annex 1 (idformats §1.3):
 * "0" + the pre-2025 GSO province code. */
static const char *const id_prov[63] = {
    "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
    "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
    "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
    "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"};

/* 9-digit CMND prefix of the issuing provincial police (idformats §2.1).
 * Rows marked * are the note's "from memory, unverified" remainder; a prefix
 * is only a soft hint for crosscheck, so an error here misleads no check. */
static const struct {
    const char *prov, *prefix;
} cmnd_prefix[] = {{"01", "01"},
                   {"79", "02"},
                   {"31", "03"},
                   {"14", "05"},
                   {"02", "07"},
                   {"06", "095"},
                   {"22", "10"},
                   {"17", "11"},
                   {"27", "12"},
                   {"24", "12"},
                   {"25", "13"},
                   {"30", "14"},
                   {"33", "14"},
                   {"35", "16"},
                   {"42", "18"},
                   {"44", "19"},
                   {"45", "19"},
                   {"49", "20"},
                   {"51", "21"},
                   {"52", "21"},
                   {"54", "22"},
                   {"56", "22"},
                   {"64", "230"},
                   {"58", "26"},
                   {"60", "26"},
                   {"77", "27"},
                   {"74", "280"},
                   {"70", "285"},
                   {"72", "29"},
                   {"83", "32"},
                   {"89", "35"},
                   {"93", "36"},
                   {"94", "36"},
                   {"95", "38"},
                   /* unverified (*) */
                   {"11", "04"},
                   {"12", "04"},
                   {"10", "06"},
                   {"15", "06"},
                   {"08", "07"},
                   {"04", "08"},
                   {"20", "08"},
                   {"19", "090"},
                   {"26", "13"},
                   {"34", "15"},
                   {"36", "16"},
                   {"37", "16"},
                   {"38", "17"},
                   {"40", "18"},
                   {"46", "19"},
                   {"48", "20"},
                   {"62", "23"},
                   {"66", "24"},
                   {"67", "245"},
                   {"68", "25"},
                   {"75", "27"},
                   {"80", "30"},
                   {"82", "31"},
                   {"86", "33"},
                   {"84", "33"},
                   {"87", "34"},
                   {"92", "36"},
                   {"91", "37"},
                   {"96", "38"}};

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

static const char *const streets[] = {
    "Lê Lợi",      "Trần Hưng Đạo", "Nguyễn Trãi",    "Hai Bà Trưng", "Lý Thường Kiệt",
    "Quang Trung", "Nguyễn Huệ",    "Phan Chu Trinh", "Lê Duẩn",      "Điện Biên Phủ",
    "Hùng Vương",  "Võ Thị Sáu",    "Trần Phú",       "Bạch Đằng"};
static const char *const hamlets[] = {"Đông",   "Tây",      "Nam",       "Bắc",      "Thượng",
                                      "Hạ",     "Trung",    "Tân Lập",   "Đoàn Kết", "Hòa Bình",
                                      "Phú Mỹ", "An Thạnh", "Bình Minh", "Tân Hòa",  "Quyết Tiến"};

/* ---------------------------------------------------------------- persons */

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
int
synth_expiry_of(struct date dob, struct date issue, struct date *exp)
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

void
synth_fmt_dmy(char *buf, size_t n, struct date d)
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
    } t[] = {{"Thành phố Hồ Chí Minh", "TP.HCM"},
             {"Phường ", "P."},
             {"Xã ", "X."},
             {"Thị trấn ", "TT."},
             {"Quận ", "Q."},
             {"Huyện ", "H."},
             {"Thị xã ", "TX."},
             {"Thành phố ", "TP."},
             {"Tỉnh ", "T."},
             {"Đặc khu ", "ĐK."}};
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

/* name with two neighbouring ASCII letters of its own name (after the type
 * word) swapped, the pair chosen by k; 0 when the name has too few. */
static int
swap_letters(const char *name, uint32_t k, char *out, size_t cap)
{
    size_t n = strlen(name);
    const char *sp = strchr(name, ' ');
    if (n >= cap || sp == NULL)
        return 0;
    if (strncmp(name, "Thị ", 4) == 0 || strncmp(name, "Đặc ", 5) == 0)
        sp = strchr(sp + 1, ' '); /* "Thị trấn", "Đặc khu" */
    if (sp == NULL || strlen(sp + 1) < 6)
        return 0;
    size_t from = (size_t)(sp + 1 - name), pairs[64], np = 0;
    for (size_t i = from; i + 1 < n && np < 64; i++) {
        unsigned char a = (unsigned char)name[i], b = (unsigned char)name[i + 1];
        if (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z' && a != b)
            pairs[np++] = i;
    }
    if (np == 0)
        return 0;
    memcpy(out, name, n + 1);
    size_t i = pairs[k % np];
    out[i] = name[i + 1];
    out[i + 1] = name[i];
    return 1;
}

void
synth_render_addr(struct gen *g, const struct person *p, int fl, char *buf, size_t cap)
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
    int sp = chance(&g->r, 0.4);
    /* Kinds of mess seen in real strings (issue 13 §2.6, §2.8, §2.10), chosen
     * from the address itself so that the generator draws no more numbers
     * and every other byte stays as before: a type word glued to the name,
     * dashes or spaces as the only separators, the district left out, a
     * street named like a unit. */
    uint32_t h = 2166136261u;
    for (const char *q = p->detail; *q; q++)
        h = (h ^ (unsigned char)*q) * 16777619u;
    for (const char *q = w->wname; *q; q++)
        h = (h ^ (unsigned char)*q) * 16777619u;
    /* a street whose name holds a unit name or a type word, or is a code
     * or a date (issue 13 §2.5, §2.8): the units follow it */
    static const char *const unit_streets[] = {"An Dương Vương", "Lý Thái Tổ", "Xa lộ Hà Nội",
                                               "Thụy Phương",    "D2",         "30/4"};
    char det[160];
    const char *detail = p->detail;
    int street = (p->detail[0] >= '0' && p->detail[0] <= '9') ||
                 strncmp(p->detail, "Số ", strlen("Số ")) == 0; /* a town's address */
    /* folded household rows only: the legacy rows (abbreviated) are checked
     * against the truth's detail */
    if (street && (fl & A_FOLD) && !(fl & A_ABBR) && (h >> 18) % 2 == 0) {
        snprintf(det, sizeof det, "%u đường %s", 1 + (h >> 22) % 199,
                 unit_streets[(h >> 26) % (sizeof unit_streets / sizeof unit_streets[0])]);
        detail = det;
    }
    sb_add(&a, detail);
    const char *sep = ", ";
    if ((fl & A_FOLD) && h % 8 < 3)
        sep = h % 8 == 2 ? " " : " - ";
    int glue = (fl & A_ABBR) && (h >> 3) % 4 == 0;
    int nodist = nu == 3 && (fl & (A_ABBR | A_FOLD)) && (h >> 5) % 8 == 0;
    /* one typo in the ward's name, two neighbouring letters swapped ("Lnog
     * Hậu"), with the district written (issue 13 §2.7) */
    char typo[128];
    if ((fl & (A_ABBR | A_FOLD)) && !nodist && nu == 3 && (h >> 8) % 32 == 0 &&
        swap_letters(units[0], h >> 13, typo, sizeof typo))
        units[0] = typo;
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
        synth_fold_to(&g->vl, tmp, &o);
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

/* ---------------------------------------------------------------- households */

enum { R_HEAD, R_SPOUSE, R_CHILD, R_PARENT };

int
synth_gen_household(struct gen *g, unsigned long long *next, unsigned long long end)
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
        if (synth_emit_person(g, p) < 0)
            return -1;
        ++*next;
        g->st.persons++;
    }
    return 0;
}
