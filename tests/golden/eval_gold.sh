#!/bin/sh
# eval_gold.sh BINARY SOURCE_DIR LANG MIN_MACRO MIN_AREA
# Runs `whatmatters eval --json` on the reported (test) split of a gold
# corpus with the shipped lexicons, and checks macro-F1 >= MIN_MACRO and
# every area's F1 >= MIN_AREA (issue 3's floors for sv, nb and en; lower
# regression floors for the smaller nn and da sets). Prints the figures.
set -u
bin="$1" src="$2" lang="$3" min_macro="$4" min_area="$5"
gold="$src/corpora/gold/$lang/test.csv"
json=$("$bin" eval --lang "$lang" --json "$gold") || { echo "eval failed"; echo "0 passed, 1 failed"; exit 1; }
echo "$json"
# The JSON is one object; pull out macro_f1 and every per-area f1.
macro=$(printf '%s' "$json" | sed -n 's/.*"macro_f1": *\([0-9.]*\).*/\1/p')
areas=$(printf '%s' "$json" | grep -o '"[a-z_]*": *{[^}]*"f1": *[0-9.]*' |
        sed 's/"\([a-z_]*\)".*"f1": *\([0-9.]*\)/\1 \2/')
pass=0 fail=0
if awk -v m="$macro" -v t="$min_macro" 'BEGIN { exit !(m != "" && m + 0 >= t + 0) }'; then
    pass=$((pass + 1))
else
    fail=$((fail + 1)); echo "FAIL: $lang macro-F1 $macro < $min_macro"
fi
n=0
while read -r area f1; do
    [ -n "$area" ] || continue
    n=$((n + 1))
    if awk -v f="$f1" -v t="$min_area" 'BEGIN { exit !(f + 0 >= t + 0) }'; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $lang $area F1 $f1 < $min_area"
    fi
done <<AREAS
$areas
AREAS
[ "$n" -ge 9 ] || { fail=$((fail + 1)); echo "FAIL: expected 9 areas in the JSON, found $n"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
