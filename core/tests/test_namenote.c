/*
 * test_namenote.c - notes split off name cells, and death markers.
 */
#include <string.h>

#include "namenote.h"
#include "tap.h"

static void
test_split_forms_clerks_write(void)
{
    static const struct {
        const char *in, *name, *note;
        int ret;
    } t[] = {
        {"Đoàn Văn Tâm (con)", "Đoàn Văn Tâm", "con", 1},
        {"Nguyễn Văn An - chủ hộ", "Nguyễn Văn An", "chủ hộ", 1},
        {"Nguyễn Văn An -chủ hộ", "Nguyễn Văn An", "chủ hộ", 1},
        {"Nguyễn Văn An – Chủ hộ", "Nguyễn Văn An", "Chủ hộ", 1},
        {"Lê Thị Bình (đã chết)", "Lê Thị Bình", "đã chết", 1},
        {"Lê Thị Bình (đã chết", "Lê Thị Bình", "đã chết", 1}, /* cut by the column */
        {"Trần Văn Cường [CH]", "Trần Văn Cường", "CH", 1},
        {"Phạm Thị Dung, vợ", "Phạm Thị Dung", "vợ", 1},
        {"Phạm Thị Dung; vợ chủ hộ", "Phạm Thị Dung", "vợ chủ hộ", 1},
        {"Hồ Văn E - chủ hộ (đã mất)", "Hồ Văn E", "chủ hộ (đã mất)", 1},
        {"Trần Văn Em, cháu (mất tích).", "Trần Văn Em", "cháu (mất tích)", 1},
        {"Đinh Thị H (con).)", "Đinh Thị H", "con", 1},
        {"  Đinh Văn G  (cháu).  ", "Đinh Văn G", "cháu", 1},
        /* no note: a hyphen inside a word, an apostrophe, a group in the middle,
         * nothing that could be a name before the mark, nothing after it */
        {"Nguyễn Thị Minh-Khai", "Nguyễn Thị Minh-Khai", "", 0},
        {"Äá»— Văn Minh", "Äá»— Văn Minh", "", 0}, /* mojibake of Đỗ: no note */
        {"Ksor H'Hen", "Ksor H'Hen", "", 0},
        {"Nguyễn (Văn) An", "Nguyễn (Văn) An", "", 0},
        {"(con) Nguyễn Văn An", "(con) Nguyễn Văn An", "", 0},
        {"Nguyễn Văn An -", "Nguyễn Văn An -", "", 0},
        {"Nguyễn Văn An ()", "Nguyễn Văn An ()", "", 0},
        {"", "", "", 0},
    };
    char name[64], note[64];

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        TAP_ROW("name cell \"%s\"", t[i].in);
        int r = dc_name_note_split(t[i].in, name, sizeof name, note, sizeof note);
        CHECK_INT(r, t[i].ret);
        CHECK_STR(name, t[i].name);
        CHECK_STR(note, t[i].note);
    }
    TAP_ROW_END();
    CHECK_INT(dc_name_note_split(NULL, name, sizeof name, note, sizeof note), 0);
    CHECK_STR(name, "");
}

static void
test_split_buffers_too_small(void)
{
    char name[8], note[4];

    CHECK_INT(dc_name_note_split("Đoàn Văn Tâm (con)", name, sizeof name, note, sizeof note), -1);
    CHECK_STR(name, "");
    CHECK_STR(note, "");
    CHECK_INT(dc_name_note_split("Nguyễn Văn Tâm", name, sizeof name, note, sizeof note), -1);
    CHECK_INT(dc_name_note_split("An", name, 0, note, sizeof note), -1);
}

static void
test_death_markers(void)
{
    static const struct {
        const char *note;
        int dead;
    } t[] = {
        {"đã chết", 1},
        {"ĐÃ CHẾT", 1},
        {"da chet", 1},
        {"chết", 1},
        {"mất", 1},
        {"đã mất", 1},
        {"Đã mất năm 2019", 1},
        {"qua đời", 1},
        {"từ trần", 1},
        {"tử vong", 1},
        {"đã khai tử", 1},
        {"liệt sĩ", 1},
        {"hy sinh", 1},
        {"chủ hộ (đã mất", 1},
        {"mất tích", 0},
        {"con", 0},
        {"chủ hộ", 0},
        {"vợ", 0},
        {"Mạt", 1}, /* folds like "mất": a clerk's typo is read the safe way: checked */
        {"chetxyz", 0},
        {"", 0},
        {NULL, 0},
    };

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        TAP_ROW("note \"%s\"", t[i].note ? t[i].note : "(null)");
        CHECK_INT(dc_name_note_is_death(t[i].note), t[i].dead);
    }
    TAP_ROW_END();
}

int
main(void)
{
    RUN(test_split_forms_clerks_write);
    RUN(test_split_buffers_too_small);
    RUN(test_death_markers);
    return tap_done();
}
