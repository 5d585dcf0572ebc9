/*
** test_utf8.c — the UTF-8 decoder and validator against the Unicode
** Standard's rules: well-formed sequences decode, and each ill-formed one
** is cut into maximal subparts exactly as Unicode's U+FFFD practice says
** (Table 3-8 of chapter 3 is the example checked here).
*/
#include "wm_test.h"
#include "utf8.h"

#include <string.h>

/* Decodes a whole string and writes, per step, the length and whether it
** was valid ("3v" for a valid 3-byte code point, "1x" for one invalid
** byte), so a case reads as one short string. */
static void steps(const char *s, size_t len, char *out)
{
    size_t pos = 0;

    *out = '\0';
    while (pos < len) {
        int32_t cp;
        size_t n = wm_utf8_decode((const unsigned char *)s, len, pos, &cp);
        char step[4] = {(char)('0' + n), cp < 0 ? 'x' : 'v', ' ', '\0'};
        strcat(out, step);
        pos += n;
    }
}

static void check_steps(const char *s, size_t len, const char *want)
{
    char got[256];

    steps(s, len, got);
    CHECK_STR(got, strlen(got), want);
}

int main(void)
{
    int32_t cp;
    size_t n;

    /* Well-formed: 1 to 4 bytes, and the edges of each range. */
    n = wm_utf8_decode((const unsigned char *)"\xC3\xA5", 2, 0, &cp);
    CHECK(n == 2 && cp == 0xE5);
    n = wm_utf8_decode((const unsigned char *)"\xE2\x82\xAC", 3, 0, &cp);
    CHECK(n == 3 && cp == 0x20AC);
    n = wm_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x8A", 4, 0, &cp);
    CHECK(n == 4 && cp == 0x1F60A);
    n = wm_utf8_decode((const unsigned char *)"\xF4\x8F\xBF\xBF", 4, 0, &cp);
    CHECK(n == 4 && cp == 0x10FFFF);
    n = wm_utf8_decode((const unsigned char *)"\xED\x9F\xBF", 3, 0, &cp);
    CHECK(n == 3 && cp == 0xD7FF);

    /* Table 3-8: "61 F1 80 80 E1 80 C2 62 80 63 80 BF 64" decodes as
    ** a, FFFD, FFFD, FFFD, b, FFFD, c, FFFD, FFFD, d. */
    check_steps("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 13,
                "1v 3x 2x 1x 1v 1x 1v 1x 1x 1v ");
    /* Overlongs, surrogates, beyond U+10FFFF: each byte on its own or cut
    ** at the first byte out of the second byte's range. */
    check_steps("\xC0\xAF", 2, "1x 1x ");
    check_steps("\xE0\x80\xAF", 3, "1x 1x 1x ");
    check_steps("\xED\xA0\x80", 3, "1x 1x 1x ");
    check_steps("\xF4\x90\x80\x80", 4, "1x 1x 1x 1x ");
    check_steps("\xF5\x80", 2, "1x 1x ");
    check_steps("\xFF", 1, "1x ");
    /* Truncated at the end of the input. */
    check_steps("\xF0\x9F\x98", 3, "3x ");
    check_steps("\xE2\x82", 2, "2x ");

    /* Validation finds the first bad byte, also past a long ASCII run. */
    CHECK(wm_utf8_validate((const unsigned char *)"plain ascii text!", 17) == 17);
    CHECK(wm_utf8_validate((const unsigned char *)"0123456789abcdef\xC3\xA5\xFF", 19) == 18);
    CHECK(wm_utf8_validate((const unsigned char *)"", 0) == 0);
    CHECK(wm_utf8_validate((const unsigned char *)"abc\xE2\x82", 5) == 3);

    /* Encoding round-trips. */
    {
        unsigned char buf[4];
        int32_t cps[] = {0x41, 0xE5, 0x20AC, 0x1F60A, 0x10FFFF};
        for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
            size_t len = wm_utf8_encode(cps[i], buf);
            CHECK(wm_utf8_decode(buf, len, 0, &cp) == len && cp == cps[i]);
        }
    }
    return wm_test_finish();
}
