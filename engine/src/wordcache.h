/*
** wordcache.h — an analyzer's cache from surface forms to everything a
** token needs (internal).
**
** Two arrays. The index is open-addressed (linear probing, at most half
** full) with 8-byte slots: a hash tag and an entry number, so probing
** stays within a compact array that fits the L2 cache. The entries are
** dense, in the order words were first seen, which for Zipfian text is
** close to frequency order, so the hot entries share few cache lines. An
** entry is one 64-byte line: the surface key (up to 16 bytes inline, as
** the two words wm__key_words() folds them into, so that a probe compares
** two words), and the normal form, stem, ids and word-list bits that
** wm_analyze() copies into the token, and where the spelling stage's extra
** tokens for the word are. The pointers in an entry point into the
** analyzer's intern table, which never moves strings; an entry's own
** address is only valid until the next insert.
*/
#ifndef WM_WORDCACHE_H
#define WM_WORDCACHE_H

#include "whatmatters.h"
#include "intern.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define WM_INLINE_KEY 16 /* surface bytes held inside an entry */
#define WM_WORD_WL_SHIFT 16 /* see wm_word_image.bits */
/* See wm_word_image.bits. Not the sign bit: GCC tests that with a load, a
** test and a jump, another bit with one test of memory and the jump. */
#define WM_WORD_SPECIAL (UINT32_C(1) << 30)

/*
** A word token's bytes from norm to flags, laid out as wm_token's own (the
** asserts in analyze.c hold it to that), so that the hot loop writes a
** cached word's token as a few wide copies instead of field by field.
*/
typedef struct wm_word_image {
    const char *norm;      /* normal form (in the analyzer's strings) */
    size_t norm_len;       /* bytes of norm */
    const char *stem;      /* stem (same) */
    size_t stem_len;       /* bytes of stem */
    uint32_t norm_id;      /* public id of norm */
    uint32_t stem_id;      /* public id of stem */
    uint32_t bits;         /* in the low 16 bits (a token's flags' place),
                              the WM_TOK_* flags a word token takes from
                              its word lists (WORD, STOPWORD for WM_WL_STOP);
                              above WM_WORD_WL_SHIFT its other WM_WL_* bits
                              (NEGATOR, CLAUSE_BREAK); WM_WORD_SPECIAL when
                              a word token needs more (those, or alts).
                              So a word that is not special has a token's
                              flags alone here, and alts 0: its image is
                              its token's bytes exactly */
    uint32_t alts;         /* the spelling stage's tokens for the word:
                              WM_ALT_FIRST/WM_ALT_COUNT (wm_internal.h),
                              0 for none (always, when spelling is off);
                              in wm_token's reserved place (0) */
} wm_word_image;

/*
** An entry: the key and the token's image, 64 bytes on a 64-bit target.
** No hash is stored (the index slots hold it, and a grow re-files the
** slots), and a surface's length is needed only for a long one: a short
** one's hash fixes its length (wm_wordcache_hash()).
*/
typedef struct wm_cached_word {
    union {
        uint64_t words[2]; /* surfaces up to 16 bytes, by wm__key_words() */
        struct {
            const char *ptr; /* longer ones, stored elsewhere */
            size_t len;      /* their length */
        } l;
    } key;                 /* the surface form */
    wm_word_image w;       /* what its token carries */
} wm_cached_word;

typedef struct wm_wordcache {
    const wm_allocator *al;  /* where the arrays come from */
    uint64_t *index;         /* 2^k slots: hash << 32 | entry + 1; 0 empty;
                                before the first insert, one static slot */
    size_t mask;             /* number of slots - 1; 0 before the first
                                insert */
    wm_cached_word *entries; /* dense, in insertion order */
    size_t count;            /* entries in use */
    size_t cap;              /* entries allocated */
} wm_wordcache;

/* Makes an empty cache. */
void wm_wordcache_init(wm_wordcache *c, const wm_allocator *al);

/* Releases the slots. */
void wm_wordcache_free(wm_wordcache *c);

/* Forgets every entry, keeping the memory. */
void wm_wordcache_clear(wm_wordcache *c);

/* A surface of up to 16 bytes as two words (wm__key()), by value, so
** that the hot loop keeps them in registers. */
typedef struct wm_key2 {
    uint64_t w0, w1;
} wm_key2;

/* Folds 1..16 bytes into two words that are equal for two strings of the
** same length exactly when their bytes are: overlapping fixed-size loads
** that together cover every byte and read none outside the string. */
static inline wm_key2 wm__key(const unsigned char *p, size_t len)
{
    wm_key2 k;

    if (len >= 8) {
        __builtin_memcpy(&k.w0, p, 8);
        __builtin_memcpy(&k.w1, p + len - 8, 8);
    } else if (len >= 4) {
        uint32_t lo, hi;
        __builtin_memcpy(&lo, p, 4);
        __builtin_memcpy(&hi, p + len - 4, 4);
        k.w0 = lo;
        k.w1 = hi;
    } else {
        k.w0 = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
        k.w1 = 0;
    }
    return k;
}

/* wm__key() into an entry's key. */
static inline void wm__key_words(const unsigned char *p, size_t len, uint64_t w[2])
{
    wm_key2 k = wm__key(p, len);

    w[0] = k.w0;
    w[1] = k.w1;
}

/* The bits of a hash that say how long a short surface is (see
** wm_wordcache_hash()). */
#define WM_KEY_LEN_SHIFT 27
#define WM_KEY_HASH_BITS ((UINT32_C(1) << WM_KEY_LEN_SHIFT) - 1)

/* The hash of a surface of up to 16 bytes from its two words (see
** wm_wordcache_hash()). */
static inline uint32_t wm__key_hash(wm_key2 k, size_t len)
{
    uint64_t x = k.w0 ^ (k.w1 << 32 | k.w1 >> 32);

    return (uint32_t)((x * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - WM_KEY_LEN_SHIFT)) |
           (uint32_t)len << WM_KEY_LEN_SHIFT;
}

/* The hash of a longer surface: wm_hash() with the length bits clear. */
static inline uint32_t wm__long_hash(const unsigned char *s, size_t len)
{
    return wm_hash(s, len) & WM_KEY_HASH_BITS;
}

/*
** The hash a surface is filed under. Up to 16 bytes (nearly every word):
** the two words of wm__key(), the loads the key comparison repeats, the
** second turned by half its width (so that the two halves of a surface of
** 4..7 bytes land in different halves, and no bytes are lost) and xor-ed
** into the first, times an odd constant; the high bits of the product are
** the hash, since the low bits of a product see only the low bits of its
** factors. Its top five bits are the length itself (1..16), which the
** words alone do not fix: two short surfaces with the same hash have the
** same length, and a probe compares their words alone. A longer surface
** takes wm_hash() with those bits clear (it never meets a short one's
** hash), and its probe compares the lengths.
*/
static inline uint32_t wm_wordcache_hash(const unsigned char *s, size_t len)
{
    if (len > WM_INLINE_KEY)
        return wm__long_hash(s, len);
    return wm__key_hash(wm__key(s, len), len);
}

/*
** The probe of an index of slots `hash << 32 | entry + 1` (0 empty) over
** entries, shared by this cache and the engine's shared one
** (sharedcache.h), whose slots are atomic (`atomic`: acquire loads). A
** short surface (`short_key`: len <= WM_INLINE_KEY) is compared with an
** entry's key as the two words k, and only those: a slot's hash fixes its
** length (wm_wordcache_hash()); a long one by its length and bytes s. Both flags are
** constants where it is called, so each call inlines to a loop of its own
** with no test of them per slot. The mask and the entries are read through
** the cache's own fields, as a loop written in place would: taken by value
** they wanted two registers more in the analyzer's hot loop, which has none
** to spare (callgrind: 4 instructions a word more).
*/
static inline __attribute__((always_inline)) const wm_cached_word *
wm__probe(const void *index, int atomic, const size_t *maskp,
          wm_cached_word *const *entriesp, const unsigned char *s, size_t len,
          wm_key2 k, int short_key, uint32_t h)
{
    for (size_t i = h & *maskp;; i = (i + 1) & *maskp) {
        uint64_t slot = atomic
            ? atomic_load_explicit(&((const _Atomic uint64_t *)index)[i], memory_order_acquire)
            : ((const uint64_t *)index)[i];
        const wm_cached_word *e;

        if (slot == 0)
            return NULL;
        if ((uint32_t)(slot >> 32) != h)
            continue;
        e = &(*entriesp)[(uint32_t)slot - 1];
        if (short_key ? ((e->key.words[0] ^ k.w0) | (e->key.words[1] ^ k.w1)) == 0
                      : e->key.l.len == len && __builtin_memcmp(e->key.l.ptr, s, len) == 0)
            return e;
    }
}

/*
** The entry of a surface form (1 byte or more), or NULL; either way
** *hash is its wm_wordcache_hash(), for an insert after a miss. Inline for
** the hot loop: a short surface is folded once, hashed from its two words
** and compared with an entry's key as two words, in a loop of its own;
** the long ones have the other. The index always has a slot (an empty
** cache's is a static empty one), so there is no test for it.
*/
static inline __attribute__((always_inline)) const wm_cached_word *
wm_wordcache_get(const wm_wordcache *c, const unsigned char *s, size_t len, uint32_t *hash)
{
    static const wm_key2 none;

    if (len <= WM_INLINE_KEY) {
        wm_key2 k = wm__key(s, len);
        uint32_t h = wm__key_hash(k, len);
        *hash = h;
        return wm__probe(c->index, 0, &c->mask, &c->entries, s, len, k, 1, h);
    }
    *hash = wm__long_hash(s, len);
    return wm__probe(c->index, 0, &c->mask, &c->entries, s, len, none, 0, *hash);
}

/* Inserts a surface form that is not in the cache (hash as for
** wm_wordcache_get()) and returns its entry, with the key set and the
** rest zero, for the caller to fill; NULL when memory runs
** out (the cache is then unchanged). A long key (over 16 bytes) must
** point to storage that outlives the entry. */
wm_cached_word *wm_wordcache_insert(wm_wordcache *c, const unsigned char *s,
                                    size_t len, uint32_t hash);

#endif /* WM_WORDCACHE_H */
