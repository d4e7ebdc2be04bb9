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
    struct dc_id_hint h = {size > 0 ? 1900 + data[0] % 200 : 0, size > 1 ? "MF"[data[1] % 2] : 0,
                           2026};
    for (int pass = 0; pass < 2; pass++) {
        enum dc_id_kind k = dc_id_clean(s, pass ? &h : NULL, id12, cmnd, &rule);
        /* what the one rule promises: an id12 is 12 digits, a CMND 9 */
        if (k == DC_ID_ID12 && (strlen(id12) != 12 || strspn(id12, "0123456789") != 12 || cmnd[0]))
            abort();
        if (k == DC_ID_CMND && (strlen(cmnd) != 9 || strspn(cmnd, "0123456789") != 9 || id12[0]))
            abort();
        if ((k == DC_ID_UNREADABLE || k == DC_ID_EXPONENT) && (id12[0] || cmnd[0]))
            abort();
        if (k == DC_ID_ID12)
            (void)dc_id12_parse(id12, &d, &problem);
    }
    (void)dc_id12_parse(s, &d, &problem);
    (void)dc_id_province_name(s);
    free(s);
    return 0;
}
