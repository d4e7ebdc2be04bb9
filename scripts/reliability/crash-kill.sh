#!/usr/bin/env bash
# crash-kill - SIGKILL `dancu import` and `dancu normalize` at random moments
# (seeded), then re-run them: no row lost, none doubled, integrity_check ok.
# A killed stage must leave the database as it was before it began.
. "$(dirname "$0")/lib.sh"
runs=${DANCU_KILL_RUNS:-12}
RANDOM=20261127
gen_rows 150000 "$work/big.csv"
expected=150000
for i in $(seq 1 "$runs"); do
    db=$work/k$i.db
    "$dancu" -q init "$db"
    delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.02 + (r % 900) / 1000 }')
    "$dancu" -q import "$db" "$work/big.csv" & pid=$!
    sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    got=$(sqlite3 "$db" "SELECT count(*) FROM src_row")
    integ=$(sqlite3 "$db" "PRAGMA integrity_check")
    check "run $i: killed import left 0 or $expected rows (got $got), integrity $integ" \
        test "$integ" = ok -a \( "$got" = 0 -o "$got" = $expected \)
    "$dancu" -q import "$db" "$work/big.csv" 2>/dev/null
    got=$(sqlite3 "$db" "SELECT count(*) FROM src_row")
    check "run $i: re-run import gives exactly $expected rows (got $got)" test "$got" = $expected
    "$dancu" -q normalize "$db" & pid=$!
    sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    p=$(sqlite3 "$db" "SELECT count(*) FROM person")
    check "run $i: killed normalize left 0 or $expected persons (got $p)" test "$p" = 0 -o "$p" = $expected
    "$dancu" -q normalize "$db"
    p=$(sqlite3 "$db" "SELECT count(*) FROM person")
    integ=$(sqlite3 "$db" "PRAGMA integrity_check")
    check "run $i: re-run normalize gives $expected persons (got $p), integrity $integ" \
        test "$p" = $expected -a "$integ" = ok
    rm -f "$db" "$db-wal" "$db-shm"
done
done_tap
