/*
** sharedcache.c — see sharedcache.h for what it is and why it is safe to
** read without a lock.
*/
#include "sharedcache.h"
#include "wm_internal.h"

#include <string.h>

#define CHUNK WM_SHARED_CHUNK

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "index slots are lock-free (and zero bytes are 0)");

/*
** Allocates the index; the entries come at the first insert. The index is
** at most 80 % full, not half: the analyzers' hot loop probes it for every
** word, and twice the entries (2 MiB for the default bound) made one
** thread slower than its own cache's index of half that size did, which
** fits the L2 cache (the words' slots are spread over all of it). Probes
** grow long only near the bound.
*/
wm_sharedcache *wm_sharedcache_new(const wm_allocator *al, size_t cap)
{
    wm_sharedcache *c;
    size_t slots = 1;

    if (cap > WM_SHARED_MAX)
        cap = WM_SHARED_MAX;
    cap = (cap + CHUNK - 1) / CHUNK * CHUNK;
    if (cap == 0)
        cap = CHUNK;
    while (slots < cap + cap / 4)
        slots <<= 1;
    c = wm__calloc(al, 1, sizeof *c);
    if (!c)
        return NULL;
    c->al = al;
    c->cap = cap;
    c->mask = slots - 1;
    c->index = wm__calloc(al, slots, sizeof *c->index);
    if (!c->index || pthread_mutex_init(&c->lock, NULL) != 0) {
        wm__free(al, (void *)c->index);
        wm__free(al, c);
        return NULL;
    }
    /* The slots are left as calloc made them: all-zero bytes are an empty
    ** slot for a lock-free 64-bit atomic on every target we build for, and
    ** a loop of atomic_init would touch (and so make resident) the whole
    ** index at start-up, a cost every run would pay. */
    atomic_init(&c->full, 0);
    wm_intern_init(&c->strings, al);
    return c;
}

void wm_sharedcache_free(wm_sharedcache *c)
{
    if (!c)
        return;
    wm__free(c->al, c->entries);
    wm__free(c->al, (void *)c->index);
    wm_intern_free(&c->strings);
    pthread_mutex_destroy(&c->lock);
    wm__free(c->al, c);
}

/* Tries for the writers' lock this many times, a pause between, before
** sleeping on it (some microseconds; see wm_sharedcache_lock()). */
#define SPIN_TRIES 256

/*
** A writer holds the lock for one word's analysis, about a microsecond.
** Sleeping on the mutex costs a futex wait and a wake-up, tens of
** microseconds on a VM, and with one worker per core leaves that core
** idle meanwhile: with two workers on 2 cores these waits were 86 % of the
** run's context switches. So a writer first tries for a few microseconds,
** and only then sleeps (the holder may have been preempted).
*/
void wm_sharedcache_lock(wm_sharedcache *c)
{
    for (int i = 0; i < SPIN_TRIES; i++) {
        if (pthread_mutex_trylock(&c->lock) == 0)
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    pthread_mutex_lock(&c->lock);
}

void wm_sharedcache_unlock(wm_sharedcache *c)
{
    pthread_mutex_unlock(&c->lock);
}

/* Marks the cache closed to inserts; readers that see it may read the
** string table without the lock, since no writer touches it again. */
void wm_sharedcache_close(wm_sharedcache *c)
{
    atomic_store_explicit(&c->full, 1, memory_order_release);
}

/* The next entry, in the block allocated on first use. Nothing is
** published here: the entry is invisible until wm_sharedcache_publish(). */
wm_cached_word *wm_sharedcache_reserve(wm_sharedcache *c)
{
    wm_cached_word *e;

    if (atomic_load_explicit(&c->full, memory_order_relaxed))
        return NULL;
    if (c->count >= c->cap) {
        wm_sharedcache_close(c);
        return NULL;
    }
    if (!c->entries && !(c->entries = wm__malloc(c->al, c->cap * sizeof *c->entries))) {
        wm_sharedcache_close(c);
        return NULL;
    }
    e = &c->entries[c->count];
    memset(e, 0, sizeof *e);
    return e;
}

/* Files the reserved entry in the index: the slot's release store is what
** makes the entry (and all written before it) visible to readers. */
void wm_sharedcache_publish(wm_sharedcache *c, wm_cached_word *e, uint32_t hash)
{
    size_t i = hash & c->mask;

    while (atomic_load_explicit(&c->index[i], memory_order_relaxed))
        i = (i + 1) & c->mask;
    /* e is the one reserved entry, entries[count] */
    c->count = (size_t)(e - c->entries) + 1;
    atomic_store_explicit(&c->index[i], (uint64_t)hash << 32 | (uint64_t)c->count,
                          memory_order_release);
}
