/*
** test_wordstep.c — the segmenter's block path (wordbreak.h: wm_wb_step()
** and wm_wb_word16(), sixteen bytes at a time, ASCII letters first, the
** Latin-1 pairs only when the ASCII run stops at a byte of 0x80 or more,
** the last bytes of a text as the text's last block shifted) against the
** general machine (wm__wb_next_general(), which has no block path), from
** every start offset of random texts made of the pieces that meet at a
** block's edges: ASCII and Latin-1 letters, × and ÷ (0xC3 leads that are
** no letters), a lone 0xC3, stray continuation bytes, letters outside
** Latin-1, combining marks, digits, the Mid characters, spaces and
** punctuation, in words of 1 to 40 bytes, so that runs stop at every
** position of a block and texts are shorter and longer than 16 bytes.
** Each text is in a buffer of exactly its size (a sanitizer build catches
** any read past the end).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wm_test.h"
#include "wordbreak.h"

static const char *const pieces[] = {
    "a", "b", "z", "Q", "e", "\xc3\xa5", "\xc3\xa4", "\xc3\xb6", "\xc3\x89", "\xc3\x9f",
    "\xc3\xbe", "\xc3\x97", "\xc3\xb7", "\xc3", "\x80", "\xbf", "\xc5\x82", "\xcc\x88",
    "1", "9", "'", ".", ":", ",", " ", "  ", "-", "_", "\n", "\t", "e.g", "it's",
    "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\xff",
};

static uint32_t next_random(uint32_t x)
{
    return x * 1103515245u + 12345u;
}

/* Writes a random text of at most cap bytes into buf; returns its length.
** Mostly letters, so that words of every length up to 40 bytes occur. */
static size_t random_text(uint32_t *state, unsigned char *buf, size_t cap)
{
    size_t len = 0, target;

    *state = next_random(*state);
    target = (*state >> 16) % cap;
    while (len < target) {
        const char *p;
        size_t n;

        *state = next_random(*state);
        if ((*state >> 16) % 4 != 0) /* a letter, three times in four */
            p = pieces[(*state >> 20) % 11];
        else
            p = pieces[(*state >> 20) % (sizeof pieces / sizeof pieces[0])];
        n = strlen(p);
        if (len + n > target)
            break;
        memcpy(buf + len, p, n);
        len += n;
    }
    return len;
}

/* Every start offset of text: wm_wb_step() (and wm_wb_word16() where it
** applies) must give the general machine's end and mask. */
static int check_text(const unsigned char *text, size_t len)
{
    for (size_t start = 0; start < len; start++) {
        wm_wb_seg want = wm__wb_next_general(text, len, start);
        wm_wb_seg got = wm_wb_step(text, len, start);

        if (got.end != want.end || got.mask != want.mask)
            return 0;
#if defined(__SSE2__)
        if (len - start >= 16 && text[start] >= 0x40) {
            got = wm_wb_word16(text, len, start);
            if (got.end != want.end || got.mask != want.mask)
                return 0;
        }
#endif
    }
    return 1;
}

/* A word of n letters (ASCII, or Latin-1 at position k) before a space or
** the end, at every offset within a block: the edges by hand. */
static void run_edges(void)
{
    int bad = 0;

    for (size_t pre = 0; pre < 18; pre++) {
        for (size_t n = 1; n <= 20; n++) {
            for (size_t k = 0; k <= n; k++) {
                for (int tail = 0; tail < 4; tail++) {
                    unsigned char buf[64];
                    size_t len = 0;
                    unsigned char *text;

                    memset(buf, 'x', pre);
                    len = pre;
                    if (pre)
                        buf[len - 1] = ' ';
                    for (size_t i = 0; i < n; i++) {
                        if (i == k) { /* ä, or × when tail is 3 */
                            buf[len++] = 0xC3;
                            buf[len++] = tail == 3 ? 0x97 : 0xA4;
                        } else {
                            buf[len++] = (unsigned char)('a' + i % 26);
                        }
                    }
                    if (tail == 1)
                        buf[len++] = ' ';
                    else if (tail == 2)
                        buf[len++] = 0xC3; /* a lead cut by the end */
                    text = malloc(len);
                    if (!text)
                        return;
                    memcpy(text, buf, len);
                    if (!check_text(text, len)) {
                        fprintf(stderr, "edge case pre %zu n %zu k %zu tail %d differs\n",
                                pre, n, k, tail);
                        bad++;
                    }
                    free(text);
                }
            }
        }
    }
    CHECK_MSG(bad == 0, "words at a block's edges: the block path as the general machine");
}

static void run_random(void)
{
    uint32_t state = 20261126u;
    int bad = 0;

    for (int round = 0; round < 40000 && bad < 5; round++) {
        unsigned char buf[96];
        size_t len = random_text(&state, buf, sizeof buf);
        unsigned char *text = malloc(len ? len : 1);

        if (!text)
            break;
        memcpy(text, buf, len);
        if (!check_text(text, len)) {
            fprintf(stderr, "random text %d (%zu bytes) differs\n", round, len);
            bad++;
        }
        free(text);
    }
    CHECK_MSG(bad == 0, "random texts: the block path as the general machine");
}

int main(void)
{
    run_edges();
    run_random();
    return wm_test_finish();
}
