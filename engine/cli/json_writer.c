/*
** json_writer.c — JSON strings and numbers for the command-line tool.
**
** The tool prints the bytes of users' answers (evidence spans) inside JSON,
** and those bytes may be anything: control characters, quotes, invalid
** UTF-8. JSON must be valid UTF-8, so an invalid sequence cannot be copied
** or escaped byte for byte; it becomes U+FFFD, once per maximal invalid
** subsequence, which is also how the library counts invalid input. The
** span's offsets still tell where the original bytes are.
*/
#include "json_writer.h"

#include <math.h>
#include <string.h>

/*
** Measures the UTF-8 sequence at s (avail > 0 bytes left). Returns its
** length and sets *valid to 1 for a well-formed sequence (Unicode Table
** 3-7: no overlongs, surrogates or values above U+10FFFF); otherwise sets
** *valid to 0 and returns the length of the maximal subpart: the lead byte
** with the continuation bytes that could still have begun a valid
** sequence, or 1 for a byte that cannot start one.
*/
size_t cli_utf8_seq(const unsigned char *s, size_t avail, int *valid)
{
    unsigned lead = s[0];
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t need;                   /* continuation bytes */

    *valid = 0;
    if (lead < 0x80) {
        *valid = 1;
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        return 1; /* 80..C1, F5..FF never start a sequence */
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned b;
        if (i >= avail)
            return i; /* cut short by the end of the text */
        b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return i;
    }
    *valid = 1;
    return need + 1;
}

/*
** Writes a JSON string. Runs of bytes that need no escape go out with one
** fwrite; the escapes are rare in answers, so the common case is a single
** write between the quotes.
*/
void cli_json_string(FILE *out, const char *text, size_t text_len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t plain = 0; /* start of the pending run of plain bytes */
    size_t i = 0;

    /* An empty string may come without bytes (msgpack-c gives a NULL
    ** pointer for some), which fwrite must not be handed. */
    if (text_len == 0) {
        fputs("\"\"", out);
        return;
    }
    putc('"', out);
    while (i < text_len) {
        unsigned b = s[i];
        int valid;
        size_t n;

        if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
            i++;
            continue;
        }
        n = cli_utf8_seq(s + i, text_len - i, &valid);
        if (valid && b >= 0x80 && !(b == 0xC2 && s[i + 1] < 0xA0)) {
            i += n; /* valid UTF-8 beyond ASCII and not a C1 control */
            continue;
        }
        fwrite(text + plain, 1, i - plain, out);
        if (b == '"' || b == '\\') {
            putc('\\', out);
            putc((int)b, out);
        } else if (!valid) {
            fputs("\\ufffd", out);
        } else if (b == 0xC2) {
            fprintf(out, "\\u%04x", (unsigned)s[i + 1]); /* C1: U+0080.. */
        } else {
            fprintf(out, "\\u%04x", b); /* C0 control or DEL */
        }
        i += n;
        plain = i;
    }
    fwrite(text + plain, 1, i - plain, out);
    putc('"', out);
}

/* A NUL-terminated string, or null. */
void cli_json_cstring(FILE *out, const char *text)
{
    if (text == NULL)
        fputs("null", out);
    else
        cli_json_string(out, text, strlen(text));
}

/*
** Writes a number with at most four decimals. "%.4f" then trimming keeps
** the output short and stable ("0.5", not "0.5000" or "0.50000000000000")
** and never uses an exponent, which some readers of the output handle
** badly. A negative zero (from rounding -0.00001) is written as 0.
*/
void cli_json_number(FILE *out, double value)
{
    char buf[64];
    int n;

    if (!isfinite(value)) {
        fputs("null", out);
        return;
    }
    n = snprintf(buf, sizeof buf, "%.4f", value);
    if (n <= 0 || (size_t)n >= sizeof buf) {
        fputs("null", out); /* over 1e58: not a value this tool prints */
        return;
    }
    while (n > 0 && buf[n - 1] == '0')
        n--;
    if (n > 0 && buf[n - 1] == '.')
        n--;
    buf[n] = '\0';
    if (strcmp(buf, "-0") == 0)
        fputs("0", out);
    else
        fputs(buf, out);
}
