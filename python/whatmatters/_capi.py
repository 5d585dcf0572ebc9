"""The C interface of libwhatmatters, declared for ctypes.

This module mirrors engine/include/whatmatters.h (the specification): the
structs the library hands out, and the argument and result types of every
function the package calls. Nothing here owns memory; whatmatters.Engine
does. Keep it in step with the header: the ABI policy
(engine/abi/POLICY.md) says which of these may change in a minor release.
"""

import ctypes
import ctypes.util
import os
import threading

# The library version these declarations were written for. Until 1.0 the
# ABI may change with the minor version, so both must match; from 1.0 the
# major must match and the library's minor may be newer.
ABI_MAJOR = 0
ABI_MINOR = 1

# The SONAME the package asks the dynamic loader for when no path is given.
SONAME = "libwhatmatters.so.0"

# Result codes, as WM_RESULT_LIST in the header (numbers never change).
RESULT_NAMES = {
    0: "WM_OK", -1: "WM_ENOMEM", -2: "WM_EINVAL", -3: "WM_ELANG",
    -4: "WM_EUTF8", -5: "WM_ETOOBIG", -6: "WM_EIO", -7: "WM_EPARSE",
    -8: "WM_EMISUSE", -9: "WM_ESTEMMER", -10: "WM_EPLUGIN",
    -11: "WM_ENOTFOUND",
}

# Token flags (WM_TOK_*), named as the CLI's tokenize command names them.
TOKEN_FLAGS = (
    (0x0001, "word"), (0x0002, "number"), (0x0004, "symbol"),
    (0x0008, "emoji"), (0x0010, "punct"), (0x0020, "space"),
    (0x0040, "invalid"), (0x0100, "stopword"), (0x0200, "negator"),
    (0x0400, "negated"), (0x0800, "sent_start"), (0x1000, "clause_start"),
    (0x2000, "long"), (0x4000, "variant"), (0x8000, "part"),
)

ANALYZE_ALL = 0x1          # WM_ANALYZE_ALL
ANALYZE_STRICT_UTF8 = 0x2  # WM_ANALYZE_STRICT_UTF8
EVIDENCE_NEGATED = 0x1     # WM_EVIDENCE_NEGATED
EVIDENCE_SPELLING = 0x2    # WM_EVIDENCE_SPELLING
STATUS_PLUGIN_FAILED = 0x1 # WM_STATUS_PLUGIN_FAILED
SPELL_MODES = {"off": 0, "on": 1, "suggest": 2}   # WM_SPELL_*
COMBINE_RULES = {"max": 0, "mean": 1}             # WM_COMBINE_*

c_size = ctypes.c_size_t
c_u32 = ctypes.c_uint32
# Strings that are not NUL-terminated (norm, stem) or that must be read
# with a length are declared as plain pointers and read with string_at().
c_ptr = ctypes.c_void_p


class EngineOptions(ctypes.Structure):
    """wm_engine_options: filled by the caller; struct_size first."""
    _fields_ = [
        ("struct_size", c_size),
        ("allocator", c_ptr),
        ("max_text_len", c_size),
        ("max_token_len", c_size),
        ("cache_entries", c_size),
    ]


class Token(ctypes.Structure):
    """wm_token: one token; norm and stem BORROWED, not NUL-terminated."""
    _fields_ = [
        ("start", c_size), ("end", c_size),
        ("norm", c_ptr), ("norm_len", c_size),
        ("stem", c_ptr), ("stem_len", c_size),
        ("norm_id", c_u32), ("stem_id", c_u32),
        ("flags", c_u32), ("reserved", c_u32),
    ]


class Analysis(ctypes.Structure):
    """wm_analysis: BORROWED from the analyzer until its next call."""
    _fields_ = [
        ("text", c_ptr), ("text_len", c_size),
        ("tokens", ctypes.POINTER(Token)), ("n_tokens", c_size),
        ("n_invalid", c_size), ("first_invalid", c_size),
        ("n_sentences", c_size),
    ]


class Evidence(ctypes.Structure):
    """wm_evidence: spans into the input; rule BORROWED for the engine's
    life."""
    _fields_ = [
        ("area", c_u32), ("plugin", c_u32),
        ("start", c_size), ("end", c_size),
        ("weight", ctypes.c_double),
        ("rule", ctypes.c_char_p),
        ("flags", c_u32), ("reserved", c_u32),
    ]


class Classification(ctypes.Structure):
    """wm_classification: BORROWED from the analyzer until its next call."""
    _fields_ = [
        ("analysis", ctypes.POINTER(Analysis)),
        ("n_areas", c_size),
        ("scores", ctypes.POINTER(ctypes.c_double)),
        ("labels", ctypes.POINTER(ctypes.c_ubyte)),
        ("evidence", ctypes.POINTER(Evidence)),
        ("n_evidence", c_size),
        ("status", c_u32),
        ("failed_plugin", ctypes.c_int),
        ("failure", ctypes.c_char_p),
    ]


# (name, result type, argument types) of every function the package calls.
_PROTOTYPES = (
    ("wm_version", ctypes.c_char_p, ()),
    ("wm_version_number", ctypes.c_int, ()),
    ("wm_strerror", ctypes.c_char_p, (ctypes.c_int,)),
    ("wm_engine_new", ctypes.c_int,
     (ctypes.POINTER(EngineOptions), ctypes.POINTER(c_ptr))),
    ("wm_engine_free", None, (c_ptr,)),
    ("wm_engine_errmsg", ctypes.c_char_p, (c_ptr,)),
    ("wm_engine_load_wordlists", ctypes.c_int, (c_ptr, ctypes.c_char_p)),
    ("wm_engine_load_taxonomy", ctypes.c_int, (c_ptr, ctypes.c_char_p)),
    ("wm_engine_set_data_dir", ctypes.c_int, (c_ptr, ctypes.c_char_p)),
    ("wm_engine_add_plugin", ctypes.c_int,
     (c_ptr, ctypes.c_char_p, ctypes.c_char_p)),
    ("wm_engine_set_languages", ctypes.c_int, (c_ptr, ctypes.c_char_p)),
    ("wm_engine_set_spelling", ctypes.c_int,
     (c_ptr, ctypes.c_int, ctypes.c_char_p)),
    ("wm_engine_set_combine", ctypes.c_int, (c_ptr, ctypes.c_int)),
    ("wm_engine_area_count", c_size, (c_ptr,)),
    ("wm_engine_area_id", ctypes.c_char_p, (c_ptr, c_size)),
    ("wm_engine_area_name", ctypes.c_char_p,
     (c_ptr, c_size, ctypes.c_char_p)),
    ("wm_builtin_plugin_count", c_size, ()),
    ("wm_builtin_plugin_name", ctypes.c_char_p, (c_size,)),
    ("wm_engine_plugin_count", c_size, (c_ptr,)),
    ("wm_engine_plugin_name", ctypes.c_char_p, (c_ptr, c_size)),
    ("wm_engine_plugin_version", ctypes.c_char_p, (c_ptr, c_size)),
    ("wm_engine_detect_lang", ctypes.c_int,
     (c_ptr, ctypes.c_char_p, c_size, ctypes.POINTER(ctypes.c_char_p),
      ctypes.POINTER(ctypes.c_double))),
    ("wm_lang_check", ctypes.c_int, (ctypes.c_char_p,)),
    ("wm_analyzer_new", ctypes.c_int,
     (c_ptr, ctypes.c_char_p, ctypes.POINTER(c_ptr))),
    ("wm_analyzer_free", None, (c_ptr,)),
    ("wm_analyzer_errmsg", ctypes.c_char_p, (c_ptr,)),
    ("wm_analyze", ctypes.c_int,
     (c_ptr, ctypes.c_char_p, c_size, ctypes.c_uint,
      ctypes.POINTER(ctypes.POINTER(Analysis)))),
    ("wm_classify", ctypes.c_int,
     (c_ptr, ctypes.c_char_p, c_size, ctypes.c_uint,
      ctypes.POINTER(ctypes.POINTER(Classification)))),
)

_lock = threading.Lock()
_loaded = {}  # path (or SONAME) -> the CDLL, declared and checked


def _candidates(path):
    """The places to load the library from, in order: the explicit path,
    $WHATMATTERS_LIB, then the dynamic loader's own search (LD_LIBRARY_PATH,
    the ld.so cache) by SONAME and by the name find_library gives."""
    if path:
        return [os.fspath(path)]
    env = os.environ.get("WHATMATTERS_LIB")
    if env:
        return [env]
    names = [SONAME]
    found = ctypes.util.find_library("whatmatters")
    if found and found != SONAME:
        names.append(found)
    return names


def load(path=None):
    """Loads libwhatmatters once per path, declares its functions and checks
    its version against ABI_MAJOR/ABI_MINOR. Returns the CDLL (a CDLL
    releases the GIL around every call, which classify_many relies on).
    Raises OSError when no library loads, or when the one found was built
    for another ABI. Thread-safe."""
    errors = []
    for name in _candidates(path):
        with _lock:
            lib = _loaded.get(name)
            if lib is not None:
                return lib
            try:
                lib = ctypes.CDLL(name)
            except OSError as exc:
                errors.append(str(exc))
                continue
            for fname, restype, argtypes in _PROTOTYPES:
                fn = getattr(lib, fname)
                fn.restype = restype
                fn.argtypes = argtypes
            number = lib.wm_version_number()
            major, minor = number // 10000, number // 100 % 100
            ok = major == ABI_MAJOR and (
                minor == ABI_MINOR if ABI_MAJOR == 0 else minor >= ABI_MINOR)
            if not ok:
                raise OSError(
                    "%s is libwhatmatters %s; these bindings need %d.%d%s"
                    % (name, lib.wm_version().decode(), ABI_MAJOR, ABI_MINOR,
                       "" if ABI_MAJOR == 0 else " or a later minor"))
            _loaded[name] = lib
            return lib
    raise OSError(
        "cannot load libwhatmatters (give its path, or set WHATMATTERS_LIB,"
        " or install it where the dynamic loader looks): "
        + "; ".join(errors))
