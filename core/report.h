/*
 * report.h - the data-quality report of a staging database as one
 * self-contained HTML page (issue 9): inline CSS, charts as inline SVG, no
 * script, font, image or link that would touch the network; Vietnamese with an
 * English switch (a CSS :checked toggle, so nothing can fail in a console).
 *
 * Privacy (reliability.md §3): the page carries counts, codes and ID numbers
 * masked to their first 3 and last 2 digits; never a name, a birth date or an
 * address.  Every value read from the DB is HTML-escaped.
 *
 * Not for: writing the file (cmd/report.c does it atomically, mode 0600), the
 * numbers themselves (core/stats.c).
 */
#ifndef DC_REPORT_H
#define DC_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"
#include "error.h"

struct dc_report_opts {
    const char *lang;    /* language shown first: "vi" (default, also NULL) or "en" */
    long long now;       /* seconds since the epoch (UTC): the "generated" time */
    const char *version; /* tool version shown in the run info */
    const char *db_name; /* the DB as named on the command line (shown escaped) */
};

/* Write the report of db to fp.  Write errors -> DC_EX_IOERR. */
int dc_report_write(struct dc_db *db, const struct dc_report_opts *o, FILE *fp,
                    struct dc_error *err);

/* Mask an ID number for display: keep the first 3 and last 2 characters and
 * put '*' in between ("001234567845" -> "001*******45"); IDs of 5 characters
 * or fewer, or with non-ASCII bytes, become all '*' (at most cap - 1 of them).
 * "" for NULL. */
void dc_report_mask_id(const char *id, char *out, size_t cap);

/* Append s to b with & < > " ' escaped (NULL appends nothing). */
struct dc_buf;
void dc_report_html_escape(struct dc_buf *b, const char *s);

#endif
