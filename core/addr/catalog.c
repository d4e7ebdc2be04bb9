/*
 * addr/catalog.c - the catalogue: units of both eras, the ward and province mappings,
 * and the indexes built by dc_catalog_finish (codes; folded names with their
 * type word stripped, aliases).  Not for: reading the CSV files (load.c).
 */
#include "addr_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hash.h"
#include "../refdata.h"

/* ------------------------------------------------------------ catalogue */

struct dc_catalog *
dc_catalog_new(void)
{
    struct dc_catalog *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (addr_build_fold(&c->ft, NULL) < 0) {
        free(c);
        return NULL;
    }
    return c;
}

void
dc_catalog_free(struct dc_catalog *c)
{
    if (c == NULL)
        return;
    free(c->u);
    free(c->wm);
    free(c->pm);
    free(c->mapv);
    free(c->rmapv);
    free(c->kids);
    free(c->keys);
    free(c->tab);
    free(c->post);
    free(c->ctab);
    free(c);
}

long
dc_catalog_count(const struct dc_catalog *c)
{
    return c ? c->nu - c->nretired : 0;
}

static int
grow(void **p, long *cap, long need, size_t elem, struct dc_error *err)
{
    if (need <= *cap)
        return 0;
    long nc = *cap ? *cap * 2 : 256;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, (size_t)nc * elem);
    if (q == NULL)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    *p = q;
    *cap = nc;
    return 0;
}

static int
valid_code(const char *s, size_t n)
{
    return dc_refdata_is_code(s, n, 0);
}

static int
add_unit(struct dc_catalog *c, int level, enum dc_era era, const char *pcode, const char *dcode,
         const char *code, const char *name, struct dc_error *err)
{
    static const size_t codelen[] = {2, 3, 5};
    if (c == NULL || c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue is finished or missing");
    if (era != DC_ERA_PRE2025 && era != DC_ERA_2025)
        return dc_error_set(err, DC_EX_SOFTWARE, "bad era %d", (int)era);
    if (!valid_code(code, codelen[level]))
        return dc_error_set(err, DC_EX_DATAERR, "unit code is not %zu digits", codelen[level]);
    if (level > L_PROV && !valid_code(pcode, 2))
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: province code is not 2 digits", code);
    if (level == L_WARD && era == DC_ERA_PRE2025 && !valid_code(dcode, 3))
        return dc_error_set(err, DC_EX_DATAERR, "ward %s: district code is not 3 digits", code);
    if (name == NULL || name[0] == '\0' || strlen(name) > DC_CATALOG_MAX_NAME)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name empty or over %d bytes", code,
                            DC_CATALOG_MAX_NAME);
    if (c->nu >= DC_CATALOG_MAX_UNITS)
        return dc_error_set(err, DC_EX_DATAERR, "over %d catalogue units", DC_CATALOG_MAX_UNITS);
    if (grow((void **)&c->u, &c->capu, c->nu + 1, sizeof *c->u, err) < 0)
        return -1;
    struct unit *u = &c->u[c->nu++];
    memset(u, 0, sizeof *u);
    snprintf(u->code, sizeof u->code, "%s", code);
    if (level > L_PROV)
        snprintf(u->pcode, sizeof u->pcode, "%s", pcode);
    if (level == L_WARD && era == DC_ERA_PRE2025)
        snprintf(u->dcode, sizeof u->dcode, "%s", dcode);
    snprintf(u->name, sizeof u->name, "%s", name);
    u->level = (unsigned char)level;
    u->era = (unsigned char)era;
    u->dist = -1;
    u->map_first = -1;
    u->src = -1;
    u->succ = -1;
    return 0;
}

int
dc_catalog_add_province(struct dc_catalog *c, enum dc_era era, const char *code, const char *name,
                        struct dc_error *err)
{
    return add_unit(c, L_PROV, era, NULL, NULL, code, name, err);
}

int
dc_catalog_add_district(struct dc_catalog *c, const char *province_code, const char *code,
                        const char *name, struct dc_error *err)
{
    return add_unit(c, L_DIST, DC_ERA_PRE2025, province_code, NULL, code, name, err);
}

int
dc_catalog_add_ward(struct dc_catalog *c, enum dc_era era, const char *province_code,
                    const char *district_code, const char *code, const char *name,
                    struct dc_error *err)
{
    return add_unit(c, L_WARD, era, province_code, district_code, code, name, err);
}

static int
add_pair(struct dc_catalog *c, struct pair **v, long *n, long *cap, const char *a, const char *b,
         size_t len, struct dc_error *err)
{
    if (c == NULL || c->finished)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue is finished or missing");
    if (!valid_code(a, len) || !valid_code(b, len))
        return dc_error_set(err, DC_EX_DATAERR, "mapping code is not %zu digits", len);
    if (*n >= 4L * DC_CATALOG_MAX_UNITS)
        return dc_error_set(err, DC_EX_DATAERR, "too many mapping rows");
    if (grow((void **)v, cap, *n + 1, sizeof **v, err) < 0)
        return -1;
    snprintf((*v)[*n].a, sizeof(*v)[*n].a, "%s", a);
    snprintf((*v)[*n].b, sizeof(*v)[*n].b, "%s", b);
    (*n)++;
    return 0;
}

int
dc_catalog_add_map(struct dc_catalog *c, const char *old_ward, const char *new_ward,
                   struct dc_error *err)
{
    if (c == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue missing");
    return add_pair(c, &c->wm, &c->nwm, &c->capwm, old_ward, new_ward, 5, err);
}

int
dc_catalog_add_province_map(struct dc_catalog *c, const char *old_code, const char *new_code,
                            struct dc_error *err)
{
    if (c == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue missing");
    return add_pair(c, &c->pm, &c->npm, &c->cappm, old_code, new_code, 2, err);
}

/* -------------------------------------------------------------- indexes */

static int
key_add(struct dc_catalog *c, const char *s, int n, struct dc_error *err)
{
    if (grow((void **)&c->keys, &c->capkeys, c->nkeys + n + 1, 1, err) < 0)
        return -1;
    int off = (int)c->nkeys;
    memcpy(c->keys + off, s, (size_t)n);
    c->keys[off + n] = '\0';
    c->nkeys += n + 1;
    return off;
}

const struct nslot *
addr_slot_find(const struct nslot *tab, unsigned long mask, const char *keys, const char *s, int n)
{
    if (tab == NULL)
        return NULL;
    uint32_t h = dc_hash32(s, (size_t)n);
    for (unsigned long i = h & mask;; i = (i + 1) & mask) {
        const struct nslot *sl = &tab[i];
        if (sl->koff < 0)
            return NULL;
        if (sl->h == h && sl->klen == n && memcmp(keys + sl->koff, s, (size_t)n) == 0)
            return sl;
    }
}

static int
code_key(char *buf, size_t sz, int era, int level, const char *code)
{
    int n = snprintf(buf, sz, "%d%d%s", era, level, code);
    return (n < 0 || (size_t)n >= sz) ? -1 : n;
}

static int
code_find(const struct dc_catalog *c, int era, int level, const char *code)
{
    char k[16];
    int n = code_key(k, sizeof k, era, level, code);
    if (n < 0)
        return -1;
    const struct nslot *sl = addr_slot_find(c->ctab, c->ctabmask, c->keys, k, n);
    return sl ? sl->pf : -1;
}

static unsigned long
table_size(long n)
{
    unsigned long sz = 64;
    while (sz < (unsigned long)n * 2 + 1)
        sz *= 2;
    return sz;
}

static int
build_code_index(struct dc_catalog *c, struct dc_error *err)
{
    unsigned long sz = table_size(c->nu);
    c->ctab = malloc(sz * sizeof *c->ctab);
    if (c->ctab == NULL)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (unsigned long i = 0; i < sz; i++)
        c->ctab[i].koff = -1;
    c->ctabmask = sz - 1;
    for (long ui = 0; ui < c->nu; ui++) {
        const struct unit *u = &c->u[ui];
        char k[16];
        int n = code_key(k, sizeof k, u->era, u->level, u->code);
        if (n < 0)
            return dc_error_set(err, DC_EX_SOFTWARE, "code key");
        uint32_t h = dc_hash32(k, (size_t)n);
        unsigned long i = h & c->ctabmask;
        for (;; i = (i + 1) & c->ctabmask) {
            struct nslot *sl = &c->ctab[i];
            if (sl->koff < 0)
                break;
            if (sl->h == h && sl->klen == n && memcmp(c->keys + sl->koff, k, (size_t)n) == 0)
                return dc_error_set(err, DC_EX_DATAERR, "unit code %s given twice (%s era)",
                                    u->code, u->era ? "2025" : "pre-2025");
        }
        int off = key_add(c, k, n, err);
        if (off < 0)
            return -1;
        c->ctab[i] = (struct nslot){h, off, n, (int)ui, 1};
    }
    return 0;
}

/* Growable list of (key, unit) pairs while the name index is built. */
struct krefs {
    struct keyref *v;
    long n, cap;
};

static int
kref_add(struct dc_catalog *c, struct krefs *kr, const char *s, int n, int unit,
         struct dc_error *err)
{
    if (n <= 0)
        return 0;
    int off = key_add(c, s, n, err);
    if (off < 0 || grow((void **)&kr->v, &kr->cap, kr->n + 1, sizeof *kr->v, err) < 0)
        return -1;
    kr->v[kr->n++] = (struct keyref){off, n, unit};
    return 0;
}

int
addr_accent_key(const struct tokbuf *tb, int from, int to, char *out, int cap, int *marked)
{
    int n = 0;
    *marked = 0;
    for (int i = from; i < to; i++) {
        const struct tok *t = &tb->t[i];
        if (n + t->fl + 3 >= cap)
            return -1;
        if (n > 0)
            out[n++] = ' ';
        memcpy(out + n, tb->a + t->fo, (size_t)t->fl);
        n += t->fl;
        out[n++] = (char)('0' + t->tone);
        *marked |= t->marked;
    }
    out[n] = '\0';
    return n;
}

static int
join_tokens(const struct tokbuf *tb, int from, int to, char *out, int cap)
{
    int n = 0;
    for (int i = from; i < to; i++) {
        if (n + tb->t[i].fl + 1 >= cap)
            return -1;
        if (n > 0)
            out[n++] = ' ';
        memcpy(out + n, tb->f + tb->t[i].fo, (size_t)tb->t[i].fl);
        n += tb->t[i].fl;
    }
    out[n] = '\0';
    return n;
}

/* Type words at the start of catalogue names (refdata README: "Names carry
 * the full type prefix"), folded. */
static const struct {
    const char *w;
    unsigned kind;
} name_types[] = {
    {"thanh pho", K_TPT | K_TPD},
    {"thi tran", K_THITRAN},
    {"thi xa", K_THIXA},
    {"dac khu", K_DACKHU},
    {"phuong", K_PHUONG},
    {"xa", K_XA},
    {"quan", K_QUAN},
    {"huyen", K_HUYEN},
    {"tinh", K_TINH},
};

/* City and province shorthands, as folded keys -> the folded province name
 * they stand for.  Source: research/normalize.md §2.7 and §7.5 (HCM, TPHCM,
 * SG / Sài Gòn, HN, HP, BR-VT, TT-Huế).  "ĐN" is left out on purpose: it is
 * both Đà Nẵng and Đồng Nai.  Two-letter forms only count at either end of
 * the address or after a written prefix (see mention rules). */
static const struct {
    const char *alias, *name;
} province_aliases[] = {
    {"hcm", "ho chi minh"},      {"tphcm", "ho chi minh"},     {"sai gon", "ho chi minh"},
    {"sg", "ho chi minh"},       {"hochiminh", "ho chi minh"}, {"hn", "ha noi"},
    {"tphn", "ha noi"},          {"hanoi", "ha noi"},          {"hp", "hai phong"},
    {"brvt", "ba ria vung tau"}, {"br vt", "ba ria vung tau"}, {"tt hue", "hue"},
    {"thua thien hue", "hue"},   {"daklak", "dak lak"},        {"daknong", "dak nong"},
};

static int
cmp_kref(const void *a, const void *b, void *keys)
{
    const struct keyref *x = a, *y = b;
    int n = x->klen < y->klen ? x->klen : y->klen;
    int r = memcmp((char *)keys + x->koff, (char *)keys + y->koff, (size_t)n);
    if (r == 0)
        r = (x->klen > y->klen) - (x->klen < y->klen);
    if (r == 0)
        r = (x->unit > y->unit) - (x->unit < y->unit);
    return r;
}

/* Fold a unit name, set its kind, and add its keys: the name without its
 * type prefix, and for "NT"/"N.T" (nông trường, refdata README "spelling
 * quirks") the spelled-out form and back. */
static int
unit_keys(struct dc_catalog *c, struct krefs *kr, int ui, struct dc_error *err)
{
    struct unit *u = &c->u[ui];
    struct tokbuf tb;
    char k[256], v[300];
    tb.n = 0;
    tb.fn = 0;
    if (addr_tokenize(&c->ft, u->name, (int32_t)strlen(u->name), 0, 0, &tb) < 0 || tb.n == 0)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name has no letters", u->code);
    unsigned lvmask = u->level == L_PROV ? M_PROV : u->level == L_DIST ? M_DIST : M_WARD;
    int from = 0;
    for (size_t t = 0; t < sizeof name_types / sizeof name_types[0]; t++) {
        char w[16];
        int wn = join_tokens(&tb, 0, tb.n < 2 ? tb.n : 2, w, sizeof w);
        size_t tl = strlen(name_types[t].w);
        int ntok = strchr(name_types[t].w, ' ') ? 2 : 1;
        if (!(name_types[t].kind & lvmask) || tb.n <= ntok)
            continue;
        if (ntok == 1 ? addr_tok_is(&tb, 0, name_types[t].w)
                      : (wn >= 0 && (size_t)wn == tl && memcmp(w, name_types[t].w, tl) == 0)) {
            u->kind = name_types[t].kind & lvmask;
            from = ntok;
            break;
        }
    }
    int n = join_tokens(&tb, from, tb.n, k, sizeof k);
    if (n < 0)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name too long", u->code);
    int marked;
    int an = addr_accent_key(&tb, from, tb.n, v, sizeof v, &marked);
    if (an < 0)
        return dc_error_set(err, DC_EX_DATAERR, "unit %s: name too long", u->code);
    u->akoff = key_add(c, v, an, err);
    if (u->akoff < 0)
        return -1;
    u->aklen = an;
    u->fkoff = key_add(c, k, n, err);
    if (u->fkoff < 0)
        return -1;
    u->fklen = n;
    if (kref_add(c, kr, k, n, ui, err) < 0)
        return -1;
    int ntok = tb.n - from;
    if (ntok > c->maxtok)
        c->maxtok = ntok;
    int vn = -1;
    if (n > 4 && memcmp(k, "n t ", 4) == 0)
        vn = snprintf(v, sizeof v, "nong truong %s", k + 4);
    else if (n > 3 && memcmp(k, "nt ", 3) == 0)
        vn = snprintf(v, sizeof v, "nong truong %s", k + 3);
    else if (n > 12 && memcmp(k, "nong truong ", 12) == 0)
        vn = snprintf(v, sizeof v, "nt %s", k + 12);
    if (vn > 0 && vn < (int)sizeof v && kref_add(c, kr, v, vn, ui, err) < 0)
        return -1;
    if (vn > 0 && ntok + 1 > c->maxtok)
        c->maxtok = ntok + 1;
    if (u->level == L_PROV) {
        for (size_t a = 0; a < sizeof province_aliases / sizeof province_aliases[0]; a++) {
            if (strcmp(k, province_aliases[a].name) != 0)
                continue;
            const char *al = province_aliases[a].alias;
            if (kref_add(c, kr, al, (int)strlen(al), ui, err) < 0)
                return -1;
        }
    }
    return 0;
}

static int
cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int r = strcmp(x->a, y->a);
    return r ? r : strcmp(x->b, y->b);
}

static int
resolve_links(struct dc_catalog *c, struct dc_error *err)
{
    for (long ui = 0; ui < c->nu; ui++) {
        struct unit *u = &c->u[ui];
        if (u->level == L_PROV) {
            u->prov = (int)ui;
            continue;
        }
        u->prov = code_find(c, u->era, L_PROV, u->pcode);
        if (u->prov < 0)
            return dc_error_set(err, DC_EX_DATAERR, "unit %s: province %s not in catalogue",
                                u->code, u->pcode);
        if (u->level == L_WARD && u->era == DC_ERA_PRE2025) {
            u->dist = code_find(c, DC_ERA_PRE2025, L_DIST, u->dcode);
            if (u->dist < 0 || c->u[u->dist].prov != u->prov)
                return dc_error_set(err, DC_EX_DATAERR,
                                    "ward %s: district %s not in catalogue or not in province %s",
                                    u->code, u->dcode, u->pcode);
        }
    }
    for (long i = 0; i < c->npm; i++) {
        int o = code_find(c, DC_ERA_PRE2025, L_PROV, c->pm[i].a);
        int n = code_find(c, DC_ERA_2025, L_PROV, c->pm[i].b);
        if (o < 0 || n < 0)
            return dc_error_set(err, DC_EX_DATAERR, "province mapping %s -> %s: unknown code",
                                c->pm[i].a, c->pm[i].b);
        if (c->u[o].map_first >= 0 && c->u[o].map_first != n)
            return dc_error_set(err, DC_EX_DATAERR, "province %s mapped twice", c->pm[i].a);
        if (c->u[o].map_first < 0) {
            c->u[o].map_first = n;
            c->u[n].map_n++;
            c->u[n].src = o;
        }
    }
    if (c->nwm > 0) {
        qsort(c->wm, (size_t)c->nwm, sizeof *c->wm, cmp_pair);
        c->mapv = malloc((size_t)c->nwm * sizeof *c->mapv);
        if (c->mapv == NULL)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    for (long ui = 0; ui < c->nu; ui++) {
        c->u[ui].rp = -2; /* -2: no source ward seen yet */
        c->u[ui].rd = -2;
        c->u[ui].rw = -2;
    }
    int nv = 0;
    for (long i = 0; i < c->nwm; i++) {
        if (i > 0 && cmp_pair(&c->wm[i - 1], &c->wm[i]) == 0)
            continue; /* the same pair twice says nothing new */
        int o = code_find(c, DC_ERA_PRE2025, L_WARD, c->wm[i].a);
        int n = code_find(c, DC_ERA_2025, L_WARD, c->wm[i].b);
        if (o < 0 || n < 0)
            return dc_error_set(err, DC_EX_DATAERR, "ward mapping %s -> %s: unknown code",
                                c->wm[i].a, c->wm[i].b);
        if (c->u[o].map_first < 0)
            c->u[o].map_first = nv;
        c->u[o].map_n++;
        c->mapv[nv++] = n;
        /* what all source wards of the new ward share, in the old era */
        struct unit *nu = &c->u[n];
        const struct unit *ou = &c->u[o];
        nu->rp = nu->rp == -2 || nu->rp == ou->prov ? ou->prov : -1;
        nu->rd = nu->rd == -2 || nu->rd == ou->dist ? ou->dist : -1;
        nu->rw = nu->rw == -2 || nu->rw == o ? o : -1;
        nu->rn++;
    }
    /* the reverse of mapv: each new ward's source wards */
    if (nv > 0 && (c->rmapv = malloc((size_t)nv * sizeof *c->rmapv)) == NULL)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    int at = 0;
    for (long ui = 0; ui < c->nu; ui++) {
        c->u[ui].rfirst = at;
        at += c->u[ui].rn;
        c->u[ui].rn = 0;
    }
    for (long ui = 0; ui < c->nu; ui++) {
        const struct unit *o = &c->u[ui];
        for (int j = 0; o->level == L_WARD && o->era == DC_ERA_PRE2025 && j < o->map_n; j++) {
            struct unit *n = &c->u[c->mapv[o->map_first + j]];
            c->rmapv[n->rfirst + n->rn++] = (int)ui;
        }
    }
    for (long ui = 0; ui < c->nu; ui++) {
        struct unit *u = &c->u[ui];
        u->rp = u->rp < 0 ? -1 : u->rp;
        u->rd = u->rd < 0 ? -1 : u->rd;
        u->rw = u->rw < 0 ? -1 : u->rw;
    }
    return 0;
}

/* Names retired before 2025 whose whole area went to one unit of the
 * pre-2025 catalogue: the old name reads as the successor, with the reason
 * "retired-name" (issue 13 §2.4; the catalogue itself lists units as of
 * 2024, refdata README).  Each row gives its legal source. */
static const struct {
    unsigned char level;
    const char *pcode, *succ, *name;
} retired[] = {
    /* Resolution 1111/NQ-UBTVQH14 (9 Dec 2020, in force 1 Jan 2021): Quận 2,
     * Quận 9 and Quận Thủ Đức became Thành phố Thủ Đức */
    {L_DIST, "79", "769", "Quận 2"},
    {L_DIST, "79", "769", "Quận 9"},
    /* Resolution 15/2008/QH12 (29 May 2008, in force 1 Aug 2008): Tỉnh Hà
     * Tây went whole into Thành phố Hà Nội */
    {L_PROV, "01", "01", "Tỉnh Hà Tây"},
};

static int
add_retired(struct dc_catalog *c, struct dc_error *err)
{
    for (size_t k = 0; k < sizeof retired / sizeof retired[0]; k++) {
        int s = code_find(c, DC_ERA_PRE2025, retired[k].level, retired[k].succ);
        if (s < 0 || strcmp(c->u[c->u[s].prov].code, retired[k].pcode) != 0)
            continue; /* a catalogue without the successor (the built-in provinces) */
        if (grow((void **)&c->u, &c->capu, c->nu + 1, sizeof *c->u, err) < 0)
            return -1;
        struct unit *r = &c->u[c->nu++];
        *r = c->u[s];
        snprintf(r->name, sizeof r->name, "%s", retired[k].name);
        r->succ = s;
        r->kind = 0;
        c->nretired++;
    }
    return 0;
}

/* The wards under each district (pre-2025) and province (its era's), for
 * typo matching within a parent (match.c addr_typo). */
static int
build_kids(struct dc_catalog *c, struct dc_error *err)
{
    long total = 0;
    for (long ui = 0; ui < c->nu; ui++) {
        c->u[ui].kn = 0;
        c->u[ui].kfirst = 0;
    }
    for (long ui = 0; ui < c->nu; ui++) {
        const struct unit *w = &c->u[ui];
        if (w->level != L_WARD || w->succ >= 0 || ui >= c->nu - c->nretired)
            continue;
        if (w->dist >= 0) {
            c->u[w->dist].kn++;
            total++;
        }
        if (w->prov >= 0) {
            c->u[w->prov].kn++;
            total++;
        }
    }
    c->kids = malloc((size_t)(total > 0 ? total : 1) * sizeof *c->kids);
    if (c->kids == NULL)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    long off = 0;
    for (long ui = 0; ui < c->nu; ui++) {
        c->u[ui].kfirst = (int)off;
        off += c->u[ui].kn;
        c->u[ui].kn = 0;
    }
    for (long ui = 0; ui < c->nu; ui++) {
        const struct unit *w = &c->u[ui];
        if (w->level != L_WARD || w->succ >= 0 || ui >= c->nu - c->nretired)
            continue;
        if (w->dist >= 0) {
            struct unit *d = &c->u[w->dist];
            c->kids[d->kfirst + d->kn++] = (int)ui;
        }
        if (w->prov >= 0) {
            struct unit *p = &c->u[w->prov];
            c->kids[p->kfirst + p->kn++] = (int)ui;
        }
    }
    return 0;
}

int
dc_catalog_finish(struct dc_catalog *c, struct dc_error *err)
{
    if (c == NULL || c->finished || c->ctab != NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "catalogue is finished, failed or missing");
    struct krefs kr = {NULL, 0, 0};
    if (build_code_index(c, err) < 0 || resolve_links(c, err) < 0 || add_retired(c, err) < 0)
        return -1;
    for (long ui = 0; ui < c->nu; ui++)
        if (unit_keys(c, &kr, (int)ui, err) < 0)
            goto fail;
    if (build_kids(c, err) < 0)
        goto fail;
    if (kr.n > 0)
        qsort_r(kr.v, (size_t)kr.n, sizeof *kr.v, cmp_kref, c->keys);
    long nuniq = 0;
    for (long i = 0; i < kr.n; i++)
        if (i == 0 || cmp_kref(&(struct keyref){kr.v[i - 1].koff, kr.v[i - 1].klen, 0},
                               &(struct keyref){kr.v[i].koff, kr.v[i].klen, 0}, c->keys) != 0)
            nuniq++;
    unsigned long sz = table_size(nuniq);
    c->tab = malloc(sz * sizeof *c->tab);
    c->post = malloc((size_t)(kr.n > 0 ? kr.n : 1) * sizeof *c->post);
    if (c->tab == NULL || c->post == NULL) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    for (unsigned long i = 0; i < sz; i++)
        c->tab[i].koff = -1;
    c->tabmask = sz - 1;
    struct nslot *cur = NULL;
    int np = 0;
    for (long i = 0; i < kr.n; i++) {
        const struct keyref *r = &kr.v[i];
        const char *s = c->keys + r->koff;
        if (cur == NULL || cur->klen != r->klen ||
            memcmp(c->keys + cur->koff, s, (size_t)r->klen) != 0) {
            uint32_t h = dc_hash32(s, (size_t)r->klen);
            unsigned long j = h & c->tabmask;
            while (c->tab[j].koff >= 0)
                j = (j + 1) & c->tabmask;
            cur = &c->tab[j];
            *cur = (struct nslot){h, r->koff, r->klen, np, 0};
        } else if (c->post[np - 1] == r->unit) {
            continue; /* a unit reached twice by one key (alias = name) */
        }
        c->post[np++] = r->unit;
        cur->pn++;
    }
    if (c->maxtok > 8)
        c->maxtok = 8;
    free(kr.v);
    c->finished = 1;
    return 0;
fail:
    free(kr.v);
    return -1;
}
