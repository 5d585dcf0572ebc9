/*
** wordcache.c — see wordcache.h.
*/
#include "wordcache.h"
#include "wm_internal.h"

#include <string.h>

_Static_assert(sizeof(wm_cached_word) == 64, "a cached word is one cache line");

/* The index of every empty cache: one slot, always 0 (a look-up meets it
** and stops; the first insert replaces it, and nothing writes it). */
static const uint64_t empty_index[1];

/* Makes an empty cache that allocates on first insert. */
void wm_wordcache_init(wm_wordcache *c, const wm_allocator *al)
{
    memset(c, 0, sizeof *c);
    c->al = al;
    c->index = (uint64_t *)(uintptr_t)empty_index;
}

/* Releases both arrays. */
void wm_wordcache_free(wm_wordcache *c)
{
    if (c->mask)
        wm__free(c->al, c->index);
    wm__free(c->al, c->entries);
    wm_wordcache_init(c, c->al);
}

/* Marks every slot empty; the memory stays for the next round. */
void wm_wordcache_clear(wm_wordcache *c)
{
    if (c->mask)
        memset(c->index, 0, (c->mask + 1) * sizeof *c->index);
    c->count = 0;
}

/* Doubles the index (the first: 1024 slots) and re-files every slot by
** the hash it holds (entries keep no hash of their own). */
static int grow_index(wm_wordcache *c)
{
    size_t n = c->mask ? (c->mask + 1) * 2 : 1024;
    uint64_t *index = wm__calloc(c->al, n, sizeof *index);

    if (!index)
        return WM_ENOMEM;
    for (size_t i = 0; c->mask && i <= c->mask; i++) {
        uint64_t slot = c->index[i];
        size_t j;
        if (!slot)
            continue;
        for (j = (size_t)(slot >> 32) & (n - 1); index[j]; j = (j + 1) & (n - 1))
            ;
        index[j] = slot;
    }
    if (c->mask)
        wm__free(c->al, c->index);
    c->index = index;
    c->mask = n - 1;
    return WM_OK;
}

/* Inserts an absent key; see wordcache.h. Both arrays grow before either
** changes, so a failure leaves the cache as it was. */
wm_cached_word *wm_wordcache_insert(wm_wordcache *c, const unsigned char *s,
                                    size_t len, uint32_t hash)
{
    wm_cached_word *e;
    size_t i;

    if (len == 0 || len > UINT32_MAX || c->count >= UINT32_MAX - 1)
        return NULL;
    if (wm__grow(c->al, (void **)&c->entries, &c->cap, c->count + 1,
                 sizeof *c->entries) != WM_OK)
        return NULL;
    if ((c->count + 1) * 2 > c->mask + 1 && grow_index(c) != WM_OK)
        return NULL;
    for (i = hash & c->mask; c->index[i]; i = (i + 1) & c->mask)
        ;
    e = &c->entries[c->count];
    memset(e, 0, sizeof *e);
    if (len <= WM_INLINE_KEY)
        wm__key_words(s, len, e->key.words);
    else
        e->key.l.ptr = (const char *)s, e->key.l.len = len;
    c->index[i] = (uint64_t)hash << 32 | (uint64_t)(++c->count);
    return e;
}
