#!/bin/sh
# languages.sh BINARY SOURCE_DIR — a run in one language makes plugins for
# that language only: an error in another language's lexicon does not stop
# it, while a run in that other language (or with --lang auto) still stops
# with the error, naming the file.
set -u
bin="$1" src="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r "$src/lexicons" "$dir/lex"
printf '[nosuch_area]\nword\n' >> "$dir/lex/en/areas.txt"
printf 'vill inte v\303\244nta\n' > "$dir/sv.txt"
pass=0 fail=0
check() { if [ "$1" = "$2" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $3: got '$1', want '$2'"; fi; }

"$bin" classify --lang sv --quiet --data "$dir/lex" "$dir/sv.txt" > "$dir/out.csv" 2> "$dir/err.txt"
check "$?" 0 "--lang sv with a broken en lexicon"
check "$(wc -l < "$dir/out.csv" | tr -d ' ')" 2 "--lang sv output rows"
"$bin" classify --lang en --quiet --data "$dir/lex" "$dir/sv.txt" > /dev/null 2> "$dir/err.txt"
check "$?" 2 "--lang en with a broken en lexicon (a user file: exit 2)"
grep -q "en/areas.txt:.*unknown area 'nosuch_area'" "$dir/err.txt"
check "$?" 0 "the message names the file and the cause"
"$bin" classify --lang auto --quiet --data "$dir/lex" "$dir/sv.txt" > /dev/null 2>&1
check "$?" 2 "--lang auto needs every language's lexicon"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
