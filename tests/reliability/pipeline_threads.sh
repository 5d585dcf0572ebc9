#!/bin/sh
# pipeline_threads.sh — the batch pipeline on 1 and on 4 threads writes the
# same bytes (docs/batch.md), over a few batches of made-up answers. Small
# enough to run under ThreadSanitizer (tools/test.sh's tsan configuration),
# where it is the CLI's concurrency test.
#
# Usage: pipeline_threads.sh WHATMATTERS
set -u
LC_ALL=C
export LC_ALL
BIN=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/wm-threads.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
awk 'BEGIN {
    split("vänta|vårdcentralen|familj|inte|lyssna|personalen|hjälp|samma|läkare|hemma|bemötande|trygg|ok|och|min", w, "|");
    for (i = 1; i <= 3000; i++) {
        s = "";
        for (j = 0; j < 3 + i % 11; j++) s = s (j ? " " : "") w[1 + (i * 7 + j * 13) % 15];
        if (i % 97 == 0) s = s " \377";
        print s;
    }
}' > "$T/in.txt"
"$BIN" classify --lang sv --format jsonl --quiet --threads 1 "$T/in.txt" > "$T/one" 2> "$T/err1" || { cat "$T/err1"; exit 1; }
"$BIN" classify --lang sv --format jsonl --quiet --threads 4 "$T/in.txt" > "$T/four" 2> "$T/err4" || { cat "$T/err4"; exit 1; }
if cmp -s "$T/one" "$T/four" && [ "$(grep -c '^{"id"' "$T/four")" -eq 3000 ]; then
    echo "1 passed, 0 failed"
else
    echo "FAIL: 1 and 4 threads differ, or records were lost"
    exit 1
fi
