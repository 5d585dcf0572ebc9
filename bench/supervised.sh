#!/usr/bin/env bash
# supervised.sh — the supervised plugin against fastText, on the same splits.
#
#   bench/supervised.sh [BUILD_DIR] [--out DIR] [--seed N] [--repeat N]
#
# 1. pxtextmining (../shared/testdata/pxtextmining, $WM_TESTDATA): train on
#    phase1_train.csv (with --start-tokens 3, the choice for short comments
#    coded by topic, made by cross-validation on that file: bench/README.md),
#    report on phase1_test.csv: top-1 accuracy and macro-F1
#    (one label per answer, as fastText is scored), train and predict wall
#    time. fastText (Debian's `fasttext`) is trained and tested on the same
#    split with -epoch 25 -lr 0.5 -wordNgrams 2 -dim 50. Each of the four
#    timed commands runs --repeat times (default 3), interleaved (each round
#    runs each once), and the median wall time is reported, as the machine
#    may be shared; the scores are of the last round (ours are the same
#    every round, fastText's move a little as its threads race).
# 2. The gold corpora sv, nb, en: train on dev.csv, report on test.csv
#    (multi-label): macro-F1 and exact match of the supervised model alone,
#    the lexicon and pattern plugins, those with the model as a second
#    opinion (--model-assign 0.6 --model-veto 0.2: what the default plugins
#    do for English with the built-in model, the same training; and without
#    the veto), all three combined by MAX
#    (the model's own thresholds) and by MEAN, and fastText (the same
#    options with -loss ova, labels with probability >= 0.5).
# Prints the tables and writes them to OUT/supervised.txt.
#
# Exit status: 0 whether or not the targets are met (this reports, it does
# not test); 1 when a program is missing or fails; 2 on a bad argument.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

build=""
out=${WM_BENCH_OUT:-$here/out}
seed=1
repeat=3
while [ $# -gt 0 ]; do
    case $1 in
        --out)  [ $# -ge 2 ] || exit 2; out=$2; shift 2 ;;
        --seed) [ $# -ge 2 ] || exit 2; seed=$2; shift 2 ;;
        --repeat) [ $# -ge 2 ] && [ "$2" -ge 1 ] 2>/dev/null || exit 2; repeat=$2; shift 2 ;;
        -*)     sed -n '3,4p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
        *)      build=$1; shift ;;
    esac
done
build=${build:-$root/build}
wm=$build/whatmatters
bench_need "$root" "$build" "$wm"
command -v fasttext >/dev/null || { echo "${0##*/}: fasttext missing (apt-get install fasttext)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "${0##*/}: python3 missing" >&2; exit 1; }
px=${WM_TESTDATA:-$root/../shared/testdata}/pxtextmining
[ -r "$px/phase1_train.csv" ] || { echo "${0##*/}: $px/phase1_train.csv not found" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report=$out/supervised.txt
: >"$report"
say() { printf '%s\n' "$*" | tee -a "$report"; }

# Wall seconds of a command (its output discarded).
secs() {
    python3 -c 'import subprocess,sys,time
t=time.monotonic(); r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
print("%.2f" % (time.monotonic()-t)) if r.returncode==0 else sys.exit(1)' "$@"
}

# The median of numbers given as arguments.
median() {
    printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
        printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# CSV id,text,areas -> fastText lines "__label__a __label__b text".
to_fasttext() {
    python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1],newline="")):
    labels=" ".join("__label__"+a.strip() for a in r["areas"].split(";") if a.strip())
    print(labels, " ".join(r["text"].split()))' "$1"
}

# Scores fastText predictions (one line of labels per answer) against a CSV:
# prints "macro-F1 accuracy" over the labels of TAXONOMY (its [id]s).
score() { # GOLD.csv PREDICTIONS TAXONOMY
    python3 -c 'import csv,re,sys
ids=re.findall(r"^\[([a-z0-9_]+)\]",open(sys.argv[3]).read(),re.M)
gold=[set(a.strip() for a in r["areas"].split(";") if a.strip()) for r in csv.DictReader(open(sys.argv[1],newline=""))]
pred=[set(w[9:] for w in l.split() if w.startswith("__label__")) for l in open(sys.argv[2])]
assert len(gold)==len(pred)
f1=[]
for i in ids:
    tp=sum(1 for g,p in zip(gold,pred) if i in g and i in p); fp=sum(1 for g,p in zip(gold,pred) if i not in g and i in p); fn=sum(1 for g,p in zip(gold,pred) if i in g and i not in p)
    f1.append(2*tp/(2*tp+fp+fn) if tp+fp+fn else 0.0)
print("%.3f %.3f" % (sum(f1)/len(f1), sum(1 for g,p in zip(gold,pred) if g==p)/len(gold)))' "$@"
}

# Pulls "macro_f1 exact_match" (or top1's) out of eval --json.
json_pair() { # top1|all
    python3 -c 'import json,sys
j=json.load(sys.stdin); t=j.get("top1") if sys.argv[1]=="top1" else j
print("%.3f %.3f" % (t["macro_f1"], t["accuracy"] if sys.argv[1]=="top1" else t["exact_match"]))' "$1"
}

ft_opts="-epoch 25 -lr 0.5 -wordNgrams 2 -dim 50 -seed $seed -verbose 0"

# --- 1. pxtextmining ---------------------------------------------------------
tax=$root/tests/supervised/pxtextmining-taxonomy.txt
model=$work/px.model
to_fasttext "$px/phase1_train.csv" >"$work/px_train.txt"
to_fasttext "$px/phase1_test.csv" >"$work/px_test.txt"
train_t=() predict_t=() ft_train_t=() ft_predict_t=()
for _ in $(seq "$repeat"); do
    train_t+=("$(secs "$wm" train --lang en --start-tokens 3 --seed "$seed" -o "$model" "$px/phase1_train.csv")") || { echo "train failed" >&2; exit 1; }
    predict_t+=("$(secs "$wm" classify --lang en --taxonomy "$tax" --plugin supervised --model "$model" --format jsonl --quiet -o "$work/px.jsonl" "$px/phase1_test.csv")") || { echo "classify failed" >&2; exit 1; }
    # shellcheck disable=SC2086
    ft_train_t+=("$(secs fasttext supervised -input "$work/px_train.txt" -output "$work/ft" $ft_opts)") || { echo "fasttext failed" >&2; exit 1; }
    ft_predict_t+=("$(secs fasttext predict "$work/ft.bin" "$work/px_test.txt")") || exit 1
done
train_s=$(median "${train_t[@]}") predict_s=$(median "${predict_t[@]}")
ft_train_s=$(median "${ft_train_t[@]}") ft_predict_s=$(median "${ft_predict_t[@]}")
read -r wm_macro wm_acc < <("$wm" eval --lang en --json --taxonomy "$tax" --plugin supervised --model "$model" "$px/phase1_test.csv" | json_pair top1)
fasttext predict "$work/ft.bin" "$work/px_test.txt" >"$work/ft_pred.txt"
read -r ft_macro ft_acc < <(score "$px/phase1_test.csv" "$work/ft_pred.txt" "$tax")

say "pxtextmining (train 7,004 / test 1,733, one label each; top-1 label)"
say "(wall seconds: the median of $repeat interleaved runs)"
say "$(printf '%-22s %9s %9s %8s %10s' system macro-F1 accuracy train_s predict_s)"
say "$(printf '%-22s %9s %9s %8s %10s' 'whatmatters supervised' "$wm_macro" "$wm_acc" "$train_s" "$predict_s")"
say "$(printf '%-22s %9s %9s %8s %10s' 'fastText' "$ft_macro" "$ft_acc" "$ft_train_s" "$ft_predict_s")"
say ""

# --- 2. gold corpora ----------------------------------------------------------
for lang in sv nb en; do
    gold=$root/corpora/gold/$lang
    m=$work/$lang.model
    "$wm" train --lang "$lang" --seed "$seed" -o "$m" "$gold/dev.csv" >/dev/null || exit 1
    sup=$("$wm" eval --lang "$lang" --json --plugin supervised --model "$m" "$gold/test.csv" | json_pair all)
    lex=$("$wm" eval --lang "$lang" --json --plugin lexicon --plugin pattern "$gold/test.csv" | json_pair all)
    second=$("$wm" eval --lang "$lang" --json --plugin lexicon --plugin pattern --model "$m" \
             --model-assign 0.6 --model-veto 0.2 "$gold/test.csv" | json_pair all)
    assign=$("$wm" eval --lang "$lang" --json --plugin lexicon --plugin pattern --model "$m" \
             --model-assign 0.6 "$gold/test.csv" | json_pair all)
    max=$("$wm" eval --lang "$lang" --json --plugin lexicon --plugin pattern --model "$m" \
          --combine max "$gold/test.csv" | json_pair all)
    mean=$("$wm" eval --lang "$lang" --json --plugin lexicon --plugin pattern --model "$m" \
           --combine mean "$gold/test.csv" | json_pair all)
    to_fasttext "$gold/dev.csv" >"$work/${lang}_dev.txt"
    to_fasttext "$gold/test.csv" >"$work/${lang}_test.txt"
    # shellcheck disable=SC2086
    fasttext supervised -input "$work/${lang}_dev.txt" -output "$work/ft_$lang" $ft_opts -loss ova >/dev/null 2>&1 || exit 1
    fasttext predict "$work/ft_$lang.bin" "$work/${lang}_test.txt" -1 0.5 >"$work/ft_${lang}_pred.txt"
    ft=$(score "$gold/test.csv" "$work/ft_${lang}_pred.txt" "$root/lexicons/taxonomy.txt")
    say "gold $lang (train dev.csv, report test.csv; multi-label)"
    say "$(printf '%-32s %9s %7s' system macro-F1 exact)"
    for row in "supervised alone:$sup" "lexicon + pattern:$lex" "+ model, assign 0.6, veto 0.2:$second" \
               "+ model, assign 0.6:$assign" \
               "+ model, max:$max" "+ model, mean:$mean" "fastText (ova):$ft"; do
        read -r a b <<<"${row#*:}"
        say "$(printf '%-32s %9s %7s' "${row%%:*}" "$a" "$b")"
    done
    say ""
done
echo "written to $report"
