/*
 * csvio.h - streaming CSV reader (any encoding, gzip, stdin) and RFC 4180 writer.
 *
 * For: reading registry extracts record by record with bounded memory, keeping each
 * record's raw bytes and start line so that a bad row becomes a reject instead of an error
 * of the run; writing CSV for export and the filter modes.
 *
 * Not for: mapping header names to fields (import), cleaning values (normalize).
 *
 * Rules: RFC 4180 quoting (libcsv 3.0.3 in strict mode does the parsing); input limits and
 * the gzip-bomb rule from research/reliability.md §3.2; BOM on every input path and "-" for
 * stdin from research/ecosystem.md §1a; encodings from research/normalize.md §4.
 */
#ifndef DC_CSVIO_H
#define DC_CSVIO_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* Decompressed bytes read from one input unless --max-bytes says otherwise: 4 GiB, about
 * ten million register rows of some 400 bytes (a province's extract; larger needs the
 * option).  A gzip member compressing 412:1 stays under the 1000:1 bomb ratio and would otherwise
 * grow the WAL at 100 MB/s for minutes (issue 19). */
#define DC_CSV_MAX_BYTES_DEFAULT (4ull << 30)

struct dc_csv_opts {
    const char *encoding;         /* "auto" or NULL, "utf-8", "utf-16" (BOM needed),
                                      "utf-16le", "utf-16be", "cp1258", "tcvn3", "vni", "viscii" */
    int delimiter;                /* 0 = sniff among , ; TAB | ; else that byte */
    size_t max_field;             /* bytes; 0 = 65536 */
    unsigned long long max_bytes; /* decompressed input bytes; 0 = DC_CSV_MAX_BYTES_DEFAULT */
    int no_header;                /* 1 = read no header: every record is a row (rownum
                                      from 1) of whatever width; the caller finds the
                                      header among them (import: banners above it) */
};

struct dc_csv_row {
    long rownum; /* 1-based data record number; the header is record 0 */
    long line;   /* physical line (1-based) where the record starts */
    size_t nfields;
    char **fields;      /* UTF-8 NFC, NUL-terminated; valid until the next call.  For a
                           rejected row: what could be decoded (best effort, maybe none) */
    const size_t *lens; /* byte length of each field (its strlen, unless the row is
                           rejected for a NUL byte); valid as long as fields */
    const char *raw;    /* the record's bytes as in the (decompressed) input, without its
                           final line break; for UTF-16 input, the record converted to UTF-8 */
    size_t raw_len;
    int raw_truncated;  /* 1 if raw stops at the record limit (max(1 MiB, 16 * max_field)) */
    const char *reject; /* NULL if fine, else why (no personal data in the reason) */
};

struct dc_csv_reader;

/* path "-" = stdin.  gzip is recognised by its magic bytes.  Reads the header record
 * (unless no_header: then dc_csv_header has no fields).  An Excel workbook is refused by its
 * magic bytes with a message saying so (import reads workbooks through core/io/).
 * Errors: missing/unreadable file DC_EX_NOINPUT; undecidable encoding, bad header or empty
 * input DC_EX_DATAERR; unknown option values DC_EX_USAGE. */
struct dc_csv_reader *dc_csv_open(const char *path, const struct dc_csv_opts *opts,
                                  struct dc_error *err);
const struct dc_csv_row *dc_csv_header(const struct dc_csv_reader *r);

/* 1 = a row (maybe with row->reject set), 0 = end of input, -1 = the file as a whole failed:
 * truncated/corrupt gzip or trailing bytes after it DC_EX_DATAERR, read error DC_EX_IOERR,
 * over max_bytes or a compression ratio over 1000:1 DC_EX_DATAERR ("gzip bomb"). */
int dc_csv_next(struct dc_csv_reader *r, struct dc_csv_row *row, struct dc_error *err);

const char *dc_csv_encoding(const struct dc_csv_reader *r);
double dc_csv_confidence(const struct dc_csv_reader *r);
int dc_csv_delimiter(const struct dc_csv_reader *r);
unsigned long long dc_csv_bytes_read(const struct dc_csv_reader *r);
int dc_csv_gzip(const struct dc_csv_reader *r); /* 1 if the input was gzip */
/* SHA-256 of the file's bytes as stored; 0 once dc_csv_next has returned 0, else -1. */
int dc_csv_sha256(const struct dc_csv_reader *r, char hex[65]);
void dc_csv_close(struct dc_csv_reader *r);

struct dc_csv_writer_opts {
    int crlf;        /* 1 = CRLF line ends (RFC 4180, Excel); 0 = LF */
    int bom;         /* 1 = UTF-8 BOM before the first row (Excel) */
    int excel_guard; /* 1 = prefix ' to cells starting with = + - @ TAB CR (formula injection) */
    int delimiter;   /* 0 = ',' */
};

struct dc_csv_writer;

/* fp stays the caller's (not closed).  opts NULL = LF, no BOM, ','.  NULL if out of memory. */
struct dc_csv_writer *dc_csv_writer_new(FILE *fp, const struct dc_csv_writer_opts *opts);
/* NULL field = empty.  Quotes only fields holding the delimiter, '"', CR or LF (and a lone
 * empty field, which would otherwise be a blank line).  Write error -> DC_EX_IOERR. */
int dc_csv_write_row(struct dc_csv_writer *w, const char *const *fields, size_t n,
                     struct dc_error *err);
/* The same with each field's length in lens (NULL = strlen), for bytes that may hold NUL
 * (a reject's raw bytes). */
int dc_csv_write_row_n(struct dc_csv_writer *w, const char *const *fields, const size_t *lens,
                       size_t n, struct dc_error *err);
void dc_csv_writer_free(struct dc_csv_writer *w);

#endif
