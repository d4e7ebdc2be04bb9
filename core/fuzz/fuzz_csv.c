/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (csvio.c) and the encoding layer.
 *
 * The first byte picks the options (encoding, delimiter, a small field limit so the
 * over-limit path is reached); the rest is the file, handed to dc_csv_open through a
 * memfd so the real read(2) path runs.  Every row is also written back with the writer and
 * every field goes through dc_enc_repair.  Not for: speed measurements.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvio.h"
#include "encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const enc[8] = {NULL,    "utf-8", "utf-16", "cp1258",
                                       "tcvn3", "vni",   "viscii", "auto"};
    static const int delim[4] = {0, ',', ';', '\t'};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_csv_opts o;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    struct dc_csv_writer *w;
    FILE *out;
    char path[64];
    int fd, rc;

    if (size < 1)
        return 0;
    memset(&o, 0, sizeof o);
    o.encoding = enc[data[0] & 7];
    o.delimiter = delim[(data[0] >> 3) & 3];
    o.max_field = (data[0] & 0x20) ? 8 : 0;
    fd = memfd_create("fuzz_csv", 0);
    if (fd < 0)
        return 0;
    if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    r = dc_csv_open(path, &o, &err);
    out = fopen("/dev/null", "w");
    w = out ? dc_csv_writer_new(out, NULL) : NULL;
    while (r && (rc = dc_csv_next(r, &row, &err)) == 1) {
        size_t i;

        if (w)
            dc_csv_write_row(w, (const char *const *)row.fields, row.nfields, &err);
        for (i = 0; i < row.nfields; i++) {
            char *fixed = NULL;
            const char *rule;

            if (dc_enc_repair(row.fields[i], &fixed, &rule) == 1)
                free(fixed);
        }
        dc_error_clear(&err);
    }
    dc_csv_writer_free(w);
    if (out)
        fclose(out);
    dc_csv_close(r);
    close(fd);
    return 0;
}
