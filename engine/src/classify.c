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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The value after each plugin's row of scores: a plugin that writes past
** n_areas changes it, and its answer is flagged. Not a score (outside
** [0, 1]), and unlikely to be written by accident. */
#define WM_SCORE_GUARD (-12345.678)

/* The combined score of an area a plugin vetoed that the others would have
** assigned: under 0.5, so not assigned, and still the highest a
** not-assigned area can show (whatmatters.h, wm_engine_set_combine()). */
#define WM_VETO_SCORE 0.49

/* A plugin that runs for the analyzer's language, as classify_init() found
** it: what run_plugin() needs of it without going through the engine's
** slot, and the output it hands the plugin, ready to copy (the plugin gets
** a copy: what it changes in it does not last). */
struct wm_cls_run {
    wm_plugin_output out; /* n_areas, its row, add_evidence, the host,
                             the message buffer, the veto array */
    int (*classify)(void *state, void *worker, const wm_plugin_input *in,
                    wm_plugin_output *out); /* the descriptor's */
    void *state;          /* its instance for the language */
    void *worker;         /* the analyzer's worker of it, or NULL */
    size_t p;             /* its index in the engine */
};

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
    wm__free(al, a->cls_run);
    a->cls_run = NULL;
    a->cls_n = 0;
    a->workers = NULL;
    a->plugin_scores = a->scores = NULL;
    a->labels = a->veto = NULL;
    a->evidence = NULL;
    a->n_evidence = a->cap_evidence = 0;
    a->cls_ready = 0;
}

/* The areas 0 to na - 1 as bits (na is 1 to WM_MAX_AREAS, 64). */
static uint64_t area_bits(size_t na)
{
    return na ? ~(uint64_t)0 >> (64 - na) : 0;
}

static size_t veto_bytes(size_t na);
static int add_evidence(wm_plugin_output *out, uint32_t area, size_t start, size_t end,
                        double weight, const char *rule);

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
    a->veto = wm__calloc(al, veto_bytes(na), sizeof *a->veto);
    a->cls_run = wm__calloc(al, np ? np : 1, sizeof *a->cls_run);
    a->cls_n = 0;
    a->cls_ready = 1; /* from here on wm__classify_free() cleans up */
    if (!a->workers || !a->plugin_scores || !a->scores || !a->labels || !a->veto ||
        !a->cls_run) {
        wm__classify_free(a);
        return wm__error(a->errmsg, WM_ENOMEM, "out of memory for classification");
    }
    /* The rows stay zero from answer to answer (wm_classify() clears what
    ** a plugin wrote once it is used), and so do their guards. */
    for (size_t p = 0; p < (np ? np : 1); p++)
        a->plugin_scores[p * (na + 1) + na] = WM_SCORE_GUARD;
    a->cls_hit = 0;
    a->cls_areas = area_bits(na);
    /* What stays the same in every result. */
    a->result.n_areas = na;
    a->result.scores = a->scores;
    a->result.labels = a->labels;
    a->result.failure = a->failure;
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
    /* The plugins that run for this language, in the engine's order. */
    for (size_t p = 0; p < np; p++) {
        const wm_plugin_slot *s = &e->plugins[p];
        struct wm_cls_run *r = &a->cls_run[a->cls_n];
        if (!s->state[a->lang])
            continue;
        r->out.struct_size = sizeof r->out;
        r->out.n_areas = na;
        r->out.scores = a->plugin_scores + p * (na + 1);
        r->out.add_evidence = add_evidence;
        r->out.host = a;
        r->out.err = a->cls_err;
        r->out.err_size = sizeof a->cls_err;
        r->out.veto = a->veto;
        r->classify = s->desc->classify;
        r->state = s->state[a->lang];
        r->worker = a->workers[p];
        r->p = p;
        a->cls_n++;
    }
    return WM_OK;
}

/* The flags of the tokens inside [start, end), or-ed together (negated,
** a spelling part or variant). The tokens are in order of start and do
** not overlap (a word's spelling tokens share its offsets), so their ends
** are in order too, and a search finds the first that ends after start.
** It starts where the span's place in the text puts it among the tokens
** (they spread about evenly): that token or its neighbour usually
** settles it, else a binary search of the side left, with a select per
** halving (which way a step goes is as good as random). */
static uint32_t span_flags(const wm_analysis *an, size_t start, size_t end)
{
    const wm_token *t = an->tokens, *stop;
    size_t n = an->n_tokens, lo = 0, hi = n, g;
    uint32_t flags = 0;

    if (n == 0)
        return 0; /* (and tokens may be NULL then) */
    stop = t + n;
    /* Through long long: the sizes are far below 2^63, and a signed
    ** conversion is one instruction where an unsigned one is a branch. */
    g = (size_t)(long long)((double)(long long)start / ((double)(long long)an->text_len + 1.0) *
                            (double)(long long)n);
    if (g >= n)
        g = n - 1;
    if (t[g].end <= start) {
        lo = g + 1;
        if (lo < n && t[lo].end > start)
            hi = lo;
    } else {
        hi = g;
        if (g > 0 && t[g - 1].end <= start)
            lo = g;
    }
    /* Those before t end by start; those from t + n on end after it. */
    t += lo;
    n = hi - lo;
    while (n > 1) {
        size_t half = n / 2;
        t = t[half - 1].end <= start ? t + half : t;
        n -= half;
    }
    if (n == 1 && t->end <= start)
        t++;
    for (; t < stop && t->start < end; t++)
        flags |= t->flags;
    return flags;
}

/* add_evidence() refusing a span, out of its way: the first refusal of
** the plugin is remembered, and run_plugin() flags the answer even when
** the plugin ignores the code. */
static __attribute__((noinline)) int refuse_evidence(wm_analyzer *a, const wm_plugin_output *out,
                                                     uint32_t area, size_t start, size_t end)
{
    if (!a->bad_evidence[0])
        snprintf(a->bad_evidence, sizeof a->bad_evidence,
                 "evidence for area %u at bytes [%zu, %zu) does not fit the answer "
                 "(%zu areas, %zu bytes)", (unsigned)area, start, end, out->n_areas,
                 a->analysis.text_len);
    return WM_EINVAL;
}

/* Makes room for one more item of evidence (rarely: the array is kept
** from answer to answer). WM_OK or WM_ENOMEM. */
static __attribute__((noinline)) int grow_evidence(wm_analyzer *a)
{
    return wm__grow(&a->engine->alloc, (void **)&a->evidence, &a->cap_evidence,
                    a->n_evidence + 1, sizeof *a->evidence);
}

/* The host's add_evidence(): checks the span against the answer, so that
** a plugin cannot hand back offsets outside the text it was given. */
static int add_evidence(wm_plugin_output *out, uint32_t area, size_t start, size_t end,
                        double weight, const char *rule)
{
    wm_analyzer *a = out->host;
    wm_evidence *ev;
    uint32_t flags;

    if (area >= out->n_areas || start > end || end > a->analysis.text_len)
        return refuse_evidence(a, out, area, start, end);
    if (a->n_evidence >= a->cap_evidence && grow_evidence(a) != WM_OK)
        return WM_ENOMEM;
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
        wm_evidence x;
        size_t j = i;

        if (cmp_evidence(&ev[i - 1], &ev[i]) <= 0)
            continue; /* in place already, as most are: no copy out and back */
        x = ev[i];
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

/* The areas (bit i: area i) whose score in the row is not 0: what a
** plugin wrote, NaN included (it compares unequal), -0 left out (it is 0
** to every later step: 0 + -0 is 0, and it is neither above a score nor
** >= 0.5). A plugin writes a few of the areas, so the checks and the
** combination go over these and not over all areas. */
static uint64_t score_mask(const double *row, size_t na, uint64_t areas)
{
    uint64_t m = 0;
    size_t i = 0;

#if defined(__SSE2__)
    const __m128d zero = _mm_setzero_pd();
    /* Two compared pairs make one mask of four: the low halves of the
    ** 64-bit results side by side. */
#define WM_NZ2(k) _mm_castpd_ps(_mm_cmpneq_pd(_mm_loadu_pd(row + i + (k)), zero))
#define WM_NZ4(k) \
    ((unsigned)_mm_movemask_ps(_mm_shuffle_ps(WM_NZ2(k), WM_NZ2(k + 2), _MM_SHUFFLE(2, 0, 2, 0))) \
     << (k))

    for (; i + 8 <= na; i += 8)
        m |= (uint64_t)(WM_NZ4(0) | WM_NZ4(4)) << i;
    /* The rest in pairs: an odd count ends with the row's guard, which is
    ** there to read and masked off. */
    for (; i < na; i += 2)
        m |= (uint64_t)_mm_movemask_pd(_mm_castps_pd(WM_NZ2(0))) << i;
#undef WM_NZ4
#undef WM_NZ2
#else
    for (; i < na; i++)
        m |= (uint64_t)(row[i] != 0.0) << i;
#endif
    return m & areas;
}

/* Bytes of the veto array: n_areas rounded up to whole 16-byte blocks, so
** that veto_mask() reads it a block at a time. */
static size_t veto_bytes(size_t na)
{
    return (na + 15) / 16 * 16;
}

/* The areas a plugin vetoed (a byte not 0), read a block at a time since
** most plugins veto nothing, and the array made zero again for the next
** plugin. Bytes past n_areas (the array's padding) are cleared and not
** counted. */
static uint64_t veto_mask(unsigned char *veto, size_t na, uint64_t areas)
{
    uint64_t m = 0;

    for (size_t j = 0; j < na; j += 16) {
#if defined(__SSE2__)
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(veto + j));
        unsigned set = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));

        set &= 0xffffu;
#else
        unsigned set = 0;

        for (size_t k = 0; k < 16; k++)
            set |= (unsigned)(veto[j + k] != 0) << k;
#endif
        if (!set)
            continue;
        m |= (uint64_t)set << j;
        memset(veto + j, 0, 16);
    }
    return m & areas;
}

/* What run_plugin() does with a plugin that failed, out of its way: the
** checks in their order (the message says the first that failed), the
** evidence it added dropped, its row and veto made zero again, and the
** answer flagged. rc is the plugin's code, took its time in ms. */
static __attribute__((noinline)) void plugin_failed(wm_analyzer *a, size_t p, int rc,
                                                    double took, size_t evidence_before,
                                                    double *row, char *err, size_t err_size)
{
    const wm_engine *e = a->engine;
    size_t na = e->taxonomy.n_areas;

    if (e->plugin_time_limit && took > (double)e->plugin_time_limit) {
        snprintf(err, err_size, "took %.0f ms on this answer, over the limit of %u ms",
                 took, e->plugin_time_limit);
        rc = WM_EPLUGIN;
    }
    if (row[na] != WM_SCORE_GUARD) {
        snprintf(err, err_size, "wrote past the end of its %zu scores", na);
        rc = WM_EPLUGIN;
    } else if (rc == WM_OK && a->bad_evidence[0]) {
        snprintf(err, err_size, "%s", a->bad_evidence);
        rc = WM_EPLUGIN;
    }
    for (size_t i = 0; rc == WM_OK && i < na; i++) {
        if (!(row[i] >= 0.0 && row[i] <= 1.0)) { /* also catches NaN */
            snprintf(err, err_size, "score %g for area '%s' is outside [0, 1]",
                     row[i], e->taxonomy.ids[i]);
            rc = WM_EPLUGIN;
        }
    }
    a->n_evidence = evidence_before;
    memset(row, 0, na * sizeof *row);
    row[na] = WM_SCORE_GUARD;
    memset(a->veto, 0, veto_bytes(na));
    if (!(a->result.status & WM_STATUS_PLUGIN_FAILED)) {
        a->result.status |= WM_STATUS_PLUGIN_FAILED;
        a->result.failed_plugin = (int)p;
        wm__error(a->failure, WM_EPLUGIN, "plugin '%s' failed: %s", e->plugins[p].desc->name,
                  err[0] ? err : wm_strerror(rc));
    }
}

/* Runs one plugin; returns 1 when its scores count, 0 when it failed.
** Besides the plugin's own error code, the host checks what the ABI lets
** it check: every score in [0, 1], nothing written past the scores (the
** guard after the row), no evidence refused by add_evidence(), and, with a
** time limit, the time the plugin took. The row and the veto array are
** zero when the plugin starts (as the ABI promises) without being cleared
** here: they are kept so. On success *nz holds the areas it scored (the
** row's entries the caller must use and clear) and *vz those it vetoed
** (already cleared); on failure the row is cleared here. Inlined: the
** call cost more than the work around the plugin's. */
static inline __attribute__((always_inline)) int
run_plugin(wm_analyzer *a, const struct wm_cls_run *r, const wm_analysis *an, uint64_t *nz,
           uint64_t *vz)
{
    const wm_engine *e = a->engine;
    size_t na = e->taxonomy.n_areas, evidence_before = a->n_evidence;
    double *row = r->out.scores;
    char *err = a->cls_err;
    wm_plugin_input in;
    wm_plugin_output out = r->out;
    double started = 0.0, took = 0.0;
    uint64_t m;
    int rc, ok;

    memset(&in, 0, sizeof in);
    in.struct_size = sizeof in;
    in.analysis = an;
    /* Ids are reused only after the analyzer's own cache starts afresh
    ** (bound_cache, the one place that clears its strings), which counts
    ** it: the count is the epoch of the ids (ABI 1.3). */
    in.id_epoch = a->stats.cache_resets;
    /* An empty message, and a last byte the plugin is not to write (made
    ** sure of again after it): not the whole buffer zeroed per answer. */
    err[0] = '\0';
    err[sizeof a->cls_err - 1] = '\0';
    a->cur_plugin = (uint32_t)r->p;
    a->bad_evidence[0] = '\0';

    if (e->plugin_time_limit)
        started = now_ms();
    rc = r->classify(r->state, r->worker, &in, &out);
    err[sizeof a->cls_err - 1] = '\0';
    if (e->plugin_time_limit)
        took = now_ms() - started;
    m = score_mask(row, na, a->cls_areas);
    ok = rc == WM_OK && row[na] == WM_SCORE_GUARD && !a->bad_evidence[0] &&
         !(e->plugin_time_limit && took > (double)e->plugin_time_limit);
    for (uint64_t rest = m; ok && rest; rest &= rest - 1) {
        double x = row[__builtin_ctzll(rest)];
        ok = x >= 0.0 && x <= 1.0; /* NaN is in m, and fails here */
    }
    if (!ok) {
        plugin_failed(a, r->p, rc, took, evidence_before, row, err, sizeof a->cls_err);
        return 0;
    }
    *nz = m;
    *vz = veto_mask(a->veto, na, a->cls_areas);
    return 1;
}

/*
** Classifies an answer. Per answer it costs what the plugins scored, not
** the number of areas: the previous result's scores and labels are zero
** but where that answer had a score (a->cls_hit), so only those are
** cleared; a plugin's row is combined and cleared over the areas it wrote
** (score_mask()); the veto and the labels are settled over the areas with
** a combined score. Adding 0 to a sum, taking the higher of a score and
** 0, and dividing 0 by the count all leave 0, so the result is the one
** the combination over every area gives.
*/
WM_API int wm_classify(wm_analyzer *a, const char *text, size_t text_len, unsigned flags,
                       const wm_classification **out)
{
    const wm_engine *e;
    const wm_analysis *an;
    size_t counted = 0;
    double *scores;
    unsigned char *labels;
    uint64_t hit = 0, vetoed = 0;
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
    a->n_evidence = 0;
    a->result.status = 0;
    a->result.failed_plugin = -1;
    a->failure[0] = '\0';
    /* The arrays and the rule in locals: a store through the byte arrays
    ** may alias anything, so through a->... each pointer (and the rule)
    ** would be loaded again at every area. */
    scores = a->scores;
    labels = a->labels;
    mean = e->combine == WM_COMBINE_MEAN;
    for (uint64_t rest = a->cls_hit; rest; rest &= rest - 1) {
        int i = __builtin_ctzll(rest);
        scores[i] = 0.0;
        labels[i] = 0;
    }

    for (size_t k = 0; k < a->cls_n; k++) {
        const struct wm_cls_run *r = &a->cls_run[k];
        double *row = r->out.scores;
        uint64_t nz, vz;
        if (!run_plugin(a, r, an, &nz, &vz))
            continue;
        counted++;
        hit |= nz;
        vetoed |= vz;
        for (uint64_t rest = nz; rest; rest &= rest - 1) {
            int i = __builtin_ctzll(rest);
            if (mean)
                scores[i] += row[i];
            else if (row[i] > scores[i])
                scores[i] = row[i];
            row[i] = 0.0;
        }
    }
    for (uint64_t rest = hit; rest; rest &= rest - 1) {
        int i = __builtin_ctzll(rest);
        if (mean)
            scores[i] /= (double)counted;
        if (((vetoed >> i) & 1) && scores[i] >= 0.5)
            scores[i] = WM_VETO_SCORE;
        labels[i] = scores[i] >= 0.5;
    }
    a->cls_hit = hit;
    if (a->n_evidence > 1)
        sort_evidence(a->evidence, a->n_evidence);

    a->result.analysis = an;
    a->result.evidence = a->evidence; /* moves when it grows */
    a->result.n_evidence = a->n_evidence;
    *out = &a->result;
    return WM_OK;
}
