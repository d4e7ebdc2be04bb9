/*
 * addr/result.c - the public match calls: the best reading becomes codes, names, a
 * reason and a confidence; the rest of the text becomes the detail.  Not for:
 * finding the readings (match.c).
 */
#include "addr_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "vn/icu.h"

/* --------------------------------------------------------------- output */

static void
copy_name(char *dst, size_t sz, const char *src)
{
    size_t n = strlen(src); /* codes and names were length-checked when added */
    if (n >= sz)
        n = sz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Clean a detail part: collapse white space, trim separators, NFC, and cut
 * to fit out->detail on a character boundary. */
static int
clean_detail(const char *s, int len, char *out, size_t outsz, struct dc_error *err)
{
    char tmp[DC_ADDR_MAX_TEXT + 1];
    int n = 0, space = 0, nonascii = 0;
    for (int i = 0; i < len && n < DC_ADDR_MAX_TEXT; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f') {
            space = 1;
            continue;
        }
        if (space && n > 0)
            tmp[n++] = ' ';
        space = 0;
        if (n < DC_ADDR_MAX_TEXT)
            tmp[n++] = (char)ch;
        nonascii |= ch >= 0x80;
    }
    static const char trim[] = " ,;-|/.:";
    int a = 0;
    while (a < n && strchr(trim, tmp[a]) != NULL)
        a++;
    while (n > a && strchr(trim, tmp[n - 1]) != NULL)
        n--;
    int len2 = n - a;
    const char *src = tmp + a;
    /* NFC grows UTF-16 text at most threefold (Unicode normalization
     * stability policy), and UTF-8 takes at most 3 bytes per UTF-16 unit */
    enum { U1 = DC_ADDR_MAX_TEXT + 1, U2 = 3 * U1 };
    char nfc[3 * U2 + 1];
    (void)err; /* ICU failing here leaves the text as cleaned, not NFC: no error */
    if (nonascii && len2 > 0) {
        UChar u1[U1], u2[U2];
        int32_t l1 = 0, l2 = 0, l3 = 0;
        UErrorCode st = U_ZERO_ERROR;
        u_strFromUTF8WithSub(u1, U1, &l1, src, len2, 0xFFFD, NULL, &st);
        if (U_SUCCESS(st))
            l2 = dc_icu_normalize(DC_ICU_NFC, u1, l1, u2, U2, &st);
        if (U_SUCCESS(st))
            u_strToUTF8(nfc, (int32_t)sizeof nfc, &l3, u2, l2, &st);
        if (U_SUCCESS(st) && l3 < (int32_t)sizeof nfc) {
            src = nfc;
            len2 = l3;
        }
    }
    if ((size_t)len2 >= outsz) {
        len2 = (int)outsz - 1;
        while (len2 > 0 && ((unsigned char)src[len2] & 0xC0) == 0x80)
            len2--; /* do not cut a UTF-8 sequence */
    }
    memcpy(out, src, (size_t)len2);
    out[len2] = '\0';
    return 0;
}

static void
append_detail(char *d, size_t sz, const char *part)
{
    size_t n = strlen(d);
    if (part[0] == '\0')
        return;
    if (n > 0 && n + 2 < sz) {
        d[n++] = ',';
        d[n++] = ' ';
        d[n] = '\0';
    }
    size_t pl = strlen(part);
    if (n + pl >= sz) {
        pl = sz - 1 - n;
        while (pl > 0 && ((unsigned char)part[pl] & 0xC0) == 0x80)
            pl--;
    }
    memcpy(d + n, part, pl);
    d[n + pl] = '\0';
}

/* Words that name the country, dropped from the end of the detail. */
static const char *const country_words[] = {"viet", "nam", "vietnam", "vn"};

static int
only_country(const struct tokbuf *tb, int from)
{
    for (int i = from; i < tb->n; i++)
        if (!addr_is_word_in(tb, i, country_words, sizeof country_words / sizeof country_words[0]))
            return 0;
    return 1;
}

/* Detail = the free text outside the span the matched units cover. */
static int
fill_detail(const struct mctx *x, const char *text, int32_t len, struct dc_addr *out,
            struct dc_error *err)
{
    const struct tokbuf *tb = x->tb;
    char part[256];
    if (!x->have) {
        return clean_detail(text, len, out->detail, sizeof out->detail, err);
    }
    const struct cand *b = &x->best;
    int ms[3] = {b->wm, b->dm, b->pm}, rs = tb->n, re = 0;
    for (int k = 0; k < 3; k++) {
        if (ms[k] < 0)
            continue;
        if (x->m[ms[k]].ps < rs)
            rs = x->m[ms[k]].ps;
        if (x->m[ms[k]].e > re)
            re = x->m[ms[k]].e;
    }
    if (rs > 0) {
        if (clean_detail(text, tb->t[rs].bo, part, sizeof part, err) < 0)
            return -1;
        append_detail(out->detail, sizeof out->detail, part);
    }
    if (re < tb->n && !only_country(tb, re)) {
        int from = tb->t[re - 1].be;
        if (clean_detail(text + from, len - from, part, sizeof part, err) < 0)
            return -1;
        append_detail(out->detail, sizeof out->detail, part);
    }
    return 0;
}

/* Confidence of a result: one value per situation, in one place, so that a
 * change of judgement is made here and read here (issue 13 §3, issue 18 §6).
 * A code left empty always comes with a reason; these say how far a clerk
 * can trust the codes that were filled. */
enum {
    CF_FULL,           /* every level written and found, each type word names its kind */
    CF_NO_KIND_WARD,   /* minus: ward read without a type word naming its kind ("Tân An") */
    CF_NO_KIND_DIST,   /* minus: district likewise; a bare name could be a street */
    CF_NO_KIND_PROV,   /* minus: province without "Tỉnh"/"TP": rarely misleading, small */
    CF_PROV_AMBIGUOUS, /* two provinces read equally: nothing but the reason is worth keeping */
    CF_NO_WARD,        /* province (2025) or province alone: half the address unread */
    CF_NO_WARD_DIST,   /* province and district found, no ward: two of three levels */
    CF_WARD_NO_NEW,    /* ward found; the catalogue leaves its 2025 code empty (split) */
    CF_NO_PROVINCE,    /* ward placed by a district unique in the country; no province */
    CF_WEAK,           /* an ambiguity already named, or no province and no ward */
    CF_REASON_CAP,     /* any other reason: at most this (no high confidence, blank code) */
    CF_RETIRED,        /* a unit written by its retired name ("Quận 9"): the successor, a fact */
    CF_TYPO,           /* the ward read one edit from its name, the only one so near in
                         * its district: likely, not certain ("Lnog Hậu") */
    CF_N
};
static const double conf_of[CF_N] = {
    [CF_FULL] = 1.0,          [CF_NO_KIND_WARD] = 0.05,  [CF_NO_KIND_DIST] = 0.05,
    [CF_NO_KIND_PROV] = 0.02, [CF_PROV_AMBIGUOUS] = 0.1, [CF_NO_WARD] = 0.35,
    [CF_NO_WARD_DIST] = 0.5,  [CF_WARD_NO_NEW] = 0.8,    [CF_NO_PROVINCE] = 0.6,
    [CF_WEAK] = 0.3,          [CF_REASON_CAP] = 0.5,     [CF_RETIRED] = 0.9,
    [CF_TYPO] = 0.7,
};

/* The codes one reading gives, in both eras: its own era's units, and the
 * other era's where they follow as a fact (an old ward's single 2025 ward, a
 * 2025 ward whose source wards all lie in one old district...). */
static void
fill_one(const struct mctx *x, const struct cand *bp, struct dc_addr *out)
{
    const struct dc_catalog *c = x->c;
    struct cand b = *bp;
    const char *reason = "";
    double conf = conf_of[CF_FULL];

    memset(out, 0, sizeof *out);
    if (b.pu < 0) {
        copy_name(out->reason, sizeof out->reason, "no-province");
        return;
    }
    out->era = (enum dc_era)b.era;
    const struct unit *p = &c->u[b.pu];
    if (b.era == DC_ERA_2025) {
        copy_name(out->new_province_code, sizeof out->new_province_code, p->code);
        copy_name(out->new_province_name, sizeof out->new_province_name, p->name);
        int op = p->map_n == 1 ? p->src : -1, od = -1, ow = -1;
        if (b.wu >= 0) {
            const struct unit *w = &c->u[b.wu];
            copy_name(out->new_ward_code, sizeof out->new_ward_code, w->code);
            copy_name(out->new_ward_name, sizeof out->new_ward_name, w->name);
            conf -= b.fw == 1 ? 0 : conf_of[CF_NO_KIND_WARD];
            if (w->rp >= 0)
                op = w->rp;
            od = w->rd;
            ow = w->rw;
        } else {
            reason = b.wflag == W_AMB ? "ward-ambiguous" : "no-ward";
            conf = conf_of[CF_NO_WARD];
        }
        if (op >= 0) { /* one old province became this one: a fact, not a guess */
            copy_name(out->province_code, sizeof out->province_code, c->u[op].code);
            copy_name(out->province_name, sizeof out->province_name, c->u[op].name);
        }
        if (od >= 0) {
            copy_name(out->district_code, sizeof out->district_code, c->u[od].code);
            copy_name(out->district_name, sizeof out->district_name, c->u[od].name);
        }
        if (ow >= 0) {
            copy_name(out->ward_code, sizeof out->ward_code, c->u[ow].code);
            copy_name(out->ward_name, sizeof out->ward_name, c->u[ow].name);
        }
        conf -= b.fp == 1 ? 0 : conf_of[CF_NO_KIND_PROV];
        if (b.pm < 0) { /* placed by a ward unique in the country */
            if (!*reason)
                reason = "no-province";
            conf = b.wu >= 0 ? conf_of[CF_NO_PROVINCE] : conf_of[CF_WEAK];
        }
        goto done;
    }
    copy_name(out->province_code, sizeof out->province_code, p->code);
    copy_name(out->province_name, sizeof out->province_name, p->name);
    if (p->map_first >= 0) {
        const struct unit *np = &c->u[p->map_first];
        copy_name(out->new_province_code, sizeof out->new_province_code, np->code);
        copy_name(out->new_province_name, sizeof out->new_province_name, np->name);
    }
    int du = b.du;
    if (b.wu >= 0 && du < 0)
        du = c->u[b.wu].dist; /* the ward's name was unique in the province */
    if (du >= 0) {
        copy_name(out->district_code, sizeof out->district_code, c->u[du].code);
        copy_name(out->district_name, sizeof out->district_name, c->u[du].name);
    }
    if (b.wu >= 0) {
        const struct unit *w = &c->u[b.wu];
        copy_name(out->ward_code, sizeof out->ward_code, w->code);
        copy_name(out->ward_name, sizeof out->ward_name, w->name);
        if (w->map_n == 1) {
            const struct unit *nw = &c->u[c->mapv[w->map_first]];
            copy_name(out->new_ward_code, sizeof out->new_ward_code, nw->code);
            copy_name(out->new_ward_name, sizeof out->new_ward_name, nw->name);
        } else if (w->map_n > 1) {
            reason = "ward-split";
            conf = conf_of[CF_WARD_NO_NEW];
        } else {
            reason = "ward-unmapped";
            conf = conf_of[CF_WARD_NO_NEW];
        }
        conf -= (b.fw == 1 ? 0 : conf_of[CF_NO_KIND_WARD]) +
                (b.dm >= 0 && b.fd != 1 ? conf_of[CF_NO_KIND_DIST] : 0);
        if (b.pm < 0) {
            if (!*reason)
                reason = "no-province"; /* a split says more: keep it */
            conf = conf_of[CF_NO_PROVINCE];
        }
    } else {
        reason = b.wflag == W_AMB     ? "ward-ambiguous"
                 : b.wflag == W_NOTIN ? "ward-not-in-district"
                 : b.pm < 0           ? "no-province"
                                      : "no-ward";
        conf = du >= 0 ? conf_of[CF_NO_WARD_DIST] : conf_of[CF_NO_WARD];
    }
    if (b.pm < 0 && b.wu < 0)
        conf = conf_of[CF_WEAK];
done:
    if (*reason && strcmp(reason, "ward-split") != 0 && strcmp(reason, "ward-unmapped") != 0 &&
        strcmp(reason, "no-province") != 0 && conf > conf_of[CF_REASON_CAP])
        conf = conf_of[CF_REASON_CAP];
    copy_name(out->reason, sizeof out->reason, reason);
    out->confidence = conf < 0 ? 0 : conf;
}

/* The mentions a reading reads, as a sorted triple (-1 for a level unread). */
static void
spans(const struct cand *r, int *v)
{
    v[0] = r->wm;
    v[1] = r->dm;
    v[2] = r->pm;
    for (int i = 1; i < 3; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* Does reading r join the best in the consensus?  Readings that score the
 * same and name other units (the old tie), and the same words read in the
 * other era with the same written-type fit and marks (a 2025 ward named
 * after the old district it replaced: "Gò Vấp, Hồ Chí Minh"). */
static int
joins(const struct cand *best, const struct cand *r)
{
    if (r->score >= best->score - 1e-9)
        return 1;
    if (r->era == best->era || r->pen != best->pen)
        return 0;
    int a[3], b[3];
    spans(best, a);
    spans(r, b);
    if (memcmp(a, b, sizeof a) != 0)
        return 0;
    int fa = (best->wm >= 0 ? best->fw : 0) + (best->dm >= 0 ? best->fd : 0) + best->fp;
    int fb = (r->wm >= 0 ? r->fw : 0) + (r->dm >= 0 ? r->fd : 0) + r->fp;
    return fa == fb;
}

/* One ward mention read as a pre-2025 ward and as the 2025 ward it went
 * into ("Xã Hòa Phú" that merged into the new Xã Hòa Phú): both eras say the
 * same place, each era's codes come from its own reading. */
static int
same_place(const struct dc_catalog *c, const struct cand *a, const struct cand *b)
{
    if (a->era == b->era || a->wm < 0 || a->wm != b->wm || a->wu < 0 || b->wu < 0)
        return 0;
    const struct cand *o = a->era == DC_ERA_PRE2025 ? a : b, *n = a->era == DC_ERA_PRE2025 ? b : a;
    const struct unit *ow = &c->u[o->wu];
    for (int j = 0; j < ow->map_n; j++)
        if (c->mapv[ow->map_first + j] == n->wu)
            return 1;
    return 0;
}

/* The same bare words read as an old district and as the 2025 ward named
 * after it, which took in part of that district ("Hoàn Kiếm, Hà Nội",
 * "Gò Vấp, Hồ Chí Minh"; issue 13 §2.1-2.2): the old district stands, as
 * the words name it in the old era and the new ward lies (at least partly)
 * in it; the 2025 ward does not, as the district became several wards. */
static int
district_named_ward(const struct dc_catalog *c, const struct cand *a, const struct cand *b)
{
    if (a->era == b->era)
        return 0;
    const struct cand *o = a->era == DC_ERA_PRE2025 ? a : b, *n = a->era == DC_ERA_PRE2025 ? b : a;
    if (o->dm < 0 || o->dm != n->wm || o->wm >= 0 || o->du < 0 || n->wu < 0)
        return 0;
    const struct unit *nw = &c->u[n->wu]; /* a source ward of the new ward in the district */
    for (int j = 0; j < nw->rn; j++)
        if (c->u[c->rmapv[nw->rfirst + j]].dist == o->du)
            return 1;
    return 0;
}

/* The same words read as a province alone in both eras, the 2025 province
 * keeping the name of the old one it took in ("Đường Lê Văn Việt, Hồ Chí
 * Minh", "Nguyễn An, Khánh Hòa"): the old province is the one the words
 * name.  The 2025 reading alone cannot say which of its sources it was,
 * but nothing in the text speaks for another source, and the words name
 * the old province as they are (issue 13 §2.1: fill every code the text
 * determines).  A ward or district read in either era decides by itself; another unit
 * name written and not read leaves it open. */
static int
province_namesake(const struct mctx *x, const struct cand *a, const struct cand *b)
{
    const struct dc_catalog *c = x->c;
    if (a->era == b->era || a->pm < 0 || a->pm != b->pm)
        return 0;
    /* another province or district name, or a name with its type word,
     * written and left unread ("Phú Thọ - P.1 - Quận 11") says the
     * province words may not be the province; a bare name of wards
     * elsewhere is most often a street ("Trần Khánh Dư") */
    const struct mention *pm = &x->m[a->pm];
    for (int i = 0; i < x->nm; i++) {
        const struct mention *m = &x->m[i];
        if (m->s >= pm->s && m->e <= pm->e)
            continue; /* part of the province's own words */
        if (m->pmask != 0 || ((m->lv & (B_PROV | B_DIST)) && !m->num && !m->weak))
            return 0;
    }
    const struct cand *o = a->era == DC_ERA_PRE2025 ? a : b, *n = a->era == DC_ERA_PRE2025 ? b : a;
    if (o->wm >= 0 || o->dm >= 0 || n->wm >= 0 || n->dm >= 0 || o->pu < 0 || n->pu < 0 ||
        o->retired || n->retired)
        return 0;
    return c->u[o->pu].map_first == n->pu;
}

enum { LV_PROV = 1, LV_DIST = 2, LV_WARD = 4 };

/* Merge field f of another reading into out: agree, or (union) fill a gap,
 * or clear it.  Returns the level bit cleared, 0 if none. */
static int
merge_field(char *oc, size_t ocs, char *on, size_t ons, const char *tc, const char *tn, int uni,
            int lv)
{
    if (strcmp(oc, tc) == 0)
        return 0;
    if (uni && (oc[0] == '\0' || tc[0] == '\0')) {
        if (oc[0] == '\0') {
            copy_name(oc, ocs, tc);
            copy_name(on, ons, tn);
        }
        return 0;
    }
    int had = oc[0] != '\0';
    oc[0] = '\0';
    on[0] = '\0';
    return had || tc[0] ? lv : 0;
}

#define MERGE(fc, fn, u, lv)                                                                       \
    merge_field(out->fc, sizeof out->fc, out->fn, sizeof out->fn, t.fc, t.fn, u, lv)

/* The codes every reading of the consensus agrees on: a code that another
 * equally good reading does not give is left empty, with the reason. */
static void
fill_codes(const struct mctx *x, struct dc_addr *out)
{
    const struct cand *best = &x->top[0];
    char detail[sizeof out->detail];
    memcpy(detail, out->detail, sizeof detail);
    fill_one(x, best, out);
    memcpy(out->detail, detail, sizeof detail);
    int cleared = 0, eras = 1 << best->era, provs = 0, dists = 0, retired = best->retired;
    for (int i = 1; i < x->ntop; i++) {
        const struct cand *r = &x->top[i];
        if (!joins(best, r))
            continue;
        struct dc_addr t;
        fill_one(x, r, &t);
        /* "Hồ Chí Minh" alone is old 79 or the 2025 city that also took in
         * Bình Dương and Bà Rịa - Vũng Tàu: the province level is strict */
        int uni = same_place(x->c, best, r), unp = province_namesake(x, best, r),
            dnw = district_named_ward(x->c, best, r);
        eras |= 1 << r->era;
        retired |= r->retired;
        if (r->pu != best->pu && r->era == best->era)
            provs = 1;
        if (r->du != best->du && r->era == best->era)
            dists = 1;
        cleared |= MERGE(province_code, province_name, unp || dnw, LV_PROV);
        /* the old codes of a 2025 reading are only what all the new ward's
         * sources share: the namesake old ward is one of them, not a fact */
        cleared |= MERGE(district_code, district_name, dnw, LV_DIST);
        cleared |= MERGE(ward_code, ward_name, 0, LV_WARD);
        cleared |= MERGE(new_province_code, new_province_name, unp, LV_PROV);
        cleared |= MERGE(new_ward_code, new_ward_name, uni, LV_WARD);
        if (uni && out->ward_code[0] && out->new_ward_code[0] &&
            (strcmp(out->reason, "ward-split") == 0 || strcmp(out->reason, "ward-unmapped") == 0))
            out->reason[0] = '\0'; /* the 2025 reading names the new ward */
    }
    copy_name(out->era_name, sizeof out->era_name,
              eras == 3   ? "both"
              : eras == 2 ? "2025"
                          : "pre2025");
    if (best->typo) {
        if (!cleared && out->reason[0] == '\0')
            copy_name(out->reason, sizeof out->reason, "ward-typo");
        if (out->confidence > conf_of[CF_TYPO])
            out->confidence = conf_of[CF_TYPO];
    }
    if (retired && !cleared && out->reason[0] == '\0') {
        copy_name(out->reason, sizeof out->reason, "retired-name");
        if (out->confidence > conf_of[CF_RETIRED])
            out->confidence = conf_of[CF_RETIRED];
    }
    if (!cleared)
        return;
    const char *reason = provs       ? "province-ambiguous"
                         : eras == 3 ? "era-ambiguous"
                         : dists     ? "district-ambiguous"
                                     : "ward-ambiguous";
    copy_name(out->reason, sizeof out->reason, reason);
    double cap = strcmp(reason, "province-ambiguous") == 0 ? conf_of[CF_PROV_AMBIGUOUS]
                                                           : conf_of[CF_REASON_CAP];
    if (out->confidence > cap)
        out->confidence = cap;
}

static int
match_tokens(const struct dc_catalog *c, struct tokbuf *tb, const char *text, int32_t len,
             struct dc_addr *out, struct dc_error *err)
{
    struct mctx xs; /* about 12 KB of stack: no allocation per address */
    struct mctx *x = &xs;
    x->c = c;
    x->tb = tb;
    x->have = 0;
    x->ntop = 0;
    x->marked = 0;
    x->work = 0;
    for (int i = 0; i < tb->n; i++)
        x->marked |= tb->t[i].marked;
    addr_find_mentions(x);
    addr_search(x);
    if (x->work <= MAX_WORK)
        addr_typo(x);
    if (x->have && x->best.score <= 0)
        x->have = 0;
    if (x->work > MAX_WORK)
        x->have = 0;
    int rc = 0;
    if (text != NULL)
        rc = fill_detail(x, text, len, out, err);
    if (x->have)
        fill_codes(x, out);
    else
        copy_name(out->reason, sizeof out->reason,
                  tb->n == 0           ? "empty"
                  : x->work > MAX_WORK ? "too-complex"
                                       : "no-province");
    return rc;
}

int
dc_addr_match(const struct dc_catalog *c, const char *text, struct dc_addr *out,
              struct dc_error *err)
{
    if (out == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match: no output");
    memset(out, 0, sizeof *out);
    if (c == NULL || !c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match: catalogue not finished");
    if (text == NULL)
        text = "";
    size_t len = strlen(text);
    if (len > DC_ADDR_MAX_TEXT) {
        snprintf(out->reason, sizeof out->reason, "too-long");
        return 0;
    }
    struct tokbuf tb;
    tb.n = 0;
    tb.fn = 0;
    if (addr_tokenize(&c->ft, text, (int32_t)len, 0, 0, &tb) < 0) {
        snprintf(out->reason, sizeof out->reason, "too-long");
        return 0;
    }
    return match_tokens(c, &tb, text, (int32_t)len, out, err);
}

int
dc_addr_match_parts(const struct dc_catalog *c, const char *ward, const char *district,
                    const char *province, const char *detail, struct dc_addr *out,
                    struct dc_error *err)
{
    if (out == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match_parts: no output");
    memset(out, 0, sizeof *out);
    if (c == NULL || !c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_addr_match_parts: catalogue not finished");
    const char *f[3] = {ward ? ward : "", district ? district : "", province ? province : ""};
    size_t total = strlen(f[0]) + strlen(f[1]) + strlen(f[2]);
    size_t dl = detail ? strlen(detail) : 0;
    if (total > DC_ADDR_MAX_TEXT || dl > DC_ADDR_MAX_TEXT) {
        snprintf(out->reason, sizeof out->reason, "too-long");
        return 0;
    }
    struct tokbuf tb;
    tb.n = 0;
    tb.fn = 0;
    for (int k = 0; k < 3; k++) {
        if (addr_tokenize(&c->ft, f[k], (int32_t)strlen(f[k]), k + 1, T_BRK, &tb) < 0) {
            snprintf(out->reason, sizeof out->reason, "too-long");
            return 0;
        }
    }
    if (dl > 0 && clean_detail(detail, (int32_t)dl, out->detail, sizeof out->detail, err) < 0)
        return -1;
    return match_tokens(c, &tb, NULL, 0, out, err);
}
