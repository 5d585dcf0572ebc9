#!/usr/bin/env bash
# perf.sh — the performance report of issue 8: classification stage by stage
# and end to end, beside its peers and the machine's own limit, in one run.
#
#   bench/perf.sh [BUILD_DIR] [--size 100M] [--seed 42] [--lang sv]
#                 [--threads N] [--repeat 3] [--out DIR] [--supervised]
#
# On one generated corpus (gen_corpus; --size 1G for a gigabyte):
#   - bench_stages: scan (the memory-bandwidth reference), read+parse,
#     tokenise, normalise, stem, analyze, classify, write, each alone, on one
#     thread and on N (default: all cores), and start-up (engine, lexicons,
#     Hunspell dictionaries apart);
#   - end to end, the real CLI: `whatmatters classify --lang L --threads T
#     --format jsonl FILE > /dev/null` with the lexicon plugin alone
#     (--plugin lexicon) and with the default plugins, T = 1 and N, under GNU
#     time for the peak RSS, and on an empty file for the start-up;
#   - the Python peer (peer_classify.py: re + PyStemmer + a dict of the same
#     lexicon) on the same file, writing the same JSON Lines records as
#     whatmatters (text, every score, evidence with byte offsets; the target's
#     peer), and how often its records and area sets are the same; and the
#     peer writing areas and scores only, as a second, lower ratio;
#   - with --supervised, bench/supervised.sh (the supervised plugin beside
#     fastText) after all that.
# Every timed program runs --repeat times, interleaved (round r runs each
# once), and the best run counts: the machine is shared and noisy.
# Prints a table and the targets, and writes OUT/perf.json.
#
# Exit status: 0 whether or not a target is met; 1 when a program fails or
# is missing; 2 on a bad argument.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

build=""
lang=sv
size=100M
seed=42
repeat=3
threads=$(nproc 2>/dev/null || echo 2)
out=${WM_BENCH_OUT:-$here/out}
supervised=0

usage() {
    sed -n '3,5p' "$0" | sed 's/^# *//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --lang)    [ $# -ge 2 ] || usage; lang=$2; shift 2 ;;
        --size)    [ $# -ge 2 ] || usage; size=$2; shift 2 ;;
        --seed)    [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
        --threads) [ $# -ge 2 ] || usage; threads=$2; shift 2 ;;
        --repeat)  [ $# -ge 2 ] || usage; repeat=$2; shift 2 ;;
        --out)     [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --supervised) supervised=1; shift ;;
        -h|--help) usage ;;
        -*) echo "perf.sh: unknown option $1" >&2; usage ;;
        *)  [ -z "$build" ] || usage; build=$1; shift ;;
    esac
done
[ -n "$build" ] || build=$root/build
build=$(cd "$build" 2>/dev/null && pwd) || { echo "perf.sh: no build folder $build" >&2; exit 1; }

gen=$build/bench/gen_corpus
stages=$build/bench/bench_stages
wm=$build/whatmatters
bench_need "$root" "$build" "$gen" "$stages" "$wm"
bench_vocab "$lang" "$root"
[ -x /usr/bin/time ] || { echo "perf.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
python=""
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import Stemmer' 2>/dev/null; then
        python=$cand
        break
    fi
done
[ -n "$python" ] || { echo "perf.sh: needs a python3 with Stemmer (apt-get install python3-stemmer)" >&2; exit 1; }
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
case $btype in Release|RelWithDebInfo) ;; *) echo "perf.sh: warning: build type '$btype' is not an optimised one" >&2 ;; esac

mkdir -p "$out" || exit 1
corpus=$out/corpus-$lang-$size-seed$seed.txt
small=$out/corpus-$lang-$size-seed$seed-10M.txt
empty=$out/empty.txt
tmp=$out/perf.tmp
mkdir -p "$tmp"
: >"$empty"

# --- The corpus ---------------------------------------------------------------
if [ ! -s "$corpus" ] || [ "$gen" -nt "$corpus" ] || [ "$vocab" -nt "$corpus" ]; then
    echo "== generating $corpus"
    "$gen" --lang "$lang" --size "$size" --seed "$seed" --vocab "$vocab" -o "$corpus.tmp" \
        || { rm -f "$corpus.tmp"; echo "perf.sh: gen_corpus failed" >&2; exit 1; }
    mv "$corpus.tmp" "$corpus"
else
    echo "== reusing $corpus"
fi
# The first 10 MB (whole lines): the small input of the memory target.
if [ ! -s "$small" ] || [ "$corpus" -nt "$small" ]; then
    head -c 10000000 "$corpus" | sed '$d' >"$small"
fi

# --- Stages and start-up ------------------------------------------------------
dict_opt=()
[ -r /usr/share/hunspell/sv_SE.dic ] && dict_opt=(--dict-dir /usr/share/hunspell)
echo "== bench_stages (threads 1 and $threads, best of $repeat)"
"$stages" --lang "$lang" --plugins lexicon --threads "$threads" --repeat "$repeat" \
    "${dict_opt[@]}" --json "$corpus" >"$tmp/stages.json" || { echo "perf.sh: bench_stages failed" >&2; exit 1; }

# --- End to end, interleaved ----------------------------------------------------
# timed NAME CMD...: runs CMD under GNU time, output to /dev/null; appends
# "NAME seconds maxrss_kb" to runs.txt.
: >"$tmp/runs.txt"
timed() {
    local name=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" \
        || { cat "$tmp/err" >&2; echo "perf.sh: $name failed" >&2; exit 1; }
    t1=$EPOCHREALTIME
    echo "$name $(echo "$t1 - $t0" | bc -l) $(tail -n 1 "$tmp/rss")" >>"$tmp/runs.txt"
}
cls=("$wm" classify --lang "$lang" --format jsonl)
echo "== end to end: whatmatters classify and the Python peer (best of $repeat, interleaved)"
"${cls[@]}" --plugin lexicon --threads 1 "$corpus" >"$tmp/wm.jsonl" 2>/dev/null \
    || { echo "perf.sh: whatmatters classify failed" >&2; exit 1; }
for r in $(seq "$repeat"); do
    timed lexicon_t1 "${cls[@]}" --plugin lexicon --threads 1 "$corpus"
    timed lexicon_tN "${cls[@]}" --plugin lexicon --threads "$threads" "$corpus"
    timed default_t1 "${cls[@]}" --threads 1 "$corpus"
    timed default_tN "${cls[@]}" --threads "$threads" "$corpus"
    timed lexicon_10M "${cls[@]}" --plugin lexicon --threads "$threads" "$small"
    for record in full brief; do
        "$python" "$here/peer_classify.py" --lexicon "$root/lexicons/$lang/areas.txt" --lang "$lang" \
            --repeat 1 --record "$record" --json --output "$tmp/py.jsonl" \
            $( [ "$r" = 1 ] && echo --compare "$tmp/wm.jsonl" ) "$corpus" >>"$tmp/python.json" \
            || { echo "perf.sh: peer_classify.py failed" >&2; exit 1; }
    done
done
for r in $(seq 10); do
    timed startup_lexicon "${cls[@]}" --plugin lexicon --threads 1 "$empty"
    timed startup_default "${cls[@]}" --threads 1 "$empty"
done
rm -f "$tmp/wm.jsonl" "$tmp/py.jsonl"

if [ "$supervised" = 1 ]; then
    echo "== bench/supervised.sh (fastText beside the supervised plugin)"
    bash "$here/supervised.sh" "$build" || echo "perf.sh: supervised.sh failed" >&2
fi

# --- The table and perf.json ----------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
"$python" - "$tmp" "$out/perf.json" "$corpus" "$threads" "$repeat" "$cpu" "$(uname -sr)" \
    "$(gcc -dumpfullversion 2>/dev/null)" "$lang" <<'EOF'
import json, sys
tmp, out, corpus, threads, repeat, cpu, kernel, gcc, lang = sys.argv[1:]
threads = int(threads)
st = json.load(open(tmp + "/stages.json"))
runs = {}
for line in open(tmp + "/runs.txt"):
    name, secs, rss = line.split()
    r = runs.setdefault(name, {"seconds": [], "maxrss_kb": []})
    r["seconds"].append(float(secs))
    r["maxrss_kb"].append(int(rss))
py = [json.loads(l) for l in open(tmp + "/python.json")]
pybest = min((p for p in py if p["record"] == "full"), key=lambda p: p["seconds"])
pybrief = min((p for p in py if p["record"] == "brief"), key=lambda p: p["seconds"])
agree = next((p for p in py if "same_records" in p), None)
size, answers, tokens = st["bytes"], st["answers"], st["tokens"]
scan = next(s for s in st["stages"] if s["stage"] == "scan")

def best(name):
    return min(runs[name]["seconds"])

def spread(name):
    s = runs[name]["seconds"]
    return (max(s) - min(s)) / min(s)

rows = []
def add(name, threads_, secs, note=""):
    rows.append({"what": name, "threads": threads_, "seconds": secs,
                 "mb_s": size / secs / 1e6, "answers_s": answers / secs,
                 "ns_token": secs * 1e9 / tokens, "of_scan": scan["seconds"] / secs,
                 "note": note})
for s in st["stages"]:
    add(s["stage"], s["threads"], s["seconds"])
e2e = [("lexicon_t1", "end to end, --plugin lexicon", 1),
       ("lexicon_tN", "end to end, --plugin lexicon", threads),
       ("default_t1", "end to end, default plugins", 1),
       ("default_tN", "end to end, default plugins", threads)]
for key, what, t in e2e:
    add(what, t, best(key), "spread %.0f%%" % (100 * spread(key)))
add("python peer (re+PyStemmer+dict), the same records", 1, pybest["seconds"])
add("python peer, areas and scores only", 1, pybrief["seconds"])

print()
print("corpus: %s, %.1f MB, %d answers, %d tokens (words + numbers)" % (corpus, size / 1e6, answers, tokens))
print("machine: %s, %s, gcc %s; best of %s, interleaved" % (cpu, kernel, gcc, repeat))
print()
print("| what | threads | MB/s | answers/s | ns/token | of scan |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    print("| %s | %d | %.1f | %.0f | %.1f | %.2f%% |" % (r["what"], r["threads"], r["mb_s"],
          r["answers_s"], r["ns_token"], 100 * r["of_scan"]))
su = st["startup_ms"]
su_lex = 1e3 * best("startup_lexicon")
su_def = 1e3 * best("startup_default")
rss = {k: max(runs[k]["maxrss_kb"]) / 1024 for k in runs}
e1 = rows[[r["what"] for r in rows].index("end to end, --plugin lexicon")]
e1_mbs = size / best("lexicon_t1") / 1e6
ratio_py = pybest["seconds"] / best("lexicon_t1")
ratio_brief = pybrief["seconds"] / best("lexicon_t1")
scale = best("lexicon_t1") / best("lexicon_tN")
print()
print("start-up: CLI on an empty file %.1f ms (--plugin lexicon), %.1f ms (default plugins); "
      "in the library: engine %.1f ms, lexicons %.1f ms, first analyzer %.1f ms, "
      "Hunspell dictionaries %.1f ms" % (su_lex, su_def, su["engine"], su["plugins"],
                                         su["first_analyzer"], su["dictionaries"]))
print("peak RSS: %.1f MiB (lexicon, 1 thread), %.1f MiB (lexicon, %d threads), %.1f MiB (default, %d threads), "
      "%.1f MiB (lexicon, %d threads, first 10 MB)" % (rss["lexicon_t1"], rss["lexicon_tN"], threads,
      rss["default_tN"], threads, rss["lexicon_10M"], threads))
if agree:
    print("python peer: the same record as whatmatters, byte for byte, for %d of %d answers (%.2f%%), "
          "the same area set for %d (%.2f%%); %d lexicon entries it skips (phrases, exclusions)"
          % (agree["same_records"], agree["compared"], 100.0 * agree["same_records"] / agree["compared"],
             agree["same_areas"], 100.0 * agree["same_areas"] / agree["compared"],
             agree["entries_skipped"]))
print("python peer writing areas and scores only (no text, no evidence): whatmatters %.1fx" % ratio_brief)
targets = [
    ("end to end >= 150 MB/s (1 thread, lexicon)", e1_mbs >= 150, "%.1f MB/s" % e1_mbs),
    ("end to end >= 25x the Python pipeline (the same records)", ratio_py >= 25, "%.1fx" % ratio_py),
    ("%d threads >= 1.8x one thread" % threads, scale >= 1.8, "%.2fx" % scale),
    ("start-up <= 50 ms without Hunspell", su_lex <= 50, "%.1f ms" % su_lex),
    ("peak RSS of this input <= 64 MB above 10 MB", (rss["lexicon_tN"] - rss["lexicon_10M"]) * 1.048576 <= 64,
     "%+.1f MiB at %.0f MB" % (rss["lexicon_tN"] - rss["lexicon_10M"], size / 1e6)),
]
print()
for name, ok, val in targets:
    print("target: %s: %s (%s)" % (name, "met" if ok else "missed", val))
json.dump({"machine": {"cpu": cpu, "kernel": kernel, "gcc": gcc},
           "corpus": {"path": corpus, "bytes": size, "answers": answers, "tokens": tokens, "lang": lang},
           "repeat": int(repeat), "threads": threads, "stages": st, "runs": runs,
           "python": py, "rows": rows,
           "startup_ms": {"cli_lexicon": su_lex, "cli_default": su_def, **su},
           "peak_rss_mib": rss,
           "targets": [{"target": n, "met": ok, "value": v} for n, ok, v in targets]},
          open(out, "w"), indent=1)
print("\nwrote " + out)
EOF
