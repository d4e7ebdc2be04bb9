-- Where each loaded catalogue file came from: 'shipped' (refdata/ of the
-- dancu that made or filled the database, by `dancu init`) or 'file'
-- (`dancu refdata load`), and the date of its data when known (the shipped
-- refdata/sources.csv gives it).  `dancu refdata status` prints both.
ALTER TABLE refdata_file ADD COLUMN origin TEXT NOT NULL DEFAULT 'file';
ALTER TABLE refdata_file ADD COLUMN dated TEXT;
