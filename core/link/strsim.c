/*
 * link/strsim.c - Jaro, Jaro-Winkler and bounded Levenshtein on byte strings.
 *
 * Definitions: Jaro (1989) / Winkler (1990) as in strsim.h; the values in
 * Winkler's paper (MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX
 * 0.813) are the unit tests.  Not for: anything that needs Unicode code points.
 */
#include "strsim.h"

#include <string.h>

double
dc_strsim_jaro(const char *a, size_t na, const char *b, size_t nb)
{
    unsigned char fa[DC_STRSIM_MAXLEN], fb[DC_STRSIM_MAXLEN];
    size_t i, j, k, window, m = 0, t = 0;

    if (na > DC_STRSIM_MAXLEN)
        na = DC_STRSIM_MAXLEN;
    if (nb > DC_STRSIM_MAXLEN)
        nb = DC_STRSIM_MAXLEN;
    if (na == 0 && nb == 0)
        return 1.0;
    if (na == 0 || nb == 0)
        return 0.0;
    window = (na > nb ? na : nb) / 2;
    window = window > 0 ? window - 1 : 0;
    memset(fa, 0, na);
    memset(fb, 0, nb);
    for (i = 0; i < na; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < nb ? i + window + 1 : nb;
        for (j = lo; j < hi; j++) {
            if (!fb[j] && a[i] == b[j]) {
                fa[i] = fb[j] = 1;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    /* Transpositions: matched characters compared in order, half the mismatches. */
    for (i = 0, k = 0; i < na; i++) {
        if (!fa[i])
            continue;
        while (!fb[k])
            k++;
        if (a[i] != b[k])
            t++;
        k++;
    }
    return ((double)m / (double)na + (double)m / (double)nb +
            ((double)m - (double)t / 2.0) / (double)m) /
           3.0;
}

double
dc_strsim_jaro_winkler(const char *a, size_t na, const char *b, size_t nb)
{
    double j = dc_strsim_jaro(a, na, b, nb);
    size_t l = 0;

    while (l < 4 && l < na && l < nb && a[l] == b[l])
        l++;
    return j + (double)l * 0.1 * (1.0 - j);
}

int
dc_strsim_levenshtein_max(const char *a, size_t na, const char *b, size_t nb, int max)
{
    int row[DC_STRSIM_MAXLEN + 1];
    size_t i, j;

    if (max < 0)
        max = 0;
    if (na > DC_STRSIM_MAXLEN)
        na = DC_STRSIM_MAXLEN;
    if (nb > DC_STRSIM_MAXLEN)
        nb = DC_STRSIM_MAXLEN;
    if ((na > nb ? na - nb : nb - na) > (size_t)max)
        return max + 1;
    for (j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (i = 1; i <= na; i++) {
        int diag = row[0], best;

        row[0] = (int)i;
        best = row[0];
        for (j = 1; j <= nb; j++) {
            int up = row[j];
            int v = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return row[nb] > max ? max + 1 : row[nb];
}

int
dc_strsim_one_edit_same_len(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i, first = (size_t)-1, ndiff = 0;

    if (na != nb)
        return 0;
    for (i = 0; i < na; i++) {
        if (a[i] != b[i]) {
            if (ndiff == 0)
                first = i;
            if (++ndiff > 2)
                return 0;
        }
    }
    if (ndiff == 1)
        return 1;
    return ndiff == 2 && first + 1 < na && a[first] == b[first + 1] && a[first + 1] == b[first] ? 1
                                                                                                : 0;
}
