#!/usr/bin/env python3
"""peer_classify.py -- `whatmatters classify --plugin lexicon` as a competent
Python user would write it: the peer of bench/perf.sh's end-to-end run.

End to end, like the CLI: read the file (one answer a line), tokenise each
answer with `re` (the WORD_RE of peer_python.py), normalise each token
(unicodedata NFC + casefold) and stem it with PyStemmer through a dict from
surface form to (normal form, stem), look the token up in dicts built from
the SAME lexicon file (lexicons/<lang>/areas.txt), score each area as the
plugin does, S / (S + T) with S the summed weights of the distinct entries
that matched and T the area's threshold, and write one JSON line per answer:
{"id": n, "areas": [...], "scores": {...}}.

The subset of the lexicon it implements (what a dict lookup can do):
  - single words, matched by stem (the entry's word stemmed with PyStemmer);
  - exact forms ("word"), matched by normal form;
  - prefix wildcards (pre*), matched on the normal form: every prefix of
    the token's normal form is looked up in a dict of keys (a trie would be
    no faster in Python);
  - suffix wildcards (*suf), matched on the normal form or the stem;
  - weights (= W), @threshold (default and per area), an entry repeated in
    an area counting once (the higher weight).
Not implemented: phrases and gaps (entries of more than one element), and
exclusions (!entry). So its area sets differ from whatmatters' on answers
where a phrase or an exclusion decides; --compare FILE (whatmatters' JSON
Lines output) counts how many answers get the same area set.

Timing: the whole run (reading and decoding the file, classifying, writing
to --output, default /dev/null) after the lexicon is loaded, the best of
--repeat runs (time.perf_counter); the lexicon load is timed apart as its
start-up.

Usage: peer_classify.py --lexicon lexicons/sv/areas.txt [--lang sv]
                        [--repeat 3] [--output FILE] [--compare FILE]
                        [--json] CORPUS
"""
import argparse
import json
import re
import sys
import time
import unicodedata

try:
    import Stemmer
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("peer_classify.py: the module Stemmer is missing; "
                     "apt-get install python3-stemmer\n")
    sys.exit(1)

WORD_RE = re.compile(r"\w+(?:(?:['\u2019.:]|(?<=\d)[,;](?=\d))\w+)*")
SNOWBALL = {"sv": "swedish", "nb": "norwegian", "nn": "norwegian",
            "da": "danish", "en": "english"}


def norm(w):
    return unicodedata.normalize("NFC", w).casefold()


def load_lexicon(path, stemmer):
    """The dicts of the subset above: key -> {entry: (area, weight)}."""
    words, exacts, prefixes, suffixes = {}, {}, {}, {}
    areas, thresholds = [], {}
    default_t, area = 1.0, None
    skipped = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("@threshold"):
                t = float(line.split()[1])
                if area is None:
                    default_t = t
                else:
                    thresholds[area] = t
                continue
            if line.startswith("["):
                area = line.strip("[]").strip()
                areas.append(area)
                continue
            weight = 1.0
            if "=" in line:
                line, w = line.rsplit("=", 1)
                line, weight = line.strip(), float(w)
            if line.startswith("!") or len(line.split()) != 1:
                skipped += 1
                continue
            if line.startswith('"') and line.endswith('"'):
                table, key = exacts, norm(line[1:-1])
            elif line.endswith("*"):
                table, key = prefixes, norm(line[:-1])
            elif line.startswith("*"):
                table, key = suffixes, norm(line[1:])
            else:
                table, key = words, stemmer.stemWord(norm(line))
            entry = (table is words, table is exacts, table is prefixes, key, area)
            slot = table.setdefault(key, {})
            slot[entry] = max(weight, slot.get(entry, 0.0))
    for a in areas:
        thresholds.setdefault(a, default_t)
    return words, exacts, prefixes, suffixes, areas, thresholds, skipped


def classify_file(path, out_path, lex, stemmer):
    words, exacts, prefixes, suffixes, areas, thresholds, _ = lex
    max_pre = max((len(k) for k in prefixes), default=0)
    max_suf = max((len(k) for k in suffixes), default=0)
    cache = {}
    n = 0
    with open(path, encoding="utf-8", errors="surrogateescape") as f, \
            open(out_path, "w", encoding="utf-8") as out:
        for line in f:
            n += 1
            matched = {}
            for w in WORD_RE.findall(line):
                hits = cache.get(w)
                if hits is None:
                    nf = norm(w)
                    st = stemmer.stemWord(nf)
                    hits = []
                    for table, key in ((words, st), (exacts, nf)):
                        e = table.get(key)
                        if e:
                            hits.extend(e.items())
                    for i in range(1, min(len(nf), max_pre) + 1):
                        e = prefixes.get(nf[:i])
                        if e:
                            hits.extend(e.items())
                    for s in (nf, st):
                        for i in range(1, min(len(s), max_suf) + 1):
                            e = suffixes.get(s[-i:])
                            if e:
                                hits.extend(e.items())
                    cache[w] = hits
                for entry, weight in hits:
                    matched[entry] = weight
            sums = {}
            for (_, _, _, _, area), weight in matched.items():
                sums[area] = sums.get(area, 0.0) + weight
            scores = {a: s / (s + thresholds[a]) for a, s in sums.items()}
            out.write(json.dumps({"id": n, "areas": [a for a in areas
                                                     if scores.get(a, 0) >= 0.5],
                                  "scores": {a: round(s, 4) for a, s in scores.items()}},
                                 ensure_ascii=False))
            out.write("\n")
    return n


def compare(mine_path, theirs_path):
    """Answers with the same area set in both outputs (theirs: whatmatters'
    JSON Lines, its metadata line first)."""
    same = total = 0
    with open(mine_path, encoding="utf-8") as a, open(theirs_path, encoding="utf-8") as b:
        for la, lb in zip(a, (x for x in b if '"whatmatters_meta"' not in x)):
            total += 1
            same += set(json.loads(la)["areas"]) == set(json.loads(lb)["areas"])
    return same, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--lexicon", required=True)
    ap.add_argument("--lang", default="sv")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--output", default="/dev/null")
    ap.add_argument("--compare")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    stemmer = Stemmer.Stemmer(SNOWBALL[args.lang])
    t0 = time.perf_counter()
    lex = load_lexicon(args.lexicon, stemmer)
    load = time.perf_counter() - t0
    best = None
    for _ in range(args.repeat):
        stemmer = Stemmer.Stemmer(SNOWBALL[args.lang])
        t0 = time.perf_counter()
        n = classify_file(args.corpus, args.output, lex, stemmer)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    with open(args.corpus, "rb") as f:
        size = f.seek(0, 2)
    res = {"program": "peer_classify.py", "python": sys.version.split()[0],
           "bytes": size, "answers": n, "seconds": best,
           "mb_s": size / best / 1e6, "answers_s": n / best,
           "startup_ms": load * 1e3, "entries_skipped": lex[6]}
    if args.compare:
        same, total = compare(args.output, args.compare)
        res["same_areas"] = same
        res["compared"] = total
    if args.json:
        print(json.dumps(res))
    else:
        print("python re+PyStemmer+dict lexicon: %.1f MB/s, %.0f answers/s "
              "(%d entries skipped: phrases, exclusions)" %
              (res["mb_s"], res["answers_s"], res["entries_skipped"]))
        if args.compare:
            print("same area set as whatmatters: %d of %d answers (%.2f%%)" %
                  (same, total, 100.0 * same / max(total, 1)))


if __name__ == "__main__":
    main()
