#!/bin/sh
# spelling.sh BINARY — --spell on|off and --dict-dir in tokenize,
# classify and eval: the tokens the spelling stage adds (flags 'part' and
# 'variant'), "spelling":true on the evidence that rests on them, the
# metadata's record of the option, and the errors (a bad value, a missing
# dictionary) with exit status 2. Needs the Swedish Hunspell dictionary
# (Debian's hunspell-sv) in /usr/share/hunspell.
set -u
LC_ALL=C # grep and sed compare bytes
export LC_ALL
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; shift; for l in "$@"; do echo "    $l"; done; }
# check GOT WANT NAME
check() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', want '$2'"; fi; }
# has FILE PATTERN NAME: FILE holds a line matching the extended regex.
has() { if grep -E -q -e "$2" "$1"; then ok; else bad "$3" "no line matches: $2" "$(head -c 600 "$1")"; fi; }
# hasnt FILE PATTERN NAME
hasnt() { if grep -E -q -e "$2" "$1"; then bad "$3" "a line matches: $2"; else ok; fi; }
# one_error FILE STATUS WANT_STATUS PATTERN NAME: the exit status, and stderr
# exactly one line that matches PATTERN.
one_error() {
    check "$2" "$3" "$5: exit status"
    check "$(wc -l < "$1" | tr -d ' ')" 1 "$5: one line on stderr"
    has "$1" "$4" "$5: the message"
}
TAB=$(printf '\t')

# --- tokenize -------------------------------------------------------------------
printf 'anh\303\266rigst\303\266det' > "$dir/compound.txt"
printf 'vardcentralen' > "$dir/typo.txt"

"$bin" tokenize --lang sv --spell on "$dir/compound.txt" > "$dir/out" 2> "$dir/err"
check "$?" 0 "tokenize --spell on: a compound"
check "$(grep -E -c "${TAB}([a-z_]+,)*part\$" "$dir/out")" 2 "anhörigstödet gives two part tokens"
has "$dir/out" "^0${TAB}15${TAB}anhörigstödet${TAB}anhörigstödet${TAB}[^${TAB}]*${TAB}word" \
    "the word itself comes first, unchanged"
has "$dir/out" "^0${TAB}15${TAB}anhörigstödet${TAB}anhörig${TAB}[^${TAB}]*${TAB}([a-z_]+,)*part\$" \
    "part 'anhörig', with the word's offsets"
has "$dir/out" "^0${TAB}15${TAB}anhörigstödet${TAB}stöd[^${TAB}]*${TAB}[^${TAB}]*${TAB}([a-z_]+,)*part\$" \
    "part 'stöd...', with the word's offsets"
check "$(head -n 1 "$dir/out" | cut -f 4)" "anhörigstödet" "the word's token is first"
check "$(wc -c < "$dir/err" | tr -d ' ')" 0 "tokenize --spell on: nothing on stderr"

"$bin" tokenize --lang sv --spell on "$dir/typo.txt" > "$dir/out" 2> "$dir/err"
check "$?" 0 "tokenize --spell on: a misspelling"
has "$dir/out" "^0${TAB}13${TAB}vardcentralen${TAB}vårdcentralen${TAB}[^${TAB}]*${TAB}([a-z_]+,)*variant\$" \
    "vardcentralen gives the variant vårdcentralen"

"$bin" tokenize --lang sv --spell on --lines "$dir/typo.txt" > "$dir/lines" 2>&1
check "$?" 0 "tokenize --spell on --lines"
has "$dir/lines" "${TAB}vårdcentralen${TAB}.*variant\$" "--lines: the variant"

"$bin" tokenize --lang sv "$dir/typo.txt" > "$dir/default" 2>&1
"$bin" tokenize --lang sv --spell off "$dir/typo.txt" > "$dir/off" 2>&1
check "$?" 0 "tokenize --spell off"
if cmp -s "$dir/default" "$dir/off"; then ok; else bad "--spell off is the default"; fi
hasnt "$dir/off" "variant|part" "--spell off adds no token"
check "$(wc -l < "$dir/off" | tr -d ' ')" 1 "--spell off: one token"

# --dict-dir: a folder with only sv_SE does for --lang sv.
mkdir "$dir/dicts"
cp /usr/share/hunspell/sv_SE.aff /usr/share/hunspell/sv_SE.dic "$dir/dicts/"
"$bin" tokenize --lang sv --spell on --dict-dir "$dir/dicts" "$dir/typo.txt" \
    > "$dir/out" 2> "$dir/err"
check "$?" 0 "tokenize --dict-dir with sv_SE only"
has "$dir/out" "${TAB}([a-z_]+,)*variant\$" "--dict-dir: the variant"

# Errors: a bad value, a missing dictionary (the library's message names it).
for cmd in tokenize classify eval; do
    "$bin" $cmd --lang sv --spell maybe "$dir/typo.txt" > "$dir/out" 2> "$dir/err"
    one_error "$dir/err" "$?" 2 \
        "^whatmatters: $cmd: bad --spell value 'maybe' \\(expected on, off or suggest\\)\$" \
        "$cmd --spell maybe"
    check "$(wc -c < "$dir/out" | tr -d ' ')" 0 "$cmd --spell maybe: no output"
done
for cmd in tokenize classify; do
    "$bin" $cmd --lang sv --spell on --dict-dir /nonexistent "$dir/typo.txt" \
        > "$dir/out" 2> "$dir/err"
    one_error "$dir/err" "$?" 2 "^whatmatters: $cmd: .*sv_SE" \
        "$cmd --dict-dir /nonexistent names the dictionary"
done
printf 'id,text,areas\n1,vardcentralen,access\n' > "$dir/gold.csv"
"$bin" eval --lang sv --spell on --dict-dir /nonexistent "$dir/gold.csv" \
    > "$dir/out" 2> "$dir/err"
one_error "$dir/err" "$?" 2 "^whatmatters: eval: .*sv_SE" \
    "eval --dict-dir /nonexistent names the dictionary"
"$bin" tokenize --lang nb --spell on --dict-dir "$dir/dicts" "$dir/typo.txt" \
    > "$dir/out" 2> "$dir/err"
one_error "$dir/err" "$?" 2 "^whatmatters: tokenize: .*nb_NO" \
    "tokenize --lang nb with sv_SE only names nb_NO"
"$bin" tokenize --lang sv --spell off --dict-dir /nonexistent "$dir/typo.txt" \
    > "$dir/out" 2> "$dir/err"
check "$?" 0 "--dict-dir is not used with --spell off"

# --- classify -------------------------------------------------------------------
printf 'id,text\n1,Fick v\303\244nta l\303\244nge p\303\245 vardcentralen utan medkansla\n' > "$dir/in.csv"
"$bin" classify --lang sv --quiet --id-column id --format jsonl --spell on \
    "$dir/in.csv" > "$dir/on.jsonl" 2> "$dir/err"
check "$?" 0 "classify --spell on"
has "$dir/on.jsonl" '"text":"medkansla","rule":"medk[^"]*nsla","plugin":"lexicon","negated":[a-z]*,"spelling":true\}' \
    "JSON Lines: evidence on the corrected word has \"spelling\":true"
has "$dir/on.jsonl" '"text":"vardcentralen","rule":"vardcentral\*","plugin":"lexicon","negated":false\}' \
    "JSON Lines: a word the lexicon matches as written is not matched again through its variant"
has "$dir/on.jsonl" '^\{"whatmatters_meta":.*"spell":true,"spell_suggest":false,"dict_dir":null,"lang":"sv"' \
    "the metadata records spell on"
has "$dir/on.jsonl" '^\{"whatmatters_meta":.*\{"name":"hunspell/sv_SE\.dic","source":"/usr/share/hunspell/sv_SE\.dic","fingerprint":"[0-9a-f]{16}"' \
    "the metadata lists the dictionary with its fingerprint"
hasnt "$dir/on.jsonl" 'hunspell/(nb_NO|nn_NO|da_DK|en_US)' "--lang sv loads the sv dictionary only"
# --spell suggest: Hunspell's own suggestion where the lexicon's strings
# mend nothing ("vårdcentralsn": only Hunspell gives "vårdcentralen").
printf 'v\303\245rdcentralsn\n' > "$dir/sugg.txt"
"$bin" classify --lang sv --quiet --format jsonl --spell suggest "$dir/sugg.txt" \
    > "$dir/sugg.jsonl" 2> "$dir/err"
check "$?" 0 "classify --spell suggest"
has "$dir/sugg.jsonl" '"spell":true,"spell_suggest":true,' "the metadata records spell suggest"
has "$dir/sugg.jsonl" '"text":"v[^"]*rdcentralsn",.*"spelling":true' "--spell suggest: Hunspell's correction"
"$bin" classify --lang sv --quiet --format jsonl --spell on "$dir/sugg.txt" \
    > "$dir/sugg-on.jsonl" 2> "$dir/err"
hasnt "$dir/sugg-on.jsonl" '"spelling":true' "--spell on: no suggestion from Hunspell"
# msgpack: the same maps as JSON Lines, "spelling" included (WM_MPK2JSON,
# the decoder built from mpk2json.c; skipped without it).
if [ -n "${WM_MPK2JSON:-}" ] && [ -x "$WM_MPK2JSON" ]; then
    "$bin" classify --lang sv --quiet --id-column id --format msgpack --spell on \
        "$dir/in.csv" 2> "$dir/err" | "$WM_MPK2JSON" > "$dir/on.decoded"
    if cmp -s "$dir/on.decoded" "$dir/on.jsonl"; then ok; else
        bad "msgpack holds the same maps as JSON Lines with --spell on"; fi
fi
"$bin" classify --lang sv --quiet --id-column id --format jsonl --spell off \
    "$dir/in.csv" > "$dir/off.jsonl" 2> "$dir/err"
check "$?" 0 "classify --spell off"
hasnt "$dir/off.jsonl" '"spelling"' "--spell off: no \"spelling\" key"
has "$dir/off.jsonl" '^\{"whatmatters_meta":.*"spell":false,"spell_suggest":false,"dict_dir":null,"lang":"sv"' \
    "the metadata records spell off"
"$bin" classify --lang sv --quiet --id-column id --spell on --dict-dir "$dir/dicts" \
    --format jsonl "$dir/in.csv" > "$dir/dd.jsonl" 2> "$dir/err"
check "$?" 0 "classify --lang sv --dict-dir with sv_SE only"
has "$dir/dd.jsonl" "\"dict_dir\":\"$dir/dicts\"" "the metadata records --dict-dir"

# CSV: the same columns with and without; the cell names the text as written.
"$bin" classify --lang sv --quiet --id-column id --spell on "$dir/in.csv" \
    > "$dir/on.csv" 2> "$dir/err"
check "$?" 0 "classify --spell on, CSV"
"$bin" classify --lang sv --quiet --id-column id "$dir/in.csv" > "$dir/off.csv" 2>&1
check "$(head -n 1 "$dir/on.csv")" "$(head -n 1 "$dir/off.csv")" "CSV: the same header"
has "$dir/on.csv" '=medkansla"?$' "CSV: the evidence cell names the word as written"
hasnt "$dir/on.csv" 'spelling' "CSV: no spelling marker"

# --- eval -----------------------------------------------------------------------
"$bin" eval --lang sv --spell on --json --errors "$dir/gold.csv" > "$dir/out" 2> "$dir/err"
check "$?" 0 "eval --spell on"
has "$dir/out" '"answers":1,' "eval --spell on: the answer is counted"
"$bin" eval --lang sv --spell off --json "$dir/gold.csv" > "$dir/out" 2> "$dir/err"
check "$?" 0 "eval --spell off"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
