/*
 * import/import_int.h - private to core/import/: what the files of the import share (the
 * prepared statements, the batches the reader thread fills, the writer's walk over the
 * rows).  The public face is core/import.h.
 *
 * The files: file.c (dc_import_file: the source name, the file opened as CSV or workbook,
 * the transaction), head.c (the header row found and the columns mapped), pipe.c (the
 * reader thread and its batches, the hash of the decoded rows), rows.c (each row below the
 * header: a record, a reject, a blank or a footer line), assemble.c (a record's values
 * into src_row parameters and extra), stmts.c (the statements and the batch row).
 * Not for: parsing CSV or decoding (csvio, encoding), reading workbooks (io/), header
 * aliases (header).
 *
 * Two threads per file, because reading and writing cost about the same (issue #3, callgrind
 * on the bench's household register, 511k rows: reading, libcsv and decoding 4.3G
 * instructions plus SHA-256, inserting 4.1G): a reader thread runs dc_csv_next and copies
 * rows into batches; this thread inserts them, in order, so the database is byte for byte
 * what one thread would write.  Three batches of at most 512 rows and 256 KiB (plus one row
 * over that) bound the memory whatever the file size.  SQLite and the summary are only
 * touched from this thread; the reader owns the csv reader until it is joined.  If the
 * thread cannot be started, the relay fills the same batches inline, in turn.
 */
#ifndef DC_IMPORT_INT_H
#define DC_IMPORT_INT_H

#include "import.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "io/workbook.h"
#include "json.h"
#include "util/relay.h"

enum {
    PROGRESS_EVERY = 8192,
    FIELD_PARAM = 5, /* parameter of the first field (after batch, row, line, extra) */
    NBATCH = 3,
    BATCH_ROWS = 512,
    BATCH_BYTES = 256 << 10,
    MULTI_ROWS = 64,   /* rows per INSERT statement (see prepare_all) */
    HEADER_SCAN = 30,  /* rows looked at for the header */
    MAX_PENDING = 256, /* footer-like rows held back until the end or the next person */
};

/* ---- the rows of a file, CSV or workbook ------------------------------------------------ */

struct src {
    struct dc_csv_reader *csv;
    struct dc_wb_reader *wb;
};

static inline int
src_next(struct src *r, struct dc_csv_row *row, struct dc_error *err)
{
    return r->wb ? dc_wb_next(r->wb, row, err) : dc_csv_next(r->csv, row, err);
}

static inline unsigned long long
src_bytes(const struct src *r)
{
    return r->wb ? dc_wb_bytes_read(r->wb) : dc_csv_bytes_read(r->csv);
}

/* ---- statements ---- */

struct stmts {
    sqlite3_stmt *row, *rows, *reject, *colmap, *batch_end, *dup;
    int nparam;   /* parameters per src_row row */
    size_t multi; /* rows in one execution of rows (0 = no such statement) */
    char **keys;  /* per column: the JSON key and ": " of its value in extra */
    size_t *keylen;
    size_t ncols;
    unsigned char *to_extra; /* per column: the current row's value goes to extra */
    unsigned char *unmapped; /* per column: no field (to_extra's start for each row) */
    size_t *plain, nplain;   /* columns that feed their own field */
    size_t *ids, nids;       /* ID columns (routed by content), in column order */
    size_t split[2];         /* the Nam and the Nữ column of a split pair, or SIZE_MAX */
    unsigned char present[DC_F_COUNT]; /* src_row columns this file fills ... */
    int fields[DC_F_COUNT], nfields;   /* ... listed, in the INSERT's order */
    long shift;                        /* header lines after the first: taken off src_row numbers */
};

/* ---- reader thread ------------------------------------------------------------------- */

struct brow {
    long rownum, line;
    size_t f0, nf;       /* fields f0 .. f0 + nf - 1 of the batch */
    size_t raw, raw_len; /* offset into mem and length; "" for a good row */
    size_t reason;       /* offset into mem, or SIZE_MAX when the row is fine */
};

struct batch {
    struct brow *rows;
    size_t nrows, rcap;
    size_t *foff, *flen, nf, fcap;
    char *mem;
    size_t used, mcap;
    unsigned long long bytes; /* bytes read once the batch was full (progress line) */
    int last;                 /* 1: the reader stops after this batch (end or error) */
};

struct pipe {
    struct src *r;
    const struct dc_import_summary *s; /* the mapping, set before the reader runs; NULL
                                          while the first batch is read (all raw kept) */
    struct batch b[NBATCH];
    struct dc_relay relay; /* whose turn each batch is: the reader's or the writer's */
    int rc;                /* the reader's last dc_csv_next result */
    struct dc_error err;   /* the reader's error */
    EVP_MD_CTX *md;        /* SHA-256 of the decoded rows, in file order (NULL: none) */
};

static inline int
nonblank(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
            continue;
        if ((unsigned char)v[i] == 0xC2 && i + 1 < n && (unsigned char)v[i + 1] == 0xA0) {
            i++; /* U+00A0, the no-break space spreadsheets leave */
            continue;
        }
        return 1;
    }
    return 0;
}

static inline int
is_name_field(int f)
{
    return f == DC_F_FULL_NAME || f == DC_F_FAMILY_NAME || f == DC_F_MIDDLE_NAME ||
           f == DC_F_GIVEN_NAME;
}

/* ---- rows that are not people --------------------------------------------------------- */

enum rowkind { RK_RECORD, RK_REJECT, RK_BLANK, RK_FOOTER };

struct pend {
    long rownum, line;
    char *raw;
    size_t raw_len;
};

/* The writer's walk over one file's rows below the header. */
struct walk {
    struct dc_db *db;
    struct stmts *st;
    long long batch;
    const char *path;
    const struct dc_import_opts *o;
    struct dc_import_summary *s;
    int workbook;
    struct dc_buf extra;
    int in_footer;      /* a total or signature line was seen, and no person since */
    struct pend *pend;  /* footer rows held back: skipped at the end, rejected if a */
    size_t npend;       /* person follows them */
    const char *reason; /* of the row classified RK_REJECT */
    char why[96];
    char **hcells; /* the header row as read, to tell it repeated below */
    size_t *hlens, hn;
};

/* ---- between the files ---- */

/* stmts.c */
void import_finalize_all(struct stmts *st);
int import_prepare_all(struct dc_db *db, struct stmts *st, const struct dc_import_summary *s,
                       struct dc_error *err);
int import_insert_reject(struct dc_db *db, struct stmts *st, long long batch, const char *source,
                         const char *path, long rownum, long line, const char *reason,
                         const char *raw, size_t raw_len, struct dc_error *err);
int import_write_colmap(struct dc_db *db, struct stmts *st, long long batch,
                        const struct dc_import_summary *s, struct dc_error *err);
/* The import's own columns of its batch row (source, file, hashes, encoding, detail);
 * the counts and finished are dc_stage_finish's. */
int import_describe_batch(struct dc_db *db, struct stmts *st, long long batch, const char *path,
                          const struct dc_import_summary *s, struct dc_error *err);
int import_replace_source(struct dc_db *db, long long batch, struct dc_import_summary *s,
                          struct dc_error *err);

/* pipe.c */
int import_pipe_open(struct pipe *p, struct src *r, struct dc_error *err);
void import_pipe_close(struct pipe *p);
int import_pipe_rows_sha256(struct pipe *p, char hex[65]);

/* overlap.c: s->overlap_rows and s->overlap_batch for the new batch (0 when the source had
 * no earlier import batch or no row of it equals one of theirs). */
int import_overlap(struct dc_db *db, long long batch, const char *source,
                   struct dc_import_summary *s, struct dc_error *err);

/* assemble.c */
int import_insert_rows(struct dc_db *db, struct stmts *st, long long batch, const struct batch *b,
                       const size_t *idx, size_t n, struct dc_import_summary *s,
                       struct dc_buf *extra, struct dc_error *err);

/* rows.c */
int import_rows(struct walk *w, struct pipe *p, size_t skip, struct dc_error *err);

/* head.c */
int import_find_header(const struct batch *b, const struct dc_import_opts *o, const char *path,
                       size_t *hdr, struct dc_error *err);
int import_map_columns(const struct batch *b, size_t hdr, const struct dc_mapfile *map,
                       struct dc_import_summary *s, size_t *skip, struct dc_error *err);

#endif
