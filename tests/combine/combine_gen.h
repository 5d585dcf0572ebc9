/*
** combine_gen.h — what the fixture plugin of tests/combine writes for an
** answer, computed from the answer's bytes and the plugin's seed, so that
** the test can recompute the engine's combination from the same values.
** Shared by the plugin (combine_plugin.c) and the test (test_combine.c).
**
** Most areas get nothing (0), as a word list leaves them; the others get
** the values that matter at the edges: -0, 0.5 and just under it, 1, tiny
** and ordinary scores, and now and then a veto. Some answers get a broken
** result: NaN, a score above 1, a write past the scores, or an error code.
*/
#ifndef COMBINE_GEN_H
#define COMBINE_GEN_H

#include <stddef.h>
#include <stdint.h>

/* What an answer's result is for one plugin. */
enum cg_fault { CG_OK, CG_NAN, CG_ABOVE, CG_PAST, CG_ERROR };

/* SplitMix64: a well-mixed next value from a state. */
static inline uint64_t cg_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* The state for an answer's text and a plugin's seed (FNV-1a of both). */
static inline uint64_t cg_state(const char *text, size_t len, unsigned seed)
{
    uint64_t h = 0xCBF29CE484222325u ^ seed;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 0x100000001B3u;
    return h;
}

/* The fault of this answer, drawn first from the state. */
static inline enum cg_fault cg_fault(uint64_t *s)
{
    unsigned r = (unsigned)(cg_next(s) % 64);

    return r == 0 ? CG_NAN : r == 1 ? CG_ABOVE : r == 2 ? CG_PAST : r == 3 ? CG_ERROR : CG_OK;
}

/* The score of the next area, and whether it is vetoed (*veto 0 or a
** byte not 0). */
static inline double cg_score(uint64_t *s, unsigned char *veto)
{
    uint64_t r = cg_next(s);
    double u = (double)(r >> 11) / 9007199254740992.0; /* [0, 1) */

    *veto = (r >> 4) % 8 == 0 ? (unsigned char)(1 + (r >> 8) % 255) : 0;
    switch (r % 16) {
    case 8: return -0.0;
    case 9: return 0.5;
    case 10: return 0.49999999999999994;
    case 11: return 1.0;
    case 12: return 5e-324;
    case 13: return 0.5 + u / 2;
    case 14: case 15: return u;
    default: return 0.0;
    }
}

#endif /* COMBINE_GEN_H */
