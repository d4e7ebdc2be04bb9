/*
 * link/records.c - struct dc_person to struct rec: the compact per-record
 * state the linkage compares (interned folded name parts and codes, hashes
 * of the NFC and folded full names, BCD ID numbers and dates), and the
 * byte histograms of the folded names.  Not for: comparing records
 * (link_int.h's comparisons), blocking (block.c).
 */
#include "link_int.h"
#include "../vndate.h"
#include "../vnid.h"
#include "../vn/fold.h"
#include "../vn/letter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

/* ---- string interning: ids are first-occurrence order, so deterministic --- */

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

/* The key normalize stores as name_key: vn/fold.h's DC_FOLD_KEY (one fold for
 * the whole project, issue 18; test_vn pins that both agree): lower case,
 * marks removed, đ as d, apostrophes dropped (H'Hen = Hhen), hyphens and
 * other marks between letters one space (research/dedup.md §B.1
 * fullname_fold).  A part over MAX_NAME bytes is cut
 * at a character boundary first, as before. */
static int
fold(const char *s, size_t n, char *out, size_t cap, size_t *outlen, struct dc_error *err)
{
    char in[MAX_NAME];

    if (n > MAX_NAME - 1) {
        n = MAX_NAME - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(in, s, n);
    in[n] = '\0';
    if (dc_fold(DC_FOLD_KEY, in, out, cap) < 0) {
        /* a part that does not fit or is not text: compared as written */
        if (n >= cap)
            return dc_error_set(err, DC_EX_SOFTWARE, "dedup: name part over %zu bytes", cap);
        memcpy(out, in, n + 1);
    }
    *outlen = strlen(out);
    return 0;
}

/* ---- per-record compact state ------------------------------------------ */

void
link_ctx_drop_strings(struct ctx *c)
{
    intern_free(&c->names);
    intern_free(&c->fulls);
    intern_free(&c->raw);
    intern_free(&c->codes);
    free(c->raw2fold);
    free(c->hist);
    free(c->cls);
    c->raw2fold = NULL;
    c->raw2fold_cap = 0;
    c->hist = NULL;
    c->cls = NULL;
    c->ncls = 0;
}

void
link_ctx_free(struct ctx *c)
{
    link_ctx_drop_strings(c);
    free(c->r);
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
    if (fold(s, n, buf, sizeof buf, &fl, err))
        return -1;
    if (intern_get(&c->names, buf, fl, id, err))
        return -1;
    c->raw2fold[rid] = *id;
    return 0;
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

/* The stored birth date (ISO, as normalize writes it) through vndate's
 * strict reader, kept to the precision the record states; anything else is
 * compared as unknown. */
static void
parse_dob(const struct dc_person *p, struct rec *r)
{
    int y, m, d, prec;

    r->prec = 0;
    if (!p->dob || p->dob_precision < DC_DATE_YEAR || p->dob_precision > DC_DATE_DAY)
        return;
    prec = dc_date_read_iso(p->dob, &y, &m, &d);
    if (prec == DC_DATE_INVALID || prec < (int)p->dob_precision)
        return;
    r->year = (uint16_t)y;
    r->month = (uint8_t)(p->dob_precision >= DC_DATE_MONTH ? m : 0);
    r->day = (uint8_t)(p->dob_precision == DC_DATE_DAY ? d : 0);
    r->prec = (uint8_t)p->dob_precision;
}

/* Name parts: the separate columns when normalize filled them, else the
 * full name split at spaces (first token family, last given). */
/* Room in c->cls for every name id so far; new entries not worked out yet
 * (id 0, no name, has neither). */
static int
cls_room(struct ctx *c, struct dc_error *err)
{
    size_t nc = c->names.cap, i;
    struct name_cls *v;

    if (c->names.n <= c->ncls)
        return 0;
    v = realloc(c->cls, nc * sizeof *v);
    if (!v)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = c->ncls; i < nc; i++)
        v[i].famcls = v[i].mid2 = i ? CLS_UNSET : 0;
    c->cls = v;
    c->ncls = nc;
    return 0;
}

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
    r->nfc = o ? (uint32_t)(hash_bytes(nfc, o) >> 32) | 1u : 0;
    jl = joined(c, r, fbuf);
    if (intern_get(&c->fulls, fbuf, jl, &r->full, err))
        return -1;

    /* Surname classes: Hoàng≡Huỳnh, Vũ≡Võ (research/dedup.md §B.1 ho_class),
     * and the middle name without the gender word Thị/Văn, often dropped
     * (§B.1): worked out the first time a name is met, kept per name. */
    if (cls_room(c, err))
        return -1;
    if (r->fam && c->cls[r->fam].famcls == CLS_UNSET) {
        size_t l;
        const char *s = name_str(c, r->fam, &l);
        uint32_t v = r->fam;

        if (((l == 5 && memcmp(s, "huynh", 5) == 0) || (l == 2 && memcmp(s, "vo", 2) == 0)) &&
            intern_get(&c->names, l == 5 ? "hoang" : "vu", l == 5 ? 5 : 2, &v, err))
            return -1;
        c->cls[r->fam].famcls = v;
    }
    if (r->mid && c->cls[r->mid].mid2 == CLS_UNSET) {
        size_t l;
        const char *s = name_str(c, r->mid, &l);
        uint32_t v = r->mid;

        if (l >= 3 && (memcmp(s, "thi", 3) == 0 || memcmp(s, "van", 3) == 0) &&
            (l == 3 || s[3] == ' ')) {
            char tmp[MAX_NAME * 4];
            size_t tl = l > 4 ? l - 4 : 0;

            memcpy(tmp, s + (l > 4 ? 4 : l), tl);
            if (intern_get(&c->names, tmp, tl, &v, err))
                return -1;
        }
        c->cls[r->mid].mid2 = v;
    }
    return 0;
}

static int
code_id(struct ctx *c, const char *s, uint16_t *id, struct dc_error *err)
{
    size_t n = trimlen(&s);
    uint32_t v;

    if (n > 32)
        n = 32;
    if (intern_get(&c->codes, s ? s : "", n, &v, err))
        return -1;
    if (v > UINT16_MAX)
        return dc_error_set(err, DC_EX_DATAERR,
                            "dedup: over 65,535 distinct ward and province codes");
    *id = (uint16_t)v;
    return 0;
}

/* The address detail (house number and street, or hamlet) reduced to its
 * letters' and digits' ASCII bases (vn/letter.h: case, tones, shapes and
 * combining marks aside, đ as d), every other run one space: "Số 12, đường
 * Lê Lợi" = "so 12 duong le loi" = "SO 12 DUONG LE LOI".  A table lookup a
 * character: dc_fold's ICU path here cost a quarter of dedup's CPU time on a
 * million records.  Hashed to 32 bits: compared only within one ward, where
 * two different details sharing a hash is a one in four billion. */
static uint32_t
detail_hash(const char *s)
{
    const struct dc_letter *t = dc_letter_table();
    char key[512];
    size_t o = 0;
    int32_t i = 0, n;
    int gap = 0;
    uint64_t h;

    if (!s || !*s || !t)
        return 0;
    n = (int32_t)strnlen(s, 4096);
    while (i < n && o + 2 < sizeof key) {
        UChar32 c;
        unsigned char b = 0;

        U8_NEXT(s, i, n, c);
        if (c >= 0 && c < DC_LETTER_TABLE) {
            if (t[c].mark)
                continue;
            b = t[c].base;
        }
        if (!b) {
            gap = 1;
            continue;
        }
        if (gap && o)
            key[o++] = ' ';
        gap = 0;
        key[o++] = (char)b;
    }
    if (!o)
        return 0;
    h = hash_bytes(key, o);
    return (uint32_t)(h ^ h >> 32) | 1u;
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
            char ppp[4] = {p->id12[0], p->id12[1], p->id12[2], 0};
            r->id12 = v | (dc_id_province_name(ppp) ? 0 : ID_PREFIX_UNKNOWN);
            r->idlen = 12;
        }
        if (digits_value(p->cmnd, &v, &l) && l >= 8) {
            r->cmnd = v;
            r->cmndlen = l;
        }
        r->det = detail_hash(p->address_detail);
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

int
link_ctx_init(struct ctx *c, size_t cap, struct dc_error *err)
{
    memset(c, 0, sizeof *c);
    if (intern_init(&c->names, 0, err))
        return -1;
    if (intern_init(&c->raw, 0, err) || intern_init(&c->codes, 0, err) ||
        intern_init(&c->fulls, cap - cap / 4, err)) {
        link_ctx_free(c);
        return -1;
    }
    c->cap = cap ? cap : 1;
    c->r = malloc(c->cap * sizeof *c->r);
    if (!c->r) {
        link_ctx_free(c);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    return 0;
}

int
link_ctx_add(struct ctx *c, const struct dc_person *recs, size_t n, struct dc_error *err)
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

void
link_ctx_seal(struct ctx *c)
{
    struct intern *t[] = {&c->names, &c->fulls, &c->codes};
    size_t i;

    intern_free(&c->raw);
    free(c->raw2fold);
    c->raw2fold = NULL;
    c->raw2fold_cap = 0;
    /* No string is looked up any more: the open-addressing slots go (the
     * folded full names' were sized for three quarters of the records). */
    for (i = 0; i < sizeof t / sizeof *t; i++) {
        free(t[i]->slots);
        t[i]->slots = NULL;
        t[i]->mask = 0;
    }
}

int
link_ctx_build(struct ctx *c, const struct dc_person *recs, size_t n, struct dc_error *err)
{
    if (link_ctx_init(c, n, err))
        return -1;
    if (link_ctx_add(c, recs, n, err)) {
        link_ctx_free(c);
        return -1;
    }
    return 0;
}

static size_t
intern_bytes(const struct intern *t)
{
    return t->pcap + t->n * (2 * sizeof(uint32_t) + sizeof(uint64_t)) + /* touched */
           (t->slots ? (t->mask + 1) * sizeof *t->slots : 0);
}

size_t
link_ctx_bytes(const struct ctx *c)
{
    return c->cap * sizeof *c->r + intern_bytes(&c->names) + intern_bytes(&c->fulls) +
           intern_bytes(&c->raw) + intern_bytes(&c->codes) + c->raw2fold_cap * sizeof *c->raw2fold +
           c->fulls.n * sizeof *c->hist + c->ncls * sizeof *c->cls;
}

/* ---- comparisons: the byte histograms jw_level reads (link_int.h) ----- */

int
link_ctx_hist(struct ctx *c, struct dc_error *err)
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
