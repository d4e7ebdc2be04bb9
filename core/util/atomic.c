/*
 * util/atomic.c - the atomic output file of export, manifest, rejects and report: a 0600
 * temp file in the target's folder, locked while written, hashed (SHA-256) as the bytes go
 * out on a writer thread, then fsync, rename and a fsync of the folder; stale temps of
 * killed runs swept.  Not for: what is written (export/write.c and the other callers).
 */
#include "atomic.h"
#include "hex.h"
#include "relay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STDIO_BUF (1024 * 1024)

/* ---- atomic files ---- */

static int
fsync_dir_of(const char *path, struct dc_error *err)
{
    char *copy = strdup(path);
    int fd, rc = 0;

    if (!copy)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        rc = dc_error_set(err, DC_EX_IOERR, "%s: cannot sync folder: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

/* The temp file under the stream: bytes are hashed on their way to the file, so the
 * manifest's SHA-256 is of exactly the bytes written and the file is not read back (a
 * second pass over 230 MB for 1M records).  A stdio cookie, as export_gz_wrap (export/encode.c), so the encoders,
 * gzip included, keep writing to a FILE.
 *
 * Hashing and write(2) (the kernel's copy into the page cache) run on a second thread,
 * fed through a relay of SINK_SLOTS buffers (util/relay.h, a writer behind its user),
 * while the main thread reads SQLite and encodes: on the 1M-record set they are a quarter
 * of the export's CPU time.  The slots bound the memory (one stdio write each, 1-2 MiB); a
 * write error stops the writer and is reported by the next write or by
 * dc_atomic_close, which drains the relay before its fsync, so nothing counts as
 * written before it is.  If the thread cannot start, the relay writes inline. */
#define SINK_SLOTS 4

struct dc_atomic_sink {
    int fd;
    EVP_MD_CTX *md;
    long long bytes;
    int err; /* errno of the first failed write or digest, 0 = none */
    struct dc_relay relay;
    struct {
        char *p;
        size_t len, cap;
    } slot[SINK_SLOTS];
};

/* The writer's job: write and hash one slot.  On a failure it records the errno and ends
 * (the relay then refuses further slots). */
static int
sink_job(void *ud, unsigned i)
{
    struct dc_atomic_sink *k = ud;
    const char *buf = k->slot[i].p;
    size_t size = k->slot[i].len, done = 0;

    while (done < size) {
        ssize_t w = write(k->fd, buf + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            k->err = w < 0 ? errno : EIO;
            return 1;
        }
        done += (size_t)w;
    }
    if (EVP_DigestUpdate(k->md, buf, size) != 1) {
        k->err = EIO;
        return 1;
    }
    k->bytes += (long long)size;
    return 0;
}

static ssize_t
sink_write(void *cookie, const char *buf, size_t size)
{
    struct dc_atomic_sink *k = cookie;
    int i = dc_relay_take(&k->relay);

    if (i < 0) { /* the writer stopped on an error (k->err is final once it has) */
        errno = k->err ? k->err : EIO;
        return -1; /* glibc's cookie layer takes -1 as an error (0 would loop) */
    }
    if (k->slot[i].cap < size) {
        char *p = realloc(k->slot[i].p, size);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        k->slot[i].p = p;
        k->slot[i].cap = size;
    }
    memcpy(k->slot[i].p, buf, size);
    k->slot[i].len = size;
    dc_relay_give(&k->relay);
    return (ssize_t)size;
}

/* Let the writer finish what is queued and stop; then k->err and k->bytes are final. */
static void
sink_drain(struct dc_atomic_sink *k)
{
    dc_relay_stop(&k->relay);
}

static int
sink_close(void *cookie)
{
    struct dc_atomic_sink *k = cookie;

    sink_drain(k); /* fclose flushed into the relay: the writer must not outlive the fd */
    int rc = close(k->fd);
    k->fd = -1;
    return rc;
}

static void
sink_free(struct dc_atomic_sink *k)
{
    if (!k)
        return;
    dc_relay_free(&k->relay);
    if (k->fd >= 0)
        close(k->fd);
    for (int i = 0; i < SINK_SLOTS; i++)
        free(k->slot[i].p);
    EVP_MD_CTX_free(k->md);
    free(k);
}

static struct dc_atomic_sink *
sink_new(int fd)
{
    struct dc_atomic_sink *k = calloc(1, sizeof *k);

    if (!k)
        return NULL;
    k->fd = -1;
    dc_relay_init(&k->relay, DC_RELAY_EMPTY, SINK_SLOTS, sink_job, k);
    k->md = EVP_MD_CTX_new();
    if (!k->md || EVP_DigestInit_ex(k->md, EVP_sha256(), NULL) != 1) {
        sink_free(k);
        return NULL;
    }
    k->fd = fd;
    dc_relay_start(&k->relay); /* no thread, no harm: the relay then writes inline */
    return k;
}

static void
set_buffer(struct dc_atomic_file *f)
{
    /* without the big buffer the export is only slower, so a failed malloc is no error */
    f->buf = malloc(STDIO_BUF);
    if (f->buf && setvbuf(f->fp, f->buf, _IOFBF, STDIO_BUF) != 0) {
        free(f->buf);
        f->buf = NULL;
    }
}

/* 1 when name is ".BASE.XXXXXX", the form of our temp files for BASE (mkstemp fills the
 * six X with letters and digits). */
static int
is_our_temp(const char *name, const char *base)
{
    size_t b = strlen(base), n = strlen(name);

    if (n != b + 8 || name[0] != '.' || strncmp(name + 1, base, b) != 0 || name[b + 1] != '.')
        return 0;
    for (size_t i = b + 2; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9')))
            return 0;
    return 1;
}

/* Remove the temp files a killed export of the same name left in dir (issue 19: 259 of
 * them after 313 kills, each holding personal data).  A writer holds flock(2) on its temp
 * file until the rename, and the lock dies with the process: a temp file of ours (our
 * uid, 0600, our name form) whose lock we can take has no live writer.  Best effort: a
 * file that cannot be looked at is left alone. */
static void
sweep_stale_temps(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        int fd;

        if (!is_our_temp(e->d_name, base))
            continue;
        fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
            (sb.st_mode & 0777) == 0600 && flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
        close(fd); /* releases the lock */
    }
    closedir(d);
}

int
dc_atomic_begin(struct dc_atomic_file *f, const char *path, struct dc_error *err)
{
    cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    struct stat sb;
    char *copy1 = NULL, *copy2 = NULL;
    int fd;

    memset(f, 0, sizeof *f);
    f->lock_fd = -1;
    f->path = path;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        f->direct = 1;
        f->fp = fopen(path, "w");
        if (!f->fp)
            return dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot open: %s", path, strerror(errno));
        set_buffer(f);
        return 0;
    }
    copy1 = strdup(path);
    copy2 = strdup(path);
    if (!copy1 || !copy2) {
        free(copy1);
        free(copy2);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    /* dot-named temp in the same folder: rename(2) is atomic only within one filesystem */
    size_t n = strlen(path) + 16;
    f->tmp = malloc(n);
    if (f->tmp) {
        const char *dir = dirname(copy1), *base = basename(copy2);
        sweep_stale_temps(dir, base);
        snprintf(f->tmp, n, "%s/.%s.XXXXXX", dir, base);
    }
    free(copy1);
    free(copy2);
    if (!f->tmp)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    fd = mkstemp(f->tmp);
    if (fd < 0) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot create: %s", path, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        return -1;
    }
    /* held until the rename (on a second descriptor: the sink closes its own before),
     * so that another run's sweep_stale_temps leaves this file alone */
    f->lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (f->lock_fd < 0 || flock(f->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot lock the temp file: %s", path,
                     strerror(errno));
        close(fd);
        goto fail;
    }
    /* personal data: 0600 whatever the umask (reliability.md §3.2) */
    if (fchmod(fd, 0600) != 0) {
        dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    f->sink = sink_new(fd);
    if (!f->sink) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        close(fd);
        goto fail;
    }
    f->fp = fopencookie(f->sink, "w", io);
    if (!f->fp) {
        dc_error_set(err, DC_EX_OSERR, "%s: cannot create: %s", path, strerror(errno));
        goto fail; /* sink_free closes fd */
    }
    set_buffer(f);
    return 0;
fail:
    sink_free(f->sink);
    f->sink = NULL;
    unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    f->lock_fd = -1;
    return -1;
}

int
dc_atomic_close(struct dc_atomic_file *f, struct dc_error *err)
{
    FILE *fp = f->fp;
    int rc = 0;

    if (!fp)
        return 0;
    f->fp = NULL;
    if (fflush(fp) != 0 || ferror(fp))
        rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path, strerror(errno));
    if (f->sink && rc == 0) {
        /* every byte on its way to the file is written (or failed) before the fsync */
        sink_drain(f->sink);
        if (f->sink->err)
            rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path,
                              strerror(f->sink->err));
        else if (fsync(f->sink->fd) != 0)
            rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path, strerror(errno));
    }
    if (fclose(fp) != 0 && rc == 0)
        rc = dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", f->path, strerror(errno));
    free(f->buf);
    f->buf = NULL;
    if (f->sink) {
        if (rc == 0 && dc_sha256_final_hex(f->sink->md, f->sha256) < 0)
            rc = dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 failed");
        f->bytes = f->sink->bytes;
        sink_free(f->sink);
        f->sink = NULL;
    }
    return rc;
}

int
dc_atomic_commit(struct dc_atomic_file *f, struct dc_error *err)
{
    if (dc_atomic_close(f, err) < 0)
        return -1;
    if (f->direct || !f->tmp)
        return 0;
    if (rename(f->tmp, f->path) != 0)
        return dc_error_set(err, DC_EX_CANTCREAT, "%s: cannot rename into place: %s", f->path,
                            strerror(errno));
    free(f->tmp);
    f->tmp = NULL;
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    f->lock_fd = -1;
    return fsync_dir_of(f->path, err);
}

void
dc_atomic_abort(struct dc_atomic_file *f)
{
    if (f->fp)
        fclose(f->fp);
    f->fp = NULL;
    free(f->buf);
    f->buf = NULL;
    sink_free(f->sink);
    f->sink = NULL;
    if (f->tmp) {
        unlink(f->tmp);
        free(f->tmp);
        f->tmp = NULL;
    }
    if (f->lock_fd > 0) /* > 0: a zeroed struct never closes stdin (the lock fd is >= 3) */
        close(f->lock_fd);
    f->lock_fd = -1;
}

int
dc_atomic_write_small(const char *path, const char *data, size_t len, struct dc_error *err)
{
    struct dc_atomic_file f;

    if (dc_atomic_begin(&f, path, err) < 0)
        return -1;
    if (fwrite(data, 1, len, f.fp) != len) {
        dc_error_set(err, DC_EX_IOERR, "%s: write error: %s", path, strerror(errno));
        dc_atomic_abort(&f);
        return -1;
    }
    if (dc_atomic_commit(&f, err) < 0) {
        dc_atomic_abort(&f);
        return -1;
    }
    return 0;
}
