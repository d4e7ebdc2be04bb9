/*
 * test_workbook.c - unit tests for core/io/ (the workbook readers): numbers and dates as
 * Excel shows them, telling a workbook by its bytes, and .xlsx packages built here with
 * libzip part by part, the friendly ones (shared strings, styles, merges, hidden rows, rows
 * left out) and the hostile ones (DTD, deep nesting, a zip bomb, a missing part).
 * Expected values worked out by hand from ECMA-376 Part 1 and the Gregorian calendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "io/workbook.h"
#include "tap.h"

static void
test_number_text(void)
{
    char b[64];

    dc_wb_number_text(79203001234.0, b, sizeof b);
    CHECK_STR(b, "79203001234"); /* an ID typed as a number: no ".0", no exponent */
    dc_wb_number_text(1.5, b, sizeof b);
    CHECK_STR(b, "1.5");
    dc_wb_number_text(0.1, b, sizeof b);
    CHECK_STR(b, "0.1");
    dc_wb_number_text(-0.0, b, sizeof b);
    CHECK_STR(b, "0");
    dc_wb_number_text(1e20, b, sizeof b);
    CHECK_STR(b, "1e+20");
    dc_wb_number_text(40.0, b, sizeof b);
    CHECK_STR(b, "40");
}

static void
test_serial_1900_leap_quirk(void)
{
    char b[32];

    CHECK_INT(dc_wb_serial_date(32874, b, sizeof b), 0);
    CHECK_STR(b, "1990-01-01");
    CHECK_INT(dc_wb_serial_date(1, b, sizeof b), 0);
    CHECK_STR(b, "1900-01-01");
    CHECK_INT(dc_wb_serial_date(59, b, sizeof b), 0);
    CHECK_STR(b, "1900-02-28");
    CHECK_INT(dc_wb_serial_date(60, b, sizeof b), 0);
    CHECK_STR(b, "1900-02-29"); /* the day Lotus invented */
    CHECK_INT(dc_wb_serial_date(61, b, sizeof b), 0);
    CHECK_STR(b, "1900-03-01");
    CHECK_INT(dc_wb_serial_date(45658, b, sizeof b), 0);
    CHECK_STR(b, "2025-01-01");
    CHECK_INT(dc_wb_serial_date(32874.5, b, sizeof b), 0);
    CHECK_STR(b, "1990-01-01 12:00:00");
    CHECK_INT(dc_wb_serial_date(2958465, b, sizeof b), 0);
    CHECK_STR(b, "9999-12-31");
    CHECK_INT(dc_wb_serial_date(0, b, sizeof b), -1);
    CHECK_INT(dc_wb_serial_date(-5, b, sizeof b), -1);
    CHECK_INT(dc_wb_serial_date(2958466, b, sizeof b), -1);
}

static void
test_sniff(void)
{
    static const unsigned char zip[] = "PK\003\004rest", ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

    CHECK_INT(dc_wb_sniff(zip, 8), DC_WB_XLSX);
    CHECK_INT(dc_wb_sniff(ole, 8), DC_WB_XLS);
    CHECK_INT(dc_wb_sniff((const unsigned char *)"Ho ten,", 7), DC_WB_NONE);
    CHECK_INT(dc_wb_sniff(zip, 3), DC_WB_NONE);
}

/* ---- packages built here ------------------------------------------------------------- */

struct part {
    const char *name, *text;
};

static const char CT[] = "<?xml version=\"1.0\"?><Types/>";
static const char RELS[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"r\"><Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char WB[] = "<?xml version=\"1.0\"?><workbook xmlns:r=\"R\"><sheets>"
                         "<sheet name=\"Hidden\" sheetId=\"1\" state=\"hidden\" r:id=\"rId2\"/>"
                         "<sheet name=\"DS\" sheetId=\"2\" r:id=\"rId1\"/></sheets></workbook>";
static const char WBRELS[] =
    "<?xml version=\"1.0\"?><Relationships>"
    "<Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"x/worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"x/styles\" Target=\"styles.xml\"/></Relationships>";
static const char SST[] =
    "<sst><si><t>Họ và tên</t></si><si><t>Ngày sinh</t></si><si><t>Số CCCD</t></si>"
    "<si><r><t>Nguyễn </t></r><r><t>Văn An</t></r><rPh><t>phonetic</t></rPh></si>"
    "<si><t>001090001234</t></si></sst>";
/* xf 0 General, 1 built-in 14 (a date), 2 custom 164 dd/mm/yyyy, 3 custom 165 "0.00" */
static const char STYLES[] =
    "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot;d&quot;\"/></numFmts>"
    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/></cellXfs></styleSheet>";

static int
make_xlsx(const char *path, const struct part *p, size_t n)
{
    int e = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);

    if (!z)
        return -1;
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, p[i].text, strlen(p[i].text), 0);

        if (!s || zip_file_add(z, p[i].name, s, ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(s);
            zip_discard(z);
            return -1;
        }
    }
    return zip_close(z);
}

static char tmpl[64];

static const char *
package(const char *sheet, const char *sheet2)
{
    const struct part p[] = {
        {"[Content_Types].xml", CT},
        {"_rels/.rels", RELS},
        {"xl/workbook.xml", WB},
        {"xl/_rels/workbook.xml.rels", WBRELS},
        {"xl/sharedStrings.xml", SST},
        {"xl/styles.xml", STYLES},
        {"xl/worksheets/sheet1.xml", sheet},
        {"xl/worksheets/sheet2.xml", sheet2 ? sheet2 : "<worksheet/>"},
    };

    snprintf(tmpl, sizeof tmpl, "/tmp/test_workbook_%d.xlsx", (int)getpid());
    return make_xlsx(tmpl, p, sizeof p / sizeof p[0]) == 0 ? tmpl : NULL;
}

/* All rows as "rownum:raw[:reject]" lines, or "ERR msg". */
static void
read_all(const char *path, const char *sheet, char *out, size_t size)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_wb_opts o = {sheet, 0, 0};
    struct dc_wb_reader *r = path ? dc_wb_open(path, DC_WB_XLSX, &o, &err) : NULL;
    struct dc_csv_row row;
    size_t l = 0;
    int rc;

    out[0] = '\0';
    if (!r) {
        snprintf(out, size, "ERR %s", err.msg);
        return;
    }
    while ((rc = dc_wb_next(r, &row, &err)) == 1 && l < size) {
        snprintf(out + l, size - l, "%ld:%s%s%s\n", row.rownum, row.raw, row.reject ? ":" : "",
                 row.reject ? row.reject : "");
        l = strlen(out);
    }
    if (rc < 0)
        snprintf(out + l, size - l, "ERR %s", err.msg);
    dc_wb_close(r);
}

static void
test_xlsx_cells(void)
{
    static const char sheet[] =
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
        "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"inlineStr\"><is><t>Ghi "
        "chú</t></is></c></row>"
        /* shared rich text, a date by built-in format, an ID stored as text, a bool */
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"B2\" s=\"1\"><v>32874</v></c>"
        "<c r=\"C2\" t=\"s\"><v>4</v></c><c r=\"D2\" t=\"b\"><v>1</v></c></row>"
        /* row 3 left out: a blank row; custom date format; ID as a number; error; formula */
        "<row r=\"4\"><c r=\"A4\" t=\"str\"><f>A1</f><v>Lê, \"Bé\"</v></c>"
        "<c r=\"B4\" s=\"2\"><v>60</v></c><c r=\"C4\"><v>1090001234</v></c>"
        "<c r=\"D4\" t=\"e\"><v>#N/A</v></c></row>"
        /* cells without r; a number format that is not a date; a style out of range */
        "<row><c><v>1.5</v></c><c s=\"3\"><v>2</v></c><c s=\"99\"><v>32874</v></c></row>"
        "</sheetData></worksheet>";
    char out[2048];

    read_all(package(sheet, NULL), NULL, out, sizeof out);
    CHECK_STR(out, "1:Họ và tên,Ngày sinh,Số CCCD,Ghi chú\n"
                   "2:Nguyễn Văn An,1990-01-01,001090001234,TRUE\n"
                   "3:\n"
                   "4:\"Lê, \"\"Bé\"\"\",1900-02-29,1090001234,#N/A\n"
                   "5:1.5,2,32874\n");
    unlink(tmpl);
}

static void
test_xlsx_merged_and_hidden(void)
{
    static const char sheet[] =
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Tên</t></is></c>"
        "<c r=\"B1\" t=\"inlineStr\"><is><t>Địa chỉ</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>An</t></is></c>"
        "<c r=\"B2\" t=\"inlineStr\"><is><t>Số 1</t></is></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>Bình</t></is></c><c r=\"B3\"/></row>"
        "<row r=\"4\" hidden=\"1\"><c r=\"A4\" t=\"inlineStr\"><is><t>Chi</t></is></c></row>"
        "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>Dũng</t></is></c></row>"
        "</sheetData><mergeCells count=\"2\"><mergeCell ref=\"B2:B4\"/>"
        "<mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>";
    char out[1024];

    read_all(package(sheet, NULL), NULL, out, sizeof out);
    CHECK_STR(out, "1:Tên,Địa chỉ\n2:An,Số 1\n3:Bình,Số 1\n4:Chi,Số 1:hidden row in the sheet\n"
                   "5:Dũng\n");
    unlink(tmpl);
}

static void
test_xlsx_sheet_choice(void)
{
    static const char s1[] = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>one"
                             "</t></is></c></row></sheetData></worksheet>";
    static const char s2[] = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>two"
                             "</t></is></c></row></sheetData></worksheet>";
    char out[512];
    const char *p = package(s1, s2);

    read_all(p, NULL, out, sizeof out); /* the first visible sheet: DS (sheet1.xml) */
    CHECK_STR(out, "1:one\n");
    read_all(p, "Hidden", out, sizeof out);
    CHECK_STR(out, "1:two\n");
    read_all(p, "1", out, sizeof out); /* by number: the first in the workbook */
    CHECK_STR(out, "1:two\n");
    read_all(p, "Nope", out, sizeof out);
    CHECK_STR(out, "ERR no sheet 'Nope' (sheets: 'Hidden', 'DS')");
    unlink(tmpl);
}

static void
test_xlsx_hostile(void)
{
    char out[512], *deep, *bomb;
    size_t n = 0;

    read_all(package("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><worksheet/>", NULL), NULL, out,
             sizeof out);
    CHECK_STR(out, "ERR DS: a DTD in a workbook part (refused)");
    deep = malloc(200 * 3 + 64);
    n += (size_t)sprintf(deep, "<worksheet>");
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(deep + n, "<a>");
    read_all(package(deep, NULL), NULL, out, sizeof out);
    CHECK_STR(out, "ERR DS: XML nested over 64 deep");
    free(deep);
    /* 8 MiB of spaces compress a thousandfold and more */
    bomb = malloc((8u << 20) + 64);
    memset(bomb, ' ', 8u << 20);
    strcpy(bomb + (8u << 20) - 20, "<worksheet/>");
    read_all(package(bomb, NULL), NULL, out, sizeof out);
    CHECK(strstr(out, "zip bomb") != NULL);
    free(bomb);
    read_all(
        package("<worksheet><sheetData><row r=\"2\"/><row r=\"1\"/></sheetData></worksheet>", NULL),
        NULL, out, sizeof out);
    CHECK_STR(out, "1:\n2:\nERR DS: rows out of order");
    read_all(
        package("<worksheet><sheetData><row><c r=\"AAAA1\"/></row></sheetData></worksheet>", NULL),
        NULL, out, sizeof out);
    CHECK_STR(out, "ERR DS: bad cell reference");
    read_all(package("<worksheet><sheetData><row><c t=\"s\"><v>77</v></c></row></sheetData>"
                     "</worksheet>",
                     NULL),
             NULL, out, sizeof out);
    CHECK_STR(out, "1::shared string 77 missing (column 1)\n");
    unlink(tmpl);
    {
        const struct part p[] = {{"a.txt", "not a workbook"}};

        snprintf(tmpl, sizeof tmpl, "/tmp/test_workbook_%d.xlsx", (int)getpid());
        CHECK_INT(make_xlsx(tmpl, p, 1), 0);
        read_all(tmpl, NULL, out, sizeof out);
        CHECK_STR(out, "ERR a zip file, but not an Excel workbook (no xl/workbook.xml)");
        unlink(tmpl);
    }
}

int
main(void)
{
    RUN(test_number_text);
    RUN(test_serial_1900_leap_quirk);
    RUN(test_sniff);
    RUN(test_xlsx_cells);
    RUN(test_xlsx_merged_and_hidden);
    RUN(test_xlsx_sheet_choice);
    RUN(test_xlsx_hostile);
    return tap_done();
}
