/*
 * workbook.c - what both workbook readers share: telling a workbook by its bytes, the
 * row a reader collected laid out as a CSV row, numbers and dates as Excel shows them
 * (see workbook.h).  Not for: the file formats (xlsx.c, xls.c).
 */
#include "wb.h"
#include "../util/buf.h"

#include "../vndate.h"
#include "../util/csv.h"
#include "../util/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

enum dc_wb_kind
dc_wb_sniff(const unsigned char *b, size_t n)
{
    static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

    if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
        return DC_WB_XLSX;
    if (n >= 8 && memcmp(b, ole, 8) == 0)
        return DC_WB_XLS;
    return DC_WB_NONE;
}

int
dc_wb_kind_of_file(const char *path, enum dc_wb_kind *kind, struct dc_error *err)
{
    unsigned char b[8];
    struct stat sb;
    ssize_t n;
    int fd;

    *kind = DC_WB_NONE;
    if (strcmp(path, "-") == 0)
        return 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
    /* only regular files: reading a pipe's first bytes here would take them from csvio */
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        do
            n = read(fd, b, sizeof b);
        while (n < 0 && errno == EINTR);
        if (n > 0)
            *kind = dc_wb_sniff(b, (size_t)n);
    }
    close(fd);
    return 0;
}

const char *
dc_wb_kind_name(enum dc_wb_kind kind)
{
    return kind == DC_WB_XLSX ? "xlsx" : kind == DC_WB_XLS ? "xls" : "csv";
}

/* ---- numbers and dates ------------------------------------------------------------------ */

void
dc_wb_number_text(double v, char *out, size_t size)
{
    /* Excel keeps 15 significant digits; integers print without ".0", the rest as the
     * shortest text that reads back to the same double */
    if (!isfinite(v)) {
        snprintf(out, size, "%s", isnan(v) ? "#NUM!" : "#NUM!");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, size, "%.0f", v);
        if (strcmp(out, "-0") == 0)
            snprintf(out, size, "0");
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(out, size, "%.*g", p, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

int
dc_wb_serial_date(double serial, char *out, size_t size)
{
    double day;
    long long d, secs;
    int y, m, dd;

    /* 1 = 1900-01-01 ... 2958465 = 9999-12-31; 0 and negatives are no date */
    if (!isfinite(serial) || serial < 1 || serial >= 2958466)
        return -1;
    day = floor(serial);
    d = (long long)day;
    secs = llround((serial - day) * 86400.0);
    if (secs >= 86400) {
        d++;
        secs = 0;
    }
    /* vndate keeps the 1900 system and its leap-year quirk (serial 60 = 1900-02-29, a day
     * that never was: written as such, normalize calls it invalid) */
    dc_date_from_serial((long)d, &y, &m, &dd);
    if (size < 11)
        return -1;
    /* by hand: snprintf was a tenth of the reader's time on a sheet of dates */
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + dd / 10);
    out[9] = (char)('0' + dd % 10);
    out[10] = '\0';
    if (secs > 0) {
        size_t l = strlen(out);

        snprintf(out + l, size - l, " %02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60,
                 secs % 60);
    }
    return 0;
}

/* ---- rows ------------------------------------------------------------------------------- */

void
wb_row_clear(struct wb_row *w, long rownum)
{
    w->rownum = rownum;
    w->hidden = 0;
    w->ncells = 0;
    dc_buf_reset(&w->vals);
    w->reason[0] = '\0';
}

void
wb_row_release(struct wb_row *w)
{
    free(w->cells);
    free(w->fp);
    free(w->lens);
    dc_buf_release(&w->vals);
    dc_buf_release(&w->out);
    dc_buf_release(&w->raw);
    memset(w, 0, sizeof *w);
}

int
wb_row_add(struct wb_row *w, size_t col, const char *v, size_t n)
{
    if (n == 0)
        return 0;
    if (w->ncells == w->ccap) {
        struct wb_cell *q = dc_grow(w->cells, &w->ccap, 32, sizeof *q);

        if (!q)
            return -1;
        w->cells = q;
    }
    w->cells[w->ncells].col = col;
    w->cells[w->ncells].off = w->vals.len;
    w->cells[w->ncells].len = n;
    dc_buf_add(&w->vals, v, n);
    dc_buf_putc(&w->vals, '\0');
    if (w->vals.oom)
        return -1;
    w->ncells++;
    return 0;
}

static int
ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

int
wb_row_emit(struct wb_row *w, struct dc_enc_conv *conv, size_t max_field, struct dc_csv_row *row,
            struct dc_error *err)
{
    size_t ncols = 0, *at;
    size_t *offs;

    for (size_t i = 0; i < w->ncells; i++)
        if (w->cells[i].col + 1 > ncols)
            ncols = w->cells[i].col + 1;
    if (w->fcap < ncols + 1) {
        char **f = realloc(w->fp, (ncols + 1) * sizeof *f);
        size_t *l;

        if (!f)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        w->fp = f;
        l = realloc(w->lens, 3 * (ncols + 1) * sizeof *l);
        if (!l)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        w->lens = l;
        w->fcap = ncols + 1;
    }
    /* lens[0..ncols) the lengths; lens[fcap..] scratch: which cell fills each column;
     * lens[2 fcap..] the offsets into out */
    at = w->lens + w->fcap;
    for (size_t c = 0; c < ncols; c++)
        at[c] = SIZE_MAX;
    for (size_t i = 0; i < w->ncells; i++)
        at[w->cells[i].col] = i; /* a column given twice: the later cell wins, as in Excel */
    dc_buf_reset(&w->out);
    dc_buf_reset(&w->raw);
    offs = w->lens + 2 * w->fcap;
    for (size_t c = 0; c < ncols; c++) {
        const char *v = "";
        size_t n = 0;

        if (at[c] != SIZE_MAX) {
            v = w->vals.s + w->cells[at[c]].off;
            n = w->cells[at[c]].len;
        }
        if (c)
            dc_buf_putc(&w->raw, ',');
        dc_csv_field(&w->raw, v, n, ',', 0);
        if (n > max_field && !w->reason[0])
            snprintf(w->reason, sizeof w->reason, "field %zu over %zu bytes", c + 1, max_field);
        if (n && !ascii(v, n)) {
            const char *o;
            size_t on;
            int rc = dc_enc_decode(conv, v, n, &o, &on, err);

            if (rc < 0)
                return -1;
            if (rc > 0) {
                if (!w->reason[0])
                    snprintf(w->reason, sizeof w->reason, "invalid UTF-8 in field %zu", c + 1);
                o = "";
                on = 0;
            }
            v = o;
            n = on;
        }
        offs[c] = w->out.len;
        w->lens[c] = n;
        dc_buf_add(&w->out, v, n);
        dc_buf_putc(&w->out, '\0');
    }
    if (w->out.oom || w->raw.oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    for (size_t c = 0; c < ncols; c++)
        w->fp[c] = w->out.s + offs[c];
    w->fp[ncols] = NULL;
    if (w->hidden && !w->reason[0])
        snprintf(w->reason, sizeof w->reason, "hidden row in the sheet");
    memset(row, 0, sizeof *row);
    row->rownum = w->rownum;
    row->line = w->rownum;
    row->nfields = ncols;
    row->fields = w->fp;
    row->lens = w->lens;
    row->raw = dc_buf_str(&w->raw);
    row->raw_len = w->raw.len;
    row->reject = w->reason[0] ? w->reason : NULL;
    return 0;
}

/* ---- open / close ----------------------------------------------------------------------- */

static int
file_sha256(const char *path, char hex[65], unsigned long long *bytes, struct dc_error *err)
{
    unsigned char buf[1 << 16];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    if (!ctx) {
        if (fd >= 0)
            close(fd);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    if (fd < 0) {
        EVP_MD_CTX_free(ctx);
        return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    *bytes = 0;
    for (;;) {
        n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = dc_error_at(err, DC_EX_IOERR, path, 0, NULL, "read error: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        *bytes += (unsigned long long)n;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    }
    if (rc == 0 && dc_sha256_final_hex(ctx, hex) < 0)
        rc = dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 final failed");
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

int
wb_init(struct dc_wb_reader *r, const char *path, const struct dc_wb_opts *o, struct dc_error *err)
{
    r->path = path;
    r->max_bytes = o && o->max_bytes ? o->max_bytes : (16ull << 30);
    r->max_field = o && o->max_field ? o->max_field : 65536;
    if (file_sha256(path, r->sha, &r->bytes, err) < 0)
        return -1;
    r->conv = dc_enc_conv_new(DC_ENC_UTF8, err);
    return r->conv ? 0 : -1;
}

void
wb_fini(struct dc_wb_reader *r)
{
    dc_enc_conv_free(r->conv);
    wb_row_release(&r->row);
}

int
wb_sheet_matches(const char *want, size_t i, const char *name)
{
    char *end;
    unsigned long n;

    if (strcmp(want, name) == 0)
        return 1;
    if (want[0] < '0' || want[0] > '9')
        return 0;
    n = strtoul(want, &end, 10);
    return *end == '\0' && n == i + 1;
}

struct dc_wb_reader *
dc_wb_open(const char *path, enum dc_wb_kind kind, const struct dc_wb_opts *o, struct dc_error *err)
{
    if (kind == DC_WB_XLSX)
        return wb_xlsx_open(path, o, err);
    if (kind == DC_WB_XLS)
        return wb_xls_open(path, o, err);
    dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "not a workbook");
    return NULL;
}

int
dc_wb_next(struct dc_wb_reader *r, struct dc_csv_row *row, struct dc_error *err)
{
    return r->ops->next(r, row, err);
}

const char *
dc_wb_sheet(const struct dc_wb_reader *r)
{
    return r->sheet;
}

unsigned long long
dc_wb_bytes_read(const struct dc_wb_reader *r)
{
    return r->bytes;
}

int
dc_wb_sha256(const struct dc_wb_reader *r, char hex[65])
{
    if (!r->sha[0])
        return -1;
    memcpy(hex, r->sha, 65);
    return 0;
}

void
dc_wb_close(struct dc_wb_reader *r)
{
    if (r)
        r->ops->close(r);
}
