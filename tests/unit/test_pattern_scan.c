/*
** test_pattern_scan.c — the pattern plugin's fast paths against its plain
** way, through the public API: every answer is classified by an engine
** with the prefilter on and one with it off (every rule runs on the whole
** text, from its start), and the results must be equal: scores, status,
** message and every evidence span.
**
** The edges the fast paths must get right:
** - the prefilter's pass does not write the text but feeds the automaton
**   word by word, a word's run from a per-analyzer memo by normal-form id:
**   words after "att " or at the answer's start begin in another state
**   than after a blank (walked until the runs meet), words with many
**   literals inside, gaps of punctuation, tabs, invalid bytes, tokens over
**   the length limit (copied and folded, not normal forms), and an engine
**   whose analyzers' caches start afresh every few words (ids given anew
**   to other forms: the memo, by id alone, is forgotten when the ids'
**   epoch changes; test_pattern_memo.c has the cases one by one);
** - a match must begin at or before the last occurrence of a literal of
**   each of its rule's sets: literals that end in one order and begin in
**   another ("to check " and "check"), several matches, two sets, and a
**   text that holds K (U+212A), ſ or Å, which match k, s and å case-
**   insensitively without being them (no such limit then);
** - an answer over the plugin's text limit fails the same way.
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char data_dir[] = "/tmp/wm_test_pattern_scan_XXXXXX"; /* rules */

static const char rules[] =
    "continuity 1 /check(?:s|ed)? in on me|(?:rang|called) (?:up )?to check "
    "(?:in )?on me|"
    "check(?:s|ed)? (?:in )?on (?:me|us) (?:after|since)/\n"
    "respect 1 /(?:blev|bli) (?:inte )?(?:trodd|sedd)/\n"
    "access 1 /för långt att åka/\n"
    "access 1 /att (?:åka|resa) (?:till|hem)/\n"
    "family 1 /kommer/p\n"
    "family 1 /stads?del/p\n"
    "whole_person 1 /(?:inte|mer än) bara (?:en )?diagnos/\n"
    "coordination 1 /samma sak igen|igen och igen/\n"
    "hope_recovery 1 /(?:någon|en) som (?:har )?varit där/\n"
    "everyday_life 1 /åäö|ÅÄÖ-kod/p\n"
    "participation 1 /ananas|nasa|sana/p\n"
    /* Bounded lengths: a match begins no more characters before its
    ** literal than the pattern can hold. */
    "access 1 /[a-zåäö]{3} sista/p\n"
    "access 1 /\\d\\d?-\\d{2} tid/p\n"
    "respect 1 /(?:mycket|lite)(?: \\S\\S\\S){0,3} (?:bättre|sämre)/\n"
    "respect 1 /(?<svar>ja|nej)(?=!)!? tack(?<!x)/\n"
    "family 1 /(?i:KL)\\. \\d\\d?(?::\\d\\d)? igen/p\n"
    "family 1 /\\R?slutet är nära/p\n"
    "everyday_life 1 /.{2}ändå|\\w\\w[[:alpha:]]\\x{e5}\\pL-kod/p\n"
    "hope_recovery 1 /(?|(hopp)|(tro)) (?:på|om) (?:\\p{L}{2,4}|\\d) (?-i)dag/\n";

/* The answers; each round classifies all of them, on the same analyzers. */
static const char *const answers[] = {
    "I want someone to check on me after I came home, to check on me.",
    "checks on me after, check in on me, to check in on me after all",
    "someone to check on me after I came out, called to check on me",
    "someone to check on me after",
    "sedd bli sedd bli trodd blev inte sedd",
    "bli",
    "trodd bli",
    "Det är för långt att åka, för långt att åka till stan.",
    "att åka hem, att resa till stan och att åka till",
    "långt att åka",
    "att att åka",
    "Kommer du? Han kommer, vi kommer inte.",
    "välkommer kommersiell",
    "stadsdel stadsdelen stadel stadsdelar",
    "Inte bara en diagnos\tutan mer än bara diagnos!",
    "inte bara\nen diagnos",
    "samma sak igen och igen och igen",
    "någon som har varit där, en som varit där",
    "ÅÄÖ åäö Åäö-kod åäö-kod",
    "ananasanana nasanasa sananas",
    "xyå sista, ååå sista ååå sista, ab sista",
    "12-34 tid 1-23 tid 123-45 tid",
    "lite abc def ghi bättre, mycket bättre, lite ab bättre",
    "nej! tack ja tack",
    "Kl. 10:30 igen kl. 9 igen",
    "slutet är nära\nslutet är nära",
    "xxändå ééändå abcå-kod ééåå-kod",
    "hopp om ett dag tro på 7 dag hopp på allt dag",
    "bad \xff\xfe bytes \xc3 kommer \xff igen och igen",
    "",
    "   ",
    "...",
    "kommer",
    /* Over the token length limit (256 bytes): copied and folded. */
    "kommer xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxKOMMERxxxx"
    "xxxxx kommer",
    /* K (U+212A) for k, in a token over the limit after the last "kommer":
    ** PCRE2 matches it case-insensitively, the literal does not. */
    "kommer yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
    "\xe2\x84\xaaommer",
    /* ſ (U+017F) for s, Å (U+212B) for å, likewise. */
    "stadsdel zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "\xc5\xbftad\xc5\xbf" "del \xe2\x84\xab\xc3\xa4\xc3\xb6",
    /* Latin-1 capitals in a token over the limit, folded as the literal
    ** reader folds. */
    "ÅÄÖ wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
    "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
    "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
    "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
    "ÅÄÖ",
};

#define N_ANSWERS (sizeof answers / sizeof *answers)

/* Writes the rules to DIR/sv/patterns.txt. */
static void write_rules(void)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/sv", data_dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sv/patterns.txt", data_dir);
    f = fopen(path, "wb");
    if (f) {
        fputs(rules, f);
        fclose(f);
    }
}

/* A Swedish engine with the pattern plugin alone (options as given) and
** an analyzer; cache_entries 0 is the default. */
static int open_engine(const char *options, size_t cache_entries,
                       wm_engine **e, wm_analyzer **a)
{
    wm_engine_options opt;
    int rc;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cache_entries = cache_entries;
    *e = NULL;
    *a = NULL;
    rc = wm_engine_new(&opt, e);
    if (rc != WM_OK)
        return rc;
    wm_engine_set_data_dir(*e, data_dir);
    wm_engine_set_languages(*e, "sv");
    rc = wm_engine_add_plugin(*e, "pattern", options);
    if (rc == WM_OK)
        rc = wm_analyzer_new(*e, "sv", a);
    return rc;
}

/* 1 when two results of one answer are equal in what the plugin gives. */
static int same_result(const wm_classification *x, const wm_classification *y)
{
    if (x->status != y->status || x->n_areas != y->n_areas ||
        x->n_evidence != y->n_evidence ||
        x->failed_plugin != y->failed_plugin ||
        strcmp(x->failure, y->failure) != 0)
        return 0;
    for (size_t k = 0; k < x->n_areas; k++)
        if (x->scores[k] != y->scores[k])
            return 0;
    for (size_t k = 0; k < x->n_evidence; k++)
        if (x->evidence[k].start != y->evidence[k].start ||
            x->evidence[k].end != y->evidence[k].end ||
            x->evidence[k].area != y->evidence[k].area ||
            x->evidence[k].flags != y->evidence[k].flags ||
            strcmp(x->evidence[k].rule, y->evidence[k].rule) != 0)
            return 0;
    return 1;
}

/* Classifies text on both analyzers and compares; returns the number of
** evidence items (-1 when a call failed). */
static long compare(wm_analyzer *on, wm_analyzer *off, const char *text,
                    size_t len)
{
    const wm_classification *c1 = NULL, *c2 = NULL;

    if (!CHECK_RC(wm_classify(on, text, len, 0, &c1), WM_OK) ||
        !CHECK_RC(wm_classify(off, text, len, 0, &c2), WM_OK))
        return -1;
    CHECK_MSG(same_result(c1, c2), text);
    return (long)c1->n_evidence;
}

/* Every answer, three rounds (the memo then holds the words), against
** the plain way; with the default cache and with one that starts afresh
** every few forms, with the JIT and with the interpreter. */
static void test_same_results(size_t cache_entries, int jit)
{
    wm_engine *on_e = NULL, *off_e = NULL;
    wm_analyzer *on = NULL, *off = NULL;
    long total = 0;

    if (!CHECK_RC(open_engine(jit ? NULL : "jit=off", cache_entries, &on_e,
                              &on), WM_OK) ||
        !CHECK_RC(open_engine(jit ? "prefilter=off" : "prefilter=off,jit=off",
                              cache_entries, &off_e, &off), WM_OK))
        goto done;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < N_ANSWERS; i++) {
            long n = compare(on, off, answers[i], strlen(answers[i]));

            if (n > 0)
                total += n;
        }
    CHECK(total > 100); /* the rules do match */
    /* The K, ſ and Å answers: their second match is found too. */
    {
        const wm_classification *c = NULL;
        const char *k = answers[N_ANSWERS - 3];

        if (CHECK_RC(wm_classify(on, k, strlen(k), 0, &c), WM_OK))
            CHECK(c->n_evidence == 2);
    }
done:
    wm_analyzer_free(on);
    wm_analyzer_free(off);
    wm_engine_free(on_e);
    wm_engine_free(off_e);
}

/* An analyzer whose own cache starts afresh every two forms (once the
** engine's shared cache, at least 4096 forms, is full) gives a form's id
** to another form: the memo must not take the one for the other ("sommar"
** has no literal, "kommer" has). */
static void test_id_reuse(void)
{
    static const char *const seq[] = {
        "sommar xx", "kommer", "sommar yy", "kommer zz", "sommar",
        "kommer", "x sommar", "x kommer", "sommar kommer", "kommer sommar",
    };
    wm_engine *on_e = NULL, *off_e = NULL;
    wm_analyzer *on = NULL, *off = NULL;
    size_t n_fill = 5000, len = 0;
    char *fill = malloc(n_fill * 5 + 1);

    if (!CHECK(fill != NULL) ||
        !CHECK_RC(open_engine(NULL, 2, &on_e, &on), WM_OK) ||
        !CHECK_RC(open_engine("prefilter=off", 2, &off_e, &off), WM_OK))
        goto done;
    for (size_t i = 0; i < n_fill; i++) { /* distinct words: "baaa" ... */
        fill[len++] = 'b';
        fill[len++] = (char)('a' + i / 676 % 26);
        fill[len++] = (char)('a' + i / 26 % 26);
        fill[len++] = (char)('a' + i % 26);
        fill[len++] = ' ';
    }
    fill[len] = '\0';
    compare(on, off, fill, len); /* fills the shared caches */
    for (int round = 0; round < 4; round++)
        for (size_t i = 0; i < sizeof seq / sizeof *seq; i++)
            compare(on, off, seq[i], strlen(seq[i]));
done:
    wm_analyzer_free(on);
    wm_analyzer_free(off);
    wm_engine_free(on_e);
    wm_engine_free(off_e);
    free(fill);
}

/* An answer whose normalised text is over the plugin's limit (1 MiB)
** fails the same way with the prefilter on and off; one just under it
** does not. */
static void test_text_limit(void)
{
    wm_engine *on_e = NULL, *off_e = NULL;
    wm_analyzer *on = NULL, *off = NULL;
    size_t len = (1u << 20) + 8;
    char *text = malloc(len + 1);

    if (!CHECK(text != NULL) ||
        !CHECK_RC(open_engine(NULL, 0, &on_e, &on), WM_OK) ||
        !CHECK_RC(open_engine("prefilter=off", 0, &off_e, &off), WM_OK))
        goto done;
    for (size_t i = 0; i < len; i++)
        text[i] = "kommer "[i % 7];
    text[len] = '\0';
    compare(on, off, text, len);
    compare(on, off, text, (1u << 20) - 3);
    {
        const wm_classification *c = NULL;

        if (CHECK_RC(wm_classify(on, text, len, 0, &c), WM_OK))
            CHECK(c->status != 0);
    }
done:
    wm_analyzer_free(on);
    wm_analyzer_free(off);
    wm_engine_free(on_e);
    wm_engine_free(off_e);
    free(text);
}

int main(void)
{
    char path[256];

    if (!CHECK(mkdtemp(data_dir) != NULL))
        return wm_test_finish();
    write_rules();
    test_same_results(0, 1);
    test_same_results(4, 1);
    test_same_results(0, 0);
    test_id_reuse();
    test_text_limit();
    snprintf(path, sizeof path, "%s/sv/patterns.txt", data_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/sv", data_dir);
    rmdir(path);
    rmdir(data_dir);
    return wm_test_finish();
}
