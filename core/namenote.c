/*
 * namenote.c - split the note off a name cell (see namenote.h).
 *
 * Byte-level: every mark is ASCII or a UTF-8 dash (U+2013, U+2014), so no
 * decoding is needed to find it; the death words are matched on the fold key
 * (vntext.h dc_text_fold), so case, diacritics and tone placement do not
 * matter.
 */
#include "namenote.h"

#include <string.h>

#include "vntext.h"

static const char en_dash[] = "\xE2\x80\x93", em_dash[] = "\xE2\x80\x94";

static int
is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of a dash at s (ASCII '-', en or em dash), 0 if none. */
static size_t
dash_at(const char *s)
{
    if (*s == '-')
        return 1;
    if (strncmp(s, en_dash, 3) == 0 || strncmp(s, em_dash, 3) == 0)
        return 3;
    return 0;
}

/* Copy s[0..n) trimmed of spaces and of the given trailing marks into out. */
static int
put_trimmed(const char *s, size_t n, const char *strip, char *out, size_t size)
{
    while (n > 0 && (is_space(*s) || strchr(strip, *s))) {
        s++;
        n--;
    }
    while (n > 0 && (is_space(s[n - 1]) || strchr(strip, s[n - 1])))
        n--;
    if (n >= size)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* "con)" -> "con", "cháu (mất tích)" stays: a closing bracket at the end goes
 * when the note opens none (the opener was the mark itself). */
static void
drop_unmatched_closers(char *note)
{
    size_t n = strlen(note);

    while (n > 0) {
        char c = note[n - 1];
        if (((c == ')' && !strchr(note, '(')) || (c == ']' && !strchr(note, '['))) || is_space(c) ||
            strchr("-.,;:", c))
            note[--n] = '\0';
        else
            break;
    }
}

static int
has_letter(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80)
            return 1;
    }
    return 0;
}

/* Where the note starts in s (the mark's offset) and where its text starts;
 * len when there is none. */
static size_t
find_mark(const char *s, size_t len, size_t *text)
{
    for (size_t i = 0; i < len; i++) {
        size_t d;
        if (s[i] == ',' || s[i] == ';') {
            *text = i + 1;
            return i;
        }
        if (s[i] == '(' || s[i] == '[') {
            /* a group that closes at the end, or never closes */
            char close = s[i] == '(' ? ')' : ']';
            const char *c = memchr(s + i + 1, close, len - i - 1);
            size_t j = c ? (size_t)(c - s) + 1 : len;
            while (j < len && (is_space(s[j]) || strchr(".)]", s[j])))
                j++;
            if (j == len) {
                *text = i + 1;
                return i;
            }
            continue;
        }
        /* a space before the dash: "á»—" (Đỗ's UTF-8 read as cp1252) ends
         * in an em dash right after a letter; mojibake is repaired later */
        if ((d = dash_at(s + i)) > 0 && i > 0 && is_space(s[i - 1])) {
            *text = i + d;
            return i;
        }
    }
    return len;
}

int
dc_name_note_split(const char *in, char *name, size_t name_size, char *note, size_t note_size)
{
    size_t len, mark, text = 0;

    if (name_size == 0 || note_size == 0)
        return -1;
    name[0] = note[0] = '\0';
    if (!in)
        in = "";
    len = strlen(in);
    mark = find_mark(in, len, &text);
    if (mark < len && has_letter(in, mark) && has_letter(in + text, len - text)) {
        if (put_trimmed(in, mark, "", name, name_size) < 0 ||
            put_trimmed(in + text, len - text, "-.,;:", note, note_size) < 0) {
            name[0] = note[0] = '\0';
            return -1;
        }
        drop_unmatched_closers(note);
        return 1;
    }
    if (len >= name_size)
        return -1;
    memcpy(name, in, len + 1);
    return 0;
}

int
dc_name_note_is_death(const char *note)
{
    /* Fold keys; each is matched as whole words anywhere in the note. */
    static const char *const words[] = {"chet",    "qua doi", "tu tran", "tu vong",
                                        "khai tu", "hy sinh", "liet si", "mat"};
    char key[256];
    size_t n;

    if (!note || dc_text_fold(note, key, sizeof key) < 0)
        return 0;
    n = strlen(key);
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t wl = strlen(words[w]);
        for (const char *p = key; (p = strstr(p, words[w])) != NULL; p++) {
            size_t at = (size_t)(p - key);
            if ((at > 0 && key[at - 1] != ' ') || (at + wl < n && key[at + wl] != ' '))
                continue;
            /* "mất tích" is missing, not dead */
            if (strcmp(words[w], "mat") == 0 && strncmp(p + wl, " tich", 5) == 0)
                continue;
            return 1;
        }
    }
    return 0;
}
