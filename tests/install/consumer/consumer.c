/*
** consumer.c — a program outside the project, built against the installed
** library only: checks the version it runs against and stems an answer.
*/
#include <whatmatters.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    wm_engine *engine = NULL;
    wm_analyzer *sv = NULL;
    const wm_analysis *an;
    const char *text = "V\xC3\xA5rdcentralen lyssnade inte";
    int rc;

    if (wm_version_number() != WM_VERSION_NUMBER) {
        fprintf(stderr, "built for %s, running %s\n", WM_VERSION, wm_version());
        return 1;
    }
    rc = wm_engine_new(NULL, &engine);
    if (rc == WM_OK)
        rc = wm_analyzer_new(engine, "sv", &sv);
    if (rc == WM_OK)
        rc = wm_analyze(sv, text, strlen(text), 0, &an);
    if (rc != WM_OK) {
        fprintf(stderr, "consumer: %s\n", wm_strerror(rc));
        return 1;
    }
    for (size_t i = 0; i < an->n_tokens; i++)
        printf("%.*s%s", (int)an->tokens[i].stem_len, an->tokens[i].stem,
               i + 1 < an->n_tokens ? " " : "\n");
    wm_analyzer_free(sv);
    wm_engine_free(engine);
    return 0;
}
