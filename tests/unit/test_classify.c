/*
** test_classify.c — the engine's taxonomy and classification setup through
** the public API: the built-in taxonomy, a replacement with another number
** of areas, taxonomy parse errors with file:line:column, the setup order
** (taxonomy before plugins, nothing after the first analyzer), plugin
** names that are refused, and classification with no plugins.
** (Plugins themselves: tests/abi and the lexicon tests.)
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes text to a new temporary file and returns its path (static). */
static const char *temp_file(const char *text)
{
    static char path[64];
    int fd;

    strcpy(path, "/tmp/wm_test_taxonomy_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        return "/nonexistent";
    close(fd);
    return path;
}

static void test_builtin_taxonomy(void)
{
    static const char *const ids[] = {"access", "respect", "whole_person", "coordination",
                                      "continuity", "participation", "family",
                                      "everyday_life", "hope_recovery"};
    wm_engine *e = NULL;

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    CHECK(wm_engine_area_count(e) == 9);
    for (size_t i = 0; i < 9; i++)
        CHECK_MSG(strcmp(wm_engine_area_id(e, i), ids[i]) == 0, ids[i]);
    CHECK(wm_engine_area_id(e, 9) == NULL);
    CHECK(strcmp(wm_engine_area_name(e, 0, "sv"), "Tillg\xC3\xA4nglighet") == 0);
    CHECK(strcmp(wm_engine_area_name(e, 6, "nb"), "P\xC3\xA5r\xC3\xB8rende og nettverk") == 0);
    CHECK(strcmp(wm_engine_area_name(e, 0, "xx"), "Access") == 0); /* English fallback */
    CHECK(wm_engine_plugin_count(e) == 0);
    wm_engine_free(e);
}

static void test_custom_taxonomy(void)
{
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_classification *c = NULL;
    const char *path = temp_file("# two areas\n[food]\nname.en = Food\nname.sv = Mat\n"
                                 "description.en = meals # not a comment here\n\n[sleep]\n");

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    CHECK_RC(wm_engine_load_taxonomy(e, path), WM_OK);
    unlink(path);
    CHECK(wm_engine_area_count(e) == 2);
    CHECK(strcmp(wm_engine_area_name(e, 0, "sv"), "Mat") == 0);
    CHECK(strcmp(wm_engine_area_name(e, 1, "sv"), "sleep") == 0); /* id fallback */
    CHECK_RC(wm_engine_set_combine(e, 7), WM_EINVAL);
    CHECK_RC(wm_engine_set_combine(e, WM_COMBINE_MEAN), WM_OK);
    CHECK_RC(wm_analyzer_new(e, "sv", &a), WM_OK);
    if (a) {
        /* No plugins: a result with every score 0 and no evidence. */
        CHECK_RC(wm_classify(a, "jag vill sova", 13, 0, &c), WM_OK);
        if (c) {
            CHECK(c->n_areas == 2 && c->scores[0] == 0.0 && c->labels[1] == 0);
            CHECK(c->n_evidence == 0 && c->status == 0 && c->failed_plugin == -1);
            CHECK(c->analysis && c->analysis->n_tokens == 3);
        }
    }
    /* Setup is over. */
    CHECK_RC(wm_engine_load_taxonomy(e, "/nonexistent"), WM_EMISUSE);
    CHECK_RC(wm_engine_set_combine(e, WM_COMBINE_MAX), WM_EMISUSE);
    CHECK_RC(wm_engine_add_plugin(e, "lexicon", NULL), WM_EMISUSE);
    wm_analyzer_free(a);
    wm_engine_free(e);
}

/* A broken taxonomy names the place, and leaves the old one in force. */
static void check_taxonomy_error(const char *text, const char *want)
{
    wm_engine *e = NULL;
    const char *path = temp_file(text);

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    CHECK_RC(wm_engine_load_taxonomy(e, path), WM_EPARSE);
    if (!CHECK_MSG(strstr(wm_engine_errmsg(e), want) != NULL, want))
        fprintf(stderr, "  message: %s\n", wm_engine_errmsg(e));
    CHECK(wm_engine_area_count(e) == 9);
    unlink(path);
    wm_engine_free(e);
}

static void test_taxonomy_errors(void)
{
    check_taxonomy_error("name.en = x\n", ":1:1: a line before the first [area]");
    check_taxonomy_error("[ok]\n[Bad Id]\n", ":2:2: an area id holds only");
    check_taxonomy_error("[a]\n[b]\n[a]\n", ":3:2: area 'a' is defined twice");
    check_taxonomy_error("[a]\nname.xx = X\n", ":2:6: unknown language 'xx'");
    check_taxonomy_error("[a]\ncolour.en = red\n", ":2:1: unknown key 'colour.en'");
    check_taxonomy_error("[a]\nname.en =   \n", ":2:10: empty value");
    check_taxonomy_error("[a]\njust words\n", ":2:1: expected key = value");
    check_taxonomy_error("# nothing\n", "no areas defined");
    check_taxonomy_error("[a]\nname.en = \xC3\x28\n", ":2:11: invalid UTF-8");
}

static void test_setup_errors(void)
{
    wm_engine *e = NULL;

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    CHECK_RC(wm_engine_add_plugin(e, "nosuch", NULL), WM_ENOTFOUND);
    CHECK(strstr(wm_engine_errmsg(e), "no built-in plugin 'nosuch'") != NULL);
    CHECK_RC(wm_engine_add_plugin(e, "./nosuch.so", NULL), WM_ENOTFOUND);
    CHECK(strstr(wm_engine_errmsg(e), "./nosuch.so") != NULL);
    CHECK_RC(wm_engine_add_plugin(e, "/etc/hostname", NULL), WM_EPLUGIN); /* not a library */
    CHECK(strstr(wm_engine_errmsg(e), "/etc/hostname: cannot load") != NULL);
    CHECK_RC(wm_engine_set_data_dir(e, "/nonexistent/folder"), WM_EIO);
    CHECK_RC(wm_engine_set_data_dir(e, "/tmp"), WM_OK);
    CHECK_RC(wm_engine_load_taxonomy(e, "/nonexistent/taxonomy.txt"), WM_EIO);
    CHECK(strstr(wm_engine_errmsg(e), "/nonexistent/taxonomy.txt") != NULL);
    CHECK(wm_engine_plugin_count(e) == 0 && wm_engine_plugin_name(e, 0) == NULL);
    wm_engine_free(e);
}

/* The data files the engine used, with where they came from and their
** fingerprints, for reproducibility records. */
static void test_data_info(void)
{
    wm_engine *e = NULL;
    wm_data_info info;
    size_t n, found_areas = 0, found_stop = 0;
    char dir[] = "/tmp/wm_test_data_XXXXXX", path[128];
    FILE *f;

    if (!CHECK(mkdtemp(dir) != NULL))
        return;
    snprintf(path, sizeof path, "%s/sv", dir);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof path, "%s/sv/stopwords.txt", dir);
    f = fopen(path, "w");
    if (f) {
        fputs("och\n", f);
        fclose(f);
    }
    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    n = wm_engine_data_count(e);
    CHECK(n == 16); /* five languages' two word lists and detection
                       profiles, and the taxonomy */
    CHECK_RC(wm_engine_data_info(e, n, &info), WM_EINVAL);
    CHECK_RC(wm_engine_data_info(e, 0, &info), WM_OK);
    CHECK(strcmp(info.source, "built-in") == 0 && strlen(info.fingerprint) == 16 && info.bytes > 0);
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_OK);
    CHECK_RC(wm_engine_add_plugin(e, "lexicon", NULL), WM_OK);
    CHECK(wm_engine_data_count(e) == 21); /* and five lexicons; sv/stopwords.txt replaced */
    for (size_t i = 0; i < wm_engine_data_count(e); i++) {
        CHECK_RC(wm_engine_data_info(e, i, &info), WM_OK);
        if (strstr(info.name, "/areas.txt"))
            found_areas++;
        if (strcmp(info.name, "sv/stopwords.txt") == 0) {
            found_stop++;
            CHECK(strcmp(info.source, path) == 0);
            CHECK(info.bytes == 4);
            CHECK(strcmp(info.fingerprint, "7a47a2b4acd66a15") == 0); /* FNV-1a 64 of "och\n" */
        }
    }
    CHECK(found_areas == 5 && found_stop == 1);
    wm_engine_free(e);
    unlink(path);
    snprintf(path, sizeof path, "%s/sv", dir);
    rmdir(path);
    rmdir(dir);
}

/* Plugins make instances only for the languages asked for. */
static void test_languages(void)
{
    wm_engine *e = NULL;
    wm_analyzer *en = NULL;
    wm_data_info info;
    size_t areas = 0;

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    CHECK_RC(wm_engine_set_languages(e, "sv,xx"), WM_ELANG);
    CHECK(strstr(wm_engine_errmsg(e), "unknown language 'xx'") != NULL);
    CHECK_RC(wm_engine_set_languages(e, ""), WM_ELANG);
    CHECK_RC(wm_engine_set_languages(e, "sv,,en"), WM_ELANG);
    CHECK_RC(wm_engine_set_languages(e, "no"), WM_OK); /* nb */
    CHECK_RC(wm_engine_set_languages(e, "sv"), WM_OK);
    CHECK_RC(wm_engine_add_plugin(e, "lexicon", NULL), WM_OK);
    CHECK_RC(wm_engine_set_languages(e, "en"), WM_EMISUSE); /* after a plugin */
    for (size_t i = 0; i < wm_engine_data_count(e); i++)
        if (wm_engine_data_info(e, i, &info) == WM_OK && strstr(info.name, "areas.txt")) {
            areas++;
            CHECK(strcmp(info.name, "sv/areas.txt") == 0);
        }
    CHECK(areas == 1);
    /* Another language still analyses, but nothing classifies it. */
    CHECK_RC(wm_analyzer_new(e, "en", &en), WM_OK);
    if (en) {
        const wm_classification *c = NULL;
        CHECK_RC(wm_classify(en, "I waited months for an appointment", 34, 0, &c), WM_OK);
        CHECK(c && c->n_evidence == 0 && c->labels[0] == 0);
    }
    wm_analyzer_free(en);
    wm_engine_free(e);
}

int main(void)
{
    test_builtin_taxonomy();
    test_custom_taxonomy();
    test_taxonomy_errors();
    test_setup_errors();
    test_data_info();
    test_languages();
    return wm_test_finish();
}
