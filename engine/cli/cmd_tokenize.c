/*
** cmd_tokenize.c — `whatmatters tokenize`: an answer's tokens with their
** offsets, normal form, stem and flags, one a line.
*/
#define _POSIX_C_SOURCE 200809L /* getline() under -std=c11 */

#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cli_help_tokenize[] =
    "Usage: " CLI_NAME " tokenize --lang LANG [--all] [--lines] [--strict]\n"
    "                            [--data DIR] [--spell on|off|suggest]\n"
    "                            [--dict-dir DIR] [FILE]\n"
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
    "           sent_start, clause_start, long, variant, part; '-' when\n"
    "           there is none\n"
    "\n"
    "With --spell on, a word is followed by the tokens the spelling stage\n"
    "adds for it, with the word's own offsets and surface: 'part' for each\n"
    "part of a compound, 'variant' for a correction (a misspelling, or\n"
    "letters without their diacritics). tokenize adds no plugin, so it\n"
    "shows what the stage finds for every word it looks at; classify asks\n"
    "it only about words no plugin knows (docs/spelling.md).\n"
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
    "  --spell MODE    on, off or suggest (default off): split compounds\n"
    "                and correct misspellings with the Hunspell dictionary\n"
    "                of LANG only (sv_SE, nb_NO, nn_NO, da_DK, en_US; Debian\n"
    "                packages hunspell-sv, -no, -da, -en-us); see\n"
    "                docs/spelling.md\n"
    "  --dict-dir DIR  the dictionaries' folder (default\n"
    "                /usr/share/hunspell); used with --spell on\n"
    "  -h, --help    show this help and exit\n"
    "\n"
    "Examples:\n"
    "  $ printf 'Jag vill inte bli bollad.' | " CLI_NAME
    " tokenize --lang sv\n"
    "  0\t3\tJag\tjag\tjag\tword,stopword,sent_start,clause_start\n"
    "  4\t8\tvill\tvill\tvill\tword\n"
    "  9\t13\tinte\tinte\tint\tword,negator\n"
    "  14\t17\tbli\tbli\tbli\tword,stopword,negated\n"
    "  18\t24\tbollad\tbollad\tboll\tword,negated\n"
    "\n"
    "  $ printf 'vardcentralen anh\303\266rigst\303\266det' | " CLI_NAME
    " tokenize --lang sv --spell on\n"
    "  0\t13\tvardcentralen\tvardcentralen\tvardcentral\tword,sent_start,"
    "clause_start\n"
    "  0\t13\tvardcentralen\tvårdcentralen\tvårdcentral\tword,variant\n"
    "  14\t29\tanhörigstödet\tanhörigstödet\tanhörigstödet\tword\n"
    "  14\t29\tanhörigstödet\tanhörig\tanhör\tword,part\n"
    "  14\t29\tanhörigstödet\tstödet\tstödet\tword,part\n";

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
    {WM_TOK_VARIANT, "variant"},
    {WM_TOK_PART, "part"},
};

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
int cli_tokenize(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {"--all", 0, CLI_OPT_ALL},
        {"--lines", 0, CLI_OPT_LINES},
        {"--strict", 0, CLI_OPT_STRICT},
        {"--spell", 1, CLI_OPT_SPELL},
        {"--dict-dir", 1, CLI_OPT_DICT_DIR},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_common common = {NULL, NULL, NULL};
    cli_spell spell = {NULL, 0, NULL};
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
        if (cli_spell_arg(&spell, kind, value))
            continue;
        switch (kind) {
        case CLI_OPT_ALL: flags |= WM_ANALYZE_ALL; break;
        case CLI_OPT_LINES: by_line = 1; break;
        case CLI_OPT_STRICT: flags |= WM_ANALYZE_STRICT_UTF8; break;
        default: break;
        }
    }
    status = cli_common_check(self->name, &common);
    if (status == CLI_EXIT_OK)
        status = cli_spell_check(self->name, &spell);
    if (status != CLI_EXIT_OK)
        return status;
    in = cli_open_input(self->name, common.input_path);
    if (in == NULL)
        return CLI_EXIT_USAGE;
    status = cli_open_analyzer_spell(self->name, &common, &spell, &engine,
                                     &analyzer);
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
