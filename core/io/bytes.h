/*
 * io/bytes.h - a file's stored bytes read as a stream: plain or gzip (by its magic bytes,
 * concatenated members too), "-" for stdin, with the SHA-256 and the count of the bytes as
 * stored, and the input limits (max_bytes out; a gzip ratio over 1000:1 past 1 MiB is a
 * "gzip bomb", reliability.md §3.2).
 *
 * For: the CSV reader (csvio.c), which decodes and splits what dc_bytes_read hands it.
 * Not for: text or encodings (csvio.c, encoding.c); the workbook readers, which read their
 * file whole (workbook.c's file_sha256, xlsx_pkg.c's own zip-bomb counter).
 */
#ifndef DC_IO_BYTES_H
#define DC_IO_BYTES_H

#include <stddef.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "../error.h"

#define DC_BYTES_CAP (64u << 10) /* file read size */

/* Embedded in its reader (no allocation of its own).  The reader may read raw_total (bytes
 * as stored), out_total (bytes handed out), gz (1 if gzip) and sha (the SHA-256 of the
 * stored bytes as hex, "" until dc_bytes_read has returned 0). */
struct dc_bytes {
    const char *path; /* the caller's, borrowed for error messages */
    int fd, own_fd;
    unsigned char *zin;
    size_t zin_len, zin_pos;
    int gz, zinit, member_done, src_eof;
    z_stream zs;
    unsigned long long raw_total, out_total, max_bytes;
    EVP_MD_CTX *md;
    char sha[65];
};

/* Open path ("-" = stdin) and read its first bytes to tell gzip.  Errors: cannot open or a
 * directory DC_EX_NOINPUT, a read error DC_EX_IOERR, out of memory DC_EX_OSERR.  Call
 * dc_bytes_close after a failure too. */
int dc_bytes_open(struct dc_bytes *b, const char *path, unsigned long long max_bytes,
                  struct dc_error *err);
/* Decompressed (or plain) bytes into dst: >0 bytes, 0 end of input (the SHA-256 is then
 * final), -1 error: truncated/corrupt gzip or trailing bytes after it DC_EX_DATAERR, read
 * error DC_EX_IOERR, over max_bytes or the bomb ratio DC_EX_DATAERR. */
long dc_bytes_read(struct dc_bytes *b, unsigned char *dst, size_t cap, struct dc_error *err);
/* Close the file (not stdin) and free; safe on a zeroed or half-opened struct. */
void dc_bytes_close(struct dc_bytes *b);

#endif
