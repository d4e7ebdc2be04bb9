/*
 * fuzz_dedup_params.c - libFuzzer target for dc_dedup_params_from_text (the
 * params text the lead stores in the database and reads back).
 * Property: anything accepted prints back to text that parses to the same
 * text, and explain works with it.  Seeds: testdata/fuzz/dedup_params/.
 */
#include "dedup.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *t1 = NULL, *t2 = NULL, *ex = NULL;
    struct dc_dedup_params *p = NULL, *q = NULL;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_person a, b;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (dc_dedup_params_from_text(text, &p, &err) == 0) {
        if (dc_dedup_params_to_text(p, &t1, &err) != 0)
            abort();
        if (dc_dedup_params_from_text(t1, &q, &err) != 0)
            abort();
        if (dc_dedup_params_to_text(q, &t2, &err) != 0 || strcmp(t1, t2) != 0)
            abort();
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        a.full_name = "Nguyễn Văn Hùng";
        b.full_name = "Nguyen Van Hung";
        a.dob = b.dob = "1985";
        a.dob_precision = b.dob_precision = DC_DATE_YEAR;
        if (dc_dedup_explain(&a, &b, p, &ex, &err) != 0)
            abort();
    }
    free(ex);
    free(t1);
    free(t2);
    dc_dedup_params_free(p);
    dc_dedup_params_free(q);
    free(text);
    return 0;
}
