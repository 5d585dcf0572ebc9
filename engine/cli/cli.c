/*
** cli.c — what every subcommand shares: one-line error messages, the
** option parser, opening the input, flushing the output, and the escapes
** that keep a token or an answer on one line.
**
** Options are parsed by hand, in both `--lang sv` and `--lang=sv` forms,
** so the program needs nothing beyond C11 and POSIX.
*/
#define _POSIX_C_SOURCE 200809L /* getline(), stat() under -std=c11 */

#include "cli.h"

#include "json_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
** Messages
** --------------------------------------------------------------------- */

/*
** Prints one error line, "whatmatters: CMD: message", to stderr (without
** "CMD: " when cmd is NULL). Control characters in the message (a file
** name, or a library message, might hold a newline) become spaces so that
** the error is always exactly one line, which scripts and tests rely on.
*/
void cli_error(const char *cmd, const char *fmt, ...)
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
const char *cli_lang_names(char *buf, size_t buf_len)
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
int cli_analyzer_error(const char *cmd, const wm_analyzer *analyzer, int rc,
                       const char *where)
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

/*
** Reads the next argument of a subcommand. Returns an option's id (its
** value, if it takes one, in *value), CLI_ARG_POSITIONAL (the argument in
** *value), CLI_ARG_HELP, CLI_ARG_END, or CLI_ARG_ERROR after printing one
** line. A value may be attached ("--lang=sv") or follow ("--lang sv"); a
** following argument that looks like an option is not taken as a value,
** so "--lang --all" reports the missing language instead of trying a
** language called "--all". "-" alone is positional (standard input).
*/
int cli_next_arg(cli_args *args, const cli_option *options,
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
** Arguments every analysing subcommand shares
** --------------------------------------------------------------------- */

/*
** Handles an argument every analysing subcommand shares (--lang, --data,
** the optional FILE). Returns 1 when it was one of those, 0 when the
** caller must handle it, -1 on a usage error (already printed).
*/
int cli_common_arg(const char *cmd, cli_common *common, int kind,
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
int cli_check_lang(const char *cmd, const char *lang)
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

/*
** Checks what can be checked before any work: a language is given and
** known, the data folder exists and holds at least one word list.
** Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after printing one line).
*/
int cli_common_check(const char *cmd, const cli_common *common)
{
    int status = cli_check_lang(cmd, common->lang);

    if (status == CLI_EXIT_OK && common->data_dir != NULL)
        status = cli_check_data_dir(cmd, common->data_dir,
                                    cli_wordlist_files);
    return status;
}

/* ------------------------------------------------------------------------
** Input and output
** --------------------------------------------------------------------- */

/*
** Opens the input: the named file, or stdin when there is none or it is
** "-". On failure prints one line and returns NULL (a usage error: the
** user named a file that cannot be read).
*/
FILE *cli_open_input(const char *cmd, const char *path)
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
void cli_close_input(FILE *in)
{
    if (in != NULL && in != stdin)
        fclose(in);
}

/* Reports a read error on the input: a usage error (the input, not the
** program, is at fault, e.g. a folder given as FILE). */
int cli_number(const char *cmd, const char *opt, const char *value,
               uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || v > max) {
        cli_error(cmd, "bad %s value '%s' (expected a number 0 to %llu)",
                  opt, value, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_read_error(const char *cmd, const char *path)
{
    cli_error(cmd, "cannot read '%s': %s",
              path != NULL ? path : "standard input", strerror(errno));
    return CLI_EXIT_USAGE;
}

/*
** Flushes stdout and reports a failed write (a full disk, a closed pipe
** when SIGPIPE is ignored). Returns CLI_EXIT_OK or CLI_EXIT_RUNTIME.
*/
int cli_finish_output(const char *cmd)
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
size_t cli_chomp(const char *line, size_t line_len)
{
    if (line_len > 0 && line[line_len - 1] == '\n')
        line_len--;
    if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
    return line_len;
}

/*
** Prints a subcommand's help on stdout. A command without a help text in
** its row prints its own: it is run with "--help".
*/
int cli_print_help(const cli_command *cmd)
{
    if (cmd->help == NULL) {
        char help_arg[] = "--help";
        char *argv[] = {help_arg, NULL};
        return cmd->run(cmd, 1, argv);
    }
    fputs(cmd->help, stdout);
    return cli_finish_output(cmd->name);
}

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
void cli_put_escaped(const char *text, size_t text_len)
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

/*
** Reads the whole of a stream into a growing buffer (doubling, so the cost
** stays linear). Returns 0 with the buffer in *text (the caller frees it;
** never NULL on success) or an errno value.
*/
int cli_read_all(FILE *in, char **text, size_t *text_len)
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

