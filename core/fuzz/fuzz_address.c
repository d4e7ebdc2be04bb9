/*
 * fuzz_address.c - libFuzzer target for core/address: free-text and
 * split-column matching against a small hand-built catalogue (the built-in
 * provinces plus a few districts, wards and mappings, codes as in
 * /work/shared/refdata), so the target needs no files.
 *
 * Input: first byte picks the entry point (even: dc_addr_match on the rest;
 * odd: the rest split on '|' into ward|district|province|detail).  Checks the
 * result's invariants: codes empty or of their fixed length, confidence in
 * [0, 1], and a code never without its reason being consistent.
 *
 * Not for: catalogue loading (the refdata CSV reader has its own target).
 */
#include "address.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dc_catalog *cat;

static int
build(void)
{
    struct dc_error err = DC_ERROR_INIT;
    cat = dc_catalog_new();
    if (cat == NULL || dc_catalog_builtin_provinces(cat, &err) < 0)
        return -1;
    static const char *const dist[][3] = {
        {"01", "001", "Quận Ba Đình"},        {"01", "007", "Quận Hai Bà Trưng"},
        {"79", "765", "Quận Bình Thạnh"},     {"66", "645", "Huyện Ea H'leo"},
        {"38", "380", "Thành phố Thanh Hóa"}, {"38", "381", "Thị xã Bỉm Sơn"},
    };
    static const char *const oldw[][4] = {
        {"01", "001", "00004", "Phường Trúc Bạch"}, {"01", "007", "00271", "Phường Thanh Nhàn"},
        {"79", "765", "26941", "Phường 2"},         {"79", "765", "26944", "Phường 1"},
        {"66", "645", "24184", "Xã Ea H'leo"},      {"38", "380", "14776", "Phường Ba Đình"},
        {"38", "381", "14812", "Phường Ba Đình"},
    };
    static const char *const neww[][3] = {
        {"01", "00004", "Phường Ba Đình"},  {"01", "00256", "Phường Hai Bà Trưng"},
        {"01", "00292", "Phường Bạch Mai"}, {"79", "26944", "Phường Gia Định"},
        {"66", "24184", "Xã Ea H’Leo"},     {"38", "14797", "Phường Hạc Thành"},
        {"38", "14812", "Phường Bỉm Sơn"},
    };
    static const char *const map[][2] = {
        {"00004", "00004"}, {"00271", "00256"}, {"00271", "00292"}, {"26941", "26944"},
        {"26944", "26944"}, {"24184", "24184"}, {"14776", "14797"}, {"14812", "14812"},
    };
    for (size_t i = 0; i < sizeof dist / sizeof dist[0]; i++)
        if (dc_catalog_add_district(cat, dist[i][0], dist[i][1], dist[i][2], &err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof oldw / sizeof oldw[0]; i++)
        if (dc_catalog_add_ward(cat, DC_ERA_PRE2025, oldw[i][0], oldw[i][1], oldw[i][2], oldw[i][3],
                                &err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof neww / sizeof neww[0]; i++)
        if (dc_catalog_add_ward(cat, DC_ERA_2025, neww[i][0], NULL, neww[i][1], neww[i][2], &err) <
            0)
            return -1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (dc_catalog_add_map(cat, map[i][0], map[i][1], &err) < 0)
            return -1;
    return dc_catalog_finish(cat, &err);
}

static void
check(const struct dc_addr *a)
{
    size_t w = strlen(a->ward_code), d = strlen(a->district_code), p = strlen(a->province_code);
    size_t nw = strlen(a->new_ward_code), np = strlen(a->new_province_code);
    if ((w != 0 && w != 5) || (d != 0 && d != 3) || (p != 0 && p != 2) || (nw != 0 && nw != 5) ||
        (np != 0 && np != 2))
        abort();
    if (!(a->confidence >= 0.0 && a->confidence <= 1.0))
        abort();
    if (w != 0 && d == 0) /* a pre-2025 ward always comes with its district */
        abort();
    if (strlen(a->detail) >= sizeof a->detail || strlen(a->reason) >= sizeof a->reason)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (build() < 0)
            abort();
        ready = 1;
    }
    if (size == 0)
        return 0;
    char *s = malloc(size);
    if (s == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    struct dc_addr a;
    struct dc_error err = DC_ERROR_INIT;
    int rc;
    if ((data[0] & 1) == 0) {
        rc = dc_addr_match(cat, s, &a, &err);
    } else {
        char *f[4] = {NULL, NULL, NULL, NULL};
        char *p = s;
        for (int k = 0; k < 4 && p != NULL; k++) {
            f[k] = p;
            p = strchr(p, '|');
            if (p != NULL)
                *p++ = '\0';
        }
        rc = dc_addr_match_parts(cat, f[0], f[1], f[2], f[3], &a, &err);
    }
    if (rc != 0)
        abort(); /* only internal errors may fail */
    check(&a);
    free(s);
    return 0;
}
