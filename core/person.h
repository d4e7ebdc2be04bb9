/*
 * person.h - one normalized population record, as stages after normalize see it.
 *
 * normalize fills it (and writes it to the person table), dedup and
 * crosscheck read it, export prints it.  All strings are UTF-8 NFC, borrowed:
 * whoever fills the struct owns them (an arena or the current SQLite row) and
 * they live as long as that owner.  NULL or "" both mean "not known".
 *
 * Codes keep their leading zeros ("001", "00004").  Dates are ISO text with a
 * precision: "1990-03-05" (day), "1990-03" (month), "1990" (year); a date
 * that could not be read or is impossible keeps its raw text in *_raw and
 * precision DC_DATE_INVALID (never repaired, never guessed to a day).
 *
 * Not for: raw imported values (see fields.h and the src_row table).
 */
#ifndef DC_PERSON_H
#define DC_PERSON_H

#include <stdint.h>

enum dc_date_precision {
    DC_DATE_NONE = 0,   /* no value given */
    DC_DATE_YEAR = 1,   /* "1945", "00/00/1945" */
    DC_DATE_MONTH = 2,  /* "03/1990" */
    DC_DATE_DAY = 3,    /* full date */
    DC_DATE_INVALID = 4 /* given but unreadable or impossible (30/02): raw kept */
};

struct dc_person {
    int64_t record_id;    /* person.record_id = src_row.id */
    const char *source;   /* --source name, default file base name */
    const char *src_file; /* path as given to import */
    int64_t src_row;      /* 1-based data record number, header excluded */
    int64_t src_line;     /* physical line where the record starts */

    const char *full_name;   /* "Nguyễn Thị Hòa" (title case, tone policy applied) */
    const char *family_name; /* "Nguyễn" */
    const char *middle_name; /* "Thị" ("" when none) */
    const char *given_name;  /* "Hòa" */
    const char *name_key;    /* folded: "nguyen thi hoa" (no marks, đ->d, lower) */
    const char *name_note;   /* what the register wrote after the name ("con",
                                 "đã chết"; namenote.h), as typed, or NULL */

    const char *dob; /* ISO text at its precision, NULL if none/invalid */
    enum dc_date_precision dob_precision;
    const char *dob_raw; /* raw text when precision is DC_DATE_INVALID */

    char sex;            /* 'M', 'F' or 0 (unknown) */
    const char *sex_raw; /* raw text when it could not be read */

    const char *id12;   /* 12-digit personal identification number */
    const char *cmnd;   /* old 9-digit (or 12-digit 2012-2015) CMND */
    const char *id_raw; /* raw ID text when it is neither */

    const char *issue_date;  /* ISO day precision, or NULL */
    const char *expiry_date; /* ISO day precision, or NULL ("" = no expiry) */
    const char *ethnic;      /* catalogue name ("Kinh") */
    const char *ethnic_code; /* 2008 list code ("01") */
    const char *religion;

    const char *address_raw;    /* the address text as imported */
    const char *address_detail; /* house number, street, hamlet */
    const char *province_code;  /* pre-2025 GSO codes */
    const char *district_code;
    const char *ward_code;
    const char *new_province_code; /* 2025 codes */
    const char *new_ward_code;
    double addr_confidence;  /* 0..1 */
    const char *addr_reason; /* "" or NULL on a full match, else why a code is empty
                                      (the reason codes of address.h: "ward-split", ...) */
    const char *addr_era;    /* "pre2025", "2025", "both" (address.h era_name), or NULL */

    const char *mrz; /* as imported, lines joined with '\n' */
    const char *qr;  /* as imported */

    int64_t cluster_id; /* 0 until dedup ran */
};

#endif
