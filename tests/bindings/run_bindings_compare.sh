#!/usr/bin/env bash
# run_bindings_compare.sh BUILD_DIR SOURCE_DIR PYTHON3 RSCRIPT — issue 10's
# "done when": installs the build into a temporary prefix, then codes the
# bundled sample answers (corpora/sample/answers_{sv,nb,en}.txt) four ways,
# each from the prefix:
#   cli     the installed whatmatters classify --format jsonl (the reference)
#   c       engine/examples/classify_lines.c, built with pkg-config
#   python  the package in python/, loading the installed library by the
#           dynamic loader's path (LD_LIBRARY_PATH), with classify_many
#   r       the package in r/whatmatters, installed with R CMD INSTALL
#           against the prefix (pkg-config), through .Call
# and checks that all four give the same areas for every answer, line by
# line, and that the reference is not trivially empty. Then once more with
# other options (--plugin pattern --plugin lexicon --combine mean) for the
# CLI, Python and R, so that options are seen to reach the engine. Each way
# prints one line an answer: the assigned area ids in taxonomy order,
# joined by ",".
set -u
build="$1" src="$2" py="$3" rscript="$4"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what" >&2; fi
}

cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAIL: cmake --install" >&2; exit 1; }
lib=$(ls "$prefix"/lib*/libwhatmatters.so.0 2>/dev/null | head -n 1)
libdir=$(dirname "${lib:-$prefix/lib/x}")
export PKG_CONFIG_PATH="$libdir/pkgconfig"

# The C example, as its comment says to build it, with warnings as errors.
cc -std=c11 -Wall -Wextra -Werror -o "$work/classify_lines" \
    "$src/engine/examples/classify_lines.c" $(pkg-config --cflags --libs whatmatters)
check "C example builds against the installed library" test -x "$work/classify_lines"

# The R package, from a copy (R CMD INSTALL compiles in the source folder).
have_r=0
if [ ! -x "$rscript" ] && ! command -v "$rscript" >/dev/null; then
    echo "FAIL: no Rscript: apt-get install r-base-core" >&2
    fail=$((fail + 1))
else
    cp -r "$src/r/whatmatters" "$work/rpkg"
    mkdir -p "$prefix/R"
    if "$(dirname "$(command -v "$rscript")")/R" CMD INSTALL --no-docs \
           --library="$prefix/R" "$work/rpkg" >"$work/r-install.log" 2>&1; then
        have_r=1
    else
        cat "$work/r-install.log" >&2
    fi
    check "R package installs against the installed library" test "$have_r" -eq 1
fi

# cli OUT ARGS...: the installed CLI's areas, one line an answer.
cli() {
    local out="$1"; shift
    LD_LIBRARY_PATH="$libdir" "$prefix/bin/whatmatters" classify --format jsonl \
        --quiet "$@" 2>"$work/cli.err" |
        "$py" -c 'import json, sys
for line in sys.stdin:
    rec = json.loads(line)
    if "whatmatters_meta" not in rec:
        print(",".join(rec["areas"]))' >"$out"
}

# Each language twice: with the defaults (every way), and with plugins in
# another order combined by the mean (Python and R, whose options must
# reach the engine: this codes many sample answers otherwise).
for lang in sv nb en; do
    answers="$src/corpora/sample/answers_$lang.txt"
    n=$(wc -l <"$answers")

    cli "$work/cli.$lang" --lang "$lang" "$answers"
    cli "$work/cli-mean.$lang" --plugin pattern --plugin lexicon --combine mean \
        --lang "$lang" "$answers"

    LD_LIBRARY_PATH="$libdir" "$work/classify_lines" "$lang" "$answers" >"$work/c.$lang"

    env -u WHATMATTERS_LIB LD_LIBRARY_PATH="$libdir" PYTHONPATH="$src/python" "$py" -c '
import sys, whatmatters
lang, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    answers = f.read().split("\n")[:-1]
with whatmatters.Engine(lang=lang) as engine:
    for r in engine.classify_many(answers, threads=2):
        print(",".join(r.areas))
with whatmatters.Engine(lang=lang, plugins=["pattern", "lexicon"],
                        combine="mean") as engine, \
     open(sys.argv[3], "w", encoding="utf-8") as out:
    for a in answers:
        print(",".join(engine.classify(a).areas), file=out)
' "$lang" "$answers" "$work/python-mean.$lang" >"$work/python.$lang"

    if [ "$have_r" -eq 1 ]; then
        "$rscript" -e '
args <- commandArgs(trailingOnly = TRUE)
library(whatmatters, lib.loc = args[3])
e <- wm_engine(lang = args[1])
answers <- readLines(args[2], encoding = "UTF-8")
writeLines(wm_classify(e, answers)$areas)
wm_close(e)
e <- wm_engine(lang = args[1], plugins = c("pattern", "lexicon"), combine = "mean")
writeLines(wm_classify(e, answers)$areas, args[4])' \
            "$lang" "$answers" "$prefix/R" "$work/r-mean.$lang" >"$work/r.$lang"
    fi

    coded=$(grep -c . "$work/cli.$lang")
    check "$lang: the CLI codes $n answers (got $(wc -l <"$work/cli.$lang"))" \
        test "$(wc -l <"$work/cli.$lang")" -eq "$n"
    check "$lang: the CLI assigns areas to most answers ($coded of $n)" \
        test "$coded" -ge $((n / 2))
    ways="c python python-mean"
    [ "$have_r" -eq 1 ] && ways="$ways r r-mean"
    for way in $ways; do
        ref=cli
        case "$way" in *-mean) ref=cli-mean ;; esac
        if cmp -s "$work/$ref.$lang" "$work/$way.$lang"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL: $lang: $way gives other areas than the CLI (< $ref, > $way):" >&2
            diff "$work/$ref.$lang" "$work/$way.$lang" | head -n 20 >&2
        fi
    done
    check "$lang: the mean of pattern and lexicon codes otherwise than the default" \
        sh -c "! cmp -s '$work/cli.$lang' '$work/cli-mean.$lang'"
    echo "$lang: $n answers, $coded with areas; the same as the CLI: $ways"
done

# The C example's evidence spans cut the answer's own bytes.
got=$(printf 'Jag vill inte bli bollad mellan psykiatrin och beroendevården.\n' |
      LD_LIBRARY_PATH="$libdir" "$work/classify_lines" -v sv | grep -c '"bollad" rule')
check "C example -v prints evidence spans" test "$got" -ge 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
