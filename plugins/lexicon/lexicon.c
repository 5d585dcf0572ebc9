/*
** lexicon.c — the lexicon plugin: codes answers into the taxonomy's areas by
** word lists a researcher can read and edit (lexicons/<lang>/areas.txt; the
** format and the scoring are specified in plugins/lexicon/README.md).
**
** One source, two builds: with WM_PLUGIN_STATIC it is linked into the
** library and defines wm_builtin_lexicon(); without, it is a loadable module
** that exports wm_plugin_entry(). Either way it sees whatmatters_plugin.h
** only and calls no library function: memory, the data file, the analysis
** of entries and the word ids all come through the wm_host table.
**
** How matching stays independent of the lexicon's size: every entry is
** filed under its FIRST element only. Word elements are filed in an array
** indexed by stem id (the ids are small dense integers), exact forms in a
** second one indexed by normal-form id, so a token finds the entries that
** start with its stem, and those that start with its normal form, in one
** step each. Wildcard elements are
** filed in two hash tables (prefixes, suffixes) keyed by their normalised
** bytes, which also hold each key's shorter beginnings (endings) as in a
** trie: a token's prefixes and suffixes are hashed growing a byte at a time
** and the scan stops at the first that no key goes on from.
** The rest of a phrase is tried only from a token where its first element
** matched, over a window of at most 1 + 7 * 11 tokens, by a small set-based
** search that also finds matches that a greedy one would miss.
**
** Spelling alternatives: with the engine's spelling stage on, a word token
** may be followed by tokens of its own offsets that are its compound's parts
** (WM_TOK_PART) and its correction (WM_TOK_VARIANT). They are not positions
** of their own: a position is a base token with the alternatives that
** follow it, and an element matches there when any of them matches it. So
** phrases and gaps count words as written, and the search is the same; a
** position's first-element look-ups are made once for each of its tokens
** (at most 1 + LX_MAX_ALTS), with a stamp per entry so that an entry that
** two of them lead to is tried there once.
*/
#include "whatmatters_plugin.h"
#include "plugin_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LX_MAX_ELEMS    8       /* elements in one phrase */
#define LX_MAX_GAP      10      /* largest N in "...N" */
#define LX_DEFAULT_GAP  3       /* what a bare "..." allows */
#define LX_MAX_WEIGHT   100.0   /* largest "= W" */
#define LX_MAX_AREAS    64      /* areas: one bit each in a uint64_t */
#define LX_MAX_KEY      255     /* bytes of a wildcard's text */
#define LX_MAX_FILE     (1u << 30) /* bytes of areas.txt: offsets fit 32 bits */
#define LX_NAME_SIZE    64      /* "<lang>/areas.txt" */
#define LX_WINDOW       ((LX_MAX_ELEMS - 1) * (LX_MAX_GAP + 1)) /* most
                                   positions a phrase reaches past its
                                   first */
#define LX_MAX_ALTS     8       /* alternatives of one token that count (the
                                   engine gives at most 4); more are
                                   ignored, so a token's cost is bounded */

#define LX_MEMO_IDS  (1u << 17)  /* slots of a worker's memo at most (32
                                    bytes each: 4 MiB); a larger id shares
                                    the slot of its low bits */
#define LX_MEMO_BYTES ((size_t)4 << 20) /* remembered bytes (forms over 16
                                    bytes, and apart candidates) before a
                                    worker forgets them all and starts
                                    again: with the slots, 12 MiB a worker
                                    at most */

#define LX_MEMO_LEADS 0x80000000u /* lx_memo.len: the form leads to
                                    some entry, by id or by a wildcard
                                    (lx_quiet); a form of a longer length,
                                    or of a larger id (by_id), is not
                                    remembered */
#define LX_MEMO_ID0  0x7fffffffu /* by_id: slot 0's len while it remembers
                                    nothing, so that no id (not 0, a
                                    token without one) finds it: an id
                                    filed there has its low bits 0 */
#define LX_HEAD      6           /* words before a form's candidates in
                                    memo_list: lx_gate's summary */
#define LX_H_MASK    0           /* ... [0], [1]: bit (id & 63) set for the
                                    stem id of each phrase's second
                                    element */
#define LX_H_REACH   2           /* ... the largest reach of a phrase's
                                    second element (0: no phrase) */
#define LX_H_MORE    3           /* ... the fewest elements - 1 of a
                                    phrase */
#define LX_H_SINGLES 4           /* ... how many single-word entries, listed
                                    after the candidates when there is a
                                    phrase */
#define LX_H_COUNT   5           /* ... how many candidates */
#define LX_GATE_OPEN UINT32_MAX  /* LX_H_REACH: some phrase's second
                                    element is no word: no gate */
#define LX_NO_SLOT   UINT32_MAX  /* no slot of a wildcard table */
#define LX_FNV_BASIS 2166136261u /* FNV-1a, 32 bits */
#define LX_FNV_PRIME 16777619u

/* Kinds of phrase elements: a word (by stem), a prefix or suffix wildcard,
** an exact form (a quoted word, by normal form). */
enum { LX_WORD = 0, LX_PREFIX = 1, LX_SUFFIX = 2, LX_EXACT = 3 };

/* Token kinds that take part in matching (the rest are punctuation, space
** and invalid bytes, present only when the answer was analysed with
** WM_ANALYZE_ALL). */
#define LX_CONTENT (WM_TOK_WORD | WM_TOK_NUMBER | WM_TOK_SYMBOL)
_Static_assert(LX_CONTENT == 7, "lx_plain_walk takes the content bits for "
               "the low bits of the flags");

/* The marks of a spelling alternative: a token that belongs to the word
** token before it, not a position of its own. */
#define LX_ALT (WM_TOK_VARIANT | WM_TOK_PART)

/* One element of an entry: a word, an exact form or a wildcard, with the
** gap before it. */
typedef struct lx_elem {
    uint32_t kind;     /* LX_WORD, LX_PREFIX, LX_SUFFIX or LX_EXACT */
    uint32_t gap;      /* other tokens allowed before it (0 for the first) */
    uint32_t id;       /* from host->intern: LX_WORD the stem's id, LX_EXACT
                          the normal form's id, a wildcard its text's */
    uint32_t text;     /* wildcards: offset of the normalised text in pool */
    uint32_t text_len; /* wildcards: its bytes (1 to LX_MAX_KEY) */
} lx_elem;

/* One line of the file that is an entry. */
typedef struct lx_entry {
    uint32_t area;    /* index into the taxonomy */
    uint32_t elem;    /* index of its first element in lexicon.elems */
    uint32_t n_elems; /* 1 to LX_MAX_ELEMS */
    uint32_t span;    /* most positions a match reaches past its first */
    uint32_t second;  /* the second element's stem id when it is a word
                         (LX_WORD), else WM_ID_NONE: what the words pass
                         looks for first (lx_try_words) */
    uint32_t reach;   /* the second element's gap + 1 (0: one element) */
    uint32_t exclude; /* 1 for a '!' entry */
    uint32_t rule;    /* offset in pool of the rule text (NUL-terminated) */
    double weight;    /* what it adds to its area's sum */
} lx_entry;

/* A slot of a wildcard hash table: a key, or a part of one. */
typedef struct lx_slot {
    uint32_t hash;    /* FNV-1a of the bytes (prefix tables from the first
                         byte on, suffix tables from the last byte back) */
    uint32_t key;     /* offset of the bytes in pool */
    uint32_t key_len; /* their length; 0 marks an empty slot */
    uint32_t first;   /* where its entries start in the table's list */
    uint32_t count;   /* how many entries; 0 for a slot that is only the
                         beginning (prefixes) or end (suffixes) of a longer
                         key */
    uint32_t parent;  /* the slot of the same bytes one character shorter,
                         LX_NO_SLOT for a single character: a slot equals a
                         token's part when its parent equals the shorter
                         part and the one new character agrees */
} lx_slot;

/* The entries whose first element is of one kind that is matched by id
** (LX_WORD by stem id, LX_EXACT by normal-form id): first[i]..first[i + 1]
** in list are those whose first element has id i. Ids are dense, so this
** is an array, not a hash table. */
typedef struct lx_index {
    uint32_t *first;  /* [n_ids + 1]: where each id's entries start in list */
    uint32_t *list;   /* entry indices grouped by id, in file order */
    uint32_t n_ids;   /* largest first-element id + 1; 0: no entries */
} lx_index;

/* The wildcards of one kind: a trie kept in one hash table. Besides every
** key it holds each key's shorter beginnings (for a suffix table, endings)
** that stop at a character boundary, so a token's scan, growing one
** character at a time, stops at the first length no key goes on from:
** after two or three characters for most words, however many wildcards. */
typedef struct lx_table {
    lx_slot *slots;   /* open addressing, a power of 2 of them */
    uint32_t mask;    /* number of slots - 1 */
    uint32_t *list;   /* entry indices, grouped by slot */
    uint32_t max_len; /* longest key in bytes (0: no keys) */
} lx_table;

/* An instance: one language's lexicon, read-only after create(). */
typedef struct lexicon {
    wm_host host;                      /* copy of the host's table: workers
                                          allocate through it */
    size_t n_areas;                    /* the taxonomy's areas */
    double threshold[LX_MAX_AREAS];    /* per area: T in S / (S + T) */
    lx_entry *entries;                 /* in file order */
    uint32_t n_entries;                /* how many */
    size_t cap_entries;                /* allocated (while parsing) */
    lx_elem *elems;                    /* every entry's elements */
    uint32_t n_elems;                  /* how many */
    size_t cap_elems;                  /* allocated (while parsing) */
    char *pool;                        /* rule texts and wildcard keys */
    size_t pool_len;                   /* bytes used */
    size_t cap_pool;                   /* allocated */
    lx_index words;                    /* entries whose first element is a
                                          word, by stem id */
    lx_index exacts;                   /* ... is an exact form, by normal-
                                          form id */
    int has_exclusions;                /* some entry starts with '!' */
    lx_table prefixes;                 /* entries whose first element is
                                          "pre*" */
    lx_table suffixes;                 /* ... is "*suf" */
} lexicon;

/* Where a parse is: what error messages need and what a section set. */
typedef struct lx_parser {
    lexicon *lx;                       /* the instance being filled */
    const wm_host *host;               /* setup services */
    const wm_plugin_config *config;    /* language and areas */
    char name[LX_NAME_SIZE];           /* "<lang>/areas.txt" for messages */
    char *err;                         /* the caller's message buffer */
    size_t err_size;                   /* its size */
    size_t line_no;                    /* 1-based line being read */
    long area;                         /* current section, -1 before one */
    size_t default_line;               /* line of the default @threshold */
    size_t thr_line[LX_MAX_AREAS];     /* line of each area's @threshold */
    uint32_t *dup;                     /* entry index + 1 by lx_entry_hash
                                          (0: empty), so that a repeated
                                          entry is found without a scan */
    size_t cap_dup;                    /* slots (a power of 2, or 0) */
} lx_parser;

/* One match of an entry in an answer, in content positions. */
typedef struct lx_match {
    uint32_t entry; /* index into lexicon.entries */
    uint32_t first; /* position of its first token */
    uint32_t last;  /* position of its last token */
} lx_match;

/* What a worker remembers of one normal form: the entries whose first
** element the form matches (lx_collect: by its stem's and its own id, then
** the wildcards that it or its stem matches, in the order the tries walk
** them). Filed under the low bits of the token's normal-form id, and
** checked against the form's bytes (its length and key, lx_key), since
** ids are the host's to reuse (after the analyzer's cache starts afresh,
** an id may name another form) and a slot is shared by the ids of equal
** low bits. What it says follows from the bytes alone (lx_collect), so a
** form found in any slot is answered right.
**
** A host of ABI 1.3 says when its ids may start to name other forms (the
** id_epoch of wm_plugin_input): while the epoch stays, an id is one form,
** so the worker (by_id) files a form under its id alone, kept whole in
** len, and a remembered form costs one compare; the memo is forgotten when
** the epoch changes. Only the key's bytes are then not needed. */
typedef struct lx_memo {
    uint32_t len;      /* the form's length + 1 (by_id: its normal-form id;
                          0: nothing remembered), with LX_MEMO_LEADS or-ed
                          in when the form leads to some entry (it has
                          candidates) */
    uint32_t text;     /* a form over 16 bytes: offset of its bytes in
                          memo_text */
    uint32_t first;    /* where its candidates start in memo_list */
    uint32_t count;    /* how many */
    uint64_t head;     /* its key (lx_key) */
    uint64_t tail;
} lx_memo;

/* One thread's scratch memory: grown when an answer needs more, never
** shrunk or cleared per answer. */
typedef struct lx_worker {
    uint32_t *seen;      /* [n_entries] generation in which each entry last
                            counted towards its area */
    uint32_t gen;        /* the current answer's generation */
    double *sum;         /* [n_areas] S per area for the current answer
                            (valid for the areas it touched) */
    uint32_t *tried;     /* [n_entries] stamp of the position with
                            alternatives where each entry was last tried */
    uint32_t stamp;      /* the current such position's stamp, counting
                            on across answers (0: never) */
    const uint32_t *at;  /* token index of each content position of the
                            current answer: pos, or ident when position p
                            is token p (lx_plain_pass) */
    uint32_t *pos;       /* token indices of the positions (lx_positions) */
    size_t cap_pos;      /* allocated in pos */
    uint64_t *cand;      /* the tokens lx_plain_walk lists */
    size_t cap_cand;     /* allocated in cand */
    uint32_t *ident;     /* ident[i] == i, filled as it grows */
    size_t cap_ident;    /* allocated (and filled) in ident */
    uint8_t *alts;       /* alternatives that follow each position's token
                            (0 to LX_MAX_ALTS) */
    size_t cap_alts;     /* allocated in alts */
    uint8_t *mark;       /* LX_HELD and LX_OPEN bits of each position */
    size_t cap_mark;     /* allocated in mark */
    int has_alts;        /* some position of the answer has alternatives */
    int pass;            /* LX_PASS_WORDS, _VARIANTS or _PARTS */
    int plain;           /* 1 while a search ignores every alternative */
    int stamping;        /* 1 while the position being scanned has more
                            than one token that leads to entries */
    uint32_t *limit;     /* last position of each position's sentence */
    size_t cap_limit;    /* allocated in limit */
    uint64_t *excl;      /* area bits of the exclusion matches covering each
                            position; all zero between answers */
    size_t cap_excl;     /* allocated in excl */
    lx_match *matches;   /* the current answer's matches */
    uint32_t excluding;  /* 1 when one of them is an exclusion's */
    size_t n_matches;    /* how many */
    size_t cap_matches;  /* allocated */
    lx_memo *memo;       /* by normal-form id's low bits: the candidates
                            of each form met (lx_candidates), so that the
                            tries are walked once per distinct form, not
                            per token */
    size_t cap_memo;     /* allocated in memo: 0 or a power of 2 (pu_grow
                            doubles from 16) up to LX_MEMO_IDS */
    char *memo_text;     /* the bytes of the forms over 16 bytes */
    size_t n_memo_text;  /* used */
    size_t cap_memo_text;/* allocated */
    uint32_t forgets;    /* times the memo forgot everything (a walk's
                            finds are good while this stays) */
    uint32_t *memo_list; /* the candidates, grouped by form */
    size_t n_memo_list;  /* used */
    size_t cap_memo_list;/* allocated */
    int by_id;           /* 1: the memo is by id alone (the host gives the
                            ids' epoch, lx_memo), 0: by the forms' bytes */
    uint64_t epoch;      /* by_id: the ids' epoch the memo is of */
} lx_worker;

/* The passes of an answer (lx_classify): the words as written, then the
** variants of the words that matched nothing, then the compound parts of
** the words that still matched nothing (single-word entries only). */
enum { LX_PASS_WORDS = 0, LX_PASS_VARIANTS = 1, LX_PASS_PARTS = 2 };

/* Bits of lx_worker.mark. */
#define LX_HELD 1 /* a match of an earlier pass covers the position */
#define LX_OPEN 2 /* its variant may match in the variants pass */

/* A set of window offsets 0..127 (a phrase reaches at most 77 past its
** first token). */
typedef struct lx_set {
    uint64_t w[2]; /* bits 0-63 and 64-127 */
} lx_set;

/* ------------------------------------------------------------------------
** Small helpers
** --------------------------------------------------------------------- */

/*
** Reports a parse error as "<lang>/areas.txt:LINE:COLUMN: what" (column in
** bytes, 1-based, as the word lists do) and returns rc, so that a failing
** parse step is one statement.
*/
static int lx_fail(lx_parser *p, int rc, size_t col, const char *fmt, ...)
{
    char what[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pu_message(p->err, p->err_size, "%s:%zu:%zu: %s", p->name, p->line_no,
               col, what);
    return rc;
}

/* Copies bytes to the end of the pool (not NUL-terminated); the offset
** goes to *off. */
static int lx_pool_add(lexicon *lx, const void *bytes, size_t len,
                       uint32_t *off)
{
    int rc = pu_grow(&lx->host, (void **)&lx->pool, &lx->cap_pool,
                     lx->pool_len + len + 1, 1);

    if (rc != WM_OK)
        return rc;
    if (len)
        memcpy(lx->pool + lx->pool_len, bytes, len);
    *off = (uint32_t)lx->pool_len;
    lx->pool_len += len;
    return WM_OK;
}

/* ------------------------------------------------------------------------
** Parsing areas.txt
** --------------------------------------------------------------------- */

/*
** Turns one element's text (a word, or a wildcard's text beside the '*')
** into its single token by the host's analysis, exactly as answers are
** analysed. `what` is the element as written, for the message; col its
** column. Anything but one token covering the whole text is refused: the
** entry would never match as its author meant.
*/
static int lx_one_token(lx_parser *p, const unsigned char *text, size_t len,
                        const unsigned char *what, size_t what_len,
                        size_t col, const wm_token **tok)
{
    const wm_analysis *an = NULL;
    int rc = p->host->analyze(p->host->ctx, (const char *)text, len, &an);

    if (rc != WM_OK || !an)
        return lx_fail(p, rc == WM_ENOMEM ? WM_ENOMEM : WM_EPARSE, col,
                       "cannot analyse '%.*s' (error %d)", (int)what_len,
                       (const char *)what, rc);
    if (an->n_tokens != 1 || an->tokens[0].start != 0 ||
        an->tokens[0].end != len)
        return lx_fail(p, WM_EPARSE, col, "'%.*s' is not one word",
                       (int)len, (const char *)text);
    if ((an->tokens[0].flags & WM_TOK_LONG) || an->tokens[0].norm_len == 0)
        return lx_fail(p, WM_EPARSE, col, "'%.*s' is too long a word",
                       (int)len, (const char *)text);
    *tok = &an->tokens[0];
    return WM_OK;
}

/*
** Parses the words of one element (no blanks inside) into el[0..max): as
** many elements as the host's analysis finds tokens, adjacent, so that
** "drop-in" or "A&E" match exactly what answers spelled so tokenise into.
** Each is a word (LX_WORD, by its stem) or, for a quoted element (exact is
** 1, s the text inside the quotes), an exact form (LX_EXACT, by its normal
** form). The strings are copied before intern() so that nothing the host
** does there can pull the analysis from under them.
*/
static int lx_parse_words(lx_parser *p, const unsigned char *s, size_t len,
                          size_t col, int exact, lx_elem *el, size_t max,
                          size_t *count)
{
    lexicon *lx = p->lx;
    const wm_analysis *an = NULL;
    size_t mark = lx->pool_len, n;
    uint32_t offs[LX_MAX_ELEMS];
    int rc = p->host->analyze(p->host->ctx, (const char *)s, len, &an);

    if (rc != WM_OK || !an)
        return lx_fail(p, rc == WM_ENOMEM ? WM_ENOMEM : WM_EPARSE, col,
                       "cannot analyse '%.*s' (error %d)", (int)len,
                       (const char *)s, rc);
    n = an->n_tokens;
    if (n == 0)
        return lx_fail(p, WM_EPARSE, col, "'%.*s' holds no word",
                       (int)len, (const char *)s);
    if (n > max)
        return lx_fail(p, WM_EPARSE, col, "a phrase has at most %d elements",
                       LX_MAX_ELEMS);
    for (size_t i = 0; i < n; i++) {
        const wm_token *t = &an->tokens[i];
        const char *str = exact ? t->norm : t->stem;
        size_t str_len = exact ? t->norm_len : t->stem_len;

        if ((t->flags & WM_TOK_LONG) || t->norm_len == 0)
            return lx_fail(p, WM_EPARSE, col, "'%.*s' is too long a word",
                           (int)len, (const char *)s);
        rc = lx_pool_add(lx, str, str_len, &offs[i]);
        if (rc != WM_OK) {
            lx->pool_len = mark;
            return lx_fail(p, rc, col, "out of memory");
        }
        memset(&el[i], 0, sizeof el[i]);
        el[i].kind = exact ? LX_EXACT : LX_WORD;
        el[i].text_len = (uint32_t)str_len; /* for intern, below */
    }
    for (size_t i = 0; i < n; i++) {
        el[i].id = p->host->intern(p->host->ctx, lx->pool + offs[i], el[i].text_len);
        el[i].text_len = 0;
        if (el[i].id == WM_ID_NONE) {
            lx->pool_len = mark;
            return lx_fail(p, WM_ENOMEM, col, "out of memory");
        }
    }
    lx->pool_len = mark;
    *count = n;
    return WM_OK;
}

/*
** Checks the quotes of one element (no blanks inside): either none, or one
** at each end around a word ("friendly"), which makes it an exact form.
** Sets *exact. Any other quote is an error at its own column, as are empty
** quotes and an opening quote without its closing one (which is also what
** quotes around several words, "fast legen", come to: the blank splits
** them).
*/
static int lx_parse_quotes(lx_parser *p, const unsigned char *s, size_t len,
                           size_t col, int *exact)
{
    int open = s[0] == '"';
    int close = open && len >= 2 && s[len - 1] == '"';

    for (size_t i = 0; i < len; i++)
        if (s[i] == '"' && !(i == 0 && open) && !(i == len - 1 && close))
            return lx_fail(p, WM_EPARSE, col + i,
                           "a quote inside a word '%.*s' (quotes go around "
                           "one word)", (int)len, (const char *)s);
    if (open && !close)
        return lx_fail(p, WM_EPARSE, col,
                       "unterminated quote '%.*s' (quotes go around one "
                       "word)", (int)len, (const char *)s);
    if (open && len == 2)
        return lx_fail(p, WM_EPARSE, col, "empty quotes");
    if (open && memchr(s, '*', len))
        return lx_fail(p, WM_EPARSE, col,
                       "a wildcard in quotes '%.*s' (write \"word\", pre* "
                       "or *suf)", (int)len, (const char *)s);
    *exact = open;
    return WM_OK;
}

/*
** Parses one element (no blanks inside) into el[0..max): a wildcard (its
** normalised text, copied to the pool) is one element; a word, quoted or
** not, may be several (lx_parse_words). Writes how many to *count.
*/
static int lx_parse_elem(lx_parser *p, const unsigned char *s, size_t len,
                         size_t col, lx_elem *el, size_t max, size_t *count)
{
    lexicon *lx = p->lx;
    const unsigned char *star = memchr(s, '*', len);
    const wm_token *t = NULL;
    int rc, exact = 0;

    if (max == 0)
        return lx_fail(p, WM_EPARSE, col, "a phrase has at most %d elements",
                       LX_MAX_ELEMS);
    memset(el, 0, sizeof *el);
    rc = lx_parse_quotes(p, s, len, col, &exact);
    if (rc != WM_OK)
        return rc;
    if (exact)
        return lx_parse_words(p, s + 1, len - 2, col, 1, el, max, count);
    if (star) {
        const unsigned char *text;
        size_t text_len = len - 1, stars = 0;

        for (size_t i = 0; i < len; i++)
            stars += s[i] == '*';
        if (stars != 1 || (s[0] != '*' && s[len - 1] != '*'))
            return lx_fail(p, WM_EPARSE, col,
                           "bad wildcard '%.*s' (write pre* or *suf)",
                           (int)len, (const char *)s);
        el->kind = s[0] == '*' ? LX_SUFFIX : LX_PREFIX;
        text = s[0] == '*' ? s + 1 : s;
        if (pu_chars((const char *)text, text_len) < 2)
            return lx_fail(p, WM_EPARSE, col,
                           "bad wildcard '%.*s': at least 2 characters "
                           "beside the *", (int)len, (const char *)s);
        rc = lx_one_token(p, text, text_len, s, len, col, &t);
        if (rc != WM_OK)
            return rc;
        if (pu_chars(t->norm, t->norm_len) < 2)
            return lx_fail(p, WM_EPARSE, col,
                           "bad wildcard '%.*s': at least 2 characters "
                           "beside the *", (int)len, (const char *)s);
        if (t->norm_len > LX_MAX_KEY)
            return lx_fail(p, WM_EPARSE, col,
                           "wildcard '%.*s' over %d bytes", (int)len,
                           (const char *)s, LX_MAX_KEY);
        el->text_len = (uint32_t)t->norm_len;
        rc = lx_pool_add(lx, t->norm, t->norm_len, &el->text);
        if (rc != WM_OK)
            return lx_fail(p, rc, col, "out of memory");
        /* Interned too, though matched by bytes: a word that is the key
        ** itself is one the lexicon knows, and the engine's spelling
        ** stage sees the key among the strings worth finding in a word. */
        el->id = p->host->intern(p->host->ctx, lx->pool + el->text,
                                 el->text_len);
        if (el->id == WM_ID_NONE)
            return lx_fail(p, WM_ENOMEM, col, "out of memory");
        *count = 1;
        return WM_OK;
    }

    return lx_parse_words(p, s, len, col, 0, el, max, count);
}

/* True when two element lists match exactly the same tokens. Words and
** exact forms share one id space, so the kind is compared first: "mor"
** (the normal form) and mor (the stem) are different elements. */
static int lx_same_elems(const lexicon *lx, const lx_elem *a, const lx_elem *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].kind != b[i].kind || a[i].gap != b[i].gap)
            return 0;
        if (a[i].kind == LX_WORD || a[i].kind == LX_EXACT) {
            if (a[i].id != b[i].id)
                return 0;
        } else if (a[i].text_len != b[i].text_len ||
                   memcmp(lx->pool + a[i].text, lx->pool + b[i].text,
                          a[i].text_len) != 0)
            return 0;
    }
    return 1;
}

/* A hash of what lx_same_elems compares, with the area and the '!'. */
static uint32_t lx_entry_hash(const lexicon *lx, uint32_t area,
                              uint32_t exclude, const lx_elem *el, uint32_t n)
{
    uint32_t h = LX_FNV_BASIS;

    h = (h ^ area) * LX_FNV_PRIME;
    h = (h ^ exclude) * LX_FNV_PRIME;
    h = (h ^ n) * LX_FNV_PRIME;
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ el[i].kind) * LX_FNV_PRIME;
        h = (h ^ el[i].gap) * LX_FNV_PRIME;
        if (el[i].kind == LX_WORD || el[i].kind == LX_EXACT) {
            h = (h ^ el[i].id) * LX_FNV_PRIME;
        } else {
            const unsigned char *t = (const unsigned char *)lx->pool + el[i].text;
            for (uint32_t k = 0; k < el[i].text_len; k++)
                h = (h ^ t[k]) * LX_FNV_PRIME;
        }
    }
    return h;
}

/*
** The slot of p->dup for an entry of area, exclude and elements el[0..n):
** the slot that holds the same entry, or the empty slot where it goes.
** The table is grown first so that it stays at most half full with one
** more entry; returns NULL when memory runs out.
*/
static uint32_t *lx_dup_slot(lx_parser *p, uint32_t area, uint32_t exclude,
                             const lx_elem *el, uint32_t n)
{
    lexicon *lx = p->lx;
    size_t mask;
    uint32_t h;

    if (2 * ((size_t)lx->n_entries + 1) > p->cap_dup) {
        size_t cap = p->cap_dup ? 2 * p->cap_dup : 1024;
        uint32_t *t = lx->host.realloc(lx->host.ctx, NULL, cap * sizeof *t);

        if (!t)
            return NULL;
        memset(t, 0, cap * sizeof *t);
        for (uint32_t k = 0; k < lx->n_entries; k++) {
            const lx_entry *en = &lx->entries[k];
            size_t i = lx_entry_hash(lx, en->area, en->exclude,
                                     lx->elems + en->elem, en->n_elems) & (cap - 1);
            while (t[i])
                i = (i + 1) & (cap - 1);
            t[i] = k + 1;
        }
        lx->host.free(lx->host.ctx, p->dup);
        p->dup = t;
        p->cap_dup = cap;
    }
    mask = p->cap_dup - 1;
    h = lx_entry_hash(lx, area, exclude, el, n);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const lx_entry *old;

        if (!p->dup[i])
            return &p->dup[i];
        old = &lx->entries[p->dup[i] - 1];
        if (old->area == area && old->exclude == exclude && old->n_elems == n &&
            lx_same_elems(lx, lx->elems + old->elem, el, n))
            return &p->dup[i];
    }
}

/*
** Parses an entry line (b..e of the line, trimmed, comment removed):
** optional '!', elements and gaps, optional "= W". Appends the entry and
** its elements.
*/
static int lx_parse_entry(lx_parser *p, const unsigned char *line, size_t b,
                          size_t e)
{
    lexicon *lx = p->lx;
    lx_elem elems[LX_MAX_ELEMS];
    uint32_t n = 0, gap = 0, span = 0, exclude = 0;
    size_t gap_col = 0, body_end = e, i, rule_b = b;
    double weight = 1.0;
    const unsigned char *eq;
    lx_entry *en;
    uint32_t *dup;
    int rc, pending_gap = 0;

    if (line[b] == '!') {
        exclude = 1;
        for (b++; b < e && pu_is_blank(line[b]); b++)
            ;
        if (b == e)
            return lx_fail(p, WM_EPARSE, rule_b + 1,
                           "'!' needs an entry to exclude");
    }
    eq = memchr(line + b, '=', e - b);
    if (eq) {
        size_t q = (size_t)(eq - line), wb = q + 1;

        if (exclude)
            return lx_fail(p, WM_EPARSE, q + 1,
                           "an exclusion takes no weight");
        while (wb < e && pu_is_blank(line[wb]))
            wb++;
        if (!pu_number(line + wb, e - wb, &weight) || !(weight > 0) ||
            weight > LX_MAX_WEIGHT)
            return lx_fail(p, WM_EPARSE, wb + 1,
                           "bad weight '%.*s' (a number above 0 and at "
                           "most 100)", (int)(e - wb),
                           (const char *)line + wb);
        for (body_end = q; body_end > b && pu_is_blank(line[body_end - 1]);
             body_end--)
            ;
        if (body_end == b)
            return lx_fail(p, WM_EPARSE, q + 1, "a weight without an entry");
    }

    for (i = b; i < body_end;) {
        size_t w = i;

        while (i < body_end && !pu_is_blank(line[i]))
            i++;
        if (i - w >= 3 && memcmp(line + w, "...", 3) == 0) {
            double g = LX_DEFAULT_GAP;

            if (i - w > 3 && (!pu_number(line + w + 3, i - w - 3, &g) ||
                              memchr(line + w + 3, '.', i - w - 3) ||
                              g < 1 || g > LX_MAX_GAP))
                return lx_fail(p, WM_EPARSE, w + 1,
                               "bad gap '%.*s' (... or ...N, N from 1 to "
                               "10)", (int)(i - w), (const char *)line + w);
            if (n == 0)
                return lx_fail(p, WM_EPARSE, w + 1,
                               "a gap cannot begin a phrase");
            if (pending_gap)
                return lx_fail(p, WM_EPARSE, w + 1, "two gaps in a row");
            pending_gap = 1;
            gap = (uint32_t)g;
            gap_col = w + 1;
        } else {
            size_t got = 0;
            rc = lx_parse_elem(p, line + w, i - w, w + 1, &elems[n],
                               LX_MAX_ELEMS - n, &got);
            if (rc != WM_OK)
                return rc;
            for (size_t k = 0; k < got; k++) {
                if (n + k > 0) {
                    elems[n + k].gap = (k == 0 && pending_gap) ? gap : 0;
                    span += elems[n + k].gap + 1;
                }
            }
            pending_gap = 0;
            n += (uint32_t)got;
        }
        while (i < body_end && pu_is_blank(line[i]))
            i++;
    }
    if (pending_gap)
        return lx_fail(p, WM_EPARSE, gap_col, "a gap cannot end a phrase");

    /* The same entry written twice in one area (or two forms with one
    ** stem: mor, moren) is one entry, at the higher weight; otherwise
    ** it would count twice on one word. */
    dup = lx_dup_slot(p, (uint32_t)p->area, (uint32_t)exclude, elems, n);
    if (!dup)
        return lx_fail(p, WM_ENOMEM, rule_b + 1, "out of memory");
    if (*dup) {
        lx_entry *old = &lx->entries[*dup - 1];

        if (weight > old->weight)
            old->weight = weight;
        return WM_OK;
    }

    rc = pu_grow(&lx->host, (void **)&lx->elems, &lx->cap_elems,
                 (size_t)lx->n_elems + n, sizeof *lx->elems);
    if (rc == WM_OK)
        rc = pu_grow(&lx->host, (void **)&lx->entries, &lx->cap_entries,
                     (size_t)lx->n_entries + 1, sizeof *lx->entries);
    if (rc != WM_OK)
        return lx_fail(p, rc, rule_b + 1, "out of memory");
    en = &lx->entries[lx->n_entries];
    en->area = (uint32_t)p->area;
    en->elem = lx->n_elems;
    en->n_elems = n;
    en->span = span;
    en->second = n > 1 && elems[1].kind == LX_WORD ? elems[1].id : WM_ID_NONE;
    en->reach = n > 1 ? elems[1].gap + 1 : 0;
    en->exclude = exclude;
    en->weight = weight;
    rc = lx_pool_add(lx, line + rule_b, body_end - rule_b, &en->rule);
    if (rc != WM_OK)
        return lx_fail(p, rc, rule_b + 1, "out of memory");
    lx->pool[lx->pool_len++] = '\0';
    memcpy(lx->elems + lx->n_elems, elems, n * sizeof *elems);
    lx->n_elems += n;
    /* A single-word entry matches a compound's part (lx_classify): tell
    ** the engine's spelling stage which strings are worth finding there. */
    if (n == 1 && !exclude && WM_HAS_FIELD(p->host, wm_host, mark_alone) &&
        p->host->mark_alone)
        p->host->mark_alone(p->host->ctx, elems[0].id);
    lx->n_entries++;
    *dup = lx->n_entries;
    lx->has_exclusions |= (int)exclude;
    return WM_OK;
}

/*
** Parses a '@' line: "@threshold T", before the first section for the
** default, inside one for its area. A threshold set twice for the same
** place is an error, as one of the two would be silently ignored.
*/
static int lx_parse_directive(lx_parser *p, const unsigned char *line,
                              size_t b, size_t e)
{
    static const char kw[] = "@threshold";
    size_t w = b, v;
    double t;

    while (w < e && !pu_is_blank(line[w]))
        w++;
    if (w - b != sizeof kw - 1 || memcmp(line + b, kw, w - b) != 0)
        return lx_fail(p, WM_EPARSE, b + 1, "unknown directive '%.*s'",
                       (int)(w - b), (const char *)line + b);
    for (v = w; v < e && pu_is_blank(line[v]); v++)
        ;
    if (!pu_number(line + v, e - v, &t) || !(t > 0))
        return lx_fail(p, WM_EPARSE, v + 1,
                       "bad threshold '%.*s' (a number above 0)",
                       (int)(e - v), (const char *)line + v);
    if (p->area < 0) {
        if (p->default_line)
            return lx_fail(p, WM_EPARSE, b + 1,
                           "second default @threshold (the first is on "
                           "line %zu)", p->default_line);
        p->default_line = p->line_no;
        for (size_t a = 0; a < p->lx->n_areas; a++)
            p->lx->threshold[a] = t;
    } else {
        size_t a = (size_t)p->area;

        if (p->thr_line[a])
            return lx_fail(p, WM_EPARSE, b + 1,
                           "second @threshold for [%s] (the first is on "
                           "line %zu)", p->config->area_ids[a],
                           p->thr_line[a]);
        p->thr_line[a] = p->line_no;
        p->lx->threshold[a] = t;
    }
    return WM_OK;
}

/*
** Parses a section line "[id]" (b..e trimmed) and makes it current.
*/
static int lx_parse_section(lx_parser *p, const unsigned char *line,
                            size_t b, size_t e)
{
    const unsigned char *id = line + b + 1;
    size_t id_len;

    if (e - b < 2 || line[e - 1] != ']')
        return lx_fail(p, WM_EPARSE, b + 1,
                       "a section is '[id]' alone on its line");
    id_len = e - b - 2;
    for (size_t a = 0; a < p->config->n_areas; a++) {
        const char *name = p->config->area_ids[a];

        if (name && strlen(name) == id_len && memcmp(name, id, id_len) == 0) {
            p->area = (long)a;
            return WM_OK;
        }
    }
    return lx_fail(p, WM_EPARSE, b + 2, "unknown area '%.*s'", (int)id_len,
                   (const char *)id);
}

/*
** Parses the whole file line by line. A byte-order mark is skipped, lines
** end in LF or CRLF, invalid UTF-8 is an error, '#' starts a comment.
*/
static int lx_parse(lx_parser *p, const unsigned char *text, size_t len)
{
    size_t pos = 0;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const unsigned char *line = text + pos;
        size_t line_len = 0, stop = 0, b, e, bad;
        int rc;

        while (pos + line_len < len && line[line_len] != '\n')
            line_len++;
        pos += line_len + (pos + line_len < len);
        p->line_no++;

        bad = pu_utf8_check(line, line_len);
        if (bad < line_len)
            return lx_fail(p, WM_EPARSE, bad + 1, "invalid UTF-8");
        while (stop < line_len && line[stop] != '#')
            stop++;
        for (b = 0; b < stop && pu_is_blank(line[b]); b++)
            ;
        for (e = stop; e > b && pu_is_blank(line[e - 1]); e--)
            ;
        if (b == e)
            continue;
        if (line[b] == '[')
            rc = lx_parse_section(p, line, b, e);
        else if (line[b] == '@')
            rc = lx_parse_directive(p, line, b, e);
        else if (p->area < 0)
            rc = lx_fail(p, WM_EPARSE, b + 1,
                         "entry before the first section");
        else
            rc = lx_parse_entry(p, line, b, e);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/* ------------------------------------------------------------------------
** Indexes
** --------------------------------------------------------------------- */

/*
** One step down a wildcard trie: the slot for a token's part of len bytes
** (hash h) whose shorter part is the slot `parent` (LX_NO_SLOT at the first
** character) and whose new character is ch (ch_len bytes; at the end of a
** prefix, at the start of a suffix). LX_NO_SLOT when no key goes on so.
** Comparing one character instead of the whole part keeps a token's scan
** linear in its length.
*/
static inline uint32_t lx_table_next(const lx_table *t, const char *pool,
                                     uint32_t h, uint32_t len,
                                     uint32_t parent,
                                     const unsigned char *ch,
                                     uint32_t ch_len, int backward)
{
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const lx_slot *sl = &t->slots[i];

        if (sl->key_len == 0)
            return LX_NO_SLOT;
        if (sl->hash == h && sl->key_len == len && sl->parent == parent) {
            const unsigned char *k = (const unsigned char *)pool + sl->key +
                                     (backward ? 0 : len - ch_len);
            uint32_t b = 0;

            while (b < ch_len && k[b] == ch[b])
                b++;
            if (b == ch_len)
                return i;
        }
    }
}

/*
** The slot for the bytes at pool offset `off` (len bytes, hash h) in a
** table being built, made (with its parent, see lx_slot) when missing. The
** table never fills: it has twice as many slots as there can be parts.
*/
static uint32_t lx_table_slot(lx_table *t, const char *pool, uint32_t h,
                              uint32_t off, uint32_t len, uint32_t parent)
{
    uint32_t i = h & t->mask;

    for (;; i = (i + 1) & t->mask) {
        lx_slot *sl = &t->slots[i];

        if (sl->key_len == 0) {
            sl->hash = h;
            sl->key = off;
            sl->key_len = len;
            sl->parent = parent;
            return i;
        }
        if (sl->hash == h && sl->key_len == len &&
            memcmp(pool + sl->key, pool + off, len) == 0)
            return i;
    }
}

/*
** Builds one wildcard table from the entries whose first element is of
** `kind`. Pass 0 enters every key and its parts (growing one character at
** a time from the key's start, or for suffixes from its end, with the same
** rolling hash a token's scan uses) and counts each key's entries; the
** counts then become offsets into one list, which pass 1 fills with the
** entries in file order.
*/
static int lx_table_build(lexicon *lx, lx_table *t, uint32_t kind)
{
    size_t n = 0, parts = 0, cap = 8, total = 0;
    int backward = kind == LX_SUFFIX;

    for (uint32_t e = 0; e < lx->n_entries; e++) {
        const lx_elem *el = &lx->elems[lx->entries[e].elem];

        if (el->kind == kind) {
            n++;
            parts += pu_chars(lx->pool + el->text, el->text_len);
        }
    }
    if (n == 0)
        return WM_OK;
    while (cap < 2 * parts)
        cap *= 2;
    t->slots = lx->host.realloc(lx->host.ctx, NULL, cap * sizeof *t->slots);
    t->list = lx->host.realloc(lx->host.ctx, NULL, n * sizeof *t->list);
    if (!t->slots || !t->list)
        return WM_ENOMEM;
    memset(t->slots, 0, cap * sizeof *t->slots);
    t->mask = (uint32_t)(cap - 1);

    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t e = 0; e < lx->n_entries; e++) {
            const lx_elem *el = &lx->elems[lx->entries[e].elem];
            const unsigned char *key =
                (const unsigned char *)lx->pool + el->text;
            uint32_t len = el->text_len, h = LX_FNV_BASIS, at = LX_NO_SLOT;
            lx_slot *sl;

            if (el->kind != kind)
                continue;
            for (uint32_t j = 1; j <= len; j++) {
                unsigned char b = backward ? key[len - j] : key[j - 1];

                h = (h ^ b) * LX_FNV_PRIME;
                if (backward ? (b & 0xC0) == 0x80
                             : j < len && (key[j] & 0xC0) == 0x80)
                    continue; /* inside a character */
                at = lx_table_slot(t, lx->pool, h,
                                   backward ? el->text + len - j : el->text,
                                   j, at);
            }
            sl = &t->slots[at];
            if (pass == 0) {
                sl->count++;
                if (len > t->max_len)
                    t->max_len = len;
            } else
                t->list[sl->first + sl->count++] = e;
        }
        if (pass == 0)
            for (size_t i = 0; i < cap; i++) {
                t->slots[i].first = (uint32_t)total;
                total += t->slots[i].count;
                t->slots[i].count = 0;
            }
    }
    return WM_OK;
}

/*
** Builds the id index of one kind (LX_WORD: words by stem id, LX_EXACT:
** exact forms by normal-form id) over the entries whose first element is
** of that kind: counts per id, turns the counts into offsets, then files
** the entries in file order.
*/
static int lx_index_build(lexicon *lx, lx_index *ix, uint32_t kind)
{
    uint32_t max_id = 0, n = 0;

    for (uint32_t e = 0; e < lx->n_entries; e++) {
        const lx_elem *el = &lx->elems[lx->entries[e].elem];

        if (el->kind == kind) {
            n++;
            if (el->id > max_id)
                max_id = el->id;
        }
    }
    if (n == 0)
        return WM_OK;
    if (max_id >= UINT32_MAX - 1)
        return WM_ENOMEM;
    ix->first = lx->host.realloc(lx->host.ctx, NULL,
                                 ((size_t)max_id + 2) * sizeof *ix->first);
    ix->list = lx->host.realloc(lx->host.ctx, NULL, n * sizeof *ix->list);
    if (!ix->first || !ix->list)
        return WM_ENOMEM;
    ix->n_ids = max_id + 1;
    memset(ix->first, 0, ((size_t)ix->n_ids + 1) * sizeof *ix->first);
    for (uint32_t e = 0; e < lx->n_entries; e++) {
        const lx_elem *el = &lx->elems[lx->entries[e].elem];

        if (el->kind == kind)
            ix->first[el->id + 1]++;
    }
    for (uint32_t s = 0; s < ix->n_ids; s++)
        ix->first[s + 1] += ix->first[s];
    /* Fill using first[s] as a cursor, then shift back. */
    for (uint32_t e = 0; e < lx->n_entries; e++) {
        const lx_elem *el = &lx->elems[lx->entries[e].elem];

        if (el->kind == kind)
            ix->list[ix->first[el->id]++] = e;
    }
    for (uint32_t s = ix->n_ids; s > 0; s--)
        ix->first[s] = ix->first[s - 1];
    ix->first[0] = 0;
    return WM_OK;
}

/* ------------------------------------------------------------------------
** The plugin's functions
** --------------------------------------------------------------------- */

/*
** Frees an instance and everything it holds (also a half-made one).
*/
static void lx_destroy(void *state)
{
    lexicon *lx = state;
    wm_host h;

    if (!lx)
        return;
    h = lx->host;
    h.free(h.ctx, lx->entries);
    h.free(h.ctx, lx->elems);
    h.free(h.ctx, lx->pool);
    h.free(h.ctx, lx->words.first);
    h.free(h.ctx, lx->words.list);
    h.free(h.ctx, lx->exacts.first);
    h.free(h.ctx, lx->exacts.list);
    h.free(h.ctx, lx->prefixes.slots);
    h.free(h.ctx, lx->prefixes.list);
    h.free(h.ctx, lx->suffixes.slots);
    h.free(h.ctx, lx->suffixes.list);
    h.free(h.ctx, lx);
}

/*
** Makes the instance for one language: reads "<lang>/areas.txt" through the
** host (missing: WM_PLUGIN_SKIP, nothing to do for the language), parses
** it, and builds the indexes. Everything the file said is copied: the
** host's bytes and analyses are only borrowed during create().
*/
static int lx_create(const wm_host *host, const wm_plugin_config *config,
                     void **state, char *err, size_t err_size)
{
    lx_parser p;
    lexicon *lx;
    const unsigned char *bytes = NULL;
    size_t len = 0;
    int rc;

    if (state)
        *state = NULL;
    if (!host || !state || !config ||
        host->struct_size < offsetof(wm_host, intern) + sizeof host->intern ||
        !host->realloc || !host->free || !host->data_file ||
        !host->analyze || !host->intern ||
        config->struct_size < offsetof(wm_plugin_config, options) +
                              sizeof config->options ||
        !config->lang || !config->area_ids) {
        pu_message(err, err_size, "lexicon: invalid arguments to create()");
        return WM_EINVAL;
    }
    if (config->n_areas == 0 || config->n_areas > LX_MAX_AREAS) {
        pu_message(err, err_size, "lexicon: %zu areas (1 to %d supported)",
                   config->n_areas, LX_MAX_AREAS);
        return WM_EINVAL;
    }
    if (config->options && config->options[0]) {
        pu_message(err, err_size, "lexicon: takes no options (got '%s')",
                   config->options);
        return WM_EINVAL;
    }

    memset(&p, 0, sizeof p);
    if ((size_t)snprintf(p.name, sizeof p.name, "%s/areas.txt",
                         config->lang) >= sizeof p.name) {
        pu_message(err, err_size, "lexicon: language code too long");
        return WM_EINVAL;
    }
    rc = host->data_file(host->ctx, p.name, &bytes, &len, err, err_size);
    if (rc == WM_ENOTFOUND)
        return WM_PLUGIN_SKIP;
    if (rc != WM_OK)
        return rc;
    if (len > LX_MAX_FILE) {
        pu_message(err, err_size, "%s: over %u bytes", p.name, LX_MAX_FILE);
        return WM_ETOOBIG;
    }

    lx = host->realloc(host->ctx, NULL, sizeof *lx);
    if (!lx) {
        pu_message(err, err_size, "lexicon: out of memory");
        return WM_ENOMEM;
    }
    memset(lx, 0, sizeof *lx);
    memcpy(&lx->host, host,
           host->struct_size < sizeof lx->host ? host->struct_size
                                               : sizeof lx->host);
    lx->host.struct_size = sizeof lx->host;
    lx->n_areas = config->n_areas;
    for (size_t a = 0; a < lx->n_areas; a++)
        lx->threshold[a] = 1.0;

    p.lx = lx;
    p.host = host;
    p.config = config;
    p.err = err;
    p.err_size = err_size;
    p.area = -1;
    rc = lx_parse(&p, bytes, len);
    host->free(host->ctx, p.dup);
    if (rc == WM_OK) {
        /* Areas without a threshold of their own take the default, which
        ** lx_parse_directive wrote to all; own ones were written after. */
        rc = lx_index_build(lx, &lx->words, LX_WORD);
        if (rc == WM_OK)
            rc = lx_index_build(lx, &lx->exacts, LX_EXACT);
        if (rc == WM_OK)
            rc = lx_table_build(lx, &lx->prefixes, LX_PREFIX);
        if (rc == WM_OK)
            rc = lx_table_build(lx, &lx->suffixes, LX_SUFFIX);
        if (rc != WM_OK)
            pu_message(err, err_size, "%s: out of memory", p.name);
    }
    if (rc != WM_OK) {
        lx_destroy(lx);
        return rc;
    }
    *state = lx;
    return WM_OK;
}

/*
** Makes one thread's scratch: the per-entry marks and stamps and the
** per-area sums are sized now; the per-answer arrays grow on first need.
*/
static int lx_worker_new(void *state, void **worker, char *err,
                         size_t err_size)
{
    lexicon *lx = state;
    lx_worker *w;

    if (!lx || !worker) {
        pu_message(err, err_size, "lexicon: invalid arguments to worker_new()");
        return WM_EINVAL;
    }
    *worker = NULL;
    w = lx->host.realloc(lx->host.ctx, NULL, sizeof *w);
    if (!w) {
        pu_message(err, err_size, "lexicon: out of memory");
        return WM_ENOMEM;
    }
    memset(w, 0, sizeof *w);
    w->seen = lx->host.realloc(lx->host.ctx, NULL,
                               (lx->n_entries + 1) * sizeof *w->seen);
    w->tried = lx->host.realloc(lx->host.ctx, NULL,
                                (lx->n_entries + 1) * sizeof *w->tried);
    w->sum = lx->host.realloc(lx->host.ctx, NULL, lx->n_areas * sizeof *w->sum);
    if (!w->seen || !w->tried || !w->sum) {
        lx->host.free(lx->host.ctx, w->seen);
        lx->host.free(lx->host.ctx, w->tried);
        lx->host.free(lx->host.ctx, w->sum);
        lx->host.free(lx->host.ctx, w);
        pu_message(err, err_size, "lexicon: out of memory");
        return WM_ENOMEM;
    }
    memset(w->seen, 0, (lx->n_entries + 1) * sizeof *w->seen);
    memset(w->tried, 0, (lx->n_entries + 1) * sizeof *w->tried);
    *worker = w;
    return WM_OK;
}

/* Frees one thread's scratch. */
static void lx_worker_free(void *state, void *worker)
{
    lexicon *lx = state;
    lx_worker *w = worker;

    if (!lx || !w)
        return;
    lx->host.free(lx->host.ctx, w->seen);
    lx->host.free(lx->host.ctx, w->tried);
    lx->host.free(lx->host.ctx, w->sum);
    lx->host.free(lx->host.ctx, w->pos);
    lx->host.free(lx->host.ctx, w->ident);
    lx->host.free(lx->host.ctx, w->cand);
    lx->host.free(lx->host.ctx, w->alts);
    lx->host.free(lx->host.ctx, w->mark);
    lx->host.free(lx->host.ctx, w->limit);
    lx->host.free(lx->host.ctx, w->excl);
    lx->host.free(lx->host.ctx, w->matches);
    lx->host.free(lx->host.ctx, w->memo);
    lx->host.free(lx->host.ctx, w->memo_text);
    lx->host.free(lx->host.ctx, w->memo_list);
    lx->host.free(lx->host.ctx, w);
}

/* Whether a token matches one element: a word by stem id, an exact form by
** normal-form id, a prefix by the start of the normal form, a suffix by the
** end of the normal form or of the stem. */
static int lx_elem_matches(const lexicon *lx, const lx_elem *el,
                           const wm_token *t)
{
    const char *key = lx->pool + el->text;
    size_t n = el->text_len;

    switch (el->kind) {
    case LX_WORD:
        return t->stem_id == el->id;
    case LX_EXACT:
        return t->norm_id == el->id;
    case LX_PREFIX:
        return t->norm_len >= n && memcmp(t->norm, key, n) == 0;
    default:
        return (t->norm_len >= n &&
                memcmp(t->norm + t->norm_len - n, key, n) == 0) ||
               (t->stem_len >= n &&
                memcmp(t->stem + t->stem_len - n, key, n) == 0);
    }
}

/* Whether position q matches one element: its word token, or in the
** variants pass (unless plain) the variant that follows it when the
** position is open (at most 1 + LX_MAX_ALTS tests). Compound parts never
** match here: they take part in no phrase. */
static int lx_pos_matches(const lexicon *lx, const lx_worker *w,
                          const wm_token *tokens, const lx_elem *el,
                          uint32_t q)
{
    const wm_token *t = &tokens[w->at[q]];

    if (lx_elem_matches(lx, el, t))
        return 1;
    if (w->plain || !(w->mark[q] & LX_OPEN))
        return 0;
    for (uint32_t k = 1; k <= w->alts[q]; k++)
        if ((t[k].flags & WM_TOK_VARIANT) && lx_elem_matches(lx, el, &t[k]))
            return 1;
    return 0;
}

/* Shifts a window set left by s (1 to 63) positions. */
static lx_set lx_set_shift(lx_set a, unsigned s)
{
    lx_set r;

    r.w[1] = (a.w[1] << s) | (a.w[0] >> (64 - s));
    r.w[0] = a.w[0] << s;
    return r;
}

/*
** Whether the rest of entry e follows from content position p, where its
** first element matched; *last gets the position of the match's last
** token. The search keeps, for each element, the SET of window offsets
** where it can match, so "a ... b c" finds a b c in "a b x b c" where
** taking the first b would not; the match found ends as early as
** possible. The window stops at the sentence end and at the entry's span,
** so the cost is at most 7 elements by 78 offsets (by 1 + LX_MAX_ALTS
** tokens where a position is open). lim: the window's last offset, the
** least of the sentence's end and the span (lx_search). *last is p when
** it fails.
*/
static __attribute__((noinline)) int
lx_search_window(const lexicon *lx, const lx_worker *w,
                 const wm_token *tokens, const lx_entry *en, uint32_t p,
                 uint32_t lim, uint32_t *last)
{
    const lx_elem *el = lx->elems + en->elem;
    uint32_t lo = 0, hi = 0;
    lx_set cur = {{1, 0}};

    for (uint32_t k = 1; k < en->n_elems; k++) {
        lx_set allowed = {{0, 0}}, next = {{0, 0}};
        uint32_t top = hi + el[k].gap + 1, nlo = 0, nhi = 0;
        int any = 0;

        for (unsigned s = 1; s <= el[k].gap + 1; s++) {
            lx_set sh = lx_set_shift(cur, s);

            allowed.w[0] |= sh.w[0];
            allowed.w[1] |= sh.w[1];
        }
        if (top > lim)
            top = lim;
        for (uint32_t o = lo + 1; o <= top; o++) {
            if (!((allowed.w[o >> 6] >> (o & 63)) & 1))
                continue;
            if (!lx_pos_matches(lx, w, tokens, &el[k], p + o))
                continue;
            next.w[o >> 6] |= (uint64_t)1 << (o & 63);
            if (!any)
                nlo = o;
            nhi = o;
            any = 1;
        }
        if (!any)
            return 0;
        cur = next;
        lo = nlo;
        hi = nhi;
    }
    *last = p + lo;
    return 1;
}

/* lx_search's first steps, inline in its callers: most entries tried are
** a single word (a match at once) or too long for what is left of the
** sentence (none); only the others pay lx_search_window's call. Of those,
** nearly all fail at their second element, mostly a word right after the
** first ("i tid", "ta ... månader"): in the words pass, where no position
** offers a variant, that word is looked for first among the stem ids of
** the positions its gap allows (what the window search tests first, with
** the same result when none matches). */
static inline int lx_search(const lexicon *lx, const lx_worker *w,
                            const wm_token *tokens, const lx_entry *en,
                            uint32_t p, uint32_t *last)
{
    uint32_t lim = w->limit[p] - p;
    const lx_elem *second;

    *last = p;
    if (en->n_elems == 1)
        return 1;
    if (lim > en->span)
        lim = en->span;
    if (lim < en->n_elems - 1)
        return 0;
    second = lx->elems + en->elem + 1;
    if (second->kind == LX_WORD && w->pass == LX_PASS_WORDS) {
        uint32_t top = second->gap + 1 < lim ? second->gap + 1 : lim;
        uint32_t o = 1;

        while (o <= top && tokens[w->at[p + o]].stem_id != second->id)
            o++;
        if (o > top)
            return 0;
    }
    return lx_search_window(lx, w, tokens, en, p, lim, last);
}

/* Grows the matches by one at least; out of line, so that lx_record's
** callers keep few registers. */
static __attribute__((noinline)) int lx_more_matches(const lexicon *lx,
                                                     lx_worker *w)
{
    return pu_grow(&lx->host, (void **)&w->matches, &w->cap_matches,
                   w->n_matches + 1, sizeof *w->matches);
}

/* Records a match of entry e from position p to position last, and
** whether an exclusion matched (lx_classify's filter runs only then). */
static inline int lx_record(const lexicon *lx, lx_worker *w, uint32_t e,
                            uint32_t p, uint32_t last)
{
    lx_match *mt;

    if (w->n_matches == w->cap_matches) {
        int rc = lx_more_matches(lx, w);

        if (rc != WM_OK)
            return rc;
    }
    mt = &w->matches[w->n_matches++];
    mt->entry = e;
    mt->first = p;
    mt->last = last;
    w->excluding |= lx->entries[e].exclude;
    return WM_OK;
}

/*
** Tries entry e from content position p, where its first element matched,
** and records a match when the rest follows. In the variants pass a match
** the words as written make alone was recorded in the words pass and is
** not recorded again.
*/
static int lx_try(const lexicon *lx, lx_worker *w, const wm_token *tokens,
                  uint32_t e, uint32_t p)
{
    const lx_entry *en = &lx->entries[e];
    uint32_t last, plain_last;

    if (!lx_search(lx, w, tokens, en, p, &last))
        return WM_OK;
    if (w->pass == LX_PASS_VARIANTS &&
        lx_elem_matches(lx, lx->elems + en->elem, &tokens[w->at[p]])) {
        int dup;

        w->plain = 1;
        dup = lx_search(lx, w, tokens, en, p, &plain_last);
        w->plain = 0;
        if (dup)
            return WM_OK;
    }
    return lx_record(lx, w, e, p, last);
}

/*
** lx_try_list in the words pass, where most entries tried fail at once:
** too long for what is left of the sentence, or (most) a phrase whose
** second element matches none of the positions its gap allows after p (a
** word by stem id, from the entry alone; an exact form or a wildcard by
** its element). Those tests (lx_search's, and lx_search_window's first
** step) are made here with the sentence's end read once for the list, so
** that a failing entry costs a few loads; the rest go on to
** lx_search_window or are a single word's match. Since an entry's span is
** at least its elements - 1 and its second element's reach, the tests
** give what lx_search's, which take the least of span and sentence, do.
*/
static int lx_try_words(const lexicon *lx, lx_worker *w,
                        const wm_token *tokens, const uint32_t *list,
                        uint32_t count, uint32_t p)
{
    uint32_t sent = w->limit[p] - p; /* positions after p in its sentence */
    const uint32_t *at = w->at;

    for (uint32_t i = 0; i < count; i++) {
        const lx_entry *en = &lx->entries[list[i]];
        uint32_t last = p;
        int rc;

        if (en->n_elems > 1) {
            uint32_t top = en->reach < sent ? en->reach : sent, o = 1;

            if (en->n_elems - 1 > sent)
                continue;
            if (en->second != WM_ID_NONE) {
                while (o <= top && tokens[at[p + o]].stem_id != en->second)
                    o++;
            } else {
                /* an exact form or a wildcard: the same test, by
                ** lx_elem_matches */
                const lx_elem *el = lx->elems + en->elem + 1;

                while (o <= top &&
                       !lx_elem_matches(lx, el, &tokens[at[p + o]]))
                    o++;
            }
            if (o > top)
                continue;
            if (!lx_search_window(lx, w, tokens, en, p,
                                  en->span < sent ? en->span : sent, &last))
                continue;
        }
        rc = lx_record(lx, w, list[i], p, last);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/* Tries every entry of a candidate list from position p (in the parts
** pass only single-word entries). Where more than one token of p is
** scanned, an entry that another of them led to was tried already (the
** stamp says so): trying it again would only repeat its match. */
static int lx_try_list(const lexicon *lx, lx_worker *w,
                       const wm_token *tokens, const uint32_t *list,
                       uint32_t count, uint32_t p)
{
    if (w->pass == LX_PASS_WORDS)
        return lx_try_words(lx, w, tokens, list, count, p);
    for (uint32_t i = 0; i < count; i++) {
        int rc;

        if (w->pass == LX_PASS_PARTS && lx->entries[list[i]].n_elems > 1)
            continue;
        if (w->stamping) {
            if (w->tried[list[i]] == w->stamp)
                continue;
            w->tried[list[i]] = w->stamp;
        }
        rc = lx_try(lx, w, tokens, list[i], p);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/* Appends count entries to the worker's memo_list. */
static int lx_collect_list(const lexicon *lx, lx_worker *w,
                           const uint32_t *list, uint32_t count)
{
    int rc = pu_grow(&lx->host, (void **)&w->memo_list, &w->cap_memo_list,
                     w->n_memo_list + count, sizeof *w->memo_list);

    if (rc != WM_OK)
        return rc;
    memcpy(w->memo_list + w->n_memo_list, list, count * sizeof *list);
    w->n_memo_list += count;
    return WM_OK;
}

/* Appends the entries an id index files under id (none when id is
** WM_ID_NONE or above every id the index holds). */
static int lx_collect_index(const lexicon *lx, lx_worker *w,
                            const lx_index *ix, uint32_t id)
{
    uint32_t a;

    if (id == WM_ID_NONE || id >= ix->n_ids ||
        ix->first[id] == ix->first[id + 1])
        return WM_OK;
    a = ix->first[id];
    return lx_collect_list(lx, w, ix->list + a, ix->first[id + 1] - a);
}

/*
** Walks a wildcard trie along one string of a token (its normal form, or
** for suffixes also its stem), a character at a time from the start
** (backward = 0) or the end (1), and appends to the worker's memo_list the
** entries of every key met; stops at the first part no key goes on from.
** Keys of `skip` bytes or fewer were met through another string and are
** passed over.
*/
static inline int lx_collect_parts(const lexicon *lx, lx_worker *w,
                                   const lx_table *tb,
                                   const unsigned char *s, uint32_t s_len,
                                   int backward, uint32_t skip)
{
    uint32_t n = s_len < tb->max_len ? s_len : tb->max_len;
    uint32_t h = LX_FNV_BASIS, at = LX_NO_SLOT, done = 0;

    for (uint32_t len = 1; len <= n; len++) {
        const unsigned char *b = backward ? s + s_len - len : s + len - 1;
        const lx_slot *sl;

        h = (h ^ *b) * LX_FNV_PRIME;
        if (backward ? (*b & 0xC0) == 0x80
                     : len < s_len && (b[1] & 0xC0) == 0x80)
            continue; /* inside a character */
        at = lx_table_next(tb, lx->pool, h, len, at,
                           backward ? b : s + done, len - done, backward);
        if (at == LX_NO_SLOT)
            break;
        done = len;
        sl = &tb->slots[at];
        if (sl->count && len > skip) {
            int rc = lx_collect_list(lx, w, tb->list + sl->first, sl->count);

            if (rc != WM_OK)
                return rc;
        }
    }
    return WM_OK;
}

/*
** Appends to memo_list the candidates of token t: the entries whose first
** element it matches, in the order they are tried: the words filed under
** its stem id, the exact forms under its normal form's id, then the
** wildcards by the prefixes of its normal form, by the suffixes of its
** normal form, and by those of its stem that the normal form does not
** share (for most words the stem is the word's beginning, so that last
** walk is short or not made). All of it follows from the normal form's
** bytes (its stem is the stemmer's, and an id below the indexes' n_ids is
** a string the lexicon interned, the same for ever), so the memo may keep
** it under them.
*/
static int lx_collect(const lexicon *lx, lx_worker *w, const wm_token *t)
{
    const unsigned char *norm = (const unsigned char *)t->norm;
    const unsigned char *stem = (const unsigned char *)t->stem;
    int rc = lx_collect_index(lx, w, &lx->words, t->stem_id);

    if (rc == WM_OK)
        rc = lx_collect_index(lx, w, &lx->exacts, t->norm_id);
    if (rc == WM_OK && lx->prefixes.max_len)
        rc = lx_collect_parts(lx, w, &lx->prefixes, norm, (uint32_t)t->norm_len, 0, 0);
    if (rc == WM_OK && lx->suffixes.max_len) {
        uint32_t common = 0;

        while (common < t->norm_len && common < t->stem_len &&
               norm[t->norm_len - 1 - common] == stem[t->stem_len - 1 - common])
            common++;
        rc = lx_collect_parts(lx, w, &lx->suffixes, norm, (uint32_t)t->norm_len, 1, 0);
        if (rc == WM_OK && common < t->stem_len && common < lx->suffixes.max_len)
            rc = lx_collect_parts(lx, w, &lx->suffixes, stem, (uint32_t)t->stem_len, 1,
                                  common);
    }
    return rc;
}

/*
** The key of a form of n bytes: with n, it tells the form from every other
** one of up to 16 bytes, and is read within the n bytes only: the first
** and the last 8 bytes (overlapping below 16), 4 and 4 below 8, the first,
** middle and last byte below 4 (all of them). A longer form is compared
** byte by byte too. Most forms take the first branch, and the test of a
** remembered form is then two loads and two compares against its slot,
** with no call and no second array to read.
*/
static inline void lx_key(const char *s, size_t n, uint64_t *head,
                          uint64_t *tail)
{
    if (n >= 8) {
        memcpy(head, s, 8);
        memcpy(tail, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;

        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        *head = a;
        *tail = b;
    } else {
        const unsigned char *u = (const unsigned char *)s;

        *head = n ? u[0] | (uint32_t)u[n / 2] << 8 | (uint32_t)u[n - 1] << 16
                  : 0;
        *tail = 0;
    }
}

/* Whether slot m holds the form s of n bytes, its length already found
** equal. */
static inline int lx_memo_is(const lx_memo *m, const char *memo_text,
                             const char *s, size_t n)
{
    uint64_t head, tail;

    lx_key(s, n, &head, &tail);
    return ((head ^ m->head) | (tail ^ m->tail)) == 0 &&
           (n <= 16 || memcmp(memo_text + m->text, s, n) == 0);
}

/* 1 when token t's stem or normal form files entries in an id index
** (lx_scan_index would try some). */
static inline int lx_by_id(const lexicon *lx, const wm_token *t)
{
    uint32_t sid = t->stem_id, nid = t->norm_id;

    return (sid < lx->words.n_ids &&
            lx->words.first[sid] != lx->words.first[sid + 1]) ||
           (nid < lx->exacts.n_ids &&
            lx->exacts.first[nid] != lx->exacts.first[nid + 1]);
}

/* Forgets every remembered form (the memo's memory stays). */
static void lx_memo_forget(lx_worker *w)
{
    w->forgets++;
    if (w->memo) {
        memset(w->memo, 0, w->cap_memo * sizeof *w->memo);
        if (w->by_id)
            w->memo[0].len = LX_MEMO_ID0;
    }
    w->n_memo_text = 0;
    w->n_memo_list = 0;
}

/*
** The candidates of token t (lx_collect): *first and *count in memo_list.
** Collects them (walking the tries) the first time a normal form is met
** and remembers the result under its id; a later token of the same form
** (most tokens, in Zipfian text) costs one slot read and one comparison
** of its key. A form without an id is collected each time, its candidates
** left at the list's end until the next such collection. Only for a lexicon with
** wildcards: without, the id indexes are one step each (lx_scan_one).
*/
/*
** Writes the summary (LX_HEAD words) before the candidates at mark +
** LX_HEAD .. n_memo_list, and after them, when some are phrases, the
** single-word ones again: what lx_try_memo needs to pass over all the
** phrases of a form at once where none can match.
*/
static int lx_gate(const lexicon *lx, lx_worker *w, size_t mark)
{
    uint32_t *head = w->memo_list + mark;
    const uint32_t *list = head + LX_HEAD;
    uint32_t count = (uint32_t)(w->n_memo_list - mark - LX_HEAD);
    uint64_t mask = 0;
    uint32_t reach = 0, more = LX_MAX_ELEMS, singles = 0;

    for (uint32_t i = 0; i < count; i++) {
        const lx_entry *en = &lx->entries[list[i]];

        if (en->n_elems == 1) {
            singles++;
            continue;
        }
        if (en->n_elems - 1 < more)
            more = en->n_elems - 1;
        if (en->second == WM_ID_NONE)
            reach = LX_GATE_OPEN;
        else if (reach != LX_GATE_OPEN) {
            mask |= (uint64_t)1 << (en->second & 63);
            if (en->reach > reach)
                reach = en->reach;
        }
    }
    head[LX_H_MASK] = (uint32_t)mask;
    head[LX_H_MASK + 1] = (uint32_t)(mask >> 32);
    head[LX_H_REACH] = reach;
    head[LX_H_MORE] = more;
    head[LX_H_SINGLES] = singles;
    head[LX_H_COUNT] = count;
    if (reach == 0 || reach == LX_GATE_OPEN)
        return WM_OK;
    for (uint32_t i = 0; i < count; i++) {
        /* memo_list may move as it grows: read through w each time */
        uint32_t e = w->memo_list[mark + LX_HEAD + i];
        int rc;

        if (lx->entries[e].n_elems > 1)
            continue;
        rc = lx_collect_list(lx, w, &e, 1);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

static int lx_candidates(const lexicon *lx, lx_worker *w, const wm_token *t,
                         uint32_t *first, uint32_t *count)
{
    uint32_t id = t->norm_id;
    lx_memo *m = NULL;
    size_t mark, text_len = t->norm_len > 16 && !w->by_id ? t->norm_len : 0;
    uint32_t key = w->by_id ? id : (uint32_t)t->norm_len + 1; /* m->len's */
    int rc;

    if (id != WM_ID_NONE && (w->by_id ? id < LX_MEMO_LEADS
                                      : t->norm_len < LX_MEMO_LEADS - 1)) {
        if (w->cap_memo) {
            m = &w->memo[id & (w->cap_memo - 1)];
            if ((m->len & ~LX_MEMO_LEADS) == key &&
                (w->by_id || lx_memo_is(m, w->memo_text, t->norm, t->norm_len))) {
                *first = m->first;
                *count = m->count;
                return WM_OK;
            }
        }
        if (w->n_memo_text + text_len > LX_MEMO_BYTES ||
            w->n_memo_list * sizeof *w->memo_list > LX_MEMO_BYTES)
            lx_memo_forget(w);
        /* A slot per id while the ids are few; past LX_MEMO_IDS, ids
        ** share slots. Growing leaves a form in the slot of its id's
        ** fewer low bits, where it is no longer looked for: it is
        ** collected again when met. */
        rc = pu_grow(&lx->host, (void **)&w->memo, &w->cap_memo,
                     id < LX_MEMO_IDS ? (size_t)id + 1 : LX_MEMO_IDS,
                     sizeof *w->memo);
        if (rc == WM_OK)
            rc = pu_grow(&lx->host, (void **)&w->memo_text, &w->cap_memo_text,
                         w->n_memo_text + text_len + 1, 1);
        if (rc != WM_OK)
            return rc;
        if (w->by_id && w->memo[0].len == 0) /* just made */
            w->memo[0].len = LX_MEMO_ID0;
        m = &w->memo[id & (w->cap_memo - 1)];
    }
    mark = w->n_memo_list;
    rc = pu_grow(&lx->host, (void **)&w->memo_list, &w->cap_memo_list,
                 mark + LX_HEAD, sizeof *w->memo_list);
    if (rc == WM_OK) {
        w->n_memo_list = mark + LX_HEAD;
        rc = lx_collect(lx, w, t);
    }
    *first = (uint32_t)(mark + LX_HEAD);
    *count = (uint32_t)(w->n_memo_list - *first);
    if (rc == WM_OK && *count)
        rc = lx_gate(lx, w, mark);
    if (rc != WM_OK || !*count) /* nothing to keep but the length */
        w->n_memo_list = mark;
    if (rc != WM_OK)
        return rc;
    if (!m) {
        w->n_memo_list = mark; /* not kept: the next walk overwrites it */
        return WM_OK;
    }
    if (text_len)
        memcpy(w->memo_text + w->n_memo_text, t->norm, text_len);
    m->text = (uint32_t)w->n_memo_text;
    m->len = key | (*count ? LX_MEMO_LEADS : 0);
    m->first = *first;
    m->count = *count;
    lx_key(t->norm, t->norm_len, &m->head, &m->tail);
    w->n_memo_text += text_len;
    return WM_OK;
}

/* What a worker without a memo yet looks in: one slot that remembers
** nothing, by bytes or by id (read-only, so shared). */
static const lx_memo lx_no_memo, lx_no_memo_id = { LX_MEMO_ID0, 0, 0, 0, 0, 0 };

/* The worker's memo as the tests read it: its slots and the mask of their
** index (lx_no_memo or lx_no_memo_id and 0 before it has any). */
static inline const lx_memo *lx_memo_slots(const lx_worker *w,
                                           uint32_t *mask)
{
    *mask = w->cap_memo ? (uint32_t)w->cap_memo - 1 : 0;
    if (!w->cap_memo)
        return w->by_id ? &lx_no_memo_id : &lx_no_memo;
    return w->memo;
}

/* 1 when the memo says that token t leads to no entry: its form is
** remembered without LX_MEMO_LEADS (the length test fails with it). A form
** not remembered is not quiet: its scan remembers it. memo, mask
** (lx_memo_slots) and memo_text are the worker's, in the caller's locals
** (see lx_words_pass); by_id is w->by_id. */
static inline int lx_quiet(const lx_memo *memo, uint32_t mask,
                           const char *memo_text, int by_id,
                           const wm_token *t)
{
    const lx_memo *m = &memo[t->norm_id & mask];

    if (by_id) /* not 0: see LX_MEMO_ID0 */
        return m->len == t->norm_id;
    return m->len == t->norm_len + 1 &&
           lx_memo_is(m, memo_text, t->norm, t->norm_len);
}

/*
** Tries the candidates of a form, at first in memo_list (see lx_candidates;
** how many, its summary says), from position p. In the words pass its summary (lx_gate)
** may tell at once that no phrase of them can match here: when what is
** left of the sentence is too short for any, or no position that a
** phrase's second element may take holds a stem id whose bit is set in the
** mask. Each phrase would fail lx_try_words's tests then (its second
** element, a word, is one of the mask's, within the largest reach), so
** only the single words are recorded, in their order; else (and in the
** other passes) every candidate is tried.
*/
static inline int lx_try_memo(const lexicon *lx, lx_worker *w,
                              const wm_token *tokens, uint32_t first,
                              uint32_t p)
{
    const uint32_t *head = w->memo_list + first - LX_HEAD;
    uint32_t reach = head[LX_H_REACH], count = head[LX_H_COUNT];

    if (w->pass == LX_PASS_WORDS && reach == 0) {
        /* single words only: each is a match here */
        for (uint32_t i = 0; i < count; i++) {
            int rc = lx_record(lx, w, w->memo_list[first + i], p, p);

            if (rc != WM_OK)
                return rc;
        }
        return WM_OK;
    }
    if (w->pass == LX_PASS_WORDS && reach != LX_GATE_OPEN) {
        uint32_t sent = w->limit[p] - p, singles = head[LX_H_SINGLES];
        uint64_t mask = head[LX_H_MASK] |
                        (uint64_t)head[LX_H_MASK + 1] << 32;
        int open = 0;

        if (sent >= head[LX_H_MORE]) {
            uint32_t top = reach < sent ? reach : sent;

            for (uint32_t o = 1; !open && o <= top; o++)
                open = (mask >> (tokens[w->at[p + o]].stem_id & 63)) & 1;
        }
        if (!open) {
            for (uint32_t i = 0; i < singles; i++) {
                int rc = lx_record(lx, w, w->memo_list[first + count + i],
                                   p, p);

                if (rc != WM_OK)
                    return rc;
            }
            return WM_OK;
        }
    }
    return lx_try_list(lx, w, tokens, w->memo_list + first, count, p);
}

/* Tries the entries an id index files under id (none when id is
** WM_ID_NONE or above every id the index holds). */
static int lx_scan_index(const lexicon *lx, lx_worker *w,
                         const wm_token *tokens, const lx_index *ix,
                         uint32_t id, uint32_t p)
{
    uint32_t a;

    if (id == WM_ID_NONE || id >= ix->n_ids)
        return WM_OK;
    a = ix->first[id];
    return lx_try_list(lx, w, tokens, ix->list + a, ix->first[id + 1] - a, p);
}

/*
** Finds every entry whose first element matches token t, the base token of
** position p or one of its alternatives, and tries each from p: by stem
** id, by normal-form id, then by the wildcards (by the prefixes, then by
** the suffixes, of the normal form and then of the stem). With wildcards
** that is the one list the memo keeps for the form (lx_candidates);
** without, the two id indexes give it.
*/
static int lx_scan_one(const lexicon *lx, lx_worker *w,
                       const wm_token *tokens, const wm_token *t, uint32_t p)
{
    uint32_t first, count;
    int rc;

    if (!lx->prefixes.max_len && !lx->suffixes.max_len) {
        rc = lx_scan_index(lx, w, tokens, &lx->words, t->stem_id, p);
        if (rc == WM_OK)
            rc = lx_scan_index(lx, w, tokens, &lx->exacts, t->norm_id, p);
        return rc;
    }
    rc = lx_candidates(lx, w, t, &first, &count);
    if (rc == WM_OK && count)
        rc = lx_try_memo(lx, w, tokens, first, p);
    return rc;
}

/*
** The words pass: scans each position's word token unless it is sure to
** lead to no entry (lx_scan_one would find nothing to try). Most tokens
** are such, and this spares them lx_scan_one's call. With wildcards, the
** memo says it (lx_quiet); without, the two id indexes (lx_by_id). What
** the test reads is kept in locals: the memo's arrays, which change only in lx_scan_one (a new form
** remembered) and are read again after it; through the worker, which the
** scan writes, the compiler would load each again per token.
*/
static int lx_words_pass(const lexicon *lx, lx_worker *w,
                         const wm_token *tokens, uint32_t n_pos)
{
    const uint32_t *pos = w->pos;
    uint32_t mask;
    const lx_memo *memo = lx_memo_slots(w, &mask);
    const char *memo_text = w->memo_text;
    int rc;

    if (!lx->prefixes.max_len && !lx->suffixes.max_len) {
        for (uint32_t p = 0; p < n_pos; p++) {
            const wm_token *t = &tokens[pos[p]];

            if (!lx_by_id(lx, t))
                continue;
            rc = lx_scan_one(lx, w, tokens, t, p);
            if (rc != WM_OK)
                return rc;
        }
        return WM_OK;
    }
    for (uint32_t p = 0; p < n_pos; p++) {
        const wm_token *t = &tokens[pos[p]];

        if (lx_quiet(memo, mask, memo_text, w->by_id, t))
            continue;
        rc = lx_scan_one(lx, w, tokens, t, p);
        if (rc != WM_OK)
            return rc;
        memo = lx_memo_slots(w, &mask);
        memo_text = w->memo_text;
    }
    return WM_OK;
}

/*
** lx_plain_pass's walk over the tokens (wild: the lexicon has wildcards;
** by_id: the memo is by id, w->by_id; constants in each of its three
** calls, so that each loop tests one way):
** lists in w->cand the tokens that may lead to an entry, each with where
** its form's candidates are in memo_list when the memo knows them (+ 1, in
** the high half; 0: not known), and gives each its sentence's last
** position in w->limit. Returns how many, or UINT32_MAX at the first token
** that is no content token or is an alternative.
*/
static inline uint32_t lx_plain_walk(const lexicon *lx, lx_worker *w,
                                     const wm_token *tokens, uint32_t n,
                                     int wild, int by_id)
{
    uint32_t mask;
    const lx_memo *memo = lx_memo_slots(w, &mask);
    const char *memo_text = w->memo_text;
    uint64_t *cand = w->cand;
    uint32_t *limit = w->limit;
    uint32_t nc = 0, from = 0; /* from: first listed token of the sentence */
    const wm_token *end;

    if (n == 0)
        return 0; /* an empty answer's tokens may be NULL: no end to point at */
    end = tokens + n;
    /* By pointer, the index worked out only for a token listed. */
    for (const wm_token *t = tokens; t < end; t++) {
        uint64_t known = 0;

        /* One test for the usual token: a content bit and nothing else of
        ** these (LX_CONTENT is the low bits, so the kind - 1 is below it
        ** only then); the others are told apart below. */
        if ((t->flags & (LX_ALT | WM_TOK_SENT_START | LX_CONTENT)) - 1 >=
            LX_CONTENT) {
            uint32_t i = (uint32_t)(t - tokens);

            if ((t->flags & LX_ALT) || !(t->flags & LX_CONTENT))
                return UINT32_MAX;
            for (; from < nc; from++) /* the sentence before ends at i - 1 */
                limit[(uint32_t)cand[from]] = i - 1;
        }
        if (wild && by_id) {
            /* Quiet (lx_quiet) in one compare of the id, listed with its
            ** candidates in another. */
            const lx_memo *m = &memo[t->norm_id & mask];

            if (m->len == t->norm_id)
                continue;
            if (m->len == (t->norm_id | LX_MEMO_LEADS))
                known = (uint64_t)(m->first + 1) << 32;
        } else if (wild) {
            /* Quiet (lx_quiet) in one compare of the length and the key; a
            ** form remembered with candidates is listed with them. */
            const lx_memo *m = &memo[t->norm_id & mask];
            size_t len = t->norm_len + 1;

            if (m->len == len) {
                if (lx_memo_is(m, memo_text, t->norm, t->norm_len))
                    continue;
            } else if (m->len == (len | LX_MEMO_LEADS) &&
                       lx_memo_is(m, memo_text, t->norm, t->norm_len))
                known = (uint64_t)(m->first + 1) << 32;
        } else if (!lx_by_id(lx, t))
            continue;
        cand[nc++] = known | (uint32_t)(t - tokens);
    }
    for (; from < nc; from++) /* the last sentence */
        limit[(uint32_t)cand[from]] = n - 1;
    return nc;
}

/*
** The words pass of an answer whose tokens are all content tokens without
** alternatives (the usual answer: analysed with flags 0, the spelling
** stage off). Position p is then token p, so no list of positions is made
** (w->at is the identity) and nothing is written for the tokens that can
** start no entry, most of them: one walk (lx_plain_walk) tests each, as
** lx_words_pass does, and notes the sentence ends; the tokens it keeps
** are scanned after it, each with its sentence's end in limit (what
** lx_search reads, for the position it starts from only). *done is 0 when
** the answer has other tokens: the caller takes the general way then
** (nothing here is left that it needs).
*/
static int lx_plain_pass(const lexicon *lx, lx_worker *w,
                         const wm_token *tokens, uint32_t n, int *done)
{
    int wild = lx->prefixes.max_len || lx->suffixes.max_len;
    uint32_t nc, forgets;
    int rc;

    *done = 0;
    if (n > w->cap_cand || n > w->cap_limit || n > w->cap_ident) {
        size_t old = w->cap_ident;

        rc = pu_grow(&lx->host, (void **)&w->cand, &w->cap_cand, n,
                     sizeof *w->cand);
        if (rc == WM_OK)
            rc = pu_grow(&lx->host, (void **)&w->limit, &w->cap_limit, n,
                         sizeof *w->limit);
        if (rc == WM_OK)
            rc = pu_grow(&lx->host, (void **)&w->ident, &w->cap_ident, n,
                         sizeof *w->ident);
        for (size_t i = old; rc == WM_OK && i < w->cap_ident; i++)
            w->ident[i] = (uint32_t)i;
        if (rc != WM_OK)
            return rc;
    }
    if (!wild)
        nc = lx_plain_walk(lx, w, tokens, n, 0, 0);
    else if (w->by_id)
        nc = lx_plain_walk(lx, w, tokens, n, 1, 1);
    else
        nc = lx_plain_walk(lx, w, tokens, n, 1, 0);
    if (nc == UINT32_MAX)
        return WM_OK;
    *done = 1;
    w->at = w->ident;
    w->has_alts = 0;
    forgets = w->forgets;
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t p = (uint32_t)w->cand[c], known = (uint32_t)(w->cand[c] >> 32);

        /* The candidates the walk found stay where they are in memo_list
        ** (it only grows) unless the memo forgot everything since. */
        if (known && w->forgets == forgets)
            rc = lx_try_memo(lx, w, tokens, known - 1, p);
        else
            rc = lx_scan_one(lx, w, tokens, &tokens[p], p);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/*
** Finds and tries the entries whose first element matches one of the
** tokens of position p that the pass scans: the word token (words and
** variants passes), its variant when p is open (variants pass), its
** compound parts (parts pass). Where that is more than one token, p takes
** a new stamp first (lx_try_list), so an entry is tried there once
** however many of them lead to it; a single token leads to each entry
** once.
*/
static int lx_scan_token(const lexicon *lx, lx_worker *w,
                         const wm_token *tokens, uint32_t p)
{
    const wm_token *t = &tokens[w->at[p]];
    uint32_t kinds = 0, n = w->pass != LX_PASS_PARTS;
    int rc = WM_OK;

    if (w->pass == LX_PASS_VARIANTS && (w->mark[p] & LX_OPEN))
        kinds = WM_TOK_VARIANT;
    else if (w->pass == LX_PASS_PARTS)
        kinds = WM_TOK_PART;
    for (uint32_t k = 1; kinds && k <= w->alts[p]; k++)
        n += (t[k].flags & kinds) != 0;
    w->stamping = n > 1;
    if (w->stamping && ++w->stamp == 0) { /* wrapped: forget every stamp */
        memset(w->tried, 0, (lx->n_entries + 1) * sizeof *w->tried);
        w->stamp = 1;
    }
    if (w->pass != LX_PASS_PARTS)
        rc = lx_scan_one(lx, w, tokens, t, p);
    for (uint32_t k = 1; rc == WM_OK && kinds && k <= w->alts[p]; k++)
        if (t[k].flags & kinds)
            rc = lx_scan_one(lx, w, tokens, &t[k], p);
    return rc;
}

/*
** Marks LX_HELD the positions that a match covers (its first to its last),
** and returns 1 when some position with alternatives of the given kind is
** not held. With kind WM_TOK_VARIANT, such positions are marked LX_OPEN
** and their range goes to *lo, *hi.
*/
static int lx_hold(lx_worker *w, const wm_token *tokens, uint32_t n_pos,
                   uint32_t kind, uint32_t *lo, uint32_t *hi)
{
    int any = 0;

    for (size_t m = 0; m < w->n_matches; m++)
        for (uint32_t q = w->matches[m].first; q <= w->matches[m].last; q++)
            w->mark[q] |= LX_HELD;
    for (uint32_t q = 0; q < n_pos; q++) {
        const wm_token *t = &tokens[w->at[q]];
        int has = 0;

        if (!w->alts[q] || (w->mark[q] & LX_HELD))
            continue;
        for (uint32_t k = 1; !has && k <= w->alts[q]; k++)
            has = (t[k].flags & kind) != 0;
        if (!has)
            continue;
        if (kind == WM_TOK_VARIANT) {
            w->mark[q] |= LX_OPEN;
            if (!any)
                *lo = q;
            *hi = q;
        }
        any = 1;
    }
    return any;
}

/*
** Lists the content positions of an answer (words, numbers, symbols: what
** a phrase counts) and, for each, the last position of its sentence and
** how many spelling alternatives follow its token. An alternative is no
** position: it belongs to the content token just before it (directly, or
** after that token's other alternatives); one that follows no such token
** is ignored, as are those over LX_MAX_ALTS.
*/
static int lx_positions(const lexicon *lx, lx_worker *w, const wm_token *tokens,
                        size_t n_tokens, uint32_t *n_pos)
{
    uint32_t n = 0, from = 0; /* from: first position of the sentence */
    int rc, sent = 0, attach = 0;
    uint32_t *pos, *limit;
    uint8_t *alts, *mark;

    w->has_alts = 0;
    rc = pu_grow(&lx->host, (void **)&w->pos, &w->cap_pos, n_tokens,
                 sizeof *w->pos);
    if (rc == WM_OK)
        rc = pu_grow(&lx->host, (void **)&w->limit, &w->cap_limit, n_tokens,
                     sizeof *w->limit);
    if (rc == WM_OK)
        rc = pu_grow(&lx->host, (void **)&w->alts, &w->cap_alts, n_tokens,
                     sizeof *w->alts);
    if (rc == WM_OK)
        rc = pu_grow(&lx->host, (void **)&w->mark, &w->cap_mark, n_tokens,
                     sizeof *w->mark);
    if (rc != WM_OK)
        return rc;
    /* The arrays in locals, the flags read once: a store through one of
    ** them (alts and mark are bytes) could otherwise alias the worker and
    ** the tokens, and each would be loaded again per token. */
    pos = w->pos;
    w->at = pos;
    limit = w->limit;
    alts = w->alts;
    mark = w->mark;
    for (size_t i = 0; i < n_tokens; i++) {
        uint32_t flags = tokens[i].flags;

        if (flags & LX_ALT) {
            if (attach && alts[n - 1] < LX_MAX_ALTS) {
                alts[n - 1]++;
                w->has_alts = 1;
            }
            continue;
        }
        if (!(flags & LX_CONTENT)) {
            /* A sentence start on a skipped token carries over to the
            ** next content token. (Only with WM_ANALYZE_ALL: the usual
            ** token is content, and takes the path below alone.) */
            attach = 0;
            sent |= (flags & WM_TOK_SENT_START) != 0;
            continue;
        }
        if (((flags & WM_TOK_SENT_START) || sent) && n > 0) {
            /* the sentence before ends at n - 1 */
            for (uint32_t q = from; q < n; q++)
                limit[q] = n - 1;
            from = n;
        }
        pos[n] = (uint32_t)i;
        alts[n] = 0;
        mark[n] = 0;
        sent = 0;
        n++;
        attach = 1;
    }
    for (uint32_t q = from; q < n; q++) /* the last sentence */
        limit[q] = n - 1;
    *n_pos = n;
    return WM_OK;
}

/*
** Classifies one answer: collects matches of every entry (exclusions
** included), discards the matches that overlap an exclusion match of their
** area, then sums the weights of the distinct entries kept per area into
** S / (S + T) and reports every kept match as evidence. Scratch is the
** worker's; the instance is only read.
*/
static int lx_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const lexicon *lx = state;
    lx_worker *w = worker;
    const wm_analysis *an;
    const wm_token *tokens;
    uint32_t n_pos = 0;
    uint64_t touched = 0;
    int rc, plain = 0;

    if (!out)
        return WM_EINVAL;
    if (!lx || !w || !in || !in->analysis || !out->scores ||
        !out->add_evidence || out->n_areas < lx->n_areas) {
        pu_message(out->err, out->err_size,
                   "lexicon: invalid arguments to classify()");
        return WM_EINVAL;
    }
    an = in->analysis;
    tokens = an->tokens;
    if (an->n_tokens >= UINT32_MAX) {
        pu_message(out->err, out->err_size, "lexicon: too many tokens");
        return WM_ETOOBIG;
    }

    /* The memo by id while the host's ids keep their strings (ABI 1.3:
    ** until id_epoch changes), else by the forms' bytes; remembered forms
    ** are forgotten when either changes. */
    if (WM_HAS_FIELD(in, wm_plugin_input, id_epoch)) {
        if (!w->by_id || w->epoch != in->id_epoch) {
            w->by_id = 1;
            w->epoch = in->id_epoch;
            lx_memo_forget(w);
        }
    } else if (w->by_id) {
        w->by_id = 0;
        lx_memo_forget(w);
    }

    if (++w->gen == 0) { /* wrapped: forget every mark once */
        memset(w->seen, 0, (lx->n_entries + 1) * sizeof *w->seen);
        w->gen = 1;
    }
    w->n_matches = 0;
    w->excluding = 0;

    /* The words pass scans one token per position (lx_scan_token without
    ** its alternatives and stamps); no position is open in it, so its
    ** searches are plain (they need not read the marks). The usual answer
    ** takes lx_plain_pass, the others lx_positions and lx_words_pass. */
    w->pass = LX_PASS_WORDS;
    w->stamping = 0;
    w->plain = 1;
    n_pos = (uint32_t)an->n_tokens;
    rc = lx_plain_pass(lx, w, tokens, n_pos, &plain);
    if (rc == WM_OK && !plain) {
        rc = lx_positions(lx, w, tokens, an->n_tokens, &n_pos);
        if (rc == WM_OK)
            rc = lx_words_pass(lx, w, tokens, n_pos);
    }
    w->plain = 0;
    if (rc == WM_OK && w->has_alts) {
        /* The spelling stage's tokens stand in for a word that matched
        ** nothing as written: its variant first (in phrases too, so from
        ** every position whose window can reach an open one), then its
        ** parts, which count only for single-word entries. */
        uint32_t lo = 0, hi = 0;

        w->pass = LX_PASS_VARIANTS;
        if (lx_hold(w, tokens, n_pos, WM_TOK_VARIANT, &lo, &hi)) {
            uint32_t from = lo > LX_WINDOW ? lo - LX_WINDOW : 0;

            for (uint32_t p = from; rc == WM_OK && p <= hi; p++)
                rc = lx_scan_token(lx, w, tokens, p);
        }
        w->pass = LX_PASS_PARTS;
        if (rc == WM_OK && lx_hold(w, tokens, n_pos, WM_TOK_PART, &lo, &hi))
            for (uint32_t p = 0; rc == WM_OK && p < n_pos; p++)
                if (w->alts[p] && !(w->mark[p] & LX_HELD))
                    rc = lx_scan_token(lx, w, tokens, p);
    }
    if (rc == WM_OK && w->excluding && n_pos > w->cap_excl)
        rc = pu_grow(&lx->host, (void **)&w->excl, &w->cap_excl, n_pos,
                     sizeof *w->excl);
    if (rc != WM_OK) {
        pu_message(out->err, out->err_size, "lexicon: out of memory");
        return rc;
    }

    if (w->excluding) {
        /* Mark the positions each exclusion covers with its area's bit,
        ** drop the positive matches that touch a mark of their own area
        ** (the exclusions' own go too: they add nothing), then clear the
        ** marks, from the first marked position to the last (they must be
        ** zero for the next answer). */
        size_t kept = 0;
        uint32_t lo = UINT32_MAX, hi = 0;

        for (size_t m = 0; m < w->n_matches; m++) {
            const lx_match *mt = &w->matches[m];
            const lx_entry *en = &lx->entries[mt->entry];

            if (!en->exclude)
                continue;
            for (uint32_t q = mt->first; q <= mt->last; q++)
                w->excl[q] |= (uint64_t)1 << en->area;
            lo = mt->first < lo ? mt->first : lo;
            hi = mt->last > hi ? mt->last : hi;
        }
        for (size_t m = 0; m < w->n_matches; m++) {
            const lx_match *mt = &w->matches[m];
            const lx_entry *en = &lx->entries[mt->entry];
            uint64_t bit = (uint64_t)1 << en->area;
            int hit = 0;

            for (uint32_t q = mt->first; !hit && q <= mt->last; q++)
                hit = (w->excl[q] & bit) != 0;
            if (!hit)
                w->matches[kept++] = *mt;
        }
        for (uint32_t q = lo; q <= hi; q++)
            w->excl[q] = 0;
        w->n_matches = kept;
    }

    for (size_t m = 0; m < w->n_matches; m++) {
        const lx_match *mt = &w->matches[m];
        const lx_entry *en = &lx->entries[mt->entry];

        if (en->exclude)
            continue;
        if (w->seen[mt->entry] != w->gen) {
            uint64_t bit = (uint64_t)1 << en->area;

            /* An area's sum starts at its first entry: no clearing of
            ** all the areas per answer. */
            w->seen[mt->entry] = w->gen;
            w->sum[en->area] = (touched & bit ? w->sum[en->area] : 0) +
                               en->weight;
            touched |= bit;
        }
        rc = out->add_evidence(out, en->area, tokens[w->at[mt->first]].start,
                               tokens[w->at[mt->last]].end, en->weight,
                               lx->pool + en->rule);
        if (rc != WM_OK) {
            pu_message(out->err, out->err_size,
                       "lexicon: cannot record evidence (error %d)", rc);
            return rc;
        }
    }
    for (uint64_t rest = touched; rest != 0; rest &= rest - 1) {
        int a = __builtin_ctzll(rest); /* the areas touched, not all nine */

        out->scores[a] = w->sum[a] / (w->sum[a] + lx->threshold[a]);
    }
    return WM_OK;
}

/* ------------------------------------------------------------------------
** The descriptor and the entry point
** --------------------------------------------------------------------- */

static const wm_plugin lx_descriptor = {
    WM_PLUGIN_ABI_MAJOR,
    WM_PLUGIN_ABI_MINOR,
    sizeof(wm_plugin),
    "lexicon",
    "1.0.0",
    "Codes answers into areas by editable word lists (<lang>/areas.txt): "
    "words, exact forms, wildcards, phrases with gaps, weights, exclusions",
    lx_create,
    lx_destroy,
    lx_worker_new,
    lx_worker_free,
    lx_classify,
};

#ifdef WM_PLUGIN_STATIC
/* The built-in copy: the library finds it by this name (hidden symbol). */
const wm_plugin *wm_builtin_lexicon(void);

/* Returns the descriptor of the plugin linked into the library. */
const wm_plugin *wm_builtin_lexicon(void)
{
    return &lx_descriptor;
}
#else
/* Returns the descriptor: the one symbol the module exports. */
WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &lx_descriptor;
}
#endif
