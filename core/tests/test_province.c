/*
 * test_province.c - unit tests for core/province.c: the 63 pre-2025 provinces in code
 * order, found by code, the two name columns (the GSO catalogue's and the ID circular's,
 * which differ beyond the unit type for Hòa Bình and Thừa Thiên Huế), and the two users
 * reading the one table: an ID's province (vnid) and the built-in catalogue (addr).
 */
#include <string.h>

#include "address.h"
#include "province.h"
#include "tap.h"
#include "vnid.h"

static void
test_province_table_in_code_order(void)
{
    size_t n = dc_province_count();
    int ordered = 1, shaped = 1;

    CHECK_INT(n, 63);
    for (size_t i = 0; i < n; i++) {
        const struct dc_province *p = dc_province_get(i);
        TAP_ROW("%s", p->code);
        /* the ID name is the catalogue name without its unit type, but in two rows */
        shaped &= strlen(p->code) == 2 && p->name[0] && p->id_name[0] &&
                  (strstr(p->name, p->id_name) != NULL || strcmp(p->code, "17") == 0 ||
                   strcmp(p->code, "46") == 0);
        if (i)
            ordered &= strcmp(dc_province_get(i - 1)->code, p->code) < 0;
        CHECK(dc_province_find(p->code) == p);
    }
    TAP_ROW_END();
    CHECK(shaped);
    CHECK(ordered);
    CHECK(dc_province_get(n) == NULL);
}

static void
test_province_find_and_names(void)
{
    CHECK_STR(dc_province_find("01")->name, "Thành phố Hà Nội");
    CHECK_STR(dc_province_find("01")->id_name, "Hà Nội");
    CHECK_STR(dc_province_find("17")->name, "Tỉnh Hoà Bình");
    CHECK_STR(dc_province_find("17")->id_name, "Hòa Bình");
    CHECK_STR(dc_province_find("46")->name, "Thành phố Huế");
    CHECK_STR(dc_province_find("46")->id_name, "Thừa Thiên Huế");
    CHECK(dc_province_find("03") == NULL); /* no province 03 */
    CHECK(dc_province_find("1") == NULL);
    CHECK(dc_province_find("001") == NULL);
    CHECK(dc_province_find(NULL) == NULL);
}

/* vnid: an ID's three digits are "0" and the GSO code */
static void
test_id_province_reads_the_table(void)
{
    CHECK_STR(dc_id_province_name("001"), "Hà Nội");
    CHECK_STR(dc_id_province_name("046"), "Thừa Thiên Huế");
    CHECK_STR(dc_id_province_name("096"), "Cà Mau");
    CHECK(dc_id_province_name("003") == NULL);
    CHECK(dc_id_province_name("101") == NULL); /* not "0" + a code */
    CHECK(dc_id_province_name("01") == NULL);
}

/* addr: the built-in catalogue's pre-2025 provinces are the table's */
static void
test_builtin_catalogue_reads_the_table(void)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_catalog *c = dc_catalog_new();

    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_INT(dc_catalog_builtin_provinces(c, &err), 0);
    CHECK_INT(dc_catalog_count(c), 63 + 34); /* the table's and the 34 of 2025 */
    CHECK_INT(dc_catalog_finish(c, &err), 0);
    dc_catalog_free(c);
}

int
main(void)
{
    RUN(test_province_table_in_code_order);
    RUN(test_province_find_and_names);
    RUN(test_id_province_reads_the_table);
    RUN(test_builtin_catalogue_reads_the_table);
    return tap_done();
}
