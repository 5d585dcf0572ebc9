/*
** sv_model.h — the supervised plugin's model: what a model holds in memory, and
** the reader of its file.
**
** The file is one msgpack map (format SV_FORMAT), written by `whatmatters
** train` (engine/cli/train.c, with msgpack-c) and read here by a small
** reader of our own that checks every length against the bytes left before
** it reads or allocates anything, so that a truncated, oversized or hostile
** file is an error that says where, never a crash or a huge allocation.
** The keys (docs in plugins/supervised/README.md):
**   "magic"        str   SV_MAGIC
**   "format"       uint  SV_FORMAT (2); format 1 is read too: it has no
**                  "start_tokens" and SV_F_KINDS - 1 kind weights
**   "lang"         str   the language the model was trained on ("sv", ...)
**   "labels"       array of str: the label (area) ids, 1 to SV_MAX_LABELS
**   "hash_bits", "char_min", "char_max", "start_tokens"   uint: sv_params
**   "kind_weights" array of SV_F_KINDS float: sv_params.kind_weight
**   "single_label" uint 0/1: every training answer had exactly one label
**   "seed", "answers"   uint: the training seed and answer count (kept for
**                        the record)
**   "thresholds"   array of float per label, in (0, 1): the probability
**                  at which a label is assigned
**   "bias"         array of float per label
**   "index"        bin: n uint32 little-endian buckets, strictly ascending
**   "weights"      bin: n * labels float32 little-endian, row per bucket
** Unknown keys are skipped (a later minor addition); a key twice, a
** missing one, or a value out of range is refused.
*/
#ifndef WM_SUPERVISED_MODEL_H
#define WM_SUPERVISED_MODEL_H

#include "sv_features.h"

#include <stddef.h>
#include <stdint.h>

#define SV_MAX_FEATS (1u << SV_HASH_BITS_MAX) /* rows a model may have */

/* A model in memory. */
typedef struct sv_model {
    uint32_t format;                                 /* of the file read */
    char lang[8];                                    /* "sv", ... */
    uint32_t n_labels;                               /* 1..SV_MAX_LABELS */
    char labels[SV_MAX_LABELS][SV_MAX_LABEL_LEN + 1]; /* ids, NUL-ended */
    sv_params params;                                /* the features */
    uint32_t single_label;                           /* 1: one label per
                                                        answer */
    uint64_t seed;                                   /* training seed */
    uint64_t answers;                                /* answers trained on */
    double threshold[SV_MAX_LABELS];                 /* per label, (0, 1) */
    double bias[SV_MAX_LABELS];                      /* per label */
    uint32_t n_feats;                                /* rows */
    uint32_t *index;                                 /* [n_feats] buckets,
                                                        ascending */
    float *weights;                                  /* [n_feats * n_labels]
                                                        row-major */
} sv_model;

/* The allocator the reader uses for index and weights. */
typedef struct sv_alloc {
    void *(*realloc)(void *ctx, void *ptr, size_t size); /* allocate */
    void (*free)(void *ctx, void *ptr);                  /* release */
    void *ctx;                                           /* passed back */
} sv_alloc;

/* Reads a model from the bytes of its file into *model (zeroed first).
** Returns WM_OK; WM_EPARSE with a message "byte N: what" in err for
** anything malformed, truncated, out of range or of another format (index
** and weights are then freed, the rest undefined); WM_ENOMEM. The bytes
** are only borrowed. */
int sv_model_read(sv_model *model, const unsigned char *bytes, size_t len,
                  const sv_alloc *alloc, char *err, size_t err_size);

/* Frees what sv_model_read() allocated (index, weights). */
void sv_model_release(sv_model *model, const sv_alloc *alloc);

/* 1 when s[0..len) is a valid label id: lower-case ASCII letters, digits
** and '_', 1 to SV_MAX_LABEL_LEN bytes (a taxonomy's ids). */
int sv_label_valid(const char *s, size_t len);

/* 1 when s is one of the languages a model may name. */
int sv_lang_valid(const char *s, size_t len);

#endif /* WM_SUPERVISED_MODEL_H */
