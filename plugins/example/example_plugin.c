/*
** example_plugin.c — a worked example of a whatmatters classification
** plugin: the smallest plugin that does something useful, with every part
** of the plugin ABI (whatmatters_plugin.h) shown and explained.
**
** What it does
** ------------
** It assigns an area when an answer contains one of that area's keywords.
** The keywords come from the options string the user gives on the command
** line (whatmatters classify --plugin ./example.so --options '...'):
**
**     family=dog,cat,hund,katt;hope_recovery=hope,hopp
**
** that is, clauses separated by ';', each an area id of the taxonomy, '='
** and keywords separated by ','. Spaces around names are ignored.
**
** Keywords match by stem, so that "dog" also matches "dogs" and "Dog's":
** at setup, each keyword is analysed by the engine exactly as answers will
** be (host->analyze: normalised, case-folded, stemmed in the instance's
** language), and its stem is turned into the integer id that tokens of
** answers will carry (host->intern). Per answer the plugin then compares
** integers, never strings. An area with a match scores 0.75 (assigned:
** 0.5 and above means "this area"), an area without scores 0; every
** matching token is recorded as evidence, naming the keyword as written.
**
** How to read this file
** ---------------------
** From the bottom up is the order the engine sees it: wm_plugin_entry()
** returns the descriptor; the engine checks it and calls create() once per
** language; then classify() for every answer, from many threads; and
** destroy() at the end. The parts above are the helpers they use.
**
** What it builds against
** ----------------------
** Only whatmatters_plugin.h (which includes whatmatters.h for the types of
** tokens and result codes) and the C library. It calls no function of
** libwhatmatters and must not link against it: whatever it needs from the
** engine comes through the wm_host table that create() is given. Build:
**
**     cc -std=c11 -shared -fPIC -fvisibility=hidden \
**        -I/path/to/whatmatters/include example_plugin.c \
**        -Wl,--no-undefined -o example.so
*/
#include "whatmatters_plugin.h"

#include <stddef.h> /* offsetof */
#include <stdio.h>  /* snprintf */
#include <string.h> /* memcpy, strchr, strcmp, strlen */

/* The score an area gets from any match, and the weight of each piece of
** evidence. 0.75 rather than 1: a keyword is a good hint, not proof, and a
** plugin combined with others by WM_COMBINE_MEAN should leave room for
** them to disagree. */
#define EX_SCORE 0.75

/* Whether a struct that carries struct_size (wm_host, wm_plugin_config,
** ...) is large enough to hold `field`. A struct from the host may be older
** (smaller) or newer (larger) than the header this plugin was built with;
** a field is there only when the size says so. Every field this plugin
** uses is from ABI 1.0, so the checks below can only fail against a broken
** host; a plugin that uses a service added in 1.1 would check it the same
** way and do without it (or refuse, with a message) on a 1.0 host. */
#define EX_HAS(type, ptr, field)                                             \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* One keyword, ready for matching. */
typedef struct ex_keyword {
    uint32_t area;    /* index into the taxonomy (config->area_ids) */
    uint32_t stem_id; /* the id tokens with the keyword's stem carry */
    const char *rule; /* the keyword as written, for evidence; points into
                         ex_state.text, so it lives as long as the
                         instance (the ABI asks exactly that of a rule) */
} ex_keyword;

/* An instance: everything classify() needs, made by create() and never
** changed after it. That is what makes classify() safe to call from many
** threads at once: it only reads this. */
typedef struct ex_state {
    void *ctx;                           /* host->ctx, for host_free */
    void (*host_free)(void *, void *);   /* host->free: destroy() gets no
                                            host, so the instance keeps
                                            what it needs to free itself */
    char *text;                          /* a copy of the options string,
                                            cut into NUL-terminated area ids
                                            and keywords */
    ex_keyword *keywords;                /* the keywords, in options order */
    size_t n_keywords;                   /* how many */
} ex_state;

/* ------------------------------------------------------------------------
** Memory
**
** All memory comes from the host (host->realloc, host->free) rather than
** malloc: the embedder may have given the engine its own allocator to
** account for memory or to make the Nth allocation fail in a test, and a
** plugin's memory should count too. "Whoever allocates, frees": what the
** plugin allocates the plugin frees, always with the host's free.
** --------------------------------------------------------------------- */

/* Allocates n bytes from the host; NULL when memory runs out. */
static void *ex_alloc(const wm_host *host, size_t n)
{
    return host->realloc(host->ctx, NULL, n);
}

/* Frees an instance and everything it holds. Accepts NULL, and an
** instance that create() left half-built (the header does not promise
** that the host's free accepts NULL, so NULL is never passed to it). */
static void ex_state_free(ex_state *st)
{
    if (!st)
        return;
    if (st->keywords)
        st->host_free(st->ctx, st->keywords);
    if (st->text)
        st->host_free(st->ctx, st->text);
    st->host_free(st->ctx, st);
}

/* ------------------------------------------------------------------------
** Setup: parsing the options
** --------------------------------------------------------------------- */

/* Strips ASCII spaces and tabs from both ends of a NUL-terminated string
** in place; returns the new start. */
static char *ex_trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

/* Finds an area id in the taxonomy the instance is made for. Writes its
** index to *area and returns 1, or writes a message listing the areas
** there are into err and returns 0. */
static int ex_find_area(const wm_plugin_config *config, const char *id,
                        uint32_t *area, char *err, size_t err_size)
{
    size_t used;

    for (size_t i = 0; i < config->n_areas; i++) {
        if (strcmp(config->area_ids[i], id) == 0) {
            *area = (uint32_t)i;
            return 1;
        }
    }
    /* The message is the user's only help: say what was wrong and what
    ** would have been right. snprintf never writes past err_size (it
    ** returns what it would have written, so `used` may pass err_size, and
    ** the loop stops there). */
    used = (size_t)snprintf(err, err_size, "unknown area '%s' (the taxonomy has:", id);
    for (size_t i = 0; i < config->n_areas && used < err_size; i++)
        used += (size_t)snprintf(err + used, err_size - used, " %s", config->area_ids[i]);
    if (used < err_size)
        snprintf(err + used, err_size - used, ")");
    return 0;
}

/* Adds one keyword of an area to the instance: analyses it as answers are
** analysed, checks that it is one token, and interns the token's stem.
** Returns WM_OK, or an error with a message in err. */
static int ex_add_keyword(const wm_host *host, ex_state *st, uint32_t area,
                          const char *word, char *err, size_t err_size)
{
    const wm_analysis *an = NULL;
    const wm_token *tok;
    uint32_t stem_id;
    int rc;

    /* The analysis is BORROWED: valid until the next analyze() call, so
    ** everything needed from it is taken before the next keyword. */
    rc = host->analyze(host->ctx, word, strlen(word), &an);
    if (rc != WM_OK) {
        snprintf(err, err_size, "keyword '%s' cannot be analysed (error %d)", word, rc);
        return rc;
    }
    /* Answers are matched token by token, so a keyword must be exactly
    ** one token. "ice-cream" is two ("ice", "cream") and "!" is none. */
    if (an->n_tokens != 1) {
        snprintf(err, err_size, "keyword '%s' is %zu words; this plugin matches single words "
                 "(the lexicon plugin matches phrases)", word, an->n_tokens);
        return WM_EINVAL;
    }
    tok = &an->tokens[0];
    if (tok->flags & WM_TOK_LONG) {
        snprintf(err, err_size, "keyword '%s' is longer than the engine's longest token", word);
        return WM_EINVAL;
    }

    /* The stem ("dog" for "dogs") becomes the id that every token with that
    ** stem will carry in its stem_id. */
    stem_id = host->intern(host->ctx, tok->stem, tok->stem_len);
    if (stem_id == WM_ID_NONE) {
        snprintf(err, err_size, "out of memory");
        return WM_ENOMEM;
    }

    /* "dog,dogs" in one area is one keyword twice: keep the first, so that
    ** a token never becomes evidence twice for the same area. */
    for (size_t i = 0; i < st->n_keywords; i++)
        if (st->keywords[i].area == area && st->keywords[i].stem_id == stem_id)
            return WM_OK;

    st->keywords[st->n_keywords].area = area;
    st->keywords[st->n_keywords].stem_id = stem_id;
    st->keywords[st->n_keywords].rule = word;
    st->n_keywords++;
    return WM_OK;
}

/* Parses one clause "area=word,word" (already cut out of the options and
** NUL-terminated) into keywords. Returns WM_OK or an error with a message. */
static int ex_parse_clause(const wm_host *host, const wm_plugin_config *config,
                           ex_state *st, char *clause, char *err,
                           size_t err_size)
{
    char *eq = strchr(clause, '=');
    char *id, *word, *next;
    uint32_t area;
    size_t n_words = 0;
    int rc;

    if (!eq) {
        snprintf(err, err_size, "'%s' has no '=' (write area=word,word)", ex_trim(clause));
        return WM_EINVAL;
    }
    *eq = '\0';
    id = ex_trim(clause);
    if (!ex_find_area(config, id, &area, err, err_size))
        return WM_EINVAL;

    for (word = eq + 1; word; word = next) {
        next = strchr(word, ',');
        if (next)
            *next++ = '\0';
        word = ex_trim(word);
        if (*word == '\0')
            continue; /* "dog,,cat" and a trailing ',' are forgiven */
        rc = ex_add_keyword(host, st, area, word, err, err_size);
        if (rc != WM_OK)
            return rc;
        n_words++;
    }
    if (n_words == 0) {
        snprintf(err, err_size, "area '%s' has no keywords", id);
        return WM_EINVAL;
    }
    return WM_OK;
}

/* ------------------------------------------------------------------------
** create() and destroy()
** --------------------------------------------------------------------- */

/* Makes the instance for one language. The engine calls it once for every
** language it supports ("sv", "nb", "nn", "da", "en"), at setup, from one
** thread; the same options string comes each time, and each instance
** analyses the keywords in its own language (so "hundar" matches "hund"
** in Swedish, and "dogs" matches "dog" in English).
**
** A plugin with nothing to do for a language (say, one that only knows
** Swedish) returns WM_PLUGIN_SKIP there, and no instance is made.
**
** On failure: a negative WM_E* code, a message in err (the engine puts the
** file, the plugin's name and the language in front, so the message says
** only what went wrong), and nothing leaked. */
static int ex_create(const wm_host *host, const wm_plugin_config *config,
                     void **state, char *err, size_t err_size)
{
    ex_state *st;
    size_t len, cap;
    char *clause, *next;
    int rc;

    *state = NULL;
    if (!EX_HAS(wm_host, host, intern) || !EX_HAS(wm_plugin_config, config, options)) {
        snprintf(err, err_size, "the host is older than plugin ABI 1.0");
        return WM_EPLUGIN;
    }
    if (!config->options || *config->options == '\0') {
        snprintf(err, err_size, "no keywords: give options such as "
                 "'family=dog,cat;hope_recovery=hope'");
        return WM_EINVAL;
    }

    /* The instance, zeroed by hand: host->realloc does not clear. */
    st = ex_alloc(host, sizeof *st);
    if (!st) {
        snprintf(err, err_size, "out of memory");
        return WM_ENOMEM;
    }
    st->ctx = host->ctx;
    st->host_free = host->free;
    st->text = NULL;
    st->keywords = NULL;
    st->n_keywords = 0;

    /* A private copy of the options: the engine promises nothing about the
    ** string's life after create(), and the keywords (the evidence rules)
    ** must live as long as the instance. Cutting the copy in place with
    ** NULs gives every keyword its own string without another allocation. */
    len = strlen(config->options);
    st->text = ex_alloc(host, len + 1);
    /* There are at most as many keywords as separators plus one. */
    cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += config->options[i] == ',' || config->options[i] == ';';
    st->keywords = ex_alloc(host, cap * sizeof *st->keywords);
    if (!st->text || !st->keywords) {
        ex_state_free(st);
        snprintf(err, err_size, "out of memory");
        return WM_ENOMEM;
    }
    memcpy(st->text, config->options, len + 1);

    for (clause = st->text; clause; clause = next) {
        next = strchr(clause, ';');
        if (next)
            *next++ = '\0';
        if (*ex_trim(clause) == '\0')
            continue; /* an empty clause, as after a trailing ';' */
        rc = ex_parse_clause(host, config, st, clause, err, err_size);
        if (rc != WM_OK) {
            ex_state_free(st);
            return rc;
        }
    }
    if (st->n_keywords == 0) {
        ex_state_free(st);
        snprintf(err, err_size, "no keywords in the options");
        return WM_EINVAL;
    }

    *state = st;
    return WM_OK;
}

/* Destroys an instance. The engine calls it once per instance, after the
** last classify() and after every worker of it is freed. */
static void ex_destroy(void *state)
{
    ex_state_free(state);
}

/* ------------------------------------------------------------------------
** Workers (not needed here)
**
** classify() may not write to the instance, since many threads share it.
** A plugin that needs scratch memory per answer (a table of counts, a
** buffer of candidate matches) gets it from a worker: the engine calls
** worker_new(state, &worker, err, err_size) once for each analyzer (each
** thread), passes that worker to every classify() of that thread, and
** calls worker_free(state, worker) when the analyzer goes. A worker would
** be allocated with the host's realloc, so an instance keeps the host's
** ctx and free (as ex_state does) for worker_new and worker_free to use.
**
** This plugin writes straight to out->scores and needs no scratch, so its
** descriptor sets both to NULL and classify() is given a NULL worker.
** --------------------------------------------------------------------- */

/* ------------------------------------------------------------------------
** classify()
** --------------------------------------------------------------------- */

/* Classifies one answer. in->analysis holds the tokens with their byte
** offsets into the answer, normal forms, stems, ids and flags (negation,
** sentence and clause starts: unused here, but a plugin could, say, ignore
** negated tokens with (tok->flags & WM_TOK_NEGATED)). out->scores has one
** zeroed entry per area; the plugin writes scores in [0, 1] and records
** evidence with out->add_evidence.
**
** Called from many threads at once with the same state: it reads the
** instance and writes only to `out`, which belongs to the calling thread.
** It must not allocate per answer what it could allocate per worker, must
** not block, and must return: the engine waits for it.
**
** The loop compares every token with every keyword: fine for a handful of
** keywords. A plugin with thousands (the lexicon plugin) indexes them by
** stem id instead. */
static int ex_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const ex_state *st = state;
    const wm_analysis *an = in->analysis;
    int rc;

    (void)worker; /* NULL: this plugin has no worker functions */

    for (size_t t = 0; t < an->n_tokens; t++) {
        const wm_token *tok = &an->tokens[t];

        for (size_t k = 0; k < st->n_keywords; k++) {
            const ex_keyword *kw = &st->keywords[k];

            if (tok->stem_id != kw->stem_id)
                continue;
            out->scores[kw->area] = EX_SCORE;
            /* The evidence is the token's span in the answer as the user
            ** wrote it ("dogs"), and the rule is the keyword as the analyst
            ** wrote it ("dog"): the rule string is borrowed by the engine
            ** for the instance's life, which ex_state.text guarantees. */
            rc = out->add_evidence(out, kw->area, tok->start, tok->end, EX_SCORE, kw->rule);
            if (rc != WM_OK) {
                snprintf(out->err, out->err_size, "cannot record evidence (error %d)", rc);
                return rc;
            }
        }
    }
    return WM_OK;
}

/* ------------------------------------------------------------------------
** The descriptor and the entry point
** --------------------------------------------------------------------- */

/* The descriptor: constant, static, one per plugin. abi_major and
** abi_minor say which header the plugin was built with; struct_size says
** how many fields it has, so a newer engine knows not to read fields this
** plugin does not have, and an older engine accepts a plugin built with a
** newer minor version (it reads the fields it knows). Designated
** initialisers keep it readable and leave any field not named zero. */
static const wm_plugin ex_plugin = {
    .abi_major = WM_PLUGIN_ABI_MAJOR,
    .abi_minor = WM_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(wm_plugin),
    .name = "example",            /* what --plugin lists and evidence names */
    .version = "1.0.0",           /* the plugin's own version */
    .description = "keywords from the options string: area=word,word;area=word",
    .create = ex_create,
    .destroy = ex_destroy,
    .worker_new = NULL,           /* optional: no per-thread scratch */
    .worker_free = NULL,          /* optional: NULL with worker_new */
    .classify = ex_classify,
};

/* The one symbol the plugin exports. Everything else in this file is
** static (and the build uses -fvisibility=hidden besides), so two plugins
** loaded into one process can never clash. The header does not declare
** the function, so it is declared here before it is defined (for
** -Wmissing-prototypes). */
WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &ex_plugin;
}
