#!/bin/sh
# run_cli_tests.sh — runs the `whatmatters` command-line tool on real inputs
# and checks its exact output, exit status and error messages.
#
# Usage: run_cli_tests.sh BINARY SOURCE_DIR [GROUP...]
#   BINARY      the built `whatmatters` program
#   SOURCE_DIR  the project's source folder (for lexicons/ and the header)
#   GROUP       stem, tokenize, negation, lexicons, data, classify, batch,
#               eval, csv, errors, help (default: all)
# Environment: WM_TESTDATA, the shared reference data (default
# SOURCE_DIR/../shared/testdata); the Snowball vocabularies under it are
# checked word for word when present. WM_CLI_FIXTURE, the test plugin built
# from cli_fixture_plugin.c, and WM_MPK2JSON, the msgpack decoder built
# from mpk2json.c (their tests fail without them).
#
# Each check prints a line only when it fails; the last line is
# "N passed, N failed", and the exit status is non-zero on any failure.
# Inputs are written with printf, so "\n" is a newline and UTF-8 is typed
# as is; bytes that are not UTF-8 are written in octal ("\377").

set -u
LC_ALL=C # awk, sed and grep compare bytes; the program needs no locale
export LC_ALL

if [ $# -lt 2 ]; then
    echo "usage: $0 BINARY SOURCE_DIR [GROUP...]" >&2
    exit 2
fi
BIN=$1
SRC=$2
shift 2
GROUPS_WANTED=${*:-"stem tokenize negation lexicons data classify batch eval csv errors help"}
TESTDATA=${WM_TESTDATA:-$SRC/../shared/testdata}

T=$(mktemp -d "${TMPDIR:-/tmp}/wm-cli-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

passed=0
failed=0
TAB=$(printf '\t')
RSQUO=$(printf '\342\200\231') # U+2019 RIGHT SINGLE QUOTATION MARK
LANGS_EXPECTED="sv, nb, nn, da, en"

# --- Running the program ------------------------------------------------------

# run INPUT ARG...: runs the program with the bytes of `printf INPUT` on
# stdin; leaves stdout in $T/out, stderr in $T/err, the exit status in
# $status.
run() {
    # shellcheck disable=SC2059 # the input is a printf format on purpose
    printf "$1" > "$T/in"
    shift
    "$BIN" "$@" < "$T/in" > "$T/out" 2> "$T/err"
    status=$?
}

# run_file FILE ARG...: the same with stdin from a file.
run_file() {
    _file=$1
    shift
    "$BIN" "$@" < "$_file" > "$T/out" 2> "$T/err"
    status=$?
}

# --- Checks -------------------------------------------------------------------

pass() {
    passed=$((passed + 1))
}

# fail NAME [DETAIL...]: records a failure and shows the program's output.
fail() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$1"
    shift
    for _line in "$@"; do
        printf '    %s\n' "$_line"
    done
    printf '    exit status: %s\n' "$status"
    if [ -s "$T/err" ]; then
        sed 's/^/    stderr: /' "$T/err" | head -n 5
    fi
}

# expect_out NAME WANT: exit status 0, nothing on stderr, and stdout exactly
# the bytes of `printf WANT`.
expect_out() {
    # shellcheck disable=SC2059 # the expected output is a printf format
    printf "$2" > "$T/want"
    if [ "$status" -eq 0 ] && [ ! -s "$T/err" ] && cmp -s "$T/want" "$T/out"
    then
        pass
    else
        fail "$1" "stdout differs from the expected (--- expected, +++ got):"
        diff -u "$T/want" "$T/out" | sed -n '3,40s/^/      /p'
    fi
}

# expect_error NAME STATUS MESSAGE: exit status STATUS, nothing on stdout,
# and stderr exactly one line, MESSAGE.
expect_error() {
    printf '%s\n' "$3" > "$T/want"
    if [ "$status" -eq "$2" ] && [ ! -s "$T/out" ] && cmp -s "$T/want" "$T/err"
    then
        pass
    else
        fail "$1" "expected status $2, no output and the one line: $3"
    fi
}

# expect_error_prefix NAME STATUS PREFIX [TEXT]: exit status STATUS and
# stderr exactly one line that starts with PREFIX (and contains TEXT), for
# messages whose details come from the library.
expect_error_prefix() {
    _lines=$(wc -l < "$T/err")
    _first=$(head -n 1 "$T/err")
    case $_first in
        "$3"*"${4:-}"*) _ok=1 ;;
        *) _ok=0 ;;
    esac
    if [ "$status" -eq "$2" ] && [ "$_lines" -eq 1 ] && [ "$_ok" -eq 1 ]; then
        pass
    else
        _want="expected status $2 and one stderr line starting '$3'"
        if [ -n "${4:-}" ]; then
            _want="$_want containing '$4'"
        fi
        fail "$1" "$_want"
    fi
}

# expect_status NAME STATUS
expect_status() {
    if [ "$status" -eq "$2" ]; then
        pass
    else
        fail "$1" "expected exit status $2"
    fi
}

# expect_text NAME WANT: exit status 0, nothing on stderr, and stdout exactly
# WANT and a newline. WANT is taken literally (no printf escapes), for JSON
# whose backslashes are part of the expected text.
expect_text() {
    printf '%s\n' "$2" > "$T/want"
    if [ "$status" -eq 0 ] && [ ! -s "$T/err" ] && cmp -s "$T/want" "$T/out"
    then
        pass
    else
        fail "$1" "stdout differs from the expected (--- expected, +++ got):"
        diff -u "$T/want" "$T/out" | sed -n '3,40s/^/      /p'
    fi
}

# expect_same NAME FILE: exit status 0 and stdout the same as FILE (an
# earlier run's output).
expect_same() {
    if [ "$status" -eq 0 ] && cmp -s "$2" "$T/out"; then
        pass
    else
        fail "$1" "stdout differs from the earlier run's"
        diff -u "$2" "$T/out" | sed -n '3,20s/^/      /p'
    fi
}

# json_from KEY: the part of stdout's first line from "KEY": on, for
# checking one member of a long JSON object.
json_from() {
    head -n 1 "$T/out" | sed "s/^.*\"$1\":/\"$1\":/"
}

# expect_json_from NAME KEY WANT: exit status 0 and json_from KEY is WANT.
expect_json_from() {
    _got=$(json_from "$2")
    if [ "$status" -eq 0 ] && [ "$_got" = "$3" ]; then
        pass
    else
        fail "$1" "expected: $3" "got:      $_got"
    fi
}

# field SURFACE COLUMN: prints COLUMN (1..6) of the first token line of
# $T/out whose surface column is SURFACE (as printed, i.e. escaped). The
# surface goes through the environment: awk -v would undo its escapes.
field() {
    WM_SURFACE=$1 awk -F "$TAB" -v c="$2" \
        '$3 == ENVIRON["WM_SURFACE"] { print $c; exit }' "$T/out"
}

# expect_field NAME SURFACE COLUMN WANT: one column of a token's line.
expect_field() {
    _got=$(field "$2" "$3")
    if [ "$status" -eq 0 ] && [ "$_got" = "$4" ]; then
        pass
    else
        fail "$1" "token '$2' column $3: expected '$4', got '$_got'"
    fi
}

# expect_flag NAME SURFACE FLAG / expect_no_flag NAME SURFACE FLAG: whether
# a token's flags column names FLAG.
expect_flag() {
    _flags=$(field "$2" 6)
    case ",$_flags," in
        *",$3,"*) expect_status "$1" 0 ;;
        *) fail "$1" "token '$2' should have flag '$3'; flags are '$_flags'" ;;
    esac
}
expect_no_flag() {
    _flags=$(field "$2" 6)
    case ",$_flags," in
        *",$3,"*) fail "$1" "token '$2' should not have flag '$3'; flags are '$_flags'" ;;
        ",,") fail "$1" "no token '$2' in the output" ;;
        *) expect_status "$1" 0 ;;
    esac
}

# expect_columns NAME: every line of stdout is empty or has six
# tab-separated columns (so no token spills onto a second line).
expect_columns() {
    _bad=$(awk -F "$TAB" 'NF != 0 && NF != 6 { print NR ": " $0; exit }' "$T/out")
    if [ -z "$_bad" ]; then
        pass
    else
        fail "$1" "line without six columns: $_bad"
    fi
}

# --- stem ---------------------------------------------------------------------

group_stem() {
    run 'vårdcentralen\nbemötande\n' stem --lang sv
    expect_out "stem: Swedish words give their Snowball stems" 'vårdcentral\nbemöt\n'

    run 'vårdcentralen\nbemötande\n' stem --lang=sv
    expect_out "stem: --lang=sv works like --lang sv" 'vårdcentral\nbemöt\n'

    run 'Vårdcentralen\nBEMÖTANDE\n' stem --lang sv
    expect_out "stem: words are case folded before stemming" 'vårdcentral\nbemöt\n'

    run 'va\314\212rdcentralen\n' stem --lang sv
    expect_out "stem: decomposed å (a + U+030A) stems like composed å" 'vårdcentral\n'

    run 'läkare\r\n\r\npersonalen' stem --lang sv
    expect_out "stem: CRLF endings dropped, empty line kept, last line without newline" \
        'läk\n\npersonal\n'

    run '' stem --lang sv
    expect_out "stem: empty input gives empty output" ''

    run 'hjelpen\nbehandlingen\nkasteball\n' stem --lang nb
    expect_out "stem: Norwegian Bokmål" 'hjelp\nbehandling\nkasteball\n'

    run 'hjelpen\nbehandlingen\n' stem --lang nn
    expect_out "stem: Nynorsk uses the Norwegian stemmer" 'hjelp\nbehandling\n'

    run 'hjelpen\n' stem --lang no
    expect_out "stem: 'no' is taken as nb" 'hjelp\n'

    run 'lægen\nhjælpen\nventetid\n' stem --lang da
    expect_out "stem: Danish" 'læg\nhjælp\nventetid\n'

    run 'caring\nlistened\nnurses\n' stem --lang en
    expect_out "stem: English" 'care\nlisten\nnurs\n'

    printf 'trygghet\npersonalen\n' > "$T/words.txt"
    run '' stem --lang sv "$T/words.txt"
    expect_out "stem: reads a FILE argument" 'trygg\npersonal\n'
    run_file "$T/words.txt" stem --lang sv -
    expect_out "stem: '-' reads standard input" 'trygg\npersonal\n'

    run 'vården\n' stem --lang sv --data "$SRC/lexicons"
    expect_out "stem: accepts --data" 'vård\n'

    # Snowball's reference vocabularies, whole, through the program.
    for _pair in swedish:sv norwegian:nb norwegian:nn danish:da english:en; do
        _dir=$TESTDATA/snowball/${_pair%%:*}
        _lang=${_pair#*:}
        if [ ! -r "$_dir/voc.txt" ]; then
            fail "stem: Snowball vocabulary $_dir/voc.txt is missing (set WM_TESTDATA)"
            continue
        fi
        run_file "$_dir/voc.txt" stem --lang "$_lang"
        if [ "$status" -eq 0 ] && cmp -s "$_dir/output.txt" "$T/out"; then
            pass
        else
            fail "stem: $_lang gives Snowball's output.txt for voc.txt" \
                "$(diff "$_dir/output.txt" "$T/out" | head -n 6 | tr '\n' '|')"
        fi
    done
}

# --- tokenize -------------------------------------------------------------------

group_tokenize() {
    run 'Att få träffa samma läkare.' tokenize --lang sv
    expect_out "tokenize: Swedish sentence with å/ä, columns and byte offsets" \
'0\t3\tAtt\tatt\tatt\tword,stopword,sent_start,clause_start
4\t7\tfå\tfå\tfå\tword
8\t15\tträffa\tträffa\tträff\tword
16\t21\tsamma\tsamma\tsamm\tword
22\t29\tläkare\tläkare\tläk\tword
'

    run 'God vård' tokenize --lang sv
    expect_out "tokenize: composed å" \
'0\t3\tGod\tgod\tgod\tword,sent_start,clause_start
4\t9\tvård\tvård\tvård\tword
'
    cut -f 4,5 "$T/out" > "$T/composed"

    run 'God va\314\212rd' tokenize --lang sv
    expect_out "tokenize: decomposed å keeps its bytes and offsets, NFC in norm" \
'0\t3\tGod\tgod\tgod\tword,sent_start,clause_start
4\t10\tva\314\212rd\tvård\tvård\tword
'
    cut -f 4,5 "$T/out" > "$T/decomposed"
    if cmp -s "$T/composed" "$T/decomposed"; then
        pass
    else
        fail "tokenize: NFD and NFC input give the same norm and stem columns"
    fi

    run 'Mycket viktigt!!! Ärligt.' tokenize --lang sv
    expect_field "tokenize: upper-case Ä folds to ä" 'Ärligt' 4 'ärligt'
    expect_flag "tokenize: second sentence starts at 'Ärligt'" 'Ärligt' sent_start
    expect_no_flag "tokenize: 'mycket' is not a stopword" 'Mycket' stopword

    run 'Trygghet 😊' tokenize --lang sv
    expect_out "tokenize: an emoji is a symbol token with its byte offsets" \
'0\t8\tTrygghet\ttrygghet\ttrygg\tword,sent_start,clause_start
9\t13\t😊\t😊\t😊\tsymbol,emoji
'

    run 'Hjälp 24 timmar' tokenize --lang sv
    expect_flag "tokenize: digits are a number token" '24' number
    expect_no_flag "tokenize: a number is not a word" '24' word

    run 'Att få träffa samma läkare.' tokenize --lang sv --all
    expect_field "tokenize --all: the space between words is a token" ' ' 1 '3'
    expect_flag "tokenize --all: the space is flagged space" ' ' space
    expect_field "tokenize --all: the full stop is a token at 29..30" '.' 1 '29'
    expect_flag "tokenize --all: the full stop is flagged punct" '.' punct
    _n=$(wc -l < "$T/out")
    if [ "$_n" -eq 10 ]; then pass; else
        fail "tokenize --all: 5 words, 4 spaces and 1 full stop make 10 lines (got $_n)"; fi

    run 'Att få träffa samma läkare.' tokenize --lang sv
    if awk -F "$TAB" '$6 ~ /(^|,)(punct|space)(,|$)/ { found = 1 }
                      END { exit !found }' "$T/out"; then
        fail "tokenize: without --all no punctuation or space token"
    else
        pass
    fi

    # Escaping: a tab, a newline, a backslash, a control byte and an invalid
    # byte each stay on their token's line.
    run 'a\tb\nc\\d\001e\377f' tokenize --lang en --all
    expect_columns "tokenize --all: every token line has six columns"
    expect_field "tokenize --all: a tab is written \\t" '\t' 1 '1'
    expect_field "tokenize --all: a newline is written \\n" '\n' 1 '3'
    # shellcheck disable=SC1003 # '\\' is the two characters \\ as printed
    expect_field "tokenize --all: a backslash is written \\\\" '\\' 1 '5'
    expect_field "tokenize --all: a control byte is written \\x01" '\x01' 1 '7'
    expect_field "tokenize --all: an invalid byte is written \\xff" '\xff' 1 '9'
    expect_flag "tokenize --all: the invalid byte is flagged invalid" '\xff' invalid
    expect_field "tokenize --all: the word after the invalid byte" 'f' 1 '10'

    run 'ok\377ok' tokenize --lang en
    expect_out "tokenize: an invalid byte is a boundary, not a token, without --all" \
'0\t2\tok\tok\tok\tword,sent_start,clause_start
3\t5\tok\tok\tok\tword
'

    run 'Bra vård\n\nInte stress\r\n' tokenize --lang sv --lines
    expect_out "tokenize --lines: one block an answer, offsets from the line start" \
'0\t3\tBra\tbra\tbra\tword,sent_start,clause_start
4\t9\tvård\tvård\tvård\tword

\n0\t4\tInte\tinte\tint\tword,negator,sent_start,clause_start
5\t11\tstress\tstress\tstress\tword,negated

'

    run '' tokenize --lang sv
    expect_out "tokenize: empty input gives no tokens" ''
}

# --- negation -----------------------------------------------------------------

group_negation() {
    run 'jag vill inte bli bollad' tokenize --lang sv
    expect_out "negation: sv 'inte' negates the rest of the clause" \
'0\t3\tjag\tjag\tjag\tword,stopword,sent_start,clause_start
4\t8\tvill\tvill\tvill\tword
9\t13\tinte\tinte\tint\tword,negator
14\t17\tbli\tbli\tbli\tword,stopword,negated
18\t24\tbollad\tbollad\tboll\tword,negated
'

    run 'jag vill inte bli bollad men bli hörd' tokenize --lang sv
    expect_flag "negation: sv 'bollad' before 'men' is negated" bollad negated
    expect_flag "negation: sv 'men' starts a clause" men clause_start
    expect_no_flag "negation: sv 'men' is outside the scope" men negated
    expect_no_flag "negation: sv 'hörd' after 'men' is not negated" 'hörd' negated

    run 'Inte stress. Lugn och ro.' tokenize --lang sv
    expect_flag "negation: sv scope covers 'stress'" stress negated
    expect_no_flag "negation: sv scope ends at the full stop" Lugn negated
    expect_flag "negation: sv 'Lugn' starts a sentence" Lugn sent_start

    run 'att inte behöva upprepa min historia' tokenize --lang sv
    expect_flag "negation: sv 'historia' is negated" historia negated
    expect_no_flag "negation: sv a negator is not a stopword" inte stopword

    run 'ingen lyssnar' tokenize --lang sv
    expect_flag "negation: sv 'ingen' is a negator" ingen negator
    expect_flag "negation: sv 'lyssnar' after 'ingen' is negated" lyssnar negated

    run 'jeg vil ikke bli kasteball' tokenize --lang nb
    expect_flag "negation: nb 'ikke' is a negator" ikke negator
    expect_flag "negation: nb 'kasteball' is negated" kasteball negated
    expect_no_flag "negation: nb 'vil' before the negator is not negated" vil negated

    run 'eg vil ikkje vente' tokenize --lang nn
    expect_flag "negation: nn 'ikkje' is a negator" ikkje negator
    expect_flag "negation: nn 'vente' is negated" vente negated
    expect_flag "negation: nn 'eg' is a stopword" eg stopword

    run 'jeg vil ikke vente' tokenize --lang da
    expect_flag "negation: da 'ikke' is a negator" ikke negator
    expect_flag "negation: da 'vente' is negated" vente negated

    run "I don't want to wait" tokenize --lang en
    expect_flag "negation: en \"don't\" matches *n't" "don't" negator
    expect_flag "negation: en 'want' is negated" want negated
    expect_flag "negation: en 'wait' is negated" wait negated
    expect_no_flag "negation: en 'I' is not negated" I negated

    run 'I don\342\200\231t want to wait' tokenize --lang en
    expect_field "negation: en U+2019 in don${RSQUO}t is normalised to an apostrophe" \
        "don${RSQUO}t" 4 "don't"
    expect_flag "negation: en 'don${RSQUO}t' is a negator" "don${RSQUO}t" negator

    run 'i dont want to wait but i will' tokenize --lang en
    expect_flag "negation: en 'dont' typed without apostrophe" dont negator
    expect_flag "negation: en 'want' after 'dont' is negated" want negated
    expect_no_flag "negation: en 'will' after 'but' is not negated" will negated
}

# --- --data: word lists loaded at run time ------------------------------------

group_data() {
    cp -R "$SRC/lexicons" "$T/lex"
    printf '\n# added by the test\nbollad\n' >> "$T/lex/sv/stopwords.txt"
    printf '[negators]\ninte\nsällan\n[clause_breaks]\nmen\n' > "$T/lex/sv/negation.txt"

    run 'jag vill inte bli bollad' tokenize --lang sv
    expect_no_flag "data: built-in list: 'bollad' is no stopword" bollad stopword
    run 'jag vill inte bli bollad' tokenize --lang sv --data "$T/lex"
    expect_flag "data: edited stopwords.txt makes 'bollad' a stopword" bollad stopword
    run 'jag vill inte bli bollad' tokenize --lang sv --data="$T/lex"
    expect_flag "data: --data=DIR works like --data DIR" bollad stopword

    run 'jag träffar sällan läkare' tokenize --lang sv
    expect_no_flag "data: built-in list: 'sällan' negates nothing" 'läkare' negated
    run 'jag träffar sällan läkare' tokenize --lang sv --data "$T/lex"
    expect_flag "data: edited negation.txt makes 'sällan' a negator" 'sällan' negator
    expect_flag "data: ... and 'läkare' negated" 'läkare' negated

    mkdir "$T/lex-sv-only" "$T/lex-sv-only/sv"
    printf 'läkare\n' > "$T/lex-sv-only/sv/stopwords.txt"
    run 'jag vill inte bli bollad' tokenize --lang sv --data "$T/lex-sv-only"
    expect_flag "data: a missing negation.txt keeps the built-in negators" inte negator
    expect_no_flag "data: a replaced stopwords.txt drops the built-in words" jag stopword

    mkdir "$T/empty"
    run 'x' tokenize --lang sv --data "$T/empty"
    expect_error "data: a folder without word lists is a usage error" 2 \
        "whatmatters: tokenize: no word lists in data folder '$T/empty' (expected $T/empty/LANG/stopwords.txt or $T/empty/LANG/negation.txt)"

    run 'x' tokenize --lang sv --data "$T/nonexistent"
    expect_error "data: a missing folder is a usage error" 2 \
        "whatmatters: tokenize: cannot read data folder '$T/nonexistent': No such file or directory"

    # A folder where a file should be cannot be read (a test run as root
    # could read a file without read permission, so that is no test).
    mkdir "$T/unreadable" "$T/unreadable/sv" "$T/unreadable/sv/stopwords.txt"
    run 'x' tokenize --lang sv --data "$T/unreadable"
    expect_error_prefix "data: an unreadable word list is a usage error" 2 \
        "whatmatters: tokenize: $T/unreadable/sv/stopwords.txt"

    mkdir "$T/badlex" "$T/badlex/sv"
    printf '[bogus]\ninte\n' > "$T/badlex/sv/negation.txt"
    run 'x' tokenize --lang sv --data "$T/badlex"
    expect_error_prefix "data: a malformed negation.txt fails with file:line" 1 \
        "whatmatters: tokenize: " "negation.txt:1:"
}

# --- lexicons: every listed word behaves as its list says ----------------------

# negation_entries LANG SECTION: the whole-word entries of one section of
# lexicons/LANG/negation.txt ("*suffix" patterns left out), one a line.
negation_entries() {
    sed 's/#.*//' "$SRC/lexicons/$1/negation.txt" | awk -v want="[$2]" '
        { gsub(/^[ \t\r]+|[ \t\r]+$/, "") }
        /^\[/ { section = $0; next }
        $0 != "" && section == want && substr($0, 1, 1) != "*" { print }'
}

# Reads `tokenize --lines` output of three-token answers and prints the
# answers where token CHECK does (want=1) or does not (want=0) have FLAG.
lexicon_offenders() {
    awk -F "$TAB" -v check="$1" -v flag="$2" -v want="$3" '
        NF == 0 { n = 0; next }
        { n++; if (n == 1) first = $3 }
        n == check {
            has = ("," $6 ",") ~ ("," flag ",")
            if (has != want) print first " (" $3 ": " $6 ")"
        }' "$T/out" | head -n 5 | tr '\n' ';'
}

# expect_none NAME OFFENDERS: passes when OFFENDERS is empty.
expect_none() {
    if [ -z "$2" ]; then
        pass
    else
        fail "$1" "offending: $2"
    fi
}

group_lexicons() {
    for _lang in sv nb nn da en; do
        negation_entries $_lang negators > "$T/negators"
        negation_entries $_lang clause_breaks > "$T/breaks"
        if [ ! -s "$T/negators" ] || [ ! -s "$T/breaks" ]; then
            fail "lexicons: $_lang has negators and clause breaks"
            continue
        fi

        # "NEGATOR zzz zzz": the negator is one, is no stopword, negates.
        sed 's/$/ zzz zzz/' "$T/negators" > "$T/in"
        run_file "$T/in" tokenize --lang $_lang --lines
        _bad=$(lexicon_offenders 1 negator 1)
        expect_none "lexicons: $_lang: every negator is flagged negator" "$_bad"
        _bad=$(lexicon_offenders 1 stopword 0)
        expect_none "lexicons: $_lang: no negator is a stopword" "$_bad"
        _bad=$(lexicon_offenders 3 negated 1)
        expect_none "lexicons: $_lang: every negator negates the words after it" "$_bad"

        # "NEGATOR BREAK zzz": the break ends the scope and starts a clause.
        _neg=$(head -n 1 "$T/negators")
        sed "s/^/$_neg /; s/\$/ zzz/" "$T/breaks" > "$T/in"
        run_file "$T/in" tokenize --lang $_lang --lines
        _bad=$(lexicon_offenders 2 clause_start 1)
        expect_none "lexicons: $_lang: every clause break starts a clause" "$_bad"
        _bad=$(lexicon_offenders 3 negated 0)
        expect_none "lexicons: $_lang: every clause break ends the negation scope" "$_bad"
    done
}

# --- classify -----------------------------------------------------------------

# empty_lexicons DIR: an empty areas.txt for every language but sv. The
# engine makes a plugin's instance for every language, and the built-in
# lexicons of the others name the built-in taxonomy's areas, so a folder
# for another taxonomy must replace them all.
empty_lexicons() {
    for _l in nb nn da en; do
        mkdir -p "$1/$_l"
        : > "$1/$_l/areas.txt"
    done
}

# The tests' own Swedish lexicon for the built-in taxonomy, in a folder that
# holds nothing else (DIR/sv/areas.txt): entries whose scores are easy to
# reckon. With the default threshold 1, an area's score is S / (S + 1) for
# S the summed weights of its distinct matching entries: 1 entry 0.5,
# 2 entries 0.6667, 3 entries 0.75, the weak cue alone 0.5 / 1.5 = 0.3333.
make_lexicon() {
    mkdir -p "$T/alex/sv"
    cat > "$T/alex/sv/areas.txt" <<'EOF'
# The command-line tests' lexicon.
[access]
väntetid
*kö
vårdcentralen
öppettid* = 0.5
[respect]
bemötande
[family]
anhörig*
familj
EOF
}

# Classify's records in JSON Lines (ZEROS: every area after respect at 0,
# in taxonomy order). Every output starts with the metadata line; the
# records follow, one a line, and one summary line goes to stderr.
ZEROS='"whole_person":0,"coordination":0,"continuity":0,"participation":0,"family":0,"everyday_life":0,"hope_recovery":0'
NFD_VARD=$(printf 'Va\314\212rdcentralen') # "Vårdcentralen" with a + U+030A
META_PREFIX='{"whatmatters_meta":{"version":'

# split_meta: moves stdout's first line (the metadata) to $T/meta, leaving
# the records in $T/out.
split_meta() {
    head -n 1 "$T/out" > "$T/meta"
    tail -n +2 "$T/out" > "$T/out.records"
    mv "$T/out.records" "$T/out"
}

# expect_records NAME SUMMARY WANT: exit status 0; stderr exactly the line
# "whatmatters: classify: SUMMARY"; stdout the metadata line, then exactly
# WANT and a newline (taken literally). Leaves the records in $T/out.
expect_records() {
    printf 'whatmatters: classify: %s\n' "$2" > "$T/want-err"
    printf '%s\n' "$3" > "$T/want"
    _meta=$(head -c ${#META_PREFIX} "$T/out")
    split_meta
    if [ "$status" -eq 0 ] && [ "$_meta" = "$META_PREFIX" ] \
       && cmp -s "$T/want-err" "$T/err" && cmp -s "$T/want" "$T/out"; then
        pass
    else
        fail "$1" "--- expected, +++ got:"
        diff -u "$T/want" "$T/out" | sed -n '3,40s/^/      /p'
        diff -u "$T/want-err" "$T/err" | sed -n '3,10s/^/      /p'
    fi
}

# expect_same_records NAME FILE: exit status 0 and the records (not the
# metadata) the same as FILE's.
expect_same_records() {
    split_meta
    if [ "$status" -eq 0 ] && cmp -s "$2" "$T/out"; then
        pass
    else
        fail "$1" "records differ from the earlier run's"
        diff -u "$2" "$T/out" | sed -n '3,20s/^/      /p'
    fi
}

# expect_csv NAME SUMMARY WANT: exit status 0, stderr the summary line,
# stdout exactly the bytes of `printf WANT`.
expect_csv() {
    printf 'whatmatters: classify: %s\n' "$2" > "$T/want-err"
    # shellcheck disable=SC2059 # the expected output is a printf format
    printf "$3" > "$T/want"
    if [ "$status" -eq 0 ] && cmp -s "$T/want-err" "$T/err" \
       && cmp -s "$T/want" "$T/out"; then
        pass
    else
        fail "$1" "--- expected, +++ got:"
        diff -u "$T/want" "$T/out" | sed -n '3,40s/^/      /p'
        diff -u "$T/want-err" "$T/err" | sed -n '3,10s/^/      /p'
    fi
}

group_classify() {
    make_lexicon
    FX=${WM_CLI_FIXTURE:-}
    set -- classify --lang sv --data "$T/alex" --format jsonl

    # Byte offsets: "Lång " is 0..5 (å is 2 bytes), "väntetid" 6..15,
    # "telefonkö" 18..28, the decomposed "Vårdcentralen" 34..49 (15 bytes:
    # U+030A is 2), "bemötande" 59..69.
    run "Lång väntetid i telefonkö till $NFD_VARD, men bra bemötande.\nfamiljen och anhöriga\n\nöppettiderna\n" \
        "$@"
    expect_records "classify: areas, scores, evidence with offsets (NFD included), one record a line" \
        "4 read, 4 written, 0 flagged" \
"{\"id\":1,\"keep\":{},\"text\":\"Lång väntetid i telefonkö till $NFD_VARD, men bra bemötande.\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[\"access\",\"respect\"],\"scores\":{\"access\":0.75,\"respect\":0.5,$ZEROS},\"evidence\":[{\"area\":\"access\",\"start\":6,\"end\":15,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false},{\"area\":\"access\",\"start\":18,\"end\":28,\"text\":\"telefonkö\",\"rule\":\"*kö\",\"plugin\":\"lexicon\",\"negated\":false},{\"area\":\"access\",\"start\":34,\"end\":49,\"text\":\"$NFD_VARD\",\"rule\":\"vårdcentralen\",\"plugin\":\"lexicon\",\"negated\":false},{\"area\":\"respect\",\"start\":59,\"end\":69,\"text\":\"bemötande\",\"rule\":\"bemötande\",\"plugin\":\"lexicon\",\"negated\":false}]}
{\"id\":2,\"keep\":{},\"text\":\"familjen och anhöriga\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[\"family\"],\"scores\":{\"access\":0,\"respect\":0,\"whole_person\":0,\"coordination\":0,\"continuity\":0,\"participation\":0,\"family\":0.6667,\"everyday_life\":0,\"hope_recovery\":0},\"evidence\":[{\"area\":\"family\",\"start\":0,\"end\":8,\"text\":\"familjen\",\"rule\":\"familj\",\"plugin\":\"lexicon\",\"negated\":false},{\"area\":\"family\",\"start\":13,\"end\":22,\"text\":\"anhöriga\",\"rule\":\"anhörig*\",\"plugin\":\"lexicon\",\"negated\":false}]}
{\"id\":3,\"keep\":{},\"text\":\"\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[],\"scores\":{\"access\":0,\"respect\":0,$ZEROS},\"evidence\":[]}
{\"id\":4,\"keep\":{},\"text\":\"öppettiderna\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[],\"scores\":{\"access\":0.3333,\"respect\":0,$ZEROS},\"evidence\":[{\"area\":\"access\",\"start\":0,\"end\":13,\"text\":\"öppettiderna\",\"rule\":\"öppettid*\",\"plugin\":\"lexicon\",\"negated\":false}]}"
    cp "$T/out" "$T/classified"
    cp "$T/meta" "$T/classified-meta"

    run "Lång väntetid i telefonkö till $NFD_VARD, men bra bemötande.\r\nfamiljen och anhöriga\r\n\r\nöppettiderna" \
        "$@" --plugin lexicon --plugin pattern
    expect_same_records "classify: every built-in plugin is the default; CRLF and a last line without LF" \
        "$T/classified"
    # Every built-in plugin runs; supervised has no built-in model for sv
    # and so skips, but the metadata lists what was asked for.
    if grep -q '"plugins":\[{"name":"lexicon","version":"1.0.0","given_as":"lexicon","options":null},{"name":"pattern","version":"1.0.0","given_as":"pattern","options":null},{"name":"supervised","version":"1.0.0","given_as":"supervised","options":null}\]' "$T/classified-meta"; then
        pass
    else
        fail "classify: the default runs every built-in plugin, and the metadata says so" "$(cut -c 1-300 "$T/classified-meta")"
    fi

    # The pattern plugin's rules from --data: by default both plugins run,
    # --plugin NAME runs exactly the ones named.
    mkdir -p "$T/plex/sv"
    cp "$T/alex/sv/areas.txt" "$T/plex/sv/areas.txt"
    printf 'coordination 1 /slippa berätta allt igen/ repeat story\naccess 1 /(a+)+$/p\n' \
        > "$T/plex/sv/patterns.txt"
    PAT_REC="{\"id\":1,\"keep\":{},\"text\":\"Jag vill slippa berätta allt igen, väntetid\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[AREAS],\"scores\":{\"access\":ACC,\"respect\":0,\"whole_person\":0,\"coordination\":COO,\"continuity\":0,\"participation\":0,\"family\":0,\"everyday_life\":0,\"hope_recovery\":0},\"evidence\":[EV]}"
    EV_PAT='{"area":"coordination","start":9,"end":34,"text":"slippa berätta allt igen","rule":"repeat story","plugin":"pattern","negated":false}'
    EV_LEX='{"area":"access","start":36,"end":45,"text":"väntetid","rule":"väntetid","plugin":"lexicon","negated":false}'
    for sel in default lexicon pattern; do
        case $sel in
            default) opts="" areas='"access","coordination"' acc=0.5 coo=0.5 ev="$EV_PAT,$EV_LEX" ;;
            lexicon) opts="--plugin lexicon" areas='"access"' acc=0.5 coo=0 ev="$EV_LEX" ;;
            pattern) opts="--plugin pattern" areas='"coordination"' acc=0 coo=0.5 ev="$EV_PAT" ;;
        esac
        # shellcheck disable=SC2086 # opts is zero or two words
        run 'Jag vill slippa berätta allt igen, väntetid\n' classify --lang sv --data "$T/plex" --format jsonl $opts
        want=$(printf '%s' "$PAT_REC" | sed "s/AREAS/$areas/; s/ACC/$acc/; s/COO/$coo/")
        want=${want%%EV*}$ev${want#*EV}
        expect_records "classify: plugin selection '$sel' with a pattern rule from --data" \
            "1 read, 1 written, 0 flagged" "$want"
    done

    # A catastrophic pattern flags its record (the pattern plugin's results
    # are dropped, the lexicon's stand) and the batch goes on.
    _long=$(printf '%030000d' 0 | tr 0 a)
    run "$_long!\nväntetid\n" classify --lang sv --data "$T/plex" --format jsonl
    if [ "$status" -eq 0 ] && grep -q '1 flagged (1 plugin_failed)' "$T/err" \
       && grep -q '"status":"plugin_failed","message":"stdin: record 1 .*plugin .pattern. failed: pattern: sv/patterns.txt:2: match limit hit' "$T/out" \
       && grep -q '"id":2,.*"status":"ok".*"areas":\["access"\]' "$T/out"; then
        pass
    else
        fail "classify: a pattern that hits its match limit flags the record, the batch goes on" "$(cat "$T/err")"
    fi

    printf "Lång väntetid i telefonkö till $NFD_VARD, men bra bemötande.\nfamiljen och anhöriga\n\nöppettiderna\n" \
        > "$T/answers.txt"
    run '' classify --lang sv --data="$T/alex" --format=jsonl "$T/answers.txt"
    expect_same_records "classify: reads a FILE argument" "$T/classified"
    if cmp -s "$T/meta" "$T/classified-meta"; then pass; else
        fail "classify: the metadata does not depend on where the input comes from"; fi

    # A copy of the whole lexicons/ folder with the test's areas.txt in it:
    # the word lists load from it too, and the result is the same.
    cp -R "$SRC/lexicons" "$T/fullex"
    cp "$T/alex/sv/areas.txt" "$T/fullex/sv/areas.txt"
    run_file "$T/answers.txt" classify --lang sv --data "$T/fullex" --format jsonl
    expect_same_records "classify: --data with a full copy of lexicons/" "$T/classified"

    # An invalid byte: the record is flagged (and still coded), the
    # offsets count the byte, and the text is written with U+FFFD.
    run '\377 väntetid\n' "$@"
    expect_records "classify: invalid UTF-8 is flagged with its byte; offsets count it" \
        "1 read, 1 written, 1 flagged (1 invalid_utf8)" \
"{\"id\":1,\"keep\":{},\"text\":\"$(printf '\357\277\275') väntetid\",\"lang\":\"sv\",\"status\":\"invalid_utf8\",\"message\":\"stdin: record 1 (line 1, byte 0): invalid UTF-8 at byte 0 of the answer\",\"areas\":[\"access\"],\"scores\":{\"access\":0.5,\"respect\":0,$ZEROS},\"evidence\":[{\"area\":\"access\",\"start\":2,\"end\":11,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false}]}"

    # A taxonomy of its own: the scores have its areas, in its order.
    cat > "$T/tax.txt" <<'EOF'
# Three areas, for the tests.
[family]
name.en = Family
[access]
name.en = Access
[other]
name.en = Other
EOF
    mkdir -p "$T/taxlex/sv"
    printf '[access]\nväntetid\n[family]\nfamilj\n' > "$T/taxlex/sv/areas.txt"
    empty_lexicons "$T/taxlex"
    run 'familjen och väntetiden\n' classify --lang sv --taxonomy "$T/tax.txt" \
        --data "$T/taxlex" --format jsonl
    expect_records "classify: --taxonomy gives its own areas in its order" \
        "1 read, 1 written, 0 flagged" \
'{"id":1,"keep":{},"text":"familjen och väntetiden","lang":"sv","status":"ok","message":"","areas":["family","access"],"scores":{"family":0.5,"access":0.5,"other":0},"evidence":[{"area":"family","start":0,"end":8,"text":"familjen","rule":"familj","plugin":"lexicon","negated":false},{"area":"access","start":13,"end":24,"text":"väntetiden","rule":"väntetid","plugin":"lexicon","negated":false}]}'
    if grep -q '"taxonomy":{"path":"[^"]*tax.txt","fingerprint":"[0-9a-f]\{16\}","areas":\["family","access","other"\]}' "$T/meta"; then
        pass
    else
        fail "classify: the metadata names the taxonomy, its fingerprint and areas" "$(cut -c 1-300 "$T/meta")"
    fi

    if [ -z "$FX" ] || [ ! -r "$FX" ]; then
        fail "classify: the fixture plugin is missing (set WM_CLI_FIXTURE)"
        return
    fi

    # The fixture plugin scores the area its options name at 0.9, with the
    # first token as evidence, and fails on "boom".
    run 'Lång väntetid\nboom väntetid\n' "$@" --plugin "$FX" --options respect
    expect_records "classify: a plugin by path with --options; a failing plugin flags its record" \
        "2 read, 2 written, 1 flagged (1 plugin_failed)" \
"{\"id\":1,\"keep\":{},\"text\":\"Lång väntetid\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[\"respect\"],\"scores\":{\"access\":0,\"respect\":0.9,$ZEROS},\"evidence\":[{\"area\":\"respect\",\"start\":0,\"end\":5,\"text\":\"Lång\",\"rule\":\"fixture\",\"plugin\":\"cli_fixture\",\"negated\":false}]}
{\"id\":2,\"keep\":{},\"text\":\"boom väntetid\",\"lang\":\"sv\",\"status\":\"plugin_failed\",\"message\":\"stdin: record 2 (line 2, byte 16): plugin 'cli_fixture' failed: cli_fixture: boom at byte 0\",\"areas\":[],\"scores\":{\"access\":0,\"respect\":0,$ZEROS},\"evidence\":[]}"
    if grep -q "\"plugins\":\[{\"name\":\"cli_fixture\",\"version\":\"0.0.1\",\"given_as\":\"$FX\",\"options\":\"respect\"}\]" "$T/meta"; then
        pass
    else
        fail "classify: the metadata names the plugin, its version and options" "$(cut -c 1-300 "$T/meta")"
    fi

    # Two plugins: lexicon access 0.5, fixture respect 0.9. max keeps both
    # areas; mean halves both (0.25, 0.45) and assigns none.
    run 'Lång väntetid\n' "$@" --plugin lexicon --plugin "$FX" --options respect
    expect_records "classify: two plugins, --combine max by default, evidence names each plugin" \
        "1 read, 1 written, 0 flagged" \
"{\"id\":1,\"keep\":{},\"text\":\"Lång väntetid\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[\"access\",\"respect\"],\"scores\":{\"access\":0.5,\"respect\":0.9,$ZEROS},\"evidence\":[{\"area\":\"respect\",\"start\":0,\"end\":5,\"text\":\"Lång\",\"rule\":\"fixture\",\"plugin\":\"cli_fixture\",\"negated\":false},{\"area\":\"access\",\"start\":6,\"end\":15,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false}]}"
    cp "$T/out" "$T/max"
    run 'Lång väntetid\n' "$@" --combine max --plugin lexicon --plugin "$FX" --options respect
    expect_same_records "classify: --combine max is the default" "$T/max"

    run 'Lång väntetid\n' "$@" --combine mean --plugin lexicon --plugin "$FX" --options respect
    expect_records "classify: --combine mean averages the plugins' scores" \
        "1 read, 1 written, 0 flagged" \
"{\"id\":1,\"keep\":{},\"text\":\"Lång väntetid\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[],\"scores\":{\"access\":0.25,\"respect\":0.45,$ZEROS},\"evidence\":[{\"area\":\"respect\",\"start\":0,\"end\":5,\"text\":\"Lång\",\"rule\":\"fixture\",\"plugin\":\"cli_fixture\",\"negated\":false},{\"area\":\"access\",\"start\":6,\"end\":15,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false}]}"
    if grep -q '"combine":"mean"' "$T/meta"; then pass; else
        fail "classify: the metadata names the combination rule"; fi

    # A veto (plugin ABI 1.2): the fixture vetoes access, which the lexicon
    # alone would assign (0.5); it is not assigned, and its combined score
    # shows 0.49, under either rule; an area not assigned anyway is left be.
    run 'Lång väntetid\n' "$@" --plugin lexicon --plugin "$FX" --options veto:access
    expect_records "classify: a plugin's veto keeps an area from being assigned" \
        "1 read, 1 written, 0 flagged" \
"{\"id\":1,\"keep\":{},\"text\":\"Lång väntetid\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[],\"scores\":{\"access\":0.49,\"respect\":0,$ZEROS},\"evidence\":[{\"area\":\"access\",\"start\":6,\"end\":15,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false}]}"
    run 'Lång väntetid\n' "$@" --plugin lexicon --plugin "$FX" --options veto:respect
    expect_records "classify: a veto of an area nobody assigns changes nothing" \
        "1 read, 1 written, 0 flagged" \
"{\"id\":1,\"keep\":{},\"text\":\"Lång väntetid\",\"lang\":\"sv\",\"status\":\"ok\",\"message\":\"\",\"areas\":[\"access\"],\"scores\":{\"access\":0.5,\"respect\":0,$ZEROS},\"evidence\":[{\"area\":\"access\",\"start\":6,\"end\":15,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false}]}"
    # A plugin that fails on an answer: its veto counts no more than its scores.
    run 'boom väntetid\n' "$@" --plugin lexicon --plugin "$FX" --options veto:access
    if grep -q '"status":"plugin_failed".*"areas":\["access"\],"scores":{"access":0.5,' "$T/out"; then
        pass
    else
        fail "classify: the veto of a plugin that failed is ignored" "$(cat "$T/out")"
    fi

    # --options goes to the plugin just before it, not to the other one.
    run 'Lång väntetid\n' "$@" --plugin "$FX" --options family --plugin lexicon
    split_meta
    expect_json_from "classify: --options applies to the --plugin before it" \
        scores "\"scores\":{\"access\":0.5,\"respect\":0,\"whole_person\":0,\"coordination\":0,\"continuity\":0,\"participation\":0,\"family\":0.9,\"everyday_life\":0,\"hope_recovery\":0},\"evidence\":[{\"area\":\"family\",\"start\":0,\"end\":5,\"text\":\"Lång\",\"rule\":\"fixture\",\"plugin\":\"cli_fixture\",\"negated\":false},{\"area\":\"access\",\"start\":6,\"end\":15,\"text\":\"väntetid\",\"rule\":\"väntetid\",\"plugin\":\"lexicon\",\"negated\":false}]}"

    # Without a word list in the folder, a folder of areas.txt alone is
    # fine (tested above); one with neither is a mistake.
    mkdir -p "$T/nodata/sv"
    run 'x\n' classify --lang sv --data "$T/nodata"
    expect_error "classify: a data folder without data files is a usage error" 2 \
        "whatmatters: classify: no data files in data folder '$T/nodata' (expected $T/nodata/LANG/areas.txt, $T/nodata/LANG/patterns.txt, $T/nodata/LANG/stopwords.txt or $T/nodata/LANG/negation.txt)"

    # A malformed areas.txt in the user's folder names file:line.
    mkdir -p "$T/badareas/sv"
    printf '[access]\nväntetid\n[acess]\nkö\n' > "$T/badareas/sv/areas.txt"
    run 'x\n' classify --lang sv --data "$T/badareas"
    if [ "$status" -ne 0 ] && [ ! -s "$T/out" ] && [ "$(wc -l < "$T/err")" -eq 1 ] \
       && grep -q "^whatmatters: classify: .*sv/areas.txt:3:" "$T/err"; then
        pass
    else
        fail "classify: a malformed areas.txt fails with one line naming areas.txt:3"
    fi
}

# --- batch: survey files in, coded files out ------------------------------------

# The area and score columns of the built-in taxonomy, in its order.
AREA_COLS='access,respect,whole_person,coordination,continuity,participation,family,everyday_life,hope_recovery'
SCORE_COLS='access_score,respect_score,whole_person_score,coordination_score,continuity_score,participation_score,family_score,everyday_life_score,hope_recovery_score'

# statuses: the status of every record in $T/out (JSON Lines, metadata
# line included), one a line.
statuses() {
    tail -n +2 "$T/out" | sed 's/.*,"status":"\([a-z_0-9]*\)",.*/\1/'
}

# expect_lines NAME FILE WANT: FILE has exactly the lines of `printf WANT`.
expect_lines() {
    # shellcheck disable=SC2059 # the expected lines are a printf format
    printf "$3" > "$T/want"
    if cmp -s "$T/want" "$2"; then
        pass
    else
        fail "$1" "--- expected, +++ got:"
        diff -u "$T/want" "$2" | sed -n '3,20s/^/      /p'
    fi
}

group_batch() {
    make_lexicon
    MPK=${WM_MPK2JSON:-}
    set -- classify --lang sv --data "$T/alex"

    # CSV in, CSV out: the id and kept fields (in the order given), the
    # answer from another column, quotes, commas and a line break inside
    # fields, an empty kept field, an empty answer (ok, no area).
    printf 'id,unit,svar,note\nr1,north,Lång väntetid i telefonkö,"first, with comma"\nr2,south,"Bra bemötande, ""tack""",\nr3,north,"två\nrader om familjen",x\nr4,east,,empty answer\n' \
        > "$T/survey.csv"
    run '' "$@" --id-column id --text-column svar --keep note,unit "$T/survey.csv"
    expect_csv "batch: CSV in and out: id, --keep in order, --text-column, RFC 4180 quoting" \
        "4 read, 4 written, 0 flagged" \
"id,note,unit,text,lang,status,message,$AREA_COLS,$SCORE_COLS,evidence
r1,\"first, with comma\",north,Lång väntetid i telefonkö,sv,ok,,1,0,0,0,0,0,0,0,0,0.6667,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,access=väntetid; access=telefonkö
r2,,south,\"Bra bemötande, \"\"tack\"\"\",sv,ok,,0,1,0,0,0,0,0,0,0,0.0000,0.5000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,respect=bemötande
r3,x,north,\"två
rader om familjen\",sv,ok,,0,0,0,0,0,0,1,0,0,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.5000,0.0000,0.0000,family=familjen
r4,empty answer,east,,sv,ok,,0,0,0,0,0,0,0,0,0,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,
"

    run '' "$@" --id-column id --text-column svar --keep note,unit --no-text \
        --format jsonl "$T/survey.csv"
    expect_records "batch: JSON Lines with --no-text: string ids, keep object, byte offsets" \
        "4 read, 4 written, 0 flagged" \
'{"id":"r1","keep":{"note":"first, with comma","unit":"north"},"lang":"sv","status":"ok","message":"","areas":["access"],"scores":{"access":0.6667,"respect":0,"whole_person":0,"coordination":0,"continuity":0,"participation":0,"family":0,"everyday_life":0,"hope_recovery":0},"evidence":[{"area":"access","start":6,"end":15,"text":"väntetid","rule":"väntetid","plugin":"lexicon","negated":false},{"area":"access","start":18,"end":28,"text":"telefonkö","rule":"*kö","plugin":"lexicon","negated":false}]}
{"id":"r2","keep":{"note":"","unit":"south"},"lang":"sv","status":"ok","message":"","areas":["respect"],"scores":{"access":0,"respect":0.5,"whole_person":0,"coordination":0,"continuity":0,"participation":0,"family":0,"everyday_life":0,"hope_recovery":0},"evidence":[{"area":"respect","start":4,"end":14,"text":"bemötande","rule":"bemötande","plugin":"lexicon","negated":false}]}
{"id":"r3","keep":{"note":"x","unit":"north"},"lang":"sv","status":"ok","message":"","areas":["family"],"scores":{"access":0,"respect":0,"whole_person":0,"coordination":0,"continuity":0,"participation":0,"family":0.5,"everyday_life":0,"hope_recovery":0},"evidence":[{"area":"family","start":14,"end":22,"text":"familjen","rule":"familj","plugin":"lexicon","negated":false}]}
{"id":"r4","keep":{"note":"empty answer","unit":"east"},"lang":"sv","status":"ok","message":"","areas":[],"scores":{"access":0,"respect":0,"whole_person":0,"coordination":0,"continuity":0,"participation":0,"family":0,"everyday_life":0,"hope_recovery":0},"evidence":[]}'

    # The metadata: version, data files with where they came from, and
    # the options that change results; nothing about time or threads.
    _version=$(sed -n 's/^#define WM_VERSION "\(.*\)"$/\1/p' \
        "$SRC/engine/include/whatmatters.h")
    _bytes=$(wc -c < "$T/alex/sv/areas.txt" | tr -d ' ')
    for _want in "{\"whatmatters_meta\":{\"version\":\"$_version\",\"plugins\":[{\"name\":\"lexicon\"," \
        "{\"name\":\"sv/areas.txt\",\"source\":\"$T/alex/sv/areas.txt\",\"fingerprint\":\"" \
        "\",\"bytes\":$_bytes}" \
        "\"data_dir\":\"$T/alex\"" \
        '"lang":"sv","lang_column":null,"lang_fallback":null,"input_format":"csv","delimiter":",","text_column":"svar","id_column":"id","keep":["note","unit"],"text":false,"max_field_bytes":16777216}}'
    do
        case $(cat "$T/meta") in
            *"$_want"*) pass ;;
            *) fail "batch: the metadata holds $_want" "$(cut -c 1-400 "$T/meta")" ;;
        esac
    done
    if grep -q -i -e thread -e time "$T/meta"; then
        fail "batch: the metadata names no time and no thread count"
    else
        pass
    fi

    # Formats from -o's extension; CSV's metadata beside it, the same
    # bytes as JSON Lines' first line for the same options.
    set -- "$@" --id-column id --text-column svar --keep note,unit
    run '' "$@" -o "$T/coded.jsonl" "$T/survey.csv"
    run '' "$@" -o "$T/coded.csv" "$T/survey.csv"
    if [ "$status" -eq 0 ] && [ ! -s "$T/out" ] && [ -s "$T/coded.csv" ] \
       && head -n 1 "$T/coded.csv" | grep -q '^id,note,unit,text,lang,' \
       && head -n 1 "$T/coded.jsonl" | cmp -s - "$T/coded.csv.meta.json"; then
        pass
    else
        fail "batch: -o FILE.csv writes CSV and FILE.csv.meta.json (JSON Lines' first line)"
    fi
    run '' "$@" --meta "$T/side.json" "$T/survey.csv"
    if [ "$status" -eq 0 ] && cmp -s "$T/side.json" "$T/coded.csv.meta.json"; then
        pass
    else
        fail "batch: --meta FILE writes the metadata when CSV goes to stdout"
    fi

    run '' "$@" -o "$T/coded.msgpack" "$T/survey.csv"
    if [ -z "$MPK" ] || [ ! -x "$MPK" ]; then
        fail "batch: the msgpack decoder is missing (set WM_MPK2JSON)"
    elif [ "$status" -eq 0 ] && "$MPK" < "$T/coded.msgpack" > "$T/decoded" \
         && cmp -s "$T/decoded" "$T/coded.jsonl"; then
        pass
    else
        fail "batch: msgpack holds the same maps as JSON Lines, metadata first" \
            "$(diff "$T/coded.jsonl" "$T/decoded" | head -n 4 | cut -c 1-200)"
    fi

    # The JSON Lines writer's fast paths against json_writer.c (through
    # the msgpack decoder): an answer found valid UTF-8 is tested sixteen
    # bytes at a time with the last block overlapping, and short strings
    # in one pass. A byte to escape or repair (quote, backslash, C0, DEL,
    # C1, no-break space, invalid) or a plain å at every place of answers
    # of 1 to 48 bytes, around the blocks' edges, and coded words beside.
    awk 'BEGIN {
        n = split("34 92 1 127 194,133 194,160 195,165 255 9", sp, " ")
        nl = split("1 2 15 16 17 18 31 32 33 47 48", len, " ")
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
        for (p = 0; p < 20; p++)
            print substr("aaaaaaaaaaaaaaaaaaaa", 1, p) " v\303\244ntetid \"x\" telefonk\303\266"
    }' > "$T/edges.txt"
    run_file "$T/edges.txt" classify --lang sv --data "$T/alex" --format jsonl
    cp "$T/out" "$T/edges.jsonl"
    run_file "$T/edges.txt" classify --lang sv --data "$T/alex" --format msgpack
    if [ -z "$MPK" ] || [ ! -x "$MPK" ]; then
        fail "batch: the msgpack decoder is missing (set WM_MPK2JSON)"
    elif [ "$status" -eq 0 ] && [ "$(wc -l < "$T/edges.jsonl")" -gt 2300 ] \
         && "$MPK" < "$T/out" > "$T/decoded" && cmp -s "$T/decoded" "$T/edges.jsonl"; then
        pass
    else
        fail "batch: JSON Lines escapes every byte as json_writer.c does, at every place of a block" \
            "$(diff "$T/edges.jsonl" "$T/decoded" | head -n 4 | cut -c 1-200)"
    fi

    # Every record in gives one out, in order, also a broken row in the
    # middle and an answer that is not UTF-8 (flagged, still coded).
    printf 'id,text\nb1,väntetid\nb2,familj\nb3,"bad"quote\nb4,\377 bemötande\nb5,anhöriga\n' \
        > "$T/broken.csv"
    set -- classify --lang sv --data "$T/alex" --id-column id --format jsonl
    run '' "$@" "$T/broken.csv"
    statuses > "$T/statuses"
    expect_lines "batch: one record out for each in, in order, whatever is wrong" \
        "$T/statuses" 'ok\nok\nbad_row\ninvalid_utf8\nok\n'
    printf 'whatmatters: classify: 5 read, 5 written, 2 flagged (1 bad_row, 1 invalid_utf8)\n' > "$T/want"
    if [ "$status" -eq 0 ] && cmp -s "$T/want" "$T/err"; then pass; else
        fail "batch: the summary line counts the flagged records by status"; fi
    if grep -q "\"id\":3,.*\"message\":\"$T/broken.csv: record 3 (line 4, byte 31): " "$T/out" \
       && grep -q '"id":"b4",.*"message":"[^"]*: record 4 (line 5, byte 45): invalid UTF-8 at byte 0 of the answer","areas":\["respect"\]' "$T/out"
    then
        pass
    else
        fail "batch: messages name the record, its line and byte; a broken row's id is its number"
    fi

    run '' classify --lang sv --data "$T/alex" --id-column id "$T/broken.csv"
    _row=$(grep '^b4,' "$T/out")
    case $_row in
        "b4,$(printf '\357\277\275') bemötande,sv,invalid_utf8,\"$T/broken.csv: record 4 (line 5, byte 45): invalid UTF-8 at byte 0 of the answer\",0,1,"*) pass ;;
        *) fail "batch: CSV writes an invalid byte as U+FFFD and codes the answer" "got: $_row" ;;
    esac
    if [ "$(grep -c '' "$T/out")" -eq 6 ] && grep -q '^3,,,bad_row,".*: record 3 (line 4, byte 31): .*"'"$(printf '%19s' '' | tr ' ' ,)"'$' "$T/out"; then
        pass
    else
        fail "batch: CSV leaves a broken row's area and score cells empty"
    fi

    run '' "$@" --strict "$T/broken.csv"
    statuses > "$T/statuses"
    expect_lines "batch: --strict writes the records before the first flagged one" \
        "$T/statuses" 'ok\nok\n'
    _first=$(head -n 1 "$T/err")
    _second=$(sed -n 2p "$T/err")
    case $_first in
        "whatmatters: classify: $T/broken.csv: record 3 (line 4, byte 31): "*"(bad_row; stopped by --strict)") _ok=1 ;;
        *) _ok=0 ;;
    esac
    if [ "$status" -eq 1 ] && [ "$_ok" -eq 1 ] && [ "$(wc -l < "$T/err")" -eq 2 ] \
       && [ "$_second" = "whatmatters: classify: 3 read, 2 written, 1 flagged (1 bad_row)" ]; then
        pass
    else
        fail "batch: --strict stops with exit status 1, the record's message and the summary"
    fi

    # --max-field-bytes: a longer answer is too_large, not coded.
    printf 'id,text\nm1,väntetid\nm2,väntetid och familjen\n' > "$T/long.csv"
    run '' "$@" --max-field-bytes 12 "$T/long.csv"
    statuses > "$T/statuses"
    expect_lines "batch: an answer over --max-field-bytes is too_large" \
        "$T/statuses" 'ok\ntoo_large\n'
    if grep -q '"id":"m2",.*"status":"too_large",.*"areas":\[\],"scores":{},"evidence":\[\]' "$T/out"; then
        pass
    else
        fail "batch: a too_large record has no areas and no scores"
    fi

    # --lang-column: case and spaces ignored; an empty field takes --lang;
    # an unsupported language is lang_unknown.
    printf 'id,lang,text\nl1,sv,väntetid\nl2, SV ,familj\nl3,,bemötande\nl4,de,Wartezeit\n' > "$T/langs.csv"
    run '' classify --data "$T/alex" --id-column id --format jsonl \
        --lang-column lang --lang sv "$T/langs.csv"
    statuses > "$T/statuses"
    expect_lines "batch: --lang-column, then --lang for an empty field" \
        "$T/statuses" 'ok\nok\nok\nlang_unknown\n'
    if grep -q '"id":"l4",.*"lang":"","status":"lang_unknown","message":"[^"]*: record 4 (line 5, byte [0-9]*): unsupported language '"'de'"' in column '"'lang'"'",' "$T/out"; then
        pass
    else
        fail "batch: an unsupported language in the column is named"
    fi
    run '' classify --data "$T/alex" --id-column id --format jsonl \
        --lang-column lang "$T/langs.csv"
    statuses > "$T/statuses"
    expect_lines "batch: --lang-column alone: an empty field is lang_unknown" \
        "$T/statuses" 'ok\nok\nlang_unknown\nlang_unknown\n'

    # --threads: the same bytes for every number of threads, over a few
    # thousand records (several batches); the metadata too.
    awk 'BEGIN {
        split("Lång väntetid i telefonkön;bemötande, tack;\"familjen\" och anhöriga;öppettiderna;;ok;vårdcentralen stängd;inget alls", w, ";")
        print "id,unit,text"
        for (i = 1; i <= 3000; i++) {
            t = w[1 + (i * 7) % 8] " " w[1 + (i * 13) % 8]
            gsub(/"/, "\"\"", t)
            printf "g%d,u%d,\"%s\"\n", i, i % 5, t
        }
    }' > "$T/many.csv"
    set -- classify --lang sv --data "$T/alex" --id-column id --keep unit
    run '' "$@" --threads 1 -o "$T/t1.jsonl" "$T/many.csv"
    run '' "$@" --threads 4 -o "$T/t4.jsonl" "$T/many.csv"
    run '' "$@" --threads 1 -o "$T/t1.csv" "$T/many.csv"
    run '' "$@" --threads 4 -o "$T/t4.csv" "$T/many.csv"
    if [ "$status" -eq 0 ] && [ "$(wc -l < "$T/t1.jsonl")" -eq 3001 ] \
       && cmp -s "$T/t1.jsonl" "$T/t4.jsonl" && cmp -s "$T/t1.csv" "$T/t4.csv" \
       && cmp -s "$T/t1.csv.meta.json" "$T/t4.csv.meta.json"; then
        pass
    else
        fail "batch: --threads 1 and 4 write the same bytes (3000 records)"
    fi
    if [ "$(cat "$T/err")" = "whatmatters: classify: 3000 read, 3000 written, 0 flagged" ]; then
        pass
    else
        fail "batch: the summary counts every record of every batch"
    fi

    # --lang auto, when the library can detect languages.
    printf 'id,text\na1,Jag har väntat länge på att få träffa en läkare på vårdcentralen och det var inte bra.\na2,I have been waiting for a very long time to see a doctor and nobody called me back.\na3,ok\n' \
        > "$T/auto.csv"
    run '' classify --lang auto --data "$T/alex" --id-column id --format jsonl "$T/auto.csv"
    if grep -q 'does not have yet' "$T/err"; then
        echo "note: --lang auto not tested: the library has no wm_engine_detect_lang yet"
        expect_status "batch: --lang auto without detection is a runtime error" 1
    else
        tail -n +2 "$T/out" | sed 's/.*,"lang":"\([a-z]*\)","status":"\([a-z_]*\)".*/\1 \2/' > "$T/langs"
        expect_lines "batch: --lang auto detects each answer's language; too short is lang_unknown" \
            "$T/langs" 'sv ok\nen ok\n lang_unknown\n'
        run '' classify --lang auto --lang-fallback sv --data "$T/alex" --id-column id \
            --format jsonl "$T/auto.csv"
        tail -n +2 "$T/out" | sed 's/.*,"lang":"\([a-z]*\)","status":"\([a-z_]*\)".*/\1 \2/' > "$T/langs"
        expect_lines "batch: --lang-fallback for an answer too short to tell" \
            "$T/langs" 'sv ok\nen ok\nsv ok\n'
    fi

    # Usage errors: one line, exit status 2, nothing written.
    run '' classify --lang sv --format xml "$T/survey.csv"
    expect_error "batch: a bad --format" 2 \
        "whatmatters: classify: bad --format value 'xml' (expected csv, jsonl or msgpack)"
    run '' classify --lang sv --input-format xls "$T/survey.csv"
    expect_error "batch: a bad --input-format" 2 \
        "whatmatters: classify: bad --input-format value 'xls' (expected csv, jsonl, text or msgpack)"
    run 'x\n' classify --lang sv --id-column id
    expect_error "batch: columns for text input" 2 \
        "whatmatters: classify: --id-column needs input with fields (csv, jsonl or msgpack; see --input-format); text input is one answer a line"
    run '' classify --lang sv --threads 0 "$T/survey.csv"
    expect_error "batch: --threads 0" 2 \
        "whatmatters: classify: bad --threads value '0' (expected 1 to 256)"
    run '' classify --lang sv --max-field-bytes 1X "$T/survey.csv"
    expect_error "batch: a bad --max-field-bytes" 2 \
        "whatmatters: classify: bad --max-field-bytes value '1X' (expected a number of bytes, with K, M or G)"
    run '' classify --lang sv --keep a,,b "$T/survey.csv"
    expect_error "batch: an empty --keep name" 2 \
        "whatmatters: classify: bad --keep value 'a,,b' (an empty field name)"
    run '' classify --lang sv --lang-fallback xx "$T/survey.csv"
    expect_error "batch: an unknown --lang-fallback" 2 \
        "whatmatters: classify: unknown language 'xx' for --lang-fallback (expected $LANGS_EXPECTED)"
    run '' classify --lang sv --delimiter '|' "$T/survey.csv"
    expect_error "batch: a delimiter CSV readers do not take" 2 \
        "whatmatters: classify: bad --delimiter value '|' (expected ',', ';' or tab)"
    run '' classify --lang sv --text-column answer "$T/survey.csv"
    expect_error "batch: a text column the file does not have" 2 \
        "whatmatters: classify: $T/survey.csv: no column 'answer' (columns: id, unit, svar, note)"
    run '' classify --lang sv --text-column svar -o "$T/no-such-dir/out.csv" \
        "$T/survey.csv"
    expect_error "batch: an output file that cannot be made" 2 \
        "whatmatters: classify: cannot create '$T/no-such-dir/out.csv': No such file or directory"
    cp "$T/survey.csv" "$T/same.csv"
    run '' classify --lang sv --text-column svar -o "$T/same.csv" "$T/same.csv"
    if cmp -s "$T/survey.csv" "$T/same.csv"; then pass; else
        fail "batch: -o naming the input file leaves it alone"; fi
    expect_error "batch: -o naming the input file" 2 \
        "whatmatters: classify: -o '$T/same.csv' is the input file (it would be overwritten before it is read)"
}

# --- eval -----------------------------------------------------------------------

# The eval tests' coding frame (five areas) and lexicon, and a gold corpus
# of seven answers whose counts are worked out by hand:
#
#   answer  gold              predicted (entries that match)
#   g1      access            access (väntetid)                  exact
#   g2      access;respect    access;respect (bemötande, väntetid) exact
#   g3      respect;family    - (nothing matches "familj")
#   g4      family            family (anhörig*)                  exact
#   g5      -                 -                                  exact
#   g6      access            access;hope (*kö, hopp)
#   g7      access            access;respect (bemötande, väntetid)
#
#   access   tp 4 fp 0 fn 0   P 1.000  R 1.000  F1 1.000   support 4
#   respect  tp 1 fp 1 fn 1   P 0.500  R 0.500  F1 0.500   support 2
#   family   tp 1 fp 0 fn 1   P 1.000  R 0.500  F1 2/3     support 2
#   hope     tp 0 fp 1 fn 0   P 0      R 0 (0/0) F1 0      support 0
#   work     tp 0 fp 0 fn 0   P 0 (0/0) R 0 (0/0) F1 0 (0/0) support 0
#   micro    tp 6 fp 2 fn 2   P 0.750  R 0.750  F1 0.750   support 8
#   macro-F1 (1 + 0.5 + 0.6667 + 0 + 0) / 5 = 0.4333; exact 4/7 = 0.5714
make_eval_data() {
    cat > "$T/etax.txt" <<'EOF'
[access]
name.en = Access
[respect]
name.en = Respect
[family]
name.en = Family
[hope]
name.en = Hope
[work]
name.en = Work
EOF
    mkdir -p "$T/elex/sv"
    cat > "$T/elex/sv/areas.txt" <<'EOF'
[access]
väntetid
*kö
[respect]
bemötande
[family]
anhörig*
[hope]
hopp
EOF
    empty_lexicons "$T/elex"
    cat > "$T/gold.csv" <<'EOF'
id,text,areas
g1,Kort väntetid,access
g2,"Bra bemötande, men lång väntetid",access;respect
g3,Ingen lyssnar på mig eller min familj,respect;family
g4,"Mina anhöriga, ""familjen"", betyder allt",family
g5,vet inte,
g6,"Ringde telefonkö, hopp finns",access
g7,"Bemötande är inte viktigt, bara väntetiden",access
EOF
}

EVAL_TABLE='area            precision  recall      f1  support
access              1.000   1.000   1.000        4
respect             0.500   0.500   0.500        2
family              1.000   0.500   0.667        2
hope                0.000   0.000   0.000        0
work                0.000   0.000   0.000        0
micro               0.750   0.750   0.750        8
macro-F1 0.433  micro-F1 0.750  exact 0.571  answers 7'

EVAL_JSON='{"answers":7,"macro_f1":0.4333,"micro_f1":0.75,"exact_match":0.5714,"per_area":{"access":{"precision":1,"recall":1,"f1":1,"support":4,"tp":4,"fp":0,"fn":0},"respect":{"precision":0.5,"recall":0.5,"f1":0.5,"support":2,"tp":1,"fp":1,"fn":1},"family":{"precision":1,"recall":0.5,"f1":0.6667,"support":2,"tp":1,"fp":0,"fn":1},"hope":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":1,"fn":0},"work":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0}},"micro":{"precision":0.75,"recall":0.75,"f1":0.75,"support":8,"tp":6,"fp":2,"fn":2},"plugin_failures":0'

# Byte offsets in the --errors evidence: g6 "telefonkö" 7..17, "hopp"
# 19..23; g7 "Bemötande" 0..10, "väntetiden" 34..45.
EVAL_ERRORS_JSON='"errors":[{"id":"g3","line":4,"text":"Ingen lyssnar på mig eller min familj","gold":["respect","family"],"predicted":[],"evidence":[]},{"id":"g6","line":7,"text":"Ringde telefonkö, hopp finns","gold":["access"],"predicted":["access","hope"],"evidence":[{"area":"access","start":7,"end":17,"text":"telefonkö","rule":"*kö","plugin":"lexicon"},{"area":"hope","start":19,"end":23,"text":"hopp","rule":"hopp","plugin":"lexicon"}]},{"id":"g7","line":8,"text":"Bemötande är inte viktigt, bara väntetiden","gold":["access"],"predicted":["access","respect"],"evidence":[{"area":"respect","start":0,"end":10,"text":"Bemötande","rule":"bemötande","plugin":"lexicon"},{"area":"access","start":34,"end":45,"text":"väntetiden","rule":"väntetid","plugin":"lexicon"}]}]}'

group_eval() {
    make_eval_data
    set -- --lang sv --taxonomy "$T/etax.txt" --data "$T/elex"

    run '' eval "$@" "$T/gold.csv"
    expect_text "eval: the table's numbers, worked out by hand" "$EVAL_TABLE"

    run '' eval "$@" --json "$T/gold.csv"
    expect_text "eval --json: the same numbers as one JSON object" "$EVAL_JSON}"

    run '' eval "$@" --errors "$T/gold.csv"
    expect_text "eval --errors: the misclassified answers after the table" \
"$EVAL_TABLE

misclassified: 3 of 7 answers
g3  gold: respect;family  predicted: -
  text: Ingen lyssnar på mig eller min familj
  rules: -
g6  gold: access  predicted: access;hope
  text: Ringde telefonkö, hopp finns
  rules: access:*kö \"telefonkö\", hope:hopp \"hopp\"
g7  gold: access  predicted: access;respect
  text: Bemötande är inte viktigt, bara väntetiden
  rules: respect:bemötande \"Bemötande\", access:väntetid \"väntetiden\""

    run '' eval "$@" --json --errors "$T/gold.csv"
    expect_text "eval --json --errors: an errors array with the evidence" \
        "$EVAL_JSON,$EVAL_ERRORS_JSON"

    run_file "$T/gold.csv" eval "$@" -
    expect_text "eval: '-' reads the gold corpus from standard input" "$EVAL_TABLE"

    # Every area right, every answer without areas: no division by zero.
    printf 'id,text,areas\nn1,vet inte,\nn2,inget,\n' > "$T/none.csv"
    run '' eval "$@" --json "$T/none.csv"
    expect_text "eval: a corpus without any area gives zeros and exact 1" \
'{"answers":2,"macro_f1":0,"micro_f1":0,"exact_match":1,"per_area":{"access":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0},"respect":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0},"family":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0},"hope":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0},"work":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0}},"micro":{"precision":0,"recall":0,"f1":0,"support":0,"tp":0,"fp":0,"fn":0},"plugin_failures":0}'

    printf 'id,text,areas\n' > "$T/header-only.csv"
    run '' eval "$@" "$T/header-only.csv"
    _last=$(tail -n 1 "$T/out")
    if [ "$status" -eq 0 ] && [ "$_last" = "macro-F1 0.000  micro-F1 0.000  exact 0.000  answers 0" ]; then
        pass
    else
        fail "eval: a header without answers gives 0 answers" "last line: $_last"
    fi

    # Columns found by name, in any order, other columns ignored; spaces
    # around area ids and an empty item are no error.
    printf 'areas,note,text,id\naccess ; respect;,x,"Bra bemötande, men lång väntetid",g2\n' \
        > "$T/reordered.csv"
    run '' eval "$@" --json "$T/reordered.csv"
    expect_json_from "eval: columns by name; spaces and empty items in areas" \
        micro '"micro":{"precision":1,"recall":1,"f1":1,"support":2,"tp":2,"fp":0,"fn":0},"plugin_failures":0}'

    # A plugin failing on an answer: the run goes on, one warning line.
    if [ -n "${WM_CLI_FIXTURE:-}" ]; then
        printf 'id,text,areas\nb1,boom,access\nb2,hej,access\n' > "$T/boom.csv"
        "$BIN" eval "$@" --plugin "$WM_CLI_FIXTURE" --json --errors \
            "$T/boom.csv" > "$T/out" 2> "$T/err"
        status=$?
        printf '%s\n' "whatmatters: eval: warning: a plugin failed on 1 answer (first $T/boom.csv:2: plugin 'cli_fixture' failed: cli_fixture: boom at byte 0)" > "$T/want"
        if [ "$status" -eq 0 ] && cmp -s "$T/want" "$T/err" \
           && [ "$(json_from plugin_failures | cut -c 1-20)" = '"plugin_failures":1,' ] \
           && grep -q '"id":"b1","line":2,"text":"boom","gold":\["access"\],"predicted":\[\],"evidence":\[\],"status":"plugin_failed","plugin_error":"plugin '"'"'cli_fixture'"'"' failed: cli_fixture: boom at byte 0"}' "$T/out"
        then
            pass
        else
            fail "eval: a plugin failing on an answer is counted, warned about and marked in errors"
        fi
    else
        fail "eval: the fixture plugin is missing (set WM_CLI_FIXTURE)"
    fi
}

# --- csv: reading gold corpora --------------------------------------------------

group_csv() {
    make_eval_data
    set -- --lang sv --taxonomy "$T/etax.txt" --data "$T/elex"

    # Every answer has the gold area "work", which nothing predicts, so
    # --errors lists them all with their text as read. A BOM, CRLF line
    # ends, a comma, doubled quotes, a backslash and a CRLF inside quotes,
    # a quoted areas field, an empty line, an empty text, no final newline.
    printf '\357\273\277id,text,areas\r\nc1,"kommatecken, inne",work\r\nc2,"citat ""så här"" och \\ snedstreck",work\r\nc3,"rad ett\r\nrad två",work\r\nc4,utan citat,"work"\r\n\r\nc5,,work' \
        > "$T/quoted.csv"
    run '' eval "$@" --json --errors "$T/quoted.csv"
    expect_json_from "csv: BOM, CRLF, quoted commas, quotes and line breaks" errors \
'"errors":[{"id":"c1","line":2,"text":"kommatecken, inne","gold":["work"],"predicted":[],"evidence":[]},{"id":"c2","line":3,"text":"citat \"så här\" och \\ snedstreck","gold":["work"],"predicted":[],"evidence":[]},{"id":"c3","line":4,"text":"rad ett\u000d\u000arad två","gold":["work"],"predicted":[],"evidence":[]},{"id":"c4","line":6,"text":"utan citat","gold":["work"],"predicted":[],"evidence":[]},{"id":"c5","line":8,"text":"","gold":["work"],"predicted":[],"evidence":[]}]}'
    _answers=$(head -c 13 "$T/out")
    if [ "$_answers" = '{"answers":5,' ]; then pass; else
        fail "csv: five answers read (got '$_answers')"; fi

    # Bytes JSON must escape, and bytes that are not UTF-8: a tab, a C0
    # control, a C1 control (U+0085), an invalid byte, and a 3-byte
    # sequence cut short (one U+FFFD for its two bytes).
    printf 'id,text,areas\ne1,"tab\there\001 nel\302\205 bad\377 cut\342\202x",work\n' \
        > "$T/escapes.csv"
    run '' eval "$@" --json --errors "$T/escapes.csv"
    expect_json_from "csv: JSON escapes control characters and replaces invalid UTF-8" errors \
'"errors":[{"id":"e1","line":2,"text":"tab\u0009here\u0001 nel\u0085 bad\ufffd cut\ufffdx","gold":["work"],"predicted":[],"evidence":[]}]}'
    run '' eval "$@" --errors "$T/escapes.csv"
    _text=$(sed -n 's/^  text: //p' "$T/out")
    # shellcheck disable=SC1003 # the backslashes are the program's escapes
    if [ "$status" -eq 0 ] && [ "$_text" = 'tab\there\x01 nel\xc2\x85 bad\xff cut\xe2\x82x' ]; then
        pass
    else
        fail "csv: the text listing escapes as tokenize does" "got: $_text"
    fi

    # Malformed files: one line naming the file, the line and the byte.
    printf 'id,text,areas\na1,te"xt,access\n' > "$T/bad1.csv"
    run '' eval "$@" "$T/bad1.csv"
    expect_error "csv: a quote inside an unquoted field" 1 \
        "whatmatters: eval: $T/bad1.csv:2: byte 19: a quote inside an unquoted field (put the field in quotes and write the quote twice)"

    printf 'id,text,areas\na1,"text"x,access\n' > "$T/bad2.csv"
    run '' eval "$@" "$T/bad2.csv"
    expect_error "csv: text after a closing quote" 1 \
        "whatmatters: eval: $T/bad2.csv:2: byte 23: text after a closing quote (a quote inside a quoted field is written twice: \"\")"

    printf 'id,text,areas\na1,ok,access\na2,"never ends,\nmore\n' > "$T/bad3.csv"
    run '' eval "$@" "$T/bad3.csv"
    expect_error "csv: a quoted field that never ends names its opening quote" 1 \
        "whatmatters: eval: $T/bad3.csv:3: byte 30: a quoted field that never ends (its opening quote is here)"

    printf 'id,text,areas\na1,"two\nlines",x"y\n' > "$T/bad4.csv"
    run '' eval "$@" "$T/bad4.csv"
    expect_error "csv: lines are counted inside quoted fields" 1 \
        "whatmatters: eval: $T/bad4.csv:3: byte 30: a quote inside an unquoted field (put the field in quotes and write the quote twice)"

    printf 'id,text,areas\na1,ok,access\na2,only two\n' > "$T/bad5.csv"
    run '' eval "$@" "$T/bad5.csv"
    expect_error "csv: a row with too few fields" 1 \
        "whatmatters: eval: $T/bad5.csv:3: byte 27: 2 fields where the header has 3"

    printf 'id,text,areas\na1,ok,access;acess\n' > "$T/bad6.csv"
    run '' eval "$@" "$T/bad6.csv"
    expect_error "csv: an unknown area names the line and the ids that would do" 1 \
        "whatmatters: eval: $T/bad6.csv:2: byte 27: unknown area 'acess' (expected access, respect, family, hope, work)"

    printf 'id,answer,areas\na1,ok,access\n' > "$T/bad7.csv"
    run '' eval "$@" "$T/bad7.csv"
    expect_error "csv: a header without the text column" 1 \
        "whatmatters: eval: $T/bad7.csv:1: byte 0: the header has no column 'text' (expected id,text,areas)"

    : > "$T/empty.csv"
    run '' eval "$@" "$T/empty.csv"
    expect_error "csv: an empty file" 1 \
        "whatmatters: eval: $T/empty.csv: empty file (expected the header id,text,areas)"
}

# --- errors -------------------------------------------------------------------

group_errors() {
    run ''
    expect_error "errors: no command" 2 \
        "whatmatters: missing command (try 'whatmatters --help')"

    run '' frobnicate
    expect_error "errors: unknown subcommand" 2 \
        "whatmatters: unknown subcommand 'frobnicate' (try 'whatmatters --help')"

    run '' --frobnicate
    expect_error "errors: unknown option before the subcommand" 2 \
        "whatmatters: unknown option '--frobnicate' (try 'whatmatters --help')"

    for _cmd in stem tokenize classify eval; do
        run 'ord\n' $_cmd --lang xx
        expect_error "errors: $_cmd: unknown language" 2 \
            "whatmatters: $_cmd: unknown language 'xx' (expected $LANGS_EXPECTED)"

        run 'ord\n' $_cmd
        expect_error "errors: $_cmd: missing --lang" 2 \
            "whatmatters: $_cmd: missing --lang (expected $LANGS_EXPECTED)"

        run 'ord\n' $_cmd --lang
        expect_error "errors: $_cmd: --lang without a value" 2 \
            "whatmatters: $_cmd: option '--lang' needs a value"

        run 'ord\n' $_cmd --lang=
        expect_error "errors: $_cmd: --lang= with an empty value" 2 \
            "whatmatters: $_cmd: option '--lang' needs a value"

        run 'ord\n' $_cmd --lang --data "$SRC/lexicons"
        expect_error "errors: $_cmd: an option is not taken as --lang's value" 2 \
            "whatmatters: $_cmd: option '--lang' needs a value"

        run 'ord\n' $_cmd --lang sv --bogus
        expect_error "errors: $_cmd: unknown option" 2 \
            "whatmatters: $_cmd: unknown option '--bogus' (try 'whatmatters help $_cmd')"

        run 'ord\n' $_cmd --language sv
        expect_error "errors: $_cmd: an option is matched whole, not by prefix" 2 \
            "whatmatters: $_cmd: unknown option '--language' (try 'whatmatters help $_cmd')"

        run '' $_cmd --lang sv "$T/no-such-file.txt"
        expect_error "errors: $_cmd: a missing input file" 2 \
            "whatmatters: $_cmd: cannot open '$T/no-such-file.txt': No such file or directory"

        run '' $_cmd --lang sv "$T"
        expect_error "errors: $_cmd: a folder as input file" 2 \
            "whatmatters: $_cmd: cannot read '$T': Is a directory"

        run '' $_cmd --lang sv a.txt b.txt
        expect_error "errors: $_cmd: two input files" 2 \
            "whatmatters: $_cmd: unexpected argument 'b.txt' (one input file at most)"
    done

    # classify and eval: plugins, combination, taxonomy, gold file (a
    # valid one, so that only the option under test is wrong).
    printf 'id,text,areas\na1,ord,\n' > "$T/gold.csv"
    for _cmd in classify eval; do
        run 'ord\n' $_cmd --lang sv --plugin nosuchplugin "$T/gold.csv"
        expect_error_prefix "errors: $_cmd: an unknown plugin name" 2 \
            "whatmatters: $_cmd: " "'nosuchplugin'"

        run 'ord\n' $_cmd --lang sv --plugin "$T/no-such-plugin.so" "$T/gold.csv"
        expect_error_prefix "errors: $_cmd: a plugin path that does not exist names it" 2 \
            "whatmatters: $_cmd: " "$T/no-such-plugin.so"

        run 'ord\n' $_cmd --lang sv --combine median "$T/gold.csv"
        expect_error "errors: $_cmd: a bad --combine value" 2 \
            "whatmatters: $_cmd: bad --combine value 'median' (expected max or mean)"

        run 'ord\n' $_cmd --lang sv --options x "$T/gold.csv"
        expect_error "errors: $_cmd: --options without a --plugin before it" 2 \
            "whatmatters: $_cmd: option '--options' must follow the '--plugin' it is for"

        run 'ord\n' $_cmd --lang sv --plugin lexicon --options x --options y "$T/gold.csv"
        expect_error "errors: $_cmd: two --options for one plugin" 2 \
            "whatmatters: $_cmd: two '--options' for plugin 'lexicon' (give them in one string)"

        run 'ord\n' $_cmd --lang sv --taxonomy "$T/no-such-taxonomy.txt" "$T/gold.csv"
        expect_error_prefix "errors: $_cmd: a taxonomy file that does not exist names it" 2 \
            "whatmatters: $_cmd: " "$T/no-such-taxonomy.txt"

        run 'ord\n' $_cmd --lang sv --data "$T/no-such-folder" "$T/gold.csv"
        expect_error "errors: $_cmd: a data folder that does not exist" 2 \
            "whatmatters: $_cmd: cannot read data folder '$T/no-such-folder': No such file or directory"
    done

    run '' eval --lang sv
    expect_error "errors: eval: no gold file" 2 \
        "whatmatters: eval: missing GOLD.csv (the gold corpus to evaluate on)"

    run '' eval --lang sv "$T/no-such-gold.csv"
    expect_error "errors: eval: a missing gold file" 2 \
        "whatmatters: eval: cannot open '$T/no-such-gold.csv': No such file or directory"

    run '' eval --lang sv --json=yes "$T/no-such-gold.csv"
    expect_error "errors: eval: a value for --json" 2 \
        "whatmatters: eval: option '--json' takes no value"

    run 'ord\n' tokenize --lang sv --all=yes
    expect_error "errors: tokenize: a value for a flag" 2 \
        "whatmatters: tokenize: option '--all' takes no value"

    run 'ord\n' stem --lang sv --all
    expect_error "errors: stem: another subcommand's option" 2 \
        "whatmatters: stem: unknown option '--all' (try 'whatmatters help stem')"

    run '' help frobnicate
    expect_error "errors: help for an unknown subcommand" 2 \
        "whatmatters: help: unknown subcommand 'frobnicate' (try 'whatmatters --help')"

    run 'ok\377ok' tokenize --lang sv --strict
    expect_error_prefix "errors: tokenize --strict fails on invalid UTF-8" 1 \
        "whatmatters: tokenize: "

    run 'ok\n\377\nok\n' stem --lang sv
    expect_error_prefix "errors: stem: an invalid word fails with its line number" 1 \
        "whatmatters: stem: line 2: "
    printf 'ok\n' > "$T/want"
    if cmp -s "$T/want" "$T/out"; then pass; else
        fail "errors: stem: the stems before the failing line are printed"; fi
}

# --- help and version -----------------------------------------------------------

# check_example CMD: runs each example at the end of CMD's help ("  $ cmd"
# followed by its output, indented two spaces, up to the next "  $ " or an
# empty line) and compares the output. An example without shown output is
# not run.
check_example() {
    sed -n '/^Examples\{0,1\}:$/,$p' "$T/help" > "$T/examples"
    _n=$(grep -c '^  \$ ' "$T/examples")
    _i=0
    while [ "$_i" -lt "$_n" ]; do
        _i=$((_i + 1))
        awk -v want="$_i" -v cmd="$T/example-cmd" -v out="$T/example-want" '
            BEGIN { printf "" > cmd; printf "" > out }
            /^  \$ / { k++; if (k == want) { print substr($0, 5) > cmd; on = 1; next } }
            /^  \$ / || /^$/ { on = 0 }
            on { print substr($0, 3) > out }' "$T/examples"
        _cmdline=$(cat "$T/example-cmd")
        if [ -z "$_cmdline" ] || [ ! -s "$T/example-want" ]; then
            continue # an example without shown output
        fi
        # shellcheck disable=SC2016 # "$BIN" is expanded by the eval below
        _cmdline=$(printf '%s\n' "$_cmdline" | sed 's/whatmatters /"$BIN" /g')
        eval "$_cmdline" > "$T/example-got" 2> "$T/err" < /dev/null
        status=$?
        if [ "$status" -eq 0 ] && cmp -s "$T/example-want" "$T/example-got"; then
            pass
        else
            fail "help: example $_i in '$1 --help' gives the output it shows" \
                "$(diff "$T/example-want" "$T/example-got" | head -n 8 | tr '\n' '|')"
        fi
    done
}

group_help() {
    for _opt in --help -h; do
        run '' $_opt
        if [ "$status" -eq 0 ] && [ ! -s "$T/err" ] \
           && grep -q '^Usage: whatmatters ' "$T/out" \
           && grep -q '^  stem  ' "$T/out" && grep -q '^  tokenize  ' "$T/out" \
           && grep -q '^  classify  ' "$T/out" && grep -q '^  eval  ' "$T/out"
        then
            pass
        else
            fail "help: '$_opt' shows the usage and lists every command"
        fi
    done
    cp "$T/out" "$T/usage"
    run '' help
    if [ "$status" -eq 0 ] && cmp -s "$T/usage" "$T/out"; then pass; else
        fail "help: 'help' without a command shows the usage"; fi

    _version=$(sed -n 's/^#define WM_VERSION "\(.*\)"$/\1/p' \
        "$SRC/engine/include/whatmatters.h")
    run '' --version
    expect_out "help: --version prints the library's version" \
        "whatmatters $_version\n"

    for _cmd in stem tokenize classify eval help; do
        run '' $_cmd --help
        if [ "$status" -eq 0 ] && [ ! -s "$T/err" ] \
           && head -n 1 "$T/out" | grep -q "^Usage: whatmatters $_cmd " \
           && grep -q '^Options:' "$T/out" && grep -q '^Examples\{0,1\}:$' "$T/out"
        then
            pass
        else
            fail "help: '$_cmd --help' shows usage, options and an example"
        fi
        cp "$T/out" "$T/help"

        run '' $_cmd -h
        if [ "$status" -eq 0 ] && cmp -s "$T/help" "$T/out"; then pass; else
            fail "help: '$_cmd -h' is '$_cmd --help'"; fi

        run '' help $_cmd
        if [ "$status" -eq 0 ] && cmp -s "$T/help" "$T/out"; then pass; else
            fail "help: 'help $_cmd' is '$_cmd --help'"; fi

        check_example $_cmd
    done

    run '' stem --lang xx --help
    expect_status "help: --help wins over a bad language given before it" 0
}

# --- main -----------------------------------------------------------------------

if [ ! -x "$BIN" ]; then
    echo "$0: no program at '$BIN'" >&2
    exit 2
fi
status=0
for _group in $GROUPS_WANTED; do
    case $_group in
        stem|tokenize|negation|lexicons|data|classify|batch|eval|csv|errors|help)
            "group_$_group" ;;
        *) echo "$0: unknown group '$_group'" >&2; exit 2 ;;
    esac
done
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
