/*
** intern.c — string interning; see intern.h.
**
** Open addressing with linear probing over a power-of-two slot array kept
** at most half full; each slot holds an id, and the entry keeps the hash so
** that growing never rehashes the bytes and most probes compare a hash
** before any memcmp.
*/
#include "intern.h"
#include "wm_internal.h"

#include <string.h>

#define CHUNK_SIZE ((size_t)64 * 1024) /* bytes of one string chunk */

struct wm_intern_chunk {
    wm_intern_chunk *next; /* older chunk */
    size_t size;           /* bytes in data[] */
    char data[];           /* the strings */
};

/* Reads the last 1..7 bytes of a string as one word without a call: up
** to three loads of which the first two may overlap (as in wyhash). */
static inline uint64_t read_tail(const unsigned char *s, size_t len)
{
    if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + len - 4, 4);
        return (uint64_t)lo << 32 | hi;
    }
    if (len > 0)
        return (uint64_t)s[0] << 16 | (uint64_t)s[len >> 1] << 8 | s[len - 1];
    return 0;
}

/*
** A word-at-a-time multiply-xorshift hash. Tokens are short (median about
** six bytes), so one or two rounds and a final mix are the whole cost;
** every load has a constant size, so nothing calls into the C library.
*/
uint32_t wm_hash(const void *data, size_t len)
{
    const unsigned char *s = data;
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ ((uint64_t)len * UINT64_C(0xFF51AFD7ED558CCD));
    uint64_t w;

    while (len >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * UINT64_C(0xBF58476D1CE4E5B9);
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    h = (h ^ read_tail(s, len)) * UINT64_C(0x94D049BB133111EB);
    h ^= h >> 31;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    return (uint32_t)h;
}

/* Makes an empty table that allocates on first use. */
void wm_intern_init(wm_intern *t, const wm_allocator *al)
{
    memset(t, 0, sizeof *t);
    t->al = al;
}

/* Frees every chunk but `keep` (all of them when keep is NULL). */
static void free_chunks(wm_intern *t, const wm_intern_chunk *keep)
{
    wm_intern_chunk *c = t->chunks;

    while (c) {
        wm_intern_chunk *next = c->next;
        if (c != keep)
            wm__free(t->al, c);
        c = next;
    }
}

/* Empties the table but keeps its oldest chunk and the slot array for
** reuse, so a cache that starts afresh does not pay for memory again. */
void wm_intern_clear(wm_intern *t)
{
    wm_intern_chunk *oldest = t->chunks;

    if (oldest) {
        while (oldest->next)
            oldest = oldest->next;
        free_chunks(t, oldest);
        t->chunks = oldest;
        t->chunk_left = oldest->size;
    }
    if (t->slots)
        memset(t->slots, 0, t->n_slots * sizeof *t->slots);
    if (t->n_entries)
        t->n_entries = 1;
}

/* Releases everything. */
void wm_intern_free(wm_intern *t)
{
    free_chunks(t, NULL);
    wm__free(t->al, t->entries);
    wm__free(t->al, t->slots);
    wm_intern_init(t, t->al);
}

/* Probes for a string; returns its slot index (holding its id, or 0). */
static size_t probe(const wm_intern *t, const char *s, size_t len, uint32_t hash)
{
    size_t mask = t->n_slots - 1;
    size_t i = hash & mask;

    for (;;) {
        uint32_t id = t->slots[i];
        if (id == 0)
            return i;
        {
            const wm_intern_entry *e = &t->entries[id];
            if (e->hash == hash && e->len == len && memcmp(e->str, s, len) == 0)
                return i;
        }
        i = (i + 1) & mask;
    }
}

/* Finds a string's id without changing the table. */
uint32_t wm_intern_find(const wm_intern *t, const char *s, size_t len,
                        uint32_t hash)
{
    if (t->n_slots == 0)
        return 0;
    return t->slots[probe(t, s, len, hash)];
}

/* Doubles the slot array and re-inserts every id by its stored hash. */
static int grow_slots(wm_intern *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : 256;
    uint32_t *slots = wm__calloc(t->al, n, sizeof *slots);

    if (!slots)
        return WM_ENOMEM;
    for (size_t id = 1; id < t->n_entries; id++) {
        size_t i = t->entries[id].hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)id;
    }
    wm__free(t->al, t->slots);
    t->slots = slots;
    t->n_slots = n;
    return WM_OK;
}

/* Copies bytes into the newest chunk, starting a new one when full. */
static const char *store(wm_intern *t, const char *s, size_t len)
{
    char *dst;

    if (t->chunk_left < len || !t->chunks) {
        size_t size = len > CHUNK_SIZE ? len : CHUNK_SIZE;
        wm_intern_chunk *c = wm__malloc(t->al, sizeof *c + size);
        if (!c)
            return NULL;
        c->next = t->chunks;
        c->size = size;
        t->chunks = c;
        t->chunk_left = size;
    }
    dst = t->chunks->data + (t->chunks->size - t->chunk_left);
    if (len)
        memcpy(dst, s, len);
    t->chunk_left -= len;
    return dst;
}

/* Finds or adds a string; see intern.h. Every allocation happens before the
** table changes, so a failure leaves it as it was. */
int wm_intern_add(wm_intern *t, const char *s, size_t len, uint32_t hash,
                  uint32_t *id)
{
    size_t slot;
    const char *str;
    wm_intern_entry *e;

    if (len > UINT32_MAX)
        return WM_EINVAL;
    if (t->n_slots) {
        slot = probe(t, s, len, hash);
        if (t->slots[slot]) {
            *id = t->slots[slot];
            return WM_OK;
        }
    }
    if (t->n_entries == 0)
        t->n_entries = 1; /* id 0 is never used */
    if (t->n_entries >= UINT32_MAX)
        return WM_ENOMEM;
    if (wm__grow(t->al, (void **)&t->entries, &t->cap_entries, t->n_entries + 1,
                 sizeof *t->entries) != WM_OK)
        return WM_ENOMEM;
    if ((t->n_entries + 1) * 2 > t->n_slots && grow_slots(t) != WM_OK)
        return WM_ENOMEM;
    str = store(t, s, len);
    if (!str)
        return WM_ENOMEM;
    slot = probe(t, s, len, hash);
    e = &t->entries[t->n_entries];
    e->str = str;
    e->len = (uint32_t)len;
    e->hash = hash;
    e->val = 0;
    e->aux = 0;
    t->slots[slot] = (uint32_t)t->n_entries;
    *id = (uint32_t)t->n_entries++;
    return WM_OK;
}
