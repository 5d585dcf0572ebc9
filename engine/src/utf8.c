/*
** utf8.c — UTF-8 decoding and validation.
**
** The decoder follows Table 3-7 of the Unicode Standard (well-formed byte
** sequences): the second byte's range depends on the first (E0 needs A0..BF
** to exclude overlongs, ED needs 80..9F to exclude surrogates, F0 needs
** 90..BF, F4 needs 80..8F). On a bad sequence it reports the maximal
** subpart, so every caller agrees on where invalid text starts and ends.
*/
#include "utf8.h"

#include <string.h>

/*
** Decodes one code point; see utf8.h. The lead byte selects how many
** continuation bytes follow and the allowed range of the first of them.
*/
size_t wm_utf8_decode(const unsigned char *text, size_t len, size_t pos,
                      int32_t *cp)
{
    const unsigned char *s = text + pos;
    size_t avail = len - pos;
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t need;                   /* continuation bytes */
    int32_t v;

    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; v = (int32_t)(c & 0x1F);
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; v = (int32_t)(c & 0x0F);
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; v = (int32_t)(c & 0x07);
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *cp = -1; /* C0, C1, F5..FF, or a stray continuation byte */
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned b;
        if (i >= avail) { *cp = -1; return i; } /* truncated at the end */
        b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
            *cp = -1;
            return i; /* the maximal subpart ends before this byte */
        }
        v = (v << 6) | (int32_t)(b & 0x3F);
    }
    *cp = v;
    return need + 1;
}

/* Encodes a valid code point; see utf8.h. */
size_t wm_utf8_encode(int32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Finds the first invalid byte; see utf8.h. */
size_t wm_utf8_validate(const unsigned char *text, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        int32_t cp;
        size_t n;
        if (len - pos >= 8) {
            uint64_t w;
            memcpy(&w, text + pos, 8);
            if ((w & UINT64_C(0x8080808080808080)) == 0) {
                pos += 8;
                continue;
            }
        }
        n = wm_utf8_decode(text, len, pos, &cp);
        if (cp < 0)
            return pos;
        pos += n;
    }
    return len;
}
