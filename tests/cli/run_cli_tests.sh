#!/bin/sh
# run_cli_tests.sh — runs the `whatmatters` command-line tool on real inputs
# and checks its exact output, exit status and error messages.
#
# Usage: run_cli_tests.sh BINARY SOURCE_DIR [GROUP...]
#   BINARY      the built `whatmatters` program
#   SOURCE_DIR  the project's source folder (for lexicons/ and the header)
#   GROUP       stem, tokenize, negation, lexicons, data, errors, help
#               (default: all)
# Environment: WM_TESTDATA, the shared reference data (default
# SOURCE_DIR/../shared/testdata); the Snowball vocabularies under it are
# checked word for word when present.
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
GROUPS_WANTED=${*:-"stem tokenize negation lexicons data errors help"}
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

    for _cmd in stem tokenize; do
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

# check_example CMD: runs the example at the end of CMD's help ("  $ cmd"
# followed by its output, indented two spaces) and compares the output.
check_example() {
    _cmdline=$(sed -n 's/^  \$ //p' "$T/help" | head -n 1)
    sed -n '/^  \$ /,$p' "$T/help" | sed '1d; s/^  //' > "$T/example-want"
    if [ -z "$_cmdline" ] || [ ! -s "$T/example-want" ]; then
        return # an example without shown output
    fi
    # shellcheck disable=SC2016 # "$BIN" is expanded by the eval below
    _cmdline=$(printf '%s\n' "$_cmdline" | sed 's/whatmatters /"$BIN" /g')
    eval "$_cmdline" > "$T/example-got" 2> "$T/err" < /dev/null
    status=$?
    if [ "$status" -eq 0 ] && cmp -s "$T/example-want" "$T/example-got"; then
        pass
    else
        fail "help: the example in '$1 --help' gives the output it shows" \
            "$(diff "$T/example-want" "$T/example-got" | head -n 8 | tr '\n' '|')"
    fi
}

group_help() {
    for _opt in --help -h; do
        run '' $_opt
        if [ "$status" -eq 0 ] && [ ! -s "$T/err" ] \
           && grep -q '^Usage: whatmatters ' "$T/out" \
           && grep -q '^  stem  ' "$T/out" && grep -q '^  tokenize  ' "$T/out"
        then
            pass
        else
            fail "help: '$_opt' shows the usage and lists stem and tokenize"
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

    for _cmd in stem tokenize help; do
        run '' $_cmd --help
        if [ "$status" -eq 0 ] && [ ! -s "$T/err" ] \
           && head -n 1 "$T/out" | grep -q "^Usage: whatmatters $_cmd " \
           && grep -q '^Options:' "$T/out" && grep -q '^Example:' "$T/out"
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
        stem|tokenize|negation|lexicons|data|errors|help) "group_$_group" ;;
        *) echo "$0: unknown group '$_group'" >&2; exit 2 ;;
    esac
done
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
