/*
 * tap.h - the smallest test harness: TAP output for meson's `protocol: 'tap'`.
 *
 *   static void test_date_year_only(void) { CHECK_STR(x, "1945"); ... }
 *   int main(void) { RUN(test_date_year_only); return tap_done(); }
 *
 * Each CHECK is one TAP line; a failure prints the file, line and both values
 * as a TAP comment.  tap_done() prints the plan and returns 1 if anything
 * failed, so the test binary's exit status is the verdict too.
 */
#ifndef DC_TAP_H
#define DC_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;
static const char *tap_case = "";

static inline int
tap_check(int ok, const char *expr, const char *file, int line)
{
    tap_n++;
    if (ok) {
        printf("ok %d - %s: %s\n", tap_n, tap_case, expr);
    } else {
        tap_failed++;
        printf("not ok %d - %s: %s\n# at %s:%d\n", tap_n, tap_case, expr, file, line);
    }
    return ok;
}

static inline int
tap_check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
    int ok = (got == NULL && want == NULL) ||
             (got != NULL && want != NULL && strcmp(got, want) == 0);
    if (!tap_check(ok, expr, file, line))
        printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got ? got : "(null)",
               want ? want : "(null)");
    return ok;
}

static inline int
tap_check_int(long long got, long long want, const char *expr, const char *file, int line)
{
    int ok = got == want;
    if (!tap_check(ok, expr, file, line))
        printf("#   got:  %lld\n#   want: %lld\n", got, want);
    return ok;
}

#define CHECK(cond) tap_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) tap_check_str((got), (want), #got " == " #want, __FILE__, __LINE__)
#define CHECK_INT(got, want) tap_check_int((long long)(got), (long long)(want), #got " == " #want, __FILE__, __LINE__)
#define RUN(fn) (tap_case = #fn, fn())

static inline int
tap_done(void)
{
    printf("1..%d\n", tap_n);
    if (tap_failed)
        printf("# %d of %d checks failed\n", tap_failed, tap_n);
    return tap_failed ? 1 : 0;
}

#endif
