-- 0001_init.sql - the staging database of dancu (see DESIGN.md "Data flow").
-- Never edit this file once released: add 0002_xxx.sql instead.
-- Codes are TEXT with their leading zeros; dates are ISO text with a precision.

-- One run of one stage over one input (an import file, a normalize pass, ...).
CREATE TABLE batch (
    id            INTEGER PRIMARY KEY,
    stage         TEXT NOT NULL,        -- import | normalize | dedup | crosscheck | refdata
    source        TEXT,                 -- import: --source name (default: file base name)
    src_file      TEXT,                 -- import: path as given
    sha256        TEXT,                 -- import: SHA-256 of the file's bytes as stored
    encoding      TEXT,                 -- import: encoding used, with confidence in detail
    delimiter     TEXT,
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_ok       INTEGER NOT NULL DEFAULT 0,   -- imported / normalized / ...
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    detail        TEXT,                 -- JSON: stage-specific summary
    started       TEXT NOT NULL,
    finished      TEXT
);
CREATE INDEX batch_sha ON batch(sha256);

-- How each column of an imported file was mapped (the import summary).
CREATE TABLE column_map (
    batch_id  INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,         -- 1-based column number
    header    TEXT NOT NULL,            -- the header as written
    field     TEXT,                     -- canonical field (core/fields.h), NULL = kept in extra
    how       TEXT NOT NULL,            -- alias | map-file | exact | unknown
    PRIMARY KEY (batch_id, position)
);

-- Every imported data row, as read (decoded to UTF-8 NFC), before normalization.
-- Its source name and file are those of its batch (one batch = one file): not
-- repeated on a million rows.  No index on batch_id: rows are read in id order,
-- and keeping one costs import half its speed (measured: 9.4 s vs 4.7 s for 1M rows).
CREATE TABLE src_row (
    id              INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
    src_row         INTEGER NOT NULL,   -- 1-based data record number, header excluded
    src_line        INTEGER NOT NULL,   -- physical line where the record starts
    full_name       TEXT, family_name TEXT, middle_name TEXT, given_name TEXT, other_name TEXT,
    dob             TEXT, sex TEXT, id_number TEXT, cmnd TEXT,
    issue_date      TEXT, issue_place TEXT, expiry_date TEXT,
    ethnic          TEXT, religion TEXT, nationality TEXT,
    address         TEXT, address_current TEXT, ward TEXT, district TEXT, province TEXT,
    hometown        TEXT, birth_place TEXT, household_no TEXT, relation TEXT, phone TEXT,
    mrz             TEXT, qr TEXT,
    extra           TEXT                -- JSON object of the columns no field took
);

-- Rows that could not be imported; the raw bytes are kept as read.
CREATE TABLE reject (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
    source    TEXT NOT NULL,
    src_file  TEXT NOT NULL,
    src_row   INTEGER NOT NULL,
    src_line  INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    raw       BLOB NOT NULL
);

-- Administrative units of both eras (refdata load).  era: 'pre2025' | '2025'.
CREATE TABLE unit (
    era            TEXT NOT NULL,
    level          TEXT NOT NULL,       -- province | district | ward
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,       -- the catalogue's own spelling
    unit_type      TEXT,                -- Phường, Xã, Thị trấn, Đặc khu, Quận, Huyện, Tỉnh, ...
    province_code  TEXT,
    district_code  TEXT,
    PRIMARY KEY (era, level, code)
);

-- Pre-2025 -> 2025 mapping. kind: 'ward' | 'province'.  A split ward has several rows.
CREATE TABLE unit_map (
    kind      TEXT NOT NULL,
    old_code  TEXT NOT NULL,
    new_code  TEXT NOT NULL,
    note      TEXT,
    PRIMARY KEY (kind, old_code, new_code)
);

CREATE TABLE ethnic (
    code         TEXT PRIMARY KEY,      -- 2008 list (QĐ 1019/QĐ-TCTK)
    name         TEXT NOT NULL,
    name_qcvn109 TEXT,
    code_1979    TEXT,
    name_1979    TEXT,
    other_names  TEXT
);

CREATE TABLE religion (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

-- Which catalogue files were loaded, when, with what content.
CREATE TABLE refdata_file (
    kind     TEXT NOT NULL,
    file     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    rows     INTEGER NOT NULL,
    loaded   TEXT NOT NULL
);

-- Normalized records: one per src_row (record_id = src_row.id).
CREATE TABLE person (
    record_id         INTEGER PRIMARY KEY REFERENCES src_row(id) ON DELETE CASCADE,
    batch_id          INTEGER NOT NULL,  -- the import batch
    source            TEXT NOT NULL,
    src_file          TEXT NOT NULL,
    src_row           INTEGER NOT NULL,
    src_line          INTEGER NOT NULL,
    full_name         TEXT, family_name TEXT, middle_name TEXT, given_name TEXT,
    name_key          TEXT,
    dob               TEXT,
    dob_precision     TEXT,              -- day | month | year | invalid | ''
    dob_raw           TEXT,
    sex               TEXT,              -- M | F | ''
    sex_raw           TEXT,
    id12              TEXT, cmnd TEXT, id_raw TEXT,
    issue_date        TEXT, expiry_date TEXT,
    ethnic            TEXT, ethnic_code TEXT, religion TEXT,
    address_raw       TEXT, address_detail TEXT,
    province_code     TEXT, district_code TEXT, ward_code TEXT,
    new_province_code TEXT, new_ward_code TEXT,
    addr_confidence   REAL, addr_reason TEXT,
    mrz               TEXT, qr TEXT
);
CREATE INDEX person_id12 ON person(id12);
CREATE INDEX person_src ON person(source, src_row);

-- Every change normalize made to a value, and why.
CREATE TABLE change (
    record_id  INTEGER NOT NULL,
    field      TEXT NOT NULL,
    before     TEXT,
    after      TEXT,
    rule       TEXT NOT NULL
);
CREATE INDEX change_record ON change(record_id);

-- Scored candidate pairs (dedup), a < b.
CREATE TABLE pair (
    a       INTEGER NOT NULL,
    b       INTEGER NOT NULL,
    weight  REAL NOT NULL,               -- total match weight (log2 Bayes factor)
    prob    REAL NOT NULL,               -- match probability
    gamma   INTEGER NOT NULL,            -- packed comparison levels
    PRIMARY KEY (a, b)
) WITHOUT ROWID;

CREATE TABLE cluster (
    record_id   INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL         -- smallest record_id in the cluster: stable
);
CREATE INDEX cluster_id ON cluster(cluster_id);

-- Fellegi-Sunter parameters (m, u, lambda, term frequencies) as text.
CREATE TABLE dedup_params (
    id       INTEGER PRIMARY KEY,
    created  TEXT NOT NULL,
    params   TEXT NOT NULL
);

-- Cross-check findings.
CREATE TABLE finding (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER,                  -- NULL for a finding on no single record
    code       TEXT NOT NULL,
    severity   TEXT NOT NULL,            -- error | warning | info
    field      TEXT,
    expected   TEXT,
    actual     TEXT,
    message    TEXT NOT NULL
);
CREATE INDEX finding_record ON finding(record_id);
