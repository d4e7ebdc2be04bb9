/*
 * fuzz_name.c - libFuzzer target for vntext: names, tone placement, fold, sex.
 *
 * Checks more than "no crash": a normalized name must normalize to itself
 * (idempotence), and its key must equal the fold of its full form.
 * Not for: encodings (bytes that are not UTF-8 must just be refused).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "namenote.h"
#include "vntext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *s, enum dc_tone_style style)
{
    struct dc_name a, b;
    struct dc_error err = DC_ERROR_INIT;
    char key[2048];

    if (dc_name_normalize(s, style, &a, &err) == 0) {
        struct dc_error err2 = DC_ERROR_INIT;

        if (!a.full || !a.family || !a.middle || !a.given || !a.key)
            abort();
        if (dc_name_normalize(a.full, style, &b, &err2) != 0)
            abort();
        if (strcmp(a.full, b.full) != 0 || strcmp(a.key, b.key) != 0 ||
            strcmp(a.family, b.family) != 0 || strcmp(a.given, b.given) != 0)
            abort();
        if (b.rules & ~(unsigned)(DC_NAME_NO_DIACRITICS | DC_NAME_EMPTY))
            abort();
        if (dc_text_fold(a.full, key, sizeof key) == 0 && strcmp(key, a.key) != 0)
            abort();
        dc_name_release(&b);
    }
    dc_name_release(&a);
}

/* The note split: both parts are pieces of the input (never longer), the
 * name part holds no note of its own any more, and death is read without
 * crashing on whatever is left. */
static void
check_note(const char *s)
{
    static char name[4 * DC_NAME_MAX + 1], note[4 * DC_NAME_MAX + 1];
    static char name2[4 * DC_NAME_MAX + 1], note2[4 * DC_NAME_MAX + 1];
    int r = dc_name_note_split(s, name, sizeof name, note, sizeof note);

    if (r < 0 || r > 1)
        abort();
    if (strlen(name) > strlen(s) || strlen(note) > strlen(s))
        abort();
    if (r == 0 && (strcmp(name, s) != 0 || note[0]))
        abort();
    if (r == 1 && (!strstr(s, note) || strncmp(s + strspn(s, " \t"), name, strlen(name)) != 0))
        abort();
    (void)dc_name_note_is_death(note);
    (void)dc_name_note_split(name, name2, sizeof name2, note2, sizeof note2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, out[256];
    struct dc_error err = DC_ERROR_INIT;
    char *n = NULL;
    int rec;

    if (size > 4 * DC_NAME_MAX)
        return 0;
    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_note(s);
    check_name(s, DC_TONE_OLD);
    check_name(s, DC_TONE_NEW);
    (void)dc_text_tone(s, DC_TONE_OLD, out, sizeof out);
    (void)dc_text_tone(s, DC_TONE_NEW, out, sizeof out);
    (void)dc_text_fold(s, out, sizeof out);
    (void)dc_text_has_diacritics(s);
    (void)dc_sex_parse(s, &rec);
    (void)dc_name_surname_rank(s);
    if (dc_text_nfc(s, &n, &err) == 0)
        free(n);
    free(s);
    return 0;
}
