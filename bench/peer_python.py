#!/usr/bin/env python3
"""peer_python.py -- the whatmatters hot path written as a competent Python
user would write it, as the peer the C library is measured against.

For each answer (one per line of the corpus):

  1. tokenise with one regular expression (WORD_RE below);
  2. normalise each token: unicodedata.normalize('NFC', w).casefold();
  3. stem it with PyStemmer (Debian package python3-stemmer, module Stemmer),
     Stemmer.Stemmer(<snowball name>).stemWord;

and keep the list of stems of the answer. Steps 2 and 3 go through a dict
from surface form to stem, because that is what a competent Python user
writes (and it is what whatmatters does too: its analyzer caches every
distinct surface form with its normal form and stem). --no-cache measures
the pipeline without it; --spans uses re.finditer and keeps (start, end,
stem), instead of re.findall. --pipeline is the same pipeline as
wm_analyze: per token its offsets, normal form, stem and flags (stopword,
negator, negated, sentence start) from the same word lists, with negation
scopes to the end of the clause; it is the peer the target is measured
against, and the default (stems only) is reported beside it.

The regular expression
----------------------
    \\w+(?:(?:['\u2019.:]|(?<=\\d)[,;](?=\\d))\\w+)*

is UAX #29 word segmentation as far as this corpus needs it: a run of
letters, digits and '_' (Python's \\w: ALetter, Numeric, ExtendNumLet), held
together across one apostrophe, right single quotation mark, full stop or
colon (MidLetter / MidNumLet: "don't", "t.ex", "S:t") and, between digits,
across a comma or semicolon (MidNum: "3,5"). Like UAX #29 with whatmatters'
default flags, it drops spaces and punctuation. Unlike whatmatters it also
drops emoji and other symbols (whatmatters emits them as WM_TOK_SYMBOL
tokens), so the token count to compare is whatmatters' words + numbers. Its
differences from UAX #29 (a full stop between a digit and a letter joins
here, combining marks after a letter split here, no Katakana or
Hebrew-letter rules) do not arise in the generated corpus, which is NFC.

Timing: the corpus is read and decoded to str, and split into lines, before
the clock starts (the C benchmark indexes its lines outside the timing too).
Each timed pass starts with a fresh Stemmer and an empty dict; one warm-up
pass comes first; the best of --repeat passes (time.perf_counter) counts.

Usage: peer_python.py [--lang sv] [--repeat 3] [--json] [--no-cache]
                      [--spans] [--pipeline] [--dump FILE] [--dump-lines N] CORPUS
"""
import argparse
import json
import platform
import re
import sys
import time
import unicodedata

try:
    import Stemmer
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("peer_python.py: the module Stemmer is missing; "
                     "apt-get install python3-stemmer (and run Debian's "
                     "/usr/bin/python3)\n")
    sys.exit(3)

WORD_RE = re.compile(r"\w+(?:(?:['\u2019.:]|(?<=\d)[,;](?=\d))\w+)*")

SNOWBALL = {"sv": "swedish", "nb": "norwegian", "no": "norwegian",
            "nn": "norwegian", "da": "danish", "en": "english"}


def pass_cached(lines, algorithm):
    """The idiomatic pipeline: findall, and a dict from surface form to stem.
    Returns (tokens, distinct surface forms, stemmer calls)."""
    stem = Stemmer.Stemmer(algorithm).stemWord
    normalize = unicodedata.normalize
    findall = WORD_RE.findall
    cache = {}
    tokens = 0
    stems = 0
    for line in lines:
        out = []
        for w in findall(line):
            s = cache.get(w)
            if s is None:
                s = cache[w] = stem(normalize("NFC", w).casefold())
                stems += 1
            out.append(s)
        tokens += len(out)
    return tokens, len(cache), stems


def pass_spans(lines, algorithm):
    """As pass_cached, but with finditer and (start, end, stem) tuples, the
    shape of what wm_analyze returns."""
    stem = Stemmer.Stemmer(algorithm).stemWord
    normalize = unicodedata.normalize
    finditer = WORD_RE.finditer
    cache = {}
    tokens = 0
    stems = 0
    for line in lines:
        out = []
        for m in finditer(line):
            w = m.group()
            s = cache.get(w)
            if s is None:
                s = cache[w] = stem(normalize("NFC", w).casefold())
                stems += 1
            out.append((m.start(), m.end(), s))
        tokens += len(out)
    return tokens, len(cache), stems


# The separators that end a sentence or a clause, as whatmatters reads them
# (analyze.c: break_of): . ! ? and the ellipsis and line breaks end a
# sentence; , ; : brackets, quotes, dashes and a free-standing hyphen end a
# clause.
PIPE_RE = re.compile(
    r"(\w+(?:(?:['\u2019.:]|(?<=\d)[,;](?=\d))\w+)*)"   # 1: a word
    r"|([.!?\u2026\n]+)"                                   # 2: sentence end
    r"|([,;:()\[\]{}\"\u2013\u2014\u201c\u201d\u00ab\u00bb]|(?<=\s)-)")  # 3: clause end


def load_lists(lang):
    """The same word lists whatmatters compiles in: lexicons/LANG/*.txt."""
    import os
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lexicons", lang)
    def words(name):
        out, section = {}, "stop"
        with open(os.path.join(root, name), encoding="utf-8-sig") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if line.startswith("["):
                    section = line[1:-1]
                    continue
                out.setdefault(section, set()).add(
                    unicodedata.normalize("NFC", line).casefold())
        return out
    stop = words("stopwords.txt").get("stop", set())
    neg = words("negation.txt")
    negators = neg.get("negators", set())
    suffixes = tuple(w[1:] for w in negators if w.startswith("*"))
    return stop, negators - {w for w in negators if w.startswith("*")}, \
        suffixes, neg.get("clause_breaks", set())


def pass_pipeline(lines, algorithm, lang="sv"):
    """The same pipeline as wm_analyze: for every token its offsets, normal
    form, stem and flags (stopword, negator, negated, sentence start), with
    negation scopes that run to the end of the clause. A dict caches, per
    surface form, the normal form, stem and word-list bits, as whatmatters'
    analyzer does."""
    stop, negators, suffixes, breaks = load_lists(lang)
    stem = Stemmer.Stemmer(algorithm).stemWord
    normalize = unicodedata.normalize
    finditer = PIPE_RE.finditer
    cache = {}
    tokens = 0
    stems = 0
    for line in lines:
        out = []
        sent = clause = True
        negating = False
        for m in finditer(line):
            w = m.group(1)
            if w is None:
                if m.group(2) is not None:
                    sent = True
                clause, negating = True, False
                continue
            e = cache.get(w)
            if e is None:
                norm = normalize("NFC", w).casefold()
                e = cache[w] = (norm, stem(norm), norm in stop,
                                norm in negators or norm.endswith(suffixes),
                                norm in breaks)
                stems += 1
            norm, st, is_stop, is_neg, is_break = e
            if is_break:
                clause, negating = True, False
            flags = ("stop",) if is_stop else ()
            if sent:
                flags += ("sent",)
                sent = False
            if negating:
                flags += ("negated",)
            if is_neg:
                flags += ("negator",)
                negating = True
            out.append((m.start(), m.end(), norm, st, flags))
        tokens += len(out)
    return tokens, len(cache), stems


def pass_uncached(lines, algorithm):
    """The pipeline without a cache of our own (PyStemmer still keeps its
    internal cache of 10000 entries)."""
    stem = Stemmer.Stemmer(algorithm).stemWord
    normalize = unicodedata.normalize
    findall = WORD_RE.findall
    tokens = 0
    stems = 0
    for line in lines:
        out = [stem(normalize("NFC", w).casefold()) for w in findall(line)]
        tokens += len(out)
        stems += len(out)
    return tokens, 0, stems


def pystemmer_version():
    """PyStemmer's version from its package metadata, or "?"."""
    try:
        import importlib.metadata
        return importlib.metadata.version("PyStemmer")
    except Exception:  # metadata missing: not worth failing for
        return "?"


def dump(lines, algorithm, path, max_lines):
    """Writes the stems of the first max_lines answers, one answer a line."""
    stem = Stemmer.Stemmer(algorithm).stemWord
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines[:max_lines]:
            f.write(" ".join(stem(unicodedata.normalize("NFC", w).casefold())
                             for w in WORD_RE.findall(line)))
            f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--lang", default="sv", choices=sorted(SNOWBALL))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--spans", action="store_true")
    ap.add_argument("--pipeline", action="store_true")
    ap.add_argument("--dump")
    ap.add_argument("--dump-lines", type=int, default=2000)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    algorithm = SNOWBALL[args.lang]
    with open(args.corpus, "rb") as f:
        data = f.read()
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    if args.pipeline:
        def run(lines_, algorithm_):
            return pass_pipeline(lines_, algorithm_, args.lang)
        variant = "same pipeline: offsets, norm, stem, flags, negation"
    elif args.no_cache:
        run, variant = pass_uncached, "findall, no cache"
    elif args.spans:
        run, variant = pass_spans, "finditer spans, dict cache"
    else:
        run, variant = pass_cached, "findall, dict cache"

    run(lines, algorithm)  # warm-up
    best = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        tokens, distinct, stems = run(lines, algorithm)
        secs = time.perf_counter() - t0
        if best is None or secs < best:
            best = secs
    if args.dump:
        dump(lines, algorithm, args.dump, args.dump_lines)

    secs = max(best, 1e-9)
    mb = len(data) / 1e6
    res = {
        "tool": "python",
        "variant": variant,
        "version": "Python %s, PyStemmer %s" % (
            platform.python_version(), pystemmer_version()),
        "lang": args.lang,
        "bytes": len(data),
        "answers": len(lines),
        "repeat": args.repeat,
        "seconds": round(best, 6),
        "mb_s": round(mb / secs, 3),
        "answers_s": round(len(lines) / secs, 1),
        "tokens_s": round(tokens / secs, 1),
        "ns_token": round(secs * 1e9 / tokens, 2) if tokens else 0.0,
        "tokens": tokens,
        "tokens_word_number": tokens,
        "cache_size": distinct,
        "stems": stems,
    }
    if args.json:
        print(json.dumps(res))
    else:
        print("python (%s), lang %s, %d bytes, %d answers, best of %d"
              % (variant, args.lang, len(data), len(lines), args.repeat))
        print("  time        %.3f s" % best)
        print("  throughput  %.2f MB/s, %.0f answers/s, %.0f tokens/s, "
              "%.1f ns/token" % (res["mb_s"], res["answers_s"],
                                 res["tokens_s"], res["ns_token"]))
        print("  tokens      %d, %d distinct surface forms, %d stemmer calls"
              % (tokens, distinct, stems))


if __name__ == "__main__":
    main()
