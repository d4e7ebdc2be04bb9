/*
 * fuzz_qr.c - libFuzzer target for the card QR payload parser and the QR
 * rules (core/vnid.c, core/rules.c; idformats.md §5).
 * Seeds: testdata/fuzz/qr/.  Not for: MRZ (fuzz_mrz.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "utf8.h"
#include "vnid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sink(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    (void)ud;
    (void)p;
    if (strnlen(f->expected, sizeof f->expected) == sizeof f->expected ||
        strnlen(f->actual, sizeof f->actual) == sizeof f->actual ||
        !dc_utf8_valid(f->actual, sizeof f->actual))
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    struct dc_qr q;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_person p;
    struct dc_rules_ctx ctx = {"2026-11-27", "vi", NULL, NULL, NULL, 0};

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (dc_qr_parse(s, &q, &err) == 0) {
        if (q.nfields < DC_QR_MIN_FIELDS || q.nextra != q.nfields - DC_QR_MIN_FIELDS)
            abort();
        for (int i = 0; i < q.nfields; i++)
            (void)strlen(q.fields[i]);
        dc_qr_release(&q);
    }
    dc_error_clear(&err);
    memset(&p, 0, sizeof p);
    p.qr = s;
    p.full_name = "Nguyễn Văn Đức";
    p.id12 = "001090012345";
    p.cmnd = "012345678";
    p.dob = "1990-01-01";
    p.dob_precision = DC_DATE_DAY;
    p.sex = 'M';
    p.issue_date = "2021-04-20";
    if (dc_rules_check(&p, &ctx, sink, NULL, &err) < 0 && err.status == DC_EX_SOFTWARE)
        abort();
    free(s);
    return 0;
}
