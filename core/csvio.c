/*
 * csvio.c - streaming CSV reader and RFC 4180 writer (see csvio.h).
 *
 * Not for: header mapping or value cleaning; the stored bytes, gzip and the input limits
 * (io/bytes.c).
 *
 * How the reader is layered, and why:
 *   file/stdin --read(2)--> [SHA-256 of stored bytes] --zlib inflate if 1f 8b--> bytes
 *     --(UTF-16 only: ICU to UTF-8)--> input buffer --libcsv, fed in segments--> fields
 *     --encoding.c--> UTF-8 NFC.
 * libcsv (3.0.3, CSV_STRICT) decides quoting; we feed it segments that end at every CR or LF
 * or after SEG bytes, so a record can only end at the last byte of a segment and we know the
 * record's raw bytes and start line exactly.  libcsv has no field limit (reliability.md §3.2:
 * one unterminated quote swallows the file); after each segment we look at the public
 * csv_parser.entry_pos and, past max_field, reject the record and keep feeding libcsv with
 * entry_pos reset to 0: libcsv still tracks the quotes, so it finds the record's end, and
 * memory stays bounded.  Byte encodings keep CSV's ASCII delimiters (checked for TCVN3,
 * VISCII, VNI, cp1258), so fields are split on the raw bytes and decoded one by one.
 */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>

#include "encoding.h"
#include "io/bytes.h"
#include "io/workbook.h"
#include "utf8.h"
#include "util/csv.h"

#define ZCAP DC_BYTES_CAP /* file read size (io/bytes.h) */
#define IBCAP (1u << 20)  /* input buffer = detection sample */
#define SEG 4096u         /* most bytes fed to libcsv before we look at it */
#define SNIFF_BYTES (256u << 10)
#define SNIFF_RECORDS 30
#define MAX_FIELDS 10000
#define PIVOT 1024

struct dc_csv_reader {
    const char *path;    /* the caller's, borrowed for error messages */
    struct dc_bytes src; /* stored bytes and gzip */
    /* UTF-16 to UTF-8 */
    UConverter *u16, *u8;
    unsigned char *tin;
    size_t tin_len, tin_pos;
    UChar pivot[PIVOT], *psrc, *ptgt;
    int u16_first, t_eof;
    /* parse input */
    unsigned char *ib;
    size_t ib_len, ib_pos;
    int ib_eof;
    struct csv_parser p;
    int pinit, delim;
    enum dc_enc enc, field_enc;
    int enc_guessed; /* enc came from detection on the sample, not from --encoding */
    struct dc_enc_conv *conv;
    double conf;
    size_t max_field, max_record;
    /* the record being read */
    char *raw;
    size_t raw_len;
    int raw_trunc, term_in_raw;
    char *fb; /* field bytes as libcsv gave them */
    size_t fb_len, fb_cap;
    size_t *foff, *flen, nf, fcap;
    int in_rec, rec_done, skipping;
    unsigned long whole_hit, whole_miss; /* make_row's one-call decode: worked, did not */
    int nul_seen; /* a NUL byte in the record's bytes so far: only then look in fields */
    long rec_line, line, rownum;
    int prev_cr;
    char reason[96];
    /* the row handed out */
    char *db;
    size_t db_cap;
    char **fp;
    size_t fp_cap;
    /* the header, kept */
    struct dc_csv_row hdr;
    char *hdr_mem;
    int done, no_header;
};

static int
no_space(unsigned char c)
{
    (void)c;
    return 0; /* keep spaces: trimming is normalize's job, raw must match fields */
}

#define CSV_BLOCK 16384

static int
parser_reset(struct dc_csv_reader *r, struct dc_error *err)
{
    if (r->pinit)
        csv_free(&r->p);
    r->pinit = 0;
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    r->pinit = 1;
    csv_set_delim(&r->p, (unsigned char)r->delim);
    csv_set_space_func(&r->p, no_space);
    /* libcsv grows a field's buffer by this much at a time (128 bytes by
     * default: a 64 KiB field took 512 reallocs) */
    csv_set_blk_size(&r->p, CSV_BLOCK);
    return 0;
}

/* ---- text for libcsv ------------------------------------------------------------------- */

/* Text for libcsv: the bytes, or UTF-16 converted to UTF-8. */
static long
text_read(struct dc_csv_reader *r, unsigned char *dst, size_t cap, struct dc_error *err)
{
    if (!r->u16)
        return dc_bytes_read(&r->src, dst, cap, err);
    for (;;) {
        UErrorCode st = U_ZERO_ERROR;
        char *t = (char *)dst;
        const char *s;
        size_t produced;

        if (r->tin_pos == r->tin_len && !r->t_eof) {
            long n = dc_bytes_read(&r->src, r->tin, ZCAP, err);

            if (n < 0)
                return -1;
            r->tin_pos = 0;
            r->tin_len = (size_t)n;
            r->t_eof = n == 0;
        }
        s = (const char *)r->tin + r->tin_pos;
        ucnv_convertEx(r->u8, r->u16, &t, (const char *)dst + cap, &s,
                       (const char *)r->tin + r->tin_len, r->pivot, &r->psrc, &r->ptgt,
                       r->pivot + PIVOT, (UBool)r->u16_first, (UBool)r->t_eof, &st);
        r->u16_first = 0;
        r->tin_pos = (size_t)((const unsigned char *)s - r->tin);
        produced = (size_t)((unsigned char *)t - dst);
        if (st == U_BUFFER_OVERFLOW_ERROR && produced > 0)
            return (long)produced;
        if (U_FAILURE(st))
            return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                               "invalid %s data near byte %llu", dc_enc_name(r->enc),
                               r->src.out_total);
        if (produced > 0)
            return (long)produced;
        if (r->t_eof)
            return 0;
    }
}

/* Move the unread bytes to the front and read more; full = until the buffer is full. */
static int
ib_fill(struct dc_csv_reader *r, int full, struct dc_error *err)
{
    if (r->ib_pos > 0) {
        memmove(r->ib, r->ib + r->ib_pos, r->ib_len - r->ib_pos);
        r->ib_len -= r->ib_pos;
        r->ib_pos = 0;
    }
    while (r->ib_len < IBCAP && !r->ib_eof) {
        long n = text_read(r, r->ib + r->ib_len, IBCAP - r->ib_len, err);

        if (n < 0)
            return -1;
        if (n == 0)
            r->ib_eof = 1;
        r->ib_len += (size_t)n;
        if (!full)
            break;
    }
    return 0;
}

/* ---- records --------------------------------------------------------------------------- */

static void
set_reason(struct dc_csv_reader *r, const char *what, size_t field)
{
    if (r->reason[0])
        return;
    if (field)
        snprintf(r->reason, sizeof r->reason, "%s in field %zu", what, field);
    else
        snprintf(r->reason, sizeof r->reason, "%s", what);
}

static void
cb_field(void *s, size_t len, void *data)
{
    struct dc_csv_reader *r = data;
    size_t no = r->nf + 1;

    if (r->skipping)
        return;
    if (len > r->max_field) {
        if (!r->reason[0])
            snprintf(r->reason, sizeof r->reason, "field %zu over %zu bytes", no, r->max_field);
        r->skipping = 1;
        return;
    }
    if (r->nf >= MAX_FIELDS) {
        set_reason(r, "over 10000 fields", 0);
        r->skipping = 1;
        return;
    }
    if (r->nul_seen && len && memchr(s, 0, len))
        set_reason(r, "NUL byte", no);
    if (r->nf == r->fcap) {
        size_t n = r->fcap ? r->fcap * 2 : 32;
        size_t *a = realloc(r->foff, n * sizeof *a), *b;

        if (!a)
            goto oom;
        r->foff = a;
        b = realloc(r->flen, n * sizeof *b);
        if (!b)
            goto oom;
        r->flen = b;
        r->fcap = n;
    }
    if (r->fb_len + len + 1 > r->fb_cap) {
        size_t n = r->fb_cap ? r->fb_cap : 4096;
        char *q;

        while (n < r->fb_len + len + 1)
            n *= 2;
        q = realloc(r->fb, n);
        if (!q)
            goto oom;
        r->fb = q;
        r->fb_cap = n;
    }
    if (len)
        memcpy(r->fb + r->fb_len, s, len);
    r->foff[r->nf] = r->fb_len;
    r->flen[r->nf] = len;
    r->fb_len += len;
    r->fb[r->fb_len++] = '\0';
    r->nf++;
    return;
oom:
    /* callbacks cannot fail: reject the row; the caller sees the reason */
    snprintf(r->reason, sizeof r->reason, "out of memory reading the record");
    r->skipping = 1;
}

static void
cb_row(int c, void *data)
{
    (void)c;
    ((struct dc_csv_reader *)data)->rec_done = 1;
}

static void
raw_add(struct dc_csv_reader *r, const unsigned char *s, size_t n)
{
    size_t room = r->max_record - r->raw_len;

    if (n > room) {
        char what[48];

        snprintf(what, sizeof what, "record over %zu bytes", r->max_record);
        set_reason(r, what, 0);
        r->raw_trunc = 1;
        r->skipping = 1;
        n = room;
    }
    memcpy(r->raw + r->raw_len, s, n);
    r->raw_len += n;
}

/* Scan a segment: up to and including the first CR/LF, at most SEG bytes.  Counts lines: an
 * LF, a CR, and a CR LF pair each end one physical line.  memchr, not a byte loop: this runs
 * over every input byte and glibc's memchr looks at 32 at a time (import of 1M rows). */
static size_t
segment(struct dc_csv_reader *r, int *ended)
{
    size_t avail = r->ib_len - r->ib_pos, lim = avail < SEG ? avail : SEG, end;
    const unsigned char *s = r->ib + r->ib_pos, *lf, *cr;

    *ended = 0;
    if (lim == 0)
        return 0;
    lf = memchr(s, '\n', lim);
    end = lf ? (size_t)(lf - s) : lim;
    cr = end ? memchr(s, '\r', end) : NULL;
    if (cr)
        end = (size_t)(cr - s);
    if (end == lim) {
        r->prev_cr = 0;
        return lim;
    }
    *ended = 1;
    if (s[end] == '\n') {
        if (end > 0 || !r->prev_cr) /* LF right after a CR ends no new line */
            r->line++;
        r->prev_cr = 0;
    } else {
        r->line++;
        r->prev_cr = 1;
    }
    return end + 1;
}

/* 1 = a record is ready (maybe with a reason), 0 = end of input, -1 = error. */
static int
read_record(struct dc_csv_reader *r, struct dc_error *err)
{
    int ended = 0;

    r->nf = 0;
    r->fb_len = 0;
    r->raw_len = 0;
    r->raw_trunc = 0;
    r->term_in_raw = 0;
    r->reason[0] = '\0';
    r->in_rec = r->rec_done = r->skipping = r->nul_seen = 0;
    for (;;) {
        size_t k, used;

        if (r->ib_pos == r->ib_len) {
            if (ib_fill(r, 0, err) < 0)
                return -1;
            if (r->ib_pos == r->ib_len)
                break;
        }
        if (!r->in_rec) {
            unsigned char b = r->ib[r->ib_pos];

            if (b == '\n' || b == '\r') { /* blank lines are not records (libcsv agrees) */
                segment(r, &ended);
                r->ib_pos++;
                continue;
            }
            r->in_rec = 1;
            r->rec_line = r->line;
        }
        k = segment(r, &ended);
        raw_add(r, r->ib + r->ib_pos, k);
        r->term_in_raw = ended && !r->raw_trunc;
        /* One memchr over the segment instead of one per field: a field's bytes all come
         * from its record's segments, fed before libcsv hands the field over. */
        if (!r->nul_seen && memchr(r->ib + r->ib_pos, 0, k))
            r->nul_seen = 1;
        used = csv_parse(&r->p, r->ib + r->ib_pos, k, cb_field, cb_row, r);
        r->ib_pos += k;
        if (used < k) {
            if (csv_error(&r->p) != CSV_EPARSE)
                return dc_error_set(err, DC_EX_OSERR, "csv parser: %s",
                                    csv_strerror(csv_error(&r->p)));
            /* strict RFC 4180: a quote inside an unquoted field or text after a closing
             * quote.  Reject the record up to the end of its physical line. */
            set_reason(r, "stray quote", r->nf + 1);
            while (!ended) {
                if (r->ib_pos == r->ib_len) {
                    if (ib_fill(r, 0, err) < 0)
                        return -1;
                    if (r->ib_pos == r->ib_len)
                        break;
                }
                k = segment(r, &ended);
                raw_add(r, r->ib + r->ib_pos, k);
                r->term_in_raw = ended && !r->raw_trunc;
                r->ib_pos += k;
            }
            if (parser_reset(r, err) < 0)
                return -1;
            r->rec_done = 1;
        }
        if (!r->rec_done && r->p.entry_pos > r->max_field && !r->skipping) {
            if (!r->reason[0])
                snprintf(r->reason, sizeof r->reason, "field %zu over %zu bytes", r->nf + 1,
                         r->max_field);
            r->skipping = 1;
        }
        if (r->skipping && !r->rec_done)
            r->p.entry_pos = 0; /* drop the bytes; libcsv keeps the quote state */
        if (r->rec_done)
            break;
    }
    if (!r->in_rec)
        return 0;
    if (!r->rec_done) { /* end of input inside a record */
        if (csv_fini(&r->p, cb_field, cb_row, r) != 0) {
            /* the root cause wins over "field over N bytes" */
            snprintf(r->reason, sizeof r->reason, "unterminated quote");
        }
        if (parser_reset(r, err) < 0)
            return -1;
        r->term_in_raw = 0;
    }
    if (r->term_in_raw && r->raw_len > 0)
        r->raw_len--; /* the line break ending the record is not part of it */
    r->raw[r->raw_len] = '\0';
    return 1;
}

/* 1 when the n bytes at s hold at least one multi-byte UTF-8 sequence and nothing that is
 * not well-formed UTF-8.  Text in a legacy Vietnamese encoding almost never passes: its
 * letters are single bytes from 0x80 up, and a lead byte followed by exactly the right
 * number of 0x80-0xBF bytes (which cp1258, VNI and TCVN3 use for punctuation or capitals)
 * does not occur in words. */
static int
utf8_multibyte(const unsigned char *s, size_t n)
{
    int multi = 0;

    for (size_t i = 0, len; i < n; i += len) {
        if ((len = dc_utf8_seq(s + i, n - i)) == 0)
            return 0;
        multi |= len > 1;
    }
    return multi;
}

/* Decode the fields into r->db and fill row. */
static int
make_row(struct dc_csv_reader *r, struct dc_csv_row *row, struct dc_error *err)
{
    size_t i, used = 0, nd = 0;

    if (r->fp_cap < r->nf + 1) {
        char **q = realloc(r->fp, (r->nf + 1) * sizeof *q);

        if (!q)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        r->fp = q;
        r->fp_cap = r->nf + 1;
    }
    /* UTF-8 already in NFC (nearly all UTF-8 input): one decode call for the whole record,
     * its fields NUL-separated as they sit in fb, instead of one per field, and the fields
     * used in place (import of 1M rows: a tenth of the reader's instructions).  U+0000 has
     * combining class 0 and composes with nothing, so it is a normalization boundary: when
     * the record comes back byte for byte, every field would have.  Otherwise the fields go
     * one by one as before; a file where that keeps happening (decomposed text) stops
     * trying, so its records are not decoded twice. */
    if (r->field_enc == DC_ENC_UTF8 && r->nf > 0 && r->whole_miss * 8 <= r->whole_hit + 64) {
        const char *o;
        size_t on;
        int rc = dc_enc_decode(r->conv, r->fb, r->fb_len, &o, &on, err);

        if (rc < 0)
            return -1;
        if (rc == 0 && on == r->fb_len && memcmp(o, r->fb, on) == 0) {
            r->whole_hit++;
            for (i = 0; i < r->nf; i++)
                r->fp[i] = r->fb + r->foff[i];
            nd = r->nf;
            goto done;
        }
        r->whole_miss++;
    }
    /* A record of valid multi-byte UTF-8 in a file whose sample was guessed to be a legacy
     * encoding is evidence against the guess (issue 19: such rows came in as mojibake,
     * with no reject): the file mixes encodings.  The row is rejected, raw bytes kept;
     * --encoding makes the choice explicit and is then followed. */
    if (r->enc_guessed && r->field_enc != DC_ENC_UTF8 &&
        utf8_multibyte((const unsigned char *)r->fb, r->fb_len)) {
        char what[96];

        snprintf(what, sizeof what,
                 "valid UTF-8 in a file read as %s (mixed encodings; --encoding decides)",
                 dc_enc_name(r->enc));
        set_reason(r, what, 0);
        goto done;
    }
    for (i = 0; i < r->nf; i++) {
        const char *o;
        size_t on;
        int rc = dc_enc_decode(r->conv, r->fb + r->foff[i], r->flen[i], &o, &on, err);

        if (rc < 0)
            return -1;
        if (rc > 0) {
            char what[64];

            snprintf(what, sizeof what, "invalid bytes for %s", dc_enc_name(r->enc));
            set_reason(r, what, i + 1);
            break;
        }
        if (used + on + 1 > r->db_cap) {
            size_t n = r->db_cap ? r->db_cap : 4096;
            char *q;

            while (n < used + on + 1)
                n *= 2;
            q = realloc(r->db, n);
            if (!q)
                return dc_error_set(err, DC_EX_OSERR, "out of memory");
            r->db = q;
            r->db_cap = n;
        }
        memcpy(r->db + used, o, on + 1);
        r->foff[i] = used; /* reuse: now the offset into db */
        r->flen[i] = on;   /* and the decoded length */
        used += on + 1;
        nd++;
    }
    for (i = 0; i < nd; i++)
        r->fp[i] = r->db + r->foff[i];
done:
    if (r->raw_trunc && r->reason[0] && !strstr(r->reason, "; raw bytes kept")) {
        /* raw stops at the record limit: say so, or the reject row's raw
         * bytes pass for the whole record */
        size_t l = strlen(r->reason);

        snprintf(r->reason + l, sizeof r->reason - l, "; raw bytes kept: the first %zu",
                 r->raw_len);
    }
    r->fp[nd] = NULL;
    row->rownum = r->rownum;
    row->line = r->rec_line;
    row->nfields = nd;
    row->fields = r->fp;
    row->lens = r->flen;
    row->raw = r->raw;
    row->raw_len = r->raw_len;
    row->raw_truncated = r->raw_trunc;
    row->reject = r->reason[0] ? r->reason : NULL;
    return 0;
}

/* ---- delimiter sniffing ---------------------------------------------------------------- */

struct sniff {
    size_t nf, nrec, counts[SNIFF_RECORDS];
};

static void
sn_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((struct sniff *)data)->nf++;
}

static void
sn_row(int c, void *data)
{
    struct sniff *sn = data;

    (void)c;
    if (sn->nrec < SNIFF_RECORDS)
        sn->counts[sn->nrec++] = sn->nf;
    sn->nf = 0;
}

/* For each candidate, the field count (two or more) that most sampled records have, counted
 * by libcsv (so quoted delimiters do not count); the delimiter whose count is shared by the
 * most records wins, ties going to more fields, then to the order , ; TAB |.  None fits:
 * ','.  The most common count, not the first record's: the header and the rows below it
 * decide, never a banner line above the header ("Phường X, quận Y" reads as three
 * comma-separated fields). */
static int
sniff_delim(const unsigned char *s, size_t n)
{
    static const int cand[] = {',', ';', '\t', '|'};
    long best = 0;
    int bestd = ',';
    size_t ci, i, j;

    if (n > SNIFF_BYTES)
        n = SNIFF_BYTES;
    for (ci = 0; ci < sizeof cand / sizeof cand[0]; ci++) {
        struct csv_parser p;
        struct sniff sn;
        size_t pos = 0;
        long score = 0;

        memset(&sn, 0, sizeof sn);
        if (csv_init(&p, 0) != 0)
            return ',';
        csv_set_delim(&p, (unsigned char)cand[ci]);
        csv_set_space_func(&p, no_space);
        csv_set_blk_size(&p, CSV_BLOCK);
        while (pos < n && sn.nrec < SNIFF_RECORDS) {
            size_t k = n - pos < SEG ? n - pos : SEG;

            if (csv_parse(&p, s + pos, k, sn_field, sn_row, &sn) < k)
                break;
            pos += k;
        }
        csv_free(&p);
        for (i = 0; i < sn.nrec; i++) {
            size_t same = 0;
            long sc;

            if (sn.counts[i] < 2)
                continue;
            for (j = 0; j < sn.nrec; j++)
                same += sn.counts[j] == sn.counts[i];
            sc = (long)same * 100000 + (long)(sn.counts[i] < 99999 ? sn.counts[i] : 99999);
            if (sc > score)
                score = sc;
        }
        if (score > best) {
            best = score;
            bestd = cand[ci];
        }
    }
    return bestd;
}

/* ---- open / next / close ---------------------------------------------------------------- */

static int
setup_encoding(struct dc_csv_reader *r, const struct dc_csv_opts *o, struct dc_error *err)
{
    const char *name = o->encoding;
    const unsigned char *s = r->ib;
    size_t n = r->ib_len;
    size_t bom = 0;

    if (!name || strcmp(name, "auto") == 0) {
        struct dc_enc_guess g;

        if (dc_enc_detect((const char *)s, n, r->ib_eof, &g, err) < 0)
            return -1;
        if (!g.decided)
            return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                               "cannot tell the encoding (candidates: %s); choose one with "
                               "--encoding",
                               g.candidates);
        r->enc = g.enc;
        r->conf = g.confidence;
        r->enc_guessed = 1;
        bom = g.bom_len;
    } else if (strcasecmp(name, "utf-16") == 0) {
        if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
            r->enc = DC_ENC_UTF16LE;
        else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
            r->enc = DC_ENC_UTF16BE;
        else
            return dc_error_at(err, DC_EX_DATAERR, r->path, 0, NULL,
                               "utf-16 without a byte-order mark: use --encoding utf-16le "
                               "or utf-16be");
        bom = 2;
        r->conf = 1.0;
    } else {
        if (dc_enc_from_name(name, &r->enc) < 0)
            return dc_error_set(err, DC_EX_USAGE,
                                "unknown encoding '%.40s' (auto, utf-8, utf-16, utf-16le, "
                                "utf-16be, cp1258, tcvn3, vni, viscii)",
                                name);
        r->conf = 1.0;
        if (r->enc == DC_ENC_UTF8 && n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
            bom = 3;
        if (r->enc == DC_ENC_UTF16LE && n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
            bom = 2;
        if (r->enc == DC_ENC_UTF16BE && n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
            bom = 2;
    }
    r->ib_pos = bom;
    r->field_enc = r->enc;
    if (r->enc == DC_ENC_UTF16LE || r->enc == DC_ENC_UTF16BE) {
        UErrorCode st = U_ZERO_ERROR;

        r->tin = malloc(IBCAP > ZCAP ? IBCAP : ZCAP);
        if (!r->tin)
            return dc_error_set(err, DC_EX_OSERR, "out of memory");
        r->tin_len = r->ib_len - r->ib_pos;
        memcpy(r->tin, r->ib + r->ib_pos, r->tin_len);
        r->tin_pos = 0;
        r->ib_len = r->ib_pos = 0;
        r->ib_eof = 0;
        r->u16 = ucnv_open(r->enc == DC_ENC_UTF16LE ? "UTF-16LE" : "UTF-16BE", &st);
        if (U_SUCCESS(st))
            r->u8 = ucnv_open("UTF-8", &st);
        if (U_SUCCESS(st))
            ucnv_setToUCallBack(r->u16, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
        if (U_FAILURE(st))
            return dc_error_set(err, DC_EX_SOFTWARE, "ICU UTF-16: %s", u_errorName(st));
        r->psrc = r->ptgt = r->pivot;
        r->u16_first = 1;
        if (ib_fill(r, 1, err) < 0)
            return -1;
        r->field_enc = DC_ENC_UTF8;
    }
    r->conv = dc_enc_conv_new(r->field_enc, err);
    return r->conv ? 0 : -1;
}

static int
keep_header(struct dc_csv_reader *r, const struct dc_csv_row *row, struct dc_error *err)
{
    size_t i, bytes = 0, off, *lens;
    char *m;

    for (i = 0; i < row->nfields; i++)
        bytes += strlen(row->fields[i]) + 1;
    /* pointers, then lengths (both 8-byte aligned), then the bytes */
    off = (row->nfields + 1) * sizeof(char *) + (row->nfields + 1) * sizeof(size_t);
    m = malloc(off + bytes + row->raw_len + 1);
    if (!m)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    r->hdr_mem = m;
    r->hdr = *row;
    r->hdr.fields = (char **)(void *)m;
    lens = (size_t *)(void *)(m + (row->nfields + 1) * sizeof(char *));
    r->hdr.lens = lens;
    for (i = 0; i < row->nfields; i++) {
        size_t l = strlen(row->fields[i]) + 1;

        memcpy(m + off, row->fields[i], l);
        r->hdr.fields[i] = m + off;
        lens[i] = l - 1;
        off += l;
    }
    r->hdr.fields[row->nfields] = NULL;
    memcpy(m + off, row->raw, row->raw_len);
    m[off + row->raw_len] = '\0';
    r->hdr.raw = m + off;
    return 0;
}

struct dc_csv_reader *
dc_csv_open(const char *path, const struct dc_csv_opts *opts, struct dc_error *err)
{
    static const struct dc_csv_opts defaults = {NULL, 0, 0, 0, 0};
    const struct dc_csv_opts *o = opts ? opts : &defaults;
    struct dc_csv_reader *r;
    struct dc_csv_row row;
    int rc;

    r = calloc(1, sizeof *r);
    if (!r) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        return NULL;
    }
    r->path = path;
    r->line = 1;
    r->max_field = o->max_field ? o->max_field : 65536;
    r->max_record = r->max_field * 16 > (1u << 20) ? r->max_field * 16 : (1u << 20);
    if (o->delimiter < 0 || o->delimiter > 127 || o->delimiter == '"' || o->delimiter == '\r' ||
        o->delimiter == '\n') {
        dc_error_set(err, DC_EX_USAGE, "bad delimiter");
        goto fail;
    }
    if (dc_bytes_open(&r->src, path, o->max_bytes ? o->max_bytes : DC_CSV_MAX_BYTES_DEFAULT, err) <
        0)
        goto fail;
    r->ib = malloc(IBCAP);
    r->raw = malloc(r->max_record + 1);
    if (!r->ib || !r->raw) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto fail;
    }
    if (ib_fill(r, 1, err) < 0)
        goto fail;
    if (!r->src.gz && dc_wb_sniff(r->ib, r->ib_len) != DC_WB_NONE) {
        /* the bytes of a zip or an OLE2 file would otherwise fail the encoding guess */
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL,
                    "an Excel workbook (.%s), not CSV text; dancu import reads workbooks "
                    "given by file name",
                    dc_wb_kind_name(dc_wb_sniff(r->ib, r->ib_len)));
        goto fail;
    }
    if (setup_encoding(r, o, err) < 0)
        goto fail;
    r->delim = o->delimiter ? o->delimiter : sniff_delim(r->ib + r->ib_pos, r->ib_len - r->ib_pos);
    if (parser_reset(r, err) < 0)
        goto fail;
    r->no_header = o->no_header;
    if (r->no_header)
        return r;
    rc = read_record(r, err);
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "no header record (empty input)");
        goto fail;
    }
    if (make_row(r, &row, err) < 0)
        goto fail;
    if (row.reject) {
        /* a refused header is not stored: the reason's note on raw bytes kept does not
         * apply (issue 19) */
        const char *kept = strstr(row.reject, "; raw bytes kept");
        dc_error_at(err, DC_EX_DATAERR, path, row.line, NULL, "header: %.*s",
                    kept ? (int)(kept - row.reject) : (int)strlen(row.reject), row.reject);
        goto fail;
    }
    if (keep_header(r, &row, err) < 0)
        goto fail;
    return r;
fail:
    dc_csv_close(r);
    return NULL;
}

const struct dc_csv_row *
dc_csv_header(const struct dc_csv_reader *r)
{
    return &r->hdr;
}

int
dc_csv_next(struct dc_csv_reader *r, struct dc_csv_row *row, struct dc_error *err)
{
    int rc;

    if (r->done)
        return 0;
    rc = read_record(r, err);
    if (rc <= 0) {
        r->done = rc == 0;
        return rc;
    }
    r->rownum++;
    if (make_row(r, row, err) < 0)
        return -1;
    if (!row->reject && !r->no_header && row->nfields != r->hdr.nfields) {
        snprintf(r->reason, sizeof r->reason, "ragged row: %zu fields, header has %zu",
                 row->nfields, r->hdr.nfields);
        row->reject = r->reason;
    }
    return 1;
}

const char *
dc_csv_encoding(const struct dc_csv_reader *r)
{
    return dc_enc_name(r->enc);
}

double
dc_csv_confidence(const struct dc_csv_reader *r)
{
    return r->conf;
}

int
dc_csv_delimiter(const struct dc_csv_reader *r)
{
    return r->delim;
}

unsigned long long
dc_csv_bytes_read(const struct dc_csv_reader *r)
{
    return r->src.raw_total;
}

int
dc_csv_gzip(const struct dc_csv_reader *r)
{
    return r->src.gz;
}

int
dc_csv_sha256(const struct dc_csv_reader *r, char hex[65])
{
    if (!r->done || !r->src.sha[0])
        return -1;
    memcpy(hex, r->src.sha, 65);
    return 0;
}

void
dc_csv_close(struct dc_csv_reader *r)
{
    if (!r)
        return;
    dc_bytes_close(&r->src);
    if (r->pinit)
        csv_free(&r->p);
    if (r->u16)
        ucnv_close(r->u16);
    if (r->u8)
        ucnv_close(r->u8);
    dc_enc_conv_free(r->conv);
    free(r->tin);
    free(r->ib);
    free(r->raw);
    free(r->fb);
    free(r->foff);
    free(r->flen);
    free(r->db);
    free(r->fp);
    free(r->hdr_mem);
    free(r);
}

/* ---- writer ---------------------------------------------------------------------------- */

struct dc_csv_writer {
    FILE *fp;
    struct dc_csv_writer_opts o;
    int started;
    struct dc_buf line; /* the row being written: one fwrite a row */
};

struct dc_csv_writer *
dc_csv_writer_new(FILE *fp, const struct dc_csv_writer_opts *opts)
{
    struct dc_csv_writer *w = calloc(1, sizeof *w);

    if (!w)
        return NULL;
    w->fp = fp;
    if (opts)
        w->o = *opts;
    if (!w->o.delimiter)
        w->o.delimiter = ',';
    return w;
}

int
dc_csv_write_row(struct dc_csv_writer *w, const char *const *fields, size_t n, struct dc_error *err)
{
    return dc_csv_write_row_n(w, fields, NULL, n, err);
}

int
dc_csv_write_row_n(struct dc_csv_writer *w, const char *const *fields, const size_t *lens, size_t n,
                   struct dc_error *err)
{
    struct dc_buf *b = &w->line;
    char d = (char)w->o.delimiter;
    unsigned flags = (w->o.excel_guard ? DC_CSV_GUARD : 0) | (n == 1 ? DC_CSV_ALONE : 0);

    dc_buf_reset(b);
    if (!w->started && w->o.bom)
        dc_buf_add(b, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < n; i++) {
        const char *f = fields[i] ? fields[i] : "";
        size_t len = fields[i] && lens ? lens[i] : strlen(f);

        if (i)
            dc_buf_putc(b, d);
        dc_csv_field(b, f, len, d, flags);
    }
    dc_buf_puts(b, w->o.crlf ? "\r\n" : "\n");
    if (b->oom)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    w->started = 1;
    if (fwrite(b->s, 1, b->len, w->fp) != b->len)
        return dc_error_set(err, DC_EX_IOERR, "write error: %s", strerror(errno));
    return 0;
}

void
dc_csv_writer_free(struct dc_csv_writer *w)
{
    if (!w)
        return;
    dc_buf_release(&w->line);
    free(w);
}
