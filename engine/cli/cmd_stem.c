/*
** cmd_stem.c — `whatmatters stem`: the Snowball stem of each word read,
** one a line.
*/
#define _POSIX_C_SOURCE 200809L /* getline() under -std=c11 */

#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cli_help_stem[] =
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
int cli_stem(const cli_command *self, int argc, char **argv)
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
