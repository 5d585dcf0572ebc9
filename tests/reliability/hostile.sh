#!/usr/bin/env bash
# hostile.sh — the hostile-inputs catalogue: inputs made to break a batch
# run, fed to `whatmatters classify` one by one. Each must give a clear
# message (file, record, line or byte) on a flagged record or a refusal,
# stay within a bound of memory (peak RSS measured by /usr/bin/time -v), and
# lose no record: as many records come out as went in.
#
# Usage: hostile.sh WHATMATTERS [sanitize]
#   sanitize  the program was built with ASan/UBSan: memory bounds x4
# Environment: WM_HOSTILE_BIG, the size of the endless line (default 1G:
# 1 GiB made up by `head -c | tr` as it is read, never written to disk);
# WM_HOSTILE_TABLE=FILE also writes the results as a Markdown table (the
# README's).
#
# The catalogue is the table below, one case a line:
#   NAME | FORMAT | OPTIONS | RECORDS IN | WANTED in the output | RSS MiB
# FORMAT is --input-format; the input is what the function gen_NAME prints;
# WANTED is a grep -E pattern that must match the output (JSON Lines) and the
# summary line "N read, N written, ..." must show RECORDS IN twice.
set -u
LC_ALL=C
export LC_ALL
BIN=$1
FACTOR=1
[ "${2:-}" = sanitize ] && FACTOR=4
BIG=${WM_HOSTILE_BIG:-1G}
T=$(mktemp -d "${TMPDIR:-/tmp}/wm-hostile.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "hostile.sh: needs GNU time (Debian package 'time')" >&2; exit 2; }

CASES='
nul_bytes          | text    |                     | 3 | "text":"a\\u0000b".*"status":"ok"                                    | 64
overlong_utf8      | text    |                     | 3 | "id":1,.*"status":"invalid_utf8","message":"stdin: record 1 \(line 1, byte 0\): invalid UTF-8 at byte 0 of the answer" | 64
lone_surrogate_raw | text    |                     | 2 | "id":1,.*"status":"invalid_utf8".*invalid UTF-8 at byte 5             | 64
lone_surrogate_json| jsonl   |                     | 2 | "id":1,.*"status":"invalid_utf8".*invalid UTF-8 at byte 5             | 64
combining_1m       | text    |                     | 2 | "id":1,.*"status":"plugin_failed".*plugin .pattern. failed: pattern: answer over 1048576 bytes | 128
field_100mb        | csv     |                     | 2 | "id":1,.*"status":"too_large","message":"stdin: record 1 \(line 2, byte 8\): the text field has 104857600 bytes, over the limit of 16777216" | 64
field_10mb_coded   | csv     |                     | 2 | "id":2,.*"status":"ok"                                                 | 600
csv_open_quote_end | csv     |                     | 3 | "id":3,.*"status":"bad_row","message":"stdin: record 3 \(line 4, byte [0-9]+\): unterminated quoted field | 64
mixed_line_endings | csv     |                     | 4 | "id":4,"keep":\{\},"text":"four"                                       | 64
deep_json          | jsonl   | --keep k            | 3 | "id":1,.*"status":"bad_row","message":"stdin: record 1 \(line 1, byte 0\): nested deeper than 512 levels" | 64
msgpack_lying_str  | msgpack |                     | 2 | "id":2,.*"status":"bad_row","message":"stdin: record 2 \(byte 8\): truncated msgpack object \(the input ends 3 bytes into a str of 4294967295 bytes\)" | 64
msgpack_lying_map  | msgpack |                     | 2 | "id":2,.*"status":"bad_row"                                            | 64
msgpack_lying_bin  | msgpack | --keep k            | 2 | "id":2,.*"status":"bad_row","message":"stdin: record 2 \(byte 8\): truncated msgpack object \(the input ends [0-9]+ bytes into a bin of 4294967295 bytes\)" | 64
line_1g_no_newline | text    |                     | 1 | "id":1,.*"status":"too_large","message":"stdin: record 1 \(line 1, byte 0\): the text field has [0-9]+ bytes, over the limit of 16777216" | 64
'

gen_nul_bytes() { printf 'a\0b\nok\n\0\n'; }
gen_overlong_utf8() { printf '\300\257 slash\n\340\200\257\nok\n'; }
gen_lone_surrogate_raw() { printf 'lone \355\240\200 x\nok\n'; }
gen_lone_surrogate_json() { printf '{"text":"lone \\ud800 x"}\n{"text":"ok"}\n'; }
gen_combining_1m() { python3 -c "import sys; sys.stdout.buffer.write(b'e' + '\u0301'.encode() * 1000000 + b' ord\nok\n')"; }
gen_field_100mb() { printf 'id,text\n1,"'; head -c 100M /dev/zero | tr '\0' y; printf '"\n2,after\n'; }
gen_field_10mb_coded() {
    printf 'id,text\n1,"'
    python3 -c "import sys; sys.stdout.write('vänta på vårdcentralen, min familj! ' * 270000)"
    printf '"\n2,vänta på vården\n'
}
gen_csv_open_quote_end() { printf 'id,text\n1,ok\n2,"quoted, fine"\n3,"never closed\nmore text'; }
gen_mixed_line_endings() { printf 'id,text\r\n1,one\n2,"two\r\nlines"\r\n3,three\r\n4,four'; }
gen_deep_json() {
    python3 -c "import sys; sys.stdout.write('{\"text\":\"deep\",\"k\":' + '[' * 100000 + ']' * 100000 + '}\n' + '{\"text\":\"x\",\"k\":' + '{\"a\":' * 600 + '1' + '}' * 600 + '}\n{\"text\":\"after\"}\n')"
}
gen_msgpack_lying_str() { printf '\201\244text\241x\201\244text\333\377\377\377\377abc'; }
gen_msgpack_lying_map() { printf '\201\244text\241x\337\377\377\377\377\244text\241y'; }
# A bin claiming 2^32-1 bytes inside a kept field: the record after it is
# inside the bytes it claims, so the input ends in record 2.
gen_msgpack_lying_bin() { printf '\201\244text\241x\202\244text\241y\241k\306\377\377\377\377\001\002\201\244text\245after'; }
gen_line_1g_no_newline() { head -c "$BIG" /dev/zero | tr '\0' x; }

passed=0
failed=0
rows=""
while IFS='|' read -r name format opts n_in wanted rss; do
    name=$(echo "$name" | xargs)
    [ -z "$name" ] && continue
    format=$(echo "$format" | xargs)
    opts=$(echo "$opts" | xargs)
    n_in=$(echo "$n_in" | xargs)
    wanted=$(echo "$wanted" | sed 's/^ *//; s/ *$//')
    rss=$(echo "$rss" | xargs)
    # shellcheck disable=SC2086 # opts is a list of words
    "gen_$name" | "$TIME" -v -o "$T/time" "$BIN" classify --lang sv --input-format "$format" \
        --format jsonl --quiet --threads 2 $opts -o "$T/out.jsonl" - 2> "$T/err"
    status=$?
    peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
    peak_mb=$(( ${peak_kb:-0} / 1024 ))
    n_out=$(grep -c '^{"id"' "$T/out.jsonl" 2>/dev/null)
    flagged=$(sed -n 's/.* written, \([0-9]*\) flagged.*/\1/p' "$T/err")
    why=""
    [ "$status" -eq 0 ] || why="$why exit status $status;"
    [ "$n_out" = "$n_in" ] || why="$why $n_in records in, ${n_out:-0} out;"
    grep -q "classify: $n_in read, $n_in written" "$T/err" || why="$why summary: $(tail -1 "$T/err");"
    grep -Eq -- "$wanted" "$T/out.jsonl" || why="$why no line matches: $wanted;"
    [ "$peak_mb" -le $(( rss * FACTOR )) ] || why="$why peak RSS $peak_mb MiB over $(( rss * FACTOR ));"
    if [ -z "$why" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name:$why"
        head -3 "$T/err" | sed 's/^/    stderr: /'
    fi
    printf '%-20s %-8s in %-2s out %-2s flagged %-2s peak RSS %4s MiB (bound %s)\n' \
        "$name" "$format" "$n_in" "${n_out:-0}" "$flagged" "$peak_mb" $(( rss * FACTOR ))
    rows="$rows| $name | $format | $n_in | ${n_out:-0} | $flagged | $((n_in - ${n_out:-0})) | $peak_mb |
"
done <<CASES_END
$CASES
CASES_END
if [ -n "${WM_HOSTILE_TABLE:-}" ]; then
    {
        echo "| input | format | records in | records out | flagged | lost | peak RSS (MiB) |"
        echo "|---|---|---|---|---|---|---|"
        printf '%s' "$rows"
    } > "$WM_HOSTILE_TABLE"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
