/*
** cli.h — what the subcommands of the `whatmatters` tool share.
**
** The tool is a thin program over the public header only (whatmatters.h).
** Its files, one job each:
**   main.c          the command table and dispatch
**   cli.c           messages, the option parser, input and output helpers
**   setup.c         language, data folder, taxonomy, plugins: the engine
**   cmd_stem.c      stem         cmd_tokenize.c  tokenize
**   cmd_classify.c  classify     cmd_eval.c      eval
**   cmd_report.c    report (with report*.c)
**   input*.c        reading survey files (input.h)
**   pipeline.c      classify's batches and threads (pipeline.h)
**   output.c        classify's CSV, JSON Lines and msgpack (output.h)
**   csv_reader.c, json_writer.c, metrics.c   eval's pieces
**
** Exit status: 0 success; 1 a runtime failure (the library or writing the
** output failed, a malformed gold corpus, --strict on a flagged record);
** 2 a usage error (unknown subcommand, option or language, a missing or
** bad option value, an unreadable input file or data folder, a taxonomy,
** data file or plugin that cannot be found, read or parsed).
** Every error is one line on stderr: "whatmatters: CMD: message".
*/
#ifndef WM_CLI_CLI_H
#define WM_CLI_CLI_H

#include "whatmatters.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_NAME "whatmatters"

enum {
    CLI_EXIT_OK = 0,      /* success */
    CLI_EXIT_RUNTIME = 1, /* the library or the output failed */
    CLI_EXIT_USAGE = 2    /* the command line or an input file is wrong */
};

/* Size of stdout's buffer: large enough that a 30k-line stem run makes a
** handful of write() calls, not one per line. */
#define CLI_OUT_BUFFER (1u << 16)

/* Lets the compiler check a printf-like format against its arguments. */
#if defined(__GNUC__)
#  define CLI_PRINTF(fmt_index, first_arg) \
       __attribute__((format(printf, fmt_index, first_arg)))
#else
#  define CLI_PRINTF(fmt_index, first_arg)
#endif

/* ------------------------------------------------------------------------
** Subcommands (main.c holds the table)
** --------------------------------------------------------------------- */

/* One subcommand. */
typedef struct cli_command {
    const char *name;    /* as typed: "stem" */
    const char *summary; /* one line for the list in `whatmatters --help` */
    int (*run)(const struct cli_command *cmd, int argc, char **argv);
                         /* runs it on the arguments after its name;
                            returns the exit status */
    const char *help;    /* full help: usage, options, an example; NULL
                            for a command that prints its own on --help
                            (`help CMD` then runs it with --help) */
} cli_command;

/* The subcommands, each run on the arguments after its name. */
int cli_stem(const cli_command *self, int argc, char **argv);
int cli_tokenize(const cli_command *self, int argc, char **argv);
int cli_classify(const cli_command *self, int argc, char **argv);
int cli_eval(const cli_command *self, int argc, char **argv);
int cli_report(const cli_command *self, int argc, char **argv);
int cli_train_cmd(const cli_command *self, int argc, char **argv);

/* Their help texts. */
extern const char cli_help_stem[];
extern const char cli_help_tokenize[];
extern const char cli_help_classify[];
extern const char cli_help_eval[];
extern const char cli_help_train[];

/* The row of a subcommand by name, or NULL (main.c). */
const cli_command *cli_find_command(const char *name);

/* Prints the general usage with the list of subcommands (main.c). */
void cli_print_usage(FILE *out);

/* Prints a subcommand's help on stdout; returns the exit status. */
int cli_print_help(const cli_command *cmd);

/* ------------------------------------------------------------------------
** Messages (cli.c)
** --------------------------------------------------------------------- */

/* Prints one error line, "whatmatters: CMD: message", to stderr (without
** "CMD: " when cmd is NULL); control characters become spaces so that it
** is always exactly one line. */
void cli_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* The supported language codes as "sv, nb, nn, da, en", written into buf
** (always NUL-terminated) and returned. */
const char *cli_lang_names(char *buf, size_t buf_len);

/* Prints a library failure on the analyzer (its message, else the code's
** name), prefixed by `where` when not NULL. Returns CLI_EXIT_RUNTIME. */
int cli_analyzer_error(const char *cmd, const wm_analyzer *analyzer, int rc,
                       const char *where);

/* ------------------------------------------------------------------------
** Option parsing (cli.c)
** --------------------------------------------------------------------- */

/* One option a subcommand accepts. */
typedef struct cli_option {
    const char *name; /* with its dashes: "--lang" (or a short "-o") */
    int takes_value;  /* 1: needs a value ("--lang sv" or "--lang=sv") */
    int id;           /* returned by cli_next_arg(); > 0 */
} cli_option;

/* The state of walking one subcommand's arguments. */
typedef struct cli_args {
    const char *cmd;       /* subcommand name, for messages */
    int argc;              /* number of arguments after the name */
    char **argv;           /* the arguments after the name */
    int next;              /* index of the next argument to read */
    int only_positional;   /* set after "--": the rest are not options */
} cli_args;

/* What cli_next_arg() found besides an option id (which is > 0). */
enum {
    CLI_ARG_END = 0,         /* no arguments left */
    CLI_ARG_ERROR = -1,      /* bad argument; the message is printed */
    CLI_ARG_POSITIONAL = -2, /* a plain argument, in *value */
    CLI_ARG_HELP = -3        /* -h or --help */
};

/* Reads the next argument: an option's id (its value in *value),
** CLI_ARG_POSITIONAL, CLI_ARG_HELP, CLI_ARG_END, or CLI_ARG_ERROR after
** printing one line. options ends with a {NULL, 0, 0} row. */
int cli_next_arg(cli_args *args, const cli_option *options,
                 const char **value);

/* What every analysing subcommand takes from its command line. */
typedef struct cli_common {
    const char *lang;       /* --lang; required */
    const char *data_dir;   /* --data; NULL for the built-in word lists */
    const char *input_path; /* FILE argument; NULL or "-" for stdin */
} cli_common;

/* Option ids shared by the analysing subcommands; each subcommand's own
** options number from CLI_OPT_OWN. */
enum {
    CLI_OPT_LANG = 1, /* --lang */
    CLI_OPT_DATA,     /* --data */
    CLI_OPT_SPELL,    /* --spell (tokenize, classify, eval) */
    CLI_OPT_DICT_DIR, /* --dict-dir (with --spell) */
    CLI_OPT_OWN       /* first id free for a subcommand */
};

/* --spell on|off and --dict-dir DIR: the library's spelling stage
** (wm_engine_set_spelling). */
typedef struct cli_spell {
    const char *arg;      /* --spell as typed, or NULL: off */
    int on;               /* WM_SPELL_OFF, _ON or _SUGGEST, set by
                             cli_spell_check() */
    const char *dict_dir; /* --dict-dir, or NULL: the library's default
                             (/usr/share/hunspell) */
} cli_spell;

/* Handles --spell and --dict-dir. Returns 1 when it was one of those, 0
** when the caller must handle it. */
int cli_spell_arg(cli_spell *spell, int kind, const char *value);

/* Checks --spell's value (on, off or suggest) and sets spell->on. Returns
** CLI_EXIT_OK or CLI_EXIT_USAGE (after printing one line). */
int cli_spell_check(const char *cmd, cli_spell *spell);

/* Handles --lang, --data and the optional FILE. Returns 1 when it was one
** of those, 0 when the caller must handle it, -1 on a usage error (already
** printed). */
int cli_common_arg(const char *cmd, cli_common *common, int kind,
                   const char *value);

/* Checks that a language is given and known. Returns CLI_EXIT_OK or
** CLI_EXIT_USAGE (after printing one line). */
int cli_check_lang(const char *cmd, const char *lang);

/* Checks the language and the --data folder (it holds a word list).
** Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after printing one line). */
int cli_common_check(const char *cmd, const cli_common *common);

/* ------------------------------------------------------------------------
** Input and output (cli.c)
** --------------------------------------------------------------------- */

/* Opens FILE, or stdin for NULL or "-". On failure prints one line and
** returns NULL (a usage error). */
FILE *cli_open_input(const char *cmd, const char *path);

/* Closes what cli_open_input() opened; stdin stays open. */
void cli_close_input(FILE *in);

/* Reads the value of a numeric option opt (0 to max) into *out; -1 after
** a message "bad OPT value 'V' (expected a number 0 to MAX)". */
int cli_number(const char *cmd, const char *opt, const char *value,
               uint64_t max, uint64_t *out);

/* Reports a read error on the input (errno says which); returns
** CLI_EXIT_USAGE. */
int cli_read_error(const char *cmd, const char *path);

/* Reads a whole stream. Returns 0 with the buffer in *text (the caller
** frees it; never NULL on success), or an errno value. */
int cli_read_all(FILE *in, char **text, size_t *text_len);

/* Strips one trailing "\n" and then one "\r"; returns the length left. */
size_t cli_chomp(const char *line, size_t line_len);

/* Flushes stdout and reports a failed write. Returns CLI_EXIT_OK or
** CLI_EXIT_RUNTIME. */
int cli_finish_output(const char *cmd);

/* Writes bytes to stdout so that they stay on one line: \t, \n and \\ for
** tab, newline and backslash, \xHH for other controls, C1 controls and
** bytes that are not valid UTF-8. */
void cli_put_escaped(const char *text, size_t text_len);

/* ------------------------------------------------------------------------
** Engine set-up (setup.c)
** --------------------------------------------------------------------- */

/* The files a data folder holds, as DIR/LANG/NAME: the word lists, and
** the word lists with the plugins' data files. NULL-terminated. */
extern const char *const cli_wordlist_files[];
extern const char *const cli_data_files[];

/* 1 when DIR/LANG/NAME exists for some supported LANG and NAME of names. */
int cli_data_has(const char *dir, const char *const *names);

/* Checks a --data folder: it exists, is a folder, and holds at least one
** of names. Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after one line). */
int cli_check_data_dir(const char *cmd, const char *dir,
                       const char *const *names);

/* Creates the engine (built-in data, or --data's word lists) and the
** analyzer for common->lang, for stem and tokenize. On failure prints one
** line and returns the exit status with both out-pointers NULL. */
int cli_open_analyzer(const char *cmd, const cli_common *common,
                      wm_engine **engine_out, wm_analyzer **analyzer_out);

/* cli_open_analyzer() with the spelling stage when spell->on (spell may be
** NULL): the engine's languages are then set to common->lang, so that only
** its dictionary is loaded. A dictionary that is missing is a usage error
** (the library's message names the file and the package). */
int cli_open_analyzer_spell(const char *cmd, const cli_common *common,
                            const cli_spell *spell, wm_engine **engine_out,
                            wm_analyzer **analyzer_out);

/* One --plugin on the command line, with the --options that followed it. */
typedef struct cli_plugin_arg {
    const char *plugin;  /* a built-in plugin's name, or a path with '/' */
    const char *options; /* its --options, or NULL */
} cli_plugin_arg;

/* What classify, eval and report take from their command line. */
typedef struct cli_setup {
    cli_common common;       /* --lang, --data, the FILE argument */
    const char *taxonomy;    /* --taxonomy FILE, or NULL: built in */
    const char *combine;     /* --combine as typed, or NULL: the default */
    int combine_rule;        /* WM_COMBINE_*, when combine is set */
    cli_plugin_arg *plugins; /* [n_plugins] in command-line order; room
                                for one per argument */
    size_t n_plugins;        /* how many --plugin */
    size_t max_text_len;     /* the engine's max_text_len; 0: default */
    int any_language;        /* records may be in any language (--lang auto,
                                --lang-column): plugins for all of them;
                                else only for --lang */
    cli_spell spell;         /* --spell, --dict-dir */
    const char *model;       /* --model FILE: the supervised plugin's model,
                                or NULL */
    const char *model_assign; /* --model-assign X, or NULL */
    const char *model_veto;   /* --model-veto V, or NULL */
} cli_setup;

/* Option ids of the classifying subcommands, after the shared ones; their
** own options number from CLI_OPT_CLASSIFY_OWN. */
enum {
    CLI_OPT_PLUGIN = CLI_OPT_OWN, /* --plugin */
    CLI_OPT_OPTIONS,              /* --options */
    CLI_OPT_TAXONOMY,             /* --taxonomy */
    CLI_OPT_COMBINE,              /* --combine */
    CLI_OPT_MODEL,                /* --model */
    CLI_OPT_MODEL_ASSIGN,         /* --model-assign */
    CLI_OPT_MODEL_VETO,           /* --model-veto */
    CLI_OPT_CLASSIFY_OWN          /* first id free for a subcommand */
};

/* The help of --model, --model-assign and --model-veto, the same in
** classify's and eval's. */
#define CLI_HELP_MODEL \
    "  --model MODEL       a model of '" CLI_NAME " train' for the supervised\n" \
    "                      plugin, run after the others (with --plugin\n" \
    "                      supervised alone: the model alone)\n" \
    "  --model-assign X    the model assigns an area only at a score of X\n" \
    "                      (0.5 to below 1; default 0.5, its own thresholds):\n" \
    "                      0.6 lets it add only the areas it is sure of\n" \
    "  --model-veto V      an area the model scores under V (0 to below\n" \
    "                      0.5; default 0, none) is not assigned, whatever\n" \
    "                      the other plugins say (the built-in English\n" \
    "                      model: assign 0.6, veto 0.2)\n"

/* The plugin that --model FILE is for: it gets the options "model=FILE"
** ("assign=X;veto=V;model=FILE" with --model-assign X, --model-veto V),
** and is added after the others when the command line does not name it. */
#define CLI_MODEL_PLUGIN "supervised"

/* Prepares a cli_setup for argc arguments. Returns CLI_EXIT_OK, or
** CLI_EXIT_RUNTIME after printing that memory ran out. */
int cli_setup_init(const char *cmd, cli_setup *setup, int argc);

/* Frees what cli_setup_init() allocated. */
void cli_setup_free(cli_setup *setup);

/* Handles the arguments of cli_common_arg() and --plugin, --options,
** --taxonomy, --combine, --spell, --dict-dir. Returns 1 when it was one of those, 0 when the
** caller must handle it, -1 on a usage error (already printed). */
int cli_setup_arg(const char *cmd, cli_setup *setup, int kind,
                  const char *value);

/* Checks --combine, --spell and the data folder (which may hold only
** areas.txt), not the language. Returns CLI_EXIT_OK or CLI_EXIT_USAGE. */
int cli_setup_check_options(const char *cmd, cli_setup *setup);

/* The language (cli_check_lang), then cli_setup_check_options(). */
int cli_setup_check(const char *cmd, cli_setup *setup);

/* Makes the engine for classifying: taxonomy, data folder and its word
** lists, combination rule, the plugins in order (the default one when none
** is named), then the spelling stage (after the languages, whose
** dictionaries it loads). No analyzer yet: the engine is still open for setup calls.
** On failure prints one line and returns the exit status (CLI_EXIT_USAGE
** for what the user named and the library could not find, read or parse)
** with *engine_out NULL. */
int cli_open_engine(const char *cmd, const cli_setup *setup,
                    wm_engine **engine_out);

/* cli_open_engine(), then the analyzer for setup->common.lang. */
int cli_open_classifier(const char *cmd, const cli_setup *setup,
                        wm_engine **engine_out, wm_analyzer **analyzer_out);

/* The predicted areas of a classification as a bit mask (bit i: area i). */
uint64_t cli_label_mask(const wm_classification *c);

/* The message of a plugin's failure: the result's, or one naming the
** plugin. Written into buf; returns buf. */
const char *cli_plugin_error(const wm_engine *engine,
                             const wm_classification *c, char *buf,
                             size_t buf_len);


#endif /* WM_CLI_CLI_H */
