#!/usr/bin/env bash
# concurrency - two writers at once: the second gets 75 at once (cron may
# retry), the first completes, no half batch of either.
. "$(dirname "$0")/lib.sh"
gen_rows 150000 "$work/big.csv"
gen_rows 10 "$work/small.csv"
db=$work/s.db
"$dancu" -q init "$db"
"$dancu" -q import "$db" "$work/big.csv" & pid=$!
# wait until the first run holds the database
for _ in $(seq 1 200); do
    [ -s "$db-wal" ] && break
    sleep 0.01
done
"$dancu" -q import "$db" "$work/small.csv" 2>"$work/err"; st=$?
wait $pid; first=$?
check "second writer: exit 75 (got $st)" test $st = 75
check "second writer says why" grep -q "another dancu run" "$work/err"
check "first writer: exit 0 (got $first)" test $first = 0
rows=$(sqlite3 "$db" "SELECT count(*) FROM src_row")
check "exactly the first file's 150000 rows (got $rows)" test "$rows" = 150000
"$dancu" -q import "$db" "$work/small.csv"; st=$?
check "after the first run, the second import goes through (got $st)" test $st = 0
done_tap
