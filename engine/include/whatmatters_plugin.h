/*
** whatmatters_plugin.h — the interface between whatmatters and its
** classification plugins.
**
** A plugin is a shared object that exports one function, wm_plugin_entry(),
** returning a constant descriptor: ABI version, size, name, version and the
** plugin's functions. The engine loads it with dlopen(RTLD_NOW |
** RTLD_LOCAL), checks the descriptor, and creates one instance per
** language. A plugin never links against libwhatmatters: everything it
** needs from the engine (memory, data files, the analysis of its own
** strings, word ids) comes through the wm_host table it is given, and this
** header (with the types of whatmatters.h it includes) is all it builds
** against.
**
** The rules, in the manner of SQLite's extensions and Redis modules:
** - The descriptor only grows at its end. Fields are grouped by the minor
**   version that added them; the host reads a field only when abi_minor
**   and struct_size say it is there. A new major version means the old
**   layout is gone: the host refuses a plugin whose major differs.
** - Whoever allocates, frees: the plugin frees what it allocates (through
**   the host's realloc/free), the host what it allocates.
** - Errors come back as a negative WM_E* code and a message written into a
**   buffer the host supplies.
** - classify() is called from many threads at once with the same instance:
**   an instance is read-only after create(). Per-thread scratch memory
**   comes from the optional worker_new()/worker_free() pair: each analyzer
**   (one thread) has its own worker for each plugin.
*/
#ifndef WHATMATTERS_PLUGIN_H
#define WHATMATTERS_PLUGIN_H

#include "whatmatters.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WM_PLUGIN_ABI_MAJOR 1
#define WM_PLUGIN_ABI_MINOR 3

/* The one symbol a plugin exports. */
#define WM_PLUGIN_ENTRY_SYMBOL "wm_plugin_entry"

/* create() returns this (a positive value, not an error) when the plugin
** has nothing to do for the language asked: no instance is made for it. */
#define WM_PLUGIN_SKIP 1

/* Export macro for the entry point of a plugin built as a shared object. */
#if defined(__GNUC__)
#  define WM_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#  define WM_PLUGIN_EXPORT
#endif

/* True when a struct the other side filled (it starts with struct_size)
** is large enough to hold `field`: read a field of a later minor version
** only when this says it is there. */
#define WM_HAS_FIELD(ptr, type, field)                                        \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ------------------------------------------------------------------------
** What the host gives a plugin
** --------------------------------------------------------------------- */

/* The table, its ctx and its realloc/free stay valid until the plugin's
** instance is destroyed: a plugin may keep a pointer to it (or a copy) and
** allocate through it from create() to destroy(). data_file, analyze and
** intern may be called only inside create(). */
typedef struct wm_host {
    size_t struct_size; /* sizeof(wm_host) of the host */
    void *ctx;          /* the host's own; passed back to every function */

    /* Memory: realloc(ctx, NULL, n) allocates, realloc(ctx, p, n) resizes
    ** (NULL on failure, p intact), free(ctx, p) frees (p may be NULL).
    ** Thread-safe. */
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void (*free)(void *ctx, void *ptr);

    /* A data file by its name relative to the data folder ("sv/areas.txt"):
    ** from the folder the user named (wm_engine_set_data_dir), or else the
    ** copy built into the library. Writes the bytes and their count;
    ** returns WM_OK, WM_ENOTFOUND (no such file anywhere; the message
    ** names where it looked), or WM_EIO / WM_ENOMEM (a file exists but
    ** cannot be read). BORROWED: valid until create() returns. */
    int (*data_file)(void *ctx, const char *name, const unsigned char **bytes,
                     size_t *len, char *err, size_t err_size);

    /* Analyses a string of the plugin's own (a lexicon entry) exactly as
    ** answers are analysed, in the instance's language. BORROWED: valid
    ** until the next call of analyze(). Setup only (inside create()). Use
    ** the strings (norm, stem) of its tokens; their ids are not final
    ** until setup ends: get ids from intern(). The analysis is made with
    ** flags 0 (words, numbers and symbols; no punctuation). */
    int (*analyze)(void *ctx, const char *text, size_t len,
                   const wm_analysis **out);

    /* The id that tokens will carry for a string (a normal form or a stem)
    ** of the instance's language: equal strings get equal ids, and a token
    ** whose stem (normal form) is this string will have this stem_id
    ** (norm_id). Ids are dense, counted from 1 across all plugins of the
    ** language, so a plugin may index an array by them; a token whose id
    ** is above every id a plugin got has a string no plugin interned.
    ** Returns 0 when memory runs out. */
    uint32_t (*intern)(void *ctx, const char *s, size_t len);

    /* --- ABI 1.1 (check with WM_HAS_FIELD(host, wm_host, mark_alone)) --- */

    /* Says that a token matches the plugin when this string (an id from
    ** intern()) is its stem or normal form alone: a single-word entry, not
    ** only an element of a phrase. The engine's spelling stage gives a
    ** compound's parts only when a part begins with such a string; the
    ** other interned strings still guide corrections. When no plugin of a
    ** language calls it, every interned string counts as alone. An id
    ** intern() did not give is ignored. Setup only (inside create()). */
    void (*mark_alone)(void *ctx, uint32_t id);
} wm_host;

/* What create() is told about the instance to make. lang and area_ids
** stay valid for the engine's life; options only during create() (copy
** what you keep). */
typedef struct wm_plugin_config {
    size_t struct_size;          /* sizeof(wm_plugin_config) of the host */
    const char *lang;            /* "sv", "nb", "nn", "da" or "en" */
    size_t n_areas;              /* the taxonomy's areas */
    const char *const *area_ids; /* their ids, in taxonomy order */
    const char *options;         /* the user's options string, or NULL */
} wm_plugin_config;

/* ------------------------------------------------------------------------
** What a plugin is given per answer, and what it gives back
** --------------------------------------------------------------------- */

typedef struct wm_plugin_input {
    size_t struct_size;          /* sizeof(wm_plugin_input) of the host */
    const wm_analysis *analysis; /* the answer: text, tokens with offsets,
                                    normal forms, stems, ids and flags
                                    (negation, sentence and clause starts) */

    /* --- ABI 1.3 (check with WM_HAS_FIELD(in, wm_plugin_input, id_epoch)) --- */

    /* The epoch of the token ids (norm_id, stem_id) this worker is given:
    ** the host may reuse ids above those intern() gave for other strings
    ** when its analyzer's word cache starts afresh (whatmatters.h,
    ** wm_analyze), and it changes this value then, before the first answer
    ** whose ids may mean other strings. While it stays the same, an id the
    ** worker saw means the same string in every answer, so a plugin may
    ** remember what it found for a string by its id alone, and forget it
    ** all when the value changes. The engine counts its analyzer's cache
    ** resets here (0 for the analyzer's life in the usual run, with the
    ** language's shared cache); only a change means anything, not the
    ** value. A host of ABI 1.2 or older does not have the field: a plugin
    ** must check WM_HAS_FIELD before reading it, and else take ids as
    ** meaning the same string within one answer only. */
    uint64_t id_epoch;
} wm_plugin_input;

typedef struct wm_plugin_output wm_plugin_output;

struct wm_plugin_output {
    size_t struct_size; /* sizeof(wm_plugin_output) of the host */
    size_t n_areas;     /* entries in scores */
    double *scores;     /* per area, zeroed by the host: the plugin writes
                           a score in [0, 1]; 0.5 and above means "this
                           area", below means "not". Exactly n_areas: the
                           host keeps a guard value after the last, and an
                           answer whose plugin changed it (or left a score
                           outside [0, 1]) is flagged with the plugin's
                           name and its results dropped */

    /* Records evidence: byte span [start, end) of the answer's text that
    ** supports an area, the weight of the rule that matched, and that rule
    ** as the user wrote it (BORROWED from the plugin: it must stay valid as
    ** long as the instance). The host marks evidence whose span holds a
    ** negated token. Returns WM_OK, WM_ENOMEM, or WM_EINVAL for an area or
    ** span outside the answer (then nothing is recorded, and the answer is
    ** flagged with the plugin's name even if classify() returns WM_OK). */
    int (*add_evidence)(wm_plugin_output *out, uint32_t area, size_t start,
                        size_t end, double weight, const char *rule);

    void *host;         /* the host's own, for add_evidence (not a
                           wm_host) */
    char *err;          /* a buffer for the plugin's error message */
    size_t err_size;    /* its size */

    /* --- ABI 1.2 (check with WM_HAS_FIELD(out, wm_plugin_output, veto)) --- */

    /* Per area (n_areas), zeroed by the host: a plugin that is sure an
    ** area is absent writes 1, and the area is then not assigned whatever
    ** the other plugins score (the engine keeps its combined score below
    ** 0.5; see wm_engine_set_combine()). Only for plugins whose low score
    ** is evidence of absence, as a model's probability far under its
    ** threshold; a word list's 0 means only "no evidence". Ignored when the
    ** plugin fails. */
    unsigned char *veto;
};

/* ------------------------------------------------------------------------
** The descriptor
** --------------------------------------------------------------------- */

typedef struct wm_plugin {
    /* --- ABI 1.0 ------------------------------------------------------- */
    uint32_t abi_major;      /* WM_PLUGIN_ABI_MAJOR the plugin was built for */
    uint32_t abi_minor;      /* WM_PLUGIN_ABI_MINOR the plugin was built for */
    size_t struct_size;      /* sizeof(wm_plugin) the plugin was built with */
    const char *name;        /* short name: letters, digits, '_' ("lexicon") */
    const char *version;     /* the plugin's own version ("1.0.0") */
    const char *description; /* one line for humans */

    /* Makes an instance for one language. Writes it to *state (non-NULL:
    ** WM_OK with a NULL state counts as WM_PLUGIN_SKIP). Returns WM_OK,
    ** WM_PLUGIN_SKIP (nothing to do for this language), or a negative
    ** WM_E* code with a message in err: WM_EINVAL for bad options,
    ** WM_EPARSE / WM_EIO for bad data reach the user as such; any other
    ** code is reported as a plugin failure. Setup time, one thread. */
    int (*create)(const wm_host *host, const wm_plugin_config *config,
                  void **state, char *err, size_t err_size);

    /* Destroys an instance (after every worker of it). */
    void (*destroy)(void *state);

    /* Optional (NULL when not needed): makes one thread's scratch memory
    ** for an instance, and frees it. */
    int (*worker_new)(void *state, void **worker, char *err, size_t err_size);
    void (*worker_free)(void *state, void *worker);

    /* Classifies one answer: writes scores and evidence to out. Returns
    ** WM_OK or a negative WM_E* code with a message in out->err (the
    ** answer is then flagged with the plugin's name). Called from many
    ** threads at once with the same state, each with its own worker. */
    int (*classify)(void *state, void *worker, const wm_plugin_input *in,
                    wm_plugin_output *out);

    /* --- Fields added by later minor versions go below, each group
    **     labelled with the version that added it. --------------------- */
} wm_plugin;

/* The type of wm_plugin_entry(). */
typedef const wm_plugin *(*wm_plugin_entry_fn)(void);

/* The one function a plugin built as a shared object defines (with
** WM_PLUGIN_EXPORT); it returns a pointer to a static descriptor. */
WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* WHATMATTERS_PLUGIN_H */
