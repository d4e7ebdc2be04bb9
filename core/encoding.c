/*
 * encoding.c - decode, detect and repair legacy Vietnamese text (see encoding.h).
 *
 * Not for: CSV structure (csvio.c) or name normalization beyond the code points (vntext).
 *
 * Where the byte layouts come from (research/normalize.md §4.1, checked there [run]):
 *   - Windows-1258: ICU 72 converter "windows-1258"; its output is decomposed (base letter +
 *     combining tone), so every decode ends with NFC (vn/icu.h).
 *   - TCVN3 (TCVN 5712 "ABC", the .VnTime fonts of old .xls files): glibc iconv "TCVN5712-1"
 *     (VN1) for bytes A0-FF.  normalize.md §4.1 compared it with unikey's TCVN3 table: the 186
 *     letters agree except that VN1 also puts toned capitals at 01-17 and 80-9F, which ABC
 *     does not have (capitals come from the "H" fonts drawing the lower-case bytes).  So
 *     here 00-7F stay ASCII/C0, 80-9F are Windows-1252 punctuation (a "smart quote" 0x93 is
 *     not "Ỏ"), and toned capitals decode as lower case: their case is lost in the bytes.
 *   - VISCII: glibc iconv "VISCII" (RFC 1456 layout), all 256 bytes.
 *   - VNI-Windows: no library has it.  The table below is the published VNI-Windows chart as
 *     listed in unikey's VnConv data (fcitx/fcitx5-unikey unikey/data.cpp, DoubleByteTables
 *     "VNI-WIN": a word per letter, low byte = base letter, high byte = mark): vowels are an
 *     ASCII letter followed by one mark byte carrying the tone and/or the circumflex or breve;
 *     ơ ư đ and the toned i, plus ỵ, are single bytes.  80-BF are Windows-1252 symbols.
 *     Only the facts (byte values) are taken, the code is ours.
 *   - Windows-1252 0x80-0x9F: unicode.org MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT.
 */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "hash.h"
#include "util/buf.h"
#include "vn/icu.h"
#include "vn/letter.h"
#include "vn/syllable.h"

#define NOCP 0xFFFFFFFFu

/* CP1252.TXT, bytes 0x80-0x9F; 0 = undefined there (81 8D 8F 90 9D). */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* VNI-Windows single-byte letters (unikey data.cpp "VNI-WIN": Đ đ, toned i, ỵ, ơ ư). */
static const struct {
    unsigned char b;
    uint16_t cp;
} vni_single[] = {
    {0xC6, 0x1EC8}, {0xCC, 0x00CC}, {0xCD, 0x00CD}, {0xCE, 0x1EF4}, {0xD1, 0x0110},
    {0xD2, 0x1ECA}, {0xD3, 0x0128}, {0xD4, 0x01A0}, {0xD6, 0x01AF}, {0xD7, 0x00D7},
    {0xE6, 0x1EC9}, {0xEC, 0x00EC}, {0xED, 0x00ED}, {0xEE, 0x1EF5}, {0xF1, 0x0111},
    {0xF2, 0x1ECB}, {0xF3, 0x0129}, {0xF4, 0x01A1}, {0xF6, 0x01B0}, {0xF7, 0x00F7},
};

/* VNI-Windows mark bytes (the 34 of normalize.md §4.3): the combining marks they add to
 * the preceding base letter.  kind 0 = tone only (any vowel), 1 = circumflex series
 * (a e o), 2 = breve series (a).  Upper-case bases take the upper-case byte of each pair. */
enum { MK_TONE, MK_CIRC, MK_BREVE };
static const struct {
    unsigned char lo, up;
    uint16_t m1, m2;
    int kind;
} vni_mark[] = {
    {0xF9, 0xD9, 0x0301, 0, MK_TONE},       {0xF8, 0xD8, 0x0300, 0, MK_TONE},
    {0xFB, 0xDB, 0x0309, 0, MK_TONE},       {0xF5, 0xD5, 0x0303, 0, MK_TONE},
    {0xEF, 0xCF, 0x0323, 0, MK_TONE},       {0xE2, 0xC2, 0x0302, 0, MK_CIRC},
    {0xE1, 0xC1, 0x0302, 0x0301, MK_CIRC},  {0xE0, 0xC0, 0x0302, 0x0300, MK_CIRC},
    {0xE5, 0xC5, 0x0302, 0x0309, MK_CIRC},  {0xE3, 0xC3, 0x0302, 0x0303, MK_CIRC},
    {0xE4, 0xC4, 0x0302, 0x0323, MK_CIRC},  {0xEA, 0xCA, 0x0306, 0, MK_BREVE},
    {0xE9, 0xC9, 0x0306, 0x0301, MK_BREVE}, {0xE8, 0xC8, 0x0306, 0x0300, MK_BREVE},
    {0xFA, 0xDA, 0x0306, 0x0309, MK_BREVE}, {0xFC, 0xDC, 0x0306, 0x0303, MK_BREVE},
    {0xEB, 0xCB, 0x0306, 0x0323, MK_BREVE},
};

static const char *const enc_names[DC_ENC_COUNT] = {
    "utf-8", "utf-16le", "utf-16be", "cp1258", "tcvn3", "vni", "viscii",
};

struct dc_enc_conv {
    enum dc_enc enc;
    UConverter *ucnv;  /* cp1258, utf-16 */
    uint32_t map[256]; /* single-byte layouts (tcvn3, viscii); NOCP = not a character */
    UChar *u, *n;      /* decoded and normalized UTF-16 */
    int32_t ucap, ncap;
    char *o; /* UTF-8 result */
    size_t ocap;
};

int
dc_enc_from_name(const char *name, enum dc_enc *enc)
{
    static const struct {
        const char *name;
        enum dc_enc enc;
    } alias[] = {
        {"utf-8", DC_ENC_UTF8},       {"utf8", DC_ENC_UTF8},     {"utf-16le", DC_ENC_UTF16LE},
        {"utf-16be", DC_ENC_UTF16BE}, {"cp1258", DC_ENC_CP1258}, {"windows-1258", DC_ENC_CP1258},
        {"tcvn3", DC_ENC_TCVN3},      {"abc", DC_ENC_TCVN3},     {"vni", DC_ENC_VNI},
        {"vni-windows", DC_ENC_VNI},  {"viscii", DC_ENC_VISCII},
    };
    size_t i;

    if (!name)
        return -1;
    for (i = 0; i < sizeof alias / sizeof alias[0]; i++) {
        if (strcasecmp(name, alias[i].name) == 0) {
            *enc = alias[i].enc;
            return 0;
        }
    }
    return -1;
}

const char *
dc_enc_name(enum dc_enc enc)
{
    return (unsigned)enc < DC_ENC_COUNT ? enc_names[enc] : "?";
}

/* Decode one byte with glibc iconv; the VN1 decoder holds a base letter back waiting for
 * a combining mark, hence the flush call. */
static uint32_t
iconv_byte(iconv_t cd, unsigned char b)
{
    char in[1], outb[8];
    char *ip = in, *op = outb;
    size_t il = 1, ol = sizeof outb;
    UChar32 cp;
    int32_t i = 0, n;

    in[0] = (char)b;
    (void)iconv(cd, NULL, NULL, NULL, NULL); /* back to the initial state: cannot fail */
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
        return NOCP;
    if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
        return NOCP;
    n = (int32_t)(sizeof outb - ol);
    if (n == 0)
        return NOCP;
    U8_NEXT((const uint8_t *)outb, i, n, cp);
    if (cp < 0 || i != n)
        return NOCP;
    return (uint32_t)cp;
}

static int
build_iconv_map(struct dc_enc_conv *c, const char *cs, struct dc_error *err)
{
    iconv_t cd = iconv_open("UTF-8", cs);
    unsigned b;

    if (cd == (iconv_t)-1)
        return dc_error_set(err, DC_EX_SOFTWARE, "iconv has no %s converter", cs);
    for (b = 0; b < 256; b++)
        c->map[b] = iconv_byte(cd, (unsigned char)b);
    iconv_close(cd);
    if (c->enc == DC_ENC_TCVN3) {
        /* ABC has no letters below A0 (see the file comment): ASCII/C0 and Windows-1252. */
        for (b = 0; b < 0x80; b++)
            c->map[b] = b;
        for (b = 0x80; b < 0xA0; b++)
            c->map[b] = cp1252_c1[b - 0x80] ? cp1252_c1[b - 0x80] : NOCP;
    }
    return 0;
}

struct dc_enc_conv *
dc_enc_conv_new(enum dc_enc enc, struct dc_error *err)
{
    struct dc_enc_conv *c;
    UErrorCode st = U_ZERO_ERROR;
    const char *icu = NULL;

    if ((unsigned)enc >= DC_ENC_COUNT) {
        dc_error_set(err, DC_EX_SOFTWARE, "unknown encoding %d", (int)enc);
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    c->enc = enc;
    if (!dc_icu_ready()) {
        dc_error_set(err, DC_EX_SOFTWARE, "ICU NFC: normalizer data not available");
        goto fail;
    }
    if (enc == DC_ENC_CP1258)
        icu = "windows-1258";
    else if (enc == DC_ENC_UTF16LE)
        icu = "UTF-16LE";
    else if (enc == DC_ENC_UTF16BE)
        icu = "UTF-16BE";
    if (icu) {
        c->ucnv = ucnv_open(icu, &st);
        if (U_FAILURE(st)) {
            dc_error_set(err, DC_EX_SOFTWARE, "ICU has no %s converter: %s", icu, u_errorName(st));
            goto fail;
        }
        ucnv_setToUCallBack(c->ucnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
        if (U_FAILURE(st)) {
            dc_error_set(err, DC_EX_SOFTWARE, "ICU callback: %s", u_errorName(st));
            goto fail;
        }
    }
    if (enc == DC_ENC_TCVN3 && build_iconv_map(c, "TCVN5712-1", err) < 0)
        goto fail;
    if (enc == DC_ENC_VISCII && build_iconv_map(c, "VISCII", err) < 0)
        goto fail;
    return c;
fail:
    dc_enc_conv_free(c);
    return NULL;
}

void
dc_enc_conv_free(struct dc_enc_conv *c)
{
    if (!c)
        return;
    if (c->ucnv)
        ucnv_close(c->ucnv);
    free(c->u);
    free(c->n);
    free(c->o);
    free(c);
}

static int
grow_u(UChar **p, int32_t *cap, int32_t need)
{
    UChar *q;
    int32_t n = *cap ? *cap : 256;

    if (need <= *cap)
        return 0;
    while (n < need) {
        if (n > INT32_MAX / 2)
            return -1;
        n *= 2;
    }
    q = realloc(*p, (size_t)n * sizeof *q);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int
grow_o(struct dc_enc_conv *c, size_t need)
{
    char *q;
    size_t n = c->ocap ? c->ocap : 256;

    if (need <= c->ocap)
        return 0;
    while (n < need)
        n *= 2;
    q = realloc(c->o, n);
    if (!q)
        return -1;
    c->o = q;
    c->ocap = n;
    return 0;
}

/* Append a code point to c->u (room for len+2 units per input byte is made by the caller). */
#define PUT(c, k, cp) U16_APPEND_UNSAFE((c)->u, (k), (cp))

static int
vni_decode(struct dc_enc_conv *c, const unsigned char *s, size_t len, int32_t *k)
{
    size_t i, j;
    int base = 0; /* 0 none, else the last base letter (lower case), for mark compatibility */

    for (i = 0; i < len; i++) {
        unsigned char b = s[i];
        int done = 0;

        if (b < 0x80) {
            PUT(c, *k, b);
            base = (b >= 'A' && b <= 'Z') ? b + 32 : (b >= 'a' && b <= 'z') ? b : 0;
            continue;
        }
        if (b < 0xA0) {
            if (!cp1252_c1[b - 0x80])
                return 1;
            PUT(c, *k, cp1252_c1[b - 0x80]);
            base = 0;
            continue;
        }
        if (b < 0xC0) { /* Latin-1 symbols, same in VNI fonts */
            PUT(c, *k, b);
            base = 0;
            continue;
        }
        for (j = 0; j < sizeof vni_mark / sizeof vni_mark[0] && !done; j++) {
            int ok;

            if (b != vni_mark[j].lo && b != vni_mark[j].up)
                continue;
            if (vni_mark[j].kind == MK_BREVE)
                ok = base == 'a';
            else if (vni_mark[j].kind == MK_CIRC)
                ok = base == 'a' || base == 'e' || base == 'o';
            else
                ok = base && strchr("aeiouy", base) != NULL;
            ok = ok || (vni_mark[j].kind == MK_TONE && base == 0x1A1);
            ok = ok || (vni_mark[j].kind == MK_TONE && base == 0x1B0);
            if (!ok)
                return 1;
            PUT(c, *k, vni_mark[j].m1);
            if (vni_mark[j].m2)
                PUT(c, *k, vni_mark[j].m2);
            base = 0; /* one mark byte per letter */
            done = 1;
        }
        for (j = 0; j < sizeof vni_single / sizeof vni_single[0] && !done; j++) {
            if (b != vni_single[j].b)
                continue;
            PUT(c, *k, vni_single[j].cp);
            /* ơ ư take a following tone byte; the others are complete letters */
            base = (vni_single[j].cp == 0x1A0 || vni_single[j].cp == 0x1A1)   ? 0x1A1
                   : (vni_single[j].cp == 0x1AF || vni_single[j].cp == 0x1B0) ? 0x1B0
                                                                              : 0;
            done = 1;
        }
        if (!done)
            return 1;
    }
    return 0;
}

static int
nfc_out(struct dc_enc_conv *c, int32_t k, const char **out, size_t *outlen, struct dc_error *err)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t nn, ol;

    if (grow_u(&c->n, &c->ncap, k + 1) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    nn = dc_icu_normalize(DC_ICU_NFC, c->u, k, c->n, c->ncap, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        st = U_ZERO_ERROR;
        if (grow_u(&c->n, &c->ncap, nn + 1) < 0)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        nn = dc_icu_normalize(DC_ICU_NFC, c->u, k, c->n, c->ncap, &st);
    }
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "ICU NFC: %s", u_errorName(st));
    if (grow_o(c, (size_t)nn * 3 + 1) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    u_strToUTF8(c->o, (int32_t)c->ocap, &ol, c->n, nn, &st);
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "ICU to UTF-8: %s", u_errorName(st));
    c->o[ol] = '\0';
    *out = c->o;
    *outlen = (size_t)ol;
    return 0;
}

/*
 * Fast path for UTF-8 input that is already NFC, which is most of it: every
 * code point below U+0300 (ASCII, Latin-1, Latin Extended-A/B: no character
 * there has NFC_Quick_Check No or Maybe) or in Latin Extended Additional
 * U+1E00-U+1EFF (the precomposed Vietnamese letters, all NFC-stable), and no
 * combining mark anywhere, so NFC leaves the bytes as they are.  Checks the
 * UTF-8 too: only well-formed 2-byte C2-CB and 3-byte E1 B8-BB sequences
 * qualify; anything else goes the ICU way, which judges it.
 */
static int
utf8_latin_nfc(const unsigned char *s, size_t len)
{
    size_t i = 0;
    uint64_t w;

    /* An all-ASCII start (dates, ID numbers, codes) eight bytes at a time: this runs over
     * every byte import reads.  Only at the start: inside Vietnamese words a failed 8-byte
     * try per letter costs more than it saves (callgrind). */
    while (i + 8 <= len && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0))
        i += 8;
    while (i < len) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
        } else if (b >= 0xC2 && b <= 0xCB) {
            if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80)
                return 0;
            i += 2;
        } else if (b == 0xE1) {
            if (i + 2 >= len || s[i + 1] < 0xB8 || s[i + 1] > 0xBB || (s[i + 2] & 0xC0) != 0x80)
                return 0;
            i += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

int
dc_enc_decode(struct dc_enc_conv *c, const char *in, size_t len, const char **out, size_t *outlen,
              struct dc_error *err)
{
    const unsigned char *s = (const unsigned char *)in;
    UErrorCode st = U_ZERO_ERROR;
    int32_t k = 0;
    size_t i;
    int ascii = 1;

    if (len > (size_t)INT32_MAX / 4)
        return dc_error_set(err, DC_EX_SOFTWARE, "field too long to decode");
    /* UTF-8 goes straight to the NFC check, which passes ASCII too: one pass, not two */
    if (c->enc == DC_ENC_UTF8)
        ascii = 0;
    for (i = 0; i < len && ascii; i++)
        ascii = s[i] < 0x80 && !(c->enc == DC_ENC_VISCII && c->map[s[i]] != s[i]);
    if (ascii && c->enc != DC_ENC_UTF16LE && c->enc != DC_ENC_UTF16BE) {
        if (grow_o(c, len + 1) < 0)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        memcpy(c->o, in, len);
        c->o[len] = '\0';
        *out = c->o;
        *outlen = len;
        return 0;
    }
    if (c->enc == DC_ENC_UTF8 && utf8_latin_nfc(s, len)) {
        if (grow_o(c, len + 1) < 0)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        memcpy(c->o, in, len);
        c->o[len] = '\0';
        *out = c->o;
        *outlen = len;
        return 0;
    }
    /* worst case: 2 UTF-16 units per byte (VNI marks add 2 per byte) */
    if (grow_u(&c->u, &c->ucap, (int32_t)len * 2 + 2) < 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    switch (c->enc) {
    case DC_ENC_UTF8:
        u_strFromUTF8(c->u, c->ucap, &k, in, (int32_t)len, &st);
        if (st == U_INVALID_CHAR_FOUND)
            return 1;
        break;
    case DC_ENC_CP1258:
    case DC_ENC_UTF16LE:
    case DC_ENC_UTF16BE:
        ucnv_reset(c->ucnv);
        k = ucnv_toUChars(c->ucnv, c->u, c->ucap, in, (int32_t)len, &st);
        if (st == U_INVALID_CHAR_FOUND || st == U_ILLEGAL_CHAR_FOUND ||
            st == U_TRUNCATED_CHAR_FOUND)
            return 1;
        break;
    case DC_ENC_TCVN3:
    case DC_ENC_VISCII:
        for (i = 0; i < len; i++) {
            if (c->map[s[i]] == NOCP)
                return 1;
            PUT(c, k, c->map[s[i]]);
        }
        break;
    case DC_ENC_VNI:
        if (vni_decode(c, s, len, &k))
            return 1;
        break;
    default:
        return dc_error_set(err, DC_EX_SOFTWARE, "unknown encoding");
    }
    if (U_FAILURE(st))
        return dc_error_set(err, DC_EX_SOFTWARE, "ICU decode: %s", u_errorName(st));
    return nfc_out(c, k, out, outlen, err);
}

/* ---- Vietnamese syllables ---------------------------------------------------------------
 * The shape checked (onset, nucleus, coda, tone with stops) is vn/syllable.h's grammar, the
 * strict one (the 27 onsets, sắc or nặng before a stop).  Letters are first mapped to one
 * byte each, its shape codes: a-z, and A=ă B=â E=ê O=ô P=ơ U=ư D=đ. */

static int syllable_check(const UChar *w, int32_t wn);

/*
 * Is w[0..wn) one Vietnamese syllable?  Repair asks this of every non-ASCII
 * word of every name, and names are made of a few thousand syllables: the
 * answers are remembered per thread in a fixed direct-mapped table.
 */
#define SYL_SLOTS 4096 /* power of two */
#define SYL_LEN 12     /* UTF-16 units; longer words are always checked */

static _Thread_local struct {
    uint8_t len, yes; /* len 0 = empty slot */
    UChar w[SYL_LEN];
} syl_seen[SYL_SLOTS];

static int
syllable_u(const UChar *w, int32_t wn)
{
    uint32_t h;

    if (wn <= 0 || wn > SYL_LEN)
        return syllable_check(w, wn);
    h = dc_hash32(w, (size_t)wn * sizeof *w) & (SYL_SLOTS - 1);
    if (syl_seen[h].len == wn && memcmp(syl_seen[h].w, w, (size_t)wn * sizeof *w) == 0)
        return syl_seen[h].yes;
    int yes = syllable_check(w, wn);
    syl_seen[h].len = (uint8_t)wn;
    syl_seen[h].yes = (uint8_t)yes;
    memcpy(syl_seen[h].w, w, (size_t)wn * sizeof *w);
    return yes;
}

static int
syllable_check(const UChar *w, int32_t wn)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar d[64];
    char l[16];
    int32_t dn, i;
    size_t n = 0;
    int tone = 0, ntone = 0;

    if (wn <= 0 || wn > 24)
        return 0;
    dn = dc_icu_normalize(DC_ICU_NFD, w, wn, d, 64, &st);
    if (U_FAILURE(st))
        return 0;
    for (i = 0; i < dn; i++) {
        UChar ch = d[i];

        if (ch >= 'A' && ch <= 'Z')
            ch = (UChar)(ch + 32);
        if (ch >= 'a' && ch <= 'z') {
            if (n + 1 >= sizeof l)
                return 0;
            l[n++] = (char)ch;
        } else if (ch == 0x110 || ch == 0x111) {
            if (n + 1 >= sizeof l)
                return 0;
            l[n++] = 'D';
        } else if (dc_letter_mark_code(ch) >= DC_MARK_BREVE) {
            unsigned char sh;

            if (!n)
                return 0;
            sh = dc_letter_shape_mod((unsigned char)l[n - 1], dc_letter_mark_code(ch));
            if (sh == (unsigned char)l[n - 1])
                return 0; /* a shape the letter does not take */
            l[n - 1] = (char)sh;
        } else if (dc_letter_mark_code(ch) > 0) {
            if (!n || !dc_syllable_is_vowel(l[n - 1]))
                return 0;
            tone = ch;
            ntone++;
        } else {
            return 0;
        }
    }
    if (ntone > 1 || n == 0)
        return 0;
    return dc_syllable_parse(l, n, dc_letter_mark_code(tone), 0, NULL);
}

int
dc_enc_is_syllable(const char *word, size_t len)
{
    UChar u[64];
    int32_t un = 0;
    UErrorCode st = U_ZERO_ERROR;

    if (len == 0 || len > 96)
        return 0;
    u_strFromUTF8(u, 64, &un, word, (int32_t)len, &st);
    if (U_FAILURE(st))
        return 0;
    return syllable_u(u, un);
}

/* ---- detection ------------------------------------------------------------------------- */

/* strict UTF-8 (no overlongs, surrogates or > U+10FFFF); a sequence cut by the end of the
 * sample is fine unless the sample is the whole file.  Sets *high if any byte >= 0x80. */
static int
utf8_valid(const unsigned char *s, size_t n, int at_eof, int *high)
{
    size_t i = 0;

    *high = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t need, k;
        uint32_t cp, min;

        if (b < 0x80) {
            i++;
            continue;
        }
        *high = 1;
        if (b >= 0xC2 && b <= 0xDF)
            need = 1, cp = b & 0x1F, min = 0x80;
        else if (b >= 0xE0 && b <= 0xEF)
            need = 2, cp = b & 0x0F, min = 0x800;
        else if (b >= 0xF0 && b <= 0xF4)
            need = 3, cp = b & 0x07, min = 0x10000;
        else
            return 0;
        for (k = 1; k <= need; k++) {
            if (i + k >= n)
                return !at_eof;
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* VISCII puts six capitals in C0 (02 05 06 14 19 1E): they are letters for the word split. */
static int
word_byte(unsigned char b)
{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b >= 0x80 || b == 0x02 ||
           b == 0x05 || b == 0x06 || b == 0x14 || b == 0x19 || b == 0x1E;
}

#define DETECT_MAX_WORDS 20000

int
dc_enc_detect(const char *buf, size_t len, int at_eof, struct dc_enc_guess *g, struct dc_error *err)
{
    static const enum dc_enc cand[] = {DC_ENC_VNI, DC_ENC_TCVN3, DC_ENC_VISCII, DC_ENC_CP1258};
    enum { NC = sizeof cand / sizeof cand[0] };
    const unsigned char *s = (const unsigned char *)buf;
    struct dc_enc_conv *cv[NC] = {0};
    long good[NC] = {0}, total = 0;
    double score[NC];
    int order[NC], high, rc = -1;
    size_t i, j, z0 = 0, z1 = 0, pos;

    memset(g, 0, sizeof *g);
    g->enc = DC_ENC_UTF8;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        g->bom_len = 3, g->decided = 1, g->confidence = 1.0;
        return 0;
    }
    if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        g->enc = s[0] == 0xFF ? DC_ENC_UTF16LE : DC_ENC_UTF16BE;
        g->bom_len = 2, g->decided = 1, g->confidence = 1.0;
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == 0 && i % 2)
            z1++;
        else if (s[i] == 0)
            z0++;
    }
    if (len >= 4 && (z0 + z1) * 4 > len) {
        /* NUL-heavy: UTF-16 without a byte-order mark; we do not guess the byte order */
        snprintf(g->candidates, sizeof g->candidates, "utf-16le, utf-16be (no byte-order mark)");
        return 0;
    }
    if (utf8_valid(s, len, at_eof, &high)) {
        g->decided = 1;
        g->confidence = high ? 0.99 : 1.0;
        return 0;
    }
    for (j = 0; j < NC; j++) {
        cv[j] = dc_enc_conv_new(cand[j], err);
        if (!cv[j])
            goto out;
    }
    pos = 0;
    while (pos < len && total < DETECT_MAX_WORDS) {
        size_t st, e;
        int nonascii = 0;

        while (pos < len && !word_byte(s[pos]))
            pos++;
        st = pos;
        while (pos < len && word_byte(s[pos])) {
            if (s[pos] >= 0x80 || s[pos] < 0x20)
                nonascii = 1;
            pos++;
        }
        e = pos;
        if (!nonascii || e - st > 40 || (e == len && !at_eof))
            continue;
        total++;
        for (j = 0; j < NC; j++) {
            const char *o;
            size_t on;
            int r = dc_enc_decode(cv[j], buf + st, e - st, &o, &on, err);

            if (r < 0)
                goto out;
            if (r == 0 && dc_enc_is_syllable(o, on))
                good[j]++;
        }
    }
    for (j = 0; j < NC; j++) {
        score[j] = total ? (double)good[j] / (double)total : 0.0;
        order[j] = (int)j;
    }
    for (i = 1; i < NC; i++) { /* insertion sort, best first, stable */
        for (j = i; j > 0 && score[order[j]] > score[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    }
    {
        size_t off = 0;

        for (j = 0; j < NC && off < sizeof g->candidates; j++) {
            int n = snprintf(g->candidates + off, sizeof g->candidates - off, "%s%s %.2f",
                             j ? ", " : "", dc_enc_name(cand[order[j]]), score[order[j]]);
            if (n < 0)
                break;
            off += (size_t)n;
        }
    }
    g->enc = cand[order[0]];
    g->confidence = score[order[0]] - score[order[1]];
    /* refuse to guess (normalize.md §4.3 step 3): weak best or close second */
    g->decided = total > 0 && score[order[0]] >= 0.5 && g->confidence >= 0.2;
    rc = 0;
out:
    for (j = 0; j < NC; j++)
        dc_enc_conv_free(cv[j]);
    return rc;
}

/* ---- mojibake repair ------------------------------------------------------------------- */

/* Map the word's characters back to the bytes a Windows code page would have shown them
 * as.  C1 controls map to their own byte: decoders leave undefined bytes (0x81, 0x90...)
 * as U+0081, U+0090, as the token_anomalies.csv rows show. */
static int
to_codepage(UConverter *cv, const UChar *w, int32_t wn, char *out, int32_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t i, n = 0;

    for (i = 0; i < wn; i++) {
        if (n + 4 >= cap)
            return -1;
        if (w[i] >= 0x80 && w[i] <= 0x9F) {
            out[n++] = (char)w[i];
            continue;
        }
        ucnv_resetFromUnicode(cv);
        st = U_ZERO_ERROR;
        n += ucnv_fromUChars(cv, out + n, cap - n, &w[i], 1, &st);
        if (U_FAILURE(st) && st != U_STRING_NOT_TERMINATED_WARNING)
            return -1;
    }
    return n;
}

/* Try the repairs on one word (UTF-16).  Returns 1 with the UTF-8 result in res. */
static int
repair_word(const UChar *w, int32_t wn, UConverter **cp, char *res, size_t rcap, const char **rule,
            int *oom)
{
    /* UTF-8 shown through Windows-1252, -1250 or ISO-8859-2 (all seen in
     * token_anomalies.csv), then VNI shown through Windows-1252 */
    static const char *const cpn[3] = {"windows-1252", "windows-1250", "ISO-8859-2"};
    struct dc_error e = DC_ERROR_INIT;
    char bytes[128];
    int32_t bn, i, k;
    int attempt;

    /* eth-for-d: U+00D0 / U+00F0 for Đ / đ */
    for (i = 0; i < wn; i++) {
        if (w[i] == 0xD0 || w[i] == 0xF0)
            break;
    }
    if (i < wn) {
        UChar t[64];
        int32_t on = 0;
        UErrorCode st = U_ZERO_ERROR;

        if (wn > 64)
            return 0;
        for (k = 0; k < wn; k++)
            t[k] = w[k] == 0xD0 ? 0x110 : w[k] == 0xF0 ? 0x111 : w[k];
        if (syllable_u(t, wn)) {
            u_strToUTF8(res, (int32_t)rcap, &on, t, wn, &st);
            if (U_SUCCESS(st) && (size_t)on < rcap) {
                res[on] = '\0';
                *rule = "eth-for-d";
                return 1;
            }
        }
    }
    for (attempt = 0; attempt < 4; attempt++) {
        int ci = attempt == 3 ? 0 : attempt;
        struct dc_enc_conv *dec;
        const char *o;
        size_t on;
        int r;

        if (!cp[ci]) {
            UErrorCode st = U_ZERO_ERROR;

            cp[ci] = ucnv_open(cpn[ci], &st);
            if (U_FAILURE(st)) {
                cp[ci] = NULL;
                *oom = 1;
                return 0;
            }
            ucnv_setFromUCallBack(cp[ci], UCNV_FROM_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
            if (U_FAILURE(st)) {
                *oom = 1;
                return 0;
            }
        }
        bn = to_codepage(cp[ci], w, wn, bytes, (int32_t)sizeof bytes);
        if (bn <= 0)
            continue;
        dec = dc_enc_conv_new(attempt < 3 ? DC_ENC_UTF8 : DC_ENC_VNI, &e);
        if (!dec) {
            *oom = 1;
            return 0;
        }
        r = dc_enc_decode(dec, bytes, (size_t)bn, &o, &on, &e);
        if (r < 0)
            *oom = 1;
        if (r == 0 && on < rcap && dc_enc_is_syllable(o, on)) {
            memcpy(res, o, on + 1);
            dc_enc_conv_free(dec);
            *rule = attempt < 3 ? "utf8-as-cp1252" : "vni-as-cp1252";
            return 1;
        }
        dc_enc_conv_free(dec);
    }
    return 0;
}

static int
word_cp(UChar32 c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

int
dc_enc_repair(const char *in, char **out, const char **rule)
{
    const uint8_t *s = (const uint8_t *)in;
    int32_t n, i = 0;
    struct dc_buf b = DC_BUF_INIT;
    UConverter *cp[3] = {NULL, NULL, NULL};
    int changed = 0, oom = 0, bad = 0;
    size_t flushed = 0;

    *out = NULL;
    *rule = NULL;
    if (!in)
        return 0;
    if (strlen(in) > INT32_MAX / 2)
        return 0;
    n = (int32_t)strlen(in);
    while (i < n) {
        int32_t st = i, e;
        UChar32 c;
        UChar w[64];
        int32_t wn = 0;
        int nonascii = 0, toolong = 0;
        char res[192];
        const char *r = NULL;

        U8_NEXT(s, i, n, c);
        if (c < 0) {
            bad = 1; /* not valid UTF-8: not ours to repair */
            goto done;
        }
        if (!word_cp(c))
            continue;
        e = i;
        for (;;) {
            if (wn + 2 <= 64)
                U16_APPEND_UNSAFE(w, wn, c);
            else
                toolong = 1;
            nonascii |= c >= 0x80;
            e = i;
            if (i >= n)
                break;
            U8_NEXT(s, i, n, c);
            if (c < 0) {
                bad = 1;
                goto done;
            }
            if (!word_cp(c)) {
                i = e;
                break;
            }
        }
        if (!nonascii || toolong || syllable_u(w, wn))
            continue;
        if (repair_word(w, wn, cp, res, sizeof res, &r, &oom)) {
            if (!changed)
                *rule = r;
            dc_buf_add(&b, in + flushed, (size_t)st - flushed);
            dc_buf_add(&b, res, strlen(res));
            if (b.oom) {
                oom = 1;
                goto done;
            }
            flushed = (size_t)e;
            changed = 1;
        }
        if (oom)
            goto done;
    }
    if (changed) {
        dc_buf_add(&b, in + flushed, (size_t)n - flushed);
        oom = b.oom;
    }
done:
    if (cp[0])
        ucnv_close(cp[0]);
    if (cp[1])
        ucnv_close(cp[1]);
    if (cp[2])
        ucnv_close(cp[2]);
    if (oom || !changed || bad) {
        dc_buf_release(&b);
        *rule = NULL;
        return oom ? -1 : 0;
    }
    *out = b.s;
    return 1;
}
