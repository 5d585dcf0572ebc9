/*
** test_pattern_plugin.c — the pattern plugin through the public API, as a
** program uses it: rules written to a data folder (DIR/sv/patterns.txt),
** the built-in plugin "pattern" (or the module wm_pattern.so, whose path is
** the first argument) added to an engine of Swedish, answers classified.
**
** Checked on exact values: compile and parse errors as
** "sv/patterns.txt:LINE:COLUMN: ..." with PCRE2's offset and message; scores
** as S / (S + T); evidence spans as byte offsets into the input, NFD input
** included; a catastrophic pattern flags its answer (the flag, not a time)
** with the JIT and with the interpreter; the prefilter never changes a
** result (every answer classified with it on and off); several threads
** sharing one engine's compiled rules give the single-threaded results.
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Area indices of the built-in taxonomy. */
enum { ACCESS, RESPECT, WHOLE, COORD, CONTIN, PARTIC, FAMILY, EVERYDAY, HOPE };

static char data_dir[] = "/tmp/wm_test_pattern_XXXXXX"; /* the test's folder */
static const char *module_path;                         /* wm_pattern.so */

/* Writes the rules to DIR/sv/patterns.txt. */
static void write_rules(const char *rules)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/sv", data_dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sv/patterns.txt", data_dir);
    f = fopen(path, "wb");
    if (f) {
        fputs(rules, f);
        fclose(f);
    }
}

/*
** Makes a Swedish engine with the pattern plugin (built in, or the module
** when `plugin` is a path) over the given rules and options, and an
** analyzer. Returns wm_engine_add_plugin()'s code; on failure the engine
** is kept (for its message) and *a is NULL.
*/
static int open_engine(const char *rules, const char *plugin,
                       const char *options, wm_engine **e, wm_analyzer **a)
{
    int rc;

    *e = NULL;
    *a = NULL;
    write_rules(rules);
    if (wm_engine_new(NULL, e) != WM_OK)
        return WM_ENOMEM;
    wm_engine_set_data_dir(*e, data_dir);
    wm_engine_set_languages(*e, "sv");
    rc = wm_engine_add_plugin(*e, plugin, options);
    if (rc == WM_OK && wm_analyzer_new(*e, "sv", a) != WM_OK)
        rc = WM_ENOMEM;
    return rc;
}

static void close_engine(wm_engine *e, wm_analyzer *a)
{
    wm_analyzer_free(a);
    wm_engine_free(e);
}

/* Classifies text; NULL (and a failed check) when the call fails. */
static const wm_classification *classify(wm_analyzer *a, const char *text)
{
    const wm_classification *c = NULL;

    if (!CHECK_RC(wm_classify(a, text, strlen(text), 0, &c), WM_OK))
        return NULL;
    return c;
}

/* The message of a rule file that does not load, or "" when it loads. */
static const char *load_error(const char *rules, int want_rc)
{
    static char msg[512];
    wm_engine *e;
    wm_analyzer *a;
    int rc = open_engine(rules, "pattern", NULL, &e, &a);

    CHECK_MSG(rc == want_rc, rules);
    snprintf(msg, sizeof msg, "%s", rc == WM_OK ? "" : wm_engine_errmsg(e));
    close_engine(e, a);
    return msg;
}

/* Checks that msg contains want, printing both when not. */
static void check_contains(const char *msg, const char *want)
{
    if (!CHECK_MSG(strstr(msg, want) != NULL, want))
        fprintf(stderr, "  message: %s\n", msg);
}

/* A compile error names file, line, column, PCRE2's offset in the pattern
** as written (the word-boundary wrapping does not shift it) and PCRE2's
** message; other errors name their column too. */
static void test_errors(void)
{
    check_contains(load_error("# comment\n\naccess 1 /ab(cd/ note\n", WM_EPARSE),
                   "sv/patterns.txt:3:16: bad pattern at offset 5: missing closing "
                   "parenthesis");
    check_contains(load_error("access 1 /a[b/p\n", WM_EPARSE),
                   "sv/patterns.txt:1:14: bad pattern at offset 3: missing terminating ]");
    check_contains(load_error("access 1 /x/\nrespect 1 /a{2,1}/\n", WM_EPARSE),
                   "sv/patterns.txt:2:17: bad pattern at offset 5: numbers out of order");
    check_contains(load_error("acess 1 /a/\n", WM_EPARSE),
                   "sv/patterns.txt:1:1: unknown area 'acess'");
    check_contains(load_error("access 0 /a/\n", WM_EPARSE),
                   "sv/patterns.txt:1:8: bad weight '0'");
    check_contains(load_error("access 1 a\n", WM_EPARSE),
                   "sv/patterns.txt:1:10: expected the pattern in slashes");
    check_contains(load_error("access 1 /ab\\/c\n", WM_EPARSE),
                   "sv/patterns.txt:1:10: unterminated pattern");
    check_contains(load_error("access 1 /ab/q\n", WM_EPARSE),
                   "sv/patterns.txt:1:14: unknown flag 'q'");
    check_contains(load_error("access 1 //\n", WM_EPARSE), "empty pattern");
    check_contains(load_error("access 1 /\xC3\x28/\n", WM_EPARSE),
                   "sv/patterns.txt:1:11: invalid UTF-8");
    check_contains(load_error("access 1 /a/\n@threshold 2\n", WM_EPARSE),
                   "sv/patterns.txt:2:1: the default @threshold comes before");
    check_contains(load_error("@threshold fam 2\n", WM_EPARSE), "unknown area 'fam'");
    check_contains(load_error("@bogus\n", WM_EPARSE), "unknown directive '@bogus'");

    {
        char big[4096];
        memset(big, 'a', sizeof big);
        memcpy(big, "access 1 /", 10);
        memcpy(big + sizeof big - 3, "/\n", 3);
        check_contains(load_error(big, WM_EPARSE),
                       "pattern over 2048 bytes");
    }

    /* Options. */
    {
        wm_engine *e;
        wm_analyzer *a;

        CHECK_RC(open_engine("access 1 /a/\n", "pattern", "prefilter=maybe", &e, &a),
                 WM_EINVAL);
        check_contains(wm_engine_errmsg(e), "bad option 'prefilter=maybe'");
        close_engine(e, a);
        CHECK_RC(open_engine("access 1 /a/\n", "pattern",
                             "prefilter=off,jit=off,match_limit=5,depth_limit=5,heap_limit=64",
                             &e, &a), WM_OK);
        close_engine(e, a);
    }
}

/* Scores are S / (S + T), a rule counting once however often it matches;
** whole words by default, parts of words with 'p'; evidence shows the note
** or the pattern as written. */
static void test_scores_and_words(void)
{
    wm_engine *e;
    wm_analyzer *a;
    const wm_classification *c;

    if (!CHECK_RC(open_engine("@threshold 2\n"
                              "@threshold family 1\n"
                              "access 1 /bo kvar/ stay at home\n"
                              "access 0.5 /hemma/\n"
                              "family 1 /mamma|pappa/\n"
                              "everyday_life 1 /jobb/p\n",
                              "pattern", NULL, &e, &a), WM_OK)) {
        close_engine(e, a);
        return;
    }
    c = classify(a, "Få BO KVAR hemma, bo kvar hemma!");
    if (c) {
        CHECK(c->scores[ACCESS] == 1.5 / 3.5);
        CHECK(c->labels[ACCESS] == 0);
        CHECK(c->n_evidence == 4);
        CHECK(c->evidence[0].start == 4 && c->evidence[0].end == 11);
        CHECK(strcmp(c->evidence[0].rule, "stay at home") == 0);
        CHECK(c->evidence[1].start == 12 && c->evidence[1].end == 17);
        CHECK(strcmp(c->evidence[1].rule, "/hemma/") == 0);
        CHECK(c->evidence[0].plugin == 0 && c->status == 0);
    }
    c = classify(a, "pappa och mammas jobbigt");
    if (c) {
        CHECK(c->scores[FAMILY] == 0.5); /* "mammas" is not a whole word */
        CHECK(c->n_evidence == 2);
        CHECK(c->evidence[0].start == 0 && c->evidence[0].end == 5);
        CHECK(c->evidence[1].area == EVERYDAY && c->evidence[1].start == 17 &&
              c->evidence[1].end == 24); /* "jobb" inside "jobbigt": the
                                          token */
    }
    close_engine(e, a);
}

/* Offsets on NFD input point at the original bytes: a match inside a token
** widens to the token, bytes between tokens map one to one. The text the
** rules see is NFC and case folded, blanks made one space. */
static void test_nfd_offsets(void)
{
    /* "Min LA\u0308GENHET,  o\u0308ppen" : NFD, capitals, two blanks. */
    static const char text[] = "Min LA\xCC\x88GENHET,  o\xCC\x88ppen";
    wm_engine *e;
    wm_analyzer *a;
    const wm_classification *c;

    if (!CHECK_RC(open_engine("everyday_life 1 /lägenhet, öppen/\n"
                              "access 1 /genhet/p\n"
                              "respect 1 /,/p\n"
                              "family 1 /min lä/p\n",
                              "pattern", NULL, &e, &a), WM_OK)) {
        close_engine(e, a);
        return;
    }
    c = classify(a, text);
    if (c && CHECK(c->n_evidence == 4)) {
        /* by start, then area: min lä (0), lägenhet, öppen (4), genhet
        ** (4: inside the token, widened), "," (14, one to one). */
        CHECK(c->evidence[0].area == FAMILY && c->evidence[0].start == 0 &&
              c->evidence[0].end == 14);
        CHECK(c->evidence[1].area == ACCESS && c->evidence[1].start == 4 &&
              c->evidence[1].end == 14);
        CHECK(c->evidence[2].area == EVERYDAY && c->evidence[2].start == 4 &&
              c->evidence[2].end == strlen(text));
        CHECK(c->evidence[3].area == RESPECT && c->evidence[3].start == 14 &&
              c->evidence[3].end == 15);
    }
    close_engine(e, a);
}

/* Flag 'n': a match that holds a negated token does not count; without
** it the match counts and its evidence is marked negated. */
static void test_negation(void)
{
    wm_engine *e;
    wm_analyzer *a;
    const wm_classification *c;

    if (!CHECK_RC(open_engine("access 1 /få hjälp/n\nrespect 1 /bli trodd/\n",
                              "pattern", NULL, &e, &a), WM_OK)) {
        close_engine(e, a);
        return;
    }
    c = classify(a, "Jag fick inte få hjälp och inte bli trodd");
    if (c) {
        CHECK(c->scores[ACCESS] == 0);
        CHECK(c->scores[RESPECT] == 0.5);
        CHECK(c->n_evidence == 1 && (c->evidence[0].flags & WM_EVIDENCE_NEGATED));
    }
    c = classify(a, "att få hjälp");
    CHECK(c && c->scores[ACCESS] == 0.5);
    close_engine(e, a);
}

/* A catastrophic pattern on a long input: the answer is flagged with the
** plugin's name and the limit, the call succeeds, and the next answer is
** classified normally. With the JIT and with the interpreter. */
static void test_redos(void)
{
    static const char *const options[] = {NULL, "jit=off"};
    char *text = malloc(20002);

    if (!CHECK(text != NULL))
        return;
    memset(text, 'a', 20000);
    memcpy(text + 20000, "!", 2);
    for (size_t k = 0; k < 2; k++) {
        wm_engine *e;
        wm_analyzer *a;
        const wm_classification *c;

        if (!CHECK_RC(open_engine("access 1 /(a+)+$/p\nrespect 1 /hej/\n", "pattern",
                                  options[k], &e, &a), WM_OK)) {
            close_engine(e, a);
            continue;
        }
        c = classify(a, text);
        if (c) {
            CHECK(c->status & WM_STATUS_PLUGIN_FAILED);
            CHECK(c->failed_plugin == 0);
            check_contains(c->failure, "plugin 'pattern' failed");
            check_contains(c->failure, "sv/patterns.txt:1:");
            check_contains(c->failure, " limit hit");
            CHECK(c->scores[ACCESS] == 0 && c->n_evidence == 0);
        }
        c = classify(a, "hej aaaa");
        CHECK(c && c->status == 0 && c->scores[ACCESS] == 0.5 && c->scores[RESPECT] == 0.5);
        close_engine(e, a);
    }
    free(text);
}

/* Rules of many constructs, and answers that do and do not hold their
** literals: the prefilter must never change a result. */
static const char prefilter_rules[] =
    "access 1 /(?:få|kunna) bo kvar(?: hemma)?/\n"
    "access 1 /väntat? (?:i )?\\d+ (?:veckor|månader)/\n"
    "access 1 /ÖPPET(?:tider)?/p\n"
    "respect 1 /\\x41bc|x\\x{42}y/p\n"
    "respect 1 /bli (?i)trodd/\n"
    "whole_person 1 /(?:inte|ej) bara (?:en )?diagnos/\n"
    "coordination 1 /slippa (?:berätta|upprepa) (?:allt|samma)(?: \\w+){0,3} igen/\n"
    "continuity 1 /samma (?:läkare|kontakt|person)+/\n"
    "continuity 1 /a[bc]d|(?<x>ef)g?h/p\n"
    "participation 1 /vara med (?=och)och bestämma/\n"
    "participation 1 /(?#comment)få vara delaktig/\n"
    "family 1 /mina? (?:barn|föräldrar)/\n"
    "family 1 /e{2}[[:alpha:]]{1,2}ff/p\n"
    "everyday_life 1 /[]x]yz|q\\.r/p\n"
    "everyday_life 1 /kl\\. \\d/p\n"
    "hope_recovery 1 /(?|(hopp)|(framtid))/\n"
    "hope_recovery 1 /\\bxyzzy?\\b/\n"
    "access 1 /e\\Qa.b\\Ec/p\n"
    "access 1 /\\pL\\d\\d\\dqq/p\n"
    "respect 1 /ab\\0563/p\n"
    "respect 1 /.ä{0}tt/p\n";

static const char *const prefilter_answers[] = {
    "Att få bo kvar hemma.", "kunna bo kvar", "Jag har väntat 12 veckor på hjälp",
    "öppettiderna", "ABC och xBy", "att bli TRODD", "inte bara en diagnos",
    "slippa berätta allt en gång till igen", "samma läkare", "abd efh egh acd",
    "vara med och bestämma", "få vara delaktig", "mina barn, min föräldrar",
    "eeaff eeabff", "]yz q.r", "kl. 8", "hopp och framtid", "xyzzy xyzz",
    "ea.bc", "x123qq", "ab.3", "att", "ingenting här", "",
    "   ", "samma läkareläkare", "BO KVAR", "få  bo\tkvar",
};

static void test_prefilter(void)
{
    wm_engine *on_e, *off_e;
    wm_analyzer *on, *off;

    if (!CHECK_RC(open_engine(prefilter_rules, "pattern", NULL, &on_e, &on), WM_OK) ||
        !CHECK_RC(open_engine(prefilter_rules, "pattern", "prefilter=off", &off_e, &off),
                  WM_OK))
        goto done;
    for (size_t i = 0; i < sizeof prefilter_answers / sizeof *prefilter_answers; i++) {
        const char *text = prefilter_answers[i];
        const wm_classification *c1 = NULL, *c2 = NULL;
        size_t len = strlen(text);
        int same = 1;

        if (!CHECK_RC(wm_classify(on, text, len, 0, &c1), WM_OK) ||
            !CHECK_RC(wm_classify(off, text, len, 0, &c2), WM_OK))
            continue;
        same = c1->n_evidence == c2->n_evidence && c1->status == 0 && c2->status == 0;
        for (size_t k = 0; same && k < c1->n_areas; k++)
            same = c1->scores[k] == c2->scores[k];
        for (size_t k = 0; same && k < c1->n_evidence; k++)
            same = c1->evidence[k].start == c2->evidence[k].start &&
                   c1->evidence[k].end == c2->evidence[k].end &&
                   c1->evidence[k].area == c2->evidence[k].area;
        CHECK_MSG(same, text);
    }
    /* And the rules do match what they are written for. */
    {
        static const struct { const char *text; int area; } hits[] = {
            {"Att få bo kvar hemma.", ACCESS}, {"väntat 12 veckor", ACCESS},
            {"ABC", RESPECT}, {"xBy", RESPECT}, {"samma läkare", CONTIN},
            {"efh", CONTIN}, {"]yz", EVERYDAY}, {"q.r", EVERYDAY},
            {"xyzz", HOPE}, {"ea.bc", ACCESS}, {"x123qq", ACCESS},
            {"ab.3", RESPECT}, {"att", RESPECT}, {"eeaff", FAMILY},
        };
        for (size_t i = 0; i < sizeof hits / sizeof *hits; i++) {
            const wm_classification *c = classify(on, hits[i].text);
            CHECK_MSG(c && c->scores[hits[i].area] == 0.5, hits[i].text);
        }
    }
done:
    close_engine(on_e, on);
    close_engine(off_e, off);
}

/* Several threads, each with its own analyzer, share one engine's
** compiled rules: every thread's results equal the single-threaded ones. */
#define N_THREADS 4
#define ROUNDS 200

typedef struct thread_arg {
    wm_engine *engine;       /* shared */
    const double *want;      /* [n answers * 9] scores of one thread */
    const size_t *want_ev;   /* [n answers] evidence counts */
    int bad;                 /* mismatches seen */
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *t = p;
    wm_analyzer *a = NULL;
    size_t n = sizeof prefilter_answers / sizeof *prefilter_answers;

    if (wm_analyzer_new(t->engine, "sv", &a) != WM_OK) {
        t->bad++;
        return NULL;
    }
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < n; i++) {
            const wm_classification *c = NULL;
            const char *text = prefilter_answers[i];
            if (wm_classify(a, text, strlen(text), 0, &c) != WM_OK) {
                t->bad++;
                continue;
            }
            if (c->n_evidence != t->want_ev[i] ||
                memcmp(c->scores, t->want + i * 9, 9 * sizeof(double)) != 0)
                t->bad++;
        }
    wm_analyzer_free(a);
    return NULL;
}

static void test_threads(void)
{
    size_t n = sizeof prefilter_answers / sizeof *prefilter_answers;
    double want[sizeof prefilter_answers / sizeof *prefilter_answers * 9];
    size_t want_ev[sizeof prefilter_answers / sizeof *prefilter_answers];
    pthread_t th[N_THREADS];
    thread_arg args[N_THREADS];
    wm_engine *e;
    wm_analyzer *a;

    if (!CHECK_RC(open_engine(prefilter_rules, "pattern", NULL, &e, &a), WM_OK)) {
        close_engine(e, a);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const wm_classification *c = classify(a, prefilter_answers[i]);
        if (!c)
            continue;
        memcpy(want + i * 9, c->scores, 9 * sizeof(double));
        want_ev[i] = c->n_evidence;
    }
    for (int t = 0; t < N_THREADS; t++) {
        args[t].engine = e;
        args[t].want = want;
        args[t].want_ev = want_ev;
        args[t].bad = 0;
        CHECK(pthread_create(&th[t], NULL, thread_main, &args[t]) == 0);
    }
    for (int t = 0; t < N_THREADS; t++) {
        pthread_join(th[t], NULL);
        CHECK_MSG(args[t].bad == 0, "a thread's results differ");
    }
    close_engine(e, a);
}

/* The built-in plugins are listed; the module by path behaves as the
** built-in copy; a language without rules gets no instance (it skips). */
static void test_builtins_and_module(void)
{
    wm_engine *e;
    wm_analyzer *a;
    const wm_classification *c;

    CHECK(wm_builtin_plugin_count() >= 2);
    CHECK(strcmp(wm_builtin_plugin_name(0), "lexicon") == 0);
    CHECK(strcmp(wm_builtin_plugin_name(1), "pattern") == 0);
    CHECK(wm_builtin_plugin_name(wm_builtin_plugin_count()) == NULL);

    if (module_path) {
        if (CHECK_RC(open_engine("family 2 /mina barn/\n", module_path, NULL, &e, &a),
                     WM_OK)) {
            c = classify(a, "Mina barn");
            CHECK(c && c->scores[FAMILY] == 2.0 / 3.0 && c->n_evidence == 1);
        }
        close_engine(e, a);
    }

    /* No rule at all: nothing to do for the language. */
    if (CHECK_RC(open_engine("# only a comment\n", "pattern", NULL, &e, &a), WM_OK)) {
        c = classify(a, "Mina barn");
        CHECK(c && c->n_evidence == 0 && c->status == 0);
    }
    close_engine(e, a);
}

int main(int argc, char **argv)
{
    char path[256];

    module_path = argc > 1 ? argv[1] : NULL;
    if (!CHECK(mkdtemp(data_dir) != NULL))
        return wm_test_finish();
    test_errors();
    test_scores_and_words();
    test_nfd_offsets();
    test_negation();
    test_redos();
    test_prefilter();
    test_threads();
    test_builtins_and_module();
    snprintf(path, sizeof path, "%s/sv/patterns.txt", data_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/sv", data_dir);
    rmdir(path);
    rmdir(data_dir);
    return wm_test_finish();
}
