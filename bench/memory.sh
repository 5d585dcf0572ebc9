#!/usr/bin/env bash
# memory.sh — peak memory of `whatmatters classify` as the input grows.
#
#   bench/memory.sh [BUILD_DIR] [--big] [--lang sv] [--seed 42] [--threads 2]
#                   [--out DIR] [--tmp DIR]
#
# Generates corpora of 10 MB and 200 MB (and 1 GB with --big) with
# gen_corpus into a temporary folder (under --tmp DIR or $TMPDIR; removed
# at the end), codes each in two modes — CSV in, CSV out (--id-column id)
# and text in, JSON Lines out — with --threads 2 and the output to
# /dev/null, and measures each run's peak resident set size with GNU time
# (`/usr/bin/time -v`, Debian package `time`). Prints a table (input size,
# peak RSS, its ratio to the 10 MB run of the same mode) and the verdict for
# the target "peak RSS for 1 GB within 2x of that for 10 MB"; writes
# everything to OUT/memory.json (OUT: bench/out, or --out, or $WM_BENCH_OUT).
#
# Exit status: 0 whether or not the target is met (this reports, it does not
# test); 1 when a program fails or is missing; 2 on a bad argument.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

build=""
big=0
lang=sv
seed=42
threads=2
out=${WM_BENCH_OUT:-$here/out}
tmpbase=${TMPDIR:-/tmp}
target_ratio=2

usage() {
    sed -n '3,5p' "$0" | sed 's/^# *//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --big)     big=1; shift ;;
        --lang)    [ $# -ge 2 ] || usage; lang=$2; shift 2 ;;
        --seed)    [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
        --threads) [ $# -ge 2 ] || usage; threads=$2; shift 2 ;;
        --out)     [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --tmp)     [ $# -ge 2 ] || usage; tmpbase=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "memory.sh: unknown option $1" >&2; usage ;;
        *)  [ -z "$build" ] || usage; build=$1; shift ;;
    esac
done
[ -n "$build" ] || build=$root/build


sizes="10M 200M"
[ "$big" -eq 0 ] || sizes="$sizes 1G"

gen=$build/bench/gen_corpus
wm=$build/whatmatters
bench_need "$root" "$build" "$gen" "$wm"
gnutime=/usr/bin/time
if ! "$gnutime" -v true > /dev/null 2>&1; then
    echo "memory.sh: GNU time is missing: apt-get install time" >&2
    exit 1
fi
bench_vocab "$lang" "$root"

mkdir -p "$out" || exit 1
tmp=$(mktemp -d "$tmpbase/wm-memory.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# measure MODE SIZE INPUT ARG...: runs classify on INPUT under GNU time and
# appends "MODE SIZE BYTES RECORDS RSS_KB WALL_S" to $tmp/runs.
measure() {
    local mode=$1 size=$2 input=$3
    shift 3
    local bytes records rss wall
    bytes=$(wc -c < "$input")
    if ! "$gnutime" -v -o "$tmp/time.txt" "$wm" classify --lang "$lang" \
            --threads "$threads" --quiet "$@" "$input" > /dev/null 2> "$tmp/err"; then
        echo "memory.sh: whatmatters classify failed on $input ($mode):" >&2
        cat "$tmp/err" "$tmp/time.txt" >&2
        return 1
    fi
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
    wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt" |
           awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    records=$(sed -n 's/^whatmatters: classify: \([0-9]*\) read,.*/\1/p' "$tmp/err")
    echo "$mode $size $bytes ${records:-0} $rss $wall" >> "$tmp/runs"
    printf '   %-9s %5s  %10s bytes  %9s records  peak RSS %7.1f MiB  %6.1f s\n' \
        "$mode" "$size" "$bytes" "${records:-?}" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$wall"
}

failed=0
: > "$tmp/runs"
for size in $sizes; do
    echo "== $size: generating (gen_corpus --lang $lang --size $size --seed $seed)"
    txt=$tmp/corpus-$size.txt
    csv=$tmp/corpus-$size.csv
    if ! "$gen" --vocab "$vocab" --lang "$lang" --size "$size" --seed "$seed" \
            --quiet -o "$txt"; then
        echo "memory.sh: gen_corpus failed" >&2
        exit 1
    fi
    # The same answers as CSV: an id column, the answer quoted (RFC 4180).
    awk 'BEGIN { print "id,text" }
         { gsub(/"/, "\"\""); printf "%d,\"%s\"\n", NR, $0 }' "$txt" > "$csv" || exit 1
    echo "== $size: classify --threads $threads"
    measure csv-csv "$size" "$csv" --id-column id --format csv || failed=1
    rm -f "$csv"
    measure txt-jsonl "$size" "$txt" --format jsonl || failed=1
    rm -f "$txt"
done

# --- The table ----------------------------------------------------------------
echo
printf '%-10s %6s %12s %11s %13s %10s %8s %9s\n' mode size "input MB" records \
       "peak RSS MiB" "x 10M run" "wall s" "MB/s"
awk '
    $2 == "10M" { base[$1] = $5 }
    { rows[NR] = $0 }
    END {
        for (i = 1; i <= NR; i++) {
            split(rows[i], f, " ")
            r = (f[1] in base && base[f[1]] > 0) ? sprintf("%.2fx", f[5] / base[f[1]]) : "-"
            mbs = f[6] > 0 ? sprintf("%.1f", f[3] / 1e6 / f[6]) : "-"
            printf "%-10s %6s %12.1f %11d %13.1f %10s %8.1f %9s\n", f[1], f[2], f[3] / 1e6, f[4], f[5] / 1024, r, f[6], mbs
        }
    }' "$tmp/runs"

# --- The target ---------------------------------------------------------------
largest=${sizes##* }
verdict=$(awk -v big="$largest" -v t="$target_ratio" '
    $2 == "10M" { base[$1] = $5 }
    $2 == big { top[$1] = $5 }
    END {
        met = 1; worst = 0; n = 0
        for (m in top) {
            if (!(m in base) || base[m] <= 0) { met = 0; continue }
            r = top[m] / base[m]; n++
            if (r > worst) worst = r
            if (r > t) met = 0
        }
        if (n == 0) met = 0
        printf "%.2f %s", worst, met ? "met" : "missed"
    }' "$tmp/runs")
# shellcheck disable=SC2086 # split into ratio and verdict
set -- $verdict
worst=$1 met=$2
echo
if [ "$largest" = 1G ]; then
    echo "target: peak RSS for 1 GB within ${target_ratio}x of that for 10 MB:" \
         "$met (worst mode ${worst}x)"
    target_json="{\"size\": \"1G\", \"required_ratio\": $target_ratio, \"worst_ratio\": $worst, \"met\": $([ "$met" = met ] && echo true || echo false)}"
else
    echo "target: peak RSS for 1 GB within ${target_ratio}x of that for 10 MB:" \
         "not measured (run with --big); at $largest: ${worst}x"
    target_json="{\"size\": \"$largest\", \"required_ratio\": $target_ratio, \"worst_ratio\": $worst, \"met\": null, \"note\": \"1G not measured; run with --big\"}"
fi

# --- memory.json ----------------------------------------------------------------
esc() { printf '%s' "$1" | sed 's/["\\]/\\&/g'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
cores=$(nproc 2>/dev/null || echo 0)
mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo 2>/dev/null)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[^=]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
version=$("$wm" --version 2>/dev/null | head -n 1)
runs=$(awk '
    $2 == "10M" { base[$1] = $5 }
    { rows[NR] = $0 }
    END {
        for (i = 1; i <= NR; i++) {
            split(rows[i], f, " ")
            r = (f[1] in base && base[f[1]] > 0) ? sprintf("%.3f", f[5] / base[f[1]]) : "null"
            printf "%s    {\"mode\": \"%s\", \"size\": \"%s\", \"input_bytes\": %d, \"records\": %d, \"peak_rss_kb\": %d, \"ratio_to_10M\": %s, \"wall_s\": %s}", (i > 1 ? ",\n" : ""), f[1], f[2], f[3], f[4], f[5], r, f[6]
        }
    }' "$tmp/runs")
cat > "$out/memory.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": {"cpu": "$(esc "$cpu")", "cores": $cores, "mem_kb": ${mem_kb:-0},
              "kernel": "$(esc "$(uname -sr)")", "build_type": "$(esc "$btype")"},
  "version": "$(esc "$version")",
  "command": "whatmatters classify --lang $lang --threads $threads --quiet (csv-csv: --id-column id --format csv; txt-jsonl: --format jsonl), output to /dev/null",
  "corpus": {"generator": "gen_corpus", "lang": "$lang", "seed": $seed},
  "runs": [
$runs
  ],
  "target": $target_json
}
EOF
echo "results: $out/memory.json (build type: ${btype:-unknown})"
case $btype in
    Release|RelWithDebInfo) ;;
    *) echo "note: build type '${btype:-unknown}' is not an optimised build;" \
            "configure with -DCMAKE_BUILD_TYPE=Release for numbers that mean something" ;;
esac
exit $failed
