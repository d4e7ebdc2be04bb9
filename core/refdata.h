/*
 * refdata.h - load the official catalogues into the staging DB, and build the
 * in-memory address catalogue back from it.
 *
 * The files (formats in schemas/refdata.md; the layout of ../shared/refdata,
 * built from the GSO/NSO catalogues) are recognised by their header row:
 *
 *   kind            header
 *   wards-pre2025   province_code,province_name,district_code,district_name,ward_code,ward_name,ward_level
 *   districts       province_code,province_name,district_code,district_name,district_level
 *   provinces       code,name,type            (era from the file name: "pre2025" or "2025", or --era)
 *   wards-2025      province_code,province_name,ward_code,ward_name,ward_level
 *   ward-map        old_ward_code,new_ward_code
 *   ward-map-detail old_ward_code,old_ward_name,old_district_code,old_province_code,new_ward_code,new_ward_name,new_province_code,note
 *   province-map    old_province_code,old_province_name,new_province_code,new_province_name
 *   ethnic          code,name,name_qcvn109,code_1979,name_1979,other_names_1979
 *   religion        code,name,organizations,note
 *
 * Loading a kind replaces what the DB held of that kind (re-runnable), all
 * files in one transaction.  Codes are kept as text with leading zeros and
 * checked for their digit count; a bad row is an error naming file, line and
 * field (a catalogue must be right, not half-loaded).
 *
 * Not for: matching addresses (address.c).
 */
#ifndef DC_REFDATA_H
#define DC_REFDATA_H

#include <stddef.h>

#include "db.h"

struct dc_catalog;
struct dc_csv_row;

/* One catalogue file read row by row (the one reader of refdata files: dc_refdata_load_file
 * and the address catalogue of a folder, addr/load.c).  Its kind is known by its header
 * row (schemas/refdata.md): "wards-pre2025", "districts-pre2025", "provinces",
 * "wards-2025", "ward-map", "ward-map-detail", "province-map", "ethnic", "religion"; an
 * unknown header is an error.  UTF-8 CSV with ',' (csvio: NFC fields); a row the CSV
 * reader rejects (ragged, bad bytes) is an error naming the file and line.  path is
 * borrowed, as by the errors. */
struct dc_refdata_reader;
int dc_refdata_open(const char *path, struct dc_refdata_reader **out, struct dc_error *err);
const char *dc_refdata_kind(const struct dc_refdata_reader *r);
/* 1 and *row (as many fields as the kind's header), 0 at the end, -1 with err set. */
int dc_refdata_next(struct dc_refdata_reader *r, const struct dc_csv_row **row,
                    struct dc_error *err);
/* The hex SHA-256 of the file's bytes, once read to the end. */
int dc_refdata_sha256(struct dc_refdata_reader *r, char hex[65]);
void dc_refdata_close(struct dc_refdata_reader *r);

/* 1 when s is a code of exactly n ASCII digits (GSO codes keep their leading zeros), or
 * empty when empty_ok; NULL is no code.  The one check of catalogue codes (refdata load,
 * the address catalogue). */
int dc_refdata_is_code(const char *s, size_t n, int empty_ok);

struct dc_refdata_file_summary {
    char kind[24];
    long rows;
};

/* Load one catalogue file (era: NULL, "pre2025" or "2025" for provinces
 * files whose name does not say).  The caller holds the transaction. */
int dc_refdata_load_file(struct dc_db *db, const char *path, const char *era, const char *now_iso,
                         struct dc_refdata_file_summary *s, struct dc_error *err);

/* The folder of the catalogue shipped with dancu (refdata/README.md): in
 * $DANCU_REFDATA, refdata/ or share/dancu/refdata next to the binary's
 * folder, or the configured datadir.  Fills dir (absolute) or fails with
 * DC_EX_NOINPUT naming where it looked. */
int dc_refdata_shipped_dir(char *dir, size_t size, struct dc_error *err);

/* Load every file that dir/sources.csv lists, in its order, recording each
 * as origin 'shipped' with its date; each (may be NULL) is told about every
 * file.  The caller holds the transaction. */
int dc_refdata_load_dir(struct dc_db *db, const char *dir, const char *now_iso,
                        void (*each)(void *ud, const char *file,
                                     const struct dc_refdata_file_summary *s),
                        void *ud, struct dc_error *err);

/* `refdata load` and init: the catalogue shipped in shipped_dir (NULL: none),
 * then files[0..nfiles) (era as for dc_refdata_load_file), all in one
 * transaction, so a bad row anywhere loads nothing.  each (may be NULL) is
 * told about every file as it is loaded: its name as sources.csv or the
 * caller gave it, and shipped = 1 for those of shipped_dir. */
int dc_refdata_load(struct dc_db *db, const char *shipped_dir, const char *const *files,
                    size_t nfiles, const char *era, const char *now_iso,
                    void (*each)(void *ud, const char *file,
                                 const struct dc_refdata_file_summary *s, int shipped),
                    void *ud, struct dc_error *err);

/* `refdata status`: what the DB holds.  count is told each count in a fixed
 * order ("provinces before 2025", ... "religions"), then file each loaded
 * file in load order (dated NULL when the file has no date). */
struct dc_refdata_file_row {
    const char *kind, *file, *origin, *dated, *sha256;
    long long rows;
};
int dc_refdata_status(struct dc_db *db, void (*count)(void *ud, const char *what, long long n),
                      void (*file)(void *ud, const struct dc_refdata_file_row *f), void *ud,
                      struct dc_error *err);

/* 1 when the DB holds catalogue units, 0 when none, -1 on error. */
int dc_refdata_has_units(struct dc_db *db, struct dc_error *err);

/* Build the address catalogue from the DB's unit tables; when the DB holds
 * no units, the built-in province tables are used and *builtin is set. */
int dc_refdata_catalog(struct dc_db *db, struct dc_catalog **out, int *builtin,
                       struct dc_error *err);

#endif
