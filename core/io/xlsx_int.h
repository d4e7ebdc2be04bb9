/*
 * io/xlsx_int.h - private to the .xlsx reader (xlsx.c, xlsx_pkg.c): the reader's state,
 * its limits, the package's relationships and sheets, and the small XML helpers every
 * element handler calls (inline: they run for each cell).
 */
#ifndef DC_IO_XLSX_INT_H
#define DC_IO_XLSX_INT_H

#include "wb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#define CHUNK (64u << 10)
#define MAX_DEPTH 64
#define SST_MAX_BYTES (256ull << 20)
#define SST_MAX_COUNT (16u << 20)
#define MAX_COLS 16384u /* XFD */
#define MAX_ROWS 1048576L
#define MAX_MERGES 262144u
#define MAX_SHEETS 4096u
#define BOMB_RATIO 1000ull
#define BOMB_MIN (1ull << 20)

struct rels;
struct sheets;
struct numfmt;

struct merge {
    long r1, r2;
    size_t c1;
    char *val; /* the top-left value, once its row was read */
};

struct sheet_info {
    char *name, *rid, *target;
    int hidden;
};

struct xlsx {
    struct dc_wb_reader base; /* first */
    zip_t *z;
    unsigned long long out_total;
    /* shared strings */
    struct dc_buf sst;
    size_t *sst_off, nsst, sst_cap;
    /* styles: 1 if cellXfs[i] shows a date */
    unsigned char *xf_date;
    size_t nxf;
    /* vertical merges, by r1; active ones */
    struct merge *m;
    size_t nm, mnext, *act, nact;
    /* the sheet stream */
    zip_file_t *sf;
    zip_uint64_t sf_comp;
    unsigned long long sf_out;
    XML_Parser xp;
    int xp_done, suspended;
    int depth, bad; /* bad: the handlers found the part corrupt */
    char bad_msg[128];
    /* the row being read */
    int in_row, in_c, in_v, in_is, in_t, rph;
    long rnum, last;       /* row number being read, last row handed out */
    size_t col, ncol_next; /* column of the cell; next column when a cell has no r */
    int style;
    char ctype; /* 's' 'i'(inlineStr) 'f'(str) 'b' 'e' 'd' 'n' */
    struct dc_buf text;
    int text_over;
    int have_row;           /* a complete row waits in base.row */
    long gap_next, gap_end; /* blank rows to hand out before it */
    struct wb_row blank;
    size_t max_record;
    /* what the handlers fill while one of the small parts is parsed */
    struct rels *rels;
    struct sheets *sheets;
    struct numfmt *fmt;
    size_t nfmt, fmt_cap;
    int in_xfs;
};

/* ---- XML plumbing ---- */

static inline const char *
local(const char *name)
{
    const char *c = strrchr(name, ':');

    return c ? c + 1 : name;
}

/* The attribute whose local name is key (r:id and id both answer "id"). */
static inline const char *
attr(const char **a, const char *key)
{
    for (; a && a[0]; a += 2)
        if (strcmp(local(a[0]), key) == 0)
            return a[1];
    return NULL;
}

static inline int
enter(struct xlsx *x)
{
    if (++x->depth > MAX_DEPTH && !x->bad) {
        x->bad = 1;
        snprintf(x->bad_msg, sizeof x->bad_msg, "XML nested over %d deep", MAX_DEPTH);
        XML_StopParser(x->xp, XML_FALSE);
        return 0;
    }
    return 1;
}

static inline void
stop(struct xlsx *x, const char *msg)
{
    if (x->bad)
        return;
    x->bad = 1;
    snprintf(x->bad_msg, sizeof x->bad_msg, "%s", msg);
    XML_StopParser(x->xp, XML_FALSE);
}

static inline void XMLCALL
any_end(void *ud, const XML_Char *name)
{
    (void)name;
    ((struct xlsx *)ud)->depth--;
}

/* ---- relationships and sheets ---- */

struct rel {
    char *id, *type, *target;
};

struct rels {
    struct xlsx *x;
    struct rel *r;
    size_t n, cap;
};

struct sheets {
    struct sheet_info *s;
    size_t n, cap;
};

/* xlsx_pkg.c */
long xlsx_part_read(struct xlsx *x, zip_file_t *f, zip_uint64_t comp, unsigned long long *out,
                    char *buf, size_t cap, struct dc_error *err);
zip_file_t *xlsx_part_open(struct xlsx *x, const char *name, zip_uint64_t *comp, int required,
                           struct dc_error *err);
XML_Parser xlsx_xml_new(struct xlsx *x, XML_StartElementHandler s, XML_EndElementHandler e,
                        XML_CharacterDataHandler c);
int xlsx_xml_error(struct xlsx *x, const char *part, struct dc_error *err);
int xlsx_parse_part(struct xlsx *x, const char *name, int required, XML_StartElementHandler s,
                    XML_EndElementHandler e, XML_CharacterDataHandler c, struct dc_error *err);
void xlsx_rels_free(struct rels *rs);
int xlsx_rels_load(struct xlsx *x, const char *part, struct rels *rs, int required,
                   struct dc_error *err);
const struct rel *xlsx_rel_by_type(const struct rels *rs, const char *suffix);
void xlsx_resolve(const char *dir, const char *target, char *out, size_t size);
void XMLCALL xlsx_wb_start(void *ud, const XML_Char *name, const XML_Char **a);
void xlsx_sheets_free(struct sheets *ss);

#endif
