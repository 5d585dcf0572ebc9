/*
** test_analyze_loop.c — wm_analyze()'s two loops agree, through the public
** API. The commonest call (a shared cache, no WM_ANALYZE_ALL) runs a loop
** of its own that settles a lone space, a one-byte separator and a word
** the cache holds without emit() and keeps no "after a space" state (a
** '-' after a space ends a clause: it reads the byte before); any other
** call runs the general loop. With WM_ANALYZE_ALL the same text gives the
** same word tokens (every field), sentences and cache counts, plus the
** separators, so two engines fed the same texts in the same order, one
** asked each way, must agree token for token. The texts are random
** sequences of the pieces where the loops differ: spaces of every kind
** before '-', punctuation, negators and clause-break words, words of 1 to
** 20 bytes (short keys whose two words are equal for different lengths:
** "abcdefgh" and "abcdefghabcdefgh", runs of one letter), Latin-1 words,
** numbers, invalid bytes. Then a few clause starts by hand.
*/
#include "wm_test.h"
#include "whatmatters.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const pieces[] = {
    "bra", "bil", "inte", "men", "och", "jag", "v\xc3\xa4ntade", "\xc3\xa5r", "sm\xc3\xa5",
    "abcdefgh", "abcdefghabcdefgh", "abcdefghabcdefg", "aaaaaaaaa", "aaaaaaaaaa", "aaa", "aa",
    "a", "aaaaaaaaaaaaaaaaa", "kommunikationsproblemen", "handl\xc3\xa4ggarna",
    " ", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\xc2\xa0", "\xe3\x80\x80", " -", "-", "--",
    ",", ".", "!", "?", ":", ";", "(", ")", "\"", "/", "&", "'", "e.g.", "3,5", "12",
    "\xe2\x80\x94", "\xe2\x80\xa6", "\xf0\x9f\x98\x80", "\xff", "\xc3", "x\xcc\x88",
};

static uint32_t next_random(uint32_t x)
{
    return x * 1103515245u + 12345u;
}

/* A random text of pieces into buf (at most cap - 1 bytes); its length. */
static size_t random_text(uint32_t *state, char *buf, size_t cap)
{
    size_t len = 0, n_pieces;

    *state = next_random(*state);
    n_pieces = (*state >> 16) % 40;
    for (size_t i = 0; i < n_pieces; i++) {
        const char *p;
        size_t n;

        *state = next_random(*state);
        p = pieces[(*state >> 16) % (sizeof pieces / sizeof pieces[0])];
        n = strlen(p);
        if (len + n >= cap)
            break;
        memcpy(buf + len, p, n);
        len += n;
    }
    return len;
}

/* Whether two tokens are equal in every field (the strings by content:
** the two engines hold them in different places). */
static int same_token(const wm_token *x, const wm_token *y)
{
    return x->start == y->start && x->end == y->end && x->norm_len == y->norm_len &&
           x->stem_len == y->stem_len && memcmp(x->norm, y->norm, x->norm_len) == 0 &&
           memcmp(x->stem, y->stem, x->stem_len) == 0 && x->norm_id == y->norm_id &&
           x->stem_id == y->stem_id && x->flags == y->flags && x->reserved == y->reserved;
}

/* The analyses of one text by the commonest call (hot) and with
** WM_ANALYZE_ALL (all), the latter's separators left out: equal? */
static int same_analysis(const wm_analysis *hot, const wm_analysis *all)
{
    size_t j = 0;

    if (hot->n_sentences != all->n_sentences || hot->n_invalid != all->n_invalid ||
        (hot->n_invalid && hot->first_invalid != all->first_invalid))
        return 0;
    for (size_t i = 0; i < all->n_tokens; i++) {
        if (all->tokens[i].flags & (WM_TOK_PUNCT | WM_TOK_SPACE | WM_TOK_INVALID))
            continue;
        if (j >= hot->n_tokens || !same_token(&hot->tokens[j], &all->tokens[i]))
            return 0;
        j++;
    }
    return j == hot->n_tokens;
}

static void test_random(void)
{
    wm_engine *e1 = NULL, *e2 = NULL;
    wm_analyzer *hot = NULL, *all = NULL;
    uint32_t state = 7u;
    int bad = 0;

    CHECK_RC(wm_engine_new(NULL, &e1), WM_OK);
    CHECK_RC(wm_engine_new(NULL, &e2), WM_OK);
    if (!e1 || !e2)
        goto done;
    CHECK_RC(wm_analyzer_new(e1, "sv", &hot), WM_OK);
    CHECK_RC(wm_analyzer_new(e2, "sv", &all), WM_OK);
    if (!hot || !all)
        goto done;
    for (int round = 0; round < 20000 && bad < 5; round++) {
        char buf[512];
        size_t len = random_text(&state, buf, sizeof buf);
        char *text = malloc(len ? len : 1); /* exactly its size */
        const wm_analysis *x = NULL, *y = NULL;

        if (!text)
            break;
        memcpy(text, buf, len);
        if (wm_analyze(hot, text, len, 0, &x) != WM_OK ||
            wm_analyze(all, text, len, WM_ANALYZE_ALL, &y) != WM_OK || !same_analysis(x, y)) {
            fprintf(stderr, "text %d (%zu bytes): the loops differ\n", round, len);
            bad++;
        }
        free(text);
    }
    CHECK_MSG(bad == 0, "random texts: the commonest call's loop as the general one");
    {
        wm_analyzer_stats s1, s2;
        wm_analyzer_get_stats(hot, &s1);
        wm_analyzer_get_stats(all, &s2);
        CHECK(s1.tokens == s2.tokens && s1.tokens > 0);
        CHECK(s1.cache_hits == s2.cache_hits && s1.cache_hits > 0);
    }
done:
    wm_analyzer_free(hot);
    wm_analyzer_free(all);
    wm_engine_free(e1);
    wm_engine_free(e2);
}

/* The flags of the last token of text. */
static uint32_t last_flags(wm_analyzer *a, const char *text)
{
    const wm_analysis *an = NULL;

    if (wm_analyze(a, text, strlen(text), 0, &an) != WM_OK || !an || an->n_tokens == 0)
        return 0xFFFFFFFFu;
    return an->tokens[an->n_tokens - 1].flags;
}

/* A '-' ends a clause after a space of any kind, the lone one that the
** loop skips included, not after a word or other punctuation. */
static void test_dash(void)
{
    wm_engine *e = NULL;
    wm_analyzer *sv = NULL;

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (e)
        CHECK_RC(wm_analyzer_new(e, "sv", &sv), WM_OK);
    if (sv) {
        CHECK(last_flags(sv, "bra - bil") & WM_TOK_CLAUSE_START);
        CHECK(last_flags(sv, "bra -bil") & WM_TOK_CLAUSE_START);
        CHECK(last_flags(sv, "bra  -bil") & WM_TOK_CLAUSE_START);
        CHECK(last_flags(sv, "bra\t-bil") & WM_TOK_CLAUSE_START);
        CHECK(last_flags(sv, "bra\xc2\xa0-bil") & WM_TOK_CLAUSE_START);
        CHECK(last_flags(sv, "bra \xc3\xa5r -\xc3\xa5r") & WM_TOK_CLAUSE_START);
        CHECK(!(last_flags(sv, "bra-bil") & WM_TOK_CLAUSE_START));
        CHECK(!(last_flags(sv, "bra/-bil") & WM_TOK_CLAUSE_START));
        CHECK(!(last_flags(sv, "bra 12-bil") & WM_TOK_CLAUSE_START));
        CHECK(!(last_flags(sv, "bra \xc3\xa5r-bil") & WM_TOK_CLAUSE_START));
        CHECK(last_flags(sv, "-bil") & WM_TOK_CLAUSE_START); /* the first token */
    }
    wm_analyzer_free(sv);
    wm_engine_free(e);
}

/* Surfaces whose two key words are equal though their lengths differ
** (the first and last eight bytes; one letter repeated) each keep their
** own entry: a lower-case ASCII word is its own normal form. */
static void test_keys(void)
{
    static const char text[] =
        "abcdefgh abcdefghabcdefgh abcdefghabcdefg abcdefghxabcdefgh aaaaaaaaa "
        "aaaaaaaaaa aaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaa aaaa aaa aa a";
    wm_engine *e = NULL;
    wm_analyzer *sv = NULL;

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (e)
        CHECK_RC(wm_analyzer_new(e, "sv", &sv), WM_OK);
    for (int round = 0; sv && round < 2; round++) { /* misses, then hits */
        const wm_analysis *an = NULL;
        int bad = 0;

        if (wm_analyze(sv, text, strlen(text), 0, &an) != WM_OK || !an) {
            CHECK_MSG(0, "analysing the keys");
            break;
        }
        CHECK(an->n_tokens == 12);
        for (size_t i = 0; i < an->n_tokens; i++) {
            const wm_token *t = &an->tokens[i];
            if (t->norm_len != t->end - t->start ||
                memcmp(t->norm, text + t->start, t->norm_len) != 0)
                bad++;
        }
        CHECK_MSG(bad == 0, "equal key words, other lengths: each its own normal form");
    }
    wm_analyzer_free(sv);
    wm_engine_free(e);
}

int main(void)
{
    test_dash();
    test_keys();
    test_random();
    return wm_test_finish();
}
