/*
 * fuzz_mrz.c - libFuzzer target for the TD1 MRZ parser, the ICAO name fold
 * and the MRZ rules (core/vnid.c, core/rules.c; idformats.md §4).
 * Seeds: testdata/fuzz/mrz/.  Not for: QR payloads (fuzz_qr.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "vnid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sink(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    (void)ud;
    (void)p;
    /* findings must be NUL-terminated within their buffers */
    if (strnlen(f->expected, sizeof f->expected) == sizeof f->expected ||
        strnlen(f->actual, sizeof f->actual) == sizeof f->actual)
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char fold[64];
    struct dc_mrz m;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_person p;
    struct dc_rules_ctx ctx = {"2026-11-27", "en", "MRZ_,ID_,DOB_", NULL, NULL, 0};

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (dc_mrz_parse(s, &m, &err) == 0 && m.is_vn && m.id12[0] && strlen(m.id12) != 12)
        abort();
    dc_error_clear(&err);
    (void)dc_mrz_fold_name(s, '<', fold, sizeof fold, &err);
    dc_error_clear(&err);
    (void)dc_mrz_name_agrees(s, "NGUYEN<<VAN<DUC", &err);
    dc_error_clear(&err);
    memset(&p, 0, sizeof p);
    p.mrz = s;
    p.full_name = s;
    p.id12 = "001090012345";
    p.dob = "1990-01-01";
    p.dob_precision = DC_DATE_DAY;
    p.sex = 'M';
    p.expiry_date = "";
    if (dc_rules_check(&p, &ctx, sink, NULL, &err) < 0 && err.status == DC_EX_SOFTWARE)
        abort();
    free(s);
    return 0;
}
