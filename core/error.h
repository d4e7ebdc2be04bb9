/*
 * error.h - errors as values for libdancu.
 *
 * Every core function that can fail returns int (0 ok, -1 error) and takes a
 * struct dc_error * as its last argument, owned by the caller.  The first
 * error wins: dc_error_set() does nothing once a status is set, so a chain of
 * calls keeps the root cause (curl's failf, ICU's UErrorCode convention).
 *
 * The status is the process exit status the command will use (sysexits.h
 * values, see DESIGN.md "Exit status").  Messages are lower case, have no
 * final period and never carry personal data (names, IDs, addresses): they
 * name the file, the line and the column instead.
 *
 * Not for: bad rows.  A malformed row is not an error of the run; it becomes
 * a reject or a finding row.
 */
#ifndef DC_ERROR_H
#define DC_ERROR_H

#include <stdarg.h>

enum dc_status {
    DC_OK = 0,
    DC_FINDINGS = 1,      /* done, but findings/rejects at or above --fail-on */
    DC_EX_USAGE = 64,     /* bad command line */
    DC_EX_DATAERR = 65,   /* input data unreadable as a whole */
    DC_EX_NOINPUT = 66,   /* input file missing or unreadable */
    DC_EX_SOFTWARE = 70,  /* internal error (a bug) */
    DC_EX_OSERR = 71,     /* out of memory, fork failed */
    DC_EX_CANTCREAT = 73, /* cannot create output */
    DC_EX_IOERR = 74,     /* I/O error, including a full disk on write */
    DC_EX_TEMPFAIL = 75,  /* another run holds the lock: try again later */
    DC_EX_NOPERM = 77     /* permission denied (a reader without the access SQLite needs) */
};

struct dc_error {
    enum dc_status status; /* DC_OK until an error; then the exit status */
    const char *path;      /* borrowed input path, outlives the error; NULL if none */
    long line;             /* physical input line (1-based), 0 if none */
    char field[48];        /* column / field name, "" if none */
    char msg[256];         /* lower case, no final period, no personal data */
};

#define DC_ERROR_INIT                                                                              \
    {                                                                                              \
        DC_OK, 0, 0, {0},                                                                          \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/* Set status and message unless an error is already set.  Always returns -1
 * so that `return dc_error_set(err, ...)` reads like git's `return error()`.
 * err may be NULL (the error is then dropped). */
int dc_error_set(struct dc_error *err, enum dc_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* As dc_error_set, with the input position: path (borrowed), line (0 = none)
 * and field (NULL = none) are kept so the command can print FILE:LINE. */
int dc_error_at(struct dc_error *err, enum dc_status st, const char *path, long line,
                const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Forget any error (for callers that handled it). */
void dc_error_clear(struct dc_error *err);

/* Format "path:line: field 'f': msg" (parts present only when set) into buf. */
void dc_error_format(const struct dc_error *err, char *buf, unsigned long size);

#endif
