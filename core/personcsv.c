/*
 * personcsv.c - the person column table (see personcsv.h).
 */
#include "personcsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vndate.h"

enum kind { STR, INT, PREC, SEX, REAL };

#define S(f)                                                                                       \
    {                                                                                              \
#f, STR, offsetof(struct dc_person, f)                                                     \
    }
static const struct {
    const char *name;
    enum kind kind;
    size_t off;
} cols[] = {
    {"source", STR, offsetof(struct dc_person, source)},
    {"src_row", INT, offsetof(struct dc_person, src_row)},
    S(full_name),
    S(family_name),
    S(middle_name),
    S(given_name),
    S(dob),
    {"dob_precision", PREC, offsetof(struct dc_person, dob_precision)},
    {"sex", SEX, offsetof(struct dc_person, sex)},
    S(id12),
    S(cmnd),
    S(ethnic),
    S(ethnic_code),
    S(province_code),
    S(district_code),
    S(ward_code),
    S(new_province_code),
    S(new_ward_code),
    S(address_detail),
    S(address_raw),
    {"addr_confidence", REAL, offsetof(struct dc_person, addr_confidence)},
    S(addr_reason),
    S(issue_date),
    S(expiry_date),
    S(dob_raw),
    S(sex_raw),
    S(id_raw),
    S(name_key),
    S(mrz),
    S(qr),
};
#undef S

size_t
dc_pcol_count(void)
{
    return sizeof cols / sizeof cols[0];
}

const char *
dc_pcol_name(size_t i)
{
    return i < dc_pcol_count() ? cols[i].name : NULL;
}

int
dc_pcol_find(const char *name)
{
    for (size_t i = 0; i < dc_pcol_count(); i++)
        if (strcmp(cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *
dc_pcol_get(const struct dc_person *p, size_t i, char *tmp)
{
    const char *base = (const char *)p;

    if (i >= dc_pcol_count())
        return NULL;
    switch (cols[i].kind) {
    case STR:
        return *(const char *const *)(base + cols[i].off);
    case INT:
        snprintf(tmp, DC_PCOL_TMP, "%lld", (long long)*(const int64_t *)(base + cols[i].off));
        return tmp;
    case PREC: {
        const char *s =
            dc_date_precision_name(*(const enum dc_date_precision *)(base + cols[i].off));
        return *s ? s : NULL;
    }
    case SEX:
        if (!p->sex)
            return NULL;
        tmp[0] = p->sex;
        tmp[1] = '\0';
        return tmp;
    case REAL:
        if (!p->address_raw || !*p->address_raw)
            return NULL;
        snprintf(tmp, DC_PCOL_TMP, "%.2f", *(const double *)(base + cols[i].off));
        return tmp;
    }
    return NULL;
}

int
dc_pcol_set(struct dc_person *p, size_t i, const char *v)
{
    char *base = (char *)p, *end;

    if (i >= dc_pcol_count() || !v || !*v)
        return 0;
    switch (cols[i].kind) {
    case STR:
        *(const char **)(base + cols[i].off) = v;
        return 0;
    case INT: {
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || *end)
            return -1;
        *(int64_t *)(base + cols[i].off) = n;
        return 0;
    }
    case PREC: {
        enum dc_date_precision k = dc_date_precision_from_name(v);
        if (k == DC_DATE_NONE)
            return -1;
        *(enum dc_date_precision *)(base + cols[i].off) = k;
        return 0;
    }
    case SEX:
        if ((v[0] == 'M' || v[0] == 'F') && !v[1]) {
            p->sex = v[0];
            return 0;
        }
        return -1;
    case REAL:
        errno = 0;
        p->addr_confidence = strtod(v, &end);
        return errno || *end ? -1 : 0;
    }
    return -1;
}
