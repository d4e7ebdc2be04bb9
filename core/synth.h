/*
 * synth.h - the synthetic population generator behind `dancu synth`.
 *
 * Writes several dirty source files of ONE synthetic population (a commune
 * household register, the ID-card register, a legacy-encoded spreadsheet)
 * plus truth files that say which person every row is and which problem was
 * planted in it.  It is what users run to try dancu without personal data and
 * what the tests and benchmarks read.  Same options and seed give the same
 * bytes: the generator has its own PRNG and never reads the clock or locale.
 *
 * Design after FEBRL's dsgen and its Vietnamese analogue (research/dedup.md
 * §C.3, §C.4); formats after research/records.md §5 and idformats.md §1-§5.
 * The output layout and every problem code are documented at the top of
 * synth/synth_int.h.
 *
 * Not for: reading or checking data (crosscheck/vnid do that), nor for any
 * use with real personal data.
 */
#ifndef DC_SYNTH_H
#define DC_SYNTH_H

#include "error.h"

/* Tool version written to meta.json: bump it when the output for a given
 * seed changes, so benchmark results name the generator that made them. */
#define DC_SYNTH_VERSION "synth-1"

/* Upper bound of --persons: ID suffixes are a bijection of the person index
 * modulo 10^6, so beyond that IDs may (rarely) repeat; 10^7 keeps output
 * around a few GB at most. */
#define DC_SYNTH_MAX_PERSONS 10000000ULL

/* The fixed "extract date" of the synthetic data set (no clock is read):
 * ages, card issue dates and DOB_IN_FUTURE are relative to it. */
#define DC_SYNTH_REF_DATE "2026-07-01"

struct dc_synth_opts {
    unsigned long long persons; /* 1 .. DC_SYNTH_MAX_PERSONS */
    unsigned long long seed;
    const char *out_dir;     /* created (0700) if missing */
    const char *refdata_dir; /* shared/refdata; NULL = built-in ~40 wards */
    const char *names_dir;   /* shared/names; NULL = built-in name lists */
    int print_layout;        /* household.csv laid out for printing: the motto and a
                                   title above the header, a total and signature lines
                                   below the people (import skips and counts them) */
};

struct dc_synth_stats {
    unsigned long long persons;
    unsigned long long households;
    unsigned long long household_rows; /* data records in household.csv */
    unsigned long long idcards_rows;   /* data records in idcards.csv */
    unsigned long long legacy_rows;    /* data records in legacy.csv */
    unsigned long long problems;       /* rows of truth_problems.csv */
    const char *legacy_encoding;       /* "tcvn3" or "cp1258" (static string) */
};

/* Generate o->persons persons into o->out_dir (files mode 0600).  st may be
 * NULL.  Errors: DC_EX_USAGE for bad options, DC_EX_NOINPUT / DC_EX_DATAERR
 * for unreadable or malformed refdata/names tables, DC_EX_CANTCREAT when the
 * output cannot be created, DC_EX_IOERR on a failed write, DC_EX_OSERR when
 * out of memory. */
int dc_synth_run(const struct dc_synth_opts *o, struct dc_synth_stats *st, struct dc_error *err);

#endif
