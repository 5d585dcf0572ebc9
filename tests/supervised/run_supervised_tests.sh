#!/bin/sh
# run_supervised_tests.sh BINARY SOURCE_DIR TESTDATA MODULE OUTDIR GROUP
# The supervised plugin through the command line: `train`, `eval --model`,
# `eval --cv`, `classify --model`, on real files. GROUP is one of
#   basic         determinism, a separable set learned exactly, the round
#                 trip through classify and the loadable module, --cv's
#                 arithmetic, usage errors; leaves OUTDIR/separable.model
#                 for the corrupt-model test (test_supervised.c)
#   pxtextmining  train on the external benchmark's train split, and
#                 floors on its test split a little below the measured
#                 values (0.713 top-1 accuracy, 0.632 macro-F1: floors
#                 0.69 and 0.61), so that a regression fails; an
#                 answer's opening word is evidence
# Prints "N passed, N failed"; exits non-zero on any failure.
set -u
bin="$1" src="$2" testdata="$3" module="$4" out="$5" group="$6"
here="$src/tests/supervised"
pass=0 fail=0
mkdir -p "$out"

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # DESCRIPTION COMMAND... : the command must succeed
    what="$1"; shift
    if "$@"; then ok; else bad "$what"; fi
}
# A number out of eval --json: json_get KEY [top1] < json
json_get() {
    if [ "${2:-}" = top1 ]; then
        sed -n 's/.*"top1":{[^}]*"'"$1"'":\([0-9.]*\).*/\1/p'
    else
        sed -n 's/^{"answers":[0-9]*,.*"'"$1"'":\([0-9.]*\),"per_area".*/\1/p'
    fi
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }

case $group in
basic)
    sep="$here/separable.csv"
    m1="$out/separable.model" m2="$out/separable2.model" m3="$out/separable3.model"
    check "train" "$bin" train --lang en --seed 7 -o "$m1" "$sep" >/dev/null
    check "train again" "$bin" train --lang en --seed 7 -o "$m2" "$sep" >/dev/null
    check "same seed, same model bytes" cmp -s "$m1" "$m2"
    check "train, another seed" "$bin" train --lang en --seed 8 -o "$m3" "$sep" >/dev/null
    check "another seed still a model" "$bin" eval --lang en --plugin supervised --model "$m3" "$sep" >/dev/null

    # Start features (--start-tokens N, default 0) are part of the model.
    check "train --start-tokens 3" "$bin" train --lang en --seed 7 --start-tokens 3 -o "$out/start.model" "$sep" >/dev/null
    check "--start-tokens 3 makes another model" sh -c '! cmp -s "$1" "$2"' _ "$m1" "$out/start.model"
    exact=$("$bin" eval --lang en --json --plugin supervised --model "$out/start.model" "$sep" | json_get exact_match)
    check "... which learns the separable set exactly too ($exact)" ge "$exact" 1
    "$bin" train --lang en --start-tokens 9 -o "$out/x.model" "$sep" >/dev/null 2>"$out/err"
    check "--start-tokens 9: exit 2" [ $? -eq 2 ]
    check "... saying what it wants" grep -q "bad --start-tokens value '9' (expected a number 0 to 8)" "$out/err"
    "$bin" eval --lang en --start-tokens 2 "$sep" >/dev/null 2>"$out/err"
    check "eval --start-tokens without --cv: exit 2" [ $? -eq 2 ]
    "$bin" eval --lang en --cv 3 --start-tokens 9 "$sep" >/dev/null 2>"$out/err"
    check "eval --cv --start-tokens 9: exit 2" [ $? -eq 2 ]
    check "... saying what it wants" grep -q "bad --start-tokens value '9' (expected a number 0 to 8)" "$out/err"
    "$bin" eval --lang en --cv 3 --seed x "$sep" >/dev/null 2>"$out/err"
    check "eval --cv --seed x: exit 2" [ $? -eq 2 ]
    check "... saying what it wants" grep -q "bad --seed value 'x' (expected a number" "$out/err"
    a=$("$bin" eval --lang en --cv 3 --seed 2 "$sep")
    b=$("$bin" eval --lang en --cv 3 --seed 2 --start-tokens 0 "$sep")
    check "eval --cv --start-tokens 0 is the default" [ "$a" = "$b" ]
    # A model of format 1 (before start features) is still read and codes.
    line=$(printf 'id,text\nq1,we waited on the waiting list for weeks\n' |
           "$bin" classify --lang en --plugin supervised --model "$src/tests/fuzz/corpus/model/separable_en.model" \
               --format jsonl --input-format csv --quiet)
    check "a format 1 model still codes ($line)" sh -c 'printf "%s" "$1" | grep -q "\"areas\":\[\"access\"\]"' _ "$line"

    # A separable set is learned exactly: every answer's areas, no more.
    json=$("$bin" eval --lang en --json --plugin supervised --model "$m1" "$sep")
    exact=$(printf '%s' "$json" | json_get exact_match)
    check "separable set learned exactly (exact $exact)" ge "$exact" 1
    check "no top-1 line for a multi-label set" sh -c '! printf "%s" "$1" | grep -q top1' _ "$json"

    # The same model through the loadable module gives the same table.
    a=$("$bin" eval --lang en --plugin supervised --model "$m1" "$sep")
    b=$("$bin" eval --lang en --plugin "$module" --options "model=$m1" "$sep")
    check "module and built-in agree" [ "$a" = "$b" ]

    # classify: scores and evidence whose spans are the words that count.
    line=$(printf 'id,text\nq1,we waited on the waiting list for weeks\n' |
           "$bin" classify --lang en --plugin supervised --model "$m1" --format jsonl --input-format csv --quiet)
    check "classify assigns access ($line)" sh -c 'printf "%s" "$1" | grep -q "\"areas\":\[\"access\"\]"' _ "$line"
    check "evidence names the features" sh -c 'printf "%s" "$1" | grep -q "supervised: "' _ "$line"
    check "evidence spans a word of the answer" sh -c 'printf "%s" "$1" | grep -Eq "\"text\":\"(waiting|list|weeks|waiting list)\""' _ "$line"

    # --model alone joins the default plugin; both appear in the output meta.
    check "--model with the default plugins" "$bin" eval --lang en --model "$m1" "$sep" >/dev/null

    # --model-assign X maps the model's score s once more, X onto 0.5:
    # s < X gives 0.5 s / X, else 0.5 + 0.5 (s - X) / (1 - X); 0.5 is no change.
    q='id,text\nq1,we waited on the waiting list for weeks\n'
    score() { # ASSIGN-OPTIONS... : access_score of q1, model m1 alone
        printf "$q" | "$bin" classify --lang en --plugin supervised --model "$m1" "$@" \
            --format csv --input-format csv --quiet | sed -n '2p' | cut -d, -f15
    }
    s=$(score) s5=$(score --model-assign 0.5) s8=$(score --model-assign 0.8)
    check "assign 0.5 changes nothing ($s, $s5)" [ "$s" = "$s5" ]
    check "assign 0.8 maps the score ($s -> $s8)" awk -v s="$s" -v t="$s8" 'BEGIN {
        e = s < 0.8 ? 0.5 * s / 0.8 : 0.5 + 0.5 * (s - 0.8) / 0.2
        d = e - t; exit !(s > 0.5 && (d < 0 ? -d : d) < 2e-4) }'
    "$bin" eval --lang en --model-assign 0.7 "$sep" >/dev/null 2>"$out/err"
    check "--model-assign without --model: exit 2" [ $? -eq 2 ]
    "$bin" eval --lang en --model "$m1" --model-assign 1 "$sep" >/dev/null 2>"$out/err"
    check "--model-assign 1 refused" [ $? -ne 0 ]
    check "... saying what assign= wants" grep -q "assign= wants a number from 0.5 to below 1" "$out/err"
    "$bin" eval --lang en --model "$m1" --model-veto 0.5 "$sep" >/dev/null 2>"$out/err"
    check "--model-veto 0.5 refused" [ $? -ne 0 ]
    check "... saying what veto= wants" grep -q "veto= one from 0 to below 0.5" "$out/err"
    # veto=V: an area the model scores under V is not assigned. The lexicon
    # codes this answer family (0.6667); the separable model, which learned
    # family from kin words only, scores it 0.24: vetoed, score 0.49.
    a=$(printf 'id,text\nq,the waiting list and the queue and my family\n' |
        "$bin" classify --lang en --plugin lexicon --plugin supervised \
            --options "veto=0.49;model=$m1" --format csv --input-format csv --quiet | sed -n 2p)
    b=$(printf 'id,text\nq,the waiting list and the queue and my family\n' |
        "$bin" classify --lang en --plugin lexicon --plugin supervised \
            --options "model=$m1" --format csv --input-format csv --quiet | sed -n 2p)
    fam_a=$(printf '%s' "$a" | cut -d, -f12) fam_b=$(printf '%s' "$b" | cut -d, -f12)
    famsc_a=$(printf '%s' "$a" | cut -d, -f21)
    check "without a veto the lexicon assigns family ($fam_b)" [ "$fam_b" = 1 ]
    check "the model's veto takes it back ($fam_a, score $famsc_a)" [ "$fam_a" = 0 ] && [ "$famsc_a" = 0.4900 ]

    # The built-in English model is what `train` makes of the gold dev split,
    # applied with assign 0.6 and veto 0.2: the defaults code the test split
    # exactly as lexicon + pattern + that model do; other languages have none.
    gold="$src/corpora/gold/en"
    "$bin" train --lang en -o "$out/en-dev.model" "$gold/dev.csv" >/dev/null
    a=$("$bin" eval --lang en --json "$gold/test.csv")
    b=$("$bin" eval --lang en --json --plugin lexicon --plugin pattern \
        --model "$out/en-dev.model" --model-assign 0.6 --model-veto 0.2 "$gold/test.csv")
    check "built-in en model = train on gold dev, assign 0.6, veto 0.2" [ "$a" = "$b" ]
    c=$("$bin" eval --lang en --json --plugin lexicon --plugin pattern "$gold/test.csv")
    check "... and it changes the coding" [ "$a" != "$c" ]
    line=$(printf 'we waited weeks for a call back\n' | "$bin" classify --lang en --format jsonl)
    check "default en classify names the built-in model" sh -c 'printf "%s" "$1" | grep -q "\"name\":\"en/supervised.model\",\"source\":\"built-in\""' _ "$line"
    check "... and shows its evidence" sh -c 'printf "%s" "$1" | grep -q "\"plugin\":\"supervised\""' _ "$line"
    line=$(printf 'väntetid\n' | "$bin" classify --lang sv --format jsonl)
    check "no built-in sv model: supervised skips" sh -c '! printf "%s" "$1" | grep -q "supervised.model"' _ "$line"

    # --cv: every answer scored exactly once, counts that add up.
    json=$("$bin" eval --lang en --json --cv 4 --seed 3 "$sep")
    n=$(printf '%s' "$json" | sed -n 's/^{"answers":\([0-9]*\),.*/\1/p')
    check "--cv scores every answer once ($n of 28)" [ "$n" = 28 ]
    support=$(printf '%s' "$json" | sed -n 's/.*"micro":{[^}]*"support":\([0-9]*\).*/\1/p')
    check "--cv support is every gold label ($support of 32)" [ "$support" = 32 ]
    tpfn=$(printf '%s' "$json" | sed -n 's/.*"micro":{[^}]*"tp":\([0-9]*\),"fp":[0-9]*,"fn":\([0-9]*\)}.*/\1 \2/p')
    check "--cv tp + fn = support ($tpfn)" [ "$(echo "$tpfn" | awk '{print $1 + $2}')" = 32 ]
    again=$("$bin" eval --lang en --json --cv 4 --seed 3 "$sep")
    check "--cv is deterministic" [ "$json" = "$again" ]

    # Usage errors: exit 2 and one line naming what is wrong.
    "$bin" eval --lang en --cv 1 "$sep" >/dev/null 2>"$out/err"
    check "--cv 1 refused" [ $? -eq 2 ]
    "$bin" eval --lang en --plugin supervised --model "$out/none.model" "$sep" >/dev/null 2>"$out/err"
    check "missing model: exit 2" [ $? -eq 2 ]
    check "missing model: the file is named" grep -q "none.model" "$out/err"
    "$bin" eval --lang sv --model "$m1" "$sep" >/dev/null 2>"$out/err"
    check "a model of another language: exit 2" [ $? -eq 2 ]
    check "... saying so" grep -q "is for language 'en', not 'sv'" "$out/err"
    "$bin" train --lang en "$sep" >/dev/null 2>"$out/err"
    check "train without -o refused" [ $? -eq 2 ]
    printf 'id,text,areas\n1,hello,Not-A-Label\n' >"$out/badlabel.csv"
    "$bin" train --lang en -o "$out/x.model" "$out/badlabel.csv" >/dev/null 2>"$out/err"
    check "a bad label refused" [ $? -eq 2 ]
    check "a bad label named with its line" grep -q "badlabel.csv:2: label 'Not-A-Label'" "$out/err"
    # Labels outside the taxonomy: the model needs its own (--taxonomy).
    printf 'id,text,areas\n1,hello there,greeting\n2,goodbye now,farewell\n3,hi friend,greeting\n4,bye bye,farewell\n' >"$out/frame.csv"
    "$bin" train --lang en --folds 0 -o "$out/frame.model" "$out/frame.csv" >/dev/null
    "$bin" eval --lang en --plugin supervised --model "$out/frame.model" "$out/frame.csv" >/dev/null 2>"$out/err"
    check "labels not in the taxonomy refused" [ $? -ne 0 ]
    check "... naming the label" grep -q "label 'farewell' is not an area" "$out/err"
    printf '[farewell]\nname.en = Farewell\n\n[greeting]\nname.en = Greeting\n' >"$out/frame.txt"
    json=$("$bin" eval --lang en --json --taxonomy "$out/frame.txt" --plugin supervised --model "$out/frame.model" "$out/frame.csv")
    exact=$(printf '%s' "$json" | json_get exact_match)
    check "a team's own coding frame ($exact)" ge "$exact" 1
    top1=$(printf '%s' "$json" | json_get accuracy top1)
    check "a single-label set is scored by its top area too ($top1)" ge "$top1" 1
    ;;
pxtextmining)
    px="$testdata/pxtextmining"
    m="$out/px.model"
    check "train on pxtextmining" "$bin" train --lang en --start-tokens 3 -o "$m" "$px/phase1_train.csv" >/dev/null
    json=$("$bin" eval --lang en --json --taxonomy "$here/pxtextmining-taxonomy.txt" --plugin supervised --model "$m" "$px/phase1_test.csv")
    acc=$(printf '%s' "$json" | json_get accuracy top1)
    macro=$(printf '%s' "$json" | json_get macro_f1 top1)
    echo "pxtextmining test: top-1 accuracy $acc, macro-F1 $macro"
    check "top-1 accuracy $acc >= 0.69" ge "$acc" 0.69
    check "top-1 macro-F1 $macro >= 0.61" ge "$macro" 0.61
    # How an answer opens: "Nothing" first is the model's evidence.
    line=$(printf 'id,text\nq1,Nothing really all good\n' |
           "$bin" classify --lang en --taxonomy "$here/pxtextmining-taxonomy.txt" --plugin supervised \
               --model "$m" --format jsonl --input-format csv --quiet)
    check "an opening word codes couldnt_be_improved ($line)" sh -c 'printf "%s" "$1" | grep -q "\"areas\":\[\"couldnt_be_improved\"\]"' _ "$line"
    check "... with the stem at the start as evidence" sh -c 'printf "%s" "$1" | grep -q "\"text\":\"Nothing\",\"rule\":\"supervised: stem at the start\""' _ "$line"
    ;;
*)
    echo "unknown group $group"; exit 2 ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
