/*
** setup.c — making the engine from the command line: the language, the
** data folder and its word lists, the taxonomy, the combination rule and
** the plugins, in the order the library's setup calls require. Shared by
** stem and tokenize (cli_open_analyzer), and by classify, eval and report
** (cli_open_engine, cli_open_classifier).
*/
#define _POSIX_C_SOURCE 200809L /* stat() under -std=c11 */

#include "cli.h"
#include "train.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ------------------------------------------------------------------------
** Data folders, and the engine of stem and tokenize
** --------------------------------------------------------------------- */

/* The files a data folder holds, as DIR/LANG/NAME: the word lists, and
** the word lists with the plugins' data (the lexicon's areas, the pattern
** plugin's rules). NULL-terminated. */
const char *const cli_wordlist_files[] = {
    "stopwords.txt", "negation.txt", NULL
};
const char *const cli_data_files[] = {
    "stopwords.txt", "negation.txt", "areas.txt", "patterns.txt", NULL
};

/* 1 when DIR/LANG/NAME exists for some supported LANG and some NAME of
** names, else 0. */
int cli_data_has(const char *dir, const char *const *names)
{
    const char *const *langs = wm_lang_list();
    struct stat st;

    for (size_t i = 0; langs != NULL && langs[i] != NULL; i++) {
        for (size_t k = 0; names[k] != NULL; k++) {
            char path[4096];
            int n = snprintf(path, sizeof path, "%s/%s/%s", dir, langs[i],
                             names[k]);
            if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0)
                return 1;
        }
    }
    return 0;
}

/*
** Checks a --data folder: it exists, is a folder, and holds at least one
** of the files in names (DIR/LANG/NAME). The library accepts a folder
** without any (a missing file keeps the built-in one), so a mistyped
** --data path would silently change nothing; this turns it into a usage
** error. Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after printing one line).
*/
int cli_check_data_dir(const char *cmd, const char *dir,
                              const char *const *names)
{
    struct stat st;

    if (stat(dir, &st) != 0) {
        cli_error(cmd, "cannot read data folder '%s': %s", dir,
                  strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error(cmd, "data folder '%s' is not a folder", dir);
        return CLI_EXIT_USAGE;
    }
    if (cli_data_has(dir, names))
        return CLI_EXIT_OK;
    if (names == cli_wordlist_files)
        cli_error(cmd, "no word lists in data folder '%s' (expected "
                  "%s/LANG/stopwords.txt or %s/LANG/negation.txt)",
                  dir, dir, dir);
    else
        cli_error(cmd, "no data files in data folder '%s' (expected "
                  "%s/LANG/areas.txt, %s/LANG/patterns.txt, "
                  "%s/LANG/stopwords.txt or %s/LANG/negation.txt)",
                  dir, dir, dir, dir, dir);
    return CLI_EXIT_USAGE;
}

/* ------------------------------------------------------------------------
** The spelling stage: --spell on|off|suggest, --dict-dir DIR
** --------------------------------------------------------------------- */

/* Handles --spell and --dict-dir: 1 when it was one of them, else 0. */
int cli_spell_arg(cli_spell *spell, int kind, const char *value)
{
    switch (kind) {
    case CLI_OPT_SPELL:
        spell->arg = value;
        return 1;
    case CLI_OPT_DICT_DIR:
        spell->dict_dir = value;
        return 1;
    default:
        return 0;
    }
}

/*
** Checks --spell's value and sets spell->on. --dict-dir is not checked
** here: with --spell on the library looks for the dictionaries and names
** the one that is missing (and the package that has it); with --spell off
** it is not used, so that one command line can switch the stage alone.
** Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after printing one line).
*/
int cli_spell_check(const char *cmd, cli_spell *spell)
{
    spell->on = 0;
    if (spell->arg == NULL || strcmp(spell->arg, "off") == 0)
        return CLI_EXIT_OK;
    if (strcmp(spell->arg, "on") == 0) {
        spell->on = WM_SPELL_ON;
        return CLI_EXIT_OK;
    }
    if (strcmp(spell->arg, "suggest") == 0) {
        spell->on = WM_SPELL_SUGGEST;
        return CLI_EXIT_OK;
    }
    cli_error(cmd, "bad --spell value '%s' (expected on, off or suggest)",
              spell->arg);
    return CLI_EXIT_USAGE;
}

/*
** Prints a failed setup call on the engine: the engine's detailed message
** (which names the file, plugin or path), else `what` and the code's name.
** Returns the exit status: CLI_EXIT_USAGE for what the user named and the
** library could not find, read or parse (a taxonomy or data file, a plugin
** name or path, a dictionary), CLI_EXIT_RUNTIME for the rest (a plugin
** that loads but is refused, memory).
*/
static int cli_engine_error(const char *cmd, const wm_engine *engine, int rc,
                            const char *what)
{
    const char *msg = wm_engine_errmsg(engine);

    if (msg != NULL && msg[0] != '\0')
        cli_error(cmd, "%s", msg);
    else
        cli_error(cmd, "%s: %s", what, wm_strerror(rc));
    return rc == WM_EIO || rc == WM_ENOTFOUND || rc == WM_EPARSE
               ? CLI_EXIT_USAGE : CLI_EXIT_RUNTIME;
}

/*
** Turns the spelling stage on when spell->on (spell may be NULL); off is
** the library's default, so nothing is called then. Returns CLI_EXIT_OK or,
** after one line, the exit status of cli_engine_error() (CLI_EXIT_USAGE for
** a missing dictionary).
*/
static int cli_spell_apply(const char *cmd, wm_engine *engine,
                           const cli_spell *spell)
{
    int rc;

    if (spell == NULL || !spell->on)
        return CLI_EXIT_OK;
    rc = wm_engine_set_spelling(engine, spell->on, spell->dict_dir);
    if (rc != WM_OK)
        return cli_engine_error(cmd, engine, rc, "--spell on");
    return CLI_EXIT_OK;
}

/*
** Creates the engine, loads --data when given, and creates the analyzer
** for the language. On failure prints one line, frees what was made, sets
** both out-pointers to NULL and returns CLI_EXIT_RUNTIME (CLI_EXIT_USAGE
** for a word list that cannot be read).
*/
int cli_open_analyzer(const char *cmd, const cli_common *common,
                      wm_engine **engine_out, wm_analyzer **analyzer_out)
{
    return cli_open_analyzer_spell(cmd, common, NULL, engine_out,
                                   analyzer_out);
}

/*
** cli_open_analyzer() with the spelling stage when spell->on. No plugin is
** added here, so the stage is simply turned on before the analyzer; the
** engine's languages are first narrowed to the one analysed, so that only
** its dictionary is loaded (and a missing dictionary of another language
** does not stop the run).
*/
int cli_open_analyzer_spell(const char *cmd, const cli_common *common,
                            const cli_spell *spell, wm_engine **engine_out,
                            wm_analyzer **analyzer_out)
{
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    int rc;

    *engine_out = NULL;
    *analyzer_out = NULL;
    rc = wm_engine_new(NULL, &engine);
    if (rc != WM_OK) {
        cli_error(cmd, "%s", wm_strerror(rc));
        return CLI_EXIT_RUNTIME;
    }
    if (common->data_dir != NULL) {
        rc = wm_engine_load_wordlists(engine, common->data_dir);
        if (rc != WM_OK) {
            const char *msg = wm_engine_errmsg(engine);
            cli_error(cmd, "%s", msg != NULL && msg[0] != '\0'
                                     ? msg : wm_strerror(rc));
            wm_engine_free(engine);
            /* A word list the user pointed at that cannot be read is an
            ** unreadable input, like a FILE argument. */
            return rc == WM_EIO ? CLI_EXIT_USAGE : CLI_EXIT_RUNTIME;
        }
    }
    if (spell != NULL && spell->on) {
        int status;

        rc = wm_engine_set_languages(engine, common->lang);
        status = rc != WM_OK ? cli_engine_error(cmd, engine, rc, common->lang)
                             : cli_spell_apply(cmd, engine, spell);
        if (status != CLI_EXIT_OK) {
            wm_engine_free(engine);
            return status;
        }
    }
    rc = wm_analyzer_new(engine, common->lang, &analyzer);
    if (rc != WM_OK) {
        /* No analyzer, so no detailed message: the code's name is all. */
        cli_error(cmd, "%s", wm_strerror(rc));
        wm_engine_free(engine);
        return CLI_EXIT_RUNTIME;
    }
    *engine_out = engine;
    *analyzer_out = analyzer;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------
** Shared set-up of the classifying subcommands: taxonomy, data, plugins
** --------------------------------------------------------------------- */

/*
** Prepares a cli_setup for argc arguments (each --plugin takes one, so
** argc entries are always enough). Returns CLI_EXIT_OK, or
** CLI_EXIT_RUNTIME after printing that memory ran out.
*/
int cli_setup_init(const char *cmd, cli_setup *setup, int argc)
{
    memset(setup, 0, sizeof *setup);
    setup->plugins = calloc((size_t)argc + 1, sizeof *setup->plugins);
    if (setup->plugins == NULL) {
        cli_error(cmd, "%s", wm_strerror(WM_ENOMEM));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* Frees what cli_setup_init() allocated. */
void cli_setup_free(cli_setup *setup)
{
    free(setup->plugins);
    setup->plugins = NULL;
}

/*
** Handles an argument the classifying subcommands share: those of
** cli_common_arg() and --plugin, --options, --taxonomy, --combine, --spell,
** --dict-dir. Returns
** 1 when it was one of those, 0 when the caller must handle it, -1 on a
** usage error (already printed). --options belongs to the --plugin just
** before it, so it is refused without one, or a second time for one.
*/
int cli_setup_arg(const char *cmd, cli_setup *setup, int kind,
                  const char *value)
{
    cli_plugin_arg *last;
    int rc = cli_common_arg(cmd, &setup->common, kind, value);

    if (rc != 0)
        return rc;
    if (cli_spell_arg(&setup->spell, kind, value))
        return 1;
    switch (kind) {
    case CLI_OPT_PLUGIN:
        setup->plugins[setup->n_plugins].plugin = value;
        setup->plugins[setup->n_plugins].options = NULL;
        setup->n_plugins++;
        return 1;
    case CLI_OPT_OPTIONS:
        if (setup->n_plugins == 0) {
            cli_error(cmd, "option '--options' must follow the '--plugin' "
                      "it is for");
            return -1;
        }
        last = &setup->plugins[setup->n_plugins - 1];
        if (last->options != NULL) {
            cli_error(cmd, "two '--options' for plugin '%s' (give them in "
                      "one string)", last->plugin);
            return -1;
        }
        last->options = value;
        return 1;
    case CLI_OPT_TAXONOMY:
        setup->taxonomy = value;
        return 1;
    case CLI_OPT_COMBINE:
        setup->combine = value;
        return 1;
    case CLI_OPT_MODEL:
        setup->model = value;
        return 1;
    case CLI_OPT_MODEL_ASSIGN:
        setup->model_assign = value;
        return 1;
    case CLI_OPT_MODEL_VETO:
        setup->model_veto = value;
        return 1;
    default:
        return 0;
    }
}

/*
** Checks the classifying options before any work, but the language: the
** --combine rule, --spell, and the data folder (which here may hold the
** lexicon's areas.txt without any word list). Returns CLI_EXIT_OK or
** CLI_EXIT_USAGE (after printing one line).
*/
int cli_setup_check_options(const char *cmd, cli_setup *setup)
{
    if (cli_spell_check(cmd, &setup->spell) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (setup->combine != NULL) {
        if (strcmp(setup->combine, "max") == 0) {
            setup->combine_rule = WM_COMBINE_MAX;
        } else if (strcmp(setup->combine, "mean") == 0) {
            setup->combine_rule = WM_COMBINE_MEAN;
        } else {
            cli_error(cmd, "bad --combine value '%s' (expected max or mean)",
                      setup->combine);
            return CLI_EXIT_USAGE;
        }
    }
    if (setup->common.data_dir != NULL)
        return cli_check_data_dir(cmd, setup->common.data_dir,
                                  cli_data_files);
    return CLI_EXIT_OK;
}

/* The language, then the other options (cli_setup_check_options()). */
int cli_setup_check(const char *cmd, cli_setup *setup)
{
    int status = cli_check_lang(cmd, setup->common.lang);

    if (status != CLI_EXIT_OK)
        return status;
    return cli_setup_check_options(cmd, setup);
}

/*
** The options a plugin is added with: its --options; else, for the plugin
** that --model is for, "model=FILE" (model_opt); else none.
*/
static const char *cli_plugin_options(const cli_setup *setup,
                                      const char *plugin,
                                      const char *options,
                                      const char *model_opt)
{
    if (options == NULL && setup->model != NULL
        && strcmp(plugin, CLI_MODEL_PLUGIN) == 0)
        return model_opt;
    return options;
}

/*
** Makes the engine for classifying in the order the setup calls require:
** the taxonomy (plugins are made for it), the data folder and the word
** lists in it (plugins read their data when they are added), the
** languages, the combination rule, the plugins in command-line order
** (every built-in one when none is named), and last the spelling stage. The
** library needs the languages before spelling (it loads their
** dictionaries, and refuses wm_engine_set_languages() once spelling is
** on); which words the plugins know it asks at analysis time, of the
** frozen engine, so it may come before or after them. The word lists are
** loaded only when the folder has one: a folder with nothing but
** DIR/LANG/areas.txt is a lexicon to try, and the library refuses a
** word-list folder without lists.
** On failure prints one line, frees what was made, sets *engine_out to
** NULL and returns the exit status (see cli_engine_error()).
*/
int cli_open_engine(const char *cmd, const cli_setup *setup,
                    wm_engine **engine_out)
{
    const char *data_dir = setup->common.data_dir;
    wm_engine_options options;
    wm_engine *engine = NULL;
    char model_opt[4200];
    int has_model_plugin = 0;
    int status = CLI_EXIT_OK;
    int rc;

    *engine_out = NULL;
    if ((setup->model_assign != NULL || setup->model_veto != NULL)
        && setup->model == NULL) {
        cli_error(cmd, "--model-assign and --model-veto are for the model of "
                  "--model");
        return CLI_EXIT_USAGE;
    }
    if (setup->model != NULL
        && (size_t)snprintf(model_opt, sizeof model_opt, "%s%s%s%s%s%smodel=%s",
                            setup->model_assign ? "assign=" : "",
                            setup->model_assign ? setup->model_assign : "",
                            setup->model_assign ? ";" : "",
                            setup->model_veto ? "veto=" : "",
                            setup->model_veto ? setup->model_veto : "",
                            setup->model_veto ? ";" : "",
                            setup->model) >= sizeof model_opt) {
        cli_error(cmd, "--model path too long");
        return CLI_EXIT_USAGE;
    }
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.max_text_len = setup->max_text_len;
    rc = wm_engine_new(&options, &engine);
    if (rc != WM_OK) {
        cli_error(cmd, "%s", wm_strerror(rc));
        return CLI_EXIT_RUNTIME;
    }
    if (setup->taxonomy != NULL) {
        rc = wm_engine_load_taxonomy(engine, setup->taxonomy);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, setup->taxonomy);
    }
    if (status == CLI_EXIT_OK && data_dir != NULL) {
        rc = wm_engine_set_data_dir(engine, data_dir);
        if (rc == WM_OK && cli_data_has(data_dir, cli_wordlist_files))
            rc = wm_engine_load_wordlists(engine, data_dir);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, data_dir);
    }
    /* A run in one language makes plugins for it alone: it neither loads
    ** the other languages' data nor stops at an error in it. */
    if (status == CLI_EXIT_OK && !setup->any_language && setup->common.lang != NULL
        && wm_lang_check(setup->common.lang) == WM_OK) {
        rc = wm_engine_set_languages(engine, setup->common.lang);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, setup->common.lang);
    }
    /* A model of another language would skip silently: say so. */
    if (status == CLI_EXIT_OK && setup->model != NULL && !setup->any_language
        && setup->common.lang != NULL) {
        char msg[512];
        if (cli_model_lang_check(setup->model, setup->common.lang, msg,
                                 sizeof msg) != WM_OK) {
            cli_error(cmd, "%s", msg);
            status = CLI_EXIT_USAGE;
        }
    }
    if (status == CLI_EXIT_OK && setup->combine != NULL) {
        rc = wm_engine_set_combine(engine, setup->combine_rule);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, "--combine");
    }
    for (size_t i = 0; status == CLI_EXIT_OK && i < setup->n_plugins; i++) {
        const cli_plugin_arg *p = &setup->plugins[i];
        rc = wm_engine_add_plugin(engine, p->plugin,
                                  cli_plugin_options(setup, p->plugin,
                                                     p->options, model_opt));
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, p->plugin);
        has_model_plugin |= strcmp(p->plugin, CLI_MODEL_PLUGIN) == 0;
    }
    /* No --plugin: every built-in plugin, with its shipped data (one
    ** without data for the language skips it: the supervised one has a
    ** built-in model for some languages, and --model gives it another). */
    for (size_t i = 0; status == CLI_EXIT_OK && setup->n_plugins == 0
                       && i < wm_builtin_plugin_count(); i++) {
        const char *name = wm_builtin_plugin_name(i);
        rc = wm_engine_add_plugin(engine, name,
                                  cli_plugin_options(setup, name, NULL, model_opt));
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, name);
        has_model_plugin |= strcmp(name, CLI_MODEL_PLUGIN) == 0;
    }
    /* --model with plugins named, not supervised: the model joins them. */
    if (status == CLI_EXIT_OK && setup->model != NULL && !has_model_plugin) {
        rc = wm_engine_add_plugin(engine, CLI_MODEL_PLUGIN, model_opt);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, CLI_MODEL_PLUGIN);
    }
    if (status == CLI_EXIT_OK)
        status = cli_spell_apply(cmd, engine, &setup->spell);
    if (status == CLI_EXIT_OK
        && wm_engine_area_count(engine) > WM_MAX_AREAS) {
        cli_error(cmd, "the taxonomy has %zu areas; this program handles "
                  "%d at most", wm_engine_area_count(engine),
                  WM_MAX_AREAS);
        status = CLI_EXIT_RUNTIME;
    }
    if (status != CLI_EXIT_OK) {
        wm_engine_free(engine);
        return status;
    }
    *engine_out = engine;
    return CLI_EXIT_OK;
}

/*
** Makes the engine (cli_open_engine()) and the analyzer for the language,
** which freezes the engine. On failure prints one line, frees what was
** made, sets both out-pointers to NULL and returns the exit status.
*/
int cli_open_classifier(const char *cmd, const cli_setup *setup,
                        wm_engine **engine_out, wm_analyzer **analyzer_out)
{
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    int status;
    int rc;

    *engine_out = NULL;
    *analyzer_out = NULL;
    status = cli_open_engine(cmd, setup, &engine);
    if (status != CLI_EXIT_OK)
        return status;
    rc = wm_analyzer_new(engine, setup->common.lang, &analyzer);
    if (rc != WM_OK) {
        /* No analyzer, so no detailed message: the code's name. */
        cli_error(cmd, "%s", wm_strerror(rc));
        wm_engine_free(engine);
        return CLI_EXIT_RUNTIME;
    }
    *engine_out = engine;
    *analyzer_out = analyzer;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------
** Results of a classification
** --------------------------------------------------------------------- */

/* The predicted areas of a classification as a bit mask (bit i: area i;
** the taxonomy has at most 64 areas, checked at set-up). Once per answer:
** on a little-endian machine eight labels a step, each byte's "not 0"
** moved to its top bit, then the eight bits gathered into the top byte
** by one multiplication (byte j's bit, shifted to bit 8j, lands on bit
** 56 + j; no two partial products share a bit, so nothing carries). */
uint64_t cli_label_mask(const wm_classification *c)
{
    const unsigned char *labels = c->labels;
    size_t n = c->n_areas < WM_MAX_AREAS ? c->n_areas : WM_MAX_AREAS;
    uint64_t mask = 0;
    size_t i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t low7 = UINT64_C(0x7F7F7F7F7F7F7F7F);

    for (; i + 8 <= n; i += 8) {
        uint64_t w, top;

        memcpy(&w, labels + i, 8);
        top = (((w & low7) + low7) | w) & ~low7; /* bit 7: byte not 0 */
        mask |= ((top >> 7) * UINT64_C(0x0102040810204080) >> 56) << i;
    }
#endif
    for (; i < n; i++) {
        if (labels[i])
            mask |= (uint64_t)1 << i;
    }
    return mask;
}

/*
** The message of a plugin's failure on an answer: the result's message,
** or (should it be empty) a sentence naming the plugin. Written into buf;
** returns buf.
*/
const char *cli_plugin_error(const wm_engine *engine,
                             const wm_classification *c, char *buf,
                             size_t buf_len)
{
    const char *msg = c->failure;
    const char *name = c->failed_plugin >= 0
        ? wm_engine_plugin_name(engine, (size_t)c->failed_plugin) : NULL;

    if (msg != NULL && msg[0] != '\0')
        snprintf(buf, buf_len, "%s", msg);
    else
        snprintf(buf, buf_len, "plugin '%s' failed",
                 name != NULL ? name : "?");
    return buf;
}

