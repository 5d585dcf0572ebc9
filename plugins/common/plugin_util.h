/*
** plugin_util.h — the small helpers every built-in plugin needs, once.
**
** A plugin builds against whatmatters_plugin.h alone and never links the
** library, so it cannot call the engine's own UTF-8 validator, number
** reader or growth routine. The lexicon, pattern and supervised plugins
** used to carry a copy each; this header holds the one copy, as static
** inline functions (each plugin compiles its own, nothing is exported).
** Nothing here keeps state.
**
** The example plugin (plugins/example/) does not include it on purpose:
** it shows an analyst everything a plugin needs in one file.
*/
#ifndef WM_PLUGIN_UTIL_H
#define WM_PLUGIN_UTIL_H

#include "whatmatters_plugin.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
** Writes a message to a caller's buffer. Every message of a plugin goes
** through here, so that a NULL or empty buffer is handled once.
*/
static inline void pu_message(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;

    if (!err || err_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/*
** Grows an array to hold at least `need` items of `size` bytes, doubling
** from 16, through the host's allocator; the new part is zeroed (callers
** rely on fresh marks being 0). Returns WM_OK or WM_ENOMEM (the array as
** it was).
*/
static inline int pu_grow(const wm_host *host, void **ptr, size_t *cap, size_t need,
                          size_t size)
{
    size_t n = *cap ? *cap : 16;
    void *q;

    if (need <= *cap)
        return WM_OK;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return WM_ENOMEM;
        n *= 2;
    }
    q = host->realloc(host->ctx, *ptr, n * size);
    if (!q)
        return WM_ENOMEM;
    memset((char *)q + *cap * size, 0, (n - *cap) * size);
    *ptr = q;
    *cap = n;
    return WM_OK;
}

/* Blanks around and between the fields of a line of a data file. */
static inline int pu_is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/*
** Decodes the UTF-8 character at s[0..len): its code point to *cp and its
** length, or 0 when the bytes there are not valid UTF-8 (overlong forms,
** surrogates and values above U+10FFFF included, as in the engine).
*/
static inline size_t pu_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* The offset of the first byte of s that is not valid UTF-8, or len. */
static inline size_t pu_utf8_check(const unsigned char *s, size_t len)
{
    size_t i = 0;
    uint32_t cp;

    while (i < len) {
        size_t n = pu_utf8(s + i, len - i, &cp);

        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

/* Code points in valid UTF-8: the bytes that are not continuation bytes. */
static inline size_t pu_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/*
** Reads a plain decimal number ("2", "0.5", ".5", "10.") without sign or
** exponent, locale-independently (strtod follows the locale's decimal
** point). Returns 1 and the value, or 0 when the text is not one.
*/
static inline int pu_number(const unsigned char *s, size_t len, double *out)
{
    double v = 0, scale = 1;
    size_t i = 0, digits = 0;

    while (i < len && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i++] - '0');
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            scale /= 10;
            v += (s[i++] - '0') * scale;
            digits++;
        }
    }
    if (digits == 0 || digits > 15 || i != len)
        return 0;
    *out = v;
    return 1;
}

#endif /* WM_PLUGIN_UTIL_H */
