/*
** test_supervised.c — the supervised plugin's model files through the
** public API: a valid model loads and classifies with evidence inside the
** answer; truncations (at each of the first 200 bytes, then every 31st),
** many corrupted bytes, and hand-made hostile
** headers (huge lengths, wrong magic or format, deep nesting) are refused
** with a message naming the file, never a crash (run under ASan in CI).
**
** Usage: test_supervised MODEL SCRATCH_DIR (MODEL from `whatmatters train`
** on tests/supervised/separable.csv, made by the supervised_cli test).
*/
#include "whatmatters.h"
#include "wm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes bytes to path; 0 on success. */
static int write_file(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b, 1, n, f) == n;

    if (f)
        ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

/* The engine that failing attempts share: a refused plugin leaves an engine
** as it was, so only an accepted model needs a fresh one (making an engine
** costs more than reading a small model). */
static wm_engine *shared;

/* Adds the plugin with a model (on a fresh English-only engine when keep is
** not NULL, which then gets it); returns the code, and whether the message
** (on failure) names the file. */
static int try_model(const char *path, int *names_file, wm_engine **keep)
{
    wm_engine *e = NULL;
    char opt[4200];
    int rc;

    snprintf(opt, sizeof opt, "model=%s", path);
    if (!keep && shared)
        e = shared;
    else if (wm_engine_new(NULL, &e) != WM_OK)
        return WM_ENOMEM;
    else
        wm_engine_set_languages(e, "en");
    rc = wm_engine_add_plugin(e, "supervised", opt);
    *names_file = rc == WM_OK || strstr(wm_engine_errmsg(e), path) != NULL;
    if (keep) {
        if (rc == WM_OK)
            *keep = e;
        else
            wm_engine_free(e);
    } else if (rc == WM_OK) {
        wm_engine_free(e); /* it has the plugin now: start afresh */
        shared = NULL;
    } else {
        shared = e;
    }
    return rc;
}

/* A valid model classifies, with evidence inside the answer. */
static void test_valid(const char *model)
{
    static const char text[] = "we waited on the waiting list for weeks";
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_classification *c = NULL;
    int names;

    CHECK_RC(try_model(model, &names, &e), WM_OK);
    if (!e)
        return;
    CHECK_RC(wm_analyzer_new(e, "en", &a), WM_OK);
    CHECK_RC(wm_classify(a, text, sizeof text - 1, 0, &c), WM_OK);
    if (c) {
        CHECK(c->labels[0] == 1); /* access, the first area */
        CHECK(c->n_evidence > 0);
        for (size_t i = 0; i < c->n_evidence; i++) {
            CHECK(c->evidence[i].end <= sizeof text - 1);
            CHECK(c->evidence[i].start < c->evidence[i].end);
            CHECK(strncmp(c->evidence[i].rule, "supervised: ", 12) == 0);
        }
    }
    /* Another language's instance skips: a Swedish analyzer codes nothing. */
    wm_analyzer_free(a);
    wm_engine_free(e);
}

/* Every truncation is refused, naming the file. */
static void test_truncated(const unsigned char *b, size_t n, const char *path)
{
    int all_refused = 1, all_named = 1;

    for (size_t len = 0; len < n; len += len < 200 ? 1 : 31) {
        int names, rc;

        if (write_file(path, b, len) != 0) {
            CHECK_MSG(0, "cannot write the scratch file");
            return;
        }
        rc = try_model(path, &names, NULL);
        all_refused &= rc == WM_EPARSE;
        all_named &= names;
        if (rc != WM_EPARSE)
            fprintf(stderr, "truncated at %zu: rc %d\n", len, rc);
    }
    CHECK_MSG(all_refused, "every truncation is a parse error");
    CHECK_MSG(all_named, "every message names the file");
}

/*
** Where the payload of the model's "weights" bin starts (the key is
** written last, as msgpack str "weights" then a bin header), or n when it
** is not found.
*/
static size_t weights_start(const unsigned char *b, size_t n)
{
    static const unsigned char key[] = "\xA7weights";
    const size_t key_len = sizeof key - 1;

    for (size_t i = n >= key_len ? n - key_len : 0; i-- > 0;) {
        if (memcmp(b + i, key, key_len) != 0)
            continue;
        switch (i + key_len < n ? b[i + key_len] : 0) {
        case 0xC4: return i + key_len + 2;
        case 0xC5: return i + key_len + 3;
        case 0xC6: return i + key_len + 5;
        default: return n;
        }
    }
    return n;
}

/*
** The offset after `at` to corrupt next: every byte of the first 96 (the
** header) and of the last 16 (the end of the file), every 41st elsewhere,
** and every 205th inside the weights' payload past its first 16 bytes:
** there every byte is part of a float32 that is checked alone, and most
** corruptions leave a finite weight, so the model is accepted and the test
** needs a fresh engine, which costs most of the test's time under ASan
** (41 and 205 are both 1 mod 4, so every byte position of a float is hit).
*/
static size_t next_offset(size_t at, size_t n, size_t weights)
{
    if (at < 96 || at + 16 >= n)
        return at + 1;
    if (at >= weights + 16 && at + 205 + 16 < n)
        return at + 205;
    if (at + 41 + 16 >= n)
        return n - 16;
    return at + 41;
}

/* Corrupted bytes: never a crash; a refusal names the file. */
static void test_corrupted(const unsigned char *b, size_t n, const char *path)
{
    unsigned char *copy = malloc(n);
    static const unsigned char values[] = {0xFF, 0xDF, 0x00, 0xC6};
    size_t weights = weights_start(b, n);
    int all_named = 1;

    CHECK_MSG(weights < n, "the model has a \"weights\" bin");
    if (!copy)
        return;
    for (size_t at = 0; at < n; at = next_offset(at, n, weights)) {
        for (size_t v = 0; v < sizeof values; v += at < 96 ? 1 : 2) {
            int names;

            memcpy(copy, b, n);
            copy[at] = values[v];
            if (write_file(path, copy, n) != 0)
                break;
            try_model(path, &names, NULL);
            all_named &= names;
        }
    }
    CHECK_MSG(all_named, "every refused corruption names the file");
    free(copy);
}

/* Hand-made hostile files: each a parse error, none a crash or a huge
** allocation. */
static void test_hostile(const char *path)
{
    static const struct {
        const char *what;
        unsigned char b[24];
        size_t n;
    } cases[] = {
        {"empty", {0}, 0},
        {"not a map", {0x93, 1, 2, 3}, 4},
        {"map32 of 4G entries", {0xDF, 0xFF, 0xFF, 0xFF, 0xFF}, 5},
        {"str32 of 4G bytes as a key", {0x81, 0xDB, 0xFF, 0xFF, 0xFF, 0xFF}, 6},
        {"bin32 of 4G bytes", {0x81, 0xA5, 'i', 'n', 'd', 'e', 'x', 0xC6,
                               0xFF, 0xFF, 0xFF, 0xFF}, 12},
        {"array32 of 4G under an unknown key", {0x81, 0xA1, 'z', 0xDD, 0xFF,
                                                0xFF, 0xFF, 0xFF}, 8},
        {"deep nesting", {0x81, 0xA1, 'z', 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
                          0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
                          0x91, 0x91, 0x91, 0x91, 0x91, 0xC0}, 23},
        {"wrong magic", {0x81, 0xA5, 'm', 'a', 'g', 'i', 'c', 0xA1, 'x'}, 9},
        {"only a format", {0x81, 0xA6, 'f', 'o', 'r', 'm', 'a', 't', 0x02}, 9},
        {"a key twice", {0x82, 0xA4, 'l', 'a', 'n', 'g', 0xA2, 'e', 'n', 0xA4,
                         'l', 'a', 'n', 'g', 0xA2, 'e', 'n'}, 17},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int names, rc;

        if (write_file(path, cases[i].b, cases[i].n) != 0)
            continue;
        rc = try_model(path, &names, NULL);
        CHECK_MSG(rc == WM_EPARSE, cases[i].what);
        CHECK_MSG(names, cases[i].what);
    }
}

/*
** Formats: the model (format 2) with one value changed in place. Format 1
** models have no start features, so a "format 1" file that has them is
** refused, as are a format this build does not know and too many start
** tokens; the message names the file and says what is wrong.
*/
static void test_formats(const unsigned char *b, size_t n, const char *path)
{
    static const struct {
        const char *what;
        const char *key; /* msgpack str header and the key's bytes */
        unsigned char from, to; /* the positive fixint after it */
        const char *says;
    } cases[] = {
        {"format 1 with start features", "\xA6" "format", 2, 1,
         "format 1 with 6 kind weights and start_tokens"},
        {"format 3", "\xA6" "format", 2, 3, "reads formats 1 to 2"},
        {"9 start tokens", "\xAC" "start_tokens", 0, 9,
         "hashing parameters out of range"},
    };
    unsigned char *c = malloc(n ? n : 1);

    if (!c) {
        CHECK_MSG(0, "out of memory");
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t k = strlen(cases[i].key), at = n;
        int names, rc;

        for (size_t j = 0; j + k < n; j++)
            if (memcmp(b + j, cases[i].key, k) == 0) {
                at = j + k;
                break;
            }
        CHECK_MSG(at < n && b[at] == cases[i].from, cases[i].what);
        if (!(at < n && b[at] == cases[i].from))
            continue;
        memcpy(c, b, n);
        c[at] = cases[i].to;
        if (write_file(path, c, n) != 0)
            continue;
        rc = try_model(path, &names, NULL);
        CHECK_MSG(rc == WM_EPARSE, cases[i].what);
        CHECK_MSG(names, cases[i].what);
        CHECK_MSG(shared && strstr(wm_engine_errmsg(shared), cases[i].says),
                  cases[i].what);
    }
    free(c);
}

int main(int argc, char **argv)
{
    unsigned char *model;
    size_t n = 0;
    char path[4096];
    int names;

    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    model = (unsigned char *)wm_test_read_file(argv[1], &n);
    if (!model)
        return 1;
    snprintf(path, sizeof path, "%s/corrupt.model", argv[2]);

    test_valid(argv[1]);
    CHECK_RC(try_model("/nonexistent/x.model", &names, NULL), WM_EIO);
    CHECK(names);
    {
        wm_engine *e = NULL;
        CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
        CHECK_RC(wm_engine_add_plugin(e, "supervised", NULL), WM_OK);
        CHECK_RC(wm_engine_add_plugin(e, "supervised", NULL) != WM_OK, 1);
        wm_engine_free(e);
        CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
        CHECK_RC(wm_engine_add_plugin(e, "supervised", "colour=blue"),
                 WM_EINVAL);
        wm_engine_free(e);
    }
    test_formats(model, n, path);
    test_truncated(model, n, path);
    test_corrupted(model, n, path);
    test_hostile(path);
    remove(path);
    free(model);
    wm_engine_free(shared);
    return wm_test_finish();
}
