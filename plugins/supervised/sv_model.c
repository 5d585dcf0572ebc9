/*
** sv_model.c — reading a supervised model file (sv_model.h).
**
** A msgpack reader of just the types a model uses (maps, arrays, strings,
** binaries, unsigned integers, floats), written for hostile input: every
** length is checked against the bytes left before anything is read or
** allocated, nesting is bounded where unknown values are skipped, and each
** error names the byte offset and the key being read. The plugin cannot use
** msgpack-c (it links nothing but libc and libm), and a reader of our own
** keeps the checks in one place.
*/
#include "sv_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SV_SKIP_DEPTH 16 /* nesting of an unknown value that is skipped */

/* Where a read is. */
typedef struct mp_reader {
    const unsigned char *p; /* the file's bytes */
    size_t len;             /* how many */
    size_t pos;             /* next byte to read */
    const char *key;        /* the key whose value is read, for messages */
    char *err;              /* the caller's message buffer */
    size_t err_size;        /* its size */
} mp_reader;

/* Writes "byte N: what (reading KEY)" and returns WM_EPARSE. */
static int mp_fail(mp_reader *r, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->err && r->err_size)
        snprintf(r->err, r->err_size, "byte %zu: %s%s%s%s", r->pos, what,
                 r->key ? " (reading \"" : "", r->key ? r->key : "",
                 r->key ? "\")" : "");
    return WM_EPARSE;
}

/* Takes n bytes, or fails as truncated. */
static int mp_take(mp_reader *r, size_t n, const unsigned char **out)
{
    *out = r->p + r->pos; /* set either way: callers test rc */
    if (r->len - r->pos < n)
        return mp_fail(r, "the file ends early (truncated?)");
    r->pos += n;
    return WM_OK;
}

/* A big-endian unsigned integer of n bytes (1, 2, 4 or 8). */
static int mp_be(mp_reader *r, size_t n, uint64_t *v)
{
    const unsigned char *b;
    int rc = mp_take(r, n, &b);

    if (rc != WM_OK)
        return rc;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = (*v << 8) | b[i];
    return WM_OK;
}

/* The type byte of the next value. */
static int mp_byte(mp_reader *r, unsigned char *c)
{
    const unsigned char *b;
    int rc = mp_take(r, 1, &b);

    if (rc == WM_OK)
        *c = b[0];
    return rc;
}

/* Reads a map or array header (is_map selects which) into *n. */
static int mp_container(mp_reader *r, int is_map, uint32_t *n)
{
    unsigned char c;
    uint64_t v;
    int rc = mp_byte(r, &c);

    if (rc != WM_OK)
        return rc;
    if (is_map && (c & 0xF0) == 0x80) {
        *n = c & 0x0F;
        return WM_OK;
    }
    if (!is_map && (c & 0xF0) == 0x90) {
        *n = c & 0x0F;
        return WM_OK;
    }
    if (c == (is_map ? 0xDE : 0xDC))
        rc = mp_be(r, 2, &v);
    else if (c == (is_map ? 0xDF : 0xDD))
        rc = mp_be(r, 4, &v);
    else {
        r->pos--;
        return mp_fail(r, "expected %s, found type byte 0x%02x",
                       is_map ? "a map" : "an array", c);
    }
    if (rc != WM_OK)
        return rc;
    /* Every element takes at least one byte (two for a map entry). */
    if (v > (r->len - r->pos) / (is_map ? 2 : 1))
        return mp_fail(r, "%s of %llu elements in %zu bytes left",
                       is_map ? "a map" : "an array",
                       (unsigned long long)v, r->len - r->pos);
    *n = (uint32_t)v;
    return WM_OK;
}

/* Reads a string or a binary (is_bin) into a borrowed pointer. */
static int mp_bytes(mp_reader *r, int is_bin, const unsigned char **s,
                    size_t *n)
{
    unsigned char c;
    uint64_t v;
    int rc = mp_byte(r, &c);

    if (rc != WM_OK)
        return rc;
    if (!is_bin && (c & 0xE0) == 0xA0)
        v = c & 0x1F;
    else if (c == (is_bin ? 0xC4 : 0xD9))
        rc = mp_be(r, 1, &v);
    else if (c == (is_bin ? 0xC5 : 0xDA))
        rc = mp_be(r, 2, &v);
    else if (c == (is_bin ? 0xC6 : 0xDB))
        rc = mp_be(r, 4, &v);
    else {
        r->pos--;
        return mp_fail(r, "expected %s, found type byte 0x%02x",
                       is_bin ? "a binary" : "a string", c);
    }
    if (rc != WM_OK)
        return rc;
    if (v > r->len - r->pos)
        return mp_fail(r, "%s of %llu bytes in %zu bytes left",
                       is_bin ? "a binary" : "a string",
                       (unsigned long long)v, r->len - r->pos);
    *n = (size_t)v;
    return mp_take(r, *n, s);
}

/* Reads an unsigned integer (positive fixint or uint 8..64). */
static int mp_uint(mp_reader *r, uint64_t *v)
{
    unsigned char c;
    int rc = mp_byte(r, &c);

    if (rc != WM_OK)
        return rc;
    if (c < 0x80) {
        *v = c;
        return WM_OK;
    }
    if (c >= 0xCC && c <= 0xCF)
        return mp_be(r, (size_t)1 << (c - 0xCC), v);
    r->pos--;
    return mp_fail(r, "expected an unsigned integer, found type byte 0x%02x",
                   c);
}

/* Reads a number as a double: float 32/64 or an unsigned integer; NaN and
** infinities are refused. */
static int mp_double(mp_reader *r, double *out)
{
    unsigned char c;
    uint64_t v;
    int rc;

    if (r->pos >= r->len)
        return mp_fail(r, "the file ends early (truncated?)");
    c = r->p[r->pos];
    if (c == 0xCA || c == 0xCB) {
        r->pos++;
        rc = mp_be(r, c == 0xCA ? 4 : 8, &v);
        if (rc != WM_OK)
            return rc;
        if (c == 0xCA) {
            uint32_t u = (uint32_t)v;
            float f;
            memcpy(&f, &u, sizeof f);
            *out = f;
        } else {
            memcpy(out, &v, sizeof *out);
        }
    } else {
        rc = mp_uint(r, &v);
        if (rc != WM_OK)
            return rc;
        *out = (double)v;
    }
    if (!(*out == *out) || *out > 1e300 || *out < -1e300)
        return mp_fail(r, "a number that is not finite");
    return WM_OK;
}

/* Skips one value of any type, nested at most SV_SKIP_DEPTH deep. */
static int mp_skip(mp_reader *r, int depth)
{
    unsigned char c;
    const unsigned char *b;
    uint64_t v = 0;
    size_t n;
    uint32_t count;
    int rc;

    if (depth > SV_SKIP_DEPTH)
        return mp_fail(r, "values nested over %d deep", SV_SKIP_DEPTH);
    if (r->pos >= r->len)
        return mp_fail(r, "the file ends early (truncated?)");
    c = r->p[r->pos];
    if (c < 0x80 || c >= 0xE0 || c == 0xC0 || c == 0xC2 || c == 0xC3) {
        r->pos++; /* fixint, negative fixint, nil, false, true */
        return WM_OK;
    }
    if ((c & 0xE0) == 0xA0 || (c >= 0xD9 && c <= 0xDB))
        return mp_bytes(r, 0, &b, &n);
    if (c >= 0xC4 && c <= 0xC6)
        return mp_bytes(r, 1, &b, &n);
    if ((c & 0xF0) == 0x80 || c == 0xDE || c == 0xDF
        || (c & 0xF0) == 0x90 || c == 0xDC || c == 0xDD) {
        int is_map = (c & 0xF0) == 0x80 || c == 0xDE || c == 0xDF;
        rc = mp_container(r, is_map, &count);
        for (uint64_t i = 0; rc == WM_OK && i < (uint64_t)count * (is_map ? 2 : 1); i++)
            rc = mp_skip(r, depth + 1);
        return rc;
    }
    r->pos++;
    switch (c) {
    case 0xCC: case 0xD0: return mp_take(r, 1, &b);
    case 0xCD: case 0xD1: return mp_take(r, 2, &b);
    case 0xCA: case 0xCE: case 0xD2: return mp_take(r, 4, &b);
    case 0xCB: case 0xCF: case 0xD3: return mp_take(r, 8, &b);
    case 0xD4: return mp_take(r, 2, &b); /* fixext 1 */
    case 0xD5: return mp_take(r, 3, &b);
    case 0xD6: return mp_take(r, 5, &b);
    case 0xD7: return mp_take(r, 9, &b);
    case 0xD8: return mp_take(r, 17, &b);
    case 0xC7: case 0xC8: case 0xC9:
        rc = mp_be(r, (size_t)1 << (c - 0xC7), &v); /* then type, data */
        return rc == WM_OK ? mp_take(r, (size_t)v + 1, &b) : rc;
    default:
        r->pos--;
        return mp_fail(r, "type byte 0x%02x is not msgpack", c);
    }
}

/* Reads an array of exactly `want` numbers into out. */
static int mp_doubles(mp_reader *r, double *out, uint32_t want,
                      uint32_t max, uint32_t *got)
{
    uint32_t n;
    int rc = mp_container(r, 0, &n);

    if (rc != WM_OK)
        return rc;
    if (n == 0 || n > max || (want && n != want))
        return mp_fail(r, "an array of %u numbers (expected %u)", n,
                       want ? want : max);
    for (uint32_t i = 0; rc == WM_OK && i < n; i++)
        rc = mp_double(r, &out[i]);
    *got = n;
    return rc;
}

/* Label ids: what a taxonomy's [id] may hold. */
int sv_label_valid(const char *s, size_t len)
{
    if (len == 0 || len > SV_MAX_LABEL_LEN)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* The languages of whatmatters.h (a model names one). */
int sv_lang_valid(const char *s, size_t len)
{
    static const char *const langs[] = {"sv", "nb", "nn", "da", "en"};

    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (len == strlen(langs[i]) && memcmp(s, langs[i], len) == 0)
            return 1;
    return 0;
}

/* Little-endian readers for the binaries. */
static uint32_t sv_le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16
           | (uint32_t)b[3] << 24;
}

/* The keys a model has, and a bit for each to find a missing or repeated
** one. */
enum {
    K_MAGIC, K_FORMAT, K_LANG, K_LABELS, K_HASH_BITS, K_CHAR_MIN, K_CHAR_MAX,
    K_KIND_WEIGHTS, K_SINGLE, K_SEED, K_ANSWERS, K_THRESHOLDS, K_BIAS,
    K_INDEX, K_WEIGHTS, K_START_TOKENS, K_COUNT
};
static const char *const sv_keys[K_COUNT] = {
    "magic", "format", "lang", "labels", "hash_bits", "char_min",
    "char_max", "kind_weights", "single_label", "seed", "answers",
    "thresholds", "bias", "index", "weights", "start_tokens",
};

/* Reads one key's value into the model (bins are kept borrowed in
** index_bytes and weight_bytes until the end, when sizes are known). */
static int sv_read_value(mp_reader *r, sv_model *m, int key,
                         const unsigned char **index_bytes, size_t *index_len,
                         const unsigned char **weight_bytes,
                         size_t *weight_len, uint32_t *n_thr,
                         uint32_t *n_bias, uint32_t *n_kinds)
{
    const unsigned char *s;
    size_t n;
    uint64_t v;
    uint32_t count;
    int rc;

    switch (key) {
    case K_MAGIC:
        rc = mp_bytes(r, 0, &s, &n);
        if (rc == WM_OK && (n != strlen(SV_MAGIC) || memcmp(s, SV_MAGIC, n)))
            return mp_fail(r, "not a whatmatters supervised model");
        return rc;
    case K_FORMAT:
        rc = mp_uint(r, &v);
        if (rc == WM_OK && (v < SV_FORMAT_OLDEST || v > SV_FORMAT))
            return mp_fail(r, "model format %llu; this build reads formats "
                           "%u to %u (retrain the model)",
                           (unsigned long long)v, SV_FORMAT_OLDEST, SV_FORMAT);
        if (rc == WM_OK)
            m->format = (uint32_t)v;
        return rc;
    case K_LANG:
        rc = mp_bytes(r, 0, &s, &n);
        if (rc == WM_OK && !sv_lang_valid((const char *)s, n))
            return mp_fail(r, "unknown language");
        if (rc == WM_OK) {
            memcpy(m->lang, s, n);
            m->lang[n] = '\0';
        }
        return rc;
    case K_LABELS:
        rc = mp_container(r, 0, &count);
        if (rc == WM_OK && (count == 0 || count > SV_MAX_LABELS))
            return mp_fail(r, "%u labels (1 to %u allowed)", count,
                           SV_MAX_LABELS);
        for (uint32_t i = 0; rc == WM_OK && i < count; i++) {
            rc = mp_bytes(r, 0, &s, &n);
            if (rc == WM_OK && !sv_label_valid((const char *)s, n))
                return mp_fail(r, "label %u is not an area id (a-z, 0-9, _; "
                               "1 to %u bytes)", i + 1, SV_MAX_LABEL_LEN);
            for (uint32_t k = 0; rc == WM_OK && k < i; k++)
                if (strlen(m->labels[k]) == n && !memcmp(m->labels[k], s, n))
                    return mp_fail(r, "label '%s' twice", m->labels[k]);
            if (rc == WM_OK) {
                memcpy(m->labels[i], s, n);
                m->labels[i][n] = '\0';
            }
        }
        if (rc == WM_OK)
            m->n_labels = count;
        return rc;
    case K_HASH_BITS:
    case K_CHAR_MIN:
    case K_CHAR_MAX:
    case K_SINGLE:
    case K_START_TOKENS:
        rc = mp_uint(r, &v);
        if (rc == WM_OK && v > 64)
            return mp_fail(r, "value %llu out of range",
                           (unsigned long long)v);
        if (key == K_HASH_BITS)
            m->params.hash_bits = (uint32_t)v;
        else if (key == K_CHAR_MIN)
            m->params.char_min = (uint32_t)v;
        else if (key == K_CHAR_MAX)
            m->params.char_max = (uint32_t)v;
        else if (key == K_START_TOKENS)
            m->params.start_tokens = (uint32_t)v;
        else if (v > 1)
            return mp_fail(r, "single_label is 0 or 1");
        else
            m->single_label = (uint32_t)v;
        return rc;
    case K_SEED:
        return mp_uint(r, &m->seed);
    case K_ANSWERS:
        return mp_uint(r, &m->answers);
    case K_KIND_WEIGHTS:
        return mp_doubles(r, m->params.kind_weight, 0, SV_F_KINDS,
                          n_kinds);
    case K_THRESHOLDS:
        rc = mp_doubles(r, m->threshold, 0, SV_MAX_LABELS, n_thr);
        for (uint32_t i = 0; rc == WM_OK && i < *n_thr; i++)
            if (!(m->threshold[i] > 0.0 && m->threshold[i] < 1.0))
                return mp_fail(r, "threshold %u is not in (0, 1)", i + 1);
        return rc;
    case K_BIAS:
        rc = mp_doubles(r, m->bias, 0, SV_MAX_LABELS, n_bias);
        for (uint32_t i = 0; rc == WM_OK && i < *n_bias; i++)
            if (m->bias[i] > 1e6 || m->bias[i] < -1e6)
                return mp_fail(r, "bias %u out of range", i + 1);
        return rc;
    case K_INDEX:
        return mp_bytes(r, 1, index_bytes, index_len);
    case K_WEIGHTS:
        return mp_bytes(r, 1, weight_bytes, weight_len);
    default:
        return mp_skip(r, 0);
    }
}

/*
** Reads a model (sv_model.h): the map's keys in any order, then the checks
** that tie them together (sizes of index and weights against the labels
** and the hash space, ascending buckets, finite weights), and only then the
** two allocations, of sizes the file's own length bounds.
*/
int sv_model_read(sv_model *m, const unsigned char *bytes, size_t len,
                  const sv_alloc *alloc, char *err, size_t err_size)
{
    mp_reader r = {bytes, len, 0, NULL, err, err_size};
    const unsigned char *index_bytes = NULL, *weight_bytes = NULL;
    size_t index_len = 0, weight_len = 0;
    uint32_t n_keys, seen = 0, n_thr = 0, n_bias = 0, n_kinds = 0;
    uint32_t optional = 1u << K_SEED | 1u << K_ANSWERS | 1u << K_START_TOKENS;
    uint64_t n_feats;
    int rc;

    memset(m, 0, sizeof *m);
    rc = mp_container(&r, 1, &n_keys);
    for (uint32_t i = 0; rc == WM_OK && i < n_keys; i++) {
        const unsigned char *key;
        size_t key_len;
        int k;

        r.key = NULL;
        rc = mp_bytes(&r, 0, &key, &key_len);
        if (rc != WM_OK)
            break;
        for (k = 0; k < K_COUNT; k++)
            if (strlen(sv_keys[k]) == key_len
                && memcmp(sv_keys[k], key, key_len) == 0)
                break;
        if (k < K_COUNT) {
            if (seen & (1u << k))
                return mp_fail(&r, "key \"%s\" twice", sv_keys[k]);
            seen |= 1u << k;
            r.key = sv_keys[k];
        }
        rc = sv_read_value(&r, m, k, &index_bytes, &index_len, &weight_bytes,
                           &weight_len, &n_thr, &n_bias, &n_kinds);
    }
    if (rc != WM_OK)
        return rc;
    r.key = NULL;
    if (r.pos != len)
        return mp_fail(&r, "%zu bytes after the model", len - r.pos);
    if (!(seen & (1u << K_MAGIC)))
        return mp_fail(&r, "not a whatmatters supervised model (no \"magic\")");
    for (int k = 0; k < K_COUNT; k++)
        if (!(seen & (1u << k)) && !(optional & (1u << k)))
            return mp_fail(&r, "no \"%s\" in the model", sv_keys[k]);
    /* Format 1 came before start features: 5 kinds, no start_tokens. */
    if (m->format == 1 ? (n_kinds != SV_F_KINDS - 1
                          || (seen & (1u << K_START_TOKENS)))
                       : (n_kinds != SV_F_KINDS
                          || !(seen & (1u << K_START_TOKENS))))
        return mp_fail(&r, "format %u with %u kind weights%s", m->format,
                       n_kinds, (seen & (1u << K_START_TOKENS))
                                    ? " and start_tokens"
                                    : " and no start_tokens");
    if (!sv_params_valid(&m->params))
        return mp_fail(&r, "hashing parameters out of range (hash_bits %u, "
                       "char_min %u, char_max %u)", m->params.hash_bits,
                       m->params.char_min, m->params.char_max);
    if (n_thr != m->n_labels || n_bias != m->n_labels)
        return mp_fail(&r, "%u thresholds and %u biases for %u labels", n_thr,
                       n_bias, m->n_labels);
    if (index_len % 4 != 0)
        return mp_fail(&r, "\"index\" of %zu bytes is no whole number of "
                       "buckets", index_len);
    n_feats = index_len / 4;
    if (n_feats > ((uint64_t)1 << m->params.hash_bits))
        return mp_fail(&r, "%llu rows for %u hash bits",
                       (unsigned long long)n_feats, m->params.hash_bits);
    if ((uint64_t)weight_len != n_feats * m->n_labels * 4)
        return mp_fail(&r, "\"weights\" of %zu bytes; %llu rows of %u labels "
                       "need %llu", weight_len, (unsigned long long)n_feats,
                       m->n_labels,
                       (unsigned long long)(n_feats * m->n_labels * 4));
    m->n_feats = (uint32_t)n_feats;
    if (n_feats > 0) {
        m->index = alloc->realloc(alloc->ctx, NULL, index_len);
        m->weights = alloc->realloc(alloc->ctx, NULL, weight_len);
        if (!m->index || !m->weights) {
            sv_model_release(m, alloc);
            return WM_ENOMEM;
        }
    }
    for (uint32_t i = 0; i < m->n_feats; i++) {
        m->index[i] = sv_le32(index_bytes + 4 * (size_t)i);
        if (m->index[i] >> m->params.hash_bits
            || (i > 0 && m->index[i] <= m->index[i - 1])) {
            sv_model_release(m, alloc);
            r.pos = (size_t)(index_bytes - bytes) + 4 * (size_t)i;
            r.key = "index";
            return mp_fail(&r, "bucket %u out of range or out of order",
                           i + 1);
        }
    }
    for (size_t i = 0; i < (size_t)m->n_feats * m->n_labels; i++) {
        uint32_t u = sv_le32(weight_bytes + 4 * i);
        float f;

        memcpy(&f, &u, sizeof f);
        if (!(f == f) || f > 1e6f || f < -1e6f) {
            sv_model_release(m, alloc);
            r.pos = (size_t)(weight_bytes - bytes) + 4 * i;
            r.key = "weights";
            return mp_fail(&r, "a weight that is not finite or out of range");
        }
        m->weights[i] = f;
    }
    return WM_OK;
}

/* Frees the two arrays; the rest of the model lives in the struct. */
void sv_model_release(sv_model *m, const sv_alloc *alloc)
{
    if (alloc->free) {
        alloc->free(alloc->ctx, m->index);
        alloc->free(alloc->ctx, m->weights);
    }
    m->index = NULL;
    m->weights = NULL;
    m->n_feats = 0;
}
