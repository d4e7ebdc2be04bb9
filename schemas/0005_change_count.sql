-- 0005: format-only changes counted, not listed (issue 17).  normalize writes a change row
-- for each change of substance (a name respelled, re-cased or its tone mark moved,
-- diacritics or zeros restored, a field moved, a value kept raw); a conversion that only
-- writes the same value another way (a date in ISO form, a sex spelling as its code, a
-- name's spacing or Unicode normalization) is counted here per import batch (the records'
-- batch, as person.batch_id), field and rule.  The value as typed stays in src_row.
-- 'dancu export --what changes' lists these counts beside the rows.
CREATE TABLE change_count (
    batch_id  INTEGER NOT NULL,
    field     TEXT NOT NULL,
    rule      TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (batch_id, field, rule)
) WITHOUT ROWID;
