/*
 * fuzz_synth_tables.c - libFuzzer target for the table reader of core/synth/tables.c
 * (--names and --refdata CSV files) and for the generator fed odd name parts.
 *
 * The first byte picks which of the eight table files the rest of the input
 * replaces; the other seven get small valid contents, then a 4-person run is
 * generated into a scratch directory.  Name parts that are not Vietnamese
 * letters (invalid UTF-8, controls, 64-byte words) reach the folding, case,
 * tone, typo and MRZ code this way.  Not for: speed measurements.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fname[8] = {
    "names/surnames_published.csv",    "names/surnames.csv",
    "names/middle_names.csv",          "names/given_names.csv",
    "refdata/admin_units_pre2025.csv", "refdata/ward_mapping_2025.csv",
    "refdata/admin_units_2025.csv",    "refdata/province_mapping_2025.csv"};

static const char *const deflt[8] = {
    "source_id,rank,surname,pct,count\nLTH,1,Nguyễn,38.4,\nLTH,5,Hoàng/Huỳnh,5.1,\n",
    "surname,count,share\nTrần,10,0.1\nLò,2,0.01\n",
    "middle,gender,words,count\nThị,F,1,5\nVăn,M,1,5\n,M,0,2\n",
    "given_name,gender,count\nHòa,F,3\nThủy,F,2\nQuý,M,4\nĐức,M,1\n",
    "province_code,province_name,district_code,district_name,ward_code,ward_name,ward_level\n"
    "01,Thành phố Hà Nội,001,Quận Ba Đình,00001,Phường Phúc Xá,Phường\n"
    "01,Thành phố Hà Nội,001,Quận Ba Đình,00004,Phường Trúc Bạch,Phường\n"
    "79,Thành phố Hồ Chí Minh,765,Quận Bình Thạnh,26905,Phường 13,Phường\n",
    "old_ward_code,new_ward_code\n00001,00097\n00004,00004\n00004,00008\n26905,26905\n",
    "province_code,province_name,ward_code,ward_name,ward_level\n"
    "01,Thành phố Hà Nội,00097,Phường Hồng Hà,Phường\n"
    "01,Thành phố Hà Nội,00004,Phường Ba Đình,Phường\n"
    "01,Thành phố Hà Nội,00008,Phường Ngọc Hà,Phường\n"
    "79,Thành phố Hồ Chí Minh,26905,Phường Bình Lợi Trung,Phường\n",
    "old_province_code,old_province_name,new_province_code,new_province_name\n"
    "01,Thành phố Hà Nội,01,Thành phố Hà Nội\n"
    "79,Thành phố Hồ Chí Minh,79,Thành phố Hồ Chí Minh\n"};

static char root[64];

static int
put(const char *rel, const void *p, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(p, 1, n, f) == n ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char nd[128], rd[128], od[128];
    if (!root[0]) {
        snprintf(root, sizeof root, "/tmp/fuzz_synth.XXXXXX");
        if (!mkdtemp(root))
            abort();
        snprintf(nd, sizeof nd, "%s/names", root);
        snprintf(rd, sizeof rd, "%s/refdata", root);
        if (mkdir(nd, 0700) < 0 || mkdir(rd, 0700) < 0)
            abort();
    }
    if (size < 1)
        return 0;
    int k = data[0] % 8;
    for (int i = 0; i < 8; i++) {
        int rc =
            i == k ? put(fname[i], data + 1, size - 1) : put(fname[i], deflt[i], strlen(deflt[i]));
        if (rc < 0)
            abort();
    }
    snprintf(nd, sizeof nd, "%s/names", root);
    snprintf(rd, sizeof rd, "%s/refdata", root);
    snprintf(od, sizeof od, "%s/out", root);
    struct dc_synth_opts o = {4, data[0], od, rd, nd, 0};
    struct dc_error err = DC_ERROR_INIT;
    (void)dc_synth_run(&o, NULL, &err);
    return 0;
}
