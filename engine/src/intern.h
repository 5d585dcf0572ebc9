/*
** intern.h — a table that gives each distinct string one small integer id.
**
** Strings live in chunks that never move, so a pointer to an interned
** string stays valid until the table is cleared or freed. Ids start at 1
** (0 is WM_ID_NONE) and are dense, so callers index arrays by them. Each
** entry carries two 32-bit values for its owner's use. Lookups do not
** change the table: a table no one adds to may be read by many threads.
*/
#ifndef WM_INTERN_H
#define WM_INTERN_H

#include "whatmatters.h"

#include <stddef.h>
#include <stdint.h>

typedef struct wm_intern_entry {
    const char *str; /* the bytes (not NUL-terminated), in the table */
    uint32_t len;    /* their length */
    uint32_t hash;   /* wm_hash() of them */
    uint32_t val;    /* owner's value */
    uint32_t aux;    /* owner's second value */
} wm_intern_entry;

typedef struct wm_intern_chunk wm_intern_chunk;

typedef struct wm_intern {
    const wm_allocator *al;   /* where memory comes from */
    wm_intern_entry *entries; /* by id; entries[0] is unused */
    size_t n_entries;         /* ids in use + 1 */
    size_t cap_entries;       /* allocated entries */
    uint32_t *slots;          /* open addressing: 0 empty, else an id */
    size_t n_slots;           /* a power of two, or 0 before first add */
    wm_intern_chunk *chunks;  /* string storage, newest first */
    size_t chunk_left;        /* free bytes in the newest chunk */
} wm_intern;

/* A fast 32-bit hash of a byte string (not for hostile-collision use:
** tables are per engine or analyzer and bounded). */
uint32_t wm_hash(const void *data, size_t len);

/* Makes an empty table; allocates nothing yet. */
void wm_intern_init(wm_intern *t, const wm_allocator *al);

/* Forgets every string (ids start again at 1); keeps the memory of the
** slots and of one chunk for reuse. */
void wm_intern_clear(wm_intern *t);

/* Releases all memory; the table may be initialised again. */
void wm_intern_free(wm_intern *t);

/* The id of a string, or 0 when it is not in the table. */
uint32_t wm_intern_find(const wm_intern *t, const char *s, size_t len,
                        uint32_t hash);

/* Finds or adds a string and writes its id to *id. A new entry's values
** are 0. Returns WM_OK or WM_ENOMEM (then the table is unchanged). */
int wm_intern_add(wm_intern *t, const char *s, size_t len, uint32_t hash,
                  uint32_t *id);

/* The entry of an id (1 <= id < n_entries). */
static inline wm_intern_entry *wm_intern_get(const wm_intern *t, uint32_t id)
{
    return &t->entries[id];
}

/* Number of strings held. */
static inline size_t wm_intern_count(const wm_intern *t)
{
    return t->n_entries ? t->n_entries - 1 : 0;
}

#endif /* WM_INTERN_H */
