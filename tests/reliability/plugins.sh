#!/bin/sh
# plugins.sh — a plugin that fails, writes out of bounds of its result, or is
# slow, does not take a batch down silently; and only plugins named by a path
# are ever loaded from a file.
#
# Usage: plugins.sh WHATMATTERS MISBEHAVE_PLUGIN
#
# For each misbehaviour of misbehave_plugin.c, five answers of which two
# trigger it: all five records come out, in order; the two are plugin_failed
# with the plugin's name and what it did; the lexicon's areas stand on them;
# the summary counts them; exit status 0. With --on-plugin-error stop the run
# stops at the first, after writing the record before it, with status 1.
# Then the current folder: a wm_lexicon.so or misbehave.so there is never
# loaded by a bare name or by default.
set -u
LC_ALL=C
export LC_ALL
# Absolute paths: some checks run in another folder.
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FX=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
T=$(mktemp -d "${TMPDIR:-/tmp}/wm-plugins.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$1"
    [ -f "$T/err" ] && sed 's/^/    stderr: /' "$T/err" | head -5
    [ -f "$T/out" ] && sed 's/^/    stdout: /' "$T/out" | head -8
}

printf 'vi fick vänta länge\nvänta trigger två\nmin familj\ntrigger fyra väntetid\nfem\n' > "$T/in.txt"

# check MODE WHAT [OPTIONS...]: the five records, two flagged with WHAT.
check() {
    mode=$1 what=$2
    shift 2
    "$BIN" classify --lang sv --format jsonl --quiet --threads 2 "$@" \
        --plugin lexicon --plugin "$FX" --options "$mode" "$T/in.txt" > "$T/out" 2> "$T/err"
    status=$?
    records=$(grep -c '^{"id"' "$T/out")
    flagged=$(grep -c "\"status\":\"plugin_failed\",\"message\":\"$T/in.txt: record [24] (line [24], byte [0-9]*): plugin 'misbehave' failed: $what" "$T/out")
    if [ "$status" -eq 0 ] && [ "$records" -eq 5 ] && [ "$flagged" -eq 2 ] \
       && grep -q '^{"id":1,.*"status":"ok"' "$T/out" \
       && grep -q '^{"id":3,.*"status":"ok"' "$T/out" \
       && grep -q '^{"id":5,.*"status":"ok"' "$T/out" \
       && grep -q '^{"id":4,.*"areas":\["access"\].*"plugin":"lexicon"' "$T/out" \
       && ! grep -q '^{"id":4,.*"plugin":"misbehave"' "$T/out" \
       && grep -q 'classify: 5 read, 5 written, 2 flagged (2 plugin_failed)' "$T/err"; then
        ok
    else
        bad "$mode: 5 records, 2 flagged with \"$what\" (status $status, $records records, $flagged flagged)"
    fi
}

check fail 'misbehave: cannot go on with this answer'
check oob 'wrote past the end of its 9 scores'
check evidence 'evidence for area 0 at bytes \[0, [0-9]*) does not fit the answer (9 areas, [0-9]* bytes)'
check nan 'score -\{0,1\}nan for area .respect. is outside \[0, 1\]'
check slow 'took [0-9]* ms on this answer, over the limit of 100 ms' --plugin-time-limit 100
# Without a limit a slow plugin is only slow: nothing is flagged.
"$BIN" classify --lang sv --format jsonl --quiet --plugin "$FX" --options slow "$T/in.txt" > "$T/out" 2> "$T/err"
status=$?
if [ "$status" -eq 0 ] && grep -q '5 read, 5 written, 0 flagged' "$T/err"; then ok; else bad "slow without a limit"; fi

# --on-plugin-error stop: record 1 written, stopped at record 2, status 1.
"$BIN" classify --lang sv --format jsonl --quiet --threads 1 --on-plugin-error stop \
    --plugin "$FX" --options fail "$T/in.txt" > "$T/out" 2> "$T/err"
status=$?
if [ "$status" -eq 1 ] && [ "$(grep -c '^{"id"' "$T/out")" -eq 1 ] \
   && grep -q "record 2 (line 2, byte [0-9]*): plugin 'misbehave' failed: misbehave: cannot go on with this answer (plugin_failed; stopped by --on-plugin-error stop)" "$T/err" \
   && grep -q '2 read, 1 written, 1 flagged (1 plugin_failed)' "$T/err"; then
    ok
else
    bad "--on-plugin-error stop"
fi
# ... flag is the default, and anything else is a usage error.
"$BIN" classify --lang sv --quiet --on-plugin-error flag --plugin "$FX" --options fail "$T/in.txt" > "$T/out" 2> "$T/err"
status=$?
if [ "$status" -eq 0 ] && grep -q '5 read, 5 written, 2 flagged (2 plugin_failed)' "$T/err"; then ok; else bad "--on-plugin-error flag"; fi
"$BIN" classify --lang sv --quiet --on-plugin-error ignore "$T/in.txt" > "$T/out" 2> "$T/err"
status=$?
if [ "$status" -eq 2 ] && grep -q "bad --on-plugin-error value 'ignore' (expected flag or stop)" "$T/err"; then ok; else bad "--on-plugin-error ignore"; fi
"$BIN" classify --lang sv --quiet --plugin-time-limit 10x "$T/in.txt" > "$T/out" 2> "$T/err"
status=$?
if [ "$status" -eq 2 ] && grep -q "bad --plugin-time-limit value '10x'" "$T/err"; then ok; else bad "--plugin-time-limit 10x"; fi

# The current folder: plugin files named like the built-in plugin and like
# the fixture, which fails on every answer when loaded without options.
mkdir "$T/cwd"
cp "$FX" "$T/cwd/wm_lexicon.so"
cp "$FX" "$T/cwd/misbehave.so"
cp "$FX" "$T/cwd/lexicon"
cp "$T/in.txt" "$T/cwd/in.txt"
(
    cd "$T/cwd" || exit 1
    # By default: the built-in plugins, nothing from here.
    "$BIN" classify --lang sv --format jsonl --quiet in.txt > "$T/out" 2> "$T/err"
    echo $? > "$T/status"
) 
if [ "$(cat "$T/status")" -eq 0 ] && grep -q '5 read, 5 written, 0 flagged' "$T/err" \
   && ! grep -q misbehave "$T/out"; then ok; else bad "default plugins in a folder holding wm_lexicon.so"; fi
for name in lexicon wm_lexicon misbehave; do
    (
        cd "$T/cwd" || exit 1
        "$BIN" classify --lang sv --format jsonl --quiet --plugin "$name" in.txt > "$T/out" 2> "$T/err"
        echo $? > "$T/status"
    )
    status=$(cat "$T/status")
    if [ "$name" = lexicon ]; then
        # A bare name is the built-in plugin, not the file called 'lexicon'.
        if [ "$status" -eq 0 ] && grep -q '0 flagged' "$T/err" && ! grep -q misbehave "$T/out"; then ok; else bad "--plugin lexicon in a folder holding a file 'lexicon'"; fi
    elif [ "$status" -ne 0 ] && grep -q "no built-in plugin '$name'" "$T/err" \
         && grep -q "a plugin file is named by a path with a '/', such as ./$name.so" "$T/err"; then
        ok
    else
        bad "--plugin $name in a folder holding $name.so"
    fi
done
(
    cd "$T/cwd" || exit 1
    "$BIN" classify --lang sv --format jsonl --quiet --plugin misbehave.so in.txt > "$T/out" 2> "$T/err"
    echo $? > "$T/status"
)
if [ "$(cat "$T/status")" -ne 0 ] && grep -q "no built-in plugin 'misbehave.so'" "$T/err"; then ok; else bad "--plugin misbehave.so in a folder holding it"; fi
# With a path it is loaded, and it fails on every answer as it should.
(
    cd "$T/cwd" || exit 1
    "$BIN" classify --lang sv --format jsonl --quiet --plugin ./misbehave.so in.txt > "$T/out" 2> "$T/err"
    echo $? > "$T/status"
)
if [ "$(cat "$T/status")" -eq 0 ] && grep -q '5 read, 5 written, 5 flagged (5 plugin_failed)' "$T/err"; then ok; else bad "--plugin ./misbehave.so"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
