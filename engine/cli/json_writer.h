/*
** json_writer.h — writing JSON strings and numbers for the command-line
** tool (classify's lines, eval --json).
**
** Only what the tool prints needs writing, so this is two functions, not a
** JSON library: a string from arbitrary bytes, and a number with at most
** four decimals. Whatever the bytes, the output is valid JSON in valid
** UTF-8.
*/
#ifndef WM_CLI_JSON_WRITER_H
#define WM_CLI_JSON_WRITER_H

#include <stddef.h>
#include <stdio.h>

/* Writes text[0..text_len) as a JSON string, quotes included: '"' and '\'
** are escaped with a backslash; C0 controls, DEL and the C1 controls
** (U+0080..U+009F) as \u00XX (lowercase hex); each maximal invalid UTF-8
** subsequence (as Unicode's "substitution of maximal subparts" counts
** them, and as the library's analysis does) as one \ufffd. Everything else
** is copied as is. */
void cli_json_string(FILE *out, const char *text, size_t text_len);

/* The same for a NUL-terminated string; NULL is written as null. */
void cli_json_cstring(FILE *out, const char *text);

/* Writes a number rounded to four decimals with trailing zeros dropped:
** 0.666666 as 0.6667, 0.5 as 0.5, 1.0 as 1, 0.00001 as 0. NaN and the
** infinities, which JSON has no way to write, come out as null. */
void cli_json_number(FILE *out, double value);

/* Measures the UTF-8 sequence at s (avail > 0 bytes left): returns its
** length and sets *valid to 1 when it is well-formed (Unicode Table 3-7),
** else sets *valid to 0 and returns the length of the maximal subpart. */
size_t cli_utf8_seq(const unsigned char *s, size_t avail, int *valid);

#endif /* WM_CLI_JSON_WRITER_H */
