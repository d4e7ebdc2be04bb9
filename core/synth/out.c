/*
 * synth/out.c - the generator's output files: opened 0600 with a big
 * buffer, rows built as RFC 4180 fields with the file's delimiter and line
 * end, the legacy file converted by iconv (TCVN3 with toned capitals in lower
 * case, or CP1258), the print-layout lines around household.csv.
 * Not for: deciding what goes in a row (rows.c).
 */
#include "synth_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- output files */

int
synth_out_open(struct gen *g, struct out *o, const char *dir, const char *name, char delim,
               const char *eol)
{
    int k = snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->delim = delim;
    o->eol = eol;
    o->cd = (iconv_t)-1;
    if (k < 0 || (size_t)k >= sizeof o->path)
        return dc_error_set(g->err, DC_EX_USAGE, "output directory path too long");
    /* 0600: the files are shaped like personal data (DESIGN.md "Fixed points") */
    int fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return dc_error_set(g->err, DC_EX_CANTCREAT, "%s: %s", o->path, strerror(errno));
    if (fchmod(fd, 0600) < 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        return dc_error_set(g->err, DC_EX_CANTCREAT, "%s: %s", o->path, strerror(e));
    }
    if (setvbuf(o->f, NULL, _IOFBF, 1 << 16) != 0) {
        fclose(o->f);
        o->f = NULL;
        return dc_error_set(g->err, DC_EX_OSERR, "%s: cannot set buffer", o->path);
    }
    return 0;
}

int
synth_out_close(struct gen *g, struct out *o)
{
    int rc = 0;
    if (o->f) {
        if (ferror(o->f) | fclose(o->f))
            rc = dc_error_set(g->err, DC_EX_IOERR, "%s: write error", o->path);
        o->f = NULL;
    }
    if (o->cd != (iconv_t)-1)
        iconv_close(o->cd);
    o->cd = (iconv_t)-1;
    free(o->conv);
    o->conv = NULL;
    return rc;
}

void
synth_row_begin(struct row *r, char delim)
{
    sb_init(&r->b, r->buf, sizeof r->buf);
    r->nf = 0;
    r->delim = delim;
}

/* RFC 4180: quote a field holding the delimiter, a quote, CR or LF. */
void
synth_row_field(struct row *r, const char *s)
{
    char d[2] = {r->delim, 0};
    if (r->nf++)
        sb_add(&r->b, d);
    if (!strpbrk(s, "\"\r\n") && !strchr(s, r->delim)) {
        sb_add(&r->b, s);
        return;
    }
    sb_add(&r->b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_add(&r->b, "\"");
        sb_addn(&r->b, p, 1);
    }
    sb_add(&r->b, "\"");
}

void
synth_row_fieldf(struct row *r, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof tmp)
        r->b.over = 1;
    else
        synth_row_field(r, tmp);
}

/* Convert one row to the legacy encoding.  A character the code page lacks
 * (none expected: legacy rows get no NBSP/Ð/mojibake noise) becomes '?'. */
/*
 * TCVN3 ("ABC") fonts have no code for a capital letter with a tone mark:
 * files typed with them hold such letters in lower case (a capital font
 * drew them), and glibc's TCVN5712-1 would put them in bytes 0x01-0x17 and
 * 0x80-0x9F that real ABC files never contain (normalize.md §4.1-4.3).  So
 * before converting to TCVN3, toned capitals become their lower-case letter,
 * in place (same UTF-8 length); normalize restores the case.
 */
static void
abc_lower_toned_caps(char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        if (b == 0xC3 && i + 1 < n) {
            /* Latin-1 capitals with a tone: À Á Ã È É Ì Í Ò Ó Õ Ù Ú Ý */
            static const char toned[] = "\x80\x81\x83\x88\x89\x8C\x8D\x92\x93\x95\x99\x9A\x9D";
            if (strchr(toned, s[i + 1]))
                s[i + 1] = (char)((unsigned char)s[i + 1] + 0x20);
            i += 2;
        } else if (b == 0xC4 && i + 1 < n && (unsigned char)s[i + 1] == 0xA8) {
            s[i + 1] = (char)0xA9; /* Ĩ -> ĩ */
            i += 2;
        } else if (b == 0xC5 && i + 1 < n && (unsigned char)s[i + 1] == 0xA8) {
            s[i + 1] = (char)0xA9; /* Ũ -> ũ */
            i += 2;
        } else if (b == 0xE1 && i + 2 < n &&
                   ((unsigned char)s[i + 1] == 0xBA || (unsigned char)s[i + 1] == 0xBB)) {
            /* U+1EA0-U+1EF9: even code points are capitals */
            unsigned cp = 0x1000u | (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                          ((unsigned char)s[i + 2] & 0x3Fu);
            if (cp >= 0x1EA0 && cp <= 0x1EF8 && !(cp & 1))
                s[i + 2] = (char)((unsigned char)s[i + 2] + 1);
            i += 3;
        } else {
            i++;
        }
    }
}

static int
row_iconv(struct gen *g, struct out *o, const char *s, size_t n, const char **res, size_t *rn)
{
    if (g->legacy_tcvn)
        abc_lower_toned_caps((char *)s, n);
    if (o->convcap < 2 * n + 16) {
        size_t cap = 2 * n + 16;
        char *c = realloc(o->conv, cap);
        if (!c)
            return synth_oom(g);
        o->conv = c;
        o->convcap = cap;
    }
    char *in = (char *)s, *out = o->conv;
    size_t inl = n, outl = o->convcap;
    while (inl > 0) {
        if (iconv(o->cd, &in, &inl, &out, &outl) != (size_t)-1)
            break;
        if (errno == EILSEQ || errno == EINVAL) {
            uint32_t cp;
            size_t k = utf8_dec(in, &cp);
            in += k;
            inl = inl > k ? inl - k : 0;
            if (outl == 0)
                return dc_error_set(g->err, DC_EX_SOFTWARE, "legacy row conversion overflow");
            *out++ = '?';
            outl--;
        } else {
            return dc_error_set(g->err, DC_EX_SOFTWARE, "legacy row conversion overflow");
        }
    }
    if (iconv(o->cd, NULL, NULL, &out, &outl) == (size_t)-1)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "legacy row conversion failed");
    *res = o->conv;
    *rn = o->convcap - outl;
    return 0;
}

int
synth_row_write(struct gen *g, struct out *o, struct row *r)
{
    sb_add(&r->b, o->eol);
    if (r->b.over)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "%s: row longer than %d bytes", o->path,
                            ROWCAP);
    const char *s = r->b.p;
    size_t n = r->b.n;
    if (o->cd != (iconv_t)-1 && row_iconv(g, o, r->b.p, r->b.n, &s, &n) < 0)
        return -1;
    if (fwrite(s, 1, n, o->f) != n || ferror(o->f))
        return dc_error_set(g->err, DC_EX_IOERR, "%s: write error", o->path);
    return 0;
}

int
synth_write_header(struct gen *g, struct out *o, const char *const *cols, int n)
{
    struct row r;
    synth_row_begin(&r, o->delim);
    for (int i = 0; i < n; i++)
        synth_row_field(&r, cols[i]);
    return synth_row_write(g, o, &r);
}

/* The lines a register laid out for printing has above its header (before 0) or below
 * its people (1): the national motto and a title; a blank row, the total, the place and
 * date, who signs.  Written as rows of the header's width, as a spreadsheet saves them;
 * not counted in the rows of household.csv (they are no records). */
int
synth_print_rows(struct gen *g, int after)
{
    static const char *const above[] = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                        "Độc lập - Tự do - Hạnh phúc", "",
                                        "DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ"};
    struct out *o = &g->src[SRC_HH];
    unsigned long long rows = o->rows;
    char total[64], line[4][48];
    const char *below[4];

    snprintf(total, sizeof total, "Tổng cộng: %llu nhân khẩu", rows);
    below[0] = "";
    below[1] = total;
    below[2] = "Người lập biểu";
    below[3] = "(Ký, ghi rõ họ tên)";
    for (int i = 0; i < 4; i++) {
        struct row r;

        snprintf(line[i], sizeof line[i], "%s", after ? below[i] : above[i]);
        synth_row_begin(&r, o->delim);
        synth_row_field(&r, line[i]);
        for (int c = 1; c < 9; c++)
            synth_row_field(&r, "");
        if (synth_row_write(g, o, &r) < 0)
            return -1;
    }
    o->rows = rows;
    return 0;
}
