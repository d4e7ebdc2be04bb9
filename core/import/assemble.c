/*
 * import/assemble.c - the mapping applied to a record: its values into the fields (IDs by
 * their digits, a split Nam | Nữ pair into sex and birth date), the rest into extra as
 * JSON, bound as src_row parameters and inserted many rows to a statement.
 * Not for: deciding what is a record (rows.c).
 */
#include "import_int.h"

#include <ctype.h>

/* ---- the mapping applied to a row ----------------------------------------------------- */

struct val {
    const char *p;
    size_t n;
};

static int
blank_val(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return 0;
    return 1;
}

/* The same ID written twice (digits compared, separators ignored). */
static int
same_id(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isdigit((unsigned char)*a))
            a++;
        while (*b && !isdigit((unsigned char)*b))
            b++;
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++, b++;
    }
}

/* dc_header_id_kind, with the common case (12 or 9 bare digits) first */
static int
id_kind(const char *v, size_t n)
{
    if (n == 12 || n == 9) {
        size_t k = 0;
        while (k < n && v[k] >= '0' && v[k] <= '9')
            k++;
        if (k == n)
            return (int)n;
    }
    return dc_header_id_kind(v);
}

/* Put the value of ID column c into its field: by its digits (kind 12 or 9), else (kind 0)
 * the field its header says.  Returns 1 for a second, different number (kept in extra;
 * the first such 12-digit one noted in *spare), 0 otherwise. */
static int
place_id(struct stmts *st, struct val *vals, size_t c, const char *v, size_t n, int kind,
         int header_field, size_t *spare)
{
    int f = kind == 12 ? DC_F_ID_NUMBER : kind == 9 ? DC_F_CMND : header_field;

    if (!vals[f].p) {
        vals[f] = (struct val){v, n};
        return 0;
    }
    if (same_id(vals[f].p, v))
        return 0;
    st->to_extra[c] = 1;
    if (kind == 12 && *spare == SIZE_MAX)
        *spare = c;
    /* a note ("chưa cấp") beside an ID is kept, not a conflict */
    return kind != 0 || strpbrk(v, "0123456789") != NULL;
}

/* A tick in a Nam | Nữ column that carries no date: "x", "X", "✓", "v", "1". */
static int
is_mark(const char *p, size_t n)
{
    while (n && (*p == ' ' || p[n - 1] == ' '))
        *p == ' ' ? (p++, n--) : n--;
    return (n == 1 && strchr("xXvV1*+", *p)) || (n == 3 && memcmp(p, "\xE2\x9C\x93", 3) == 0);
}

static void
note(long *count, long *first, long line)
{
    if ((*count)++ == 0)
        *first = line;
}

/*
 * The field values of row i of b (vals[f], NULL when none) and which columns go to
 * extra (st->to_extra).  Columns of the personal ID and the old CMND are routed by
 * their content: 12 digits to id_number, 9 to cmnd, whatever the header; a value that
 * is neither goes where its header says.  A second, different value for a field goes
 * to extra and is counted (id_conflict).  A split Nam | Nữ pair gives the sex from the
 * filled column and the birth date from its value; both filled (values to extra) or
 * neither is counted.
 */
static void
assemble(struct stmts *st, struct dc_import_summary *s, const struct batch *b, size_t i,
         struct val *vals)
{
    const struct brow *br = &b->rows[i];
    size_t nc = s->ncols < br->nf ? s->ncols : br->nf;
    const size_t *split = st->split;
    int conflict = 0;

#define V(c) (b->mem + b->foff[br->f0 + (c)])
#define L(c) (b->flen[br->f0 + (c)])
    for (int k = 0; k < st->nfields; k++) /* only these are read (bind_row) */
        vals[st->fields[k]] = (struct val){NULL, 0};
    memcpy(st->to_extra, st->unmapped, s->ncols);
    for (size_t k = 0; k < st->nplain; k++) {
        size_t c = st->plain[k];
        if (c < nc && L(c))
            vals[s->map[c].field] = (struct val){V(c), L(c)};
    }
    if (st->nids) {
        size_t spare = SIZE_MAX; /* a second, different 12-digit number */
        size_t later[16], nlater = 0;
        /* first the values whose digits say what they are, then the others */
        for (size_t k = 0; k < st->nids; k++) {
            size_t c = st->ids[k];
            int kind;
            if (c >= nc || !L(c))
                continue;
            kind = id_kind(V(c), L(c));
            if (kind)
                conflict |= place_id(st, vals, c, V(c), L(c), kind, -1, &spare);
            else if (nlater < sizeof later / sizeof later[0])
                later[nlater++] = c;
            else
                st->to_extra[c] = 1; /* a seventeenth ID column: kept, not placed */
        }
        for (size_t k = 0; k < nlater; k++) {
            size_t c = later[k];
            if (!blank_val(V(c), L(c)))
                conflict |= place_id(st, vals, c, V(c), L(c), 0, s->map[c].field, &spare);
        }
        /* with no 9-digit CMND, a second 12-digit number stays in src_row as a 12-digit
         * CMND (2012-2015 cards): crosscheck then says CMND_ID12_DIFFERS on the record */
        if (spare != SIZE_MAX && !vals[DC_F_CMND].p) {
            vals[DC_F_CMND] = (struct val){V(spare), L(spare)};
            st->to_extra[spare] = 0;
        }
        if (conflict)
            note(&s->id_conflict, &s->id_conflict_line, br->line);
    }
    if (split[0] < nc && split[1] < nc) {
        int m = !blank_val(V(split[0]), L(split[0])), w = !blank_val(V(split[1]), L(split[1]));
        if (m && w) {
            st->to_extra[split[0]] = st->to_extra[split[1]] = 1;
            note(&s->split_both, &s->split_both_line, br->line);
        } else if (!m && !w) {
            if (!vals[DC_F_SEX].p)
                note(&s->split_none, &s->split_none_line, br->line);
        } else {
            size_t c = split[!m];
            const char *v = V(c);
            if (!vals[DC_F_SEX].p)
                vals[DC_F_SEX] = m ? (struct val){"Nam", 3} : (struct val){"Nữ", strlen("Nữ")};
            if (strpbrk(v, "0123456789") && !is_mark(v, L(c))) {
                if (!vals[DC_F_DOB].p)
                    vals[DC_F_DOB] = (struct val){v, L(c)};
                else
                    st->to_extra[c] = 1; /* a birth-date column has its own: keep this one */
            } else if (!is_mark(v, L(c))) {
                st->to_extra[c] = 1;
            }
        }
    }
#undef V
#undef L
}

/* Row i of b as the src_row parameters base + 1 .. base + nparam.  SQLITE_STATIC: the
 * values stay in the batch until the statement has run; the statement keeps the pointers
 * afterwards, but every parameter is bound again before each run. */
static void
bind_row(sqlite3_stmt *q, int base, long long batch, const struct stmts *st, const struct batch *b,
         size_t i, const struct val *vals, const char *extra, size_t extra_len)
{
    const struct brow *br = &b->rows[i];
    int param = base + FIELD_PARAM;

    sqlite3_bind_int64(q, base + 1, batch);
    sqlite3_bind_int64(q, base + 2, br->rownum - st->shift);
    sqlite3_bind_int64(q, base + 3, br->line);
    if (extra_len)
        sqlite3_bind_text(q, base + 4, extra, (int)extra_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, base + 4);
    for (int k = 0; k < st->nfields; k++) {
        int f = st->fields[k];
        /* lengths given: no strlen per value inside SQLite (a field is at most max_field
         * bytes, far below 2 GiB) */
        if (vals[f].n)
            sqlite3_bind_text(q, param++, vals[f].p, (int)vals[f].n, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, param++);
    }
}

/* The non-empty values of row i that go to extra (st->to_extra) as a JSON object appended
 * to extra (nothing when there are none); its offset and length in *off, *len. */
static int
build_extra(const struct stmts *st, const struct batch *b, size_t i,
            const struct dc_import_summary *s, struct dc_buf *extra, size_t *off, size_t *len,
            struct dc_error *err)
{
    const struct brow *br = &b->rows[i];
    size_t start = extra->len;
    int nextra = 0;

    for (size_t c = 0; c < s->ncols && c < br->nf; c++) {
        if (!st->to_extra[c] || b->flen[br->f0 + c] == 0)
            continue;
        dc_buf_puts(extra, nextra++ ? ", " : "{");
        dc_buf_add(extra, st->keys[c], st->keylen[c]);
        dc_json_str(extra, b->mem + b->foff[br->f0 + c]);
    }
    if (nextra)
        dc_buf_putc(extra, '}');
    if (extra->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    *off = start;
    *len = extra->len - start;
    return 0;
}

static int
step_insert(struct dc_db *db, sqlite3_stmt *q, struct dc_error *err)
{
    int rc = sqlite3_step(q);

    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "insert src_row", err);
    return 0;
}

/* Insert the good rows idx[0 .. n-1] of b (n <= MULTI_ROWS): one statement when they fill
 * the multi-row one, else row by row. */
int
import_insert_rows(struct dc_db *db, struct stmts *st, long long batch, const struct batch *b,
                   const size_t *idx, size_t n, struct dc_import_summary *s, struct dc_buf *extra,
                   struct dc_error *err)
{
    size_t off[MULTI_ROWS], len[MULTI_ROWS];
    struct val vals[MULTI_ROWS][DC_F_COUNT];

    dc_buf_reset(extra);
    for (size_t r = 0; r < n; r++) {
        assemble(st, s, b, idx[r], vals[r]);
        if (build_extra(st, b, idx[r], s, extra, &off[r], &len[r], err) < 0)
            return -1;
    }
    /* from here the buffer does not move: pointers into it can be bound */
    if (st->multi && n == st->multi) {
        for (size_t r = 0; r < n; r++)
            bind_row(st->rows, (int)r * st->nparam, batch, st, b, idx[r], vals[r],
                     dc_buf_str(extra) + off[r], len[r]);
        return step_insert(db, st->rows, err);
    }
    for (size_t r = 0; r < n; r++) {
        bind_row(st->row, 0, batch, st, b, idx[r], vals[r], dc_buf_str(extra) + off[r], len[r]);
        if (step_insert(db, st->row, err) < 0)
            return -1;
    }
    return 0;
}
