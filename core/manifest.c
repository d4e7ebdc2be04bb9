/*
 * manifest.c - build, parse and verify export manifests (see manifest.h).
 *
 * Not for: writing the files (core/util/atomic.c's atomic writer does that).
 *
 * SHA-256 through OpenSSL's EVP interface (the low-level SHA256_* calls are deprecated in
 * OpenSSL 3.0); row counting follows the encoders of export/encode.c: CSV line breaks inside
 * quotes are data (RFC 4180 §2.6), JSONL and COPY text escape their line breaks, and
 * every SQL row is one statement starting a line with "INSERT INTO ".
 */
#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "json.h"
#include "util/hex.h"

#define CHUNK 65536

int
dc_manifest_sha256_file(const char *path, char hex[65], long long *bytes, struct dc_error *err)
{
    unsigned char *buf = NULL;
    EVP_MD_CTX *ctx = NULL;
    FILE *fp = NULL;
    long long total = 0;
    size_t n;
    int ret = -1;

    fp = fopen(path, "rb");
    if (!fp)
        return dc_error_set(err, DC_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
    buf = malloc(CHUNK);
    ctx = EVP_MD_CTX_new();
    if (!buf || !ctx) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto out;
    }
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 init failed");
        goto out;
    }
    while ((n = fread(buf, 1, CHUNK, fp)) > 0) {
        if (EVP_DigestUpdate(ctx, buf, n) != 1) {
            dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 update failed");
            goto out;
        }
        total += (long long)n;
    }
    if (ferror(fp)) {
        dc_error_set(err, DC_EX_IOERR, "%s: read error", path);
        goto out;
    }
    if (dc_sha256_final_hex(ctx, hex) < 0) {
        dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 final failed");
        goto out;
    }
    if (bytes)
        *bytes = total;
    ret = 0;
out:
    EVP_MD_CTX_free(ctx);
    free(buf);
    fclose(fp);
    return ret;
}

int
dc_manifest_count_rows(const char *path, enum dc_export_format f, int gzip, long long *rows,
                       struct dc_error *err)
{
    static const char insert[] = "INSERT INTO ";
    unsigned char *buf;
    gzFile gz;
    long long lines = 0, stmts = 0;
    int in_quote = 0, m = 0, n, ret = 0;

    (void)gzip; /* gzread reads plain files unchanged, so one path serves both */
    gz = gzopen(path, "rb");
    if (!gz)
        return dc_error_set(err, DC_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
    buf = malloc(CHUNK);
    if (!buf) {
        gzclose(gz);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    while ((n = gzread(gz, buf, CHUNK)) > 0) {
        for (int i = 0; i < n; i++) {
            unsigned char c = buf[i];
            switch (f) {
            case DC_EXPORT_CSV:
                if (c == '"')
                    in_quote = !in_quote;
                else if (c == '\n' && !in_quote)
                    lines++;
                break;
            case DC_EXPORT_JSONL:
            case DC_EXPORT_PGCOPY:
                lines += c == '\n';
                break;
            case DC_EXPORT_XLSX:
                break; /* a zip: rows are not lines (verify checks size and SHA-256) */
            case DC_EXPORT_SQL:
                /* m: characters of "INSERT INTO " matched since a line start, -1 = none */
                if (m >= 0 && !in_quote) {
                    if (c == (unsigned char)insert[m]) {
                        if (++m == (int)sizeof insert - 1) {
                            stmts++;
                            m = -1;
                        }
                        break;
                    }
                    m = -1;
                }
                if (c == '\'')
                    in_quote = !in_quote;
                else if (c == '\n' && !in_quote)
                    m = 0;
                break;
            }
        }
    }
    if (n < 0) {
        int zerr;
        const char *msg = gzerror(gz, &zerr);
        ret = dc_error_set(err, DC_EX_DATAERR, "%s: cannot read: %s", path,
                           zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    if (gzclose(gz) != Z_OK && ret == 0)
        ret = dc_error_set(err, DC_EX_DATAERR, "%s: truncated or corrupt gzip data", path);
    free(buf);
    if (ret < 0)
        return ret;
    if (f == DC_EXPORT_CSV)
        *rows = lines > 0 ? lines - 1 : 0; /* the header */
    else if (f == DC_EXPORT_SQL)
        *rows = stmts;
    else
        *rows = lines;
    return 0;
}

static const char *
base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

char *
dc_manifest_build(struct dc_db *db, const struct dc_manifest_info *m, struct dc_error *err)
{
    const struct dc_export_opts *o = m->opts;
    struct dc_buf b = DC_BUF_INIT;
    sqlite3_stmt *st = NULL;
    int rc, first = 1;

    dc_buf_puts(&b, "{\n  \"manifest\": 1,\n  \"tool\": \"dancu\",\n  \"version\": ");
    dc_json_str(&b, m->version);
    dc_buf_puts(&b, ",\n  \"command\": ");
    dc_json_str(&b, m->command);
    dc_buf_puts(&b, ",\n  \"created\": ");
    dc_json_str(&b, m->created);
    char what[96];
    dc_export_what_label(o, what, sizeof what);
    dc_buf_printf(&b, ",\n  \"what\": \"%s\",\n  \"format\": \"%s\",\n", what,
                  dc_export_format_name(o->format));
    dc_buf_printf(&b, "  \"gzip\": %s,\n  \"excel\": %s,\n  \"survivors\": %s,\n",
                  o->gzip ? "true" : "false", o->excel ? "true" : "false",
                  o->survivors ? "true" : "false");
    dc_buf_printf(&b, "  \"pseudonymized\": %s,\n", o->key ? "true" : "false");
    if (o->key) {
        /* which key made the pseudonyms, so that only files of one key get joined
         * (reliability.md §3.2); a digest of a >= 16-byte random key reveals nothing */
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_Digest(o->key, o->key_len, md, &len, EVP_sha256(), NULL) != 1 || len < 8) {
            dc_buf_release(&b);
            dc_error_set(err, DC_EX_SOFTWARE, "SHA-256 failed");
            return NULL;
        }
        char id[17];
        dc_buf_puts(&b, "  \"key_id\": \"");
        dc_buf_puts(&b, dc_hex_encode(md, 8, id));
        dc_buf_puts(&b, "\",\n");
    }
    dc_buf_puts(&b, "  \"file\": ");
    dc_json_str(&b, base_of(m->file));
    dc_buf_puts(&b, ",\n  \"schema_file\": ");
    dc_json_str(&b, m->schema_file ? base_of(m->schema_file) : NULL);
    dc_buf_printf(&b, ",\n  \"bytes\": %lld,\n  \"sha256\": \"%s\",\n  \"rows\": %lld,\n", m->bytes,
                  m->sha256, m->rows);
    dc_buf_puts(&b, "  \"batches\": [");
    if (dc_db_prepare(db, "SELECT id, stage FROM batch ORDER BY id", &st, err) < 0) {
        dc_buf_release(&b);
        return NULL;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dc_buf_printf(&b, "%s\n    {\"id\": %lld, \"stage\": ", first ? "" : ",",
                      (long long)sqlite3_column_int64(st, 0));
        dc_json_str(&b, (const char *)sqlite3_column_text(st, 1));
        dc_buf_putc(&b, '}');
        first = 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        dc_buf_release(&b);
        dc_db_fail(db, rc, "read batch", err);
        return NULL;
    }
    dc_buf_puts(&b, first ? "]\n}\n" : "\n  ]\n}\n");
    if (b.oom) {
        dc_buf_release(&b);
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    return b.s;
}

/* A JSON string at s (after the opening quote) into out; only the escapes
 * dc_json_str writes for printable text (\" and \\) are accepted.  Returns the position
 * after the closing quote, NULL if there is none or the string does not fit. */
static const char *
get_str(const char *s, const char *end, char *out, size_t size)
{
    size_t k = 0;

    for (; s < end && *s != '"'; s++) {
        char c = *s;
        if (c == '\\') {
            if (++s >= end || (*s != '"' && *s != '\\'))
                return NULL;
            c = *s;
        }
        if (k + 1 >= size)
            return NULL;
        out[k++] = c;
    }
    if (s >= end)
        return NULL;
    out[k] = '\0';
    return s + 1;
}

/* A string value at v (the opening quote) into out; -1 if it is not one. */
static int
get_val(const char *v, const char *end, char *out, size_t size)
{
    return v < end && *v == '"' && get_str(v + 1, end, out, size) ? 0 : -1;
}

static int
get_ll(const char *s, const char *end, long long *v)
{
    long long x = 0;
    const char *p = s;

    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (x > (LLONG_MAX - 9) / 10)
            return -1;
        x = x * 10 + (*p - '0');
    }
    if (p == s)
        return -1;
    *v = x;
    return 0;
}

int
dc_manifest_parse(const char *text, size_t n, struct dc_manifest_check *out, struct dc_error *err)
{
    const char *p = text, *end = text + n;
    int have = 0, version = 0;

    memset(out, 0, sizeof *out);
    if (n > DC_MANIFEST_MAX_BYTES)
        return dc_error_set(err, DC_EX_DATAERR, "manifest larger than %d bytes",
                            DC_MANIFEST_MAX_BYTES);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        const char *q = p, *v;
        char key[32];
        int bad = 0;

        while (q < le && *q == ' ')
            q++;
        if (q < le && *q == '"' && (v = get_str(q + 1, le, key, sizeof key)) != NULL) {
            if (le - v >= 2 && v[0] == ':' && v[1] == ' ') {
                v += 2;
                if (strcmp(key, "manifest") == 0) {
                    long long x = 0;
                    bad = get_ll(v, le, &x) < 0;
                    version = x == 1;
                } else if (strcmp(key, "file") == 0) {
                    bad = get_val(v, le, out->file, sizeof out->file) < 0;
                    have |= 1;
                } else if (strcmp(key, "format") == 0) {
                    bad = get_val(v, le, out->format, sizeof out->format) < 0;
                    have |= 2;
                } else if (strcmp(key, "sha256") == 0) {
                    bad = get_val(v, le, out->sha256, sizeof out->sha256) < 0 ||
                          strlen(out->sha256) != 64 ||
                          strspn(out->sha256, "0123456789abcdef") != 64;
                    have |= 4;
                } else if (strcmp(key, "bytes") == 0) {
                    bad = get_ll(v, le, &out->bytes) < 0;
                    have |= 8;
                } else if (strcmp(key, "rows") == 0) {
                    bad = get_ll(v, le, &out->rows) < 0;
                    have |= 16;
                } else if (strcmp(key, "gzip") == 0) {
                    out->gzip = le - v >= 4 && memcmp(v, "true", 4) == 0;
                    have |= 32;
                }
            }
        }
        if (bad)
            return dc_error_set(err, DC_EX_DATAERR, "manifest: bad value on key \"%s\"", key);
        p = eol ? eol + 1 : end;
    }
    if (!version || have != 63)
        return dc_error_set(err, DC_EX_DATAERR,
                            "not a dancu export manifest (version 1 with file, format, sha256, "
                            "bytes, rows and gzip)");
    return 0;
}

int
dc_manifest_verify(const char *path, struct dc_error *err)
{
    struct dc_manifest_check m;
    enum dc_export_format f;
    char *mpath = NULL, *text = NULL, hex[65];
    long long bytes = 0, rows = 0;
    size_t n, len = strlen(path) + sizeof ".manifest.json";
    FILE *fp = NULL;
    int ret = -1;

    mpath = malloc(len);
    text = malloc(DC_MANIFEST_MAX_BYTES + 1);
    if (!mpath || !text) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto out;
    }
    snprintf(mpath, len, "%s.manifest.json", path);
    fp = fopen(mpath, "rb");
    if (!fp) {
        dc_error_set(err, DC_EX_NOINPUT, "%s: cannot open: %s", mpath, strerror(errno));
        goto out;
    }
    n = fread(text, 1, DC_MANIFEST_MAX_BYTES + 1, fp);
    if (ferror(fp)) {
        dc_error_set(err, DC_EX_IOERR, "%s: read error", mpath);
        goto out;
    }
    if (dc_manifest_parse(text, n, &m, err) < 0)
        goto out;
    if (dc_export_format_parse(m.format, &f, err) < 0) {
        dc_error_clear(err);
        dc_error_set(err, DC_EX_DATAERR, "%s: unknown format in manifest", mpath);
        goto out;
    }
    if (dc_manifest_sha256_file(path, hex, &bytes, err) < 0)
        goto out;
    if (bytes != m.bytes) {
        dc_error_set(err, DC_EX_DATAERR,
                     "%s: size differs: the manifest says %lld bytes, the file has %lld", path,
                     m.bytes, bytes);
        goto out;
    }
    if (strcmp(hex, m.sha256) != 0) {
        dc_error_set(err, DC_EX_DATAERR, "%s: SHA-256 differs from the manifest: file changed",
                     path);
        goto out;
    }
    /* a workbook's rows are inside its zip: its size and SHA-256 say it is intact */
    if (f == DC_EXPORT_XLSX)
        rows = m.rows;
    else if (dc_manifest_count_rows(path, f, m.gzip, &rows, err) < 0)
        goto out;
    if (rows != m.rows) {
        dc_error_set(err, DC_EX_DATAERR,
                     "%s: row count differs: the manifest says %lld, the file has %lld", path,
                     m.rows, rows);
        goto out;
    }
    ret = 0;
out:
    if (fp)
        fclose(fp);
    free(text);
    free(mpath);
    return ret;
}
