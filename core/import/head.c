/*
 * import/head.c - the header: the row among the first that names the most fields (or
 * --header-row), a second header row under it (sub-columns, column numbers), the columns
 * mapped by header text, --map and content; a file whose first row is data is refused.
 * Not for: the aliases themselves (header.c).
 */
#include "import_int.h"

/* ---- the header ---------------------------------------------------------------------- */

/* 1 when no column is named by its header text (alias, cleaned, --map) and some header
 * cell is not a generic one ("Cột 5", a number, empty): the row is not a header but data. */
static int
looks_like_data(const struct dc_import_summary *s)
{
    int generic = 1;

    for (size_t i = 0; i < s->ncols; i++) {
        enum dc_header_how how = s->map[i].how;
        if (how == DC_HDR_ALIAS || how == DC_HDR_CLEANED || how == DC_HDR_MAP)
            return 0;
        generic = generic && dc_header_generic(s->headers[i]);
    }
    return !generic;
}

/* How header-like row k of b is: header.c's score (aliases, cleaned aliases), or the
 * columns the --map file names when that is more. */
static int
header_score(const struct batch *b, size_t k, const struct dc_mapfile *map, const char **cells,
             struct dc_header_map *out)
{
    const struct brow *br = &b->rows[k];
    struct dc_error e = DC_ERROR_INIT;
    int n = 0, sc;

    for (size_t c = 0; c < br->nf; c++)
        cells[c] = b->mem + b->foff[br->f0 + c];
    sc = dc_header_score(cells, br->nf);
    if (map && dc_header_map(cells, br->nf, map, out, &e) == 0)
        for (size_t c = 0; c < br->nf; c++)
            n += out[c].how == DC_HDR_MAP && out[c].field >= 0;
    return n > sc ? n : sc;
}

/* Is row k + 1 of b a second header row (sub-columns, or column numbers) under row k?
 * cells: room for the widest row, twice. */
static int
sub_row(const struct batch *b, size_t k, const char **cells)
{
    const struct brow *t = &b->rows[k], *u = &b->rows[k + 1];

    for (size_t c = 0; c < t->nf; c++)
        cells[c] = b->mem + b->foff[t->f0 + c];
    for (size_t c = 0; c < u->nf; c++)
        cells[t->nf + c] = b->mem + b->foff[u->f0 + c];
    return dc_header_subrow(cells, t->nf, cells + t->nf, u->nf) != DC_SUBROW_NONE;
}

/* The header among the first rows (the first batch, read before anything is inserted):
 * the row of the first HEADER_SCAN whose cells name the most fields, at least two, the
 * first of equals; or the row --header-row names; or, when no row names two fields, the
 * first row with a value (what a plain CSV file has).  *hdr = its index in b. */
int
import_find_header(const struct batch *b, const struct dc_import_opts *o, const char *path,
                   size_t *hdr, struct dc_error *err)
{
    const char **cells;
    struct dc_header_map *out;
    size_t best = SIZE_MAX, first = SIZE_MAX, maxnf = 0;
    int best_score = 1;

    for (size_t k = 0; k < b->nrows; k++)
        if (b->rows[k].nf > maxnf)
            maxnf = b->rows[k].nf;
    cells = calloc(2 * maxnf + 1, sizeof *cells);
    out = calloc(maxnf + 1, sizeof *out);
    if (!cells || !out) {
        free(cells);
        free(out);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    for (size_t k = 0; k < b->nrows && (o->header_row || k < HEADER_SCAN); k++) {
        const struct brow *br = &b->rows[k];
        int sc, any = 0;

        if (br->reason != SIZE_MAX)
            continue;
        if (o->header_row) {
            if (br->line == o->header_row)
                best = k;
            continue;
        }
        for (size_t c = 0; c < br->nf && !any; c++)
            any = nonblank(b->mem + b->foff[br->f0 + c], b->flen[br->f0 + c]);
        if (any && first == SIZE_MAX)
            first = k;
        sc = header_score(b, k, o->map, cells, out);
        if (sc > 0 && k + 1 < b->nrows && b->rows[k + 1].reason == SIZE_MAX && sub_row(b, k, cells))
            /* "Năm sinh" over "Nam" | "Nữ": the group row and its sub-columns are one
             * header, which starts at the group row */
            sc += header_score(b, k + 1, o->map, cells, out);
        if (sc > best_score) {
            best = k;
            best_score = sc;
        }
    }
    free(cells);
    free(out);
    if (best == SIZE_MAX && !o->header_row)
        best = first;
    if (best != SIZE_MAX) {
        *hdr = best;
        return 0;
    }
    if (o->header_row)
        return dc_error_at(err, DC_EX_DATAERR, path, 0, NULL,
                           "--header-row %ld: no such row among the first %zu, or it cannot "
                           "be read",
                           o->header_row, b->nrows);
    if (b->nrows && b->rows[0].reason != SIZE_MAX) {
        /* a refused header is not stored: the reason's note on raw bytes kept does not
         * apply (issue 19) */
        const char *why = b->mem + b->rows[0].reason, *kept = strstr(why, "; raw bytes kept");

        return dc_error_at(err, DC_EX_DATAERR, path, b->rows[0].line, NULL, "header: %.*s",
                           kept ? (int)(kept - why) : (int)strlen(why), why);
    }
    return dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "no header record (empty input)");
}

/*
 * Map the columns: the header row, combined with a second header row when the first
 * rows hold one (merged cells: "Năm sinh" over "Nam" | "Nữ") and past a row of column
 * numbers; then columns whose header says nothing, by what the first batch holds; then
 * which person fields no column gives.  hdr: the header's row in b; *skip: the first row
 * of b below the header.
 */
int
import_map_columns(const struct batch *b, size_t hdr, const struct dc_mapfile *map,
                   struct dc_import_summary *s, size_t *skip, struct dc_error *err)
{
    const struct brow *hb = &b->rows[hdr];
    const char **hcells = calloc(hb->nf + 1, sizeof *hcells);
    const char *const *top = hcells;
    size_t n = hb->nf;
    char **comb = NULL, **cells = NULL;
    struct dc_header_sniff *sniff = NULL;
    int rc = -1;

    if (!hcells)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (size_t c = 0; c < hb->nf; c++)
        hcells[c] = b->mem + b->foff[hb->f0 + c];
    *skip = hdr + 1;
    s->header_rows = 1;
    for (int k = 0; k < 2 && *skip < b->nrows; k++) {
        const struct brow *br = &b->rows[*skip];
        int kind;

        if (br->reason != SIZE_MAX)
            break;
        free(cells);
        cells = calloc(br->nf ? br->nf : 1, sizeof *cells);
        if (!cells)
            goto oom;
        for (size_t c = 0; c < br->nf; c++)
            cells[c] = b->mem + b->foff[br->f0 + c];
        kind = comb ? DC_SUBROW_NONE : dc_header_subrow(top, n, (const char *const *)cells, br->nf);
        if (comb &&
            dc_header_subrow(top, n, (const char *const *)cells, br->nf) == DC_SUBROW_NUMBERS)
            kind = DC_SUBROW_NUMBERS;
        if (kind == DC_SUBROW_NONE)
            break;
        (*skip)++;
        s->header_rows++;
        if (kind == DC_SUBROW_NUMBERS)
            break;
        size_t nn = n > br->nf ? n : br->nf;
        comb = calloc(nn, sizeof *comb);
        if (!comb || dc_header_combine(top, n, (const char *const *)cells, br->nf, comb, err) < 0)
            goto fail;
        top = (const char *const *)comb;
        n = nn;
    }
    s->ncols = n;
    s->headers = calloc(n ? n : 1, sizeof *s->headers);
    s->map = calloc(n ? n : 1, sizeof *s->map);
    sniff = calloc(n ? n : 1, sizeof *sniff);
    if (!s->headers || !s->map || !sniff)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        s->headers[i] = strdup(top[i] ? top[i] : "");
        if (!s->headers[i])
            goto oom;
    }
    if (dc_header_map((const char *const *)s->headers, n, map, s->map, err) < 0)
        goto fail;
    for (size_t r = *skip; r < b->nrows; r++) {
        const struct brow *br = &b->rows[r];
        for (size_t c = 0; br->reason == SIZE_MAX && c < n && c < br->nf; c++)
            if (s->map[c].field < 0)
                dc_header_sniff_add(&sniff[c], b->mem + b->foff[br->f0 + c]);
    }
    dc_header_by_content((const char *const *)s->headers, s->map, sniff, n);
    s->nmissing = dc_header_missing(s->map, n, s->missing, sizeof s->missing);
    if (looks_like_data(s)) {
        /* A file without a header row: its first person would be taken for the header,
         * printed on stderr as column names and be neither record nor reject (issue 19). */
        dc_error_at(err, DC_EX_DATAERR, NULL, hb->line, NULL,
                    "the first row names no column dancu knows and looks like data (a file "
                    "without a header row?): nothing imported; add a header row, or name "
                    "the columns with --map FILE");
        goto fail;
    }
    rc = 0;
    goto fail;
oom:
    dc_error_set(err, DC_EX_OSERR, "out of memory");
fail:
    if (comb)
        for (size_t i = 0; i < n; i++)
            free(comb[i]);
    free(comb);
    free(cells);
    free(sniff);
    free(hcells);
    return rc;
}
