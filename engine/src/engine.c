/*
** engine.c — versions, result codes, languages and the engine handle.
**
** The engine is what analyzers share: options and word lists. It is built
** by one thread (setup calls), frozen by the first analyzer, and read by
** all of them from then on without locks.
*/
#include "wm_internal.h"
#include "langid.h"
#include "sharedcache.h"
#include "normalize.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* --- Version ------------------------------------------------------------ */

WM_API const char *wm_version(void)
{
    return WM_VERSION;
}

WM_API int wm_version_number(void)
{
    return WM_VERSION_NUMBER;
}

/* --- Result codes ------------------------------------------------------- */

/* Names every code from the one list in whatmatters.h. */
WM_API const char *wm_strerror(int rc)
{
    switch (rc) {
#define WM_X_CASE(name, value, text) case value: return text;
        WM_RESULT_LIST(WM_X_CASE)
#undef WM_X_CASE
    default:
        return "unknown result code";
    }
}

/* Formats a handle's message; see wm_internal.h. */
int wm__error(char *errmsg, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(errmsg, WM_ERRMSG_SIZE, fmt, ap);
    va_end(ap);
    return rc;
}

/* --- Languages ---------------------------------------------------------- */

/* The supported languages, in index order, and Snowball's names for them.
** Nynorsk has no Snowball stemmer of its own: the Norwegian one serves
** both written forms, while the word lists stay separate. */
static const char *const lang_codes[WM_NLANGS + 1] = {"sv", "nb", "nn", "da", "en", NULL};
static const char *const lang_snowball[WM_NLANGS] = {
    "swedish", "norwegian", "norwegian", "danish", "english"};

int wm__lang_index(const char *code)
{
    if (!code)
        return -1;
    if (strcmp(code, "no") == 0)
        return 1;
    for (int i = 0; i < WM_NLANGS; i++)
        if (strcmp(code, lang_codes[i]) == 0)
            return i;
    return -1;
}

const char *wm__lang_code(int index)
{
    return lang_codes[index];
}

const char *wm__lang_snowball(int index)
{
    return lang_snowball[index];
}

WM_API int wm_lang_check(const char *code)
{
    return wm__lang_index(code) >= 0 ? WM_OK : WM_ELANG;
}

WM_API const char *const *wm_lang_list(void)
{
    return lang_codes;
}

/* --- Engine ------------------------------------------------------------- */

/*
** Builds one language's lists from the texts of its two files, into a
** fresh wm_wordlists, so that a failure leaves the engine's lists intact.
*/
static int build_lists(wm_engine *e, wm_wordlists *out, wm_normbuf *nb,
                       const unsigned char *texts[2], const size_t lens[2],
                       const char *names[2])
{
    static const char *const kinds[2] = {"stopwords", "negation"};
    int rc = WM_OK;

    wm_wordlists_init(out, &e->alloc);
    for (int k = 0; k < 2 && rc == WM_OK; k++)
        rc = wm_wordlists_parse(out, nb, kinds[k], texts[k], lens[k], names[k],
                                e->errmsg);
    if (rc != WM_OK)
        wm_wordlists_free(out);
    return rc;
}

const wm_builtin_file *wm__builtin_file(const char *name)
{
    for (const wm_builtin_file *f = wm_builtin_files; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    for (const wm_builtin_file *f = wm_builtin_models; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* The built-in text of one language's list of a kind. */
static const wm_builtin_file *builtin(const char *lang, const char *kind)
{
    char name[64];

    snprintf(name, sizeof name, "%s/%s.txt", lang, kind);
    return wm__builtin_file(name);
}

/* --- Data files used --------------------------------------------------- */

/* FNV-1a, 64 bits: a content identity for reproducibility records. */
static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* A copy of a string through the engine's allocator. */
static char *dup_string(wm_engine *e, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = wm__malloc(&e->alloc, n);

    if (p)
        memcpy(p, s, n);
    return p;
}

int wm__data_note(wm_engine *e, const char *name, const char *source,
                  const unsigned char *bytes, size_t len)
{
    wm_data_entry *d = NULL;
    char *name_copy, *source_copy;

    for (size_t i = 0; i < e->n_data; i++)
        if (strcmp(e->data[i].name, name) == 0)
            d = &e->data[i];
    name_copy = dup_string(e, name);
    source_copy = dup_string(e, source);
    if (!name_copy || !source_copy ||
        (!d && wm__grow(&e->alloc, (void **)&e->data, &e->cap_data, e->n_data + 1,
                        sizeof *e->data) != WM_OK)) {
        wm__free(&e->alloc, name_copy);
        wm__free(&e->alloc, source_copy);
        return WM_ENOMEM;
    }
    if (d) {
        wm__free(&e->alloc, d->name);
        wm__free(&e->alloc, d->source);
    } else {
        d = &e->data[e->n_data++];
    }
    d->name = name_copy;
    d->source = source_copy;
    d->hash = fnv1a64(bytes, len);
    d->bytes = len;
    return WM_OK;
}

WM_API size_t wm_engine_data_count(const wm_engine *engine)
{
    return engine ? engine->n_data : 0;
}

WM_API int wm_engine_data_info(const wm_engine *engine, size_t i, wm_data_info *info)
{
    const wm_data_entry *d;

    if (!engine || !info || i >= engine->n_data)
        return WM_EINVAL;
    d = &engine->data[i];
    info->name = d->name;
    info->source = d->source;
    snprintf(info->fingerprint, sizeof info->fingerprint, "%016llx", (unsigned long long)d->hash);
    info->bytes = d->bytes;
    return WM_OK;
}

/* Loads every language's built-in lists into a new engine. */
static int load_builtin(wm_engine *e, wm_normbuf *nb)
{
    for (int i = 0; i < WM_NLANGS; i++) {
        const wm_builtin_file *stop = builtin(lang_codes[i], "stopwords");
        const wm_builtin_file *neg = builtin(lang_codes[i], "negation");
        const unsigned char *texts[2];
        size_t lens[2];
        const char *names[2] = {"built-in stopwords.txt", "built-in negation.txt"};
        int rc;

        if (!stop || !neg)
            return wm__error(e->errmsg, WM_EPARSE, "no built-in word lists for '%s'",
                             lang_codes[i]);
        texts[0] = stop->data, lens[0] = stop->len;
        texts[1] = neg->data, lens[1] = neg->len;
        rc = build_lists(e, &e->lists[i], nb, texts, lens, names);
        if (rc == WM_OK)
            rc = wm__data_note(e, stop->name, "built-in", stop->data, stop->len);
        if (rc == WM_OK)
            rc = wm__data_note(e, neg->name, "built-in", neg->data, neg->len);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

WM_API int wm_engine_new(const wm_engine_options *options, wm_engine **out)
{
    wm_engine_options opt;
    const wm_allocator *al = &wm__default_allocator;
    wm_engine *e;
    wm_normbuf nb;
    int rc;

    if (!out)
        return WM_EINVAL;
    *out = NULL;
    memset(&opt, 0, sizeof opt);
    if (options) {
        if (options->struct_size < offsetof(wm_engine_options, cache_entries) +
                                       sizeof options->cache_entries)
            return WM_EINVAL;
        memcpy(&opt, options,
               options->struct_size < sizeof opt ? options->struct_size : sizeof opt);
        if (opt.allocator) {
            if (!opt.allocator->realloc || !opt.allocator->free)
                return WM_EINVAL;
            al = opt.allocator;
        }
    }
    e = wm__calloc(al, 1, sizeof *e);
    if (!e)
        return WM_ENOMEM;
    e->alloc = *al;
    e->max_text_len = opt.max_text_len ? opt.max_text_len : WM_DEFAULT_MAX_TEXT_LEN;
    e->max_token_len = opt.max_token_len ? opt.max_token_len : WM_DEFAULT_MAX_TOKEN_LEN;
    e->cache_entries = opt.cache_entries ? opt.cache_entries : WM_DEFAULT_CACHE_ENTRIES;
    atomic_init(&e->frozen, 0);
    atomic_init(&e->langid, NULL);
    for (int i = 0; i < WM_NLANGS; i++)
        atomic_init(&e->shared[i], NULL);
    e->combine = WM_COMBINE_MAX;
    e->langs = (1u << WM_NLANGS) - 1;
    wm__hosts_init(e);
    for (int i = 0; i < WM_NLANGS; i++) {
        wm_wordlists_init(&e->lists[i], &e->alloc);
        wm_intern_init(&e->vocab[i], &e->alloc);
    }

    wm_normbuf_init(&nb, &e->alloc);
    rc = load_builtin(e, &nb);
    wm_normbuf_free(&nb);
    if (rc == WM_OK) {
        const wm_builtin_file *t = wm__builtin_file("taxonomy.txt");
        rc = t ? wm_taxonomy_parse(&e->taxonomy, &e->alloc, t->data, t->len,
                                   "built-in taxonomy.txt", e->errmsg)
               : WM_EPARSE;
        e->taxonomy_builtin = 1;
        if (rc == WM_OK)
            rc = wm__data_note(e, t->name, "built-in", t->data, t->len);
    }
    /* The detection model is built by the first detection (langid.c):
    ** ~60 M instructions that a run with a given language never needs. Its
    ** profiles are listed all the same, as they decide what --lang auto
    ** codes. */
    for (int i = 0; i < WM_NLANGS && rc == WM_OK; i++) {
        char name[64];
        const wm_builtin_file *f;
        snprintf(name, sizeof name, "langid/%s.txt", lang_codes[i]);
        if ((f = wm__builtin_file(name)) != NULL)
            rc = wm__data_note(e, f->name, "built-in", f->data, f->len);
    }
    if (rc != WM_OK) {
        wm_engine_free(e);
        return rc;
    }
    *out = e;
    return WM_OK;
}

WM_API void wm_engine_free(wm_engine *engine)
{
    wm_allocator al;

    if (!engine)
        return;
    al = engine->alloc;
    wm__plugins_free(engine);
    wm__spell_free(engine);
    for (int i = 0; i < WM_NLANGS; i++) {
        wm_wordlists_free(&engine->lists[i]);
        wm_intern_free(&engine->vocab[i]);
        wm_sharedcache_free(atomic_load(&engine->shared[i]));
    }
    wm_taxonomy_free(&engine->taxonomy, &al);
    wm_langid_free(atomic_load(&engine->langid), &al);
    for (size_t i = 0; i < engine->n_data; i++) {
        wm__free(&al, engine->data[i].name);
        wm__free(&al, engine->data[i].source);
    }
    wm__free(&al, engine->data);
    wm__free(&al, engine->data_dir);
    wm__free(&al, engine);
}

WM_API const char *wm_engine_errmsg(const wm_engine *engine)
{
    return engine ? engine->errmsg : "no engine";
}

/*
** Reads a whole file through the engine's allocator. A missing file is
** WM_OK with *text NULL (the caller keeps the built-in list); any other
** failure is WM_EIO naming the file and the system's reason.
*/
int wm__read_file(wm_engine *e, const char *path, unsigned char **text,
                  size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;

    *text = NULL;
    *len = 0;
    if (!f)
        return errno == ENOENT ? WM_OK
                               : wm__error(e->errmsg, WM_EIO, "%s: %s", path,
                                           strerror(errno));
    for (;;) {
        size_t got;
        if (wm__grow(&e->alloc, (void **)&buf, &cap, n + 4096, 1) != WM_OK) {
            fclose(f);
            wm__free(&e->alloc, buf);
            return wm__error(e->errmsg, WM_ENOMEM, "%s: out of memory", path);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        wm__free(&e->alloc, buf);
        return wm__error(e->errmsg, WM_EIO, "%s: read error", path);
    }
    fclose(f);
    *text = buf;
    *len = n;
    return WM_OK;
}

WM_API int wm_engine_load_wordlists(wm_engine *engine, const char *dir)
{
    wm_wordlists fresh[WM_NLANGS];
    wm_normbuf nb;
    int rc = WM_OK, built = 0, found = 0;

    if (!engine || !dir)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    wm_normbuf_init(&nb, &engine->alloc);
    for (; built < WM_NLANGS && rc == WM_OK; built++) {
        static const char *const kinds[2] = {"stopwords", "negation"};
        unsigned char *files[2] = {NULL, NULL};
        const unsigned char *texts[2];
        size_t lens[2];
        char paths[2][4096];
        const char *names[2] = {paths[0], paths[1]};

        for (int k = 0; k < 2 && rc == WM_OK; k++) {
            const wm_builtin_file *b = builtin(lang_codes[built], kinds[k]);
            snprintf(paths[k], sizeof paths[k], "%s/%s/%s.txt", dir,
                     lang_codes[built], kinds[k]);
            rc = wm__read_file(engine, paths[k], &files[k], &lens[k]);
            found += files[k] != NULL;
            texts[k] = files[k];
            if (rc == WM_OK && !files[k]) {
                texts[k] = b->data; /* no such file: keep the built-in list */
                lens[k] = b->len;
                snprintf(paths[k], sizeof paths[k], "built-in %s.txt", kinds[k]);
            }
        }
        if (rc == WM_OK)
            rc = build_lists(engine, &fresh[built], &nb, texts, lens, names);
        for (int k = 0; k < 2 && rc == WM_OK; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s/%s.txt", lang_codes[built], kinds[k]);
            if (files[k])
                rc = wm__data_note(engine, name, paths[k], files[k], lens[k]);
        }
        wm__free(&engine->alloc, files[0]);
        wm__free(&engine->alloc, files[1]);
        if (rc != WM_OK)
            break;
    }
    wm_normbuf_free(&nb);
    if (rc == WM_OK && found == 0)
        rc = wm__error(engine->errmsg, WM_EIO,
                       "%s: no word lists there (expected LANG/stopwords.txt "
                       "or LANG/negation.txt)", dir);
    if (rc != WM_OK) {
        for (int i = 0; i < built; i++)
            wm_wordlists_free(&fresh[i]);
        return rc;
    }
    for (int i = 0; i < WM_NLANGS; i++) {
        wm_wordlists_free(&engine->lists[i]);
        engine->lists[i] = fresh[i];
    }
    return WM_OK;
}

/* --- Setup of classification -------------------------------------------- */

int wm__frozen(wm_engine *e)
{
    if (!atomic_load(&e->frozen))
        return 0;
    wm__error(e->errmsg, WM_EMISUSE, "the engine is in use by analyzers: set it up before");
    return 1;
}

WM_API int wm_engine_load_taxonomy(wm_engine *engine, const char *path)
{
    wm_taxonomy fresh;
    unsigned char *text = NULL;
    size_t len = 0;
    int rc;

    if (!engine || !path)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    if (engine->n_plugins)
        return wm__error(engine->errmsg, WM_EMISUSE,
                         "load the taxonomy before adding plugins (they are made for it)");
    rc = wm__read_file(engine, path, &text, &len);
    if (rc == WM_OK && !text)
        rc = wm__error(engine->errmsg, WM_EIO, "%s: %s", path, strerror(ENOENT));
    if (rc != WM_OK)
        return rc;
    memset(&fresh, 0, sizeof fresh);
    rc = wm_taxonomy_parse(&fresh, &engine->alloc, text, len, path, engine->errmsg);
    if (rc == WM_OK && wm__data_note(engine, "taxonomy.txt", path, text, len) != WM_OK) {
        wm_taxonomy_free(&fresh, &engine->alloc);
        rc = wm__error(engine->errmsg, WM_ENOMEM, "out of memory");
    }
    wm__free(&engine->alloc, text);
    if (rc != WM_OK)
        return rc;
    wm_taxonomy_free(&engine->taxonomy, &engine->alloc);
    engine->taxonomy = fresh;
    engine->taxonomy_builtin = 0;
    return WM_OK;
}

WM_API int wm_engine_set_data_dir(wm_engine *engine, const char *dir)
{
    struct stat st;
    char *copy;

    if (!engine || !dir)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return wm__error(engine->errmsg, WM_EIO, "%s: %s", dir,
                         errno ? strerror(errno) : "not a folder");
    copy = wm__malloc(&engine->alloc, strlen(dir) + 1);
    if (!copy)
        return wm__error(engine->errmsg, WM_ENOMEM, "out of memory");
    strcpy(copy, dir);
    wm__free(&engine->alloc, engine->data_dir);
    engine->data_dir = copy;
    return WM_OK;
}

WM_API int wm_engine_set_combine(wm_engine *engine, int rule)
{
    if (!engine)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    if (rule != WM_COMBINE_MAX && rule != WM_COMBINE_MEAN)
        return wm__error(engine->errmsg, WM_EINVAL, "unknown combination rule %d", rule);
    engine->combine = rule;
    return WM_OK;
}

WM_API int wm_engine_set_plugin_time_limit(wm_engine *engine, unsigned ms)
{
    if (!engine)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    engine->plugin_time_limit = ms;
    return WM_OK;
}

WM_API int wm_engine_set_languages(wm_engine *engine, const char *langs)
{
    unsigned mask = 0;
    const char *p = langs;

    if (!engine || !langs)
        return WM_EINVAL;
    engine->errmsg[0] = '\0';
    if (wm__frozen(engine))
        return WM_EMISUSE;
    if (engine->n_plugins)
        return wm__error(engine->errmsg, WM_EMISUSE,
                         "choose the languages before adding plugins");
    for (int i = 0; i < WM_NLANGS; i++)
        if (engine->spell[i])
            return wm__error(engine->errmsg, WM_EMISUSE,
                             "choose the languages before turning spelling on "
                             "(its dictionaries are loaded for them)");
    while (*p) {
        char code[16];
        size_t n = strcspn(p, ",");
        int index;
        if (n == 0 || n >= sizeof code)
            return wm__error(engine->errmsg, WM_ELANG, "bad language list '%s'", langs);
        memcpy(code, p, n);
        code[n] = '\0';
        index = wm__lang_index(code);
        if (index < 0)
            return wm__error(engine->errmsg, WM_ELANG, "unknown language '%s' in '%s'",
                             code, langs);
        mask |= 1u << index;
        p += n + (p[n] == ',');
    }
    if (!mask)
        return wm__error(engine->errmsg, WM_ELANG, "no language in '%s'", langs);
    engine->langs = mask;
    return WM_OK;
}

WM_API size_t wm_engine_area_count(const wm_engine *engine)
{
    return engine ? engine->taxonomy.n_areas : 0;
}

WM_API const char *wm_engine_area_id(const wm_engine *engine, size_t area)
{
    return engine && area < engine->taxonomy.n_areas ? engine->taxonomy.ids[area] : NULL;
}

WM_API const char *wm_engine_area_name(const wm_engine *engine, size_t area, const char *lang)
{
    int li;

    if (!engine || area >= engine->taxonomy.n_areas)
        return NULL;
    li = wm__lang_index(lang);
    if (li >= 0 && engine->taxonomy.names[area][li])
        return engine->taxonomy.names[area][li];
    li = wm__lang_index("en");
    if (engine->taxonomy.names[area][li])
        return engine->taxonomy.names[area][li];
    return engine->taxonomy.ids[area];
}
