/*
** test_wordbreak_api.c — every case of Unicode's WordBreakTest.txt through
** the public API: wm_analyze() with WM_ANALYZE_ALL emits every UAX #29
** segment as a token, so the token ends are the word boundaries. No
** tailoring: the tokens of the default mode are these segments with
** punctuation and space left out.
**
** Usage: golden_wordbreak /usr/share/unicode/auxiliary/WordBreakTest.txt
*/
#include "wm_test.h"
#include "wm_wbtest.h"
#include "whatmatters.h"

/* Segments through the analyzer passed as ctx. */
static int segment(void *ctx, const unsigned char *text, size_t len,
                   size_t *ends, int max)
{
    const wm_analysis *an;

    if (wm_analyze(ctx, (const char *)text, len, WM_ANALYZE_ALL, &an) != WM_OK ||
        an->n_tokens > (size_t)max)
        return -1;
    for (size_t i = 0; i < an->n_tokens; i++)
        ends[i] = an->tokens[i].end;
    return (int)an->n_tokens;
}

int main(int argc, char **argv)
{
    wm_engine *engine = NULL;
    wm_analyzer *a = NULL;

    if (argc != 2) {
        fprintf(stderr, "usage: %s WordBreakTest.txt\n", argv[0]);
        return 2;
    }
    CHECK_RC(wm_engine_new(NULL, &engine), WM_OK);
    CHECK_RC(wm_analyzer_new(engine, "en", &a), WM_OK);
    if (a)
        wm_wbtest_run(argv[1], segment, a);
    wm_analyzer_free(a);
    wm_engine_free(engine);
    return wm_test_finish();
}
