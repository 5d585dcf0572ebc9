/*
** utf8.h — UTF-8 decoding and validation (internal).
*/
#ifndef WM_UTF8_H
#define WM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at text[pos] (requires pos < len). Returns its
** byte length (1..4) and stores the code point in *cp; or, where the bytes
** are not well-formed UTF-8, returns the length of the maximal invalid
** subsequence there (1..3, Unicode's "maximal subpart" practice, the same
** that U+FFFD substitution uses) and stores -1. Overlong forms, surrogates
** and values above U+10FFFF are invalid. */
size_t wm_utf8_decode(const unsigned char *text, size_t len, size_t pos,
                      int32_t *cp);

/* Encodes a valid code point into out (room for 4 bytes); returns the
** number of bytes written. */
size_t wm_utf8_encode(int32_t cp, unsigned char *out);

/* Returns the offset of the first invalid byte in text[0..len), or len when
** the text is valid UTF-8. An ASCII run is skipped eight bytes at a time. */
size_t wm_utf8_validate(const unsigned char *text, size_t len);

#endif /* WM_UTF8_H */
