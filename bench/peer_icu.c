/*
** peer_icu.c — ICU's UAX #29 word segmentation over the same corpus.
**
** Segmentation only: for each answer, a UText over the UTF-8 bytes
** (utext_openUTF8, reusing one UText), ubrk_setUText on one word break
** iterator (ubrk_open(UBRK_WORD)), then ubrk_next to the end, counting the
** segments whose rule status says word (letters) or number. No
** normalisation, no stemming: this number says what segmentation alone
** costs with ICU, to set against whatmatters' whole pipeline (the public
** API cannot time whatmatters' segmenter alone). If ICU's segmentation by
** itself is not much faster than our full pipeline, our own segmenter is
** paying its way.
**
** Timing as bench_analyze: lines indexed before the clock, one warm-up
** pass, best of --repeat, CLOCK_MONOTONIC.
**
** Usage: peer_icu [--lang sv] [--repeat 3] [--json] CORPUS
*/
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ubrk.h>
#include <unicode/uclean.h>
#include <unicode/utext.h>

#include "corpus.h"
#include <unicode/uversion.h>


/* What one pass counted. */
typedef struct pass_result {
    double seconds;    /* wall time of the pass */
    uint64_t segments; /* every segment, spaces and punctuation included */
    uint64_t words;    /* status UBRK_WORD_LETTER..UBRK_WORD_IDEO_LIMIT */
    uint64_t numbers;  /* status UBRK_WORD_NUMBER */
} pass_result;


/* One timed pass: every answer through the one break iterator. Returns 0,
** or -1 after saying which ICU call failed. */
static int segment_pass(UBreakIterator *bi, const corpus *c, pass_result *res)
{
    UText ut = UTEXT_INITIALIZER;
    UErrorCode status = U_ZERO_ERROR;
    memset(res, 0, sizeof *res);
    double t0 = now_seconds();
    for (size_t i = 0; i < c->n_lines; i++) {
        utext_openUTF8(&ut, c->data + c->starts[i], (int64_t)c->lens[i],
                       &status);
        ubrk_setUText(bi, &ut, &status);
        if (U_FAILURE(status)) {
            fprintf(stderr, "peer_icu: line %zu: %s\n", i + 1,
                    u_errorName(status));
            utext_close(&ut);
            return -1;
        }
        for (int32_t end = ubrk_next(bi); end != UBRK_DONE;
             end = ubrk_next(bi)) {
            int32_t rs = ubrk_getRuleStatus(bi);
            res->segments++;
            res->numbers += rs >= UBRK_WORD_NUMBER && rs < UBRK_WORD_NUMBER_LIMIT;
            res->words += rs >= UBRK_WORD_LETTER && rs < UBRK_WORD_IDEO_LIMIT;
        }
    }
    res->seconds = now_seconds() - t0;
    utext_close(&ut);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: peer_icu [--lang sv] [--repeat N] [--json] CORPUS\n");
}

int main(int argc, char **argv)
{
    const char *lang = "sv", *path = NULL;
    long repeat = 3;
    int json = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return 0;
        } else if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc) { usage(); return 2; }
            const char *val = argv[++i];
            if (!strcmp(a, "--lang")) lang = val;
            else if (!strcmp(a, "--repeat")) repeat = strtol(val, NULL, 10);
            else { usage(); return 2; }
        } else if (!path) {
            path = a;
        } else {
            usage();
            return 2;
        }
    }
    if (!path || repeat < 1) {
        usage();
        return 2;
    }

    corpus c;
    if (corpus_read(&c, path, "peer_icu")) {
        corpus_free(&c);
        return 1;
    }
    /* The language matters little to ICU's word rules for these scripts;
    ** it is passed as the locale all the same ("nb" and "nn" as they are). */
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, lang, NULL, 0, &status);
    if (U_FAILURE(status)) {
        fprintf(stderr, "peer_icu: ubrk_open: %s\n", u_errorName(status));
        corpus_free(&c);
        return 1;
    }

    pass_result best, cur;
    int rc = segment_pass(bi, &c, &best); /* warm-up */
    for (long r = 0; rc == 0 && r < repeat; r++) {
        rc = segment_pass(bi, &c, &cur);
        if (rc == 0 && (r == 0 || cur.seconds < best.seconds))
            best = cur;
    }
    ubrk_close(bi);
    if (rc) {
        corpus_free(&c);
        return 1;
    }

    UVersionInfo v;
    char ver[U_MAX_VERSION_STRING_LENGTH];
    u_getVersion(v);
    u_versionToString(v, ver);

    double secs = best.seconds > 0 ? best.seconds : 1e-9;
    uint64_t tokens = best.words + best.numbers;
    double mb_s = (double)c.len / 1e6 / secs;
    double tok_s = (double)tokens / secs;
    double ns_tok = tokens ? secs * 1e9 / (double)tokens : 0.0;
    if (json) {
        printf("{\"tool\": \"icu\", \"variant\": \"segmentation only\", "
               "\"version\": \"ICU %s\", \"lang\": \"%s\", \"bytes\": %zu, "
               "\"answers\": %zu, \"repeat\": %ld, \"seconds\": %.6f, "
               "\"mb_s\": %.3f, \"answers_s\": %.1f, \"tokens_s\": %.1f, "
               "\"ns_token\": %.2f, \"tokens\": %llu, "
               "\"tokens_word_number\": %llu, \"words\": %llu, "
               "\"numbers\": %llu, \"segments\": %llu}\n",
               ver, lang, c.len, c.n_lines, repeat, best.seconds, mb_s,
               (double)c.n_lines / secs, tok_s, ns_tok,
               (unsigned long long)tokens, (unsigned long long)tokens,
               (unsigned long long)best.words,
               (unsigned long long)best.numbers,
               (unsigned long long)best.segments);
    } else {
        printf("ICU %s word segmentation only, lang %s, %zu bytes, %zu "
               "answers, best of %ld\n", ver, lang, c.len, c.n_lines, repeat);
        printf("  time        %.3f s\n", best.seconds);
        printf("  throughput  %.1f MB/s, %.0f answers/s, %.0f tokens/s, "
               "%.1f ns/token\n", mb_s, (double)c.n_lines / secs, tok_s,
               ns_tok);
        printf("  tokens      %llu (words %llu, numbers %llu), %llu segments "
               "in all\n", (unsigned long long)tokens,
               (unsigned long long)best.words,
               (unsigned long long)best.numbers,
               (unsigned long long)best.segments);
    }
    corpus_free(&c);
    u_cleanup();
    return 0;
}
