/*
 * util/atomic.h - the atomic output file: a 0600 temp file in the target's folder, hashed
 * (SHA-256) as it is written, then fsync, rename and a fsync of the folder; stale temps of
 * killed runs swept.  One home for what export, its manifest and schema, normalize's
 * rejects file and the report write (issue 18).
 *
 * Not for: what is written (export/write.c, report.c, ...).
 */
#ifndef DC_UTIL_ATOMIC_H
#define DC_UTIL_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "../error.h"

/* Atomic file output.  begin creates a temp file beside path (mkstemp, 0600 whatever the
 * umask) and returns it as a stream with a 1 MiB buffer; a path that exists and is not a
 * regular file (/dev/full, a FIFO) is opened directly for writing instead (no rename).
 * The temp file's bytes are SHA-256 hashed as they are written (by a writer thread, so
 * a write error may surface only at close), so the manifest needs no second pass over
 * the file: after close, sha256 and bytes describe them.
 * commit flushes, fsyncs, closes (checked), renames onto path and fsyncs the folder;
 * abort closes and removes the temp file.  The temp file (".NAME.XXXXXX" beside NAME) is
 * flock'd until the rename; begin first removes such files of ours that no live process
 * holds (left by a killed run: they hold personal data).  Create errors DC_EX_CANTCREAT, write and sync
 * errors DC_EX_IOERR. */
struct dc_atomic_sink;
struct dc_atomic_file {
    FILE *fp;
    char *tmp;                   /* temp path (owned), NULL when writing directly */
    const char *path;            /* final path (borrowed) */
    int direct;                  /* 1 = not a regular file: written in place */
    char *buf;                   /* the stream's 1 MiB buffer (owned): glibc ignores setvbuf's size
                           when it allocates the buffer itself */
    struct dc_atomic_sink *sink; /* the temp file under fp, hashing (owned) */
    char sha256[65]; /* after close, not when direct: hex SHA-256 of the bytes written */
    long long bytes; /* after close: how many */
    int lock_fd;     /* flock(2) on the temp file until the rename, -1 when none */
};

int dc_atomic_begin(struct dc_atomic_file *f, const char *path, struct dc_error *err);
/* Flush, fsync and close, but do not rename yet; fills sha256 and bytes. */
int dc_atomic_close(struct dc_atomic_file *f, struct dc_error *err);
/* Rename the closed temp file onto the final path and fsync the folder. */
int dc_atomic_commit(struct dc_atomic_file *f, struct dc_error *err);
void dc_atomic_abort(struct dc_atomic_file *f);

/* Write a whole small file atomically (schema, manifest) with the same rules. */
int dc_atomic_write_small(const char *path, const char *data, size_t len, struct dc_error *err);

#endif
