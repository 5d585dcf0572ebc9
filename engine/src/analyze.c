/*
** analyze.c — the analyzer: segment, normalise, stem and mark one answer.
**
** The hot loop walks the UAX #29 segments of the caller's bytes. For each
** word it hashes the surface bytes and looks them up in the analyzer's
** cache; a hit gives the normal form, the stem and the word-list bits at
** once, so the Unicode work and the stemmer run once per distinct surface
** form, not per token (real corpora are Zipfian: most tokens are hits).
** Nothing is allocated per token once the buffers have grown.
**
** The cache has two parts:
**   words:   surface bytes -> one 64-byte entry holding all that a token
**            needs (wordcache.h), so that a hit is one probe;
**   strings: the interned normal forms and stems (and surfaces too long to
**            keep inline), whose pointers the entries and tokens hold; for
**            a normal form, val is its stem's id (0 until stemmed) and aux
**            its WM_WL_* bits.
** Both are cleared together when the cache bound is reached, at the start
** of a call, so that no pointer lent out by the current analysis dangles.
**
** In front of them stands the engine's cache of the language, shared by
** all its analyzers (sharedcache.h; spelling off), read without a lock: a
** word is looked up there first and its entry used where it is, so all
** threads share one copy of the vocabulary; a surface form that misses it
** is analysed once under its lock, into its strings, so that the other
** workers find it done. Its strings carry the ids just past the engine's
** vocabulary; only when it is full does an analyzer keep words in its own
** cache and intern strings of its own, with ids past the shared ones (a
** string the shared cache holds keeps the shared id), so that equal
** strings still have equal ids within an analyzer.
**
** With the spelling stage on (spell.c), a word's entry also says where its
** extra tokens (compound parts, a variant) are in the analyzer's `alts`
** array, filled on the miss: a hit emits them without any lookup, and the
** stage's shared cache and locks are reached only from fill_miss().
*/
#include "wm_internal.h"
#include "normalize.h"
#include "sharedcache.h"
#include "utf8.h"
#include "wordbreak.h"
#include "wordcache.h"

#include <libstemmer.h>
#include <stddef.h>
#include <string.h>

WM_API int wm_analyzer_new(wm_engine *engine, const char *lang,
                           wm_analyzer **out)
{
    int index;

    if (!out)
        return WM_EINVAL;
    *out = NULL;
    if (!engine)
        return WM_EINVAL;
    index = wm__lang_index(lang);
    if (index < 0)
        return WM_ELANG;
    return wm__analyzer_make(engine, index, 1, out);
}

/* The engine's shared cache of a language, made by the first analyzer
** that asks (two racing makers: one wins, the other frees its own). NULL
** when memory runs out: the analyzer then works alone. */
static wm_sharedcache *shared_cache(wm_engine *engine, int index)
{
    wm_sharedcache *c = atomic_load_explicit(&engine->shared[index], memory_order_acquire);
    wm_sharedcache *expected = NULL;

    if (c)
        return c;
    if (!(c = wm_sharedcache_new(&engine->alloc, engine->cache_entries)))
        return NULL;
    if (!atomic_compare_exchange_strong_explicit(&engine->shared[index], &expected, c,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire)) {
        wm_sharedcache_free(c);
        c = expected;
    }
    return c;
}

/* Makes an analyzer for a language index; see wm_internal.h. */
int wm__analyzer_make(wm_engine *engine, int index, int freeze, wm_analyzer **out)
{
    wm_analyzer *a;

    *out = NULL;
    if (freeze)
        atomic_store(&engine->frozen, 1);
    a = wm__calloc(&engine->alloc, 1, sizeof *a);
    if (!a)
        return WM_ENOMEM;
    a->engine = engine;
    a->lang = index;
    a->lists = &engine->lists[index];
    /* Setup analyzers serve plugins' own strings: no spelling there. */
    a->spell = freeze ? engine->spell[index] : NULL;
    wm_wordcache_init(&a->words, &engine->alloc);
    wm_intern_init(&a->strings, &engine->alloc);
    wm_normbuf_init(&a->nb, &engine->alloc);
    a->stemmer = sb_stemmer_new(wm__lang_snowball(index), "UTF_8");
    if (!a->stemmer) {
        wm__free(&engine->alloc, a);
        return WM_ESTEMMER;
    }
    if (freeze && !a->spell)
        a->shared = shared_cache(engine, index);
    *out = a;
    return WM_OK;
}

WM_API void wm_analyzer_free(wm_analyzer *a)
{
    if (!a)
        return;
    wm__classify_free(a);
    sb_stemmer_delete(a->stemmer);
    wm_wordcache_free(&a->words);
    wm_intern_free(&a->strings);
    wm_normbuf_free(&a->nb);
    wm__free(&a->engine->alloc, a->tokens);
    wm__free(&a->engine->alloc, a->alts);
    wm__free(&a->engine->alloc, a);
}

WM_API const char *wm_analyzer_lang(const wm_analyzer *a)
{
    return a ? wm__lang_code(a->lang) : NULL;
}

WM_API const char *wm_analyzer_errmsg(const wm_analyzer *a)
{
    return a ? a->errmsg : "no analyzer";
}

WM_API void wm_analyzer_get_stats(const wm_analyzer *a, wm_analyzer_stats *stats)
{
    if (!a || !stats)
        return;
    *stats = a->stats;
    /* The analyzer's own cache: words it reads from the shared cache are
    ** not counted (no analyzer knows which of them it has seen). */
    stats->cache_size = a->words.count;
}

/* Starts the cache afresh when it holds more than its bound. Called only
** at the start of a call, when nothing lent out is still valid. The one
** place the analyzer's ids may come to mean other strings: the count of
** resets is what plugins are given as the ids' epoch (classify.c), so
** another way of clearing a->strings must count itself there too. */
static void bound_cache(wm_analyzer *a)
{
    if (a->words.count < a->engine->cache_entries)
        return;
    wm_wordcache_clear(&a->words);
    wm_intern_clear(&a->strings);
    a->n_alts = 0;
    a->stats.cache_resets++;
}

/*
** Gives the normal form of a cache miss its stem and word-list bits, in the
** string table t (the analyzer's or, under its lock, the shared cache's).
** The stem is interned in the same table, so an entry pointer taken before
** the add may move: we look the entry up again by id. A stem that is the
** normal form itself (a good share of the words) is that entry: no hash,
** no look-up.
*/
static int stem_norm(wm_analyzer *a, wm_intern *t, uint32_t norm_id)
{
    wm_intern_entry *e = wm_intern_get(t, norm_id);
    const sb_symbol *stem;
    uint32_t bits = wm_wordlists_lookup(a->lists, e->str, e->len, e->hash);
    uint32_t stem_id;
    int stem_len, rc;

    stem = sb_stemmer_stem(a->stemmer, (const sb_symbol *)e->str, (int)e->len);
    if (!stem)
        return wm__error(a->errmsg, WM_ENOMEM, "the stemmer ran out of memory");
    stem_len = sb_stemmer_length(a->stemmer);
    a->stats.stems++;
    if ((size_t)stem_len == e->len && memcmp(stem, e->str, e->len) == 0) {
        e->val = norm_id;
        e->aux = bits;
        return WM_OK;
    }
    rc = wm_intern_add(t, (const char *)stem, (size_t)stem_len,
                       wm_hash(stem, (size_t)stem_len), &stem_id);
    if (rc != WM_OK)
        return wm__error(a->errmsg, rc, "out of memory in the stem cache");
    e = wm_intern_get(t, norm_id);
    e->val = stem_id;
    e->aux = bits;
    return WM_OK;
}

/*
** The id a token carries for a string (entry `local` of table t): the
** engine's id when a plugin interned the string (so plugins compare
** integers), else one past the engine's ids plus its id in the shared
** cache, else (the analyzer's own table, once the shared cache is full and
** so frozen) one past those plus its own id. Computed once per cache miss.
*/
static uint32_t public_id(const wm_analyzer *a, const wm_intern *t,
                          const wm_intern_entry *e, uint32_t local)
{
    const wm_intern *vocab = &a->engine->vocab[a->lang];
    uint32_t id = wm_intern_find(vocab, e->str, e->len, e->hash);
    uint32_t base = (uint32_t)wm_intern_count(vocab);

    if (id)
        return id;
    if (t == &a->strings && a->shared) {
        const wm_intern *shared = &a->shared->strings;
        id = wm_intern_find(shared, e->str, e->len, e->hash);
        if (id)
            return base + id;
        base += (uint32_t)wm_intern_count(shared);
    }
    return base + local;
}

/* Interns a normal form and, when it is new, stems it; writes its id. The
** one way a miss (a surface form, or a spelling alternative) gets its
** strings. */
static int intern_stemmed(wm_analyzer *a, wm_intern *t, const char *norm,
                          size_t len, uint32_t *nid)
{
    int rc = wm_intern_add(t, norm, len, wm_hash(norm, len), nid);

    if (rc != WM_OK)
        return wm__error(a->errmsg, rc, "out of memory in the word cache");
    if (wm_intern_get(t, *nid)->val == 0)
        return stem_norm(a, t, *nid);
    return WM_OK;
}

/* The strings and public ids a token takes from the normal form nid of
** table t; a stem that is the normal form shares its public id, looked up
** once. */
static void word_strings(const wm_analyzer *a, const wm_intern *t, uint32_t nid,
                         wm_word_image *out)
{
    const wm_intern_entry *ne = wm_intern_get(t, nid);
    const wm_intern_entry *se = wm_intern_get(t, ne->val);

    out->norm = ne->str;
    out->norm_len = ne->len;
    out->norm_id = public_id(a, t, ne, nid);
    out->stem = se->str;
    out->stem_len = se->len;
    out->stem_id = ne->val == nid ? out->norm_id : public_id(a, t, se, ne->val);
}

/* A cache entry's image holds a word token's bytes from norm to flags as
** the token's own (wordcache.h), for put_hit()'s wide copy. */
#define WM_IMAGE_AT(f) (offsetof(wm_token, f) - offsetof(wm_token, norm) == \
                        offsetof(wm_word_image, f))
_Static_assert(WM_IMAGE_AT(norm) && WM_IMAGE_AT(norm_len) && WM_IMAGE_AT(stem) &&
               WM_IMAGE_AT(stem_len) && WM_IMAGE_AT(norm_id) && WM_IMAGE_AT(stem_id) &&
               offsetof(wm_token, flags) - offsetof(wm_token, norm) ==
                   offsetof(wm_word_image, bits) &&
               sizeof(wm_word_image) == sizeof(wm_token) - offsetof(wm_token, norm),
               "a cache entry's image is laid out as a token");
#undef WM_IMAGE_AT
/* ... and an entry (key and image) is one cache line where pointers are 8
** bytes. */
_Static_assert(sizeof(void *) != 8 || sizeof(wm_cached_word) == 64,
               "a cache entry is 64 bytes");

/* Copies a cached word's strings into its token. */
static inline void set_image(wm_token *t, const wm_word_image *w)
{
    memcpy(&t->norm, w, offsetof(wm_word_image, bits));
}

/* Appends one extra token's data (a normal form from the spelling stage)
** to the analyzer's alternatives: interned, stemmed, with public ids. */
static int add_alt(wm_analyzer *a, const char *norm, size_t len, uint32_t flags)
{
    wm_alt *x;
    uint32_t nid;
    int rc = intern_stemmed(a, &a->strings, norm, len, &nid);

    if (rc != WM_OK)
        return rc;
    x = &a->alts[a->n_alts++];
    word_strings(a, &a->strings, nid, &x->s);
    x->s.bits = WM_TOK_WORD | flags; /* its token's flags; no alts */
    x->s.alts = 0;
    return WM_OK;
}

/*
** The spelling stage for a normal form that missed (its id nid, stemmed):
** for a word no plugin knows and no word list names, asks the language's
** service and keeps the parts and the variant it gives as alternatives.
** Writes their place (WM_ALT_*) to *alts, 0 when there are none.
*/
static int spell_alts(wm_analyzer *a, uint32_t nid, uint32_t *alts)
{
    const wm_intern *vocab = &a->engine->vocab[a->lang];
    const wm_intern_entry *ne = wm_intern_get(&a->strings, nid);
    const wm_intern_entry *se = wm_intern_get(&a->strings, ne->val);
    wm_spell_result r;
    size_t first = a->n_alts, count;
    int rc;

    *alts = 0;
    if (ne->aux != 0 || wm_intern_find(vocab, se->str, se->len, se->hash) ||
        !wm_spell_wants(ne->str, ne->len))
        return WM_OK;
    rc = wm_spell_lookup(a->spell, ne->str, ne->len, se->str, se->len, &r);
    if (rc != WM_OK)
        return wm__error(a->errmsg, rc, "out of memory in the spelling stage");
    count = (size_t)r.n_parts + r.has_variant;
    if (count == 0 || first + count > WM_ALT_MAX)
        return WM_OK;
    if (wm__grow(&a->engine->alloc, (void **)&a->alts, &a->cap_alts, first + count,
                 sizeof *a->alts) != WM_OK)
        return wm__error(a->errmsg, WM_ENOMEM, "out of memory for spelling alternatives");
    for (size_t i = 0; i < r.n_parts && rc == WM_OK; i++)
        rc = add_alt(a, r.buf + r.part_off[i], r.part_len[i], WM_TOK_PART);
    if (rc == WM_OK && r.has_variant)
        rc = add_alt(a, r.buf + r.variant_off, r.variant_len, WM_TOK_VARIANT);
    if (rc != WM_OK) {
        a->n_alts = first;
        return rc;
    }
    *alts = (uint32_t)(first << WM_ALT_COUNT_BITS | count);
    return WM_OK;
}

/*
** Analyses a surface form that missed into the entry w (zeroed: its key
** too is set here), its strings in table t: normalises it, interns the
** normal form, stems it when that form is new, and stores a long surface
** in t so that the entry may point to it. With spelling on (own table
** only), the word's alternatives are found first, so that a failure leaves
** no entry without them.
*/
static int analyse_word(wm_analyzer *a, wm_intern *t, const unsigned char *s,
                        size_t len, wm_cached_word *w)
{
    size_t norm_len;
    uint32_t nid, alts = 0, wl;
    int rc;

    rc = wm_normalize(&a->nb, s, len, &norm_len);
    if (rc != WM_OK)
        return wm__error(a->errmsg, rc, "cannot normalise a token: %s", wm_strerror(rc));
    if ((rc = intern_stemmed(a, t, (const char *)a->nb.out, norm_len, &nid)) != WM_OK)
        return rc;
    if (a->spell && (rc = spell_alts(a, nid, &alts)) != WM_OK)
        return rc;
    if (len > WM_INLINE_KEY) {
        uint32_t sid;
        /* The string table's hash, not the cache's (wm__long_hash()). */
        rc = wm_intern_add(t, (const char *)s, len, wm_hash(s, len), &sid);
        if (rc != WM_OK)
            return wm__error(a->errmsg, rc, "out of memory in the word cache");
        w->key.l.ptr = wm_intern_get(t, sid)->str;
        w->key.l.len = len;
    } else {
        wm__key_words(s, len, w->key.words);
    }
    word_strings(a, t, nid, &w->w);
    wl = wm_intern_get(t, nid)->aux;
    /* A word token's flags, ready to copy, the stopword bit for WM_WL_STOP;
    ** the other word-list bits make a word special ... */
    w->w.bits = (wl & ~WM_WL_STOP) << WM_WORD_WL_SHIFT | WM_TOK_WORD |
                (wl & WM_WL_STOP ? WM_TOK_STOPWORD : 0);
    /* ... and whether it needs more than that: one bit for the hot loop. */
    if ((wl & (WM_WL_NEGATOR | WM_WL_CLAUSE_BREAK)) || alts)
        w->w.bits |= WM_WORD_SPECIAL;
    w->w.alts = alts;
    return WM_OK;
}

/*
** A surface form that missed the shared cache a moment ago (the callers
** have just probed it, so no lock-free look comes first), in the shared
** cache: found there under its lock (another worker published it since),
** or analysed under its lock and published. Writes the entry to *out, or
** NULL when the shared cache is full (the caller then analyses the word
** itself).
*/
static int shared_lookup(wm_analyzer *a, const unsigned char *s, size_t len,
                         uint32_t hash, const wm_cached_word **out)
{
    wm_sharedcache *c = a->shared;
    wm_cached_word *w;
    int rc;

    *out = NULL;
    if (wm_sharedcache_full(c))
        return WM_OK;
    wm_sharedcache_lock(c);
    /* Another worker may have published it since. */
    if (!(*out = wm_sharedcache_find(c, s, len, hash)) && (w = wm_sharedcache_reserve(c))) {
        rc = analyse_word(a, &c->strings, s, len, w);
        if (rc != WM_OK) {
            wm_sharedcache_unlock(c);
            return rc;
        }
        wm_sharedcache_publish(c, w, hash);
        *out = w;
    }
    wm_sharedcache_unlock(c);
    return WM_OK;
}

/*
** The entry of a surface form that missed both caches (word_get()): the
** shared cache's, analysed there now or by another worker meanwhile, used
** as it is (it never moves nor changes); else, with no shared cache or a
** full one, the analyzer's own analysis in its own cache. Kept out of
** line: the hit path is what the hot loop is made of.
*/
static __attribute__((noinline)) int
fill_miss(wm_analyzer *a, const unsigned char *s, size_t len, uint32_t hash,
          const wm_cached_word **out)
{
    const wm_cached_word *shared = NULL;
    wm_cached_word *w;
    int rc;

    if (a->shared && (rc = shared_lookup(a, s, len, hash, &shared)) != WM_OK)
        return rc;
    if (shared) {
        *out = shared;
        return WM_OK;
    }
    {
        wm_cached_word tmp = {0};
        rc = analyse_word(a, &a->strings, s, len, &tmp);
        if (rc != WM_OK)
            return rc;
        w = wm_wordcache_insert(&a->words, len > WM_INLINE_KEY ? (const unsigned char *)tmp.key.l.ptr : s,
                                len, hash);
        if (!w)
            return wm__error(a->errmsg, WM_ENOMEM, "out of memory in the word cache");
        w->w = tmp.w;
    }
    *out = w;
    return WM_OK;
}

/*
** The entry of a surface form in the shared cache, else in the analyzer's
** own, or NULL; *hash as wm_wordcache_get(). Every worker reads the one
** copy of the vocabulary the shared cache holds (no copy per analyzer, in
** instructions or in the caches); the own cache has words only when there
** is no shared cache (setup analyzers, the spelling stage) or it is full.
** Inline for the hot loop.
*/
static inline __attribute__((always_inline)) const wm_cached_word *
word_get(const wm_analyzer *a, const unsigned char *s, size_t len, uint32_t *hash)
{
    const wm_cached_word *w;

    if (a->shared && (w = wm_sharedcache_get(a->shared, s, len, hash)))
        return w;
    return wm_wordcache_get(&a->words, s, len, hash);
}

/*
** The cache entry of a surface form (valid UTF-8, not empty). This is the
** per-token cost: a hash and one probe when the form was seen before.
*/
static inline __attribute__((always_inline)) int
lookup(wm_analyzer *a, const unsigned char *s, size_t len, const wm_cached_word **out)
{
    uint32_t hash;
    const wm_cached_word *w = word_get(a, s, len, &hash);

    a->stats.tokens++;
    if (w) {
        a->stats.cache_hits++;
        *out = w;
        return WM_OK;
    }
    return fill_miss(a, s, len, hash, out);
}

/* What a segment is, from the summary of its code points. */
static uint32_t kind_of(unsigned mask, const unsigned char *s, size_t len)
{
    if ((mask & (WM_WB_LETTER | WM_WB_INVALID)) == WM_WB_LETTER)
        return WM_TOK_WORD; /* the commonest first */
    if (mask & WM_WB_INVALID)
        return WM_TOK_INVALID;
    if (mask & WM_WB_DIGIT)
        return WM_TOK_NUMBER;
    if (mask & WM_WB_EMOJI)
        return WM_TOK_SYMBOL | WM_TOK_EMOJI;
    if (mask & WM_WB_SYMBOL)
        return WM_TOK_SYMBOL;
    if (mask & WM_WB_PUNCT)
        return WM_TOK_PUNCT;
    if (mask & WM_WB_SPACE)
        return WM_TOK_SPACE;
    /* Controls and marks with nothing to attach to: tab and the other
    ** ASCII controls separate like space, the rest like punctuation. */
    return (len > 0 && s[0] < 0x20) ? WM_TOK_SPACE : WM_TOK_PUNCT;
}

/* How far a separator reaches: no boundary, the end of a clause, or the
** end of a sentence. */
enum { BREAK_NONE, BREAK_CLAUSE, BREAK_SENTENCE };

/*
** Reads a punctuation or space segment for clause and sentence ends.
** Sentences end at . ! ? … (and their full-width forms) and at line
** breaks; clauses at , ; : brackets, quotes and dashes, and at a hyphen
** that stands apart ("bra - men"), not one inside a word ("e-post").
*/
static int break_of(uint32_t kind, const unsigned char *s, size_t len,
                    int after_space)
{
    int level = BREAK_NONE;

    for (size_t i = 0; i < len; i++) {
        unsigned c = s[i];
        if (kind == WM_TOK_SPACE) {
            if (c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
                (c == 0xC2 && i + 1 < len && s[i + 1] == 0x85) || /* NEL */
                (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
                 (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)))   /* LS, PS */
                return BREAK_SENTENCE;
            continue;
        }
        switch (c) {
        case '.': case '!': case '?':
            return BREAK_SENTENCE;
        case ',': case ';': case ':': case '(': case ')': case '[': case ']':
        case '{': case '}': case '"':
            level = BREAK_CLAUSE;
            break;
        case '-':
            if (after_space)
                level = BREAK_CLAUSE;
            break;
        case 0xE2: /* … – — “ ” ‹ › */
            if (i + 2 < len && s[i + 1] == 0x80) {
                unsigned d = s[i + 2];
                if (d == 0xA6)
                    return BREAK_SENTENCE;
                if (d == 0x93 || d == 0x94 || d == 0x9C || d == 0x9D ||
                    d == 0xB9 || d == 0xBA)
                    level = BREAK_CLAUSE;
            }
            break;
        case 0xC2: /* « » */
            if (i + 1 < len && (s[i + 1] == 0xAB || s[i + 1] == 0xBB))
                level = BREAK_CLAUSE;
            break;
        case 0xEF: /* full-width ！ ？ */
            if (i + 2 < len && s[i + 1] == 0xBC && (s[i + 2] == 0x81 || s[i + 2] == 0x9F))
                return BREAK_SENTENCE;
            break;
        case 0xE3: /* 。 */
            if (i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x82)
                return BREAK_SENTENCE;
            break;
        default:
            break;
        }
    }
    return level;
}

/* Returns the slot of token n, growing the array when it is full; NULL
** when memory runs out. */
static inline wm_token *push_token(wm_analyzer *a, size_t n)
{
    if (n >= a->cap_tokens &&
        wm__grow(&a->engine->alloc, (void **)&a->tokens, &a->cap_tokens, n + 1,
                 sizeof *a->tokens) != WM_OK)
        return NULL;
    return &a->tokens[n];
}

/* Checks a call's input against the limits and the UTF-8 policy. */
static int check_input(wm_analyzer *a, const char *text, size_t len,
                       unsigned flags, size_t limit)
{
    a->errmsg[0] = '\0';
    if (!text && len)
        return wm__error(a->errmsg, WM_EINVAL, "text is NULL but its length is %zu", len);
    if (len > limit)
        return wm__error(a->errmsg, WM_ETOOBIG,
                         "input of %zu bytes is over the limit of %zu bytes", len, limit);
    if (flags & WM_ANALYZE_STRICT_UTF8) {
        size_t bad = wm_utf8_validate((const unsigned char *)text, len);
        if (bad < len)
            return wm__error(a->errmsg, WM_EUTF8, "invalid UTF-8 at byte offset %zu", bad);
    }
    return WM_OK;
}

/* One segment on its way from the segmenter to emit(). */
typedef struct segment {
    size_t start;  /* first byte */
    size_t end;    /* one past the last */
    uint32_t kind; /* WM_TOK_* kind bits */
} segment;

/* What carries over from one segment to the next while marking. The hot
** loop keeps `carry` in a register of its own and leaves the rest here,
** for the separators and emit(). */
typedef struct marks {
    uint32_t carry;       /* the flags the next token takes:
                             WM_TOK_SENT_START and WM_TOK_CLAUSE_START
                             until a token takes them (a sentence start is
                             always a clause start too), WM_TOK_NEGATED
                             inside a negator's scope */
    size_t space_end;     /* where the last space segment emit() or
                             mark_ascii() saw ended; 0 at first, since the
                             text's start counts as after a space (see
                             after_space()) */
    size_t n_sentences;   /* sentence starts set; the last is taken off at
                             the end when no token took it */
    size_t n_invalid;     /* invalid sequences */
    size_t first_invalid; /* offset of the first */
    size_t slow_tokens;   /* tokens emit() appended: the others are words
                             the hot loop found in the cache */
    uint64_t looked;      /* tokens emit() looked up in the cache */
    uint64_t missed;      /* of which not found */
} marks;

/*
** Whether the segment starting at pos follows a space segment, for a
** separator's break (a '-' after a space ends a clause). The hot loop
** skips single spaces without a word about it: a segment that ends with
** the byte ' ' is always a space segment (U+0020 starts a segment unless
** a space comes before it, WB3d, and nothing that follows it joins it but
** spaces and what WB4 absorbs), so the byte before pos tells; the other
** space segments (line ends, tabs, U+00A0 ...) go through emit() or
** mark_ascii(), which note where they end.
*/
static inline int after_space(const marks *m, const unsigned char *s, size_t pos)
{
    return pos == m->space_end || s[pos - 1] == ' ';
}

/* What a separator's break (BREAK_*) does to the marks: the next token
** starts a clause (and a sentence), and a negation ends. */
static inline void mark_break(uint32_t *carry, size_t *n_sentences, int level)
{
    if (level == BREAK_NONE)
        return;
    if (level == BREAK_SENTENCE && !(*carry & WM_TOK_SENT_START)) {
        *carry |= WM_TOK_SENT_START;
        (*n_sentences)++;
    }
    *carry = (*carry & ~WM_TOK_NEGATED) | WM_TOK_CLAUSE_START;
}

/* break_of() for a segment of one ASCII byte below 0x40, as bits: the
** punctuation that ends a sentence or a clause, and the controls that end
** a sentence ('-' ends a clause after a space). */
#define PUNCT_SENTENCE ((UINT64_C(1) << '.') | (UINT64_C(1) << '!') | (UINT64_C(1) << '?'))
#define PUNCT_CLAUSE   ((UINT64_C(1) << ',') | (UINT64_C(1) << ';') | (UINT64_C(1) << ':') | \
                        (UINT64_C(1) << '(') | (UINT64_C(1) << ')') | (UINT64_C(1) << '"'))
#define SPACE_SENTENCE ((UINT64_C(1) << '\n') | (UINT64_C(1) << '\r') | \
                        (UINT64_C(1) << '\v') | (UINT64_C(1) << '\f'))

/*
** A separator of one ASCII byte s[pos] below 0x40 without
** WM_ANALYZE_ALL: a control or line end (a space segment, as kind_of()
** says) or a punctuation mark (mask WM_WB_PUNCT) makes no token, so its
** marks are all there is to do; break_of() without the loop. The hot
** loop's carry is passed on its own. Returns 0 for any other segment.
*/
static inline int mark_ascii(marks *m, uint32_t *carry, const unsigned char *s,
                             size_t pos, unsigned mask)
{
    unsigned c = s[pos];

    if (c < 0x20) {
        mark_break(carry, &m->n_sentences,
                   ((SPACE_SENTENCE >> c) & 1u) ? BREAK_SENTENCE : BREAK_NONE);
        m->space_end = pos + 1;
        return 1;
    }
    if (mask != WM_WB_PUNCT)
        return 0;
    mark_break(carry, &m->n_sentences,
               ((PUNCT_SENTENCE >> c) & 1u) ? BREAK_SENTENCE
               : (((PUNCT_CLAUSE >> c) & 1u) || (c == '-' && after_space(m, s, pos))) ? BREAK_CLAUSE
               : BREAK_NONE);
    return 1;
}

/*
** Appends the spelling stage's tokens for the word token just emitted
** (a->tokens[n - 1]): its parts, then its variant, with its offsets and
** its negation. Out of the hot loop: only words with alternatives get here.
** The caller counts them (WM_ALT_COUNT) when it succeeds.
*/
static __attribute__((noinline)) int emit_alts(wm_analyzer *a, uint32_t alts, size_t n)
{
    const wm_alt *x = &a->alts[WM_ALT_FIRST(alts)];
    size_t start = a->tokens[n - 1].start, end = a->tokens[n - 1].end;
    uint32_t negated = a->tokens[n - 1].flags & WM_TOK_NEGATED;

    for (uint32_t k = 0; k < WM_ALT_COUNT(alts); k++, x++, n++) {
        wm_token *t = push_token(a, n);
        if (!t)
            return WM_ENOMEM;
        t->start = start;
        t->end = end;
        memcpy(&t->norm, &x->s, sizeof x->s);
        t->flags |= negated;
    }
    return WM_OK;
}

/*
** Turns one segment into a token (or, for separators, into marks and, with
** WM_ANALYZE_ALL, a token too) and appends it at a->tokens[*n], followed
** by the spelling stage's tokens for it when it has any. max_token is the
** engine's max_token_len, read once per call.
*/
static inline __attribute__((always_inline)) int
emit(wm_analyzer *a, const unsigned char *s, const segment *g, unsigned flags,
     size_t max_token, marks *m, size_t *n)
{
    uint32_t bits = 0; /* WM_WL_* of a word */
    uint32_t alts = 0; /* its spelling alternatives (WM_ALT_*) */
    uint32_t tflags = g->kind; /* the token's WM_TOK_* flags */
    wm_token *t;
    int rc;

    if (g->kind & (WM_TOK_PUNCT | WM_TOK_SPACE | WM_TOK_INVALID)) {
        int level = BREAK_NONE;
        if (g->kind == WM_TOK_INVALID) {
            if (m->n_invalid++ == 0)
                m->first_invalid = g->start;
        } else {
            level = break_of(g->kind, s + g->start, g->end - g->start,
                             after_space(m, s, g->start));
        }
        mark_break(&m->carry, &m->n_sentences, level);
        if (g->kind == WM_TOK_SPACE)
            m->space_end = g->end;
        if (!(flags & WM_ANALYZE_ALL))
            return WM_OK;
        if (!(t = push_token(a, *n)))
            return WM_ENOMEM;
        memset(t, 0, sizeof *t);
        t->start = g->start;
        t->end = g->end;
        t->norm = t->stem = "";
        t->flags = g->kind;
        (*n)++;
        return WM_OK;
    }

    if (!(t = push_token(a, *n)))
        return WM_ENOMEM;
    t->start = g->start;
    t->end = g->end;
    t->reserved = 0;
    if (g->end - g->start > max_token) {
        t->norm = t->stem = "";
        t->norm_len = t->stem_len = 0;
        t->norm_id = t->stem_id = WM_ID_NONE;
        tflags |= WM_TOK_LONG;
    } else {
        /* lookup(), with the counts kept in m until the call ends */
        const unsigned char *p = s + g->start;
        size_t len = g->end - g->start;
        uint32_t hash;
        const wm_cached_word *w = word_get(a, p, len, &hash);

        m->looked++;
        if (!w) {
            m->missed++;
            if ((rc = fill_miss(a, p, len, hash, &w)) != WM_OK)
                return rc;
        }
        set_image(t, &w->w);
        if (g->kind == WM_TOK_WORD) {
            /* the stopword bit is in the token's flags already */
            bits = w->w.bits >> WM_WORD_WL_SHIFT & 0xFFu;
            alts = w->w.alts;
            tflags |= w->w.bits & WM_TOK_STOPWORD;
            if (bits & WM_WL_CLAUSE_BREAK) /* "men": starts a clause itself */
                m->carry = (m->carry & ~WM_TOK_NEGATED) | WM_TOK_CLAUSE_START;
        }
    }
    /* The marks that were waiting for this token; a negation goes on. */
    tflags |= m->carry;
    m->carry &= WM_TOK_NEGATED;
    if (bits & WM_WL_NEGATOR) {
        tflags |= WM_TOK_NEGATOR;
        m->carry = WM_TOK_NEGATED;
    }
    t->flags = tflags;
    (*n)++;
    if (__builtin_expect(alts != 0, 0)) {
        if ((rc = emit_alts(a, alts, *n)) != WM_OK)
            return rc;
        *n += WM_ALT_COUNT(alts);
    }
    return WM_OK;
}

/*
** The segment seg that starts at start, for which the hot loop has no
** shortcut, through emit(): out of line, so that the loop's registers are
** its own. Counts the tokens it appends (m->slow_tokens) and names a
** failure to grow the token array.
*/
static __attribute__((noinline)) int
emit_slow(wm_analyzer *a, const unsigned char *s, size_t start, wm_wb_seg seg,
          unsigned flags, marks *m, size_t *n)
{
    segment g;
    size_t before = *n;
    int rc;

    g.start = start;
    g.end = seg.end;
    g.kind = kind_of(seg.mask, s + start, seg.end - start);
    rc = emit(a, s, &g, flags, a->engine->max_token_len, m, n);
    m->slow_tokens += *n - before;
    if (rc == WM_ENOMEM && !a->errmsg[0])
        wm__error(a->errmsg, rc, "out of memory for %zu tokens", *n + 1);
    return rc;
}

/* emit_slow() for a word whose token the hot loop began at *t (its
** offsets), reading its start from there: the loop keeps no copy. */
static __attribute__((noinline)) int
emit_slow_word(wm_analyzer *a, const unsigned char *s, const wm_token *t, wm_wb_seg seg,
               unsigned flags, marks *m, size_t *n)
{
    return emit_slow(a, s, t->start, seg, flags, m, n);
}

/*
** The entry of a surface form of 1 to WM_INLINE_KEY bytes, as word_get(),
** for the hot loop: folded and hashed once for both caches. With `hot`
** (a constant), only the shared cache, which is then there: a word that
** misses it goes to emit_slow(), so that the key and the hash are not
** kept for a second probe (words only the analyzer's own cache holds, when
** the shared one is full, are the rare ones).
*/
static inline __attribute__((always_inline)) const wm_cached_word *
word_get_short(const wm_analyzer *a, const wm_sharedcache *shared, int hot,
               const unsigned char *s, size_t len)
{
    const wm_cached_word *w;
    wm_key2 k = wm__key(s, len);
    uint32_t h = wm__key_hash(k, len);

    if (hot)
        return wm__probe(shared->index, 1, &shared->mask, &shared->entries, s, len, k, 1, h);
    if (shared && (w = wm__probe(shared->index, 1, &shared->mask, &shared->entries,
                                 s, len, k, 1, h)))
        return w;
    return wm__probe(a->words.index, 0, &a->words.mask, &a->words.entries, s, len, k, 1, h);
}

/* Writes the token of a word the cache holds that needs nothing more
** (not WM_WORD_SPECIAL) at t, its offsets there already, with the marks
** waiting for it; a negation goes on. */
static inline void put_hit(wm_token *t, const wm_cached_word *w, uint32_t *carry)
{
    /* The whole image: a word that is not special has only a token's flags
    ** in its bits and no alts (0, the token's reserved). */
    memcpy(&t->norm, &w->w, sizeof w->w);
    t->flags |= *carry;
    *carry &= WM_TOK_NEGATED;
}

/* Where token n goes (NULL while the array has not been allocated). */
static inline wm_token *token_at(const wm_analyzer *a, size_t n)
{
    return a->tokens ? a->tokens + n : NULL;
}

/* True for the space that the hot loop skips at pos (< len): one ' ' before an
** ASCII character that is not a space or before a Latin-1 character (lead
** 0xC3). It is a segment of its own (only a space joins a space, WB3d, and
** none of those is absorbed, WB4), it ends no clause, and without
** WM_ANALYZE_ALL it makes no token; after_space() sees it from its byte. */
static inline int lone_space(const unsigned char *s, size_t len, size_t pos)
{
    return pos + 1 < len && s[pos] == ' ' && s[pos + 1] != ' ' &&
           (s[pos + 1] < 0x80 || s[pos + 1] == 0xC3);
}

/*
** The hot loop: one UAX #29 segment at a time (wm_wb_step(), mostly
** inline); the three commonest segments are settled here: a lone space, a
** one-byte separator (marks only) and a word of letters of up to
** WM_INLINE_KEY bytes that the cache holds and that starts no clause,
** opens no negation and has no spelling alternatives, with the space
** after it. Everything else goes to emit_slow(), out of line, and so do
** those words when the token array is full. The loop's state is in few
** variables (the token pointer, not a count; the carry; nothing for the
** spaces it skips, see after_space(); the cache hits counted at the end
** from the tokens), so that GCC keeps most of it in registers. The
** commonest word of all (1..14 letters and a space, found in a 16-byte
** block) has a path of its own with what that tells known, and a space
** before a word goes straight to it (`goto word`). Every change here was
** measured with callgrind: GCC's register allocation in this loop is
** fickle, and some of the obvious ones made it worse (bench notes).
**
** `hot` is a constant: 1 for the commonest call, with a shared cache,
** without WM_ANALYZE_ALL and with max_token_len at least WM_INLINE_KEY,
** whose copy of the loop is wm_analyze()'s own (no call, one prologue), with
** no test of any of those per segment; the others go to
** analyze_general(). (Batching segments to
** prefetch their cache lines was measured and lost: answers are short,
** and half of all segments are spaces.)
*/
static inline __attribute__((always_inline)) int
analyze_loop(wm_analyzer *a, const unsigned char *s, size_t text_len, unsigned flags,
             int hot, marks *m, size_t *n_out)
{
    size_t max_token = a->engine->max_token_len;
    size_t hot_len = hot || max_token >= WM_INLINE_KEY ? WM_INLINE_KEY : max_token;
    int quiet = hot || !(flags & WM_ANALYZE_ALL);
    const wm_sharedcache *shared = a->shared;
    wm_token *t = token_at(a, 0), *tend = token_at(a, a->cap_tokens);
    uint32_t carry = WM_TOK_SENT_START | WM_TOK_CLAUSE_START;
    size_t pos = 0, n;
    int rc = WM_OK;

    *m = (marks){carry, 0, 1, 0, 0, 0, 0, 0};
    while (pos < text_len) {
        wm_wb_seg seg;

        if (s[pos] < 0x40) {
            /* A byte below 0x40 before ASCII or a Latin-1 character is a
            ** segment alone when it is a space (not before a space) or
            ** one of WM__WB_SINGLE (wm_wb_step()); without WM_ANALYZE_ALL
            ** a space, a control or a punctuation mark makes no token,
            ** only marks, and a space before a word leads straight to
            ** it. Everything else (and the text's last byte) takes the
            ** segmenter. */
            unsigned b = s[pos], c;

            if (quiet && pos + 1 < text_len &&
                ((c = s[pos + 1]) < 0x80 || c == 0xC3)) {
                if (b == ' ') {
                    if (c != ' ') {
                        pos++;
                        if (c >= 0x40)
                            goto word;
                        continue;
                    }
                } else if (((WM__WB_SINGLE >> b) & 1u) &&
                           mark_ascii(m, &carry, s, pos, wm_wb_ascii[b].mask)) {
                    pos++;
                    continue;
                }
            }
            seg = wm_wb_step(s, text_len, pos);
            if (seg.end == pos + 1 && quiet && mark_ascii(m, &carry, s, pos, seg.mask)) {
                pos++;
                continue;
            }
        } else {
            const wm_cached_word *w;
            size_t len;

        word: /* a segment starting at a byte of 0x40 or more */
#if defined(__SSE2__)
            if (text_len - pos >= 16) { /* all but a text's last word */
                unsigned r = wm__wb_run16(s + pos), c;

                if (r - 1u < 14u && s[pos + r] == ' ' && t != tend) {
                    /* The commonest word: 1..14 letters and a space
                    ** inside the block, so before the end. The general
                    ** path below, with what that tells known: a word,
                    ** short enough, a space after it with a byte after
                    ** that. */
                    seg.end = pos + r;
                    seg.mask = WM_WB_LETTER;
                    t->start = pos;
                    t->end = seg.end;
                    w = word_get_short(a, shared, hot, s + pos, r);
                    if (__builtin_expect(w && !(w->w.bits & WM_WORD_SPECIAL), 1)) {
                        put_hit(t++, w, &carry);
                        pos = seg.end;
                        c = s[pos + 1];
                        if (quiet && c - 0x40u < 0x40u) { /* an ASCII word next */
                            pos++;
                            goto word;
                        }
                        if (quiet && c != ' ' && (c < 0x80 || c == 0xC3))
                            pos++;
                        continue;
                    }
                    goto slow_word;
                }
                seg = wm_wb_word16_run(s, text_len, pos, r);
            } else
#endif
                seg = wm_wb_step(s, text_len, pos);
            len = seg.end - pos;
            if (seg.mask == WM_WB_LETTER && len <= hot_len && t != tend) {
                /* The offsets first: pos is not needed during the probe
                ** then (a word that misses reads it back, see
                ** emit_slow_word()), which leaves GCC a register more. */
                t->start = pos;
                t->end = seg.end;
                w = word_get_short(a, shared, hot, s + pos, len);
                if (__builtin_expect(w && !(w->w.bits & WM_WORD_SPECIAL), 1)) {
                    put_hit(t++, w, &carry);
                    pos = seg.end;
                    /* The space after most words, without going round
                    ** the loop for it. */
                    if (quiet && lone_space(s, text_len, pos)) {
                        /* The next word straight away: its first byte
                        ** was read for the space. */
                        if (s[++pos] >= 0x40)
                            goto word;
                    }
                    continue;
                }
#if defined(__SSE2__)
            slow_word: /* from the commonest word's path */
#endif
                n = (size_t)(t - a->tokens);
                m->carry = carry;
                rc = emit_slow_word(a, s, t, seg, flags, m, &n);
                goto slow_done;
            }
        }
        n = t ? (size_t)(t - a->tokens) : 0;
        m->carry = carry;
        rc = emit_slow(a, s, pos, seg, flags, m, &n);
    slow_done:
        carry = m->carry;
        t = token_at(a, n);
        tend = token_at(a, a->cap_tokens);
        if (rc != WM_OK)
            break;
        pos = seg.end;
    }
    m->carry = carry;
    *n_out = t ? (size_t)(t - a->tokens) : 0;
    return rc;
}

/* The loop for any call but the commonest (see analyze_loop()), out of
** line: wm_analyze() holds that one. */
static __attribute__((noinline)) int
analyze_general(wm_analyzer *a, const unsigned char *s, size_t text_len, unsigned flags,
                marks *m, size_t *n)
{
    return analyze_loop(a, s, text_len, flags, 0, m, n);
}

WM_API int wm_analyze(wm_analyzer *a, const char *text, size_t text_len,
                      unsigned flags, const wm_analysis **out)
{
    const unsigned char *s = (const unsigned char *)text;
    marks m;
    size_t n = 0;
    uint64_t hits;
    int rc;

    if (out)
        *out = NULL;
    if (!a || !out)
        return WM_EINVAL;
    rc = check_input(a, text, text_len, flags, a->engine->max_text_len);
    if (rc != WM_OK)
        return rc;
    bound_cache(a);

    if (a->shared && !(flags & WM_ANALYZE_ALL) && a->engine->max_token_len >= WM_INLINE_KEY)
        rc = analyze_loop(a, s, text_len, 0, 1, &m, &n);
    else
        rc = analyze_general(a, s, text_len, flags, &m, &n);
    hits = n - m.slow_tokens; /* the hot loop's tokens: all hits */
    a->stats.tokens += hits + m.looked;
    a->stats.cache_hits += hits + m.looked - m.missed;
    if (rc != WM_OK)
        return rc;

    a->analysis.text = text;
    a->analysis.text_len = text_len;
    a->analysis.tokens = a->tokens;
    a->analysis.n_tokens = n;
    a->analysis.n_invalid = m.n_invalid;
    a->analysis.first_invalid = m.first_invalid;
    a->analysis.n_sentences = m.n_sentences - ((m.carry & WM_TOK_SENT_START) != 0);
    *out = &a->analysis;
    return WM_OK;
}

WM_API int wm_analyzer_stem(wm_analyzer *a, const char *word, size_t word_len,
                            const char **stem, size_t *stem_len)
{
    const wm_cached_word *w;
    int rc;

    if (stem)
        *stem = NULL;
    if (stem_len)
        *stem_len = 0;
    if (!a || !stem || !stem_len)
        return WM_EINVAL;
    rc = check_input(a, word, word_len, WM_ANALYZE_STRICT_UTF8, a->engine->max_text_len);
    if (rc != WM_OK)
        return rc;
    if (word_len == 0) {
        *stem = ""; /* nothing to stem, and nothing to cache */
        return WM_OK;
    }
    bound_cache(a);
    rc = lookup(a, (const unsigned char *)word, word_len, &w);
    if (rc != WM_OK)
        return rc;
    *stem = w->w.stem;
    *stem_len = w->w.stem_len;
    return WM_OK;
}
