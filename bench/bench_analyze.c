/*
** bench_analyze.c — throughput of whatmatters' hot path on one thread.
**
** Reads a corpus (one answer a line) into memory, then analyses every line
** with wm_analyze(a, line, len, 0, &an): UAX #29 segmentation, NFC and case
** folding, Snowball stemming, word-list marks. Only the public header is
** used. Each timed pass creates a fresh analyzer (its cache starts empty, as
** the Python peer's dict does) and is timed with CLOCK_MONOTONIC; one
** untimed warm-up pass comes first; the best of --repeat passes is reported.
**
** A "scan" reference times a plain pass over the same bytes (summing them
** and counting newlines), so the result can be read against what the
** memory system gives one core.
**
** The timed loop does nothing but call wm_analyze and add up n_tokens; an
** untimed pass afterwards counts the tokens by kind (words + numbers is the
** count to compare with the peers, which drop emoji) and, with --dump FILE,
** writes the stems of the first --dump-lines answers (words and numbers,
** space-separated, one answer a line) for comparison with the Python
** peer's dump.
**
** With --spell the engine is set up as a spelling run is: the "lexicon"
** plugin for --lang (so that the vocabulary of known words exists), then
** wm_engine_set_spelling(e, 1, DIR) (dictionaries from --dict-dir DIR, by
** default /usr/share/hunspell).
** The spelling stage's shared cache lives in the engine, so the warm-up
** pass is the one that pays for Hunspell (first_pass_seconds), and the
** timed passes (fresh analyzers, warm shared cache) show the steady state.
** The inspection pass also counts the stage's tokens (parts, variants).
**
** Output: a human summary, or one JSON object on a line with --json.
**
** Usage: bench_analyze [--lang sv] [--repeat 3] [--json] [--spell]
**                      [--dict-dir DIR] [--dump FILE] [--dump-lines N] CORPUS
*/
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corpus.h"
#include "whatmatters.h"


/* What one pass counted. */
typedef struct pass_result {
    double seconds;         /* wall time of the pass */
    uint64_t tokens;        /* every token wm_analyze returned */
    uint64_t invalid;       /* invalid UTF-8 sequences reported */
    wm_analyzer_stats stats;/* the analyzer's cache after the pass */
} pass_result;

/* The tokens by kind, counted in an untimed pass. */
typedef struct kind_counts {
    uint64_t tokens;        /* every token */
    uint64_t words;         /* WM_TOK_WORD */
    uint64_t numbers;       /* WM_TOK_NUMBER */
    uint64_t symbols;       /* WM_TOK_SYMBOL (emoji included) */
    uint64_t emoji;         /* WM_TOK_EMOJI */
    uint64_t parts;         /* WM_TOK_PART (spelling) */
    uint64_t variants;      /* WM_TOK_VARIANT (spelling) */
} kind_counts;


/* One timed pass of the whole corpus through a fresh analyzer. Returns
** WM_OK or the first failing call's code (and says which on stderr). */
static int analyze_pass(wm_engine *engine, const char *lang, const corpus *c,
                        pass_result *res)
{
    wm_analyzer *a = NULL;
    int rc = wm_analyzer_new(engine, lang, &a);
    if (rc != WM_OK) {
        fprintf(stderr, "bench_analyze: wm_analyzer_new(%s): %s\n", lang,
                wm_strerror(rc));
        return rc;
    }
    memset(res, 0, sizeof *res);
    double t0 = now_seconds();
    for (size_t i = 0; i < c->n_lines; i++) {
        const wm_analysis *an = NULL;
        rc = wm_analyze(a, c->data + c->starts[i], c->lens[i], 0, &an);
        if (rc != WM_OK) {
            fprintf(stderr, "bench_analyze: wm_analyze(line %zu): %s: %s\n",
                    i + 1, wm_strerror(rc), wm_analyzer_errmsg(a));
            wm_analyzer_free(a);
            return rc;
        }
        res->tokens += an->n_tokens;
        res->invalid += an->n_invalid;
    }
    res->seconds = now_seconds() - t0;
    wm_analyzer_get_stats(a, &res->stats);
    wm_analyzer_free(a);
    return WM_OK;
}

/* The reference: one plain pass over the bytes (a sum, and the newlines
** counted), the least any program must do to look at every byte. The
** result is returned so the compiler keeps the loop. */
static uint64_t scan_pass(const corpus *c, double *seconds)
{
    const unsigned char *p = (const unsigned char *)c->data;
    uint64_t sum = 0, newlines = 0;
    double t0 = now_seconds();
    for (size_t i = 0; i < c->len; i++) {
        sum += p[i];
        newlines += p[i] == '\n';
    }
    *seconds = now_seconds() - t0;
    return sum ^ (newlines << 40);
}

/* An untimed pass that counts the tokens by kind (kept out of the timed
** loop, which does nothing but call wm_analyze) and, when dump_path is
** given, writes the stems of the words and numbers of the first max_lines
** answers, one answer a line, for a token-by-token comparison with the
** Python peer. Returns 0 on success. */
static int inspect_pass(wm_engine *engine, const char *lang, const corpus *c,
                        kind_counts *k, const char *dump_path,
                        size_t max_lines)
{
    FILE *f = NULL;
    if (dump_path && !(f = fopen(dump_path, "wb"))) {
        fprintf(stderr, "bench_analyze: cannot create %s: %s\n", dump_path,
                strerror(errno));
        return -1;
    }
    memset(k, 0, sizeof *k);
    wm_analyzer *a = NULL;
    int rc = wm_analyzer_new(engine, lang, &a);
    for (size_t i = 0; rc == WM_OK && i < c->n_lines; i++) {
        const wm_analysis *an = NULL;
        rc = wm_analyze(a, c->data + c->starts[i], c->lens[i], 0, &an);
        if (rc != WM_OK)
            break;
        int dump = f && i < max_lines, first = 1;
        k->tokens += an->n_tokens;
        for (size_t t = 0; t < an->n_tokens; t++) {
            const wm_token *tok = &an->tokens[t];
            /* words as the peers count them: not the spelling's extras */
            k->words += (tok->flags & WM_TOK_WORD) != 0 &&
                        !(tok->flags & (WM_TOK_PART | WM_TOK_VARIANT));
            k->numbers += (tok->flags & WM_TOK_NUMBER) != 0;
            k->symbols += (tok->flags & WM_TOK_SYMBOL) != 0;
            k->emoji += (tok->flags & WM_TOK_EMOJI) != 0;
            k->parts += (tok->flags & WM_TOK_PART) != 0;
            k->variants += (tok->flags & WM_TOK_VARIANT) != 0;
            if (!dump || !(tok->flags & (WM_TOK_WORD | WM_TOK_NUMBER)) ||
                (tok->flags & (WM_TOK_PART | WM_TOK_VARIANT)))
                continue;
            if (!first)
                fputc(' ', f);
            fwrite(tok->stem, 1, tok->stem_len, f);
            first = 0;
        }
        if (dump)
            fputc('\n', f);
    }
    if (rc != WM_OK)
        fprintf(stderr, "bench_analyze: inspection pass: %s: %s\n",
                wm_strerror(rc), a ? wm_analyzer_errmsg(a) : "");
    wm_analyzer_free(a);
    if (f && fclose(f) != 0) {
        fprintf(stderr, "bench_analyze: writing %s: %s\n", dump_path,
                strerror(errno));
        return -1;
    }
    return rc == WM_OK ? 0 : -1;
}

static void usage(void)
{
    fprintf(stderr,
        "usage: bench_analyze [--lang sv] [--repeat N] [--json] [--spell]\n"
        "                     [--dict-dir DIR] [--dump FILE] [--dump-lines N] CORPUS\n");
}

int main(int argc, char **argv)
{
    const char *lang = "sv", *path = NULL, *dump = NULL, *dict_dir = NULL;
    long repeat = 3, dump_lines = 2000;
    int json = 0, spell = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--spell")) {
            spell = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return 0;
        } else if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc) { usage(); return 2; }
            const char *val = argv[++i];
            if (!strcmp(a, "--lang")) lang = val;
            else if (!strcmp(a, "--dump")) dump = val;
            else if (!strcmp(a, "--dict-dir")) dict_dir = val;
            else if (!strcmp(a, "--repeat")) repeat = strtol(val, NULL, 10);
            else if (!strcmp(a, "--dump-lines"))
                dump_lines = strtol(val, NULL, 10);
            else { usage(); return 2; }
        } else if (!path) {
            path = a;
        } else {
            usage();
            return 2;
        }
    }
    if (!path || repeat < 1 || dump_lines < 0) {
        usage();
        return 2;
    }
    if (wm_lang_check(lang) != WM_OK) {
        fprintf(stderr, "bench_analyze: unsupported --lang '%s'\n", lang);
        return 2;
    }
    if (wm_version_number() != WM_VERSION_NUMBER)
        fprintf(stderr, "bench_analyze: warning: built against %s, "
                "running with %s\n", WM_VERSION, wm_version());

    corpus c;
    if (corpus_read(&c, path, "bench_analyze")) {
        corpus_free(&c);
        return 1;
    }
    wm_engine *engine = NULL;
    int rc = wm_engine_new(NULL, &engine);
    if (rc != WM_OK) {
        fprintf(stderr, "bench_analyze: wm_engine_new: %s\n", wm_strerror(rc));
        corpus_free(&c);
        return 1;
    }

    /* A spelling run: the lexicon for this language (its vocabulary says
    ** which words are known), then the dictionaries. */
    double setup_seconds = 0.0;
    if (spell) {
        double t0 = now_seconds();
        const char *step = "wm_engine_set_languages";
        rc = wm_engine_set_languages(engine, lang);
        if (rc == WM_OK) {
            step = "wm_engine_add_plugin(lexicon)";
            rc = wm_engine_add_plugin(engine, "lexicon", NULL);
        }
        if (rc == WM_OK) {
            step = "wm_engine_set_spelling";
            rc = wm_engine_set_spelling(engine, 1, dict_dir);
        }
        if (rc != WM_OK) {
            fprintf(stderr, "bench_analyze: %s: %s: %s\n", step, wm_strerror(rc),
                    wm_engine_errmsg(engine));
            wm_engine_free(engine);
            corpus_free(&c);
            return 1;
        }
        setup_seconds = now_seconds() - t0;
    }

    /* Warm-up (page faults, CPU caches, frequency; with --spell, the
    ** spelling stage's shared cache), then the best of N. */
    pass_result best, cur;
    rc = analyze_pass(engine, lang, &c, &best);
    double first_seconds = best.seconds;
    for (long r = 0; rc == WM_OK && r < repeat; r++) {
        rc = analyze_pass(engine, lang, &c, &cur);
        if (rc == WM_OK && (r == 0 || cur.seconds < best.seconds))
            best = cur;
    }
    kind_counts k;
    if (rc == WM_OK && inspect_pass(engine, lang, &c, &k, dump,
                                    (size_t)dump_lines))
        rc = WM_EIO;
    wm_engine_free(engine);
    if (rc == WM_OK && k.tokens != best.tokens) {
        fprintf(stderr, "bench_analyze: the passes disagree: %llu tokens, "
                "then %llu\n", (unsigned long long)best.tokens,
                (unsigned long long)k.tokens);
        rc = WM_EINVAL;
    }
    if (rc != WM_OK) {
        corpus_free(&c);
        return 1;
    }

    double scan_best = 0.0, s;
    uint64_t sink = 0;
    for (long r = 0; r < repeat + 1; r++) {
        sink += scan_pass(&c, &s);
        if (r == 0 || s < scan_best)
            scan_best = s;
    }

    double mb = (double)c.len / 1e6;
    double secs = best.seconds > 0 ? best.seconds : 1e-9;
    double scan_secs = scan_best > 0 ? scan_best : 1e-9;
    double mb_s = mb / secs;
    double tok_s = (double)best.tokens / secs;
    double ns_tok = best.tokens ? secs * 1e9 / (double)best.tokens : 0.0;
    double scan_mb_s = mb / scan_secs;
    double hit_rate = best.stats.tokens
        ? (double)best.stats.cache_hits / (double)best.stats.tokens : 0.0;

    if (json) {
        printf("{\"tool\": \"whatmatters\", \"version\": \"%s\", "
               "\"lang\": \"%s\", \"bytes\": %zu, \"answers\": %zu, "
               "\"repeat\": %ld, \"seconds\": %.6f, "
               "\"mb_s\": %.3f, \"answers_s\": %.1f, \"tokens_s\": %.1f, "
               "\"ns_token\": %.2f, \"tokens\": %llu, "
               "\"tokens_word_number\": %llu, \"words\": %llu, "
               "\"numbers\": %llu, \"symbols\": %llu, \"emoji\": %llu, "
               "\"invalid\": %llu, \"scan_mb_s\": %.1f, "
               "\"fraction_of_scan\": %.5f, \"cache_lookups\": %llu, "
               "\"cache_hits\": %llu, \"cache_hit_rate\": %.5f, "
               "\"stems\": %llu, \"cache_size\": %zu, "
               "\"cache_resets\": %zu, \"scan_sink\": %llu, "
               "\"spell\": %s, \"setup_seconds\": %.6f, "
               "\"first_pass_seconds\": %.6f, \"parts\": %llu, "
               "\"variants\": %llu}\n",
               wm_version(), lang, c.len, c.n_lines, repeat, best.seconds,
               mb_s, (double)c.n_lines / secs, tok_s, ns_tok,
               (unsigned long long)best.tokens,
               (unsigned long long)(k.words + k.numbers),
               (unsigned long long)k.words,
               (unsigned long long)k.numbers,
               (unsigned long long)k.symbols,
               (unsigned long long)k.emoji,
               (unsigned long long)best.invalid, scan_mb_s, mb_s / scan_mb_s,
               (unsigned long long)best.stats.tokens,
               (unsigned long long)best.stats.cache_hits, hit_rate,
               (unsigned long long)best.stats.stems, best.stats.cache_size,
               best.stats.cache_resets, (unsigned long long)(sink & 0xffff),
               spell ? "true" : "false", setup_seconds, first_seconds,
               (unsigned long long)k.parts, (unsigned long long)k.variants);
    } else {
        printf("whatmatters %s, lang %s, %zu bytes, %zu answers, best of %ld "
               "(each pass: fresh analyzer)\n", wm_version(), lang, c.len,
               c.n_lines, repeat);
        printf("  time        %.3f s\n", best.seconds);
        printf("  throughput  %.1f MB/s, %.0f answers/s, %.0f tokens/s, "
               "%.1f ns/token\n", mb_s, (double)c.n_lines / secs, tok_s,
               ns_tok);
        printf("  tokens      %llu (words %llu, numbers %llu, symbols %llu "
               "of which emoji %llu), invalid UTF-8 %llu\n",
               (unsigned long long)best.tokens,
               (unsigned long long)k.words,
               (unsigned long long)k.numbers,
               (unsigned long long)k.symbols,
               (unsigned long long)k.emoji,
               (unsigned long long)best.invalid);
        printf("  cache       %llu lookups, %llu hits (%.2f%%), %llu stems, "
               "%zu entries, %zu resets\n",
               (unsigned long long)best.stats.tokens,
               (unsigned long long)best.stats.cache_hits, 100.0 * hit_rate,
               (unsigned long long)best.stats.stems, best.stats.cache_size,
               best.stats.cache_resets);
        printf("  scan        %.0f MB/s (whatmatters runs at %.2f%% of it)\n",
               scan_mb_s, 100.0 * mb_s / scan_mb_s);
        if (spell)
            printf("  spelling    on (lexicon + hunspell, setup %.2f s): first pass "
                   "%.3f s (cold shared cache), %llu parts, %llu variants\n",
                   setup_seconds, first_seconds, (unsigned long long)k.parts,
                   (unsigned long long)k.variants);
    }
    corpus_free(&c);
    return 0;
}
