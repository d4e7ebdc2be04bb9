/*
 * manifest.h - FILE.manifest.json beside every export, and checking a file against it.
 *
 * For: recording what an export holds (tool version, command line, --what, --format, row
 * count, the batches of the staging DB, size and SHA-256 of the bytes as written) so that
 * whoever receives the file can prove it arrived whole (`dancu export --verify FILE`).
 * Practice: checksum manifests of BagIt (RFC 8493) and ETL batch ledgers,
 * research/reliability.md §1.4.  The time is the caller's `now` string (SOURCE_DATE_EPOCH /
 * --now), never the clock, so the same DB gives the same manifest.
 *
 * Not for: general JSON parsing: dc_manifest_parse reads only the layout that
 * dc_manifest_build writes (one "key": value per line) and rejects anything else.
 */
#ifndef DC_MANIFEST_H
#define DC_MANIFEST_H

#include <stddef.h>

#include "db.h"
#include "error.h"
#include "export.h"

#define DC_MANIFEST_MAX_BYTES (1024 * 1024)

struct dc_manifest_info {
    const char *version;     /* DC_VERSION */
    const char *command;     /* the command line, words joined by ' ' */
    const char *created;     /* ISO 8601 UTC from the caller's now */
    const char *file;        /* base name of the export */
    const char *schema_file; /* base name of FILE.schema.sql, NULL if none */
    const struct dc_export_opts *opts;
    long long rows;
    long long bytes;
    char sha256[65];
};

/* SHA-256 (hex) and size of a file's bytes as stored.  Missing -> DC_EX_NOINPUT,
 * read error -> DC_EX_IOERR. */
int dc_manifest_sha256_file(const char *path, char hex[65], long long *bytes, struct dc_error *err);

/* Data rows in an export file of format f (gzip'd when gzip): CSV records minus the
 * header (line breaks outside quotes), JSONL and COPY lines, SQL INSERT statements. */
int dc_manifest_count_rows(const char *path, enum dc_export_format f, int gzip, long long *rows,
                           struct dc_error *err);

/* The manifest JSON (ends with '\n') in a new string the caller frees.  Batches (id,
 * stage) come from db's batch table, by id.  NULL with err set on failure. */
char *dc_manifest_build(struct dc_db *db, const struct dc_manifest_info *m, struct dc_error *err);

/* What --verify needs from a manifest. */
struct dc_manifest_check {
    char file[256];
    char format[16];
    char sha256[65];
    long long bytes;
    long long rows;
    int gzip;
};

/* Parse text (n bytes, at most DC_MANIFEST_MAX_BYTES) written by dc_manifest_build.
 * Anything else -> DC_EX_DATAERR. */
int dc_manifest_parse(const char *text, size_t n, struct dc_manifest_check *out,
                      struct dc_error *err);

/* Check path against path.manifest.json: size, SHA-256 and rows.  0 = all agree;
 * -1 with DC_EX_DATAERR and a message naming what differs; DC_EX_NOINPUT when the file
 * or its manifest is missing. */
int dc_manifest_verify(const char *path, struct dc_error *err);

#endif
