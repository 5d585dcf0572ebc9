/*
** spell.c — the spelling stage: compound parts and variants from Hunspell.
**
** For a word no plugin knows, the stage finds the parts of a compound
** ("anhörigstödet": "anhörig", "stödet") and a variant of a misspelling or
** of a word typed without its diacritics ("vardcentralen":
** "vårdcentralen"). The rules are in docs/spelling.md; this file is their
** one implementation.
**
** Costs. A word meets the gate first (a few hash look-ups over the
** strings the plugins interned, no lock): only what a plugin could match
** goes on to Hunspell, whose check takes about 5 µs (13 µs for a word it
** rejects); a split tries only the positions the gate found;
** Hunspell_suggest() takes milliseconds (without its n-gram phase: see
** ngram_off) and is asked only in mode WM_SPELL_SUGGEST or with no plugin.
** All of it happens once per distinct word per language: the result goes
** into a cache shared by the language's analyzers, and each analyzer keeps
** it in its own word cache too, so a token seen before costs nothing here.
**
** Threads. A Hunspell handle, an iconv descriptor and a Snowball stemmer
** all carry state, so every call into them is made under the service's
** `hun_lock`, one call at a time. The shared cache is
** split into CACHE_SHARDS tables by hash, each behind its own mutex, held
** only to probe, copy out or insert; results are copied out to the caller,
** so that a shard that starts afresh (it frees its entries when it reaches
** its share of WM_SPELL_CACHE_BOUND) leaves nothing dangling. Two threads
** that miss the same word at once both compute it (the result is the
** same: it depends only on the word, the dictionary and the engine's
** frozen vocabulary) and the second insert is dropped.
*/
#define _GNU_SOURCE /* memfd_create */
#include "spell.h"
#include "wm_internal.h"
#include "normalize.h"

#include <hunspell/hunspell.h>
#include <iconv.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <utf8proc.h>

#define CACHE_SHARDS 16          /* shared-cache tables, by hash */
#define GATE_MIN_CHARS 4         /* shortest vocabulary string the gate
                                    looks for inside a word (a part's) */
#define GATE_MAX_ENDING 4        /* characters of an ending after a stem */
#define GATE_MIN_TYPO 5          /* shortest stem the gate finds a typo in */
#define RESTORE_MAX_SPANS 4      /* vocabulary strings restored in a word */
#define DIC_BUF (4 * WM_SPELL_MAX_BYTES + 16) /* a word in the dictionary's
                                                 encoding, NUL included */

/* --- Languages ------------------------------------------------------------ */

/* Per language index (sv, nb, nn, da, en): the dictionary, the Debian
** package that installs it, and the linking letters a compound's left part
** may end with (NULL: the language is not decompounded). */
static const struct lang_rules {
    const char *dict;           /* file name without .aff/.dic */
    const char *package;        /* Debian package */
    const char *linking;        /* linking letters, or NULL */
} rules[WM_NLANGS] = {
    {"sv_SE", "hunspell-sv", "s"},
    {"nb_NO", "hunspell-no", "se"},
    {"nn_NO", "hunspell-no", "se"},
    {"da_DK", "hunspell-da", "se"},
    {"en_US", "hunspell-en-us", NULL},
};

/* --- The service ---------------------------------------------------------- */

/* One word in the shared cache, with what was found for it. */
typedef struct cache_entry {
    uint32_t hash;                         /* wm_hash() of the word */
    uint16_t key_len;                      /* bytes of the word */
    uint16_t data_len;                     /* bytes of the result's strings */
    uint8_t n_parts;                       /* as in wm_spell_result */
    uint8_t has_variant;                   /* same */
    uint16_t part_off[WM_SPELL_MAX_PARTS]; /* same, offsets into the data */
    uint16_t part_len[WM_SPELL_MAX_PARTS]; /* same */
    uint16_t variant_off;                  /* same */
    uint16_t variant_len;                  /* same */
    char bytes[];                          /* the word, then the data */
} cache_entry;

/* One table of the shared cache, behind its own lock. */
typedef struct cache_shard {
    pthread_mutex_t lock;  /* guards everything below */
    cache_entry **slots;   /* open addressing, at most half full; NULL empty */
    size_t mask;           /* slots - 1 (0 before the first insert) */
    size_t count;          /* entries held */
} cache_shard;

struct wm_spell {
    const wm_allocator *al;        /* the engine's allocator */
    int lang;                      /* language index */
    Hunhandle *hun;                /* the dictionary; under hun_lock */
    iconv_t to_dic;                /* UTF-8 -> dictionary, (iconv_t)-1 when
                                      the dictionary is UTF-8; under hun_lock */
    iconv_t from_dic;              /* dictionary -> UTF-8, same */
    struct sb_stemmer *stemmer;    /* the language's Snowball; under hun_lock */
    int suggest;                   /* ask Hunspell_suggest() (WM_SPELL_SUGGEST) */
    const wm_intern *vocab;        /* the strings plugins interned for the
                                      language: frozen before any lookup */
    pthread_mutex_t hun_lock;      /* one Hunspell, iconv or Snowball call
                                      at a time */
    cache_shard shards[CACHE_SHARDS]; /* the shared cache */
    pthread_mutex_t gate_lock;     /* held while the gate is built */
    atomic_int gate_ready;         /* 1 once the gate is built (or failed) */
    int gate_ok;                   /* 1 when it was built: else every word
                                      passes */
    wm_intern gate_words;          /* folded vocabulary strings of
                                      GATE_MIN_CHARS or more */
    wm_intern gate_parts;          /* those of them that match alone */
    size_t gate_parts_max;         /* bytes of the longest of those */
    wm_intern gate_dels;           /* each folded vocabulary string of
                                      GATE_MIN_TYPO or more characters with
                                      one character deleted */
    size_t gate_max;               /* bytes of the longest in gate_words */
    size_t shard_bound;            /* entries a shard holds before it starts
                                      afresh */
};

/* --- Characters ------------------------------------------------------------- */

/* Byte offsets of the characters of w: b[i] starts character i, b[n] is
** len. Returns n (at most max). w is valid UTF-8. */
static size_t char_bounds(const char *w, size_t len, uint16_t *b, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n < max; i++)
        if (((unsigned char)w[i] & 0xC0) != 0x80)
            b[n++] = (uint16_t)i;
    b[n] = (uint16_t)len;
    return n;
}

int wm_spell_wants(const char *norm, size_t len)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)norm;
    size_t chars = 0;

    if (len < WM_SPELL_MIN_CHARS || len > WM_SPELL_MAX_BYTES)
        return 0;
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)len, &cp);
        if (n <= 0)
            return 0;
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
            break;
        default:
            return 0; /* digits, apostrophes, anything but letters */
        }
        chars++;
        s += n;
        len -= (size_t)n;
    }
    return chars >= WM_SPELL_MIN_CHARS && chars <= WM_SPELL_MAX_CHARS;
}

/* Copies w with its first character upper-cased into out (cap bytes);
** returns the length, or 0 when it does not fit or nothing changes. */
static size_t capitalise(const char *w, size_t len, char *out, size_t cap)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)w, (utf8proc_ssize_t)len, &cp);
    utf8proc_uint8_t head[4];
    utf8proc_ssize_t m;

    if (n <= 0 || utf8proc_toupper(cp) == cp)
        return 0;
    m = utf8proc_encode_char(utf8proc_toupper(cp), head);
    if (m <= 0 || (size_t)m + len - (size_t)n > cap)
        return 0;
    memcpy(out, head, (size_t)m);
    memcpy(out + m, w + n, len - (size_t)n);
    return (size_t)m + len - (size_t)n;
}

/* --- Hunspell, one call at a time --------------------------------------------- */

/* Converts a UTF-8 word into the dictionary's encoding, NUL-terminated.
** Returns 0 when it cannot (a character the encoding lacks). Under
** hun_lock. */
static int to_dic(wm_spell *sp, const char *w, size_t len, char *out, size_t cap)
{
    char *in = (char *)w, *o = out;
    size_t in_left = len, out_left = cap - 1;

    if (sp->to_dic == (iconv_t)-1) {
        if (len >= cap)
            return 0;
        memcpy(out, w, len);
        out[len] = '\0';
        return 1;
    }
    iconv(sp->to_dic, NULL, NULL, NULL, NULL);
    if (iconv(sp->to_dic, &in, &in_left, &o, &out_left) == (size_t)-1 ||
        iconv(sp->to_dic, NULL, NULL, &o, &out_left) == (size_t)-1)
        return 0;
    *o = '\0';
    return 1;
}

/* Converts a NUL-terminated word of the dictionary into UTF-8 (not
** terminated); returns its length, or 0 when it cannot. Under hun_lock. */
static size_t from_dic(wm_spell *sp, const char *w, char *out, size_t cap)
{
    char *in = (char *)w, *o = out;
    size_t len = strlen(w), in_left = len, out_left = cap;

    if (sp->from_dic == (iconv_t)-1) {
        if (len > cap)
            return 0;
        memcpy(out, w, len);
        return len;
    }
    iconv(sp->from_dic, NULL, NULL, NULL, NULL);
    if (iconv(sp->from_dic, &in, &in_left, &o, &out_left) == (size_t)-1 ||
        iconv(sp->from_dic, NULL, NULL, &o, &out_left) == (size_t)-1)
        return 0;
    return (size_t)(o - out);
}

/* True when the dictionary accepts the word as written. */
static int hun_spell(wm_spell *sp, const char *w, size_t len)
{
    char buf[DIC_BUF];
    int ok = 0;

    pthread_mutex_lock(&sp->hun_lock);
    if (to_dic(sp, w, len, buf, sizeof buf))
        ok = Hunspell_spell(sp->hun, buf) != 0;
    pthread_mutex_unlock(&sp->hun_lock);
    return ok;
}

/* True when the dictionary accepts the word only with a capital (a name:
** the normal form is case-folded, "stockholm"). */
static int hun_spell_capital(wm_spell *sp, const char *w, size_t len)
{
    char cap[WM_SPELL_MAX_BYTES + 8];
    size_t n = capitalise(w, len, cap, sizeof cap);

    return n > 0 && hun_spell(sp, cap, n);
}

/* The characters of a UTF-8 word (its bytes that start one). */
static size_t chars_of(const char *w, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)w[i] & 0xC0) != 0x80;
    return n;
}

/* True when the dictionary lists the word whole, not only as a compound
** its rules form: one of Hunspell's analyses of it names no part ("pa:"). */
static int hun_listed_whole(wm_spell *sp, const char *w, size_t len)
{
    char buf[DIC_BUF];
    char **list = NULL;
    int n = 0, whole = 0;

    pthread_mutex_lock(&sp->hun_lock);
    if (to_dic(sp, w, len, buf, sizeof buf)) {
        n = Hunspell_analyze(sp->hun, &list, buf);
        for (int i = 0; i < n && !whole; i++)
            whole = strstr(list[i], "pa:") == NULL;
        if (n > 0)
            Hunspell_free_list(sp->hun, &list, n);
    }
    pthread_mutex_unlock(&sp->hun_lock);
    return whole;
}

/* Hunspell's first suggestion for a word, in UTF-8 (not terminated), or 0
** when there is none. The slow call of the stage. */
static size_t hun_suggest(wm_spell *sp, const char *w, size_t len, char *out, size_t cap)
{
    char buf[DIC_BUF];
    char **list = NULL;
    size_t got = 0;
    int n;

    pthread_mutex_lock(&sp->hun_lock);
    if (to_dic(sp, w, len, buf, sizeof buf)) {
        n = Hunspell_suggest(sp->hun, &list, buf);
        if (n > 0) {
            got = from_dic(sp, list[0], out, cap);
            Hunspell_free_list(sp->hun, &list, n);
        }
    }
    pthread_mutex_unlock(&sp->hun_lock);
    return got;
}

/* The Snowball stem of a word into out (cap bytes); returns its length,
** or 0 when it does not fit. */
static size_t stem_of(wm_spell *sp, const char *w, size_t len, char *out, size_t cap)
{
    const sb_symbol *stem;
    size_t n = 0;

    pthread_mutex_lock(&sp->hun_lock);
    stem = sb_stemmer_stem(sp->stemmer, (const sb_symbol *)w, (int)len);
    if (stem && (size_t)sb_stemmer_length(sp->stemmer) <= cap) {
        n = (size_t)sb_stemmer_length(sp->stemmer);
        memcpy(out, stem, n);
    }
    pthread_mutex_unlock(&sp->hun_lock);
    return n;
}

/* True when a plugin knows the word: its stem is in the vocabulary. */
static int known(wm_spell *sp, const char *w, size_t len)
{
    char stem[2 * WM_SPELL_MAX_BYTES];
    size_t n = stem_of(sp, w, len, stem, sizeof stem);

    return n > 0 && wm_intern_find(sp->vocab, stem, n, wm_hash(stem, n)) != 0;
}

/* --- Results ---------------------------------------------------------------- */

/* Appends a string to a result's buffer; its offset goes to *off. Returns
** 0 when it does not fit (it always does for words within the limits). */
static int put(wm_spell_result *r, size_t *used, const char *s, size_t len, uint16_t *off)
{
    if (*used + len > sizeof r->buf)
        return 0;
    memcpy(r->buf + *used, s, len);
    *off = (uint16_t)*used;
    *used += len;
    return 1;
}

/* Appends a part. */
static void put_part(wm_spell_result *r, size_t *used, const char *s, size_t len)
{
    if (r->n_parts < WM_SPELL_MAX_PARTS &&
        put(r, used, s, len, &r->part_off[r->n_parts])) {
        r->part_len[r->n_parts] = (uint16_t)len;
        r->n_parts++;
    }
}

/* --- The gate ----------------------------------------------------------------------- */

/*
** What the stage finds for a word pays off only when a plugin can match it.
** Hunspell cannot be asked that cheaply (a check takes microseconds, a
** split a check or two per position, a suggestion milliseconds), so a word
** first meets a gate built from the strings the plugins interned (their
** vocabulary), which costs a few hash look-ups. With diacritics folded
** (å ä æ to a, ö ø to o, é to e), it passes when
**   (a) a compound split could pay off: a string that matches alone
**       (wm_host.mark_alone) begins a part, that is begins the word with
**       room for a head after it, or begins a head that it fills bar an
**       ending of at most GATE_MAX_ENDING characters;
**   (b) restoring diacritics could pay off: a vocabulary string inside the
**       word is written with diacritics the word lacks;
**   (c) correcting a slip could pay off: the word's stem is one typing
**       slip (a character left out, added, changed, or two swapped) from a
**       vocabulary string of GATE_MIN_TYPO or more characters;
**   (d) correcting an ending could pay off: a vocabulary string begins the
**       word and at most GATE_MAX_ENDING characters follow it.
** A word that passes none gets nothing, as if Hunspell had been asked and
** its answer matched nothing; the gate only turns away what no plugin
** could have matched. Which rule passed also says what to try: the split
** positions of (a), the candidate of (b), the string of (c).
*/

/* Folds the diacritics a restoration or a typo may hide: writes the
** folded bytes of w to out (at least len bytes) and returns their length.
** A character folds to one character. */
static size_t fold(const char *w, size_t len, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];

        if (c == 0xC3 && i + 1 < len) {
            unsigned char d = (unsigned char)w[i + 1];
            char to = d == 0xA5 || d == 0xA4 || d == 0xA6 ? 'a'
                    : d == 0xB6 || d == 0xB8              ? 'o'
                    : d == 0xA9                           ? 'e' : 0;
            if (to) {
                out[n++] = to;
                i++;
                continue;
            }
        }
        out[n++] = (char)c;
    }
    return n;
}

/* A word with its diacritics folded, and where its characters start. */
typedef struct folded {
    char f[WM_SPELL_MAX_BYTES];        /* the folded bytes */
    uint16_t b[WM_SPELL_MAX_BYTES + 1]; /* b[i]: where character i starts */
    size_t len;                        /* bytes in f */
    size_t chars;                      /* characters */
} folded;

/* Folds w (at most WM_SPELL_MAX_BYTES bytes) into *fw: done once per word
** for all the gate's rules. */
static void fold_word(const char *w, size_t len, folded *fw)
{
    fw->len = fold(w, len, fw->f);
    fw->chars = char_bounds(fw->f, fw->len, fw->b, WM_SPELL_MAX_BYTES);
}

/* Adds s (len bytes) to t for the vocabulary string `vocab_id`: an
** entry keeps the first two such ids (val, aux). 0 when memory runs out. */
static int gate_add(wm_intern *t, const char *s, size_t len, uint32_t vocab_id)
{
    wm_intern_entry *en;
    uint32_t id;

    if (wm_intern_add(t, s, len, wm_hash(s, len), &id) != WM_OK)
        return 0;
    en = wm_intern_get(t, id);
    if (!en->val)
        en->val = vocab_id;
    else if (!en->aux && en->val != vocab_id)
        en->aux = vocab_id;
    return 1;
}

/* The entry of s (len bytes) in t, or NULL. */
static const wm_intern_entry *gate_find(const wm_intern *t, const char *s, size_t len)
{
    uint32_t id = wm_intern_find(t, s, len, wm_hash(s, len));

    return id ? wm_intern_get(t, id) : NULL;
}

/* Fills the gate's tables from the vocabulary; 0 when memory runs out.
** When no plugin marked a string as matching alone, every string counts
** as one. */
static int gate_build(wm_spell *sp)
{
    size_t n = wm_intern_count(sp->vocab);
    int marked = 0;

    for (uint32_t id = 1; id <= n && !marked; id++)
        marked = (wm_intern_get(sp->vocab, id)->val & WM_VOCAB_ALONE) != 0;
    for (uint32_t id = 1; id <= n; id++) {
        const wm_intern_entry *en = wm_intern_get(sp->vocab, id);
        char f[WM_SPELL_MAX_BYTES], del[WM_SPELL_MAX_BYTES];
        uint16_t b[WM_SPELL_MAX_BYTES + 1];
        size_t len, chars;

        if (en->len > WM_SPELL_MAX_BYTES)
            continue;
        len = fold(en->str, en->len, f);
        chars = char_bounds(f, len, b, WM_SPELL_MAX_BYTES);
        if (chars < GATE_MIN_CHARS)
            continue;
        if (!gate_add(&sp->gate_words, f, len, id))
            return 0;
        if (len > sp->gate_max)
            sp->gate_max = len;
        if (!marked || (en->val & WM_VOCAB_ALONE)) {
            if (!gate_add(&sp->gate_parts, f, len, id))
                return 0;
            if (len > sp->gate_parts_max)
                sp->gate_parts_max = len;
        }
        for (size_t i = 0; chars >= GATE_MIN_TYPO && i < chars; i++) {
            size_t k = b[i + 1] - b[i];

            memcpy(del, f, b[i]);
            memcpy(del + b[i], f + b[i + 1], len - b[i + 1]);
            if (!gate_add(&sp->gate_dels, del, len - k, id))
                return 0;
        }
    }
    return 1;
}

/* Builds the gate once, on the first lookup (the vocabulary is frozen by
** then); any number of threads may call it. A gate that cannot be built
** lets every word through. */
static void gate_ready(wm_spell *sp)
{
    if (atomic_load_explicit(&sp->gate_ready, memory_order_acquire))
        return;
    pthread_mutex_lock(&sp->gate_lock);
    if (!atomic_load_explicit(&sp->gate_ready, memory_order_relaxed)) {
        /* No strings to be guided by (no plugin, as for `tokenize`): no
        ** gate, every word is looked at and Hunspell suggests. */
        sp->gate_ok = wm_intern_count(sp->vocab) > 0 && gate_build(sp);
        if (!sp->gate_ok) {
            wm_intern_free(&sp->gate_words);
            wm_intern_free(&sp->gate_parts);
            wm_intern_free(&sp->gate_dels);
        }
        atomic_store_explicit(&sp->gate_ready, 1, memory_order_release);
    }
    pthread_mutex_unlock(&sp->gate_lock);
}

/*
** Rule (a): the positions 1..63 (characters) where a split of the folded
** word fw could pay off, as a bit mask: where a string that matches alone
** begins a head that it fills bar at most GATE_MAX_ENDING characters, and up to
** GATE_MAX_ENDING characters after the end of one that begins the word
** (the left part's ending and linking letter). Both parts keep
** WM_SPELL_MIN_PART characters. Without a gate, every position.
*/
static uint64_t split_positions(wm_spell *sp, const folded *fw)
{
    const char *f = fw->f;
    const uint16_t *b = fw->b;
    size_t chars = fw->chars;
    uint64_t at = 0, ends = 0;

    if (chars < 2 * WM_SPELL_MIN_PART)
        return 0;
    if (!sp->gate_ok)
        return ~(uint64_t)0;
    for (size_t j = GATE_MIN_CHARS; j <= chars && j < 64 && b[j] <= sp->gate_parts_max; j++)
        if (gate_find(&sp->gate_parts, f, b[j]))
            ends |= (uint64_t)1 << j;
    for (int k = 0; k <= GATE_MAX_ENDING; k++)
        at |= ends << k;
    for (size_t i = WM_SPELL_MIN_PART; i + WM_SPELL_MIN_PART <= chars && i < 64; i++) {
        size_t from = chars > i + GATE_MIN_CHARS + GATE_MAX_ENDING
                    ? chars - GATE_MAX_ENDING : i + GATE_MIN_CHARS;

        for (size_t j = from; j <= chars && (size_t)(b[j] - b[i]) <= sp->gate_parts_max; j++)
            if (gate_find(&sp->gate_parts, f + b[i], b[j] - b[i])) {
                at |= (uint64_t)1 << i;
                break;
            }
    }
    /* both parts at least WM_SPELL_MIN_PART characters */
    at &= ~(((uint64_t)1 << WM_SPELL_MIN_PART) - 1);
    if (chars - WM_SPELL_MIN_PART + 1 < 64)
        at &= ((uint64_t)1 << (chars - WM_SPELL_MIN_PART + 1)) - 1;
    return at;
}

/*
** Rule (b): w with the diacritics of the vocabulary strings inside it put
** back. Going left to right, the longest folded vocabulary string that
** starts at each character is written as the vocabulary writes it, when
** that differs ("vardcentralen": "vårdcentral" + "en"); at most
** RESTORE_MAX_SPANS strings, each the word's stem or a head (it ends at
** most GATE_MAX_ENDING characters before the word does), or a left part
** that matches alone (wm_host.mark_alone) with room for a head: what a
** plugin could match once restored. Writes the candidate to out and returns its
** length, or 0 when nothing changed.
*/
static size_t restore_candidate(wm_spell *sp, const char *w, size_t len, const folded *fw,
                                char *out)
{
    const char *f = fw->f;
    const uint16_t *fb = fw->b;
    uint16_t wb[WM_SPELL_MAX_BYTES + 1];
    size_t chars = fw->chars, o = 0, spans = 0;

    if (!sp->gate_ok || char_bounds(w, len, wb, WM_SPELL_MAX_BYTES) != chars)
        return 0;
    for (size_t i = 0; i < chars;) {
        const wm_intern_entry *en = NULL, *hit;
        size_t end = i;

        for (size_t j = i + GATE_MIN_CHARS;
             spans < RESTORE_MAX_SPANS && j <= chars &&
             (size_t)(fb[j] - fb[i]) <= sp->gate_max; j++) {
            /* The word's stem or a head (an ending at most follows), or a
            ** left part that matches alone with a head after it. */
            int stem = j + GATE_MAX_ENDING >= chars;

            if (!stem && !(i == 0 && chars - j >= WM_SPELL_MIN_PART))
                continue;
            hit = gate_find(&sp->gate_words, f + fb[i], fb[j] - fb[i]);
            if (hit && !stem && !gate_find(&sp->gate_parts, f + fb[i], fb[j] - fb[i]))
                hit = NULL;
            if (hit) {
                en = hit;
                end = j;
            }
        }
        if (en) {
            /* Of the one or two vocabulary strings that fold alike, the
            ** one that is not written as the word has it. */
            const char *src = w + wb[i];
            size_t src_len = wb[end] - wb[i];
            const wm_intern_entry *v = wm_intern_get(sp->vocab, en->val);

            if (v->len == src_len && memcmp(v->str, src, src_len) == 0 && en->aux)
                v = wm_intern_get(sp->vocab, en->aux);
            if (!(v->len == src_len && memcmp(v->str, src, src_len) == 0)) {
                if (o + v->len + len - wb[end] > WM_SPELL_MAX_BYTES)
                    return 0;
                memcpy(out + o, v->str, v->len);
                o += v->len;
                spans++;
                i = end;
                continue;
            }
        }
        memcpy(out + o, w + wb[i], wb[i + 1] - wb[i]);
        o += wb[i + 1] - wb[i];
        i++;
    }
    return spans ? o : 0;
}

/* True when x and y (bytes) are at most one slip apart: equal, one byte
** changed, left out or added, or two neighbours swapped. */
static int one_slip(const char *x, size_t xn, const char *y, size_t yn)
{
    size_t i = 0;

    if (xn < yn) { /* x the longer */
        const char *t = x;
        size_t tn = xn;
        x = y, xn = yn, y = t, yn = tn;
    }
    if (xn - yn > 1)
        return 0;
    while (i < yn && x[i] == y[i])
        i++;
    if (i == yn)
        return 1;
    if (xn != yn) /* x has one more: it must be x[i] */
        return memcmp(x + i + 1, y + i, yn - i) == 0;
    if (memcmp(x + i + 1, y + i + 1, yn - i - 1) == 0) /* changed */
        return 1;
    return i + 1 < yn && x[i] == y[i + 1] && x[i + 1] == y[i] && /* swapped */
           memcmp(x + i + 2, y + i + 2, yn - i - 2) == 0;
}

/* The vocabulary id of a gate entry (its first or second string) whose
** folded form is one slip from f, or 0: the deletion tables also pair
** strings two slips apart. */
static uint32_t slip_id(wm_spell *sp, const wm_intern_entry *en, const char *f, size_t n)
{
    uint32_t ids[2];

    if (!en)
        return 0;
    ids[0] = en->val;
    ids[1] = en->aux;
    for (int k = 0; k < 2 && ids[k]; k++) {
        const wm_intern_entry *v = wm_intern_get(sp->vocab, ids[k]);
        char fv[WM_SPELL_MAX_BYTES];
        size_t m;

        if (v->len > WM_SPELL_MAX_BYTES)
            continue;
        m = fold(v->str, v->len, fv);
        if (one_slip(f, n, fv, m))
            return ids[k];
    }
    return 0;
}

/* Rule (c): the id of a vocabulary string one slip from a stem, or 0. */
static uint32_t typo_of(wm_spell *sp, const char *stem, size_t stem_len)
{
    char f[WM_SPELL_MAX_BYTES], del[WM_SPELL_MAX_BYTES];
    uint16_t b[WM_SPELL_MAX_BYTES + 1];
    uint32_t id;
    size_t n, chars;

    if (!sp->gate_ok || stem_len > WM_SPELL_MAX_BYTES)
        return 0;
    n = fold(stem, stem_len, f);
    chars = char_bounds(f, n, b, WM_SPELL_MAX_BYTES);
    if (chars + 1 < GATE_MIN_TYPO)
        return 0;
    id = slip_id(sp, gate_find(&sp->gate_dels, f, n), f, n); /* one added */
    for (size_t i = 0; !id && i < chars; i++) {
        size_t k = b[i + 1] - b[i];

        memcpy(del, f, b[i]);
        memcpy(del + b[i], f + b[i + 1], n - b[i + 1]);
        id = slip_id(sp, gate_find(&sp->gate_words, del, n - k), f, n); /* left out */
        if (!id) /* changed, swapped */
            id = slip_id(sp, gate_find(&sp->gate_dels, del, n - k), f, n);
    }
    return id;
}

/* Rule (d): a vocabulary string begins w, and at most GATE_MAX_ENDING
** characters follow it. */
static int ending_of(wm_spell *sp, const folded *fw)
{
    size_t chars = fw->chars;

    for (size_t j = chars > GATE_MAX_ENDING ? chars - GATE_MAX_ENDING : 0; j < chars; j++)
        if (j >= GATE_MIN_CHARS && gate_find(&sp->gate_words, fw->f, fw->b[j]))
            return 1;
    return 0;
}

/* What the gate found for a word. */
typedef struct gate_hit {
    uint64_t splits;        /* (a): split positions worth a check */
    size_t restored_len;    /* (b): bytes of restored, 0 when none */
    uint32_t typo;          /* (c): the vocabulary string's id, 0 when none */
    size_t stem_len;        /* (c): bytes of the word's stem, a prefix of it */
    int ending;             /* (d) holds */
    char restored[WM_SPELL_MAX_BYTES]; /* (b): the candidate */
} gate_hit;

/* Checks a word (a normal form; its stem) at the gate. Returns 1 when it
** passes. No lock: the gate's tables are read-only once built. */
static int gate_check(wm_spell *sp, const char *w, size_t len, const char *stem,
                      size_t stem_len, gate_hit *g)
{
    folded fw;

    gate_ready(sp);
    if (!sp->gate_ok) { /* no gate: everything is worth a try */
        memset(g, 0, offsetof(gate_hit, restored));
        g->splits = ~(uint64_t)0;
        g->ending = 1;
        return 1;
    }
    fold_word(w, len, &fw);
    g->splits = rules[sp->lang].linking ? split_positions(sp, &fw) : 0;
    g->restored_len = restore_candidate(sp, w, len, &fw, g->restored);
    g->typo = 0;
    g->stem_len = 0;
    if (stem_len <= len && memcmp(stem, w, stem_len) == 0) {
        g->typo = typo_of(sp, stem, stem_len);
        g->stem_len = stem_len;
    }
    g->ending = sp->suggest && ending_of(sp, &fw); /* only Hunspell mends it */
    return g->splits || g->restored_len || g->typo || g->ending;
}

/* --- Compounds ---------------------------------------------------------------- */

/* True when c may link a compound's left part to its head in this
** language ("vårdcentral-s-personalen", "barn-e-hage"). */
static int is_linking(int lang, char c)
{
    return rules[lang].linking && c && strchr(rules[lang].linking, c) != NULL;
}

/* True when the head carries the word's ending, as a compound's head does:
** the word's stem ends with the head's ("personal-en" is no "person" +
** "alen": the stem "personal" does not end with "alen"). */
static int head_carries_ending(wm_spell *sp, const char *stem, size_t stem_len,
                               const char *head, size_t head_len)
{
    char hs[2 * WM_SPELL_MAX_BYTES];
    size_t n = stem_of(sp, head, head_len, hs, sizeof hs);

    return n > 0 && n <= stem_len && memcmp(stem + stem_len - n, hs, n) == 0;
}

/*
** Splits w into a left part and a head of at least WM_SPELL_MIN_PART
** characters each, trying only the positions (characters) in `at`, from
** the left, so the head is as long as it can be. The head must be a word
** the dictionary lists (not one its compounding rules make up:
** "sjuk|husvistelsen" would otherwise beat "sjukhus|vistelsen") and carry
** the word's ending; the left part must be a word the dictionary accepts,
** or one once a final linking letter is dropped. Writes the left part's
** length (without the linking letter) and the head's offset; returns 1
** when found.
*/
static int split_two(wm_spell *sp, const char *w, size_t len, uint64_t at,
                     size_t *left_len, size_t *head_off)
{
    uint16_t b[WM_SPELL_MAX_BYTES + 1];
    char stem[2 * WM_SPELL_MAX_BYTES];
    size_t n = char_bounds(w, len, b, WM_SPELL_MAX_BYTES);
    size_t stem_len;

    if (n < 2 * WM_SPELL_MIN_PART || !at)
        return 0;
    stem_len = stem_of(sp, w, len, stem, sizeof stem);
    for (size_t i = WM_SPELL_MIN_PART; i + WM_SPELL_MIN_PART <= n; i++) {
        size_t off = b[i];
        if ((i < 64 && !((at >> i) & 1)) ||
            !hun_spell(sp, w + off, len - off) || !hun_listed_whole(sp, w + off, len - off) ||
            !head_carries_ending(sp, stem, stem_len, w + off, len - off))
            continue;
        if (hun_spell(sp, w, off)) {
            *left_len = off;
        } else if (i > WM_SPELL_MIN_PART && is_linking(sp->lang, w[off - 1]) &&
                   hun_spell(sp, w, off - 1)) {
            *left_len = off - 1;
        } else {
            continue;
        }
        *head_off = off;
        return 1;
    }
    return 0;
}

/*
** The parts of a compound into r, trying the split positions `at` (those
** of split_positions(), which this finds when at is 0): none for a word
** the dictionary lists whole, whose meaning is its own ("eftermiddag" is
** no "middag", "fotboll" no "boll"); else the split with the longest head,
** then once more on the left part when the dictionary does not list that
** part whole (its compounding rules make it up: "hemtjänst" +
** "personalen" when the dictionary lacked "hemtjänst"), so three parts at
** most. A left part the dictionary lists ("vårdcentrals") stays one part:
** a word in its own right.
*/
static void decompound(wm_spell *sp, const char *w, size_t len, uint64_t at,
                       wm_spell_result *r, size_t *used)
{
    size_t left, head, left2, head2;
    folded fw;

    if (!rules[sp->lang].linking)
        return;
    if (!at) {
        fold_word(w, len, &fw);
        at = split_positions(sp, &fw);
    }
    if (!at || hun_listed_whole(sp, w, len) || !split_two(sp, w, len, at, &left, &head))
        return;
    fold_word(w, left, &fw);
    at = split_positions(sp, &fw);
    if (at && !hun_listed_whole(sp, w, left) && split_two(sp, w, left, at, &left2, &head2)) {
        put_part(r, used, w, left2);
        put_part(r, used, w + head2, left - head2);
    } else {
        put_part(r, used, w, left);
    }
    put_part(r, used, w + head, len - head);
}

/* --- Variants ------------------------------------------------------------------- */

/* True when a suggestion is one word: letters (and marks), with an
** apostrophe inside at most ("don't"). */
static int one_word(const char *s, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;

    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        if (cp == '\'' && i > 0 && i + 1 < len) {
            i += (size_t)n;
            continue;
        }
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
            break;
        default:
            return 0;
        }
        i += (size_t)n;
    }
    return len > 0;
}

/*
** The variant of a word the dictionary does not accept, as the plugins'
** strings mend it: the first of these that the dictionary accepts as it is
** (in lower case: a name is not restored or mended, so a candidate costs
** one check):
**   1. gate rule (b): its diacritics restored where the vocabulary has
**      them;
**   2. rule (c): the vocabulary string one slip from its stem in place of
**      the stem ("kontiniutet": "kontinuitet").
** Writes it to raw (WM_SPELL_MAX_BYTES) and returns its length, or 0.
*/
static size_t mend(wm_spell *sp, const char *w, size_t len, const gate_hit *g, char *raw)
{
    if (g->restored_len && hun_spell(sp, g->restored, g->restored_len)) {
        memcpy(raw, g->restored, g->restored_len);
        return g->restored_len;
    }
    if (g->typo) {
        const wm_intern_entry *v = wm_intern_get(sp->vocab, g->typo);
        size_t n = v->len + len - g->stem_len;

        if (n <= WM_SPELL_MAX_BYTES) {
            memcpy(raw, v->str, v->len);
            memcpy(raw + v->len, w + g->stem_len, len - g->stem_len);
            if (hun_spell(sp, raw, n))
                return n;
        }
    }
    return 0;
}

/*
** Hunspell's first suggestion for a word, when it is one word, into raw
** (4 * WM_SPELL_MAX_BYTES); its length, or 0. Asked in mode
** WM_SPELL_SUGGEST (or with no gate: no plugin strings), with gate rule
** (c) or (d), for a word of WM_SPELL_MIN_SUGGEST characters or more.
*/
static size_t suggest(wm_spell *sp, const char *w, size_t len, const gate_hit *g, char *raw)
{
    size_t n;

    if (!(sp->suggest || !sp->gate_ok) || !(g->typo || g->ending) ||
        chars_of(w, len) < WM_SPELL_MIN_SUGGEST)
        return 0;
    n = hun_suggest(sp, w, len, raw, 4 * WM_SPELL_MAX_BYTES);
    return n > 0 && one_word(raw, n) ? n : 0;
}

/*
** Takes raw (n bytes) as the variant of w: normalised as tokens are (none
** when that gives the word back), then its parts when the plugins do not
** know it as it is (a misspelt compound has its correction's parts).
** Returns WM_OK or WM_ENOMEM.
*/
static int take_variant(wm_spell *sp, const char *w, size_t len, const char *raw, size_t n,
                        wm_spell_result *r, size_t *used)
{
    char v[WM_SPELL_MAX_BYTES];
    size_t norm_len;
    wm_normbuf nb;
    int rc;

    wm_normbuf_init(&nb, sp->al);
    rc = wm_normalize(&nb, (const unsigned char *)raw, n, &norm_len);
    if (rc == WM_OK && norm_len <= WM_SPELL_MAX_BYTES &&
        !(norm_len == len && memcmp(nb.out, w, len) == 0) &&
        put(r, used, (const char *)nb.out, norm_len, &r->variant_off)) {
        r->variant_len = (uint16_t)norm_len;
        r->has_variant = 1;
        memcpy(v, nb.out, norm_len);
    }
    wm_normbuf_free(&nb);
    if (rc == WM_EUTF8)
        return WM_OK;
    if (rc == WM_OK && r->has_variant && !known(sp, v, r->variant_len))
        decompound(sp, v, r->variant_len, 0, r, used);
    return rc;
}

/* --- The shared cache ------------------------------------------------------------- */

/* The shard of a hash (its top bits; the slot comes from the low ones). */
static cache_shard *shard_of(wm_spell *sp, uint32_t hash)
{
    return &sp->shards[hash >> 28 & (CACHE_SHARDS - 1)];
}

/* The entry of a word in a shard, or NULL. Under the shard's lock. */
static cache_entry *shard_find(const cache_shard *s, const char *w, size_t len, uint32_t hash)
{
    if (!s->slots)
        return NULL;
    for (size_t i = hash & s->mask;; i = (i + 1) & s->mask) {
        cache_entry *e = s->slots[i];
        if (!e)
            return NULL;
        if (e->hash == hash && e->key_len == len && memcmp(e->bytes, w, len) == 0)
            return e;
    }
}

/* Frees every entry of a shard and empties it (keeps the slots). */
static void shard_clear(wm_spell *sp, cache_shard *s)
{
    for (size_t i = 0; s->slots && i <= s->mask; i++) {
        wm__free(sp->al, s->slots[i]);
        s->slots[i] = NULL;
    }
    s->count = 0;
}

/* Inserts an entry that is not in the shard, starting the shard afresh
** when it is full, growing its slots when half full. Returns 0 when
** memory ran out (the entry is then not kept). Under the shard's lock. */
static int shard_insert(wm_spell *sp, cache_shard *s, cache_entry *e)
{
    size_t i;

    if (s->count >= sp->shard_bound)
        shard_clear(sp, s);
    if (!s->slots || (s->count + 1) * 2 > s->mask + 1) {
        size_t n = s->slots ? (s->mask + 1) * 2 : 256;
        cache_entry **slots = wm__calloc(sp->al, n, sizeof *slots);
        if (!slots)
            return 0;
        for (size_t j = 0; s->slots && j <= s->mask; j++) {
            cache_entry *old = s->slots[j];
            if (!old)
                continue;
            for (i = old->hash & (n - 1); slots[i]; i = (i + 1) & (n - 1))
                ;
            slots[i] = old;
        }
        wm__free(sp->al, s->slots);
        s->slots = slots;
        s->mask = n - 1;
    }
    for (i = e->hash & s->mask; s->slots[i]; i = (i + 1) & s->mask)
        ;
    s->slots[i] = e;
    s->count++;
    return 1;
}

/* Copies a cached entry out into a result. */
static void entry_to_result(const cache_entry *e, wm_spell_result *r)
{
    r->n_parts = e->n_parts;
    r->has_variant = e->has_variant;
    memcpy(r->part_off, e->part_off, sizeof r->part_off);
    memcpy(r->part_len, e->part_len, sizeof r->part_len);
    r->variant_off = e->variant_off;
    r->variant_len = e->variant_len;
    memcpy(r->buf, e->bytes + e->key_len, e->data_len);
}

/* Keeps a computed result in the shared cache (when memory allows: the
** cache only saves work, so a failure here is no error). */
static void cache_store(wm_spell *sp, const char *w, size_t len, uint32_t hash,
                        const wm_spell_result *r, size_t used)
{
    cache_shard *s = shard_of(sp, hash);
    cache_entry *e = wm__malloc(sp->al, sizeof *e + len + used);
    int kept = 0;

    if (!e)
        return;
    e->hash = hash;
    e->key_len = (uint16_t)len;
    e->data_len = (uint16_t)used;
    e->n_parts = r->n_parts;
    e->has_variant = r->has_variant;
    memcpy(e->part_off, r->part_off, sizeof e->part_off);
    memcpy(e->part_len, r->part_len, sizeof e->part_len);
    e->variant_off = r->variant_off;
    e->variant_len = r->variant_len;
    memcpy(e->bytes, w, len);
    memcpy(e->bytes + len, r->buf, used);
    pthread_mutex_lock(&s->lock);
    if (!shard_find(s, w, len, hash)) /* another thread may have been first */
        kept = shard_insert(sp, s, e);
    pthread_mutex_unlock(&s->lock);
    if (!kept)
        wm__free(sp->al, e);
}

/* --- Lookup --------------------------------------------------------------------- */

int wm_spell_lookup(wm_spell *sp, const char *w, size_t len, const char *stem,
                    size_t stem_len, wm_spell_result *r)
{
    uint32_t hash = wm_hash(w, len);
    cache_shard *s = shard_of(sp, hash);
    const cache_entry *e;
    char raw[4 * WM_SPELL_MAX_BYTES];
    gate_hit g;
    size_t used = 0, n;
    int rc = WM_OK;

    memset(r, 0, offsetof(wm_spell_result, buf));
    if (len > WM_SPELL_MAX_BYTES)
        return WM_OK;
    pthread_mutex_lock(&s->lock);
    e = shard_find(s, w, len, hash);
    if (e)
        entry_to_result(e, r);
    pthread_mutex_unlock(&s->lock);
    if (e)
        return WM_OK;

    if (!gate_check(sp, w, len, stem, stem_len, &g)) {
        /* nothing a plugin could match: cached as such */
    } else if (hun_spell(sp, w, len)) {
        if (g.splits)
            decompound(sp, w, len, g.splits, r, &used);
    } else if ((sp->suggest || !sp->gate_ok) && hun_spell_capital(sp, w, len)) {
        /* a name is left alone (asked first where Hunspell would suggest) */
    } else {
        /* A name is left alone: asked only when there is something to
        ** give, as it costs a check. A word the dictionary rejects and
        ** nothing corrects is not split (Hunspell's compounding rules
        ** accept the compounds it knows how to make, so such a word is
        ** most likely misspelt). */
        n = mend(sp, w, len, &g, raw);
        if (n == 0)
            n = suggest(sp, w, len, &g, raw);
        if (n && ((sp->suggest || !sp->gate_ok) || !hun_spell_capital(sp, w, len)))
            rc = take_variant(sp, w, len, raw, n, r, &used);
    }
    if (rc == WM_OK)
        cache_store(sp, w, len, hash, r, used);
    return rc;
}

/* --- Life --------------------------------------------------------------------------- */

/* The setting the stage gives a dictionary's affix file: no n-gram
** suggestions. That phase of Hunspell_suggest() scans the whole dictionary
** for words that merely share letters ("vantetidne": "kvantitet"); without
** it a suggestion takes milliseconds instead of tens of them, and the
** first suggestion is the same for real typos. */
static const char ngram_off[] = "MAXNGRAMSUGS 0\n";

/* Writes all of buf to fd; 0 on failure. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0)
            return 0;
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

/*
** Loads a dictionary whose affix file (aff_bytes, the contents of aff) is
** given `ngram_off`: its MAXNGRAMSUGS line replaced, or the line added at
** the end (Hunspell refuses a setting made twice, and then skips the end
** of its set-up). The edited file is read from memory, through an
** anonymous file; where there is none (not Linux), the file as it is.
*/
static Hunhandle *load_dictionary(const char *aff, const unsigned char *aff_bytes,
                                  size_t aff_len, const char *dic)
{
#ifdef MFD_CLOEXEC
    int fd = memfd_create("whatmatters-aff", MFD_CLOEXEC);

    if (fd >= 0) {
        Hunhandle *h = NULL;
        size_t at = aff_len, rest = aff_len; /* the line to replace, and after it */
        char path[64];
        int ok;
        for (size_t i = 0; i + 12 <= aff_len; i++) {
            if ((i == 0 || aff_bytes[i - 1] == '\n') &&
                memcmp(aff_bytes + i, "MAXNGRAMSUGS", 12) == 0) {
                const unsigned char *nl = memchr(aff_bytes + i, '\n', aff_len - i);
                at = i;
                rest = nl ? (size_t)(nl - aff_bytes) + 1 : aff_len;
                break;
            }
        }
        ok = write_all(fd, aff_bytes, at) &&
             (at < aff_len || aff_len == 0 || aff_bytes[aff_len - 1] == '\n' ||
              write_all(fd, "\n", 1)) &&
             write_all(fd, ngram_off, sizeof ngram_off - 1) &&
             write_all(fd, aff_bytes + rest, aff_len - rest);
        if (ok) {
            snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
            h = Hunspell_create(path, dic);
        }
        close(fd);
        if (h)
            return h;
    }
#else
    (void)aff_bytes;
    (void)aff_len;
#endif
    return Hunspell_create(aff, dic);
}

int wm_spell_open(const wm_allocator *al, int lang, const wm_intern *vocab, int suggest,
                  const char *aff,
                  const unsigned char *aff_bytes, size_t aff_len, const char *dic,
                  wm_spell **out, char *errmsg)
{
    wm_spell *sp = wm__calloc(al, 1, sizeof *sp);
    const char *enc;
    int shards = 0;

    *out = NULL;
    if (!sp)
        return wm__error(errmsg, WM_ENOMEM, "out of memory");
    sp->al = al;
    sp->lang = lang;
    sp->vocab = vocab;
    sp->suggest = suggest;
    sp->to_dic = sp->from_dic = (iconv_t)-1;
    sp->shard_bound = WM_SPELL_CACHE_BOUND / CACHE_SHARDS;
    wm_intern_init(&sp->gate_words, al);
    wm_intern_init(&sp->gate_parts, al);
    wm_intern_init(&sp->gate_dels, al);
    atomic_init(&sp->gate_ready, 0);
    if (pthread_mutex_init(&sp->hun_lock, NULL) != 0) {
        wm__free(al, sp);
        return wm__error(errmsg, WM_ENOMEM, "cannot make a mutex");
    }
    if (pthread_mutex_init(&sp->gate_lock, NULL) != 0) {
        pthread_mutex_destroy(&sp->hun_lock);
        wm__free(al, sp);
        return wm__error(errmsg, WM_ENOMEM, "cannot make a mutex");
    }
    for (; shards < CACHE_SHARDS; shards++)
        if (pthread_mutex_init(&sp->shards[shards].lock, NULL) != 0)
            break;
    sp->hun = shards == CACHE_SHARDS ? load_dictionary(aff, aff_bytes, aff_len, dic) : NULL;
    if (!sp->hun) {
        while (shards-- > 0)
            pthread_mutex_destroy(&sp->shards[shards].lock);
        pthread_mutex_destroy(&sp->hun_lock);
        pthread_mutex_destroy(&sp->gate_lock);
        wm__free(al, sp);
        return wm__error(errmsg, WM_ENOMEM, "%s: cannot load the dictionary", dic);
    }
    sp->stemmer = sb_stemmer_new(wm__lang_snowball(lang), "UTF_8");
    if (!sp->stemmer) {
        wm_spell_close(sp);
        return wm__error(errmsg, WM_ENOMEM, "cannot make the %s stemmer",
                         wm__lang_snowball(lang));
    }
    enc = Hunspell_get_dic_encoding(sp->hun);
    if (enc && strcasecmp(enc, "UTF-8") != 0 && strcasecmp(enc, "UTF8") != 0) {
        sp->to_dic = iconv_open(enc, "UTF-8");
        sp->from_dic = iconv_open("UTF-8", enc);
        if (sp->to_dic == (iconv_t)-1 || sp->from_dic == (iconv_t)-1) {
            wm_spell_close(sp);
            return wm__error(errmsg, WM_EIO,
                             "%s: iconv cannot convert its encoding '%s' (from %s)", dic,
                             enc, aff);
        }
    }
    *out = sp;
    return WM_OK;
}

void wm_spell_close(wm_spell *sp)
{
    if (!sp)
        return;
    for (int i = 0; i < CACHE_SHARDS; i++) {
        shard_clear(sp, &sp->shards[i]);
        wm__free(sp->al, sp->shards[i].slots);
        pthread_mutex_destroy(&sp->shards[i].lock);
    }
    if (sp->to_dic != (iconv_t)-1)
        iconv_close(sp->to_dic);
    if (sp->from_dic != (iconv_t)-1)
        iconv_close(sp->from_dic);
    if (sp->stemmer)
        sb_stemmer_delete(sp->stemmer);
    Hunspell_destroy(sp->hun);
    pthread_mutex_destroy(&sp->hun_lock);
    pthread_mutex_destroy(&sp->gate_lock);
    wm_intern_free(&sp->gate_words);
    wm_intern_free(&sp->gate_parts);
    wm_intern_free(&sp->gate_dels);
    wm__free(sp->al, sp);
}

/* --- The engine's setup call ------------------------------------------------------- */

#define DEFAULT_DICT_DIR "/usr/share/hunspell" /* Debian's hunspell-* */

/* Closes the engine's services and drops the dictionaries from its list of
** data files: spelling is off. */
void wm__spell_free(wm_engine *e)
{
    size_t kept = 0;

    for (int l = 0; l < WM_NLANGS; l++) {
        wm_spell_close(e->spell[l]);
        e->spell[l] = NULL;
    }
    for (size_t i = 0; i < e->n_data; i++) {
        if (strncmp(e->data[i].name, "hunspell/", 9) == 0) {
            wm__free(&e->alloc, e->data[i].name);
            wm__free(&e->alloc, e->data[i].source);
        } else {
            e->data[kept++] = e->data[i];
        }
    }
    e->n_data = kept;
}

/* Reads one dictionary file for its fingerprint; WM_ENOTFOUND (with the
** package to install in the message) when it is missing. */
static int read_dict_file(wm_engine *e, int lang, const char *path, unsigned char **bytes,
                          size_t *len)
{
    int rc = wm__read_file(e, path, bytes, len);

    if (rc == WM_OK && !*bytes)
        return wm__error(e->errmsg, WM_ENOTFOUND,
                         "%s: no such file: the '%s' dictionary comes with the Debian "
                         "package %s (apt-get install %s), or name a folder that holds "
                         "%s.aff and %s.dic", path, wm__lang_code(lang), rules[lang].package,
                         rules[lang].package, rules[lang].dict, rules[lang].dict);
    return rc;
}

WM_API int wm_engine_set_spelling(wm_engine *engine, int on, const char *dict_dir)
{
    wm_spell *fresh[WM_NLANGS] = {NULL};
    unsigned char *bytes[WM_NLANGS][2] = {{NULL}}; /* .dic and .aff, for notes */
    size_t lens[WM_NLANGS][2] = {{0}};
    char paths[WM_NLANGS][2][4096];
    const char *dir = dict_dir ? dict_dir : DEFAULT_DICT_DIR;
    int rc = WM_OK;

    if (!engine)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    if (on != WM_SPELL_OFF && on != WM_SPELL_ON && on != WM_SPELL_SUGGEST)
        return wm__error(engine->errmsg, WM_EINVAL, "unknown spelling mode %d", on);
    if (on == WM_SPELL_OFF) {
        wm__spell_free(engine);
        return WM_OK;
    }
    /* Everything loads before anything changes: a failure keeps the
    ** engine as it was. */
    for (int l = 0; l < WM_NLANGS && rc == WM_OK; l++) {
        if (!(engine->langs & (1u << l)))
            continue;
        snprintf(paths[l][0], sizeof paths[l][0], "%s/%s.dic", dir, rules[l].dict);
        snprintf(paths[l][1], sizeof paths[l][1], "%s/%s.aff", dir, rules[l].dict);
        for (int k = 0; k < 2 && rc == WM_OK; k++)
            rc = read_dict_file(engine, l, paths[l][k], &bytes[l][k], &lens[l][k]);
        if (rc == WM_OK)
            rc = wm_spell_open(&engine->alloc, l, &engine->vocab[l], on == WM_SPELL_SUGGEST,
                               paths[l][1],
                               bytes[l][1], lens[l][1], paths[l][0], &fresh[l],
                               engine->errmsg);
    }
    if (rc == WM_OK) {
        wm__spell_free(engine); /* the services and notes of an earlier call */
        for (int l = 0; l < WM_NLANGS; l++) {
            engine->spell[l] = fresh[l];
            fresh[l] = NULL;
            for (int k = 0; k < 2 && rc == WM_OK && engine->spell[l]; k++) {
                char name[64];
                snprintf(name, sizeof name, "hunspell/%s.%s", rules[l].dict,
                         k == 0 ? "dic" : "aff");
                rc = wm__data_note(engine, name, paths[l][k], bytes[l][k], lens[l][k]);
            }
        }
        if (rc != WM_OK) {
            wm__spell_free(engine);
            wm__error(engine->errmsg, rc, "out of memory");
        }
    }
    for (int l = 0; l < WM_NLANGS; l++) {
        wm_spell_close(fresh[l]);
        wm__free(&engine->alloc, bytes[l][0]);
        wm__free(&engine->alloc, bytes[l][1]);
    }
    return rc;
}
