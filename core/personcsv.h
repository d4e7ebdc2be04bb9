/*
 * personcsv.h - struct dc_person as CSV columns, both ways.
 *
 * The column list of the filter modes (`dancu normalize -` writes it,
 * `dancu crosscheck -` reads it): the records-export columns of DESIGN.md
 * that exist before dedup, then what crosscheck needs.  One table, so the
 * writer and the reader cannot drift apart.
 *
 * Not for: the DB export (core/export/ reads the person table directly).
 */
#ifndef DC_PERSONCSV_H
#define DC_PERSONCSV_H

#include <stddef.h>

#include "person.h"

enum { DC_PCOL_TMP = 32 };

/* Number of columns and the name of column i. */
size_t dc_pcol_count(void);
const char *dc_pcol_name(size_t i);

/* Value of column i of p as text (NULL when unknown); numbers are written
 * into tmp[DC_PCOL_TMP]. */
const char *dc_pcol_get(const struct dc_person *p, size_t i, char *tmp);

/* Set column i of p from text (borrowed: the text must outlive p's use).
 * Unknown or empty values leave the field unset.  Returns 0, or -1 when a
 * number/precision/sex value is malformed. */
int dc_pcol_set(struct dc_person *p, size_t i, const char *value);

/* Column index of a name, or -1. */
int dc_pcol_find(const char *name);

#endif
