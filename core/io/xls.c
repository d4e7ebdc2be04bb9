/*
 * xls.c - Excel 97-2003 workbooks (.xls, BIFF8 in an OLE2 compound file) through libfreexl,
 * one sheet row by row (workbook.h).  Not for: .xlsx (xlsx.c).
 *
 * libfreexl reads the whole workbook at open (the format caps a sheet at 65,536 rows and
 * 256 columns) and gives each cell typed: integers and doubles, text (UTF-8), and numbers
 * whose format is a date as 'YYYY-MM-DD' (or with ' HH:MM:SS').  It does not report
 * merged cells, hidden rows or hidden sheets: the first sheet is the default.
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freexl.h>

struct xls {
    struct dc_wb_reader base; /* first */
    const void *h;
    unsigned int nrows, next;
    unsigned short ncols;
};

static int
xls_next(struct dc_wb_reader *base, struct dc_csv_row *row, struct dc_error *err)
{
    struct xls *x = (struct xls *)base;
    struct wb_row *w = &base->row;

    if (x->next >= x->nrows)
        return 0;
    wb_row_clear(w, (long)x->next + 1);
    for (unsigned short c = 0; c < x->ncols; c++) {
        FreeXL_CellValue v;
        char num[64];
        const char *s = NULL;

        if (freexl_get_cell_value(x->h, x->next, c, &v) != FREEXL_OK)
            return dc_error_at(err, DC_EX_DATAERR, base->path, (long)x->next + 1, NULL,
                               "corrupt workbook (cell in column %u)", c + 1u);
        switch (v.type) {
        case FREEXL_CELL_INT:
            snprintf(num, sizeof num, "%d", v.value.int_value);
            s = num;
            break;
        case FREEXL_CELL_DOUBLE:
            dc_wb_number_text(v.value.double_value, num, sizeof num);
            s = num;
            break;
        case FREEXL_CELL_TEXT:
        case FREEXL_CELL_SST_TEXT:
        case FREEXL_CELL_DATE:
        case FREEXL_CELL_DATETIME:
        case FREEXL_CELL_TIME:
            s = v.value.text_value;
            break;
        default:
            break;
        }
        if (s && wb_row_add(w, c, s, strlen(s)) < 0)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    x->next++;
    return wb_row_emit(w, base->conv, base->max_field, row, err) < 0 ? -1 : 1;
}

static void
xls_close(struct dc_wb_reader *base)
{
    struct xls *x = (struct xls *)base;

    if (x->h)
        freexl_close(x->h);
    wb_fini(base);
    free(x);
}

static const struct wb_ops xls_ops = {xls_next, xls_close};

struct dc_wb_reader *
wb_xls_open(const char *path, const struct dc_wb_opts *o, struct dc_error *err)
{
    struct xls *x = calloc(1, sizeof *x);
    unsigned int nsheets = 0;
    unsigned short pick = 0;
    int found = 0, rc;
    char list[200];
    size_t l = 0;

    if (!x) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    x->base.ops = &xls_ops;
    if (wb_init(&x->base, path, o, err) < 0)
        goto fail;
    if (x->base.bytes > x->base.max_bytes) {
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "workbook over %llu bytes",
                    x->base.max_bytes);
        goto fail;
    }
    rc = freexl_open(path, &x->h);
    if (rc != FREEXL_OK) {
        x->h = NULL;
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL,
                    "not a readable Excel 97-2003 workbook (libfreexl error %d)", rc);
        goto fail;
    }
    if (freexl_get_info(x->h, FREEXL_BIFF_SHEET_COUNT, &nsheets) != FREEXL_OK || nsheets == 0) {
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "workbook without sheets");
        goto fail;
    }
    list[0] = '\0';
    for (unsigned short i = 0; i < nsheets && i < 4096; i++) {
        const char *name = NULL;

        if (freexl_get_worksheet_name(x->h, i, &name) != FREEXL_OK || !name)
            name = "";
        if (l + 4 < sizeof list) {
            snprintf(list + l, sizeof list - l, "%s'%.40s'", i ? ", " : "", name);
            l = strlen(list);
        }
        if (!found && (!o || !o->sheet || wb_sheet_matches(o->sheet, i, name))) {
            pick = i;
            found = 1;
            snprintf(x->base.sheet, sizeof x->base.sheet, "%s", name);
        }
    }
    if (!found) {
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "no sheet '%.60s' (sheets: %s)", o->sheet,
                    list);
        goto fail;
    }
    if (freexl_select_active_worksheet(x->h, pick) != FREEXL_OK ||
        freexl_worksheet_dimensions(x->h, &x->nrows, &x->ncols) != FREEXL_OK) {
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "corrupt workbook (sheet '%.60s')",
                    x->base.sheet);
        goto fail;
    }
    return &x->base;
fail:
    xls_close(&x->base);
    return NULL;
}
