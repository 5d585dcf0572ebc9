#!/usr/bin/env bash
# run.sh — one command for the hot-path benchmark and its peers.
#
#   bench/run.sh [BUILD_DIR] [--lang sv] [--size 20M] [--seed 42]
#                [--repeat 3] [--out DIR]
#
# Generates the corpus (bench/out/ unless --out or $WM_BENCH_OUT says
# otherwise; reused while it is newer than the generator), runs
# bench_analyze, the Python peer (when a python3 with the Stemmer module is
# found; $PYTHON picks one) and peer_icu (when it was built), prints a table
# and whether whatmatters is at least 10x faster than Python, and writes
# everything to OUT/results.json.
#
# Exit status: 0 whether or not the target is met (this reports, it does not
# test); 1 when a program fails or is missing; 2 on a bad argument.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

build=""
lang=sv
size=20M
seed=42
repeat=3
out=${WM_BENCH_OUT:-$here/out}
target_ratio=10

usage() {
    sed -n '3,4p' "$0" | sed 's/^# *//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --lang)   [ $# -ge 2 ] || usage; lang=$2; shift 2 ;;
        --size)   [ $# -ge 2 ] || usage; size=$2; shift 2 ;;
        --seed)   [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
        --repeat) [ $# -ge 2 ] || usage; repeat=$2; shift 2 ;;
        --out)    [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "run.sh: unknown option $1" >&2; usage ;;
        *)  [ -z "$build" ] || usage; build=$1; shift ;;
    esac
done
[ -n "$build" ] || build=$root/build


gen=$build/bench/gen_corpus
wm=$build/bench/bench_analyze
icu=$build/bench/peer_icu
bench_need "$root" "$build" "$gen" "$wm"

bench_vocab "$lang" "$root"

mkdir -p "$out" || exit 1
corpus=$out/corpus-$lang-$size-seed$seed.txt
failed=0

# --- The corpus ---------------------------------------------------------------
if [ ! -s "$corpus" ] || [ "$gen" -nt "$corpus" ] || [ "$vocab" -nt "$corpus" ]; then
    echo "== generating $corpus"
    if ! "$gen" --lang "$lang" --size "$size" --seed "$seed" \
            --vocab "$vocab" -o "$corpus.tmp"; then
        echo "run.sh: gen_corpus failed" >&2
        rm -f "$corpus.tmp"
        exit 1
    fi
    mv "$corpus.tmp" "$corpus"
else
    echo "== reusing $corpus"
fi

# jget JSON KEY: the value of KEY in a flat one-line JSON object.
jget() {
    v=$(printf '%s\n' "$1" | sed -n 's/.*"'"$2"'": *"\([^"]*\)".*/\1/p')
    [ -n "$v" ] || v=$(printf '%s\n' "$1" | sed -n 's/.*"'"$2"'": *\([-0-9.eE+]*\).*/\1/p')
    printf '%s' "$v"
}

# --- whatmatters --------------------------------------------------------------
echo "== whatmatters (bench_analyze, best of $repeat after a warm-up)"
if ! wm_json=$("$wm" --lang "$lang" --repeat "$repeat" --json \
               --dump "$out/stems-whatmatters.txt" "$corpus") || \
   [ -z "$wm_json" ]; then
    echo "run.sh: bench_analyze failed" >&2
    failed=1
    wm_json=""
fi

# --- Python -------------------------------------------------------------------
py_json=""
pipe_json=""
python=""
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && \
       "$cand" -c 'import Stemmer' >/dev/null 2>&1; then
        python=$cand
        break
    fi
done
if [ -z "$python" ]; then
    echo "== python peer skipped: no python3 with the Stemmer module;" \
         "apt-get install python3 python3-stemmer"
else
    echo "== python peer ($python, best of $repeat after a warm-up)"
    if ! py_json=$("$python" "$here/peer_python.py" --lang "$lang" \
                   --repeat "$repeat" --json \
                   --dump "$out/stems-python.txt" "$corpus") || \
       [ -z "$py_json" ]; then
        echo "run.sh: peer_python.py failed" >&2
        failed=1
        py_json=""
    fi
    # The same pipeline as wm_analyze (offsets, normal forms, stems, flags,
    # negation scopes): the peer the target is measured against.
    if ! pipe_json=$("$python" "$here/peer_python.py" --lang "$lang" \
                     --repeat "$repeat" --json --pipeline "$corpus") || \
       [ -z "$pipe_json" ]; then
        echo "run.sh: peer_python.py --pipeline failed" >&2
        failed=1
        pipe_json=""
    fi
fi

# --- ICU ----------------------------------------------------------------------
icu_json=""
if [ -x "$icu" ]; then
    echo "== ICU peer (segmentation only, best of $repeat after a warm-up)"
    if ! icu_json=$("$icu" --lang "$lang" --repeat "$repeat" --json "$corpus") || \
       [ -z "$icu_json" ]; then
        echo "run.sh: peer_icu failed" >&2
        failed=1
        icu_json=""
    fi
else
    echo "== ICU peer skipped: not built (apt-get install libicu-dev, re-run cmake)"
fi

# --- The table ----------------------------------------------------------------
# Ratios are against the Python peer that does the same work (--pipeline).
py_mb=$(jget "$pipe_json" mb_s)
echo
printf '%-34s %10s %12s %14s %10s %12s %10s\n' tool MB/s answers/s tokens/s \
       ns/token tokens "x python"
row() { # row LABEL JSON
    [ -n "$2" ] || return 0
    awk -v l="$1" -v mb="$(jget "$2" mb_s)" -v as="$(jget "$2" answers_s)" \
        -v ts="$(jget "$2" tokens_s)" -v ns="$(jget "$2" ns_token)" \
        -v t="$(jget "$2" tokens)" -v py="$py_mb" 'BEGIN {
        r = (py != "" && py > 0) ? sprintf("%.1fx", mb / py) : "-"
        printf "%-34s %10.1f %12.0f %14.0f %10.1f %12s %10s\n", l, mb, as, ts, ns, t, r
    }'
}
row "whatmatters (full pipeline)" "$wm_json"
row "python, same pipeline" "$pipe_json"
row "python, stems only (findall)" "$py_json"
row "ICU (segmentation only)" "$icu_json"
scan_mb=$(jget "$wm_json" scan_mb_s)
if [ -n "$scan_mb" ]; then
    awk -v mb="$scan_mb" -v py="$py_mb" 'BEGIN {
        r = (py != "" && py > 0) ? sprintf("%.0fx", mb / py) : "-"
        printf "%-34s %10.1f %12s %14s %10s %12s %10s\n", "scan (sum bytes, count newlines)", mb, "-", "-", "-", "-", r
    }'
fi

# --- Do the peers see the same tokens? ------------------------------------------
agree_json='null'
if [ -n "$wm_json" ]; then
    wm_tok=$(jget "$wm_json" tokens_word_number)
    echo
    echo "tokens (words + numbers): whatmatters $wm_tok," \
         "symbols/emoji $(jget "$wm_json" symbols) more;" \
         "cache hit rate $(jget "$wm_json" cache_hit_rate)," \
         "$(jget "$wm_json" stems) stems"
    [ -z "$py_json" ] || echo "  python $(jget "$py_json" tokens)" \
         "($(awk -v a="$(jget "$py_json" tokens)" -v b="$wm_tok" \
             'BEGIN { printf "%+.3f%%", (b > 0 ? 100 * (a - b) / b : 0) }') vs whatmatters)"
    [ -z "$icu_json" ] || echo "  icu    $(jget "$icu_json" tokens)" \
         "($(awk -v a="$(jget "$icu_json" tokens)" -v b="$wm_tok" \
             'BEGIN { printf "%+.3f%%", (b > 0 ? 100 * (a - b) / b : 0) }') vs whatmatters)"
    if [ -n "$py_json" ] && [ -s "$out/stems-whatmatters.txt" ] && \
       [ -s "$out/stems-python.txt" ]; then
        agree=$(awk 'NR == FNR { a[FNR] = $0; na[FNR] = NF; next }
            {   lines++
                if (a[FNR] == $0) same++
                n = split(a[FNR], w, " ")
                m = NF > n ? NF : n
                tok += m
                for (i = 1; i <= m; i++) if (w[i] == $i) tsame++
            }
            END { printf "%d %d %d %d", lines, same, tok, tsame }' \
            "$out/stems-whatmatters.txt" "$out/stems-python.txt")
        # shellcheck disable=SC2086 # split into its four numbers
        set -- $agree
        echo "  stems of the first $1 answers: $2 answers identical," \
             "$4 of $3 token positions equal (diff $out/stems-*.txt)"
        agree_json="{\"answers_compared\": $1, \"answers_identical\": $2, \"token_positions\": $3, \"token_positions_equal\": $4}"
    fi
fi

# --- The target ---------------------------------------------------------------
wm_mb=$(jget "$wm_json" mb_s)
echo
if [ -n "$wm_mb" ] && [ -n "$py_mb" ]; then
    verdict=$(awk -v a="$wm_mb" -v b="$py_mb" -v t="$target_ratio" 'BEGIN {
        r = a / b
        printf "%.1f %s", r, (r >= t) ? "met" : "missed"
    }')
    # shellcheck disable=SC2086 # split into ratio and verdict
    set -- $verdict
    ratio=$1 met=$2
    echo "target: whatmatters/python (same pipeline) = ${ratio}x (>= ${target_ratio}x): $met"
    target_json="{\"ratio\": $ratio, \"required\": $target_ratio, \"met\": $([ "$met" = met ] && echo true || echo false)}"
else
    echo "target: whatmatters/python = unknown (a measurement is missing)"
    target_json='null'
fi

# --- results.json -------------------------------------------------------------
esc() { printf '%s' "$1" | sed 's/["\\]/\\&/g'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
cores=$(nproc 2>/dev/null || echo 0)
compiler=$(sed -n 's/^CMAKE_C_COMPILER:[^=]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
[ -z "$compiler" ] || compiler=$("$compiler" --version 2>/dev/null | head -n 1)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[^=]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
results=""
for j in "$wm_json" "$pipe_json" "$py_json" "$icu_json"; do
    [ -n "$j" ] || continue
    results="${results:+$results,
    }$j"
done
cat > "$out/results.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": {"cpu": "$(esc "$cpu")", "cores": $cores, "kernel": "$(esc "$(uname -sr)")",
              "compiler": "$(esc "$compiler")", "build_type": "$(esc "$btype")"},
  "corpus": {"path": "$(esc "$corpus")", "lang": "$lang", "size": "$size", "seed": "$seed",
             "bytes": $(wc -c < "$corpus")},
  "results": [
    $results
  ],
  "stem_agreement": $agree_json,
  "target": $target_json
}
EOF
echo "results: $out/results.json (build type: ${btype:-unknown})"
case $btype in
    Release|RelWithDebInfo) ;;
    *) echo "note: build type '${btype:-unknown}' is not an optimised build;" \
            "configure with -DCMAKE_BUILD_TYPE=Release for numbers that mean something" ;;
esac
exit $failed
