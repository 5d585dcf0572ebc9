/*
** cli_fixture_plugin.c — a plugin for the command-line tests: what the
** lexicon plugin never does on purpose (fail on an answer) and what only a
** second plugin shows (the combination rules, --options reaching the right
** plugin, evidence naming its plugin).
**
** Its options name one area id of the taxonomy (default: the first area).
** An answer with at least one token scores 0.9 in that area, with the first
** token as evidence (rule "fixture"); with "veto:AREA" it scores nothing and
** vetoes that area instead (plugin ABI 1.2). An answer containing "boom"
** fails with "cli_fixture: boom at byte N". Built as a third-party plugin
** is: the plugin header only, nothing linked.
*/
#include "whatmatters_plugin.h"

#include <stdio.h>
#include <string.h>

/* The instance is only the area and whether it is vetoed; it fits in the
** state pointer (area + 1, so that area 0 is not NULL, plus FX_VETO), so
** nothing is allocated. */
#define FX_VETO ((size_t)1 << 16)

static int fx_create(const wm_host *host, const wm_plugin_config *config,
                     void **state, char *err, size_t err_size)
{
    const char *name = config->options;
    size_t area = 0, veto = 0;

    (void)host;
    if (name != NULL && strncmp(name, "veto:", 5) == 0) {
        veto = FX_VETO;
        name += 5;
    }
    if (name != NULL && name[0] != '\0') {
        for (area = 0; area < config->n_areas; area++) {
            if (strcmp(config->area_ids[area], name) == 0)
                break;
        }
        if (area == config->n_areas) {
            snprintf(err, err_size, "cli_fixture: unknown area '%s'", name);
            return WM_EINVAL;
        }
    }
    *state = (void *)((area + 1) | veto);
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
    size_t area = ((size_t)state & (FX_VETO - 1)) - 1;
    int rc;

    (void)worker;
    if ((size_t)state & FX_VETO) {
        if (area < out->n_areas && WM_HAS_FIELD(out, wm_plugin_output, veto)
            && out->veto)
            out->veto[area] = 1;
    } else if (an->n_tokens > 0 && area < out->n_areas) {
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
