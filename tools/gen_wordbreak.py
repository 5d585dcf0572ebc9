#!/usr/bin/env python3
"""Generate engine/src/wordbreak_data.h, the property tables of wordbreak.c.

For every code point 0..10FFFF the segmenter needs three facts: its UAX #29
Word_Break value, whether it is Extended_Pictographic (rule WB3c), and a
coarse summary of what it is (letter, digit, emoji, symbol, punctuation,
space, other) for the WM_WB_* mask of wordbreak.h. The distinct combinations
of those facts are few (a few dozen), so each code point is mapped to a
one-byte "class" and the class table holds the facts.

The code point -> class map is a two-stage table: cp >> SHIFT selects a
block number in stage 1, and the block (deduplicated, 1 << SHIFT entries) in
stage 2 gives the class. SHIFT is chosen here as the one that makes the two
stages smallest. A 128-entry ASCII table holds the facts directly, for the
segmenter's fast path.

Inputs (Debian 12 package unicode-data, Unicode 15.0.0):
  auxiliary/WordBreakProperty.txt   Word_Break
  emoji/emoji-data.txt              Extended_Pictographic
  UnicodeData.txt                   General_Category

Usage: tools/gen_wordbreak.py [--unicode-dir DIR] [--output FILE]
Standard library only; the build never runs this, the output is committed.
"""

import argparse
import os
import re
import sys

MAX_CP = 0x110000

# Word_Break values in the order of the WM_WBP_* numbers. wordbreak.c's rule
# table is indexed by these numbers, so the order is part of the contract.
WB_VALUES = [
    "Other", "CR", "LF", "Newline", "Extend", "ZWJ", "Regional_Indicator",
    "Format", "Katakana", "Hebrew_Letter", "ALetter", "Single_Quote",
    "Double_Quote", "MidNumLet", "MidLetter", "MidNum", "Numeric",
    "ExtendNumLet", "WSegSpace",
]
WB_MACRO = {
    "Other": "OTHER", "CR": "CR", "LF": "LF", "Newline": "NEWLINE",
    "Extend": "EXTEND", "ZWJ": "ZWJ", "Regional_Indicator": "RI",
    "Format": "FORMAT", "Katakana": "KATAKANA", "Hebrew_Letter": "HL",
    "ALetter": "ALETTER", "Single_Quote": "SQ", "Double_Quote": "DQ",
    "MidNumLet": "MIDNUMLET", "MidLetter": "MIDLETTER", "MidNum": "MIDNUM",
    "Numeric": "NUMERIC", "ExtendNumLet": "EXTENDNUMLET",
    "WSegSpace": "WSEGSPACE",
}
EP_FLAG = 0x20  # WM_WBP_EP: Extended_Pictographic, or'ed into the wb byte

# Mask bits: the WM_WB_* names of wordbreak.h, written symbolically so that
# the generated file cannot drift from the header.
LETTER, DIGIT, EMOJI, SYMBOL, PUNCT, SPACE, OTHER = (
    "WM_WB_LETTER", "WM_WB_DIGIT", "WM_WB_EMOJI", "WM_WB_SYMBOL",
    "WM_WB_PUNCT", "WM_WB_SPACE", "WM_WB_OTHER")
MASK_ORDER = [LETTER, DIGIT, EMOJI, SYMBOL, PUNCT, SPACE, OTHER]

LINE = re.compile(r"^([0-9A-Fa-f]{4,6})(?:\.\.([0-9A-Fa-f]{4,6}))?\s*;\s*([A-Za-z_]+)")


def read_ranges(path, wanted=None):
    """Yield (first, last, value) from a UCD-style 'cp[..cp] ; value' file."""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            m = LINE.match(line)
            if not m:
                sys.exit("%s: cannot parse: %r" % (path, raw))
            first = int(m.group(1), 16)
            last = int(m.group(2), 16) if m.group(2) else first
            value = m.group(3)
            if wanted is None or value == wanted:
                yield first, last, value


def file_version(path, pattern):
    """Return the version the first lines of a Unicode file declare."""
    with open(path, encoding="utf-8") as f:
        head = "".join(f.readline() for _ in range(12))
    m = re.search(pattern, head)
    if not m:
        sys.exit("%s: no version line matching %r" % (path, pattern))
    return m.group(1)


def load_word_break(path):
    """Word_Break per code point, as an index into WB_VALUES (0 = Other)."""
    wb = [0] * MAX_CP
    index = {name: i for i, name in enumerate(WB_VALUES)}
    for first, last, value in read_ranges(path):
        if value not in index:
            sys.exit("%s: unknown Word_Break value %s" % (path, value))
        for cp in range(first, last + 1):
            if wb[cp]:
                sys.exit("%s: U+%04X listed twice" % (path, cp))
            wb[cp] = index[value]
    return wb


def load_ext_pict(path):
    """Extended_Pictographic per code point (rule WB3c and WM_WB_EMOJI)."""
    ep = [False] * MAX_CP
    for first, last, _ in read_ranges(path, "Extended_Pictographic"):
        for cp in range(first, last + 1):
            ep[cp] = True
    return ep


def load_general_category(path):
    """General_Category per code point; unlisted ones are Cn."""
    gc = ["Cn"] * MAX_CP
    range_start = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            fields = raw.rstrip("\n").split(";")
            if len(fields) < 3:
                continue
            cp, name, cat = int(fields[0], 16), fields[1], fields[2]
            if name.endswith(", First>"):
                range_start = cp
                continue
            if name.endswith(", Last>"):
                for c in range(range_start, cp + 1):
                    gc[c] = cat
                range_start = None
                continue
            gc[cp] = cat
    return gc


def mask_of(wb_name, ep, cat):
    """The WM_WB_* bits one code point contributes (see wordbreak.h)."""
    bits = set()
    emoji = ep or wb_name == "Regional_Indicator"
    if wb_name in ("ALetter", "Hebrew_Letter", "Katakana") or cat[0] == "L":
        bits.add(LETTER)
    if wb_name == "Numeric":
        bits.add(DIGIT)
    if emoji:
        bits.add(EMOJI)
    if cat[0] == "S" and not emoji:
        bits.add(SYMBOL)
    if cat[0] == "P":
        bits.add(PUNCT)
    if wb_name in ("WSegSpace", "CR", "LF", "Newline") or cat[0] == "Z":
        bits.add(SPACE)
    if not bits:
        bits.add(OTHER)
    return tuple(b for b in MASK_ORDER if b in bits)


def mask_expr(bits):
    """The C expression of a set of mask bits."""
    return "|".join(bits)


def wb_expr(wb, ep):
    """The C expression of a class's wb byte."""
    s = "WM_WBP_" + WB_MACRO[WB_VALUES[wb]]
    return s + "|WM_WBP_EP" if ep else s


def two_stage(classes, shift):
    """Split the per-code-point classes into (stage1, blocks)."""
    size = 1 << shift
    blocks, seen, stage1 = [], {}, []
    for start in range(0, MAX_CP, size):
        block = tuple(classes[start:start + size])
        if block not in seen:
            seen[block] = len(blocks)
            blocks.append(block)
        stage1.append(seen[block])
    return stage1, blocks


def c_array(values, per_line, width):
    """Numbers as the body of a C array initializer, per_line to a line."""
    out, line = [], "   "
    for i, v in enumerate(values):
        item = " %*d," % (width, v)
        if i and i % per_line == 0:
            out.append(line)
            line = "   "
        line += item
    out.append(line)
    return "\n".join(out)


def main():
    """Read the Unicode files, build the tables, write the header."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unicode-dir", default="/usr/share/unicode")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--output", default=os.path.normpath(os.path.join(
        here, "..", "engine", "src", "wordbreak_data.h")))
    args = ap.parse_args()

    wbp_path = os.path.join(args.unicode_dir, "auxiliary", "WordBreakProperty.txt")
    emoji_path = os.path.join(args.unicode_dir, "emoji", "emoji-data.txt")
    ucd_path = os.path.join(args.unicode_dir, "UnicodeData.txt")

    version = file_version(wbp_path, r"WordBreakProperty-(\d+\.\d+\.\d+)\.txt")
    emoji_version = file_version(emoji_path, r"Emoji Version (\d+\.\d+)")
    if not version.startswith(emoji_version + "."):
        sys.exit("version mismatch: WordBreakProperty %s, emoji-data %s"
                 % (version, emoji_version))

    wb = load_word_break(wbp_path)
    ep = load_ext_pict(emoji_path)
    gc = load_general_category(ucd_path)

    # Class 0 must be what unassigned code points get: Other, not pictographic,
    # category Cn. Then the classes in order of first appearance.
    class_index = {}
    class_list = []
    key0 = (0, False, mask_of("Other", False, "Cn"))
    class_index[key0] = 0
    class_list.append(key0)
    classes = [0] * MAX_CP
    for cp in range(MAX_CP):
        key = (wb[cp], ep[cp], mask_of(WB_VALUES[wb[cp]], ep[cp], gc[cp]))
        idx = class_index.get(key)
        if idx is None:
            idx = class_index[key] = len(class_list)
            class_list.append(key)
        classes[cp] = idx
    if len(class_list) > 256:
        sys.exit("too many classes: %d" % len(class_list))
    # wordbreak.c relies on these: the characters rule WB3c joins after a ZWJ
    # are never absorbed by WB4, and ASCII holds no Extend/Format/ZWJ.
    for cp in range(MAX_CP):
        if ep[cp] and WB_VALUES[wb[cp]] in ("Extend", "Format", "ZWJ"):
            sys.exit("U+%04X is Extended_Pictographic and %s" % (cp, WB_VALUES[wb[cp]]))
    for cp in range(128):
        if WB_VALUES[wb[cp]] in ("Extend", "Format", "ZWJ", "Katakana",
                                 "Hebrew_Letter", "Regional_Indicator") or ep[cp]:
            sys.exit("U+%04X: unexpected ASCII property" % cp)
    # wordbreak.h's word fast path (wm_wb_step) relies on these: the ASCII
    # letters and U+00C0..U+00FF but U+00D7 and U+00F7 are ALetter and add
    # the letter bit alone; below 0x40, only the digits are Numeric, only
    # ' . : may hold two letters together (WB6/7), and nothing else joins a
    # letter (WM__WB_DIGITS, WM__WB_MIDS).
    for cp in list(range(0x41, 0x5B)) + list(range(0x61, 0x7B)) + \
            [c for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)]:
        if WB_VALUES[wb[cp]] != "ALetter" or ep[cp] or \
                mask_of("ALetter", ep[cp], gc[cp]) != (LETTER,):
            sys.exit("U+%04X: not a plain ALetter letter, as wm_wb_step assumes" % cp)
    for cp in range(0x40):
        want = ("Numeric" if 0x30 <= cp <= 0x39 else
                "Mid" if chr(cp) in "'.:" else "ends")
        got = WB_VALUES[wb[cp]]
        if got in ("Single_Quote", "MidNumLet", "MidLetter"):
            got = "Mid"
        elif got not in ("Numeric", "ALetter", "Hebrew_Letter", "ExtendNumLet"):
            got = "ends"
        if got != want:
            sys.exit("U+%04X: %s, not %s as wm_wb_step assumes" % (cp, got, want))
    for cp in (0xD7, 0xF7):
        if WB_VALUES[wb[cp]] != "Other" or ep[cp]:
            sys.exit("U+%04X: not Other, as wm_wb_step assumes" % cp)
    for cp in range(0x40):
        if WB_VALUES[wb[cp]] in ("CR", "WSegSpace") and cp not in (0x0D, 0x20):
            sys.exit("U+%04X: %s, which wm_wb_step takes for a segment alone"
                     % (cp, WB_VALUES[wb[cp]]))

    # Pick the block size that makes the two stages smallest.
    best = None
    for shift in range(5, 10):
        stage1, blocks = two_stage(classes, shift)
        s1_bytes = len(stage1) * (1 if len(blocks) <= 256 else 2)
        total = s1_bytes + len(blocks) * (1 << shift)
        if best is None or total < best[0]:
            best = (total, shift, stage1, blocks)
    total, shift, stage1, blocks = best
    s1_type = "uint8_t" if len(blocks) <= 256 else "uint16_t"
    stage2 = [c for block in blocks for c in block]

    out = []
    w = out.append
    w("/*")
    w("** wordbreak_data.h — Word_Break property tables for wordbreak.c.")
    w("**")
    w("** GENERATED by tools/gen_wordbreak.py; do not edit, run the script.")
    w("** Unicode %s, from the Debian 12 package unicode-data:" % version)
    w("**   auxiliary/WordBreakProperty.txt (Word_Break, WordBreakProperty-%s)" % version)
    w("**   emoji/emoji-data.txt (Extended_Pictographic, Emoji Version %s)" % emoji_version)
    w("**   UnicodeData.txt (General_Category, for the WM_WB_* mask bits)")
    w("**")
    w("** A code point's class is")
    w("**   wm_wb_stage2[(wm_wb_stage1[cp >> WM_WB_SHIFT] << WM_WB_SHIFT)")
    w("**                + (cp & WM_WB_BLOCK_MASK)]")
    w("** and wm_wb_classes[class] gives its Word_Break value (with WM_WBP_EP")
    w("** or'ed in for Extended_Pictographic) and the WM_WB_* bits it adds to a")
    w("** segment's mask. wm_wb_ascii[] holds the same facts for U+0000..007F.")
    w("** Size: %d classes, stage 1 %d entries, stage 2 %d blocks of %d (%d bytes)."
      % (len(class_list), len(stage1), len(blocks), 1 << shift, total))
    w("*/")
    w("#ifndef WM_WORDBREAK_DATA_H")
    w("#define WM_WORDBREAK_DATA_H")
    w("")
    w("#include <stdint.h>")
    w("")
    w('#include "wordbreak.h"')
    w("")
    w("/* Word_Break property values (UAX #29 Table 3). */")
    for i, name in enumerate(WB_VALUES):
        w("#define WM_WBP_%-13s %2d /* %s */" % (WB_MACRO[name], i, name))
    w("#define WM_WBP_COUNT         %2d /* number of values */" % len(WB_VALUES))
    w("#define WM_WBP_VALUE       0x1F /* the value bits of a wb byte */")
    w("#define WM_WBP_EP          0x%02X /* flag: Extended_Pictographic */" % EP_FLAG)
    w("")
    w("/* What the segmenter knows about a class of code points. */")
    w("struct wm_wb_class {")
    w("    uint8_t wb;   /* WM_WBP_* value, | WM_WBP_EP when pictographic */")
    w("    uint8_t mask; /* WM_WB_* bits it adds to its segment's mask */")
    w("};")
    w("")
    w("#define WM_WB_SHIFT      %d" % shift)
    w("#define WM_WB_BLOCK_MASK 0x%X" % ((1 << shift) - 1))
    w("")
    w("/* The classes; class 0 is that of unassigned code points. */")
    w("static const struct wm_wb_class wm_wb_classes[%d] = {" % len(class_list))
    for i, (wbv, epv, bits) in enumerate(class_list):
        w("    { %s, %s }, /* %d */" % (wb_expr(wbv, epv), mask_expr(bits), i))
    w("};")
    w("")
    w("/* U+0000..007F: the class facts directly, for the ASCII fast path. */")
    w("static const struct wm_wb_class wm_wb_ascii[128] = {")
    for cp in range(128):
        wbv, epv, bits = class_list[classes[cp]]
        shown = chr(cp) if 0x20 < cp < 0x7F else "U+%04X" % cp
        if shown == "\\":
            shown = "backslash"
        w("    { %s, %s }, /* %s */" % (wb_expr(wbv, epv), mask_expr(bits), shown))
    w("};")
    w("")
    w("/* Stage 1: block number of each %d-code-point block. */" % (1 << shift))
    w("static const %s wm_wb_stage1[%d] = {" % (s1_type, len(stage1)))
    w(c_array(stage1, 16, 3))
    w("};")
    w("")
    w("/* Stage 2: the class of each code point of each distinct block. */")
    w("static const uint8_t wm_wb_stage2[%d] = {" % len(stage2))
    w(c_array(stage2, 20, 2))
    w("};")
    w("")
    w("#endif /* WM_WORDBREAK_DATA_H */")
    text = "\n".join(out) + "\n"
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print("%s: %d classes, shift %d, %d blocks, %d table bytes, %d file bytes"
          % (args.output, len(class_list), shift, len(blocks), total, len(text.encode())))


if __name__ == "__main__":
    main()
