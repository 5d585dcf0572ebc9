# lib.sh — what the benchmark scripts share (sourced by run.sh, memory.sh
# and spell.sh). Each function exits the script with a message naming it.

# bench_vocab LANG ROOT: sets $vocab to the Snowball vocabulary that the
# generated corpus of LANG is drawn from (../shared/testdata, or
# $WM_TESTDATA); exits 2 on an unknown language, 1 when the file is missing.
bench_vocab() {
    case $1 in
        sv) snowball=swedish ;;
        nb|nn|no) snowball=norwegian ;;
        da) snowball=danish ;;
        en) snowball=english ;;
        *) echo "${0##*/}: unknown --lang $1 (sv nb nn da en)" >&2; exit 2 ;;
    esac
    vocab=${WM_TESTDATA:-$2/../shared/testdata}/snowball/$snowball/voc.txt
    if [ ! -r "$vocab" ]; then
        echo "${0##*/}: vocabulary $vocab not found (set WM_TESTDATA)" >&2
        exit 1
    fi
}

# bench_need ROOT BUILD PROGRAM...: exits 1, saying how to build, unless
# every program is there.
bench_need() {
    _root=$1 _build=$2
    shift 2
    for _prog in "$@"; do
        if [ ! -x "$_prog" ]; then
            echo "${0##*/}: $_prog is missing; build first:" >&2
            echo "  cmake -S $_root -B $_build -DCMAKE_BUILD_TYPE=Release && cmake --build $_build" >&2
            exit 1
        fi
    done
}
