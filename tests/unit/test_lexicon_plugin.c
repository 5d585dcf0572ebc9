/*
** test_lexicon_plugin.c — the lexicon plugin driven through its descriptor,
** as the engine drives it, but with a host written here: data_file() hands
** out lexicon texts held in the test, analyze() is the real public analyzer,
** intern() is a small table of the test's own. Before classify() the test
** copies each analysis and gives every token the ids of that table, so the
** plugin's ids and the tokens' agree exactly as they do in the engine.
** A test may also add spelling alternatives (WM_TOK_VARIANT, WM_TOK_PART)
** after tokens of the copy, as the engine's spelling stage would.
**
** Every check is on exact values: scores as S / (S + T), evidence spans as
** byte offsets into the input (NFD input included), parse errors as
** "file:line:column: message".
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters_plugin.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const wm_plugin *wm_builtin_lexicon(void);

/* Area indices in the order of lexicons/taxonomy.txt. */
enum { ACCESS, RESPECT, WHOLE, COORD, CONTIN, PARTIC, FAMILY, EVERYDAY, HOPE,
       N_AREAS };

static const char *const area_ids[N_AREAS] = {
    "access", "respect", "whole_person", "coordination", "continuity",
    "participation", "family", "everyday_life", "hope_recovery",
};

#define MAX_INTERN 4096 /* distinct strings the fake intern() holds */
#define MAX_EV 64       /* evidence items one test answer may give */
#define MAX_ALTS 16     /* alternatives one test answer may add */
#define ALT_LEN 64      /* bytes of an alternative's norm or stem */
#define BEFORE_ALL ((size_t)-1) /* alt_spec.after: before the first token */

/* The fake intern table: id i + 1 is strings[i]. */
static char *intern_str[MAX_INTERN];   /* copies of the strings */
static size_t intern_len[MAX_INTERN];  /* their lengths */
static size_t n_intern;                /* how many */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER; /* for the
                                          threads test's token copies */
static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER; /* for the
                                          counts of the fake allocator */

/* The test host's state. */
typedef struct fake_host {
    wm_analyzer *analyzer; /* the real analyzer of the language */
    const char *text;      /* the lexicon data_file() returns; NULL: none */
    char asked[64];        /* the name the plugin asked for */
    long live;             /* allocations not yet freed */
    long allocs;           /* allocations made */
    long fail_at;          /* fail the allocation with this number (1-based);
                              0: never */
} fake_host;

/* One evidence item as add_evidence() received it. */
typedef struct ev_item {
    uint32_t area;    /* area index */
    size_t start;     /* byte span in the answer */
    size_t end;
    double weight;    /* weight given */
    char rule[64];    /* a copy of the plugin's rule text (the plugin's
                         own lives only as long as the instance) */
} ev_item;

/* What one classify() produced. */
typedef struct result {
    int rc;                 /* classify()'s return */
    double scores[N_AREAS]; /* scores written */
    ev_item ev[MAX_EV];     /* evidence, in the order given */
    size_t n_ev;            /* how many */
    char err[256];          /* the plugin's message on failure */
} result;

static wm_engine *engine;
static wm_analyzer *sv_analyzer;
static wm_analyzer *nb_analyzer; /* for the Norwegian exact-form cases */
static wm_analyzer *en_analyzer; /* for the English exact-form cases */

/* The analyzer an instance of `lang` analyses with: the language's own for
** English and Norwegian Bokmål, Swedish for every other (the tests' other
** lexicons are Swedish whatever language they are loaded for). */
static wm_analyzer *analyzer_for(const char *lang)
{
    if (strcmp(lang, "en") == 0)
        return en_analyzer;
    if (strcmp(lang, "nb") == 0)
        return nb_analyzer;
    return sv_analyzer;
}

/* A spelling alternative a test adds to an analysis, as the engine's
** spelling stage would: a word token with the offsets of the token it
** follows, its own normal form, stem and ids, and WM_TOK_VARIANT or
** WM_TOK_PART. */
typedef struct alt_spec {
    size_t after;     /* index of the token it follows (in the analysis as
                         made with the flags given), or BEFORE_ALL; several
                         after one token come in the order listed */
    uint32_t flag;    /* WM_TOK_VARIANT or WM_TOK_PART */
    const char *norm; /* its normal form; the stem is the analyzer's */
} alt_spec;

/* --- The fake host ------------------------------------------------------ */

/* Counts allocations so that leaks and injected failures can be checked. */
static void *fake_realloc(void *ctx, void *ptr, size_t size)
{
    fake_host *h = ctx;
    void *q;

    int fail;

    pthread_mutex_lock(&alloc_lock);
    h->allocs++;
    fail = h->fail_at && h->allocs == h->fail_at;
    pthread_mutex_unlock(&alloc_lock);
    if (fail)
        return NULL;
    q = realloc(ptr, size ? size : 1);
    if (q && !ptr) {
        pthread_mutex_lock(&alloc_lock);
        h->live++;
        pthread_mutex_unlock(&alloc_lock);
    }
    return q;
}

/* Frees and counts. */
static void fake_free(void *ctx, void *ptr)
{
    fake_host *h = ctx;

    if (ptr) {
        pthread_mutex_lock(&alloc_lock);
        h->live--;
        pthread_mutex_unlock(&alloc_lock);
    }
    free(ptr);
}

/* Hands out the test's lexicon for the one name asked; WM_ENOTFOUND otherwise. */
static int fake_data_file(void *ctx, const char *name,
                          const unsigned char **bytes, size_t *len, char *err,
                          size_t err_size)
{
    fake_host *h = ctx;

    snprintf(h->asked, sizeof h->asked, "%s", name);
    if (!h->text) {
        snprintf(err, err_size, "no data file '%s'", name);
        return WM_ENOTFOUND;
    }
    *bytes = (const unsigned char *)h->text;
    *len = strlen(h->text);
    return WM_OK;
}

/* Analyses with the real analyzer, as the engine does. */
static int fake_analyze(void *ctx, const char *text, size_t len,
                        const wm_analysis **out)
{
    fake_host *h = ctx;

    return wm_analyze(h->analyzer, text, len, 0, out);
}

/* The test's own ids: equal strings, equal ids, starting at 1. */
static uint32_t fake_intern_str(const char *s, size_t len)
{
    uint32_t id = 0;

    pthread_mutex_lock(&intern_lock);
    for (size_t i = 0; i < n_intern && !id; i++)
        if (intern_len[i] == len && memcmp(intern_str[i], s, len) == 0)
            id = (uint32_t)i + 1;
    if (!id && n_intern < MAX_INTERN) {
        intern_str[n_intern] = malloc(len + 1);
        if (intern_str[n_intern]) {
            memcpy(intern_str[n_intern], s, len);
            intern_len[n_intern] = len;
            id = (uint32_t)++n_intern;
        }
    }
    pthread_mutex_unlock(&intern_lock);
    return id;
}

/* The host's intern(). */
static uint32_t fake_intern(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    return fake_intern_str(s, len);
}

/* A host table over a fake_host. */
static wm_host make_host(fake_host *h)
{
    wm_host host;

    memset(&host, 0, sizeof host);
    host.struct_size = sizeof host;
    host.ctx = h;
    host.realloc = fake_realloc;
    host.free = fake_free;
    host.data_file = fake_data_file;
    host.analyze = fake_analyze;
    host.intern = fake_intern;
    return host;
}

/* A config for a language over the nine areas. */
static wm_plugin_config make_config(const char *lang)
{
    wm_plugin_config cfg;

    memset(&cfg, 0, sizeof cfg);
    cfg.struct_size = sizeof cfg;
    cfg.lang = lang;
    cfg.n_areas = N_AREAS;
    cfg.area_ids = area_ids;
    return cfg;
}

/* The output's add_evidence(): appends to the result. */
static int record_evidence(wm_plugin_output *out, uint32_t area, size_t start,
                           size_t end, double weight, const char *rule)
{
    result *r = out->host;

    if (r->n_ev == MAX_EV)
        return WM_ENOMEM;
    r->ev[r->n_ev].area = area;
    r->ev[r->n_ev].start = start;
    r->ev[r->n_ev].end = end;
    r->ev[r->n_ev].weight = weight;
    snprintf(r->ev[r->n_ev].rule, sizeof r->ev[r->n_ev].rule, "%s", rule);
    r->n_ev++;
    return WM_OK;
}

/* --- Running the plugin ------------------------------------------------- */

/* One instance with its host and one worker. */
typedef struct instance {
    const wm_plugin *d; /* the descriptor */
    fake_host fh;       /* the host's state (ctx) */
    wm_host host;       /* the host table */
    void *state;        /* the instance */
    void *worker;       /* one worker */
    wm_analyzer *analyzer; /* the language's, for create() and classify() */
    int rc;             /* create()'s return */
    char err[256];      /* create()'s message */
} instance;

/* Creates an instance of the plugin for `lang` over a lexicon text. */
static void open_instance(instance *in, const char *lang, const char *lexicon)
{
    wm_plugin_config cfg = make_config(lang);

    memset(in, 0, sizeof *in);
    in->d = wm_builtin_lexicon();
    in->analyzer = analyzer_for(lang);
    in->fh.analyzer = in->analyzer;
    in->fh.text = lexicon;
    in->host = make_host(&in->fh);
    in->rc = in->d->create(&in->host, &cfg, &in->state, in->err,
                           sizeof in->err);
    if (in->rc == WM_OK) {
        char err[128] = "";
        int rc = in->d->worker_new(in->state, &in->worker, err, sizeof err);
        CHECK_MSG(rc == WM_OK, err);
    }
}

/* Frees the worker and instance; checks that nothing leaked. */
static void close_instance(instance *in)
{
    if (in->worker)
        in->d->worker_free(in->state, in->worker);
    if (in->state)
        in->d->destroy(in->state);
    CHECK_MSG(in->fh.live == 0, "the plugin freed all it allocated");
}

/*
** Makes the token of alternative `alt` (its strings in buf) after base
** token `base` (NULL before the first): the base's offsets and negation,
** the alternative's normal form, the analyzer's stem of it, fake ids. Call
** it only once the analysis is copied: stemming ends the analysis's life.
*/
static void make_alt(wm_analyzer *a, const alt_spec *alt, const wm_token *base,
                     char buf[2][ALT_LEN], wm_token *t)
{
    const char *stem = NULL;
    size_t len = strlen(alt->norm), stem_len = 0;

    if (len >= ALT_LEN ||
        wm_analyzer_stem(a, alt->norm, len, &stem, &stem_len) != WM_OK ||
        stem_len >= ALT_LEN)
        abort();
    memcpy(buf[0], alt->norm, len);
    memcpy(buf[1], stem, stem_len);
    memset(t, 0, sizeof *t);
    t->start = base ? base->start : 0;
    t->end = base ? base->end : 0;
    t->norm = buf[0];
    t->norm_len = len;
    t->stem = buf[1];
    t->stem_len = stem_len;
    t->norm_id = fake_intern_str(buf[0], len);
    t->stem_id = stem_len ? fake_intern_str(buf[1], stem_len) : 0;
    t->flags = WM_TOK_WORD | alt->flag |
               (base ? base->flags & WM_TOK_NEGATED : 0);
}

/*
** Analyses an answer with the real analyzer, copies its tokens with the
** fake intern() ids (and their strings, so that the copy outlives the
** analyzer's next call), adds the alternatives listed (n_alts of them, in
** place), and runs classify() into *r.
*/
static void classify_alts_with(const wm_plugin *d, void *state, void *worker,
                               wm_analyzer *a, const char *text,
                               unsigned flags, const alt_spec *alts,
                               size_t n_alts, result *r)
{
    const wm_analysis *an = NULL;
    wm_analysis copy;
    wm_token *toks, *out_toks;
    char *strings;
    char alt_buf[MAX_ALTS][2][ALT_LEN];
    size_t n_bytes = 0, at = 0, n_out = 0;
    wm_plugin_input in;
    wm_plugin_output out;
    int rc = wm_analyze(a, text, strlen(text), flags, &an);

    memset(r, 0, sizeof *r);
    if (rc != WM_OK || !an) { /* no CHECK here: threads call this */
        r->rc = rc != WM_OK ? rc : WM_EINVAL;
        snprintf(r->err, sizeof r->err, "cannot analyse '%s'", text);
        return;
    }
    for (size_t i = 0; i < an->n_tokens; i++)
        n_bytes += an->tokens[i].norm_len + an->tokens[i].stem_len;
    toks = malloc((an->n_tokens + 1) * sizeof *toks);
    strings = malloc(n_bytes + 1);
    if (!toks || !strings)
        abort();
    for (size_t i = 0; i < an->n_tokens; i++) {
        wm_token *t = &toks[i];

        *t = an->tokens[i];
        memcpy(strings + at, t->norm, t->norm_len);
        t->norm = strings + at;
        at += t->norm_len;
        memcpy(strings + at, t->stem, t->stem_len);
        t->stem = strings + at;
        at += t->stem_len;
        t->norm_id = t->norm_len ? fake_intern_str(t->norm, t->norm_len) : 0;
        t->stem_id = t->stem_len ? fake_intern_str(t->stem, t->stem_len) : 0;
    }
    copy = *an;

    /* The copy with the alternatives in place: those before the first
    ** token (i == 0 below, base NULL), then each token with its own. */
    if (n_alts > MAX_ALTS)
        abort();
    out_toks = malloc((an->n_tokens + n_alts + 1) * sizeof *out_toks);
    if (!out_toks)
        abort();
    for (size_t i = 0; i <= an->n_tokens; i++) {
        const wm_token *base = i ? &toks[i - 1] : NULL;

        if (base)
            out_toks[n_out++] = *base;
        for (size_t k = 0; k < n_alts; k++)
            if (alts[k].after == (i ? i - 1 : BEFORE_ALL))
                make_alt(a, &alts[k], base, alt_buf[k], &out_toks[n_out++]);
    }
    copy.tokens = out_toks;
    copy.n_tokens = n_out;

    memset(&in, 0, sizeof in);
    in.struct_size = sizeof in;
    in.analysis = &copy;
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    out.n_areas = N_AREAS;
    out.scores = r->scores;
    out.add_evidence = record_evidence;
    out.host = r;
    out.err = r->err;
    out.err_size = sizeof r->err;
    r->rc = d->classify(state, worker, &in, &out);
    free(out_toks);
    free(toks);
    free(strings);
}

/* classify_alts_with() without alternatives: the answer as analysed. */
static void classify_with(const wm_plugin *d, void *state, void *worker,
                          wm_analyzer *a, const char *text, unsigned flags,
                          result *r)
{
    classify_alts_with(d, state, worker, a, text, flags, NULL, 0, r);
}

/* classify_with() on an open instance, in the instance's language. */
static void classify(instance *in, const char *text, unsigned flags,
                     result *r)
{
    classify_with(in->d, in->state, in->worker, in->analyzer, text, flags, r);
}

/* classify() with alternatives added to the analysis. */
static void classify_alts(instance *in, const char *text, unsigned flags,
                          const alt_spec *alts, size_t n_alts, result *r)
{
    classify_alts_with(in->d, in->state, in->worker, in->analyzer, text,
                       flags, alts, n_alts, r);
}

/* One-shot: a lexicon of a language, an answer, the result. */
static int run_lang(const char *lang, const char *lexicon, const char *text,
                    result *r)
{
    instance in;

    open_instance(&in, lang, lexicon);
    if (!CHECK_MSG(in.rc == WM_OK, in.err)) {
        close_instance(&in);
        memset(r, 0, sizeof *r);
        return 0;
    }
    classify(&in, text, 0, r);
    close_instance(&in);
    return CHECK_MSG(r->rc == WM_OK, r->err);
}

/* run_lang() in Swedish, the language of most tests. */
static int run(const char *lexicon, const char *text, result *r)
{
    return run_lang("sv", lexicon, text, r);
}

/* --- Checks --------------------------------------------------------------- */

/* Whether two scores agree (they are computed the same way: S / (S + T)). */
static int same(double a, double b)
{
    return fabs(a - b) < 1e-12;
}

/* Checks every area's score: `want` lists (area, score) pairs for the
** areas that must score, ending with -1; all others must be 0. */
static void check_scores_at(const result *r, const char *file, int line,
                            const double *want)
{
    double expect[N_AREAS] = {0};

    for (size_t i = 0; want[i] >= 0; i += 2)
        expect[(size_t)want[i]] = want[i + 1];
    for (size_t a = 0; a < N_AREAS; a++) {
        char what[128];

        snprintf(what, sizeof what, "score of %s: got %.15g, want %.15g",
                 area_ids[a], r->scores[a], expect[a]);
        wm_test_check(same(r->scores[a], expect[a]), file, line, what);
    }
}
#define CHECK_SCORES(r, ...)                                                 \
    do {                                                                     \
        const double want_[] = {__VA_ARGS__, -1};                            \
        check_scores_at((r), __FILE__, __LINE__, want_);                     \
    } while (0)

/* Checks evidence item i: area, byte span, the bytes it covers in the
** answer, weight and rule. */
static void check_ev_at(const result *r, size_t i, const char *text,
                        uint32_t area, size_t start, size_t end,
                        const char *bytes, double weight, const char *rule,
                        const char *file, int line)
{
    char what[256];
    const ev_item *e;

    snprintf(what, sizeof what, "evidence %zu exists (have %zu)", i, r->n_ev);
    if (!wm_test_check(i < r->n_ev, file, line, what))
        return;
    e = &r->ev[i];
    snprintf(what, sizeof what,
             "evidence %zu: got %s [%zu, %zu) w=%g '%s', want %s [%zu, %zu) "
             "w=%g '%s'", i, area_ids[e->area], e->start, e->end, e->weight,
             e->rule, area_ids[area], start, end, weight, rule);
    wm_test_check(e->area == area && e->start == start && e->end == end &&
                  same(e->weight, weight) && strcmp(e->rule, rule) == 0,
                  file, line, what);
    wm_test_check_bytes(text + e->start, e->end - e->start, bytes,
                        strlen(bytes), file, line, "evidence bytes");
}
#define CHECK_EV(r, i, text, area, start, end, bytes, weight, rule)          \
    check_ev_at((r), (i), (text), (area), (start), (end), (bytes), (weight), \
                (rule), __FILE__, __LINE__)

/* --- Tests ---------------------------------------------------------------- */

/* The descriptor says what the ABI needs, and the file asked for is the
** language's areas.txt. */
static void test_descriptor(void)
{
    const wm_plugin *d = wm_builtin_lexicon();
    instance in;

    CHECK(d->abi_major == WM_PLUGIN_ABI_MAJOR);
    CHECK(d->abi_minor == WM_PLUGIN_ABI_MINOR);
    CHECK(d->struct_size == sizeof(wm_plugin));
    CHECK(strcmp(d->name, "lexicon") == 0);
    CHECK(strcmp(d->version, "1.0.0") == 0);
    CHECK(d->description && d->description[0]);
    CHECK(d->create && d->destroy && d->classify);
    CHECK(d->worker_new && d->worker_free);

    open_instance(&in, "nb", "[access]\nventetid\n");
    CHECK(in.rc == WM_OK);
    CHECK(strcmp(in.fh.asked, "nb/areas.txt") == 0);
    close_instance(&in);
}

/* A language without a file: create() says so with WM_PLUGIN_SKIP and
** makes nothing. */
static void test_skip(void)
{
    instance in;

    open_instance(&in, "da", NULL);
    CHECK(in.rc == WM_PLUGIN_SKIP);
    CHECK(in.state == NULL);
    CHECK(strcmp(in.fh.asked, "da/areas.txt") == 0);
    close_instance(&in);
}

/* A word matches every inflection with the same stem, in any case, and
** may itself be written inflected. */
static void test_word(void)
{
    const char *t1 = "V\xC3\xA4ntetiden var f\xC3\xB6r l\xC3\xA5ng";
    const char *t2 = "L\xC3\xA5nga v\xC3\xA4ntetider.";
    result r;

    if (run("[access]\nv\xC3\xA4ntetid\n", t1, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t1, ACCESS, 0, 11, "V\xC3\xA4ntetiden", 1.0,
                 "v\xC3\xA4ntetid");
    }
    if (run("[access]\nV\xC3\xA4ntetiderna # inflected\n", t2, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t2, ACCESS, 7, 18, "v\xC3\xA4ntetider", 1.0,
                 "V\xC3\xA4ntetiderna");
    }
    if (run("[access]\nv\xC3\xA4ntetid\n", "Ingen tid alls", &r)) {
        CHECK_SCORES(&r, ACCESS, 0.0);
        CHECK(r.n_ev == 0);
    }
}

/* Wildcards: a prefix on the normal form; a suffix on the normal form or
** the stem, one match per token even where both end so. */
static void test_wildcards(void)
{
    const char *t1 = "Jag fick v\xC3\xA4nta.";
    const char *t2 = "Telefonk\xC3\xB6 och v\xC3\xA4ntetiden";
    const char *t3 = "En tid";
    const char *t4 = "Avv\xC3\xA4nta och kan";
    result r;

    if (run("[access]\nv\xC3\xA4nt*\n", t1, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t1, ACCESS, 9, 15, "v\xC3\xA4nta", 1.0,
                 "v\xC3\xA4nt*");
    }
    /* "telefonkö" ends in "kö" as written; "väntetiden" ends in "tid" only
    ** as its stem "väntetid". */
    if (run("[access]\n*k\xC3\xB6\n*tid = 2\n", t2, &r)) {
        CHECK_SCORES(&r, ACCESS, 3.0 / 4.0);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t2, ACCESS, 0, 10, "Telefonk\xC3\xB6", 1.0,
                 "*k\xC3\xB6");
        CHECK_EV(&r, 1, t2, ACCESS, 15, 26, "v\xC3\xA4ntetiden", 2.0,
                 "*tid");
    }
    /* "tid": norm and stem both end in "tid": one match. */
    if (run("[access]\n*tid\n", t3, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t3, ACCESS, 3, 6, "tid", 1.0, "*tid");
    }
    /* Wildcards inside phrases: the prefix on the normal form, the suffix
    ** on the stem ("väntetider" ends in "tid" only as "väntetid"). */
    {
        const char *t5 = "L\xC3\xA5nga v\xC3\xA4ntetider, fick v\xC3\xA4nta";

        if (run("[access]\nl\xC3\xA5nga *tid\n[respect]\nfick v\xC3\xA4nt*\n",
                t5, &r)) {
            CHECK_SCORES(&r, ACCESS, 0.5, RESPECT, 0.5);
            CHECK(r.n_ev == 2);
            CHECK_EV(&r, 0, t5, ACCESS, 0, 18,
                     "L\xC3\xA5nga v\xC3\xA4ntetider", 1.0,
                     "l\xC3\xA5nga *tid");
            CHECK_EV(&r, 1, t5, RESPECT, 20, 31, "fick v\xC3\xA4nta", 1.0,
                     "fick v\xC3\xA4nt*");
        }
        if (run("[access]\nl\xC3\xA5nga *der\n", t5, &r))
            CHECK(r.n_ev == 1);
        if (run("[access]\nl\xC3\xA5nga *tiden\n", t5, &r))
            CHECK(r.n_ev == 0);
    }
    /* "benen" stems to "ben": both end in "en", still one match (a longer
    ** key makes the stem's scan run). */
    if (run("[access]\n*en\n*tiden\n", "Benen", &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, "Benen", ACCESS, 0, 5, "Benen", 1.0, "*en");
    }
    /* A prefix only at the start; several prefix lengths on one token. */
    if (run("[access]\nv\xC3\xA4nt*\n[respect]\nav*\navv\xC3\xA4*\n", t4, &r)) {
        CHECK_SCORES(&r, RESPECT, 2.0 / 3.0);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t4, RESPECT, 0, 8, "Avv\xC3\xA4nta", 1.0, "av*");
        CHECK_EV(&r, 1, t4, RESPECT, 0, 8, "Avv\xC3\xA4nta", 1.0,
                 "avv\xC3\xA4*");
    }
}

/* Phrases: consecutive words; punctuation between them does not count
** (also when the analysis holds punctuation and space tokens); a phrase
** never crosses a sentence end. */
static void test_phrase(void)
{
    const char *lex = "[access]\nkomma fram\n";
    const char *t1 = "Sv\xC3\xA5rt att komma fram";
    const char *t2 = "komma, fram";
    const char *t3 = "Jag vill komma. Fram till dig.";
    const char *t4 = "komma inte fram";
    instance in;
    result r;

    if (run(lex, t1, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t1, ACCESS, 11, 21, "komma fram", 1.0, "komma fram");
    }
    open_instance(&in, "sv", lex);
    if (CHECK(in.rc == WM_OK)) {
        classify(&in, t2, 0, &r);
        CHECK(r.rc == WM_OK && r.n_ev == 1);
        CHECK_EV(&r, 0, t2, ACCESS, 0, 11, "komma, fram", 1.0, "komma fram");
        classify(&in, t2, WM_ANALYZE_ALL, &r);
        CHECK(r.rc == WM_OK && r.n_ev == 1);
        CHECK_EV(&r, 0, t2, ACCESS, 0, 11, "komma, fram", 1.0, "komma fram");
        CHECK_SCORES(&r, ACCESS, 0.5);
        classify(&in, t3, 0, &r);
        CHECK(r.rc == WM_OK && r.n_ev == 0);
        CHECK_SCORES(&r, ACCESS, 0.0);
        classify(&in, t3, WM_ANALYZE_ALL, &r);
        CHECK(r.rc == WM_OK && r.n_ev == 0);
        classify(&in, t4, 0, &r);
        CHECK(r.rc == WM_OK && r.n_ev == 0);
    }
    close_instance(&in);
}

/* Gaps: "...N" allows up to N other tokens between two elements, "..."
** up to 3; the search finds a match that taking the first candidate
** would miss, and the match ends as early as it can. */
static void test_gap(void)
{
    const char *lex = "[access]\nringa ...2 tillbaka\nf\xC3\xA5 ... tid\n"
                      "[respect]\nringa ... tillbaka snart\n";
    const char *t1 = "ringa mig tillbaka";
    const char *t2 = "ringa mig snart tillbaka";
    const char *t3 = "ringa mig inte snart tillbaka";
    const char *t4 = "f\xC3\xA5 en ny bra tid";
    const char *t5 = "f\xC3\xA5 en ny bra fin tid";
    const char *t6 = "ringa tillbaka mig tillbaka snart";
    const char *t7 = "f\xC3\xA5 tid och tid";
    instance in;
    result r;

    open_instance(&in, "sv", lex);
    if (!CHECK(in.rc == WM_OK)) {
        close_instance(&in);
        return;
    }
    classify(&in, t1, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t1, ACCESS, 0, 18, t1, 1.0, "ringa ...2 tillbaka");
    classify(&in, t2, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t2, ACCESS, 0, 24, t2, 1.0, "ringa ...2 tillbaka");
    classify(&in, t3, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 0);
    CHECK_SCORES(&r, ACCESS, 0.0);

    classify(&in, t4, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t4, ACCESS, 0, 17, t4, 1.0, "f\xC3\xA5 ... tid");
    classify(&in, t5, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 0);

    classify(&in, t6, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 2);
    CHECK_EV(&r, 0, t6, ACCESS, 0, 14, "ringa tillbaka", 1.0,
             "ringa ...2 tillbaka");
    CHECK_EV(&r, 1, t6, RESPECT, 0, 33, t6, 1.0, "ringa ... tillbaka snart");
    CHECK_SCORES(&r, ACCESS, 0.5, RESPECT, 0.5);

    classify(&in, t7, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t7, ACCESS, 0, 7, "f\xC3\xA5 tid", 1.0,
             "f\xC3\xA5 ... tid");
    close_instance(&in);
}

/* Weights add up per area and the score is S / (S + T). */
static void test_weights(void)
{
    const char *t = "Telefontid och v\xC3\xA4ntetid";
    result r;

    if (run("[access]\ntelefontid = 2\nv\xC3\xA4ntetid =0.5   # weak\n", t,
            &r)) {
        CHECK_SCORES(&r, ACCESS, 2.5 / 3.5);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t, ACCESS, 0, 10, "Telefontid", 2.0, "telefontid");
        CHECK_EV(&r, 1, t, ACCESS, 15, 24, "v\xC3\xA4ntetid", 0.5,
                 "v\xC3\xA4ntetid");
    }
    if (run("[access]\ntelefontid = 100\n", t, &r))
        CHECK_SCORES(&r, ACCESS, 100.0 / 101.0);
}

/* A word that tokenises into several (hyphens, "&") is the phrase of its
** parts, so it matches exactly what answers so spelled tokenise into; and
** the same entry written twice, or two forms with one stem, counts once at
** the higher weight. */
static void test_compounds_and_duplicates(void)
{
    const char *t = "Jag vill ha e-post och drop-in, hej!";
    result r;

    if (run("[access]\ne-post = 0.5\ndrop-in = 0.5\n", t, &r)) {
        CHECK_SCORES(&r, ACCESS, 1.0 / 2.0);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t, ACCESS, 12, 18, "e-post", 0.5, "e-post");
        CHECK_EV(&r, 1, t, ACCESS, 23, 30, "drop-in", 0.5, "drop-in");
    }
    if (run("[access]\nhej!\n", t, &r)) /* the '!' is not a word */
        CHECK_SCORES(&r, ACCESS, 1.0 / 2.0);
    t = "mor och moren";
    if (run("[family]\nmor = 0.5\nmoren = 0.5\n", t, &r))
        CHECK_SCORES(&r, FAMILY, 0.5 / 1.5); /* one entry, not 1.0 */
    if (run("[family]\nmor = 0.5\nmoren = 2\n", t, &r))
        CHECK_SCORES(&r, FAMILY, 2.0 / 3.0); /* the higher weight */
    if (run("[family]\nmor = 0.5\n[respect]\nmoren = 0.5\n", t, &r))
        CHECK_SCORES(&r, FAMILY, 0.5 / 1.5, RESPECT, 0.5 / 1.5); /* other areas */
}

/* The default threshold and each area's own; a section that appears twice
** adds up. */
static void test_thresholds(void)
{
    const char *t = "v\xC3\xA4ntetid, bem\xC3\xB6tande och barn";
    result r;

    if (run("@threshold 2\n[access]\nv\xC3\xA4ntetid\n[respect]\n"
            "@threshold 0.5\nbem\xC3\xB6tande\n[family]\nbarn = 3\n", t, &r)) {
        CHECK_SCORES(&r, ACCESS, 1.0 / 3.0, RESPECT, 2.0 / 3.0, FAMILY, 0.6);
        CHECK(r.n_ev == 3);
        CHECK_EV(&r, 0, t, ACCESS, 0, 9, "v\xC3\xA4ntetid", 1.0,
                 "v\xC3\xA4ntetid");
        CHECK_EV(&r, 1, t, RESPECT, 11, 21, "bem\xC3\xB6tande", 1.0,
                 "bem\xC3\xB6tande");
        CHECK_EV(&r, 2, t, FAMILY, 26, 30, "barn", 3.0, "barn");
    }
    if (run("[access]\nv\xC3\xA4ntetid\n[respect]\nbem\xC3\xB6tande\n"
            "[access]\nbarn\n", t, &r))
        CHECK_SCORES(&r, ACCESS, 2.0 / 3.0, RESPECT, 0.5);
}

/* An exclusion discards its own area's matches that overlap it, and no
** other area's; an entry matched twice counts once but gives two
** evidence items. */
static void test_exclusion(void)
{
    const char *t = "Det tar hela tiden. Jag vill ha en tid.";
    result r;

    if (run("[access]\ntid* = 0.5\n!hela tiden\n[continuity]\ntid*\n", t,
            &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5 / 1.5, CONTIN, 0.5);
        CHECK(r.n_ev == 3);
        CHECK_EV(&r, 0, t, CONTIN, 13, 18, "tiden", 1.0, "tid*");
        CHECK_EV(&r, 1, t, ACCESS, 35, 38, "tid", 0.5, "tid*");
        CHECK_EV(&r, 2, t, CONTIN, 35, 38, "tid", 1.0, "tid*");
    }
    /* The exclusion alone adds nothing. */
    if (run("[access]\n!hela tiden\n", t, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.0);
        CHECK(r.n_ev == 0);
    }
    /* Overlap is by tokens: a phrase that shares one token is dropped. */
    if (run("[access]\ntar hela\n! hela tiden\n", t, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.0);
        CHECK(r.n_ev == 0);
    }
}

/* Negation does not stop a match: the span is still evidence. */
static void test_negated(void)
{
    const char *t = "Jag vill inte bli bollad";
    const wm_analysis *an = NULL;
    result r;

    CHECK_RC(wm_analyze(sv_analyzer, t, strlen(t), 0, &an), WM_OK);
    CHECK(an && an->n_tokens == 5 && (an->tokens[4].flags & WM_TOK_NEGATED));
    if (run("[coordination]\nbollad\n", t, &r)) {
        CHECK_SCORES(&r, COORD, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t, COORD, 18, 24, "bollad", 1.0, "bollad");
    }
}

/* Decomposed input: offsets cover the decomposed bytes; entries may be
** written decomposed too. */
static void test_nfd(void)
{
    const char *t = "Bra va\xCC\x8A" "rden";
    result r;

    if (run("[access]\nv\xC3\xA5rden\n", t, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t, ACCESS, 4, 12, "va\xCC\x8A" "rden", 1.0,
                 "v\xC3\xA5rden");
    }
    if (run("[access]\nva\xCC\x8A" "rd\n", t, &r)) {
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t, ACCESS, 4, 12, "va\xCC\x8A" "rden", 1.0,
                 "va\xCC\x8A" "rd");
    }
    if (run("[access]\nv\xC3\xA5r*\n", t, &r)) {
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t, ACCESS, 4, 12, "va\xCC\x8A" "rden", 1.0,
                 "v\xC3\xA5r*");
    }
}

/* One worker across many answers: nothing carries over (the per-entry
** marks use a generation); two workers on one instance agree. */
static void test_reuse(void)
{
    const char *lex = "[access]\nv\xC3\xA4ntetid\nk\xC3\xB6\n!l\xC3\xA5ng k\xC3\xB6\n";
    const char *a = "V\xC3\xA4ntetid och k\xC3\xB6. En l\xC3\xA5ng k\xC3\xB6.";
    const char *b = "Ingenting";
    instance in;
    void *w2 = NULL;
    char err[128];
    result r;

    open_instance(&in, "sv", lex);
    if (!CHECK(in.rc == WM_OK)) {
        close_instance(&in);
        return;
    }
    CHECK_RC(in.d->worker_new(in.state, &w2, err, sizeof err), WM_OK);
    for (int round = 0; round < 50; round++) {
        classify_with(in.d, in.state, round & 1 ? w2 : in.worker, sv_analyzer,
                      round % 3 == 2 ? b : a, 0, &r);
        CHECK(r.rc == WM_OK);
        if (round % 3 == 2) {
            CHECK(r.n_ev == 0);
            CHECK_SCORES(&r, ACCESS, 0.0);
        } else {
            CHECK(r.n_ev == 2);
            CHECK_SCORES(&r, ACCESS, 2.0 / 3.0);
        }
    }
    in.d->worker_free(in.state, w2);
    close_instance(&in);
}

/* One parse error: create() fails with WM_EPARSE and exactly `want`. */
static void check_error_at(const char *lang, const char *lexicon,
                           const char *want, const char *file, int line)
{
    instance in;
    char what[512];

    open_instance(&in, lang, lexicon);
    snprintf(what, sizeof what, "got rc %d \"%s\", want WM_EPARSE \"%s\"",
             in.rc, in.err, want);
    wm_test_check(in.rc == WM_EPARSE && strcmp(in.err, want) == 0 &&
                  in.state == NULL, file, line, what);
    close_instance(&in);
}
#define CHECK_ERROR(lexicon, want)                                           \
    check_error_at("sv", (lexicon), (want), __FILE__, __LINE__)

/* Every kind of mistake, with file, line and byte column. */
static void test_errors(void)
{
    CHECK_ERROR("[access]\nv\xC3\xA4ntetid\n[acess]\n",
                "sv/areas.txt:3:2: unknown area 'acess'");
    CHECK_ERROR("# lexicon\n\n  [acess]  # typo\n",
                "sv/areas.txt:3:4: unknown area 'acess'");
    check_error_at("nb", "[helse]\n", "nb/areas.txt:1:2: unknown area 'helse'",
                   __FILE__, __LINE__);
    CHECK_ERROR("# header\nv\xC3\xA4ntetid\n",
                "sv/areas.txt:2:1: entry before the first section");
    CHECK_ERROR("[access\n",
                "sv/areas.txt:1:1: a section is '[id]' alone on its line");
    CHECK_ERROR("[access]\nv\xC3\xA4nt* = 0\n",
                "sv/areas.txt:2:10: bad weight '0' (a number above 0 and at "
                "most 100)");
    CHECK_ERROR("[access]\nk\xC3\xB6 = 101\n",
                "sv/areas.txt:2:7: bad weight '101' (a number above 0 and at "
                "most 100)");
    CHECK_ERROR("[access]\nk\xC3\xB6 = tv\xC3\xA5\n",
                "sv/areas.txt:2:7: bad weight 'tv\xC3\xA5' (a number above 0 "
                "and at most 100)");
    CHECK_ERROR("[access]\nk\xC3\xB6 = -1\n",
                "sv/areas.txt:2:7: bad weight '-1' (a number above 0 and at "
                "most 100)");
    CHECK_ERROR("[access]\n= 2\n",
                "sv/areas.txt:2:1: a weight without an entry");
    CHECK_ERROR("[access]\n... tid\n",
                "sv/areas.txt:2:1: a gap cannot begin a phrase");
    CHECK_ERROR("[access]\nf\xC3\xA5 ...\n",
                "sv/areas.txt:2:5: a gap cannot end a phrase");
    CHECK_ERROR("[access]\nf\xC3\xA5 ...4 = 2\n",
                "sv/areas.txt:2:5: a gap cannot end a phrase");
    CHECK_ERROR("[access]\nringa ...11 tillbaka\n",
                "sv/areas.txt:2:7: bad gap '...11' (... or ...N, N from 1 to "
                "10)");
    CHECK_ERROR("[access]\nringa ...0 tillbaka\n",
                "sv/areas.txt:2:7: bad gap '...0' (... or ...N, N from 1 to "
                "10)");
    CHECK_ERROR("[access]\nf\xC3\xA5 ... ... tid\n",
                "sv/areas.txt:2:9: two gaps in a row");
    CHECK_ERROR("[access]\nv*\n",
                "sv/areas.txt:2:1: bad wildcard 'v*': at least 2 characters "
                "beside the *");
    CHECK_ERROR("[access]\n*\xC3\xB6\n",
                "sv/areas.txt:2:1: bad wildcard '*\xC3\xB6': at least 2 "
                "characters beside the *");
    CHECK_ERROR("[access]\nv\xC3\xA4*nt\n",
                "sv/areas.txt:2:1: bad wildcard 'v\xC3\xA4*nt' (write pre* or "
                "*suf)");
    CHECK_ERROR("[access]\nkomma *k\xC3\xB6*\n",
                "sv/areas.txt:2:7: bad wildcard '*k\xC3\xB6*' (write pre* or "
                "*suf)");
    CHECK_ERROR("[access]\ne-po*\n",
                "sv/areas.txt:2:1: 'e-po' is not one word");
    CHECK_ERROR("[access]\n!?\n",
                "sv/areas.txt:2:2: '?' holds no word");
    CHECK_ERROR("@treshold 2\n[access]\n",
                "sv/areas.txt:1:1: unknown directive '@treshold'");
    CHECK_ERROR("[access]\n@threshold 0\n",
                "sv/areas.txt:2:12: bad threshold '0' (a number above 0)");
    CHECK_ERROR("[access]\n@threshold 1\nk\xC3\xB6\n@threshold 2\n",
                "sv/areas.txt:4:1: second @threshold for [access] (the first "
                "is on line 2)");
    CHECK_ERROR("@threshold 1\n@threshold 2\n",
                "sv/areas.txt:2:1: second default @threshold (the first is on "
                "line 1)");
    CHECK_ERROR("[access]\na b c d e f g h i\n",
                "sv/areas.txt:2:17: a phrase has at most 8 elements");
    CHECK_ERROR("[access]\n!hela tiden = 2\n",
                "sv/areas.txt:2:13: an exclusion takes no weight");
    CHECK_ERROR("[access]\n!  # nothing\n",
                "sv/areas.txt:2:1: '!' needs an entry to exclude");
    CHECK_ERROR("[access]\nv\xC3ntetid\n", "sv/areas.txt:2:2: invalid UTF-8");
    CHECK_ERROR("\xEF\xBB\xBF[access]\r\nv\xC3\xA4ntetid\r\n[acess]\r\n",
                "sv/areas.txt:3:2: unknown area 'acess'");
}

/* An exact form (a quoted word) matches the tokens whose NORMAL FORM is the
** quoted word's, in any case and composition, not every word with its stem:
** Snowball gives "friendly" and "friends" one stem ("friend"), "håper" and
** "håp" one ("håp"), "vården" and "vård" one ("vård"). */
static void test_exact(void)
{
    const char *t1 = "Friendly staff, friendly nurses and friends.";
    const char *t2 = "H\xC3\xA5per p\xC3\xA5 h\xC3\xA5p";
    const char *t3 = "Bra va\xCC\x8A" "rden och v\xC3\xA5rd";
    result r;

    if (run_lang("en", "[respect]\n\"friendly\"\n", t1, &r)) {
        CHECK_SCORES(&r, RESPECT, 0.5);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t1, RESPECT, 0, 8, "Friendly", 1.0, "\"friendly\"");
        CHECK_EV(&r, 1, t1, RESPECT, 16, 24, "friendly", 1.0, "\"friendly\"");
    }
    if (run_lang("en", "[respect]\nfriendly\n", t1, &r)) { /* by stem */
        CHECK_SCORES(&r, RESPECT, 0.5);
        CHECK(r.n_ev == 3);
        CHECK_EV(&r, 2, t1, RESPECT, 36, 43, "friends", 1.0, "friendly");
    }
    if (run_lang("en", "[respect]\n\"FRIENDLY\" # any case\n", t1, &r))
        CHECK(r.n_ev == 2);
    if (run_lang("en", "[respect]\n\"friends\"\n", t1, &r)) {
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t1, RESPECT, 36, 43, "friends", 1.0, "\"friends\"");
    }
    if (run_lang("nb", "[hope_recovery]\n\"h\xC3\xA5per\"\n", t2, &r)) {
        CHECK_SCORES(&r, HOPE, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t2, HOPE, 0, 6, "H\xC3\xA5per", 1.0,
                 "\"h\xC3\xA5per\"");
    }
    if (run_lang("nb", "[hope_recovery]\nh\xC3\xA5per\n", t2, &r)) {
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 1, t2, HOPE, 11, 15, "h\xC3\xA5p", 1.0, "h\xC3\xA5per");
    }
    /* Decomposed input, and an entry written decomposed: NFC both ways. */
    if (run("[access]\n\"V\xC3\xA5rden\"\n", t3, &r)) {
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t3, ACCESS, 4, 12, "va\xCC\x8A" "rden", 1.0,
                 "\"V\xC3\xA5rden\"");
    }
    if (run("[access]\n\"va\xCC\x8A" "rden\"\n", t3, &r)) {
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t3, ACCESS, 4, 12, "va\xCC\x8A" "rden", 1.0,
                 "\"va\xCC\x8A" "rden\"");
    }
    if (run("[access]\n\"v\xC3\xA5rd\"\n", t3, &r)) {
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t3, ACCESS, 17, 22, "v\xC3\xA5rd", 1.0,
                 "\"v\xC3\xA5rd\"");
    }
}

/* Exact forms in phrases, first or later, beside words; a quoted word of
** several tokens is the phrase of its exact parts; gaps before and after
** an exact form. */
static void test_exact_phrases(void)
{
    const char *t1 = "Friendly nurses. Friends nurses. Very friendly. "
                     "Very friends.";
    const char *t2 = "Drop-in or dropping in";
    const char *lex = "[respect]\n\"friendly\" ... staff\n"
                      "[access]\nstaff ...2 \"friendly\"\n";
    instance in;
    result r;

    if (run_lang("en", "[respect]\n\"friendly\" nurse\n"
                 "[access]\nvery \"friendly\"\n", t1, &r)) {
        CHECK_SCORES(&r, RESPECT, 0.5, ACCESS, 0.5);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t1, RESPECT, 0, 15, "Friendly nurses", 1.0,
                 "\"friendly\" nurse");
        CHECK_EV(&r, 1, t1, ACCESS, 33, 46, "Very friendly", 1.0,
                 "very \"friendly\"");
    }
    if (run_lang("en", "[respect]\nfriendly nurse\n", t1, &r)) {
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 1, t1, RESPECT, 17, 31, "Friends nurses", 1.0,
                 "friendly nurse");
    }
    /* By index: the word entry is tried before the exact one on a token. */
    if (run_lang("en", "[access]\n\"drop-in\"\n[respect]\ndrop-in\n", t2, &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5, RESPECT, 0.5);
        CHECK(r.n_ev == 3);
        CHECK_EV(&r, 0, t2, RESPECT, 0, 7, "Drop-in", 1.0, "drop-in");
        CHECK_EV(&r, 1, t2, ACCESS, 0, 7, "Drop-in", 1.0, "\"drop-in\"");
        CHECK_EV(&r, 2, t2, RESPECT, 11, 22, "dropping in", 1.0, "drop-in");
    }

    open_instance(&in, "en", lex);
    if (!CHECK_MSG(in.rc == WM_OK, in.err)) {
        close_instance(&in);
        return;
    }
    classify(&in, "friendly and helpful staff", 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, "friendly and helpful staff", RESPECT, 0, 26,
             "friendly and helpful staff", 1.0, "\"friendly\" ... staff");
    classify(&in, "friends and helpful staff", 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 0);
    classify(&in, "staff were so friendly", 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, "staff were so friendly", ACCESS, 0, 22,
             "staff were so friendly", 1.0, "staff ...2 \"friendly\"");
    classify(&in, "staff were so friends", 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 0);
    CHECK_SCORES(&r, ACCESS, 0.0);
    close_instance(&in);
}

/* Exact forms as exclusions and with weights; the same-entry rule treats an
** exact form and a word as different entries even where the normal form and
** the stem are one string (one id): "mor" and mor count twice, "friendly"
** and "Friendly" once. */
static void test_exact_exclusion_weights(void)
{
    const char *t1 = "Friendly staff and friends.";
    result r;

    if (run_lang("en", "[respect]\nfriendly\n!\"friends\"\n", t1, &r)) {
        CHECK_SCORES(&r, RESPECT, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t1, RESPECT, 0, 8, "Friendly", 1.0, "friendly");
    }
    if (run_lang("en", "[respect]\n\"friendly\" = 2\n", "friendly", &r)) {
        CHECK_SCORES(&r, RESPECT, 2.0 / 3.0);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, "friendly", RESPECT, 0, 8, "friendly", 2.0,
                 "\"friendly\"");
    }
    if (run_lang("en", "[respect]\n\"friendly\" = 0.5\nfriendly = 0.5\n",
                 "friendly", &r)) {
        CHECK_SCORES(&r, RESPECT, 1.0 / 2.0); /* two entries */
        CHECK(r.n_ev == 2);
    }
    if (run_lang("en", "[respect]\n\"friendly\" = 0.5\n\"Friendly\" = 2\n",
                 "friendly", &r)) {
        CHECK_SCORES(&r, RESPECT, 2.0 / 3.0); /* one, the higher weight */
        CHECK(r.n_ev == 1);
    }
    if (run("[family]\n\"mor\" = 0.5\nmor = 0.5\n", "mor", &r)) {
        CHECK_SCORES(&r, FAMILY, 1.0 / 2.0);
        CHECK(r.n_ev == 2);
    }
    if (run("[family]\n\"mor\" ...2 barn = 0.5\nmor ...2 barn = 0.5\n",
            "mor och barn", &r))
        CHECK_SCORES(&r, FAMILY, 1.0 / 2.0);
}

/* Quotes go around one word, nothing else. */
static void test_exact_errors(void)
{
    CHECK_ERROR("[access]\n\"\"\n", "sv/areas.txt:2:1: empty quotes");
    CHECK_ERROR("[access]\n!\"\"\n", "sv/areas.txt:2:2: empty quotes");
    CHECK_ERROR("[access]\n\"abc\n",
                "sv/areas.txt:2:1: unterminated quote '\"abc' (quotes go "
                "around one word)");
    CHECK_ERROR("[access]\n\"\n",
                "sv/areas.txt:2:1: unterminated quote '\"' (quotes go "
                "around one word)");
    CHECK_ERROR("[access]\nkomma \"fram\n",
                "sv/areas.txt:2:7: unterminated quote '\"fram' (quotes go "
                "around one word)");
    CHECK_ERROR("[access]\n\"komma fram\" = 2\n",
                "sv/areas.txt:2:1: unterminated quote '\"komma' (quotes go "
                "around one word)");
    CHECK_ERROR("[access]\nab\"c\"\n",
                "sv/areas.txt:2:3: a quote inside a word 'ab\"c\"' (quotes "
                "go around one word)");
    CHECK_ERROR("[access]\n\"a\"b\n",
                "sv/areas.txt:2:3: a quote inside a word '\"a\"b' (quotes "
                "go around one word)");
    CHECK_ERROR("[access]\nhej\"\n",
                "sv/areas.txt:2:4: a quote inside a word 'hej\"' (quotes go "
                "around one word)");
    CHECK_ERROR("[access]\n\"v\xC3\xA4nt*\"\n",
                "sv/areas.txt:2:1: a wildcard in quotes '\"v\xC3\xA4nt*\"' "
                "(write \"word\", pre* or *suf)");
    CHECK_ERROR("[access]\n\"?\"\n", "sv/areas.txt:2:1: '?' holds no word");
    CHECK_ERROR("[access]\nf\xC3\xA5 \"...\" tid\n",
                "sv/areas.txt:2:5: '...' holds no word");
}

/* The good parts of the format: a byte-order mark, CRLF, tabs, comments,
** an 8-element phrase with gaps, and "...10". */
static void test_format(void)
{
    const char *t = "a b c d e f g h och ringa x x x x x x x x x x tillbaka";
    result r;

    if (run("\xEF\xBB\xBF# comment\r\n\t[access]\t# the area\r\n"
            "  a b ...1 c d e f g h  \t\r\n"
            "ringa ...10 tillbaka = 0.25\r\n", t, &r)) {
        CHECK_SCORES(&r, ACCESS, 1.25 / 2.25);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t, ACCESS, 0, 15, "a b c d e f g h", 1.0,
                 "a b ...1 c d e f g h");
        CHECK_EV(&r, 1, t, ACCESS, 20, 54, t + 20, 0.25,
                 "ringa ...10 tillbaka");
    }
}

/* Allocation failure at the 1st, 2nd, ... allocation of create(), then of
** classify(): a clean error each time and no leak, until it succeeds. */
static void test_alloc_failures(void)
{
    const char *lex = "@threshold 2\n[access]\nv\xC3\xA4ntetid\nv\xC3\xA4nt*\n"
                      "*k\xC3\xB6\nf\xC3\xA5 ... tid\n!hela tiden\n[respect]\n"
                      "bem\xC3\xB6tande = 2\n[continuity]\n\"tiden\"\n";
    const char *t = "V\xC3\xA4ntetiden och telefonk\xC3\xB6n. F\xC3\xA5 en tid. "
                    "Hela tiden.";
    wm_plugin_config cfg = make_config("sv");
    const wm_plugin *d = wm_builtin_lexicon();
    int done = 0;

    for (long k = 1; k < 200 && !done; k++) {
        fake_host fh;
        wm_host host;
        void *state = NULL, *worker = NULL;
        char err[256] = "";
        int rc;

        memset(&fh, 0, sizeof fh);
        fh.analyzer = sv_analyzer;
        fh.text = lex;
        fh.fail_at = k;
        host = make_host(&fh);
        rc = d->create(&host, &cfg, &state, err, sizeof err);
        if (rc == WM_OK)
            rc = d->worker_new(state, &worker, err, sizeof err);
        if (rc == WM_OK) {
            result r;

            classify_with(d, state, worker, sv_analyzer, t, 0, &r);
            rc = r.rc;
            if (rc == WM_OK) {
                CHECK_SCORES(&r, ACCESS, 3.0 / 5.0, CONTIN, 1.0 / 3.0);
                CHECK(r.n_ev == 4);
                done = 1;
            } else
                CHECK_MSG(strcmp(r.err, "lexicon: out of memory") == 0, r.err);
        }
        if (rc != WM_OK)
            CHECK_MSG(rc == WM_ENOMEM, err);
        if (worker)
            d->worker_free(state, worker);
        d->destroy(state);
        CHECK_MSG(fh.live == 0, "no leak after a failed allocation");
    }
    CHECK_MSG(done, "create and classify succeed once allocations do");
}

/* --- Spelling alternatives ------------------------------------------------ */

/* One-shot with alternatives: a Swedish lexicon, an answer, the
** alternatives added after its tokens, the result. */
static int run_alts(const char *lexicon, const char *text,
                    const alt_spec *alts, size_t n_alts, result *r)
{
    instance in;

    open_instance(&in, "sv", lexicon);
    if (!CHECK_MSG(in.rc == WM_OK, in.err)) {
        close_instance(&in);
        memset(r, 0, sizeof *r);
        return 0;
    }
    classify_alts(&in, text, 0, alts, n_alts, r);
    close_instance(&in);
    return CHECK_MSG(r->rc == WM_OK, r->err);
}
#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* Words and exact forms match a spelling correction (WM_TOK_VARIANT) as
** they match the word, where the word as written matched nothing; the
** evidence is the word as written. An entry still counts once, and a word
** that matched does not match again through its variant or parts. */
static void test_alt_variant(void)
{
    const char *t1 = "D\xC3\xA5ligt bemotande";
    const char *t2 = "Bemotande och bem\xC3\xB6tande";
    const char *t3 = "Bemotande var bra";
    const char *t4 = "vardcentralen";
    const alt_spec a1[] = {{1, WM_TOK_VARIANT, "bem\xC3\xB6tande"}};
    const alt_spec a2[] = {{0, WM_TOK_VARIANT, "bem\xC3\xB6tande"}};
    const alt_spec a4[] = {{0, WM_TOK_PART, "v\xC3\xA5rd"},
                           {0, WM_TOK_PART, "centralen"},
                           {0, WM_TOK_VARIANT, "v\xC3\xA5rdcentralen"}};
    result r;

    /* Without the variant, nothing; with it, the word entry and the exact
    ** form both match "bemotande" [8, 17). */
    if (run("[respect]\nbem\xC3\xB6tande\n", t1, &r))
        CHECK(r.n_ev == 0);
    if (run_alts("[respect]\nbem\xC3\xB6tande\n[family]\n\"bem\xC3\xB6tande\"\n",
                 t1, a1, N_OF(a1), &r)) {
        CHECK_SCORES(&r, RESPECT, 0.5, FAMILY, 0.5);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t1, RESPECT, 8, 17, "bemotande", 1.0,
                 "bem\xC3\xB6tande");
        CHECK_EV(&r, 1, t1, FAMILY, 8, 17, "bemotande", 1.0,
                 "\"bem\xC3\xB6tande\"");
    }
    /* Twice in the answer, once through the variant: two pieces of
    ** evidence (the words as written first), one weight. */
    if (run_alts("[respect]\nbem\xC3\xB6tande = 2\n", t2, a2, N_OF(a2), &r)) {
        CHECK_SCORES(&r, RESPECT, 2.0 / 3.0);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t2, RESPECT, 14, 24, "bem\xC3\xB6tande", 2.0,
                 "bem\xC3\xB6tande");
        CHECK_EV(&r, 1, t2, RESPECT, 0, 9, "Bemotande", 2.0,
                 "bem\xC3\xB6tande");
    }
    /* A phrase whose first element matches the variant. */
    if (run_alts("[respect]\nbem\xC3\xB6tande var bra\n", t3, a2, N_OF(a2),
                 &r)) {
        CHECK_SCORES(&r, RESPECT, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t3, RESPECT, 0, 17, t3, 1.0,
                 "bem\xC3\xB6tande var bra");
    }
    /* "*central" matches the word's own stem "vardcentral": the word is
    ** matched, so "vård*" does not match it again through its variant or
    ** its part (one word, one vote: "vardcentral*" and "vårdcentral*" in
    ** one lexicon do not count a misspelling twice). */
    if (run_alts("[access]\nv\xC3\xA5rd*\n*central\n", t4, a4, N_OF(a4),
                 &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t4, ACCESS, 0, 13, t4, 1.0, "*central");
    }
    /* Without "*central", the variant: then not the part (the variant
    ** matched). */
    if (run_alts("[access]\nv\xC3\xA5rd*\n[family]\ncentral*\n", t4, a4,
                 N_OF(a4), &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5, FAMILY, 0.0);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t4, ACCESS, 0, 13, t4, 1.0, "v\xC3\xA5rd*");
    }
}

/* A compound's parts (WM_TOK_PART), where neither the word nor its
** variant matched: a word entry matches a part by its stem, a wildcard by
** its normal form or stem; the evidence is the whole compound. */
static void test_alt_parts(void)
{
    const char *t1 = "Anh\xC3\xB6rigst\xC3\xB6" "det var bra";
    /* The parts as the engine gives them (docs/spelling.md): "anhörig"
    ** (stem "anhör") and "stödet" (Snowball leaves it "stödet"). */
    const alt_spec a1[] = {{0, WM_TOK_PART, "anh\xC3\xB6rig"},
                           {0, WM_TOK_PART, "st\xC3\xB6" "det"}};
    /* A head whose stem is a word of the lexicon's. */
    const alt_spec a2[] = {{0, WM_TOK_PART, "anh\xC3\xB6rig"},
                           {0, WM_TOK_PART, "st\xC3\xB6" "d"}};
    const char *lex = "[family]\nanh\xC3\xB6rig\n*h\xC3\xB6rig = 2\n"
                      "[coordination]\nst\xC3\xB6" "d*\n[continuity]\n"
                      "st\xC3\xB6" "d\n";
    result r;

    if (run(lex, t1, &r))
        CHECK(r.n_ev == 0);
    if (run_alts(lex, t1, a1, N_OF(a1), &r)) {
        CHECK_SCORES(&r, FAMILY, 3.0 / 4.0, COORD, 0.5);
        CHECK(r.n_ev == 3);
        CHECK_EV(&r, 0, t1, FAMILY, 0, 15, "Anh\xC3\xB6rigst\xC3\xB6" "det",
                 1.0, "anh\xC3\xB6rig");
        CHECK_EV(&r, 1, t1, FAMILY, 0, 15, "Anh\xC3\xB6rigst\xC3\xB6" "det",
                 2.0, "*h\xC3\xB6rig");
        CHECK_EV(&r, 2, t1, COORD, 0, 15, "Anh\xC3\xB6rigst\xC3\xB6" "det",
                 1.0, "st\xC3\xB6" "d*");
    }
    if (run_alts(lex, t1, a2, N_OF(a2), &r)) {
        CHECK_SCORES(&r, FAMILY, 3.0 / 4.0, COORD, 0.5, CONTIN, 0.5);
        CHECK(r.n_ev == 4); /* a token's words before its wildcards */
        CHECK_EV(&r, 2, t1, CONTIN, 0, 15, "Anh\xC3\xB6rigst\xC3\xB6" "det",
                 1.0, "st\xC3\xB6" "d");
        CHECK_EV(&r, 3, t1, COORD, 0, 15, "Anh\xC3\xB6rigst\xC3\xB6" "det",
                 1.0, "st\xC3\xB6" "d*");
    }
}

/* Phrases count words as written: an element matches a position through
** its word or, where no match covers the word, its variant; alternatives
** neither stand between two elements nor lengthen a gap. Parts take part
** in no phrase: a part is weaker evidence than a word ("har forklart" is
** no "har klart"). */
static void test_alt_phrases(void)
{
    const char *t1 = "Jag vill f\xC3\xA5 anh\xC3\xB6rigst\xC3\xB6" "det snabbt";
    const char *t2 = "f\xC3\xA5 en ny bra tid";
    const char *t3 = "f\xC3\xA5 en ny bra fin tid";
    const char *t4 = "komma fram";
    const char *t5 = "komma, fram";
    const alt_spec a1[] = {{3, WM_TOK_PART, "anh\xC3\xB6rig"},
                           {3, WM_TOK_PART, "st\xC3\xB6" "det"}};
    const alt_spec a1v[] = {{3, WM_TOK_VARIANT, "anh\xC3\xB6rig"}};
    const alt_spec a2[] = {{1, WM_TOK_PART, "enkel"},
                           {1, WM_TOK_VARIANT, "\xC3\xA9n"},
                           {2, WM_TOK_VARIANT, "nu"},
                           {3, WM_TOK_PART, "bra"},
                           {3, WM_TOK_PART, "tid"},
                           {3, WM_TOK_PART, "tal"},
                           {3, WM_TOK_VARIANT, "bar"}};
    const alt_spec a3[] = {{1, WM_TOK_VARIANT, "tid"},
                           {2, WM_TOK_VARIANT, "tid"},
                           {3, WM_TOK_VARIANT, "tid"},
                           {4, WM_TOK_VARIANT, "tid"}};
    const alt_spec a4[] = {{0, WM_TOK_PART, "kom"},
                           {0, WM_TOK_PART, "ma"},
                           {0, WM_TOK_VARIANT, "kommer"},
                           {0, WM_TOK_VARIANT, "komme"}};
    /* With WM_ANALYZE_ALL: "komma" "," " " "fram"; after the comma, an
    ** alternative follows no word and is ignored. */
    const alt_spec a5[] = {{0, WM_TOK_VARIANT, "kommer"},
                           {1, WM_TOK_VARIANT, "fram"}};
    const char *lex = "[family]\nf\xC3\xA5 anh\xC3\xB6rig\n"
                      "f\xC3\xA5 anh\xC3\xB6rig snabbt\n"
                      "[coordination]\nf\xC3\xA5 st\xC3\xB6" "d*\n"
                      "[continuity]\nanh\xC3\xB6rig st\xC3\xB6" "det\n";
    const char *gaps = "[access]\nf\xC3\xA5 ... tid\nkomma fram\n"
                       "[respect]\nf\xC3\xA5 ...2 tid\n";
    instance in;
    result r;

    /* No phrase reaches a part: not as a second element, not in the
    ** middle, and "anhörig stödet" is two positions, which one compound
    ** is not. As variants, the same words do make the phrases. */
    if (run_alts(lex, t1, a1, N_OF(a1), &r)) {
        CHECK_SCORES(&r, FAMILY, 0.0, COORD, 0.0, CONTIN, 0.0);
        CHECK(r.n_ev == 0);
    }
    if (run_alts(lex, t1, a1v, N_OF(a1v), &r)) {
        CHECK_SCORES(&r, FAMILY, 2.0 / 3.0, COORD, 0.0);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t1, FAMILY, 9, 28,
                 "f\xC3\xA5 anh\xC3\xB6rigst\xC3\xB6" "det", 1.0,
                 "f\xC3\xA5 anh\xC3\xB6rig");
        CHECK_EV(&r, 1, t1, FAMILY, 9, 35,
                 "f\xC3\xA5 anh\xC3\xB6rigst\xC3\xB6" "det snabbt", 1.0,
                 "f\xC3\xA5 anh\xC3\xB6rig snabbt");
    }

    open_instance(&in, "sv", gaps);
    if (!CHECK(in.rc == WM_OK)) {
        close_instance(&in);
        return;
    }
    /* "få ... tid" over three words with seven alternatives among them:
    ** the words as written match, so the alternatives are not used
    ** ("få ...2 tid" would need the part "tid" of "bra"). */
    classify_alts(&in, t2, 0, a2, N_OF(a2), &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t2, ACCESS, 0, 17, t2, 1.0, "f\xC3\xA5 ... tid");
    /* Two alternatives of "en" (as positions they would make the gap
    ** five): the match is as without them. */
    classify_alts(&in, t2, 0, a2, 2, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t2, ACCESS, 0, 17, t2, 1.0, "f\xC3\xA5 ... tid");
    CHECK_SCORES(&r, ACCESS, 0.5);
    /* Four words between: too far, however many alternatives. */
    classify(&in, t3, 0, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 0);
    classify_alts(&in, t3, 0, a3, N_OF(a3), &r);
    CHECK(r.rc == WM_OK && r.n_ev == 2);
    CHECK_EV(&r, 0, t3, ACCESS, 0, 6, "f\xC3\xA5 en", 1.0,
             "f\xC3\xA5 ... tid");
    CHECK_EV(&r, 1, t3, RESPECT, 0, 6, "f\xC3\xA5 en", 1.0,
             "f\xC3\xA5 ...2 tid");
    /* "fin", the fifth word, as "tid": three words between. */
    classify_alts(&in, t3, 0, a3 + 3, 1, &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t3, ACCESS, 0, 17, "f\xC3\xA5 en ny bra fin", 1.0,
             "f\xC3\xA5 ... tid");
    /* Adjacent words stay adjacent. */
    classify_alts(&in, t4, 0, a4, N_OF(a4), &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t4, ACCESS, 0, 10, t4, 1.0, "komma fram");
    classify_alts(&in, t5, WM_ANALYZE_ALL, a5, N_OF(a5), &r);
    CHECK(r.rc == WM_OK && r.n_ev == 1);
    CHECK_EV(&r, 0, t5, ACCESS, 0, 11, t5, 1.0, "komma fram");
    close_instance(&in);
}

/* An alternative that follows no word is ignored (and is no position), as
** are those over the plugin's limit of 8 a word. */
static void test_alt_limits(void)
{
    const char *t1 = "komma fram";
    const char *t2 = "komma hit";
    const alt_spec a1[] = {{BEFORE_ALL, WM_TOK_VARIANT, "bem\xC3\xB6tande"}};
    alt_spec a2[10];
    const char *lex = "[access]\nkomma fram\n[respect]\nbem\xC3\xB6tande\n"
                      "[family]\nfram\n";
    result r;

    if (run_alts(lex, t1, a1, N_OF(a1), &r)) {
        CHECK_SCORES(&r, ACCESS, 0.5, FAMILY, 0.5);
        CHECK(r.n_ev == 2);
        CHECK_EV(&r, 0, t1, ACCESS, 0, 10, t1, 1.0, "komma fram");
    }
    for (size_t k = 0; k < 10; k++) {
        a2[k].after = 0;
        a2[k].flag = WM_TOK_PART;
        a2[k].norm = k == 7 ? "fram" : "x";
    }
    a2[9].norm = "bem\xC3\xB6tande"; /* the 10th, as the 9th: ignored */
    if (run_alts(lex, t2, a2, N_OF(a2), &r)) {
        CHECK_SCORES(&r, ACCESS, 0.0, FAMILY, 0.5, RESPECT, 0.0);
        CHECK(r.n_ev == 1);
        CHECK_EV(&r, 0, t2, FAMILY, 0, 5, "komma", 1.0, "fram");
    }
}

/* Exclusions over positions with alternatives: an exclusion that matches
** the word covers it (its parts are not used), one that matches on a
** part too late to discard the word's own match, and one that matches
** through a variant discards the matches of its area on the words. */
static void test_alt_exclusions(void)
{
    const char *t1 = "Anh\xC3\xB6rigst\xC3\xB6" "det";
    const char *t2 = "Ett bra bemotande";
    const alt_spec a1[] = {{0, WM_TOK_PART, "anh\xC3\xB6rig"},
                           {0, WM_TOK_PART, "st\xC3\xB6" "det"}};
    const alt_spec a2[] = {{2, WM_TOK_VARIANT, "bem\xC3\xB6tande"}};
    result r;

    if (run_alts("[family]\nanh\xC3\xB6rig\n!\"anh\xC3\xB6rigst\xC3\xB6" "det\"\n"
                 "[coordination]\nanh\xC3\xB6rig\n", t1, a1, N_OF(a1), &r)) {
        CHECK_SCORES(&r, FAMILY, 0.0, COORD, 0.0);
        CHECK(r.n_ev == 0);
    }
    if (run_alts("[family]\n\"anh\xC3\xB6rigst\xC3\xB6" "det\"\n!st\xC3\xB6" "det\n",
                 t1, a1, N_OF(a1), &r)) {
        CHECK_SCORES(&r, FAMILY, 0.5);
        CHECK(r.n_ev == 1);
    }
    if (run("[respect]\nbra\n!bra bem\xC3\xB6tande\n", t2, &r)) {
        CHECK_SCORES(&r, RESPECT, 0.5);
        CHECK_EV(&r, 0, t2, RESPECT, 4, 7, "bra", 1.0, "bra");
    }
    if (run_alts("[respect]\nbra\n!bra bem\xC3\xB6tande\n", t2, a2, N_OF(a2),
                 &r)) {
        CHECK_SCORES(&r, RESPECT, 0.0);
        CHECK(r.n_ev == 0);
    }
}

/* Shared by the threads of test_threads. */
typedef struct thread_arg {
    instance *in;       /* the shared instance */
    const char **texts; /* the answers */
    size_t n_texts;     /* how many */
    double *want;       /* [n_texts] reference access + respect scores */
    int failures;       /* mismatches seen */
} thread_arg;

/* One thread: its own worker and analyzer, every answer 20 times. */
static void *thread_main(void *p)
{
    thread_arg *ta = p;
    wm_analyzer *a = NULL;
    void *worker = NULL;
    char err[128];
    result r;

    if (wm_analyzer_new(engine, "sv", &a) != WM_OK ||
        ta->in->d->worker_new(ta->in->state, &worker, err, sizeof err) != 0) {
        ta->failures++;
        wm_analyzer_free(a);
        return NULL;
    }
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < ta->n_texts; i++) {
            classify_with(ta->in->d, ta->in->state, worker, a, ta->texts[i], 0,
                          &r);
            if (r.rc != WM_OK ||
                !same(r.scores[ACCESS] + 10 * r.scores[RESPECT], ta->want[i]))
                ta->failures++;
        }
    ta->in->d->worker_free(ta->in->state, worker);
    wm_analyzer_free(a);
    return NULL;
}

/* One instance, four threads with their own workers: the same results as
** one thread. */
static void test_threads(void)
{
    static const char *texts[] = {
        "V\xC3\xA4ntetiden och telefonk\xC3\xB6n.",
        "Ett gott bem\xC3\xB6tande, inte hela tiden.",
        "F\xC3\xA5 en tid snabbt och bli bem\xC3\xB6tt med respekt",
        "Ingenting",
    };
    const char *lex = "[access]\nv\xC3\xA4ntetid\n*k\xC3\xB6n\nf\xC3\xA5 ... tid\n"
                      "tid*\n!hela tiden\n[respect]\nbem\xC3\xB6t*\nrespekt\n";
    double want[4];
    thread_arg ta[4];
    pthread_t th[4];
    instance in;
    result r;

    open_instance(&in, "sv", lex);
    if (!CHECK(in.rc == WM_OK)) {
        close_instance(&in);
        return;
    }
    for (size_t i = 0; i < 4; i++) {
        classify(&in, texts[i], 0, &r);
        want[i] = r.scores[ACCESS] + 10 * r.scores[RESPECT];
    }
    CHECK(same(want[0], 2.0 / 3.0));
    CHECK(same(want[1], 10 * 0.5));
    CHECK(same(want[2], 2.0 / 3.0 + 10 * 2.0 / 3.0));
    CHECK(same(want[3], 0.0));
    for (int k = 0; k < 4; k++) {
        ta[k].in = &in;
        ta[k].texts = texts;
        ta[k].n_texts = 4;
        ta[k].want = want;
        ta[k].failures = 0;
        CHECK(pthread_create(&th[k], NULL, thread_main, &ta[k]) == 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        CHECK(ta[k].failures == 0);
    }
    close_instance(&in);
}

int main(void)
{
    if (wm_engine_new(NULL, &engine) != WM_OK ||
        wm_analyzer_new(engine, "sv", &sv_analyzer) != WM_OK ||
        wm_analyzer_new(engine, "nb", &nb_analyzer) != WM_OK ||
        wm_analyzer_new(engine, "en", &en_analyzer) != WM_OK) {
        fprintf(stderr, "cannot make an engine and its analyzers\n");
        return 1;
    }
    test_descriptor();
    test_skip();
    test_word();
    test_wildcards();
    test_phrase();
    test_gap();
    test_weights();
    test_compounds_and_duplicates();
    test_thresholds();
    test_exclusion();
    test_negated();
    test_nfd();
    test_reuse();
    test_errors();
    test_exact();
    test_exact_phrases();
    test_exact_exclusion_weights();
    test_exact_errors();
    test_format();
    test_alloc_failures();
    test_threads();
    test_alt_variant();
    test_alt_parts();
    test_alt_phrases();
    test_alt_limits();
    test_alt_exclusions();

    wm_analyzer_free(sv_analyzer);
    wm_analyzer_free(nb_analyzer);
    wm_analyzer_free(en_analyzer);
    wm_engine_free(engine);
    for (size_t i = 0; i < n_intern; i++)
        free(intern_str[i]);
    return wm_test_finish();
}
