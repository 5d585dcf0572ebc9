/*
** test_threads.c — one engine, several threads, identical results.
**
** The engine is shared; each thread makes its own analyzers (the Snowball
** stemmer inside is not thread-safe, so the design gives every thread its
** own). Every thread analyses the same generated answers, in a different
** order, and records a digest of each answer's tokens; all digests must
** equal those of a single-threaded reference run. A small cache bound
** makes the caches start afresh while the threads run.
**
** Then the engine's shared word cache (sharedcache.h) past its bound:
** threads analyse more distinct words than it holds, so that some are
** analysed from the shared cache and some by the analyzer alone, and
** equal strings must still carry equal ids within an analysis, and
** different strings different ids.
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_ANSWERS 4001 /* prime: every stride visits every answer */
#define N_THREADS 4

static const char *const words[] = {
    "v\xC3\xA5rden", "va\xCC\x8Arden", "V\xC3\x85RDEN", "inte", "personalen",
    "bem\xC3\xB6tande", "bemo\xCC\x88tande", "anh\xC3\xB6riga", "boende",
    "hj\xC3\xA4lp", "l\xC3\xA4karen", "ingen", "lyssnar", "kontinuitet",
    "\xF0\x9F\x98\x8A", "12", "3,5", "don't", "not", "listen", "care", "Stra\xC3\x9F" "e",
    "\xC3\xB8konomi", "ikke", "v\xE5rd", "men", "never", "waiting", "ABC123",
};
static const char *const seps[] = {" ", " ", " ", ", ", ". ", "! ", "\n", " - "};

static char *answers[N_ANSWERS];
static size_t answer_len[N_ANSWERS];
static wm_engine *engine;
static const char *const langs[] = {"sv", "en"};

/* splitmix64: a fixed, seedable sequence, so the corpus never changes. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Builds the answers: 1 to 40 words with separators, some invented words
** so that the vocabulary keeps growing past the cache bound. */
static void make_corpus(void)
{
    uint64_t seed = 42;

    for (int i = 0; i < N_ANSWERS; i++) {
        int n = 1 + (int)(next_rand(&seed) % 40);
        char *buf = malloc(4096);
        size_t len = 0;
        for (int w = 0; w < n; w++) {
            uint64_t r = next_rand(&seed);
            if (r % 5 == 0)
                len += (size_t)snprintf(buf + len, 4096 - len, "ord%u",
                                        (unsigned)(r >> 20) % 3000);
            else
                len += (size_t)snprintf(buf + len, 4096 - len, "%s",
                                        words[(r >> 8) % (sizeof words / sizeof words[0])]);
            len += (size_t)snprintf(buf + len, 4096 - len, "%s",
                                    seps[(r >> 40) % (sizeof seps / sizeof seps[0])]);
        }
        answers[i] = buf;
        answer_len[i] = len;
    }
}

/* A digest of everything an analysis says about its tokens. */
static uint64_t digest(const wm_analysis *an)
{
    uint64_t h = UINT64_C(1469598103934665603);
#define MIX(p, n)                                              \
    for (size_t k_ = 0; k_ < (n); k_++)                        \
        h = (h ^ ((const unsigned char *)(p))[k_]) * UINT64_C(1099511628211);
    for (size_t i = 0; i < an->n_tokens; i++) {
        const wm_token *t = &an->tokens[i];
        MIX(&t->start, sizeof t->start);
        MIX(&t->end, sizeof t->end);
        MIX(&t->flags, sizeof t->flags);
        MIX(t->norm, t->norm_len);
        MIX("|", 1);
        MIX(t->stem, t->stem_len);
    }
    MIX(&an->n_invalid, sizeof an->n_invalid);
#undef MIX
    return h;
}

typedef struct job {
    int id;                         /* thread number; sets the order */
    uint64_t digests[2][N_ANSWERS]; /* per language, per answer */
    int errors;                     /* failed calls */
} job;

/* Analyses every answer in both languages, in an order that depends on
** the thread, so that threads are at different places at the same time. */
static void *work(void *arg)
{
    job *j = arg;

    for (int l = 0; l < 2; l++) {
        wm_analyzer *a = NULL;
        if (wm_analyzer_new(engine, langs[l], &a) != WM_OK) {
            j->errors++;
            continue;
        }
        for (int round = 0; round < 2; round++)
            for (int k = 0; k < N_ANSWERS; k++) {
                int i = (k * (2 * j->id + 1) + j->id * 97) % N_ANSWERS;
                const wm_analysis *an;
                if (wm_analyze(a, answers[i], answer_len[i], 0, &an) != WM_OK) {
                    j->errors++;
                    continue;
                }
                j->digests[l][i] = digest(an);
            }
        wm_analyzer_free(a);
    }
    return NULL;
}

#define N_FILL 9000 /* distinct words: over the shared cache's 4096 */

/* Analyses "wK" for every K, which fills the shared cache, then "wK WK wJ"
** (J = K + 1), in a thread-dependent order: the two spellings of K share a
** normal form and so its id (also when wK is in the shared cache and WK,
** which came after it was full, is not), K and J do not. An analysis that
** breaks this counts in j->errors. */
static void *fill_work(void *arg)
{
    job *j = arg;
    wm_analyzer *a = NULL;

    if (wm_analyzer_new(engine, "sv", &a) != WM_OK) {
        j->errors++;
        return NULL;
    }
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < N_FILL; k++) {
            int i = (k * (2 * j->id + 1) + j->id * 131) % N_FILL;
            char text[64];
            int len = pass == 0 ? snprintf(text, sizeof text, "w%05d", i)
                                : snprintf(text, sizeof text, "w%05d W%05d w%05d", i, i, i + 1);
            const wm_analysis *an;
            if (wm_analyze(a, text, (size_t)len, 0, &an) != WM_OK ||
                an->n_tokens != (pass == 0 ? 1u : 3u) ||
                (pass == 1 && (an->tokens[0].norm_id != an->tokens[1].norm_id ||
                               an->tokens[0].stem_id != an->tokens[1].stem_id ||
                               an->tokens[0].norm_id == an->tokens[2].norm_id ||
                               an->tokens[0].stem_id == an->tokens[2].stem_id)))
                j->errors++;
        }
    wm_analyzer_free(a);
    return NULL;
}

/* The shared cache full: several threads, and the ids stay sound. */
static void test_shared_full(void)
{
    wm_engine_options opt;
    static job jobs[N_THREADS];
    pthread_t th[N_THREADS];

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cache_entries = 4096;
    CHECK_RC(wm_engine_new(&opt, &engine), WM_OK);
    if (!engine)
        return;
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t].id = t;
        CHECK(pthread_create(&th[t], NULL, fill_work, &jobs[t]) == 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < N_THREADS; t++)
        CHECK_MSG(jobs[t].errors == 0, "equal strings, equal ids; else different");
    wm_engine_free(engine);
    engine = NULL;
}

int main(void)
{
    wm_engine_options opt;
    static job ref, jobs[N_THREADS];
    pthread_t th[N_THREADS];

    make_corpus();
    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cache_entries = 700;
    CHECK_RC(wm_engine_new(&opt, &engine), WM_OK);
    if (!engine)
        return wm_test_finish();

    ref.id = 0;
    work(&ref);
    CHECK(ref.errors == 0);
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t].id = t + 1;
        CHECK(pthread_create(&th[t], NULL, work, &jobs[t]) == 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < N_THREADS; t++) {
        int same = jobs[t].errors == 0 &&
                   memcmp(jobs[t].digests, ref.digests, sizeof ref.digests) == 0;
        CHECK_MSG(same, "a thread's results equal the single-threaded run");
    }
    /* Decomposed, composed and upper-case spellings meet in one form. */
    {
        wm_analyzer *a = NULL;
        const wm_analysis *an;
        CHECK_RC(wm_analyzer_new(engine, "sv", &a), WM_OK);
        const char *text = "v\xC3\xA5rden va\xCC\x8Arden V\xC3\x85RDEN";
        if (a && wm_analyze(a, text, strlen(text), 0, &an) == WM_OK) {
            CHECK(an->n_tokens == 3);
            CHECK(an->tokens[0].norm_id == an->tokens[1].norm_id &&
                  an->tokens[1].norm_id == an->tokens[2].norm_id);
        }
        wm_analyzer_free(a);
    }
    for (int i = 0; i < N_ANSWERS; i++)
        free(answers[i]);
    wm_engine_free(engine);
    engine = NULL;
    test_shared_full();
    return wm_test_finish();
}
