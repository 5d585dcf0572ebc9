/*
** train.h — the trainer of the supervised plugin's models, for `whatmatters
** train` and `whatmatters eval --cv`.
**
** A model is one-vs-rest logistic regression over the hashed features of
** plugins/supervised/sv_features.h, computed from the engine's own analysis
** (the public API), learned by AdaGrad stochastic gradient descent with an
** L2 penalty. Each label's threshold is the one that maximises its F1 on
** out-of-fold probabilities (the training answers split in `folds` folds,
** each predicted by a model trained on the others); the model written is
** then trained on all answers. Everything random comes from one seed, and
** the arithmetic is done in a fixed order, so a seed gives the same model
** bytes on every run. The fold models and the final one are fitted at the
** same time on up to four threads (each fit with its own generator stream
** and its own copy of the weights), and the bytes do not depend on how
** many threads there are.
*/
#ifndef WM_CLI_TRAIN_H
#define WM_CLI_TRAIN_H

#include "whatmatters.h"
#include "sv_model.h"

#include <stddef.h>
#include <stdint.h>

/* One labelled answer. */
typedef struct cli_example {
    const char *text;  /* the answer (borrowed) */
    size_t text_len;   /* its bytes */
    size_t line;       /* its line in the file, for messages */
    uint64_t labels;   /* bit l: label l */
} cli_example;

/* How to train. */
typedef struct cli_train_options {
    uint64_t seed;     /* the one source of randomness */
    uint32_t epochs;   /* passes over the answers */
    double rate;       /* AdaGrad's learning rate */
    double l2;         /* L2 penalty, per update */
    uint32_t folds;    /* folds for the thresholds; below 2: every
                          threshold 0.5 */
    sv_params params;  /* the features */
} cli_train_options;

/* The defaults (measured in bench/README.md). */
void cli_train_defaults(cli_train_options *options);

/* Splits n answers into k folds by a shuffle seeded with seed: fold[i] is
** answer i's fold, 0..k-1, the folds as equal in size as can be. */
void cli_train_folds(size_t n, uint32_t k, uint64_t seed, uint32_t *fold);

/* Trains a model on n answers analysed by `analyzer` (its language is the
** model's) for the labels named in labels[0..n_labels). Fills *model (its
** index and weights malloc'd: cli_model_free()). Returns WM_OK, WM_ENOMEM,
** WM_EINVAL (no answers, 0 or over SV_MAX_LABELS labels, over 100 folds),
** or what wm_analyze() returns for an answer (err then names its line).
** Uses the analyzer on the calling thread only; starts and joins its own
** threads for the fits; keeps no state between calls, so calls with
** distinct analyzers may run at the same time. */
int cli_train(wm_analyzer *analyzer, const cli_example *examples, size_t n,
              const char *const *labels, size_t n_labels,
              const cli_train_options *options, sv_model *model, char *err,
              size_t err_size);

/* Writes a model as msgpack (sv_model.h) to path, through a temporary file
** renamed over it, so that a failed write leaves no half model. Returns
** WM_OK, WM_EIO (err names the file and why) or WM_ENOMEM. */
int cli_model_save(const sv_model *model, const char *path, char *err,
                   size_t err_size);

/* Checks that the model at path is for language lang (a code of
** wm_lang_list, "no" meaning "nb"): WM_ELANG with a message in err when it
** is for another; WM_OK when it is for lang or cannot be read (the plugin
** then reports that, naming the file). */
int cli_model_lang_check(const char *path, const char *lang, char *err,
                         size_t err_size);

/* Frees what cli_train() allocated in a model. */
void cli_model_free(sv_model *model);

#endif /* WM_CLI_TRAIN_H */
