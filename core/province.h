/*
 * province.h - the 63 provinces and centrally-run cities before 1 July 2025: one table for
 * the address catalogue built in when none is loaded (addr/load.c) and the province part
 * of ID numbers (vnid.c), which each had their own (issue 18).
 *
 * For: the pre-2025 province codes and names.  Not for: districts and wards (the catalogue
 * files in refdata/), the 34 provinces of 2025 and the old -> new map (addr/load.c, with
 * the catalogue they stand in for).
 */
#ifndef DC_PROVINCE_H
#define DC_PROVINCE_H

#include <stddef.h>

struct dc_province {
    const char *code;    /* GSO code, two digits ("01"); an ID's province is "0" + code */
    const char *name;    /* GSO catalogue name, with its unit type ("Thành phố Hà Nội") */
    const char *id_name; /* as Circular 07/2016/TT-BCA Annex 1 writes it ("Hà Nội") */
};

/* The table, in code order. */
size_t dc_province_count(void);
const struct dc_province *dc_province_get(size_t i);
/* The province of a two-digit GSO code, or NULL. */
const struct dc_province *dc_province_find(const char *code);

#endif
