/*
 * fuzz_map.c - libFuzzer target for the --map file parser (dc_header_mapfile_parse,
 * core/header.c; format in header.h: `column=field` lines, '#' comments) and
 * the header matcher.  A parsed map is applied to a few real header spellings
 * (research/records.md §5) so the lookup path runs on fuzzed rules too; then
 * the input's lines are taken as header cells (split on ',') and run through
 * cleaning, mapping, the header score, two-row detection and combining, and
 * content sniffing, so hostile header text meets every parser of header.c.
 * Seeds: testdata/fuzz/map/.
 * Not for: the alias table's answers (unit tests in core/tests/test_header.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAXCELLS = 64 };

/* Split the first two lines of text into cells (modified in place). */
static size_t
cells(char *line, char **out)
{
    size_t n = 0;

    for (char *p = line; n < MAXCELLS;) {
        char *c = strchr(p, ',');
        out[n++] = p;
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hdr[] = {"Họ và tên", "NGAY_SINH", "Số CCCD", "x", ""};
    struct dc_header_map out[5], m[MAXCELLS];
    struct dc_header_sniff sn[MAXCELLS];
    struct dc_mapfile *map = NULL;
    struct dc_error err = {0};
    char *text, *nl, *top[MAXCELLS], *sub[MAXCELLS], *comb[MAXCELLS], clean[256];
    size_t nt, ns = 0;

    if (dc_header_mapfile_parse((const char *)data, size, "fuzz", &map, &err) == 0) {
        struct dc_error e2 = {0};
        (void)dc_header_map(hdr, 5, map, out, &e2);
        dc_header_mapfile_free(map);
    }
    if (size > 1 << 16 || !(text = malloc(size + 1)))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    nt = cells(text, top);
    if (nl)
        ns = cells(nl + 1, sub);
    for (size_t i = 0; i < nt; i++) {
        (void)dc_header_clean(top[i], clean, sizeof clean);
        (void)dc_header_generic(top[i]);
        (void)dc_header_id_kind(top[i]);
    }
    (void)dc_header_score((const char *const *)top, nt);
    (void)dc_header_subrow((const char *const *)top, nt, (const char *const *)sub, ns);
    if (dc_header_combine((const char *const *)top, nt, (const char *const *)sub, ns, comb, NULL) ==
        0) {
        size_t n = nt > ns ? nt : ns;
        memset(sn, 0, sizeof sn);
        (void)dc_header_map((const char *const *)comb, n, NULL, m, NULL);
        for (size_t i = 0; i < ns; i++)
            dc_header_sniff_add(&sn[i], sub[i]);
        (void)dc_header_by_content((const char *const *)comb, m, sn, n);
        (void)dc_header_missing(m, n, clean, sizeof clean);
        for (size_t i = 0; i < n; i++)
            free(comb[i]);
    }
    free(text);
    return 0;
}
