/*
** combine_plugin.c — a fixture plugin for tests/combine: it writes the
** scores, vetoes and faults of combine_gen.h, and evidence for spans of
** the answer that may start or end inside a token or be empty, so that
** the test can check the engine's combination and evidence flags against
** a plain recomputation. Built three times under other names and seeds
** (CG_NAME, CG_SEED), since an engine takes a plugin name once.
*/
#include "whatmatters_plugin.h"
#include "combine_gen.h"

#include <math.h>
#include <stdio.h>

static int cp_create(const wm_host *host, const wm_plugin_config *config, void **state,
                     char *err, size_t err_size)
{
    static char no_state;

    (void)host, (void)config, (void)err, (void)err_size;
    *state = &no_state;
    return WM_OK;
}

static void cp_destroy(void *state)
{
    (void)state;
}

static int cp_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const wm_analysis *an = in->analysis;
    uint64_t s = cg_state(an->text, an->text_len, CG_SEED), e;
    enum cg_fault fault = cg_fault(&s);

    (void)state, (void)worker;
    for (size_t a = 0; a < out->n_areas; a++) {
        unsigned char v;
        double x = cg_score(&s, &v);
        if (x != 0.0 || signbit(x)) /* 0 is the host's: a word list leaves it */
            out->scores[a] = x;
        if (v)
            out->veto[a] = v;
    }
    /* Evidence from its own stream, so the scores do not depend on it. */
    e = s ^ 0x5555u;
    for (unsigned k = 0; an->text_len > 0 && k < cg_next(&e) % 4; k++) {
        size_t start = (size_t)(cg_next(&e) % (an->text_len + 1));
        size_t end = start + (size_t)(cg_next(&e) % (an->text_len - start + 1));
        if (out->add_evidence(out, (uint32_t)(cg_next(&e) % out->n_areas), start, end,
                              1.0, "combine") != WM_OK)
            return WM_ENOMEM;
    }
    switch (fault) {
    case CG_NAN:
        out->scores[cg_next(&s) % out->n_areas] = NAN;
        break;
    case CG_ABOVE:
        out->scores[cg_next(&s) % out->n_areas] = 1.5;
        break;
    case CG_PAST:
        out->scores[out->n_areas] = 0.25;
        break;
    case CG_ERROR:
        snprintf(out->err, out->err_size, "combine: a fault on purpose");
        return WM_EIO;
    default:
        break;
    }
    return WM_OK;
}

static const wm_plugin cp_plugin = {
    .abi_major = WM_PLUGIN_ABI_MAJOR,
    .abi_minor = WM_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(wm_plugin),
    .name = CG_NAME,
    .version = "0.0.1",
    .description = "test fixture: scores, vetoes and faults from the answer's bytes",
    .create = cp_create,
    .destroy = cp_destroy,
    .classify = cp_classify,
};

WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &cp_plugin;
}
