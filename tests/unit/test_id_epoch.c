/*
** test_id_epoch.c — the ids' epoch the engine gives plugins (ABI 1.3,
** wm_plugin_input.id_epoch) and the lexicon's memo by id that trusts it.
**
** An analyzer whose own word cache reaches its bound starts it afresh and
** may then give an id to another form (whatmatters.h, wm_analyze). The
** lexicon remembers per id what a form may start; if the epoch did not
** change on a reset, a form would be answered with what another form of
** the same id started. So answers are classified by engines whose caches
** are tiny (the shared cache full after a few words, then each analyzer's
** own cache starting afresh every few words) and compared, score by score
** and evidence by evidence, with an engine whose cache never fills: the
** wildcard-matching forms (by the lexicon's walk over their bytes, not by
** an interned id) and forms that match nothing come in ever other orders,
** so that after each reset ids go to other forms. Two analyzers of one
** engine take turns (each its own cache and worker, behind one full
** shared cache), and, where Swedish spelling is installed, the spelling
** stage's analyzers (no shared cache) too.
*/
#include "wm_test.h"
#include "whatmatters.h"

#include <stdio.h>
#include <string.h>

#define N_ANSWERS 1200
#define TINY 8 /* cache_entries of the engines that reset; their shared
                  cache takes 4096 forms at least, filled by the new forms
                  of the first 700 answers or so */

/* Forms that start entries of the built-in Swedish lexicon through its
** wildcards (vänt*, *kö, köa*, natt* ...), and forms that start none. */
static const char *const matching[] = {
    "väntan", "väntetiden", "väntrummet", "telefonkö", "vårdkön",
    "utredningskö", "köade", "nattskiftet", "kvällen", "helgerna",
    "akutmottagningen", "vårdgarantin", "snabbare", "väntelistan",
};
static const char *const filler[] = {
    "bord", "gröna", "fönster", "springer", "blåa", "stolen", "lampa",
    "cykeln", "regnet", "solen", "papper", "trädet", "huset", "vägen",
    "bilarna", "katten", "hunden", "moln", "berget", "sjön", "skogen",
};
#define N_MATCHING (sizeof matching / sizeof matching[0])
#define N_FILLER (sizeof filler / sizeof filler[0])

/* Answer k: words from both lists and new forms of its own, which match
** (vänt..., ...kö) or not, in an order that varies with k: every answer
** brings new forms, so that the caches keep filling, and a form first met
** after a reset may take the id of a form of the other kind. */
static size_t make_answer(unsigned k, char *buf, size_t size)
{
    unsigned x = k * 2654435761u + 12345u;
    size_t n = 0;

    for (unsigned i = 0; i < 12; i++) {
        const char *sep = i ? " " : "";

        x = x * 1103515245u + 12345u;
        switch ((x >> 16) & 3) {
        case 0:
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep,
                                  matching[(x >> 8) % N_MATCHING]);
            break;
        case 1:
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep,
                                  filler[(x >> 20) % N_FILLER]);
            break;
        case 2:
            n += (size_t)snprintf(buf + n, size - n,
                                  (x >> 24) & 1 ? "%sv\xC3\xA4nt%ux%u"
                                                : "%sq%ux%uk\xC3\xB6",
                                  sep, k, i);
            break;
        default:
            n += (size_t)snprintf(buf + n, size - n, "%sq%ux%ub", sep, k, i);
        }
    }
    n += (size_t)snprintf(buf + n, size - n, ".");
    return n;
}

/* An engine with the lexicon only (sv), cache_entries as given; NULL
** after a failed check, or with spelling asked and not installed (skip). */
static wm_engine *make_engine(size_t cache_entries, int spelling)
{
    wm_engine_options opt;
    wm_engine *e = NULL;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cache_entries = cache_entries;
    if (!CHECK_RC(wm_engine_new(&opt, &e), WM_OK))
        return NULL;
    if (!CHECK_RC(wm_engine_set_languages(e, "sv"), WM_OK) ||
        !CHECK_RC(wm_engine_add_plugin(e, "lexicon", NULL), WM_OK)) {
        wm_engine_free(e);
        return NULL;
    }
    if (spelling && wm_engine_set_spelling(e, WM_SPELL_ON, NULL) != WM_OK) {
        printf("  spelling not available (%s): its case skipped\n",
               wm_engine_errmsg(e));
        wm_engine_free(e);
        return NULL;
    }
    return e;
}

/* Whether two classifications say exactly the same. */
static int same(const wm_classification *a, const wm_classification *b)
{
    if (a->n_areas != b->n_areas || a->n_evidence != b->n_evidence ||
        a->status != b->status)
        return 0;
    for (size_t i = 0; i < a->n_areas; i++)
        if (a->scores[i] != b->scores[i] || a->labels[i] != b->labels[i])
            return 0;
    for (size_t i = 0; i < a->n_evidence; i++) {
        const wm_evidence *x = &a->evidence[i], *y = &b->evidence[i];

        if (x->area != y->area || x->start != y->start || x->end != y->end ||
            x->weight != y->weight || strcmp(x->rule, y->rule) != 0 ||
            x->flags != y->flags)
            return 0;
    }
    return 1;
}

/* Classifies the answers with a reference analyzer (a cache that never
** fills) and with n_tiny analyzers of a tiny-cache engine taking turns;
** every answer must come out the same, and the tiny ones must have
** started afresh (else the test proves nothing). */
static void check_resets(int spelling, int n_tiny)
{
    wm_engine *ref_e = make_engine(0, spelling), *tiny_e;
    wm_analyzer *ref = NULL, *tiny[2] = { NULL, NULL };
    size_t evidence = 0, diff = 0;
    char buf[256], what[96];

    if (!ref_e)
        return;
    tiny_e = make_engine(TINY, spelling);
    if (!tiny_e) {
        wm_engine_free(ref_e);
        return;
    }
    CHECK_RC(wm_analyzer_new(ref_e, "sv", &ref), WM_OK);
    for (int i = 0; i < n_tiny; i++)
        CHECK_RC(wm_analyzer_new(tiny_e, "sv", &tiny[i]), WM_OK);
    for (unsigned k = 0; ref && tiny[n_tiny - 1] && k < N_ANSWERS; k++) {
        size_t len = make_answer(k, buf, sizeof buf);
        const wm_classification *want = NULL, *got = NULL;

        if (!CHECK_RC(wm_classify(ref, buf, len, 0, &want), WM_OK) ||
            !CHECK_RC(wm_classify(tiny[k % (unsigned)n_tiny], buf, len, 0, &got),
                      WM_OK))
            break;
        evidence += want->n_evidence;
        if (!same(want, got) && diff++ < 3) {
            snprintf(what, sizeof what, "answer %u the same after resets: %.60s",
                     k, buf);
            CHECK_MSG(0, what);
        }
    }
    CHECK_MSG(diff == 0, "every answer the same with a tiny cache");
    CHECK_MSG(evidence > N_ANSWERS, "the answers have evidence to get wrong");
    for (int i = 0; i < n_tiny; i++) {
        wm_analyzer_stats st;

        if (!tiny[i])
            continue;
        wm_analyzer_get_stats(tiny[i], &st);
        snprintf(what, sizeof what, "analyzer %d of %d started afresh (%zu)",
                 i, n_tiny, st.cache_resets);
        CHECK_MSG(st.cache_resets >= 20, what);
    }
    for (int i = 0; i < n_tiny; i++)
        wm_analyzer_free(tiny[i]);
    wm_analyzer_free(ref);
    wm_engine_free(tiny_e);
    wm_engine_free(ref_e);
}

int main(void)
{
    check_resets(0, 1); /* the shared cache full, the own one resetting */
    check_resets(0, 2); /* two analyzers behind the one full shared cache */
    check_resets(1, 1); /* the spelling stage: no shared cache */
    return wm_test_finish();
}
