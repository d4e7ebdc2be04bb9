/*
 * test_header.c - unit tests for core/header.c: the alias table on the header
 * spellings of research/records.md §5, duplicates, unknown columns, --map
 * overrides and map file errors.
 * Not for: values under those headers (test_normalize.c).
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fields.h"
#include "header.h"
#include "tap.h"

static int
map_one(const char *h, const struct dc_mapfile *m, enum dc_header_how *how)
{
    struct dc_header_map out[1];
    struct dc_error err = DC_ERROR_INIT;
    const char *hs[1] = {h};

    if (dc_header_map(hs, 1, m, out, &err) != 0)
        return -2;
    *how = out[0].how;
    return out[0].field;
}

static void
test_alias_records_spellings(void)
{
    static const struct {
        const char *h;
        int field;
    } t[] = {
        {"Họ và tên", DC_F_FULL_NAME},      {"HO_TEN", DC_F_FULL_NAME},
        {"hoten", DC_F_FULL_NAME},          {"Ho ten", DC_F_FULL_NAME},
        {"HỌ TÊN (*)", DC_F_FULL_NAME},     {"Full name", DC_F_FULL_NAME},
        {"Ngày sinh", DC_F_DOB},            {"NGAY_SINH", DC_F_DOB},
        {"Ngày, tháng, năm sinh", DC_F_DOB}, {"Số CCCD", DC_F_ID_NUMBER},
        {"Số định danh cá nhân", DC_F_ID_NUMBER}, {"CMND", DC_F_CMND},
        {"Nơi thường trú", DC_F_ADDRESS},   {"Địa chỉ", DC_F_ADDRESS},
        {"Giới tính", DC_F_SEX},            {"Dân tộc", DC_F_ETHNIC},
        {"Quê quán", DC_F_HOMETOWN},        {"Số CMND/CCCD/ĐDCN", DC_F_ID_NUMBER},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum dc_header_how how = DC_HDR_UNKNOWN;
        int f = map_one(t[i].h, NULL, &how);
        if (!CHECK_INT(f, t[i].field))
            printf("#   header: %s\n", t[i].h);
        CHECK_INT(how, DC_HDR_ALIAS);
    }
}

static void
test_key_folds_decorations(void)
{
    char k[128];

    CHECK_INT(dc_header_key("HỌ TÊN (*)", k, sizeof k), 0);
    CHECK_STR(k, "hoten");
    CHECK_INT(dc_header_key("Ho_ten:", k, sizeof k), 0);
    CHECK_STR(k, "hoten");
}

static void
test_duplicate_second_column(void)
{
    const char *hs[3] = {"Họ và tên", "HO_TEN", "Ngày sinh"};
    struct dc_header_map out[3];
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_header_map(hs, 3, NULL, out, &err), 0);
    CHECK_INT(out[0].field, DC_F_FULL_NAME);
    CHECK_INT(out[0].how, DC_HDR_ALIAS);
    CHECK_INT(out[1].how, DC_HDR_DUPLICATE);
    CHECK_INT(out[2].field, DC_F_DOB);
    CHECK_STR(dc_header_how_name(DC_HDR_DUPLICATE), "duplicate");
}

static void
test_unknown_column(void)
{
    enum dc_header_how how = DC_HDR_ALIAS;

    CHECK_INT(map_one("Ghi chú", NULL, &how), -1);
    CHECK_INT(how, DC_HDR_UNKNOWN);
    CHECK_STR(dc_header_how_name(DC_HDR_UNKNOWN), "unknown");
}

static void
test_map_override_and_dash(void)
{
    static const char txt[] = "# override\nGhi chú = full_name\nHọ và tên=-\n";
    struct dc_mapfile *m = NULL;
    struct dc_error err = DC_ERROR_INIT;
    enum dc_header_how how = DC_HDR_UNKNOWN;

    CHECK_INT(dc_mapfile_parse(txt, strlen(txt), "m.txt", &m, &err), 0);
    CHECK(m != NULL);
    CHECK_INT(map_one("Ghi chú", m, &how), DC_F_FULL_NAME);
    CHECK_INT(how, DC_HDR_MAP);
    /* '-' keeps the column in extra even though the alias table knows it */
    CHECK_INT(map_one("HO VA TEN", m, &how), -1);
    CHECK(how != DC_HDR_ALIAS);
    CHECK_INT(map_one("Ngày sinh", m, &how), DC_F_DOB);
    CHECK_INT(how, DC_HDR_ALIAS);
    dc_mapfile_free(m);
    dc_mapfile_free(NULL);
}

static void
map_error(const char *txt, size_t len, long want_line)
{
    struct dc_mapfile *m = NULL;
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_mapfile_parse(txt, len, "m.txt", &m, &err), -1);
    CHECK(m == NULL);
    CHECK_INT(err.status, DC_EX_DATAERR);
    CHECK_INT(err.line, want_line);
    CHECK_STR(err.path, "m.txt");
}

static void
test_map_errors_with_line(void)
{
    static const char nul[] = "a=dob\n# x\nb=s\0x\n";
    char *longl, *many;
    size_t i, n;

    map_error("a=dob\n\nno equals\n", 18, 3);
    map_error("a=dob\nb=birthday\n", 17, 2);
    map_error(nul, sizeof nul - 1, 3);
    longl = malloc(5000);
    if (!longl)
        abort();
    memset(longl, 'a', 4998);
    memcpy(longl, "a=dob\n", 6); /* line 2 is 4992 bytes */
    longl[4998] = '\n';
    map_error(longl, 4999, 2);
    free(longl);
    many = malloc(1001 * 16);
    if (!many)
        abort();
    for (i = 0, n = 0; i < 1001; i++)
        n += (size_t)snprintf(many + n, 1001 * 16 - n, "c%u=dob\n", (unsigned)(i % 1000));
    map_error(many, n, 1001);
    free(many);
}

int
main(void)
{
    RUN(test_alias_records_spellings);
    RUN(test_key_folds_decorations);
    RUN(test_duplicate_second_column);
    RUN(test_unknown_column);
    RUN(test_map_override_and_dash);
    RUN(test_map_errors_with_line);
    return tap_done();
}
