/*
** classify_lines.c — embedding libwhatmatters in a C program.
**
** Reads answers one a line from a file (or stdin) and prints, for each, the
** areas the engine assigns, separated by commas (an empty line for none),
** then the evidence of each area with its byte span. It sets up the engine
** as the whatmatters CLI does by default: every built-in plugin that ships
** its data (lexicon, pattern), for the one language of the run.
**
** Build against an installed library:
**   cc -std=c11 -o classify_lines classify_lines.c \
**      $(pkg-config --cflags --libs whatmatters)
**   ./classify_lines sv answers.txt          # areas only
**   ./classify_lines -v sv answers.txt       # with evidence
**
** Ownership, in short (whatmatters.h says it beside every declaration):
** the engine and the analyzer are ours to free, analyzer first; the
** classification is BORROWED from the analyzer until its next call; the
** evidence spans are byte offsets into our own line buffer.
*/
#define _POSIX_C_SOURCE 200809L /* getline() */

#include <whatmatters.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
** Makes an engine for one language with the CLI's default plugins. Setup
** calls come before the first analyzer (which freezes the engine), and the
** languages before the plugins, so that a plugin only loads the data of
** the language we use. Returns the engine, or NULL after printing why.
*/
static wm_engine *open_engine(const char *lang)
{
    wm_engine *engine = NULL;
    int rc = wm_engine_new(NULL, &engine);

    if (rc != WM_OK) {
        fprintf(stderr, "wm_engine_new: %s\n", wm_strerror(rc));
        return NULL;
    }
    rc = wm_engine_set_languages(engine, lang);
    /* Every built-in plugin, as the command-line tool: one without data
    ** for the language (supervised has a built-in model only for some)
    ** skips itself. */
    for (size_t i = 0; rc == WM_OK && i < wm_builtin_plugin_count(); i++)
        rc = wm_engine_add_plugin(engine, wm_builtin_plugin_name(i), NULL);
    if (rc != WM_OK) {
        /* The engine's message names the file, plugin or language. */
        fprintf(stderr, "setup: %s (%s)\n", wm_engine_errmsg(engine),
                wm_strerror(rc));
        wm_engine_free(engine);
        return NULL;
    }
    return engine;
}

/* Prints the assigned areas of one result, then with verbose its
** evidence, one indented line a span. */
static void print_result(const wm_engine *engine, const wm_classification *c,
                         const char *line, int verbose)
{
    int first = 1;

    for (size_t a = 0; a < c->n_areas; a++) {
        if (!c->labels[a])
            continue;
        printf("%s%s", first ? "" : ",", wm_engine_area_id(engine, a));
        first = 0;
    }
    putchar('\n');
    for (size_t i = 0; verbose && i < c->n_evidence; i++) {
        const wm_evidence *ev = &c->evidence[i];
        printf("\t%s %zu-%zu \"%.*s\" rule '%s' (%s)\n",
               wm_engine_area_id(engine, ev->area), ev->start, ev->end,
               (int)(ev->end - ev->start), line + ev->start, ev->rule,
               wm_engine_plugin_name(engine, ev->plugin));
    }
    if (c->status & WM_STATUS_PLUGIN_FAILED)
        fprintf(stderr, "plugin failed: %s\n", c->failure);
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    const char *lang, *path;
    wm_engine *engine;
    wm_analyzer *analyzer = NULL;
    FILE *in = stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int status = 0;
    int rc;

    argv += verbose;
    argc -= verbose;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: classify_lines [-v] LANG [FILE]\n");
        return 2;
    }
    lang = argv[1];
    path = argc == 3 ? argv[2] : NULL;
    /* A program built with one header may load another library. */
    if (wm_version_number() / 100 != WM_VERSION_NUMBER / 100)
        fprintf(stderr, "warning: built for %s, running with %s\n",
                WM_VERSION, wm_version());
    if (path != NULL && (in = fopen(path, "r")) == NULL) {
        perror(path);
        return 2;
    }
    engine = open_engine(lang);
    if (engine == NULL) {
        status = 1;
        goto done;
    }
    /* One analyzer: this program is one thread. A threaded one would make
    ** one analyzer per thread from the same engine. */
    rc = wm_analyzer_new(engine, lang, &analyzer);
    if (rc != WM_OK) {
        fprintf(stderr, "wm_analyzer_new(%s): %s\n", lang, wm_strerror(rc));
        status = 1;
        goto done;
    }
    while ((len = getline(&line, &cap, in)) != -1) {
        const wm_classification *c;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        rc = wm_classify(analyzer, line, (size_t)len, 0, &c);
        if (rc != WM_OK) { /* only the analysis itself can fail */
            fprintf(stderr, "classify: %s\n", wm_analyzer_errmsg(analyzer));
            putchar('\n');
            status = 1;
            continue;
        }
        print_result(engine, c, line, verbose);
    }
done:
    free(line);
    wm_analyzer_free(analyzer); /* before its engine */
    wm_engine_free(engine);
    if (in != stdin)
        fclose(in);
    return status;
}
