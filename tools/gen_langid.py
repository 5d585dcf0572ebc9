#!/usr/bin/env python3
"""gen_langid.py — makes the language-identification profiles lexicons/langid/LANG.txt.

Usage: tools/gen_langid.py [--check]

Counts, for each of sv, nb, nn, da and en, the features that
engine/src/langid.c scores (character n-grams of 1 to 4 code points of a
word with its boundaries, and whole words) over the training text of that
language, and writes them with their weighted counts to
lexicons/langid/LANG.txt. The engine turns the counts into smoothed,
weighted log-probabilities when it starts (naive Bayes; its constants are
in langid.c). With --check it writes nothing and exits 1 when a file is out
of date (run it after the dev splits, stopword lists or markers change).
Needs Python's standard library, libhunspell (libhunspell-dev) and the
Norwegian dictionaries (hunspell-no), all in tools/debian-packages.txt.

Training text, each source scaled to the same weight in every language
(MASS below):
  - Snowball's reference vocabularies, ../shared/testdata/snowball/LANG/voc.txt
    (swedish, danish, english; see that folder's README for their origin).
    Snowball's "norwegian" list mixes Bokmål and Nynorsk, so it is sorted
    with Debian's spelling dictionaries (hunspell-no: nb_NO and nn_NO, read
    through libhunspell with ctypes): a word nb_NO accepts counts for nb, a
    word nn_NO accepts for nn (both, when both accept it), and a word
    neither knows (names, rare compounds) for neither.
  - the stopword lists lexicons/LANG/stopwords.txt;
  - the marker words in MARKERS below: frequent words that tell the
    Scandinavian written standards apart (ikkje/ikke, kva/hva/hvad/vad, ...);
  - the dev splits of the gold corpora, corpora/gold/LANG/dev.csv (column
    text). The test splits are never read: accuracy is measured on them.
Each word also counts in its ASCII-folded spelling (å ä -> a, ö ø -> o,
æ -> ae, é -> e) at ASCII_SHARE of its weight, since answers are often
typed without diacritics.

The rules that make features from text are those of langid.c and must stay
so: letters are Unicode letters, lower-cased code point by code point; an
apostrophe (' or U+2019) between two letters belongs to the word; anything
else ends a word. A word w gives the n-grams of "_w_" of 1 to 4 code points
("_" is the boundary; "_" alone is not a feature) and, when it has at most
WORD_MAX code points, the word itself. Counts are written rounded to whole
numbers, and only the features profiles() keeps (TOP).

The parameters were chosen by 5-fold cross-validation on the dev splits;
docs/langid.md has the measurements.
"""
import csv
import ctypes
import ctypes.util
import io
import os
import sys
import unicodedata
from collections import Counter

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SNOWBALL = os.path.join(ROOT, "..", "shared", "testdata", "snowball")
HUNSPELL = "/usr/share/hunspell"
LANGS = ["sv", "nb", "nn", "da", "en"]
SNOWBALL_NAMES = {"sv": "swedish", "da": "danish", "en": "english"}

WORD_MAX = 24   # longer words give n-grams only (langid.c: WM_LANGID_WORD_MAX)
MAX_ORDER = 4   # longest n-gram
# How many of the most frequent features of a kind a profile keeps (None:
# all): whole words and 4-grams are many and mostly rare, and the rare ones
# add size but no accuracy (measured by 5-fold cross-validation on the dev
# splits).
TOP = {1: None, 2: None, 3: None, 4: 4000, "w": 10000}
# Sources whose words count as word features (a vocabulary's rare words
# only teach spelling, through their n-grams).
WORD_SOURCES = ("voc", "stop", "marker", "dev")

# How much each source weighs, as the number of word occurrences it stands
# for in every language: a source's words are scaled so that they add up to
# this, whatever the source's size in that language. So a language with a
# small dev split or a short stopword list is not made to look as if its
# frequent words were rare. A vocabulary lists each word once whatever its
# frequency (it teaches spelling: which n-grams a language has); stopwords
# and markers stand for the frequent words of running text; the dev answers
# are running text of the very kind the engine sees. "ascii" is the share an
# ASCII-folded spelling gets of its word's weight.
MASS = {"voc": 40000.0, "stop": 40000.0, "marker": 40000.0, "dev": 40000.0}
ASCII_SHARE = 0.25

# Words that tell the written standards apart, as they are written in
# answers about care, besides the stopword lists. Words written alike in
# two standards (hjelp, fastlegen, aldri) are mostly listed in both, so
# that the lists teach the differences rather than a bias.
MARKERS = {
    "nn": """ikkje eg kva korleis kvifor kven kvar kvart berre frå ein eit heime meir
        noko nokon nokre vere kome kjem kjeme ho dei deira dykk dykkar eigen eiga
        eige sjølv sjølve mykje tenesta tenester tenestene høyrd høyre vert verte
        vart vore gjere gjer seie seier veit ynskjer ynskje heilt heile fyrst fekk
        saman samstundes medan inkje aleine kvardag tilbod mogleg moglegheit
        sjukehus sjuk sjukeheim sjukepleiar legen lækjar born vener kjensle
        framtida sjølvstendig spørje treng trenge
        difor elles òg enno endå førebels heller kanskje nokså nettopp
        menneske folk snakke prate fortelje forstå forstått verkeleg viktig
        hjelpe hjelp hjelpa fastlegen tida tid dagen dagar vekene veke
        betre verre lenger lengre aldri alltid igjen tilbake ut opp ned""",
    "nb": """ikke jeg hva hvordan hvorfor hvem hvor bare fra en et hjemme mer noe
        noen noen noe være komme kommer hun de dere deres egen eget egne selv
        mye tjenesten tjenester tjenestene hørt høre blir bli ble vært gjøre gjør
        si sier vet ønsker ønske helt hele først fikk sammen samtidig mens ingen
        alene hverdag tilbud mulig mulighet sykehus syk sykehjem sykepleier
        legen lege barn venner følelse framtiden fremtiden selvstendig spørre
        trenger trenge derfor ellers også ennå kanskje nettopp mennesker folk
        snakke prate fortelle forstå forstått virkelig viktig hjelpe hjelp
        fastlegen tiden tid dagen dager uken uker bedre verre lenger aldri
        alltid igjen tilbake ut opp ned""",
    "da": """hvad af mig dig sig nogle nogen noget efter hjælp hjælpe være blive
        bliver blev blevet også ikke jeg hvordan hvorfor hvem hvor bare fra en et
        hjemme mere meget mange sygehus hospital syg plejehjem læge lægen
        kommunen få får gøre gør sige siger ved ønsker ønske hele først fik
        sammen samtidig mens ingen alene hverdag hverdagen tilbud muligt
        mulighed skole børn venner følelse fremtiden selvstændig høre spørge
        behandling sådan lige mindre rigtig godt hvis når vores jer dem deres
        hende hendes kunne skulle ville hos igennem gennem uden ned op opleve
        tage gå snakke tale forstå virkelig vigtigt vigtig tiden dagen dage
        ugen uger bedre værre længere aldrig altid igen tilbage ud""",
    "sv": """inte jag vad hur varför vem var bara från en ett hemma mer mera något
        några någon vara komma kommer hon de dem egen eget egna själv mycket
        hörd höra blir bli blev varit göra gör säga säger vet vill önskar
        önska hela först fick tillsammans samtidigt medan ingen inget ensam
        vardag vardagen möjligt möjlighet sjukhus sjuk äldreboende
        sjuksköterska läkare läkaren vården barn vänner känsla framtiden
        självständig fråga behöver behöva därför annars också ännu kanske
        människor folk prata berätta förstå förstått verkligen viktigt
        hjälpa hjälp tiden tid dagen dagar veckan veckor bättre sämre längre
        aldrig alltid igen tillbaka ut upp ner och att för med som det är får
        kunna skulle hos utan träffa personal kommunen""",
    "en": "",
}

# ASCII spellings of the letters people leave out when they type fast.
FOLD = {"å": "a", "ä": "a", "à": "a", "á": "a", "â": "a", "ö": "o", "ø": "o",
        "ó": "o", "ò": "o", "ô": "o", "æ": "ae", "é": "e", "è": "e", "ê": "e",
        "ü": "u"}


def lower_cp(c):
    """Lower-cases one code point as utf8proc_tolower() does (simple mapping)."""
    lo = c.lower()
    return lo if len(lo) == 1 else c


def words(text):
    """Splits text into lower-cased words by the rules of langid.c."""
    text = unicodedata.normalize("NFC", text)
    out, cur = [], []
    n = len(text)
    for i, c in enumerate(text):
        cat = unicodedata.category(c)
        if cat[0] == "L":
            cur.append(lower_cp(c))
        elif cat in ("Mn", "Mc", "Me"):
            continue  # a mark NFC could not compose: ignored, as in langid.c
        elif (c in "'\u2019" and cur and i + 1 < n
              and unicodedata.category(text[i + 1])[0] == "L"):
            cur.append("'")
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def features(word):
    """The features of one (lower-cased) word: ('c', n-gram) and ('w', word)."""
    s = "_" + word + "_"
    for j in range(len(s)):
        for n in range(1, MAX_ORDER + 1):
            if j - n + 1 < 0:
                break
            g = s[j - n + 1:j + 1]
            if g != "_":
                yield ("c", g)
    if len(word) <= WORD_MAX:
        yield ("w", word)


def ascii_fold(word):
    return "".join(FOLD.get(c, c) for c in word)


def read_list(path):
    """Words of a word list: one a line, '#' comments, blank lines ignored."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line)
    return out


def read_dev(lang, exclude=None):
    """The texts of the dev split (never the test split); ids in exclude are skipped."""
    path = os.path.join(ROOT, "corpora", "gold", lang, "dev.csv")
    with open(path, encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)
                if not exclude or row["id"] not in exclude]


class Hunspell:
    """One hunspell dictionary, through libhunspell and ctypes."""

    lib = None

    def __init__(self, name):
        if Hunspell.lib is None:
            path = ctypes.util.find_library("hunspell-1.7") or "libhunspell-1.7.so.0"
            try:
                Hunspell.lib = ctypes.CDLL(path)
            except OSError as err:
                sys.exit(f"gen_langid.py: cannot load libhunspell ({err}); "
                         "install the Debian package libhunspell-dev")
            Hunspell.lib.Hunspell_create.restype = ctypes.c_void_p
            Hunspell.lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            Hunspell.lib.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        aff = os.path.join(HUNSPELL, name + ".aff")
        dic = os.path.join(HUNSPELL, name + ".dic")
        if not (os.path.exists(aff) and os.path.exists(dic)):
            sys.exit(f"gen_langid.py: {dic} missing; install the Debian package hunspell-no")
        self.encoding = "utf-8"
        with open(aff, "rb") as f:
            for line in f:
                if line.startswith(b"SET "):
                    self.encoding = line[4:].strip().decode("ascii").lower()
                    break
        self.handle = Hunspell.lib.Hunspell_create(aff.encode(), dic.encode())

    def knows(self, word):
        try:
            b = word.encode(self.encoding)
        except UnicodeEncodeError:
            return False
        return Hunspell.lib.Hunspell_spell(self.handle, b) != 0


def norwegian_split():
    """Snowball's Norwegian vocabulary sorted into Bokmål and Nynorsk words."""
    nb, nn = Hunspell("nb_NO"), Hunspell("nn_NO")
    out = {"nb": [], "nn": []}
    for w in read_list(os.path.join(SNOWBALL, "norwegian", "voc.txt")):
        if nb.knows(w):
            out["nb"].append(w)
        if nn.knows(w):
            out["nn"].append(w)
    return out


def sources(exclude=None):
    """Per language, the list of (source name, texts or words) to count."""
    norwegian = norwegian_split()
    out = {}
    for lang in LANGS:
        src = []
        if lang in SNOWBALL_NAMES:
            voc = read_list(os.path.join(SNOWBALL, SNOWBALL_NAMES[lang], "voc.txt"))
        else:
            voc = norwegian[lang]
        src.append(("voc", voc))
        src.append(("stop", read_list(os.path.join(ROOT, "lexicons", lang, "stopwords.txt"))))
        src.append(("marker", MARKERS[lang].split()))
        dev = []
        for text in read_dev(lang, exclude):
            dev.extend(words(text))
        src.append(("dev", dev))
        out[lang] = src
    return out


def count(src):
    """Weighted feature counts of one language's sources."""
    c = Counter()
    for name, items in src:
        ws = [w for item in items for w in words(item)]
        if not ws:
            continue
        weight = MASS[name] / len(ws)
        with_words = name in WORD_SOURCES
        for w in ws:
            for f in features(w):
                if with_words or f[0] == "c":
                    c[f] += weight
            folded = ascii_fold(w)
            if folded != w:
                for f in features(folded):
                    if with_words or f[0] == "c":
                        c[f] += weight * ASCII_SHARE
    return c


def kind_of(feature):
    """A feature's kind: its n-gram order, or "w"."""
    k, f = feature
    return "w" if k == "w" else len(f)


def profiles(counts):
    """The lines of every language's profile, {lang: [(kind, feature, count)]}.

    A feature is kept when it is among the TOP most frequent of its kind in
    any language, and then it is kept with its count in every language that
    has it: a feature kept for one language and left out of another would
    look absent there, and naive Bayes would punish that language for it."""
    keep = set()
    for lang in LANGS:
        by_kind = {}
        for feat, v in counts[lang].items():
            if round(v) >= 1:
                by_kind.setdefault(kind_of(feat), []).append((-round(v), feat[1], feat))
        for kind, lst in by_kind.items():
            lst.sort()
            keep.update(feat for _, _, feat in lst[:TOP[kind]])
    order = {1: 0, 2: 1, 3: 2, 4: 3, "w": 4}
    out = {}
    for lang in LANGS:
        lines = [(feat, round(v)) for feat, v in counts[lang].items()
                 if feat in keep and round(v) >= 1]
        lines.sort(key=lambda t: (order[kind_of(t[0])], -t[1], t[0][1]))
        out[lang] = [(feat[0], feat[1], v) for feat, v in lines]
    return out


def render(lang, lines, src):
    """The text of one profile file."""
    out = io.StringIO()
    out.write(f"# Language-identification profile of '{lang}' for engine/src/langid.c.\n")
    out.write("#\n# Generated by tools/gen_langid.py: do not edit, change the script and run it.\n")
    out.write("# Trained on (source: words, each word's weight):\n")
    for name, items in src:
        ws = [w for item in items for w in words(item)]
        what = {"voc": "Snowball's reference vocabulary"
                       + (" (norwegian, the words hunspell " + lang + "_NO accepts)"
                          if lang in ("nb", "nn") else ""),
                "stop": f"lexicons/{lang}/stopwords.txt",
                "marker": "marker words in tools/gen_langid.py",
                "dev": f"corpora/gold/{lang}/dev.csv, column text (never test.csv)"}[name]
        weight = MASS[name] / len(ws) if ws else 0
        out.write(f"#   {what}: {len(ws)} words x {weight:.3g}\n")
    out.write(f"#   and each word's ASCII-folded spelling, at {ASCII_SHARE:g} of its weight\n")
    out.write("#\n# Format: KIND<TAB>FEATURE<TAB>COUNT, weighted counts rounded. KIND c: a\n")
    out.write("# character n-gram of 1 to 4 code points, '_' marking a word boundary;\n")
    out.write("# KIND w: a whole word. Lower case, NFC. '#' starts a comment line.\n")
    for k, f, v in lines:
        out.write(f"{k}\t{f}\t{v}\n")
    return out.getvalue()


def build(exclude=None):
    """Counts per language: {lang: (Counter, sources)}."""
    src = sources(exclude)
    return {lang: (count(src[lang]), src[lang]) for lang in LANGS}


def main(argv):
    check = "--check" in argv[1:]
    outdir = os.path.join(ROOT, "lexicons", "langid")
    built = build()
    lines = profiles({lang: built[lang][0] for lang in LANGS})
    changed = 0
    for lang in LANGS:
        text = render(lang, lines[lang], built[lang][1])
        path = os.path.join(outdir, lang + ".txt")
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old == text:
            continue
        changed += 1
        if check:
            print(f"{path}: out of date", file=sys.stderr)
        else:
            os.makedirs(outdir, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print(f"wrote {path}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
