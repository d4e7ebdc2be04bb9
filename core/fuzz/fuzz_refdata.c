/*
 * fuzz_refdata.c - libFuzzer target for the catalogue loader
 * (dc_refdata_load_file, core/refdata.c; layouts in schemas/refdata.md).
 * The input is written to a memfd and loaded, by its /proc/self/fd path,
 * into one temp DB created once per process; each input runs in its own
 * transaction that is rolled back, so inputs do not see each other.
 * The first byte picks the era passed for provinces files.
 * Seeds: testdata/fuzz/refdata/.
 * Not for: the address matcher (fuzz_address.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "refdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dc_db *db;

static struct dc_db *
fuzz_db(void)
{
    static char dir[] = "/tmp/dc_fuzz_refdata_XXXXXX";
    char path[128];
    struct dc_error err = {0};

    if (db)
        return db;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/f.db", dir);
    if (dc_db_open(path, DC_DB_CREATE, &db, &err) != 0)
        abort();
    return db;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const eras[] = {NULL, "pre2025", "2025"};
    struct dc_refdata_file_summary s;
    struct dc_error err = {0};
    struct dc_db *d = fuzz_db();
    const char *era = NULL;
    char path[64];
    int fd;

    if (size > 0) {
        era = eras[data[0] % 3];
        data++;
        size--;
    }
    fd = memfd_create("refdata.csv", 0);
    if (fd < 0)
        return 0;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (dc_db_begin(d, &err) == 0) {
        memset(&s, 0, sizeof s);
        (void)dc_refdata_load_file(d, path, era, "2026-01-01T00:00:00Z", &s, &err);
        dc_db_rollback(d);
    }
    close(fd);
    return 0;
}
