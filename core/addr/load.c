/*
 * addr/load.c - read the refdata CSV files into a catalogue, and the compiled-in
 * province tables.  Not for: the catalogue's indexes (catalog.c).
 */
#include "addr_int.h"
#include "province.h"

#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ loading the CSVs */

#define CSV_MAX_FIELDS 8
#define CSV_MAX_FIELD 255

struct csvrow {
    struct dc_catalog *c;
    struct dc_error *err;
    const char *file;   /* base name, for messages */
    int kind;           /* which file */
    int nexpect;
    long row;
    int nf, toolong, failed;
    char f[CSV_MAX_FIELDS][CSV_MAX_FIELD + 1];
};

enum { F_PROV_OLD, F_DIST_OLD, F_WARD_OLD, F_PROV_NEW, F_WARD_NEW, F_WMAP, F_PMAP };

static const struct {
    const char *name;
    int nfields;
    const char *header0;
} csv_files[] = {
    [F_PROV_OLD] = {"provinces_pre2025.csv", 3, "code"},
    [F_DIST_OLD] = {"districts_pre2025.csv", 5, "province_code"},
    [F_WARD_OLD] = {"admin_units_pre2025.csv", 7, "province_code"},
    [F_PROV_NEW] = {"provinces_2025.csv", 3, "code"},
    [F_WARD_NEW] = {"admin_units_2025.csv", 5, "province_code"},
    [F_WMAP] = {"ward_mapping_2025.csv", 2, "old_ward_code"},
    [F_PMAP] = {"province_mapping_2025.csv", 4, "old_province_code"},
};

static void
csv_field_cb(void *s, size_t len, void *data)
{
    struct csvrow *r = data;
    if (r->nf < CSV_MAX_FIELDS) {
        if (len > CSV_MAX_FIELD) {
            r->toolong = 1;
            len = CSV_MAX_FIELD;
        }
        if (len > 0)
            memcpy(r->f[r->nf], s, len);
        r->f[r->nf][len] = '\0';
    }
    r->nf++;
}

static void
csv_row_cb(int ch, void *data)
{
    struct csvrow *r = data;
    (void)ch;
    r->row++;
    int nf = r->nf;
    r->nf = 0;
    if (r->failed)
        return;
    if (nf != r->nexpect || r->toolong) {
        r->failed = 1;
        dc_error_set(r->err, DC_EX_DATAERR, "%s: record %ld: %s", r->file, r->row,
                     r->toolong ? "field over 255 bytes" : "wrong number of fields");
        return;
    }
    if (r->row == 1) {
        if (strcmp(r->f[0], csv_files[r->kind].header0) != 0) {
            r->failed = 1;
            dc_error_set(r->err, DC_EX_DATAERR, "%s: unexpected header", r->file);
        }
        return;
    }
    char (*f)[CSV_MAX_FIELD + 1] = r->f;
    int rc = 0;
    switch (r->kind) {
    case F_PROV_OLD: rc = dc_catalog_add_province(r->c, DC_ERA_PRE2025, f[0], f[1], r->err); break;
    case F_PROV_NEW: rc = dc_catalog_add_province(r->c, DC_ERA_2025, f[0], f[1], r->err); break;
    case F_DIST_OLD: rc = dc_catalog_add_district(r->c, f[0], f[2], f[3], r->err); break;
    case F_WARD_OLD:
        rc = dc_catalog_add_ward(r->c, DC_ERA_PRE2025, f[0], f[2], f[4], f[5], r->err);
        break;
    case F_WARD_NEW:
        rc = dc_catalog_add_ward(r->c, DC_ERA_2025, f[0], NULL, f[2], f[3], r->err);
        break;
    case F_WMAP: rc = dc_catalog_add_map(r->c, f[0], f[1], r->err); break;
    case F_PMAP: rc = dc_catalog_add_province_map(r->c, f[0], f[2], r->err); break;
    default: break;
    }
    if (rc < 0) {
        r->failed = 1;
        /* the add_* message lacks the position: put it in front */
        if (r->err != NULL) {
            char m[160];
            snprintf(m, sizeof m, "%.159s", r->err->msg);
            snprintf(r->err->msg, sizeof r->err->msg, "%.40s: record %ld: %s", r->file, r->row, m);
        }
    }
}

static int
load_one(struct dc_catalog *c, const char *dir, int kind, struct dc_error *err)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, csv_files[kind].name);
    if (n < 0 || (size_t)n >= sizeof path)
        return dc_error_set(err, DC_EX_USAGE, "catalogue directory path too long");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return dc_error_set(err, DC_EX_NOINPUT, "%s: cannot open", csv_files[kind].name);
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(fp);
        return dc_error_set(err, DC_EX_OSERR, "csv_init failed");
    }
    struct csvrow *r = calloc(1, sizeof *r);
    if (r == NULL) {
        csv_free(&p);
        fclose(fp);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    r->c = c;
    r->err = err;
    r->file = csv_files[kind].name;
    r->kind = kind;
    r->nexpect = csv_files[kind].nfields;
    char buf[65536];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (csv_parse(&p, buf, got, csv_field_cb, csv_row_cb, r) != got) {
            rc = dc_error_set(err, DC_EX_DATAERR, "%s: record %ld: %s", r->file, r->row + 1,
                              csv_strerror(csv_error(&p)));
        }
        if (r->failed)
            rc = -1;
    }
    if (rc == 0 && ferror(fp))
        rc = dc_error_set(err, DC_EX_IOERR, "%s: read error", r->file);
    if (rc == 0 && csv_fini(&p, csv_field_cb, csv_row_cb, r) != 0)
        rc = dc_error_set(err, DC_EX_DATAERR, "%s: %s", r->file, csv_strerror(csv_error(&p)));
    if (rc == 0 && r->failed)
        rc = -1;
    if (rc == 0 && r->row < 2)
        rc = dc_error_set(err, DC_EX_DATAERR, "%s: no data rows", r->file);
    csv_free(&p);
    free(r);
    if (fclose(fp) != 0 && rc == 0)
        rc = dc_error_set(err, DC_EX_IOERR, "%s: close failed", csv_files[kind].name);
    return rc;
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
    {"01", "Thành phố Hà Nội"},
    {"04", "Tỉnh Cao Bằng"},
    {"08", "Tỉnh Tuyên Quang"},
    {"11", "Tỉnh Điện Biên"},
    {"12", "Tỉnh Lai Châu"},
    {"14", "Tỉnh Sơn La"},
    {"15", "Tỉnh Lào Cai"},
    {"19", "Tỉnh Thái Nguyên"},
    {"20", "Tỉnh Lạng Sơn"},
    {"22", "Tỉnh Quảng Ninh"},
    {"24", "Tỉnh Bắc Ninh"},
    {"25", "Tỉnh Phú Thọ"},
    {"31", "Thành phố Hải Phòng"},
    {"33", "Tỉnh Hưng Yên"},
    {"37", "Tỉnh Ninh Bình"},
    {"38", "Tỉnh Thanh Hóa"},
    {"40", "Tỉnh Nghệ An"},
    {"42", "Tỉnh Hà Tĩnh"},
    {"44", "Tỉnh Quảng Trị"},
    {"46", "Thành phố Huế"},
    {"48", "Thành phố Đà Nẵng"},
    {"51", "Tỉnh Quảng Ngãi"},
    {"52", "Tỉnh Gia Lai"},
    {"56", "Tỉnh Khánh Hòa"},
    {"66", "Tỉnh Đắk Lắk"},
    {"68", "Tỉnh Lâm Đồng"},
    {"75", "Tỉnh Đồng Nai"},
    {"79", "Thành phố Hồ Chí Minh"},
    {"80", "Tỉnh Tây Ninh"},
    {"82", "Tỉnh Đồng Tháp"},
    {"86", "Tỉnh Vĩnh Long"},
    {"91", "Tỉnh An Giang"},
    {"92", "Thành phố Cần Thơ"},
    {"96", "Tỉnh Cà Mau"},
};
/* old code, new code */
static const struct bprov builtin_map[] = {
    {"01", "01"},
    {"02", "08"},
    {"04", "04"},
    {"06", "19"},
    {"08", "08"},
    {"10", "15"},
    {"11", "11"},
    {"12", "12"},
    {"14", "14"},
    {"15", "15"},
    {"17", "25"},
    {"19", "19"},
    {"20", "20"},
    {"22", "22"},
    {"24", "24"},
    {"25", "25"},
    {"26", "25"},
    {"27", "24"},
    {"30", "31"},
    {"31", "31"},
    {"33", "33"},
    {"34", "33"},
    {"35", "37"},
    {"36", "37"},
    {"37", "37"},
    {"38", "38"},
    {"40", "40"},
    {"42", "42"},
    {"44", "44"},
    {"45", "44"},
    {"46", "46"},
    {"48", "48"},
    {"49", "48"},
    {"51", "51"},
    {"52", "52"},
    {"54", "66"},
    {"56", "56"},
    {"58", "56"},
    {"60", "68"},
    {"62", "51"},
    {"64", "52"},
    {"66", "66"},
    {"67", "68"},
    {"68", "68"},
    {"70", "75"},
    {"72", "80"},
    {"74", "79"},
    {"75", "75"},
    {"77", "79"},
    {"79", "79"},
    {"80", "80"},
    {"82", "82"},
    {"83", "86"},
    {"84", "86"},
    {"86", "86"},
    {"87", "82"},
    {"89", "91"},
    {"91", "91"},
    {"92", "92"},
    {"93", "92"},
    {"94", "92"},
    {"95", "96"},
    {"96", "96"},
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

