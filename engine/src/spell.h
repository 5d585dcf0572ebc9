/*
** spell.h — the spelling stage's per-language service (internal).
**
** One wm_spell per language the engine spells, owned by the engine and
** shared by every analyzer of that language. It holds the Hunspell
** dictionary (not thread-safe: every call into it, and into the iconv
** converters beside it, is made under the service's mutex) and a shared
** cache from a word's normal form to what the stage found for it (its
** compound parts and its variant), sharded so that threads that miss at
** once rarely wait for each other. Analyzers ask it only on a miss of
** their own word cache, so the hot loop never takes a lock. Rules:
** docs/spelling.md.
*/
#ifndef WM_SPELL_H
#define WM_SPELL_H

#include "whatmatters.h"
#include "intern.h"

#include <stddef.h>
#include <stdint.h>

#define WM_SPELL_MIN_CHARS 4       /* shorter words are not looked at */
#define WM_SPELL_MAX_CHARS 40      /* nor longer ones */
#define WM_SPELL_MIN_SUGGEST 5     /* shorter words get no suggestion */
#define WM_SPELL_MIN_PART 3        /* characters of a compound's part */
#define WM_SPELL_MAX_PARTS 3       /* parts of one compound */
#define WM_SPELL_MAX_BYTES 160     /* bytes of a word, a part or a variant */
#define WM_SPELL_CACHE_BOUND 200000 /* words the shared cache holds per
                                       language before it starts afresh */

typedef struct wm_spell wm_spell;

/* What the stage found for one word: normal forms (NFC, case-folded UTF-8)
** packed into buf, not NUL-terminated. */
typedef struct wm_spell_result {
    uint8_t n_parts;                       /* 0, 2 or 3 */
    uint8_t has_variant;                   /* 1 when there is a variant */
    uint16_t part_off[WM_SPELL_MAX_PARTS]; /* each part's offset in buf */
    uint16_t part_len[WM_SPELL_MAX_PARTS]; /* and length */
    uint16_t variant_off;                  /* the variant's offset */
    uint16_t variant_len;                  /* and length */
    char buf[4 * WM_SPELL_MAX_BYTES];      /* the strings */
} wm_spell_result;

/* Loads the dictionary aff/dic for a language index into a new service;
** aff_bytes (aff_len) are the affix file's contents, which it reads with
** Hunspell's n-gram suggestions turned off (see spell.c).
** vocab holds the strings plugins intern for the language (a word whose
** stem is there is one a plugin knows); it may still grow until the
** first lookup, and must not change after. suggest: 1 to ask Hunspell for
** suggestions (WM_SPELL_SUGGEST). Returns WM_OK, WM_ENOMEM or
** WM_EIO (no converter for the dictionary's encoding); errmsg
** (WM_ERRMSG_SIZE bytes) says why. The files must exist: the caller
** checks, so that its message can name the package. */
int wm_spell_open(const wm_allocator *al, int lang, const wm_intern *vocab, int suggest,
                  const char *aff, const unsigned char *aff_bytes,
                  size_t aff_len, const char *dic, wm_spell **out,
                  char *errmsg);

/* Destroys a service. NULL is a no-op. */
void wm_spell_close(wm_spell *sp);

/* True when the stage looks at a word at all, from its normal form: 4 to 40
** characters, every one a letter (or a combining mark). Thread-safe. */
int wm_spell_wants(const char *norm, size_t len);

/* What the stage finds for a word (a normal form that wm_spell_wants(),
** and its Snowball stem),
** from the shared cache or else from the dictionary, into *out. The
** result depends only on the word, the dictionary and the vocabulary.
** Returns WM_OK or WM_ENOMEM. Thread-safe: any number of threads may call
** it on one service at once. */
int wm_spell_lookup(wm_spell *sp, const char *norm, size_t len,
                    const char *stem, size_t stem_len, wm_spell_result *out);

#endif /* WM_SPELL_H */
