/*
** main.c — the `whatmatters` command-line tool.
**
** A thin program over the public header only (whatmatters.h): it never
** reaches into the library's internals, so it is also a worked example of
** the API. Subcommands live in one table (name, summary, function, help
** text); adding one means writing its function and help text and adding a
** row. Options are parsed here, by hand, in both `--lang sv` and
** `--lang=sv` forms, so the program needs nothing beyond C11 and POSIX.
** The pieces with a job of their own are beside it: csv_reader.c (the gold
** corpora of eval), json_writer.c (classify's and eval's JSON) and
** metrics.c (eval's arithmetic).
**
** Exit status: 0 success; 1 a runtime failure (the library or writing the
** output failed, a malformed gold corpus); 2 a usage error (unknown
** subcommand, option or language, a missing or bad option value, an
** unreadable input file or data folder, a taxonomy, data file or plugin
** that cannot be found, read or parsed).
** Every error is one line on stderr: "whatmatters: CMD: message".
*/
#define _POSIX_C_SOURCE 200809L /* getline(), stat() under -std=c11 */

#include "whatmatters.h"

#include "csv_reader.h"
#include "json_writer.h"
#include "metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define CLI_NAME "whatmatters"

enum {
    CLI_EXIT_OK = 0,      /* success */
    CLI_EXIT_RUNTIME = 1, /* the library or the output failed */
    CLI_EXIT_USAGE = 2    /* the command line or an input file is wrong */
};

/* Size of stdout's buffer: large enough that a 30k-line stem run makes a
** handful of write() calls, not one per line. */
#define CLI_OUT_BUFFER (1u << 16)

/* ------------------------------------------------------------------------
** Messages
** --------------------------------------------------------------------- */

/* Lets the compiler check cli_error()'s format against its arguments. */
#if defined(__GNUC__)
#  define CLI_PRINTF(fmt_index, first_arg) \
       __attribute__((format(printf, fmt_index, first_arg)))
#else
#  define CLI_PRINTF(fmt_index, first_arg)
#endif

static void cli_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/*
** Prints one error line, "whatmatters: CMD: message", to stderr (without
** "CMD: " when cmd is NULL). Control characters in the message (a file
** name, or a library message, might hold a newline) become spaces so that
** the error is always exactly one line, which scripts and tests rely on.
*/
static void cli_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = ' ';
    }
    if (cmd != NULL)
        fprintf(stderr, CLI_NAME ": %s: %s\n", cmd, msg);
    else
        fprintf(stderr, CLI_NAME ": %s\n", msg);
}

/*
** The supported language codes as "sv, nb, nn, da, en", from the library
** so that the message never lists a language it does not know. Written
** into buf (always NUL-terminated) and returned.
*/
static const char *cli_lang_names(char *buf, size_t buf_len)
{
    const char *const *langs = wm_lang_list();
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; langs != NULL && langs[i] != NULL; i++) {
        int n = snprintf(buf + used, buf_len - used, "%s%s",
                         i > 0 ? ", " : "", langs[i]);
        if (n < 0 || (size_t)n >= buf_len - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

/*
** Prints a library failure on the analyzer: its detailed message when it
** has one, else the result code's name. Returns CLI_EXIT_RUNTIME so that
** callers can `return cli_analyzer_error(...)`. `where` (may be NULL)
** prefixes the message, e.g. "line 12".
*/
static int cli_analyzer_error(const char *cmd, const wm_analyzer *analyzer,
                              int rc, const char *where)
{
    const char *msg = analyzer != NULL ? wm_analyzer_errmsg(analyzer) : NULL;

    if (msg == NULL || msg[0] == '\0')
        msg = wm_strerror(rc);
    if (where != NULL)
        cli_error(cmd, "%s: %s", where, msg);
    else
        cli_error(cmd, "%s", msg);
    return CLI_EXIT_RUNTIME;
}

/* ------------------------------------------------------------------------
** Option parsing
** --------------------------------------------------------------------- */

/* One option a subcommand accepts. */
typedef struct cli_option {
    const char *name; /* long form with its dashes: "--lang" */
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

/*
** Reads the next argument of a subcommand. Returns an option's id (its
** value, if it takes one, in *value), CLI_ARG_POSITIONAL (the argument in
** *value), CLI_ARG_HELP, CLI_ARG_END, or CLI_ARG_ERROR after printing one
** line. A value may be attached ("--lang=sv") or follow ("--lang sv"); a
** following argument that looks like an option is not taken as a value,
** so "--lang --all" reports the missing language instead of trying a
** language called "--all". "-" alone is positional (standard input).
*/
static int cli_next_arg(cli_args *args, const cli_option *options,
                        const char **value)
{
    const char *arg;
    size_t name_len;

    *value = NULL;
    if (args->next >= args->argc)
        return CLI_ARG_END;
    arg = args->argv[args->next++];
    if (args->only_positional || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLI_ARG_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        args->only_positional = 1;
        return cli_next_arg(args, options, value);
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
        return CLI_ARG_HELP;

    for (const cli_option *opt = options; opt->name != NULL; opt++) {
        name_len = strlen(opt->name);
        if (strncmp(arg, opt->name, name_len) != 0)
            continue;
        if (arg[name_len] == '=') {
            if (!opt->takes_value) {
                cli_error(args->cmd, "option '%s' takes no value",
                          opt->name);
                return CLI_ARG_ERROR;
            }
            *value = arg + name_len + 1;
        } else if (arg[name_len] == '\0') {
            if (!opt->takes_value)
                return opt->id;
            if (args->next < args->argc) {
                const char *next = args->argv[args->next];
                if (next[0] != '-' || next[1] == '\0') {
                    *value = next;
                    args->next++;
                }
            }
        } else {
            continue; /* "--language" is not "--lang" */
        }
        if (*value == NULL || (*value)[0] == '\0') {
            cli_error(args->cmd, "option '%s' needs a value", opt->name);
            return CLI_ARG_ERROR;
        }
        return opt->id;
    }
    cli_error(args->cmd, "unknown option '%s' (try '" CLI_NAME " help %s')",
              arg, args->cmd);
    return CLI_ARG_ERROR;
}

/* ------------------------------------------------------------------------
** Shared set-up: language, data folder, input, engine and analyzer
** --------------------------------------------------------------------- */

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
    CLI_OPT_OWN       /* first id free for a subcommand */
};

/*
** Handles an argument every analysing subcommand shares (--lang, --data,
** the optional FILE). Returns 1 when it was one of those, 0 when the
** caller must handle it, -1 on a usage error (already printed).
*/
static int cli_common_arg(const char *cmd, cli_common *common, int kind,
                          const char *value)
{
    switch (kind) {
    case CLI_OPT_LANG:
        common->lang = value;
        return 1;
    case CLI_OPT_DATA:
        common->data_dir = value;
        return 1;
    case CLI_ARG_POSITIONAL:
        if (common->input_path != NULL) {
            cli_error(cmd, "unexpected argument '%s' (one input file at "
                      "most)", value);
            return -1;
        }
        common->input_path = value;
        return 1;
    default:
        return 0;
    }
}

/*
** Checks that a language is given and known. Returns CLI_EXIT_OK or
** CLI_EXIT_USAGE (after printing one line).
*/
static int cli_check_lang(const char *cmd, const char *lang)
{
    char names[128];

    if (lang == NULL) {
        cli_error(cmd, "missing --lang (expected %s)",
                  cli_lang_names(names, sizeof names));
        return CLI_EXIT_USAGE;
    }
    if (wm_lang_check(lang) != WM_OK) {
        cli_error(cmd, "unknown language '%s' (expected %s)", lang,
                  cli_lang_names(names, sizeof names));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* The files a data folder holds, as DIR/LANG/NAME: the word lists, and
** the word lists with the lexicon plugin's areas. NULL-terminated. */
static const char *const cli_wordlist_files[] = {
    "stopwords.txt", "negation.txt", NULL
};
static const char *const cli_data_files[] = {
    "stopwords.txt", "negation.txt", "areas.txt", NULL
};

/* 1 when DIR/LANG/NAME exists for some supported LANG and some NAME of
** names, else 0. */
static int cli_data_has(const char *dir, const char *const *names)
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
static int cli_check_data_dir(const char *cmd, const char *dir,
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
                  "%s/LANG/areas.txt, %s/LANG/stopwords.txt or "
                  "%s/LANG/negation.txt)", dir, dir, dir, dir);
    return CLI_EXIT_USAGE;
}

/*
** Checks what can be checked before any work: a language is given and
** known, the data folder exists and holds at least one word list.
** Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after printing one line).
*/
static int cli_common_check(const char *cmd, const cli_common *common)
{
    int status = cli_check_lang(cmd, common->lang);

    if (status == CLI_EXIT_OK && common->data_dir != NULL)
        status = cli_check_data_dir(cmd, common->data_dir,
                                    cli_wordlist_files);
    return status;
}

/*
** Opens the input: the named file, or stdin when there is none or it is
** "-". On failure prints one line and returns NULL (a usage error: the
** user named a file that cannot be read).
*/
static FILE *cli_open_input(const char *cmd, const char *path)
{
    FILE *in;

    if (path == NULL || strcmp(path, "-") == 0)
        return stdin;
    in = fopen(path, "rb");
    if (in == NULL)
        cli_error(cmd, "cannot open '%s': %s", path, strerror(errno));
    return in;
}

/* Closes what cli_open_input() opened; stdin stays open. */
static void cli_close_input(FILE *in)
{
    if (in != NULL && in != stdin)
        fclose(in);
}

/* Reports a read error on the input: a usage error (the input, not the
** program, is at fault, e.g. a folder given as FILE). */
static int cli_read_error(const char *cmd, const char *path)
{
    cli_error(cmd, "cannot read '%s': %s",
              path != NULL ? path : "standard input", strerror(errno));
    return CLI_EXIT_USAGE;
}

/*
** Creates the engine, loads --data when given, and creates the analyzer
** for the language. On failure prints one line, frees what was made, sets
** both out-pointers to NULL and returns CLI_EXIT_RUNTIME (CLI_EXIT_USAGE
** for a word list that cannot be read).
*/
static int cli_open_analyzer(const char *cmd, const cli_common *common,
                             wm_engine **engine_out,
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

/*
** Flushes stdout and reports a failed write (a full disk, a closed pipe
** when SIGPIPE is ignored). Returns CLI_EXIT_OK or CLI_EXIT_RUNTIME.
*/
static int cli_finish_output(const char *cmd)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(cmd, "cannot write the output: %s", strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/*
** Strips one trailing "\n" and then one "\r" from a line read by
** getline(), so that LF and CRLF files give the same words. Returns the
** remaining length.
*/
static size_t cli_chomp(const char *line, size_t line_len)
{
    if (line_len > 0 && line[line_len - 1] == '\n')
        line_len--;
    if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
    return line_len;
}

/* ------------------------------------------------------------------------
** The subcommand table (its rows come at the end of the file)
** --------------------------------------------------------------------- */

/* One subcommand. */
typedef struct cli_command {
    const char *name;    /* as typed: "stem" */
    const char *summary; /* one line for the list in `whatmatters --help` */
    int (*run)(const struct cli_command *cmd, int argc, char **argv);
                         /* runs it on the arguments after its name;
                            returns the exit status */
    const char *help;    /* full help: usage, options, an example */
} cli_command;

static const cli_command *cli_find_command(const char *name);
static void cli_print_usage(FILE *out);

/* Prints a subcommand's help on stdout; returns CLI_EXIT_OK. */
static int cli_print_help(const cli_command *cmd)
{
    fputs(cmd->help, stdout);
    return cli_finish_output(cmd->name);
}

/* ------------------------------------------------------------------------
** stem
** --------------------------------------------------------------------- */

static const char cli_help_stem[] =
    "Usage: " CLI_NAME " stem --lang LANG [--data DIR] [FILE]\n"
    "\n"
    "Reads words, one a line, from FILE or standard input (no FILE, or '-')\n"
    "and prints the Snowball stem of each, one a line, in the same order.\n"
    "Each word is normalised first, as in an analysis (NFC, case folded), so\n"
    "'Vårdcentralen' gives 'vårdcentral'. The whole line is one word: it is\n"
    "not split at spaces. A line may end in LF or CRLF; an empty line gives\n"
    "an empty line.\n"
    "\n"
    "Options:\n"
    "  --lang LANG   language of the words: sv, nb, nn, da or en ('no' is\n"
    "                taken as nb); required\n"
    "  --data DIR    load word lists from DIR/LANG/stopwords.txt and\n"
    "                DIR/LANG/negation.txt instead of the built-in ones (see\n"
    "                lexicons/README.md); a missing file keeps the built-in\n"
    "                list\n"
    "  -h, --help    show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ printf 'vårdcentralen\\nbemötande\\n' | " CLI_NAME
    " stem --lang sv\n"
    "  vårdcentral\n"
    "  bemöt\n";

/*
** Stems every line of the input. getline() and a large stdout buffer keep
** it fast on vocabulary files of tens of thousands of lines: one
** allocation for the line, none per word in the CLI, no flush per line.
** A word the library rejects (invalid UTF-8, over the token length)
** stops the run with the line number: silently printing a blank would
** shift every later stem against its word.
*/
static int cli_stem(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_common common = {NULL, NULL, NULL};
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    FILE *in;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    const char *value;
    int kind;
    int status;

    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        if (kind == CLI_ARG_HELP)
            return cli_print_help(self);
        if (kind == CLI_ARG_ERROR)
            return CLI_EXIT_USAGE;
        switch (cli_common_arg(self->name, &common, kind, value)) {
        case 1: continue;
        case -1: return CLI_EXIT_USAGE;
        default: break;
        }
    }
    status = cli_common_check(self->name, &common);
    if (status != CLI_EXIT_OK)
        return status;
    in = cli_open_input(self->name, common.input_path);
    if (in == NULL)
        return CLI_EXIT_USAGE;
    status = cli_open_analyzer(self->name, &common, &engine, &analyzer);
    if (status != CLI_EXIT_OK) {
        cli_close_input(in);
        return status;
    }

    while ((got = getline(&line, &line_cap, in)) != -1) {
        size_t word_len = cli_chomp(line, (size_t)got);
        const char *stem;
        size_t stem_len;
        int rc;

        lineno++;
        if (word_len == 0) {
            putchar('\n');
            continue;
        }
        rc = wm_analyzer_stem(analyzer, line, word_len, &stem, &stem_len);
        if (rc != WM_OK) {
            char where[48];
            snprintf(where, sizeof where, "line %lu", lineno);
            status = cli_analyzer_error(self->name, analyzer, rc, where);
            break;
        }
        fwrite(stem, 1, stem_len, stdout);
        putchar('\n');
    }
    if (status == CLI_EXIT_OK && ferror(in))
        status = cli_read_error(self->name, common.input_path);
    if (status == CLI_EXIT_OK)
        status = cli_finish_output(self->name);
    else
        fflush(stdout); /* keep the stems printed before the failure */

    free(line);
    cli_close_input(in);
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    return status;
}

/* ------------------------------------------------------------------------
** tokenize
** --------------------------------------------------------------------- */

static const char cli_help_tokenize[] =
    "Usage: " CLI_NAME " tokenize --lang LANG [--all] [--lines] [--strict]\n"
    "                            [--data DIR] [FILE]\n"
    "\n"
    "Analyses the text of FILE or standard input (no FILE, or '-') as ONE\n"
    "answer and prints its tokens, one a line, in six tab-separated columns:\n"
    "\n"
    "  start    byte offset of the token's first byte in the input\n"
    "  end      byte offset one past its last byte\n"
    "  surface  the token's bytes as they are in the input\n"
    "  norm     its normal form (NFC, case folded)\n"
    "  stem     its Snowball stem (for a number or symbol, the normal form)\n"
    "  flags    a comma-separated list of word, number, symbol, emoji,\n"
    "           punct, space, invalid, stopword, negator, negated,\n"
    "           sent_start, clause_start, long; '-' when there is none\n"
    "\n"
    "In surface, norm and stem a tab is written \\t, a newline \\n, a\n"
    "backslash \\\\, and other control characters and bytes that are not\n"
    "valid UTF-8 \\xHH (two lowercase hex digits), so that every token is\n"
    "one line. Norm and stem are empty for a long token (flag 'long') and,\n"
    "with --all, for punctuation, space and invalid segments.\n"
    "\n"
    "Options:\n"
    "  --lang LANG   language of the text: sv, nb, nn, da or en ('no' is\n"
    "                taken as nb); required\n"
    "  --all         also print punctuation, white space and invalid bytes:\n"
    "                every segment of the input, in order\n"
    "  --lines       take each input line as a separate answer: offsets count\n"
    "                from the start of the line (its LF or CRLF ending is not\n"
    "                part of the answer), and an empty line follows the\n"
    "                tokens of each answer, also of an answer without tokens,\n"
    "                so the Nth block belongs to the Nth line\n"
    "  --strict      fail (exit status 1) on invalid UTF-8 instead of\n"
    "                treating it as a boundary between words\n"
    "  --data DIR    load word lists from DIR/LANG/stopwords.txt and\n"
    "                DIR/LANG/negation.txt instead of the built-in ones (see\n"
    "                lexicons/README.md); a missing file keeps the built-in\n"
    "                list\n"
    "  -h, --help    show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ printf 'Jag vill inte bli bollad.' | " CLI_NAME
    " tokenize --lang sv\n"
    "  0\t3\tJag\tjag\tjag\tword,stopword,sent_start,clause_start\n"
    "  4\t8\tvill\tvill\tvill\tword\n"
    "  9\t13\tinte\tinte\tint\tword,negator\n"
    "  14\t17\tbli\tbli\tbli\tword,stopword,negated\n"
    "  18\t24\tbollad\tbollad\tboll\tword,negated\n";

/* The name of each token flag, in the order the flags column lists them. */
static const struct cli_flag_name {
    uint32_t bit;     /* a WM_TOK_* bit */
    const char *name; /* its name in the flags column */
} cli_flag_names[] = {
    {WM_TOK_WORD, "word"},
    {WM_TOK_NUMBER, "number"},
    {WM_TOK_SYMBOL, "symbol"},
    {WM_TOK_EMOJI, "emoji"},
    {WM_TOK_PUNCT, "punct"},
    {WM_TOK_SPACE, "space"},
    {WM_TOK_INVALID, "invalid"},
    {WM_TOK_STOPWORD, "stopword"},
    {WM_TOK_NEGATOR, "negator"},
    {WM_TOK_NEGATED, "negated"},
    {WM_TOK_SENT_START, "sent_start"},
    {WM_TOK_CLAUSE_START, "clause_start"},
    {WM_TOK_LONG, "long"},
};

/*
** Length of the well-formed UTF-8 sequence at s, or 0 when the bytes there
** are not one (the escaper writes those as \xHH).
*/
static size_t cli_utf8_len(const unsigned char *s, size_t avail)
{
    int valid;
    size_t n = cli_utf8_seq(s, avail, &valid);

    return valid ? n : 0;
}

/*
** Writes bytes so that a token stays on one line and every byte can be
** recovered: \t, \n and \\ for tab, newline and backslash; \xHH for other
** C0 controls, DEL, the C1 controls (U+0080..U+009F, which some terminals
** obey) and every byte that is not part of valid UTF-8. Runs of plain
** bytes go out with one fwrite.
*/
static void cli_put_escaped(const char *text, size_t text_len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t plain = 0; /* start of the pending run of plain bytes */
    size_t i = 0;

    while (i < text_len) {
        unsigned b = s[i];
        size_t n = cli_utf8_len(s + i, text_len - i);
        const char *esc = NULL;

        if (b == '\t')
            esc = "\\t";
        else if (b == '\n')
            esc = "\\n";
        else if (b == '\\')
            esc = "\\\\";
        else if (b >= 0x20 && b != 0x7F && n > 0
                 && !(b == 0xC2 && s[i + 1] < 0xA0)) {
            i += n; /* printable, or valid UTF-8 that is not C1 */
            continue;
        }
        fwrite(text + plain, 1, i - plain, stdout);
        if (esc != NULL) {
            fputs(esc, stdout);
            i++;
        } else if (n == 2) { /* a C1 control: both bytes */
            printf("\\x%02x\\x%02x", b, (unsigned)s[i + 1]);
            i += 2;
        } else {
            printf("\\x%02x", b);
            i++;
        }
        plain = i;
    }
    fwrite(text + plain, 1, i - plain, stdout);
}

/* Writes the flags column: known names joined by commas, an unknown bit
** (from a newer library) as hex so that nothing is hidden, '-' for none. */
static void cli_put_flags(uint32_t flags)
{
    int first = 1;

    for (size_t i = 0; i < sizeof cli_flag_names / sizeof cli_flag_names[0];
         i++) {
        if (flags & cli_flag_names[i].bit) {
            if (!first)
                putchar(',');
            fputs(cli_flag_names[i].name, stdout);
            flags &= ~cli_flag_names[i].bit;
            first = 0;
        }
    }
    if (flags != 0) {
        printf("%s0x%04lx", first ? "" : ",", (unsigned long)flags);
        first = 0;
    }
    if (first)
        putchar('-');
}

/* Prints one token as a line of six tab-separated columns. */
static void cli_put_token(const char *text, const wm_token *tok)
{
    printf("%zu\t%zu\t", tok->start, tok->end);
    cli_put_escaped(text + tok->start, tok->end - tok->start);
    putchar('\t');
    cli_put_escaped(tok->norm, tok->norm_len);
    putchar('\t');
    cli_put_escaped(tok->stem, tok->stem_len);
    putchar('\t');
    cli_put_flags(tok->flags);
    putchar('\n');
}

/*
** Analyses one answer and prints its tokens. Returns CLI_EXIT_OK or, after
** printing the library's message (prefixed by `where` when not NULL),
** CLI_EXIT_RUNTIME.
*/
static int cli_tokenize_answer(const char *cmd, wm_analyzer *analyzer,
                               const char *text, size_t text_len,
                               unsigned flags, const char *where)
{
    const wm_analysis *analysis = NULL;
    int rc;

    rc = wm_analyze(analyzer, text, text_len, flags, &analysis);
    if (rc != WM_OK)
        return cli_analyzer_error(cmd, analyzer, rc, where);
    for (size_t i = 0; i < analysis->n_tokens; i++)
        cli_put_token(text, &analysis->tokens[i]);
    return CLI_EXIT_OK;
}

/*
** Reads the whole of a stream into a growing buffer (doubling, so the cost
** stays linear). Returns 0 with the buffer in *text (the caller frees it;
** never NULL on success) or an errno value.
*/
static int cli_read_all(FILE *in, char **text, size_t *text_len)
{
    size_t cap = 1u << 16;
    size_t len = 0;
    char *buf = malloc(cap);

    *text = NULL;
    *text_len = 0;
    if (buf == NULL)
        return ENOMEM;
    for (;;) {
        size_t got;
        if (len == cap) {
            char *bigger;
            if (cap > SIZE_MAX / 2) {
                free(buf);
                return ENOMEM;
            }
            bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                return ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        got = fread(buf + len, 1, cap - len, in);
        len += got;
        if (got == 0) {
            if (ferror(in)) {
                int err = errno != 0 ? errno : EIO;
                free(buf);
                return err;
            }
            break;
        }
    }
    *text = buf;
    *text_len = len;
    return 0;
}

/* tokenize's own options, after the shared ones. */
enum {
    CLI_OPT_ALL = CLI_OPT_OWN, /* --all */
    CLI_OPT_LINES,             /* --lines */
    CLI_OPT_STRICT             /* --strict */
};

/*
** Prints the tokens of the input: as one answer, or with --lines one
** answer a line, each followed by an empty line so that answers without
** tokens still show up in the output. The input is read whole (answers
** are small; the library caps the size with WM_ETOOBIG).
*/
static int cli_tokenize(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {"--all", 0, CLI_OPT_ALL},
        {"--lines", 0, CLI_OPT_LINES},
        {"--strict", 0, CLI_OPT_STRICT},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_common common = {NULL, NULL, NULL};
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    unsigned flags = 0;
    int by_line = 0;
    FILE *in;
    const char *value;
    int kind;
    int status;

    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        if (kind == CLI_ARG_HELP)
            return cli_print_help(self);
        if (kind == CLI_ARG_ERROR)
            return CLI_EXIT_USAGE;
        switch (cli_common_arg(self->name, &common, kind, value)) {
        case 1: continue;
        case -1: return CLI_EXIT_USAGE;
        default: break;
        }
        switch (kind) {
        case CLI_OPT_ALL: flags |= WM_ANALYZE_ALL; break;
        case CLI_OPT_LINES: by_line = 1; break;
        case CLI_OPT_STRICT: flags |= WM_ANALYZE_STRICT_UTF8; break;
        default: break;
        }
    }
    status = cli_common_check(self->name, &common);
    if (status != CLI_EXIT_OK)
        return status;
    in = cli_open_input(self->name, common.input_path);
    if (in == NULL)
        return CLI_EXIT_USAGE;
    status = cli_open_analyzer(self->name, &common, &engine, &analyzer);
    if (status != CLI_EXIT_OK) {
        cli_close_input(in);
        return status;
    }

    if (by_line) {
        char *line = NULL;
        size_t line_cap = 0;
        ssize_t got;
        unsigned long lineno = 0;

        while ((got = getline(&line, &line_cap, in)) != -1) {
            char where[48];
            lineno++;
            snprintf(where, sizeof where, "line %lu", lineno);
            status = cli_tokenize_answer(self->name, analyzer, line,
                                         cli_chomp(line, (size_t)got),
                                         flags, where);
            if (status != CLI_EXIT_OK)
                break;
            putchar('\n');
        }
        if (status == CLI_EXIT_OK && ferror(in))
            status = cli_read_error(self->name, common.input_path);
        free(line);
    } else {
        char *text = NULL;
        size_t text_len = 0;
        int err = cli_read_all(in, &text, &text_len);

        if (err == ENOMEM) {
            cli_error(self->name, "%s", wm_strerror(WM_ENOMEM));
            status = CLI_EXIT_RUNTIME;
        } else if (err != 0) {
            errno = err;
            status = cli_read_error(self->name, common.input_path);
        } else {
            status = cli_tokenize_answer(self->name, analyzer, text,
                                         text_len, flags, NULL);
        }
        free(text);
    }
    if (status == CLI_EXIT_OK)
        status = cli_finish_output(self->name);
    else
        fflush(stdout);

    cli_close_input(in);
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    return status;
}

/* ------------------------------------------------------------------------
** Shared set-up of the classifying subcommands: taxonomy, data, plugins
** --------------------------------------------------------------------- */

/* One --plugin on the command line, with the --options that followed it. */
typedef struct cli_plugin_arg {
    const char *plugin;  /* a built-in plugin's name, or a path with '/' */
    const char *options; /* its --options, or NULL */
} cli_plugin_arg;

/* What classify and eval take from their command line. */
typedef struct cli_setup {
    cli_common common;       /* --lang, --data, the FILE argument */
    const char *taxonomy;    /* --taxonomy FILE, or NULL: built in */
    const char *combine;     /* --combine as typed, or NULL: the default */
    int combine_rule;        /* WM_COMBINE_*, when combine is set */
    cli_plugin_arg *plugins; /* [n_plugins] in command-line order; room
                                for one per argument */
    size_t n_plugins;        /* how many --plugin */
} cli_setup;

/* Option ids of the classifying subcommands, after the shared ones; their
** own options number from CLI_OPT_CLASSIFY_OWN. */
enum {
    CLI_OPT_PLUGIN = CLI_OPT_OWN, /* --plugin */
    CLI_OPT_OPTIONS,              /* --options */
    CLI_OPT_TAXONOMY,             /* --taxonomy */
    CLI_OPT_COMBINE,              /* --combine */
    CLI_OPT_CLASSIFY_OWN          /* first id free for a subcommand */
};

/* The plugin used when the command line names none. */
#define CLI_DEFAULT_PLUGIN "lexicon"

/*
** Prepares a cli_setup for argc arguments (each --plugin takes one, so
** argc entries are always enough). Returns CLI_EXIT_OK, or
** CLI_EXIT_RUNTIME after printing that memory ran out.
*/
static int cli_setup_init(const char *cmd, cli_setup *setup, int argc)
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
static void cli_setup_free(cli_setup *setup)
{
    free(setup->plugins);
    setup->plugins = NULL;
}

/*
** Handles an argument the classifying subcommands share: those of
** cli_common_arg() and --plugin, --options, --taxonomy, --combine. Returns
** 1 when it was one of those, 0 when the caller must handle it, -1 on a
** usage error (already printed). --options belongs to the --plugin just
** before it, so it is refused without one, or a second time for one.
*/
static int cli_setup_arg(const char *cmd, cli_setup *setup, int kind,
                         const char *value)
{
    cli_plugin_arg *last;
    int rc = cli_common_arg(cmd, &setup->common, kind, value);

    if (rc != 0)
        return rc;
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
    default:
        return 0;
    }
}

/*
** Checks the classifying options before any work: the language, the
** --combine rule, and the data folder (which here may hold the lexicon's
** areas.txt without any word list). Returns CLI_EXIT_OK or CLI_EXIT_USAGE
** (after printing one line).
*/
static int cli_setup_check(const char *cmd, cli_setup *setup)
{
    int status = cli_check_lang(cmd, setup->common.lang);

    if (status != CLI_EXIT_OK)
        return status;
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

/*
** Prints a failed setup call on the engine: the engine's detailed message
** (which names the file, plugin or path), else `what` and the code's name.
** Returns the exit status: CLI_EXIT_USAGE for what the user named and the
** library could not find, read or parse (a taxonomy or data file, a plugin
** name or path), CLI_EXIT_RUNTIME for the rest (a plugin that loads but is
** refused, memory).
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
** Makes the engine for classifying and the analyzer for the language, in
** the order the setup calls require: the taxonomy (plugins are made for
** it), the data folder and the word lists in it (plugins read their data
** when they are added), the combination rule, the plugins in command-line
** order (the default one when none is named), then the analyzer, which
** freezes the engine. The word lists are loaded only when the folder has
** one: a folder with nothing but DIR/LANG/areas.txt is a lexicon to try,
** and the library refuses a word-list folder without lists.
** On failure prints one line, frees what was made, sets both out-pointers
** to NULL and returns the exit status (see cli_engine_error()).
*/
static int cli_open_classifier(const char *cmd, const cli_setup *setup,
                               wm_engine **engine_out,
                               wm_analyzer **analyzer_out)
{
    const char *data_dir = setup->common.data_dir;
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    int status = CLI_EXIT_OK;
    int rc;

    *engine_out = NULL;
    *analyzer_out = NULL;
    rc = wm_engine_new(NULL, &engine);
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
    if (status == CLI_EXIT_OK && setup->combine != NULL) {
        rc = wm_engine_set_combine(engine, setup->combine_rule);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, "--combine");
    }
    for (size_t i = 0; status == CLI_EXIT_OK && i < setup->n_plugins; i++) {
        const cli_plugin_arg *p = &setup->plugins[i];
        rc = wm_engine_add_plugin(engine, p->plugin, p->options);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, p->plugin);
    }
    if (status == CLI_EXIT_OK && setup->n_plugins == 0) {
        rc = wm_engine_add_plugin(engine, CLI_DEFAULT_PLUGIN, NULL);
        if (rc != WM_OK)
            status = cli_engine_error(cmd, engine, rc, CLI_DEFAULT_PLUGIN);
    }
    if (status == CLI_EXIT_OK
        && wm_engine_area_count(engine) > CLI_METRICS_MAX_AREAS) {
        cli_error(cmd, "the taxonomy has %zu areas; this program handles "
                  "%d at most", wm_engine_area_count(engine),
                  CLI_METRICS_MAX_AREAS);
        status = CLI_EXIT_RUNTIME;
    }
    if (status == CLI_EXIT_OK) {
        rc = wm_analyzer_new(engine, setup->common.lang, &analyzer);
        if (rc != WM_OK) {
            /* No analyzer, so no detailed message: the code's name. */
            cli_error(cmd, "%s", wm_strerror(rc));
            status = CLI_EXIT_RUNTIME;
        }
    }
    if (status != CLI_EXIT_OK) {
        wm_engine_free(engine);
        return status;
    }
    *engine_out = engine;
    *analyzer_out = analyzer;
    return CLI_EXIT_OK;
}

/* The predicted areas of a classification as a bit mask (bit i: area i;
** the taxonomy has at most 64 areas, checked at set-up). */
static uint64_t cli_label_mask(const wm_classification *c)
{
    uint64_t mask = 0;

    for (size_t i = 0; i < c->n_areas && i < CLI_METRICS_MAX_AREAS; i++) {
        if (c->labels[i])
            mask |= (uint64_t)1 << i;
    }
    return mask;
}

/* Writes the areas of a mask as a JSON array of ids, in taxonomy order. */
static void cli_json_areas(const wm_engine *engine, uint64_t mask)
{
    size_t n_areas = wm_engine_area_count(engine);
    int first = 1;

    putchar('[');
    for (size_t i = 0; i < n_areas && i < CLI_METRICS_MAX_AREAS; i++) {
        if (mask & ((uint64_t)1 << i)) {
            if (!first)
                putchar(',');
            cli_json_cstring(stdout, wm_engine_area_id(engine, i));
            first = 0;
        }
    }
    putchar(']');
}

/*
** Writes evidence as a JSON array of objects: the area id, the byte span
** in the answer, the bytes there, the rule and the plugin's name. A span
** that does not fit the text (which a plugin should never report) is
** printed as given, with the text cut to what exists.
*/
static void cli_json_evidence(const wm_engine *engine, const char *text,
                              size_t text_len, const wm_evidence *evidence,
                              size_t n_evidence)
{
    putchar('[');
    for (size_t i = 0; i < n_evidence; i++) {
        const wm_evidence *ev = &evidence[i];
        size_t start = ev->start < text_len ? ev->start : text_len;
        size_t end = ev->end < text_len ? ev->end : text_len;

        if (end < start)
            end = start;
        if (i > 0)
            putchar(',');
        fputs("{\"area\":", stdout);
        cli_json_cstring(stdout, wm_engine_area_id(engine, ev->area));
        printf(",\"start\":%zu,\"end\":%zu,\"text\":", ev->start, ev->end);
        cli_json_string(stdout, text + start, end - start);
        fputs(",\"rule\":", stdout);
        cli_json_cstring(stdout, ev->rule);
        fputs(",\"plugin\":", stdout);
        cli_json_cstring(stdout, wm_engine_plugin_name(engine, ev->plugin));
        if (ev->flags & WM_EVIDENCE_NEGATED)
            fputs(",\"negated\":true", stdout);
        putchar('}');
    }
    putchar(']');
}

/*
** The message of a plugin's failure on an answer: the result's message,
** or (should it be empty) a sentence naming the plugin. Written into buf;
** returns buf.
*/
static const char *cli_plugin_error(const wm_engine *engine,
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

/* ------------------------------------------------------------------------
** classify
** --------------------------------------------------------------------- */

static const char cli_help_classify[] =
    "Usage: " CLI_NAME " classify --lang LANG [--plugin NAME|PATH "
    "[--options STR]]...\n"
    "                            [--taxonomy FILE] [--data DIR]\n"
    "                            [--combine max|mean] [FILE]\n"
    "\n"
    "Reads answers, one a line, from FILE or standard input (no FILE, or\n"
    "'-'), codes each into the areas of the taxonomy, and prints one JSON\n"
    "object a line, the Nth for the Nth input line (an empty line is an\n"
    "answer without words):\n"
    "\n"
    "  {\"line\":1,\"areas\":[\"access\"],\"scores\":{\"access\":0.5,"
    "\"respect\":0,...},\n"
    "   \"evidence\":[{\"area\":\"access\",\"start\":4,\"end\":13,"
    "\"text\":\"väntetid\",\n"
    "                \"rule\":\"väntetid\",\"plugin\":\"lexicon\"}]}\n"
    "\n"
    "  line      the input line, from 1\n"
    "  areas     the areas assigned (combined score at least 0.5), in\n"
    "            taxonomy order\n"
    "  scores    every area's combined score in [0, 1], in taxonomy order,\n"
    "            rounded to four decimals (trailing zeros dropped)\n"
    "  evidence  what the plugins found, in the order of the text: the area,\n"
    "            the byte span [start, end) in the line (without its LF or\n"
    "            CRLF; decomposed characters count all their bytes), the\n"
    "            bytes there, the rule that matched as its author wrote it,\n"
    "            and the plugin\n"
    "\n"
    "When a plugin fails on an answer the others' results stand, and the\n"
    "object also holds \"status\":\"plugin_failed\" and \"plugin_error\" "
    "(why).\n"
    "Strings are escaped as JSON requires (quotes, backslashes, control\n"
    "characters as \\u00XX); bytes that are not valid UTF-8 are written as\n"
    "\\ufffd, while the offsets still count the original bytes.\n"
    "\n"
    "Options:\n"
    "  --lang LANG         language of the answers: sv, nb, nn, da or en\n"
    "                      ('no' is taken as nb); required\n"
    "  --plugin NAME|PATH  a plugin to run: a built-in one by name\n"
    "                      ('lexicon'), or a shared object by a path that\n"
    "                      contains '/' (./my_plugin.so); may be repeated,\n"
    "                      and the plugins run in the order given; without\n"
    "                      it: --plugin lexicon\n"
    "  --options STR       options for the plugin named just before\n"
    "  --taxonomy FILE     the areas from FILE instead of the built-in\n"
    "                      taxonomy (the format of lexicons/taxonomy.txt)\n"
    "  --data DIR          data files from DIR, laid out as lexicons/:\n"
    "                      DIR/LANG/areas.txt for the lexicon plugin, and\n"
    "                      DIR/LANG/stopwords.txt and negation.txt; a file\n"
    "                      missing there keeps the built-in one\n"
    "  --combine RULE      how several plugins' scores make one: max (the\n"
    "                      default: any plugin can assign an area) or mean\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ echo 'Att slippa vänta i telefonkön' | " CLI_NAME
    " classify --lang sv\n";

/*
** Classifies one answer and prints its JSON line. Returns CLI_EXIT_OK or,
** when the analysis itself fails (a plugin's failure is only marked in the
** line), CLI_EXIT_RUNTIME after printing the message with the line number.
*/
static int cli_classify_line(const char *cmd, const wm_engine *engine,
                             wm_analyzer *analyzer, const char *text,
                             size_t text_len, unsigned long lineno)
{
    const wm_classification *c = NULL;
    int rc = wm_classify(analyzer, text, text_len, 0, &c);

    if (rc != WM_OK) {
        char where[48];
        snprintf(where, sizeof where, "line %lu", lineno);
        return cli_analyzer_error(cmd, analyzer, rc, where);
    }
    printf("{\"line\":%lu,\"areas\":", lineno);
    cli_json_areas(engine, cli_label_mask(c));
    fputs(",\"scores\":{", stdout);
    for (size_t i = 0; i < c->n_areas; i++) {
        if (i > 0)
            putchar(',');
        cli_json_cstring(stdout, wm_engine_area_id(engine, i));
        putchar(':');
        cli_json_number(stdout, c->scores[i]);
    }
    fputs("},\"evidence\":", stdout);
    cli_json_evidence(engine, text, text_len, c->evidence, c->n_evidence);
    if (c->status & WM_STATUS_PLUGIN_FAILED) {
        char msg[1024];
        fputs(",\"status\":\"plugin_failed\",\"plugin_error\":", stdout);
        cli_json_cstring(stdout, cli_plugin_error(engine, c, msg,
                                                  sizeof msg));
    }
    fputs("}\n", stdout);
    return CLI_EXIT_OK;
}

/*
** Classifies every line of the input. As in stem, the lines already
** printed stay printed when a later one fails, and the failure names its
** line.
*/
static int cli_classify(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {"--plugin", 1, CLI_OPT_PLUGIN},
        {"--options", 1, CLI_OPT_OPTIONS},
        {"--taxonomy", 1, CLI_OPT_TAXONOMY},
        {"--combine", 1, CLI_OPT_COMBINE},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_setup setup;
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    FILE *in = NULL;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    const char *value;
    int kind;
    int status;

    status = cli_setup_init(self->name, &setup, argc);
    if (status != CLI_EXIT_OK)
        return status;
    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        if (kind == CLI_ARG_HELP) {
            cli_setup_free(&setup);
            return cli_print_help(self);
        }
        if (kind == CLI_ARG_ERROR
            || cli_setup_arg(self->name, &setup, kind, value) != 1) {
            cli_setup_free(&setup);
            return CLI_EXIT_USAGE;
        }
    }
    status = cli_setup_check(self->name, &setup);
    if (status == CLI_EXIT_OK) {
        in = cli_open_input(self->name, setup.common.input_path);
        if (in == NULL)
            status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK)
        status = cli_open_classifier(self->name, &setup, &engine, &analyzer);

    while (status == CLI_EXIT_OK
           && (got = getline(&line, &line_cap, in)) != -1) {
        lineno++;
        status = cli_classify_line(self->name, engine, analyzer, line,
                                   cli_chomp(line, (size_t)got), lineno);
    }
    if (status == CLI_EXIT_OK && ferror(in))
        status = cli_read_error(self->name, setup.common.input_path);
    if (status == CLI_EXIT_OK)
        status = cli_finish_output(self->name);
    else
        fflush(stdout); /* keep the lines printed before the failure */

    free(line);
    cli_close_input(in);
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    cli_setup_free(&setup);
    return status;
}

/* ------------------------------------------------------------------------
** eval
** --------------------------------------------------------------------- */

static const char cli_help_eval[] =
    "Usage: " CLI_NAME " eval --lang LANG [--plugin NAME|PATH "
    "[--options STR]]...\n"
    "                        [--taxonomy FILE] [--data DIR]\n"
    "                        [--combine max|mean] [--json] [--errors] "
    "GOLD.csv\n"
    "\n"
    "Classifies every answer of a gold corpus and compares the areas found\n"
    "with the gold ones. GOLD.csv ('-' for standard input) is CSV as in\n"
    "RFC 4180 with the header id,text,areas (corpora/README.md): fields\n"
    "with a comma, quote or line break in double quotes, a quote inside\n"
    "written twice; LF or CRLF line ends; a UTF-8 byte-order mark allowed;\n"
    "areas are ';'-separated area ids of the taxonomy, empty for none.\n"
    "\n"
    "Prints a row per area of the taxonomy, a row over all areas (micro),\n"
    "and a summary line:\n"
    "\n"
    "  area            precision  recall      f1  support\n"
    "  access              1.000   0.500   0.667        2\n"
    "  ...\n"
    "  micro               0.750   0.600   0.667        5\n"
    "  macro-F1 0.412  micro-F1 0.667  exact 0.500  answers 6\n"
    "\n"
    "With tp, fp and fn an area's true positives (predicted and gold),\n"
    "false positives (predicted, not gold) and false negatives (gold, not\n"
    "predicted):\n"
    "  precision  tp / (tp + fp)\n"
    "  recall     tp / (tp + fn)\n"
    "  f1         2 tp / (2 tp + fp + fn), the harmonic mean of the two\n"
    "  support    tp + fn, the answers with the area in the gold\n"
    "each 0 when its denominator is 0 (an area never predicted has\n"
    "precision 0, one without support recall 0). micro: the same over the\n"
    "counts summed over all areas. macro-F1: the mean F1 of all the\n"
    "taxonomy's areas, those without support included. exact: the share of\n"
    "answers whose predicted areas are exactly the gold ones (none for\n"
    "none).\n"
    "\n"
    "A malformed CSV (a quote inside an unquoted field, text after a\n"
    "closing quote, a quoted field that never ends, a row with another\n"
    "number of fields than the header) or an area id that is not in the\n"
    "taxonomy stops the run before any output with one line\n"
    "'FILE:LINE: byte OFFSET: what' (OFFSET from 0 at the start of the\n"
    "file) and exit status 1.\n"
    "\n"
    "Options:\n"
    "  --lang LANG         language of the answers; required\n"
    "  --plugin NAME|PATH  a plugin to run (repeatable; default lexicon)\n"
    "  --options STR       options for the plugin named just before\n"
    "  --taxonomy FILE     the areas from FILE instead of the built-in ones\n"
    "  --data DIR          data files from DIR, laid out as lexicons/\n"
    "  --combine RULE      max (the default) or mean\n"
    "                      (these six as in '" CLI_NAME " help classify')\n"
    "  --json              print one JSON object instead of the table:\n"
    "                      {\"answers\":N,\"macro_f1\":F,\"micro_f1\":F,\n"
    "                      \"exact_match\":F,\"per_area\":{\"ID\":{"
    "\"precision\":F,\n"
    "                      \"recall\":F,\"f1\":F,\"support\":N,\"tp\":N,"
    "\"fp\":N,\n"
    "                      \"fn\":N},...},\"micro\":{the same keys},\n"
    "                      \"plugin_failures\":N}, F rounded to four\n"
    "                      decimals\n"
    "  --errors            also list the misclassified answers after the\n"
    "                      table: id, gold and predicted areas, the text, and\n"
    "                      the rules that fired with the text they matched;\n"
    "                      with --json an \"errors\" array of {\"id\",\"line\",\n"
    "                      \"text\",\"gold\",\"predicted\",\"evidence\"} "
    "(evidence\n"
    "                      as in classify)\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ " CLI_NAME " eval --lang sv --errors corpora/gold/sv/dev.csv\n";

/* One answer of the gold corpus. */
typedef struct cli_gold {
    const char *id;   /* its id, in the file's buffer */
    size_t id_len;    /* bytes in id */
    const char *text; /* the answer, unquoted, in the file's buffer */
    size_t text_len;  /* bytes in text */
    size_t line;      /* line where its record starts */
    uint64_t areas;   /* the gold areas: bit i for area i */
} cli_gold;

/* A misclassified answer, kept for --errors until the table is out. */
typedef struct cli_miss {
    size_t answer;          /* index of the answer in the corpus */
    uint64_t predicted;     /* the areas predicted */
    wm_evidence *evidence;  /* a copy of its evidence (the rules stay
                               borrowed from the engine, valid for its
                               life) */
    size_t n_evidence;      /* how many */
    char *plugin_error;     /* a copy of the plugin's failure, or NULL */
} cli_miss;

/* The state of one eval run. */
typedef struct cli_eval_run {
    const char *cmd;        /* the subcommand's name, for messages */
    const char *file;       /* the gold file's name, for messages */
    const wm_engine *engine; /* the engine, for area and plugin names */
    cli_gold *answers;      /* the corpus */
    size_t n_answers;       /* how many */
    cli_miss *misses;       /* misclassified answers (with --errors) */
    size_t n_misses;        /* how many */
    cli_metrics metrics;    /* the counts */
    size_t plugin_failures; /* answers on which a plugin failed */
} cli_eval_run;

/* Prints "whatmatters: eval: FILE:LINE: byte OFFSET: message"; returns
** CLI_EXIT_RUNTIME (a malformed gold file is no usage error: the file was
** found and read). */
static int cli_gold_error(const cli_eval_run *run, size_t line,
                          size_t offset, const char *msg)
{
    cli_error(run->cmd, "%s:%zu: byte %zu: %s", run->file, line, offset, msg);
    return CLI_EXIT_RUNTIME;
}

/* The index of a header column by its name, or -1. */
static long cli_csv_column(const cli_csv_reader *csv, const char *name)
{
    size_t name_len = strlen(name);

    for (size_t i = 0; i < csv->n_fields; i++) {
        if (csv->fields[i].len == name_len
            && memcmp(csv->fields[i].text, name, name_len) == 0)
            return (long)i;
    }
    return -1;
}

/*
** Parses an areas field ("access;respect", empty for none) into a mask of
** the engine's areas. Spaces and tabs around an id are ignored, and so are
** empty items ("access;"). An id that is not in the taxonomy is an error
** naming it, its line and its byte offset, with the ids that would do.
*/
static int cli_gold_areas(const cli_eval_run *run, const cli_csv_field *field,
                          uint64_t *mask)
{
    size_t n_areas = wm_engine_area_count(run->engine);
    size_t i = 0;

    *mask = 0;
    while (i <= field->len) {
        size_t start, end, area;

        while (i < field->len && (field->text[i] == ' '
                                  || field->text[i] == '\t'))
            i++;
        start = i;
        while (i < field->len && field->text[i] != ';')
            i++;
        end = i;
        while (end > start && (field->text[end - 1] == ' '
                               || field->text[end - 1] == '\t'))
            end--;
        i++; /* past the ';' (or the end) */
        if (end == start)
            continue;
        for (area = 0; area < n_areas; area++) {
            const char *id = wm_engine_area_id(run->engine, area);
            if (id != NULL && strlen(id) == end - start
                && memcmp(id, field->text + start, end - start) == 0)
                break;
        }
        if (area == n_areas) {
            char ids[768] = "";
            char msg[1024];
            size_t used = 0;

            for (size_t k = 0; k < n_areas; k++) {
                int n = snprintf(ids + used, sizeof ids - used, "%s%s",
                                 k > 0 ? ", " : "",
                                 wm_engine_area_id(run->engine, k));
                if (n < 0 || (size_t)n >= sizeof ids - used)
                    break;
                used += (size_t)n;
            }
            snprintf(msg, sizeof msg, "unknown area '%.*s' (expected %s)",
                     (int)(end - start > 64 ? 64 : end - start),
                     field->text + start, ids);
            return cli_gold_error(run, field->line, field->offset
                                  + (size_t)field->quoted + start, msg);
        }
        *mask |= (uint64_t)1 << area;
    }
    return CLI_EXIT_OK;
}

/*
** Reads the gold corpus from buf (which the reader rewrites in place: the
** answers point into it). The header must name the columns id, text and
** areas (in any order; other columns are ignored); every row must have as
** many fields as the header. Returns CLI_EXIT_OK or, after one line on
** stderr, CLI_EXIT_RUNTIME.
*/
static int cli_gold_load(cli_eval_run *run, char *buf, size_t len)
{
    static const char *const columns[] = {"id", "text", "areas"};
    long col[3];
    size_t n_header;
    size_t cap = 0;
    cli_csv_reader csv;
    int status = CLI_EXIT_OK;
    int rc;

    cli_csv_init(&csv, buf, len);
    rc = cli_csv_next(&csv);
    if (rc == CLI_CSV_END) {
        cli_error(run->cmd, "%s: empty file (expected the header "
                  "id,text,areas)", run->file);
        cli_csv_free(&csv);
        return CLI_EXIT_RUNTIME;
    }
    if (rc == CLI_CSV_RECORD) {
        for (size_t k = 0; k < 3 && status == CLI_EXIT_OK; k++) {
            char msg[128];
            col[k] = cli_csv_column(&csv, columns[k]);
            if (col[k] >= 0)
                continue;
            snprintf(msg, sizeof msg, "the header has no column '%s' "
                     "(expected id,text,areas)", columns[k]);
            status = cli_gold_error(run, csv.record_line,
                                    csv.fields[0].offset, msg);
        }
    }
    n_header = csv.n_fields;
    while (status == CLI_EXIT_OK && rc == CLI_CSV_RECORD
           && (rc = cli_csv_next(&csv)) == CLI_CSV_RECORD) {
        cli_gold *g;

        if (csv.n_fields != n_header) {
            char msg[128];
            snprintf(msg, sizeof msg, "%zu field%s where the header has %zu",
                     csv.n_fields, csv.n_fields == 1 ? "" : "s", n_header);
            status = cli_gold_error(run, csv.record_line,
                                    csv.fields[0].offset, msg);
            break;
        }
        if (run->n_answers == cap) {
            size_t new_cap = cap ? cap * 2 : 256;
            cli_gold *bigger = realloc(run->answers,
                                       new_cap * sizeof *bigger);
            if (bigger == NULL) {
                rc = CLI_CSV_NOMEM;
                break;
            }
            run->answers = bigger;
            cap = new_cap;
        }
        g = &run->answers[run->n_answers];
        g->id = csv.fields[col[0]].text;
        g->id_len = csv.fields[col[0]].len;
        g->text = csv.fields[col[1]].text;
        g->text_len = csv.fields[col[1]].len;
        g->line = csv.record_line;
        status = cli_gold_areas(run, &csv.fields[col[2]], &g->areas);
        if (status == CLI_EXIT_OK)
            run->n_answers++;
    }
    if (status == CLI_EXIT_OK && rc == CLI_CSV_ERROR)
        status = cli_gold_error(run, csv.err_line, csv.err_offset, csv.err);
    if (status == CLI_EXIT_OK && rc == CLI_CSV_NOMEM) {
        cli_error(run->cmd, "%s", wm_strerror(WM_ENOMEM));
        status = CLI_EXIT_RUNTIME;
    }
    cli_csv_free(&csv);
    return status;
}

/*
** Remembers a misclassified answer for --errors: the evidence is copied,
** as the classification is only lent until the next answer. Returns 0, or
** -1 when memory runs out.
*/
static int cli_eval_keep_miss(cli_eval_run *run, size_t *cap, size_t answer,
                              const wm_classification *c,
                              const char *plugin_error)
{
    cli_miss *m;

    if (run->n_misses == *cap) {
        size_t new_cap = *cap ? *cap * 2 : 64;
        cli_miss *bigger = realloc(run->misses, new_cap * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        run->misses = bigger;
        *cap = new_cap;
    }
    m = &run->misses[run->n_misses];
    memset(m, 0, sizeof *m);
    m->answer = answer;
    m->predicted = cli_label_mask(c);
    if (c->n_evidence > 0) {
        m->evidence = malloc(c->n_evidence * sizeof *m->evidence);
        if (m->evidence == NULL)
            return -1;
        memcpy(m->evidence, c->evidence, c->n_evidence * sizeof *m->evidence);
        m->n_evidence = c->n_evidence;
    }
    if (plugin_error != NULL) {
        m->plugin_error = strdup(plugin_error);
        if (m->plugin_error == NULL) {
            free(m->evidence);
            return -1;
        }
    }
    run->n_misses++;
    return 0;
}

/*
** Classifies every answer and counts. A plugin's failure on an answer
** does not stop the run (the other plugins' areas stand, as in classify);
** one warning line at the end says how often it happened and the first
** message. A failure of the analysis itself stops it, naming the line.
*/
static int cli_eval_classify(cli_eval_run *run, wm_analyzer *analyzer,
                             int keep_errors)
{
    char first_failure[1024] = "";
    size_t first_failure_line = 0;
    size_t miss_cap = 0;

    for (size_t i = 0; i < run->n_answers; i++) {
        const cli_gold *g = &run->answers[i];
        const wm_classification *c = NULL;
        char plugin_error[1024];
        const char *failure = NULL;
        uint64_t predicted;
        int rc = wm_classify(analyzer, g->text, g->text_len, 0, &c);

        if (rc != WM_OK) {
            char where[4200];
            snprintf(where, sizeof where, "%s:%zu", run->file, g->line);
            return cli_analyzer_error(run->cmd, analyzer, rc, where);
        }
        if (c->status & WM_STATUS_PLUGIN_FAILED) {
            failure = cli_plugin_error(run->engine, c, plugin_error,
                                       sizeof plugin_error);
            if (run->plugin_failures++ == 0) {
                snprintf(first_failure, sizeof first_failure, "%s", failure);
                first_failure_line = g->line;
            }
        }
        predicted = cli_label_mask(c);
        cli_metrics_add(&run->metrics, g->areas, predicted);
        if (keep_errors && predicted != g->areas
            && cli_eval_keep_miss(run, &miss_cap, i, c, failure) != 0) {
            cli_error(run->cmd, "%s", wm_strerror(WM_ENOMEM));
            return CLI_EXIT_RUNTIME;
        }
    }
    if (run->plugin_failures > 0)
        cli_error(run->cmd, "warning: a plugin failed on %zu answer%s "
                  "(first %s:%zu: %s)", run->plugin_failures,
                  run->plugin_failures == 1 ? "" : "s", run->file,
                  first_failure_line, first_failure);
    return CLI_EXIT_OK;
}

/* Writes the areas of a mask as "id;id", or "-" for none. */
static void cli_put_areas(const wm_engine *engine, uint64_t mask)
{
    size_t n_areas = wm_engine_area_count(engine);
    int first = 1;

    for (size_t i = 0; i < n_areas && i < CLI_METRICS_MAX_AREAS; i++) {
        if (mask & ((uint64_t)1 << i)) {
            const char *id = wm_engine_area_id(engine, i);
            printf("%s%s", first ? "" : ";", id != NULL ? id : "?");
            first = 0;
        }
    }
    if (first)
        putchar('-');
}

/* Prints one row of the table. */
static void cli_put_row(const char *name, const cli_scores *s)
{
    printf("%-16s%9.3f%8.3f%8.3f%9zu\n", name, s->precision, s->recall,
           s->f1, s->support);
}

/*
** Prints the table, the summary line and, with --errors, the misclassified
** answers, each as
**   ID  gold: AREAS  predicted: AREAS
**     text: TEXT
**     rules: AREA:RULE "MATCHED", ...        ('-' when none fired)
**     plugin failed: MESSAGE                  (only when one did)
** with the escapes of tokenize (\t, \n, \\, \xHH) so that each is a line.
*/
static void cli_eval_print_text(const cli_eval_run *run, int with_errors)
{
    const wm_engine *engine = run->engine;
    const cli_metrics *m = &run->metrics;
    cli_scores s;

    printf("%-16s%9s%8s%8s%9s\n", "area", "precision", "recall", "f1",
           "support");
    for (size_t i = 0; i < m->n_areas; i++) {
        const char *id = wm_engine_area_id(engine, i);
        s = cli_metrics_area(m, i);
        cli_put_row(id != NULL ? id : "?", &s);
    }
    s = cli_metrics_micro(m);
    cli_put_row("micro", &s);
    printf("macro-F1 %.3f  micro-F1 %.3f  exact %.3f  answers %zu\n",
           cli_metrics_macro_f1(m), s.f1, cli_metrics_exact(m), m->answers);
    if (!with_errors)
        return;

    printf("\nmisclassified: %zu of %zu answers\n", run->n_misses,
           m->answers);
    for (size_t k = 0; k < run->n_misses; k++) {
        const cli_miss *miss = &run->misses[k];
        const cli_gold *g = &run->answers[miss->answer];

        cli_put_escaped(g->id, g->id_len);
        fputs("  gold: ", stdout);
        cli_put_areas(engine, g->areas);
        fputs("  predicted: ", stdout);
        cli_put_areas(engine, miss->predicted);
        fputs("\n  text: ", stdout);
        cli_put_escaped(g->text, g->text_len);
        fputs("\n  rules: ", stdout);
        if (miss->n_evidence == 0)
            putchar('-');
        for (size_t e = 0; e < miss->n_evidence; e++) {
            const wm_evidence *ev = &miss->evidence[e];
            const char *id = wm_engine_area_id(engine, ev->area);
            size_t start = ev->start < g->text_len ? ev->start : g->text_len;
            size_t end = ev->end < g->text_len ? ev->end : g->text_len;

            if (end < start)
                end = start;
            printf("%s%s:", e > 0 ? ", " : "", id != NULL ? id : "?");
            if (ev->rule != NULL)
                cli_put_escaped(ev->rule, strlen(ev->rule));
            fputs(" \"", stdout);
            cli_put_escaped(g->text + start, end - start);
            putchar('"');
        }
        putchar('\n');
        if (miss->plugin_error != NULL) {
            fputs("  plugin failed: ", stdout);
            cli_put_escaped(miss->plugin_error, strlen(miss->plugin_error));
            putchar('\n');
        }
    }
}

/* Writes one set of scores as a JSON object. */
static void cli_json_scores(const cli_scores *s)
{
    fputs("{\"precision\":", stdout);
    cli_json_number(stdout, s->precision);
    fputs(",\"recall\":", stdout);
    cli_json_number(stdout, s->recall);
    fputs(",\"f1\":", stdout);
    cli_json_number(stdout, s->f1);
    printf(",\"support\":%zu,\"tp\":%zu,\"fp\":%zu,\"fn\":%zu}", s->support,
           s->counts.tp, s->counts.fp, s->counts.fn);
}

/* Prints the result as one JSON object on one line (see the help). */
static void cli_eval_print_json(const cli_eval_run *run, int with_errors)
{
    const wm_engine *engine = run->engine;
    const cli_metrics *m = &run->metrics;
    cli_scores micro = cli_metrics_micro(m);

    printf("{\"answers\":%zu,\"macro_f1\":", m->answers);
    cli_json_number(stdout, cli_metrics_macro_f1(m));
    fputs(",\"micro_f1\":", stdout);
    cli_json_number(stdout, micro.f1);
    fputs(",\"exact_match\":", stdout);
    cli_json_number(stdout, cli_metrics_exact(m));
    fputs(",\"per_area\":{", stdout);
    for (size_t i = 0; i < m->n_areas; i++) {
        cli_scores s = cli_metrics_area(m, i);
        if (i > 0)
            putchar(',');
        cli_json_cstring(stdout, wm_engine_area_id(engine, i));
        putchar(':');
        cli_json_scores(&s);
    }
    fputs("},\"micro\":", stdout);
    cli_json_scores(&micro);
    printf(",\"plugin_failures\":%zu", run->plugin_failures);
    if (with_errors) {
        fputs(",\"errors\":[", stdout);
        for (size_t k = 0; k < run->n_misses; k++) {
            const cli_miss *miss = &run->misses[k];
            const cli_gold *g = &run->answers[miss->answer];

            if (k > 0)
                putchar(',');
            fputs("{\"id\":", stdout);
            cli_json_string(stdout, g->id, g->id_len);
            printf(",\"line\":%zu,\"text\":", g->line);
            cli_json_string(stdout, g->text, g->text_len);
            fputs(",\"gold\":", stdout);
            cli_json_areas(engine, g->areas);
            fputs(",\"predicted\":", stdout);
            cli_json_areas(engine, miss->predicted);
            fputs(",\"evidence\":", stdout);
            cli_json_evidence(engine, g->text, g->text_len, miss->evidence,
                              miss->n_evidence);
            if (miss->plugin_error != NULL) {
                fputs(",\"status\":\"plugin_failed\",\"plugin_error\":",
                      stdout);
                cli_json_cstring(stdout, miss->plugin_error);
            }
            putchar('}');
        }
        putchar(']');
    }
    fputs("}\n", stdout);
}

/* eval's own options, after the shared ones. */
enum {
    CLI_OPT_JSON = CLI_OPT_CLASSIFY_OWN, /* --json */
    CLI_OPT_ERRORS                       /* --errors */
};

/*
** Evaluates the classifier on a gold corpus. The file is read whole and
** checked whole (syntax and area ids) before the first answer is
** classified, so a malformed corpus never gives half a table.
*/
static int cli_eval(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {"--plugin", 1, CLI_OPT_PLUGIN},
        {"--options", 1, CLI_OPT_OPTIONS},
        {"--taxonomy", 1, CLI_OPT_TAXONOMY},
        {"--combine", 1, CLI_OPT_COMBINE},
        {"--json", 0, CLI_OPT_JSON},
        {"--errors", 0, CLI_OPT_ERRORS},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_setup setup;
    cli_eval_run run;
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    char *buf = NULL;
    size_t buf_len = 0;
    int as_json = 0;
    int with_errors = 0;
    const char *value;
    int kind;
    int status;

    memset(&run, 0, sizeof run);
    status = cli_setup_init(self->name, &setup, argc);
    if (status != CLI_EXIT_OK)
        return status;
    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        int rc;
        if (kind == CLI_ARG_HELP) {
            cli_setup_free(&setup);
            return cli_print_help(self);
        }
        if (kind == CLI_ARG_ERROR)
            rc = -1;
        else
            rc = cli_setup_arg(self->name, &setup, kind, value);
        if (rc == 0 && kind == CLI_OPT_JSON)
            as_json = 1;
        else if (rc == 0 && kind == CLI_OPT_ERRORS)
            with_errors = 1;
        else if (rc != 1) {
            cli_setup_free(&setup);
            return CLI_EXIT_USAGE;
        }
    }
    status = cli_setup_check(self->name, &setup);
    if (status == CLI_EXIT_OK && setup.common.input_path == NULL) {
        cli_error(self->name, "missing GOLD.csv (the gold corpus to "
                  "evaluate on)");
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK) {
        FILE *in = cli_open_input(self->name, setup.common.input_path);
        int err;

        if (in == NULL) {
            status = CLI_EXIT_USAGE;
        } else {
            err = cli_read_all(in, &buf, &buf_len);
            cli_close_input(in);
            if (err == ENOMEM) {
                cli_error(self->name, "%s", wm_strerror(WM_ENOMEM));
                status = CLI_EXIT_RUNTIME;
            } else if (err != 0) {
                errno = err;
                status = cli_read_error(self->name, setup.common.input_path);
            }
        }
    }
    if (status == CLI_EXIT_OK)
        status = cli_open_classifier(self->name, &setup, &engine, &analyzer);
    if (status == CLI_EXIT_OK) {
        run.cmd = self->name;
        run.file = strcmp(setup.common.input_path, "-") == 0
                       ? "standard input" : setup.common.input_path;
        run.engine = engine;
        if (cli_metrics_init(&run.metrics, wm_engine_area_count(engine))
            != 0) {
            cli_error(self->name, "the taxonomy has no areas");
            status = CLI_EXIT_RUNTIME;
        }
    }
    if (status == CLI_EXIT_OK)
        status = cli_gold_load(&run, buf, buf_len);
    if (status == CLI_EXIT_OK)
        status = cli_eval_classify(&run, analyzer, with_errors);
    if (status == CLI_EXIT_OK) {
        if (as_json)
            cli_eval_print_json(&run, with_errors);
        else
            cli_eval_print_text(&run, with_errors);
        status = cli_finish_output(self->name);
    }

    for (size_t k = 0; k < run.n_misses; k++) {
        free(run.misses[k].evidence);
        free(run.misses[k].plugin_error);
    }
    free(run.misses);
    free(run.answers);
    free(buf);
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    cli_setup_free(&setup);
    return status;
}

/* ------------------------------------------------------------------------
** help
** --------------------------------------------------------------------- */

static const char cli_help_help[] =
    "Usage: " CLI_NAME " help [COMMAND]\n"
    "\n"
    "Shows the help of COMMAND (the same as '" CLI_NAME " COMMAND --help'),\n"
    "or without COMMAND the list of commands.\n"
    "\n"
    "Options:\n"
    "  -h, --help    show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ " CLI_NAME " help stem\n";

/* Shows one subcommand's help, or the general usage without an argument. */
static int cli_help(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {{NULL, 0, 0}};
    cli_args args = {self->name, argc, argv, 0, 0};
    const char *topic = NULL;
    const char *value;
    const cli_command *cmd;
    int kind;

    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        if (kind == CLI_ARG_HELP)
            return cli_print_help(self);
        if (kind == CLI_ARG_ERROR)
            return CLI_EXIT_USAGE;
        if (topic != NULL) {
            cli_error(self->name, "unexpected argument '%s' (one command "
                      "at most)", value);
            return CLI_EXIT_USAGE;
        }
        topic = value;
    }
    if (topic == NULL) {
        cli_print_usage(stdout);
        return cli_finish_output(self->name);
    }
    cmd = cli_find_command(topic);
    if (cmd == NULL) {
        cli_error(self->name, "unknown subcommand '%s' (try '" CLI_NAME
                  " --help')", topic);
        return CLI_EXIT_USAGE;
    }
    return cli_print_help(cmd);
}

/* ------------------------------------------------------------------------
** The table and main()
** --------------------------------------------------------------------- */

/* Every subcommand, in the order `whatmatters --help` lists them. A new
** one (train, report) is a function, a help text and a row here. */
static const cli_command cli_commands[] = {
    {"stem", "print the Snowball stem of each word read, one a line",
     cli_stem, cli_help_stem},
    {"tokenize", "print an answer's tokens: offsets, normal form, stem, "
     "flags", cli_tokenize, cli_help_tokenize},
    {"classify", "code answers, one a line, into areas: a JSON line each",
     cli_classify, cli_help_classify},
    {"eval", "score the classifier on a gold corpus (CSV): P, R, F1",
     cli_eval, cli_help_eval},
    {"help", "show the help of a command", cli_help, cli_help_help},
};

/* The row for a subcommand name, or NULL. */
static const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0];
         i++) {
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    }
    return NULL;
}

/* Prints the general usage with the list of subcommands, taken from the
** table so that the list cannot miss one. */
static void cli_print_usage(FILE *out)
{
    fputs("Usage: " CLI_NAME " COMMAND [OPTIONS] [FILE]\n"
          "       " CLI_NAME " help COMMAND\n"
          "       " CLI_NAME " --version\n"
          "\n"
          "Analyses free-text answers to \"What matters to you?\" in Swedish "
          "(sv),\n"
          "Norwegian Bokmål (nb) and Nynorsk (nn), Danish (da) and English "
          "(en).\n"
          "\n"
          "Commands:\n", out);
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0];
         i++)
        fprintf(out, "  %-10s  %s\n", cli_commands[i].name,
                cli_commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help    show this help and exit\n"
          "  --version     show the library's version and exit\n"
          "\n"
          "'" CLI_NAME " help COMMAND' shows a command's options and an "
          "example.\n"
          "Exit status: 0 success, 1 a failure in the library or on output,"
          "\n"
          "2 a usage error (unknown command, option or language, bad value,"
          "\n"
          "unreadable input, a file or plugin that cannot be found or read)."
          "\n", out);
}

/*
** Prints the version of the library actually loaded, and the header's when
** they differ, so that a program running against another library than it
** was built with is visible at once.
*/
static int cli_print_version(void)
{
    printf(CLI_NAME " %s", wm_version());
    if (wm_version_number() != WM_VERSION_NUMBER)
        printf(" (built with the header of %s)", WM_VERSION);
    putchar('\n');
    return cli_finish_output(NULL);
}

/* Dispatches to the subcommand named by argv[1]. */
int main(int argc, char **argv)
{
    const cli_command *cmd;
    const char *name;

    setvbuf(stdout, NULL, _IOFBF, CLI_OUT_BUFFER);
    if (argc < 2) {
        cli_error(NULL, "missing command (try '" CLI_NAME " --help')");
        return CLI_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        cli_print_usage(stdout);
        return cli_finish_output(NULL);
    }
    if (strcmp(name, "--version") == 0)
        return cli_print_version();
    if (name[0] == '-') {
        cli_error(NULL, "unknown option '%s' (try '" CLI_NAME " --help')",
                  name);
        return CLI_EXIT_USAGE;
    }
    cmd = cli_find_command(name);
    if (cmd == NULL) {
        cli_error(NULL, "unknown subcommand '%s' (try '" CLI_NAME
                  " --help')", name);
        return CLI_EXIT_USAGE;
    }
    return cmd->run(cmd, argc - 2, argv + 2);
}
