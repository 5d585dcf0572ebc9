/*
** test_spelling.c — the spelling stage through the public API
** (wm_engine_set_spelling, WM_TOK_PART, WM_TOK_VARIANT,
** WM_EVIDENCE_SPELLING), with Debian's Hunspell dictionaries.
**
** The expectations are a table: an answer, one word of it, and the extra
** tokens that word must get, in order ("P:" a part, "V:" the variant, by
** normal form). Around the table: offsets and flags of the extra tokens,
** their stems and ids, the ISO-8859-1 dictionaries (nb, nn) with æ, ø, å
** in variants, a missing dictionary, the setup rules, the dictionaries in
** the data files, words the lexicon knows, evidence resting on a variant,
** spelling off (no change at all), and the shared cache under threads
** (identical results per thread, also while analyzers' caches reset).
**
** Needs hunspell-sv, hunspell-no, hunspell-da and hunspell-en-us in
** /usr/share/hunspell; without them the program says so and exits 77
** (ctest: skipped).
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_test.h"
#include "whatmatters.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALT_FLAGS (WM_TOK_PART | WM_TOK_VARIANT)

/* One expectation: in `lang`, the word `word` of `text` gets the extra
** tokens `alts` ("P:part V:variant", by normal form, in order; "" for
** none). */
typedef struct spell_case {
    const char *lang; /* language code */
    const char *text; /* the answer */
    const char *word; /* the word's surface in it */
    const char *alts; /* what it gets */
} spell_case;

/* The guide: a lexicon per language whose words steer the stage (what a
** plugin can match is what is worth finding), written to a data folder
** at start. */
static const char *const guide[][2] = {
    {"sv", "[family]\nanh\xC3\xB6rig*\n[access]\nv\xC3\xA5rdcentral\nv\xC3\xA5rd\nakut\n"
           "[respect]\nbem\xC3\xB6tande\npersonal\n[continuity]\nkontinuitet\n"
           "st\xC3\xB6" "d\nmiddag\ng\xC3\xB6teborg\n"
           /* a phrase: its words match only together, so they begin no part */
           "[everyday_life]\nsommar ... ledighet\n"},
    {"nb", "[whole_person]\ndiabetes\n[continuity]\nf\xC3\xB8rste\n\"s\xC3\xA6rlig\"\n"
           "\"m\xC3\xA5ned\"\n"},
    {"nn", "[whole_person]\npsykolog\n[participation]\nsj\xC3\xB8lv\n"},
    {"da", "[coordination]\nkommune\n"},
    {"en", "[access]\nreceive\n"},
};
static char guide_dir[] = "/tmp/wm_test_spelling_guide_XXXXXX";

/* With the guide lexicon (spelling on). */
static const spell_case cases[] = {
    /* Compounds: a part begins with a guide word; the longest head that
    ** the dictionary lists. */
    {"sv", "Bra anh\xC3\xB6rigst\xC3\xB6" "det!", "anh\xC3\xB6rigst\xC3\xB6" "det",
     "P:anh\xC3\xB6rig P:st\xC3\xB6" "det"},
    {"sv", "v\xC3\xA5rdcentralspersonalen var snabb", "v\xC3\xA5rdcentralspersonalen",
     "P:v\xC3\xA5rdcentrals P:personalen"},
    {"sv", "ett akutboendet", "akutboendet", "P:akut P:boendet"},
    {"nb", "Diabetessykepleieren ringte", "Diabetessykepleieren",
     "P:diabetes P:sykepleieren"},
    {"nn", "psykologtimen", "psykologtimen", "P:psykolog P:timen"},
    {"da", "kommunel\xC3\xA6gen kommer", "kommunel\xC3\xA6gen", "P:kommune P:l\xC3\xA6gen"},
    /* Not split: a word the dictionary lists whole ("middag" is a guide
    ** word), one where no part begins with a guide word. */
    {"sv", "en eftermiddag", "eftermiddag", ""},
    {"sv", "sommarstugan", "sommarstugan", ""},
    {"sv", "sommarbemanningen", "sommarbemanningen", ""}, /* "sommar" only in a phrase */
    /* Restored diacritics where a guide word has them, in UTF-8 (sv) and
    ** ISO-8859-1 (nb, nn) dictionaries. */
    {"sv", "Vardcentralen svarar", "Vardcentralen", "V:v\xC3\xA5rdcentralen"},
    {"sv", "inget bemotande", "bemotande", "V:bem\xC3\xB6tande"},
    {"sv", "goteborg", "goteborg", ""}, /* a name ("Göteborg") is not restored */
    {"sv", "vardpersonalen", "vardpersonalen", "V:v\xC3\xA5rdpersonalen"},
    {"nb", "forste gang", "forste", "V:f\xC3\xB8rste"},
    {"nb", "sarlig bra", "sarlig", "V:s\xC3\xA6rlig"},
    {"nb", "hver maned", "maned", "V:m\xC3\xA5ned"},
    {"nn", "eg sjolv", "sjolv", "V:sj\xC3\xB8lv"},
    /* A slip in a guide word's stem. */
    {"sv", "kontiniutet", "kontiniutet", "V:kontinuitet"},
    {"en", "I did not recieve it", "recieve", "V:receive"},
    /* Left alone: what no guide word is near, words the guide knows,
    ** names, short words, numbers, stopwords; English is not split. */
    {"sv", "bem\xC3\xB6tandt", "bem\xC3\xB6tandt", ""}, /* Hunspell's to correct */
    {"en", "waitinglist", "waitinglist", ""},
    {"sv", "v\xC3\xA5rden", "v\xC3\xA5rden", ""},
    {"sv", "Stockholm", "Stockholm", ""},
    {"sv", "bra", "bra", ""},
    {"sv", "vard", "vard", "V:v\xC3\xA5rd"}, /* 4 letters: a variant, no parts */
    {"sv", "ingenting", "ingenting", ""}, /* a stopword */
    {"sv", "covid19", "covid19", ""},
    {"en", "healthcare", "healthcare", ""},
};

/* With the guide and WM_SPELL_SUGGEST: Hunspell corrects what the guide
** words alone cannot. */
static const spell_case suggest_cases[] = {
    {"sv", "bem\xC3\xB6tandt", "bem\xC3\xB6tandt", "V:bem\xC3\xB6tandet"},
    {"sv", "kontiniutet", "kontiniutet", "V:kontinuitet"},
    {"en", "waitinglist", "waitinglist", ""}, /* "waiting list": two words */
};

/* With no plugin (nothing to steer by, as for `whatmatters tokenize`):
** every word is looked at, and Hunspell suggests. */
static const spell_case bare_cases[] = {
    {"sv", "Bra anh\xC3\xB6rigst\xC3\xB6" "det!", "anh\xC3\xB6rigst\xC3\xB6" "det",
     "P:anh\xC3\xB6rig P:st\xC3\xB6" "det"},
    {"sv", "en eftermiddag", "eftermiddag", ""},
    {"da", "laegen kom", "laegen", "V:l\xC3\xA6gen"},
    {"en", "I did not recieve it", "recieve", "V:receive"},
};

/* The first token whose surface is `word`, or -1. */
static long find_word(const wm_analysis *an, const char *word)
{
    size_t len = strlen(word);

    for (size_t i = 0; i < an->n_tokens; i++) {
        const wm_token *t = &an->tokens[i];
        if (!(t->flags & ALT_FLAGS) && t->end - t->start == len &&
            memcmp(an->text + t->start, word, len) == 0)
            return (long)i;
    }
    return -1;
}

/* The extra tokens after token i as "P:x V:y" into buf. */
static void describe_alts(const wm_analysis *an, size_t i, char *buf, size_t cap)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t k = i + 1; k < an->n_tokens && (an->tokens[k].flags & ALT_FLAGS); k++) {
        const wm_token *t = &an->tokens[k];
        used += (size_t)snprintf(buf + used, cap - used, "%s%s:%.*s", used ? " " : "",
                                 (t->flags & WM_TOK_PART) ? "P" : "V", (int)t->norm_len,
                                 t->norm);
        if (used >= cap)
            return;
    }
}

/* The plugins of a test engine. */
enum { NO_PLUGIN, BUILT_IN_LEXICON, GUIDE_LEXICON };

/* Makes an engine with spelling in `mode` for the given languages, with
** the plugins `plugins` asks for; NULL after a failed check. */
static wm_engine *spelling_engine_mode(const char *langs, int plugins, int mode,
                                       size_t cache_entries)
{
    wm_engine_options opt;
    wm_engine *e = NULL;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.cache_entries = cache_entries;
    if (!CHECK_RC(wm_engine_new(&opt, &e), WM_OK))
        return NULL;
    if (!CHECK_RC(wm_engine_set_languages(e, langs), WM_OK) ||
        (plugins == GUIDE_LEXICON && !CHECK_RC(wm_engine_set_data_dir(e, guide_dir), WM_OK)) ||
        (plugins != NO_PLUGIN && !CHECK_RC(wm_engine_add_plugin(e, "lexicon", NULL), WM_OK)) ||
        !CHECK_RC(wm_engine_set_spelling(e, mode, NULL), WM_OK)) {
        fprintf(stderr, "  engine: %s\n", wm_engine_errmsg(e));
        wm_engine_free(e);
        return NULL;
    }
    return e;
}

/* The same with spelling WM_SPELL_ON. */
static wm_engine *spelling_engine(const char *langs, int plugins, size_t cache_entries)
{
    return spelling_engine_mode(langs, plugins, WM_SPELL_ON, cache_entries);
}

/* Writes the guide lexicons into guide_dir; 0 on failure. */
static int write_guide(void)
{
    if (!mkdtemp(guide_dir))
        return 0;
    for (size_t i = 0; i < sizeof guide / sizeof guide[0]; i++) {
        char path[256];
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", guide_dir, guide[i][0]);
        if (mkdir(path, 0700) != 0)
            return 0;
        snprintf(path, sizeof path, "%s/%s/areas.txt", guide_dir, guide[i][0]);
        f = fopen(path, "w");
        if (!f || fputs(guide[i][1], f) < 0 || fclose(f) != 0)
            return 0;
    }
    return 1;
}

/* Removes what write_guide() wrote. */
static void remove_guide(void)
{
    for (size_t i = 0; i < sizeof guide / sizeof guide[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s/areas.txt", guide_dir, guide[i][0]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", guide_dir, guide[i][0]);
        rmdir(path);
    }
    rmdir(guide_dir);
}

/* Every case of one table on engine e, with the offsets, flags, stems and
** ids of the extra tokens. */
static void run_cases(wm_engine *e, const spell_case *table, size_t n_cases)
{
    for (size_t c = 0; e && c < n_cases; c++) {
        const spell_case *sc = &table[c];
        wm_analyzer *a = NULL, *b = NULL;
        const wm_analysis *an;
        uint32_t stem_ids[8];
        char got[512], what[256];
        size_t n_alts = 0;
        long i;

        snprintf(what, sizeof what, "%s '%s' in '%s'", sc->lang, sc->word, sc->text);
        if (!CHECK_RC(wm_analyzer_new(e, sc->lang, &a), WM_OK) ||
            !CHECK_RC(wm_analyzer_new(e, sc->lang, &b), WM_OK) ||
            !CHECK_RC(wm_analyze(a, sc->text, strlen(sc->text), 0, &an), WM_OK)) {
            wm_analyzer_free(a);
            wm_analyzer_free(b);
            continue;
        }
        i = find_word(an, sc->word);
        if (!CHECK_MSG(i >= 0, what)) {
            wm_analyzer_free(a);
            wm_analyzer_free(b);
            continue;
        }
        describe_alts(an, (size_t)i, got, sizeof got);
        if (strcmp(got, sc->alts) != 0)
            fprintf(stderr, "  %s: got \"%s\", want \"%s\"\n", what, got, sc->alts);
        CHECK_MSG(strcmp(got, sc->alts) == 0, what);

        /* The extra tokens: the word's offsets, their own kind, their own
        ** stems (as the analyzer stems the same word), and the ids that
        ** the same word gets as a token of its own. */
        for (size_t k = (size_t)i + 1; k < an->n_tokens && (an->tokens[k].flags & ALT_FLAGS);
             k++, n_alts++) {
            const wm_token *t = &an->tokens[k], *base = &an->tokens[i];
            uint32_t kind = t->flags & ALT_FLAGS;
            const char *stem = NULL;
            size_t stem_len = 0;
            CHECK_MSG(t->start == base->start && t->end == base->end, what);
            CHECK_MSG(t->flags == (WM_TOK_WORD | kind | (base->flags & WM_TOK_NEGATED)), what);
            CHECK_MSG(kind == WM_TOK_PART || kind == WM_TOK_VARIANT, what);
            CHECK_MSG(t->norm_id != WM_ID_NONE && t->stem_id != WM_ID_NONE, what);
            if (CHECK_RC(wm_analyzer_stem(b, t->norm, t->norm_len, &stem, &stem_len), WM_OK))
                CHECK_MSG(stem_len == t->stem_len && memcmp(stem, t->stem, stem_len) == 0,
                          what);
            if (n_alts < 8)
                stem_ids[n_alts] = t->stem_id;
        }
        for (size_t k = 0; k < n_alts && k < 8; k++) {
            const char *part = got; /* "P:x V:y": the k-th word after its colon */
            char word[128];
            size_t len;
            const wm_analysis *one;
            for (size_t skip = 0; skip < k; skip++)
                part = strchr(part, ' ') + 1;
            part += 2;
            len = strcspn(part, " ");
            memcpy(word, part, len);
            if (CHECK_RC(wm_analyze(a, word, len, 0, &one), WM_OK) && one->n_tokens > 0)
                CHECK_MSG(one->tokens[0].stem_id == stem_ids[k], what);
        }
        wm_analyzer_free(a);
        wm_analyzer_free(b);
    }
}

/* The three tables: guided, guided with Hunspell's suggestions, bare. */
static void test_cases(void)
{
    wm_engine *e = spelling_engine("sv,nb,nn,da,en", GUIDE_LEXICON, 0);

    run_cases(e, cases, sizeof cases / sizeof cases[0]);
    wm_engine_free(e);
    e = spelling_engine_mode("sv,en", GUIDE_LEXICON, WM_SPELL_SUGGEST, 0);
    run_cases(e, suggest_cases, sizeof suggest_cases / sizeof suggest_cases[0]);
    wm_engine_free(e);
    e = spelling_engine("sv,da,en", NO_PLUGIN, 0);
    run_cases(e, bare_cases, sizeof bare_cases / sizeof bare_cases[0]);
    wm_engine_free(e);
}

/* Negation reaches the extra tokens; sentence and clause marks do not. */
static void test_marks(void)
{
    wm_engine *e = spelling_engine("sv", GUIDE_LEXICON, 0);
    wm_analyzer *a = NULL;
    const wm_analysis *an;
    const char *text = "Vardcentralen var bra, men inte bemotande.";

    if (!e)
        return;
    if (CHECK_RC(wm_analyzer_new(e, "sv", &a), WM_OK) &&
        CHECK_RC(wm_analyze(a, text, strlen(text), WM_ANALYZE_ALL, &an), WM_OK)) {
        long v = find_word(an, "Vardcentralen"), b = find_word(an, "bemotande");
        CHECK(v == 0 && (an->tokens[0].flags & WM_TOK_SENT_START));
        CHECK(an->tokens[1].flags == (WM_TOK_WORD | WM_TOK_VARIANT));
        CHECK(b > 0 && (an->tokens[b].flags & WM_TOK_NEGATED));
        CHECK(b > 0 && (size_t)b + 1 < an->n_tokens &&
              an->tokens[b + 1].flags == (WM_TOK_WORD | WM_TOK_VARIANT | WM_TOK_NEGATED));
        CHECK(an->n_sentences == 1);
        /* In input order: never a token that starts before the one before. */
        for (size_t i = 1; i < an->n_tokens; i++)
            CHECK(an->tokens[i].start >= an->tokens[i - 1].start);
    }
    /* A word first met through wm_analyzer_stem() gets its extra tokens
    ** later all the same (they live in the word cache). */
    if (a) {
        const char *stem;
        size_t stem_len;
        CHECK_RC(wm_analyzer_stem(a, "vardcentralerna", 15, &stem, &stem_len), WM_OK);
        if (CHECK_RC(wm_analyze(a, "vardcentralerna", 15, 0, &an), WM_OK))
            CHECK(an->n_tokens > 1 && (an->tokens[an->n_tokens - 1].flags & WM_TOK_VARIANT));
    }
    wm_analyzer_free(a);
    wm_engine_free(e);
}

/* Digest of everything an analysis says about its tokens. */
static uint64_t digest(const wm_analysis *an)
{
    uint64_t h = UINT64_C(1469598103934665603);
#define MIX(p, n)                                              \
    for (size_t k_ = 0; k_ < (n); k_++)                        \
        h = (h ^ ((const unsigned char *)(p))[k_]) * UINT64_C(1099511628211);
    MIX(&an->n_tokens, sizeof an->n_tokens);
    for (size_t i = 0; i < an->n_tokens; i++) {
        const wm_token *t = &an->tokens[i];
        MIX(&t->start, sizeof t->start);
        MIX(&t->end, sizeof t->end);
        MIX(&t->flags, sizeof t->flags);
        MIX(t->norm, t->norm_len);
        MIX("|", 1);
        MIX(t->stem, t->stem_len);
        MIX("|", 1);
    }
#undef MIX
    return h;
}

/* Spelling off (the default, or turned off again) changes nothing: the
** same tokens as an engine that never heard of it, and no dictionaries
** among the data files. */
static void test_off(void)
{
    const char *text = "anh\xC3\xB6rigst\xC3\xB6" "det och vardcentralen, inte bemotande";
    wm_engine *plain = NULL, *off = NULL;
    wm_analyzer *a = NULL, *b = NULL;
    const wm_analysis *an;
    uint64_t d1 = 1, d2 = 2;

    CHECK_RC(wm_engine_new(NULL, &plain), WM_OK);
    CHECK_RC(wm_engine_new(NULL, &off), WM_OK);
    if (!plain || !off)
        goto done;
    CHECK_RC(wm_engine_set_spelling(off, 0, NULL), WM_OK);
    CHECK_RC(wm_engine_set_spelling(off, 1, NULL), WM_OK);
    CHECK_RC(wm_engine_set_spelling(off, 0, "/no/such/folder"), WM_OK);
    for (size_t i = 0; i < wm_engine_data_count(off); i++) {
        wm_data_info info;
        if (CHECK_RC(wm_engine_data_info(off, i, &info), WM_OK))
            CHECK(strncmp(info.name, "hunspell/", 9) != 0);
    }
    CHECK(wm_engine_data_count(off) == wm_engine_data_count(plain));
    CHECK_RC(wm_analyzer_new(plain, "sv", &a), WM_OK);
    CHECK_RC(wm_analyzer_new(off, "sv", &b), WM_OK);
    if (a && CHECK_RC(wm_analyze(a, text, strlen(text), 0, &an), WM_OK)) {
        d1 = digest(an);
        CHECK(an->n_tokens == 5);
        for (size_t i = 0; i < an->n_tokens; i++)
            CHECK(!(an->tokens[i].flags & ALT_FLAGS));
    }
    if (b && CHECK_RC(wm_analyze(b, text, strlen(text), 0, &an), WM_OK))
        d2 = digest(an);
    CHECK(d1 == d2);
done:
    wm_analyzer_free(a);
    wm_analyzer_free(b);
    wm_engine_free(plain);
    wm_engine_free(off);
}

/* A dictionary that is not there: WM_ENOTFOUND naming the file and the
** package; the engine stays as it was. Setup order: after the first
** analyzer no spelling call, after spelling no change of languages. */
static void test_setup(void)
{
    char dir[] = "/tmp/wm_test_spelling_XXXXXX";
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_analysis *an;
    const char *msg;

    if (!CHECK(mkdtemp(dir) != NULL))
        return;
    CHECK_RC(wm_engine_new(NULL, &e), WM_OK);
    if (!e)
        goto done;
    CHECK_RC(wm_engine_set_spelling(NULL, 1, NULL), WM_EINVAL);
    CHECK_RC(wm_engine_set_languages(e, "nb"), WM_OK);
    CHECK_RC(wm_engine_set_spelling(e, 1, dir), WM_ENOTFOUND);
    msg = wm_engine_errmsg(e);
    CHECK_MSG(strstr(msg, dir) && strstr(msg, "/nb_NO.dic") && strstr(msg, "hunspell-no"), msg);
    CHECK_RC(wm_engine_set_languages(e, "sv,en"), WM_OK);
    CHECK_RC(wm_engine_set_spelling(e, 1, dir), WM_ENOTFOUND);
    msg = wm_engine_errmsg(e);
    CHECK_MSG(strstr(msg, "/sv_SE.dic") && strstr(msg, "hunspell-sv"), msg);

    /* On, then a failing call: still on, with its dictionaries listed. */
    CHECK_RC(wm_engine_set_spelling(e, 1, NULL), WM_OK);
    CHECK_RC(wm_engine_set_spelling(e, 1, dir), WM_ENOTFOUND);
    CHECK_RC(wm_engine_set_languages(e, "sv"), WM_EMISUSE);
    {
        int dic = 0, aff = 0;
        for (size_t i = 0; i < wm_engine_data_count(e); i++) {
            wm_data_info info;
            if (wm_engine_data_info(e, i, &info) != WM_OK)
                continue;
            if (strcmp(info.name, "hunspell/sv_SE.dic") == 0) {
                dic++;
                CHECK(strcmp(info.source, "/usr/share/hunspell/sv_SE.dic") == 0);
                CHECK(strlen(info.fingerprint) == 16 && info.bytes > 1000000);
            }
            aff += strcmp(info.name, "hunspell/en_US.aff") == 0;
            CHECK(strcmp(info.name, "hunspell/nb_NO.dic") != 0);
        }
        CHECK(dic == 1 && aff == 1);
    }
    if (CHECK_RC(wm_analyzer_new(e, "sv", &a), WM_OK) &&
        CHECK_RC(wm_analyze(a, "vardcentralen", 13, 0, &an), WM_OK))
        CHECK(an->n_tokens == 2); /* no plugin: Hunspell's "vårdcentralen" */
    CHECK_RC(wm_engine_set_spelling(e, 0, NULL), WM_EMISUSE);
    CHECK_RC(wm_engine_set_spelling(e, 1, NULL), WM_EMISUSE);
    /* A language whose dictionary was not loaded is analysed without. */
    wm_analyzer_free(a);
    a = NULL;
    if (CHECK_RC(wm_analyzer_new(e, "nb", &a), WM_OK) &&
        CHECK_RC(wm_analyze(a, "hjemmesykepleien", 16, 0, &an), WM_OK))
        CHECK(an->n_tokens == 1);
done:
    wm_analyzer_free(a);
    wm_engine_free(e);
    rmdir(dir);
}

/* Words a plugin knows (their stems are in its lexicon) get nothing; the
** others still do, and evidence that rests on a variant says so. */
static void test_lexicon(void)
{
    wm_engine *e = spelling_engine("sv", BUILT_IN_LEXICON, 0);
    wm_analyzer *a = NULL;
    const wm_analysis *an;
    const wm_classification *cl;
    char got[512];

    if (!e)
        return;
    if (!CHECK_RC(wm_analyzer_new(e, "sv", &a), WM_OK))
        goto done;
    /* "boendestöd" is a lexicon word; "anhörig*" is a pattern, which
    ** interns no stem, so its compounds are still split. */
    if (CHECK_RC(wm_analyze(a, "boendest\xC3\xB6" "det", 13, 0, &an), WM_OK))
        CHECK(an->n_tokens == 1);
    if (CHECK_RC(wm_analyze(a, "anh\xC3\xB6rigst\xC3\xB6" "det", 15, 0, &an), WM_OK)) {
        describe_alts(an, 0, got, sizeof got);
        CHECK_STR(got, strlen(got), "P:anh\xC3\xB6rig P:st\xC3\xB6" "det");
    }
    /* "medkänsla" is in the lexicon: "medkansla" reaches it through its
    ** variant, and the evidence is marked. */
    if (CHECK_RC(wm_classify(a, "ingen medkansla alls", 20, 0, &cl), WM_OK)) {
        int marked = 0;
        for (size_t i = 0; i < cl->n_evidence; i++)
            if (cl->evidence[i].start == 6 && cl->evidence[i].end == 15)
                marked += (cl->evidence[i].flags & WM_EVIDENCE_SPELLING) != 0;
        CHECK_MSG(marked > 0, "evidence from a variant has WM_EVIDENCE_SPELLING");
    }
    if (CHECK_RC(wm_classify(a, "ingen medk\xC3\xA4nsla alls", 21, 0, &cl), WM_OK)) {
        CHECK(cl->n_evidence > 0);
        for (size_t i = 0; i < cl->n_evidence; i++)
            CHECK(!(cl->evidence[i].flags & WM_EVIDENCE_SPELLING));
    }
done:
    wm_analyzer_free(a);
    wm_engine_free(e);
}

/* --- The shared cache under threads ---------------------------------------- */

#define N_THREADS 4
#define N_ANSWERS 211 /* prime: every stride visits every answer */

static const char *const thread_words[2][16] = {
    {"anh\xC3\xB6rigst\xC3\xB6" "det", "vardcentralen", "bemotande", "sjukhusvistelsen",
     "v\xC3\xA5rdcentralspersonalen", "personalen", "hemtjanstpersonalen", "och",
     "tillhorighet", "inte", "boendest\xC3\xB6" "det", "valdigt", "vantetiden",
     "kontiniutet", "bra", "medkansla"},
    {"hjemmesykepleien", "forste", "sarlig", "maned", "sykehjemmet", "ikke",
     "legevakten", "barnehagen", "og", "kjore", "ventetiden", "fastlegen", "helsesostera",
     "sporsmal", "veldig", "bra"},
};
static const char *const thread_langs[2] = {"sv", "nb"};
static char *answers[2][N_ANSWERS];

typedef struct job {
    wm_engine *engine;              /* shared */
    int id;                         /* sets the order */
    uint64_t digests[2][N_ANSWERS]; /* per language, per answer */
    int errors;                     /* failed calls */
} job;

/* Builds answers of 1 to 12 words, some of them made up compounds, so
** that the threads miss words at the same time. */
static void make_answers(void)
{
    uint64_t seed = 7;

    for (int l = 0; l < 2; l++)
        for (int i = 0; i < N_ANSWERS; i++) {
            char *buf = malloc(1024);
            size_t len = 0;
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            for (int w = 0; w < 1 + (int)(seed >> 60) % 12; w++) {
                uint64_t r;
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                r = seed >> 33;
                /* One word in seven is made up: a word and one of three
                ** others run together. */
                len += (size_t)snprintf(buf + len, 1024 - len, "%s%s ",
                                        thread_words[l][r % 16],
                                        r % 7 == 0 ? thread_words[l][(r >> 8) % 3] : "");
            }
            answers[l][i] = buf;
        }
}

/* Analyses every answer of both languages in a thread's own order. */
static void *work(void *arg)
{
    job *j = arg;

    for (int l = 0; l < 2; l++) {
        wm_analyzer *a = NULL;
        if (wm_analyzer_new(j->engine, thread_langs[l], &a) != WM_OK) {
            j->errors++;
            continue;
        }
        for (int round = 0; round < 2; round++)
            for (int k = 0; k < N_ANSWERS; k++) {
                int i = (k * (2 * j->id + 1) + j->id * 31) % N_ANSWERS;
                const wm_analysis *an;
                if (wm_analyze(a, answers[l][i], strlen(answers[l][i]), 0, &an) != WM_OK) {
                    j->errors++;
                    continue;
                }
                j->digests[l][i] = digest(an);
            }
        wm_analyzer_free(a);
    }
    return NULL;
}

/* A reference run on one engine, then threads that miss together on a
** fresh one (its shared cache cold), with analyzer caches so small that
** they start afresh while the threads run: every digest must match. */
static void test_threads(void)
{
    static job ref, jobs[N_THREADS];
    pthread_t th[N_THREADS];
    wm_engine *e1 = spelling_engine("sv,nb", BUILT_IN_LEXICON, 0),
              *e2 = spelling_engine("sv,nb", BUILT_IN_LEXICON, 16);
    uint64_t extra = 0;

    make_answers();
    if (!e1 || !e2)
        goto done;
    ref.engine = e1;
    work(&ref);
    CHECK(ref.errors == 0);
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t].engine = e2;
        jobs[t].id = t + 1;
        CHECK(pthread_create(&th[t], NULL, work, &jobs[t]) == 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < N_THREADS; t++) {
        int same = jobs[t].errors == 0 &&
                   memcmp(jobs[t].digests, ref.digests, sizeof ref.digests) == 0;
        CHECK_MSG(same, "a thread's results equal the single-threaded run");
    }
    /* And the runs did hold extra tokens. */
    {
        wm_analyzer *a = NULL;
        const wm_analysis *an;
        if (CHECK_RC(wm_analyzer_new(e2, "sv", &a), WM_OK))
            for (int i = 0; i < N_ANSWERS; i++)
                if (wm_analyze(a, answers[0][i], strlen(answers[0][i]), 0, &an) == WM_OK)
                    for (size_t k = 0; k < an->n_tokens; k++)
                        extra += (an->tokens[k].flags & ALT_FLAGS) != 0;
        wm_analyzer_free(a);
    }
    CHECK(extra > N_ANSWERS);
done:
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < N_ANSWERS; i++)
            free(answers[l][i]);
    wm_engine_free(e1);
    wm_engine_free(e2);
}

int main(void)
{
    static const char *const dics[] = {"sv_SE", "nb_NO", "nn_NO", "da_DK", "en_US"};
    struct stat st;

    for (size_t i = 0; i < sizeof dics / sizeof dics[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/usr/share/hunspell/%s.dic", dics[i]);
        if (stat(path, &st) != 0) {
            printf("skipped: %s is missing (apt-get install hunspell-sv hunspell-no "
                   "hunspell-da hunspell-en-us)\n", path);
            return 77;
        }
    }
    if (!write_guide()) {
        printf("cannot write the guide lexicons in %s\n", guide_dir);
        return 1;
    }
    test_off();
    test_setup();
    test_cases();
    test_marks();
    test_lexicon();
    test_threads();
    remove_guide();
    return wm_test_finish();
}
