/*
** test_combine.c — the engine's combination of several plugins' results,
** checked answer by answer against a plain recomputation over every area:
** scores bit for bit (0, never -0), labels, vetoes, failures (the first
** failing plugin, its message, its scores, vetoes and evidence dropped),
** and evidence in order with its negation flag. The engine works per
** answer only on the areas the plugins scored and clears what the last
** answer left; this test runs long sequences of answers on one analyzer
** with taxonomies of 1, 9, 16, 17, 63 and 64 areas (the edges of its masks and
** blocks), both rules, and one or three plugins.
**
** Arguments: the three builds of the fixture plugin (combine_plugin.c).
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"
#include "combine_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_AREAS 64
#define MAX_EVIDENCE 16

static const char *plugin_paths[3];
static const char *const plugin_names[3] = {"cb_a", "cb_b", "cb_c"};
static const unsigned plugin_seeds[3] = {11, 22, 33};

/* One piece of expected evidence. */
typedef struct {
    uint32_t area, plugin;
    size_t start, end;
} want_ev;

/* Writes a taxonomy of n areas to a temporary file; returns its path. */
static const char *taxonomy_file(size_t n, char *path, size_t size)
{
    FILE *f;
    int fd;

    snprintf(path, size, "/tmp/wm_test_combine_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "w");
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "[area%zu]\n", i);
    fclose(f);
    return path;
}

/* The next answer: words with negators, punctuation and an emoji, from
** nothing to about twenty words. */
static size_t make_text(uint64_t *s, char *buf, size_t size)
{
    static const char *const words[] = {"inte", "bra", "v\xC3\xA4ntan", "personalen", "lyssnar",
                                        "aldrig", "k\xC3\xB6", "hj\xC3\xA4lp", "mig", "det",
                                        "var", ",", ".", "!", "\xF0\x9F\x98\x80", "12"};
    size_t n = (size_t)(cg_next(s) % 22), len = 0;

    for (size_t i = 0; i < n; i++) {
        const char *w = words[cg_next(s) % (sizeof words / sizeof words[0])];
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", w);
    }
    return len;
}

/* Orders expected evidence as the engine promises: start, area, plugin,
** end; stable. */
static int ev_before(const want_ev *p, const want_ev *q)
{
    if (p->start != q->start)
        return p->start < q->start;
    if (p->area != q->area)
        return p->area < q->area;
    if (p->plugin != q->plugin)
        return p->plugin < q->plugin;
    return p->end < q->end;
}

/* Checks one answer's result against the recomputation. */
static void check_answer(const wm_classification *c, const char *text, size_t len, size_t na,
                         size_t n_plugins, int mean)
{
    double scores[MAX_AREAS] = {0};
    unsigned char vetoed[MAX_AREAS] = {0};
    want_ev ev[3 * MAX_EVIDENCE];
    size_t n_ev = 0, counted = 0;
    int failed = -1;
    const char *why = NULL;
    char area_msg[96];

    for (size_t p = 0; p < n_plugins; p++) {
        uint64_t s = cg_state(text, len, plugin_seeds[p]), e;
        enum cg_fault fault = cg_fault(&s);
        double row[MAX_AREAS];
        unsigned char veto[MAX_AREAS];
        size_t n_ev_before = n_ev, bad;

        for (size_t a = 0; a < na; a++)
            row[a] = cg_score(&s, &veto[a]);
        e = s ^ 0x5555u;
        for (unsigned k = 0; len > 0 && k < cg_next(&e) % 4; k++) {
            size_t start = (size_t)(cg_next(&e) % (len + 1));
            size_t end = start + (size_t)(cg_next(&e) % (len - start + 1));
            ev[n_ev].area = (uint32_t)(cg_next(&e) % na);
            ev[n_ev].plugin = (uint32_t)p;
            ev[n_ev].start = start;
            ev[n_ev].end = end;
            n_ev++;
        }
        if (fault != CG_OK) {
            if (failed < 0) {
                failed = (int)p;
                bad = (fault == CG_NAN || fault == CG_ABOVE) ? (size_t)(cg_next(&s) % na) : 0;
                snprintf(area_msg, sizeof area_msg, "score %s for area 'area%zu' is outside [0, 1]",
                         fault == CG_NAN ? "nan" : "1.5", bad);
                why = fault == CG_PAST ? "wrote past the end of its" : fault == CG_ERROR
                      ? "combine: a fault on purpose" : area_msg;
                if (na == 9 && (fault == CG_NAN || fault == CG_ABOVE))
                    why = fault == CG_NAN ? "score nan for area" : "score 1.5 for area";
            }
            n_ev = n_ev_before;
            continue;
        }
        counted++;
        for (size_t a = 0; a < na; a++) {
            if (mean)
                scores[a] += row[a];
            else if (row[a] > scores[a])
                scores[a] = row[a];
            vetoed[a] |= veto[a] != 0;
        }
    }
    for (size_t a = 0; mean && counted && a < na; a++)
        scores[a] /= (double)counted;
    for (size_t a = 0; a < na; a++)
        if (vetoed[a] && scores[a] >= 0.5)
            scores[a] = 0.49;

    CHECK(c->n_areas == na);
    if (!CHECK_MSG(memcmp(c->scores, scores, na * sizeof *scores) == 0, "scores bit for bit"))
        for (size_t a = 0; a < na; a++)
            fprintf(stderr, "  area %zu: got %a want %a\n", a, c->scores[a], scores[a]);
    for (size_t a = 0; a < na; a++)
        if (!CHECK_MSG(c->labels[a] == (scores[a] >= 0.5), "label"))
            break;
    CHECK(c->failed_plugin == failed);
    CHECK(c->status == (failed >= 0 ? WM_STATUS_PLUGIN_FAILED : 0u));
    if (failed >= 0 && !CHECK_MSG(strstr(c->failure, why) && strstr(c->failure,
                                                                    plugin_names[failed]),
                                  "failure message"))
        fprintf(stderr, "  got '%s', want '%s'\n", c->failure, why);
    if (failed < 0)
        CHECK(c->failure[0] == '\0');

    for (size_t i = 1; i < n_ev; i++) /* insertion sort: stable */
        for (size_t j = i; j > 0 && ev_before(&ev[j], &ev[j - 1]); j--) {
            want_ev t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    if (!CHECK(c->n_evidence == n_ev))
        return;
    for (size_t i = 0; i < n_ev; i++) {
        const wm_evidence *g = &c->evidence[i];
        uint32_t flags = 0, want_flags;
        for (size_t t = 0; t < c->analysis->n_tokens; t++) {
            const wm_token *tk = &c->analysis->tokens[t];
            if (tk->end > ev[i].start && tk->start < ev[i].end)
                flags |= tk->flags;
        }
        want_flags = ((flags & WM_TOK_NEGATED) ? WM_EVIDENCE_NEGATED : 0) |
                     ((flags & (WM_TOK_VARIANT | WM_TOK_PART)) ? WM_EVIDENCE_SPELLING : 0);
        if (!CHECK_MSG(g->area == ev[i].area && g->plugin == ev[i].plugin &&
                           g->start == ev[i].start && g->end == ev[i].end &&
                           g->flags == want_flags && g->reserved == 0 &&
                           strcmp(g->rule, "combine") == 0,
                       "evidence"))
            fprintf(stderr, "  #%zu: got %u/%u [%zu,%zu) %u, want %u/%u [%zu,%zu) %u\n", i,
                    g->area, g->plugin, g->start, g->end, g->flags, ev[i].area, ev[i].plugin,
                    ev[i].start, ev[i].end, want_flags);
    }
}

/* Runs a sequence of answers through one engine. */
static void run(size_t na, int mean, size_t n_plugins, unsigned answers)
{
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    char path[64], text[512];
    uint64_t s = 0x1234u + na * 7 + (unsigned)mean * 3 + n_plugins;
    size_t negated = 0, with_evidence = 0, failures = 0, vetoes = 0;

    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;
    if (na != 9) {
        if (!CHECK(taxonomy_file(na, path, sizeof path) != NULL)) {
            wm_engine_free(e);
            return;
        }
        CHECK_RC(wm_engine_load_taxonomy(e, path), WM_OK);
        unlink(path);
    }
    CHECK_RC(wm_engine_set_combine(e, mean ? WM_COMBINE_MEAN : WM_COMBINE_MAX), WM_OK);
    for (size_t p = 0; p < n_plugins; p++)
        CHECK_RC(wm_engine_add_plugin(e, plugin_paths[p], NULL), WM_OK);
    CHECK_RC(wm_analyzer_new(e, "sv", &a), WM_OK);
    for (unsigned i = 0; a && i < answers; i++) {
        const wm_classification *c = NULL;
        size_t len = make_text(&s, text, sizeof text);
        if (!CHECK_RC(wm_classify(a, text, len, 0, &c), WM_OK) || !c)
            break;
        check_answer(c, text, len, na, n_plugins, mean);
        for (size_t k = 0; k < c->n_evidence; k++)
            negated += (c->evidence[k].flags & WM_EVIDENCE_NEGATED) != 0;
        for (size_t k = 0; k < na; k++)
            vetoes += c->scores[k] == 0.49;
        with_evidence += c->n_evidence > 0;
        failures += c->failed_plugin >= 0;
        if (wm_test_failures > 20)
            break;
    }
    /* The sequence reached what it is for. */
    CHECK(negated > 0 && with_evidence > 0 && failures > 0 && vetoes > 0);
    wm_analyzer_free(a);
    wm_engine_free(e);
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {1, 9, 16, 17, 63, 64};

    if (argc != 4) {
        fprintf(stderr, "usage: %s PLUGIN_A PLUGIN_B PLUGIN_C\n", argv[0]);
        return 2;
    }
    for (int i = 0; i < 3; i++)
        plugin_paths[i] = argv[i + 1];
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int mean = 0; mean <= 1; mean++) {
            run(sizes[k], mean, 1, 3000);
            run(sizes[k], mean, 3, 3000);
        }
    return wm_test_finish();
}
