/*
** langid.c — which of sv, nb, nn, da and en an answer is written in.
**
** Naive Bayes over two kinds of evidence, both cheap to take from a stream
** of code points: the character n-grams of each word framed by boundaries
** ("_eg_" gives e, g, _e, eg, g_, _eg, eg_, _eg_), which carry spelling
** (æ/ä, -kje, hv-/kv-, -lig/-leg), and the whole words, which carry the
** frequent function words that tell the Scandinavian standards apart
** (ikke/ikkje/inte, jeg/eg/jag, hva/kva/hvad/vad). Short answers are the
** rule, so both count: a two-word answer has some twenty n-grams but only
** two words, and those two words are often the only decisive clue.
**
** Why our own model: of Debian 12's libraries, libexttextcat has profiles
** for all five languages but puts most Bokmål answers under Danish or
** Nynorsk, and CLD2 (libcld2-dev, C++, unmaintained since 2015) cannot
** tell Nynorsk from Bokmål with its default tables and gives up on many
** short answers; both allocate per call. The measurements are in
** docs/langid.md.
**
** The profiles (lexicons/langid/LANG.txt, made by tools/gen_langid.py)
** hold weighted counts; wm_langid_new() turns them into smoothed
** log-probabilities, weights them by kind, subtracts each feature's best
** value (only differences between languages decide) and stores them as
** 16-bit integers in one open-addressing table keyed by a 64-bit hash of
** the feature. A detection hashes each feature of the text, looks it up and
** adds; the rules that make features here are those of gen_langid.py.
**
** The library does not link libm, so the one logarithm (at load) and the
** one exponential (for the confidence) are computed here.
*/
#include "langid.h"
#include "utf8.h"
#include "wm_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* --- The model's constants (tuned by 5-fold cross-validation on the dev
** splits of the gold corpora; see docs/langid.md) --- */

/* Additive smoothing of every count. */
#define LANGID_ALPHA 0.5

/* Fixed-point scale of the stored log-probabilities: units per nat. */
#define LANGID_SCALE 256.0

/* Temperature of the confidence, in nats: the scores, divided by it and
** turned into probabilities, match how often the guess is right. */
#define LANGID_TEMPERATURE 12.0

/* Feature kinds: n-grams of order 1..4, and words. */
#define KIND_WORD 0
#define N_KINDS (WM_LANGID_MAX_ORDER + 1)

/* The weight of each kind's log-probability: single letters say little,
** words say most about short answers. Indexed by order, KIND_WORD first. */
static const double kind_weight[N_KINDS] = {2.5, 0.5, 1.0, 1.0, 1.0};

/* Log-prior of each language, in nats, in wm_lang_list() order (sv, nb,
** nn, da, en). Nynorsk is the written standard of a minority of
** Norwegians, so an answer that could be either is taken for Bokmål. */
static const double lang_prior[WM_NLANGS] = {0.0, 0.0, -1.0, 0.0, 0.0};

/* The word boundary, as it is written in the profiles. */
#define BOUNDARY 0x5F /* '_' */

/* Seeds that keep n-grams and words apart in the hash (above U+10FFFF,
** so no code point can play their part). */
#define SEED_NGRAM 0x110001u
#define SEED_WORD  0x110002u

/* One feature of the table. */
typedef struct langid_slot {
    uint32_t key;                /* the hash's high half, never 0; 0: empty */
    int16_t score[WM_NLANGS];    /* weighted log-probability minus the
                                    feature's best, times LANGID_SCALE */
    int16_t pad;                 /* zero */
} langid_slot;

/* A letter with a combining mark, and the precomposed letter they make. */
typedef struct langid_compose {
    int32_t base;                /* the letter */
    int32_t mark;                /* the combining mark after it */
    int32_t composed;            /* the one code point NFC makes of them */
} langid_compose;

/* Precomposed letters of U+00C0..U+024F (Latin-1 and Latin Extended A
** and B) cover the languages detected; marks after other letters are
** ignored, as NFC would keep them apart anyway. */
#define COMPOSE_FIRST 0xC0
#define COMPOSE_LAST  0x24F

struct wm_langid {
    langid_slot *slots;          /* open addressing, linear probing */
    size_t mask;                 /* number of slots - 1 (a power of two) */
    size_t n_features;           /* distinct features */
    int32_t prior[WM_NLANGS];    /* lang_prior, in score units */
    langid_compose compose[COMPOSE_LAST - COMPOSE_FIRST + 1]; /* NFD pairs */
    size_t n_compose;            /* entries used */
};

/* --- Arithmetic without libm -------------------------------------------- */

/* Natural logarithm of x > 0: x = m * 2^e with m in [1, 2), and
** ln m = 2 atanh((m - 1) / (m + 1)), whose series converges fast there. */
static double ln(double x)
{
    uint64_t bits;
    int e;
    double m, z, z2, term, sum = 0.0;

    memcpy(&bits, &x, sizeof bits);
    e = (int)((bits >> 52) & 0x7FF) - 1023;
    bits = (bits & UINT64_C(0x000FFFFFFFFFFFFF)) | (UINT64_C(1023) << 52);
    memcpy(&m, &bits, sizeof m);
    z = (m - 1.0) / (m + 1.0); /* 0 <= z < 1/3 */
    z2 = z * z;
    term = z;
    for (int k = 1; k < 26; k += 2) { /* error below (1/9)^13 / 27 */
        sum += term / k;
        term *= z2;
    }
    return 2.0 * sum + e * 0.69314718055994530942;
}

/* e^x for x <= 0 (0 below -700): x = n ln 2 + r with r in (-ln 2, 0], so
** e^x = e^r / 2^n, e^r by its Taylor series. */
static double exp_neg(double x)
{
    const double ln2 = 0.69314718055994530942;
    double r, term = 1.0, sum = 1.0;
    int n;

    if (x < -700.0)
        return 0.0;
    n = (int)(-x / ln2);
    r = x + n * ln2;
    for (int k = 1; k < 20; k++) {
        term *= r / k;
        sum += term;
    }
    while (n-- > 0)
        sum *= 0.5;
    return sum;
}

/* --- Hashing ------------------------------------------------------------- */

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME  UINT64_C(0x00000100000001b3)

/* One more code point (or seed) into an FNV-1a hash, a unit at a time. */
static inline uint64_t hash_step(uint64_t h, uint32_t unit)
{
    return (h ^ unit) * FNV_PRIME;
}

/* Spreads the bits (MurmurHash3's finaliser), so that the low bits index
** the table and the high bits are the key. */
static inline uint64_t hash_finish(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* The hash of a feature: its seed, then its code points. */
static uint64_t hash_feature(uint32_t seed, const int32_t *cps, size_t n)
{
    uint64_t h = hash_step(FNV_OFFSET, seed);

    for (size_t i = 0; i < n; i++)
        h = hash_step(h, (uint32_t)cps[i]);
    return hash_finish(h);
}

/* The table's key of a finished hash (never 0, which marks an empty slot). */
static inline uint32_t slot_key(uint64_t h)
{
    uint32_t key = (uint32_t)(h >> 32);
    return key ? key : 1u;
}

/* --- Building the model -------------------------------------------------- */

/* What a feature is counted as while the profiles are read. */
typedef struct langid_count {
    uint32_t count[WM_NLANGS];   /* weighted count per language */
    int kind;                    /* KIND_WORD or the n-gram's order */
} langid_count;

/* The state of loading: the table being filled and the counts beside it. */
typedef struct langid_load {
    wm_langid *m;                /* the model */
    langid_count *counts;        /* parallel to m->slots */
    uint64_t total[WM_NLANGS][N_KINDS]; /* sum of counts per language, kind */
    uint64_t distinct[N_KINDS];  /* distinct features per kind */
} langid_load;

/* Finds the slot of a hash, or the empty slot where it would go. */
static size_t find_slot(const wm_langid *m, uint64_t h)
{
    uint32_t key = slot_key(h);
    size_t i = (size_t)h & m->mask;

    while (m->slots[i].key != 0 && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    return i;
}

/* Counts the feature lines of a profile (an upper bound: comments that
** hold a tab are counted too), to size the table. */
static size_t count_lines(const unsigned char *text, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += text[i] == '\t';
    return n / 2 + 1;
}

/*
** Parses one profile line "KIND<TAB>FEATURE<TAB>COUNT" into the table. The
** format is simple on purpose (the file is generated), but a hand-edited
** copy must still fail with its line number rather than load nonsense.
*/
static int load_line(langid_load *ld, int lang, const unsigned char *line,
                     size_t len, const char *name, size_t lineno, char *errmsg)
{
    int32_t cps[WM_LANGID_WORD_MAX];
    size_t n_cps = 0, pos = 2, end;
    uint64_t count = 0, h;
    int kind;
    size_t i;

    if (len < 5 || (line[0] != 'c' && line[0] != 'w') || line[1] != '\t')
        return wm__error(errmsg, WM_EPARSE, "%s:%zu: expected 'c' or 'w', a tab, "
                         "the feature, a tab and its count", name, lineno);
    for (end = pos; end < len && line[end] != '\t'; end++)
        ;
    if (end == len || end == pos)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu: no feature, or no count after it",
                         name, lineno);
    while (pos < end) {
        int32_t cp;
        size_t n = wm_utf8_decode(line, end, pos, &cp);
        if (cp < 0 || n_cps == WM_LANGID_WORD_MAX)
            return wm__error(errmsg, WM_EPARSE, "%s:%zu: %s", name, lineno,
                             cp < 0 ? "invalid UTF-8" : "feature too long");
        cps[n_cps++] = cp;
        pos += n;
    }
    for (pos = end + 1; pos < len && line[pos] >= '0' && line[pos] <= '9'; pos++) {
        count = count * 10 + (uint64_t)(line[pos] - '0');
        if (count > UINT32_MAX)
            return wm__error(errmsg, WM_EPARSE, "%s:%zu: count too large", name, lineno);
    }
    if (pos != len || pos == end + 1 || count == 0)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu: the count must be a whole "
                         "number above 0", name, lineno);
    if (line[0] == 'w') {
        kind = KIND_WORD;
        h = hash_feature(SEED_WORD, cps, n_cps);
    } else {
        if (n_cps > WM_LANGID_MAX_ORDER || (n_cps == 1 && cps[0] == BOUNDARY))
            return wm__error(errmsg, WM_EPARSE, "%s:%zu: an n-gram has 1 to %d code "
                             "points", name, lineno, WM_LANGID_MAX_ORDER);
        kind = (int)n_cps;
        h = hash_feature(SEED_NGRAM, cps, n_cps);
    }
    i = find_slot(ld->m, h);
    if (ld->m->slots[i].key == 0) {
        ld->m->slots[i].key = slot_key(h);
        ld->counts[i].kind = kind;
        ld->distinct[kind]++;
        ld->m->n_features++;
    }
    ld->counts[i].count[lang] += (uint32_t)count;
    ld->total[lang][kind] += count;
    return WM_OK;
}

/* Reads one language's built-in profile into the table. */
static int load_profile(langid_load *ld, int lang, const wm_builtin_file *f,
                        const char *name, char *errmsg)
{
    size_t pos = 0, lineno = 0;

    while (pos < f->len) {
        const unsigned char *line = f->data + pos;
        size_t len = 0;
        int rc;

        while (pos + len < f->len && line[len] != '\n')
            len++;
        pos += len + 1;
        lineno++;
        if (len && line[len - 1] == '\r')
            len--;
        if (len == 0 || line[0] == '#')
            continue;
        rc = load_line(ld, lang, line, len, name, lineno, errmsg);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/* Turns the counts into the stored scores: smoothed log-probabilities,
** weighted by kind, minus the feature's best, in fixed point. */
static void finish_scores(langid_load *ld)
{
    wm_langid *m = ld->m;
    double log_denom[WM_NLANGS][N_KINDS];
    double log_alpha = ln(LANGID_ALPHA); /* of a count of 0, the most common */

    for (int l = 0; l < WM_NLANGS; l++)
        for (int k = 0; k < N_KINDS; k++) {
            /* P(f | l) = (count + alpha) / (total + alpha * distinct) */
            double d = (double)ld->total[l][k] + LANGID_ALPHA * (double)ld->distinct[k];
            log_denom[l][k] = d > 0.0 ? ln(d) : 0.0; /* 0: no feature of the kind */
        }
    for (size_t i = 0; i <= m->mask; i++) {
        const langid_count *c = &ld->counts[i];
        double lp[WM_NLANGS], best;

        if (m->slots[i].key == 0)
            continue;
        for (int l = 0; l < WM_NLANGS; l++)
            lp[l] = kind_weight[c->kind] *
                    ((c->count[l] ? ln((double)c->count[l] + LANGID_ALPHA) : log_alpha) -
                     log_denom[l][c->kind]);
        best = lp[0];
        for (int l = 1; l < WM_NLANGS; l++)
            if (lp[l] > best)
                best = lp[l];
        for (int l = 0; l < WM_NLANGS; l++) {
            double q = (lp[l] - best) * LANGID_SCALE - 0.5; /* round, <= 0 */
            m->slots[i].score[l] = q < INT16_MIN ? INT16_MIN : (int16_t)q;
        }
    }
}

/* Fills the table of letters followed by a combining mark, from utf8proc's
** canonical decompositions, so that NFD input scores as NFC does. */
static void build_compose(wm_langid *m)
{
    for (int32_t cp = COMPOSE_FIRST; cp <= COMPOSE_LAST; cp++) {
        utf8proc_int32_t d[4];
        int boundclass = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE,
                                                     &boundclass);
        if (n == 2) {
            m->compose[m->n_compose].base = d[0];
            m->compose[m->n_compose].mark = d[1];
            m->compose[m->n_compose].composed = cp;
            m->n_compose++;
        }
    }
}

int wm_langid_new(const wm_allocator *al, wm_langid **out, char *errmsg)
{
    const wm_builtin_file *files[WM_NLANGS];
    char names[WM_NLANGS][32];
    langid_load ld;
    size_t lines = 0, cap = 1024;
    wm_langid *m;
    int rc = WM_OK;

    *out = NULL;
    for (int l = 0; l < WM_NLANGS; l++) {
        snprintf(names[l], sizeof names[l], "langid/%s.txt", wm__lang_code(l));
        files[l] = wm__builtin_file(names[l]);
        if (!files[l])
            return wm__error(errmsg, WM_EPARSE, "no built-in %s", names[l]);
        lines += count_lines(files[l]->data, files[l]->len);
    }
    /* More slots than lines, so the table never fills. The languages share
    ** most features, so the distinct ones are about half the lines and the
    ** load about a half. */
    while (cap <= lines)
        cap *= 2;
    m = wm__calloc(al, 1, sizeof *m);
    if (!m)
        return wm__error(errmsg, WM_ENOMEM, "out of memory");
    memset(&ld, 0, sizeof ld);
    ld.m = m;
    m->mask = cap - 1;
    m->slots = wm__calloc(al, cap, sizeof *m->slots);
    ld.counts = wm__calloc(al, cap, sizeof *ld.counts);
    if (!m->slots || !ld.counts)
        rc = wm__error(errmsg, WM_ENOMEM, "out of memory");
    for (int l = 0; l < WM_NLANGS && rc == WM_OK; l++)
        rc = load_profile(&ld, l, files[l], names[l], errmsg);
    if (rc == WM_OK)
        finish_scores(&ld);
    wm__free(al, ld.counts);
    if (rc != WM_OK) {
        wm_langid_free(m, al);
        return rc;
    }
    for (int l = 0; l < WM_NLANGS; l++)
        m->prior[l] = (int32_t)(lang_prior[l] * LANGID_SCALE);
    build_compose(m);
    *out = m;
    return WM_OK;
}

void wm_langid_free(wm_langid *model, const wm_allocator *al)
{
    if (!model)
        return;
    wm__free(al, model->slots);
    wm__free(al, model);
}

/* --- Detection ----------------------------------------------------------- */

/* What a code point is to the word splitter. */
enum { CP_OTHER, CP_LETTER, CP_MARK, CP_APOSTROPHE };

/* ASCII classes: 0 other, 1 lower-case letter, 2 upper-case letter,
** 3 apostrophe. */
static const unsigned char ascii_class[128] = {
    ['\''] = 3,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2,
    ['H'] = 2, ['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2,
    ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['U'] = 2,
    ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2,
};

/* Reads the code point at text[pos] (pos < len): its class, its value
** (a letter lower-cased; -1 for invalid UTF-8) and its byte length. */
static size_t next_cp(const unsigned char *text, size_t len, size_t pos,
                      int32_t *cp, int *cls)
{
    unsigned char b = text[pos];
    size_t n;

    if (b < 0x80) {
        switch (ascii_class[b]) {
        case 1: *cp = b; *cls = CP_LETTER; break;
        case 2: *cp = b + ('a' - 'A'); *cls = CP_LETTER; break;
        case 3: *cp = b; *cls = CP_APOSTROPHE; break;
        default: *cp = b; *cls = CP_OTHER; break;
        }
        return 1;
    }
    n = wm_utf8_decode(text, len, pos, cp);
    if (*cp < 0) {
        *cls = CP_OTHER;
        return n;
    }
    if (*cp == 0x2019) {
        *cls = CP_APOSTROPHE;
        *cp = '\'';
        return n;
    }
    switch (utf8proc_category(*cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        *cls = CP_LETTER;
        *cp = utf8proc_tolower(*cp);
        break;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        *cls = CP_MARK;
        break;
    default:
        *cls = CP_OTHER;
        break;
    }
    return n;
}

/* The precomposed form of a letter and a mark, or -1. */
static int32_t compose(const wm_langid *m, int32_t base, int32_t mark)
{
    for (size_t i = 0; i < m->n_compose; i++)
        if (m->compose[i].mark == mark && m->compose[i].base == base)
            return m->compose[i].composed;
    return -1;
}

/* The running sums of one detection. */
typedef struct langid_acc {
    int64_t score[WM_NLANGS];    /* summed scores */
    size_t hits;                 /* features found in the table */
    size_t letters;              /* letters seen */
    int32_t ctx[WM_LANGID_MAX_ORDER]; /* the last code points of "_word_" */
    int n_ctx;                   /* how many of them are valid */
    uint64_t word_hash;          /* the current word's hash so far */
    size_t word_len;             /* its code points */
} langid_acc;

/* Adds a feature's scores when the table has it. */
static inline void score_feature(const wm_langid *m, langid_acc *acc, uint64_t h)
{
    uint32_t key = slot_key(h);
    size_t i = (size_t)h & m->mask;

    for (;;) {
        const langid_slot *s = &m->slots[i];
        if (s->key == key) {
            for (int l = 0; l < WM_NLANGS; l++)
                acc->score[l] += s->score[l];
            acc->hits++;
            return;
        }
        if (s->key == 0)
            return;
        i = (i + 1) & m->mask;
    }
}

/* Appends a code point of "_word_" and scores the n-grams that end with it
** (not the boundary alone). */
static void push_cp(const wm_langid *m, langid_acc *acc, int32_t cp)
{
    int n_ctx;

    memmove(acc->ctx, acc->ctx + 1, (WM_LANGID_MAX_ORDER - 1) * sizeof acc->ctx[0]);
    acc->ctx[WM_LANGID_MAX_ORDER - 1] = cp;
    if (acc->n_ctx < WM_LANGID_MAX_ORDER)
        acc->n_ctx++;
    n_ctx = acc->n_ctx;
    for (int order = cp == BOUNDARY ? 2 : 1; order <= n_ctx; order++)
        score_feature(m, acc, hash_feature(SEED_NGRAM,
                                           acc->ctx + WM_LANGID_MAX_ORDER - order,
                                           (size_t)order));
}

/* Starts a word: the boundary before its first letter. */
static void word_begin(langid_acc *acc)
{
    acc->n_ctx = 0;
    acc->ctx[WM_LANGID_MAX_ORDER - 1] = BOUNDARY;
    acc->n_ctx = 1;
    acc->word_hash = hash_step(FNV_OFFSET, SEED_WORD);
    acc->word_len = 0;
}

/* A letter (or an inner apostrophe) of the current word. */
static void word_add(const wm_langid *m, langid_acc *acc, int32_t cp)
{
    push_cp(m, acc, cp);
    acc->word_hash = hash_step(acc->word_hash, (uint32_t)cp);
    acc->word_len++;
}

/* Ends a word: the boundary after it, and the word itself. */
static void word_end(const wm_langid *m, langid_acc *acc)
{
    push_cp(m, acc, BOUNDARY);
    if (acc->word_len <= WM_LANGID_WORD_MAX)
        score_feature(m, acc, hash_finish(acc->word_hash));
}

int wm_langid_detect(const wm_langid *m, const char *text, size_t text_len,
                     int *lang, double *confidence)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t len = text_len < WM_LANGID_MAX_BYTES ? text_len : WM_LANGID_MAX_BYTES;
    size_t pos = 0;
    int in_word = 0, best = 0, second = -1;
    langid_acc acc;
    double sum = 1.0, p_second = 0.0;

    *lang = -1;
    *confidence = 0.0;
    memset(&acc, 0, sizeof acc);
    while (pos < len) {
        int32_t cp;
        int cls;

        pos += next_cp(t, len, pos, &cp, &cls);
        if (cls == CP_LETTER) {
            /* Marks after a letter: composed with it where NFC would. */
            while (pos < len) {
                int32_t mark, c;
                int mcls;
                size_t n = next_cp(t, len, pos, &mark, &mcls);
                if (mcls != CP_MARK)
                    break;
                c = compose(m, cp, mark);
                if (c >= 0)
                    cp = utf8proc_tolower(c);
                pos += n;
            }
            if (!in_word) {
                word_begin(&acc);
                in_word = 1;
            }
            word_add(m, &acc, cp);
            acc.letters++;
        } else if (cls == CP_MARK) {
            continue; /* a mark no letter holds: ignored */
        } else if (in_word) {
            int32_t next = 0;
            int ncls = CP_OTHER;
            if (cls == CP_APOSTROPHE && pos < len)
                next_cp(t, len, pos, &next, &ncls);
            if (ncls == CP_LETTER) {
                word_add(m, &acc, '\'');
            } else {
                word_end(m, &acc);
                in_word = 0;
            }
        }
    }
    if (in_word)
        word_end(m, &acc);
    if (acc.letters < WM_LANGID_MIN_LETTERS || acc.hits == 0)
        return WM_ENOTFOUND;

    for (int l = 0; l < WM_NLANGS; l++)
        acc.score[l] += m->prior[l];
    for (int l = 1; l < WM_NLANGS; l++)
        if (acc.score[l] > acc.score[best])
            best = l;
    for (int l = 0; l < WM_NLANGS; l++) {
        double p;
        if (l == best)
            continue;
        p = exp_neg((double)(acc.score[l] - acc.score[best]) /
                    (LANGID_SCALE * LANGID_TEMPERATURE));
        sum += p;
        if (second < 0 || acc.score[l] > acc.score[second]) {
            second = l;
            p_second = p;
        }
    }
    *lang = best;
    *confidence = (1.0 - p_second) / sum;
    return WM_OK;
}

/*
** The engine's model, built on first use: an engine that is only given
** languages never pays for it (~60 M instructions, some 10 ms). Threads
** may detect at once from the start, so the first callers may each build
** one; a compare-and-swap keeps the first installed and the others free
** theirs: no lock, and every later call is one atomic load. The model is
** the engine's cache, not its setup, hence the cast of the const engine
** (made by wm_engine_new on the heap, never a const object).
*/
static int engine_langid(const wm_engine *engine, const wm_langid **out)
{
    wm_engine *e = (wm_engine *)engine;
    wm_langid *model = atomic_load_explicit(&e->langid, memory_order_acquire);
    wm_langid *expected = NULL;
    char errmsg[WM_ERRMSG_SIZE];
    int rc;

    if (model) {
        *out = model;
        return WM_OK;
    }
    rc = wm_langid_new(&e->alloc, &model, errmsg);
    if (rc != WM_OK)
        return rc;
    if (!atomic_compare_exchange_strong_explicit(&e->langid, &expected, model,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire)) {
        wm_langid_free(model, &e->alloc);
        model = expected;
    }
    *out = model;
    return WM_OK;
}

WM_API int wm_engine_detect_lang(const wm_engine *engine, const char *text,
                                 size_t text_len, const char **lang,
                                 double *confidence)
{
    const wm_langid *model = NULL;
    double conf = 0.0;
    int index = -1, rc;

    if (lang)
        *lang = NULL;
    if (confidence)
        *confidence = 0.0;
    if (!engine || !lang || (!text && text_len))
        return WM_EINVAL;
    if (!text)
        return WM_ENOTFOUND;
    rc = engine_langid(engine, &model);
    if (rc != WM_OK)
        return rc;
    rc = wm_langid_detect(model, text, text_len, &index, &conf);
    if (rc != WM_OK)
        return rc;
    *lang = wm__lang_code(index);
    if (confidence)
        *confidence = conf;
    return WM_OK;
}
