/*
 * xlsx.c - Office Open XML workbooks (.xlsx): one sheet streamed row by row (workbook.h).
 * Not for: .xls (xls.c), finding the header (import), the zip parts, XML set-up and
 * relationships (xlsx_pkg.c).
 *
 * ECMA-376 Part 1 (SpreadsheetML): the package's _rels/.rels names the workbook part, the
 * workbook's relationships name its sheets, shared strings (§18.4) and styles (§18.8).  A
 * cell (§18.3.1.4) has t = s (index into the shared strings), inlineStr, str (formula
 * text), b, e, d (ISO date, strict only) or n (default); a number is a date only by its
 * style: cellXfs[s].numFmtId is a built-in date format (§18.8.30: 14-17, 22, 27-36,
 * 50-58) or a custom formatCode with day or year letters outside quotes and brackets.
 *
 * Memory: the shared strings (one buffer and an offset table, capped), the styles' date
 * flags, the vertical merges, and one row.  The sheet part is parsed with expat in 64 KiB
 * pieces and the parser suspended at each row's end, so a row is handed out as soon as it
 * is complete.  Merges (<mergeCells>) follow the rows in the part, so they are found first
 * by a scan over the part's bytes (inflate and memmem, no XML parse).
 */
#include "xlsx_int.h"

#include <strings.h>

/* ---- shared strings --------------------------------------------------------------------- */

static void XMLCALL
sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xlsx *x = ud;
    const char *l = local(name);

    (void)a;
    if (!enter(x))
        return;
    if (strcmp(l, "si") == 0) {
        if (x->nsst >= SST_MAX_COUNT) {
            stop(x, "shared strings: over 16M strings");
            return;
        }
        if (x->nsst + 1 >= x->sst_cap) {
            size_t c = x->sst_cap ? x->sst_cap * 2 : 1024;
            size_t *q = realloc(x->sst_off, c * sizeof *q);

            if (!q) {
                stop(x, "out of memory");
                return;
            }
            x->sst_off = q;
            x->sst_cap = c;
        }
        x->sst_off[x->nsst] = x->sst.len;
        x->in_is = 1;
    } else if (strcmp(l, "rPh") == 0) {
        x->rph++;
    } else if (strcmp(l, "t") == 0 && x->in_is && !x->rph) {
        x->in_t = 1;
    }
}

static void XMLCALL
sst_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = ud;
    const char *l = local(name);

    x->depth--;
    if (strcmp(l, "si") == 0 && x->in_is) {
        dc_buf_putc(&x->sst, '\0');
        if (x->sst.oom) {
            stop(x, "out of memory");
            return;
        }
        x->nsst++;
        x->in_is = 0;
    } else if (strcmp(l, "rPh") == 0 && x->rph) {
        x->rph--;
    } else if (strcmp(l, "t") == 0) {
        x->in_t = 0;
    }
}

static void XMLCALL
sst_text(void *ud, const XML_Char *s, int len)
{
    struct xlsx *x = ud;

    if (!x->in_t || x->rph || len <= 0)
        return;
    if (x->sst.len + (size_t)len > SST_MAX_BYTES) {
        stop(x, "shared strings: over 256 MiB");
        return;
    }
    dc_buf_add(&x->sst, s, (size_t)len);
}

/* ---- styles ----------------------------------------------------------------------------- */

struct numfmt {
    unsigned id;
    int date;
};

/* A format code shows a date if it has day or year letters outside "quoted text",
 * [brackets] (colours, locales, elapsed time) and \escaped characters. */
static int
code_is_date(const char *c)
{
    for (; *c; c++) {
        if (*c == '"') {
            while (c[1] && c[1] != '"')
                c++;
            if (c[1])
                c++;
        } else if (*c == '[') {
            while (c[1] && c[1] != ']')
                c++;
            if (c[1])
                c++;
        } else if (*c == '\\' || *c == '_' || *c == '*') {
            if (c[1])
                c++;
        } else if (*c == 'd' || *c == 'D' || *c == 'y' || *c == 'Y') {
            return 1;
        }
    }
    return 0;
}

static int
builtin_date(unsigned id)
{
    /* §18.8.30: 14-17 and 22 are dates (18-21, 45-47 times only); 27-36 and 50-58 the East
     * Asian date formats */
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

static void XMLCALL
styles_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xlsx *x = ud;
    const char *l = local(name);

    if (!enter(x))
        return;
    if (strcmp(l, "numFmt") == 0) {
        const char *id = attr(a, "numFmtId"), *code = attr(a, "formatCode");

        if (!id || !code)
            return;
        if (x->nfmt == x->fmt_cap) {
            size_t c = x->fmt_cap ? x->fmt_cap * 2 : 16;
            struct numfmt *q = c <= 65536 ? realloc(x->fmt, c * sizeof *q) : NULL;

            if (!q) {
                stop(x, "too many number formats");
                return;
            }
            x->fmt = q;
            x->fmt_cap = c;
        }
        x->fmt[x->nfmt].id = (unsigned)strtoul(id, NULL, 10);
        x->fmt[x->nfmt].date = code_is_date(code);
        x->nfmt++;
    } else if (strcmp(l, "cellXfs") == 0) {
        x->in_xfs = 1;
    } else if (strcmp(l, "xf") == 0 && x->in_xfs) {
        const char *id = attr(a, "numFmtId");
        unsigned n = id ? (unsigned)strtoul(id, NULL, 10) : 0;
        int date = builtin_date(n);
        unsigned char *q;

        for (size_t i = 0; i < x->nfmt; i++)
            if (x->fmt[i].id == n)
                date = x->fmt[i].date;
        if (x->nxf >= 65536) {
            stop(x, "too many cell formats");
            return;
        }
        q = realloc(x->xf_date, x->nxf + 1);
        if (!q) {
            stop(x, "out of memory");
            return;
        }
        x->xf_date = q;
        x->xf_date[x->nxf++] = (unsigned char)date;
    }
}

static void XMLCALL
styles_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = ud;

    x->depth--;
    if (strcmp(local(name), "cellXfs") == 0)
        x->in_xfs = 0;
}

/* ---- merges ------------------------------------------------------------------------------ */

/* "AB12" -> column 27 (0-based 27) and row 12; the row part may be absent (*row = 0). */
static int
cell_ref(const char *s, size_t *col, long *row)
{
    size_t c = 0;
    long r = 0;
    int letters = 0;

    while (*s == '$')
        s++;
    for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++) {
        c = c * 26 + (size_t)((*s | 0x20) - 'a' + 1);
        if (++letters > 3)
            return -1;
    }
    if (*s == '$')
        s++;
    for (; *s >= '0' && *s <= '9'; s++) {
        r = r * 10 + (*s - '0');
        if (r > MAX_ROWS)
            return -1;
    }
    if (!letters || c > MAX_COLS || (*s && *s != ':'))
        return -1;
    *col = c - 1;
    *row = r;
    return 0;
}

static int
merge_cmp(const void *a, const void *b)
{
    const struct merge *p = a, *q = b;

    return p->r1 < q->r1 ? -1 : p->r1 > q->r1;
}

static void
merge_add(struct xlsx *x, const char *ref, size_t n)
{
    char buf[32];
    const char *colon;
    size_t c1, c2;
    long r1, r2;

    if (n >= sizeof buf || x->nm >= MAX_MERGES)
        return;
    memcpy(buf, ref, n);
    buf[n] = '\0';
    colon = strchr(buf, ':');
    if (!colon || cell_ref(buf, &c1, &r1) < 0 || cell_ref(colon + 1, &c2, &r2) < 0)
        return;
    if (r1 < 1 || r2 <= r1)
        return; /* across columns only: the value stays in the first one */
    if (x->nm % 256 == 0) {
        struct merge *q = realloc(x->m, (x->nm + 256) * sizeof *q);

        if (!q)
            return;
        x->m = q;
    }
    x->m[x->nm].r1 = r1;
    x->m[x->nm].r2 = r2;
    x->m[x->nm].c1 = c1;
    x->m[x->nm].val = NULL;
    x->nm++;
}

/* Look for <mergeCell ref="A1:A3"/> in the part's bytes.  In XML text a '<' is always
 * escaped, so the tag cannot come from a cell's value. */
static int
scan_merges(struct xlsx *x, const char *part, struct dc_error *err)
{
    enum { KEEP = 256 };
    zip_uint64_t comp = 0;
    unsigned long long out = 0;
    zip_file_t *f = xlsx_part_open(x, part, &comp, 1, err);
    char *buf = malloc(CHUNK + KEEP + 1);
    size_t have = 0;
    int rc = 0;

    if (!f || !buf) {
        free(buf);
        if (f)
            zip_fclose(f);
        return f ? dc_error_set(err, DC_EX_OSERR, "out of memory") : -1;
    }
    for (;;) {
        long n = xlsx_part_read(x, f, comp, &out, buf + have, CHUNK, err);
        const char *p, *end;

        if (n < 0) {
            rc = -1;
            break;
        }
        have += (size_t)n;
        buf[have] = '\0';
        p = buf;
        end = buf + have;
        while ((p = memmem(p, (size_t)(end - p), "mergeCell", 9)) != NULL) {
            const char *q = p + 9, *gt, *ref;

            if ((p > buf && p[-1] != '<' && p[-1] != ':') || q >= end)
                goto next;
            if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '/')
                goto next;
            gt = memchr(q, '>', (size_t)(end - q));
            if (!gt) {
                if (n > 0)
                    break; /* the tag goes on in the next piece */
                goto next;
            }
            ref = memmem(q, (size_t)(gt - q), "ref=", 4);
            if (ref && (ref[4] == '"' || ref[4] == '\'')) {
                const char *v = ref + 5, *ve = memchr(v, ref[4], (size_t)(gt - v));

                if (ve)
                    merge_add(x, v, (size_t)(ve - v));
            }
            p = gt;
            continue;
        next:
            p++;
        }
        if (n == 0)
            break;
        /* keep a tail so a tag cut by the piece boundary is seen whole next time */
        {
            size_t keep = have < KEEP ? have : KEEP;

            if (p && (size_t)(end - p) < keep)
                keep = (size_t)(end - p);
            memmove(buf, end - keep, keep);
            have = keep;
        }
    }
    zip_fclose(f);
    free(buf);
    if (rc == 0 && x->nm)
        qsort(x->m, x->nm, sizeof *x->m, merge_cmp);
    return rc;
}

/* ---- the sheet -------------------------------------------------------------------------- */

static void XMLCALL
sh_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xlsx *x = ud;
    const char *l = local(name);

    if (!enter(x))
        return;
    if (strcmp(l, "c") == 0 && x->in_row) {
        const char *r = attr(a, "r"), *s = attr(a, "s"), *t = attr(a, "t");
        long rr;

        x->in_c = 1;
        if (r) {
            if (cell_ref(r, &x->col, &rr) < 0) {
                stop(x, "bad cell reference");
                return;
            }
        } else {
            x->col = x->ncol_next;
        }
        if (x->col >= MAX_COLS) {
            stop(x, "cell beyond column XFD");
            return;
        }
        x->ncol_next = x->col + 1;
        x->style = s ? (int)strtol(s, NULL, 10) : 0;
        x->ctype = !t                            ? 'n'
                   : strcmp(t, "s") == 0         ? 's'
                   : strcmp(t, "inlineStr") == 0 ? 'i'
                   : strcmp(t, "str") == 0       ? 'f'
                   : strcmp(t, "b") == 0         ? 'b'
                   : strcmp(t, "e") == 0         ? 'e'
                   : strcmp(t, "d") == 0         ? 'd'
                                                 : 'n';
        dc_buf_reset(&x->text);
        x->text_over = 0;
    } else if (strcmp(l, "v") == 0 && x->in_c) {
        x->in_v = 1;
    } else if (strcmp(l, "is") == 0 && x->in_c) {
        x->in_is = 1;
    } else if (strcmp(l, "rPh") == 0) {
        x->rph++;
    } else if (strcmp(l, "t") == 0 && x->in_is && !x->rph) {
        x->in_t = 1;
    } else if (strcmp(l, "row") == 0) {
        const char *r = attr(a, "r"), *h = attr(a, "hidden");
        long n = x->last + 1;

        if (r) {
            char *end;

            n = strtol(r, &end, 10);
            if (*end || n < 1 || n > MAX_ROWS) {
                stop(x, "bad row number");
                return;
            }
        }
        if (n <= x->last) {
            stop(x, "rows out of order");
            return;
        }
        x->in_row = 1;
        x->rnum = n;
        x->ncol_next = 0;
        wb_row_clear(&x->base.row, n);
        x->base.row.hidden = h && (strcmp(h, "1") == 0 || strcmp(h, "true") == 0);
    }
}

/* Up to 15 digits, a minus sign maybe, no leading zero: the text a General cell shows
 * for that number (the fast path of dc_wb_number_text, which printf made a tenth of the
 * reader's time on a 500k-row sheet). */
static int
plain_integer(const char *v, size_t n)
{
    size_t i = v[0] == '-';

    if (n - i < 1 || n - i > 15 || (v[i] == '0' && n - i > 1))
        return 0;
    for (; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

static void
cell_done(struct xlsx *x)
{
    const char *v = dc_buf_str(&x->text);
    size_t n = x->text.len;
    char num[64];

    switch (x->ctype) {
    case 's': {
        char *end;
        unsigned long i = strtoul(v, &end, 10);

        if (end == v || *end || i >= x->nsst) {
            if (!x->base.row.reason[0])
                snprintf(x->base.row.reason, sizeof x->base.row.reason,
                         "shared string %.20s missing (column %zu)", v, x->col + 1);
            return;
        }
        v = x->sst.s + x->sst_off[i];
        /* each string is followed by its NUL and then the next one */
        n = (i + 1 < x->nsst ? x->sst_off[i + 1] : x->sst.len) - x->sst_off[i] - 1;
        break;
    }
    case 'b':
        v = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
        n = strlen(v);
        break;
    case 'n': {
        char *end;
        double d;

        if (n == 0)
            return;
        if (!(x->style >= 0 && (size_t)x->style < x->nxf && x->xf_date[x->style]) &&
            plain_integer(v, n))
            break; /* as written: what Excel shows with the General format */
        d = strtod(v, &end);
        if (*end)
            break; /* not a number after all: as written */
        if (x->style >= 0 && (size_t)x->style < x->nxf && x->xf_date[x->style] &&
            dc_wb_serial_date(d, num, sizeof num) == 0) {
            v = num;
        } else {
            dc_wb_number_text(d, num, sizeof num);
            v = num;
        }
        n = strlen(v);
        break;
    }
    default:
        break;
    }
    if (x->base.row.vals.len + n > x->max_record) {
        if (!x->base.row.reason[0])
            snprintf(x->base.row.reason, sizeof x->base.row.reason, "record over %zu bytes",
                     x->max_record);
        return;
    }
    if (wb_row_add(&x->base.row, x->col, v, n) < 0)
        stop(x, "out of memory");
}

static void XMLCALL
sh_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = ud;
    const char *l = local(name);

    x->depth--;
    if (strcmp(l, "v") == 0) {
        x->in_v = 0;
    } else if (strcmp(l, "t") == 0) {
        x->in_t = 0;
    } else if (strcmp(l, "is") == 0) {
        x->in_is = 0;
    } else if (strcmp(l, "rPh") == 0) {
        if (x->rph)
            x->rph--;
    } else if (strcmp(l, "c") == 0 && x->in_c) {
        x->in_c = 0;
        cell_done(x);
    } else if (strcmp(l, "row") == 0 && x->in_row) {
        x->in_row = 0;
        x->gap_next = x->last + 1;
        x->gap_end = x->rnum - 1;
        x->last = x->rnum;
        x->have_row = 1;
        XML_StopParser(x->xp, XML_TRUE); /* suspend: the row goes out first */
    }
}

static void XMLCALL
sh_text(void *ud, const XML_Char *s, int len)
{
    struct xlsx *x = ud;
    size_t room;

    if (len <= 0 || !(x->in_v || (x->in_t && x->in_is && !x->rph)))
        return;
    /* a cell longer than the field limit is rejected anyway: keep only what shows that */
    room = x->base.max_field + 1 > x->text.len ? x->base.max_field + 1 - x->text.len : 0;
    if ((size_t)len > room) {
        len = (int)room;
        x->text_over = 1;
    }
    dc_buf_add(&x->text, s, (size_t)len);
    if (x->text.oom)
        stop(x, "out of memory");
}

/* Feed the parser until a row is complete or the part ends: 1 a row, 0 the end, -1. */
static int
pump(struct xlsx *x, struct dc_error *err)
{
    while (!x->have_row && !x->xp_done) {
        enum XML_Status s;

        if (x->suspended) {
            x->suspended = 0;
            s = XML_ResumeParser(x->xp);
        } else {
            void *buf = XML_GetBuffer(x->xp, CHUNK);
            long n;

            if (!buf)
                return dc_error_set(err, DC_EX_OSERR, "out of memory");
            n = xlsx_part_read(x, x->sf, x->sf_comp, &x->sf_out, buf, CHUNK, err);
            if (n < 0)
                return -1;
            s = XML_ParseBuffer(x->xp, (int)n, n == 0);
            if (n == 0 && s == XML_STATUS_OK)
                x->xp_done = 1;
        }
        if (s == XML_STATUS_SUSPENDED) {
            x->suspended = 1;
        } else if (s != XML_STATUS_OK || x->bad) {
            return xlsx_xml_error(x, x->base.sheet, err);
        } else {
            XML_ParsingStatus ps;

            XML_GetParsingStatus(x->xp, &ps);
            if (ps.parsing == XML_FINISHED)
                x->xp_done = 1;
        }
    }
    return x->have_row;
}

/* A merged cell's value in each row it covers: the top row keeps its value for those
 * below it. */
static int
apply_merges(struct xlsx *x, struct wb_row *w, long rownum)
{
    size_t k = 0;

    while (x->mnext < x->nm && x->m[x->mnext].r1 <= rownum) {
        int clash = 0;

        /* merges never overlap in a sheet Excel wrote: one over a column an active one
         * holds is ignored, so at most one per column is active (bounded work per row) */
        for (size_t i = 0; i < x->nact && !clash; i++)
            clash = x->m[x->act[i]].c1 == x->m[x->mnext].c1 && x->m[x->act[i]].r2 >= rownum;
        if (x->m[x->mnext].r2 >= rownum && !clash) {
            size_t *q = realloc(x->act, (x->nact + 1) * sizeof *q);

            if (!q)
                return -1;
            x->act = q;
            x->act[x->nact++] = x->mnext;
        }
        x->mnext++;
    }
    for (size_t i = 0; i < x->nact; i++) {
        struct merge *m = &x->m[x->act[i]];
        const char *v = NULL;
        size_t vn = 0;

        if (m->r2 < rownum) {
            free(m->val);
            m->val = NULL;
            continue; /* dropped below */
        }
        for (size_t c = 0; c < w->ncells; c++)
            if (w->cells[c].col == m->c1) {
                v = w->vals.s + w->cells[c].off;
                vn = w->cells[c].len;
            }
        if (m->r1 == rownum) {
            if (v && !(m->val = strndup(v, vn)))
                return -1;
        } else if (!v && m->val) {
            if (wb_row_add(w, m->c1, m->val, strlen(m->val)) < 0)
                return -1;
        }
        x->act[k++] = x->act[i];
    }
    x->nact = k;
    return 0;
}

static int
xlsx_next(struct dc_wb_reader *base, struct dc_csv_row *row, struct dc_error *err)
{
    struct xlsx *x = (struct xlsx *)base;
    int rc;

    if (!x->have_row) {
        rc = pump(x, err);
        if (rc <= 0)
            return rc;
    }
    if (x->gap_next <= x->gap_end) {
        /* a row the part leaves out is a blank row of the sheet */
        wb_row_clear(&x->blank, x->gap_next);
        if (x->nm && apply_merges(x, &x->blank, x->gap_next) < 0)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        x->gap_next++;
        return wb_row_emit(&x->blank, base->conv, base->max_field, row, err) < 0 ? -1 : 1;
    }
    x->have_row = 0;
    if (x->nm && apply_merges(x, &base->row, base->row.rownum) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    return wb_row_emit(&base->row, base->conv, base->max_field, row, err) < 0 ? -1 : 1;
}

static void
xlsx_close(struct dc_wb_reader *base)
{
    struct xlsx *x = (struct xlsx *)base;

    if (x->xp)
        XML_ParserFree(x->xp);
    if (x->sf)
        zip_fclose(x->sf);
    if (x->z)
        zip_discard(x->z);
    dc_buf_release(&x->sst);
    free(x->sst_off);
    free(x->xf_date);
    free(x->fmt);
    for (size_t i = 0; i < x->nm; i++)
        free(x->m[i].val);
    free(x->m);
    free(x->act);
    dc_buf_release(&x->text);
    wb_row_release(&x->blank);
    wb_fini(base);
    free(x);
}

static const struct wb_ops xlsx_ops = {xlsx_next, xlsx_close};

/* The sheets' names for a message: "'A', 'B'". */
static void
sheet_list(const struct sheets *ss, char *out, size_t size)
{
    size_t l = 0;

    out[0] = '\0';
    for (size_t i = 0; i < ss->n && l + 4 < size; i++) {
        snprintf(out + l, size - l, "%s'%.40s'", i ? ", " : "", ss->s[i].name);
        l = strlen(out);
    }
}

static int
choose_sheet(struct xlsx *x, const struct dc_wb_opts *o, char *part, size_t psize,
             struct dc_error *err)
{
    struct rels pk, wr;
    struct sheets ss = {0};
    const struct rel *doc;
    char wbpart[512], dir[512], relpart[600], list[200];
    const char *slash;
    size_t pick = SIZE_MAX;
    int rc = -1;

    memset(&wr, 0, sizeof wr);
    if (xlsx_rels_load(x, "_rels/.rels", &pk, 0, err) < 0) {
        xlsx_rels_free(&pk);
        return -1;
    }
    doc = xlsx_rel_by_type(&pk, "/officeDocument");
    snprintf(wbpart, sizeof wbpart, "%s",
             doc ? doc->target + (doc->target[0] == '/') : "xl/workbook.xml");
    xlsx_rels_free(&pk);
    slash = strrchr(wbpart, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - wbpart + 1) : 0, wbpart);
    snprintf(relpart, sizeof relpart, "%.200s_rels/%.200s.rels", dir, slash ? slash + 1 : wbpart);
    if (zip_name_locate(x->z, wbpart, 0) < 0) {
        dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL,
                    "a zip file, but not an Excel workbook (no %.80s)", wbpart);
        return -1;
    }
    x->sheets = &ss;
    rc = xlsx_parse_part(x, wbpart, 1, xlsx_wb_start, any_end, NULL, err);
    x->sheets = NULL;
    if (rc < 0 || xlsx_rels_load(x, relpart, &wr, 1, err) < 0)
        goto out;
    rc = -1;
    for (size_t i = 0; i < ss.n && pick == SIZE_MAX; i++)
        if (o && o->sheet ? wb_sheet_matches(o->sheet, i, ss.s[i].name) : !ss.s[i].hidden)
            pick = i;
    if (o && o->sheet && pick == SIZE_MAX) /* a name wins over a number: look again by name */
        for (size_t i = 0; i < ss.n && pick == SIZE_MAX; i++)
            if (strcmp(o->sheet, ss.s[i].name) == 0)
                pick = i;
    sheet_list(&ss, list, sizeof list);
    if (pick == SIZE_MAX) {
        if (o && o->sheet)
            dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL, "no sheet '%.60s' (sheets: %s)",
                        o->sheet, list);
        else
            dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL, "no visible sheet");
        goto out;
    }
    snprintf(x->base.sheet, sizeof x->base.sheet, "%s", ss.s[pick].name);
    for (size_t i = 0; i < wr.n; i++)
        if (strcmp(wr.r[i].id, ss.s[pick].rid) == 0) {
            xlsx_resolve(dir, wr.r[i].target, part, psize);
            rc = 0;
        }
    if (rc < 0) {
        dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL,
                    "corrupt workbook: sheet '%.60s' has no part", ss.s[pick].name);
        goto out;
    }
    {
        const struct rel *s = xlsx_rel_by_type(&wr, "/sharedStrings");
        const struct rel *y = xlsx_rel_by_type(&wr, "/styles");
        char p[600];

        if (s) {
            xlsx_resolve(dir, s->target, p, sizeof p);
            rc = xlsx_parse_part(x, p, 0, sst_start, sst_end, sst_text, err);
            x->in_is = x->in_t = x->rph = 0;
        }
        if (rc == 0 && y) {
            xlsx_resolve(dir, y->target, p, sizeof p);
            rc = xlsx_parse_part(x, p, 0, styles_start, styles_end, NULL, err);
            free(x->fmt);
            x->fmt = NULL;
            x->nfmt = x->fmt_cap = 0;
        }
    }
out:
    xlsx_rels_free(&wr);
    xlsx_sheets_free(&ss);
    return rc;
}

struct dc_wb_reader *
wb_xlsx_open(const char *path, const struct dc_wb_opts *o, struct dc_error *err)
{
    struct xlsx *x = calloc(1, sizeof *x);
    char part[600];
    int ze = 0;

    if (!x) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    x->base.ops = &xlsx_ops;
    if (wb_init(&x->base, path, o, err) < 0)
        goto fail;
    x->max_record = x->base.max_field * 16 > (1u << 20) ? x->base.max_field * 16 : (1u << 20);
    x->z = zip_open(path, ZIP_RDONLY, &ze);
    if (!x->z) {
        zip_error_t ze2;

        zip_error_init_with_code(&ze2, ze);
        dc_error_at(err, ze == ZIP_ER_OPEN || ze == ZIP_ER_READ ? DC_EX_NOINPUT : DC_EX_DATAERR,
                    path, 0, NULL, "not a readable workbook (zip: %s)", zip_error_strerror(&ze2));
        zip_error_fini(&ze2);
        goto fail;
    }
    if (choose_sheet(x, o, part, sizeof part, err) < 0 || scan_merges(x, part, err) < 0)
        goto fail;
    x->sf = xlsx_part_open(x, part, &x->sf_comp, 1, err);
    if (!x->sf)
        goto fail;
    if (!xlsx_xml_new(x, sh_start, sh_end, sh_text)) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    return &x->base;
fail:
    xlsx_close(&x->base);
    return NULL;
}
