/*
 * test_header.c - unit tests for core/header.c: the alias table on the header
 * spellings of research/records.md §5, cleaning (hints, numbering, case,
 * marks), each alias family with its older and shorter terms
 * (docs/headers.md), other persons' columns left alone, split Nam | Nữ
 * pairs, two-row headers, columns by content, the header score, missing
 * fields, duplicates, unknown columns, --map overrides and map file errors.
 * A failing row prints its input.
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
        {"Họ và tên", DC_F_FULL_NAME},
        {"HO_TEN", DC_F_FULL_NAME},
        {"hoten", DC_F_FULL_NAME},
        {"Ho ten", DC_F_FULL_NAME},
        {"HỌ TÊN (*)", DC_F_FULL_NAME},
        {"Full name", DC_F_FULL_NAME},
        {"Ngày sinh", DC_F_DOB},
        {"NGAY_SINH", DC_F_DOB},
        {"Ngày, tháng, năm sinh", DC_F_DOB},
        {"Số CCCD", DC_F_ID_NUMBER},
        {"Số định danh cá nhân", DC_F_ID_NUMBER},
        {"CMND", DC_F_CMND},
        {"Nơi thường trú", DC_F_ADDRESS},
        {"Địa chỉ", DC_F_ADDRESS},
        {"Giới tính", DC_F_SEX},
        {"Dân tộc", DC_F_ETHNIC},
        {"Quê quán", DC_F_HOMETOWN},
        {"Số CMND/CCCD/ĐDCN", DC_F_ID_NUMBER},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum dc_header_how how = DC_HDR_UNKNOWN;
        TAP_ROW("header \"%s\"", t[i].h);
        int f = map_one(t[i].h, NULL, &how);
        CHECK_INT(f, t[i].field);
        CHECK_INT(how, DC_HDR_ALIAS);
    }
    TAP_ROW_END();
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

    CHECK_INT(dc_header_mapfile_parse(txt, strlen(txt), "m.txt", &m, &err), 0);
    CHECK(m != NULL);
    CHECK_INT(map_one("Ghi chú", m, &how), DC_F_FULL_NAME);
    CHECK_INT(how, DC_HDR_MAP);
    /* '-' keeps the column in extra even though the alias table knows it */
    CHECK_INT(map_one("HO VA TEN", m, &how), -1);
    CHECK(how != DC_HDR_ALIAS);
    CHECK_INT(map_one("Ngày sinh", m, &how), DC_F_DOB);
    CHECK_INT(how, DC_HDR_ALIAS);
    dc_header_mapfile_free(m);
    dc_header_mapfile_free(NULL);
}

static void
map_error(const char *txt, size_t len, long want_line)
{
    struct dc_mapfile *m = NULL;
    struct dc_error err = DC_ERROR_INIT;

    CHECK_INT(dc_header_mapfile_parse(txt, len, "m.txt", &m, &err), -1);
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

/* Map one header and check field and how; print the input on failure. */
static void
expect(const char *h, int field, enum dc_header_how how)
{
    enum dc_header_how got = DC_HDR_UNKNOWN;
    int f = map_one(h, NULL, &got);
    int ok = CHECK_INT(f, field);
    ok &= CHECK_INT(got, how);
    if (!ok)
        printf("#   header: '%s'\n", h);
}

static void
test_clean_hints_numbering_case(void)
{
    static const struct {
        const char *in, *want;
    } t[] = {
        {"Ngày sinh (dd/mm/yyyy)", "ngay sinh"},
        {"Giới tính (Nam/Nữ)", "gioi tinh"},
        {"Giới tính: Nam/Nữ", "gioi tinh"},
        {"Số định danh cá nhân (12 số)", "so dinh danh ca nhan"},
        {"1. Họ và tên", "ho va ten"},
        {"12) NGÀY SINH", "ngay sinh"},
        {"a) Họ, chữ đệm và tên", "ho chu dem va ten"},
        {"đ) Quê quán", "que quan"},
        {"IV. Nơi thường trú", "noi thuong tru"},
        {"  HỌ   TÊN (*) ", "ho ten"},
        {"Nơi ĐKHK thường trú:", "noi dkhk thuong tru"},
        {"Số CMND/CCCD [bắt buộc]", "so cmnd cccd"},
        {"Ngày sinh (dd/mm/yyyy", "ngay sinh"},
        {"3", "3"},
        {"", ""},
    };
    char out[128];

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        TAP_ROW("header \"%s\"", t[i].in);
        CHECK_INT(dc_header_clean(t[i].in, out, sizeof out), 0);
        CHECK_STR(out, t[i].want);
    }
    TAP_ROW_END();
}

/* The cases of issue 22: each imported as an unknown column before. */
static void
test_issue_headers(void)
{
    expect("Ngày sinh (dd/mm/yyyy)", DC_F_DOB, DC_HDR_CLEANED);
    expect("Giới tính (Nam/Nữ)", DC_F_SEX, DC_HDR_CLEANED);
    expect("Giới tính: Nam/Nữ", DC_F_SEX, DC_HDR_CLEANED);
    expect("Số định danh cá nhân (12 số)", DC_F_ID_NUMBER, DC_HDR_CLEANED);
}

static void
test_family_birth_date(void)
{
    expect("Ngày, tháng, năm sinh", DC_F_DOB, DC_HDR_ALIAS);
    expect("NGÀY THÁNG NĂM SINH", DC_F_DOB, DC_HDR_ALIAS);
    expect("Năm sinh", DC_F_DOB, DC_HDR_ALIAS);
    expect("Sinh ngày", DC_F_DOB, DC_HDR_ALIAS); /* old CMND card */
    expect("NTNS", DC_F_DOB, DC_HDR_ALIAS);      /* office abbreviation */
    expect("2. Ngày sinh:", DC_F_DOB, DC_HDR_CLEANED);
    expect("Ngày sinh dd/mm/yyyy", DC_F_DOB, DC_HDR_CLEANED);
    expect("Ngày sinh chủ hộ", -1, DC_HDR_UNKNOWN); /* records.md §5 item 1 */
    expect("Năm sinh cha", -1, DC_HDR_UNKNOWN);     /* MOET template */
    expect("Năm sinh mẹ", -1, DC_HDR_UNKNOWN);
    expect("Ngày chết (Nếu có)", -1, DC_HDR_UNKNOWN);
    expect("Ngày đăng ký thường trú", -1, DC_HDR_UNKNOWN);
}

static void
test_family_sex(void)
{
    expect("Giới tính", DC_F_SEX, DC_HDR_ALIAS);
    expect("GIOI_TINH", DC_F_SEX, DC_HDR_ALIAS);
    expect("Phái", DC_F_SEX, DC_HDR_ALIAS); /* southern forms */
    expect("Nam/Nữ", DC_F_SEX, DC_HDR_ALIAS);
    expect("Giới tính Nam/Nữ", DC_F_SEX, DC_HDR_CLEANED);
    expect("Giới tính (1=Nam, 0=Nữ)", DC_F_SEX, DC_HDR_CLEANED);
}

static void
test_family_personal_id(void)
{
    expect("Số định danh cá nhân", DC_F_ID_NUMBER, DC_HDR_ALIAS);
    expect("Số ĐDCN", DC_F_ID_NUMBER, DC_HDR_ALIAS);
    expect("Mã định danh", DC_F_ID_NUMBER, DC_HDR_ALIAS);
    expect("Số định danh cá nhân/CMND", DC_F_ID_NUMBER, DC_HDR_ALIAS); /* CT01 2021 item 4 */
    expect("Căn cước công dân", DC_F_ID_NUMBER, DC_HDR_ALIAS);
    expect("Số CCCD gắn chip", DC_F_ID_NUMBER, DC_HDR_CLEANED);
    expect("Số CMND/CCCD/ĐDCN chủ hộ", -1, DC_HDR_UNKNOWN);
}

static void
test_family_old_id(void)
{
    expect("Số CMND 9 số", DC_F_CMND, DC_HDR_ALIAS); /* CC01 item 8 */
    expect("Số CMND", DC_F_CMND, DC_HDR_ALIAS);
    expect("CMND số", DC_F_CMND, DC_HDR_ALIAS);
    expect("Số CMT", DC_F_CMND, DC_HDR_ALIAS);
    expect("Chứng minh nhân dân", DC_F_CMND, DC_HDR_ALIAS);
    expect("Số CMND cũ (9 số)", DC_F_CMND, DC_HDR_ALIAS);
    expect("Số CMND cũ (nếu có)", DC_F_CMND, DC_HDR_CLEANED);
    expect("Ngày cấp CMND", DC_F_ISSUE_DATE, DC_HDR_ALIAS);
    expect("Nơi cấp CMND/CCCD", DC_F_ISSUE_PLACE, DC_HDR_ALIAS);
}

static void
test_family_addresses(void)
{
    expect("Nơi thường trú", DC_F_ADDRESS, DC_HDR_ALIAS);
    expect("Hộ khẩu thường trú", DC_F_ADDRESS, DC_HDR_ALIAS);
    expect("Nơi ĐKHK thường trú", DC_F_ADDRESS, DC_HDR_ALIAS); /* old CMND card */
    expect("HKTT", DC_F_ADDRESS, DC_HDR_ALIAS);
    expect("Địa chỉ thường trú (ghi rõ thôn, xã)", DC_F_ADDRESS, DC_HDR_CLEANED);
    expect("Nơi ở hiện tại", DC_F_ADDRESS_CURRENT, DC_HDR_ALIAS);
    expect("Chỗ ở hiện nay", DC_F_ADDRESS_CURRENT, DC_HDR_ALIAS);
    expect("Địa chỉ tạm trú", DC_F_ADDRESS_CURRENT, DC_HDR_ALIAS);
    expect("Địa chỉ email", -1, DC_HDR_UNKNOWN);
}

static void
test_family_household_book(void)
{
    expect("Số hồ sơ cư trú", DC_F_HOUSEHOLD_NO, DC_HDR_ALIAS);
    expect("Số sổ hộ khẩu", DC_F_HOUSEHOLD_NO, DC_HDR_ALIAS);
    expect("Số sổ HK", DC_F_HOUSEHOLD_NO, DC_HDR_ALIAS);
    expect("Mã hộ gia đình", DC_F_HOUSEHOLD_NO, DC_HDR_ALIAS);
    expect("Chủ hộ/Quan hệ với chủ hộ", DC_F_RELATION, DC_HDR_ALIAS);
    expect("Họ và tên chủ hộ", -1, DC_HDR_UNKNOWN);
    expect("Họ tên cha", -1, DC_HDR_UNKNOWN);
    expect("Họ và tên học sinh", DC_F_FULL_NAME, DC_HDR_CLEANED);
}

static void
test_split_sex_pairs(void)
{
    static const struct {
        const char *a, *b;
    } t[] = {
        {"Năm sinh Nam", "Năm sinh Nữ"},     /* BHYT list, Fatherland Front list */
        {"Nam sinh Nam", "Nam sinh Nu"},     /* the same without marks */
        {"Năm sinh > Nam", "Năm sinh > Nữ"}, /* a two-row header combined */
        {"Ngày sinh > Nam", "Ngày sinh > Nữ"}, {"Giới tính > Nam", "Giới tính > Nữ"}, {"Nam", "Nữ"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *hs[3] = {"Họ và tên", t[i].a, t[i].b};
        struct dc_header_map out[3];
        struct dc_error err = DC_ERROR_INIT;

        TAP_ROW("headers \"%s\" | \"%s\"", t[i].a, t[i].b);
        CHECK_INT(dc_header_map(hs, 3, NULL, out, &err), 0);
        CHECK_INT(out[1].field, DC_F_SEX);
        CHECK_INT(out[1].sex, 'M');
        CHECK_INT(out[2].field, DC_F_SEX);
        CHECK_INT(out[2].sex, 'F');
    }
    TAP_ROW_END();
    /* "Năm" under a date is the year, never the male column; a date split in three
     * parts is no birth-date column (import then says it has none) */
    {
        const char *hs[3] = {"Ngày sinh > Ngày", "Ngày sinh > Tháng", "Ngày sinh > Năm"};
        struct dc_header_map out[3];
        CHECK_INT(dc_header_map(hs, 3, NULL, out, NULL), 0);
        CHECK_INT(out[2].sex, 0);
        CHECK_INT(out[0].field, -1);
        CHECK_INT(out[2].field, -1);
        const char *lone[2] = {"Họ và tên", "Nam"};
        CHECK_INT(dc_header_map(lone, 2, NULL, out, NULL), 0);
        CHECK_INT(out[1].field, -1);
        CHECK_INT(out[1].sex, 0);
    }
}

static void
test_two_row_header(void)
{
    /* Excel merged cells saved as CSV: "Năm sinh" over Nam | Nữ, the rest merged down */
    const char *top[6] = {"STT", "Họ và tên", "Năm sinh", "", "Số CCCD", "Hộ khẩu thường trú"};
    const char *sub[6] = {"", "", "Nam", "Nữ", "", ""};
    const char *data[6] = {"1", "Trần Văn Bình", "1975", "", "001075000111", "Xã Đông Hội"};
    const char *nums[6] = {"(1)", "(2)", "(3)", "(4)", "(5)", "(6)"};
    const char *gap[6] = {"STT", "Họ và tên", "", "Ngày sinh", "", ""};
    const char *kinh[6] = {"", "", "Kinh", "", "", ""};
    char *comb[6];

    CHECK_INT(dc_header_subrow(top, 6, sub, 6), DC_SUBROW_GROUP);
    CHECK_INT(dc_header_subrow(top, 6, data, 6), DC_SUBROW_NONE);
    CHECK_INT(dc_header_subrow(top, 6, nums, 6), DC_SUBROW_NUMBERS);
    CHECK_INT(dc_header_subrow(gap, 6, kinh, 6), DC_SUBROW_NONE);
    CHECK_INT(dc_header_combine(top, 6, sub, 6, comb, NULL), 0);
    CHECK_STR(comb[1], "Họ và tên");
    CHECK_STR(comb[2], "Năm sinh > Nam");
    CHECK_STR(comb[3], "Năm sinh > Nữ");
    CHECK_STR(comb[5], "Hộ khẩu thường trú");
    for (int i = 0; i < 6; i++)
        free(comb[i]);
    /* a split address under its group: the sub-column decides */
    const char *top2[4] = {"Họ tên", "Hộ khẩu thường trú", "", ""};
    const char *sub2[4] = {"", "Xã", "Huyện", "Tỉnh"};
    struct dc_header_map m[4];
    CHECK_INT(dc_header_subrow(top2, 4, sub2, 4), DC_SUBROW_GROUP);
    CHECK_INT(dc_header_combine(top2, 4, sub2, 4, comb, NULL), 0);
    CHECK_INT(dc_header_map((const char *const *)comb, 4, NULL, m, NULL), 0);
    CHECK_INT(m[1].field, DC_F_WARD);
    CHECK_INT(m[2].field, DC_F_DISTRICT);
    CHECK_INT(m[3].field, DC_F_PROVINCE);
    CHECK_INT(m[1].how, DC_HDR_CLEANED);
    for (int i = 0; i < 4; i++)
        free(comb[i]);
    /* the sub-columns of another person's group are not the row's */
    const char *top3[3] = {"Họ và tên", "Cha", ""};
    const char *sub3[3] = {"", "Họ tên", "Năm sinh"};
    CHECK_INT(dc_header_combine(top3, 3, sub3, 3, comb, NULL), 0);
    CHECK_INT(dc_header_map((const char *const *)comb, 3, NULL, m, NULL), 0);
    CHECK_INT(m[1].field, -1);
    CHECK_INT(m[2].field, -1);
    for (int i = 0; i < 3; i++)
        free(comb[i]);
}

static void
test_score(void)
{
    const char *motto[1] = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"};
    const char *title[3] = {"DANH SÁCH NHÂN KHẨU", "", ""};
    const char *hdr[6] = {"STT",       "Họ và tên", "Ngày sinh (dd/mm/yyyy)",
                          "Giới tính", "Số CCCD",   "Nơi thường trú"};
    const char *row[6] = {"1",   "Nguyễn Văn Nam", "12/05/1968",
                          "Nam", "001068001234",   "Xã Phú Minh, Huyện Sóc Sơn"};

    CHECK_INT(dc_header_score(motto, 1), 0);
    CHECK_INT(dc_header_score(title, 3), 0);
    CHECK_INT(dc_header_score(hdr, 6), 5);
    CHECK(dc_header_score(row, 6) <= 1);
    CHECK_INT(dc_header_score(NULL, 0), 0);
}

static void
test_by_content(void)
{
    const char *hs[5] = {"Họ và tên", "", "Cột 3", "Column4", "Ghi chú"};
    static const char *const rows[4][5] = {
        {"An", "01/02/1990", "Nam", "001090000001", "x"},
        {"Bình", "1985", "Nữ", "001185000002", "y"},
        {"Chi", "3/7/1970", "Nữ", "001170000003", "z"},
        {"Dũng", "", "nam", "001 090 000 004", "w"},
    };
    struct dc_header_sniff sn[5];
    struct dc_header_map m[5];

    memset(sn, 0, sizeof sn);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 5; c++)
            dc_header_sniff_add(&sn[c], rows[r][c]);
    CHECK_INT(dc_header_map(hs, 5, NULL, m, NULL), 0);
    CHECK_INT(dc_header_by_content(hs, m, sn, 5), 3);
    CHECK_INT(m[1].field, DC_F_DOB);
    CHECK_INT(m[1].how, DC_HDR_CONTENT);
    CHECK_INT(m[2].field, DC_F_SEX);
    CHECK_INT(m[3].field, DC_F_ID_NUMBER);
    CHECK_INT(m[4].field, -1); /* "Ghi chú" says something: never taken by content */
    CHECK_STR(dc_header_how_name(DC_HDR_CONTENT), "by content");
    CHECK_INT(dc_header_generic("Unnamed: 3"), 1);
    CHECK_INT(dc_header_generic("Ghi chú"), 0);
    CHECK_INT(dc_header_id_kind("001 090 000 004"), 12);
    CHECK_INT(dc_header_id_kind("012345678"), 9);
    CHECK_INT(dc_header_id_kind("12345678x"), 0);
    CHECK_INT(dc_header_id_kind("-012345678"), 0);
}

static void
test_missing_fields(void)
{
    const char *hs[4] = {"Họ và tên", "Ngày sinh", "Ghi chú", "Số CCCD"};
    struct dc_header_map m[4];
    char buf[128];

    CHECK_INT(dc_header_map(hs, 4, NULL, m, NULL), 0);
    CHECK_INT(dc_header_missing(m, 4, buf, sizeof buf), 2);
    CHECK_STR(buf, "giới tính, nơi thường trú");
}

static void
test_id_columns_not_duplicates(void)
{
    const char *hs[3] = {"Số CCCD/CMND", "Số định danh cá nhân", "Số CMND"};
    struct dc_header_map m[3];

    CHECK_INT(dc_header_map(hs, 3, NULL, m, NULL), 0);
    CHECK_INT(m[0].field, DC_F_ID_NUMBER);
    CHECK_INT(m[1].field, DC_F_ID_NUMBER);
    CHECK_INT(m[1].how, DC_HDR_ALIAS);
    CHECK_INT(m[2].field, DC_F_CMND);
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
    RUN(test_clean_hints_numbering_case);
    RUN(test_issue_headers);
    RUN(test_family_birth_date);
    RUN(test_family_sex);
    RUN(test_family_personal_id);
    RUN(test_family_old_id);
    RUN(test_family_addresses);
    RUN(test_family_household_book);
    RUN(test_split_sex_pairs);
    RUN(test_two_row_header);
    RUN(test_score);
    RUN(test_by_content);
    RUN(test_missing_fields);
    RUN(test_id_columns_not_duplicates);
    return tap_done();
}
