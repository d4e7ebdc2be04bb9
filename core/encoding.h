/*
 * encoding.h - legacy Vietnamese encodings: decode to UTF-8 NFC, detect, repair mojibake.
 *
 * For: turning the bytes of one CSV field (or a sample of a whole file) written in UTF-8,
 * UTF-16, Windows-1258, TCVN3 (ABC), VNI-Windows or VISCII into UTF-8 NFC; deciding which
 * of those a file is in, with a confidence; and repairing text that is already UTF-8 but
 * went through a wrong decoder once (mojibake).
 *
 * Not for: CSV structure (csvio), tone-mark placement, case and spacing (vntext).
 *
 * Sources: research/normalize.md §4 (who supports what, fingerprints, detection proposal);
 * the byte layouts are cited in encoding.c next to each table.
 */
#ifndef DC_ENCODING_H
#define DC_ENCODING_H

#include <stddef.h>

#include "error.h"

enum dc_enc {
    DC_ENC_UTF8,
    DC_ENC_UTF16LE,
    DC_ENC_UTF16BE,
    DC_ENC_CP1258,
    DC_ENC_TCVN3,
    DC_ENC_VNI,
    DC_ENC_VISCII,
    DC_ENC_COUNT
};

/* "utf-8" (also "utf8"), "utf-16le", "utf-16be", "cp1258" ("windows-1258"), "tcvn3" ("abc"),
 * "vni" ("vni-windows"), "viscii"; case-insensitive.  Returns 0, or -1 for an unknown name
 * ("utf-16" without an order is the caller's business: it needs a BOM). */
int dc_enc_from_name(const char *name, enum dc_enc *enc);
const char *dc_enc_name(enum dc_enc enc);

/* A decoder for one encoding; holds the ICU / iconv state and the output buffer. */
struct dc_enc_conv;
struct dc_enc_conv *dc_enc_conv_new(enum dc_enc enc, struct dc_error *err);
void dc_enc_conv_free(struct dc_enc_conv *c);

/* Decode len bytes into UTF-8 NFC, NUL-terminated, in c's buffer (valid until the next call
 * on c).  Returns 0 and sets *out / *outlen; 1 when the bytes are not valid in the encoding
 * (nothing is guessed); -1 on an internal error (out of memory, ICU failure: err is set). */
int dc_enc_decode(struct dc_enc_conv *c, const char *in, size_t len, const char **out,
                  size_t *outlen, struct dc_error *err);

/* The result of dc_enc_detect. */
struct dc_enc_guess {
    enum dc_enc enc;   /* the choice (meaningful when decided) */
    int decided;       /* 1 = confident enough to go on; 0 = the caller must ask for --encoding */
    double confidence; /* 0..1; for legacy encodings: best share of valid syllables minus the
                           second best */
    size_t bom_len;    /* bytes of byte-order mark at the start of the sample (to skip) */
    char candidates[160]; /* "vni 0.91, tcvn3 0.12, ..." for messages; no data */
};

/* Decide the encoding of a file from the first len bytes (at_eof: the sample is the whole
 * file, so a UTF-8 sequence cut at the end is an error, not a truncation).  BOMs first, then
 * strict UTF-8, then the legacy candidates scored by the share of words with non-ASCII bytes
 * that decode to a valid Vietnamese syllable.  Returns 0 (see g->decided) or -1 on an
 * internal error. */
int dc_enc_detect(const char *buf, size_t len, int at_eof, struct dc_enc_guess *g,
                  struct dc_error *err);

/* 1 if the UTF-8 word (any case, NFC or NFD) spells one well-formed Vietnamese syllable:
 * onset + vowel nucleus + coda, at most one tone mark, stops (-c -ch -p -t) only with the
 * acute or dot-below tone.  0 otherwise (also for words with non-Vietnamese letters). */
int dc_enc_is_syllable(const char *word, size_t len);

/* Repair mojibake in a UTF-8 string, word by word.  A word is touched only when it is not
 * a valid Vietnamese syllable as it stands and becomes one after the repair:
 *   "utf8-as-cp1252": UTF-8 bytes shown as Windows-1252 or -1250 ("Nguyá»…n" -> "Nguyễn")
 *   "vni-as-cp1252":  VNI-Windows bytes shown as Windows-1252 ("Döông" -> "Dương")
 *   "eth-for-d":      U+00D0 / U+00F0 typed for Đ / đ ("Ðức" -> "Đức")
 * Returns 1 with *out a new malloc'd string (the caller frees it) and *rule the name of the
 * first repair applied (static); 0 when nothing needs repair (*out = NULL); -1 when out of
 * memory. */
int dc_enc_repair(const char *in, char **out, const char **rule);

#endif
