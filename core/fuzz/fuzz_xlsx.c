/*
 * fuzz_xlsx.c - libFuzzer target for the .xlsx reader (core/io/xlsx.c): zip and XML are
 * hostile input too (zip bombs, huge shared-string tables, deep or DTD-laden XML, rows and
 * cell references out of order or range).
 *
 * The first byte picks the sheet (none, "1", "2", a name) and a small cell limit; the rest
 * is the file, handed over through a memfd so libzip reads it as it reads a real file.
 * Memory stays bounded by the reader's own limits (shared strings 256 MiB, parts 1000
 * times their packed size).  Not for: .xls (libfreexl is not ours to fuzz).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/workbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const sheets[4] = {NULL, "1", "2", "DS"};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_wb_opts o;
    struct dc_wb_reader *r;
    struct dc_csv_row row;
    char path[64];
    int fd;

    if (size < 1)
        return 0;
    memset(&o, 0, sizeof o);
    o.sheet = sheets[data[0] & 3];
    o.max_field = (data[0] & 4) ? 8 : 0;
    o.max_bytes = 64u << 20;
    fd = memfd_create("fuzz_xlsx", 0);
    if (fd < 0)
        return 0;
    if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    r = dc_wb_open(path, DC_WB_XLSX, &o, &err);
    while (r && dc_wb_next(r, &row, &err) == 1) {
        /* every field is NUL-terminated and as long as lens says */
        for (size_t i = 0; i < row.nfields; i++)
            if (strlen(row.fields[i]) != row.lens[i])
                __builtin_trap();
    }
    dc_wb_close(r);
    close(fd);
    return 0;
}
