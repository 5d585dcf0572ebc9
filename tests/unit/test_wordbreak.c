/*
** test_wordbreak.c — wm_wb_next() against Unicode's WordBreakTest.txt, and
** the mask bits and invalid-UTF-8 handling that the test file does not
** cover.
**
** Usage: unit_wordbreak <path to WordBreakTest.txt>
**
** Every case of the Unicode file (read by tests/support/wm_wbtest.c) is
** encoded to UTF-8 in a buffer of exactly its size, so that a sanitizer
** build catches any read past the end, and segmented from start to end.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "wm_test.h"
#include "wm_wbtest.h"
#include "wordbreak.h"

#define MAX_SEGS 16        /* segments a mask case may expect */

/*
** Segments text[0..len) into ends[] (at most max_ends), returning how many
** segments there were, or -1 when wm_wb_next() broke its contract (no
** progress or an end past len). masks may be NULL.
*/
static int segment_all(const unsigned char *text, size_t len, size_t *ends,
                       unsigned *masks, int max_ends)
{
    size_t start = 0;
    int count = 0;

    while (start < len) {
        unsigned mask = 0;
        size_t end = wm_wb_next(text, len, start, &mask);
        if (end <= start || end > len || count == max_ends)
            return -1;
        ends[count] = end;
        if (masks)
            masks[count] = mask;
        count++;
        start = end;
    }
    return count;
}

/* The shared WordBreakTest.txt runner's view of the segmenter. */
static int segment_case(void *ctx, const unsigned char *text, size_t len,
                        size_t *ends, int max)
{
    (void)ctx;
    return segment_all(text, len, ends, NULL, max);
}

/* One hand-written case: a text and the segments and masks expected. */
struct mask_case {
    const char *text;              /* input (no NUL inside) */
    const char *segs[MAX_SEGS];    /* expected segments, NULL-terminated */
    unsigned masks[MAX_SEGS];      /* expected mask of each segment */
};

#define L WM_WB_LETTER
#define D WM_WB_DIGIT
#define E WM_WB_EMOJI
#define S WM_WB_SYMBOL
#define P WM_WB_PUNCT
#define SP WM_WB_SPACE
#define X WM_WB_INVALID
#define O WM_WB_OTHER

static const struct mask_case mask_cases[] = {
    { "hello", { "hello" }, { L } },
    { "123", { "123" }, { D } },
    { "3.5", { "3.5" }, { D } },
    { "3,5 1.2.3", { "3,5", " ", "1.2.3" }, { D, SP, D } },
    { "\xf0\x9f\x98\x80", { "\xf0\x9f\x98\x80" }, { E } },               /* 😀 */
    { "\xe2\x82\xac", { "\xe2\x82\xac" }, { S } },                       /* € */
    { ",", { "," }, { P } },
    { " ", { " " }, { SP } },
    { "can't", { "can't" }, { L } },
    { "e.g", { "e.g" }, { L } },
    { "e.g. x", { "e.g", ".", " ", "x" }, { L, P, SP, L } },
    { "don't.", { "don't", "." }, { L, P } },
    { "a.1", { "a", ".", "1" }, { L, P, D } },
    { "x1_y", { "x1_y" }, { L | D | P } },
    { "ab\xff" "cd", { "ab", "\xff", "cd" }, { L, X, L } },
    { "ab\xe2\x82" "cd", { "ab", "\xe2\x82", "cd" }, { L, X, L } },
    { "ab\xe2\x82", { "ab", "\xe2\x82" }, { L, X } },
    { "\xed\xa0\x80", { "\xed", "\xa0", "\x80" }, { X, X, X } },         /* surrogate */
    { "\xf0\x9f\x98", { "\xf0\x9f\x98" }, { X } },                       /* truncated */
    { "\xff\xcc\x88", { "\xff", "\xcc\x88" }, { X, O } },                /* mark alone */
    { "a\xcc\x8a", { "a\xcc\x8a" }, { L } },                             /* a + ring */
    { "bl\xc3\xa5" "b\xc3\xa4r \xc3\xa4r", { "bl\xc3\xa5" "b\xc3\xa4r", " ", "\xc3\xa4r" },
      { L, SP, L } },                                                    /* blåbär är */
    { "x  \t y", { "x", "  ", "\t", " ", "y" }, { L, SP, O, SP, L } },
    { "a\r\nb\n\r", { "a", "\r\n", "b", "\n", "\r" }, { L, SP, L, SP, SP } },
    { "\xc2\x85", { "\xc2\x85" }, { SP } },                              /* NEL */
    { "\xe3\x80\x80\xe3\x80\x80", { "\xe3\x80\x80\xe3\x80\x80" }, { SP } }, /* U+3000 x2 */
    { "\xe3\x81\x82\xe3\x81\x84", { "\xe3\x81\x82", "\xe3\x81\x84" }, { L, L } }, /* あい */
    { "\xe3\x82\xab\xe3\x82\xbf", { "\xe3\x82\xab\xe3\x82\xbf" }, { L } }, /* カタ */
    { "\xf0\x9f\x87\xb8\xf0\x9f\x87\xaa\xf0\x9f\x87\xb3\xf0\x9f\x87\xb4",
      { "\xf0\x9f\x87\xb8\xf0\x9f\x87\xaa", "\xf0\x9f\x87\xb3\xf0\x9f\x87\xb4" },
      { E, E } },                                                        /* 🇸🇪🇳🇴 */
    { "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", { "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" },
      { E } },                                                           /* 👍🏽 */
    { "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
      { "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7" },
      { E } },                                                           /* 👨‍👩‍👧 */
    { "\xe2\x93\x82", { "\xe2\x93\x82" }, { L | E } },                   /* Ⓜ */
    { "\xe2\x80\x8b", { "\xe2\x80\x8b" }, { O } },                       /* ZWSP */
    { "\xd7\xa9\"\xd7\xa1", { "\xd7\xa9\"\xd7\xa1" }, { L } },           /* ש"ס */
    { "\xd7\xa9'", { "\xd7\xa9'" }, { L | P } },                         /* WB7a */
};

#undef L
#undef D
#undef E
#undef S
#undef P
#undef SP
#undef X
#undef O

/* Checks one hand-written case: segment texts and masks, in order. */
static void run_mask_case(const struct mask_case *mc)
{
    size_t len = strlen(mc->text);
    size_t ends[MAX_SEGS];
    unsigned masks[MAX_SEGS];
    unsigned char *text = malloc(len);
    int n, i, want = 0;
    size_t start = 0;
    char msg[200];

    if (!text) {
        CHECK_MSG(0, "out of memory");
        return;
    }
    memcpy(text, mc->text, len);
    n = segment_all(text, len, ends, masks, MAX_SEGS);
    while (want < MAX_SEGS && mc->segs[want])
        want++;
    snprintf(msg, sizeof msg, "case \"%s\": %d segments (want %d)", mc->text, n, want);
    if (!CHECK_MSG(n == want, msg)) {
        free(text);
        return;
    }
    for (i = 0; i < n; i++) {
        snprintf(msg, sizeof msg, "case \"%s\": segment %d", mc->text, i);
        wm_test_check_bytes((const char *)text + start, ends[i] - start,
                            mc->segs[i], strlen(mc->segs[i]), __FILE__,
                            __LINE__, msg);
        snprintf(msg, sizeof msg, "case \"%s\": segment %d mask 0x%02x (want 0x%02x)",
                 mc->text, i, masks[i], mc->masks[i]);
        CHECK_MSG(masks[i] == mc->masks[i], msg);
        start = ends[i];
    }
    free(text);
}

/* The classic LCG step, in 64 bits so that nothing wraps. */
static uint32_t next_random(uint32_t state)
{
    return (uint32_t)((state * UINT64_C(1103515245) + 12345u) & 0xFFFFFFFFu);
}

/*
** Random bytes (a fixed generator, so failures repeat) weighted towards
** UTF-8 lead and continuation bytes, Mid characters and letters: the
** segmenter must progress, stay in bounds, give every invalid sequence a
** segment of its own with only WM_WB_INVALID, and every other segment a
** non-empty mask of valid UTF-8.
*/
static void run_random_bytes(void)
{
    static const unsigned char alphabet[] = {
        'a', 'b', '1', '.', '\'', ',', ':', '_', ' ', '"', '\r', '\n',
        0xc3, 0xa5, 0xcc, 0x88, 0xe2, 0x80, 0x8d, 0xf0, 0x9f, 0x98, 0x87,
        0xa6, 0xd7, 0xa9, 0xed, 0xff, 0xc2, 0x85, 0xef, 0xbf, 0xbd,
    };
    uint32_t state = 12345u;
    int round, bad = 0;

    for (round = 0; round < 20000; round++) {
        unsigned char buf[64];
        size_t len, i, start = 0;
        unsigned char *text;

        state = next_random(state);
        len = 1 + (state >> 16) % sizeof buf;
        for (i = 0; i < len; i++) {
            state = next_random(state);
            buf[i] = alphabet[(state >> 16) % sizeof alphabet];
        }
        text = malloc(len);
        if (!text)
            break;
        memcpy(text, buf, len);
        while (start < len) {
            unsigned mask = 0;
            size_t end = wm_wb_next(text, len, start, &mask);
            int32_t cp;
            size_t n = wm_utf8_decode(text, len, start, &cp);
            int ok = end > start && end <= len;

            if (ok && cp < 0)
                ok = end == start + n && mask == WM_WB_INVALID;
            else if (ok)
                ok = mask != 0 && !(mask & WM_WB_INVALID) &&
                     wm_utf8_validate(text + start, end - start) == end - start;
            if (!ok) {
                bad++;
                break;
            }
            start = end;
        }
        free(text);
    }
    CHECK_MSG(bad == 0, "random bytes: segments keep their contract");
}

/* Runs the Unicode file given as argv[1], then the hand-written cases. */
int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s WordBreakTest.txt\n", argv[0]);
        return 2;
    }
    wm_wbtest_run(argv[1], segment_case, NULL);
    for (i = 0; i < sizeof mask_cases / sizeof mask_cases[0]; i++)
        run_mask_case(&mask_cases[i]);
    run_random_bytes();
    return wm_test_finish();
}
