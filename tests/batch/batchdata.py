#!/usr/bin/env python3
"""batchdata.py — inputs and checks for the end-to-end batch tests.

Usage: batchdata.py SRC COMMAND ARG...   (SRC: the project's source folder)

  edge DIR              writes DIR/edge.csv, every hard case of docs/batch.md
                        ("Reading") in one file, and DIR/edge.expect.json,
                        what classify must make of each record
  check-edge DIR INPUT CODED
                        checks classify's CSV output CODED of INPUT (edge.csv
                        named as classify was given it) against
                        DIR/edge.expect.json
  many N FILE [--no-breaks]
                        writes N survey answers (FILE .csv: id, unit, wave,
                        text; .jsonl: the same as objects), made from
                        corpora/sample/*.txt and the gold texts, repeated
                        with variations; a few records are broken or not
                        UTF-8 (their ids in FILE.flaws.json). --no-breaks:
                        no answer holds a line break
  check-many INPUT CODED
                        checks a coded CSV against the input of `many`:
                        one record out for each in, ids, kept fields and
                        texts in order, the flawed records' statuses
  count FILE            the records of a CSV file after its header, by
                        Python's csv module (blank lines are no records)
  split FILE N PREFIX   cuts a CSV file into PREFIX1.csv ... PREFIXN.csv of
                        consecutive records, each with the header, the
                        records' bytes copied as they are

The check commands print "PASS name" or "FAIL name" (then indented detail)
for each check. Deterministic: the same arguments give the same bytes on any
machine. Python's standard library only.
"""

import csv
import io
import json
import os
import sys

SRC = None
AREAS = ["access", "respect", "whole_person", "coordination", "continuity",
         "participation", "family", "everyday_life", "hope_recovery"]

# --------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------


def sample_lines(lang):
    path = os.path.join(SRC, "corpora", "sample", f"answers_{lang}.txt")
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def gold_texts(lang):
    out = []
    for split_name in ("dev", "test"):
        path = os.path.join(SRC, "corpora", "gold", lang, f"{split_name}.csv")
        with open(path, newline="", encoding="utf-8") as f:
            out.extend(r["text"] for r in csv.DictReader(f))
    return out


def base_texts():
    texts = []
    for lang in ("sv", "nb", "en"):
        texts.extend(sample_lines(lang))
    for lang in ("sv", "nb", "nn", "da", "en"):
        texts.extend(gold_texts(lang))
    return texts


def quote(field):
    """RFC 4180: quotes a field when it needs it."""
    if any(c in field for c in ',"\r\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def read_dict_rows(path):
    """The records of a CSV file as dicts (the BOM is not data; a blank
    line is no record, as for csv.DictReader)."""
    with open(path, newline="", encoding="utf-8-sig",
              errors="surrogateescape") as f:
        return list(csv.DictReader(f))


class Checks:
    def __init__(self):
        self.results = []

    def __call__(self, name, ok, *detail):
        self.results.append((name, bool(ok), detail))

    def print(self):
        for name, ok, detail in self.results:
            print(("PASS " if ok else "FAIL ") + name)
            if not ok:
                for d in detail[:12]:
                    print("    " + str(d)[:400])


# --------------------------------------------------------------------------
# edge: one CSV with every hard case at once
# --------------------------------------------------------------------------

MB_ANSWER_BYTES = 1 << 20


def one_mb_answer():
    """Exactly 1 MiB of real answers joined by spaces (valid UTF-8)."""
    parts = []
    size = 0
    for t in sample_lines("sv") * 10000:
        size += len(t.encode()) + 1
        parts.append(t)
        if size > MB_ANSWER_BYTES:
            break
    s = "Väntetid. " + " ".join(parts)
    s = s.encode()[:MB_ANSWER_BYTES].decode("utf-8", "ignore")
    return s + "." * (MB_ANSWER_BYTES - len(s.encode()))


def edge(outdir):
    """Writes edge.csv and edge.expect.json.

    The file: a UTF-8 BOM, CRLF line ends, a header id,unit,text,note;
    ordinary rows from the sample answers; quoted fields with commas,
    doubled quotes and line breaks (CRLF and LF) inside; an empty answer;
    a blank line (no record); a 1 MiB answer; a row with a stray quote and
    one with too many fields in the middle (bad_row); answers with invalid
    UTF-8 (invalid_utf8, still coded); the last record without a line end.
    """
    sv = sample_lines("sv")
    rows = []

    def row(unit, text, note, status="ok", areas=None):
        rows.append(dict(id=f"e{len(rows) + 1}", unit=unit, text=text,
                         note=note, status=status, areas=areas, raw=None))

    def raw(data, status):
        rows.append(dict(raw=data, status=status))

    for i in range(6):
        row(f"u{i % 3}", sv[i], f"n{i}")
    row("north", "Lång väntetid, i telefonkö, igen", "comma, in note",
        areas=["access"])
    row("south", 'Bra "bemötande", "tack"', 'say ""x""', areas=["respect"])
    row("east", "två\r\nrader om familjen\r\n", "crlf", areas=["family"])
    row("west", "en rad\noch en till om anhöriga", "lf\ninside",
        areas=["family"])
    row("west", "", "empty answer", areas=[])
    raw(b"\r\n", None)  # a blank line: no record
    # A stray quote: text after the closing quote of a quoted field.
    raw(b'e12,north,"stray"quote here,x\r\n', "bad_row")
    for i in range(6, 9):
        row(f"u{i % 3}", sv[i], f"n{i}")
    # More fields than the header.
    raw(b"e16,south,v\xc3\xa4ntetid,note,extra,fields\r\n", "bad_row")
    # Invalid UTF-8: a lone byte 0xFF; a truncated sequence, an overlong
    # form and a surrogate inside a quoted field. Coded all the same.
    row("north", b"\xff bem\xc3\xb6tande", "inv1", "invalid_utf8",
        areas=["respect"])
    row("north", b'"Telefonk\xc3\xb6n \xe2\x82, \xc0\x80 och \xed\xa0\x80 '
        b'v\xc3\xa4ntetid"', "inv2", "invalid_utf8", areas=["access"])
    row("big", one_mb_answer(), "1 MiB")
    for i in range(9, 14):
        row(f"u{i % 3}", sv[i], f"n{i}")
    row("last", "väntetid, sist", "no line end", areas=["access"])

    data = bytearray(b"\xef\xbb\xbf" + b"id,unit,text,note\r\n")
    expect = []
    for k, r in enumerate(rows):
        offset = len(data)
        line = data.count(b"\n") + 1
        if r["raw"] is not None:
            data += r["raw"]
            if r["status"] is not None:
                expect.append(dict(line=line, byte=offset, status=r["status"],
                                   unit="", note="", text=""))
            continue
        t = r["text"]
        why = ""
        if isinstance(t, bytes):  # raw bytes, quoted or not
            tb = t
            inner = (t[1:-1] if t.startswith(b'"') else t).replace(b'""', b'"')
            want_text = inner.decode("utf-8", "replace")
            try:
                inner.decode("utf-8")
            except UnicodeDecodeError as err:
                why = f"invalid UTF-8 at byte {err.start} of the answer"
        else:
            tb = quote(t).encode()
            want_text = t
        data += b",".join([quote(r["id"]).encode(), quote(r["unit"]).encode(),
                           tb, quote(r["note"]).encode()])
        if k < len(rows) - 1:
            data += b"\r\n"
        expect.append(dict(id=r["id"], line=line, byte=offset,
                           status=r["status"], unit=r["unit"], note=r["note"],
                           text=want_text, areas=r["areas"], why=why))
    for n, e in enumerate(expect, 1):
        e["record"] = n
        e.setdefault("id", str(n))  # a broken row's id is its number
    with open(os.path.join(outdir, "edge.csv"), "wb") as f:
        f.write(data)
    with open(os.path.join(outdir, "edge.expect.json"), "w",
              encoding="utf-8") as f:
        json.dump(expect, f, ensure_ascii=False, indent=0)


def check_edge(outdir, inpath, coded):
    with open(os.path.join(outdir, "edge.expect.json"), encoding="utf-8") as f:
        expect = json.load(f)
    check = Checks()

    in_rows = read_dict_rows(inpath)
    check("edge: the input has the records the generator wrote (csv module)",
          len(in_rows) == len(expect),
          f"csv module: {len(in_rows)}, generator: {len(expect)}")

    with open(coded, newline="", encoding="utf-8") as f:
        out = list(csv.reader(f))
    header, body = out[0], out[1:]
    want_header = (["id", "note", "unit", "text", "lang", "status", "message"]
                   + AREAS + [a + "_score" for a in AREAS] + ["evidence"])
    check("edge: header: id, --keep fields in the order given, text, lang, "
          "status, message, areas, scores, evidence",
          header == want_header, f"got {header}")
    check("edge: records out == records in (csv module)",
          len(body) == len(in_rows), f"in {len(in_rows)}, out {len(body)}")
    if header != want_header:
        return check
    col = {h: i for i, h in enumerate(header)}

    got = [r[col["status"]] for r in body]
    want = [e["status"] for e in expect]
    check("edge: the status of every record", got == want,
          f"want {want}", f"got  {got}")
    got = [r[col["id"]] for r in body]
    want = [e["id"] for e in expect]
    check("edge: ids in input order (a broken row's id is its record number)",
          got == want, f"want {want}", f"got  {got}")
    got = [(r[col["note"]], r[col["unit"]]) for r in body]
    want = [(e["note"], e["unit"]) for e in expect]
    check("edge: --keep note,unit passed through as read, in that order",
          got == want, f"want {want}", f"got  {got}")

    bad_msgs, bad_text, bad_coding = [], [], []
    for r, e in zip(body, expect):
        n = e["record"]
        msg = r[col["message"]]
        text = r[col["text"]]
        if e["status"] == "ok":
            if msg:
                bad_msgs.append(f"record {n}: ok, with message {msg!r}")
        else:
            prefix = (f"{inpath}: record {n} (line {e['line']}, "
                      f"byte {e['byte']}): ")
            want = prefix + e.get("why", "")
            if not msg.startswith(want) or len(msg) <= len(prefix):
                bad_msgs.append(f"record {n}: want {want!r}..., got {msg!r}")
        if e["status"] == "bad_row":
            cells = [r[col[a]] for a in AREAS] + \
                    [r[col[a + "_score"]] for a in AREAS]
            if text or r[col["lang"]] or any(cells) or r[col["evidence"]]:
                bad_coding.append(f"record {n}: bad_row with text, lang or "
                                  f"area cells: {r[:8]}")
            continue
        if text != e["text"]:
            bad_text.append(f"record {n}: want {len(e['text'])} chars "
                            f"{e['text'][:60]!r}, got {len(text)} "
                            f"{text[:60]!r}")
        scores = [r[col[a + "_score"]] for a in AREAS]
        assigned = [a for a in AREAS if r[col[a]] == "1"]
        if r[col["lang"]] != "sv" \
                or not all(len(s) == 6 and s[1] == "." for s in scores) \
                or any(r[col[a]] not in ("0", "1") for a in AREAS) \
                or any((r[col[a]] == "1") != (float(s) >= 0.5)
                       for a, s in zip(AREAS, scores)) \
                or (e["areas"] is not None and assigned != e["areas"]):
            bad_coding.append(f"record {n}: lang {r[col['lang']]!r}, "
                              f"areas {assigned} (want {e['areas']}), "
                              f"scores {scores}")
    check("edge: messages: empty when ok, else 'FILE: record N (line L, "
          "byte B): why', L and B where the row starts (the BOM counted)",
          not bad_msgs, *bad_msgs)
    check("edge: answers written back as read (quotes, commas, CRLF and LF "
          "inside, 1 MiB; invalid bytes as U+FFFD like Python's 'replace')",
          not bad_text, *bad_text)
    check("edge: coded records: lang sv, 0/1 cells agreeing with 4-decimal "
          "scores, the expected areas; bad rows: no text, lang or area cells",
          not bad_coding, *bad_coding)

    empty = [r for r, e in zip(body, expect) if e["note"] == "empty answer"]
    check("edge: the empty answer is ok, with no area and every score 0",
          len(empty) == 1 and empty[0][col["status"]] == "ok"
          and all(empty[0][col[a]] == "0" for a in AREAS)
          and all(empty[0][col[a + "_score"]] == "0.0000" for a in AREAS)
          and empty[0][col["evidence"]] == "",
          f"{empty[0][:30] if empty else None}")
    big = [r for r, e in zip(body, expect) if e["unit"] == "big"]
    check("edge: the 1 MiB answer is ok, coded, and written whole",
          len(big) == 1 and big[0][col["status"]] == "ok"
          and len(big[0][col["text"]].encode()) == MB_ANSWER_BYTES
          and big[0][col["access"]] == "1"
          and big[0][col["evidence"]].startswith("access=Väntetid"),
          f"{[c[:80] for c in big[0][:7]] if big else None}")
    return check


# --------------------------------------------------------------------------
# many: N answers, repeated with variations
# --------------------------------------------------------------------------


def variant(t, i, breaks):
    """A deterministic variation of answer t for record i."""
    if not breaks:  # gold answers may hold line breaks of their own
        t = " ".join(t.splitlines())
    k = i % 11
    if k == 1:
        t = t.upper()
    elif k == 2:
        t = t.lower()
    elif k == 3:
        t = f'"{t}", sa hen'
    elif k == 4:
        t = t + f" (svar {i})"
    elif k == 5 and breaks:
        t = t + ("\r\n" if i % 2 else "\n") + t
    elif k == 6:
        t = "  " + t.replace(" ", ", ", 1) + "  "
    elif k == 7 and i % 97 == 0:
        t = ""
    elif k == 8:
        t = t + " 👍"
    return t


def many(n, outfile, breaks=True):
    texts = base_texts()
    m = len(texts)
    jsonl = outfile.endswith(".jsonl")
    flaws = {}
    with open(outfile, "wb") as f:
        if not jsonl:
            f.write(b"id,unit,wave,text\n")
        for i in range(n):
            rid, unit, wave = f"r{i + 1}", f"unit{(i * 31) % 17}", f"w{1 + i % 3}"
            a = texts[(i * 7919) % m]
            if i % 5 == 0:
                a = a + " " + texts[(i * 104729 + 13) % m]
            a = variant(a, i, breaks)
            if i % 4999 == 4998:  # a broken record
                flaws[str(i + 1)] = "bad_row"
                if jsonl:
                    f.write(b'{"id": "%s", "unit": "%s", "text": "' %
                            (rid.encode(), unit.encode()) + b"\n")
                else:
                    f.write(f'{rid},{unit},{wave},"stray"quote\n'.encode())
                continue
            if i % 3001 == 3000:  # not UTF-8
                flaws[rid] = "invalid_utf8"
                ab = a.encode() + b" \xc3("
            else:
                ab = a.encode()
            if jsonl:
                obj = json.dumps({"id": rid, "unit": unit, "wave": wave,
                                  "text": "\ue000"}, ensure_ascii=False)
                body = json.dumps(a, ensure_ascii=False)[1:-1].encode()
                if ab != a.encode():
                    body += b" \xc3("
                f.write(obj.encode().replace("\ue000".encode(), body) + b"\n")
            else:
                f.write(",".join([rid, unit, wave]).encode() + b",")
                if any(c in ab for c in b',"\r\n'):
                    ab = b'"' + ab.replace(b'"', b'""') + b'"'
                f.write(ab + b"\n")
    with open(outfile + ".flaws.json", "w") as f:
        json.dump(flaws, f)


def check_many(inpath, coded):
    check = Checks()
    with open(inpath + ".flaws.json") as f:
        flaws = json.load(f)
    ins = read_dict_rows(inpath)
    with open(coded, newline="", encoding="utf-8") as f:
        outs = list(csv.DictReader(f))
    check(f"many: records out == records in (csv module: {len(ins)})",
          len(outs) == len(ins), f"in {len(ins)}, out {len(outs)}")
    bad = []
    for k, (a, b) in enumerate(zip(ins, outs), 1):
        st = flaws.get(b["id"], "ok")
        if st == "bad_row":
            want = (str(k), "", "", "", "bad_row")
        else:
            text = a["text"].encode("utf-8", "surrogateescape") \
                .decode("utf-8", "replace")
            want = (a["id"], a["unit"], a["wave"], text, st)
        got = (b["id"], b["unit"], b["wave"], b["text"], b["status"])
        if got != want:
            bad.append(f"record {k}: want {want!r:.150}, got {got!r:.150}")
    check("many: ids, --keep unit,wave, texts and statuses record by record",
          not bad, *bad)
    # The flagged records' messages name where they start in the input.
    data, header_end, ends = record_ends(inpath)
    starts = [header_end] + ends[:-1]
    bad = []
    n_flagged = 0
    for k, b in enumerate(outs, 1):
        if b["status"] == "ok" or k > len(starts):
            continue
        n_flagged += 1
        start = starts[k - 1]
        line = data.count(b"\n", 0, start) + 1
        want = f"{inpath}: record {k} (line {line}, byte {start}): "
        if not b["message"].startswith(want):
            bad.append(f"want {want!r}..., got {b['message']!r}")
    check(f"many: the {n_flagged} flagged records' messages name their "
          "record, line and byte", n_flagged == len(flaws) and not bad,
          f"{n_flagged} flagged, {len(flaws)} flaws", *bad)
    return check


# --------------------------------------------------------------------------
# count, split
# --------------------------------------------------------------------------


def record_ends(path):
    """The bytes of a CSV file, the end of its header and the end of each
    record, as Python's csv module sees them."""
    with open(path, "rb") as f:
        data = f.read()
    lines = io.StringIO(data.decode("utf-8", "surrogateescape"),
                        newline="").readlines()
    pos = [0]

    def feed():
        # The csv module pulls a line at a time and reads no further than
        # the record it returns: pos is then that record's end.
        for line in lines:
            pos[0] += len(line.encode("utf-8", "surrogateescape"))
            yield line

    ends = [pos[0] for row in csv.reader(feed()) if row]
    return data, ends[0], ends[1:]


def split(path, n, prefix):
    """Cuts at record boundaries, copying each record's bytes."""
    data, header_end, ends = record_ends(path)
    cuts = [len(ends) * k // n for k in range(n + 1)]
    for k in range(n):
        a = header_end if cuts[k] == 0 else ends[cuts[k] - 1]
        b = header_end if cuts[k + 1] == 0 else ends[cuts[k + 1] - 1]
        with open(f"{prefix}{k + 1}.csv", "wb") as f:
            f.write(data[:header_end] + data[a:b])


def main():
    global SRC
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    SRC = sys.argv[1]
    csv.field_size_limit(1 << 30)
    cmd, args = sys.argv[2], sys.argv[3:]
    if cmd == "edge":
        edge(args[0])
    elif cmd == "check-edge":
        check_edge(*args[:3]).print()
    elif cmd == "many":
        many(int(args[0]), args[1], "--no-breaks" not in args[2:])
    elif cmd == "check-many":
        check_many(*args[:2]).print()
    elif cmd == "count":
        print(len(read_dict_rows(args[0])))
    elif cmd == "split":
        split(args[0], int(args[1]), args[2])
    else:
        sys.stderr.write(f"batchdata.py: unknown command {cmd}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
