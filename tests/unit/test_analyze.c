/*
** test_analyze.c — wm_analyze() through the public API: token kinds,
** stopwords, negation scope, sentences and clauses, invalid UTF-8 (both
** policies), limits, and loading edited word lists with their errors.
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The token whose surface is `word`, or NULL. */
static const wm_token *find(const wm_analysis *an, const char *word)
{
    for (size_t i = 0; i < an->n_tokens; i++) {
        const wm_token *t = &an->tokens[i];
        if (t->end - t->start == strlen(word) &&
            memcmp(an->text + t->start, word, strlen(word)) == 0)
            return t;
    }
    return NULL;
}

/* Flags of the token `word` (0xFFFFFFFF when it is missing). */
static uint32_t flags_of(const wm_analysis *an, const char *word)
{
    const wm_token *t = find(an, word);
    return t ? t->flags : 0xFFFFFFFFu;
}

/* Analyses a NUL-terminated string, failing the test on an error. */
static const wm_analysis *run(wm_analyzer *a, const char *text, unsigned flags)
{
    const wm_analysis *an = NULL;
    int rc = wm_analyze(a, text, strlen(text), flags, &an);
    CHECK_MSG(rc == WM_OK && an, text);
    return an;
}

/* Kinds: words, numbers, symbols and emoji stay; punctuation goes. */
static void test_kinds(wm_analyzer *sv)
{
    const wm_analysis *an = run(sv, "V\xC3\xA4ntade 3,5 veckor! \xF0\x9F\x98\xA1 100 % \xE2\x82\xAC", 0);

    if (!an)
        return;
    CHECK(an->n_tokens == 6); /* "%" is punctuation (Po) */
    CHECK(flags_of(an, "V\xC3\xA4ntade") & WM_TOK_WORD);
    CHECK(flags_of(an, "3,5") & WM_TOK_NUMBER);
    CHECK((flags_of(an, "\xF0\x9F\x98\xA1") & (WM_TOK_EMOJI | WM_TOK_SYMBOL)) ==
          (WM_TOK_EMOJI | WM_TOK_SYMBOL));
    CHECK(flags_of(an, "\xE2\x82\xAC") & WM_TOK_SYMBOL);
    CHECK(!(flags_of(an, "\xE2\x82\xAC") & WM_TOK_EMOJI));
    CHECK(find(an, "!") == NULL && find(an, " ") == NULL);
    {
        const wm_token *t = find(an, "V\xC3\xA4ntade");
        CHECK_STR(t->norm, t->norm_len, "v\xC3\xA4ntade");
        CHECK_STR(t->stem, t->stem_len, "v\xC3\xA4nt");
    }
    CHECK(an->n_sentences == 2);
}

/* Negation: a negator opens a scope that runs to the clause end; a clause
** break word or punctuation closes it; negation does not cross sentences. */
static void test_negation(wm_analyzer *sv, wm_analyzer *en)
{
    const wm_analysis *an = run(sv, "Jag vill inte bli bollad runt, men jag vill bli sedd. Bra", 0);

    if (an) {
        CHECK(flags_of(an, "inte") & WM_TOK_NEGATOR);
        CHECK(!(flags_of(an, "inte") & WM_TOK_NEGATED));
        CHECK(!(flags_of(an, "vill") & WM_TOK_NEGATED));
        CHECK(flags_of(an, "bollad") & WM_TOK_NEGATED);
        CHECK(flags_of(an, "runt") & WM_TOK_NEGATED);
        CHECK(!(flags_of(an, "sedd") & WM_TOK_NEGATED));
        CHECK(flags_of(an, "men") & WM_TOK_CLAUSE_START);
        CHECK(flags_of(an, "Bra") & WM_TOK_SENT_START);
        CHECK(flags_of(an, "Jag") & (WM_TOK_SENT_START | WM_TOK_CLAUSE_START));
        CHECK(an->n_sentences == 2);
    }
    an = run(sv, "aldrig mer v\xC3\xA4nta men ingen k\xC3\xB6", 0);
    if (an) {
        CHECK(flags_of(an, "v\xC3\xA4nta") & WM_TOK_NEGATED);
        CHECK(!(flags_of(an, "men") & WM_TOK_NEGATED));
        CHECK(flags_of(an, "k\xC3\xB6") & WM_TOK_NEGATED);
    }
    an = run(en, "They don\xE2\x80\x99t listen to me. I want to be heard", 0);
    if (an) {
        CHECK(flags_of(an, "don\xE2\x80\x99t") & WM_TOK_NEGATOR);
        CHECK(flags_of(an, "listen") & WM_TOK_NEGATED);
        CHECK(!(flags_of(an, "heard") & WM_TOK_NEGATED));
    }
    an = run(en, "not\nwaiting", 0); /* a line break ends the sentence */
    if (an)
        CHECK(!(flags_of(an, "waiting") & WM_TOK_NEGATED));
    an = run(en, "not\xC2\x85waiting", 0); /* so does NEL (U+0085) */
    if (an) {
        CHECK(!(flags_of(an, "waiting") & WM_TOK_NEGATED));
        CHECK(flags_of(an, "waiting") & WM_TOK_SENT_START);
    }
}

/* Invalid UTF-8 is reported and bounds words; strict mode refuses it. */
static void test_invalid_utf8(wm_analyzer *sv)
{
    const char text[] = "v\xE5rd och \xC3\x28 omsorg \xF0\x9F";
    const wm_analysis *an = NULL;

    CHECK_RC(wm_analyze(sv, text, sizeof text - 1, 0, &an), WM_OK);
    if (an) {
        CHECK(an->n_invalid == 3); /* E5 alone, C3 before "(", F0 9F cut short */
        CHECK(an->first_invalid == 1);
        CHECK(find(an, "v") && find(an, "rd") && find(an, "omsorg"));
        CHECK(find(an, "(") == NULL);
    }
    /* With WM_ANALYZE_ALL every byte belongs to exactly one segment. */
    CHECK_RC(wm_analyze(sv, text, sizeof text - 1, WM_ANALYZE_ALL, &an), WM_OK);
    if (an) {
        size_t pos = 0, invalid = 0;
        for (size_t i = 0; i < an->n_tokens; i++) {
            CHECK(an->tokens[i].start == pos);
            pos = an->tokens[i].end;
            if (an->tokens[i].flags & WM_TOK_INVALID)
                invalid++;
        }
        CHECK(pos == sizeof text - 1);
        CHECK(invalid == an->n_invalid);
    }
    CHECK_RC(wm_analyze(sv, text, sizeof text - 1, WM_ANALYZE_STRICT_UTF8, &an), WM_EUTF8);
    CHECK(an == NULL);
    CHECK(strstr(wm_analyzer_errmsg(sv), "byte offset 1") != NULL);
}

/* Empty input, NULL with length 0, and bad arguments. */
static void test_edges(wm_engine *engine, wm_analyzer *sv)
{
    const wm_analysis *an = NULL;
    wm_analyzer *x = (wm_analyzer *)1;

    CHECK_RC(wm_analyze(sv, "", 0, 0, &an), WM_OK);
    CHECK(an && an->n_tokens == 0 && an->n_sentences == 0);
    CHECK_RC(wm_analyze(sv, NULL, 0, 0, &an), WM_OK);
    CHECK_RC(wm_analyze(sv, NULL, 5, 0, &an), WM_EINVAL);
    CHECK_RC(wm_analyze(sv, "x", 1, 0, NULL), WM_EINVAL);
    an = run(sv, " ,.;- \t\n", 0);
    CHECK(an && an->n_tokens == 0);
    CHECK_RC(wm_analyzer_new(engine, "xx", &x), WM_ELANG);
    CHECK(x == NULL);
    CHECK_RC(wm_analyzer_new(engine, NULL, &x), WM_ELANG);
    CHECK_RC(wm_lang_check("nn"), WM_OK);
    CHECK_RC(wm_lang_check("no"), WM_OK);
    CHECK_RC(wm_lang_check("de"), WM_ELANG);
    CHECK_STR(wm_analyzer_lang(sv), 2, "sv");
}

/* Limits: a token over max_token_len is kept but not normalised; a text
** over max_text_len is refused with a message. */
static void test_limits(void)
{
    wm_engine_options opt;
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_analysis *an = NULL;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.max_token_len = 8;
    opt.max_text_len = 64;
    CHECK_RC(wm_engine_new(&opt, &e), WM_OK);
    CHECK_RC(wm_analyzer_new(e, "en", &a), WM_OK);
    if (a) {
        an = run(a, "short loooooooooong", 0);
        if (an && CHECK(an->n_tokens == 2)) {
            CHECK(!(an->tokens[0].flags & WM_TOK_LONG));
            CHECK(an->tokens[1].flags & WM_TOK_LONG);
            CHECK(an->tokens[1].norm_len == 0 && an->tokens[1].norm_id == WM_ID_NONE);
            CHECK(an->tokens[1].start == 6 && an->tokens[1].end == 19);
        }
        {
            char big[65];
            memset(big, 'a', sizeof big);
            CHECK_RC(wm_analyze(a, big, sizeof big, 0, &an), WM_ETOOBIG);
            CHECK(strstr(wm_analyzer_errmsg(a), "65 bytes") != NULL);
        }
    }
    wm_analyzer_free(a);
    wm_engine_free(e);

    opt.struct_size = 3; /* a struct too small to hold its fields */
    CHECK_RC(wm_engine_new(&opt, &e), WM_EINVAL);
    CHECK(e == NULL);
    CHECK_RC(wm_engine_new(NULL, NULL), WM_EINVAL);
}

/* Writes a file, creating its folder. */
static void write_file(const char *dir, const char *lang, const char *name,
                       const char *content)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, lang);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/%s/%s", dir, lang, name);
    f = fopen(path, "wb");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
}

/* Edited word lists load from a folder; errors name file:line:column and
** leave the engine's lists as they were; setup after use is refused. */
static void test_wordlist_files(void)
{
    char dir[] = "/tmp/wm_test_lists_XXXXXX";
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_analysis *an;

    if (!CHECK(mkdtemp(dir) != NULL))
        return;
    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        return;

    /* A folder without lists, or none at all, is most likely a typo. */
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EIO);
    CHECK(strstr(wm_engine_errmsg(e), "no word lists there") != NULL);
    CHECK_RC(wm_engine_load_wordlists(e, "/nonexistent/wm"), WM_EIO);

    write_file(dir, "sv", "negation.txt", "# test\n[negators]\nknappt\n  [bogus]\n");
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EPARSE);
    CHECK(strstr(wm_engine_errmsg(e), "sv/negation.txt:4:3: unknown section") != NULL);

    write_file(dir, "sv", "negation.txt", "inte\n");
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EPARSE);
    CHECK(strstr(wm_engine_errmsg(e), "negation.txt:1:1: entry before the first section") != NULL);

    write_file(dir, "sv", "negation.txt", "[negators]\nnej tack\n");
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EPARSE);
    CHECK(strstr(wm_engine_errmsg(e), "negation.txt:2:4: one word a line") != NULL);

    write_file(dir, "sv", "negation.txt", "[clause_breaks]\n*fel\n");
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EPARSE);
    CHECK(strstr(wm_engine_errmsg(e), "negation.txt:2:1: '*suffix'") != NULL);

    write_file(dir, "sv", "stopwords.txt", "och\n\xC3\x28x\n");
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EPARSE);
    CHECK(strstr(wm_engine_errmsg(e), "stopwords.txt:2:1: invalid UTF-8") != NULL);

    /* Valid files, with mixed case and NFD that the loader normalises. */
    write_file(dir, "sv", "stopwords.txt", "\xEF\xBB\xBF# stop\nOCH\n\n  jag  # me\n");
    write_file(dir, "sv", "negation.txt",
               "[negators]\nKNAPPT\n*l\xC3\xB6st\n[clause_breaks]\nda\xCC\x88rfo\xCC\x88r\r\n");
    CHECK_RC(wm_engine_load_wordlists(e, dir), WM_OK);
    CHECK_RC(wm_analyzer_new(e, "sv", &a), WM_OK);
    if (a) {
        an = run(a, "jag och knappt hj\xC3\xA4lp d\xC3\xA4rf\xC3\xB6r v\xC3\xA5rd; inte meningsl\xC3\xB6st bra", 0);
        if (an) {
            CHECK(flags_of(an, "jag") & WM_TOK_STOPWORD);
            CHECK(flags_of(an, "och") & WM_TOK_STOPWORD);
            CHECK(!(flags_of(an, "hj\xC3\xA4lp") & WM_TOK_STOPWORD));
            CHECK(flags_of(an, "knappt") & WM_TOK_NEGATOR);
            CHECK(flags_of(an, "hj\xC3\xA4lp") & WM_TOK_NEGATED);
            CHECK(!(flags_of(an, "v\xC3\xA5rd") & WM_TOK_NEGATED)); /* därför ended it */
            CHECK(!(flags_of(an, "inte") & WM_TOK_NEGATOR)); /* no longer listed */
            CHECK(flags_of(an, "meningsl\xC3\xB6st") & WM_TOK_NEGATOR); /* *löst */
            CHECK(flags_of(an, "bra") & WM_TOK_NEGATED);
        }
        /* Set-up is over once an analyzer exists. */
        CHECK_RC(wm_engine_load_wordlists(e, dir), WM_EMISUSE);
    }
    wm_analyzer_free(a);
    wm_engine_free(e);

    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0);
    }
}

/* The built-in lists hold the core of each language. */
static void test_builtin_lists(wm_engine *engine)
{
    static const struct {
        const char *lang, *text, *negator, *negated, *stop;
    } c[] = {
        {"sv", "jag vill inte v\xC3\xA4nta", "inte", "v\xC3\xA4nta", "jag"},
        {"nb", "jeg vil ikke vente", "ikke", "vente", "jeg"},
        {"nn", "eg vil ikkje vente", "ikkje", "vente", "eg"},
        {"da", "jeg vil ikke vente", "ikke", "vente", "jeg"},
        {"en", "I do not want to wait", "not", "wait", "to"},
    };

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        wm_analyzer *a = NULL;
        const wm_analysis *an;
        CHECK_RC(wm_analyzer_new(engine, c[i].lang, &a), WM_OK);
        if (!a)
            continue;
        an = run(a, c[i].text, 0);
        if (an) {
            CHECK_MSG(flags_of(an, c[i].negator) & WM_TOK_NEGATOR, c[i].lang);
            CHECK_MSG(flags_of(an, c[i].negated) & WM_TOK_NEGATED, c[i].lang);
            CHECK_MSG(flags_of(an, c[i].stop) & WM_TOK_STOPWORD, c[i].lang);
            CHECK_MSG(!(flags_of(an, c[i].negator) & WM_TOK_STOPWORD),
                      "negators are never stopwords");
        }
        wm_analyzer_free(a);
    }
}

int main(void)
{
    wm_engine *engine = NULL;
    wm_analyzer *sv = NULL, *en = NULL;

    CHECK_RC(wm_engine_new(NULL, &engine), WM_OK);
    CHECK_RC(wm_analyzer_new(engine, "sv", &sv), WM_OK);
    CHECK_RC(wm_analyzer_new(engine, "en", &en), WM_OK);
    if (sv && en) {
        test_kinds(sv);
        test_negation(sv, en);
        test_invalid_utf8(sv);
        test_edges(engine, sv);
        test_builtin_lists(engine);
    }
    test_limits();
    test_wordlist_files();
    wm_analyzer_free(sv);
    wm_analyzer_free(en);
    wm_engine_free(engine);
    return wm_test_finish();
}
