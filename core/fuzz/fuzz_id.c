/*
 * fuzz_id.c - libFuzzer target for the ID cleaner and 12-digit ID parser
 * (core/vnid.c, idformats.md §1-§2).  Seeds: testdata/fuzz/id/.
 * Not for: MRZ or QR (fuzz_mrz.c, fuzz_qr.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char id12[13], cmnd[13];
    const char *rule, *problem;
    struct dc_id12 d;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (dc_id_clean(s, id12, cmnd, &rule) == 1 && id12[0]) {
        if (strlen(id12) != 12)
            abort();
        (void)dc_id12_parse(id12, &d, &problem);
    }
    (void)dc_id12_parse(s, &d, &problem);
    (void)dc_id_province_name(s);
    free(s);
    return 0;
}
