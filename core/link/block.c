/*
 * link/block.c - blocking and the walk over the blocks: every record's key
 * under the nine rules, the blocks of each rule (split where over the cap),
 * and the two passes over them on R->nthreads threads, one counting the
 * training patterns (and keeping the pairs it compares, in memory or in a
 * temporary file), one scoring the candidate pairs; resident (all rules'
 * blocks built first) or streamed (a rule at a time, link_scan).  Not for:
 * what a pair's levels are (link_int.h) or what the counts make of m and u
 * (train.c).
 */
#include "link_int.h"
#include "../util/threads.h"

#include <pthread.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- blocking ----------------------------------------------------------- */

const char *const link_rule_names[NRULES] = {
    "id12",
    "given name + birth date",
    "surname class + middle + given + birth year",
    "surname class + given + ward",
    "surname class + given + new ward",
    "id prefix + surname class + given",
    "cmnd",
    "surname class + middle + birth date",
    "birth date + ward",
};

/* Key of record r under rule k; 0 = the record has no key for this rule.
 * Never the surname alone (research/dedup.md §B.2: Nguyen is ~38%). */
/* The ward rule's ward: the pre-2025 one, else the 2025 one kept apart
 * (0 = neither). */
static uint32_t
any_ward(const struct rec *r)
{
    return r->ward ? r->ward : r->nward ? r->nward + 0x80000000u : 0;
}

uint64_t
link_rule_key(const struct ctx *c, int k, const struct rec *r)
{
    uint64_t h = (uint64_t)k + 1;

    switch (k) {
    case 0:
        return r->idlen ? combine(h, r->id12) : 0;
    case 1:
        if (!r->giv || r->prec != DC_DATE_DAY)
            return 0;
        h = combine(h, r->giv);
        return combine(h, (uint64_t)r->year * 10000u + r->month * 100u + r->day);
    case 2:
        if (!r->giv || !r->prec)
            return 0;
        h = combine(combine(h, FAMCLS(c, r)), MID2(c, r));
        return combine(combine(h, r->giv), r->year);
    case 3:
    case 4: {
        uint32_t w = k == 3 ? r->ward : r->nward;

        if (!r->giv || !w)
            return 0;
        return combine(combine(combine(h, FAMCLS(c, r)), r->giv), w);
    }
    case 5:
        if (!r->idlen || !r->giv)
            return 0;
        h = combine(h, r->id12 >> 24 /* first 6 BCD digits */);
        return combine(combine(h, FAMCLS(c, r)), r->giv);
    case 6:
        /* Value only: "012345678" and "12345678" (leading zero lost) meet. */
        return r->cmndlen ? combine(h, r->cmnd) : 0;
    case 7:
        /* The two rules without the given name catch a typo in it
         * (research/dedup.md §B.2 rule 7). */
        if (r->prec != DC_DATE_DAY || !FAMCLS(c, r))
            return 0;
        h = combine(combine(h, FAMCLS(c, r)), r->mid);
        return combine(h, (uint64_t)r->year * 10000u + r->month * 100u + r->day);
    case 8:
        if (r->prec != DC_DATE_DAY || !(r->ward || r->nward))
            return 0;
        h = combine(h, any_ward(r));
        return combine(h, (uint64_t)r->year * 10000u + r->month * 100u + r->day);
    }
    return 0;
}

/* Comparisons each blocking rule's key is built from: within a rule's
 * pairs those comparisons agree by construction, so they say nothing about
 * m there (Splink trains m in sessions that leave the blocked columns out,
 * research/dedup.md §B.4 point 3). */
static const unsigned rule_mask[NRULES] = {
    1u << DC_CMP_ID,
    1u << DC_CMP_NAME | 1u << DC_CMP_DOB | 1u << DC_CMP_SEX, /* a given name tells the sex */
    1u << DC_CMP_NAME | 1u << DC_CMP_DOB,
    1u << DC_CMP_NAME | 1u << DC_CMP_ADDR,
    1u << DC_CMP_NAME | 1u << DC_CMP_ADDR,
    1u << DC_CMP_ID | 1u << DC_CMP_NAME | 1u << DC_CMP_DOB,
    1u << DC_CMP_ID,
    1u << DC_CMP_NAME | 1u << DC_CMP_DOB | 1u << DC_CMP_SEX, /* Văn/Thị tell the sex */
    1u << DC_CMP_DOB | 1u << DC_CMP_ADDR,
};

/* Rules whose pairs train m.  Loose rules (a name and a year, a name and a
 * ward) hold millions of homonym pairs per true pair in a province; EM on
 * them drifts to "same name, different person" as the match class, the
 * imbalance Splink's advice on strict training rules is about.  The strict
 * rules left still leave every comparison unmasked in at least one rule. */
static const int train_rule[NRULES] = {1, 1, 0, 0, 0, 0, 1, 1, 1};

/* Pairs a rule compares inside one of its blocks.  The name + birth year
 * rule is there for dates that disagree in a way a typo or a swap explains,
 * or that one side knows only to the year; two full dates with nothing in
 * common are homonyms, and in a province they are most of that rule's
 * block (millions of pairs per million records), so they are left out. */
static int
rule_pair_ok(int k, const struct rec *a, const struct rec *b)
{
    if (k != 2 || a->prec != DC_DATE_DAY || b->prec != DC_DATE_DAY)
        return 1;
    return a->month == b->month || a->day == b->day || (a->day == b->month && a->month == b->day);
}

/* Stable LSD radix sort on the 64-bit key: records keep index order within
 * a key, and no comparison-sort cost over a million keys. */
static int
ki_cmp(const void *x, const void *y)
{
    const struct ki *a = x, *b = y;

    if (a->k != b->k)
        return a->k < b->k ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

int
link_radix_sort(struct ki *v, size_t n, struct dc_error *err)
{
    struct ki *tmp;
    size_t *cnt;
    int pass;

    if (n < 4096) { /* the 64K-entry counts would cost more than the sort */
        if (n > 1)
            qsort(v, n, sizeof *v, ki_cmp);
        return 0;
    }
    tmp = malloc(n * sizeof *tmp);
    cnt = malloc(65536 * sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    for (pass = 0; pass < 4; pass++) {
        int sh = 16 * pass;
        size_t i, sum = 0;
        struct ki *sw;

        memset(cnt, 0, 65536 * sizeof *cnt);
        for (i = 0; i < n; i++)
            cnt[(v[i].k >> sh) & 0xFFFF]++;
        for (i = 0; i < 65536; i++) {
            size_t c = cnt[i];

            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            tmp[cnt[(v[i].k >> sh) & 0xFFFF]++] = v[i];
        sw = v;
        v = tmp;
        tmp = sw;
    }
    /* four passes: the sorted data is back in the caller's array */
    free(tmp);
    free(cnt);
    return 0;
}

/* The same order as radix_sort for keys that are hashes (spread over all
 * 64 bits): one counting pass on the top bits, then each bucket (about 16
 * keys) sorted on its own, instead of four passes over all of them.
 * Blocking sorts nine million keys per million records.  The buckets grow
 * with n past a million keys (16 bits, then up to 20: ten million keys took
 * 0.84 s on 16 bits, 0.51-0.60 s on 19-20, the buckets' qsorts the
 * difference). */
static int hash_sort_from(struct ki *v, size_t n, int skip, struct dc_error *err);

int
link_hash_sort(struct ki *v, size_t n, struct dc_error *err)
{
    return hash_sort_from(v, n, 0, err);
}

/* Buckets on the key bits below the top skip (the keys of one temporary
 * file share their top bits): equal keys still end up side by side, in an
 * order of their own. */
static int
hash_sort_from(struct ki *v, size_t n, int skip, struct dc_error *err)
{
    struct ki *tmp;
    size_t *cnt, i, b, sum = 0, nb;
    int bits = 16, sh;

    if (n < 4096)
        return link_radix_sort(v, n, err);
    while (bits < 20 && (n >> bits) > 16)
        bits++;
    nb = (size_t)1 << bits;
    sh = 64 - bits;
    tmp = malloc(n * sizeof *tmp);
    cnt = malloc(nb * sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    memset(cnt, 0, nb * sizeof *cnt);
    for (i = 0; i < n; i++)
        cnt[(v[i].k << skip) >> sh]++;
    for (b = 0; b < nb; b++) {
        size_t c = cnt[b];

        cnt[b] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++) /* stable: index order kept within a bucket */
        tmp[cnt[(v[i].k << skip) >> sh]++] = v[i];
    /* cnt[b] is now the end of bucket b, the start of bucket b + 1 */
    for (b = 0; b < nb; b++) {
        size_t lo = b ? cnt[b - 1] : 0, hi = cnt[b];

        if (hi - lo > 32) {
            qsort(tmp + lo, hi - lo, sizeof *tmp, ki_cmp);
            continue;
        }
        for (i = lo + 1; i < hi; i++) { /* insertion sort on k: stable */
            struct ki x = tmp[i];
            size_t j = i;

            while (j > lo && tmp[j - 1].k > x.k) {
                tmp[j] = tmp[j - 1];
                j--;
            }
            tmp[j] = x;
        }
    }
    memcpy(v, tmp, n * sizeof *v);
    free(tmp);
    free(cnt);
    return 0;
}

/* ---- blocks over the cap: split, never skipped --------------------------
 *
 * A block over max_block is split by further keys, one after another, until
 * each part fits (issue 21: at ten million records a common name with a
 * birth year passes 5,000, and skipping such blocks lost half a million true
 * pairs).  Each rule's further keys are fields its own key leaves out, the
 * ones a true pair most often shares for what that rule is there to catch:
 * the name + birth year rule (date typos) is split by sex and then birth
 * month, so a day typo still meets; the rules without the given name (there
 * for a typo in it) never by the given name.  A part the keys leave over the
 * cap is ordered by birth date and name and cut into consecutive runs of
 * max_block records (a sorted neighbourhood in fixed windows).  The refined
 * key replaces the record's key under that rule, so "compared by an earlier
 * rule" keeps meaning "in the same part of it".  Research/dedup.md §B.2's
 * hard cap thus costs pairs only across part boundaries, and the notes say
 * which blocks were split and how. */

enum { SF_GIVEN = 1, SF_SURCLS, SF_MIDDLE, SF_SEX, SF_YEAR, SF_MONTH, SF_DOB, SF_PROV, SF_IDPROV };

static const char *const split_field_names[] = {
    "",           "given name",  "surname class", "middle name", "sex",
    "birth year", "birth month", "birth date",    "province",    "ID province",
};

#define MAX_SPLIT 3
static const unsigned char split_by[NRULES][MAX_SPLIT] = {
    {SF_GIVEN, SF_DOB},             /* id12: one ID shared by thousands */
    {SF_SURCLS, SF_MIDDLE, SF_SEX}, /* given name + birth date */
    {SF_SEX, SF_MONTH, SF_IDPROV},  /* surname class + middle + given + birth year */
    {SF_YEAR, SF_MIDDLE, SF_SEX},   /* surname class + given + ward */
    {SF_YEAR, SF_MIDDLE, SF_SEX},   /* surname class + given + new ward */
    {SF_MIDDLE, SF_MONTH},          /* ID prefix (province, century, year) + class + given */
    {SF_GIVEN, SF_DOB},             /* cmnd */
    {SF_SEX, SF_PROV, SF_IDPROV},   /* surname class + middle + birth date */
    {SF_SURCLS, SF_SEX},            /* birth date + ward */
};

static uint64_t
split_value(const struct ctx *c, int f, const struct rec *r)
{
    switch (f) {
    case SF_GIVEN:
        return r->giv;
    case SF_SURCLS:
        return FAMCLS(c, r);
    case SF_MIDDLE:
        return MID2(c, r);
    case SF_SEX:
        return (unsigned char)r->sex;
    case SF_YEAR:
        return r->prec ? r->year : 0;
    case SF_MONTH:
        return r->prec >= DC_DATE_MONTH ? r->month : 0;
    case SF_DOB:
        return r->prec ? dob_value(r, r->prec) << 2 | r->prec : 0;
    case SF_PROV:
        return r->prov ? r->prov : r->nprov ? r->nprov | 0x80000000u : 0;
    case SF_IDPROV:
        return r->idlen ? (r->id12 & ID_DIGITS) >> 36 : 0; /* the first 3 digits */
    }
    return 0;
}

/* Order for the windows: birth date, then the folded full name, then index. */
static int
window_cmp(const void *x, const void *y, void *ctx)
{
    const struct ctx *c = ctx;
    const struct ki *a = x, *b = y;
    const struct rec *ra = &c->r[a->i], *rb = &c->r[b->i];
    uint64_t da = ra->prec ? dob_value(ra, DC_DATE_DAY) : 0;
    uint64_t db = rb->prec ? dob_value(rb, DC_DATE_DAY) : 0;
    size_t la = c->fulls.len[ra->full], lb = c->fulls.len[rb->full];
    int d;

    if (da != db)
        return da < db ? -1 : 1;
    d = memcmp(c->fulls.pool + c->fulls.off[ra->full], c->fulls.pool + c->fulls.off[rb->full],
               la < lb ? la : lb);
    if (d || la != lb)
        return d ? d : la < lb ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Splits v[lo, hi) (one key, over the cap) by rule k's further keys from
 * level on, rewriting the keys in v; the parts come out contiguous. */
static void
split_block(const struct run *R, int k, struct ki *v, size_t lo, size_t hi, int level,
            struct split_stat *st)
{
    size_t x, y, cap = R->o->max_block;

    if (hi - lo <= cap) {
        st->parts++;
        if (hi - lo > st->largest_part)
            st->largest_part = hi - lo;
        return;
    }
    if (level < MAX_SPLIT && split_by[k][level]) {
        if (level + 1 > st->depth)
            st->depth = level + 1;
        for (x = lo; x < hi; x++)
            v[x].k = combine(v[x].k, split_value(&R->c, split_by[k][level], &R->c.r[v[x].i]));
        qsort(v + lo, hi - lo, sizeof *v, ki_cmp);
        for (x = lo; x < hi; x = y) {
            for (y = x + 1; y < hi && v[y].k == v[x].k; y++)
                ;
            split_block(R, k, v, x, y, level + 1, st);
        }
        return;
    }
    /* The further keys are spent: windows of cap records in a fixed order. */
    st->windowed++;
    qsort_r(v + lo, hi - lo, sizeof *v, window_cmp, (void *)&R->c);
    for (x = lo; x < hi; x++)
        v[x].k = combine(v[x].k, 0x5749000000000000ull | (x - lo) / cap);
    for (x = lo; x < hi; x += cap) {
        st->parts++;
        y = hi - x < cap ? hi - x : cap;
        if (y > st->largest_part)
            st->largest_part = y;
        /* back to record order inside the window: a pair is (a, b) with a < b
         * (the fuzzer found (2, 1) from a window in date order) */
        qsort(v + x, y, sizeof *v, ki_cmp);
    }
}

static int
note_split(struct run *R, int k, const struct split_stat *st, struct dc_error *err)
{
    char by[128] = "";
    size_t o = 0;
    int l;

    for (l = 0; l < st->depth && o < sizeof by / 2; l++)
        o += (size_t)snprintf(by + o, sizeof by - o, "%s%s", l ? ", then " : "",
                              split_field_names[split_by[k][l]]);
    if (st->windowed && o < sizeof by / 2)
        snprintf(by + o, sizeof by - o,
                 "%s%zu left over cut into windows in birth-date and "
                 "name order",
                 o ? ", then " : "", st->windowed);
    return link_add_note(R->res, err,
                         "blocking rule '%s': %zu blocks over the cap of %zu (largest %zu "
                         "records) split by %s into %zu parts (largest %zu)",
                         link_rule_names[k], st->blocks, R->o->max_block, st->largest, by,
                         st->parts, st->largest_part);
}

/* Whether a and b have the same key under rule k (rule_key's fields,
 * compared as fields: the same test as equal keys, but for the hash's
 * one-in-2^64 collisions). */
int
link_same_key(const struct ctx *c, int k, const struct rec *a, const struct rec *b)
{
#define SAME_DAY(a, b) ((a)->year == (b)->year && (a)->month == (b)->month && (a)->day == (b)->day)
    switch (k) {
    case 0:
        return a->idlen && b->idlen && a->id12 == b->id12;
    case 1:
        return a->giv && a->giv == b->giv && a->prec == DC_DATE_DAY && b->prec == DC_DATE_DAY &&
               SAME_DAY(a, b);
    case 2:
        return a->giv && a->giv == b->giv && a->prec && b->prec && a->year == b->year &&
               FAMCLS(c, a) == FAMCLS(c, b) && MID2(c, a) == MID2(c, b);
    case 3:
        return a->giv && a->giv == b->giv && a->ward && a->ward == b->ward &&
               FAMCLS(c, a) == FAMCLS(c, b);
    case 4:
        return a->giv && a->giv == b->giv && a->nward && a->nward == b->nward &&
               FAMCLS(c, a) == FAMCLS(c, b);
    case 5:
        return a->idlen && b->idlen && a->giv && a->giv == b->giv &&
               a->id12 >> 24 == b->id12 >> 24 && FAMCLS(c, a) == FAMCLS(c, b);
    case 6:
        return a->cmndlen && b->cmndlen && a->cmnd == b->cmnd;
    case 7:
        return FAMCLS(c, a) && FAMCLS(c, a) == FAMCLS(c, b) && a->mid == b->mid &&
               a->prec == DC_DATE_DAY && b->prec == DC_DATE_DAY && SAME_DAY(a, b);
    case 8:
        return a->prec == DC_DATE_DAY && b->prec == DC_DATE_DAY && SAME_DAY(a, b) && any_ward(a) &&
               any_ward(a) == any_ward(b);
    }
    return 0;
#undef SAME_DAY
}

/* One blocking thread's scratch: room for vcap (key, record) entries (and
 * as many again inside the sort). */
struct bscratch {
    struct ki *v;
    size_t vcap;
};

/* The keys v[0, m) (all of a rule's, or one temporary file's: whole blocks
 * either way): sorted, the blocks over the cap split, each record's part
 * number kept, and the blocks of two or more appended to rule k's groups. */
static int
block_range(struct run *R, int k, struct ki *v, size_t m, int skip, struct dc_error *err)
{
    struct rule_groups *g = &R->rg[k];
    struct split_stat *st = &R->split[k];
    size_t i, j, x;

    if (hash_sort_from(v, m, skip, err))
        return -1;
    /* Blocks over the cap are split in place; every block stays contiguous,
     * its parts one after another.  Each record keeps the number of its
     * part (0 in a block not split). */
    for (i = 0; i < m; i = j) {
        uint8_t part = 0;

        for (j = i + 1; j < m && v[j].k == v[i].k; j++)
            ;
        if (j - i > R->o->max_block) {
            st->blocks++;
            if (j - i > st->largest)
                st->largest = j - i;
            split_block(R, k, v, i, j, 0, st);
        }
        if (k < KEY_COLS)
            for (x = i; x < j; x++) {
                if (x > i && v[x].k != v[x - 1].k)
                    part++; /* mod 256 */
                R->keys[(size_t)v[x].i * KEY_COLS + (size_t)k] = part;
            }
    }
    for (i = 0; i < m; i = j) {
        for (j = i + 1; j < m && v[j].k == v[i].k; j++)
            ;
        if (j - i < 2)
            continue;
        if (g->ngroups + 1 >= g->cap_start) {
            uint32_t *p = dc_grow(g->start, &g->cap_start, 4096, sizeof *p);

            if (!p)
                return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            g->start = p;
        }
        while (g->nmem + (j - i) > g->cap_mem) {
            uint32_t *p = dc_grow(g->mem, &g->cap_mem, 16384, sizeof *p);

            if (!p)
                return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            g->mem = p;
        }
        if (j - i > g->maxgroup)
            g->maxgroup = j - i;
        if (train_rule[k])
            g->upper += (unsigned long long)(j - i) * (j - i - 1) / 2;
        g->allpairs += (unsigned long long)(j - i) * (j - i - 1) / 2;
        g->start[g->ngroups++] = (uint32_t)g->nmem;
        for (x = i; x < j; x++)
            g->mem[g->nmem++] = v[x].i;
    }
    return 0;
}

/* Rule k's keys when they do not all fit the scratch (issue 21): written
 * once, each to one of nf temporary files by its top bits (the key hashes
 * are spread evenly, so each file holds about n / nf), then each file read
 * back, sorted and blocked on its own.  A block lies in one file.  Only the
 * stdio buffers stay in memory; the files live in the page cache, which
 * the kernel may drop. */
static int
block_spilled(struct run *R, int k, struct bscratch *s, struct dc_error *err)
{
    size_t n = R->c.n, i, cnt[SPILL_FILES] = {0};
    FILE *f[SPILL_FILES] = {0};
    int bits = 0, nf, j, rc = 0;

    while ((n >> bits) > s->vcap && bits < SPILL_BITS)
        bits++;
    nf = 1 << bits;
    for (j = 0; j < nf && !rc; j++)
        if (!(f[j] = tmpfile()))
            rc = dc_error_set(err, DC_EX_CANTCREAT,
                              "dedup: cannot open a temporary file for the blocking keys");
    for (i = 0; i < n && !rc; i++) {
        struct ki e;

        memset(&e, 0, sizeof e); /* the padding goes to the file too */
        e.k = link_rule_key(&R->c, k, &R->c.r[i]);
        e.i = (uint32_t)i;
        if (!e.k)
            continue;
        j = bits ? (int)(e.k >> (64 - bits)) : 0;
        if (fwrite(&e, sizeof e, 1, f[j]) != 1)
            rc = dc_error_set(err, DC_EX_IOERR,
                              "dedup: cannot write the blocking keys to a temporary file");
        cnt[j]++;
    }
    for (j = 0; j < nf && !rc; j++) {
        if (cnt[j] > s->vcap) { /* a file over the scratch: room for it */
            struct ki *v = realloc(s->v, cnt[j] * sizeof *v);

            if (!v) {
                rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
                break;
            }
            s->v = v;
            s->vcap = cnt[j];
        }
        if (fflush(f[j]) != 0 || fseek(f[j], 0, SEEK_SET) != 0 ||
            fread(s->v, sizeof *s->v, cnt[j], f[j]) != cnt[j])
            rc = dc_error_set(err, DC_EX_IOERR,
                              "dedup: cannot read the blocking keys back from a temporary file");
        else
            rc = block_range(R, k, s->v, cnt[j], bits, err);
        fclose(f[j]);
        f[j] = NULL;
    }
    for (j = 0; j < nf; j++)
        if (f[j])
            fclose(f[j]);
    return rc;
}

/* Blocks of rule k.  Writes only R->rg[k] and rule k's column of R->keys,
 * so rules build in parallel.  When every record's key fits the scratch,
 * in one go; otherwise through temporary files (block_spilled).  A block
 * lies in one file, so the blocks are the same either way; only their
 * order in the groups differs, which no result depends on (the workers'
 * sums and pairs are merged in (a,b) order). */
static int
build_rule(struct run *R, int k, struct bscratch *s, struct dc_error *err)
{
    struct rule_groups *g = &R->rg[k];
    size_t n = R->c.n, m = 0, i;

    /* a rule blocked again (a streamed run without its pair file) starts afresh */
    rule_groups_drop(g);
    memset(g, 0, sizeof *g);
    memset(&R->split[k], 0, sizeof R->split[k]);
    if (n <= s->vcap) {
        for (i = 0; i < n; i++) {
            uint64_t key = link_rule_key(&R->c, k, &R->c.r[i]);

            if (key) {
                s->v[m].k = key;
                s->v[m].i = (uint32_t)i;
                m++;
            }
        }
        if (block_range(R, k, s->v, m, 0, err))
            return -1;
    } else if (block_spilled(R, k, s, err)) {
        return -1;
    }
    if (!g->start) {
        g->start = malloc(sizeof *g->start);
        if (!g->start)
            return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    g->start[g->ngroups] = (uint32_t)g->nmem;
    /* the doubling's slack back (a realloc that fails leaves it as it is) */
    if (g->nmem && g->cap_mem > g->nmem) {
        uint32_t *p = realloc(g->mem, g->nmem * sizeof *p);

        if (p) {
            g->mem = p;
            g->cap_mem = g->nmem;
        }
    }
    return 0;
}

struct rule_worker {
    struct run *R;
    int tid, rc;
    struct dc_error err;
};

/* link_int.h */
void
link_fan_out(void *(*fn)(void *), void *args, size_t size, int n, int nthreads)
{
    pthread_t th[LINK_MAX_THREADS];
    int started[LINK_MAX_THREADS] = {0}, t;

    if (n > LINK_MAX_THREADS)
        n = LINK_MAX_THREADS;
    for (t = 1; t < n && t < nthreads; t++)
        started[t] = pthread_create(&th[t], NULL, fn, (char *)args + (size_t)t * size) == 0;
    fn(args);
    for (t = 1; t < n; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn((char *)args + (size_t)t * size);
    }
}

int
link_threads(int requested)
{
    return dc_threads(requested, LINK_MAX_THREADS);
}

size_t
link_memory(size_t requested)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    size_t half;

    if (requested)
        return requested;
    if (pages <= 0 || size <= 0)
        return DEFAULT_MEMORY;
    half = (size_t)pages / 2 * (size_t)size;
    return half < DEFAULT_MEMORY ? half : DEFAULT_MEMORY;
}

static void *
rule_worker(void *arg)
{
    struct rule_worker *w = arg;
    size_t n = w->R->c.n;
    struct bscratch s;
    int k;

    s.vcap = n < w->R->block_cap ? n : w->R->block_cap;
    s.v = malloc((s.vcap ? s.vcap : 1) * sizeof *s.v);
    if (!s.v) {
        w->rc = dc_error_set(&w->err, DC_EX_OSERR, "dedup: out of memory");
        return NULL;
    }
    for (k = w->tid; k < NRULES && !w->rc; k += w->R->block_threads)
        w->rc = build_rule(w->R, k, &s, &w->err);
    free(s.v);
    return NULL;
}

/* The scan asks, for each pair of a block, whether an earlier rule put
 * both records in one block: the same key under that rule (link_same_key,
 * on the fields) and, for a block split over the cap, the same part of
 * it.  The part is the number of the record's part within its block (0
 * when not split), a byte for each of the first KEY_COLS rules, side by
 * side: 8 bytes a record (issue 21; it was 32 for 31-bit fingerprints of
 * the final keys).  The numbers wrap past 256 parts: two parts 256 apart
 * in a block split that finely are taken as one, a pair of theirs that a
 * later rule brings together is not scored again. */
static int
build_keys(struct run *R, struct dc_error *err)
{
    size_t n = R->c.n;

    R->keys = calloc((n ? n : 1) * KEY_COLS, sizeof *R->keys);
    if (!R->keys)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    return 0;
}

/* The training pass counts a seeded sample of each training rule's pairs:
 * all of them up to TRAIN_PAIRS, else that many in expectation (a pair is
 * kept when its hash is at most the limit).  Per rule, so that a rule's
 * share is known as soon as it is blocked (the streamed scan blocks one
 * rule at a time); EM's sessions are per rule, and the prior weighs each
 * rule's counts by its own share. */
static void
set_sample(struct run *R, int k)
{
    unsigned long long up = R->rg[k].upper;

    R->sample_lim[k] = UINT64_MAX;
    R->sample_frac[k] = 1.0;
    if (train_rule[k] && up > TRAIN_PAIRS) {
        R->sample_frac[k] = (double)TRAIN_PAIRS / (double)up;
        R->sample_lim[k] = (uint64_t)(18446744073709551615.0 * R->sample_frac[k]);
    }
}

/* All rules, R->block_threads at a time (unless streamed); the samples. */
int
link_build_rules(struct run *R, struct dc_error *err)
{
    struct rule_worker w[LINK_MAX_THREADS];
    unsigned long long allpairs = 0;
    int t, k;

    if (build_keys(R, err))
        return -1;
    if (R->streamed) /* each rule is blocked when its turn in a scan comes */
        return 0;
    memset(w, 0, sizeof w);
    for (t = 0; t < R->block_threads; t++) {
        w[t].R = R;
        w[t].tid = t;
    }
    link_fan_out(rule_worker, w, sizeof w[0], R->block_threads, R->block_threads);
    for (t = 0; t < R->block_threads; t++)
        if (w[t].rc)
            return dc_error_set(err, w[t].err.status, "%s", w[t].err.msg);
    for (k = 0; k < NRULES; k++) {
        allpairs += R->rg[k].allpairs;
        set_sample(R, k);
    }
    /* A cache the blocks' pairs would overflow is dropped when full: not
     * kept at all, the training pass walks only the training rules. */
    if (allpairs > (unsigned long long)R->gc_lim * (unsigned long long)R->nthreads)
        R->gc_lim = 0;
    return 0;
}

int
link_rule_notes(struct run *R, struct dc_error *err)
{
    int k;

    for (k = 0; k < NRULES; k++) {
        if (R->rg[k].maxgroup > R->maxgroup)
            R->maxgroup = R->rg[k].maxgroup;
        R->res->nblocks_split += R->split[k].blocks;
        if (R->split[k].blocks && note_split(R, k, &R->split[k], err))
            return -1;
    }
    return 0;
}

/* Pattern index of a pair in the COUNT pass: its rule and its levels with
 * the rule's own comparisons masked, 3+3+3+2+3 bits. */
static uint32_t
pattern_index(int rule, uint32_t g)
{
    static const int shift[DC_CMP_COUNT] = {0, 3, 6, 9, 11};
    uint32_t x = (uint32_t)rule << PATTERN_BITS;
    int k;

    for (k = 0; k < DC_CMP_COUNT; k++)
        if (!(rule_mask[rule] & (1u << k)))
            x |= DC_DEDUP_LEVEL(g, k) << shift[k];
    return x;
}

/* One of nthreads workers: it takes every nthreads-th block of each rule and
 * keeps its own counts and pairs; the merge sums counts and sorts pairs by
 * (a,b), so the result does not depend on thread timing.  Worker t walks the
 * same blocks in the same order in both passes, so its cache is exactly the
 * sequence its scoring walk would produce. */
struct worker {
    struct run *R;
    int tid, nthreads, mode, failed;
    struct dc_dedup_pair *pairs;
    size_t npairs, cap, spilled; /* spilled: written to R->spill already */
    uint64_t *pattern;
    unsigned long long candidates, cand_true, rule_new[NRULES];
    struct gpair *gc; /* COUNT: filled while caching (a buffer for R->gcfile when on disk);
                         SCORE: read when given */
    size_t ngc, capgc;
    int caching, use_gc;
};

static int
push_pair(struct worker *w, uint32_t a, uint32_t b, double wt, double pr, uint32_t g)
{
    if (w->npairs + w->spilled >= MAX_KEPT_PAIRS / (size_t)w->nthreads) {
        w->failed = 2;
        return -1;
    }
    if (w->R->spill && w->npairs == SPILL_CHUNK) {
        /* one fwrite is atomic on its FILE: the workers share the file, in
         * no fixed order (the clustering sorts the pairs by (a,b)) */
        if (fwrite(w->pairs, sizeof *w->pairs, w->npairs, w->R->spill) != w->npairs) {
            w->failed = 3;
            return -1;
        }
        w->spilled += w->npairs;
        w->npairs = 0;
    }
    if (w->npairs == w->cap) {
        struct dc_dedup_pair *p = dc_grow(w->pairs, &w->cap, 1024, sizeof *p);

        if (!p)
            return -1;
        w->pairs = p;
    }
    w->pairs[w->npairs].a = a;
    w->pairs[w->npairs].b = b;
    w->pairs[w->npairs].weight = (float)wt;
    w->pairs[w->npairs].prob = (float)pr;
    w->pairs[w->npairs].gamma = g;
    w->npairs++;
    return 0;
}

/* Remember a pair for the scoring pass; when the cache is full or memory
 * runs out it is given up (it only saves work). */
static void
cache_pair(struct worker *w, uint32_t a, uint32_t b, uint32_t g)
{
    if (w->R->gcfile && w->ngc == SPILL_CHUNK) { /* one fwrite is atomic on its FILE */
        if (fwrite(w->gc, sizeof *w->gc, w->ngc, w->R->gcfile) != w->ngc)
            w->failed = 3;
        w->ngc = 0;
    }
    if (w->ngc == w->capgc) {
        size_t nc = w->capgc ? w->capgc * 2 : 65536,
               lim = w->R->gcfile ? SPILL_CHUNK : w->R->gc_lim;
        struct gpair *p;

        if (nc > lim && w->capgc < lim)
            nc = lim;
        p = nc > lim ? NULL : realloc(w->gc, nc * sizeof *p);

        if (!p) {
            free(w->gc);
            w->gc = NULL;
            w->ngc = w->capgc = 0;
            w->caching = 0;
            return;
        }
        w->gc = p;
        w->capgc = nc;
    }
    w->gc[w->ngc].a = a;
    w->gc[w->ngc].b = b;
    w->gc[w->ngc].g = g;
    w->ngc++;
}

/* The scoring pass's work on one new candidate pair.  -1: stop (failed). */
static int
score_pair(struct worker *w, int k, uint32_t a, uint32_t b, uint32_t gm)
{
    const struct run *R = w->R;
    double wt, pr;
    int idl;

    w->candidates++;
    w->rule_new[k]++;
    if (R->o->truth && R->o->truth[a] == R->o->truth[b])
        w->cand_true++;
    wt = pair_weight(&R->sc, &R->c.r[a], &R->c.r[b], gm);
    idl = id_link(&R->c.r[a], &R->c.r[b]);
    if (wt < R->keep_w && !idl) /* exp2 only for pairs near the band */
        return 0;
    pr = prob_of(wt);
    if ((pr >= R->keep_min || idl) &&
        push_pair(w, a, b, wt, pr, idl ? gm | DC_DEDUP_ID_LINK : gm)) {
        if (!w->failed)
            w->failed = 1;
        return -1;
    }
    return 0;
}

static void *
scan_worker(void *arg)
{
    struct worker *w = arg;
    struct run *R = w->R;
    int k, j;

    if (w->mode == SCAN_SCORE && w->use_gc) {
        size_t i;

        for (i = 0; i < w->ngc; i++)
            if (score_pair(w, (int)(w->gc[i].g >> 24), w->gc[i].a, w->gc[i].b,
                           w->gc[i].g & 0xFFFFFFu))
                return NULL;
        return NULL;
    }
    for (k = 0; k < NRULES; k++) {
        const struct rule_groups *g = &R->rg[k];
        size_t gi;

        if (R->only_rule >= 0 && k != R->only_rule)
            continue;
        if (w->mode == SCAN_COUNT && !train_rule[k] && !w->caching)
            continue;
        for (gi = (size_t)w->tid; gi < g->ngroups; gi += (size_t)w->nthreads) {
            uint32_t s = g->start[gi], e = g->start[gi + 1], x, y;

            /* Members are scattered records: ask for all of them at once so
             * the cache misses overlap instead of queueing. */
            for (x = s; x < e; x++) {
                __builtin_prefetch(&R->c.r[g->mem[x]]);
                if (k)
                    __builtin_prefetch(&R->keys[(size_t)g->mem[x] * KEY_COLS]);
            }
            for (x = s; x < e; x++) {
                uint32_t a = g->mem[x];
                const struct rec *ra = &R->c.r[a];
                const uint8_t *ka = &R->keys[(size_t)a * KEY_COLS];

                for (y = x + 1; y < e; y++) {
                    uint32_t b = g->mem[y], gm;
                    const struct rec *rb = &R->c.r[b];
                    const uint8_t *kb = &R->keys[(size_t)b * KEY_COLS];
                    int seen = 0, seen_train = 0, count;

                    /* COUNT: a sampled pair of a training rule is counted;
                     * while caching, a pair the scoring pass will score is
                     * kept too. */
                    count = w->mode == SCAN_COUNT && train_rule[k] &&
                            (R->sample_lim[k] == UINT64_MAX ||
                             mix64((uint64_t)a << 32 | b) <= R->sample_lim[k]);
                    if (w->mode == SCAN_COUNT && !count && !w->caching)
                        continue;
                    if (!rule_pair_ok(k, ra, rb))
                        continue;
                    /* Splink's rule: a pair belongs to the first rule that
                     * compares it (the same part of a split block: the keys
                     * are the parts' keys).  Counting asks only about the
                     * training rules. */
                    for (j = 0; j < k && !seen_train; j++)
                        if (ka[j] == kb[j] && link_same_key(&R->c, j, ra, rb) &&
                            rule_pair_ok(j, ra, rb)) {
                            seen = 1;
                            seen_train = train_rule[j];
                            if (w->mode == SCAN_SCORE)
                                break;
                        }
                    if (w->mode == SCAN_SCORE) {
                        if (!seen && score_pair(w, k, a, b, gamma_of(&R->c, ra, rb)))
                            return NULL;
                        continue;
                    }
                    if (!count && (seen || !w->caching))
                        continue;
                    gm = gamma_of(&R->c, ra, rb);
                    if (count) {
                        /* Each training session sees all its pairs (a
                         * pair with equal IDs belongs in the given-name
                         * session too); the prior counts each pair once. */
                        uint32_t pi = pattern_index(k, gm);

                        w->pattern[pi]++;
                        if (!seen_train) {
                            w->pattern[NPATTERNS + pi]++;
                            w->candidates++;
                        }
                    }
                    if (!seen && w->caching)
                        cache_pair(w, a, b, gm | (uint32_t)k << 24);
                }
            }
        }
    }
    return NULL;
}

/* The workers' counts, pairs and caches into R, after a scan. */
static int
scan_merge(struct run *R, struct worker *w, int nt, int mode, struct dc_error *err)
{
    int t, k, rc = 0;

    for (t = 0; t < nt; t++) {
        if (w[t].failed == 2) {
            rc = dc_error_set(err, DC_EX_DATAERR,
                              "dedup: over %llu pairs at or above the review band; raise "
                              "review_min or tighten blocking",
                              (unsigned long long)MAX_KEPT_PAIRS);
            goto out;
        }
        if (w[t].failed == 3) {
            rc = dc_error_set(err, DC_EX_IOERR, "dedup: cannot write pairs to a temporary file");
            goto out;
        }
        if (w[t].failed) {
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto out;
        }
        R->candidates += w[t].candidates;
        R->cand_true += w[t].cand_true;
        for (k = 0; k < NRULES; k++)
            R->rule_new[k] += w[t].rule_new[k];
        if (mode == SCAN_COUNT && t > 0) {
            size_t i;

            for (i = 0; i < 2 * NPATTERNS; i++)
                R->pattern[i] += w[t].pattern[i];
        }
    }
    if (mode == SCAN_COUNT && R->gcfile) {
        /* streamed: what is left in the buffers to the file; whole by
         * construction, the scoring pass reads it (link_scan) */
        for (t = 0; t < nt; t++) {
            if (w[t].ngc && fwrite(w[t].gc, sizeof *w[t].gc, w[t].ngc, R->gcfile) != w[t].ngc) {
                rc =
                    dc_error_set(err, DC_EX_IOERR, "dedup: cannot write pairs to a temporary file");
                goto out;
            }
            w[t].ngc = 0;
        }
    } else if (mode == SCAN_COUNT) {
        /* Every worker's cache must be whole, or the scoring pass walks the
         * blocks again. */
        R->gc_ok = 1;
        for (t = 0; t < nt; t++)
            R->gc_ok &= w[t].caching;
        for (t = 0; t < nt && R->gc_ok; t++) {
            R->gc[t] = w[t].gc;
            R->ngc[t] = w[t].ngc;
            w[t].gc = NULL;
        }
    }
    if (mode == SCAN_SCORE && R->spill) {
        /* streamed: to the temporary file, read back after the last rule */
        for (t = 0; t < nt; t++) {
            if (w[t].npairs &&
                fwrite(w[t].pairs, sizeof *w[t].pairs, w[t].npairs, R->spill) != w[t].npairs) {
                rc = dc_error_set(err, DC_EX_IOERR,
                                  "dedup: cannot write the kept pairs to a temporary file");
                goto out;
            }
            R->npairs += w[t].spilled + w[t].npairs;
        }
    } else if (mode == SCAN_SCORE) {
        /* Appended to what earlier calls kept; the first worker's array
         * becomes the whole when it is the first, each other freed once
         * copied: the kept pairs are not held twice (issue 21). */
        size_t tot = R->npairs, o;
        struct dc_dedup_pair *all;

        for (t = 0; t < nt; t++)
            tot += w[t].npairs;
        if (!R->pairs) {
            all = realloc(w[0].pairs, (tot ? tot : 1) * sizeof *all);
            if (all)
                w[0].pairs = NULL;
            o = w[0].npairs;
            t = 1;
        } else {
            all = realloc(R->pairs, (tot ? tot : 1) * sizeof *all);
            o = R->npairs;
            t = 0;
        }
        if (!all) {
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto out;
        }
        R->pairs = all;
        for (; t < nt; t++) {
            if (w[t].npairs)
                memcpy(all + o, w[t].pairs, w[t].npairs * sizeof *all);
            o += w[t].npairs;
            free(w[t].pairs);
            w[t].pairs = NULL;
        }
        R->npairs = tot;
    }
out:
    return rc;
}

static int
scan_once(struct run *R, int mode, struct dc_error *err)
{
    struct worker w[LINK_MAX_THREADS];
    int nt = R->c.n >= 20000 ? R->nthreads : 1, t, rc = 0;

    memset(w, 0, sizeof w);
    for (t = 0; t < nt; t++) {
        w[t].R = R;
        w[t].tid = t;
        w[t].nthreads = nt;
        w[t].mode = mode;
        w[t].caching = mode == SCAN_COUNT && (R->gc_lim > 0 || R->gcfile);
        if (mode == SCAN_SCORE && R->gc_ok) {
            w[t].gc = R->gc[t];
            w[t].ngc = R->ngc[t];
            w[t].use_gc = 1;
            R->gc[t] = NULL;
        }
        if (mode == SCAN_COUNT)
            w[t].pattern = t == 0 ? R->pattern : calloc(2 * NPATTERNS, sizeof *w[t].pattern);
        if (mode == SCAN_COUNT && !w[t].pattern) {
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
            goto out;
        }
    }
    link_fan_out(scan_worker, w, sizeof w[0], nt, nt);
    rc = scan_merge(R, w, nt, mode, err);
out:
    for (t = 0; t < nt; t++) {
        free(w[t].pairs);
        free(w[t].gc);
        if (t > 0)
            free(w[t].pattern);
    }
    return rc;
}

/* link_int.h */
int
link_pairs_back(struct run *R, struct dc_error *err)
{
    FILE *f = R->spill;

    R->spill = NULL;
    R->pairs = malloc((R->npairs ? R->npairs : 1) * sizeof *R->pairs);
    if (!R->pairs) {
        fclose(f);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0 ||
        fread(R->pairs, sizeof *R->pairs, R->npairs, f) != R->npairs) {
        fclose(f);
        return dc_error_set(err, DC_EX_IOERR,
                            "dedup: cannot read the kept pairs back from a temporary file");
    }
    fclose(f);
    return 0;
}

/* The streamed scoring pass when the training pass wrote every pair it
 * compared, with its levels, to R->gcfile: the pairs are weighed from the
 * file, no block is built again and no level computed again (issue 21:
 * at ten million records the second blocking of all nine rules was a
 * third of the run).  One thread: weighing is additions. */
static int
score_from_file(struct run *R, struct dc_error *err)
{
    struct worker w;
    struct gpair *buf = malloc(SPILL_CHUNK * sizeof *buf);
    size_t got, i;
    int rc = 0;

    memset(&w, 0, sizeof w);
    w.R = R;
    w.nthreads = 1;
    w.mode = SCAN_SCORE;
    if (!buf)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    if (fflush(R->gcfile) != 0 || fseek(R->gcfile, 0, SEEK_SET) != 0) {
        free(buf);
        return dc_error_set(err, DC_EX_IOERR, "dedup: cannot read pairs from a temporary file");
    }
    while (!w.failed && (got = fread(buf, sizeof *buf, SPILL_CHUNK, R->gcfile)) > 0)
        for (i = 0; i < got && !w.failed; i++)
            if (score_pair(&w, (int)(buf[i].g >> 24), buf[i].a, buf[i].b, buf[i].g & 0xFFFFFFu))
                break;
    if (ferror(R->gcfile))
        rc = dc_error_set(err, DC_EX_IOERR, "dedup: cannot read pairs from a temporary file");
    free(buf);
    fclose(R->gcfile);
    R->gcfile = NULL;
    if (!rc)
        rc = scan_merge(R, &w, 1, SCAN_SCORE, err);
    free(w.pairs);
    return rc;
}

/* link_int.h.  Resident: the blocks of all rules were built beforehand,
 * one walk over them.  Streamed (the budget holds one rule's blocks, not
 * all nine): the training pass blocks each rule in turn, walks it and lets
 * it go, writing every pair it compares to R->gcfile, which the scoring
 * pass weighs (score_from_file); without that file, the training pass
 * walks only the training rules and the scoring pass blocks all of them
 * again.  The rules come in order, so an earlier rule's part numbers are
 * there when a later one asks; the same pairs, counts and parameters. */
int
link_scan(struct run *R, int mode, struct dc_error *err)
{
    struct bscratch s;
    size_t n = R->c.n;
    int k, rc = 0;

    R->candidates = 0;
    R->cand_true = 0;
    memset(R->rule_new, 0, sizeof R->rule_new);
    if (!R->streamed) {
        R->only_rule = -1;
        return scan_once(R, mode, err);
    }
    if (mode == SCAN_SCORE && !(R->spill = tmpfile()))
        return dc_error_set(err, DC_EX_CANTCREAT,
                            "dedup: cannot open a temporary file for the kept pairs");
    if (mode == SCAN_SCORE && R->gcfile)
        return score_from_file(R, err);
    /* The training pass writes the pairs it compares to a file if it can;
     * if not, it walks only the training rules and the scoring pass blocks
     * all rules again. */
    if (mode == SCAN_COUNT)
        R->gcfile = tmpfile();
    for (k = 0; k < NRULES && !rc; k++) {
        if (mode == SCAN_COUNT && !train_rule[k] && !R->gcfile)
            continue;
        /* the sort's room only while the rule is blocked */
        s.vcap = n < R->block_cap ? n : R->block_cap;
        s.v = malloc((s.vcap ? s.vcap : 1) * sizeof *s.v);
        if (!s.v)
            rc = dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        else
            rc = build_rule(R, k, &s, err);
        free(s.v);
        if (rc)
            break;
        set_sample(R, k);
        R->only_rule = k;
        rc = scan_once(R, mode, err);
        rule_groups_drop(&R->rg[k]);
    }
    R->only_rule = -1;
    if (mode == SCAN_COUNT && R->gcfile)
        R->gc_ok = !rc; /* the scoring pass reads the file: the fingerprints can go */
    return rc;
}
