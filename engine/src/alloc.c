/*
** alloc.c — allocation through the embedder's allocator.
**
** Every allocation of the library passes through the engine's wm_allocator,
** so that an embedder can account for memory and the tests can make the Nth
** allocation fail. These wrappers add the overflow checks that every caller
** would otherwise repeat.
*/
#include "wm_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The C library's realloc, with the allocator's signature. */
static void *default_realloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    return realloc(ptr, size ? size : 1);
}

/* The C library's free, with the allocator's signature. */
static void default_free(void *ud, void *ptr)
{
    (void)ud;
    free(ptr);
}

const wm_allocator wm__default_allocator = {default_realloc, default_free, NULL};

/* Allocates n bytes (at least one, so that NULL always means failure). */
void *wm__malloc(const wm_allocator *al, size_t n)
{
    return al->realloc(al->ud, NULL, n ? n : 1);
}

/* Allocates a zeroed array, refusing a count*size that overflows. */
void *wm__calloc(const wm_allocator *al, size_t count, size_t size)
{
    void *p;

    if (size && count > SIZE_MAX / size)
        return NULL;
    p = wm__malloc(al, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* Resizes a block; on failure the old block stays valid. */
void *wm__realloc(const wm_allocator *al, void *p, size_t n)
{
    return al->realloc(al->ud, p, n ? n : 1);
}

/* Frees a block; NULL is allowed. */
void wm__free(const wm_allocator *al, void *p)
{
    if (p)
        al->free(al->ud, p);
}

/* Grows a dynamic array geometrically; see wm_internal.h. */
int wm__grow(const wm_allocator *al, void **pp, size_t *cap, size_t need,
             size_t size)
{
    size_t ncap = *cap ? *cap : 16;
    void *p;

    if (need <= *cap)
        return WM_OK;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return WM_ENOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / size)
        return WM_ENOMEM;
    p = wm__realloc(al, *pp, ncap * size);
    if (!p)
        return WM_ENOMEM;
    *pp = p;
    *cap = ncap;
    return WM_OK;
}
