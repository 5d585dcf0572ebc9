/*
** sv_features.c — the hashed features of an analysed answer (sv_features.h).
**
** One pass over the tokens pushes every occurrence of every feature with
** its span; a sort by bucket then merges the occurrences, and the vector is
** scaled to unit length. The scratch array grows to the largest answer seen
** and is reused, so the steady state allocates nothing. Hashing is FNV-1a
** over the kind byte and the feature's bytes, finished by a 64-bit mixer
** whose top bits pick the bucket: the same bytes give the same bucket on
** every machine, which is what lets a model travel.
*/
#include "sv_features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SV_FNV_BASIS 14695981039346656037ull /* FNV-1a, 64 bits */
#define SV_FNV_PRIME 1099511628211ull
#define SV_NO_TOKEN  ((size_t)-1)            /* no previous stem */

/* Token kinds that make features. */
#define SV_CONTENT (WM_TOK_WORD | WM_TOK_NUMBER | WM_TOK_SYMBOL)

/* The marks of a spelling alternative: it belongs to the token before. */
#define SV_ALT (WM_TOK_VARIANT | WM_TOK_PART)

/* Defaults measured on the pxtextmining and gold corpora (bench/README.md):
** character n-grams of 3 to 5, each weighing less than a whole stem, as
** a word has many of them. */
void sv_params_default(sv_params *params)
{
    memset(params, 0, sizeof *params);
    params->hash_bits = 22;
    params->char_min = 3;
    params->char_max = 5;
    params->kind_weight[SV_F_STEM] = 1.0;
    params->kind_weight[SV_F_BIGRAM] = 1.0;
    params->kind_weight[SV_F_CHAR] = 0.3;
    params->kind_weight[SV_F_NEGATED] = 1.0;
    params->kind_weight[SV_F_PART] = 1.0;
    params->start_tokens = 0; /* off: see sv_features.h */
    params->kind_weight[SV_F_START] = 2.0;
}

/* Checks parameters read from a model file before they drive any loop. */
int sv_params_valid(const sv_params *params)
{
    if (params->hash_bits < SV_HASH_BITS_MIN
        || params->hash_bits > SV_HASH_BITS_MAX)
        return 0;
    if (params->char_min != 0
        && (params->char_min > params->char_max
            || params->char_max > SV_CHAR_MAX))
        return 0;
    if (params->char_min == 0 && params->char_max != 0)
        return 0;
    if (params->start_tokens > SV_START_MAX)
        return 0;
    for (int k = 0; k < SV_F_KINDS; k++) {
        double w = params->kind_weight[k];
        if (!(w >= 0.0 && w <= 100.0)) /* also refuses NaN */
            return 0;
    }
    return 1;
}

/* Static names of the kinds, for evidence. */
const char *sv_kind_name(uint32_t kind)
{
    static const char *const names[SV_F_KINDS] = {
        "supervised: stem", "supervised: stem bigram",
        "supervised: character n-gram", "supervised: negated stem",
        "supervised: compound part", "supervised: stem at the start",
    };
    return kind < SV_F_KINDS ? names[kind] : "supervised";
}

/* FNV-1a over more bytes, continuing from h. */
static uint64_t sv_fnv(uint64_t h, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= SV_FNV_PRIME;
    }
    return h;
}

/* The bucket of a finished hash: mixed (FNV's low bits are weak), then its
** top hash_bits bits. */
static uint32_t sv_bucket(uint64_t h, uint32_t bits)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)(h >> (64 - bits));
}

/* The hash of a start feature: the kind, the place, the stem. */
static uint64_t sv_hash_start(uint32_t place, const char *s, size_t len)
{
    unsigned char head[2] = {SV_F_START, (unsigned char)place};

    return sv_fnv(sv_fnv(SV_FNV_BASIS, head, 2), s, len);
}

/* The hash of a kind followed by one string. */
static uint64_t sv_hash1(uint32_t kind, const char *s, size_t len)
{
    unsigned char k = (unsigned char)kind;

    return sv_fnv(sv_fnv(SV_FNV_BASIS, &k, 1), s, len);
}

/*
** Appends one occurrence, growing the array by doubling. Occurrences of
** kinds whose weight is 0 are not pushed at all.
*/
static int sv_push(sv_scratch *s, const sv_params *p, uint32_t kind,
                   uint32_t weight_kind, uint64_t hash, size_t start,
                   size_t end)
{
    sv_feature *f;

    if (p->kind_weight[weight_kind] <= 0.0)
        return WM_OK;
    if (s->n_feats == s->cap_feats) {
        size_t n = s->cap_feats ? s->cap_feats * 2 : 256;
        void *q;

        if (n > SIZE_MAX / sizeof *s->feats)
            return WM_ENOMEM;
        q = s->realloc(s->ctx, s->feats, n * sizeof *s->feats);
        if (!q)
            return WM_ENOMEM;
        s->feats = q;
        s->cap_feats = n;
    }
    f = &s->feats[s->n_feats++];
    f->index = sv_bucket(hash, p->hash_bits);
    f->kind = kind;
    f->value = p->kind_weight[weight_kind];
    f->start = start;
    f->end = end;
    return WM_OK;
}

/*
** Pushes the character n-grams of one word: its normal form framed as
** "<norm>" (at most SV_CHAR_WORD_MAX bytes of it, cut at a character), cut
** at code point boundaries so that "å" is one character, as fastText does.
*/
static int sv_push_chars(sv_scratch *s, const sv_params *p, const wm_token *t)
{
    unsigned char buf[SV_CHAR_WORD_MAX + 2];
    size_t off[SV_CHAR_WORD_MAX + 3];
    size_t len = t->norm_len, n_chars = 0;
    unsigned char k = SV_F_CHAR;
    uint64_t base = sv_fnv(SV_FNV_BASIS, &k, 1);
    int rc = WM_OK;

    if (len > SV_CHAR_WORD_MAX) {
        len = SV_CHAR_WORD_MAX;
        while (len > 0 && ((unsigned char)t->norm[len] & 0xC0) == 0x80)
            len--;
    }
    buf[0] = '<';
    memcpy(buf + 1, t->norm, len);
    buf[len + 1] = '>';
    len += 2;
    for (size_t i = 0; i < len; i++)
        if ((buf[i] & 0xC0) != 0x80)
            off[n_chars++] = i;
    off[n_chars] = len;
    for (uint32_t n = p->char_min; rc == WM_OK && n <= p->char_max; n++) {
        for (size_t c = 0; rc == WM_OK && c + n <= n_chars; c++)
            rc = sv_push(s, p, SV_F_CHAR, SV_F_CHAR,
                         sv_fnv(base, buf + off[c], off[c + n] - off[c]),
                         t->start, t->end);
    }
    return rc;
}

/* Orders occurrences by bucket, then span and kind: a total order, so the
** merge keeps the same first occurrence whatever qsort does with ties. */
static int sv_cmp_feature(const void *a, const void *b)
{
    const sv_feature *x = a, *y = b;

    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return 0;
}

/*
** The features of one answer (sv_features.h). Stems, negated stems and
** character n-grams come from each content token; a bigram from each pair
** of content tokens next to each other in one sentence (spelling
** alternatives between them do not part them); a compound part or a
** correction counts as a stem of its own.
*/
int sv_features(sv_scratch *scratch, const sv_params *params,
                const wm_analysis *analysis)
{
    const wm_token *tokens = analysis->tokens;
    size_t prev = SV_NO_TOKEN, kept = 0;
    uint32_t place = 0; /* content tokens seen, for start features */
    double norm = 0.0;
    int rc = WM_OK;

    scratch->n_feats = 0;
    for (size_t i = 0; rc == WM_OK && i < analysis->n_tokens; i++) {
        const wm_token *t = &tokens[i];

        if (t->flags & SV_ALT) {
            if (t->stem_len > 0)
                rc = sv_push(scratch, params, SV_F_PART, SV_F_PART,
                             sv_hash1(SV_F_STEM, t->stem, t->stem_len),
                             t->start, t->end);
            continue;
        }
        if (t->flags & WM_TOK_SENT_START)
            prev = SV_NO_TOKEN;
        if (!(t->flags & SV_CONTENT))
            continue;
        if ((t->flags & WM_TOK_LONG) || t->stem_len == 0) {
            prev = SV_NO_TOKEN;
            continue;
        }
        rc = sv_push(scratch, params, SV_F_STEM, SV_F_STEM,
                     sv_hash1(SV_F_STEM, t->stem, t->stem_len), t->start,
                     t->end);
        if (rc == WM_OK && place < params->start_tokens)
            rc = sv_push(scratch, params, SV_F_START, SV_F_START,
                         sv_hash_start(place, t->stem, t->stem_len),
                         t->start, t->end);
        place++;
        if (rc == WM_OK && (t->flags & WM_TOK_NEGATED)
            && !(t->flags & WM_TOK_STOPWORD))
            rc = sv_push(scratch, params, SV_F_NEGATED, SV_F_NEGATED,
                         sv_hash1(SV_F_NEGATED, t->stem, t->stem_len),
                         t->start, t->end);
        if (rc == WM_OK && prev != SV_NO_TOKEN) {
            const wm_token *a = &tokens[prev];
            uint64_t h = sv_hash1(SV_F_BIGRAM, a->stem, a->stem_len);
            unsigned char sep = 0; /* stems hold no NUL: no ambiguity */

            h = sv_fnv(sv_fnv(h, &sep, 1), t->stem, t->stem_len);
            rc = sv_push(scratch, params, SV_F_BIGRAM, SV_F_BIGRAM, h,
                         a->start, t->end);
        }
        if (rc == WM_OK && params->char_min > 0 && (t->flags & WM_TOK_WORD))
            rc = sv_push_chars(scratch, params, t);
        prev = i;
    }
    if (rc != WM_OK)
        return rc;

    qsort(scratch->feats, scratch->n_feats, sizeof *scratch->feats,
          sv_cmp_feature);
    for (size_t i = 0; i < scratch->n_feats; i++) {
        if (kept > 0 && scratch->feats[kept - 1].index
                            == scratch->feats[i].index) {
            scratch->feats[kept - 1].value += scratch->feats[i].value;
            continue;
        }
        scratch->feats[kept++] = scratch->feats[i];
    }
    scratch->n_feats = kept;
    for (size_t i = 0; i < kept; i++)
        norm += scratch->feats[i].value * scratch->feats[i].value;
    if (norm > 0.0) {
        norm = 1.0 / sqrt(norm);
        for (size_t i = 0; i < kept; i++)
            scratch->feats[i].value *= norm;
    }
    return WM_OK;
}
