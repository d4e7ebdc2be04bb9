-- 0004: rows an import skipped, by kind (issue 14).  rows_read = rows_ok + rows_rejected +
-- rows_skipped for an import batch; the kinds (above the header, blank, footer), the header's
-- row, the file kind and the sheet are in detail:
--   {"confidence": 1.00, ..., "kind": "xlsx", "sheet": "Danh sách", "header_row": 6,
--    "skipped": {"above_header": 5, "blank": 5, "footer": 5}}
ALTER TABLE batch ADD COLUMN rows_skipped INTEGER NOT NULL DEFAULT 0;
