#!/bin/sh
# run_batch_tests.sh — end-to-end tests of batch processing with real files:
# `whatmatters classify` on generated survey files (the default lexicon
# plugin), then `whatmatters report` on what it wrote (docs/batch.md).
#
# Usage: run_batch_tests.sh BINARY SOURCE_DIR [GROUP...]
#   BINARY      the built `whatmatters` program
#   SOURCE_DIR  the project's source folder (corpora/, docs/)
#   GROUP       edge, large, shards, parallel (default: all)
#     edge      one CSV with every hard case at once (BOM, CRLF, quoted
#               commas, quotes and line breaks, a stray quote, too many
#               fields, invalid UTF-8, an empty and a 1 MiB answer)
#     large     100 000 records: one out for each in, --threads 1 and 4
#               write the same bytes (CSV, JSON Lines, metadata)
#     shards    a file cut into 3 shards, coded (--lang en) and summarised
#               apart, then merged: the report of the unsplit file
#     parallel  docs/parallel-example.sh (GNU parallel) as the README shows
#               it: the merged report equals the single run
# Environment: WM_BATCH_ROWS, the records of the large files (default
# 100000; 30000 when WM_SANITIZE_BUILD is set to a true value or BINARY is
# linked with AddressSanitizer; at least 5000); PYTHON3; TMPDIR.
#
# Inputs are generated here, deterministically, by batchdata.py (Python's
# standard library), which also reads the outputs with Python's csv module.
# Each check prints a line only when it fails; the last line is
# "N passed, N failed", and the exit status is non-zero on any failure.

set -u
LC_ALL=C
PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
export LC_ALL PYTHONDONTWRITEBYTECODE

if [ $# -lt 2 ]; then
    echo "usage: $0 BINARY SOURCE_DIR [GROUP...]" >&2
    exit 2
fi
BIN=$1
SRC=$2
shift 2
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
GROUPS_WANTED=${*:-"edge large shards parallel"}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON3:-python3}
DATA="$PY $HERE/batchdata.py $SRC"

T=$(mktemp -d "${TMPDIR:-/tmp}/wm-batch-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

passed=0
failed=0
status=0

# A smaller corpus under the sanitizers (several times slower).
sanitized=0
case ${WM_SANITIZE_BUILD:-} in
    ''|0|OFF|off|NO|no|FALSE|false) ;;
    *) sanitized=1 ;;
esac
if [ "$sanitized" -eq 0 ] && command -v ldd > /dev/null 2>&1 \
   && ldd "$BIN" 2>/dev/null | grep -q 'libasan'; then
    sanitized=1
fi
if [ "$sanitized" -eq 1 ]; then
    ROWS=${WM_BATCH_ROWS:-30000}
else
    ROWS=${WM_BATCH_ROWS:-100000}
fi
case $ROWS in
    *[!0-9]*|'') echo "run_batch_tests.sh: WM_BATCH_ROWS=$ROWS is not a number" >&2; exit 2 ;;
esac
[ "$sanitized" -eq 0 ] || echo "note: a sanitizer build: $ROWS records in the large files"
if [ "$ROWS" -lt 5000 ]; then # the first broken record is number 4999
    echo "run_batch_tests.sh: WM_BATCH_ROWS must be at least 5000" >&2
    exit 2
fi

# --- Checks -------------------------------------------------------------------

pass() {
    passed=$((passed + 1))
}

# fail NAME [DETAIL...]
fail() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$1"
    shift
    for _line in "$@"; do
        printf '    %s\n' "$_line"
    done
}

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
    _name=$1
    shift
    if "$@"; then pass; else fail "$_name"; fi
}

# tally FILE: adds up the "PASS name" / "FAIL name" lines of a batchdata.py
# check (a failure's detail follows it, indented); no line at all fails.
tally() {
    if ! grep -q '^\(PASS\|FAIL\) ' "$1"; then
        fail "the checker printed nothing" "$(head -n 5 "$1")"
        return
    fi
    while IFS= read -r _line; do
        case $_line in
            "PASS "*) pass ;;
            "FAIL "*) failed=$((failed + 1)); printf 'FAIL: %s\n' "${_line#FAIL }" ;;
            *) printf '%s\n' "$_line" ;;
        esac
    done < "$1"
}

# wm ARG...: runs the program, stderr to $T/err, the exit status in $status.
wm() {
    "$BIN" "$@" 2> "$T/err"
    status=$?
}

# expect_ok NAME: the last run exited 0.
expect_ok() {
    if [ "$status" -eq 0 ]; then pass; else
        fail "$1: exit status $status" "$(head -n 5 "$T/err")"; fi
}

# expect_summary NAME WANT: the last run's stderr is the summary line WANT.
expect_summary() {
    _got=$(cat "$T/err")
    if [ "$status" -eq 0 ] && [ "$_got" = "whatmatters: classify: $2" ]; then
        pass
    else
        fail "$1" "want: whatmatters: classify: $2" "got:  $_got" \
            "exit status $status"
    fi
}

# same NAME A B: files A and B hold the same bytes.
same() {
    if cmp -s "$2" "$3"; then pass; else
        fail "$1" "$(cmp "$2" "$3" 2>&1)" \
            "$(diff "$2" "$3" 2>/dev/null | head -n 6 | cut -c 1-200)"
    fi
}

# same_dirs NAME A B: folders A and B hold the same files with the same bytes.
same_dirs() {
    if [ -d "$2" ] && [ -d "$3" ] && [ -n "$(ls "$2")" ] \
       && diff -r "$2" "$3" > "$T/dirdiff" 2>&1; then
        pass
    else
        fail "$1" "$(head -n 6 "$T/dirdiff" 2>/dev/null | cut -c 1-200)"
    fi
}

# without_files FILE: the report without its "files N" line (the count of
# coded files read, the one line where shards and the whole file differ).
without_files() {
    sed -e '/^  files  *[0-9][0-9]*$/d' \
        -e 's|<p class="lead">[0-9]* files\{0,1\}, |<p class="lead">|' "$1"
}

# expected_summary FLAWS_JSON: the summary line for many's ROWS records and
# flaws, in the program's order (most frequent first, ties in the order of
# docs/batch.md's table).
expected_summary() {
    $PY - "$1" "$ROWS" <<'EOF'
import json, sys
flaws = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
by = {}
for s in flaws.values():
    by[s] = by.get(s, 0) + 1
order = ["bad_row", "invalid_utf8", "too_large", "plugin_failed", "lang_unknown"]
parts = sorted(by.items(), key=lambda kv: (-kv[1], order.index(kv[0])))
print(f"{n} read, {n} written, {len(flaws)} flagged ("
      + ", ".join(f"{c} {s}" for s, c in parts) + ")")
EOF
}

# --- edge: one CSV with every hard case ----------------------------------------

group_edge() {
    mkdir -p "$T/edge" && cd "$T/edge" || return
    $DATA edge . || { fail "edge: generating the input"; return; }
    set -- classify --lang sv --id-column id --keep note,unit

    # Named as given: relative, as a user types it.
    wm "$@" -o coded.csv edge.csv
    expect_summary "edge: CSV in, CSV out: the summary line" \
        "25 read, 25 written, 4 flagged (2 bad_row, 2 invalid_utf8)"
    $DATA check-edge . edge.csv coded.csv > check.out 2>&1
    tally check.out

    # The same records through the other writers and from standard input.
    wm "$@" --threads 4 -o coded4.csv edge.csv
    same "edge: --threads 4 writes the same CSV (a 1 MiB answer in the batch)" \
        coded.csv coded4.csv
    wm "$@" -o coded.jsonl edge.csv
    tail -n +2 coded.jsonl | sed 's/.*,"status":"\([a-z_0-9]*\)",.*/\1/' > st.jsonl
    $PY -c 'import csv, sys; csv.field_size_limit(1 << 30)
r = csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
print("\n".join(x["status"] for x in r))' coded.csv > st.csv
    if [ "$(wc -l < st.jsonl)" -eq 25 ] && cmp -s st.jsonl st.csv; then pass; else
        fail "edge: JSON Lines: 25 records with the statuses of the CSV output" \
            "$(diff st.csv st.jsonl | head -n 5)"
    fi
    wm "$@" --input-format csv - < edge.csv > stdin.csv
    sed 's|edge\.csv: record|stdin: record|' coded.csv > want.csv
    same "edge: from standard input: the same records, messages name 'stdin'" \
        want.csv stdin.csv
    cd "$T" || return
}

# --- large: 100 000 records, threads -----------------------------------------

group_large() {
    mkdir -p "$T/large" && cd "$T/large" || return
    $DATA many "$ROWS" many.csv || { fail "large: generating the input"; return; }
    want=$(expected_summary many.csv.flaws.json)
    n_in=$($DATA count many.csv)
    if [ "$n_in" = "$ROWS" ]; then pass; else
        fail "large: the csv module reads $ROWS records in the input" "got $n_in"; fi

    set -- classify --lang sv --id-column id --keep unit,wave
    wm "$@" --threads 1 -o t1.csv many.csv
    expect_summary "large: --threads 1, CSV: the summary counts every record" "$want"
    $DATA check-many many.csv t1.csv > check.out 2>&1
    tally check.out
    wm "$@" --threads 4 -o t4.csv many.csv
    expect_summary "large: --threads 4, CSV: the summary" "$want"
    same "large: CSV: --threads 1 and 4 write the same bytes ($ROWS records)" \
        t1.csv t4.csv
    same "large: CSV: --threads 1 and 4 write the same metadata" \
        t1.csv.meta.json t4.csv.meta.json

    wm "$@" --threads 1 -o t1.jsonl many.csv
    expect_ok "large: --threads 1, JSON Lines"
    wm "$@" --threads 4 -o t4.jsonl many.csv
    expect_ok "large: --threads 4, JSON Lines"
    same "large: JSON Lines: --threads 1 and 4 write the same bytes" t1.jsonl t4.jsonl
    if [ "$(wc -l < t1.jsonl)" -eq $((ROWS + 1)) ] \
       && head -n 1 t1.jsonl | cmp -s - t1.csv.meta.json; then
        pass
    else
        fail "large: JSON Lines: the metadata line, then one line a record" \
            "$(wc -l < t1.jsonl) lines"
    fi

    # --strict across batches: the records before the first flagged one,
    # whatever the number of threads.
    first=$($PY -c 'import json, sys
print(min(int(k.lstrip("r")) for k in json.load(open(sys.argv[1]))))' many.csv.flaws.json)
    wm "$@" --threads 1 --strict -o s1.jsonl many.csv
    _st1=$status
    wm "$@" --threads 4 --strict -o s4.jsonl many.csv
    if [ "$_st1" -eq 1 ] && [ "$status" -eq 1 ] && [ "$(wc -l < s4.jsonl)" -eq "$first" ] \
       && cmp -s s1.jsonl s4.jsonl && head -n "$first" t1.jsonl | cmp -s - s4.jsonl \
       && grep -q "^whatmatters: classify: $first read, $((first - 1)) written, 1 flagged" "$T/err"; then
        pass
    else
        fail "large: --strict, --threads 1 and 4: the $((first - 1)) records before record $first, exit 1" \
            "exit statuses $_st1 $status; $(wc -l < s4.jsonl) lines" "$(cat "$T/err")"
    fi

    # The same records as JSON Lines in: the same statuses, ids and areas.
    $DATA many "$ROWS" many.jsonl || { fail "large: generating the JSON Lines input"; return; }
    wm "$@" --threads 4 -o j4.csv many.jsonl
    expect_summary "large: JSON Lines in, --threads 4: the summary" "$want"
    # The texts went through two readers: compare everything but the text.
    $PY - t1.csv j4.csv > cmp.out 2>&1 <<'EOF'
import csv, sys
csv.field_size_limit(1 << 30)
def rows(p):
    with open(p, newline="", encoding="utf-8") as f:
        return [{k: v for k, v in r.items() if k not in ("text", "message")}
                for r in csv.DictReader(f)]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
bad = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
print("PASS" if len(a) == len(b) and not bad else f"FAIL {len(a)} {len(b)} {bad[:5]}")
EOF
    if [ "$(cat cmp.out)" = PASS ]; then pass; else
        fail "large: CSV and JSON Lines input of the same answers code alike" "$(cat cmp.out)"
    fi

    # Batches cut by size, not count: answers of 1 MiB among short ones.
    $PY - "$SRC" > huge.csv <<'EOF'
import sys
sys.path.insert(0, sys.argv[1] + "/tests/batch")
import batchdata
batchdata.SRC = sys.argv[1]
mb = batchdata.one_mb_answer()
sv = batchdata.sample_lines("sv")
out = sys.stdout
out.write("id,text\n")
for i in range(60):
    t = mb if i % 3 == 1 else sv[i % len(sv)]
    out.write(f'h{i},"{t.replace(chr(34), chr(34) * 2)}"\n')
EOF
    wm classify --lang sv --id-column id --threads 1 -o h1.jsonl huge.csv
    expect_summary "large: 20 answers of 1 MiB: the summary" "60 read, 60 written, 0 flagged"
    wm classify --lang sv --id-column id --threads 4 -o h4.jsonl huge.csv
    same "large: 20 answers of 1 MiB (batches cut at 16 MiB): --threads 1 and 4 alike" \
        h1.jsonl h4.jsonl
    cd "$T" || return
}

# --- shards: cut, code, summarise, merge ---------------------------------------

group_shards() {
    mkdir -p "$T/shards" && cd "$T/shards" || return
    $DATA many "$ROWS" all.csv || { fail "shards: generating the input"; return; }
    $DATA split all.csv 3 shard || { fail "shards: splitting"; return; }
    _sum=0
    for i in 1 2 3; do
        _n=$($DATA count "shard$i.csv")
        _sum=$((_sum + _n))
    done
    if [ "$_sum" -eq "$ROWS" ] && [ "$(head -n 1 shard2.csv)" = "id,unit,wave,text" ]; then
        pass
    else
        fail "shards: 3 shards with the header and $ROWS records in all" "got $_sum"
    fi

    set -- classify --lang en --id-column id --keep unit,wave --threads 2
    report="--by unit --examples 5"
    for i in 1 2 3; do
        wm "$@" -o "shard$i.msgpack" "shard$i.csv"
        expect_ok "shards: classify shard $i to msgpack"
        # shellcheck disable=SC2086 # options
        wm report $report --save-summary "sum$i.msgpack" "shard$i.msgpack" > "rep$i.txt"
        expect_ok "shards: report --save-summary of shard $i"
    done
    wm "$@" -o all.msgpack all.csv
    expect_ok "shards: classify the whole file"
    # shellcheck disable=SC2086
    wm report $report --csv single --html single.html all.msgpack > single.txt
    expect_ok "shards: report over the whole coded file"
    wm report --merge --csv merged --html merged.html sum1.msgpack sum2.msgpack sum3.msgpack > merged.txt
    expect_ok "shards: report --merge of the 3 summaries"
    # shellcheck disable=SC2086
    wm report $report shard1.msgpack shard2.msgpack shard3.msgpack > three.txt
    expect_ok "shards: report over the 3 coded shards"

    if grep -q "^  records  *$ROWS\$" merged.txt && grep -q '^  bad_row  *[1-9]' merged.txt \
       && grep -q '^  files  *3$' merged.txt && grep -q '^By unit ' merged.txt; then
        pass
    else
        fail "shards: the merged report counts $ROWS records, the flagged ones, 3 files, by unit" \
            "$(head -n 8 merged.txt)"
    fi
    same "shards: merged report == report over the 3 coded shards (text)" three.txt merged.txt
    without_files single.txt > a
    without_files merged.txt > b
    same "shards: merged report == report over the whole file (text, but 'files')" a b
    same_dirs "shards: merged --csv tables == the whole file's" single merged
    # The report reads the three coded formats alike.
    for f in csv jsonl; do
        wm "$@" -o "coded-all.$f" all.csv
        # shellcheck disable=SC2086
        wm report $report --csv "single-$f" "coded-all.$f" > "single-$f.txt"
        expect_ok "shards: report over the whole file coded as $f"
        same "shards: report over $f == over msgpack (text)" single.txt "single-$f.txt"
        same_dirs "shards: report over $f == over msgpack (tables)" single "single-$f"
    done
    without_files single.html > a
    without_files merged.html > b
    same "shards: merged --html == the whole file's (but the count of files)" a b
    cd "$T" || return
}

# --- parallel: docs/parallel-example.sh ---------------------------------------

group_parallel() {
    mkdir -p "$T/par/bin" && cd "$T/par" || return
    if ! command -v parallel > /dev/null 2>&1; then
        fail "parallel: GNU parallel is missing (apt-get install parallel)"
        return
    fi
    # As the README shows it: `whatmatters` on the PATH, the script run from
    # the project folder on a file of answers.
    ln -s "$BIN" bin/whatmatters
    PATH=$T/par/bin:$PATH
    # parallel keeps a folder in HOME (~/.parallel): one of our own.
    mkdir -p home
    HOME=$T/par/home
    export PATH HOME
    ex=$SRC/docs/parallel-example.sh
    $DATA many "$ROWS" answers.jsonl || { fail "parallel: generating the input"; return; }
    $DATA many "$ROWS" answers.csv --no-breaks || { fail "parallel: generating the input"; return; }
    # Pieces of 1 MB: a dozen of them for 100 000 answers (10 MB).
    for f in answers.jsonl answers.csv; do
        case $f in *.jsonl) lang=en ;; *) lang=sv ;; esac
        (cd "$SRC" && sh "$ex" --lang $lang --block 1M --by unit "$T/par/$f" "$T/par/out-$f") \
            > "run-$f.out" 2> "run-$f.err"
        status=$?
        _pieces=$(find "out-$f" -name 'summary-*.msgpack' | wc -l)
        if [ "$status" -eq 0 ] && [ "$_pieces" -ge 3 ] && [ -s "out-$f/report.txt" ]; then
            pass
        else
            fail "parallel: $f: the example runs and writes pieces (got $_pieces)" \
                "exit status $status" "$(tail -n 3 "run-$f.err")"
            continue
        fi
        wm classify --lang $lang --id-column id --keep unit -o "single-$f.msgpack" "$f"
        wm report --by unit --csv "single-$f" "single-$f.msgpack" > "single-$f.txt"
        expect_ok "parallel: $f: the single run"
        without_files "single-$f.txt" > a
        without_files "out-$f/report.txt" > b
        same "parallel: $f: merged report == one run over the whole file (text, but 'files')" a b
        same_dirs "parallel: $f: merged tables == one run's" "single-$f" "out-$f/tables"
        # Every record coded once: the pieces' records add up.
        _n=$(grep -h '^whatmatters: classify: ' "run-$f.err" \
             | awk '{ n += $3 } END { print n + 0 }')
        if [ "$_n" -eq "$ROWS" ]; then pass; else
            fail "parallel: $f: the pieces read $ROWS records in all" "got $_n"; fi
    done
    # A CSV whose answers hold line breaks would be cut inside a record:
    # the example refuses it.
    $DATA many 200 breaks.csv
    (cd "$SRC" && sh "$ex" "$T/par/breaks.csv" "$T/par/out-breaks") > /dev/null 2> breaks.err
    status=$?
    if [ "$status" -eq 1 ] && grep -q 'a line break inside a quoted field' breaks.err; then
        pass
    else
        fail "parallel: a CSV with line breaks in answers is refused" "exit status $status" \
            "$(cat breaks.err)"
    fi
    cd "$T" || return
}

# --- Main ---------------------------------------------------------------------

if ! "$PY" -c 'import csv, json' 2>/dev/null; then
    echo "run_batch_tests.sh: python3 is needed" >&2
    exit 1
fi
for group in $GROUPS_WANTED; do
    case $group in
        edge|large|shards|parallel) "group_$group" ;;
        *) echo "run_batch_tests.sh: unknown group '$group'" >&2; exit 2 ;;
    esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
