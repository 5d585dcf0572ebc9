/*
** whatmatters.h — the public interface of libwhatmatters.
**
** This header is the specification. Every function says what it takes, what
** it returns, who owns what and for how long, and which calls may run at the
** same time. Nothing else of the library is visible to a program.
**
** The model in one paragraph
** --------------------------
** A wm_engine holds what never changes while answers are analysed: options,
** the per-language word lists (stopwords, negators) and, later, plugins. It is
** set up by one thread, then frozen and shared: any number of threads may use
** one engine at once. A wm_analyzer is one thread's worker for one language:
** it owns the Snowball stemmer (which is not thread-safe), a cache of every
** distinct word it has seen with its normal form and stem, and the memory of
** the current answer. Use one analyzer per thread per language; never share
** one analyzer between threads without your own lock.
**
** Conventions
** -----------
** - Functions that can fail return an int: WM_OK (0) or a negative WM_E*
**   code. wm_strerror() names a code; wm_engine_errmsg() and
**   wm_analyzer_errmsg() give the detailed message of the last failing call on
**   that handle (valid until the next call on it).
** - Constructors write the new handle to an out-pointer; on failure they
**   write NULL. Destructors accept NULL.
** - Text is UTF-8, passed as pointer and length (no NUL needed). Invalid
**   UTF-8 is data, not a reason to fail: see wm_analyze().
** - Returned pointers are of three kinds, and each declaration says which:
**   BORROWED (owned by a handle, valid until the next call on that handle or
**   its destruction), OWNED (the caller frees it as the function says), or a SPAN
**   (byte offsets into the caller's own input).
*/
#ifndef WHATMATTERS_H
#define WHATMATTERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define WM_API __declspec(dllimport)
#elif defined(WM_BUILDING_LIBRARY) && defined(__GNUC__)
#  define WM_API __attribute__((visibility("default")))
#else
#  define WM_API
#endif

/* ------------------------------------------------------------------------
** Version
** --------------------------------------------------------------------- */

#define WM_VERSION_MAJOR 0
#define WM_VERSION_MINOR 1
#define WM_VERSION_PATCH 0
#define WM_VERSION "0.1.0"
/* MAJOR*10000 + MINOR*100 + PATCH, for compile-time comparisons. */
#define WM_VERSION_NUMBER 100

/* The version of the library actually loaded, as "MAJOR.MINOR.PATCH" and as
** WM_VERSION_NUMBER would be. Compare with the macros to detect a program
** running against another library than it was built with. Static strings;
** thread-safe. */
WM_API const char *wm_version(void);
WM_API int wm_version_number(void);

/* ------------------------------------------------------------------------
** Result codes
**
** One list, so that names, numbers and messages cannot drift apart. Codes
** are never renumbered; new ones are added at the end.
** --------------------------------------------------------------------- */

#define WM_RESULT_LIST(X)                                                    \
    X(WM_OK,       0,  "ok")                                                \
    X(WM_ENOMEM,  -1,  "out of memory")                                     \
    X(WM_EINVAL,  -2,  "invalid argument")                                  \
    X(WM_ELANG,   -3,  "unknown or unsupported language")                  \
    X(WM_EUTF8,   -4,  "invalid UTF-8")                                     \
    X(WM_ETOOBIG, -5,  "input over the size limit")                         \
    X(WM_EIO,     -6,  "input/output error")                                \
    X(WM_EPARSE,  -7,  "parse error in a data file")                        \
    X(WM_EMISUSE, -8,  "call not allowed in this state")                    \
    X(WM_ESTEMMER,-9,  "stemmer failure")                                  \
    X(WM_EPLUGIN, -10, "plugin failure")                                    \
    X(WM_ENOTFOUND,-11, "not found")

enum wm_result {
#define WM_X_ENUM(name, value, text) name = value,
    WM_RESULT_LIST(WM_X_ENUM) /* C99 allows the trailing comma */
#undef WM_X_ENUM
};

/* A static English sentence for a result code ("unknown result code" for
** a number that is none). Never NULL; thread-safe. */
WM_API const char *wm_strerror(int rc);

/* ------------------------------------------------------------------------
** Memory
** --------------------------------------------------------------------- */

/* An allocator the embedder may supply (in the manner of Lua's lua_Alloc).
** realloc(ud, NULL, n) allocates; realloc(ud, p, n) resizes and returns
** NULL on failure leaving p intact; free(ud, p) frees (p may be NULL). The
** functions must be callable from every thread that uses the engine. The
** same hook is used by the tests to inject allocation failures. Memory
** allocated inside libstemmer and utf8proc does not pass through it. */
typedef struct wm_allocator {
    void *(*realloc)(void *ud, void *ptr, size_t size); /* allocate/resize */
    void  (*free)(void *ud, void *ptr);                 /* release */
    void   *ud;                                         /* passed back */
} wm_allocator;

/* ------------------------------------------------------------------------
** Engine
** --------------------------------------------------------------------- */

typedef struct wm_engine wm_engine;

/* Options for wm_engine_new(). Zero-initialise, set struct_size to
** sizeof(wm_engine_options), then set what you need; a NULL options pointer
** means all defaults. The struct only grows at its end: a library reads a
** field only when struct_size says the caller's struct has it. */
typedef struct wm_engine_options {
    size_t struct_size;            /* sizeof(wm_engine_options) */
    const wm_allocator *allocator; /* NULL: malloc/realloc/free; copied */
    size_t max_text_len;           /* bytes in one answer; 0: 256 MiB */
    size_t max_token_len;          /* bytes of one token to normalise and
                                      stem; longer ones get WM_TOK_LONG and
                                      no normal form; 0: 256 */
    size_t cache_entries;          /* distinct surface forms the engine's
                                      cache shared by the analyzers of a
                                      language holds at most (up to
                                      1 << 20), and that an analyzer's
                                      own cache holds before it starts
                                      afresh (used when the shared one is
                                      full or, with the spelling stage on,
                                      not used); about 64 bytes each and
                                      an index; 0: 1 << 17 */
} wm_engine_options;

/* Creates an engine with the built-in word lists of every supported
** language. Writes the engine to *out (NULL on failure).
** Returns WM_OK, WM_ENOMEM, or WM_EINVAL (bad options or out == NULL).
** Thread-safe (engines are independent). */
WM_API int wm_engine_new(const wm_engine_options *options, wm_engine **out);

/* Destroys an engine. Every analyzer made from it must be destroyed first.
** NULL is a no-op. */
WM_API void wm_engine_free(wm_engine *engine);

/* SETUP: replaces the built-in word lists by the files in a folder laid out
** as the project's lexicons/ folder: DIR/LANG/stopwords.txt and
** DIR/LANG/negation.txt for each language (a missing file keeps the
** built-in list; a folder that holds none of them is an error, as it is
** most likely a mistyped path). The formats are documented in
** lexicons/README.md. Nothing changes unless every file loads.
** Returns WM_OK, WM_EIO (no such folder, no list in it, or an unreadable
** file), WM_EPARSE (the message names file:line:column), WM_ENOMEM or
** WM_EMISUSE (the engine is frozen).
**
** Setup calls may only be made before the engine's first analyzer is
** created, and never concurrently with any other call on the engine. */
WM_API int wm_engine_load_wordlists(wm_engine *engine, const char *dir);

/* The message of the last failing setup call on this engine, or "" when
** there was none. BORROWED: valid until the next setup call on the engine.
** Not thread-safe (setup calls are single-threaded anyway). */
WM_API const char *wm_engine_errmsg(const wm_engine *engine);

/* ------------------------------------------------------------------------
** Languages
** --------------------------------------------------------------------- */

/* Language codes accepted wherever a language is named:
**   "sv" Swedish, "nb" Norwegian Bokmål, "nn" Norwegian Nynorsk (both with
**   Snowball's Norwegian stemmer, separate word lists), "da" Danish,
**   "en" English; "no" is taken as "nb".
** Returns WM_OK when code names a supported language, WM_ELANG otherwise.
** Thread-safe. */
WM_API int wm_lang_check(const char *code);

/* The supported codes as a NULL-terminated static array. Thread-safe. */
WM_API const char *const *wm_lang_list(void);

/* ------------------------------------------------------------------------
** Analyzer: one thread's worker for one language
** --------------------------------------------------------------------- */

typedef struct wm_analyzer wm_analyzer;

/* Creates an analyzer for one language. Freezes the engine (no more setup
** calls). Writes the analyzer to *out (NULL on failure; the code says why,
** as nothing else can fail here: wm_strerror() is the message).
** Returns WM_OK, WM_ELANG, WM_ENOMEM, WM_ESTEMMER, or WM_EINVAL.
** Thread-safe: many threads may create analyzers from one engine at once.
** The analyzer itself is NOT thread-safe: use it from one thread at a time. */
WM_API int wm_analyzer_new(wm_engine *engine, const char *lang,
                           wm_analyzer **out);

/* Destroys an analyzer and everything it lent out. NULL is a no-op. */
WM_API void wm_analyzer_free(wm_analyzer *analyzer);

/* The language code the analyzer was made for ("sv", ...). Static string. */
WM_API const char *wm_analyzer_lang(const wm_analyzer *analyzer);

/* The message of the last failing call on this analyzer, or "".
** BORROWED until the next call on the analyzer. */
WM_API const char *wm_analyzer_errmsg(const wm_analyzer *analyzer);

/* Token kinds and marks, in wm_token.flags. */
#define WM_TOK_WORD        0x0001u /* letters (may also contain digits) */
#define WM_TOK_NUMBER      0x0002u /* digits without letters: "12", "3,5" */
#define WM_TOK_SYMBOL      0x0004u /* a symbol, emoji included: "€", "😊" */
#define WM_TOK_EMOJI       0x0008u /* an emoji sequence (with WM_TOK_SYMBOL) */
#define WM_TOK_PUNCT       0x0010u /* punctuation; only with WM_ANALYZE_ALL */
#define WM_TOK_SPACE       0x0020u /* white space; only with WM_ANALYZE_ALL */
#define WM_TOK_INVALID     0x0040u /* invalid UTF-8 bytes; only with
                                      WM_ANALYZE_ALL */
#define WM_TOK_STOPWORD    0x0100u /* in the language's stopword list */
#define WM_TOK_NEGATOR     0x0200u /* a negator: "inte", "ikke", "not" */
#define WM_TOK_NEGATED     0x0400u /* inside a negator's scope */
#define WM_TOK_SENT_START  0x0800u /* first token of a sentence */
#define WM_TOK_CLAUSE_START 0x1000u /* first token of a clause */
#define WM_TOK_LONG        0x2000u /* over max_token_len: norm and stem are
                                      empty, ids are WM_ID_NONE */
#define WM_TOK_VARIANT     0x4000u /* spelling (wm_engine_set_spelling): a
                                      correction of the word token just
                                      before it (same offsets) */
#define WM_TOK_PART        0x8000u /* spelling: a part of the compound word
                                      token before it (same offsets) */

/* An id that names no string. */
#define WM_ID_NONE 0u

/* One token of an analysed answer. */
typedef struct wm_token {
    size_t start;        /* SPAN: first byte in the caller's input */
    size_t end;          /* SPAN: one past the last byte */
    const char *norm;    /* BORROWED: normal form (NFC, case-folded), not
                            NUL-terminated; valid as the wm_analysis; ""
                            for punctuation, space, invalid and
                            WM_TOK_LONG tokens */
    size_t norm_len;     /* bytes in norm */
    const char *stem;    /* BORROWED: Snowball stem of norm (numbers,
                            symbols and emoji come out as norm; "" where
                            norm is "") */
    size_t stem_len;     /* bytes in stem */
    uint32_t norm_id;    /* interned id of norm, > 0; equal ids mean equal
                            strings within one analyzer (see wm_analyze) */
    uint32_t stem_id;    /* interned id of stem, same rules */
    uint32_t flags;      /* WM_TOK_* */
    uint32_t reserved;   /* zero */
} wm_token;

/* The result of analysing one answer. BORROWED from the analyzer: valid
** until the next wm_analyze()/wm_analyzer_stem() call on it. */
typedef struct wm_analysis {
    const char *text;       /* the caller's input, as given */
    size_t text_len;        /* its length in bytes */
    const wm_token *tokens; /* tokens in input order */
    size_t n_tokens;        /* how many */
    size_t n_invalid;       /* invalid UTF-8 sequences found */
    size_t first_invalid;   /* byte offset of the first, when n_invalid > 0 */
    size_t n_sentences;     /* sentences that hold at least one token */
} wm_analysis;

/* Flags for wm_analyze(). */
#define WM_ANALYZE_ALL          0x1u /* also emit punctuation, space and
                                        invalid segments (every UAX #29
                                        segment of the input, in order) */
#define WM_ANALYZE_STRICT_UTF8  0x2u /* fail on invalid UTF-8 instead */

/* Analyses one answer: segments it into words by Unicode UAX #29 word
** boundaries, normalises each token (NFC, full case folding, default-
** ignorable characters removed, U+2019 taken as an apostrophe), stems
** words with Snowball, marks stopwords, negators and the tokens in a
** negator's scope (to the end of the clause), and marks sentence and
** clause starts. Offsets always refer to the bytes of `text` as given, also
** for decomposed (NFD) input.
**
** Invalid UTF-8: each maximal invalid subsequence is treated as U+FFFD
** would be, i.e. as a boundary that belongs to no word; it is counted in
** n_invalid (first_invalid gives the first offset) and, with
** WM_ANALYZE_ALL, emitted as a WM_TOK_INVALID segment. No byte is dropped
** from the offsets. With WM_ANALYZE_STRICT_UTF8 the call fails instead with
** WM_EUTF8 and a message naming the byte offset.
**
** Ids: norm_id and stem_id are stable for the analyzer's life unless it
** reaches its cache_entries bound, when it starts afresh at the beginning
** of a call (ids of earlier analyses may then be reused).
**
** Writes a BORROWED analysis to *out (valid until the next call on the
** analyzer). Returns WM_OK, WM_EUTF8 (strict only), WM_ETOOBIG (text_len
** over max_text_len), WM_ENOMEM, WM_ESTEMMER, or WM_EINVAL. On failure *out
** is NULL and wm_analyzer_errmsg() says why.
** Not thread-safe per analyzer; different analyzers run concurrently. */
WM_API int wm_analyze(wm_analyzer *analyzer, const char *text,
                      size_t text_len, unsigned flags,
                      const wm_analysis **out);

/* Normalises one word (as wm_analyze does for a token) and stems it,
** through the analyzer's cache. The word is taken whole: no segmentation,
** and no max_token_len (only max_text_len, as WM_ETOOBIG); invalid UTF-8
** is always refused (WM_EUTF8, the message names the byte offset). An
** empty word has the empty stem. Writes a BORROWED stem (valid until the
** next call on the analyzer) to *stem and its length to *stem_len.
** Returns WM_OK, WM_EUTF8, WM_ETOOBIG, WM_ENOMEM or WM_EINVAL. Not
** thread-safe per analyzer. */
WM_API int wm_analyzer_stem(wm_analyzer *analyzer, const char *word,
                            size_t word_len, const char **stem,
                            size_t *stem_len);

/* Statistics of an analyzer's word caches, for benchmarks and tuning. An
** analyzer looks a word up first in the engine's cache shared by the
** analyzers of its language (while it has room; not with the spelling
** stage on), then in its own. */
typedef struct wm_analyzer_stats {
    uint64_t tokens;       /* word, number and symbol tokens looked up */
    uint64_t cache_hits;   /* of which found in a cache: the shared one
                              also holds words other analyzers analysed */
    uint64_t stems;        /* calls into the stemmer */
    size_t   cache_size;   /* distinct surface forms held now in the
                              analyzer's own cache (0 while the shared
                              one has room) */
    size_t   cache_resets; /* times the own cache started afresh */
} wm_analyzer_stats;

/* Copies the analyzer's statistics to *stats. Not thread-safe per
** analyzer. */
WM_API void wm_analyzer_get_stats(const wm_analyzer *analyzer,
                                  wm_analyzer_stats *stats);

/* ------------------------------------------------------------------------
** Taxonomy, data and plugins (engine setup)
**
** An engine classifies answers into the areas of a taxonomy (built in: the
** nine areas of lexicons/taxonomy.txt) with one or more plugins. The
** plugins named "lexicon" and "pattern" are built into the library;
** any other is a shared object loaded by path (whatmatters_plugin.h).
** Each plugin's data files (the lexicon's lexicons/<lang>/areas.txt, the
** pattern plugin's lexicons/<lang>/patterns.txt) come
** from the engine's data folder when one is set, else from the copies built
** into the library. All of these are setup calls: one thread, before the
** first analyzer; they return WM_EMISUSE afterwards.
** --------------------------------------------------------------------- */

/* The most areas a taxonomy may have. */
#define WM_MAX_AREAS 64

/* SETUP: replaces the taxonomy by a file in the format of
** lexicons/taxonomy.txt (any number of areas, 1 to WM_MAX_AREAS). Must
** come before the first plugin is added (plugins are made for a
** taxonomy). The data files built into the library (the area lexicons)
** are written for the built-in taxonomy, so with another one plugins see
** only the files of the data folder (wm_engine_set_data_dir): a language
** without its files there gets no instance. Returns WM_OK, WM_EIO,
** WM_EPARSE (file:line:column in the message), WM_ENOMEM or WM_EMISUSE. */
WM_API int wm_engine_load_taxonomy(wm_engine *engine, const char *path);

/* SETUP: names the folder that plugins' data files are read from (laid out
** as lexicons/: DIR/<lang>/areas.txt, ...). A file missing there falls
** back to the built-in copy. The string is copied. Returns WM_OK, WM_EIO
** (no such folder), WM_ENOMEM or WM_EMISUSE. */
WM_API int wm_engine_set_data_dir(wm_engine *engine, const char *dir);

/* SETUP: adds a plugin and makes its instance for every language.
** `plugin` is the name of a built-in plugin ("lexicon"), or a path to a
** shared object (it must contain a '/': a bare name is never looked up in
** the current folder). `options` is passed to the plugin as given (NULL
** for none). Refused with a message naming the file and the cause: a file
** that cannot be opened, no wm_plugin_entry symbol, a wrong ABI major, a
** descriptor too small for its version, a missing function, a plugin name
** already added, or a failing create() (the plugin's own message, with
** its code when that is WM_EINVAL (bad options), WM_EPARSE, WM_EIO,
** WM_ENOTFOUND or WM_ENOMEM: a user's data file that does not parse is
** WM_EPARSE, not a plugin fault).
** Returns WM_OK, WM_ENOTFOUND (no such built-in plugin or file),
** WM_EPLUGIN, WM_EINVAL, WM_EPARSE, WM_EIO, WM_ENOMEM or WM_EMISUSE. */
WM_API int wm_engine_add_plugin(wm_engine *engine, const char *plugin,
                                const char *options);

/* SETUP: the languages plugins make instances for, as comma-separated
** codes ("sv" or "sv,en"; "no" is "nb"); by default all. Plugins added
** after this call skip the others, so a run in one language does not need
** (or load, or stop at an error in) the data of the rest; analyzers of the
** others still analyse, but classify nothing. Returns WM_OK, WM_ELANG
** (an unknown code; the message names it), WM_EINVAL or WM_EMISUSE (after
** the first analyzer, after a plugin was added, or with spelling on). */
WM_API int wm_engine_set_languages(wm_engine *engine, const char *langs);

/* The modes of the spelling stage (wm_engine_set_spelling). */
#define WM_SPELL_OFF     0 /* no stage: tokens as written (the default) */
#define WM_SPELL_ON      1 /* compound parts, restored diacritics and
                              corrections guided by the plugins' strings */
#define WM_SPELL_SUGGEST 2 /* as ON, and Hunspell's own suggestion for a
                              misspelling those cannot correct: slow (about
                              a millisecond a word, once per word) */

/* SETUP: turns the spelling stage on (on = WM_SPELL_ON or WM_SPELL_SUGGEST)
** or off (WM_SPELL_OFF, the default), with
** Hunspell dictionaries from dict_dir (NULL: /usr/share/hunspell, where
** Debian's hunspell-sv, -no, -da and -en-us put them: sv_SE, nb_NO, nn_NO,
** da_DK, en_US). For a word that no plugin knows (its stem is not among
** the strings plugins interned), the analysis then adds, right after the
** word's token and with its offsets: the parts of a compound
** (WM_TOK_PART: "anhörigstödet" gives "anhörig" and "stödet") and a
** correction of a misspelling or of missing diacritics (WM_TOK_VARIANT:
** "vardcentralen" gives "vårdcentralen"). Rules in docs/spelling.md. The
** dictionaries of the engine's languages (wm_engine_set_languages) are
** loaded here, and listed among its data files ("hunspell/sv_SE.dic", ...);
** a failing call leaves the engine as it was. Returns WM_OK, WM_ENOTFOUND
** (a dictionary is missing: the message names the file and the package),
** WM_EIO (a dictionary cannot be read or converted), WM_ENOMEM, WM_EINVAL
** (engine NULL, or another mode) or WM_EMISUSE (after the first analyzer).
** Once analyzers
** run, the stage is thread-safe: see docs/spelling.md. */
WM_API int wm_engine_set_spelling(wm_engine *engine, int on,
                                  const char *dict_dir);

/* How the scores of several plugins make one (wm_engine_set_combine). */
#define WM_COMBINE_MAX  0 /* an area's score is the highest of the plugins'
                             scores: any plugin can assign an area (the
                             default) */
#define WM_COMBINE_MEAN 1 /* the mean of the scores of the plugins that
                             ran for the answer's language without failing:
                             they must agree on balance */

/* SETUP: chooses how plugins' scores combine. An area is assigned when its
** combined score is at least 0.5, unless a plugin vetoed it (a plugin sure
** the area is absent, as the supervised plugin with veto=V: plugin ABI 1.2);
** a vetoed area that would have been assigned shows the combined score
** 0.49. Returns WM_OK, WM_EINVAL or WM_EMISUSE. */
WM_API int wm_engine_set_combine(wm_engine *engine, int rule);

/* SETUP: a time limit for one plugin on one answer, in milliseconds (0,
** the default: none). A plugin's classify() cannot be interrupted, but
** when it returns after more than `ms` its results for that answer are
** dropped and the answer is flagged as for a failure
** (WM_STATUS_PLUGIN_FAILED, failure "plugin 'x' failed: took N ms on this
** answer, over the limit of M ms"). Which answers hit the limit depends on
** the machine and its load, so results are reproducible only when none
** does. Returns WM_OK, WM_EINVAL or WM_EMISUSE. */
WM_API int wm_engine_set_plugin_time_limit(wm_engine *engine, unsigned ms);

/* The taxonomy: number of areas, an area's id ("access"), and its name in
** a language ("Tillgänglighet"; the English name, or else the id, when the
** taxonomy has none for that language). Static for the engine's life
** once set up; thread-safe. NULL for an index out of range. */
WM_API size_t wm_engine_area_count(const wm_engine *engine);
WM_API const char *wm_engine_area_id(const wm_engine *engine, size_t area);
WM_API const char *wm_engine_area_name(const wm_engine *engine, size_t area,
                                       const char *lang);

/* The plugins built into the library: how many, and the name of each
** ("lexicon", "pattern"), in the order a program that runs "every built-in
** plugin" should add them. Static strings; thread-safe; NULL for an index
** out of range. */
WM_API size_t wm_builtin_plugin_count(void);
WM_API const char *wm_builtin_plugin_name(size_t i);

/* The plugins added: how many, and each one's name and version. Static for
** the engine's life; thread-safe. NULL for an index out of range. */
WM_API size_t wm_engine_plugin_count(const wm_engine *engine);
WM_API const char *wm_engine_plugin_name(const wm_engine *engine, size_t i);
WM_API const char *wm_engine_plugin_version(const wm_engine *engine, size_t i);

/* ------------------------------------------------------------------------
** What the engine was built from (for reproducibility)
** --------------------------------------------------------------------- */

/* One data file the engine uses: the taxonomy, a word list, or a file a
** plugin read (a lexicon). */
typedef struct wm_data_info {
    const char *name;       /* BORROWED: "taxonomy.txt", "sv/areas.txt", ... */
    const char *source;     /* BORROWED: "built-in", or the path it was read
                               from */
    char fingerprint[17];   /* 64-bit FNV-1a of the bytes, as 16 lower-case
                               hex digits and a NUL: a content identity, not
                               a security hash */
    uint64_t bytes;         /* the file's size */
} wm_data_info;

/* How many data files the engine uses (in the order first used; a file
** replaced by a setup call is listed once, as replaced). Valid once set up;
** thread-safe after the first analyzer. */
WM_API size_t wm_engine_data_count(const wm_engine *engine);

/* Describes data file i into *info (strings BORROWED for the engine's
** life). Returns WM_OK or WM_EINVAL (i out of range). */
WM_API int wm_engine_data_info(const wm_engine *engine, size_t i,
                               wm_data_info *info);

/* ------------------------------------------------------------------------
** Language detection
** --------------------------------------------------------------------- */

/* Guesses the language of an answer among the supported ones (sv, nb, nn,
** da, en). Writes a static language code to *lang and, when confidence is
** not NULL, a number in [0, 1] (how far the best guess is ahead of the
** next). Text too short or without any clue gives WM_ENOTFOUND and *lang
** NULL. Thread-safe. The first call on an engine builds the detection
** model (some 10 ms, through the engine's allocator: WM_ENOMEM when that
** fails), so an engine that is only ever given languages never pays for
** it; later calls allocate nothing. */
WM_API int wm_engine_detect_lang(const wm_engine *engine, const char *text,
                                 size_t text_len, const char **lang,
                                 double *confidence);

/* ------------------------------------------------------------------------
** Classification
** --------------------------------------------------------------------- */

/* One piece of evidence for an area. */
typedef struct wm_evidence {
    uint32_t area;    /* index into the taxonomy */
    uint32_t plugin;  /* index of the plugin that found it */
    size_t start;     /* SPAN: first byte in the caller's input */
    size_t end;       /* SPAN: one past the last byte */
    double weight;    /* the weight of the rule that matched (a rule counts
                         once per answer however often it matches) */
    const char *rule; /* BORROWED from the plugin, valid for the engine's
                         life: the lexicon entry or rule that matched, as
                         its author wrote it */
    uint32_t flags;   /* WM_EVIDENCE_* */
    uint32_t reserved; /* zero */
} wm_evidence;

/* Bits of wm_evidence.flags. */
#define WM_EVIDENCE_NEGATED 0x1u /* the span holds a negated token (the
                                    area still counts: negation does not
                                    flip an area) */
#define WM_EVIDENCE_SPELLING 0x2u /* the span holds a word the spelling
                                     stage corrected or split: the match
                                     may rest on the correction or a part */

/* Bits of wm_classification.status. */
#define WM_STATUS_PLUGIN_FAILED 0x1u /* a plugin failed on this answer:
                                        failed_plugin names it, errmsg
                                        says why; the other plugins'
                                        results stand. A failure is an
                                        error code from classify(), or
                                        what the host checks: a score
                                        outside [0, 1] or NaN, a write past
                                        the end of the scores, evidence
                                        that add_evidence() refused, or
                                        the time limit
                                        (wm_engine_set_plugin_time_limit) */

/* The result of classifying one answer. BORROWED from the analyzer: valid
** until its next call. */
typedef struct wm_classification {
    const wm_analysis *analysis;  /* the analysis it was made from */
    size_t n_areas;               /* the taxonomy's areas */
    const double *scores;         /* [n_areas] combined scores in [0, 1] */
    const unsigned char *labels;  /* [n_areas] 1 when the area is assigned
                                     (score >= 0.5), else 0 */
    const wm_evidence *evidence;  /* in order of start, then area */
    size_t n_evidence;            /* how many */
    uint32_t status;              /* WM_STATUS_* bits; 0 when all went well */
    int failed_plugin;            /* index of the first plugin that failed
                                     (in the order they run), or -1 */
    const char *failure;          /* what that plugin said, or "" */
} wm_classification;

/* Analyses one answer (as wm_analyze, with the same flags) and runs every
** plugin of the engine on it, in the order they were added, combining
** their scores by the engine's rule. A plugin that fails marks the result
** (status, failed_plugin, failure) and the call still returns WM_OK with
** the other plugins' results; only a failure of the analysis itself is an
** error. With no plugins every score is 0.
** Writes a BORROWED result to *out. Returns what wm_analyze() returns.
** Not thread-safe per analyzer; different analyzers run concurrently. */
WM_API int wm_classify(wm_analyzer *analyzer, const char *text,
                       size_t text_len, unsigned flags,
                       const wm_classification **out);

#ifdef __cplusplus
}
#endif

#endif /* WHATMATTERS_H */
