/*
** sv_features.h — how the supervised plugin sees an answer: the hashed
** features of an analysed answer, and the model they are weighed by.
**
** Shared by the plugin (supervised.c, which applies a model) and the trainer
** of `whatmatters train` (engine/cli/train.c, which makes one), so that
** training and applying cannot see an answer differently. It uses only the
** types of whatmatters.h and calls no library function: memory comes from
** the caller's realloc.
**
** Features (each hashed with its kind, so "a stem" and "a character n-gram"
** of the same bytes are different features):
**   stem         the Snowball stem of every word, number or symbol token
**   bigram       two adjacent stems of one sentence
**   char         character n-grams (char_min..char_max code points) of each
**                word's normal form framed as "<norm>"
**   negated      the stem of a token in a negator's scope (WM_TOK_NEGATED),
**                besides its plain stem
**   part         a compound part or spelling correction (WM_TOK_PART,
**                WM_TOK_VARIANT: present with the spelling stage on),
**                hashed as a stem so that "stöd" in "anhörigstöd" is "stöd"
**   start        the stems of the answer's first start_tokens content tokens,
**                each with its place (0, 1, ...): how an answer opens tells
**                much of what it is about ("Nothing ...", "The staff ...",
**                "Parking ...": +0.025 macro-F1 on pxtextmining, whose
**                comments are coded by one topic; neutral to negative on
**                the gold corpora's answers to "what matters to you?",
**                so off unless asked for: bench/README.md)
** An answer's features are merged by bucket (values summed) and scaled to
** unit Euclidean length, so long and short answers weigh alike.
*/
#ifndef WM_SUPERVISED_FEATURES_H
#define WM_SUPERVISED_FEATURES_H

#include "whatmatters.h"

#include <stddef.h>
#include <stdint.h>

#define SV_MAGIC         "whatmatters-supervised" /* the model's "magic" */
#define SV_FORMAT        2u       /* the model format this code writes;
                                     it reads this one and format 1 (no
                                     start features), refuses others */
#define SV_FORMAT_OLDEST 1u       /* the oldest format still read */
#define SV_MAX_LABELS    64u      /* labels in a model (WM_MAX_AREAS) */
#define SV_MAX_LABEL_LEN 63u      /* bytes of one label name */
#define SV_HASH_BITS_MIN 10u      /* smallest hash space: 2^10 buckets */
#define SV_HASH_BITS_MAX 26u      /* largest: 2^26 */
#define SV_CHAR_MAX      8u       /* longest character n-gram */
#define SV_START_MAX     8u       /* most start_tokens a model may have */
#define SV_CHAR_WORD_MAX 64u      /* bytes of a normal form that n-grams are
                                     taken from (the rest of a longer word
                                     is ignored: bounded work per token) */

/* Feature kinds: hashed as the first byte, and the index of the value one
** occurrence adds (sv_params.kind_weight). */
enum {
    SV_F_STEM = 0,    /* a token's stem */
    SV_F_BIGRAM = 1,  /* two adjacent stems */
    SV_F_CHAR = 2,    /* a character n-gram */
    SV_F_NEGATED = 3, /* a stem in a negator's scope */
    SV_F_PART = 4,    /* a compound part or correction (hashed as a stem) */
    SV_F_START = 5,   /* a stem at place p of the answer's start */
    SV_F_KINDS = 6    /* how many kinds (format 1 models have the first 5) */
};

/* How answers become features: stored in the model, so that a model is
** applied exactly as it was trained. */
typedef struct sv_params {
    uint32_t hash_bits;              /* 2^hash_bits buckets */
    uint32_t char_min;               /* shortest n-gram (code points); 0:
                                        no character n-grams */
    uint32_t char_max;               /* longest (char_min..SV_CHAR_MAX) */
    uint32_t start_tokens;           /* content tokens at the start that
                                        give start features
                                        (0..SV_START_MAX; 0: none) */
    double kind_weight[SV_F_KINDS];  /* what one occurrence of a kind adds
                                        before the answer is normalised;
                                        0 turns a kind off */
} sv_params;

/* One feature of an answer. */
typedef struct sv_feature {
    uint32_t index; /* its bucket, < 2^hash_bits */
    uint32_t kind;  /* SV_F_* of its first occurrence */
    double value;   /* summed over occurrences, then normalised */
    size_t start;   /* SPAN of its first occurrence in the answer */
    size_t end;     /* one past its last byte */
} sv_feature;

/* Scratch memory for sv_features(): grown when an answer needs more,
** never shrunk. The owner sets realloc and ctx, and frees feats with the
** matching free when done. */
typedef struct sv_scratch {
    void *(*realloc)(void *ctx, void *ptr, size_t size); /* allocator */
    void *ctx;                                           /* passed back */
    sv_feature *feats;                                   /* the features */
    size_t n_feats;                                      /* how many */
    size_t cap_feats;                                    /* allocated */
} sv_scratch;

/* The default parameters of a new model (train's choices, measured in
** bench/README.md). */
void sv_params_default(sv_params *params);

/* 1 when params hold values a model may have (bits, n-gram lengths and
** weights in range), else 0. */
int sv_params_valid(const sv_params *params);

/* Computes the features of an analysed answer into scratch->feats: merged
** by bucket (sorted by index), values scaled to unit length, each with the
** span of its first occurrence. Returns WM_OK or WM_ENOMEM. Reads the
** analysis only; thread-safe with distinct scratches. */
int sv_features(sv_scratch *scratch, const sv_params *params,
                const wm_analysis *analysis);

/* A name for a feature kind, as evidence shows it ("stem", ...): a static
** string. */
const char *sv_kind_name(uint32_t kind);

#endif /* WM_SUPERVISED_FEATURES_H */
