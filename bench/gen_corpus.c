/*
** gen_corpus.c — a deterministic synthetic corpus of free-text answers.
**
** Writes one answer per line, built from a Snowball vocabulary (voc.txt,
** one word a line) so that every language's stemmer meets its own words:
**
**   - word frequencies are Zipfian (rank r drawn with weight 1/r^s, s = 1.0
**     by default) over the vocabulary after a seeded shuffle, so that the
**     frequent words are not the alphabetically first ones;
**   - answer lengths have a median of about 8 words and a long tail up to
**     a few hundred (a mixture of three negative binomials, capped at
**     MAX_ANSWER_WORDS);
**   - answers are sentences with commas, full stops, the odd ? and !, most
**     sentence starts capitalised, now and then a number ("12", "2019",
**     "3,5", "40%") and an emoji ("😊", "❤️", a ZWJ family, a flag).
**
** Deterministic: the same seed, vocabulary and options give the same bytes.
** All randomness comes from xoshiro256** seeded by splitmix64; the decisions
** use only integer arithmetic and IEEE-exact double comparisons (libm's
** pow() is used only for a Zipf exponent other than 1.0).
**
** Usage: gen_corpus --vocab PATH [--lang sv] [--size 20M] [--seed 42]
**                   [--zipf 1.0] [-o FILE] [--quiet]
*/
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANSWER_WORDS 400    /* cap of the long tail */
#define LINE_CAP (1u << 16)     /* bytes one answer may take, with room */
#define OUT_BUF_CAP (1u << 20)  /* output buffer */

/* ------------------------------------------------------------------------
** PRNG: splitmix64 to seed xoshiro256** (Blackman & Vigna). Our own few
** lines rather than rand(), whose sequence differs between C libraries.
** --------------------------------------------------------------------- */

typedef struct rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} rng;

/* One step of splitmix64; used only to spread the seed over the state. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

/* The next 64 random bits. */
static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* A double uniform in [0, 1), from the top 53 bits (exact). */
static double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* An integer uniform in [0, n), n > 0, without modulo bias (rejection). */
static uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

/* True with probability p. */
static int rng_chance(rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Failures before the first success of a trial that succeeds with
** probability 1/(1+mean): a geometric variable with the given mean. Done by
** trials so that no libm function decides a length. */
static unsigned rng_geometric(rng *r, double mean)
{
    double p = 1.0 / (1.0 + mean);
    unsigned n = 0;
    while (!rng_chance(r, p) && n < 100000)
        n++;
    return n;
}

/* ------------------------------------------------------------------------
** Vocabulary
** --------------------------------------------------------------------- */

typedef struct word {
    const char *text; /* into vocab.data, not NUL-terminated */
    size_t len;       /* bytes */
} word;

typedef struct vocab {
    char *data;   /* the file's bytes */
    word *words;  /* usable words, after the shuffle in Zipf rank order */
    size_t count; /* entries in words */
    double *cdf;  /* cdf[i]: the weights of ranks 1..i+1 summed */
} vocab;

/* A byte that may begin or end a word we keep: an ASCII letter or part of
** a multi-byte (in these vocabularies: Latin letter) sequence. */
static int is_word_edge(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Reads a whole file into a NUL-terminated buffer; returns NULL and says
** why on stderr on failure. */
static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gen_corpus: cannot open %s: %s\n", path,
                strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "gen_corpus: out of memory reading %s\n", path);
            fclose(f);
            return NULL;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap)
            break;
        cap *= 2;
        char *grown = realloc(buf, cap + 1);
        if (!grown)
            free(buf);
        buf = grown;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "gen_corpus: read error on %s\n", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* Loads voc.txt, keeps the words that begin and end with a letter (drops
** "'s" and "0x0e00"), shuffles them with the seed and builds the Zipf
** cumulative weights over the shuffled order. Returns 0 on success. */
static int vocab_load(vocab *v, const char *path, rng *r, double zipf_s)
{
    size_t len = 0;
    memset(v, 0, sizeof *v);
    v->data = read_file(path, &len);
    if (!v->data)
        return -1;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += v->data[i] == '\n';
    v->words = malloc(lines * sizeof *v->words);
    if (!v->words)
        return -1;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(v->data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - v->data) : len;
        size_t wlen = end - pos;
        if (wlen > 0 && v->data[pos + wlen - 1] == '\r')
            wlen--;
        if (wlen > 0 && is_word_edge((unsigned char)v->data[pos])
            && is_word_edge((unsigned char)v->data[pos + wlen - 1])) {
            v->words[v->count].text = v->data + pos;
            v->words[v->count].len = wlen;
            v->count++;
        }
        pos = end + 1;
    }
    if (v->count == 0) {
        fprintf(stderr, "gen_corpus: no usable words in %s\n", path);
        return -1;
    }
    /* Fisher-Yates: rank 1 goes to a random word, not to "a". */
    for (size_t i = v->count - 1; i > 0; i--) {
        size_t j = (size_t)rng_below(r, (uint64_t)i + 1);
        word t = v->words[i];
        v->words[i] = v->words[j];
        v->words[j] = t;
    }
    v->cdf = malloc(v->count * sizeof *v->cdf);
    if (!v->cdf)
        return -1;
    double sum = 0.0;
    for (size_t i = 0; i < v->count; i++) {
        double rank = (double)(i + 1);
        sum += zipf_s == 1.0 ? 1.0 / rank : 1.0 / pow(rank, zipf_s);
        v->cdf[i] = sum;
    }
    return 0;
}

static void vocab_free(vocab *v)
{
    free(v->cdf);
    free(v->words);
    free(v->data);
}

/* A word drawn with Zipf weights: the first rank whose cumulative weight
** exceeds a uniform point in [0, total). */
static const word *vocab_draw(const vocab *v, rng *r)
{
    double u = rng_unit(r) * v->cdf[v->count - 1];
    size_t lo = 0, hi = v->count - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &v->words[lo];
}

/* ------------------------------------------------------------------------
** Answers
** --------------------------------------------------------------------- */

typedef struct line_buf {
    char buf[LINE_CAP]; /* the answer being built */
    size_t len;         /* bytes in buf */
} line_buf;

static void put(line_buf *l, const char *s, size_t n)
{
    if (l->len + n <= LINE_CAP) { /* cannot overflow: see LINE_CAP */
        memcpy(l->buf + l->len, s, n);
        l->len += n;
    }
}

static void put_str(line_buf *l, const char *s)
{
    put(l, s, strlen(s));
}

/* Appends a word with its first letter in upper case: ASCII, or a Latin-1
** supplement letter U+00E0..U+00FE (å ä ö æ ø é ...) in its two-byte
** form, which is all these vocabularies begin with. */
static void put_capitalised(line_buf *l, const word *w)
{
    size_t at = l->len;
    put(l, w->text, w->len);
    unsigned char *p = (unsigned char *)l->buf + at;
    if (p[0] >= 'a' && p[0] <= 'z')
        p[0] = (unsigned char)(p[0] - 'a' + 'A');
    else if (w->len >= 2 && p[0] == 0xC3 && p[1] >= 0xA0 && p[1] <= 0xBE
             && p[1] != 0xB7)
        p[1] = (unsigned char)(p[1] - 0x20);
}

/* Appends a number as people write them in answers: a small count, a
** year, a decimal (comma in the Nordic languages) or a percentage. */
static void put_number(line_buf *l, rng *r, int decimal_comma)
{
    char tmp[32];
    double u = rng_unit(r);
    if (u < 0.60)
        snprintf(tmp, sizeof tmp, "%u", (unsigned)(1 + rng_below(r, 30)));
    else if (u < 0.75)
        snprintf(tmp, sizeof tmp, "%u", (unsigned)(1950 + rng_below(r, 76)));
    else if (u < 0.90)
        snprintf(tmp, sizeof tmp, "%u%c%u", (unsigned)rng_below(r, 10),
                 decimal_comma ? ',' : '.', (unsigned)rng_below(r, 10));
    else
        snprintf(tmp, sizeof tmp, "%u%%", (unsigned)(5 * (1 + rng_below(r, 20))));
    put_str(l, tmp);
}

/* Appends an emoji: single code points, one with VS16, a ZWJ sequence and
** the flag of the answer's country (a regional-indicator pair). */
static void put_emoji(line_buf *l, rng *r, const char *flag)
{
    static const char *const emoji[] = {
        "\xF0\x9F\x98\x8A",                 /* U+1F60A smiling face */
        "\xF0\x9F\x99\x82",                 /* U+1F642 slightly smiling */
        "\xF0\x9F\x91\x8D",                 /* U+1F44D thumbs up */
        "\xE2\x9D\xA4\xEF\xB8\x8F",         /* U+2764 U+FE0F red heart */
        "\xF0\x9F\x98\x80",                 /* U+1F600 grinning face */
        "\xF0\x9F\x99\x8F",                 /* U+1F64F folded hands */
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
        "\xF0\x9F\x91\xA7",                 /* man ZWJ woman ZWJ girl */
        NULL,                               /* the flag */
    };
    size_t n = sizeof emoji / sizeof emoji[0];
    const char *e = emoji[rng_below(r, n)];
    put_str(l, e ? e : flag);
}

/* How many words an answer has: most answers are short (median about 8),
** some run to a paragraph, a few to an essay. Each part is a negative
** binomial with r = 2 (the sum of two geometrics), so that one-word answers
** are common but not the mode. */
static unsigned answer_words(rng *r)
{
    double u = rng_unit(r);
    unsigned n;
    if (u < 0.82)
        n = 1 + rng_geometric(r, 3.3) + rng_geometric(r, 3.3);
    else if (u < 0.975)
        n = 4 + rng_geometric(r, 11.0) + rng_geometric(r, 11.0);
    else
        n = 20 + rng_geometric(r, 50.0) + rng_geometric(r, 50.0);
    return n > MAX_ANSWER_WORDS ? MAX_ANSWER_WORDS : n;
}

typedef struct gen_opts {
    int decimal_comma;  /* 1 for sv, nb, nn, da */
    const char *flag;   /* regional-indicator pair of the language */
} gen_opts;

/* Builds one answer of `words` word slots into l (without the newline). */
static void make_answer(line_buf *l, rng *r, const vocab *v,
                        const gen_opts *o, unsigned words)
{
    unsigned sentence_left = 0; /* words left in the current sentence */
    l->len = 0;
    for (unsigned i = 0; i < words; i++) {
        int sentence_start = sentence_left == 0;
        if (sentence_start)
            sentence_left = 2 + rng_geometric(r, 4.0) + rng_geometric(r, 4.0);
        if (i > 0)
            put(l, " ", 1);
        if (rng_chance(r, 0.015)) {
            put_number(l, r, o->decimal_comma);
        } else {
            const word *w = vocab_draw(v, r);
            if (sentence_start && rng_chance(r, 0.7))
                put_capitalised(l, w);
            else
                put(l, w->text, w->len);
        }
        if (rng_chance(r, 0.004)) {
            put(l, " ", 1);
            put_emoji(l, r, o->flag);
        }
        sentence_left--;
        int last = i + 1 == words;
        if (sentence_left == 0 && !last) {
            double u = rng_unit(r);
            put_str(l, u < 0.90 ? "." : u < 0.95 ? "?" : "!");
        } else if (!last && rng_chance(r, 0.06)) {
            put(l, ",", 1);
        }
    }
    double u = rng_unit(r);
    if (u < 0.55)
        put(l, ".", 1);
    else if (u < 0.60)
        put(l, "!", 1);
    else if (u < 0.63)
        put(l, "?", 1);
    if (rng_chance(r, 0.03)) {
        put(l, " ", 1);
        put_emoji(l, r, o->flag);
    }
}

/* ------------------------------------------------------------------------
** Command line
** --------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
        "usage: gen_corpus --vocab PATH [--lang sv|nb|nn|da|en] [--size N[K|M|G]]\n"
        "                  [--seed N] [--zipf S] [-o FILE] [--quiet]\n"
        "  Writes a deterministic corpus of answers, one per line, of at most\n"
        "  --size bytes (K, M, G are powers of 1000; Ki, Mi, Gi of 1024;\n"
        "  default 20M). --vocab is a Snowball voc.txt; without it the path\n"
        "  ../shared/testdata/snowball/<language>/voc.txt is used.\n");
}

/* Parses "20M", "100M", "1G", "512Ki", "12345"; returns 0 on success. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    uint64_t unit = 1;
    int binary = end[0] && end[1] == 'i';
    switch (end[0]) {
    case '\0': break;
    case 'k': case 'K': unit = binary ? 1024ull : 1000ull; break;
    case 'M': unit = binary ? 1024ull * 1024 : 1000000ull; break;
    case 'G': unit = binary ? 1024ull * 1024 * 1024 : 1000000000ull; break;
    default: return -1;
    }
    const char *rest = end[0] ? end + 1 + binary : end;
    if (*rest == 'B')
        rest++;
    if (*rest)
        return -1;
    *out = (uint64_t)n * unit;
    return 0;
}

typedef struct lang_info {
    const char *code;   /* our language code */
    const char *name;   /* Snowball's folder name */
    int decimal_comma;  /* 1 where "3,5" is the decimal form */
    const char *flag;   /* the country's flag emoji */
} lang_info;

static const lang_info LANGS[] = {
    { "sv", "swedish",   1, "\xF0\x9F\x87\xB8\xF0\x9F\x87\xAA" },
    { "nb", "norwegian", 1, "\xF0\x9F\x87\xB3\xF0\x9F\x87\xB4" },
    { "nn", "norwegian", 1, "\xF0\x9F\x87\xB3\xF0\x9F\x87\xB4" },
    { "da", "danish",    1, "\xF0\x9F\x87\xA9\xF0\x9F\x87\xB0" },
    { "en", "english",   0, "\xF0\x9F\x87\xAC\xF0\x9F\x87\xA7" },
};

int main(int argc, char **argv)
{
    const char *lang = "sv", *vocab_path = NULL, *out_path = NULL;
    uint64_t size = 20000000ull, seed = 42;
    double zipf_s = 1.0;
    int quiet = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(); return 0; }
        if (!val) { usage(); return 2; }
        i++;
        if (!strcmp(a, "--lang")) lang = val;
        else if (!strcmp(a, "--vocab")) vocab_path = val;
        else if (!strcmp(a, "-o")) out_path = val;
        else if (!strcmp(a, "--size")) {
            if (parse_size(val, &size) || size == 0) {
                fprintf(stderr, "gen_corpus: bad --size '%s'\n", val);
                return 2;
            }
        } else if (!strcmp(a, "--seed")) {
            char *end = NULL;
            errno = 0;
            seed = strtoull(val, &end, 0);
            if (errno || *end) {
                fprintf(stderr, "gen_corpus: bad --seed '%s'\n", val);
                return 2;
            }
        } else if (!strcmp(a, "--zipf")) {
            char *end = NULL;
            zipf_s = strtod(val, &end);
            if (*end || !(zipf_s > 0.0 && zipf_s < 10.0)) {
                fprintf(stderr, "gen_corpus: bad --zipf '%s'\n", val);
                return 2;
            }
        } else { usage(); return 2; }
    }

    const lang_info *li = NULL;
    for (size_t i = 0; i < sizeof LANGS / sizeof LANGS[0]; i++)
        if (!strcmp(LANGS[i].code, lang))
            li = &LANGS[i];
    if (!li) {
        fprintf(stderr, "gen_corpus: unknown --lang '%s' (sv nb nn da en)\n",
                lang);
        return 2;
    }
    char default_vocab[256];
    if (!vocab_path) {
        snprintf(default_vocab, sizeof default_vocab,
                 "../shared/testdata/snowball/%s/voc.txt", li->name);
        vocab_path = default_vocab;
    }

    /* One stream for the vocabulary shuffle, another for the text, so that
    ** a change in how answers are built leaves the ranks as they were. */
    rng r_vocab, r_text;
    rng_seed(&r_vocab, seed);
    rng_seed(&r_text, seed ^ 0x5ca1ab1e0ddba11ull);

    vocab v;
    if (vocab_load(&v, vocab_path, &r_vocab, zipf_s)) {
        vocab_free(&v);
        return 1;
    }

    FILE *out = stdout;
    if (out_path && !(out = fopen(out_path, "wb"))) {
        fprintf(stderr, "gen_corpus: cannot create %s: %s\n", out_path,
                strerror(errno));
        vocab_free(&v);
        return 1;
    }

    static line_buf line;
    static char obuf[OUT_BUF_CAP];
    static uint64_t hist[MAX_ANSWER_WORDS + 1];
    gen_opts o = { li->decimal_comma, li->flag };
    size_t olen = 0;
    uint64_t written = 0, answers = 0, words = 0;
    int rc = 0;

    for (;;) {
        unsigned n = answer_words(&r_text);
        make_answer(&line, &r_text, &v, &o, n);
        put(&line, "\n", 1);
        if (written + line.len > size && written > 0)
            break;
        if (olen + line.len > OUT_BUF_CAP) {
            if (fwrite(obuf, 1, olen, out) != olen) { rc = 1; break; }
            olen = 0;
        }
        memcpy(obuf + olen, line.buf, line.len);
        olen += line.len;
        written += line.len;
        answers++;
        words += n;
        hist[n]++;
        if (written >= size)
            break;
    }
    if (!rc && olen && fwrite(obuf, 1, olen, out) != olen)
        rc = 1;
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0)
        rc = 1;
    if (rc)
        fprintf(stderr, "gen_corpus: write error: %s\n", strerror(errno));

    if (!rc && !quiet) {
        uint64_t seen = 0;
        unsigned median = 0, p99 = 0, maxw = 0;
        for (unsigned i = 0; i <= MAX_ANSWER_WORDS; i++) {
            if (!hist[i])
                continue;
            maxw = i;
            seen += hist[i];
            if (!median && seen * 2 >= answers)
                median = i;
            if (!p99 && seen * 100 >= answers * 99)
                p99 = i;
        }
        fprintf(stderr,
                "gen_corpus: lang=%s seed=%llu vocab=%zu words from %s\n"
                "gen_corpus: %llu bytes, %llu answers, %llu word slots; "
                "words/answer median %u, p99 %u, max %u\n",
                li->code, (unsigned long long)seed, v.count, vocab_path,
                (unsigned long long)written, (unsigned long long)answers,
                (unsigned long long)words, median, p99, maxw);
    }
    vocab_free(&v);
    return rc;
}
