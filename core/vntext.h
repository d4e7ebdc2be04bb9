/*
 * vntext.h - Vietnamese text: NFC, tone-mark placement, person-name casing and
 * splitting, ASCII-ish fold keys, and the sex field.
 *
 * All Unicode work (normalization, case mapping, character properties) is
 * ICU's; the only rules written here are Vietnamese language rules: where the
 * tone mark sits in a syllable (research/normalize.md §3.2), title case after
 * an apostrophe in Central Highlands names (normalize.md §3.3,
 * shared/names/README.md), Ð -> Đ (normalize.md §3.3), the surname lists
 * (shared/names/surnames.csv, surnames_published.csv) and the sex codes
 * (records.md §2.4, §3: DC01 "Nam"/"Nữ", QCVN 109:2017 0/1/2).
 *
 * Not for: addresses beyond the fold key (see address), legacy encodings
 * (see encoding), catalogue names (they keep the catalogue's own spelling).
 */
#ifndef DC_VNTEXT_H
#define DC_VNTEXT_H

#include <stddef.h>

#include "error.h"

/* Where the tone mark goes in open "oa", "oe", "uy" (the only difference
 * between the styles, normalize.md §3.2). */
enum dc_tone_style {
    DC_TONE_OLD = 0, /* traditional "hòa", "khỏe", "thủy" (default) */
    DC_TONE_NEW = 1  /* "hoà", "khoẻ", "thuỷ" */
};

/* Limits on input sizes: longer input is an error (names) or refused (-1). */
#define DC_NAME_MAX 512     /* bytes of one raw name */
#define DC_TEXT_MAX 1048576 /* bytes of any text given to dc_text_nfc / dc_text_fold */
#define DC_SYLLABLE_MAX 64  /* bytes of one syllable given to dc_text_tone */

/* What dc_name_normalize changed (dc_name.rules). */
#define DC_NAME_NFC 0x01u           /* input was not NFC */
#define DC_NAME_SPACE 0x02u         /* leading/trailing/repeated/non-ASCII white space */
#define DC_NAME_PUNCT 0x04u         /* punctuation or digits removed, ’ -> ' */
#define DC_NAME_CASE 0x08u          /* letter case changed */
#define DC_NAME_TONE 0x10u          /* a tone mark moved */
#define DC_NAME_ETH 0x20u           /* Ð/ð (U+00D0/U+00F0) -> Đ/đ */
#define DC_NAME_NO_DIACRITICS 0x40u /* flag, not a change: typed without any mark */
#define DC_NAME_EMPTY 0x80u         /* nothing left (or nothing given) */

/* Name normalization result; strings allocated, freed by dc_name_release. */
struct dc_name {
    char *full;     /* "Nguyễn Thị Hòa": NFC, single spaces, title case, tone style */
    char *family;   /* "Nguyễn"; compound surnames "Tôn Thất", "Âu Dương" */
    char *middle;   /* "Thị" or "" */
    char *given;    /* "Hòa" */
    char *key;      /* "nguyen thi hoa": see dc_text_fold */
    unsigned rules; /* DC_NAME_* bits */
};

/* "case,tone" (rule names in bit order, comma separated) into buf; returns buf.
 * Names: nfc space punct case tone eth no_diacritics empty. */
const char *dc_name_rule_names(unsigned rules, char *buf, size_t size);

/* Normalize a person's full name.  NULL or blank gives "" everywhere and
 * DC_NAME_EMPTY.  Words are runs of letters, with "'" and "-" kept only
 * inside them ("K'" keeps its final apostrophe); digits and other punctuation
 * are dropped and end the word ("Trần.Thị.B" -> "Trần Thị B"); white space of
 * any kind becomes one space.  Each word is title-cased per syllable (after "-" and "'":
 * "Y-Moan", "H'Hen"); each syllable gets the tone placement of dc_text_tone.
 * Words typed without marks are kept as typed, never given marks.  Split: the
 * family name is the first word, or the first two/four words when they form a
 * known compound surname and at least one word follows; the given name is the
 * last word; the middle is what is between.  A one-word name is a given name.
 * Errors (status DC_EX_DATAERR): longer than DC_NAME_MAX, invalid UTF-8;
 * DC_EX_OSERR: out of memory.  On error *out holds only NULLs.
 * Call dc_name_release(out) after success or failure. */
int dc_name_normalize(const char *raw, enum dc_tone_style style, struct dc_name *out,
                      struct dc_error *err);

/* Free the strings of n (not n itself); accepts NULL and a zeroed struct. */
void dc_name_release(struct dc_name *n);

/* Rank (1 = most common) of a simple or compound surname in the built-in list,
 * 0 if not listed.  Compared on fold keys, so "NGUYEN" and "Nguyễn" match. */
int dc_name_surname_rank(const char *family);

/* Fold key of any text (names, addresses): NFD, nonspacing marks dropped
 * (so tone placement does not matter), đ/Đ/ð/Ð -> d, lower case, apostrophes
 * dropped ("K'Huy" -> "khuy"), every other run of non letters/digits -> one
 * space, no leading/trailing space.  Letters of other scripts are kept.
 * Returns 0, or -1 (out = "") when in is NULL, longer than DC_TEXT_MAX, not
 * UTF-8, or the key does not fit in size bytes. */
int dc_text_fold(const char *in, char *out, size_t size);

/* *out = NFC copy of in (allocated, caller frees).  Errors: invalid UTF-8 or
 * longer than DC_TEXT_MAX (DC_EX_DATAERR), out of memory (DC_EX_OSERR). */
int dc_text_nfc(const char *in, char **out, struct dc_error *err);

/* Put the tone mark of one syllable where style wants it ("hoà" -> "hòa",
 * "qúy" -> "quý", "Qùynh" -> "Quỳnh", "ngừơi" -> "người").  Only the mark moves,
 * never a letter.  A syllable with no or two tone marks, or that is not a
 * Vietnamese syllable (onset + 1-3 vowels + c/ch/m/n/ng/nh/p/t), is copied
 * unchanged.  Input NFC or NFD, output NFC.  Returns 1 if the mark moved, 0 if
 * copied unchanged, -1 (out = "" when size > 0) on invalid UTF-8, input longer
 * than DC_SYLLABLE_MAX or output too small. */
int dc_text_tone(const char *word, enum dc_tone_style style, char *out, size_t size);

/* 1 if s has any Vietnamese diacritic (a combining mark after NFD, or đ/Đ),
 * 0 otherwise, also for NULL, invalid UTF-8 or text longer than DC_TEXT_MAX. */
int dc_text_has_diacritics(const char *s);

/* Sex: 'M', 'F' or 0.  Recognised (folded, any case, with or without marks,
 * surrounding space ignored): "Nam", "Nam giới", "M", "Male", "1" -> 'M';
 * "Nữ", "Nu", "Nữ giới", "F", "Female", "2" -> 'F'; "0" (QCVN 109:2017
 * "chưa có thông tin") and blank -> 0 with *recognised = 1.  Anything else
 * ("Khác", "x") -> 0 with *recognised = 0.  recognised may be NULL. */
char dc_sex_parse(const char *raw, int *recognised);

#endif
