#!/usr/bin/env python3
"""test_report.py — tests of `whatmatters report`, by running it.

Usage: test_report.py BINARY SOURCE_DIR GROUP...
  GROUP: numbers formats merge html bounds stream errors chromium

The coded inputs are written here, by hand, in the three formats of
docs/batch.md ("Writing"), so that the report is tested apart from the
classify pipeline. Expected numbers are written out literally (counts, and
Wilson bounds checked against a second, independent computation and a few
published values). Python's standard library only: the msgpack files are
made by the small encoder below.

Each check prints a line only when it fails; the last line is
"N passed, N failed" and the exit status is 1 on any failure (77 when the
chromium group is skipped because chromium is missing and not required).
"""

import csv
import html.parser
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# --------------------------------------------------------------------------
# Plumbing
# --------------------------------------------------------------------------

BIN = None
SRC = None
TMP = None
passed = 0
failed = 0


def check(name, ok, detail=""):
    """Records one check; prints only a failure."""
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name}")
        for line in str(detail).splitlines()[:40]:
            print(f"    {line}")


def run(*args, stdin=None):
    """Runs the program; returns (status, stdout bytes, stderr text)."""
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True,
                       timeout=600)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def path(*parts):
    return os.path.join(TMP, *parts)


def read_csv(file):
    with open(file, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# --------------------------------------------------------------------------
# Wilson intervals, computed independently of the program
# --------------------------------------------------------------------------

def wilson(n, total, z=1.959963984540054):
    """The 95% Wilson score interval, as (share, low, high)."""
    if total == 0:
        return (0.0, 0.0, 0.0)
    p = n / total
    d = 1 + z * z / total
    c = p + z * z / (2 * total)
    r = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (p, max(0.0, (c - r) / d), min(1.0, (c + r) / d))


def f4(x):
    return f"{x:.4f}"


# --------------------------------------------------------------------------
# A msgpack encoder (enough for coded files: maps, arrays, strings, ints,
# floats, booleans, nil)
# --------------------------------------------------------------------------

def mp(v):
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if v >= 0:
            return b"\xcf" + struct.pack(">Q", v)
        if v >= -32:
            return struct.pack(">b", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, (str, bytes)):
        b = v.encode("utf-8") if isinstance(v, str) else v
        if len(b) < 32:
            return bytes([0xa0 | len(b)]) + b
        return b"\xdb" + struct.pack(">I", len(b)) + b
    if isinstance(v, list):
        return b"\xdd" + struct.pack(">I", len(v)) + b"".join(mp(x) for x in v)
    if isinstance(v, dict):
        out = b"\xdf" + struct.pack(">I", len(v))
        for k, x in v.items():
            out += mp(k) + mp(x)
        return out
    raise TypeError(type(v))


# --------------------------------------------------------------------------
# The hand-made coded data
# --------------------------------------------------------------------------

AREAS = ["access", "respect", "family"]
NAMES_EN = {"access": "Access", "respect": "Respect",
            "family": "Family and network"}

LONG = "a" * 299 + "å" + "b" * 100  # "å" takes bytes 300-301: cut at 299

# id, region, text, status, areas, evidence [(area, text)]
RECORDS = [
    ("r01", "north", "Väntetid och telefonkö. Väntetid!", "ok", ["access"],
     [("access", "Väntetid"), ("access", "telefonkö"), ("access", "Väntetid")]),
    ("r02", "south", "Bemötandet var bra, de lyssnade", "ok", ["respect"],
     [("respect", "lyssnade")]),
    ("r03", "north", "väntetid, lyssnade inte", "ok", ["access", "respect"],
     [("access", "väntetid"), ("respect", "lyssnade")]),
    ("r04", "", "Min familj; access=fake", "ok", ["family"],
     [("family", "Min familj")]),
    ("r05", "south", "", "ok", [], []),
    ("r06", "north", "\"broken\"", "bad_row", [], []),
    ("r07", "north", "Kö för barnen,\nsedan mer kö", "ok", ["access", "family"],
     [("access", "Kö"), ("family", "barnen"), ("access", "kö")]),
    ("r08", "east", "bad \ufffd bytes", "invalid_utf8", [], []),
    ("r09", "north", LONG, "ok", ["access"], [("access", "telefonkö")]),
    ("r10", "south", "Telefonkö, men de tog mig på allvar", "ok",
     ["access", "respect"], [("access", "Telefonkö"), ("respect", "på allvar")]),
    ("r11", "north", "<script>alert(1)</script> & \"väntetid\"", "ok",
     ["access"], [("access", "väntetid"), ("respect", "tog")]),
    ("r12", "south", "Inget särskilt", "ok", [], []),
]

META = {"whatmatters_meta": {
    "version": "0.1.0",
    "plugins": [{"name": "lexicon", "version": "1.0.0",
                 "given_as": "lexicon", "options": None}],
    "combine": "max",
    "taxonomy": {"path": "three.txt", "fingerprint": "0123456789abcdef",
                 "areas": AREAS},
    "data_dir": None, "lang": "sv", "keep": ["region"], "text": True,
    "max_field_bytes": 16777216}}


def scores(rec):
    return {a: (0.75 if a in rec[4] else 0.0) for a in AREAS}


def write_csv(file, records, meta=META, extra_header=None):
    """A coded CSV, as classify writes it, and its FILE.meta.json."""
    header = ["id", "region", "text", "lang", "status", "message"] + AREAS \
        + [a + "_score" for a in AREAS] + ["evidence"]
    with open(file, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in records:
            coded = r[3] not in ("bad_row", "too_large", "lang_unknown")
            row = [r[0], r[1], r[2], "sv", r[3],
                   "" if r[3] == "ok" else "x: record (line 1, byte 0): bad"]
            row += [("1" if a in r[4] else "0") if coded else "" for a in AREAS]
            row += [f"{scores(r)[a]:.4f}" if coded else "" for a in AREAS]
            row += ["; ".join(f"{a}={t}" for a, t in r[5])]
            w.writerow(row)
    if meta is not None:
        with open(file + ".meta.json", "w", encoding="utf-8") as f:
            f.write(json.dumps(meta, ensure_ascii=False,
                               separators=(",", ":")) + "\n")


def record_obj(r):
    ev = []
    for a, t in r[5]:
        start = r[2].find(t)
        ev.append({"area": a, "start": max(start, 0),
                   "end": max(start, 0) + len(t.encode()), "text": t,
                   "rule": t.lower(), "plugin": "lexicon", "negated": False})
    return {"id": r[0], "keep": {"region": r[1]}, "text": r[2], "lang": "sv",
            "status": r[3], "message": "",
            "areas": [a for a in AREAS if a in r[4]],
            "scores": scores(r), "evidence": ev}


def write_jsonl(file, records, meta=META):
    with open(file, "w", encoding="utf-8") as f:
        if meta is not None:
            f.write(json.dumps(meta, ensure_ascii=False,
                               separators=(",", ":")) + "\n")
        for r in records:
            f.write(json.dumps(record_obj(r), ensure_ascii=False,
                               separators=(",", ":")) + "\n")


def write_msgpack(file, records, meta=META):
    with open(file, "wb") as f:
        if meta is not None:
            f.write(mp(meta))
        for r in records:
            f.write(mp(record_obj(r)))


# --------------------------------------------------------------------------
# numbers: exact counts, shares, intervals, co-occurrence, terms,
# examples, --by
# --------------------------------------------------------------------------

def group_numbers():
    write_csv(path("coded.csv"), RECORDS)
    out = path("csv1")
    st, so, se = run("report", "--by", "region", "--examples", "2",
                     "--csv", out, path("coded.csv"))
    check("numbers: exit 0", st == 0, se)

    # Published Wilson intervals (z = 1.96): 6/10 and 3/10.
    check("numbers: wilson 6/10", (f4(wilson(6, 10)[1]), f4(wilson(6, 10)[2]))
          == ("0.3127", "0.8318"))
    check("numbers: wilson 3/10", (f4(wilson(3, 10)[1]), f4(wilson(3, 10)[2]))
          == ("0.1078", "0.6032"))

    rows = read_csv(os.path.join(out, "areas.csv"))
    want = [["area", "name", "answers", "ok_answers", "share", "ci_low",
             "ci_high"]]
    for a, n in (("access", 6), ("respect", 3), ("family", 2)):
        s, lo, hi = wilson(n, 10)
        want.append([a, NAMES_EN[a], str(n), "10", f4(s), f4(lo), f4(hi)])
    check("numbers: areas.csv", rows == want, f"{rows}\n!=\n{want}")
    check("numbers: access interval literal",
          rows[1][4:] == ["0.6000", "0.3127", "0.8318"], rows[1])

    rows = read_csv(os.path.join(out, "cooccurrence.csv"))
    want = [["area"] + AREAS,
            ["access", "6", "2", "1"],
            ["respect", "2", "3", "0"],
            ["family", "1", "0", "2"]]
    check("numbers: cooccurrence.csv", rows == want, f"{rows}\n!=\n{want}")

    # Terms in normal form (case-folded), once per answer; the evidence of
    # an area the answer does not have (r11 respect=tog) is not counted;
    # ties by bytes.
    rows = read_csv(os.path.join(out, "terms.csv"))
    want = [["area", "rank", "term", "answers"],
            ["access", "1", "telefonkö", "3"],
            ["access", "2", "väntetid", "3"],
            ["access", "3", "kö", "1"],
            ["respect", "1", "lyssnade", "2"],
            ["respect", "2", "på allvar", "1"],
            ["family", "1", "barnen", "1"],
            ["family", "2", "min familj", "1"]]
    check("numbers: terms.csv", rows == want, f"{rows}\n!=\n{want}")

    rows = read_csv(os.path.join(out, "examples.csv"))
    want = [["area", "rank", "id", "text", "truncated"],
            ["access", "1", "r01", RECORDS[0][2], "0"],
            ["access", "2", "r03", RECORDS[2][2], "0"],
            ["respect", "1", "r02", RECORDS[1][2], "0"],
            ["respect", "2", "r03", RECORDS[2][2], "0"],
            ["family", "1", "r04", RECORDS[3][2], "0"],
            ["family", "2", "r07", RECORDS[6][2], "0"]]
    check("numbers: examples.csv", rows == want, f"{rows}\n!=\n{want}")

    rows = read_csv(os.path.join(out, "statuses.csv"))
    check("numbers: statuses.csv", rows == [["status", "records"],
                                           ["ok", "10"], ["bad_row", "1"],
                                           ["invalid_utf8", "1"]], rows)

    rows = read_csv(os.path.join(out, "by_region.csv"))
    groups = [("north", 5, {"access": 5, "respect": 1, "family": 1}),
              ("south", 4, {"access": 1, "respect": 2, "family": 0}),
              ("", 1, {"access": 0, "respect": 0, "family": 1})]
    want = [["region", "ok_answers", "area", "answers", "share", "ci_low",
             "ci_high"]]
    for value, ok, n in groups:
        for a in AREAS:
            s, lo, hi = wilson(n[a], ok)
            want.append([value, str(ok), a, str(n[a]), f4(s), f4(lo), f4(hi)])
    check("numbers: by_region.csv", rows == want, f"{rows}\n!=\n{want}")

    # The text tables, compared with runs of spaces as one.
    lines = {" ".join(l.split()) for l in so.decode("utf-8").splitlines()}
    for line in ["records 12",
                 "ok answers 10 (the base of every share)",
                 "bad_row 1 (not counted)",
                 "invalid_utf8 1 (not counted)",
                 "no area 2 of the ok answers (0.2000)",
                 "1 access Access 6 0.6000 0.3127 0.8318",
                 "3 family Family and network 2 0.2000 0.0567 0.5098",
                 "1 access 6 2 1",
                 "access 1 telefonkö 3",
                 "2 väntetid 3",
                 "region ok access respect family",
                 "north 5 1.0000 0.2000 0.2000",
                 "south 4 0.2500 0.5000 0.0000",
                 "(empty) 1 0.0000 0.0000 1.0000",
                 "[r01] Väntetid och telefonkö. Väntetid!",
                 "[r07] Kö för barnen, sedan mer kö"]:
        check(f"numbers: text has {line!r}", line in lines,
              so.decode("utf-8"))
    # The text cut at a UTF-8 boundary: 299 bytes, then the ellipsis.
    out2 = path("csv2")
    st, so, se = run("report", "--examples", "10", "--csv", out2,
                     path("coded.csv"))
    rows = read_csv(os.path.join(out2, "examples.csv"))
    r09 = [r for r in rows if r[2] == "r09"]
    check("numbers: long text cut at 299 bytes",
          len(r09) == 1 and r09[0][3] == "a" * 299 and r09[0][4] == "1", r09)
    check("numbers: cut text shown with an ellipsis",
          ("a" * 299 + "\u2026").encode() in so, so[-400:])
    # The default N is 3.
    st, so, se = run("report", "--csv", path("csv3"), path("coded.csv"))
    rows = read_csv(os.path.join(path("csv3"), "examples.csv"))
    check("numbers: 3 examples by default",
          [r[2] for r in rows if r[0] == "access"] == ["r01", "r03", "r07"],
          rows)
    # Area names in the report language.
    st, so, se = run("report", "--lang", "sv", "--csv", path("csv4"),
                     path("coded.csv"))
    rows = read_csv(os.path.join(path("csv4"), "areas.csv"))
    check("numbers: names in Swedish",
          [r[1] for r in rows[1:]] == ["Tillgänglighet",
                                       "Bemötande och respekt",
                                       "Anhöriga och nätverk"], rows)


# --------------------------------------------------------------------------
# formats: CSV, JSON Lines and msgpack give the same report, by extension
# or by content, and from standard input
# --------------------------------------------------------------------------

def group_formats():
    write_csv(path("c.csv"), RECORDS)
    write_jsonl(path("c.jsonl"), RECORDS)
    write_msgpack(path("c.msgpack"), RECORDS)
    outs = {}
    for f in ("c.csv", "c.jsonl", "c.msgpack"):
        st, so, se = run("report", "--by", "region", path(f))
        check(f"formats: {f} exit 0", st == 0, se)
        outs[f] = so
    check("formats: jsonl == csv (same metadata, same fingerprint)",
          outs["c.jsonl"] == outs["c.csv"],
          outs["c.jsonl"].decode() + "\n---\n" + outs["c.csv"].decode())
    check("formats: msgpack == csv", outs["c.msgpack"] == outs["c.csv"])
    for f, name in (("c.csv", "plaincsv"), ("c.jsonl", "plainjsonl"),
                    ("c.msgpack", "plainmsgpack")):
        shutil.copy(path(f), path(name))
        if os.path.exists(path(f) + ".meta.json"):
            shutil.copy(path(f) + ".meta.json", path(name) + ".meta.json")
        st, so, se = run("report", "--by", "region", path(name))
        check(f"formats: {name} found by content", st == 0
              and so == outs["c.csv"], se + so.decode()[:300])
    with open(path("c.msgpack"), "rb") as f:
        data = f.read()
    st, so, se = run("report", "--by", "region", "-", stdin=data)
    check("formats: msgpack on standard input", st == 0
          and so == outs["c.csv"], se)
    # Without metadata: JSON Lines takes the areas from the first "scores".
    write_jsonl(path("nometa.jsonl"), RECORDS, meta=None)
    st, so, se = run("report", path("nometa.jsonl"))
    check("formats: jsonl without metadata", st == 0
          and b"metadata none" in so and b"  1  access" in so, se + so.decode())
    # CRLF line ends and a byte-order mark in CSV.
    with open(path("c.csv"), "rb") as f:
        data = f.read()
    with open(path("crlf.csv"), "wb") as f:
        f.write(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    shutil.copy(path("c.csv.meta.json"), path("crlf.csv.meta.json"))
    st, so, se = run("report", "--by", "region", "--csv", path("crlfout"),
                     path("crlf.csv"))
    rows = read_csv(os.path.join(path("crlfout"), "examples.csv"))
    # (The CRLF inside r07's quoted text is data: shown as two spaces.)
    check("formats: CSV with CRLF and BOM", st == 0
          and so.replace(b"barnen,  sedan", b"barnen, sedan")
          == outs["c.csv"], se)
    check("formats: CRLF inside a quoted field kept",
          any(r[2] == "r07" and r[3] == "Kö för barnen,\r\nsedan mer kö"
              for r in rows), rows)


# --------------------------------------------------------------------------
# merge: summaries of shards give the bytes of one run over the shards
# --------------------------------------------------------------------------

def same_dirs(a, b):
    fa, fb = sorted(os.listdir(a)), sorted(os.listdir(b))
    if fa != fb:
        return False
    for name in fa:
        with open(os.path.join(a, name), "rb") as x, \
                open(os.path.join(b, name), "rb") as y:
            if x.read() != y.read():
                return False
    return True


def group_merge():
    shards = [RECORDS[:5], RECORDS[5:9], RECORDS[9:]]
    write_csv(path("s1.csv"), shards[0])
    write_jsonl(path("s2.jsonl"), shards[1])
    write_msgpack(path("s3.msgpack"), shards[2])
    files = [path("s1.csv"), path("s2.jsonl"), path("s3.msgpack")]
    opts = ["--by", "region", "--examples", "2"]

    st, single, se = run("report", *opts, "--csv", path("single"), *files)
    check("merge: single run exit 0", st == 0, se)
    sums = []
    for i, f in enumerate(files):
        s = path(f"sum{i + 1}.msgpack")
        st, so, se = run("report", *opts, "--save-summary", s, f)
        check(f"merge: summary {i + 1} written", st == 0
              and os.path.getsize(s) > 0, se)
        sums.append(s)
    st, merged, se = run("report", "--merge", "--csv", path("merged"), *sums)
    check("merge: exit 0", st == 0, se)
    check("merge: text byte-identical to the single run", merged == single,
          merged.decode() + "\n--- single ---\n" + single.decode())
    check("merge: CSV files identical", same_dirs(path("single"),
                                                  path("merged")))
    # A merge of merges; and --by given again (it must match).
    st, so, se = run("report", "--merge", "--save-summary", path("s12.msgpack"),
                     sums[0], sums[1])
    st, so, se = run("report", "--merge", "--by", "region",
                     path("s12.msgpack"), sums[2])
    check("merge: merge of merges identical", st == 0 and so == single, se)
    # The single run also equals the report over the whole file.
    write_csv(path("all.csv"), RECORDS)
    st, so, se = run("report", *opts, path("all.csv"))
    check("merge: shards == whole file (files count aside)",
          re.sub(rb"(?m)^  files +1$", b"", so)
          == re.sub(rb"(?m)^  files +3$", b"", single), so.decode())
    # Summaries of the same data in another order: same counts, examples
    # taken by (shard, record).
    st, so, se = run("report", "--merge", sums[2], sums[0], sums[1])
    lines = [" ".join(l.split()) for l in so.decode().splitlines()]
    i = lines.index("respect") if "respect" in lines else -1
    check("merge: other order: examples follow the shard order", st == 0
          and lines[i + 1:i + 3] == ["[r10] Telefonkö, men de tog mig på "
                                     "allvar", "[r02] Bemötandet var bra, "
                                     "de lyssnade"], so.decode())
    # --examples may only lower N.
    st, so, se = run("report", "--merge", "--examples", "1", *sums)
    check("merge: --examples 1", st == 0 and so.count(b"    [r") == 3, so)
    st, so, se = run("report", "--merge", "--examples", "5", *sums)
    check("merge: --examples above the summaries' N is noted", st == 0
          and "hold 2 examples" in se, se)
    # Summaries with different N: the merge keeps the smaller, as a single
    # run with that N would.
    st, so, se = run("report", "--by", "region", "--examples", "3",
                     "--save-summary", path("n3.msgpack"), files[0])
    st, so, se = run("report", "--merge", path("n3.msgpack"), sums[1],
                     sums[2])
    check("merge: smaller N of a later summary", st == 0 and so == single,
          so.decode())
    # What cannot be merged.
    st, so, se = run("report", "--merge", "--by", "lang", *sums)
    check("merge: --by mismatch is a usage error", st == 2
          and "not with --by lang" in se, se)
    st, so, se = run("report", "--save-summary", path("noby.msgpack"),
                     files[0])
    st, so, se = run("report", "--merge", sums[0], path("noby.msgpack"))
    check("merge: summaries with and without --by", st == 2
          and "cannot be merged" in se, se)
    other = [(r[0], r[1], r[2], r[3], [], []) for r in RECORDS[:2]]
    meta = json.loads(json.dumps(META))
    meta["whatmatters_meta"]["taxonomy"]["areas"] = ["access", "hope"]
    write_jsonl(path("other.jsonl"), other, meta=meta)
    st, so, se = run("report", "--save-summary", path("other.msgpack"),
                     path("other.jsonl"))
    st, so, se = run("report", "--merge", path("noby.msgpack"),
                     path("other.msgpack"))
    check("merge: different areas", st == 2 and "area lists differ" in se, se)
    st, so, se = run("report", "--merge", path("s1.csv"))
    check("merge: a coded file is not a summary", st == 2
          and "not a report summary" in se, se)
    with open(path("v2.msgpack"), "wb") as f:
        f.write(mp({"whatmatters_report_summary": 2, "areas": AREAS}))
    st, so, se = run("report", "--merge", path("v2.msgpack"))
    check("merge: another format version", st == 2
          and "version 2" in se, se)
    # Different set-ups are noted.
    meta = json.loads(json.dumps(META))
    meta["whatmatters_meta"]["combine"] = "mean"
    write_jsonl(path("mean.jsonl"), RECORDS[:3], meta=meta)
    st, so, se = run("report", path("mean.jsonl"), files[1])
    check("merge: two set-ups noted", st == 0
          and b"different set-ups" in so, so.decode())


# --------------------------------------------------------------------------
# html: well-formed, self-contained, escaped; two SVGs with the bars and
# cells expected
# --------------------------------------------------------------------------

VOID = {"meta", "br", "img", "hr", "link", "input", "col", "area", "base",
        "wbr", "source", "track", "embed", "param"}
SVG_EMPTY_OK = {"line", "rect", "path", "circle", "tspan", "stop"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.text = [], [], [], []
        self.classes = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.classes.append((tag, dict(attrs).get("class", "")))
        if tag in ("script", "iframe", "object", "link", "img"):
            self.errors.append(f"<{tag}> in the page")
        for k, v in attrs:
            if k in ("src", "href") or (v or "").startswith(("http:", "https:")):
                if not (k == "xmlns" or (v or "").startswith("#")):
                    self.errors.append(f"external reference {k}={v}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.classes.append((tag, dict(attrs).get("class", "")))
        if tag not in VOID and tag not in SVG_EMPTY_OK:
            self.errors.append(f"<{tag}/>")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} ")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(name, file, n_areas):
    with open(file, "rb") as f:
        raw = f.read()
    try:
        page = raw.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        check(f"{name}: valid UTF-8", False, e)
        return None
    p = Checker()
    p.feed(page)
    p.close()
    check(f"{name}: well-formed", not p.errors and not p.stack,
          "\n".join(p.errors) + f"\nopen: {p.stack}")
    check(f"{name}: two <svg>", p.tags.count("svg") == 2, p.tags.count("svg"))
    bars = sum(1 for t, c in p.classes if t == "rect" and c == "bar")
    cells = sum(1 for t, c in p.classes if t == "rect" and c == "cell")
    check(f"{name}: {n_areas} bars", bars == n_areas, bars)
    check(f"{name}: {n_areas * n_areas} cells", cells == n_areas * n_areas,
          cells)
    return page, "".join(p.text)


def group_html():
    write_csv(path("h.csv"), RECORDS)
    st, so, se = run("report", "--by", "region", "--examples", "10",
                     "--html", path("h.html"), path("h.csv"))
    check("html: exit 0", st == 0, se)
    got = check_html("html", path("h.html"), 3)
    if got:
        page, text = got
        check("html: answer text escaped", "<script>" not in page
              and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page,
              page[-2000:])
        check("html: names shown", "Family and network" in text)
        check("html: counts in heatmap cells", ">6</text>" in page
              and ">2</text>" in page)
    # Bytes that are not UTF-8, control characters and markup in every
    # place a data string goes: the page stays valid UTF-8 and well-formed.
    nasty = [("x<1>", "re\"g'<b>", "te\xffxt\x01<i>&amp;", "ok",
              ["access"], [("access", "te\xffxt")])]
    with open(path("nasty.csv"), "wb") as f:
        head = ["id", "region", "text", "lang", "status", "message"] + AREAS \
            + [a + "_score" for a in AREAS] + ["evidence"]
        f.write((",".join(head) + "\n").encode())
        r = nasty[0]
        f.write(b'x<1>,"re""g\'<b>",te\xffxt\x01<i>&amp;,sv,ok,,1,0,0,'
                b'0.7500,0.0000,0.0000,access=te\xffxt\n')
    st, so, se = run("report", "--by", "region", "--html", path("n.html"),
                     path("nasty.csv"))
    check("html: hostile strings: exit 0", st == 0, se)
    got = check_html("html (hostile strings)", path("n.html"), 3)
    if got:
        page, text = got
        check("html: invalid byte as U+FFFD", "te\ufffdxt" in text, text)
        check("html: no raw <i> or <b> from the data", "<i>" not in page
              and "<b>" not in page)
    # Another taxonomy size: 9 areas -> 81 cells.
    nine = ["access", "respect", "whole_person", "coordination", "continuity",
            "participation", "family", "everyday_life", "hope_recovery"]
    meta = json.loads(json.dumps(META))
    meta["whatmatters_meta"]["taxonomy"]["areas"] = nine
    with open(path("nine.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps(meta) + "\n")
        for i in range(40):
            areas = [a for k, a in enumerate(nine) if (i >> (k % 5)) & 1
                     and k < 9 and (i + k) % 3 != 0]
            f.write(json.dumps({"id": i + 1, "status": "ok", "areas": areas,
                                "text": f"answer {i}", "evidence": []}) + "\n")
    st, so, se = run("report", "--html", path("nine.html"), path("nine.jsonl"))
    check("html: nine areas exit 0", st == 0, se)
    check_html("html (nine areas)", path("nine.html"), 9)


# --------------------------------------------------------------------------
# chromium: the page renders; the SVGs are in the rendered DOM; a PNG
# --------------------------------------------------------------------------

def chromium_cmd(extra, url):
    prof = tempfile.mkdtemp(dir=TMP)
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
            *extra, url]


def png_size(file):
    with open(file, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def group_chromium():
    write_csv(path("g.csv"), RECORDS)
    st, so, se = run("report", "--by", "region", "--html", path("g.html"),
                     path("g.csv"))
    check("chromium: report exit 0", st == 0, se)
    url = "file://" + path("g.html")
    p = subprocess.run(chromium_cmd(["--dump-dom"], url), capture_output=True,
                       timeout=180)
    dom = p.stdout.decode("utf-8", "replace")
    check("chromium: --dump-dom exit 0", p.returncode == 0,
          p.stderr.decode(errors="replace")[-2000:])
    check("chromium: two svg elements rendered",
          dom.count("<svg ") == 2 and 'class="wm-bars"' in dom
          and 'class="wm-heatmap"' in dom, dom[:2000])
    check("chromium: 3 bars in the DOM", dom.count('class="bar"') == 3,
          dom.count('class="bar"'))
    check("chromium: 9 cells in the DOM", dom.count('class="cell"') == 9,
          dom.count('class="cell"'))
    png = path("g.png")
    p = subprocess.run(chromium_cmd([f"--screenshot={png}",
                                     "--window-size=1200,1600"], url),
                       capture_output=True, timeout=180)
    check("chromium: --screenshot exit 0", p.returncode == 0,
          p.stderr.decode(errors="replace")[-2000:])
    check("chromium: a 1200x1600 PNG", os.path.exists(png)
          and png_size(png) == (1200, 1600),
          png_size(png) if os.path.exists(png) else "no file")
    check("chromium: the PNG is not blank", os.path.exists(png)
          and os.path.getsize(png) > 20000,
          os.path.getsize(png) if os.path.exists(png) else 0)


# --------------------------------------------------------------------------
# bounds: the term and group bounds, said in the report and kept through
# a merge
# --------------------------------------------------------------------------

def group_bounds():
    # 10,005 distinct terms in one area: the first 10,000 are counted.
    n = 10005
    with open(path("terms.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps(META) + "\n")
        for i in range(n):
            ev = [{"area": "access", "text": "Common"},
                  {"area": "access", "text": f"t{i:05d}"}]
            f.write(json.dumps({"id": f"a{i}", "status": "ok",
                                "areas": ["access"], "text": "x",
                                "evidence": ev}) + "\n")
    st, so, se = run("report", "--csv", path("tb"), path("terms.jsonl"))
    text = so.decode()
    check("bounds: terms: exit 0", st == 0, se)
    check("bounds: the bound is said",
          "access: only the first 10000 distinct terms were counted (6 "
          "evidence items of later terms were not)" in text, text[-1500:])
    rows = read_csv(os.path.join(path("tb"), "terms.csv"))
    check("bounds: the common term keeps its exact count",
          rows[1] == ["access", "1", "common", str(n)], rows[:3])
    st, so, se = run("report", "--save-summary", path("tb.msgpack"),
                     path("terms.jsonl"))
    st, so2, se = run("report", "--merge", path("tb.msgpack"))
    check("bounds: the note survives a summary", so2 == so, se)

    # 230 values of --by: 200 shown, 30 in "(other)"; merged equal.
    with open(path("groups1.jsonl"), "w", encoding="utf-8") as f1, \
            open(path("groups2.jsonl"), "w", encoding="utf-8") as f2:
        f1.write(json.dumps(META) + "\n")
        f2.write(json.dumps(META) + "\n")
        k = 0
        for v in range(230):
            for j in range(1 + v % 4):
                f = f1 if k % 2 == 0 else f2
                k += 1
                f.write(json.dumps({"id": k, "status": "ok",
                                    "keep": {"region": f"v{v:03d}"},
                                    "areas": ["access"] if j == 0 else [],
                                    "text": "x"}) + "\n")
    args = ["--by", "region", "--csv", path("gb")]
    st, single, se = run("report", *args, path("groups1.jsonl"),
                         path("groups2.jsonl"))
    check("bounds: groups: exit 0", st == 0, se)
    rows = read_csv(os.path.join(path("gb"), "by_region.csv"))
    values = []
    for r in rows[1:]:
        if r[0] not in values:
            values.append(r[0])
    check("bounds: 200 values and (other)", len(values) == 201
          and values[-1] == "(other)", values[-5:])
    # Values sorted by ok answers (4 for v%4==3, ...), then bytes.
    check("bounds: groups by count, then value",
          values[:3] == ["v003", "v007", "v011"], values[:5])
    other = [r for r in rows if r[0] == "(other)"]
    # 230 values: 57 with 4, 57 with 3, 58 with 2, 58 with 1 answers; 200
    # shown leave 30 of those with 1 answer (the last by bytes) for
    # (other), each with one access answer.
    check("bounds: (other) sums the rest", other and other[0][1] == "30"
          and other[0][3] == "30", other)
    check("bounds: further values said", b"(other): 30 further values"
          in single, single[-300:])
    for i in (1, 2):
        run("report", "--by", "region", "--save-summary",
            path(f"g{i}.msgpack"), path(f"groups{i}.jsonl"))
    st, merged, se = run("report", "--merge", "--csv", path("gm"),
                         path("g1.msgpack"), path("g2.msgpack"))
    check("bounds: groups merged identical", merged == single
          and same_dirs(path("gb"), path("gm")), se)


# --------------------------------------------------------------------------
# stream: records across the read buffer's 1 MiB boundaries, a record
# larger than the buffer, in all three formats
# --------------------------------------------------------------------------

def group_stream():
    import random
    rnd = random.Random(7)
    recs = []
    for i in range(40000):
        areas = [a for a in AREAS if rnd.random() < 0.3]
        text = rnd.choice(["plain", "with, comma", "with \"quotes\"",
                           "two\nlines", "three\r\nline\nends", "å ä ö"])
        text = f"{text} {i}"
        ev = [(a, rnd.choice(["Kö", "kö", "Väntan", "familj", "lyssna"]))
              for a in areas]
        status = "ok" if i % 97 else "bad_row"
        recs.append((f"id{i}", rnd.choice(["n", "s", "e", "w"]), text,
                     status, areas, ev))
    # One record of 3 MiB, more than the first read buffer holds.
    recs.insert(20000, ("huge", "n", "x" * (3 << 20), "ok", ["family"],
                        [("family", "Jätte")]))
    ok = [r for r in recs if r[3] == "ok"]
    want_n = {a: sum(1 for r in ok if a in r[4]) for a in AREAS}
    want_terms = {}
    for r in ok:
        for a in AREAS:
            if a in r[4]:
                for t in {t.lower() for aa, t in r[5] if aa == a}:
                    want_terms[(a, t)] = want_terms.get((a, t), 0) + 1
    write_csv(path("big.csv"), recs)
    write_jsonl(path("big.jsonl"), recs)
    write_msgpack(path("big.msgpack"), recs)
    outs = []
    for f in ("big.csv", "big.jsonl", "big.msgpack"):
        d = path("out_" + f.replace(".", "_"))
        st, so, se = run("report", "--by", "region", "--csv", d, path(f))
        check(f"stream: {f} exit 0", st == 0, se)
        outs.append(so)
        rows = read_csv(os.path.join(d, "areas.csv"))
        got = {r[0]: int(r[2]) for r in rows[1:]}
        check(f"stream: {f} area counts", got == want_n
              and rows[1][3] == str(len(ok)), f"{got} != {want_n}")
        rows = read_csv(os.path.join(d, "terms.csv"))
        got = {(r[0], r[2]): int(r[3]) for r in rows[1:]}
        check(f"stream: {f} term counts", got == want_terms,
              f"{got} != {want_terms}")
        rows = read_csv(os.path.join(d, "statuses.csv"))
        check(f"stream: {f} statuses", rows[2] == ["bad_row",
              str(len(recs) - len(ok))], rows)
    check("stream: three formats, one report", outs[0] == outs[1] == outs[2])


# --------------------------------------------------------------------------
# errors: exit statuses and one-line messages
# --------------------------------------------------------------------------

def group_errors():
    write_csv(path("e.csv"), RECORDS)
    cases = [
        (["report"], 2, "missing coded files"),
        (["report", path("nope.csv")], 2, "cannot open"),
        (["report", "--examples", "x", path("e.csv")], 2, "--examples"),
        (["report", "--examples", "1001", path("e.csv")], 2, "0 to 1000"),
        (["report", "--lang", "xx", path("e.csv")], 2, "unknown language"),
        (["report", "--by", "nope", path("e.csv")], 2,
         "no column 'nope' for --by (columns: id, region, text"),
        (["report", "--bogus", path("e.csv")], 2, "unknown option"),
    ]
    with open(path("plain.csv"), "w") as f:
        f.write("id,text\n1,hello\n")
    cases.append((["report", path("plain.csv")], 2,
                  "not a coded file: the header has no area columns"))
    with open(path("broken.csv"), "w") as f:
        f.write(open(path("e.csv")).read() + 'r99,x,"never closed\n')
    cases.append((["report", path("broken.csv")], 1, "line 15"))
    with open(path("short.csv"), "w") as f:
        lines = open(path("e.csv")).read().split("\n")
        f.write("\n".join(lines[:3]) + "\nr98,north\n")
    cases.append((["report", path("short.csv")], 1,
                  "record 3 (line 4): 2 fields, but the header has 13"))
    with open(path("bad.jsonl"), "w") as f:
        f.write(json.dumps(META) + "\n" + '{"id":1,"status":"ok","areas":[]}\n'
                + "{nope\n")
    cases.append((["report", path("bad.jsonl")], 1,
                  "record 2 (line 3): not a JSON object"))
    with open(path("unknown.jsonl"), "w") as f:
        f.write(json.dumps(META) + "\n"
                + '{"id":1,"status":"ok","areas":["zzz"]}\n')
    cases.append((["report", path("unknown.jsonl")], 1,
                  "area 'zzz' is not in the file's area list"))
    with open(path("cut.msgpack"), "wb") as f:
        f.write(mp(META) + mp(record_obj(RECORDS[0]))[:-5])
    cases.append((["report", path("cut.msgpack")], 1,
                  "is cut short by the end of the file"))
    # Headers that promise more than the bytes hold: msgpack-c would
    # allocate them as promised (tens of GB); they are refused first.
    with open(path("huge_array.msgpack"), "wb") as f:
        f.write(mp(META) + b"\xdd\xff\xff\xff\xff" + b"\xc0" * 64)
    cases.append((["report", path("huge_array.msgpack")], 1,
                  "record 1 (byte"))
    with open(path("huge_map.msgpack"), "wb") as f:
        f.write(b"\xdf\x7f\xff\xff\xff" + b"\xc0" * 64)
    cases.append((["report", "--merge", path("huge_map.msgpack")], 2,
                  "not a report summary"))
    with open(path("empty.jsonl"), "w") as f:
        pass
    cases.append((["report", path("empty.jsonl")], 2,
                  "no coded records in the input"))
    meta = json.loads(json.dumps(META))
    meta["whatmatters_meta"]["taxonomy"]["areas"] = ["access"]
    write_jsonl(path("one.jsonl"), [], meta=meta)
    cases.append((["report", path("e.csv"), path("one.jsonl")], 2,
                  "its areas differ from those of"))
    cases.append((["report", "--by", "region", path("one.jsonl"),
                   path("e.csv")], 2, "areas differ"))
    for args, want_status, want_msg in cases:
        st, so, se = run(*args)
        lines = se.strip().split("\n")
        check(f"errors: {' '.join(os.path.basename(a) for a in args)}",
              st == want_status and len(lines) == 1
              and lines[0].startswith("whatmatters: report: ")
              and want_msg in lines[0],
              f"status {st}, stderr: {se}")
    # An empty file among others is counted, not an error.
    st, so, se = run("report", path("empty.jsonl"), path("e.csv"))
    check("errors: empty file counted", st == 0
          and re.search(rb"(?m)^  files +2$", so), se)
    st, so, se = run("report", "--help")
    check("errors: --help", st == 0 and so.startswith(b"Usage: whatmatters "
                                                      b"report"), se)
    st, so, se = run("help", "report")
    check("errors: help report", st == 0 and so.startswith(b"Usage: "), se)


# --------------------------------------------------------------------------

GROUPS = {"numbers": group_numbers, "formats": group_formats,
          "merge": group_merge, "html": group_html, "bounds": group_bounds,
          "stream": group_stream, "errors": group_errors,
          "chromium": group_chromium}
CHROMIUM = None


def main():
    global BIN, SRC, TMP, CHROMIUM
    if len(sys.argv) < 3:
        print(f"usage: {sys.argv[0]} BINARY SOURCE_DIR [GROUP...]",
              file=sys.stderr)
        return 2
    BIN, SRC = os.path.abspath(sys.argv[1]), sys.argv[2]
    groups = sys.argv[3:] or [g for g in GROUPS if g != "chromium"]
    TMP = tempfile.mkdtemp(prefix="wm-report-test.")
    try:
        for g in groups:
            if g == "chromium":
                found = [c for c in (os.environ.get("WM_CHROMIUM"),
                                     shutil.which("chromium"),
                                     shutil.which("chromium-browser"))
                         if c and os.path.exists(c)]
                CHROMIUM = found[0] if found else None
                if not CHROMIUM:
                    required = os.environ.get("WM_REQUIRE_CHROMIUM", "1")
                    if required not in ("0", "OFF", "off", "no"):
                        check("chromium: installed", False,
                              "chromium not found: apt-get install chromium "
                              "(it is in tools/debian-packages.txt); or "
                              "configure with -DWM_REQUIRE_CHROMIUM=OFF to "
                              "skip this test")
                        continue
                    print("SKIP: chromium not found (WM_REQUIRE_CHROMIUM=OFF)")
                    return 77
            GROUPS[g]()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
