/*
** cli_fixture_plugin.c — a plugin for the command-line tests: what the
** lexicon plugin never does on purpose (fail on an answer) and what only a
** second plugin shows (the combination rules, --options reaching the right
** plugin, evidence naming its plugin).
**
** Its options name one area id of the taxonomy (default: the first area).
** An answer with at least one token scores 0.9 in that area, with the first
** token as evidence (rule "fixture"). An answer containing "boom" fails
** with "cli_fixture: boom at byte N". Built as a third-party plugin is: the
** plugin header only, nothing linked.
*/
#include "whatmatters_plugin.h"

#include <stdio.h>
#include <string.h>

/* The instance is only the area to score; it fits in the state pointer
** (area + 1, so that area 0 is not NULL), so nothing is allocated. */
static int fx_create(const wm_host *host, const wm_plugin_config *config,
                     void **state, char *err, size_t err_size)
{
    size_t area = 0;

    (void)host;
    if (config->options != NULL && config->options[0] != '\0') {
        for (area = 0; area < config->n_areas; area++) {
            if (strcmp(config->area_ids[area], config->options) == 0)
                break;
        }
        if (area == config->n_areas) {
            snprintf(err, err_size, "cli_fixture: unknown area '%s'",
                     config->options);
            return WM_EINVAL;
        }
    }
    *state = (void *)(area + 1);
    return WM_OK;
}

/* Nothing to free. */
static void fx_destroy(void *state)
{
    (void)state;
}

/* Scores the chosen area, then fails on "boom". */
static int fx_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const wm_analysis *an = in->analysis;
    size_t area = (size_t)state - 1;
    int rc;

    (void)worker;
    if (an->n_tokens > 0 && area < out->n_areas) {
        out->scores[area] = 0.9;
        rc = out->add_evidence(out, (uint32_t)area, an->tokens[0].start,
                               an->tokens[0].end, 0.9, "fixture");
        if (rc != WM_OK)
            return rc;
    }
    for (size_t i = 0; i + 4 <= an->text_len; i++) {
        if (memcmp(an->text + i, "boom", 4) == 0) {
            snprintf(out->err, out->err_size, "cli_fixture: boom at byte %zu",
                     i);
            return WM_EINVAL;
        }
    }
    return WM_OK;
}

static const wm_plugin fx_plugin = {
    .abi_major = WM_PLUGIN_ABI_MAJOR,
    .abi_minor = WM_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(wm_plugin),
    .name = "cli_fixture",
    .version = "0.0.1",
    .description = "CLI test fixture: scores one area, fails on \"boom\"",
    .create = fx_create,
    .destroy = fx_destroy,
    .classify = fx_classify,
};

/* The one exported symbol. */
WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &fx_plugin;
}
