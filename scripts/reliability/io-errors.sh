#!/usr/bin/env bash
# io-errors - a write that fails is an error: exit 74, nothing half-written.
. "$(dirname "$0")/lib.sh"
gen_rows 50 "$work/a.csv"
db=$work/s.db
"$dancu" -q init "$db"
"$dancu" -q import "$db" "$work/a.csv"
"$dancu" -q normalize "$db"
"$dancu" crosscheck --list >/dev/full 2>"$work/err"; st=$?
check "stdout to /dev/full: exit 74 (got $st)" test $st = 74
check "and a message" grep -q "cannot write" "$work/err"
"$dancu" normalize "$work/a.csv" >/dev/full 2>/dev/null; st=$?
check "filter output to /dev/full: exit 74 (got $st)" test $st = 74
# a command that also found something (exit 1) and could not write it: 74, not 1
"$dancu" mrz "IDVNM1950001235048195000123<<6" >/dev/full 2>/dev/null; st=$?
check "mrz with a finding, stdout to /dev/full: exit 74 (got $st)" test $st = 74
"$dancu" qr "not a card" >/dev/full 2>/dev/null; st=$?
check "qr with a finding, stdout to /dev/full: exit 74 (got $st)" test $st = 74
printf 'Họ và tên,Ngày sinh\nA,1,extra\n' >"$work/rej.csv"
"$dancu" import "$db" "$work/rej.csv" --json >/dev/full 2>/dev/null; st=$?
check "import --json of a file with a reject, stdout to /dev/full: exit 74 (got $st)" test $st = 74
if "$dancu" help export 2>/dev/null | grep -q -- "--what"; then
    "$dancu" -q export "$db" --what records --allow-stale -o /dev/full 2>/dev/null; st=$?
    check "export -o /dev/full: exit 74 (got $st)" test $st = 74
fi
# A tiny filesystem (root only): the database cannot grow, the import fails
# with 74 and the database keeps what it had.
if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/mnt" && mount -t tmpfs -o size=2m tmpfs "$work/mnt" 2>/dev/null; then
    gen_rows 40000 "$work/big.csv"
    "$dancu" -q init --no-refdata "$work/mnt/s.db"
    "$dancu" -q import "$work/mnt/s.db" "$work/a.csv"
    "$dancu" -q import "$work/mnt/s.db" "$work/big.csv" 2>"$work/err"; st=$?
    check "import onto a full 2 MB filesystem: exit 74 (got $st)" test $st = 74
    rows=$(sqlite3 "$work/mnt/s.db" "SELECT count(*) FROM src_row" 2>/dev/null)
    check "the database still holds exactly the first file (50 rows, got $rows)" test "$rows" = 50
    rm -f "$work/mnt/s.db"*
    "$dancu" -q synth --persons 50000 --seed 7 --out "$work/mnt/syn" 2>"$work/err"; st=$?
    check "synth onto a full 2 MB filesystem: exit 74 (got $st)" test $st = 74
    left=$(find "$work/mnt/syn" -type f 2>/dev/null | wc -l)
    check "and no truncated file left behind ($left files)" test "$left" = 0
    umount "$work/mnt"
else
    echo "# skip: tiny-filesystem test needs root and tmpfs"
fi
done_tap
