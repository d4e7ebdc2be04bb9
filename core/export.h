/*
 * export.h - write the staging DB's tables out as CSV, JSONL, PostgreSQL COPY or SQL.
 *
 * For: `dancu export`: one SELECT per --what, streamed row by row into one of four
 * encodings, optionally gzip'd (deterministic header), optionally with keyed pseudonyms,
 * written atomically (temp file + fsync + rename + directory fsync, mode 0600).
 *
 * Not for: the manifest (manifest.h), option parsing (cmd/export.c), changing the DB, the
 * workbook encoder (xlsxout.h).
 *
 * Rules and sources:
 *  - columns and order: DESIGN.md "The command contract" (records export), the export brief;
 *  - CSV: RFC 4180 with the quoting rules of core/csvio's writer (encoded per row in
 *    export/encode.c for speed), separator ',' or o->delim; --excel = BOM + CRLF + formula guard
 *    (OWASP ASVS 1.2.10 as quoted in research/reliability.md §3.2; ecosystem.md §1a), and
 *    IDs, codes and dates that start with a digit written as ="VALUE" so that Excel
 *    keeps them as text (leading zeros, 12-digit IDs, partial dates);
 *  - xlsx: core/xlsxout.c (libxlsxwriter), one sheet per table of o->whats; the
 *    workbook's bytes go through the same stream, temp file and manifest;
 *  - pgcopy: PostgreSQL COPY text format (sql-copy.html, "File Formats / Text Format"):
 *    TAB between columns, \N for NULL, backslash escapes \\ \t \n \r; reliability.md §1.2;
 *    bytes that need not be text (rejects.raw) are bytea in hex form ("\\x..." in COPY);
 *  - sql: INSERT with standard SQL string literals ('' doubles a quote; PostgreSQL's
 *    standard_conforming_strings is on by default since 9.1, so '\' is literal);
 *  - pseudonyms: HMAC-SHA-256 with a key from a file (ENISA 2019 §3.3 via reliability.md
 *    §3.2): "p_" + first 16 hex digits; an unkeyed hash of a 12-digit ID can be reversed
 *    by enumeration, a keyed one cannot without the key.  Pseudonymised: id12, cmnd,
 *    full_name, family_name, middle_name, given_name; in findings and changes also
 *    expected/actual and before/after when `field` names one of those.  Rejects hold the
 *    raw row and cannot be pseudonymised: refused (DC_EX_USAGE).  Empty stays empty.
 *
 * --survivors (records only): one golden record per cluster (records no cluster row
 * names are clusters of one).  Records are ranked: a source named in o->prefer first (in
 * its order), then one from the ID-card register (source name containing "idcard" or
 * "cccd", ASCII case-insensitive), then the most complete record (most non-empty
 * fields), then the lowest record_id; the first is the preferred record.  Each field is
 * voted (empty values do not vote): the values are grouped by a key, the key most records
 * share wins (ties: the preferred record's), and within it the most informative value,
 * then the spelling most records share, then the preferred record's.  full_name: key =
 * the fold key (dc_text_fold), informative = has diacritics, so "Nguyễn Văn An" survives
 * "Nguyen Van An" x2 (issue #15: 127 of 53,051 survivors of a 50,000-person synth set
 * lost their diacritics by majority, now 0); family, middle and given name are those of
 * the record the full name came from, so the parts match it.  dob: key = the year,
 * informative = precision (YYYY-MM-DD over YYYY-MM over YYYY); dob_precision follows it.
 * Other fields: key = the value (plain majority).  record_id is the cluster id (its
 * smallest record_id); cluster_id is as stored (empty before dedup); source, src_row,
 * src_file and src_line are the preferred record's; contributing_record_ids lists every
 * record_id of the cluster, ascending, ';'-joined; taken_from is the preferred record's
 * id, then ";field=record_id" for each field whose value is not the preferred record's
 * own.  Survivors are written in cluster id order.  A survivor may combine values of
 * different records: it is a summary for review, not a source record.
 */
#ifndef DC_EXPORT_H
#define DC_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"
#include "error.h"

enum dc_export_what {
    DC_EXPORT_RECORDS,
    DC_EXPORT_FINDINGS,
    DC_EXPORT_CLUSTERS,
    DC_EXPORT_PAIRS,
    DC_EXPORT_REJECTS,
    DC_EXPORT_CHANGES,
    DC_EXPORT_WORKLIST /* one row per person with findings at warning or above */
};

enum dc_export_format {
    DC_EXPORT_CSV,
    DC_EXPORT_JSONL,
    DC_EXPORT_PGCOPY,
    DC_EXPORT_SQL,
    DC_EXPORT_XLSX /* an Office Open XML workbook (core/xlsxout.c), one sheet per table */
};

/* How many tables one export may hold (xlsx: one sheet each). */
#define DC_EXPORT_WHAT_MAX 7

/* Key bytes: at least this many (a shorter key is refused with DC_EX_USAGE). */
#define DC_EXPORT_KEY_MIN 16
#define DC_EXPORT_KEY_MAX 4096

struct dc_export_opts {
    enum dc_export_what what; /* the table (the first of whats[] when nwhat > 1) */
    enum dc_export_format format;
    int excel;                /* CSV only: BOM, CRLF, formula guard, codes kept as text */
    int survivors;            /* records only: golden records */
    int gzip;                 /* deflate the output (gzip, mtime 0, no name) */
    const unsigned char *key; /* pseudonymisation key, NULL = none */
    size_t key_len;
    /* xlsx only: several tables in one workbook, one sheet each, in this order; nwhat 0
     * or 1 = just `what` */
    enum dc_export_what whats[DC_EXPORT_WHAT_MAX];
    int nwhat;
    char delim;         /* CSV only: the field separator, 0 = ',' */
    const char *prefer; /* --survivors: source names, ','-joined, most trusted first */
};

/* Parse / name the enums; parse returns -1 (DC_EX_USAGE) for an unknown name. */
int dc_export_what_parse(const char *s, enum dc_export_what *out, struct dc_error *err);
int dc_export_format_parse(const char *s, enum dc_export_format *out, struct dc_error *err);
const char *dc_export_what_name(enum dc_export_what w);
/* Parse "records,findings" (a comma list) into o->whats / o->nwhat, appending to what is
 * there (the option may be given more than once); a table named twice or an unknown name
 * -> DC_EX_USAGE.  o->what is set to the first. */
int dc_export_whats_parse(const char *s, struct dc_export_opts *o, struct dc_error *err);
/* The tables of the export joined by ',' ("records" or "records,findings") into out. */
void dc_export_what_label(const struct dc_export_opts *o, char *out, size_t n);
/* The format a file name asks for by its extension (before a final .gz): .csv, .jsonl,
 * .copy or .pgcopy, .sql, .xlsx.  Returns 0 and sets *out, or -1 when the name says
 * nothing (no or another extension). */
int dc_export_format_of_path(const char *path, enum dc_export_format *out);
const char *dc_export_format_name(enum dc_export_format f);
/* The table name used in pgcopy/sql ("records", "survivors", "findings", ...). */
const char *dc_export_table(const struct dc_export_opts *o);

/* Read a key file into key[DC_EXPORT_KEY_MAX]: missing -> DC_EX_NOINPUT, shorter than
 * DC_EXPORT_KEY_MIN or longer than the maximum -> DC_EX_USAGE. */
int dc_export_read_key(const char *path, unsigned char *key, size_t *len, struct dc_error *err);

/* The pseudonym of s: "p_" + 16 hex digits of HMAC-SHA-256(key, s); out needs 19 bytes. */
int dc_export_pseudonym(const unsigned char *key, size_t key_len, const char *s, size_t n,
                        char out[19], struct dc_error *err);

/* Stream the export into fp (not closed; when o->gzip, fp receives gzip bytes and is
 * flushed).  *rows = data rows written (header excluded).  Write error -> DC_EX_IOERR. */
int dc_export_write(struct dc_db *db, const struct dc_export_opts *o, FILE *fp, long long *rows,
                    struct dc_error *err);

/* The CREATE TABLE statement of the export (PostgreSQL types) into a new string that the
 * caller frees; NULL with err set when out of memory. */
char *dc_export_schema_sql(const struct dc_export_opts *o, struct dc_error *err);

#endif
