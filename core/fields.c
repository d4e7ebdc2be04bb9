/*
 * fields.c - names of the canonical input fields (the table is in fields.h).
 */
#include "fields.h"

#include <string.h>

static const char *const names[] = {
#define DC_X_NAME(e, name, desc) name,
    DC_FIELD_LIST(DC_X_NAME)
#undef DC_X_NAME
};

static const char *const descs[] = {
#define DC_X_DESC(e, name, desc) desc,
    DC_FIELD_LIST(DC_X_DESC)
#undef DC_X_DESC
};

const char *
dc_field_name(enum dc_field f)
{
    return (unsigned)f < DC_F_COUNT ? names[f] : NULL;
}

const char *
dc_field_desc(enum dc_field f)
{
    return (unsigned)f < DC_F_COUNT ? descs[f] : NULL;
}

int
dc_field_by_name(const char *name)
{
    for (int i = 0; i < DC_F_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
