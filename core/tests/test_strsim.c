/*
 * test_strsim.c - unit tests for link/strsim.c.  Expected values are Winkler's
 * (1990) worked examples, and hand computations shown next to each case.
 */
#include "../link/strsim.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static int
near(double got, double want)
{
    if (got - want < 0.0005 && want - got < 0.0005)
        return 1;
    printf("#   got %.6f want %.6f\n", got, want);
    return 0;
}

static void
test_jw_winkler_paper(void)
{
    /* MARTHA/MARHTA: m=6, t=1, jaro=(1+1+5/6)/3=0.9444, prefix 3 -> 0.9611 */
    CHECK(near(dc_strsim_jaro(S("MARTHA"), S("MARHTA")), 0.9444));
    CHECK(near(dc_strsim_jaro_winkler(S("MARTHA"), S("MARHTA")), 0.9611));
    /* DWAYNE/DUANE: m=4, t=0, jaro=(4/6+4/5+1)/3=0.8222, prefix 1 -> 0.8400 */
    CHECK(near(dc_strsim_jaro(S("DWAYNE"), S("DUANE")), 0.8222));
    CHECK(near(dc_strsim_jaro_winkler(S("DWAYNE"), S("DUANE")), 0.8400));
    /* DIXON/DICKSONX: m=4, t=0, jaro=(4/5+4/8+1)/3=0.7667, prefix 2 -> 0.8133 */
    CHECK(near(dc_strsim_jaro(S("DIXON"), S("DICKSONX")), 0.7667));
    CHECK(near(dc_strsim_jaro_winkler(S("DIXON"), S("DICKSONX")), 0.8133));
}

static void
test_jw_symmetric_and_edges(void)
{
    CHECK(near(dc_strsim_jaro_winkler(S("DICKSONX"), S("DIXON")), 0.8133));
    CHECK(near(dc_strsim_jaro_winkler(S(""), S("")), 1.0));
    CHECK(near(dc_strsim_jaro_winkler(S("a"), S("")), 0.0));
    CHECK(near(dc_strsim_jaro_winkler(S("abc"), S("xyz")), 0.0));
    CHECK(near(dc_strsim_jaro_winkler(S("nguyen van hung"), S("nguyen van hung")), 1.0));
    /* "hung"/"hong": m=3 (h,n,g), t=0, jaro=(3/4+3/4+1)/3=0.8333, prefix 1 -> 0.85 */
    CHECK(near(dc_strsim_jaro_winkler(S("hung"), S("hong")), 0.85));
}

static void
test_jw_window_excludes_far_match(void)
{
    /* window for len 4 is 1: "abcd"/"dabc"? a@0 matches b@1, b@1-c? count by hand:
     * a0<->a1, b1<->b2, c2<->c3, d3: window 2..4 none (d at 0 is 3 away) -> m=3,
     * t=0: jaro=(3/4+3/4+1)/3=0.8333, no common prefix */
    CHECK(near(dc_strsim_jaro(S("abcd"), S("dabc")), 0.8333));
}

static void
test_levenshtein_bounded(void)
{
    CHECK_INT(dc_strsim_levenshtein_max(S("kitten"), S("sitting"), 5), 3);
    CHECK_INT(dc_strsim_levenshtein_max(S("kitten"), S("sitting"), 2), 3);
    CHECK_INT(dc_strsim_levenshtein_max(S("hoa"), S("hoa"), 1), 0);
    CHECK_INT(dc_strsim_levenshtein_max(S("hoa"), S("hoang"), 1), 2);
    CHECK_INT(dc_strsim_levenshtein_max(S(""), S("ab"), 3), 2);
}

static void
test_one_edit_digits(void)
{
    CHECK_INT(dc_strsim_one_edit_same_len(S("001085001234"), S("001085001235")), 1);
    CHECK_INT(dc_strsim_one_edit_same_len(S("001085001234"), S("001085001243")), 1);
    CHECK_INT(dc_strsim_one_edit_same_len(S("001085001234"), S("001085001234")), 0);
    CHECK_INT(dc_strsim_one_edit_same_len(S("001085001234"), S("001085001256")), 0);
    CHECK_INT(dc_strsim_one_edit_same_len(S("12345"), S("1234")), 0);
    CHECK_INT(dc_strsim_one_edit_same_len(S("1234"), S("2143")), 0);
}

int
main(void)
{
    RUN(test_jw_winkler_paper);
    RUN(test_jw_symmetric_and_edges);
    RUN(test_jw_window_excludes_far_match);
    RUN(test_levenshtein_bounded);
    RUN(test_one_edit_digits);
    return tap_done();
}
