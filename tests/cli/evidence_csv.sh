#!/bin/sh
# evidence_csv.sh BINARY — the CSV evidence cell names each span once per
# area, however many rules matched it, while JSON Lines keeps every rule.
set -u
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/lex/sv"
printf '[coordination]\nbollad\nboll*\n[access]\nv\303\244nt*\n' > "$dir/lex/sv/areas.txt"
printf 'id,text\n1,bli bollad och v\303\244nta\n' > "$dir/in.csv"
pass=0 fail=0
got=$("$bin" classify --lang sv --quiet --data "$dir/lex" --id-column id "$dir/in.csv" | tail -n 1)
want_tail='coordination=bollad; access=vänta'
case $got in
    *",$want_tail") pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); echo "FAIL: CSV evidence: got '$got', want it to end ',$want_tail'" ;;
esac
n=$("$bin" classify --lang sv --quiet --data "$dir/lex" --id-column id --format jsonl "$dir/in.csv" |
    tail -n 1 | grep -o '"rule":' | wc -l)
if [ "$n" -eq 3 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: JSON Lines has $n rules, want 3"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
