/*
 * address.h - parse a Vietnamese address and match it to the official
 * administrative-unit catalogues, before (63 provinces, 3 levels) and from
 * 1 July 2025 (34 provinces, 2 levels), with the pre-2025 -> 2025 mapping.
 *
 * A struct dc_catalog is built once (add_* calls or dc_catalog_load_dir, then
 * dc_catalog_finish) and is read-only and shareable between threads after.
 * dc_addr_match() splits free text into a detail part (house number, street,
 * hamlet) and ward / district / province, and fills the codes of both eras.
 * Matching folds case, diacritics, đ/d and tone placement, works on whole
 * tokens only, and leaves a code empty with a reason rather than guess.
 *
 * Not for: street-level geocoding, typo correction (no edit distance yet),
 * or storing the catalogue (the refdata command keeps it in SQLite).
 *
 * Sources: /work/shared/refdata/README.md (catalogue layout, codes reused
 * across eras, splits, spelling quirks); research/normalize.md §2.7 and §7
 * (abbreviations on token boundaries, hierarchy-constrained resolution,
 * splits reported, never resolved by guess).
 */
#ifndef DC_ADDRESS_H
#define DC_ADDRESS_H

#include "error.h"

/* Limits on input-driven sizes.  Longer text is not an error of the run: the
 * result carries reason "too-long" and no codes. */
#define DC_ADDR_MAX_TEXT 1024  /* bytes of one address (or of the joined parts) */
#define DC_ADDR_MAX_TOKENS 128 /* words in one address */
#define DC_CATALOG_MAX_UNITS 65536
#define DC_CATALOG_MAX_NAME 95 /* bytes of a unit name */

struct dc_catalog; /* in-memory catalogue of both eras + mapping */

enum dc_era { DC_ERA_PRE2025 = 0, DC_ERA_2025 = 1 };

struct dc_catalog *dc_catalog_new(void);
void dc_catalog_free(struct dc_catalog *c);

/* Names carry their type prefix as in the catalogue ("Phường Phúc Xá",
 * "Quận Ba Đình", "Thành phố Hà Nội", "Đặc khu Cô Tô").  Codes are digit
 * strings with their leading zeros: province 2, district 3, ward 5. */
int dc_catalog_add_province(struct dc_catalog *c, enum dc_era era, const char *code,
                            const char *name, struct dc_error *err);
int dc_catalog_add_district(struct dc_catalog *c, const char *province_code, const char *code,
                            const char *name, struct dc_error *err); /* pre-2025 only */
int dc_catalog_add_ward(struct dc_catalog *c, enum dc_era era, const char *province_code,
                        const char *district_code /* NULL for 2025 */, const char *code,
                        const char *name, struct dc_error *err);
int dc_catalog_add_map(struct dc_catalog *c, const char *old_ward, const char *new_ward,
                       struct dc_error *err);
int dc_catalog_add_province_map(struct dc_catalog *c, const char *old_code, const char *new_code,
                                struct dc_error *err);
/* Build the indexes; after this the catalogue is read-only and thread-safe.
 * Parents must exist (a ward's district and province) or this fails. */
int dc_catalog_finish(struct dc_catalog *c, struct dc_error *err);

/* Read provinces_pre2025.csv, districts_pre2025.csv, admin_units_pre2025.csv,
 * provinces_2025.csv, admin_units_2025.csv, ward_mapping_2025.csv and
 * province_mapping_2025.csv (the /work/shared/refdata layout) from dir.
 * Does not call finish. */
int dc_catalog_load_dir(struct dc_catalog *c, const char *dir, struct dc_error *err);

/* The compiled-in fallback: the 63 pre-2025 and 34 2025 provinces and the
 * 63 -> 34 mapping (DESIGN.md allows the province tables only).  Does not
 * call finish. */
int dc_catalog_builtin_provinces(struct dc_catalog *c, struct dc_error *err);

/* Number of units (provinces + districts + wards of both eras) added. */
long dc_catalog_count(const struct dc_catalog *c);

struct dc_addr {
    char detail[256]; /* house number, street, hamlet as written (cleaned: spaces, NFC) */
    char ward_code[6], district_code[4], province_code[3]; /* pre-2025, "" when unknown */
    char new_ward_code[6], new_province_code[3];           /* 2025 */
    char ward_name[96], district_name[96], province_name[96], new_ward_name[96],
        new_province_name[96]; /* catalogue spelling */
    double confidence;         /* 0..1 */
    char reason[64];           /* "" on a full match, else a reason code (below) */
    enum dc_era era;           /* which era the text was read in (when a province was found) */
    char era_name[8];          /* "pre2025", "2025", "both" (the readings of the two eras
                            * agree), "" when nothing was matched */
};

/* Reason codes, most specific first.  A reason never comes with a guessed
 * code: the code it concerns is left "".
 *   "empty"                 nothing but spaces and punctuation
 *   "too-long"              over DC_ADDR_MAX_TEXT bytes or DC_ADDR_MAX_TOKENS words
 *   "too-complex"           so many unit names that reading them all would take
 *                           long (rows of repeated names): nothing is matched
 *   "no-province"           no province found (ward/district may still be set
 *                           when the district name is unique in the country)
 *   "province-ambiguous"    two readings in different provinces score the same
 *   "district-ambiguous"    two districts fit equally
 *   "ward-ambiguous"        the ward name is not unique where it was looked up
 *                           (155 pre-2025 names repeat inside a province)
 *   "era-ambiguous"         no district written and the ward name reads as a
 *                           pre-2025 ward and as a 2025 ward that do not map
 *                           onto each other ("Xã Hòa Phú, Thành phố Hà Nội")
 *   "ward-not-in-district"  the ward name exists in the province, not in the district
 *   "no-ward"               province (and district) found, no ward
 *   "ward-split"            pre-2025 ward split across several 2025 wards:
 *                           new_ward_code is ""
 *   "ward-unmapped"         pre-2025 ward with no 2025 mapping loaded
 *   "ward-typo"             the codes are filled: the ward was read one edit
 *                           (a swap counting one) from its name, the only ward
 *                           so near in the district read ("Lnog Hậu, Cần
 *                           Giuộc"); confidence at most 0.7
 */

/* Match free text.  out is always filled (zeroed first); -1 only on an
 * internal error (err set). */
int dc_addr_match(const struct dc_catalog *c, const char *text, struct dc_addr *out,
                  struct dc_error *err);

/* Match split columns.  Any argument may be NULL or "".  Each level is only
 * looked for in its own field; detail is copied (cleaned) as given. */
int dc_addr_match_parts(const struct dc_catalog *c, const char *ward, const char *district,
                        const char *province, const char *detail, struct dc_addr *out,
                        struct dc_error *err);

#endif
