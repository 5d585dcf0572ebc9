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
    X(WM_ESTEMMER,-9,  "stemmer failure")

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
    size_t cache_entries;          /* distinct surface forms an analyzer
                                      caches before it starts afresh
                                      (64 bytes each, twice over for
                                      probing); 0: 1 << 17 */
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

/* Statistics of an analyzer's cache, for benchmarks and tuning. */
typedef struct wm_analyzer_stats {
    uint64_t tokens;       /* word, number and symbol tokens looked up */
    uint64_t cache_hits;   /* of which found in the cache */
    uint64_t stems;        /* calls into the stemmer */
    size_t   cache_size;   /* distinct surface forms held now */
    size_t   cache_resets; /* times the cache started afresh */
} wm_analyzer_stats;

/* Copies the analyzer's statistics to *stats. Not thread-safe per
** analyzer. */
WM_API void wm_analyzer_get_stats(const wm_analyzer *analyzer,
                                  wm_analyzer_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* WHATMATTERS_H */
