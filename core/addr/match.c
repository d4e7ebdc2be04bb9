/*
 * addr/match.c - find the unit names in the tokens (mentions) and score the readings
 * (province, district, ward; both eras) that fit the hierarchy.  Not for:
 * turning the best reading into codes and a reason (result.c).
 */
#include "addr_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- matching */

static const int level_field[] = {3, 2, 1}; /* L_PROV, L_DIST, L_WARD -> split column */

/* How a mention fits a unit: -1 not at all, 0 plausible, 1 the written
 * prefix names this unit's own type. */
int
addr_fit(const struct mention *m, const struct unit *u)
{
    unsigned lv = u->level == L_PROV ? M_PROV : u->level == L_DIST ? M_DIST : M_WARD;
    if (m->field != 0 && m->field != level_field[u->level])
        return -1;
    if (m->pmask == 0) {
        /* A ward number written bare as its own part, before the district
         * ("Số 104 Phan Chu Trinh, 27, Bình Thạnh"; issue 13 §2.2): an old
         * ward, read only under a written district (try_old). */
        if (m->bare && u->level == L_WARD && u->era == DC_ERA_PRE2025)
            return 0;
        return (m->num || m->weak) ? -1 : 0;
    }
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

int
addr_accent_differs(const struct mctx *x, const struct mention *m, int ui)
{
    char ak[256];
    int marked;
    int an = addr_accent_key(x->tb, m->s, m->e, ak, sizeof ak, &marked);
    if (an < 0 || !marked)
        return 0;
    const struct unit *u = &x->c->u[ui];
    return u->aklen != an || memcmp(x->c->keys + u->akoff, ak, (size_t)an) != 0;
}

/* Keep the readings that may join the best in the consensus (result.c):
 * those within TOP_MARGIN of it, the best first.  TOP_MARGIN covers the
 * one point a ward scores over a district and the era bonus, so the same
 * words read as an old district and as a 2025 ward both stay. */
#define TOP_MARGIN 1.1
/* Scores closer than this are equal: they are sums of tenths, and a tenth is not exact
 * in binary, so two readings of equal weight may differ in the last bits. */
#define SCORE_TIE 1e-9

/* The weights of a reading's score (consider): judgement calls, whose effect
 * scripts/address-eval measures on the dev cases.  A level found adds its weight and fit
 * (cand.fw, fd, fp); the rest are tie-breakers and penalties. */
/* a ward placed: the most specific fact an address gives, worth more than its district */
#define SC_WARD 4
/* a ward name known but not in the district read: some evidence, less than a district */
#define SC_WARD_NOT_IN 1.5
/* bare words ambiguous as a ward that also name a district: below the district's 3, so
 * the district reading wins ("Tân Phú, Hồ Chí Minh") */
#define SC_WARD_WEAK 2.5
/* a district or province found: an enclosing level, less specific than a ward */
#define SC_DISTRICT 3
#define SC_PROVINCE 3
/* per word a level reads: a longer name explains more of the text; small enough to
 * only break ties between readings of the same levels */
#define SC_PER_WORD 0.1
/* eras mixed (an old ward under another province's 2025 name): possible, not plain */
#define SC_VIA 0.5
/* written marks that are not the unit's ("Tân An" read as Tân Ân): a reading whose
 * marks agree wins over it, though not over a whole level more */
#define SC_ACCENT 1.5
/* per unexplained word between two levels: a word the reading cannot account for */
#define SC_GAP_WORD 1
/* no district named in 2025: of two equal readings, the 2025 one is the plainer */
#define SC_ERA_2025 0.1

static int
same_reading(const struct cand *a, const struct cand *b)
{
    return a->pu == b->pu && a->du == b->du && a->wu == b->wu && a->wflag == b->wflag &&
           a->era == b->era;
}

static void
keep_top(struct mctx *x, const struct cand *cd)
{
    double sc = cd->score;
    if (!x->have || sc > x->best.score + SCORE_TIE) {
        x->best = *cd;
        x->have = 1;
        int k = 0;
        for (int i = 0; i < x->ntop; i++)
            if (x->top[i].score >= sc - TOP_MARGIN - SCORE_TIE && !same_reading(&x->top[i], cd))
                x->top[k++] = x->top[i];
        x->ntop = k;
        if (x->ntop == MAX_TOP)
            x->ntop--;
        memmove(x->top + 1, x->top, (size_t)x->ntop * sizeof *x->top);
        x->top[0] = *cd;
        x->ntop++;
        return;
    }
    if (sc < x->best.score - TOP_MARGIN - SCORE_TIE)
        return;
    for (int i = 0; i < x->ntop; i++) {
        if (same_reading(&x->top[i], cd)) {
            if (i > 0 && sc > x->top[i].score + SCORE_TIE)
                x->top[i] = *cd; /* the same units by better-placed words */
            return;
        }
    }
    if (x->ntop < MAX_TOP) {
        x->top[x->ntop++] = *cd;
        return;
    }
    int lo = 1; /* full: drop the weakest, never the best */
    for (int i = 2; i < x->ntop; i++)
        if (x->top[i].score < x->top[lo].score)
            lo = i;
    if (sc > x->top[lo].score)
        x->top[lo] = *cd;
}

static void
consider(struct mctx *x, struct cand *cd)
{
    int ms[3], n = 0;
    double sc = 0;
    if (cd->wm >= 0) {
        ms[n++] = cd->wm;
        /* bare words that stay ambiguous as a ward explain themselves less
         * than as the district they also name ("Tân Phú, Hồ Chí Minh":
         * Quận Tân Phú, not one of several wards Tân Phú) */
        const struct mention *w = &x->m[cd->wm];
        int weak = cd->wflag == W_AMB && w->pmask == 0 && (w->lv & B_DIST);
        sc += cd->wflag == W_NOTIN ? SC_WARD_NOT_IN : weak ? SC_WARD_WEAK : SC_WARD + cd->fw;
    }
    if (cd->dm >= 0) {
        ms[n++] = cd->dm;
        sc += SC_DISTRICT + cd->fd;
    }
    if (cd->pm >= 0) {
        ms[n++] = cd->pm;
        sc += SC_PROVINCE + cd->fp;
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
        sc += SC_PER_WORD * (x->m[ms[k]].e - x->m[ms[k]].ps);
    /* Marks written and not those of the unit ("Tân An" read as Xã Tân Ân):
     * weaker evidence, so a reading whose marks agree wins. */
    cd->pen = cd->via;
    if (cd->via)
        sc -= SC_VIA;
    if (cd->wu >= 0 && !cd->typo && addr_accent_differs(x, &x->m[cd->wm], cd->wu)) {
        sc -= SC_ACCENT;
        cd->pen++;
    }
    if (cd->du >= 0 && addr_accent_differs(x, &x->m[cd->dm], cd->du)) {
        sc -= SC_ACCENT;
        cd->pen++;
    }
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
        sc -= SC_GAP_WORD * gap;
    }
    if (cd->era == DC_ERA_2025)
        sc += SC_ERA_2025;
    cd->score = sc;
    keep_top(x, cd);
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
    /* A district seat carries the district's name: bare "Long Phú" in
     * Huyện Long Phú is Thị trấn Long Phú, not Xã Long Phú (issue 13 §2.9) */
    if (m->pmask == 0) {
        int seat = -1, nseat = 0;
        for (int k = 0; k < nk; k++) {
            const struct unit *w = &x->c->u[keep[k]];
            if (w->kind != K_THITRAN || w->dist < 0)
                continue;
            const struct unit *d = &x->c->u[w->dist];
            if (d->aklen == w->aklen &&
                memcmp(x->c->keys + d->akoff, x->c->keys + w->akoff, (size_t)w->aklen) == 0) {
                seat = keep[k];
                nseat++;
            }
        }
        if (nseat == 1)
            return seat;
    }
    char ak[256];
    int marked;
    int an = addr_accent_key(x->tb, m->s, m->e, ak, sizeof ak, &marked);
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

static int
in_postings(const struct dc_catalog *c, const struct mention *m, int ui)
{
    for (int k = 0; k < m->pn; k++)
        if (c->post[m->pf + k] == ui)
            return 1;
    return 0;
}

/* Bare words that open a later part and name a district of the province
 * are in the district slot: "Phước Vĩnh Đông, Cần Giuộc, Long An" reads
 * Huyện Cần Giuộc, not Thị trấn Cần Giuộc (issue 13 §2.2). */
static int
district_slot(const struct mctx *x, const struct mention *m, int pu)
{
    if (m->pmask != 0 || !(m->lv & B_DIST) || m->s == 0 ||
        !(x->tb->t[m->s].flags & (T_BRK | T_HYPH)))
        return 0;
    for (int k = 0; k < m->pn; k++) {
        const struct unit *d = &x->c->u[x->c->post[m->pf + k]];
        if (d->level == L_DIST && (d->prov == pu || x->c->u[d->prov].map_first == pu))
            return 1; /* pu may be the 2025 province (try_old's via) */
    }
    return 0;
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
        if (!(m->lv & B_WOLD) || overlap(x, mi, base.pm) || overlap(x, mi, base.dm) ||
            (m->bare && (base.dm < 0 || m->e > x->m[base.dm].ps)))
            continue;
        if (base.du < 0 && district_slot(x, m, base.pu))
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
            int f = addr_fit(m, u);
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
                /* an old ward under the 2025 name of a province it was not
                 * in: the eras mixed, weaker than a reading in one era */
                cd.via = base.pm < 0 || !in_postings(c, &x->m[base.pm], cd.pu);
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
            int f = addr_fit(m, u);
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

/* Words that open a detail part (hamlet, street, house): a name right after
 * one is a hamlet or street named like a unit ("Thôn Phú Lộc", "Phố Huế",
 * "Đường Lê Lợi"), not the unit. */
static const char *const detail_words[] = {
    "thon", "ap",    "to",  "xom", "ban", "khom",  "kp",  "khu",  "so",  "ngo", "ngach", "hem",
    "kiet", "duong", "d",   "pho", "lo",  "cum",   "doi", "khoi", "tdp", "kdc", "buon",  "plei",
    "lang", "cc",    "toa", "nha", "sn",  "block", "hxh", "ql",   "tl",  "dt",  "dh"};

/* A street or detail word written with marks carries its own tone: "Sở
 * Dầu" has no "Số", "Tiên Lãng" no "làng", "Tô Hiến Thành" no "Tổ". */
static int
word_tone_ok(const struct tokbuf *tb, int j)
{
    static const struct {
        const char *w;
        int tone;
    } tones[] = {{"thon", TONE_NONE},   {"ap", TONE_ACUTE},   {"to", TONE_HOOK},
                 {"xom", TONE_ACUTE},   {"ban", TONE_HOOK},   {"khom", TONE_ACUTE},
                 {"khu", TONE_NONE},    {"so", TONE_ACUTE},   {"ngo", TONE_TILDE},
                 {"ngach", TONE_ACUTE}, {"hem", TONE_HOOK},   {"kiet", TONE_DOT},
                 {"duong", TONE_GRAVE}, {"pho", TONE_ACUTE},  {"cum", TONE_DOT},
                 {"doi", TONE_DOT},     {"khoi", TONE_ACUTE}, {"buon", TONE_NONE},
                 {"lang", TONE_GRAVE},  {"toa", TONE_GRAVE},  {"nha", TONE_GRAVE}};
    if (!tb->t[j].marked)
        return 1;
    for (size_t k = 0; k < sizeof tones / sizeof tones[0]; k++)
        if (addr_tok_is(tb, j, tones[k].w))
            return tb->t[j].tone == tones[k].tone;
    return 1;
}

/* A bare name that is a whole part of the text by itself (between
 * separators, "Thiên Hiền, Mễ Trì"), of two words or more, not opening
 * with a street word ("Đường Thạnh..." folds as Xã Dương Thành). */
static int
bare_part(const struct mctx *x, const struct mention *m)
{
    const struct tokbuf *tb = x->tb;
    if (m->pmask != 0 || m->num || m->weak || m->e - m->s < 2)
        return 0;
    if (m->s > 0 && !(tb->t[m->s].flags & (T_BRK | T_HYPH)))
        return 0;
    if (m->e < tb->n && !(tb->t[m->e].flags & (T_BRK | T_HYPH)))
        return 0;
    return !addr_is_word_in(tb, m->s, detail_words, sizeof detail_words / sizeof detail_words[0]) ||
           !word_tone_ok(tb, m->s);
}

void
addr_search(struct mctx *x)
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
            int fp = addr_fit(pm, p);
            if (fp < 0)
                continue;
            /* a one-word name written with other marks is another word:
             * "Hồ Văn Huê", "Nguyễn Huệ" are not Huế */
            if (pm->e - pm->s == 1 && addr_accent_differs(x, pm, pu))
                continue;
            int ret = p->succ >= 0;
            if (ret) {
                pu = p->succ;
                p = &c->u[pu];
            }
            any_prov = 1;
            struct cand base = {pmi, pu, -1, -1, -1, -1, W_NONE, p->era, fp, 0, 0, 0, 0, ret, 0, 0};
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
                        int fd = addr_fit(dm, d);
                        if (fd < 0)
                            continue;
                        int dret = d->succ >= 0;
                        if (dret)
                            du = d->succ;
                        struct cand cd = vb;
                        cd.pu = d->prov;
                        cd.dm = dmi;
                        cd.du = du;
                        cd.fd = fd;
                        cd.retired |= dret;
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
                    int fd = addr_fit(dm, d);
                    if (fd < 0)
                        continue;
                    int dret = d->succ >= 0;
                    if (dret)
                        du = d->succ;
                    struct cand cd = base;
                    cd.dm = dmi;
                    cd.du = du;
                    cd.fd = fd;
                    cd.retired |= dret;
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
            int fd = addr_fit(dm, d);
            if (fd < 0)
                continue;
            int dret = d->succ >= 0;
            if (dret)
                du = d->succ;
            struct cand cd = {-1, d->prov, dmi, du, -1, -1,   W_NONE, DC_ERA_PRE2025,
                              0,  fd,      0,   0,  0,  dret, 0,      0};
            try_old(x, cd, -1);
        }
    }
    /* Nor a district: a ward written with the type word of its kind and
     * unique in the country in its era gives its district and province
     * ("Phường Láng Hạ"; issue 13 §2.3), when no other unit name is written
     * that the reading would leave unexplained.  A bare name (no type
     * word) does so only when it is the one unit name written, has two
     * words or more, and names one ward in the whole country in each era
     * where it is a ward ("Mễ Trì", "Tân Chánh Hiệp"): a name of several
     * wards is most often a street or a hamlet. */
    if (x->have)
        return;
    int nwards = 0, nbare = 0;
    for (int mi = 0; mi < x->nm; mi++) {
        const struct mention *m = &x->m[mi];
        if ((m->lv & (B_PROV | B_DIST)) && (m->pmask != 0 || (!m->num && !m->weak)))
            return; /* a bare "1" is no Quận 1 */
        nwards += (m->pmask & M_WARD) != 0;
        nbare += bare_part(x, m);
    }
    int bare = nwards == 0 && nbare == 1;
    if (nwards != 1 && !bare)
        return;
    for (int mi = 0; mi < x->nm; mi++) {
        const struct mention *m = &x->m[mi];
        if (!(m->lv & (B_WOLD | B_WNEW)))
            continue;
        if (bare ? !bare_part(x, m) : !(m->pmask & M_WARD))
            continue;
        struct cand cds[2];
        int ncd = 0;
        for (int era = DC_ERA_PRE2025; era <= DC_ERA_2025; era++) {
            int us[MAX_PICK], fs[MAX_PICK], n = 0, fbest = 0, over = 0;
            for (int k = 0; k < m->pn; k++) {
                int ui = c->post[m->pf + k];
                const struct unit *u = &c->u[ui];
                if (u->level != L_WARD || u->era != era)
                    continue;
                int f = addr_fit(m, u);
                if (f < (bare ? 0 : 1))
                    continue; /* "Phường Văn Miếu" is not Xã Văn Miếu */
                if (n == MAX_PICK) {
                    over = 1;
                    break;
                }
                us[n] = ui;
                fs[n++] = f;
                if (f > fbest)
                    fbest = f;
            }
            if (n == 0)
                continue;
            if (over || (bare && n > 1))
                goto next; /* several wards of the name: not placed */
            if (bare && addr_accent_differs(x, m, us[0]))
                goto next; /* "Đường Thạnh..." is not Xã Dương Thành */
            int wu = n == 1 ? us[0] : pick(x, m, us, fs, n);
            if (wu < 0)
                continue;
            struct cand cd = {-1, c->u[wu].prov, -1, -1, mi, wu, W_OK, era, 0,
                              0,  fbest,         0,  0,  0,  0,  0};
            cds[ncd++] = cd;
        }
        for (int k = 0; k < ncd; k++)
            consider(x, &cds[k]);
    next:;
    }
}

/* Words that open a street name (đường, phố, ngõ, hẻm, kiệt, số, quốc lộ...).
 * Source: issue 13 §2.5 and dev_cases: "đường Nguyễn Huệ, Phan Thiết" is not
 * Huế, "Đường Nguyễn Thái Bình ... Tân Bình" is not Thái Bình. */
static const char *const street_words[] = {"duong", "d",  "pho", "ngo", "ngach", "hem", "kiet",
                                           "so",    "sn", "ql",  "tl",  "dt",    "dh",  "hxh"};

static int
digit_first(const struct tokbuf *tb, int i)
{
    return tb->t[i].fl > 0 && tb->f[tb->t[i].fo] <= '9';
}

static int
has_digit(const struct tokbuf *tb, int i)
{
    for (int k = 0; k < tb->t[i].fl; k++)
        if (tb->f[tb->t[i].fo + k] <= '9')
            return 1;
    return 0;
}

/* Written type words: a street word right after one opens the unit's name. */
static const char *const type_words[] = {"xa",   "x",    "phuong", "p",     "f", "tt", "ttr",
                                         "tran", "quan", "q",      "huyen", "h", "tx", "tp"};

/* "Dương" is no street word: marked without đ ("Hải Dương", "Bình
 * Dương"), or unmarked and closing a unit name with the word before it
 * ("hai duong hai duong", "binh duong"). */
static int
not_street_duong(const struct mctx *x, int j)
{
    const struct tokbuf *tb = x->tb;
    if (!addr_tok_is(tb, j, "duong"))
        return 0;
    if (tb->t[j].marked)
        return tb->a[tb->t[j].fo] != 'D';
    if (j == 0 || (tb->t[j].flags & (T_BRK | T_HYPH)) || digit_first(tb, j - 1))
        return 0;
    const struct tok *p = &tb->t[j - 1];
    char key[64];
    if (p->fl + 1 + tb->t[j].fl >= (int)sizeof key)
        return 0;
    memcpy(key, tb->f + p->fo, (size_t)p->fl);
    key[p->fl] = ' ';
    memcpy(key + p->fl + 1, "duong", 5);
    return addr_slot_find(x->c->tab, x->c->tabmask, x->c->keys, key, p->fl + 6) != NULL;
}

/* Mark the tokens that are a street name: the two words after a street word
 * (one when it is a number: "Đường 14 Thủ Đức", "Số 7 Bình Tân"), and the two
 * after a house number that opens a part ("236/14l Điện Biên Phủ Bình
 * Thạnh", "62/3 Tạ Mỹ Duật"; more numbers right after it are the house's:
 * "5 41A Lý Thái Tổ").  A unit name starting there, with no type word of
 * its own, is the street; units follow the street, small to large.  A
 * street word inside a street's name does not open another street ("An
 * Dương Vương Tây Hồ", "Lý Thường Kiệt Hóc Môn", "Đường Ngô Mây Quy Nhơn"),
 * unless right after the house number ("12 Đường Lê Lợi"). */
static void
mark_streets(const struct mctx *x, unsigned char *street)
{
    const struct tokbuf *tb = x->tb;
    unsigned char sw[DC_ADDR_MAX_TOKENS]; /* a street word, looked up once a token */
    unsigned char house[DC_ADDR_MAX_TOKENS];
    for (int j = 0; j < tb->n; j++) {
        street[j] = 0;
        house[j] = 0;
        sw[j] = tb->t[j].fl <= 5 &&
                addr_is_word_in(tb, j, street_words, sizeof street_words / sizeof street_words[0]);
        if (sw[j] && j > 0 && addr_tok_is(tb, j, "pho") && addr_tok_is(tb, j - 1, "thanh") &&
            !(tb->t[j].flags & (T_BRK | T_HYPH)))
            sw[j] = 0; /* "thành phố" */
        if (sw[j] && (not_street_duong(x, j) || !word_tone_ok(tb, j)))
            sw[j] = 0;
        if (sw[j] && j > 0 && !(tb->t[j].flags & (T_BRK | T_HYPH)) &&
            addr_is_word_in(tb, j - 1, type_words, sizeof type_words / sizeof type_words[0]))
            sw[j] = 0; /* a unit's name: "Xã Đường Lâm", "X.Phố Cao" */
    }
    static const char *const road_first[] = {"quoc", "xa", "tinh", "huong", "dai"};
    for (int j = 0; j < tb->n; j++) {
        int inside = j > 0 && (street[j] || street[j - 1]) && !digit_first(tb, j - 1) &&
                     !house[j - 1] && !(tb->t[j].flags & (T_BRK | T_HYPH));
        /* "Xa lộ Hà Nội", "Quốc lộ 1A", "Tỉnh lộ 10", "Hương lộ 14", "Đại lộ
         * Thăng Long": a road, also inside "Đường Xa lộ Hà Nội" */
        int road = j > 0 && addr_tok_is(tb, j, "lo") && !(tb->t[j].flags & (T_BRK | T_HYPH)) &&
                   addr_is_word_in(tb, j - 1, road_first, sizeof road_first / sizeof road_first[0]);
        int word = (sw[j] && !inside) || road;
        int hs = !word && digit_first(tb, j) && (j == 0 || (tb->t[j].flags & (T_BRK | T_HYPH))) &&
                 !(j > 0 && sw[j - 1]) &&
                 !(j > 0 && digit_first(tb, j - 1) && (street[j - 1] || house[j - 1]));
        /* "Đường 30/4 Ninh Kiều": the 4 goes on the street's number */
        if (!word && !hs)
            continue;
        int from = j;
        if (hs) {
            house[j] = 1;
            while (from + 1 < tb->n && digit_first(tb, from + 1) &&
                   tb->t[from + 1].field == tb->t[j].field)
                from++; /* "236/14L", "5 41A": one house number */
        }
        /* a number or a code names the street alone: "Đường 14", "Đường D2
         * Nhà Bè", "Đường DX 060" */
        int len = word && from + 1 < tb->n && has_digit(tb, from + 1) ? 1 : 2;
        for (int k = from + 1; k <= from + len && k < tb->n; k++) {
            if ((tb->t[k].flags & (T_BRK | T_HYPH)) || tb->t[k].field != tb->t[j].field)
                break;
            street[k] = 1;
        }
    }
}

/* Detail words that also end names ("Lý Thái Tổ", "Bằng Lăng", "Hoàng
 * Văn Đội", "Lý Thường Kiệt"): inside or right after a street's name they
 * are that name. */
static const char *const name_end_words[] = {"to", "lang", "ban", "doi"};

static int
in_street(const struct tokbuf *tb, const unsigned char *street, int j)
{
    if (street[j])
        return 1;
    return j > 0 && street[j - 1] && !(tb->t[j].flags & (T_BRK | T_HYPH)) &&
           (addr_is_word_in(tb, j, name_end_words,
                            sizeof name_end_words / sizeof name_end_words[0]) ||
            addr_is_word_in(tb, j, street_words, sizeof street_words / sizeof street_words[0]));
}

void
addr_find_mentions(struct mctx *x)
{
    const struct dc_catalog *c = x->c;
    const struct tokbuf *tb = x->tb;
    char key[256];
    unsigned char street[DC_ADDR_MAX_TOKENS];
    mark_streets(x, street);
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
            const struct nslot *sl = addr_slot_find(c->tab, c->tabmask, c->keys, key, kn);
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
            m->pmask = addr_find_prefix(tb, i, &m->ps);
            if (m->pmask != 0 && !m->num && m->ps > 0 && street[m->ps] && street[m->ps - 1] &&
                !tb->t[m->ps].marked && tb->t[m->ps].fl >= 4 &&
                !(tb->t[m->ps].flags & (T_BRK | T_HYPH | T_DOT))) {
                /* an unmarked type word after a street's first word is the
                 * name's: "Duong Thuy Phuong Bac Tu Liem" has no "Phường Bắc
                 * Từ Liêm" (with marks, token.c's tone check tells them
                 * apart); "Đường Pasteur Quận 3" keeps its "Quận 3" */
                m->pmask = 0;
                m->ps = i;
            }
            int at_start = i == 0 || (tb->t[i].flags & T_BRK) || tb->t[i - 1].field != m->field;
            int at_end =
                i + l == tb->n || (tb->t[i + l].flags & T_BRK) || tb->t[i + l].field != m->field;
            m->weak = kn <= 2 && !m->num && !(at_start && at_end) && i > 0 && i + l < tb->n;
            m->bare = m->num && at_start && at_end && i > 0 && i + l < tb->n;
            if (m->pmask == 0 && i > 0 && !(tb->t[i].flags & (T_BRK | T_HYPH)) &&
                !in_street(tb, street, i - 1) &&
                addr_is_word_in(tb, i - 1, detail_words,
                                sizeof detail_words / sizeof detail_words[0]) &&
                word_tone_ok(tb, i - 1) && !not_street_duong(x, i - 1))
                continue; /* "Thôn Phú Lộc", "Phố Huế": a hamlet or street; a
                           * detail word inside a street's name is not one
                           * ("Lý Thái Tổ Hoàn Kiếm", "Bằng Lăng Sơn Trà"),
                           * nor "Dương" ("Hải Dương Hải Dương") */
            if (m->pmask == 0 && street[i])
                continue; /* inside a street name */
            m->lv = 0;
            for (int k = 0; k < m->pn; k++) {
                const struct unit *u = &c->u[c->post[m->pf + k]];
                m->lv |= u->level == L_PROV      ? B_PROV
                         : u->level == L_DIST    ? B_DIST
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

/* ---------------------------------------------------------------- typos */

/* Optimal-string-alignment distance (a swap of neighbours counts one),
 * bounded: 3 stands for "more than two". */
static int
osa2(const char *a, int an, const char *b, int bn)
{
    enum { W = 48 };
    if (an - bn > 2 || bn - an > 2)
        return 3;
    if (an >= W || bn >= W)
        return 3;
    unsigned char d0[W], d1[W], d2[W];
    unsigned char *pp = d0, *p = d1, *cur = d2;
    for (int j = 0; j <= bn; j++)
        p[j] = (unsigned char)j;
    for (int i = 1; i <= an; i++) {
        cur[0] = (unsigned char)i;
        int rowmin = cur[0];
        for (int j = 1; j <= bn; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = p[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = (unsigned char)(v > 3 ? 3 : v);
            if (cur[j] < rowmin)
                rowmin = cur[j];
        }
        if (rowmin >= 3)
            return 3;
        unsigned char *t = pp;
        pp = p;
        p = cur;
        cur = t;
    }
    return p[bn] > 3 ? 3 : p[bn];
}

#define TYPO_MIN_KEY 5 /* "my thahn": shorter keys are one edit from too much */

/* The ward of parent (a district, or a province of the reading's era) one
 * edit from key, when it is the only one within two edits; else -1. */
static int
typo_ward(const struct dc_catalog *c, int parent, int era, const char *key, int kn, unsigned pmask)
{
    const struct unit *p = &c->u[parent];
    int one = -1, near = 0;
    for (int k = 0; k < p->kn; k++) {
        int wi = c->kids[p->kfirst + k];
        const struct unit *w = &c->u[wi];
        if (w->era != era || w->fklen < TYPO_MIN_KEY)
            continue;
        int d = osa2(key, kn, c->keys + w->fkoff, w->fklen);
        if (d == 0)
            return -1; /* the exact name, left out for a reason of its own */
        if (d > 2)
            continue;
        if (++near > 1)
            return -1;
        if (d == 1 && (pmask == 0 || (pmask & w->kind)))
            one = wi;
    }
    return one;
}

/* The words written as the unit spells them (letters) carry its marks too,
 * when written with marks: "Linh Đàm" is not "Lĩnh Nam" one edit away, as
 * its "Linh" is not "Lĩnh".  A typo changes letters, not the other words'
 * marks. */
static int
typo_marks_agree(const struct mctx *x, int s, int b, const struct unit *u)
{
    const struct tokbuf *tb = x->tb;
    const char *fk = x->c->keys + u->fkoff, *ak = x->c->keys + u->akoff;
    int fi = 0, ai = 0, part = 0;
    for (int k = s; k < b; k++)
        part |= tb->t[k].marked; /* an unmarked word beside marked ones is unmarked */
    for (int k = s; k < b; k++) {
        int fe = fi, ae = ai;
        while (fe < u->fklen && fk[fe] != ' ')
            fe++;
        while (ae < u->aklen && ak[ae] != ' ')
            ae++;
        const struct tok *t = &tb->t[k];
        if (fi >= u->fklen)
            return 1; /* words split otherwise: the edit is there */
        if (part && fe - fi == t->fl && memcmp(fk + fi, tb->f + t->fo, (size_t)t->fl) == 0) {
            /* the accent word: shape letters and the tone digit */
            char tone = (char)('0' + t->tone);
            if (ae - ai != t->fl + 1 || memcmp(ak + ai, tb->a + t->fo, (size_t)t->fl) != 0 ||
                ak[ae - 1] != tone)
                return 0;
        }
        fi = fe + 1;
        ai = ae + 1;
    }
    return 1;
}

void
addr_typo(struct mctx *x)
{
    const struct dc_catalog *c = x->c;
    const struct tokbuf *tb = x->tb;
    if (!x->have || x->ntop == 0)
        return;
    struct cand tops[MAX_TOP];
    int nt = x->ntop;
    for (int i = 0; i < nt; i++)
        if (x->top[i].wm >= 0)
            return; /* a ward read as written: nothing to mend */
    for (int i = 0; i < x->nm; i++)
        if (x->m[i].pmask & M_WARD)
            return; /* a ward written with its type word and not read: not this */
    memcpy(tops, x->top, (size_t)nt * sizeof *tops);
    for (int i = 0; i < nt; i++) {
        struct cand cd = tops[i];
        if (cd.wm >= 0 || cd.pu < 0 || cd.via || cd.typo)
            continue;
        int lm = cd.dm >= 0 ? cd.dm : cd.pm;
        if (lm < 0)
            continue;
        if (cd.dm >= 0 && cd.pm >= 0 && x->m[cd.pm].ps < x->m[cd.dm].ps)
            continue; /* province first: not read for typos */
        int b = x->m[lm].ps;
        if (b == 0 || !(tb->t[b].flags & (T_BRK | T_HYPH)))
            continue; /* the ward slot is the part right before, by a separator */
        int a = b - 1;
        while (a > 0 && !(tb->t[a].flags & (T_BRK | T_HYPH)))
            a--;
        /* a written type word opens the part: "Xã Tân Lpậ" */
        int s = a, ps;
        unsigned pmask = 0;
        for (int k = a + 1; k <= a + 2 && k < b; k++) {
            unsigned pmk = addr_find_prefix(tb, k, &ps);
            if (pmk != 0 && ps == a) {
                s = k;
                pmask = pmk;
                break;
            }
        }
        if (pmask != 0 && !(pmask & M_WARD))
            continue;
        if (b - s < 1 || b - s > 5 || digit_first(tb, s) ||
            (pmask == 0 &&
             addr_is_word_in(tb, s, detail_words, sizeof detail_words / sizeof detail_words[0])))
            continue;
        int overlapped = 0; /* the whole part is a name found: no typo to mend */
        for (int mi = 0; mi < x->nm && !overlapped; mi++)
            overlapped = x->m[mi].s <= s && x->m[mi].e >= b;
        if (overlapped)
            continue;
        char key[64];
        int kn = 0;
        for (int k = s; k < b; k++) {
            if (kn + tb->t[k].fl + 1 >= (int)sizeof key)
                break;
            if (k > s)
                key[kn++] = ' ';
            memcpy(key + kn, tb->f + tb->t[k].fo, (size_t)tb->t[k].fl);
            kn += tb->t[k].fl;
        }
        if (kn < TYPO_MIN_KEY)
            continue;
        int parent = cd.era == DC_ERA_PRE2025 && cd.du >= 0 ? cd.du : cd.pu;
        int marked = 0;
        for (int k = s; k < b; k++)
            marked |= tb->t[k].marked;
        if (!marked && c->u[parent].level != L_DIST)
            continue; /* unmarked, a province holds too many near names */
        int wu = typo_ward(c, parent, cd.era, key, kn, pmask);
        if (wu < 0 || x->nm >= MAX_MENTIONS || !typo_marks_agree(x, s, b, &c->u[wu]))
            continue;
        struct mention *m = &x->m[x->nm];
        memset(m, 0, sizeof *m);
        m->s = s;
        m->e = b;
        m->ps = a;
        m->pmask = pmask;
        m->field = tb->t[s].field;
        m->lv = cd.era == DC_ERA_PRE2025 ? B_WOLD : B_WNEW;
        cd.wm = x->nm++;
        cd.wu = wu;
        cd.wflag = W_OK;
        cd.fw = (pmask & c->u[wu].kind) ? 1 : 0;
        cd.typo = 1;
        consider(x, &cd);
    }
}
