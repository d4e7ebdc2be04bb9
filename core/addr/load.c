/*
 * addr/load.c - read the refdata CSV files into a catalogue, and the compiled-in
 * province tables.  Not for: the catalogue's indexes (catalog.c).
 */
#include "addr_int.h"
#include "province.h"
#include "refdata.h"
#include "csvio.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ loading the CSVs */

enum { F_PROV_OLD, F_DIST_OLD, F_WARD_OLD, F_PROV_NEW, F_WARD_NEW, F_WMAP, F_PMAP };

/* The files of a catalogue folder (refdata/README.md) and the kind each must be; read by
 * refdata.h's one reader of catalogue files. */
static const struct {
    const char *name;
    const char *kind;
} csv_files[] = {
    [F_PROV_OLD] = {"provinces_pre2025.csv", "provinces"},
    [F_DIST_OLD] = {"districts_pre2025.csv", "districts-pre2025"},
    [F_WARD_OLD] = {"admin_units_pre2025.csv", "wards-pre2025"},
    [F_PROV_NEW] = {"provinces_2025.csv", "provinces"},
    [F_WARD_NEW] = {"admin_units_2025.csv", "wards-2025"},
    [F_WMAP] = {"ward_mapping_2025.csv", "ward-map"},
    [F_PMAP] = {"province_mapping_2025.csv", "province-map"},
};

static int
add_row(struct dc_catalog *c, int kind, char **f, struct dc_error *err)
{
    switch (kind) {
    case F_PROV_OLD:
        return dc_catalog_add_province(c, DC_ERA_PRE2025, f[0], f[1], err);
    case F_PROV_NEW:
        return dc_catalog_add_province(c, DC_ERA_2025, f[0], f[1], err);
    case F_DIST_OLD:
        return dc_catalog_add_district(c, f[0], f[2], f[3], err);
    case F_WARD_OLD:
        return dc_catalog_add_ward(c, DC_ERA_PRE2025, f[0], f[2], f[4], f[5], err);
    case F_WARD_NEW:
        return dc_catalog_add_ward(c, DC_ERA_2025, f[0], NULL, f[2], f[3], err);
    case F_WMAP:
        return dc_catalog_add_map(c, f[0], f[1], err);
    case F_PMAP:
        return dc_catalog_add_province_map(c, f[0], f[2], err);
    default:
        return dc_error_set(err, DC_EX_SOFTWARE, "bad catalogue file kind");
    }
}

static int
load_one(struct dc_catalog *c, const char *dir, int kind, struct dc_error *err)
{
    const char *name = csv_files[kind].name;
    char path[4096];
    struct dc_refdata_reader *r = NULL;
    const struct dc_csv_row *row;
    long rows = 0;
    int rc;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= sizeof path)
        return dc_error_set(err, DC_EX_USAGE, "catalogue directory path too long");
    rc = dc_refdata_open(path, &r, err);
    if (rc == 0 && strcmp(dc_refdata_kind(r), csv_files[kind].kind) != 0)
        rc = dc_error_at(err, DC_EX_DATAERR, path, 1, NULL, "unexpected header (not %s)",
                         csv_files[kind].kind);
    while (rc == 0 && (rc = dc_refdata_next(r, &row, err)) == 1) {
        rc = add_row(c, kind, row->fields, err);
        if (rc < 0 && err)
            /* the add_* message lacks the position */
            err->path = path, err->line = row->line;
        rows++;
    }
    dc_refdata_close(r);
    if (rc == 0 && rows == 0)
        rc = dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "no data rows");
    if (rc < 0 && err && err->path == path) {
        /* path is this frame's: the file's name and line go into the message */
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err->msg);
        if (err->line)
            snprintf(err->msg, sizeof err->msg, "%.60s:%ld: %.180s", name, err->line, m);
        else
            snprintf(err->msg, sizeof err->msg, "%.60s: %.180s", name, m);
        err->path = NULL;
        err->line = 0;
    }
    return rc < 0 ? -1 : 0;
}

int
dc_catalog_load_dir(struct dc_catalog *c, const char *dir, struct dc_error *err)
{
    if (c == NULL || dir == NULL)
        return dc_error_set(err, DC_EX_SOFTWARE, "dc_catalog_load_dir: missing argument");
    for (int k = F_PROV_OLD; k <= F_PMAP; k++)
        if (load_one(c, dir, k, err) < 0)
            return -1;
    return 0;
}

/* ----------------------------------------------------- built-in provinces */

struct bprov {
    const char *a, *b;
};

/* The pre-2025 provinces are province.h's table.  Generated from /work/shared/refdata
 * provinces_2025.csv and province_mapping_2025.csv (NSO catalogue and conversion table
 * from 1 July 2025; see refdata/README.md). */
static const struct bprov builtin_2025[] = {
    {"01", "Thành phố Hà Nội"},      {"04", "Tỉnh Cao Bằng"},    {"08", "Tỉnh Tuyên Quang"},
    {"11", "Tỉnh Điện Biên"},        {"12", "Tỉnh Lai Châu"},    {"14", "Tỉnh Sơn La"},
    {"15", "Tỉnh Lào Cai"},          {"19", "Tỉnh Thái Nguyên"}, {"20", "Tỉnh Lạng Sơn"},
    {"22", "Tỉnh Quảng Ninh"},       {"24", "Tỉnh Bắc Ninh"},    {"25", "Tỉnh Phú Thọ"},
    {"31", "Thành phố Hải Phòng"},   {"33", "Tỉnh Hưng Yên"},    {"37", "Tỉnh Ninh Bình"},
    {"38", "Tỉnh Thanh Hóa"},        {"40", "Tỉnh Nghệ An"},     {"42", "Tỉnh Hà Tĩnh"},
    {"44", "Tỉnh Quảng Trị"},        {"46", "Thành phố Huế"},    {"48", "Thành phố Đà Nẵng"},
    {"51", "Tỉnh Quảng Ngãi"},       {"52", "Tỉnh Gia Lai"},     {"56", "Tỉnh Khánh Hòa"},
    {"66", "Tỉnh Đắk Lắk"},          {"68", "Tỉnh Lâm Đồng"},    {"75", "Tỉnh Đồng Nai"},
    {"79", "Thành phố Hồ Chí Minh"}, {"80", "Tỉnh Tây Ninh"},    {"82", "Tỉnh Đồng Tháp"},
    {"86", "Tỉnh Vĩnh Long"},        {"91", "Tỉnh An Giang"},    {"92", "Thành phố Cần Thơ"},
    {"96", "Tỉnh Cà Mau"},
};
/* old code, new code */
static const struct bprov builtin_map[] = {
    {"01", "01"}, {"02", "08"}, {"04", "04"}, {"06", "19"}, {"08", "08"}, {"10", "15"},
    {"11", "11"}, {"12", "12"}, {"14", "14"}, {"15", "15"}, {"17", "25"}, {"19", "19"},
    {"20", "20"}, {"22", "22"}, {"24", "24"}, {"25", "25"}, {"26", "25"}, {"27", "24"},
    {"30", "31"}, {"31", "31"}, {"33", "33"}, {"34", "33"}, {"35", "37"}, {"36", "37"},
    {"37", "37"}, {"38", "38"}, {"40", "40"}, {"42", "42"}, {"44", "44"}, {"45", "44"},
    {"46", "46"}, {"48", "48"}, {"49", "48"}, {"51", "51"}, {"52", "52"}, {"54", "66"},
    {"56", "56"}, {"58", "56"}, {"60", "68"}, {"62", "51"}, {"64", "52"}, {"66", "66"},
    {"67", "68"}, {"68", "68"}, {"70", "75"}, {"72", "80"}, {"74", "79"}, {"75", "75"},
    {"77", "79"}, {"79", "79"}, {"80", "80"}, {"82", "82"}, {"83", "86"}, {"84", "86"},
    {"86", "86"}, {"87", "82"}, {"89", "91"}, {"91", "91"}, {"92", "92"}, {"93", "92"},
    {"94", "92"}, {"95", "96"}, {"96", "96"},
};

int
dc_catalog_builtin_provinces(struct dc_catalog *c, struct dc_error *err)
{
    for (size_t i = 0; i < dc_province_count(); i++)
        if (dc_catalog_add_province(c, DC_ERA_PRE2025, dc_province_get(i)->code,
                                    dc_province_get(i)->name, err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof builtin_2025 / sizeof builtin_2025[0]; i++)
        if (dc_catalog_add_province(c, DC_ERA_2025, builtin_2025[i].a, builtin_2025[i].b, err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof builtin_map / sizeof builtin_map[0]; i++)
        if (dc_catalog_add_province_map(c, builtin_map[i].a, builtin_map[i].b, err) < 0)
            return -1;
    return 0;
}
