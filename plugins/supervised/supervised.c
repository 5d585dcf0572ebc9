/*
** supervised.c — the supervised plugin: codes answers by a linear model
** trained on answers a team coded by hand (`whatmatters train`; the model
** and its file are described in sv_model.h, the features in sv_features.h, the
** whole in plugins/supervised/README.md).
**
** One source, two builds, as the lexicon plugin: with WM_PLUGIN_STATIC it is
** linked into the library (wm_builtin_supervised()); without, it is the
** loadable wm_supervised.so exporting wm_plugin_entry(). It sees
** whatmatters_plugin.h only.
**
** Options: "model=PATH", the model file, optionally after "assign=X;"
** (model= comes last and takes the rest of the string, so a path may hold
** any byte). Without options the model is the data file
** "<lang>/supervised.model" (a data folder's, or the library's built-in
** one, trained at build time from the gold corpus; see CMakeLists.txt),
** applied with assign=SV_BUILTIN_ASSIGN; a language without one skips
** (WM_PLUGIN_SKIP), so that the plugin can be among the default plugins. A
** model of another language than the instance's skips too. The model's
** labels must be areas of the engine's taxonomy.
**
** Scores: per label, the logistic probability p of the one-vs-rest model is
** mapped so that the label's threshold t (chosen on held-out answers at
** training) lands on 0.5, the engine's assignment point: p < t gives
** 0.5 p / t, else 0.5 + 0.5 (p - t) / (1 - t). A model trained on answers
** that each had exactly one label assigns exactly one: the most probable
** label scores 0.5 + 0.5 p, the others 0.5 p.
** With assign=X (0.5 <= X < 1) the score s so made is mapped once more, X
** onto 0.5 in the same way: the model then assigns an area only where it is
** surer than its own thresholds, which is how it best joins a lexicon under
** WM_COMBINE_MAX (a second opinion that adds only confident areas; the
** README measures it). assign=0.5, the default, changes nothing. With
** veto=V (0 <= V < 0.5; default 0, none) an area whose score s (before
** assign=) is under V is vetoed (plugin ABI 1.2, wm_plugin_output.veto):
** not assigned, whatever the other plugins say; the second opinion's other
** half, taking back a lexicon's match the model is sure is wrong.
**
** Evidence: for each assigned area, the SV_EVIDENCE features that added
** most to its score, with the span of their first occurrence.
*/
#include "sv_features.h"
#include "sv_model.h"
#include "whatmatters_plugin.h"
#include "plugin_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SV_EVIDENCE   3                  /* features shown per area */
#define SV_MAX_FILE   ((long)1 << 30)    /* bytes of a model file */
#define SV_NO_ROW     UINT32_MAX         /* a bucket the model lacks */
#define SV_OPT_MODEL  "model="           /* the model file; last */
#define SV_OPT_ASSIGN "assign="          /* the score that assigns */
#define SV_BUILTIN    "supervised.model" /* the data file: "<lang>/" this */
#define SV_BUILTIN_ASSIGN 0.6            /* assign= and veto= of the data */
#define SV_BUILTIN_VETO   0.2            /* file's model: the lexicon's second
                                            opinion (README: chosen on
                                            held-out answers of new writers) */
#define SV_OPT_VETO   "veto="            /* the score under which it vetoes */

/* An instance: one language's model, read-only after create(). */
typedef struct supervised {
    wm_host host;                  /* copy of the host's table */
    sv_model model;                /* the model */
    uint32_t area[SV_MAX_LABELS];  /* taxonomy index of each label */
    uint32_t *keys;                /* open addressing: bucket + 1, 0 empty */
    uint32_t *rows;                /* the row of the bucket in keys[i] */
    uint32_t mask;                 /* slots - 1 (a power of 2) */
    double assign;                 /* score mapped onto 0.5 (assign=) */
    double veto;                   /* score under which an area is vetoed
                                      (veto=; 0: none) */
} supervised;

/* One thread's scratch. */
typedef struct sv_worker {
    sv_scratch scratch;            /* the answer's features */
    uint32_t *row;                 /* model row of each feature */
    size_t cap_row;                /* allocated in row */
} sv_worker;

/* The host's allocator, in the shape the model reader and the features
** want. */
static void *sv_host_realloc(void *ctx, void *ptr, size_t size)
{
    const wm_host *h = ctx;
    return h->realloc(h->ctx, ptr, size);
}

static void sv_host_free(void *ctx, void *ptr)
{
    const wm_host *h = ctx;
    h->free(h->ctx, ptr);
}

/* The slot of a bucket in the instance's table. */
static uint32_t sv_slot(uint32_t bucket, uint32_t mask)
{
    return (bucket * 2654435761u) & mask;
}

/* The model row of a bucket, or SV_NO_ROW. */
static uint32_t sv_lookup(const supervised *sv, uint32_t bucket)
{
    uint32_t i = sv_slot(bucket, sv->mask);

    while (sv->keys[i] != 0) {
        if (sv->keys[i] == bucket + 1)
            return sv->rows[i];
        i = (i + 1) & sv->mask;
    }
    return SV_NO_ROW;
}

/* Frees an instance and everything it holds. */
static void sv_destroy(void *state)
{
    supervised *sv = state;
    sv_alloc alloc;

    if (!sv)
        return;
    alloc.realloc = sv_host_realloc;
    alloc.free = sv_host_free;
    alloc.ctx = &sv->host;
    sv_model_release(&sv->model, &alloc);
    sv->host.free(sv->host.ctx, sv->keys);
    sv->host.free(sv->host.ctx, sv->rows);
    sv->host.free(sv->host.ctx, sv);
}

/*
** Reads a whole file through the host's allocator. Its size is taken first
** and capped, so an oversized file is refused before anything is
** allocated. Returns WM_OK, WM_EIO or WM_ETOOBIG (message in err, naming
** the file) or WM_ENOMEM.
*/
static int sv_read_file(const wm_host *host, const char *path,
                        unsigned char **out, size_t *len, char *err,
                        size_t err_size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long size;

    *out = NULL;
    if (!f) {
        pu_message(err, err_size, "supervised: cannot open model '%s': %s",
                   path, strerror(errno));
        return WM_EIO;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        pu_message(err, err_size, "supervised: cannot read model '%s' (not "
                   "a regular file?)", path);
        fclose(f);
        return WM_EIO;
    }
    if (size > SV_MAX_FILE) {
        pu_message(err, err_size, "supervised: model '%s' is over %ld bytes",
                   path, SV_MAX_FILE);
        fclose(f);
        return WM_ETOOBIG;
    }
    buf = host->realloc(host->ctx, NULL, size > 0 ? (size_t)size : 1);
    if (!buf) {
        fclose(f);
        pu_message(err, err_size, "supervised: out of memory");
        return WM_ENOMEM;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        pu_message(err, err_size, "supervised: cannot read model '%s'", path);
        host->free(host->ctx, buf);
        fclose(f);
        return WM_EIO;
    }
    fclose(f);
    *out = buf;
    *len = (size_t)size;
    return WM_OK;
}

/*
** Finishes an instance whose model is read: maps each label to its area of
** the taxonomy (a label that is none is an error: the user must give the
** taxonomy the model was trained for) and builds the bucket table.
*/
static int sv_prepare(supervised *sv, const wm_plugin_config *config,
                      const char *path, char *err, size_t err_size)
{
    const sv_model *m = &sv->model;
    size_t slots = 16;

    for (uint32_t l = 0; l < m->n_labels; l++) {
        size_t a = 0;

        while (a < config->n_areas && strcmp(config->area_ids[a],
                                             m->labels[l]) != 0)
            a++;
        if (a == config->n_areas) {
            pu_message(err, err_size, "supervised: model '%s': label '%s' is "
                       "not an area of the taxonomy (use the taxonomy the "
                       "model was trained for: --taxonomy FILE)", path,
                       m->labels[l]);
            return WM_EINVAL;
        }
        sv->area[l] = (uint32_t)a;
    }
    while (slots < 2 * (size_t)m->n_feats)
        slots *= 2;
    sv->keys = sv->host.realloc(sv->host.ctx, NULL, slots * sizeof *sv->keys);
    sv->rows = sv->host.realloc(sv->host.ctx, NULL, slots * sizeof *sv->rows);
    if (!sv->keys || !sv->rows) {
        pu_message(err, err_size, "supervised: out of memory");
        return WM_ENOMEM;
    }
    memset(sv->keys, 0, slots * sizeof *sv->keys);
    sv->mask = (uint32_t)(slots - 1);
    for (uint32_t r = 0; r < m->n_feats; r++) {
        uint32_t i = sv_slot(m->index[r], sv->mask);

        while (sv->keys[i] != 0)
            i = (i + 1) & sv->mask;
        sv->keys[i] = m->index[r] + 1;
        sv->rows[i] = r;
    }
    return WM_OK;
}

/*
** Reads one "assign=X;" or "veto=V;" at *opt into its variable and moves
** *opt past it: 1 done, 0 none there (model= follows), -1 malformed or out
** of range (assign from 0.5 to below 1, veto from 0 to below 0.5).
*/
static int sv_option(const char **opt, double *assign, double *veto)
{
    int is_assign = strncmp(*opt, SV_OPT_ASSIGN, strlen(SV_OPT_ASSIGN)) == 0;
    int is_veto = strncmp(*opt, SV_OPT_VETO, strlen(SV_OPT_VETO)) == 0;
    const char *num;
    char *end;
    double v;

    if (!is_assign && !is_veto)
        return 0;
    num = *opt + strlen(is_assign ? SV_OPT_ASSIGN : SV_OPT_VETO);
    errno = 0;
    v = strtod(num, &end);
    if (errno || end == num || *end != ';')
        return -1;
    if (is_assign ? !(v >= 0.5 && v < 1.0) : !(v >= 0.0 && v < 0.5))
        return -1;
    *(is_assign ? assign : veto) = v;
    *opt = end + 1;
    return 1;
}

/*
** Makes the instance for one language: without options, the data file's
** model (none: WM_PLUGIN_SKIP); a model of another language is
** WM_PLUGIN_SKIP too; options other than [assign=X;]model=PATH are
** WM_EINVAL; a model file that cannot be read is WM_EIO, one that is
** malformed WM_EPARSE, each with a message naming the file.
*/
static int sv_create(const wm_host *host, const wm_plugin_config *config,
                     void **state, char *err, size_t err_size)
{
    char path[4096];
    const char *opt;
    double assign = 0.5, veto = 0.0;
    int builtin = !config || !config->options || !config->options[0];
    const unsigned char *data = NULL;
    unsigned char *bytes = NULL;
    size_t len = 0;
    supervised *sv;
    sv_alloc alloc;
    char why[512];
    int rc;

    if (state)
        *state = NULL;
    if (!host || !state || !config
        || host->struct_size < offsetof(wm_host, free) + sizeof host->free
        || !host->realloc || !host->free
        || config->struct_size < offsetof(wm_plugin_config, options)
                                     + sizeof config->options
        || !config->lang || !config->area_ids) {
        pu_message(err, err_size, "supervised: invalid arguments to create()");
        return WM_EINVAL;
    }
    if (builtin) {
        if (!host->data_file
            || (size_t)snprintf(path, sizeof path, "%s/" SV_BUILTIN,
                                config->lang) >= sizeof path)
            return WM_PLUGIN_SKIP;
        assign = SV_BUILTIN_ASSIGN;
        veto = SV_BUILTIN_VETO;
    } else {
        opt = config->options;
        while ((rc = sv_option(&opt, &assign, &veto)) == 1)
            ;
        if (rc < 0) {
            pu_message(err, err_size, "supervised: bad options '%s' "
                       "(assign= wants a number from 0.5 to below 1, veto= "
                       "one from 0 to below 0.5, each followed by ';')",
                       config->options);
            return WM_EINVAL;
        }
        if (strncmp(opt, SV_OPT_MODEL, strlen(SV_OPT_MODEL)) != 0
            || !opt[strlen(SV_OPT_MODEL)]) {
            pu_message(err, err_size, "supervised: bad options '%s' "
                       "(expected [assign=X;][veto=V;]model=PATH)",
                       config->options);
            return WM_EINVAL;
        }
        if ((size_t)snprintf(path, sizeof path, "%s",
                             opt + strlen(SV_OPT_MODEL)) >= sizeof path) {
            pu_message(err, err_size, "supervised: model path too long");
            return WM_EINVAL;
        }
    }

    sv = host->realloc(host->ctx, NULL, sizeof *sv);
    if (!sv) {
        pu_message(err, err_size, "supervised: out of memory");
        return WM_ENOMEM;
    }
    memset(sv, 0, sizeof *sv);
    sv->assign = assign;
    sv->veto = veto;
    memcpy(&sv->host, host, host->struct_size < sizeof sv->host
                                ? host->struct_size : sizeof sv->host);
    sv->host.struct_size = sizeof sv->host;
    alloc.realloc = sv_host_realloc;
    alloc.free = sv_host_free;
    alloc.ctx = &sv->host;

    if (builtin) {
        /* The data file is the host's (BORROWED until create() returns). */
        rc = host->data_file(host->ctx, path, &data, &len, err, err_size);
        if (rc == WM_ENOTFOUND) {
            sv_destroy(sv);
            if (err_size)
                err[0] = '\0';
            return WM_PLUGIN_SKIP;
        }
    } else {
        rc = sv_read_file(host, path, &bytes, &len, err, err_size);
        data = bytes;
    }
    if (rc == WM_OK) {
        rc = sv_model_read(&sv->model, data, len, &alloc, why, sizeof why);
        if (rc == WM_EPARSE)
            pu_message(err, err_size, "supervised: model '%s': %s", path,
                       why);
        else if (rc != WM_OK)
            pu_message(err, err_size, "supervised: out of memory");
    }
    host->free(host->ctx, bytes);
    if (rc == WM_OK && strcmp(sv->model.lang, config->lang) != 0) {
        sv_destroy(sv);
        return WM_PLUGIN_SKIP;
    }
    if (rc == WM_OK)
        rc = sv_prepare(sv, config, path, err, err_size);
    if (rc != WM_OK) {
        sv_destroy(sv);
        return rc;
    }
    *state = sv;
    return WM_OK;
}

/* Makes one thread's scratch (it grows with the first answers). */
static int sv_worker_new(void *state, void **worker, char *err,
                         size_t err_size)
{
    supervised *sv = state;
    sv_worker *w = sv->host.realloc(sv->host.ctx, NULL, sizeof *w);

    if (!w) {
        pu_message(err, err_size, "supervised: out of memory");
        return WM_ENOMEM;
    }
    memset(w, 0, sizeof *w);
    w->scratch.realloc = sv_host_realloc;
    w->scratch.ctx = &sv->host;
    *worker = w;
    return WM_OK;
}

/* Frees a worker. */
static void sv_worker_free(void *state, void *worker)
{
    supervised *sv = state;
    sv_worker *w = worker;

    if (!w)
        return;
    sv->host.free(sv->host.ctx, w->scratch.feats);
    sv->host.free(sv->host.ctx, w->row);
    sv->host.free(sv->host.ctx, w);
}

/* Maps a label's probability (or score) so that t lands on 0.5. */
static double sv_map(double p, double t)
{
    if (p < t)
        return 0.5 * p / t;
    return 0.5 + 0.5 * (p - t) / (1.0 - t);
}

/*
** Records the features that added most to one label's score (at most
** SV_EVIDENCE, each positive), largest first: one pass keeping the best
** few in a small sorted array (earlier features win ties).
*/
static int sv_evidence(const supervised *sv, const sv_worker *w, uint32_t l,
                       wm_plugin_output *out)
{
    const sv_model *m = &sv->model;
    const sv_feature *f = w->scratch.feats;
    double top[SV_EVIDENCE];
    size_t at[SV_EVIDENCE];
    int n = 0;

    for (size_t i = 0; i < w->scratch.n_feats; i++) {
        double c;
        int k;

        if (w->row[i] == SV_NO_ROW)
            continue;
        c = m->weights[(size_t)w->row[i] * m->n_labels + l] * f[i].value;
        if (c <= 0.0 || (n == SV_EVIDENCE && c <= top[n - 1]))
            continue;
        k = n < SV_EVIDENCE ? n++ : n - 1;
        while (k > 0 && top[k - 1] < c) {
            top[k] = top[k - 1];
            at[k] = at[k - 1];
            k--;
        }
        top[k] = c;
        at[k] = i;
    }
    for (int k = 0; k < n; k++) {
        int rc = out->add_evidence(out, sv->area[l], f[at[k]].start,
                                   f[at[k]].end, top[k],
                                   sv_kind_name(f[at[k]].kind));
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/*
** Classifies one answer: its features, each label's linear score and
** probability, the mapped scores, and evidence for the labels assigned.
*/
static int sv_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const supervised *sv = state;
    const sv_model *m;
    sv_worker *w = worker;
    double z[SV_MAX_LABELS];
    uint32_t best = 0;
    int rc;

    if (!out)
        return WM_EINVAL;
    if (!sv || !w || !in || !in->analysis || !out->scores
        || !out->add_evidence) {
        pu_message(out->err, out->err_size,
                   "supervised: invalid arguments to classify()");
        return WM_EINVAL;
    }
    m = &sv->model;
    rc = sv_features(&w->scratch, &m->params, in->analysis);
    if (rc == WM_OK && w->cap_row < w->scratch.n_feats) {
        void *q = sv->host.realloc(sv->host.ctx, w->row,
                                   w->scratch.cap_feats * sizeof *w->row);
        if (q) {
            w->row = q;
            w->cap_row = w->scratch.cap_feats;
        } else {
            rc = WM_ENOMEM;
        }
    }
    if (rc != WM_OK) {
        pu_message(out->err, out->err_size, "supervised: out of memory");
        return rc;
    }

    for (uint32_t l = 0; l < m->n_labels; l++)
        z[l] = m->bias[l];
    for (size_t i = 0; i < w->scratch.n_feats; i++) {
        uint32_t r = sv_lookup(sv, w->scratch.feats[i].index);
        const float *row;
        double v = w->scratch.feats[i].value;

        w->row[i] = r;
        if (r == SV_NO_ROW)
            continue;
        row = &m->weights[(size_t)r * m->n_labels];
        for (uint32_t l = 0; l < m->n_labels; l++)
            z[l] += row[l] * v;
    }
    for (uint32_t l = 1; l < m->n_labels; l++)
        if (z[l] > z[best])
            best = l;
    for (uint32_t l = 0; l < m->n_labels; l++) {
        double p = 1.0 / (1.0 + exp(-z[l]));
        double s;

        if (m->single_label)
            s = l == best ? 0.5 + 0.5 * p : 0.5 * p;
        else
            s = sv_map(p, m->threshold[l]);
        if (sv->veto > 0.0 && s < sv->veto && sv->area[l] < out->n_areas
            && WM_HAS_FIELD(out, wm_plugin_output, veto) && out->veto)
            out->veto[sv->area[l]] = 1;
        if (sv->assign != 0.5)
            s = sv_map(s, sv->assign);
        if (sv->area[l] < out->n_areas)
            out->scores[sv->area[l]] = s;
        if (s >= 0.5) {
            rc = sv_evidence(sv, w, l, out);
            if (rc != WM_OK) {
                pu_message(out->err, out->err_size,
                           "supervised: cannot record evidence (error %d)",
                           rc);
                return rc;
            }
        }
    }
    return WM_OK;
}

/* ------------------------------------------------------------------------
** The descriptor and the entry point
** --------------------------------------------------------------------- */

static const wm_plugin sv_descriptor = {
    WM_PLUGIN_ABI_MAJOR,
    WM_PLUGIN_ABI_MINOR,
    sizeof(wm_plugin),
    "supervised",
    "1.0.0",
    "Codes answers by a linear model trained on hand-coded answers "
    "(whatmatters train); options: [assign=X;][veto=V;]model=PATH",
    sv_create,
    sv_destroy,
    sv_worker_new,
    sv_worker_free,
    sv_classify,
};

#ifdef WM_PLUGIN_STATIC
/* The built-in copy: the library finds it by this name (hidden symbol). */
const wm_plugin *wm_builtin_supervised(void);

/* Returns the descriptor of the plugin linked into the library. */
const wm_plugin *wm_builtin_supervised(void)
{
    return &sv_descriptor;
}
#else
/* Returns the descriptor: the one symbol the module exports. */
WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &sv_descriptor;
}
#endif
