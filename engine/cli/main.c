/*
** main.c — the `whatmatters` command-line tool.
**
** A thin program over the public header only (whatmatters.h): it never
** reaches into the library's internals, so it is also a worked example of
** the API. Subcommands live in one table (name, summary, function, help
** text); adding one means writing its function and help text and adding a
** row. Options are parsed here, by hand, in both `--lang sv` and
** `--lang=sv` forms, so the program needs nothing beyond C11 and POSIX.
**
** Exit status: 0 success; 1 a runtime failure (the library or writing the
** output failed); 2 a usage error (unknown subcommand, option or language,
** a missing or bad option value, an unreadable input file or data folder).
** Every error is one line on stderr: "whatmatters: CMD: message".
*/
#define _POSIX_C_SOURCE 200809L /* getline(), stat() under -std=c11 */

#include "whatmatters.h"

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
** Checks what can be checked before any work: a language is given and
** known, the data folder exists and holds at least one word list. The
** library would accept a folder without any list (a missing file keeps
** the built-in list), so a mistyped --data path would silently change
** nothing; this turns it into a usage error. Returns CLI_EXIT_OK or
** CLI_EXIT_USAGE (after printing one line).
*/
static int cli_common_check(const char *cmd, const cli_common *common)
{
    char names[128];
    struct stat st;

    if (common->lang == NULL) {
        cli_error(cmd, "missing --lang (expected %s)",
                  cli_lang_names(names, sizeof names));
        return CLI_EXIT_USAGE;
    }
    if (wm_lang_check(common->lang) != WM_OK) {
        cli_error(cmd, "unknown language '%s' (expected %s)", common->lang,
                  cli_lang_names(names, sizeof names));
        return CLI_EXIT_USAGE;
    }
    if (common->data_dir != NULL) {
        const char *const *langs = wm_lang_list();
        static const char *const kinds[] = {"stopwords.txt", "negation.txt"};
        int found = 0;

        if (stat(common->data_dir, &st) != 0) {
            cli_error(cmd, "cannot read data folder '%s': %s",
                      common->data_dir, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        if (!S_ISDIR(st.st_mode)) {
            cli_error(cmd, "data folder '%s' is not a folder",
                      common->data_dir);
            return CLI_EXIT_USAGE;
        }
        for (size_t i = 0; !found && langs != NULL && langs[i] != NULL; i++) {
            for (size_t k = 0; !found && k < 2; k++) {
                char path[4096];
                int n = snprintf(path, sizeof path, "%s/%s/%s",
                                 common->data_dir, langs[i], kinds[k]);
                if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0)
                    found = 1;
            }
        }
        if (!found) {
            cli_error(cmd, "no word lists in data folder '%s' (expected "
                      "%s/LANG/stopwords.txt or %s/LANG/negation.txt)",
                      common->data_dir, common->data_dir, common->data_dir);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
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
** Length of the well-formed UTF-8 sequence at s (Unicode Table 3-7: no
** overlongs, surrogates or values above U+10FFFF), or 0 when the bytes
** there are not one. Only the escaper needs it; the library has its own.
*/
static size_t cli_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned lead = s[0];
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t need;                   /* continuation bytes */

    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (avail <= need)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return need + 1;
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
** one (classify, eval, train, report) is a function, a help text and a
** row here. */
static const cli_command cli_commands[] = {
    {"stem", "print the Snowball stem of each word read, one a line",
     cli_stem, cli_help_stem},
    {"tokenize", "print an answer's tokens: offsets, normal form, stem, "
     "flags", cli_tokenize, cli_help_tokenize},
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
          "unreadable input).\n", out);
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
