/*
 * normalize_csv.c - a CSV file's rows through dc_normalize_record: the loop of the filter
 * `dancu normalize [FILE|-]...` (each person out as a row of the person CSV) and of
 * crosscheck's `--against FILE` (each person with an ID into the comparison table).
 * Header mapping and the source name as import gives them; rows the CSV reader rejects
 * and the header row repeated by files joined with cat are no persons.
 * Not for: one record's canonical form (normalize.c), the DB pass (normalize_db.c),
 * where rejects and messages go (the command's).
 */
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "header.h"
#include "import.h"
#include "personcsv.h"

/* 1 when row a repeats the header b field for field. */
static int
same_row(const struct dc_csv_row *a, const struct dc_csv_row *b)
{
    if (a->nfields != b->nfields || a->nfields == 0)
        return 0;
    for (size_t i = 0; i < a->nfields; i++)
        if (a->lens[i] != b->lens[i] || memcmp(a->fields[i], b->fields[i], a->lens[i]) != 0)
            return 0;
    return 1;
}

int
dc_normalize_csv(const char *path, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
                 struct dc_normalize_csv_cb *cb, struct dc_error *err)
{
    struct dc_csv_opts copts = {.encoding = "auto"};
    struct dc_csv_reader *r = dc_csv_open(path, &copts, err);
    const struct dc_csv_row *h;
    struct dc_header_map *map = NULL;
    struct dc_csv_row row;
    const char *raw[DC_F_COUNT];
    char source[DC_IMPORT_SOURCE_MAX + 1];
    int rc, ret = -1;

    if (!r)
        return -1;
    h = dc_csv_header(r);
    map = calloc(h->nfields ? h->nfields : 1, sizeof *map);
    if (!map) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto out;
    }
    if (dc_header_map((const char *const *)h->fields, h->nfields, NULL, map, err) < 0)
        goto out;
    /* the same source name as import gives the file */
    if (dc_import_source_name(path, source, sizeof source) < 0) {
        dc_error_set(err, DC_EX_USAGE, "the file name is too long for a source name");
        goto out;
    }
    while ((rc = dc_csv_next(r, &row, err)) == 1) {
        struct dc_person p;
        if (row.reject) {
            /* as import: the row is not lost, it is a reject */
            if (cb->reject && cb->reject(cb->ud, path, source, &row, err) < 0)
                goto out;
            continue;
        }
        if (same_row(&row, h)) { /* the header again (files joined): no person */
            cb->header_repeats++;
            continue;
        }
        memset(raw, 0, sizeof raw);
        for (size_t i = 0; i < row.nfields && i < h->nfields; i++)
            if (map[i].field >= 0)
                raw[map[i].field] = row.fields[i];
        memset(&p, 0, sizeof p);
        p.source = source;
        p.src_row = row.rownum;
        p.src_line = row.line;
        if (dc_normalize_record(raw, o, b, &p, NULL, NULL, err) < 0)
            goto out;
        if (cb->person(cb->ud, &p, err) < 0)
            goto out;
    }
    if (rc == 0)
        ret = 0;
out:
    free(map);
    dc_csv_close(r);
    return ret;
}

/* ---- the filter: persons as rows of the person CSV ---- */

struct to_csv {
    struct dc_normalize_csv_cb *user;
    struct dc_csv_writer *w;
};

static int
person_row(void *ud, const struct dc_person *p, struct dc_error *err)
{
    struct to_csv *t = ud;
    const char *vals[64];
    char tmp[64][DC_PCOL_TMP];

    for (size_t c = 0; c < dc_pcol_count() && c < 64; c++)
        vals[c] = dc_pcol_get(p, c, tmp[c]);
    return dc_csv_write_row(t->w, vals, dc_pcol_count(), err);
}

static int
pass_reject(void *ud, const char *path, const char *source, const struct dc_csv_row *row,
            struct dc_error *err)
{
    struct to_csv *t = ud;

    return t->user->reject(t->user->ud, path, source, row, err);
}

int
dc_normalize_csv_to(const char *path, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
                    struct dc_csv_writer *w, struct dc_normalize_csv_cb *cb, struct dc_error *err)
{
    struct to_csv t = {cb, w};
    struct dc_normalize_csv_cb mine = {person_row, cb->reject ? pass_reject : NULL, &t, 0};
    int rc = dc_normalize_csv(path, o, b, &mine, err);

    cb->header_repeats += mine.header_repeats;
    return rc;
}
