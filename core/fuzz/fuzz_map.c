/*
 * fuzz_map.c - libFuzzer target for the --map file parser (dc_mapfile_parse,
 * core/header.c; format in header.h: `column=field` lines, '#' comments).
 * A parsed map is then applied to a few real header spellings
 * (research/records.md §5) so the lookup path runs on fuzzed rules too.
 * Seeds: testdata/fuzz/map/.
 * Not for: the alias table alone (unit tests in core/tests/test_header.c).
 */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hdr[] = {"Họ và tên", "NGAY_SINH", "Số CCCD", "x", ""};
    struct dc_header_map out[5];
    struct dc_mapfile *m = NULL;
    struct dc_error err = {0};

    if (dc_mapfile_parse((const char *)data, size, "fuzz", &m, &err) == 0) {
        struct dc_error e2 = {0};
        (void)dc_header_map(hdr, 5, m, out, &e2);
        dc_mapfile_free(m);
    }
    return 0;
}
