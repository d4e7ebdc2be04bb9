/*
 * normalize.h - one raw record (the canonical input fields) to canonical form.
 *
 * Names: mojibake repaired (encoding.c), then NFC, spacing, punctuation,
 * Vietnamese title case and one tone-placement policy (vntext.c).  Dates:
 * ISO text with a precision, impossible dates kept raw (vndate.c).  Sex:
 * M/F.  IDs: 12-digit ID and 9-digit CMND apart, a lost leading zero
 * restored (vnid.c).  Addresses: catalogue codes of both eras (address.c).
 * Ethnic group: the catalogue's name and 2008 code when loaded.
 *
 * Every value that changes is reported through a callback as (field,
 * before, after, rule) so a clerk can see why; a flag that changes nothing
 * (a name typed without diacritics) is reported with before = after.
 *
 * dc_normalize_db() runs it over every src_row of the DB in one transaction
 * and replaces person, change and change_count: re-running gives the same
 * tables.  A change of substance is a change row; a format-only one
 * (dc_normalize_change_format_only) is counted in change_count by import batch, field
 * and rule, its value as typed being in src_row (issue 17).
 *
 * Not for: parsing each kind of value (the modules above do that).
 */
#ifndef DC_NORMALIZE_H
#define DC_NORMALIZE_H

#include "db.h"
#include "fields.h"
#include "progress.h"
#include "person.h"
#include "vntext.h"

struct dc_catalog;
struct dc_ethnic_table;

struct dc_normalize_opts {
    enum dc_tone_style tone;              /* DC_TONE_OLD (default) or DC_TONE_NEW */
    int pivot_year;                       /* year of "today", for two-digit years */
    const struct dc_catalog *cat;         /* address catalogue; NULL = no address matching */
    const struct dc_ethnic_table *ethnic; /* may be NULL */
    /* dc_normalize_db: called every DC_PROGRESS_EVERY records; may be NULL */
    dc_progress_fn progress;
    void *progress_ud;
    /* dc_normalize_db: threads in all, this one reading and writing the DB, the others
     * normalizing; 0 = the machine's (util/threads.h).  The tables do not depend on it. */
    int threads;
};

/* Called once per changed value.  before/after are borrowed for the call. */
typedef int (*dc_change_fn)(void *ud, const char *field, const char *before, const char *after,
                            const char *rule);

/* Per-record storage the output person points into; reused across records.
 * It also remembers recent results (names, addresses, sex and ethnic
 * spellings: the same values recur across a register), keyed by the options'
 * tone style, catalogue and ethnic table: free the buffer before the
 * catalogue or table it was used with (a new object at a freed one's
 * address would be taken for it).  About 20 MB once used. */
struct dc_norm_buf;
struct dc_norm_buf *dc_norm_buf_new(void);
void dc_norm_buf_free(struct dc_norm_buf *b);

/* Normalize raw[DC_F_COUNT] (NULL or "" = not given) into *p, whose strings
 * live in b until the next call.  Provenance fields of p are left as they are. */
int dc_normalize_record(const char *const *raw, const struct dc_normalize_opts *o,
                        struct dc_norm_buf *b, struct dc_person *p, dc_change_fn change, void *ud,
                        struct dc_error *err);

/* 1 when rule only writes the same value another way: a date in ISO form
 * ("date-iso"), a sex spelling as its code ("sex-code"), a name whose only
 * changes are spacing and Unicode normalization ("space", "nfc", "nfc,space").
 * A name re-cased, respelled or with its tone mark moved, restored zeros or
 * diacritics, a moved field, a value kept raw: 0 (a change row each). */
int dc_normalize_change_format_only(const char *rule);

/* Ethnic names/codes from the DB's ethnic table (NULL table when empty). */
int dc_ethnic_table_load(struct dc_db *db, struct dc_ethnic_table **out, struct dc_error *err);
void dc_ethnic_table_free(struct dc_ethnic_table *t);

struct dc_normalize_summary {
    long long batch_id;
    long records;
    long changes;         /* every change: rows written plus format-only ones counted */
    long changes_counted; /* of which format-only, counted in change_count */
    long names_changed, dates_invalid, addr_matched, addr_total;
};

/* Rebuild person, change and change_count from all of src_row, in one transaction. */
int dc_normalize_db(struct dc_db *db, const struct dc_normalize_opts *o, const char *now_iso,
                    struct dc_normalize_summary *s, struct dc_error *err);

/* ---- a CSV file through dc_normalize_record (normalize_csv.c) ---- */

struct dc_csv_row;
struct dc_csv_writer;

/* What dc_normalize_csv hands back for each row of a file. */
struct dc_normalize_csv_cb {
    /* a person (its strings live until the next row); -1 with err set stops the file */
    int (*person)(void *ud, const struct dc_person *p, struct dc_error *err);
    /* a row the CSV reader rejected (ragged, bad bytes), with the file's source name as
     * import gives it; NULL: such rows are skipped */
    int (*reject)(void *ud, const char *path, const char *source, const struct dc_csv_row *row,
                  struct dc_error *err);
    void *ud;
    long header_repeats; /* out: rows equal to the file's header (files joined): skipped */
};

/* Each row of the CSV file path (any header the import understands; "-" = stdin),
 * normalized with o in b, to cb.  Provenance: source as import names the file, src_row,
 * src_line.  0 at the end of the file, -1 with err set. */
int dc_normalize_csv(const char *path, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
                     struct dc_normalize_csv_cb *cb, struct dc_error *err);

/* The filter `dancu normalize FILE`: each person as a row of the person CSV (personcsv.h)
 * on w; cb->person is not used (rejects and header_repeats as dc_normalize_csv). */
int dc_normalize_csv_to(const char *path, const struct dc_normalize_opts *o, struct dc_norm_buf *b,
                        struct dc_csv_writer *w, struct dc_normalize_csv_cb *cb,
                        struct dc_error *err);

#endif
