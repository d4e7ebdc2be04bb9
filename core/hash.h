/*
 * hash.h - FNV-1a, 32- and 64-bit: the slot index of the in-memory tables (address
 * tokens, normalize's memos, the syllable caches; 64-bit: the linkage's interned strings
 * and its keys, which mix the result further); 64-bit fed piece by piece: a row's
 * identity where the rows are not kept (import's overlap of a corrected extract with the
 * batch it corrects).
 *
 * For: spreading keys over a table whose entries are compared in full
 * anyway.  Not for: anything an attacker or a file format relies on (no
 * collision resistance; SHA-256 and HMAC come from libcrypto).
 * Constants: the FNV offset basis and prime (Fowler, Noll, Vo; IETF draft
 * "The FNV Non-Cryptographic Hash Algorithm").
 */
#ifndef DC_HASH_H
#define DC_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
dc_hash32(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

#define DC_HASH64_INIT 0xcbf29ce484222325ull

/* h continued over n bytes of data (start from DC_HASH64_INIT). */
static inline uint64_t
dc_hash64_add(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static inline uint64_t
dc_hash64(const void *data, size_t n)
{
    return dc_hash64_add(DC_HASH64_INIT, data, n);
}

#endif
