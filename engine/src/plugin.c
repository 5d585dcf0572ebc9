/*
** plugin.c — loading plugins and the services the engine gives them.
**
** A plugin is either built in (named) or a shared object (a path with a
** '/', never looked up in the current folder). Either way the engine holds
** only its descriptor, which it checks field by field against the ABI
** version and size the plugin declares before it calls anything, and one
** instance per language made by create() with a wm_host table. Every
** refusal names the file and the step, since the person reading it is
** usually the plugin's author.
*/
#define _POSIX_C_SOURCE 200809L
#include "wm_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifdef WM_HAVE_LEXICON
const wm_plugin *wm_builtin_lexicon(void);
#endif
const wm_plugin *wm_builtin_pattern(void);
#ifdef WM_HAVE_SUPERVISED
const wm_plugin *wm_builtin_supervised(void);
#endif

/* The plugins built into the library, by name. */
static const struct {
    const char *name;               /* what --plugin names */
    const wm_plugin *(*entry)(void); /* its descriptor */
} builtins[] = {
#ifdef WM_HAVE_LEXICON
    {"lexicon", wm_builtin_lexicon},
#endif
    {"pattern", wm_builtin_pattern},
#ifdef WM_HAVE_SUPERVISED
    {"supervised", wm_builtin_supervised},
#endif
    {NULL, NULL},
};

/* The number of built-in plugins (the table's last row is its end). */
#define N_BUILTINS (sizeof builtins / sizeof builtins[0] - 1)

/* The 1.0 part of the descriptor, which every plugin must have. */
#define DESCRIPTOR_1_0 (offsetof(wm_plugin, classify) + sizeof(void *))

typedef wm_host_ctx setup_ctx;

/* --- Host services -------------------------------------------------- */

static void *host_realloc(void *ctx, void *ptr, size_t size)
{
    return wm__realloc(&((setup_ctx *)ctx)->engine->alloc, ptr, size);
}

static void host_free(void *ctx, void *ptr)
{
    wm__free(&((setup_ctx *)ctx)->engine->alloc, ptr);
}

/* Reads a whole file through the engine's allocator; WM_ENOTFOUND when it
** does not exist. */
static int slurp(wm_engine *e, const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, got;

    if (!f)
        return errno == ENOENT ? WM_ENOTFOUND : WM_EIO;
    do {
        if (wm__grow(&e->alloc, (void **)&buf, &cap, n + 65536, 1) != WM_OK) {
            fclose(f);
            wm__free(&e->alloc, buf);
            return WM_ENOMEM;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        fclose(f);
        wm__free(&e->alloc, buf);
        return WM_EIO;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return WM_OK;
}

/* A data file from the engine's folder, else built in. */
static int host_data_file(void *ctx, const char *name, const unsigned char **bytes,
                          size_t *len, char *err, size_t err_size)
{
    setup_ctx *c = ctx;
    wm_engine *e = c->engine;
    const wm_builtin_file *b;

    if (e->data_dir) {
        char path[4096];
        unsigned char *buf;
        int rc;
        snprintf(path, sizeof path, "%s/%s", e->data_dir, name);
        if (c->n_files == WM_SETUP_FILES) {
            snprintf(err, err_size, "more than %d data files in one create()", WM_SETUP_FILES);
            return WM_EINVAL;
        }
        rc = slurp(e, path, &buf, len);
        if (rc == WM_OK) {
            c->files[c->n_files++] = buf;
            *bytes = buf;
            if (wm__data_note(e, name, path, buf, *len) != WM_OK) {
                snprintf(err, err_size, "out of memory");
                return WM_ENOMEM;
            }
            return WM_OK;
        }
        if (rc != WM_ENOTFOUND) {
            snprintf(err, err_size, "%s: %s", path, wm_strerror(rc));
            return rc;
        }
    }
    /* The built-in files are written for the built-in taxonomy. */
    b = e->taxonomy_builtin ? wm__builtin_file(name) : NULL;
    if (!b) {
        snprintf(err, err_size, "no data file '%s' (looked in %s and the built-in files)",
                 name, e->data_dir ? e->data_dir : "no data folder");
        return WM_ENOTFOUND;
    }
    if (wm__data_note(e, name, "built-in", b->data, b->len) != WM_OK) {
        snprintf(err, err_size, "out of memory");
        return WM_ENOMEM;
    }
    *bytes = b->data;
    *len = b->len;
    return WM_OK;
}

/* Analyses a plugin's own string with the engine's setup analyzer. */
static int host_analyze(void *ctx, const char *text, size_t len, const wm_analysis **out)
{
    setup_ctx *c = ctx;
    int rc;

    if (!c->analyzer) {
        rc = wm__analyzer_make(c->engine, c->lang, 0, &c->analyzer);
        if (rc != WM_OK)
            return rc;
    }
    return wm_analyze(c->analyzer, text, len, 0, out);
}

/* Gives a string the id tokens will carry for it. */
static uint32_t host_intern(void *ctx, const char *s, size_t len)
{
    setup_ctx *c = ctx;
    uint32_t id;

    if (wm_intern_add(&c->engine->vocab[c->lang], s, len, wm_hash(s, len), &id) != WM_OK)
        return 0;
    return id;
}

/* Marks an interned string as one that matches alone: WM_VOCAB_ALONE in
** the entry's val. */
static void host_mark_alone(void *ctx, uint32_t id)
{
    setup_ctx *c = ctx;
    wm_intern *v = &c->engine->vocab[c->lang];

    if (id == 0 || id > wm_intern_count(v))
        return;
    wm_intern_get(v, id)->val |= WM_VOCAB_ALONE;
}

/* --- Loading -------------------------------------------------------- */

/* Checks a descriptor before anything in it is called. */
static int check_descriptor(wm_engine *e, const wm_plugin *d, const char *src)
{
    if (!d)
        return wm__error(e->errmsg, WM_EPLUGIN, "%s: wm_plugin_entry() returned no descriptor", src);
    if (d->abi_major != WM_PLUGIN_ABI_MAJOR)
        return wm__error(e->errmsg, WM_EPLUGIN,
                         "%s: built for plugin ABI major %u, this library has ABI major %d",
                         src, (unsigned)d->abi_major, WM_PLUGIN_ABI_MAJOR);
    if (d->struct_size < DESCRIPTOR_1_0)
        return wm__error(e->errmsg, WM_EPLUGIN,
                         "%s: descriptor too small: %zu bytes, ABI 1.0 needs %zu",
                         src, d->struct_size, (size_t)DESCRIPTOR_1_0);
    if (!d->name || !d->name[0])
        return wm__error(e->errmsg, WM_EPLUGIN, "%s: the descriptor has no name", src);
    for (const char *p = d->name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_'))
            return wm__error(e->errmsg, WM_EPLUGIN,
                             "%s: plugin name '%s' may hold only letters, digits and _", src, d->name);
    if (!d->create || !d->destroy || !d->classify)
        return wm__error(e->errmsg, WM_EPLUGIN, "%s: plugin '%s' lacks the function %s",
                         src, d->name, !d->create ? "create" : !d->destroy ? "destroy" : "classify");
    if (!d->worker_new != !d->worker_free)
        return wm__error(e->errmsg, WM_EPLUGIN,
                         "%s: plugin '%s' has only one of worker_new and worker_free", src, d->name);
    for (size_t i = 0; i < e->n_plugins; i++)
        if (strcmp(e->plugins[i].desc->name, d->name) == 0)
            return wm__error(e->errmsg, WM_EPLUGIN, "%s: a plugin named '%s' is already added",
                             src, d->name);
    return WM_OK;
}

/* Destroys a slot's instances and closes its file. */
static void free_slot(wm_engine *e, wm_plugin_slot *s)
{
    for (int l = 0; l < WM_NLANGS; l++)
        if (s->state[l])
            s->desc->destroy(s->state[l]);
    if (s->dl)
        dlclose(s->dl);
    wm__free(&e->alloc, s->source);
    memset(s, 0, sizeof *s);
}

/* Fills the engine's service table and context for each language: they
** live as long as the engine, so plugins may keep them. */
void wm__hosts_init(wm_engine *e)
{
    for (int l = 0; l < WM_NLANGS; l++) {
        wm_host *h = &e->host[l];
        memset(h, 0, sizeof *h);
        memset(&e->host_ctx[l], 0, sizeof e->host_ctx[l]);
        e->host_ctx[l].engine = e;
        e->host_ctx[l].lang = l;
        h->struct_size = sizeof *h;
        h->ctx = &e->host_ctx[l];
        h->realloc = host_realloc;
        h->free = host_free;
        h->data_file = host_data_file;
        h->analyze = host_analyze;
        h->intern = host_intern;
        h->mark_alone = host_mark_alone;
    }
}

/* Releases what one create() left in a context (its analyzer and files). */
static void end_setup(setup_ctx *c)
{
    wm_analyzer_free(c->analyzer);
    c->analyzer = NULL;
    for (int f = 0; f < c->n_files; f++)
        wm__free(&c->engine->alloc, c->files[f]);
    c->n_files = 0;
}

/* Makes the plugin's instance for every language. */
static int create_instances(wm_engine *e, wm_plugin_slot *s, const char *options)
{
    wm_plugin_config cfg;

    memset(&cfg, 0, sizeof cfg);
    cfg.struct_size = sizeof cfg;
    cfg.n_areas = e->taxonomy.n_areas;
    cfg.area_ids = (const char *const *)e->taxonomy.ids;
    cfg.options = options;

    for (int l = 0; l < WM_NLANGS; l++) {
        char err[WM_ERRMSG_SIZE / 2] = "";
        int rc;

        if (!(e->langs & (1u << l)))
            continue; /* not asked for: wm_engine_set_languages() */
        cfg.lang = wm__lang_code(l);
        rc = s->desc->create(&e->host[l], &cfg, &s->state[l], err, sizeof err);
        end_setup(&e->host_ctx[l]);
        if (rc == WM_PLUGIN_SKIP || (rc == WM_OK && !s->state[l])) {
            s->state[l] = NULL;
            continue;
        }
        if (rc != WM_OK) {
            /* A user's data that does not parse or read keeps its code. */
            int code = (rc == WM_EINVAL || rc == WM_EPARSE || rc == WM_EIO ||
                        rc == WM_ENOTFOUND || rc == WM_ENOMEM) ? rc : WM_EPLUGIN;
            s->state[l] = NULL;
            return wm__error(e->errmsg, code, "%s: plugin '%s' failed to start for '%s': %s",
                             s->source, s->desc->name, cfg.lang, err[0] ? err : wm_strerror(rc));
        }
    }
    return WM_OK;
}

WM_API int wm_engine_add_plugin(wm_engine *e, const char *plugin, const char *options)
{
    wm_plugin_slot s;
    int rc;

    if (!e || !plugin)
        return WM_EINVAL;
    e->errmsg[0] = '\0';
    if (wm__frozen(e))
        return WM_EMISUSE;
    memset(&s, 0, sizeof s);
    if (!strchr(plugin, '/')) {
        for (int i = 0; builtins[i].name; i++)
            if (strcmp(builtins[i].name, plugin) == 0)
                s.desc = builtins[i].entry();
        if (!s.desc) {
            size_t n = strlen(plugin), used = 0;
            int has_so = n > 3 && strcmp(plugin + n - 3, ".so") == 0;
            char names[128] = "none";

            for (size_t i = 0; i < N_BUILTINS && used < sizeof names; i++)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                         i ? ", " : "", builtins[i].name);
            return wm__error(e->errmsg, WM_ENOTFOUND,
                             "no built-in plugin '%s' (built in: %s); a plugin file is named "
                             "by a path with a '/', such as ./%s%s",
                             plugin, names, plugin, has_so ? "" : ".so");
        }
    } else {
        struct stat st;
        wm_plugin_entry_fn entry;
        if (stat(plugin, &st) != 0)
            return wm__error(e->errmsg, WM_ENOTFOUND, "%s: %s", plugin, strerror(errno));
        s.dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
        if (!s.dl)
            return wm__error(e->errmsg, WM_EPLUGIN, "%s: cannot load: %s", plugin, dlerror());
        *(void **)&entry = dlsym(s.dl, WM_PLUGIN_ENTRY_SYMBOL);
        if (!entry) {
            dlclose(s.dl);
            return wm__error(e->errmsg, WM_EPLUGIN,
                             "%s: no symbol wm_plugin_entry (is it a whatmatters plugin?)", plugin);
        }
        s.desc = entry();
    }
    s.source = wm__malloc(&e->alloc, strlen(plugin) + 1);
    if (!s.source) {
        if (s.dl)
            dlclose(s.dl);
        return wm__error(e->errmsg, WM_ENOMEM, "out of memory");
    }
    strcpy(s.source, plugin);
    rc = check_descriptor(e, s.desc, s.source);
    if (rc == WM_OK && wm__grow(&e->alloc, (void **)&e->plugins, &e->cap_plugins,
                                e->n_plugins + 1, sizeof *e->plugins) != WM_OK)
        rc = wm__error(e->errmsg, WM_ENOMEM, "out of memory");
    if (rc == WM_OK)
        rc = create_instances(e, &s, options);
    if (rc != WM_OK) {
        free_slot(e, &s);
        return rc;
    }
    e->plugins[e->n_plugins++] = s;
    return WM_OK;
}

void wm__plugins_free(wm_engine *e)
{
    for (size_t i = 0; i < e->n_plugins; i++)
        free_slot(e, &e->plugins[i]);
    wm__free(&e->alloc, e->plugins);
    e->plugins = NULL;
    e->n_plugins = e->cap_plugins = 0;
}

WM_API size_t wm_builtin_plugin_count(void)
{
    return N_BUILTINS;
}

WM_API const char *wm_builtin_plugin_name(size_t i)
{
    return i < N_BUILTINS ? builtins[i].name : NULL;
}

WM_API size_t wm_engine_plugin_count(const wm_engine *e)
{
    return e ? e->n_plugins : 0;
}

WM_API const char *wm_engine_plugin_name(const wm_engine *e, size_t i)
{
    return e && i < e->n_plugins ? e->plugins[i].desc->name : NULL;
}

WM_API const char *wm_engine_plugin_version(const wm_engine *e, size_t i)
{
    return e && i < e->n_plugins && e->plugins[i].desc->version ? e->plugins[i].desc->version
           : e && i < e->n_plugins                              ? ""
                                                                : NULL;
}
