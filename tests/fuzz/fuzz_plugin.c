/*
** fuzz_plugin.c — a plugin's data-file parser and its matching, on
** arbitrary bytes: one target per built-in plugin, chosen at build time
** (FUZZ_PLUGIN_ENTRY: wm_builtin_lexicon or wm_builtin_pattern,
** FUZZ_DATA_NAME: the file it reads, "sv/areas.txt" or "sv/patterns.txt").
**
** The plugin is driven through its descriptor with a host written here, as
** tests/unit/test_lexicon_plugin.c does (the target links the static
** library, where the built-in entry is): data_file() hands out the fuzz
** input, analyze() is the real public analyzer (Swedish), intern() a table
** of this file's. When the input holds a line "=====", what follows it is
** an answer to classify; otherwise a few fixed answers are. Before
** classify() each analysis is copied and its tokens given the ids of the
** table (strings the plugin never interned get ids above all of its), as
** the engine does.
**
** Checked: create() either makes an instance or refuses with a message
** (a parse error names "sv/...:line:column"); classify() gives scores in
** [0, 1] and evidence inside the answer; destroy() frees every block
** create() and the workers took.
*/
#include "fuzz.h"
#include "whatmatters_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_PLUGIN_ENTRY
#error "FUZZ_PLUGIN_ENTRY names the built-in plugin's entry"
#endif

/* Hidden in the library, reachable here through the static one. */
const wm_plugin *FUZZ_PLUGIN_ENTRY(void);

#define N_AREAS 9
#define INTERN_SLOTS 65536 /* the table's size: a power of two */
#define SEPARATOR "\n=====\n"

static const char *const area_ids[N_AREAS] = {
    "access", "respect", "whole_person", "coordination", "continuity",
    "participation", "family", "everyday_life", "hope_recovery",
};

/* Answers classified when the input names none. */
static const char *const answers[] = {
    "Att bli sedd och lyssnad p\xC3\xA5, inte v\xC3\xA4nta i telefonk\xC3\xB6 "
    "till v\xC3\xA5rdcentralen. Min familj \xC3\xA4r viktig.",
    "Jag vill kunna g\xC3\xA5 ut med hunden och tr\xC3\xA4""ffa mina barnbarn, "
    "och slippa ber\xC3\xA4tta allt igen f\xC3\xB6r nya l\xC3\xA4kare.",
    "inget",
};

static wm_engine *engine;     /* for the analyzer */
static wm_analyzer *analyzer; /* Swedish, as the instance */

/* The fake host's state, reset for every input. */
static struct {
    const uint8_t *file;             /* the data file's bytes */
    size_t file_len;                 /* their count */
    long live;                       /* blocks allocated, not freed */
    char *str[INTERN_SLOTS];         /* interned strings by slot */
    size_t len[INTERN_SLOTS];        /* their lengths */
    uint32_t id[INTERN_SLOTS];       /* their ids */
    uint32_t n;                      /* ids given */
    int full;                        /* the table ran out of room */
    uint64_t epoch;                  /* the ids' epoch last given */
} h;

static void *host_realloc(void *ctx, void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    (void)ctx;
    if (p && !ptr)
        h.live++;
    return p;
}

static void host_free(void *ctx, void *ptr)
{
    (void)ctx;
    if (ptr)
        h.live--;
    free(ptr);
}

static int host_data_file(void *ctx, const char *name, const unsigned char **bytes,
                          size_t *len, char *err, size_t err_size)
{
    (void)ctx;
    if (strcmp(name, FUZZ_DATA_NAME) != 0) {
        snprintf(err, err_size, "no data file '%s'", name);
        return WM_ENOTFOUND;
    }
    *bytes = h.file;
    *len = h.file_len;
    return WM_OK;
}

static int host_analyze(void *ctx, const char *text, size_t len, const wm_analysis **out)
{
    (void)ctx;
    return wm_analyze(analyzer, text, len, 0, out);
}

/* FNV-1a, for the table's slots. */
static uint32_t hash(const char *s, size_t len)
{
    uint32_t x = 2166136261u;

    for (size_t i = 0; i < len; i++)
        x = (x ^ (unsigned char)s[i]) * 16777619u;
    return x;
}

/* The slot of s: where it is, or the empty one where it would go; -1 when
** the table is full. */
static long slot_of(const char *s, size_t len)
{
    uint32_t i = hash(s, len) & (INTERN_SLOTS - 1);

    for (uint32_t k = 0; k < INTERN_SLOTS; k++, i = (i + 1) & (INTERN_SLOTS - 1))
        if (h.str[i] == NULL || (h.len[i] == len && memcmp(h.str[i], s, len) == 0))
            return (long)i;
    return -1;
}

static uint32_t host_intern(void *ctx, const char *s, size_t len)
{
    long i;

    (void)ctx;
    if (h.n >= INTERN_SLOTS / 2 || (i = slot_of(s, len)) < 0) {
        h.full = 1;
        return 0; /* as the engine when memory runs out */
    }
    if (h.str[i] == NULL) {
        h.str[i] = malloc(len ? len : 1);
        if (h.str[i] == NULL)
            return 0;
        memcpy(h.str[i], s, len);
        h.len[i] = len;
        h.id[i] = ++h.n;
    }
    return h.id[i];
}

static void host_mark_alone(void *ctx, uint32_t id)
{
    (void)ctx;
    FUZZ_CHECK(id >= 1 && id <= h.n);
}

/* The id of a token's string: the table's, or one above all of them. */
static uint32_t id_of(const char *s, size_t len, uint32_t unknown)
{
    long i = slot_of(s, len);

    return i >= 0 && h.str[i] != NULL ? h.id[i] : h.n + unknown;
}

/* The output's add_evidence(): as strict as the engine's. */
static int add_evidence(wm_plugin_output *out, uint32_t area, size_t start, size_t end,
                        double weight, const char *rule)
{
    const wm_analysis *an = out->host;

    (void)weight;
    FUZZ_CHECK(area < out->n_areas);
    FUZZ_CHECK(start <= end && end <= an->text_len);
    FUZZ_CHECK(rule == NULL || strlen(rule) < (size_t)1 << 20);
    return WM_OK;
}

/* Classifies one answer with the instance; checks what comes back. */
static void classify_one(const wm_plugin *p, void *state, void *worker,
                         const char *text, size_t len)
{
    const wm_analysis *an;
    wm_analysis copy;
    wm_token *tokens;
    wm_plugin_input in;
    wm_plugin_output out;
    double scores[N_AREAS + 1];
    char err[256] = "";
    int rc;

    if (wm_analyze(analyzer, text, len, 0, &an) != WM_OK)
        return;
    copy = *an;
    tokens = malloc((an->n_tokens ? an->n_tokens : 1) * sizeof *tokens);
    if (tokens == NULL)
        return;
    for (size_t i = 0; i < an->n_tokens; i++) {
        tokens[i] = an->tokens[i];
        tokens[i].norm_id = an->tokens[i].norm_len
            ? id_of(an->tokens[i].norm, an->tokens[i].norm_len, 1 + 2 * (uint32_t)i) : WM_ID_NONE;
        tokens[i].stem_id = an->tokens[i].stem_len
            ? id_of(an->tokens[i].stem, an->tokens[i].stem_len, 2 + 2 * (uint32_t)i) : WM_ID_NONE;
    }
    copy.tokens = tokens;
    memset(&in, 0, sizeof in);
    in.struct_size = sizeof in;
    in.analysis = &copy;
    /* The ids of strings not interned are made per answer (id_of), so
    ** each answer is an epoch of its own (ABI 1.3). */
    in.id_epoch = ++h.epoch;
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    out.n_areas = N_AREAS;
    memset(scores, 0, sizeof scores);
    scores[N_AREAS] = 12345.0; /* a guard: must be left alone */
    out.scores = scores;
    out.add_evidence = add_evidence;
    out.host = &copy;
    out.err = err;
    out.err_size = sizeof err;
    rc = p->classify(state, worker, &in, &out);
    FUZZ_CHECK(scores[N_AREAS] == 12345.0);
    if (rc == WM_OK) {
        for (size_t i = 0; i < N_AREAS; i++)
            FUZZ_CHECK(scores[i] >= 0.0 && scores[i] <= 1.0);
    } else {
        FUZZ_CHECK(rc < 0 && err[0] != '\0');
    }
    free(tokens);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const wm_plugin *p = FUZZ_PLUGIN_ENTRY();
    wm_host host;
    wm_plugin_config cfg;
    void *state = NULL, *worker = NULL;
    char err[512] = "";
    const uint8_t *answer = NULL;
    size_t answer_len = 0;
    int rc;

    if (engine == NULL) {
        if (wm_engine_new(NULL, &engine) != WM_OK ||
            wm_analyzer_new(engine, "sv", &analyzer) != WM_OK)
            fuzz_fail("cannot make the Swedish analyzer");
    }
    memset(&h, 0, sizeof h);
    h.file = data;
    h.file_len = size;
    for (size_t i = 0; size >= strlen(SEPARATOR) && i <= size - strlen(SEPARATOR); i++)
        if (memcmp(data + i, SEPARATOR, strlen(SEPARATOR)) == 0) {
            h.file_len = i + 1; /* the file keeps its last newline */
            answer = data + i + strlen(SEPARATOR);
            answer_len = size - (i + strlen(SEPARATOR));
            break;
        }

    memset(&host, 0, sizeof host);
    host.struct_size = sizeof host;
    host.realloc = host_realloc;
    host.free = host_free;
    host.data_file = host_data_file;
    host.analyze = host_analyze;
    host.intern = host_intern;
    host.mark_alone = host_mark_alone;
    memset(&cfg, 0, sizeof cfg);
    cfg.struct_size = sizeof cfg;
    cfg.lang = "sv";
    cfg.n_areas = N_AREAS;
    cfg.area_ids = area_ids;

    rc = p->create(&host, &cfg, &state, err, sizeof err);
    if (getenv("WM_FUZZ_VERBOSE") != NULL) /* to see what a seed reaches */
        fprintf(stderr, "create: %d %s\n", rc, err);
    if (rc == WM_OK && state != NULL) {
        if (p->worker_new != NULL) {
            rc = p->worker_new(state, &worker, err, sizeof err);
            FUZZ_CHECK(rc == WM_OK);
        }
        if (answer != NULL) {
            classify_one(p, state, worker, (const char *)answer, answer_len);
        } else {
            for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
                classify_one(p, state, worker, answers[i], strlen(answers[i]));
        }
        if (p->worker_free != NULL)
            p->worker_free(state, worker);
        p->destroy(state);
    } else if (rc != WM_PLUGIN_SKIP && rc != WM_OK) {
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(err[0] != '\0' || h.full);
    }
    FUZZ_CHECK(h.live == 0);
    for (size_t i = 0; i < INTERN_SLOTS; i++)
        free(h.str[i]);
    return 0;
}
