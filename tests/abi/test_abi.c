/*
** test_abi.c — the plugin ABI through the public API, with real shared
** objects: every way a plugin can be refused (wrong major, too small a
** descriptor, no entry symbol, a missing function, a failing create(), a
** file that is not a shared object, no such file, a bare name, a name
** already added), each with a message that names the file and the cause;
** a plugin built for a newer minor ABI accepted; the engine still working
** after refusals; a plugin failing on one answer marking that answer only;
** how scores combine; and the example plugin loaded and classifying.
**
** Every engine runs on a counting allocator and must give back every byte
** when it is freed: that covers the instances a failing create() leaves
** for the engine to destroy, the workers, and the example plugin's own
** error paths, also with allocations failing one by one. Rejected plugins must also be unloaded (not in
** /proc/self/maps any more).
**
** Arguments: the fixtures' paths in the order of enum fx below, then the
** example plugin, then a file that is not a shared object.
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include "wm_test.h"
#include "whatmatters.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The command-line arguments, by meaning. */
enum fx {
    FX_GOOD,
    FX_WRONG_MAJOR,
    FX_TOO_SMALL,
    FX_NO_SYMBOL,
    FX_NULL_FN,
    FX_CREATE_FAILS,
    FX_CLASSIFY_FAILS,
    FX_NEWER_MINOR,
    FX_EXAMPLE,
    FX_NOT_ELF,
    FX_COUNT
};
static const char *fx[FX_COUNT]; /* paths, from argv */

/* ------------------------------------------------------------------------
** A counting allocator: every engine must free all it took.
** --------------------------------------------------------------------- */

static long mem_live;    /* blocks allocated and not yet freed */
static long mem_fail_in; /* > 0: the allocation that many calls from now
                            fails (1: the next one); 0: none fails */

static void *count_realloc(void *ud, void *ptr, size_t size)
{
    void *p;

    (void)ud;
    if (mem_fail_in > 0 && --mem_fail_in == 0)
        return NULL;
    p = realloc(ptr, size ? size : 1);
    if (p && !ptr)
        mem_live++;
    return p;
}

static void count_free(void *ud, void *ptr)
{
    (void)ud;
    if (ptr)
        mem_live--;
    free(ptr);
}

static const wm_allocator counting = {count_realloc, count_free, NULL};

/* A new engine on the counting allocator (NULL, and a failed check, when
** it cannot be made). */
static wm_engine *engine_new(void)
{
    wm_engine_options o;
    wm_engine *e = NULL;

    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.allocator = &counting;
    CHECK_RC(wm_engine_new(&o, &e), WM_OK);
    return e;
}

/* Frees an engine and checks that nothing is left allocated. */
static void engine_free(wm_engine *e)
{
    wm_engine_free(e);
    CHECK_MSG(mem_live == 0, "every allocation of the engine and its plugins is freed");
    if (mem_live != 0)
        fprintf(stderr, "  %ld blocks still allocated\n", mem_live);
    mem_live = 0;
}

/* ------------------------------------------------------------------------
** Helpers
** --------------------------------------------------------------------- */

/* 1 when the shared object at path is mapped into this process, 0 when it
** is not, -1 when that cannot be told (no /proc). */
static int is_mapped(const char *path)
{
    char line[4096];
    char *real = realpath(path, NULL);
    FILE *f;
    int found = 0;

    if (!real)
        return -1;
    f = fopen("/proc/self/maps", "r");
    if (!f) {
        free(real);
        return -1;
    }
    while (!found && fgets(line, sizeof line, f)) {
        char *nl = strchr(line, '\n');
        size_t n = strlen(real), len;

        if (nl)
            *nl = '\0';
        len = strlen(line);
        found = len >= n && strcmp(line + len - n, real) == 0 &&
                (len == n || line[len - n - 1] == ' ');
    }
    fclose(f);
    free(real);
    return found;
}

/* Adds a plugin that must be refused with want_rc, and checks that the
** message names `names` (the file, or the name given) and `cause`, and
** that the file was unloaded again (when it was not loaded before). */
static void check_refused(wm_engine *e, const char *plugin, const char *options,
                          int want_rc, const char *names, const char *cause,
                          int line)
{
    int was_mapped = strchr(plugin, '/') ? is_mapped(plugin) : -1;
    int rc = wm_engine_add_plugin(e, plugin, options);
    const char *msg = wm_engine_errmsg(e);
    int ok = rc == want_rc && msg && strstr(msg, names) && strstr(msg, cause);

    if (!ok)
        fprintf(stderr, "%s:%d: adding '%s' (options '%s'): rc %d (%s), message \"%s\";\n"
                "  want rc %d and a message with \"%s\" and \"%s\"\n",
                __FILE__, line, plugin, options ? options : "(null)", rc, wm_strerror(rc),
                msg ? msg : "(null)", want_rc, names, cause);
    wm_test_check(ok, __FILE__, line, "plugin refused with the right code and message");
    /* (A plugin refused as a duplicate stays loaded for its first add.) */
    if (was_mapped == 0 && is_mapped(plugin) == 1)
        wm_test_check(0, __FILE__, line, "a refused plugin is unloaded");
}

#define REFUSED(e, plugin, options, rc, names, cause)                        \
    check_refused((e), (plugin), (options), (rc), (names), (cause), __LINE__)

/* Adds a plugin that must be accepted; prints the message when it is not. */
static int check_added(wm_engine *e, const char *plugin, const char *options,
                       int line)
{
    int rc = wm_engine_add_plugin(e, plugin, options);

    if (rc != WM_OK)
        fprintf(stderr, "%s:%d: adding '%s': rc %d (%s), message \"%s\"\n", __FILE__, line,
                plugin, rc, wm_strerror(rc), wm_engine_errmsg(e));
    return wm_test_check(rc == WM_OK, __FILE__, line, "plugin added");
}

#define ADDED(e, plugin, options) check_added((e), (plugin), (options), __LINE__)

/* Classifies a NUL-terminated answer; NULL (and a failed check) on error. */
static const wm_classification *classify(wm_analyzer *a, const char *text)
{
    const wm_classification *c = NULL;
    int rc;

    if (!a)
        return NULL;
    rc = wm_classify(a, text, strlen(text), 0, &c);
    if (rc != WM_OK)
        fprintf(stderr, "classifying \"%s\": rc %d (%s), %s\n", text, rc, wm_strerror(rc),
                wm_analyzer_errmsg(a));
    CHECK_MSG(rc == WM_OK && c, text);
    return rc == WM_OK ? c : NULL;
}

/* An analyzer for lang (NULL, and a failed check, when it cannot be made). */
static wm_analyzer *analyzer_new(wm_engine *e, const char *lang)
{
    wm_analyzer *a = NULL;

    CHECK_RC(wm_analyzer_new(e, lang, &a), WM_OK);
    return a;
}

/* The taxonomy index of an area id, or the count when there is none. */
static size_t area_index(const wm_engine *e, const char *id)
{
    size_t i, n = wm_engine_area_count(e);

    for (i = 0; i < n; i++)
        if (strcmp(wm_engine_area_id(e, i), id) == 0)
            break;
    return i;
}

/* How many pieces of evidence came from plugin p. */
static size_t evidence_from(const wm_classification *c, uint32_t p)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n_evidence; i++)
        n += c->evidence[i].plugin == p;
    return n;
}

/* Checks one piece of evidence: area, plugin, span and rule. */
static void check_evidence(const wm_evidence *ev, size_t area, uint32_t plugin,
                           size_t start, size_t end, const char *rule, int line)
{
    int ok = ev->area == area && ev->plugin == plugin && ev->start == start &&
             ev->end == end && ev->rule && strcmp(ev->rule, rule) == 0;

    if (!ok)
        fprintf(stderr, "%s:%d: evidence area %u plugin %u [%zu, %zu) rule \"%s\"; "
                "want area %zu plugin %u [%zu, %zu) rule \"%s\"\n", __FILE__, line,
                (unsigned)ev->area, (unsigned)ev->plugin, ev->start, ev->end,
                ev->rule ? ev->rule : "(null)", area, (unsigned)plugin, start, end, rule);
    wm_test_check(ok, __FILE__, line, "evidence");
}

#define CHECK_EVIDENCE(ev, area, plugin, start, end, rule)                   \
    check_evidence((ev), (area), (plugin), (start), (end), (rule), __LINE__)

/* Scores are compared with room for rounding. */
#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* ------------------------------------------------------------------------
** Tests
** --------------------------------------------------------------------- */

/* Every refusal, with its code and message; then the engine still takes a
** good plugin, refuses it a second time, and classifies with it. */
static void test_refusals(void)
{
    wm_engine *e = engine_new();
    wm_analyzer *a;
    const wm_classification *c;
    const char *missing = "/nonexistent-whatmatters-dir/abi_missing.so";

    if (!e)
        return;
    REFUSED(e, fx[FX_WRONG_MAJOR], NULL, WM_EPLUGIN, fx[FX_WRONG_MAJOR], "ABI major");
    REFUSED(e, fx[FX_TOO_SMALL], NULL, WM_EPLUGIN, fx[FX_TOO_SMALL], "too small");
    REFUSED(e, fx[FX_NO_SYMBOL], NULL, WM_EPLUGIN, fx[FX_NO_SYMBOL], "wm_plugin_entry");
    REFUSED(e, fx[FX_NULL_FN], NULL, WM_EPLUGIN, fx[FX_NULL_FN], "classify");
    /* create() said WM_EPARSE (bad data): that code comes through. */
    REFUSED(e, fx[FX_CREATE_FAILS], NULL, WM_EPARSE, fx[FX_CREATE_FAILS], "fixture: bad data");
    REFUSED(e, fx[FX_NOT_ELF], NULL, WM_EPLUGIN, fx[FX_NOT_ELF], "");
    REFUSED(e, missing, NULL, WM_ENOTFOUND, missing, "");
    REFUSED(e, "no_such_plugin", NULL, WM_ENOTFOUND, "no_such_plugin", "");
    CHECK(wm_engine_plugin_count(e) == 0);
    CHECK(wm_engine_plugin_name(e, 0) == NULL);

    /* The engine is unharmed by all that. */
    if (!ADDED(e, fx[FX_GOOD], NULL)) {
        engine_free(e);
        return;
    }
    CHECK(is_mapped(fx[FX_GOOD]) != 0);
    CHECK(wm_engine_plugin_count(e) == 1);
    CHECK(wm_engine_plugin_name(e, 0) && strcmp(wm_engine_plugin_name(e, 0), "abi_good") == 0);
    CHECK(wm_engine_plugin_version(e, 0) &&
          strcmp(wm_engine_plugin_version(e, 0), "0.0.1") == 0);

    /* The same plugin twice: refused by its name. */
    REFUSED(e, fx[FX_GOOD], NULL, WM_EPLUGIN, fx[FX_GOOD], "already");
    CHECK(wm_engine_plugin_count(e) == 1);

    a = analyzer_new(e, "en");
    if ((c = classify(a, "Waiting lists are long")) != NULL) {
        CHECK(c->n_areas == wm_engine_area_count(e));
        CHECK(c->status == 0 && c->failed_plugin == -1);
        CHECK(NEAR(c->scores[0], 0.6) && c->labels[0] == 1);
        for (size_t i = 1; i < c->n_areas; i++)
            CHECK(c->scores[i] == 0 && c->labels[i] == 0);
        CHECK(c->n_evidence == 1);
        if (c->n_evidence == 1)
            CHECK_EVIDENCE(&c->evidence[0], 0, 0, 0, 7, "abi_good");
    }
    /* Setup is over once an analyzer exists. */
    CHECK_RC(wm_engine_add_plugin(e, fx[FX_NEWER_MINOR], NULL), WM_EMISUSE);
    wm_analyzer_free(a);
    engine_free(e);
    CHECK(is_mapped(fx[FX_GOOD]) != 1);
}

/* A name without '/' is a built-in plugin's name, never a file in the
** current folder, even when one is there; "./file" is a path. */
static void test_bare_names(void)
{
    wm_engine *e = engine_new();
    const char *slash = strrchr(fx[FX_GOOD], '/');
    char *cwd = getcwd(NULL, 0);
    char *dir, bare[256], dot[300];

    if (!e || !slash || !cwd) {
        CHECK_MSG(0, "setting up the bare-name test");
        engine_free(e);
        free(cwd);
        return;
    }
    dir = strndup(fx[FX_GOOD], (size_t)(slash - fx[FX_GOOD]) + 1);
    snprintf(dot, sizeof dot, "./%s", slash + 1);        /* ./abi_good.so */
    snprintf(bare, sizeof bare, "%s", slash + 1);        /* abi_good.so */
    if (dir && chdir(dir) == 0) {
        REFUSED(e, bare, NULL, WM_ENOTFOUND, bare, "");
        *strrchr(bare, '.') = '\0';                      /* abi_good */
        REFUSED(e, bare, NULL, WM_ENOTFOUND, bare, "");
        CHECK(wm_engine_plugin_count(e) == 0);
        ADDED(e, dot, NULL);
        CHECK(wm_engine_plugin_count(e) == 1);
        /* Another path to the same plugin is still the same plugin. */
        REFUSED(e, fx[FX_GOOD], NULL, WM_EPLUGIN, fx[FX_GOOD], "already");
        CHECK(wm_engine_plugin_count(e) == 1);
        CHECK_RC(chdir(cwd), 0);
    } else {
        CHECK_MSG(0, "changing to the fixtures' folder");
    }
    free(dir);
    free(cwd);
    engine_free(e);
}

/* A plugin built for a newer minor ABI, with a larger descriptor, is
** accepted; its workers are made, passed, and freed. */
static void test_newer_minor(void)
{
    wm_engine *e = engine_new();
    wm_analyzer *a1, *a2;
    const wm_classification *c;
    const char *text = "I feel hopeful";

    if (!e)
        return;
    if (!ADDED(e, fx[FX_NEWER_MINOR], NULL)) {
        engine_free(e);
        return;
    }
    CHECK(wm_engine_plugin_name(e, 0) &&
          strcmp(wm_engine_plugin_name(e, 0), "abi_newer_minor") == 0);
    a1 = analyzer_new(e, "en");
    a2 = analyzer_new(e, "sv");
    for (int round = 0; round < 2; round++) {
        if ((c = classify(round ? a2 : a1, text)) != NULL) {
            size_t last = c->n_areas - 1;

            CHECK(c->status == 0 && c->failed_plugin == -1); /* it had a worker */
            CHECK(NEAR(c->scores[last], 0.55) && c->labels[last] == 1);
            CHECK(c->n_evidence == 1);
            if (c->n_evidence == 1)
                CHECK_EVIDENCE(&c->evidence[0], last, 0, 0, strlen(text), "abi_newer_minor");
        }
    }
    wm_analyzer_free(a1);
    wm_analyzer_free(a2);
    engine_free(e);
}

/* A plugin that fails on one answer marks that answer, keeps nothing of
** what it wrote before failing, and leaves the other plugins' results and
** the next answers alone. */
static void test_classify_fails(void)
{
    wm_engine *e = engine_new();
    wm_analyzer *a;
    const wm_classification *c;

    if (!e)
        return;
    if (!ADDED(e, fx[FX_GOOD], NULL) || !ADDED(e, fx[FX_CLASSIFY_FAILS], NULL)) {
        engine_free(e);
        return;
    }
    a = analyzer_new(e, "en");

    if ((c = classify(a, "all fine here")) != NULL) {
        CHECK(c->status == 0 && c->failed_plugin == -1);
        CHECK(c->failure && c->failure[0] == '\0');
        CHECK(NEAR(c->scores[0], 0.9)); /* WM_COMBINE_MAX: the higher */
        CHECK(evidence_from(c, 0) == 1 && evidence_from(c, 1) == 1);
    }
    if ((c = classify(a, "it went boom")) != NULL) {
        const char *msg = c->failure;

        CHECK(c->status & WM_STATUS_PLUGIN_FAILED);
        CHECK(c->failed_plugin == 1);
        CHECK(NEAR(c->scores[0], 0.6) && c->labels[0] == 1); /* abi_good's */
        CHECK(evidence_from(c, 0) == 1 && evidence_from(c, 1) == 0);
        CHECK_MSG(msg && strstr(msg, "fixture: boom at byte 8"), "the plugin's message");
        CHECK_MSG(msg && strstr(msg, "abi_classify_fails"), "the message names the plugin");
        if (!msg || !strstr(msg, "fixture: boom at byte 8") || !strstr(msg, "abi_classify_fails"))
            fprintf(stderr, "  message: \"%s\"\n", msg ? msg : "(null)");
    }
    if ((c = classify(a, "fine again")) != NULL) {
        CHECK(c->status == 0 && c->failed_plugin == -1);
        CHECK(c->failure && c->failure[0] == '\0'); /* the last one's is gone */
        CHECK(NEAR(c->scores[0], 0.9));
        CHECK(evidence_from(c, 1) == 1);
    }
    wm_analyzer_free(a);
    engine_free(e);
}

/* WM_COMBINE_MEAN: the plugins' scores averaged (0.6 and 0.9 make 0.75). */
static void test_combine_mean(void)
{
    wm_engine *e = engine_new();
    wm_analyzer *a;
    const wm_classification *c;

    if (!e)
        return;
    CHECK_RC(wm_engine_set_combine(e, WM_COMBINE_MEAN), WM_OK);
    CHECK_RC(wm_engine_set_combine(e, 7), WM_EINVAL);
    if (!ADDED(e, fx[FX_GOOD], NULL) || !ADDED(e, fx[FX_CLASSIFY_FAILS], NULL)) {
        engine_free(e);
        return;
    }
    a = analyzer_new(e, "en");
    if ((c = classify(a, "all fine here")) != NULL) {
        CHECK(NEAR(c->scores[0], 0.75) && c->labels[0] == 1);
        CHECK(c->scores[1] == 0 && c->labels[1] == 0);
        CHECK(c->n_evidence == 2);
    }
    wm_analyzer_free(a);
    engine_free(e);
}

/* The example plugin: loads, matches keywords by stem in two languages,
** and reports evidence at the right byte offsets. */
static void test_example(void)
{
    wm_engine *e = engine_new();
    wm_analyzer *en, *sv;
    const wm_classification *c;
    size_t family, hope;

    if (!e)
        return;
    family = area_index(e, "family");
    hope = area_index(e, "hope_recovery");
    CHECK(family < wm_engine_area_count(e) && hope < wm_engine_area_count(e));
    if (!ADDED(e, fx[FX_EXAMPLE], "family=dog,dogs,cat,hund,katt; hope_recovery = hope, hopp")) {
        engine_free(e);
        return;
    }
    CHECK(wm_engine_plugin_name(e, 0) && strcmp(wm_engine_plugin_name(e, 0), "example") == 0);
    CHECK(wm_engine_plugin_version(e, 0) &&
          strcmp(wm_engine_plugin_version(e, 0), "1.0.0") == 0);
    en = analyzer_new(e, "en");
    sv = analyzer_new(e, "sv");

    /* "dogs" matches "dog" (and "dogs", its duplicate, adds nothing). */
    if ((c = classify(en, "I miss my dogs")) != NULL) {
        CHECK(c->status == 0);
        CHECK(NEAR(c->scores[family], 0.75) && c->labels[family] == 1);
        for (size_t i = 0; i < c->n_areas; i++)
            if (i != family)
                CHECK(c->scores[i] == 0 && c->labels[i] == 0);
        CHECK(c->n_evidence == 1);
        if (c->n_evidence == 1) {
            CHECK_EVIDENCE(&c->evidence[0], family, 0, 10, 14, "dog");
            CHECK(NEAR(c->evidence[0].weight, 0.75));
        }
    }
    /* Case and inflection; two areas; evidence in order of start. */
    if ((c = classify(en, "Hoping my Cats and my dog are fine")) != NULL) {
        CHECK(c->labels[family] == 1 && c->labels[hope] == 1);
        CHECK(c->n_evidence == 3);
        if (c->n_evidence == 3) {
            CHECK_EVIDENCE(&c->evidence[0], hope, 0, 0, 6, "hope");
            CHECK_EVIDENCE(&c->evidence[1], family, 0, 10, 14, "cat");
            CHECK_EVIDENCE(&c->evidence[2], family, 0, 22, 25, "dog");
        }
    }
    if ((c = classify(en, "Nothing to see")) != NULL) {
        CHECK(c->n_evidence == 0);
        CHECK(c->scores[family] == 0 && c->labels[family] == 0);
    }
    /* Swedish: the keywords are stemmed in Swedish for this instance. */
    if ((c = classify(sv, "Jag saknar mina hundar")) != NULL) {
        CHECK(c->labels[family] == 1);
        CHECK(c->n_evidence == 1);
        if (c->n_evidence == 1)
            CHECK_EVIDENCE(&c->evidence[0], family, 0, 16, 22, "hund");
    }
    wm_analyzer_free(en);
    wm_analyzer_free(sv);
    engine_free(e);
}

/* The example plugin's own refusals: its messages come through with the
** file's name, and it leaks nothing on any of them. */
static void test_example_errors(void)
{
    wm_engine *e = engine_new();
    const char *ex = fx[FX_EXAMPLE];

    if (!e)
        return;
    /* Bad options are the user's to fix: WM_EINVAL comes through. */
    REFUSED(e, ex, "famly=dog", WM_EINVAL, ex, "unknown area 'famly'");
    CHECK_MSG(strstr(wm_engine_errmsg(e), "family") != NULL, "the message lists the areas");
    REFUSED(e, ex, NULL, WM_EINVAL, ex, "no keywords");
    REFUSED(e, ex, "family=dog;hope_recovery", WM_EINVAL, ex, "has no '='");
    REFUSED(e, ex, "family=dog;hope_recovery= ,", WM_EINVAL, ex, "has no keywords");
    REFUSED(e, ex, "family=ice-cream", WM_EINVAL, ex, "'ice-cream' is 2 words");
    CHECK(wm_engine_plugin_count(e) == 0);
    ADDED(e, ex, "family=dog;");
    CHECK(wm_engine_plugin_count(e) == 1);
    engine_free(e);
}

/* Allocation failures injected at the 1st, 2nd, ... allocation of adding
** the example plugin (the engine's and the plugin's, which come from the
** same allocator) until it succeeds: each failure is refused cleanly and
** leaks nothing, and the plugin that finally loads works. */
static void test_example_out_of_memory(void)
{
    const char *options = "family=dog,cat,hund;hope_recovery=hope,hopp";
    int done = 0;

    for (long n = 1; n <= 1000 && !done; n++) {
        wm_engine *e = engine_new();
        wm_analyzer *a;
        const wm_classification *c;
        int rc;

        if (!e)
            return;
        mem_fail_in = n;
        rc = wm_engine_add_plugin(e, fx[FX_EXAMPLE], options);
        done = mem_fail_in > 0; /* the failure was never reached */
        mem_fail_in = 0;
        if (done) {
            CHECK_RC(rc, WM_OK);
            a = analyzer_new(e, "en");
            if ((c = classify(a, "I miss my dogs")) != NULL)
                CHECK(c->n_evidence == 1 && c->status == 0);
            wm_analyzer_free(a);
        } else if (rc != WM_ENOMEM && rc != WM_EPLUGIN) {
            fprintf(stderr, "allocation %ld failing: rc %d (%s), %s\n", n, rc, wm_strerror(rc),
                    wm_engine_errmsg(e));
            CHECK_MSG(0, "an allocation failure is WM_ENOMEM or WM_EPLUGIN");
        } else {
            CHECK_MSG(wm_engine_plugin_count(e) == 0, "nothing is added on a failure");
        }
        engine_free(e);
    }
    CHECK_MSG(done, "adding the example succeeds within 1000 allocations");
}

int main(int argc, char **argv)
{
    if (argc != 1 + FX_COUNT) {
        fprintf(stderr, "usage: %s ABI_GOOD ABI_WRONG_MAJOR ABI_TOO_SMALL ABI_NO_SYMBOL "
                "ABI_NULL_FN ABI_CREATE_FAILS ABI_CLASSIFY_FAILS ABI_NEWER_MINOR "
                "EXAMPLE NOT_A_SHARED_OBJECT\n", argv[0]);
        return 2;
    }
    for (int i = 0; i < FX_COUNT; i++)
        fx[i] = argv[1 + i];

    test_refusals();
    test_bare_names();
    test_newer_minor();
    test_classify_fails();
    test_combine_mean();
    test_example();
    test_example_errors();
    test_example_out_of_memory();
    return wm_test_finish();
}
