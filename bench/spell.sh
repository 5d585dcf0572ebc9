#!/usr/bin/env bash
# spell.sh — what the spelling stage costs: analysis throughput with
# spelling off and on, on the same answers.
#
#   bench/spell.sh [BUILD_DIR] [--lang sv] [--answers 100000] [--seed 42]
#                  [--repeat 3] [--dict-dir DIR] [--out DIR]
#
# Generates two corpora of exactly --answers answers from one gen_corpus run
# (Zipfian words from the Snowball vocabulary, seeded): "clean", as
# gen_corpus writes it, and "noisy", the same answers with the misspellings
# and compounds of typed answers put in (3 % of the longer words misspelt,
# 1 % of word pairs written together; seeded, see noisify below). On each it
# measures MB/s and answers/s of analysis with spelling off and on, with
# bench_analyze [--spell]: the first pass (cold: the spelling stage's shared
# cache starts empty, as in one run of classify over these answers) and the
# best later pass (warm: a fresh analyzer, the engine's cache full). Without
# that flag in bench_analyze, it times
# `whatmatters tokenize --lines --spell off|on` on the same input instead
# (cold only; said in the output and the JSON). It prints the ratios and the
# verdict for the target "with spelling on, throughput stays within 3x of
# off", judged on the first pass of both corpora (the warm verdict beside
# it), and writes OUT/spell.json.
#
# It then times the whole job, `whatmatters classify --plugin lexicon
# --threads 1` over each corpus with spelling off and on (every run a new
# process: cold), and prints that ratio too.
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
answers=100000
seed=42
repeat=3
dict_dir=""
out=${WM_BENCH_OUT:-$here/out}
target_ratio=3

usage() {
    sed -n '4,5p' "$0" | sed 's/^# *//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --lang)     [ $# -ge 2 ] || usage; lang=$2; shift 2 ;;
        --answers)  [ $# -ge 2 ] || usage; answers=$2; shift 2 ;;
        --seed)     [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
        --repeat)   [ $# -ge 2 ] || usage; repeat=$2; shift 2 ;;
        --dict-dir) [ $# -ge 2 ] || usage; dict_dir=$2; shift 2 ;;
        --out)      [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "spell.sh: unknown option $1" >&2; usage ;;
        *)  [ -z "$build" ] || usage; build=$1; shift ;;
    esac
done
[ -n "$build" ] || build=$root/build
case $answers in ''|*[!0-9]*) echo "spell.sh: bad --answers '$answers'" >&2; exit 2 ;; esac
case $seed in ''|*[!0-9]*) echo "spell.sh: bad --seed '$seed'" >&2; exit 2 ;; esac
case $repeat in ''|*[!0-9]*|0) echo "spell.sh: bad --repeat '$repeat'" >&2; exit 2 ;; esac

gen=$build/bench/gen_corpus
wm=$build/bench/bench_analyze
cli=$build/whatmatters
bench_need "$root" "$build" "$gen" "$cli"
bench_vocab "$lang" "$root"
mkdir -p "$out" || exit 1

# --- The corpora ---------------------------------------------------------------
# gen_corpus writes by size; about 128 bytes an answer, so 160 bytes an
# answer is always enough, and the first --answers lines are kept.
clean=$out/spell-corpus-$lang-$answers-seed$seed-clean.txt
noisy=$out/spell-corpus-$lang-$answers-seed$seed-noisy.txt

# noisify SEED: the same answers with the errors of typed text, made the
# same on every machine: a Park-Miller generator (exact in any awk's
# doubles), bytes (LC_ALL=C), and only ASCII letters moved, so UTF-8 stays
# valid. A word of 4 or more letters is misspelt with probability 3 %, in
# one of four ways: its diacritics dropped (vårdcentralen -> vardcentralen;
# a word without any gets the next way), two neighbouring letters swapped,
# a letter left out, a letter typed twice. Two neighbouring lower-case
# words of 4 or more letters are written as one with probability 1 % (a
# compound the dictionary may not hold). Punctuation stays where it was.
noisify() {
    LC_ALL=C awk -v seed="$1" '
    function rnd() { state = (state * 16807) % 2147483647; return state / 2147483647 }
    function strip(w,   v) {
        v = w
        gsub(/\303\245|\303\244|\303\241|\303\240/, "a", v)    # å ä á à
        gsub(/\303\205|\303\204/, "A", v)                      # Å Ä
        gsub(/\303\266|\303\270/, "o", v)                      # ö ø
        gsub(/\303\226|\303\230/, "O", v)                      # Ö Ø
        gsub(/\303\251|\303\250/, "e", v)                      # é è
        gsub(/\303\246/, "ae", v)                              # æ
        gsub(/\303\206/, "Ae", v)                              # Æ
        return v
    }
    # a position p (1-based) where letters p and p+1 are ASCII a-z, or 0.
    function pair(w,   n, i, k, c) {
        n = 0
        for (i = 2; i < length(w) - 1; i++)
            if (substr(w, i, 2) ~ /^[a-z][a-z]$/) cand[++n] = i
        if (n == 0) return 0
        k = int(rnd() * n) + 1
        return cand[k]
    }
    function typo(w,   kind, v, p) {
        kind = int(rnd() * 4)
        if (kind == 0) { v = strip(w); if (v != w) return v; kind = 1 }
        p = pair(w)
        if (p == 0) return w
        if (kind == 1) return substr(w, 1, p - 1) substr(w, p + 1, 1) substr(w, p, 1) substr(w, p + 2)
        if (kind == 2) return substr(w, 1, p - 1) substr(w, p + 1)
        return substr(w, 1, p) substr(w, p, 1) substr(w, p + 1)
    }
    BEGIN { state = seed % 2147483646 + 1; for (i = 0; i < 8; i++) rnd() }
    {
        n = split($0, f, " ")
        line = ""
        for (i = 1; i <= n; i++) {
            w = f[i]
            if (i < n && w ~ /^[a-z\200-\377]+$/ && f[i + 1] ~ /^[a-z\200-\377]+[.,!?]?$/ \
                && length(w) >= 5 && length(f[i + 1]) >= 5 && rnd() < 0.01) {
                w = w f[i + 1]
                i++
            } else if (w ~ /[A-Za-z\200-\377][A-Za-z\200-\377][A-Za-z\200-\377][A-Za-z\200-\377]/ && rnd() < 0.03) {
                w = typo(w)
            }
            line = line (line == "" ? "" : " ") w
        }
        print line
    }'
}

if [ ! -s "$clean" ] || [ ! -s "$noisy" ] || [ "$gen" -nt "$clean" ] || \
   [ "$vocab" -nt "$clean" ] || [ "$0" -nt "$noisy" ]; then
    echo "== generating $answers answers ($lang, seed $seed)"
    if ! "$gen" --lang "$lang" --size "$((answers * 160))" --seed "$seed" \
            --vocab "$vocab" --quiet -o "$clean.tmp"; then
        echo "spell.sh: gen_corpus failed" >&2
        rm -f "$clean.tmp"
        exit 1
    fi
    head -n "$answers" "$clean.tmp" > "$clean" && rm -f "$clean.tmp"
    noisify "$seed" < "$clean" > "$noisy" || exit 1
else
    echo "== reusing $clean and $noisy"
fi
for f in "$clean" "$noisy"; do
    n=$(wc -l < "$f" | tr -d ' ')
    if [ "$n" -ne "$answers" ]; then
        echo "spell.sh: $f has $n answers, not $answers" >&2
        exit 1
    fi
done
words_changed=$(paste -d '\n' "$clean" "$noisy" | LC_ALL=C awk '
    NR % 2 == 1 { a = $0; next }
    { na = split(a, x, " "); nb = split($0, y, " "); if (na != nb) joins += na - nb
      else for (i = 1; i <= na; i++) if (x[i] != y[i]) typos++
      words += na }
    END { printf "%d %d %d", words, typos, joins }')
# shellcheck disable=SC2086 # three numbers
set -- $words_changed
echo "   noisy: of $1 words, $2 misspelt (in lines without a join) and $3 pairs joined"
noise_json="{\"words\": $1, \"misspelt\": $2, \"joined\": $3}"

# --- How to measure ------------------------------------------------------------
# bench_analyze --spell (and --dict-dir) when it has the flag; else
# tokenize --lines, timed.
method=""
if [ -x "$wm" ] && "$wm" --help 2>&1 | grep -q -e '--spell'; then
    method=bench_analyze
else
    method=tokenize
    why="bench_analyze has no --spell flag"
    echo "== $why: timing '$(basename "$cli") tokenize --lines --spell off|on" \
         "> /dev/null' instead (the output's formatting is timed too)"
fi
dict_args=()
[ -z "$dict_dir" ] || dict_args=(--dict-dir "$dict_dir")

# jget JSON KEY: the value of KEY in a flat one-line JSON object.
jget() {
    v=$(printf '%s\n' "$1" | sed -n 's/.*"'"$2"'": *"\([^"]*\)".*/\1/p')
    [ -n "$v" ] || v=$(printf '%s\n' "$1" | sed -n 's/.*"'"$2"'": *\([-0-9.eE+]*\).*/\1/p')
    printf '%s' "$v"
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# measure CORPUS on|off: prints one JSON line with "cold_seconds" (the
# first pass over the corpus: the spelling stage's shared cache starts
# empty, as in one run of classify over these answers) and "warm_seconds"
# (the best later pass: a fresh analyzer, the engine's shared cache full;
# null for tokenize, where every run is a new process), and the program's
# own JSON under "raw".
measure() {
    local corpus=$1 mode=$2 bytes n best="" first="" t0 t1 s r j
    bytes=$(wc -c < "$corpus" | tr -d ' ')
    n=$(wc -l < "$corpus" | tr -d ' ')
    if [ "$method" = bench_analyze ]; then
        local flag=()
        [ "$mode" = on ] && flag=(--spell "${dict_args[@]}")
        j=$("$wm" --lang "$lang" --repeat "$repeat" --json "${flag[@]}" "$corpus") || return 1
        [ -n "$j" ] || return 1
        printf '{"mode": "%s", "bytes": %s, "answers": %s, "cold_seconds": %s, "warm_seconds": %s, "setup_seconds": %s, "raw": %s}\n' \
            "$mode" "$bytes" "$n" "$(jget "$j" first_pass_seconds)" "$(jget "$j" seconds)" \
            "$(jget "$j" setup_seconds)" "$j"
        return 0
    fi
    # A warm-up run, then the best of --repeat; a first run over 30 s is
    # the measurement (noise is small beside it; repeating would take long).
    for ((r = 0; r <= repeat; r++)); do
        t0=$(now)
        "$cli" tokenize --lang "$lang" --lines --spell "$mode" "${dict_args[@]}" \
            "$corpus" > /dev/null || return 1
        t1=$(now)
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
        if [ "$r" -eq 0 ] && awk -v a="$s" 'BEGIN { exit !(a > 30) }'; then
            echo "   the first run took $s s: no warm-up, no repeat" >&2
            best=$s
            break
        fi
        if [ "$r" -gt 0 ] && { [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; }; then
            best=$s
        fi
    done
    printf '{"mode": "%s", "bytes": %s, "answers": %s, "cold_seconds": %s, "warm_seconds": null, "setup_seconds": null, "raw": {"tool": "whatmatters tokenize --lines --spell %s"}}\n' \
        "$mode" "$bytes" "$n" "$best" "$mode"
}

failed=0
declare -A res
for c in clean noisy; do
    corpus=$clean
    [ "$c" = noisy ] && corpus=$noisy
    for mode in off on; do
        echo "== $c, spelling $mode ($method; a first pass, then the best of $repeat)"
        if ! j=$(measure "$corpus" "$mode") || [ -z "$j" ]; then
            echo "spell.sh: the $c/$mode measurement failed" >&2
            failed=1
            j=""
        fi
        res[$c-$mode]=$j
    done
done

# --- The table and the verdict -------------------------------------------------
# rate SECONDS BYTES ANSWERS: "MB/s answers/s", or "- -" without a time.
rate() {
    awk -v s="$1" -v b="$2" -v n="$3" 'BEGIN {
        if (s == "" || s == "null" || s <= 0) print "- -"
        else printf "%.2f %.0f\n", b / 1e6 / s, n / s }'
}
# ratio ON OFF: ON / OFF seconds, or "null".
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || a == "null" || b == "" || b == "null" || b <= 0) print "null"
        else printf "%.2f\n", a / b }'
}
echo
printf '%-7s %-6s %10s %12s %10s %12s %8s\n' corpus pass "off MB/s" "off ans/s" \
       "on MB/s" "on ans/s" "on/off"
worst_cold="" worst_warm="" rows_json=""
for c in clean noisy; do
    off=${res[$c-off]} on=${res[$c-on]}
    if [ -z "$off" ] || [ -z "$on" ]; then
        printf '%-7s (failed)\n' "$c"
        continue
    fi
    b=$(jget "$off" bytes) n=$(jget "$off" answers)
    entry="\"$c\": {\"off\": $off, \"on\": $on"
    for pass in cold warm; do
        so=$(jget "$off" ${pass}_seconds) sn=$(jget "$on" ${pass}_seconds)
        r=$(ratio "$sn" "$so")
        # shellcheck disable=SC2046 # two numbers each
        printf '%-7s %-6s %10s %12s %10s %12s %8s\n' "$c" "$pass" $(rate "$so" "$b" "$n") \
               $(rate "$sn" "$b" "$n") "$([ "$r" = null ] && echo - || echo "${r}x")"
        entry="$entry, \"${pass}_ratio\": $r"
        [ "$r" = null ] && continue
        if [ "$pass" = cold ]; then
            if [ -z "$worst_cold" ] || awk -v a="$r" -v b="$worst_cold" 'BEGIN { exit !(a > b) }'; then worst_cold=$r; fi
        else
            if [ -z "$worst_warm" ] || awk -v a="$r" -v b="$worst_warm" 'BEGIN { exit !(a > b) }'; then worst_warm=$r; fi
        fi
    done
    rows_json="${rows_json:+$rows_json,
    }$entry}"
done
echo
verdict() { # verdict RATIO: met or missed
    awk -v r="$1" -v t="$target_ratio" 'BEGIN { print (r <= t) ? "met" : "missed" }'
}
if [ -n "$worst_cold" ] && [ "$failed" -eq 0 ]; then
    met=$(verdict "$worst_cold")
    line="target: with spelling on, throughput within ${target_ratio}x of off: $met"
    line="$line (first pass, as one run over these answers pays it: ${worst_cold}x slower at worst"
    if [ -n "$worst_warm" ]; then
        line="$line; steady state with the shared cache full: ${worst_warm}x, $(verdict "$worst_warm")"
    fi
    echo "$line)"
    target_json="{\"max_ratio\": $target_ratio, \"judged_on\": \"cold\", \"worst_cold_ratio\": $worst_cold, \"worst_warm_ratio\": ${worst_warm:-null}, \"met\": $([ "$met" = met ] && echo true || echo false), \"met_warm\": $([ -n "$worst_warm" ] && { [ "$(verdict "$worst_warm")" = met ] && echo true || echo false; } || echo null)}"
else
    echo "target: unknown (a measurement is missing)"
    target_json=null
fi

# --- The whole job ----------------------------------------------------------------
# What a researcher runs: `whatmatters classify` over the file, one thread,
# the lexicon plugin, JSON Lines to /dev/null, spelling off and on. Every
# run is a new process, so every run pays the cold cost; the best of
# --repeat runs (at least 1) counts.
job() { # job CORPUS MODE: seconds, or nothing when the run fails
    local best="" t0 t1 s
    for ((r = 0; r < (repeat > 0 ? repeat : 1); r++)); do
        t0=$(now)
        "$cli" classify --lang "$lang" --plugin lexicon --threads 1 --format jsonl \
            --spell "$1" "${dict_args[@]}" "$2" > /dev/null 2>&1 || return 1
        t1=$(now)
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
        if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
    done
    echo "$best"
}
echo
echo "== the whole job: $(basename "$cli") classify --plugin lexicon --threads 1, best of $repeat"
printf '%-7s %10s %10s %8s\n' corpus "off MB/s" "on MB/s" "on/off"
job_json="" worst_job=""
for c in clean noisy; do
    corpus=$clean
    [ "$c" = noisy ] && corpus=$noisy
    jo=$(job off "$corpus") jn=$(job on "$corpus")
    b=$(wc -c < "$corpus" | tr -d ' ')
    if [ -z "$jo" ] || [ -z "$jn" ]; then
        printf '%-7s (failed)\n' "$c"
        failed=1
        continue
    fi
    r=$(ratio "$jn" "$jo")
    printf '%-7s %10s %10s %8s\n' "$c" "$(awk -v s="$jo" -v b="$b" 'BEGIN { printf "%.2f", b / 1e6 / s }')" \
           "$(awk -v s="$jn" -v b="$b" 'BEGIN { printf "%.2f", b / 1e6 / s }')" "${r}x"
    job_json="${job_json:+$job_json, }\"$c\": {\"off_seconds\": $jo, \"on_seconds\": $jn, \"ratio\": $r}"
    if [ -z "$worst_job" ] || awk -v a="$r" -v b="$worst_job" 'BEGIN { exit !(a > b) }'; then worst_job=$r; fi
done
if [ -n "$worst_job" ]; then
    echo "target, the whole job: within ${target_ratio}x of off: $(verdict "$worst_job") (${worst_job}x at worst)"
    job_json="$job_json, \"worst_ratio\": $worst_job, \"met\": $([ "$(verdict "$worst_job")" = met ] && echo true || echo false)"
fi

# --- spell.json ------------------------------------------------------------------
esc() { printf '%s' "$1" | sed 's/["\\]/\\&/g'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
cores=$(nproc 2>/dev/null || echo 0)
compiler=$(sed -n 's/^CMAKE_C_COMPILER:[^=]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
[ -z "$compiler" ] || compiler=$("$compiler" --version 2>/dev/null | head -n 1)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[^=]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
cat > "$out/spell.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": {"cpu": "$(esc "$cpu")", "cores": $cores, "kernel": "$(esc "$(uname -sr)")",
              "compiler": "$(esc "$compiler")", "build_type": "$(esc "$btype")"},
  "method": "$method",
  "dict_dir": $([ -n "$dict_dir" ] && printf '"%s"' "$(esc "$dict_dir")" || echo null),
  "corpus": {"lang": "$lang", "answers": $answers, "seed": $seed,
             "clean": {"path": "$(esc "$clean")", "bytes": $(wc -c < "$clean")},
             "noisy": {"path": "$(esc "$noisy")", "bytes": $(wc -c < "$noisy"), "noise": $noise_json}},
  "results": {
    $rows_json
  },
  "job": {$job_json},
  "target": $target_json
}
EOF
echo "results: $out/spell.json (build type: ${btype:-unknown})"
case $btype in
    Release|RelWithDebInfo) ;;
    *) echo "note: build type '${btype:-unknown}' is not an optimised build;" \
            "configure with -DCMAKE_BUILD_TYPE=Release for numbers that mean something" ;;
esac
exit $failed
