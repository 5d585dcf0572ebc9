#!/bin/sh
# json_fast.sh BINARY MPK2JSON — the JSON Lines writer's fast paths against
# the emitter that writes msgpack (decoded by mpk2json, whose strings and
# numbers are json_writer.c's): the same bytes, record for record.
#
# What the fast paths must get right:
#  - an answer known valid UTF-8 is tested and copied 16 bytes a step
#    (SSE2), the last block overlapping the one before: a byte to escape or
#    repair (quote, backslash, C0, DEL, C1, no-break space, invalid) at
#    every place of answers of 31 to 97 bytes, around the blocks' edges;
#  - the scores are one template ("areas" ... "evidence" of an ok record
#    without areas, scores or evidence as one piece; the non-zero scores
#    written into it in place of their 0): answers that score in one area,
#    in two, in the first and the last of the taxonomy's areas;
#  - the lengths of languages and rules are kept per formatter: the same
#    rules over and over, with --threads 1 and 3 (the same bytes).
set -u
bin="$1"
mpk="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

mkdir -p "$dir/lex/sv"
cat > "$dir/lex/sv/areas.txt" <<'EOF'
[access]
väntetid
*kö
[respect]
bemötande
[family]
anhörig*
[hope_recovery]
orka*
[everyday_life]
vardag*
EOF

awk 'BEGIN {
    n = split("34 92 1 31 127 194,128 194,159 194,160 195,165 255 9", sp, " ")
    nl = split("31 32 33 47 48 49 63 64 65 95 96 97", len, " ")
    for (i = 1; i <= nl; i++)
        for (s = 1; s <= n; s++) {
            m = split(sp[s], b, ","); c = ""
            for (k = 1; k <= m; k++) c = c sprintf("%c", b[k] + 0)
            for (p = 0; p < len[i]; p++) {
                line = ""
                for (q = 0; q < len[i]; q++) line = line (q == p ? c : "a")
                print line
            }
        }
    w[1] = "v\303\244ntetid"; w[2] = "bem\303\266tande"; w[3] = "anh\303\266riga"
    w[4] = "orkar"; w[5] = "vardagen"; w[6] = "telefonk\303\266"
    for (p = 0; p < 40; p++) {
        pad = substr("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, p)
        print pad " " w[p % 6 + 1]
        print w[p % 6 + 1] " " pad " " w[(p + 3) % 6 + 1]
        print pad " \"" w[p % 6 + 1] "\" " w[4] " " w[5]
        print w[4] " " pad " " w[1]
    }
}' > "$dir/in.txt"

for t in 1 3; do
    if "$bin" classify --lang sv --quiet --data "$dir/lex" --threads "$t" \
           --format jsonl -o "$dir/out-$t.jsonl" "$dir/in.txt" 2>/dev/null &&
       "$bin" classify --lang sv --quiet --data "$dir/lex" --threads "$t" \
           --format msgpack -o "$dir/out-$t.msgpack" "$dir/in.txt" 2>/dev/null &&
       "$mpk" < "$dir/out-$t.msgpack" > "$dir/decoded-$t.jsonl" &&
       cmp -s "$dir/decoded-$t.jsonl" "$dir/out-$t.jsonl"; then
        ok
    else
        bad "--threads $t: JSON Lines differs from msgpack decoded: $(diff "$dir/out-$t.jsonl" "$dir/decoded-$t.jsonl" 2>&1 | head -n 4 | cut -c 1-200)"
    fi
done
if cmp -s "$dir/out-1.jsonl" "$dir/out-3.jsonl"; then ok; else bad "--threads 1 and 3 differ"; fi

# The inputs reach what they are for: every record in, answers that score
# in several areas, and evidence of each kind of rule.
lines=$(wc -l < "$dir/in.txt")
records=$(($(wc -l < "$dir/out-1.jsonl") - 1))
if [ "$records" -eq "$lines" ]; then ok; else bad "$records records for $lines lines"; fi
multi=$(grep -c '"areas":\["[a-z_]*","[a-z_]*"' "$dir/out-1.jsonl")
if [ "$multi" -gt 40 ]; then ok; else bad "only $multi records with two areas or more"; fi
last=$(grep -c '"hope_recovery":0\.' "$dir/out-1.jsonl")
first=$(grep -c '"scores":{"access":0\.' "$dir/out-1.jsonl")
if [ "$last" -gt 40 ] && [ "$first" -gt 20 ]; then ok; else bad "scores in the first ($first) and last ($last) areas"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
