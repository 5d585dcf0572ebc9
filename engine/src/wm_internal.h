/*
** wm_internal.h — what the library's files share and nothing outside sees.
*/
#ifndef WM_INTERNAL_H
#define WM_INTERNAL_H

#include "whatmatters.h"
#include "intern.h"
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

struct wm_engine {
    wm_allocator alloc;          /* copied from the options or the default */
    size_t max_text_len;         /* bytes in one answer */
    size_t max_token_len;        /* bytes of one token to normalise */
    size_t cache_entries;        /* analyzer cache bound */
    wm_wordlists lists[WM_NLANGS]; /* per-language stopwords, negation */
    atomic_int frozen;           /* set by the first analyzer: no setup */
    char errmsg[WM_ERRMSG_SIZE]; /* last setup error, "" when none */
};

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

/* --- Languages --- */

/* Index (0..WM_NLANGS-1) of a language code, or -1 when unsupported. */
int wm__lang_index(const char *code);
/* Canonical code of an index ("sv", ...). */
const char *wm__lang_code(int index);
/* Snowball algorithm name of an index ("swedish", ...). */
const char *wm__lang_snowball(int index);

#endif /* WM_INTERNAL_H */
