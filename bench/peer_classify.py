#!/usr/bin/env python3
"""peer_classify.py -- `whatmatters classify --plugin lexicon` as a competent
Python user would write it: the peer of bench/perf.sh's end-to-end run.

End to end, like the CLI: read the file (one answer a line), tokenise each
answer with `re` (the WORD_RE of peer_python.py), normalise each token
(unicodedata NFC + casefold) and stem it with PyStemmer through a dict from
surface form to (normal form, stem), look the token up in dicts built from
the SAME lexicon file (lexicons/<lang>/areas.txt), score each area as the
plugin does, S / (S + T) with S the summed weights of the distinct entries
that matched and T the area's threshold, and write one JSON line per answer.

The record (--record):
  full   (the default) the record whatmatters writes, byte for byte where
         the subset below decides alike: {"id":n,"keep":{},"text":..,
         "lang":..,"status":"ok","message":"","areas":[..],"scores":{every
         area},"evidence":[{"area","start","end","text","rule","plugin",
         "negated"}]}, one evidence item per matched token and entry (by
         area, then words, exact forms, prefixes, suffixes), byte offsets,
         and "negated" by the analyzer's rule (from a negator of
         lexicons/<lang>/negation.txt to the end of its clause: the PIPE_RE
         and word lists of peer_python.py). This is the issue's "same
         output", and the peer perf.sh's target is measured against.
  brief  {"id": n, "areas": [...], "scores": {the areas that scored}}: a
         third of the bytes and no evidence; reported beside it, as the
         ratio against a peer that does less than whatmatters does.

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
Lines output) counts how many answers get the same area set, and with
--record full how many records are the same byte for byte.

Timing: the whole run (reading and decoding the file, classifying, writing
to --output, default /dev/null) after the lexicon is loaded, the best of
--repeat runs (time.perf_counter); the lexicon load is timed apart as its
start-up.

Usage: peer_classify.py --lexicon lexicons/sv/areas.txt [--lang sv]
                        [--repeat 3] [--record full|brief] [--output FILE]
                        [--compare FILE] [--json] CORPUS
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
from peer_python import PIPE_RE, load_lists  # noqa: E402 (the same word lists and clause rule)
SNOWBALL = {"sv": "swedish", "nb": "norwegian", "nn": "norwegian",
            "da": "danish", "en": "english"}


def norm(w):
    return unicodedata.normalize("NFC", w).casefold()


def load_lexicon(path, stemmer):
    """The dicts of the subset above: key -> {entry: (area, weight)}."""
    words, exacts, prefixes, suffixes = {}, {}, {}, {}
    areas, thresholds, rules = [], {}, {}
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
            rules.setdefault(entry, (len(rules), line))
    for a in areas:
        thresholds.setdefault(a, default_t)
    return words, exacts, prefixes, suffixes, areas, thresholds, skipped, rules


def make_lookup(lex, stemmer):
    """A function from a surface form to (its normal form, its hits): the
    (entry, weight) pairs of the entries it matches, words by stem, then
    exact forms, prefixes and suffixes. Called once per distinct form (the
    callers keep a dict of its answers)."""
    words, exacts, prefixes, suffixes = lex[:4]
    max_pre = max((len(k) for k in prefixes), default=0)
    max_suf = max((len(k) for k in suffixes), default=0)

    def lookup(w):
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
        return nf, hits
    return lookup


def classify_file(path, out_path, lex, stemmer):
    areas, thresholds = lex[4], lex[5]
    lookup = make_lookup(lex, stemmer)
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
                    hits = cache[w] = lookup(w)[1]
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


def score_text(s):
    """A score as whatmatters writes it: at most four decimals, no trailing
    zeros, 0 and 1 as integers."""
    s = round(s, 4)
    return "%d" % s if s == int(s) else ("%.4f" % s).rstrip("0")


def classify_file_full(path, out_path, lex, stemmer, lang):
    """As classify_file, but writing the record whatmatters writes (its JSON
    Lines, --plugin lexicon): the text, every area's score, and the evidence,
    one item per matched token and entry, with the token's byte offsets and
    whether it stands in a negator's scope (the analyzer's rule: from a
    negator to the end of its clause)."""
    areas, thresholds, rules = lex[4], lex[5], lex[7]
    lookup = make_lookup(lex, stemmer)
    _, negators, neg_suffixes, breaks = load_lists(lang)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    finditer = PIPE_RE.finditer
    area_rank = {a: i for i, a in enumerate(areas)}
    head = ',"keep":{},"text":'
    tail = ',"lang":"%s","status":"ok","message":"",' % lang
    zeros = ['"%s":0' % a for a in areas]
    nothing = '"areas":[],"scores":{%s},"evidence":[]}' % ",".join(zeros)
    cache = {}
    n = 0
    with open(path, encoding="utf-8", errors="surrogateescape") as f, \
            open(out_path, "w", encoding="utf-8") as out:
        for line in f:
            n += 1
            text = line.rstrip("\n")
            matched = {}
            evidence = []
            negating = False
            ascii_line = None
            for m in finditer(text):
                w = m.group(1)
                if w is None:
                    negating = False
                    continue
                e = cache.get(w)
                if e is None:
                    nf, hits = lookup(w)
                    # one item a token and entry (a suffix can match both
                    # the normal form and the stem), in the plugin's order:
                    # by area, then words, exact forms, prefixes, suffixes
                    hits = sorted(dict(hits).items(), key=lambda h: area_rank[h[0][4]])
                    # each item's text around its offsets and negation, made
                    # once per form
                    hits = [(entry, weight, '{"area":%s,"start":' % dumps(entry[4]),
                             ',"text":%s,"rule":%s,"plugin":"lexicon","negated":'
                             % (dumps(w), dumps(rules[entry][1])))
                            for entry, weight in hits]
                    e = cache[w] = (hits, nf in negators or nf.endswith(neg_suffixes),
                                    nf in breaks, len(w.encode("utf-8", "surrogateescape")))
                hits, is_neg, is_break, nbytes = e
                if is_break:
                    negating = False
                if hits:
                    start = m.start()
                    if ascii_line is None:
                        ascii_line = text.isascii()
                    if not ascii_line:
                        start = len(text[:start].encode("utf-8", "surrogateescape"))
                    neg = "true}" if negating else "false}"
                    for entry, weight, before, after in hits:
                        matched[entry] = weight
                        evidence.append('%s%d,"end":%d%s%s' % (before, start, start + nbytes,
                                                               after, neg))
                if is_neg:
                    negating = True
            if matched:
                sums = {}
                for (_, _, _, _, area), weight in matched.items():
                    sums[area] = sums.get(area, 0.0) + weight
                parts = zeros[:]
                labels = []
                for a, s in sums.items():
                    s /= s + thresholds[a]
                    parts[area_rank[a]] = '"%s":%s' % (a, score_text(s))
                    if s >= 0.5:
                        labels.append(a)
                labels.sort(key=area_rank.get)
                out.write('{"id":%d%s%s%s"areas":[%s],"scores":{%s},"evidence":[%s]}\n' % (
                    n, head, dumps(text), tail, ",".join('"%s"' % a for a in labels),
                    ",".join(parts), ",".join(evidence)))
            else:
                out.write('{"id":%d%s%s%s%s\n' % (n, head, dumps(text), tail, nothing))
    return n


def compare(mine_path, theirs_path):
    """(answers with the same area set, records byte for byte the same,
    answers) in both outputs (theirs: whatmatters' JSON Lines, its
    metadata line first)."""
    areas = records = total = 0
    with open(mine_path, encoding="utf-8") as a, open(theirs_path, encoding="utf-8") as b:
        for la, lb in zip(a, (x for x in b if '"whatmatters_meta"' not in x)):
            total += 1
            records += la == lb
            areas += set(json.loads(la)["areas"]) == set(json.loads(lb)["areas"])
    return areas, records, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--lexicon", required=True)
    ap.add_argument("--lang", default="sv")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--output", default="/dev/null")
    ap.add_argument("--compare")
    ap.add_argument("--record", choices=("full", "brief"), default="full")
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
        if args.record == "full":
            n = classify_file_full(args.corpus, args.output, lex, stemmer, args.lang)
        else:
            n = classify_file(args.corpus, args.output, lex, stemmer)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    with open(args.corpus, "rb") as f:
        size = f.seek(0, 2)
    res = {"program": "peer_classify.py", "record": args.record,
           "python": sys.version.split()[0],
           "bytes": size, "answers": n, "seconds": best,
           "mb_s": size / best / 1e6, "answers_s": n / best,
           "startup_ms": load * 1e3, "entries_skipped": lex[6]}
    if args.compare:
        same, records, total = compare(args.output, args.compare)
        res["same_areas"] = same
        res["compared"] = total
        if args.record == "full":
            res["same_records"] = records
    if args.json:
        print(json.dumps(res))
    else:
        print("python re+PyStemmer+dict lexicon: %.1f MB/s, %.0f answers/s "
              "(%d entries skipped: phrases, exclusions)" %
              (res["mb_s"], res["answers_s"], res["entries_skipped"]))
        if args.compare:
            print("same area set as whatmatters: %d of %d answers (%.2f%%)" %
                  (same, total, 100.0 * same / max(total, 1)))
            if "same_records" in res:
                print("same record, byte for byte: %d of %d answers (%.2f%%)" %
                      (res["same_records"], total, 100.0 * res["same_records"] / max(total, 1)))


if __name__ == "__main__":
    main()
