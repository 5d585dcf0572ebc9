/*
** fuzz_analyze.c — the tokeniser, normaliser and stemmer (wm_analyze), the
** language detector and the built-in plugins' matching (wm_classify), on
** arbitrary bytes.
**
** The first byte chooses the language (sv nb nn da en) and the flags
** (WM_ANALYZE_ALL, WM_ANALYZE_STRICT_UTF8); the rest is the answer. One
** engine with the lexicon and pattern plugins lives for the whole run, with
** one analyzer per language, as a worker thread of the CLI has. Checked:
** every token's span lies inside the answer and in order, normal forms and
** stems are valid UTF-8-sized strings, with WM_ANALYZE_ALL the segments
** cover every byte once; every score is in [0, 1], every evidence span
** inside the answer; strict mode fails exactly when the answer has invalid
** UTF-8.
*/
#include "fuzz.h"
#include "whatmatters.h"

#include <string.h>

static wm_engine *engine;
static wm_analyzer *analyzers[5];

/* The engine and its plugins, made on the first input. */
static void setup(void)
{
    const char *const *langs = wm_lang_list();

    if (wm_engine_new(NULL, &engine) != WM_OK)
        fuzz_fail("cannot make an engine");
    if (wm_engine_add_plugin(engine, "lexicon", NULL) != WM_OK ||
        wm_engine_add_plugin(engine, "pattern", NULL) != WM_OK)
        fuzz_fail("cannot add the plugins: %s", wm_engine_errmsg(engine));
    for (int i = 0; i < 5; i++)
        if (wm_analyzer_new(engine, langs[i], &analyzers[i]) != WM_OK)
            fuzz_fail("cannot make an analyzer for %s", langs[i]);
}

/* Checks the spans of an analysis of text[0..len). */
static void check_analysis(const wm_analysis *an, const char *text, size_t len,
                           unsigned flags)
{
    size_t covered = 0;

    FUZZ_CHECK(an->text == text && an->text_len == len);
    for (size_t i = 0; i < an->n_tokens; i++) {
        const wm_token *t = &an->tokens[i];
        FUZZ_CHECK(t->start <= t->end && t->end <= len);
        FUZZ_CHECK(t->norm != NULL && t->stem != NULL);
        if (i > 0)
            FUZZ_CHECK(t->start >= an->tokens[i - 1].start);
        if (t->norm_len > 0)
            FUZZ_CHECK(t->norm_id != WM_ID_NONE);
        if ((flags & WM_ANALYZE_ALL) && !(t->flags & (WM_TOK_VARIANT | WM_TOK_PART))) {
            FUZZ_CHECK(t->start == covered); /* no gap, no overlap */
            covered = t->end;
        }
    }
    if (flags & WM_ANALYZE_ALL)
        FUZZ_CHECK(covered == len);
    if (an->n_invalid > 0)
        FUZZ_CHECK(an->first_invalid < len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned flag_sets[4] = {
        0, WM_ANALYZE_ALL, WM_ANALYZE_STRICT_UTF8, WM_ANALYZE_ALL | WM_ANALYZE_STRICT_UTF8,
    };
    const char *text;
    size_t len, na;
    unsigned flags;
    wm_analyzer *a;
    const wm_analysis *an = NULL;
    const wm_classification *c = NULL;
    const char *lang = NULL, *stem = NULL;
    size_t stem_len = 0;
    double conf = 0;
    int rc, rc_strict;

    if (engine == NULL)
        setup();
    if (size == 0)
        return 0;
    a = analyzers[data[0] % 5];
    flags = flag_sets[(data[0] >> 3) & 3];
    text = (const char *)data + 1;
    len = size - 1;

    rc = wm_analyze(a, text, len, flags, &an);
    if (rc == WM_OK) {
        FUZZ_CHECK(an != NULL);
        check_analysis(an, text, len, flags);
    } else {
        FUZZ_CHECK(an == NULL);
        FUZZ_CHECK(rc == WM_EUTF8 && (flags & WM_ANALYZE_STRICT_UTF8));
    }
    /* Strict mode fails exactly when lenient mode counts invalid bytes. */
    rc_strict = wm_analyze(a, text, len, WM_ANALYZE_STRICT_UTF8, &an);
    rc = wm_analyze(a, text, len, 0, &an);
    FUZZ_CHECK(rc == WM_OK);
    FUZZ_CHECK((rc_strict == WM_EUTF8) == (an->n_invalid > 0));

    rc = wm_classify(a, text, len, flags & WM_ANALYZE_ALL, &c);
    FUZZ_CHECK(rc == WM_OK && c != NULL);
    na = wm_engine_area_count(engine);
    FUZZ_CHECK(c->n_areas == na);
    for (size_t i = 0; i < na; i++) {
        FUZZ_CHECK(c->scores[i] >= 0.0 && c->scores[i] <= 1.0);
        FUZZ_CHECK(c->labels[i] == (c->scores[i] >= 0.5));
    }
    for (size_t i = 0; i < c->n_evidence; i++) {
        const wm_evidence *ev = &c->evidence[i];
        FUZZ_CHECK(ev->area < na && ev->start <= ev->end && ev->end <= len);
        FUZZ_CHECK(ev->rule != NULL);
    }
    if (c->status & WM_STATUS_PLUGIN_FAILED) /* flagged, and says who */
        FUZZ_CHECK(c->failed_plugin >= 0 && (size_t)c->failed_plugin < 2 &&
                   c->failure != NULL && c->failure[0] != '\0');

    rc = wm_analyzer_stem(a, text, len, &stem, &stem_len);
    FUZZ_CHECK(rc == WM_OK || rc == WM_EUTF8);
    if (rc == WM_OK)
        FUZZ_CHECK(stem != NULL);

    rc = wm_engine_detect_lang(engine, text, len, &lang, &conf);
    FUZZ_CHECK(rc == WM_OK || rc == WM_ENOTFOUND);
    if (rc == WM_OK)
        FUZZ_CHECK(lang != NULL && wm_lang_check(lang) == WM_OK && conf >= 0 && conf <= 1);
    else
        FUZZ_CHECK(lang == NULL);
    return 0;
}
