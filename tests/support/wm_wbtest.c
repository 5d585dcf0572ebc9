/*
** wm_wbtest.c — see wm_wbtest.h.
**
** A line of the file reads "÷ 0041 × 0308 ÷ 0020 ÷  # comment": code points
** in hex, with ÷ where a boundary must be and × where none may be.
*/
#include "wm_wbtest.h"
#include "wm_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASE_BYTES 256 /* the longest case of the file is far shorter */

/* Appends a code point as UTF-8 (the file holds no surrogates). */
static size_t encode(unsigned long cp, unsigned char *out)
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

/* Runs one line; returns 1 when it was a case, 0 for comments and blanks. */
static int run_case(const char *line, int line_no, wm_wbtest_segmenter seg,
                    void *ctx)
{
    unsigned char buf[MAX_CASE_BYTES], *text;
    size_t want[MAX_CASE_BYTES], got[MAX_CASE_BYTES], len = 0;
    int nwant = 0, ngot, ok;
    const char *p = line + strspn(line, " \t");
    char msg[200];

    if (*p == '#' || *p == '\0' || *p == '\r')
        return 0;
    while (*p && *p != '#') {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
        } else if (strncmp(p, "\xC3\xB7", 2) == 0) { /* ÷ */
            if (len > 0)
                want[nwant++] = len;
            p += 2;
        } else if (strncmp(p, "\xC3\x97", 2) == 0) { /* × */
            p += 2;
        } else {
            char *endp;
            unsigned long cp = strtoul(p, &endp, 16);
            if (endp == p || cp > 0x10FFFF || len + 4 > sizeof buf) {
                snprintf(msg, sizeof msg, "WordBreakTest.txt:%d: cannot parse", line_no);
                CHECK_MSG(0, msg);
                return 1;
            }
            len += encode(cp, buf + len);
            p = endp;
        }
    }
    text = malloc(len ? len : 1); /* exact size, so over-reads are caught */
    if (!CHECK(text != NULL))
        return 1;
    memcpy(text, buf, len);
    ngot = seg(ctx, text, len, got, MAX_CASE_BYTES);
    free(text);
    ok = ngot == nwant && memcmp(got, want, (size_t)nwant * sizeof want[0]) == 0;
    snprintf(msg, sizeof msg, "WordBreakTest.txt:%d: boundaries differ: %.120s",
             line_no, line);
    CHECK_MSG(ok, msg);
    return 1;
}

int wm_wbtest_run(const char *path, wm_wbtest_segmenter seg, void *ctx)
{
    size_t size;
    char *data = wm_test_read_file(path, &size);
    char *line, *next;
    int line_no = 0, cases = 0, failed_before = wm_test_failures;

    if (!CHECK_MSG(data != NULL, "WordBreakTest.txt is readable (Debian package unicode-data)"))
        return 0;
    for (line = data; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        cases += run_case(line, ++line_no, seg, ctx);
    }
    free(data);
    printf("WordBreakTest.txt: %d of %d cases passed\n",
           cases - (wm_test_failures - failed_before), cases);
    CHECK_MSG(cases >= 1800, "WordBreakTest.txt holds its 1,800-odd cases");
    return cases;
}
