#!/usr/bin/env bash
# privacy - files 0600 whatever the umask; no name, ID or address in any
# stderr line of a full pipeline run unless --verbose.
. "$(dirname "$0")/lib.sh"
umask 000
gen_rows 300 "$work/a.csv"
printf 'Họ và tên,Ngày sinh,Số CCCD\nBad Row Only Two,1990\n' >"$work/b.csv"
db=$work/s.db
{
    "$dancu" init "$db"
    "$dancu" import "$db" "$work/a.csv" "$work/b.csv"
    "$dancu" normalize "$db"
    "$dancu" dedup "$db"
    "$dancu" crosscheck "$db"
    "$dancu" export "$db" --what records -o "$work/records.csv"
    "$dancu" export "$db" --what rejects -o "$work/rejects.csv"
} 2>"$work/log" >/dev/null
mode() { stat -c %a "$1"; }
check "DB is 0600 under umask 000 (got $(mode "$db"))" test "$(mode "$db")" = 600
for f in "$db-wal" "$db-shm" "$work/records.csv" "$work/rejects.csv"; do
    [ -e "$f" ] && check "$(basename "$f") is 0600 (got $(mode "$f"))" test "$(mode "$f")" = 600
done
# A database file that exists before init (touch, umask 022) becomes 0600, and so do
# -wal and -shm files that exist when a writer opens it (looked at while it runs).
umask 022
t=$work/touched.db
touch "$t"
"$dancu" -q init "$t"
check "a touched database is 0600 after init (got $(mode "$t"))" test "$(mode "$t")" = 600
gen_rows 60000 "$work/big.csv"
chmod 644 "$t"
touch "$t-wal" "$t-shm"
"$dancu" -q import "$t" "$work/big.csv" & pid=$!
for _ in $(seq 1 500); do [ -s "$t-wal" ] && break; sleep 0.01; done
modes="$(mode "$t") $(mode "$t-wal") $(mode "$t-shm")"
wait $pid
check "a writer sets 0600 on the database, -wal and -shm it finds 0644 (got $modes)" \
    test "$modes" = "600 600 600"
# A user who may read the database but not write it or its folder: 77 and why, not 73
# (SQLite needs to create the -shm file to read a WAL database).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    ro=$work/ro
    mkdir -p "$ro" && chmod 755 "$work" "$ro"
    "$dancu" -q init --no-refdata "$ro/s.db" && chmod 644 "$ro/s.db"
    for c in stats export report; do
        case $c in
        stats) args=("$ro/s.db") ;;
        export) args=("$ro/s.db" --what records -o /dev/null) ;;
        report) args=("$ro/s.db" -o "$work/nope.html") ;;
        esac
        setpriv --reuid=65534 --regid=65534 --clear-groups "$dancu" $c "${args[@]}" 2>"$work/err"
        st=$?
        check "$c by a read-only user: exit 77 with the reason (got $st: $(head -c 90 "$work/err"))" \
            test $st = 77 -a -n "$(grep 'no write access' "$work/err")"
    done
else
    echo "# skip: the read-only user test needs root and setpriv"
fi
umask 000
leaks=0
while IFS=, read -r name dob _ id rest; do
    [ "$name" = "Họ và tên" ] && continue
    grep -qF -- "$name" "$work/log" && leaks=$((leaks + 1))
    grep -qF -- "$id" "$work/log" && leaks=$((leaks + 1))
done <"$work/a.csv"
grep -qF "Bad Row Only Two" "$work/log" && leaks=$((leaks + 1))
grep -qF "Xã Phú Minh" "$work/log" && leaks=$((leaks + 1))
check "no name, ID or address in the logs ($leaks found; $(wc -l <"$work/log") log lines)" test $leaks = 0
done_tap
