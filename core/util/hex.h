/*
 * util/hex.h - lower-case hex of bytes, and a SHA-256 digest finished as hex: one home for
 * what the CSV reader, the workbook reader, import's row hash, the export file, the
 * manifest, pseudonyms and the COPY/SQL bytea encoders each wrote again (issue 18).
 *
 * For: file hashes (manifest, batch.sha256, rows_sha256), key ids, pseudonym digits,
 * bytea literals.  Not for: hashing itself (libcrypto's EVP does that), hash tables (hash.h).
 */
#ifndef DC_UTIL_HEX_H
#define DC_UTIL_HEX_H

#include <stddef.h>

#include <openssl/evp.h>

/* The 2n lower-case hex digits of p[0..n-1] at out, then a NUL (out has 2n + 1 bytes).
 * Returns out. */
char *dc_hex_encode(const unsigned char *p, size_t n, char *out);

/* EVP_DigestFinal_ex of a SHA-256 context into hex (64 digits and a NUL).  -1 when the
 * digest fails or is not 32 bytes, and hex is left as it was; else 0. */
int dc_sha256_final_hex(EVP_MD_CTX *md, char hex[65]);

#endif
