/*
 * fuzz_manifest.c - libFuzzer target for dc_manifest_parse (export --verify reads a
 * manifest that may have been edited or damaged in transit).
 *
 * Beyond "no crash": an accepted manifest has a 64-character lower-case hex SHA-256, a
 * NUL-terminated file name and format, and non-negative sizes.
 * Not for: hashing or row counting (unit tests in test_export.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_manifest_check m;
    struct dc_error err = DC_ERROR_INIT;

    if (size > DC_MANIFEST_MAX_BYTES)
        return 0;
    if (dc_manifest_parse((const char *)data, size, &m, &err) == 0) {
        if (strspn(m.sha256, "0123456789abcdef") != 64 || m.sha256[64] || m.bytes < 0 ||
            m.rows < 0 || memchr(m.file, '\0', sizeof m.file) == NULL ||
            memchr(m.format, '\0', sizeof m.format) == NULL)
            abort();
    } else if (err.status != DC_EX_DATAERR) {
        abort();
    }
    return 0;
}
