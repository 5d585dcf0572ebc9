/*
** fuzz_model.c — the supervised plugin's model reader
** (plugins/supervised/sv_model.c) on arbitrary bytes.
**
** The reader checks every msgpack length against the bytes left before it
** reads or allocates. Checked here: a model it accepts keeps every promise
** of sv_model.h (label count and names, hash bits, n-gram range,
** thresholds in (0, 1), buckets strictly ascending and inside the hash
** space); a refusal says where ("byte N: ..."); and nothing stays allocated
** either way (an allocator that counts), nor is more allocated than the
** input could describe.
*/
#include "fuzz.h"
#include "sv_model.h"
#include "whatmatters.h"

#include <stdlib.h>
#include <string.h>

/* The allocator: counts live blocks and the largest request. */
typedef struct counter {
    long live;      /* blocks not yet freed */
    size_t largest; /* the largest single request */
} counter;

static void *count_realloc(void *ctx, void *ptr, size_t size)
{
    counter *c = ctx;
    void *p;

    if (size > c->largest)
        c->largest = size;
    p = realloc(ptr, size ? size : 1);
    if (p && !ptr)
        c->live++;
    return p;
}

static void count_free(void *ctx, void *ptr)
{
    counter *c = ctx;

    if (ptr)
        c->live--;
    free(ptr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    counter cnt = {0, 0};
    sv_alloc al = {count_realloc, count_free, &cnt};
    sv_model *m = malloc(sizeof *m);
    char err[512] = "";
    int rc;

    if (m == NULL)
        return 0;
    rc = sv_model_read(m, data, size, &al, err, sizeof err);
    if (rc == WM_OK) {
        FUZZ_CHECK(m->n_labels >= 1 && m->n_labels <= SV_MAX_LABELS);
        for (uint32_t i = 0; i < m->n_labels; i++) {
            FUZZ_CHECK(sv_label_valid(m->labels[i], strlen(m->labels[i])));
            FUZZ_CHECK(m->threshold[i] > 0.0 && m->threshold[i] < 1.0);
        }
        FUZZ_CHECK(sv_lang_valid(m->lang, strlen(m->lang)));
        FUZZ_CHECK(m->params.hash_bits >= SV_HASH_BITS_MIN &&
                   m->params.hash_bits <= SV_HASH_BITS_MAX);
        FUZZ_CHECK(m->params.char_max <= SV_CHAR_MAX);
        FUZZ_CHECK(m->n_feats <= SV_MAX_FEATS);
        FUZZ_CHECK(m->n_feats == 0 || (m->index != NULL && m->weights != NULL));
        for (uint32_t i = 0; i < m->n_feats; i++) {
            FUZZ_CHECK(m->index[i] < (1u << m->params.hash_bits));
            if (i > 0)
                FUZZ_CHECK(m->index[i] > m->index[i - 1]);
        }
        /* Index and weights are copied out of the file: no more than it
        ** holds (4 bytes a bucket, 4 a weight). */
        FUZZ_CHECK(cnt.largest <= size);
        sv_model_release(m, &al);
    } else {
        FUZZ_CHECK(rc == WM_EPARSE || rc == WM_ENOMEM);
        FUZZ_CHECK(err[0] != '\0');
    }
    FUZZ_CHECK(cnt.live == 0);
    free(m);
    return 0;
}
