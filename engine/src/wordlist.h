/*
** wordlist.h — per-language stopwords, negators and clause breaks
** (internal).
**
** The files are lexicons/<lang>/stopwords.txt and negation.txt (formats in
** lexicons/README.md). They are compiled into the library at build time
** (tools/embed_data.cmake) and may be replaced at run time from a
** folder with wm_engine_load_wordlists(). Entries are normalised with
** wm_normalize() when loaded, so they match tokens' normal forms.
*/
#ifndef WM_WORDLIST_H
#define WM_WORDLIST_H

#include "intern.h"
#include "normalize.h"

#include <stddef.h>
#include <stdint.h>

/* What a listed word is (bits of its entry's val). */
#define WM_WL_STOP         0x1u /* a stopword */
#define WM_WL_NEGATOR      0x2u /* opens a negation scope */
#define WM_WL_CLAUSE_BREAK 0x4u /* ends a clause */

/* A negator given as a suffix ("*n't"). */
typedef struct wm_suffix {
    char *text;   /* normalised bytes, owned */
    size_t len;   /* their length */
} wm_suffix;

/* The word lists of one language. */
typedef struct wm_wordlists {
    wm_intern words;          /* every listed word; entry val: WM_WL_* */
    wm_suffix *neg_suffixes;  /* negators given as "*suffix" */
    size_t n_neg_suffixes;    /* how many */
    size_t cap_neg_suffixes;  /* allocated */
} wm_wordlists;

/* Makes empty lists. */
void wm_wordlists_init(wm_wordlists *wl, const wm_allocator *al);

/* Releases the lists. */
void wm_wordlists_free(wm_wordlists *wl);

/* Parses one file's text into wl: kind is "stopwords" or "negation";
** name is the file name used in messages. On WM_EPARSE (or WM_ENOMEM)
** errmsg (WM_ERRMSG_SIZE bytes) says "name:line:column: what". */
int wm_wordlists_parse(wm_wordlists *wl, wm_normbuf *nb, const char *kind,
                       const unsigned char *text, size_t len,
                       const char *name, char *errmsg);

/* The WM_WL_* bits of a normalised word (0 when it is in no list). */
uint32_t wm_wordlists_lookup(const wm_wordlists *wl, const char *norm,
                             size_t len, uint32_t hash);

#endif /* WM_WORDLIST_H */
