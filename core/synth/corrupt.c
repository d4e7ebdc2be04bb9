/*
 * synth/corrupt.c - the corruption of one row: the FEBRL-style budget of
 * modifications and which exclude which, a person's name rendered with the
 * chosen ones, and the TD1 MRZ of a card.
 * Not for: dates, IDs and addresses of a row (rows.c applies those).
 */
#include "synth_int.h"

/* ---------------------------------------------------------------- corruption */

/* code, weight in household rows, weight in legacy rows (see file comment) */
const struct synth_op synth_ops[OP_N] = {
    {"NAME_TYPO", {20, 20}},         {"NAME_NO_DIACRITICS", {8, 15}},
    {"NAME_TONE_PLACEMENT", {8, 8}}, {"NAME_SURNAME_VARIANT", {5, 5}},
    {"NAME_MIDDLE_DROPPED", {6, 6}}, {"NAME_UPPER", {8, 15}},
    {"NAME_DOUBLE_SPACE", {5, 0}},   {"NAME_NBSP", {3, 0}},
    {"NAME_ETH_D", {3, 0}},          {"NAME_MOJIBAKE", {2, 0}},
    {"DOB_DAY_MONTH_SWAP", {5, 6}},  {"DOB_YEAR_ONLY", {4, 5}},
    {"DOB_SHORT_YEAR", {6, 0}},      {"ID_LEADING_ZERO_LOST", {4, 0}},
    {"ID_DIGIT_TYPO", {3, 0}},       {"ID_SPREADSHEET_EXPONENT", {1, 0}},
    {"ID_WRONG_COLUMN", {2, 3}},     {"CMND_LEADING_ZERO_LOST", {0, 4}},
    {"MISSING_DOB", {2, 2}},         {"MISSING_SEX", {2, 2}},
    {"MISSING_ID", {3, 0}},          {"MISSING_ADDRESS", {2, 2}},
    {"ADDR_ABBREV", {10, 0}},        {"ADDR_NO_DIACRITICS", {4, 10}},
    {"ADDR_2025_STYLE", {8, 0}},     {"NAME_NOTE", {4, 0}},
};

/* Ops that make each other invisible on the same field: only one is kept. */
static uint32_t
excludes(int o)
{
    const uint32_t name_a =
        BIT(OP_NAME_NO_DIACRITICS) | BIT(OP_NAME_TONE) | BIT(OP_NAME_ETH) | BIT(OP_NAME_MOJI);
    const uint32_t space = BIT(OP_NAME_DSPACE) | BIT(OP_NAME_NBSP);
    const uint32_t dob = BIT(OP_DOB_SWAP) | BIT(OP_DOB_YEAR) | BIT(OP_DOB_SHORT) | BIT(OP_MISS_DOB);
    const uint32_t id = BIT(OP_ID_ZERO) | BIT(OP_ID_TYPO) | BIT(OP_MISS_ID) | BIT(OP_ID_EXP) |
                        BIT(OP_ID_COL) | BIT(OP_CMND_ZERO);
    const uint32_t addr =
        BIT(OP_MISS_ADDR) | BIT(OP_ADDR_ABBR) | BIT(OP_ADDR_FOLD) | BIT(OP_ADDR_NEW);
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
uint32_t
synth_pick_ops(struct gen *g, int lg, uint32_t ok)
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
                tot += synth_ops[o].w[lg];
        if (!tot)
            break;
        unsigned y = rnd(&g->r, tot);
        for (int o = 0; o < OP_N; o++) {
            if (!(ok & BIT(o)))
                continue;
            if (y < synth_ops[o].w[lg]) {
                chosen |= BIT(o);
                ok &= ~excludes(o);
                break;
            }
            y -= synth_ops[o].w[lg];
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
        c |= synth_tone_swap_word(&g->vl, w[i], sizeof w[i]);
    if (sp) { /* first middle word too */
        char m[MAX_PART + 8];
        snprintf(m, sizeof m, "%.*s", (int)(sp - p->mid), p->mid);
        c |= synth_tone_swap_word(&g->vl, m, sizeof m);
    }
    return c;
}

static const char *const survar[][2] = {
    {"Hoàng", "Huỳnh"}, {"Huỳnh", "Hoàng"}, {"Vũ", "Võ"}, {"Võ", "Vũ"}};

static int
can_survar(const struct person *p)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(p->fam, survar[i][0]) == 0)
            return 1;
    return 0;
}

uint32_t
synth_name_ok(const struct gen *g, const struct person *p, int lg)
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

/* Windows-1252 0x80..0x9F (the rest is Latin-1); undefined bytes stay C1. */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021, 0x2C6,  0x2030, 0x160,
    0x2039, 0x152,  0x8D,   0x17D,  0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};

/* Apply the name ops of `want`; return those that really changed the text. */
uint32_t
synth_render_name(struct gen *g, const struct person *p, uint32_t want, char *out, size_t cap)
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
            if (synth_tone_swap_word(&g->vl, w[i], sizeof w[i]))
                done |= BIT(OP_NAME_TONE);
    if (want & BIT(OP_NAME_TYPO)) {
        char before[MAX_PART + 8];
        int i = (int)rnd(&g->r, (unsigned)nw);
        memcpy(before, w[i], sizeof before);
        if (synth_typo_word(&g->r, w[i], sizeof w[i]) && strcmp(before, w[i]) != 0)
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
        synth_fold_to(&g->vl, a, &sb2);
        if (strcmp(a, b) != 0)
            done |= BIT(OP_NAME_NO_DIACRITICS);
        memcpy(a, b, sizeof a);
    }
    if (want & BIT(OP_NAME_UPPER)) {
        sb_init(&sb2, b, sizeof b);
        synth_upper_to(&g->vl, a, &sb2);
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
void
synth_build_mrz(struct gen *g, const struct person *p, const char *id12, int has_exp,
                struct date exp, char *out, size_t cap)
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
    synth_fold_to(&g->vl, raw, &s1);
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
