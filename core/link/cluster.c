/*
 * link/cluster.c - clusters from the scored pairs: union-find in
 * probability order with cannot-link checks on whole components (IDs, sex,
 * birth years), the smallest member as the cluster id.  Not for: which
 * pairs are scored (block.c), review bands (cmd/dedup.c).
 */
#include "link_int.h"
#include "../vnid.h"

#include <stdlib.h>
#include <string.h>

/* ---- clustering --------------------------------------------------------- */

struct uf {
    uint32_t *parent, *size;
    uint64_t *id; /* id12 + 1 of the component, 0 = none */
    char *sex;    /* 'M', 'F', 0, or 'X' when an ID joined both */
    uint16_t *ymin, *ymax;
};

/* A birth year the record's own valid ID contradicts (the century/sex digit and the
 * year's last two digits, decoded by vnid's dc_id12_parse: one home for the law's
 * table): one of the two was typed wrong, so that year is no evidence for the
 * cannot-link rule.  Once per record, when the clustering starts. */
static int
year_against_id(const struct rec *r)
{
    struct dc_id12 id;
    char s[13];

    if (r->idlen != 12 || (r->id12 & ID_PREFIX_UNKNOWN))
        return 0;
    for (int i = 0; i < 12; i++)
        s[i] = (char)('0' + ((r->id12 >> (4 * (11 - i))) & 0xF));
    s[12] = '\0';
    return dc_id12_parse(s, &id, NULL) == 0 && r->year != id.century + id.yy;
}

/* Components a and b (id12 + 1, 0 = none) hold two IDs no typo explains. */
static int
ids_conflict(uint64_t a, uint64_t b)
{
    if (!a || !b || a == b)
        return 0;
    return !ids_near(a - 1, b - 1);
}

static uint32_t
uf_find(struct uf *u, uint32_t x)
{
    uint32_t r = x;

    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) {
        uint32_t nx = u->parent[x];

        u->parent[x] = r;
        x = nx;
    }
    return r;
}

/* A float's order as an unsigned integer's: positive floats keep their bit
 * order above the negative ones, whose order flips.  -0 counts as +0, as
 * a float compare has it. */
static uint32_t
float_key(float f)
{
    uint32_t u;

    if (f == 0)
        f = 0;
    memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

/* R->pairs sorted by (a,b) (each pair is there once), by a stable radix
 * sort on a<<32|b: over half a million pairs a comparison sort through a
 * function pointer cost a quarter of a second. */
int
link_sort_pairs_ab(struct run *R, struct dc_error *err)
{
    struct ki *v;
    struct dc_dedup_pair *sorted;
    size_t i, n = R->npairs;

    if (n < 2)
        return 0;
    v = malloc(n * sizeof *v);
    sorted = malloc(n * sizeof *sorted);
    if (!v || !sorted) {
        free(v);
        free(sorted);
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    }
    for (i = 0; i < n; i++) {
        v[i].k = (uint64_t)R->pairs[i].a << 32 | R->pairs[i].b;
        v[i].i = (uint32_t)i;
    }
    if (link_radix_sort(v, n, err)) {
        free(v);
        free(sorted);
        return -1;
    }
    for (i = 0; i < n; i++)
        sorted[i] = R->pairs[v[i].i];
    free(v);
    free(R->pairs);
    R->pairs = sorted;
    return 0;
}

/* The merge order of link_cluster(): probability, then weight, descending, ties
 * in (a,b) order.  R->pairs is already in (a,b) order and the radix sort is
 * stable, so one 64-bit key (both floats, flipped for descending) is the
 * whole comparison. */
static int
merge_order(const struct run *R, uint32_t *order, size_t ne, struct dc_error *err)
{
    struct ki *v;
    size_t i;

    if (ne < 2)
        return 0;
    v = malloc(ne * sizeof *v);
    if (!v)
        return dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
    for (i = 0; i < ne; i++) {
        const struct dc_dedup_pair *e = &R->pairs[order[i]];

        v[i].k = ~((uint64_t)float_key(e->prob) << 32 | float_key(e->weight));
        v[i].i = order[i];
    }
    if (link_radix_sort(v, ne, err)) {
        free(v);
        return -1;
    }
    for (i = 0; i < ne; i++)
        order[i] = v[i].i;
    free(v);
    return 0;
}

/* Union-find in merge order; R->pairs must be sorted by (a,b). */
int
link_cluster(struct run *R, struct dc_error *err)
{
    size_t n = R->c.n, i, ne = 0;
    struct uf u;
    uint32_t *order = NULL, *rep;
    int rc = -1;

    memset(&u, 0, sizeof u);
    u.parent = malloc((n ? n : 1) * sizeof *u.parent);
    u.size = malloc((n ? n : 1) * sizeof *u.size);
    u.id = malloc((n ? n : 1) * sizeof *u.id);
    u.sex = malloc(n ? n : 1);
    u.ymin = malloc((n ? n : 1) * sizeof *u.ymin);
    u.ymax = malloc((n ? n : 1) * sizeof *u.ymax);
    R->res->cluster = malloc((n ? n : 1) * sizeof *R->res->cluster);
    if (!u.parent || !u.size || !u.id || !u.sex || !u.ymin || !u.ymax || !R->res->cluster) {
        dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const struct rec *r = &R->c.r[i];

        u.parent[i] = (uint32_t)i;
        u.size[i] = 1;
        u.id[i] = r->idlen ? r->id12 + 1 : 0;
        u.sex[i] = r->sex;
        u.ymin[i] = u.ymax[i] = r->prec && !year_against_id(r) ? r->year : 0;
    }
    /* What the merges ask of a record is in u now: the records and their
     * string tables make room for the sort (issue 21: at ten million records
     * they were the clustering's peak). */
    link_ctx_free(&R->c);
    if ((R->spill && link_pairs_back(R, err)) || link_sort_pairs_ab(R, err))
        goto out;
    order = malloc((R->npairs ? R->npairs : 1) * sizeof *order);
    if (!order) {
        dc_error_set(err, DC_EX_OSERR, "dedup: out of memory");
        goto out;
    }
    for (i = 0; i < R->npairs; i++)
        if (R->pairs[i].prob >= R->o->threshold || (R->pairs[i].gamma & DC_DEDUP_ID_LINK))
            order[ne++] = (uint32_t)i;
    if (merge_order(R, order, ne, err))
        goto out;
    for (i = 0; i < ne; i++) {
        const struct dc_dedup_pair *e = &R->pairs[order[i]];
        uint32_t ra = uf_find(&u, e->a), rb = uf_find(&u, e->b), t;
        int id_equal = DC_DEDUP_LEVEL(e->gamma, DC_CMP_ID) == 1;

        if (ra == rb)
            continue;
        /* Cannot-link on whole components (research/dedup.md §B.6 point 3).
         * IDs one digit apart are a typo, not two people: the ID comparison
         * has a level for them. */
        if (ids_conflict(u.id[ra], u.id[rb]) ||
            (!id_equal && (u.sex[ra] == 'M' || u.sex[ra] == 'F') &&
             (u.sex[rb] == 'M' || u.sex[rb] == 'F') && u.sex[ra] != u.sex[rb]) ||
            (u.ymin[ra] && u.ymin[rb] &&
             (u.ymax[ra] > u.ymax[rb] ? u.ymax[ra] : u.ymax[rb]) -
                     (u.ymin[ra] < u.ymin[rb] ? u.ymin[ra] : u.ymin[rb]) >
                 MAX_YEAR_SPREAD)) {
            R->res->refused_merges++;
            continue;
        }
        if (u.size[ra] < u.size[rb]) {
            t = ra;
            ra = rb;
            rb = t;
        }
        u.parent[rb] = ra;
        u.size[ra] += u.size[rb];
        if (!u.id[ra])
            u.id[ra] = u.id[rb];
        if (!u.sex[ra])
            u.sex[ra] = u.sex[rb];
        else if (u.sex[rb] && u.sex[rb] != u.sex[ra])
            u.sex[ra] = 'X';
        if (!u.ymin[ra]) {
            u.ymin[ra] = u.ymin[rb];
            u.ymax[ra] = u.ymax[rb];
        } else if (u.ymin[rb]) {
            if (u.ymin[rb] < u.ymin[ra])
                u.ymin[ra] = u.ymin[rb];
            if (u.ymax[rb] > u.ymax[ra])
                u.ymax[ra] = u.ymax[rb];
        }
    }
    /* Representative: the smallest index in the component, found in index
     * order so it does not depend on which root union-by-size picked. */
    rep = u.size; /* reuse: root -> representative */
    for (i = 0; i < n; i++)
        rep[i] = UINT32_MAX;
    for (i = 0; i < n; i++) {
        uint32_t r = uf_find(&u, (uint32_t)i);

        if (rep[r] == UINT32_MAX)
            rep[r] = (uint32_t)i;
        R->res->cluster[i] = rep[r];
    }
    rc = 0;
out:
    free(u.parent);
    free(u.size);
    free(u.id);
    free(u.sex);
    free(u.ymin);
    free(u.ymax);
    free(order);
    return rc;
}
