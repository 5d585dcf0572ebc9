/*
** train.c — training the supervised plugin's models (train.h).
**
** The answers are analysed and turned into features once; the hashed
** buckets that occur are numbered densely (sorted, so the numbering does
** not depend on the order of the answers), and every model of a run (one
** per fold, and the final one) is trained on those dense columns: memory
** is columns x labels, not the whole hash space. A row of weights holds
** every label of one column, so one pass over an answer's features serves
** all labels. The fits of a run are independent of each other, so they run
** on several threads (tr_fit_all()).
*/
#define _POSIX_C_SOURCE 200809L /* rename(), getpid(), sysconf() */
#include "train.h"

#include <errno.h>
#include <math.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A label whose gradient on an answer is below this is not updated for
** it: the answer is already learned for the label, and skipping it makes
** training several times faster (most labels of most answers are). */
#define TR_MIN_GRADIENT 1e-3

/* The grid of tr_offsets(): offsets -TR_OFFSET_MAX..TR_OFFSET_MAX in
** 2 * TR_OFFSET_STEPS steps, TR_OFFSET_ROUNDS passes over the labels. */
#define TR_OFFSET_MAX    2.0
#define TR_OFFSET_STEPS  20
#define TR_OFFSET_ROUNDS 2

/* The answers as features: answer i has entries start[i]..start[i + 1] of
** col and value. */
typedef struct tr_data {
    size_t n;          /* answers */
    size_t *start;     /* [n + 1] */
    uint32_t *col;     /* dense column of each entry */
    float *value;      /* its value */
    size_t n_entries;  /* entries */
    uint32_t *buckets; /* [n_cols] the bucket of each column, ascending */
    uint32_t n_cols;   /* columns */
} tr_data;

/* The weights being learned, with AdaGrad's sums of squared gradients. */
typedef struct tr_state {
    float *w;          /* [n_cols * n_labels] */
    float *g2;         /* [n_cols * n_labels] */
    double b[SV_MAX_LABELS];  /* biases */
    double gb[SV_MAX_LABELS]; /* their squared gradient sums */
} tr_state;

/* The defaults (bench/README.md has the measurements behind them). The L2
** penalty was chosen by 5-fold cross-validation on pxtextmining's train
** file (1e-6 .. 3e-2): 2e-3 to 5e-3 is a plateau, 3e-3 its middle. */
void cli_train_defaults(cli_train_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->epochs = 10;
    o->rate = 0.1;
    o->l2 = 3e-3;
    o->folds = 3;
    sv_params_default(&o->params);
}

/* splitmix64: a small, good, seedable generator. */
static uint64_t tr_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Shuffles n indices (Fisher-Yates, with a bound that has no modulo
** bias worth the name at these sizes). */
static void tr_shuffle(size_t *v, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(tr_next(rng) % i);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* Seeded folds (train.h). */
void cli_train_folds(size_t n, uint32_t k, uint64_t seed, uint32_t *fold)
{
    size_t *perm = malloc((n ? n : 1) * sizeof *perm);
    uint64_t rng = seed ^ 0x5DEECE66Dull; /* apart from training's stream */

    if (!perm) { /* no memory for a shuffle: folds by position */
        for (size_t i = 0; i < n; i++)
            fold[i] = (uint32_t)(i % k);
        return;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    tr_shuffle(perm, n, &rng);
    for (size_t i = 0; i < n; i++)
        fold[perm[i]] = (uint32_t)(i % k);
    free(perm);
}

/* The allocator of the feature scratch: plain realloc. */
static void *tr_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size);
}

/* Grows an array to hold `need` items, doubling. */
static int tr_grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 1024;
    void *q;

    if (need <= *cap)
        return WM_OK;
    while (n < need)
        n *= 2;
    q = realloc(*p, n * size);
    if (!q)
        return WM_ENOMEM;
    *p = q;
    *cap = n;
    return WM_OK;
}

/* Frees the features. */
static void tr_data_free(tr_data *d)
{
    free(d->start);
    free(d->col);
    free(d->value);
    free(d->buckets);
    memset(d, 0, sizeof *d);
}

/*
** Analyses every answer and stores its features, then numbers the buckets
** densely: the sorted distinct buckets are the columns, and each entry's
** bucket is replaced by its column (a binary search).
*/
static int tr_featurize(wm_analyzer *analyzer, const cli_example *ex,
                        size_t n, const sv_params *params, tr_data *d,
                        char *err, size_t err_size)
{
    sv_scratch s = {tr_realloc, NULL, NULL, 0, 0};
    size_t cap_entries = 0;
    int rc = WM_OK;

    memset(d, 0, sizeof *d);
    d->n = n;
    d->start = malloc((n + 1) * sizeof *d->start);
    if (!d->start)
        return WM_ENOMEM;
    d->start[0] = 0;
    for (size_t i = 0; rc == WM_OK && i < n; i++) {
        const wm_analysis *an = NULL;

        rc = wm_analyze(analyzer, ex[i].text, ex[i].text_len, 0, &an);
        if (rc != WM_OK) {
            snprintf(err, err_size, "line %zu: %s", ex[i].line,
                     wm_analyzer_errmsg(analyzer));
            break;
        }
        rc = sv_features(&s, params, an);
        if (rc == WM_OK && d->n_entries + s.n_feats > cap_entries) {
            size_t cap = cap_entries;

            rc = tr_grow((void **)&d->col, &cap, d->n_entries + s.n_feats,
                         sizeof *d->col);
            if (rc == WM_OK)
                rc = tr_grow((void **)&d->value, &cap_entries, cap,
                             sizeof *d->value);
        }
        for (size_t k = 0; rc == WM_OK && k < s.n_feats; k++) {
            d->col[d->n_entries] = s.feats[k].index;
            d->value[d->n_entries] = (float)s.feats[k].value;
            d->n_entries++;
        }
        d->start[i + 1] = d->n_entries;
    }
    free(s.feats);
    if (rc != WM_OK)
        return rc;

    /* Dense columns: the distinct buckets in ascending order, numbered
    ** by a bitmap of the hash space and the running count of its set bits
    ** (no sort of all entries). */
    {
        size_t n_words = ((size_t)1 << params->hash_bits) / 64 + 1;
        uint64_t *bits = calloc(n_words, sizeof *bits);
        uint32_t *before = malloc(n_words * sizeof *before);

        if (!bits || !before) {
            free(bits);
            free(before);
            return WM_ENOMEM;
        }
        for (size_t i = 0; i < d->n_entries; i++)
            bits[d->col[i] / 64] |= (uint64_t)1 << (d->col[i] % 64);
        for (size_t w = 0; w < n_words; w++) {
            before[w] = d->n_cols;
            d->n_cols += (uint32_t)__builtin_popcountll(bits[w]);
        }
        d->buckets = malloc(((size_t)d->n_cols + 1) * sizeof *d->buckets);
        if (!d->buckets) {
            free(bits);
            free(before);
            return WM_ENOMEM;
        }
        for (size_t w = 0, c = 0; w < n_words; w++)
            for (uint64_t m = bits[w]; m; m &= m - 1)
                d->buckets[c++] = (uint32_t)(w * 64
                                             + (size_t)__builtin_ctzll(m));
        for (size_t i = 0; i < d->n_entries; i++) {
            uint32_t b = d->col[i];
            uint64_t below = bits[b / 64]
                             & (((uint64_t)1 << (b % 64)) - 1);
            d->col[i] = before[b / 64]
                        + (uint32_t)__builtin_popcountll(below);
        }
        free(bits);
        free(before);
    }
    return WM_OK;
}

/* The linear scores of answer i for every label. */
static void tr_scores(const tr_data *d, const tr_state *st, size_t n_labels,
                      size_t i, double *z)
{
    for (size_t l = 0; l < n_labels; l++)
        z[l] = st->b[l];
    for (size_t k = d->start[i]; k < d->start[i + 1]; k++) {
        const float *w = &st->w[(size_t)d->col[k] * n_labels];
        double v = d->value[k];

        for (size_t l = 0; l < n_labels; l++)
            z[l] += w[l] * v;
    }
}

/* The logistic function. */
static double tr_sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/*
** Trains one-vs-rest logistic regression on the answers listed in order
** (shuffled in place each epoch): for each answer, every label's gradient
** of the log loss, then an AdaGrad step on the weights of the answer's
** columns (with the L2 penalty of those weights) and on the biases.
*/
static void tr_fit(const tr_data *d, const cli_example *ex, size_t *order,
                   size_t n_order, size_t n_labels,
                   const cli_train_options *o, uint64_t *rng, tr_state *st)
{
    double z[SV_MAX_LABELS], g[SV_MAX_LABELS];
    const double eps = 1e-8;
    const float rate = (float)o->rate, l2 = (float)o->l2;

    memset(st->w, 0, (size_t)d->n_cols * n_labels * sizeof *st->w);
    memset(st->g2, 0, (size_t)d->n_cols * n_labels * sizeof *st->g2);
    memset(st->b, 0, sizeof st->b);
    memset(st->gb, 0, sizeof st->gb);
    for (uint32_t e = 0; e < o->epochs; e++) {
        tr_shuffle(order, n_order, rng);
        for (size_t j = 0; j < n_order; j++) {
            size_t i = order[j];

            tr_scores(d, st, n_labels, i, z);
            for (size_t l = 0; l < n_labels; l++) {
                double y = (ex[i].labels >> l) & 1u;
                g[l] = tr_sigmoid(z[l]) - y;
                st->gb[l] += g[l] * g[l];
                st->b[l] -= o->rate * g[l] / (sqrt(st->gb[l]) + eps);
            }
            for (size_t k = d->start[i]; k < d->start[i + 1]; k++) {
                size_t row = (size_t)d->col[k] * n_labels;
                double v = d->value[k];

                for (size_t l = 0; l < n_labels; l++) {
                    float w = st->w[row + l];
                    float grad, g2;

                    if (g[l] < TR_MIN_GRADIENT && g[l] > -TR_MIN_GRADIENT)
                        continue; /* learned: the step would be noise */
                    grad = (float)(g[l] * v) + l2 * w;
                    g2 = st->g2[row + l] + grad * grad;
                    st->g2[row + l] = g2;
                    st->w[row + l] = w - rate * grad / sqrtf(g2);
                }
            }
        }
    }
}

/* One label's out-of-fold probability and truth, for choosing its
** threshold. */
typedef struct tr_point {
    double p; /* probability */
    int y;    /* 1: the answer has the label */
} tr_point;

/* Orders points by falling probability. */
static int tr_cmp_point(const void *a, const void *b)
{
    const tr_point *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return y->y - x->y;
}

/*
** The threshold that maximises a label's F1 over its out-of-fold points:
** taking the points in falling probability, the F1 of assigning the label
** to the first k; the threshold lies halfway between the k-th and the next
** probability, clamped to [0.02, 0.98]. A label without positives keeps
** 0.5.
*/
static double tr_threshold(tr_point *pts, size_t n)
{
    size_t pos = 0, tp = 0, best_k = 0;
    double best_f1 = -1.0, t;

    for (size_t i = 0; i < n; i++)
        pos += (size_t)pts[i].y;
    if (pos == 0 || n == 0)
        return 0.5;
    qsort(pts, n, sizeof *pts, tr_cmp_point);
    for (size_t k = 1; k <= n; k++) {
        double f1;

        tp += (size_t)pts[k - 1].y;
        if (k < n && pts[k].p == pts[k - 1].p)
            continue; /* a threshold cannot split equal probabilities */
        f1 = 2.0 * (double)tp / (double)(k + pos);
        if (f1 > best_f1) {
            best_f1 = f1;
            best_k = k;
        }
    }
    t = best_k < n ? 0.5 * (pts[best_k - 1].p + pts[best_k].p)
                   : 0.5 * pts[best_k - 1].p;
    if (t < 0.02)
        t = 0.02;
    if (t > 0.98)
        t = 0.98;
    return t;
}

/* The macro-F1 (over labels) of taking the label of the highest
** out-of-fold score plus offset as each answer's one label. */
static double tr_macro_f1(const double *z, const cli_example *ex, size_t n,
                          size_t n_labels, const double *offset)
{
    size_t tp[SV_MAX_LABELS] = {0}, fp[SV_MAX_LABELS] = {0},
           fn[SV_MAX_LABELS] = {0};
    double sum = 0.0;

    for (size_t i = 0; i < n; i++) {
        size_t best = 0;

        for (size_t l = 1; l < n_labels; l++)
            if (z[i * n_labels + l] + offset[l]
                > z[i * n_labels + best] + offset[best])
                best = l;
        if ((ex[i].labels >> best) & 1u)
            tp[best]++;
        else
            fp[best]++;
        for (size_t l = 0; l < n_labels; l++)
            if (l != best && ((ex[i].labels >> l) & 1u))
                fn[l]++;
    }
    for (size_t l = 0; l < n_labels; l++)
        if (tp[l] + fp[l] + fn[l] > 0)
            sum += 2.0 * (double)tp[l] / (double)(2 * tp[l] + fp[l] + fn[l]);
    return sum / (double)n_labels;
}

/*
** For a model of one label per answer: offsets to each label's score that
** maximise the macro-F1 of the top label on out-of-fold scores, by
** coordinate ascent over a grid (TR_OFFSET_STEP apart, within
** +-TR_OFFSET_MAX). The top label of a one-vs-rest model favours frequent
** labels; this gives rare ones their fair share, which is what macro-F1
** (and a team that codes rare areas) asks for.
*/
static void tr_offsets(const double *z, const cli_example *ex, size_t n,
                       size_t n_labels, double *offset)
{
    double best = tr_macro_f1(z, ex, n, n_labels, offset);

    for (int round = 0; round < TR_OFFSET_ROUNDS; round++) {
        for (size_t l = 0; l < n_labels; l++) {
            double keep = offset[l];

            for (int k = -TR_OFFSET_STEPS; k <= TR_OFFSET_STEPS; k++) {
                double f1;

                offset[l] = TR_OFFSET_MAX * k / TR_OFFSET_STEPS;
                f1 = tr_macro_f1(z, ex, n, n_labels, offset);
                if (f1 > best + 1e-12) {
                    best = f1;
                    keep = offset[l];
                }
            }
            offset[l] = keep;
        }
    }
}

/* splitmix64's state after k more draws: each draw adds the same constant,
** so a later stream's start is known without drawing. */
static uint64_t tr_skip(uint64_t rng, uint64_t k)
{
    return rng + k * 0x9E3779B97F4A7C15ull;
}

/* The draws tr_fit() takes from its generator for n_order answers: one
** shuffle of them per epoch. */
static uint64_t tr_fit_draws(size_t n_order, const cli_train_options *o)
{
    return (uint64_t)o->epochs * (n_order > 1 ? n_order - 1 : 0);
}

#define TR_FINAL   UINT32_MAX /* the job that fits the model on every answer */
#define TR_THREADS 4          /* most threads a training uses (each fold
                                 thread holds a copy of the weights) */

/* One fit: of the final model on every answer, or of the model of one
** fold, which then scores that fold's answers out of fold. */
typedef struct tr_job {
    uint32_t fold;    /* the fold it leaves out, or TR_FINAL */
    uint64_t rng;     /* its generator's start */
} tr_job;

/* The fits of a training, taken by the threads in turn. Every job has its
** own generator stream and writes only its own fold's rows of oof (or the
** final state), so the result does not depend on which thread runs it. */
typedef struct tr_pool {
    const tr_data *d;             /* the features */
    const cli_example *ex;        /* the answers */
    size_t n_labels;              /* labels */
    const cli_train_options *o;   /* how to train */
    const uint32_t *fold;         /* each answer's fold, NULL: no folds */
    double *oof;                  /* [n * n_labels] out-of-fold scores */
    tr_state *final;              /* the state the final job fits */
    tr_job jobs[1 + 100];         /* the final job first, then the folds
                                     (cmd_train/cmd_eval cap folds at 100) */
    uint32_t n_jobs;              /* how many */
    uint32_t next;                /* the next job to take (under lock) */
    pthread_mutex_t lock;         /* guards next */
} tr_pool;

/* A thread of the pool: its own fold state and answer order. */
typedef struct tr_worker {
    tr_pool *pool;     /* the jobs */
    tr_state st;       /* the weights of the folds it fits */
    size_t *order;     /* [n] the answers a fit trains on */
    pthread_t thread;  /* the thread, when one was started */
} tr_worker;

/* Runs jobs until none is left: the fit, then a fold's out-of-fold scores
** (the final job leaves its weights in pool->final). */
static void *tr_work(void *arg)
{
    tr_worker *w = arg;
    tr_pool *p = w->pool;
    const tr_data *d = p->d;

    for (;;) {
        tr_job job;
        tr_state *st;
        size_t m = 0;

        pthread_mutex_lock(&p->lock);
        if (p->next == p->n_jobs) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        job = p->jobs[p->next++];
        pthread_mutex_unlock(&p->lock);

        st = job.fold == TR_FINAL ? p->final : &w->st;
        for (size_t i = 0; i < d->n; i++)
            if (job.fold == TR_FINAL || p->fold[i] != job.fold)
                w->order[m++] = i;
        tr_fit(d, p->ex, w->order, m, p->n_labels, p->o, &job.rng, st);
        if (job.fold == TR_FINAL)
            continue;
        for (size_t i = 0; i < d->n; i++)
            if (p->fold[i] == job.fold)
                tr_scores(d, st, p->n_labels, i, &p->oof[i * p->n_labels]);
    }
}

/*
** Fits the final model into *final and, when fold is given, the model of
** each fold, whose out-of-fold scores go to oof. The jobs run on up to
** TR_THREADS threads (the calling one among them; if a thread cannot be
** started, the others do its share). Each job's generator starts where it
** would have started had the fits run one after another, folds first, so
** that the model is the same bytes whatever the number of threads.
*/
static int tr_fit_all(const tr_data *d, const cli_example *ex,
                      size_t n_labels, const cli_train_options *o,
                      uint64_t rng, const uint32_t *fold, double *oof,
                      tr_state *final)
{
    tr_pool pool;
    tr_worker workers[TR_THREADS];
    size_t nw = (size_t)d->n_cols * n_labels + 1;
    uint32_t n_folds = fold ? o->folds : 0, n_threads;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int rc = WM_OK;

    memset(&pool, 0, sizeof pool);
    pool.d = d;
    pool.ex = ex;
    pool.n_labels = n_labels;
    pool.o = o;
    pool.fold = fold;
    pool.oof = oof;
    pool.final = final;
    pool.n_jobs = 1 + n_folds;
    for (uint32_t f = 0; f < n_folds; f++) {
        size_t m = 0;

        for (size_t i = 0; i < d->n; i++)
            m += fold[i] != f;
        pool.jobs[1 + f].fold = f;
        pool.jobs[1 + f].rng = rng;
        rng = tr_skip(rng, tr_fit_draws(m, o));
    }
    pool.jobs[0].fold = TR_FINAL; /* the longest first */
    pool.jobs[0].rng = rng;
    n_threads = cpus > 1 ? (uint32_t)(cpus < TR_THREADS ? cpus : TR_THREADS)
                         : 1;
    if (n_threads > pool.n_jobs)
        n_threads = pool.n_jobs;

    memset(workers, 0, sizeof workers);
    for (uint32_t t = 0; t < n_threads; t++) {
        workers[t].pool = &pool;
        workers[t].order = malloc(d->n * sizeof *workers[t].order);
        if (n_folds > 0) {
            workers[t].st.w = malloc(nw * sizeof *workers[t].st.w);
            workers[t].st.g2 = malloc(nw * sizeof *workers[t].st.g2);
        }
        if (!workers[t].order
            || (n_folds > 0 && (!workers[t].st.w || !workers[t].st.g2))) {
            rc = WM_ENOMEM;
            n_threads = t + 1;
            goto done;
        }
    }
    if (pthread_mutex_init(&pool.lock, NULL) != 0) {
        rc = WM_ENOMEM;
        goto done;
    }
    for (uint32_t t = 1; t < n_threads; t++)
        if (pthread_create(&workers[t].thread, NULL, tr_work, &workers[t])
            != 0)
            workers[t].pool = NULL; /* not started: the others do its jobs */
    tr_work(&workers[0]);
    for (uint32_t t = 1; t < n_threads; t++)
        if (workers[t].pool)
            pthread_join(workers[t].thread, NULL);
    pthread_mutex_destroy(&pool.lock);

done:
    for (uint32_t t = 0; t < n_threads; t++) {
        free(workers[t].order);
        free(workers[t].st.w);
        free(workers[t].st.g2);
    }
    return rc;
}

/*
** Chooses every label's threshold, and a single-label model's offsets,
** from the out-of-fold scores.
*/
static void tr_decide(const double *oof, const cli_example *ex, size_t n,
                      size_t n_labels, int single, tr_point *pts,
                      double *threshold, double *offset)
{
    if (single)
        tr_offsets(oof, ex, n, n_labels, offset);
    for (size_t l = 0; l < n_labels; l++) {
        for (size_t i = 0; i < n; i++) {
            pts[i].p = tr_sigmoid(oof[i * n_labels + l]);
            pts[i].y = (int)((ex[i].labels >> l) & 1u);
        }
        threshold[l] = tr_threshold(pts, n);
    }
}

/* Trains a model (train.h): features, then the fits (the folds' and the
** final one, on several threads), then the decision rule from the folds'
** out-of-fold scores. */
int cli_train(wm_analyzer *analyzer, const cli_example *ex, size_t n,
              const char *const *labels, size_t n_labels,
              const cli_train_options *o, sv_model *model, char *err,
              size_t err_size)
{
    tr_data d;
    tr_state st;
    uint64_t rng = o->seed;
    size_t *perm = NULL;
    uint32_t *fold = NULL;
    double *oof = NULL;
    tr_point *pts = NULL;
    size_t single = 0;
    double offset[SV_MAX_LABELS];
    int folds, rc;

    memset(model, 0, sizeof *model);
    memset(&st, 0, sizeof st);
    if (n == 0 || n_labels == 0 || n_labels > SV_MAX_LABELS
        || !sv_params_valid(&o->params) || o->folds > 100) {
        snprintf(err, err_size, "%s", n == 0 ? "no answers to train on"
                 : "bad labels or parameters");
        return WM_EINVAL;
    }
    rc = tr_featurize(analyzer, ex, n, &o->params, &d, err, err_size);
    if (rc != WM_OK) {
        tr_data_free(&d);
        return rc;
    }
    folds = o->folds >= 2 && n >= 2 * (size_t)o->folds;
    st.w = malloc(((size_t)d.n_cols * n_labels + 1) * sizeof *st.w);
    st.g2 = malloc(((size_t)d.n_cols * n_labels + 1) * sizeof *st.g2);
    model->index = malloc(((size_t)d.n_cols + 1) * sizeof *model->index);
    if (folds) {
        perm = malloc(n * sizeof *perm);
        fold = malloc(n * sizeof *fold);
        oof = malloc(n * n_labels * sizeof *oof);
        pts = malloc(n * sizeof *pts);
    }
    if (!st.w || !st.g2 || !model->index
        || (folds && (!perm || !fold || !oof || !pts))) {
        rc = WM_ENOMEM;
        goto done;
    }

    snprintf(model->lang, sizeof model->lang, "%s",
             wm_analyzer_lang(analyzer));
    model->n_labels = (uint32_t)n_labels;
    for (size_t l = 0; l < n_labels; l++)
        snprintf(model->labels[l], sizeof model->labels[l], "%s", labels[l]);
    model->params = o->params;
    model->seed = o->seed;
    model->answers = n;
    for (size_t i = 0; i < n; i++) {
        uint64_t b = ex[i].labels;
        single += b != 0 && (b & (b - 1)) == 0;
    }
    model->single_label = single == n;
    for (size_t l = 0; l < n_labels; l++) {
        model->threshold[l] = 0.5;
        offset[l] = 0.0;
    }
    if (folds) { /* folds from a seeded shuffle: the same seed splits alike */
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        tr_shuffle(perm, n, &rng);
        for (size_t i = 0; i < n; i++)
            fold[perm[i]] = (uint32_t)(i % o->folds);
    }
    rc = tr_fit_all(&d, ex, n_labels, o, rng, fold, oof, &st);
    if (rc != WM_OK)
        goto done;
    if (folds)
        tr_decide(oof, ex, n, n_labels, (int)model->single_label, pts,
                  model->threshold, offset);
    for (size_t l = 0; l < n_labels; l++)
        model->bias[l] = st.b[l] + offset[l];
    memcpy(model->index, d.buckets, (size_t)d.n_cols * sizeof *d.buckets);
    model->n_feats = d.n_cols;
    model->weights = st.w; /* the model keeps the weights */
    st.w = NULL;

done:
    free(perm);
    free(fold);
    free(oof);
    free(pts);
    free(st.w);
    free(st.g2);
    tr_data_free(&d);
    if (rc != WM_OK)
        cli_model_free(model);
    return rc;
}

/* Frees the arrays of a trained model. */
void cli_model_free(sv_model *model)
{
    free(model->index);
    free(model->weights);
    model->index = NULL;
    model->weights = NULL;
    model->n_feats = 0;
}

/* The model reader's allocator in the CLI: malloc and free. */
static void tr_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

/* Checks a model's language before an engine is made with it (train.h). */
int cli_model_lang_check(const char *path, const char *lang, char *err,
                         size_t err_size)
{
    sv_alloc alloc = {tr_realloc, tr_free, NULL};
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, got;
    sv_model m;
    int rc = WM_OK;

    if (!f)
        return WM_OK; /* the plugin says why, naming the file */
    do {
        if (tr_grow((void **)&buf, &cap, len + 65536, 1) != WM_OK
            || cap > ((size_t)1 << 30)) {
            fclose(f);
            free(buf);
            return WM_OK;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    if (strcmp(lang, "no") == 0)
        lang = "nb";
    if (sv_model_read(&m, buf, len, &alloc, err, err_size) == WM_OK) {
        if (strcmp(m.lang, lang) != 0) {
            snprintf(err, err_size, "model '%s' is for language '%s', not "
                     "'%s'", path, m.lang, lang);
            rc = WM_ELANG;
        }
        sv_model_release(&m, &alloc);
    }
    err[rc == WM_OK ? 0 : err_size - 1] = '\0';
    free(buf);
    return rc;
}

/* Packs a string key or value. */
static int tr_pack_str(msgpack_packer *pk, const char *s)
{
    size_t len = strlen(s);
    return msgpack_pack_str(pk, len) | msgpack_pack_str_body(pk, s, len);
}

/* Packs an array of doubles. */
static int tr_pack_doubles(msgpack_packer *pk, const double *v, size_t n)
{
    int rc = msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++)
        rc |= msgpack_pack_double(pk, v[i]);
    return rc;
}

/* Writes 32-bit words little-endian into out (4 bytes each). */
static void tr_le32(unsigned char *out, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[4 * i] = (unsigned char)v[i];
        out[4 * i + 1] = (unsigned char)(v[i] >> 8);
        out[4 * i + 2] = (unsigned char)(v[i] >> 16);
        out[4 * i + 3] = (unsigned char)(v[i] >> 24);
    }
}

/*
** Packs the model's map (sv_model.h lists the keys) with msgpack-c into a
** memory buffer, then writes it to "PATH.tmp.PID" and renames that over
** PATH. The key order is fixed, so equal models are equal bytes.
*/
int cli_model_save(const sv_model *m, const char *path, char *err,
                   size_t err_size)
{
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    size_t n_w = (size_t)m->n_feats * m->n_labels;
    unsigned char *bin = malloc(4 * (n_w > m->n_feats ? n_w : m->n_feats) + 4);
    char tmp[4200];
    FILE *f;
    int rc = 0;

    if (!bin)
        return WM_ENOMEM;
    msgpack_sbuffer_init(&sbuf);
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    rc |= msgpack_pack_map(&pk, 16);
    rc |= tr_pack_str(&pk, "magic") | tr_pack_str(&pk, SV_MAGIC);
    rc |= tr_pack_str(&pk, "format") | msgpack_pack_uint32(&pk, SV_FORMAT);
    rc |= tr_pack_str(&pk, "lang") | tr_pack_str(&pk, m->lang);
    rc |= tr_pack_str(&pk, "labels") | msgpack_pack_array(&pk, m->n_labels);
    for (uint32_t l = 0; l < m->n_labels; l++)
        rc |= tr_pack_str(&pk, m->labels[l]);
    rc |= tr_pack_str(&pk, "hash_bits")
          | msgpack_pack_uint32(&pk, m->params.hash_bits);
    rc |= tr_pack_str(&pk, "char_min")
          | msgpack_pack_uint32(&pk, m->params.char_min);
    rc |= tr_pack_str(&pk, "char_max")
          | msgpack_pack_uint32(&pk, m->params.char_max);
    rc |= tr_pack_str(&pk, "start_tokens")
          | msgpack_pack_uint32(&pk, m->params.start_tokens);
    rc |= tr_pack_str(&pk, "kind_weights")
          | tr_pack_doubles(&pk, m->params.kind_weight, SV_F_KINDS);
    rc |= tr_pack_str(&pk, "single_label")
          | msgpack_pack_uint32(&pk, m->single_label);
    rc |= tr_pack_str(&pk, "seed") | msgpack_pack_uint64(&pk, m->seed);
    rc |= tr_pack_str(&pk, "answers") | msgpack_pack_uint64(&pk, m->answers);
    rc |= tr_pack_str(&pk, "thresholds")
          | tr_pack_doubles(&pk, m->threshold, m->n_labels);
    rc |= tr_pack_str(&pk, "bias") | tr_pack_doubles(&pk, m->bias, m->n_labels);
    tr_le32(bin, m->index, m->n_feats);
    rc |= tr_pack_str(&pk, "index") | msgpack_pack_bin(&pk, 4 * (size_t)m->n_feats)
          | msgpack_pack_bin_body(&pk, bin, 4 * (size_t)m->n_feats);
    for (size_t i = 0; i < n_w; i++) {
        uint32_t u;
        memcpy(&u, &m->weights[i], sizeof u);
        tr_le32(bin + 4 * i, &u, 1);
    }
    rc |= tr_pack_str(&pk, "weights") | msgpack_pack_bin(&pk, 4 * n_w)
          | msgpack_pack_bin_body(&pk, bin, 4 * n_w);
    free(bin);
    if (rc != 0) {
        msgpack_sbuffer_destroy(&sbuf);
        return WM_ENOMEM;
    }

    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f || fwrite(sbuf.data, 1, sbuf.size, f) != sbuf.size) {
        snprintf(err, err_size, "cannot write '%s': %s", tmp, strerror(errno));
        if (f)
            fclose(f);
        remove(tmp);
        msgpack_sbuffer_destroy(&sbuf);
        return WM_EIO;
    }
    msgpack_sbuffer_destroy(&sbuf);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, err_size, "cannot write '%s': %s", path,
                 strerror(errno));
        remove(tmp);
        return WM_EIO;
    }
    return WM_OK;
}
