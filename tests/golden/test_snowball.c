/*
** test_snowball.c — Snowball's reference vocabularies through the public
** API: every word of LANG/voc.txt must stem to the same line of
** LANG/output.txt (../shared/testdata/snowball, matching Debian 12's
** libstemmer 2.2.0).
**
** Each vocabulary runs three times: through a fresh analyzer (every word a
** cache miss), again through the same analyzer (every word a hit), and
** through an analyzer whose cache is bounded to 1,000 entries (so it starts
** afresh many times). All three must agree with the reference.
**
** Usage: golden_snowball DIR   (DIR holds swedish/, norwegian/, ...)
*/
#include "wm_test.h"
#include "whatmatters.h"

#include <stdlib.h>
#include <string.h>

/* The reference folders and the languages they check. Snowball has one
** Norwegian stemmer, which serves both nb and nn. */
static const struct {
    const char *dir;  /* folder under the reference data */
    const char *lang; /* our language code */
} cases[] = {
    {"swedish", "sv"}, {"norwegian", "nb"}, {"norwegian", "nn"},
    {"danish", "da"},  {"english", "en"},
};

/* Cuts a buffer into lines in place; returns how many. */
static size_t split_lines(char *buf, size_t len, char ***lines)
{
    size_t n = 0, cap = 1024;
    char **v = malloc(cap * sizeof *v);
    char *p = buf, *end = buf + len;

    while (v && p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        *nl = '\0';
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        if (!v)
            break;
        v[n++] = p;
        p = nl + 1;
    }
    *lines = v;
    return v ? n : 0;
}

/* Stems every word with one analyzer and counts disagreements. */
static size_t run_pass(wm_analyzer *a, char **voc, char **want, size_t n,
                       const char *label)
{
    size_t bad = 0;

    for (size_t i = 0; i < n; i++) {
        const char *stem;
        size_t stem_len;
        int rc = wm_analyzer_stem(a, voc[i], strlen(voc[i]), &stem, &stem_len);
        if (rc != WM_OK || stem_len != strlen(want[i]) ||
            memcmp(stem, want[i], stem_len) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "%s: '%s' -> '%.*s' (rc %d), want '%s'\n", label,
                        voc[i], rc == WM_OK ? (int)stem_len : 0,
                        rc == WM_OK ? stem : "", rc, want[i]);
        }
    }
    return bad;
}

int main(int argc, char **argv)
{
    wm_engine *engine = NULL, *small = NULL;
    wm_engine_options opt;

    if (argc != 2) {
        fprintf(stderr, "usage: %s SNOWBALL_DIR\n", argv[0]);
        return 2;
    }
    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cache_entries = 1000;
    CHECK_RC(wm_engine_new(NULL, &engine), WM_OK);
    CHECK_RC(wm_engine_new(&opt, &small), WM_OK);
    if (!engine || !small)
        return wm_test_finish();

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[4096], label[64];
        size_t voc_len = 0, out_len = 0, n_voc, n_out;
        char *voc_buf, *out_buf, **voc = NULL, **want = NULL;
        wm_analyzer *a = NULL, *b = NULL;

        snprintf(path, sizeof path, "%s/%s/voc.txt", argv[1], cases[c].dir);
        voc_buf = wm_test_read_file(path, &voc_len);
        snprintf(path, sizeof path, "%s/%s/output.txt", argv[1], cases[c].dir);
        out_buf = wm_test_read_file(path, &out_len);
        if (!CHECK_MSG(voc_buf && out_buf, "reference files readable")) {
            free(voc_buf);
            free(out_buf);
            continue;
        }
        n_voc = split_lines(voc_buf, voc_len, &voc);
        n_out = split_lines(out_buf, out_len, &want);
        CHECK_MSG(n_voc == n_out && n_voc > 10000, "voc.txt and output.txt line up");
        if (n_out < n_voc)
            n_voc = n_out;

        CHECK_RC(wm_analyzer_new(engine, cases[c].lang, &a), WM_OK);
        CHECK_RC(wm_analyzer_new(small, cases[c].lang, &b), WM_OK);
        if (a && b) {
            wm_analyzer_stats st;
            snprintf(label, sizeof label, "%s cold", cases[c].lang);
            CHECK_MSG(run_pass(a, voc, want, n_voc, label) == 0, label);
            snprintf(label, sizeof label, "%s warm", cases[c].lang);
            CHECK_MSG(run_pass(a, voc, want, n_voc, label) == 0, label);
            wm_analyzer_get_stats(a, &st);
            CHECK_MSG(st.stems <= n_voc && st.cache_hits >= n_voc,
                      "each distinct word is stemmed once");
            snprintf(label, sizeof label, "%s bounded cache", cases[c].lang);
            CHECK_MSG(run_pass(b, voc, want, n_voc, label) == 0, label);
            wm_analyzer_get_stats(b, &st);
            CHECK_MSG(st.cache_resets > 0 && st.cache_size <= 1000,
                      "the bounded cache starts afresh");
            printf("%s: %zu words checked\n", cases[c].lang, n_voc);
        }
        wm_analyzer_free(a);
        wm_analyzer_free(b);
        free(voc);
        free(want);
        free(voc_buf);
        free(out_buf);
    }
    wm_engine_free(engine);
    wm_engine_free(small);
    return wm_test_finish();
}
