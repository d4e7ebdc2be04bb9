/*
 * test_encoding.c - unit tests for encoding.c: every Vietnamese letter in every legacy
 * encoding, detection, the syllable check and mojibake repair.
 *
 * Expected bytes come from the charts, not from the code under test: the VNI table below is
 * typed from the VNI-Windows chart (normalize.md §4.1 source: unikey data.cpp "VNI-WIN"),
 * the fingerprints from normalize.md §4.2; for TCVN3, VISCII and cp1258 the letters are
 * encoded with the other direction of glibc iconv / ICU and decoded by our code.
 */
#include "../encoding.h"
#include "tap.h"
#include "vn/icu.h"

#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

/* The 12 vowels x 6 tones (none, acute, grave, hook, tilde, dot), NFC, typed by hand. */
static const char *const lower[12][6] = {
    {"a", "á", "à", "ả", "ã", "ạ"}, {"ă", "ắ", "ằ", "ẳ", "ẵ", "ặ"}, {"â", "ấ", "ầ", "ẩ", "ẫ", "ậ"},
    {"e", "é", "è", "ẻ", "ẽ", "ẹ"}, {"ê", "ế", "ề", "ể", "ễ", "ệ"}, {"i", "í", "ì", "ỉ", "ĩ", "ị"},
    {"o", "ó", "ò", "ỏ", "õ", "ọ"}, {"ô", "ố", "ồ", "ổ", "ỗ", "ộ"}, {"ơ", "ớ", "ờ", "ở", "ỡ", "ợ"},
    {"u", "ú", "ù", "ủ", "ũ", "ụ"}, {"ư", "ứ", "ừ", "ử", "ữ", "ự"}, {"y", "ý", "ỳ", "ỷ", "ỹ", "ỵ"},
};
static const char *const upper[12][6] = {
    {"A", "Á", "À", "Ả", "Ã", "Ạ"}, {"Ă", "Ắ", "Ằ", "Ẳ", "Ẵ", "Ặ"}, {"Â", "Ấ", "Ầ", "Ẩ", "Ẫ", "Ậ"},
    {"E", "É", "È", "Ẻ", "Ẽ", "Ẹ"}, {"Ê", "Ế", "Ề", "Ể", "Ễ", "Ệ"}, {"I", "Í", "Ì", "Ỉ", "Ĩ", "Ị"},
    {"O", "Ó", "Ò", "Ỏ", "Õ", "Ọ"}, {"Ô", "Ố", "Ồ", "Ổ", "Ỗ", "Ộ"}, {"Ơ", "Ớ", "Ờ", "Ở", "Ỡ", "Ợ"},
    {"U", "Ú", "Ù", "Ủ", "Ũ", "Ụ"}, {"Ư", "Ứ", "Ừ", "Ử", "Ữ", "Ự"}, {"Y", "Ý", "Ỳ", "Ỷ", "Ỹ", "Ỵ"},
};

/* VNI-Windows chart: base byte(s) per vowel and the mark byte per tone, lower then upper. */
static const unsigned char vni_tone_lo[6] = {0, 0xF9, 0xF8, 0xFB, 0xF5, 0xEF};
static const unsigned char vni_tone_up[6] = {0, 0xD9, 0xD8, 0xDB, 0xD5, 0xCF};
static const unsigned char vni_circ_lo[6] = {0xE2, 0xE1, 0xE0, 0xE5, 0xE3, 0xE4};
static const unsigned char vni_circ_up[6] = {0xC2, 0xC1, 0xC0, 0xC5, 0xC3, 0xC4};
static const unsigned char vni_brev_lo[6] = {0xEA, 0xE9, 0xE8, 0xFA, 0xFC, 0xEB};
static const unsigned char vni_brev_up[6] = {0xCA, 0xC9, 0xC8, 0xDA, 0xDC, 0xCB};
static const unsigned char vni_i_lo[6] = {'i', 0xED, 0xEC, 0xE6, 0xF3, 0xF2};
static const unsigned char vni_i_up[6] = {'I', 0xCD, 0xCC, 0xC6, 0xD3, 0xD2};

/* VNI bytes of vowel v (index into lower[]) with tone t; returns the length. */
static size_t
vni_letter(int v, int t, int up, unsigned char *o)
{
    static const char base[12] = {'a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 0, 'u', 0, 'y'};
    size_t n = 0;

    if (v == 5) {
        o[n++] = up ? vni_i_up[t] : vni_i_lo[t];
        return n;
    }
    if (v == 11 && t == 5) { /* ỵ is one byte */
        o[n++] = up ? 0xCE : 0xEE;
        return n;
    }
    if (v == 8 || v == 10)
        o[n++] = v == 8 ? (up ? 0xD4 : 0xF4) : (up ? 0xD6 : 0xF6);
    else
        o[n++] = (unsigned char)(up ? base[v] - 32 : base[v]);
    if (v == 1)
        o[n++] = up ? vni_brev_up[t] : vni_brev_lo[t];
    else if (v == 2 || v == 4 || v == 7)
        o[n++] = up ? vni_circ_up[t] : vni_circ_lo[t];
    else if (t)
        o[n++] = up ? vni_tone_up[t] : vni_tone_lo[t];
    return n;
}

/* Encode UTF-8 text to VNI with the chart above (ASCII passes through). */
static size_t
vni_encode(const char *s, char *out)
{
    size_t n = 0;

    while (*s) {
        int v, t, up, hit = 0;

        for (up = 0; up < 2 && !hit; up++) {
            for (v = 0; v < 12 && !hit; v++) {
                for (t = 0; t < 6 && !hit; t++) {
                    const char *l = up ? upper[v][t] : lower[v][t];
                    size_t ll = strlen(l);

                    if (ll > 1 && strncmp(s, l, ll) == 0) {
                        n += vni_letter(v, t, up, (unsigned char *)out + n);
                        s += ll;
                        hit = 1;
                    }
                }
            }
        }
        if (hit)
            continue;
        if (strncmp(s, "đ", 2) == 0 || strncmp(s, "Đ", 2) == 0) {
            out[n++] = (char)(s[1] == '\x91' ? 0xF1 : 0xD1);
            s += 2;
            continue;
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
    return n;
}

static int
decode(enum dc_enc enc, const char *in, size_t len, char *out, size_t cap)
{
    struct dc_error err = DC_ERROR_INIT;
    struct dc_enc_conv *c = dc_enc_conv_new(enc, &err);
    const char *o;
    size_t on;
    int rc;

    if (!c)
        return -1;
    rc = dc_enc_decode(c, in, len, &o, &on, &err);
    if (rc == 0)
        snprintf(out, cap, "%s", o);
    dc_enc_conv_free(c);
    return rc;
}

static void
test_vni_every_letter(void)
{
    int v, t, up, bad = 0;
    char got[32];
    unsigned char b[4];

    for (up = 0; up < 2; up++) {
        for (v = 0; v < 12; v++) {
            for (t = 0; t < 6; t++) {
                size_t n = vni_letter(v, t, up, b);
                const char *want = up ? upper[v][t] : lower[v][t];

                if (decode(DC_ENC_VNI, (const char *)b, n, got, sizeof got) != 0 ||
                    strcmp(got, want) != 0) {
                    printf("# vni %s decoded as %s\n", want, got);
                    bad++;
                }
            }
        }
    }
    CHECK_INT(bad, 0);
    CHECK(decode(DC_ENC_VNI, "\xF1\xD1", 2, got, sizeof got) == 0);
    CHECK_STR(got, "đĐ");
}

static void
test_vni_fingerprints(void)
{
    /* normalize.md §4.2 (as Windows-1252): "Nguyeãn Thò Höông", "Ñöôøng", "Haø Noäi" */
    char got[64];

    CHECK(decode(DC_ENC_VNI, "Nguye\xE3n Th\xF2 H\xF6\xF4ng", 17, got, sizeof got) == 0);
    CHECK_STR(got, "Nguyễn Thị Hương");
    CHECK(decode(DC_ENC_VNI, "\xD1\xF6\xF4\xF8ng", 6, got, sizeof got) == 0);
    CHECK_STR(got, "Đường");
    CHECK(decode(DC_ENC_VNI, "Ha\xF8 No\xE4i", 8, got, sizeof got) == 0);
    CHECK_STR(got, "Hà Nội");
    CHECK(decode(DC_ENC_VNI, "\x93x\x94", 3, got, sizeof got) == 0);
    CHECK_STR(got, "\xE2\x80\x9Cx\xE2\x80\x9D"); /* cp1252 quotes stay quotes */
}

static void
test_vni_mark_without_base(void)
{
    char got[16];

    CHECK_INT(decode(DC_ENC_VNI, "n\xF9", 2, got, sizeof got), 1);     /* tone after consonant */
    CHECK_INT(decode(DC_ENC_VNI, "u\xEA", 2, got, sizeof got), 1);     /* breve on u */
    CHECK_INT(decode(DC_ENC_VNI, "\xF9", 1, got, sizeof got), 1);      /* lone mark */
    CHECK_INT(decode(DC_ENC_VNI, "a\xF9\xF9", 3, got, sizeof got), 1); /* two tones */
    CHECK_INT(decode(DC_ENC_VNI, "\xFF", 1, got, sizeof got), 1);
}

/* Encode with iconv (the other direction of the table we decode with). */
static size_t
iconv_enc(const char *cs, const char *s, char *out, size_t cap)
{
    iconv_t cd = iconv_open(cs, "UTF-8");
    char *ip = (char *)(void *)s, *op = out;
    size_t il = strlen(s), ol = cap;

    if (cd == (iconv_t)-1)
        return 0;
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
        iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
        op = out;
    iconv_close(cd);
    return (size_t)(op - out);
}

static void
test_tcvn3_every_lower_letter(void)
{
    int v, t, bad = 0;
    char b[16], got[32];

    for (v = 0; v < 12; v++) {
        for (t = 0; t < 6; t++) {
            size_t n = iconv_enc("TCVN5712-1", lower[v][t], b, sizeof b);

            /* ABC letters are one byte at A1-FF or ASCII */
            if (n != 1 || (b[0] & 0x80 && (unsigned char)b[0] < 0xA1) ||
                decode(DC_ENC_TCVN3, b, n, got, sizeof got) != 0 || strcmp(got, lower[v][t])) {
                printf("# tcvn3 %s: %zu bytes, decoded %s\n", lower[v][t], n, got);
                bad++;
            }
        }
    }
    CHECK_INT(bad, 0);
}

static void
test_tcvn3_capitals(void)
{
    /* ABC chart: Ă Â Ê Ô Ơ Ư Đ at A1-A7; đ at AE.  Toned capitals have no byte: the "H"
     * fonts draw the lower-case bytes, so they decode lower case (case is lost). */
    char got[64];

    CHECK(decode(DC_ENC_TCVN3, "\xA1\xA2\xA3\xA4\xA5\xA6\xA7\xAE", 8, got, sizeof got) == 0);
    CHECK_STR(got, "ĂÂÊÔƠƯĐđ");
    CHECK(decode(DC_ENC_TCVN3, "NGUY\xD4N", 6, got, sizeof got) == 0);
    CHECK_STR(got, "NGUYễN");
    /* VN1 puts Ỏ at 0x93; in ABC files 0x93 is the Windows-1252 left quote */
    CHECK(decode(DC_ENC_TCVN3, "\x93", 1, got, sizeof got) == 0);
    CHECK_STR(got, "\xE2\x80\x9C");
    CHECK_INT(decode(DC_ENC_TCVN3, "\x81", 1, got, sizeof got), 1);
}

static void
test_tcvn3_fingerprints(void)
{
    /* normalize.md §4.2: "NguyÔn ThÞ H­¬ng", "§­êng", "Hµ Néi", "Thñy", "ViÖt Nam" */
    char got[64];

    CHECK(decode(DC_ENC_TCVN3, "Nguy\xD4n Th\xDE H\xAD\xACng", 16, got, sizeof got) == 0);
    CHECK_STR(got, "Nguyễn Thị Hương");
    CHECK(decode(DC_ENC_TCVN3, "\xA7\xAD\xEAng", 5, got, sizeof got) == 0);
    CHECK_STR(got, "Đường");
    CHECK(decode(DC_ENC_TCVN3, "H\xB5 N\xE9i Th\xF1y Vi\xD6t", 16, got, sizeof got) == 0);
    CHECK_STR(got, "Hà Nội Thủy Việt");
}

static void
test_viscii_every_letter(void)
{
    int v, t, up, bad = 0;
    char b[16], got[32];
    size_t n_dd;

    for (up = 0; up < 2; up++) {
        for (v = 0; v < 12; v++) {
            for (t = 0; t < 6; t++) {
                const char *want = up ? upper[v][t] : lower[v][t];
                size_t n = iconv_enc("VISCII", want, b, sizeof b);

                if (n != 1 || decode(DC_ENC_VISCII, b, n, got, sizeof got) != 0 ||
                    strcmp(got, want)) {
                    printf("# viscii %s: %zu bytes, decoded %s\n", want, n, got);
                    bad++;
                }
            }
        }
    }
    CHECK_INT(bad, 0);
    n_dd = iconv_enc("VISCII", "đĐ", b, sizeof b);
    CHECK(n_dd == 2 && decode(DC_ENC_VISCII, b, 2, got, sizeof got) == 0);
    CHECK_STR(got, "đĐ");
    /* normalize.md §4.2: "Nguy­n Th¸ Hß½ng", "Ðß¶ng" */
    CHECK(decode(DC_ENC_VISCII, "Nguy\xADn Th\xB8 H\xDF\xBDng", 16, got, sizeof got) == 0);
    CHECK_STR(got, "Nguyễn Thị Hương");
    CHECK(decode(DC_ENC_VISCII, "\xD0\xDF\xB6ng", 5, got, sizeof got) == 0);
    CHECK_STR(got, "Đường");
}

/* Windows-1258 chart (Microsoft bestfit1258 / unikey WinCP1258): base vowel byte, then a
 * combining tone byte: acute EC, grave CC, hook D2, tilde DE, dot below F2. */
static const unsigned char cp1258_base_lo[12] = {'a', 0xE3, 0xE2, 'e', 0xEA, 'i',
                                                 'o', 0xF4, 0xF5, 'u', 0xFD, 'y'};
static const unsigned char cp1258_base_up[12] = {'A', 0xC3, 0xC2, 'E', 0xCA, 'I',
                                                 'O', 0xD4, 0xD5, 'U', 0xDD, 'Y'};
static const unsigned char cp1258_tone[6] = {0, 0xEC, 0xCC, 0xD2, 0xDE, 0xF2};

static size_t
cp1258_encode(const char *s, char *out)
{
    size_t n = 0;

    while (*s) {
        int v, t, up, hit = 0;

        for (up = 0; up < 2 && !hit; up++) {
            for (v = 0; v < 12 && !hit; v++) {
                for (t = 0; t < 6 && !hit; t++) {
                    const char *l = up ? upper[v][t] : lower[v][t];
                    size_t ll = strlen(l);

                    if (ll > 1 && strncmp(s, l, ll) == 0) {
                        out[n++] = (char)(up ? cp1258_base_up[v] : cp1258_base_lo[v]);
                        if (t)
                            out[n++] = (char)cp1258_tone[t];
                        s += ll;
                        hit = 1;
                    }
                }
            }
        }
        if (hit)
            continue;
        if (strncmp(s, "đ", 2) == 0 || strncmp(s, "Đ", 2) == 0) {
            out[n++] = (char)(s[1] == '\x91' ? 0xF0 : 0xD0);
            s += 2;
            continue;
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
    return n;
}

static void
test_cp1258_every_letter(void)
{
    int v, t, up, bad = 0;
    char b[16], got[32];

    for (up = 0; up < 2; up++) {
        for (v = 0; v < 12; v++) {
            for (t = 0; t < 6; t++) {
                const char *want = up ? upper[v][t] : lower[v][t];
                size_t n = cp1258_encode(want, b);

                if (decode(DC_ENC_CP1258, b, n, got, sizeof got) || strcmp(got, want)) {
                    printf("# cp1258 %s decoded as %s\n", want, got);
                    bad++;
                }
            }
        }
    }
    CHECK_INT(bad, 0);
    /* normalize.md §4.2 "NguyêÞn Thiò Hýõng": ê + combining tilde DE, i + dot F2 */
    CHECK(decode(DC_ENC_CP1258, "Nguy\xEA\xDEn Thi\xF2 H\xFD\xF5ng", 18, got, sizeof got) == 0);
    CHECK_STR(got, "Nguyễn Thị Hương");
    CHECK(decode(DC_ENC_CP1258, "\xD0\xF0", 2, got, sizeof got) == 0);
    CHECK_STR(got, "Đđ");
}

static void
test_utf8_nfd_to_nfc(void)
{
    char got[32], nfd[32];
    int v, t, up, bad = 0;
    UErrorCode st = U_ZERO_ERROR;

    for (up = 0; up < 2 && U_SUCCESS(st); up++) {
        for (v = 0; v < 12; v++) {
            for (t = 0; t < 6; t++) {
                const char *want = up ? upper[v][t] : lower[v][t];
                UChar u[8], w[8];
                int32_t un = 0, wn, nn = 0;

                u_strFromUTF8(u, 8, &un, want, -1, &st);
                wn = dc_icu_normalize(DC_ICU_NFD, u, un, w, 8, &st);
                u_strToUTF8(nfd, sizeof nfd, &nn, w, wn, &st);
                if (U_FAILURE(st) || decode(DC_ENC_UTF8, nfd, (size_t)nn, got, sizeof got) ||
                    strcmp(got, want)) {
                    printf("# utf-8 NFD %s decoded as %s\n", want, got);
                    bad++;
                }
            }
        }
    }
    CHECK(U_SUCCESS(st));
    CHECK_INT(bad, 0);

    CHECK(decode(DC_ENC_UTF8, "Nguye\xCC\x82\xCC\x83n", 10, got, sizeof got) == 0);
    CHECK_STR(got, "Nguyễn");
    CHECK(decode(DC_ENC_UTF8, "plain", 5, got, sizeof got) == 0);
    CHECK_STR(got, "plain");
}

static void
test_utf8_invalid(void)
{
    char got[16];

    CHECK_INT(decode(DC_ENC_UTF8, "\xC0\xAF", 2, got, sizeof got), 1);     /* overlong */
    CHECK_INT(decode(DC_ENC_UTF8, "\xED\xA0\x80", 3, got, sizeof got), 1); /* surrogate */
    CHECK_INT(decode(DC_ENC_UTF8, "a\xE1\xBB", 3, got, sizeof got), 1);    /* truncated */
    CHECK_INT(decode(DC_ENC_UTF8, "\xFF", 1, got, sizeof got), 1);
}

static void
test_utf16_decode(void)
{
    char got[16];

    CHECK(decode(DC_ENC_UTF16LE, "H\0\xB0\x01", 4, got, sizeof got) == 0);
    CHECK_STR(got, "Hư");
    CHECK(decode(DC_ENC_UTF16BE, "\0H\x01\xB0", 4, got, sizeof got) == 0);
    CHECK_STR(got, "Hư");
    CHECK_INT(decode(DC_ENC_UTF16LE, "\x00\xD8", 2, got, sizeof got), 1); /* lone surrogate */
}

static void
test_names(void)
{
    enum dc_enc e;

    CHECK(dc_enc_from_name("VNI", &e) == 0 && e == DC_ENC_VNI);
    CHECK(dc_enc_from_name("windows-1258", &e) == 0 && e == DC_ENC_CP1258);
    CHECK(dc_enc_from_name("tcvn3", &e) == 0 && e == DC_ENC_TCVN3);
    CHECK(dc_enc_from_name("latin1", &e) == -1);
    CHECK_STR(dc_enc_name(DC_ENC_VISCII), "viscii");
}

/* ---- detection ---- */

static const char sample_text[] = "ho_ten,ngay_sinh,dia_chi\n"
                                  "Nguyễn Thị Hương,1980,Phường Bến Nghé Quận Một\n"
                                  "Trần Văn Đức,1975,Xã Tân Phú Huyện Đức Hòa\n"
                                  "Lê Thị Thủy,1990,Thôn Đông Xã Việt Hùng\n"
                                  "Phạm Quốc Khánh,1968,Đường Lê Lợi Thành phố Huế\n"
                                  "Võ Thị Ánh Tuyết,2001,Ấp Mỹ Lợi Tỉnh Tiền Giang\n";

static int
detect(const char *buf, size_t len, struct dc_enc_guess *g)
{
    struct dc_error err = DC_ERROR_INIT;

    return dc_enc_detect(buf, len, 1, g, &err);
}

static void
test_detect_bom_and_utf8(void)
{
    struct dc_enc_guess g;

    CHECK(detect("\xEF\xBB\xBFh\n", 5, &g) == 0 && g.decided && g.enc == DC_ENC_UTF8);
    CHECK_INT(g.bom_len, 3);
    CHECK(detect("\xFF\xFEh\0", 4, &g) == 0 && g.decided && g.enc == DC_ENC_UTF16LE);
    CHECK(detect("\xFE\xFF\0h", 4, &g) == 0 && g.decided && g.enc == DC_ENC_UTF16BE);
    CHECK(detect("h\0e\0l\0l\0", 8, &g) == 0 && !g.decided);
    CHECK(detect(sample_text, strlen(sample_text), &g) == 0 && g.decided);
    CHECK(g.enc == DC_ENC_UTF8 && g.bom_len == 0);
    CHECK(detect("a,b\n1,2\n", 8, &g) == 0 && g.decided && g.confidence == 1.0);
}

static void
check_detects(const char *buf, size_t n, enum dc_enc want)
{
    struct dc_enc_guess g;

    CHECK(detect(buf, n, &g) == 0);
    CHECK(g.decided);
    CHECK_STR(dc_enc_name(g.enc), dc_enc_name(want));
    CHECK(g.confidence >= 0.3); /* TCVN3 and VISCII share many letter bytes */
    printf("# %s: %s\n", dc_enc_name(want), g.candidates);
}

static void
test_detect_legacy(void)
{
    char b[1024];
    size_t n;

    n = vni_encode(sample_text, b);
    check_detects(b, n, DC_ENC_VNI);
    n = iconv_enc("TCVN5712-1", sample_text, b, sizeof b);
    check_detects(b, n, DC_ENC_TCVN3);
    n = iconv_enc("VISCII", sample_text, b, sizeof b);
    check_detects(b, n, DC_ENC_VISCII);
    n = cp1258_encode(sample_text, b);
    check_detects(b, n, DC_ENC_CP1258);
}

static void
test_detect_refuses_to_guess(void)
{
    struct dc_enc_guess g;

    /* one byte that is a letter in every candidate and a syllable in none */
    CHECK(detect("x\n\xBF\xBF\xBF\n", 6, &g) == 0);
    CHECK(!g.decided);
    CHECK(strstr(g.candidates, "vni") != NULL);
}

/* ---- syllables and repair ---- */

static void
test_syllable_table(void)
{
    static const struct {
        const char *w;
        int ok;
    } t[] = {
        {"Nguyễn", 1}, {"nghiêng", 1},
        {"Thị", 1},    {"quốc", 1},
        {"gìn", 1},    {"Khuê", 1},
        {"Huỳnh", 1},  {"người", 1},
        {"rượu", 1},   {"Thuỷ", 1},
        {"Thủy", 1},   {"Hoà", 1},
        {"Hòa", 1},    {"xoong", 1},
        {"khuya", 1},  {"Yến", 1},
        {"Đặng", 1},   {"ĐỨC", 1},
        {"NGUYễN", 1}, {"Ánh", 1},
        {"TrầN", 1},   {"Nguye\xCC\x82\xCC\x83n", 1},
        {"Döông", 0},  {"Nguyeãn", 0},
        {"Ðức", 0},    {"nguyễnthị", 0},
        {"ă", 0},      {"ân", 1},
        {"Đ", 0},      {"quát", 1},
        {"quàt", 0},   {"hét", 1},
        {"hèt", 0},    {"Smith", 0},
        {"Ksor", 0},   {"Hiền.", 0},
        {"", 0},       {"bůng", 0},
        {"Võõ", 0},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!CHECK_INT(dc_enc_is_syllable(t[i].w, strlen(t[i].w)), t[i].ok))
            printf("#   word: %s\n", t[i].w);
    }
}

static void
repair_case(const char *in, int want_rc, const char *want, const char *want_rule)
{
    char *out = NULL;
    const char *rule = NULL;
    int rc = dc_enc_repair(in, &out, &rule);

    CHECK_INT(rc, want_rc);
    CHECK_STR(out, want);
    CHECK_STR(rule, want_rule);
    free(out);
}

static void
test_repair_cases(void)
{
    repair_case("Nguyá»…n Văn An", 1, "Nguyễn Văn An", "utf8-as-cp1252");
    repair_case("PhÆ°á»\xC2\x9Dng 1", 1, "Phường 1", "utf8-as-cp1252"); /* 9D stays U+009D */
    repair_case("Huyá»‡n", 1, "Huyện", "utf8-as-cp1252");
    repair_case("Döông Vaên Buøi", 1, "Dương Văn Bùi", "vni-as-cp1252");
    /* "Thò" is VNI for "Thị" but also a correct word ("thò"): it stays */
    repair_case("Ñoã Thò Haø", 1, "Đỗ Thò Hà", "vni-as-cp1252");
    repair_case("Ðức Ðinh ðào", 1, "Đức Đinh đào", "eth-for-d");
    repair_case("HáşŁi", 1, "Hải", "utf8-as-cp1252"); /* read as cp1250 */
    repair_case("Lê Döông", 1, "Lê Dương", "vni-as-cp1252");
    repair_case("Nguyễn Thị Hương", 0, NULL, NULL);
    repair_case("Hoà Hồ Thuỷ", 0, NULL, NULL); /* "Hoà" would be VNI for "Hồ": keep */
    repair_case("Müller José", 0, NULL, NULL); /* not Vietnamese, no repair yields a syllable */
    repair_case("\xFF\xFE", 0, NULL, NULL);    /* not UTF-8 */
    repair_case("", 0, NULL, NULL);
}

/* Correct names made of common parts must come back untouched. */
static void
test_repair_never_touches_correct_names(void)
{
    static const char *const fam[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ",
                                      "Đặng",   "Bùi",  "Đỗ", "Hồ",   "Ngô",   "Dương", "Lý"};
    static const char *const mid[] = {"Văn",  "Thị",   "Hữu",  "Đức",  "Ngọc",
                                      "Minh", "Thanh", "Xuân", "Quốc", "Thuỳ"};
    static const char *const giv[] = {"An",   "Bình",   "Cường",  "Dũng",   "Hương", "Hoà", "Khánh",
                                      "Lộc",  "Nguyệt", "Phượng", "Quý",    "Tuấn",  "Yến", "Ánh",
                                      "Thuỷ", "Hòa",    "Khoa",   "Trường", "Ngoãn", "Uyên"};
    size_t a, b, c, n = 0, touched = 0;
    char name[128];

    for (a = 0; a < sizeof fam / sizeof fam[0]; a++) {
        for (b = 0; b < sizeof mid / sizeof mid[0]; b++) {
            for (c = 0; c < sizeof giv / sizeof giv[0]; c += 3) {
                char *out = NULL;
                const char *rule;

                snprintf(name, sizeof name, "%s %s %s", fam[a], mid[b], giv[(c + a) % 20]);
                if (dc_enc_repair(name, &out, &rule) != 0) {
                    printf("# touched: %s -> %s\n", name, out ? out : "(err)");
                    touched++;
                }
                free(out);
                n++;
            }
        }
    }
    CHECK(n >= 900);
    CHECK_INT(touched, 0);
}

/* "\x90" escapes in token_anomalies.csv stand for one character U+0090. */
static void
unescape(const char *s, char *o, size_t cap)
{
    size_t n = 0;

    while (*s && n + 4 < cap) {
        if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
            char hx[3] = {s[2], s[3], 0};
            unsigned long v = strtoul(hx, NULL, 16);

            o[n++] = (char)(0xC0 | (v >> 6)); /* U+0080..U+00FF as UTF-8 */
            o[n++] = (char)(0x80 | (v & 0x3F));
            s += 4;
        } else {
            o[n++] = *s++;
        }
    }
    o[n] = '\0';
}

static void
test_repair_token_anomalies(void)
{
    const char *shared = getenv("DC_SHARED");
    char path[512], line[512], tok[256], fixed[256] = "";
    FILE *fp;
    int mojibake = 0, repaired = 0, wrong = 0, clean = 0, touched = 0;

    snprintf(path, sizeof path, "%s/names/token_anomalies.csv", shared ? shared : "../shared");
    fp = fopen(path, "r");
    if (!fp) {
        printf("# skip: %s not found (set DC_SHARED to the shared folder)\n", path);
        CHECK(1);
        return;
    }
    while (fgets(line, sizeof line, fp)) {
        const char *kind = line;
        char *t = strchr(line, ','), *e;
        char *out = NULL;
        const char *rule = NULL;
        int rc;

        if (!t)
            continue;
        *t++ = '\0';
        e = strchr(t, ',');
        if (!e || strcmp(kind, "anomaly") == 0)
            continue;
        *e = '\0';
        unescape(t, tok, sizeof tok);
        if (strcmp(kind, "eth_for_d_stroke") == 0) {
            /* the file holds the corrected word: put the eth back (same UTF-8 length) */
            char *q;

            snprintf(fixed, sizeof fixed, "%s", tok);
            while ((q = strstr(tok, "\xC4\x90")) != NULL)
                memcpy(q, "\xC3\x90", 2);
            while ((q = strstr(tok, "\xC4\x91")) != NULL)
                memcpy(q, "\xC3\xB0", 2);
        }
        /* "UÙt" is filed as mixed case but is VNI-as-cp1252 for "Út" (Ù = D9, the
         * upper-case acute byte): checked by hand, left out of the clean set */
        if (strcmp(tok, "U\xC3\x99t") == 0)
            kind = "vni_read_as_cp1252";
        rc = dc_enc_repair(tok, &out, &rule);
        if (strstr(kind, "read_as") || strcmp(kind, "eth_for_d_stroke") == 0) {
            mojibake++;
            if (rc == 1 && dc_enc_is_syllable(out, strlen(out))) {
                const char *want = strstr(kind, "vni")    ? "vni-as-cp1252"
                                   : strstr(kind, "utf8") ? "utf8-as-cp1252"
                                                          : "eth-for-d";
                repaired++;
                if (strcmp(kind, "eth_for_d_stroke") == 0 && strcmp(out, fixed) != 0) {
                    printf("# %s repaired to %s, want %s\n", tok, out, fixed);
                    wrong++;
                }
                if (strcmp(rule, want) != 0) {
                    printf("# %s: rule %s, want %s\n", tok, rule, want);
                    wrong++;
                }
            } else {
                printf("# not repaired (%s): %s\n", kind, tok);
            }
        } else if (strcmp(kind, "not_nfc") == 0 || strcmp(kind, "mixed_case") == 0) {
            /* correct letters, only form or case is off: not mojibake */
            clean++;
            if (rc != 0) {
                printf("# touched %s: %s -> %s\n", kind, tok, out);
                touched++;
            }
        }
        free(out);
    }
    fclose(fp);
    printf("# token_anomalies: %d of %d mojibake repaired, %d clean tokens\n", repaired, mojibake,
           clean);
    CHECK(mojibake > 100);
    CHECK(repaired * 10 >= mojibake * 9); /* at least 90% */
    CHECK_INT(wrong, 0);
    CHECK(clean > 150);
    CHECK_INT(touched, 0);
}

int
main(void)
{
    RUN(test_vni_every_letter);
    RUN(test_vni_fingerprints);
    RUN(test_vni_mark_without_base);
    RUN(test_tcvn3_every_lower_letter);
    RUN(test_tcvn3_capitals);
    RUN(test_tcvn3_fingerprints);
    RUN(test_viscii_every_letter);
    RUN(test_cp1258_every_letter);
    RUN(test_utf8_nfd_to_nfc);
    RUN(test_utf8_invalid);
    RUN(test_utf16_decode);
    RUN(test_names);
    RUN(test_detect_bom_and_utf8);
    RUN(test_detect_legacy);
    RUN(test_detect_refuses_to_guess);
    RUN(test_syllable_table);
    RUN(test_repair_cases);
    RUN(test_repair_never_touches_correct_names);
    RUN(test_repair_token_anomalies);
    return tap_done();
}
