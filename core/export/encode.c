/*
 * export/encode.c - one row out: fetched from SQLite once per value, PII replaced by
 * pseudonyms, encoded as CSV (RFC 4180, --excel), JSONL, PostgreSQL COPY text or SQL
 * INSERT into one batch buffer written a MiB at a time; the records view's unit names
 * looked up by code; the gzip stream the encoders may write through.
 * Not for: which rows (views.c, survivors.c) or where they go (write.c, util/atomic.c).
 */
#include "export_int.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "utf8.h"
#include "util/hex.h"

/* Encoded rows collect in one buffer that goes to the stream when it holds this much:
 * one fwrite per MiB, not per row, and stdio passes a write this large straight through
 * instead of copying it into its own buffer. */
#define FLUSH_AT (1024 * 1024)
/* One encoded row may not exceed this (29 columns of SQLite's largest values would be
 * 29 GB); the row buffer is sized from the row's value lengths before encoding. */
#define ROW_MAX ((size_t)1 << 30)

/* ---- gzip stream as a FILE (fopencookie): deflate with the gzip wrapper and no header
 * fields set, so mtime is 0 and no name is stored: the same input gives the same bytes ---- */

struct gz_cookie {
    z_stream z;
    FILE *dst;
    unsigned char out[65536];
    int failed;
};

static int
gz_pump(struct gz_cookie *c, int flush)
{
    int rc;

    do {
        c->z.next_out = c->out;
        c->z.avail_out = sizeof c->out;
        rc = deflate(&c->z, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        size_t have = sizeof c->out - c->z.avail_out;
        if (have && fwrite(c->out, 1, have, c->dst) != have)
            return -1;
    } while (c->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

static ssize_t
gz_write(void *cookie, const char *buf, size_t size)
{
    struct gz_cookie *c = cookie;

    if (c->failed)
        return -1;
    c->z.next_in = (unsigned char *)(uintptr_t)buf;
    c->z.avail_in = (uInt)size;
    if (size > UINT32_MAX || gz_pump(c, Z_NO_FLUSH) < 0) {
        c->failed = 1;
        errno = errno ? errno : EIO;
        return -1;
    }
    return (ssize_t)size;
}

static int
gz_close(void *cookie)
{
    struct gz_cookie *c = cookie;
    int rc = c->failed ? -1 : 0;

    if (rc == 0) {
        c->z.next_in = NULL;
        c->z.avail_in = 0;
        if (gz_pump(c, Z_FINISH) < 0)
            rc = -1;
    }
    deflateEnd(&c->z);
    free(c);
    return rc;
}

FILE *
export_gz_wrap(FILE *dst)
{
    cookie_io_functions_t io = {NULL, gz_write, NULL, gz_close};
    struct gz_cookie *c = calloc(1, sizeof *c);
    FILE *fp;

    if (!c)
        return NULL;
    c->dst = dst;
    /* windowBits 15 + 16 = gzip wrapper; memLevel 8 and level 6 are zlib's defaults */
    if (deflateInit2(&c->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(c);
        return NULL;
    }
    fp = fopencookie(c, "w", io);
    if (!fp) {
        deflateEnd(&c->z);
        free(c);
    }
    return fp;
}

/* ---- encoders ---- */

static const unsigned un_size[UN_COUNT] = {100, 1000, 100000, 100, 100000};
static const unsigned un_len[UN_COUNT] = {2, 3, 5, 2, 5};

static void
copy_text(struct dc_buf *b, const char *s, size_t n)
{
    /* COPY text format: backslash, and the three separators it could be confused with */
    const char *run = s;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        dc_buf_add(b, run, (size_t)(s + i - run));
        dc_buf_puts(b, esc);
        run = s + i + 1;
    }
    dc_buf_add(b, run, (size_t)(s + n - run));
}

static void
sql_text(struct dc_buf *b, const char *s, size_t n)
{
    const char *run = s;

    dc_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\'')
            continue;
        dc_buf_add(b, run, (size_t)(s + i - run) + 1);
        dc_buf_putc(b, '\'');
        run = s + i + 1;
    }
    dc_buf_add(b, run, (size_t)(s + n - run));
    dc_buf_putc(b, '\'');
}

/* One CSV field by RFC 4180 with the rules of core/csvio's writer (quote a field holding
 * the separator, '"', CR or LF, or a lone empty field; --excel: a ' before = + - @ TAB CR,
 * OWASP), written at d, which has room for 2n + 3 bytes; returns the end.  special[] marks
 * the bytes that need quotes (RFC 4180 §2.6 with the separator in place of ',').  Most
 * fields need no quotes, so the plain case copies while it scans and only a special byte
 * sends the field to the general path.  test_export.c pins the bytes of both profiles. */
static char *
csv_cell(char *d, const char *s, size_t n, int excel, int alone, const unsigned char *special,
         unsigned char delim)
{
    size_t i = 0;

    if (!excel) {
        /* eight bytes at a time while none is special (the "has a zero byte" test of
         * Hacker's Delight §6-1 on the word XORed with each special byte), then bytes */
        const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
        for (; i + 8 <= n; i += 8) {
            uint64_t w, a, b, c, q;
            memcpy(&w, s + i, 8);
            a = w ^ (ones * delim);
            b = w ^ (ones * '"');
            c = w ^ (ones * '\n');
            q = w ^ (ones * '\r');
            if (((a - ones) & ~a & high) | ((b - ones) & ~b & high) | ((c - ones) & ~c & high) |
                ((q - ones) & ~q & high))
                break;
            memcpy(d + i, &w, 8);
        }
        for (; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (special[c])
                break;
            d[i] = (char)c;
        }
        if (i == n && !(alone && n == 0))
            return d + n;
    }
    /* strchr finds the terminator too: a field starting with a NUL byte is guarded, as
     * the csvio writer does */
    int guard = excel && n && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = alone && n == 0;
    for (; i < n && !quote; i++)
        quote = special[(unsigned char)s[i]];
    if (quote)
        *d++ = '"';
    if (guard)
        *d++ = '\'';
    if (!quote) {
        memcpy(d, s, n);
        return d + n;
    }
    for (i = 0; i < n; i++) {
        *d++ = s[i];
        if (s[i] == '"')
            *d++ = '"';
    }
    *d++ = '"';
    return d;
}

/* --excel: a K_CODE or K_DATE value that Excel and LibreOffice would take for a number or
 * a date (it starts with a digit: "001090012345", "00028", "1990-05") goes out as the
 * formula ="VALUE", whose result is that text: the documented way to make Excel keep a
 * CSV value as text (Microsoft: "Keeping leading zeros and large numbers"; the formula
 * guard does not apply, the '=' is ours).  Written at d, which has room for 2n + 3 bytes;
 * returns the end.  Anything else: NULL. */
static char *
excel_text(char *d, const char *s, size_t n)
{
    if (n == 0 || s[0] < '0' || s[0] > '9')
        return NULL;
    *d++ = '=';
    *d++ = '"';
    for (size_t i = 0; i < n; i++) {
        *d++ = s[i];
        if (s[i] == '"')
            *d++ = '"';
    }
    *d++ = '"';
    return d;
}

/* Decimal text of x, as sqlite3_column_text gives it (sqlite3Int64ToText); out has 24.
 * Two digits per division: record ids have seven. */
static size_t
fmt_i64(char *out, sqlite3_int64 x)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char tmp[24];
    char *p = tmp + sizeof tmp;
    size_t k = 0;
    /* negate in unsigned arithmetic: -INT64_MIN does not fit */
    uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;

    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    }
    if (u >= 10) {
        *--p = pairs[u * 2 + 1];
        *--p = pairs[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    if (x < 0)
        out[k++] = '-';
    memcpy(out + k, p, (size_t)(tmp + sizeof tmp - p));
    k += (size_t)(tmp + sizeof tmp - p);
    out[k] = '\0';
    return k;
}

static const char *
num2(struct emit *e, double d, size_t *n)
{
    for (int i = 0; i < e->num2_used; i++)
        if (memcmp(&e->num2[i].d, &d, sizeof d) == 0) {
            *n = e->num2[i].n;
            return e->num2[i].s;
        }
    int k = e->num2_next;
    e->num2_next = (k + 1) % NUM2_CACHE;
    if (e->num2_used < NUM2_CACHE)
        e->num2_used++;
    e->num2[k].d = d;
    sqlite3_snprintf(NUM2_LEN, e->num2[k].s, "%.2f", d);
    e->num2[k].n = strlen(e->num2[k].s);
    *n = e->num2[k].n;
    return e->num2[k].s;
}

/* The row's values as sqlite3_column_text and sqlite3_column_bytes give them, for less:
 * the sqlite3_column_* calls each take the statement's checks and error exit (a third of
 * the export's instructions under callgrind with three calls per value), so each value
 * is fetched once with sqlite3_column_value and read with the sqlite3_value_* accessors.
 * The docs call that value "unprotected", which concerns only the connection mutex: the
 * connection is single-threaded (dc_db_open: SQLITE_OPEN_NOMUTEX).  Integers are
 * formatted here (the text conversion is SQLite's costliest step per value), T_NUM2
 * values as SQL printf('%.2f') would.  Types first: undefined after a conversion. */
int
export_unit_names_load(struct dc_db *db, struct unit_names *u, struct dc_error *err)
{
    static const char *const sel[UN_COUNT] = {
        "SELECT code, name FROM unit WHERE era = 'pre2025' AND level = 'province'",
        "SELECT code, name FROM unit WHERE era = 'pre2025' AND level = 'district'",
        "SELECT code, name FROM unit WHERE era = 'pre2025' AND level = 'ward'",
        "SELECT code, name FROM unit WHERE era = '2025' AND level = 'province'",
        "SELECT code, name FROM unit WHERE era = '2025' AND level = 'ward'"};

    for (int k = 0; k < UN_COUNT; k++) {
        sqlite3_stmt *q = NULL;
        int rc;
        u->off[k] = calloc(un_size[k], sizeof *u->off[k]);
        if (!u->off[k])
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        if (dc_db_prepare(db, sel[k], &q, err) < 0)
            return -1;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(q, 0);
            const char *name = (const char *)sqlite3_column_text(q, 1);
            unsigned v = 0, i;
            for (i = 0; code && code[i] >= '0' && code[i] <= '9'; i++)
                v = v * 10 + (unsigned)(code[i] - '0');
            if (!code || !name || i != un_len[k] || code[i])
                continue; /* refdata load checks digit counts: not reached */
            u->off[k][v] = (uint32_t)u->mem.len + 1;
            dc_buf_puts(&u->mem, name);
            dc_buf_putc(&u->mem, '\0');
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return dc_db_fail(db, rc, "read unit names", err);
        if (u->mem.oom)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    return 0;
}

void
export_unit_names_free(struct unit_names *u)
{
    for (int k = 0; k < UN_COUNT; k++)
        free(u->off[k]);
    dc_buf_release(&u->mem);
}

/* The name of the unit whose code is column code_col of r, into column name_col. */
static void
put_name(const struct unit_names *u, int k, struct row *r, int code_col, int name_col)
{
    const char *code = r->v[code_col];
    unsigned v = 0;
    size_t i;

    r->v[name_col] = NULL;
    r->n[name_col] = 0;
    r->type[name_col] = SQLITE_NULL;
    if (!code || r->n[code_col] != un_len[k])
        return;
    for (i = 0; i < un_len[k]; i++) {
        if (code[i] < '0' || code[i] > '9')
            return;
        v = v * 10 + (unsigned)(code[i] - '0');
    }
    if (!u->off[k][v])
        return;
    r->v[name_col] = u->mem.s + u->off[k][v] - 1;
    r->n[name_col] = strlen(r->v[name_col]);
    r->type[name_col] = SQLITE_TEXT;
}

void
export_fetch_row(struct emit *e, sqlite3_stmt *st, int nc, struct row *r)
{
    for (int i = 0; i < nc; i++) {
        sqlite3_value *val = sqlite3_column_value(st, i);
        int t = sqlite3_value_type(val);

        r->type[i] = t;
        if (t == SQLITE_NULL) {
            r->v[i] = NULL;
            r->n[i] = 0;
        } else if (e->v->cols[i].type == T_NUM2) {
            r->v[i] = num2(e, sqlite3_value_double(val), &r->n[i]);
            r->type[i] = SQLITE_TEXT; /* printf() returned text */
        } else if (t == SQLITE_INTEGER) {
            r->n[i] = fmt_i64(e->num[i], sqlite3_value_int64(val));
            r->v[i] = e->num[i];
        } else {
            /* the text of a blob is its bytes with a NUL added, as the CSV writer needs */
            r->v[i] = (const char *)sqlite3_value_text(val);
            r->n[i] = (size_t)sqlite3_value_bytes(val);
            if (!r->v[i])
                r->v[i] = ""; /* a zero-length blob */
        }
    }
    if (e->names && (e->v == &export_v_records || e->v == &export_v_survivors))
        for (int k = 0; k < UN_COUNT; k++)
            put_name(e->names, k, r, C_PROVINCE_CODE + k, C_PROVINCE_NAME + k);
}

static void
hex_bytes(struct dc_buf *b, const char *s, size_t n)
{
    if (n > ((size_t)-1 - 1) / 2) {
        b->oom = 1;
        return;
    }
    if (dc_buf_reserve(b, 2 * n) < 0) /* sets oom: export_flush reports it */
        return;
    dc_hex_encode((const unsigned char *)s, n, b->s + b->len);
    b->len += 2 * n;
}

/* JSON string of bytes that may not be UTF-8 (rejects.raw of a legacy-encoded file):
 * each invalid byte becomes U+FFFD so the line stays valid JSON.  The exact bytes are in
 * the CSV, COPY and SQL exports. */
static void
json_bytes(struct dc_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    dc_buf_putc(b, '"');
    while (i < n) {
        unsigned char c = p[i];
        size_t l = dc_utf8_seq(p + i, n - i);
        if (l == 0) {
            dc_buf_puts(b, "\\ufffd");
            i++;
        } else if (c == '"' || c == '\\') {
            dc_buf_putc(b, '\\');
            dc_buf_putc(b, (char)c);
            i++;
        } else if (c < 0x20) {
            const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (e)
                dc_buf_puts(b, e);
            else
                dc_buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            dc_buf_add(b, s + i, l);
            i += l;
        }
    }
    dc_buf_putc(b, '"');
}

static int
is_number(const struct row *r, int i)
{
    /* numbers only when SQLite holds one; "Inf"/"NaN" have no JSON or SQL spelling */
    if (r->type[i] != SQLITE_INTEGER && r->type[i] != SQLITE_FLOAT)
        return 0;
    char c = r->v[i][0];
    return c == '-' || (c >= '0' && c <= '9');
}

/* Write out the buffered rows (all of them when force, else once FLUSH_AT is reached). */
int
export_flush(struct emit *e, int force, struct dc_error *err)
{
    struct dc_buf *b = &e->line;

    if (b->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (b->len == 0 || (!force && b->len < FLUSH_AT))
        return 0;
    if (fwrite(b->s, 1, b->len, e->fp) != b->len)
        return dc_error_set(err, DC_EX_IOERR, "write error: %s", strerror(errno));
    dc_buf_reset(b);
    return 0;
}

int
export_emit_header(struct emit *e, struct dc_error *err)
{
    struct dc_buf *b = &e->line;

    if (e->o->format == DC_EXPORT_CSV) {
        if (e->o->excel)
            dc_buf_puts(b, "\xEF\xBB\xBF"); /* UTF-8 BOM: Excel reads the file as UTF-8 */
        for (int i = 0; i < e->v->ncols; i++) {
            if (i)
                dc_buf_putc(b, (char)e->delim);
            dc_buf_puts(b, e->v->cols[i].name);
        }
        dc_buf_puts(b, e->o->excel ? "\r\n" : "\n");
    } else if (e->o->format == DC_EXPORT_SQL) {
        dc_buf_puts(b, "BEGIN;\n");
    }
    return export_flush(e, 0, err);
}

static int
csv_row(struct emit *e, const struct row *r, struct dc_error *err)
{
    struct dc_buf *b = &e->line;
    int nc = e->v->ncols, excel = e->o->excel;
    size_t need = 2; /* CRLF */
    char *d;

    /* per field at most: separator, quote, guard, every byte doubled, quote; --excel's
     * ="..." doubles a field once more */
    for (int i = 0; i < nc; i++)
        need += (excel ? 4 : 2) * (r->v[i] ? r->n[i] : 0) + 12;
    if (need > ROW_MAX)
        return dc_error_set(err, DC_EX_DATAERR, "a row is longer than %zu bytes", ROW_MAX);
    if (dc_buf_reserve(b, need) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    d = b->s + b->len;
    for (int i = 0; i < nc; i++) {
        const char *s = r->v[i] ? r->v[i] : "";
        size_t n = r->v[i] ? r->n[i] : 0;
        if (i)
            *d++ = (char)e->delim;
        if (excel && e->v->cols[i].kind != K_PLAIN) {
            dc_buf_reset(&e->wrap);
            if (dc_buf_reserve(&e->wrap, 2 * n + 4) < 0)
                return dc_error_set(err, DC_EX_OSERR, "out of memory");
            char *end = excel_text(e->wrap.s, s, n);
            if (end) {
                /* no guard: the '=' is the wrapper's, not the data's */
                d = csv_cell(d, e->wrap.s, (size_t)(end - e->wrap.s), 0, 0, e->special, e->delim);
                continue;
            }
        }
        d = csv_cell(d, s, n, excel, nc == 1, e->special, e->delim);
    }
    if (excel)
        *d++ = '\r';
    *d++ = '\n';
    *d = '\0';
    b->len = (size_t)(d - b->s);
    return 0;
}

int
export_emit_row(struct emit *e, struct row *r, struct dc_error *err)
{
    const struct view *v = e->v;
    const char *field = v->field_col >= 0 ? r->v[v->field_col] : NULL;
    struct dc_buf *b = &e->line;

    if (e->o->key) {
        for (int i = 0; i < v->ncols; i++) {
            if (v->cols[i].pii == P_NO || !r->v[i] || r->n[i] == 0)
                continue;
            if (v->cols[i].pii == P_IF_FIELD && !export_is_pii_field(field))
                continue;
            if (dc_export_pseudonym(e->o->key, e->o->key_len, r->v[i], r->n[i], e->tok[i], err) < 0)
                return -1;
            r->v[i] = e->tok[i];
            r->n[i] = 18;
            r->type[i] = SQLITE_TEXT;
        }
    }
    e->rows++;
    switch (e->o->format) {
    case DC_EXPORT_CSV:
        if (csv_row(e, r, err) < 0)
            return -1;
        break;
    case DC_EXPORT_JSONL:
        dc_buf_putc(b, '{');
        for (int i = 0; i < v->ncols; i++) {
            if (i)
                dc_buf_putc(b, ',');
            dc_buf_putc(b, '"');
            dc_buf_puts(b, v->cols[i].name);
            dc_buf_puts(b, "\":");
            if (!r->v[i] || r->n[i] == 0)
                dc_buf_puts(b, "null");
            else if (is_number(r, i) || (v->cols[i].type == T_NUM2 && r->v[i][0] != '-' &&
                                         r->v[i][0] >= '0' && r->v[i][0] <= '9'))
                dc_buf_add(b, r->v[i], r->n[i]);
            else if (v->cols[i].type == T_BYTES)
                json_bytes(b, r->v[i], r->n[i]);
            else
                dc_json_str(b, r->v[i]);
        }
        dc_buf_puts(b, "}\n");
        break;
    case DC_EXPORT_PGCOPY:
        for (int i = 0; i < v->ncols; i++) {
            if (i)
                dc_buf_putc(b, '\t');
            if (!r->v[i]) {
                dc_buf_puts(b, "\\N");
            } else if (v->cols[i].type == T_BYTES) {
                /* bytea hex input "\x...", its backslash doubled for COPY */
                dc_buf_puts(b, "\\\\x");
                hex_bytes(b, r->v[i], r->n[i]);
            } else {
                copy_text(b, r->v[i], r->n[i]);
            }
        }
        dc_buf_putc(b, '\n');
        break;
    case DC_EXPORT_SQL:
        dc_buf_puts(b, "INSERT INTO ");
        dc_buf_puts(b, dc_export_table(e->o));
        dc_buf_puts(b, " VALUES (");
        for (int i = 0; i < v->ncols; i++) {
            if (i)
                dc_buf_puts(b, ", ");
            if (!r->v[i]) {
                dc_buf_puts(b, "NULL");
            } else if (v->cols[i].type == T_BYTES) {
                dc_buf_puts(b, "'\\x");
                hex_bytes(b, r->v[i], r->n[i]);
                dc_buf_putc(b, '\'');
            } else if (is_number(r, i) && v->cols[i].type != T_TEXT) {
                dc_buf_add(b, r->v[i], r->n[i]);
            } else {
                sql_text(b, r->v[i], r->n[i]);
            }
        }
        dc_buf_puts(b, ");\n");
        break;
    case DC_EXPORT_XLSX:
        return dc_xlsx_row(e->x, r->v, r->n, err);
    }
    return export_flush(e, 0, err);
}
