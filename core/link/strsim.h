/*
 * link/strsim.h - string similarity kernels for record linkage: Jaro, Jaro-Winkler,
 * bounded Levenshtein, one-substitution/transposition tests.
 *
 * They work on bytes: callers pass ASCII fold keys ("nguyen van hung", see
 * link/records.c) or digit strings, so a byte is a letter.  Multi-byte UTF-8
 * input is compared byte by byte, which is what the fold-key design intends
 * (research/dedup.md §0 point 5 and §B.8: fuzzy comparison on folded keys,
 * exact comparison on the NFC form).
 *
 * Jaro-Winkler follows Winkler (1990), "String comparator metrics and enhanced
 * decision rules in the Fellegi-Sunter model of record linkage": match window
 * floor(max(len)/2)-1, prefix scale 0.1 over at most 4 characters, applied at
 * any Jaro value (Splink and fastLink do the same; no 0.7 boost threshold).
 *
 * Not for: Unicode-aware similarity, normalisation or folding (vntext and
 * link/records.c fold first).  Strings longer than DC_STRSIM_MAXLEN bytes are
 * compared on their first DC_STRSIM_MAXLEN bytes (names are far shorter).
 */
#ifndef DC_STRSIM_H
#define DC_STRSIM_H

#include <stddef.h>

#define DC_STRSIM_MAXLEN 128

/* Jaro similarity in [0,1]; two empty strings are 1, one empty is 0. */
double dc_strsim_jaro(const char *a, size_t na, const char *b, size_t nb);

/* Jaro-Winkler similarity in [0,1] (prefix scale 0.1, prefix up to 4). */
double dc_strsim_jaro_winkler(const char *a, size_t na, const char *b, size_t nb);

/* Levenshtein distance if it is <= max, else max + 1 (early exit keeps the
 * cost O(len * max) on the typical name pair). */
int dc_strsim_levenshtein_max(const char *a, size_t na, const char *b, size_t nb, int max);

/* 1 if a and b have the same length and differ in exactly one position, or
 * differ only by one swap of adjacent characters; else 0.  Used for the
 * "one digit apart" levels on ID numbers and dates. */
int dc_strsim_one_edit_same_len(const char *a, size_t na, const char *b, size_t nb);

#endif
