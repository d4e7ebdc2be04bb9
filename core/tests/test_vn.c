/*
 * test_vn.c - unit tests for core/vn/: the ICU helpers (NFC and NFD of UTF-8
 * through the stack buffers and past them onto the heap, the quick check, one
 * code point's decomposition, the UTF-16 buffer).
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>

#include "tap.h"
#include "vn/icu.h"

static void
test_icu_utf8_nfc_nfd(void)
{
    char out[64];
    size_t n = 99;

    /* e + U+0302 + U+0303 composes to ễ; ễ decomposes to the three */
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, "Nguye\xcc\x82\xcc\x83n", 10, out, sizeof out, &n), 0);
    CHECK_STR(out, "Nguyễn");
    CHECK_INT(n, strlen("Nguyễn"));
    CHECK_INT(dc_icu_utf8(DC_ICU_NFD, "Nguyễn", strlen("Nguyễn"), out, sizeof out, &n), 0);
    CHECK_STR(out, "Nguye\xcc\x82\xcc\x83n");
    /* marks in the other order: NFC reorders by combining class first */
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, "a\xcc\xa3\xcc\x86", 5, out, sizeof out, &n), 0);
    CHECK_STR(out, "ặ");
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, "a\xcc\x86\xcc\xa3", 5, out, sizeof out, &n), 0);
    CHECK_STR(out, "ặ");
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, "", 0, out, sizeof out, &n), 0);
    CHECK_STR(out, "");
    CHECK_INT(n, 0);
    /* errors leave "" */
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, "x\xff", 2, out, sizeof out, &n), -1);
    CHECK_STR(out, "");
    CHECK_INT(dc_icu_utf8(DC_ICU_NFD, "Nguyễn", strlen("Nguyễn"), out, 8, &n), -3);
    CHECK_STR(out, "");
}

/* Text longer than the stack buffers: the heap path gives what pieces give. */
static void
test_icu_utf8_heap_past_stack(void)
{
    const char *piece = "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 ";
    const char *want_piece = "Nguyễn Thị ";
    size_t pl = strlen(piece), wl = strlen(want_piece), reps = 400, n = 0;
    char *in = malloc(pl * reps + 1), *want = malloc(wl * reps + 1), *out = malloc(wl * reps + 1);

    if (!CHECK(in && want && out))
        goto done;
    for (size_t i = 0; i < reps; i++) {
        memcpy(in + i * pl, piece, pl);
        memcpy(want + i * wl, want_piece, wl);
    }
    in[pl * reps] = want[wl * reps] = '\0';
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, in, pl * reps, out, wl * reps + 1, &n), 0);
    CHECK_INT(n, wl * reps);
    CHECK(strcmp(out, want) == 0);
    /* one byte short of the NUL */
    CHECK_INT(dc_icu_utf8(DC_ICU_NFC, in, pl * reps, out, wl * reps, &n), -3);
done:
    free(in);
    free(want);
    free(out);
}

static void
test_icu_decomposition_and_check(void)
{
    UChar d[8];
    UChar nfd[] = {'e', 0x0302, 0x0303}, nfc[] = {0x1EC5};

    CHECK_INT(dc_icu_decomposition(0x1EC5, d, 8), 3); /* ễ = e + ^ + ~ */
    CHECK(d[0] == 'e' && d[1] == 0x0302 && d[2] == 0x0303);
    CHECK_INT(dc_icu_decomposition('a', d, 8), 0);
    CHECK_INT(dc_icu_decomposition(0x0111, d, 8), 0); /* đ: none (normalize.md §3.4) */
    CHECK_INT(dc_icu_decomposition(0x1EC5, d, 2), 0); /* does not fit */
    CHECK_INT(dc_icu_is_normalized(DC_ICU_NFC, nfc, 1), 1);
    CHECK_INT(dc_icu_is_normalized(DC_ICU_NFC, nfd, 3), 0);
    CHECK_INT(dc_icu_is_normalized(DC_ICU_NFD, nfd, 3), 1);
    CHECK_INT(dc_icu_ready(), 1);
}

static void
test_icu_buf(void)
{
    struct dc_icu_buf b = {0}, n = {0};
    char out[2048];

    CHECK_INT(dc_icu_from_utf8("Hoa\xcc\x80", 5, 100, &b), 0);
    CHECK_INT(b.n, 4);
    CHECK_INT(dc_icu_from_utf8("x", 1, 0, &b), -1);  /* over max_len */
    CHECK_INT(dc_icu_from_utf8("\xc0", 1, 10, &b), -1); /* not UTF-8 */
    for (int i = 0; i < 300; i++)
        dc_icu_buf_cp(&b, 0x1F600); /* a surrogate pair each, across growth */
    CHECK_INT(b.n, 4 + 600);
    CHECK_INT(dc_icu_buf_normalize(DC_ICU_NFC, b.p, 4, &n), 0);
    CHECK_INT(n.n, 3);
    CHECK_INT(dc_icu_to_utf8(n.p, n.n, out, sizeof out), 0);
    CHECK_STR(out, "Hoà");
    CHECK_INT(dc_icu_to_utf8(n.p, n.n, out, 3), -1);
    CHECK_STR(out, "");
    char *a = dc_icu_to_utf8_alloc(n.p, n.n);
    CHECK_STR(a, "Hoà");
    free(a);
    a = dc_icu_to_utf8_alloc(NULL, 0);
    CHECK_STR(a, "");
    free(a);
    CHECK(!b.oom && !n.oom);
    dc_icu_buf_free(&b);
    dc_icu_buf_free(&n);
    dc_icu_buf_free(&n); /* twice: freed buffers are empty ones */
    CHECK(b.p == NULL && b.n == 0);
}

int
main(void)
{
    RUN(test_icu_utf8_nfc_nfd);
    RUN(test_icu_utf8_heap_past_stack);
    RUN(test_icu_decomposition_and_check);
    RUN(test_icu_buf);
    return tap_done();
}
