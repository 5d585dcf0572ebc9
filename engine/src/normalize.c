/*
** normalize.c — NFC and case folding of one token, with utf8proc.
**
** utf8proc (Debian's libutf8proc, Unicode 15.0 like the word-break tables)
** does the Unicode work. We call its two halves ourselves rather than
** utf8proc_map(), which allocates per call: decompose into our reusable
** code-point buffer (canonical decomposition, case folding, ignorables
** dropped, apostrophes mapped), then compose in place, then encode. ASCII
** and the Latin-1 letters (å, ä, ö, æ, ø, é, ü...), the bulk of every
** corpus in these languages, never reach utf8proc: such text is already
** NFC and folds byte by byte.
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

/*
** The length of the prefix of text that fold_latin1() can normalise alone:
** ASCII and U+00C0..00FF (lead byte C3) but U+00DF, which folds to "ss".
** Text made only of those is NFC already (none of them is a combining
** mark, so nothing composes), holds nothing UTF8PROC_IGNORE drops (the
** soft hyphen is U+00AD, lead byte C2) and no apostrophe to map, and
** case-folds one character to one character.
*/
static size_t latin1_prefix(const unsigned char *text, size_t len)
{
    size_t i = 0;

    while (i < len) {
        if (text[i] < 0x80)
            i++;
        else if (text[i] == 0xC3 && i + 1 < len && (text[i + 1] & 0xC0) == 0x80 &&
                 text[i + 1] != 0x9F)
            i += 2;
        else
            break;
    }
    return i;
}

/* Case-folds what latin1_prefix() accepted: A..Z by 32, and U+00C0..00DE
** (À..Þ) but U+00D7 (×) by 32, which in UTF-8 is the second byte + 32. */
static void fold_latin1(unsigned char *out, const unsigned char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned c = text[i];
        if (c < 0x80) {
            out[i] = (unsigned char)(c - 'A' < 26u ? c + 32 : c);
        } else {
            unsigned d = text[i + 1]; /* c is 0xC3 */
            out[i] = (unsigned char)c;
            out[i + 1] = (unsigned char)(d - 0x80u < 0x1Fu && d != 0x97 ? d + 32 : d);
            i++;
        }
    }
}

/* Normalises one token; see normalize.h. */
int wm_normalize(wm_normbuf *nb, const unsigned char *text, size_t len,
                 size_t *out_len)
{
    utf8proc_ssize_t n;
    size_t pos = 0;

    if (latin1_prefix(text, len) == len) {
        if (wm__grow(nb->al, (void **)&nb->out, &nb->out_cap, len, 1) != WM_OK)
            return WM_ENOMEM;
        fold_latin1(nb->out, text, len);
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
