#!/bin/sh
# progress.sh BINARY — the progress line of `classify` is drawn on a
# terminal and nowhere else: under script(1), which gives the command a real
# pseudo-terminal, stderr shows "N records, R/s, P%"; with --quiet, or when
# stderr is not a terminal, only the summary line is written.
set -u
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# Enough answers that coding takes well over the 0.1 s between redraws.
awk 'BEGIN { for (i = 0; i < 150000; i++)
               print "Jag vill inte vänta så länge på vårdcentralen, svar " i }' > "$dir/in.txt"

script -qec "'$bin' classify --lang sv --threads 1 -o '$dir/out.csv' '$dir/in.txt'" /dev/null \
    > "$dir/tty.txt" 2>&1
if grep -q 'records, [0-9]*/s, [0-9]*%' "$dir/tty.txt"; then ok; else bad "no progress line on a terminal"; fi
if grep -q '150000 read, 150000 written' "$dir/tty.txt"; then ok; else bad "no summary on a terminal"; fi

script -qec "'$bin' classify --lang sv --quiet -o '$dir/out.csv' '$dir/in.txt'" /dev/null \
    > "$dir/quiet.txt" 2>&1
if grep -q 'records, [0-9]*/s' "$dir/quiet.txt"; then bad "--quiet still draws progress"; else ok; fi

"$bin" classify --lang sv -o "$dir/out.csv" "$dir/in.txt" 2> "$dir/err.txt"
if [ "$(wc -l < "$dir/err.txt")" -eq 1 ] && grep -q '^whatmatters: classify: 150000 read' "$dir/err.txt"; then
    ok
else
    bad "not a terminal: expected only the summary line, got: $(head -c 200 "$dir/err.txt")"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
