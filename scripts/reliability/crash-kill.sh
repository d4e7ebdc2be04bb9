#!/usr/bin/env bash
# crash-kill - kill every stage at seeded random moments, over and over, and check
# that nothing is lost, doubled or left half-written (issue 19's probe, kept).
#
# One database goes through import, normalize, dedup, crosscheck and export.  Each
# stage is started and killed $DANCU_KILLS / 5 times in a row, each run starting from
# what the killed one before it left (so every kill is also a re-run after a kill),
# then run once to the end and compared with an uninterrupted pipeline on another
# database.  Delays are drawn over the stage's measured duration; half of the export's
# fall near its end, where the schema and manifest are written and renamed.
# After every kill: PRAGMA integrity_check; the stage's table holds 0 rows or all of
# them (import: 0 or N rows, never another number: nothing lost, nothing doubled);
# export: a manifest, if there is one, matches the file beside it (--verify), never
# an older or newer one; after SIGINT/SIGTERM/SIGHUP (every fourth export kill) the
# previous set is whole and no temp file is left; after SIGKILL the next export
# removes the temp files the killed one left.
. "$(dirname "$0")/lib.sh"
kills=${DANCU_KILLS:-1100}
per=$(((kills + 4) / 5))
RANDOM=20261127
gen_rows 2000 "$work/a.csv"
tail -n 400 "$work/a.csv" >>"$work/a.csv" # 400 people twice: dedup has pairs to find
rows=2400
q() { sqlite3 "$1" "$2"; }
ms() { date +%s%N | cut -c1-13; }

# the uninterrupted reference
ref=$work/ref.db
mkdir -p "$work/ref" "$work/out"
# no catalogue: the kills are about transactions, and loading it is most of a small
# normalize's time (CI's budget)
"$dancu" -q init --no-refdata "$ref"
declare -A took
stage_cmd() { # stage db -> the command line of that stage
    case $1 in
    import) echo import "$2" "$work/a.csv" ;;
    export) echo export "$2" --what records --format sql -o "$3" ;;
    *) echo "$1" "$2" ;;
    esac
}
for s in import normalize dedup crosscheck export; do
    t0=$(ms)
    # shellcheck disable=SC2046
    "$dancu" -q $(stage_cmd $s "$ref" "$work/ref/records.sql") >/dev/null 2>&1
    took[$s]=$(($(ms) - t0))
done
for w in records findings pairs clusters; do
    "$dancu" -q export "$ref" --what $w -o "$work/ref/$w.csv"
done
count() { # stage db -> the row count of what that stage writes
    case $1 in
    import) q "$2" "SELECT count(*) FROM src_row" ;;
    normalize) q "$2" "SELECT count(*) FROM person" ;;
    dedup) q "$2" "SELECT (SELECT count(*) FROM pair) || '/' || (SELECT count(*) FROM cluster) || '/' || (SELECT count(*) > 0 FROM dedup_params)" ;;
    crosscheck) q "$2" "SELECT count(*) FROM finding" ;;
    esac
}
declare -A want
for s in import normalize dedup crosscheck; do want[$s]=$(count $s "$ref"); done
echo "# reference: ${want[import]} rows, ${want[dedup]} pairs/clusters, ${want[crosscheck]} findings; ms: import ${took[import]} normalize ${took[normalize]} dedup ${took[dedup]} crosscheck ${took[crosscheck]} export ${took[export]}"

db=$work/k.db
out=$work/out/records.sql
temps() { find "$work/out" -name '.records.sql*' | wc -l; }
temp_names() { find "$work/out" -name '.records.sql*' | sort; }
"$dancu" -q init --no-refdata "$db"
total=0 landed=0
for s in import normalize dedup crosscheck export; do
    bad=0 stale=0 left=0 sigs=0
    for i in $(seq 1 $per); do
        t=${took[$s]}
        if [ $s = export ] && [ $((i % 2)) = 0 ]; then
            d=$((t * 8 / 10 + RANDOM % (t / 4 + 1))) # near the end: schema, manifest, renames
        elif [ $s = export ]; then
            d=$((RANDOM % (t * 11 / 10 + 1))) # some complete: the next kill has a set to keep
        else
            d=$((RANDOM % (t + 1)))
        fi
        sig=KILL
        if [ $s = export ] && [ $((i % 4)) = 1 ]; then
            sigs=$((sigs + 1))
            case $((sigs % 3)) in 0) sig=INT ;; 1) sig=TERM ;; 2) sig=HUP ;; esac
        fi
        had_set=0
        [ -f "$out.manifest.json" ] && had_set=1
        [ $s = export ] && temp_names >"$work/temps.before"
        # shellcheck disable=SC2046
        "$dancu" -q $(stage_cmd $s "$db" "$out") >/dev/null 2>&1 &
        pid=$!
        sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
        kill -s $sig $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        st=$?
        total=$((total + 1))
        [ $st -ge 128 ] && landed=$((landed + 1))
        integ=$(q "$db" "PRAGMA integrity_check")
        [ "$integ" = ok ] || { bad=$((bad + 1)); echo "# $s kill $i: integrity: $integ"; }
        if [ $s != export ]; then
            got=$(count $s "$db")
            zero=0
            [ $s = dedup ] && zero=0/0/0
            if [ "$got" != "$zero" ] && [ "$got" != "${want[$s]}" ]; then
                bad=$((bad + 1))
                echo "# $s kill $i (after ${d} ms): $got rows, want $zero or ${want[$s]}"
            fi
            continue
        fi
        if [ -f "$out.manifest.json" ]; then
            "$dancu" -q export --verify "$out" 2>/dev/null ||
                { stale=$((stale + 1)); echo "# export kill $i ($sig after ${d} ms): manifest does not match"; }
        elif [ $sig != KILL ] && [ $had_set = 1 ]; then
            stale=$((stale + 1))
            echo "# export kill $i ($sig after ${d} ms): the previous set lost its manifest"
        fi
        # a run stopped by a catchable signal leaves no temp file of its own (those of an
        # earlier SIGKILL are removed by the next run that gets as far as creating one)
        new=$(temp_names | comm -13 "$work/temps.before" - | wc -l)
        if [ $sig != KILL ] && [ "$new" != 0 ]; then
            left=$((left + 1))
            echo "# export kill $i ($sig after ${d} ms): it left $new temp files"
        fi
    done
    # shellcheck disable=SC2046
    "$dancu" -q $(stage_cmd $s "$db" "$out") >/dev/null 2>&1
    if [ $s = export ]; then
        check "export: $per kills ($sigs by INT/TERM/HUP): 0 stale manifests (got $stale), 0 temp files after a catchable signal (got $left), integrity ok ($bad bad)" \
            test $stale = 0 -a $left = 0 -a $bad = 0
        "$dancu" -q export --verify "$out" 2>/dev/null
        check "export re-run after the kills: verifies, equals the uninterrupted export, 0 temp files left (got $(temps))" \
            test $? = 0 -a "$(temps)" = 0 -a "$(cat "$out" | md5sum)" = "$(md5sum <"$work/ref/records.sql")"
    else
        check "$s: $per kills, every one left 0 or all rows and integrity ok ($bad bad)" test $bad = 0
        got=$(count $s "$db")
        check "$s re-run after the kills: $got rows, as uninterrupted (${want[$s]})" test "$got" = "${want[$s]}"
    fi
done
same=0
for w in records findings pairs clusters; do
    "$dancu" -q export "$db" --what $w -o "$work/$w.csv"
    cmp -s "$work/$w.csv" "$work/ref/$w.csv" && same=$((same + 1))
done
check "records, findings, pairs and clusters after all kills equal the uninterrupted run's ($same of 4)" test $same = 4
echo "# $total kills, $landed landed mid-run"
check "at least 1000 kills ($total)" test $total -ge "$kills" -o "$kills" -lt 1000
done_tap
