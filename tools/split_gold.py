#!/usr/bin/env python3
"""split_gold.py — checks labelled answers and writes the fixed dev/test split.

Usage: tools/split_gold.py LANG FILE.csv [FILE.csv ...]

Reads CSV files with the header id,text,areas (corpora/README.md), checks every
row (unique ids, non-empty text, area ids known to lexicons/taxonomy.txt, no
duplicate texts; a row repeated exactly, as when the tool is run again over
its own output plus the same new file, is taken once), and writes corpora/gold/LANG/dev.csv and test.csv: an answer is
in test.csv when the first byte of the SHA-256 of its UTF-8 text is even.
Areas are written in taxonomy order. Prints the counts per area in each part.
"""
import csv
import hashlib
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def taxonomy_ids():
    ids = []
    with open(os.path.join(ROOT, "lexicons", "taxonomy.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("[") and line.endswith("]"):
                ids.append(line[1:-1])
    return ids


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    lang, files = argv[1], argv[2:]
    ids = taxonomy_ids()
    order = {a: i for i, a in enumerate(ids)}
    rows, seen_ids, seen_texts, seen_rows, errors = [], set(), set(), set(), []
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != ["id", "text", "areas"]:
                sys.exit(f"{path}: header must be id,text,areas (got {reader.fieldnames})")
            for n, row in enumerate(reader, start=2):
                where = f"{path}:{n}"
                text = row["text"]
                areas = [a for a in row["areas"].split(";") if a]
                for a in areas:
                    if a not in order:
                        errors.append(f"{where}: unknown area '{a}'")
                areas = ";".join(sorted(set(areas), key=order.get))
                key = (row["id"], text, areas)
                if key in seen_rows:
                    continue  # the same row again (a rerun over its own output)
                if row["id"] in seen_ids:
                    errors.append(f"{where}: duplicate id {row['id']}")
                if not text.strip():
                    errors.append(f"{where}: empty text")
                if text in seen_texts:
                    errors.append(f"{where}: duplicate text {text[:40]!r}")
                seen_ids.add(row["id"])
                seen_texts.add(text)
                seen_rows.add(key)
                rows.append(key)
    if errors:
        sys.exit("\n".join(errors))
    out = os.path.join(ROOT, "corpora", "gold", lang)
    os.makedirs(out, exist_ok=True)
    parts = {"dev": [], "test": []}
    for r in rows:
        h = hashlib.sha256(r[1].encode("utf-8")).digest()[0]
        parts["test" if h % 2 == 0 else "dev"].append(r)
    for name, part in parts.items():
        with open(os.path.join(out, f"{name}.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "text", "areas"])
            w.writerows(part)
        counts = {a: 0 for a in ids}
        none = 0
        for r in part:
            if not r[2]:
                none += 1
            for a in r[2].split(";"):
                if a:
                    counts[a] += 1
        print(f"{lang} {name}: {len(part)} answers, none={none}, " +
              ", ".join(f"{a}={c}" for a, c in counts.items()))


if __name__ == "__main__":
    main(sys.argv)
