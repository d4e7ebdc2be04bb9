/*
 * vnid.h - Vietnamese identity numbers and the card's machine-readable data:
 * the 12-digit personal identification number (so dinh danh ca nhan), the old
 * 9-digit CMND, the chip card's ICAO TD1 MRZ and the card's QR payload.
 *
 * Sources (research/idformats.md): ID structure PPP G YY NNNNNN, Decree
 * 137/2015 Art. 13, Circular 07/2016 Annexes 1 and 3, Circular 59/2021 Art. 4
 * (§1.2, §1.3); CMND Decree 05/1999 (§2); MRZ ICAO 9303 Parts 3 and 5 and the
 * empirical Vietnamese TD1 layout (§4.1-§4.5); QR 7-field payload (§5.1, §5.2).
 *
 * Not for: deciding whether a record is consistent (rules.h does that with
 * what these parsers return), nor for printing.  Nothing here reads a clock.
 */
#ifndef DC_VNID_H
#define DC_VNID_H

#include <stddef.h>

#include "error.h"

/* Longest raw value (ID text, MRZ text, QR payload) the parsers accept. */
#define DC_VNID_MAX_INPUT 4096

/* What a raw ID text turned out to be (dc_id_clean). */
enum dc_id_kind {
    DC_ID_UNREADABLE = 0, /* neither number: the caller keeps the raw text */
    DC_ID_ID12 = 1,       /* id12 filled */
    DC_ID_CMND = 2,       /* cmnd filled */
    DC_ID_EXPONENT = 3    /* spreadsheet scientific notation ("7.92031E+11"): digits lost */
};

/* What the record says about the holder, to test a number whose leading
 * zeros a spreadsheet dropped.  Zero fields mean "not known". */
struct dc_id_hint {
    int birth_year; /* the record's birth year */
    char sex;       /* 'M' or 'F' */
    int this_year;  /* the run's year: a birth after it is impossible (0: 2099) */
};

/*
 * The one rule for reading an ID or CMND value as people and spreadsheets
 * deliver it (normalize and `dancu id` both call it):
 *   - a label in front is dropped ("CCCD:", "Số:", "Số CCCD", "CMND", "No."),
 *     so are a leading apostrophe (a spreadsheet's text marker), spaces,
 *     NBSP, dots, dashes and slashes between digits, and a ".0" fraction a
 *     number column added;
 *   - mantissa + exponent ("7.92031E+11", "7,92031E+11") -> DC_ID_EXPONENT:
 *     the digits past the mantissa are gone, nothing is restored;
 *   - 12 digits -> id12;
 *   - 9-11 digits whose zero-padded 12-digit form has a province code of
 *     Circular 07/2016 Annex 1 (all start with 0, idformats §1.3), a birth
 *     year not after hint->this_year, and a century/sex digit and year that
 *     agree with hint's birth year and sex where known -> that id12,
 *     *rule = "id-zeros-restored";
 *   - other 9 digits -> cmnd;
 *   - 8 digits not starting with 0 -> "0" + digits into cmnd,
 *     *rule = "cmnd-zeros-restored" (the CMND prefixes 01-095 of §2.1 start
 *     with 0; none starts with 00);
 *   - anything else -> DC_ID_UNREADABLE.
 * hint may be NULL.  id12 and cmnd must hold 13 bytes (both "" unless filled);
 * rule may be NULL (set to NULL when nothing was restored).
 */
enum dc_id_kind dc_id_clean(const char *raw, const struct dc_id_hint *hint, char *id12, char *cmnd,
                            const char **rule);

struct dc_id12 {
    char province[4];          /* "001" */
    int century;               /* 1900, 2000, ... 2300 from the G digit (Annex 3) */
    char sex;                  /* 'M' (G even) or 'F' (G odd) */
    int yy;                    /* 0..99 */
    char serial[7];            /* the random range, nothing to check */
    int province_known;        /* PPP is one of the 63 codes of §1.3 */
    const char *province_name; /* "Hà Nội" (UTF-8), NULL when unknown */
};

/* Parse a 12-digit ID.  Returns 0 when it is a well-formed ID with a known
 * province; otherwise -1 with *problem one of "ID_BAD_LENGTH", "ID_NOT_DIGITS"
 * (out untouched beyond zeroing), or "ID_PROVINCE_UNKNOWN" (out fully filled:
 * a finding about a readable number).  Every century digit decodes by the
 * table of Circular 07/2016 Annex 3 (4/5 = 2100s ... 8/9 = 2300s); whether
 * that year is possible needs a clock, which the caller has (rules.c:
 * ID_BIRTH_YEAR_FUTURE).  problem may be NULL. */
int dc_id12_parse(const char *s, struct dc_id12 *out, const char **problem);

/* The province of a birth-registration code "001".."096" (Circular 07/2016
 * Annex 1, pre-2025 units, valid forever per §1.5), or NULL. */
const char *dc_id_province_name(const char *ppp);

/* ICAO 9303 Part 3 §4.9 check digit over s[0..n): 0-9 -> 0-9, A-Z -> 10-35,
 * '<' -> 0, weights 7 3 1.  Returns 0..9, or -1 for any other character. */
int dc_mrz_check_digit(const char *s, size_t n);

struct dc_mrz {
    char doc_code[3];    /* "ID", "I<" */
    char issuer[4];      /* "VNM" */
    char doc_number[24]; /* '<' fillers removed; a long number (ICAO 9303 Part 5
                             note j: '<' at position 15, the rest in optional 1,
                             then its check digit) in full */
    char optional1[16];  /* as printed, fillers kept */
    char id12[13];       /* VN layout: the 12-digit ID of optional 1, else "" */
    char birth[7];       /* YYMMDD as printed */
    char sex;            /* 'M', 'F', '<' (or what was printed) */
    char expiry[7];      /* YYMMDD; on VN cards "991231" means no expiry */
    char nationality[4];
    char optional2[12];
    char name[31];        /* line 3 without trailing '<' */
    char family[40];      /* primary identifier, '<' -> ' ' */
    char given[40];       /* secondary identifier, '<' -> ' ' */
    int is_vn;            /* issuer VNM: the §4.4 layout applies */
    int checks_ok;        /* every ICAO check digit right */
    int padded;           /* lines (bit 0 = line 1) whose trailing filler was
                             restored to 30 characters (MRZ_PADDING_REPAIRED) */
    char problems[64];    /* ';'-joined bad ICAO checks: doc_number birth expiry composite */
    char vn_problems[64]; /* ';'-joined §4.4 breaks: id12_format id12_tail id12_check */
};

/* Parse a TD1 MRZ: 3 lines of 30 separated by newlines (CR LF too), spaces,
 * tabs or '|', or the 90 characters in one piece.  Characters must be
 * [A-Z0-9<].  A line of 28-32 characters whose only difference from 30 is
 * trailing filler (the surplus is all '<', or '<' are missing at the end) is
 * read as its 30-character form when every check digit then holds (line 3
 * has none; fillers carry no data): out->padded says which lines.  Returns 0
 * when the layout was read (check digit results are in out->checks_ok /
 * problems / vn_problems), -1 with DC_EX_DATAERR when it is not a TD1 MRZ. */
int dc_mrz_parse(const char *text, struct dc_mrz *out, struct dc_error *err);

/* Fold a Vietnamese name to MRZ form (§4.5): marks dropped, Đ/đ/Ð -> D, upper
 * case, family name then "<<", other words joined by '<' ("Nguyễn Văn Đức" ->
 * "NGUYEN<<VAN<DUC").  Not truncated to 30.  With sep == ' ' the words are
 * joined by single spaces instead ("NGUYEN VAN DUC").  Returns 0, or -1 with
 * DC_EX_DATAERR (not UTF-8, too long for out) or DC_EX_SOFTWARE (ICU). */
int dc_mrz_fold_name(const char *name, char sep, char *out, size_t outsz, struct dc_error *err);

/* Compare a name from the record with an MRZ name field: equal, or one a
 * prefix of the other (truncation), or the same set of words (multi-word
 * family names split differently, §4.5).  Returns 1 when they agree, 0 when
 * not, -1 on error (as dc_mrz_fold_name). */
int dc_mrz_name_agrees(const char *record_name, const char *mrz_name, struct dc_error *err);

/* Compare two UTF-8 texts after NFC and case folding, blanks at both ends
 * ignored (QR names, §5.1).  Returns 1 equal, 0 different, -1 on error. */
int dc_vn_text_equal(const char *a, const char *b, struct dc_error *err);

#define DC_QR_MIN_FIELDS 7
#define DC_QR_MAX_FIELDS 32

struct dc_qr {
    char id12[13];  /* field 1 when it is 12 digits, else "" */
    char cmnd[13];  /* field 2 when it is 9 digits, else "" */
    char *name;     /* field 3, trimmed (points into fields) */
    char dob[11];   /* field 4 DDMMYYYY as ISO, "" when not a real date */
    char sex;       /* field 5: 'M' for Nam, 'F' for Nữ, 0 otherwise */
    char *address;  /* field 6 (nơi thường trú / nơi cư trú) */
    char issue[11]; /* field 7 as ISO, "" when not a real date */
    int nfields;
    char **fields; /* every field, trimmed; owned, freed by dc_qr_release */
    char **extra;  /* fields + 7: the 2024 card's opaque extras (§5.2) */
    int nextra;
    char problems[64]; /* ';'-joined fields that break §5.1: id12 cmnd dob sex issue */
    void *mem_;        /* private */
};

/* Parse a card QR payload: '|'-separated UTF-8 fields, at least 7 (§5.1),
 * at most DC_QR_MAX_FIELDS; trailing CR/LF and blanks around fields are
 * dropped.  Returns 0 (field problems listed in out->problems), or -1 with
 * DC_EX_DATAERR when it is not a card payload (too few fields, not UTF-8, too
 * long) or DC_EX_OSERR.  On success call dc_qr_release(out). */
int dc_qr_parse(const char *payload, struct dc_qr *out, struct dc_error *err);

/* Free what dc_qr_parse allocated; accepts NULL and a zeroed struct. */
void dc_qr_release(struct dc_qr *q);

#endif
