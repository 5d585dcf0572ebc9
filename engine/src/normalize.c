/*
** normalize.c — NFC and case folding of one token, with utf8proc.
**
** utf8proc (Debian's libutf8proc, Unicode 15.0 like the word-break tables)
** does the Unicode work. We call its two halves ourselves rather than
** utf8proc_map(), which allocates per call: decompose into our reusable
** code-point buffer (canonical decomposition, case folding, ignorables
** dropped, apostrophes mapped), then compose in place, then encode. ASCII,
** the bulk of every corpus, never reaches utf8proc: it is already NFC and
** folds by a table.
*/
#include "normalize.h"
#include "utf8.h"
#include "wm_internal.h"

#include <string.h>
#include <utf8proc.h>

#define DECOMPOSE_OPTIONS \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/* Makes empty scratch memory. */
void wm_normbuf_init(wm_normbuf *nb, const wm_allocator *al)
{
    memset(nb, 0, sizeof *nb);
    nb->al = al;
}

/* Releases the scratch memory. */
void wm_normbuf_free(wm_normbuf *nb)
{
    wm__free(nb->al, nb->cps);
    wm__free(nb->al, nb->out);
    wm_normbuf_init(nb, nb->al);
}

/* utf8proc's per-code-point hook: the typographic apostrophes become the
** ASCII one, so "don’t" and "don't" are the same word. */
static utf8proc_int32_t map_apostrophe(utf8proc_int32_t cp, void *data)
{
    (void)data;
    return (cp == 0x2019 || cp == 0x02BC) ? 0x27 : cp;
}

/* Lower-cases pure ASCII, which needs nothing more to be in normal form. */
static void fold_ascii(unsigned char *out, const unsigned char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned c = text[i];
        out[i] = (unsigned char)(c - 'A' < 26u ? c + 32 : c);
    }
}

/* Normalises one token; see normalize.h. */
int wm_normalize(wm_normbuf *nb, const unsigned char *text, size_t len,
                 size_t *out_len)
{
    utf8proc_ssize_t n;
    size_t ascii = 0, pos = 0;

    while (ascii < len && text[ascii] < 0x80)
        ascii++;
    if (ascii == len) {
        if (wm__grow(nb->al, (void **)&nb->out, &nb->out_cap, len, 1) != WM_OK)
            return WM_ENOMEM;
        fold_ascii(nb->out, text, len);
        *out_len = len;
        return WM_OK;
    }

    /* Decompose; utf8proc says how much room it needs when it lacks it. */
    for (;;) {
        n = utf8proc_decompose_custom(text, (utf8proc_ssize_t)len,
                                      nb->cps, (utf8proc_ssize_t)nb->cps_cap,
                                      DECOMPOSE_OPTIONS, map_apostrophe, NULL);
        if (n < 0)
            return n == UTF8PROC_ERROR_NOMEM ? WM_ENOMEM : WM_EUTF8;
        if ((size_t)n <= nb->cps_cap)
            break;
        if (wm__grow(nb->al, (void **)&nb->cps, &nb->cps_cap, (size_t)n,
                     sizeof *nb->cps) != WM_OK)
            return WM_ENOMEM;
    }
    n = utf8proc_normalize_utf32(nb->cps, n, DECOMPOSE_OPTIONS);
    if (n < 0)
        return WM_EUTF8;
    if (wm__grow(nb->al, (void **)&nb->out, &nb->out_cap, (size_t)n * 4, 1) != WM_OK)
        return WM_ENOMEM;
    for (utf8proc_ssize_t i = 0; i < n; i++)
        pos += wm_utf8_encode(nb->cps[i], nb->out + pos);
    *out_len = pos;
    return WM_OK;
}
