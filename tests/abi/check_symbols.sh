#!/bin/sh
# check_symbols.sh NM LIBRARY SYMBOLS HEADER — holds the library's exported
# symbols to the committed list (engine/abi/symbols.txt) and to the public
# header's WM_API declarations, each against each, and says what differs:
# a symbol exported but not listed (add it, with the version that adds it),
# listed but not exported (a removal: see engine/abi/POLICY.md), or declared
# in the header but not exported (or the reverse). Exit status 0 when all
# three agree.
set -u
nm="$1" lib="$2" list="$3" header="$4"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Defined dynamic symbols of any kind (text, data, read-only, weak).
"$nm" -D --defined-only "$lib" | awk 'NF >= 3 {print $3}' | sort -u >"$tmp/exported"
grep -v '^#' "$list" | awk 'NF {print $1}' | sort -u >"$tmp/listed"
# Each declaration starts "WM_API <type> wm_name(" on one line.
grep -oE 'WM_API[^(;]*[^a-z0-9_]wm_[a-z0-9_]+\(' "$header" |
    grep -oE 'wm_[a-z0-9_]+\($' | tr -d '(' | sort -u >"$tmp/declared"

fail=0
report() { # report FILE MESSAGE
    if [ -s "$1" ]; then
        echo "FAIL: $2:" >&2
        sed 's/^/  /' "$1" >&2
        fail=1
    fi
}
comm -23 "$tmp/exported" "$tmp/listed" >"$tmp/a"
report "$tmp/a" "exported by $lib but not in $list (add them, with the version)"
comm -13 "$tmp/exported" "$tmp/listed" >"$tmp/b"
report "$tmp/b" "in $list but not exported (removing a symbol breaks the ABI)"
comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/c"
report "$tmp/c" "declared WM_API in $header but not exported"
comm -13 "$tmp/declared" "$tmp/exported" >"$tmp/d"
report "$tmp/d" "exported but not declared WM_API in $header"
# The list says when each symbol came: a line without a version is an error.
grep -v '^#' "$list" | awk 'NF && NF != 2' >"$tmp/e"
report "$tmp/e" "lines of $list without NAME SINCE"

if [ "$fail" -eq 0 ]; then
    echo "$(wc -l <"$tmp/exported") symbols: library, list and header agree"
fi
exit "$fail"
