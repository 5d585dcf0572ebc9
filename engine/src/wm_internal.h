/*
** wm_internal.h — what the library's files share and nothing outside sees.
*/
#ifndef WM_INTERNAL_H
#define WM_INTERNAL_H

#include "whatmatters.h"
#include "whatmatters_plugin.h"
#include "intern.h"
#include "normalize.h"
#include "spell.h"
#include "taxonomy.h"
#include "wordcache.h"
#include "wordlist.h"

#include <stdarg.h>
#include <stdatomic.h>

/* Defaults of wm_engine_options. */
#define WM_DEFAULT_MAX_TEXT_LEN  ((size_t)256 << 20)
#define WM_DEFAULT_MAX_TOKEN_LEN ((size_t)256)
#define WM_DEFAULT_CACHE_ENTRIES ((size_t)1 << 17)

/* Bytes of a handle's error message, longer ones are cut. */
#define WM_ERRMSG_SIZE 512

/* Number of supported languages; their order is that of wm_lang_list(). */
#define WM_NLANGS 5

/* Files a plugin may ask for during one create(). */
#define WM_SETUP_FILES 8

/* The context behind the wm_host table the engine gives plugins for one
** language. It lives as long as the engine, so a plugin may keep the
** table and allocate through it until its instance is destroyed; the
** fields marked "setup" are used only while create() runs. */
typedef struct wm_host_ctx {
    wm_engine *engine;                    /* the engine */
    int lang;                             /* the language index */
    wm_analyzer *analyzer;                /* setup: for analyze(), on demand */
    unsigned char *files[WM_SETUP_FILES]; /* setup: data files read */
    int n_files;                          /* setup: how many */
} wm_host_ctx;

/* A data file the engine used, for wm_engine_data_info(). */
typedef struct wm_data_entry {
    char *name;        /* "sv/areas.txt", owned */
    char *source;      /* "built-in" or a path, owned */
    uint64_t hash;     /* FNV-1a 64 of the bytes */
    uint64_t bytes;    /* their count */
} wm_data_entry;

/* A plugin added to an engine. */
typedef struct wm_plugin_slot {
    const wm_plugin *desc;  /* its descriptor (checked) */
    void *dl;               /* dlopen() handle, NULL when built in */
    char *source;           /* "built-in" or the path, for messages */
    void *state[WM_NLANGS]; /* its instance per language; NULL: skipped */
} wm_plugin_slot;

struct wm_engine {
    wm_allocator alloc;          /* copied from the options or the default */
    size_t max_text_len;         /* bytes in one answer */
    size_t max_token_len;        /* bytes of one token to normalise */
    size_t cache_entries;        /* analyzer cache bound */
    wm_wordlists lists[WM_NLANGS]; /* per-language stopwords, negation */
    wm_taxonomy taxonomy;        /* the areas */
    int taxonomy_builtin;        /* it is the built-in one: plugins may use
                                    the built-in data files */
    char *data_dir;              /* plugins' data folder, or NULL */
    wm_plugin_slot *plugins;     /* in the order added */
    size_t n_plugins;            /* how many */
    size_t cap_plugins;          /* allocated */
    int combine;                 /* WM_COMBINE_* */
    unsigned plugin_time_limit;  /* ms one plugin may take on one answer
                                    before the answer is flagged; 0: none
                                    (wm_engine_set_plugin_time_limit) */
    unsigned langs;              /* bit i: plugins make instances for
                                    language i (wm_engine_set_languages) */
    wm_intern vocab[WM_NLANGS];  /* strings plugins interned: their ids are
                                    the ids tokens carry; frozen with the
                                    engine */
    wm_host host[WM_NLANGS];     /* the service tables plugins get */
    wm_host_ctx host_ctx[WM_NLANGS]; /* and their contexts */
    wm_data_entry *data;         /* data files used, in first-use order */
    size_t n_data;               /* how many */
    size_t cap_data;             /* allocated */
    struct wm_langid *_Atomic langid; /* language identification (langid.c):
                                    NULL until the first detection builds it
                                    (wm_engine_detect_lang), read-only once
                                    made */
    wm_spell *spell[WM_NLANGS];  /* the spelling stage per language
                                    (spell.c); NULL when it is off or the
                                    language was not asked for */
    struct wm_sharedcache *_Atomic shared[WM_NLANGS]; /* the analysed words
                                    all analyzers of a language share
                                    (sharedcache.h): NULL until its first
                                    analyzer with spelling off, then fixed */
    atomic_int frozen;           /* set by the first analyzer: no setup */
    char errmsg[WM_ERRMSG_SIZE]; /* last setup error, "" when none */
};

/* The bit of a vocabulary entry's val that host mark_alone() sets: the
** string matches a plugin alone (see wm_host.mark_alone). */
#define WM_VOCAB_ALONE 1u

/* A token the spelling stage adds after a cached word (a part of it or
** its variant), ready to copy into the analysis. */
typedef struct wm_alt {
    wm_word_image s;                /* what its token carries, its bits
                                       WM_TOK_WORD | WM_TOK_PART or
                                       _VARIANT, its alts 0 */
} wm_alt;

/* wm_word_image.alts: the first of a word's alternatives in the
** analyzer's alts array and their count, packed; 0 when it has none. */
#define WM_ALT_COUNT_BITS 3u
#define WM_ALT_COUNT(x) ((x) & ((1u << WM_ALT_COUNT_BITS) - 1))
#define WM_ALT_FIRST(x) ((x) >> WM_ALT_COUNT_BITS)
#define WM_ALT_MAX ((size_t)UINT32_MAX >> WM_ALT_COUNT_BITS) /* alts held */

struct wm_analyzer {
    wm_engine *engine;              /* the shared, frozen engine */
    const wm_wordlists *lists;      /* the language's word lists */
    int lang;                       /* language index */
    struct sb_stemmer *stemmer;     /* Snowball; this analyzer's own */
    wm_wordcache words;             /* surface form -> token data */
    wm_intern strings;              /* normal forms and stems */
    struct wm_sharedcache *shared;  /* the engine's shared cache of the
                                       language, or NULL (setup analyzers,
                                       spelling on, no memory) */
    wm_normbuf nb;                  /* normaliser scratch */
    wm_spell *spell;                /* the language's spelling stage, or
                                       NULL (off, or a setup analyzer) */
    wm_alt *alts;                   /* cached words' alternatives, cleared
                                       with the cache */
    size_t n_alts;                  /* in use */
    size_t cap_alts;                /* allocated */
    wm_token *tokens;               /* the current answer's tokens */
    size_t cap_tokens;              /* allocated tokens */
    wm_analysis analysis;           /* what wm_analyze() lends out */
    wm_analyzer_stats stats;        /* counters */
    /* Classification (classify.c), allocated on the first wm_classify(). */
    int cls_ready;                  /* the arrays below exist */
    void **workers;                 /* per plugin: its worker, or NULL */
    double *plugin_scores;          /* n_plugins rows of n_areas + 1: the
                                       last of a row is a guard that a
                                       plugin writing past its scores
                                       changes (WM_SCORE_GUARD) */
    double *scores;                 /* n_areas, combined */
    unsigned char *labels;          /* n_areas */
    unsigned char *veto;            /* the running plugin's veto (ABI
                                       1.2): n_areas, padded to whole
                                       16-byte blocks; zero between
                                       plugins */
    wm_evidence *evidence;          /* this answer's evidence */
    size_t n_evidence;              /* how many */
    size_t cap_evidence;            /* allocated */
    uint32_t cur_plugin;            /* the plugin add_evidence() is for */
    char bad_evidence[160];         /* what add_evidence() refused of the
                                       current plugin, "" when nothing */
    wm_classification result;       /* what wm_classify() lends out */
    char failure[WM_ERRMSG_SIZE];   /* the failing plugin's message */
    char errmsg[WM_ERRMSG_SIZE];    /* last error, "" when none */
    uint64_t cls_hit;               /* classify.c: the areas the last
                                       result scored (bit i, area i); its
                                       scores and labels are 0 elsewhere,
                                       and the plugins' rows 0 everywhere */
    uint64_t cls_areas;             /* classify.c: the taxonomy's areas as
                                       bits (1 to WM_MAX_AREAS, 64) */
    struct wm_cls_run *cls_run;     /* classify.c: the plugins that run for
                                       the language, in order, each with
                                       the output it is handed */
    size_t cls_n;                   /* how many */
    char cls_err[WM_ERRMSG_SIZE / 2]; /* the running plugin's message */
};

/* Makes an analyzer; `freeze` is 0 only for the engine's own analyzers
** during setup (they serve plugins' host->analyze()). */
int wm__analyzer_make(wm_engine *engine, int lang, int freeze, wm_analyzer **out);

/* Destroys the plugins' workers of an analyzer (classify.c). */
void wm__classify_free(wm_analyzer *a);

/* Fills the engine's per-language wm_host tables (plugin.c). */
void wm__hosts_init(wm_engine *engine);

/* Destroys every plugin instance and closes the plugins (plugin.c). */
void wm__plugins_free(wm_engine *engine);

/* Records that the engine uses a data file (engine.c): a file of the
** same name replaces the earlier entry. WM_OK or WM_ENOMEM. */
int wm__data_note(wm_engine *engine, const char *name, const char *source,
                  const unsigned char *bytes, size_t len);

/* Reads a whole file through the engine's allocator (engine.c). A missing
** file is WM_OK with *text NULL; another failure is WM_EIO or WM_ENOMEM
** with the engine's message naming the file. */
int wm__read_file(wm_engine *engine, const char *path, unsigned char **text,
                  size_t *len);

/* Turns the spelling stage off: closes its services and drops the
** dictionaries from the data files (spell.c). */
void wm__spell_free(wm_engine *engine);

/* True when setup calls are no longer allowed; sets the message. */
int wm__frozen(wm_engine *engine);

/* --- Allocation through the engine's allocator (alloc.c) --- */

/* Allocates n bytes; NULL when the allocator fails. */
void *wm__malloc(const wm_allocator *al, size_t n);
/* Allocates n zeroed bytes; NULL on failure or overflow of count*size. */
void *wm__calloc(const wm_allocator *al, size_t count, size_t size);
/* Resizes; NULL on failure leaving p intact. */
void *wm__realloc(const wm_allocator *al, void *p, size_t n);
/* Frees; NULL is a no-op. */
void wm__free(const wm_allocator *al, void *p);
/* Grows an array *pp of *cap elements of `size` bytes to hold at least
** `need`, doubling; WM_OK or WM_ENOMEM (the array is then unchanged). */
int wm__grow(const wm_allocator *al, void **pp, size_t *cap, size_t need,
             size_t size);

/* The default allocator over the C library. */
extern const wm_allocator wm__default_allocator;

/* --- Messages --- */

/* Formats a message into a handle's errmsg buffer; returns rc so that a
** failing path can say `return wm__error(buf, rc, "...", ...)`. */
int wm__error(char *errmsg, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* --- Built-in data files (generated by tools/embed_data.cmake) --- */

typedef struct wm_builtin_file {
    const char *name;          /* path under lexicons/: "sv/stopwords.txt" */
    const unsigned char *data; /* the file's bytes (NUL after the last) */
    size_t len;                /* their count */
} wm_builtin_file;

/* Terminated by an entry whose name is NULL: the files of lexicons/, and
** the supervised plugin's models trained at build time ("en/supervised.model";
** empty in the bootstrap library that trains them). */
extern const wm_builtin_file wm_builtin_files[];
extern const wm_builtin_file wm_builtin_models[];

/* The built-in file of that name (data file or model), or NULL. */
const wm_builtin_file *wm__builtin_file(const char *name);

/* --- Languages --- */

/* Index (0..WM_NLANGS-1) of a language code, or -1 when unsupported. */
int wm__lang_index(const char *code);
/* Canonical code of an index ("sv", ...). */
const char *wm__lang_code(int index);
/* Snowball algorithm name of an index ("swedish", ...). */
const char *wm__lang_snowball(int index);

#endif /* WM_INTERNAL_H */
