/*
 * io/bytes.c - a file's stored bytes as a stream for a reader above it (see io/bytes.h):
 * read(2) from the file or stdin, the SHA-256 and count of the bytes as stored, zlib inflate
 * when the file starts with the gzip magic, and the input limits.
 *
 * Not for: text (encodings, UTF-16: csvio.c and encoding.c), CSV structure (csvio.c).
 *
 * gzip rules (reliability.md §3.2): magic bytes not names; concatenated members are read;
 * a truncated member, a bad CRC or trailing bytes that are not another member fail the file;
 * decompressed bytes over max_bytes, or over 1000 times the compressed bytes once past
 * 1 MiB, fail it as a "gzip bomb".
 */
#include "bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/hex.h"

#define BOMB_RATIO 1000ull
#define BOMB_MIN (1ull << 20)

/* ---- stored bytes ---------------------------------------------------------------------- */

static long
read_file(struct dc_bytes *r, unsigned char *dst, size_t cap, struct dc_error *err)
{
    ssize_t n;

    do
        n = read(r->fd, dst, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return dc_error_at(err, DC_EX_IOERR, r->path, 0, NULL, "read error: %s", strerror(errno));
    if (n > 0 && EVP_DigestUpdate(r->md, dst, (size_t)n) != 1)
        return dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 update failed");
    r->raw_total += (unsigned long long)n;
    return (long)n;
}

static int
finish_hash(struct dc_bytes *r, struct dc_error *err)
{
    if (r->sha[0])
        return 0;
    if (dc_sha256_final_hex(r->md, r->sha) < 0)
        return dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 final failed");
    return 0;
}

static int
zin_fill(struct dc_bytes *r, struct dc_error *err)
{
    long n;

    if (r->zin_pos > 0) {
        memmove(r->zin, r->zin + r->zin_pos, r->zin_len - r->zin_pos);
        r->zin_len -= r->zin_pos;
        r->zin_pos = 0;
    }
    n = read_file(r, r->zin + r->zin_len, DC_BYTES_CAP - r->zin_len, err);
    if (n > 0)
        r->zin_len += (size_t)n;
    return (int)(n < 0 ? -1 : n > 0);
}

static int
count_out(struct dc_bytes *r, size_t n, struct dc_error *err)
{
    r->out_total += n;
    if (r->out_total > r->max_bytes)
        return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                           "input over %llu bytes%s; raise the limit if this is expected",
                           r->max_bytes, r->gz ? " decompressed (gzip bomb?)" : "");
    if (r->gz && r->out_total > BOMB_MIN && r->out_total / BOMB_RATIO > r->raw_total)
        return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                           "gzip bomb: over %llu times more bytes out than in", BOMB_RATIO);
    return 0;
}

/* Decompressed (or plain) bytes: >0 bytes, 0 end of input, -1 error. */
long
dc_bytes_read(struct dc_bytes *r, unsigned char *dst, size_t cap, struct dc_error *err)
{
    int f;

    if (r->src_eof)
        return 0;
    if (!r->gz) {
        size_t m;

        if (r->zin_pos == r->zin_len) {
            /* plain input goes straight to the caller's buffer: no copy through zin */
            long n = read_file(r, dst, cap, err);

            if (n < 0)
                return -1;
            if (n == 0) {
                r->src_eof = 1;
                return finish_hash(r, err) < 0 ? -1 : 0;
            }
            return count_out(r, (size_t)n, err) < 0 ? -1 : n;
        }
        m = r->zin_len - r->zin_pos;
        if (m > cap)
            m = cap;
        memcpy(dst, r->zin + r->zin_pos, m);
        r->zin_pos += m;
        return count_out(r, m, err) < 0 ? -1 : (long)m;
    }
    for (;;) {
        size_t produced;
        int ret;

        if (r->member_done) {
            while (r->zin_len - r->zin_pos < 2) {
                f = zin_fill(r, err);
                if (f < 0)
                    return -1;
                if (f == 0)
                    break;
            }
            if (r->zin_len == r->zin_pos) {
                r->src_eof = 1;
                return finish_hash(r, err) < 0 ? -1 : 0;
            }
            if (r->zin_len - r->zin_pos < 2 || r->zin[r->zin_pos] != 0x1f ||
                r->zin[r->zin_pos + 1] != 0x8b)
                return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                                   "trailing bytes after the gzip data");
            if (inflateReset(&r->zs) != Z_OK)
                return dc_error_set(err, DC_EX_SOFTWARE, "zlib reset failed");
            r->member_done = 0;
        }
        if (r->zin_pos == r->zin_len) {
            f = zin_fill(r, err);
            if (f < 0)
                return -1;
            if (f == 0)
                return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                                   "truncated gzip data (the file ends inside a member)");
        }
        r->zs.next_in = r->zin + r->zin_pos;
        r->zs.avail_in = (uInt)(r->zin_len - r->zin_pos);
        r->zs.next_out = dst;
        r->zs.avail_out = (uInt)cap;
        ret = inflate(&r->zs, Z_NO_FLUSH);
        r->zin_pos = (size_t)(r->zs.next_in - r->zin);
        produced = cap - r->zs.avail_out;
        if (ret == Z_STREAM_END)
            r->member_done = 1;
        else if (ret == Z_MEM_ERROR)
            return dc_error_set(err, DC_EX_OSERR, "out of memory (zlib)");
        else if (ret == Z_BUF_ERROR && r->zin_pos < r->zin_len)
            return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL, "corrupt gzip data");
        else if (ret != Z_OK && ret != Z_BUF_ERROR)
            return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL, "corrupt gzip data (%s)",
                               r->zs.msg ? r->zs.msg : "zlib error");
        if (count_out(r, produced, err) < 0)
            return -1;
        if (produced > 0)
            return (long)produced;
    }
}

/* ---- open / close ----------------------------------------------------------------------- */

int
dc_bytes_open(struct dc_bytes *r, const char *path, unsigned long long max_bytes,
              struct dc_error *err)
{
    struct stat sb;
    int rc;

    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->path = path;
    r->max_bytes = max_bytes;
    if (strcmp(path, "-") == 0) {
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0)
            return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL, "cannot open: %s",
                               strerror(errno));
        r->own_fd = 1;
        if (fstat(r->fd, &sb) == 0 && S_ISDIR(sb.st_mode))
            return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL, "is a directory");
    }
    r->zin = malloc(DC_BYTES_CAP);
    r->md = EVP_MD_CTX_new();
    if (!r->zin || !r->md)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    if (EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1)
        return dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 init failed");
    while (r->zin_len < 2) { /* the gzip magic needs two bytes */
        rc = zin_fill(r, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    if (r->zin_len >= 2 && r->zin[0] == 0x1f && r->zin[1] == 0x8b) {
        r->gz = 1;
        if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
            return dc_error_set(err, DC_EX_OSERR, "zlib init failed");
        r->zinit = 1;
    }
    return 0;
}

void
dc_bytes_close(struct dc_bytes *r)
{
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    r->own_fd = 0;
    if (r->zinit)
        inflateEnd(&r->zs);
    r->zinit = 0;
    EVP_MD_CTX_free(r->md);
    r->md = NULL;
    free(r->zin);
    r->zin = NULL;
}
