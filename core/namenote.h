/*
 * namenote.h - the note a register writes after a person's name (issue 14 §4).
 *
 * Commune registers kept in spreadsheets put remarks in the name cell:
 * "Đoàn Văn Tâm (con)", "Nguyễn Văn An - chủ hộ", "Lê Thị Bình (đã chết)",
 * "Trần Văn Cường [CH]", "Phạm Thị Dung, vợ".  Read as a name, the note becomes
 * a given name ("Con", "Chết").  A note is what follows the name after one of
 * the marks a clerk uses and a name never holds:
 *   - a trailing group in ( ) or [ ];
 *   - " - ", " – ", " — " (a dash after a space; a hyphen inside a word,
 *     "Minh-Khai", is part of the name, and so is the em dash that ends
 *     "Äá»—", Đỗ's UTF-8 read as Windows-1252, repaired later) and what follows;
 *   - ", " or "; " and what follows.
 * The name part keeps everything before the mark; when nothing that could be
 * a name is left (no letter), there is no note and the text stays whole.
 *
 * Not for: normalizing the name itself (vntext.h dc_name_normalize).
 */
#ifndef DC_NAMENOTE_H
#define DC_NAMENOTE_H

#include <stddef.h>

/* Split in into name and note.  Returns 1 with both written (trimmed of
 * spaces and the marks themselves), 0 when in holds no note (name = in,
 * note = ""), -1 when either does not fit its buffer (both "").  in NULL is
 * treated as "". */
int dc_name_note_split(const char *in, char *name, size_t name_size, char *note, size_t note_size);

/* 1 if the note says the person has died: "đã chết", "chết", "(mất)",
 * "đã mất", "qua đời", "từ trần", "tử vong", "khai tử", "hy sinh", "liệt sĩ",
 * "từ trần năm 2019", in any case, with or without diacritics ("da chet");
 * "mất tích" (missing) is not a death.  0 otherwise. */
int dc_name_note_is_death(const char *note);

#endif
