"""whatmatters: code answers to "What matters to you?" into areas, from Python.

A thin layer over libwhatmatters (engine/include/whatmatters.h) with ctypes:
no compiled extension. The model is the library's:

- An Engine holds what never changes while answers are coded (taxonomy,
  word lists, plugins). It is set up in its constructor and then shared by
  any number of threads.
- An Analyzer is one thread's worker for one language. Engine.analyze() and
  Engine.classify() use one per calling thread and language, made on first
  use; classify_many() makes one per worker thread. Results are plain Python
  objects that own their data: they stay valid after the next call.
- Engine.close() (or leaving a ``with`` block) frees the engine and every
  analyzer made from it; it must not run while another thread is still
  using the engine. Without it the memory goes when the Engine is garbage
  collected.

Errors of the library raise WhatmattersError, which carries the code's
name ("WM_EPARSE") and the engine's message.
"""

import math
import os
import threading
import weakref
from typing import Dict, List, NamedTuple, Optional, Tuple

from . import _capi

__all__ = [
    "Engine", "Analyzer", "Token", "Evidence", "Classification",
    "WhatmattersError", "code_dataframe", "library_version", "languages",
]

class WhatmattersError(Exception):
    """An error of the library: ``code`` (negative int), ``name``
    ("WM_EPARSE") and ``message`` (the engine's or analyzer's detailed
    message, else the code's sentence)."""

    def __init__(self, code, message):
        self.code = code
        self.name = _capi.RESULT_NAMES.get(code, "WM_E%d" % -code)
        self.message = message
        super().__init__("%s: %s" % (self.name, message))


class Token(NamedTuple):
    """One token of an answer. start/end are byte offsets into the UTF-8
    answer; char_start/char_end the same span as str indexes (None when
    the answer was given as bytes). flags are names: "word", "stopword",
    "negated", ... (WM_TOK_* in the header)."""
    start: int
    end: int
    text: str
    norm: str
    stem: str
    flags: Tuple[str, ...]
    char_start: Optional[int] = None
    char_end: Optional[int] = None


class Evidence(NamedTuple):
    """One piece of evidence for an area: the span (bytes and str indexes),
    the text it covers, the rule that matched, the plugin that found it,
    the rule's weight, and whether the span is negated or rests on the
    spelling stage."""
    area: str
    start: int
    end: int
    text: str
    rule: str
    plugin: str
    weight: float
    negated: bool
    spelling: bool
    char_start: Optional[int] = None
    char_end: Optional[int] = None


class Classification(NamedTuple):
    """The result of coding one answer: the assigned areas (taxonomy
    order), every area's combined score, the evidence, and when a plugin
    failed on the answer its name and message (the others' results
    stand)."""
    areas: List[str]
    scores: Dict[str, float]
    evidence: List[Evidence] = []  # never mutated: results are read-only
    failed_plugin: Optional[str] = None
    failure: str = ""


def library_version(library=None):
    """The version of the libwhatmatters that loads ("0.1.0")."""
    return _capi.load(library).wm_version().decode()


def languages():
    """The language codes the library supports."""
    return ["sv", "nb", "nn", "da", "en"]


def _encode(text):
    """The answer as UTF-8 bytes, and its str (None for bytes input).
    Lone surrogates pass through as the invalid bytes they are, so that
    the engine reports them as data instead of Python refusing the
    answer."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text), None
    if not isinstance(text, str):
        raise TypeError("an answer is str or bytes, not %s"
                        % type(text).__name__)
    return text.encode("utf-8", "surrogatepass"), text


class _CharIndex:
    """Turns byte offsets of an answer into str indexes. For ASCII they
    are equal; otherwise a table of the character each byte belongs to is
    built on the first look-up (linear in the answer's length, and only
    for an answer with tokens or evidence), as decoding a prefix for each
    offset would be quadratic."""

    def __init__(self, text, data):
        self.text = text
        self.table = None
        self.ascii = text is not None and len(text) == len(data)

    def __call__(self, offset):
        if self.ascii:
            return offset
        if self.text is None:
            return None
        if self.table is None:
            table = []
            for i, ch in enumerate(self.text):
                o = ord(ch)
                n = 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
                table.extend([i] * n)
            table.append(len(self.text))
            self.table = table
        return self.table[min(offset, len(self.table) - 1)]


class _Handle:
    """A library handle freed by close(): on leaving a `with` block, or when
    the object is collected with its handle still open. (The engine frees
    its analyzers when it closes first.)"""

    _handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self.close()


class Analyzer(_Handle):
    """One thread's worker for one language (a wm_analyzer). Use it from
    one thread at a time; close() frees it (also at the end of a ``with``
    block). Most programs need not make one: Engine.analyze/classify and
    classify_many do. It must be closed before its engine."""

    def __init__(self, engine, lang):
        self._engine = engine
        self._lib = engine._lib
        self.lang = lang
        handle = _capi.c_ptr()
        rc = self._lib.wm_analyzer_new(engine._handle, lang.encode(),
                                       _capi.ctypes.byref(handle))
        if rc != 0:
            # No analyzer, so no message of its own: the code says why.
            raise WhatmattersError(rc, "cannot make an analyzer for '%s': %s"
                                   % (lang, self._lib.wm_strerror(rc).decode()))
        self._handle = handle
        engine._every.add(self)

    def close(self):
        """Frees the analyzer; a second call does nothing."""
        if self._handle is not None:
            self._lib.wm_analyzer_free(self._handle)
            self._handle = None

    def _fail(self, rc):
        msg = self._lib.wm_analyzer_errmsg(self._handle)
        raise WhatmattersError(rc, msg.decode("utf-8", "replace") if msg
                               else self._lib.wm_strerror(rc).decode())

    def _check_open(self):
        if self._handle is None:
            raise WhatmattersError(-8, "the analyzer is closed")

    def analyze(self, text, all_segments=False, strict_utf8=False):
        """The tokens of one answer (list of Token). all_segments also
        gives punctuation, space and invalid-byte segments; strict_utf8
        refuses invalid UTF-8 (WM_EUTF8) instead of reporting it."""
        self._check_open()
        data, s = _encode(text)
        flags = ((_capi.ANALYZE_ALL if all_segments else 0)
                 | (_capi.ANALYZE_STRICT_UTF8 if strict_utf8 else 0))
        out = _capi.ctypes.POINTER(_capi.Analysis)()
        rc = self._lib.wm_analyze(self._handle, data, len(data), flags,
                                  _capi.ctypes.byref(out))
        if rc != 0:
            self._fail(rc)
        return _tokens(out.contents, data, _CharIndex(s, data))

    def classify(self, text, strict_utf8=False, evidence=True):
        """Codes one answer: a Classification (with evidence=False its
        evidence list is left empty, which is faster)."""
        self._check_open()
        data, s = _encode(text)
        flags = _capi.ANALYZE_STRICT_UTF8 if strict_utf8 else 0
        out = _capi.ctypes.POINTER(_capi.Classification)()
        rc = self._lib.wm_classify(self._handle, data, len(data), flags,
                                   _capi.ctypes.byref(out))
        if rc != 0:
            self._fail(rc)
        return self._engine._result(out.contents, data, _CharIndex(s, data),
                                    evidence)


def _tokens(an, data, chars):
    """Copies the tokens of a BORROWED wm_analysis into Token objects."""
    string_at = _capi.ctypes.string_at
    tokens = []
    for i in range(an.n_tokens):
        t = an.tokens[i]
        tokens.append(Token(
            start=t.start, end=t.end,
            text=data[t.start:t.end].decode("utf-8", "replace"),
            norm=string_at(t.norm, t.norm_len).decode("utf-8", "replace")
            if t.norm_len else "",
            stem=string_at(t.stem, t.stem_len).decode("utf-8", "replace")
            if t.stem_len else "",
            flags=tuple(name for bit, name in _capi.TOKEN_FLAGS
                        if t.flags & bit),
            char_start=chars(t.start), char_end=chars(t.end)))
    return tokens


class Engine(_Handle):
    """A set-up engine (a wm_engine), shared by every thread.

    lang      language(s) plugins are made for: "sv", "sv,en" or a list;
              None for all. The default language of analyze/classify when
              it is one.
    plugins   None: every built-in plugin with shipped data (lexicon,
              pattern), as the CLI's default; else a list of names or paths
              to plugin .so files, or (name, options) pairs.
    combine   "max" (default) or "mean": how several plugins' scores make one.
    spell     "off" (default), "on" or "suggest": the spelling stage
              (Hunspell dictionaries from dict_dir, default
              /usr/share/hunspell).
    data_dir  a folder laid out as lexicons/: plugins' data files, and word
              lists when it holds any (as the CLI's --data).
    taxonomy  a taxonomy file in place of the built-in nine areas.
    max_text_len  bytes in one answer (0: the library's 256 MiB).
    library   the path of libwhatmatters.so to use (else WHATMATTERS_LIB,
              else the dynamic loader's path).

    Raises WhatmattersError with the engine's message when a setup step
    fails (a data file that does not parse names file:line:column).
    """

    def __init__(self, lang=None, plugins=None, combine="max", spell="off",
                 data_dir=None, taxonomy=None, dict_dir=None,
                 max_text_len=0, library=None):
        self._lib = _capi.load(library)
        self._handle = None
        self._analyzers = {}     # (thread ident, lang) -> Analyzer
        self._every = weakref.WeakSet()  # every open Analyzer of the engine
        self._lock = threading.Lock()
        if isinstance(lang, (list, tuple)):
            lang = ",".join(lang)
        self.lang = lang
        if combine not in _capi.COMBINE_RULES:
            raise ValueError("combine is 'max' or 'mean', not %r" % (combine,))
        if spell not in _capi.SPELL_MODES:
            raise ValueError("spell is 'off', 'on' or 'suggest', not %r"
                             % (spell,))
        opts = _capi.EngineOptions()
        opts.struct_size = _capi.ctypes.sizeof(opts)
        opts.max_text_len = max_text_len
        handle = _capi.c_ptr()
        rc = self._lib.wm_engine_new(_capi.ctypes.byref(opts),
                                     _capi.ctypes.byref(handle))
        if rc != 0:
            raise WhatmattersError(rc, self._lib.wm_strerror(rc).decode())
        self._handle = handle
        try:
            self._setup(lang, plugins, combine, spell, data_dir, taxonomy,
                        dict_dir)
        except BaseException:
            self.close()
            raise
        n = self._lib.wm_engine_area_count(handle)
        self.areas = [self._lib.wm_engine_area_id(handle, i).decode()
                      for i in range(n)]
        self.plugins = [self._lib.wm_engine_plugin_name(handle, i).decode()
                        for i in range(self._lib.wm_engine_plugin_count(handle))]

    def _setup(self, lang, plugins, combine, spell, data_dir, taxonomy,
               dict_dir):
        """The setup calls, in the order the library requires (the CLI's
        order): taxonomy, data folder and its word lists, languages,
        combination rule, plugins, spelling."""
        lib, h = self._lib, self._handle
        if taxonomy is not None:
            self._check(lib.wm_engine_load_taxonomy(h, _path(taxonomy)))
        if data_dir is not None:
            self._check(lib.wm_engine_set_data_dir(h, _path(data_dir)))
            if _has_wordlists(data_dir):
                self._check(lib.wm_engine_load_wordlists(h, _path(data_dir)))
        if lang is not None:
            self._check(lib.wm_engine_set_languages(h, lang.encode()))
        self._check(lib.wm_engine_set_combine(h, _capi.COMBINE_RULES[combine]))
        if plugins is None:
            # Every built-in plugin, as the CLI: one without data for the
            # language (supervised without a built-in model) skips itself.
            plugins = [lib.wm_builtin_plugin_name(i).decode()
                       for i in range(lib.wm_builtin_plugin_count())]
        for p in plugins:
            name, options = (p if isinstance(p, tuple) else (p, None))
            self._check(lib.wm_engine_add_plugin(
                h, _path(name), None if options is None else options.encode()))
        if spell != "off":
            self._check(lib.wm_engine_set_spelling(
                h, _capi.SPELL_MODES[spell],
                None if dict_dir is None else _path(dict_dir)))

    def _check(self, rc):
        """Raises the engine's last error when rc is not WM_OK."""
        if rc != 0:
            msg = self._lib.wm_engine_errmsg(self._handle)
            raise WhatmattersError(rc, msg.decode("utf-8", "replace") if msg
                                   else self._lib.wm_strerror(rc).decode())

    # --- life ------------------------------------------------------------

    def close(self):
        """Frees every analyzer still open on the engine (its own and the
        caller's), then the engine. No thread may be using either. A second
        call does nothing."""
        with self._lock:
            self._analyzers = {}
            every = list(self._every)
        for a in every:
            a.close()
        if self._handle is not None:
            self._lib.wm_engine_free(self._handle)
            self._handle = None

    # --- analyzers -------------------------------------------------------

    def _lang(self, lang):
        lang = lang or self.lang
        if lang is None or "," in lang:
            raise ValueError("name the language (the engine has %s)"
                             % (self.lang or "all"))
        return lang

    def analyzer(self, lang=None):
        """A new Analyzer for one language, for a thread of the caller's
        own; the caller closes it (before the engine)."""
        if self._handle is None:
            raise WhatmattersError(-8, "the engine is closed")
        return Analyzer(self, self._lang(lang))

    def _own_analyzer(self, lang):
        """The calling thread's analyzer for lang, made on first use.
        Analyzers of threads that have ended are freed here, so that many
        short-lived threads do not pile them up."""
        key = (threading.get_ident(), lang)
        a = self._analyzers.get(key)
        if a is not None:
            return a
        a = self.analyzer(lang)
        alive = {t.ident for t in threading.enumerate()}
        with self._lock:
            dead = [k for k in self._analyzers if k[0] not in alive]
            stale = [self._analyzers.pop(k) for k in dead]
            self._analyzers[key] = a
        for old in stale:
            old.close()
        return a

    # --- coding ----------------------------------------------------------

    def analyze(self, text, lang=None, all_segments=False, strict_utf8=False):
        """The tokens of one answer (see Analyzer.analyze)."""
        return self._own_analyzer(self._lang(lang)).analyze(
            text, all_segments, strict_utf8)

    def classify(self, text, lang=None, strict_utf8=False, evidence=True):
        """Codes one answer into a Classification."""
        return self._own_analyzer(self._lang(lang)).classify(
            text, strict_utf8, evidence)

    def classify_many(self, texts, lang=None, threads=1, batch=64,
                      evidence=True):
        """Codes every answer of an iterable, in input order, on `threads`
        threads (None: the number of CPUs), each with its own analyzer.
        ctypes lets go of the GIL inside the library, so the engine's work
        runs in parallel; making the Python results holds it, so more
        threads pay only when the library's share of the time is large
        (python/README.md has figures). An answer that is None or NaN (a missing value in
        a DataFrame) gives None. evidence=False leaves the evidence lists
        empty: faster, as making Python objects holds the GIL. Returns a
        list of Classification."""
        lang = self._lang(lang)
        texts = list(texts)
        results = [None] * len(texts)
        threads = max(1, min(threads or os.cpu_count() or 1,
                             (len(texts) + batch - 1) // batch or 1))
        next_start = [0]
        take = threading.Lock()
        errors = []

        def work():
            try:
                with self.analyzer(lang) as a:
                    while not errors:
                        with take:
                            start = next_start[0]
                            next_start[0] += batch
                        if start >= len(texts):
                            return
                        for i in range(start, min(start + batch, len(texts))):
                            t = texts[i]
                            if t is None or (isinstance(t, float)
                                             and math.isnan(t)):
                                continue
                            results[i] = a.classify(t, evidence=evidence)
            except BaseException as exc:  # reported in the caller's thread
                errors.append(exc)

        if threads == 1:
            work()
        else:
            pool = [threading.Thread(target=work) for _ in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
        if errors:
            raise errors[0]
        return results

    def code_dataframe(self, df, column, lang=None, threads=1,
                       scores=False, evidence=False):
        """code_dataframe() with this engine."""
        return code_dataframe(df, column, lang, engine=self, threads=threads,
                              scores=scores, evidence=evidence)

    def detect_lang(self, text):
        """(language code, confidence) of an answer, or (None, 0.0) when it
        is too short or has no clue."""
        data, _ = _encode(text)
        code = _capi.ctypes.c_char_p()
        conf = _capi.ctypes.c_double()
        rc = self._lib.wm_engine_detect_lang(self._handle, data, len(data),
                                             _capi.ctypes.byref(code),
                                             _capi.ctypes.byref(conf))
        if rc != 0:
            return None, 0.0
        return code.value.decode(), conf.value

    def area_name(self, area, lang):
        """An area's name in a language ("Tillgänglighet")."""
        return self._lib.wm_engine_area_name(
            self._handle, self.areas.index(area), lang.encode()).decode()

    def _result(self, c, data, chars, with_evidence=True):
        """Copies a BORROWED wm_classification into a Classification."""
        n = c.n_areas
        areas = self.areas
        evidence = []
        for i in range(c.n_evidence if with_evidence else 0):
            e = c.evidence[i]
            evidence.append(Evidence(
                area=areas[e.area], start=e.start, end=e.end,
                text=data[e.start:e.end].decode("utf-8", "replace"),
                rule=(e.rule or b"").decode("utf-8", "replace"),
                plugin=self.plugins[e.plugin] if e.plugin < len(self.plugins)
                else str(e.plugin),
                weight=e.weight,
                negated=bool(e.flags & _capi.EVIDENCE_NEGATED),
                spelling=bool(e.flags & _capi.EVIDENCE_SPELLING),
                char_start=chars(e.start), char_end=chars(e.end)))
        failed = None
        if c.status & _capi.STATUS_PLUGIN_FAILED and c.failed_plugin >= 0:
            failed = self.plugins[c.failed_plugin]
        return Classification(
            areas=[a for a, on in zip(areas, c.labels[:n]) if on],
            scores=dict(zip(areas, c.scores[:n])),
            evidence=evidence, failed_plugin=failed,
            failure=(c.failure or b"").decode("utf-8", "replace"))


def _path(p):
    """A path or name as the bytes the library takes."""
    return os.fsencode(p)


def _has_wordlists(folder):
    """Whether a data folder holds a word list (FOLDER/LANG/stopwords.txt
    or negation.txt): the library refuses a word-list folder without one,
    and a folder of lexicons alone is a lexicon to try (the CLI's rule)."""
    for lang in languages():
        for name in ("stopwords.txt", "negation.txt"):
            if os.path.exists(os.path.join(folder, lang, name)):
                return True
    return False


def code_dataframe(df, column, lang=None, engine=None, threads=1,
                   scores=False, evidence=False):
    """Codes the answers in df[column] and returns a new DataFrame: df's
    columns, then `areas` (the assigned area ids joined by ","), one 0/1
    column per area, with scores=True one "<area>_score" column per area,
    and with evidence=True an `evidence` column of lists of Evidence. A
    missing answer (None/NaN) gets no areas. With engine=None an Engine
    for lang with the default plugins is made and closed here. Needs pandas
    (ImportError otherwise)."""
    import pandas as pd

    own = engine is None
    if own:
        engine = Engine(lang=lang)
    try:
        results = engine.classify_many(df[column].tolist(), lang,
                                       threads=threads, evidence=evidence)
        empty = Classification(areas=[], scores={a: 0.0 for a in engine.areas})
        results = [r if r is not None else empty for r in results]
        cols = {"areas": [",".join(r.areas) for r in results]}
        for a in engine.areas:
            cols[a] = [1 if a in r.areas else 0 for r in results]
        if scores:
            for a in engine.areas:
                cols[a + "_score"] = [r.scores[a] for r in results]
        if evidence:
            cols["evidence"] = [r.evidence for r in results]
        coded = pd.DataFrame(cols, index=df.index)
        clash = [c for c in coded.columns if c in df.columns]
        if clash:
            raise ValueError("df already has columns %s" % clash)
        return pd.concat([df, coded], axis=1)
    finally:
        if own:
            engine.close()
