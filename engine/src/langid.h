/*
** langid.h — language identification among the supported languages
** (internal).
**
** A naive-Bayes model over character n-grams (1 to 4 code points of a word
** with its boundaries, "_word_") and whole words, one profile of weighted
** counts per language in lexicons/langid/LANG.txt (made by
** tools/gen_langid.py, which documents the training text and the feature
** rules; the two must agree). The counts become smoothed, weighted and
** quantised log-probabilities in one hash table when the engine first
** detects (wm_engine_detect_lang builds it lazily); from then on the model is read-only, so any number of threads may detect
** at once, and a detection allocates nothing.
*/
#ifndef WM_LANGID_H
#define WM_LANGID_H

#include "whatmatters.h"

#include <stddef.h>

/* The longest n-gram, in code points (a boundary "_" counts as one). */
#define WM_LANGID_MAX_ORDER 4

/* Words longer than this (code points) give n-grams but no word feature;
** tools/gen_langid.py's WORD_MAX. */
#define WM_LANGID_WORD_MAX 24

/* Bytes of an answer a detection looks at: the language of a long text is
** plain from its start, and the cap bounds what a hostile input costs. */
#define WM_LANGID_MAX_BYTES ((size_t)1 << 20)

/* Fewer letters than this is too short to tell: "ok", "ja", "eg" and "no"
** are written in several of the languages. */
#define WM_LANGID_MIN_LETTERS 3

typedef struct wm_langid wm_langid;

/* Builds the model from the built-in profiles langid/LANG.txt of every
** language, allocating through al. Writes it to *out (NULL on failure).
** Returns WM_OK, WM_ENOMEM, or WM_EPARSE (a profile is missing or
** malformed; errmsg, WM_ERRMSG_SIZE bytes, names the file and line). */
int wm_langid_new(const wm_allocator *al, wm_langid **out, char *errmsg);

/* Frees a model made with the same allocator. NULL is a no-op. */
void wm_langid_free(wm_langid *model, const wm_allocator *al);

/* Guesses the language of text[0..text_len) (UTF-8; invalid bytes separate
** words, as punctuation does). Writes the language index to *lang and the
** confidence in [0, 1] to *confidence: the calibrated probability of the
** best language minus that of the second. Returns WM_OK, or WM_ENOTFOUND
** (with *lang -1 and *confidence 0) when the text has fewer than
** WM_LANGID_MIN_LETTERS letters or none of its features is in any
** profile (a text in another script). Thread-safe; no
** allocation. */
int wm_langid_detect(const wm_langid *model, const char *text, size_t text_len,
                     int *lang, double *confidence);

#endif /* WM_LANGID_H */
