/*
 * test_util.c - unit tests for core/util/: hex of bytes (every nibble, the empty string,
 * NUL bytes) and SHA-256 finished as hex (FIPS 180-2 Appendix B vectors; a failed final
 * leaves the output alone); the growable buffer (appends across growth, printf longer
 * than the first allocation, reserve and direct writes, reset, NULL-safe release); one CSV
 * field (RFC 4180 quoting, the lone empty field, the formula guard, NUL bytes); FNV-1a
 * (hash.h) against the vectors of the FNV reference code.
 */
#include <string.h>

#include "hash.h"
#include "tap.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/hex.h"

static void
test_hex_every_nibble(void)
{
    const unsigned char b[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0xff};
    char out[2 * sizeof b + 1];

    CHECK_STR(dc_hex_encode(b, sizeof b, out), "0123456789abcdef00ff");
    CHECK_STR(dc_hex_encode(b, 0, out), "");
    CHECK_STR(dc_hex_encode((const unsigned char *)"\0\0", 2, out), "0000");
}

static void
sha(const char *s, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    strcpy(hex, "unset");
    CHECK(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
          EVP_DigestUpdate(md, s, strlen(s)) == 1);
    CHECK_INT(dc_sha256_final_hex(md, hex), 0);
    EVP_MD_CTX_free(md);
}

static void
test_sha256_fips_vectors(void)
{
    char hex[65];

    sha("abc", hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha("", hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_sha256_not_sha256(void)
{
    char hex[65] = "kept";
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    /* a SHA-1 context gives 20 bytes: refused, hex untouched */
    CHECK(md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1);
    CHECK_INT(dc_sha256_final_hex(md, hex), -1);
    CHECK_STR(hex, "kept");
    EVP_MD_CTX_free(md);
}

static void
test_buf_grows_and_prints(void)
{
    struct dc_buf b = DC_BUF_INIT;
    char big[300];

    CHECK_STR(dc_buf_str(&b), ""); /* nothing allocated yet */
    CHECK(b.s == NULL);
    for (int i = 0; i < 100; i++)
        dc_buf_putc(&b, (char)('a' + i % 26));
    CHECK_INT(b.len, 100);
    CHECK_INT(strlen(b.s), 100);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dc_buf_reset(&b);
    CHECK_STR(dc_buf_str(&b), "");
    dc_buf_printf(&b, "%s|%d|%.2f", big, -7, 1.005);
    CHECK_INT(b.len, 299 + strlen("|-7|1.00"));
    CHECK_STR(b.s + 299, "|-7|1.00");
    dc_buf_add(&b, "\0z", 2); /* bytes, NUL included */
    CHECK_INT(b.len, 299 + 8 + 2);
    CHECK_INT(b.s[b.len - 1], 'z');
    CHECK_INT(b.oom, 0);
    dc_buf_release(&b);
    CHECK(b.s == NULL && b.len == 0 && b.cap == 0);
}

static void
test_buf_reserve_and_release_null(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_INT(dc_buf_reserve(&b, 10), 0);
    CHECK(b.cap >= 11);
    memcpy(b.s, "0123456789", 10);
    b.len = 10;
    b.s[10] = '\0';
    dc_buf_puts(&b, "!");
    CHECK_STR(dc_buf_str(&b), "0123456789!");
    dc_buf_release(&b);
    dc_buf_release(&b); /* twice: fine */
    dc_buf_release(NULL);
    CHECK(1);
}

static const char *
field(struct dc_buf *b, const char *s, size_t n, char delim, unsigned flags)
{
    dc_buf_reset(b);
    dc_csv_field(b, s, n, delim, flags);
    return dc_buf_str(b);
}

static void
test_csv_field_quoting(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(field(&b, "plain", 5, ',', 0), "plain");
    CHECK_STR(field(&b, "a,b", 3, ',', 0), "\"a,b\"");
    CHECK_STR(field(&b, "a,b", 3, ';', 0), "a,b");          /* only the delimiter in use */
    CHECK_STR(field(&b, "a;b", 3, ';', 0), "\"a;b\"");
    CHECK_STR(field(&b, "say \"hi\"", 8, ',', 0), "\"say \"\"hi\"\"\"");
    CHECK_STR(field(&b, "l1\nl2", 5, ',', 0), "\"l1\nl2\"");
    CHECK_STR(field(&b, "cr\r", 3, ',', 0), "\"cr\r\"");
    CHECK_STR(field(&b, "", 0, ',', 0), "");
    CHECK_STR(field(&b, "", 0, ',', DC_CSV_ALONE), "\"\""); /* not a blank line */
    CHECK_STR(field(&b, "x", 1, ',', DC_CSV_ALONE), "x");
    dc_buf_release(&b);
}

static void
test_csv_field_guard(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(field(&b, "=1+1", 4, ',', DC_CSV_GUARD), "'=1+1");
    CHECK_STR(field(&b, "-5", 2, ',', DC_CSV_GUARD), "'-5");
    CHECK_STR(field(&b, "@x", 2, ',', DC_CSV_GUARD), "'@x");
    CHECK_STR(field(&b, "=a,b", 4, ',', DC_CSV_GUARD), "\"'=a,b\""); /* quote, then guard */
    CHECK_STR(field(&b, "=1", 2, ',', 0), "=1");
    CHECK_STR(field(&b, "a=1", 3, ',', DC_CSV_GUARD), "a=1");
    field(&b, "\0a", 2, ',', DC_CSV_GUARD); /* a NUL byte first is guarded too */
    CHECK_INT(b.len, 3);
    CHECK_INT(b.s[0], '\'');
    CHECK_INT(b.s[1], 0);
    dc_buf_release(&b);
}

static void
test_fnv1a_vectors(void)
{
    /* Fowler/Noll/Vo reference test vectors (test_fnv.c: "", "a", "foobar") */
    CHECK(dc_hash32("", 0) == 0x811c9dc5u);
    CHECK(dc_hash32("a", 1) == 0xe40c292cu);
    CHECK(dc_hash32("foobar", 6) == 0xbf9cf968u);
    CHECK(dc_hash64("", 0) == 0xcbf29ce484222325ull);
    CHECK(dc_hash64("a", 1) == 0xaf63dc4c8601ec8cull);
    CHECK(dc_hash64("foobar", 6) == 0x85944171f73967e8ull);
}

int
main(void)
{
    RUN(test_hex_every_nibble);
    RUN(test_sha256_fips_vectors);
    RUN(test_sha256_not_sha256);
    RUN(test_buf_grows_and_prints);
    RUN(test_buf_reserve_and_release_null);
    RUN(test_csv_field_quoting);
    RUN(test_csv_field_guard);
    RUN(test_fnv1a_vectors);
    return tap_done();
}
