/*
 * util/hex.c - hex of bytes and SHA-256 digests as hex (see hex.h).
 */
#include "hex.h"

char *
dc_hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

int
dc_sha256_final_hex(EVP_MD_CTX *md, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(md, d, &n) != 1 || n != 32)
        return -1;
    dc_hex_encode(d, 32, hex);
    return 0;
}
