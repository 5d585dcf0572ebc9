/*
** classify.c — running the engine's plugins on an analysed answer.
**
** Every plugin instance of the analyzer's language classifies the answer
** with the analyzer's own worker for it (made on the first call), writing
** a score per area and evidence through the host's add_evidence(). The
** scores are combined by the engine's rule (highest or mean) and an area is
** assigned at 0.5, unless a plugin vetoed it (ABI 1.2: its combined score
** is then kept under 0.5). A plugin that fails, or hands back evidence that does
** not fit the answer, does not take the answer down: its results are
** dropped and the answer is marked with its name.
*/
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "wm_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The value after each plugin's row of scores: a plugin that writes past
** n_areas changes it, and its answer is flagged. Not a score (outside
** [0, 1]), and unlikely to be written by accident. */
#define WM_SCORE_GUARD (-12345.678)

/* The combined score of an area a plugin vetoed that the others would have
** assigned: under 0.5, so not assigned, and still the highest a
** not-assigned area can show (whatmatters.h, wm_engine_set_combine()). */
#define WM_VETO_SCORE 0.49

/* Frees the workers and arrays of the analyzer's classification. */
void wm__classify_free(wm_analyzer *a)
{
    const wm_engine *e = a->engine;
    const wm_allocator *al = &a->engine->alloc;

    if (!a->cls_ready)
        return;
    /* workers is NULL when classify_init() could not allocate it. */
    for (size_t p = 0; a->workers && p < e->n_plugins; p++) {
        const wm_plugin_slot *s = &e->plugins[p];
        if (a->workers[p] && s->desc->worker_free)
            s->desc->worker_free(s->state[a->lang], a->workers[p]);
    }
    wm__free(al, a->workers);
    wm__free(al, a->plugin_scores);
    wm__free(al, a->scores);
    wm__free(al, a->labels);
    wm__free(al, a->veto);
    wm__free(al, a->evidence);
    a->workers = NULL;
    a->plugin_scores = a->scores = NULL;
    a->labels = a->veto = NULL;
    a->evidence = NULL;
    a->n_evidence = a->cap_evidence = 0;
    a->cls_ready = 0;
}

/* Allocates the arrays and makes a worker per plugin for this language. */
static int classify_init(wm_analyzer *a)
{
    const wm_engine *e = a->engine;
    const wm_allocator *al = &a->engine->alloc;
    size_t np = e->n_plugins, na = e->taxonomy.n_areas;

    a->workers = wm__calloc(al, np ? np : 1, sizeof *a->workers);
    a->plugin_scores = wm__calloc(al, (np ? np : 1) * (na + 1), sizeof *a->plugin_scores);
    a->scores = wm__calloc(al, na, sizeof *a->scores);
    a->labels = wm__calloc(al, na, sizeof *a->labels);
    a->veto = wm__calloc(al, 2 * (na ? na : 1), sizeof *a->veto);
    a->cls_ready = 1; /* from here on wm__classify_free() cleans up */
    if (!a->workers || !a->plugin_scores || !a->scores || !a->labels || !a->veto) {
        wm__classify_free(a);
        return wm__error(a->errmsg, WM_ENOMEM, "out of memory for classification");
    }
    for (size_t p = 0; p < np; p++) {
        const wm_plugin_slot *s = &e->plugins[p];
        char err[WM_ERRMSG_SIZE / 2] = "";
        int rc;
        if (!s->state[a->lang] || !s->desc->worker_new)
            continue;
        rc = s->desc->worker_new(s->state[a->lang], &a->workers[p], err, sizeof err);
        if (rc != WM_OK) {
            a->workers[p] = NULL;
            wm__classify_free(a);
            return wm__error(a->errmsg, WM_EPLUGIN, "plugin '%s': cannot make a worker: %s",
                             s->desc->name, err[0] ? err : wm_strerror(rc));
        }
    }
    return WM_OK;
}

/* The flags of the tokens inside [start, end), or-ed together (negated,
** a spelling part or variant). The tokens are in order of start (a word's
** spelling tokens share its offsets), so a binary search finds the first
** that could be inside. */
static uint32_t span_flags(const wm_analysis *an, size_t start, size_t end)
{
    uint32_t flags = 0;
    size_t lo = 0, hi = an->n_tokens;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (an->tokens[mid].end <= start)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < an->n_tokens && an->tokens[lo].start < end; lo++)
        flags |= an->tokens[lo].flags;
    return flags;
}

/* The host's add_evidence(): checks the span against the answer, so that
** a plugin cannot hand back offsets outside the text it was given. */
static int add_evidence(wm_plugin_output *out, uint32_t area, size_t start, size_t end,
                        double weight, const char *rule)
{
    wm_analyzer *a = out->host;
    wm_evidence *ev;
    uint32_t flags;

    if (area >= out->n_areas || start > end || end > a->analysis.text_len) {
        /* Refused, and remembered: run_plugin() flags the answer even when
        ** the plugin ignores the code. */
        if (!a->bad_evidence[0])
            snprintf(a->bad_evidence, sizeof a->bad_evidence,
                     "evidence for area %u at bytes [%zu, %zu) does not fit the answer "
                     "(%zu areas, %zu bytes)", (unsigned)area, start, end, out->n_areas,
                     a->analysis.text_len);
        return WM_EINVAL;
    }
    if (a->n_evidence >= a->cap_evidence &&
        wm__grow(&a->engine->alloc, (void **)&a->evidence, &a->cap_evidence,
                 a->n_evidence + 1, sizeof *a->evidence) != WM_OK)
        return WM_ENOMEM; /* the array is kept from answer to answer: no call */
    ev = &a->evidence[a->n_evidence++];
    ev->area = area;
    ev->plugin = a->cur_plugin;
    ev->start = start;
    ev->end = end;
    ev->weight = weight;
    ev->rule = rule ? rule : "";
    flags = span_flags(&a->analysis, start, end);
    ev->flags = ((flags & WM_TOK_NEGATED) ? WM_EVIDENCE_NEGATED : 0) |
                ((flags & (WM_TOK_VARIANT | WM_TOK_PART)) ? WM_EVIDENCE_SPELLING : 0);
    ev->reserved = 0;
    return WM_OK;
}

/* Orders evidence by position, then area, then plugin. */
static int cmp_evidence(const void *x, const void *y)
{
    const wm_evidence *p = x, *q = y;

    if (p->start != q->start)
        return p->start < q->start ? -1 : 1;
    if (p->area != q->area)
        return p->area < q->area ? -1 : 1;
    if (p->plugin != q->plugin)
        return p->plugin < q->plugin ? -1 : 1;
    return p->end < q->end ? -1 : p->end > q->end;
}

/*
** Sorts evidence by cmp_evidence, stably. An answer has a few items, and
** a plugin adds them mostly in order already: insertion sort, without
** qsort's call per comparison (qsort was about 370 instructions an answer
** with evidence). Many items (a long answer) still go to qsort. Items
** that compare equal (two rules of one area on the same span) keep the
** order the plugin gave them, as with glibc's qsort up to 2.36 (a merge
** sort); later ones do not promise any order for them.
*/
static void sort_evidence(wm_evidence *ev, size_t n)
{
    if (n > 32) {
        qsort(ev, n, sizeof *ev, cmp_evidence);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        wm_evidence x = ev[i];
        size_t j = i;

        while (j > 0 && cmp_evidence(&ev[j - 1], &x) > 0) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = x;
    }
}

/* Milliseconds on the monotonic clock. */
static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs one plugin; returns 1 when its scores count, 0 when it failed.
** Besides the plugin's own error code, the host checks what the ABI lets
** it check: every score in [0, 1], nothing written past the scores (the
** guard after the row), no evidence refused by add_evidence(), and, with a
** time limit, the time the plugin took. */
static int run_plugin(wm_analyzer *a, size_t p, const wm_analysis *an, double *row,
                      unsigned char *veto)
{
    const wm_plugin_slot *s = &a->engine->plugins[p];
    size_t na = a->engine->taxonomy.n_areas, evidence_before = a->n_evidence;
    char err[WM_ERRMSG_SIZE / 2];
    wm_plugin_input in;
    wm_plugin_output out;
    double started;
    int rc;

    memset(&in, 0, sizeof in);
    in.struct_size = sizeof in;
    in.analysis = an;
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    out.n_areas = na;
    out.scores = row;
    out.add_evidence = add_evidence;
    out.host = a;
    out.err = err;
    out.err_size = sizeof err;
    out.veto = veto;
    /* An empty message, and a last byte the plugin is not to write (made
    ** sure of again after it): not the whole buffer zeroed per answer. */
    err[0] = '\0';
    err[sizeof err - 1] = '\0';
    memset(row, 0, na * sizeof *row);
    memset(veto, 0, na);
    row[na] = WM_SCORE_GUARD;
    a->cur_plugin = (uint32_t)p;
    a->bad_evidence[0] = '\0';

    started = a->engine->plugin_time_limit ? now_ms() : 0.0;
    rc = s->desc->classify(s->state[a->lang], a->workers[p], &in, &out);
    err[sizeof err - 1] = '\0';
    if (a->engine->plugin_time_limit) {
        double took = now_ms() - started;
        if (took > (double)a->engine->plugin_time_limit) {
            snprintf(err, sizeof err, "took %.0f ms on this answer, over the limit of %u ms",
                     took, a->engine->plugin_time_limit);
            rc = WM_EPLUGIN;
        }
    }
    if (row[na] != WM_SCORE_GUARD) {
        snprintf(err, sizeof err, "wrote past the end of its %zu scores", na);
        rc = WM_EPLUGIN;
    } else if (rc == WM_OK && a->bad_evidence[0]) {
        snprintf(err, sizeof err, "%s", a->bad_evidence);
        rc = WM_EPLUGIN;
    }
    for (size_t i = 0; rc == WM_OK && i < na; i++) {
        if (!(row[i] >= 0.0 && row[i] <= 1.0)) { /* also catches NaN */
            snprintf(err, sizeof err, "score %g for area '%s' is outside [0, 1]",
                     row[i], a->engine->taxonomy.ids[i]);
            rc = WM_EPLUGIN;
        }
    }
    if (rc == WM_OK)
        return 1;
    a->n_evidence = evidence_before;
    memset(row, 0, na * sizeof *row);
    if (!(a->result.status & WM_STATUS_PLUGIN_FAILED)) {
        a->result.status |= WM_STATUS_PLUGIN_FAILED;
        a->result.failed_plugin = (int)p;
        wm__error(a->failure, WM_EPLUGIN, "plugin '%s' failed: %s", s->desc->name,
                  err[0] ? err : wm_strerror(rc));
    }
    return 0;
}

WM_API int wm_classify(wm_analyzer *a, const char *text, size_t text_len, unsigned flags,
                       const wm_classification **out)
{
    const wm_engine *e;
    const wm_analysis *an;
    size_t na, counted = 0;
    double *scores;
    unsigned char *vetoed, *labels;
    int rc, mean;

    if (out)
        *out = NULL;
    if (!a || !out)
        return WM_EINVAL;
    rc = wm_analyze(a, text, text_len, flags, &an);
    if (rc != WM_OK)
        return rc;
    if (!a->cls_ready && (rc = classify_init(a)) != WM_OK)
        return rc;
    e = a->engine;
    na = e->taxonomy.n_areas;
    a->n_evidence = 0;
    a->result.status = 0;
    a->result.failed_plugin = -1;
    a->result.failure = a->failure;
    a->failure[0] = '\0';
    /* The arrays and the rule in locals: a store through the byte arrays
    ** may alias anything, so through a->... each pointer (and the rule)
    ** would be loaded again at every area. */
    scores = a->scores;
    vetoed = a->veto;
    labels = a->labels;
    mean = e->combine == WM_COMBINE_MEAN;
    memset(scores, 0, na * sizeof *scores);
    memset(vetoed, 0, na);

    /* vetoed: the areas vetoed so far; the plugin's own go after them. */
    for (size_t p = 0; p < e->n_plugins; p++) {
        double *row = a->plugin_scores + p * (na + 1);
        unsigned char *veto = vetoed + na;
        if (!e->plugins[p].state[a->lang] || !run_plugin(a, p, an, row, veto))
            continue;
        counted++;
        if (mean) {
            for (size_t i = 0; i < na; i++)
                scores[i] += row[i];
        } else {
            for (size_t i = 0; i < na; i++)
                if (row[i] > scores[i])
                    scores[i] = row[i];
        }
        for (size_t i = 0; i < na; i++)
            vetoed[i] |= veto[i] != 0;
    }
    if (mean && counted) {
        for (size_t i = 0; i < na; i++)
            scores[i] /= (double)counted;
    }
    for (size_t i = 0; i < na; i++) {
        if (vetoed[i] && scores[i] >= 0.5)
            scores[i] = WM_VETO_SCORE;
        labels[i] = scores[i] >= 0.5;
    }
    if (a->n_evidence > 1)
        sort_evidence(a->evidence, a->n_evidence);

    a->result.analysis = an;
    a->result.n_areas = na;
    a->result.scores = a->scores;
    a->result.labels = a->labels;
    a->result.evidence = a->evidence;
    a->result.n_evidence = a->n_evidence;
    *out = &a->result;
    return WM_OK;
}
