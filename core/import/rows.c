/*
 * import/rows.c - the writer's walk below the header: each row a record, a reject (with
 * its raw bytes and why), a blank row or a footer line (totals, place and date,
 * signatures: skipped at the end of the file, rejects when people follow them); the
 * header repeated by files joined with cat is skipped.
 * Not for: the header itself (head.c) or a record's columns (assemble.c).
 */
#include "import_int.h"

#include "vntext.h"

/* ---- rows that are not people --------------------------------------------------------- */

/* 1 when row k of b repeats the header row (n cells) field for field. */
static int
is_header_again(const struct batch *b, size_t k, char *const *h, const size_t *hl, size_t n)
{
    const struct brow *br = &b->rows[k];

    if (br->nf != n || br->nf == 0)
        return 0;
    for (size_t i = 0; i < br->nf; i++)
        if (b->flen[br->f0 + i] != hl[i] || memcmp(b->mem + b->foff[br->f0 + i], h[i], hl[i]) != 0)
            return 0;
    return 1;
}

/* Does a word sequence start at the beginning of key or after a space? */
static const char *
word(const char *key, const char *w)
{
    size_t n = strlen(w);

    for (const char *p = strstr(key, w); p; p = strstr(p + 1, w))
        if ((p == key || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return p;
    return NULL;
}

/* The lines printed below a register's people (seen on commune forms; research/records.md
 * §5): a total ("Tổng cộng: 40 nhân khẩu", "Cộng: 12"), the place and date ("Phúc Xá, ngày
 * 15 tháng 3 năm 2025"), who signs ("Người lập biểu", "Trưởng Công an xã", "Chủ tịch UBND")
 * and how ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)").  Compared on fold keys.  Bare
 * "truong" is not a title here: it is also the family name Trương. */
static int
footer_key(const char *key)
{
    static const char *const starts[] = {
        "tong cong",      "tong so",           "xac nhan",    "chu tich",
        "truong cong an", "truong thon",       "truong ban",  "truong ap",
        "truong khu pho", "truong to dan pho", "thu truong",  "ky ten",
        "ky ghi ro",      "ky va ghi ro",      "ky dong dau", "ky ho ten",
    };
    static const char *const anywhere[] = {
        "nguoi lap", "ghi ro ho ten", "dong dau", "ky ten", "can bo lap", "ubnd",
    };
    const char *d;

    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (strncmp(key, starts[i], strlen(starts[i])) == 0)
            return 1;
    for (size_t i = 0; i < sizeof anywhere / sizeof anywhere[0]; i++)
        if (word(key, anywhere[i]))
            return 1;
    /* "Cộng: 40", "Tổng: 40" */
    if ((strncmp(key, "cong ", 5) == 0 && key[5] >= '0' && key[5] <= '9') ||
        (strncmp(key, "tong ", 5) == 0 && key[5] >= '0' && key[5] <= '9'))
        return 1;
    /* "..., ngày 15 tháng 3 năm 2025" (or with dots for the clerk to fill in) */
    if ((d = word(key, "ngay")) != NULL && (d = word(d, "thang")) != NULL && word(d, "nam"))
        return 1;
    return 0;
}

static int
footer_text(const struct batch *b, const struct brow *br)
{
    char text[512], key[1024];
    size_t len = 0;

    for (size_t c = 0; c < br->nf; c++) {
        const char *v = b->mem + b->foff[br->f0 + c];
        size_t n = b->flen[br->f0 + c];

        if (!nonblank(v, n))
            continue;
        if (len && len + 1 < sizeof text)
            text[len++] = ' ';
        if (n > sizeof text - 1 - len) {
            n = sizeof text - 1 - len;
            while (n && ((unsigned char)v[n] & 0xC0) == 0x80)
                n--; /* not inside a UTF-8 sequence */
        }
        memcpy(text + len, v, n);
        len += n;
    }
    text[len] = '\0';
    return len && dc_text_fold(text, key, sizeof key) == 0 && footer_key(key);
}

static enum rowkind
classify(struct walk *w, const struct batch *b, size_t k)
{
    const struct brow *br = &b->rows[k];
    const struct dc_import_summary *s = w->s;
    int nmapped = 0, name = 0, id = 0, dob = 0;
    size_t beyond = 0;

    if (br->reason != SIZE_MAX) {
        w->reason = b->mem + br->reason;
        return RK_REJECT;
    }
    for (size_t c = 0; c < br->nf; c++) {
        int f;

        if (!nonblank(b->mem + b->foff[br->f0 + c], b->flen[br->f0 + c]))
            continue;
        if (c >= s->ncols) {
            if (!beyond)
                beyond = c + 1;
            continue;
        }
        if ((f = s->map[c].field) < 0)
            continue;
        nmapped++;
        name |= is_name_field(f);
        id |= f == DC_F_ID_NUMBER || f == DC_F_CMND;
        dob |= f == DC_F_DOB;
    }
    if (!id && nmapped <= 2 && footer_text(b, br)) {
        w->in_footer = 1;
        return RK_FOOTER;
    }
    if (nmapped == 0 && !beyond)
        return RK_BLANK;
    if (w->in_footer && nmapped < 3 && !id && !dob)
        return RK_FOOTER; /* the signers' names under "Người lập biểu" and the chief's title */
    if (!w->workbook && br->nf != s->ncols) {
        snprintf(w->why, sizeof w->why, "ragged row: %zu fields, header has %zu", br->nf, s->ncols);
        w->reason = w->why;
        return RK_REJECT;
    }
    if (beyond) {
        snprintf(w->why, sizeof w->why, "a value in column %zu, right of the header's last",
                 beyond);
        w->reason = w->why;
        return RK_REJECT;
    }
    if (!name && !id) {
        w->reason = "no name and no ID";
        return RK_REJECT;
    }
    return RK_RECORD;
}

/* The held-back footer rows were not the end after all: they become rejects. */
static int
flush_pending(struct walk *w, struct dc_error *err)
{
    int rc = 0;

    for (size_t i = 0; i < w->npend; i++) {
        struct pend *q = &w->pend[i];

        if (rc == 0) {
            rc = import_insert_reject(w->db, w->st, w->batch, w->s->source, w->path, q->rownum,
                                      q->line, "a total or signature line with people below it",
                                      q->raw, q->raw_len, err);
            w->s->rejected += rc == 0;
        }
        free(q->raw);
    }
    w->npend = 0;
    w->in_footer = 0;
    return rc;
}

static int
hold_footer(struct walk *w, const struct batch *b, size_t k, struct dc_error *err)
{
    const struct brow *br = &b->rows[k];
    struct pend *q;

    if (w->npend == MAX_PENDING && flush_pending(w, err) < 0)
        return -1;
    if (!w->pend && !(w->pend = calloc(MAX_PENDING, sizeof *w->pend)))
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    q = &w->pend[w->npend];
    q->rownum = br->rownum;
    q->line = br->line;
    q->raw_len = br->raw_len;
    q->raw = malloc(br->raw_len + 1);
    if (!q->raw)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    memcpy(q->raw, b->mem + br->raw, br->raw_len);
    w->npend++;
    return 0;
}

/* Insert, reject or skip rows from .. b->nrows - 1 of b. */
static int
drain(struct walk *w, const struct batch *b, size_t from, struct dc_error *err)
{
    struct dc_import_summary *s = w->s;
    size_t good[MULTI_ROWS], ngood = 0;
    size_t want = w->st->multi ? w->st->multi : 1;
    int rc = 0;

    for (size_t k = from; k < b->nrows && rc == 0; k++) {
        const struct brow *br = &b->rows[k];

        if (br->reason == SIZE_MAX && is_header_again(b, k, w->hcells, w->hlens, w->hn)) {
            /* files joined with cat: the header again is no person (issue 19) */
            s->header_repeats++;
            continue;
        }
        s->rows_read++;
        switch (classify(w, b, k)) {
        case RK_BLANK:
            s->skipped_blank++;
            break;
        case RK_FOOTER:
            rc = hold_footer(w, b, k, err);
            break;
        case RK_REJECT:
            rc = import_insert_reject(w->db, w->st, w->batch, s->source, w->path, br->rownum,
                                      br->line, w->reason, b->mem + br->raw, br->raw_len, err);
            s->rejected += rc == 0;
            break;
        case RK_RECORD:
            if (w->npend && (rc = flush_pending(w, err)) < 0)
                break;
            w->in_footer = 0;
            /* good rows wait for a full statement; rejects go to their own table, so
             * the src_row ids come out as with one insert per row */
            good[ngood++] = k;
            if (ngood == want) {
                rc = import_insert_rows(w->db, w->st, w->batch, b, good, ngood, s, &w->extra, err);
                s->imported += rc == 0 ? (long)ngood : 0;
                ngood = 0;
            }
            break;
        }
        if (w->o->progress && s->rows_read % PROGRESS_EVERY == 0)
            w->o->progress(w->o->progress_ud, b->bytes, s->rows_read);
    }
    if (rc == 0 && ngood) { /* before the reader may reuse the batch */
        rc = import_insert_rows(w->db, w->st, w->batch, b, good, ngood, s, &w->extra, err);
        s->imported += rc == 0 ? (long)ngood : 0;
    }
    return rc;
}

/* Insert every row of the file after the header rows (skip: the rows of the first batch
 * up to the first data row): 0 at its end, -1 with err set. */
int
import_rows(struct walk *w, struct pipe *p, size_t skip, struct dc_error *err)
{
    int rc = 0;

    p->s = w->s;
    /* the first batch is there already (import_pipe_open); the reader goes on with the
     * next, on a thread unless that batch was the last */
    dc_relay_start(&p->relay);
    for (;;) {
        int i = dc_relay_take(&p->relay);

        if (i < 0) { /* the reader always ends on a last batch */
            rc = dc_error_set(err, DC_EX_SOFTWARE, "import: the reader ended early");
            break;
        }
        struct batch *b = &p->b[i];
        int last = b->last;

        rc = drain(w, b, skip, err);
        skip = 0;
        dc_relay_give(&p->relay);
        if (rc < 0 || last)
            break;
    }
    dc_relay_stop(&p->relay);
    /* after the join: p->rc and p->err are the reader's last word */
    if (rc == 0 && p->rc < 0) {
        *err = p->err;
        rc = -1;
    }
    if (rc == 0) { /* footer rows after the last person: skipped */
        w->s->skipped_footer += (long)w->npend;
        for (size_t i = 0; i < w->npend; i++)
            free(w->pend[i].raw);
        w->npend = 0;
    }
    return rc;
}
