/*
** test_engine.c — versions, result codes, languages, and allocation
** failures injected at the 1st, 2nd, ... allocation of engine creation,
** analyzer creation and analysis, until the whole sequence succeeds: each
** failure must come back as WM_ENOMEM with nothing leaked (AddressSanitizer
** checks leaks in the sanitizer build).
*/
#include "wm_test.h"
#include "whatmatters.h"

#include <stdlib.h>
#include <string.h>

static void test_version(void)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%d.%d.%d", WM_VERSION_MAJOR, WM_VERSION_MINOR,
             WM_VERSION_PATCH);
    CHECK(strcmp(wm_version(), WM_VERSION) == 0);
    CHECK(strcmp(buf, WM_VERSION) == 0);
    CHECK(wm_version_number() == WM_VERSION_NUMBER);
    CHECK(WM_VERSION_NUMBER ==
          WM_VERSION_MAJOR * 10000 + WM_VERSION_MINOR * 100 + WM_VERSION_PATCH);
}

/* Every code has its own message, and unknown numbers have one too. */
static void test_strerror(void)
{
#define WM_X_CHECK(name, value, text) CHECK(strcmp(wm_strerror(name), text) == 0);
    WM_RESULT_LIST(WM_X_CHECK)
#undef WM_X_CHECK
    CHECK(strcmp(wm_strerror(12345), "unknown result code") == 0);
    CHECK(strcmp(wm_strerror(WM_ENOMEM), wm_strerror(WM_EINVAL)) != 0);
}

static void test_languages(void)
{
    const char *const *l = wm_lang_list();
    size_t n = 0;

    while (l[n])
        CHECK_RC(wm_lang_check(l[n++]), WM_OK);
    CHECK(n == 5);
    CHECK(strcmp(l[0], "sv") == 0 && strcmp(l[4], "en") == 0);
}

/* An allocator that fails at the Nth call and counts what is live. */
typedef struct fault {
    long calls;   /* allocations so far */
    long fail_at; /* the one to fail (0: never) */
    long live;    /* blocks not yet freed */
} fault;

static void *fault_realloc(void *ud, void *ptr, size_t size)
{
    fault *f = ud;
    void *p;

    if (++f->calls == f->fail_at)
        return NULL;
    p = realloc(ptr, size);
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

/* Runs the whole sequence with the Nth allocation failing; returns 1 when
** it ran to the end without any failure. */
static int run_sequence(fault *f)
{
    wm_allocator al = {fault_realloc, fault_free, f};
    wm_engine_options opt;
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_analysis *an = NULL;
    const char *text = "Jag vill inte v\xC3\xA4nta p\xC3\xA5 va\xCC\x8Ardcentralen \xF0\x9F\x98\x8A";
    int rc, done = 0;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.allocator = &al;
    rc = wm_engine_new(&opt, &e);
    if (rc != WM_OK) {
        CHECK_MSG(rc == WM_ENOMEM && e == NULL, "engine creation fails cleanly");
        goto out;
    }
    rc = wm_analyzer_new(e, "sv", &a);
    if (rc != WM_OK) {
        CHECK_MSG(rc == WM_ENOMEM && a == NULL, "analyzer creation fails cleanly");
        goto out;
    }
    rc = wm_analyze(a, text, strlen(text), 0, &an);
    if (rc != WM_OK) {
        CHECK_MSG(rc == WM_ENOMEM && an == NULL, "analysis fails cleanly");
        CHECK_MSG(strlen(wm_analyzer_errmsg(a)) > 0, "and says why");
        /* The analyzer stays usable once memory is back. */
        f->fail_at = 0;
        rc = wm_analyze(a, text, strlen(text), 0, &an);
        CHECK_MSG(rc == WM_OK && an && an->n_tokens == 7, "the analyzer recovers");
        goto out;
    }
    CHECK(an->n_tokens == 7);
    done = 1;
out:
    wm_analyzer_free(a);
    wm_engine_free(e);
    CHECK_MSG(f->live == 0, "no block leaked");
    return done;
}

static void test_allocation_failures(void)
{
    long n;

    for (n = 1; n < 100000; n++) {
        fault f = {0, n, 0};
        if (run_sequence(&f))
            break;
    }
    printf("allocation failure injected at each of %ld allocations\n", n - 1);
    CHECK(n > 10 && n < 100000);
}

int main(void)
{
    test_version();
    test_strerror();
    test_languages();
    test_allocation_failures();
    return wm_test_finish();
}
