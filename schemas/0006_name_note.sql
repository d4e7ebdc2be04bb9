-- 0006: the note a register wrote in the name cell, split off the name by
-- normalize (issue 14 §4): "Đoàn Văn Tâm (con)" -> full_name "Đoàn Văn Tâm",
-- name_note "con".  NULL when the cell held only a name.  A note that says the
-- person died is a crosscheck finding (NAME_DEATH_MARKER).
ALTER TABLE person ADD COLUMN name_note TEXT;
