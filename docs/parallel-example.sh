#!/bin/sh
# parallel-example.sh — code a large survey file in pieces with GNU parallel
# (Debian package `parallel`), save a summary of each piece, and merge the
# summaries into one report: the numbers are those of one run over the whole
# file (docs/batch.md, "Reports").
#
#   docs/parallel-example.sh [--lang sv] [--block 10M] [--by COLUMN] ANSWERS OUTDIR
#
# ANSWERS is JSON Lines (ANSWERS.jsonl) or CSV with a header row
# (ANSWERS.csv), with the answer in field `text` and the id in field `id`;
# --by COLUMN keeps that field and cross-tabulates the areas by it.
# Writes into OUTDIR: coded-1.msgpack, coded-2.msgpack, ... (the coded
# pieces, in input order), summary-1.msgpack, ... (their counts), report.txt
# (the merged report) and tables/ (its tables as CSV).
#
# parallel cuts the file at line ends, so a piece never starts inside a
# JSON line; for CSV it repeats the header row in every piece (--header 1),
# and a CSV answer with a line break inside its quotes would be cut in two:
# such a file is refused (convert it to JSON Lines, or code it in one run).
# On several machines: run step 1 on each machine over its part of the
# file, then step 2 once over all the summaries, in input order (machine by
# machine, piece by piece): the examples are the first ones in that order.
set -eu

lang=sv block=10M keep='' by=''
while [ $# -gt 2 ]; do
    case $1 in
        --lang)  lang=$2;  shift 2 ;;
        --block) block=$2; shift 2 ;;
        --by)    keep="--keep $2" by="--by $2"; shift 2 ;;
        *) break ;;
    esac
done
if [ $# -ne 2 ]; then
    sed -n '7p' "$0" | sed 's/^# *//' >&2
    exit 2
fi
in=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2

case $in in
    *.jsonl) format=jsonl header='' ;;
    *.csv)
        format=csv header="--header 1"
        # A line with an odd number of quote characters ends inside a
        # quoted field: the field goes on to the next line.
        if awk -F'"' 'NF % 2 == 0 { odd = 1; exit } END { exit !odd }' "$in"; then
            echo "$0: $1 has a line with an odd number of quotes: a line break" \
                 "inside a quoted field (parallel would cut the record in two)" \
                 "or a stray quote; convert it to JSON Lines, or code it in one run" >&2
            exit 1
        fi ;;
    *) echo "$0: $1: expected a .jsonl or .csv file" >&2; exit 2 ;;
esac

mkdir -p "$out"
cd "$out"
rm -f coded-*.msgpack summary-*.msgpack

# 1. One whatmatters a core, one piece of about $block each ({#} is the
#    piece's number): code it, then save the counts of its report.
# shellcheck disable=SC2086 # $header, $keep and $by: none, or two words
parallel --pipe-part -a "$in" $header --block "$block" \
    "whatmatters classify --lang $lang --id-column id $keep --input-format $format \
         --threads 1 --quiet -o coded-{#}.msgpack - &&
     whatmatters report $by --save-summary summary-{#}.msgpack coded-{#}.msgpack >/dev/null"

# 2. Add the summaries up, in input order: the report of the whole file.
# shellcheck disable=SC2046,SC2012 # the names are ours, without spaces
whatmatters report --merge --csv tables $(ls summary-*.msgpack | sort -V) > report.txt
# shellcheck disable=SC2012
echo "$(ls summary-*.msgpack | wc -l) pieces; report in $out/report.txt, tables in $out/tables/"
