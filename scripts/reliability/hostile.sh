#!/usr/bin/env bash
# hostile - hostile input files: each handled with a clear error or a reject row
# (reason, line, raw bytes), memory bounded, no crash, the database intact.
#   hostile.sh DANCU             the fast cases (a 200 MB single line)
#   hostile.sh DANCU --long      only the single-line cases, with 2 GB (scripts/test --long)
# Every case checks the exit status, the stderr message (it names the file;
# whole-file errors also the line), PRAGMA integrity_check, and for every
# batch rows read = imported + rejected, against the rows actually stored.
# Peak RSS is measured with wait4(2) (python3) and must stay under $limit_mb;
# under ASan the quarantine is shrunk for those runs, else ASan's own 256 MB
# of freed-but-kept memory would be counted.
# Not for: gzip rules, encodings and quoting in detail (unit test_csvio and
# the golden import cases); crashes at random points (crash-kill.sh).
# Cases from issue #8 ("Hostile input"); limits from research/reliability.md
# §3.2 as core/csvio.c implements them: field 64 KiB (--max-field), record
# max(1 MiB, 16 * field) for the raw bytes kept, 10,000 fields a record.
. "$(dirname "$0")/lib.sh"
long=0
[ "${2:-}" = "--long" ] && long=1
limit_mb=200
big_mb=200
[ $long -eq 1 ] && big_mb=2048
asan_small="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
db=$work/s.db
"$dancu" -q init "$db" || { echo "Bail out! dancu init failed"; exit 1; }

# run_peak MBFILE CMD...: run CMD with this shell's stdin/stdout/stderr, write its
# peak RSS in MB to MBFILE, return its exit status.
run_peak() {
    local out=$1
    shift
    ASAN_OPTIONS=$asan_small python3 -c '
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, st, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % (ru.ru_maxrss // 1024))
sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
' "$out" "$@"
}
q() { sqlite3 "$db" "$@"; }
# db_ok: integrity_check ok, the schema's tables all there, and every batch's counts exact
ntables=$(q "SELECT count(*) FROM sqlite_master")
db_ok() {
    local what=$1 ic bad tables
    ic=$(q "PRAGMA integrity_check")
    tables=$(q "SELECT count(*) FROM sqlite_master")
    bad=$(q "SELECT count(*) FROM batch b WHERE stage = 'import' AND (
        rows_read <> rows_ok + rows_rejected
        OR rows_ok <> (SELECT count(*) FROM src_row s WHERE s.batch_id = b.id)
        OR rows_rejected <> (SELECT count(*) FROM reject r WHERE r.batch_id = b.id))")
    check "$what: integrity_check '$ic', $tables schema objects, $bad batches with wrong counts" \
        test "$ic" = ok -a "$tables" = "$ntables" -a "$bad" = 0
}
# last_batch: "rows_read imported rejected" of the newest import batch
last_batch() { q "SELECT rows_read || ' ' || rows_ok || ' ' || rows_rejected FROM batch
    WHERE stage = 'import' ORDER BY id DESC LIMIT 1"; }
nbatch() { q "SELECT count(*) FROM batch"; }
elapsed() { echo $(($(date +%s%N) / 1000000 - t0)); }
start() { t0=$(($(date +%s%N) / 1000000)); }

# ---- a single line of big_mb MB, streamed through a pipe ------------------------------------
# As a data row: one reject, raw kept up to the record limit (1 MiB), the rest skipped
# while libcsv still tracks quoting.  As the whole file: the header itself is bad (65).
# (python3 writes 1 MiB blocks: four times faster than tr over /dev/zero; a reader that stops
# early, as --max-bytes does, ends it with a broken pipe, which is expected.)
aline() {
    python3 -c 'import sys
b = b"A" * (1 << 20)
for _ in range(int(sys.argv[1])):
    sys.stdout.buffer.write(b)' "$big_mb" 2>/dev/null
}
start
{ printf 'full_name,dob\n'; aline; } | run_peak "$work/mb" "$dancu" import "$db" - 2>"$work/err"
ps=("${PIPESTATUS[@]}") st=${PIPESTATUS[1]}
ms=$(elapsed) mb=$(cat "$work/mb")
echo "# ${big_mb} MB single-line data row: exit $st, peak ${mb} MB, ${ms} ms"
check "${big_mb} MB line as a data row: exit 1, rows rejected (got $st)" test "$st" = 1
check "all ${big_mb} MB were read (the writer saw no broken pipe: ${ps[0]})" test "${ps[0]}" = 0
check "stderr names the input and the counts" \
    grep -q "^dancu import: -: batch .*1 rows read = 0 imported + 1 rejected" "$work/err"
check "${big_mb} MB line: peak RSS ${mb} MB < $limit_mb MB" test "$mb" -lt $limit_mb
r=$(q "SELECT src_row, src_line, reason, length(raw), hex(substr(raw, 1, 4)) FROM reject
    ORDER BY id DESC LIMIT 1")
check "reject row 1, line 2, 'field 1 over 65536 bytes', raw kept to the 1 MiB record limit ($r)" \
    test "$r" = "1|2|field 1 over 65536 bytes; raw bytes kept: the first 1048576|1048576|41414141"
check "batch counts 1 = 0 + 1 ($(last_batch))" test "$(last_batch)" = "1 0 1"
db_ok "after the ${big_mb} MB data row"

n0=$(nbatch)
start
aline | run_peak "$work/mb" "$dancu" import "$db" - 2>"$work/err"
ps=("${PIPESTATUS[@]}") st=${PIPESTATUS[1]}
ms=$(elapsed) mb=$(cat "$work/mb")
echo "# ${big_mb} MB single-line file (the header): exit $st, peak ${mb} MB, ${ms} ms"
check "${big_mb} MB single-line file: exit 65 (got $st)" test "$st" = 65
check "all ${big_mb} MB were read (the writer saw no broken pipe: ${ps[0]})" test "${ps[0]}" = 0
check "message names file and line: $(head -c 120 "$work/err")" \
    grep -qx "dancu import: -:1: header: field 1 over 65536 bytes" "$work/err"
check "${big_mb} MB header: peak RSS ${mb} MB < $limit_mb MB" test "$mb" -lt $limit_mb
check "no batch left behind ($(nbatch) = $n0)" test "$(nbatch)" = "$n0"

# --long: only the 2 GB lines; the rest runs in the fast suite already.
if [ $long -eq 1 ]; then
    done_tap
    exit
fi

# --max-bytes stops reading early and fails the file as a whole; nothing stored.
{ printf 'full_name,dob\n'; big_mb=200 aline; } |
    "$dancu" import "$db" --max-bytes 64M - 2>"$work/err"
st=$?
check "--max-bytes 64M on a 200 MB stream: exit 65 (got $st)" test $st = 65
check "message: $(head -c 100 "$work/err")" \
    grep -q "^dancu import: -: input over 67108864 bytes" "$work/err"
check "no batch left behind ($(nbatch) = $n0)" test "$(nbatch)" = "$n0"
db_ok "after the whole-file errors"

# The same stream in the other states of the CSV parser: inside a quote that never ends,
# inside a quote full of "" pairs, and as millions of (empty, quoted) fields.
fill() { # fill MB TEXT: MB MiB of TEXT repeated
    python3 -c 'import sys
b = sys.argv[2].encode() * ((1 << 20) // len(sys.argv[2]))
for _ in range(int(sys.argv[1])):
    sys.stdout.buffer.write(b)' "$@" 2>/dev/null
}
for v in 'A|"|unterminated quote' '""|"|unterminated quote' ',||over 10000 fields' \
    '"",||over 10000 fields'; do
    IFS='|' read -r text lead reason <<<"$v"
    { printf 'full_name,dob\n%s' "$lead"; fill 64 "$text"; } |
        run_peak "$work/mb" "$dancu" -q import "$db" - 2>"$work/err"
    st=$?
    mb=$(cat "$work/mb")
    r=$(q "SELECT src_line || ':' || reason || ':' || length(raw) FROM reject
        ORDER BY id DESC LIMIT 1")
    check "64 MB line of '$lead$text...': exit 1, reject '$r', peak ${mb} MB" \
        test "$st" = 1 -a "$r" = "2:$reason; raw bytes kept: the first 1048576:1048576" -a "$mb" -lt $limit_mb
done
db_ok "after the long lines"

# ---- 1 MB fields ---------------------------------------------------------------------------
python3 - "$work/f1m.csv" "$work/f2m.csv" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"full_name,dob\n" + b"x" * 1000000 + b",01/01/1990\nAn,02/02/1990\n")
with open(sys.argv[2], "wb") as f:
    f.write(b"full_name,dob\n" + b"y" * 2000000 + b",01/01/1990\nAn,02/02/1990\n")
PY
run_peak "$work/mb" "$dancu" import "$db" "$work/f1m.csv" 2>"$work/err"
st=$?
mb=$(cat "$work/mb")
echo "# 1 MB field, default limit: exit $st, peak ${mb} MB"
check "1 MB field over the 64 KiB default: exit 1 (got $st)" test $st = 1
check "stderr names the file" \
    grep -q "^dancu import: $work/f1m.csv: batch .* 2 rows read = 1 imported + 1 rejected" \
    "$work/err"
r=$(q "SELECT src_row, src_line, reason FROM reject ORDER BY id DESC LIMIT 1")
check "reject: row 1, line 2, 'field 1 over 65536 bytes' ($r)" \
    test "$r" = "1|2|field 1 over 65536 bytes"
python3 - "$db" "$work/f1m.csv" >"$work/cmp" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
raw = con.execute("SELECT raw FROM reject ORDER BY id DESC LIMIT 1").fetchone()[0]
line = open(sys.argv[2], "rb").read().split(b"\n")[1]
print("same" if raw == line else "differ: %d vs %d bytes" % (len(raw), len(line)))
PY
check "the reject keeps the row's 1,000,011 raw bytes byte for byte ($(cat "$work/cmp"))" \
    test "$(cat "$work/cmp")" = same
check "1 MB field: peak RSS ${mb} MB < $limit_mb MB" test "$mb" -lt $limit_mb
"$dancu" -q import "$db" --force --max-field 2M "$work/f1m.csv" 2>"$work/err"
st=$?
# exit 1 only because the file has no sex, ID or address column (issue 22), said once
check "--max-field 2M: the 1 MB field is imported, exit 1 for the missing columns only (got $st)" \
    test $st = 1 -a "$(grep -c . "$work/err")" = 1 -a "$(grep -c "no column for" "$work/err")" = 1
r=$(q "SELECT group_concat(n, ' ') FROM (SELECT length(CAST(full_name AS BLOB)) AS n FROM src_row
    WHERE batch_id = (SELECT max(id) FROM batch) ORDER BY src_row)")
check "both rows stored, the first with its 1,000,000-byte name ($r)" test "$r" = "1000000 2"
"$dancu" -q import "$db" "$work/f2m.csv"
st=$?
r=$(q "SELECT reason, length(raw) FROM reject ORDER BY id DESC LIMIT 1")
check "2 MB field: exit 1, rejected, raw cut at the 1 MiB record limit (exit $st, $r)" \
    test $st = 1 -a "$r" = "field 1 over 65536 bytes; raw bytes kept: the first 1048576|1048576"
db_ok "after the 1 MB fields"

# ---- NUL bytes -----------------------------------------------------------------------------
{
    printf 'full_name,dob\n\0An,01/01/1990\nA\0n,01/01/1990\nAn\0,01/01/1990\n'
    printf '"An\0",01/01/1990\nAn,01/01/1990\0\nAn,01/01/1990\n'
} >"$work/nul.csv"
"$dancu" import "$db" "$work/nul.csv" 2>"$work/err"
st=$?
check "NUL bytes: exit 1 (got $st)" test $st = 1
check "6 rows read = 1 imported + 5 rejected ($(last_batch))" test "$(last_batch)" = "6 1 5"
r=$(q "SELECT group_concat(src_line || ':' || reason || ':' || hex(raw), ' ') FROM (SELECT * FROM
    reject WHERE batch_id = (SELECT max(id) FROM batch) ORDER BY src_row)")
d=2C30312F30312F31393930 # ",01/01/1990" in hex
exp="2:NUL byte in field 1:00416E$d 3:NUL byte in field 1:41006E$d"
exp+=" 4:NUL byte in field 1:416E00$d 5:NUL byte in field 1:22416E0022$d"
exp+=" 6:NUL byte in field 2:416E${d}00"
check "each NUL (first, middle, last, quoted, last field) rejected with line, reason, raw" \
    test "$r" = "$exp"
n0=$(nbatch)
head -c 10M /dev/zero >"$work/zeros.csv"
"$dancu" import "$db" "$work/zeros.csv" 2>"$work/err"
st=$?
check "a file of 10 MB of NULs: exit 65 (got $st)" test $st = 65
check "message: $(head -c 100 "$work/err")" \
    grep -q "^dancu import: $work/zeros.csv: cannot tell the encoding" "$work/err"
"$dancu" import "$db" --encoding utf-8 "$work/zeros.csv" 2>"$work/err"
st=$?
check "the same as --encoding utf-8: exit 65 (got $st)" test $st = 65
check "message: $(head -c 100 "$work/err")" \
    grep -qx "dancu import: $work/zeros.csv:1: header: field 1 over 65536 bytes" "$work/err"
check "no batch left behind" test "$(nbatch)" = "$n0"
db_ok "after the NUL bytes"

# ---- odd quoting (RFC 4180, strict) ----------------------------------------------------------
# line: content -> expected
#  2 A"b            stray quote (a quote inside an unquoted field)
#  3 "A"b           stray quote (text after the closing quote)
#  4 """"           the value "
#  5 """"""         the value ""
#  6 """,...        a quoted field holding a quote and two line breaks, then "a" after a
#                   closing quote: stray quote, the reject runs to the end of line 8
#  9 "x"""          the value x"
# 10 "unterminated  unterminated quote at EOF: the reject swallows line 11 too
printf '%s\n' 'full_name,dob' 'A"b,01/01/1990' '"A"b,02/02/1990' '"""",03/03/1990' \
    '"""""",04/04/1990' '""",05/05/1990' 'OK,06/06/1990' '"""a""b""",07/07/1990' \
    '"x""",08/08/1990' '"unterminated,09/09/1990' 'last,10/10/1990' >"$work/quote.csv"
"$dancu" import "$db" "$work/quote.csv" 2>"$work/err"
st=$?
check "odd quoting: exit 1 (got $st)" test $st = 1
check "7 rows read = 3 imported + 4 rejected ($(last_batch))" test "$(last_batch)" = "7 3 4"
r=$(q "SELECT group_concat(src_row || '/' || src_line || ':' || reason, '; ') FROM (SELECT * FROM
    reject WHERE batch_id = (SELECT max(id) FROM batch) ORDER BY src_row)")
check "rejects: $r" test "$r" = \
    "1/2:stray quote in field 1; 2/3:stray quote in field 1; 5/6:stray quote in field 1;\
 7/10:unterminated quote"
r=$(q "SELECT group_concat(src_line || ':' || full_name, '; ') FROM (SELECT * FROM src_row
    WHERE batch_id = (SELECT max(id) FROM batch) ORDER BY src_row)")
check "values: $r" test "$r" = '4:"; 5:""; 9:x"'
r=$(q "SELECT hex(raw) FROM reject ORDER BY id DESC LIMIT 1")
check "the unterminated quote's raw holds both lines to EOF" \
    test "$r" = "$(printf '"unterminated,09/09/1990\nlast,10/10/1990\n' | od -An -v -tx1 |
        tr -d ' \n' | tr a-f A-F)"
db_ok "after odd quoting"

# ---- 100,000 columns -------------------------------------------------------------------------
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/wide-header.csv", "w") as f:
    f.write(",".join("c%d" % i for i in range(100000)) + "\n" + ",".join(["v"] * 100000) + "\n")
with open(w + "/wide-row.csv", "w") as f:
    f.write("full_name,dob\n" + ",".join(["v"] * 100000) + "\nAn,01/01/1990\n")
PY
n0=$(nbatch)
run_peak "$work/mb" "$dancu" import "$db" "$work/wide-header.csv" 2>"$work/err"
st=$?
mb=$(cat "$work/mb")
echo "# 100,000-column header: exit $st, peak ${mb} MB"
check "100,000-column header: exit 65 (got $st)" test $st = 65
check "message: $(head -c 100 "$work/err")" \
    grep -q "^dancu import: $work/wide-header.csv:1: header: over 10000 fields" "$work/err"
check "no batch left behind" test "$(nbatch)" = "$n0"
check "100,000-column header: peak RSS ${mb} MB < $limit_mb MB" test "$mb" -lt $limit_mb
run_peak "$work/mb" "$dancu" import "$db" "$work/wide-row.csv" 2>"$work/err"
st=$?
mb=$(cat "$work/mb")
echo "# 100,000-column data row: exit $st, peak ${mb} MB"
check "100,000-column data row: exit 1 (got $st)" test $st = 1
check "2 rows read = 1 imported + 1 rejected ($(last_batch))" test "$(last_batch)" = "2 1 1"
r=$(q "SELECT src_line, reason, length(raw) FROM reject ORDER BY id DESC LIMIT 1")
check "reject: line 2, 'over 10000 fields', all 199,999 raw bytes ($r)" \
    test "$r" = "2|over 10000 fields|199999"
check "100,000-column row: peak RSS ${mb} MB < $limit_mb MB" test "$mb" -lt $limit_mb
db_ok "after 100,000 columns"

# ---- invalid UTF-8 in every position ------------------------------------------------------------
# The bad bytes at the start, middle or end of field 1 ("An"), as each comment says.
python3 - "$work/utf8.csv" <<'PY'
import sys
bad = [
    b"\xffAn",            # first byte 0xFF (never valid)
    b"A\xfen",            # middle, 0xFE
    b"An\xff",            # last byte
    b"\xc0\xafAn",        # overlong '/' (2 bytes)
    b"A\xe0\x80\xafn",    # overlong '/' (3 bytes)
    b"\xed\xa0\x80An",    # UTF-16 surrogate D800
    b"An\xed\xbf\xbf",    # surrogate DFFF, last
    b"A\xf4\x90\x80\x80n",  # over U+10FFFF
    b"A\x80n",            # lone continuation byte
    b"An\xe1\xbb",        # sequence cut by the end of the field
    b"\xf8\x88\x80\x80\x80An",  # old 5-byte form
]
with open(sys.argv[1], "wb") as f:
    f.write("full_name,dob\nNguyễn Văn An,01/01/1990\n".encode())
    for b in bad:
        f.write(b + b",01/01/1990\n")
    f.write(b"An,01/01/1990\x80\n")   # in field 2, last byte
    f.write("Trần Thị Bình,02/02/1990\n".encode())
PY
n0=$(nbatch)
"$dancu" import "$db" "$work/utf8.csv" 2>"$work/err"
st=$?
check "invalid UTF-8 in the detection sample, --encoding auto: exit 65 (got $st)" test $st = 65
check "message asks for --encoding: $(head -c 110 "$work/err")" \
    grep -q "^dancu import: $work/utf8.csv: cannot tell the encoding.*--encoding" "$work/err"
check "no batch left behind" test "$(nbatch)" = "$n0"
"$dancu" import "$db" --encoding utf-8 "$work/utf8.csv" 2>"$work/err"
st=$?
check "--encoding utf-8: exit 1 (got $st)" test $st = 1
check "14 rows read = 2 imported + 12 rejected ($(last_batch))" test "$(last_batch)" = "14 2 12"
python3 - "$db" "$work/utf8.csv" >"$work/cmp" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute("SELECT src_line, reason, raw FROM reject WHERE batch_id = "
                   "(SELECT max(id) FROM batch) ORDER BY src_row").fetchall()
lines = open(sys.argv[2], "rb").read().split(b"\n")
bad = 0
for line, reason, raw in rows:
    want = "invalid bytes for utf-8 in field %d" % (2 if line == 14 else 1)
    if reason != want or raw != lines[line - 1]:
        bad += 1
        print("line %d: %r %r" % (line, reason, raw))
print("%d rejects, %d wrong" % (len(rows), bad))
PY
check "each reject names its line and field, raw byte for byte ($(tail -1 "$work/cmp"))" \
    test "$(tail -1 "$work/cmp")" = "12 rejects, 0 wrong"
r=$(q "SELECT group_concat(full_name, '|') FROM (SELECT full_name FROM src_row WHERE batch_id =
    (SELECT max(id) FROM batch) ORDER BY src_row)")
check "the good rows are imported ($r)" test "$r" = "Nguyễn Văn An|Trần Thị Bình"
# Past the 1 MiB detection sample, auto has already chosen UTF-8: a bad byte there is a reject.
gen_rows 12000 "$work/late.csv"
printf 'A\xffn,01/01/1990,Nam,001090000001,X\n' >>"$work/late.csv"
"$dancu" -q import "$db" "$work/late.csv"
st=$?
r=$(q "SELECT src_line, reason FROM reject ORDER BY id DESC LIMIT 1")
check "a bad byte after the first 1 MiB, auto: exit 1, a reject ($st, $r)" \
    test $st = 1 -a "$r" = "12002|invalid bytes for utf-8 in field 1"
db_ok "after invalid UTF-8"

# ---- names of 10,000 characters through normalize ---------------------------------------------
python3 - "$work/names.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("full_name,dob,sex,id_number\n")
    f.write("Nguyễn " + "Văn " * 2498 + "An,01/01/1990,Nam,001090000001\n")  # 10,001 characters
    f.write("ễ" * 10000 + ",01/01/1990,Nam,001090000002\n")                  # 30,000 bytes
    f.write("Trần Thị Bình,02/02/1990,Nữ,001190000004\n")
PY
"$dancu" -q init "$work/n.db"
"$dancu" -q import "$work/n.db" "$work/names.csv"
run_peak "$work/mb" "$dancu" normalize "$work/n.db" 2>"$work/err"
st=$?
mb=$(cat "$work/mb")
echo "# 10,000-character names through normalize: exit $st, peak ${mb} MB"
check "normalize with 10,000-character names: exit 0 (got $st)" test $st = 0
check "normalize: peak RSS ${mb} MB < $limit_mb MB" test "$mb" -lt $limit_mb
r=$(sqlite3 "$work/n.db" "SELECT group_concat(ifnull(full_name, '-') || ',' || dob, '|') FROM
    (SELECT * FROM person ORDER BY record_id)")
check "long names are left empty, the other fields still cleaned ($r)" \
    test "$r" = "-,1990-01-01|-,1990-01-01|Trần Thị Bình,1990-02-02"
python3 - "$work/n.db" "$work/names.csv" >"$work/cmp" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
names = [l.split(",")[0] for l in open(sys.argv[2], encoding="utf-8").read().split("\n")[1:3]]
got = con.execute("SELECT before, after FROM change WHERE field = 'full_name' AND "
                  "rule = 'name-unreadable-kept-raw' ORDER BY record_id").fetchall()
ok = len(got) == 2 and all(b == n and not a for (b, a), n in zip(got, names))
print("ok" if ok else "got %d change rows" % len(got))
PY
check "each is flagged by a change row (name-unreadable-kept-raw) keeping the name whole" \
    test "$(cat "$work/cmp")" = ok
"$dancu" normalize "$work/names.csv" >"$work/names.out" 2>"$work/err"
st=$?
recs=$(($(wc -l <"$work/names.out") - 1))
check "filter mode: exit 0, 3 records out (exit $st, $recs records)" \
    test $st = 0 -a "$(wc -l <"$work/names.out")" = 4
check "integrity_check after normalize" test "$(sqlite3 "$work/n.db" "PRAGMA integrity_check")" = ok

# ---- SQL metacharacters in every field, import to export --------------------------------------
m="'); DROP TABLE person;-- \" % _ \\ ;"
python3 - "$work/sql.csv" "$m" <<'PY'
import csv, sys
m = sys.argv[2]
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["full_name", "dob", "sex", "id_number", "ethnic", "address", "phone", "note"])
    w.writerow(["Nguyễn Văn An" + m, "01/01/1990" + m, "Nam" + m, "001090000001" + m,
                "Kinh" + m, "Số 1" + m + ", Hà Nội", "09" + m, m])
    w.writerow([m] * 8)
    w.writerow(["Trần Thị Bình", "02/02/1990", "Nữ", "001190000004", "Kinh", "Hà Nội",
                "0912", "ok"])
    w.writerow([m] * 9)   # ragged: a reject
PY
"$dancu" -q init "$work/m.db"
sts=""
"$dancu" -q import "$work/m.db" "$work/sql.csv"; sts+="$? "
"$dancu" -q normalize "$work/m.db"; sts+="$? "
"$dancu" -q dedup "$work/m.db"; sts+="$? "
"$dancu" -q crosscheck "$work/m.db"; sts+="$? "
for w in records changes rejects; do
    "$dancu" -q export "$work/m.db" --what $w -o "$work/$w.csv"; sts+="$? "
done
"$dancu" -q export "$work/m.db" --what changes --format jsonl -o "$work/changes.jsonl"; sts+="$? "
"$dancu" -q export "$work/m.db" --what changes --format sql -o "$work/changes.sql"; sts+="$? "
check "import 1 (a reject), normalize, dedup, crosscheck, 5 exports 0 (got $sts)" \
    test "$sts" = "1 0 0 0 0 0 0 0 0 "
r=$(sqlite3 "$work/m.db" "PRAGMA integrity_check; SELECT count(*) FROM person;
    SELECT count(*) FROM sqlite_master WHERE name = 'person'" | tr '\n' ' ')
check "person table still there with 3 records, integrity ok ($r)" test "$r" = "ok 3 1 "
sqlite3 "$work/back.db" <"$work/changes.sql.schema.sql" &&
    sqlite3 "$work/back.db" <"$work/changes.sql"
check "the sql export loads back into SQLite" test $? = 0
python3 - "$work" "$m" >"$work/cmp" <<'PY'
import csv, json, sqlite3, sys
w, m = sys.argv[1], sys.argv[2]
src = list(csv.reader(open(w + "/sql.csv", encoding="utf-8", newline="")))
hdr, rows = src[0], src[1:3]
fails = []
def want(row, field):
    return row[hdr.index(field)]
def read_csv(name):
    return list(csv.DictReader(open(w + "/" + name, encoding="utf-8", newline="")))
rec = {int(r["src_row"]): r for r in read_csv("records.csv")}
for i, row in enumerate(rows, 1):
    for col, field in (("ethnic", "ethnic"), ("dob_raw", "dob")):
        if rec[i][col] != want(row, field):
            fails.append("records %d %s" % (i, col))
# normalize rewrites name, dob, sex, id: the change rows keep the input byte for byte
# (the rows without src_row are the format-only changes counted per source; the
# first change of a field starts from the input: a name cell with a note, here
# the metacharacters after ';', changes twice, the note moved then the name)
def changes(rows_):
    first = {}
    for r in rows_:
        if r["rule"] != "no-diacritics" and r["src_row"] != "":
            first.setdefault((int(r["src_row"]), r["field"]), r["before"])
    return first
ch_csv = changes(read_csv("changes.csv"))
ch_json = changes({k: ("" if v is None else str(v)) for k, v in json.loads(l).items()}
                  for l in open(w + "/changes.jsonl", encoding="utf-8"))
con = sqlite3.connect(w + "/back.db")
ch_sql = {}
for r in con.execute("SELECT src_row, field, before FROM changes WHERE rule <> 'no-diacritics'"
                     " AND src_row IS NOT NULL ORDER BY rowid"):
    ch_sql.setdefault((r[0], r[1]), r[2])
for name, ch in (("csv", ch_csv), ("jsonl", ch_json), ("sql", ch_sql)):
    for i, row in enumerate(rows, 1):
        for field in ("full_name", "dob", "sex", "id_number"):
            if ch.get((i, field)) != want(row, field):
                fails.append("changes.%s %d %s: %r" % (name, i, field, ch.get((i, field))))
rej = read_csv("rejects.csv")
line = open(w + "/sql.csv", encoding="utf-8", newline="").read().split("\n")[4]
if len(rej) != 1 or rej[0]["raw"] != line:
    fails.append("rejects raw")
stored = sqlite3.connect(w + "/m.db").execute(
    "SELECT extra, phone FROM src_row ORDER BY src_row").fetchall()
if [json.loads(e)["note"] for e, _ in stored[:2]] != [m, m] or stored[0][1] != "09" + m:
    fails.append("src_row %r" % stored[:2])
print("; ".join(fails) if fails else "same")
PY
check "metacharacters back byte for byte (records; changes csv, jsonl, sql; rejects; extra):\
 $(cat "$work/cmp")" \
    test "$(cat "$work/cmp")" = same
done_tap
