/*
** test_wordcache.c — the word caches' entries keep no hash and no length
** of their own for a short surface (wordcache.h): a grow re-files the
** index by the hashes its slots hold, a long surface keeps its length
** beside its pointer, and the shared cache files an entry under the hash
** its publisher gives. Every surface inserted, short and long (1..40
** bytes, past several grows of the index), must then be found, as the
** entry it was given, with what was written into it; absent ones (a
** prefix, a longer run of the same byte, a long surface of the same
** length differing in one byte) must not.
*/
#include "wm_test.h"
#include "wm_internal.h"
#include "sharedcache.h"
#include "wordcache.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N_WORDS 5000
#define MAX_LEN 40

/* The i-th surface: 1..MAX_LEN random letters (some repeat: see
** make_words()). */
static size_t surface(unsigned i, unsigned char *buf)
{
    size_t len = 1 + i % MAX_LEN;
    unsigned x = i * 2654435761u;

    for (size_t k = 0; k < len; k++) {
        x = x * 1103515245u + 12345u;
        buf[k] = (unsigned char)('a' + (x >> 16) % 26);
    }
    return len;
}

/* Whether s was made before: the words are kept distinct. */
static int seen_before(unsigned char (*all)[MAX_LEN], const size_t *lens, unsigned n,
                       const unsigned char *s, size_t len)
{
    for (unsigned j = 0; j < n; j++)
        if (lens[j] == len && memcmp(all[j], s, len) == 0)
            return 1;
    return 0;
}

static unsigned char words[N_WORDS][MAX_LEN];
static size_t lens[N_WORDS];
static unsigned n_words;

static void make_words(void)
{
    for (unsigned i = 0; n_words < N_WORDS; i++) {
        unsigned char buf[MAX_LEN];
        size_t len = surface(i, buf);
        if (seen_before(words, lens, n_words, buf, len))
            continue;
        memcpy(words[n_words], buf, len);
        lens[n_words++] = len;
    }
}

static void test_own_cache(void)
{
    wm_wordcache c;
    uint32_t hash;

    wm_wordcache_init(&c, &wm__default_allocator);
    CHECK(wm_wordcache_get(&c, words[0], lens[0], &hash) == NULL);
    for (unsigned i = 0; i < n_words; i++) {
        wm_cached_word *e;
        CHECK(wm_wordcache_get(&c, words[i], lens[i], &hash) == NULL);
        CHECK(hash == wm_wordcache_hash(words[i], lens[i]));
        e = wm_wordcache_insert(&c, words[i], lens[i], hash);
        if (!CHECK(e != NULL))
            break;
        e->w.norm_id = i + 1;
        e->w.norm_len = lens[i];
    }
    CHECK(c.count == n_words);
    CHECK(c.mask + 1 >= 2 * (size_t)n_words); /* grown several times */
    for (unsigned i = 0; i < n_words; i++) {
        const wm_cached_word *e = wm_wordcache_get(&c, words[i], lens[i], &hash);
        if (!CHECK(e != NULL))
            continue;
        CHECK(e == &c.entries[i]);
        CHECK(e->w.norm_id == i + 1 && e->w.norm_len == lens[i]);
        if (lens[i] > WM_INLINE_KEY)
            CHECK(e->key.l.len == lens[i] && e->key.l.ptr == (const char *)words[i]);
    }
    /* absent: a long surface of a stored length with its last byte changed,
    ** a prefix of one, and a run longer than any short key */
    for (unsigned i = 0; i < n_words; i++) {
        unsigned char buf[MAX_LEN];
        size_t len = lens[i];
        if (len <= WM_INLINE_KEY)
            continue;
        memcpy(buf, words[i], len);
        buf[len - 1] = '#';
        CHECK(wm_wordcache_get(&c, buf, len, &hash) == NULL);
        CHECK(wm_wordcache_get(&c, buf, len - 1, &hash) == NULL ||
              seen_before(words, lens, n_words, buf, len - 1));
    }
    CHECK(wm_wordcache_get(&c, (const unsigned char *)"##################", 18, &hash) == NULL);
    /* cleared: nothing found, and it fills again */
    wm_wordcache_clear(&c);
    CHECK(wm_wordcache_get(&c, words[0], lens[0], &hash) == NULL);
    for (unsigned i = 0; i < 100; i++) {
        wm_wordcache_get(&c, words[i], lens[i], &hash);
        CHECK(wm_wordcache_insert(&c, words[i], lens[i], hash) == &c.entries[i]);
    }
    for (unsigned i = 0; i < 100; i++)
        CHECK(wm_wordcache_get(&c, words[i], lens[i], &hash) == &c.entries[i]);
    CHECK(wm_wordcache_get(&c, words[100], lens[100], &hash) == NULL);
    wm_wordcache_free(&c);
}

static void test_shared_cache(void)
{
    wm_sharedcache *c = wm_sharedcache_new(&wm__default_allocator, N_WORDS);
    uint32_t hash;

    if (!CHECK(c != NULL))
        return;
    for (unsigned i = 0; i < n_words; i++) {
        wm_cached_word *e;
        CHECK(wm_sharedcache_get(c, words[i], lens[i], &hash) == NULL);
        wm_sharedcache_lock(c);
        e = wm_sharedcache_reserve(c);
        if (!CHECK(e != NULL)) {
            wm_sharedcache_unlock(c);
            break;
        }
        /* what analyse_word() sets: the key, and the image */
        if (lens[i] > WM_INLINE_KEY)
            e->key.l.ptr = (const char *)words[i], e->key.l.len = lens[i];
        else
            wm__key_words(words[i], lens[i], e->key.words);
        e->w.stem_id = i + 1;
        wm_sharedcache_publish(c, e, hash);
        wm_sharedcache_unlock(c);
    }
    for (unsigned i = 0; i < n_words; i++) {
        const wm_cached_word *e = wm_sharedcache_get(c, words[i], lens[i], &hash);
        CHECK(e != NULL && e->w.stem_id == i + 1);
        wm_sharedcache_lock(c);
        CHECK(wm_sharedcache_find(c, words[i], lens[i], hash) == e);
        wm_sharedcache_unlock(c);
    }
    wm_sharedcache_free(c);
}

int main(void)
{
    make_words();
    test_own_cache();
    test_shared_cache();
    return wm_test_finish();
}
