/*
** test_lexicon_memo.c — the lexicon plugin's per-worker memory of word
** forms and its short cuts, on analyses made by hand so that the ids are
** the test's to choose.
**
** A worker remembers, per form, the entries it may start, under the low
** bits of the form's id, and lists only the tokens whose form may start
** one. The host may give an id to another form once its analyzer's cache
** starts afresh (whatmatters.h, wm_analyze), and ids of equal low bits
** share a memory slot: the form must be told by its bytes, in each class
** of length the plugin compares differently (under 4 bytes, 4 to 7, 8 to
** 16, over 16 with equal first and last 8 bytes). A form found remembered
** by the walk over the tokens keeps its candidates though another form
** takes its slot before it is scanned. And the summary that passes over a
** form's phrases at once must keep every phrase that can match (second
** word within its reach, before the sentence's end, a wildcard second
** word) and still record the single words, in order.
**
** The host here: data_file() hands out the test's lexicon, analyze() is
** the real Swedish analyzer (for the lexicon's entries), intern() a table
** of the test's own; tokens' ids are that table's for its strings and
** HOST_ID and up for the others. It plays a host of ABI 1.2, which does
** not say when ids are reused (no id_epoch), except in test_epoch: a host
** of 1.3 that changes the epoch before it reuses an id, where the memo is
** by id alone.
*/
#include "wm_test.h"
#include "whatmatters_plugin.h"

#include <stdlib.h>
#include <string.h>

const wm_plugin *wm_builtin_lexicon(void);

#define N_AREAS 9
#define MAX_INTERN 256
#define MAX_EV 16
#define MAX_TOK 16
#define HOST_ID 1000u          /* ids of the strings the lexicon has not */
#define SHARED (1u << 17)      /* an id this much larger shares the slot */
#define NO_ID UINT32_MAX       /* tok.id: the token gets WM_ID_NONE */

static const char *const area_ids[N_AREAS] = {
    "access", "respect", "whole_person", "coordination", "continuity",
    "participation", "family", "everyday_life", "hope_recovery",
};

static char *intern_str[MAX_INTERN]; /* the test's intern table: id i + 1 */
static size_t n_intern;
static wm_engine *engine;
static wm_analyzer *analyzer;
static const char *lexicon_text;     /* what data_file() gives */
static long live;                    /* the plugin's allocations not freed */
static long long host_epoch = -1;    /* the id_epoch given (a 1.3 host), or
                                        -1: a 1.2 host, without it */

static int t_data_file(void *ctx, const char *name, const unsigned char **bytes,
                       size_t *len, char *err, size_t err_size)
{
    (void)ctx;
    (void)name;
    (void)err;
    (void)err_size;
    *bytes = (const unsigned char *)lexicon_text;
    *len = strlen(lexicon_text);
    return WM_OK;
}

static int t_analyze(void *ctx, const char *text, size_t len,
                     const wm_analysis **out)
{
    (void)ctx;
    return wm_analyze(analyzer, text, len, 0, out);
}

/* The test's id of a string, 0 when the lexicon did not intern it. */
static uint32_t find_id(const char *s, size_t len)
{
    for (size_t i = 0; i < n_intern; i++)
        if (strlen(intern_str[i]) == len && memcmp(intern_str[i], s, len) == 0)
            return (uint32_t)i + 1;
    return 0;
}

static uint32_t t_intern(void *ctx, const char *s, size_t len)
{
    uint32_t id = find_id(s, len);

    (void)ctx;
    if (id || n_intern == MAX_INTERN)
        return id;
    intern_str[n_intern] = malloc(len + 1);
    if (!intern_str[n_intern])
        return 0;
    memcpy(intern_str[n_intern], s, len);
    intern_str[n_intern][len] = '\0';
    return (uint32_t)++n_intern;
}

/* What one classify() gave: the rules of its evidence, in order, and the
** token each starts at. */
typedef struct result {
    int rc;
    size_t n_ev;
    char rule[MAX_EV][32];
    size_t first[MAX_EV];
    double scores[N_AREAS];
    char err[128];
} result;

static int t_evidence(wm_plugin_output *out, uint32_t area, size_t start,
                      size_t end, double weight, const char *rule)
{
    result *r = out->host;

    (void)area;
    (void)end;
    (void)weight;
    if (r->n_ev == MAX_EV)
        return WM_ENOMEM;
    snprintf(r->rule[r->n_ev], sizeof r->rule[0], "%s", rule);
    r->first[r->n_ev] = start / 100; /* tokens start at 100 * index */
    r->n_ev++;
    return WM_OK;
}

/* One token as a test writes it: its normal form (also its stem), its id
** (0: the intern table's, or HOST_ID when it has none), 1 when it starts a
** sentence. */
typedef struct tok {
    const char *norm;
    uint32_t id;
    int sent;
} tok;

/* Classifies an answer of the given tokens with one worker. */
static void classify(const wm_plugin *d, void *state, void *worker,
                     const tok *toks, size_t n, result *r)
{
    wm_token t[MAX_TOK];
    wm_analysis an;
    wm_plugin_input in;
    wm_plugin_output out;

    memset(r, 0, sizeof *r);
    memset(t, 0, sizeof t);
    for (size_t i = 0; i < n && i < MAX_TOK; i++) {
        size_t len = strlen(toks[i].norm);
        uint32_t id = toks[i].id ? toks[i].id : find_id(toks[i].norm, len);

        t[i].start = 100 * i;
        t[i].end = 100 * i + len;
        t[i].norm = t[i].stem = toks[i].norm;
        t[i].norm_len = t[i].stem_len = len;
        t[i].norm_id = t[i].stem_id = id == NO_ID ? WM_ID_NONE
                                      : id ? id : HOST_ID;
        t[i].flags = WM_TOK_WORD | (i == 0 || toks[i].sent ?
                                    WM_TOK_SENT_START : 0);
    }
    memset(&an, 0, sizeof an);
    an.tokens = t;
    an.n_tokens = n;
    an.n_sentences = 1;
    memset(&in, 0, sizeof in);
    in.struct_size = host_epoch < 0 ? offsetof(wm_plugin_input, id_epoch)
                                    : sizeof in;
    in.id_epoch = host_epoch < 0 ? 0 : (uint64_t)host_epoch;
    in.analysis = &an;
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    out.n_areas = N_AREAS;
    out.scores = r->scores;
    out.add_evidence = t_evidence;
    out.host = r;
    out.err = r->err;
    out.err_size = sizeof r->err;
    r->rc = d->classify(state, worker, &in, &out);
}

/* An instance over a lexicon, with one worker. */
typedef struct inst {
    const wm_plugin *d;
    wm_host host;
    void *state;
    void *worker;
} inst;

static int open_inst(inst *in, const char *lexicon)
{
    wm_plugin_config cfg;
    char err[256] = "";
    int rc;

    memset(in, 0, sizeof *in);
    lexicon_text = lexicon;
    in->d = wm_builtin_lexicon();
    in->host.struct_size = sizeof in->host;
    in->host.ctx = &live;
    in->host.realloc = wm_test_host_realloc;
    in->host.free = wm_test_host_free;
    in->host.data_file = t_data_file;
    in->host.analyze = t_analyze;
    in->host.intern = t_intern;
    memset(&cfg, 0, sizeof cfg);
    cfg.struct_size = sizeof cfg;
    cfg.lang = "sv";
    cfg.n_areas = N_AREAS;
    cfg.area_ids = area_ids;
    rc = in->d->create(&in->host, &cfg, &in->state, err, sizeof err);
    if (!CHECK_MSG(rc == WM_OK, err))
        return 0;
    rc = in->d->worker_new(in->state, &in->worker, err, sizeof err);
    return CHECK_MSG(rc == WM_OK, err);
}

static void close_inst(inst *in)
{
    if (in->worker)
        in->d->worker_free(in->state, in->worker);
    if (in->state)
        in->d->destroy(in->state);
    CHECK_MSG(live == 0, "the plugin freed all it allocated");
}

/* Checks a result's evidence: "rule@token" items, in order. */
static void check_ev_at(const result *r, const char *const *want, size_t n,
                        const char *file, int line)
{
    char got[256] = "", exp[256] = "";

    for (size_t i = 0; i < r->n_ev; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s@%zu",
                 i ? " | " : "", r->rule[i], r->first[i]);
    for (size_t i = 0; i < n; i++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%s",
                 i ? " | " : "", want[i]);
    wm_test_check(r->rc == WM_OK, file, line, r->err);
    wm_test_check_bytes(got, strlen(got), exp, strlen(exp), file, line,
                        "evidence");
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define CHECK_EV(r, ...)                                                      \
    do {                                                                      \
        static const char *const want_[] = {__VA_ARGS__};                     \
        check_ev_at((r), want_, N_OF(want_), __FILE__, __LINE__);             \
    } while (0)
#define CHECK_NO_EV(r) check_ev_at((r), NULL, 0, __FILE__, __LINE__)

/* Runs one token alone. */
static void one(inst *in, const char *norm, uint32_t id, result *r)
{
    tok t = {norm, id, 0};

    classify(in->d, in->state, in->worker, &t, 1, r);
}

/*
** An id that names one form and then another of the same length: each is
** answered by its own bytes, the quiet one and the one that starts an
** entry, in turns, in every class of length.
*/
static void test_id_reuse(void)
{
    static const struct {
        const char *quiet, *leads, *rule;
    } pairs[] = {
        {"xyz", "xab", "*ab"},                                 /* 3 bytes */
        {"xxxyz", "xxxab", "*ab"},                             /* 5 */
        {"xxxxyz", "xxxxab", "*ab"},          /* 6: the same first 4 */
        {"abcdefghi", "v\xC3\xA4ntande", "v\xC3\xA4nt*"},      /* 9 */
        {"abcdefghXjkz", "abcdefghijkz",
         "abcdefghijk*"},                     /* 12: the same first 8 */
        {"abcdefghQQQzzzzzzzzz", "abcdefghijkzzzzzzzzz",
         "abcdefghijk*"},                                      /* 20 */
    };
    inst in;
    result r;

    if (!open_inst(&in, "[access]\nv\xC3\xA4nt*\n*ab\nabcdefghijk*\n"))
        return;
    for (size_t k = 0; k < N_OF(pairs); k++) {
        uint32_t id = HOST_ID + 1 + (uint32_t)k;

        CHECK(strlen(pairs[k].quiet) == strlen(pairs[k].leads));
        for (int round = 0; round < 2; round++) {
            one(&in, pairs[k].quiet, id, &r);
            CHECK_NO_EV(&r);
            one(&in, pairs[k].leads, id, &r);
            CHECK_MSG(r.rc == WM_OK && r.n_ev == 1 &&
                      strcmp(r.rule[0], pairs[k].rule) == 0,
                      pairs[k].leads);
        }
    }
    close_inst(&in);
}

/*
** Two ids that share a slot (the memo at its largest): each form is told
** by its bytes; and a form the walk finds remembered keeps its candidates
** when, in the same answer, a new form of the other id takes the slot
** before it is scanned.
*/
static void test_shared_slot(void)
{
    const uint32_t a = HOST_ID + 7, b = a + SHARED;
    const tok both[] = {{"v\xC3\xA4ntande", b, 0}, {"xab", a, 0}};
    const tok quiet_first[] = {{"xyz", b, 0}, {"xab", a, 0}};
    inst in;
    result r;

    if (!open_inst(&in, "[access]\nv\xC3\xA4nt*\n*ab\n"))
        return;
    one(&in, "xab", a, &r);
    CHECK_EV(&r, "*ab@0");
    classify(in.d, in.state, in.worker, both, N_OF(both), &r);
    CHECK_EV(&r, "v\xC3\xA4nt*@0", "*ab@1");
    one(&in, "xab", a, &r);
    CHECK_EV(&r, "*ab@0");
    one(&in, "v\xC3\xA4ntande", b, &r);
    CHECK_EV(&r, "v\xC3\xA4nt*@0");
    classify(in.d, in.state, in.worker, quiet_first, N_OF(quiet_first), &r);
    CHECK_EV(&r, "*ab@1");
    one(&in, "xab", b, &r);
    CHECK_EV(&r, "*ab@0");
    one(&in, "xyz", a, &r);
    CHECK_NO_EV(&r);
    close_inst(&in);
}

/*
** A form that starts single words and phrases: where none of its phrases
** can match, its single words are still recorded in order; every phrase
** that can match is tried: its second word right after, further within
** its gap, not past it, not over a sentence's end, and a wildcard second
** word (which no id can rule out).
*/
static void test_phrase_summary(void)
{
    const char *lex = "[access]\n"
                      "ta*\n"
                      "ta* sig till\n"
                      "ta* ...2 mig ur\n"
                      "tack\n"
                      "f\xC3\xA5* sigg* fram\n"
                      "f\xC3\xA5* \"kvar\" nu\n";
    const tok none[] = {{"tar", 0, 0}, {"bort", 0, 0}};
    const tok next[] = {{"tar", 0, 0}, {"sig", 0, 0}, {"till", 0, 0}};
    const tok gap[] = {{"tar", 0, 0}, {"x", 0, 0}, {"y", 0, 0},
                       {"mig", 0, 0}, {"ur", 0, 0}};
    const tok past[] = {{"tar", 0, 0}, {"x", 0, 0}, {"y", 0, 0}, {"z", 0, 0},
                        {"mig", 0, 0}, {"ur", 0, 0}};
    const tok sent[] = {{"tar", 0, 0}, {"sig", 0, 1}, {"till", 0, 0}};
    const tok wild[] = {{"f\xC3\xA5r", 0, 0}, {"sigge", 0, 0},
                        {"fram", 0, 0}};
    const tok wild_not[] = {{"f\xC3\xA5r", 0, 0}, {"x", 0, 0},
                            {"sigge", 0, 0}, {"fram", 0, 0}};
    const tok exact[] = {{"f\xC3\xA5r", 0, 0}, {"kvar", 0, 0}, {"nu", 0, 0}};
    const tok exact_not[] = {{"f\xC3\xA5r", 0, 0}, {"kvarn", 0, 0},
                             {"nu", 0, 0}};
    const tok last[] = {{"x", 0, 0}, {"tar", 0, 0}};
    inst in;
    result r;

    if (!open_inst(&in, lex))
        return;
    for (int round = 0; round < 2; round++) { /* collected, then remembered */
        classify(in.d, in.state, in.worker, none, N_OF(none), &r);
        CHECK_EV(&r, "ta*@0");
        classify(in.d, in.state, in.worker, next, N_OF(next), &r);
        CHECK_EV(&r, "ta*@0", "ta* sig till@0");
        classify(in.d, in.state, in.worker, gap, N_OF(gap), &r);
        CHECK_EV(&r, "ta*@0", "ta* ...2 mig ur@0");
        classify(in.d, in.state, in.worker, past, N_OF(past), &r);
        CHECK_EV(&r, "ta*@0");
        classify(in.d, in.state, in.worker, sent, N_OF(sent), &r);
        CHECK_EV(&r, "ta*@0");
        classify(in.d, in.state, in.worker, wild, N_OF(wild), &r);
        CHECK_EV(&r, "f\xC3\xA5* sigg* fram@0");
        classify(in.d, in.state, in.worker, wild_not, N_OF(wild_not), &r);
        CHECK_NO_EV(&r);
        classify(in.d, in.state, in.worker, exact, N_OF(exact), &r);
        CHECK_EV(&r, "f\xC3\xA5* \"kvar\" nu@0");
        classify(in.d, in.state, in.worker, exact_not, N_OF(exact_not), &r);
        CHECK_NO_EV(&r);
        classify(in.d, in.state, in.worker, last, N_OF(last), &r);
        CHECK_EV(&r, "ta*@1");
        one(&in, "tack", 0, &r); /* by id first, then by wildcards */
        CHECK_EV(&r, "tack@0", "ta*@0");
    }
    close_inst(&in);
}

/* An exclusion's marks do not outlive its answer. */
static void test_exclusion_marks(void)
{
    const tok excl[] = {{"x", 0, 0}, {"fram", 0, 0}, {"tiden", 0, 0}};
    const tok plain[] = {{"x", 0, 0}, {"y", 0, 0}, {"tiden", 0, 0}};
    inst in;
    result r;

    if (!open_inst(&in, "[access]\ntid*\n!fram tid*\n"))
        return;
    for (int round = 0; round < 2; round++) {
        classify(in.d, in.state, in.worker, excl, N_OF(excl), &r);
        CHECK_NO_EV(&r);
        classify(in.d, in.state, in.worker, plain, N_OF(plain), &r);
        CHECK_EV(&r, "tid*@2");
    }
    close_inst(&in);
}

/*
** A host that gives the ids' epoch (ABI 1.3): an id names one form until
** the epoch changes, and then another, of the same length or not, in each
** class of length; ids of the same slot are told apart; a token without
** an id (WM_ID_NONE, whose slot 0 is empty) is scanned, on a worker with no
** memo yet and with one.
*/
static void test_epoch(void)
{
    static const char *const pairs[][3] = {
        {"xyz", "xab", "*ab"},
        {"abcdefghi", "v\xC3\xA4ntande", "v\xC3\xA4nt*"},
        {"abcdefghQQQzzzzzzzzz", "abcdefghijkzzzzzzzzz", "abcdefghijk*"},
        {"x", "abcdefghijkzzzzzzzzz", "abcdefghijk*"},
    };
    const uint32_t a = HOST_ID + 7, b = a + SHARED;
    inst in;
    result r;

    host_epoch = 0;
    if (!open_inst(&in, "[access]\nv\xC3\xA4nt*\n*ab\nabcdefghijk*\n")) {
        host_epoch = -1;
        return;
    }
    one(&in, "xab", NO_ID, &r);
    CHECK_EV(&r, "*ab@0");
    for (size_t k = 0; k < N_OF(pairs); k++) {
        uint32_t id = HOST_ID + 1 + (uint32_t)k;

        for (int round = 0; round < 2; round++) {
            one(&in, pairs[k][0], id, &r);
            CHECK_NO_EV(&r);
            one(&in, pairs[k][0], id, &r); /* remembered */
            CHECK_NO_EV(&r);
            host_epoch++;
            one(&in, pairs[k][1], id, &r);
            CHECK_MSG(r.rc == WM_OK && r.n_ev == 1 &&
                      strcmp(r.rule[0], pairs[k][2]) == 0, pairs[k][1]);
            one(&in, pairs[k][1], id, &r); /* remembered */
            CHECK_MSG(r.rc == WM_OK && r.n_ev == 1 &&
                      strcmp(r.rule[0], pairs[k][2]) == 0, pairs[k][1]);
            host_epoch++;
        }
    }
    one(&in, "xab", a, &r);
    CHECK_EV(&r, "*ab@0");
    one(&in, "xyz", b, &r);
    CHECK_NO_EV(&r);
    one(&in, "xab", a, &r);
    CHECK_EV(&r, "*ab@0");
    one(&in, "xyz", SHARED, &r); /* slot 0 */
    CHECK_NO_EV(&r);
    one(&in, "xab", NO_ID, &r);
    CHECK_EV(&r, "*ab@0");
    host_epoch++;
    one(&in, "xab", NO_ID, &r); /* slot 0 emptied */
    CHECK_EV(&r, "*ab@0");
    close_inst(&in);
    host_epoch = -1;
}

int main(void)
{
    if (wm_engine_new(NULL, &engine) != WM_OK ||
        wm_analyzer_new(engine, "sv", &analyzer) != WM_OK) {
        fprintf(stderr, "cannot make an engine and an analyzer\n");
        return 1;
    }
    test_id_reuse();
    test_epoch();
    test_shared_slot();
    test_phrase_summary();
    test_exclusion_marks();
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    for (size_t i = 0; i < n_intern; i++)
        free(intern_str[i]);
    return wm_test_finish();
}
