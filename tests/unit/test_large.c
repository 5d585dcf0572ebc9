/*
** test_large.c — hostile sizes through the public API: a 10 MB single
** answer, a million combining marks on one letter, and a 4 MB word. Each
** must be analysed completely, with offsets into the original bytes and
** bounded work per token (long tokens are kept but not normalised).
*/
#include "wm_test.h"
#include "whatmatters.h"

#include <stdlib.h>
#include <string.h>

/* One unit of the 10 MB answer: 10 tokens, composed and decomposed forms. */
static const char unit[] =
    "Vi vill inte v\xC3\xA4nta p\xC3\xA5 va\xCC\x8A" "rdcentralen, men personalen \xC3\xA4r bra! ";

static void test_ten_megabytes(wm_analyzer *a)
{
    const size_t unit_len = sizeof unit - 1;
    const size_t reps = (10u << 20) / unit_len + 1;
    size_t len = reps * unit_len, words = 0, negated = 0;
    char *text = malloc(len);
    const wm_analysis *an = NULL;

    if (!CHECK(text != NULL))
        return;
    for (size_t i = 0; i < reps; i++)
        memcpy(text + i * unit_len, unit, unit_len);
    CHECK(len >= 10u << 20);
    CHECK_RC(wm_analyze(a, text, len, 0, &an), WM_OK);
    if (an) {
        CHECK(an->n_tokens == reps * 10);
        CHECK(an->n_sentences == reps);
        for (size_t i = 0; i < an->n_tokens; i++) {
            words += (an->tokens[i].flags & WM_TOK_WORD) != 0;
            negated += (an->tokens[i].flags & WM_TOK_NEGATED) != 0;
        }
        CHECK(words == an->n_tokens);
        CHECK(negated == reps * 3); /* vänta, på, vårdcentralen: up to the comma */
        {
            const wm_token *t = &an->tokens[an->n_tokens - 1]; /* the last "bra" */
            CHECK(t->end == len - 2 && t->start == len - 5);
            CHECK_STR(t->norm, t->norm_len, "bra");
            t = &an->tokens[an->n_tokens - 5]; /* the last "vårdcentralen" */
            CHECK_STR(t->norm, t->norm_len, "v\xC3\xA5rdcentralen");
            CHECK(memcmp(text + t->start, "va\xCC\x8Ardcentralen", t->end - t->start) == 0);
        }
    }
    free(text);
}

/* A letter with a million combining marks is one grapheme, hence one
** token (UAX #29 WB4); it is over the token limit, so it is not
** normalised, and the work stays linear. */
static void test_combining_marks(wm_analyzer *a)
{
    const size_t marks = 1000000;
    size_t len = 1 + marks * 2 + 4;
    char *text = malloc(len);
    const wm_analysis *an = NULL;

    if (!CHECK(text != NULL))
        return;
    text[0] = 'a';
    for (size_t i = 0; i < marks; i++)
        memcpy(text + 1 + 2 * i, "\xCC\x81", 2);
    memcpy(text + len - 4, " bra", 4);
    CHECK_RC(wm_analyze(a, text, len, 0, &an), WM_OK);
    if (an && CHECK(an->n_tokens == 2)) {
        CHECK(an->tokens[0].start == 0 && an->tokens[0].end == len - 4);
        CHECK(an->tokens[0].flags & WM_TOK_LONG);
        CHECK_STR(an->tokens[1].norm, an->tokens[1].norm_len, "bra");
    }
    free(text);
}

/* One word of 4 MB with no boundary inside. */
static void test_huge_word(wm_analyzer *a)
{
    size_t len = 4u << 20;
    char *text = malloc(len);
    const wm_analysis *an = NULL;

    if (!CHECK(text != NULL))
        return;
    memset(text, 'x', len);
    CHECK_RC(wm_analyze(a, text, len, 0, &an), WM_OK);
    if (an && CHECK(an->n_tokens == 1)) {
        CHECK(an->tokens[0].end == len);
        CHECK(an->tokens[0].flags & WM_TOK_LONG);
    }
    free(text);
}

int main(void)
{
    wm_engine *engine = NULL;
    wm_analyzer *a = NULL;

    CHECK_RC(wm_engine_new(NULL, &engine), WM_OK);
    CHECK_RC(wm_analyzer_new(engine, "sv", &a), WM_OK);
    if (a) {
        test_ten_megabytes(a);
        test_combining_marks(a);
        test_huge_word(a);
    }
    wm_analyzer_free(a);
    wm_engine_free(engine);
    return wm_test_finish();
}
