/*
** sharedcache.h — the analysed words of one language, shared by every
** analyzer of an engine (internal).
**
** Every analyzer of the language reads its words here first, in its hot
** loop, and keeps a cache of its own (wordcache.h) only for what this one
** cannot hold (when it is full). When a surface form misses here, the
** analyzer normalises and stems it under the lock, into this cache, so a
** worker thread does not learn again, word by word, what another worker
** already worked out, and all threads use one copy of the vocabulary: one
** set of cache lines, no copy per analyzer. The entries are the same
** 64-byte wm_cached_word as an analyzer's own, so a token takes its
** strings and ids the same way from either.
**
** Thread safety (the point of this file):
**   - Reading (wm_sharedcache_find, and the fields named below) takes no
**     lock. The index is a fixed array of atomic slots. A writer fills an
**     entry completely, then publishes it by storing its slot with release
**     order; a reader loads a slot with acquire order, so everything
**     written before the slot's store (the entry, the block it lives in, the
**     strings it points to) is visible to the reader that sees the slot.
**   - Entries are never changed or removed once published, and never move:
**     they live in one block of `cap` entries, allocated (under the lock)
**     before the first entry is published and kept until the cache is
**     freed; its pages become resident only as entries fill them.
**     The index never grows, so a probe never meets a half-built table.
**   - Writers (wm_sharedcache_lock() .. _unlock()) are serialised by one
**     mutex: insertion, the string table `strings` (ids of normal forms and
**     stems, from wm_intern) and `count` are touched only under it.
**   - The cache is bounded (cap entries). When an insert cannot be made
**     (the bound, or memory), the writer sets `full` (release) and nothing
**     is written afterwards. A thread that loads `full` as 1 (acquire) may
**     read `strings` without the lock: it is frozen from then on. Callers
**     then fall back to their own cache.
** Lifetime: made by the engine for a language (the first analyzer of that
** language with the spelling stage off) and freed with the engine, when no
** analyzer is left.
*/
#ifndef WM_SHAREDCACHE_H
#define WM_SHAREDCACHE_H

#include "whatmatters.h"
#include "intern.h"
#include "wordcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define WM_SHARED_CHUNK ((size_t)4096) /* cap is a multiple of this */
#define WM_SHARED_MAX ((size_t)1 << 20) /* the largest bound taken */

typedef struct wm_sharedcache {
    const wm_allocator *al;     /* where memory comes from */
    pthread_mutex_t lock;       /* serialises writers (see above) */
    _Atomic uint64_t *index;    /* the power of two at or above
                                   1.25 * cap slots (at most 80 % full):
                                   hash << 32 | entry + 1; 0 empty */
    size_t mask;                /* slots - 1 */
    wm_cached_word *entries;    /* cap entries in one block, allocated at
                                   the first insert (pages are touched as
                                   they fill); never moves */
    size_t cap;                 /* entries at most (a multiple of WM_SHARED_CHUNK) */
    size_t count;               /* entries published (writers only) */
    wm_intern strings;          /* normal forms, stems and long surfaces
                                   the entries point to; writers only,
                                   or anyone once full */
    atomic_int full;            /* 1: nothing will be added any more */
} wm_sharedcache;

/* Makes a cache for at most `cap` entries (rounded up to WM_SHARED_CHUNK, at most
** WM_SHARED_MAX); NULL when memory runs out. */
wm_sharedcache *wm_sharedcache_new(const wm_allocator *al, size_t cap);

/* Frees a cache (NULL is fine). No other thread may be using it. */
void wm_sharedcache_free(wm_sharedcache *c);

/* The entry for a surface form (hash as wm_wordcache_hash()), or NULL.
** Lock-free; any thread, any time. The entry is immutable. */
static inline const wm_cached_word *
wm_sharedcache_find(const wm_sharedcache *c, const unsigned char *s,
                    size_t len, uint32_t hash)
{
    static const wm_key2 none;

    if (len > WM_INLINE_KEY)
        return wm__probe(c->index, 1, &c->mask, &c->entries, s, len, none, 0, hash);
    return wm__probe(c->index, 1, &c->mask, &c->entries, s, len, wm__key(s, len), 1, hash);
}

/*
** wm_sharedcache_find() for the analyzer's hot loop, which computes the
** hash here: as wm_wordcache_get(), *hash is the surface's
** wm_wordcache_hash() whether or not the entry is found. A short surface
** is folded and hashed once and compared as two words.
*/
static inline __attribute__((always_inline)) const wm_cached_word *
wm_sharedcache_get(const wm_sharedcache *c, const unsigned char *s, size_t len, uint32_t *hash)
{
    if (len <= WM_INLINE_KEY) {
        wm_key2 k = wm__key(s, len);
        uint32_t h = wm__key_hash(k, len);
        *hash = h;
        return wm__probe(c->index, 1, &c->mask, &c->entries, s, len, k, 1, h);
    }
    *hash = wm__long_hash(s, len);
    return wm_sharedcache_find(c, s, len, *hash); /* rare: not inlined here */
}

/* True once nothing more will be added (acquire: `strings` may then be read
** without the lock). */
static inline int wm_sharedcache_full(const wm_sharedcache *c)
{
    return atomic_load_explicit(&c->full, memory_order_acquire);
}

/* Takes and releases the writers' lock. */
void wm_sharedcache_lock(wm_sharedcache *c);
void wm_sharedcache_unlock(wm_sharedcache *c);

/* Under the lock: a free entry for a new surface form, zeroed, or NULL when
** the cache is at its bound or memory runs out (then `full` is set). The
** caller fills it, then publishes it with wm_sharedcache_publish(). At most
** one reserved entry at a time. */
wm_cached_word *wm_sharedcache_reserve(wm_sharedcache *c);

/* Under the lock: makes the reserved entry e, filled, with its key set,
** visible to readers (release), filed under hash (wm_wordcache_hash() of
** its surface; entries keep no hash). The key must not be present. */
void wm_sharedcache_publish(wm_sharedcache *c, wm_cached_word *e, uint32_t hash);

/* Under the lock: no more inserts (after a failure half-way through one). */
void wm_sharedcache_close(wm_sharedcache *c);

#endif /* WM_SHAREDCACHE_H */
