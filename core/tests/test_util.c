/*
 * test_util.c - unit tests for core/util/: hex of bytes (every nibble, the empty string,
 * NUL bytes) and SHA-256 finished as hex (FIPS 180-2 Appendix B vectors; a failed final
 * leaves the output alone); the growable buffer (appends across growth, printf longer
 * than the first allocation, reserve and direct writes, reset, NULL-safe release); one CSV
 * field (RFC 4180 quoting, the lone empty field, the formula guard, NUL bytes); FNV-1a
 * (hash.h) against the vectors of the FNV reference code; the relay (both shapes, on a
 * thread and forced inline: the same sequence either way, a worker that ends early, a
 * caller that stops early); the thread count of --threads.
 */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "tap.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/hex.h"
#include "util/relay.h"
#include "util/threads.h"

static void
test_hex_every_nibble(void)
{
    const unsigned char b[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0xff};
    char out[2 * sizeof b + 1];

    CHECK_STR(dc_hex_encode(b, sizeof b, out), "0123456789abcdef00ff");
    CHECK_STR(dc_hex_encode(b, 0, out), "");
    CHECK_STR(dc_hex_encode((const unsigned char *)"\0\0", 2, out), "0000");
}

static void
sha(const char *s, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    strcpy(hex, "unset");
    CHECK(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
          EVP_DigestUpdate(md, s, strlen(s)) == 1);
    CHECK_INT(dc_sha256_final_hex(md, hex), 0);
    EVP_MD_CTX_free(md);
}

static void
test_sha256_fips_vectors(void)
{
    char hex[65];

    sha("abc", hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha("", hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_sha256_not_sha256(void)
{
    char hex[65] = "kept";
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    /* a SHA-1 context gives 20 bytes: refused, hex untouched */
    CHECK(md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1);
    CHECK_INT(dc_sha256_final_hex(md, hex), -1);
    CHECK_STR(hex, "kept");
    EVP_MD_CTX_free(md);
}

static void
test_buf_grows_and_prints(void)
{
    struct dc_buf b = DC_BUF_INIT;
    char big[300];

    CHECK_STR(dc_buf_str(&b), ""); /* nothing allocated yet */
    CHECK(b.s == NULL);
    for (int i = 0; i < 100; i++)
        dc_buf_putc(&b, (char)('a' + i % 26));
    CHECK_INT(b.len, 100);
    CHECK_INT(strlen(b.s), 100);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dc_buf_reset(&b);
    CHECK_STR(dc_buf_str(&b), "");
    dc_buf_printf(&b, "%s|%d|%.2f", big, -7, 1.005);
    CHECK_INT(b.len, 299 + strlen("|-7|1.00"));
    CHECK_STR(b.s + 299, "|-7|1.00");
    dc_buf_add(&b, "\0z", 2); /* bytes, NUL included */
    CHECK_INT(b.len, 299 + 8 + 2);
    CHECK_INT(b.s[b.len - 1], 'z');
    CHECK_INT(b.oom, 0);
    dc_buf_release(&b);
    CHECK(b.s == NULL && b.len == 0 && b.cap == 0);
}

/* dc_grow: first room, then doubling, the elements kept; an overflowing size refused
 * with the array and its capacity untouched. */
static void
test_grow_doubles_and_refuses(void)
{
    size_t cap = 0, i, n = 0;
    int *a = NULL, *g;

    for (i = 0; i < 1000; i++) {
        if (n == cap) {
            size_t before = cap;

            g = dc_grow(a, &cap, 16, sizeof *a);
            CHECK(g != NULL);
            if (!g)
                break;
            CHECK_INT(cap, before ? 2 * before : 16);
            a = g;
        }
        a[n++] = (int)i;
    }
    CHECK_INT(cap, 1024);
    for (i = 0; i < n && a[i] == (int)i; i++)
        ;
    CHECK_INT(i, 1000);
    cap = SIZE_MAX / 2 + 1; /* doubling wraps */
    CHECK(dc_grow(a, &cap, 16, sizeof *a) == NULL);
    CHECK(cap == SIZE_MAX / 2 + 1);
    cap = SIZE_MAX / 4; /* twice the room fits a size_t, its bytes do not */
    CHECK(dc_grow(a, &cap, 16, sizeof *a) == NULL);
    CHECK(cap == SIZE_MAX / 4);
    CHECK_INT(a[999], 999); /* still ours */
    free(a);
}

static void
test_buf_reserve_and_release_null(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_INT(dc_buf_reserve(&b, 10), 0);
    CHECK(b.cap >= 11);
    memcpy(b.s, "0123456789", 10);
    b.len = 10;
    b.s[10] = '\0';
    dc_buf_puts(&b, "!");
    CHECK_STR(dc_buf_str(&b), "0123456789!");
    dc_buf_release(&b);
    dc_buf_release(&b); /* twice: fine */
    dc_buf_release(NULL);
    CHECK(1);
}

static const char *
field(struct dc_buf *b, const char *s, size_t n, char delim, unsigned flags)
{
    dc_buf_reset(b);
    dc_csv_field(b, s, n, delim, flags);
    return dc_buf_str(b);
}

static void
test_csv_field_quoting(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(field(&b, "plain", 5, ',', 0), "plain");
    CHECK_STR(field(&b, "a,b", 3, ',', 0), "\"a,b\"");
    CHECK_STR(field(&b, "a,b", 3, ';', 0), "a,b"); /* only the delimiter in use */
    CHECK_STR(field(&b, "a;b", 3, ';', 0), "\"a;b\"");
    CHECK_STR(field(&b, "say \"hi\"", 8, ',', 0), "\"say \"\"hi\"\"\"");
    CHECK_STR(field(&b, "l1\nl2", 5, ',', 0), "\"l1\nl2\"");
    CHECK_STR(field(&b, "cr\r", 3, ',', 0), "\"cr\r\"");
    CHECK_STR(field(&b, "", 0, ',', 0), "");
    CHECK_STR(field(&b, "", 0, ',', DC_CSV_ALONE), "\"\""); /* not a blank line */
    CHECK_STR(field(&b, "x", 1, ',', DC_CSV_ALONE), "x");
    dc_buf_release(&b);
}

static void
test_csv_field_guard(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(field(&b, "=1+1", 4, ',', DC_CSV_GUARD), "'=1+1");
    CHECK_STR(field(&b, "-5", 2, ',', DC_CSV_GUARD), "'-5");
    CHECK_STR(field(&b, "@x", 2, ',', DC_CSV_GUARD), "'@x");
    CHECK_STR(field(&b, "=a,b", 4, ',', DC_CSV_GUARD), "\"'=a,b\""); /* quote, then guard */
    CHECK_STR(field(&b, "=1", 2, ',', 0), "=1");
    CHECK_STR(field(&b, "a=1", 3, ',', DC_CSV_GUARD), "a=1");
    field(&b, "\0a", 2, ',', DC_CSV_GUARD); /* a NUL byte first is guarded too */
    CHECK_INT(b.len, 3);
    CHECK_INT(b.s[0], '\'');
    CHECK_INT(b.s[1], 0);
    dc_buf_release(&b);
}

static void
test_fnv1a_vectors(void)
{
    /* Fowler/Noll/Vo reference test vectors (test_fnv.c: "", "a", "foobar") */
    CHECK(dc_hash32("", 0) == 0x811c9dc5u);
    CHECK(dc_hash32("a", 1) == 0xe40c292cu);
    CHECK(dc_hash32("foobar", 6) == 0xbf9cf968u);
    CHECK(dc_hash64("", 0) == 0xcbf29ce484222325ull);
    CHECK(dc_hash64("a", 1) == 0xaf63dc4c8601ec8cull);
    CHECK(dc_hash64("foobar", 6) == 0x85944171f73967e8ull);
}

/* ---- the relay ---- */

enum { RELAY_JOBS = 5000, RELAY_MAX_SLOTS = 4 };

struct seq {
    long slot[RELAY_MAX_SLOTS];
    int held[RELAY_MAX_SLOTS]; /* the caller has the slot (a job must not touch it) */
    long next, stop_at;        /* the next value; the job that ends the worker */
    long out[RELAY_JOBS];      /* what an emptying worker took, in order */
    long nout;
    int clash; /* a job ran on a slot the caller held */
};

/* a reader: fills slot i with the next number; the job stop_at is the last */
static int
fill_seq(void *ud, unsigned i)
{
    struct seq *q = ud;

    q->clash |= q->held[i];
    q->slot[i] = q->next++;
    return q->slot[i] == q->stop_at;
}

/* a writer: takes the number of slot i; the value stop_at makes it fail (end) */
static int
empty_seq(void *ud, unsigned i)
{
    struct seq *q = ud;

    q->clash |= q->held[i];
    q->out[q->nout++] = q->slot[i];
    return q->slot[i] == q->stop_at;
}

/* FILL, every number read in order up to the last; the count of turns taken */
static long
relay_fill_run(unsigned n, int force_inline, long stop_at, long *sum)
{
    struct seq *q = calloc(1, sizeof *q);
    struct dc_relay r;
    long turns = 0, want = 0, bad = 0;

    q->stop_at = stop_at;
    dc_relay_force_inline(force_inline);
    dc_relay_init(&r, DC_RELAY_FILL, n, fill_seq, q);
    CHECK_INT(dc_relay_start(&r), !force_inline);
    *sum = 0;
    for (;;) {
        int i = dc_relay_take(&r);
        if (i < 0)
            break;
        q->held[i] = 1;
        bad += q->slot[i] != want++;
        *sum += q->slot[i];
        turns++;
        int last = q->slot[i] == stop_at;
        q->held[i] = 0;
        dc_relay_give(&r);
        if (last)
            break;
    }
    CHECK_INT(dc_relay_take(&r), -1); /* after the last: nothing more */
    dc_relay_free(&r);
    dc_relay_force_inline(0);
    CHECK_INT(bad, 0);
    CHECK_INT(q->clash, 0);
    free(q);
    return turns;
}

static void
test_relay_fill_threaded_and_inline(void)
{
    for (unsigned n = 1; n <= 3; n++) {
        long s_thr, s_inl;
        CHECK_INT(relay_fill_run(n, 0, RELAY_JOBS - 1, &s_thr), RELAY_JOBS);
        CHECK_INT(relay_fill_run(n, 1, RELAY_JOBS - 1, &s_inl), RELAY_JOBS);
        CHECK_INT(s_thr, (long)RELAY_JOBS * (RELAY_JOBS - 1) / 2);
        CHECK_INT(s_inl, s_thr);
    }
    long s;
    CHECK_INT(relay_fill_run(3, 0, 0, &s), 1); /* the first job is the last */
    CHECK_INT(relay_fill_run(3, 1, 0, &s), 1);
}

/* the caller stops after a few turns: the reader stops too, at most n jobs ahead */
static void
test_relay_fill_caller_stops(void)
{
    for (int inl = 0; inl <= 1; inl++) {
        struct seq *q = calloc(1, sizeof *q);
        struct dc_relay r;

        q->stop_at = -1; /* never ends by itself */
        dc_relay_force_inline(inl);
        dc_relay_init(&r, DC_RELAY_FILL, 3, fill_seq, q);
        dc_relay_start(&r);
        for (int t = 0; t < 10; t++) {
            int i = dc_relay_take(&r);
            CHECK_INT(q->slot[i], t);
            dc_relay_give(&r);
        }
        dc_relay_stop(&r);
        CHECK(q->next >= 10 && q->next <= 13);
        if (inl)
            CHECK_INT(q->next, 10); /* inline reads only what was asked for */
        dc_relay_stop(&r);          /* idempotent */
        dc_relay_free(&r);
        dc_relay_force_inline(0);
        free(q);
    }
}

/* EMPTY: what the caller put in, the worker took, all of it and in order */
static long
relay_empty_run(unsigned n, int force_inline, long stop_at, long *refused)
{
    struct seq *q = calloc(1, sizeof *q);
    struct dc_relay r;
    long bad = 0, got;

    q->stop_at = stop_at;
    *refused = -1;
    dc_relay_force_inline(force_inline);
    dc_relay_init(&r, DC_RELAY_EMPTY, n, empty_seq, q);
    CHECK_INT(dc_relay_start(&r), !force_inline);
    for (long v = 0; v < RELAY_JOBS; v++) {
        int i = dc_relay_take(&r);
        if (i < 0) {
            *refused = v;
            break;
        }
        q->held[i] = 1;
        q->slot[i] = v;
        q->held[i] = 0;
        dc_relay_give(&r);
    }
    dc_relay_stop(&r); /* drains: every slot given is taken */
    dc_relay_free(&r);
    dc_relay_force_inline(0);
    for (long k = 0; k < q->nout; k++)
        bad += q->out[k] != k;
    CHECK_INT(bad, 0);
    CHECK_INT(q->clash, 0);
    got = q->nout;
    free(q);
    return got;
}

static void
test_relay_empty_threaded_and_inline(void)
{
    long refused;

    for (unsigned n = 1; n <= 4; n++) {
        CHECK_INT(relay_empty_run(n, 0, -1, &refused), RELAY_JOBS);
        CHECK_INT(refused, -1);
        CHECK_INT(relay_empty_run(n, 1, -1, &refused), RELAY_JOBS);
        CHECK_INT(refused, -1);
    }
}

/* a writer that fails (a full disk) takes nothing after the failure, and the caller is
 * refused a slot within n turns of it */
static void
test_relay_empty_worker_fails(void)
{
    long refused;

    for (int inl = 0; inl <= 1; inl++) {
        CHECK_INT(relay_empty_run(4, inl, 100, &refused), 101);
        CHECK(refused > 100 && refused <= 100 + 4 + 1);
    }
}

/* --threads N is N threads in all, capped by what the stage can use; 0 is the cores this
 * process may use (its affinity mask: taskset narrows it) */
static void
test_threads_requested_and_machine(void)
{
    cpu_set_t set;
    int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;

    CHECK_INT(dc_threads(3, 16), 3);
    CHECK_INT(dc_threads(1, 16), 1);
    CHECK_INT(dc_threads(100, 4), 4);
    CHECK_INT(dc_threads(2, 0), 1); /* a stage that can use none still has its own */
    CHECK(cores >= 1);
    CHECK_INT(dc_threads(0, 256), cores);
    CHECK_INT(dc_threads(-5, 256), cores);
    CHECK_INT(dc_threads(0, 1), 1);
}

int
main(void)
{
    RUN(test_grow_doubles_and_refuses);
    RUN(test_hex_every_nibble);
    RUN(test_sha256_fips_vectors);
    RUN(test_sha256_not_sha256);
    RUN(test_buf_grows_and_prints);
    RUN(test_buf_reserve_and_release_null);
    RUN(test_csv_field_quoting);
    RUN(test_csv_field_guard);
    RUN(test_fnv1a_vectors);
    RUN(test_relay_fill_threaded_and_inline);
    RUN(test_relay_fill_caller_stops);
    RUN(test_relay_empty_threaded_and_inline);
    RUN(test_relay_empty_worker_fails);
    RUN(test_threads_requested_and_machine);
    return tap_done();
}
