/*
 * fuzz_date.c - libFuzzer target for vndate.
 *
 * Beyond "no crash": a readable date's ISO text must parse back to the same
 * date and precision, and a DAY date must be a real calendar day.  The strict
 * ISO reader (dc_date_parse_iso) reads only what it would write: a date it
 * accepts has the input for its ISO text, and the lenient reader agrees on it.
 * Not for: vntext itself (fuzz_name covers the fold parse_words relies on).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vndate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_date a, b;
    char s[DC_DATE_RAW_MAX + 8];
    int pivot, rc;

    if (size < 1 || size > DC_DATE_RAW_MAX + 4)
        return 0;
    /* the first byte picks a pivot year, including the "none" case 0 */
    pivot = data[0] == 0 ? 0 : 1900 + data[0];
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    rc = dc_date_parse(s, pivot, &a);
    if ((rc == 0) != (a.precision != DC_DATE_INVALID))
        abort();
    if (a.precision == DC_DATE_DAY && !dc_date_valid(a.year, a.month, a.day))
        abort();
    if (a.precision >= DC_DATE_YEAR && a.precision <= DC_DATE_DAY) {
        if (dc_date_parse(a.iso, pivot, &b) != 0 || b.precision != a.precision ||
            strcmp(a.iso, b.iso) != 0 || dc_date_cmp(&a, &b) != 0)
            abort();
    } else if (a.iso[0] != '\0') {
        abort();
    }
    rc = dc_date_parse_iso(s, &b);
    if ((rc == 0) != (b.precision != DC_DATE_INVALID))
        abort();
    if (b.precision >= DC_DATE_YEAR && b.precision <= DC_DATE_DAY) {
        if (strcmp(b.iso, s) != 0 ||
            (b.precision == DC_DATE_DAY && !dc_date_valid(b.year, b.month, b.day)))
            abort();
        if (dc_date_parse(s, pivot, &a) != 0 || a.precision != b.precision ||
            strcmp(a.iso, b.iso) != 0)
            abort();
        if (dc_date_precision_from_name(dc_date_precision_name(b.precision)) != b.precision)
            abort();
    } else if (b.iso[0] != '\0' || (b.precision == DC_DATE_NONE && s[0] != '\0')) {
        abort();
    }
    return 0;
}
