/*
 * import.h - read one extract into src_row / reject, one transaction per file.
 *
 * Nothing lost, nothing doubled: every row of the file below its header becomes one
 * src_row, one reject row (reason, file, line, raw bytes) or a skipped row of a named kind,
 * and rows_read = imported + rejected + skipped is stored on the batch.
 *
 * Files as clerks keep them: a CSV/TSV text, or an Excel workbook (.xlsx, .xls: told by its
 * bytes, read through core/io/).  The header is the row among the first 30 whose cells
 * name the most fields (header.c's aliases), so the national motto and a title above it
 * are skipped and counted; --header-row forces it.  Below it: a row with no value in any
 * mapped column is a blank row (skipped); a total line, the place-and-date line and the
 * signature lines after the last person are footer rows (skipped); any other row with
 * neither a name nor an ID is rejected with that reason.  A file that
 * fails as a whole (corrupt .gz, undecidable encoding, I/O error) leaves
 * nothing behind: its transaction is rolled back.  The same bytes (SHA-256)
 * imported again are a no-op unless forced.
 *
 * Not for: cleaning values (normalize does that); src_row keeps the text as
 * read, decoded to UTF-8 NFC.
 */
#ifndef DC_IMPORT_H
#define DC_IMPORT_H

#include "csvio.h"
#include "db.h"
#include "header.h"

/* Longest source name in bytes.  Names are kept whole, never cut (a cut inside a UTF-8
 * sequence made invalid text and merged two long names, issue 19); a base name is at most
 * NAME_MAX (255) bytes, so only a longer --source is refused. */
#define DC_IMPORT_SOURCE_MAX 1024

struct dc_import_opts {
    const char *source;           /* --source, NULL = the file's base name */
    struct dc_csv_opts csv;       /* encoding, delimiter, limits */
    const struct dc_mapfile *map; /* --map, may be NULL */
    int force;                    /* import the same bytes again as a new batch */
    int replace;                  /* a corrected extract: the earlier import batches of
                                       the same source go, in the same transaction (their
                                       rows and rejects; what normalize and later stages
                                       made of them is stale until normalize runs) */
    const char *sheet;            /* workbooks: sheet name or number; NULL = first visible */
    long header_row;              /* the header's row (line, or sheet row); 0 = find it */
    const char *now_iso;          /* batch start time ("2026-11-26T00:00:00Z") */
    /* called every few thousand rows (progress line); may be NULL */
    void (*progress)(void *ud, unsigned long long bytes, long rows);
    void *progress_ud;
};

struct dc_import_summary {
    long long batch_id;                 /* 0 when nothing was committed */
    long long duplicate_of;             /* batch holding the same bytes (skipped), else 0 */
    long rows_read, imported, rejected; /* rows below the header... */
    long skipped_above, skipped_blank, skipped_footer; /* ...and rows skipped, by kind */
    long replaced_batches, replaced_rows; /* --replace: earlier batches of the source removed,
                                             and their records */
    long header_row;                      /* line (CSV) or sheet row of the header */
    char kind[8];                         /* "csv", "xlsx", "xls" */
    char sheet[128];                      /* workbooks: the sheet read */
    char source[DC_IMPORT_SOURCE_MAX + 1];
    char encoding[16];
    double confidence;
    int delimiter;
    char sha256[65];
    char rows_sha256[65];    /* SHA-256 of the decoded rows (header, records, rejects) */
    int duplicate_rows;      /* duplicate_of holds the same rows in other bytes */
    long overlap_rows;       /* rows equal to rows of one earlier batch of the source... */
    long long overlap_batch; /* ...this one (the batch most of them equal); 0 = none */
    size_t ncols;
    char **headers;            /* owned: the header row as read (a two-row header
                                   combined: "Năm sinh > Nam") */
    struct dc_header_map *map; /* owned: how each column was mapped */
    int header_rows;           /* lines of header: 1, 2 (group row + sub-columns), or one
                                   more for a row of column numbers */
    int nmissing;              /* person fields no column gives ... */
    char missing[128];         /* ... named: "ngày sinh, giới tính" ("" when none) */
    /* Findings of the mapping, counted per row (the values stay in src_row or extra):
     * split Nam | Nữ columns both filled or both empty, ID columns disagreeing. */
    long split_both, split_none, id_conflict;
    long header_repeats; /* rows equal to the header row (files joined): skipped,
                                   not in rows_read; batch.detail "header_repeats" */
    long split_both_line, split_none_line, id_conflict_line; /* first such line */
};

/* Import path ("-" = stdin) into db.  Returns 0 (also when the file was a
 * duplicate: see duplicate_of) or -1 with err set and nothing committed. */
int dc_import_file(struct dc_db *db, const char *path, const struct dc_import_opts *o,
                   struct dc_import_summary *s, struct dc_error *err);

/* Free what a summary owns; accepts a zeroed summary. */
void dc_import_summary_release(struct dc_import_summary *s);

/* Stages in order (issue 14): how many import batches were committed after the last
 * finished normalize (all of them when there was none: *normalized = 0).  dedup,
 * crosscheck and export read person, which only normalize writes.  0 or -1. */
int dc_import_since_normalize(struct dc_db *db, long *batches, int *normalized,
                              struct dc_error *err);

/* The default source name of a path: base name without .gz/.csv/.tsv/.txt/.xlsx/.xls, kept
 * whole;
 * bytes that are not UTF-8 or are control characters become the text "\xNN".  -1 when
 * the name does not fit in size (nothing is cut). */
int dc_import_source_name(const char *path, char *out, size_t size);

/* NULL when name is a usable --source (UTF-8, no control character, at most
 * DC_IMPORT_SOURCE_MAX bytes, not empty), else why not. */
const char *dc_import_source_check(const char *name);

/* The first n rejects of a batch in file order, for the command's message: fn gets each
 * one's physical line and reason (reasons name fields and counts, never values).  Returns
 * 0, or -1 with err set; a non-zero return of fn stops the walk and is returned. */
int dc_import_rejects_head(struct dc_db *db, long long batch_id, int n,
                           int (*fn)(void *ud, long long line, const char *reason), void *ud,
                           struct dc_error *err);

#endif
