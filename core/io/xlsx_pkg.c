/*
 * io/xlsx_pkg.c - the package around an .xlsx sheet: its zip parts read against the size
 * and zip-bomb limits, a whole part parsed with expat (no DTD, bounded depth), the
 * relationships (the _rels parts) and the workbook's list of sheets.
 * Not for: the shared strings, styles, merges and the sheet itself (xlsx.c).
 */
#include "xlsx_int.h"

/* ---- zip parts -------------------------------------------------------------------------- */

/* Read up to cap bytes of an open part, counting against the limits. */
long
xlsx_part_read(struct xlsx *x, zip_file_t *f, zip_uint64_t comp, unsigned long long *out, char *buf,
               size_t cap, struct dc_error *err)
{
    zip_int64_t n = zip_fread(f, buf, cap);

    if (n < 0)
        return dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL, "corrupt workbook (zip: %s)",
                           zip_file_strerror(f));
    *out += (unsigned long long)n;
    x->out_total += (unsigned long long)n;
    if (x->out_total > x->base.max_bytes)
        return dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL,
                           "workbook over %llu bytes unpacked (zip bomb?); raise the limit if "
                           "this is expected",
                           x->base.max_bytes);
    if (*out > BOMB_MIN && *out / BOMB_RATIO > comp)
        return dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL,
                           "zip bomb: a part unpacks to over %llu times its size", BOMB_RATIO);
    return (long)n;
}

zip_file_t *
xlsx_part_open(struct xlsx *x, const char *name, zip_uint64_t *comp, int required,
               struct dc_error *err)
{
    zip_int64_t i = zip_name_locate(x->z, name, 0);
    zip_stat_t st;
    zip_file_t *f;

    if (i < 0) {
        if (required)
            dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL,
                        "not an Excel workbook: no part '%.80s'", name);
        return NULL;
    }
    zip_stat_init(&st);
    if (zip_stat_index(x->z, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_COMP_SIZE)) {
        dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL, "corrupt workbook (part %.80s)",
                    name);
        return NULL;
    }
    *comp = st.comp_size;
    f = zip_fopen_index(x->z, (zip_uint64_t)i, 0);
    if (!f)
        dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL, "corrupt workbook (part %.80s: %s)",
                    name, zip_strerror(x->z));
    return f;
}

/* ---- XML plumbing ---------------------------------------------------------------------- */

static void XMLCALL
no_dtd(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub, int internal)
{
    struct xlsx *x = ud;

    (void)name, (void)sys, (void)pub, (void)internal;
    x->bad = 1;
    snprintf(x->bad_msg, sizeof x->bad_msg, "a DTD in a workbook part (refused)");
    XML_StopParser(x->xp, XML_FALSE);
}

XML_Parser
xlsx_xml_new(struct xlsx *x, XML_StartElementHandler s, XML_EndElementHandler e,
             XML_CharacterDataHandler c)
{
    XML_Parser p = XML_ParserCreate("UTF-8");

    if (!p)
        return NULL;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, s, e);
    XML_SetCharacterDataHandler(p, c);
    XML_SetStartDoctypeDeclHandler(p, no_dtd);
    x->xp = p;
    x->depth = 0;
    x->bad = 0;
    return p;
}

int
xlsx_xml_error(struct xlsx *x, const char *part, struct dc_error *err)
{
    if (x->bad)
        return dc_error_at(err, DC_EX_DATAERR, x->base.path, 0, NULL, "%.60s: %s", part,
                           x->bad_msg);
    return dc_error_at(
        err, DC_EX_DATAERR, x->base.path, 0, NULL, "corrupt workbook (%.60s line %lu: %s)", part,
        (unsigned long)XML_GetCurrentLineNumber(x->xp), XML_ErrorString(XML_GetErrorCode(x->xp)));
}

/* Parse a whole part with the handlers given (missing and optional: 0). */
int
xlsx_parse_part(struct xlsx *x, const char *name, int required, XML_StartElementHandler s,
                XML_EndElementHandler e, XML_CharacterDataHandler c, struct dc_error *err)
{
    zip_uint64_t comp = 0;
    unsigned long long out = 0;
    zip_file_t *f = xlsx_part_open(x, name, &comp, required, err);
    XML_Parser p;
    int rc = 0;

    if (!f)
        return required ? -1 : 0;
    p = xlsx_xml_new(x, s, e, c);
    if (!p) {
        zip_fclose(f);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    for (;;) {
        void *buf = XML_GetBuffer(p, CHUNK);
        long n;

        if (!buf) {
            rc = dc_error_set(err, DC_EX_OSERR, "out of memory");
            break;
        }
        n = xlsx_part_read(x, f, comp, &out, buf, CHUNK, err);
        if (n < 0) {
            rc = -1;
            break;
        }
        if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK || x->bad) {
            rc = xlsx_xml_error(x, name, err);
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(p);
    x->xp = NULL;
    zip_fclose(f);
    return rc;
}

/* ---- relationships --------------------------------------------------------------------- */

static void XMLCALL
rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xlsx *x = ud;
    struct rels *rs = x->rels;
    const char *id, *type, *target;

    if (!enter(x))
        return;
    if (strcmp(local(name), "Relationship") != 0)
        return;
    id = attr(a, "Id");
    type = attr(a, "Type");
    target = attr(a, "Target");
    if (!id || !type || !target)
        return;
    if (rs->n == rs->cap) {
        size_t c = rs->cap ? rs->cap * 2 : 16;
        struct rel *q = c <= 4 * MAX_SHEETS ? realloc(rs->r, c * sizeof *q) : NULL;

        if (!q) {
            stop(x, "too many relationships");
            return;
        }
        rs->r = q;
        rs->cap = c;
    }
    rs->r[rs->n].id = strdup(id);
    rs->r[rs->n].type = strdup(type);
    rs->r[rs->n].target = strdup(target);
    if (!rs->r[rs->n].id || !rs->r[rs->n].type || !rs->r[rs->n].target) {
        free(rs->r[rs->n].id);
        free(rs->r[rs->n].type);
        free(rs->r[rs->n].target);
        stop(x, "out of memory");
        return;
    }
    rs->n++;
}

void
xlsx_rels_free(struct rels *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->r[i].id);
        free(rs->r[i].type);
        free(rs->r[i].target);
    }
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

int
xlsx_rels_load(struct xlsx *x, const char *part, struct rels *rs, int required,
               struct dc_error *err)
{
    int rc;

    memset(rs, 0, sizeof *rs);
    rs->x = x;
    x->rels = rs;
    rc = xlsx_parse_part(x, part, required, rels_start, any_end, NULL, err);
    x->rels = NULL;
    return rc;
}

const struct rel *
xlsx_rel_by_type(const struct rels *rs, const char *suffix)
{
    size_t sl = strlen(suffix);

    for (size_t i = 0; i < rs->n; i++) {
        size_t tl = strlen(rs->r[i].type);

        if (tl >= sl && strcmp(rs->r[i].type + tl - sl, suffix) == 0)
            return &rs->r[i];
    }
    return NULL;
}

/* A relationship's target as a part name: absolute ("/xl/x.xml") or relative to dir. */
void
xlsx_resolve(const char *dir, const char *target, char *out, size_t size)
{
    if (target[0] == '/')
        snprintf(out, size, "%s", target + 1);
    else
        snprintf(out, size, "%s%s", dir, target);
}

/* ---- workbook: the sheets --------------------------------------------------------------- */

void XMLCALL
xlsx_wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xlsx *x = ud;
    struct sheets *ss = x->sheets;
    const char *n, *rid, *state;

    if (!enter(x) || strcmp(local(name), "sheet") != 0)
        return;
    n = attr(a, "name");
    rid = attr(a, "id");
    state = attr(a, "state");
    if (!n || !rid)
        return;
    if (ss->n == ss->cap) {
        size_t c = ss->cap ? ss->cap * 2 : 8;
        struct sheet_info *q = c <= MAX_SHEETS ? realloc(ss->s, c * sizeof *q) : NULL;

        if (!q) {
            stop(x, "too many sheets");
            return;
        }
        ss->s = q;
        ss->cap = c;
    }
    ss->s[ss->n].name = strdup(n);
    ss->s[ss->n].rid = strdup(rid);
    ss->s[ss->n].target = NULL;
    ss->s[ss->n].hidden = state && strcmp(state, "visible") != 0;
    if (!ss->s[ss->n].name || !ss->s[ss->n].rid) {
        free(ss->s[ss->n].name);
        free(ss->s[ss->n].rid);
        stop(x, "out of memory");
        return;
    }
    ss->n++;
}

void
xlsx_sheets_free(struct sheets *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->s[i].name);
        free(ss->s[i].rid);
    }
    free(ss->s);
}
