/*
 * tap.h - the smallest test harness: TAP output for meson's `protocol: 'tap'`.
 *
 *   static void test_date_year_only(void) { CHECK_STR(x, "1945"); ... }
 *   int main(void) { RUN(test_date_year_only); return tap_done(); }
 *
 * Each CHECK is one TAP line; a failure prints the file, line and both values
 * as a TAP comment.  tap_done() prints the plan and returns 1 if anything
 * failed, so the test binary's exit status is the verdict too.
 *
 * Table-driven tests name the row they check, so that a failure inside the loop
 * says which input failed, not only the loop's line:
 *
 *   for (i = 0; i < n; i++) {
 *       TAP_ROW("row %zu: \"%s\"", i, t[i].raw);
 *       CHECK_STR(...);
 *   }
 *   TAP_ROW_END();
 *
 * A failing CHECK then prints "#   row:  row 3: "30/02/1990"" (control bytes as
 * \xNN).  RUN clears the row, so a row never outlives its test case.
 */
#ifndef DC_TAP_H
#define DC_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;
static const char *tap_case = "";
static char tap_row[512]; /* the table row being checked (TAP_ROW), "" outside a loop */

static inline void
tap_print_row(void)
{
    const unsigned char *p;

    if (!tap_row[0])
        return;
    fputs("#   row:  ", stdout);
    for (p = (const unsigned char *)tap_row; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    putchar('\n');
}

static inline int
tap_check(int ok, const char *expr, const char *file, int line)
{
    tap_n++;
    if (ok) {
        printf("ok %d - %s: %s\n", tap_n, tap_case, expr);
    } else {
        tap_failed++;
        printf("not ok %d - %s: %s\n# at %s:%d\n", tap_n, tap_case, expr, file, line);
        tap_print_row();
    }
    return ok;
}

static inline int
tap_check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
    int ok =
        (got == NULL && want == NULL) || (got != NULL && want != NULL && strcmp(got, want) == 0);
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
#define CHECK_INT(got, want)                                                                       \
    tap_check_int((long long)(got), (long long)(want), #got " == " #want, __FILE__, __LINE__)
#define RUN(fn) (tap_case = #fn, tap_row[0] = '\0', fn())
/* Name the table row the next CHECKs test (printf format); TAP_ROW_END after the loop. */
#define TAP_ROW(...) snprintf(tap_row, sizeof tap_row, __VA_ARGS__)
#define TAP_ROW_END() (tap_row[0] = '\0')

static inline int
tap_done(void)
{
    printf("1..%d\n", tap_n);
    if (tap_failed)
        printf("# %d of %d checks failed\n", tap_failed, tap_n);
    return tap_failed ? 1 : 0;
}

#endif
