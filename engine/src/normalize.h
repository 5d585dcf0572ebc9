/*
** normalize.h — the normal form of a token (internal).
**
** The normal form is what every later stage compares: NFC, full Unicode
** case folding (so "Å" and "å", "STRASSE" and "straße" meet), default-
** ignorable characters (soft hyphen, zero-width joiner, ...) removed, and
** the typographic apostrophes U+2019 and U+02BC taken as "'". Decomposed
** input (NFD, as macOS keyboards produce) gives the same bytes as composed.
*/
#ifndef WM_NORMALIZE_H
#define WM_NORMALIZE_H

#include "whatmatters.h"

#include <stddef.h>
#include <stdint.h>

/* Scratch memory of the normaliser; one per analyzer, reused per token. */
typedef struct wm_normbuf {
    const wm_allocator *al; /* where the buffers come from */
    int32_t *cps;           /* code points between the two utf8proc steps */
    size_t cps_cap;         /* capacity of cps, in code points */
    unsigned char *out;     /* the UTF-8 result */
    size_t out_cap;         /* capacity of out, in bytes */
} wm_normbuf;

/* Makes empty scratch memory. */
void wm_normbuf_init(wm_normbuf *nb, const wm_allocator *al);

/* Releases the scratch memory. */
void wm_normbuf_free(wm_normbuf *nb);

/* Normalises text[0..len), which must be valid UTF-8, into nb->out and
** writes the result's length to *out_len (the result is valid until the
** next call with nb). Returns WM_OK, WM_ENOMEM, or WM_EUTF8 when utf8proc
** rejects the text. */
int wm_normalize(wm_normbuf *nb, const unsigned char *text, size_t len,
                 size_t *out_len);

#endif /* WM_NORMALIZE_H */
