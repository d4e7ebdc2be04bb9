/*
 * fuzz_dedup_records.c - libFuzzer target for dc_dedup_run on a handful of
 * records cut from the input: name folding (ICU, any bytes), date and ID
 * parsing, every comparison, blocking with a tiny cap, clustering; and the
 * same run streamed (--memory below everything) must give the same result.
 * Input: lines "family|middle|given|full|dob|prec|sex|id12|cmnd|ward|prov".
 * Seeds: testdata/fuzz/dedup_records/.
 */
#include "dedup.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXREC 16
#define NF 11

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_person v[MAXREC];
    struct dc_dedup_result r, r2;
    struct dc_dedup_opts o;
    struct dc_error err = DC_ERROR_INIT;
    char *buf, *s, *ex = NULL;
    size_t n = 0, i;

    if (size > 4096)
        return 0;
    buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    memset(v, 0, sizeof v);
    for (s = buf; *s && n < MAXREC; n++) {
        char *f[NF] = {0}, *eol = strchr(s, '\n');
        int k;

        if (eol)
            *eol = '\0';
        for (k = 0; k < NF; k++) {
            char *bar = strchr(s, '|');

            f[k] = s;
            if (!bar) {
                s += strlen(s);
                break;
            }
            *bar = '\0';
            s = bar + 1;
        }
        v[n].family_name = f[0];
        v[n].middle_name = f[1];
        v[n].given_name = f[2];
        v[n].full_name = f[3];
        v[n].dob = f[4];
        v[n].dob_precision = f[5] ? (enum dc_date_precision)((unsigned char)f[5][0] % 5) : 0;
        v[n].sex = f[6] ? f[6][0] : 0;
        v[n].id12 = f[7];
        v[n].cmnd = f[8];
        v[n].ward_code = f[9];
        v[n].province_code = f[10];
        s = eol ? eol + 1 : buf + size;
    }
    dc_dedup_opts_init(&o);
    o.max_block = 3;
    o.threshold = 0.5;
    o.review_min = 0.0;
    if (dc_dedup_run(v, n, NULL, &o, &r, &err) == 0) {
        for (i = 0; i < n; i++)
            if (r.cluster[i] > i || r.cluster[r.cluster[i]] != r.cluster[i])
                abort();
        for (i = 0; i < r.npairs; i++)
            if (r.pairs[i].a >= r.pairs[i].b || r.pairs[i].b >= n)
                abort();
        if (n >= 2 && dc_dedup_explain(&v[0], &v[1], r.params, &ex, &err) != 0)
            abort();
        free(ex);
        /* streamed (a budget below everything: rules blocked in turn, pairs
         * through temporary files): the same clusters and pairs */
        o.memory = 1;
        if (dc_dedup_run(v, n, NULL, &o, &r2, &err) != 0)
            abort();
        if (r2.npairs != r.npairs || memcmp(r2.cluster, r.cluster, n * sizeof *r.cluster) != 0)
            abort();
        for (i = 0; i < r.npairs; i++)
            if (r2.pairs[i].a != r.pairs[i].a || r2.pairs[i].b != r.pairs[i].b)
                abort();
        dc_dedup_result_release(&r2);
        dc_dedup_result_release(&r);
    }
    free(buf);
    return 0;
}
