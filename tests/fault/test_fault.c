/*
** test_fault.c — allocation failure injected at the 1st, 2nd, 3rd, ...
** allocation of a whole run: engine creation, the lexicon and pattern
** plugins loading their data (through the host's realloc, which is the
** engine's allocator), analyzer creation and the classification of an
** answer; until the run goes through with no failure.
**
** Every failure must come back as an error code from the call that hit it
** (WM_ENOMEM, or a setup call's message saying so), or, inside a plugin's
** classify(), as a flagged answer (WM_STATUS_PLUGIN_FAILED) from a call
** that otherwise succeeds. Nothing may crash, and every block must be
** freed by the time the engine is (counted here; LeakSanitizer checks the
** rest in the sanitizer build).
**
** Two walks. The first uses small data files of its own (a temporary data
** folder); the second loads the shipped Swedish lexicon and rules. Both
** fail every allocation in turn up to the 2000th (today the built-in run
** makes about 800); beyond that the built-in walk samples every STRIDE-th
** (argument 1, default 997) from a start that moves with the clock, so
** that it stays bounded in time if the data grows.
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* An allocator that fails at the Nth call and counts what is live. */
typedef struct fault {
    long calls;   /* allocations (and resizes) so far */
    long fail_at; /* the one to fail (0: never) */
    long failed;  /* 1 once the failure was injected */
    long live;    /* blocks not yet freed */
} fault;

static void *fault_realloc(void *ud, void *ptr, size_t size)
{
    fault *f = ud;
    void *p;

    if (++f->calls == f->fail_at) {
        f->failed = 1;
        return NULL;
    }
    p = realloc(ptr, size ? size : 1);
    if (p && !ptr)
        f->live++;
    return p;
}

static void fault_free(void *ud, void *ptr)
{
    fault *f = ud;

    if (ptr)
        f->live--;
    free(ptr);
}

/* What a run reached, for the report and the checks. */
typedef struct reach {
    long engine_calls;  /* allocations by the end of engine creation */
    long plugin_calls;  /* ... by the end of add_plugin() of both plugins */
    long analyzer_calls;/* ... by the end of analyzer creation */
    long total_calls;   /* ... by the end of the run */
} reach;

static const char *data_dir; /* the small data folder; NULL: built in */

static const char answer[] =
    "Jag vill inte v\xC3\xA4nta i telefonk\xC3\xB6 till v\xC3\xA5rdcentralen, "
    "och slippa ber\xC3\xA4tta allt igen. Min familj \xC3\xA4r viktig!";

/* Says whether a setup call's failure is the injected one, reported. */
static void check_setup_failure(fault *f, wm_engine *e, int rc, const char *what)
{
    char msg[600];

    snprintf(msg, sizeof msg, "%s fails cleanly at allocation %ld (rc %d: %s)", what,
             f->fail_at, rc, wm_engine_errmsg(e));
    CHECK_MSG(f->failed && rc == WM_ENOMEM, msg);
}

/* Runs the whole sequence with allocation f->fail_at failing; returns 1
** when it ran to the end without meeting the failure. */
static int run(fault *f, reach *r)
{
    wm_allocator al = {fault_realloc, fault_free, f};
    wm_engine_options opt;
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_classification *c = NULL;
    int rc, done = 0;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.allocator = &al;
    rc = wm_engine_new(&opt, &e);
    if (rc != WM_OK) {
        CHECK_MSG(f->failed && rc == WM_ENOMEM && e == NULL, "engine creation fails cleanly");
        goto out;
    }
    r->engine_calls = f->calls;
    rc = wm_engine_set_languages(e, "sv");
    if (rc != WM_OK) {
        check_setup_failure(f, e, rc, "set_languages");
        goto out;
    }
    if (data_dir && (rc = wm_engine_set_data_dir(e, data_dir)) != WM_OK) {
        check_setup_failure(f, e, rc, "set_data_dir");
        goto out;
    }
    if ((rc = wm_engine_add_plugin(e, "lexicon", NULL)) != WM_OK) {
        check_setup_failure(f, e, rc, "add_plugin lexicon");
        CHECK(wm_engine_plugin_count(e) == 0);
        goto out;
    }
    if ((rc = wm_engine_add_plugin(e, "pattern", NULL)) != WM_OK) {
        check_setup_failure(f, e, rc, "add_plugin pattern");
        CHECK(wm_engine_plugin_count(e) == 1);
        goto out;
    }
    r->plugin_calls = f->calls;
    rc = wm_analyzer_new(e, "sv", &a);
    if (rc != WM_OK) {
        CHECK_MSG(f->failed && rc == WM_ENOMEM && a == NULL, "analyzer creation fails cleanly");
        goto out;
    }
    r->analyzer_calls = f->calls;
    rc = wm_classify(a, answer, strlen(answer), 0, &c);
    if (rc != WM_OK) {
        CHECK_MSG(f->failed && (rc == WM_ENOMEM || rc == WM_EPLUGIN) && c == NULL,
                  "classification fails cleanly");
        CHECK_MSG(wm_analyzer_errmsg(a)[0] != '\0', "and says why");
    } else if (c->status & WM_STATUS_PLUGIN_FAILED) {
        /* A plugin's own allocation failed: the answer is flagged. */
        CHECK_MSG(f->failed && c->failed_plugin >= 0 && c->failure[0] != '\0',
                  "a plugin's failure flags the answer");
    } else if (f->failed) {
        /* A failure that the engine absorbed (a cache it can do without)
        ** must still give the full result. */
        CHECK_MSG(c->labels[0] && c->labels[3] && c->labels[6], "an absorbed failure changes nothing");
        done = 0;
    } else {
        /* access, coordination and family, from the lexicon and the rules */
        CHECK(c->labels[0] && c->labels[3] && c->labels[6]);
        CHECK(c->n_evidence >= 3);
        done = 1;
    }
    if (rc != WM_OK || (c && (c->status & WM_STATUS_PLUGIN_FAILED))) {
        /* Memory is back: the same analyzer codes the answer in full. */
        f->fail_at = 0;
        rc = wm_classify(a, answer, strlen(answer), 0, &c);
        CHECK_MSG(rc == WM_OK && c->status == 0 && c->labels[0] && c->labels[6],
                  "the analyzer recovers");
    }
    r->total_calls = f->calls;
out:
    wm_analyzer_free(a);
    wm_engine_free(e);
    if (f->live != 0)
        fprintf(stderr, "  %ld blocks leaked with allocation %ld failing\n", f->live, f->fail_at);
    CHECK_MSG(f->live == 0, "no block leaked");
    return done;
}

/* Writes a small file of the data folder. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "w");
    if (!CHECK_MSG(fp != NULL, path))
        exit(1);
    fputs(text, fp);
    fclose(fp);
}

/* Walks N = 1, 2, ... (every allocation) until a run meets no failure. */
static void walk_all(const char *what)
{
    reach r = {0, 0, 0, 0};
    long n;

    for (n = 1; n < 1000000; n++) {
        fault f = {0, n, 0, 0};
        if (getenv("WM_FAULT_TRACE") != NULL)
            fprintf(stderr, "fail at %ld\n", n);
        if (run(&f, &r))
            break;
    }
    printf("%s: allocation failure injected at each of %ld allocations "
           "(engine %ld, plugins %ld, analyzer %ld, classification %ld)\n",
           what, n - 1, r.engine_calls, r.plugin_calls - r.engine_calls,
           r.analyzer_calls - r.plugin_calls, r.total_calls - r.analyzer_calls);
    /* The walk went through the plugins' own allocations. */
    CHECK_MSG(r.plugin_calls - r.engine_calls > 20, "the plugins allocate through the host");
    CHECK(n > r.analyzer_calls && n < 1000000);
}

/* Samples allocation numbers of a run with the built-in data. */
static void walk_sampled(long stride)
{
    fault probe = {0, 0, 0, 0};
    reach r = {0, 0, 0, 0};
    long n, tried = 0, start;

    CHECK_MSG(run(&probe, &r), "a run without failures goes through");
    start = 2000 + (long)(time(NULL) % stride);
    for (n = 1; n <= r.total_calls; n = n < 2000 ? n + 1 : n == 2000 ? start : n + stride) {
        fault f = {0, n, 0, 0};
        reach ignored;
        run(&f, &ignored);
        tried++;
    }
    printf("built-in data: %ld of %ld allocations failed in turn (the first 2000, then "
           "every %ld-th from %ld)\n", tried, r.total_calls, stride, start);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/wm_fault_XXXXXX";
    char sub[600];
    long stride = argc > 1 ? atol(argv[1]) : 997;

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(sub, sizeof sub, "%s/sv", dir);
    mkdir(sub, 0700);
    write_file(dir, "sv/areas.txt",
               "@threshold 1\n[access]\nv\xC3\xA4ntetid\nv\xC3\xA4nt*\n*k\xC3\xB6\n"
               "kommer inte fram\n[coordination]\nber\xC3\xA4tta ... igen\n"
               "[family]\nfamilj\nmin mamma = 0.5\n!familjeterapi*\n");
    write_file(dir, "sv/patterns.txt",
               "coordination 1 /slippa ber\xC3\xA4tta (?:allt|samma sak)(?: \\S+){0,4} igen/ igen\n"
               "access 1 /telefonk\xC3\xB6\\w*/p\nfamily 0.5 /min familj/n\n");
    data_dir = dir;
    if (getenv("WM_FAULT_AT") != NULL) { /* one run, to debug a failure */
        fault f = {0, atol(getenv("WM_FAULT_AT")), 0, 0};
        reach r = {0, 0, 0, 0};
        if (getenv("WM_FAULT_BUILTIN") != NULL)
            data_dir = NULL;
        run(&f, &r);
        stride = 0;
    } else {
        walk_all("small data");
    }
    data_dir = NULL;
    if (stride > 0)
        walk_sampled(stride);
    snprintf(sub, sizeof sub, "%s/sv/areas.txt", dir);
    remove(sub);
    snprintf(sub, sizeof sub, "%s/sv/patterns.txt", dir);
    remove(sub);
    snprintf(sub, sizeof sub, "%s/sv", dir);
    rmdir(sub);
    rmdir(dir);
    return wm_test_finish();
}
