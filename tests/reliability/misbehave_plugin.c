/*
** misbehave_plugin.c — a plugin that breaks the rules on purpose, for
** tests/reliability/plugins.sh: the host must flag the answer with the
** plugin's name, drop its results, keep the other plugins' and go on.
**
** Every answer gets 0.9 in the first area with its first token as
** evidence. An answer that contains "trigger" gets the misbehaviour its
** options name:
**   fail      classify() returns WM_EIO with a message
**   oob       writes a score past the end of its scores (scores[n_areas])
**   evidence  adds evidence past the end of the answer, ignores the refusal
**             and returns WM_OK
**   nan       leaves NaN as a score
**   slow      sleeps 300 ms (beyond --plugin-time-limit 100)
** Without options it fails on every answer, so that a test notices at once
** if it is ever loaded where it was not named. Built as a third party
** builds a plugin: the plugin header only, nothing linked.
*/
#define _POSIX_C_SOURCE 200809L
#include "whatmatters_plugin.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { MB_FAIL, MB_OOB, MB_EVIDENCE, MB_NAN, MB_SLOW, MB_ALWAYS };

static const char *const mode_names[] = {"fail", "oob", "evidence", "nan", "slow"};

/* The instance is the mode, + 1, in the state pointer. */
static int mb_create(const wm_host *host, const wm_plugin_config *config, void **state,
                     char *err, size_t err_size)
{
    size_t mode = MB_ALWAYS;

    (void)host;
    if (config->options != NULL) {
        for (mode = 0; mode < MB_ALWAYS; mode++)
            if (strcmp(config->options, mode_names[mode]) == 0)
                break;
        if (mode == MB_ALWAYS) {
            snprintf(err, err_size, "misbehave: unknown mode '%s'", config->options);
            return WM_EINVAL;
        }
    }
    *state = (void *)(mode + 1);
    return WM_OK;
}

static void mb_destroy(void *state)
{
    (void)state;
}

static int mb_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const wm_analysis *an = in->analysis;
    size_t mode = (size_t)state - 1;
    int triggered = mode == MB_ALWAYS;

    (void)worker;
    if (an->n_tokens > 0) {
        out->scores[0] = 0.9;
        if (out->add_evidence(out, 0, an->tokens[0].start, an->tokens[0].end, 0.9,
                              "misbehave") != WM_OK)
            return WM_ENOMEM;
    }
    for (size_t i = 0; i + 7 <= an->text_len && !triggered; i++)
        triggered = memcmp(an->text + i, "trigger", 7) == 0;
    if (!triggered)
        return WM_OK;
    switch (mode) {
    case MB_OOB:
        out->scores[out->n_areas] = 0.7; /* one past the end */
        return WM_OK;
    case MB_EVIDENCE:
        (void)out->add_evidence(out, 0, 0, an->text_len + 10, 1.0, "misbehave");
        return WM_OK;
    case MB_NAN:
        out->scores[1] = NAN;
        return WM_OK;
    case MB_SLOW: {
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
        return WM_OK;
    }
    default:
        snprintf(out->err, out->err_size, "misbehave: cannot go on with this answer");
        return WM_EIO;
    }
}

static const wm_plugin mb_plugin = {
    .abi_major = WM_PLUGIN_ABI_MAJOR,
    .abi_minor = WM_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(wm_plugin),
    .name = "misbehave",
    .version = "0.0.1",
    .description = "test fixture: fails, writes out of bounds or is slow on purpose",
    .create = mb_create,
    .destroy = mb_destroy,
    .classify = mb_classify,
};

WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &mb_plugin;
}
